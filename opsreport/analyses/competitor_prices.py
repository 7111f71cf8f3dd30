"""Competitor teardown, prices: price bands of each shop, and our price index against matched items.

Price bands (`band_edges`, `price_bands`)
-----------------------------------------
`band_edges` cuts the pooled prices (ours and theirs) at their quantiles 1/bands, 2/bands, ...
(numpy's linear interpolation) and rounds each cut to a *nice* number: a multiple of the step
s(x) = the largest 1-2-5 × 10^k number ≤ x / 5 (so 137 → step 20 → 140; 89 → step 10 → 90;
1 234 → step 200 → 1 200). The lowest edge is the lowest price rounded down to its step (0 for a
price of 0), the highest the first multiple of the highest price's step strictly above it, so
every price lies in some band [low, high). Cuts that round onto each other or onto an outer edge
are merged: the edges are strictly increasing and there may be fewer than ``bands`` bands. A
view labels the band [100, 200) "100-199"; the analysis returns numbers only.

`price_bands` counts each shop's listed SKUs per band (``share`` = SKUs in the band / the shop's
priced SKUs, a real fraction: listed SKUs are counted, nothing is estimated). A price outside the
edges (edges from another period) falls in no band: it is listed in ``outside`` and still counts in
the shop's total, so the shares then add up to less than 1. ``price_summary`` gives each shop's
quartiles (pandas' linear interpolation). Our shop is ``schemas.OWN_SHOP`` and comes first.

Their prices for a period (`listed_products`): the products each competitor listed on ITS last
observed day inside the period, with that day's everyday price (``price``), not the promotion
price. A competitor not observed inside the period has no listed products.

Price index (`matched_pairs`, `price_index`)
--------------------------------------------
For each matched pair (our SKU ↔ their product, table sku_matches): our_price = mean of our daily
prices over the period's days with a price row; their_price = mean of their everyday price over the
days observed in the period; their_effective_price = mean of (promo_price if shown, else price) over
the same days. A pair whose competitor product (or our SKU) has no row in the period is not priced
as 0: it goes to ``unobserved`` with what is missing. Our units come from ``our_units``; a SKU
absent from it sold nothing in the period (units 0).

The index is a Laspeyres basket of what our buyers buy:

    index = 100 × Σ q · our_price / Σ q · their_price,   q = our units in the period

100 is parity, 110 = we are 10 % dearer on the basket. A pair with q = 0 is listed but weighs
nothing. When no pair of a group has units the group falls back to equal weights (q = 1 for every
pair, i.e. 100 × Σ our / Σ their) and says so in ``weights`` ('units' or 'equal'). The
``effective_index`` is the same with their_effective_price. ``overall`` pools every pair (an SKU
matched in two competitors counts twice). All prices are real yuan, no index values are involved.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ..schemas import OWN_SHOP
from ._checks import as_date, require_columns

_SHOWN = 5
_STEP_DIVISOR = 5  # an edge x is rounded to a 1-2-5 step of about x / 5: two significant digits at most
_EPS = 1e-9  # float slack for comparisons of prices and fractions

BAND_COLUMNS = ["competitor_id", "band", "band_low", "band_high", "skus", "share"]
SUMMARY_COLUMNS = ["competitor_id", "skus", "p25", "median", "p75", "min", "max"]
LISTED_COLUMNS = ["competitor_id", "product_id", "product_name", "category", "price", "promo_price",
                  "monthly_sales", "sales_index", "rating", "reviews", "observed_on"]
PAIR_COLUMNS = ["sku_id", "competitor_id", "product_id", "our_price", "their_price", "their_effective_price",
                "our_units", "our_days", "their_days"]
UNOBSERVED_COLUMNS = ["sku_id", "competitor_id", "product_id", "missing"]
INDEX_COLUMNS = ["competitor_id", "pairs", "weighted_pairs", "index", "effective_index", "weights"]

WEIGHTS_UNITS, WEIGHTS_EQUAL = "units", "equal"
MISSING_THEIRS, MISSING_OURS, MISSING_BOTH = "theirs", "ours", "both"


# --------------------------------------------------------------------------- shared input checks
# (the other competitor_* modules import these)

def _period(period, name: str = "period") -> tuple[dt.date, dt.date]:
    """(start, end) from a (start, end) pair or an object with .start and .end (periods.Period)."""
    if hasattr(period, "start") and hasattr(period, "end"):
        start, end = period.start, period.end
    elif isinstance(period, (tuple, list)) and len(period) == 2:
        start, end = period
    else:
        raise ParamsError(f"{name} must be a (start, end) pair of dates such as (2026-11-01, 2026-11-22); "
                          f"got {period!r}.")
    start, end = as_date(start, f"{name} start", "2026-11-01"), as_date(end, f"{name} end", "2026-11-22")
    if end < start:
        raise ParamsError(f"{name} ends ({end}) before it starts ({start}): swap them.")
    return start, end


def _named(frame: pd.DataFrame, mask, keys: Sequence[str]) -> str:
    """The first few offending rows named by their key columns: 'shopA/p1, shopB/p2 (and 3 more)'."""
    rows = frame.loc[np.asarray(mask, dtype=bool), list(keys)].astype(str).agg("/".join, axis=1)
    names = list(dict.fromkeys(rows))
    return ", ".join(names[:_SHOWN]) + (f" (and {len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")


def _frame(frame, columns: Sequence[str], what: str, *, keys: Sequence[str], numbers: Sequence[str] = (),
           nullable: Sequence[str] = (), dates: Sequence[str] = (), optional: Sequence[str] = (),
           unique: bool = True) -> pd.DataFrame:
    """The needed columns of ``frame`` (``optional`` ones added as empty when absent), numbers read
    and ≥ 0 (empty allowed only in ``nullable``), dates read as datetime.date, ``keys`` unique.
    Errors name ``what`` and the offending rows by their keys."""
    require_columns(frame, list(columns), what)
    out = frame[list(columns)].copy()
    for col in optional:
        out[col] = frame[col] if col in frame.columns else np.nan
    for key in keys:
        if out[key].isna().any():
            raise ContractError(f"{what}: {int(out[key].isna().sum())} row(s) without a {key}.")
    for col in numbers:
        values = pd.to_numeric(out[col], errors="coerce").astype(float)
        bad = values.isna() & (out[col].notna() if col in nullable else True)
        if bad.any():
            raise ContractError(f"{what}: {col} is missing or not a number for {_named(out, bad, keys)}.")
        if (values < 0).any():
            raise ContractError(f"{what}: negative {col} for {_named(out, values < 0, keys)}; it must be 0 or more.")
        out[col] = values
    for col in dates:
        values = out[col] if pd.api.types.is_datetime64_any_dtype(out[col]) else \
            pd.to_datetime(out[col], errors="coerce", format="mixed")
        if values.isna().any():
            raise ContractError(f"{what}: {col} is missing or not a date for {_named(out, values.isna(), keys)}.")
        out[col] = values.dt.date
    if unique and keys:
        twice = out.duplicated(list(keys), keep=False)
        if twice.any():
            raise ContractError(f"{what}: more than one row per {' and '.join(keys)} for {_named(out, twice, keys)}.")
    return out


def _snapshots(frame, what: str = "Competitor products", optional: Sequence[str] = ()) -> pd.DataFrame:
    """competitor_products rows: observed_on, competitor_id, product_id, price (+ ``optional``)."""
    numbers = [c for c in ("promo_price", "monthly_sales", "sales_index", "rating", "reviews") if c in optional]
    return _frame(frame, ["observed_on", "competitor_id", "product_id", "price"], what,
                  keys=["competitor_id", "product_id", "observed_on"], numbers=["price", *numbers],
                  nullable=numbers, dates=["observed_on"], optional=optional)


def _shops(ids) -> list[str]:
    """Shop ids in report order: our shop first, then competitors by name."""
    ids = set(ids)
    return ([OWN_SHOP] if OWN_SHOP in ids else []) + sorted(str(i) for i in ids - {OWN_SHOP})


# --------------------------------------------------------------------------- band edges

def _nice_floor(x: float) -> float:
    """The largest m × 10^k ≤ x with m in (1, 2, 5); x > 0."""
    k = math.floor(math.log10(x))
    candidates = [m * 10.0 ** e for e in (k - 1, k, k + 1) for m in (1.0, 2.0, 5.0)]
    return max(c for c in candidates if c <= x * (1 + 1e-12))


def _step(x: float) -> float:
    return _nice_floor(x / _STEP_DIVISOR)


def band_edges(prices: pd.Series, bands: int = 5) -> list[float]:
    """Nice, strictly increasing price-band edges from the quantiles of ``prices`` (module docstring).

    Parameters
    ----------
    prices
        Our and their prices pooled (yuan ≥ 0); empty values are ignored.
    bands
        The number of quantile bands wanted (≥ 1); merged cuts can leave fewer.

    Returns
    -------
    list of float
        ``[low, cut_1, ..., high]``: band i is [edges[i], edges[i + 1]).
    """
    if isinstance(bands, bool) or not isinstance(bands, (int, np.integer)) or bands < 1:
        raise ParamsError(f"bands must be a whole number ≥ 1 (got {bands!r}).")
    if not isinstance(prices, (pd.Series, list, tuple, np.ndarray)):
        raise ParamsError(f"prices must be a pandas Series of yuan (got {type(prices).__name__}).")
    raw = pd.Series(prices)
    values = pd.to_numeric(raw, errors="coerce")
    if (values.isna() & raw.notna()).any():
        raise ContractError(f"Band edges: {int((values.isna() & raw.notna()).sum())} price(s) are not numbers.")
    values = values.dropna().astype(float)
    if (values < 0).any():
        raise ContractError(f"Band edges: {int((values < 0).sum())} negative price(s); prices are yuan ≥ 0.")
    if values.empty:
        raise DataNotFoundError("Band edges: no prices given; price bands need at least one listed price.")
    lowest, highest = float(values.min()), float(values.max())
    low = 0.0 if lowest <= 0 else math.floor(lowest / _step(lowest) + _EPS) * _step(lowest)
    high_step = _step(highest) if highest > 0 else 1.0
    high = (math.floor(highest / high_step + _EPS) + 1) * high_step  # strictly above the highest price
    cuts = np.quantile(values.to_numpy(), [i / bands for i in range(1, bands)]) if bands > 1 else []
    inner = []
    for cut in cuts:
        if cut <= 0:
            continue
        step = _step(float(cut))
        inner.append(math.floor(cut / step + 0.5) * step)  # nearest multiple, halves up
    edges = sorted({round(e, 10) for e in (low, *inner, high) if low - _EPS <= e <= high + _EPS})
    return [float(e) for e in edges]


def _edges(edges) -> list[float]:
    try:
        values = [float(e) for e in edges]
    except (TypeError, ValueError):
        raise ParamsError(f"edges must be a list of numbers such as [0, 100, 200] (got {edges!r}).") from None
    if len(values) < 2 or not all(math.isfinite(v) for v in values) or any(b <= a for a, b in zip(values, values[1:])):
        raise ParamsError(f"edges must hold at least two finite, strictly increasing numbers (got {edges!r}).")
    return values


# --------------------------------------------------------------------------- bands and summary

@dataclass(frozen=True)
class PriceBands:
    """SKUs per price band and shop, and each shop's price quartiles.

    Attributes
    ----------
    bands
        BAND_COLUMNS: one row per shop and band (every band, 0 SKUs included); ``band`` 1, 2, ...
    price_summary
        SUMMARY_COLUMNS: per shop, its priced SKUs and their p25, median, p75, min, max (yuan).
    outside
        competitor_id, product_id, price: listed SKUs priced outside [edges[0], edges[-1]).
    edges
        The edges used.
    """

    bands: pd.DataFrame
    price_summary: pd.DataFrame
    outside: pd.DataFrame
    edges: tuple[float, ...]


def _pooled(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """competitor_id, product_id, category, price of both frames (ours as OWN_SHOP); no empty price."""
    o = _frame(ours, ["sku_id", "price"], "Our listed SKUs", keys=["sku_id"], numbers=["price"], nullable=["price"],
               optional=["category"])
    t = _frame(theirs, ["competitor_id", "product_id", "price"], "Their listed products",
               keys=["competitor_id", "product_id"], numbers=["price"], nullable=["price"], optional=["category"])
    o = o.rename(columns={"sku_id": "product_id"}).assign(competitor_id=OWN_SHOP)
    cols = ["competitor_id", "product_id", "category", "price"]
    frames = [f[cols] for f in (o, t) if not f.empty]
    pooled = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return pooled[pooled.price.notna()].reset_index(drop=True)


def price_bands(ours: pd.DataFrame, theirs: pd.DataFrame, edges) -> PriceBands:
    """Count each shop's listed SKUs per price band (module docstring).

    Parameters
    ----------
    ours
        ``sku_id``, ``price`` (``category`` optional): our listed SKUs, one row each.
    theirs
        ``competitor_id``, ``product_id``, ``price`` (``category`` optional): their listed
        products, one row each (see `listed_products`).
    edges
        Strictly increasing band edges (see `band_edges`).
    """
    edges = _edges(edges)
    pooled = _pooled(ours, theirs)
    position = np.searchsorted(np.asarray(edges), pooled.price.to_numpy(), side="right") - 1
    inside = (position >= 0) & (position < len(edges) - 1)
    pooled["band"] = np.where(inside, position + 1, 0)
    shops = _shops(pooled.competitor_id)
    totals = pooled.groupby("competitor_id").size()
    counts = pooled[inside].groupby(["competitor_id", "band"]).size()
    rows = []
    for shop in shops:
        for i in range(len(edges) - 1):
            n = int(counts.get((shop, i + 1), 0))
            rows.append({"competitor_id": shop, "band": i + 1, "band_low": edges[i], "band_high": edges[i + 1],
                         "skus": n, "share": n / int(totals[shop])})
    bands = pd.DataFrame(rows, columns=BAND_COLUMNS)
    summary = []
    for shop in shops:
        p = pooled.price[pooled.competitor_id == shop]
        q = p.quantile([0.25, 0.5, 0.75])
        summary.append({"competitor_id": shop, "skus": int(len(p)), "p25": float(q[0.25]), "median": float(q[0.5]),
                        "p75": float(q[0.75]), "min": float(p.min()), "max": float(p.max())})
    outside = pooled.loc[~inside, ["competitor_id", "product_id", "price"]].reset_index(drop=True)
    return PriceBands(bands=bands, price_summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS), outside=outside,
                      edges=tuple(edges))


def listed_products(snapshots: pd.DataFrame, period) -> pd.DataFrame:
    """The products each competitor listed on its last observed day inside ``period``.

    ``snapshots`` are competitor_products rows (observed_on, competitor_id, product_id, price;
    the other contract columns are carried when present). Returns LISTED_COLUMNS, by competitor
    and product; a competitor not observed inside the period is absent.
    """
    start, end = _period(period)
    optional = [c for c in LISTED_COLUMNS if c not in ("competitor_id", "product_id", "price", "observed_on")]
    s = _snapshots(snapshots, optional=optional)
    s = s[(s.observed_on >= start) & (s.observed_on <= end)]
    last = s.groupby("competitor_id").observed_on.transform("max")
    out = s[s.observed_on == last][LISTED_COLUMNS]
    return out.sort_values(["competitor_id", "product_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- matched pairs

@dataclass(frozen=True)
class MatchedPairs:
    """Matched pairs priced over a period.

    Attributes
    ----------
    pairs
        PAIR_COLUMNS: one row per priced match (the input of `price_index`).
    unobserved
        UNOBSERVED_COLUMNS: matches not priced; ``missing`` is 'theirs' (their product has no
        snapshot in the period), 'ours' (our SKU has no price row) or 'both'.
    """

    pairs: pd.DataFrame
    unobserved: pd.DataFrame


def matched_pairs(matches: pd.DataFrame, our_prices: pd.DataFrame, our_units: pd.DataFrame,
                  snapshots: pd.DataFrame, period) -> MatchedPairs:
    """Price every match over ``period`` (module docstring).

    Parameters
    ----------
    matches
        sku_matches rows: ``sku_id``, ``competitor_id``, ``product_id``.
    our_prices
        price_history rows: ``date``, ``sku_id``, ``price`` (other days are ignored).
    our_units
        ``sku_id``, ``units``: our units sold in the period; an absent SKU sold none.
    snapshots
        competitor_products rows: ``observed_on``, ``competitor_id``, ``product_id``, ``price``,
        ``promo_price`` (empty: no promotion shown).
    period
        (start, end), both included.
    """
    start, end = _period(period)
    m = _frame(matches, ["sku_id", "competitor_id", "product_id"], "SKU matches",
               keys=["sku_id", "competitor_id", "product_id"])
    p = _frame(our_prices, ["date", "sku_id", "price"], "Our daily prices", keys=["sku_id", "date"],
               numbers=["price"], dates=["date"], unique=False)
    u = _frame(our_units, ["sku_id", "units"], "Our units", keys=["sku_id"], numbers=["units"])
    s = _snapshots(snapshots, optional=["promo_price"])

    p = p[(p.date >= start) & (p.date <= end)]
    daily = p.groupby(["sku_id", "date"]).price.mean()  # an intraday change: that day's mean
    ours = daily.groupby("sku_id").agg(our_price="mean", our_days="size")
    s = s[(s.observed_on >= start) & (s.observed_on <= end)].copy()
    s["effective"] = s.promo_price.fillna(s.price)
    theirs = s.groupby(["competitor_id", "product_id"]).agg(
        their_price=("price", "mean"), their_effective_price=("effective", "mean"), their_days=("price", "size"))

    f = m.merge(ours, left_on="sku_id", right_index=True, how="left")
    f = f.merge(theirs, left_on=["competitor_id", "product_id"], right_index=True, how="left")
    no_ours, no_theirs = f.our_price.isna(), f.their_price.isna()
    f["missing"] = np.select([no_ours & no_theirs, no_ours, no_theirs], [MISSING_BOTH, MISSING_OURS, MISSING_THEIRS],
                             default="")
    unobserved = f.loc[no_ours | no_theirs, UNOBSERVED_COLUMNS].reset_index(drop=True)
    f = f[~(no_ours | no_theirs)].merge(u, on="sku_id", how="left")
    f["our_units"] = f.units.fillna(0.0)  # absent from our units: sold none in the period
    f["our_days"] = f.our_days.astype(int)
    f["their_days"] = f.their_days.astype(int)
    f = f[PAIR_COLUMNS].sort_values(["competitor_id", "sku_id", "product_id"], kind="stable")
    return MatchedPairs(pairs=f.reset_index(drop=True), unobserved=unobserved)


# --------------------------------------------------------------------------- price index

@dataclass(frozen=True)
class PriceIndex:
    """Our price index against matched competitor items (100 = parity, above = we are dearer).

    Attributes
    ----------
    pairs
        The input pairs plus ``ratio`` = 100 × our / their, ``effective_ratio`` = 100 × our /
        their effective price, and ``weight`` (the q used: units, or 1 under equal weights).
    by_competitor
        INDEX_COLUMNS: per competitor, ``pairs`` listed, ``weighted_pairs`` (q > 0), ``index``,
        ``effective_index`` and ``weights`` ('units' or 'equal': no pair had units).
    overall
        One row, INDEX_COLUMNS without competitor_id, over all pairs.
    """

    pairs: pd.DataFrame
    by_competitor: pd.DataFrame
    overall: pd.DataFrame


def _index_row(group: pd.DataFrame) -> dict:
    weighted = int((group.our_units > 0).sum())
    q = group.our_units if weighted else pd.Series(1.0, index=group.index)
    return {"pairs": int(len(group)), "weighted_pairs": weighted,
            "index": 100 * float((q * group.our_price).sum() / (q * group.their_price).sum()),
            "effective_index": 100 * float((q * group.our_price).sum() / (q * group.their_effective_price).sum()),
            "weights": WEIGHTS_UNITS if weighted else WEIGHTS_EQUAL}


def price_index(pairs: pd.DataFrame) -> PriceIndex:
    """The Laspeyres price index of ``pairs`` (module docstring).

    ``pairs``: sku_id, competitor_id, product_id, our_price, their_price, their_effective_price,
    our_units (see `matched_pairs`); their prices must be > 0, units ≥ 0 and known.
    """
    cols = ["sku_id", "competitor_id", "product_id", "our_price", "their_price", "their_effective_price", "our_units"]
    f = _frame(pairs, cols, "Matched pairs", keys=["sku_id", "competitor_id", "product_id"],
               numbers=["our_price", "their_price", "their_effective_price", "our_units"])
    extra = [c for c in pairs.columns if c not in cols]
    f = pd.concat([f, pairs[extra]], axis=1) if extra else f
    for col in ("their_price", "their_effective_price"):
        zero = f[col] <= 0
        if zero.any():
            raise ContractError(f"Matched pairs: {col} is 0 for {_named(f, zero, ['competitor_id', 'product_id'])}; "
                                "a price index needs their price > 0.")
    if f.empty:
        raise DataNotFoundError("Matched pairs: none given; match our SKUs to competitor products (sku_matches) "
                                "and observe them in the period.")
    f["ratio"] = 100 * f.our_price / f.their_price
    f["effective_ratio"] = 100 * f.our_price / f.their_effective_price
    by = []
    for shop in _shops(f.competitor_id):
        group = f[f.competitor_id == shop]
        row = _index_row(group)
        f.loc[group.index, "weight"] = group.our_units if row["weights"] == WEIGHTS_UNITS else 1.0
        by.append({"competitor_id": shop, **row})
    overall = pd.DataFrame([_index_row(f)], columns=INDEX_COLUMNS[1:])
    return PriceIndex(pairs=f.reset_index(drop=True), by_competitor=pd.DataFrame(by, columns=INDEX_COLUMNS),
                      overall=overall)
