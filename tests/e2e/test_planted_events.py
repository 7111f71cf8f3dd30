"""The weekly review finds every event planted in the demo data, in every demo shop."""

import pytest

from opsreport.families.weekly_review import analysis as weekly_review
from opsreport.warehouse import demo


@pytest.fixture(scope="module", params=[s.shop_id for s in demo.DEMO_SHOPS])
def found(request, demo_warehouse):
    review = weekly_review.run({"shop_id": request.param, "warehouse": str(demo_warehouse), "lang": "en"})
    return review, demo.PLANTED[request.param]


def rules_about(review, rule):
    return [a for a in review.anomalies if a.rule == rule]


def test_reviews_the_planted_week(found):
    review, planted = found
    assert review.week.label == planted.week


def test_conversion_drop_of_a_top_sku(found):
    review, planted = found
    hits = [a for a in rules_about(review, "sku_conversion_drop") if planted.conversion_drop.sku_id in a.subject]
    assert len(hits) == 1
    ev = hits[0].evidence
    assert ev["conversion_baseline"] == pytest.approx(0.05, abs=0.01)
    assert ev["conversion_now"] == pytest.approx(0.02, abs=0.006)


def test_hot_sku_stockout(found):
    review, planted = found
    hits = [a for a in rules_about(review, "stockout") if planted.stockout.sku_id in a.subject]
    assert len(hits) == 1
    assert str(hits[0].evidence["stockout_since"])[:10] == str(planted.stockout.stockout_date)
    # the stocked-out SKU is not reported a second time as a conversion drop
    assert not [a for a in rules_about(review, "sku_conversion_drop") if planted.stockout.sku_id in a.subject]


def test_category_refund_spike(found):
    review, planted = found
    hits = [a for a in rules_about(review, "refund_spike") if a.subject == planted.refund_spike.category]
    assert len(hits) == 1
    assert hits[0].evidence["refund_rate_now"] > 2 * hits[0].evidence["refund_rate_baseline"]


def test_campaign_roi_below_target(found):
    review, planted = found
    subject = f"{planted.roi_drop.channel} / {planted.roi_drop.campaign}"
    hits = [a for a in rules_about(review, "campaign_roi_below_target") if a.subject == subject]
    assert len(hits) == 1
    assert hits[0].evidence["roi_now"] < planted.roi_drop.roi_target <= hits[0].evidence["roi_prev"]


def test_dormant_share_rise(found):
    review, planted = found
    hits = rules_about(review, "dormant_share_rise")
    assert len(hits) == 1
    ev = hits[0].evidence
    assert ev["dormant_share_now"] - ev["dormant_share_4w_ago"] >= planted.dormant_surge.min_rise


def test_new_product_potential_hits(found):
    review, planted = found
    new = review.products.new.set_index("sku_id")
    for sku in planted.new_products.potential_hits:
        assert new.loc[sku, "verdict"] == "potential_hit"


def test_headline_names_the_most_urgent_findings(found):
    from opsreport.families.weekly_review.headlines import headlines
    from opsreport.i18n import Messages

    review, planted = found
    text = " ".join(headlines(review, Messages(review.lang, "weekly_review")))
    assert 3 <= len(headlines(review, Messages(review.lang, "weekly_review"))) <= 5
    assert planted.stockout.sku_id in text or planted.conversion_drop.sku_id in text
