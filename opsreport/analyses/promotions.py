"""The shop's promotions as the other analyses need them: which ran in a period, which comes next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..metrics import queries
from ..periods import Period
from ..warehouse.connection import Warehouse


@dataclass(frozen=True)
class Promotion:
    promo_id: str
    name: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _promotion(row) -> Promotion:
    return Promotion(str(row["promo_id"]), str(row["name"]), pd.Timestamp(row["start_at"]).date(), pd.Timestamp(row["end_at"]).date())


def during(wh: Warehouse, shop_id: str, period: Period) -> list[Promotion]:
    """Promotions that overlap ``period``, in start order."""
    if not queries.has_rows(wh, "promotions", shop_id):
        return []
    p = wh.shop_rows("promotions", shop_id)
    start, end = queries.day_start(period.start), queries.day_start(period.end + dt.timedelta(days=1))
    hits = p.filter((p.start_at < end) & (p.end_at >= start)).order_by("start_at").execute()
    return [_promotion(row) for _, row in hits.iterrows()]


def next_after(wh: Warehouse, shop_id: str, day: dt.date) -> Promotion | None:
    """The first promotion starting after ``day``."""
    if not queries.has_rows(wh, "promotions", shop_id):
        return None
    p = wh.shop_rows("promotions", shop_id)
    nxt = p.filter(p.start_at >= queries.day_start(day + dt.timedelta(days=1))).order_by("start_at").limit(1).execute()
    return None if nxt.empty else _promotion(nxt.iloc[0])
