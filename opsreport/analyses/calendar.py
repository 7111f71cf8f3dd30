"""Which periods a report compares, and which of them the shop's data covers.

`Calendar` holds the periods of a weekly comparison (this week, last week, the same ISO week last
year, the trend window, the month to date and the baseline weeks); `resolve_week` turns a week
parameter ('last' or an ISO week) into a period the shop has data for, or says why it cannot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from .. import periods as cal
from ..errors import DataNotFoundError
from ..warehouse.connection import Warehouse

BASELINE_WEEKS = 4


@dataclass(frozen=True)
class Calendar:
    week: cal.Period
    last_week: cal.Period
    last_year: cal.Period
    trend: cal.Period
    month_to_date: cal.Period
    month: cal.Period

    @classmethod
    def for_week(cls, week: cal.Period, trend_weeks: int) -> "Calendar":
        month = cal.month_of(week.end)
        return cls(
            week=week,
            last_week=cal.previous_week(week),
            last_year=cal.same_week_last_year(week),
            trend=cal.Period("trend", week.end - dt.timedelta(days=7 * trend_weeks - 1), week.end),
            month_to_date=cal.Period(month.label, month.start, week.end),
            month=month,
        )

    @cached_property
    def weeks_back(self) -> dict[str, cal.Period]:
        """This week and the BASELINE_WEEKS before it, labelled this_week, last_week, w-2, ..."""
        out = {"this_week": self.week, "last_week": self.last_week}
        current = self.last_week
        for i in range(2, BASELINE_WEEKS + 1):
            current = cal.previous_week(current)
            out[f"w-{i}"] = current
        return out

    @property
    def compared(self) -> dict[str, cal.Period]:
        return {"this_week": self.week, "last_week": self.last_week, "last_year": self.last_year}


@dataclass(frozen=True)
class Coverage:
    """The days the shop's data covers: its daily overview (shop_daily) and its paid orders."""

    overview: tuple[dt.date, dt.date] | None
    orders: tuple[dt.date, dt.date] | None

    @property
    def empty(self) -> bool:
        return self.overview is None and self.orders is None

    @property
    def first(self) -> dt.date:
        return min(span[0] for span in (self.overview, self.orders) if span)

    @property
    def last(self) -> dt.date:
        return max(span[1] for span in (self.overview, self.orders) if span)

    @property
    def first_order(self) -> dt.date | None:
        return self.orders[0] if self.orders else None


def _span(frame: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    row = frame.iloc[0]
    if pd.isna(row["first"]):
        return None
    return pd.Timestamp(row["first"]).date(), pd.Timestamp(row["last"]).date()


def coverage(wh: Warehouse, shop_id: str) -> Coverage:
    overview = orders = None
    if wh.has("shop_daily"):
        sd = wh.shop_rows("shop_daily", shop_id)
        overview = _span(sd.aggregate(first=sd.date.min(), last=sd.date.max()).execute())
    if wh.has("orders"):
        o = wh.shop_rows("orders", shop_id)
        o = o.filter(o.paid_at.notnull())
        orders = _span(o.aggregate(first=o.paid_at.min(), last=o.paid_at.max()).execute())
    return Coverage(overview, orders)


def days_with_data(wh: Warehouse, shop_id: str, period: cal.Period) -> list[dt.date]:
    """The days of ``period`` the shop's data covers: days with an overview row or a paid order;
    a shop without an overview covers every day between its first and last paid order (a day
    without orders there sold nothing; it is not missing)."""
    days: set[dt.date] = set()
    if wh.has("shop_daily"):
        sd = wh.shop_rows("shop_daily", shop_id)
        got = sd.filter(sd.date.between(period.start, period.end)).select("date").distinct().execute()
        days |= {pd.Timestamp(d).date() for d in got["date"]}
    span = coverage(wh, shop_id)
    if span.orders is not None and span.overview is None:
        first, last = max(span.orders[0], period.start), min(span.orders[1], period.end)
        days |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    elif span.orders is not None:
        o = wh.shop_rows("orders", shop_id)
        lo = dt.datetime.combine(period.start, dt.time())
        hi = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
        o = o.filter((o.paid_at >= lo) & (o.paid_at < hi))
        got = o.select(day=o.paid_at.date()).distinct().execute()
        days |= {pd.Timestamp(d).date() for d in got["day"]}
    return sorted(days)


def resolve_week(wh: Warehouse, shop_id: str, week: str, *, allow_partial: bool = False) -> cal.Period:
    """The week to review: 'last' is the last complete ISO week of the shop's data. A week with
    fewer than 7 days of data is refused, naming the days it has, unless ``allow_partial``."""
    span = coverage(wh, shop_id)
    if span.empty:
        raise DataNotFoundError(
            f"Shop '{shop_id}' has no rows in shop_daily and no paid orders in {wh.location}: nothing to review."
        )
    period = cal.last_complete_week(span.last) if week == "last" else cal.iso_week(week)
    days = days_with_data(wh, shop_id, period)
    if not days:
        raise DataNotFoundError(
            f"Week {period.label} ({period.start}..{period.end}) has no data for shop '{shop_id}'; "
            f"its data covers {span.first}..{span.last}."
        )
    if len(days) < period.days and not allow_partial:
        have = ", ".join(f"{d:%m-%d}" for d in days)
        raise DataNotFoundError(
            f"Week {period.label} ({period.start}..{period.end}) has data on {len(days)} of its {period.days} days "
            f"for shop '{shop_id}' ({have}): a weekly review needs the whole week. Pick another week, or set "
            "allow_partial: true to review it as a partial week."
        )
    return period


def ordinary_weeks(week: cal.Period, promotions: list, count: int = 4, search_weeks: int = 13) -> dict[str, cal.Period]:
    """The ``count`` most recent weeks before ``week`` that overlap none of ``promotions`` (objects
    with ``start``/``end`` dates), looking back at most ``search_weeks``: the normal level a
    week after a promotion is compared with."""
    out: dict[str, cal.Period] = {}
    current = week
    for _ in range(search_weeks):
        current = cal.previous_week(current)
        if not any(p.start <= current.end and p.end >= current.start for p in promotions):
            out[current.label] = current
            if len(out) == count:
                break
    return out

