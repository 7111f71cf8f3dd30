"""compute() forms every registry metric from its parts; each value below is worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from opsreport.metrics import compute, formulas, metrics
from opsreport.metrics.registry import MetricError

# One week of a shop, in round numbers.
PARTS = {
    "days": 7, "uv_sum": 7000, "buyer_days": 140, "cart_users": 700, "fav_users": 350,
    "gmv": 28000.0, "refund_amount": 1400.0, "units": 400, "paid_orders": 150, "paid_buyers": 125,
    "new_buyers": 50, "new_buyer_gmv": 7000.0,
    "spend": 4000.0, "clicks": 2000, "impressions": 80000, "attributed_amount": 12000.0,
    "repeat_buyers": 30, "window_buyers": 600, "dormant_buyers": 240, "base_buyers": 1200,
    "on_hand": 300, "units_30d": 1800, "active_skus": 45, "shelf_skus": 60,
    "consultations": 500, "replied_30s": 450, "response_s_weighted": 6000.0,
    "inquiry_buyers": 200, "inquiry_paid_buyers": 80, "reviews": 100, "good_reviews": 95, "complaints": 3,
}

HAND = {
    "uv": 7000 / 7,  # 1000 visitors on the average day, not 7000
    "conversion_rate": 140 / 7000,  # 2%: summed daily buyers over summed daily UV
    "aov": 28000 / 125,  # 224 yuan per distinct buyer of the week
    "unit_price": 28000 / 400,  # 70 yuan per unit
    "cart_rate": 700 / 7000,  # 10%
    "refund_rate": 1400 / 28000,  # 5%
    "roi": 12000 / 4000,  # 3.0
    "ctr": 2000 / 80000,  # 2.5%
    "cpc": 4000 / 2000,  # 2 yuan per click
    "cpm": 4000 / 80000 * 1000,  # 50 yuan per thousand impressions
    "new_buyer_share": 50 / 125,  # 40%
    "new_customer_sales_share": 7000 / 28000,  # 25%
    "repurchase_rate": 30 / 600,  # 5%
    "dormant_share": 240 / 1200,  # 20%
    "days_of_cover": 300 / (1800 / 30),  # 60 a day sold: 5 days
    "sell_through": 400 / (400 + 300),  # 57.1%
    "active_sku_rate": 45 / 60,  # 75%
    "fav_cart_rate": (350 + 700) / 7000,  # 15%
    "first_response_s": 6000 / 500,  # 12 s, weighted by consultations
    "reply_30s_rate": 450 / 500,  # 90%
    "inquiry_conversion": 80 / 200,  # 40%
    "good_review_rate": 95 / 100,  # 95%
    "complaint_rate": 3 / 150,  # 2% of paid orders
}


def test_every_ratio_metric_has_a_hand_computed_value():
    ratios = {k for k, m in metrics().items() if m.kind == "ratio"}
    assert ratios == set(HAND)


@pytest.mark.parametrize("key", sorted(HAND))
def test_ratio_metrics_by_hand(key):
    assert compute(key, PARTS)[key] == pytest.approx(HAND[key])


def test_parts_and_differences():
    values = compute(["gmv", "net_gmv", "ad_spend", "paid_buyers"], PARTS)
    assert values == {"gmv": 28000.0, "net_gmv": 28000.0 - 1400.0, "ad_spend": 4000.0, "paid_buyers": 125}
    assert list(values) == ["gmv", "net_gmv", "ad_spend", "paid_buyers"]  # in the order asked


def test_zero_or_missing_denominators_give_nan_never_inf_or_zero():
    zero = {**PARTS, "uv_sum": 0, "buyer_days": 0, "impressions": 0, "paid_orders": 0}
    values = compute(["conversion_rate", "cpm", "ctr", "complaint_rate"], zero)
    assert all(math.isnan(v) for v in values.values())
    assert math.isnan(compute("aov", {"gmv": 100.0})["aov"])  # paid_buyers unknown
    assert math.isnan(compute("aov", {"gmv": 100.0, "paid_buyers": None})["aov"])
    assert math.isnan(compute("net_gmv", {"gmv": 100.0})["net_gmv"])


def test_a_frame_gets_one_column_per_metric_row_by_row():
    days = pd.DataFrame({
        "day": ["11-16", "11-17", "11-18"],
        "buyer_days": [10, 6, 12],
        "uv_sum": [100, 300, 0],  # no visitors recorded on 11-18
        "days": [1, 1, 1],
    })
    out = compute(["conversion_rate", "uv"], days)
    assert list(out.columns) == ["day", "buyer_days", "uv_sum", "days", "conversion_rate", "uv"]
    assert out.conversion_rate.iloc[0] == pytest.approx(10 / 100)
    assert out.conversion_rate.iloc[1] == pytest.approx(6 / 300)
    assert np.isnan(out.conversion_rate.iloc[2]) and not np.isinf(out.conversion_rate).any()
    assert "conversion_rate" not in days.columns  # the input is not modified


def test_a_frame_without_a_needed_part_is_an_error():
    with pytest.raises(MetricError, match="aov needs paid_buyers"):
        compute("aov", pd.DataFrame({"gmv": [1.0]}))


def test_shop_kpis_are_unchanged():
    # the weekly review's parts names: ad_spend / ad_attributed_amount for the ads table
    p = {**PARTS, "ad_spend": 4000.0, "ad_attributed_amount": 12000.0}
    del p["spend"], p["attributed_amount"]
    k = formulas.shop_kpis(p)
    assert list(k) == formulas.SHOP_VALUES
    assert k["uv"] == pytest.approx(1000.0) and k["conversion_rate"] == pytest.approx(0.02)
    assert k["net_gmv"] == 26600.0 and k["roi"] == pytest.approx(3.0) and k["ad_spend"] == 4000.0
    assert k["repurchase_rate"] == pytest.approx(0.05)
    assert all(math.isnan(v) for v in formulas.shop_kpis({}).values())  # a week without data


def test_service_kpis_and_ad_rates_are_unchanged():
    s = formulas.service_kpis(pd.Series({p: PARTS[p] for p in formulas.SERVICE_PARTS}), paid_orders=150)
    assert s == pytest.approx({k: HAND[k] for k in formulas.SERVICE_KPIS})
    assert formulas.AD_RATES == {"ctr": ("clicks", "impressions"), "cpc": ("spend", "clicks"), "roi": ("attributed_amount", "spend")}
    ads = pd.DataFrame({"clicks": [2000, 0], "impressions": [80000, 0], "spend": [4000.0, 0.0], "attributed_amount": [12000.0, 0.0]})
    out = formulas.add_rates(ads, formulas.AD_RATES)
    assert out.roi.iloc[0] == pytest.approx(3.0) and out.isna().iloc[1][["ctr", "cpc", "roi"]].all()
    assert out[["ctr", "cpc", "roi"]].equals(compute(["ctr", "cpc", "roi"], ads)[["ctr", "cpc", "roi"]])
