"""The promotion retrospective's demo data: ``promotion_phases``, ``promo_skus``, ``price_history``
and ``coupons`` for every promotion of ``promotions``, and their planted price-rule violations.

* Phases: Double 11 and 618 have a pre-sale (warmup, deposit, balance, burst, back to back from
  the promotion's start to its end: Double 11 warm-up from Oct 20 20:00, deposits from Oct 24,
  balances from the first wave Oct 31 20:00, burst Nov 10-13; 618 the same from May 20 20:00 /
  May 24 / May 31 20:00 / Jun 16-20); 818 and Double 12 warm up until their peak day; shop events
  are "3 days build-up + 2 days burst". A phase's ``target_gmv`` is the promotion's target split
  by the expected sales of its days (days with the balance phase for the deposit days, whose
  target is empty: deposits are not GMV until the balance is paid).
* Promoted SKUs: 20-40 for 618 and Double 11, 8-15 for the other events, drawn by popularity
  from the SKUs on the shelf over the whole promotion. Promotion price 70-80% of the list price,
  capped so that every promoted SKU keeps the price rule (<= 80% of the list price and of the
  everyday price, and <= its lowest price of the 30 days before the start); stock allocated
  1.1-1.6x the units it sold during the promotion (empty for an upcoming promotion).
* Price history: one row per SKU on the shelf and day of the window (as ``inventory_daily``): the
  price its orders are simulated at (list price x the SKU's everyday factor, x the shop-wide
  promotion factor on promotion days), the promotion price on its promotions' days, and about three
  short markdowns a year (1-3 days at 85-93%) outside promotions. Orders are not re-priced: they
  follow the shop-wide factor, not the SKU's promotion price or markdowns.
* Coupons: 2-4 threshold tiers per promotion that has started (around 0.6x-2.5x the shop's average
  order, 8-15% off), issued 1.2-2.5x the promotion's paid orders, 15-45% of them redeemed.

Planted (``plant_events=True``), in the last Double 11 of the window of each shop (``PROMO_PLANTED``,
``promo_planted_events``): the shop's two most popular established SKUs are promoted and break the
price rule, one rule each. ``price_above_daily_sku`` (sold at its list price every day) is priced
at 85% of its list price and has no markdown in the 30 days before the start, so its price is above
80% of the list price but not above its 30-day low; ``price_above_low_sku`` is priced within 80% of
its list price, but a two-day markdown 12 and 11 days before the start (~10% below its promotion
price) makes its promotion price higher than its 30-day low. Neither is promoted in another
promotion overlapping those 30 days; every other promoted SKU keeps both rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .calendar import DEMO_END_DATE, FUTURE_DAYS, Calendar, Demand, Promo, promotions
from .catalog import Catalog, make_catalog, unit_cents
from .sampling import stream
from .shops import MODELS
from .targets import promotion_rows
from .write import Cents, Columns, dates

if TYPE_CHECKING:
    from .build import SimulatedShop

BIG_EVENTS = ("618", "double11")  # with pre-sale and 20-40 promoted SKUs
PROMO_SHARE = (0.70, 0.80)  # promotion price / list price
PRICE_RULE_SHARE = 0.80  # promotion price <= 80% of the daily (list) price
LOW_DAYS = 30  # ... and <= the lowest price of the 30 days before the start
ABOVE_DAILY_SHARE = 0.85  # the planted SKU's promotion price / list price
PLANTED_MARKDOWN_DAYS_BEFORE = 12  # the planted markdown: 12 and 11 days before the start


@dataclass(frozen=True)
class PromoPriceViolations:
    """The planted price-rule violations of one shop's last Double 11 (``promo_id``):
    ``price_above_daily_sku``'s promotion price is above 80% of its list price (and no higher than
    its 30-day low); ``price_above_low_sku``'s is within 80% of its list price but above its lowest
    price of the 30 days before the start, a markdown on ``markdown_dates``."""

    promo_id: str
    price_above_daily_sku: str
    price_above_low_sku: str
    markdown_dates: tuple[dt.date, dt.date]


def _last_double11(promos: list[Promo], end: dt.date) -> Promo | None:
    done = [p for p in promos if p.event == "double11" and p.end_at.date() <= end]
    return max(done, key=lambda p: p.start_at) if done else None


def _planted_skus(cat: Catalog, p: Promo, end: dt.date) -> tuple[int, int]:
    """The SKUs (indices) that break the price rule in ``p``: the two most popular established SKUs
    on the shelf from 30 days before the start to the end, the first one sold at its list price
    every day (everyday factor 1). Depends on the catalogue and dates only, not on the seed."""
    rel_first = (p.start_at.date() - dt.timedelta(days=LOW_DAYS) - end).days
    rel_last = (p.end_at.date() - end).days
    ok = (cat.launched <= rel_first) & (cat.off >= rel_last) & ~cat.new
    ranked = [int(k) for k in np.argsort(-cat.popularity, kind="stable") if ok[k]]
    k_daily = next(k for k in ranked if cat.everyday[k] == 1.0)
    k_low = next(k for k in ranked if k != k_daily)
    return k_daily, k_low


def promo_planted_events(end_date: dt.date = DEMO_END_DATE) -> dict[str, PromoPriceViolations]:
    """What ``build_demo_warehouse(..., end_date=end_date, plant_events=True)`` plants in the
    promotion tables, per shop id: independent of ``seed``, ``orders_per_shop`` and ``days`` (the
    catalogue is fixed per shop), given a window that holds the 30 days before the last Double 11."""
    out = {}
    for model in MODELS:
        cat = make_catalog(model)
        promo = _last_double11(promotions(model, end_date.year - 1, end_date.year), end_date)
        if promo is None:
            continue
        k_daily, k_low = _planted_skus(cat, promo, end_date)
        out[model.shop.shop_id] = PromoPriceViolations(
            promo.promo_id, cat.sku_id[k_daily], cat.sku_id[k_low], _markdown_dates(promo))
    return out


def _markdown_dates(p: Promo) -> tuple[dt.date, dt.date]:
    first = p.start_at.date() - dt.timedelta(days=PLANTED_MARKDOWN_DAYS_BEFORE)
    return first, first + dt.timedelta(days=1)


def _phases(p: Promo) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(phase, start_at, end_at) back to back from the promotion's start to its end."""
    y, sec = p.start_at.year, dt.timedelta(seconds=1)
    at = dt.datetime
    if p.event == "double11":
        cuts = [("warmup", p.start_at), ("deposit", at(y, 10, 24)), ("balance", at(y, 10, 31, 20)),
                ("burst", at(y, 11, 10))]
    elif p.event == "618":
        cuts = [("warmup", p.start_at), ("deposit", at(y, 5, 24)), ("balance", at(y, 5, 31, 20)),
                ("burst", at(y, 6, 16))]
    elif p.event == "shop_event":
        cuts = [("warmup", p.start_at), ("burst", p.start_at + dt.timedelta(days=3))]
    else:  # 818, double12: warm-up until the peak day
        peak = dt.datetime.combine(p.end_at.date(), dt.time())
        cuts = [("warmup", p.start_at), ("burst", peak)]
    ends = [c[1] - sec for c in cuts[1:]] + [p.end_at]
    return [(name, start, end) for (name, start), end in zip(cuts, ends)]


def _in_table(p: Promo, cal: Calendar) -> bool:
    """Whether ``promotions`` has the promotion (targets.promotion_rows' choice)."""
    last = cal.end + dt.timedelta(days=FUTURE_DAYS - 1)
    return not (p.end_at.date() < cal.start or p.start_at.date() > last)


class _Prices:
    """The price per window day and SKU in cents, built up promotion by promotion."""

    def __init__(self, cat: Catalog, cal: Calendar, dem: Demand, rng: np.random.Generator):
        self.cal = cal
        ext = np.arange(cal.burn, cal.burn + cal.days)
        self.base = unit_cents(cat, dem, ext)  # what the orders are simulated at
        self.price = self.base.copy()
        ordinary = dem.price_factor[ext] >= 1.0
        n_md = rng.poisson(3.0 * cal.days / 365.25, size=cat.n)
        for k in range(cat.n):  # ~6 markdowns per SKU over two years: a short loop
            for _ in range(n_md[k]):
                first = int(rng.integers(0, cal.days))
                length = int(rng.integers(1, 4))
                depth = rng.uniform(0.85, 0.93)
                d = np.arange(first, min(first + length, cal.days))
                d = d[ordinary[d]]
                self.price[d, k] = np.minimum(self.price[d, k], np.round(self.base[d, k] * depth))

    def low_before(self, k: int, start: dt.date) -> int | None:
        """Lowest price of SKU ``k`` in the 30 days before ``start`` (None without such days)."""
        a = max(0, self.cal.win(start) - LOW_DAYS)
        b = min(self.cal.days, self.cal.win(start))
        return int(self.price[a:b, k].min()) if b > a else None

    def days_of(self, p: Promo) -> np.ndarray:
        a = max(0, self.cal.win(p.start_at.date()))
        b = min(self.cal.days, self.cal.win(p.end_at.date()) + 1)
        return np.arange(a, b) if b > a else np.zeros(0, np.int64)


def build(sim: SimulatedShop) -> tuple[dict[str, Columns], PromoPriceViolations | None]:
    """This shop's four tables and its planted violations (None without plants or Double 11)."""
    model, cal, dem, cat = sim.model, sim.cal, sim.demand, sim.catalog
    rng_sku = stream(sim.seed, model.index, "promotions-skus")
    rng_coupon = stream(sim.seed, model.index, "promotions-coupons")
    prices = _Prices(cat, cal, dem, stream(sim.seed, model.index, "promotions-markdowns"))
    rows = promotion_rows(model, cal, dem, sim.daily, sim.seed)  # same draws as the promotions table
    target = dict(zip(rows["promo_id"], rows["target_gmv"]))
    promos = sorted((p for p in dem.promos if _in_table(p, cal)), key=lambda p: p.start_at)
    planted_promo = _last_double11(promos, cal.end) if sim.plan.active else None
    if planted_promo is not None:
        k_daily, k_low = _planted_skus(cat, planted_promo, cal.end)
        guard = (planted_promo.start_at.date() - dt.timedelta(days=LOW_DAYS), planted_promo.start_at.date())
    listed = sim.inventory[2]  # (days, SKUs): on the shelf
    units = sim.daily.product["units"]  # (days, SKUs)
    everyday_cents = np.round(cat.list_cents * cat.everyday)
    rule_cap = np.floor(PRICE_RULE_SHARE * np.minimum(cat.list_cents, everyday_cents))
    planted = None
    phases = {k: [] for k in ("promo_id", "phase", "start_at", "end_at", "target_gmv")}
    skus = {k: [] for k in ("promo_id", "sku_id", "promo_price", "stock_allocated")}
    coupons = {k: [] for k in ("promo_id", "coupon_id", "threshold", "discount", "issued", "redeemed")}
    paid_orders = sim.daily.shop["paid_orders"]
    aov = sim.daily.shop["paid_cents"].sum() / max(paid_orders.sum(), 1) / 100.0
    for p in promos:
        _add_phases(phases, p, cal, dem, target[p.promo_id])
        # promoted SKUs: on the shelf over the whole promotion, by popularity
        rel_first = (p.start_at.date() - cal.end).days
        rel_last = (p.end_at.date() - cal.end).days
        cands = np.nonzero((cat.launched <= rel_first) & (cat.off >= rel_last))[0]
        if planted_promo is not None and p is not planted_promo and \
                p.start_at.date() < guard[1] and p.end_at.date() >= guard[0]:
            cands = cands[~np.isin(cands, [k_daily, k_low])]  # their 30-day low stays as planted
        lo_n, hi_n = (20, 40) if p.event in BIG_EVENTS else (8, 15)
        n = min(len(cands), int(rng_sku.integers(lo_n, hi_n + 1)))
        w = cat.popularity[cands] / cat.popularity[cands].sum()
        chosen = rng_sku.choice(cands, size=n, replace=False, p=w)
        share = rng_sku.uniform(*PROMO_SHARE, size=n)
        alloc = rng_sku.uniform(1.1, 1.6, size=n)
        is_planted = p is planted_promo
        if is_planted:  # the planted SKUs are promoted (in place of the least popular ones)
            missing = [k for k in (k_daily, k_low) if k not in chosen]
            if missing:
                keep = chosen[np.isin(chosen, [k_daily, k_low])]
                rest = chosen[~np.isin(chosen, [k_daily, k_low])]
                rest = rest[np.argsort(-cat.popularity[rest], kind="stable")][:n - len(keep) - len(missing)]
                chosen = np.r_[keep, missing, rest].astype(chosen.dtype)
        promo_cents = np.floor(cat.list_cents[chosen] * share / 100) * 100  # whole yuan
        promo_cents = np.maximum(np.minimum(promo_cents, rule_cap[chosen]), 0)
        start = p.start_at.date()
        for j, k in enumerate(chosen):
            low = prices.low_before(k, start)
            if low is not None:
                promo_cents[j] = min(promo_cents[j], low)
        if is_planted:
            planted, promo_cents = _plant(p, chosen, promo_cents, cat, prices, k_daily, k_low)
        d = prices.days_of(p)
        if len(d):
            prices.price[np.ix_(d, chosen)] = np.minimum(prices.price[np.ix_(d, chosen)], promo_cents[None, :])
        for j, k in enumerate(chosen):
            skus["promo_id"].append(p.promo_id)
            skus["sku_id"].append(cat.sku_id[k])
            skus["promo_price"].append(int(promo_cents[j]))
            sold = int(units[d, k].sum()) if len(d) and p.end_at.date() <= cal.end else None
            skus["stock_allocated"].append(None if sold is None else int(np.ceil(max(sold, 5) * alloc[j] / 10) * 10))
        if start <= cal.end:
            _add_coupons(coupons, p, prices.days_of(p), paid_orders, aov, rng_coupon)
    d_idx, k_idx = np.nonzero(listed)
    tables = {
        "promotion_phases": {
            "promo_id": phases["promo_id"], "phase": phases["phase"],
            "start_at": pa.array(phases["start_at"], pa.timestamp("us")),
            "end_at": pa.array(phases["end_at"], pa.timestamp("us")),
            "target_gmv": pa.array(phases["target_gmv"], pa.float64()),
        },
        "promo_skus": {
            "promo_id": skus["promo_id"], "sku_id": skus["sku_id"],
            "promo_price": Cents(np.asarray(skus["promo_price"], np.int64)),
            "stock_allocated": pa.array(skus["stock_allocated"], pa.int64()),
        },
        "price_history": {
            "date": dates(cal.start, d_idx), "sku_id": pa.array(np.asarray(cat.sku_id)[k_idx]),
            "price": Cents(prices.price[d_idx, k_idx]),
        },
        "coupons": {
            **{k: coupons[k] for k in ("promo_id", "coupon_id", "issued", "redeemed")},
            "threshold": Cents(np.asarray(coupons["threshold"], np.int64)),
            "discount": Cents(np.asarray(coupons["discount"], np.int64)),
        },
    }
    return tables, planted


def _plant(p: Promo, chosen: np.ndarray, promo_cents: np.ndarray, cat: Catalog, prices: _Prices, k_daily: int,
           k_low: int) -> tuple[PromoPriceViolations, np.ndarray]:
    """Break the price rule for two of the promotion's SKUs (see the module docstring)."""
    start = p.start_at.date()
    a, b = max(0, prices.cal.win(start) - LOW_DAYS), prices.cal.win(start)
    promo_cents = promo_cents.copy()
    # above 80% of the list price; no markdown in the 30 days before (its everyday price is the
    # list price), so its 30-day low stays at or above its promotion price
    j_daily = int(np.nonzero(chosen == k_daily)[0][0])
    prices.price[a:b, k_daily] = prices.base[a:b, k_daily]
    price = np.ceil(cat.list_cents[k_daily] * ABOVE_DAILY_SHARE / 100) * 100
    promo_cents[j_daily] = min(price, prices.low_before(k_daily, start))
    if not promo_cents[j_daily] > PRICE_RULE_SHARE * cat.list_cents[k_daily]:
        raise AssertionError(f"planted price above 80% of the list price failed for {cat.sku_id[k_daily]}")
    # above the 30-day low: within 80%, but marked down ~10% below its promotion price for two days
    j_low = int(np.nonzero(chosen == k_low)[0][0])
    md = np.array([prices.cal.win(d) for d in _markdown_dates(p)])
    cut = max(100, int(promo_cents[j_low]) // 10 // 100 * 100)  # ~10%, whole yuan
    prices.price[md, k_low] = max(0, int(promo_cents[j_low]) - cut)
    violations = PromoPriceViolations(p.promo_id, cat.sku_id[k_daily], cat.sku_id[k_low], _markdown_dates(p))
    return violations, promo_cents


def _add_phases(out: dict, p: Promo, cal: Calendar, dem: Demand, target: float) -> None:
    phases = _phases(p)
    day = [p.start_at.date() + dt.timedelta(days=i) for i in range((p.end_at.date() - p.start_at.date()).days + 1)]
    ext = np.array([cal.burn + cal.win(d) for d in day])
    expected = dem.w_det[ext] * dem.price_factor[ext]
    noon = [dt.datetime.combine(d, dt.time(12)) for d in day]
    which = np.array([next((i for i, (_, s, e) in enumerate(phases) if s <= t <= e), 0) for t in noon])
    weight = np.bincount(which, weights=expected, minlength=len(phases))
    names = [ph[0] for ph in phases]
    if "deposit" in names:  # deposits are not GMV: their days' sales count with the balance
        weight[names.index("balance")] += weight[names.index("deposit")]
        weight[names.index("deposit")] = 0.0
    for i, (name, start, end) in enumerate(phases):
        out["promo_id"].append(p.promo_id)
        out["phase"].append(name)
        out["start_at"].append(start)
        out["end_at"].append(end)
        out["target_gmv"].append(None if name == "deposit" else float(round(target * weight[i] / weight.sum(), -2)))


def _add_coupons(out: dict, p: Promo, days: np.ndarray, paid_orders: np.ndarray, aov: float,
                 rng: np.random.Generator) -> None:
    n_tiers = int(rng.integers(2, 5))
    tiers = np.sort(rng.choice([0.6, 1.0, 1.6, 2.5], size=n_tiers, replace=False))
    orders = int(paid_orders[days].sum()) if len(days) else 0
    step = 50 if aov >= 300 else 10
    for i, f in enumerate(tiers):
        threshold = max(step, round(aov * f / step) * step)
        discount = max(5, round(threshold * rng.uniform(0.08, 0.15) / 5) * 5)
        issued = int(orders * rng.uniform(1.2, 2.5) / n_tiers)
        out["promo_id"].append(p.promo_id)
        out["coupon_id"].append(f"{p.promo_id}-c{i + 1}")
        out["threshold"].append(int(threshold * 100))
        out["discount"].append(int(discount * 100))
        out["issued"].append(issued)
        out["redeemed"].append(int(issued * rng.uniform(0.15, 0.45)))


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """``promotion_phases``, ``promo_skus``, ``price_history`` and ``coupons``."""
    return build(sim)[0]


PROMO_PLANTED: dict[str, PromoPriceViolations] = promo_planted_events(DEMO_END_DATE)
