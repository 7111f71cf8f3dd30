"""The appraisal's inputs against hand arithmetic on a tiny warehouse of three shops.

Shop A (beauty): p1 runs the whole shop (share 1, since 2026-09-01); p5 runs its sub-category
面部护理 (SKUs S1, S3) since 2026-10-01.
Shop B (apparel): p2 co-owns it at 0.5 all year; p3 held the other half until 2026-10-15 and hands
over to p4 on 2026-10-16.
Shop C (furniture, no industry benchmark at all, no ads): p4 in October, p7 from November (when C
has no orders, traffic, target or ads).
p6 has no assignment. Period: October 2026 (31 days) unless a test says 2026-Q4.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import duckdb
import pandas as pd
import pytest

from opsreport import schemas
from opsreport.analyses import appraisal_measures as am
from opsreport.errors import DataNotFoundError, ParamsError
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse

D = dt.date.fromisoformat
OCT = am.appraisal_period("2026-10")
Q4 = am.appraisal_period("2026-Q4")
STAFF = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]
Z = 1.959963984540054  # the normal quantile of a two-sided 95% interval


def days(first: str, last: str) -> list[dt.date]:
    a, b = D(first), D(last)
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


ORDERS = [
    # shop, order, customer, paid_at, amount, items [(sku, amount)]
    ("A", "a0", "M", "2026-02-01 10:00:00", 50.0, [("S2", 50.0)]),  # M's earlier order: M is not new in October
    ("A", "n0", "N", "2025-10-08 11:00:00", 20.0, [("S2", 20.0)]),  # exactly 365 days before N's: not new
    ("A", "k0", "K", "2025-10-09 09:59:59", 20.0, [("S2", 20.0)]),  # 365 days + 1 s before K's: K is new
    ("A", "a4", "P", "2026-09-30 23:59:00", 999.0, [("S1", 999.0)]),  # the day before the period
    ("A", "a1", "M", "2026-10-03 10:00:00", 300.0, [("S1", 200.0), ("S2", 100.0)]),
    ("A", "a2", "N", "2026-10-08 11:00:00", 150.0, [("S2", 150.0)]),
    ("A", "a7", "K", "2026-10-09 10:00:00", 50.0, [("S2", 50.0)]),
    ("A", "a3", "M", "2026-10-12 09:00:00", 100.0, [("S1", 100.0)]),
    ("A", "a5", "R", "2026-11-01 00:00:00", 777.0, [("S1", 777.0)]),  # the day after October
    ("A", "a6", "E", None, 0.0, []),  # never paid: not GMV
    ("B", "bx", "X", "2025-09-01 10:00:00", 100.0, [("T1", 100.0)]),  # 399 days before X's next: X is new
    ("B", "b0", "Z", "2026-03-01 10:00:00", 200.0, [("T1", 200.0)]),
    ("B", "b1", "X", "2026-10-05 10:00:00", 1000.0, [("T1", 1000.0)]),
    ("B", "b2", "Y", "2026-10-15 23:30:00", 500.0, [("T1", 500.0)]),  # last half hour before the handover
    ("B", "b5", "W", "2026-10-16 00:10:00", 400.0, [("T1", 400.0)]),  # first ten minutes after it
    ("B", "b3", "X", "2026-10-20 10:00:00", 2000.0, [("T1", 2000.0)]),
    ("B", "b4", "Z", "2026-10-25 10:00:00", 300.0, [("T1", 300.0)]),
    ("C", "c1", "Q", "2026-10-07 10:00:00", 800.0, [("F1", 800.0)]),
]


def orders_and_items() -> tuple[pd.DataFrame, pd.DataFrame]:
    orders, items = [], []
    for shop, order, customer, paid_at, amount, lines in ORDERS:
        paid = pd.Timestamp(paid_at) if paid_at else pd.NaT
        orders.append({"shop_id": shop, "order_id": order, "customer_id": customer,
                       "created_at": (paid if paid_at else pd.Timestamp("2026-10-20")) - pd.Timedelta(minutes=5),
                       "paid_at": paid, "paid_amount": amount, "refund_amount": 0.0, "refunded_at": pd.NaT,
                       "status": "completed" if paid_at else "pending_payment", "source": "search"})
        items += [{"shop_id": shop, "order_id": order, "sku_id": sku, "quantity": 1, "paid_amount": a} for sku, a in lines]
    return pd.DataFrame(orders), pd.DataFrame(items)


def tables(benchmarks: list[tuple] | None = None) -> dict[str, pd.DataFrame]:
    orders, items = orders_and_items()
    shops = pd.DataFrame([
        {"shop_id": "A", "name": "a", "platform": "tmall", "category": "beauty", "currency": "CNY"},
        {"shop_id": "B", "name": "b", "platform": "douyin", "category": "apparel", "currency": "CNY"},
        {"shop_id": "C", "name": "c", "platform": "jd", "category": "furniture", "currency": "CNY"},
    ])
    products = pd.DataFrame([
        {"shop_id": shop, "sku_id": sku, "product_name": sku, "category": cat, "list_price": 10.0, "unit_cost": 1.0,
         "launched_on": D("2025-01-01"), "status": "on_shelf"}
        for shop, sku, cat in [("A", "S1", "面部护理"), ("A", "S2", "彩妆"), ("A", "S3", "面部护理"),
                               ("B", "T1", "T恤"), ("C", "F1", "沙发")]
    ])
    sd = [("A", d, 100, 2) for d in days("2026-10-01", "2026-10-31")]
    sd += [("A", d, 50, 2) for d in days("2026-11-01", "2026-11-30")]  # no December rows
    sd += [("B", d, 200, 4) for d in days("2026-10-01", "2026-10-15")]
    sd += [("B", d, 100, 1) for d in days("2026-10-16", "2026-10-31")]
    sd += [("C", d, 50, 1) for d in days("2026-10-01", "2026-10-31")]
    shop_daily = pd.DataFrame([{"shop_id": s, "date": d, "uv": uv, "paid_buyers": b, "paid_amount": 0.0} for s, d, uv, b in sd])
    pdl = [(sku, d, uv, b) for d in days("2026-10-01", "2026-10-31") for sku, uv, b in (("S1", 40, 1), ("S3", 10, 0), ("S2", 30, 1))]
    product_daily = pd.DataFrame([{"shop_id": "A", "date": d, "sku_id": s, "uv": uv, "paid_buyers": b, "units": b,
                                   "paid_amount": 0.0} for s, d, uv, b in pdl])
    ads = [("A", "2026-09-30", 9999.0, 1.0), ("A", "2026-10-02", 1000.0, 3500.0), ("A", "2026-10-20", 2000.0, 5000.0),
           ("B", "2026-10-10", 4000.0, 8000.0), ("B", "2026-10-25", 4000.0, 10000.0)]
    ads_daily = pd.DataFrame([{"shop_id": s, "date": D(d), "channel": "ztc", "campaign": "c", "impressions": 1, "clicks": 1,
                               "spend": sp, "attributed_orders": 1, "attributed_amount": at} for s, d, sp, at in ads])
    inv = [("S1", "2026-09-30", 0), ("S1", "2026-10-05", 0), ("S1", "2026-10-06", 0), ("S1", "2026-10-07", 5),
           ("S2", "2026-10-06", 0), ("S2", "2026-10-07", 0), ("S3", "2026-10-10", 0)]
    inventory = pd.DataFrame([{"shop_id": "A", "date": D(d), "sku_id": s, "on_hand": o, "in_transit": 0} for s, d, o in inv])
    targets = pd.DataFrame([
        {"shop_id": s, "period_type": pt, "period": p, "metric": m, "value": v} for s, pt, p, m, v in [
            ("A", "month", "2026-10", "gmv", 600.0), ("A", "month", "2026-11", "gmv", 1000.0),
            ("A", "month", "2026-12", "gmv", 1200.0), ("A", "week", "2026-W41", "gmv", 1.0),
            ("B", "month", "2026-10", "gmv", 4000.0), ("B", "month", "2026-10", "new_customer_sales_share", 0.4),
            ("C", "month", "2026-10", "gmv", 1000.0)]
    ])
    staff = pd.DataFrame([{"staff_id": p, "name": p, "role": "shop_operator", "team": "t1", "manager_id": None} for p in STAFF])
    assignments = pd.DataFrame([
        {"staff_id": p, "shop_id": s, "category": c, "share": sh, "start_date": D(a), "end_date": D(e) if e else None}
        for p, s, c, sh, a, e in [
            ("p1", "A", None, 1.0, "2026-09-01", None), ("p5", "A", "面部护理", 1.0, "2026-10-01", None),
            ("p2", "B", None, 0.5, "2026-01-01", None), ("p3", "B", None, 0.5, "2026-01-01", "2026-10-15"),
            ("p3", "A", None, 1.0, "2026-01-01", "2026-09-30"),  # ended the day before October: no slice
            ("p4", "B", None, 0.5, "2026-10-16", None), ("p4", "C", None, 1.0, "2026-10-01", "2026-10-31"),
            ("p7", "C", None, 1.0, "2026-11-01", None)]
    ])
    staff_targets = pd.DataFrame([{"staff_id": p, "period": per, "metric": m, "value": v} for p, per, m, v in [
        ("p1", "2026-10", "sales_amount", 500.0), ("p1", "2026-10", "roi", 2.5),
        ("p1", "2026-10", "new_customer_sales_share", 0.25), ("p5", "2026-10", "sales_amount", 400.0)]])
    if benchmarks is None:
        benchmarks = [("beauty", "2026-10", "conversion_rate", 0.025), ("beauty", "2026-11", "conversion_rate", 0.03),
                      ("beauty", "2026-10", "repurchase_rate", 0.3), ("面部护理", "2026-10", "repurchase_rate", 0.25),
                      ("apparel", "2026-10", "conversion_rate", 0.015), ("apparel", "2026-10", "repurchase_rate", 0.2),
                      ("beauty", "2026-10", "market_growth", 0.05)]
    industry = pd.DataFrame([{"category": c, "period": p, "metric": m, "value": v} for c, p, m, v in benchmarks])
    ev = [("p1", "e0", "2026-09-30", "late_response", 40.0, None), ("p1", "e1", "2026-10-05", "late_response", 30.0, None),
          ("p1", "e2", "2026-10-09", "late_response", 26.0, None), ("p1", "e3", "2026-10-11", "incident_delay", 3.5, None),
          ("p1", "e4", "2026-10-20", "incident_delay", 0.5, None),
          ("p1", "e5", "2026-10-12", "compliance_violation", None, True),
          ("p1", "e6", "2026-10-13", "compliance_violation", None, False),
          ("p1", "e7", "2026-10-14", "sop_document", None, None), ("p1", "e8", "2026-10-31", "sop_document", None, None),
          ("p1", "e9", "2026-10-01", "innovation", None, None), ("p1", "e10", "2026-10-02", "cost_saving", None, None),
          ("p1", "e11", "2026-11-01", "incident_delay", 2.0, None),
          ("p2", "e1", "2026-10-03", "compliance_violation", None, None),
          ("p3", "e1", "2026-10-04", "incident_delay", None, None)]
    events = pd.DataFrame([{"staff_id": p, "event_id": e, "occurred_on": D(d), "kind": k, "hours": h,
                            "platform_penalty": pen, "note": None} for p, e, d, k, h, pen in ev])
    ratings = pd.DataFrame([{"staff_id": p, "period": per, "rater_team": t, "score": s} for p, per, t, s in [
        ("p1", "2026-10", "design", 85.0), ("p1", "2026-10", "service", 75.0), ("p1", "2026-11", "supply", 95.0),
        ("p2", "2026-Q4", "design", 70.0), ("p2", "2026-Q4", "service", 80.0), ("p2", "2026-Q4", "supply", 90.0)]])
    budgets = pd.DataFrame([{"staff_id": p, "period": per, "budget": b, "spend": s} for p, per, b, s in [
        ("p1", "2026-10", 10000.0, 10800.0), ("p1", "2026-11", 10000.0, 9000.0), ("p1", "2026-12", 10000.0, 9200.0),
        ("p2", "2026-10", 10000.0, 8500.0)]])
    out = {"shops": shops, "products": products, "orders": orders, "order_items": items, "shop_daily": shop_daily,
            "product_daily": product_daily, "ads_daily": ads_daily, "inventory_daily": inventory, "targets": targets,
            "staff": staff, "staff_assignments": assignments, "staff_targets": staff_targets,
            "industry_benchmarks": industry, "appraisal_events": events, "appraisal_ratings": ratings,
            "appraisal_budgets": budgets}
    for name, frame in out.items():  # optional columns the tests do not need: empty, as an export leaves them
        for column in schemas.columns_of(name):
            if column not in frame:
                frame[column] = None
    return out


def write(path, tables_: dict[str, pd.DataFrame]):
    """write_warehouse, except appraisal_events: store.sql_type has no BOOLEAN for platform_penalty yet,
    so that table is created here with the contract's types."""
    events = tables_.pop("appraisal_events")
    write_warehouse(path, tables_)
    con = duckdb.connect(str(path))
    try:
        con.register("_events", events)
        con.execute('''CREATE TABLE appraisal_events AS SELECT CAST(staff_id AS VARCHAR) AS staff_id,
            CAST(event_id AS VARCHAR) AS event_id, CAST(occurred_on AS DATE) AS occurred_on, CAST(kind AS VARCHAR) AS kind,
            CAST(hours AS DOUBLE) AS hours, CAST(platform_penalty AS BOOLEAN) AS platform_penalty,
            CAST(note AS VARCHAR) AS note FROM _events''')
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("appraisal") / "wh.duckdb", tables())
    warehouse = Warehouse.open(path)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def october(wh):
    return am.measures(wh, STAFF, OCT)


@pytest.fixture(scope="module")
def quarter(wh):
    return am.measures(wh, ["p1", "p2", "p5"], Q4)


def get(frame: pd.DataFrame, staff_id: str, name: str) -> pd.Series:
    hit = frame[(frame.staff_id == staff_id) & (frame.input == name)]
    assert len(hit) == 1, (staff_id, name)
    return hit.iloc[0]


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval written out: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


# ---------------------------------------------------------------- periods and slices


def test_appraisal_period_reads_months_and_quarters():
    assert (OCT.start, OCT.end, OCT.days) == (D("2026-10-01"), D("2026-10-31"), 31)
    q3 = am.appraisal_period("2026-Q3")
    assert (q3.label, q3.start, q3.end, q3.days) == ("2026-Q3", D("2026-07-01"), D("2026-09-30"), 92)  # 31 + 31 + 30
    q1 = am.appraisal_period("2026-Q1")
    assert q1.days == 90  # 31 + 28 + 31: 2026 is no leap year
    assert am.appraisal_period("2026-02").days == 28
    assert [m.label for m in am.months_of(Q4)] == ["2026-10", "2026-11", "2026-12"]
    assert am.period_kind(Q4) == "quarter" and am.period_kind(OCT) == "month"


@pytest.mark.parametrize("label", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-W40", "2026", "26-10", "2026-1", "", 202610])
def test_appraisal_period_refuses_anything_else(label):
    with pytest.raises(ParamsError, match="neither a month"):
        am.appraisal_period(label)


def test_slices_clip_assignments_to_the_period():
    frame = pd.DataFrame([
        {"staff_id": "x", "shop_id": "S", "category": None, "share": 1.0, "start_date": D("2026-09-01"), "end_date": D("2026-09-30")},
        {"staff_id": "x", "shop_id": "S", "category": None, "share": 0.5, "start_date": D("2026-09-01"), "end_date": D("2026-10-01")},
        {"staff_id": "x", "shop_id": "T", "category": "c", "share": 0.3, "start_date": D("2026-10-31"), "end_date": None},
        {"staff_id": "x", "shop_id": "U", "category": None, "share": 1.0, "start_date": D("2026-11-01"), "end_date": None},
    ])
    got = am.slices_of(frame, OCT)
    # ended the day before: gone; ends on the 1st: one day; starts on the 31st: one day; starts after: gone
    assert [(s.shop_id, s.category, s.share, s.first, s.last, s.days) for s in got] == [
        ("S", None, 0.5, D("2026-10-01"), D("2026-10-01"), 1), ("T", "c", 0.3, D("2026-10-31"), D("2026-10-31"), 1)]


def test_credited_days_multiply_by_share_and_keep_missing_days_unknown():
    s = am.Slice("x", "S", None, 0.5, D("2026-10-01"), D("2026-10-03"))
    frame = pd.DataFrame({"shop_id": ["S", "S"], "scope": ["", ""], "date": pd.to_datetime(["2026-10-01", "2026-10-03"]),
                          "uv": [100.0, 40.0]})
    out = am.credited_days([s], frame, ["uv"])
    assert list(out.credited_uv.fillna(-1)) == [50.0, -1, 20.0]  # 0.5 × 100, no row on the 2nd, 0.5 × 40


def test_one_row_per_person_and_input_in_order(october):
    assert list(october.columns) == am.COLUMNS
    assert len(october) == len(STAFF) * len(am.INPUTS)  # 7 people × 17 inputs
    assert list(october[october.staff_id == "p1"].input) == list(am.INPUTS)


def test_evidence_is_plain_json(october, quarter):
    for frame in (october, quarter):
        for evidence in frame.evidence:
            assert json.loads(json.dumps(evidence)) == evidence  # frozen as inputs_json when a period closes


def test_unknown_staff_is_named(wh):
    with pytest.raises(DataNotFoundError, match="nobody"):
        am.measures(wh, ["p1", "nobody"], OCT)


# ---------------------------------------------------------------- sales completion


def test_sales_completion_whole_shop_uses_the_staff_target(october):
    r = get(october, "p1", "sales_completion")
    # A's October orders: 300 + 150 + 50 + 100 = 600 (not the 999 of Sep 30 23:59, not the 777 of Nov 1 00:00,
    # not the unpaid order); p1's own target 500 wins over the shop's 600
    assert r.known and r.value == pytest.approx(600 / 500)  # 1.2
    assert r.reference == 1.0
    assert r.evidence["credited_sales"] == 600.0 and r.evidence["target"] == 500.0
    assert r.evidence["target_source"] == "staff_targets"
    assert r.evidence["slices"][0] == {"shop_id": "A", "category": None, "share": 1.0, "first": "2026-10-01",
                                            "last": "2026-10-31", "days": 31, "gmv": 600.0, "credited": 600.0}


def test_sales_completion_co_owned_shop_gives_each_half(october):
    r = get(october, "p2", "sales_completion")
    # B's October: 1000 + 500 + 400 + 2000 + 300 = 4200; p2 is credited 0.5 × 4200 = 2100
    # against 0.5 × 4000 × 31/31 = 2000
    assert r.value == pytest.approx(2100 / 2000)  # 1.05
    assert r.evidence["target_source"] == "shop_targets"
    assert r.evidence["target_parts"] == [{"shop_id": "B", "month": "2026-10", "shop_target": 4000.0, "share": 0.5,
                                           "days": 31, "month_days": 31, "credited_target": 2000.0}]


def test_sales_completion_handover_splits_at_the_day(october):
    before, after = get(october, "p3", "sales_completion"), get(october, "p4", "sales_completion")
    # p3, Oct 1-15: 0.5 × (1000 + 500, the 23:30 order still on the 15th) = 750 against 0.5 × 4000 × 15/31
    assert before.value == pytest.approx(750 / (0.5 * 4000 * 15 / 31))  # 0.775
    # p4, Oct 16-31 of B: 0.5 × (400 + 2000 + 300) = 1350, plus all of C: 800 -> 2150,
    # against 0.5 × 4000 × 16/31 + 1000 × 31/31 = 1032.26 + 1000
    assert after.value == pytest.approx(2150 / (0.5 * 4000 * 16 / 31 + 1000))
    assert [s["credited"] for s in after.evidence["slices"]] == [1350.0, 800.0]


def test_sales_completion_of_a_sub_category(october, quarter):
    r = get(october, "p5", "sales_completion")
    # 面部护理 = S1 and S3: order items S1 200 (a1) + 100 (a3) = 300 against p5's own 400
    assert r.value == pytest.approx(300 / 400)  # 0.75
    q = get(quarter, "p5", "sales_completion")
    # no staff target for 2026-Q4 and a sub-category has no shop target: not scored
    assert not q.known and q.reason == "no_target" and math.isnan(q.value)
    assert q.evidence["missing"][0]["why"] == "sub_category_without_staff_target"


def test_sales_completion_of_a_quarter_sums_monthly_shop_targets(quarter):
    r = get(quarter, "p1", "sales_completion")
    # Q4 GMV of A: 600 (Oct) + 777 (Nov 1 00:00) = 1377; p1 has a staff target for October only, so the shop's
    # monthly targets apply: 600 + 1000 + 1200 = 2800
    assert r.value == pytest.approx(1377 / 2800)
    assert r.evidence["target"] == 2800.0


def test_sales_completion_unknowns(october, wh):
    assert get(october, "p6", "sales_completion").reason == "no_assignment"
    nov = am.measures(wh, ["p7"], am.appraisal_period("2026-11"))
    r = get(nov, "p7", "sales_completion")
    # C has no November gmv target: not scored (its 0 sales are never compared with an invented target)
    assert not r.known and r.reason == "no_target"
    assert r.evidence["missing"] == [{"shop_id": "C", "month": "2026-11", "metric": "gmv"}]


# ---------------------------------------------------------------- conversion


def test_conversion_of_a_whole_shop_and_its_wilson_flag(october):
    r = get(october, "p1", "conversion_vs_industry")
    # 31 days × 2 buyers / 31 days × 100 UV = 62 / 3100 = 0.02; beauty's October average 0.025
    assert r.value == pytest.approx(0.02) and r.reference == pytest.approx(0.025)
    lo, hi = wilson(62, 3100)  # about 0.0156 .. 0.0256: contains 0.025
    assert r.evidence["k"] == 62 and r.evidence["n"] == 3100
    assert r.evidence["interval"] == pytest.approx([lo, hi], abs=1e-12)
    assert lo < 0.025 < hi and r.flag == am.NOT_CONCLUSIVE


def test_conversion_co_owned_and_handover(october):
    p2, p3, p4 = (get(october, p, "conversion_vs_industry") for p in ("p2", "p3", "p4"))
    # p2: 0.5 × (15 × 4 + 16 × 1) = 38 buyers over 0.5 × (15 × 200 + 16 × 100) = 2300 UV
    assert p2.value == pytest.approx(38 / 2300) and p2.reference == pytest.approx(0.015)
    # p3: 0.5 × 60 = 30 over 0.5 × 3000 = 1500 (0.02); Wilson ≈ 0.0141 .. 0.0284 holds 0.015
    assert p3.value == pytest.approx(30 / 1500)
    assert p3.flag == (am.NOT_CONCLUSIVE if wilson(30, 1500)[0] <= 0.015 else "")
    # p4: B 0.5 × 16 = 8 over 800, C 31 over 1550 -> 39 / 2350, but furniture has no benchmark: not scored
    assert not p4.known and p4.reason == "no_benchmark" and p4.value == pytest.approx(39 / 2350)
    assert p4.evidence["missing"] == [{"category": "furniture", "month": "2026-10"}]


def test_conversion_of_a_sub_category_uses_its_skus(october):
    r = get(october, "p5", "conversion_vs_industry")
    # S1 + S3: 31 × (1 + 0) buyers over 31 × (40 + 10) UV = 31 / 1550; 面部护理 has no conversion row -> beauty 0.025
    assert r.value == pytest.approx(31 / 1550) and r.reference == pytest.approx(0.025)
    assert r.evidence["reference_parts"][0]["category"] == "beauty"


def test_conversion_reference_of_a_quarter_is_weighted_by_monthly_uv(quarter):
    r = get(quarter, "p1", "conversion_vs_industry")
    # Oct 62 / 3100, Nov 30 × 2 = 60 / 30 × 50 = 1500, December has no traffic rows (31 unknown days)
    assert r.value == pytest.approx(122 / 4600)
    assert r.reference == pytest.approx((3100 * 0.025 + 1500 * 0.03) / 4600)
    assert r.evidence["days_without_traffic"] == 31


def test_conversion_without_traffic_is_unknown(wh):
    nov = am.measures(wh, ["p7"], am.appraisal_period("2026-11"))
    r = get(nov, "p7", "conversion_vs_industry")
    assert not r.known and r.reason == "no_traffic" and r.evidence["days_without_traffic"] == 30


def test_wilson_interval_is_the_textbook_formula():
    for k, n in ((62, 3100), (30, 1500), (0, 50), (5, 5)):
        assert am.wilson_interval(k, n) == pytest.approx(wilson(k, n), abs=1e-12)


def test_wilson_flag_at_and_around_the_bounds():
    lo, hi = am.wilson_interval(62, 3100)
    assert am.conversion_flag(62, 3100, hi)[0] == am.NOT_CONCLUSIVE  # at the upper bound: contained
    assert am.conversion_flag(62, 3100, hi - 1e-9)[0] == am.NOT_CONCLUSIVE  # just inside
    assert am.conversion_flag(62, 3100, hi + 1e-9)[0] == ""  # just above: clearly below the industry
    assert am.conversion_flag(62, 3100, lo)[0] == am.NOT_CONCLUSIVE
    assert am.conversion_flag(62, 3100, lo - 1e-9)[0] == ""  # just below: clearly above the industry


@pytest.mark.parametrize("offset, flag", [(-1e-6, am.NOT_CONCLUSIVE), (1e-6, "")])
def test_wilson_flag_from_the_warehouse_around_the_upper_bound(tmp_path, offset, flag):
    hi = wilson(62, 3100)[1]  # about 0.02556
    path = write(tmp_path / "w.duckdb", tables([("beauty", "2026-10", "conversion_rate", hi + offset)]))
    w = Warehouse.open(path)
    try:
        r = get(am.measures(w, ["p1"], OCT), "p1", "conversion_vs_industry")
    finally:
        w.close()
    assert r.reference == pytest.approx(hi + offset) and r.flag == flag


# ---------------------------------------------------------------- ROI


def test_roi_whole_shop_with_staff_target(october):
    r = get(october, "p1", "roi_vs_target")
    # Oct 2 and Oct 20 (not Sep 30): (3500 + 5000) / (1000 + 2000) = 2.8333 against p1's own 2.5;
    # 3000 spent < 5000: too little to judge
    assert r.value == pytest.approx(8500 / 3000) and r.reference == 2.5
    assert r.evidence["target_source"] == "staff_targets" and r.flag == am.NOT_CONCLUSIVE


def test_roi_co_owned_handover_and_category_rule(october):
    p2, p3, p4 = (get(october, p, "roi_vs_target") for p in ("p2", "p3", "p4"))
    # p2: 0.5 × (8000 + 10000) / 0.5 × (4000 + 4000) = 9000 / 4000; apparel's rule 2.0
    assert p2.value == pytest.approx(9000 / 4000) and p2.reference == 2.0
    assert p2.evidence["target_source"] == "category_rule"
    # p3 has Oct 10 only: 0.5 × 8000 / 0.5 × 4000 = 2.0; p4 has Oct 25 only: 5000 / 2000 = 2.5 (C spends nothing)
    assert p3.value == pytest.approx(2.0) and p4.value == pytest.approx(2.5)
    assert p4.reference == pytest.approx(2.0)  # all of p4's spend is in apparel


@pytest.mark.parametrize("min_spend, flag", [(3999.99, ""), (4000.0, ""), (4000.01, am.NOT_CONCLUSIVE), (5000.0, am.NOT_CONCLUSIVE)])
def test_roi_min_spend_threshold(wh, min_spend, flag):
    r = get(am.measures(wh, ["p2"], OCT, min_spend=min_spend), "p2", "roi_vs_target")
    assert r.evidence["credited_spend"] == 4000.0  # 0.5 × 8000
    assert r.flag == flag


def test_roi_unknowns(october, wh):
    r = get(october, "p5", "roi_vs_target")
    assert not r.known and r.reason == "category_level"
    nov = am.measures(wh, ["p7"], am.appraisal_period("2026-11"))
    assert get(nov, "p7", "roi_vs_target").reason == "no_ads"


# ---------------------------------------------------------------- new-customer share


def test_new_customer_share_and_the_365_day_edge(october):
    r = get(october, "p1", "new_customer_share_vs_target")
    # M bought in February (not new); N bought exactly 365 days before (not new); K 365 days and 1 s before (new):
    # 50 of 600
    assert r.value == pytest.approx(50 / 600) and r.reference == 0.25 and r.evidence["source"] == "staff_targets"


def test_new_customer_share_co_owned_handover_and_mixed_targets(october):
    p2, p3, p4 = (get(october, p, "new_customer_share_vs_target") for p in ("p2", "p3", "p4"))
    # new in B: X on Oct 5 (399 days after), Y, W; not X on Oct 20 (a later day), not Z (March)
    # p2: 0.5 × (1000 + 500 + 400) / 0.5 × 4200; B's own target 0.4
    assert p2.value == pytest.approx(1900 / 4200) and p2.reference == 0.4
    # p3 (days 1-15): 0.5 × 1500 / 0.5 × 1500 = 1
    assert p3.value == pytest.approx(1.0)
    # p4: B 0.5 × 400 = 200 + C 800 (Q is new) over 1350 + 800; target (1350 × 0.4 + 800 × 0.30 default) / 2150
    assert p4.value == pytest.approx(1000 / 2150)
    assert p4.reference == pytest.approx((1350 * 0.4 + 800 * 0.30) / 2150)
    assert p4.evidence["source"] == "mixed" and p4.evidence["sources_by_shop"] == {"B": "shop_targets", "C": "default"}


def test_new_customer_share_defaults_by_period(october, quarter):
    r = get(october, "p5", "new_customer_share_vs_target")
    # S1 items of M only: 0 / 300; A has no target row: the monthly default 30%
    assert r.value == 0.0 and r.reference == 0.30 and r.evidence["source"] == "default"
    q = get(quarter, "p2", "new_customer_share_vs_target")
    assert q.reference == 0.35 and q.evidence["source"] == "default"  # no quarter row for B: 35%


def test_new_customer_share_without_sales_is_unknown(wh):
    nov = am.measures(wh, ["p7"], am.appraisal_period("2026-11"))
    assert get(nov, "p7", "new_customer_share_vs_target").reason == "no_sales"


# ---------------------------------------------------------------- repurchase


def test_repurchase_whole_shop_and_sub_category(october):
    p1, p5 = get(october, "p1", "repurchase_vs_industry"), get(october, "p5", "repurchase_vs_industry")
    # A's October buyers M (2 orders), N, K: 1 of 3; beauty 0.3
    assert p1.value == pytest.approx(1 / 3) and p1.reference == 0.3
    # 面部护理 orders: M's a1 and a3 -> 1 buyer, 1 repeat; its own benchmark 0.25 exists
    assert p5.value == pytest.approx(1.0) and p5.reference == 0.25


def test_repurchase_weighted_by_share_and_days(october):
    p3, p4 = get(october, "p3", "repurchase_vs_industry"), get(october, "p4", "repurchase_vs_industry")
    # B's whole October: X (2), Y, W, Z -> 1 of 4, whatever the slice's days
    assert p3.value == pytest.approx(0.25) and p3.reference == 0.2
    assert p3.evidence["slices"][0]["weight"] == pytest.approx(0.5 * 15 / 31, abs=1e-6)
    assert p3.evidence["credited_buyers"] == pytest.approx(4 * 0.5 * 15 / 31, abs=1e-4)
    # p4: furniture (C) has no repurchase: left out; B at 0.5 × 16/31
    assert p4.value == pytest.approx(0.25)
    assert [s["shop_id"] for s in p4.evidence["excluded_no_repurchase"]] == ["C"]


def test_repurchase_without_a_repurchase_category(wh):
    nov = am.measures(wh, ["p7"], am.appraisal_period("2026-11"))
    r = get(nov, "p7", "repurchase_vs_industry")
    assert not r.known and r.reason == "no_repurchase_category"


# ---------------------------------------------------------------- the director's tables


def test_event_counts_and_incident_hours(october):
    got = {n: get(october, "p1", n).value for n in ("late_responses", "incident_delay_hours", "compliance_violations",
                                                     "platform_penalties", "sop_documents", "innovations", "cost_savings")}
    # late: Oct 5 and Oct 9 (not Sep 30); incidents (3.5 − 1) + max(0, 0.5 − 1) = 2.5 (not Nov 1)
    assert got == {"late_responses": 2.0, "incident_delay_hours": 2.5, "compliance_violations": 2.0,
                   "platform_penalties": 1.0, "sop_documents": 2.0, "innovations": 1.0, "cost_savings": 1.0}
    hours = get(october, "p1", "incident_delay_hours").evidence["events"]
    assert [(e["event_id"], e["hours_beyond_grace"]) for e in hours] == [("e3", 2.5), ("e4", 0.0)]


def test_events_with_missing_facts_are_unknown(october):
    assert get(october, "p2", "compliance_violations").value == 1.0
    r = get(october, "p2", "platform_penalties")
    assert not r.known and r.reason == "penalty_unknown"  # the penalty column is empty: not "no penalty"
    assert get(october, "p3", "incident_delay_hours").reason == "no_hours"
    assert get(october, "p6", "late_responses").value == 0.0  # nothing entered for p6: none happened


def test_budget_of_a_month_and_of_a_quarter(october, quarter):
    assert get(october, "p1", "budget_overrun").value == pytest.approx(10800 / 10000 - 1)  # 0.08
    assert get(october, "p1", "budget_saved").value == 0.0  # spent more than the budget: nothing saved
    assert get(october, "p2", "budget_overrun").value == pytest.approx(-0.15)
    assert get(october, "p2", "budget_saved").value == pytest.approx(1 - 8500 / 10000)  # 0.15
    # Q4 of p1 from its months: (10800 + 9000 + 9200) / 30000 = 29000 / 30000
    assert get(quarter, "p1", "budget_saved").value == pytest.approx(1 - 29000 / 30000)
    r = get(quarter, "p2", "budget_overrun")
    # Q4 of p2 has October's row only: 8,500 / 10,000 - 1 = -15%, flagged as from part of the quarter
    assert r.known and r.value == pytest.approx(8500 / 10000 - 1) and r.flag == "partial_budget"
    assert r.evidence["missing"] == ["2026-11", "2026-12"]
    assert get(october, "p6", "budget_overrun").reason == "no_budget"


def test_collaboration_score_sources(october, quarter):
    r = get(october, "p1", "collaboration_score")
    assert r.value == pytest.approx((85 + 75) / 2) and r.evidence["source"] == "period"
    r = get(october, "p2", "collaboration_score")
    # no October rating: the quarter's (70 + 80 + 90) / 3, said in the evidence
    assert r.value == pytest.approx(80.0) and r.evidence["source"] == "quarter" and r.evidence["periods"] == ["2026-Q4"]
    r = get(quarter, "p1", "collaboration_score")
    assert r.value == pytest.approx((85 + 75 + 95) / 3) and r.evidence["source"] == "months"
    assert get(october, "p3", "collaboration_score").reason == "no_ratings"


def test_a_month_of_a_quarter_not_yet_scored_takes_the_last_scored_quarter():
    ratings = pd.DataFrame([("p9", "2026-Q3", "design", 70.0), ("p9", "2026-Q3", "service", 90.0), ("p9", "2026-Q2", "design", 10.0)],
                           columns=["staff_id", "period", "rater_team", "score"])
    r = am.collaboration_score("p9", ratings, am.appraisal_period("2026-10"))
    # no October and no Q4 rating yet: Q3's (70 + 90) / 2 = 80, never Q2's, and the evidence says so
    assert r.known and r.value == pytest.approx(80.0)
    assert r.evidence["source"] == "previous_quarter" and r.evidence["periods"] == ["2026-Q3"]
    q = am.collaboration_score("p9", ratings, am.appraisal_period("2026-Q4"))
    assert not q.known and q.reason == "no_ratings"  # a quarter is scored on its own ratings only


# ---------------------------------------------------------------- context


def test_stockout_days_of_top_skus(october):
    # top sellers of A in October: S1 and S2 (300 each). S1 out on Oct 5, 6; S2 on Oct 6, 7; S3 (no sales) on
    # Oct 10 does not count; Sep 30 is outside
    assert get(october, "p1", "stockout_days").value == 3.0
    assert get(october, "p5", "stockout_days").value == 2.0  # 面部护理's top seller S1 only
    assert get(october, "p2", "stockout_days").reason == "no_inventory"


def test_market_growth(october):
    assert get(october, "p1", "market_growth").value == 0.05
    assert get(october, "p2", "market_growth").reason == "no_benchmark"


def test_nothing_for_someone_without_assignments(october):
    rows = october[(october.staff_id == "p6") & october.input.isin(am.PERFORMANCE_INPUTS + am.CONTEXT_INPUTS)]
    assert set(rows.reason) == {"no_assignment"} and not rows.known.any() and rows.value.isna().all()
