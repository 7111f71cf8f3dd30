"""Competitors' traffic mix (search / paid / content / live / other) from 流量指数 per source.

The competition tool's 入店来源 comparison gives each shop's traffic index per source and day
(competitor_traffic; ours too, competitor_id OWN_SHOP). A share of indices is a ratio of indices and
means nothing, so visitors are estimated first:

Calibration. ONE curve ln(uv) = a + b ln(index) (`index_calibration.fit`) pooled over all our
own (day, source) pairs: the platform applies one transform to every 流量指数, whatever the source.
The frames given set the calibration window (pass e.g. the 90 days up to the period's end); the
pairs need ``min_days`` of them (day × source pairs, both > 0).

Shares. For a competitor, each (day, source) index of the period becomes estimated visitors with a
range (`Curve.estimate`); sources fold into groups (SOURCE_GROUPS; an unknown source is 'other');
the group's visitors E_g, L_g, H_g are the sums of estimates, lows and highs over its rows. Then

    share_g = E_g / Σ E,    low_g = L_g / (L_g + Σ_{o≠g} H_o),    high_g = H_g / (H_g + Σ_{o≠g} L_o)

(the widest range the groups' ranges allow; conservative, as the calibration error is shared).
Visitors are visitor-days (a day's distinct visitors summed over days), and a visitor arriving
through two sources counts in both: the same base as the weekly review's source shares. A source
the tool does not list on a day brought no visitors that day (it lists the sources with visitors);
a shop with no rows in a period has unknown shares (NaN). Our own shares are REAL, from our
traffic_daily UV (``estimated`` False, low = high = share). ``change`` = share − previous share,
as a fraction (0.05 = 5 points).

Invariance: replacing every index by c × index^k leaves the curve's estimates, hence every share,
range and flag, unchanged (a test checks it).

Flags (competitors only). ``leans_<g>`` when share_g ≥ our share_g + gap_g; ``<g>_rising`` when
share_g − previous share_g ≥ rise_g, for g in paid, content, live. A value exactly at the threshold
counts (within ``TOLERANCE`` of float rounding). ``firm`` says the flag holds even at the
conservative end of the ranges (low_g vs ours; low_g − previous high_g for a rise).

Bad arguments raise `ParamsError`, bad rows `ContractError`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError
from ..schemas import OWN_SHOP
from . import index_calibration as ic
from ._checks import require_columns
from .competitor_momentum import _window

#: Canonical traffic source -> group of the mix; any other source is 'other'.
SOURCE_GROUPS = {"search": "search", "paid_ads": "paid", "short_video": "content", "live_stream": "live",
                 "recommendation": "other", "direct": "other", "external": "other"}
GROUPS = ("search", "paid", "content", "live", "other")
FLAG_GROUPS = ("paid", "content", "live")
TOLERANCE = 1e-9
SHARE_COLUMNS = ["competitor_id", "group", "share", "low", "high", "previous_share", "change", "estimated", "days"]
FLAG_COLUMNS = ["competitor_id", "flag", "group", "share", "low", "reference", "difference", "threshold", "firm"]


@dataclass(frozen=True)
class TrafficMix:
    """The pooled traffic-index curve (None: too little of our own data to calibrate, and then the
    competitors' shares are unknown), the shares per shop and group, and the flags."""

    curve: ic.Curve | None
    shares: pd.DataFrame
    flags: pd.DataFrame
    period: tuple[dt.date, dt.date]
    previous: tuple[dt.date, dt.date]


def _group(source: pd.Series) -> pd.Series:
    return source.map(SOURCE_GROUPS).fillna("other").astype(object)


def _dated(frame: pd.DataFrame, what: str) -> pd.Series:
    dates = pd.to_datetime(frame["date"], errors="coerce")
    if dates.isna().any():
        raise ContractError(f"{what}: {int(dates.isna().sum())} row(s) without a readable date.")
    return dates.dt.normalize()


def _prepare_comp(comp: pd.DataFrame) -> pd.DataFrame:
    what = "competitor_traffic rows"
    require_columns(comp, ["date", "competitor_id", "source", "traffic_index"], what)
    out = comp[["date", "competitor_id", "source", "traffic_index"]].copy()
    out["date"] = _dated(out, what)
    out["traffic_index"] = ic._numbers(out["traffic_index"], f"{what} traffic_index")
    twice = out.duplicated(["date", "competitor_id", "source"])
    if twice.any():
        row = out[twice].iloc[0]
        raise ContractError(f"{what} hold {row['competitor_id']}, {row['source']} on {row['date'].date()} twice.")
    return out


def _prepare_own(own: pd.DataFrame) -> pd.DataFrame:
    what = "Our traffic_daily rows"
    require_columns(own, ["date", "source", "uv"], what)
    out = own[["date", "source", "uv"]].copy()
    out["date"] = _dated(out, what)
    out["uv"] = ic._numbers(out["uv"], f"{what} uv")
    twice = out.duplicated(["date", "source"])
    if twice.any():
        row = out[twice].iloc[0]
        raise ContractError(f"{what} hold source {row['source']} on {row['date'].date()} twice.")
    return out


def _in(frame, window):
    return frame[(frame["date"] >= window[0]) & (frame["date"] <= window[1])]


def _mix(est: pd.Series, low: pd.Series, high: pd.Series) -> pd.DataFrame:
    """share, low, high per group (index GROUPS) from group totals of estimates and bounds."""
    est, low, high = (s.reindex(list(GROUPS), fill_value=0.0) for s in (est, low, high))
    total = est.sum()
    if not total > 0:
        return pd.DataFrame({"share": np.nan, "low": np.nan, "high": np.nan}, index=list(GROUPS))
    low_share = low / (low + (high.sum() - high))
    high_share = high / (high + (low.sum() - low))
    return pd.DataFrame({"share": est / total, "low": low_share, "high": high_share})


_NOTHING = (pd.Series(dtype=float),) * 3  # no rows: every share unknown


def _estimated_mix(rows: pd.DataFrame, curve: ic.Curve | None) -> pd.DataFrame:
    if rows.empty or curve is None:
        return _mix(*_NOTHING)
    est = curve.estimate(rows["traffic_index"].reset_index(drop=True))
    if est["estimate"].isna().any():  # a missing index is a missing estimate, not 0 visitors
        return _mix(*_NOTHING)
    groups = _group(rows["source"]).to_numpy()
    sums = est[["estimate", "low", "high"]].groupby(groups).sum()
    return _mix(sums["estimate"], sums["low"], sums["high"])


def _real_mix(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty or rows["uv"].isna().any():
        return _mix(*_NOTHING)
    uv = rows["uv"].groupby(_group(rows["source"]).to_numpy()).sum()
    return _mix(uv, uv, uv)


def _check_threshold(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value < 1:
        raise ParamsError(f"{name} must be a share between 0 and 1, e.g. 0.1 for 10 points (got {value!r}).")
    return float(value)


def traffic_mix(comp: pd.DataFrame, own: pd.DataFrame, period, previous, level: float = ic.LEVEL,
                paid_gap: float = 0.10, paid_rise: float = 0.08, content_gap: float = 0.10,
                content_rise: float = 0.08, live_gap: float = 0.10, live_rise: float = 0.08,
                min_days: int = ic.MIN_DAYS) -> TrafficMix:
    """Traffic mix of every shop in ``comp`` in ``period`` against ``previous`` (see the module).

    Parameters
    ----------
    comp
        competitor_traffic rows: date, competitor_id, source, traffic_index; our own rows
        (OWN_SHOP) included: they calibrate the curve.
    own
        Our traffic_daily rows: date, source, uv (real visitors per source and day).
    period, previous
        (first day, last day) of the period and of the one it is compared with.
    level
        Level of the estimates' prediction intervals.
    paid_gap, content_gap, live_gap
        A competitor's group share at least this far above ours (a fraction: 0.10 = 10 points)
        flags ``leans_<group>``.
    paid_rise, content_rise, live_rise
        A rise of a competitor's group share since ``previous`` of at least this flags
        ``<group>_rising``.
    min_days
        Fewest (day, source) pairs of ours to calibrate on.
    """
    c, o = _prepare_comp(comp), _prepare_own(own)
    now, before = _window(period, "period"), _window(previous, "previous")
    gaps = {"paid": _check_threshold("paid_gap", paid_gap), "content": _check_threshold("content_gap", content_gap),
            "live": _check_threshold("live_gap", live_gap)}
    rises = {"paid": _check_threshold("paid_rise", paid_rise),
             "content": _check_threshold("content_rise", content_rise),
             "live": _check_threshold("live_rise", live_rise)}

    mine = c[c["competitor_id"] == OWN_SHOP].set_index(["date", "source"])["traffic_index"]
    curve = ic.fit(mine, o.set_index(["date", "source"])["uv"], "uv", level=level, min_days=min_days)

    shops = [str(s) for s in sorted(c.loc[c["competitor_id"] != OWN_SHOP, "competitor_id"].unique())]
    frames = []
    for shop in [OWN_SHOP, *shops]:
        if shop == OWN_SHOP:
            cur_rows, prev_rows = _in(o, now), _in(o, before)
            cur, prev = _real_mix(cur_rows), _real_mix(prev_rows)
        else:
            rows = c[c["competitor_id"] == shop]
            cur_rows, prev_rows = _in(rows, now), _in(rows, before)
            cur, prev = _estimated_mix(cur_rows, curve), _estimated_mix(prev_rows, curve)
        frames.append(pd.DataFrame({
            "competitor_id": shop, "group": list(GROUPS), "share": cur["share"].to_numpy(),
            "low": cur["low"].to_numpy(), "high": cur["high"].to_numpy(),
            "previous_share": prev["share"].to_numpy(), "previous_high": prev["high"].to_numpy(),
            "change": (cur["share"] - prev["share"]).to_numpy(), "estimated": shop != OWN_SHOP,
            "days": cur_rows["date"].nunique()}))
    table = pd.concat(frames, ignore_index=True)
    flags = _flags(table, gaps, rises)
    return TrafficMix(curve=curve, shares=table[SHARE_COLUMNS], flags=flags,
                      period=(now[0].date(), now[1].date()), previous=(before[0].date(), before[1].date()))


def _flags(table: pd.DataFrame, gaps: dict[str, float], rises: dict[str, float]) -> pd.DataFrame:
    ours = table[table["competitor_id"] == OWN_SHOP].set_index("group")["share"]
    rows = []
    for r in table[table["competitor_id"] != OWN_SHOP].itertuples(index=False):
        if r.group not in FLAG_GROUPS:
            continue
        reference = ours.get(r.group, math.nan)
        difference = r.share - reference
        if difference >= gaps[r.group] - TOLERANCE:
            rows.append({"competitor_id": r.competitor_id, "flag": f"leans_{r.group}", "group": r.group,
                         "share": r.share, "low": r.low, "reference": reference, "difference": difference,
                         "threshold": gaps[r.group], "firm": bool(r.low - reference >= gaps[r.group] - TOLERANCE)})
        if r.change >= rises[r.group] - TOLERANCE:
            rows.append({"competitor_id": r.competitor_id, "flag": f"{r.group}_rising", "group": r.group,
                         "share": r.share, "low": r.low, "reference": r.previous_share, "difference": r.change,
                         "threshold": rises[r.group],
                         "firm": bool(r.low - r.previous_high >= rises[r.group] - TOLERANCE)})
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)
