"""The weekly operations review: from the warehouse to one typed result.

`run(params)` is what the notebook calls. It composes the shared analyses (calendar, KPIs,
traffic, products, inventory, ads, service, customers, pacing, anomalies) for one shop and ISO
week; every part returns data keyed by codes, and the view puts it into words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd

from ...analyses import ads as ads_
from ...analyses import competitor_moves as moves_
from ...analyses import anomalies as rules
from ...analyses import customers as customers_
from ...analyses import inventory as inventory_
from ...analyses import kpis as kpis_
from ...analyses import pacing as pacing_
from ...analyses import products as products_
from ...analyses import promotions, traffic
from ...analyses import service as service_
from ...analyses.bridge import Bridge, BridgeInput, gmv_bridge
from ...analyses.calendar import Calendar, Coverage, coverage, ordinary_weeks, resolve_week
from ...analyses.promotions import Promotion
from ...metrics import queries
from ...periods import Period, previous_week
from ...warehouse.connection import Warehouse
from .params import WeeklyReviewParams

KPIS = (
    "gmv", "net_gmv", "uv", "conversion_rate", "aov", "paid_buyers", "units", "refund_rate",
    "ad_spend", "roi", "new_buyer_share", "new_customer_sales_share", "repurchase_rate",
)
NORMAL_WEEKS = 4  # the normal level: median of this many recent weeks without a promotion
NORMAL_SEARCH_WEEKS = 13  # ... found among this many weeks before the review
COMPETITOR_LAG_DAYS = 7  # a competitor's cut this many days before the week can still explain it


@dataclass
class WeeklyReview:
    params: WeeklyReviewParams
    shop: dict
    calendar: Calendar
    generated_at: dt.datetime  # in the shop's time zone
    data_end: dt.date  # last day of the shop's data
    kpis: pd.DataFrame
    bridge: Bridge
    daily: pd.DataFrame
    funnel: pd.DataFrame
    pacing: pacing_.Pacing
    normal_weeks: list[str]  # ISO weeks behind the 'normal' column
    normal_skipped: dict[str, list[str]]  # weeks passed over for it -> the promotions they overlap
    history: Coverage  # the days the shop's data covers (what it cannot know follows from it)
    promotions_last_week: list[Promotion] = field(default_factory=list)
    traffic: pd.DataFrame | None = None
    products: products_.ProductsResult | None = None
    inventory: inventory_.InventoryResult | None = None
    ads: ads_.AdsResult | None = None
    service: pd.DataFrame | None = None
    customers: customers_.CustomersResult | None = None
    anomalies: list[rules.Anomaly] = field(default_factory=list)
    # moves of competitor products matched to our SKUs from COMPETITOR_LAG_DAYS before the week to
    # its end (analyses.competitor_moves.moves_near); empty without competitor data
    competitor_moves: pd.DataFrame | None = None
    missing: dict[str, str] = field(default_factory=dict)  # section -> the table(s) that would fill it

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def week(self):
        return self.calendar.week


def run(params: WeeklyReviewParams | dict, warehouse: Warehouse | None = None) -> WeeklyReview:
    """Compute the whole weekly review for ``params`` (a model or a plain dict of parameters)."""
    if isinstance(params, dict):
        params = WeeklyReviewParams.model_validate(params)
    wh = warehouse or Warehouse.open(params.warehouse)
    sid = params.shop_id
    shop = wh.shop(sid)
    week = resolve_week(wh, sid, params.week, allow_partial=params.allow_partial)
    calendar = Calendar.for_week(week, params.trend_weeks)
    use_orders = queries.has_rows(wh, "orders", sid)
    span = coverage(wh, sid)
    last_day = span.last

    searched = Period("normal", week.start - dt.timedelta(weeks=NORMAL_SEARCH_WEEKS), week.start - dt.timedelta(days=1))
    recent_promotions = promotions.during(wh, sid, searched)
    normal = ordinary_weeks(week, recent_promotions, count=NORMAL_WEEKS, search_weeks=NORMAL_SEARCH_WEEKS)
    if any(p.start < span.first for p in normal.values()):  # the data starts too late for a normal level
        normal = {}
    skipped = _skipped_weeks(week, normal, recent_promotions)
    daily = queries.daily_shop(
        wh, sid, {"trend": calendar.trend, "last_year": calendar.last_year, "month": calendar.month_to_date, **normal}, use_orders,
        span=(span.first, span.last),
    )
    parts = kpis_.period_parts(wh, sid, calendar.compared, daily, use_orders=use_orders,
                               repurchase_window_days=params.repurchase_window_days)
    short = kpis_.short_history(calendar.compared, span.first_order, repurchase_window_days=params.repurchase_window_days)
    for label, metrics_ in short.items():
        kpis_.forget(parts[label], metrics_)  # unknown, not guessed: no value and no alert
    normal_parts = kpis_.period_parts(wh, sid, normal, daily, use_orders=use_orders,
                                      repurchase_window_days=params.repurchase_window_days) if normal else {}
    week_targets = kpis_.targets(wh, sid, "week", week.label)
    target = ads_.roi_target(params.roi_target, week_targets, shop.get("category"))
    shown_targets = dict(week_targets)
    if pd.notna(target.value):
        shown_targets["roi"] = target.value  # the KPI table and the ads section judge ROI by one target
    immature = kpis_.immature_periods(calendar.compared, last_day, params.refund_mature_days)
    month_target = kpis_.targets(wh, sid, "month", calendar.month.label).get("gmv", float("nan"))
    review = WeeklyReview(
        params=params,
        shop=shop,
        calendar=calendar,
        generated_at=dt.datetime.now(ZoneInfo(params.timezone)),
        data_end=last_day,
        kpis=kpis_.kpi_table(KPIS, parts, shown_targets, normal=kpis_.median_kpis(normal_parts, KPIS), immature=immature,
                             short_history=short.get("this_week", set())),
        bridge=gmv_bridge(_bridge_input(parts["last_week"]), _bridge_input(parts["this_week"])),
        daily=traffic.daily_trend(daily, calendar.trend, week),
        funnel=traffic.funnel(daily, week, calendar.last_week),
        pacing=pacing_.pacing(daily, calendar.month_to_date, calendar.month, month_target),
        normal_weeks=list(normal),
        normal_skipped=skipped,
        history=span,
        promotions_last_week=promotions.during(wh, sid, calendar.last_week),
    )
    has = lambda table: queries.has_rows(wh, table, sid)  # noqa: E731 - local shorthand
    if not traffic.in_period(daily, week).uv.notna().any():  # orders only: UV, conversion and the bridge are unknown
        review.missing.update(visitors="shop_daily", bridge="shop_daily", funnel="shop_daily")
        review.bridge = Bridge(review.bridge.start, review.bridge.end, {})
    if has("traffic_daily"):
        review.traffic = traffic.traffic_sources(wh, sid, week, calendar.last_week)
    else:
        review.missing["traffic"] = "traffic_daily"
    cat_weeks = None
    baseline_known = span.first <= min(p.start for p in calendar.weeks_back.values())  # 4 weeks before the week
    if not baseline_known:
        review.missing["baselines"] = "history"
    if has("product_daily") and has("products"):
        review.products = products_.products(
            wh, sid, calendar.weeks_back, top_n=params.top_n, new_product_days=params.new_product_days,
            new_product_hit_rate=params.new_product_hit_rate,
        )
        cat_weeks = products_.category_refunds(wh, sid, calendar.weeks_back) if baseline_known else None
    else:
        review.missing["products"] = "product_daily + products"
    if has("inventory_daily") and has("product_daily"):
        review.inventory = inventory_.inventory(wh, sid, week.end, low_days=params.cover_low_days,
                                                high_days=params.cover_high_days, promo_uplift=params.promo_uplift)
    else:
        review.missing["inventory"] = "inventory_daily"
    if has("ads_daily"):
        review.ads = ads_.ads(wh, sid, week, calendar.last_week, target, min_spend=params.min_campaign_spend)
    else:
        review.missing["ads"] = "ads_daily"
    if has("service_daily"):
        orders_ = {label: p.get("paid_orders", float("nan")) for label, p in parts.items()}
        review.service = service_.service(wh, sid, week, calendar.last_week, orders_)
    else:
        review.missing["service"] = "service_daily"
    if use_orders:
        ends = {"this_week": week.end, "last_week": calendar.last_week.end, "4_weeks_ago": week.end - dt.timedelta(days=28)}
        review.customers = customers_.customers(wh, sid, parts, ends, lookback_days=params.rfm_lookback_days,
                                                dormant_days=params.dormant_days, history_from=span.first_order)
    else:
        review.missing["customers"] = "orders"
    review.competitor_moves = moves_.moves_near(wh, sid, None, week.start, week.end, lag_days=COMPETITOR_LAG_DAYS)
    review.anomalies = find_anomalies(review, cat_weeks, immature["this_week"])
    return review


def _skipped_weeks(week: Period, normal: dict[str, Period], promos: list[Promotion]) -> dict[str, list[str]]:
    """The weeks between the review and its oldest normal week that overlap a promotion."""
    if not normal:
        return {}
    oldest = min(p.start for p in normal.values())
    out = {}
    current = week
    while True:
        current = previous_week(current)
        if current.start < oldest:
            return out
        if current.label not in normal:
            out[current.label] = [p.name for p in promos if p.start <= current.end and p.end >= current.start]


def _bridge_input(p: dict) -> BridgeInput | None:
    return BridgeInput(p["days"], p["uv_sum"], p["buyer_days"], p["gmv"]) if p else None


def find_anomalies(review: WeeklyReview, cat_weeks: pd.DataFrame | None, refunds_immature: bool) -> list[rules.Anomaly]:
    p = review.params
    found: list[rules.Anomaly] = []
    if review.products is not None:
        sku_weeks = review.products.sku_weeks
        if "baselines" in review.missing:  # no 4-week baseline: no conversion-drop alert
            sku_weeks = sku_weeks.iloc[0:0]
        if review.inventory is not None:  # a SKU out of stock cannot convert: that finding is the stockout
            sku_weeks = sku_weeks[~sku_weeks.sku_id.isin(review.inventory.stockouts.sku_id)]
        drops = rules.sku_conversion_drops(sku_weeks, drop=p.sku_conversion_drop, min_uv=p.sku_min_uv, min_z=p.sku_drop_min_z)
        found += rules.with_competitor_moves(drops, review.competitor_moves)  # a matched product's cut: a likely cause
    if review.inventory is not None:
        found += rules.stockouts(review.inventory.stockouts)
    spikes: list[rules.Anomaly] = []
    if cat_weeks is not None:
        spikes = rules.refund_spikes(cat_weeks, ratio_threshold=p.refund_spike_ratio, min_rate=p.refund_spike_min_rate,
                                     immature=refunds_immature)
        found += spikes
    if review.ads is not None:
        found += rules.campaigns_below_target(review.ads.campaigns, target=review.ads.target.value, min_spend=p.min_campaign_spend)
    if review.customers is not None:
        share = review.customers.dormant_share
        found += rules.dormant_rise(share["this_week"], share["4_weeks_ago"], threshold_pp=p.dormant_rise_pp)
    found += rules.kpi_changes(
        review.kpis, threshold=p.kpi_change_alert,
        promotions=[promo.name for promo in review.promotions_last_week],
        refund_spikes=[a.subject for a in spikes],
    )
    found += rules.pacing_behind(review.pacing)
    return rules.ordered(found)
