"""Month-to-date pacing against the monthly GMV target.

The month-end projection adds, for each remaining day, the recent run-rate (the average day of
the last ``recent_days`` days), not the month-to-date average: a promotion early in the month
(Double 11) would otherwise inflate every remaining day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics.registry import ratio
from ..periods import Period
from .traffic import in_period

RECENT_DAYS = 7


@dataclass(frozen=True)
class Pacing:
    month: str
    as_of: dt.date
    gmv_mtd: float
    target: float  # NaN when the month has no GMV target
    days_elapsed: int
    days_in_month: int
    run_rate_mtd: float  # average day of the month so far
    run_rate_recent: float  # average day of the last RECENT_DAYS days (the projection's pace)
    recent_days: int

    @property
    def days_remaining(self) -> int:
        return self.days_in_month - self.days_elapsed

    @property
    def completion(self) -> float:
        return ratio(self.gmv_mtd, self.target)

    @property
    def time_elapsed(self) -> float:
        return self.days_elapsed / self.days_in_month

    @property
    def required_run_rate(self) -> float:
        return ratio(self.target - self.gmv_mtd, self.days_remaining) if self.days_remaining else np.nan

    @property
    def projected(self) -> float:
        return self.gmv_mtd + self.run_rate_recent * self.days_remaining

    @property
    def projected_completion(self) -> float:
        return ratio(self.projected, self.target)


def pacing(daily: pd.DataFrame, month_to_date: Period, month: Period, target: float, recent_days: int = RECENT_DAYS) -> Pacing:
    """``daily``: the shop's days with ``gmv`` (covering the month to date and the recent days)."""
    gmv = float(in_period(daily, month_to_date).gmv.sum())
    recent = Period("recent", month_to_date.end - dt.timedelta(days=recent_days - 1), month_to_date.end)
    recent_days_seen = in_period(daily, recent)
    elapsed = month_to_date.days
    return Pacing(
        month=month.label,
        as_of=month_to_date.end,
        gmv_mtd=gmv,
        target=float(target),
        days_elapsed=elapsed,
        days_in_month=month.days,
        run_rate_mtd=gmv / elapsed,
        run_rate_recent=ratio(float(recent_days_seen.gmv.sum()), len(recent_days_seen)),
        recent_days=recent_days,
    )
