"""Deterministic demo warehouse: three shops, about two years of daily e-commerce data.

`build_demo_warehouse(path)` writes the 12 canonical tables (``schemas.CONTRACTS``) for a Tmall
beauty shop, a JD furniture shop and a Douyin apparel shop into one DuckDB file. The same
arguments always give identical data: every random draw comes from a numpy Generator seeded by
(seed, shop, component), never from time, hashing or dict order. The catalogue (SKU ids, names,
prices, launches) is fixed per shop, so ``PLANTED`` holds for every seed and scale. Everything
per order is vectorised: ``orders_per_shop`` scales to millions (10 million orders in about a
minute, see benchmarks/generate_demo.py).

How the data come about (per shop)
----------------------------------
* Demand index per day: weekly pattern x yearly pattern (category specific, Spring Festival dip)
  x promotions (618 with warm-up from May 20 and first wave May 31 20:00, 818 in August,
  Double 11 with pre-sale from Oct 20 and first wave Oct 31 20:00, Double 12, two 5-day shop
  events a year) x AR(1) noise.
* Customers: acquired at a rate that grows year on year and follows the demand index; each has a
  gamma-distributed purchase rate and an exponential lifetime; repeat orders are a Poisson
  (renewal) process in "demand time", so promotions lift repeat buying too. Customers acquired
  during a five-year burn-in before the window supply the returning buyers of the first months.
* Orders: time of day from an hourly profile (midnight rush on 6.18 and 11.11, 20:00 launches),
  a traffic source (returning buyers come more often "direct"), 1-3 order lines with a
  Pareto-like SKU choice (top 20% of SKUs ~80% of GMV) following launches, discontinuations and
  sub-category seasons (coats in winter, T-shirts in summer). Promotion prices are 75-92% of
  the everyday price. Amounts are integer cents underneath, so sums match to the cent.
* Refunds: requested 0-1 day (cancellations) or days-weeks (returns) after payment; finished
  ones are ``refunded``, unfinished ones ``refunding`` - so refunds of the last ~2 weeks are
  immature, as in real platform data.
* Daily tables are derived from the orders (paid amounts, buyers, units are exact) plus funnel
  counts drawn around them (UV from conversion rates by source / SKU, cart and favourite users).
* Inventory from a periodic-review (order-up-to) simulation driven by the units actually sold.

Notes for report authors
------------------------
* ``orders``: every order has a ``source`` (one of SOURCES). Unpaid orders (~4.5%): paid_at NULL,
  paid_amount 0, status ``closed`` (or ``pending_payment`` if created in the last 24 h); they
  have no order_items. Paid orders: created_at 10 s to ~1 h before paid_at; status ``paid`` /
  ``shipped`` / ``completed`` by age at end_date, ``refunded`` iff refund_amount > 0 (then
  refunded_at is set, after paid_at, before the end of end_date), ``refunding`` = requested, not
  finished (refund_amount 0). ~80% of refunds are full, the rest partial; a category's refund
  is the order's refund spread over its items by amount.
* ``customer_id`` is per shop (tb/jd/dy + 8 digits); ``order_id`` = shop_id + yymmdd of
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

Planted events (``plant_events=True``) are described in ``PLANTED`` / ``planted_events()``; all
of them in the last complete ISO week (2026-W47 for the default end date):
a top-5 SKU's conversion 5% -> 2%, a top-10 SKU sold out from the Wednesday, one sub-category
refunded at ~27.5% (vs ~5%), one campaign's ROI 4 -> ~1.35 (below the category target), and a
dormant-share rise of >= 3 points over 4 weeks; plus six products under test, two of them
potential hits (fav+cart rate >= 8% in their first 3 days).
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from .. import schemas
from .store import new_warehouse_file, sql_type

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
    "SOURCES",
    "build_demo_warehouse",
    "planted_events",
]

DEMO_END_DATE = dt.date(2026, 11, 22)  # a Sunday: ISO week 2026-W47 (Nov 16-22) is the last complete week
SOURCES = ("search", "recommendation", "paid_ads", "live_stream", "short_video", "direct", "external")
ORDER_STATUSES = tuple(schemas.ORDER_STATUSES)

_BURN_DAYS = 5 * 365  # customers acquired this long before the window still buy in it
_FUTURE_DAYS = 75  # demand index beyond end_date: next month's targets, the upcoming promotion
_CATALOG_SEED = 7_110_388  # the catalogue (SKU ids, names, prices) does not depend on `seed`
_DAY_US = 86_400_000_000


# ================================================================================================
# Shops and planted events (public)
# ================================================================================================


@dataclass(frozen=True)
class DemoShop:
    shop_id: str
    name: str
    platform: str
    category: str
    currency: str = "CNY"


DEMO_SHOPS: list[DemoShop] = [
    DemoShop("0071", "悦颜美妆天猫旗舰店", "tmall", "beauty"),
    DemoShop("0142", "栖木家居京东旗舰店", "jd", "furniture"),
    DemoShop("0388", "潮汐服饰抖音旗舰店", "douyin", "apparel"),
]


@dataclass(frozen=True)
class ConversionDrop:
    """A top-5 SKU whose conversion (product_daily paid_buyers / uv) falls in the planted week."""

    sku_id: str
    product_name: str
    category: str
    baseline_rate: float  # each of the 4 weeks before the planted week
    planted_rate: float  # the planted week; UV stays as it was
    baseline_weeks: tuple[str, ...]


@dataclass(frozen=True)
class Stockout:
    """A top-10 SKU that sells normally, then ends ``stockout_date`` with on_hand 0 (in_transit 0)
    and stays at 0 to end_date; it sells nothing after that day."""

    sku_id: str
    product_name: str
    category: str
    stockout_date: dt.date


@dataclass(frozen=True)
class RefundSpike:
    """Orders paid in the planted week with items of ``category`` are refunded at ~planted_rate
    (amount based, an order's refund spread over its items by amount), 1-5 days after payment
    and before end_date; ~baseline_rate before."""

    category: str
    baseline_rate: float
    planted_rate: float


@dataclass(frozen=True)
class RoiDrop:
    """An ad campaign with solid spend whose ROI (attributed_amount / spend) drops below target."""

    channel: str
    campaign: str
    baseline_roi: float
    planted_roi: float
    roi_target: float  # the category's ROI target (beauty 3, furniture 2.5, apparel 2)


@dataclass(frozen=True)
class DormantSurge:
    """The dormant share rises by at least ``min_rise`` between ``compare_to`` and ``as_of``.

    Dormant share at the end of day T: among customers with >= 1 paid order in the
    ``base_days`` days up to T, those whose last paid order is more than ``dormant_days`` before
    T. Planted as (1) returning buyers' orders falling from ``returning_drop_from`` (win-back
    orders of lapsed buyers almost vanish in the last 4 weeks) and (2) a one-off summer
    acquisition cohort (``cohort_start``..``cohort_end``) of buyers who never come back.
    """

    as_of: dt.date
    compare_to: dt.date
    min_rise: float
    dormant_days: int
    base_days: int
    returning_drop_from: dt.date
    cohort_start: dt.date
    cohort_end: dt.date


@dataclass(frozen=True)
class NewProducts:
    """Products launched in the last weeks; ``potential_hits`` reach a fav+cart rate of
    >= hit_rate in their first 3 days, the others stay well below."""

    sku_ids: tuple[str, ...]
    potential_hits: tuple[str, ...]
    hit_rate: float


@dataclass(frozen=True)
class PlantedEvents:
    shop_id: str
    week: str  # ISO label of the planted week, e.g. 2026-W47
    week_start: dt.date
    week_end: dt.date
    conversion_drop: ConversionDrop
    stockout: Stockout
    refund_spike: RefundSpike
    roi_drop: RoiDrop
    dormant_surge: DormantSurge
    new_products: NewProducts


# ================================================================================================
# Shop models (private): everything that differs between the three demo shops
# ================================================================================================


@dataclass(frozen=True)
class _SubCategory:
    name: str
    sku_share: float
    price: tuple[float, float]
    cost_ratio: tuple[float, float]
    qty_p: tuple[float, float, float, float]  # P(quantity = 1, 2, 3, 4) per order line
    refund_rate: float  # amount-based refund rate (mature)
    season: tuple[float, ...]  # 12 monthly demand factors
    series: tuple[str, ...]
    types: tuple[str, ...]
    variants: tuple[str, ...]


@dataclass(frozen=True)
class _Campaign:
    channel: str
    name: str
    share: float  # of the shop's ad spend
    cpc: float
    ctr: float
    active: str = "always"  # always | promo | recent:<days>


@dataclass(frozen=True)
class _ShopModel:
    shop: DemoShop
    index: int
    brand: str
    sku_prefix: str
    customer_prefix: str
    n_skus: int
    subcats: tuple[_SubCategory, ...]
    round_to: int  # list prices end in 9 at this step (10 -> 199, 100 -> 2999)
    # demand
    month_factors: tuple[float, ...]
    weekday_factors: tuple[float, ...]  # Monday .. Sunday
    growth: float  # yearly growth of customer acquisition
    shop_events: tuple[tuple[str, int, int], ...]  # (name, month, first day) of 5-day events
    promo_names: dict
    # customers
    repeat_rate: float  # mean repeat orders per year of an active customer
    repeat_shape: float  # gamma shape of the rate (heterogeneity)
    lifetime_days: float  # mean active lifetime
    lines_p: tuple[float, float, float]  # P(1, 2, 3 order lines)
    # funnel
    conversion: float  # shop conversion (paid buyers / uv) on an ordinary day
    source_share: tuple[float, ...]  # orders of new buyers by source (SOURCES order)
    inquiry_rate: float  # consultations per visitor
    agents: int
    inquiry_conversion: float
    ship_days: tuple[float, float]
    settle_days: tuple[float, float]
    refund_request_days: tuple[float, float]
    # ads
    ad_spend_ratio: float
    roi_target: float
    campaigns: tuple[_Campaign, ...]
    planted_campaign: tuple[str, str]
    spike_category: str


_SOURCE_CONVERSION = np.array([1.25, 0.55, 0.9, 1.35, 0.6, 2.2, 0.45])  # relative, by SOURCES
_SOURCE_PAGES = np.array([4.2, 2.8, 3.0, 1.6, 1.5, 5.5, 2.0])
_SOURCE_FAV = np.array([1.0, 0.9, 0.8, 0.6, 0.7, 1.8, 0.7])
_FLAT = (1.0,) * 12

_BEAUTY = _ShopModel(
    shop=DEMO_SHOPS[0], index=0, brand="悦颜", sku_prefix="BT", customer_prefix="tb", n_skus=220,
    subcats=(
        _SubCategory("面部护理", 0.40, (99, 699), (0.22, 0.35), (0.80, 0.15, 0.05, 0.0), 0.030, _FLAT,
                     ("水光", "焕颜", "极润", "臻享", "清透"),
                     ("玻尿酸补水精华液", "烟酰胺亮肤精华", "视黄醇紧致面霜", "氨基酸洁面乳", "舒缓修护爽肤水",
                      "水光保湿乳液", "玻色因抗皱眼霜", "补水修护面膜", "清透防晒霜", "胶原蛋白次抛精华"),
                     ("30ml", "50ml", "100ml", "旅行装", "礼盒装")),
        _SubCategory("彩妆", 0.30, (69, 399), (0.20, 0.32), (0.85, 0.12, 0.03, 0.0), 0.050, _FLAT,
                     ("柔雾", "星光", "丝绒", "奶油"),
                     ("哑光口红", "水光唇釉", "持妆粉底液", "轻薄气垫BB霜", "十二色眼影盘", "防水眼线笔",
                      "控油定妆散粉", "自然腮红", "纤长睫毛膏", "双头眉笔"),
                     ("#01 正红", "#02 豆沙", "#03 枫叶", "#04 奶茶", "#05 蜜桃", "自然色", "象牙白")),
        _SubCategory("香水", 0.12, (199, 999), (0.18, 0.30), (0.95, 0.05, 0.0, 0.0), 0.025, _FLAT,
                     ("晨曦", "暮光", "花园", "海岸"),
                     ("花果调淡香水", "木质调浓香水", "白茶香氛", "玫瑰香水礼盒", "栀子花淡香水", "海洋调男士香水"),
                     ("30ml", "50ml", "100ml", "小样套装")),
        _SubCategory("身体护理", 0.18, (39, 199), (0.25, 0.40), (0.70, 0.20, 0.10, 0.0), 0.030,
                     (1.15, 1.1, 1.0, 0.95, 0.9, 0.85, 0.85, 0.9, 0.95, 1.0, 1.1, 1.2),
                     ("清新", "滋润", "香氛", "植萃"),
                     ("烟酰胺身体乳", "氨基酸沐浴露", "香氛护手霜", "海盐磨砂膏", "滋润润唇膏", "控油洗发水"),
                     ("200ml", "400ml", "三支装", "家庭装")),
    ),
    round_to=10,
    month_factors=(0.95, 0.85, 1.10, 1.0, 1.0, 1.0, 0.92, 0.92, 0.98, 1.02, 1.08, 1.10),
    weekday_factors=(0.96, 0.95, 0.96, 0.98, 1.01, 1.07, 1.07),
    growth=1.18,
    shop_events=(("38女神节", 3, 4), ("品牌周年庆", 9, 16)),
    promo_names={"618": "天猫618", "818": "天猫88会员节", "double11": "天猫双11全球狂欢季", "double12": "天猫双12"},
    repeat_rate=1.25, repeat_shape=0.5, lifetime_days=720, lines_p=(0.62, 0.26, 0.12),
    conversion=0.042,
    source_share=(0.34, 0.20, 0.17, 0.10, 0.06, 0.09, 0.04),
    inquiry_rate=0.012, agents=8, inquiry_conversion=0.45,
    ship_days=(0.1, 2.0), settle_days=(3.0, 12.0), refund_request_days=(2.0, 14.0),
    ad_spend_ratio=0.085, roi_target=3.0,
    campaigns=(
        _Campaign("直通车", "核心词-玻尿酸精华", 0.16, 2.1, 0.038),
        _Campaign("直通车", "品牌词-悦颜", 0.06, 1.2, 0.050),
        _Campaign("直通车", "彩妆拓词", 0.08, 1.6, 0.028),
        _Campaign("万相台", "货品加速-爆款精华", 0.22, 1.4, 0.020),
        _Campaign("万相台", "拉新快-新客", 0.12, 1.1, 0.016),
        _Campaign("万相台", "上新快-新品", 0.06, 1.2, 0.018, "recent:90"),
        _Campaign("引力魔方", "人群拉新-美妆兴趣", 0.14, 0.9, 0.012),
        _Campaign("引力魔方", "老客召回", 0.08, 0.8, 0.015),
        _Campaign("引力魔方", "大促蓄水", 0.08, 1.0, 0.014, "promo"),
    ),
    planted_campaign=("万相台", "货品加速-爆款精华"),
    spike_category="彩妆",
)

_FURNITURE = _ShopModel(
    shop=DEMO_SHOPS[1], index=1, brand="栖木", sku_prefix="FN", customer_prefix="jd", n_skus=160,
    subcats=(
        _SubCategory("沙发", 0.25, (1999, 12999), (0.45, 0.60), (1.0, 0.0, 0.0, 0.0), 0.050, _FLAT,
                     ("北欧", "奶油风", "意式极简", "原木"),
                     ("布艺沙发", "真皮沙发", "科技布沙发", "小户型双人沙发", "懒人沙发", "功能电动沙发", "云朵沙发"),
                     ("三人位", "双人位", "转角组合", "四人位", "单人位")),
        _SubCategory("床", 0.25, (999, 8999), (0.45, 0.60), (0.97, 0.03, 0.0, 0.0), 0.045, _FLAT,
                     ("北欧", "奶油风", "意式极简", "原木"),
                     ("实木双人床", "悬浮床", "软包婚床", "儿童床", "榻榻米床", "乳胶床垫", "独立弹簧床垫"),
                     ("1.5m", "1.8m", "1.2m", "2.0m")),
        _SubCategory("餐桌椅", 0.22, (399, 5999), (0.42, 0.58), (0.60, 0.20, 0.05, 0.15), 0.060, _FLAT,
                     ("北欧", "奶油风", "意式极简", "原木"),
                     ("岩板餐桌", "实木餐桌", "伸缩圆餐桌", "软包餐椅", "吧台椅", "客厅茶几"),
                     ("一桌四椅", "一桌六椅", "单桌", "两把装", "1.4m", "1.6m")),
        _SubCategory("收纳", 0.28, (89, 2999), (0.40, 0.55), (0.80, 0.15, 0.05, 0.0), 0.040, _FLAT,
                     ("北欧", "奶油风", "简约", "原木"),
                     ("推拉门衣柜", "超薄鞋柜", "落地书架", "床头柜", "电视柜", "多层收纳柜", "抽屉储物箱"),
                     ("两门", "三门", "四层", "白色", "原木色", "胡桃色")),
    ),
    round_to=100,
    month_factors=(0.85, 0.70, 1.15, 1.15, 1.05, 0.95, 0.85, 0.90, 1.10, 1.10, 1.05, 0.95),
    weekday_factors=(0.94, 0.93, 0.94, 0.96, 1.0, 1.12, 1.14),
    growth=1.10,
    shop_events=(("春季家装节", 3, 11), ("暑期焕新节", 8, 20)),
    promo_names={"618": "京东618", "818": "京东818", "double11": "京东11.11", "double12": "京东12.12"},
    repeat_rate=0.40, repeat_shape=0.5, lifetime_days=540, lines_p=(0.88, 0.10, 0.02),
    conversion=0.021,
    source_share=(0.40, 0.16, 0.20, 0.04, 0.03, 0.11, 0.06),
    inquiry_rate=0.045, agents=6, inquiry_conversion=0.30,
    ship_days=(1.0, 5.0), settle_days=(7.0, 20.0), refund_request_days=(3.0, 25.0),
    ad_spend_ratio=0.06, roi_target=2.5,
    campaigns=(
        _Campaign("京东快车", "核心关键词-沙发", 0.24, 3.6, 0.030),
        _Campaign("京东快车", "品牌词-栖木", 0.06, 1.8, 0.045),
        _Campaign("京东快车", "床垫拓词", 0.12, 3.0, 0.025),
        _Campaign("京准通-购物触点", "首页推荐-拉新", 0.16, 2.2, 0.014),
        _Campaign("京准通-购物触点", "猜你喜欢-重定向", 0.12, 1.9, 0.020),
        _Campaign("京东海投", "海投-智能出价", 0.18, 1.5, 0.012),
        _Campaign("京东海投", "海投-大促冲量", 0.12, 1.7, 0.013, "promo"),
    ),
    planted_campaign=("京东快车", "核心关键词-沙发"),
    spike_category="沙发",
)

_APPAREL = _ShopModel(
    shop=DEMO_SHOPS[2], index=2, brand="潮汐", sku_prefix="AP", customer_prefix="dy", n_skus=280,
    subcats=(
        _SubCategory("T恤", 0.26, (49, 199), (0.28, 0.40), (0.75, 0.18, 0.07, 0.0), 0.060,
                     (0.45, 0.5, 0.8, 1.2, 1.6, 1.8, 1.8, 1.6, 1.1, 0.7, 0.5, 0.45),
                     ("基础款", "设计师款", "2026新款", "情侣款"),
                     ("纯棉圆领T恤", "宽松落肩T恤", "印花短袖T恤", "冰丝速干T恤", "长袖打底T恤", "翻领Polo衫"),
                     ("白色", "黑色", "灰色", "藏青", "杏色")),
        _SubCategory("连衣裙", 0.24, (129, 599), (0.28, 0.42), (0.92, 0.08, 0.0, 0.0), 0.050,
                     (0.7, 0.75, 1.0, 1.25, 1.4, 1.45, 1.35, 1.2, 1.0, 0.85, 0.75, 0.75),
                     ("法式", "复古", "通勤", "度假"),
                     ("碎花连衣裙", "针织连衣裙", "衬衫式连衣裙", "吊带连衣裙", "丝绒连衣裙", "收腰小黑裙"),
                     ("黑色", "米白", "雾霾蓝", "酒红", "碎花")),
        _SubCategory("外套", 0.28, (199, 1299), (0.30, 0.45), (0.95, 0.05, 0.0, 0.0), 0.070,
                     (1.6, 1.2, 0.9, 0.6, 0.35, 0.25, 0.25, 0.35, 0.8, 1.4, 1.8, 1.9),
                     ("经典", "轻奢", "2026冬季", "通勤"),
                     ("羊毛双面呢大衣", "短款羽绒服", "长款羽绒服", "牛仔夹克", "双排扣风衣", "摇粒绒外套", "西装外套"),
                     ("黑色", "驼色", "燕麦色", "藏青", "灰色")),
        _SubCategory("裤装", 0.22, (79, 399), (0.28, 0.40), (0.85, 0.12, 0.03, 0.0), 0.065, _FLAT,
                     ("显瘦", "垂感", "百搭", "加绒"),
                     ("高腰阔腿裤", "直筒牛仔裤", "休闲西裤", "运动卫裤", "打底裤", "工装裤"),
                     ("黑色", "浅蓝", "卡其", "灰色")),
    ),
    round_to=10,
    month_factors=(1.0, 0.85, 1.05, 1.0, 0.95, 0.9, 0.85, 0.9, 1.05, 1.15, 1.15, 1.10),
    weekday_factors=(0.95, 0.95, 0.96, 0.98, 1.02, 1.07, 1.07),
    growth=1.22,
    shop_events=(("春季上新节", 3, 20), ("七夕品牌粉丝节", 8, 20)),
    promo_names={"618": "抖音618好物节", "818": "抖音818新潮好物节", "double11": "抖音双11好物节", "double12": "抖音双12年终盛典"},
    repeat_rate=0.85, repeat_shape=0.5, lifetime_days=600, lines_p=(0.68, 0.22, 0.10),
    conversion=0.032,
    source_share=(0.08, 0.12, 0.12, 0.38, 0.24, 0.04, 0.02),
    inquiry_rate=0.018, agents=10, inquiry_conversion=0.40,
    ship_days=(0.2, 2.5), settle_days=(3.0, 10.0), refund_request_days=(2.0, 12.0),
    ad_spend_ratio=0.11, roi_target=2.0,
    campaigns=(
        _Campaign("巨量千川-商品推广", "爆款外套-短视频引流", 0.18, 1.1, 0.022),
        _Campaign("巨量千川-商品推广", "连衣裙-商品卡", 0.10, 0.9, 0.020),
        _Campaign("巨量千川-商品推广", "新品测款", 0.06, 1.0, 0.018, "recent:60"),
        _Campaign("巨量千川-直播推广", "日常直播间-成交", 0.24, 0.9, 0.030),
        _Campaign("巨量千川-直播推广", "大促直播-冲量", 0.12, 1.0, 0.028, "promo"),
        _Campaign("巨量千川-直播推广", "直播间-涨粉", 0.08, 0.7, 0.025),
        _Campaign("随心推", "短视频加热", 0.12, 0.6, 0.035),
        _Campaign("随心推", "直播加热", 0.10, 0.55, 0.040),
    ),
    planted_campaign=("巨量千川-直播推广", "日常直播间-成交"),
    spike_category="连衣裙",
)

_MODELS: tuple[_ShopModel, ...] = (_BEAUTY, _FURNITURE, _APPAREL)

# planted magnitudes
_CONV_BASELINE, _CONV_PLANTED = 0.05, 0.02
_REFUND_BASELINE, _REFUND_PLANTED = 0.05, 0.275
_ROI_BASELINE, _ROI_PLANTED = 4.0, 1.35
_DORMANT_TARGET_RISE, _DORMANT_MIN_RISE = 0.033, 0.03
_NEW_PRODUCT_DAYS_AGO = (26, 19, 13, 9, 6, 4)  # launches before end_date; two of them are potential hits
_NEW_PRODUCT_HITS = (13, 4)
_HIT_RATE = 0.08


def _rng(seed: int, shop: int, part: str) -> np.random.Generator:
    """An independent, reproducible stream per (seed, shop, component)."""
    return np.random.default_rng([seed, shop, zlib.crc32(part.encode())])


# ================================================================================================
# Calendar and demand
# ================================================================================================


@dataclass(frozen=True)
class _Calendar:
    start: dt.date
    end: dt.date
    days: int
    week_start: dt.date  # the planted week: last complete ISO week up to end
    week_end: dt.date
    ext_start: dt.date  # start - _BURN_DAYS

    @classmethod
    def make(cls, end: dt.date, days: int) -> "_Calendar":
        week_end = end - dt.timedelta(days=end.isoweekday() % 7)
        return cls(
            start=end - dt.timedelta(days=days - 1), end=end, days=days,
            week_start=week_end - dt.timedelta(days=6), week_end=week_end,
            ext_start=end - dt.timedelta(days=days - 1 + _BURN_DAYS),
        )

    @property
    def burn(self) -> int:
        return _BURN_DAYS

    @property
    def n_ext(self) -> int:
        return _BURN_DAYS + self.days + _FUTURE_DAYS

    def ext_dates(self) -> np.ndarray:
        return np.datetime64(self.ext_start, "D") + np.arange(self.n_ext)

    def win(self, day: dt.date) -> int:
        """Window index of ``day`` (0 = start)."""
        return (day - self.start).days

    def week_label(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


_SPRING_FESTIVAL = {
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
    2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
}


@dataclass(frozen=True)
class _Promo:
    promo_id: str
    name: str
    event: str
    start_at: dt.datetime
    end_at: dt.datetime
    days: tuple[tuple[dt.date, float, float], ...]  # (day, demand multiplier, price factor)


def _promotions(model: _ShopModel, first_year: int, last_year: int) -> list[_Promo]:
    """Platform promotions and shop events of every year in [first_year, last_year]."""
    sid = model.shop.shop_id
    out = []
    for y in range(first_year, last_year + 1):
        d = dt.date
        schedule = []
        # 618: warm-up / pre-sale from May 20, first wave May 31 20:00, peak June 18
        schedule += [(d(y, 5, k), 1.2, 0.92) for k in range(20, 31)]
        schedule += [(d(y, 5, 31), 1.9, 0.8), (d(y, 6, 1), 2.2, 0.78), (d(y, 6, 2), 1.7, 0.8), (d(y, 6, 3), 1.5, 0.82)]
        schedule += [(d(y, 6, k), 1.25, 0.85) for k in range(4, 16)]
        schedule += [(d(y, 6, 16), 1.5, 0.8), (d(y, 6, 17), 2.0, 0.78), (d(y, 6, 18), 5.0, 0.75),
                     (d(y, 6, 19), 1.5, 0.82), (d(y, 6, 20), 1.2, 0.88)]
        out.append(_Promo(f"{sid}-{y}-618", f"{y}{model.promo_names['618']}", "618",
                          dt.datetime(y, 5, 20, 20), dt.datetime(y, 6, 20, 23, 59, 59), tuple(schedule)))
        after = tuple((d(y, 6, k), 0.88, 1.0) for k in range(21, 28))
        out.append(_Promo("", "", "_after", dt.datetime(y, 6, 21), dt.datetime(y, 6, 27), after))
        # 818 mid-year festival (JD 818, Douyin 818, Tmall 88): ten days of deals, peak Aug 18
        schedule = tuple((d(y, 8, k), 1.25, 0.9) for k in range(8, 18)) + ((d(y, 8, 18), 2.6, 0.8),)
        out.append(_Promo(f"{sid}-{y}-818", f"{y}{model.promo_names['818']}", "818",
                          dt.datetime(y, 8, 8), dt.datetime(y, 8, 18, 23, 59, 59), schedule))
        # Double 11: pre-sale from Oct 20, first wave Oct 31 20:00, peak Nov 11, encore to Nov 13
        schedule = [(d(y, 10, k), 1.15, 0.92) for k in range(20, 31)]
        schedule += [(d(y, 10, 31), 2.6, 0.8), (d(y, 11, 1), 2.3, 0.78), (d(y, 11, 2), 1.6, 0.8), (d(y, 11, 3), 1.4, 0.82)]
        schedule += [(d(y, 11, k), 1.2, 0.85) for k in range(4, 10)]
        schedule += [(d(y, 11, 10), 1.8, 0.78), (d(y, 11, 11), 6.0, 0.75), (d(y, 11, 12), 1.6, 0.8), (d(y, 11, 13), 1.3, 0.85)]
        out.append(_Promo(f"{sid}-{y}-double11", f"{y}{model.promo_names['double11']}", "double11",
                          dt.datetime(y, 10, 20, 20), dt.datetime(y, 11, 13, 23, 59, 59), tuple(schedule)))
        after = tuple((d(y, 11, k), 0.88, 1.0) for k in range(14, 25))
        out.append(_Promo("", "", "_after", dt.datetime(y, 11, 14), dt.datetime(y, 11, 24), after))
        # Double 12
        schedule = ((d(y, 12, 10), 1.25, 0.9), (d(y, 12, 11), 1.35, 0.88), (d(y, 12, 12), 2.0, 0.85))
        out.append(_Promo(f"{sid}-{y}-double12", f"{y}{model.promo_names['double12']}", "double12",
                          dt.datetime(y, 12, 10), dt.datetime(y, 12, 12, 23, 59, 59), schedule))
        # shop events: 3 days build-up + 2 days burst
        for k, (name, month, day) in enumerate(model.shop_events):
            first = d(y, month, day)
            mults = ((1.15, 0.95), (1.25, 0.93), (1.35, 0.92), (2.0, 0.85), (1.6, 0.88))
            schedule = tuple((first + dt.timedelta(days=i), m, p) for i, (m, p) in enumerate(mults))
            out.append(_Promo(f"{sid}-{y}-shop{k + 1}", f"{y}{model.brand}{name}", "shop_event",
                              dt.datetime.combine(first, dt.time()),
                              dt.datetime.combine(first + dt.timedelta(days=4), dt.time(23, 59, 59)), schedule))
    return out


@dataclass
class _Demand:
    w: np.ndarray  # demand index per ext day (with noise)
    w_det: np.ndarray  # without noise
    promo: np.ndarray  # promotion multiplier per ext day
    intensity: np.ndarray  # promotion intensity, about -0.1 .. 1
    price_factor: np.ndarray  # promotion price factor per ext day
    hour_profile: np.ndarray  # 0 ordinary, 1 peak day (midnight rush), 2 launch evening (20:00)
    month: np.ndarray  # 1..12 per ext day
    weekday: np.ndarray  # 0 = Monday
    promos: list  # _Promo of the years covered


def _demand(model: _ShopModel, cal: _Calendar, seed: int) -> _Demand:
    dates = cal.ext_dates()
    n = len(dates)
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    # yearly pattern: monthly factors interpolated between mid-months (periodic)
    mids = (np.arange(12) + 0.5) * 365.25 / 12
    yearly = np.interp(doy, np.r_[mids[-1] - 365.25, mids, mids[0] + 365.25],
                       np.r_[model.month_factors[-1], model.month_factors, model.month_factors[0]])
    weekly = np.asarray(model.weekday_factors)[weekday]
    # Spring Festival: logistics stop and holiday
    sf = np.ones(n)
    day_num = dates.astype(int)
    for y in range(int(years.min()), int(years.max()) + 1):
        m, d = _SPRING_FESTIVAL.get(y, (2, 5))
        centre = np.datetime64(dt.date(y, m, d), "D").astype(int) - 2
        sf *= 1 - 0.45 * np.exp(-0.5 * ((day_num - centre) / 5.0) ** 2)
    promo = np.ones(n)
    price = np.ones(n)
    hour = np.zeros(n, dtype=np.int8)
    promos = _promotions(model, int(years.min()), int(years.max()))
    first = dates[0].astype(int)
    for p in promos:
        for day, mult, pf in p.days:
            i = np.datetime64(day, "D").astype(int) - first
            if 0 <= i < n:
                promo[i] *= mult
                price[i] = min(price[i], pf)
    md = (month * 100 + (dates - dates.astype("datetime64[M]")).astype(int) + 1)
    hour[(md == 1111) | (md == 618)] = 1
    hour[(md == 1031) | (md == 531)] = 2
    w_det = yearly * weekly * sf * promo
    rng = _rng(seed, model.index, "demand")
    eps = rng.standard_normal(n) * 0.06
    ar = np.empty(n)
    ar[0] = eps[0]
    for i in range(1, n):  # AR(1) over days (a loop over ~2,600 days, not over orders)
        ar[i] = 0.55 * ar[i - 1] + eps[i]
    w = w_det * np.exp(ar - 0.5 * 0.06**2 / (1 - 0.55**2))
    intensity = np.clip(np.log(promo) / np.log(6.0), -0.1, 1.0)
    return _Demand(w, w_det, promo, intensity, price, hour, month, weekday,
                   [p for p in promos if p.event != "_after"])


# ================================================================================================
# Catalogue
# ================================================================================================


@dataclass
class _Catalog:
    sku_id: list[str]
    name: list[str]
    subcat: np.ndarray  # index into model.subcats
    list_cents: np.ndarray  # int64
    cost_cents: np.ndarray
    launched: np.ndarray  # window-independent: days relative to end (negative = before end)
    off: np.ndarray  # day (relative to end) after which the SKU is off the shelf; large = on shelf
    popularity: np.ndarray
    everyday: np.ndarray  # everyday price factor (shop discount vs list price)
    life_amp: np.ndarray
    life_period: np.ndarray
    life_phase: np.ndarray
    conversion: np.ndarray  # SKU conversion (paid buyers / uv) on an ordinary day
    cart_rate: np.ndarray
    fav_rate: np.ndarray
    new: np.ndarray  # bool: product under test (launched in the last weeks)
    hit: np.ndarray  # bool: potential hit among the new ones
    stock_policy: np.ndarray  # 0 normal, 1 overstocked, 2 low cover

    @property
    def n(self) -> int:
        return len(self.sku_id)


def _round_price(x: np.ndarray, step: int) -> np.ndarray:
    return np.maximum(step - 1, np.round(x / step) * step - 1)


def _catalog(model: _ShopModel) -> _Catalog:
    """The shop's products; depends on the shop only (not on seed, scale or dates)."""
    rng = _rng(_CATALOG_SEED, model.index, "catalog")
    n_new = len(_NEW_PRODUCT_DAYS_AGO)
    n_old = model.n_skus - n_new
    shares = np.array([s.sku_share for s in model.subcats])
    counts = np.floor(shares / shares.sum() * model.n_skus).astype(int)
    counts[np.argmax(shares)] += model.n_skus - counts.sum()
    subcat = np.repeat(np.arange(len(model.subcats)), counts)
    rng.shuffle(subcat)
    names, list_price, cost = [], np.zeros(model.n_skus), np.zeros(model.n_skus)
    used: set[str] = set()
    type_price = {}
    for i, k in enumerate(subcat):
        sc = model.subcats[k]
        for _ in range(50):
            series = sc.series[rng.integers(len(sc.series))]
            t = sc.types[rng.integers(len(sc.types))]
            v = sc.variants[rng.integers(len(sc.variants))]
            name = f"{model.brand}{series}{t} {v}"
            if name not in used:
                break
        used.add(name)
        names.append(name)
        if (k, t) not in type_price:
            lo, hi = sc.price
            type_price[(k, t)] = np.exp(rng.uniform(np.log(lo), np.log(hi)))
        base = type_price[(k, t)] * rng.uniform(0.8, 1.25)
        list_price[i] = np.clip(base, sc.price[0], sc.price[1])
        cost[i] = list_price[i] * rng.uniform(*sc.cost_ratio)
    list_price = _round_price(list_price, model.round_to)
    # launches: established SKUs over the last 4 years, the newest 6 under test
    launched = np.r_[-rng.integers(60, 4 * 365, size=n_old), -np.asarray(_NEW_PRODUCT_DAYS_AGO)]
    order = np.argsort(launched, kind="stable")  # sku numbers follow launch dates
    # popularity: Pareto-like; a handful of hero products carry a large share of sales
    pop = (1.0 + rng.permutation(model.n_skus)) ** -1.05
    new = np.zeros(model.n_skus, bool)
    new[n_old:] = True
    hit = np.zeros(model.n_skus, bool)
    for ago in _NEW_PRODUCT_HITS:
        hit[n_old + _NEW_PRODUCT_DAYS_AGO.index(ago)] = True
    pop[new] = np.sort(pop[:n_old])[::-1][rng.integers(15, 35, size=n_new)]
    # some established SKUs were discontinued (never the very popular ones)
    off = np.full(model.n_skus, 10**6)
    candidates = np.nonzero(~new & (pop < np.quantile(pop, 0.6)))[0]
    gone = rng.choice(candidates, size=int(0.08 * model.n_skus), replace=False)
    off[gone] = -rng.integers(70, 600, size=len(gone))
    off = np.maximum(off, launched + 60)
    conv = rng.uniform(0.02, 0.08, model.n_skus)
    conv[new] = rng.uniform(0.015, 0.03, n_new)
    cart = conv * rng.uniform(1.8, 3.0, model.n_skus)
    fav = rng.uniform(0.02, 0.05, model.n_skus)
    cart[new & hit] = rng.uniform(0.08, 0.09, hit.sum())
    fav[new & hit] = rng.uniform(0.03, 0.04, hit.sum())
    cart[new & ~hit] = rng.uniform(0.02, 0.03, (new & ~hit).sum())
    fav[new & ~hit] = rng.uniform(0.01, 0.02, (new & ~hit).sum())
    policy = np.zeros(model.n_skus, np.int8)
    slow = np.nonzero(~new & (pop < np.quantile(pop, 0.5)) & (off > 0))[0]
    policy[rng.choice(slow, size=max(3, int(0.08 * model.n_skus)), replace=False)] = 1
    mid = np.nonzero(~new & (policy == 0) & (pop > np.quantile(pop, 0.3)) & (pop < np.quantile(pop, 0.85)) & (off > 0))[0]
    policy[rng.choice(mid, size=4, replace=False)] = 2
    cat = _Catalog(
        sku_id=[], name=names, subcat=subcat, list_cents=np.round(list_price * 100).astype(np.int64),
        cost_cents=np.round(cost * 100).astype(np.int64), launched=launched, off=off, popularity=pop,
        everyday=rng.choice([1.0, 0.95, 0.9], size=model.n_skus, p=[0.5, 0.3, 0.2]),
        life_amp=rng.uniform(0.0, 0.35, model.n_skus), life_period=rng.uniform(150, 540, model.n_skus),
        life_phase=rng.uniform(0, 2 * np.pi, model.n_skus), conversion=conv, cart_rate=cart, fav_rate=fav,
        new=new, hit=hit, stock_policy=policy,
    )
    # re-order every per-SKU array by launch date and number the SKUs
    for name in ("subcat", "list_cents", "cost_cents", "launched", "off", "popularity", "everyday", "life_amp",
                 "life_period", "life_phase", "conversion", "cart_rate", "fav_rate", "new", "hit", "stock_policy"):
        setattr(cat, name, getattr(cat, name)[order])
    cat.name = [names[i] for i in order]
    cat.sku_id = [f"{model.sku_prefix}{10001 + i}" for i in range(model.n_skus)]
    return cat


def _sku_weights(model: _ShopModel, cat: _Catalog, cal: _Calendar, dem: _Demand, first: int, last: int) -> np.ndarray:
    """Relative demand of each SKU on ext days [first, last): popularity x life cycle x season x
    availability x launch push. Shape (days, n_skus)."""
    ext = np.arange(first, last)
    rel = ext - (cal.burn + cal.days - 1)  # days relative to end
    life = np.exp(cat.life_amp * np.sin(2 * np.pi * rel[:, None] / cat.life_period + cat.life_phase))
    seasons = np.array([s.season for s in model.subcats])  # (subcats, 12)
    season = seasons[cat.subcat][:, dem.month[ext] - 1].T  # (days, skus)
    avail = (rel[:, None] >= cat.launched) & (rel[:, None] <= cat.off)
    age = rel[:, None] - cat.launched
    push = np.where((age >= 0) & (age < 14), 1.6, 1.0)
    return cat.popularity * life * season * avail * push


def _unit_cents(cat: _Catalog, dem: _Demand, ext: np.ndarray) -> np.ndarray:
    """Selling price per unit in cents, (days, skus)."""
    factor = np.minimum(cat.everyday[None, :] * dem.price_factor[ext][:, None], cat.everyday[None, :])
    return np.round(cat.list_cents[None, :] * factor).astype(np.int64)


def _expected_gmv_rank(model: _ShopModel, cat: _Catalog, cal: _Calendar, dem: _Demand) -> np.ndarray:
    """SKU indices by expected GMV over the 8 weeks before the planted week (highest first)."""
    lo = cal.burn + cal.win(cal.week_start) - 56
    hi = lo + 56
    wts = _sku_weights(model, cat, cal, dem, lo, hi)
    share = wts / wts.sum(axis=1, keepdims=True)
    qty = np.array([np.dot(np.arange(1, 5), s.qty_p) for s in model.subcats])[cat.subcat]
    price = _unit_cents(cat, dem, np.arange(lo, hi))
    gmv = (dem.w_det[lo:hi, None] * share * price * qty).sum(axis=0)
    gmv[cat.new] = -1
    return np.argsort(-gmv, kind="stable")


@dataclass(frozen=True)
class _Plan:
    """The planted choices of one shop (SKU indices into the catalogue)."""

    conv_sku: int
    stock_sku: int
    spike_subcat: int
    stockout_win: int  # window index of the stockout day


def _plan(model: _ShopModel, cat: _Catalog, cal: _Calendar, dem: _Demand) -> _Plan:
    spike = [s.name for s in model.subcats].index(model.spike_category)
    ranked = [i for i in _expected_gmv_rank(model, cat, cal, dem) if cat.subcat[i] != spike]
    conv_sku = int(ranked[0])
    # the stockout: a hot SKU of another sub-category (well inside the top 10)
    stock_sku = next((int(i) for i in ranked[1:6] if cat.subcat[i] != cat.subcat[conv_sku]), int(ranked[2]))
    return _Plan(conv_sku=conv_sku, stock_sku=stock_sku, spike_subcat=spike,
                 stockout_win=cal.win(cal.week_start + dt.timedelta(days=2)))


def planted_events(end_date: dt.date = DEMO_END_DATE) -> dict[str, PlantedEvents]:
    """What ``build_demo_warehouse(..., end_date=end_date, plant_events=True)`` plants, per shop id.

    The SKUs, category and campaign do not depend on ``seed``, ``orders_per_shop`` or ``days``
    (the catalogue is fixed per shop); dates follow ``end_date``.
    """
    cal = _Calendar.make(end_date, 730)
    out = {}
    for model in _MODELS:
        cat = _catalog(model)
        dem = _demand(model, cal, 0)
        plan = _plan(model, cat, cal, dem)
        baseline_weeks = tuple(
            _iso_label(cal.week_start - dt.timedelta(days=7 * k)) for k in range(4, 0, -1)
        )
        as_of = cal.week_end
        out[model.shop.shop_id] = PlantedEvents(
            shop_id=model.shop.shop_id,
            week=cal.week_label(),
            week_start=cal.week_start,
            week_end=cal.week_end,
            conversion_drop=ConversionDrop(
                cat.sku_id[plan.conv_sku], cat.name[plan.conv_sku], model.subcats[cat.subcat[plan.conv_sku]].name,
                _CONV_BASELINE, _CONV_PLANTED, baseline_weeks),
            stockout=Stockout(cat.sku_id[plan.stock_sku], cat.name[plan.stock_sku],
                              model.subcats[cat.subcat[plan.stock_sku]].name, cal.week_start + dt.timedelta(days=2)),
            refund_spike=RefundSpike(model.spike_category, _REFUND_BASELINE, _REFUND_PLANTED),
            roi_drop=RoiDrop(model.planted_campaign[0], model.planted_campaign[1], _ROI_BASELINE, _ROI_PLANTED,
                             model.roi_target),
            dormant_surge=DormantSurge(
                as_of=as_of, compare_to=as_of - dt.timedelta(days=28), min_rise=_DORMANT_MIN_RISE,
                dormant_days=90, base_days=365, returning_drop_from=as_of - dt.timedelta(days=55),
                cohort_start=as_of - dt.timedelta(days=117), cohort_end=as_of - dt.timedelta(days=91)),
            new_products=NewProducts(
                tuple(cat.sku_id[i] for i in np.nonzero(cat.new)[0]),
                tuple(cat.sku_id[i] for i in np.nonzero(cat.hit)[0]), _HIT_RATE),
        )
    return out


def _iso_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# ================================================================================================
# Customers and paid orders
# ================================================================================================


@dataclass
class _Paid:
    """Paid orders of one shop, one element per order (times in seconds since window start)."""

    cust: np.ndarray  # int64 customer number
    day: np.ndarray  # int64 window day of payment
    tod: np.ndarray  # int64 second of the day of payment
    acq: np.ndarray  # bool: the customer's first order ever (acquisition)
    src: np.ndarray  # int64 index into SOURCES
    n_customers: int  # customer numbers in use are < n_customers

    def take(self, keep: np.ndarray) -> "_Paid":
        return _Paid(self.cust[keep], self.day[keep], self.tod[keep], self.acq[keep], self.src[keep], self.n_customers)

    @property
    def n(self) -> int:
        return len(self.cust)

    @property
    def t(self) -> np.ndarray:
        """Payment time in days since window start."""
        return self.day + self.tod / 86_400.0

    @property
    def sec(self) -> np.ndarray:
        """Payment time in seconds since window start."""
        return self.day * 86_400 + self.tod

    def by_time(self) -> "_Paid":
        return self.take(_argsort_unique(self.sec))


_HOURS = np.array([1.2, 0.6, 0.3, 0.2, 0.15, 0.2, 0.4, 0.9, 1.6, 2.6, 3.2, 3.4,
                   3.0, 3.1, 3.4, 3.4, 3.3, 3.3, 3.6, 4.2, 5.0, 5.4, 5.0, 3.0])


def _hour_profiles() -> np.ndarray:
    peak = _HOURS.copy()
    peak[0] *= 14
    peak[1] *= 4
    peak[2] *= 1.5
    peak[20:] *= 1.4
    launch = _HOURS.copy()
    launch[20] *= 8
    launch[21] *= 3
    launch[22] *= 1.5
    launch[23] *= 1.3
    return np.stack([_HOURS, peak, launch])


def _draw_rows(cdf_rows: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw per element from the categorical distribution of its row: one vectorised
    searchsorted over all rows (row r's cumulative probabilities are shifted by r)."""
    n_rows, k = cdf_rows.shape
    cdf = cdf_rows / cdf_rows[:, -1:]
    cdf[:, -1] = 1.0
    flat = (cdf + np.arange(n_rows)[:, None]).ravel()
    idx = np.searchsorted(flat, row + u, side="right") - row * k
    return np.minimum(idx, k - 1)


def _time_of_day(day: np.ndarray, cal: _Calendar, dem: _Demand, rng: np.random.Generator) -> np.ndarray:
    prof = dem.hour_profile[cal.burn + day].astype(np.int64)
    hour = _draw_rows(np.cumsum(_hour_profiles(), axis=1), prof, rng.random(len(day)))
    return hour * 3600 + rng.integers(0, 3600, size=len(day))


def _source_matrix(model: _ShopModel, cal: _Calendar, dem: _Demand, seed: int) -> np.ndarray:
    """Source shares of orders per window day, shape (2, days, 7): [0] new buyers, [1] returning."""
    rng = _rng(seed, model.index, "sources")
    ext = np.arange(cal.burn, cal.burn + cal.days)
    years = (ext - (cal.burn + cal.days - 1)) / 365.25
    base = np.tile(np.asarray(model.source_share), (cal.days, 1))
    content = np.array([SOURCES.index("live_stream"), SOURCES.index("short_video")])
    if model.shop.platform == "douyin":
        base[:, 0] *= 1.12 ** years
    else:
        base[:, content] *= (1.15 ** years)[:, None]
        base[:, 0] *= 0.96 ** years
    inten = np.clip(dem.intensity[ext], 0, 1)
    base[:, SOURCES.index("paid_ads")] *= 1 + 0.3 * inten
    base[:, SOURCES.index("live_stream")] *= 1 + 0.4 * inten
    base *= np.exp(0.06 * rng.standard_normal(base.shape))
    returning = base * np.array([0.9, 0.9, 0.8, 1.0, 0.9, 3.0, 0.5])
    both = np.stack([base, returning])
    return both / both.sum(axis=2, keepdims=True)


def _draw_sources(day, acq, shares: np.ndarray, rng) -> np.ndarray:
    days = shares.shape[1]
    row = np.where(acq, day, days + day)
    return _draw_rows(np.cumsum(shares.reshape(2 * days, -1), axis=1), row, rng.random(len(day)))


def _paid_orders(model: _ShopModel, cal: _Calendar, dem: _Demand, target: int, seed: int) -> _Paid:
    """Acquisitions and repeat purchases inside the window (see module docstring)."""
    rng = _rng(seed, model.index, "customers")
    w = dem.w
    n_ext = cal.n_ext
    W = np.r_[0.0, np.cumsum(w)]  # demand time at the start of each ext day
    lo_w, hi_w = W[cal.burn], W[cal.burn + cal.days]
    years = (np.arange(n_ext) - (cal.burn + cal.days - 1)) / 365.25
    acq_weight = model.growth**years * w
    acq_weight[cal.burn + cal.days:] = 0.0
    p = acq_weight / acq_weight.sum()
    lam_mean = model.repeat_rate / 365.25
    L = model.lifetime_days

    def expected_len(a):
        inside = L * (1 - np.exp(-np.clip(hi_w - a, 0, None) / L))
        before = np.exp(-np.clip(lo_w - a, 0, None) / L) * L * (1 - np.exp(-(hi_w - lo_w) / L))
        return np.where(a >= lo_w, inside, before)

    a_mid = W[:-1] + 0.5 * w
    per_customer = (p * ((a_mid >= lo_w) + lam_mean * expected_len(a_mid))).sum()
    n_cust = max(1, int(round(target / per_customer)))
    day_ext = np.repeat(np.arange(n_ext), rng.multinomial(n_cust, p))
    a = W[day_ext] + rng.random(n_cust) * w[day_ext]
    lam = rng.gamma(model.repeat_shape, lam_mean / model.repeat_shape, n_cust)
    life = rng.exponential(L, n_cust)
    lo = np.maximum(a, lo_w)
    length = np.clip(np.minimum(a + life, hi_w) - lo, 0, None)
    k = rng.poisson(lam * length)
    rep_cust = np.repeat(np.arange(n_cust), k)
    rep_at = lo[rep_cust] + rng.random(len(rep_cust)) * length[rep_cust]
    rep_day = np.searchsorted(W, rep_at, side="right") - 1
    first = np.nonzero((a >= lo_w) & (a < hi_w))[0]
    cust = np.r_[first, rep_cust].astype(np.int64)
    day = np.r_[day_ext[first], rep_day].astype(np.int64) - cal.burn
    acq = np.r_[np.ones(len(first), bool), np.zeros(len(rep_cust), bool)]
    ok = (day >= 0) & (day < cal.days)
    cust, day, acq = cust[ok], day[ok], acq[ok]
    tod = _time_of_day(day, cal, dem, rng)
    shares = _source_matrix(model, cal, dem, seed)
    src = _draw_sources(day, acq, shares, rng)
    return _Paid(cust, day, tod, acq, src, n_cust)


_SEC_BITS = 28  # seconds since window start fit in 28 bits for up to 3,100 days


def _argsort_unique(key: np.ndarray) -> np.ndarray:
    """argsort of non-negative int64 keys, ties broken by position (deterministic, and much
    faster than a stable argsort: the position is packed into the low bits and sorted once)."""
    n = len(key)
    bits = max(1, int(n).bit_length())
    if int(key.max(initial=0)).bit_length() + bits <= 63:
        return (np.sort((key.astype(np.int64) << bits) | np.arange(n, dtype=np.int64)) & ((1 << bits) - 1))
    return np.argsort(key, kind="stable")


def _by_customer(paid: _Paid) -> np.ndarray:
    """Each order's previous payment time (seconds) of the same customer; -1 if none."""
    key = (paid.cust << _SEC_BITS) | paid.sec
    order = _argsort_unique(key)
    sk = key[order]
    sc = sk >> _SEC_BITS
    st = sk & ((1 << _SEC_BITS) - 1)
    prev = np.full(len(order), -1, np.int64)
    same = np.r_[False, sc[1:] == sc[:-1]]
    prev[same] = st[np.nonzero(same)[0] - 1]
    out = np.empty(len(order), np.int64)
    out[order] = prev
    return out


def _dormant_counts(paid: _Paid, at_day: int, base_days=365, dormant_days=90) -> tuple[int, int]:
    """(dormant, base) at the end of window day ``at_day - 1`` (i.e. at midnight ``at_day``)."""
    at = at_day * 86_400
    sec = paid.sec
    m = (sec >= at - base_days * 86_400) & (sec < at)
    key = np.sort((paid.cust[m] << _SEC_BITS) | sec[m])
    c = key >> _SEC_BITS
    last = np.r_[c[1:] != c[:-1], True] if len(c) else np.zeros(0, bool)
    last_sec = key[last] & ((1 << _SEC_BITS) - 1)
    return int((at - last_sec > dormant_days * 86_400).sum()), int(len(last_sec))


_DORMANT_DROP = (0.75, 0.75)  # share of lapsing / lapsed buyers whose return is removed (weeks -8..-1, -4..-1)


def _plant_dormant(paid: _Paid, model: _ShopModel, cal: _Calendar, dem: _Demand, seed: int) -> _Paid:
    """Buyers on the verge of lapsing do not come back over the last 8 weeks, lapsed buyers are
    no longer won back in the last 4, and a one-off summer acquisition cohort (active 4 weeks
    before the planted week's end, dormant at its end) tops the rise of the dormant share up to
    _DORMANT_TARGET_RISE.

    With T the end of the planted week, for 75% of the customers whose last order before T-90 is
    at P:
    * lapsing (T-118 <= P < T-90, nothing in [T-90, T-56]): orders in (T-56, T] are removed, so
      the customer is active 4 weeks before T and dormant at T instead of active;
    * lapsed (P < T-118, nothing in (T-90, T-28]): orders in (T-28, T] are removed, so the
      customer stays dormant at T instead of being won back.
    """
    rng = _rng(seed, model.index, "plant-dormant")
    T = float(cal.win(cal.week_end) + 1)  # end of the planted week
    t = paid.t
    n_c = paid.n_customers
    before = t < T - 90
    last_before = np.full(n_c, -np.inf)
    np.maximum.at(last_before, paid.cust[before], t[before])

    def any_in(lo, hi):
        m = (t >= lo) & (t < hi)
        return np.bincount(paid.cust[m], minlength=n_c) > 0

    coin = rng.random(n_c)
    lapsing = (last_before >= T - 118) & ~any_in(T - 90, T - 56) & (coin < _DORMANT_DROP[0])
    lapsed = np.isfinite(last_before) & (last_before < T - 118) & ~any_in(T - 90, T - 28) & (coin < _DORMANT_DROP[1])
    drop = (lapsing[paid.cust] & (t >= T - 56) & (t < T)) | (lapsed[paid.cust] & (t >= T - 28) & (t < T))
    paid = paid.take(~drop)
    d0, b0 = _dormant_counts(paid, int(T) - 28)
    d1, b1 = _dormant_counts(paid, int(T))

    def rise(c):
        return (d1 + c) / max(b1 + c, 1) - d0 / max(b0 + c, 1)

    n_new = 0
    if rise(0) < _DORMANT_TARGET_RISE:
        lo_c, hi_c = 0.0, 0.5 * max(b0, 1)
        for _ in range(60):
            mid_c = 0.5 * (lo_c + hi_c)
            lo_c, hi_c = (mid_c, hi_c) if rise(mid_c) < _DORMANT_TARGET_RISE else (lo_c, mid_c)
        n_new = int(np.ceil(hi_c))
    first, last = _cohort_days(cal)
    if n_new == 0 or last < first:
        return paid
    days = np.arange(first, last + 1)
    wts = dem.w[cal.burn + days]
    day = np.repeat(days, rng.multinomial(n_new, wts / wts.sum())).astype(np.int64)
    tod = _time_of_day(day, cal, dem, rng)
    acq = np.ones(n_new, bool)
    src = _draw_sources(day, acq, _source_matrix(model, cal, dem, seed), rng)
    cust = paid.n_customers + np.arange(n_new, dtype=np.int64)
    return _Paid(np.r_[paid.cust, cust], np.r_[paid.day, day], np.r_[paid.tod, tod], np.r_[paid.acq, acq],
                 np.r_[paid.src, src], paid.n_customers + n_new)


def _cohort_days(cal: _Calendar) -> tuple[int, int]:
    """Window days of the summer cohort: active (<= 90 days) 4 weeks before the planted week's
    end, dormant (> 90 days) at its end."""
    end = cal.win(cal.week_end)
    return max(0, end - 117), end - 91


# ================================================================================================
# Order lines and amounts
# ================================================================================================


@dataclass
class _Items:
    order: np.ndarray  # index into the paid orders (sorted)
    sku: np.ndarray
    qty: np.ndarray
    cents: np.ndarray


def _items(paid: _Paid, model: _ShopModel, cat: _Catalog, cal: _Calendar, dem: _Demand, plan: _Plan,
           plant: bool, seed: int) -> tuple[_Items, np.ndarray]:
    """Order lines (1-3 SKUs per order) and the per-day SKU weights used to draw them."""
    rng = _rng(seed, model.index, "items")
    n_lines = 1 + np.searchsorted(np.cumsum(model.lines_p), rng.random(paid.n) * sum(model.lines_p), side="right")
    n_lines = np.minimum(n_lines, 3)
    order = np.repeat(np.arange(paid.n), n_lines)
    day = paid.day[order]
    wts = _sku_weights(model, cat, cal, dem, cal.burn, cal.burn + cal.days)
    if plant:
        wts[plan.stockout_win + 1:, plan.stock_sku] = 0.0
    sku = _draw_rows(np.cumsum(wts, axis=1), day, rng.random(len(order)))
    qty_cdf = np.cumsum(np.array([s.qty_p for s in model.subcats]), axis=1)
    qty = 1 + _draw_rows(qty_cdf, cat.subcat[sku].astype(np.int64), rng.random(len(order)))
    # one line per (order, SKU): merge repeated draws
    key = order * cat.n + sku
    o = _argsort_unique(key)
    key, qty = key[o], qty[o]
    first = np.r_[True, key[1:] != key[:-1]]
    qty = np.bincount(np.cumsum(first) - 1, weights=qty).astype(np.int64)
    key = key[first]
    order, sku = key // cat.n, key % cat.n
    if plant:  # the stockout SKU sells on its last day (its stock runs out that day)
        s = plan.stockout_win
        on_day = paid.day[order] == s
        if on_day.any() and not (on_day & (sku == plan.stock_sku)).any():
            has_it = np.bincount(order[sku == plan.stock_sku], minlength=paid.n) > 0
            candidates = np.nonzero(on_day & ~has_it[order])[0]
            if len(candidates):
                sku[candidates[rng.integers(len(candidates))]] = plan.stock_sku
    unit = _unit_cents(cat, dem, np.arange(cal.burn, cal.burn + cal.days))
    cents = unit[paid.day[order], sku] * qty
    return _Items(order, sku, qty, cents), wts


def _plant_conversion_drop(paid: _Paid, items: _Items, cal: _Calendar, plan: _Plan, seed: int, index: int):
    """Remove 60% of the planted SKU's lines in the planted week (orders left empty disappear)."""
    rng = _rng(seed, index, "plant-conversion")
    ws, we = cal.win(cal.week_start), cal.win(cal.week_end)
    d = paid.day[items.order]
    hit = (items.sku == plan.conv_sku) & (d >= ws) & (d <= we)
    drop = hit & (rng.random(len(hit)) < 1 - _CONV_PLANTED / _CONV_BASELINE)
    return _drop_lines(paid, items, ~drop)


def _drop_lines(paid: _Paid, items: _Items, keep_line: np.ndarray):
    items = _Items(items.order[keep_line], items.sku[keep_line], items.qty[keep_line], items.cents[keep_line])
    keep_order = np.bincount(items.order, minlength=paid.n) > 0
    new_index = np.cumsum(keep_order) - 1
    return paid.take(keep_order), _Items(new_index[items.order], items.sku, items.qty, items.cents)


# ================================================================================================
# Payment, refunds, statuses, unpaid orders
# ================================================================================================


@dataclass
class _OrderTable:
    """All orders (paid first, then unpaid), times in seconds since window start."""

    cust: np.ndarray
    created: np.ndarray
    paid_at: np.ndarray  # -1 = not paid
    cents: np.ndarray
    refund_cents: np.ndarray
    refunded_at: np.ndarray  # -1 = none
    status: np.ndarray  # index into ORDER_STATUSES
    src: np.ndarray
    key: np.ndarray = field(default=None)  # yymmdd * 10^7 + daily sequence -> order_id


def _status_code(name: str) -> int:
    return ORDER_STATUSES.index(name)


def _orders_table(paid: _Paid, items: _Items, model: _ShopModel, cat: _Catalog, cal: _Calendar, dem: _Demand,
                  plan: _Plan, plant: bool, seed: int) -> _OrderTable:
    rng = _rng(seed, model.index, "payment")
    n = paid.n
    day_s = 86_400
    snapshot = cal.days * day_s - 1  # end_date 23:59:59
    paid_at = paid.day * day_s + paid.tod
    cents = np.bincount(items.order, weights=items.cents, minlength=n).round().astype(np.int64)
    delay = 10 + rng.exponential(120, n)
    slow = rng.random(n) < 0.06
    delay[slow] = 10 + rng.exponential(1800, slow.sum())
    created = paid_at - delay.astype(np.int64)
    # refunds: probability by the order's main sub-category, a bit higher after promotions
    first_line = np.r_[0, np.cumsum(np.bincount(items.order, minlength=n))[:-1]]
    main = cat.subcat[items.sku[first_line]]
    rate = np.array([s.refund_rate for s in model.subcats])[main]
    full = rng.random(n) < 0.8
    frac = np.where(full, 1.0, rng.uniform(0.2, 0.7, n))
    p = rate / 0.89 * (1 + 0.25 * np.clip(dem.intensity[cal.burn + paid.day], 0, 1))
    has = rng.random(n) < p
    early = rng.random(n) < 0.35  # cancelled before shipping
    request = np.where(early, rng.uniform(0.02, 1.0, n), rng.uniform(*model.refund_request_days, n))
    process = np.where(early, rng.uniform(0.05, 1.0, n), rng.uniform(1.0, 5.0, n))
    done = paid_at + ((request + process) * day_s).astype(np.int64)
    requested = paid_at + (request * day_s).astype(np.int64)
    if plant:
        # the spike: orders paid in the planted week with items of the category are refunded
        # (in full) until the category's refund rate reaches _REFUND_PLANTED, 1-5 days after payment
        ws, we = cal.win(cal.week_start), cal.win(cal.week_end)
        in_cat = cat.subcat[items.sku] == plan.spike_subcat
        cat_cents = np.bincount(items.order[in_cat], weights=items.cents[in_cat], minlength=n)
        in_spike = (cat_cents > 0) & (paid.day >= ws) & (paid.day <= we)
        refunded_already = (in_spike & has) * frac * cat_cents
        need = _REFUND_PLANTED * cat_cents[in_spike].sum() - refunded_already.sum()
        candidates = rng.permutation(np.nonzero(in_spike & ~has)[0])
        k = int(np.searchsorted(np.cumsum(cat_cents[candidates]), need)) + 1 if need > 0 else 0
        extra = candidates[:k]
        has[extra] = True
        frac[extra] = 1.0
        quick = in_spike & has
        when = paid_at + (rng.uniform(1.0, 5.0, n) * day_s).astype(np.int64)
        squeeze = paid_at + ((snapshot - paid_at) * rng.uniform(0.3, 0.95, n)).astype(np.int64)
        when = np.where(when > snapshot, squeeze, when)
        done = np.where(quick, when, done)
        requested = np.where(quick, np.minimum(requested, done), requested)
    refund_cents = np.where(has, np.maximum(1, np.round(cents * frac)), 0).astype(np.int64)
    refund_cents = np.minimum(refund_cents, cents)
    status = np.full(n, _status_code("completed"), np.int64)
    ship = paid_at + (rng.uniform(*model.ship_days, n) * day_s).astype(np.int64)
    settle = ship + (rng.uniform(*model.settle_days, n) * day_s).astype(np.int64)
    status[snapshot < settle] = _status_code("shipped")
    status[snapshot < ship] = _status_code("paid")
    refunded = has & (done <= snapshot)
    refunding = has & ~refunded & (requested <= snapshot)
    status[refunding] = _status_code("refunding")
    status[refunded] = _status_code("refunded")
    refund_cents = np.where(refunded, refund_cents, 0)
    refunded_at = np.where(refunded, done, -1)
    # unpaid orders: abandoned carts re-ordered later, and visitors who never paid
    n_unpaid = int(round(n * 0.045 / 0.955))
    n_abandon = int(round(n_unpaid * 0.65))
    tmpl = rng.integers(0, n, n_unpaid)
    ab_created = created[tmpl[:n_abandon]] - rng.integers(60, 3600, n_abandon)
    fresh_created = created[tmpl[n_abandon:]] + rng.integers(-3 * 3600, 3 * 3600, n_unpaid - n_abandon)
    u_created = np.clip(np.r_[ab_created, fresh_created], 0, snapshot)
    u_cust = np.r_[paid.cust[tmpl[:n_abandon]], paid.n_customers + np.arange(n_unpaid - n_abandon)]
    u_status = np.full(n_unpaid, _status_code("closed"), np.int64)
    pending = (np.arange(n_unpaid) >= n_abandon) & (snapshot - u_created < 24 * 3600)
    u_status[pending] = _status_code("pending_payment")
    return _OrderTable(
        cust=np.r_[paid.cust, u_cust], created=np.r_[created, u_created], paid_at=np.r_[paid_at, np.full(n_unpaid, -1)],
        cents=np.r_[cents, np.zeros(n_unpaid, np.int64)], refund_cents=np.r_[refund_cents, np.zeros(n_unpaid, np.int64)],
        refunded_at=np.r_[refunded_at, np.full(n_unpaid, -1)], status=np.r_[status, u_status],
        src=np.r_[paid.src, paid.src[tmpl]],
    )


def _assign_keys(orders: _OrderTable, cal: _Calendar) -> None:
    """order_id = shop_id + yymmdd of creation + 7-digit sequence of that day (by creation time)."""
    cday = np.floor_divide(orders.created, 86_400)
    o = _argsort_unique(orders.created - orders.created.min())
    sorted_day = cday[o]
    starts = np.r_[True, sorted_day[1:] != sorted_day[:-1]]
    first_of_day = np.maximum.accumulate(np.where(starts, np.arange(len(o)), 0))
    seq = np.arange(len(o)) - first_of_day
    lo, hi = int(cday.min()), int(cday.max())
    dates = np.datetime64(cal.start, "D") + np.arange(lo, hi + 1)
    y = dates.astype("datetime64[Y]").astype(int) + 1970
    m = dates.astype("datetime64[M]").astype(int) % 12 + 1
    d = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    yymmdd = (y % 100) * 10_000 + m * 100 + d
    key = np.empty(len(o), np.int64)
    key[o] = yymmdd[sorted_day - lo] * 10**7 + seq
    orders.key = key


# ================================================================================================
# Daily tables derived from the orders
# ================================================================================================


def _distinct_count(group: np.ndarray, cust: np.ndarray, n_groups: int, n_cust: int) -> np.ndarray:
    """Distinct customers per group (0 <= group < n_groups)."""
    keys = np.sort(group.astype(np.int64) * n_cust + cust)
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, bool)
    return np.bincount(keys[first] // n_cust, minlength=n_groups)


@dataclass
class _Daily:
    shop: dict  # column -> array over window days
    traffic: dict  # column -> (days, 7) arrays
    product: dict  # column -> (days, skus) arrays
    pre_orders: np.ndarray  # paid orders per day before the planted conversion drop


def _daily_tables(paid: _Paid, items: _Items, orders: _OrderTable, model: _ShopModel, cat: _Catalog,
                  cal: _Calendar, dem: _Demand, plan: _Plan, plant: bool, wts: np.ndarray,
                  pre_orders: np.ndarray, seed: int) -> _Daily:
    rng = _rng(seed, model.index, "funnel")
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
        "paid_buyers": _distinct_count(day, paid.cust, D, n_cust),
    }
    # order buyers: placed an order that day (paid or not), or paid that day an order placed
    # just before midnight
    cday = np.floor_divide(orders.created, 86_400)
    inwin = (cday >= 0) & (cday < D)
    o_day = np.r_[cday[inwin], day]
    o_cust = np.r_[orders.cust[inwin], paid.cust]
    o_src = np.r_[orders.src[inwin], paid.src]
    shop["order_buyers"] = _distinct_count(o_day, o_cust, D, n_cust)
    # traffic sources
    g = day * S + paid.src
    pb_s = _distinct_count(g, paid.cust, D * S, n_cust).reshape(D, S)
    cents_s = np.bincount(g, weights=cents, minlength=D * S).round().astype(np.int64).reshape(D, S)
    ob_s = _distinct_count(o_day * S + o_src, o_cust, D * S, n_cust).reshape(D, S)
    ext = np.arange(cal.burn, cal.burn + D)
    inten = dem.intensity[ext]
    conv_d = model.conversion * (1 + 0.35 * inten) * np.exp(0.04 * rng.standard_normal(D))
    share = pb_s.sum(axis=0) / max(pb_s.sum(), 1)
    k = float((share / _SOURCE_CONVERSION).sum() / 1.06)
    c_s = np.clip(k * conv_d[:, None] * _SOURCE_CONVERSION[None, :], 0.002, 0.6)
    expected_pb = shop["paid_buyers"][:, None] * np.maximum(share, 0.003)[None, :] + 0.5
    uv_s = pb_s + rng.poisson(expected_pb * (1 - c_s) / c_s)
    pages = _SOURCE_PAGES * {"tmall": 1.0, "jd": 1.1, "douyin": 0.7}.get(model.shop.platform, 1.0)
    pv_s = np.round(uv_s * pages[None, :] * np.exp(0.05 * rng.standard_normal((D, S)))).astype(np.int64)
    cart_s = rng.binomial(uv_s, np.minimum(0.45, 2.6 * c_s))
    fav_s = rng.binomial(uv_s, np.minimum(0.3, 0.035 * _SOURCE_FAV)[None, :] * np.ones((D, 1)))
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
    buyers = _distinct_count(gp, paid.cust[items.order], D * K, n_cust).reshape(D, K)
    units = np.bincount(gp, weights=items.qty, minlength=D * K).round().astype(np.int64).reshape(D, K)
    amount = np.bincount(gp, weights=items.cents, minlength=D * K).round().astype(np.int64).reshape(D, K)
    uv_w = wts.copy()
    listed = _sku_weights(model, cat, cal, dem, cal.burn, cal.burn + D) > 0
    if plant:  # visitors still come to the sold-out SKU's page
        after = slice(plan.stockout_win + 1, None)
        uv_w[after, plan.stock_sku] = 0.5 * _sku_weights(model, cat, cal, dem, cal.burn, cal.burn + D)[after, plan.stock_sku]
    # expected orders with the SKU: each of an order's 1-3 draws picks it with probability `share`
    share = uv_w / wts.sum(axis=1, keepdims=True)
    p_any = sum(p * (1 - (1 - share) ** (k + 1)) for k, p in enumerate(model.lines_p)) / sum(model.lines_p)
    exp_buyers = pre_orders[:, None] * p_any
    conv = cat.conversion[None, :] * (1 + 0.2 * np.clip(inten, 0, 1))[:, None]
    conv[:, plan.conv_sku] = _CONV_BASELINE
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
    return _Daily(shop, traffic, product, pre_orders)


# ================================================================================================
# Inventory
# ================================================================================================


def _inventory(model: _ShopModel, cat: _Catalog, cal: _Calendar, units: np.ndarray, plan: _Plan, plant: bool,
               seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """End-of-day on_hand and in_transit per (day, SKU) from a periodic-review (order-up-to)
    policy on the actual units sold; returns (on_hand, in_transit, listed)."""
    rng = _rng(seed, model.index, "inventory")
    D, K = units.shape
    rel = np.arange(D) - (D - 1)
    listed = (rel[:, None] >= cat.launched[None, :]) & (rel[:, None] <= cat.off[None, :])
    lead_lo, lead_hi = {"furniture": (10, 25), "apparel": (7, 15)}.get(model.shop.category, (5, 12))
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
    if plant:
        _plant_stockout(on_hand, in_transit, units, plan)
    return on_hand, in_transit, listed


def _plant_stockout(on_hand: np.ndarray, in_transit: np.ndarray, units: np.ndarray, plan: _Plan) -> None:
    """Deliveries of the planted SKU stop: its stock runs down to exactly 0 at the end of the
    stockout day (the last delivery is sized for that) and stays 0, with nothing in transit."""
    i, s = plan.stock_sku, plan.stockout_win
    sold = units[:, i]
    need = np.cumsum(sold[::-1])[::-1]  # need[d] = units sold from d to the end
    start = max(1, s - 14)
    for d0 in range(max(1, s - 42), s - 13):
        remaining = need[d0 + 1] - need[s + 1] if s + 1 < len(need) else need[d0 + 1]
        if on_hand[d0 - 1, i] - sold[d0] <= remaining:  # a non-negative last delivery at d0
            start = d0
            break
    after = need[s + 1] if s + 1 < len(need) else 0
    for d in range(start, len(sold)):
        on_hand[d, i] = max(0, (need[d + 1] if d + 1 < len(need) else 0) - after) if d <= s else 0
        in_transit[d, i] = 0


# ================================================================================================
# Ads, customer service, targets, promotions
# ================================================================================================


def _smooth(x: np.ndarray, width: int = 7) -> np.ndarray:
    pad = np.r_[np.full(width // 2, x[:width].mean()), x, np.full(width // 2, x[-width:].mean())]
    return np.convolve(pad, np.ones(width) / width, mode="valid")


def _ads(model: _ShopModel, cal: _Calendar, dem: _Demand, daily: _Daily, plant: bool, seed: int) -> dict:
    rng = _rng(seed, model.index, "ads")
    D = cal.days
    ext = np.arange(cal.burn, cal.burn + D)
    boost = np.clip(dem.intensity[ext], 0, 1)
    gmv = daily.shop["paid_cents"] / 100.0
    orders = max(daily.shop["paid_orders"].sum(), 1)
    aov = gmv.sum() / orders
    total = model.ad_spend_ratio * _smooth(gmv) * (1 + 0.25 * boost) * np.exp(0.08 * rng.standard_normal(D))
    ws, we = cal.win(cal.week_start), cal.win(cal.week_end)
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
        planted = (c.channel, c.name) == model.planted_campaign
        if planted:
            roi = _ROI_BASELINE * np.exp(0.07 * rng.standard_normal(D))
            if plant:
                roi[ws:we + 1] *= _ROI_PLANTED / _ROI_BASELINE
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
    return {k: (np.asarray(v, dtype=object)[order] if k in ("channel", "campaign") else v[order]) for k, v in out.items()}


def _service(model: _ShopModel, cal: _Calendar, dem: _Demand, daily: _Daily, plant: bool, seed: int) -> dict:
    rng = _rng(seed, model.index, "service")
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
    if plant:
        complaint_rate[cal.win(cal.week_start):cal.win(cal.week_end) + 1] *= 2.0
    complaints = rng.poisson((complaint_rate * daily.shop["paid_orders"])[:, None] * p)
    keep = working | (cons > 0)
    d_idx, a_idx = np.nonzero(keep)
    return {
        "day": d_idx, "agent": a_idx, "consultations": cons[keep], "replied_30s": replied[keep],
        "first_response_s": first[keep], "inquiry_buyers": inquiry[keep], "inquiry_paid_buyers": inquiry_paid[keep],
        "reviews": reviews[keep], "good_reviews": good_reviews[keep], "complaints": complaints[keep],
    }


def _new_buyer_flags(paid: _Paid) -> np.ndarray:
    """True for payments with no paid order of the same customer in the 365 days before."""
    prev = _by_customer(paid)
    return (prev < 0) | (paid.sec - prev > 365 * 86_400)


class _Planner:
    """Plans as the operations director sets them: last year's GMV of the same period times the
    recent year-on-year trend (or, without a year of history, the recent GMV per unit of expected
    demand applied to the period's expected demand), plus a stretch of 4-12%."""

    def __init__(self, model: _ShopModel, cal: _Calendar, dem: _Demand, gmv: np.ndarray, seed: int):
        self.cal, self.model = cal, model
        self.rng = _rng(seed, model.index, "targets")
        self.expected = dem.w_det * dem.price_factor  # per ext day
        self.gmv = gmv

    def _expected(self, a: int, b: int) -> float:
        return float(self.expected[self.cal.burn + a:self.cal.burn + b + 1].sum())

    def _trend(self, a: int) -> float | None:
        """GMV of the 91 days before window day ``a`` vs the same days a year (364 days) earlier."""
        hi = min(a, self.cal.days)
        lo = hi - 91
        if lo - 364 < 0:
            return None
        return self.gmv[lo:hi].sum() / max(self.gmv[lo - 364:hi - 364].sum(), 1.0)

    def _level(self, a: int) -> float:
        hi = max(min(a, self.cal.days), min(91, self.cal.days))
        lo = max(0, hi - 91)
        return self.gmv[lo:hi].sum() / self._expected(lo, hi - 1) * self.model.growth ** (60 / 365.25)

    def gmv_target(self, first: dt.date, last: dt.date, last_year: tuple[dt.date, dt.date] | None = None) -> float:
        a, b = self.cal.win(first), self.cal.win(last)
        ly_a, ly_b = (self.cal.win(last_year[0]), self.cal.win(last_year[1])) if last_year else (a - 364, b - 364)
        trend = self._trend(a)
        if trend is not None and ly_a >= 0:
            base = self.gmv[ly_a:ly_b + 1].sum() * self._expected(a, b) / self._expected(ly_a, ly_b)
            value = base * trend
        else:
            value = self._level(a) * self._expected(a, b)
        return float(round(value * self.rng.uniform(1.04, 1.12), -2))


def _targets(model: _ShopModel, cal: _Calendar, dem: _Demand, paid: _Paid, daily: _Daily, ads: dict,
             seed: int) -> dict:
    gmv = daily.shop["paid_cents"] / 100.0
    plan = _Planner(model, cal, dem, gmv, seed)
    rows = {"period_type": [], "period": [], "metric": [], "value": []}

    def add(kind, period, metric, value):
        rows["period_type"].append(kind)
        rows["period"].append(period)
        rows["metric"].append(metric)
        rows["value"].append(float(value))

    # months of the data plus the next month
    month = cal.start.replace(day=1)
    last_month = (cal.end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months = []
    while month <= last_month:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        ly = (month.replace(year=month.year - 1), nxt.replace(year=nxt.year - 1) - dt.timedelta(days=1))
        value = plan.gmv_target(month, nxt - dt.timedelta(days=1), ly)
        months.append((month, value))
        add("month", month.strftime("%Y-%m"), "gmv", value)
        add("month", month.strftime("%Y-%m"), "new_customer_sales_share", 0.30)
        month = nxt
    quarters: dict[str, list] = {}
    for m, v in months:
        quarters.setdefault(f"{m.year}-Q{(m.month - 1) // 3 + 1}", []).append(v)
    for q, values in quarters.items():
        if len(values) == 3:
            add("quarter", q, "gmv", round(sum(values), -2))
        add("quarter", q, "new_customer_sales_share", 0.35)
    # weeks: GMV, conversion, ROI and new-buyer share, each from the 8 weeks before the week
    new = _new_buyer_flags(paid)
    spend = np.bincount(ads["day"], weights=ads["spend"], minlength=cal.days)
    attributed = np.bincount(ads["day"], weights=ads["amount"], minlength=cal.days)
    monday = cal.start - dt.timedelta(days=cal.start.weekday())
    wk_of_order = (paid.day + (cal.start - monday).days) // 7
    n_weeks = int(wk_of_order.max()) + 1 if paid.n else 0
    n_cust = int(paid.cust.max()) + 1
    buyers_w = _distinct_count(wk_of_order, paid.cust, n_weeks, n_cust)
    new_w = _distinct_count(wk_of_order[new], paid.cust[new], n_weeks, n_cust)
    week = monday
    while week <= cal.end + dt.timedelta(days=7):
        a = cal.win(week)
        lo, hi = max(0, a - 56), max(min(a, cal.days), min(56, cal.days))
        if hi <= lo:
            lo, hi = 0, min(56, cal.days)
        label = _iso_label(week)
        add("week", label, "gmv", plan.gmv_target(week, week + dt.timedelta(days=6)))
        conv = daily.shop["paid_buyers"][lo:hi].sum() / max(daily.shop["uv"][lo:hi].sum(), 1)
        add("week", label, "conversion_rate", round(conv * plan.rng.uniform(1.03, 1.08), 4))
        roi = attributed[lo:hi].sum() / max(spend[lo:hi].sum(), 1e-9)
        add("week", label, "roi", round(roi * plan.rng.uniform(1.02, 1.06), 2))
        w_lo, w_hi = (lo + (cal.start - monday).days) // 7, (hi - 1 + (cal.start - monday).days) // 7 + 1
        share = new_w[w_lo:w_hi].sum() / max(buyers_w[w_lo:w_hi].sum(), 1)
        add("week", label, "new_buyer_share", round(min(0.95, share * plan.rng.uniform(1.03, 1.08)), 4))
        week += dt.timedelta(days=7)
    return rows


def _promotion_rows(model: _ShopModel, cal: _Calendar, dem: _Demand, daily: _Daily, seed: int) -> dict:
    plan = _Planner(model, cal, dem, daily.shop["paid_cents"] / 100.0, seed + 1)
    last = cal.end + dt.timedelta(days=_FUTURE_DAYS - 1)
    rows = {k: [] for k in ("promo_id", "name", "event", "start_at", "end_at", "target_gmv", "budget")}
    for p in sorted(dem.promos, key=lambda p: p.start_at):
        if p.end_at.date() < cal.start or p.start_at.date() > last:
            continue
        first_day = max(p.start_at.date(), cal.start)
        target = plan.gmv_target(first_day, p.end_at.date())
        rows["promo_id"].append(p.promo_id)
        rows["name"].append(p.name)
        rows["event"].append(p.event)
        rows["start_at"].append(p.start_at)
        rows["end_at"].append(p.end_at)
        rows["target_gmv"].append(target)
        rows["budget"].append(float(round(target * model.ad_spend_ratio * 1.1, -2)))
    return rows


# ================================================================================================
# Writing
# ================================================================================================


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name in schemas.CONTRACTS:
        cols = ", ".join(f'"{c}" {sql_type(t)}' for c, t in schemas.columns_of(name).items())
        con.execute(f'CREATE TABLE "{name}" ({cols})')


def _insert(con: duckdb.DuckDBPyConnection, name: str, shop_id: str, data: dict, exprs: dict | None = None) -> None:
    """Append rows to ``name``: columns of ``data`` cast to the contract's types (or the SQL in
    ``exprs``), shop_id as a literal."""
    exprs = dict(exprs or {})
    exprs.setdefault("shop_id", "'" + shop_id.replace("'", "''") + "'")
    select = ", ".join(
        exprs.get(col, f'CAST("{col}" AS {sql_type(t)})') + f' AS "{col}"' for col, t in schemas.columns_of(name).items()
    )
    src = pa.table({k: (v if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.array(v)) for k, v in data.items()})
    con.register("_demo_src", src)
    try:
        con.execute(f'INSERT INTO "{name}" SELECT {select} FROM _demo_src')
    finally:
        con.unregister("_demo_src")


def _dates(cal: _Calendar, day: np.ndarray) -> pa.Array:
    return pa.array((np.datetime64(cal.start, "D") + day).astype("datetime64[D]"))


def _stamps(cal: _Calendar, seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    ts = (np.datetime64(cal.start, "s") + seconds).astype("datetime64[us]")
    return pa.array(ts, mask=missing) if missing is not None else pa.array(ts)


def _labels(codes: np.ndarray, values) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(list(values)))


def _fixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Strings ``prefix`` + zero-padded ``numbers`` built as one byte buffer (fast for millions)."""
    head = np.frombuffer(prefix.encode("utf-8"), np.uint8)
    n, size = len(numbers), len(head) + width
    buf = np.empty((n, size), np.uint8)
    buf[:, :len(head)] = head
    x = np.asarray(numbers, np.int64).copy()
    for j in range(size - 1, len(head) - 1, -1):
        x, digit = np.divmod(x, 10)
        buf[:, j] = digit + 48
    if x.any():
        raise ValueError(f"numbers do not fit in {width} digits")
    large = (n + 1) * size >= 2**31
    offsets = np.arange(0, (n + 1) * size, size, dtype=np.int64 if large else np.int32)
    return pa.Array.from_buffers(pa.large_string() if large else pa.string(), n,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(buf.ravel())])


def _money(cents_name: str) -> str:
    return f'CAST("{cents_name}" AS DOUBLE) / 100'


def _write_shop(con, model: _ShopModel, cal: _Calendar, cat: _Catalog, orders: _OrderTable, items: _Items,
                paid_n: int, daily: _Daily, inv, ads: dict, service: dict, targets: dict, promos: dict) -> None:
    sid = model.shop.shop_id
    s = model.shop
    _insert(con, "shops", sid, {"name": [s.name], "platform": [s.platform], "category": [s.category],
                                "currency": [s.currency]})
    _insert(con, "products", sid, {
        "sku_id": cat.sku_id, "product_name": cat.name,
        "category": [model.subcats[k].name for k in cat.subcat],
        "list_cents": cat.list_cents, "cost_cents": cat.cost_cents,
        "launched_on": pa.array((np.datetime64(cal.end, "D") + cat.launched).astype("datetime64[D]")),
        "status": ["off_shelf" if off < 0 else "on_shelf" for off in cat.off],
    }, {"list_price": _money("list_cents"), "unit_cost": _money("cost_cents")})
    o = _argsort_unique(orders.key)
    unpaid = orders.paid_at[o] < 0
    no_refund = orders.refunded_at[o] < 0
    prefix = model.customer_prefix
    _insert(con, "orders", sid, {
        "order_id": _fixed_ids(sid, orders.key[o], 13),
        "customer_id": _fixed_ids(prefix, orders.cust[o], 8),
        "created_at": _stamps(cal, orders.created[o]),
        "paid_at": _stamps(cal, np.maximum(orders.paid_at[o], 0), unpaid),
        "paid_cents": orders.cents[o], "refund_cents": orders.refund_cents[o],
        "refunded_at": _stamps(cal, np.maximum(orders.refunded_at[o], 0), no_refund),
        "status": _labels(orders.status[o], ORDER_STATUSES), "source": _labels(orders.src[o], SOURCES),
    }, {"paid_amount": _money("paid_cents"), "refund_amount": _money("refund_cents")})
    _insert(con, "order_items", sid, {
        "order_id": _fixed_ids(sid, orders.key[:paid_n][items.order], 13),
        "sku_id": _labels(items.sku, cat.sku_id), "quantity": items.qty, "cents": items.cents,
    }, {"paid_amount": _money("cents")})
    D = cal.days
    days = np.arange(D)
    sh = daily.shop
    _insert(con, "shop_daily", sid, {
        "date": _dates(cal, days), **{k: sh[k] for k in ("uv", "pv", "cart_users", "fav_users", "order_buyers",
                                                          "paid_buyers", "paid_orders", "units")},
        "paid_cents": sh["paid_cents"], "refund_cents": sh["refund_cents"],
    }, {"paid_amount": _money("paid_cents"), "refund_amount": _money("refund_cents")})
    tr = daily.traffic
    d_idx, s_idx = np.divmod(np.arange(D * len(SOURCES)), len(SOURCES))
    _insert(con, "traffic_daily", sid, {
        "date": _dates(cal, d_idx), "source": _labels(s_idx, SOURCES),
        **{k: tr[k].ravel() for k in ("uv", "pv", "cart_users", "fav_users", "order_buyers", "paid_buyers")},
        "paid_cents": tr["paid_cents"].ravel(),
    }, {"paid_amount": _money("paid_cents")})
    pr = daily.product
    d_idx, k_idx = np.nonzero(pr["uv"] > 0)
    _insert(con, "product_daily", sid, {
        "date": _dates(cal, d_idx), "sku_id": _labels(k_idx, cat.sku_id),
        **{k: pr[k][d_idx, k_idx] for k in ("uv", "cart_users", "fav_users", "paid_buyers", "units")},
        "paid_cents": pr["paid_cents"][d_idx, k_idx],
    }, {"paid_amount": _money("paid_cents")})
    on_hand, in_transit, listed = inv
    d_idx, k_idx = np.nonzero(listed)
    _insert(con, "inventory_daily", sid, {
        "date": _dates(cal, d_idx), "sku_id": _labels(k_idx, cat.sku_id),
        "on_hand": on_hand[d_idx, k_idx], "in_transit": in_transit[d_idx, k_idx],
    })
    _insert(con, "ads_daily", sid, {
        "date": _dates(cal, ads["day"]), "channel": list(ads["channel"]), "campaign": list(ads["campaign"]),
        "impressions": ads["impressions"], "clicks": ads["clicks"], "spend": ads["spend"],
        "attributed_orders": ads["orders"], "attributed_amount": ads["amount"],
    })
    agents = [f"{sid}-kf{a + 1:02d}" for a in range(model.agents)]
    _insert(con, "service_daily", sid, {
        "date": _dates(cal, service["day"]), "agent_id": _labels(service["agent"], agents),
        **{k: service[k] for k in ("consultations", "replied_30s", "first_response_s", "inquiry_buyers",
                                   "inquiry_paid_buyers", "reviews", "good_reviews", "complaints")},
    })
    _insert(con, "targets", sid, targets)
    _insert(con, "promotions", sid, {
        **{k: promos[k] for k in ("promo_id", "name", "event", "target_gmv", "budget")},
        "start_at": pa.array(promos["start_at"], pa.timestamp("us")),
        "end_at": pa.array(promos["end_at"], pa.timestamp("us")),
    })


# ================================================================================================
# Orchestration
# ================================================================================================


def _build_shop(con, model: _ShopModel, cal: _Calendar, orders_per_shop: int, seed: int, plant: bool) -> None:
    dem = _demand(model, cal, seed)
    cat = _catalog(model)
    plan = _plan(model, cat, cal, dem)
    target_paid = int(round(orders_per_shop * 0.955))
    paid = _paid_orders(model, cal, dem, target_paid, seed)
    if plant:
        paid = _plant_dormant(paid, model, cal, dem, seed)
    paid = paid.by_time()
    items, wts = _items(paid, model, cat, cal, dem, plan, plant, seed)
    pre_orders = np.bincount(paid.day, minlength=cal.days)
    if plant:
        paid, items = _plant_conversion_drop(paid, items, cal, plan, seed, model.index)
    orders = _orders_table(paid, items, model, cat, cal, dem, plan, plant, seed)
    _assign_keys(orders, cal)
    daily = _daily_tables(paid, items, orders, model, cat, cal, dem, plan, plant, wts, pre_orders, seed)
    inv = _inventory(model, cat, cal, daily.product["units"], plan, plant, seed)
    ads = _ads(model, cal, dem, daily, plant, seed)
    service = _service(model, cal, dem, daily, plant, seed)
    targets = _targets(model, cal, dem, paid, daily, ads, seed)
    promos = _promotion_rows(model, cal, dem, daily, seed)
    _write_shop(con, model, cal, cat, orders, items, paid.n, daily, inv, ads, service, targets, promos)


def build_demo_warehouse(
    path: str | os.PathLike,
    *,
    orders_per_shop: int = 180_000,
    days: int = 730,
    end_date: dt.date = DEMO_END_DATE,
    seed: int = 20261122,
    plant_events: bool = True,
) -> dict[str, int]:
    """Write the demo warehouse to ``path`` (a DuckDB file) and return the row count per table.

    ``orders_per_shop`` is the approximate number of rows in ``orders`` per shop (about 95.5%
    of them paid); ``days`` the length of the daily history ending on ``end_date``. The file is
    written to a temporary file beside ``path`` and moved into place only when complete.
    """
    if orders_per_shop < 1_000:
        raise ValueError(f"orders_per_shop must be at least 1,000 (got {orders_per_shop})")
    if not 70 <= days <= 1095:
        raise ValueError(f"days must be between 70 and 1095 (got {days}): the planted events need ~10 weeks "
                         "of history and the demo catalogue goes back about four years")
    cal = _Calendar.make(end_date, days)
    with new_warehouse_file(path) as con:
        # FSST for every string column: same file size, ~2x faster than letting DuckDB also
        # try dictionary compression on millions of unique order and customer ids
        con.execute("SET force_compression='fsst'")
        _create_tables(con)
        for model in _MODELS:
            _build_shop(con, model, cal, orders_per_shop, seed, plant_events)
        con.execute("CHECKPOINT")
        counts = {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
                  for name in schemas.CONTRACTS}
    return counts


PLANTED: dict[str, PlantedEvents] = planted_events(DEMO_END_DATE)
