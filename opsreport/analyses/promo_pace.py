"""A promotion's GMV hour by hour against its target pace, and its pre-sale balance completion.

Hour-by-hour pace
-----------------
The promotion runs from 00:00 of ``start`` to 24:00 of ``end`` (both dates included, shop-local
wall-clock time; ``paid_at`` must be time-zone naive in the same clock). Its hours are labelled
by their first instant; an hour holds the orders paid in [h, h + 1 h). Orders paid outside the
promotion's hours are not counted (their number and amount are returned as ``excluded_*``).

The pace curve gives, for every promotion hour, the share of the GMV target expected by the END
of that hour: non-decreasing, within 0–1, 1 at the last hour. It is, in order of precedence:

- ``curve``: a Series indexed by the promotion hours (given by the caller);
- ``baseline_curve(baseline, start, end)``: the hour-of-day profile of an earlier period's
  orders, p(k) = GMV paid in hour-of-day k / all GMV of the baseline (k = 0..23); every promotion
  day gets the same 1/D of the target (D = its days), spread over its hours by p, so the share by
  the end of hour k of day d (d = 0..D−1) is (d + p(0) + … + p(k)) / D;
- the flat curve: every hour the same 1 / (24 × D).

Per hour: ``gmv`` (paid in the hour), ``cumulative_gmv`` (since the start), ``target_pace`` =
target × curve (cumulative, yuan), ``gap`` = cumulative_gmv − target_pace, ``gap_share`` =
gap / target_pace (NaN while the pace is 0). An hour is *behind* when gap < 0 (any amount) and
*beyond the threshold* when gap_share < −threshold, i.e. strictly more than ``threshold`` below
pace (exactly 30% below does not count; comparisons allow 1e-9 × target for float rounding).

The day check (the seeds' promotion-monitoring rule, threshold 0.30 by default): a day *fires*
when its own GMV ends the day more than ``threshold`` below its own pace, the target × (curve at
the day's last hour − curve at the previous day's last hour). Within the day, the first hour
behind and the first hour beyond the threshold compare the day's GMV so far with the day's pace so
far. For the first day this is exactly the cumulative comparison from the start; each later day is
judged on its own, so a weak first day does not make every later day fire (the cumulative position
at each day's end is returned beside it). ``alert`` is the first day's check: the seeds' rule.

Pre-sale
--------
Each row is one pre-sale order: a deposit paid at ``deposit_paid_at`` and a balance due of
``balance_amount``, paid at ``balance_paid_at`` (missing: never paid). GMV counts when the balance
is paid: the order's deposit + balance are recognised on the balance payment's date; an order
whose balance is never paid adds no GMV (its deposit is not GMV). Completion rates:

- by amount: Σ balance_amount of paid balances / Σ balance_amount of all deposited orders;
- by units: Σ quantity of orders with a paid balance / Σ quantity of all deposited orders;
- by buyers: distinct customers with at least one paid balance / distinct customers with a
  deposit (a buyer who paid one of two balances counts as completing).

Bad rows (a negative amount or quantity, a missing time or customer, a balance paid before its
deposit) raise `ContractError` naming the rows (index label, and order_id when there is one);
bad arguments raise `ParamsError`; no orders at all raise `DataNotFoundError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ._checks import as_date

#: The seeds' rule: the first day more than 30% below its target pace raises an alert.
THRESHOLD = 0.30
HOUR = pd.Timedelta(hours=1)
_SHOWN = 5  # rows named in an error before "(and N more)"
_EPS = 1e-9  # relative float tolerance (times the target) for "behind"
HOURLY_COLUMNS = ["hour", "gmv", "cumulative_gmv", "target_pace", "gap", "gap_share"]
PRESALE_COLUMNS = ["deposit_paid_at", "deposit_amount", "balance_paid_at", "balance_amount", "quantity", "customer_id"]


# --------------------------------------------------------------------------- input checks

def _rows(frame: pd.DataFrame, mask) -> str:
    mask = np.asarray(mask, dtype=bool)
    labels = []
    for label, order in zip(frame.index[mask], (frame["order_id"][mask] if "order_id" in frame else [None] * mask.sum())):
        labels.append(f"row {label}" + (f" (order {order})" if order is not None and not pd.isna(order) else ""))
    shown = ", ".join(labels[:_SHOWN])
    return shown + (f" (and {len(labels) - _SHOWN} more)" if len(labels) > _SHOWN else "")


def _require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ParamsError(f"{what} must be a pandas DataFrame (got {type(frame).__name__}).")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParamsError(f"{what} lack the column(s) {', '.join(missing)} (they have {', '.join(map(str, frame.columns))}).")


def _times(frame: pd.DataFrame, column: str, what: str, *, nullable: bool = False) -> pd.Series:
    values = frame[column]
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        raise ParamsError(f"{what}: {column} carries a time zone; convert it to the shop's local time and drop the zone.")
    parsed = pd.to_datetime(values, errors="coerce")
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise ContractError(f"{what}: {column} is not a date and time in {_rows(frame, bad)}.")
    if not nullable and parsed.isna().any():
        raise ContractError(f"{what}: {column} is missing in {_rows(frame, parsed.isna())}.")
    return parsed


def _non_negative(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = values.isna()
    if bad.any():
        raise ContractError(f"{what}: {column} is missing or not a number in {_rows(frame, bad)}.")
    negative = values < 0
    if negative.any():
        raise ContractError(f"{what}: negative {column} in {_rows(frame, negative)}; it must be 0 or more.")
    return values


def _paid_orders(orders: pd.DataFrame, what: str) -> pd.DataFrame:
    _require_columns(orders, ["paid_at", "paid_amount"], what)
    return pd.DataFrame({"paid_at": _times(orders, "paid_at", what),
                         "paid_amount": _non_negative(orders, "paid_amount", what)}, index=orders.index)


def promotion_hours(start, end) -> pd.DatetimeIndex:
    """The promotion's hours, 00:00 of ``start`` to 23:00 of ``end``, labelled by their first instant."""
    first, last = as_date(start, "start"), as_date(end, "end")
    if last < first:
        raise ParamsError(f"The promotion ends ({last}) before it starts ({first}): swap start and end.")
    days = (last - first).days + 1
    return pd.date_range(pd.Timestamp(first), periods=24 * days, freq="h", name="hour")


# --------------------------------------------------------------------------- pace curves

def flat_curve(start, end) -> pd.Series:
    """The same share of the target every hour: share by the end of hour i = (i + 1) / hours."""
    hours = promotion_hours(start, end)
    return pd.Series(np.arange(1, len(hours) + 1) / len(hours), index=hours, name="pace_share")


def hour_of_day_profile(baseline: pd.DataFrame) -> pd.Series:
    """Share of the baseline's GMV paid in each hour of the day (index 0..23, sums to 1)."""
    what = "Baseline orders"
    paid = _paid_orders(baseline, what)
    total = float(paid.paid_amount.sum())
    if paid.empty or total <= 0:
        raise DataNotFoundError(f"{what} hold no GMV ({len(paid)} rows): the pace curve needs a baseline with paid orders, "
                                "or pass curve=None for a flat curve.")
    by_hour = paid.groupby(paid.paid_at.dt.hour).paid_amount.sum().reindex(range(24), fill_value=0.0)
    return (by_hour / total).rename_axis("hour_of_day").rename("gmv_share")


def baseline_curve(baseline: pd.DataFrame, start, end) -> pd.Series:
    """Cumulative share of the target by the end of each promotion hour: equal days, each spread
    over its hours by the baseline's hour-of-day profile (see the module docstring)."""
    hours = promotion_hours(start, end)
    days = len(hours) // 24
    within_day = hour_of_day_profile(baseline).cumsum().to_numpy(dtype=float, copy=True)
    within_day[-1] = 1.0  # the profile sums to 1 up to float rounding
    shares = np.concatenate([(d + within_day) / days for d in range(days)])
    return pd.Series(shares, index=hours, name="pace_share")


def _checked_curve(curve: pd.Series, hours: pd.DatetimeIndex) -> pd.Series:
    if not isinstance(curve, pd.Series):
        raise ParamsError(f"The pace curve must be a pandas Series indexed by the promotion's hours (got {type(curve).__name__}).")
    try:
        index = pd.DatetimeIndex(curve.index)
    except (TypeError, ValueError) as exc:
        raise ParamsError("The pace curve must be indexed by the promotion's hours (timestamps).") from exc
    if not index.equals(hours):
        raise ParamsError(f"The pace curve must have one value for each of the promotion's {len(hours)} hours, "
                          f"{hours[0]} to {hours[-1]} (it has {len(index)}, {index.min()} to {index.max()}).")
    values = pd.to_numeric(curve, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any() or (values < -_EPS).any() or (values > 1 + _EPS).any():
        raise ParamsError("The pace curve's values must be shares of the target between 0 and 1.")
    if (np.diff(values) < -_EPS).any():
        raise ParamsError("The pace curve must not decrease: it is the share of the target expected BY each hour.")
    if abs(values[-1] - 1.0) > 1e-6:
        raise ParamsError(f"The pace curve must reach 1 (the whole target) at the last hour (it ends at {values[-1]:.4f}).")
    return pd.Series(values, index=hours, name="pace_share")


# --------------------------------------------------------------------------- hour-by-hour pace

@dataclass(frozen=True)
class DayCheck:
    """One promotion day against its own pace (the seeds' rule for the first day)."""

    day: dt.date
    gmv: float  # paid on the day
    target_pace: float  # the day's own share of the target (yuan)
    cumulative_gmv: float  # since the start, at the day's end
    cumulative_pace: float
    first_hour_behind: pd.Timestamp | None  # the day's GMV so far first below its pace so far
    first_hour_beyond_threshold: pd.Timestamp | None  # ... first more than `threshold` below
    fires: bool  # the day ends more than `threshold` below its pace

    @property
    def gap(self) -> float:
        return self.gmv - self.target_pace

    @property
    def gap_share(self) -> float:
        return self.gap / self.target_pace if self.target_pace else float("nan")

    @property
    def cumulative_gap_share(self) -> float:
        return (self.cumulative_gmv - self.cumulative_pace) / self.cumulative_pace if self.cumulative_pace else float("nan")


@dataclass(frozen=True)
class PromoPace:
    start: dt.date
    end: dt.date
    target: float
    threshold: float
    curve_source: str  # "given", "baseline" or "flat"
    hourly: pd.DataFrame  # HOURLY_COLUMNS, one row per promotion hour
    days: tuple[DayCheck, ...]
    excluded_orders: int  # paid outside the promotion's hours: not counted
    excluded_amount: float

    @property
    def first_day(self) -> DayCheck:
        return self.days[0]

    @property
    def alert(self) -> bool:
        """The seeds' rule: the first day ended more than ``threshold`` below its target pace."""
        return self.first_day.fires

    @property
    def gmv(self) -> float:
        return float(self.hourly.gmv.sum())

    def days_frame(self) -> pd.DataFrame:
        """One row per day: the DayCheck fields plus gap, gap_share and cumulative_gap_share."""
        rows = [{**{f: getattr(c, f) for f in DayCheck.__dataclass_fields__},
                 "gap": c.gap, "gap_share": c.gap_share, "cumulative_gap_share": c.cumulative_gap_share} for c in self.days]
        return pd.DataFrame(rows)


def _first(hours: pd.DatetimeIndex, mask: np.ndarray) -> pd.Timestamp | None:
    return hours[int(np.argmax(mask))] if mask.any() else None


def hourly_pace(orders: pd.DataFrame, start, end, target: float, *, curve: pd.Series | None = None,
                baseline: pd.DataFrame | None = None, threshold: float = THRESHOLD) -> PromoPace:
    """GMV hour by hour against the target pace, and each day's check (rules: module docstring).

    ``orders``: the promotion's paid orders, ``paid_at`` and ``paid_amount`` (``order_id``
    optional, used to name bad rows). ``curve`` (a Series over the promotion hours) or
    ``baseline`` (orders of an earlier period, for `baseline_curve`), or neither for a flat curve.
    """
    hours = promotion_hours(start, end)
    if isinstance(target, bool) or not isinstance(target, (int, float, np.number)) or not np.isfinite(target) or target <= 0:
        raise ParamsError(f"The GMV target must be a positive amount in yuan (got {target!r}).")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not 0 <= threshold < 1:
        raise ParamsError(f"threshold must be a share between 0 and 1, e.g. 0.30 (got {threshold!r}).")
    if curve is not None and baseline is not None:
        raise ParamsError("Give either a pace curve or baseline orders to derive it from, not both.")
    if curve is not None:
        shares, source = _checked_curve(curve, hours), "given"
    elif baseline is not None:
        shares, source = baseline_curve(baseline, hours[0], hours[-1]), "baseline"
    else:
        shares, source = flat_curve(hours[0], hours[-1]), "flat"

    what = "Paid orders of the promotion"
    paid = _paid_orders(orders, what)
    inside = (paid.paid_at >= hours[0]) & (paid.paid_at < hours[-1] + HOUR)
    if not inside.any():
        outside = f" ({len(paid)} rows given, all outside)" if len(paid) else ""
        raise DataNotFoundError(f"{what}: none paid between {hours[0]} and {hours[-1] + HOUR}{outside}; "
                                "check the promotion's dates and the orders' shop.")
    kept = paid[inside]
    gmv = kept.groupby(kept.paid_at.dt.floor("h")).paid_amount.sum().reindex(hours, fill_value=0.0).to_numpy()
    target = float(target)
    tolerance = _EPS * target
    cumulative = np.cumsum(gmv)
    pace = target * shares.to_numpy()
    gap = cumulative - pace
    with np.errstate(divide="ignore", invalid="ignore"):
        gap_share = np.where(pace > 0, gap / np.where(pace > 0, pace, 1.0), np.nan)
    hourly = pd.DataFrame({"hour": hours, "gmv": gmv, "cumulative_gmv": cumulative, "target_pace": pace,
                           "gap": gap, "gap_share": gap_share}, columns=HOURLY_COLUMNS)

    checks, before_gmv, before_pace = [], 0.0, 0.0
    for d in range(len(hours) // 24):
        part = slice(24 * d, 24 * (d + 1))
        day_gmv_so_far = cumulative[part] - before_gmv
        day_pace_so_far = pace[part] - before_pace
        behind = day_gmv_so_far < day_pace_so_far - tolerance
        beyond = day_gmv_so_far < (1 - threshold) * day_pace_so_far - tolerance
        checks.append(DayCheck(
            day=hours[24 * d].date(), gmv=float(day_gmv_so_far[-1]), target_pace=float(day_pace_so_far[-1]),
            cumulative_gmv=float(cumulative[part][-1]), cumulative_pace=float(pace[part][-1]),
            first_hour_behind=_first(hours[part], behind), first_hour_beyond_threshold=_first(hours[part], beyond),
            fires=bool(beyond[-1])))
        before_gmv, before_pace = float(cumulative[part][-1]), float(pace[part][-1])
    return PromoPace(start=hours[0].date(), end=hours[-1].date(), target=target, threshold=float(threshold),
                     curve_source=source, hourly=hourly, days=tuple(checks),
                     excluded_orders=int((~inside).sum()), excluded_amount=float(paid.paid_amount[~inside].sum()))


# --------------------------------------------------------------------------- pre-sale

@dataclass(frozen=True)
class PresaleCompletion:
    deposit_orders: int
    deposit_amount: float
    deposit_units: float
    deposit_buyers: int
    balance_due_amount: float  # Σ balance_amount of every deposited order
    balance_orders: int  # orders whose balance is paid
    balance_amount: float  # Σ balance_amount paid
    balance_units: float
    balance_buyers: int  # distinct buyers with at least one paid balance
    recognised_gmv: float  # deposit + balance of the orders whose balance is paid

    @property
    def amount_completion_rate(self) -> float:
        return self.balance_amount / self.balance_due_amount if self.balance_due_amount else float("nan")

    @property
    def units_completion_rate(self) -> float:
        return self.balance_units / self.deposit_units if self.deposit_units else float("nan")

    @property
    def buyers_completion_rate(self) -> float:
        return self.balance_buyers / self.deposit_buyers if self.deposit_buyers else float("nan")


def _presale(orders: pd.DataFrame) -> pd.DataFrame:
    what = "Pre-sale orders"
    _require_columns(orders, PRESALE_COLUMNS, what)
    if orders.empty:
        raise DataNotFoundError(f"{what}: none given; a pre-sale needs at least one deposit.")
    frame = pd.DataFrame({
        "deposit_paid_at": _times(orders, "deposit_paid_at", what),
        "balance_paid_at": _times(orders, "balance_paid_at", what, nullable=True),
        "deposit_amount": _non_negative(orders, "deposit_amount", what),
        "balance_amount": _non_negative(orders, "balance_amount", what),
        "quantity": _non_negative(orders, "quantity", what),
        "customer_id": orders["customer_id"],
    }, index=orders.index)
    no_buyer = frame.customer_id.isna() | (frame.customer_id.astype(str).str.strip() == "")
    if no_buyer.any():
        raise ContractError(f"{what}: customer_id is missing in {_rows(orders, no_buyer)} (buyers are counted by it).")
    early = frame.balance_paid_at.notna() & (frame.balance_paid_at < frame.deposit_paid_at)
    if early.any():
        raise ContractError(f"{what}: balance paid before the deposit (balance_paid_at < deposit_paid_at) "
                            f"in {_rows(orders, early)}; check the two columns.")
    return frame


def presale_completion(orders: pd.DataFrame) -> PresaleCompletion:
    """Deposits vs paid balances, and the completion rates by amount, units and buyers."""
    p = _presale(orders)
    paid = p[p.balance_paid_at.notna()]
    return PresaleCompletion(
        deposit_orders=len(p), deposit_amount=float(p.deposit_amount.sum()), deposit_units=float(p.quantity.sum()),
        deposit_buyers=int(p.customer_id.nunique()), balance_due_amount=float(p.balance_amount.sum()),
        balance_orders=len(paid), balance_amount=float(paid.balance_amount.sum()),
        balance_units=float(paid.quantity.sum()), balance_buyers=int(paid.customer_id.nunique()),
        recognised_gmv=float((paid.deposit_amount + paid.balance_amount).sum()))


def presale_recognised_gmv(orders: pd.DataFrame) -> pd.DataFrame:
    """GMV recognised from pre-sale orders per day: deposit + balance, dated on the balance
    payment's date. Columns day, gmv, orders, units; only days with a paid balance."""
    p = _presale(orders)
    paid = p[p.balance_paid_at.notna()]
    grouped = (paid.assign(day=paid.balance_paid_at.dt.date, gmv=paid.deposit_amount + paid.balance_amount)
               .groupby("day").agg(gmv=("gmv", "sum"), orders=("gmv", "size"), units=("quantity", "sum")))
    return grouped.reset_index()[["day", "gmv", "orders", "units"]]
