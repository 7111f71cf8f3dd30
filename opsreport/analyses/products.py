"""Products: rankings, fallers, the active-SKU rate, new-product tests and category refunds.

SKU conversion is paid buyers / UV of the SKU in the week; a SKU's baseline is the median of its
previous weeks (one promotion week does not distort it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..metrics import compute, queries
from ..periods import Period
from ..warehouse.connection import Warehouse

_RANK_COLUMNS = ["sku_id", "product_name", "category", "gmv", "gmv_prev", "gmv_change", "units", "uv", "conversion_rate"]
NEW_PRODUCT_TEST_DAYS = 3  # the fav+cart rate of a new product is read over its first 3 days


@dataclass(frozen=True)
class ActiveSkus:
    on_shelf: int
    active: int

    @property
    def active_sku_rate(self) -> float:
        return compute("active_sku_rate", {"active_skus": self.active, "shelf_skus": self.on_shelf})["active_sku_rate"]


@dataclass(frozen=True)
class ProductsResult:
    """``top``/``fallers``: the first ``top_n`` rows; ``fallers_count``: all SKUs whose GMV fell."""

    top: pd.DataFrame
    fallers: pd.DataFrame
    fallers_count: int
    new: pd.DataFrame
    active: ActiveSkus
    sku_weeks: pd.DataFrame  # every SKU this week with its baseline (input of the conversion-drop rule)


def products(wh: Warehouse, shop_id: str, weeks: dict[str, Period], *, top_n: int, new_product_days: int,
             new_product_hit_rate: float) -> ProductsResult:
    """``weeks``: 'this_week', 'last_week', then the baseline weeks (any labels)."""
    long = queries.sums_by_period(
        wh, "product_daily", shop_id, weeks, ["sku_id"],
        {"uv": "uv", "paid_buyers": "paid_buyers", "units": "units", "paid_amount": "paid_amount"},
    )
    catalog = catalog_of(wh, shop_id)
    this = long[long.period == "this_week"].set_index("sku_id")
    prev = long[long.period == "last_week"].set_index("sku_id")
    base = _conversion(long[long.period != "this_week"])
    baseline = base.groupby("sku_id").agg(baseline_conversion=("conversion_rate", "median"), baseline_uv=("uv", "median"))

    skus = catalog.set_index("sku_id")
    skus["gmv"] = this.paid_amount.reindex(skus.index).fillna(0)
    skus["units"] = this.units.reindex(skus.index).fillna(0)
    skus["uv"] = this.uv.reindex(skus.index).fillna(0)
    skus["paid_buyers"] = this.paid_buyers.reindex(skus.index).fillna(0)
    skus["gmv_prev"] = prev.paid_amount.reindex(skus.index).fillna(0)
    skus = _conversion(skus)
    skus["gmv_delta"] = skus.gmv - skus.gmv_prev
    skus["gmv_change"] = skus.gmv_delta / skus.gmv_prev.where(skus.gmv_prev > 0)
    skus = skus.reset_index()
    top = skus[skus.gmv > 0].sort_values("gmv", ascending=False).head(top_n)[_RANK_COLUMNS]
    falling = skus[skus.gmv_delta < 0].sort_values("gmv_delta")
    fallers = falling.head(top_n)[_RANK_COLUMNS + ["gmv_delta"]]

    on_shelf = skus[skus.status == "on_shelf"]
    active = ActiveSkus(on_shelf=int(len(on_shelf)), active=int((on_shelf.units > 0).sum()))
    end = weeks["this_week"].end
    new = new_products(wh, shop_id, catalog, end, days=new_product_days, hit_rate=new_product_hit_rate)
    sku_weeks = skus.merge(baseline, left_on="sku_id", right_index=True, how="left").rename(columns={"gmv": "paid_amount"})
    return ProductsResult(top.reset_index(drop=True), fallers.reset_index(drop=True), int(len(falling)), new, active, sku_weeks)


def _conversion(frame: pd.DataFrame) -> pd.DataFrame:
    """SKU conversion (paid buyers / UV of the SKU) from the registry's definition."""
    return compute("conversion_rate", frame.assign(buyer_days=frame.paid_buyers, uv_sum=frame.uv)).drop(
        columns=["buyer_days", "uv_sum"])


def catalog_of(wh: Warehouse, shop_id: str) -> pd.DataFrame:
    return wh.shop_rows("products", shop_id).select("sku_id", "product_name", "category", "launched_on", "status").execute()


def new_products(wh: Warehouse, shop_id: str, catalog: pd.DataFrame, end: dt.date, *, days: int, hit_rate: float) -> pd.DataFrame:
    """Products launched in the ``days`` up to ``end``: fav+cart rate over their first 3 days and a
    verdict code: 'potential_hit' (rate ≥ ``hit_rate``), 'below_bar', 'in_progress', or 'no_data'
    (no visitors, or an export without fav/cart counts). Products without a launch date are not
    under test."""
    launched = pd.to_datetime(catalog.launched_on)  # may be empty: a product export has no launch date
    since = pd.Timestamp(end - dt.timedelta(days=days))
    recent = catalog[launched.notna() & (launched > since) & (launched <= pd.Timestamp(end))]
    cols = ["sku_id", "product_name", "category", "launched_on", "uv", "fav_cart_rate", "verdict"]
    if recent.empty:
        return pd.DataFrame(columns=cols)
    pdaily = wh.shop_rows("product_daily", shop_id)
    pdaily = pdaily.filter(pdaily.sku_id.isin(list(recent.sku_id)))
    first = pdaily.filter(pdaily.date >= end - dt.timedelta(days=days + NEW_PRODUCT_TEST_DAYS)).execute()
    first = first.merge(recent[["sku_id", "launched_on"]], on="sku_id")
    age = (pd.to_datetime(first.date) - pd.to_datetime(first.launched_on)).dt.days
    first = first[(age >= 0) & (age < NEW_PRODUCT_TEST_DAYS)]
    agg = first.groupby("sku_id")[["uv", "fav_users", "cart_users"]].sum(min_count=1)  # NULL columns stay unknown
    out = recent.set_index("sku_id").join(agg, how="left")
    out["uv"] = out.uv.fillna(0)  # no visit recorded in its first days
    out = compute("fav_cart_rate", out.assign(uv_sum=out.uv)).drop(columns="uv_sum")
    complete = (end - pd.to_datetime(out.launched_on).dt.date).apply(lambda d: d.days) >= NEW_PRODUCT_TEST_DAYS - 1
    out["verdict"] = np.select(
        [~complete, out.fav_cart_rate.isna(), out.fav_cart_rate >= hit_rate],
        ["in_progress", "no_data", "potential_hit"], default="below_bar",
    )
    out = out.reset_index().sort_values("fav_cart_rate", ascending=False)
    return out[cols].reset_index(drop=True)


def category_refunds(wh: Warehouse, shop_id: str, weeks: dict[str, Period]) -> pd.DataFrame | None:
    """Payment-dated refund rate per category in 'this_week' and its baseline (median of the other
    weeks); None when the shop has no orders with items."""
    if not (queries.has_rows(wh, "orders", shop_id) and queries.has_rows(wh, "order_items", shop_id)):
        return None
    o = queries.paid_orders(wh, shop_id)
    lo = min(p.start for p in weeks.values())
    o = o.filter(o.paid_at >= queries.day_start(lo))
    o = o.mutate(period=queries.label_by_period(o.paid_at, weeks, is_timestamp=True))
    o = o.filter(o.period.notnull())
    items = wh.shop_rows("order_items", shop_id)
    products_ = wh.shop_rows("products", shop_id).select("sku_id", "category")
    j = items.join(o.select("order_id", "period", order_amount="paid_amount", order_refund="refund_amount"), "order_id")
    j = j.join(products_, "sku_id")
    # an order's refund is spread over its items by their share of the amount paid
    share = j.paid_amount / j.order_amount.nullif(0)
    j = j.mutate(item_refund=(j.order_refund * share).fill_null(0))
    agg = j.group_by(["period", "category"]).aggregate(gmv=j.paid_amount.sum(), refund_amount=j.item_refund.sum()).execute()
    agg = compute("refund_rate", agg).rename(columns={"refund_rate": "rate"})
    base = agg[agg.period != "this_week"].groupby("category").rate.median().rename("baseline_refund_rate")
    now = agg[agg.period == "this_week"].set_index("category")[["gmv", "refund_amount"]]
    return now.join(base, how="left").reset_index()
