"""A promotion's products: GMV concentration (Pareto), stockouts with their lost sales, and the
sell-through of the stock allocated to the promoted SKUs.

Pareto (`pareto`)
-----------------
SKUs by GMV, largest first (ties by sku_id), with ``rank`` (1, 2, ...), ``share`` = gmv / Σ gmv and
``cumulative_share``. ``skus_for_80`` is the smallest number of SKUs whose cumulative share reaches
80 % (exactly 80 % reaches it; float rounding allowed); ``share_of_skus_for_80`` = skus_for_80 /
SKUs with gmv > 0 (SKUs without sales stay in the frame but not in that base). ``top``: the first N.

Stockouts and lost sales (`stockouts`)
--------------------------------------
``inventory`` holds end-of-day snapshots (date, sku_id, on_hand); ``sales`` one row per day and SKU
(date, sku_id, units, paid_amount) for EVERY SKU of the shop (the shop's units are their sum).
Only SKUs that sold at least one unit in the 30 days before the start or during the promotion
(`ACTIVE_DAYS`; the pinned stockout excludes dead SKUs) are considered: pass those days' sales too.
A SKU is *out* on a promotion day when its end-of-day on_hand is 0; ``first_out`` is the first
such day, ``days_out`` their count. It is *in stock all day* when on_hand > 0 at the end of the
previous day AND of the day (so the inventory should include the day before the start). A day that
is neither (restocked that day, or a snapshot missing) counts on neither side.

Lost sales: the SKU's ``units_share`` = its units / the shop's units over its in-stock days; its
``expected_units`` on an out day = units_share × the shop's units that day; ``lost_units`` =
Σ max(expected − actual, 0) over its out days (the first one included: it sold only part of it);
``lost_gmv`` = lost_units × ``unit_price``, its paid_amount / units over the in-stock days (0 when
nothing is lost). A SKU never in stock all day during the promotion, or whose in-stock days saw no
shop sales, has no basis: expected, lost_units and lost_gmv are NaN (unknown, not 0), ``basis`` =
'unknown' (else 'share'). The out days' shop units are themselves depressed by the stockout (its
buyers partly did not buy elsewhere), so the estimate understates by about units_share of the loss
(5 % for a SKU selling 5 % of the shop's units). Accepted: it is small, never an overstatement, and
substitution to other SKUs means part of that gap was not lost to the shop. Rows: largest lost_gmv
first (unknown last), then first_out, sku_id.

Sell-through of the allocation (`sell_through`)
-----------------------------------------------
Per promoted SKU: ``units`` and ``gmv`` (Σ paid_amount) over the sales given (filtered to
``start``..``end`` when given); ``leftover`` = stock_allocated − units; ``sell_through`` = units /
stock_allocated, the pinned 售罄率 units / (units + stock left) with the allocation as the stock.
Both are NaN without an allocation (empty or 0 for sell_through). Selling beyond the allocation
gives leftover < 0 and sell_through > 1: kept as is and flagged in ``oversold``.

Bad rows raise `ContractError` naming them, bad arguments `ParamsError`, no data `DataNotFoundError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ._checks import as_date, require_columns

PARETO_SHARE = 0.80
ACTIVE_DAYS = 30
_SHOWN = 5
PARETO_COLUMNS = ["sku_id", "gmv", "rank", "share", "cumulative_share"]
STOCKOUT_COLUMNS = ["sku_id", "first_out", "days_out", "units_in_stock_days", "units_share", "unit_price",
                    "expected_units", "actual_units", "lost_units", "lost_gmv", "basis"]
SELL_THROUGH_COLUMNS = ["sku_id", "promo_price", "stock_allocated", "units", "gmv", "sell_through", "leftover", "oversold"]


def _skus(frame: pd.DataFrame, mask) -> str:
    skus = list(dict.fromkeys(str(s) for s in frame.sku_id[np.asarray(mask, dtype=bool)]))
    return ", ".join(skus[:_SHOWN]) + (f" (and {len(skus) - _SHOWN} more)" if len(skus) > _SHOWN else "")


def _table(frame, columns: list[str], what: str, numbers: list[str], *, nullable: tuple[str, ...] = (),
           unique: list[str] | None = None) -> pd.DataFrame:
    """The needed columns, numbers checked (≥ 0), dates read, keys unique; errors name the SKUs."""
    require_columns(frame, columns, what)
    out = frame[columns].copy()
    if out.sku_id.isna().any():
        raise ContractError(f"{what}: {int(out.sku_id.isna().sum())} row(s) without a sku_id.")
    for col in numbers:
        values = pd.to_numeric(out[col], errors="coerce").astype(float)
        bad = values.isna() & (out[col].notna() if col in nullable else True)
        if bad.any():
            raise ContractError(f"{what}: {col} is missing or not a number for SKU {_skus(out, bad)}.")
        if (values < 0).any():
            raise ContractError(f"{what}: negative {col} for SKU {_skus(out, values < 0)}; it must be 0 or more.")
        out[col] = values
    if "date" in columns:
        dates = out.date if pd.api.types.is_datetime64_any_dtype(out.date) else pd.to_datetime(out.date, errors="coerce", format="mixed")
        if dates.isna().any():
            raise ContractError(f"{what}: date is missing or not a date for SKU {_skus(out, dates.isna())}.")
        out["date"] = dates.dt.date
    keys = ["sku_id"] if unique is None else unique
    twice = out.duplicated(keys, keep=False) if keys else pd.Series(False, index=out.index)
    if twice.any():
        raise ContractError(f"{what} list SKU {_skus(out, twice)} more than once per {' and '.join(keys)}.")
    return out


# --------------------------------------------------------------------------- Pareto

@dataclass(frozen=True)
class Pareto:
    frame: pd.DataFrame  # PARETO_COLUMNS, largest GMV first
    total_gmv: float
    selling_skus: int  # SKUs with gmv > 0
    skus_for_80: int  # fewest SKUs whose cumulative share reaches 80 %
    share_of_skus_for_80: float  # skus_for_80 / selling_skus
    top: pd.DataFrame  # the first top_n rows of frame: the hero SKUs


def pareto(sku_gmv: pd.DataFrame, top_n: int = 10) -> Pareto:
    """GMV concentration of the SKUs in ``sku_gmv`` (sku_id, gmv ≥ 0, one row per SKU)."""
    if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or top_n < 1:
        raise ParamsError(f"top_n must be a whole number ≥ 1 (got {top_n!r}).")
    f = _table(sku_gmv, ["sku_id", "gmv"], "SKU GMV", ["gmv"])
    total = float(f.gmv.sum())
    if total <= 0:
        raise DataNotFoundError(f"SKU GMV: no SKU has sales ({len(f)} rows given); a Pareto needs GMV.")
    f = f.sort_values(["gmv", "sku_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    f["rank"] = np.arange(1, len(f) + 1)
    f["share"] = f.gmv / total
    f["cumulative_share"] = f.gmv.cumsum() / total
    needed = int(np.argmax(f.cumulative_share.to_numpy() >= PARETO_SHARE - 1e-9)) + 1
    selling = int((f.gmv > 0).sum())
    return Pareto(frame=f[PARETO_COLUMNS], total_gmv=total, selling_skus=selling, skus_for_80=needed,
                  share_of_skus_for_80=needed / selling, top=f[PARETO_COLUMNS].head(top_n))


# --------------------------------------------------------------------------- stockouts

def stockouts(inventory: pd.DataFrame, sales: pd.DataFrame, promo_start, promo_end) -> pd.DataFrame:
    """Stocked-out SKUs of the promotion and their lost sales (STOCKOUT_COLUMNS; module docstring)."""
    start, end = as_date(promo_start, "promo_start"), as_date(promo_end, "promo_end")
    if end < start:
        raise ParamsError(f"The promotion ends ({end}) before it starts ({start}): swap them.")
    inv = _table(inventory, ["date", "sku_id", "on_hand"], "Inventory snapshots", ["on_hand"], unique=["date", "sku_id"])
    s = _table(sales, ["date", "sku_id", "units", "paid_amount"], "Daily SKU sales", ["units", "paid_amount"],
               unique=["date", "sku_id"])
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if not inv.date.isin(days).any():
        raise DataNotFoundError(f"Inventory snapshots: none for the promotion days {start} to {end}.")
    on_hand = inv.pivot(index="date", columns="sku_id", values="on_hand").reindex([start - dt.timedelta(days=1), *days])
    active_from = start - dt.timedelta(days=ACTIVE_DAYS)
    active = set(s.sku_id[(s.date >= active_from) & (s.date <= end) & (s.units > 0)])
    on_hand = on_hand[[c for c in on_hand.columns if c in active]]
    units = s.pivot(index="date", columns="sku_id", values="units").reindex(days).fillna(0.0)
    amount = s.pivot(index="date", columns="sku_id", values="paid_amount").reindex(days).fillna(0.0)
    shop_units = units.sum(axis=1)

    rows = []
    for sku in on_hand.columns:
        level = on_hand[sku]
        out = (level.iloc[1:] == 0).to_numpy()
        if not out.any():
            continue
        in_stock = ((level.iloc[:-1].to_numpy() > 0) & (level.iloc[1:].to_numpy() > 0))
        own = units[sku].to_numpy() if sku in units else np.zeros(len(days))
        paid = amount[sku].to_numpy() if sku in amount else np.zeros(len(days))
        base, sold = float(shop_units[in_stock].sum()), float(own[in_stock].sum())
        row = {"sku_id": sku, "first_out": days[int(np.argmax(out))], "days_out": int(out.sum()),
               "units_in_stock_days": sold, "actual_units": float(own[out].sum()),
               "unit_price": float(paid[in_stock].sum()) / sold if sold > 0 else np.nan}
        if base > 0:
            expected = sold / base * shop_units.to_numpy()[out]
            lost = float(np.maximum(expected - own[out], 0).sum())
            row |= {"units_share": sold / base, "expected_units": float(expected.sum()), "lost_units": lost,
                    "lost_gmv": lost * row["unit_price"] if lost > 0 else 0.0, "basis": "share"}
        else:
            row |= {"units_share": np.nan, "expected_units": np.nan, "lost_units": np.nan, "lost_gmv": np.nan,
                    "basis": "unknown"}
        rows.append(row)
    frame = pd.DataFrame(rows, columns=STOCKOUT_COLUMNS)
    if frame.empty:
        return frame
    return frame.sort_values(["lost_gmv", "first_out", "sku_id"], ascending=[False, True, True], na_position="last",
                             kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- sell-through

def sell_through(promo_skus: pd.DataFrame, sales: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """Sell-through of each promoted SKU's allocated stock (SELL_THROUGH_COLUMNS; module docstring).

    ``promo_skus``: sku_id, promo_price, stock_allocated (may be empty); ``sales``: sku_id, units,
    paid_amount, and date when ``start``/``end`` (both included) restrict it to the promotion."""
    p = _table(promo_skus, ["sku_id", "promo_price", "stock_allocated"], "Promoted SKUs",
               ["promo_price", "stock_allocated"], nullable=("stock_allocated",))
    if p.empty:
        raise DataNotFoundError("Promoted SKUs: none given; import the promotion's SKU list (table promo_skus).")
    dated = start is not None or end is not None
    s = _table(sales, ["date", "sku_id", "units", "paid_amount"] if dated else ["sku_id", "units", "paid_amount"],
               "SKU sales", ["units", "paid_amount"], unique=["date", "sku_id"] if dated else [])
    if dated:
        first = as_date(start, "start") if start is not None else dt.date.min
        last = as_date(end, "end") if end is not None else dt.date.max
        s = s[(s.date >= first) & (s.date <= last)]
    sums = s.groupby("sku_id").agg(units=("units", "sum"), gmv=("paid_amount", "sum"))
    out = p.merge(sums, left_on="sku_id", right_index=True, how="left").fillna({"units": 0.0, "gmv": 0.0})
    out["sell_through"] = (out.units / out.stock_allocated).where(out.stock_allocated > 0)
    out["leftover"] = out.stock_allocated - out.units
    out["oversold"] = (out.leftover < 0).fillna(False).astype(bool)
    return out[SELL_THROUGH_COLUMNS].reset_index(drop=True)
