"""The weekly review's planted events: what is planted (``PLANTED``, `planted_events`), the
magnitudes, and every function that plants them into the simulation.

All of them fall in the last complete ISO week up to the end date (2026-W47 by default), in
every shop, when the warehouse is built with ``plant_events=True``:

* conversion drop: a top-5 SKU's conversion falls from 5% to 2% (`plant_conversion_drop` removes
  60% of its order lines that week; its UV is modelled on the 5% baseline in daily.py);
* stockout: a top-10 SKU sells normally, runs out on the Wednesday and stays at 0
  (`stop_sales_after_stockout`, `sell_on_stockout_day` in the order lines,
  `visitors_after_stockout` in product_daily, `plant_stockout` in inventory_daily);
* refund spike: one sub-category is refunded at ~27.5% instead of ~5% (`plant_refund_spike`);
* ROI drop: one campaign's ROI falls from 4 to ~1.35, below the category target
  (`planted_campaign_roi`);
* dormant surge: the dormant-buyer share rises by >= 3 points over 4 weeks (`plant_dormant`);
* six products under test, two of them potential hits (fav+cart rate >= 8% in their first 3
  days): built into the catalogue (catalog.NEW_PRODUCT_DAYS_AGO), whatever ``plant_events``.

Complaints also double in the planted week (`plant_complaints`); no planted event describes it.
Each function is called at a fixed place in its component's random stream, so the data without
``plant_events`` differ from the planted data only where an event is planted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .calendar import DEMO_END_DATE, Calendar, Demand, demand, iso_label
from .catalog import Catalog, expected_gmv_rank, make_catalog
from .customers import Paid, draw_sources, source_matrix, time_of_day
from .sampling import SEC_BITS, stream
from .shops import MODELS, ShopModel

if TYPE_CHECKING:
    from .orders import Items
    from .promo_planted import PromoPlan

# magnitudes
CONV_BASELINE, CONV_PLANTED = 0.05, 0.02
REFUND_BASELINE, REFUND_PLANTED = 0.05, 0.275
ROI_BASELINE, ROI_PLANTED = 4.0, 1.35
DORMANT_TARGET_RISE, DORMANT_MIN_RISE = 0.033, 0.03
DORMANT_DROP = (0.75, 0.75)  # share of lapsing / lapsed buyers whose return is removed (weeks -8..-1, -4..-1)
HIT_RATE = 0.08


# ================================================================================================
# What is planted (public)
# ================================================================================================


@dataclass(frozen=True)
class ConversionDrop:
    """A top-5 SKU whose conversion (product_daily paid_buyers / uv) falls in the planted week."""

    sku_id: str
    product_name: str
    category: str
    baseline_rate: float  # each of the 4 weeks before the planted week
    planted_rate: float  # the planted week; UV stays as it was
    baseline_weeks: tuple[str, ...]


@dataclass(frozen=True)
class Stockout:
    """A top-10 SKU that sells normally, then ends ``stockout_date`` with on_hand 0 (in_transit 0)
    and stays at 0 to end_date; it sells nothing after that day."""

    sku_id: str
    product_name: str
    category: str
    stockout_date: dt.date


@dataclass(frozen=True)
class RefundSpike:
    """Orders paid in the planted week with items of ``category`` are refunded at ~planted_rate
    (amount based, an order's refund spread over its items by amount), 1-5 days after payment
    and before end_date; ~baseline_rate before."""

    category: str
    baseline_rate: float
    planted_rate: float


@dataclass(frozen=True)
class RoiDrop:
    """An ad campaign with solid spend whose ROI (attributed_amount / spend) drops below target."""

    channel: str
    campaign: str
    baseline_roi: float
    planted_roi: float
    roi_target: float  # the category's ROI target (beauty 3, furniture 2.5, apparel 2)


@dataclass(frozen=True)
class DormantSurge:
    """The dormant share rises by at least ``min_rise`` between ``compare_to`` and ``as_of``.

    Dormant share at the end of day T: among customers with >= 1 paid order in the
    ``base_days`` days up to T, those whose last paid order is more than ``dormant_days`` before
    T. Planted as (1) returning buyers' orders falling from ``returning_drop_from`` (win-back
    orders of lapsed buyers almost vanish in the last 4 weeks) and (2) a one-off summer
    acquisition cohort (``cohort_start``..``cohort_end``) of buyers who never come back.
    """

    as_of: dt.date
    compare_to: dt.date
    min_rise: float
    dormant_days: int
    base_days: int
    returning_drop_from: dt.date
    cohort_start: dt.date
    cohort_end: dt.date


@dataclass(frozen=True)
class NewProducts:
    """Products launched in the last weeks; ``potential_hits`` reach a fav+cart rate of
    >= hit_rate in their first 3 days, the others stay well below."""

    sku_ids: tuple[str, ...]
    potential_hits: tuple[str, ...]
    hit_rate: float


@dataclass(frozen=True)
class PlantedEvents:
    shop_id: str
    week: str  # ISO label of the planted week, e.g. 2026-W47
    week_start: dt.date
    week_end: dt.date
    conversion_drop: ConversionDrop
    stockout: Stockout
    refund_spike: RefundSpike
    roi_drop: RoiDrop
    dormant_surge: DormantSurge
    new_products: NewProducts


@dataclass(frozen=True)
class Plan:
    """The planted choices of one shop (SKU indices into the catalogue). The simulation models
    the conversion SKU and the planted campaign on their baselines whether or not ``active``."""

    conv_sku: int
    stock_sku: int
    spike_subcat: int
    stockout_win: int  # window index of the stockout day
    # the promotion retrospective's choices (promo_planted.choose_promo); None when the window does
    # not hold the last Double 11
    promo: PromoPlan | None = None
    active: bool = True  # plant_events: plant the events, or only choose them


def choose(model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand, active: bool = True) -> Plan:
    spike = [s.name for s in model.subcats].index(model.spike_category)
    ranked = [i for i in expected_gmv_rank(model, cat, cal, dem) if cat.subcat[i] != spike]
    conv_sku = int(ranked[0])
    # the stockout: a hot SKU of another sub-category (well inside the top 10)
    stock_sku = next((int(i) for i in ranked[1:6] if cat.subcat[i] != cat.subcat[conv_sku]), int(ranked[2]))
    return Plan(conv_sku=conv_sku, stock_sku=stock_sku, spike_subcat=spike,
                stockout_win=cal.win(cal.week_start + dt.timedelta(days=2)), active=active)


def planted_events(end_date: dt.date = DEMO_END_DATE) -> dict[str, PlantedEvents]:
    """What ``build_demo_warehouse(..., end_date=end_date, plant_events=True)`` plants, per shop id.

    The SKUs, category and campaign do not depend on ``seed``, ``orders_per_shop`` or ``days``
    (the catalogue is fixed per shop); dates follow ``end_date``.
    """
    cal = Calendar.make(end_date, 730)
    out = {}
    for model in MODELS:
        cat = make_catalog(model)
        dem = demand(model, cal, 0)
        plan = choose(model, cat, cal, dem)
        baseline_weeks = tuple(
            iso_label(cal.week_start - dt.timedelta(days=7 * k)) for k in range(4, 0, -1)
        )
        as_of = cal.week_end
        out[model.shop.shop_id] = PlantedEvents(
            shop_id=model.shop.shop_id,
            week=cal.week_label(),
            week_start=cal.week_start,
            week_end=cal.week_end,
            conversion_drop=ConversionDrop(
                cat.sku_id[plan.conv_sku], cat.name[plan.conv_sku], model.subcats[cat.subcat[plan.conv_sku]].name,
                CONV_BASELINE, CONV_PLANTED, baseline_weeks),
            stockout=Stockout(cat.sku_id[plan.stock_sku], cat.name[plan.stock_sku],
                              model.subcats[cat.subcat[plan.stock_sku]].name, cal.week_start + dt.timedelta(days=2)),
            refund_spike=RefundSpike(model.spike_category, REFUND_BASELINE, REFUND_PLANTED),
            roi_drop=RoiDrop(model.planted_campaign[0], model.planted_campaign[1], ROI_BASELINE, ROI_PLANTED,
                             model.roi_target),
            dormant_surge=DormantSurge(
                as_of=as_of, compare_to=as_of - dt.timedelta(days=28), min_rise=DORMANT_MIN_RISE,
                dormant_days=90, base_days=365, returning_drop_from=as_of - dt.timedelta(days=55),
                cohort_start=as_of - dt.timedelta(days=117), cohort_end=as_of - dt.timedelta(days=91)),
            new_products=NewProducts(
                tuple(cat.sku_id[i] for i in np.nonzero(cat.new)[0]),
                tuple(cat.sku_id[i] for i in np.nonzero(cat.hit)[0]), HIT_RATE),
        )
    return out


PLANTED: dict[str, PlantedEvents] = planted_events(DEMO_END_DATE)


# ================================================================================================
# Dormant surge (customers.py's paid orders, before the order lines are drawn)
# ================================================================================================


def _dormant_counts(paid: Paid, at_day: int, base_days=365, dormant_days=90) -> tuple[int, int]:
    """(dormant, base) at the end of window day ``at_day - 1`` (i.e. at midnight ``at_day``)."""
    at = at_day * 86_400
    sec = paid.sec
    m = (sec >= at - base_days * 86_400) & (sec < at)
    key = np.sort((paid.cust[m] << SEC_BITS) | sec[m])
    c = key >> SEC_BITS
    last = np.r_[c[1:] != c[:-1], True] if len(c) else np.zeros(0, bool)
    last_sec = key[last] & ((1 << SEC_BITS) - 1)
    return int((at - last_sec > dormant_days * 86_400).sum()), int(len(last_sec))


def _cohort_days(cal: Calendar) -> tuple[int, int]:
    """Window days of the summer cohort: active (<= 90 days) 4 weeks before the planted week's
    end, dormant (> 90 days) at its end."""
    end = cal.win(cal.week_end)
    return max(0, end - 117), end - 91


def plant_dormant(paid: Paid, model: ShopModel, cal: Calendar, dem: Demand, seed: int) -> Paid:
    """Buyers on the verge of lapsing do not come back over the last 8 weeks, lapsed buyers are
    no longer won back in the last 4, and a one-off summer acquisition cohort (active 4 weeks
    before the planted week's end, dormant at its end) tops the rise of the dormant share up to
    DORMANT_TARGET_RISE.

    With T the end of the planted week, for 75% of the customers whose last order before T-90 is
    at P:
    * lapsing (T-118 <= P < T-90, nothing in [T-90, T-56]): orders in (T-56, T] are removed, so
      the customer is active 4 weeks before T and dormant at T instead of active;
    * lapsed (P < T-118, nothing in (T-90, T-28]): orders in (T-28, T] are removed, so the
      customer stays dormant at T instead of being won back.
    """
    rng = stream(seed, model.index, "plant-dormant")
    T = float(cal.win(cal.week_end) + 1)  # end of the planted week
    t = paid.t
    n_c = paid.n_customers
    before = t < T - 90
    last_before = np.full(n_c, -np.inf)
    np.maximum.at(last_before, paid.cust[before], t[before])

    def any_in(lo, hi):
        m = (t >= lo) & (t < hi)
        return np.bincount(paid.cust[m], minlength=n_c) > 0

    coin = rng.random(n_c)
    lapsing = (last_before >= T - 118) & ~any_in(T - 90, T - 56) & (coin < DORMANT_DROP[0])
    lapsed = np.isfinite(last_before) & (last_before < T - 118) & ~any_in(T - 90, T - 28) & (coin < DORMANT_DROP[1])
    drop = (lapsing[paid.cust] & (t >= T - 56) & (t < T)) | (lapsed[paid.cust] & (t >= T - 28) & (t < T))
    paid = paid.take(~drop)
    d0, b0 = _dormant_counts(paid, int(T) - 28)
    d1, b1 = _dormant_counts(paid, int(T))

    def rise(c):
        return (d1 + c) / max(b1 + c, 1) - d0 / max(b0 + c, 1)

    n_new = 0
    if rise(0) < DORMANT_TARGET_RISE:
        lo_c, hi_c = 0.0, 0.5 * max(b0, 1)
        for _ in range(60):
            mid_c = 0.5 * (lo_c + hi_c)
            lo_c, hi_c = (mid_c, hi_c) if rise(mid_c) < DORMANT_TARGET_RISE else (lo_c, mid_c)
        n_new = int(np.ceil(hi_c))
    first, last = _cohort_days(cal)
    if n_new == 0 or last < first:
        return paid
    days = np.arange(first, last + 1)
    wts = dem.w[cal.burn + days]
    day = np.repeat(days, rng.multinomial(n_new, wts / wts.sum())).astype(np.int64)
    tod = time_of_day(day, cal, dem, rng)
    acq = np.ones(n_new, bool)
    src = draw_sources(day, acq, source_matrix(model, cal, dem, seed), rng)
    cust = paid.n_customers + np.arange(n_new, dtype=np.int64)
    return Paid(np.r_[paid.cust, cust], np.r_[paid.day, day], np.r_[paid.tod, tod], np.r_[paid.acq, acq],
                np.r_[paid.src, src], paid.n_customers + n_new)


# ================================================================================================
# Conversion drop and stockout (order lines, product_daily, inventory_daily)
# ================================================================================================


def plant_conversion_drop(paid: Paid, items: Items, cal: Calendar, plan: Plan, seed: int,
                          index: int) -> tuple[Paid, Items]:
    """Remove 60% of the planted SKU's lines in the planted week (orders left empty disappear)."""
    rng = stream(seed, index, "plant-conversion")
    ws, we = cal.win(cal.week_start), cal.win(cal.week_end)
    d = paid.day[items.order]
    hit = (items.sku == plan.conv_sku) & (d >= ws) & (d <= we)
    drop = hit & (rng.random(len(hit)) < 1 - CONV_PLANTED / CONV_BASELINE)
    return items.keep(paid, ~drop)


def stop_sales_after_stockout(wts: np.ndarray, plan: Plan) -> None:
    """No order line picks the stockout SKU after its stockout day (``wts``: days x SKUs, in place)."""
    wts[plan.stockout_win + 1:, plan.stock_sku] = 0.0


def sell_on_stockout_day(order: np.ndarray, sku: np.ndarray, paid: Paid, plan: Plan,
                         rng: np.random.Generator) -> None:
    """The stockout SKU sells on its last day (its stock runs out that day): if no line has it
    then, one line of an order paid that day switches to it (``sku`` in place)."""
    s = plan.stockout_win
    on_day = paid.day[order] == s
    if on_day.any() and not (on_day & (sku == plan.stock_sku)).any():
        has_it = np.bincount(order[sku == plan.stock_sku], minlength=paid.n) > 0
        candidates = np.nonzero(on_day & ~has_it[order])[0]
        if len(candidates):
            sku[candidates[rng.integers(len(candidates))]] = plan.stock_sku


def visitors_after_stockout(uv_weights: np.ndarray, sku_weights: np.ndarray, plan: Plan) -> None:
    """Visitors still come to the sold-out SKU's page, half as many as it would draw on sale
    (``uv_weights``: days x SKUs, in place)."""
    after = slice(plan.stockout_win + 1, None)
    uv_weights[after, plan.stock_sku] = 0.5 * sku_weights[after, plan.stock_sku]


def plant_stockout(on_hand: np.ndarray, in_transit: np.ndarray, units: np.ndarray, plan: Plan) -> None:
    """Deliveries of the planted SKU stop: its stock runs down to exactly 0 at the end of the
    stockout day (the last delivery is sized for that) and stays 0, with nothing in transit."""
    sell_out(on_hand, in_transit, units, plan.stock_sku, plan.stockout_win)


def sell_out(on_hand: np.ndarray, in_transit: np.ndarray, units: np.ndarray, sku: int, day: int,
             restock: int | None = None) -> None:
    """SKU ``sku``'s stock runs down to exactly 0 at the end of window day ``day`` (no delivery
    from the last one, sized for that, up to then; nothing in transit) and stays 0 until window
    day ``restock`` (None: to the end), when the delivery that was in transit from ``day`` arrives
    and the simulated stock resumes (arrays: days x SKUs, in place)."""
    i, s = sku, day
    sold = units[:, i]
    need = np.cumsum(sold[::-1])[::-1]  # need[d] = units sold from d to the end
    start = max(1, s - 14)
    for d0 in range(max(1, s - 42), s - 13):
        remaining = need[d0 + 1] - need[s + 1] if s + 1 < len(need) else need[d0 + 1]
        if on_hand[d0 - 1, i] - sold[d0] <= remaining:  # a non-negative last delivery at d0
            start = d0
            break
    after = need[s + 1] if s + 1 < len(need) else 0
    end = len(sold) if restock is None else restock
    delivery = 0 if restock is None else int(on_hand[restock, i] + sold[restock])
    for d in range(start, end):
        on_hand[d, i] = max(0, (need[d + 1] if d + 1 < len(need) else 0) - after) if d <= s else 0
        in_transit[d, i] = delivery if d >= s else 0


# ================================================================================================
# Refund spike (orders), ROI drop (ads_daily), complaints (service_daily)
# ================================================================================================


def plant_refund_spike(rng: np.random.Generator, cal: Calendar, plan: Plan, cat: Catalog, paid: Paid,
                       items: Items, paid_at: np.ndarray, has: np.ndarray, frac: np.ndarray, done: np.ndarray,
                       requested: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Orders paid in the planted week with items of the spike sub-category are refunded (in
    full) until its refund rate reaches REFUND_PLANTED, 1-5 days after payment and before the
    end of the data. Takes and returns the per-order refund draws (has a refund, fraction,
    finished at, requested at)."""
    n = paid.n
    day_s = 86_400
    snapshot = cal.days * day_s - 1  # end_date 23:59:59
    ws, we = cal.win(cal.week_start), cal.win(cal.week_end)
    in_cat = cat.subcat[items.sku] == plan.spike_subcat
    cat_cents = np.bincount(items.order[in_cat], weights=items.cents[in_cat], minlength=n)
    in_spike = (cat_cents > 0) & (paid.day >= ws) & (paid.day <= we)
    refunded_already = (in_spike & has) * frac * cat_cents
    need = REFUND_PLANTED * cat_cents[in_spike].sum() - refunded_already.sum()
    candidates = rng.permutation(np.nonzero(in_spike & ~has)[0])
    k = int(np.searchsorted(np.cumsum(cat_cents[candidates]), need)) + 1 if need > 0 else 0
    extra = candidates[:k]
    has[extra] = True
    frac[extra] = 1.0
    quick = in_spike & has
    when = paid_at + (rng.uniform(1.0, 5.0, n) * day_s).astype(np.int64)
    squeeze = paid_at + ((snapshot - paid_at) * rng.uniform(0.3, 0.95, n)).astype(np.int64)
    when = np.where(when > snapshot, squeeze, when)
    done = np.where(quick, when, done)
    requested = np.where(quick, np.minimum(requested, done), requested)
    return has, frac, done, requested


def planted_campaign_roi(rng: np.random.Generator, cal: Calendar, plan: Plan) -> np.ndarray:
    """Daily ROI of the planted campaign: around ROI_BASELINE, ROI_PLANTED in the planted week."""
    roi = ROI_BASELINE * np.exp(0.07 * rng.standard_normal(cal.days))
    if plan.active:
        roi[cal.win(cal.week_start):cal.win(cal.week_end) + 1] *= ROI_PLANTED / ROI_BASELINE
    return roi


def plant_complaints(complaint_rate: np.ndarray, cal: Calendar) -> None:
    """Complaints per paid order double in the planted week (``complaint_rate`` per day, in place)."""
    complaint_rate[cal.win(cal.week_start):cal.win(cal.week_end) + 1] *= 2.0
