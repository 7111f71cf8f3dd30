"""The appraisal's inputs, computed from the warehouse: what each rubric rule reads, and why.

A person's results are the sum of their *slices*: each staff_assignments row that overlaps the
period, clipped to it (first..last day), with its ``share``. A slice is a whole shop or one
sub-category of a shop (the SKUs whose ``products.category`` is that category). Every additive
number of a slice-day is credited as ``share × value``: a shop run by two people at 0.5 gives each
half of its GMV; a handover on the 16th is two slices (days 1-15 and 16-31). Ratios are recomputed
from the credited parts (Σ share × numerator / Σ share × denominator), never averaged.

Performance inputs (one row each, ``value`` against ``reference``):

* ``sales_completion`` = credited GMV / target. GMV = paid_amount of orders by the day of paid_at
  (sub-category: order_items.paid_amount of its SKUs). Target = the person's staff_targets
  ``sales_amount`` for the period (for a quarter without one: the sum of its three months' rows),
  else Σ over slices and months of share × the shop's monthly gmv target × slice days in the month
  / days in the month. ``reference`` is 1 (full completion); the amounts are in the evidence.
* ``conversion_vs_industry`` = Σ share × paid_buyers / Σ share × uv (shop_daily; sub-category:
  product_daily of its SKUs, whose buyers are summed over SKUs, so a buyer of two SKUs counts twice).
  Reference = the industry conversion_rate of each (category, month), the sub-category's when it
  has a row, weighted by the credited UV of that month. Flag ``not_conclusive`` when the 95% Wilson
  interval of k = credited buyers out of n = credited UV (both rounded half up) contains it.
* ``roi_vs_target`` = Σ share × attributed_amount / Σ share × spend (ads_daily, whole-shop slices
  only: ads are not split by sub-category). Reference = staff_targets ``roi``, else each shop
  category's ROI rule weighted by credited spend. Flag ``not_conclusive`` below ``min_spend``.
* ``new_customer_share_vs_target`` = credited new-buyer GMV / credited GMV. Per shop and day a buyer
  is new when their first payment of the day follows no paid order in the shop in the 365 days
  before (as `metrics.queries.buyer_parts`, but per day so it can be credited by days: a new buyer's
  orders on a later day of the period count as returning). Reference = staff_targets, else the
  shop's targets row for the period, else the rule's default (30% a month, 35% a quarter).
* ``repurchase_vs_industry`` = buyers with >= 2 paid orders in the period / buyers with >= 1, of
  each slice's shop (sub-category: orders holding its SKUs) over the WHOLE period, weighted by
  share × slice days / period days (buyers are not additive across days, and a repurchase rate of
  half a month is not comparable with the industry's monthly one). Categories without any
  repurchase_rate row are left out; none left: ``no_repurchase_category``.

Director's inputs come from appraisal_events (dated in the period), appraisal_budgets and
appraisal_ratings; context inputs (``market_growth``, ``stockout_days``) are not scored.

Unknown is never zero: a measure whose data is missing has ``known`` False, a ``reason`` code and,
where it could be computed, its ``value`` (so a scorecard can still show it). Evidence holds only
plain JSON types (str, int, float, bool, list, dict) so a closed period's inputs can be frozen.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ibis
import pandas as pd

from ..errors import DataNotFoundError, ParamsError
from ..metrics.queries import DAY_S, day_start
from ..periods import Period, month_of
from ..warehouse.connection import Warehouse
from .ads import category_roi_target

PERFORMANCE_INPUTS = (
    "sales_completion",
    "conversion_vs_industry",
    "roi_vs_target",
    "new_customer_share_vs_target",
    "repurchase_vs_industry",
)
DIRECTOR_INPUTS = (
    "late_responses",
    "incident_delay_hours",
    "compliance_violations",
    "platform_penalties",
    "budget_overrun",
    "budget_saved",
    "collaboration_score",
    "sop_documents",
    "innovations",
    "cost_savings",
)
CONTEXT_INPUTS = ("market_growth", "stockout_days")
INPUTS = PERFORMANCE_INPUTS + DIRECTOR_INPUTS + CONTEXT_INPUTS
COLUMNS = ["staff_id", "input", "value", "reference", "unit", "known", "reason", "flag", "evidence"]

NOT_CONCLUSIVE = "not_conclusive"
PARTIAL_BUDGET = "partial_budget"  # a quarter's budget from some of its months only
NEW_BUYER_DAYS = 365  # DOMAIN.md: no paid order in the same shop in the 365 days before
# DOMAIN.md (seed 001): new-customer sales share targets when nobody set one
NEW_CUSTOMER_SHARE_DEFAULT = {"month": 0.30, "quarter": 0.35}
CONFIDENCE = 0.95
DEFAULT_MIN_SPEND = 5000.0
INCIDENT_GRACE_HOURS = 1.0  # seed 001: a response must start within 1 hour
TOP_SKUS = 10

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_EVENT_COUNTS = {  # input -> appraisal_events kind counted
    "late_responses": "late_response",
    "compliance_violations": "compliance_violation",
    "sop_documents": "sop_document",
    "innovations": "innovation",
    "cost_savings": "cost_saving",
}


# ---------------------------------------------------------------- periods


def appraisal_period(label: str) -> Period:
    """'2026-10' -> Oct 1..31; '2026-Q3' -> Jul 1..Sep 30. Anything else is a ParamsError."""
    text = label.strip() if isinstance(label, str) else label
    if isinstance(text, str) and (m := _MONTH.match(text)):
        return month_of(dt.date(int(m.group(1)), int(m.group(2)), 1))
    if isinstance(text, str) and (m := _QUARTER.match(text)):
        year, quarter = int(m.group(1)), int(m.group(2))
        first = dt.date(year, 3 * quarter - 2, 1)
        last = month_of(dt.date(year, 3 * quarter, 1)).end
        return Period(f"{year}-Q{quarter}", first, last)
    raise ParamsError(
        f"appraisal period {label!r} is neither a month such as 2026-10 nor a quarter such as 2026-Q3."
    )


def period_kind(period: Period) -> str:
    """'quarter' for a 2026-Q3 label, else 'month'."""
    return "quarter" if _QUARTER.match(period.label) else "month"


def months_of(period: Period) -> list[Period]:
    months, day = [], period.start
    while day <= period.end:
        month = month_of(day)
        months.append(month)
        day = month.end + dt.timedelta(days=1)
    return months


def _previous_quarter_of(period: Period) -> str:
    """The label of the quarter before the one ``period`` starts in (2026-10 -> 2026-Q3)."""
    before = dt.date(period.start.year, 3 * ((period.start.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)
    return f"{before.year}-Q{(before.month - 1) // 3 + 1}"


def _quarter_of(month: Period) -> str:
    return f"{month.start.year}-Q{(month.start.month - 1) // 3 + 1}"


# ---------------------------------------------------------------- slices and results


@dataclass(frozen=True)
class Slice:
    """One assignment clipped to the period: ``category`` None means the whole shop."""

    staff_id: str
    shop_id: str
    category: str | None
    share: float
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def scope(self) -> str:
        """'' for the whole shop, else the sub-category (the key of the shop frames)."""
        return self.category or ""

    def days_in(self, window: Period) -> int:
        first, last = max(self.first, window.start), min(self.last, window.end)
        return max(0, (last - first).days + 1)

    def evidence(self) -> dict:
        return {"shop_id": self.shop_id, "category": self.category, "share": self.share,
                "first": self.first.isoformat(), "last": self.last.isoformat(), "days": self.days}


@dataclass(frozen=True)
class Measure:
    """One input of one person: ``value`` is what the rule reads, ``reference`` what it is compared
    with (NaN for counts and the director's inputs, whose thresholds are the rubric's)."""

    staff_id: str
    input: str
    value: float
    reference: float
    unit: str  # share, ratio, count, hours, score, days
    known: bool
    reason: str = ""  # a code when not known
    flag: str = ""  # not_conclusive or ''
    evidence: dict = field(default_factory=dict)


def _unknown(staff_id: str, name: str, unit: str, reason: str, evidence: dict | None = None,
             value: float = math.nan, reference: float = math.nan) -> Measure:
    return Measure(staff_id, name, value, reference, unit, False, reason, "", evidence or {})


def slices_of(assignments: pd.DataFrame, period: Period) -> list[Slice]:
    """The assignments overlapping ``period`` clipped to it (columns of staff_assignments)."""
    out = []
    for row in assignments.itertuples(index=False):
        start = pd.Timestamp(row.start_date).date()
        end = period.end if pd.isna(row.end_date) else pd.Timestamp(row.end_date).date()
        first, last = max(start, period.start), min(end, period.end)
        if first > last:
            continue
        category = None if pd.isna(row.category) or row.category == "" else str(row.category)
        out.append(Slice(str(row.staff_id), str(row.shop_id), category, float(row.share), first, last))
    return sorted(out, key=lambda s: (s.staff_id, s.shop_id, s.scope, s.first))


# ---------------------------------------------------------------- data (one load for the team)


@dataclass(frozen=True)
class ShopData:
    """Per shop (and sub-category: ``scope``) and day over the period; small pandas frames.

    sales: shop_id, scope, date, gmv, new_gmv (orders: a day without orders is a real 0)
    traffic: shop_id, scope, date, uv, paid_buyers (a day without a row is unknown)
    ads: shop_id, date, spend, attributed_amount
    buyers: shop_id, scope, buyers, repeat_buyers (whole period)
    top_skus: shop_id, scope, sku_id, gmv (the TOP_SKUS best sellers of the period)
    stockouts: shop_id, scope, date, sku_id (a top SKU with nothing on hand at the end of the day)
    """

    categories: dict[str, str]  # shop_id -> shop category
    sales: pd.DataFrame
    traffic: pd.DataFrame
    ads: pd.DataFrame
    buyers: pd.DataFrame
    top_skus: pd.DataFrame
    stockouts: pd.DataFrame
    targets: pd.DataFrame  # the shops' targets rows: shop_id, period_type, period, metric, value
    with_orders: frozenset[str] = frozenset()
    with_inventory: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TeamData:
    """The director's tables for the team (None: the table is not in the warehouse)."""

    staff_targets: pd.DataFrame | None
    benchmarks: pd.DataFrame | None
    events: pd.DataFrame | None
    ratings: pd.DataFrame | None
    budgets: pd.DataFrame | None


def _frame(wh: Warehouse, name: str) -> ibis.Table | None:
    return wh.table(name) if wh.has(name) else None


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c not in ("shop_id", "scope", "sku_id", "date") else "object")
                         for c in columns})


def load_shop_data(wh: Warehouse, slices: Sequence[Slice], period: Period) -> ShopData:
    """Aggregate the shops of ``slices`` once for the whole team, in the warehouse engine: daily
    frames per shop (and sub-category) that every person's slices are then credited from in pandas.
    The period's paid orders (with the window that marks new buyers) are computed once and kept as
    a temporary table of the engine for the queries that read them."""
    shops = sorted({s.shop_id for s in slices})
    subcats = sorted({s.category for s in slices if s.category})
    shop_rows = wh.table("shops").execute()
    categories = {r.shop_id: r.category for r in shop_rows.itertuples() if r.shop_id in shops}
    missing = [s for s in shops if s not in categories]
    if missing:
        raise DataNotFoundError(
            f"staff_assignments (column shop_id) names shop(s) {', '.join(missing)} that the shops table "
            f"of {wh.location} does not hold; fix the assignment or import the shop."
        )
    with_orders, with_inventory = _shops_in(wh, "orders", shops), _shops_in(wh, "inventory_daily", shops)
    cached: list = []  # temporary tables of the engine, dropped when done
    try:
        sales, buyers, top = _order_frames(wh, shops, subcats, period, cached)
    finally:
        for table in cached:
            table.release()

    traffic = [_empty(["shop_id", "scope", "date", "uv", "paid_buyers"])]
    sd = _frame(wh, "shop_daily")
    if sd is not None and shops:
        sd = sd.filter(sd.shop_id.isin(shops), sd.date.between(period.start, period.end))
        traffic.append(sd.select("shop_id", "date", "uv", "paid_buyers").execute().assign(scope=""))
    pdaily = _frame(wh, "product_daily")
    if pdaily is not None and subcats and wh.has("products"):
        p = wh.table("products")
        cat_skus = p.filter(p.shop_id.isin(shops), p.category.isin(subcats)).select("shop_id", "sku_id", scope=p.category)
        pd_ = pdaily.filter(pdaily.shop_id.isin(shops), pdaily.date.between(period.start, period.end)).join(cat_skus, ["shop_id", "sku_id"])
        traffic.append(pd_.group_by(["shop_id", "scope", "date"]).aggregate(
            uv=pd_.uv.sum(), paid_buyers=pd_.paid_buyers.sum()).execute())

    ads = [_empty(["shop_id", "date", "spend", "attributed_amount"])]
    ad = _frame(wh, "ads_daily")
    if ad is not None and shops:
        ad = ad.filter(ad.shop_id.isin(shops), ad.date.between(period.start, period.end))
        ads.append(ad.group_by(["shop_id", "date"]).aggregate(
            spend=ad.spend.sum(), attributed_amount=ad.attributed_amount.sum()).execute())

    top_skus = _concat(top)
    stockouts = [_empty(["shop_id", "scope", "date", "sku_id"])]
    inv = _frame(wh, "inventory_daily")
    if inv is not None and not top_skus.empty:
        inv = inv.filter(inv.shop_id.isin(shops), inv.sku_id.isin(sorted(set(top_skus.sku_id))),
                         inv.date.between(period.start, period.end), inv.on_hand == 0)
        out = inv.select("shop_id", "date", "sku_id").execute()
        stockouts.append(out.merge(top_skus[["shop_id", "scope", "sku_id"]], on=["shop_id", "sku_id"]))

    targets = pd.DataFrame(columns=["shop_id", "period_type", "period", "metric", "value"])
    tg = _frame(wh, "targets")
    if tg is not None and shops:
        labels = [period.label, *(m.label for m in months_of(period))]
        targets = tg.filter(tg.shop_id.isin(shops), tg.period.isin(labels)).execute()

    return ShopData(
        categories=categories,
        sales=_dates(_concat(sales)),
        traffic=_dates(_concat(traffic)),
        ads=_dates(_concat(ads)),
        buyers=_concat(buyers),
        top_skus=top_skus,
        stockouts=_dates(_concat(stockouts)),
        targets=targets,
        with_orders=with_orders,
        with_inventory=with_inventory,
    )


def _shops_in(wh: Warehouse, name: str, shops: list[str]) -> frozenset[str]:
    """The shops of ``shops`` with at least one row in table ``name`` (at any date)."""
    t = _frame(wh, name)
    if t is None or not shops:
        return frozenset()
    return frozenset(t.filter(t.shop_id.isin(shops)).select("shop_id").distinct().execute().shop_id)


def _order_frames(wh: Warehouse, shops: list[str], subcats: list[str], period: Period,
                  cached: list) -> tuple[list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame]]:
    """Daily sales and new-buyer sales, period buyers and repeat buyers, and best sellers, per shop
    and per sub-category of ``subcats`` (lists of frames for ``_concat``)."""
    lo, hi = day_start(period.start), day_start(period.end + dt.timedelta(days=1))
    sales = [_empty(["shop_id", "scope", "date", "gmv", "new_gmv"])]
    buyers = [_empty(["shop_id", "scope", "buyers", "repeat_buyers"])]
    top = [_empty(["shop_id", "scope", "sku_id", "gmv"])]
    items = None
    o = _frame(wh, "orders")
    if o is None or not shops:
        return sales, buyers, top
    # the 365 days before the period decide who is new
    o = o.filter(o.shop_id.isin(shops), o.paid_at.notnull(),
                 o.paid_at >= day_start(period.start - dt.timedelta(days=NEW_BUYER_DAYS + 1)), o.paid_at < hi)
    w = ibis.window(group_by=[o.shop_id, o.customer_id], order_by=o.paid_at)
    o = o.mutate(prev_paid_at=o.paid_at.lag().over(w))
    gap_days = (o.paid_at.epoch_seconds() - o.prev_paid_at.epoch_seconds()) / DAY_S
    o = o.mutate(new_order=o.prev_paid_at.isnull() | (gap_days > NEW_BUYER_DAYS), date=o.paid_at.date())
    o = o.filter(o.paid_at >= lo)
    keys = ["shop_id", "date", "customer_id"]
    buyer_day = o.group_by(keys).aggregate(is_new=o.new_order.argmin(o.paid_at))  # first payment of the day
    # the period's paid orders, each with its buyer's new-that-day mark: read by every query below, so kept
    # as a temporary table of the engine instead of re-running the window each time
    o = o.join(buyer_day, keys).select("shop_id", "order_id", "customer_id", "date", "paid_amount", "is_new").cache()
    cached.append(o)
    new_weight = o.is_new.ifelse(1.0, 0.0)
    daily = o.group_by(["shop_id", "date"]).aggregate(gmv=o.paid_amount.sum(), new_gmv=(o.paid_amount * new_weight).sum())
    sales.append(daily.execute().assign(scope=""))
    per_buyer = o.group_by(["shop_id", "customer_id"]).aggregate(n=o.count())
    buyers.append(per_buyer.group_by("shop_id").aggregate(
        buyers=per_buyer.count(), repeat_buyers=(per_buyer.n >= 2).ifelse(1, 0).sum()).execute().assign(scope=""))
    if wh.has("order_items"):
        it = wh.table("order_items")
        items = it.filter(it.shop_id.isin(shops)).join(o.select("shop_id", "order_id", "customer_id", "date", "is_new"),
                                                        ["shop_id", "order_id"])
        by_sku = items.group_by(["shop_id", "sku_id"]).aggregate(gmv=items.paid_amount.sum()).execute()
        top.append(_top(by_sku.assign(scope="")))
    if items is not None and subcats and wh.has("products"):
        p = wh.table("products")
        products = p.filter(p.shop_id.isin(shops), p.category.isin(subcats)).select("shop_id", "sku_id", scope=p.category)
        ci = items.join(products, ["shop_id", "sku_id"]).cache()
        cached.append(ci)
        w_new = ci.is_new.ifelse(1.0, 0.0)
        sales.append(ci.group_by(["shop_id", "scope", "date"]).aggregate(
            gmv=ci.paid_amount.sum(), new_gmv=(ci.paid_amount * w_new).sum()).execute())
        cb = ci.group_by(["shop_id", "scope", "customer_id"]).aggregate(n=ci.order_id.nunique())
        buyers.append(cb.group_by(["shop_id", "scope"]).aggregate(
            buyers=cb.count(), repeat_buyers=(cb.n >= 2).ifelse(1, 0).sum()).execute())
        cs = ci.group_by(["shop_id", "scope", "sku_id"]).aggregate(gmv=ci.paid_amount.sum()).execute()
        top.append(_top(cs))

    return sales, buyers, top


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty] or frames[:1]
    return pd.concat(frames, ignore_index=True)


def _top(by_sku: pd.DataFrame) -> pd.DataFrame:
    """The TOP_SKUS best sellers by GMV of each shop/scope (ties broken by SKU id, for repeatability)."""
    ranked = by_sku[by_sku.gmv > 0].sort_values(["shop_id", "scope", "gmv", "sku_id"], ascending=[True, True, False, True])
    return ranked.groupby(["shop_id", "scope"], as_index=False).head(TOP_SKUS)[["shop_id", "scope", "sku_id", "gmv"]]


def load_team_data(wh: Warehouse, staff_ids: Sequence[str], period: Period) -> TeamData:
    labels = sorted({period.label, *(m.label for m in months_of(period)), *(_quarter_of(m) for m in months_of(period)),
                     _previous_quarter_of(period)})

    def rows(name: str, dated: bool = False) -> pd.DataFrame | None:
        t = _frame(wh, name)
        if t is None:
            return None
        t = t.filter(t.staff_id.isin(list(staff_ids)))
        t = t.filter(t.occurred_on.between(period.start, period.end)) if dated else t.filter(t.period.isin(labels))
        return t.execute()

    bench = _frame(wh, "industry_benchmarks")
    return TeamData(
        staff_targets=rows("staff_targets"),
        benchmarks=None if bench is None else bench.execute(),  # small: every category and month
        events=rows("appraisal_events", dated=True),
        ratings=rows("appraisal_ratings"),
        budgets=rows("appraisal_budgets"),
    )


# ---------------------------------------------------------------- crediting (pure, on frames)


def credited_days(slices: Sequence[Slice], frame: pd.DataFrame, columns: Sequence[str], *, scoped: bool = True) -> pd.DataFrame:
    """One row per slice and day with ``columns`` of ``frame`` (shop_id, [scope,] date) and their
    credited values ``share × value`` (``credited_<column>``). Days without a row in ``frame`` keep
    NaN: the caller decides whether that is a real zero (orders) or unknown (traffic)."""
    rows = [(i, s.shop_id, s.scope, s.share, pd.Timestamp(s.first + dt.timedelta(days=d)))
            for i, s in enumerate(slices) for d in range(s.days)]
    days = pd.DataFrame(rows, columns=["slice", "shop_id", "scope", "share", "date"])
    keys = ["shop_id", "scope", "date"] if scoped else ["shop_id", "date"]
    right = frame[[*keys, *columns]]
    out = days.merge(right, on=keys, how="left")
    for c in columns:
        out[f"credited_{c}"] = out["share"] * out[c]
    out["month"] = out["date"].dt.strftime("%Y-%m")
    return out


def _r(x: float, digits: int = 6) -> float:
    return float(round(float(x), digits))


def _sum(series: pd.Series) -> float:
    return float(series.sum(min_count=1)) if len(series) else math.nan


def _staff_target(targets: pd.DataFrame | None, staff_id: str, period: Period, metric: str) -> tuple[float | None, str]:
    """The person's own target for the period; for a quarter without a row, the sum (amounts) of
    its three months' rows when all three exist."""
    if targets is None or targets.empty:
        return None, ""
    mine = targets[(targets.staff_id == staff_id) & (targets.metric == metric)].set_index("period").value
    if period.label in mine.index:
        return float(mine[period.label]), "staff_targets"
    months = [m.label for m in months_of(period)]
    if metric == "sales_amount" and len(months) > 1 and all(m in mine.index for m in months):
        return float(mine[months].sum()), "staff_targets_months"
    return None, ""


def _benchmark(benchmarks: pd.DataFrame | None, category: str | None, label: str, metric: str) -> float | None:
    if benchmarks is None or category is None:
        return None
    hit = benchmarks[(benchmarks.category == category) & (benchmarks.period == label) & (benchmarks.metric == metric)]
    return None if hit.empty else float(hit.value.iloc[0])


def _bench_category(benchmarks: pd.DataFrame | None, s: Slice, shop_category: str, label: str, metric: str) -> str:
    """The sub-category when the benchmark table has its row, else the shop's category."""
    if s.category and _benchmark(benchmarks, s.category, label, metric) is not None:
        return s.category
    return shop_category


def _no_data(staff_id: str, name: str, unit: str, slices: Sequence[Slice], data: ShopData) -> Measure | None:
    if not slices:
        return _unknown(staff_id, name, unit, "no_assignment")
    lacking = sorted({s.shop_id for s in slices if s.shop_id not in data.with_orders})
    if lacking:
        return _unknown(staff_id, name, unit, "no_orders", {"shops_without_orders": lacking})
    return None


def sales_completion(staff_id: str, slices: Sequence[Slice], data: ShopData, staff_targets: pd.DataFrame | None,
                     period: Period) -> Measure:
    name, unit = "sales_completion", "share"
    if (m := _no_data(staff_id, name, unit, slices, data)) is not None:
        return m
    days = credited_days(slices, data.sales, ["gmv"]).fillna({"gmv": 0.0, "credited_gmv": 0.0})
    per_slice = days.groupby("slice")[["gmv", "credited_gmv"]].sum()
    shown = []
    for i, s in enumerate(slices):
        shown.append(s.evidence() | {"gmv": _r(per_slice.gmv.get(i, 0.0), 2), "credited": _r(per_slice.credited_gmv.get(i, 0.0), 2)})
    credited = float(per_slice.credited_gmv.sum())
    evidence = {"credited_sales": _r(credited, 2), "slices": shown}
    target, source = _staff_target(staff_targets, staff_id, period, "sales_amount")
    if target is None:
        target, source, parts = 0.0, "shop_targets", []
        gmv_targets = data.targets[(data.targets.period_type == "month") & (data.targets.metric == "gmv")]
        for s in slices:
            if s.category:
                return _unknown(staff_id, name, unit, "no_target", evidence | {"missing": [
                    {"shop_id": s.shop_id, "category": s.category, "why": "sub_category_without_staff_target"}]})
            for month in months_of(period):
                d = s.days_in(month)
                if d == 0:
                    continue
                hit = gmv_targets[(gmv_targets.shop_id == s.shop_id) & (gmv_targets.period == month.label)]
                if hit.empty:
                    return _unknown(staff_id, name, unit, "no_target",
                                    evidence | {"missing": [{"shop_id": s.shop_id, "month": month.label, "metric": "gmv"}]})
                shop_target = float(hit.value.iloc[0])
                part = s.share * shop_target * d / month.days
                target += part
                parts.append({"shop_id": s.shop_id, "month": month.label, "shop_target": shop_target, "share": s.share,
                              "days": d, "month_days": month.days, "credited_target": _r(part, 2)})
        evidence["target_parts"] = parts
    evidence |= {"target": _r(target, 2), "target_source": source}
    if target <= 0:
        return _unknown(staff_id, name, unit, "zero_target", evidence)
    return Measure(staff_id, name, credited / target, 1.0, unit, True, "", "", evidence)


def wilson_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    return float(lo), float(hi)


def _half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def conversion_flag(k: int, n: int, reference: float, confidence: float = CONFIDENCE) -> tuple[str, tuple[float, float]]:
    """``not_conclusive`` when the Wilson interval of k/n contains ``reference`` (bounds included)."""
    lo, hi = wilson_interval(k, n, confidence)
    return (NOT_CONCLUSIVE if lo <= reference <= hi else ""), (lo, hi)


def conversion_vs_industry(staff_id: str, slices: Sequence[Slice], data: ShopData, benchmarks: pd.DataFrame | None,
                           period: Period) -> Measure:
    name, unit = "conversion_vs_industry", "share"
    if not slices:
        return _unknown(staff_id, name, unit, "no_assignment")
    days = credited_days(slices, data.traffic, ["uv", "paid_buyers"])
    covered = days.dropna(subset=["uv", "paid_buyers"])
    n_raw, k_raw = float(covered.credited_uv.sum()), float(covered.credited_paid_buyers.sum())
    evidence: dict = {"credited_uv": _r(n_raw, 3), "credited_buyers": _r(k_raw, 3),
                      "days_without_traffic": int(len(days) - len(covered)),
                      "slices": [s.evidence() for s in slices]}
    if n_raw <= 0:
        return _unknown(staff_id, name, unit, "no_traffic", evidence)
    value = k_raw / n_raw
    # reference: each (slice, month)'s benchmark weighted by its credited UV
    parts, missing, weighted = [], [], 0.0
    by = covered.groupby(["slice", "month"]).credited_uv.sum()
    for (i, month), uv in by.items():
        if uv <= 0:
            continue
        s = slices[i]
        cat = _bench_category(benchmarks, s, data.categories[s.shop_id], month, "conversion_rate")
        bench = _benchmark(benchmarks, cat, month, "conversion_rate")
        if bench is None:
            missing.append({"category": cat, "month": month})
            continue
        weighted += uv * bench
        parts.append({"shop_id": s.shop_id, "category": cat, "month": month, "credited_uv": _r(uv, 3), "benchmark": bench})
    evidence["reference_parts"] = parts
    if missing:
        return _unknown(staff_id, name, unit, "no_benchmark", evidence | {"missing": missing}, value=value)
    reference = weighted / n_raw
    k, n = _half_up(k_raw), _half_up(n_raw)
    k = min(k, n)
    flag, (lo, hi) = conversion_flag(k, n, reference)
    evidence |= {"k": k, "n": n, "interval": [lo, hi], "confidence": CONFIDENCE}
    return Measure(staff_id, name, value, reference, unit, True, "", flag, evidence)


def roi_vs_target(staff_id: str, slices: Sequence[Slice], data: ShopData, staff_targets: pd.DataFrame | None,
                  period: Period, min_spend: float = DEFAULT_MIN_SPEND) -> Measure:
    name, unit = "roi_vs_target", "ratio"
    if not slices:
        return _unknown(staff_id, name, unit, "no_assignment")
    shops_ = [s for s in slices if not s.category]
    excluded = [s.evidence() for s in slices if s.category]
    if not shops_:
        return _unknown(staff_id, name, unit, "category_level", {"slices": excluded})
    days = credited_days(shops_, data.ads, ["spend", "attributed_amount"], scoped=False).fillna(0.0)
    per_slice = days.groupby("slice")[["credited_spend", "credited_attributed_amount"]].sum()
    spend = float(per_slice.credited_spend.sum())
    attributed = float(per_slice.credited_attributed_amount.sum())
    shown = [s.evidence() | {"credited_spend": _r(per_slice.credited_spend.get(i, 0.0), 2),
                             "credited_attributed_amount": _r(per_slice.credited_attributed_amount.get(i, 0.0), 2)}
             for i, s in enumerate(shops_)]
    evidence = {"credited_spend": _r(spend, 2), "credited_attributed_amount": _r(attributed, 2), "slices": shown,
                "min_spend": min_spend}
    if excluded:
        evidence["excluded_sub_category_slices"] = excluded  # ads are not split by sub-category
    if spend <= 0:
        return _unknown(staff_id, name, unit, "no_ads", evidence)
    target, source = _staff_target(staff_targets, staff_id, period, "roi")
    if target is None:
        source = "category_rule"
        target = sum(per_slice.credited_spend.get(i, 0.0) * category_roi_target(data.categories[s.shop_id])
                     for i, s in enumerate(shops_)) / spend
        evidence["category_targets"] = {data.categories[s.shop_id]: category_roi_target(data.categories[s.shop_id]) for s in shops_}
    evidence["target_source"] = source
    flag = NOT_CONCLUSIVE if spend < min_spend else ""
    return Measure(staff_id, name, attributed / spend, float(target), unit, True, "", flag, evidence)


def new_customer_share_vs_target(staff_id: str, slices: Sequence[Slice], data: ShopData, staff_targets: pd.DataFrame | None,
                                 period: Period) -> Measure:
    name, unit = "new_customer_share_vs_target", "share"
    if (m := _no_data(staff_id, name, unit, slices, data)) is not None:
        return m
    days = credited_days(slices, data.sales, ["gmv", "new_gmv"]).fillna(0.0)
    per_slice = days.groupby("slice")[["credited_gmv", "credited_new_gmv"]].sum()
    gmv, new = float(per_slice.credited_gmv.sum()), float(per_slice.credited_new_gmv.sum())
    shown = [s.evidence() | {"credited_gmv": _r(per_slice.credited_gmv.get(i, 0.0), 2),
                             "credited_new_gmv": _r(per_slice.credited_new_gmv.get(i, 0.0), 2)} for i, s in enumerate(slices)]
    evidence: dict = {"credited_gmv": _r(gmv, 2), "credited_new_gmv": _r(new, 2), "slices": shown}
    if gmv <= 0:
        return _unknown(staff_id, name, unit, "no_sales", evidence)
    target, source = _staff_target(staff_targets, staff_id, period, "new_customer_sales_share")
    if target is None:
        kind = period_kind(period)
        rows = data.targets[(data.targets.period_type == kind) & (data.targets.period == period.label)
                            & (data.targets.metric == "new_customer_sales_share")].set_index("shop_id").value
        weighted, sources = 0.0, {}
        for i, s in enumerate(slices):
            if s.shop_id in rows.index:
                shop_target, sources[s.shop_id] = float(rows[s.shop_id]), "shop_targets"
            else:
                shop_target, sources[s.shop_id] = NEW_CUSTOMER_SHARE_DEFAULT[kind], "default"
            weighted += per_slice.credited_gmv.get(i, 0.0) * shop_target
        target = weighted / gmv
        source = "default" if set(sources.values()) == {"default"} else (
            "shop_targets" if set(sources.values()) == {"shop_targets"} else "mixed")
        evidence["sources_by_shop"] = sources
    evidence["source"] = source
    return Measure(staff_id, name, new / gmv, float(target), unit, True, "", "", evidence)


def repurchase_vs_industry(staff_id: str, slices: Sequence[Slice], data: ShopData, benchmarks: pd.DataFrame | None,
                           period: Period) -> Measure:
    name, unit = "repurchase_vs_industry", "share"
    if (m := _no_data(staff_id, name, unit, slices, data)) is not None:
        return m
    if benchmarks is None:
        return _unknown(staff_id, name, unit, "no_benchmark", {"why": "no_industry_benchmarks_table"})
    counts = data.buyers.set_index(["shop_id", "scope"])
    months = months_of(period)
    have_any = set(benchmarks[benchmarks.metric == "repurchase_rate"].category)
    buyers = repeat = weighted_ref = 0.0
    shown, excluded, missing = [], [], []
    for s in slices:
        cat = s.category if s.category in have_any else data.categories[s.shop_id]
        if cat not in have_any:
            excluded.append(s.evidence() | {"category": cat})
            continue
        key = (s.shop_id, s.scope)
        b, r = (float(counts.at[key, "buyers"]), float(counts.at[key, "repeat_buyers"])) if key in counts.index else (0.0, 0.0)
        weight = s.share * s.days / period.days
        bench = _benchmark(benchmarks, cat, period.label, "repurchase_rate")
        shown_bench: object = bench
        if bench is None:  # a quarter without its own row: its months, weighted by the slice's days in each
            by_month = {mo.label: (s.days_in(mo), _benchmark(benchmarks, cat, mo.label, "repurchase_rate"))
                        for mo in months if s.days_in(mo)}
            if len(months) == 1 or any(v is None for _, v in by_month.values()):
                missing.append({"category": cat, "period": period.label})
                continue
            bench = sum(d * v for d, v in by_month.values()) / sum(d for d, _ in by_month.values())
            shown_bench = {m: v for m, (_, v) in by_month.items()}
        buyers += weight * b
        repeat += weight * r
        weighted_ref += weight * b * bench  # the industry rate weighted by credited buyers
        shown.append(s.evidence() | {"category": cat, "buyers": b, "repeat_buyers": r, "weight": _r(weight),
                                     "benchmark": shown_bench})
    evidence: dict = {"slices": shown, "credited_buyers": _r(buyers, 4), "credited_repeat_buyers": _r(repeat, 4)}
    if excluded:
        evidence["excluded_no_repurchase"] = excluded
    if not shown and not missing:
        return _unknown(staff_id, name, unit, "no_repurchase_category", evidence)
    value = repeat / buyers if buyers > 0 else math.nan
    if missing:
        return _unknown(staff_id, name, unit, "no_benchmark", evidence | {"missing": missing}, value=value)
    if buyers <= 0:
        return _unknown(staff_id, name, unit, "no_buyers", evidence)
    return Measure(staff_id, name, value, weighted_ref / buyers, unit, True, "", "", evidence)


# ---------------------------------------------------------------- the director's tables


def _event_list(rows: pd.DataFrame) -> list[dict]:
    return [{"event_id": str(r.event_id), "occurred_on": pd.Timestamp(r.occurred_on).date().isoformat(),
             "hours": None if pd.isna(r.hours) else float(r.hours)} for r in rows.sort_values(["occurred_on", "event_id"]).itertuples()]


def event_measures(staff_id: str, events: pd.DataFrame | None) -> list[Measure]:
    """Counts and delays from appraisal_events (already limited to the period)."""
    names = ["late_responses", "incident_delay_hours", "compliance_violations", "platform_penalties",
             "sop_documents", "innovations", "cost_savings"]
    if events is None:
        return [_unknown(staff_id, n, "hours" if n == "incident_delay_hours" else "count", "no_events_table") for n in names]
    mine = events[events.staff_id == staff_id]
    out = {}
    for name, kind in _EVENT_COUNTS.items():
        rows = mine[mine.kind == kind]
        out[name] = Measure(staff_id, name, float(len(rows)), math.nan, "count", True, "", "", {"events": _event_list(rows)})
    incidents = mine[mine.kind == "incident_delay"]
    listed = _event_list(incidents)
    if incidents.hours.isna().any():
        out["incident_delay_hours"] = _unknown(staff_id, "incident_delay_hours", "hours", "no_hours", {"events": listed})
    else:
        beyond = [max(0.0, float(h) - INCIDENT_GRACE_HOURS) for h in incidents.sort_values(["occurred_on", "event_id"]).hours]
        for e, b in zip(listed, beyond):
            e["hours_beyond_grace"] = b
        out["incident_delay_hours"] = Measure(staff_id, "incident_delay_hours", float(sum(beyond)), math.nan, "hours", True,
                                              "", "", {"events": listed, "grace_hours": INCIDENT_GRACE_HOURS})
    violations = mine[mine.kind == "compliance_violation"]
    penalty_list = [e | {"platform_penalty": None if pd.isna(p) else bool(p)}
                    for e, p in zip(_event_list(violations), violations.sort_values(["occurred_on", "event_id"]).platform_penalty)]
    if violations.platform_penalty.isna().any():
        out["platform_penalties"] = _unknown(staff_id, "platform_penalties", "count", "penalty_unknown", {"events": penalty_list})
    else:
        count = float(sum(1 for e in penalty_list if e["platform_penalty"]))
        out["platform_penalties"] = Measure(staff_id, "platform_penalties", count, math.nan, "count", True, "", "",
                                            {"events": [e for e in penalty_list if e["platform_penalty"]]})
    return [out[n] for n in names]


def budget_measures(staff_id: str, budgets: pd.DataFrame | None, period: Period) -> list[Measure]:
    """budget_overrun = spend / budget − 1 and budget_saved = 1 − spend / budget (0 when nothing
    was saved) of the period's row, or for a quarter without one, of the sum of its months' rows
    (those it has: a person who joined or left in the quarter had a budget in some months only;
    flag PARTIAL_BUDGET and the missing months in the evidence)."""
    names = ("budget_overrun", "budget_saved")
    if budgets is None:
        return [_unknown(staff_id, n, "share", "no_budget", {"why": "no_budgets_table"}) for n in names]
    mine = budgets[budgets.staff_id == staff_id].set_index("period")
    if period.label in mine.index:
        rows = mine.loc[[period.label]]
    else:
        months = [m.label for m in months_of(period)]
        have = [m for m in months if m in mine.index]
        if len(months) == 1 or not have:
            return [_unknown(staff_id, n, "share", "no_budget", {"missing": [m for m in months if m not in have]}) for n in names]
        rows = mine.loc[have]
    budget, spend = float(rows.budget.sum()), float(rows.spend.sum())
    evidence = {"budget": budget, "spend": spend, "rows": [{"period": str(p), "budget": float(r.budget), "spend": float(r.spend)}
                                                           for p, r in rows.iterrows()]}
    missing = [m.label for m in months_of(period) if m.label not in set(rows.index)] if period.label not in mine.index else []
    flag = ""
    if missing:  # e.g. a person who joined or left in the quarter: the months they had a budget
        evidence["missing"], flag = missing, PARTIAL_BUDGET
    if budget <= 0:
        return [_unknown(staff_id, n, "share", "zero_budget", evidence) for n in names]
    ratio = spend / budget
    return [Measure(staff_id, "budget_overrun", ratio - 1, math.nan, "share", True, "", flag, evidence),
            Measure(staff_id, "budget_saved", max(0.0, 1 - ratio), math.nan, "share", True, "", flag, evidence)]


def collaboration_score(staff_id: str, ratings: pd.DataFrame | None, period: Period) -> Measure:
    """Mean of the period's ratings; a month without its own takes its quarter's (or, while that
    quarter is not scored yet, the quarter before's), a quarter without its own takes those of its
    months (the evidence says which)."""
    name = "collaboration_score"
    if ratings is None:
        return _unknown(staff_id, name, "score", "no_ratings", {"why": "no_ratings_table"})
    mine = ratings[ratings.staff_id == staff_id]
    own = mine[mine.period == period.label]
    source, used = "period", [period.label]
    if own.empty:
        if period_kind(period) == "month":
            used, source = [_quarter_of(period)], "quarter"
        else:
            used, source = [m.label for m in months_of(period)], "months"
        own = mine[mine.period.isin(used)]
    if own.empty and period_kind(period) == "month":
        # partner teams score quarterly: a month of a quarter not yet scored takes the last scored quarter's
        used, source = [*used, _previous_quarter_of(period)], "previous_quarter"
        own = mine[mine.period == used[-1]]
    if own.empty:
        return _unknown(staff_id, name, "score", "no_ratings", {"looked_in": [period.label, *used]})
    evidence = {"source": source, "periods": sorted(set(own.period)),
                "ratings": [{"period": str(r.period), "rater_team": str(r.rater_team), "score": float(r.score)}
                            for r in own.sort_values(["period", "rater_team"]).itertuples()]}
    return Measure(staff_id, name, float(own.score.mean()), math.nan, "score", True, "", "", evidence)


# ---------------------------------------------------------------- context


def market_growth(staff_id: str, slices: Sequence[Slice], data: ShopData, benchmarks: pd.DataFrame | None,
                  period: Period) -> Measure:
    """The industry's market growth of the person's shop categories (GMV-weighted across
    categories; a quarter without its own row: the mean of its months). Context, not scored."""
    name, unit = "market_growth", "share"
    if not slices:
        return _unknown(staff_id, name, unit, "no_assignment")
    days = credited_days(slices, data.sales, ["gmv"]).fillna(0.0)
    weight = days.groupby("slice").credited_gmv.sum()
    values, parts = [], {}
    for i, s in enumerate(slices):
        cat = data.categories[s.shop_id]
        value = _benchmark(benchmarks, cat, period.label, "market_growth")
        if value is None:
            rows = [_benchmark(benchmarks, cat, m.label, "market_growth") for m in months_of(period)]
            if len(rows) == 1 or any(v is None for v in rows):
                return _unknown(staff_id, name, unit, "no_benchmark", {"category": cat, "period": period.label})
            value = sum(rows) / len(rows)
        parts[cat] = value
        values.append((float(weight.get(i, 0.0)), value))
    total = sum(w for w, _ in values)
    if total <= 0:  # no sales anywhere: every market counts the same
        values, total = [(1.0, v) for _, v in values], float(len(values))
    growth = sum(w * v for w, v in values) / total
    return Measure(staff_id, name, growth, math.nan, unit, True, "", "", {"by_category": parts})


def stockout_days(staff_id: str, slices: Sequence[Slice], data: ShopData) -> Measure:
    """Distinct days of the person's slices on which a top-10 SKU (by the period's GMV) of the
    slice's shop or sub-category had nothing on hand. Context: not the operator's control."""
    name, unit = "stockout_days", "days"
    if not slices:
        return _unknown(staff_id, name, unit, "no_assignment")
    lacking = sorted({s.shop_id for s in slices if s.shop_id not in data.with_inventory})
    if lacking:
        return _unknown(staff_id, name, unit, "no_inventory", {"shops_without_inventory": lacking})
    days_out: set[dt.date] = set()
    shown = []
    for s in slices:
        top = data.top_skus[(data.top_skus.shop_id == s.shop_id) & (data.top_skus.scope == s.scope)]
        out = data.stockouts[(data.stockouts.shop_id == s.shop_id) & (data.stockouts.scope == s.scope)]
        out = out[(out.date >= pd.Timestamp(s.first)) & (out.date <= pd.Timestamp(s.last))]
        dates = sorted({d.date() for d in out.date})
        days_out |= set(dates)
        shown.append(s.evidence() | {"top_skus": list(top.sku_id), "stockout_days": len(dates),
                                     "stockouts": [{"date": d.date().isoformat(), "sku_id": k}
                                                   for d, k in sorted(zip(out.date, out.sku_id))]})
    return Measure(staff_id, name, float(len(days_out)), math.nan, unit, True, "", "", {"slices": shown})


# ---------------------------------------------------------------- the whole table


def to_frame(rows: Iterable[Measure]) -> pd.DataFrame:
    frame = pd.DataFrame([r.__dict__ for r in rows], columns=COLUMNS)
    return frame.astype({"value": "float64", "reference": "float64", "known": "bool"})


def measures(wh: Warehouse, staff_ids: Sequence[str], period: Period, *, min_spend: float = DEFAULT_MIN_SPEND) -> pd.DataFrame:
    """Every input of INPUTS for each of ``staff_ids`` in ``period`` (one row per person and input,
    in that order; columns COLUMNS)."""
    staff_ids = [str(s) for s in staff_ids]
    if wh.has("staff"):
        known = set(wh.table("staff").execute().staff_id)
        strangers = [s for s in staff_ids if s not in known]
        if strangers:
            raise DataNotFoundError(
                f"staff id(s) {', '.join(strangers)} are not in the staff table (column staff_id) of {wh.location}.")
    if wh.has("staff_assignments"):
        a = wh.table("staff_assignments")
        assignments = a.filter(a.staff_id.isin(staff_ids)).execute()
    else:
        assignments = pd.DataFrame(columns=["staff_id", "shop_id", "category", "share", "start_date", "end_date"])
    all_slices = slices_of(assignments, period)
    data = load_shop_data(wh, all_slices, period)
    team = load_team_data(wh, staff_ids, period)
    rows: list[Measure] = []
    for staff_id in staff_ids:
        mine = [s for s in all_slices if s.staff_id == staff_id]
        rows += [
            sales_completion(staff_id, mine, data, team.staff_targets, period),
            conversion_vs_industry(staff_id, mine, data, team.benchmarks, period),
            roi_vs_target(staff_id, mine, data, team.staff_targets, period, min_spend),
            new_customer_share_vs_target(staff_id, mine, data, team.staff_targets, period),
            repurchase_vs_industry(staff_id, mine, data, team.benchmarks, period),
        ]
        events = event_measures(staff_id, team.events)
        by_name = {m.input: m for m in events + budget_measures(staff_id, team.budgets, period)}
        by_name["collaboration_score"] = collaboration_score(staff_id, team.ratings, period)
        rows += [by_name[n] for n in DIRECTOR_INPUTS]
        rows += [market_growth(staff_id, mine, data, team.benchmarks, period), stockout_days(staff_id, mine, data)]
    return to_frame(rows)
