"""The appraisal's demo tables: ``staff``, ``staff_assignments``, ``staff_targets``,
``industry_benchmarks``, ``appraisal_events``, ``appraisal_ratings`` and ``appraisal_budgets`` for
the operations team of ``staff.yaml`` (``ops-east``: a director, seven shop operators, two ad
specialists) that runs the three demo shops. ``appraisal_snapshots`` and ``appraisal_rescores`` stay
empty: the appraisal writes them when it closes a period.

These tables describe a team, not a shop, so they are built once after the shops (a
``build.TeamBuilder``): `collect` keeps what they read of each simulated shop (sums per day, never
the orders), `tables` writes the team's rows from what was kept of all three.

How the data come about (the history runs from the first day of the quarter three before the last
complete quarter, 2025-10-01 for the default end date, to the end; a period is written only when
it starts inside the data window):

* Credited sales of a person on a day = share x the GMV of the assigned shop that day (the paid
  amount of the orders paid that day) or, for a sub-category, the order items' paid amount of its
  SKUs; summed over the person's assignments on the days they cover. Days after the end (the rest
  of the current quarter) are projected: the credit of the last 28 days per unit of the shop's
  expected demand (``Demand.w_det`` x price factor) times the expected demand of those days.
* ``staff_targets`` sales_amount (people with ``own_targets``): each month's target is the month's
  credited (or projected) sales divided by a completion drawn from the person's ``completion``
  range, rounded to 100 yuan; a quarter's target is the sum of its months'. Ad specialists and the
  0142 co-owner without own targets are measured against their shops' ``targets``.
  ``roi`` / ``new_customer_sales_share`` targets where staff.yaml gives them.
* ``industry_benchmarks`` per shop category and period (months and quarters, to date):
  conversion_rate = the shop's own (summed paid buyers / summed visitors) x U(0.90, 1.10), so that
  the conversion points vary around zero; repurchase_rate (categories in ``repurchase`` only) = the
  shop's buyers with two or more paid orders in the period / buyers, +- up to 3 points;
  market_growth = the year-on-year change of the expected demand x sqrt(the shop's growth), +-3%.
* ``appraisal_budgets`` per person and month: spend = the credited ad spend (``ads_daily`` spend x
  share, x the sub-category's share of the shop's GMV that day for a sub-category), budget = the
  month's (projected) spend / U(0.90, 1.05), rounded to 100 yuan.
* ``appraisal_ratings`` per person and complete quarter (in the team at its end): one score per
  partner team around a personal mean U(76, 86), sd 5, whole numbers within 60-95.
* ``appraisal_events``: late responses (24.5-60 h) in the promotion-preparation windows (Poisson
  0.5 per person and window), incident delays (1.5-4 h, 0.25 per quarter), compliance violations
  (0.12 per quarter, a quarter of them penalised), SOP documents (0.35), innovations (0.10) and cost
  savings (0.12), with a note of their kind; ``event_id`` numbers a person's events by date (001..).

Planted (``plant_events``; described in ``staff_planted.py``, ``STAFF_PLANTED``): sales completion
exactly 90% (E008) and 120% (E005) in the month before the end's month; a compliance violation with
a platform penalty (E006) in that month; a person (E004) far below 60 points in the two quarters
before the last complete one ... and in it (completion 70-78%, a personal ROI target 1.05-1.15
above the shop's ROI, violations and late responses, collaboration 64-70, no documents); a top
performer (E002) in the last complete quarter (completion 131-137%, collaboration ~90, two
documents, an innovation, a cost saving); an 8% budget overrun (E003) in the month before the end's
month. The 0388 handover (E007's last day the 15th of the last complete quarter's middle month, E008
from the 16th) is part of the team (staff.yaml) with or without plants. Without plants, the same
team and assignments with every number drawn as for the others. Every draw comes from the team's
own streams, ``sampling.stream(seed, TEAM_STREAM, "staff-<part>")``: no other table changes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ... import schemas
from .calendar import FUTURE_DAYS, Calendar
from .sampling import stream
from .shops import load_checked
from .write import Columns

if TYPE_CHECKING:
    from .build import SimulatedShop

TEAM_FILE = Path(__file__).with_name("staff.yaml")
TEAM_STREAM = 1_000  # the team's random streams (sampling.stream's shop number): no shop uses it
ROLES = ("shop_operator", "ad_specialist", "director")
APPRAISED = ("shop_operator", "ad_specialist")  # the demo does not appraise the director
HANDOVER = "handover"
PROJECTION_DAYS = 28  # days before the end whose credit per unit of expected demand projects the rest

# --- planted magnitudes and dates (staff_planted.py describes them) --------------------------------
EXACT_COMPLETION = {"E008": 0.90, "E005": 1.20}  # in the planted month (the month before the end's)
PENALTY_VIOLATION = ("E006", 13)  # person, day offset in the planted month (2026-10-14)
OVERRUN = ("E003", 1.08)  # person, spend / budget in the planted month
POOR = "E004"
POOR_COMPLETION = (0.70, 0.78)  # monthly completions in both poor quarters
POOR_BUDGET = (0.97, 1.04)  # spend / budget: no overrun beyond 5%, no 5% saving
POOR_ROI_GAP = 1.05  # the personal ROI target is at least this much above the shop's ROI (ceil to 0.1)
# kind, day offset in the quarter, hours (late responses), per poor quarter (previous, last complete)
POOR_EVENTS = (
    (("compliance_violation", 16, None), ("compliance_violation", 50, None),
     ("late_response", 55, 30.5), ("late_response", 69, 41.0)),
    (("compliance_violation", 7, None), ("compliance_violation", 42, None), ("compliance_violation", 64, None)),
)
POOR_RATINGS = ((66, 70, 68), (64, 70, 66))  # by rater team, per poor quarter
TOP = "E002"
TOP_COMPLETION = (1.31, 1.37)  # monthly completions in the last complete quarter
TOP_EVENTS = (("sop_document", 19), ("innovation", 35), ("sop_document", 71), ("cost_saving", 79))
TOP_RATINGS = (90, 88, 93)
# in the top quarter the other shop operators keep completions within their ranges (<= 1.12), make
# no innovation or cost saving and write at most one document: the top performer leads clearly

BUDGET_RATIO = (0.90, 1.05)
RATING_MEAN, RATING_SD, RATING_RANGE = (76.0, 86.0), 5.0, (60, 95)
CONVERSION_SPREAD = (0.90, 1.10)
REPURCHASE_SPREAD = 0.03
GROWTH_SPREAD = (0.97, 1.03)
EVENT_RATES = {  # Poisson mean per person and quarter (late responses: per preparation window)
    "late_response": 0.5, "incident_delay": 0.25, "compliance_violation": 0.12,
    "sop_document": 0.35, "innovation": 0.10, "cost_saving": 0.12,
}
PENALTY_SHARE = 0.25
LATE_HOURS = (24.5, 60.0)
DELAY_HOURS = (1.5, 2.0, 2.5, 3.0, 4.0)


# --- the team file --------------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Run(_Data):
    """An assignment as staff.yaml writes it: from ``since`` (or the handover), until the handover
    or ongoing."""

    shop: str = Field(pattern=r"^\d{4}$")
    category: str | None = None
    share: float = Field(gt=0, le=1)
    since: dt.date | None = None
    after_handover: bool = Field(False, alias="from")
    until_handover: bool = Field(False, alias="until")

    @model_validator(mode="before")
    @classmethod
    def _handover_words(cls, value):
        if isinstance(value, dict):
            value = dict(value)
            for key in ("from", "until"):
                if key in value:
                    if value[key] != HANDOVER:
                        raise ValueError(f"{key} can only be '{HANDOVER}' (got {value[key]!r})")
                    value[key] = True
        return value

    @model_validator(mode="after")
    def _check(self):
        if (self.since is None) == (not self.after_handover):
            raise ValueError("an assignment needs either since (a date) or from: handover")
        return self


class Person(_Data):
    id: str = Field(pattern=r"^E\d{3}$")
    name: str = Field(min_length=1)
    role: Literal["shop_operator", "ad_specialist", "director"]
    manager: str | None = None
    joined_on: dt.date | Literal["handover"]
    left_on: dt.date | Literal["handover"] | None = None
    own_targets: bool = False
    completion: tuple[float, float] | None = None
    roi_target: float | None = Field(None, gt=0)
    new_customer_share: tuple[float, float] | None = None
    runs: tuple[Run, ...] = ()

    @model_validator(mode="after")
    def _check(self):
        if self.role == "director" and (self.runs or self.own_targets):
            raise ValueError("the director is not appraised: no runs, no own_targets")
        if self.role != "director" and not self.runs:
            raise ValueError(f"a {self.role} needs runs (the shops they run)")
        if self.own_targets and self.completion is None:
            raise ValueError("own_targets needs completion: [low, high]")
        if self.completion is not None and not 0 < self.completion[0] <= self.completion[1]:
            raise ValueError(f"completion is a range [low, high] with 0 < low <= high (got {list(self.completion)})")
        return self


class TeamFile(_Data):
    team: str = Field(min_length=1)
    rater_teams: tuple[str, ...] = Field(min_length=1)
    repurchase: tuple[str, ...]
    prep_windows: tuple[tuple[int, int, int, int], ...]
    notes: dict[str, tuple[str, ...]]
    people: tuple[Person, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        ids = [p.id for p in self.people]
        if len(set(ids)) != len(ids):
            raise ValueError(f"person ids repeat: {ids}")
        for p in self.people:
            if p.manager is not None and p.manager not in ids:
                raise ValueError(f"{p.id}: manager {p.manager!r} is not a person of the team")
        if set(self.notes) != set(schemas.APPRAISAL_EVENT_KINDS) or not all(self.notes.values()):
            raise ValueError(f"notes needs at least one note for each of {', '.join(schemas.APPRAISAL_EVENT_KINDS)}")
        _check_shares(self.people)
        return self

    def person(self, staff_id: str) -> Person:
        return next(p for p in self.people if p.id == staff_id)


def _check_shares(people: Sequence[Person]) -> None:
    """Shares add up to 1 per role, shop (or sub-category), before and after the handover; a role
    runs a shop either whole or by sub-category."""
    totals: dict[tuple, list[float]] = {}
    for p in people:
        for r in p.runs:
            t = totals.setdefault((p.role, r.shop, r.category), [0.0, 0.0])
            if not r.after_handover:
                t[0] += r.share
            if not r.until_handover:
                t[1] += r.share
    for (role, shop, category), (before, after) in totals.items():
        if abs(before - 1) > 1e-9 or abs(after - 1) > 1e-9:
            raise ValueError(f"the {role} shares of shop {shop}{'' if category is None else ' ' + category} add up to "
                             f"{before:g} before the handover and {after:g} after it; they must add up to 1")
        if category is not None and (role, shop, None) in totals:
            raise ValueError(f"the {role}s run shop {shop} both whole and by sub-category")


def load_team(path: str | Path = TEAM_FILE) -> TeamFile:
    """Read and check a team file; a mistake raises ValueError naming the file and the field."""
    return load_checked(path, TeamFile, "team")


TEAM = load_team()


# --- periods and the schedule -----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month (2026-10) or quarter (2026-Q3): its label and first and last day."""

    label: str
    first: dt.date
    last: dt.date

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label


def month(year: int, m: int) -> Period:
    nxt = dt.date(year + m // 12, m % 12 + 1, 1)
    return Period(f"{year}-{m:02d}", dt.date(year, m, 1), nxt - dt.timedelta(days=1))


def quarter(year: int, q: int) -> Period:
    return Period(f"{year}-Q{q}", month(year, 3 * q - 2).first, month(year, 3 * q).last)


def quarter_of(day: dt.date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def months_of(p: Period) -> list[Period]:
    out, day = [], p.first
    while day <= p.last:
        out.append(month(day.year, day.month))
        day = out[-1].last + dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class Schedule:
    """The team's history and the planted periods, all relative to the end date."""

    start: dt.date  # first day of the history
    end: dt.date
    month: Period  # the planted month: the month before the end's month (2026-10)
    top_quarter: Period  # the last complete quarter (2026-Q3)
    poor_quarters: tuple[Period, Period]  # the two quarters before and including it (2026-Q2, 2026-Q3)
    handover: dt.date  # the outgoing person's last day: the 15th of the top quarter's middle month

    def months(self, through_quarter: bool = False) -> list[Period]:
        """Months of the history to the end's month (or to the end of its quarter)."""
        last = quarter_of(self.end).last if through_quarter else self.end
        out, day = [], self.start
        while day <= last:
            out.append(month(day.year, day.month))
            day = out[-1].last + dt.timedelta(days=1)
        return out

    def quarters(self, complete: bool = False) -> list[Period]:
        """Quarters of the history to the end's quarter (or to the last complete one)."""
        out, day = [], self.start
        while day <= self.end:
            q = quarter_of(day)
            if not complete or q.last <= self.end:
                out.append(q)
            day = q.last + dt.timedelta(days=1)
        return out


def schedule(end: dt.date) -> Schedule:
    this_q = quarter_of(end)
    last_q = quarter_of(this_q.first - dt.timedelta(days=1))
    prev_q = quarter_of(last_q.first - dt.timedelta(days=1))
    start = last_q.first
    for _ in range(3):
        start = quarter_of(start - dt.timedelta(days=1)).first
    before = end.replace(day=1) - dt.timedelta(days=1)
    middle = months_of(last_q)[1]
    return Schedule(start, end, month(before.year, before.month), last_q, (prev_q, last_q),
                    middle.first.replace(day=15))


def resolve(value: dt.date | str | None, handover: dt.date, joining: bool = False) -> dt.date | None:
    """A staff.yaml date: `handover` is the handover's last day (or 15 days before it for joining)."""
    if value == HANDOVER:
        return handover - dt.timedelta(days=14 if joining else 0)
    return value


def run_dates(run: Run, handover: dt.date) -> tuple[dt.date, dt.date | None]:
    first = handover + dt.timedelta(days=1) if run.after_handover else run.since
    return first, (handover if run.until_handover else None)


# --- what is kept of each shop ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShopTrack:
    """What the team's tables read of one simulated shop: sums per window day (money in integer
    cents), the expected demand, and the buyers' repurchase per period."""

    shop_id: str
    category: str
    growth: float
    subcats: tuple[str, ...]
    cal: Calendar
    seed: int
    plant: bool
    gmv: np.ndarray  # (days,) paid amount of the orders paid that day
    subcat_gmv: np.ndarray  # (sub-categories, days) the order items' paid amount by sub-category
    uv: np.ndarray
    paid_buyers: np.ndarray
    ad_spend: np.ndarray  # (days,) ads_daily spend
    ad_attributed: np.ndarray
    expected: np.ndarray  # expected demand per ext day (calendar.Demand: w_det x price factor)
    repurchase: dict[str, float]  # period label -> buyers with >= 2 paid orders / buyers


def collect(sim: SimulatedShop) -> ShopTrack:
    """The team builder's part of one shop (build.TeamBuilder.collect)."""
    cal, model, paid = sim.cal, sim.model, sim.paid
    D = cal.days
    gmv = np.bincount(paid.day, weights=sim.orders.cents[:paid.n], minlength=D)
    sub = sim.catalog.subcat[sim.items.sku]
    n_sub = len(model.subcats)
    by_sub = np.bincount(sub * D + paid.day[sim.items.order], weights=sim.items.cents, minlength=n_sub * D)
    ads_day = np.asarray(sim.ads["day"], np.int64)
    spend = np.bincount(ads_day, weights=np.round(np.asarray(sim.ads["spend"]) * 100), minlength=D)
    attributed = np.bincount(ads_day, weights=np.round(np.asarray(sim.ads["amount"]) * 100), minlength=D)
    sched = schedule(cal.end)
    repurchase = {}
    for p in sched.months() + sched.quarters():
        if p.first < cal.start:
            continue
        a, b = cal.win(p.first), min(cal.win(p.last), D - 1)
        inside = (paid.day >= a) & (paid.day <= b)
        _, counts = np.unique(paid.cust[inside], return_counts=True)
        repurchase[p.label] = float((counts >= 2).sum() / max(len(counts), 1))
    return ShopTrack(
        shop_id=model.shop.shop_id, category=model.shop.category, growth=model.growth,
        subcats=tuple(s.name for s in model.subcats), cal=cal, seed=sim.seed, plant=sim.plan.active,
        gmv=np.round(gmv).astype(np.int64), subcat_gmv=np.round(by_sub).astype(np.int64).reshape(n_sub, D),
        uv=np.asarray(sim.daily.shop["uv"]), paid_buyers=np.asarray(sim.daily.shop["paid_buyers"]),
        ad_spend=np.round(spend).astype(np.int64), ad_attributed=np.round(attributed).astype(np.int64),
        expected=sim.demand.w_det * sim.demand.price_factor, repurchase=repurchase,
    )


# --- credit of each person ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    """One person's credited sales and ad spend per day, from the window's first day to FUTURE_DAYS
    after the end (days after the end projected), in cents; ``on`` marks the days assigned."""

    sales: np.ndarray
    spend: np.ndarray
    attributed: np.ndarray
    on: np.ndarray


def credit(person: Person, tracks: dict[str, ShopTrack], handover: dt.date) -> Credit:
    cal = next(iter(tracks.values())).cal
    D, n = cal.days, cal.days + FUTURE_DAYS
    days = np.datetime64(cal.start, "D") + np.arange(n)
    sales, spend, attributed = np.zeros(n), np.zeros(n), np.zeros(n)
    on = np.zeros(n, bool)
    recent = slice(D - PROJECTION_DAYS, D)
    for run in person.runs:
        if run.shop not in tracks:  # a shop not built: it credits nothing
            continue
        t = tracks[run.shop]
        first, last = run_dates(run, handover)
        mask = days >= np.datetime64(first, "D")
        if last is not None:
            mask &= days <= np.datetime64(last, "D")
        on |= mask
        if run.category is None:
            part, weight = t.gmv.astype(float), np.ones(D)
        else:
            part = t.subcat_gmv[t.subcats.index(run.category)].astype(float)
            weight = np.divide(part, t.gmv, out=np.zeros(D), where=t.gmv > 0)  # its share of the shop's ads
        m = mask[:D]
        run_sales = np.where(m, run.share * part, 0)
        run_spend = np.where(m, run.share * t.ad_spend * weight, 0)
        sales[:D] += run_sales
        spend[:D] += run_spend
        attributed[:D] += np.where(m, run.share * t.ad_attributed * weight, 0)
        # the days after the end: the last PROJECTION_DAYS days' credit per unit of expected demand
        exp = t.expected[cal.burn:cal.burn + n]
        level = exp[recent].sum()
        sales[D:] += np.where(mask[D:], run_sales[recent].sum() / level * exp[D:], 0)
        spend[D:] += np.where(mask[D:], run_spend[recent].sum() / level * exp[D:], 0)
    return Credit(sales, spend, attributed, on)


def _span(cal: Calendar, p: Period, to_end: bool = False) -> slice:
    """Indices of ``p``'s days in a Credit array (to the end date only when ``to_end``)."""
    last = min(p.last, cal.end) if to_end else p.last
    return slice(cal.win(p.first), cal.win(last) + 1)


# --- the tables ---------------------------------------------------------------------------------------


def tables(tracks: Sequence[ShopTrack]) -> dict[str, Columns]:
    """The team's tables from what was kept of every shop (build.TeamBuilder.tables)."""
    by_shop = {t.shop_id: t for t in tracks}
    first = tracks[0]
    cal, seed, plant = first.cal, first.seed, first.plant
    sched = schedule(cal.end)
    team = TEAM
    credits = {p.id: credit(p, by_shop, sched.handover) for p in team.people if p.role in APPRAISED}
    out = {
        "staff": _staff(team, sched),
        "staff_assignments": _assignments(team, sched),
        "staff_targets": _targets(team, sched, cal, credits, by_shop, seed, plant),
        "industry_benchmarks": _benchmarks(team, sched, cal, tracks, seed),
        "appraisal_events": _events(team, sched, cal, seed, plant),
        "appraisal_ratings": _ratings(team, sched, cal, seed, plant),
        "appraisal_budgets": _budgets(team, sched, cal, credits, seed, plant),
    }
    return out


def _staff(team: TeamFile, sched: Schedule) -> Columns:
    h = sched.handover
    return {
        "staff_id": [p.id for p in team.people], "name": [p.name for p in team.people],
        "role": [p.role for p in team.people], "team": [team.team] * len(team.people),
        "manager_id": [p.manager for p in team.people],
        "joined_on": [resolve(p.joined_on, h, joining=True) for p in team.people],
        "left_on": [resolve(p.left_on, h) for p in team.people],
    }


def _assignments(team: TeamFile, sched: Schedule) -> Columns:
    rows = {k: [] for k in ("staff_id", "shop_id", "category", "share", "start_date", "end_date")}
    for p in team.people:
        for r in p.runs:
            first, last = run_dates(r, sched.handover)
            for k, v in zip(rows, (p.id, r.shop, r.category, r.share, first, last)):
                rows[k].append(v)
    return rows


def _active(person: Person, c: Credit, cal: Calendar, p: Period) -> bool:
    return bool(c.on[_span(cal, p)].any())


def _shop_roi(person: Person, by_shop: dict[str, ShopTrack], cal: Calendar, sched: Schedule, p: Period) -> float:
    """attributed / spend of ads_daily of the person's shops on the days of ``p`` they run them."""
    spend = attributed = 0.0
    days = np.datetime64(cal.start, "D") + np.arange(cal.days)
    for run in person.runs:
        if run.shop not in by_shop:
            continue
        t = by_shop[run.shop]
        first, last = run_dates(run, sched.handover)
        last = min(last or p.last, p.last, cal.end)
        m = (days >= np.datetime64(max(first, p.first), "D")) & (days <= np.datetime64(last, "D"))
        spend += t.ad_spend[m].sum()
        attributed += t.ad_attributed[m].sum()
    return attributed / spend if spend > 0 else 0.0


def _targets(team: TeamFile, sched: Schedule, cal: Calendar, credits: dict[str, Credit],
             by_shop: dict[str, ShopTrack], seed: int, plant: bool) -> Columns:
    rng = stream(seed, TEAM_STREAM, "staff-targets")
    rows = {k: [] for k in ("staff_id", "period", "metric", "value")}

    def add(staff_id, label, metric, value):
        for k, v in zip(rows, (staff_id, label, metric, float(value))):
            rows[k].append(v)

    months = [m for m in sched.months(through_quarter=True)
              if m.first >= cal.start and m.last <= cal.end + dt.timedelta(days=FUTURE_DAYS)]
    quarters = [q for q in sched.quarters() if q.first >= cal.start]
    poor_months = {m.label for q in sched.poor_quarters for m in months_of(q)}
    top_months = {m.label for m in months_of(sched.top_quarter)}
    for person in team.people:
        if person.role not in APPRAISED:
            continue
        c = credits[person.id]
        monthly: dict[str, float] = {}  # label -> target in cents
        if person.own_targets:
            for m in months:
                if not _active(person, c, cal, m):
                    continue
                u = rng.random()  # one draw per month whatever is planted: plants change no other draw
                actual = c.sales[_span(cal, m)].sum()
                if plant and m.label == sched.month.label and person.id in EXACT_COMPLETION:
                    # exact: credited sales / the target rounded to the cent
                    monthly[m.label] = float(round(actual / EXACT_COMPLETION[person.id]))
                    continue
                lo, hi = person.completion
                if plant and person.id == POOR and m.label in poor_months:
                    lo, hi = POOR_COMPLETION
                elif plant and person.id == TOP and m.label in top_months:
                    lo, hi = TOP_COMPLETION
                draw = lo + u * (hi - lo)
                monthly[m.label] = float(round(actual / draw, -4))  # whole hundreds of yuan
            for label, cents in monthly.items():
                add(person.id, label, "sales_amount", cents / 100)
            for q in quarters:
                parts = [monthly.get(m.label) for m in months_of(q)]
                if any(v is not None for v in parts):
                    add(person.id, q.label, "sales_amount", sum(v for v in parts if v is not None) / 100)
        for p in months + quarters:
            if p.first > cal.end or not _active(person, c, cal, p):
                continue
            if plant and person.id == POOR and (p in sched.poor_quarters or p.label in poor_months):
                roi = _shop_roi(person, by_shop, cal, sched, p)
                add(person.id, p.label, "roi", math.ceil((roi + POOR_ROI_GAP) * 10) / 10)
            elif person.roi_target is not None:
                add(person.id, p.label, "roi", person.roi_target)
            if person.new_customer_share is not None:
                add(person.id, p.label, "new_customer_sales_share", person.new_customer_share[p.is_quarter])
    return rows


def _benchmarks(team: TeamFile, sched: Schedule, cal: Calendar, tracks: Sequence[ShopTrack], seed: int) -> Columns:
    rng = stream(seed, TEAM_STREAM, "staff-benchmarks")
    rows = {k: [] for k in ("category", "period", "metric", "value")}
    periods = [p for p in sched.months() + sched.quarters() if p.first >= cal.start]
    for t in tracks:
        for p in periods:
            s = _span(cal, p, to_end=True)
            conv = t.paid_buyers[s].sum() / t.uv[s].sum() * rng.uniform(*CONVERSION_SPREAD)
            a, b = cal.burn + s.start, cal.burn + s.stop  # the same days a year (364 days) earlier
            growth = t.expected[a:b].sum() / t.expected[a - 364:b - 364].sum() * math.sqrt(t.growth)
            growth = growth * rng.uniform(*GROWTH_SPREAD) - 1
            rep = t.repurchase[p.label] + rng.uniform(-REPURCHASE_SPREAD, REPURCHASE_SPREAD)
            values = [("conversion_rate", conv), ("market_growth", growth)]
            if t.category in team.repurchase:
                values.append(("repurchase_rate", max(rep, 0.005)))
            for metric, value in values:
                for k, v in zip(rows, (t.category, p.label, metric, round(float(value), 4))):
                    rows[k].append(v)
    return rows


def _tenure(person: Person, sched: Schedule) -> tuple[dt.date, dt.date]:
    joined = resolve(person.joined_on, sched.handover, joining=True)
    left = resolve(person.left_on, sched.handover) or sched.end
    return max(joined, sched.start), min(left, sched.end)


def _planted_events(sched: Schedule) -> list[tuple[str, dt.date, str, float | None, bool | None]]:
    """(staff_id, day, kind, hours, platform_penalty) of every planted event."""
    out = []
    who, offset = PENALTY_VIOLATION
    out.append((who, sched.month.first + dt.timedelta(days=offset), "compliance_violation", None, True))
    for q, events in zip(sched.poor_quarters, POOR_EVENTS):
        for kind, offset, hours in events:
            out.append((POOR, q.first + dt.timedelta(days=offset), kind, hours,
                        False if kind == "compliance_violation" else None))
    for kind, offset in TOP_EVENTS:
        out.append((TOP, sched.top_quarter.first + dt.timedelta(days=offset), kind, None, None))
    return out


def _events(team: TeamFile, sched: Schedule, cal: Calendar, seed: int, plant: bool) -> Columns:
    rng = stream(seed, TEAM_STREAM, "staff-events")
    found: dict[str, list[tuple]] = {}
    top_q = sched.top_quarter
    for person in team.people:
        if person.role not in APPRAISED:
            continue
        first, last = _tenure(person, sched)
        first = max(first, cal.start)
        drawn = []
        windows = []
        for year in range(sched.start.year, sched.end.year + 1):
            for m1, d1, m2, d2 in team.prep_windows:
                windows.append((dt.date(year, m1, d1), dt.date(year, m2, d2)))
        for a, b in windows:
            for _ in range(rng.poisson(EVENT_RATES["late_response"])):
                day = a + dt.timedelta(days=int(rng.integers(0, (b - a).days + 1)))
                drawn.append((day, "late_response", round(rng.uniform(*LATE_HOURS) * 2) / 2, None))
        for q in sched.quarters():
            for kind in ("incident_delay", "compliance_violation", "sop_document", "innovation", "cost_saving"):
                for _ in range(rng.poisson(EVENT_RATES[kind])):
                    day = q.first + dt.timedelta(days=int(rng.integers(0, (q.last - q.first).days + 1)))
                    hours = float(rng.choice(DELAY_HOURS)) if kind == "incident_delay" else None
                    penalty = bool(rng.random() < PENALTY_SHARE) if kind == "compliance_violation" else None
                    drawn.append((day, kind, hours, penalty))
        keep = []
        for day, kind, hours, penalty in drawn:
            if not first <= day <= last:
                continue
            if plant and person.id == POOR and any(q.first <= day <= q.last for q in sched.poor_quarters):
                continue  # the poor quarters hold the planted events only
            if plant and top_q.first <= day <= top_q.last and person.role == "shop_operator":
                if person.id == TOP or kind in ("innovation", "cost_saving"):
                    continue
                if kind == "sop_document" and any(k == "sop_document" and top_q.first <= d <= top_q.last
                                                  for d, k, _, _ in keep):
                    continue
            keep.append((day, kind, hours, penalty))
        found[person.id] = keep
    if plant:
        for who, day, kind, hours, penalty in _planted_events(sched):
            if cal.start <= day <= cal.end:
                found[who].append((day, kind, hours, penalty, "planted"))
    rows = {k: [] for k in ("staff_id", "event_id", "occurred_on", "kind", "hours", "platform_penalty", "note")}
    for staff_id, events in found.items():
        note_rng = stream(seed, TEAM_STREAM, f"staff-notes-{staff_id}")
        planted_seen: dict[str, int] = {}
        for i, (day, kind, hours, penalty, *planted) in enumerate(sorted(events, key=lambda e: (e[0], e[1])), start=1):
            notes = team.notes[kind]
            if planted:  # the kind's notes in order (the first violation note is a listing's material)
                note = notes[planted_seen.get(kind, 0) % len(notes)]
                planted_seen[kind] = planted_seen.get(kind, 0) + 1
            else:
                note = notes[int(note_rng.integers(len(notes)))]
            for k, v in zip(rows, (staff_id, f"{i:03d}", day, kind, hours, penalty, note)):
                rows[k].append(v)
    return rows


def _ratings(team: TeamFile, sched: Schedule, cal: Calendar, seed: int, plant: bool) -> Columns:
    rng = stream(seed, TEAM_STREAM, "staff-ratings")
    rows = {k: [] for k in ("staff_id", "period", "rater_team", "score")}
    for person in team.people:
        if person.role not in APPRAISED:
            continue
        mean = rng.uniform(*RATING_MEAN)
        joined = resolve(person.joined_on, sched.handover, joining=True)
        left = resolve(person.left_on, sched.handover)
        for q in sched.quarters(complete=True):
            scores = np.clip(np.round(rng.normal(mean, RATING_SD, len(team.rater_teams))), *RATING_RANGE)
            if q.first < cal.start or joined > q.last or (left is not None and left < q.last):
                continue
            if plant and person.id == POOR and q in sched.poor_quarters:
                scores = POOR_RATINGS[sched.poor_quarters.index(q)]
            elif plant and person.id == TOP and q == sched.top_quarter:
                scores = TOP_RATINGS
            for rater, score in zip(team.rater_teams, scores):
                for k, v in zip(rows, (person.id, q.label, rater, float(score))):
                    rows[k].append(v)
    return rows


def _budgets(team: TeamFile, sched: Schedule, cal: Calendar, credits: dict[str, Credit], seed: int,
             plant: bool) -> Columns:
    rng = stream(seed, TEAM_STREAM, "staff-budgets")
    rows = {k: [] for k in ("staff_id", "period", "budget", "spend")}
    poor_months = {m.label for q in sched.poor_quarters for m in months_of(q)}
    for person in team.people:
        if person.role not in APPRAISED:
            continue
        c = credits[person.id]
        for m in sched.months():
            u = rng.random()
            if m.first < cal.start or not _active(person, c, cal, m):
                continue
            spend = round(c.spend[_span(cal, m, to_end=True)].sum())  # cents
            planned = c.spend[_span(cal, m)].sum()  # the whole month, the rest projected
            if plant and person.id == OVERRUN[0] and m.label == sched.month.label:
                budget = round(planned / OVERRUN[1], -4)  # whole hundreds of yuan
                spend = round(budget * OVERRUN[1])  # exactly 1.08 x the budget, in cents
            else:
                lo, hi = POOR_BUDGET if plant and person.id == POOR and m.label in poor_months else BUDGET_RATIO
                budget = round(planned / (lo + u * (hi - lo)), -4)
            for k, v in zip(rows, (person.id, m.label, budget / 100, spend / 100)):
                rows[k].append(v)
    return rows
