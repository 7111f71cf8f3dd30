"""The promotion retrospective: from the warehouse to one typed result.

`run(params)` is what the notebook calls. It reads one shop's promotion (its rows in promotions,
promotion_phases, promo_skus, presale_orders, coupons, promo_ad_budgets) with the shop's orders,
traffic, products, stock, ads and service around it, and composes the shared analyses: pace,
lift, price rules, phases, products, ads, customers, coupons, refunds. Every part returns data
keyed by codes; the view puts it into words. A part whose table is missing is named in
``missing`` and shown as "not known", never as zero.

Windows. The promotion's GMV is what was paid from its first instant (``start_at``, e.g. 20:00 on
the first day) to its last; day-level figures (UV, conversion, lift, traffic, service) use its
whole days. The *baseline* for traffic, funnel and service is the ``BASELINE_DAYS`` days before
the pre-dip window, so a pull-forward dip does not flatter the promotion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ...analyses import ads as ads_
from ...analyses import coupons as coupons_
from ...analyses import kpis as kpis_
from ...analyses import lift as lift_
from ...analyses import price_rules as price_rules_
from ...analyses import promo_ads, promo_customers, promo_pace, promo_phases, promo_products, promotions, traffic
from ...analyses import refund_maturity
from ...analyses import service as service_
from ...analyses.calendar import Coverage, coverage
from ...analyses.promotions import Promotion
from ...errors import DataNotFoundError, OpsReportError
from ...metrics import queries
from ...metrics.registry import metric
from ...periods import Period
from ...warehouse.connection import Warehouse
from .params import PromoRetrospectiveParams

KPIS = ("gmv", "net_gmv", "uv", "conversion_rate", "aov", "paid_buyers", "units", "refund_rate", "ad_spend", "roi",
        "new_buyer_share", "new_customer_sales_share")
PER_DAY = ("gmv", "net_gmv", "paid_buyers", "units", "ad_spend")  # compared per day across runs of other lengths
COMPARED = ("last_year", "previous")  # the same event last year (aligned on D-day) and the previous promotion
BASELINE_DAYS = 28
CENT = 0.01  # a lift smaller than a cent is float rounding of an exact fit, not a dip
STOCKOUT_LOOKBACK_DAYS = 30
EARLIER_PROMOTIONS = 4  # mature earlier promotions whose refunds shape the maturation curve
ORDER_COLUMNS = ["order_id", "customer_id", "paid_at", "paid_amount", "refund_amount", "refunded_at"]


@dataclass(frozen=True)
class Finding:
    """Something the retrospective found, as a code with its evidence (the view words it)."""

    code: str
    severity: str  # high, medium, info
    fields: dict = field(default_factory=dict)


@dataclass
class PromoRetrospective:
    params: PromoRetrospectiveParams
    shop: dict
    promotion: Promotion
    start_at: pd.Timestamp
    end_at: pd.Timestamp
    target_gmv: float
    budget: float
    generated_at: dt.datetime
    data_end: dt.date
    history: Coverage
    baseline: Period
    kpis: pd.DataFrame  # metric, unit, promotion, target, last_year, previous and their changes
    compared: dict[str, Promotion | None]  # last_year, previous -> the promotion compared with
    roi_target: ads_.RoiTarget
    refunds_immature: bool
    aligned: pd.DataFrame | None = None  # offset from D-day: this promotion, last year's event
    phases: pd.DataFrame | None = None
    presale: promo_pace.PresaleCompletion | None = None
    pace: promo_pace.PromoPace | None = None
    lift: lift_.Lift | None = None
    cannibalisation: lift_.Lift | None = None
    lift_overlaps: list[str] = field(default_factory=list)  # other promotions inside the fit weeks
    baseline_overlaps: list[str] = field(default_factory=list)  # other promotions inside the baseline days
    per_day: set[str] = field(default_factory=set)  # compared runs whose amounts and counts are compared per day
    traffic: pd.DataFrame | None = None
    funnel: pd.DataFrame | None = None
    channels: pd.DataFrame | None = None
    campaigns: pd.DataFrame | None = None
    attribution_mature: bool = True
    attribution_days_left: int = 0
    buyers: promo_customers.BuyerMix | None = None
    repurchase: promo_customers.Repurchase | None = None
    pareto: promo_products.Pareto | None = None
    stockouts: pd.DataFrame | None = None
    sell_through: pd.DataFrame | None = None
    prices: price_rules_.PriceRuleResult | None = None
    coupons: coupons_.CouponSummary | None = None
    refunds: refund_maturity.RefundProjection | None = None
    service: pd.DataFrame | None = None
    short_history: dict[str, set[str]] = field(default_factory=dict)  # period label -> metrics its history is too short for
    findings: list[Finding] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # section -> the table(s) that would fill it
    unavailable: dict[str, str] = field(default_factory=dict)  # section -> why the data cannot answer it

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def period(self) -> Period:
        return Period(self.promotion.promo_id, self.promotion.start, self.promotion.end)


# --------------------------------------------------------------------------- reading the warehouse

def _promo_rows(wh: Warehouse, table: str, shop_id: str, promo_id: str) -> pd.DataFrame:
    t = wh.shop_rows(table, shop_id)
    return t.filter(t.promo_id == promo_id).execute()


def _rows_if_any(wh: Warehouse, table: str, shop_id: str, promo_id: str) -> pd.DataFrame | None:
    """The promotion's rows of ``table``, or None when it has none (absent table, or none for it)."""
    if not queries.has_rows(wh, table, shop_id):
        return None
    rows = _promo_rows(wh, table, shop_id, promo_id)
    return None if rows.empty else rows


def _orders_between(wh: Warehouse, shop_id: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Paid orders with ``start <= paid_at <= end``."""
    o = queries.paid_orders(wh, shop_id)
    frame = o.filter((o.paid_at >= start.to_pydatetime()) & (o.paid_at <= end.to_pydatetime())).select(*ORDER_COLUMNS).execute()
    return frame.sort_values("paid_at").reset_index(drop=True)


def _day_range(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")


def _first_paid(wh: Warehouse, shop_id: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """customer_id -> start of their current buying run, for the buyers paying in [start, end] (the
    registry's new-buyer rule: no payment in the NEW_BUYER_DAYS before); a year of history before
    the start decides it. The buyers are selected in the engine (a semi-join), not as a list."""
    o = queries.paid_orders(wh, shop_id)
    buyers = o.filter((o.paid_at >= start.to_pydatetime()) & (o.paid_at <= end.to_pydatetime())).select("customer_id").distinct()
    since = (start - pd.Timedelta(days=kpis_.NEW_BUYER_DAYS)).to_pydatetime()
    history = o.filter((o.paid_at >= since) & (o.paid_at <= end.to_pydatetime())).semi_join(buyers, "customer_id")
    return promo_customers.first_paid_times(history.select("customer_id", "paid_at").execute(), start, kpis_.NEW_BUYER_DAYS)


# --------------------------------------------------------------------------- the report

def run(params: PromoRetrospectiveParams | dict, warehouse: Warehouse | None = None) -> PromoRetrospective:
    """Compute the whole retrospective for ``params`` (a model or a plain dict of parameters)."""
    if isinstance(params, dict):
        params = PromoRetrospectiveParams.model_validate(params)
    wh = warehouse or Warehouse.open(params.warehouse)
    sid = params.shop_id
    shop = wh.shop(sid)
    span = coverage(wh, sid)
    if span.empty:
        raise DataNotFoundError(f"shop {sid} has no orders and no daily overview in the warehouse: nothing to review.")
    promo = promotions.resolve(wh, sid, params.promo, span.last)
    row = _promo_rows(wh, "promotions", sid, promo.promo_id).iloc[0]
    start_at, end_at = pd.Timestamp(row.start_at), pd.Timestamp(row.end_at)
    all_promos = promotions.all_of(wh, sid)
    compared = {"last_year": promotions.same_event_last_year(all_promos, promo), "previous": promotions.previous(all_promos, promo)}
    period = Period(promo.promo_id, promo.start, promo.end)
    baseline_end = promo.start - dt.timedelta(days=params.pre_dip_days + 1)
    baseline = Period("baseline", baseline_end - dt.timedelta(days=BASELINE_DAYS - 1), baseline_end)
    use_orders = queries.has_rows(wh, "orders", sid)
    has = lambda table: queries.has_rows(wh, table, sid)  # noqa: E731 - local shorthand

    periods = {"promotion": period, "baseline": baseline}
    periods |= {label: Period(p.promo_id, p.start, p.end) for label, p in compared.items() if p is not None}
    daily = queries.daily_shop(wh, sid, periods, use_orders, span=(span.first, span.last))
    # one call per period: the baseline may overlap the previous promotion, and a row belongs to one label per query
    # the promotions' buyer parts come from their exact hours below: only the baseline needs the days' ones
    parts = {label: kpis_.period_parts(wh, sid, {label: p}, daily, use_orders=use_orders and label == "baseline",
                                       repurchase_window_days=params.repurchase_window_days)[label]
             for label, p in periods.items()}
    day_orders = {label: p.get("paid_orders", np.nan) for label, p in parts.items()}  # whole days, as service data are
    mixes: dict[str, promo_customers.BuyerMix] = {}
    if use_orders:  # a promotion's order figures count its hours (a 20:00 start leaves out the afternoon)
        runs = {"promotion": promo} | {label: p for label, p in compared.items() if p is not None}
        for label, run_ in runs.items():
            if parts[label]:
                order_parts, mix = _order_parts(wh, sid, *_run_times(wh, sid, run_))
                parts[label].update(order_parts)
                if mix is not None:
                    mixes[label] = mix
    short = kpis_.short_history(periods, span.first_order, repurchase_window_days=params.repurchase_window_days)
    for label, keys in short.items():
        kpis_.forget(parts[label], keys)
    target = ads_.roi_target(params.roi_target, {}, shop.get("category"))
    refunds_immature = (span.last - promo.end).days < params.refund_mature_days
    review = PromoRetrospective(
        params=params, shop=shop, promotion=promo, start_at=start_at, end_at=end_at,
        target_gmv=float(row.target_gmv), budget=float(row.budget),
        generated_at=dt.datetime.now(ZoneInfo(params.timezone)), data_end=span.last, history=span, baseline=baseline,
        kpis=comparison_table(KPIS, parts, {"gmv": float(row.target_gmv), "roi": target.value}, refunds_immature,
                              {"promotion": promo.days} | {k: p.days for k, p in compared.items() if p is not None}),
        compared=compared, roi_target=target, refunds_immature=refunds_immature, short_history=short,
    )
    orders = _orders_between(wh, sid, start_at, end_at) if use_orders else pd.DataFrame(columns=ORDER_COLUMNS)
    review.baseline_overlaps = [o.name for o in all_promos if o.start <= baseline.end and o.end >= baseline.start]
    review.per_day = {label for label, p in compared.items() if p is not None and p.days != promo.days}
    review.aligned = aligned_days(daily_gmv(wh, sid, promo, compared["last_year"], span, use_orders), promo, compared["last_year"])

    _phases_and_pace(review, wh, orders, daily)
    _lift(review, wh, all_promos)
    if traffic.in_period(daily, period).uv.notna().any():
        review.funnel = traffic.funnel(daily, period, baseline)
    else:
        review.missing["funnel"] = "shop_daily"
    if has("traffic_daily"):
        review.traffic = traffic.traffic_sources(wh, sid, period, baseline)
    else:
        review.missing["traffic"] = "traffic_daily"
    _ads(review, wh)
    if "promotion" in mixes:  # the promotion has paid orders
        _customers(review, wh, mixes["promotion"])
        _refunds(review, wh, orders, all_promos)
    else:
        review.missing.update(customers="orders", refunds="orders")
    _products(review, wh)
    _prices(review, wh)
    _coupons(review, wh)
    if has("service_daily"):
        paid = {"this_week": day_orders["promotion"], "last_week": day_orders["baseline"]}
        review.service = service_.service(wh, sid, period, baseline, paid)
    else:
        review.missing["service"] = "service_daily"
    review.findings = findings(review)
    return review


def comparison_table(keys, parts: dict[str, dict], targets: dict[str, float], refunds_immature: bool,
                     days: dict[str, int]) -> pd.DataFrame:
    """One row per KPI: the promotion, its target, the same event last year and the previous
    promotion, with the changes and their judgements.

    A run of another length is compared per day on the amounts and counts (``PER_DAY``): a 25-day
    Double 11 against a 5-day shop event would otherwise show +400% for the days alone; rates and
    averages compare as they are. Immature refund metrics (they can only get worse as refunds
    arrive) show a change only when it is already worse; a better-looking one is not known yet."""
    values = kpis_.kpi_values(parts)
    rows = []
    for key in keys:
        m = metric(key)
        now = values["promotion"].get(key, np.nan)
        immature = refunds_immature and key in kpis_.REFUND_METRICS
        row = {"metric": key, "unit": m.unit, "promotion": now, "baseline": values.get("baseline", {}).get(key, np.nan),
               "immature": immature, "target": targets.get(key, np.nan)}
        row["vs_target"] = m.change(now, row["target"])
        for label in COMPARED:
            row[label] = then = values.get(label, {}).get(key, np.nan)
            if key in PER_DAY and label in days and days[label] != days["promotion"]:
                row[f"vs_{label}"] = m.change(now / days["promotion"], then / days[label])
            else:
                row[f"vs_{label}"] = m.change(now, then)
        for change in ("vs_target", *(f"vs_{label}" for label in COMPARED)):
            verdict = m.judge(row[change])
            if immature and verdict != "bad":
                row[change], verdict = np.nan, "neutral"  # may still turn worse: not known yet
            row[f"{change}_judge"] = verdict
        rows.append(row)
    return pd.DataFrame(rows)


def _run_times(wh: Warehouse, shop_id: str, promo: Promotion) -> tuple[pd.Timestamp, pd.Timestamp]:
    row = _promo_rows(wh, "promotions", shop_id, promo.promo_id).iloc[0]
    return pd.Timestamp(row.start_at), pd.Timestamp(row.end_at)


def _order_parts(wh: Warehouse, shop_id: str, start_at: pd.Timestamp,
                 end_at: pd.Timestamp) -> tuple[dict[str, float], promo_customers.BuyerMix | None]:
    """The order-based parts of the registry's KPIs over a promotion's exact hours: GMV, refunds,
    orders, units, distinct and new buyers (the registry's 365-day new-buyer rule), and the buyer
    mix they come from (None without orders)."""
    orders = _orders_between(wh, shop_id, start_at, end_at)
    if orders.empty:
        zero = {"gmv": 0.0, "refund_amount": 0.0, "paid_orders": 0.0, "paid_buyers": 0.0, "new_buyers": 0.0, "new_buyer_gmv": 0.0}
        return zero, None
    mix = promo_customers.buyer_mix(orders, _first_paid(wh, shop_id, start_at, end_at), start_at, end_at)
    out = {"gmv": mix.gmv, "refund_amount": float(orders.refund_amount.sum()), "paid_orders": float(len(orders)),
           "paid_buyers": float(mix.buyers), "new_buyers": float(mix.new_buyers), "new_buyer_gmv": mix.new_buyer_gmv}
    if queries.has_rows(wh, "order_items", shop_id):
        o = queries.paid_orders(wh, shop_id)
        o = o.filter((o.paid_at >= start_at.to_pydatetime()) & (o.paid_at <= end_at.to_pydatetime())).select("order_id")
        items = wh.shop_rows("order_items", shop_id)
        joined = items.join(o, "order_id")
        out["units"] = float(joined.aggregate(units=joined.quantity.sum()).execute().units.iloc[0] or 0.0)
    return out, mix


def daily_gmv(wh: Warehouse, shop_id: str, promo: Promotion, last_year: Promotion | None, span: Coverage,
              use_orders: bool) -> pd.Series:
    """Daily GMV (date -> yuan) over both promotions' days."""
    ranges = {"promotion": Period("p", promo.start, promo.end)}
    if last_year is not None:
        ranges["last_year"] = Period("ly", last_year.start, last_year.end)
    d = queries.daily_shop(wh, shop_id, ranges, use_orders, span=(span.first, span.last))
    return d.set_index("date").gmv


def aligned_days(gmv: pd.Series, promo: Promotion, last_year: Promotion | None) -> pd.DataFrame:
    """GMV by day offset from D-day, this promotion beside last year's same event (its day with
    the same offset, not the same calendar date). Offsets cover both promotions' days."""
    def by_offset(p: Promotion, prefix: str) -> pd.DataFrame:
        days = [d.date() for d in _day_range(p.start, p.end)]
        return pd.DataFrame({"offset": [p.offset(d) for d in days], f"{prefix}date": days,
                             f"{prefix}gmv": [float(gmv.get(pd.Timestamp(d), np.nan)) for d in days]})

    frame = by_offset(promo, "")
    if last_year is not None:
        frame = frame.merge(by_offset(last_year, "last_year_"), on="offset", how="outer")
    else:
        frame["last_year_date"], frame["last_year_gmv"] = pd.NaT, np.nan
    return frame.sort_values("offset").reset_index(drop=True)


def _phases_and_pace(review: PromoRetrospective, wh: Warehouse, orders: pd.DataFrame, daily: pd.DataFrame) -> None:
    sid, promo = review.params.shop_id, review.promotion
    phases = _rows_if_any(wh, "promotion_phases", sid, promo.promo_id)
    if phases is None:
        review.missing["phases"] = "promotion_phases"
    elif orders.empty:
        review.missing["phases"] = "orders"
    else:
        days = traffic.in_period(daily, review.period).rename(columns={"buyer_days": "paid_buyers"})  # daily distinct buyers
        review.phases = promo_phases.phase_summary(phases, orders, days)
    presale = _rows_if_any(wh, "presale_orders", sid, promo.promo_id)
    if presale is not None:
        review.presale = promo_pace.presale_completion(presale)
    if orders.empty:
        review.missing["pace"] = "orders"
        return
    before = _orders_between(wh, sid, pd.Timestamp(promo.start - dt.timedelta(days=review.params.pace_baseline_days)),
                             pd.Timestamp(promo.start) - pd.Timedelta(seconds=1))
    curve = None
    if review.phases is not None and phases["target_gmv"].notna().any() and not before.empty:
        curve = promo_phases.phase_curve(phases, promo_pace.hour_of_day_profile(before), promo.start, promo.end)
    review.pace = promo_pace.hourly_pace(orders, promo.start, promo.end, review.target_gmv, curve=curve,
                                         baseline=None if curve is not None or before.empty else before,
                                         threshold=review.params.pace_threshold)


def _lift(review: PromoRetrospective, wh: Warehouse, all_promos: list[Promotion]) -> None:
    p, promo, sid = review.params, review.promotion, review.params.shop_id
    hangover = max(0, min(p.hangover_days, (review.data_end - promo.end).days))
    fit_end = promo.start - dt.timedelta(days=p.pre_dip_days + 1)
    fit_start = fit_end - dt.timedelta(weeks=p.fit_weeks) + dt.timedelta(days=1)
    if fit_start < review.history.first:
        review.unavailable["lift"] = "history"
        return
    window = Period("lift", fit_start, promo.end + dt.timedelta(days=hangover))
    use_orders = queries.has_rows(wh, "orders", sid)
    d = queries.daily_shop(wh, sid, {"lift": window}, use_orders, span=(review.history.first, review.history.last))
    series = d.set_index("date").gmv
    review.lift_overlaps = [o.name for o in all_promos if o.promo_id != promo.promo_id and o.start <= fit_end and o.end >= fit_start]
    try:
        review.lift = lift_.real_lift(series, promo.start, promo.end, pre_dip_days=p.pre_dip_days, hangover_days=hangover,
                                      fit_weeks=p.fit_weeks, level=p.lift_level)
    except OpsReportError as exc:  # e.g. a gap in the daily data: said in the report, not guessed
        review.unavailable["lift"] = str(exc)
        return
    promoted = _rows_if_any(wh, "promo_skus", sid, promo.promo_id)
    if queries.has_rows(wh, "product_daily", sid) and promoted is not None:
        skus = promoted.sku_id
        products = wh.shop_rows("products", sid).select("sku_id", "category").execute()
        categories = set(products[products.sku_id.isin(skus)].category)
        others = products[products.category.isin(categories) & ~products.sku_id.isin(skus)].sku_id
        pd_ = wh.shop_rows("product_daily", sid)
        rows = pd_.filter(pd_.sku_id.isin(list(others)) & (pd_.date >= window.start) & (pd_.date <= window.end))
        by_day = rows.group_by("date").aggregate(gmv=rows.paid_amount.sum()).execute()
        series = by_day.set_index(pd.to_datetime(by_day.date)).gmv.reindex(_day_range(window.start, window.end), fill_value=0.0)
        try:
            review.cannibalisation = lift_.cannibalisation(series, promo.start, promo.end, pre_dip_days=p.pre_dip_days,
                                                           hangover_days=hangover, fit_weeks=p.fit_weeks, level=p.lift_level)
        except OpsReportError as exc:
            review.unavailable["cannibalisation"] = str(exc)


def _ads(review: PromoRetrospective, wh: Warehouse) -> None:
    sid, promo, p = review.params.shop_id, review.promotion, review.params
    if not queries.has_rows(wh, "ads_daily", sid):
        review.missing["ads"] = "ads_daily"
        return
    a = wh.shop_rows("ads_daily", sid)
    ads = a.filter((a.date >= promo.start) & (a.date <= promo.end)).execute()
    budgets = _rows_if_any(wh, "promo_ad_budgets", sid, promo.promo_id)
    if budgets is None:
        review.missing["ad_budgets"] = "promo_ad_budgets"
    target = review.roi_target.value
    review.channels = promo_ads.channel_budgets(ads, None if budgets is None else budgets[["channel", "budget"]], target, overrun_tolerance=p.budget_overrun)
    review.campaigns = promo_ads.campaign_roi(ads, target, min_spend=p.min_campaign_spend)
    review.attribution_mature = promo_ads.attribution_mature(promo.end, review.data_end, p.attribution_days)
    review.attribution_days_left = promo_ads.attribution_days_remaining(promo.end, review.data_end, p.attribution_days)


def _customers(review: PromoRetrospective, wh: Warehouse, mix: promo_customers.BuyerMix) -> None:
    sid, p = review.params.shop_id, review.params
    review.buyers = mix  # the key metrics' buyers: one computation for both sections
    after = _orders_between(wh, sid, pd.Timestamp(review.promotion.end + dt.timedelta(days=1)),
                            pd.Timestamp(review.promotion.end + dt.timedelta(days=p.repurchase_window_days + 1)))
    review.repurchase = promo_customers.new_buyer_repurchase(after, review.buyers.new_buyer_ids, review.promotion.end,
                                                             review.data_end, window_days=p.repurchase_window_days)


def _refunds(review: PromoRetrospective, wh: Warehouse, orders: pd.DataFrame, all_promos: list[Promotion]) -> None:
    p, sid = review.params, review.params.shop_id
    mature = [o for o in all_promos if o.end < review.promotion.start
              and (review.data_end - o.end).days >= p.refund_curve_days][-EARLIER_PROMOTIONS:]
    earlier = {}
    for o in mature:
        earlier[o.promo_id] = _orders_between(wh, sid, *_run_times(wh, sid, o))
    review.refunds = refund_maturity.project_refund_rate(orders, earlier, review.data_end, max_age_days=p.refund_curve_days)


def _products(review: PromoRetrospective, wh: Warehouse) -> None:
    sid, promo = review.params.shop_id, review.promotion
    if not (queries.has_rows(wh, "product_daily", sid) and queries.has_rows(wh, "products", sid)):
        review.missing["products"] = "product_daily + products"
        return
    pdaily = wh.shop_rows("product_daily", sid)
    since = promo.start - dt.timedelta(days=STOCKOUT_LOOKBACK_DAYS)  # a stockout counts for SKUs that sold lately
    sales = pdaily.filter((pdaily.date >= since) & (pdaily.date <= promo.end)).select(
        "date", "sku_id", "units", "paid_amount").execute()
    sales["date"] = pd.to_datetime(sales.date)
    during = sales[sales.date >= pd.Timestamp(promo.start)]
    names = wh.shop_rows("products", sid).select("sku_id", "product_name", "category").execute()
    sku_gmv = during.groupby("sku_id", as_index=False).paid_amount.sum().rename(columns={"paid_amount": "gmv"})
    pareto = promo_products.pareto(sku_gmv, top_n=review.params.top_n)
    review.pareto = replace(pareto, top=pareto.top.merge(names, on="sku_id", how="left"))
    if queries.has_rows(wh, "inventory_daily", sid):
        inv = wh.shop_rows("inventory_daily", sid)
        stock = inv.filter((inv.date >= promo.start - dt.timedelta(days=1)) & (inv.date <= promo.end)).select(
            "date", "sku_id", "on_hand").execute()
        out = promo_products.stockouts(stock, sales, promo.start, promo.end)
        review.stockouts = out.merge(names, on="sku_id", how="left")
    else:
        review.missing["stockouts"] = "inventory_daily"
    skus = _rows_if_any(wh, "promo_skus", sid, promo.promo_id)
    if skus is not None:
        review.sell_through = promo_products.sell_through(skus, during, promo.start, promo.end).merge(names, on="sku_id", how="left")
    if review.sell_through is None:
        review.missing["sell_through"] = "promo_skus"


def _prices(review: PromoRetrospective, wh: Warehouse) -> None:
    sid, promo, p = review.params.shop_id, review.promotion, review.params
    skus = _rows_if_any(wh, "promo_skus", sid, promo.promo_id)
    if skus is None:
        review.missing["prices"] = "promo_skus"
        return
    if not queries.has_rows(wh, "price_history", sid):
        review.missing["prices"] = "price_history"
        return
    products = wh.shop_rows("products", sid).select("sku_id", "product_name", "list_price").execute()
    ph = wh.shop_rows("price_history", sid)
    first = promo.start - dt.timedelta(days=max(p.low_window_days, p.reference_window_days))
    history = ph.filter((ph.date >= first) & (ph.date < promo.start) & ph.sku_id.isin(list(skus.sku_id))).select(
        "date", "sku_id", "price").execute()
    rules = price_rules_.PriceRuleParams(max_share_of_daily_price=p.max_share_of_daily_price, low_window_days=p.low_window_days,
                                         reference_window_days=p.reference_window_days)
    result = price_rules_.price_rules(skus[["sku_id", "promo_price"]], products[["sku_id", "list_price"]], history,
                                      promo.start, rules)
    review.prices = result


def _coupons(review: PromoRetrospective, wh: Warehouse) -> None:
    sid, promo = review.params.shop_id, review.promotion
    current = _rows_if_any(wh, "coupons", sid, promo.promo_id)
    if current is None:
        review.missing["coupons"] = "coupons"
        return
    previous = review.compared["previous"]
    before = _rows_if_any(wh, "coupons", sid, previous.promo_id) if previous is not None else None
    gmv = float(review.kpis.set_index("metric").loc["gmv", "promotion"])
    review.coupons = coupons_.coupon_summary(current, gmv, previous=before, far_below=review.params.coupon_far_below)


# --------------------------------------------------------------------------- findings

def findings(r: PromoRetrospective) -> list[Finding]:
    """What went well or wrong, worst first; each becomes a sentence and an action in the view."""
    out: list[Finding] = []
    k = r.kpis.set_index("metric")
    achieved = k.loc["gmv", "promotion"] / r.target_gmv if r.target_gmv else np.nan
    if pd.notna(achieved):
        out.append(Finding("target_met" if achieved >= 1 else "target_missed", "info" if achieved >= 1 else "high",
                           {"achievement": achieved, "gmv": k.loc["gmv", "promotion"], "target": r.target_gmv}))
    if r.pace is not None and r.pace.alert:
        day = r.pace.first_day
        out.append(Finding("pace_first_day", "high", {"day": day.day, "gap_share": day.gap_share,
                                                      "hour": day.first_hour_beyond_threshold or day.first_hour_behind,
                                                      "gmv": day.gmv, "pace": day.target_pace}))
    if r.stockouts is not None:
        for row in r.stockouts.sort_values("lost_gmv", ascending=False).head(3).itertuples():
            out.append(Finding("stockout", "high", {"sku": row.sku_id, "name": row.product_name, "first_out": row.first_out,
                                                     "days": row.days_out, "lost_gmv": row.lost_gmv, "lost_units": row.lost_units}))
    if r.prices is not None and len(r.prices.violations):
        v = r.prices.violations
        out.append(Finding("price_violations", "high", {"count": len(v), "skus": list(v.sku_id)}))
    if r.channels is not None:
        for row in r.channels.itertuples():
            if row.over_budget:
                out.append(Finding("channel_over_budget", "high" if row.below_target else "medium",
                                   {"channel": row.channel, "overrun": row.overrun_rate, "spend": row.spend, "budget": row.budget,
                                    "roi": row.roi, "below_target": bool(row.below_target)}))
            elif row.below_target:
                out.append(Finding("channel_below_roi", "medium", {"channel": row.channel, "roi": row.roi,
                                                                   "target": r.roi_target.value}))
    if r.lift is not None:
        dip = r.lift.pre_dip
        if r.params.pre_dip_days and dip.upper < -CENT:
            out.append(Finding("pull_forward", "medium", {"amount": dip.value, "days": r.params.pre_dip_days,
                                                          "lower": dip.lower, "upper": dip.upper}))
        if r.lift.hangover.upper < -CENT:
            out.append(Finding("hangover", "medium", {"amount": r.lift.hangover.value}))
        out.append(Finding("lift", "info", {"amount": r.lift.promotion.value, "share": r.lift.lift_share,
                                            "lower": r.lift.promotion.lower, "upper": r.lift.promotion.upper}))
    if r.cannibalisation is not None and r.cannibalisation.promotion.upper < -CENT:
        out.append(Finding("cannibalisation", "medium", {"amount": r.cannibalisation.promotion.value}))
    if r.coupons is not None and r.coupons.far_below_previous:
        out.append(Finding("coupon_redemption_low", "medium", {"rate": r.coupons.redemption_rate,
                                                                "previous": r.coupons.previous_redemption_rate,
                                                                "promotion": r.compared["previous"].name}))
    last_year = r.compared["last_year"]
    if (r.refunds is not None and r.refunds_immature and last_year is not None and pd.notna(r.refunds.low)
            and (r.data_end - last_year.end).days >= r.params.refund_curve_days
            and pd.notna(k.loc["refund_rate", "last_year"]) and r.refunds.low > k.loc["refund_rate", "last_year"]):
        out.append(Finding("refunds_above_last_year", "medium", {"projected": r.refunds.projected_rate, "low": r.refunds.low,
                                                                  "high": r.refunds.high, "last_year": k.loc["refund_rate", "last_year"]}))
    roi = k.loc["roi", "promotion"]
    if pd.notna(roi) and pd.notna(r.roi_target.value) and roi < r.roi_target.value:
        out.append(Finding("roi_below_target", "high", {"roi": roi, "target": r.roi_target.value}))
    order = {"high": 0, "medium": 1, "info": 2}
    return sorted(out, key=lambda f: order[f.severity])
