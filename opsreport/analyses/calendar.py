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


def resolve_week(wh: Warehouse, shop_id: str, week: str) -> cal.Period:
    sd = wh.shop_rows("shop_daily", shop_id)
    span = sd.aggregate(first=sd.date.min(), last=sd.date.max(), days=sd.count()).execute().iloc[0]
    if span["days"] == 0:
        raise DataNotFoundError(
            f"Shop '{shop_id}' has no rows in shop_daily of {wh.location}: nothing to review."
        )
    first, last = pd.Timestamp(span["first"]).date(), pd.Timestamp(span["last"]).date()
    period = cal.last_complete_week(last) if week == "last" else cal.iso_week(week)
    have = sd.filter(sd.date.between(period.start, period.end)).count().execute()
    if have == 0:
        raise DataNotFoundError(
            f"Week {period.label} ({period.start}..{period.end}) has no data for shop '{shop_id}'; "
            f"shop_daily covers {first}..{last}."
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


def data_end(wh: Warehouse, shop_id: str) -> dt.date:
    """The last day of the shop's daily data (refund maturity is counted from it)."""
    sd = wh.shop_rows("shop_daily", shop_id)
    return pd.Timestamp(sd.date.max().execute()).date()
