"""Competitor prices: band edges, SKUs per band, matched pairs and the price index, by hand."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import competitor_prices as cp
from opsreport.errors import ContractError, DataNotFoundError, ParamsError
from opsreport.periods import Period
from opsreport.schemas import OWN_SHOP

D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 3))  # a three-day period


# --------------------------------------------------------------------------- band edges

def test_band_edges_round_quantiles_to_1_2_5_steps():
    edges = cp.band_edges(pd.Series([59.0, 89.0, 129.0, 169.0, 239.0, 399.0]), bands=5)
    # quantiles at 0.2 .. 0.8 fall on positions 1 .. 4 of the six sorted prices: 89, 129, 169, 239
    # low: 59 / 5 = 11.8 -> step 10 -> floor to 50; 89 -> step 10 (17.8) -> 90; 129 -> step 20 (25.8) -> 120
    # 169 -> step 20 (33.8) -> 160 (8.45 steps -> 8); 239 -> step 20 (47.8) -> 240 (11.95 -> 12)
    # high: 399 -> step 50 (79.8) -> 7 × 50 = 350 -> next multiple strictly above: 400
    assert edges == [50.0, 90.0, 120.0, 160.0, 240.0, 400.0]


def test_band_edges_merge_cuts_that_round_onto_each_other():
    # quantiles at 0.25, 0.5, 0.75 of 100, 100, 100, 101: 100, 100, 100.25 -> step 20 -> all 100 = the low edge
    # high: 101 -> step 20 (20.2) -> 5 × 20 = 100 -> 120; the one band left is [100, 120)
    assert cp.band_edges(pd.Series([100.0, 100.0, 100.0, 101.0]), bands=4) == [100.0, 120.0]
    # a price of exactly the top multiple still lies below the high edge: 400 -> step 50 -> 450
    assert cp.band_edges(pd.Series([400.0]), bands=1) == [400.0, 450.0]


def test_band_edges_refuse_bad_input():
    with pytest.raises(DataNotFoundError):
        cp.band_edges(pd.Series([np.nan]))
    with pytest.raises(ContractError, match="negative"):
        cp.band_edges(pd.Series([10.0, -1.0]))
    with pytest.raises(ParamsError, match="bands"):
        cp.band_edges(pd.Series([10.0]), bands=0)


# --------------------------------------------------------------------------- bands and summary

def test_price_bands_count_listed_skus_per_shop_and_band():
    ours = pd.DataFrame({"sku_id": ["A", "B", "C"], "category": "face", "price": [59.0, 150.0, 199.0]})
    theirs = pd.DataFrame({"competitor_id": ["X", "X", "X", "Y", "Y"], "product_id": ["p1", "p2", "p3", "q1", "q2"],
                           "category": "face", "price": [100.0, 499.99, 500.0, 20.0, 80.0]})
    r = cp.price_bands(ours, theirs, [0, 100, 200, 500])
    b = r.bands.set_index(["competitor_id", "band"])
    assert list(r.bands.competitor_id.unique()) == [OWN_SHOP, "X", "Y"]  # ours first
    # ours: 59 in [0, 100); 150 and 199 in [100, 200); none in [200, 500)
    assert list(b.loc[OWN_SHOP].skus) == [1, 2, 0]
    assert list(b.loc[OWN_SHOP].share) == pytest.approx([1 / 3, 2 / 3, 0.0])
    # X: 100 sits on an edge -> band 2; 499.99 -> band 3; 500 = the top edge -> outside, still in X's total of 3
    assert list(b.loc["X"].skus) == [0, 1, 1]
    assert list(b.loc["X"].share) == pytest.approx([0.0, 1 / 3, 1 / 3])  # adds up to 2/3: one SKU outside
    assert list(b.loc["Y"].share) == pytest.approx([1.0, 0.0, 0.0])  # 20 and 80 both in [0, 100)
    assert (b.loc["X"].band_low.tolist(), b.loc["X"].band_high.tolist()) == ([0, 100, 200], [100, 200, 500])
    assert r.outside.to_dict("records") == [{"competitor_id": "X", "product_id": "p3", "price": 500.0}]
    s = r.price_summary.set_index("competitor_id")
    # ours 59, 150, 199: median 150; p25 = 59 + 0.5 × (150 − 59) = 104.5; p75 = 150 + 0.5 × 49 = 174.5
    assert (s.loc[OWN_SHOP, "p25"], s.loc[OWN_SHOP, "median"], s.loc[OWN_SHOP, "p75"]) == (104.5, 150.0, 174.5)
    assert s.loc["Y", "median"] == pytest.approx(50.0)  # (20 + 80) / 2
    assert s.loc["X", "skus"] == 3


def test_price_bands_need_increasing_edges_and_their_columns():
    ours = pd.DataFrame({"sku_id": ["A"], "price": [10.0]})
    theirs = pd.DataFrame({"competitor_id": ["X"], "product_id": ["p"], "price": [10.0]})
    with pytest.raises(ParamsError, match="increasing"):
        cp.price_bands(ours, theirs, [0, 100, 100])
    with pytest.raises(ContractError, match="competitor_id"):
        cp.price_bands(ours, theirs.drop(columns="competitor_id"), [0, 100])


def test_listed_products_are_those_of_each_competitors_last_observed_day_in_the_period():
    snaps = pd.DataFrame({
        "observed_on": [D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 3), D(2026, 11, 2), D(2026, 11, 4)],
        "competitor_id": ["X", "X", "X", "Y", "Y"], "product_id": ["p1", "p1", "p2", "q1", "q2"],
        "price": [100.0, 90.0, 50.0, 30.0, 40.0]})
    listed = cp.listed_products(snaps, NOV)
    # X's last day is 11-03 (p1 at 90 and p2); Y's is 11-02 (q1): its 11-04 row is after the period
    assert listed[["competitor_id", "product_id", "price"]].values.tolist() == [["X", "p1", 90.0], ["X", "p2", 50.0],
                                                                             ["Y", "q1", 30.0]]
    same = cp.listed_products(snaps, Period("2026-11 to 3rd", *NOV))  # a periods.Period serves as well
    pd.testing.assert_frame_equal(same, listed)


# --------------------------------------------------------------------------- matched pairs

def test_matched_pairs_average_the_period_and_list_the_unobserved():
    matches = pd.DataFrame({"sku_id": ["A", "A", "B", "C"], "competitor_id": ["X", "X", "Y", "X"],
                            "product_id": ["p1", "p2", "q1", "p1"]})
    days = [D(2026, 10, 31), D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 1)]
    our_prices = pd.DataFrame({"date": days,
                               "sku_id": ["A", "A", "A", "A", "B"], "price": [50.0, 100.0, 110.0, 120.0, 200.0]})
    units = pd.DataFrame({"sku_id": ["A"], "units": [10]})
    snaps = pd.DataFrame({
        "observed_on": [D(2026, 10, 30), D(2026, 11, 1), D(2026, 11, 3), D(2026, 10, 30), D(2026, 11, 2)],
        "competitor_id": ["X", "X", "X", "X", "Y"], "product_id": ["p1", "p1", "p1", "p2", "q1"],
        "price": [500.0, 100.0, 100.0, 60.0, 250.0], "promo_price": [np.nan, np.nan, 80.0, np.nan, 200.0]})
    r = cp.matched_pairs(matches, our_prices, units, snaps, NOV)
    p = r.pairs.set_index(["sku_id", "product_id"])
    a = p.loc[("A", "p1")]
    assert a.our_price == pytest.approx(110.0)  # (100 + 110 + 120) / 3; the 50 of 10-31 is outside
    assert a.their_price == pytest.approx(100.0)  # 100 on 11-01 and 11-03; 500 of 10-30 outside
    assert a.their_effective_price == pytest.approx(90.0)  # (100 + 80) / 2: no promo shown on 11-01 -> its price
    assert (a.our_units, a.our_days, a.their_days) == (10.0, 3, 2)
    b = p.loc[("B", "q1")]
    assert (b.our_price, b.their_price, b.their_effective_price) == (200.0, 250.0, 200.0)
    assert b.our_units == 0.0  # B is absent from our units: it sold none
    # p2 was only seen before the period; C has no price row: listed apart, never priced 0
    assert r.unobserved.values.tolist() == [["A", "X", "p2", "theirs"], ["C", "X", "p1", "ours"]]
    assert len(r.pairs) == 2


# --------------------------------------------------------------------------- price index

def pairs(*rows):
    cols = ["sku_id", "competitor_id", "product_id", "our_price", "their_price", "their_effective_price", "our_units"]
    return pd.DataFrame(rows, columns=cols)


def test_price_index_is_a_basket_of_our_units_and_zero_unit_pairs_weigh_nothing():
    r = cp.price_index(pairs(("A", "X", "p1", 110.0, 100.0, 90.0, 10),
                             ("B", "X", "p2", 200.0, 250.0, 200.0, 5),
                             ("C", "X", "p3", 50.0, 40.0, 40.0, 0),  # listed, weighs nothing
                             ("F", "Y", "q1", 90.0, 100.0, 100.0, 4)))
    x = r.by_competitor.set_index("competitor_id").loc["X"]
    # 100 × (10 × 110 + 5 × 200) / (10 × 100 + 5 × 250) = 100 × 2 100 / 2 250 = 93.33: we are 6.7 % cheaper
    assert x["index"] == pytest.approx(100 * 2100 / 2250)
    # effective: 100 × 2 100 / (10 × 90 + 5 × 200) = 100 × 2 100 / 1 900 = 110.53: dearer than their promo prices
    assert x.effective_index == pytest.approx(100 * 2100 / 1900)
    assert (x.pairs, x.weighted_pairs, x.weights) == (3, 2, "units")
    y = r.by_competitor.set_index("competitor_id").loc["Y"]
    assert y["index"] == pytest.approx(90.0)  # 100 × 4 × 90 / (4 × 100)
    o = r.overall.iloc[0]
    # all pairs: 100 × (2 100 + 4 × 90) / (2 250 + 4 × 100) = 100 × 2 460 / 2 650 = 92.83
    assert o["index"] == pytest.approx(100 * 2460 / 2650)
    assert o.effective_index == pytest.approx(100 * 2460 / 2300)  # 1 900 + 400 = 2 300
    assert (o.pairs, o.weighted_pairs, o.weights) == (4, 3, "units")
    ratios = r.pairs.set_index("sku_id").ratio
    assert ratios["A"] == pytest.approx(110.0) and ratios["C"] == pytest.approx(125.0)  # 100 × 110/100, 100 × 50/40
    assert r.pairs.set_index("sku_id").loc["C", "weight"] == 0


def test_price_index_falls_back_to_equal_weights_without_units_and_says_so():
    r = cp.price_index(pairs(("D", "Y", "q1", 30.0, 25.0, 20.0, 0), ("E", "Y", "q2", 60.0, 50.0, 50.0, 0)))
    y = r.by_competitor.iloc[0]
    assert y.weights == "equal" and y.weighted_pairs == 0
    assert y["index"] == pytest.approx(120.0)  # q = 1: 100 × (30 + 60) / (25 + 50) = 100 × 90 / 75
    assert y.effective_index == pytest.approx(100 * 90 / 70)  # 20 + 50 = 70 -> 128.57
    assert r.overall.iloc[0].weights == "equal"
    assert list(r.pairs.weight) == [1.0, 1.0]


def test_price_index_refuses_a_zero_price_and_no_pairs():
    with pytest.raises(ContractError, match="their_price"):
        cp.price_index(pairs(("A", "X", "p1", 10.0, 0.0, 5.0, 1)))
    with pytest.raises(DataNotFoundError):
        cp.price_index(pairs())
    with pytest.raises(ContractError, match="our_units"):
        cp.price_index(pairs(("A", "X", "p1", 10.0, 8.0, 8.0, math.nan)))
    with pytest.raises(ParamsError):
        cp.price_index([1, 2])
