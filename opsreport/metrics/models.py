"""Semantic models: which canonical table provides which parts, at which dimensions.

A semantic model (the dbt/MetricFlow term) is one fact table seen as data: what one row is, the
column that dates it, the dimensions a query may group or filter by, and how each part is
aggregated there (a sum of a column, a count of rows, a count of distinct values). `MODELS`
is in order of preference: for each metric the engine (`engine.query`) takes the first model
that provides all of the metric's parts and every dimension asked for, and has rows for the
shop, so a ratio's numerator and denominator come from one table; only when no model provides
them all does each part come from its own first model (complaints / paid orders). Orders come
before the platform's daily overview, as the weekly review does ("count from orders where
possible"), so the explorer's numbers are the report's.

Each model's ``rows`` builds the Ibis table of one shop's rows in a date range, with a
``date`` column, its dimensions and the columns its parts aggregate; joins to other tables are
made only when a part or dimension needs them. No SQL strings: the same expressions run on any
Ibis backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis

from ..warehouse.connection import Warehouse
from .queries import DAY_S, day_start


@dataclass(frozen=True)
class Agg:
    """How a part is aggregated over the rows of a group."""

    how: str  # sum | count | distinct
    column: str | None = None
    where: str | None = None  # a boolean column: only rows where it is true

    def columns(self) -> set[str]:
        return {c for c in (self.column, self.where) if c}

    def expr(self, t: ibis.Table) -> ibis.Expr:
        where = t[self.where] if self.where else None
        if self.how == "count":
            return t.count(where=where)
        if self.how == "distinct":
            return t[self.column].nunique(where=where)
        return t[self.column].sum(where=where)


def total(column: str, where: str | None = None) -> Agg:
    return Agg("sum", column, where)


def rows_counted() -> Agg:
    return Agg("count")


def distinct(column: str, where: str | None = None) -> Agg:
    return Agg("distinct", column, where)


Rows = Callable[[Warehouse, str, dt.date, dt.date, set, Mapping], ibis.Table]


@dataclass(frozen=True)
class SemanticModel:
    name: str
    table: str  # the fact table
    row: str  # what one row is
    time: str  # the column that dates a row (``rows`` gives its day as ``date``)
    dimensions: Mapping[str, str]  # dimension -> table it comes from
    parts: Mapping[str, Agg]
    rows: Rows = field(repr=False)
    also_needs: tuple[str, ...] = ()  # tables joined whatever is asked (order_items -> orders)
    # Daily distinct users (uv_sum, buyer_days, ...) of a row belong to one value of this
    # dimension (a source, a SKU): a visitor of two SKUs is counted by each, so these parts add
    # up over days but not over its values. They are read only when a query groups by it or
    # filters it to one value.
    per: str | None = None
    per_parts: frozenset[str] = frozenset()
    # columns that depend on the grain, added once the grain columns exist (new buyer in a week)
    by_group: Callable[[ibis.Table, list[str]], ibis.Table] | None = field(default=None, repr=False)

    def tables(self, dims=()) -> list[str]:
        """Tables a query at ``dims`` reads: the fact table, those it always joins, and the
        tables of the dimensions."""
        out = [self.table, *self.also_needs, *(self.dimensions[d] for d in dims)]
        return list(dict.fromkeys(out))


# --- rows ----------------------------------------------------------------------------------


def _paid_orders(wh: Warehouse, shop_id: str, start: dt.date, end: dt.date) -> ibis.Table:
    o = wh.shop_rows("orders", shop_id)
    o = o.filter(o.paid_at.notnull() & (o.paid_at < day_start(end + dt.timedelta(days=1))))
    return o.filter(o.paid_at >= day_start(start))


def _orders(wh, shop_id, start, end, need, params) -> ibis.Table:
    """Paid orders dated by payment; ``is_new``: no paid order in the shop in the
    ``new_buyer_days`` before this payment (history before ``start`` is read for it)."""
    if "new_buyer" not in need:
        o = _paid_orders(wh, shop_id, start, end)
        return o.mutate(date=o.paid_at.date())
    days = int(params["new_buyer_days"])
    o = _paid_orders(wh, shop_id, start - dt.timedelta(days=days + 1), end)
    w = ibis.window(group_by=o.customer_id, order_by=o.paid_at)
    o = o.mutate(prev_paid_at=o.paid_at.lag().over(w))
    gap_days = (o.paid_at.epoch_seconds() - o.prev_paid_at.epoch_seconds()) / DAY_S
    o = o.mutate(is_new=o.prev_paid_at.isnull() | (gap_days > days), date=o.paid_at.date())
    return o.filter(o.paid_at >= day_start(start))


def _new_buyer_in_group(t: ibis.Table, keys: list[str]) -> ibis.Table:
    """A buyer is new in a group (a week, a source by day, ...) when their first payment in it is
    new, and all their payments in the group then count as new-buyer GMV."""
    if "is_new" not in t.columns:
        return t
    w = ibis.window(group_by=[*keys, "customer_id"], order_by=t.paid_at)
    return t.mutate(new_buyer=t.is_new.first().over(w))


def _order_items(wh, shop_id, start, end, need, params) -> ibis.Table:
    """Items of paid orders; an order's refund is spread over its items by their share of the
    amount paid (as the weekly review's refund spike does)."""
    o = _paid_orders(wh, shop_id, start, end)
    o = o.select("order_id", "customer_id", "paid_at", "status", "source",
                 order_amount="paid_amount", order_refund="refund_amount")
    items = wh.shop_rows("order_items", shop_id)
    j = items.join(o, "order_id")
    j = j.mutate(
        date=j.paid_at.date(),
        item_refund=(j.order_refund * (j.paid_amount / j.order_amount.nullif(0))).fill_null(0),
    )
    return _with_products(wh, shop_id, j, need)


def _with_products(wh: Warehouse, shop_id: str, t: ibis.Table, need: set) -> ibis.Table:
    wanted = [c for c in ("category", "product_name") if c in need]
    if not wanted:
        return t
    p = wh.shop_rows("products", shop_id).select("sku_id", *wanted).rename(product_sku="sku_id")
    return t.left_join(p, t.sku_id == p.product_sku).drop("product_sku")


def _daily(table: str, extra: Callable[[ibis.Table], dict] | None = None) -> Rows:
    def rows(wh, shop_id, start, end, need, params) -> ibis.Table:
        t = wh.shop_rows(table, shop_id)
        t = t.filter(t.date.between(start, end))
        if extra:
            t = t.mutate(**extra(t))
        return _with_products(wh, shop_id, t, need) if "sku_id" in t.columns else t

    return rows


# --- the models, in order of preference ------------------------------------------------------

#: daily distinct users: additive over days, not over sources or SKUs
_USERS = frozenset({"uv_sum", "cart_users", "fav_users", "order_buyers", "buyer_days"})

_TRAFFIC = {
    "days": distinct("date"),
    "uv_sum": total("uv"),
    "pv": total("pv"),
    "cart_users": total("cart_users"),
    "fav_users": total("fav_users"),
    "order_buyers": total("order_buyers"),
    "buyer_days": total("paid_buyers"),
    "gmv": total("paid_amount"),
}

MODELS: list[SemanticModel] = [
    SemanticModel(
        name="orders",
        table="orders",
        row="a paid order",
        time="paid_at",
        dimensions={"source": "orders", "status": "orders"},
        parts={
            "gmv": total("paid_amount"),
            "refund_amount": total("refund_amount"),
            "paid_orders": rows_counted(),
            "paid_buyers": distinct("customer_id"),
            "new_buyers": distinct("customer_id", where="new_buyer"),
            "new_buyer_gmv": total("paid_amount", where="new_buyer"),
        },
        rows=_orders,
        by_group=_new_buyer_in_group,
    ),
    SemanticModel(
        name="order_items",
        table="order_items",
        row="a SKU of a paid order",
        time="paid_at",
        dimensions={"sku_id": "order_items", "category": "products", "product_name": "products",
                    "source": "orders", "status": "orders"},
        parts={
            "gmv": total("paid_amount"),
            "units": total("quantity"),
            "refund_amount": total("item_refund"),
            "paid_orders": distinct("order_id"),  # an order with two categories counts in each
            "paid_buyers": distinct("customer_id"),
        },
        rows=_order_items,
        also_needs=("orders",),
    ),
    SemanticModel(
        name="shop_daily",
        table="shop_daily",
        row="the shop's day (platform overview)",
        time="date",
        dimensions={},
        parts={
            **_TRAFFIC,
            "paid_orders": total("paid_orders"),
            "units": total("units"),
            "refund_amount": total("refund_amount"),
        },
        rows=_daily("shop_daily"),
    ),
    SemanticModel(
        name="traffic_daily",
        table="traffic_daily",
        row="a traffic source's day",
        time="date",
        dimensions={"source": "traffic_daily"},
        parts=_TRAFFIC,
        rows=_daily("traffic_daily"),
        per="source",
        per_parts=_USERS,
    ),
    SemanticModel(
        name="product_daily",
        table="product_daily",
        row="a SKU's day",
        time="date",
        dimensions={"sku_id": "product_daily", "category": "products", "product_name": "products"},
        parts={
            "days": distinct("date"),
            "uv_sum": total("uv"),
            "cart_users": total("cart_users"),
            "fav_users": total("fav_users"),
            "buyer_days": total("paid_buyers"),
            "units": total("units"),
            "gmv": total("paid_amount"),
        },
        rows=_daily("product_daily"),
        per="sku_id",
        per_parts=_USERS,
    ),
    SemanticModel(
        name="ads_daily",
        table="ads_daily",
        row="a campaign's day",
        time="date",
        dimensions={"channel": "ads_daily", "campaign": "ads_daily"},
        parts={
            "days": distinct("date"),
            "spend": total("spend"),
            "impressions": total("impressions"),
            "clicks": total("clicks"),
            "attributed_orders": total("attributed_orders"),
            "attributed_amount": total("attributed_amount"),
        },
        rows=_daily("ads_daily"),
    ),
    SemanticModel(
        name="service_daily",
        table="service_daily",
        row="an agent's day",
        time="date",
        dimensions={"agent_id": "service_daily"},
        parts={
            "days": distinct("date"),
            "consultations": total("consultations"),
            "replied_30s": total("replied_30s"),
            "response_s_weighted": total("response_s_weighted"),
            "inquiry_buyers": total("inquiry_buyers"),
            "inquiry_paid_buyers": total("inquiry_paid_buyers"),
            "reviews": total("reviews"),
            "good_reviews": total("good_reviews"),
            "complaints": total("complaints"),
        },
        rows=_daily("service_daily", lambda t: {"response_s_weighted": t.first_response_s * t.consultations}),
    ),
]

def dimensions() -> list[str]:
    """Every dimension some model provides, in model order."""
    return list(dict.fromkeys(d for m in MODELS for d in m.dimensions))
