"""The appraisal's planted cases: what is planted in the team's tables (``STAFF_PLANTED``,
`staff_planted_events`, one `StaffPlanted` for the team). staff.py plants them (its
``EXACT_COMPLETION`` ... constants are the magnitudes) when the warehouse is built with
``plant_events=True``; periods are relative to the end date (for the default 2026-11-22: the
month 2026-10, the quarters 2026-Q2 and 2026-Q3):

* exact completions: E008's credited sales in 2026-10 (0388, whole shop) are exactly 90% of its
  ``staff_targets`` sales_amount (54 points by the seed's sales rule: 60 x 0.9), E005's (0142,
  share 0.5) exactly 120% (70 points: 60 + 5 per full 10% above 100%); the target is written to
  the cent and credited / target is within 1e-9 of the planted value at the default scale (the
  cent's rounding is below 1e-9 of targets above ~5 million yuan);
* a compliance violation with a platform penalty: E006 (0142) on 2026-10-14 (-5 and -10 more);
* a person below 60 in two consecutive quarters: E004 (0071 身体护理) in 2026-Q2 and 2026-Q3:
  monthly completions 70-78% (0 sales points), a personal ROI target 1.05-1.15 above the shop's
  ROI of the quarter, two violations and two late responses in Q2, three violations in Q3, ratings
  averaging 68 and 66.7, no documents, innovations or cost savings, budgets spent at 97-104%
  (`QuarterCase` states every rule's points, or the range any reading of a data rule gives);
* a top performer: E002 (0071 面部护理) in 2026-Q3: monthly completions 131-137% (75 points),
  no late response, incident or violation, ratings 90 / 88 / 93, two SOP documents, an innovation
  and a cost saving: at least 88 points however the data rules are read; the other shop operators
  stay within their completion ranges (at most 112%: 65 points), make no innovation or cost saving
  and write at most one document that quarter, so E002 leads the team (the top 20%);
* an 8% budget overrun: E003's 2026-10 spend is 1.08 x its budget (a whole hundred yuan): -3;
* the handover: E007 runs 0388 until 2026-08-15 (and leaves the team that day), E008 (joined
  2026-08-01) from 2026-08-16; it is part of the team (staff.yaml) with or without plants.

Points follow the seed's rubric as DOMAIN.md pins it; "full" steps are counted on the exact
values (1.2 -> 2 full 10% steps, although (1.2 - 1) / 0.1 is 1.9999999999999996 in floats).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import staff as st
from .calendar import DEMO_END_DATE


@dataclass(frozen=True)
class ExactCompletion:
    """``staff_id``'s credited sales in ``period`` / its staff_targets sales_amount = ``completion``
    (within 1e-9): ``points`` by the seed's sales rule."""

    staff_id: str
    period: str
    completion: float
    points: float


@dataclass(frozen=True)
class PenaltyViolation:
    """A compliance_violation event of ``staff_id`` on ``occurred_on`` that cost a platform penalty:
    ``points`` (-5 for the violation, -10 more for the penalty)."""

    staff_id: str
    occurred_on: dt.date
    platform_penalty: bool
    points: float


@dataclass(frozen=True)
class RulePoints:
    """One rule's points: ``points`` where the team's tables decide them (None where they depend on
    how a data rule is read), within [``low``, ``high``] for any reading."""

    rule: str
    points: float | None
    low: float
    high: float


@dataclass(frozen=True)
class QuarterCase:
    """``staff_id``'s inputs in quarter ``period``: completion within ``completion``; ``rules`` the
    points of each rule of the seed's rubric (keys: sales_completion, conversion, paid_roi,
    new_customer_share, repurchase, efficiency_start, late_response, incident_delay, compliance,
    budget, collaboration, documents, innovation, cost_saving)."""

    staff_id: str
    period: str
    completion: tuple[float, float]
    rules: tuple[RulePoints, ...]

    def rule(self, key: str) -> RulePoints:
        return next(r for r in self.rules if r.rule == key)

    @property
    def min_total(self) -> float:
        return sum(r.low for r in self.rules)

    @property
    def max_total(self) -> float:
        return sum(r.high for r in self.rules)


@dataclass(frozen=True)
class BudgetOverrun:
    """``staff_id``'s appraisal_budgets spend in ``period`` is (1 + ``overrun``) x its budget:
    ``points`` (-1 per full 1% beyond 5%)."""

    staff_id: str
    period: str
    overrun: float
    points: float


@dataclass(frozen=True)
class Handover:
    """``shop_id`` is run by ``from_staff`` until ``last_day`` and by ``to_staff`` from ``first_day``
    (the next day), in quarter ``period``: no gap, no overlap."""

    shop_id: str
    from_staff: str
    to_staff: str
    last_day: dt.date
    first_day: dt.date
    period: str


@dataclass(frozen=True)
class StaffPlanted:
    team: str
    ninety: ExactCompletion
    one_twenty: ExactCompletion
    violation: PenaltyViolation
    poor: tuple[QuarterCase, QuarterCase]
    top: QuarterCase
    overrun: BudgetOverrun
    handover: Handover


def _rules(**known: float | tuple[float, float]) -> tuple[RulePoints, ...]:
    """RulePoints from rule=points (decided by the tables) or rule=(low, high) (a data rule)."""
    out = []
    for key, value in known.items():
        if isinstance(value, tuple):
            out.append(RulePoints(key, None, *value))
        else:
            out.append(RulePoints(key, value, value, value))
    return tuple(out)


# the data rules' ranges in the seed's rubric (conversion and ROI within +-10, the others +-5)
_DATA = dict(conversion=(-10.0, 10.0), new_customer_share=(-5.0, 5.0), repurchase=(-5.0, 5.0))


def staff_planted_events(end_date: dt.date = DEMO_END_DATE) -> StaffPlanted:
    """What ``build_demo_warehouse(..., end_date=end_date, plant_events=True)`` plants in the team's
    tables."""
    s = st.schedule(end_date)
    (ninety_id, ninety), (one_twenty_id, one_twenty) = sorted(st.EXACT_COMPLETION.items(), key=lambda kv: kv[1])
    who, offset = st.PENALTY_VIOLATION
    poor = []
    for q, events, ratings in zip(s.poor_quarters, st.POOR_EVENTS, st.POOR_RATINGS):
        late = sum(kind == "late_response" for kind, _, _ in events)
        violations = sum(kind == "compliance_violation" for kind, _, _ in events)
        mean = sum(ratings) / len(ratings)
        poor.append(QuarterCase(st.POOR, q.label, st.POOR_COMPLETION, _rules(
            sales_completion=0.0, **_DATA,
            # ROI below a target 1.05-1.15 above the shop's ROI: 2 full 0.5 steps (ROI of the shop's ads)
            paid_roi=(-10.0, 0.0),
            efficiency_start=20.0, late_response=-2.0 * late, incident_delay=0.0, compliance=-5.0 * violations,
            budget=0.0, collaboration=10.0 - 2 * ((80 - mean) // 5), documents=0.0, innovation=0.0,
            cost_saving=0.0)))
    docs = sum(kind == "sop_document" for kind, _ in st.TOP_EVENTS)
    top = QuarterCase(st.TOP, s.top_quarter.label, st.TOP_COMPLETION, _rules(
        sales_completion=75.0, **_DATA, paid_roi=(-10.0, 10.0),
        efficiency_start=20.0, late_response=0.0, incident_delay=0.0, compliance=0.0,
        budget=(0.0, 5.0),  # spent at 90-105% of budget: never an overrun beyond 5%, maybe a saving
        collaboration=10.0, documents=min(3.0 * docs, 5.0),
        innovation=5.0 * sum(kind == "innovation" for kind, _ in st.TOP_EVENTS),
        cost_saving=3.0 * sum(kind == "cost_saving" for kind, _ in st.TOP_EVENTS)))
    mid = s.handover
    (out_id, shop), = [(p.id, r.shop) for p in st.TEAM.people for r in p.runs if r.until_handover]
    in_id, = [p.id for p in st.TEAM.people for r in p.runs if r.after_handover and r.shop == shop]
    return StaffPlanted(
        team=st.TEAM.team,
        ninety=ExactCompletion(ninety_id, s.month.label, ninety, 54.0),  # the seed's worked examples
        one_twenty=ExactCompletion(one_twenty_id, s.month.label, one_twenty, 70.0),
        violation=PenaltyViolation(who, s.month.first + dt.timedelta(days=offset), True, -15.0),
        poor=(poor[0], poor[1]),
        top=top,
        overrun=BudgetOverrun(st.OVERRUN[0], s.month.label, round(st.OVERRUN[1] - 1, 10), -3.0),
        handover=Handover(shop, out_id, in_id, mid, mid + dt.timedelta(days=1), s.top_quarter.label),
    )


STAFF_PLANTED: StaffPlanted = staff_planted_events(DEMO_END_DATE)
