"""Shop KPIs of compared periods: summed parts per period, targets, and the KPI table.

`period_parts` sums, per period, the additive parts every shop KPI is formed from (registry
metrics are then computed from them, never averaged); `kpi_table` sets periods side by side with
their changes, the target and a normal baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..metrics import formulas, queries
from ..metrics.registry import metric
from ..periods import Period
from ..warehouse.connection import Warehouse
from .traffic import in_period

DAILY_PARTS = ("uv_sum", "buyer_days", "gmv", "refund_amount", "units", "paid_orders", "cart_users", "order_buyers")
REFUND_METRICS = ("refund_rate", "net_gmv")  # metrics that move while refunds mature


def period_parts(wh: Warehouse, shop_id: str, periods: Mapping[str, Period], daily: pd.DataFrame, *,
                 use_orders: bool, repurchase_window_days: int) -> dict[str, dict]:
    """Summed parts per period label ({} for a period without data, e.g. a shop younger than a year).

    Parts: days, uv_sum, buyer_days, gmv, refund_amount, units, paid_orders, cart_users,
    order_buyers; with orders: paid_buyers, new_buyers, new_buyer_gmv, repeat_buyers,
    window_buyers; with ads: ad_spend, ad_attributed_amount.
    """
    out: dict[str, dict] = {}
    for label, period in periods.items():
        days = in_period(daily, period)
        out[label] = {"days": float(len(days))} | {
            part: float(days["uv" if part == "uv_sum" else part].sum()) for part in DAILY_PARTS
        }
    if use_orders:
        buyers = queries.buyer_parts(wh, shop_id, periods)
        repurchase = queries.repurchase_parts(wh, shop_id, {k: p.end for k, p in periods.items()}, repurchase_window_days)
        for label in out:
            out[label].update(buyers.loc[label].to_dict())
            out[label].update(repurchase.loc[label].to_dict())
    if queries.has_rows(wh, "ads_daily", shop_id):
        ads = queries.sums_by_period(
            wh, "ads_daily", shop_id, periods, [], {"ad_spend": "spend", "ad_attributed_amount": "attributed_amount"}
        ).set_index("period")
        for label in out:
            row = ads.loc[label] if label in ads.index else {"ad_spend": 0.0, "ad_attributed_amount": 0.0}
            out[label].update({k: float(row[k]) for k in ("ad_spend", "ad_attributed_amount")})
    return {label: (p if p["days"] else {}) for label, p in out.items()}


def targets(wh: Warehouse, shop_id: str, period_type: str, label: str) -> dict[str, float]:
    """metric -> target of one period ('week', '2026-W47') from the targets table ({} if none)."""
    if not queries.has_rows(wh, "targets", shop_id):
        return {}
    t = wh.shop_rows("targets", shop_id)
    rows = t.filter((t.period_type == period_type) & (t.period == label)).execute()
    return dict(zip(rows.metric, rows.value.astype(float)))


def kpi_values(parts: Mapping[str, dict]) -> dict[str, dict[str, float]]:
    """Every shop KPI of each period, formed from its parts."""
    return {label: formulas.shop_kpis(p) for label, p in parts.items()}


def kpi_table(keys: Sequence[str], parts: Mapping[str, dict], targets_: Mapping[str, float], *,
              normal: Mapping[str, float] | None = None, immature: Mapping[str, bool] | None = None) -> pd.DataFrame:
    """One row per KPI: this_week, last_week, last_year, target, normal (baseline of ordinary weeks),
    their changes and judgements. ``immature``: period label -> its refunds are not final yet; the
    refund metrics of such periods are marked, and only a change in the direction late refunds
    push (worse) is judged: it can only grow."""
    values = kpi_values(parts)
    immature = dict(immature or {})
    rows = []
    for key in keys:
        m = metric(key)
        now, before, ly = (values[k].get(key, np.nan) for k in ("this_week", "last_week", "last_year"))
        target = targets_.get(key, np.nan)
        usual = (normal or {}).get(key, np.nan)
        moving = key in REFUND_METRICS and immature.get("this_week", False)
        row = {
            "metric": key,
            "unit": m.unit,
            "this_week": now,
            "last_week": before,
            "last_year": ly,
            "target": target,
            "normal": usual,
            "wow": m.change(now, before),
            "yoy": m.change(now, ly),
            "vs_target": m.change(now, target),
            "vs_normal": m.change(now, usual),
            "immature": moving,
        }
        for change in ("wow", "yoy", "vs_target", "vs_normal"):
            row[f"{change}_judge"] = _judge_immature(m, row[change]) if moving else m.judge(row[change])
        rows.append(row)
    return pd.DataFrame(rows)


def _judge_immature(m, change: float) -> str:
    """An immature refund metric only moves one way as refunds arrive (the refund rate up, net GMV
    down): a change already in that bad direction is certain and judged bad; a good-looking one
    may still reverse and is not judged."""
    verdict = m.judge(change)
    return "bad" if verdict == "bad" else "neutral"


def median_kpis(parts: Mapping[str, dict], keys: Sequence[str]) -> dict[str, float]:
    """Per KPI, the median over the periods of ``parts`` (the normal level of ordinary weeks)."""
    values = [v for v in kpi_values(parts).values() if v]
    out = {}
    for key in keys:
        seen = [v[key] for v in values if pd.notna(v.get(key, np.nan))]
        out[key] = float(np.median(seen)) if seen else np.nan
    return out


def immature_periods(periods: Mapping[str, Period], data_end: dt.date, mature_days: int) -> dict[str, bool]:
    """Periods whose last day is within ``mature_days`` of the data's last day: refunds still arrive."""
    return {label: (data_end - p.end).days < mature_days for label, p in periods.items()}
