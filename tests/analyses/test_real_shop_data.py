"""Real shops' data: orders only, an overview without visitors, missing items or overview days,
products without launch dates, and a history that starts 10 weeks before the reviewed week.
Values by hand from tests/tiny.py (W47 = 2026-11-16..22: o1..o5, GMV 500, items 10 units)."""

import datetime as dt

import pandas as pd
import pytest

import tiny
from opsreport.errors import DataNotFoundError
from opsreport.notebook import setup
from opsreport.warehouse.store import write_warehouse

SECTIONS = ["headline", "kpis", "bridge", "trend", "traffic", "funnel", "products", "inventory", "ads",
            "service", "customers", "anomalies", "pacing", "appendix"]


def review(tmp_path, tables, lang="en", **params):
    path = write_warehouse(tmp_path / "w.duckdb", tables)
    view = setup("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": str(path), "lang": lang, **params})
    html = {name: getattr(view, name)()._repr_html_() for name in SECTIONS}  # every section renders
    return view, view.review.kpis.set_index("metric"), html


def test_a_shop_with_orders_only_gets_a_review_without_invented_traffic(tmp_path):
    t = {k: v for k, v in tiny.tables().items() if k in ("shops", "orders", "order_items")}
    # the last order is on Friday 11-20: without an overview the data covers 5 days of the week
    view, k, html = review(tmp_path, t, allow_partial=True)
    assert k.loc["gmv", "this_week"] == 500  # o1..o5: 100 + 50 + 200 + 80 + 70
    assert k.loc["paid_buyers", "this_week"] == 4  # A, B, C, D
    assert k.loc["units", "this_week"] == 10  # items of o1..o5: 2 + 1 + 3 + 1 + 2 + 1
    assert pd.isna(k.loc["uv", "this_week"]) and pd.isna(k.loc["conversion_rate", "this_week"])  # unknown, not 0
    assert pd.isna(k.loc["ad_spend", "this_week"])  # no ads table: unknown, not ¥0
    assert "No traffic data: average daily UV and conversion need shop_daily" in html["kpis"]
    assert "import shop_daily to fill it" in html["funnel"] and "import shop_daily to fill it" in html["bridge"]
    assert "Avg daily UV" not in html["headline"]  # no sentence about an unknown number


def test_an_overview_whose_visitors_are_zero_does_not_break_the_charts(tmp_path):
    t = tiny.tables()
    t["shop_daily"] = t["shop_daily"].assign(uv=0, pv=0, cart_users=0, fav_users=0)
    view, k, html = review(tmp_path, t)
    assert k.loc["uv", "this_week"] == 0 and pd.isna(k.loc["conversion_rate", "this_week"])  # 5 buyers / 0 visitors


def test_units_come_from_the_overview_when_the_shop_has_no_order_items(tmp_path):
    t = tiny.tables()
    t["order_items"] = t["order_items"].iloc[0:0]
    t["shop_daily"] = t["shop_daily"].assign(units=2)
    _, k, _ = review(tmp_path, t)
    assert k.loc["units", "this_week"] == 7 * 2  # the overview's 2 a day, not 0 from the empty items table


def test_gmv_does_not_drop_with_a_day_missing_from_the_overview(tmp_path):
    t = tiny.tables()
    t["shop_daily"] = t["shop_daily"][pd.to_datetime(t["shop_daily"].date) != pd.Timestamp("2026-11-17")]
    _, k, _ = review(tmp_path, t)
    assert k.loc["gmv", "this_week"] == 500  # o1 (100) and o3 (200) of 11-17 still count
    assert k.loc["uv", "this_week"] == pytest.approx(100)  # the average of the 6 days with visitor data


def test_products_without_launch_dates(tmp_path):
    t = tiny.extended_tables()
    t["products"] = t["products"].assign(launched_on=None)
    view, _, html = review(tmp_path, t)
    assert view.review.products.new.empty and "No product launched recently." in html["products"]


def test_a_history_of_ten_weeks_says_what_it_cannot_know(tmp_path):
    t = tiny.tables()
    start = dt.date(2026, 9, 7)  # 10 weeks before W47
    t["orders"] = t["orders"][(t["orders"].paid_at >= pd.Timestamp(start)) | t["orders"].paid_at.isna()]
    t["order_items"] = t["order_items"][t["order_items"].order_id.isin(t["orders"].order_id)]
    first = pd.DataFrame([{**t["orders"].iloc[0].to_dict(), "order_id": "o0", "customer_id": "Z",
                           "paid_at": pd.Timestamp("2026-09-07 10:00"), "created_at": pd.Timestamp("2026-09-07 09:55")}])
    t["orders"] = pd.concat([first, t["orders"]], ignore_index=True)
    t["shop_daily"] = t["shop_daily"][pd.to_datetime(t["shop_daily"].date) >= pd.Timestamp(start)]
    view, k, html = review(tmp_path, t)
    # new buyers need 365 days of orders before the week, repurchase its 90-day window: neither is guessed
    for key in ("new_buyer_share", "new_customer_sales_share", "repurchase_rate"):
        assert pd.isna(k.loc[key, "this_week"]) and k.loc[key, "short_history"], key
    assert pd.isna(k.loc["gmv", "last_year"])  # no data a year ago: no YoY
    assert "Insufficient history" in html["kpis"] and "2026-09-07" in html["kpis"]
    assert pd.isna(view.review.customers.dormant_share["this_week"])  # the 365-day RFM base is incomplete
    assert not [a for a in view.review.anomalies if a.rule == "dormant_share_rise"]
    assert k.loc["gmv", "this_week"] == 500  # what the data does cover is still there


def test_a_week_with_missing_days_is_refused_unless_partial_is_allowed(tmp_path):
    t = {k: v for k, v in tiny.tables().items() if k != "orders" and k != "order_items"}
    t["shop_daily"] = t["shop_daily"][~pd.to_datetime(t["shop_daily"].date).isin([pd.Timestamp("2026-11-21"),
                                                                                   pd.Timestamp("2026-11-22")])]
    path = write_warehouse(tmp_path / "w.duckdb", t)
    with pytest.raises(DataNotFoundError, match=r"has data on 5 of its 7 days .*11-16, 11-17, 11-18, 11-19, 11-20.*allow_partial"):
        setup("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": str(path)})
    from opsreport.families.weekly_review.spec import resolve
    from opsreport.families.weekly_review.params import WeeklyReviewParams
    from opsreport.warehouse.connection import Warehouse

    resolved = resolve(Warehouse.open(path), WeeklyReviewParams(shop_id=tiny.SHOP, week="2026-W47", allow_partial=True, lang="en"))
    assert resolved.title.subtitle.endswith("partial: data on 5 of 7 days")


def test_a_shop_in_another_currency_shows_its_symbol(tmp_path):
    t = tiny.tables()
    t["shops"] = t["shops"].assign(currency="GBP")
    view, k, html = review(tmp_path, t)
    page = "".join(html.values())
    assert "£500" in html["kpis"] and "£500" in html["headline"]  # GMV this week, in the table and the sentence
    assert "¥" not in page  # not one amount in the wrong currency


def test_an_overview_without_fav_cart_and_order_columns_stays_unknown(tmp_path):
    t = tiny.extended_tables()
    t["shop_daily"] = t["shop_daily"].assign(cart_users=None, fav_users=None, order_buyers=None, paid_orders=None)
    t["product_daily"] = t["product_daily"].assign(cart_users=None, fav_users=None)
    view, k, html = review(tmp_path, t)
    f = view.review.funnel.set_index("step")
    assert f.loc["visit", "users"] == 700 and pd.isna(f.loc["cart", "users"])  # 7 x 100 visitors; carts unknown, not 0
    assert pd.isna(f.loc["cart", "step_rate"]) and pd.isna(f.loc["order", "step_rate"])
    new = view.review.products.new.set_index("sku_id")
    assert new.loc["S4", "verdict"] == "no_data"  # not "below the 8% bar" on missing counts
    assert k.loc["gmv", "this_week"] == 500  # what is known is unchanged
