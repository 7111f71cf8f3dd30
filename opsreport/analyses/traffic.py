"""Traffic: the daily shop series, the visit → cart → order → pay funnel, and traffic sources.

Every function returns data keyed by codes (source 'search', step 'cart'); views translate them.
UV is a daily distinct count: a period's UV is the average day, and users in the funnel are
user-days (daily distinct users summed over the days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import compute, queries
from ..metrics.registry import ratio
from ..periods import Period
from ..warehouse.connection import Warehouse

FUNNEL_STEPS = ("visit", "cart", "order", "pay")
_FUNNEL_PARTS = ("uv", "cart_users", "order_buyers", "buyer_days")


def in_period(daily: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Rows of a daily frame (column ``date``) inside ``period``."""
    return daily[(daily.date.dt.date >= period.start) & (daily.date.dt.date <= period.end)]


def daily_trend(daily: pd.DataFrame, window: Period, highlight: Period) -> pd.DataFrame:
    """GMV, UV and conversion per day of ``window``; ``in_week`` marks the days of ``highlight``."""
    d = compute("conversion_rate", in_period(daily, window).assign(uv_sum=lambda f: f.uv))
    d["in_week"] = d.date.dt.date.between(highlight.start, highlight.end)
    return d[["date", "gmv", "uv", "conversion_rate", "buyer_days", "in_week"]].reset_index(drop=True)


def funnel(daily: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """Users at each step (user-days) in two periods, the step rates and their change."""
    # a step the overview does not report (an export without 加购/下单) is unknown, not 0
    now = [float(in_period(daily, current)[c].sum(min_count=1)) for c in _FUNNEL_PARTS]
    before = [float(in_period(daily, previous)[c].sum(min_count=1)) for c in _FUNNEL_PARTS]
    rows = []
    for i, step in enumerate(FUNNEL_STEPS):
        rows.append(
            {
                "step": step,
                "users": now[i],
                "users_prev": before[i],
                "step_rate": ratio(now[i], now[i - 1]) if i else np.nan,
                "step_rate_prev": ratio(before[i], before[i - 1]) if i else np.nan,
                "overall_rate": ratio(now[i], now[0]),
            }
        )
    frame = pd.DataFrame(rows)
    frame["step_rate_change"] = frame.step_rate - frame.step_rate_prev
    return frame


def traffic_sources(wh: Warehouse, shop_id: str, current: Period, previous: Period) -> pd.DataFrame:
    """Per source: average daily UV, UV share, conversion and GMV in ``current`` and ``previous``.

    A visitor who arrives through two sources on one day counts once in the shop's UV and once
    in each source, so the sources' UV may add up to more than the shop's.
    """
    periods = {"this_week": current, "last_week": previous}
    long = queries.sums_by_period(
        wh, "traffic_daily", shop_id, periods, ["source"],
        {"uv": "uv", "paid_buyers": "paid_buyers", "paid_amount": "paid_amount"},
    )
    wide = long.pivot_table(index="source", columns="period", values=["uv", "paid_buyers", "paid_amount"], aggfunc="sum").fillna(0)
    frame = pd.DataFrame(index=wide.index)
    for suffix, label, period in (("", "this_week", current), ("_prev", "last_week", previous)):
        uv = wide["uv"][label] if label in wide["uv"] else 0.0
        buyers = wide["paid_buyers"][label] if label in wide["paid_buyers"] else 0.0
        gmv = wide["paid_amount"][label] if label in wide["paid_amount"] else 0.0
        parts = pd.DataFrame({"uv_sum": uv, "buyer_days": buyers, "days": float(period.days)}, index=frame.index)
        kpis = compute(["uv", "conversion_rate"], parts)  # uv: the average day, as the shop's UV
        frame["uv_sum" + suffix] = uv
        frame["uv" + suffix] = kpis.uv
        frame["uv_share" + suffix] = uv / uv.sum() if np.sum(uv) else np.nan
        frame["conversion_rate" + suffix] = kpis.conversion_rate
        frame["gmv" + suffix] = gmv
    frame["share_change"] = frame.uv_share - frame.uv_share_prev
    return frame.reset_index().sort_values("uv", ascending=False).reset_index(drop=True)
