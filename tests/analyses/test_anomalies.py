"""Anomaly rules on three-row frames, thresholds checked by hand."""

import datetime as dt

import pandas as pd
import pytest

from opsreport.analyses import anomalies as rules


def sku_frame(**over):
    row = {"sku_id": "S1", "product_name": "精华", "uv": 5000.0, "paid_buyers": 100.0, "paid_amount": 20000.0,
           "baseline_conversion": 0.05, "baseline_uv": 5000.0}
    row.update(over)
    return pd.DataFrame([row])


def test_conversion_drop_fires_on_a_real_drop():
    # expected 250 buyers at 5%, saw 100: conversion 2% (-60%), z = 150 / sqrt(250) = 9.5
    [found] = rules.sku_conversion_drops(sku_frame(), drop=0.4, min_uv=300, min_z=3)
    assert found.evidence["conversion_now"] == pytest.approx(0.02)
    assert found.evidence["paid_buyers_expected"] == pytest.approx(250)


def test_conversion_drop_ignores_chance_on_small_skus():
    # 400 visitors at a 3% baseline predict 12 buyers; 6 is -50% but only z = 6 / sqrt(12) = 1.7
    frame = sku_frame(uv=400.0, paid_buyers=6.0, baseline_conversion=0.03, baseline_uv=400.0)
    assert rules.sku_conversion_drops(frame, drop=0.4, min_uv=300, min_z=3) == []
    assert len(rules.sku_conversion_drops(frame, drop=0.4, min_uv=300, min_z=1.5)) == 1


def test_conversion_drop_needs_the_relative_fall_and_enough_traffic():
    assert rules.sku_conversion_drops(sku_frame(paid_buyers=200.0), drop=0.4, min_uv=300, min_z=3) == []  # -20%
    assert rules.sku_conversion_drops(sku_frame(uv=200.0, paid_buyers=4.0), drop=0.4, min_uv=300, min_z=0) == []


def test_refund_spike_against_baseline_and_floor():
    frame = pd.DataFrame([
        {"category": "彩妆", "gmv": 1000.0, "refund_amount": 250.0, "baseline_refund_rate": 0.05},  # 25% vs 5%
        {"category": "香水", "gmv": 1000.0, "refund_amount": 90.0, "baseline_refund_rate": 0.02},  # 9% < 10% floor
        {"category": "面膜", "gmv": 1000.0, "refund_amount": 150.0, "baseline_refund_rate": 0.10},  # 15% < 2 x 10%
    ])
    found = rules.refund_spikes(frame, ratio_threshold=2.0, min_rate=0.1, immature=True)
    assert [a.subject for a in found] == ["彩妆"]
    assert found[0].evidence["refund_rate_now"] == pytest.approx(0.25)  # 250 / 1000
    assert found[0].evidence["immature"] is True  # preliminary: the wording says the rate can only rise
    [final] = rules.refund_spikes(frame, ratio_threshold=2.0, min_rate=0.1, immature=False)
    assert final.evidence["immature"] is False


def test_campaign_below_target_needs_spend():
    frame = pd.DataFrame([
        {"channel": "直通车", "campaign": "A", "spend": 5000.0, "attributed_amount": 7000.0, "roi": 1.4, "roi_prev": 4.0},
        {"channel": "直通车", "campaign": "B", "spend": 500.0, "attributed_amount": 500.0, "roi": 1.0, "roi_prev": 2.0},
        {"channel": "万相台", "campaign": "C", "spend": 5000.0, "attributed_amount": 20000.0, "roi": 4.0, "roi_prev": 4.0},
    ])
    found = rules.campaigns_below_target(frame, target=3.0, min_spend=1000)
    assert [a.subject for a in found] == ["直通车 / A"]
    assert found[0].severity == "high"  # 1.4 < 0.75 x 3
    assert found[0].score == pytest.approx((3.0 - 1.4) * 5000)


def test_campaign_severity_follows_the_gap_and_the_trend():
    frame = pd.DataFrame([
        {"channel": "c", "campaign": "far", "spend": 5000.0, "roi": 2.0, "roi_prev": 1.0},  # 2.0 < 0.75 x 3 = 2.25
        {"channel": "c", "campaign": "mid", "spend": 5000.0, "roi": 2.5, "roi_prev": 2.6},  # < 2.85 and falling
        {"channel": "c", "campaign": "up", "spend": 5000.0, "roi": 2.5, "roi_prev": 2.4},  # < 2.85 but improving
        {"channel": "c", "campaign": "near", "spend": 5000.0, "roi": 2.9, "roi_prev": 3.1},  # within 5% of 3
    ])
    found = {a.subject: a.severity for a in rules.campaigns_below_target(frame, target=3.0, min_spend=1000)}
    assert found == {"c / far": "high", "c / mid": "medium", "c / up": "low", "c / near": "low"}


def test_dormant_rise_threshold():
    [found] = rules.dormant_rise(0.68, 0.65, threshold_pp=0.02)  # +3 pp >= 2 pp
    assert found.severity == "high"  # a dormant surge outranks restating the bridge in the headline
    assert not rules.dormant_rise(0.66, 0.65, threshold_pp=0.02)  # +1 pp


def test_kpi_changes_report_only_bad_moves_in_one_finding():
    kpis = pd.DataFrame([
        {"metric": "gmv", "this_week": 50.0, "last_week": 100.0},  # -50%: bad
        {"metric": "uv", "this_week": 150.0, "last_week": 100.0},  # +50%: good news, not an alarm
        {"metric": "refund_rate", "this_week": 0.10, "last_week": 0.05},  # +100% relative: bad
        {"metric": "aov", "this_week": 105.0, "last_week": 100.0},  # +5%: below threshold
    ])
    [found] = rules.kpi_changes(kpis, threshold=0.2, promotions=["双11"], refund_spikes=[])
    assert [m["metric"] for m in found.evidence["moves"]] == ["gmv", "refund_rate"]  # in the table's order
    assert found.subject == "gmv" and found.evidence["promotions"] == ["双11"]
    assert found.score == pytest.approx(1.0)  # the largest move: refund rate +100%
    # a category refund spike, not the promotion, explains the refund move
    [found] = rules.kpi_changes(kpis, threshold=0.2, promotions=["双11"], refund_spikes=["彩妆"])
    assert found.evidence["refund_spikes"] == ["彩妆"]


def test_after_a_promotion_week_kpis_are_judged_against_the_normal_level():
    kpis = pd.DataFrame([
        {"metric": "gmv", "this_week": 90.0, "last_week": 300.0, "normal": 100.0},  # -70% wow, -10% vs normal
        {"metric": "uv", "this_week": 70.0, "last_week": 200.0, "normal": 100.0},  # -30% vs normal: an alarm
    ])
    [found] = rules.kpi_changes(kpis, threshold=0.2, promotions=["双11"], refund_spikes=[])
    assert [m["metric"] for m in found.evidence["moves"]] == ["uv"]
    assert found.evidence["basis"] == "normal" and found.evidence["moves"][0]["relative_change"] == pytest.approx(-0.3)
    # without a promotion last week, the same frame is judged week on week: both fell > 20%
    [found] = rules.kpi_changes(kpis, threshold=0.2, promotions=[], refund_spikes=[])
    assert len(found.evidence["moves"]) == 2


def test_kpi_changes_skip_immature_refund_metrics():
    kpis = pd.DataFrame([
        {"metric": "refund_rate", "this_week": 0.10, "last_week": 0.05, "immature": True},  # not final: no alarm
        {"metric": "gmv", "this_week": 50.0, "last_week": 100.0, "immature": False},
    ])
    [found] = rules.kpi_changes(kpis, threshold=0.2, promotions=[], refund_spikes=[])
    assert [m["metric"] for m in found.evidence["moves"]] == ["gmv"]


def test_findings_are_ordered_by_severity_then_score():
    a = rules.Anomaly("x", "a", "medium", score=5)
    b = rules.Anomaly("x", "b", "high", score=1)
    c = rules.Anomaly("x", "c", "high", score=9)
    assert [f.subject for f in rules.ordered([a, b, c])] == ["c", "b", "a"]


def test_a_conversion_drop_carries_the_competitor_moves_on_its_sku():
    [drop] = rules.sku_conversion_drops(sku_frame(), drop=0.4, min_uv=300, min_z=3)
    assert drop.evidence["sku_id"] == "S1"
    stock = rules.Anomaly("stockout", "精华 (S1)", "high", {"stockout_since": "2026-11-18"})
    moves = pd.DataFrame([
        # sku, date, competitor, product, kind, before, after, cut
        ("S1", "2026-11-12", "A", "p1", "promotion", 100.0, 85.0, 0.15),
        ("S1", "2026-11-16", "B", "p2", "price_cut", 100.0, 80.0, 0.20),
        ("S2", "2026-11-16", "C", "p3", "price_cut", 50.0, 40.0, 0.20),  # another SKU's counterpart
    ], columns=["sku_id", "date", "competitor_id", "product_id", "kind", "before", "after", "cut"])
    linked, same_stock = rules.with_competitor_moves([drop, stock], moves)
    listed = linked.evidence["competitor_moves"]
    assert [m["competitor_id"] for m in listed] == ["B", "A"]  # latest first; C's product is matched to S2
    assert listed[0] == {"competitor_id": "B", "product_id": "p2", "date": dt.date(2026, 11, 16), "kind": "price_cut",
                         "before": 100.0, "after": 80.0, "cut": 0.20}
    assert linked.evidence["conversion_now"] == drop.evidence["conversion_now"]  # the rest is kept
    assert same_stock is stock  # only a conversion drop takes a price cut as its cause
    assert "competitor_moves" not in drop.evidence  # findings are frozen: a new one is returned
    # no competitor data: the findings as they were
    assert rules.with_competitor_moves([drop], moves.iloc[0:0]) == [drop]
    assert rules.with_competitor_moves([drop], None) == [drop]
