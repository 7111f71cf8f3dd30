"""Calendar periods: ISO weeks, months, and the comparisons a weekly review makes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import ParamsError

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Closed date interval [start, end]."""

    label: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def iso_week(label: str) -> Period:
    """'2026-W47' -> Monday 2026-11-16 .. Sunday 2026-11-22."""
    match = WEEK_PATTERN.match(label)
    if not match:
        raise ParamsError(f"week '{label}' is not an ISO week such as 2026-W47 (or 'last').")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ParamsError(f"week '{label}' does not exist: {year} has no ISO week {week}.") from None
    return Period(label, start, start + dt.timedelta(days=6))


def week_of(day: dt.date) -> Period:
    year, week, _ = day.isocalendar()
    return iso_week(f"{year}-W{week:02d}")


def last_complete_week(last_day: dt.date) -> Period:
    """The last ISO week fully covered by data that ends on ``last_day``."""
    if last_day.isoweekday() == 7:
        return week_of(last_day)
    return week_of(last_day - dt.timedelta(days=last_day.isoweekday()))


def previous_week(week: Period) -> Period:
    return week_of(week.start - dt.timedelta(days=7))


def same_week_last_year(week: Period) -> Period:
    """Same ISO week number a year earlier (week 53 falls back to week 52)."""
    year, number, _ = week.start.isocalendar()
    try:
        return iso_week(f"{year - 1}-W{number:02d}")
    except ParamsError:
        return iso_week(f"{year - 1}-W52")


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start.strftime("%Y-%m"), start, nxt - dt.timedelta(days=1))


def trailing(end: dt.date, days: int, label: str = "") -> Period:
    return Period(label or f"{days}d to {end}", end - dt.timedelta(days=days - 1), end)
