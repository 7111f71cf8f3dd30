"""The promotion retrospective's planted events: what is planted (``PROMO_PLANTED``,
`promo_planted_events`, one `PromoPlanted` per shop), the magnitudes, and the functions that plant
them into the simulation.

All of them fall in each shop's last Double 11 of the window (``<shop>-2026-double11`` for the
default end date: warm-up from Oct 20 20:00, burst Nov 10-13), when the warehouse is built with
``plant_events=True``; each is applied to the simulated orders, traffic, stock or ads from which
every table is derived, so the tables agree with one another:

* price rule (promotions.py): ``price_above_daily_sku`` (the shop's most popular established SKU
  sold at its list price) is promoted at 85% of its list price (> 80%) with no markdown in the 30
  days before the start, so it breaks that rule only; ``price_above_low_sku`` (the next most
  popular) is within 80% but marked down ~10% below its promotion price on ``markdown_dates`` (12
  and 11 days before the start), so its promotion price is above its 30-day low;
* D-day stockout: ``stockout_sku``, the promoted SKU of highest expected GMV over the promotion
  besides the weekly review's planted SKUs and the two above (a top-5 promoted SKU by GMV), sells
  out at ``stockout_at`` (Nov 11 12:00): no order paid from then until ``restocked_on`` (Nov 14)
  has it (its buyers take another SKU of the day: `substitute_sold_out`), its page keeps half its
  visitors (`visitors_while_sold_out`), on_hand ends Nov 11, 12 and 13 at 0 with the restocking
  delivery in transit (`plant_sold_out`); its ``stock_allocated`` is exactly what it sold;
* ad channel over budget and below its ROI target: ``overspent_channel``, the channel with the
  largest planned share of the promotion's ad spend besides the one of the weekly review's planted
  campaign (whose baseline weeks it would disturb; ties go to the first listed in shops.yaml),
  spends 30% more (CPC up, same clicks) from the promotion's first day to ``overspend_until``
  (Nov 8: the weekly review's weeks are untouched), and its attributed orders and amount on those
  days are lowered so that its ROI over the promotion's days is 80% of ``roi_target`` (the
  category's, rules.yaml); its budget (``promo_ad_budgets``) was set at 1.00-1.05x its planned
  spend, so it overspends it by more than 10%, while every other channel stays within budget and
  above target (`plant_overspend`);
* pull-forward dip: 30% (``dip_share``) of the orders paid, and of the unpaid orders created, from
  ``dip_start`` to ``dip_end`` (the 5 days before the start) are removed (`thin_demand`), so
  visitors, orders and sales of those days are ~30% below the model;
* first day behind pace: 60% of the orders paid (or created unpaid) from ``first_day_start`` (the
  promotion's start, Oct 20 20:00) to ``first_day_end`` (midnight) are removed, so the first
  evening's GMV is well under 70% of its pace (the warm-up's target spread over its hours);
* coupon redemption: the promotion's coupons are redeemed at ``redemption`` (5-7% per tier)
  instead of 15-45%, so its redemption rate is at most half that of ``previous_promo_id`` (the
  last promotion that ended before it started) or of any other promotion.

The choices depend on the catalogue and dates only (not on ``seed``, ``orders_per_shop`` or
``days``), given a window that holds the 30 days before the promotion's start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .calendar import DEMO_END_DATE, Calendar, Demand, Promo, demand
from .catalog import Catalog, expected_gmv_rank, make_catalog
from .planted import Plan, choose, sell_out
from .sampling import draw_rows
from .shops import MODELS, ShopModel

if TYPE_CHECKING:
    from .customers import Paid
    from .orders import OrderTable

LOW_DAYS = 30  # the price rule: promotion price <= the lowest price of the 30 days before the start
PLANTED_MARKDOWN_DAYS_BEFORE = 12  # the planted markdown: 12 and 11 days before the start
STOCKOUT_TIME = dt.time(12)  # D-day, when the hot SKU sells out
RESTOCK_AFTER_DAYS = 3  # ... restocked three days after D-day (the day after the promotion)
SOLD_OUT_VISITORS = 0.5  # its page's visitors while sold out, relative to on sale
OVERSPEND_UNTIL = (11, 8)  # (month, day): the overspend stops before the weekly review's weeks
OVERSPEND_SPEND = 1.30  # the channel's spend on those days / planned
OVERSPEND_ROI_SHARE = 0.80  # its ROI over the promotion's days / the category's target
PLANTED_BUDGET_FACTOR = (1.00, 1.05)  # its budget / planned spend (the other channels: 1.00-1.15)
DIP_DAYS = 5  # the pull-forward dip: the days before the start ...
DIP_SHARE = 0.30  # ... lose this share of their orders
FIRST_DAY_KEEP = 0.40  # share of the first evening's orders kept
PLANTED_REDEMPTION = (0.05, 0.07)  # redeemed / issued per tier (unplanted: 0.15-0.45)


@dataclass(frozen=True)
class PromoPlanted:
    """Everything planted in one shop's last Double 11 (``promo_id``); see the module docstring."""

    promo_id: str
    # price rule
    price_above_daily_sku: str
    price_above_low_sku: str
    markdown_dates: tuple[dt.date, dt.date]
    # hot SKU sold out on D-day: no sale from stockout_at until restocked_on
    stockout_sku: str
    stockout_at: dt.datetime
    restocked_on: dt.date
    # ad channel over budget and below target, from the promotion's first day to overspend_until
    overspent_channel: str
    overspend_until: dt.date
    roi_target: float
    # pull-forward dip, dip_start .. dip_end, both included
    dip_start: dt.date
    dip_end: dt.date
    dip_share: float
    # first day: orders paid from first_day_start to first_day_end (excluded), first_day_keep kept
    first_day_start: dt.datetime
    first_day_end: dt.datetime
    first_day_keep: float
    # coupons redeemed at a rate in `redemption`, at most half of the previous promotion's
    previous_promo_id: str
    redemption: tuple[float, float]


@dataclass(frozen=True)
class PromoPlan:
    """The plants as the simulation applies them: what is planted, in which promotion, and the
    planted SKUs as catalogue indices."""

    events: PromoPlanted
    promo: Promo
    price_skus: tuple[int, int]  # price_above_daily_sku, price_above_low_sku
    stock_sku: int


def window_second(cal: Calendar, at: dt.datetime) -> int:
    """``at`` in seconds since the window's start (the simulation's clock)."""
    return cal.win(at.date()) * 86_400 + at.hour * 3600 + at.minute * 60 + at.second


def last_double11(promos: list[Promo], end: dt.date) -> Promo | None:
    done = [p for p in promos if p.event == "double11" and p.end_at.date() <= end]
    return max(done, key=lambda p: p.start_at) if done else None


def markdown_dates(p: Promo) -> tuple[dt.date, dt.date]:
    first = p.start_at.date() - dt.timedelta(days=PLANTED_MARKDOWN_DAYS_BEFORE)
    return first, first + dt.timedelta(days=1)


def price_rule_skus(cat: Catalog, p: Promo, end: dt.date) -> tuple[int, int]:
    """The SKUs (indices) that break the price rule in ``p``: the two most popular established SKUs
    on the shelf from 30 days before the start to the end, the first one sold at its list price
    every day (everyday factor 1)."""
    rel_first = (p.start_at.date() - dt.timedelta(days=LOW_DAYS) - end).days
    rel_last = (p.end_at.date() - end).days
    ok = (cat.launched <= rel_first) & (cat.off >= rel_last) & ~cat.new
    ranked = [int(k) for k in np.argsort(-cat.popularity, kind="stable") if ok[k]]
    k_daily = next(k for k in ranked if cat.everyday[k] == 1.0)
    k_low = next(k for k in ranked if k != k_daily)
    return k_daily, k_low


def _overspent_channel(model: ShopModel, p: Promo, end: dt.date) -> str:
    """The channel with the largest planned share of the ad spend over ``p`` (campaign shares of
    shops.yaml), besides the weekly review's planted campaign's; ties go to the first listed."""
    days_to_end = (end - p.start_at.date()).days + 1
    share: dict[str, float] = {}
    for c in model.campaigns:
        runs = c.active in ("always", "promo") or int(c.active.split(":")[1]) >= days_to_end
        if runs and c.channel != model.planted_campaign[0]:
            share[c.channel] = share.get(c.channel, 0.0) + c.share
    return max(share, key=lambda channel: round(share[channel], 9))


def choose_promo(model: ShopModel, cat: Catalog, cal: Calendar, dem: Demand, weekly: Plan) -> PromoPlan | None:
    """The promotion plants of one shop; None when the window does not hold its last Double 11
    from 30 days before the start."""
    p = last_double11(dem.promos, cal.end)
    if p is None or p.start_at.date() - dt.timedelta(days=LOW_DAYS) < cal.start:
        return None
    first, last = p.start_at.date(), p.end_at.date()
    k_daily, k_low = price_rule_skus(cat, p, cal.end)
    on_shelf = (cat.launched <= (first - cal.end).days) & (cat.off >= (last - cal.end).days) & ~cat.new
    taken = {k_daily, k_low, weekly.conv_sku, weekly.stock_sku}
    ranked = expected_gmv_rank(model, cat, cal, dem, (first, last))
    stock_sku = next(int(k) for k in ranked if on_shelf[k] and k not in taken)
    d_day = dt.date(last.year, 11, 11)
    previous = max((q for q in dem.promos if q.end_at < p.start_at), key=lambda q: q.end_at)
    events = PromoPlanted(
        promo_id=p.promo_id,
        price_above_daily_sku=cat.sku_id[k_daily], price_above_low_sku=cat.sku_id[k_low],
        markdown_dates=markdown_dates(p),
        stockout_sku=cat.sku_id[stock_sku], stockout_at=dt.datetime.combine(d_day, STOCKOUT_TIME),
        restocked_on=d_day + dt.timedelta(days=RESTOCK_AFTER_DAYS),
        overspent_channel=_overspent_channel(model, p, cal.end),
        overspend_until=dt.date(last.year, *OVERSPEND_UNTIL), roi_target=model.roi_target,
        dip_start=first - dt.timedelta(days=DIP_DAYS), dip_end=first - dt.timedelta(days=1), dip_share=DIP_SHARE,
        first_day_start=p.start_at, first_day_end=dt.datetime.combine(first + dt.timedelta(days=1), dt.time()),
        first_day_keep=FIRST_DAY_KEEP,
        previous_promo_id=previous.promo_id, redemption=PLANTED_REDEMPTION,
    )
    return PromoPlan(events, p, (k_daily, k_low), stock_sku)


def promo_planted_events(end_date: dt.date = DEMO_END_DATE) -> dict[str, PromoPlanted]:
    """What ``build_demo_warehouse(..., end_date=end_date, plant_events=True)`` plants for the
    promotion retrospective, per shop id: independent of ``seed``, ``orders_per_shop`` and
    ``days``, given a window that holds the 30 days before the last Double 11."""
    cal = Calendar.make(end_date, 730)
    out = {}
    for model in MODELS:
        cat = make_catalog(model)
        dem = demand(model, cal, 0)
        plan = choose_promo(model, cat, cal, dem, choose(model, cat, cal, dem))
        if plan is not None:
            out[model.shop.shop_id] = plan.events
    return out


# ================================================================================================
# D-day stockout (order lines, product_daily, inventory_daily)
# ================================================================================================


def _sold_out(plan: PromoPlan, cal: Calendar) -> tuple[int, int]:
    """[first, end) of the stockout in seconds since the window's start."""
    restock = dt.datetime.combine(plan.events.restocked_on, dt.time())
    return window_second(cal, plan.events.stockout_at), window_second(cal, restock)


def substitute_sold_out(order: np.ndarray, sku: np.ndarray, qty: np.ndarray, paid: Paid, wts: np.ndarray,
                        qty_cdf: np.ndarray, cat: Catalog, plan: PromoPlan, cal: Calendar,
                        rng: np.random.Generator) -> None:
    """Order lines (one per order and SKU) of the sold-out SKU paid while it is sold out go to
    another SKU, drawn from that day's weights without it and not already in the order, with a
    quantity drawn for it (``sku``, ``qty``: in place). The number of lines does not change, so
    every later draw per line or order stays as it was. ``wts``: days x SKUs."""
    lo, hi = _sold_out(plan, cal)
    first = lo // 86_400
    others = wts[first:(hi - 1) // 86_400 + 1].copy()
    others[:, plan.stock_sku] = 0.0
    cdf = np.cumsum(others, axis=1)
    when = paid.sec[order]
    todo = np.nonzero((sku == plan.stock_sku) & (when >= lo) & (when < hi))[0]
    while len(todo):  # redraw where the order already has the SKU drawn (rare)
        new = draw_rows(cdf, paid.day[order[todo]] - first, rng.random(len(todo)))
        clash = np.isin(order[todo] * cat.n + new, order * cat.n + sku)
        done = todo[~clash]
        sku[done] = new[~clash]
        qty[done] = 1 + draw_rows(qty_cdf, cat.subcat[sku[done]].astype(np.int64), rng.random(len(done)))
        todo = todo[clash]


def visitors_while_sold_out(uv_weights: np.ndarray, sku_weights: np.ndarray, plan: PromoPlan,
                            cal: Calendar) -> None:
    """Visitors still come to the sold-out SKU's page on the days after it sold out, half as many
    as on sale (``uv_weights``: days x SKUs, in place)."""
    lo, hi = _sold_out(plan, cal)
    days = slice(lo // 86_400 + 1, hi // 86_400)
    uv_weights[days, plan.stock_sku] = SOLD_OUT_VISITORS * sku_weights[days, plan.stock_sku]


def plant_sold_out(on_hand: np.ndarray, in_transit: np.ndarray, units: np.ndarray, plan: PromoPlan,
                   cal: Calendar) -> None:
    """Its stock runs down to 0 at the end of D-day and stays 0 until the restocking delivery
    arrives (``planted.sell_out``)."""
    sell_out(on_hand, in_transit, units, plan.stock_sku, cal.win(plan.events.stockout_at.date()),
             restock=cal.win(plan.events.restocked_on))


# ================================================================================================
# Pull-forward dip and first evening (orders, before the daily tables are derived)
# ================================================================================================


def thin_demand(paid: Paid, orders: OrderTable, plan: PromoPlan, cal: Calendar,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Which orders the dip days and the first evening lose: (paid, unpaid) masks over
    ``orders``' paid and unpaid orders, paid orders by payment time, unpaid ones by creation time.
    Thinning the orders of a stretch is lowering its demand: every other order keeps its draws."""
    ev = plan.events
    dip = (dt.datetime.combine(ev.dip_start, dt.time()),
           dt.datetime.combine(ev.dip_end + dt.timedelta(days=1), dt.time()))
    stretches = ((dip, ev.dip_share), ((ev.first_day_start, ev.first_day_end), 1.0 - ev.first_day_keep))
    when = np.r_[paid.sec, orders.created[paid.n:]]
    p_drop = np.zeros(len(when))
    for (start, end), share in stretches:
        p_drop[(when >= window_second(cal, start)) & (when < window_second(cal, end))] = share
    drop = rng.random(len(when)) < p_drop
    return drop[:paid.n], drop[paid.n:]


# ================================================================================================
# Ad channel over budget and below target (ads_daily)
# ================================================================================================


def plant_overspend(ads: dict, plan: PromoPlan, cal: Calendar) -> None:
    """The overspent channel's rows from the promotion's first day to ``overspend_until``: spend
    x OVERSPEND_SPEND (clicks unchanged: a higher CPC), attributed orders and amount lowered by one
    factor so that its ROI over the promotion's days is OVERSPEND_ROI_SHARE x the target (``ads``:
    ads_daily rows as arrays, in place)."""
    ev = plan.events
    first, last = cal.win(plan.promo.start_at.date()), cal.win(plan.promo.end_at.date())
    until = cal.win(ev.overspend_until)
    day = ads["day"]
    inside = (ads["channel"] == ev.overspent_channel) & (day >= first) & (day <= last)
    early = inside & (day <= until)
    ads["spend"][early] = np.round(ads["spend"][early] * OVERSPEND_SPEND, 2)
    wanted = OVERSPEND_ROI_SHARE * ev.roi_target * ads["spend"][inside].sum()
    factor = (wanted - ads["amount"][inside & ~early].sum()) / ads["amount"][early].sum()
    if not 0 < factor < 1:
        raise AssertionError(f"planted ROI of {ev.overspent_channel} in {ev.promo_id} needs an attribution factor "
                             f"of {factor:.2f}, outside (0, 1)")
    ads["amount"][early] = np.round(ads["amount"][early] * factor, 2)
    ads["orders"][early] = np.round(ads["orders"][early] * factor).astype(ads["orders"].dtype)


PROMO_PLANTED: dict[str, PromoPlanted] = promo_planted_events(DEMO_END_DATE)
