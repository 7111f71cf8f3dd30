"""Metric values from summed parts: the one place where ratios are formed.

Every function takes parts that were summed at the grain of interest (a day, a week, a SKU)
and recomputes the ratio from them; rates are never averaged.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .registry import ratio

SHOP_KPIS = [
    "gmv",
    "net_gmv",
    "uv",
    "conversion_rate",
    "aov",
    "paid_buyers",
    "units",
    "refund_rate",
    "ad_spend",
    "roi",
    "new_buyer_share",
    "repurchase_rate",
]


def shop_kpis(p: Mapping[str, float]) -> dict[str, float]:
    """Shop KPIs of one period from its parts.

    Parts: days, uv_sum (sum of daily UV), buyer_days (sum of daily paid buyers), gmv,
    refund_amount, units, paid_orders, paid_buyers (distinct in the period), new_buyers,
    new_buyer_gmv, ad_spend, ad_attributed_amount, repeat_buyers, window_buyers.
    """
    get = lambda key: p.get(key, float("nan"))  # noqa: E731 - local shorthand
    return {
        "gmv": get("gmv"),
        "net_gmv": get("gmv") - get("refund_amount"),
        "uv": ratio(get("uv_sum"), get("days")),
        "conversion_rate": ratio(get("buyer_days"), get("uv_sum")),
        "aov": ratio(get("gmv"), get("paid_buyers")),
        "paid_buyers": get("paid_buyers"),
        "paid_orders": get("paid_orders"),
        "units": get("units"),
        "unit_price": ratio(get("gmv"), get("units")),
        "refund_amount": get("refund_amount"),
        "refund_rate": ratio(get("refund_amount"), get("gmv")),
        "ad_spend": get("ad_spend"),
        "roi": ratio(get("ad_attributed_amount"), get("ad_spend")),
        "new_buyer_share": ratio(get("new_buyers"), get("paid_buyers")),
        "new_customer_sales_share": ratio(get("new_buyer_gmv"), get("gmv")),
        "repurchase_rate": ratio(get("repeat_buyers"), get("window_buyers")),
    }


def add_rates(frame: pd.DataFrame, rates: Mapping[str, tuple[str, str]], scale: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Add ratio columns, each numerator column / denominator column, row by row (NaN on zero)."""
    out = frame.copy()
    for name, (num, den) in rates.items():
        denominator = out[den].where(out[den] != 0)
        out[name] = out[num] / denominator * (scale or {}).get(name, 1.0)
    return out


AD_RATES = {
    "ctr": ("clicks", "impressions"),
    "cpc": ("spend", "clicks"),
    "roi": ("attributed_amount", "spend"),
}

SERVICE_PARTS = [
    "consultations",
    "replied_30s",
    "response_s_weighted",
    "inquiry_buyers",
    "inquiry_paid_buyers",
    "reviews",
    "good_reviews",
    "complaints",
]


def service_kpis(p: Mapping[str, float], paid_orders: float) -> dict[str, float]:
    """Customer-service KPIs; first response is weighted by consultations."""
    return {
        "first_response_s": ratio(p["response_s_weighted"], p["consultations"]),
        "reply_30s_rate": ratio(p["replied_30s"], p["consultations"]),
        "inquiry_conversion": ratio(p["inquiry_paid_buyers"], p["inquiry_buyers"]),
        "good_review_rate": ratio(p["good_reviews"], p["reviews"]),
        "complaint_rate": ratio(p["complaints"], paid_orders),
    }
