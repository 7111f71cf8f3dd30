"""Small, realistic frames for the viz tests (built in code, deterministic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

LABELS = {
    "zh": {
        "sources": ["搜索", "推荐", "直播", "短视频", "付费推广", "站外", "其他"],
        "factors": ["天数", "访客数", "转化率", "客单价"],
        "steps": ["访问", "加购", "下单", "支付"],
        "segments": ["重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户", "一般客户", "沉睡客户"],
        "products": ["玻尿酸补水精华液 30ml", "氨基酸洁面乳", "烟酰胺美白身体乳 400ml 大容量家庭装",
                     "防晒喷雾 SPF50+", "修护面霜", "卸妆水 500ml", "眼霜", "面膜 10 片装"],
        "campaigns": ["双11预热-搜索", "直通车-精华", "引力魔方-拉新", "万相台-货品加速", "达人直播投流"],
    },
    "en": {
        "sources": ["Search", "Recommendation", "Live", "Short video", "Paid ads", "Off-site", "Other"],
        "factors": ["Days", "UV", "Conversion", "AOV"],
        "steps": ["Visit", "Add to cart", "Order", "Pay"],
        "segments": ["Champions", "Potential", "Loyal at risk", "Can't lose", "Regular", "Dormant"],
        "products": ["Hyaluronic serum 30ml", "Amino-acid cleanser", "Niacinamide body lotion 400ml family size",
                     "Sunscreen spray SPF50+", "Repair cream", "Micellar water 500ml", "Eye cream", "Sheet masks x10"],
        "campaigns": ["Singles' Day warm-up search", "Search ads - serum", "Prospecting display",
                      "Product boost", "Creator live boost"],
    },
}


def daily(weeks: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2026-09-28", periods=7 * weeks, freq="D")
    dow = np.array([1.0, 0.95, 0.97, 1.0, 1.08, 1.2, 1.15])[dates.dayofweek]
    uv = 18_000 * dow * (1 + 0.004 * np.arange(len(dates))) * rng.normal(1, 0.04, len(dates))
    conv = 0.034 * rng.normal(1, 0.05, len(dates))
    conv[-7:] *= 0.82  # the planted conversion drop in the reviewed week
    gmv = uv * conv * 265 * rng.normal(1, 0.05, len(dates))
    return pd.DataFrame(
        {"date": dates, "gmv": gmv, "uv": uv.round(), "conversion_rate": conv,
         "in_week": np.arange(len(dates)) >= len(dates) - 7}
    )


def bridge(lang: str) -> tuple[pd.DataFrame, float, float]:
    contributions = [0.0, 86_400.0, -214_300.0, 31_250.5]
    start = 1_152_300.0
    return (pd.DataFrame({"factor_label": LABELS[lang]["factors"], "contribution": contributions}),
            start, start + sum(contributions))


def traffic(lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        "source_label": LABELS[lang]["sources"],
        "uv_share": [0.31, 0.24, 0.15, 0.12, 0.10, 0.05, 0.03],
        "uv_share_prev": [0.33, 0.22, 0.14, 0.12, 0.11, 0.05, 0.03],
        "conversion_rate": [0.041, 0.022, 0.055, 0.018, 0.034, 0.012, 0.02],
        "conversion_rate_prev": [0.043, 0.025, 0.061, 0.019, 0.033, 0.013, 0.021],
    })


def funnel(lang: str) -> pd.DataFrame:
    users = [126_400, 18_950, 5_120, 4_410]
    prev = [121_800, 19_300, 5_870, 5_050]
    rate = [np.nan] + [b / a for a, b in zip(users, users[1:])]
    return pd.DataFrame({"step_label": LABELS[lang]["steps"], "users": users, "users_prev": prev,
                         "step_rate": rate})


def products(lang: str) -> pd.DataFrame:
    return pd.DataFrame({"product": LABELS[lang]["products"],
                         "gmv": [312_400, 254_100, 198_700, 121_300, 98_450, 66_000, 42_800, 18_250.5]})


def campaigns(lang: str) -> pd.DataFrame:
    roi = [4.8, 3.1, 1.4, 2.6, 1.1]
    return pd.DataFrame({"campaign": LABELS[lang]["campaigns"], "roi": roi,
                         "below_target": [r < 2.0 for r in roi]})


def segments(lang: str) -> pd.DataFrame:
    return pd.DataFrame({"segment_label": LABELS[lang]["segments"],
                         "customers": [4_210, 6_830, 2_140, 1_980, 24_500, 41_200],
                         "customers_prev": [4_350, 6_500, 2_300, 1_870, 24_900, 38_100]})
