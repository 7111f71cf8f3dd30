"""The weekly operations review: from the warehouse to one result object.

`run(params)` is what the notebook calls; every section is a function of the warehouse and the
review's calendar, returning small frames. Aggregation happens in the engine (metrics.queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

import numpy as np
import pandas as pd
import yaml
from ibis import _

from .. import periods as cal
from ..errors import DataNotFoundError
from ..i18n import glossary, t
from ..metrics import formulas, queries
from ..metrics.registry import metric, ratio
from ..params import WeeklyReviewParams
from ..warehouse.connection import Warehouse
from . import anomalies as rules
from .bridge import BridgeInput, decompose

BASELINE_WEEKS = 4


@dataclass(frozen=True)
class Calendar:
    week: cal.Period
    last_week: cal.Period
    last_year: cal.Period
    trend: cal.Period
    month_to_date: cal.Period
    month: cal.Period

    @classmethod
    def for_week(cls, week: cal.Period, trend_weeks: int) -> "Calendar":
        month = cal.month_of(week.end)
        return cls(
            week=week,
            last_week=cal.previous_week(week),
            last_year=cal.same_week_last_year(week),
            trend=cal.Period("trend", week.end - dt.timedelta(days=7 * trend_weeks - 1), week.end),
            month_to_date=cal.Period(month.label, month.start, week.end),
            month=month,
        )

    @cached_property
    def weeks_back(self) -> dict[str, cal.Period]:
        """This week and the BASELINE_WEEKS before it, labelled this_week, last_week, w-2, ..."""
        out = {"this_week": self.week, "last_week": self.last_week}
        current = self.last_week
        for i in range(2, BASELINE_WEEKS + 1):
            current = cal.previous_week(current)
            out[f"w-{i}"] = current
        return out

    @property
    def compared(self) -> dict[str, cal.Period]:
        return {"this_week": self.week, "last_week": self.last_week, "last_year": self.last_year}


@dataclass
class WeeklyReview:
    params: WeeklyReviewParams
    shop: dict
    calendar: Calendar
    generated_at: dt.datetime
    kpis: pd.DataFrame
    bridge: pd.DataFrame
    daily: pd.DataFrame
    funnel: pd.DataFrame
    pacing: dict
    traffic: pd.DataFrame | None = None
    products: dict[str, pd.DataFrame] | None = None
    active_sku: dict | None = None
    inventory: dict | None = None
    ads: dict | None = None
    service: pd.DataFrame | None = None
    customers: dict | None = None
    anomalies: list[rules.Anomaly] = field(default_factory=list)
    events_last_week: list[str] = field(default_factory=list)  # promotions that ran last week
    missing: dict[str, str] = field(default_factory=dict)  # section -> which import would fill it

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def week(self) -> cal.Period:
        return self.calendar.week


def run(params: WeeklyReviewParams | dict, warehouse: Warehouse | None = None) -> WeeklyReview:
    """Compute the whole weekly review for ``params`` (a model or a plain dict of parameters)."""
    if isinstance(params, dict):
        from ..params import validate

        params = validate("weekly_review", params)
    wh = warehouse or Warehouse.open(params.warehouse)
    shop = wh.shop(params.shop_id)
    week = resolve_week(wh, params.shop_id, params.week)
    calendar = Calendar.for_week(week, params.trend_weeks)
    use_orders = queries.has_rows(wh, "orders", params.shop_id)

    daily = queries.daily_shop(
        wh, params.shop_id, {"trend": calendar.trend, "last_year": calendar.last_year}, use_orders
    )
    parts = period_parts(wh, params, calendar, daily, use_orders)
    targets = weekly_targets(wh, params.shop_id, week)
    kpis = kpi_table(parts, targets)
    review = WeeklyReview(
        params=params,
        shop=shop,
        calendar=calendar,
        generated_at=dt.datetime.now().astimezone(),
        kpis=kpis,
        bridge=gmv_bridge(parts, params.lang),
        daily=trend_frame(daily, calendar),
        funnel=funnel(daily, calendar, params.lang),
        pacing=pacing(wh, params.shop_id, calendar, daily),
    )
    sid = params.shop_id
    if queries.has_rows(wh, "traffic_daily", sid):
        review.traffic = traffic_sources(wh, sid, calendar, params.lang)
    else:
        review.missing["traffic"] = "traffic_daily"
    if queries.has_rows(wh, "product_daily", sid) and queries.has_rows(wh, "products", sid):
        review.products, review.active_sku, sku_weeks, cat_weeks = products_section(wh, params, calendar)
    else:
        review.missing["products"] = "product_daily + products"
        sku_weeks = cat_weeks = None
    if queries.has_rows(wh, "inventory_daily", sid) and queries.has_rows(wh, "product_daily", sid):
        review.inventory = inventory_section(wh, params, calendar)
    else:
        review.missing["inventory"] = "inventory_daily"
    if queries.has_rows(wh, "ads_daily", sid):
        review.ads = ads_section(wh, params, shop, calendar)
    else:
        review.missing["ads"] = "ads_daily"
    if queries.has_rows(wh, "service_daily", sid):
        review.service = service_section(wh, sid, calendar, parts)
    else:
        review.missing["service"] = "service_daily"
    if use_orders:
        review.customers = customers_section(wh, params, calendar, parts)
    else:
        review.missing["customers"] = "orders"
    review.events_last_week = promotions_during(wh, sid, calendar.last_week)
    review.anomalies = find_anomalies(review, sku_weeks, cat_weeks)
    return review


# --- calendar -----------------------------------------------------------------------------


def resolve_week(wh: Warehouse, shop_id: str, week: str) -> cal.Period:
    sd = wh.shop_rows("shop_daily", shop_id)
    span = sd.aggregate(first=sd.date.min(), last=sd.date.max(), days=sd.count()).execute().iloc[0]
    if span["days"] == 0:
        raise DataNotFoundError(
            f"Shop '{shop_id}' has no rows in shop_daily of {wh.location}: nothing to review."
        )
    first, last = pd.Timestamp(span["first"]).date(), pd.Timestamp(span["last"]).date()
    period = cal.last_complete_week(last) if week == "last" else cal.iso_week(week)
    have = sd.filter(sd.date.between(period.start, period.end)).count().execute()
    if have == 0:
        raise DataNotFoundError(
            f"Week {period.label} ({period.start}..{period.end}) has no data for shop '{shop_id}'; "
            f"shop_daily covers {first}..{last}."
        )
    return period


# --- KPIs -----------------------------------------------------------------------------------


def period_parts(wh, params, calendar: Calendar, daily: pd.DataFrame, use_orders: bool) -> dict[str, dict]:
    """Summed parts of the three compared weeks (this week, last week, same week last year)."""
    sid = params.shop_id
    out: dict[str, dict] = {}
    for label, period in calendar.compared.items():
        days = daily[(daily.date.dt.date >= period.start) & (daily.date.dt.date <= period.end)]
        out[label] = {
            "days": float(len(days)),
            "uv_sum": float(days.uv.sum()),
            "buyer_days": float(days.buyer_days.sum()),
            "gmv": float(days.gmv.sum()),
            "refund_amount": float(days.refund_amount.sum()),
            "units": float(days.units.sum()),
            "paid_orders": float(days.paid_orders.sum()),
            "cart_users": float(days.cart_users.sum()),
            "order_buyers": float(days.order_buyers.sum()),
        }
    if use_orders:
        buyers = queries.buyer_parts(wh, sid, calendar.compared)
        repurchase = queries.repurchase_parts(
            wh, sid, {k: p.end for k, p in calendar.compared.items()}, params.repurchase_window_days
        )
        for label in out:
            out[label].update(buyers.loc[label].to_dict())
            out[label].update(repurchase.loc[label].to_dict())
    if queries.has_rows(wh, "ads_daily", sid):
        ads = queries.sums_by_period(
            wh, "ads_daily", sid, calendar.compared, [], {"ad_spend": "spend", "ad_attributed_amount": "attributed_amount"}
        ).set_index("period")
        for label in out:
            row = ads.loc[label] if label in ads.index else {"ad_spend": 0.0, "ad_attributed_amount": 0.0}
            out[label].update({k: float(row[k]) for k in ("ad_spend", "ad_attributed_amount")})
    for label, p in out.items():
        if p["days"] == 0:  # no data that week (e.g. the shop is younger than a year)
            out[label] = {}
    return out


def weekly_targets(wh: Warehouse, shop_id: str, week: cal.Period) -> dict[str, float]:
    if not queries.has_rows(wh, "targets", shop_id):
        return {}
    t_ = wh.shop_rows("targets", shop_id)
    rows = t_.filter((t_.period_type == "week") & (t_.period == week.label)).execute()
    return dict(zip(rows.metric, rows.value))


def kpi_table(parts: dict[str, dict], targets: dict[str, float]) -> pd.DataFrame:
    values = {label: formulas.shop_kpis(p) for label, p in parts.items()}
    rows = []
    for key in formulas.SHOP_KPIS:
        m = metric(key)
        now, before, ly = (values[k][key] for k in ("this_week", "last_week", "last_year"))
        target = targets.get(key, np.nan)
        wow, yoy, vs_target = m.change(now, before), m.change(now, ly), m.change(now, target)
        rows.append(
            {
                "metric": key,
                "unit": m.unit,
                "this_week": now,
                "last_week": before,
                "last_year": ly,
                "target": target,
                "wow": wow,
                "yoy": yoy,
                "vs_target": vs_target,
                "wow_judge": m.judge(wow),
                "yoy_judge": m.judge(yoy),
                "target_judge": m.judge(vs_target),
                "immature": key in ("refund_rate", "net_gmv"),
            }
        )
    return pd.DataFrame(rows)


def gmv_bridge(parts: dict[str, dict], lang: str) -> pd.DataFrame:
    before, after = parts["last_week"], parts["this_week"]
    if not before or not before["gmv"]:  # nothing to compare with
        frame = pd.DataFrame(columns=["factor", "factor_label", "contribution", "share_of_change"])
        frame.attrs.update(start=np.nan, end=after["gmv"])
        return frame
    contributions = decompose(
        BridgeInput(before["days"], before["uv_sum"], before["buyer_days"], before["gmv"]),
        BridgeInput(after["days"], after["uv_sum"], after["buyer_days"], after["gmv"]),
    )
    frame = pd.DataFrame(
        [
            {"factor": k, "factor_label": t("factor", k, lang), "contribution": v}
            for k, v in contributions.items()
            if k != "days" or abs(v) > 1e-9
        ]
    )
    change = after["gmv"] - before["gmv"]
    frame["share_of_change"] = frame.contribution / change if change else np.nan
    frame.attrs.update(start=before["gmv"], end=after["gmv"])
    return frame


def trend_frame(daily: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    d = daily[(daily.date.dt.date >= calendar.trend.start) & (daily.date.dt.date <= calendar.trend.end)].copy()
    d["conversion_rate"] = d.buyer_days / d.uv.where(d.uv > 0)
    d["in_week"] = d.date.dt.date.between(calendar.week.start, calendar.week.end)
    return d[["date", "gmv", "uv", "conversion_rate", "buyer_days", "in_week"]].reset_index(drop=True)


def funnel(daily: pd.DataFrame, calendar: Calendar, lang: str) -> pd.DataFrame:
    def sums(period):
        d = daily[(daily.date.dt.date >= period.start) & (daily.date.dt.date <= period.end)]
        return [d.uv.sum(), d.cart_users.sum(), d.order_buyers.sum(), d.buyer_days.sum()]

    now, before = sums(calendar.week), sums(calendar.last_week)
    steps = ["visit", "cart", "order", "pay"]
    rows = []
    for i, step in enumerate(steps):
        rows.append(
            {
                "step": step,
                "step_label": t("funnel", step, lang),
                "users": float(now[i]),
                "users_prev": float(before[i]),
                "step_rate": ratio(now[i], now[i - 1]) if i else np.nan,
                "step_rate_prev": ratio(before[i], before[i - 1]) if i else np.nan,
                "overall_rate": ratio(now[i], now[0]),
            }
        )
    frame = pd.DataFrame(rows)
    frame["step_rate_change"] = frame.step_rate - frame.step_rate_prev
    return frame


def pacing(wh: Warehouse, shop_id: str, calendar: Calendar, daily: pd.DataFrame) -> dict:
    mtd = calendar.month_to_date
    d = daily[(daily.date.dt.date >= mtd.start) & (daily.date.dt.date <= mtd.end)]
    gmv = float(d.gmv.sum())
    target = np.nan
    if queries.has_rows(wh, "targets", shop_id):
        t_ = wh.shop_rows("targets", shop_id)
        rows = t_.filter((t_.period_type == "month") & (t_.period == calendar.month.label) & (t_.metric == "gmv")).execute()
        if len(rows):
            target = float(rows.value.iloc[0])
    elapsed = mtd.days
    remaining = calendar.month.days - elapsed
    run_rate = gmv / elapsed
    projected = gmv + run_rate * remaining
    return {
        "month": calendar.month.label,
        "as_of": mtd.end,
        "gmv_mtd": gmv,
        "target": target,
        "completion": ratio(gmv, target),
        "time_elapsed": elapsed / calendar.month.days,
        "days_elapsed": elapsed,
        "days_remaining": remaining,
        "run_rate": run_rate,
        "required_run_rate": ratio(target - gmv, remaining) if remaining else np.nan,
        "projected": projected,
        "projected_completion": ratio(projected, target),
    }


# --- sections that depend on optional tables ------------------------------------------------------


def traffic_sources(wh: Warehouse, shop_id: str, calendar: Calendar, lang: str) -> pd.DataFrame:
    periods = {"this_week": calendar.week, "last_week": calendar.last_week}
    long = queries.sums_by_period(
        wh, "traffic_daily", shop_id, periods, ["source"],
        {"uv": "uv", "paid_buyers": "paid_buyers", "paid_amount": "paid_amount"},
    )
    wide = long.pivot_table(index="source", columns="period", values=["uv", "paid_buyers", "paid_amount"], aggfunc="sum").fillna(0)
    frame = pd.DataFrame(index=wide.index)
    for suffix, label in (("", "this_week"), ("_prev", "last_week")):
        uv = wide["uv"][label] if label in wide["uv"] else 0.0
        buyers = wide["paid_buyers"][label] if label in wide["paid_buyers"] else 0.0
        gmv = wide["paid_amount"][label] if label in wide["paid_amount"] else 0.0
        frame["uv" + suffix] = uv
        frame["uv_share" + suffix] = uv / uv.sum() if np.sum(uv) else np.nan
        frame["conversion_rate" + suffix] = buyers / uv.where(uv > 0) if np.sum(uv) else np.nan
        frame["gmv" + suffix] = gmv
    frame["share_change"] = frame.uv_share - frame.uv_share_prev
    frame = frame.reset_index().sort_values("uv", ascending=False)
    frame.insert(1, "source_label", [t("source", s, lang) for s in frame.source])
    return frame.reset_index(drop=True)


def products_section(wh: Warehouse, params: WeeklyReviewParams, calendar: Calendar):
    sid = params.shop_id
    weeks = calendar.weeks_back
    long = queries.sums_by_period(
        wh, "product_daily", sid, weeks, ["sku_id"],
        {"uv": "uv", "paid_buyers": "paid_buyers", "units": "units", "paid_amount": "paid_amount"},
    )
    catalog = wh.shop_rows("products", sid).select("sku_id", "product_name", "category", "launched_on", "status").execute()
    this = long[long.period == "this_week"].set_index("sku_id")
    prev = long[long.period == "last_week"].set_index("sku_id")
    base = long[long.period != "this_week"].copy()
    base["conversion"] = base.paid_buyers / base.uv.where(base.uv > 0)
    baseline = base.groupby("sku_id").agg(baseline_conversion=("conversion", "median"), baseline_uv=("uv", "median"))

    skus = catalog.set_index("sku_id")
    skus["gmv"] = this.paid_amount.reindex(skus.index).fillna(0)
    skus["units"] = this.units.reindex(skus.index).fillna(0)
    skus["uv"] = this.uv.reindex(skus.index).fillna(0)
    skus["paid_buyers"] = this.paid_buyers.reindex(skus.index).fillna(0)
    skus["gmv_prev"] = prev.paid_amount.reindex(skus.index).fillna(0)
    skus["conversion_rate"] = skus.paid_buyers / skus.uv.where(skus.uv > 0)
    skus["gmv_delta"] = skus.gmv - skus.gmv_prev
    skus["gmv_change"] = skus.gmv_delta / skus.gmv_prev.where(skus.gmv_prev > 0)
    skus = skus.reset_index()
    cols = ["sku_id", "product_name", "category", "gmv", "gmv_prev", "gmv_change", "units", "uv", "conversion_rate"]
    top = skus[skus.gmv > 0].sort_values("gmv", ascending=False).head(params.top_n)[cols]
    fallers = skus[skus.gmv_delta < 0].sort_values("gmv_delta").head(params.top_n)[cols + ["gmv_delta"]]

    on_shelf = skus[skus.status == "on_shelf"]
    active = {
        "on_shelf": int(len(on_shelf)),
        "active": int((on_shelf.units > 0).sum()),
        "active_sku_rate": ratio(int((on_shelf.units > 0).sum()), len(on_shelf)),
    }
    new = new_products(wh, params, calendar, catalog)

    sku_weeks = skus.merge(baseline, left_on="sku_id", right_index=True, how="left")
    sku_weeks = sku_weeks.rename(columns={"gmv": "paid_amount"})

    # refund rate by category, payment-dated, from orders and items
    cat_weeks = category_refunds(wh, sid, weeks, catalog)
    return {"top": top.reset_index(drop=True), "fallers": fallers.reset_index(drop=True), "new": new}, active, sku_weeks, cat_weeks


def new_products(wh: Warehouse, params: WeeklyReviewParams, calendar: Calendar, catalog: pd.DataFrame) -> pd.DataFrame:
    """Products launched in the last ``new_product_days``: fav+cart rate in their first 3 days."""
    end = calendar.week.end
    launched = pd.to_datetime(catalog.launched_on)
    recent = catalog[(launched.dt.date > end - dt.timedelta(days=params.new_product_days)) & (launched.dt.date <= end)]
    cols = ["sku_id", "product_name", "category", "launched_on", "uv", "fav_cart_rate", "verdict"]
    if recent.empty:
        return pd.DataFrame(columns=cols)
    pdaily = wh.shop_rows("product_daily", params.shop_id)
    pdaily = pdaily.filter(pdaily.sku_id.isin(list(recent.sku_id)))
    first = pdaily.filter(pdaily.date >= end - dt.timedelta(days=params.new_product_days + 3)).execute()
    first = first.merge(recent[["sku_id", "launched_on"]], on="sku_id")
    age = (pd.to_datetime(first.date) - pd.to_datetime(first.launched_on)).dt.days
    first = first[(age >= 0) & (age < 3)]
    agg = first.groupby("sku_id")[["uv", "fav_users", "cart_users"]].sum()
    out = recent.set_index("sku_id").join(agg, how="left").fillna({"uv": 0, "fav_users": 0, "cart_users": 0})
    out["fav_cart_rate"] = (out.fav_users + out.cart_users) / out.uv.where(out.uv > 0)
    complete = (end - pd.to_datetime(out.launched_on).dt.date).apply(lambda d: d.days) >= 2
    out["verdict"] = np.where(
        ~complete, "in_progress", np.where(out.fav_cart_rate >= params.new_product_hit_rate, "potential_hit", "below_bar")
    )
    out = out.reset_index().sort_values("fav_cart_rate", ascending=False)
    return out[cols].reset_index(drop=True)


def category_refunds(wh: Warehouse, shop_id: str, weeks: dict[str, cal.Period], catalog: pd.DataFrame) -> pd.DataFrame | None:
    """Payment-dated refund rate per category for this week and the baseline weeks."""
    if not (queries.has_rows(wh, "orders", shop_id) and queries.has_rows(wh, "order_items", shop_id)):
        return None
    o = queries.paid_orders(wh, shop_id)
    lo = min(p.start for p in weeks.values())
    o = o.filter(o.paid_at >= queries.day_start(lo))
    o = o.mutate(period=queries.label_by_period(o.paid_at, weeks, is_timestamp=True))
    o = o.filter(o.period.notnull())
    items = wh.shop_rows("order_items", shop_id)
    products = wh.shop_rows("products", shop_id).select("sku_id", "category")
    j = items.join(o.select("order_id", "period", order_amount="paid_amount", order_refund="refund_amount"), "order_id")
    j = j.join(products, "sku_id")
    # an order's refund is spread over its items by their share of the amount paid
    share = j.paid_amount / j.order_amount.nullif(0)
    j = j.mutate(item_refund=(j.order_refund * share).fill_null(0))
    agg = j.group_by(["period", "category"]).aggregate(gmv=j.paid_amount.sum(), refund_amount=j.item_refund.sum()).execute()
    agg["rate"] = agg.refund_amount / agg.gmv.where(agg.gmv > 0)
    base = agg[agg.period != "this_week"].groupby("category").rate.median().rename("baseline_refund_rate")
    now = agg[agg.period == "this_week"].set_index("category")[["gmv", "refund_amount"]]
    return now.join(base, how="left").reset_index()


def inventory_section(wh: Warehouse, params: WeeklyReviewParams, calendar: Calendar) -> dict:
    sid, end = params.shop_id, calendar.week.end
    start30 = end - dt.timedelta(days=29)
    pdaily = wh.shop_rows("product_daily", sid)
    sales = (
        pdaily.filter(pdaily.date.between(start30, end))
        .group_by("sku_id")
        .aggregate(units_30d=pdaily.units.sum(), gmv_30d=pdaily.paid_amount.sum())
    )
    inv = wh.shop_rows("inventory_daily", sid)
    stock_end = inv.filter(inv.date == end).select("sku_id", "on_hand", "in_transit")
    last_positive = (
        inv.filter(inv.date.between(start30, end) & (inv.on_hand > 0)).group_by("sku_id").aggregate(last_in_stock=inv.date.max())
    )
    frame = (
        stock_end.left_join(sales, "sku_id").drop("sku_id_right")
        .left_join(last_positive, "sku_id").drop("sku_id_right")
        .execute()
    )
    catalog = wh.shop_rows("products", sid).select("sku_id", "product_name", "category").execute()
    frame = frame.merge(catalog, on="sku_id", how="left")
    frame[["units_30d", "gmv_30d"]] = frame[["units_30d", "gmv_30d"]].fillna(0)
    frame["avg_daily_units"] = frame.units_30d / 30
    frame["days_of_cover"] = frame.on_hand / frame.avg_daily_units.where(frame.avg_daily_units > 0)
    frame["stockout_since"] = pd.to_datetime(frame.last_in_stock) + pd.Timedelta(days=1)
    sold = frame.units_30d > 0
    stockouts = frame[sold & (frame.on_hand == 0)].sort_values("gmv_30d", ascending=False)
    low = frame[sold & (frame.on_hand > 0) & (frame.days_of_cover < params.cover_low_days)].sort_values("days_of_cover")
    high = frame[sold & (frame.days_of_cover > params.cover_high_days)].sort_values("days_of_cover", ascending=False)
    promo, risk = promo_risk(wh, sid, end, frame, params.promo_uplift)
    return {
        "stockouts": stockouts.reset_index(drop=True),
        "low_cover": low.reset_index(drop=True),
        "overstock": high.reset_index(drop=True),
        "next_promotion": promo,
        "promo_risk": risk,
        "skus_with_stock": int((frame.on_hand > 0).sum()),
    }


def promo_risk(wh: Warehouse, shop_id: str, end: dt.date, stock: pd.DataFrame, uplift: float):
    """SKUs whose stock and inbound will not last until the end of the next promotion."""
    if not queries.has_rows(wh, "promotions", shop_id):
        return None, None
    p = wh.shop_rows("promotions", shop_id)
    nxt = p.filter(p.start_at > queries.day_start(end + dt.timedelta(days=1))).order_by("start_at").limit(1).execute()
    if nxt.empty:
        return None, None
    promo = nxt.iloc[0].to_dict()
    start, stop = pd.Timestamp(promo["start_at"]).date(), pd.Timestamp(promo["end_at"]).date()
    lead_days = (start - end).days - 1
    promo_days = (stop - start).days + 1
    s = stock[stock.avg_daily_units > 0].copy()
    s["expected_demand"] = s.avg_daily_units * (lead_days + uplift * promo_days)
    s["shortfall"] = s.expected_demand - s.on_hand - s.in_transit
    risk = s[s.shortfall > 0].sort_values("shortfall", ascending=False)
    promo.update(lead_days=lead_days, promo_days=promo_days)
    return promo, risk.reset_index(drop=True)


def promotions_during(wh: Warehouse, shop_id: str, period: cal.Period) -> list[str]:
    if not queries.has_rows(wh, "promotions", shop_id):
        return []
    p = wh.shop_rows("promotions", shop_id)
    start, end = queries.day_start(period.start), queries.day_start(period.end + dt.timedelta(days=1))
    hits = p.filter((p.start_at < end) & (p.end_at >= start)).order_by("start_at").execute()
    return list(hits.name)


def roi_target(params: WeeklyReviewParams, shop: dict) -> float:
    if params.roi_target is not None:
        return params.roi_target
    rules_ = yaml.safe_load(resources.files("opsreport").joinpath("rules.yaml").read_text("utf-8"))
    targets = rules_["roi_target_by_category"]
    return float(targets.get(shop.get("category"), targets["default"]))


def ads_section(wh: Warehouse, params: WeeklyReviewParams, shop: dict, calendar: Calendar) -> dict:
    periods = {"this_week": calendar.week, "last_week": calendar.last_week}
    measures = {c: c for c in ("impressions", "clicks", "spend", "attributed_orders", "attributed_amount")}
    long = queries.sums_by_period(wh, "ads_daily", params.shop_id, periods, ["channel", "campaign"], measures)
    long = formulas.add_rates(long, formulas.AD_RATES)
    target = roi_target(params, shop)
    now = long[long.period == "this_week"].drop(columns="period")
    prev = long[long.period == "last_week"].set_index(["channel", "campaign"])
    campaigns = now.set_index(["channel", "campaign"])
    campaigns["roi_prev"] = prev.roi.reindex(campaigns.index)
    campaigns["spend_prev"] = prev.spend.reindex(campaigns.index)
    campaigns = campaigns.reset_index()
    campaigns["roi_target"] = target
    campaigns["below_target"] = (campaigns.roi < target) & (campaigns.spend >= params.min_campaign_spend)
    by_channel = long.groupby(["period", "channel"], as_index=False)[list(measures)].sum()
    by_channel = formulas.add_rates(by_channel, formulas.AD_RATES)
    channels = by_channel[by_channel.period == "this_week"].drop(columns="period").set_index("channel")
    channels["roi_prev"] = by_channel[by_channel.period == "last_week"].set_index("channel").roi.reindex(channels.index)
    return {
        "campaigns": campaigns.sort_values("spend", ascending=False).reset_index(drop=True),
        "channels": channels.reset_index().sort_values("spend", ascending=False).reset_index(drop=True),
        "roi_target": target,
    }


def service_section(wh: Warehouse, shop_id: str, calendar: Calendar, parts: dict) -> pd.DataFrame:
    periods = {"this_week": calendar.week, "last_week": calendar.last_week}
    measures = {c: c for c in formulas.SERVICE_PARTS if c != "response_s_weighted"}
    measures["response_s_weighted"] = _.first_response_s * _.consultations
    long = queries.sums_by_period(wh, "service_daily", shop_id, periods, [], measures).set_index("period")
    rows = []
    values = {
        label: formulas.service_kpis(long.loc[label], parts[label].get("paid_orders", np.nan)) if label in long.index else {}
        for label in periods
    }
    for key in ("first_response_s", "reply_30s_rate", "inquiry_conversion", "good_review_rate", "complaint_rate"):
        m = metric(key)
        now, before = values["this_week"].get(key, np.nan), values["last_week"].get(key, np.nan)
        change = m.change(now, before)
        rows.append({"metric": key, "unit": m.unit, "this_week": now, "last_week": before, "wow": change, "wow_judge": m.judge(change)})
    return pd.DataFrame(rows)


def customers_section(wh: Warehouse, params: WeeklyReviewParams, calendar: Calendar, parts: dict) -> dict:
    sid = params.shop_id
    mix = []
    for label in ("this_week", "last_week"):
        b = parts[label]  # buyer counts of period_parts (orders-based); empty for a week without data
        new, buyers = b.get("new_buyers", 0.0), b.get("paid_buyers", 0.0)
        mix.append({"period": label, "new": new, "returning": buyers - new, "new_gmv": b.get("new_buyer_gmv", 0.0)})
    snapshots = {
        "this_week": calendar.week.end,
        "last_week": calendar.last_week.end,
        "4_weeks_ago": calendar.week.end - dt.timedelta(days=28),
    }
    counts = queries.rfm_counts(wh, sid, snapshots, params.rfm_lookback_days, params.dormant_days)
    seg = counts.pivot_table(index="segment", columns="period", values="customers", aggfunc="sum")
    seg = seg.reindex(columns=list(snapshots)).fillna(0)  # a snapshot with no buyers has no rows
    segments = pd.DataFrame({
        "segment": seg.index,
        "segment_label": [t("segment", s, params.lang) for s in seg.index],
        "customers": seg["this_week"].values,
        "customers_prev": seg["last_week"].values,
    })
    segments["change"] = segments.customers - segments.customers_prev
    order = list(glossary()["segment"])
    segments = segments.set_index("segment").reindex([s for s in order if s in seg.index]).reset_index()
    totals = counts.groupby("period")[["customers", "dormant"]].sum()
    dormant = {label: ratio(totals.loc[label, "dormant"], totals.loc[label, "customers"]) if label in totals.index else np.nan
               for label in snapshots}
    movement = queries.rfm_movement(
        wh, sid, calendar.last_week.end, calendar.week.end, params.rfm_lookback_days, params.dormant_days
    )
    moved = movement[movement.seg_from != movement.seg_to].sort_values("customers", ascending=False).head(8)
    moved = moved.assign(
        from_label=[t("segment", s, params.lang) for s in moved.seg_from],
        to_label=[t("segment", s, params.lang) for s in moved.seg_to],
    ).reset_index(drop=True)
    return {
        "mix": pd.DataFrame(mix),
        "segments": segments,
        "movement": moved,
        "dormant_share": dormant,
        "base": {label: float(totals.loc[label, "customers"]) if label in totals.index else np.nan for label in snapshots},
    }


# --- anomalies --------------------------------------------------------------------------------


def find_anomalies(review: WeeklyReview, sku_weeks, cat_weeks) -> list[rules.Anomaly]:
    p = review.params
    found: list[rules.Anomaly] = []
    if sku_weeks is not None:
        if review.inventory is not None:  # a SKU out of stock cannot convert: that finding is the stockout
            sku_weeks = sku_weeks[~sku_weeks.sku_id.isin(review.inventory["stockouts"].sku_id)]
        found += rules.sku_conversion_drops(
            sku_weeks, drop=p.sku_conversion_drop, min_uv=p.sku_min_uv, min_z=p.sku_drop_min_z
        )
    if review.inventory is not None:
        found += rules.stockouts(review.inventory["stockouts"])
    if cat_weeks is not None:
        found += rules.refund_spikes(cat_weeks, ratio_threshold=p.refund_spike_ratio, min_rate=p.refund_spike_min_rate)
    if review.ads is not None:
        found += rules.campaigns_below_target(review.ads["campaigns"], target=review.ads["roi_target"], min_spend=p.min_campaign_spend)
    if review.customers is not None:
        share = review.customers["dormant_share"]
        found += rules.dormant_rise(share["this_week"], share["4_weeks_ago"], threshold_pp=p.dormant_rise_pp)
    context = "、".join(review.events_last_week) if review.events_last_week else None
    found += rules.kpi_changes(review.kpis, threshold=p.kpi_change_alert, context=context)
    found += rules.pacing_behind(review.pacing)
    return rules.ordered(found)
