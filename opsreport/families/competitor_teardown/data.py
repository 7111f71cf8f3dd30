"""Reading one shop's competitor data from the warehouse (Ibis expressions; small frames out).

Every reader returns None when its table is absent or has no rows for the shop: a teardown runs
on whatever competitor sources a shop has imported and says which are missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ...errors import DataNotFoundError, ParamsError
from ...metrics import queries
from ...periods import Period
from ...schemas import OWN_SHOP
from ...warehouse.connection import Warehouse

#: Competitor tables with a date, and the column dating them: what says "competitor data exists".
DATED = {"competitor_daily": "date", "competitor_traffic": "date", "competitor_products": "observed_on",
         "competitor_reviews": "date"}
#: Where the competitor sources come from, for the messages naming what to import.
COMPETITOR_TABLES = ("competitor_daily", "competitor_traffic", "competitor_products", "competitor_promos",
                     "competitor_reviews", "sku_matches", "competitor_sets", "competitors")


def rows(wh: Warehouse, table: str, shop_id: str) -> pd.DataFrame | None:
    if not queries.has_rows(wh, table, shop_id):
        return None
    return wh.shop_rows(table, shop_id).execute()


def dated_rows(wh: Warehouse, table: str, shop_id: str, start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """The shop's rows of a dated competitor table from ``start`` to ``end`` (None: no table, or no rows at all)."""
    if not queries.has_rows(wh, table, shop_id):
        return None
    column = DATED[table]
    t = wh.shop_rows(table, shop_id)
    frame = t.filter((t[column] >= start) & (t[column] <= end)).execute()
    frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


@dataclass(frozen=True)
class Span:
    """First and last day of the shop's dated competitor data, over every competitor table."""

    first: dt.date
    last: dt.date


def span(wh: Warehouse, shop_id: str) -> Span | None:
    firsts, lasts = [], []
    for table, column in DATED.items():
        if queries.has_rows(wh, table, shop_id):
            t = wh.shop_rows(table, shop_id)
            got = t.aggregate(first=t[column].min(), last=t[column].max()).execute().iloc[0]
            firsts.append(pd.Timestamp(got["first"]).date())
            lasts.append(pd.Timestamp(got["last"]).date())
    return Span(min(firsts), max(lasts)) if firsts else None


def has_rows_in(wh: Warehouse, shop_id: str, period: Period) -> bool:
    for table, column in DATED.items():
        if queries.has_rows(wh, table, shop_id):
            t = wh.shop_rows(table, shop_id)
            if t.filter((t[column] >= period.start) & (t[column] <= period.end)).count().execute() > 0:
                return True
    return False


def known_competitors(wh: Warehouse, shop_id: str) -> list[str]:
    """Every competitor id the shop's data names (its set, its competitor list, its indices and products)."""
    names: set[str] = set()
    for table in ("competitor_sets", "competitors", "competitor_daily", "competitor_products", "competitor_promos"):
        if queries.has_rows(wh, table, shop_id):
            t = wh.shop_rows(table, shop_id)
            names |= set(t.select("competitor_id").distinct().execute().competitor_id)
    names.discard(OWN_SHOP)
    return sorted(names)


def competitor_set(wh: Warehouse, shop_id: str, period: Period, override: list[str] | None) -> tuple[pd.DataFrame, str]:
    """The competitors compared: (frame of competitor_id, tier, reason, platform, category; where the set
    came from: 'parameter', 'set' or 'data').

    The shop's set is its competitor_sets rows in the set during the period (added on or before its
    end, not removed before its start); ``override`` replaces it; without either, every competitor
    the data names is compared (and the report says so).
    """
    known = known_competitors(wh, shop_id)
    sets = rows(wh, "competitor_sets", shop_id)
    info = rows(wh, "competitors", shop_id)
    if override is not None:
        unknown = [c for c in override if c not in known]
        if unknown:
            listed = ", ".join(known) if known else "none (import competitor data first)"
            raise ParamsError(f"competitors: unknown competitor(s) {', '.join(unknown)} for shop {shop_id}; "
                              f"its competitors: {listed}.")
        chosen, source = list(override), "parameter"
    elif sets is not None:
        added, removed = pd.to_datetime(sets.added_on), pd.to_datetime(sets.removed_on)
        active = sets[(added <= pd.Timestamp(period.end)) & (removed.isna() | (removed >= pd.Timestamp(period.start)))]
        chosen, source = sorted(active.competitor_id), "set"
        if not chosen:
            raise DataNotFoundError(f"shop {shop_id} has no competitor in its set (table competitor_sets) during "
                                    f"{period.start} to {period.end}; pass competitors=[...] or update the set.")
    else:
        chosen, source = known, "data"
        if not chosen:
            raise DataNotFoundError(f"shop {shop_id} has no competitor data: import a competition export "
                                    "(sycm_competitor_shops) or the competitor tracking template.")
    frame = pd.DataFrame({"competitor_id": chosen})
    if sets is not None:
        frame = frame.merge(sets[["competitor_id", "tier", "reason", "added_on"]], on="competitor_id", how="left")
    else:
        frame = frame.assign(tier=None, reason=None, added_on=None)
    if info is not None:
        frame = frame.merge(info[["competitor_id", "platform", "category"]], on="competitor_id", how="left")
    else:
        frame = frame.assign(platform=None, category=None)
    return frame, source


# ----------------------------------------------------------------------------- our own side

def our_daily_real(wh: Warehouse, shop_id: str, start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """Our real daily values an index transforms (index_calibration.real_measures): from shop_daily,
    and traffic_daily's search source for search visitors."""
    from ...analyses.index_calibration import real_measures

    daily = dated_shop(wh, "shop_daily", shop_id, start, end, ["date", "paid_amount", "uv", "fav_users", "cart_users", "paid_buyers"])
    if daily is None:
        return None
    real = real_measures(daily, our_traffic(wh, shop_id, start, end))
    real["date"] = pd.to_datetime(real["date"]).dt.date
    return real


def our_traffic(wh: Warehouse, shop_id: str, start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """Our visitors per source and day (traffic_daily): date, source, uv."""
    return dated_shop(wh, "traffic_daily", shop_id, start, end, ["date", "source", "uv"])


def dated_shop(wh: Warehouse, table: str, shop_id: str, start: dt.date, end: dt.date, columns: list[str]) -> pd.DataFrame | None:
    if not queries.has_rows(wh, table, shop_id):
        return None
    t = wh.shop_rows(table, shop_id)
    frame = t.filter((t.date >= start) & (t.date <= end)).select(*columns).execute()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


def our_catalog(wh: Warehouse, shop_id: str) -> pd.DataFrame | None:
    return rows(wh, "products", shop_id)


def our_units(wh: Warehouse, shop_id: str, period: Period) -> pd.DataFrame | None:
    """Units of each SKU paid in the period (order lines of orders paid in it): sku_id, units."""
    if not queries.has_rows(wh, "order_items", shop_id):
        return None
    o = queries.paid_orders(wh, shop_id)
    o = o.filter((o.paid_at >= queries.day_start(period.start))
                 & (o.paid_at < queries.day_start(period.end + dt.timedelta(days=1))))
    i = wh.shop_rows("order_items", shop_id)
    joined = i.semi_join(o.select("order_id"), "order_id")
    return joined.group_by("sku_id").aggregate(units=joined.quantity.sum()).execute()


def our_promotions(wh: Warehouse, shop_id: str, start: dt.date, end: dt.date) -> pd.DataFrame | None:
    """Our promotions touching ``start``..``end``: promo_id, name, event, start, end (dates)."""
    if not queries.has_rows(wh, "promotions", shop_id):
        return None
    p = wh.shop_rows("promotions", shop_id).execute()
    p["start"] = pd.to_datetime(p.start_at).dt.date
    p["end"] = pd.to_datetime(p.end_at).dt.date
    p = p[(p.start <= end) & (p.end >= start)]
    return p[["promo_id", "name", "event", "start", "end"]].reset_index(drop=True)


def promo_skus_of(wh: Warehouse, shop_id: str, promo_ids: list[str]) -> pd.DataFrame | None:
    if not promo_ids or not queries.has_rows(wh, "promo_skus", shop_id):
        return None
    t = wh.shop_rows("promo_skus", shop_id)
    return t.filter(t.promo_id.isin(promo_ids)).select("promo_id", "sku_id", "promo_price").execute()
