"""Inventory: stockouts, days of cover, overstock, and the stock risk of the next promotion.

Days of cover = on hand / average daily units over the last 30 days. A stockout is a SKU with
nothing on hand that sold in the last 30 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..metrics import compute
from ..warehouse.connection import Warehouse
from . import promotions
from .promotions import Promotion

SALES_WINDOW_DAYS = 30


@dataclass(frozen=True)
class PromoRisk:
    promotion: Promotion
    lead_days: int  # days between the end of the period and the promotion's start
    uplift: float  # daily sales multiple assumed during the promotion
    at_risk: pd.DataFrame  # SKUs whose stock + inbound fall short, largest shortfall first


@dataclass(frozen=True)
class InventoryResult:
    """Every matching SKU in each frame (views show the first rows and say how many there are)."""

    stockouts: pd.DataFrame
    low_cover: pd.DataFrame
    overstock: pd.DataFrame
    skus_with_stock: int
    promo_risk: PromoRisk | None  # None when no promotion is scheduled


def inventory(wh: Warehouse, shop_id: str, end: dt.date, *, low_days: float, high_days: float, promo_uplift: float) -> InventoryResult:
    stock = stock_position(wh, shop_id, end)
    sold = stock.units_30d > 0
    # ties broken by SKU: the engine returns rows in no particular order (DuckDB, PostgreSQL differ)
    stockouts = stock[sold & (stock.on_hand == 0)].sort_values(["gmv_30d", "sku_id"], ascending=[False, True])
    low = stock[sold & (stock.on_hand > 0) & (stock.days_of_cover < low_days)].sort_values(["days_of_cover", "sku_id"])
    high = stock[sold & (stock.days_of_cover > high_days)].sort_values(["days_of_cover", "sku_id"], ascending=[False, True])
    nxt = promotions.next_after(wh, shop_id, end)
    risk = promo_risk(stock, end, nxt, promo_uplift) if nxt is not None else None
    return InventoryResult(
        stockouts=stockouts.reset_index(drop=True),
        low_cover=low.reset_index(drop=True),
        overstock=high.reset_index(drop=True),
        skus_with_stock=int((stock.on_hand > 0).sum()),
        promo_risk=risk,
    )


def stock_position(wh: Warehouse, shop_id: str, end: dt.date) -> pd.DataFrame:
    """Per SKU stocked on ``end``: on hand, in transit, 30-day sales, days of cover, stockout start."""
    start30 = end - dt.timedelta(days=SALES_WINDOW_DAYS - 1)
    pdaily = wh.shop_rows("product_daily", shop_id)
    sales = (
        pdaily.filter(pdaily.date.between(start30, end))
        .group_by("sku_id")
        .aggregate(units_30d=pdaily.units.sum(), gmv_30d=pdaily.paid_amount.sum())
    )
    inv = wh.shop_rows("inventory_daily", shop_id)
    stock_end = inv.filter(inv.date == end).select("sku_id", "on_hand", "in_transit")
    last_positive = (
        inv.filter(inv.date.between(start30, end) & (inv.on_hand > 0)).group_by("sku_id").aggregate(last_in_stock=inv.date.max())
    )
    frame = (
        stock_end.left_join(sales, "sku_id").drop("sku_id_right")
        .left_join(last_positive, "sku_id").drop("sku_id_right")
        .execute()
    )
    catalog = wh.shop_rows("products", shop_id).select("sku_id", "product_name", "category").execute()
    frame = frame.merge(catalog, on="sku_id", how="left")
    # float: a SUM of integers is HUGEINT on DuckDB (Decimal objects once a left join adds NULLs)
    frame[["units_30d", "gmv_30d"]] = frame[["units_30d", "gmv_30d"]].astype(float).fillna(0)
    frame["avg_daily_units"] = frame.units_30d / SALES_WINDOW_DAYS
    frame = compute("days_of_cover", frame)  # on hand / (units of the last 30 days / 30)
    frame["stockout_since"] = pd.to_datetime(frame.last_in_stock) + pd.Timedelta(days=1)
    return frame


def promo_risk(stock: pd.DataFrame, end: dt.date, promo: Promotion, uplift: float) -> PromoRisk:
    """SKUs whose stock and inbound will not last until the end of ``promo``: demand is the 30-day
    daily average until the start and ``uplift`` times it during the promotion."""
    lead_days = (promo.start - end).days - 1
    s = stock[stock.avg_daily_units > 0].copy()
    s["expected_demand"] = s.avg_daily_units * (lead_days + uplift * promo.days)
    s["shortfall"] = s.expected_demand - s.on_hand - s.in_transit
    risk = s[s.shortfall > 0].sort_values("shortfall", ascending=False)
    return PromoRisk(promo, lead_days, uplift, risk.reset_index(drop=True))
