"""Competitor reviews: weighted ratings, review growth, bad-review tags and waves, by hand."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import competitor_reviews as cr
from opsreport.errors import ContractError, ParamsError

D = dt.date
PERIOD = (D(2026, 11, 2), D(2026, 11, 15))  # two weeks: 11-02 .. 11-08, 11-09 .. 11-15
PREVIOUS = (D(2026, 10, 19), D(2026, 11, 1))
# baseline weeks: 09-07 .. 09-13, ..., 10-26 .. 11-01 (8 weeks of 7 days before 11-02)
BASELINE_MONDAYS = [D(2026, 9, 7) + dt.timedelta(days=7 * i) for i in range(8)]


def snap(shop, day, *products):
    """Snapshot rows of one shop and day; products are (product_id, rating, reviews)."""
    return [{"observed_on": day, "competitor_id": shop, "product_id": p, "price": 100.0, "rating": r, "reviews": n}
            for p, r, n in products]


def ratings_frame():
    rows = (snap("X", D(2026, 10, 19), ("x1", 4.8, 80), ("x2", 4.8, 250))
            + snap("X", D(2026, 11, 1), ("x1", 4.8, 90), ("x2", 4.8, 280))
            + snap("X", D(2026, 11, 2), ("x1", 4.9, 100), ("x2", 4.6, 300), ("x4", np.nan, 50))
            + snap("X", D(2026, 11, 15), ("x1", 4.8, 130), ("x2", 4.5, 330), ("x3", 5.0, 10))
            + snap("Y", D(2026, 11, 10), ("y1", 4.0, 10)))
    return pd.DataFrame(rows)


def tag_rows(shop, tag, baseline, *in_period):
    """``baseline`` bad reviews on each baseline Monday, then (date, count) pairs."""
    rows = [(d, shop, tag, baseline) for d in BASELINE_MONDAYS]
    rows += [(d, shop, tag, n) for d, n in in_period]
    return pd.DataFrame(rows, columns=["date", "competitor_id", "tag", "bad_reviews"])


def tags_frame():
    return pd.concat([tag_rows("X", "quality", 4, (D(2026, 11, 3), 12), (D(2026, 11, 10), 11)),
                      tag_rows("X", "colour", 3, (D(2026, 11, 4), 9), (D(2026, 11, 12), 10))], ignore_index=True)


def test_ratings_are_review_weighted_and_new_reviews_count_products_at_both_ends():
    r = cr.reviews(ratings_frame(), None, PERIOD, PREVIOUS).ratings.set_index("competitor_id")
    x = r.loc["X"]
    assert (x.first_day, x.last_day) == (D(2026, 11, 2), D(2026, 11, 15))
    # 11-02: (4.9 × 100 + 4.6 × 300) / 400 = (490 + 1 380) / 400 = 4.675 (x4 has no rating: left out)
    assert x.rating_start == pytest.approx(4.675)
    # 11-15: (4.8 × 130 + 4.5 × 330 + 5.0 × 10) / 470 = (624 + 1 485 + 50) / 470 = 2 159 / 470
    assert x.rating_end == pytest.approx(2159 / 470)
    assert x.change == pytest.approx(2159 / 470 - 4.675)
    assert (x.reviews_start, x.reviews_end) == (450, 470)  # 100 + 300 + 50; 130 + 330 + 10
    # x1 130 − 100 + x2 330 − 300 = 60; x3 (new) and x4 (gone) are not at both ends
    assert x.new_reviews == 60
    assert x.new_reviews_previous == 40  # 10-19 -> 11-01: (90 − 80) + (280 − 250)
    assert x.growth == pytest.approx(0.5)  # 60 / 40 − 1
    y = r.loc["Y"]
    assert y.rating_start == y.rating_end == 4.0 and y.change == 0.0
    assert math.isnan(y.new_reviews) and math.isnan(y.growth)  # one day observed: no span, not 0


def test_tags_show_where_bad_reviews_cluster():
    t = cr.reviews(ratings_frame(), tags_frame(), PERIOD, PREVIOUS).tags
    assert t[["tag", "bad_reviews", "previous", "change"]].values.tolist() == [
        ["quality", 23, 8, 15],  # 12 + 11 in the period; 4 on 10-19 and 4 on 10-26 before; 23 − 8
        ["colour", 19, 6, 13],  # 9 + 10; 3 + 3
    ]
    assert list(t.share) == pytest.approx([23 / 42, 19 / 42])


def test_a_wave_at_the_ratio_and_none_just_below_or_under_the_minimum():
    w = cr.reviews(ratings_frame(), tags_frame(), PERIOD, PREVIOUS).weeks.set_index(["tag", "week_start"])
    q1, q2 = w.loc[("quality", D(2026, 11, 2))], w.loc[("quality", D(2026, 11, 9))]
    assert (q1.baseline, q1.baseline_known) == (4.0, 8)  # median of eight weeks of 4
    assert q1.ratio == pytest.approx(3.0) and bool(q1.wave)  # 12 = 3 × 4 and ≥ 10: a wave
    assert q2.ratio == pytest.approx(2.75) and not bool(q2.wave)  # 11 < 12: just below the ratio
    c1, c2 = w.loc[("colour", D(2026, 11, 2))], w.loc[("colour", D(2026, 11, 9))]
    assert c1.ratio == pytest.approx(3.0) and not bool(c1.wave)  # 9 = 3 × 3 but 9 < wave_min 10
    assert bool(c2.wave)  # 10 ≥ 9 and ≥ 10
    waves = cr.reviews(ratings_frame(), tags_frame(), PERIOD, PREVIOUS).waves
    assert waves[["tag", "week_start"]].values.tolist() == [["colour", D(2026, 11, 9)], ["quality", D(2026, 11, 2)]]


def test_rating_after_a_wave_fell_at_exactly_the_drop_and_not_just_below():
    snaps, tags = [], []
    # every shop: 5.0 on 10-01, 4.8 on 10-30 (the last day before the wave), then its end rating on 11-15
    for shop, end_rating in (("A", 4.7), ("B", 4.71), ("C", 4.69)):
        snaps += snap(shop, D(2026, 10, 1), ("p", 5.0, 100)) + snap(shop, D(2026, 10, 30), ("p", 4.8, 100))
        snaps += snap(shop, D(2026, 11, 15), ("p", end_rating, 120))
        tags.append(tag_rows(shop, "quality", 0, (D(2026, 11, 3), 10)))
    r = cr.reviews(pd.DataFrame(snaps), pd.concat(tags, ignore_index=True), PERIOD, PREVIOUS)
    assert len(r.waves) == 3  # baseline 0, 10 ≥ 3 × 0 and ≥ 10: each is a wave (ratio inf)
    assert np.isinf(r.waves.ratio).all()
    a = r.rating_after_wave.set_index("competitor_id")
    assert (a.loc["A", "before_day"], a.loc["A", "rating_before"]) == (D(2026, 10, 30), 4.8)
    assert a.loc["A", "change"] == pytest.approx(-0.1)
    assert bool(a.loc["A", "rating_fell"])  # 4.8 − 4.7 = 0.1: exactly the drop counts
    assert not bool(a.loc["B", "rating_fell"])  # 4.8 − 4.71 = 0.09
    assert bool(a.loc["C", "rating_fell"])  # 4.8 − 4.69 = 0.11


def test_baseline_weeks_before_the_tags_start_are_not_counted_as_zero():
    late = pd.DataFrame({"date": [D(2026, 10, 20), D(2026, 10, 27), D(2026, 11, 3)], "competitor_id": "X",
                         "tag": "quality", "bad_reviews": [7, 2, 12]})
    w = cr.reviews(ratings_frame(), late, PERIOD, PREVIOUS).weeks.iloc[0]
    # the tags start 10-20: only the week 10-26 .. 11-01 is covered (10-19 .. 10-25 starts before); it holds 2
    assert (w.baseline_known, w.baseline) == (1, 2.0)
    assert bool(w.wave)  # 12 ≥ 3 × 2 and ≥ 10
    fresh = late.assign(date=[D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4)])
    w = cr.reviews(ratings_frame(), fresh, PERIOD, PREVIOUS).weeks.iloc[0]
    assert w.baseline_known == 0 and math.isnan(w.baseline) and pd.isna(w.wave)  # unknown, not a wave of 0


def test_without_tags_there_are_no_waves_and_bad_input_is_named():
    r = cr.reviews(ratings_frame(), None, PERIOD, PREVIOUS)
    assert r.tags is None and r.waves.empty and r.rating_after_wave.empty
    with pytest.raises(ContractError, match="bad_reviews"):
        cr.reviews(ratings_frame(), tags_frame().drop(columns="bad_reviews"), PERIOD, PREVIOUS)
    with pytest.raises(ParamsError, match="wave_min"):
        cr.reviews(ratings_frame(), None, PERIOD, PREVIOUS, wave_min=-1)
    with pytest.raises(ParamsError, match="previous"):
        cr.reviews(ratings_frame(), None, PERIOD, "last month")
