"""Deterministic demo warehouse: three shops, about two years of daily e-commerce data.

`build_demo_warehouse(path)` writes the canonical tables (``schemas.CONTRACTS``) for a Tmall
beauty shop, a JD furniture shop and a Douyin apparel shop into one DuckDB file. The same
arguments always give identical data: every random draw comes from a numpy Generator seeded by
(seed, shop, component), never from time, hashing or dict order. The catalogue (SKU ids, names,
prices, launches) is fixed per shop, so ``PLANTED`` holds for every seed and scale. Everything
per order is vectorised: ``orders_per_shop`` scales to millions (10 million orders in about a
minute, see benchmarks/generate_demo.py). ``shops=N`` takes the first N shops or, beyond three,
adds synthetic clones of them in turn for benchmarks at scale (``shops.shop_models``: shop_id
1004, 1005 ..., SKU prefixes AA, AB ..., customer prefixes aa, ab ..., their own random streams;
never planted, and left out of the team's tables), see benchmarks/batch.py; the three shops' rows
stay the same whatever the count.

This module is the public API; the modules below are the generator's machinery, in the order
the data come about (each one's docstring says how):

* ``shops.yaml`` / ``shops.py``: the shops as data (sub-categories, seasons, customers, funnel,
  campaigns), checked on load; nothing else branches on a shop.
* ``calendar.py``: the window, the promotions of every year, the demand index per day.
* ``catalog.py``: the products, each SKU's demand and price per day; ``shops``, ``products``.
* ``customers.py``: customers and their paid orders (when, time of day, source).
* ``orders.py``: order lines, payment, refunds, statuses, unpaid orders, ids; ``orders``,
  ``order_items``.
* ``daily.py``: the daily funnels, inventory, ads and customer service; the ``*_daily`` tables.
* ``targets.py``: ``targets`` and ``promotions``.
* ``promotions.py``: the promotion retrospective's tables (``promotion_phases``, ``promo_skus``,
  ``price_history``, ``coupons``, ``presale_orders``, ``promo_ad_budgets``).
* ``competitors.py``: the competitor teardown's tables (``competitors`` ... ``sku_matches``).
* ``staff.yaml`` / ``staff.py``: the appraisal's team and its tables (``staff`` ...
  ``appraisal_budgets``), built once after the shops (``build.TEAM_BUILDERS``).
* ``planted.py``: the weekly review's planted events and the functions that plant them;
  ``promo_planted.py``: the same for the promotion retrospective (``PROMO_PLANTED``);
  ``competitor_planted.py``: the competitor teardown's (``COMPETITOR_PLANTED``);
  ``staff_planted.py``: the appraisal's (``STAFF_PLANTED``).
* ``build.py``: the orchestrator; ``write.py``: the column types builders return and the
  (atomic) writing; ``sampling.py``: random streams and vectorised sampling.

Notes for report authors
------------------------
* ``orders``: every order has a ``source`` (one of SOURCES). Unpaid orders (~4.5%): paid_at NULL,
  paid_amount 0, status ``closed`` (or ``pending_payment`` if created in the last 24 h); they
  have no order_items. Paid orders: created_at 10 s to ~1 h before paid_at; status ``paid`` /
  ``shipped`` / ``completed`` by age at end_date, ``refunded`` iff refund_amount > 0 (then
  refunded_at is set, after paid_at, before the end of end_date), ``refunding`` = requested, not
  finished (refund_amount 0). ~80% of refunds are full, the rest partial; a category's refund
  is the order's refund spread over its items by amount.
* ``customer_id`` is per shop (tb/jd/dy, a clone's own two letters, + 8 digits); ``order_id`` = shop_id + yymmdd of
  creation + daily sequence; ``sku_id`` BT/FN/AP + 5 digits; ``agent_id`` <shop_id>-kfNN.
* ``shop_daily``: paid_amount / paid_orders / units / paid_buyers (distinct) / refund_amount are
  exactly those of the orders paid that day; order_buyers = distinct buyers who placed or paid
  an order that day; uv >= cart_users >= order_buyers >= paid_buyers.
* ``traffic_daily``: 7 rows a day; paid_amount sums to shop_daily's; a visitor can arrive through
  several sources, so the sources' uv add up to ~1.06 x the shop's uv.
* ``product_daily``: rows only where uv > 0; units / paid_amount / paid_buyers exactly from the
  order items; SKU conversion 2-8%. ``inventory_daily``: one row per listed SKU and day
  (from launch to discontinuation). ``ads_daily``: rows only for active campaigns.
  ``service_daily``: rows only for agents on duty.
* ``targets``: month gmv (+ new_customer_sales_share 0.30), quarter gmv (complete quarters) and
  new_customer_sales_share 0.35, week gmv / conversion_rate / roi / new_buyer_share, for every
  period of the data and the next one; set 4-12% above the trend (last year x recent trend).
* ``promotions``: events 618, 818, double11, double12 and shop_event in the window, plus the
  upcoming Double 12 after end_date.
* ``promotion_phases``: back to back from each promotion's start to its end (end_at = the next
  start - 1 s). 618 and Double 11 (pre-sale): warmup, deposit, balance (from the first wave,
  May 31 / Oct 31 20:00), burst (Jun 16-20 / Nov 10-13); shop events: warmup 3 days + burst 2 days;
  818 and Double 12: warmup until the peak day, burst on it. target_gmv: the promotion's target
  split by expected sales (rounded to 100); empty for deposit (not GMV until the balance is paid).
* ``promo_skus``: 20-40 SKUs for 618 / Double 11, 8-15 otherwise, on the shelf over the whole
  promotion, by popularity; promo_price 70-80% of list price (whole yuan, or the 30-day low when
  that is lower), always within the price rule except the planted two; stock_allocated 1.1-1.6x
  the units sold in the promotion, NULL for the upcoming one.
* ``price_history``: one row per listed SKU and day (the keys of ``inventory_daily``): the everyday
  price the orders are simulated at (list price x 1 / 0.95 / 0.9 per SKU, x the shop-wide
  promotion factor on promotion days), the promo_price on its promotions' days, ~3 short markdowns
  a year (1-3 days, 85-93%) outside promotions. Orders are not re-priced by it.
* ``coupons``: 2-4 threshold tiers (coupon_id <promo_id>-c1..) for each promotion that has started;
  threshold ~0.6-2.5x the shop's average order, 8-15% off; issued 1.2-2.5x the promotion's paid
  orders over the tiers, 15-45% redeemed.
* ``presale_orders`` (618 and Double 11): 30-40% of the orders paid in the first 4 hours of the
  balance phase (the first wave's evening), as they are in ``orders``, with a deposit (whole yuan,
  10-20% of the paid amount) paid on a full day of the deposit phase; balance_paid_at = paid_at,
  deposit + balance = paid_amount, quantity = units. Plus 8-15% deposits whose balance was never
  paid (not in ``orders``; order ids of the deposit's day numbered from 9000000).
* ``promo_ad_budgets``: per ad channel (as in ``ads_daily``) of every promotion inside the window
  that has ended: its planned spend over the promotion's days x 1.00-1.15, rounded up to 100 yuan;
  cut to fit when they add up to more than the promotion's budget.
* ``competitors`` / ``competitor_sets``: 4 competitors per shop (shops.yaml ``competition``), on
  the shop's platform and category; ``competitor_id`` = the shop name; tiers mostly ``same``, one
  ``above`` and one ``below``; added_on 450-900 days before end_date, never removed.
* ``competitor_daily``: every day of the window for each competitor and the shop itself
  (``competitor_id`` = ``schemas.OWN_SHOP``), all seven indices. INDEX values, never real ones:
  ``round(a * real ** b * lognormal(0.02))`` with the curves of ``competitors.INDEX_CURVES``
  (``real_of`` inverts them): trade_index of the paid amount (yuan), traffic_index of visitors,
  search_index of the search source's visitors, fav_index / cart_index of favouriting / carting
  users, buyer_index of paid buyers, conversion_index of paid buyers / visitors. The shop's own
  rows are the indices of its ``shop_daily`` (search: ``traffic_daily``) values of the day.
  Competitors: 0.6-1.8x the shop's visitors, the same market seasons (618, Double 11), their own
  momentum and noise.
* ``competitor_traffic``: the 7 SOURCES per day for each competitor and the shop (traffic curve
  of each source's visitors; the shop's from ``traffic_daily``); each competitor has its own mix.
* ``competitor_products``: 30-60 products per competitor over the shop's sub-categories
  (``category``), a row per day listed (1-3 launched and 1-2 delisted per competitor in the end
  date's month): everyday ``price`` (rare changes), ``promo_price`` = price x (1 - depth) in whole
  yuan on its promotions' days (NULL otherwise), ``monthly_sales`` = units of the trailing 30
  days, ``sales_index`` NULL, ``rating`` 4.5-4.9 (2 decimals, slowly moving), ``reviews``
  cumulative. ``product_id`` = the platform's item id (digits).
* ``competitor_promos``: each competitor joins 618 and Double 11 on the shop's dates (depth
  0.15-0.35) and runs 2-4 events of its own a year (3-7 days, 0.05-0.25); mechanic 满减 / 直降 /
  券 / 赠品. A product joins 50-95% of its competitor's promotions.
* ``competitor_reviews``: bad reviews per competitor, day and tag (4-5 of the category's tags),
  ~2% of the units sold 7-35 days before; a row only where the count is at least 1 (no row: none).
* ``sku_matches``: 10-15 of the shop's best sellers each matched to a product of 1-2 competitors
  (same sub-category, type and variant, price ~ ours x the competitor's price position).

Planted events (``plant_events=True``) are described in ``PLANTED`` / ``planted_events()``; all
of them in the last complete ISO week (2026-W47 for the default end date):
a top-5 SKU's conversion 5% -> 2%, a top-10 SKU sold out from the Wednesday, one sub-category
refunded at ~27.5% (vs ~5%), one campaign's ROI 4 -> ~1.35 (below the category target), and a
dormant-share rise of >= 3 points over 4 weeks; plus six products under test, two of them
potential hits (fav+cart rate >= 8% in their first 3 days).

The promotion retrospective's planted events (``PROMO_PLANTED[shop_id]``, a `PromoPlanted`;
``promo_planted_events()``; described in ``promo_planted.py``) are all in the last Double 11 of each
shop (2026-double11 for the default end date; they do not depend on seed, scale or days): two
price-rule violations (``price_above_daily_sku``, ``price_above_low_sku``), a top-5 promoted SKU
sold out from noon on D-day until Nov 14 (``stockout_sku``), an ad channel over its budget and
below its ROI target until Nov 8 (``overspent_channel``), a 30% pull-forward dip in the 5 days
before the start, a first evening 60% short (more than 30% behind its pace), and coupons
redeemed at 5-7% (at most half the previous promotion's rate). Every other promoted SKU of every
promotion keeps the price rule. In the weekly review's weeks (W46-W47) the orders differ from a
build without these plants only in the sold-out SKU's lines of Nov 11-13; visitors, funnels and
stock there are drawn anew from the same model (the dip shifts the draws that follow it).

The competitor teardown's planted events (``COMPETITOR_PLANTED[shop_id]``, a `CompetitorPlanted`;
``competitor_planted_events()``; described in ``competitor_planted.py``), each in another
competitor, only in the competitor tables: the product matched to the weekly review's
conversion-drop SKU cut ~20% on 2026-11-16 (``price_cut``); one competitor's paid share of
visitors 15% -> 35% from 2026-11-01 (``paid_shift``); an undercut promotion at depth 0.40 from
2026-11-12 to 11-15, across the end of the shop's Double 11 (``undercut_promo``); a wave of bad
reviews on one tag (x8, Nov 2-8) and ratings 4.8 -> 4.5 from Nov 5 (``rating_drop``).

The appraisal's team (``staff.yaml``, team ``ops-east``; described in ``staff.py``): a director
(role ``director``, not appraised: no assignments, targets, budgets, ratings or events), seven
``shop_operator``s and two ``ad_specialist``s, with a history from the first day of the quarter three
before the last complete quarter (2025-10-01) to the end; a period is written only when it starts
inside the data window. ``staff_assignments``: shares add up to 1 per role, shop (or sub-category)
and day; the operators split 0071 by sub-category (面部护理 E002, 彩妆 + 香水 E003, 身体护理
E004), co-own 0142 (E005 / E006, 0.5 each) and hand 0388 over (E007 until 2026-08-15, then leaves;
E008 from 2026-08-16); each ad specialist runs whole shops (E009 0071 + 0142, E010 0388). Credited
sales = share x the shop's GMV (orders by paid_at day) or the sub-category's order items' paid
amount, on the assignment's days. ``staff_targets``: monthly sales_amount (credited sales / a drawn
completion, whole hundreds of yuan) and quarterly (the sum of its months) for the people with own
targets, to the end of the current quarter (the rest of it projected); E006 and the ad specialists
use their shops' ``targets``; roi / new_customer_sales_share where they differ from the shop's.
``industry_benchmarks``: per shop category and month / quarter (to date): conversion_rate near the
shop's own, repurchase_rate (beauty and apparel only), market_growth. ``appraisal_ratings``: per
complete quarter and partner team (设计 / 客服 / 供应链), 60-95. ``appraisal_budgets``: per month:
spend = the credited ads_daily spend, budget ~ spend / 0.90-1.05. ``appraisal_events``: late
responses in the 618 and Double 11 preparation, incident delays, violations, documents, innovations,
cost savings. ``appraisal_snapshots`` and ``appraisal_rescores`` stay empty: the appraisal writes
them when it closes a period.

The appraisal's planted cases (``STAFF_PLANTED``, a `StaffPlanted`; ``staff_planted_events()``;
described in ``staff_planted.py``), only in the team's tables: sales completion exactly 90% (E008)
and 120% (E005) in 2026-10 (54 and 70 points); a compliance violation with a platform penalty (E006,
2026-10-14); E004 far below 60 in 2026-Q2 and 2026-Q3 (at most 32 points however the data rules are
read); E002 at least 88 and first of the team in 2026-Q3; E003 8% over budget in 2026-10; the 0388
handover in 2026-Q3.

Adding a report family's demo data
----------------------------------
A family (promotion retrospective, competitor teardown, appraisal) keeps its demo data in one
module of its own here, e.g. ``demo/promotions.py``, holding:

* its tables: ``tables(sim: build.SimulatedShop) -> dict[str, write.Columns]``, the rows of each
  of its canonical tables for one shop, as column -> values (list, numpy or pyarrow array;
  ``write.Cents`` for money kept in integer cents; ``write.dates`` / ``stamps`` / ``labels`` /
  ``fixed_ids`` build the usual columns) or as a pandas DataFrame. ``shop_id`` is filled in and
  the columns are checked against the table's contract. It reads what is already simulated
  (``sim.demand.promos``, ``sim.catalog``, ``sim.orders``, ``sim.daily`` ...) and draws anything
  new from streams of its own, ``sampling.stream(sim.seed, sim.model.index, "<family>-<part>")``,
  so that no other table changes;
* its planted events: frozen dataclasses describing them and a function like `planted_events`
  returning them per shop; they are planted in its own tables when ``sim.plan.active``
  (``plant_events=True``). Events that other tables must show as well (fewer orders, an empty
  shelf, overspent ads) are chosen into the shop's ``planted.Plan`` and planted where those tables
  are simulated, as the weekly review's are (see ``promo_planted.py``, ``Plan.promo``).

A family whose tables describe a team rather than a shop (the appraisal) adds a
``build.TeamBuilder`` to ``build.TEAM_BUILDERS`` instead: ``collect(sim)`` keeps what it reads of each
shop (sums per day, so that one simulated shop is held at a time), ``tables(kept)`` returns its rows
once, after the last shop; no shop_id is filled in (``write.insert(con, name, None, rows)``).

It is wired in with one entry in ``build.TABLE_BUILDERS`` (its tables need contracts in
``schemas.CONTRACTS``; every contract gets a table in the file) and by exporting its public
names here. Per-shop values that are data (names, rates) go into ``shops.yaml``, each with a
field in ``shops.ShopModel``.
"""

from .build import build_demo_warehouse
from .calendar import DEMO_END_DATE
from .competitor_planted import (
    COMPETITOR_PLANTED,
    CompetitorPlanted,
    PaidShift,
    PriceCut,
    RatingDrop,
    UndercutPromo,
    competitor_planted_events,
)
from .competitors import INDEX_CURVES
from .planted import (
    PLANTED,
    ConversionDrop,
    DormantSurge,
    NewProducts,
    PlantedEvents,
    RefundSpike,
    RoiDrop,
    Stockout,
    planted_events,
)
from .promo_planted import PROMO_PLANTED, PromoPlanted, promo_planted_events
from .shops import DEMO_SHOPS, SOURCES, DemoShop
from .staff import TEAM
from .staff_planted import (
    STAFF_PLANTED,
    BudgetOverrun,
    ExactCompletion,
    Handover,
    PenaltyViolation,
    QuarterCase,
    RulePoints,
    StaffPlanted,
    staff_planted_events,
)

__all__ = [
    "DEMO_END_DATE",
    "DEMO_SHOPS",
    "DemoShop",
    "PLANTED",
    "PlantedEvents",
    "ConversionDrop",
    "Stockout",
    "RefundSpike",
    "RoiDrop",
    "DormantSurge",
    "NewProducts",
    "PROMO_PLANTED",
    "PromoPlanted",
    "promo_planted_events",
    "COMPETITOR_PLANTED",
    "CompetitorPlanted",
    "PriceCut",
    "PaidShift",
    "UndercutPromo",
    "RatingDrop",
    "competitor_planted_events",
    "INDEX_CURVES",
    "TEAM",
    "STAFF_PLANTED",
    "StaffPlanted",
    "ExactCompletion",
    "PenaltyViolation",
    "QuarterCase",
    "RulePoints",
    "BudgetOverrun",
    "Handover",
    "staff_planted_events",
    "SOURCES",
    "build_demo_warehouse",
    "planted_events",
]
