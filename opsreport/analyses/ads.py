"""Paid ads: spend, CTR, CPC and ROI by channel and by campaign against ONE ROI target.

ROI = attributed amount / spend, always within one attribution window. The target that applies is
the first of: the report's ``roi_target`` parameter, the shop's ROI target for the period in the
targets table, the category rule in rules.yaml. Every campaign and channel below it is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from ..metrics import compute, queries
from ..periods import Period
from ..warehouse.connection import Warehouse

MEASURES = ("impressions", "clicks", "spend", "attributed_orders", "attributed_amount")
AD_METRICS = ["ctr", "cpc", "roi"]


@dataclass(frozen=True)
class RoiTarget:
    value: float
    source: str  # 'parameter', 'targets_table' or 'category_rule'
    category: str | None = None  # for the category rule


@dataclass(frozen=True)
class AdsResult:
    campaigns: pd.DataFrame  # channel, campaign, measures, ctr, cpc, roi, roi_prev, spend_prev, below_target
    channels: pd.DataFrame  # channel, measures, ctr, cpc, roi, roi_prev, below_target
    target: RoiTarget
    min_spend: float  # campaigns spending less are not flagged


@cache
def _rules() -> dict:
    return yaml.safe_load(resources.files("opsreport").joinpath("rules.yaml").read_text("utf-8"))


def category_roi_target(category: str | None) -> float:
    targets = _rules()["roi_target_by_category"]
    return float(targets.get(category, targets["default"]))


def roi_target(parameter: float | None, targets: dict[str, float], category: str | None) -> RoiTarget:
    """The one ROI target of a report (see the module docstring for the order)."""
    if parameter is not None:
        return RoiTarget(float(parameter), "parameter")
    if pd.notna(targets.get("roi", float("nan"))):
        return RoiTarget(float(targets["roi"]), "targets_table")
    return RoiTarget(category_roi_target(category), "category_rule", category)


def ads(wh: Warehouse, shop_id: str, current: Period, previous: Period, target: RoiTarget, *, min_spend: float) -> AdsResult:
    periods = {"this_week": current, "last_week": previous}
    measures = {c: c for c in MEASURES}
    long = queries.sums_by_period(wh, "ads_daily", shop_id, periods, ["channel", "campaign"], measures)
    long = compute(AD_METRICS, long)
    now = long[long.period == "this_week"].drop(columns="period")
    prev = long[long.period == "last_week"].set_index(["channel", "campaign"])
    campaigns = now.set_index(["channel", "campaign"])
    campaigns["roi_prev"] = prev.roi.reindex(campaigns.index)
    campaigns["spend_prev"] = prev.spend.reindex(campaigns.index)
    campaigns = campaigns.reset_index()
    campaigns["below_target"] = (campaigns.roi < target.value) & (campaigns.spend >= min_spend)
    by_channel = long.groupby(["period", "channel"], as_index=False)[list(MEASURES)].sum()
    by_channel = compute(AD_METRICS, by_channel)
    channels = by_channel[by_channel.period == "this_week"].drop(columns="period").set_index("channel")
    channels["roi_prev"] = by_channel[by_channel.period == "last_week"].set_index("channel").roi.reindex(channels.index)
    channels = channels.reset_index()
    channels["below_target"] = (channels.roi < target.value) & (channels.spend >= min_spend)
    return AdsResult(
        campaigns=campaigns.sort_values("spend", ascending=False).reset_index(drop=True),
        channels=channels.sort_values("spend", ascending=False).reset_index(drop=True),
        target=target,
        min_spend=min_spend,
    )
