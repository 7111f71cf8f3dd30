"""The weekly review names the competitor cut planted in the demo data as the likely cause of the
planted conversion drop, in every demo shop.

The demo plants a ~20% cut on 2026-11-16 on the competitor product matched (sku_matches) to the
SKU of ``PLANTED[shop].conversion_drop``; this test needs a demo generator that writes the
competitor tables (competitor_products, sku_matches).
"""

import datetime as dt

import pytest

from opsreport.families.weekly_review import analysis as weekly_review
from opsreport.families.weekly_review.view import WeeklyReviewView
from opsreport.warehouse import demo

PLANTED_CUT_DAY = dt.date(2026, 11, 16)


@pytest.fixture(scope="module", params=[s.shop_id for s in demo.DEMO_SHOPS])
def found(request, demo_warehouse):
    review = weekly_review.run({"shop_id": request.param, "warehouse": str(demo_warehouse), "lang": "en"})
    return review, demo.PLANTED[request.param]


def test_the_planted_drop_carries_the_planted_cut(found):
    review, planted = found
    [drop] = [a for a in review.anomalies
              if a.rule == "sku_conversion_drop" and a.evidence.get("sku_id") == planted.conversion_drop.sku_id]
    moves = drop.evidence.get("competitor_moves", [])
    on_the_day = [m for m in moves if m["date"] == PLANTED_CUT_DAY]
    assert len(on_the_day) == 1, moves
    assert on_the_day[0]["cut"] == pytest.approx(0.20, abs=0.05)


def test_the_review_names_the_cut_as_the_likely_cause(found):
    review, planted = found
    frame = WeeklyReviewView(review).anomaly_frame()
    sku = planted.conversion_drop.sku_id
    [row] = frame[frame.evidence.str.contains(sku, regex=False) & (frame.rule == "SKU conversion drop")].itertuples()
    assert row.action.startswith("Likely cause: competitor ")
    assert "on 16 Nov" in row.action and "Compare prices today" in row.action
