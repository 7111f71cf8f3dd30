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
    """Summed parts per period label ({} for a period outside the shop's data, e.g. a year ago for a
    young shop). ``daily`` holds the days of the shop's data only (metrics.queries.daily_shop).

    Parts: days, uv_sum, buyer_days, gmv, refund_amount, units, paid_orders, cart_users,
    order_buyers; with orders: paid_buyers, new_buyers, new_buyer_gmv, repeat_buyers,
    window_buyers; with ads: ad_spend, ad_attributed_amount.
    """
    out: dict[str, dict] = {}
    for label, period in periods.items():
        days = in_period(daily, period)
        if days.empty:  # outside the shop's data
            out[label] = {}
            continue
        # days with traffic data: a week's UV is their average; a part none of the days has is
        # unknown (NaN), never an invented 0
        out[label] = {"days": float(days.uv.notna().sum())} | {
            part: float(days["uv" if part == "uv_sum" else part].sum(min_count=1)) for part in DAILY_PARTS
        }
    if use_orders:
        buyers = queries.buyer_parts(wh, shop_id, periods)
        repurchase = queries.repurchase_parts(wh, shop_id, {k: p.end for k, p in periods.items()}, repurchase_window_days)
        for label in out:
            if out[label]:
                out[label].update(buyers.loc[label].to_dict())
                out[label].update(repurchase.loc[label].to_dict())
    if queries.has_rows(wh, "ads_daily", shop_id):
        ads = queries.sums_by_period(
            wh, "ads_daily", shop_id, periods, [], {"ad_spend": "spend", "ad_attributed_amount": "attributed_amount"}
        ).set_index("period")
        for label in out:
            row = ads.loc[label] if label in ads.index else {"ad_spend": 0.0, "ad_attributed_amount": 0.0}
            if out[label]:
                out[label].update({k: float(row[k]) for k in ("ad_spend", "ad_attributed_amount")})
    return out


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
              normal: Mapping[str, float] | None = None, immature: Mapping[str, bool] | None = None,
              short_history: set[str] = frozenset()) -> pd.DataFrame:
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
            "short_history": key in short_history,  # this week's value needs older data than the shop has
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


# metric -> (the parts it needs that depend on history, how many days before the period they look back)
HISTORY_RULES = {
    "new_buyer_share": (("new_buyers", "new_buyer_gmv"), "new_buyer_days"),
    "new_customer_sales_share": (("new_buyers", "new_buyer_gmv"), "new_buyer_days"),
    "repurchase_rate": (("repeat_buyers", "window_buyers"), "repurchase_window_days"),
}
NEW_BUYER_DAYS = 365


def short_history(periods: Mapping[str, Period], first_order: dt.date | None, *,
                  repurchase_window_days: int) -> dict[str, set[str]]:
    """Per period, the metrics the shop's order history is too short for: a new buyer needs
    NEW_BUYER_DAYS of orders before the period, the repurchase rate its whole window."""
    if first_order is None:
        return {}
    look_back = {"new_buyer_days": NEW_BUYER_DAYS, "repurchase_window_days": repurchase_window_days}
    out: dict[str, set[str]] = {}
    for label, period in periods.items():
        for key, (_parts, window) in HISTORY_RULES.items():
            anchor = period.start if window == "new_buyer_days" else period.end
            if first_order > anchor - dt.timedelta(days=look_back[window] - (0 if window == "new_buyer_days" else 1)):
                out.setdefault(label, set()).add(key)
    return out


def forget(parts: dict, metrics_: set[str]) -> None:
    """Drop from ``parts`` what ``metrics_`` need (their values become NaN, their alerts silent)."""
    for key in metrics_:
        for part in HISTORY_RULES[key][0]:
            parts.pop(part, None)


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
