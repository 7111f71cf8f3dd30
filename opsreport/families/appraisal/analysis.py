"""The appraisal: from the warehouse (or a closed period's snapshot) to every person's scorecard.

`run(params)` is what the notebook calls. It finds the team's people and their roles' rubrics,
reads each person's inputs (``analyses.appraisal_measures``: performance computed from the shops
they run, by share and days; efficiency and teamwork from the director's tables), scores them
(``analyses.rubric``), and derives the results (``analyses.appraisal_results``): bonus shares, and
for a quarter the promotion candidates and improvement plans (which read the quarter before too).

Reproducible. A closed period (``freeze.close``) is scored from its frozen inputs, never the live
tables; when the live data have moved since, the report says so and by how much. An open period
is *provisional* until ``maturity_days`` after its end (refunds and ad attribution still arrive).

Fair. A conversion or ROI judged on too little traffic or spend keeps its points but carries a
``not_conclusive`` flag; gaming patterns are flagged for the reviewer, never deducted; context
outside a person's control (market growth, stockouts) sits beside the score, not in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ...analyses import appraisal_measures as measures_
from ...analyses import appraisal_results as results_
from ...analyses import rubric as rubric_
from ...errors import DataNotFoundError
from ...periods import Period
from ...warehouse.connection import Warehouse
from . import freeze
from .params import AppraisalParams

SCORED_INPUTS = tuple(rubric_.INPUTS)
# Unknowns that mean the rule does not apply to the person (neither counts nor leaves the card
# incomplete): a category without repurchase; a sub-category operator's ROI, as the shop buys its
# ads for the whole shop and they are not split by sub-category.
NOT_APPLICABLE = ("no_repurchase_category", "category_level")
SPEND_CUT = 0.20  # ROI met with sales missed while spend fell this much: a gaming flag
REFUND_WAVE = 2.0  # refunds arriving after the period's end this many times the previous period's
REFUND_WAVE_MIN = 0.03  # ... and at least this share of the period's GMV


@dataclass
class Appraisal:
    params: AppraisalParams
    team: str
    period: Period
    kind: str  # month or quarter
    data_end: dt.date
    generated_at: dt.datetime
    staff: pd.DataFrame  # staff_id, name, role, manager_id: the people appraised
    not_appraised: pd.DataFrame  # staff_id, name, role, reason
    inputs: pd.DataFrame  # appraisal_measures.COLUMNS, frozen or live
    scorecards: dict[str, rubric_.Scorecard]
    rubrics: dict[str, rubric_.Rubric]
    totals: pd.DataFrame  # staff_id, name, role, total, complete, <section points>, rank
    bonuses: pd.DataFrame
    distribution: results_.Distribution
    candidates: pd.DataFrame | None = None  # quarters only
    plans: pd.DataFrame | None = None  # quarters only
    previous_totals: pd.DataFrame | None = None  # the quarter before (plans read it)
    previous_inputs: pd.DataFrame | None = None  # the period before (month or quarter), frozen or live
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["staff_id", "flag", "input", "detail"]))
    snapshot: freeze.Snapshot | None = None
    live_fingerprint: str | None = None  # the live inputs' fingerprint when a snapshot was used
    live_changes: list[dict] = field(default_factory=list)  # snapshot vs live, when they differ
    rescores: pd.DataFrame | None = None
    movers: pd.DataFrame | None = None  # staff_id, name, kind (joined / left), day: in the team for part of the period
    missing: dict[str, str] = field(default_factory=dict)
    shop: dict = field(default_factory=lambda: {"currency": "CNY"})  # the views' currency: the team's shops sell in yuan

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def mature(self) -> bool:
        return self.data_end >= self.period.end + dt.timedelta(days=self.params.maturity_days)

    @property
    def frozen(self) -> bool:
        return self.snapshot is not None

    @property
    def fingerprint(self) -> str:
        return self.snapshot.fingerprint if self.snapshot is not None else freeze.fingerprint(self.inputs)


def run(params: AppraisalParams | dict, warehouse: Warehouse | None = None) -> Appraisal:
    if isinstance(params, dict):
        params = AppraisalParams.model_validate(params)
    wh = warehouse or Warehouse.open(params.warehouse)
    from .spec import resolve_period

    period, data_end = resolve_period(wh, params)
    staff, not_appraised, rubrics = team_of(wh, params, period)
    inputs, snapshot, live = inputs_of(wh, params, staff, period)
    scorecards = {sid: rubric_.score(rubrics[role], to_measures(inputs[inputs.staff_id == sid]))
                  for sid, role in zip(staff.staff_id, staff.role)}
    kind = measures_.period_kind(period)
    r = Appraisal(params=params, team=params.team, period=period, kind=kind, data_end=data_end,
                  generated_at=dt.datetime.now(dt.timezone.utc), staff=staff, not_appraised=not_appraised, inputs=inputs,
                  scorecards=scorecards, rubrics=rubrics, totals=totals_of(staff, scorecards, period),
                  bonuses=pd.DataFrame(), distribution=None, snapshot=snapshot)
    if snapshot is not None and live is not None:
        r.live_fingerprint = freeze.fingerprint(live)
        r.live_changes = freeze.changes(snapshot.inputs, live) if r.live_fingerprint != snapshot.fingerprint else []
    r.totals["complete"] = r.totals["complete"] & r.mature  # immature data: every score is provisional
    r.bonuses = results_.bonuses(r.totals)
    r.distribution = results_.distribution(r.totals)
    previous = previous_period(period)
    r.previous_inputs = _inputs_or_none(wh, params, staff, previous)
    if kind == "quarter":
        r.candidates = results_.promotion_candidates(r.totals.assign(period=period.label))
        if r.previous_inputs is not None:
            cards = {sid: rubric_.score(rubrics[role], to_measures(r.previous_inputs[r.previous_inputs.staff_id == sid]))
                     for sid, role in zip(staff.staff_id, staff.role)}
            r.previous_totals = totals_of(staff, cards, previous).assign(period=previous.label)
        current = r.totals.assign(period=period.label)
        both = pd.concat([r.previous_totals, current], ignore_index=True) if r.previous_totals is not None else current
        r.plans = results_.improvement_plans(both[["staff_id", "period", "total", "complete"]], quarter=period.label)
    r.flags = flags_of(r, _refunds_after_close(wh, r, previous) + _shared_shop_targets(r))
    r.movers = movers_of(wh, params.team, period)
    r.rescores = freeze.log(params.warehouse, params.team, period.label)
    return r


# --------------------------------------------------------------------------- people and inputs

def team_of(wh: Warehouse, params: AppraisalParams, period: Period):
    """(people appraised, people not appraised and why, rubric per role): the team's members in
    the team for at least one day of the period whose role has a rubric."""
    if not wh.has("staff"):
        raise DataNotFoundError("the warehouse has no staff table: import the team (staff_roster) first.")
    staff = wh.table("staff").execute()
    teams = sorted(staff.team.unique())
    members = staff[staff.team == params.team]
    if members.empty:
        raise DataNotFoundError(f"team '{params.team}' has nobody in the staff table; teams: {', '.join(teams) or 'none'}.")
    joined, left = pd.to_datetime(members.joined_on), pd.to_datetime(members.left_on)
    members = members[(joined.isna() | (joined <= pd.Timestamp(period.end))) & (left.isna() | (left >= pd.Timestamp(period.start)))]
    if members.empty:
        raise DataNotFoundError(f"team '{params.team}' had nobody in it during {period.label}.")
    rubrics = rubric_.load_rubrics(params.rubrics_dir)
    has_rubric = members.role.isin(list(rubrics))
    missing = members[~has_rubric].assign(reason="no_rubric")
    appraised = members[has_rubric]
    if appraised.empty:
        raise DataNotFoundError(f"nobody in team '{params.team}' has a role with a rubric (roles: "
                                f"{', '.join(sorted(members.role.unique()))}; rubrics: {', '.join(sorted(rubrics))}).")
    cols = ["staff_id", "name", "role", "manager_id"]
    return (appraised[cols].sort_values("staff_id").reset_index(drop=True),
            missing[["staff_id", "name", "role", "reason"]].reset_index(drop=True),
            {role: rubrics[role] for role in appraised.role.unique()})


def inputs_of(wh: Warehouse, params: AppraisalParams, staff: pd.DataFrame, period: Period):
    """(inputs scored, the snapshot they came from or None, the live inputs when a snapshot was used)."""
    snapshot = freeze.load(params.warehouse, params.team, period.label)
    live = measures_.measures(wh, list(staff.staff_id), period, min_spend=params.min_spend)
    if snapshot is None:
        return live, None, None
    return snapshot.inputs, snapshot, live


def to_measures(rows: pd.DataFrame) -> dict[str, rubric_.Measure]:
    """One person's input rows as the rubric's Measures (context inputs are not scored)."""
    out = {}
    for row in rows.to_dict("records"):
        if row["input"] not in SCORED_INPUTS:
            continue
        out[row["input"]] = _measure(row)
    return out


def _measure(row: dict) -> rubric_.Measure:
    evidence = row.get("evidence") or {}
    flags = frozenset([row["flag"]]) if row.get("flag") else frozenset()
    if not row.get("known", True):
        if row.get("reason") in NOT_APPLICABLE:
            return rubric_.Measure.not_applicable(row["reason"], flags=flags)
        return rubric_.Measure.unknown(row.get("reason") or "unknown", flags=flags)
    name = row["input"]
    if name == "sales_completion":  # the rubric reads the amounts: sales against the target
        return rubric_.Measure(value=evidence["credited_sales"], reference=evidence["target"], unit="yuan", flags=flags)
    if name == "incident_delay_hours":  # the rubric takes each incident's hours and applies the grace hour itself
        return rubric_.Measure(items=tuple(float(e["hours"]) for e in evidence.get("events", [])), unit="hours", flags=flags)
    if name in ("budget_overrun", "budget_saved"):
        return rubric_.Measure(value=evidence["spend"], reference=evidence["budget"], unit="yuan", flags=flags)
    unit = rubric_.INPUTS[name]
    return rubric_.Measure(value=row["value"], reference=_number(row.get("reference")), unit=unit, flags=flags)


def _number(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else float(value)


def totals_of(staff: pd.DataFrame, scorecards: dict[str, rubric_.Scorecard], period: Period) -> pd.DataFrame:
    rows = []
    for person in staff.itertuples():
        card = scorecards[person.staff_id]
        row = {"staff_id": person.staff_id, "name": person.name, "role": person.role, "total": card.total,
               "complete": card.complete}
        for section in card.sections:
            row[section.key] = section.points
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["rank"] = frame.total.rank(method="min", ascending=False).astype("Int64")
    return frame.sort_values(["rank", "staff_id"]).reset_index(drop=True)


def previous_period(period: Period) -> Period:
    """The month or quarter just before ``period``."""
    before = period.start - dt.timedelta(days=1)
    if measures_.period_kind(period) == "quarter":
        return measures_.appraisal_period(f"{before.year}-Q{(before.month - 1) // 3 + 1}")
    return measures_.appraisal_period(f"{before.year}-{before.month:02d}")


def _inputs_or_none(wh, params, staff, period: Period) -> pd.DataFrame | None:
    """A period's inputs (its snapshot when closed), or None when its data cannot give them."""
    snapshot = freeze.load(params.warehouse, params.team, period.label)
    if snapshot is not None:
        return snapshot.inputs
    try:
        return measures_.measures(wh, list(staff.staff_id), period, min_spend=params.min_spend)
    except DataNotFoundError:
        return None


# --------------------------------------------------------------------------- flags for the reviewer

def flags_of(r: Appraisal, refund_waves: list[dict] = ()) -> pd.DataFrame:
    rows = list(refund_waves)
    for row in r.inputs.to_dict("records"):
        if row.get("flag"):
            rows.append({"staff_id": row["staff_id"], "flag": row["flag"], "input": row["input"], "detail": row.get("evidence") or {}})
    rows += _roi_by_cutting_spend(r)
    return pd.DataFrame(rows, columns=["staff_id", "flag", "input", "detail"])


def _value(inputs: pd.DataFrame, staff_id: str, name: str) -> dict | None:
    x = inputs[(inputs.staff_id == staff_id) & (inputs.input == name)]
    return None if x.empty else x.iloc[0].to_dict()


def _roi_by_cutting_spend(r: Appraisal) -> list[dict]:
    """ROI target met while the sales target was missed and spend fell sharply against the
    previous period: a ROI bought by not advertising (flagged, not deducted)."""
    out = []
    for sid in r.staff.staff_id:
        roi, sales = _value(r.inputs, sid, "roi_vs_target"), _value(r.inputs, sid, "sales_completion")
        if not roi or not sales or not roi["known"] or not sales["known"] or roi["reference"] is None:
            continue
        spend = (roi.get("evidence") or {}).get("credited_spend")
        before = _value(r.previous_inputs, sid, "roi_vs_target") if r.previous_inputs is not None else None
        previous = (before.get("evidence") or {}).get("credited_spend") if before else None
        if roi["value"] >= roi["reference"] and sales["value"] < 1 and spend is not None and previous:
            if spend <= (1 - SPEND_CUT) * previous:
                out.append({"staff_id": sid, "flag": "roi_by_cutting_spend", "input": "roi_vs_target",
                            "detail": {"spend": spend, "previous_spend": previous, "roi": roi["value"], "target": roi["reference"],
                                       "completion": sales["value"]}})
    return out


# --------------------------------------------------------------------------- closing a period

def close(params: AppraisalParams | dict, *, reason: str | None = None) -> tuple[freeze.Snapshot | None, list[dict]]:
    """Freeze the period's live inputs (``opsreport appraisal close``); with ``reason``, re-score an
    already closed period from the live data and log what changed (``opsreport appraisal rescore``).

    A period whose data are not mature yet cannot be closed: its scores would be frozen provisional.
    Returns (the new snapshot or None for a re-score, the changes a re-score logged).
    """
    from ...errors import ParamsError
    from .spec import resolve_period

    if isinstance(params, dict):
        params = AppraisalParams.model_validate(params)
    wh = Warehouse.open(params.warehouse)
    try:
        period, data_end = resolve_period(wh, params)
        ready = period.end + dt.timedelta(days=params.maturity_days)
        if data_end < ready:
            raise ParamsError(f"{period.label} cannot be closed yet: its refunds and ad attribution mature on {ready} "
                              f"and the data end on {data_end}.")
        staff, _, _ = team_of(wh, params, period)
        live = measures_.measures(wh, list(staff.staff_id), period, min_spend=params.min_spend)
    finally:
        wh.close()
    if reason is None:
        return freeze.close(params.warehouse, params.team, period.label, live), []
    return None, freeze.rescore(params.warehouse, params.team, period.label, live, reason)


def _slices(inputs: pd.DataFrame | None, staff_id: str) -> list[dict]:
    row = _value(inputs, staff_id, "sales_completion") if inputs is not None else None
    return ((row or {}).get("evidence") or {}).get("slices") or []


def _late_refund_share(wh: Warehouse, slices: list[dict], period: Period, days: int) -> float | None:
    """Refunds arriving in the ``days`` after the period's end, as a share of the GMV paid in it, of
    the person's shops credited by share and days (a sub-category slice reads its whole shop)."""
    from ...metrics import queries

    gmv = late = 0.0
    for s in slices:
        o = queries.paid_orders(wh, s["shop_id"])
        first, last = pd.Timestamp(s["first"]).date(), pd.Timestamp(s["last"]).date()
        o = o.filter((o.paid_at >= queries.day_start(first)) & (o.paid_at < queries.day_start(last + dt.timedelta(days=1))))
        after = (o.refunded_at >= queries.day_start(period.end + dt.timedelta(days=1))) & \
                (o.refunded_at < queries.day_start(period.end + dt.timedelta(days=days + 1)))
        got = o.aggregate(gmv=o.paid_amount.sum(), late=after.ifelse(o.refund_amount, 0).sum()).execute().iloc[0]
        gmv += s["share"] * float(got["gmv"] or 0)
        late += s["share"] * float(got["late"] or 0)
    return late / gmv if gmv > 0 else None


def _refunds_after_close(wh: Warehouse, r: Appraisal, previous: Period) -> list[dict]:
    """A refund wave just after the period closed: refunds of its orders arriving in the
    ``maturity_days`` after its end at REFUND_WAVE times the previous period's and at least
    REFUND_WAVE_MIN of its GMV (sales that counted for the score, then came back). Only judged once
    those days have passed."""
    days = r.params.maturity_days
    if not days or r.data_end < r.period.end + dt.timedelta(days=days):
        return []
    out = []
    for sid in r.staff.staff_id:
        now = _late_refund_share(wh, _slices(r.inputs, sid), r.period, days)
        before = _late_refund_share(wh, _slices(r.previous_inputs, sid), previous, days)
        if now is not None and before and now >= REFUND_WAVE * before and now >= REFUND_WAVE_MIN:
            out.append({"staff_id": sid, "flag": "refund_wave_after_close", "input": "sales_completion",
                        "detail": {"late_refund_share": now, "previous": before, "days": days}})
    return out


def movers_of(wh: Warehouse, team: str, period: Period) -> pd.DataFrame:
    """People who joined or left the team during the period (the report names them)."""
    staff = wh.table("staff").execute()
    staff = staff[staff.team == team]
    rows = []
    for kind, column in (("joined", "joined_on"), ("left", "left_on")):
        day = pd.to_datetime(staff[column])
        hit = staff[(day >= pd.Timestamp(period.start)) & (day <= pd.Timestamp(period.end))]
        rows += [{"staff_id": x.staff_id, "name": x.name, "kind": kind, "day": pd.Timestamp(getattr(x, column)).date()}
                 for x in hit.itertuples()]
    return pd.DataFrame(rows, columns=["staff_id", "name", "kind", "day"])


def _shared_shop_targets(r: Appraisal) -> list[dict]:
    """People sharing a shop in the period whose sales targets come from different sources (one's own
    target, another's share of the shop's): equal credited sales can then score far apart. Flagged
    for the director, who sets targets."""
    by_shop: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (shop, role) -> people and their target's source
    for sid, role in zip(r.staff.staff_id, r.staff.role):
        row = _value(r.inputs, sid, "sales_completion")
        evidence = (row or {}).get("evidence") or {}
        for s in evidence.get("slices") or []:
            if not s.get("category"):
                by_shop.setdefault((s["shop_id"], role), []).append((sid, evidence.get("target_source", "")))
    out = []
    for (shop, _role), people in by_shop.items():
        sources = {source.removesuffix("_months") for _, source in people}
        if len(people) > 1 and len(sources) > 1:
            out += [{"staff_id": sid, "flag": "shared_shop_targets_differ", "input": "sales_completion",
                     "detail": {"shop_id": shop, "target_source": source, "others": [o for o, _ in people if o != sid]}}
                    for sid, source in people]
    return out
