"""The demo warehouse: contracts, consistency between tables, determinism, realism, and every
planted event checked with hand-written SQL on the raw tables."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import ibis
import pytest

from sql_rows import one, rows
from opsreport import schemas
from opsreport.warehouse import demo
from opsreport.warehouse.demo import build, shops, write
from opsreport.warehouse.store import sql_type

SMALL = dict(orders_per_shop=20_000, days=150)
SHOP_IDS = ["0071", "0142", "0388"]
END = demo.DEMO_END_DATE
WEEK_START = END - dt.timedelta(days=6)  # Monday of 2026-W47


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "small.duckdb"
    counts = demo.build_demo_warehouse(path, **SMALL)
    return path, counts


@pytest.fixture(scope="module")
def db(small):
    con = duckdb.connect(str(small[0]), read_only=True)
    yield con
    con.close()


# --- shape and contracts ------------------------------------------------------------------------


def test_writes_the_twelve_canonical_tables_with_rows(small):
    _, counts = small
    assert list(counts) == list(schemas.CONTRACTS)
    # the appraisal writes these when it closes a period, never the demo
    written_later = {"appraisal_snapshots", "appraisal_rescores"}
    assert all(n > 0 for name, n in counts.items() if name not in written_later), counts
    assert all(counts[name] == 0 for name in written_later), counts
    assert counts["shops"] == 3
    # orders_per_shop is the approximate size of `orders` (plants remove or add a few %)
    assert 0.85 * 3 * SMALL["orders_per_shop"] <= counts["orders"] <= 1.05 * 3 * SMALL["orders_per_shop"]
    assert counts["shop_daily"] == 3 * SMALL["days"]
    assert counts["traffic_daily"] == 3 * SMALL["days"] * len(demo.SOURCES)


def test_every_table_has_exactly_the_contract_columns_and_types(db):
    for name in schemas.CONTRACTS:
        described = [(r[0], r[1]) for r in rows(db, f'DESCRIBE "{name}"')]
        expected = [(col, sql_type(t)) for col, t in schemas.columns_of(name).items()]
        assert described == expected, name


def test_every_table_passes_its_contract(small):
    con = ibis.duckdb.connect(str(small[0]), read_only=True)
    try:
        for name in schemas.CONTRACTS:
            schemas.validate(con.table(name), name)  # raises ContractError listing every problem
    finally:
        con.disconnect()


def test_shop_ids_keep_their_leading_zeros(db):
    assert [r[0] for r in rows(db, "SELECT shop_id FROM shops ORDER BY shop_id")] == SHOP_IDS
    assert [s.shop_id for s in demo.DEMO_SHOPS] == SHOP_IDS
    for table in ("orders", "order_items", "shop_daily", "product_daily", "targets"):
        assert sorted(r[0] for r in rows(db, f"SELECT DISTINCT shop_id FROM {table}")) == SHOP_IDS
    shops = rows(db, "SELECT shop_id, platform, category, currency FROM shops ORDER BY 1")
    assert shops == [("0071", "tmall", "beauty", "CNY"), ("0142", "jd", "furniture", "CNY"),
                     ("0388", "douyin", "apparel", "CNY")]


# --- determinism ----------------------------------------------------------------------------------


def digest(path) -> dict:
    """Row count and an order-independent hash of every column, per table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f'SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM "{name}"').fetchone()
                for name in schemas.CONTRACTS}
    finally:
        con.close()


def test_same_arguments_give_identical_data_and_another_seed_does_not(small, tmp_path):
    again = tmp_path / "again.duckdb"
    demo.build_demo_warehouse(again, **SMALL)
    assert digest(again) == digest(small[0])
    other = tmp_path / "other.duckdb"
    demo.build_demo_warehouse(other, **SMALL, seed=7)
    changed = {name for name, d in digest(other).items() if d != digest(small[0])[name]}
    assert {"orders", "order_items", "shop_daily", "product_daily"} <= changed
    assert "products" not in changed  # the catalogue is fixed per shop: PLANTED holds for every seed


def test_writes_atomically_and_creates_parent_folders(tmp_path, monkeypatch):
    target = tmp_path / "new" / "folder" / "demo.duckdb"

    def boom(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(demo.build, "_build_shop", boom)  # the orchestrator, demo/build.py
    with pytest.raises(RuntimeError):
        demo.build_demo_warehouse(target, **SMALL)
    assert not target.exists()
    assert os.listdir(target.parent) == []  # no temporary file left behind
    with pytest.raises(ValueError):
        demo.build_demo_warehouse(target, orders_per_shop=10)


# --- consistency between tables --------------------------------------------------------------


def test_order_totals_equal_their_items(db):
    bad = one(db, """
        SELECT count(*) FROM orders o
        LEFT JOIN (SELECT shop_id, order_id, sum(paid_amount) AS items FROM order_items GROUP BY ALL) i
          USING (shop_id, order_id)
        WHERE abs(o.paid_amount - coalesce(i.items, 0)) > 0.005""")
    assert bad == 0
    orphans = one(db, "SELECT count(*) FROM order_items i ANTI JOIN orders o USING (shop_id, order_id)")
    assert orphans == 0


def test_shop_daily_is_the_sum_of_the_orders_paid_that_day(db):
    diffs = rows(db, """
        WITH o AS (
          SELECT shop_id, paid_at::DATE AS date, sum(paid_amount) AS gmv, count(*) AS n,
                 count(DISTINCT customer_id) AS buyers, sum(refund_amount) AS refunds
          FROM orders WHERE paid_at IS NOT NULL GROUP BY ALL),
        u AS (
          SELECT i.shop_id, o.paid_at::DATE AS date, sum(quantity) AS units
          FROM order_items i JOIN orders o USING (shop_id, order_id) GROUP BY ALL)
        SELECT max(abs(s.paid_amount - coalesce(o.gmv, 0))), max(abs(s.paid_orders - coalesce(o.n, 0))),
               max(abs(s.paid_buyers - coalesce(o.buyers, 0))), max(abs(s.refund_amount - coalesce(o.refunds, 0))),
               max(abs(s.units - coalesce(u.units, 0)))
        FROM shop_daily s LEFT JOIN o USING (shop_id, date) LEFT JOIN u USING (shop_id, date)""")
    gmv, n, buyers, refunds, units = diffs[0]
    assert gmv < 0.01 and refunds < 0.01
    assert n == buyers == units == 0
    assert one(db, "SELECT count(*) FROM shop_daily WHERE NOT (uv >= cart_users AND cart_users >= order_buyers "
                   "AND order_buyers >= paid_buyers AND pv >= uv)") == 0


def test_traffic_sources_add_up_to_the_shop(db):
    assert sorted(r[0] for r in rows(db, "SELECT DISTINCT source FROM traffic_daily")) == sorted(demo.SOURCES)
    assert sorted(r[0] for r in rows(db, "SELECT DISTINCT source FROM orders")) == sorted(demo.SOURCES)
    worst = one(db, """
        SELECT max(abs(s.paid_amount - t.gmv)) FROM shop_daily s
        JOIN (SELECT shop_id, date, sum(paid_amount) AS gmv FROM traffic_daily GROUP BY ALL) t USING (shop_id, date)""")
    assert worst < 0.01
    by_source = dict(rows(db, """SELECT source, sum(paid_buyers) / sum(uv) FROM traffic_daily
                                 WHERE shop_id = '0071' GROUP BY 1"""))
    assert by_source["direct"] > by_source["search"] > by_source["recommendation"] > by_source["external"]
    top = dict(rows(db, """SELECT shop_id, arg_max(source, gmv) FROM (
        SELECT shop_id, source, sum(paid_amount) AS gmv FROM traffic_daily GROUP BY ALL) GROUP BY 1"""))
    assert top == {"0071": "search", "0142": "search", "0388": "live_stream"}


def test_product_daily_matches_the_order_items(db):
    worst = rows(db, """
        WITH i AS (
          SELECT i.shop_id, o.paid_at::DATE AS date, i.sku_id, sum(quantity) AS units,
                 sum(i.paid_amount) AS gmv, count(DISTINCT o.customer_id) AS buyers
          FROM order_items i JOIN orders o USING (shop_id, order_id) GROUP BY ALL)
        SELECT count(*) FILTER (WHERE p.sku_id IS NULL), max(abs(p.units - i.units)),
               max(abs(p.paid_amount - i.gmv)), max(abs(p.paid_buyers - i.buyers))
        FROM i LEFT JOIN product_daily p USING (shop_id, date, sku_id)""")[0]
    assert worst[0] == 0 and worst[1] == 0 and worst[2] < 0.01 and worst[3] == 0
    assert one(db, "SELECT count(*) FROM product_daily WHERE uv = 0 OR paid_buyers > uv") == 0
    conv = dict(rows(db, "SELECT shop_id, sum(paid_buyers) / sum(uv) FROM product_daily GROUP BY 1"))
    assert all(0.02 <= c <= 0.08 for c in conv.values()), conv


def test_orders_follow_their_life_cycle(db):
    assert {r[0] for r in rows(db, "SELECT DISTINCT status FROM orders")} <= set(schemas.ORDER_STATUSES)
    unpaid = rows(db, """SELECT count(*), count(*) FILTER (WHERE paid_amount = 0 AND refund_amount = 0
                         AND refunded_at IS NULL AND status IN ('pending_payment', 'closed'))
                         FROM orders WHERE paid_at IS NULL""")[0]
    assert unpaid[0] == unpaid[1] > 0
    share_unpaid = one(db, "SELECT avg((paid_at IS NULL)::INT) FROM orders")
    assert 0.02 <= share_unpaid <= 0.07
    assert one(db, "SELECT count(*) FROM orders WHERE paid_at IS NOT NULL AND NOT created_at < paid_at") == 0
    assert one(db, """SELECT count(*) FROM orders WHERE paid_at IS NOT NULL
                      AND paid_at - created_at > INTERVAL 1 DAY""") == 0
    assert one(db, "SELECT count(*) FROM orders WHERE refund_amount > paid_amount") == 0
    assert one(db, """SELECT count(*) FROM orders WHERE (refund_amount > 0) <> (status = 'refunded')
                      OR (refund_amount > 0) <> (refunded_at IS NOT NULL)""") == 0
    assert one(db, "SELECT count(*) FROM orders WHERE refunded_at <= paid_at OR refunded_at >= ?", END + dt.timedelta(days=1)) == 0
    rates = dict(rows(db, "SELECT shop_id, sum(refund_amount) / sum(paid_amount) FROM orders GROUP BY 1"))
    assert all(0.02 <= r <= 0.09 for r in rates.values()), rates


# --- realism ----------------------------------------------------------------------------------------


def test_customers_buy_again_beauty_more_than_furniture(db):
    repeat = dict(rows(db, """
        SELECT shop_id, avg((n >= 2)::INT) FROM (
          SELECT shop_id, customer_id, count(*) AS n FROM orders WHERE paid_at IS NOT NULL GROUP BY ALL)
        GROUP BY 1"""))
    assert 0.1 <= repeat["0071"] <= 0.6
    assert 0.02 <= repeat["0142"] < repeat["0388"] < repeat["0071"]


def test_double11_week_stands_out(db):
    weekly = rows(db, """
        SELECT shop_id, strftime(paid_at, '%G-W%V') AS week, sum(paid_amount) FROM orders
        WHERE paid_at >= '2026-10-12' GROUP BY ALL ORDER BY 1, 2""")
    for shop in SHOP_IDS:
        gmv = {w: g for s, w, g in weekly if s == shop}
        around = [gmv[w] for w in ("2026-W42", "2026-W43", "2026-W45", "2026-W47")]
        assert gmv["2026-W46"] > 1.3 * sum(around) / len(around), (shop, gmv)
        top_day = one(db, """SELECT arg_max(d, g) FROM (SELECT paid_at::DATE AS d, sum(paid_amount) AS g
                             FROM orders WHERE shop_id = ? AND paid_at IS NOT NULL GROUP BY 1)""", shop)
        assert top_day == dt.date(2026, 11, 11)


def test_conversion_and_funnel_are_plausible(db):
    conv = dict(rows(db, "SELECT shop_id, sum(paid_buyers) / sum(uv) FROM shop_daily GROUP BY 1"))
    assert 0.035 <= conv["0071"] <= 0.06 and 0.015 <= conv["0142"] <= 0.03 and 0.02 <= conv["0388"] <= 0.045
    roi = dict(rows(db, "SELECT shop_id, sum(attributed_amount) / sum(spend) FROM ads_daily GROUP BY 1"))
    assert all(2 <= r <= 6 for r in roi.values()), roi
    ctr = one(db, "SELECT min(clicks / impressions), max(clicks / impressions) FROM ads_daily WHERE impressions > 1000")
    assert 0.005 <= ctr <= 0.06
    frs = one(db, "SELECT sum(first_response_s * consultations) / sum(consultations) FROM service_daily")
    assert 10 <= frs <= 40


def test_targets_and_promotions_cover_the_data_and_what_comes_next(db):
    for shop in SHOP_IDS:
        periods = {r[0] for r in rows(db, """SELECT period FROM targets WHERE shop_id = ?
                                            AND period_type = 'month' AND metric = 'gmv'""", shop)}
        assert {"2026-07", "2026-11", "2026-12"} <= periods
        week = dict(rows(db, """SELECT metric, value FROM targets WHERE shop_id = ? AND period_type = 'week'
                                AND period = '2026-W47'""", shop))
        assert set(week) == {"gmv", "conversion_rate", "roi", "new_buyer_share"}
        assert 0 < week["conversion_rate"] < 0.1 and 0 < week["new_buyer_share"] < 1
        upcoming = rows(db, """SELECT event, start_at, target_gmv, budget FROM promotions
                               WHERE shop_id = ? AND start_at > ? ORDER BY start_at""", shop, END + dt.timedelta(days=1))
        assert upcoming and upcoming[0][0] == "double12" and upcoming[0][1] == dt.datetime(2026, 12, 10)
        assert upcoming[0][2] > 0 and upcoming[0][3] > 0
        events = {r[0] for r in rows(db, "SELECT DISTINCT event FROM promotions WHERE shop_id = ?", shop)}
        assert {"double11", "double12"} <= events


# --- planted events ----------------------------------------------------------------------------


def test_planted_is_described_per_shop():
    assert sorted(demo.PLANTED) == SHOP_IDS
    for shop, p in demo.PLANTED.items():
        assert p.week == "2026-W47" and p.week_start == WEEK_START and p.week_end == END
        assert p.stockout.stockout_date == dt.date(2026, 11, 18)
        assert p.conversion_drop.sku_id != p.stockout.sku_id
        assert p.roi_drop.roi_target == {"0071": 3.0, "0142": 2.5, "0388": 2.0}[shop]
        assert len(p.new_products.potential_hits) == 2
    assert demo.planted_events(END) == demo.PLANTED


def weekly_sku(db, shop, sku):
    return rows(db, """SELECT strftime(date, '%G-W%V'), sum(uv), sum(paid_buyers) / sum(uv) FROM product_daily
                       WHERE shop_id = ? AND sku_id = ? AND date BETWEEN ? AND ? GROUP BY 1 ORDER BY 1""",
                shop, sku, WEEK_START - dt.timedelta(days=28), END)


def test_planted_conversion_drop_of_a_top5_sku(db):
    for shop, p in demo.PLANTED.items():
        sku = p.conversion_drop.sku_id
        rank = one(db, """SELECT r FROM (SELECT sku_id, rank() OVER (ORDER BY sum(paid_amount) DESC) AS r
                          FROM product_daily WHERE shop_id = ? AND date BETWEEN ? AND ? GROUP BY sku_id)
                          WHERE sku_id = ?""", shop, WEEK_START - dt.timedelta(days=56), WEEK_START - dt.timedelta(days=1), sku)
        assert rank <= 5, (shop, rank)
        weeks = weekly_sku(db, shop, sku)
        assert [w for w, _, _ in weeks] == [*p.conversion_drop.baseline_weeks, p.week]
        *before, (_, uv_now, conv_now) = weeks
        assert all(0.04 <= conv <= 0.06 for _, _, conv in before), (shop, weeks)
        assert 0.012 <= conv_now <= 0.028, (shop, weeks)
        assert uv_now >= 0.5 * min(uv for _, uv, _ in before)  # traffic did not collapse


def test_planted_stockout_of_a_top10_sku(db):
    for shop, p in demo.PLANTED.items():
        sku, day = p.stockout.sku_id, p.stockout.stockout_date
        rank = one(db, """SELECT r FROM (SELECT sku_id, rank() OVER (ORDER BY sum(paid_amount) DESC) AS r
                          FROM product_daily WHERE shop_id = ? AND date BETWEEN ? AND ? GROUP BY sku_id)
                          WHERE sku_id = ?""", shop, WEEK_START - dt.timedelta(days=56), WEEK_START - dt.timedelta(days=1), sku)
        assert rank <= 10
        stock = rows(db, """SELECT date, on_hand, in_transit FROM inventory_daily
                            WHERE shop_id = ? AND sku_id = ? AND date >= ? ORDER BY date""", shop, sku, day - dt.timedelta(days=7))
        assert all(on_hand > 0 for d, on_hand, _ in stock if d < day)
        assert all(on_hand == 0 and transit == 0 for d, on_hand, transit in stock if d >= day)
        assert stock[-1][0] == END
        sold_before = one(db, """SELECT sum(units) FROM product_daily WHERE shop_id = ? AND sku_id = ?
                                 AND date BETWEEN ? AND ?""", shop, sku, day - dt.timedelta(days=14), day)
        sold_after = one(db, """SELECT count(*) FROM order_items i JOIN orders o USING (shop_id, order_id)
                                WHERE shop_id = ? AND sku_id = ? AND o.paid_at >= ?""", shop, sku, day + dt.timedelta(days=1))
        assert sold_before > 0 and sold_after == 0
        others = one(db, """SELECT count(*) FROM inventory_daily WHERE shop_id = ? AND date = ? AND on_hand = 0""", shop, END)
        assert others == 1  # the planted one is the only stockout


def category_refund_rate(db, shop, category, start, end):
    """Payment-dated refund rate of a category: an order's refund spread over its items by amount."""
    return one(db, """
        SELECT sum(i.paid_amount * o.refund_amount / o.paid_amount) / sum(i.paid_amount)
        FROM order_items i JOIN orders o USING (shop_id, order_id) JOIN products p USING (shop_id, sku_id)
        WHERE shop_id = ? AND p.category = ? AND o.paid_at >= ? AND o.paid_at < ?""",
               shop, category, start, end + dt.timedelta(days=1))


def test_planted_refund_spike_of_one_category(db):
    for shop, p in demo.PLANTED.items():
        cat = p.refund_spike.category
        now = category_refund_rate(db, shop, cat, WEEK_START, END)
        before = category_refund_rate(db, shop, cat, WEEK_START - dt.timedelta(days=70), WEEK_START - dt.timedelta(days=15))
        assert 0.25 <= now <= 0.30, (shop, now)
        assert 0.02 <= before <= 0.08, (shop, before)
        late = one(db, """SELECT count(*) FROM orders o WHERE shop_id = ? AND paid_at >= ? AND refund_amount > 0
                          AND order_id IN (SELECT order_id FROM order_items JOIN products USING (shop_id, sku_id)
                                           WHERE shop_id = ? AND category = ?)
                          AND (refunded_at > paid_at + INTERVAL 5 DAY OR refunded_at > ?)""",
                   shop, WEEK_START, shop, cat, END + dt.timedelta(days=1))
        assert late == 0


def test_planted_roi_drop_of_one_campaign(db):
    for shop, p in demo.PLANTED.items():
        weeks = rows(db, """SELECT strftime(date, '%G-W%V'), sum(spend), sum(attributed_amount) / sum(spend)
                            FROM ads_daily WHERE shop_id = ? AND channel = ? AND campaign = ? AND date BETWEEN ? AND ?
                            GROUP BY 1 ORDER BY 1""",
                     shop, p.roi_drop.channel, p.roi_drop.campaign, WEEK_START - dt.timedelta(days=28), END)
        *before, (_, spend_now, roi_now) = weeks
        assert len(before) == 4 and all(3.6 <= roi <= 4.4 for _, _, roi in before), weeks
        assert 1.2 <= roi_now <= 1.5 and roi_now < p.roi_drop.roi_target
        assert spend_now >= 1000
        below = rows(db, """SELECT channel, campaign FROM ads_daily WHERE shop_id = ? AND date BETWEEN ? AND ?
                            GROUP BY ALL HAVING sum(attributed_amount) / sum(spend) < ?""",
                     shop, WEEK_START, END, p.roi_drop.roi_target)
        assert below == [(p.roi_drop.channel, p.roi_drop.campaign)]


def test_new_products_under_test_and_their_potential_hits(db):
    for shop, p in demo.PLANTED.items():
        rates = dict(rows(db, """
            SELECT sku_id, (sum(cart_users) + sum(fav_users)) / sum(uv) FROM product_daily
            JOIN products USING (shop_id, sku_id)
            WHERE shop_id = ? AND date BETWEEN launched_on AND launched_on + 2 AND launched_on >= ?
            GROUP BY 1""", shop, END - dt.timedelta(days=28)))
        assert set(rates) == set(p.new_products.sku_ids)
        for sku, rate in rates.items():
            assert (rate >= p.new_products.hit_rate) == (sku in p.new_products.potential_hits), (shop, sku, rate)


def dormant_share(con, shop, at: dt.date) -> float:
    """Among buyers with a paid order in the 365 days up to the end of ``at``, the share whose last
    paid order is more than 90 days before that instant."""
    return one(con, """
        WITH base AS (
          SELECT customer_id, max(paid_at) AS last_paid FROM orders
          WHERE shop_id = ? AND paid_at >= ?::DATE + 1 - 365 AND paid_at < ?::DATE + 1 GROUP BY 1)
        SELECT avg((last_paid < ?::DATE + 1 - 90)::INT) FROM base""", shop, at, at, at)


def test_dormant_share_rises_only_when_planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dormant")
    args = dict(orders_per_shop=60_000, days=400)
    rise = {}
    for plant in (True, False):
        path = folder / f"plant_{plant}.duckdb"
        demo.build_demo_warehouse(path, plant_events=plant, **args)
        con = duckdb.connect(str(path), read_only=True)
        rise[plant] = {s: dormant_share(con, s, END) - dormant_share(con, s, END - dt.timedelta(days=28)) for s in SHOP_IDS}
        con.close()
    for shop in SHOP_IDS:
        assert rise[True][shop] >= demo.PLANTED[shop].dormant_surge.min_rise, rise
        assert rise[False][shop] < 0.015, rise


# --- module boundaries ---------------------------------------------------------------------------


def test_the_table_builders_fill_every_canonical_table_once_in_contract_order():
    model = shops.MODELS[0]
    sim = build.simulate_shop(model, build.Calendar.make(END, 70), orders_per_shop=1_000, seed=1, plant=True)
    written = [name for builder in build.TABLE_BUILDERS for name in builder(sim)]
    # then the team builders, once after the shops; the appraisal writes the last two when it closes a period
    written += [name for team in build.TEAM_BUILDERS for name in team.tables([team.collect(sim)])]
    written += ["appraisal_snapshots", "appraisal_rescores"]
    assert written == list(schemas.CONTRACTS)


def test_the_writer_takes_dataframes_and_cents_and_checks_columns_against_the_contract(tmp_path):
    import pandas as pd

    path = tmp_path / "w.duckdb"
    with write.new_demo_file(path) as con:
        write.insert(con, "shops", "0007", pd.DataFrame(
            {"name": ["小店"], "platform": ["jd"], "category": ["toys"], "currency": ["CNY"]}))
        write.insert(con, "order_items", "0007", {
            "order_id": write.fixed_ids("0007", [2611220000001], 13), "sku_id": ["TY10001"],
            "quantity": [2], "paid_amount": write.Cents([1999])})
        with pytest.raises(ValueError, match=r"unknown columns \['qty'\], missing columns \['quantity'\]"):
            write.insert(con, "order_items", "0007", {"order_id": ["x"], "sku_id": ["y"], "qty": [1],
                                                      "paid_amount": [1.0]})
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert rows(con, "SELECT shop_id, name FROM shops") == [("0007", "小店")]
        # 1999 cents -> 19.99 yuan; order id = shop id + yymmdd 261122 + 7-digit sequence 1
        assert rows(con, "SELECT * FROM order_items") == [("0007", "0007" "261122" "0000001", "TY10001", 2, 19.99)]
    finally:
        con.close()


def test_shop_models_are_data_checked_when_loaded(tmp_path):
    text = shops.SHOPS_FILE.read_text(encoding="utf-8")
    assert shops.load_shops().shops == shops.MODELS

    def broken(old, new):
        assert old in text
        path = tmp_path / "shops.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(ValueError, match="shops.yaml") as e:
            shops.load_shops(path)
        return str(e.value)

    assert "spike_category '口红' is not one of the sub-categories" in broken("spike_category: 彩妆", "spike_category: 口红")
    assert "must be quoted" in broken('shop_id: "0071"', "shop_id: 0071")  # unquoted, YAML reads the octal number 57
    assert "must add up to 1" in broken("sku_share: 0.40", "sku_share: 0.45")
    assert "Extra inputs are not permitted" in broken("growth: 1.18", "growth: 1.18\n    grwoth: 1.2")
    assert "recent:" in broken('active: "recent:90"', 'active: "lately"')
