"""The shop's products and what each sells: the catalogue (SKU ids, names, prices, costs,
launches, discontinuations, popularity, funnel rates, stock policy), each SKU's relative demand
per day and its selling price; and the master-data tables ``shops`` and ``products``.

The catalogue depends on the shop only (its own seed, not the build's ``seed``, scale or dates),
so the planted SKUs (``PLANTED``) hold for every build. SKU choice is Pareto-like (top 20% of
SKUs ~80% of GMV) and follows launches, discontinuations and sub-category seasons (coats in
winter, T-shirts in summer); promotion prices are 75-92% of the everyday price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .calendar import Calendar, Demand
from .sampling import stream
from .shops import ShopModel
from .write import Cents, Columns, dates

if TYPE_CHECKING:
    from .build import SimulatedShop

CATALOG_SEED = 7_110_388  # the catalogue (SKU ids, names, prices) does not depend on the build's seed
NEW_PRODUCT_DAYS_AGO = (26, 19, 13, 9, 6, 4)  # the newest SKUs, under test: launched this many days before the end
NEW_PRODUCT_HITS = (13, 4)  # of those, the potential hits (planted.NewProducts)


@dataclass
class Catalog:
    sku_id: list[str]
    name: list[str]
    subcat: np.ndarray  # index into model.subcats
    list_cents: np.ndarray  # int64
    cost_cents: np.ndarray
    launched: np.ndarray  # window-independent: days relative to end (negative = before end)
    off: np.ndarray  # day (relative to end) after which the SKU is off the shelf; large = on shelf
    popularity: np.ndarray
    everyday: np.ndarray  # everyday price factor (shop discount vs list price)
    life_amp: np.ndarray
    life_period: np.ndarray
    life_phase: np.ndarray
    conversion: np.ndarray  # SKU conversion (paid buyers / uv) on an ordinary day
    cart_rate: np.ndarray
    fav_rate: np.ndarray
    new: np.ndarray  # bool: product under test (launched in the last weeks)
    hit: np.ndarray  # bool: potential hit among the new ones
    stock_policy: np.ndarray  # 0 normal, 1 overstocked, 2 low cover

    @property
    def n(self) -> int:
        return len(self.sku_id)


def _round_price(x: np.ndarray, step: int) -> np.ndarray:
    return np.maximum(step - 1, np.round(x / step) * step - 1)


def make_catalog(model: ShopModel) -> Catalog:
    """The shop's products; depends on the shop only (not on seed, scale or dates)."""
    rng = stream(CATALOG_SEED, model.index, "catalog")
    n_new = len(NEW_PRODUCT_DAYS_AGO)
    n_old = model.n_skus - n_new
    shares = np.array([s.sku_share for s in model.subcats])
    counts = np.floor(shares / shares.sum() * model.n_skus).astype(int)
    counts[np.argmax(shares)] += model.n_skus - counts.sum()
    subcat = np.repeat(np.arange(len(model.subcats)), counts)
    rng.shuffle(subcat)
    names, list_price, cost = [], np.zeros(model.n_skus), np.zeros(model.n_skus)
    used: set[str] = set()
    type_price = {}
    for i, k in enumerate(subcat):
        sc = model.subcats[k]
        for _ in range(50):
            series = sc.series[rng.integers(len(sc.series))]
            t = sc.types[rng.integers(len(sc.types))]
            v = sc.variants[rng.integers(len(sc.variants))]
            name = f"{model.brand}{series}{t} {v}"
            if name not in used:
                break
        used.add(name)
        names.append(name)
        if (k, t) not in type_price:
            lo, hi = sc.price
            type_price[(k, t)] = np.exp(rng.uniform(np.log(lo), np.log(hi)))
        base = type_price[(k, t)] * rng.uniform(0.8, 1.25)
        list_price[i] = np.clip(base, sc.price[0], sc.price[1])
        cost[i] = list_price[i] * rng.uniform(*sc.cost_ratio)
    list_price = _round_price(list_price, model.round_to)
    # launches: established SKUs over the last 4 years, the newest 6 under test
    launched = np.r_[-rng.integers(60, 4 * 365, size=n_old), -np.asarray(NEW_PRODUCT_DAYS_AGO)]
    order = np.argsort(launched, kind="stable")  # sku numbers follow launch dates
    # popularity: Pareto-like; a handful of hero products carry a large share of sales
    pop = (1.0 + rng.permutation(model.n_skus)) ** -1.05
    new = np.zeros(model.n_skus, bool)
    new[n_old:] = True
    hit = np.zeros(model.n_skus, bool)
    for ago in NEW_PRODUCT_HITS:
        hit[n_old + NEW_PRODUCT_DAYS_AGO.index(ago)] = True
    pop[new] = np.sort(pop[:n_old])[::-1][rng.integers(15, 35, size=n_new)]
    # some established SKUs were discontinued (never the very popular ones)
    off = np.full(model.n_skus, 10**6)
    candidates = np.nonzero(~new & (pop < np.quantile(pop, 0.6)))[0]
    gone = rng.choice(candidates, size=int(0.08 * model.n_skus), replace=False)
    off[gone] = -rng.integers(70, 600, size=len(gone))
    off = np.maximum(off, launched + 60)
    conv = rng.uniform(0.02, 0.08, model.n_skus)
    conv[new] = rng.uniform(0.015, 0.03, n_new)
    cart = conv * rng.uniform(1.8, 3.0, model.n_skus)
    fav = rng.uniform(0.02, 0.05, model.n_skus)
    cart[new & hit] = rng.uniform(0.08, 0.09, hit.sum())
    fav[new & hit] = rng.uniform(0.03, 0.04, hit.sum())
    cart[new & ~hit] = rng.uniform(0.02, 0.03, (new & ~hit).sum())
    fav[new & ~hit] = rng.uniform(0.01, 0.02, (new & ~hit).sum())
    policy = np.zeros(model.n_skus, np.int8)
    slow = np.nonzero(~new & (pop < np.quantile(pop, 0.5)) & (off > 0))[0]
    policy[rng.choice(slow, size=max(3, int(0.08 * model.n_skus)), replace=False)] = 1
    mid = np.nonzero(~new & (policy == 0) & (pop > np.quantile(pop, 0.3)) & (pop < np.quantile(pop, 0.85)) & (off > 0))[0]
    policy[rng.choice(mid, size=4, replace=False)] = 2
    cat = Catalog(
        sku_id=[], name=names, subcat=subcat, list_cents=np.round(list_price * 100).astype(np.int64),
        cost_cents=np.round(cost * 100).astype(np.int64), launched=launched, off=off, popularity=pop,
        everyday=rng.choice([1.0, 0.95, 0.9], size=model.n_skus, p=[0.5, 0.3, 0.2]),
        life_amp=rng.uniform(0.0, 0.35, model.n_skus), life_period=rng.uniform(150, 540, model.n_skus),
        life_phase=rng.uniform(0, 2 * np.pi, model.n_skus), conversion=conv, cart_rate=cart, fav_rate=fav,
        new=new, hit=hit, stock_policy=policy,
    )
    # re-order every per-SKU array by launch date and number the SKUs
    for name in ("subcat", "list_cents", "cost_cents", "launched", "off", "popularity", "everyday", "life_amp",
                 "life_period", "life_phase", "conversion", "cart_rate", "fav_rate", "new", "hit", "stock_policy"):
        setattr(cat, name, getattr(cat, name)[order])
    cat.name = [names[i] for i in order]
    cat.sku_id = [f"{model.sku_prefix}{10001 + i}" for i in range(model.n_skus)]
    return cat


def sku_weights(model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand, first: int, last: int) -> np.ndarray:
    """Relative demand of each SKU on ext days [first, last): popularity x life cycle x season x
    availability x launch push. Shape (days, n_skus)."""
    ext = np.arange(first, last)
    rel = ext - (cal.burn + cal.days - 1)  # days relative to end
    life = np.exp(cat.life_amp * np.sin(2 * np.pi * rel[:, None] / cat.life_period + cat.life_phase))
    seasons = np.array([s.season for s in model.subcats])  # (subcats, 12)
    season = seasons[cat.subcat][:, dem.month[ext] - 1].T  # (days, skus)
    avail = (rel[:, None] >= cat.launched) & (rel[:, None] <= cat.off)
    age = rel[:, None] - cat.launched
    push = np.where((age >= 0) & (age < 14), 1.6, 1.0)
    return cat.popularity * life * season * avail * push


def unit_cents(cat: Catalog, dem: Demand, ext: np.ndarray) -> np.ndarray:
    """Selling price per unit in cents, (days, skus)."""
    factor = np.minimum(cat.everyday[None, :] * dem.price_factor[ext][:, None], cat.everyday[None, :])
    return np.round(cat.list_cents[None, :] * factor).astype(np.int64)


def expected_gmv_rank(model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand,
                      days: tuple[dt.date, dt.date] | None = None) -> np.ndarray:
    """SKU indices by expected GMV over ``days`` (first, last; default: the 8 weeks before the
    planted week), highest first; products under test last. Depends on the catalogue and dates
    only, not on the seed."""
    if days is None:
        days = (cal.week_start - dt.timedelta(days=56), cal.week_start - dt.timedelta(days=1))
    lo = cal.burn + cal.win(days[0])
    hi = cal.burn + cal.win(days[1]) + 1
    wts = sku_weights(model, cat, cal, dem, lo, hi)
    share = wts / wts.sum(axis=1, keepdims=True)
    qty = np.array([np.dot(np.arange(1, 5), s.qty_p) for s in model.subcats])[cat.subcat]
    price = unit_cents(cat, dem, np.arange(lo, hi))
    gmv = (dem.w_det[lo:hi, None] * share * price * qty).sum(axis=0)
    gmv[cat.new] = -1
    return np.argsort(-gmv, kind="stable")


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """``shops`` (the shop's row) and ``products``."""
    model, cat, s = sim.model, sim.catalog, sim.model.shop
    return {
        "shops": {"name": [s.name], "platform": [s.platform], "category": [s.category], "currency": [s.currency]},
        "products": {
            "sku_id": cat.sku_id, "product_name": cat.name,
            "category": [model.subcats[k].name for k in cat.subcat],
            "list_price": Cents(cat.list_cents), "unit_cost": Cents(cat.cost_cents),
            "launched_on": dates(sim.cal.end, cat.launched),
            "status": ["off_shelf" if off < 0 else "on_shelf" for off in cat.off],
        },
    }
