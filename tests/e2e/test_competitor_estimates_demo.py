"""The teardown's calibrated estimates against the truth the demo hides: each demo competitor's
indices come from its real values through known curves (demo.competitors.INDEX_CURVES), which the
report does not know; it calibrates on the shop's own row instead. Inverting the known curve gives
the truth to check the estimates and their ranges against."""

from __future__ import annotations

import duckdb
import pytest

from opsreport.families.competitor_teardown.analysis import run
from opsreport.warehouse import demo
from opsreport.warehouse.demo.competitors import real_of

SHOPS = [shop.shop_id for shop in demo.DEMO_SHOPS]
MEASURES = {"paid_amount": "trade_index", "uv": "traffic_index", "paid_buyers": "buyer_index"}


@pytest.fixture(scope="module")
def reviews(demo_warehouse):
    return {sid: run({"shop_id": sid, "period": "2026-11", "warehouse": str(demo_warehouse)}) for sid in SHOPS}


@pytest.mark.parametrize("sid", SHOPS)
def test_competitors_estimated_period_totals_hold_the_truth(reviews, demo_warehouse, sid):
    review = reviews[sid]
    e = review.momentum.estimates.set_index(["competitor_id", "metric"])
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        rows = con.execute("SELECT * FROM competitor_daily WHERE shop_id = ? AND date BETWEEN '2026-11-01' AND '2026-11-22' "
                           "AND competitor_id <> 'self'", [sid]).df()
    assert set(rows.competitor_id) == set(review.competitors.competitor_id)
    for cid, days in rows.groupby("competitor_id"):
        for measure, index in MEASURES.items():
            truth = real_of(index, days[index]).sum()  # the hidden real values of Nov 1-22 (with their noise)
            x = e.loc[(cid, measure)]
            assert x.low <= truth <= x.high, (cid, measure, x.low, truth, x.high)
            assert x.estimate == pytest.approx(truth, rel=0.10), (cid, measure)  # within 10% of the truth


@pytest.mark.parametrize("sid", SHOPS)
def test_our_own_row_is_real_not_estimated(reviews, demo_warehouse, sid):
    e = reviews[sid].momentum.estimates.set_index(["competitor_id", "metric"])
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        gmv = con.execute("SELECT sum(paid_amount) FROM shop_daily WHERE shop_id = ? AND date BETWEEN '2026-11-01' AND '2026-11-22'",
                          [sid]).fetchone()[0]
    ours = e.loc[("self", "paid_amount")]
    assert bool(ours.real) and ours.estimate == pytest.approx(gmv) and ours.low == ours.high == ours.estimate
