"""A promotion's buyers: new against returning, and whether the new ones came back.

Buyer mix (`buyer_mix`)
-----------------------
The promotion's orders are those paid from ``start`` to ``end``, both instants included (a date
given as ``end`` means the whole day, through 23:59:59.999…); other rows are not counted and are
returned as ``excluded_*``. A buyer (distinct ``customer_id``) is *new* when ``first_paid[c]`` ≥
``start``, where ``first_paid`` is, per customer, the first payment of the run of payments that
holds their first promotion payment:

- the first paid order ever in the shop (runs never break; ``first_paid_times(orders, start,
  None)``): new = first order ever inside the promotion; or
- ``first_paid_times(orders, start)``: a run breaks after a gap of more than 365 days, which is
  DOMAIN ``new_buyer`` (no paid order in the 365 days before) as opsreport.metrics counts it.

Then: ``new_buyer_share`` = new buyers / buyers; ``new_customer_sales_share`` = GMV of the new
buyers' promotion orders / promotion GMV (every order of a new buyer counts); ``aov_*`` = GMV /
buyers of the group (DOMAIN ``aov``: per buyer); ``order_value_*`` = GMV / orders of the group.
Ratios with a zero denominator are NaN.

New-buyer repurchase (`new_buyer_repurchase`)
---------------------------------------------
``repurchased`` = new buyers with a paid order dated promo_end + 1 .. promo_end + window_days
(dates inclusive); ``rate`` = repurchased / new buyers. This is not DOMAIN ``repurchase_rate``
(≥ 2 orders in a window / ≥ 1). The window is *mature* when ``data_end`` (the last day with
complete data) ≥ its last day. While immature ``rate`` is NaN, ``repurchased`` is None,
``days_to_maturity`` says how many days remain and ``repurchased_so_far`` counts the buyers seen
up to data_end (for information, never as the rate). No new buyers: rate NaN, reason
``no_new_buyers``. Rows of ``orders`` without paid_at are unpaid orders and are ignored.

Bad rows (a missing customer or time, a negative amount, a buyer without first_paid or with a
first_paid after their promotion order) raise `ContractError` naming them; bad arguments raise
`ParamsError`; no order inside the promotion raises `DataNotFoundError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ._checks import require_columns

NEW_BUYER_DAYS = 365  # DOMAIN new_buyer
WINDOW_DAYS = 30
IMMATURE, NO_NEW_BUYERS = "immature", "no_new_buyers"  # reason codes (the view translates)
_SHOWN = 5  # rows or customers named in an error before "(and N more)"


@dataclass(frozen=True)
class BuyerMix:
    start: pd.Timestamp
    end: pd.Timestamp  # last instant included
    buyers: int
    new_buyers: int
    returning_buyers: int
    new_buyer_share: float
    orders: int
    new_buyer_orders: int
    returning_buyer_orders: int
    gmv: float
    new_buyer_gmv: float
    returning_buyer_gmv: float
    new_customer_sales_share: float
    aov_new: float  # GMV / buyers
    aov_returning: float
    order_value_new: float  # GMV / orders
    order_value_returning: float
    new_buyer_ids: tuple  # for new_buyer_repurchase
    excluded_orders: int  # paid outside start..end: not counted
    excluded_amount: float


@dataclass(frozen=True)
class Repurchase:
    new_buyers: int
    window_days: int
    window_start: dt.date
    window_end: dt.date
    data_end: dt.date
    mature: bool
    days_to_maturity: int  # 0 once mature
    repurchased_so_far: int  # seen up to min(data_end, window_end)
    repurchased: int | None  # None while immature
    rate: float  # NaN while immature or without new buyers
    reason: str | None = None  # IMMATURE, NO_NEW_BUYERS or None


def _listed(labels) -> str:
    labels = list(dict.fromkeys(str(x) for x in labels))
    return ", ".join(labels[:_SHOWN]) + (f" (and {len(labels) - _SHOWN} more)" if len(labels) > _SHOWN else "")


def _rows(frame: pd.DataFrame, mask: pd.Series) -> str:
    ids = frame.order_id[mask] if "order_id" in frame else pd.Series(None, index=frame.index[mask], dtype=object)
    return _listed(f"row {i}" + ("" if pd.isna(o) else f" (order {o})") for i, o in ids.items())


def _orders(frame: pd.DataFrame, what: str, columns: list[str], *, paid_only: bool) -> pd.DataFrame:
    require_columns(frame, columns, what)
    if isinstance(frame.paid_at.dtype, pd.DatetimeTZDtype):
        raise ParamsError(f"{what}: paid_at carries a time zone; convert it to the shop's local time and drop the zone.")
    out = frame[columns].copy()
    out["paid_at"] = pd.to_datetime(frame.paid_at, errors="coerce", format="mixed")
    bad = out.paid_at.isna() & (frame.paid_at.notna() | paid_only)
    if bad.any():
        raise ContractError(f"{what}: paid_at is missing or not a date and time in {_rows(frame, bad)}.")
    if out.customer_id.isna().any():
        raise ContractError(f"{what}: customer_id is missing in {_rows(frame, out.customer_id.isna())}.")
    if "paid_amount" in columns:
        out["paid_amount"] = pd.to_numeric(frame.paid_amount, errors="coerce").astype(float)
        if (bad := out.paid_amount.isna() | (out.paid_amount < 0)).any():
            raise ContractError(f"{what}: paid_amount is missing, not a number or negative in {_rows(frame, bad)}.")
    return out[out.paid_at.notna()]


def _instant(value, name: str, *, end: bool = False) -> pd.Timestamp:
    """A datetime as is; a date (or 'YYYY-MM-DD') as 00:00 of it, or its last instant for ``end``."""
    whole_day = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if isinstance(value, str):
        try:
            value, whole_day = dt.date.fromisoformat(value), True
        except ValueError:
            pass
    try:
        stamp = pd.Timestamp(value) if isinstance(value, (str, dt.date, np.datetime64)) else pd.NaT
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp) or stamp.tz is not None:
        raise ParamsError(f"{name} must be a local date or date and time such as 2026-11-11 20:00 (got {value!r}).")
    return stamp + pd.Timedelta(days=1) - pd.Timedelta(1, "ns") if end and whole_day else stamp


def _whole_days(value, name: str, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParamsError(f"{name} must be a whole number of days ≥ 1{example} (got {value!r}).")
    return int(value)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


def first_paid_times(orders: pd.DataFrame, start, new_buyer_days: int | None = NEW_BUYER_DAYS) -> pd.Series:
    """customer_id -> first payment of the run holding their first payment at or after ``start``
    (customers paying from ``start`` on); a run breaks after more than ``new_buyer_days`` without a
    payment, never when None (then: the first payment ever). ``orders``: all the shop's orders."""
    start = _instant(start, "start")
    days = None if new_buyer_days is None else _whole_days(new_buyer_days, "new_buyer_days", ", or None")
    paid = _orders(orders, "Orders of the shop", ["customer_id", "paid_at"], paid_only=False)
    paid = paid.sort_values(["customer_id", "paid_at"], kind="stable")
    gap = paid.groupby("customer_id", sort=False).paid_at.diff()
    breaks = gap.isna() | (gap > pd.Timedelta(days=days)) if days else gap.isna()
    run_start = paid.paid_at.where(breaks).ffill()  # a customer's first row always breaks
    later = paid.paid_at >= start
    return run_start[later].groupby(paid.customer_id[later], sort=True).first().rename("first_paid")


def buyer_mix(promo_orders: pd.DataFrame, first_paid: pd.Series, start, end) -> BuyerMix:
    """New and returning buyers of the promotion (rules: module docstring). ``promo_orders``:
    customer_id, paid_at, paid_amount (order_id optional, to name bad rows)."""
    start, end = _instant(start, "start"), _instant(end, "end", end=True)
    if end < start:
        raise ParamsError(f"The promotion ends ({end}) before it starts ({start}): swap start and end.")
    if not isinstance(first_paid, pd.Series):
        raise ParamsError(f"first_paid must be a Series customer_id -> first paid_at (got {type(first_paid).__name__}).")
    what = "Paid orders of the promotion"
    paid = _orders(promo_orders, what, ["customer_id", "paid_at", "paid_amount"], paid_only=True)
    inside = paid.paid_at.between(start, end)
    if not inside.any():
        raise DataNotFoundError(f"{what}: none paid between {start} and {end}"
                                f"{f' ({len(paid)} rows given, all outside)' if len(paid) else ''}.")
    kept = paid[inside]
    firsts = kept.groupby("customer_id").paid_at.min()
    if (dup := first_paid.index.duplicated()).any():
        raise ContractError(f"first_paid lists customer {_listed(first_paid.index[dup])} more than once.")
    if isinstance(first_paid.dtype, pd.DatetimeTZDtype):
        raise ParamsError("first_paid carries a time zone; convert it to the shop's local time and drop the zone.")
    known = pd.to_datetime(first_paid, errors="coerce", format="mixed").reindex(firsts.index)
    if known.isna().any():
        raise ContractError(f"first_paid has no first payment (or not a date and time) for customer "
                            f"{_listed(known.index[known.isna()])}, "
                            "who paid in the promotion; build it from all the shop's orders.")
    if (late := known > firsts).any():
        raise ContractError(f"first_paid is after a promotion payment of customer {_listed(known.index[late])}: "
                            "it must be their first payment (of the run), which cannot follow it.")
    is_new = kept.customer_id.map(known >= start)
    new, old = kept[is_new], kept[~is_new]
    n_new, n_old = new.customer_id.nunique(), old.customer_id.nunique()
    new_gmv, old_gmv = float(new.paid_amount.sum()), float(old.paid_amount.sum())
    return BuyerMix(
        start=start, end=end, buyers=n_new + n_old, new_buyers=n_new, returning_buyers=n_old,
        new_buyer_share=n_new / (n_new + n_old), orders=len(kept), new_buyer_orders=len(new),
        returning_buyer_orders=len(old), gmv=new_gmv + old_gmv, new_buyer_gmv=new_gmv, returning_buyer_gmv=old_gmv,
        new_customer_sales_share=_ratio(new_gmv, new_gmv + old_gmv), aov_new=_ratio(new_gmv, n_new),
        aov_returning=_ratio(old_gmv, n_old), order_value_new=_ratio(new_gmv, len(new)),
        order_value_returning=_ratio(old_gmv, len(old)),
        new_buyer_ids=tuple(sorted(new.customer_id.unique(), key=str)),
        excluded_orders=int((~inside).sum()), excluded_amount=float(paid.paid_amount[~inside].sum()))


def new_buyer_repurchase(orders: pd.DataFrame, new_buyers: Iterable, promo_end, data_end,
                         window_days: int = WINDOW_DAYS) -> Repurchase:
    """Share of the promotion's new buyers paying again within ``window_days`` after it (module
    docstring). ``orders``: the shop's orders (customer_id, paid_at); ``new_buyers``: their ids."""
    window_days = _whole_days(window_days, "window_days", ", e.g. 30")
    if isinstance(new_buyers, (str, bytes)) or not isinstance(new_buyers, Iterable):
        raise ParamsError(f"new_buyers must be a collection of customer ids (got {type(new_buyers).__name__}).")
    last, data_end = _instant(promo_end, "promo_end").date(), _instant(data_end, "data_end").date()
    first_day, last_day = last + dt.timedelta(days=1), last + dt.timedelta(days=window_days)
    ids = set(new_buyers)
    paid = _orders(orders, "Orders of the shop", ["customer_id", "paid_at"], paid_only=False)
    day = paid.paid_at.dt.date
    seen = paid.customer_id[(day >= first_day) & (day <= min(last_day, data_end)) & paid.customer_id.isin(ids)]
    so_far, mature = seen.nunique(), data_end >= last_day
    reason = NO_NEW_BUYERS if not ids else None if mature else IMMATURE
    return Repurchase(
        new_buyers=len(ids), window_days=window_days, window_start=first_day, window_end=last_day,
        data_end=data_end, mature=mature, days_to_maturity=max(0, (last_day - data_end).days),
        repurchased_so_far=so_far, repurchased=so_far if mature else None,
        rate=_ratio(so_far, len(ids)) if mature else float("nan"), reason=reason)
