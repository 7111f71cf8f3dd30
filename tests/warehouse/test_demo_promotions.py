"""The demo's promotion tables (promotion_phases, promo_skus, price_history, coupons): they meet
their contracts, agree with ``promotions``, ``products`` and ``inventory_daily``, and hold exactly
the planted price-rule violations of ``PROMO_PLANTED``."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
import pytest

from opsreport import schemas
from opsreport.warehouse import demo
from opsreport.warehouse.demo import build, promotions, shops

SMALL = dict(orders_per_shop=20_000, days=150)
SHOP_IDS = ["0071", "0142", "0388"]
NEW_TABLES = ("promotion_phases", "promo_skus", "price_history", "coupons")

# promo SKUs breaking a rule: promo price > 80% of the list price, or > the lowest price of the
# 30 days before the promotion starts (price_history, start-30 .. start-1)
VIOLATIONS = """
WITH v AS (
  SELECT s.shop_id, s.promo_id, s.sku_id, s.promo_price, pr.list_price,
         (SELECT min(h.price) FROM price_history h
           WHERE h.shop_id = s.shop_id AND h.sku_id = s.sku_id
             AND h.date BETWEEN CAST(p.start_at AS DATE) - 30 AND CAST(p.start_at AS DATE) - 1) AS low30
  FROM promo_skus s JOIN promotions p USING (shop_id, promo_id) JOIN products pr USING (shop_id, sku_id)
)
SELECT shop_id, promo_id, sku_id, promo_price, list_price, low30,
       promo_price > 0.8 * list_price AS above_daily, promo_price > low30 AS above_low
FROM v WHERE promo_price > 0.8 * list_price OR promo_price > low30
ORDER BY ALL
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo_promotions") / "small.duckdb"
    demo.build_demo_warehouse(path, **SMALL)
    return path


@pytest.fixture(scope="module")
def db(small):
    con = duckdb.connect(str(small), read_only=True)
    yield con
    con.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_the_promotion_tables_have_rows_and_meet_their_contracts(small):
    con = ibis.duckdb.connect(str(small), read_only=True)
    try:
        for name in NEW_TABLES:
            assert int(con.table(name).count().execute()) > 0, name
            schemas.validate(con.table(name), name)
    finally:
        con.disconnect()


def test_every_promotion_has_phases_back_to_back_inside_it(db):
    promos = rows(db, "SELECT shop_id, promo_id, event, start_at, end_at FROM promotions ORDER BY ALL")
    assert promos
    for shop_id, promo_id, event, start, end in promos:
        phases = rows(db, "SELECT phase, start_at, end_at FROM promotion_phases WHERE shop_id = ? AND promo_id = ? "
                          "ORDER BY start_at", shop_id, promo_id)
        names = [p[0] for p in phases]
        if event in ("618", "double11"):
            assert names == ["warmup", "deposit", "balance", "burst"], (promo_id, names)
        elif event == "shop_event":
            assert names == ["warmup", "burst"], (promo_id, names)
            assert phases[1][1] - phases[0][1] == dt.timedelta(days=3)  # 3 days build-up + 2 days burst
        else:
            assert names == ["warmup", "burst"], (promo_id, names)
        assert phases[0][1] == start and phases[-1][2] == end, promo_id
        for (_, s, e), (_, nxt, _) in zip(phases, phases[1:] + [(None, end + dt.timedelta(seconds=1), None)]):
            assert start <= s <= e <= end, promo_id
            assert nxt - e == dt.timedelta(seconds=1), promo_id  # no gap, no overlap


def test_double11_phases_follow_the_presale_calendar(db):
    phases = dict((p, (s, e)) for p, s, e in rows(
        db, "SELECT phase, start_at, end_at FROM promotion_phases WHERE promo_id = '0071-2026-double11'"))
    assert phases["warmup"][0] == dt.datetime(2026, 10, 20, 20)
    assert phases["deposit"][0] == dt.datetime(2026, 10, 24)
    assert phases["balance"][0] == dt.datetime(2026, 10, 31, 20)  # the first wave
    assert phases["burst"] == (dt.datetime(2026, 11, 10), dt.datetime(2026, 11, 13, 23, 59, 59))


def test_phase_targets_split_the_promotion_target_and_deposits_have_none(db):
    for promo_id, target, phase_sum, deposits in rows(db, """
        SELECT p.promo_id, p.target_gmv, sum(ph.target_gmv), count(*) FILTER (ph.phase = 'deposit')
        FROM promotions p JOIN promotion_phases ph USING (shop_id, promo_id) GROUP BY ALL"""):
        assert phase_sum == pytest.approx(target, abs=100 * 5), promo_id  # each phase rounded to 100
    deposit_targets = "SELECT count(*) FROM promotion_phases WHERE phase = 'deposit' AND target_gmv IS NOT NULL"
    assert rows(db, deposit_targets) == [(0,)]
    assert rows(db, "SELECT count(*) FROM promotion_phases WHERE phase <> 'deposit' AND target_gmv IS NULL") == [(0,)]


def test_promo_skus_are_in_the_catalogue_and_sized_by_event(db):
    unknown = rows(db, "SELECT s.shop_id, s.sku_id FROM promo_skus s ANTI JOIN products p USING (shop_id, sku_id)")
    assert unknown == []
    counts = rows(db, """SELECT p.event, count(*) FROM promo_skus s JOIN promotions p USING (shop_id, promo_id)
                         GROUP BY p.shop_id, p.promo_id, p.event""")
    for event, n in counts:
        assert (20 <= n <= 40) if event in ("618", "double11") else (8 <= n <= 15), (event, n)
    shares = rows(db, """SELECT median(s.promo_price / p.list_price), min(s.promo_price / p.list_price)
                         FROM promo_skus s JOIN products p USING (shop_id, sku_id)""")[0]
    assert 0.70 <= shares[0] <= 0.80 and shares[1] > 0.5


def test_promo_skus_are_on_sale_at_their_promo_price_during_the_promotion(db):
    # every promoted SKU has a price each day of a promotion inside the window, never above its promo price
    bad = rows(db, """
        WITH w AS (SELECT min(date) AS first, max(date) AS last FROM price_history),
        inside AS (SELECT p.* FROM promotions p, w
                   WHERE CAST(p.start_at AS DATE) >= w.first AND CAST(p.end_at AS DATE) <= w.last)
        SELECT s.promo_id, s.sku_id, count(h.date) AS priced, max(h.price) AS highest, any_value(s.promo_price),
               any_value(CAST(p.end_at AS DATE) - CAST(p.start_at AS DATE) + 1) AS days
        FROM promo_skus s JOIN inside p USING (shop_id, promo_id)
        LEFT JOIN price_history h ON h.shop_id = s.shop_id AND h.sku_id = s.sku_id
             AND h.date BETWEEN CAST(p.start_at AS DATE) AND CAST(p.end_at AS DATE)
        GROUP BY s.promo_id, s.sku_id
        HAVING count(h.date) <> any_value(CAST(p.end_at AS DATE) - CAST(p.start_at AS DATE) + 1)
            OR max(h.price) > any_value(s.promo_price) + 0.005""")
    assert bad == []
    assert rows(db, "SELECT count(*) FROM promo_skus s JOIN promotions p USING (shop_id, promo_id) "
                    "WHERE p.end_at < DATE '2026-11-22'")[0][0] > 0


def test_price_history_has_one_price_per_listed_sku_and_day(db):
    assert rows(db, "SELECT count(*) FROM price_history") == rows(db, "SELECT count(*) FROM inventory_daily")
    assert rows(db, """SELECT count(*) FROM price_history h ANTI JOIN inventory_daily i
                       USING (shop_id, date, sku_id)""") == [(0,)]
    # outside promotions, the everyday price (90-100% of list price) on all but the markdown days
    share_full = rows(db, """SELECT avg(CASE WHEN h.price >= 0.9 * p.list_price - 0.01 THEN 1 ELSE 0 END)
                             FROM price_history h JOIN products p USING (shop_id, sku_id)
                             WHERE NOT EXISTS (SELECT 1 FROM promotions q WHERE q.shop_id = h.shop_id
                                 AND h.date BETWEEN CAST(q.start_at AS DATE) AND CAST(q.end_at AS DATE))""")[0][0]
    assert 0.95 < share_full < 1.0
    assert rows(db, "SELECT count(*) FROM price_history h JOIN products p USING (shop_id, sku_id) "
                    "WHERE h.price > p.list_price + 0.005") == [(0,)]


def test_coupons_have_two_to_four_tiers_for_every_started_promotion(db):
    end = rows(db, "SELECT max(date) FROM price_history")[0][0]
    tiers = dict(((s, p), n) for s, p, n in rows(db, "SELECT shop_id, promo_id, count(*) FROM coupons GROUP BY ALL"))
    for shop_id, promo_id, start in rows(db, "SELECT shop_id, promo_id, start_at FROM promotions"):
        if start.date() <= end:
            assert 2 <= tiers.get((shop_id, promo_id), 0) <= 4, promo_id
        else:
            assert (shop_id, promo_id) not in tiers  # an upcoming promotion has no coupon figures yet
    assert rows(db, "SELECT count(*) FROM coupons WHERE redeemed > issued OR discount >= threshold AND threshold > 0"
                ) == [(0,)]
    assert rows(db, "SELECT count(*) FROM coupons WHERE issued = 0") == [(0,)]


def test_the_planted_violations_hold_by_construction_and_are_the_only_ones(db):
    found = rows(db, VIOLATIONS)
    expected = []
    for shop_id in SHOP_IDS:
        planted = demo.PROMO_PLANTED[shop_id]
        assert planted.promo_id == f"{shop_id}-2026-double11"
        expected += [(shop_id, planted.promo_id, planted.price_above_daily_sku, True, False),
                     (shop_id, planted.promo_id, planted.price_above_low_sku, False, True)]
    assert sorted((r[0], r[1], r[2], r[6], r[7]) for r in found) == sorted(expected)


def test_the_planted_markdown_lies_below_the_promo_price_in_the_30_days_before(db):
    for shop_id in SHOP_IDS:
        planted = demo.PROMO_PLANTED[shop_id]
        start = rows(db, "SELECT CAST(start_at AS DATE) FROM promotions WHERE shop_id = ? AND promo_id = ?",
                     shop_id, planted.promo_id)[0][0]
        assert all(start - dt.timedelta(days=30) <= d < start for d in planted.markdown_dates)
        price = rows(db, "SELECT promo_price FROM promo_skus WHERE shop_id = ? AND promo_id = ? AND sku_id = ?",
                     shop_id, planted.promo_id, planted.price_above_low_sku)[0][0]
        marked = rows(db, "SELECT date, price FROM price_history WHERE shop_id = ? AND sku_id = ? AND date IN (?, ?)",
                      shop_id, planted.price_above_low_sku, *planted.markdown_dates)
        assert len(marked) == 2 and all(p < price for _, p in marked)
        # the other planted SKU: sold at list price the 30 days before, priced above 80% of it
        above = rows(db, """SELECT s.promo_price, p.list_price FROM promo_skus s JOIN products p USING (shop_id, sku_id)
                            WHERE s.shop_id = ? AND s.promo_id = ? AND s.sku_id = ?""",
                     shop_id, planted.promo_id, planted.price_above_daily_sku)[0]
        assert above[0] > 0.8 * above[1]


def test_promo_planted_does_not_depend_on_seed_or_scale():
    model = shops.MODELS[0]
    cal = build.Calendar.make(demo.DEMO_END_DATE, 120)
    sim = build.simulate_shop(model, cal, 2_000, seed=7, plant=True)
    _, planted = promotions.build(sim)
    assert planted == demo.PROMO_PLANTED[model.shop.shop_id]


def test_without_plants_every_promo_sku_keeps_the_price_rule(tmp_path):
    path = tmp_path / "unplanted.duckdb"
    demo.build_demo_warehouse(path, orders_per_shop=3_000, days=120, plant_events=False)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert rows(con, VIOLATIONS) == []
    finally:
        con.close()
