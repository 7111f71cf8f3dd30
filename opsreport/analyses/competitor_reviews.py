"""Competitor teardown, reviews: ratings and review growth, where bad reviews cluster, and waves.

Ratings (``ratings``): a shop's rating on a day is the mean of its products' ratings that day
weighted by their cumulative reviews (products lacking either are left out; no weight at all: NaN).
``rating_start`` / ``rating_end`` are read on the shop's first / last observed day inside the period;
``change`` = end − start. ``reviews_start`` / ``reviews_end`` sum the cumulative reviews shown on
those days. ``new_reviews`` = Σ (last − first cumulative reviews) over the products with a count on
both days (launches and delistings in between are left out; a count the platform folded may make a
term negative and it is kept). One observed day gives no span: NaN, not 0. ``new_reviews_previous``
is the same over the previous period, ``growth`` = new / previous − 1 (NaN when the previous is
unknown or 0). Ratings and counts are real values shown on product pages, not indices.

Bad-review tags (``tags``, when the review tool gives them): per shop and tag the bad reviews in the
period, ``share`` of the shop's bad reviews in the period, ``previous`` (previous period) and
``change`` = bad_reviews − previous. The tool lists a tag on a day only when it had bad reviews,
so within the tags frame's span a missing row is 0.

Waves (``weeks``, ``waves``): the period is cut into 7-day weeks from its first day (the last may be
shorter: ``days``); each shop and tag's bad reviews per week are compared with its ``baseline``, the
median of its counts in the ``baseline_weeks`` (8) weeks of 7 days just before the period (start −
56 .. start − 1). Baseline weeks starting before the first day of the tags frame are not covered and
left out (``baseline_known`` of 8 used); with none covered the baseline is unknown and so is the
wave (NA). ``ratio`` = bad_reviews / baseline (inf for a zero baseline). A *wave* is a week with
bad_reviews ≥ ``wave_ratio`` × baseline AND ≥ ``wave_min`` (both limits included). For each wave
(``rating_after_wave``) the shop's rating on its last observed day before the wave's week and on its
last observed day up to the period end; ``rating_fell`` when it fell by ``drop`` (0.1) or more
(exactly 0.1 counts; a millionth of slack absorbs float noise such as 4.8 − 4.7).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParamsError
from .competitor_prices import _frame, _period, _shops, _snapshots

BASELINE_WEEKS = 8
_SLACK = 1e-6  # rating points and review counts: far below any shown difference, above float noise

RATING_COLUMNS = ["competitor_id", "first_day", "last_day", "rating_start", "rating_end", "change", "reviews_start",
                  "reviews_end", "new_reviews", "new_reviews_previous", "growth"]
TAG_COLUMNS = ["competitor_id", "tag", "bad_reviews", "share", "previous", "change"]
WEEK_COLUMNS = ["competitor_id", "tag", "week_start", "week_end", "days", "bad_reviews", "baseline", "baseline_known",
                "ratio", "wave"]
AFTER_WAVE_COLUMNS = ["competitor_id", "tag", "week_start", "before_day", "rating_before", "end_day", "rating_end",
                      "change", "rating_fell"]


@dataclass(frozen=True)
class Reviews:
    """Ratings, bad-review tags and waves of each shop (module docstring).

    Attributes
    ----------
    ratings
        RATING_COLUMNS per shop observed in the period.
    tags
        TAG_COLUMNS (None when no tags frame was given), by shop, most bad reviews first.
    weeks
        WEEK_COLUMNS: every week of the period per shop and tag, ``wave`` nullable boolean.
    waves
        The rows of ``weeks`` that are waves.
    rating_after_wave
        AFTER_WAVE_COLUMNS per wave; ``rating_fell`` nullable boolean (NA: a rating unknown).
    """

    ratings: pd.DataFrame
    tags: pd.DataFrame | None
    weeks: pd.DataFrame
    waves: pd.DataFrame
    rating_after_wave: pd.DataFrame


def _rating(day_rows: pd.DataFrame) -> float:
    """Reviews-weighted mean rating of one shop's products on one day (NaN without weight)."""
    r = day_rows[day_rows.rating.notna() & day_rows.reviews.notna()]
    weight = float(r.reviews.sum())
    return float((r.rating * r.reviews).sum() / weight) if weight > 0 else np.nan


def _new_reviews(rows: pd.DataFrame, first: dt.date, last: dt.date) -> float:
    """Σ (last − first cumulative reviews) of the products counted on both days; NaN without a span."""
    if first >= last:
        return np.nan
    a = rows[(rows.observed_on == first) & rows.reviews.notna()].set_index("product_id").reviews
    b = rows[(rows.observed_on == last) & rows.reviews.notna()].set_index("product_id").reviews
    both = a.index.intersection(b.index)
    return float((b[both] - a[both]).sum()) if len(both) else np.nan


def _ratings(s: pd.DataFrame, start, end, prev_start, prev_end) -> pd.DataFrame:
    rows = []
    for shop in _shops(s.competitor_id):
        own = s[s.competitor_id == shop]
        inside = own[(own.observed_on >= start) & (own.observed_on <= end)]
        if inside.empty:
            continue
        first, last = inside.observed_on.min(), inside.observed_on.max()
        before = own[(own.observed_on >= prev_start) & (own.observed_on <= prev_end)]
        new = _new_reviews(inside, first, last)
        prev = _new_reviews(before, before.observed_on.min(), before.observed_on.max()) if len(before) else np.nan
        r0, r1 = _rating(inside[inside.observed_on == first]), _rating(inside[inside.observed_on == last])
        rows.append({"competitor_id": shop, "first_day": first, "last_day": last, "rating_start": r0,
                     "rating_end": r1, "change": r1 - r0,
                     "reviews_start": inside.reviews[inside.observed_on == first].sum(min_count=1),
                     "reviews_end": inside.reviews[inside.observed_on == last].sum(min_count=1),
                     "new_reviews": new, "new_reviews_previous": prev,
                     "growth": new / prev - 1 if prev > 0 else np.nan})
    return pd.DataFrame(rows, columns=RATING_COLUMNS)


def _tag_table(t: pd.DataFrame, start, end, prev_start, prev_end) -> pd.DataFrame:
    now = t[(t.date >= start) & (t.date <= end)].groupby(["competitor_id", "tag"]).bad_reviews.sum()
    before = t[(t.date >= prev_start) & (t.date <= prev_end)].groupby(["competitor_id", "tag"]).bad_reviews.sum()
    f = pd.concat([now.rename("bad_reviews"), before.rename("previous")], axis=1).fillna(0.0).reset_index()
    f["share"] = f.bad_reviews / f.groupby("competitor_id").bad_reviews.transform("sum")
    f["share"] = f.share.where(np.isfinite(f.share))  # a shop without bad reviews in the period: no share
    f["change"] = f.bad_reviews - f.previous
    order = {shop: i for i, shop in enumerate(_shops(f.competitor_id))}
    f = f.assign(_o=f.competitor_id.map(order)).sort_values(["_o", "bad_reviews", "tag"], ascending=[True, False, True],
                                                            kind="stable")
    return f[TAG_COLUMNS].reset_index(drop=True)


def _weeks(t: pd.DataFrame, start, end, wave_ratio: float, wave_min: int) -> pd.DataFrame:
    span_start = t.date.min() if len(t) else end
    weeks = []
    day = start
    while day <= end:
        weeks.append((day, min(day + dt.timedelta(days=6), end)))
        day += dt.timedelta(days=7)
    base = [(start - dt.timedelta(days=7 * j), start - dt.timedelta(days=7 * j - 6))
            for j in range(BASELINE_WEEKS, 0, -1)]
    covered = [(a, b) for a, b in base if a >= span_start]
    rows = []
    for (shop, tag), g in t.groupby(["competitor_id", "tag"], sort=False):
        def count(a, b, g=g):
            return float(g.bad_reviews[(g.date >= a) & (g.date <= b)].sum())
        baseline = float(np.median([count(a, b) for a, b in covered])) if covered else np.nan
        for a, b in weeks:
            n = count(a, b)
            ratio = n / baseline if baseline > 0 else (np.inf if n > 0 else np.nan)
            wave = pd.NA if np.isnan(baseline) else bool(n >= wave_ratio * baseline - _SLACK and n >= wave_min)
            rows.append({"competitor_id": shop, "tag": tag, "week_start": a, "week_end": b, "days": (b - a).days + 1,
                         "bad_reviews": n, "baseline": baseline, "baseline_known": len(covered), "ratio": ratio,
                         "wave": wave})
    f = pd.DataFrame(rows, columns=WEEK_COLUMNS)
    f["wave"] = f.wave.astype("boolean")
    order = {shop: i for i, shop in enumerate(_shops(f.competitor_id))}
    f = f.assign(_o=f.competitor_id.map(order)).sort_values(["_o", "tag", "week_start"], kind="stable")
    return f[WEEK_COLUMNS].reset_index(drop=True)


def _after_wave(waves: pd.DataFrame, s: pd.DataFrame, end, drop: float) -> pd.DataFrame:
    rows = []
    for w in waves.itertuples(index=False):
        own = s[s.competitor_id == w.competitor_id]
        before_days = own.observed_on[own.observed_on < w.week_start]
        end_days = own.observed_on[own.observed_on <= end]
        before_day = before_days.max() if len(before_days) else None
        end_day = end_days.max() if len(end_days) else None
        r0 = _rating(own[own.observed_on == before_day]) if before_day else np.nan
        r1 = _rating(own[own.observed_on == end_day]) if end_day else np.nan
        change = r1 - r0
        rows.append({"competitor_id": w.competitor_id, "tag": w.tag, "week_start": w.week_start,
                     "before_day": before_day, "rating_before": r0, "end_day": end_day, "rating_end": r1,
                     "change": change, "rating_fell": pd.NA if np.isnan(change) else bool(change <= -drop + _SLACK)})
    f = pd.DataFrame(rows, columns=AFTER_WAVE_COLUMNS)
    f["rating_fell"] = f.rating_fell.astype("boolean")
    return f


def reviews(snapshots: pd.DataFrame, tags: pd.DataFrame | None, period, previous, wave_ratio: float = 3.0,
            wave_min: int = 10, drop: float = 0.1) -> Reviews:
    """Ratings, bad-review tags and waves of each shop (module docstring).

    Parameters
    ----------
    snapshots
        competitor_products rows up to the period end, from at least 8 weeks before the period:
        observed_on, competitor_id, product_id, price, rating, reviews (empty allowed).
    tags
        competitor_reviews rows (date, competitor_id, tag, bad_reviews) or None.
    period, previous
        (start, end) of the period and of the previous period, both included.
    wave_ratio, wave_min
        A wave: a week's bad reviews ≥ wave_ratio × the baseline and ≥ wave_min.
    drop
        Rating points whose fall after a wave counts (``rating_fell``).
    """
    for name, value in (("wave_ratio", wave_ratio), ("drop", drop)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ParamsError(f"{name} must be a number ≥ 0 (got {value!r}).")
    if isinstance(wave_min, bool) or not isinstance(wave_min, (int, np.integer)) or wave_min < 0:
        raise ParamsError(f"wave_min must be a whole number ≥ 0 (got {wave_min!r}).")
    start, end = _period(period)
    prev_start, prev_end = _period(previous, "previous")
    s = _snapshots(snapshots, optional=["rating", "reviews"])
    s = s[s.observed_on <= end]
    ratings = _ratings(s, start, end, prev_start, prev_end)
    if tags is None:
        empty = pd.DataFrame(columns=WEEK_COLUMNS)
        return Reviews(ratings=ratings, tags=None, weeks=empty, waves=empty.copy(),
                       rating_after_wave=pd.DataFrame(columns=AFTER_WAVE_COLUMNS))
    t = _frame(tags, ["date", "competitor_id", "tag", "bad_reviews"], "Competitor bad reviews",
               keys=["competitor_id", "tag", "date"], numbers=["bad_reviews"], dates=["date"])
    t = t[t.date <= end]
    weeks = _weeks(t, start, end, float(wave_ratio), int(wave_min))
    waves = weeks[weeks.wave.fillna(False).astype(bool)].reset_index(drop=True)
    return Reviews(ratings=ratings, tags=_tag_table(t, start, end, prev_start, prev_end), weeks=weeks, waves=waves,
                   rating_after_wave=_after_wave(waves, s, end, float(drop)))
