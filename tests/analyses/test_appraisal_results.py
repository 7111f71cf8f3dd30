"""Use of appraisal results: bonus share, promotion candidates, improvement plans and the team's
distribution, on hand-made scores; the arithmetic is written beside each assertion."""

import math

import pandas as pd
import pytest

from opsreport.analyses import appraisal_results as ar
from opsreport.analyses.rubric import get_rubric
from opsreport.errors import ParamsError


def team(totals, complete=None, period=None):
    """People p1, p2, ... with these totals (None: not scored)."""
    df = pd.DataFrame({"staff_id": [f"p{i + 1}" for i in range(len(totals))],
                       "total": [float("nan") if t is None else t for t in totals]})
    if complete is not None:
        df["complete"] = complete
    if period is not None:
        df["period"] = period
    return df


# --- bonus -------------------------------------------------------------------------------------


@pytest.mark.parametrize("total, share, code", [
    (120.0, 1.0, "full"),  # above 100 still the full bonus
    (80.0, 1.0, "full"),  # at 80: full
    (79.9, 0.799, "partial"),  # 79.9 / 100
    (70.0, 0.70, "partial"),  # the seed's example: 70 points -> 70 %
    (60.0, 0.60, "partial"),  # at 60: 60 %
    (59.99, 0.0, "none"),  # below 60: no bonus
    (0.0, 0.0, "none"),
])
def test_bonus_share(total, share, code):
    assert ar.bonus_share(total) == pytest.approx(share, abs=1e-12)
    assert ar.bonus_code(total) == code


def test_a_total_a_hair_below_80_from_float_sums_is_80():
    assert 0.1 * 3 * 800 / 3 != 80  # 79.99999999999999 in floats
    assert ar.bonus_share(0.1 * 3 * 800 / 3) == 1.0  # rounded to 1e-9 first: 80 -> full bonus


def test_a_person_not_scored_has_no_bonus_share():
    with pytest.raises(ParamsError, match="not a score"):
        ar.bonus_share(float("nan"))
    out = ar.bonuses(team([85, 70, None, 50], complete=[True, False, True, True]))
    assert list(out.columns) == ["staff_id", "total", "complete", "bonus_share", "bonus_code"]
    assert out["bonus_share"].tolist()[:2] == [1.0, 0.70] and math.isnan(out.loc[2, "bonus_share"])
    assert out["bonus_code"].tolist() == ["full", "partial", "not_scored", "none"]
    assert out["complete"].tolist() == [True, False, True, True]  # p2's 70 % is provisional


# --- promotion candidates ----------------------------------------------------------------------


@pytest.mark.parametrize("size, slots", [(0, 0), (1, 1), (3, 1), (5, 1), (6, 2), (10, 2), (11, 3), (15, 3), (16, 4)])
def test_top_20_percent_slots(size, slots):
    # ceil(0.2 x n): 0.2 -> 1, 0.6 -> 1, 1.0 -> 1, 1.2 -> 2, 2.0 -> 2, 2.2 -> 3, 3.0 -> 3, 3.2 -> 4
    assert ar.promotion_slots(size) == slots


def test_the_share_times_the_team_is_rounded_before_the_ceiling():
    assert math.ceil(0.07 * 100) == 8  # 0.07 x 100 = 7.000000000000001 in floats
    assert ar.promotion_slots(100, 0.07) == 7  # a top-7 % policy on 100 people: 7 slots


def test_a_team_of_10_has_2_slots_and_ties_at_the_boundary_are_all_in():
    scores = team([95, 90, 90, 88, 86, 80, 75, 70, 65, 60])
    out = ar.promotion_candidates(scores).set_index("staff_id")
    assert out["slots"].iloc[0] == 2 and out["team_size"].iloc[0] == 10  # ceil(0.2 x 10) = 2
    assert out.loc[["p1", "p2", "p3", "p4"], "rank"].tolist() == [1, 2, 2, 4]  # competition ranks
    assert out[out["candidate"]].index.tolist() == ["p1", "p2", "p3"]  # p2 and p3 tie at rank 2 <= 2: both in
    assert out.loc["p4", "reason"] == "outside_top_share"  # 88 >= 85 but rank 4 > 2
    assert out.loc["p6", "reason"] == "below_min_score"  # 80 < 85 (and outside the top)


def test_a_team_of_3_has_one_slot():
    out = ar.promotion_candidates(team([90, 88, 70])).set_index("staff_id")
    assert out["candidate"].tolist() == [True, False, False]  # ceil(0.6) = 1: only rank 1


def test_the_top_of_the_team_below_85_is_not_a_candidate():
    out = ar.promotion_candidates(team([84.99, 80, 70])).set_index("staff_id")
    assert out.loc["p1", "rank"] == 1 and not out.loc["p1", "candidate"]  # rank 1 but 84.99 < 85
    assert out.loc["p1", "reason"] == "below_min_score"


@pytest.mark.parametrize("total, candidate", [(85.0, True), (84.9, False), (100.0, True)])
def test_a_team_of_one(total, candidate):
    out = ar.promotion_candidates(team([total]))
    assert out.loc[0, "slots"] == 1 and bool(out.loc[0, "candidate"]) is candidate  # ceil(0.2) = 1: only the score decides


def test_people_not_scored_are_not_counted_in_the_team_size():
    # 6 people, but p5 joined mid-quarter (no total) and p6's scorecard is incomplete: team of 4, ceil(0.8) = 1 slot
    scores = team([95, 90, 88, 70, None, 99], complete=[True, True, True, True, True, False])
    out = ar.promotion_candidates(scores).set_index("staff_id")
    assert out["team_size"].iloc[0] == 4 and out["slots"].iloc[0] == 1
    assert out[out["candidate"]].index.tolist() == ["p1"]  # with 6 counted there would be 2 slots: p2 too
    assert out.loc["p5", "reason"] == "not_scored" and pd.isna(out.loc["p5", "rank"])
    assert out.loc["p6", "reason"] == "provisional" and not out.loc["p6", "candidate"]
    assert ar.promotion_candidates(scores)["staff_id"].tolist()[-2:] == ["p5", "p6"]  # unranked last, in input order


def test_promotion_is_decided_on_a_quarter_or_a_year():
    ar.promotion_candidates(team([90], period="2026-Q3"))
    ar.promotion_candidates(team([90], period="2026"))
    with pytest.raises(ParamsError, match="period '2026-10' is not a quarter"):
        ar.promotion_candidates(team([90], period="2026-10"))
    with pytest.raises(ParamsError, match="one period only"):
        ar.promotion_candidates(team([90, 80], period=["2026-Q2", "2026-Q3"]))


def test_one_total_per_person():
    scores = pd.DataFrame({"staff_id": ["p1", "p1"], "total": [90.0, 80.0]})
    with pytest.raises(ParamsError, match="p1 appears 2 times"):
        ar.promotion_candidates(scores)


# --- improvement plans -------------------------------------------------------------------------


def quarters(rows):
    """rows: (staff_id, period, total[, complete])."""
    out = pd.DataFrame([r[:3] for r in rows], columns=["staff_id", "period", "total"])
    out["complete"] = [r[3] if len(r) > 3 else True for r in rows]
    return out


def test_two_consecutive_quarters_below_60_give_a_plan_with_the_quarters():
    scores = quarters([
        ("p1", "2025-Q4", 55.0), ("p1", "2026-Q1", 59.9),  # both below 60 across the new year: plan
        ("p2", "2025-Q4", 55.0), ("p2", "2026-Q1", 60.0),  # 60 is not below 60
        ("p3", "2025-Q3", 50.0), ("p3", "2026-Q1", 50.0),  # 2025-Q3 is not the quarter before 2026-Q1
        ("p4", "2025-Q4", 61.0), ("p4", "2026-Q1", 40.0),  # only one quarter below
    ])
    out = ar.improvement_plans(scores)  # judged at the latest quarter, 2026-Q1
    assert list(out.columns) == ["staff_id", "status", "quarters", "totals"]
    plan = out.set_index("staff_id")
    assert plan.loc["p1", "status"] == "plan" and plan.loc["p1", "quarters"] == ("2025-Q4", "2026-Q1")
    assert plan.loc["p1", "totals"] == (55.0, 59.9)
    assert plan.loc["p3", "status"] == "undetermined"  # 2025-Q4 unknown: never silently cleared
    assert "p2" not in plan.index and "p4" not in plan.index


def test_a_provisional_quarter_does_not_count_as_final():
    scores = quarters([("p1", "2026-Q2", 50.0, False), ("p1", "2026-Q3", 50.0)])
    out = ar.improvement_plans(scores)
    assert out.loc[0, "status"] == "undetermined" and math.isnan(out.loc[0, "totals"][0])


def test_the_quarter_judged_can_be_given():
    scores = quarters([("p1", "2026-Q1", 50.0), ("p1", "2026-Q2", 50.0), ("p1", "2026-Q3", 75.0)])
    assert ar.improvement_plans(scores).empty  # at 2026-Q3 (75) no plan
    assert ar.improvement_plans(scores, quarter="2026-Q2").loc[0, "quarters"] == ("2026-Q1", "2026-Q2")


def test_improvement_plans_refuse_months():
    with pytest.raises(ParamsError, match="2026-10 are not quarters"):
        ar.improvement_plans(quarters([("p1", "2026-10", 50.0)]))


def test_quarter_arithmetic_crosses_years():
    assert ar.quarter_index("2026-Q1") - ar.quarter_index("2025-Q4") == 1
    assert ar.quarter_label(ar.quarter_index("2025-Q4") + 1) == "2026-Q1"


# --- distribution ------------------------------------------------------------------------------


def test_distribution_counts_per_band_without_names():
    d = ar.distribution(team([95, 85, 84.99, 80, 79.9, 60, 59.9, 30, None, None]))
    bands = d.bands.set_index("band")
    # < 60: 59.9, 30; 60..<80: 79.9, 60; 80..<85: 84.99, 80; >= 85: 95, 85; not scored: 2
    assert bands["count"].to_dict() == {"no_bonus": 2, "partial_bonus": 2, "full_bonus": 2, "promotion_range": 2,
                                        "not_scored": 2}
    assert bands["share"].tolist() == [0.2] * 5  # each 2 of 10
    assert "staff_id" not in d.bands.columns
    assert (d.people, d.scored, d.not_scored) == (10, 8, 2)
    assert d.mean == pytest.approx((95 + 85 + 84.99 + 80 + 79.9 + 60 + 59.9 + 30) / 8)  # 574.79 / 8
    assert d.median == pytest.approx((80 + 79.9) / 2)  # the middle two of eight


def test_an_empty_team_has_no_shares():
    d = ar.distribution(team([]))
    assert d.people == 0 and d.bands["count"].sum() == 0 and math.isnan(d.mean)


# --- policy from a rubric ----------------------------------------------------------------------


def test_the_policy_comes_from_the_rubric():
    assert ar.ResultPolicy.from_rubric(get_rubric("shop_operator")) == ar.SEED
    strict = ar.ResultPolicy(promotion_min=90, promotion_top_share=0.1)
    out = ar.promotion_candidates(team([95, 92, 91, 80, 80, 80, 80, 80, 80, 80]), strict)
    assert out["candidate"].sum() == 1  # ceil(0.1 x 10) = 1 slot
    with pytest.raises(ParamsError, match="promotion_top_share"):
        ar.ResultPolicy(promotion_top_share=0)
