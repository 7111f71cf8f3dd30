"""Customers: new vs returning buyers, RFM segments and their movement, the dormant share.

RFM base = buyers of the last ``lookback_days``; R is scored so that recent = high; R, F and M are
high when better than the base's average; a buyer unseen for ``dormant_days`` is dormant
(metrics.queries.rfm_snapshot holds the engine-side definition).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics import compute, queries
from ..metrics.registry import ratio
from ..warehouse.connection import Warehouse

SEGMENTS = (
    "important_value", "important_develop", "important_keep", "important_retain",
    "general_value", "general_develop", "general_keep", "general_retain",
)
MOVES_SHOWN = 8


@dataclass(frozen=True)
class CustomersResult:
    mix: pd.DataFrame  # kind ('new' / 'returning'), this_week, last_week, change (relative)
    segments: pd.DataFrame  # segment, customers, customers_prev, change
    movement: pd.DataFrame  # seg_from, seg_to, customers: the largest moves between segments
    dormant_share: dict[str, float]  # snapshot -> share of the base that is dormant
    base: dict[str, float]  # snapshot -> buyers in the RFM base
    lookback_days: int
    dormant_days: int


def _full_history(at: dt.date, lookback_days: int, first: dt.date | None) -> bool:
    return first is None or first <= at - dt.timedelta(days=lookback_days - 1)


def customers(wh: Warehouse, shop_id: str, parts: dict[str, dict], ends: dict[str, dt.date], *,
              lookback_days: int, dormant_days: int, history_from: dt.date | None = None) -> CustomersResult:
    """``parts``: the shop's period parts ('this_week', 'last_week') with paid_buyers and new_buyers;
    ``ends``: snapshot dates 'this_week', 'last_week' and '4_weeks_ago'. A snapshot whose look-back
    starts before the shop's first order (``history_from``) has no dormant share: its base is incomplete."""
    rows = []
    for kind in ("new", "returning"):
        values = []
        for label in ("this_week", "last_week"):
            b = parts.get(label) or {}
            new, buyers = b.get("new_buyers", np.nan), b.get("paid_buyers", np.nan)
            values.append(new if kind == "new" else buyers - new)
        now, before = values
        rows.append({"kind": kind, "this_week": now, "last_week": before, "change": ratio(now - before, before)})
    counts = queries.rfm_counts(wh, shop_id, ends, lookback_days, dormant_days)
    seg = counts.pivot_table(index="segment", columns="period", values="customers", aggfunc="sum")
    seg = seg.reindex(columns=list(ends)).fillna(0)  # a snapshot with no buyers has no rows
    segments = pd.DataFrame({
        "segment": seg.index,
        "customers": seg["this_week"].values,
        "customers_prev": seg["last_week"].values,
    })
    segments["change"] = segments.customers - segments.customers_prev
    segments = segments.set_index("segment").reindex([s for s in SEGMENTS if s in seg.index]).reset_index()
    totals = counts.groupby("period")[["customers", "dormant"]].sum()
    dormant = {label: compute("dormant_share", {"dormant_buyers": totals.loc[label, "dormant"],
                                                "base_buyers": totals.loc[label, "customers"]})["dormant_share"]
               if label in totals.index and _full_history(ends[label], lookback_days, history_from) else np.nan
               for label in ends}
    movement = queries.rfm_movement(wh, shop_id, ends["last_week"], ends["this_week"], lookback_days, dormant_days)
    moved = movement[movement.seg_from != movement.seg_to].sort_values("customers", ascending=False).head(MOVES_SHOWN)
    return CustomersResult(
        mix=pd.DataFrame(rows),
        segments=segments,
        movement=moved.reset_index(drop=True),
        dormant_share=dormant,
        base={label: float(totals.loc[label, "customers"]) if label in totals.index else np.nan for label in ends},
        lookback_days=lookback_days,
        dormant_days=dormant_days,
    )
