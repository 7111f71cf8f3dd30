"""Each rule of the seed rubric (shop_operator.yaml) at and around its thresholds, against points
worked out by hand; the arithmetic is written beside each assertion."""

import math

import pytest

from opsreport.analyses.rubric import Measure, get_rubric, score

SEED = get_rubric("shop_operator")
ADS = get_rubric("ad_specialist")
MET = {"sales_completion": Measure(1_000_000, 1_000_000), "roi_vs_target": Measure(3.0, 3.0)}  # targets met


def rule(key, rubric=SEED, **inputs):
    return score(rubric, inputs).rule(key)


def pts(key, rubric=SEED, **inputs):
    r = rule(key, rubric, **inputs)
    assert r.status == "scored", (key, r.reason)
    return r.points


# --- sales completion: tiers -----------------------------------------------------------------


def sales(c_times_1000: int, target=1_000_000):
    """Sales of c (in thousandths) of a 1,000,000 target."""
    return Measure(c_times_1000 * 1000, target, unit="yuan")


@pytest.mark.parametrize("permille, expected, code", [
    (0, 0.0, "tiers.zero"),  # nothing sold: c = 0 < 80 %
    (799, 0.0, "tiers.zero"),  # 79.9 % < 80 %: 0
    (800, 48.0, "tiers.proportional"),  # 60 x 0.8 = 48: the seed's jump from 0 at 80 %
    (900, 54.0, "tiers.proportional"),  # the seed's example: 60 x 0.9 = 54
    (999, 59.94, "tiers.proportional"),  # 60 x 0.999 = 59.94
    (1000, 60.0, "tiers.base_plus_steps"),  # 100 %: 60 + 5 x 0
    (1099, 60.0, "tiers.base_plus_steps"),  # 109.9 %: no full 10 % above: 60
    (1100, 65.0, "tiers.base_plus_steps"),  # 110 %: 60 + 5 x 1
    (1199, 65.0, "tiers.base_plus_steps"),  # 119.9 %: still 1 full step
    (1200, 70.0, "tiers.base_plus_steps"),  # the seed's example: 120 % -> 60 + 5 x 2 = 70
    (1399, 75.0, "tiers.base_plus_steps"),  # 139.9 %: 3 full steps: 75
    (1400, 80.0, "tiers.base_plus_steps"),  # 140 %: 60 + 5 x 4 = 80, exactly the cap
    (1500, 80.0, "tiers.capped"),  # the seed's example: 150 % -> 60 + 25 = 85, capped at 80
    (3000, 80.0, "tiers.capped"),  # 300 %: 60 + 100, capped at 80
])
def test_sales_completion_tiers(permille, expected, code):
    r = rule("sales_completion", sales_completion=sales(permille))
    assert r.points == pytest.approx(expected, abs=1e-9)
    assert r.code == code


def test_exactly_120_percent_is_two_full_steps_not_one():
    # the float trap: (1.2 - 1.0) / 0.1 is 1.9999999999999996, whose floor is 1
    assert math.floor((1.2 - 1.0) / 0.1) == 1
    r = rule("sales_completion", sales_completion=Measure(1.2, 1.0))  # c = 1.2 exactly
    assert r.evidence["steps"] == 2 and r.points == 70.0  # 60 + 5 x 2


def test_the_seeds_90_percent_example_carries_its_arithmetic():
    r = rule("sales_completion", sales_completion=sales(900))
    ev = r.evidence
    assert (ev["value"], ev["reference"]) == (900_000, 1_000_000)
    assert ev["ratio"] == pytest.approx(0.9)  # 900,000 / 1,000,000
    assert ev["formula"] == "60 x c" and ev["points"] == 54.0 and ev["band"] == [0.8, 1.0]


def test_150_percent_shows_the_uncapped_points_and_the_cap():
    ev = rule("sales_completion", sales_completion=sales(1500)).evidence
    assert ev["steps"] == 5 and ev["uncapped"] == 85.0 and ev["cap"] == 80.0  # 60 + 5 x 5 = 85 > 80


def test_a_missing_or_zero_target_is_not_scored_never_zero():
    none = rule("sales_completion", sales_completion=Measure(900_000, None))
    zero = rule("sales_completion", sales_completion=Measure(900_000, 0))
    assert (none.status, none.points, none.reason) == ("not_scored", None, "reference_missing")
    assert (zero.status, zero.points, zero.reason) == ("not_scored", None, "reference_not_positive")


# --- conversion vs industry: relative 5 % steps, +-3, within +-10 ------------------------------


@pytest.mark.parametrize("ours, expected", [
    (0.0300, 0),  # equal to the industry's 3.00 %
    (0.0286, 0),  # (2.86 - 3) / 3 = -4.67 %: no full 5 %
    (0.0285, -3),  # -5.00 %: 1 full step below
    (0.0271, -3),  # -9.67 %: still 1
    (0.0270, -6),  # -10 %: 2 steps
    (0.0255, -9),  # -15 %: 3 steps
    (0.0240, -10),  # -20 %: 4 steps = -12, held at -10
    (0.0314, 0),  # +4.67 %
    (0.0315, 3),  # +5 %: 1 step above
    (0.0330, 6),  # +10 %: 2 steps
    (0.0345, 9),  # +15 %
    (0.0360, 10),  # +20 %: +12 held at +10
])
def test_conversion_vs_industry_relative_steps(ours, expected):
    assert pts("conversion_vs_industry", conversion_vs_industry=Measure(ours, 0.03)) == expected


def test_conversion_is_relative_not_percentage_points():
    r = rule("conversion_vs_industry", conversion_vs_industry=Measure(0.0270, 0.03))
    # 2.70 % vs 3.00 % is 0.3 points but 10 % below in relative terms: 2 steps, -6
    assert r.evidence["relative"] == pytest.approx(-0.10) and r.evidence["steps"] == 2
    assert r.code == "steps.below"
    capped = rule("conversion_vs_industry", conversion_vs_industry=Measure(0.0240, 0.03))
    assert capped.code == "steps.capped" and capped.evidence["uncapped"] == -12.0  # 4 x -3


# --- paid ROI vs target: absolute 0.5 steps, +-2, within +-10 ----------------------------------


@pytest.mark.parametrize("roi, target, expected", [
    (3.0, 3.0, 0),  # on target
    (2.6, 3.0, 0),  # 0.4 below: no full 0.5
    (2.5, 3.0, -2),  # 0.5 below: 1 step
    (2.4, 3.0, -2),  # 0.6 below: still 1
    (2.0, 3.0, -4),  # 1.0 below: 2 steps
    (0.5, 3.0, -10),  # 2.5 below: 5 steps = -10, exactly the floor
    (0.0, 3.0, -10),  # 3.0 below: 6 steps = -12, held at -10
    (3.49, 3.0, 0),  # 0.49 above
    (3.5, 3.0, 2),  # 0.5 above
    (4.0, 3.0, 4),  # 1.0 above
    (5.5, 3.0, 10),  # 2.5 above: 5 steps = 10, the cap
    (6.0, 3.0, 10),  # 3.0 above: 12 held at 10
    (3.1, 2.5, 2),  # furniture target 2.5: 3.1 - 2.5 = 0.6000000000000001: 1 step
])
def test_roi_vs_target_absolute_steps(roi, target, expected):
    assert pts("roi_vs_target", roi_vs_target=Measure(roi, target, unit="ratio")) == expected


# --- new-customer sales share vs target: 5-point steps, +-2, within +-5 -------------------------


@pytest.mark.parametrize("share, expected", [
    (0.30, 0),  # on the monthly target of 30 %
    (0.26, 0),  # 4 points below
    (0.25, -2),  # 5 points below (0.25 - 0.30 = -0.04999999999999999 in floats: still 1 full step)
    (0.20, -4),  # 10 below: 2 steps
    (0.15, -5),  # 15 below: -6 held at -5
    (0.34, 0),  # 4 above
    (0.35, 2),  # 5 above
    (0.40, 4),  # 10 above
    (0.45, 5),  # 15 above: 6 held at 5
])
def test_new_customer_share_steps(share, expected):
    assert pts("new_customer_share_vs_target", new_customer_share_vs_target=Measure(share, 0.30)) == expected


def test_five_points_below_is_a_full_step_despite_floats():
    assert math.floor(abs(0.25 - 0.30) / 0.05) == 0  # the naive count loses the step
    r = rule("new_customer_share_vs_target", new_customer_share_vs_target=Measure(0.25, 0.30))
    assert r.evidence["steps"] == 1 and r.points == -2


# --- repurchase vs industry: 2-point steps, +-2, within +-5, only with repurchase ---------------


@pytest.mark.parametrize("rate, expected", [
    (0.200, 0),  # equal to the industry's 20 %
    (0.185, 0),  # 1.5 points below
    (0.180, -2),  # 2 below: 1 step
    (0.160, -4),  # 4 below
    (0.140, -5),  # 6 below: -6 held at -5
    (0.215, 0),  # 1.5 above
    (0.220, 2),  # 2 above
    (0.260, 5),  # 6 above: 6 held at 5
])
def test_repurchase_vs_industry_steps(rate, expected):
    assert pts("repurchase_vs_industry", repurchase_vs_industry=Measure(rate, 0.20)) == expected


def test_repurchase_not_applicable_for_a_category_without_repurchase():
    r = rule("repurchase_vs_industry", repurchase_vs_industry=Measure.not_applicable("category_without_repurchase"))
    assert (r.status, r.points, r.code, r.reason) == ("not_applicable", None, "not_applicable",
                                                      "category_without_repurchase")


# --- efficiency: per-count deductions from 20 --------------------------------------------------


@pytest.mark.parametrize("n, expected, code", [(0, 0, "per_count.none"), (1, -2, "per_count.counted"),
                                                (3, -6, "per_count.counted")])
def test_late_responses(n, expected, code):
    r = rule("late_responses", late_responses=Measure.count(n))
    assert (r.points, r.code) == (expected, code)  # -2 x n


@pytest.mark.parametrize("hours, expected", [
    ((), 0),  # no incident
    ((1.0,), 0),  # started within the hour
    ((1.99,), 0),  # 0.99 h late: no full hour
    ((2.0,), -3),  # 1 full hour late
    ((2.5,), -3),  # 1.5 h late: 1 full hour
    ((3.0,), -6),  # 2 full hours
    ((1.6, 1.6), 0),  # 0.6 h late twice: part hours of different incidents are not added up
    ((2.5, 3.0, 1.9), -9),  # 1 + 2 + 0 full hours: -3 x 3
])
def test_incident_delay_per_full_hour_beyond_the_first_per_incident(hours, expected):
    r = rule("incident_delay", incident_delay_hours=Measure(items=hours, unit="hours"))
    assert r.points == expected
    assert r.evidence["units"] == [math.floor(round(h - 1, 9)) if h > 1 else 0 for h in hours]


def test_incident_delay_without_the_events_is_not_scored():
    r = rule("incident_delay", incident_delay_hours=Measure(value=3.0, unit="hours"))
    assert (r.status, r.reason) == ("not_scored", "items_missing")


def test_a_violation_with_a_platform_penalty_costs_15():
    card = score(SEED, {"compliance_violations": Measure.count(1), "platform_penalties": Measure.count(1)})
    assert card.rule("compliance_violations").points == -5
    assert card.rule("platform_penalties").points == -10
    assert card.section("efficiency").points == 5  # 20 - 5 - 10


def test_efficiency_never_goes_below_zero():
    card = score(SEED, {"compliance_violations": Measure.count(4), "platform_penalties": Measure.count(2)})
    eff = card.section("efficiency")
    assert eff.raw == -20 and eff.points == 0 and eff.code == "section.floored"  # 20 - 20 - 20 = -20 -> 0


@pytest.mark.parametrize("spend, expected, code", [
    (95_000, 0, "steps.within_step"),  # 5 % under: within the allowance on either side
    (90_000, 0, "steps.no_effect"),  # 10 % under: 5 full steps beyond it, but under budget gives nothing
    (100_000, 0, "steps.within_step"),
    (105_000, 0, "steps.within_step"),  # 5 % over: allowed
    (105_900, 0, "steps.within_step"),  # 5.9 %: 0.9 % beyond 5 %, no full 1 %
    (106_000, -1, "steps.above"),  # 6 %: 1 full 1 % beyond 5 %
    (108_000, -3, "steps.above"),  # 8 %: 3 beyond
    (125_000, -20, "steps.above"),  # 25 %: 20 beyond
])
def test_budget_overrun_beyond_five_percent(spend, expected, code):
    r = rule("budget_overrun", budget_overrun=Measure(spend, 100_000))
    assert (r.points, r.code) == (expected, code)


@pytest.mark.parametrize("spend, expected", [
    (100_000, 0),  # nothing saved
    (96_000, 0),  # 4 % saved: no full 5 %
    (95_000, 2),  # 5 %: 1 step
    (94_000, 2),  # 6 %
    (90_000, 4),  # 10 %: 2 steps
    (85_000, 5),  # 15 %: 6 held at 5
    (50_000, 5),  # 50 %: 20 held at 5
])
def test_budget_saved_with_targets_met(spend, expected):
    assert pts("budget_saved", budget_saved=Measure(spend, 100_000), **MET) == expected


def test_budget_saved_needs_the_targets_met():
    missed = {**MET, "sales_completion": Measure(990_000, 1_000_000)}  # 99 %: target missed
    r = rule("budget_saved", budget_saved=Measure(90_000, 100_000), **missed)
    assert (r.status, r.points, r.code) == ("scored", 0.0, "condition_not_met")
    assert r.evidence["requires"]["sales_completion"]["met"] is False
    unknown = {**MET, "roi_vs_target": Measure.unknown("no_ads_data")}
    r = rule("budget_saved", budget_saved=Measure(90_000, 100_000), **unknown)
    assert (r.status, r.points, r.reason) == ("not_scored", None, "condition_unknown")
    # no saving: 0 points whatever the targets, so an unknown target does not matter
    r = rule("budget_saved", budget_saved=Measure(101_000, 100_000), **unknown)
    assert (r.status, r.points) == ("scored", 0.0)
    # a sub-category operator's ROI does not apply: the condition is the sales target alone
    # (10 % saved = 2 full steps of 5 % x 2 points = 4)
    inapplicable = {**MET, "roi_vs_target": Measure.not_applicable("category_level")}
    r = rule("budget_saved", budget_saved=Measure(90_000, 100_000), **inapplicable)
    assert (r.status, r.points) == ("scored", 4.0) and r.evidence["requires"]["roi_vs_target"] == {"applicable": False}


def test_the_saving_bonus_offsets_deductions_but_efficiency_stays_at_most_20():
    capped = score(SEED, {"budget_saved": Measure(90_000, 100_000), **MET}).section("efficiency")
    assert capped.raw == 24 and capped.points == 20 and capped.code == "section.capped"  # 20 + 4 -> 20
    offset = score(SEED, {"budget_saved": Measure(90_000, 100_000), "late_responses": Measure.count(2), **MET})
    assert offset.section("efficiency").points == 20  # 20 - 4 + 4


# --- teamwork & innovation ---------------------------------------------------------------------


@pytest.mark.parametrize("avg, expected, code", [
    (100, 10, "threshold.met"),
    (80, 10, "threshold.met"),  # at the threshold
    (79.9, 10, "threshold.below"),  # 0.1 short: no full 5
    (75, 8, "threshold.below"),  # 5 short: 10 - 2
    (70.1, 8, "threshold.below"),  # 9.9 short: 1 full 5
    (70, 6, "threshold.below"),  # 10 short: 10 - 4
    (60, 2, "threshold.below"),  # 20 short: 10 - 8
    (55, 0, "threshold.below"),  # 25 short: 10 - 10 = 0
    (50, 0, "threshold.floored"),  # 30 short: 10 - 12 = -2, floored at 0
])
def test_collaboration(avg, expected, code):
    r = rule("collaboration", collaboration_score=Measure(avg, unit="score"))
    assert (r.points, r.code) == (expected, code)


@pytest.mark.parametrize("key, n, expected", [
    ("sop_documents", 0, 0), ("sop_documents", 1, 3), ("sop_documents", 2, 5),  # 6 held at 5 points
    ("innovations", 1, 5), ("innovations", 2, 5),  # 10 held at 5
    ("cost_savings", 1, 3), ("cost_savings", 2, 5), ("cost_savings", 4, 5),  # 6, 12 held at 5
])
def test_documents_innovations_savings_capped_at_5_points(key, n, expected):
    r = rule(key, **{key: Measure.count(n)})
    assert r.points == expected
    assert r.code == ("per_count.capped" if n * r.evidence["per_unit"] > 5 else
                      "per_count.none" if n == 0 else "per_count.counted")


def test_teamwork_is_capped_at_its_budget():
    card = score(SEED, {"collaboration_score": Measure(90), "sop_documents": Measure.count(2),
                        "innovations": Measure.count(1), "cost_savings": Measure.count(2)})
    tw = card.section("teamwork")
    assert tw.rules_points == 25 and tw.points == 20 and tw.code == "section.capped"  # 10 + 5 + 5 + 5 -> 20


# --- performance and the total -----------------------------------------------------------------


def test_performance_never_goes_below_zero_and_may_exceed_its_budget():
    low = score(SEED, {"sales_completion": sales(700), "conversion_vs_industry": Measure(0.02, 0.03),
                       "roi_vs_target": Measure(0.0, 3.0), "new_customer_share_vs_target": Measure(0.10, 0.30),
                       "repurchase_vs_industry": Measure(0.10, 0.20)})
    # sales 70 %: 0; conversion -33 %: 6 steps, -18 held at -10; ROI 3.0 below: 6 steps, -12 held at -10;
    # new customers 20 points below: -8 held at -5; repurchase 10 points below: -10 held at -5
    perf = low.section("performance")
    assert perf.raw == -30 and perf.points == 0  # 0 - 10 - 10 - 5 - 5, floored at 0
    high = score(SEED, {"sales_completion": sales(1500), "conversion_vs_industry": Measure(0.04, 0.03),
                        "roi_vs_target": Measure(6.0, 3.0), "new_customer_share_vs_target": Measure(0.50, 0.30),
                        "repurchase_vs_industry": Measure(0.30, 0.20)})
    assert high.section("performance").points == 110  # 80 + 10 + 10 + 5 + 5: no section cap


def test_a_strong_month_totals_above_100():
    card = score(SEED, {
        "sales_completion": sales(1200),  # 70
        "conversion_vs_industry": Measure(0.0315, 0.03),  # +5 %: +3
        "roi_vs_target": Measure(2.5, 3.0),  # 0.5 below: -2
        "new_customer_share_vs_target": Measure(0.30, 0.30),  # 0
        "repurchase_vs_industry": Measure.not_applicable("category_without_repurchase"),
        "late_responses": Measure.count(1),  # -2
        "incident_delay_hours": Measure(items=()), "compliance_violations": Measure.count(0),
        "platform_penalties": Measure.count(0), "budget_overrun": Measure(100_000, 100_000),
        "budget_saved": Measure(100_000, 100_000),
        "collaboration_score": Measure(82),  # 10
        "sop_documents": Measure.count(1),  # 3
        "innovations": Measure.count(0), "cost_savings": Measure.count(0),
    })
    assert [s.points for s in card.sections] == [71, 18, 13]  # 70 + 3 - 2 + 0; 20 - 2; 10 + 3
    assert card.total == 102 and card.total_code == "total.within"  # not capped at 100
    assert card.complete and card.not_scored == ()
    assert card.not_applicable == (("repurchase_vs_industry", "category_without_repurchase"),)


# --- the second rubric: ad specialist ----------------------------------------------------------


@pytest.mark.parametrize("roi, expected", [
    (2.39, 0),  # r = 0.797 < 0.8
    (2.4, 40),  # r = 0.8: 50 x 0.8
    (2.7, 45),  # r = 0.9: 50 x 0.9
    (3.0, 50),  # at target
    (3.3, 55),  # r = 1.1 (3.3 / 3 = 1.0999999999999999 in floats): 1 full step, 50 + 5
    (3.6, 60),  # r = 1.2: 50 + 10 = 60, the cap
    (4.5, 60),  # r = 1.5: 75 held at 60
])
def test_ad_specialist_roi_attainment(roi, expected):
    assert pts("roi_attainment", ADS, roi_vs_target=Measure(roi, 3.0)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("spend, expected", [
    (90_000, 10),  # under budget
    (103_000, 10),  # 3 % over: at the threshold
    (103_900, 10),  # 3.9 %: 0.9 beyond, no full 1 %
    (104_000, 8),  # 4 %: 10 - 2
    (107_000, 2),  # 7 %: 10 - 8
    (108_000, 0),  # 8 %: 10 - 10
    (120_000, 0),  # 20 %: 10 - 34, floored at 0
])
def test_ad_specialist_budget_control(spend, expected):
    assert pts("budget_control", ADS, budget_overrun=Measure(spend, 100_000)) == expected


def test_ad_specialist_at_target_scores_the_performance_budget():
    card = score(ADS, {"roi_vs_target": Measure(3.0, 3.0), "budget_overrun": Measure(100_000, 100_000),
                       "conversion_vs_industry": Measure(0.03, 0.03), "new_customer_share_vs_target": Measure(0.3, 0.3)})
    assert card.section("performance").points == 60  # 50 + 10 + 0 + 0
    assert "sales_completion" not in ADS.inputs  # no sales completion tiers for this role


def test_a_completion_of_120_percent_to_the_cent_keeps_its_step():
    # a target written to the cent: 12,930,994.00 / 10,775,828.34 = 1.1999999996..., which would
    # floor (1.1999999996 - 1) / 0.1 = 1.999999996 to 1 step (65 points); read to six decimals it
    # is 1.2: 60 + 5 x 2 = 70
    assert 12_930_994.00 / 10_775_828.34 < 1.2
    assert pts("sales_completion", sales_completion=Measure(12_930_994.00, 10_775_828.34)) == 70
