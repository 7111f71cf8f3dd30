"""The daily tables: shop, traffic sources and products derived from the orders, plus funnel
counts drawn around them; inventory from a replenishment simulation; paid ads; customer service.

* ``shop_daily``: paid amount, orders, units, buyers and refunds are exactly those of the orders
  paid that day; UV, cart and favourite users are drawn from conversion rates (by source / SKU).
* ``traffic_daily`` adds up to the shop's paid amount; a visitor can arrive through several
  sources, so the sources' UV add up to ~1.06 x the shop's.
* ``product_daily``: units, amounts and buyers exactly from the order lines; UV around the
  expected buyers (SKU conversion 2-8%); products under test get paid test traffic.
* ``inventory_daily``: a periodic-review (order-up-to) policy on the units actually sold.
* ``ads_daily``: spend follows GMV and promotions, split over the shop's campaigns.
* ``service_daily``: consultations from visitors, spread over the agents on duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import planted, promo_planted
from .calendar import Calendar, Demand
from .catalog import Catalog, sku_weights
from .customers import Paid
from .orders import Items, OrderTable
from .planted import Plan
from .sampling import distinct_count, stream
from .shops import SOURCE_CONVERSION, SOURCE_FAV, SOURCE_PAGES, SOURCES, ShopModel
from .write import Cents, Columns, dates, labels

if TYPE_CHECKING:
    from .build import SimulatedShop


@dataclass
class Daily:
    shop: dict  # column -> array over window days
    traffic: dict  # column -> (days, 7) arrays
    product: dict  # column -> (days, skus) arrays
    pre_orders: np.ndarray  # paid orders per day before the planted conversion drop


def derive_daily(paid: Paid, items: Items, orders: OrderTable, model: ShopModel, cat: Catalog, cal: Calendar,
                 dem: Demand, plan: Plan, wts: np.ndarray, pre_orders: np.ndarray, seed: int) -> Daily:
    rng = stream(seed, model.index, "funnel")
    D, S, K = cal.days, len(SOURCES), cat.n
    n_cust = int(orders.cust.max()) + 1
    day = paid.day
    pn = paid.n
    cents = orders.cents[:pn]
    refund = orders.refund_cents[:pn]
    units_o = np.bincount(items.order, weights=items.qty, minlength=pn)
    shop = {
        "paid_orders": np.bincount(day, minlength=D),
        "units": np.bincount(day, weights=units_o, minlength=D).round().astype(np.int64),
        "paid_cents": np.bincount(day, weights=cents, minlength=D).round().astype(np.int64),
        "refund_cents": np.bincount(day, weights=refund, minlength=D).round().astype(np.int64),
        "paid_buyers": distinct_count(day, paid.cust, D, n_cust),
    }
    # order buyers: placed an order that day (paid or not), or paid that day an order placed
    # just before midnight
    cday = np.floor_divide(orders.created, 86_400)
    inwin = (cday >= 0) & (cday < D)
    o_day = np.r_[cday[inwin], day]
    o_cust = np.r_[orders.cust[inwin], paid.cust]
    o_src = np.r_[orders.src[inwin], paid.src]
    shop["order_buyers"] = distinct_count(o_day, o_cust, D, n_cust)
    # traffic sources
    g = day * S + paid.src
    pb_s = distinct_count(g, paid.cust, D * S, n_cust).reshape(D, S)
    cents_s = np.bincount(g, weights=cents, minlength=D * S).round().astype(np.int64).reshape(D, S)
    ob_s = distinct_count(o_day * S + o_src, o_cust, D * S, n_cust).reshape(D, S)
    ext = np.arange(cal.burn, cal.burn + D)
    inten = dem.intensity[ext]
    conv_d = model.conversion * (1 + 0.35 * inten) * np.exp(0.04 * rng.standard_normal(D))
    share = pb_s.sum(axis=0) / max(pb_s.sum(), 1)
    k = float((share / SOURCE_CONVERSION).sum() / 1.06)
    c_s = np.clip(k * conv_d[:, None] * SOURCE_CONVERSION[None, :], 0.002, 0.6)
    expected_pb = shop["paid_buyers"][:, None] * np.maximum(share, 0.003)[None, :] + 0.5
    uv_s = pb_s + rng.poisson(expected_pb * (1 - c_s) / c_s)
    pages = SOURCE_PAGES * model.pages_factor
    pv_s = np.round(uv_s * pages[None, :] * np.exp(0.05 * rng.standard_normal((D, S)))).astype(np.int64)
    cart_s = rng.binomial(uv_s, np.minimum(0.45, 2.6 * c_s))
    fav_s = rng.binomial(uv_s, np.minimum(0.3, 0.035 * SOURCE_FAV)[None, :] * np.ones((D, 1)))
    traffic = {"uv": uv_s, "pv": pv_s, "cart_users": cart_s, "fav_users": fav_s, "order_buyers": ob_s,
               "paid_buyers": pb_s, "paid_cents": cents_s}
    overlap = 1.06  # a visitor can arrive through several sources in a day
    shop["uv"] = np.maximum(np.round(uv_s.sum(axis=1) / overlap).astype(np.int64), shop["paid_buyers"])
    shop["pv"] = pv_s.sum(axis=1)
    shop["cart_users"] = np.maximum(np.round(cart_s.sum(axis=1) / 1.04).astype(np.int64), shop["order_buyers"])
    shop["fav_users"] = np.round(fav_s.sum(axis=1) / 1.04).astype(np.int64)
    # products: buyers, units and amounts from the lines; UV around the expected buyers
    pday = paid.day[items.order]
    gp = pday * K + items.sku
    buyers = distinct_count(gp, paid.cust[items.order], D * K, n_cust).reshape(D, K)
    units = np.bincount(gp, weights=items.qty, minlength=D * K).round().astype(np.int64).reshape(D, K)
    amount = np.bincount(gp, weights=items.cents, minlength=D * K).round().astype(np.int64).reshape(D, K)
    uv_w = wts.copy()
    on_sale = sku_weights(model, cat, cal, dem, cal.burn, cal.burn + D)
    listed = on_sale > 0
    if plan.active:
        planted.visitors_after_stockout(uv_w, on_sale, plan)
        if plan.promo is not None:
            promo_planted.visitors_while_sold_out(uv_w, on_sale, plan.promo, cal)
    # expected orders with the SKU: each of an order's 1-3 draws picks it with probability `share`
    share = uv_w / wts.sum(axis=1, keepdims=True)
    p_any = sum(p * (1 - (1 - share) ** (k + 1)) for k, p in enumerate(model.lines_p)) / sum(model.lines_p)
    exp_buyers = pre_orders[:, None] * p_any
    conv = cat.conversion[None, :] * (1 + 0.2 * np.clip(inten, 0, 1))[:, None]
    conv[:, plan.conv_sku] = planted.CONV_BASELINE
    rel = (ext - (cal.burn + D - 1))[:, None]
    age = rel - cat.launched[None, :]
    noise = np.exp(0.1 * rng.standard_normal((D, K)) - 0.005)
    uv = buyers + rng.poisson(exp_buyers * (1 - conv) / conv * noise)
    # products under test get paid test traffic in their first week (直通车测款), whatever the scale
    testing = (age >= 0) & (age < 7) & cat.new[None, :]
    uv = uv + np.where(testing, rng.poisson(250 * np.exp(0.2 * rng.standard_normal((D, K)))), 0)
    uv = np.where(listed | (buyers > 0), uv, 0)
    cart = rng.binomial(uv, np.minimum(0.9, cat.cart_rate)[None, :] * np.ones((D, 1)))
    fav = rng.binomial(uv, cat.fav_rate[None, :] * np.ones((D, 1)))
    product = {"uv": uv, "cart_users": cart, "fav_users": fav, "paid_buyers": buyers, "units": units,
               "paid_cents": amount}
    return Daily(shop, traffic, product, pre_orders)


def simulate_inventory(model: ShopModel, cat: Catalog, cal: Calendar, units: np.ndarray, plan: Plan,
                       seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """End-of-day on_hand and in_transit per (day, SKU) from a periodic-review (order-up-to)
    policy on the actual units sold; returns (on_hand, in_transit, listed)."""
    rng = stream(seed, model.index, "inventory")
    D, K = units.shape
    rel = np.arange(D) - (D - 1)
    listed = (rel[:, None] >= cat.launched[None, :]) & (rel[:, None] <= cat.off[None, :])
    lead_lo, lead_hi = model.lead_days
    lead = rng.integers(lead_lo, lead_hi + 1, K)
    cover = rng.uniform(25, 50, K)
    cover[cat.stock_policy == 1] = rng.uniform(150, 260, (cat.stock_policy == 1).sum())
    cover[cat.stock_policy == 2] = rng.uniform(1.0, 3.0, (cat.stock_policy == 2).sum())
    review = rng.integers(0, 7, K)
    # planners forecast from a smoothed view of demand, shifted ahead to anticipate promotions
    kernel = np.ones(15) / 15
    smooth = np.stack([np.convolve(units[:, i], kernel, mode="same") for i in range(K)], axis=1) + 0.05
    horizon = int(lead_hi + 260 + 10)
    fut = np.vstack([smooth, np.tile(smooth[-28:].mean(axis=0), (horizon, 1))])
    cum = np.vstack([np.zeros((1, K)), np.cumsum(fut, axis=0)])
    on_hand = np.zeros((D, K), np.int64)
    in_transit = np.zeros((D, K), np.int64)
    pipeline = np.zeros((D + lead_hi + 2, K), np.int64)
    stock = np.zeros(K, np.int64)
    started = np.zeros(K, bool)
    cols = np.arange(K)
    for d in range(D):  # a loop over days, vectorised over SKUs
        begin = listed[d] & ~started
        if begin.any():
            stock[begin] = np.ceil(cum[np.minimum(d + lead[begin] + cover[begin].astype(int), len(cum) - 1), cols[begin]]
                                   - cum[d, cols[begin]]).astype(np.int64) + 1
            started |= begin
        stock += pipeline[d]
        stock -= units[d]
        floor = np.ceil(3 * smooth[d]).astype(np.int64) + 1
        short = listed[d] & (stock < 1)
        stock[short] += floor[short] - stock[short]  # expedited delivery, never negative
        stock[~listed[d]] = np.maximum(stock[~listed[d]], 0)
        due = listed[d] & ((d + review) % 7 == 0) & (rel[d] < cat.off - 45)
        if due.any():
            target = cum[np.minimum(d + 1 + lead + cover.astype(int), len(cum) - 1), cols] - cum[d + 1, cols]
            pending = pipeline[d + 1:].sum(axis=0)
            qty = np.ceil(target - stock - pending).astype(np.int64)
            place = due & (qty > 0)
            pipeline[d + lead[place], cols[place]] += qty[place]
        on_hand[d] = stock
        in_transit[d] = pipeline[d + 1:].sum(axis=0)
    if plan.active:
        planted.plant_stockout(on_hand, in_transit, units, plan)
        if plan.promo is not None:
            promo_planted.plant_sold_out(on_hand, in_transit, units, plan.promo, cal)
    return on_hand, in_transit, listed


def _smooth(x: np.ndarray, width: int = 7) -> np.ndarray:
    pad = np.r_[np.full(width // 2, x[:width].mean()), x, np.full(width // 2, x[-width:].mean())]
    return np.convolve(pad, np.ones(width) / width, mode="valid")


def simulate_ads(model: ShopModel, cal: Calendar, dem: Demand, daily: Daily, plan: Plan, seed: int) -> dict:
    """Rows of ``ads_daily`` (only for active campaigns), as arrays; ``day`` is the window day and
    ``planned_spend`` the spend as planned (what promotion budgets are set from), which differs from
    ``spend`` only where the Double 11 overspend is planted."""
    rng = stream(seed, model.index, "ads")
    D = cal.days
    ext = np.arange(cal.burn, cal.burn + D)
    boost = np.clip(dem.intensity[ext], 0, 1)
    gmv = daily.shop["paid_cents"] / 100.0
    orders = max(daily.shop["paid_orders"].sum(), 1)
    aov = gmv.sum() / orders
    total = model.ad_spend_ratio * _smooth(gmv) * (1 + 0.25 * boost) * np.exp(0.08 * rng.standard_normal(D))
    rows = {k: [] for k in ("day", "channel", "campaign", "impressions", "clicks", "spend", "orders", "amount")}
    for c in model.campaigns:
        if c.active == "promo":
            active = dem.promo[ext] >= 1.15
        elif c.active.startswith("recent:"):
            active = np.arange(D) >= D - int(c.active.split(":")[1])
        else:
            active = np.ones(D, bool)
        spend = np.round(total * c.share * np.exp(0.12 * rng.standard_normal(D)), 2)
        cpc = c.cpc * (1 + 0.3 * boost) * np.exp(0.08 * rng.standard_normal(D))
        clicks = np.maximum(1, np.round(spend / cpc)).astype(np.int64)
        ctr = np.clip(c.ctr * np.exp(0.1 * rng.standard_normal(D)), 0.01, 0.05)
        impressions = np.round(clicks / ctr).astype(np.int64)
        if (c.channel, c.name) == model.planted_campaign:
            roi = planted.planted_campaign_roi(rng, cal, plan)
        else:
            roi = model.roi_target * rng.uniform(1.3, 1.9) * np.exp(0.15 * rng.standard_normal(D)) * (1 + 0.15 * boost)
        amount = np.round(spend * roi, 2)
        n_orders = np.round(amount / (aov * rng.uniform(0.9, 1.1, D))).astype(np.int64)
        keep = active & (spend > 0)
        idx = np.nonzero(keep)[0]
        rows["day"].append(idx)
        rows["channel"] += [c.channel] * len(idx)
        rows["campaign"] += [c.name] * len(idx)
        for key, arr in (("impressions", impressions), ("clicks", clicks), ("spend", spend), ("orders", n_orders),
                         ("amount", amount)):
            rows[key].append(arr[idx])
    out = {k: (np.concatenate(v) if k not in ("channel", "campaign") else v) for k, v in rows.items()}
    order = np.argsort(out["day"], kind="stable")
    ads = {k: (np.asarray(v, dtype=object)[order] if k in ("channel", "campaign") else v[order]) for k, v in out.items()}
    ads["planned_spend"] = ads["spend"].copy()
    if plan.active and plan.promo is not None:
        promo_planted.plant_overspend(ads, plan.promo, cal)
    return ads


def simulate_service(model: ShopModel, cal: Calendar, dem: Demand, daily: Daily, plan: Plan, seed: int) -> dict:
    """Rows of ``service_daily`` (agents on duty or with consultations), as arrays."""
    rng = stream(seed, model.index, "service")
    D, A = cal.days, model.agents
    ext = np.arange(cal.burn, cal.burn + D)
    boost = np.clip(dem.intensity[ext], 0, 1)
    weekday = dem.weekday[ext]
    rest = np.stack([(weekday == (a % 7)) | (weekday == ((a + 3) % 7)) for a in range(A)], axis=1)
    working = ~rest | (dem.promo[ext] >= 1.5)[:, None]
    skill = rng.uniform(0.7, 1.3, A)
    reply = rng.uniform(0.82, 0.97, A)
    response = rng.uniform(10, 35, A)
    paid_conv = np.clip(model.inquiry_conversion * rng.uniform(0.75, 1.25, A), 0.05, 0.9)
    good = rng.uniform(0.93, 0.985, A)
    total = rng.poisson(model.inquiry_rate * daily.shop["uv"] * np.exp(0.08 * rng.standard_normal(D)))
    p = working * skill
    p = p / p.sum(axis=1, keepdims=True)
    cons = rng.multinomial(total, p)
    replied = rng.binomial(cons, np.clip(reply[None, :] * (1 - 0.08 * boost)[:, None], 0, 1))
    first = np.round(response[None, :] * (1 + 0.5 * boost)[:, None] * np.exp(0.12 * rng.standard_normal((D, A))), 1)
    first = np.clip(first, 3, 120)
    inquiry = rng.binomial(cons, 0.78)
    inquiry_paid = rng.binomial(inquiry, np.clip(paid_conv[None, :] * (1 + 0.1 * boost)[:, None], 0, 1))
    settled = np.r_[np.zeros(7), daily.shop["paid_orders"][:-7]] if D > 7 else np.zeros(D)
    reviews_total = rng.poisson(0.3 * settled)
    reviews = rng.multinomial(reviews_total, p)
    good_reviews = rng.binomial(reviews, good[None, :] * np.ones((D, 1)))
    complaint_rate = np.full(D, 0.0025)
    if plan.active:
        planted.plant_complaints(complaint_rate, cal)
    complaints = rng.poisson((complaint_rate * daily.shop["paid_orders"])[:, None] * p)
    keep = working | (cons > 0)
    d_idx, a_idx = np.nonzero(keep)
    return {
        "day": d_idx, "agent": a_idx, "consultations": cons[keep], "replied_30s": replied[keep],
        "first_response_s": first[keep], "inquiry_buyers": inquiry[keep], "inquiry_paid_buyers": inquiry_paid[keep],
        "reviews": reviews[keep], "good_reviews": good_reviews[keep], "complaints": complaints[keep],
    }


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """``shop_daily``, ``traffic_daily``, ``product_daily``, ``inventory_daily``, ``ads_daily`` and
    ``service_daily``."""
    start, D, sku_ids = sim.cal.start, sim.cal.days, sim.catalog.sku_id
    sh, tr, pr = sim.daily.shop, sim.daily.traffic, sim.daily.product
    out: dict[str, Columns] = {}
    out["shop_daily"] = {
        "date": dates(start, np.arange(D)),
        **{k: sh[k] for k in ("uv", "pv", "cart_users", "fav_users", "order_buyers", "paid_buyers", "paid_orders",
                              "units")},
        "paid_amount": Cents(sh["paid_cents"]), "refund_amount": Cents(sh["refund_cents"]),
    }
    d_idx, s_idx = np.divmod(np.arange(D * len(SOURCES)), len(SOURCES))
    out["traffic_daily"] = {
        "date": dates(start, d_idx), "source": labels(s_idx, SOURCES),
        **{k: tr[k].ravel() for k in ("uv", "pv", "cart_users", "fav_users", "order_buyers", "paid_buyers")},
        "paid_amount": Cents(tr["paid_cents"].ravel()),
    }
    d_idx, k_idx = np.nonzero(pr["uv"] > 0)
    out["product_daily"] = {
        "date": dates(start, d_idx), "sku_id": labels(k_idx, sku_ids),
        **{k: pr[k][d_idx, k_idx] for k in ("uv", "cart_users", "fav_users", "paid_buyers", "units")},
        "paid_amount": Cents(pr["paid_cents"][d_idx, k_idx]),
    }
    on_hand, in_transit, listed = sim.inventory
    d_idx, k_idx = np.nonzero(listed)
    out["inventory_daily"] = {
        "date": dates(start, d_idx), "sku_id": labels(k_idx, sku_ids),
        "on_hand": on_hand[d_idx, k_idx], "in_transit": in_transit[d_idx, k_idx],
    }
    ads = sim.ads
    out["ads_daily"] = {
        "date": dates(start, ads["day"]), "channel": list(ads["channel"]), "campaign": list(ads["campaign"]),
        "impressions": ads["impressions"], "clicks": ads["clicks"], "spend": ads["spend"],
        "attributed_orders": ads["orders"], "attributed_amount": ads["amount"],
    }
    service = sim.service
    agents = [f"{sim.model.shop.shop_id}-kf{a + 1:02d}" for a in range(sim.model.agents)]
    out["service_daily"] = {
        "date": dates(start, service["day"]), "agent_id": labels(service["agent"], agents),
        **{k: service[k] for k in ("consultations", "replied_30s", "first_response_s", "inquiry_buyers",
                                   "inquiry_paid_buyers", "reviews", "good_reviews", "complaints")},
    }
    return out
