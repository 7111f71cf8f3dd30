"""The teardown's period: a calendar month (2026-11) or a date range (2026-11-01..2026-11-22).

A period may run past the data: it is then cut at the last day with competitor data and marked
partial (a teardown is often read mid-month, before a promotion). The period it is compared with
is the same number of days just before it.
"""

from __future__ import annotations

import datetime as dt
import re

from ...errors import ParamsError
from ...periods import Period, month_of

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Period:
    """'2026-11' -> Nov 1..30; '2026-11-01..2026-11-22' -> those days (both included)."""
    text = text.strip()
    if match := MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ParamsError(f"period '{text}': there is no month {month}.")
        return month_of(dt.date(year, month, 1))
    if match := RANGE.match(text):
        try:
            start, end = (dt.date.fromisoformat(g) for g in match.groups())
        except ValueError as exc:
            raise ParamsError(f"period '{text}': {exc}.") from None
        if end < start:
            raise ParamsError(f"period '{text}' ends before it starts.")
        return Period(f"{start.isoformat()}_{end.isoformat()}", start, end)
    raise ParamsError(f"period '{text}' is neither a month such as 2026-11 nor a date range such as "
                      "2026-11-01..2026-11-22 (or 'last').")


def previous(period: Period) -> Period:
    """The same number of days just before ``period``."""
    end = period.start - dt.timedelta(days=1)
    start = end - dt.timedelta(days=period.days - 1)
    return Period(f"{start.isoformat()}_{end.isoformat()}", start, end)


def clip(period: Period, last_day: dt.date) -> tuple[Period, bool]:
    """``period`` cut at ``last_day``, and whether it was cut (partial)."""
    if period.end <= last_day:
        return period, False
    return Period(period.label, period.start, last_day), True
