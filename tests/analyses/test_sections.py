"""Products, inventory, traffic, service and category refunds against values computed by hand
from tests/tiny.py's extended_tables()."""

import pytest

import tiny
from opsreport.families.weekly_review import analysis as weekly_review
from opsreport.warehouse.store import write_warehouse


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    path = write_warehouse(tmp_path_factory.mktemp("wh") / "ext.duckdb", tiny.extended_tables())
    return weekly_review.run({"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": str(path)})


def test_traffic_shares_and_conversion_by_source(review):
    tr = review.traffic.set_index("source")
    assert tr.loc["search", "uv_share"] == pytest.approx(500 / 800)
    assert tr.loc["search", "uv_share_prev"] == pytest.approx(400 / 800)
    assert tr.loc["search", "share_change"] == pytest.approx(0.125)
    assert tr.loc["recommendation", "conversion_rate"] == pytest.approx(3 / 300)
    assert tr.loc["recommendation", "conversion_rate_prev"] == pytest.approx(2 / 400)
    # UV is the average day: 500 visitors in the week / 7
    assert tr.loc["search", "uv"] == pytest.approx(500 / 7) and tr.loc["search", "uv_sum"] == 500


def test_top_products_fallers_and_active_sku_rate(review):
    top = review.products.top
    assert list(top.sku_id) == ["S1", "S2"]
    assert top.iloc[0].conversion_rate == pytest.approx(21 / 700)
    assert top.iloc[0].gmv_change == pytest.approx((3000 - 3500) / 3500)
    assert list(review.products.fallers.sku_id) == ["S1", "S3"]  # -500, then -100
    # on shelf: S1..S5; sold this week: S1, S2
    active = review.products.active
    assert (active.on_shelf, active.active, active.active_sku_rate) == (5, 2, pytest.approx(2 / 5))


def test_new_products_use_their_first_three_days(review):
    new = review.products.new.set_index("sku_id")
    # S4 launched 11-18: (fav + cart) over 11-18..11-20 = (5+4 + 2+1 + 0+0) / 300; the 4th day does not count
    assert new.loc["S4", "fav_cart_rate"] == pytest.approx(12 / 300)
    assert new.loc["S4", "verdict"] == "below_bar"  # 4% < 8%
    assert new.loc["S5", "verdict"] == "in_progress"  # launched 11-21: its 3 days are not over on 11-22


def test_days_of_cover_stockouts_and_overstock(review):
    inv = review.inventory
    # 30 days to 11-22: S1 sold 30 + 35 units -> 65/30 a day; 60 on hand
    low_or_ok = inv.overstock.set_index("sku_id")
    stock = {r.sku_id: r for r in inv.stockouts.itertuples()}
    assert list(stock) == ["S2"]
    assert str(stock["S2"].stockout_since)[:10] == "2026-11-20"  # last in stock on 11-19
    assert stock["S2"].avg_daily_units == pytest.approx(22 / 30)
    assert list(low_or_ok.index) == ["S3"]
    assert low_or_ok.loc["S3", "days_of_cover"] == pytest.approx(500 / (5 / 30))
    assert inv.low_cover.empty  # S1 covers 60 / (65/30) = 27.7 days


def test_stock_risk_for_the_next_promotion(review):
    inv = review.inventory
    assert inv.promo_risk.promotion.name == "双12"
    assert inv.promo_risk.lead_days == 17  # 11-23 .. 12-09
    risk = inv.promo_risk.at_risk.set_index("sku_id")
    # demand to the end of 双12 = avg daily x (17 + 3 x 3 promotion days)
    assert list(risk.index) == ["S2"]
    assert risk.loc["S2", "shortfall"] == pytest.approx(22 / 30 * 26)
    # S1: 65/30 x 26 = 56.3 < 60 on hand: not at risk


def test_service_kpis_weight_response_time_by_consultations(review):
    s = review.service.set_index("metric").this_week
    assert s["first_response_s"] == pytest.approx((10 * 100 + 30 * 300) / 400)
    assert s["reply_30s_rate"] == pytest.approx(330 / 400)
    assert s["inquiry_conversion"] == pytest.approx(50 / 150)
    assert s["good_review_rate"] == pytest.approx(92 / 100)
    assert s["complaint_rate"] == pytest.approx(3 / 5)  # 5 paid orders this week


def test_category_refund_rate_spreads_an_orders_refund_over_its_items(review):
    spikes = {a.subject: a for a in review.anomalies if a.rule == "refund_spike"}
    # o3 (S1 150 + S2 50) refunded 50: 37.5 to 面部护理; its GMV 100 + 150 + 70
    assert spikes["面部护理"].evidence["refund_rate_now"] == pytest.approx(37.5 / 320)
    assert "彩妆" not in spikes  # 12.5 / 180 = 6.9% < the 10% floor


def test_last_weeks_promotion_is_named_as_context(review):
    assert [p.name for p in review.promotions_last_week] == ["双11"]
