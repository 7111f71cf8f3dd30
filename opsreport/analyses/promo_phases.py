"""A promotion's phases: GMV, buyers, target achievement and traffic per phase, and the pace curve
their targets imply.

Phases
------
One row per phase: ``phase`` (a code of `opsreport.schemas.PROMOTION_PHASES`), ``start_at`` and
``end_at`` (shop-local, time-zone naive; ``end_at`` is the phase's LAST instant, e.g. 23:59:59) and
``target_gmv`` (yuan; empty when the phase has none, as deposits: they are not GMV until the balance
is paid). A phase covers [start_at, end_at + 1 s). Phases may leave gaps but must not overlap; each
code appears once; results are in time order.

Phase summary (`phase_summary`)
-------------------------------
A paid order counts in the phase holding its ``paid_at``; orders outside every phase are not counted.
``gmv`` = Σ paid_amount, ``orders`` = paid orders, ``paid_buyers`` = distinct customer_id (from the
orders), ``aov`` = gmv / paid_buyers (the pinned 客单价), ``gmv_per_order`` = gmv / orders (NaN
without orders), ``achievement_rate`` = gmv / target_gmv (NaN when the target is empty or 0).

Traffic comes from the shop's daily figures (date, uv, paid_buyers), which cannot be split by hour,
so each calendar day goes to ONE phase (`phase_days`): the phase holding the most of its 24 hours,
provided that phase holds at least as many hours as the time outside every phase (a promotion
starting at 20:00 leaves that day to the ordinary days); between phases a tie goes to the later one.
Over a phase's assigned days: ``days`` (count), ``first_day``, ``last_day``, ``uv`` = average daily
UV (a multi-day UV is never a sum), ``uv_sum`` = Σ daily uv, ``buyer_days`` = Σ daily paid_buyers,
``conversion_rate`` = buyer_days / uv_sum (recomputed, never an average of daily rates). They are NaN
(unknown, not 0) for a phase without an assigned day or with an assigned day missing from ``daily``.

Pace curve (`phase_curve`)
--------------------------
For `promo_pace.hourly_pace(curve=...)`: one value per hour of `promo_pace.promotion_hours(start,
end)`, the share of the summed phase targets expected by the END of that hour. An hour belongs to
the phase holding its first instant (a phase from 20:30 starts with the 21:00 hour). Each phase's
target is spread over its hours in proportion to ``hour_profile`` (weights of the hours of the day
0..23, summing to 1, e.g. `promo_pace.hour_of_day_profile` of a baseline); evenly if the profile is
0 on all of them. Hours outside every phase, and phases with no target (or 0), add nothing. The
curve is the running sum divided by Σ targets, so it ends at exactly 1.

Errors: bad rows raise `ContractError` naming them (index label and phase or order); bad arguments
`ParamsError`; no phase, no order in any phase or no phase target `DataNotFoundError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ..schemas import PROMOTION_PHASES
from ._checks import require_columns
from .promo_pace import HOUR, promotion_hours

SECOND = pd.Timedelta(seconds=1)
DAY = pd.Timedelta(days=1)
_SHOWN = 5
SUMMARY_COLUMNS = ["phase", "start_at", "end_at", "gmv", "orders", "paid_buyers", "aov", "gmv_per_order",
                   "target_gmv", "achievement_rate", "days", "first_day", "last_day", "uv", "uv_sum",
                   "buyer_days", "conversion_rate"]
DAY_COLUMNS = ["date", "phase", "phase_hours"]


# --------------------------------------------------------------------------- input checks

def _rows(frame: pd.DataFrame, mask, key: str | None = None) -> str:
    mask = np.asarray(mask, dtype=bool)
    keys = frame[key][mask] if key in frame else [None] * int(mask.sum())
    names = [f"row {label}" + (f" ({key} {k})" if k is not None and not pd.isna(k) else "")
             for label, k in zip(frame.index[mask], keys)]
    return ", ".join(names[:_SHOWN]) + (f" (and {len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")


def _stamps(frame: pd.DataFrame, column: str, what: str, key: str) -> pd.Series:
    try:
        parsed = _to_datetime(frame[column])
    except (TypeError, ValueError):  # text with different time zones
        parsed = pd.Series(pd.Timestamp(0, tz="UTC"), index=frame.index)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        raise ParamsError(f"{what}: {column} carries a time zone; convert it to the shop's local time and drop the zone.")
    if parsed.isna().any():
        raise ContractError(f"{what}: {column} is missing or not a date and time in {_rows(frame, parsed.isna(), key)}.")
    return parsed


def _to_datetime(values: pd.Series) -> pd.Series:
    """Datetimes as given, or text read one value at a time (a mixed column is not coerced wholesale)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values, errors="coerce", format="mixed")


def _amounts(frame: pd.DataFrame, column: str, what: str, key: str, *, nullable: bool = False) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = values.isna() & (frame[column].notna() if nullable else True)
    if bad.any():
        raise ContractError(f"{what}: {column} is missing or not a number in {_rows(frame, bad, key)}.")
    if (values < 0).any():
        raise ContractError(f"{what}: negative {column} in {_rows(frame, values < 0, key)}; it must be 0 or more.")
    return values


def _phases(phases: pd.DataFrame) -> pd.DataFrame:
    what = "Promotion phases"
    require_columns(phases, ["phase", "start_at", "end_at", "target_gmv"], what)
    if phases.empty:
        raise DataNotFoundError(f"{what}: none given; import the promotion's phases (table promotion_phases).")
    unknown = ~phases.phase.isin(PROMOTION_PHASES)
    if unknown.any():
        raise ContractError(f"{what}: unknown phase code in {_rows(phases, unknown, 'phase')}; "
                            f"use one of {', '.join(PROMOTION_PHASES)}.")
    twice = phases.phase.duplicated(keep=False)
    if twice.any():
        raise ContractError(f"{what}: a phase is listed more than once in {_rows(phases, twice, 'phase')}.")
    p = pd.DataFrame({"phase": phases.phase, "start_at": _stamps(phases, "start_at", what, "phase"),
                      "end_at": _stamps(phases, "end_at", what, "phase"),
                      "target_gmv": _amounts(phases, "target_gmv", what, "phase", nullable=True)}, index=phases.index)
    backwards = p.end_at < p.start_at
    if backwards.any():
        raise ContractError(f"{what}: end_at before start_at in {_rows(phases, backwards, 'phase')}.")
    p = p.sort_values("start_at", kind="stable")
    p["end_excl"] = p.end_at + SECOND
    overlap = p.start_at.iloc[1:].to_numpy() < p.end_excl.iloc[:-1].to_numpy()
    if overlap.any():
        i = int(np.argmax(overlap))
        raise ContractError(f"{what}: {p.phase.iloc[i]} (to {p.end_at.iloc[i]}) overlaps {p.phase.iloc[i + 1]} "
                            f"(from {p.start_at.iloc[i + 1]}); a payment must fall in one phase only.")
    return p.reset_index(drop=True)


# --------------------------------------------------------------------------- day assignment

def _assign(p: pd.DataFrame) -> pd.DataFrame:
    days = pd.date_range(p.start_at.min().normalize(), (p.end_excl.max() - pd.Timedelta(1)).normalize(), freq="D")
    rows = []
    for day in days:
        held = [max(min(day + DAY, e) - max(day, s), pd.Timedelta(0)) for s, e in zip(p.start_at, p.end_excl)]
        best = max(range(len(held)), key=lambda i: (held[i], i))  # time order: ties go to the later phase
        wins = held[best] > pd.Timedelta(0) and held[best] >= DAY - sum(held, pd.Timedelta(0))
        rows.append((day.date(), p.phase[best] if wins else None, held[best] / HOUR if wins else 0.0))
    return pd.DataFrame(rows, columns=DAY_COLUMNS)


def phase_days(phases: pd.DataFrame) -> pd.DataFrame:
    """Every calendar day the phases touch: ``date``, ``phase`` (empty: an ordinary day) and
    ``phase_hours`` (hours of that day in its phase). Rule: module docstring."""
    return _assign(_phases(phases))


# --------------------------------------------------------------------------- summary

def phase_summary(phases: pd.DataFrame, orders: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """One row per phase in time order (columns `SUMMARY_COLUMNS`; definitions: module docstring).

    ``orders``: paid orders (order_id, customer_id, paid_at, paid_amount); ``daily``: the shop's
    days (date, uv, paid_buyers), one row per date."""
    p = _phases(phases)
    what = "Paid orders"
    require_columns(orders, ["order_id", "customer_id", "paid_at", "paid_amount"], what)
    paid_at = _stamps(orders, "paid_at", what, "order_id")
    amount = _amounts(orders, "paid_amount", what, "order_id")
    no_buyer = orders.customer_id.isna() | (orders.customer_id.astype(str).str.strip() == "")
    if no_buyer.any():
        raise ContractError(f"{what}: customer_id is missing in {_rows(orders, no_buyer, 'order_id')}.")
    twice = orders.order_id.duplicated(keep=False)
    if twice.any():
        raise ContractError(f"{what}: an order is listed more than once in {_rows(orders, twice, 'order_id')}.")
    intervals = pd.IntervalIndex.from_arrays(p.start_at, p.end_excl, closed="left")
    o = pd.DataFrame({"slot": intervals.get_indexer(paid_at), "amount": amount.to_numpy(),
                      "customer": orders.customer_id.to_numpy()})
    o = o[o.slot >= 0]
    if o.empty:
        raise DataNotFoundError(f"{what}: none paid in any phase ({p.start_at.min()} to {p.end_at.max()}; "
                                f"{len(orders)} rows given); check the promotion and the orders' shop.")
    by = o.groupby("slot").agg(gmv=("amount", "sum"), orders=("amount", "size"), paid_buyers=("customer", "nunique"))
    out = p[["phase", "start_at", "end_at", "target_gmv"]].join(by).fillna({"gmv": 0.0, "orders": 0, "paid_buyers": 0})
    out = out.astype({"orders": int, "paid_buyers": int})
    out["aov"] = (out.gmv / out.paid_buyers).where(out.paid_buyers > 0)
    out["gmv_per_order"] = (out.gmv / out.orders).where(out.orders > 0)
    out["achievement_rate"] = (out.gmv / out.target_gmv).where(out.target_gmv > 0)

    what = "Shop daily figures"
    require_columns(daily, ["date", "uv", "paid_buyers"], what)
    dates = _to_datetime(daily.date)
    if dates.isna().any():
        raise ContractError(f"{what}: date is missing or not a date in {_rows(daily, dates.isna())}.")
    d = pd.DataFrame({"date": dates.dt.date, "uv": _amounts(daily, "uv", what, "date"),
                      "buyer_days": _amounts(daily, "paid_buyers", what, "date")})
    if d.date.duplicated().any():
        raise ContractError(f"{what}: a date is listed more than once in {_rows(daily, d.date.duplicated(keep=False), 'date')}.")
    days = _assign(p).merge(d, on="date", how="left")
    days = days[days.phase.notna()]
    traffic = days.groupby("phase").agg(days=("date", "size"), first_day=("date", "min"), last_day=("date", "max"),
                                        uv_sum=("uv", lambda s: s.sum(min_count=len(s))),
                                        buyer_days=("buyer_days", lambda s: s.sum(min_count=len(s))))
    out = out.merge(traffic, left_on="phase", right_index=True, how="left").fillna({"days": 0})
    out["days"] = out.days.astype(int)
    out["uv"] = (out.uv_sum / out.days).where(out.days > 0)
    out["conversion_rate"] = (out.buyer_days / out.uv_sum).where(out.uv_sum > 0)
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- pace curve

def _profile(hour_profile) -> np.ndarray:
    if not isinstance(hour_profile, pd.Series):
        raise ParamsError(f"hour_profile must be a pandas Series indexed by the hours of the day 0..23 "
                          f"(got {type(hour_profile).__name__}).")
    if sorted(hour_profile.index.tolist()) != list(range(24)):
        raise ParamsError("hour_profile must have one weight for each hour of the day 0..23.")
    values = pd.to_numeric(hour_profile.sort_index(), errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any() or abs(values.sum() - 1) > 1e-6:
        raise ParamsError(f"hour_profile must hold weights ≥ 0 summing to 1 (they sum to {np.nansum(values):.4f}).")
    return values


def phase_curve(phases: pd.DataFrame, hour_profile: pd.Series, start, end) -> pd.Series:
    """Cumulative share of the summed phase targets by the end of each promotion hour (module
    docstring), ready for `promo_pace.hourly_pace(..., curve=...)`."""
    p = _phases(phases)
    weights = _profile(hour_profile)
    hours = promotion_hours(start, end)
    amounts = np.zeros(len(hours))
    targeted = p[p.target_gmv > 0]
    if targeted.empty:
        raise DataNotFoundError("No phase has a GMV target (target_gmv empty or 0 in every phase), so the phases "
                                "imply no pace: fill target_gmv, or use the baseline or flat curve of promo_pace.")
    for row in targeted.itertuples():
        own = pd.date_range(row.start_at.ceil("h"), row.end_excl - pd.Timedelta(1), freq="h")
        if own.empty or own[0] < hours[0] or own[-1] > hours[-1]:
            raise ParamsError(f"Phase {row.phase} ({row.start_at} to {row.end_at}) has a GMV target but "
                              f"{'no whole hour' if own.empty else 'hours outside the promotion'} "
                              f"({hours[0]} to {hours[-1] + HOUR}): check the phases against the promotion's dates.")
        w = weights[own.hour]
        w = w / w.sum() if w.sum() > 0 else np.full(len(own), 1 / len(own))
        amounts[hours.get_indexer(own)] += row.target_gmv * w
    shares = np.cumsum(amounts) / targeted.target_gmv.sum()
    shares[-1] = 1.0  # Σ of the spread targets, up to float rounding
    return pd.Series(np.minimum(shares, 1.0), index=hours, name="pace_share")
