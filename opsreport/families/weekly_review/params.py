"""Parameters of the weekly review (the notebook's parameters cell holds the same names)."""

from __future__ import annotations

from pydantic import Field, field_validator

from ...params import ReportParams
from ...periods import iso_week


class WeeklyReviewParams(ReportParams):
    shop_id: str = Field("0071", description="shop to review", min_length=1)
    week: str = Field("last", description="ISO week such as 2026-W47, or 'last' for the last complete week")
    allow_partial: bool = Field(False, description="review a week with fewer than 7 days of data (marked partial)")
    top_n: int = Field(10, ge=1, le=100, description="rows in product rankings")
    trend_weeks: int = Field(8, ge=2, le=52, description="weeks shown in the daily trend")
    # anomaly thresholds
    kpi_change_alert: float = Field(0.2, gt=0, description="relative week-on-week change of a KPI that is reported")
    sku_conversion_drop: float = Field(0.4, gt=0, lt=1, description="relative fall of a SKU's conversion vs its 4-week baseline")
    sku_min_uv: int = Field(300, ge=0, description="weekly UV a SKU needs before its conversion is judged")
    sku_drop_min_z: float = Field(3.0, ge=0, description="buyers short of the baseline's prediction, in standard deviations")
    refund_spike_ratio: float = Field(2.0, gt=1, description="category refund rate vs its 4-week baseline")
    refund_spike_min_rate: float = Field(0.1, ge=0, le=1, description="category refund rate below which no spike is reported")
    roi_target: float | None = Field(None, gt=0, description="ad ROI target; default by shop category (rules.yaml)")
    min_campaign_spend: float = Field(1000.0, ge=0, description="weekly spend below which a campaign is not flagged")
    dormant_rise_pp: float = Field(0.02, gt=0, description="rise of the dormant share over 4 weeks that is reported")
    # customer and inventory rules
    repurchase_window_days: int = Field(90, ge=7, description="trailing window of the repurchase rate")
    dormant_days: int = Field(90, ge=7, description="a buyer unseen this long is dormant")
    rfm_lookback_days: int = Field(365, ge=30, description="buyers in the RFM base")
    cover_low_days: float = Field(7.0, ge=0, description="days of cover below which stock is low")
    cover_high_days: float = Field(90.0, gt=0, description="days of cover above which stock is overstocked")
    promo_uplift: float = Field(3.0, ge=1, description="daily sales multiple expected during the next promotion")
    new_product_days: int = Field(28, ge=3, description="products launched this recently are under test")
    new_product_hit_rate: float = Field(0.08, gt=0, lt=1, description="fav+cart rate in 3 days marking a potential hit")
    refund_mature_days: int = Field(14, ge=0, description="refunds of payments this recent are still arriving (immature)")

    @field_validator("week")
    @classmethod
    def _week_format(cls, value: str) -> str:
        if value != "last":
            iso_week(value)  # raises ParamsError with the reason
        return value
