"""The promotion retrospective on tests/tiny_promo.py: every figure against a value computed by hand.

P1 runs 2026-09-18 20:00:00 .. 2026-09-20 23:59:59; the data end on 2026-09-30. The arithmetic sits
beside each assertion; the planted rows and why they are what they are: tests/tiny_promo.py.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

import tiny_promo  # tests/ is on sys.path (tests/conftest.py)
from opsreport.families.promo_retrospective.analysis import run
from opsreport.warehouse.store import write_warehouse

D1, D2, D3 = tiny_promo.PROMO_DAYS  # Fri 09-18, Sat 09-19, Sun 09-20


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    base = tmp_path_factory.mktemp("tiny_promo")
    path = write_warehouse(base / "tiny_promo.duckdb", tiny_promo.tables())
    with pytest.MonkeyPatch.context() as mp:  # module scope: keep the validation record in the test's tmp dir
        mp.setenv("OPSREPORT_CACHE", str(base / "cache"))
        return run({"shop_id": tiny_promo.SHOP, "promo": "last", "warehouse": str(path)})


def kpi(review, key, column="promotion"):
    return review.kpis.set_index("metric").loc[key, column]


# --------------------------------------------------------------------------- which promotion, which windows

def test_last_is_the_autumn_event_and_the_previous_one_is_the_summer_event(review):
    assert review.promotion.promo_id == "P1"  # the last promotion ended by 09-30
    assert (review.start_at, review.end_at) == (tiny_promo.START_AT, tiny_promo.END_AT)
    assert review.data_end == dt.date(2026, 9, 30)
    assert review.compared["previous"].promo_id == "P0"
    assert review.compared["last_year"] is None  # no shop_event 330-400 days before
    # baseline: the 28 days ending pre_dip_days + 1 = 6 days before the start: 08-16 .. 09-12
    assert (review.baseline.start, review.baseline.end) == (dt.date(2026, 8, 16), dt.date(2026, 9, 12))
    assert review.missing == {} and review.unavailable == {}


# --------------------------------------------------------------------------- GMV, net GMV, buyers, target

def test_gmv_counts_the_promotions_hours_only(review):
    # oA1 300 (20:00:00, the first instant) + warmup day 2: 400 + 300 + 500 + 100
    # + burst: 1000 + 600 + 800 + 200 (oH1 at 23:59:59, the last instant); oX 300 at 19:59:59 is out
    assert kpi(review, "gmv") == pytest.approx(300 + 1300 + 2600)  # 4200
    assert review.pace.gmv == pytest.approx(4200.0)
    assert review.phases.gmv.sum() == pytest.approx(4200.0)
    assert review.buyers.gmv == pytest.approx(4200.0)


def test_target_achievement(review):
    assert kpi(review, "gmv", "target") == 4800.0
    assert kpi(review, "gmv", "vs_target") == pytest.approx(4200 / 4800 - 1)  # -12.5 %
    assert kpi(review, "gmv", "vs_target_judge") == "bad"
    found = next(f for f in review.findings if f.code == "target_missed")
    assert found.fields["achievement"] == pytest.approx(4200 / 4800)  # 0.875


def test_net_gmv_deducts_the_promotions_refunds_from_the_promotions_gmv(review):
    # refunds of the promotion's orders: oC1 100 + oE1 200 = 300; net = 4200 - 300 = 3900.
    # (Computed from whole days instead, it would be (4200 + oX 300) - 300 = 4200 = the GMV row.)
    # refund rate: 300 / 4200 (whole days: 300 / 4500)
    got = {key: kpi(review, key) for key in ("net_gmv", "refund_rate")}
    assert got == pytest.approx({"net_gmv": 4200 - 300, "refund_rate": 300 / 4200})
    assert kpi(review, "net_gmv", "immature")  # 09-30 - 09-20 = 10 days < 14: refunds still arriving


def test_paid_buyers_and_aov_use_the_promotions_orders(review):
    # A B C D E F G H paid inside the promotion (A twice): 8; X paid only before the start
    # AOV = 4200 / 8 = 525 (whole days would give 4500 / 9 = 500)
    got = {key: kpi(review, key) for key in ("paid_buyers", "aov")}
    assert got == pytest.approx({"paid_buyers": 8, "aov": 4200 / 8})


def test_kpi_new_buyer_shares_agree_with_the_buyer_mix(review):
    # the KPI table and the customers section describe the same promotion: 6 new of 8, 2800 of 4200
    got = {key: kpi(review, key) for key in ("new_buyer_share", "new_customer_sales_share")}
    assert got == pytest.approx({"new_buyer_share": review.buyers.new_buyer_share,  # 6 / 8
                                 "new_customer_sales_share": review.buyers.new_customer_sales_share})  # 2800 / 4200


def test_day_level_kpis_use_whole_days(review):
    # UV 300 + 400 + 600 over 3 days; conversion: buyer-days (2 + 4 + 4) / 1300 (X counts on 09-18)
    assert kpi(review, "uv") == pytest.approx(1300 / 3)
    assert kpi(review, "conversion_rate") == pytest.approx(10 / 1300)
    assert kpi(review, "units") == 6 + 19 + 40  # shop_daily units (product_daily's day totals)
    # baseline 08-16 .. 09-12: 4 weeks of 5 x 200 + 2 x 400
    assert kpi(review, "gmv", "baseline") == pytest.approx(4 * 1800)
    # P0 07-14 .. 07-16 (whole days): 3 x 200 + oK0 500 + oE0 500; net: minus 100 + 100
    assert kpi(review, "gmv", "previous") == pytest.approx(1600.0)
    assert kpi(review, "net_gmv", "previous") == pytest.approx(1400.0)


# --------------------------------------------------------------------------- phases, pre-sale, pace

def test_phases_gmv_buyers_and_achievement(review):
    ph = review.phases.set_index("phase")
    assert list(review.phases.phase) == ["warmup", "burst"]
    # warmup: oA1 300 + oB1 400 + pD 300 + oC1 500 + oA2 100 = 1600 from A, B, D, C (A twice)
    assert ph.loc["warmup", "gmv"] == pytest.approx(1600.0)
    assert ph.loc["warmup", "orders"] == 5 and ph.loc["warmup", "paid_buyers"] == 4
    assert ph.loc["warmup", "aov"] == pytest.approx(1600 / 4)
    assert ph.loc["warmup", "achievement_rate"] == pytest.approx(1600 / 1800)  # 0.889
    # burst: 1000 + 600 + 800 + 200 = 2600 from E, F, G, H
    assert ph.loc["burst", "gmv"] == pytest.approx(2600.0)
    assert ph.loc["burst", "orders"] == 4 and ph.loc["burst", "paid_buyers"] == 4
    assert ph.loc["burst", "achievement_rate"] == pytest.approx(2600 / 3000)  # 0.867


def test_phase_traffic_takes_the_days_each_phase_mostly_holds(review):
    ph = review.phases.set_index("phase")
    # 09-18 holds 4 warmup hours against 20 ordinary ones: it goes to no phase
    assert ph.loc["warmup", "first_day"] == D2 and ph.loc["warmup", "days"] == 1
    assert ph.loc["warmup", "uv"] == 400 and ph.loc["warmup", "conversion_rate"] == pytest.approx(4 / 400)
    assert ph.loc["burst", "first_day"] == D3
    assert ph.loc["burst", "conversion_rate"] == pytest.approx(4 / 600)


def test_presale_completion_by_amount_units_and_buyers(review):
    p = review.presale
    assert (p.deposit_orders, p.balance_orders) == (2, 1)  # pD paid its balance, pY never did
    assert p.amount_completion_rate == pytest.approx(200 / (200 + 350))  # 0.364
    assert p.units_completion_rate == pytest.approx(2 / (2 + 3))  # 0.4
    assert p.buyers_completion_rate == pytest.approx(1 / 2)  # D of D and Y
    assert p.recognised_gmv == pytest.approx(100 + 200)  # pD's deposit + balance: its row in orders


def test_first_day_pace_fires_against_the_phase_targets(review):
    # hour-of-day profile of the 28 days before: 50 % at 10:00, 50 % at 21:00. The warmup's 1800 goes
    # to its hours 09-18 21:00, 09-19 10:00, 09-19 21:00 (600 each); the burst's 3000 to 09-20 10:00
    # and 21:00 (1500 each). Day 1's pace: 4800 x 600 / 4800 = 600; its GMV 300 -> 50 % behind > 30 %.
    pace = review.pace
    assert pace.curve_source == "given"
    day = pace.first_day
    assert day.day == D1 and day.gmv == pytest.approx(300.0) and day.target_pace == pytest.approx(600.0)
    assert day.gap_share == pytest.approx(-0.5)
    assert day.fires and pace.alert
    assert day.first_hour_behind == day.first_hour_beyond_threshold == dt.datetime(2026, 9, 18, 21)
    frame = pace.days_frame()
    assert list(frame.target_pace) == pytest.approx([600.0, 1200.0, 3000.0])
    assert list(frame.gap_share) == pytest.approx([-0.5, 100 / 1200, -400 / 3000])
    assert list(frame.fires) == [True, False, False]  # each later day judged on its own


# --------------------------------------------------------------------------- lift

def test_lift_baseline_is_the_weekly_pattern(review):
    lf = review.lift
    assert (lf.fit_start, lf.fit_end) == (dt.date(2026, 7, 19), dt.date(2026, 9, 12))  # 8 whole weeks
    assert review.lift_overlaps == []  # P0 (07-14 .. 07-16) ends before the fit weeks
    promo = lf.daily[lf.daily.phase == "promotion"]
    assert list(promo.baseline_amount) == pytest.approx([200.0, 400.0, 400.0])  # Fri, Sat, Sun
    assert list(promo.actual_amount) == pytest.approx([600.0, 1300.0, 2600.0])  # whole days (oX included)
    assert lf.baseline_amount == pytest.approx(1000.0)
    assert lf.promotion.value == pytest.approx(4500 - 1000)  # 3500
    assert lf.lift_share == pytest.approx(3500 / 1000)
    assert lf.pre_dip.value == pytest.approx(0.0, abs=1e-6)  # 09-13 .. 09-17 follow the pattern
    assert lf.hangover.value == pytest.approx(0.0, abs=1e-6)  # 09-21 .. 09-27 too
    assert lf.net.value == pytest.approx(3500.0)
    assert lf.trend_per_day == pytest.approx(0.0, abs=1e-6)
    assert lf.residual_sd == pytest.approx(0.0, abs=1e-6)


def test_an_exact_fit_gives_zero_width_intervals_not_nan(review):
    # zero residuals: σ̂ = 0 and Cov(β̂) = 0, so each interval collapses onto its value
    for e in (review.lift.promotion, review.lift.pre_dip, review.lift.hangover, review.lift.net):
        assert not math.isnan(e.lower) and not math.isnan(e.upper)
        assert e.lower == pytest.approx(e.value, abs=1e-6) and e.upper == pytest.approx(e.value, abs=1e-6)


def test_an_exact_pattern_before_and_after_is_neither_a_pull_forward_nor_a_hangover(review):
    # the pre-dip and hangover days equal the baseline exactly; their sums differ from 0 only by
    # float rounding (about -2e-12 yuan), which must not be read as a dip below the baseline
    codes = {f.code for f in review.findings}
    assert codes & {"pull_forward", "hangover"} == set()


def test_an_exact_fit_has_no_residual_autocorrelation(review):
    # the residuals are all 0 (up to float rounding): their autocorrelation is undefined, not 0.70
    assert math.isnan(review.lift.residual_autocorrelation)


def test_cannibalisation_of_the_non_promoted_sku(review):
    # S4 (面部护理, like S1 and S3, not promoted) sells 100 every day but none on P1's days
    c = review.cannibalisation
    assert c.baseline_amount == pytest.approx(300.0)
    assert c.promotion.value == pytest.approx(-300.0)


# --------------------------------------------------------------------------- ads

def test_channels_roi_and_budget(review):
    ch = review.channels.set_index("channel")
    assert list(review.channels.channel) == ["直通车", "引力魔方"]  # most spend first
    # 直通车: 3 x 300 = 900 against 800: 900 / 800 - 1 = 12.5 % > 5 %; ROI 3 x 1200 / 900 = 4
    assert ch.loc["直通车", "roi"] == pytest.approx(3600 / 900)
    assert ch.loc["直通车", "overrun_rate"] == pytest.approx(0.125)
    assert bool(ch.loc["直通车", "over_budget"]) and not bool(ch.loc["直通车", "below_target"])
    assert ch.loc["直通车", "ctr"] == pytest.approx(450 / 30_000) and ch.loc["直通车", "cpc"] == pytest.approx(900 / 450)
    # 引力魔方: 3 x 210 = 630 against 600: exactly 5 % over is allowed; ROI 1260 / 630 = 2 < 3
    assert ch.loc["引力魔方", "roi"] == pytest.approx(2.0)
    assert ch.loc["引力魔方", "overrun_rate"] == pytest.approx(0.05)
    assert not bool(ch.loc["引力魔方", "over_budget"]) and bool(ch.loc["引力魔方", "below_target"])
    # the whole promotion: (3600 + 1260) / (900 + 630) = 3.18 >= 3
    assert kpi(review, "ad_spend") == pytest.approx(1530.0)
    assert kpi(review, "roi") == pytest.approx(4860 / 1530)
    # attribution final on 09-20 + 15 = 10-05: 5 days after the data end
    assert not review.attribution_mature and review.attribution_days_left == 5


# --------------------------------------------------------------------------- customers

def test_new_and_returning_buyers(review):
    b = review.buyers
    # new: A (last order 400 days before), C, D, F, G, H; returning: B (100 days before), E (P0 07-15)
    assert b.new_buyer_ids == ("A", "C", "D", "F", "G", "H")
    assert (b.buyers, b.new_buyers, b.returning_buyers) == (8, 6, 2)
    assert b.new_buyer_share == pytest.approx(6 / 8)
    # new GMV: A 300 + 100, C 500, D 300, F 600, G 800, H 200 = 2800; returning: B 400 + E 1000
    assert b.new_buyer_gmv == pytest.approx(2800.0) and b.returning_buyer_gmv == pytest.approx(1400.0)
    assert b.new_customer_sales_share == pytest.approx(2800 / 4200)
    assert b.aov_new == pytest.approx(2800 / 6) and b.aov_returning == pytest.approx(1400 / 2)
    r = review.repurchase
    # window 09-21 .. 10-20, data end 09-30: not mature, no rate yet
    assert not r.mature and r.days_to_maturity == 20 and math.isnan(r.rate)


# --------------------------------------------------------------------------- products and prices

def test_price_rule_violations(review):
    pr = review.prices
    v = pr.violations
    # S3: 40 > the 30-day low 35 (08-25; the 30 of 08-18 is 31 days before): (40 - 35) / 35 = 14.3 %
    # S2: 90 > 80 % of 100: (90 - 80) / 80 = 12.5 %; S1 150 <= 160 and <= 180: clean
    assert list(v.sku_id) == ["S3", "S2"]  # worst excess first
    assert [list(x) for x in v.violations] == [["window_low"], ["daily_price"]]
    assert list(v.worst_excess_rate) == pytest.approx([5 / 35, 10 / 80])
    skus = pr.skus.set_index("sku_id")
    assert skus.loc["S3", "daily_price_status"] == "pass"  # 40 = exactly 80 % of 50
    assert skus.loc["S3", "window_low_price"] == 35.0 and skus.loc["S3", "window_low_date"] == dt.date(2026, 8, 25)
    assert skus.loc["S1", "window_low_price"] == 180.0 and skus.loc["S1", "real_discount_rate"] == pytest.approx(0.25)
    assert pr.complete


def test_stockout_first_day_days_out_and_lost_sales(review):
    out = review.stockouts
    assert list(out.sku_id) == ["S1"]  # S5 is at 0 too but sold nothing in 30 days: not a stockout
    s1 = out.iloc[0]
    assert s1.first_out == D2 and s1.days_out == 2  # end of 09-19 and 09-20 at 0
    # in stock all day only on 09-18: S1 sold 2 of the shop's 6 units -> share 1/3, 300 / 2 = 150 a unit
    assert s1.units_share == pytest.approx(1 / 3) and s1.unit_price == pytest.approx(150.0)
    # expected 19 / 3 on 09-19 (sold 4) and 40 / 3 on 09-20 (sold 0): lost 7 / 3 + 40 / 3 = 47 / 3
    assert s1.lost_units == pytest.approx(47 / 3)
    assert s1.lost_gmv == pytest.approx(47 / 3 * 150)  # 2350


def test_pareto_and_sell_through(review):
    # P1 days: S2 200 + 180 + 1800 = 2180, S3 100 + 520 + 800 = 1420, S1 300 + 600 = 900 of 4500
    assert list(review.pareto.frame.sku_id[:3]) == ["S2", "S3", "S1"]
    assert review.pareto.skus_for_80 == 2  # (2180 + 1420) / 4500 = exactly 80 %
    st = review.sell_through.set_index("sku_id")
    assert st.loc["S1", "sell_through"] == pytest.approx(6 / 6)
    assert st.loc["S2", "sell_through"] == pytest.approx(24 / 20) and bool(st.loc["S2", "oversold"])
    assert math.isnan(st.loc["S3", "sell_through"])  # no allocation given


# --------------------------------------------------------------------------- coupons, refunds, service, traffic

def test_coupons_against_the_previous_promotion(review):
    c = review.coupons
    assert (c.issued, c.redeemed) == (40 + 10, 4 + 1)
    assert c.redemption_rate == pytest.approx(5 / 50)  # 0.10
    assert c.discount_cost == pytest.approx(4 * 30 + 1 * 150)  # 270
    assert c.effective_discount == pytest.approx(270 / (4200 + 270))  # 0.0604: of the pre-coupon value
    assert c.previous_redemption_rate == pytest.approx(5 / 20)  # P0: 0.25
    assert c.redemption_ratio == pytest.approx(0.10 / 0.25)  # 0.4 < 0.5: far below
    assert c.far_below_previous is True


def test_refunds_are_projected_with_the_earlier_promotions_curve(review):
    r = review.refunds
    assert r.promotions_used == ("P0",)  # ended 07-16, 76 >= 60 days before the data end
    # P0's refunds: 100 at age 2 (oE0), 100 at age 20 (oK0): F(a) = 0.5 for 2 <= a < 20
    assert r.curve.loc[1] == 0.0 and r.curve.loc[2] == pytest.approx(0.5) and r.curve.loc[20] == pytest.approx(1.0)
    assert r.observed_rate == pytest.approx(300 / 4200)
    # payment days 09-18, 09-19, 09-20 are 12, 11, 10 days old: F = 0.5; (0 + 100 + 200) / 0.5 = 600
    assert list(r.days.age_days) == [12, 11, 10]
    assert r.projected_rate == pytest.approx(600 / 4200)
    assert r.low == pytest.approx(600 / 4200) and r.high == pytest.approx(600 / 4200)


def test_service_and_traffic_compare_the_promotion_with_the_baseline(review):
    s = review.service.set_index("metric")
    assert s.loc["reply_30s_rate", "this_week"] == pytest.approx(120 / 150)  # 3 x 40 of 3 x 50
    assert s.loc["reply_30s_rate", "last_week"] == pytest.approx(9 / 10)
    assert s.loc["complaint_rate", "this_week"] == pytest.approx(3 / 10)  # 3 complaints, 10 paid orders (whole days)
    t = review.traffic.set_index("source")
    assert t.loc["search", "uv"] == pytest.approx(650 / 3) and t.loc["search", "uv_share"] == pytest.approx(0.5)
    assert t.loc["search", "uv_share_prev"] == pytest.approx(0.6)  # 60 of 100 a day
    assert t.loc["search", "share_change"] == pytest.approx(-0.1)
    assert t.loc["search", "gmv"] == pytest.approx(300 + 700 + 1800)


# --------------------------------------------------------------------------- findings

def test_findings_worst_first(review):
    # pull_forward and hangover are left to the exact-pattern test above (they must not appear)
    codes = [f.code for f in review.findings if f.code not in ("pull_forward", "hangover")]
    assert codes == [
        "target_missed",  # 4200 / 4800 = 87.5 %
        "pace_first_day",  # day 1: 300 against 600
        "stockout",  # S1 from 09-19
        "price_violations",  # S3, S2
        "channel_over_budget",  # 直通车 +12.5 %, ROI 4 above target: medium
        "channel_below_roi",  # 引力魔方 ROI 2 < 3
        "cannibalisation",  # S4 -300
        "coupon_redemption_low",  # 0.10 against 0.25
        "lift",  # +3500
    ]
    fields = {f.code: f.fields for f in review.findings}
    assert fields["price_violations"]["skus"] == ["S3", "S2"]
    assert fields["stockout"]["first_out"] == D2 and fields["stockout"]["days"] == 2
    assert fields["channel_over_budget"]["channel"] == "直通车"
    assert "roi_below_target" not in codes  # blended ROI 3.18 >= 3
