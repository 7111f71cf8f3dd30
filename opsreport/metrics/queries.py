"""Engine-side aggregations (Ibis expressions): heavy tables are summed where they live and only
small results become pandas. Functions take a Warehouse, a shop and periods; they return the
summed parts that `formulas` turns into metrics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import pandas as pd

from ..periods import Period
from ..warehouse.connection import Warehouse

DAY_S = 86_400


def day_start(day: dt.date) -> ibis.Expr:
    """Midnight at the start of ``day``, as a timestamp literal."""
    return ibis.timestamp(dt.datetime.combine(day, dt.time()))


def label_by_period(column: ibis.Column, periods: Mapping[str, Period], *, is_timestamp: bool) -> ibis.Expr:
    """CASE expression naming the period a date/timestamp falls into (periods must not overlap)."""
    branches = []
    for label, period in periods.items():
        if is_timestamp:
            cond = (column >= day_start(period.start)) & (column < day_start(period.end + dt.timedelta(days=1)))
        else:
            cond = column.between(period.start, period.end)
        branches.append((cond, label))
    return ibis.cases(*branches, else_=None)


def _in_any(column: ibis.Column, periods: Mapping[str, Period]) -> ibis.Expr:
    cond = None
    for period in periods.values():
        c = column.between(period.start, period.end)
        cond = c if cond is None else cond | c
    return cond


def paid_orders(wh: Warehouse, shop_id: str) -> ibis.Table:
    o = wh.shop_rows("orders", shop_id)
    return o.filter(o.paid_at.notnull())


def has_rows(wh: Warehouse, table: str, shop_id: str) -> bool:
    return wh.shop_row_counts(shop_id).get(table, 0) > 0


TRAFFIC_COLUMNS = ("uv", "pv", "cart_users", "fav_users", "order_buyers")
ORDER_COLUMNS = ("gmv", "paid_orders", "buyer_days", "refund_amount")


def daily_shop(wh: Warehouse, shop_id: str, ranges: Mapping[str, Period], use_orders: bool,
               span: tuple[dt.date, dt.date] | None = None) -> pd.DataFrame:
    """One row per day of ``ranges`` inside the shop's data ``span`` (first, last day).

    Traffic (uv, pv, cart_users, fav_users, order_buyers) comes from the daily overview
    (shop_daily) and is NaN on a day the overview lacks, or when it has none: unknown, not zero.
    When the shop has orders, GMV, paid orders, buyers (per day) and refunds come from them for
    every day (a day without orders is a real 0, even where the overview has no row), and units
    from its order items when it has any, else from the overview.
    """
    days = sorted({d for period in ranges.values() for d in _days(period, span)})
    daily = pd.DataFrame({"date": pd.to_datetime(pd.Series(days, dtype="object"))})
    if has_rows(wh, "shop_daily", shop_id):
        sd = wh.shop_rows("shop_daily", shop_id)
        sd = sd.filter(_in_any(sd.date, ranges))
        overview = sd.select(
            "date", *TRAFFIC_COLUMNS, "paid_buyers", "paid_orders", "units", "paid_amount", "refund_amount",
        ).execute().rename(columns={"paid_amount": "gmv", "paid_buyers": "buyer_days"})
        overview["date"] = pd.to_datetime(overview["date"])
        daily = daily.merge(overview, on="date", how="left")
    else:
        for column in (*TRAFFIC_COLUMNS, *ORDER_COLUMNS, "units"):
            daily[column] = float("nan")
    daily[list(TRAFFIC_COLUMNS)] = daily[list(TRAFFIC_COLUMNS)].astype(float)
    if use_orders:
        o = paid_orders(wh, shop_id)
        o = o.mutate(date=o.paid_at.date())
        o = o.filter(_in_any(o.date, ranges))
        by_day = o.group_by("date").aggregate(
            gmv=o.paid_amount.sum(),
            paid_orders=o.count(),
            buyer_days=o.customer_id.nunique(),
            refund_amount=o.refund_amount.sum(),
        )
        with_items = has_rows(wh, "order_items", shop_id)
        if with_items:
            items = wh.shop_rows("order_items", shop_id)
            joined = items.join(o.select("order_id", "date"), "order_id")
            units = joined.group_by("date").aggregate(units=joined.quantity.sum())
            by_day = by_day.left_join(units, "date").drop("date_right")
        frame = by_day.execute()
        frame["date"] = pd.to_datetime(frame["date"])
        keep = [c for c in frame.columns if c != "date"]
        daily = daily.drop(columns=keep).merge(frame, on="date", how="left")
        daily[keep] = daily[keep].astype(float).fillna(0.0)  # the orders are the source: no order, no sale
    return daily.sort_values("date").reset_index(drop=True)


def _days(period: Period, span: tuple[dt.date, dt.date] | None) -> list[dt.date]:
    start, end = period.start, period.end
    if span is not None:
        start, end = max(start, span[0]), min(end, span[1])
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def buyer_parts(
    wh: Warehouse, shop_id: str, periods: Mapping[str, Period], new_buyer_days: int = 365
) -> pd.DataFrame:
    """Per period (non-overlapping): distinct paid buyers, new buyers and their GMV.

    A buyer is new in a period when their first payment in it follows no paid order in the shop
    during the ``new_buyer_days`` before that payment.
    """
    lo = min(p.start for p in periods.values()) - dt.timedelta(days=new_buyer_days + 1)
    hi = max(p.end for p in periods.values()) + dt.timedelta(days=1)
    o = paid_orders(wh, shop_id)
    o = o.filter((o.paid_at >= day_start(lo)) & (o.paid_at < day_start(hi)))
    w = ibis.window(group_by=o.customer_id, order_by=o.paid_at)
    o = o.mutate(prev_paid_at=o.paid_at.lag().over(w))
    gap_days = (o.paid_at.epoch_seconds() - o.prev_paid_at.epoch_seconds()) / DAY_S
    o = o.mutate(
        is_new=o.prev_paid_at.isnull() | (gap_days > new_buyer_days),
        period=label_by_period(o.paid_at, periods, is_timestamp=True),
    )
    o = o.filter(o.period.notnull())
    per_buyer = o.group_by(["period", "customer_id"]).aggregate(
        is_new=o.is_new.argmin(o.paid_at), gmv=o.paid_amount.sum()
    )
    out = per_buyer.group_by("period").aggregate(
        paid_buyers=per_buyer.count(),
        new_buyers=per_buyer.is_new.ifelse(1, 0).sum(),
        new_buyer_gmv=(per_buyer.gmv * per_buyer.is_new.ifelse(1.0, 0.0)).sum(),
    )
    return out.execute().set_index("period").reindex(list(periods)).fillna(0)


def repurchase_parts(wh: Warehouse, shop_id: str, ends: Mapping[str, dt.date], window_days: int) -> pd.DataFrame:
    """Per window ending at each date: buyers with >= 1 and with >= 2 paid orders in the window."""
    o = paid_orders(wh, shop_id)
    rows = []
    for label, end in ends.items():
        start = end - dt.timedelta(days=window_days - 1)
        w = o.filter((o.paid_at >= day_start(start)) & (o.paid_at < day_start(end + dt.timedelta(days=1))))
        per_buyer = w.group_by("customer_id").aggregate(n=w.count())
        agg = per_buyer.aggregate(
            window_buyers=per_buyer.count(),
            repeat_buyers=(per_buyer.n >= 2).ifelse(1, 0).sum(),
        ).execute()
        rows.append({"period": label, **agg.iloc[0].fillna(0).to_dict()})
    return pd.DataFrame(rows).set_index("period")


def sums_by_period(
    wh: Warehouse,
    table: str,
    shop_id: str,
    periods: Mapping[str, Period],
    keys: list[str],
    measures: Mapping[str, ibis.Deferred | str],
) -> pd.DataFrame:
    """Sum ``measures`` of a daily table by ``keys`` and period label (long frame)."""
    t = wh.shop_rows(table, shop_id)
    t = t.mutate(period=label_by_period(t.date, periods, is_timestamp=False))
    t = t.filter(t.period.notnull())
    aggs = {name: (t[col] if isinstance(col, str) else col.resolve(t)).sum() for name, col in measures.items()}
    return t.group_by(["period", *keys]).aggregate(**aggs).order_by(["period", *keys]).execute()


def rfm_snapshot(o: ibis.Table, at: dt.date, lookback_days: int, dormant_days: int) -> ibis.Table:
    """Per customer in the base at the end of day ``at``: recency, frequency, monetary, segment.

    R is scored so that RECENT = HIGH: a buyer is R-high when their recency in days is below
    the base's average. F and M are high above the base's average.
    """
    end = day_start(at + dt.timedelta(days=1))
    start = day_start(at + dt.timedelta(days=1 - lookback_days))
    w = o.filter((o.paid_at >= start) & (o.paid_at < end))
    c = w.group_by("customer_id").aggregate(
        last_paid=w.paid_at.max(), frequency=w.count(), monetary=w.paid_amount.sum()
    )
    c = c.mutate(recency_days=(end.epoch_seconds() - c.last_paid.epoch_seconds()) / DAY_S)
    whole = ibis.window()
    c = c.mutate(
        r_high=c.recency_days < c.recency_days.mean().over(whole),
        f_high=c.frequency > c.frequency.mean().over(whole),
        m_high=c.monetary > c.monetary.mean().over(whole),
        dormant=c.recency_days > dormant_days,
    )
    segment = ibis.cases(
        (c.r_high & c.f_high & c.m_high, "important_value"),
        (c.r_high & ~c.f_high & c.m_high, "important_develop"),
        (~c.r_high & c.f_high & c.m_high, "important_keep"),
        (~c.r_high & ~c.f_high & c.m_high, "important_retain"),
        (c.r_high & c.f_high & ~c.m_high, "general_value"),
        (c.r_high & ~c.f_high & ~c.m_high, "general_develop"),
        (~c.r_high & c.f_high & ~c.m_high, "general_keep"),
        else_="general_retain",
    )
    return c.mutate(segment=segment)


def rfm_counts(wh: Warehouse, shop_id: str, ends: Mapping[str, dt.date], lookback_days: int, dormant_days: int) -> pd.DataFrame:
    """Segment counts and dormant counts per snapshot date (long frame: period, segment, customers, dormant)."""
    o = paid_orders(wh, shop_id)
    frames = []
    for label, at in ends.items():
        snap = rfm_snapshot(o, at, lookback_days, dormant_days)
        agg = snap.group_by("segment").aggregate(
            customers=snap.count(), dormant=snap.dormant.ifelse(1, 0).sum()
        ).order_by("segment").execute()  # groups come in any order, differently on each engine
        agg.insert(0, "period", label)
        frames.append(agg)
    return pd.concat(frames, ignore_index=True)


def rfm_movement(wh: Warehouse, shop_id: str, before: dt.date, after: dt.date, lookback_days: int, dormant_days: int) -> pd.DataFrame:
    """Customers by (segment at ``before``, segment at ``after``); 'new' / 'left' for those in one base only."""
    o = paid_orders(wh, shop_id)
    a = rfm_snapshot(o, before, lookback_days, dormant_days).select("customer_id", seg_from="segment")
    b = rfm_snapshot(o, after, lookback_days, dormant_days).select("customer_id", seg_to="segment")
    j = a.outer_join(b, a.customer_id == b.customer_id)
    j = j.mutate(seg_from=j.seg_from.fill_null("none"), seg_to=j.seg_to.fill_null("none"))
    return j.group_by(["seg_from", "seg_to"]).aggregate(customers=j.count()).order_by(["seg_from", "seg_to"]).execute()
