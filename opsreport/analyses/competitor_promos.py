"""Competitor teardown, promotions: who ran what when, how deep, and where they undercut us.

Depth is the share taken off the everyday price (0.2 = 20 % off). Theirs is as recorded in
competitor_promos. Ours is measured (`our_depth`): 1 − median(promo_price / everyday price) over the
promotion's SKUs with an everyday price > 0, where a SKU's everyday price is the median of its daily
prices over the 30 days before the promotion starts (start − 30 .. start − 1; `everyday_prices`). The
median keeps one deep door-buster from standing for the whole promotion. A promotion none of whose
SKUs has an everyday price has an unknown depth (NaN), never 0.

The calendar (`promo_calendar`) lists every promotion of theirs and ours that touches the period
(start ≤ period end and end ≥ period start), with ``days`` its full length and ``days_in_period`` the
part inside the period. An *overlap* is a pair (their promotion, our promotion) whose dates intersect
inside the period; its dates are that intersection clipped to the period. They *undercut* us when
their_depth ≥ our_depth + ``undercut_margin`` (0.05 by default: five points deeper; exactly the margin
counts); unknown (NA) when our depth is unknown. ``depth_summary`` per shop: promotions touching the
period, ``promo_days`` = days of the period covered by at least one of them (a union: two promotions
on the same day count once), ``promo_day_share`` = promo_days / days of the period, the max and the
median depth over promotions with a known depth. Depths are real fractions, no index is involved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError
from ..schemas import OWN_SHOP
from .competitor_prices import _EPS, _frame, _named, _period, _shops

EVERYDAY_DAYS = 30

CALENDAR_COLUMNS = ["competitor_id", "promo_id", "name", "event", "mechanic", "start", "end", "days",
                    "days_in_period", "depth"]
OVERLAP_COLUMNS = ["competitor_id", "their_promo", "their_start", "our_promo", "our_name", "overlap_start",
                   "overlap_end", "overlap_days", "their_depth", "our_depth", "depth_gap", "undercut"]
SUMMARY_COLUMNS = ["competitor_id", "promos", "promo_days", "promo_day_share", "max_depth", "median_depth"]


# --------------------------------------------------------------------------- our depth

def everyday_prices(price_history: pd.DataFrame, promo_skus: pd.DataFrame, promotions: pd.DataFrame,
                    days: int = EVERYDAY_DAYS) -> pd.DataFrame:
    """promo_id, sku_id, price: each promoted SKU's median daily price over the ``days`` days before
    its promotion's start (start − days .. start − 1); SKUs without a price row there are absent.

    ``price_history``: date, sku_id, price; ``promo_skus``: promo_id, sku_id; ``promotions``:
    promo_id, start_at (a date or an instant: its day counts).
    """
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise ParamsError(f"days must be a whole number ≥ 1 (got {days!r}).")
    h = _frame(price_history, ["date", "sku_id", "price"], "Our daily prices", keys=["sku_id", "date"],
               numbers=["price"], dates=["date"], unique=False)
    ps = _frame(promo_skus, ["promo_id", "sku_id"], "Promoted SKUs", keys=["promo_id", "sku_id"])
    pr = _frame(promotions, ["promo_id", "start_at"], "Our promotions", keys=["promo_id"], dates=["start_at"])
    rows = ps.merge(pr, on="promo_id", how="inner").merge(h, on="sku_id", how="inner")
    window = (rows.date >= rows.start_at - dt.timedelta(days=days)) & (rows.date < rows.start_at)
    out = rows[window].groupby(["promo_id", "sku_id"], sort=True).price.median().reset_index()
    return out[["promo_id", "sku_id", "price"]]


def our_depth(promo_skus: pd.DataFrame, everyday: pd.DataFrame) -> pd.Series:
    """Depth of each of our promotions: 1 − median(promo_price / everyday price) over its SKUs.

    Parameters
    ----------
    promo_skus
        promo_id, sku_id, promo_price.
    everyday
        sku_id, price, and promo_id when the everyday price is per promotion (`everyday_prices`);
        without promo_id one price per SKU serves every promotion.

    Returns
    -------
    pd.Series
        promo_id -> depth (named 'depth'), one entry per promotion of ``promo_skus``; NaN when
        no SKU of it has an everyday price > 0.
    """
    ps = _frame(promo_skus, ["promo_id", "sku_id", "promo_price"], "Promoted SKUs", keys=["promo_id", "sku_id"],
                numbers=["promo_price"])
    per_promo = isinstance(everyday, pd.DataFrame) and "promo_id" in everyday.columns
    keys = ["promo_id", "sku_id"] if per_promo else ["sku_id"]
    ev = _frame(everyday, [*keys, "price"], "Everyday prices", keys=keys, numbers=["price"], nullable=["price"])
    f = ps.merge(ev, on=keys, how="left")
    f["ratio"] = (f.promo_price / f.price).where(f.price > 0)
    depth = 1 - f.groupby("promo_id", sort=False).ratio.median()
    return depth.reindex(ps.promo_id.unique()).rename("depth").rename_axis("promo_id")


# --------------------------------------------------------------------------- calendar

@dataclass(frozen=True)
class PromoCalendar:
    """Promotions of every shop around the period (our shop as ``schemas.OWN_SHOP``).

    Attributes
    ----------
    rows
        CALENDAR_COLUMNS, by start then shop: ``promo_id`` and ``event`` are ours only,
        ``mechanic`` theirs only (None where the other side has none).
    overlaps
        OVERLAP_COLUMNS: their promotion (name and start) against ours (id and name), the
        overlap inside the period, both depths, ``depth_gap`` = theirs − ours and ``undercut``
        (nullable boolean: NA when our depth is unknown).
    depth_summary
        SUMMARY_COLUMNS per shop.
    """

    rows: pd.DataFrame
    overlaps: pd.DataFrame
    depth_summary: pd.DataFrame


def _theirs(theirs: pd.DataFrame) -> pd.DataFrame:
    t = _frame(theirs, ["competitor_id", "promo_name", "start_date", "end_date", "mechanic", "depth"],
               "Competitor promotions", keys=["competitor_id", "promo_name", "start_date"], numbers=["depth"],
               dates=["start_date", "end_date"])
    if (t.depth >= 1).any():
        named = _named(t, t.depth >= 1, ["competitor_id", "promo_name"])
        raise ContractError(f"Competitor promotions: depth ≥ 1 for {named}; "
                            "depth is the share taken off (0.2 = 20 % off).")
    return t.rename(columns={"promo_name": "name", "start_date": "start", "end_date": "end"}).assign(
        promo_id=None, event=None)


def _ours(ours: pd.DataFrame) -> pd.DataFrame:
    o = _frame(ours, ["promo_id", "name", "event", "start", "end", "depth"], "Our promotions", keys=["promo_id"],
               numbers=["depth"], nullable=["depth"], dates=["start", "end"])
    if (o.depth >= 1).any():
        raise ContractError(f"Our promotions: depth ≥ 1 for {_named(o, o.depth >= 1, ['promo_id'])}.")
    return o.assign(competitor_id=OWN_SHOP, mechanic=None)


def promo_calendar(theirs: pd.DataFrame, ours: pd.DataFrame, period, undercut_margin: float = 0.05,
                   competitors: Iterable[str] | None = None) -> PromoCalendar:
    """The promotion calendar of the period (module docstring).

    Parameters
    ----------
    theirs
        competitor_promos rows: competitor_id, promo_name, start_date, end_date, mechanic, depth.
    ours
        promo_id, name, event, start, end (dates or instants: their day counts), depth (NaN:
        unknown; see `our_depth`).
    period
        (start, end), both included.
    undercut_margin
        How much deeper (a fraction, ≥ 0) their promotion must be to undercut ours.
    competitors
        Competitors to show in ``depth_summary`` even without a promotion (0 promotions, NaN depths).
    """
    margin = undercut_margin
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise ParamsError(f"undercut_margin must be a fraction in [0, 1), e.g. 0.05 (got {undercut_margin!r}).")
    start, end = _period(period)
    frames = [_ours(ours), _theirs(theirs)]
    base = ["competitor_id", "promo_id", "name", "event", "mechanic", "start", "end", "depth"]
    f = pd.concat([x[base] for x in frames if not x.empty] or [frames[0][base]], ignore_index=True)
    backwards = f.end < f.start
    if backwards.any():
        raise ContractError(f"Promotions end before they start: {_named(f, backwards, ['competitor_id', 'name'])}.")
    f = f[(f.start <= end) & (f.end >= start)].copy()
    f["days"] = [(e - s).days + 1 for s, e in zip(f.start, f.end)]
    f["days_in_period"] = [(min(e, end) - max(s, start)).days + 1 for s, e in zip(f.start, f.end)]
    f = f.assign(_own=f.competitor_id != OWN_SHOP)  # ours first among promotions starting the same day
    f = f.sort_values(["start", "_own", "competitor_id", "name"], kind="stable")
    rows = f[CALENDAR_COLUMNS].reset_index(drop=True)

    mine, other = rows[rows.competitor_id == OWN_SHOP], rows[rows.competitor_id != OWN_SHOP]
    pairs = other.merge(mine, how="cross", suffixes=("_t", "_o"))
    pairs["overlap_start"] = [max(a, b, start) for a, b in zip(pairs.start_t, pairs.start_o)]
    pairs["overlap_end"] = [min(a, b, end) for a, b in zip(pairs.end_t, pairs.end_o)]
    pairs = pairs[pairs.overlap_start <= pairs.overlap_end]
    undercut = pd.array([pd.NA if pd.isna(o) else bool(t >= o + undercut_margin - _EPS)
                         for t, o in zip(pairs.depth_t, pairs.depth_o)], dtype="boolean")
    overlaps = pd.DataFrame({
        "competitor_id": pairs.competitor_id_t.to_numpy(), "their_promo": pairs.name_t.to_numpy(),
        "their_start": pairs.start_t.to_numpy(), "our_promo": pairs.promo_id_o.to_numpy(),
        "our_name": pairs.name_o.to_numpy(), "overlap_start": pairs.overlap_start.to_numpy(),
        "overlap_end": pairs.overlap_end.to_numpy(),
        "overlap_days": [(e - s).days + 1 for s, e in zip(pairs.overlap_start, pairs.overlap_end)],
        "their_depth": pairs.depth_t.to_numpy(dtype=float), "our_depth": pairs.depth_o.to_numpy(dtype=float),
        "depth_gap": (pairs.depth_t - pairs.depth_o).to_numpy(dtype=float), "undercut": undercut,
    }, columns=OVERLAP_COLUMNS)

    days = (end - start).days + 1
    shops = _shops(set(rows.competitor_id) | set(competitors or ()))
    summary = []
    for shop in shops:
        own = rows[rows.competitor_id == shop]
        covered = set()
        for s, e in zip(own.start, own.end):
            first, last = max(s, start), min(e, end)
            covered |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
        depths = own.depth.dropna()
        summary.append({"competitor_id": shop, "promos": int(len(own)), "promo_days": len(covered),
                        "promo_day_share": len(covered) / days,
                        "max_depth": float(depths.max()) if len(depths) else np.nan,
                        "median_depth": float(depths.median()) if len(depths) else np.nan})
    return PromoCalendar(rows=rows, overlaps=overlaps.reset_index(drop=True),
                         depth_summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS))
