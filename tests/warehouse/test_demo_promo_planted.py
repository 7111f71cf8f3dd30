"""The promotion retrospective's planted events (``PROMO_PLANTED``) are in the demo warehouse, each
checked with hand-written SQL on the raw tables at the default scale, and absent without plants."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import duckdb
import pytest
import yaml

from sql_rows import one, rows
from opsreport.warehouse import demo

SHOP_IDS = ["0071", "0142", "0388"]
D_DAY = dt.date(2026, 11, 11)
ROI_TARGETS = yaml.safe_load(resources.files("opsreport").joinpath("rules.yaml").read_text("utf-8"))[
    "roi_target_by_category"]


@pytest.fixture(scope="module")
def db(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory):
    path = tmp_path_factory.mktemp("unplanted") / "unplanted.duckdb"
    demo.build_demo_warehouse(path, orders_per_shop=20_000, days=150, plant_events=False)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_promo_planted_is_described_per_shop():
    assert sorted(demo.PROMO_PLANTED) == SHOP_IDS
    assert demo.promo_planted_events(demo.DEMO_END_DATE) == demo.PROMO_PLANTED
    for shop, p in demo.PROMO_PLANTED.items():
        weekly = demo.PLANTED[shop]
        assert p.promo_id == f"{shop}-2026-double11"
        assert p.stockout_at == dt.datetime(2026, 11, 11, 12) and p.restocked_on == dt.date(2026, 11, 14)
        assert p.stockout_sku not in {weekly.conversion_drop.sku_id, weekly.stockout.sku_id,
                                      p.price_above_daily_sku, p.price_above_low_sku}
        assert p.overspent_channel != weekly.roi_drop.channel  # its baseline weeks stay as they are
        assert p.overspend_until == dt.date(2026, 11, 8)  # before the weekly review's weeks W46 and W47
        assert (p.dip_start, p.dip_end) == (dt.date(2026, 10, 15), dt.date(2026, 10, 19))
        assert (p.first_day_start, p.first_day_end) == (dt.datetime(2026, 10, 20, 20), dt.datetime(2026, 10, 21))
        assert p.previous_promo_id == {"0071": "0071-2026-shop2", "0142": "0142-2026-shop2",
                                       "0388": "0388-2026-shop2"}[shop]


def promo_gmv_rank(con, shop, promo_id, sku):
    """Rank of ``sku`` among the promotion's promoted SKUs by GMV paid during the promotion."""
    return one(con, """
        SELECT r FROM (
          SELECT i.sku_id, rank() OVER (ORDER BY sum(i.paid_amount) DESC) AS r
          FROM order_items i JOIN orders o USING (shop_id, order_id)
          JOIN promotions p ON p.shop_id = o.shop_id AND o.paid_at BETWEEN p.start_at AND p.end_at
          JOIN promo_skus s ON s.shop_id = i.shop_id AND s.promo_id = p.promo_id AND s.sku_id = i.sku_id
          WHERE i.shop_id = ? AND p.promo_id = ? GROUP BY i.sku_id)
        WHERE sku_id = ?""", shop, promo_id, sku)


# --- a. a hot SKU sells out on D-day ----------------------------------------------------------------


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_a_top5_promoted_sku_sells_out_at_noon_on_d_day(db, shop):
    p = demo.PROMO_PLANTED[shop]
    sku = p.stockout_sku
    rank = promo_gmv_rank(db, shop, p.promo_id, sku)
    assert rank <= 5, f"{sku} ranks {rank} by GMV among the promoted SKUs of {p.promo_id}"
    sales = dict(rows(db, """
        SELECT CASE WHEN o.paid_at < ? THEN 'before' WHEN o.paid_at < ? THEN 'sold_out' ELSE 'restocked' END,
               count(*)
        FROM order_items i JOIN orders o USING (shop_id, order_id)
        WHERE i.shop_id = ? AND i.sku_id = ? AND o.paid_at >= ? AND o.paid_at < ? GROUP BY 1""",
                      p.stockout_at, dt.datetime.combine(p.restocked_on, dt.time()), shop, sku, D_DAY,
                      p.restocked_on + dt.timedelta(days=2)))
    assert sales.get("before", 0) > 0 and sales.get("restocked", 0) > 0, sales
    assert "sold_out" not in sales, f"{sales.get('sold_out')} lines of {sku} paid from {p.stockout_at} to {p.restocked_on}"
    daily = dict(rows(db, """SELECT date, units FROM product_daily WHERE shop_id = ? AND sku_id = ?
                             AND date BETWEEN ? AND ?""", shop, sku, D_DAY, D_DAY + dt.timedelta(days=2)))
    assert daily[D_DAY] > 0 and all(daily.get(D_DAY + dt.timedelta(days=k), 0) == 0 for k in (1, 2)), daily
    # allocated stock: exactly what it sold in the promotion (sold out)
    allocated, sold = rows(db, """
        SELECT s.stock_allocated, (SELECT sum(units) FROM product_daily d WHERE d.shop_id = s.shop_id
                                   AND d.sku_id = s.sku_id AND d.date BETWEEN ? AND ?)
        FROM promo_skus s WHERE s.shop_id = ? AND s.promo_id = ? AND s.sku_id = ?""",
                           dt.date(2026, 10, 20), dt.date(2026, 11, 13), shop, p.promo_id, sku)[0]
    assert allocated == sold


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_the_sold_out_sku_has_no_stock_from_d_day_to_the_restock(db, shop):
    p = demo.PROMO_PLANTED[shop]
    stock = rows(db, """SELECT date, on_hand, in_transit FROM inventory_daily WHERE shop_id = ? AND sku_id = ?
                        AND date BETWEEN ? AND ? ORDER BY date""",
                 shop, p.stockout_sku, D_DAY - dt.timedelta(days=14), p.restocked_on)
    out = [d for d, on_hand, _ in stock if on_hand == 0]
    assert out == [D_DAY, D_DAY + dt.timedelta(days=1), D_DAY + dt.timedelta(days=2)], stock
    assert all(transit > 0 for d, _, transit in stock if d in out)  # the restock is on its way
    assert stock[-1][0] == p.restocked_on and stock[-1][1] > 0
    # the run-down: no delivery before D-day, the stock falls by exactly the units sold
    sold = dict(rows(db, "SELECT date, units FROM product_daily WHERE shop_id = ? AND sku_id = ?", shop, p.stockout_sku))
    for (_, before, _), (day, after, _) in zip(stock, stock[1:]):
        if day <= D_DAY:
            assert before - sold.get(day, 0) == after, (day, before, sold.get(day, 0), after)


# --- b. an ad channel below its ROI target and over budget --------------------------------------------


def channel_figures(con, shop, promo_id):
    """channel -> (spend, attributed amount, budget) over the promotion's days."""
    return {c: (s, a, b) for c, s, a, b in rows(con, """
        SELECT a.channel, sum(a.spend), sum(a.attributed_amount), any_value(b.budget)
        FROM ads_daily a JOIN promotions p ON p.shop_id = a.shop_id
             AND a.date BETWEEN CAST(p.start_at AS DATE) AND CAST(p.end_at AS DATE)
        LEFT JOIN promo_ad_budgets b ON b.shop_id = a.shop_id AND b.promo_id = p.promo_id AND b.channel = a.channel
        WHERE a.shop_id = ? AND p.promo_id = ? GROUP BY a.channel""", shop, promo_id)}


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_one_channel_is_below_its_roi_target_and_over_budget(db, shop):
    p = demo.PROMO_PLANTED[shop]
    category = one(db, "SELECT category FROM shops WHERE shop_id = ?", shop)
    target = ROI_TARGETS[category]
    assert p.roi_target == target
    figures = channel_figures(db, shop, p.promo_id)
    spend, attributed, budget = figures[p.overspent_channel]
    assert attributed / spend < target, f"ROI {attributed:.0f} / {spend:.0f} = {attributed / spend:.2f} >= {target}"
    assert spend > 1.10 * budget, f"spend {spend:.0f} <= 1.10 x budget {budget:.0f} = {1.10 * budget:.0f}"
    for channel, (s, a, b) in figures.items():
        if channel != p.overspent_channel:
            assert s <= 1.05 * b, f"{channel}: spend {s:.0f} > 1.05 x budget {b:.0f}"
            assert a / s > target, f"{channel}: ROI {a:.0f} / {s:.0f} = {a / s:.2f} <= {target}"
    # the largest-spend channel besides the weekly review's planted campaign's
    weekly = demo.PLANTED[shop].roi_drop.channel
    assert p.overspent_channel == max((c for c in figures if c != weekly), key=lambda c: figures[c][0])
    total, cap = one(db, "SELECT sum(budget) FROM promo_ad_budgets WHERE shop_id = ? AND promo_id = ?", shop,
                     p.promo_id), one(db, "SELECT budget FROM promotions WHERE shop_id = ? AND promo_id = ?", shop, p.promo_id)
    assert total <= cap, f"channel budgets {total:.0f} > the promotion's budget {cap:.0f}"


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_the_overspend_stops_before_the_weekly_reviews_weeks(db, shop):
    p = demo.PROMO_PLANTED[shop]
    roi = dict(rows(db, """SELECT date > ?, sum(attributed_amount) / sum(spend) FROM ads_daily
                           WHERE shop_id = ? AND channel = ? AND date BETWEEN ? AND ? GROUP BY 1""",
                    p.overspend_until, shop, p.overspent_channel, dt.date(2026, 10, 20), dt.date(2026, 11, 13)))
    assert roi[False] < p.roi_target < roi[True], roi  # Nov 9-13: the channel's ordinary ROI


# --- c. pull-forward dip before the start -------------------------------------------------------------

DIP_SQL = """
WITH d AS (SELECT date, paid_amount, uv FROM shop_daily WHERE shop_id = ?),
dip AS (SELECT * FROM d WHERE date BETWEEN ? AND ?),
-- the same weekdays of the 4 weeks before, outside every promotion
base AS (SELECT d.* FROM d JOIN dip ON d.date IN (dip.date - 7, dip.date - 14, dip.date - 21, dip.date - 28)
         WHERE NOT EXISTS (SELECT 1 FROM promotions p WHERE p.shop_id = ?
                           AND d.date BETWEEN CAST(p.start_at AS DATE) AND CAST(p.end_at AS DATE))),
per_weekday AS (SELECT dayofweek(date) AS w, avg(paid_amount) AS gmv, avg(uv) AS uv FROM base GROUP BY 1)
SELECT (SELECT sum(paid_amount) FROM dip), (SELECT sum(gmv) FROM per_weekday),
       (SELECT sum(uv) FROM dip), (SELECT sum(uv) FROM per_weekday), (SELECT count(*) FROM per_weekday)
"""


def dip_ratios(con, shop):
    p = demo.PROMO_PLANTED[shop]
    gmv, base_gmv, uv, base_uv, weekdays = rows(con, DIP_SQL, shop, p.dip_start, p.dip_end, shop)[0]
    assert weekdays == 5
    return gmv, base_gmv, uv, base_uv


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_demand_dips_in_the_five_days_before_the_start(db, shop):
    gmv, base_gmv, uv, base_uv = dip_ratios(db, shop)
    assert gmv < 0.85 * base_gmv, f"GMV {gmv:.0f} vs the same weekdays before {base_gmv:.0f}: {gmv / base_gmv:.2f}"
    assert uv < 0.85 * base_uv, f"UV {uv:.0f} vs the same weekdays before {base_uv:.0f}: {uv / base_uv:.2f}"


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_without_plants_there_is_no_dip(unplanted, shop):
    _, _, uv, base_uv = dip_ratios(unplanted, shop)
    assert uv > 0.9 * base_uv, f"UV {uv:.0f} vs the same weekdays before {base_uv:.0f}: {uv / base_uv:.2f}"


# --- d. coupons redeemed far less than in the previous promotion --------------------------------------


def redemption(con, shop, promo_id):
    return one(con, "SELECT sum(redeemed) / sum(issued) FROM coupons WHERE shop_id = ? AND promo_id = ?", shop, promo_id)


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_coupon_redemption_is_at_most_half_the_previous_promotions(db, shop):
    p = demo.PROMO_PLANTED[shop]
    previous = one(db, """SELECT arg_max(q.promo_id, q.end_at) FROM promotions q, promotions p
                          WHERE q.shop_id = ? AND p.shop_id = q.shop_id AND p.promo_id = ? AND q.end_at < p.start_at""",
                   shop, p.promo_id)
    assert previous == p.previous_promo_id
    now, before = redemption(db, shop, p.promo_id), redemption(db, shop, previous)
    assert now <= 0.5 * before, f"redemption {now:.3f} > half of {previous}'s {before:.3f}"


# --- e. the first day is more than 30% behind its pace -----------------------------------------------


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_the_first_day_is_more_than_30_percent_behind_its_pace(db, shop):
    p = demo.PROMO_PLANTED[shop]
    start, end, target = rows(db, """SELECT start_at, end_at, target_gmv FROM promotion_phases
                                     WHERE shop_id = ? AND promo_id = ? AND phase = 'warmup'""", shop, p.promo_id)[0]
    assert start == p.first_day_start
    warmup_hours = (end - start + dt.timedelta(seconds=1)) / dt.timedelta(hours=1)  # Oct 20 20:00 - Oct 23 24:00: 76
    first_hours = (p.first_day_end - p.first_day_start) / dt.timedelta(hours=1)  # 4
    pace = target * first_hours / warmup_hours
    gmv = one(db, "SELECT sum(paid_amount) FROM orders WHERE shop_id = ? AND paid_at >= ? AND paid_at < ?",
              shop, p.first_day_start, p.first_day_end)
    assert gmv < 0.7 * pace, (f"first evening GMV {gmv:.0f} >= 0.7 x {target:.0f} x {first_hours:g} / {warmup_hours:g} "
                              f"= {0.7 * pace:.0f} ({gmv / pace:.2f} of pace)")


# --- without plants, no planted event -----------------------------------------------------------------


@pytest.mark.parametrize("shop", SHOP_IDS)
def test_without_plants_nothing_sells_out_overspends_or_goes_unredeemed(unplanted, shop):
    p = demo.PROMO_PLANTED[shop]
    assert one(unplanted, """SELECT count(*) FROM inventory_daily WHERE shop_id = ? AND sku_id = ? AND on_hand = 0""",
               shop, p.stockout_sku) == 0
    assert one(unplanted, """SELECT count(*) FROM order_items i JOIN orders o USING (shop_id, order_id)
                             WHERE i.shop_id = ? AND i.sku_id = ? AND o.paid_at >= ? AND o.paid_at < ?""",
               shop, p.stockout_sku, p.stockout_at, dt.datetime.combine(p.restocked_on, dt.time())) > 0
    figures = channel_figures(unplanted, shop, p.promo_id)
    spend, attributed, budget = figures[p.overspent_channel]
    assert attributed / spend > p.roi_target
    # within budget, unless the channels' budgets were cut to fit a promotion budget too small for
    # their planned spend (at this scale the targets come from a few months of history)
    cap = one(unplanted, "SELECT budget FROM promotions WHERE shop_id = ? AND promo_id = ?", shop, p.promo_id)
    cut = sum(b for _, _, b in figures.values()) >= cap - 100 * len(figures)
    assert cut or spend <= budget, f"spend {spend:.0f} > budget {budget:.0f}"
    assert redemption(unplanted, shop, p.promo_id) >= 0.15
