"""A promotion's coupons (满减 tiers): redemption, what they cost, and the previous promotion's rate.

Each row of ``coupons`` is one coupon: ``discount`` yuan off an order of at least ``threshold``;
``issued`` coupons claimed by buyers, ``redeemed`` of them used in paid orders (whole numbers,
0 ≤ redeemed ≤ issued).

Definitions
-----------
Per coupon: ``redemption_rate`` = redeemed / issued (NaN when issued is 0); ``discount_cost`` =
redeemed × discount (yuan given away). Totals are recomputed from the summed parts, never averaged
over coupons:

- ``redemption_rate`` = Σ redeemed / Σ issued (NaN when nothing was issued);
- ``discount_cost`` = Σ discount_cost;
- ``effective_discount`` = discount_cost / (gmv + discount_cost): the share of the pre-coupon
  value given away, since ``gmv`` (DOMAIN: what buyers paid) is already after coupons. NaN when
  both are 0;
- ``cost_share_of_gmv`` = discount_cost / gmv (NaN when gmv is 0).

Against ``previous`` (the previous promotion's coupons, optional): ``previous_redemption_rate`` as
above, ``redemption_ratio`` = redemption_rate / previous_redemption_rate, and
``far_below_previous`` = redemption_ratio < ``far_below`` (0.5: strictly below half; exactly half
is not far below). Where the ratio is undefined (no previous frame, nothing issued on either side,
a previous rate of 0) the ratio is NaN and ``far_below_previous`` is None: unknown, not False.

A promotion without coupons (an empty frame) is an answer, not missing data: the summary has
``coupons`` = 0, ``reason`` = ``no_coupons``, zero counts and cost, and NaN redemption rates.

Bad rows (missing or duplicate coupon_id, a missing, negative or non-numeric value, a count that
is not a whole number, redeemed above issued) raise `ContractError` naming the coupon ids; bad
arguments (gmv, far_below, a non-frame) raise `ParamsError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError
from ._checks import require_columns

COUPON_COLUMNS = ["coupon_id", "threshold", "discount", "issued", "redeemed"]
PER_COUPON_COLUMNS = [*COUPON_COLUMNS, "redemption_rate", "discount_cost"]
FAR_BELOW = 0.5  # a redemption rate under half the previous promotion's is flagged
NO_COUPONS = "no_coupons"  # reason code (the view translates)
_SHOWN = 5  # coupon ids named in an error before "(and N more)"


@dataclass(frozen=True)
class CouponSummary:
    per_coupon: pd.DataFrame  # PER_COUPON_COLUMNS, in the input's order
    coupons: int
    issued: int
    redeemed: int
    redemption_rate: float
    discount_cost: float  # yuan
    gmv: float  # yuan paid by buyers, after coupons
    effective_discount: float
    cost_share_of_gmv: float
    far_below: float
    previous_redemption_rate: float = math.nan
    redemption_ratio: float = math.nan
    far_below_previous: bool | None = None  # None: not comparable
    reason: str | None = None  # NO_COUPONS or None


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def _named(ids) -> str:
    ids = list(dict.fromkeys(str(i) for i in ids))
    return ", ".join(ids[:_SHOWN]) + (f" (and {len(ids) - _SHOWN} more)" if len(ids) > _SHOWN else "")


def _checked(coupons: pd.DataFrame, what: str) -> pd.DataFrame:
    require_columns(coupons, COUPON_COLUMNS, what)
    frame = coupons[COUPON_COLUMNS].reset_index(drop=True)
    no_id = frame.coupon_id.isna()
    if no_id.any():
        raise ContractError(f"{what}: coupon_id is missing in row(s) {_named(coupons.index[no_id.to_numpy()])}.")
    dup = frame.coupon_id.duplicated(keep=False)
    if dup.any():
        raise ContractError(f"{what}: coupon {_named(frame.coupon_id[dup])} is listed more than once; keep one row per coupon.")
    for column in COUPON_COLUMNS[1:]:
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        for bad, text in ((values.isna(), "is missing or not a number"), (values < 0, "is negative"),
                          ((column in ("issued", "redeemed")) & (values % 1 != 0), "is not a whole number of coupons")):
            if bad.any():
                raise ContractError(f"{what}: {column} {text} for coupon {_named(frame.coupon_id[bad])}.")
        frame[column] = values
    over = frame.redeemed > frame.issued
    if over.any():
        raise ContractError(f"{what}: redeemed exceeds issued for coupon {_named(frame.coupon_id[over])}.")
    frame[["issued", "redeemed"]] = frame[["issued", "redeemed"]].astype("int64")
    return frame


def _number(value, name: str, text: str, ok) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value) or not ok(value):
        raise ParamsError(f"{name} must be {text} (got {value!r}).")
    return float(value)


def coupon_summary(coupons: pd.DataFrame, gmv: float, previous: pd.DataFrame | None = None,
                   far_below: float = FAR_BELOW) -> CouponSummary:
    """Redemption and cost of ``coupons`` (`COUPON_COLUMNS`) against the promotion's ``gmv``
    (rules: module docstring); ``previous``: the previous promotion's coupons, same columns."""
    gmv = _number(gmv, "gmv", "the promotion's GMV in yuan, 0 or more", lambda v: v >= 0)
    far_below = _number(far_below, "far_below", "a share in (0, 1], e.g. 0.5", lambda v: 0 < v <= 1)
    frame = _checked(coupons, "Coupons of the promotion")
    frame["redemption_rate"] = (frame.redeemed / frame.issued).where(frame.issued > 0)
    frame["discount_cost"] = frame.redeemed * frame.discount
    issued, redeemed = int(frame.issued.sum()), int(frame.redeemed.sum())
    cost = float(frame.discount_cost.sum())
    rate = _ratio(redeemed, issued)

    previous_rate = ratio = math.nan
    if previous is not None:
        before = _checked(previous, "Coupons of the previous promotion")
        previous_rate = _ratio(int(before.redeemed.sum()), int(before.issued.sum()))
        ratio = rate / previous_rate if previous_rate > 0 else math.nan  # NaN compares False: stays NaN
    return CouponSummary(
        per_coupon=frame[PER_COUPON_COLUMNS], coupons=len(frame), issued=issued, redeemed=redeemed,
        redemption_rate=rate, discount_cost=cost, gmv=gmv, effective_discount=_ratio(cost, gmv + cost),
        cost_share_of_gmv=_ratio(cost, gmv), far_below=far_below, previous_redemption_rate=previous_rate,
        redemption_ratio=ratio, far_below_previous=None if math.isnan(ratio) else bool(ratio < far_below),
        reason=NO_COUPONS if frame.empty else None)
