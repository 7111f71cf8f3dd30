"""Competitor momentum: who is ahead, who is moving, and how big they are, from platform indices.

Indices (competitor_daily: 交易指数, 流量指数, ...) are a proprietary monotone non-linear transform
of real values, so this module only ever uses them in two ways that survive ANY such transform
(index → c × index^k in particular; a test checks it on every table but ``latest``):

Ranks (``ranks``). Each day, the shops in the export (ours, OWN_SHOP, included) are ranked by the
index, 1 = highest (ties share the mean of their places). A shop's ``mean_daily_rank`` is the mean
of its daily ranks over its observed days of the period; the period ``rank`` orders those means
(1 = best; equal means share the better place). The same is done for the previous period
(``previous_rank``). Ranking days, not a mean of indices: a mean of indices is not monotone-invariant.

Trend (``trend``). Kendall's tau-b (scipy ``kendalltau``) between a shop's daily index and the day
number within the period: 'up' when tau > 0 and the p-value < ``trend_p``, 'down' when tau < 0 and
p < ``trend_p``, else 'flat'; missing (unknown) with fewer than ``MIN_TREND_DAYS`` observed days. Tau
depends only on the order of the values, hence on no transform. A constant index is 'flat'.

Estimates (``estimates``, ``derived``, ``weekly``). Indices are converted to estimated real values
with the calibration curves fitted on our own shop (`index_calibration`). Additive measures
(paid_amount, uv, search_uv, fav_users, cart_users, paid_buyers; for uv and the funnel users these
are visitor-days, the daily distinct counts summed) get period totals = Σ daily estimates with the
range Σ lows .. Σ highs (`index_calibration.period_total`); ``growth`` is the growth of those
estimated totals (`index_calibration.growth`), never of indices. A total is unknown (NaN) when the
shop lacks the index on a day of the period on which the export has any row: a total with a day
left out is not the total. The conversion index is a daily RATE: its daily estimates cannot be
summed, so the period conversion is reported in ``derived`` as estimated buyers / estimated UV,
and aov as estimated paid_amount / estimated buyers (`index_calibration.ratio`, widest range).
Without a curve for a measure its estimates are unknown (``known`` False).

Our own shop is in every table. Given ``own_real`` (our real daily measures, e.g. from
`index_calibration.real_measures`), our rows in ``estimates``, ``derived`` and ``weekly`` hold our
REAL values (``real`` True, low = high = the value) so that we are compared on facts; without it
they are estimated from our own indices like everyone else's.

``latest`` holds the raw index values of the last day of the period with data: for display only.

Bad arguments raise `ParamsError`, bad rows `ContractError`, nothing in the period `DataNotFoundError`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ..schemas import OWN_SHOP
from . import index_calibration as ic
from ._checks import as_date, require_columns

#: Index columns whose real measure adds up over days (period totals); the conversion index does not.
ADDITIVE = ("trade_index", "traffic_index", "search_index", "fav_index", "cart_index", "buyer_index")
TREND_P = 0.05
MIN_TREND_DAYS = 4
TRENDS = ("up", "down", "flat")
DERIVED = ("conversion_rate", "aov")
RANK_COLUMNS = ["competitor_id", "metric", "rank", "previous_rank", "mean_daily_rank", "trend", "tau", "p_value", "days"]
ESTIMATE_COLUMNS = ["competitor_id", "metric", "index_column", "estimate", "low", "high", "previous_estimate",
                    "previous_low", "previous_high", "growth", "growth_low", "growth_high",
                    "extrapolated_share", "days", "known", "real"]
DERIVED_COLUMNS = ["competitor_id", "measure", "estimate", "low", "high", "real"]
WEEKLY_COLUMNS = ["week_start", "competitor_id", "estimate", "low", "high", "days", "real"]


@dataclass(frozen=True)
class Momentum:
    """Ranks and trends of the indices, estimated totals and their growth, conversion and AOV,
    weekly estimated paid_amount and the last day's raw indices (columns: the *_COLUMNS lists;
    ``latest``: competitor_id, date and the index columns of the export)."""

    ranks: pd.DataFrame
    estimates: pd.DataFrame
    derived: pd.DataFrame
    weekly: pd.DataFrame
    latest: pd.DataFrame
    period: tuple[dt.date, dt.date]
    previous: tuple[dt.date, dt.date]


def _window(value, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ParamsError(f"{name} must be a (first day, last day) pair (got {value!r}).")
    start, end = as_date(value[0], f"{name}[0]"), as_date(value[1], f"{name}[1]")
    if end < start:
        raise ParamsError(f"{name} ends ({end}) before it starts ({start}).")
    return pd.Timestamp(start), pd.Timestamp(end)


def _prepare(daily: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    require_columns(daily, ["date", "competitor_id"], "competitor_daily rows")
    columns = [c for c in ic.INDEX_OF if c in daily.columns]
    if not columns:
        raise ContractError(f"competitor_daily rows hold no index column; they need one of {', '.join(ic.INDEX_OF)}.")
    out = daily[["date", "competitor_id", *columns]].copy()
    out["date"] = pd.to_datetime(out["date"], errors="coerce")
    if out["date"].isna().any():
        raise ContractError(f"competitor_daily rows: {int(out['date'].isna().sum())} row(s) without a readable date.")
    out["date"] = out["date"].dt.normalize()
    if out["competitor_id"].isna().any():
        raise ContractError(f"competitor_daily rows: {int(out['competitor_id'].isna().sum())} row(s) without a competitor_id.")
    twice = out.duplicated(["date", "competitor_id"])
    if twice.any():
        row = out[twice].iloc[0]
        raise ContractError(f"competitor_daily rows hold {row['competitor_id']} on {row['date'].date()} twice.")
    for column in columns:
        out[column] = ic._numbers(out[column], f"competitor_daily {column}")
    return out, columns


def _shops(frame: pd.DataFrame) -> list[str]:
    others = sorted(str(s) for s in frame["competitor_id"].unique() if s != OWN_SHOP)
    return ([OWN_SHOP] if (frame["competitor_id"] == OWN_SHOP).any() else []) + others


def _in(frame: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    return frame[(frame["date"] >= window[0]) & (frame["date"] <= window[1])]


def _period_ranks(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """mean_daily_rank, rank and days per shop (index: competitor_id) of one index over a window."""
    seen = frame[frame[column].notna()]
    daily_rank = seen.groupby("date")[column].rank(ascending=False, method="average")
    mean = daily_rank.groupby(seen["competitor_id"]).mean()
    return pd.DataFrame({"mean_daily_rank": mean, "rank": mean.rank(method="min"),
                         "days": seen.groupby("competitor_id").size()})


def _trend(series: pd.DataFrame, column: str, start: pd.Timestamp, trend_p: float) -> tuple[str | None, float, float]:
    from scipy.stats import kendalltau

    seen = series[series[column].notna()]
    if len(seen) < MIN_TREND_DAYS:
        return None, math.nan, math.nan
    if seen[column].nunique() < 2:
        return "flat", math.nan, math.nan
    day = (seen["date"] - start).dt.days.to_numpy() + 1
    tau, p = kendalltau(day, seen[column].to_numpy())
    tau, p = float(tau), float(p)
    if p < trend_p:
        return ("up" if tau > 0 else "down"), tau, p
    return "flat", tau, p


def _ranks(cur, prev, columns, shops, start, trend_p) -> pd.DataFrame:
    rows = []
    for column in columns:
        now, before = _period_ranks(cur, column), _period_ranks(prev, column)
        for shop in shops:
            trend, tau, p = _trend(cur[cur["competitor_id"] == shop], column, start, trend_p)
            rows.append({"competitor_id": shop, "metric": column,
                         "rank": now["rank"].get(shop, math.nan),
                         "previous_rank": before["rank"].get(shop, math.nan),
                         "mean_daily_rank": now["mean_daily_rank"].get(shop, math.nan),
                         "trend": trend, "tau": tau, "p_value": p, "days": int(now["days"].get(shop, 0))})
    return pd.DataFrame(rows, columns=RANK_COLUMNS)


def _own_real(own_real: pd.DataFrame | None) -> pd.DataFrame | None:
    if own_real is None:
        return None
    require_columns(own_real, ["date"], "Our own real values")
    frame = ic._by_date(own_real, "Our own real values")
    measures = [m for m in ic.INDEX_OF.values() if m in frame.columns]
    return pd.DataFrame({m: ic._numbers(frame[m], f"our real {m}") for m in measures}, index=frame.index)


class _Source:
    """Daily values of one shop and measure over a set of dates: real or estimated, or unknown."""

    def __init__(self, shop, column, frame, real, curves):
        self.measure = ic.INDEX_OF[column]
        self.real = shop == OWN_SHOP and real is not None and self.measure in real.columns
        self.curve = curves.get(column)
        self.known = self.real or self.curve is not None
        self.index = frame.loc[frame["competitor_id"] == shop].set_index("date")[column]
        self.values = real[self.measure] if self.real else None

    def daily(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """estimate, low, high, extrapolated per date of ``dates`` (NaN: missing or unknown)."""
        if self.real:
            v = self.values.reindex(dates)
            return pd.DataFrame({"estimate": v, "low": v, "high": v, "extrapolated": False}, index=dates)
        if self.curve is None:
            return pd.DataFrame({"estimate": np.nan, "low": np.nan, "high": np.nan, "extrapolated": False}, index=dates)
        return self.curve.estimate(self.index.reindex(dates))

    def days(self, dates: pd.DatetimeIndex) -> int:
        source = self.values if self.real else self.index
        return int(source.reindex(dates).notna().sum())


def _dates(frame: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(sorted(frame["date"].unique()))


def _estimates(d, cur, prev, columns, shops, real, curves):
    """The estimates rows and, per shop, the period totals by measure (for `derived`)."""
    cur_dates, prev_dates = _dates(cur), _dates(prev)
    rows, totals = [], {}
    for shop in shops:
        for column in (c for c in columns if c in ADDITIVE):
            src = _Source(shop, column, d, real, curves)
            now_daily = src.daily(cur_dates)
            now = ic.period_total(now_daily) if src.known else ic.UNKNOWN
            before = ic.period_total(src.daily(prev_dates)) if src.known else ic.UNKNOWN
            change = ic.growth(now, before)
            shown = now_daily[now_daily["estimate"].notna()]
            extrapolated = float(shown["extrapolated"].mean()) if src.known and not src.real and len(shown) else math.nan
            totals[(shop, src.measure)] = (now, src.real)
            rows.append({"competitor_id": shop, "metric": src.measure, "index_column": column,
                         "estimate": now.est, "low": now.low, "high": now.high,
                         "previous_estimate": before.est, "previous_low": before.low, "previous_high": before.high,
                         "growth": change.est, "growth_low": change.low, "growth_high": change.high,
                         "extrapolated_share": extrapolated, "days": src.days(cur_dates),
                         "known": src.known, "real": src.real})
    return pd.DataFrame(rows, columns=ESTIMATE_COLUMNS), totals


def _derived(shops, totals) -> pd.DataFrame:
    rows = []
    for shop in shops:
        for measure, (num, den) in (("conversion_rate", ("paid_buyers", "uv")), ("aov", ("paid_amount", "paid_buyers"))):
            if (shop, num) not in totals or (shop, den) not in totals:
                continue
            (n, n_real), (m, m_real) = totals[(shop, num)], totals[(shop, den)]
            r = ic.ratio(n, m)
            rows.append({"competitor_id": shop, "measure": measure, "estimate": r.est, "low": r.low,
                         "high": r.high, "real": n_real and m_real})
    return pd.DataFrame(rows, columns=DERIVED_COLUMNS)


def _weeks_window(d, now, weeks_from) -> pd.DataFrame:
    """The rows of ``d`` from the first Monday on or after ``weeks_from`` to the period's end."""
    first = now[0] if weeks_from is None else pd.Timestamp(weeks_from)
    first = first + pd.Timedelta(days=(7 - first.dayofweek) % 7)
    return d[(d["date"] >= first) & (d["date"] <= now[1])]


def _weekly(d, cur, shops, real, curves) -> pd.DataFrame:
    if "trade_index" not in d.columns:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    dates = _dates(cur)
    weeks = dates - pd.to_timedelta(dates.dayofweek, unit="D")  # the Monday of each ISO week
    rows = []
    for shop in shops:
        src = _Source(shop, "trade_index", d, real, curves)
        daily = src.daily(dates)
        for week in sorted(set(weeks)):
            part = daily[weeks == week]
            total = ic.period_total(part) if src.known else ic.UNKNOWN
            rows.append({"week_start": week.date(), "competitor_id": shop, "estimate": total.est,
                         "low": total.low, "high": total.high, "days": src.days(dates[weeks == week]),
                         "real": src.real})
    return pd.DataFrame(rows, columns=WEEKLY_COLUMNS)


def _latest(cur, columns, shops) -> pd.DataFrame:
    last = cur["date"].max()
    day = cur[cur["date"] == last].set_index("competitor_id")
    frame = pd.DataFrame({"competitor_id": shops, "date": last.date()})
    for column in columns:
        frame[column] = [day[column].get(shop, math.nan) for shop in shops]
    return frame


def momentum(daily: pd.DataFrame, curves: dict[str, ic.Curve], period, previous,
             own_real: pd.DataFrame | None = None, trend_p: float = TREND_P, weeks_from=None) -> Momentum:
    """Ranks, trends, estimated totals and growth of every shop in ``daily`` (see the module).

    Parameters
    ----------
    daily
        competitor_daily rows: date, competitor_id and any index columns of INDEX_OF, our own rows
        (competitor_id OWN_SHOP) included; covering ``period`` and ``previous``.
    curves
        Index column -> `index_calibration.Curve` (from `index_calibration.fit_all`).
    period, previous
        (first day, last day) of the period and of the one it is compared with.
    own_real
        Our real daily measures (date + INDEX_OF's measure names); None: estimate ours too.
    trend_p
        p-value below which a Kendall trend counts as 'up' or 'down'.
    weeks_from
        First day of ``weekly`` (default: the period's first day); weekly starts at the first
        Monday on or after it, so its first week is whole.
    """
    d, columns = _prepare(daily)
    if not isinstance(curves, dict) or any(not isinstance(c, ic.Curve) for c in curves.values()):
        raise ParamsError("curves must be a dict of index column -> Curve (index_calibration.fit_all).")
    if not 0 < trend_p < 1:
        raise ParamsError(f"trend_p must lie between 0 and 1, e.g. 0.05 (got {trend_p!r}).")
    now, before = _window(period, "period"), _window(previous, "previous")
    cur, prev = _in(d, now), _in(d, before)
    if cur.empty:
        raise DataNotFoundError(f"competitor_daily has no rows from {now[0].date()} to {now[1].date()}.")
    real = _own_real(own_real)
    shops = _shops(d)
    estimates, totals = _estimates(d, cur, prev, columns, shops, real, curves)
    return Momentum(
        ranks=_ranks(cur, prev, columns, shops, now[0], trend_p),
        estimates=estimates,
        derived=_derived(shops, totals),
        weekly=_weekly(d, _weeks_window(d, now, weeks_from), shops, real, curves),
        latest=_latest(cur, columns, shops),
        period=(now[0].date(), now[1].date()),
        previous=(before[0].date(), before[1].date()),
    )
