"""Competitor assortment on a 2-competitor, 6-product, 5-day frame; counts and shares by hand."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import competitor_assortment as ca
from opsreport.errors import ContractError, ParamsError
from opsreport.schemas import OWN_SHOP

D = dt.date
PERIOD = (D(2026, 11, 3), D(2026, 11, 5))
EDGES = [0, 100, 200, 500]
NAN = np.nan


def day(n):
    return D(2026, 11, n)


def snapshots():
    """X observed 11-01 .. 11-05, Y 11-02 .. 11-04 (its last day in the period is 11-04).

    x1: every day (listed); x2: 11-01 .. 11-03 (delisted: gone before X's last day 11-05);
    x3: from 11-04 (a launch); x4: 11-01 .. 11-02 only (gone before the period: neither);
    y1: 11-02 .. 11-04 (listed); y2: from 11-03 (a launch: Y was tracked from 11-02).
    Y shows a sales index (交易指数) but no monthly sales."""
    rows = []
    for n in range(1, 6):
        rows.append(("X", "x1", "face", 100.0, 50, NAN, day(n)))
    for n in (1, 2, 3):
        rows.append(("X", "x2", "face", 200.0, 5, NAN, day(n)))
    for n in (4, 5):
        rows.append(("X", "x3", "body", 300.0 if n == 4 else 320.0, 10, NAN, day(n)))
    for n in (1, 2):
        rows.append(("X", "x4", "body", 60.0, 1, NAN, day(n)))
    for n in (2, 3, 4):
        rows.append(("Y", "y1", "face", 80.0, NAN, 500.0, day(n)))
    for n in (3, 4):
        rows.append(("Y", "y2", None, 150.0, NAN, 900.0, day(n)))
    f = pd.DataFrame(rows, columns=["competitor_id", "product_id", "category", "price", "monthly_sales", "sales_index",
                                    "observed_on"])
    return f.assign(product_name=f.product_id.str.upper())


def ours():
    return pd.DataFrame({"sku_id": ["S1", "S2", "S3"], "category": ["face", "body", "face"],
                         "price": [99.0, 150.0, 250.0], "launched_on": [D(2026, 10, 1), day(4), D(2026, 9, 1)],
                         "status": ["on_shelf", "on_shelf", "off_shelf"], "units": [10, 0, 2]})


def test_bands_and_categories_count_what_is_listed_on_the_last_observed_day():
    a = ca.assortment(snapshots(), ours(), PERIOD, EDGES)
    b = a.by_band.set_index(["competitor_id", "band"]).skus
    # ours on shelf: S1 99 -> [0, 100), S2 150 -> [100, 200); S3 is off the shelf
    assert [b[(OWN_SHOP, i)] for i in (1, 2, 3)] == [1, 1, 0]
    # X on 11-05: x1 100 -> band 2, x3 320 -> band 3 (x2 gone, x4 long gone)
    assert [b[("X", i)] for i in (1, 2, 3)] == [0, 1, 1]
    # Y on 11-04: y1 80 -> band 1, y2 150 -> band 2
    assert [b[("Y", i)] for i in (1, 2, 3)] == [1, 1, 0]
    c = a.by_category
    assert c[c.competitor_id == "X"][["category", "skus", "share"]].values.tolist() == [["body", 1, 0.5],
                                                                                     ["face", 1, 0.5]]
    y = c[c.competitor_id == "Y"]
    assert y.skus.sum() == 2 and y.category.isna().sum() == 1  # y2 has no category: its own group, kept
    assert list(c.competitor_id.unique()) == [OWN_SHOP, "X", "Y"]


def test_launches_and_delistings():
    a = ca.assortment(snapshots(), ours(), PERIOD, EDGES)
    launches = a.launches[["competitor_id", "product_id", "price", "first_seen"]].values.tolist()
    # S2 launched 11-04; x3 first seen 11-04 at its launch price 300; y2 first seen 11-03
    assert launches == [[OWN_SHOP, "S2", 150.0, day(4)], ["X", "x3", 300.0, day(4)], ["Y", "y2", 150.0, day(3)]]
    # x2 last seen 11-03 < X's last day 11-05; x4 last seen 11-02, before the period; y1 seen on Y's last day
    assert a.delistings[["competitor_id", "product_id", "last_seen"]].values.tolist() == [["X", "x2", day(3)]]
    cov = a.coverage.set_index("competitor_id")
    assert (cov.loc["X", "first_observed"], cov.loc["X", "last_observed"]) == (day(1), day(5))
    assert cov.loc["Y", "listed_skus"] == 2 and bool(cov.loc["Y", "launches_known"])


def test_launches_are_not_decided_when_tracking_starts_inside_the_period():
    s = snapshots()
    s = s[s.competitor_id == "Y"]
    s = s[s.observed_on >= day(3)]  # Y now first observed on the period's first day
    a = ca.assortment(s, ours(), PERIOD, EDGES)
    assert not bool(a.coverage.set_index("competitor_id").loc["Y", "launches_known"])
    assert list(a.launches.competitor_id) == [OWN_SHOP]  # y1, y2 are not called launches


def test_heroes_by_sales_amount_and_by_rank_of_the_index_without_shares_of_indices():
    a = ca.assortment(snapshots(), ours(), PERIOD, EDGES, top_n=5)
    h = a.heroes
    x = h[h.competitor_id == "X"]
    # x1: 50 × 100 = 5 000; x3: 10 × 320 = 3 200 (its 11-05 price); total 8 200
    assert x[["rank", "product_id", "sales_amount"]].values.tolist() == [[1, "x1", 5000.0], [2, "x3", 3200.0]]
    assert list(x.share) == pytest.approx([5000 / 8200, 3200 / 8200])
    assert x.share_known.all() and set(x.basis) == {"monthly_sales"}
    y = h[h.competitor_id == "Y"]
    assert list(y.product_id) == ["y2", "y1"]  # index 900 above 500: ranks only
    assert y.share.isna().all() and y.sales_amount.isna().all() and not y.share_known.any()
    assert set(y.basis) == {"sales_index"}
    o = h[h.competitor_id == OWN_SHOP]
    # ours: S1 10 × 99 = 990, S3 2 × 250 = 500 (off the shelf now, sold in the period), S2 sold 0; total 1 490
    assert list(o.product_id) == ["S1", "S3"]
    assert list(o.share) == pytest.approx([990 / 1490, 500 / 1490])
    assert a.coverage.set_index("competitor_id").heroes_basis.to_dict() == {"X": "monthly_sales", "Y": "sales_index"}


def test_heroes_ranks_do_not_move_when_indices_are_power_transformed():
    base = ca.assortment(snapshots(), ours(), PERIOD, EDGES).heroes
    s = snapshots()
    s["sales_index"] = 3.0 * s.sales_index ** 0.6  # c × index^k: the platform could be using any such map
    moved = ca.assortment(s, ours(), PERIOD, EDGES).heroes
    shown = ["competitor_id", "rank", "product_id", "sales_amount", "share", "units"]
    pd.testing.assert_frame_equal(base[shown], moved[shown])


def test_a_listed_product_without_monthly_sales_makes_the_share_unknown_but_keeps_the_ranking():
    s = snapshots()
    s = s[s.competitor_id == "X"]
    s.loc[(s.product_id == "x3") & (s.observed_on == day(5)), "monthly_sales"] = NAN
    x = ca.assortment(s, ours(), PERIOD, EDGES).heroes
    x = x[x.competitor_id == "X"]
    assert list(x.product_id) == ["x1"]  # x3 cannot be placed without its sales
    assert math.isnan(x.share.iloc[0]) and not x.share_known.iloc[0]  # the total is unknown
    assert x.sales_amount.iloc[0] == 5000.0


def test_bad_input_is_named():
    with pytest.raises(ContractError, match="status"):
        ca.assortment(snapshots(), ours().drop(columns="status"), PERIOD, EDGES)
    twice = pd.concat([snapshots(), snapshots().head(1)], ignore_index=True)
    with pytest.raises(ContractError, match="X/x1/2026-11-01"):  # the same product twice on one day
        ca.assortment(twice, ours(), PERIOD, EDGES)
    with pytest.raises(ParamsError, match="top_n"):
        ca.assortment(snapshots(), ours(), PERIOD, EDGES, top_n=0)
    with pytest.raises(ParamsError, match="before it starts"):
        ca.assortment(snapshots(), ours(), (day(5), day(3)), EDGES)
