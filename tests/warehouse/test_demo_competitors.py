"""The competitor teardown's demo tables: contracts, coverage, the index curves (the shop's own rows
invert to its real values), determinism, no change to the other tables, and every planted event
(``COMPETITOR_PLANTED``) recomputed from the raw tables at the default scale, absent without plants."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

from sql_rows import one, rows
from opsreport import schemas
from opsreport.warehouse import demo
from opsreport.warehouse.demo import build, competitors, shops
from opsreport.warehouse.demo.calendar import Calendar

SHOP_IDS = ["0071", "0142", "0388"]
END = demo.DEMO_END_DATE
TABLES = ["competitors", "competitor_sets", "competitor_daily", "competitor_traffic", "competitor_products",
          "competitor_promos", "competitor_reviews", "sku_matches"]
SMALL = dict(orders_per_shop=20_000, days=150)
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOV = (dt.date(2026, 11, 1), END)


@pytest.fixture(scope="module")
def db(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory):
    path = tmp_path_factory.mktemp("competitors") / "unplanted.duckdb"
    demo.build_demo_warehouse(path, **SMALL, plant_events=False)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def frame(con, sql, *params) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


# --- what is planted ------------------------------------------------------------------------------


def test_competitor_planted_is_described_per_shop():
    assert sorted(demo.COMPETITOR_PLANTED) == SHOP_IDS
    assert demo.competitor_planted_events(END) == demo.COMPETITOR_PLANTED
    for shop, p in demo.COMPETITOR_PLANTED.items():
        weekly, promo = demo.PLANTED[shop], demo.PROMO_PLANTED[shop]
        owners = {p.price_cut.competitor_id, p.paid_shift.competitor_id, p.undercut_promo.competitor_id,
                  p.rating_drop.competitor_id}
        assert len(owners) == 4  # each event in another competitor
        assert p.price_cut.sku_id == weekly.conversion_drop.sku_id
        assert p.price_cut.cut_on == weekly.week_start == dt.date(2026, 11, 16)
        assert p.price_cut.price_after / p.price_cut.price_before == pytest.approx(0.8, abs=0.008)
        assert p.paid_shift.shift_on == dt.date(2026, 11, 1)
        assert (p.paid_shift.share_before, p.paid_shift.share_after) == (0.15, 0.35)
        u = p.undercut_promo
        assert u.our_promo_id == promo.promo_id and u.our_end_date == dt.date(2026, 11, 13)
        assert (u.start_date, u.end_date, u.depth) == (dt.date(2026, 11, 12), dt.date(2026, 11, 15), 0.40)
        r = p.rating_drop
        assert (r.wave_start, r.wave_end, r.rating_from) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8),
                                                              dt.date(2026, 11, 5))
        assert (r.wave_factor, r.rating_before, r.rating_after) == (8.0, 4.8, 4.5)
        assert r.tag == {"0071": "过敏", "0142": "质量问题", "0388": "质量问题"}[shop]


def test_index_curves_are_monotone_power_curves_and_invert():
    for metric, (a, b) in demo.INDEX_CURVES.items():
        assert 0.5 <= b <= 0.8 and a > 0, metric
    a, b = demo.INDEX_CURVES["trade_index"]  # (18, 0.72): 10,000 yuan -> 18 * 10000 ** 0.72 = 18 * 758.58 = 13,654.4
    assert competitors.index_of("trade_index", 10_000) == pytest.approx(18 * 10 ** 2.88)
    assert competitors.index_of("trade_index", 10_000) == pytest.approx(13_654.4, abs=0.1)
    assert competitors.real_of("trade_index", 18 * 10 ** 2.88) == pytest.approx(10_000)
    # conversion (8000, 0.55): a rate of 0.04 -> 8000 * 0.04 ** 0.55 = 8000 * 0.17026 = 1362.1
    assert competitors.index_of("conversion_index", 0.04) == pytest.approx(1362.1, abs=0.1)


# --- contracts and coverage -------------------------------------------------------------------------


def test_competitor_tables_pass_their_contracts(demo_warehouse):
    con = ibis.duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        for name in TABLES:
            schemas.validate(con.table(name), name)  # raises ContractError listing every problem
    finally:
        con.disconnect()


def test_every_shop_has_four_competitors_of_its_platform_and_category(db):
    for shop, platform, category in rows(db, "SELECT shop_id, platform, category FROM shops ORDER BY 1"):
        comp = rows(db, "SELECT DISTINCT platform, category FROM competitors WHERE shop_id = ?", shop)
        assert comp == [(platform, category)]
        tiers = sorted(r[0] for r in rows(db, "SELECT tier FROM competitor_sets WHERE shop_id = ?", shop))
        assert tiers == ["above", "below", "same", "same"]
        assert one(db, "SELECT max(added_on) FROM competitor_sets WHERE shop_id = ?", shop) < END
        assert one(db, "SELECT count(*) FROM competitor_sets WHERE shop_id = ? AND removed_on IS NOT NULL", shop) == 0


def test_daily_and_traffic_indices_cover_every_day_for_every_competitor_and_self(db):
    days = one(db, "SELECT count(*) FROM shop_daily WHERE shop_id = '0071'")
    for shop in SHOP_IDS:
        per = rows(db, """SELECT competitor_id, count(*), count(DISTINCT date), count(traffic_index),
                                 count(search_index),
                                 count(fav_index), count(cart_index), count(conversion_index), count(buyer_index)
                          FROM competitor_daily WHERE shop_id = ? GROUP BY 1""", shop)
        assert len(per) == 5 and schemas.OWN_SHOP in {r[0] for r in per}
        assert all(r[1:] == (days,) * 8 for r in per), per
        n = one(db, "SELECT count(*) FROM competitor_traffic WHERE shop_id = ?", shop)
        assert n == days * 5 * len(demo.SOURCES)


def test_products_span_our_subcategories_with_launches_and_delistings_in_november(db):
    for shop in SHOP_IDS:
        ours = {r[0] for r in rows(db, "SELECT DISTINCT category FROM products WHERE shop_id = ?", shop)}
        per = frame(db, """
            SELECT competitor_id, product_id, min(observed_on) AS first, max(observed_on) AS last,
                   count(DISTINCT category) AS cats, any_value(category) AS category
            FROM competitor_products WHERE shop_id = ? GROUP BY 1, 2""", shop)
        assert set(per.category) <= ours and (per.cats == 1).all()
        start = one(db, "SELECT min(date) FROM shop_daily WHERE shop_id = ?", shop)
        for _, g in per.groupby("competitor_id"):
            assert 30 <= len(g) <= 60
            launched = ((g["first"] > pd.Timestamp(start)) & (g["first"] >= pd.Timestamp(NOV[0]))).sum()
            delisted = ((g["last"] < pd.Timestamp(END)) & (g["last"] >= pd.Timestamp(NOV[0]))).sum()
            assert 1 <= launched <= 3 and 1 <= delisted <= 2, (launched, delisted)
        # snapshots: a row per listed day (no gaps), sales_index empty, reviews never fall
        gaps = one(db, """SELECT count(*) FROM (SELECT competitor_id, product_id, count(*) AS n,
                                 max(observed_on) - min(observed_on) + 1 AS span
                          FROM competitor_products WHERE shop_id = ? GROUP BY 1, 2) WHERE n <> span""", shop)
        assert gaps == 0
        assert one(db, "SELECT count(sales_index) FROM competitor_products WHERE shop_id = ?", shop) == 0
        falls = one(db, """SELECT count(*) FROM (SELECT reviews - lag(reviews) OVER w AS d,
                                  monthly_sales FROM competitor_products WHERE shop_id = ?
                                  WINDOW w AS (PARTITION BY competitor_id, product_id ORDER BY observed_on))
                           WHERE d < 0 OR monthly_sales < 0""", shop)
        assert falls == 0


def test_everyday_prices_change_rarely(db):
    changes = frame(db, """SELECT shop_id, competitor_id, product_id, count(*) FILTER (WHERE price <> prev) AS n
                           FROM (SELECT *, lag(price) OVER (PARTITION BY shop_id, competitor_id, product_id
                                                            ORDER BY observed_on) AS prev FROM competitor_products)
                           GROUP BY 1, 2, 3""")
    assert changes.n.max() <= 2  # at most two everyday price changes in two years (the cut is one)
    assert (changes.n == 0).mean() > 0.6


def test_promotions_join_618_and_double11_and_promo_prices_follow_their_depth(db):
    for shop in SHOP_IDS:
        big = {(r[0], r[1], r[2]) for r in rows(db, """
            SELECT name, CAST(start_at AS DATE), CAST(end_at AS DATE) FROM promotions
            WHERE shop_id = ? AND event IN ('618', 'double11')
              AND CAST(end_at AS DATE) >= (SELECT min(date) FROM shop_daily WHERE shop_id = ?)
              AND CAST(start_at AS DATE) <= ?""", shop, shop, END)}
        assert len(big) == 4  # 618 and Double 11 of 2025 and 2026
        promos = frame(db, "SELECT * FROM competitor_promos WHERE shop_id = ?", shop)
        for comp, g in promos.groupby("competitor_id"):
            joined = {(n, s.date(), e.date()) for n, s, e in zip(g.promo_name, g.start_date, g.end_date)}
            assert big <= joined, comp
            own = g[~g.promo_name.isin([b[0] for b in big])]
            per_year = own.groupby(own.start_date.dt.year).size()
            assert 2 <= per_year.loc[2025] <= 4 and per_year.max() <= 5  # 2-4 own events a year (+ the planted one)
        assert set(promos.mechanic) <= set(shops.MECHANICS)
        planted = demo.COMPETITOR_PLANTED[shop].undercut_promo.promo_name
        assert promos[promos.promo_name != planted].depth.between(0.05, 0.35).all()
        # every promotion price lies in a promotion of its competitor, at price x (1 - its depth) in
        # whole yuan, e.g. 319 yuan at depth 0.27 -> round(319 x 0.73) = round(232.87) = 233: at most
        # 0.5 yuan off (a product in two promotions that day takes the deeper one it joined)
        check = frame(db, """
            SELECT p.observed_on, p.product_id, min(abs(p.promo_price - p.price * (1 - c.depth))) AS off_by
            FROM competitor_products p LEFT JOIN competitor_promos c
              ON c.shop_id = p.shop_id AND c.competitor_id = p.competitor_id
             AND p.observed_on BETWEEN c.start_date AND c.end_date
            WHERE p.shop_id = ? AND p.promo_price IS NOT NULL GROUP BY 1, 2""", shop)
        assert len(check) > 1000 and check.off_by.notna().all()
        assert (check.off_by <= 0.5 + 1e-9).all()


def test_bad_reviews_use_four_to_six_category_tags_and_not_every_day(db):
    for shop, model in zip(SHOP_IDS, shops.MODELS):
        tags = frame(db, """SELECT competitor_id, count(DISTINCT tag) AS n, count(*) AS r, count(DISTINCT date) AS d
                            FROM competitor_reviews WHERE shop_id = ? GROUP BY 1""", shop)
        assert len(tags) == 4 and tags.n.between(4, 6).all()
        assert (tags.r < tags.n * tags.d).all()  # not every day has every tag
        used = {r[0] for r in rows(db, "SELECT DISTINCT tag FROM competitor_reviews WHERE shop_id = ?", shop)}
        assert used <= set(model.competition.review_tags)
        assert one(db, "SELECT min(bad_reviews) FROM competitor_reviews WHERE shop_id = ?", shop) >= 1


def test_sku_matches_pair_our_best_sellers_with_products_of_one_or_two_competitors(db):
    for shop in SHOP_IDS:
        m = frame(db, """
            SELECT m.sku_id, m.competitor_id, m.product_id, m.note, o.category AS ours, any_value(c.category) AS theirs,
                   o.list_price, median(c.price) AS price
            FROM sku_matches m JOIN products o USING (shop_id, sku_id)
            JOIN competitor_products c USING (shop_id, competitor_id, product_id)
            WHERE m.shop_id = ? GROUP BY ALL""", shop)
        n_matches = one(db, "SELECT count(*) FROM sku_matches WHERE shop_id = ?", shop)
        assert len(m) == n_matches  # every matched product is tracked
        per_sku = m.groupby("sku_id").size()
        assert 10 <= len(per_sku) <= 15 and per_sku.between(1, 2).all()
        assert (m.ours == m.theirs).all() and m.note.notna().all()
        ratio = m.price / m.list_price  # price position 0.8-1.3 x our everyday price (0.9-1 x list) x 0.95-1.05
        assert ratio.between(0.65, 1.45).all(), ratio.describe()
        top = rows(db, """SELECT sku_id FROM order_items WHERE shop_id = ? GROUP BY 1
                          ORDER BY sum(paid_amount) DESC LIMIT 40""", shop)
        assert set(per_sku.index) <= {r[0] for r in top}  # best sellers


# --- index values -------------------------------------------------------------------------------


def test_the_shops_own_rows_invert_to_its_real_values(db):
    for shop in SHOP_IDS:
        d = frame(db, """
            SELECT c.*, s.paid_amount, s.uv, s.fav_users, s.cart_users, s.paid_buyers, t.uv AS search_uv
            FROM competitor_daily c JOIN shop_daily s USING (shop_id, date)
            JOIN traffic_daily t ON t.shop_id = c.shop_id AND t.date = c.date AND t.source = 'search'
            WHERE c.shop_id = ? AND c.competitor_id = ?""", shop, schemas.OWN_SHOP)
        actual = {"trade_index": d.paid_amount, "traffic_index": d.uv, "search_index": d.search_uv,
                  "fav_index": d.fav_users, "cart_index": d.cart_users, "buyer_index": d.paid_buyers,
                  "conversion_index": d.paid_buyers / d.uv}
        for metric, real in actual.items():
            _, b = demo.INDEX_CURVES[metric]
            log_ratio = np.log(competitors.real_of(metric, d[metric]) / real)
            # index noise sd 0.02 -> real sd 0.02 / b; rounding to whole index points adds < 0.5%
            assert abs(np.median(log_ratio)) < 0.01, (shop, metric)
            assert np.abs(log_ratio).max() < 5 * 0.02 / b + 0.01, (shop, metric)
            assert np.std(log_ratio) == pytest.approx(0.02 / b, rel=0.25), (shop, metric)
        traffic = frame(db, """SELECT c.traffic_index, t.uv FROM competitor_traffic c JOIN traffic_daily t
                               USING (shop_id, date, source) WHERE shop_id = ? AND competitor_id = ? AND t.uv > 0""",
                        shop, schemas.OWN_SHOP)
        log_ratio = np.log(competitors.real_of("traffic_index", traffic.traffic_index) / traffic.uv)
        assert abs(np.median(log_ratio)) < 0.01


def test_competitor_sizes_follow_shops_yaml(db):
    for shop, model in zip(SHOP_IDS, shops.MODELS):
        d = frame(db, "SELECT competitor_id, traffic_index FROM competitor_daily WHERE shop_id = ?", shop)
        d["uv"] = competitors.real_of("traffic_index", d.traffic_index)
        total = d.groupby("competitor_id").uv.sum()
        for c in model.competition.competitors:
            # visitors over the window / ours ~ size (their momentum and noise aside)
            assert total[c.name] / total[schemas.OWN_SHOP] == pytest.approx(c.size, rel=0.3), c.name


def paid_share(con, shop, competitor, period) -> float:
    """paid_ads visitors / all sources' visitors over ``period``, from the inverted traffic curve."""
    d = frame(con, """SELECT source, traffic_index FROM competitor_traffic
                      WHERE shop_id = ? AND competitor_id = ? AND date BETWEEN ? AND ?""", shop, competitor, *period)
    d["uv"] = competitors.real_of("traffic_index", d.traffic_index)
    return float(d.uv[d.source == "paid_ads"].sum() / d.uv.sum())


# --- the planted events -----------------------------------------------------------------------------


def everyday_price(con, shop, competitor, product, day):
    return one(con, """SELECT price FROM competitor_products WHERE shop_id = ? AND competitor_id = ?
                       AND product_id = ? AND observed_on = ?""", shop, competitor, product, day)


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_price_cut_of_the_product_matched_to_the_conversion_drop_sku(db, shop):
    cut = demo.COMPETITOR_PLANTED[shop].price_cut
    assert rows(db, "SELECT competitor_id, product_id FROM sku_matches WHERE shop_id = ? AND sku_id = ?",
                shop, cut.sku_id).count((cut.competitor_id, cut.product_id)) == 1
    before = everyday_price(db, shop, cut.competitor_id, cut.product_id, cut.cut_on - dt.timedelta(days=1))
    on = everyday_price(db, shop, cut.competitor_id, cut.product_id, cut.cut_on)
    assert (before, on) == (cut.price_before, cut.price_after)
    assert on / before == pytest.approx(0.80, rel=0.01)  # e.g. 319 -> round(255.2) = 255: 0.7994
    after = rows(db, """SELECT DISTINCT price FROM competitor_products WHERE shop_id = ? AND product_id = ?
                        AND observed_on >= ?""", shop, cut.product_id, cut.cut_on)
    assert after == [(on,)]  # stays cut to the end
    month = rows(db, """SELECT DISTINCT price FROM competitor_products WHERE shop_id = ? AND product_id = ?
                        AND observed_on BETWEEN ? AND ?""", shop, cut.product_id,
                 cut.cut_on - dt.timedelta(days=30), cut.cut_on - dt.timedelta(days=1))
    assert month == [(before,)]  # stable before


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_paid_shift_of_one_competitor(db, shop):
    shift = demo.COMPETITOR_PLANTED[shop].paid_shift
    assert paid_share(db, shop, shift.competitor_id, OCT) == pytest.approx(0.15, abs=0.015)
    assert paid_share(db, shop, shift.competitor_id, (dt.date(2026, 9, 1), dt.date(2026, 9, 30))) == \
        pytest.approx(0.15, abs=0.015)  # stable before
    assert paid_share(db, shop, shift.competitor_id, NOV) == pytest.approx(0.35, abs=0.015)
    for comp in demo.COMPETITOR_PLANTED[shop].price_cut.competitor_id, schemas.OWN_SHOP:
        assert abs(paid_share(db, shop, comp, NOV) - paid_share(db, shop, comp, OCT)) < 0.03  # nobody else


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_undercut_promotion_deeper_than_ours_across_the_end_of_our_double11(db, shop):
    u = demo.COMPETITOR_PLANTED[shop].undercut_promo
    row = rows(db, """SELECT start_date, end_date, mechanic, depth FROM competitor_promos
                      WHERE shop_id = ? AND competitor_id = ? AND promo_name = ?""",
               shop, u.competitor_id, u.promo_name)
    assert row == [(u.start_date, u.end_date, u.mechanic, 0.40)]
    our_end = one(db, "SELECT CAST(end_at AS DATE) FROM promotions WHERE shop_id = ? AND promo_id = ?",
                  shop, u.our_promo_id)
    assert u.start_date <= our_end <= u.end_date and u.start_date.month == u.end_date.month == 11
    our_depth = one(db, """SELECT avg(1 - s.promo_price / p.list_price) FROM promo_skus s JOIN products p
                           USING (shop_id, sku_id) WHERE shop_id = ? AND promo_id = ?""", shop, u.our_promo_id)
    assert 0.15 < our_depth < 0.32 < 0.40
    p = frame(db, """SELECT price, promo_price FROM competitor_products WHERE shop_id = ?
                     AND competitor_id = ? AND observed_on BETWEEN ? AND ?""",
              shop, u.competitor_id, u.start_date, u.end_date)
    assert len(p) > 100 and p.promo_price.notna().all()  # every product takes part
    # price x 0.60 in whole yuan: 99 -> round(59.4) = 59, 39 -> round(23.4) = 23
    assert ((p.promo_price - p.price * 0.60).abs() <= 0.5 + 1e-9).all()
    assert (p.promo_price / p.price).median() == pytest.approx(0.60, abs=0.005)


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_rating_drop_after_a_wave_of_bad_reviews(db, shop):
    r = demo.COMPETITOR_PLANTED[shop].rating_drop

    def per_day(first, last, same_tag=True):
        total = one(db, f"""SELECT coalesce(sum(bad_reviews), 0) FROM competitor_reviews WHERE shop_id = ?
                            AND competitor_id = ? AND tag {'=' if same_tag else '<>'} ? AND date BETWEEN ? AND ?""",
                    shop, r.competitor_id, r.tag, first, last)
        return total / ((last - first).days + 1)  # a day without a row had no bad review

    usual = per_day(r.wave_start - dt.timedelta(days=28), r.wave_start - dt.timedelta(days=1))
    assert usual > 0.5
    assert 5 < per_day(r.wave_start, r.wave_end) / usual < 12  # ~8x
    other = per_day(r.wave_start, r.wave_end, False) / per_day(r.wave_start - dt.timedelta(days=28),
                                                               r.wave_start - dt.timedelta(days=1), False)
    assert other < 2  # only the one tag
    before = one(db, """SELECT avg(rating) FROM competitor_products WHERE shop_id = ? AND competitor_id = ?
                        AND observed_on BETWEEN ? AND ?""", shop, r.competitor_id, dt.date(2026, 10, 1),
                 r.rating_from - dt.timedelta(days=1))
    after = one(db, """SELECT avg(rating) FROM competitor_products WHERE shop_id = ? AND competitor_id = ?
                       AND observed_on >= ?""", shop, r.competitor_id, r.rating_from)
    assert before == pytest.approx(4.8, abs=0.03) and after == pytest.approx(4.5, abs=0.03)


def test_nothing_is_planted_without_plant_events(unplanted):
    con = unplanted
    for shop, p in demo.COMPETITOR_PLANTED.items():
        cut = p.price_cut
        assert everyday_price(con, shop, cut.competitor_id, cut.product_id, cut.cut_on) == \
            everyday_price(con, shop, cut.competitor_id, cut.product_id, cut.cut_on - dt.timedelta(days=1)) == \
            cut.price_before
        shift = p.paid_shift
        assert paid_share(con, shop, shift.competitor_id, NOV) == pytest.approx(0.15, abs=0.015)
        assert one(con, "SELECT count(*) FROM competitor_promos WHERE shop_id = ? AND promo_name = ?",
                   shop, p.undercut_promo.promo_name) == 0
        deepest = one(con, """SELECT min(promo_price / price) FROM competitor_products WHERE shop_id = ?
                              AND competitor_id = ? AND observed_on BETWEEN ? AND ?""", shop,
                      p.undercut_promo.competitor_id, p.undercut_promo.start_date, p.undercut_promo.end_date)
        assert deepest is None or deepest > 0.64  # no promotion deeper than 0.35
        r = p.rating_drop
        after = one(con, """SELECT avg(rating) FROM competitor_products WHERE shop_id = ? AND competitor_id = ?
                            AND observed_on >= ?""", shop, r.competitor_id, r.rating_from)
        assert after == pytest.approx(4.8, abs=0.03)
        wave = one(con, """SELECT coalesce(sum(bad_reviews), 0) FROM competitor_reviews WHERE shop_id = ?
                           AND competitor_id = ? AND tag = ? AND date BETWEEN ? AND ?""",
                   shop, r.competitor_id, r.tag, r.wave_start, r.wave_end) / 7
        usual = one(con, """SELECT coalesce(sum(bad_reviews), 0) FROM competitor_reviews WHERE shop_id = ?
                            AND competitor_id = ? AND tag = ? AND date BETWEEN ? AND ?""",
                    shop, r.competitor_id, r.tag, r.wave_start - dt.timedelta(days=28),
                    r.wave_start - dt.timedelta(days=1)) / 28
        assert wave < 3 * max(usual, 0.3)


# --- determinism and the other tables ---------------------------------------------------------------


def _frames(model, seed, plant=True) -> dict[str, pd.DataFrame]:
    sim = build.simulate_shop(model, Calendar.make(END, 70), orders_per_shop=2_000, seed=seed, plant=plant)
    out = {}
    for name, cols in competitors.tables(sim).items():
        out[name] = pd.DataFrame({c: (np.asarray(v.values) if isinstance(v, competitors.Cents) else
                                      (v.to_pandas() if hasattr(v, "to_pandas") else v)) for c, v in cols.items()})
    return out


def test_same_seed_gives_the_same_rows_and_another_seed_other_sales():
    model = shops.MODELS[0]
    first, again, other = _frames(model, 1), _frames(model, 1), _frames(model, 2)
    for name in TABLES:
        pd.testing.assert_frame_equal(first[name], again[name])
    # the competitors and their products are fixed per shop; their sales are drawn from the seed
    for name in ("competitors", "competitor_sets", "sku_matches"):
        pd.testing.assert_frame_equal(first[name], other[name])
    assert not first["competitor_daily"].equals(other["competitor_daily"])


def digest(path, tables) -> dict:
    """Row count and an order-independent hash of every column, per table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f'SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM "{name}"').fetchone()
                for name in tables}
    finally:
        con.close()


def test_competitor_tables_change_no_other_table(tmp_path, monkeypatch):
    others = [name for name in schemas.CONTRACTS if name not in TABLES]
    demo.build_demo_warehouse(tmp_path / "with.duckdb", **SMALL)
    assert build.TABLE_BUILDERS[-1] is competitors.tables
    monkeypatch.setattr(build, "TABLE_BUILDERS", build.TABLE_BUILDERS[:-1])
    demo.build_demo_warehouse(tmp_path / "without.duckdb", **SMALL)
    assert digest(tmp_path / "with.duckdb", others) == digest(tmp_path / "without.duckdb", others)
    assert all(d[0] == 0 for d in digest(tmp_path / "without.duckdb", TABLES).values())


def test_competition_in_shops_yaml_is_checked_when_loaded(tmp_path):
    text = shops.SHOPS_FILE.read_text(encoding="utf-8")

    def broken(old, new):
        assert old in text
        path = tmp_path / "shops.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(ValueError, match="shops.yaml") as e:
            shops.load_shops(path)
        return str(e.value)

    assert "exactly once" in broken("plant: paid_shift", "plant: price_cut")
    assert "wave_tag '起皱' is not one of the review_tags" in broken("wave_tag: 过敏", "wave_tag: 起皱")
    assert "source_mix must add up to 1" in broken("{search: 0.36,", "{search: 0.46,")
    assert "size" in broken("size: 1.1,", "size: 2.5,")
