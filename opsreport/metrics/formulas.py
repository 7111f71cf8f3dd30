"""The weekly review's metric sets, formed by `compute` (the one place where ratios are formed).

Kept for the analyses that call them; new code calls ``metrics.compute(keys, parts)`` directly.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .forms import compute, divide
from .registry import metric

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

#: every value `shop_kpis` returns (SHOP_KPIS are the ones the KPI table shows)
SHOP_VALUES = [
    "gmv", "net_gmv", "uv", "conversion_rate", "aov", "paid_buyers", "paid_orders", "units", "unit_price",
    "refund_amount", "refund_rate", "ad_spend", "roi", "new_buyer_share", "new_customer_sales_share", "repurchase_rate",
]

# parts named after their table in the weekly review's period parts -> registry part names
_AD_PARTS = {"ad_spend": "spend", "ad_attributed_amount": "attributed_amount"}


def shop_kpis(p: Mapping[str, float]) -> dict[str, float]:
    """Shop KPIs of one period from its parts (a missing part makes its metrics NaN).

    Parts: days, uv_sum (sum of daily UV), buyer_days (sum of daily paid buyers), gmv,
    refund_amount, units, paid_orders, paid_buyers (distinct in the period), new_buyers,
    new_buyer_gmv, ad_spend, ad_attributed_amount, repeat_buyers, window_buyers.
    """
    return compute(SHOP_VALUES, {_AD_PARTS.get(k, k): v for k, v in p.items()})


def add_rates(frame: pd.DataFrame, rates: Mapping[str, tuple[str, str]], scale: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Add ratio columns, each numerator column / denominator column, row by row (NaN on zero).

    For registry metrics prefer ``compute(keys, frame)``, which knows each one's parts."""
    out = frame.copy()
    for name, (num, den) in rates.items():
        out[name] = divide(out[num], out[den]) * (scale or {}).get(name, 1.0)
    return out


#: the ads table's rates, as the registry declares them: name -> (numerator, denominator)
AD_RATES = {key: (metric(key).numerator[0], metric(key).denominator[0]) for key in ("ctr", "cpc", "roi")}

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

SERVICE_KPIS = ["first_response_s", "reply_30s_rate", "inquiry_conversion", "good_review_rate", "complaint_rate"]


def service_kpis(p: Mapping[str, float], paid_orders: float) -> dict[str, float]:
    """Customer-service KPIs; first response is weighted by consultations."""
    return compute(SERVICE_KPIS, {**dict(p.items()), "paid_orders": paid_orders})
