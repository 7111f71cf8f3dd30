"""Parameters of the promotion retrospective (the notebook's parameters cell holds the same names)."""

from __future__ import annotations

from pydantic import Field

from ...params import ReportParams


class PromoRetrospectiveParams(ReportParams):
    shop_id: str = Field("0071", description="shop whose promotion is reviewed", min_length=1)
    promo: str = Field("last", description="promotion id such as 0071-2026-double11, or 'last' for the last one that has ended",
                       min_length=1)
    top_n: int = Field(10, ge=1, le=100, description="rows in product rankings")
    # pace and lift
    pace_threshold: float = Field(0.30, gt=0, lt=1, description="first day this far below its target pace raises the alert")
    pace_baseline_days: int = Field(28, ge=7, le=120, description="days before the start whose hour-of-day profile shapes the pace curve")
    fit_weeks: int = Field(8, ge=4, le=26, description="whole weeks before the promotion the lift baseline is fitted on")
    pre_dip_days: int = Field(5, ge=0, le=14, description="days before the start checked for a pull-forward dip")
    hangover_days: int = Field(7, ge=0, le=14, description="days after the end checked for a hangover")
    lift_level: float = Field(0.90, gt=0.5, lt=1, description="confidence level of the lift intervals")
    # ads, customers, refunds
    roi_target: float | None = Field(None, gt=0, description="ad ROI target; default by shop category (rules.yaml)")
    budget_overrun: float = Field(0.05, ge=0, lt=1, description="spend beyond the budget by more than this share is flagged")
    attribution_days: int = Field(15, ge=0, le=60, description="days after the end until ad attribution is final")
    min_campaign_spend: float = Field(1000.0, ge=0, description="spend below which a campaign is not flagged")
    repurchase_window_days: int = Field(30, ge=7, le=180, description="days after the end in which a new buyer's repurchase counts")
    refund_mature_days: int = Field(14, ge=0, description="refunds of payments this recent are still arriving (immature)")
    refund_curve_days: int = Field(60, ge=14, le=180, description="age at which earlier promotions' refunds count as final")
    # prices and coupons
    max_share_of_daily_price: float = Field(0.80, gt=0, le=1, description="promotion price at most this share of the daily price")
    low_window_days: int = Field(30, ge=1, le=90, description="promotion price at most the lowest price of this many days before the start")
    reference_window_days: int = Field(7, ge=1, le=90, description="days before the start whose lowest price is the reference for a discount")
    coupon_far_below: float = Field(0.5, gt=0, lt=1, description="redemption below this share of the previous promotion's is flagged")
