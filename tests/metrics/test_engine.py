"""query(): parts aggregated in the engine at a grain, metrics formed from them (values by hand)."""

import datetime as dt

import pandas as pd
import pytest

import tiny
from opsreport.errors import DataNotFoundError
from opsreport.metrics import query
from opsreport.metrics.registry import MetricError, UnknownMetricError
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse

MON, TUE, WED = dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)


def three_days() -> dict[str, pd.DataFrame]:
    """Shop 0001: three days of W47; conversion 10%, 2%, 2%. Ads only for shop 0002."""
    shops = pd.DataFrame([
        {"shop_id": s, "name": n, "platform": "tmall", "category": "beauty", "currency": "CNY"}
        for s, n in (("0001", "toy"), ("0002", "other"))
    ])
    daily = pd.DataFrame([
        {"shop_id": "0001", "date": d, "uv": uv, "pv": 0, "cart_users": 0, "fav_users": 0, "order_buyers": 0,
         "paid_buyers": b, "paid_orders": b, "units": 0, "paid_amount": 0.0, "refund_amount": 0.0}
        for d, uv, b in ((MON, 100, 10), (TUE, 300, 6), (WED, 600, 12))
    ])
    ads = pd.DataFrame([{"shop_id": "0002", "date": MON, "channel": "c", "campaign": "k", "impressions": 1, "clicks": 1,
                         "spend": 1.0, "attributed_orders": 0, "attributed_amount": 0.0}])
    return {"shops": shops, "shop_daily": daily, "ads_daily": ads}


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    wh = Warehouse.open(write_warehouse(tmp_path_factory.mktemp("toy") / "toy.duckdb", three_days()))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    wh = Warehouse.open(write_warehouse(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", tiny.extended_tables()))
    yield wh
    wh.close()


def test_conversion_by_day_is_each_days_rate(toy):
    out = query(toy, ["conversion_rate", "uv"], "0001", MON, WED, by=["day"])
    assert list(out.day) == list(pd.to_datetime([MON, TUE, WED]))
    assert list(out.conversion_rate) == pytest.approx([10 / 100, 6 / 300, 12 / 600])
    assert list(out.uv) == [100, 300, 600]  # one day each: UV is that day's


def test_conversion_of_the_week_is_summed_buyers_over_summed_uv_not_a_mean_of_days(toy):
    out = query(toy, ["conversion_rate", "uv"], "0001", MON, WED, by=["week"])
    row = out.iloc[0]
    assert row.week == "2026-W47"
    assert row.conversion_rate == pytest.approx((10 + 6 + 12) / (100 + 300 + 600))  # 2.8%
    assert row.conversion_rate != pytest.approx((0.10 + 0.02 + 0.02) / 3)  # not 4.67%
    assert row.uv == pytest.approx((100 + 300 + 600) / 3)  # the average day, not 1000
    assert (row.uv_sum, row.days, row.buyer_days) == (1000, 3, 28)  # the parts come back too
    assert out.attrs["sources"] == {"conversion_rate": ["shop_daily"], "uv": ["shop_daily"]}


def test_no_grain_is_one_row_and_month_labels(toy):
    assert len(query(toy, "uv", "0001", MON, WED)) == 1
    assert list(query(toy, "uv", "0001", "2026-11-01", "2026-11-30", by="month").month) == ["2026-11"]


def test_the_tiny_shop_gives_the_weekly_reviews_hand_values(small):
    keys = ["gmv", "net_gmv", "uv", "conversion_rate", "aov", "paid_buyers", "units", "refund_rate", "ad_spend", "roi",
            "new_buyer_share", "new_customer_sales_share"]
    row = query(small, keys, tiny.SHOP, "2026-11-16", "2026-11-22").iloc[0]
    assert row.gmv == 500.0 and row.net_gmv == 500.0 - 50.0  # o1..o5; o3 refunded 50
    assert row.uv == 100.0 and row.conversion_rate == pytest.approx(5 / 700)  # 5 buyer-days over 7 x 100
    assert row.paid_buyers == 4 and row.aov == pytest.approx(500.0 / 4)  # A paid twice, counted once
    assert row.units == 2 + 1 + 3 + 1 + 2 + 1 and row.refund_rate == pytest.approx(50 / 500)
    assert row.ad_spend == 1000.0 and row.roi == pytest.approx(1800.0 / 1000.0)
    assert row.new_buyer_share == pytest.approx(3 / 4)  # A, B, D new; C bought 353 days before
    assert row.new_customer_sales_share == pytest.approx((150 + 200 + 70) / 500)  # A's two orders, B, D


def test_distinct_buyers_are_recounted_at_each_grain(small):
    keys = ["new_buyer_share", "new_customer_sales_share"]  # their parts come back as columns
    by_day = query(small, keys, tiny.SHOP, "2026-11-16", "2026-11-22", by=["day"])
    by_day = by_day.set_index(by_day.day.dt.strftime("%m-%d"))
    assert by_day.paid_buyers.to_dict() == {"11-17": 2, "11-18": 1, "11-19": 1, "11-20": 1}  # sums to 5, the week has 4
    # A is new on 11-17 (first order ever), returning on 11-18 (paid the day before)
    assert by_day.new_buyers.to_dict() == {"11-17": 2, "11-18": 0, "11-19": 0, "11-20": 1}
    assert by_day.new_buyer_gmv.sum() == 100 + 200 + 70  # A's 11-18 order is not new-buyer GMV by day...
    week = query(small, keys, tiny.SHOP, "2026-11-16", "2026-11-22", by=["week"]).iloc[0]
    assert week.new_buyer_gmv == 100 + 50 + 200 + 70  # ...but is in the week, where A is a new buyer
    assert week.new_buyer_share == pytest.approx(3 / 4) and by_day.new_buyer_share["11-18"] == 0


def test_category_by_week_with_a_filter(small):
    out = query(small, ["gmv", "units", "refund_rate"], tiny.SHOP, "2026-11-16", "2026-11-22",
                by=["category", "week"], where={"category": ["彩妆"]})
    assert list(out.category) == ["彩妆"] and list(out.week) == ["2026-W47"]
    row = out.iloc[0]
    assert row.gmv == 50 + 50 + 80  # S2 items of o2, o3, o4
    assert row.units == 1 + 1 + 2
    # o3 (200 paid, 50 refunded): its S2 item is 50 of 200, so a quarter of the refund
    assert row.refund_rate == pytest.approx(50 * 50 / 200 / 180)
    assert out.attrs["sources"]["gmv"] == ["order_items"]


def test_conversion_by_source_and_sku_come_from_their_tables(small):
    src = query(small, "conversion_rate", tiny.SHOP, "2026-11-16", "2026-11-22", by=["source"]).set_index("source")
    assert src.conversion_rate.to_dict() == pytest.approx({"recommendation": 3 / 300, "search": 10 / 500})
    sku = query(small, "conversion_rate", tiny.SHOP, "2026-11-16", "2026-11-22", by=["sku_id"]).set_index("sku_id")
    assert sku.conversion_rate["S1"] == pytest.approx(21 / 700) and sku.conversion_rate["S3"] == 0  # 0 of 50


def test_a_ratio_of_two_tables_joins_them_on_the_grain(small):
    row = query(small, ["complaint_rate", "first_response_s"], tiny.SHOP, "2026-11-16", "2026-11-22", by=["week"]).iloc[0]
    assert row.complaint_rate == pytest.approx((1 + 2) / 5)  # service_daily complaints / paid orders o1..o5
    assert row.first_response_s == pytest.approx((100 * 10 + 300 * 30) / 400)  # weighted by consultations


def test_a_part_read_from_two_tables_shows_both(small):
    out = query(small, ["gmv", "unit_price"], tiny.SHOP, "2026-11-16", "2026-11-22")
    assert {"gmv", "gmv (order_items)", "units"} <= set(out.columns)
    assert out.unit_price.iloc[0] == pytest.approx(500 / 10)


def test_unknown_metric_and_dimension_suggest_the_closest(toy):
    with pytest.raises(UnknownMetricError, match="did you mean 'conversion_rate'"):
        query(toy, "conversion", "0001", MON, WED)
    with pytest.raises(MetricError, match="unknown grain 'catgory'.*did you mean 'category'"):
        query(toy, "gmv", "0001", MON, WED, by=["catgory"])
    with pytest.raises(MetricError, match="unknown dimension 'chanel'.*did you mean 'channel'"):
        query(toy, "roi", "0001", MON, WED, where={"chanel": "x"})


def test_a_dimension_the_metric_lacks_names_metric_dimension_and_the_available_ones(toy):
    with pytest.raises(MetricError) as info:
        query(toy, "conversion_rate", "0001", MON, WED, by=["category"])
    text = str(info.value)
    assert "conversion_rate cannot be broken down by category" in text
    assert "do not add up across sku_id" in text  # visitors of two SKUs are counted by each
    assert "Dimensions available for conversion_rate: source, sku_id" in text
    with pytest.raises(MetricError, match="complaint_rate cannot be broken down by agent_id"):
        query(toy, "complaint_rate", "0001", MON, WED, by=["agent_id"])


def test_snapshot_metrics_are_not_summed_over_a_grain(toy):
    with pytest.raises(MetricError, match="repurchase_rate is not available by grain.*90 days"):
        query(toy, "repurchase_rate", "0001", MON, WED, by=["week"])


def test_missing_or_empty_tables_are_named(toy):
    with pytest.raises(DataNotFoundError, match="traffic_daily is not in the warehouse"):
        query(toy, "conversion_rate", "0001", MON, WED, by=["source"])
    with pytest.raises(DataNotFoundError, match="ads_daily has no rows for shop '0001'"):
        query(toy, "roi", "0001", MON, WED)
    with pytest.raises(DataNotFoundError, match="orders is not in the warehouse"):
        query(toy, "aov", "0001", MON, WED)  # distinct buyers need orders


def test_bad_dates(toy):
    with pytest.raises(MetricError, match="after end"):
        query(toy, "uv", "0001", WED, MON)
    with pytest.raises(MetricError, match="not a date"):
        query(toy, "uv", "0001", "16/11/2026", WED)
