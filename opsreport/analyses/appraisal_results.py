"""Use of appraisal results (seed 001, 考核结果应用): bonus, promotion candidates, improvement plans,
and the team's score distribution.

The thresholds are a `ResultPolicy` (seed 001's values by default; a rubric's ``results:`` block
gives its own with `ResultPolicy.from_rubric`). The pinned readings:

* **Bonus share** (monthly): total ≥ 80 → 1.0; 60 ≤ total < 80 → total / 100 (70 → 0.70,
  60 → 0.60, 79.9 → 0.799, then 80 → 1.0); below 60 → 0. A total above 100 still gives 1.0.
* **Promotion / raise candidates** (a quarter or a year): total ≥ 85 AND in the top 20 % of the
  team, where top 20 % means rank ≤ ceil(0.2 × team size) (a team of 3 has 1 slot, of 10 has 2,
  of 11 has 3; the product is rounded to 1e-9 before the ceiling, since a policy's share can
  land a hair above a whole number: 0.07 × 100 is 7.000000000000001 in floats, 7 slots, not 8).
  Ranks are competition ranks (95, 90, 90, 88 rank 1, 2, 2, 4), so people tied at the last slot
  are all included. A team of 1 has 1 slot: that person is a candidate when ≥ 85. People not
  scored (no total, e.g. joined mid-quarter without enough data) or whose scorecard is
  incomplete (provisional) are neither ranked nor counted in the team size.
* **Improvement plan**: a total below 60 in each of 2 consecutive quarters (2025-Q4 and 2026-Q1
  are consecutive), judged at a quarter's close: the quarter and the one before it. Only final
  (complete) totals count; when the quarter is below 60 and an earlier one is missing or
  provisional (and none of the known ones reaches 60), the person is listed as undetermined,
  never silently cleared.
* **Distribution**: how many people fall in each band of the policy's thresholds (no bonus,
  partial bonus, full bonus, promotion range) and how many were not scored, without names.

Totals are compared after rounding to 1e-9, as the scores are (`opsreport.analyses.rubric`).
Inputs are DataFrames with ``staff_id`` and ``total`` (NaN: not scored) and optionally
``complete`` (False: provisional; default True) and ``period``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from ..errors import ParamsError

_DIGITS = 9
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR = re.compile(r"^\d{4}$")

FULL, PARTIAL, NONE, NOT_SCORED = "full", "partial", "none", "not_scored"
CANDIDATE, BELOW_MIN, OUTSIDE_TOP, PROVISIONAL = "candidate", "below_min_score", "outside_top_share", "provisional"
PLAN, UNDETERMINED = "plan", "undetermined"
#: Distribution bands, in order, and the not-scored row.
BANDS = ("no_bonus", "partial_bonus", "full_bonus", "promotion_range")


@dataclass(frozen=True)
class ResultPolicy:
    """Thresholds of the use of results (seed 001's by default)."""

    bonus_full_at: float = 80.0
    bonus_partial_at: float = 60.0
    promotion_min: float = 85.0
    promotion_top_share: float = 0.2
    improvement_below: float = 60.0
    improvement_quarters: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.promotion_top_share <= 1:
            raise ParamsError(f"promotion_top_share must be a fraction in (0, 1], e.g. 0.2; got {self.promotion_top_share!r}")
        if self.improvement_quarters < 1:
            raise ParamsError(f"improvement_quarters must be at least 1; got {self.improvement_quarters!r}")
        if self.bonus_partial_at > self.bonus_full_at:
            raise ParamsError(f"bonus_partial_at ({self.bonus_partial_at:g}) is above bonus_full_at ({self.bonus_full_at:g})")

    @classmethod
    def from_rubric(cls, rubric) -> "ResultPolicy":
        """The policy of a rubric's ``results:`` block."""
        return cls(**rubric.results.model_dump())


SEED = ResultPolicy()


def _num(total) -> float | None:
    if total is None or isinstance(total, bool):
        return None
    try:
        x = float(total)
    except (TypeError, ValueError):
        return None
    return round(x, _DIGITS) if math.isfinite(x) else None


# --- bonus ---------------------------------------------------------------------------------------


def bonus_code(total: float, policy: ResultPolicy = SEED) -> str:
    """full, partial, none; not_scored for a missing total."""
    x = _num(total)
    if x is None:
        return NOT_SCORED
    if x >= policy.bonus_full_at:
        return FULL
    return PARTIAL if x >= policy.bonus_partial_at else NONE


def bonus_share(total: float, policy: ResultPolicy = SEED) -> float:
    """Share of the full bonus a total earns: 1.0, total / 100, or 0.0. A missing total has no
    share (an error: decide it by hand, never as 0)."""
    code = bonus_code(total, policy)
    if code == NOT_SCORED:
        raise ParamsError(f"bonus_share: total {total!r} is not a score; a person not scored has no bonus share")
    if code == FULL:
        return 1.0
    return round(_num(total) / 100, _DIGITS) if code == PARTIAL else 0.0


def _scores(scores: pd.DataFrame, what: str, needs: tuple[str, ...] = ("staff_id", "total")) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise ParamsError(f"{what}: scores must be a DataFrame, got {type(scores).__name__}")
    missing = [c for c in needs if c not in scores.columns]
    if missing:
        raise ParamsError(f"{what}: scores lack column(s) {', '.join(missing)} (has {', '.join(map(str, scores.columns))})")
    out = scores.copy()
    out["total"] = pd.to_numeric(out["total"], errors="coerce")
    out["complete"] = out["complete"].fillna(False).astype(bool) if "complete" in out else True
    return out


def _one_per_person(df: pd.DataFrame, what: str, key: tuple[str, ...] = ("staff_id",)) -> None:
    counts = df.groupby(list(key), dropna=False).size()
    dup = counts[counts > 1]
    if len(dup):
        raise ParamsError(f"{what}: {dup.index[0]} appears {dup.iloc[0]} times; "
                          f"give one total per {' and '.join(key)}")


def bonuses(scores: pd.DataFrame, policy: ResultPolicy = SEED) -> pd.DataFrame:
    """staff_id, total, complete, bonus_share (NaN: not scored), bonus_code; in the input's order.
    A provisional (incomplete) total gets its share computed and ``complete`` False beside it."""
    df = _scores(scores, "bonuses")
    _one_per_person(df, "bonuses")
    codes = [bonus_code(t, policy) for t in df["total"]]
    shares = [float("nan") if c == NOT_SCORED else bonus_share(t, policy) for t, c in zip(df["total"], codes)]
    return pd.DataFrame({"staff_id": df["staff_id"].to_numpy(), "total": df["total"].to_numpy(),
                         "complete": df["complete"].to_numpy(), "bonus_share": shares, "bonus_code": codes})


# --- promotion -----------------------------------------------------------------------------------


def promotion_slots(team_size: int, share: float = SEED.promotion_top_share) -> int:
    """ceil(share × team size), the product rounded to 1e-9 first (0.07 × 100 gives 7, not 8)."""
    if team_size < 0:
        raise ParamsError(f"team size must not be negative; got {team_size}")
    return math.ceil(round(share * team_size, _DIGITS))


def _check_period(df: pd.DataFrame, what: str) -> None:
    if "period" not in df:
        return
    periods = sorted(set(df["period"].astype(str)))
    if len(periods) > 1:
        raise ParamsError(f"{what}: scores of one period only; got {', '.join(periods)}")
    if periods and not (QUARTER.match(periods[0]) or YEAR.match(periods[0])):
        raise ParamsError(f"{what}: period '{periods[0]}' is not a quarter (2026-Q3) or a year (2026); "
                          "promotion is decided on quarterly or annual scores")


def promotion_candidates(scores: pd.DataFrame, policy: ResultPolicy = SEED) -> pd.DataFrame:
    """One row per person of the team: staff_id, total, rank, team_size, slots, meets_score,
    in_top_share, candidate, reason (candidate, below_min_score, outside_top_share, not_scored,
    provisional); ranked people first by rank, then the others in input order."""
    df = _scores(scores, "promotion_candidates")
    _one_per_person(df, "promotion_candidates")
    _check_period(df, "promotion_candidates")
    df["total"] = df["total"].round(_DIGITS)
    counted = df["total"].notna() & df["complete"]
    n = int(counted.sum())
    slots = promotion_slots(n, policy.promotion_top_share)
    rank = df.loc[counted, "total"].rank(method="min", ascending=False)
    df["rank"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df.loc[counted, "rank"] = rank.astype("int64")
    meets = counted & (df["total"] >= policy.promotion_min)
    top = counted & (df["rank"].fillna(slots + 1) <= slots).astype(bool)
    reason = []
    for c, total, m, t in zip(counted, df["total"], meets, top):
        if not c:
            reason.append(NOT_SCORED if pd.isna(total) else PROVISIONAL)
        else:
            reason.append(CANDIDATE if m and t else BELOW_MIN if not m else OUTSIDE_TOP)
    out = pd.DataFrame({"staff_id": df["staff_id"].to_numpy(), "total": df["total"].to_numpy(),
                        "rank": df["rank"].array, "team_size": n, "slots": slots,
                        "meets_score": meets.to_numpy(), "in_top_share": top.to_numpy(),
                        "candidate": (meets & top).to_numpy(), "reason": reason})
    order = out["rank"].astype("float").fillna(math.inf)
    return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


# --- improvement plans ---------------------------------------------------------------------------


def quarter_index(label: str) -> int:
    """A quarter as a running number (2026-Q1 is one more than 2025-Q4)."""
    m = QUARTER.match(str(label))
    if not m:
        raise ParamsError(f"'{label}' is not a quarter such as 2026-Q3")
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def quarter_label(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def improvement_plans(scores: pd.DataFrame, quarter: str | None = None, policy: ResultPolicy = SEED) -> pd.DataFrame:
    """People below ``improvement_below`` in ``quarter`` (default: the latest quarter in
    ``scores``) and in each of the quarters just before it (``improvement_quarters`` in all).

    ``scores``: staff_id, period (quarters only), total[, complete]. Returns staff_id, status
    (plan, or undetermined when an earlier quarter is missing or provisional and no known one
    reaches the threshold), quarters (oldest first) and totals (NaN: not known), one row per person."""
    df = _scores(scores, "improvement_plans", ("staff_id", "period", "total"))
    df["period"] = df["period"].astype(str)
    bad = sorted({p for p in df["period"] if not QUARTER.match(p)})
    if bad:
        raise ParamsError(f"improvement_plans: period(s) {', '.join(bad)} are not quarters (2026-Q3); "
                          "improvement plans follow quarterly scores")
    _one_per_person(df, "improvement_plans", ("staff_id", "period"))
    cols = ["staff_id", "status", "quarters", "totals"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    last = quarter_index(quarter) if quarter is not None else max(quarter_index(p) for p in df["period"])
    k = policy.improvement_quarters
    wanted = [quarter_label(i) for i in range(last - k + 1, last + 1)]
    final = df[df["total"].notna() & df["complete"]]
    known = {(s, p): round(float(t), _DIGITS) for s, p, t in zip(final["staff_id"], final["period"], final["total"])}
    rows = []
    for staff in dict.fromkeys(df["staff_id"]):
        totals = [known.get((staff, q), float("nan")) for q in wanted]
        now = totals[-1]
        if math.isnan(now) or now >= policy.improvement_below:
            continue  # the quarter judged is not a final total below the threshold
        if any(not math.isnan(t) and t >= policy.improvement_below for t in totals):
            continue
        status = PLAN if not any(math.isnan(t) for t in totals) else UNDETERMINED
        rows.append({"staff_id": staff, "status": status, "quarters": tuple(wanted), "totals": tuple(totals)})
    return pd.DataFrame(rows, columns=cols)


# --- distribution --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """The team's totals by band, without names. ``bands``: band, lower, upper (lower ≤ total <
    upper; NaN for not_scored), count, share (of everyone in the input; the rows add up to 1).
    ``mean`` and ``median`` are of the scored totals (NaN when none)."""

    bands: pd.DataFrame
    people: int
    scored: int
    not_scored: int
    provisional: int
    mean: float
    median: float


def distribution(scores: pd.DataFrame, policy: ResultPolicy = SEED) -> Distribution:
    """Count per score band of the policy: no_bonus (< 60), partial_bonus (60 to < 80), full_bonus
    (80 to < 85), promotion_range (≥ 85), and not_scored."""
    df = _scores(scores, "distribution")
    edges = [policy.bonus_partial_at, policy.bonus_full_at, policy.promotion_min]
    if edges != sorted(edges):
        raise ParamsError("distribution: the policy's thresholds must rise: bonus_partial_at <= bonus_full_at "
                          f"<= promotion_min; got {', '.join(f'{e:g}' for e in edges)}")
    totals = df["total"].round(_DIGITS)
    scored = totals.dropna()
    people = len(df)
    lowers = [-math.inf, *edges]
    uppers = [*edges, math.inf]
    rows = []
    for band, lo, hi in zip(BANDS, lowers, uppers):
        n = int(((scored >= lo) & (scored < hi)).sum())
        rows.append({"band": band, "lower": lo, "upper": hi, "count": n})
    rows.append({"band": NOT_SCORED, "lower": float("nan"), "upper": float("nan"), "count": people - len(scored)})
    bands = pd.DataFrame(rows, columns=["band", "lower", "upper", "count"])
    bands["share"] = bands["count"] / people if people else float("nan")
    return Distribution(bands=bands, people=people, scored=len(scored), not_scored=people - len(scored),
                        provisional=int((totals.notna() & ~df["complete"]).sum()),
                        mean=float(scored.mean()) if len(scored) else float("nan"),
                        median=float(scored.median()) if len(scored) else float("nan"))
