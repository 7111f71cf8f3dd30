"""A promotion's immature refund rate projected to its final value from earlier promotions' refunds.

Refunds keep arriving for weeks after payment; they are dated by their order's payment date.

- ``as_of``: the last day with complete data. Refunds dated after it are not yet known (ignored);
  a promotion order paid after it is a contract error.
- A refund's age: ``refunded_at.date() − paid_at.date()`` in whole days (same day: 0; paid 23:30,
  refunded 00:10 the next day: 1). Final refunds: those of age ≤ ``max_age_days`` (60); later
  ones count nowhere.
- Curve ``F(a)``, a = 0..max_age_days, from the *mature* orders (paid on or before as_of −
  max_age_days, so all their final refunds are known): Σ refund_amount of age ≤ a / Σ
  refund_amount of age ≤ max_age_days; F(max_age_days) = 1. No mature order: `DataNotFoundError`;
  mature orders without a final refund: NaN at every age (timing unknown, not zero).
- ``observed_rate`` = Σ refund_amount refunded by as_of / Σ paid_amount of the promotion.
- Payment day d: age_d = (as_of − d).days, GMV P_d, refunds known R_d; projected final refunds
  R_d / F(min(age_d, max_age_days)) (a day max_age_days or older stays at R_d). A day whose F is
  0 or NaN uses the pooled curve; if that is 0 too (no earlier refund ever came so young) the day
  gets the rate of the projectable days, P_d × Σ their projections / Σ their P. No day's projection
  is below its R_d.
- Earlier promotions are used when mature, (as_of − last payment day).days ≥ max_age_days; the
  others are ``skipped`` with a reason: ``immature``, ``no_orders``, ``no_refunds``.
- Central value: the pooled curve (all used promotions' orders together: their curves weighted
  by refund amount). ``by_promotion``: the projection with each one's own curve; ``low``/``high``:
  min/max of those and the central value (the range holds it even when curves cross).
- ``mature`` (youngest_age_days ≥ max_age_days): projected = low = high = observed.
- Otherwise without a used earlier promotion: projected/low/high NaN, ``reason`` =
  ``no_mature_earlier_promotion``; with no projectable day: NaN, ``too_young``.

Bad rows (a missing time or amount, a negative amount, a refund without refunded_at, above its
paid amount or before its payment) raise `ContractError` naming the rows (index, order_id when
present); bad arguments `ParamsError`; no orders or no GMV `DataNotFoundError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ..schemas import REFUND_TOLERANCE
from ._checks import as_date, require_columns

MAX_AGE_DAYS = 60
ORDER_COLUMNS = ["paid_at", "paid_amount", "refund_amount", "refunded_at"]
DAY_COLUMNS = ["day", "age_days", "paid_amount", "refund_amount", "curve_share", "projected_refund_amount"]
# reason codes (the view translates)
NO_MATURE_EARLIER, TOO_YOUNG = "no_mature_earlier_promotion", "too_young"
IMMATURE, NO_ORDERS, NO_REFUNDS = "immature", "no_orders", "no_refunds"
_SHOWN = 5  # rows named in an error before "(and N more)"


class Skipped(NamedTuple):
    promo_id: str
    reason: str  # IMMATURE, NO_ORDERS or NO_REFUNDS


@dataclass(frozen=True)
class RefundProjection:
    as_of: dt.date
    max_age_days: int
    gmv: float
    observed_refund_amount: float  # refunded by as_of
    observed_rate: float
    projected_rate: float  # NaN when `reason` says why
    low: float
    high: float
    oldest_age_days: int  # age of the first payment day
    youngest_age_days: int  # age of the last payment day
    mature: bool
    promotions_used: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    curve: pd.Series  # pooled F by age_days (empty when no promotion was used)
    days: pd.DataFrame  # DAY_COLUMNS, one row per payment day; central projection
    by_promotion: dict[str, float] = field(default_factory=dict)
    reason: str | None = None

    @property
    def projected_refund_amount(self) -> float:
        return self.projected_rate * self.gmv


def _rows(frame: pd.DataFrame, mask) -> str:
    mask = np.asarray(mask, dtype=bool)
    ids = frame["order_id"][mask] if "order_id" in frame else [None] * int(mask.sum())
    labels = [f"row {i}" + (f" (order {o})" if o is not None and not pd.isna(o) else "") for i, o in zip(frame.index[mask], ids)]
    return ", ".join(labels[:_SHOWN]) + (f" (and {len(labels) - _SHOWN} more)" if len(labels) > _SHOWN else "")


def _times(frame: pd.DataFrame, column: str, what: str, nullable: bool = False) -> pd.Series:
    if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
        raise ParamsError(f"{what}: {column} carries a time zone; convert it to the shop's local time and drop the zone.")
    parsed = pd.to_datetime(frame[column], errors="coerce", format="mixed")
    bad = parsed.isna() & (frame[column].notna() | (not nullable))
    if bad.any():
        raise ContractError(f"{what}: {column} is missing or not a date and time in {_rows(frame, bad)}.")
    return parsed


def _amounts(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for bad, text in ((values.isna(), f"{column} is missing or not a number"), (values < 0, f"negative {column}")):
        if bad.any():
            raise ContractError(f"{what}: {text} in {_rows(frame, bad)}.")
    return values


def _checked(orders: pd.DataFrame, what: str) -> pd.DataFrame:
    """paid_day, paid_amount, refund_amount, refund_day (NaT without a refund), validated."""
    require_columns(orders, ORDER_COLUMNS, what)
    paid_at, refunded_at = _times(orders, "paid_at", what), _times(orders, "refunded_at", what, nullable=True)
    paid, refund = _amounts(orders, "paid_amount", what), _amounts(orders, "refund_amount", what)
    for bad, text in ((refund.gt(0) & refunded_at.isna(), "a refund_amount without refunded_at"),
                      (refund > paid + REFUND_TOLERANCE, "a refund_amount above the paid_amount"),
                      (refunded_at < paid_at, "refunded_at before paid_at")):
        if bad.any():
            raise ContractError(f"{what}: {text} in {_rows(orders, bad)}.")
    return pd.DataFrame({"paid_day": paid_at.dt.normalize(), "paid_amount": paid,
                         "refund_amount": refund.where(refund > 0, 0.0),
                         "refund_day": refunded_at.dt.normalize().where(refund > 0)}, index=orders.index)


def _max_age(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParamsError(f"max_age_days must be a whole number of days ≥ 1, e.g. 60 (got {value!r}).")
    return int(value)


def _curve(orders: pd.DataFrame, as_of: dt.date, max_age: int, what: str) -> pd.Series:
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=max_age)
    mature = orders[orders.paid_day <= cutoff]
    if mature.empty:
        raise DataNotFoundError(f"{what}: no order paid on or before {cutoff.date()} ({max_age} days before "
                                f"{as_of}); the refund curve needs orders whose refunds are complete.")
    age = (mature.refund_day - mature.paid_day).dt.days
    counted = mature.refund_amount.gt(0) & age.le(max_age)
    ages = pd.RangeIndex(max_age + 1, name="age_days")
    by_age = mature.refund_amount[counted].groupby(age[counted].astype(int)).sum().reindex(ages, fill_value=0.0).cumsum()
    total = float(by_age.iloc[-1])
    values = by_age / total if total > 0 else pd.Series(np.nan, index=ages)
    if total > 0:
        values.iloc[-1] = 1.0  # exact despite float rounding
    return values.astype(float).rename("share_refunded")


def maturation_curve(orders: pd.DataFrame, as_of, max_age_days: int = MAX_AGE_DAYS) -> pd.Series:
    """F(age) for age 0..max_age_days from the mature orders (definition: module docstring)."""
    return _curve(_checked(orders, "Paid orders"), as_date(as_of, "as_of", "2026-12-01"), _max_age(max_age_days), "Paid orders")


def _project(days: pd.DataFrame, curve: pd.Series, pooled: pd.Series, max_age: int) -> tuple[float, np.ndarray, np.ndarray]:
    """(projected rate, F used per day, projected refunds per day) with ``curve``, falling back."""
    age = days.age_days.clip(upper=max_age).to_numpy()
    share = curve.reindex(age).to_numpy(dtype=float)
    share = np.where(share > 0, share, pooled.reindex(age).to_numpy(dtype=float))
    ok = share > 0
    refunds, paid = days.refund_amount.to_numpy(), days.paid_amount.to_numpy()
    if not ok.any():
        return np.nan, np.where(ok, share, np.nan), np.full(len(days), np.nan)
    projected = np.where(ok, refunds / np.where(ok, share, 1.0), 0.0)
    paid_ok = paid[ok].sum()
    rate_ok = projected[ok].sum() / paid_ok if paid_ok > 0 else 0.0
    projected = np.maximum(np.where(ok, projected, paid * rate_ok), refunds)  # never below what is known
    return float(projected.sum() / paid.sum()), np.where(ok, share, np.nan), projected


def _earlier_curves(earlier: Mapping, as_of: dt.date, max_age: int):
    """(promo_id -> own curve, pooled curve, skipped) of the earlier promotions."""
    curves, frames, skipped = {}, [], []
    for key, frame in earlier.items():
        pid, label = str(key), f"Orders of earlier promotion {key}"
        orders = _checked(frame, label)
        if orders.empty:
            skipped.append(Skipped(pid, NO_ORDERS))
        elif (pd.Timestamp(as_of) - orders.paid_day.max()).days < max_age:
            skipped.append(Skipped(pid, IMMATURE))
        elif (own := _curve(orders, as_of, max_age, label)).isna().all():
            skipped.append(Skipped(pid, NO_REFUNDS))
        else:
            curves[pid] = own
            frames.append(orders)
    pooled = _curve(pd.concat(frames), as_of, max_age, "Earlier promotions") if frames else pd.Series(
        dtype=float, index=pd.RangeIndex(0, name="age_days"), name="share_refunded")
    return curves, pooled, skipped


def project_refund_rate(current: pd.DataFrame, earlier: Mapping[str, pd.DataFrame] | None, as_of,
                        max_age_days: int = MAX_AGE_DAYS) -> RefundProjection:
    """The promotion's observed and projected final refund rate (rules: module docstring).

    ``current``: the promotion's paid orders (`ORDER_COLUMNS`, ``order_id`` optional to name bad
    rows); ``earlier``: promo_id -> an earlier promotion's paid orders (same columns).
    """
    as_of, max_age = as_date(as_of, "as_of", "2026-12-01"), _max_age(max_age_days)
    if earlier is not None and not isinstance(earlier, Mapping):
        raise ParamsError(f"earlier must map promo_id to that promotion's orders (got {type(earlier).__name__}).")
    what = "Paid orders of the promotion"
    cur = _checked(current, what)
    if cur.empty or cur.paid_amount.sum() <= 0:
        raise DataNotFoundError(f"{what}: {'none given' if cur.empty else 'no GMV'}; there is no refund rate to project.")
    late = cur.paid_day > pd.Timestamp(as_of)
    if late.any():
        raise ContractError(f"{what}: paid after the as-of date {as_of} in {_rows(current, late)}.")
    known = cur.refund_amount.where(cur.refund_day <= pd.Timestamp(as_of), 0.0)  # refunds after as_of: not yet known
    days = (cur.assign(refund_amount=known).groupby("paid_day")[["paid_amount", "refund_amount"]].sum()
            .rename_axis("day").reset_index())
    days.insert(1, "age_days", (pd.Timestamp(as_of) - days.day).dt.days)
    gmv, refunded = float(days.paid_amount.sum()), float(days.refund_amount.sum())
    observed = refunded / gmv

    curves, pooled, skipped = _earlier_curves(earlier or {}, as_of, max_age)
    youngest, oldest = int(days.age_days.min()), int(days.age_days.max())
    mature = youngest >= max_age
    reason, by_promotion = None, {}
    if mature:  # nothing left to arrive
        central = low = high = observed
        days["curve_share"], days["projected_refund_amount"] = 1.0, days.refund_amount
    elif not curves:  # no invented number: NaN and why
        central = low = high = np.nan
        reason, days["curve_share"], days["projected_refund_amount"] = NO_MATURE_EARLIER, np.nan, np.nan
    else:
        central, days["curve_share"], days["projected_refund_amount"] = _project(days, pooled, pooled, max_age)
        by_promotion = {pid: _project(days, c, pooled, max_age)[0] for pid, c in curves.items()}
        low, high = min(central, *by_promotion.values()), max(central, *by_promotion.values())
        reason = TOO_YOUNG if np.isnan(central) else None
    days["day"] = days.day.dt.date
    return RefundProjection(
        as_of=as_of, max_age_days=max_age, gmv=gmv, observed_refund_amount=refunded, observed_rate=observed,
        projected_rate=float(central), low=float(low), high=float(high), oldest_age_days=oldest,
        youngest_age_days=youngest, mature=mature, promotions_used=tuple(curves), skipped=tuple(skipped),
        curve=pooled, days=days[DAY_COLUMNS], by_promotion=by_promotion, reason=reason)
