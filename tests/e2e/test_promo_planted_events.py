"""The promotion retrospective finds every event planted in each demo shop's last Double 11
(opsreport.warehouse.demo.PROMO_PLANTED), names it in its actions, and finds none of them where
nothing was planted."""

from __future__ import annotations

import datetime as dt

import pytest

from opsreport.families.promo_retrospective.analysis import run
from opsreport.families.promo_retrospective.view import PromoRetrospectiveView
from opsreport.warehouse import demo

SHOPS = [shop.shop_id for shop in demo.DEMO_SHOPS]


@pytest.fixture(scope="module")
def reviews(demo_warehouse):
    return {sid: run({"shop_id": sid, "promo": "last", "warehouse": str(demo_warehouse), "lang": "en"}) for sid in SHOPS}


def _found(review, code):
    return [f for f in review.findings if f.code == code]


@pytest.mark.parametrize("sid", SHOPS)
def test_the_retrospective_reviews_the_planted_promotion(reviews, sid):
    assert reviews[sid].promotion.promo_id == demo.PROMO_PLANTED[sid].promo_id


@pytest.mark.parametrize("sid", SHOPS)
def test_hot_sku_out_of_stock_on_d_day(reviews, sid):
    plant = demo.PROMO_PLANTED[sid]
    out = reviews[sid].stockouts.set_index("sku_id")
    assert out.loc[plant.stockout_sku, "first_out"] == plant.stockout_at.date() == dt.date(2026, 11, 11)
    assert out.loc[plant.stockout_sku, "lost_gmv"] > 0  # the promotion's hero sold nothing for days: a real loss
    assert plant.stockout_sku in [f.fields["sku"] for f in _found(reviews[sid], "stockout")]


@pytest.mark.parametrize("sid", SHOPS)
def test_two_skus_break_the_price_rules(reviews, sid):
    plant = demo.PROMO_PLANTED[sid]
    v = reviews[sid].prices.violations.set_index("sku_id")
    assert set(v.index) == {plant.price_above_daily_sku, plant.price_above_low_sku}
    assert v.loc[plant.price_above_daily_sku, "violations"] == ["daily_price"]  # 85% of the list price > 80%
    assert "window_low" in v.loc[plant.price_above_low_sku, "violations"]  # above the markdown 12 days before
    assert v.loc[plant.price_above_low_sku, "window_low_date"] in plant.markdown_dates


@pytest.mark.parametrize("sid", SHOPS)
def test_first_day_runs_more_than_30_percent_behind_its_pace(reviews, sid):
    pace = reviews[sid].pace
    assert pace.first_day.day == demo.PROMO_PLANTED[sid].first_day_start.date()
    assert pace.alert and pace.first_day.gap_share < -0.30
    assert _found(reviews[sid], "pace_first_day")


@pytest.mark.parametrize("sid", SHOPS)
def test_one_channel_below_its_roi_target_and_over_budget(reviews, sid):
    plant = demo.PROMO_PLANTED[sid]
    ch = reviews[sid].channels.set_index("channel")
    assert ch.loc[plant.overspent_channel, "roi"] < reviews[sid].roi_target.value
    assert ch.loc[plant.overspent_channel, "overrun_rate"] > 0.05
    flagged = [f.fields["channel"] for f in _found(reviews[sid], "channel_over_budget")]
    assert flagged == [plant.overspent_channel]  # every other channel stays within 5% of its budget
    assert _found(reviews[sid], "channel_over_budget")[0].fields["below_target"]


@pytest.mark.parametrize("sid", SHOPS)
def test_pull_forward_dip_before_the_start(reviews, sid):
    lift = reviews[sid].lift
    assert lift.pre_dip.upper < 0  # the whole interval below the baseline: a dip, not noise
    dip_days = lift.daily[lift.daily.phase == "pre_dip"].date
    assert dip_days.min() == demo.PROMO_PLANTED[sid].dip_start
    assert _found(reviews[sid], "pull_forward")


@pytest.mark.parametrize("sid", SHOPS)
def test_coupon_redemption_far_below_the_previous_promotion(reviews, sid):
    c = reviews[sid].coupons
    assert reviews[sid].compared["previous"].promo_id == demo.PROMO_PLANTED[sid].previous_promo_id
    assert c.redemption_rate < 0.5 * c.previous_redemption_rate and c.far_below_previous
    assert _found(reviews[sid], "coupon_redemption_low")


@pytest.mark.parametrize("sid", SHOPS)
def test_actions_name_each_planted_problem(reviews, sid):
    plant = demo.PROMO_PLANTED[sid]
    text = " ".join(PromoRetrospectiveView(reviews[sid]).action_frame().finding)
    for evidence in (plant.stockout_sku, plant.price_above_daily_sku, plant.price_above_low_sku, plant.overspent_channel):
        assert evidence in text


def test_an_earlier_promotion_without_plants_raises_none_of_them(demo_warehouse):
    review = run({"shop_id": "0071", "promo": "0071-2025-double11", "warehouse": str(demo_warehouse)})
    codes = {f.code for f in review.findings}
    assert not codes & {"price_violations", "channel_over_budget", "coupon_redemption_low"}
