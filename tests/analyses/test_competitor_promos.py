"""Competitor promotions: our measured depth, the calendar, overlaps and undercuts, by hand."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import competitor_promos as cpr
from opsreport.errors import ContractError, ParamsError
from opsreport.schemas import OWN_SHOP

D = dt.date
PERIOD = (D(2026, 11, 1), D(2026, 11, 22))  # 22 days


def nov(n):
    return D(2026, 11, n)


# --------------------------------------------------------------------------- our depth

def test_our_depth_is_one_minus_the_median_price_ratio():
    skus = pd.DataFrame({"promo_id": ["P1", "P1", "P1", "P2"], "sku_id": ["A", "B", "C", "D"],
                         "promo_price": [80.0, 45.0, 70.0, 60.0]})
    everyday = pd.DataFrame({"sku_id": ["A", "B", "C"], "price": [100.0, 50.0, 100.0]})
    depth = cpr.our_depth(skus, everyday)
    # P1 ratios 80/100 = 0.8, 45/50 = 0.9, 70/100 = 0.7 -> median 0.8 -> depth 0.2
    assert depth["P1"] == pytest.approx(0.2)
    assert math.isnan(depth["P2"])  # D has no everyday price: unknown, not 0
    assert list(depth.index) == ["P1", "P2"] and depth.name == "depth"


def test_our_depth_takes_a_per_promotion_everyday_price():
    skus = pd.DataFrame({"promo_id": ["P1", "P3"], "sku_id": ["A", "A"], "promo_price": [80.0, 80.0]})
    everyday = pd.DataFrame({"promo_id": ["P1", "P3"], "sku_id": ["A", "A"], "price": [100.0, 160.0]})
    depth = cpr.our_depth(skus, everyday)
    assert depth["P1"] == pytest.approx(0.2)  # 1 − 80/100
    assert depth["P3"] == pytest.approx(0.5)  # 1 − 80/160


def test_everyday_price_is_the_median_of_the_30_days_before_the_start():
    history = pd.DataFrame({"date": [D(2026, 10, 11), D(2026, 10, 12), nov(5), nov(10), nov(11)],
                            "sku_id": "A", "price": [10.0, 100.0, 120.0, 110.0, 50.0]})
    promos = pd.DataFrame({"promo_id": ["P1"], "start_at": [pd.Timestamp("2026-11-11 00:00")]})
    ev = cpr.everyday_prices(history, pd.DataFrame({"promo_id": ["P1"], "sku_id": ["A"]}), promos)
    # window 10-12 (start − 30) .. 11-10: 100, 120, 110 -> median 110; 10-11 and the start day 11-11 are outside
    assert ev.values.tolist() == [["P1", "A", 110.0]]


# --------------------------------------------------------------------------- calendar

def theirs():
    return pd.DataFrame({
        "competitor_id": ["X", "X", "Y", "Y"], "promo_name": ["x11", "xweek", "y11", "ylate"],
        "start_date": [D(2026, 10, 28), nov(5), nov(10), nov(21)], "end_date": [nov(11), nov(8), nov(12), nov(30)],
        "mechanic": ["threshold", "direct", "coupon", "direct"], "depth": [0.25, 0.30, 0.24, 0.10]})


def ours():
    return pd.DataFrame({"promo_id": ["O0", "O1", "O2"], "name": ["autumn", "double 11", "year end"],
                         "event": ["shop_event", "double11", "shop_event"],
                         "start": [D(2026, 10, 1), nov(1), nov(20)], "end": [D(2026, 10, 7), nov(11), nov(25)],
                         "depth": [0.3, 0.20, np.nan]})


def test_calendar_rows_touch_the_period():
    c = cpr.promo_calendar(theirs(), ours(), PERIOD)
    r = c.rows.set_index("name")
    assert "autumn" not in r.index  # 10-01 .. 10-07 ends before the period
    assert (r.loc["x11", "days"], r.loc["x11", "days_in_period"]) == (15, 11)  # 10-28 .. 11-11; 11-01 .. 11-11
    assert (r.loc["year end", "days"], r.loc["year end", "days_in_period"]) == (6, 3)  # 11-20 .. 11-25; .. 11-22
    assert (r.loc["ylate", "days"], r.loc["ylate", "days_in_period"]) == (10, 2)  # 11-21 .. 11-30
    assert r.loc["double 11", "competitor_id"] == OWN_SHOP and r.loc["double 11", "event"] == "double11"
    assert list(c.rows.name) == ["x11", "double 11", "xweek", "y11", "year end", "ylate"]  # by start


def test_overlaps_and_undercuts_at_and_just_below_the_margin():
    o = cpr.promo_calendar(theirs(), ours(), PERIOD).overlaps
    got = o[["competitor_id", "their_promo", "our_promo", "overlap_start", "overlap_end", "overlap_days"]]
    assert got.values.tolist() == [
        ["X", "x11", "O1", nov(1), nov(11), 11],  # 10-28 .. 11-11 with 11-01 .. 11-11
        ["X", "xweek", "O1", nov(5), nov(8), 4],
        ["Y", "y11", "O1", nov(10), nov(11), 2],
        ["Y", "ylate", "O2", nov(21), nov(22), 2],  # 11-21 .. 11-25, clipped at the period end 11-22
    ]
    # x11: 0.25 ≥ 0.20 + 0.05 (exactly the margin) -> undercut; xweek: 0.30 ≥ 0.25 -> undercut
    # y11: 0.24 < 0.25 (one point short) -> no; ylate: our depth unknown -> NA
    assert o.undercut.tolist()[:3] == [True, True, False]
    assert o.undercut.isna().tolist() == [False, False, False, True]
    assert list(o.depth_gap[:3]) == pytest.approx([0.05, 0.10, 0.04])


def test_undercut_margin_is_a_parameter():
    o = cpr.promo_calendar(theirs(), ours(), PERIOD, undercut_margin=0.0).overlaps
    assert o.undercut.tolist()[:3] == [True, True, True]  # any deeper promotion undercuts with no margin


def test_depth_summary_counts_covered_days_once():
    s = cpr.promo_calendar(theirs(), ours(), PERIOD, competitors=["Z"]).depth_summary.set_index("competitor_id")
    assert list(s.index) == [OWN_SHOP, "X", "Y", "Z"]
    # ours: 11-01 .. 11-11 (11 days) + 11-20 .. 11-22 (3) = 14 of 22; one known depth 0.2
    assert (s.loc[OWN_SHOP, "promos"], s.loc[OWN_SHOP, "promo_days"]) == (2, 14)
    assert s.loc[OWN_SHOP, "promo_day_share"] == pytest.approx(14 / 22)
    assert (s.loc[OWN_SHOP, "max_depth"], s.loc[OWN_SHOP, "median_depth"]) == (0.2, 0.2)
    # X: 11-01 .. 11-11 covers xweek's 11-05 .. 11-08: 11 days, not 15; median (0.25 + 0.30) / 2
    assert s.loc["X", "promo_days"] == 11
    assert s.loc["X", "median_depth"] == pytest.approx(0.275) and s.loc["X", "max_depth"] == 0.30
    # Y: 11-10 .. 11-12 (3) + 11-21 .. 11-22 (2) = 5; median (0.24 + 0.10) / 2 = 0.17
    assert s.loc["Y", "promo_days"] == 5 and s.loc["Y", "median_depth"] == pytest.approx(0.17)
    assert s.loc["Z", "promos"] == 0 and math.isnan(s.loc["Z", "max_depth"])


def test_bad_promotions_are_named():
    t = theirs()
    t.loc[1, "end_date"] = nov(1)
    with pytest.raises(ContractError, match="xweek"):
        cpr.promo_calendar(t, ours(), PERIOD)
    with pytest.raises(ContractError, match="mechanic"):
        cpr.promo_calendar(theirs().drop(columns="mechanic"), ours(), PERIOD)
    with pytest.raises(ParamsError, match="undercut_margin"):
        cpr.promo_calendar(theirs(), ours(), PERIOD, undercut_margin=-0.1)
