"""The orchestrator: simulate each demo shop in order, then hand the simulated shop to every
table builder and write what it returns; after the last shop, the team builders write the tables
that describe a team rather than a shop (the appraisal's).

`simulate_shop` runs the components in their fixed order (each draws from its own random stream,
sampling.stream) and plants the weekly review's and the promotion retrospective's events
(planted.py, promo_planted.py) where ``plant_events`` asks for them;
``TABLE_BUILDERS`` turn a `SimulatedShop` into rows of canonical tables. ``TEAM_BUILDERS`` keep a
small part of each simulated shop (`TeamBuilder.collect`) and turn those of all shops into rows
once, after the shops (`TeamBuilder.tables`): only one simulated shop is held at a time. A report
family adds its demo tables by adding its builder here (see the package docstring).

``shops`` beyond the three of shops.yaml adds synthetic clones of them (`shops.shop_models`), for
benchmarks at scale. A clone gets every per-shop table but no planted events (``PLANTED`` and its
kin describe the three shops only), and the team builders see the three shops only: the team runs
those, and its per-category tables (industry_benchmarks) would repeat a category for a clone. So
the first three shops, and the team, are the same rows whatever the count.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import numpy as np

from . import catalog, competitors, daily, orders, promotions, staff, targets
from .calendar import DEMO_END_DATE, Calendar, Demand, demand
from .catalog import Catalog
from .customers import Paid, simulate_paid_orders
from .daily import Daily
from .orders import Items, OrderTable
from .planted import Plan, choose, plant_conversion_drop, plant_dormant
from .promo_planted import choose_promo, thin_demand
from .sampling import stream
from .shops import MODELS, ShopModel, shop_models
from .write import Columns, insert, new_demo_file, row_counts


@dataclass
class SimulatedShop:
    """Everything simulated for one shop: what the table builders read. Times are window days
    (0 = the first day) or seconds since the window's start, money integer cents."""

    model: ShopModel
    cal: Calendar
    seed: int
    demand: Demand
    catalog: Catalog
    plan: Plan  # the planted choices; plan.active = plant_events
    paid: Paid  # paid orders by payment time, planted events applied
    items: Items  # their lines
    orders: OrderTable  # paid and unpaid orders with ids, refunds and statuses
    daily: Daily  # shop, traffic and product funnels per day
    inventory: tuple[np.ndarray, np.ndarray, np.ndarray]  # on_hand, in_transit, listed: (days, SKUs)
    ads: dict  # ads_daily rows as arrays
    service: dict  # service_daily rows as arrays


# (simulated shop) -> {canonical table: its rows for this shop}; called in this order, shop by shop
TableBuilder = Callable[[SimulatedShop], Mapping[str, Columns]]

TABLE_BUILDERS: tuple[TableBuilder, ...] = (
    catalog.tables,  # shops, products
    orders.tables,  # orders, order_items
    daily.tables,  # shop_daily, traffic_daily, product_daily, inventory_daily, ads_daily, service_daily
    targets.tables,  # targets, promotions
    promotions.tables,  # promotion_phases, promo_skus, price_history, coupons, presale_orders, promo_ad_budgets
    competitors.tables,  # competitors, competitor_sets, competitor_daily, competitor_traffic, competitor_products,
    #                      competitor_promos, competitor_reviews, sku_matches
)


@dataclass(frozen=True)
class TeamBuilder:
    """The demo tables of a family that describe a team, not a shop (no shop_id is filled in):
    ``collect`` keeps what they need of each simulated shop (small: sums per day, never the orders),
    ``tables`` turns what was kept of every shop (in MODELS order) into rows, once, after the shops."""

    collect: Callable[[SimulatedShop], Any]
    tables: Callable[[Sequence[Any]], Mapping[str, Columns]]


TEAM_BUILDERS: tuple[TeamBuilder, ...] = (
    TeamBuilder(staff.collect, staff.tables),  # staff, staff_assignments, staff_targets, industry_benchmarks,
    #                                            appraisal_events, appraisal_ratings, appraisal_budgets
)


def simulate_shop(model: ShopModel, cal: Calendar, orders_per_shop: int, seed: int, plant: bool) -> SimulatedShop:
    dem = demand(model, cal, seed)
    cat = catalog.make_catalog(model)
    plan = choose(model, cat, cal, dem, active=plant)
    plan = replace(plan, promo=choose_promo(model, cat, cal, dem, plan))
    paid = simulate_paid_orders(model, cal, dem, int(round(orders_per_shop * 0.955)), seed)
    if plant:
        paid = plant_dormant(paid, model, cal, dem, seed)
    paid = paid.by_time()
    items, wts = orders.draw_order_lines(paid, model, cat, cal, dem, plan, seed)
    pre_orders = np.bincount(paid.day, minlength=cal.days)
    if plant:
        paid, items = plant_conversion_drop(paid, items, cal, plan, seed, model.index)
    order_table = orders.make_order_table(paid, items, model, cat, cal, dem, plan, seed)
    if plant and plan.promo is not None:  # less demand: fewer orders, and pre_orders (visitors) with them
        rng = stream(seed, model.index, "plant-promo-dip")
        drop_paid, drop_unpaid = thin_demand(paid, order_table, plan.promo, cal, rng)
        pre_orders = pre_orders - np.bincount(paid.day[drop_paid], minlength=cal.days)
        paid, items, order_table = orders.drop_orders(paid, items, order_table, drop_paid, drop_unpaid)
    orders.assign_keys(order_table, cal)
    funnels = daily.derive_daily(paid, items, order_table, model, cat, cal, dem, plan, wts, pre_orders, seed)
    return SimulatedShop(
        model=model, cal=cal, seed=seed, demand=dem, catalog=cat, plan=plan, paid=paid, items=items,
        orders=order_table, daily=funnels,
        inventory=daily.simulate_inventory(model, cat, cal, funnels.product["units"], plan, seed),
        ads=daily.simulate_ads(model, cal, dem, funnels, plan, seed),
        service=daily.simulate_service(model, cal, dem, funnels, plan, seed),
    )


def _build_shop(con: duckdb.DuckDBPyConnection, model: ShopModel, cal: Calendar, orders_per_shop: int, seed: int,
                plant: bool, keep: bool) -> list[Any] | None:
    """Write the shop's tables; return what each team builder keeps of it (None unless ``keep``)."""
    sim = simulate_shop(model, cal, orders_per_shop, seed, plant)
    for builder in TABLE_BUILDERS:
        for name, columns in builder(sim).items():
            insert(con, name, model.shop.shop_id, columns)
    return [team.collect(sim) for team in TEAM_BUILDERS] if keep else None


def _build_team(con: duckdb.DuckDBPyConnection, kept: Sequence[Sequence[Any]]) -> None:
    """Write the team builders' tables from what they kept of every shop (``kept[shop][builder]``)."""
    for j, team in enumerate(TEAM_BUILDERS):
        for name, columns in team.tables([per_shop[j] for per_shop in kept]).items():
            insert(con, name, None, columns)


def build_demo_warehouse(
    path: str | os.PathLike,
    *,
    orders_per_shop: int = 180_000,
    days: int = 730,
    end_date: dt.date = DEMO_END_DATE,
    seed: int = 20261122,
    plant_events: bool = True,
    shops: int = len(MODELS),
) -> dict[str, int]:
    """Write the demo warehouse to ``path`` (a DuckDB file) and return the row count per table.

    ``orders_per_shop`` is the approximate number of rows in ``orders`` per shop (about 95.5%
    of them paid); ``days`` the length of the daily history ending on ``end_date``. ``shops``
    takes the first shops of shops.yaml, or adds synthetic clones of them beyond its three
    (`shops.shop_models`; never planted, see the module docstring). The file is written to a
    temporary file beside ``path`` and moved into place only when complete.
    """
    if orders_per_shop < 1_000:
        raise ValueError(f"orders_per_shop must be at least 1,000 (got {orders_per_shop})")
    if not 70 <= days <= 1095:
        raise ValueError(f"days must be between 70 and 1095 (got {days}): the planted events need ~10 weeks "
                         "of history and the demo catalogue goes back about four years")
    models = shop_models(shops)  # checks the count before anything is written
    cal = Calendar.make(end_date, days)
    with new_demo_file(path) as con:
        kept = []
        for i, model in enumerate(models):
            own = i < len(MODELS)  # a model of shops.yaml, not a clone
            team_part = _build_shop(con, model, cal, orders_per_shop, seed, plant_events and own, keep=own)
            if own:
                kept.append(team_part)
        _build_team(con, kept)
        con.execute("CHECKPOINT")
        counts = row_counts(con)
    return counts
