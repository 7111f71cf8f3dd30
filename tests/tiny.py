"""A hand-made warehouse small enough to compute every metric by hand.

Shop "0001" (Tmall beauty). Reviewed week 2026-W47 = Mon 2026-11-16 .. Sun 2026-11-22,
last week 2026-W46, same week last year 2025-W47 = 2025-11-17 .. 2025-11-23.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

SHOP = "0001"
W47 = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(7)]
W46 = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(7)]
LY47 = [dt.date(2025, 11, 17) + dt.timedelta(days=i) for i in range(7)]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def orders() -> pd.DataFrame:
    rows = [
        # order, customer, paid_at, paid, refund, status
        ("o1", "A", "2026-11-17 10:00", 100.0, 0.0, "completed"),
        ("o2", "A", "2026-11-18 11:00", 50.0, 0.0, "completed"),
        ("o3", "B", "2026-11-17 12:00", 200.0, 50.0, "refunded"),
        ("o4", "C", "2026-11-19 09:00", 80.0, 0.0, "shipped"),
        ("o5", "D", "2026-11-20 15:00", 70.0, 0.0, "paid"),
        ("o6", "C", "2025-12-01 09:00", 40.0, 0.0, "completed"),  # C bought 353 days before: not new
        ("o7", "D", "2025-11-01 09:00", 60.0, 0.0, "completed"),  # D: 384 days before: new again
        ("o8", "F", "2026-11-10 09:00", 30.0, 0.0, "completed"),  # last week
        ("o9", "G", "2025-11-18 09:00", 90.0, 0.0, "completed"),  # same week last year
        ("o10", "E", None, 0.0, 0.0, "pending_payment"),  # never paid: not GMV
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "paid_at", "paid_amount", "refund_amount", "status"])
    frame["paid_at"] = pd.to_datetime(frame.paid_at)
    frame["created_at"] = frame.paid_at.fillna(ts("2026-11-21 08:00")) - pd.Timedelta(minutes=5)
    frame["refunded_at"] = pd.NaT
    frame.loc[frame.refund_amount > 0, "refunded_at"] = ts("2026-11-21 10:00")
    frame["source"] = "search"
    frame.insert(0, "shop_id", SHOP)
    return frame


def order_items() -> pd.DataFrame:
    rows = [
        ("o1", "S1", 2, 100.0),
        ("o2", "S2", 1, 50.0),
        ("o3", "S1", 3, 150.0),
        ("o3", "S2", 1, 50.0),
        ("o4", "S2", 2, 80.0),
        ("o5", "S1", 1, 70.0),
        ("o6", "S1", 1, 40.0),
        ("o7", "S1", 1, 60.0),
        ("o8", "S2", 1, 30.0),
        ("o9", "S1", 1, 90.0),
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "sku_id", "quantity", "paid_amount"])
    frame.insert(0, "shop_id", SHOP)
    return frame


def shop_daily() -> pd.DataFrame:
    """UV 100 a day this week, 80 last week, 50 last year; buyer and GMV columns from orders."""
    o = orders().dropna(subset=["paid_at"])
    o["date"] = o.paid_at.dt.date
    by_day = o.groupby("date").agg(paid_amount=("paid_amount", "sum"), paid_buyers=("customer_id", "nunique"),
                                   paid_orders=("order_id", "count"), refund_amount=("refund_amount", "sum"))
    rows = []
    for days, uv in ((W47, 100), (W46, 80), (LY47, 50)):
        for d in days:
            b = by_day.loc[d] if d in by_day.index else None
            rows.append({
                "shop_id": SHOP, "date": d, "uv": uv, "pv": uv * 3, "cart_users": uv // 10, "fav_users": uv // 20,
                "order_buyers": 0 if b is None else int(b.paid_buyers) + 1,
                "paid_buyers": 0 if b is None else int(b.paid_buyers),
                "paid_orders": 0 if b is None else int(b.paid_orders),
                "units": 0,
                "paid_amount": 0.0 if b is None else float(b.paid_amount),
                "refund_amount": 0.0 if b is None else float(b.refund_amount),
            })
    return pd.DataFrame(rows)


def tables() -> dict[str, pd.DataFrame]:
    shops = pd.DataFrame([{"shop_id": SHOP, "name": "测试美妆旗舰店", "platform": "tmall", "category": "beauty", "currency": "CNY"}])
    products = pd.DataFrame([
        {"shop_id": SHOP, "sku_id": "S1", "product_name": "精华液", "category": "面部护理", "list_price": 100.0,
         "unit_cost": 30.0, "launched_on": dt.date(2025, 1, 1), "status": "on_shelf"},
        {"shop_id": SHOP, "sku_id": "S2", "product_name": "口红", "category": "彩妆", "list_price": 50.0,
         "unit_cost": 10.0, "launched_on": dt.date(2025, 1, 1), "status": "on_shelf"},
        {"shop_id": SHOP, "sku_id": "S3", "product_name": "面膜", "category": "面部护理", "list_price": 20.0,
         "unit_cost": 5.0, "launched_on": dt.date(2025, 1, 1), "status": "on_shelf"},
    ])
    ads = pd.DataFrame([
        {"shop_id": SHOP, "date": W47[0], "channel": "直通车", "campaign": "拉新", "impressions": 10000, "clicks": 200,
         "spend": 400.0, "attributed_orders": 5, "attributed_amount": 1000.0},
        {"shop_id": SHOP, "date": W47[1], "channel": "直通车", "campaign": "拉新", "impressions": 10000, "clicks": 300,
         "spend": 600.0, "attributed_orders": 4, "attributed_amount": 800.0},
        {"shop_id": SHOP, "date": W46[0], "channel": "直通车", "campaign": "拉新", "impressions": 5000, "clicks": 100,
         "spend": 250.0, "attributed_orders": 4, "attributed_amount": 1000.0},
    ])
    targets = pd.DataFrame([
        {"shop_id": SHOP, "period_type": "week", "period": "2026-W47", "metric": "gmv", "value": 400.0},
        {"shop_id": SHOP, "period_type": "week", "period": "2026-W47", "metric": "conversion_rate", "value": 0.01},
        {"shop_id": SHOP, "period_type": "month", "period": "2026-11", "metric": "gmv", "value": 3000.0},
    ])
    return {
        "shops": shops,
        "products": products,
        "orders": orders(),
        "order_items": order_items(),
        "shop_daily": shop_daily(),
        "ads_daily": ads,
        "targets": targets,
    }


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def extended_tables() -> dict[str, pd.DataFrame]:
    """tables() plus products, traffic, inventory, service and a coming promotion, small enough
    to check by hand every number of the other sections (see tests/analyses/test_sections.py)."""
    t = tables()
    new = pd.DataFrame([
        {"shop_id": SHOP, "sku_id": "S4", "product_name": "新品面霜", "category": "面部护理", "list_price": 80.0,
         "unit_cost": 20.0, "launched_on": _day("2026-11-18"), "status": "on_shelf"},
        {"shop_id": SHOP, "sku_id": "S5", "product_name": "新品眼霜", "category": "面部护理", "list_price": 90.0,
         "unit_cost": 20.0, "launched_on": _day("2026-11-21"), "status": "on_shelf"},
    ])
    t["products"] = pd.concat([t["products"], new], ignore_index=True)
    pd_rows = [
        # day, sku, uv, cart, fav, buyers, units, amount
        ("2026-11-17", "S1", 700, 30, 10, 21, 30, 3000.0),
        ("2026-11-10", "S1", 600, 30, 10, 24, 35, 3500.0),
        ("2026-11-17", "S2", 200, 10, 5, 10, 12, 600.0),
        ("2026-11-10", "S2", 300, 10, 5, 9, 10, 500.0),
        ("2026-11-17", "S3", 50, 1, 1, 0, 0, 0.0),
        ("2026-11-10", "S3", 80, 2, 1, 4, 5, 100.0),
        ("2026-11-18", "S4", 100, 4, 5, 0, 0, 0.0),
        ("2026-11-19", "S4", 100, 1, 2, 0, 0, 0.0),
        ("2026-11-20", "S4", 100, 0, 0, 0, 0, 0.0),
        ("2026-11-21", "S4", 100, 10, 10, 0, 0, 0.0),  # 4th day: outside the 3-day test
    ]
    t["product_daily"] = pd.DataFrame(
        [{"shop_id": SHOP, "date": _day(d), "sku_id": s, "uv": uv, "cart_users": c, "fav_users": f,
          "paid_buyers": b, "units": u, "paid_amount": a} for d, s, uv, c, f, b, u, a in pd_rows]
    )
    inv = [("2026-11-22", "S1", 60, 0), ("2026-11-19", "S2", 5, 0), ("2026-11-20", "S2", 0, 0),
           ("2026-11-21", "S2", 0, 0), ("2026-11-22", "S2", 0, 0), ("2026-11-22", "S3", 500, 0)]
    t["inventory_daily"] = pd.DataFrame(
        [{"shop_id": SHOP, "date": _day(d), "sku_id": s, "on_hand": o, "in_transit": i} for d, s, o, i in inv]
    )
    traffic = [("2026-11-17", "search", 500, 10, 1000.0), ("2026-11-17", "recommendation", 300, 3, 200.0),
               ("2026-11-10", "search", 400, 8, 800.0), ("2026-11-10", "recommendation", 400, 2, 100.0)]
    t["traffic_daily"] = pd.DataFrame(
        [{"shop_id": SHOP, "date": _day(d), "source": s, "uv": uv, "pv": uv * 2, "cart_users": 0, "fav_users": 0,
          "order_buyers": b, "paid_buyers": b, "paid_amount": a} for d, s, uv, b, a in traffic]
    )
    service = [("a1", 100, 90, 10.0, 50, 20, 40, 38, 1), ("a2", 300, 240, 30.0, 100, 30, 60, 54, 2)]
    t["service_daily"] = pd.DataFrame(
        [{"shop_id": SHOP, "date": _day("2026-11-18"), "agent_id": a, "consultations": c, "replied_30s": r,
          "first_response_s": f, "inquiry_buyers": ib, "inquiry_paid_buyers": ip, "reviews": rv, "good_reviews": g,
          "complaints": cp} for a, c, r, f, ib, ip, rv, g, cp in service]
    )
    t["promotions"] = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": "P1", "name": "双11", "event": "double11", "start_at": ts("2026-11-10 00:00"),
         "end_at": ts("2026-11-11 23:59"), "target_gmv": 1000.0, "budget": 100.0},
        {"shop_id": SHOP, "promo_id": "P2", "name": "双12", "event": "double12", "start_at": ts("2026-12-10 00:00"),
         "end_at": ts("2026-12-12 23:59"), "target_gmv": 1000.0, "budget": 100.0},
    ])
    return t
