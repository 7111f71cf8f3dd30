"""The shop's promotions as the other analyses need them: which ran in a period, which comes next,
and which earlier promotion one compares with.

A promotion's event day (D-day) is the platform festival's own day (Double 11 on 11-11, 618 on
06-18, Double 12 on 12-12, 818 on 08-18) or, for the shop's own events, its last day. A year-on-year
comparison aligns the two promotions on their D-days (day D−3 against day D−3), never on the
calendar date: festivals start on different weekdays and last year's warm-up may start earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..errors import DataNotFoundError, ParamsError
from ..metrics import queries
from ..periods import Period
from ..warehouse.connection import Warehouse


EVENT_DAYS = {"double11": (11, 11), "618": (6, 18), "double12": (12, 12), "818": (8, 18)}  # (month, day)


@dataclass(frozen=True)
class Promotion:
    promo_id: str
    name: str
    start: dt.date
    end: dt.date
    event: str = ""

    @property
    def event_day(self) -> dt.date:
        """D-day: the festival's day when it falls inside the promotion, else its last day."""
        if self.event in EVENT_DAYS:
            month, day = EVENT_DAYS[self.event]
            for year in (self.end.year, self.start.year):
                candidate = dt.date(year, month, day)
                if self.start <= candidate <= self.end:
                    return candidate
        return self.end

    def offset(self, day: dt.date) -> int:
        """Days from D-day: −3 is three days before it, 0 is D-day."""
        return (day - self.event_day).days

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _promotion(row) -> Promotion:
    return Promotion(str(row["promo_id"]), str(row["name"]), pd.Timestamp(row["start_at"]).date(),
                     pd.Timestamp(row["end_at"]).date(), str(row.get("event") or ""))


def all_of(wh: Warehouse, shop_id: str) -> list[Promotion]:
    """Every promotion of the shop, in start order."""
    if not queries.has_rows(wh, "promotions", shop_id):
        return []
    return [_promotion(row) for _, row in wh.shop_rows("promotions", shop_id).order_by("start_at").execute().iterrows()]


def same_event_last_year(promos: list[Promotion], promo: Promotion) -> Promotion | None:
    """Last year's promotion of the same event: the one whose D-day is closest to a year before
    (within 330-400 days); None when the shop has no such promotion."""
    candidates = [p for p in promos if p.event == promo.event and p.promo_id != promo.promo_id
                  and 330 <= (promo.event_day - p.event_day).days <= 400]
    return min(candidates, key=lambda p: abs((promo.event_day - p.event_day).days - 365), default=None)


def previous(promos: list[Promotion], promo: Promotion) -> Promotion | None:
    """The last promotion that ended before ``promo`` started (any event)."""
    earlier = [p for p in promos if p.end < promo.start]
    return max(earlier, key=lambda p: p.end, default=None)


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


def resolve(wh: Warehouse, shop_id: str, promo: str, data_end: dt.date) -> Promotion:
    """The promotion a retrospective reviews: ``promo`` is a promo_id or ``last`` (the last one that
    ended on or before ``data_end``). A promotion still running at ``data_end`` is refused: its
    phases, refunds and lift are incomplete, and a partial "so far" retrospective would read as final."""
    promos = all_of(wh, shop_id)
    if not promos:
        raise DataNotFoundError(f"shop {shop_id} has no promotions in the warehouse (table promotions): "
                                "import the promotion calendar first.")
    ended = [p for p in promos if p.end <= data_end]
    if promo == "last":
        if not ended:
            raise DataNotFoundError(f"shop {shop_id} has no promotion that ended by {data_end} (the last day of its data); "
                                    f"the first one, {promos[0].promo_id}, ends on {promos[0].end}.")
        return max(ended, key=lambda p: (p.end, p.start))
    found = next((p for p in promos if p.promo_id == promo), None)
    if found is None:
        known = ", ".join(p.promo_id for p in ended[-5:]) or "none yet"
        raise ParamsError(f"promo '{promo}' is not a promotion of shop {shop_id}; its last ended promotions: {known} "
                          "(or use promo=last).")
    if found.end > data_end:
        raise ParamsError(f"promotion {found.promo_id} ({found.name}) runs until {found.end} but the shop's data end on "
                          f"{data_end}: a retrospective needs the whole promotion. Follow a running promotion in the weekly "
                          "review, and run this report once the promotion has ended and its data are imported.")
    return found
