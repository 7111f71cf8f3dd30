"""The appraisal finds every case planted in the demo team (opsreport.warehouse.demo.STAFF_PLANTED):
the seed's worked examples (90% -> 54, 120% -> 70), a violation with a platform penalty (-15), an 8%
budget overrun (-3), a promotion candidate, an improvement plan, and a handover split by days."""

from __future__ import annotations

import pytest

from opsreport.families.appraisal.analysis import run
from opsreport.warehouse.demo.staff_planted import STAFF_PLANTED as PLANTED


@pytest.fixture(scope="module")
def october(demo_warehouse):
    return run({"team": "ops-east", "period": "2026-10", "warehouse": str(demo_warehouse)})


@pytest.fixture(scope="module")
def q3(demo_warehouse):
    return run({"team": "ops-east", "period": "2026-Q3", "warehouse": str(demo_warehouse)})


def _rule(review, staff_id, key):
    return review.scorecards[staff_id].rule(key)


@pytest.mark.parametrize("case", [PLANTED.ninety, PLANTED.one_twenty])
def test_the_seeds_worked_examples(october, case):
    r = _rule(october, case.staff_id, "sales_completion")
    # 90%: 60 x 0.9 = 54; 120%: 60 + 5 x floor((1.2 - 1) / 0.1) = 60 + 5 x 2 = 70
    assert r.evidence["ratio"] == pytest.approx(case.completion, abs=1e-6)
    assert r.points == case.points


def test_a_violation_with_a_platform_penalty_costs_15(october):
    case = PLANTED.violation
    card = october.scorecards[case.staff_id]
    # -5 for the violation and -10 more for the penalty it caused
    assert card.rule("compliance_violations").points == -5 and card.rule("platform_penalties").points == -10
    assert card.rule("compliance_violations").points + card.rule("platform_penalties").points == case.points


def test_an_8_percent_budget_overrun_costs_3(october):
    case = PLANTED.overrun
    r = _rule(october, case.staff_id, "budget_overrun")
    # spend = 1.08 x budget: 8% - the 5% allowed = 3 full 1% steps x -1 = -3
    assert r.evidence["relative"] == pytest.approx(case.overrun, abs=1e-6) and r.points == case.points


def test_the_top_performer_is_the_quarters_promotion_candidate(q3):
    case = PLANTED.top
    c = q3.candidates.set_index("staff_id")
    assert q3.totals.set_index("staff_id").loc[case.staff_id, "total"] >= max(85, case.min_total)
    assert bool(c.loc[case.staff_id, "candidate"]) and c.loc[case.staff_id, "rank"] == 1
    scored = int(q3.totals.complete.sum())
    assert c.loc[case.staff_id, "slots"] == -(-scored * 2 // 10)  # ceil(0.2 x people fully scored)


def test_two_quarters_below_60_call_for_an_improvement_plan(q3):
    q2, q3_case = PLANTED.poor
    plans = q3.plans.set_index("staff_id")
    assert plans.loc[q3_case.staff_id, "status"] == "plan"
    assert tuple(plans.loc[q3_case.staff_id, "quarters"]) == (q2.period, q3_case.period)
    for case, total in zip((q2, q3_case), plans.loc[q3_case.staff_id, "totals"]):
        assert case.min_total <= total < 60


def test_the_handover_splits_the_shop_by_days(q3):
    h = PLANTED.handover
    slices = {}
    for sid in (h.from_staff, h.to_staff):
        row = q3.inputs[(q3.inputs.staff_id == sid) & (q3.inputs.input == "sales_completion")].iloc[0]
        slices[sid] = [s for s in row.evidence["slices"] if s["shop_id"] == h.shop_id]
    [before], [after] = slices[h.from_staff], slices[h.to_staff]
    # Q3 = 92 days: 07-01..08-15 is 46 days for the one, 08-16..09-30 the other 46
    assert (before["first"], before["last"], after["first"], after["last"]) == ("2026-07-01", str(h.last_day), str(h.first_day), "2026-09-30")
    assert before["days"] + after["days"] == 92
