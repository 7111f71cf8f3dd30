"""A hand-made warehouse for the promotion retrospective, small enough to compute every figure by hand.

Shop "0001" (Tmall beauty, CNY, ROI target 3 from rules.yaml). Daily data 2026-07-13 (Mon) ..
2026-09-30 (Wed), plus two lone old orders (customers A and B) that only decide who is new.

Promotions
----------
==========  ====================  ==========  ===================  ===================  ======  ======
promo_id    name                  event       start_at             end_at               target  budget
==========  ====================  ==========  ===================  ===================  ======  ======
P0          夏日店庆 (earlier)      shop_event  2026-07-14 00:00:00  2026-07-16 23:59:59    1500       0
P1          秋季店庆 (reviewed)     shop_event  2026-09-18 20:00:00  2026-09-20 23:59:59    4800    1400
==========  ====================  ==========  ===================  ===================  ======  ======

P1 phases: warmup 09-18 20:00:00 .. 09-19 23:59:59, target 1800; burst 09-20 00:00:00 .. 23:59:59,
target 3000 (1800 + 3000 = the promotion's 4800). P0 ended 76 days before the data end (>= 60: its
refunds are final and shape the maturation curve) and before the lift's fit weeks start (07-19).

Ordinary days (every day that is not a P1 day; P0 days add their planted orders)
--------------------------------------------------------------------------------
Two one-off buyers a day (ids nMMDDa, nMMDDb), one paying at 10:00 and one at 21:00, the same amount:
Mon-Fri 100 + 100 = 200, Sat-Sun 200 + 200 = 400. So the daily GMV is a noise-free weekly pattern
(the lift's baseline fits it exactly: 200 a weekday, 400 a weekend day, no trend) and the hour-of-day
profile of any stretch of ordinary days is 50 % at 10:00, 50 % at 21:00. UV 100 a day (P0 days 200),
pv 3 x uv, cart_users uv / 10, fav_users uv / 20, order_buyers = paid buyers + 1.
Products of an ordinary day: weekday S2 1 x 100 + S4 2 x 50; weekend S2 2 x 100 + S3 2 x 50 + S4 2 x 50
(= the day's GMV). Traffic (none on P0's days): search 60 % of UV, recommendation 40 %, one buyer and
half the GMV each.
Service: one agent, 10 consultations (9 answered in 30 s, 20 s first response), 4 inquiring buyers
(2 paid), 2 reviews (2 good), no complaint.

Planted orders
--------------
=====  ========  ===================  =====  ======  =========  ==================================================
order  customer  paid_at              paid   refund  refunded   why
=====  ========  ===================  =====  ======  =========  ==================================================
oA0    A         2025-08-14 10:00      150       0             400 days before the start: A is NEW again in P1
oB0    B         2026-06-10 10:00      150       0             100 days before the start: B is RETURNING in P1
oK0    K         2026-07-14 12:00      500     100  07-14 + 20  P0 refund at age 20 days
oE0    E         2026-07-15 12:00      500     100  07-15 + 2   P0 refund at age 2 days (E: returning in P1)
oX     X         2026-09-18 19:59:59   300       0             1 s before P1 starts: NOT promotion GMV
oA1    A         2026-09-18 20:00:00   300       0             P1's first instant: counted (warmup, day 1)
oB1    B         2026-09-19 10:00      400       0             warmup
pD     D         2026-09-19 11:00      300       0             pre-sale: deposit 100 + balance 200 (warmup)
oC1    C         2026-09-19 21:00      500     100  09-22      warmup; refund age 3
oA2    A         2026-09-19 22:00      100       0             warmup; A's second order
oE1    E         2026-09-20 10:00     1000     200  09-25      burst; refund age 5
oF1    F         2026-09-20 15:00      600       0             burst
oG1    G         2026-09-20 21:00      800       0             burst
oH1    H         2026-09-20 23:59:59   200       0             P1's last instant: counted (burst)
=====  ========  ===================  =====  ======  =========  ==================================================

P1 GMV = 300 + (400 + 300 + 500 + 100) + (1000 + 600 + 800 + 200) = 300 + 1300 + 2600 = 4200 (oX is
left out; its whole first day is 600). Refunds 100 + 200 = 300. Buyers A B C D E F G H = 8.
New: A (last order 400 days before), C, D, F, G, H (none before); returning: B (100 days), E (P0).

Pre-sale (presale_orders, P1): pD by D, deposit 100 on 09-12, balance 200 paid 09-19 11:00, 2 units;
pY by Y, deposit 100 on 09-13, balance 350 never paid, 3 units (Y has no paid order).

Products, prices and stock
--------------------------
===  =========  ========  =====  ===========  ==========================================================
sku  category   list      promo  allocated    price rules (history: daily prices 08-01 .. 09-17)
===  =========  ========  =====  ===========  ==========================================================
S1   面部护理     200       150    6            clean: 150 <= 160 (80 %), 30-day low 180 (09-01..09-03)
S2   彩妆        100        90    20           daily_price FAILS: 90 > 80; low 100
S3   面部护理      50        40    (empty)      40 = 80 % of 50 passes; 30-day low 35 on 08-25 -> window_low
                                              FAILS (the 30 on 08-18 is 31 days before: outside)
S4   面部护理      60        --    --           not promoted: the cannibalisation series (100 a day)
S5   彩妆        80        --    --           dead: no sales, on_hand 0 -> never a stockout
===  =========  ========  =====  ===========  ==========================================================

product_daily on P1's days (each day's amounts add up to that whole day's order GMV):

=====  ===========  ===========  ============  =====  ====================================
day    S1           S2           S3            units  total
=====  ===========  ===========  ============  =====  ====================================
09-18  2 u  300     2 u  200     2 u  100        6    600 (oX at list prices + oA1 2 x S1)
09-19  4 u  600     2 u  180     13 u 520       19    1300
09-20  0            20 u 1800    20 u 800       40    2600
=====  ===========  ===========  ============  =====  ====================================

inventory_daily (end of day) 09-17 .. 09-20: S1 6, 4, 0, 0 (out from the second day); S2 100, 98, 96,
76; S3 100, 98, 85, 65; S4 100; S5 0.

Ads, coupons, traffic and service on P1's days
----------------------------------------------
ads_daily, each of 09-18, 09-19, 09-20: 直通车 spend 300, 10 000 impressions, 150 clicks, attributed
1200 (3 days: 900 against a budget of 800, ROI 4); 引力魔方 spend 210, 7 000 impressions, 70 clicks,
attributed 420 (3 days: 630 against 600, exactly 5 % over: allowed; ROI 2 < 3).
coupons: P1 满300减30 issued 40, redeemed 4; 满1000减150 issued 10, redeemed 1. P0 满200减20 issued 20,
redeemed 5. traffic_daily: search / recommendation UV 150/150, 200/200, 300/300; buyers 1/1, 2/2, 3/1;
GMV 300/300, 700/600, 1800/800. shop_daily UV 300, 400, 600. service_daily: 50 consultations
(40 in 30 s, 30 s first response), 20 inquiring buyers (10 paid), 10 reviews (9 good), 1 complaint.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

SHOP = "0001"
PROMO, EARLIER = "P1", "P0"
FIRST_DAY, LAST_DAY = dt.date(2026, 7, 13), dt.date(2026, 9, 30)
START_AT, END_AT = pd.Timestamp("2026-09-18 20:00:00"), pd.Timestamp("2026-09-20 23:59:59")
PROMO_DAYS = [dt.date(2026, 9, 18), dt.date(2026, 9, 19), dt.date(2026, 9, 20)]
EARLIER_DAYS = [dt.date(2026, 7, 14), dt.date(2026, 7, 15), dt.date(2026, 7, 16)]

# order, customer, paid_at, paid_amount, refund_amount, refunded_at
PLANTED = [
    ("oA0", "A", "2025-08-14 10:00:00", 150.0, 0.0, None),
    ("oB0", "B", "2026-06-10 10:00:00", 150.0, 0.0, None),
    ("oK0", "K", "2026-07-14 12:00:00", 500.0, 100.0, "2026-08-03 12:00:00"),
    ("oE0", "E", "2026-07-15 12:00:00", 500.0, 100.0, "2026-07-17 12:00:00"),
    ("oX", "X", "2026-09-18 19:59:59", 300.0, 0.0, None),
    ("oA1", "A", "2026-09-18 20:00:00", 300.0, 0.0, None),
    ("oB1", "B", "2026-09-19 10:00:00", 400.0, 0.0, None),
    ("pD", "D", "2026-09-19 11:00:00", 300.0, 0.0, None),
    ("oC1", "C", "2026-09-19 21:00:00", 500.0, 100.0, "2026-09-22 10:00:00"),
    ("oA2", "A", "2026-09-19 22:00:00", 100.0, 0.0, None),
    ("oE1", "E", "2026-09-20 10:00:00", 1000.0, 200.0, "2026-09-25 10:00:00"),
    ("oF1", "F", "2026-09-20 15:00:00", 600.0, 0.0, None),
    ("oG1", "G", "2026-09-20 21:00:00", 800.0, 0.0, None),
    ("oH1", "H", "2026-09-20 23:59:59", 200.0, 0.0, None),
]

# P1 days, whole days: sku -> (units, amount)
PROMO_PRODUCTS = {
    PROMO_DAYS[0]: {"S1": (2, 300.0), "S2": (2, 200.0), "S3": (2, 100.0), "S4": (0, 0.0)},
    PROMO_DAYS[1]: {"S1": (4, 600.0), "S2": (2, 180.0), "S3": (13, 520.0), "S4": (0, 0.0)},
    PROMO_DAYS[2]: {"S1": (0, 0.0), "S2": (20, 1800.0), "S3": (20, 800.0), "S4": (0, 0.0)},
}
# P0's planted buyers each took S1 2 x 200 + S2 1 x 100
EARLIER_EXTRA = {EARLIER_DAYS[0]: {"S1": (2, 400.0), "S2": (1, 100.0)},
                 EARLIER_DAYS[1]: {"S1": (2, 400.0), "S2": (1, 100.0)}}

PROMO_UV = {PROMO_DAYS[0]: 300, PROMO_DAYS[1]: 400, PROMO_DAYS[2]: 600}
# source -> per P1 day (uv, paid_buyers, paid_amount)
PROMO_TRAFFIC = {
    "search": [(150, 1, 300.0), (200, 2, 700.0), (300, 3, 1800.0)],
    "recommendation": [(150, 1, 300.0), (200, 2, 600.0), (300, 1, 800.0)],
}


def days() -> list[dt.date]:
    return [FIRST_DAY + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]


def weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def ordinary_amount(day: dt.date) -> float:
    """Each of the day's two ordinary orders: 100 on a weekday, 200 on a weekend day."""
    return 200.0 if weekend(day) else 100.0


def orders() -> pd.DataFrame:
    rows = []
    for day in days():
        if day in PROMO_DAYS:
            continue
        for suffix, hour in (("a", 10), ("b", 21)):
            paid = pd.Timestamp(day) + pd.Timedelta(hours=hour)
            rows.append((f"n{day:%m%d}{suffix}", f"n{day:%m%d}{suffix}", paid, ordinary_amount(day), 0.0, None))
    rows += [(o, c, pd.Timestamp(p), a, r, None if at is None else pd.Timestamp(at)) for o, c, p, a, r, at in PLANTED]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "paid_at", "paid_amount", "refund_amount", "refunded_at"])
    frame["paid_at"] = pd.to_datetime(frame.paid_at)
    frame["refunded_at"] = pd.to_datetime(frame.refunded_at)
    frame["created_at"] = frame.paid_at - pd.Timedelta(minutes=5)
    frame.loc[frame.order_id == "pD", "created_at"] = pd.Timestamp("2026-09-12 10:00:00")  # the deposit
    frame["status"] = ["refunded" if r > 0 else "completed" for r in frame.refund_amount]
    frame["source"] = "search"
    frame.insert(0, "shop_id", SHOP)
    return frame.sort_values("paid_at").reset_index(drop=True)


def product_daily() -> pd.DataFrame:
    rows = []
    for day in days():
        if day in PROMO_PRODUCTS:
            sales = PROMO_PRODUCTS[day]
        else:
            n = 2 if weekend(day) else 1
            sales = {"S2": (n, 100.0 * n), "S4": (2, 100.0)}
            if weekend(day):
                sales["S3"] = (2, 100.0)
            for sku, (units, amount) in EARLIER_EXTRA.get(day, {}).items():
                u, a = sales.get(sku, (0, 0.0))
                sales[sku] = (u + units, a + amount)
        for sku, (units, amount) in sorted(sales.items()):
            rows.append({"shop_id": SHOP, "date": day, "sku_id": sku, "uv": 10 * units + 10, "cart_users": units,
                         "fav_users": units, "paid_buyers": min(units, 2), "units": units, "paid_amount": amount})
    return pd.DataFrame(rows)


def shop_daily() -> pd.DataFrame:
    """Buyers, orders, GMV and refunds (by payment date) from the orders; units from product_daily."""
    o = orders()
    o = o.assign(date=o.paid_at.dt.date)
    by_day = o.groupby("date").agg(paid_amount=("paid_amount", "sum"), paid_buyers=("customer_id", "nunique"),
                                   paid_orders=("order_id", "count"), refund_amount=("refund_amount", "sum"))
    units = product_daily().groupby("date").units.sum()
    rows = []
    for day in days():
        uv = PROMO_UV.get(day, 200 if day in EARLIER_DAYS else 100)
        b = by_day.loc[day]
        rows.append({
            "shop_id": SHOP, "date": day, "uv": uv, "pv": 3 * uv, "cart_users": uv // 10, "fav_users": uv // 20,
            "order_buyers": int(b.paid_buyers) + 1, "paid_buyers": int(b.paid_buyers),
            "paid_orders": int(b.paid_orders), "units": int(units.loc[day]), "paid_amount": float(b.paid_amount),
            "refund_amount": float(b.refund_amount),
        })
    return pd.DataFrame(rows)


def traffic_daily() -> pd.DataFrame:
    rows = []
    for day in days():
        if day in PROMO_DAYS:
            i = PROMO_DAYS.index(day)
            for source, per_day in PROMO_TRAFFIC.items():
                uv, buyers, amount = per_day[i]
                rows.append((day, source, uv, buyers, amount))
            continue
        if day in EARLIER_DAYS:
            continue  # P0's days: not needed by any figure of the retrospective
        half = ordinary_amount(day)  # one of the day's two orders
        rows += [(day, "search", 60, 1, half), (day, "recommendation", 40, 1, half)]
    return pd.DataFrame([{"shop_id": SHOP, "date": d, "source": s, "uv": uv, "pv": 2 * uv, "cart_users": uv // 10,
                          "fav_users": uv // 20, "order_buyers": b, "paid_buyers": b, "paid_amount": a}
                         for d, s, uv, b, a in rows])


def service_daily() -> pd.DataFrame:
    rows = []
    for day in days():
        busy = day in PROMO_DAYS
        rows.append({"shop_id": SHOP, "date": day, "agent_id": "a1",
                     "consultations": 50 if busy else 10, "replied_30s": 40 if busy else 9,
                     "first_response_s": 30.0 if busy else 20.0, "inquiry_buyers": 20 if busy else 4,
                     "inquiry_paid_buyers": 10 if busy else 2, "reviews": 10 if busy else 2,
                     "good_reviews": 9 if busy else 2, "complaints": 1 if busy else 0})
    return pd.DataFrame(rows)


def price_history() -> pd.DataFrame:
    rows = []
    day = dt.date(2026, 8, 1)
    while day <= dt.date(2026, 9, 17):
        s1 = 180.0 if dt.date(2026, 9, 1) <= day <= dt.date(2026, 9, 3) else 200.0
        s3 = {dt.date(2026, 8, 18): 30.0, dt.date(2026, 8, 25): 35.0}.get(day, 50.0)
        rows += [(day, "S1", s1), (day, "S2", 100.0), (day, "S3", s3)]
        day += dt.timedelta(days=1)
    return pd.DataFrame([{"shop_id": SHOP, "date": d, "sku_id": s, "price": p} for d, s, p in rows])


def inventory_daily() -> pd.DataFrame:
    on_hand = {"S1": [6, 4, 0, 0], "S2": [100, 98, 96, 76], "S3": [100, 98, 85, 65], "S4": [100] * 4, "S5": [0] * 4}
    first = PROMO_DAYS[0] - dt.timedelta(days=1)
    return pd.DataFrame([{"shop_id": SHOP, "date": first + dt.timedelta(days=i), "sku_id": sku, "on_hand": n,
                          "in_transit": 0} for sku, levels in on_hand.items() for i, n in enumerate(levels)])


def ads_daily() -> pd.DataFrame:
    rows = []
    for day in PROMO_DAYS:
        rows.append({"shop_id": SHOP, "date": day, "channel": "直通车", "campaign": "店庆拉新", "impressions": 10_000,
                     "clicks": 150, "spend": 300.0, "attributed_orders": 4, "attributed_amount": 1200.0})
        rows.append({"shop_id": SHOP, "date": day, "channel": "引力魔方", "campaign": "店庆人群", "impressions": 7_000,
                     "clicks": 70, "spend": 210.0, "attributed_orders": 1, "attributed_amount": 420.0})
    return pd.DataFrame(rows)


def tables() -> dict[str, pd.DataFrame]:
    ts = pd.Timestamp
    shops = pd.DataFrame([{"shop_id": SHOP, "name": "测试美妆旗舰店", "platform": "tmall", "category": "beauty",
                           "currency": "CNY"}])
    launched = dt.date(2025, 1, 1)
    products = pd.DataFrame([
        {"shop_id": SHOP, "sku_id": sku, "product_name": name, "category": cat, "list_price": price,
         "unit_cost": price / 4, "launched_on": launched, "status": status}
        for sku, name, cat, price, status in (
            ("S1", "精华液", "面部护理", 200.0, "on_shelf"), ("S2", "口红", "彩妆", 100.0, "on_shelf"),
            ("S3", "面膜", "面部护理", 50.0, "on_shelf"), ("S4", "眼霜", "面部护理", 60.0, "on_shelf"),
            ("S5", "旧款粉底", "彩妆", 80.0, "off_shelf"))
    ])
    promotions = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": EARLIER, "name": "夏日店庆", "event": "shop_event",
         "start_at": ts("2026-07-14 00:00:00"), "end_at": ts("2026-07-16 23:59:59"), "target_gmv": 1500.0, "budget": 0.0},
        {"shop_id": SHOP, "promo_id": PROMO, "name": "秋季店庆", "event": "shop_event",
         "start_at": START_AT, "end_at": END_AT, "target_gmv": 4800.0, "budget": 1400.0},
    ])
    phases = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": PROMO, "phase": "warmup", "start_at": START_AT,
         "end_at": ts("2026-09-19 23:59:59"), "target_gmv": 1800.0},
        {"shop_id": SHOP, "promo_id": PROMO, "phase": "burst", "start_at": ts("2026-09-20 00:00:00"),
         "end_at": END_AT, "target_gmv": 3000.0},
    ])
    promo_skus = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": PROMO, "sku_id": "S1", "promo_price": 150.0, "stock_allocated": 6},
        {"shop_id": SHOP, "promo_id": PROMO, "sku_id": "S2", "promo_price": 90.0, "stock_allocated": 20},
        {"shop_id": SHOP, "promo_id": PROMO, "sku_id": "S3", "promo_price": 40.0, "stock_allocated": None},
    ])
    coupons = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": PROMO, "coupon_id": "P1-300-30", "threshold": 300.0, "discount": 30.0,
         "issued": 40, "redeemed": 4},
        {"shop_id": SHOP, "promo_id": PROMO, "coupon_id": "P1-1000-150", "threshold": 1000.0, "discount": 150.0,
         "issued": 10, "redeemed": 1},
        {"shop_id": SHOP, "promo_id": EARLIER, "coupon_id": "P0-200-20", "threshold": 200.0, "discount": 20.0,
         "issued": 20, "redeemed": 5},
    ])
    presale = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": PROMO, "order_id": "pD", "customer_id": "D", "quantity": 2,
         "deposit_paid_at": ts("2026-09-12 10:00:00"), "deposit_amount": 100.0, "balance_amount": 200.0,
         "balance_paid_at": ts("2026-09-19 11:00:00")},
        {"shop_id": SHOP, "promo_id": PROMO, "order_id": "pY", "customer_id": "Y", "quantity": 3,
         "deposit_paid_at": ts("2026-09-13 10:00:00"), "deposit_amount": 100.0, "balance_amount": 350.0,
         "balance_paid_at": pd.NaT},
    ])
    budgets = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": PROMO, "channel": "直通车", "budget": 800.0},
        {"shop_id": SHOP, "promo_id": PROMO, "channel": "引力魔方", "budget": 600.0},
    ])
    return {
        "shops": shops,
        "products": products,
        "orders": orders(),
        "shop_daily": shop_daily(),
        "traffic_daily": traffic_daily(),
        "product_daily": product_daily(),
        "inventory_daily": inventory_daily(),
        "ads_daily": ads_daily(),
        "service_daily": service_daily(),
        "promotions": promotions,
        "promotion_phases": phases,
        "promo_skus": promo_skus,
        "price_history": price_history(),
        "coupons": coupons,
        "presale_orders": presale,
        "promo_ad_budgets": budgets,
    }
