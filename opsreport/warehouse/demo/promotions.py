"""The promotion retrospective's demo data: ``promotion_phases``, ``promo_skus``, ``price_history``,
``coupons``, ``presale_orders`` and ``promo_ad_budgets`` for the promotions of ``promotions``.

* Phases: Double 11 and 618 have a pre-sale (warmup, deposit, balance, burst, back to back from
  the promotion's start to its end: Double 11 warm-up from Oct 20 20:00, deposits from Oct 24,
  balances from the first wave Oct 31 20:00, burst Nov 10-13; 618 the same from May 20 20:00 /
  May 24 / May 31 20:00 / Jun 16-20); 818 and Double 12 warm up until their peak day; shop events
  are "3 days build-up + 2 days burst". A phase's ``target_gmv`` is the promotion's target split
  by the expected sales of its days (the deposit phase's target is its ordinary sales: deposits
  themselves are not GMV until the balance is paid).
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
* Pre-sale orders (618 and Double 11, when the first hours of the balance phase lie in the window):
  30-40% of the orders paid in the balance phase's first 4 hours (the first wave's evening) are
  pre-sale orders, taken from ``orders`` as they are: deposit paid at a random time of a full day
  of the deposit phase (the hour as on an ordinary day), whole yuan, 10-20% of the order's paid
  amount; balance = the rest, paid at the order's paid_at; quantity = the order's units. Plus
  8-15% more deposits whose balance was never paid: amounts and quantity like a pre-sale order's,
  a buyer of the promotion, and an order id of the deposit's day numbered from 9000000, beyond any
  day's orders (they are not in ``orders``).
* Ad budgets, for every promotion inside the window that has ended: per channel of ``ads_daily``,
  its planned spend over the promotion's days x 1.00-1.15, rounded up to 100 yuan, so the channels
  spend within their budgets; when they add up to more than the promotion's ``budget`` (its
  channels outspent it), all are scaled down to fit, rounded down to 100 yuan.

Planted events (``plant_events=True``) in each shop's last Double 11 are described in
``promo_planted.py`` (``PROMO_PLANTED``); here the price rule is broken for two SKUs (`_plant`),
the sold-out SKU is promoted with exactly what it sold allocated, its coupons are redeemed at
5-7%, and the overspent channel's budget is 1.00-1.05x its planned spend.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .calendar import FUTURE_DAYS, Calendar, Demand, Promo
from .catalog import Catalog, unit_cents
from .customers import time_of_day
from .promo_planted import LOW_DAYS, PLANTED_BUDGET_FACTOR, PromoPlan, markdown_dates, window_second
from .sampling import stream
from .targets import promotion_rows
from .write import Cents, Columns, dates, fixed_ids, stamps, yymmdd

if TYPE_CHECKING:
    from .build import SimulatedShop

BIG_EVENTS = ("618", "double11")  # with pre-sale and 20-40 promoted SKUs
PROMO_SHARE = (0.70, 0.80)  # promotion price / list price
PRICE_RULE_SHARE = 0.80  # promotion price <= 80% of the daily (list) price
ABOVE_DAILY_SHARE = 0.85  # the planted SKU's promotion price / list price
REDEMPTION = (0.15, 0.45)  # coupons redeemed / issued, per tier
PRESALE_HOURS = 4  # the balance phase's first hours, whose orders include the pre-sale orders ...
PRESALE_SHARE = (0.30, 0.40)  # ... this share of them
DEPOSIT_SHARE = (0.10, 0.20)  # deposit / the order's paid amount
UNPAID_DEPOSITS = (0.08, 0.15)  # deposits never completed / pre-sale orders completed
UNPAID_FROM = 9_000_000  # daily sequence numbers of the never-completed deposits' order ids
BUDGET_FACTOR = (1.00, 1.15)  # a channel's promotion budget / its planned spend


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


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """This shop's six tables."""
    model, cal, dem, cat = sim.model, sim.cal, sim.demand, sim.catalog
    rng_sku = stream(sim.seed, model.index, "promotions-skus")
    rng_coupon = stream(sim.seed, model.index, "promotions-coupons")
    prices = _Prices(cat, cal, dem, stream(sim.seed, model.index, "promotions-markdowns"))
    rows = promotion_rows(model, cal, dem, sim.daily, sim.seed)  # same draws as the promotions table
    target = dict(zip(rows["promo_id"], rows["target_gmv"]))
    promos = sorted((p for p in dem.promos if _in_table(p, cal)), key=lambda p: p.start_at)
    plan = sim.plan.promo if sim.plan.active else None
    if plan is not None:
        forced = [*plan.price_skus, plan.stock_sku]
        guard = (plan.promo.start_at.date() - dt.timedelta(days=LOW_DAYS), plan.promo.start_at.date())
    listed = sim.inventory[2]  # (days, SKUs): on the shelf
    units = sim.daily.product["units"]  # (days, SKUs)
    everyday_cents = np.round(cat.list_cents * cat.everyday)
    rule_cap = np.floor(PRICE_RULE_SHARE * np.minimum(cat.list_cents, everyday_cents))
    phases = {k: [] for k in ("promo_id", "phase", "start_at", "end_at", "target_gmv")}
    skus = {k: [] for k in ("promo_id", "sku_id", "promo_price", "stock_allocated")}
    coupons = {k: [] for k in ("promo_id", "coupon_id", "threshold", "discount", "issued", "redeemed")}
    paid_orders = sim.daily.shop["paid_orders"]
    aov = sim.daily.shop["paid_cents"].sum() / max(paid_orders.sum(), 1) / 100.0
    for p in promos:
        _add_phases(phases, p, cal, dem, target[p.promo_id])
        is_planted = plan is not None and p.promo_id == plan.promo.promo_id
        # promoted SKUs: on the shelf over the whole promotion, by popularity
        rel_first = (p.start_at.date() - cal.end).days
        rel_last = (p.end_at.date() - cal.end).days
        cands = np.nonzero((cat.launched <= rel_first) & (cat.off >= rel_last))[0]
        if plan is not None and not is_planted and p.start_at.date() < guard[1] and p.end_at.date() >= guard[0]:
            cands = cands[~np.isin(cands, plan.price_skus)]  # their 30-day low stays as planted
        lo_n, hi_n = (20, 40) if p.event in BIG_EVENTS else (8, 15)
        n = min(len(cands), int(rng_sku.integers(lo_n, hi_n + 1)))
        w = cat.popularity[cands] / cat.popularity[cands].sum()
        chosen = rng_sku.choice(cands, size=n, replace=False, p=w)
        share = rng_sku.uniform(*PROMO_SHARE, size=n)
        alloc = rng_sku.uniform(1.1, 1.6, size=n)
        if is_planted:  # the planted SKUs are promoted (in place of the least popular ones)
            missing = [k for k in forced if k not in chosen]
            if missing:
                keep = chosen[np.isin(chosen, forced)]
                rest = chosen[~np.isin(chosen, forced)]
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
            promo_cents = _plant(p, chosen, promo_cents, cat, prices, plan)
        d = prices.days_of(p)
        if len(d):
            prices.price[np.ix_(d, chosen)] = np.minimum(prices.price[np.ix_(d, chosen)], promo_cents[None, :])
        for j, k in enumerate(chosen):
            skus["promo_id"].append(p.promo_id)
            skus["sku_id"].append(cat.sku_id[k])
            skus["promo_price"].append(int(promo_cents[j]))
            sold = int(units[d, k].sum()) if len(d) and p.end_at.date() <= cal.end else None
            if sold is not None and is_planted and k == plan.stock_sku:
                allocated = sold  # sold out: the allocation is exactly what it sold
            else:
                allocated = None if sold is None else int(np.ceil(max(sold, 5) * alloc[j] / 10) * 10)
            skus["stock_allocated"].append(allocated)
        if start <= cal.end:
            redemption = plan.events.redemption if is_planted else REDEMPTION
            _add_coupons(coupons, p, prices.days_of(p), paid_orders, aov, rng_coupon, redemption)
    d_idx, k_idx = np.nonzero(listed)
    budget = dict(zip(rows["promo_id"], rows["budget"]))
    return {
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
        "presale_orders": _presale_orders(sim, [p for p in promos if p.event in BIG_EVENTS]),
        "promo_ad_budgets": _ad_budgets(sim, promos, budget, plan),
    }


def _plant(p: Promo, chosen: np.ndarray, promo_cents: np.ndarray, cat: Catalog, prices: _Prices,
           plan: PromoPlan) -> np.ndarray:
    """Break the price rule for two of the promotion's SKUs (see promo_planted.py)."""
    k_daily, k_low = plan.price_skus
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
    md = np.array([prices.cal.win(d) for d in markdown_dates(p)])
    cut = max(100, int(promo_cents[j_low]) // 10 // 100 * 100)  # ~10%, whole yuan
    prices.price[md, k_low] = max(0, int(promo_cents[j_low]) - cut)
    return promo_cents


def _add_phases(out: dict, p: Promo, cal: Calendar, dem: Demand, target: float) -> None:
    phases = _phases(p)
    day = [p.start_at.date() + dt.timedelta(days=i) for i in range((p.end_at.date() - p.start_at.date()).days + 1)]
    ext = np.array([cal.burn + cal.win(d) for d in day])
    expected = dem.w_det[ext] * dem.price_factor[ext]
    noon = [dt.datetime.combine(d, dt.time(12)) for d in day]
    which = np.array([next((i for i, (_, s, e) in enumerate(phases) if s <= t <= e), 0) for t in noon])
    weight = np.bincount(which, weights=expected, minlength=len(phases))
    # every phase, the deposit days too, is targeted on its days' expected sales: deposits are not
    # GMV, but the ordinary orders paid while deposits are taken are
    for i, (name, start, end) in enumerate(phases):
        out["promo_id"].append(p.promo_id)
        out["phase"].append(name)
        out["start_at"].append(start)
        out["end_at"].append(end)
        out["target_gmv"].append(float(round(target * weight[i] / weight.sum(), -2)))


def _add_coupons(out: dict, p: Promo, days: np.ndarray, paid_orders: np.ndarray, aov: float,
                 rng: np.random.Generator, redemption: tuple[float, float]) -> None:
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
        out["redeemed"].append(int(issued * rng.uniform(*redemption)))


def _presale_orders(sim: SimulatedShop, promos: list[Promo]) -> Columns:
    """Pre-sale orders of ``promos`` whose balance phase starts in the window: orders of the first
    wave's hours with a deposit, and deposits never completed (see the module docstring)."""
    cal, paid = sim.cal, sim.paid
    rng = stream(sim.seed, sim.model.index, "promotions-presale")
    sec = paid.sec
    units = np.bincount(sim.items.order, weights=sim.items.qty, minlength=paid.n).round().astype(np.int64)
    cols: dict[str, list] = {k: [] for k in ("promo_id", "key", "cust", "qty", "deposit_at", "deposit", "balance",
                                            "balance_at")}
    unpaid_seq = 0
    for p in promos:
        phase = {name: (start, end) for name, start, end in _phases(p)}
        first = window_second(cal, phase["balance"][0])
        if first < 0 or first + PRESALE_HOURS * 3600 > cal.days * 86_400:
            continue
        wave = np.nonzero((sec >= first) & (sec < first + PRESALE_HOURS * 3600))[0]
        done = wave[rng.random(len(wave)) < rng.uniform(*PRESALE_SHARE)]
        if not len(done):
            continue
        buyers = np.nonzero((sec >= window_second(cal, p.start_at)) & (sec <= window_second(cal, p.end_at)))[0]
        n_never = int(round(len(done) * rng.uniform(*UNPAID_DEPOSITS)))
        like = rng.choice(done, n_never)  # amounts and quantity like a pre-sale order's
        never_cust = paid.cust[rng.choice(buyers, n_never)]
        deposit_days = (cal.win(phase["deposit"][0].date()), cal.win(phase["balance"][0].date()))  # full days
        day = rng.integers(*deposit_days, size=len(done) + n_never)
        deposit_at = day * 86_400 + time_of_day(day, cal, sim.demand, rng)
        cents = sim.orders.cents[np.r_[done, like]]
        deposit = np.minimum(np.maximum(np.round(cents * rng.uniform(*DEPOSIT_SHARE, len(cents)) / 100) * 100, 100),
                             cents).astype(np.int64)
        never_key = yymmdd(cal.start, day[len(done):]) * 10**7 + UNPAID_FROM + unpaid_seq + np.arange(n_never)
        unpaid_seq += n_never
        cols["promo_id"] += [p.promo_id] * len(cents)
        cols["key"].append(np.r_[sim.orders.key[done], never_key])
        cols["cust"].append(np.r_[paid.cust[done], never_cust])
        cols["qty"].append(np.r_[units[done], units[like]])
        cols["deposit_at"].append(deposit_at)
        cols["deposit"].append(deposit)
        cols["balance"].append(cents - deposit)
        cols["balance_at"].append(np.r_[sec[done], np.full(n_never, -1)])
    arr = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in cols.items() if k != "promo_id"}
    never = arr["balance_at"] < 0
    return {
        "promo_id": pa.array(cols["promo_id"], pa.string()),
        "order_id": fixed_ids(sim.model.shop.shop_id, arr["key"], 13),
        "customer_id": fixed_ids(sim.model.customer_prefix, arr["cust"], 8),
        "quantity": arr["qty"],
        "deposit_paid_at": stamps(cal.start, arr["deposit_at"]),
        "deposit_amount": Cents(arr["deposit"]),
        "balance_amount": Cents(arr["balance"]),
        "balance_paid_at": stamps(cal.start, np.maximum(arr["balance_at"], 0), never),
    }


def _ad_budgets(sim: SimulatedShop, promos: list[Promo], budget: dict[str, float], plan: PromoPlan | None) -> Columns:
    """Each ad channel's budget for every promotion inside the window that has ended, from its
    planned spend (see the module docstring)."""
    cal, ads = sim.cal, sim.ads
    rng = stream(sim.seed, sim.model.index, "promotions-ad-budgets")
    channels = list(dict.fromkeys(c.channel for c in sim.model.campaigns))
    out: dict[str, list] = {"promo_id": [], "channel": [], "budget": []}
    for p in promos:
        first, last = p.start_at.date(), p.end_at.date()
        if first < cal.start or last > cal.end:
            continue
        inside = (ads["day"] >= cal.win(first)) & (ads["day"] <= cal.win(last))
        overspent = plan.events.overspent_channel if plan is not None and p.promo_id == plan.promo.promo_id else None
        cents = {}
        for channel in channels:
            planned = int(round(ads["planned_spend"][inside & (ads["channel"] == channel)].sum() * 100))
            if planned > 0:
                factor = rng.uniform(*(PLANTED_BUDGET_FACTOR if channel == overspent else BUDGET_FACTOR))
                cents[channel] = int(np.ceil(planned * factor / 10_000)) * 10_000  # whole 100 yuan
        cap, total = int(round(budget[p.promo_id] * 100)), sum(cents.values())
        if total > cap:  # the channels outspent the promotion's budget: their budgets share it
            cents = {channel: c * cap // total // 10_000 * 10_000 for channel, c in cents.items()}
        out["promo_id"] += [p.promo_id] * len(cents)
        out["channel"] += list(cents)
        out["budget"] += list(cents.values())
    return {"promo_id": out["promo_id"], "channel": out["channel"],
            "budget": Cents(np.asarray(out["budget"], np.int64))}
