"""Every KPI of the weekly review against values computed by hand from tests/tiny.py."""

import math

import pytest

import tiny
from opsreport.families.weekly_review import analysis as weekly_review
from opsreport.warehouse.store import write_warehouse


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    path = write_warehouse(tmp_path_factory.mktemp("wh") / "tiny.duckdb", tiny.tables())
    return weekly_review.run({"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": str(path)})


def kpi(review, key, column="this_week"):
    return review.kpis.set_index("metric").loc[key, column]


def test_gmv_counts_paid_orders_only_and_does_not_deduct_refunds(review):
    # o1..o5 paid in W47: 100 + 50 + 200 + 80 + 70; the unpaid o10 is not GMV
    assert kpi(review, "gmv") == pytest.approx(500.0)
    assert kpi(review, "net_gmv") == pytest.approx(500.0 - 50.0)
    assert kpi(review, "refund_rate") == pytest.approx(50.0 / 500.0)


def test_weekly_uv_is_the_average_day_not_the_sum(review):
    assert kpi(review, "uv") == pytest.approx(100.0)  # 7 days of 100 visitors
    assert kpi(review, "uv", "last_week") == pytest.approx(80.0)
    assert kpi(review, "uv", "last_year") == pytest.approx(50.0)


def test_conversion_is_recomputed_from_summed_parts(review):
    # buyer-days: 11-17 A,B; 11-18 A; 11-19 C; 11-20 D = 5; UV summed over the week = 700
    assert kpi(review, "conversion_rate") == pytest.approx(5 / 700)
    # last week: F on 11-10 over 7 x 80 visitors
    assert kpi(review, "conversion_rate", "last_week") == pytest.approx(1 / 560)


def test_paid_buyers_are_distinct_in_the_week_and_aov_uses_them(review):
    assert kpi(review, "paid_buyers") == 4  # A paid twice, counted once
    assert kpi(review, "aov") == pytest.approx(500.0 / 4)


def test_units_come_from_order_items_of_paid_orders(review):
    assert kpi(review, "units") == 2 + 1 + 3 + 1 + 2 + 1


def test_new_buyer_rule_uses_365_days_before_each_payment(review):
    # A and B never bought before; C bought 353 days before (returning); D 384 days before (new again)
    assert kpi(review, "new_buyer_share") == pytest.approx(3 / 4)
    mix = review.customers.mix.set_index("kind")
    assert mix.loc["new", "this_week"] == 3
    assert mix.loc["returning", "this_week"] == 1  # C
    # new buyers' GMV: A 100 + 50, B 200, D 70, of the week's 500
    assert kpi(review, "new_customer_sales_share") == pytest.approx((150 + 200 + 70) / 500)


def test_repurchase_rate_counts_buyers_with_two_orders_in_the_trailing_window(review):
    # 90 days to 11-22: A (2 orders), B, C (its 2025 order is outside), D, F -> 1 of 5
    assert kpi(review, "repurchase_rate") == pytest.approx(1 / 5)


def test_ads_roi_and_spend(review):
    assert kpi(review, "ad_spend") == pytest.approx(1000.0)
    assert kpi(review, "roi") == pytest.approx(1800.0 / 1000.0)
    assert kpi(review, "roi", "last_week") == pytest.approx(1000.0 / 250.0)
    campaign = review.ads.campaigns.iloc[0]
    assert campaign.ctr == pytest.approx(500 / 20000)
    assert campaign.cpc == pytest.approx(1000.0 / 500)


def test_changes_are_pp_for_rates_and_relative_otherwise(review):
    assert kpi(review, "gmv", "wow") == pytest.approx((500 - 30) / 30)
    assert kpi(review, "gmv", "yoy") == pytest.approx((500 - 90) / 90)
    assert kpi(review, "gmv", "vs_target") == pytest.approx(500 / 400 - 1)
    assert kpi(review, "conversion_rate", "wow") == pytest.approx(5 / 700 - 1 / 560)
    assert kpi(review, "conversion_rate", "vs_target") == pytest.approx(5 / 700 - 0.01)
    assert kpi(review, "conversion_rate", "vs_target_judge") == "bad"
    # the week's refunds are immature (it ended 0 days before the data's last day, under the 14 days
    # refunds take): the rate can only rise as late refunds arrive, so a rise (50/500 vs 0/30) is
    # certain and judged bad, while net GMV, which can only fall, rising is not judged
    assert kpi(review, "refund_rate", "immature") and kpi(review, "refund_rate", "wow") == pytest.approx(50 / 500 - 0 / 30)
    assert kpi(review, "refund_rate", "wow_judge") == "bad"
    assert kpi(review, "net_gmv", "wow") == pytest.approx((450 - 30) / 30) and kpi(review, "net_gmv", "wow_judge") == "neutral"
    assert kpi(review, "gmv", "wow_judge") == "good"


def test_gmv_bridge_parts_add_up_to_the_change(review):
    bridge = review.bridge.frame().set_index("factor")
    assert bridge.contribution.sum() == pytest.approx(500 - 30)
    # traffic rose 25 %, conversion 4x, value per buyer-day 100 -> 30 to 100: all positive
    assert (bridge.contribution > 0).all()
    # LMDI by hand: L(500, 30) * ln(x1 / x0)
    weight = (500 - 30) / math.log(500 / 30)
    assert bridge.loc["uv", "contribution"] == pytest.approx(weight * math.log(100 / 80))
    assert bridge.loc["conversion_rate", "contribution"] == pytest.approx(weight * math.log((5 / 700) / (1 / 560)))


def test_funnel_step_rates(review):
    f = review.funnel.set_index("step")
    assert f.loc["visit", "users"] == 700
    assert f.loc["cart", "step_rate"] == pytest.approx(70 / 700)
    assert f.loc["pay", "overall_rate"] == pytest.approx(5 / 700)


def test_month_pacing(review):
    p = review.pacing
    # November to the 22nd: 500 this week + 30 last week (the 2025 orders are another month)
    assert p.gmv_mtd == pytest.approx(530.0)
    assert p.completion == pytest.approx(530 / 3000)
    assert p.required_run_rate == pytest.approx((3000 - 530) / 8)
    # the remaining 8 days run at the last 7 days' pace (500 / 7), not the month's average (530 / 22)
    assert p.run_rate_recent == pytest.approx(500 / 7)
    assert p.projected == pytest.approx(530 + 500 / 7 * 8)


def test_rfm_scores_recent_buyers_high(review):
    # at 11-22 the base (365 days) is A, B, C, D, F; A, B, C, D bought this week: recent = R-high.
    segments = review.customers.segments.set_index("segment").customers
    assert segments.get("important_value", 0) + segments.get("important_develop", 0) + segments.get("general_value", 0) \
        + segments.get("general_develop", 0) == 4  # the four R-high segments
    assert review.customers.dormant_share["this_week"] == pytest.approx(0.0)


def test_missing_sections_are_named_with_the_table_that_fills_them(review):
    assert review.missing["traffic"] == "traffic_daily"
    assert review.missing["service"] == "service_daily"
    assert review.traffic is None and review.service is None


def test_campaign_below_target_is_an_anomaly_with_evidence(review):
    found = [a for a in review.anomalies if a.rule == "campaign_roi_below_target"]
    assert len(found) == 1
    assert found[0].evidence["roi_now"] == pytest.approx(1.8)
    assert found[0].evidence["roi_target"] == 3.0  # beauty category target
