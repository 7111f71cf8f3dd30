"""The competitor teardown's demo tables: ``competitors``, ``competitor_sets``, ``competitor_daily``,
``competitor_traffic``, ``competitor_products``, ``competitor_promos``, ``competitor_reviews`` and
``sku_matches``, for the competitors of each shop (``shops.yaml``: ``competition``).

How the data come about:

* The rivals' products (`make_rivals`) are fixed per shop, like our catalogue (their own stream
  of ``catalog.CATALOG_SEED``, not the build's ``seed``): 30-60 products per competitor over our
  sub-categories, priced at its ``price_position`` times ours (whole yuan ending in 9 at the
  shop's ``round_to`` step), rare everyday price changes more than 60 days before the end,
  launches and delistings (1-3 launches and 1-2 delistings in the month of the end date), and
  the counterparts of 10-15 of our best sellers (``expected_gmv_rank``, the weekly review's
  planted conversion-drop SKU always among them) in 1-2 competitors each: ``sku_matches``.
* A competitor's real sales follow our market: our visitors and paid buyers divided by our
  demand index give our level (a 56-day rolling median), times the market's demand (our demand
  index without our own shop events), times its ``size``, its momentum (``growth`` per year,
  size as of the end date), its own AR(1) noise and the lift of its own promotions. Its buyers
  are spread over its listed products (popularity x season x promotion), units drawn per product
  and day; its paid amount is what those units cost that day (promotion price where there is
  one). Visitors split over the sources by its ``source_mix`` (x 1.06: a visitor can come
  through several sources, as in ``traffic_daily``).
* What is written are INDEX values: ``index = a * real ** b`` (``INDEX_CURVES``, one monotone
  curve per metric, b between 0.5 and 0.8) times lognormal noise (sd ``INDEX_NOISE``), rounded to
  whole numbers; the shop's own row (``competitor_id`` = ``schemas.OWN_SHOP``) is the index of
  its real ``shop_daily`` / ``traffic_daily`` values. `real_of` inverts a curve (the noise aside).
* Products: a snapshot per listed day with the everyday price, the promotion price on the days
  of its promotions (price x (1 - depth), whole yuan; NULL otherwise), units of the trailing 30
  days (``monthly_sales``), a rating moving slowly in 4.5-4.9 and cumulative reviews;
  ``sales_index`` is NULL (units are shown).
* Promotions: every competitor joins 618 and Double 11 on the shop's dates (depth 0.15-0.35)
  and runs 2-4 events of its own a year (3-7 days, depth 0.05-0.25) away from them.
* Bad reviews: about 2% of the units of 7-35 days before, spread over 4-5 of the category's tags;
  a row only where a day has at least one bad review with that tag.

Planted (``sim.plan.active``; described in ``competitor_planted.py``, ``COMPETITOR_PLANTED``), each
in another competitor (``plant`` in shops.yaml): the counterpart of the planted conversion-drop SKU
cut ~20% on the planted week's Monday; a competitor's paid share of visitors 15% -> 35% from the
first day of the end date's month; an undercut promotion (depth 0.40, all products) from the day
before our last Double 11 ends to 2 days after; a wave of bad reviews on one tag (x8, days 2-8
of the month) and its products' ratings 4.8 -> 4.5 from the 5th. Without plants, the same
competitors, products and draws, without those four changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from ... import schemas
from .calendar import Calendar, Demand
from .catalog import CATALOG_SEED, Catalog, expected_gmv_rank
from .promo_planted import last_double11
from .sampling import stream
from .shops import MECHANICS, SOURCES, ShopModel
from .write import Cents, Columns, dates, labels

if TYPE_CHECKING:
    from .build import SimulatedShop

# index = a * real ** b (x noise, rounded): the platform's proprietary transform, known here so
# that tests (and only tests) can invert it
INDEX_CURVES: dict[str, tuple[float, float]] = {
    "trade_index": (18.0, 0.72),  # 交易指数 of the paid amount (yuan)
    "traffic_index": (12.0, 0.68),  # 流量指数 of visitors (also each source's, competitor_traffic)
    "search_index": (15.0, 0.66),  # 搜索人气 of the search source's visitors
    "fav_index": (20.0, 0.62),  # 收藏人气 of favouriting users
    "cart_index": (20.0, 0.64),  # 加购人气 of add-to-cart users
    "buyer_index": (25.0, 0.70),  # 客群指数 of paid buyers
    "conversion_index": (8000.0, 0.55),  # 支付转化指数 of paid buyers / visitors
}
INDEX_NOISE = 0.02  # sd of the lognormal noise on every index value

# planted magnitudes (competitor_planted.py describes them)
PRICE_CUT_SHARE = 0.80  # the cut product's everyday price from the planted week's Monday / before
PAID_SHARE = (0.15, 0.35)  # the paid-shift competitor's paid_ads share of visitors, before / from the period start
UNDERCUT_DEPTH = 0.40
UNDERCUT_DAYS = (-1, 2)  # the undercut promotion's first and last day, relative to our last Double 11's last day
REVIEW_WAVE_FACTOR = 8.0
REVIEW_WAVE_DAYS = (1, 7)  # the wave's first and last day, days after the period start (Nov 2 .. Nov 8)
RATING_LEVELS = (4.8, 4.5)  # the rating-drop competitor's ratings before / from RATING_DROP_DAY
RATING_DROP_DAY = 4  # days after the period start (Nov 5)

OVERLAP = 1.06  # the sources' visitors add up to ~1.06 x the shop's (as in traffic_daily)
PRE_DAYS = 29  # days simulated before the window: the first day's trailing 30-day units
N_PRODUCTS = (30, 60)
N_MATCHED = (10, 15)
AR_PHI, AR_SD = 0.55, 0.06  # a competitor's own day-to-day noise (as our demand's)
BAD_REVIEW_RATE = 0.02  # bad reviews (with a tag) per unit sold 7-35 days before
REVIEW_RATE = 0.25  # reviews per unit sold
FAR = 10**6  # "never" for days relative to the end


@dataclass
class Rivals:
    """The competitors' products, fixed per shop (seed-independent); days are relative to the end
    date (0 = end date, negative = before), prices in cents (whole yuan)."""

    comp: np.ndarray  # competitor (index into competition.competitors) per product
    product_id: list[str]
    name: list[str]
    subcat: np.ndarray  # index into model.subcats
    price_cents: np.ndarray  # everyday price before the changes
    change_rel: np.ndarray  # (products, 2): day of each everyday price change (FAR: none)
    change_factor: np.ndarray  # (products, 2)
    launched: np.ndarray  # first day listed
    off: np.ndarray  # last day listed (FAR: still listed)
    popularity: np.ndarray
    rating: np.ndarray  # base rating
    match_sku: list[int]  # sku_matches: our SKU (catalogue index), product index, note
    match_product: list[int]
    match_note: list[str]
    cut_product: int  # the price-cut product: counterpart of the planted conversion-drop SKU

    @property
    def n(self) -> int:
        return len(self.product_id)

    def everyday_cents(self, rel: np.ndarray) -> np.ndarray:
        """Everyday price on days ``rel`` (relative to the end), (days, products), before any plant."""
        price = np.broadcast_to(self.price_cents.astype(float), (len(rel), self.n)).copy()
        for j in range(self.change_rel.shape[1]):
            changed = rel[:, None] >= self.change_rel[None, :, j]
            price = np.where(changed, whole_yuan(price * self.change_factor[None, :, j]), price)
        return price.astype(np.int64)


def whole_yuan(cents: np.ndarray) -> np.ndarray:
    """Cents rounded to whole yuan."""
    return np.round(np.asarray(cents, float) / 100) * 100


def _shelf_price(yuan: np.ndarray, step: int) -> np.ndarray:
    """A shelf price in cents: whole yuan ending in 9 at ``step`` (10 -> 199, 100 -> 2999)."""
    return (np.maximum(step - 1, np.round(np.asarray(yuan) / step) * step - 1) * 100).astype(np.int64)


def period_start(cal: Calendar) -> dt.date:
    """First day of the end date's month: the report period the plants are timed for."""
    return cal.end.replace(day=1)


@dataclass(frozen=True)
class Schedule:
    """The planted dates (``undercut`` None when the window holds no Double 11 that ended)."""

    cut_on: dt.date
    shift_on: dt.date
    undercut: tuple[dt.date, dt.date, str, dt.date] | None  # first, last day, our promo_id, our last day
    wave: tuple[dt.date, dt.date]
    rating_from: dt.date


def schedule(cal: Calendar, dem: Demand) -> Schedule:
    first = period_start(cal)
    ours = last_double11(dem.promos, cal.end)
    undercut = None
    if ours is not None:
        last = ours.end_at.date()
        a, b = (last + dt.timedelta(days=k) for k in UNDERCUT_DAYS)
        if a >= cal.start and a <= cal.end:
            undercut = (a, min(b, cal.end), ours.promo_id, last)
    return Schedule(
        cut_on=cal.week_start, shift_on=first, undercut=undercut,
        wave=(first + dt.timedelta(days=REVIEW_WAVE_DAYS[0]), first + dt.timedelta(days=REVIEW_WAVE_DAYS[1])),
        rating_from=first + dt.timedelta(days=RATING_DROP_DAY),
    )


def plant_index(model: ShopModel, plant: str) -> int:
    """The competitor (index) that carries ``plant``."""
    return next(i for i, c in enumerate(model.competition.competitors) if c.plant == plant)


def index_of(metric: str, real) -> np.ndarray:
    """The index curve of ``metric`` without noise: a * real ** b."""
    a, b = INDEX_CURVES[metric]
    return a * np.power(np.asarray(real, float), b)


def real_of(metric: str, index) -> np.ndarray:
    """The real value behind an index value (the inverse curve; the noise stays in it)."""
    a, b = INDEX_CURVES[metric]
    return np.power(np.asarray(index, float) / a, 1.0 / b)


# ================================================================================================
# The rivals' products (fixed per shop)
# ================================================================================================


def _parts(model: ShopModel, cat: Catalog, k: int) -> tuple[str, str]:
    """(product type, variant) of our SKU ``k``, from its name (brand + series + type + variant)."""
    sc = model.subcats[cat.subcat[k]]
    name = cat.name[k]
    kind = max((t for t in sc.types if t in name), key=len)
    return kind, name.split(" ", 1)[1]


def make_rivals(model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand, conv_sku: int) -> Rivals:
    """The competitors' products and the counterparts of our best sellers (see the module docstring)."""
    rng = stream(CATALOG_SEED, model.index, "competitor-catalog")
    market = model.competition
    specs = market.competitors
    C = len(specs)
    cut_comp = plant_index(model, "price_cut")
    first_rel = (period_start(cal) - cal.end).days
    launch_lo = first_rel if first_rel < 0 else -7  # the month's days before the end date
    ranked = [int(k) for k in expected_gmv_rank(model, cat, cal, dem) if not cat.new[k] and cat.off[k] >= 0]
    top = ranked[:int(rng.integers(N_MATCHED[0], N_MATCHED[1] + 1))]
    if conv_sku not in top:
        top[-1] = conv_sku
    everyday_yuan = cat.list_cents * cat.everyday / 100
    shares = np.array([s.sku_share for s in model.subcats])
    cols: dict[str, list] = {k: [] for k in ("comp", "name", "subcat", "price", "matched")}
    names: list[set[str]] = [set() for _ in range(C)]
    match_sku, match_product, match_note = [], [], []
    cut_product = -1
    for k in top:  # counterparts first: their competitors get them whatever else they sell
        n_comp = 1 + int(rng.random() < 0.4)
        chosen = rng.choice(C, size=n_comp, replace=False)
        if k == conv_sku and cut_comp not in chosen:
            chosen[0] = cut_comp
        kind, variant = _parts(model, cat, k)
        sc = model.subcats[cat.subcat[k]]
        for c in chosen:
            spec = specs[c]
            name = f"{spec.brand}{kind} {variant}"
            if name in names[c]:
                name = f"{spec.brand}{sc.series[rng.integers(len(sc.series))]}{kind} {variant}"
            names[c].add(name)
            price = everyday_yuan[k] * spec.price_position * rng.uniform(0.95, 1.05)
            match_sku.append(k)
            match_product.append(len(cols["comp"]))
            match_note.append(f"{market.match_notes[rng.integers(len(market.match_notes))]} {variant}")
            if k == conv_sku and c == cut_comp:
                cut_product = len(cols["comp"])
            for key, v in (("comp", c), ("name", name), ("subcat", int(cat.subcat[k])), ("price", price),
                           ("matched", True)):
                cols[key].append(v)
    for c, spec in enumerate(specs):
        n_c = int(rng.integers(N_PRODUCTS[0], N_PRODUCTS[1] + 1))
        for _ in range(max(0, n_c - cols["comp"].count(c))):
            s = int(rng.choice(len(shares), p=shares))
            sc = model.subcats[s]
            for _ in range(50):
                name = (f"{spec.brand}{sc.series[rng.integers(len(sc.series))]}{sc.types[rng.integers(len(sc.types))]}"
                        f" {sc.variants[rng.integers(len(sc.variants))]}")
                if name not in names[c]:
                    break
            names[c].add(name)
            lo, hi = sc.price
            price = np.exp(rng.uniform(np.log(lo), np.log(hi))) * spec.price_position * rng.uniform(0.9, 1.1)
            for key, v in (("comp", c), ("name", name), ("subcat", s), ("price", price), ("matched", False)):
                cols[key].append(v)
    comp = np.asarray(cols["comp"])
    n = len(comp)
    matched = np.asarray(cols["matched"])
    # listing: most products listed long before the window; some launched or delisted in it
    launched = -rng.integers(400, 2000, n)
    recent = ~matched & (rng.random(n) < 0.15)
    launched[recent] = -rng.integers(30, 700, recent.sum())
    off = np.full(n, FAR)
    gone = ~matched & ~recent & (rng.random(n) < 0.10)
    off[gone] = np.maximum(-rng.integers(30, 700, gone.sum()), launched[gone] + 30)
    for c in range(C):  # 1-3 launches and 1-2 delistings in the month of the end date
        own = rng.permutation(np.nonzero((comp == c) & ~matched)[0])
        n_launch, n_gone = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        new, old = own[:n_launch], own[n_launch:n_launch + n_gone]
        launched[new], off[new] = rng.integers(launch_lo, 0, n_launch), FAR
        launched[old], off[old] = -rng.integers(400, 2000, n_gone), rng.integers(launch_lo, 0, n_gone)
    # rare everyday price changes, all more than 60 days before the end
    n_changes = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    change_rel = np.where(np.arange(2)[None, :] < n_changes[:, None], -rng.integers(60, 1000, (n, 2)), FAR)
    change_rel = np.sort(change_rel, axis=1)
    change_factor = rng.uniform(0.88, 1.10, (n, 2))
    # popularity: Pareto-like within each competitor; counterparts of our best sellers sell well
    pop = np.empty(n)
    for c in range(C):
        own = np.nonzero(comp == c)[0]
        pop[own] = (1.0 + rng.permutation(len(own))) ** -1.0
        pop[own] = np.where(matched[own], np.maximum(pop[own], np.quantile(pop[own], 0.75)), pop[own])
    base = np.array([specs[c].rating for c in comp]) + 0.06 * rng.standard_normal(n)
    rating = np.clip(base, 4.5, 4.9)
    drop = comp == plant_index(model, "rating_drop")
    rating[drop] = RATING_LEVELS[0] + np.clip(0.25 * (base[drop] - specs[plant_index(model, "rating_drop")].rating),
                                              -0.03, 0.03)  # steady around 4.8 until the drop
    ids = market.item_id
    numbers = _distinct(rng, 10 ** (ids.digits - 1), 10 ** ids.digits, n)
    return Rivals(
        comp=comp, product_id=[f"{ids.prefix}{x}" for x in numbers], name=cols["name"],
        subcat=np.asarray(cols["subcat"]), price_cents=_shelf_price(np.asarray(cols["price"]), model.round_to),
        change_rel=change_rel, change_factor=change_factor, launched=launched, off=off, popularity=pop,
        rating=rating, match_sku=match_sku, match_product=match_product, match_note=match_note,
        cut_product=cut_product,
    )


def _distinct(rng: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    while True:
        x = rng.integers(lo, hi, n)
        if len(np.unique(x)) == n:
            return x


# ================================================================================================
# Promotions
# ================================================================================================

# own events stay clear of 618 and Double 11 (warm-up to after-sales): (month, day) ranges
_BUSY = (((5, 10), (6, 25)), ((10, 10), (11, 25)))


def _busy(day: dt.date) -> bool:
    md = (day.month, day.day)
    return any(a <= md <= b for a, b in _BUSY)


@dataclass
class _Promos:
    rows: dict  # competitor_promos columns
    depth: np.ndarray  # (days, products): the deepest promotion of the product that day (0: none)
    lift: np.ndarray  # (days, competitors): sales lift of the competitors' own promotions


def _promotions(sim: SimulatedShop, rivals: Rivals, rel: np.ndarray, sched: Schedule) -> _Promos:
    model, cal = sim.model, sim.cal
    rng = stream(sim.seed, model.index, "competitor-promos")
    market = model.competition
    first_day, last_day = cal.end + dt.timedelta(days=int(rel[0])), cal.end
    depth = np.zeros((len(rel), rivals.n))
    lift = np.ones((len(rel), len(market.competitors)))
    rows: dict[str, list] = {k: [] for k in ("competitor_id", "promo_name", "start_date", "end_date", "mechanic",
                                            "depth")}
    platform = [p for p in sim.demand.promos if p.event in ("618", "double11")]
    undercut = plant_index(model, "undercut_promo")

    def add(c: int, name: str, start: dt.date, end: dt.date, mechanic: str, d: float, share: float, own: bool):
        if end < first_day or start > last_day:
            return
        days = (rel >= (start - cal.end).days) & (rel <= (end - cal.end).days)
        products = (rivals.comp == c) & (rng.random(rivals.n) < share)
        depth[np.ix_(days, products)] = np.maximum(depth[np.ix_(days, products)], d)
        if own:  # platform events are in the market's demand already
            lift[days, c] *= 1 + 1.2 * d
        if end >= cal.start:
            for key, v in zip(rows, (market.competitors[c].name, name, start, end, mechanic, d)):
                rows[key].append(v)

    for c, spec in enumerate(market.competitors):
        for p in platform:
            add(c, p.name, p.start_at.date(), p.end_at.date(), MECHANICS[rng.integers(len(MECHANICS))],
                round(float(rng.uniform(0.15, 0.35)), 2), rng.uniform(0.6, 0.95), own=False)
        for year in range(first_day.year, last_day.year + 1):
            n_events = int(rng.integers(2, 5))
            for name in rng.choice(market.event_names, size=n_events, replace=False):
                for _ in range(100):
                    start = dt.date(year, 1, 5) + dt.timedelta(days=int(rng.integers(0, 345)))
                    end = start + dt.timedelta(days=int(rng.integers(2, 7)))
                    if not (_busy(start) or _busy(end)):
                        break
                add(c, f"{year}{spec.brand}{name}", start, end, MECHANICS[rng.integers(len(MECHANICS))],
                    round(float(rng.uniform(0.05, 0.25)), 2), rng.uniform(0.5, 0.9), own=True)
        if c == undercut and sim.plan.active and sched.undercut is not None:
            start, end, _, _ = sched.undercut
            add(c, f"{start.year}{market.undercut.name}", start, end, market.undercut.mechanic, UNDERCUT_DEPTH,
                1.0, own=True)
    return _Promos(rows, depth, lift)


# ================================================================================================
# The builder
# ================================================================================================


def _market(sim: SimulatedShop, ext: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our visitors' and paid buyers' level x the market's demand on ext days ``ext`` (the days
    before the window take the first day's level)."""
    cal, dem, sh = sim.cal, sim.demand, sim.daily.shop
    own_events = np.ones(cal.n_ext)
    for p in dem.promos:
        if p.event == "shop_event":
            for day, mult, _ in p.days:
                i = (day - cal.ext_start).days
                if 0 <= i < cal.n_ext:
                    own_events[i] *= mult
    w_win = dem.w_det[cal.burn:cal.burn + cal.days]
    pad = cal.burn - int(ext[0])
    out = []
    for real in (sh["uv"], sh["paid_buyers"]):
        level = pd.Series(real / w_win).rolling(56, center=True, min_periods=1).median().to_numpy()
        out.append(np.r_[np.full(pad, level[0]), level] * dem.w_det[ext] / own_events[ext])
    return out[0], out[1]


def _indices(rng: np.random.Generator, metric: str, real: np.ndarray) -> np.ndarray:
    """Index values of ``real`` (NaN stays NaN): the curve x lognormal noise, rounded."""
    noise = np.exp(INDEX_NOISE * rng.standard_normal(real.shape))
    return np.round(index_of(metric, real) * noise)


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """The competitor teardown's eight tables for one shop."""
    model, cal, dem, cat = sim.model, sim.cal, sim.demand, sim.catalog
    market = model.competition
    specs = market.competitors
    C, S, D, P = len(specs), len(SOURCES), cal.days, PRE_DAYS
    T = D + P
    ext = cal.burn - P + np.arange(T)
    rel = np.arange(T) - P - (D - 1)  # days relative to the end date
    active = sim.plan.active
    sched = schedule(cal, dem)
    rivals = make_rivals(model, cat, cal, dem, sim.plan.conv_sku)
    promos = _promotions(sim, rivals, rel, sched)
    rng = stream(sim.seed, model.index, "competitor-demand")

    # the competitors' visitors and paid buyers per day
    ref_uv, ref_buyers = _market(sim, ext)
    size = np.array([s.size for s in specs])
    drift = np.array([s.growth for s in specs])[None, :] ** (rel[:, None] / 365.25)
    ar = AR_SD * rng.standard_normal((T, C))
    for i in range(1, T):  # AR(1) over days, vectorised over competitors (as calendar.demand's)
        ar[i] += AR_PHI * ar[i - 1]
    own = 0.03 * rng.standard_normal((T, C))
    conv_factor = rng.uniform(0.85, 1.2, C)
    uv = size * ref_uv[:, None] * drift * np.exp(ar) * (1 + 0.5 * (promos.lift - 1))
    buyers = size * conv_factor * ref_buyers[:, None] * drift * np.exp(ar + own) * promos.lift
    mix = np.broadcast_to(np.array([s.source_mix for s in specs]), (T, C, S)).copy()
    paid = SOURCES.index("paid_ads")
    shifted = plant_index(model, "paid_shift")
    before, after = PAID_SHARE
    mix[:, shifted, :] *= (1 - before) / (1 - mix[0, shifted, paid])
    mix[:, shifted, paid] = before
    if active:  # more paid visitors on top of the others: more visitors, a few more buyers
        on = rel >= (sched.shift_on - cal.end).days
        grow = (1 - before) / (1 - after)
        mix[np.ix_(on, [shifted], np.arange(S))] *= 1 / grow
        mix[on, shifted, paid] = after
        uv[on, shifted] *= grow
        buyers[on, shifted] *= 1 + 0.4 * (grow - 1)

    # products: prices, buyers and units per day
    listed = (rel[:, None] >= rivals.launched[None, :]) & (rel[:, None] <= rivals.off[None, :])
    price = rivals.everyday_cents(rel)
    boost = np.ones((T, rivals.n))
    if active:
        k = rivals.cut_product
        cut = rel >= (sched.cut_on - cal.end).days
        price[cut, k] = whole_yuan(price[cut, k] * PRICE_CUT_SHARE)
        boost[cut, k] = 1.6  # its buyers notice
    promo_cents = whole_yuan(price * (1 - promos.depth))
    paid_price = np.where(promos.depth > 0, promo_cents, price)
    seasons = np.array([s.season for s in model.subcats])
    weight = (rivals.popularity * seasons[rivals.subcat][:, dem.month[ext] - 1].T * listed
              * (1 + 1.5 * promos.depth) * boost)
    onehot = (rivals.comp[:, None] == np.arange(C)[None, :]).astype(float)
    share = weight / np.maximum(weight @ onehot, 1e-12)[:, rivals.comp]
    rng = stream(sim.seed, model.index, "competitor-products")
    lines = float(np.dot(np.arange(1, 4), model.lines_p))  # order lines per buyer, as ours
    b = rng.poisson(buyers[:, rivals.comp] * lines * share)  # order lines (buyers) per product
    qty = np.array([np.dot(np.arange(1, 5), s.qty_p) for s in model.subcats])[rivals.subcat]
    units = b + rng.poisson(b * (qty - 1)[None, :])
    real = {
        "buyers": np.round((b @ onehot) / lines).astype(np.int64),
        "amount": (units * paid_price) @ onehot / 100,
    }
    real["uv"] = np.maximum(np.round(uv).astype(np.int64), real["buyers"])
    sh = sim.daily.shop
    fav_rate = sh["fav_users"].sum() / max(sh["uv"].sum(), 1) * rng.uniform(0.85, 1.2, C)
    cart_rate = sh["cart_users"].sum() / max(sh["uv"].sum(), 1) * rng.uniform(0.85, 1.2, C)
    real["fav"] = rng.binomial(real["uv"], fav_rate[None, :])
    real["cart"] = rng.binomial(real["uv"], np.minimum(cart_rate, 0.9)[None, :])
    sources = np.round(real["uv"][:, :, None] * OVERLAP * mix * np.exp(0.05 * rng.standard_normal((T, C, S))))
    # trailing 30 days' units, cumulative reviews, ratings
    cum = np.vstack([np.zeros((1, rivals.n)), np.cumsum(units, axis=0)])
    t = np.arange(P, T)
    monthly = (cum[t + 1] - cum[t - P]).astype(np.int64)
    age = np.clip(rel[0] - rivals.launched, 0, 1500)
    reviews = rng.poisson(units.mean(axis=0) * age * REVIEW_RATE) + np.cumsum(rng.poisson(units * REVIEW_RATE), axis=0)
    steady = rivals.comp == plant_index(model, "rating_drop")
    walk = np.cumsum(rng.normal(0.0, np.where(steady, 0.001, 0.004), (T, rivals.n)), axis=0)
    rating = np.where(steady, np.clip(rivals.rating + walk, RATING_LEVELS[0] - 0.04, RATING_LEVELS[0] + 0.04),
                      np.clip(rivals.rating + walk, 4.5, 4.9))
    if active:
        rating[np.ix_(rel >= (sched.rating_from - cal.end).days, steady)] -= RATING_LEVELS[0] - RATING_LEVELS[1]

    out: dict[str, Columns] = {}
    names = [s.name for s in specs]
    out["competitors"] = {"competitor_id": names, "platform": [model.shop.platform] * C,
                          "category": [model.shop.category] * C}
    out["competitor_sets"] = {
        "competitor_id": names, "tier": [s.tier for s in specs], "reason": [s.reason for s in specs],
        "added_on": pa.array([cal.end - dt.timedelta(days=s.added_days_before_end) for s in specs], pa.date32()),
        "removed_on": pa.array([None] * C, pa.date32()),
    }
    out.update(_index_tables(sim, real, sources, P))
    w = slice(P, T)
    d_idx, k_idx = np.nonzero(listed[w])
    promo_value = np.where(promos.depth[w] > 0, promo_cents[w], np.nan)[d_idx, k_idx]
    out["competitor_products"] = {
        "observed_on": dates(cal.start, d_idx),
        "competitor_id": labels(rivals.comp[k_idx], names),
        "product_id": labels(k_idx, rivals.product_id),
        "product_name": labels(k_idx, rivals.name),
        "category": labels(rivals.subcat[k_idx], [s.name for s in model.subcats]),
        "price": Cents(price[w][d_idx, k_idx]),
        "promo_price": Cents(pa.array(np.nan_to_num(promo_value).astype(np.int64), mask=np.isnan(promo_value))),
        "monthly_sales": monthly[d_idx, k_idx],
        "sales_index": pa.nulls(len(d_idx), pa.float64()),
        "rating": np.round(rating[w][d_idx, k_idx], 2),
        "reviews": reviews[w][d_idx, k_idx],
    }
    out["competitor_promos"] = {**promos.rows, "start_date": pa.array(promos.rows["start_date"], pa.date32()),
                                "end_date": pa.array(promos.rows["end_date"], pa.date32())}
    out["competitor_reviews"] = _bad_reviews(sim, units @ onehot, rel, sched)
    out["sku_matches"] = {
        "sku_id": [cat.sku_id[k] for k in rivals.match_sku],
        "competitor_id": [names[rivals.comp[p]] for p in rivals.match_product],
        "product_id": [rivals.product_id[p] for p in rivals.match_product],
        "note": rivals.match_note,
    }
    return out


def _index_tables(sim: SimulatedShop, real: dict, sources: np.ndarray, pre: int) -> dict[str, Columns]:
    """``competitor_daily`` and ``competitor_traffic``: the shop itself (OWN_SHOP) and each
    competitor, every day of the window. ``real``, ``sources``: arrays over the days incl. ``pre``."""
    cal, sh, tr = sim.cal, sim.daily.shop, sim.daily.traffic
    rng = stream(sim.seed, sim.model.index, "competitor-index")
    D = cal.days
    search = SOURCES.index("search")
    w = slice(pre, pre + D)

    def both(ours, theirs):  # (days, 1 + competitors): the shop first
        return np.column_stack([np.asarray(ours, float), np.asarray(theirs, float)[w]])

    uv = both(sh["uv"], real["uv"])
    buyers = both(sh["paid_buyers"], real["buyers"])
    reals = {
        "trade_index": both(sh["paid_cents"] / 100, real["amount"]),
        "traffic_index": uv,
        "search_index": both(tr["uv"][:, search], sources[:, :, search]),
        "fav_index": both(sh["fav_users"], real["fav"]),
        "cart_index": both(sh["cart_users"], real["cart"]),
        "conversion_index": np.where(uv > 0, buyers / np.maximum(uv, 1), np.nan),
        "buyer_index": buyers,
    }
    E = uv.shape[1]
    who = [schemas.OWN_SHOP, *(c.name for c in sim.model.competition.competitors)]
    d_idx, e_idx = np.divmod(np.arange(D * E), E)
    daily = {"date": dates(cal.start, d_idx), "competitor_id": labels(e_idx, who)}
    for metric, values in reals.items():
        index = _indices(rng, metric, values).ravel()
        daily[metric] = pa.array(index, mask=np.isnan(index))
    S = len(SOURCES)
    visitors = np.concatenate([np.asarray(tr["uv"], float)[:, None, :], sources[w]], axis=1)  # (days, E, S)
    d_idx, rest = np.divmod(np.arange(D * E * S), E * S)
    e_idx, s_idx = np.divmod(rest, S)
    traffic = {"date": dates(cal.start, d_idx), "competitor_id": labels(e_idx, who),
               "source": labels(s_idx, SOURCES), "traffic_index": _indices(rng, "traffic_index", visitors).ravel()}
    return {"competitor_daily": daily, "competitor_traffic": traffic}


def _bad_reviews(sim: SimulatedShop, units: np.ndarray, rel: np.ndarray, sched: Schedule) -> Columns:
    """Bad reviews per competitor, day and tag (rows only where there is at least one)."""
    model, cal = sim.model, sim.cal
    market = model.competition
    rng = stream(sim.seed, model.index, "competitor-reviews")
    C, D = units.shape[1], cal.days
    tags = list(market.review_tags)
    wave_tag = tags.index(market.wave_tag)
    weight = np.array(list(market.review_tags.values()))[None, :] * rng.uniform(0.6, 1.4, (C, len(tags)))
    for c in range(C):  # 4-5 of the category's tags per competitor: one left out half the time
        if rng.random() < 0.5:
            weight[c, rng.choice([k for k in range(len(tags)) if k != wave_tag])] = 0.0
    weight /= weight.sum(axis=1, keepdims=True)
    # reviews come 7-35 days after the purchase: the mean daily units of that stretch
    cum = np.vstack([np.zeros((1, C)), np.cumsum(units, axis=0)])
    t = np.arange(len(rel) - D, len(rel))
    lo, hi = np.maximum(t - 35, 0), np.maximum(t - 6, 1)
    base = BAD_REVIEW_RATE * (cum[hi] - cum[lo]) / (hi - lo)[:, None]
    lam = base[:, :, None] * weight[None, :, :]
    if sim.plan.active:
        wave = (rel[t] >= (sched.wave[0] - cal.end).days) & (rel[t] <= (sched.wave[1] - cal.end).days)
        lam[np.ix_(wave, [plant_index(model, "rating_drop")], [wave_tag])] *= REVIEW_WAVE_FACTOR
    count = rng.poisson(lam)
    d_idx, c_idx, k_idx = np.nonzero(count)
    return {"date": dates(cal.start, d_idx), "competitor_id": labels(c_idx, [c.name for c in market.competitors]),
            "tag": labels(k_idx, tags), "bad_reviews": count[d_idx, c_idx, k_idx]}
