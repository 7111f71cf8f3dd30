"""Orders: their lines and amounts, payment, refunds and statuses, the unpaid orders, the order
ids; and the tables ``orders`` and ``order_items``.

Each paid order has 1-3 lines (SKU drawn by catalog.sku_weights); amounts are integer cents
underneath, so sums match to the cent. Refunds are requested 0-1 day (cancellations) or
days-weeks (returns) after payment; finished ones are ``refunded``, unfinished ones
``refunding``, so refunds of the last ~2 weeks are immature, as in real platform data. About
4.5% of orders are never paid (abandoned carts and visitors who never pay).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from ... import schemas
from . import planted, promo_planted
from .calendar import Calendar, Demand
from .catalog import Catalog, sku_weights, unit_cents
from .customers import Paid
from .planted import Plan
from .sampling import argsort_unique, draw_rows, stream
from .shops import SOURCES, ShopModel
from .write import Cents, Columns, fixed_ids, labels, stamps, yymmdd

if TYPE_CHECKING:
    from .build import SimulatedShop

ORDER_STATUSES = tuple(schemas.ORDER_STATUSES)


@dataclass
class Items:
    order: np.ndarray  # index into the paid orders (sorted)
    sku: np.ndarray
    qty: np.ndarray
    cents: np.ndarray

    def keep(self, paid: Paid, keep_line: np.ndarray) -> tuple[Paid, "Items"]:
        """The lines where ``keep_line``; orders left without lines disappear from ``paid``."""
        items = Items(self.order[keep_line], self.sku[keep_line], self.qty[keep_line], self.cents[keep_line])
        keep_order = np.bincount(items.order, minlength=paid.n) > 0
        new_index = np.cumsum(keep_order) - 1
        return paid.take(keep_order), Items(new_index[items.order], items.sku, items.qty, items.cents)


def draw_order_lines(paid: Paid, model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand, plan: Plan,
                     seed: int) -> tuple[Items, np.ndarray]:
    """Order lines (1-3 SKUs per order) and the per-day SKU weights used to draw them."""
    rng = stream(seed, model.index, "items")
    n_lines = 1 + np.searchsorted(np.cumsum(model.lines_p), rng.random(paid.n) * sum(model.lines_p), side="right")
    n_lines = np.minimum(n_lines, 3)
    order = np.repeat(np.arange(paid.n), n_lines)
    day = paid.day[order]
    wts = sku_weights(model, cat, cal, dem, cal.burn, cal.burn + cal.days)
    if plan.active:
        planted.stop_sales_after_stockout(wts, plan)
    sku = draw_rows(np.cumsum(wts, axis=1), day, rng.random(len(order)))
    qty_cdf = np.cumsum(np.array([s.qty_p for s in model.subcats]), axis=1)
    qty = 1 + draw_rows(qty_cdf, cat.subcat[sku].astype(np.int64), rng.random(len(order)))
    # one line per (order, SKU): merge repeated draws
    key = order * cat.n + sku
    o = argsort_unique(key)
    key, qty = key[o], qty[o]
    first = np.r_[True, key[1:] != key[:-1]]
    qty = np.bincount(np.cumsum(first) - 1, weights=qty).astype(np.int64)
    key = key[first]
    order, sku = key // cat.n, key % cat.n
    if plan.active:
        if plan.promo is not None:
            promo_planted.substitute_sold_out(order, sku, qty, paid, wts, qty_cdf, cat, plan.promo, cal,
                                              stream(seed, model.index, "plant-promo-stockout"))
        planted.sell_on_stockout_day(order, sku, paid, plan, rng)
    unit = unit_cents(cat, dem, np.arange(cal.burn, cal.burn + cal.days))
    cents = unit[paid.day[order], sku] * qty
    return Items(order, sku, qty, cents), wts


@dataclass
class OrderTable:
    """All orders (paid first, then unpaid), times in seconds since window start."""

    cust: np.ndarray
    created: np.ndarray
    paid_at: np.ndarray  # -1 = not paid
    cents: np.ndarray
    refund_cents: np.ndarray
    refunded_at: np.ndarray  # -1 = none
    status: np.ndarray  # index into ORDER_STATUSES
    src: np.ndarray
    key: np.ndarray = field(default=None)  # yymmdd * 10^7 + daily sequence -> order_id


def _status_code(name: str) -> int:
    return ORDER_STATUSES.index(name)


def make_order_table(paid: Paid, items: Items, model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand,
                     plan: Plan, seed: int) -> OrderTable:
    rng = stream(seed, model.index, "payment")
    n = paid.n
    day_s = 86_400
    snapshot = cal.days * day_s - 1  # end_date 23:59:59
    paid_at = paid.day * day_s + paid.tod
    cents = np.bincount(items.order, weights=items.cents, minlength=n).round().astype(np.int64)
    delay = 10 + rng.exponential(120, n)
    slow = rng.random(n) < 0.06
    delay[slow] = 10 + rng.exponential(1800, slow.sum())
    created = paid_at - delay.astype(np.int64)
    # refunds: probability by the order's main sub-category, a bit higher after promotions
    first_line = np.r_[0, np.cumsum(np.bincount(items.order, minlength=n))[:-1]]
    main = cat.subcat[items.sku[first_line]]
    rate = np.array([s.refund_rate for s in model.subcats])[main]
    full = rng.random(n) < 0.8
    frac = np.where(full, 1.0, rng.uniform(0.2, 0.7, n))
    p = rate / 0.89 * (1 + 0.25 * np.clip(dem.intensity[cal.burn + paid.day], 0, 1))
    has = rng.random(n) < p
    early = rng.random(n) < 0.35  # cancelled before shipping
    request = np.where(early, rng.uniform(0.02, 1.0, n), rng.uniform(*model.refund_request_days, n))
    process = np.where(early, rng.uniform(0.05, 1.0, n), rng.uniform(1.0, 5.0, n))
    done = paid_at + ((request + process) * day_s).astype(np.int64)
    requested = paid_at + (request * day_s).astype(np.int64)
    if plan.active:
        has, frac, done, requested = planted.plant_refund_spike(rng, cal, plan, cat, paid, items, paid_at, has,
                                                                frac, done, requested)
    refund_cents = np.where(has, np.maximum(1, np.round(cents * frac)), 0).astype(np.int64)
    refund_cents = np.minimum(refund_cents, cents)
    status = np.full(n, _status_code("completed"), np.int64)
    ship = paid_at + (rng.uniform(*model.ship_days, n) * day_s).astype(np.int64)
    settle = ship + (rng.uniform(*model.settle_days, n) * day_s).astype(np.int64)
    status[snapshot < settle] = _status_code("shipped")
    status[snapshot < ship] = _status_code("paid")
    refunded = has & (done <= snapshot)
    refunding = has & ~refunded & (requested <= snapshot)
    status[refunding] = _status_code("refunding")
    status[refunded] = _status_code("refunded")
    refund_cents = np.where(refunded, refund_cents, 0)
    refunded_at = np.where(refunded, done, -1)
    # unpaid orders: abandoned carts re-ordered later, and visitors who never paid
    n_unpaid = int(round(n * 0.045 / 0.955))
    n_abandon = int(round(n_unpaid * 0.65))
    tmpl = rng.integers(0, n, n_unpaid)
    ab_created = created[tmpl[:n_abandon]] - rng.integers(60, 3600, n_abandon)
    fresh_created = created[tmpl[n_abandon:]] + rng.integers(-3 * 3600, 3 * 3600, n_unpaid - n_abandon)
    u_created = np.clip(np.r_[ab_created, fresh_created], 0, snapshot)
    u_cust = np.r_[paid.cust[tmpl[:n_abandon]], paid.n_customers + np.arange(n_unpaid - n_abandon)]
    u_status = np.full(n_unpaid, _status_code("closed"), np.int64)
    pending = (np.arange(n_unpaid) >= n_abandon) & (snapshot - u_created < 24 * 3600)
    u_status[pending] = _status_code("pending_payment")
    return OrderTable(
        cust=np.r_[paid.cust, u_cust], created=np.r_[created, u_created], paid_at=np.r_[paid_at, np.full(n_unpaid, -1)],
        cents=np.r_[cents, np.zeros(n_unpaid, np.int64)], refund_cents=np.r_[refund_cents, np.zeros(n_unpaid, np.int64)],
        refunded_at=np.r_[refunded_at, np.full(n_unpaid, -1)], status=np.r_[status, u_status],
        src=np.r_[paid.src, paid.src[tmpl]],
    )


def drop_orders(paid: Paid, items: Items, orders: OrderTable, drop_paid: np.ndarray,
                drop_unpaid: np.ndarray) -> tuple[Paid, Items, OrderTable]:
    """The simulation without the paid orders where ``drop_paid`` (and their lines) and the unpaid
    ones where ``drop_unpaid``; every other order keeps all its draws. Before `assign_keys`."""
    paid, items = items.keep(paid, ~drop_paid[items.order])
    keep = np.r_[~drop_paid, ~drop_unpaid]
    kept = {f.name: getattr(orders, f.name)[keep] for f in fields(OrderTable) if f.name != "key"}  # not assigned yet
    return paid, items, OrderTable(**kept)


def assign_keys(orders: OrderTable, cal: Calendar) -> None:
    """order_id = shop_id + yymmdd of creation + 7-digit sequence of that day (by creation time)."""
    cday = np.floor_divide(orders.created, 86_400)
    o = argsort_unique(orders.created - orders.created.min())
    sorted_day = cday[o]
    starts = np.r_[True, sorted_day[1:] != sorted_day[:-1]]
    first_of_day = np.maximum.accumulate(np.where(starts, np.arange(len(o)), 0))
    seq = np.arange(len(o)) - first_of_day
    lo, hi = int(cday.min()), int(cday.max())
    key = np.empty(len(o), np.int64)
    key[o] = yymmdd(cal.start, np.arange(lo, hi + 1))[sorted_day - lo] * 10**7 + seq
    orders.key = key


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """``orders`` (by order id) and ``order_items``."""
    sid, start, orders, items = sim.model.shop.shop_id, sim.cal.start, sim.orders, sim.items
    o = argsort_unique(orders.key)
    unpaid = orders.paid_at[o] < 0
    no_refund = orders.refunded_at[o] < 0
    return {
        "orders": {
            "order_id": fixed_ids(sid, orders.key[o], 13),
            "customer_id": fixed_ids(sim.model.customer_prefix, orders.cust[o], 8),
            "created_at": stamps(start, orders.created[o]),
            "paid_at": stamps(start, np.maximum(orders.paid_at[o], 0), unpaid),
            "paid_amount": Cents(orders.cents[o]), "refund_amount": Cents(orders.refund_cents[o]),
            "refunded_at": stamps(start, np.maximum(orders.refunded_at[o], 0), no_refund),
            "status": labels(orders.status[o], ORDER_STATUSES), "source": labels(orders.src[o], SOURCES),
        },
        "order_items": {
            "order_id": fixed_ids(sid, orders.key[:sim.paid.n][items.order], 13),
            "sku_id": labels(items.sku, sim.catalog.sku_id), "quantity": items.qty, "paid_amount": Cents(items.cents),
        },
    }
