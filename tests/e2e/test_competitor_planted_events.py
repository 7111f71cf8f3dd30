"""The competitor teardown finds every competitor move planted in each demo shop's November 2026
(opsreport.warehouse.demo.COMPETITOR_PLANTED), names each in its summary with the response its rule
gives, and finds none of them in October, where nothing was planted."""

from __future__ import annotations

import datetime as dt

import pytest

from opsreport.families.competitor_teardown.analysis import run
from opsreport.families.competitor_teardown.view import CompetitorTeardownView
from opsreport.warehouse import demo
from opsreport.warehouse.demo.competitor_planted import COMPETITOR_PLANTED

SHOPS = [shop.shop_id for shop in demo.DEMO_SHOPS]


@pytest.fixture(scope="module")
def reviews(demo_warehouse):
    return {sid: run({"shop_id": sid, "period": "2026-11", "warehouse": str(demo_warehouse), "lang": "en"}) for sid in SHOPS}


def _found(review, code, competitor):
    return [f for f in review.findings if f.code == code and f.competitor_id == competitor]


@pytest.mark.parametrize("sid", SHOPS)
def test_price_cut_on_our_matched_sku_then_our_conversion_falls(reviews, sid):
    plant = COMPETITOR_PLANTED[sid].price_cut
    [move] = [f for f in _found(reviews[sid], "move_hurt", plant.competitor_id) if f.fields["product_id"] == plant.product_id]
    x = move.fields
    assert x["sku_id"] == plant.sku_id and x["kind"] == "price_cut"
    assert x["date"].date() == plant.cut_on == dt.date(2026, 11, 16)
    # e.g. 0071: 319 -> 255 yuan, 1 - 255 / 319 = 20.06%
    assert x["cut"] == pytest.approx(1 - plant.price_after / plant.price_before, abs=1e-9)
    assert x["effect"] in ("conversion_fell", "both")
    assert x["conversion_after"] < 0.75 * x["conversion_before"]  # the weekly plant: 5% -> 2%


@pytest.mark.parametrize("sid", SHOPS)
def test_a_competitor_shifts_its_traffic_towards_paid(reviews, sid):
    plant = COMPETITOR_PLANTED[sid].paid_shift
    [rising] = _found(reviews[sid], "paid_rising", plant.competitor_id)
    assert rising.fields["share"] == pytest.approx(plant.share_after, abs=0.03)  # ~35% estimated from indices
    assert rising.fields["reference"] == pytest.approx(plant.share_before, abs=0.03)  # ~15% in the 22 days before
    shares = reviews[sid].traffic.shares.set_index(["competitor_id", "group"])
    assert shares.loc[(plant.competitor_id, "paid"), "estimated"]  # estimated visitors, never index shares


@pytest.mark.parametrize("sid", SHOPS)
def test_an_undercutting_promotion_overlaps_ours(reviews, sid):
    plant = COMPETITOR_PLANTED[sid].undercut_promo
    found = [f for f in _found(reviews[sid], "undercut_promo", plant.competitor_id) if f.fields["their_promo"] == plant.promo_name]
    [f] = found
    assert f.fields["their_depth"] == pytest.approx(plant.depth)  # 40% off
    assert f.fields["our_depth"] < plant.depth - 0.05  # ours is about 20-25% off
    assert f.fields["overlap_start"] == plant.start_date and f.fields["overlap_end"] == plant.our_end_date


@pytest.mark.parametrize("sid", SHOPS)
def test_a_rating_drops_after_a_bad_review_wave(reviews, sid):
    plant = COMPETITOR_PLANTED[sid].rating_drop
    [f] = _found(reviews[sid], "rating_drop", plant.competitor_id)
    assert f.fields["tag"] == plant.tag
    assert f.fields["rating_before"] - f.fields["rating_end"] >= 0.2  # about 4.8 -> 4.5
    waves = reviews[sid].reviews.waves
    assert ((waves.competitor_id == plant.competitor_id) & (waves.tag == plant.tag)).any()


@pytest.mark.parametrize("sid", SHOPS)
def test_the_summary_names_each_move_and_its_response(reviews, sid):
    review = reviews[sid]
    view = CompetitorTeardownView(review)
    text = view.summary()._repr_html_()
    plant = COMPETITOR_PLANTED[sid]
    for competitor in (plant.price_cut.competitor_id, plant.paid_shift.competitor_id, plant.undercut_promo.competitor_id,
                       plant.rating_drop.competitor_id):
        assert competitor in text
    responses = {r.code for r in review.responses}
    assert {"defend_sku", "lean_content_search", "avoid_head_on", "win_on_concern"} <= responses
    for code in ("defend_sku", "lean_content_search", "avoid_head_on", "win_on_concern"):
        assert view.say(f"response.{code}").split(":")[0] in text


def test_october_where_nothing_was_planted_raises_none_of_them(demo_warehouse):
    review = run({"shop_id": "0071", "period": "2026-10", "warehouse": str(demo_warehouse), "lang": "en"})
    plant = COMPETITOR_PLANTED["0071"]
    codes = {(f.code, f.competitor_id) for f in review.findings}
    assert ("paid_rising", plant.paid_shift.competitor_id) not in codes
    assert ("rating_drop", plant.rating_drop.competitor_id) not in codes
    assert not any(f.code == "move_hurt" for f in review.findings)
