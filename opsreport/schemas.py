"""Data contracts of the canonical warehouse tables, one pandera model per table.

Validation runs inside the warehouse engine (pandera's Ibis backend), so a 10-million-row
orders table is checked without being pulled into pandas, and it is lazy: every problem of
every table is collected and reported at once.

Conventions: money in the shop's currency as floats (`*_amount`, `*_price`, `spend`; the
currency is `shops.currency`, ISO 4217, CNY for every shop of a Chinese platform), rates never
stored, counts as integers, dates as DATE, instants as TIMESTAMP (Beijing time, as the platforms
export them).

Optional columns say ``nullable=True`` (``optional_columns()`` lists them): the column is always
there, and NULL means "the export did not say", never zero; values that are present are still
checked. (pandera's ``Optional[...]`` would instead let the column itself be absent.) Beside the column checks, each table has row rules (``ROW_RULES``) that a single column
cannot express: a refund above its order's paid amount, a row dated after the as-of date.

As-of date: today in Beijing time (``as_of_today()``), the zone the platforms date their data in.
No canonical row can describe a day after it; a stray future row (a mistyped year) is reported by
the check that runs before every report, naming its table, key and date, instead of making
``week=last`` pick a week without data later. Plans (targets, promotions) and launch dates may lie
in the future and are not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Optional

import ibis
import ibis.expr.datatypes as idt
import pandera.errors as pa_errors
from pandera.ibis import DataFrameModel, Field

from .errors import ContractError

PLATFORMS = ["tmall", "taobao", "jd", "douyin"]
ORDER_STATUSES = [
    "pending_payment",  # created, not paid: never GMV
    "paid",
    "shipped",
    "completed",
    "refunding",
    "refunded",
    "closed",  # closed before payment, or fully refunded then closed
]


class _Contract(DataFrameModel):
    class Config:
        strict = False  # extra columns are allowed: importers may keep platform fields


class Shops(_Contract):
    shop_id: str
    name: str
    platform: str = Field(isin=PLATFORMS)
    category: str
    # ISO 4217 code of every amount of the shop (CNY, GBP, ...). Warehouse files written before
    # the column existed read as CNY (LEGACY_DEFAULTS), the only currency their shops used.
    currency: str = Field(str_matches=r"^[A-Z]{3}$")

    class Config:
        unique = ["shop_id"]  # table-level: pandera's Ibis backend ignores Field(unique=True)


class Products(_Contract):
    shop_id: str
    sku_id: str
    product_name: str
    category: str
    # product reports and order exports carry no list price: empty until a catalogue provides it
    list_price: Optional[float] = Field(ge=0, nullable=True)
    unit_cost: float = Field(ge=0, nullable=True)
    launched_on: dt.date = Field(nullable=True)
    status: str = Field(isin=["on_shelf", "off_shelf"])

    class Config:
        unique = ["shop_id", "sku_id"]


class Orders(_Contract):
    shop_id: str
    order_id: str
    customer_id: str
    created_at: dt.datetime
    paid_at: Optional[dt.datetime] = Field(nullable=True)
    paid_amount: float = Field(ge=0)
    refund_amount: float = Field(ge=0)
    refunded_at: Optional[dt.datetime] = Field(nullable=True)
    status: str = Field(isin=ORDER_STATUSES)
    source: Optional[str] = Field(nullable=True)

    class Config:
        unique = ["shop_id", "order_id"]


class OrderItems(_Contract):
    shop_id: str
    order_id: str
    sku_id: str
    quantity: int = Field(ge=0)
    paid_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "order_id", "sku_id"]


class ShopDaily(_Contract):
    """The platform's shop overview per day (UV is distinct visitors of that day).

    Required: UV, paid buyers and paid amount, the three numbers every overview export (生意参谋,
    京东商智, 抖店罗盘) carries and without which the day says nothing (GMV and conversion).
    Everything else is a metric the user picks in the export dialog, so an export may lack it.
    """

    shop_id: str
    date: dt.date
    uv: int = Field(ge=0)
    # optional: PV is an indicator the export dialogs let users leave out
    pv: int = Field(ge=0, nullable=True)
    # optional: funnel steps (cart, favourite, order) are picked indicators, absent from slim exports
    cart_users: int = Field(ge=0, nullable=True)
    fav_users: int = Field(ge=0, nullable=True)
    order_buyers: int = Field(ge=0, nullable=True)
    paid_buyers: int = Field(ge=0)
    # optional: orders and units are picked indicators (orders and order_items also give them)
    paid_orders: int = Field(ge=0, nullable=True)
    units: int = Field(ge=0, nullable=True)
    paid_amount: float = Field(ge=0)
    # optional: several overview views have no refund column; refunds also come from orders
    refund_amount: float = Field(ge=0, nullable=True)

    class Config:
        unique = ["shop_id", "date"]


class TrafficDaily(_Contract):
    """Traffic per source and day. Required: UV, paid buyers and paid amount (a source's reach,
    conversion and sales); the other indicators are optional, as in the shop overview."""

    shop_id: str
    date: dt.date
    source: str
    uv: int = Field(ge=0)
    pv: int = Field(ge=0, nullable=True)  # optional: a picked indicator
    cart_users: int = Field(ge=0, nullable=True)  # optional: funnel steps are picked indicators
    fav_users: int = Field(ge=0, nullable=True)
    order_buyers: int = Field(ge=0, nullable=True)
    paid_buyers: int = Field(ge=0)
    paid_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "source"]


class ProductDaily(_Contract):
    """Per SKU and day. Required: UV, paid buyers, units and paid amount (units drive days of
    cover, and every product export has 支付件数); cart and favourite users are optional."""

    shop_id: str
    date: dt.date
    sku_id: str
    uv: int = Field(ge=0)
    cart_users: int = Field(ge=0, nullable=True)  # optional: funnel steps are picked indicators
    fav_users: int = Field(ge=0, nullable=True)
    paid_buyers: int = Field(ge=0)
    units: int = Field(ge=0)
    paid_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "sku_id"]


class InventoryDaily(_Contract):
    """Stock at the end of the day."""

    shop_id: str
    date: dt.date
    sku_id: str
    on_hand: int = Field(ge=0)
    in_transit: int = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "sku_id"]


class AdsDaily(_Contract):
    shop_id: str
    date: dt.date
    channel: str
    campaign: str
    impressions: int = Field(ge=0)
    clicks: int = Field(ge=0)
    spend: float = Field(ge=0)
    attributed_orders: int = Field(ge=0)
    attributed_amount: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "channel", "campaign"]


class ServiceDaily(_Contract):
    """Customer service per agent and day; first_response_s is that day's average."""

    shop_id: str
    date: dt.date
    agent_id: str
    consultations: int = Field(ge=0)
    replied_30s: int = Field(ge=0)
    first_response_s: float = Field(ge=0)
    inquiry_buyers: int = Field(ge=0)
    inquiry_paid_buyers: int = Field(ge=0)
    reviews: int = Field(ge=0)
    good_reviews: int = Field(ge=0)
    complaints: int = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "agent_id"]


class Targets(_Contract):
    shop_id: str
    period_type: str = Field(isin=["week", "month", "quarter", "year"])
    period: str  # 2026-W47, 2026-11, 2026-Q4, 2026
    metric: str
    value: float

    class Config:
        unique = ["shop_id", "period_type", "period", "metric"]


class Promotions(_Contract):
    shop_id: str
    promo_id: str
    name: str
    event: str  # 618, double11, shop_event, ...
    start_at: dt.datetime
    end_at: dt.datetime
    target_gmv: float = Field(ge=0)
    budget: float = Field(ge=0)

    class Config:
        unique = ["shop_id", "promo_id"]


PROMOTION_PHASES = [
    "warmup",  # 预热: build-up, add to cart and favourites; sales at ordinary or early-bird prices
    "deposit",  # 付定金: pre-sale deposits (not GMV: 支付金额 counts when the balance is paid)
    "balance",  # 付尾款: pre-sale balances paid, first wave of sales
    "burst",  # 爆发: the peak day(s)
    "encore",  # 返场: the days after the peak
]


class PromotionPhases(_Contract):
    """The phases of a promotion (``promotions``), each a half-open stretch of time inside it."""

    shop_id: str
    promo_id: str
    phase: str = Field(isin=PROMOTION_PHASES)
    start_at: dt.datetime  # first instant of the phase (Beijing time)
    end_at: dt.datetime  # last instant of the phase (Beijing time, e.g. 23:59:59), not before start_at
    # GMV target of the phase in the shop's currency; empty when the phase has none (deposits)
    target_gmv: Optional[float] = Field(ge=0, nullable=True)

    class Config:
        unique = ["shop_id", "promo_id", "phase"]


class PromoSkus(_Contract):
    """The SKUs signed up for a promotion and their promotion price."""

    shop_id: str
    promo_id: str
    sku_id: str
    promo_price: float = Field(ge=0)  # price per unit during the promotion, shop's currency
    # units of stock reserved for the promotion; empty when the export does not say
    stock_allocated: Optional[int] = Field(ge=0, nullable=True)

    class Config:
        unique = ["shop_id", "promo_id", "sku_id"]


class PriceHistory(_Contract):
    """The selling price of each SKU per day (what a buyer paid per unit before coupons)."""

    shop_id: str
    date: dt.date
    sku_id: str
    price: float = Field(ge=0)  # price per unit that day, shop's currency

    class Config:
        unique = ["shop_id", "date", "sku_id"]


class Coupons(_Contract):
    """A promotion's coupons (满减 tiers): ``discount`` off an order of at least ``threshold``."""

    shop_id: str
    promo_id: str
    coupon_id: str
    threshold: float = Field(ge=0)  # minimum order amount, shop's currency (0: no threshold)
    discount: float = Field(ge=0)  # amount off, shop's currency
    issued: int = Field(ge=0)  # coupons claimed by buyers (count)
    redeemed: int = Field(ge=0)  # coupons used in paid orders (count), at most issued

    class Config:
        unique = ["shop_id", "promo_id", "coupon_id"]


class PresaleOrders(_Contract):
    """Pre-sale (预售) orders, one row per order: a deposit paid in the promotion's deposit phase and
    the balance due after it.

    支付金额 (GMV) counts when the balance is paid: an order whose balance is paid is also in
    ``orders``, with paid_at = balance_paid_at and paid_amount = deposit_amount + balance_amount; a
    deposit never completed has no paid row in ``orders`` (a deposit alone is not GMV).
    """

    shop_id: str
    promo_id: str
    order_id: str  # the order's id in ``orders`` once its balance is paid
    customer_id: str
    quantity: int = Field(ge=0)  # units ordered
    deposit_paid_at: dt.datetime
    deposit_amount: float = Field(ge=0)  # shop's currency
    balance_amount: float = Field(ge=0)  # the balance due, paid or not (shop's currency)
    # when the balance was paid, not before the deposit; empty: never paid
    balance_paid_at: Optional[dt.datetime] = Field(nullable=True)

    class Config:
        unique = ["shop_id", "order_id"]


class PromoAdBudgets(_Contract):
    """The paid-ads budget of each ad channel (``channel`` as in ``ads_daily``) for a promotion,
    set before it starts; the channels' budgets share the promotion's ``promotions.budget``."""

    shop_id: str
    promo_id: str
    channel: str
    budget: float = Field(ge=0)  # shop's currency

    class Config:
        unique = ["shop_id", "promo_id", "channel"]


# The competitor teardown's tables. Platform competitor tools (生意参谋 竞店/竞品, 京东商智 竞争) show
# a competitor by its shop name and nothing else, so ``competitor_id`` is that name everywhere; the
# observing shop's own row in an export that lists it beside its competitors (its index values,
# needed to calibrate indices against real values) has ``competitor_id`` = OWN_SHOP.
OWN_SHOP = "self"
COMPETITOR_TIERS = [
    "above",  # a larger shop we chase (头部)
    "same",  # same tier: same category, similar price band and size
    "below",  # a smaller shop that chases us
]


class Competitors(_Contract):
    """A competitor shop someone in the shop follows."""

    shop_id: str
    competitor_id: str  # the competitor's shop name as the platform shows it
    platform: str = Field(isin=PLATFORMS)
    category: str  # its main category, in the shop's own words

    class Config:
        unique = ["shop_id", "competitor_id"]


class CompetitorSets(_Contract):
    """The shop's chosen competitor set: who it compares itself with, since when and why."""

    shop_id: str
    competitor_id: str
    tier: str = Field(isin=COMPETITOR_TIERS)
    reason: str  # why this shop is in the set (same price band, shares our buyers, ...)
    added_on: dt.date
    removed_on: Optional[dt.date] = Field(nullable=True)  # empty: still in the set

    class Config:
        unique = ["shop_id", "competitor_id"]


class CompetitorDaily(_Contract):
    """Daily INDEX values of each competitor (and of the shop itself, ``competitor_id`` = OWN_SHOP)
    from the platform's competition tool.

    The indices are a proprietary monotone, non-linear transform of real values (交易指数 of 支付金额,
    流量指数 of 访客数, 搜索人气 of 搜索人数, 收藏人气 / 加购人气 of 收藏 / 加购人数, 客群指数 of 支付买家数,
    支付转化指数 of 支付转化率): never add, average, divide or take growth rates of them; compare ranks
    and trends, or convert them to estimates first (analyses/index_calibration.py). Only the
    trade index is required; the export dialog lets users leave the others out.
    """

    shop_id: str
    date: dt.date
    competitor_id: str
    trade_index: float = Field(ge=0)  # 交易指数
    traffic_index: Optional[float] = Field(ge=0, nullable=True)  # 流量指数
    search_index: Optional[float] = Field(ge=0, nullable=True)  # 搜索人气
    fav_index: Optional[float] = Field(ge=0, nullable=True)  # 收藏人气
    cart_index: Optional[float] = Field(ge=0, nullable=True)  # 加购人气
    conversion_index: Optional[float] = Field(ge=0, nullable=True)  # 支付转化指数
    buyer_index: Optional[float] = Field(ge=0, nullable=True)  # 客群指数

    class Config:
        unique = ["shop_id", "date", "competitor_id"]


class CompetitorTraffic(_Contract):
    """Each competitor's (and the shop's own, OWN_SHOP) traffic index per source and day, from the
    competition tool's 入店来源 comparison; ``source`` uses traffic_daily's canonical sources."""

    shop_id: str
    date: dt.date
    competitor_id: str
    source: str  # search, recommendation, paid_ads, live_stream, short_video, direct, external
    traffic_index: float = Field(ge=0)  # 流量指数 of the source's visitors

    class Config:
        unique = ["shop_id", "date", "competitor_id", "source"]


class CompetitorProducts(_Contract):
    """What a competitor's product page showed on a day (a 竞品 export or the tracking sheet)."""

    shop_id: str
    observed_on: dt.date
    competitor_id: str
    product_id: str  # the platform's item id
    product_name: str
    category: Optional[str] = Field(nullable=True)  # sub-category in the shop's own words
    price: float = Field(ge=0)  # everyday price per unit
    promo_price: Optional[float] = Field(ge=0, nullable=True)  # price shown after the item's promotion; empty: none
    monthly_sales: Optional[int] = Field(ge=0, nullable=True)  # units sold in the last 30 days (月销量)
    sales_index: Optional[float] = Field(ge=0, nullable=True)  # the product's 交易指数, when units are not shown
    rating: Optional[float] = Field(ge=0, le=5, nullable=True)  # review score out of 5
    reviews: Optional[int] = Field(ge=0, nullable=True)  # reviews so far (cumulative)

    class Config:
        unique = ["shop_id", "observed_on", "competitor_id", "product_id"]


class CompetitorPromos(_Contract):
    """A competitor's promotion: dates, mechanic and depth (share taken off the everyday price)."""

    shop_id: str
    competitor_id: str
    promo_name: str
    start_date: dt.date
    end_date: dt.date  # last day, not before start_date
    mechanic: str  # 满减, 直降, 券, 赠品, ... as written
    depth: float = Field(ge=0, lt=1)  # 0.2 = 20% off

    class Config:
        unique = ["shop_id", "competitor_id", "promo_name", "start_date"]


class CompetitorReviews(_Contract):
    """Bad reviews of a competitor per day and tag (问题标签), when the review tool gives tags."""

    shop_id: str
    date: dt.date
    competitor_id: str
    tag: str  # 质量问题, 色差, 物流慢, ... as written
    bad_reviews: int = Field(ge=0)

    class Config:
        unique = ["shop_id", "date", "competitor_id", "tag"]


class SkuMatches(_Contract):
    """Which competitor product is the counterpart of which of our SKUs (same use, size and tier)."""

    shop_id: str
    sku_id: str
    competitor_id: str
    product_id: str
    note: Optional[str] = Field(nullable=True)  # how they match, e.g. 同规格 50ml

    class Config:
        unique = ["shop_id", "sku_id", "competitor_id", "product_id"]


# The appraisal's tables. They describe people and a team, not a shop, so they carry no shop_id
# (a person's shops are in staff_assignments). ``period`` is a month (2026-10) or a quarter
# (2026-Q3). Names stay in ``staff``; every other table refers to people by staff_id only.
APPRAISAL_EVENT_KINDS = [
    "late_response",  # a promotion-prep request answered after more than 24 h (hours: how long it took)
    "incident_delay",  # an incident whose response started late (hours: from the incident to the start)
    "compliance_violation",  # a listing or promotion broke the platform's rules (platform_penalty: did it cost one)
    "sop_document",  # a reusable SOP or case document, accepted by the manager
    "innovation",  # a new way of working whose effect was validated with data
    "cost_saving",  # a cost saving achieved (supply, ads, process)
]
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"


class Staff(_Contract):
    """The people appraised: role (which rubric applies), team and manager."""

    staff_id: str
    name: str
    role: str  # a rubric's role key, e.g. shop_operator
    team: str
    manager_id: Optional[str] = Field(nullable=True)  # empty: the team's head
    joined_on: Optional[dt.date] = Field(nullable=True)
    left_on: Optional[dt.date] = Field(nullable=True)  # empty: still in the team

    class Config:
        unique = ["staff_id"]


class StaffAssignments(_Contract):
    """Which shops (or one sub-category of a shop) a person runs, from when, and with what share of
    the results: a shop run by two people has two rows whose shares add up to 1."""

    staff_id: str
    shop_id: str
    category: Optional[str] = Field(nullable=True)  # a sub-category of the shop; empty: the whole shop
    share: float = Field(gt=0, le=1)
    start_date: dt.date
    end_date: Optional[dt.date] = Field(nullable=True)  # last day; empty: ongoing

    class Config:
        unique = ["staff_id", "shop_id", "category", "start_date"]


class StaffTargets(_Contract):
    """A person's own targets for a period, where they differ from what their shops' targets give
    (metric: sales_amount, roi, new_customer_sales_share)."""

    staff_id: str
    period: str = Field(str_matches=PERIOD_PATTERN)
    metric: str
    value: float = Field(ge=0)

    class Config:
        unique = ["staff_id", "period", "metric"]


class IndustryBenchmarks(_Contract):
    """The industry's average per category and month (生意参谋 行业大盘): conversion_rate, and
    repurchase_rate for categories where buyers come back (no row: the category has no repurchase)."""

    category: str  # a shop category (beauty) or sub-category (面部护理)
    period: str = Field(str_matches=PERIOD_PATTERN)
    metric: str = Field(isin=["conversion_rate", "repurchase_rate", "market_growth"])
    value: float

    class Config:
        unique = ["category", "period", "metric"]


class AppraisalEvents(_Contract):
    """What no platform records and the director enters: late responses, incident delays, compliance
    violations, documents, innovations, cost savings (one row each)."""

    staff_id: str
    event_id: str  # unique per person (the template numbers the rows)
    occurred_on: dt.date
    kind: str = Field(isin=APPRAISAL_EVENT_KINDS)
    hours: Optional[float] = Field(ge=0, nullable=True)  # late_response, incident_delay
    platform_penalty: Optional[bool] = Field(nullable=True)  # compliance_violation
    note: Optional[str] = Field(nullable=True)

    class Config:
        unique = ["staff_id", "event_id"]


class AppraisalRatings(_Contract):
    """Collaboration scores (0-100) given by partner teams (design, service, supply chain) for a period."""

    staff_id: str
    period: str = Field(str_matches=PERIOD_PATTERN)
    rater_team: str
    score: float = Field(ge=0, le=100)

    class Config:
        unique = ["staff_id", "period", "rater_team"]


class AppraisalBudgets(_Contract):
    """A person's paid-ads budget and what was spent, per period (from finance or the ads tools)."""

    staff_id: str
    period: str = Field(str_matches=PERIOD_PATTERN)
    budget: float = Field(ge=0)
    spend: float = Field(ge=0)

    class Config:
        unique = ["staff_id", "period"]


class AppraisalSnapshots(_Contract):
    """A closed period's frozen inputs: a later run reads these, not the live tables, so it
    reproduces the scores; ``fingerprint`` is the SHA-256 of ``inputs_json``."""

    team: str
    period: str = Field(str_matches=PERIOD_PATTERN)
    closed_at: dt.datetime
    fingerprint: str
    inputs_json: str

    class Config:
        unique = ["team", "period"]


class AppraisalRescores(_Contract):
    """The log of re-scores of closed periods: when, why, and what changed."""

    team: str
    period: str = Field(str_matches=PERIOD_PATTERN)
    rescored_at: dt.datetime
    reason: str
    fingerprint_before: str
    fingerprint_after: str
    changes_json: str

    class Config:
        unique = ["team", "period", "rescored_at"]


CONTRACTS: dict[str, type[DataFrameModel]] = {
    "shops": Shops,
    "products": Products,
    "orders": Orders,
    "order_items": OrderItems,
    "shop_daily": ShopDaily,
    "traffic_daily": TrafficDaily,
    "product_daily": ProductDaily,
    "inventory_daily": InventoryDaily,
    "ads_daily": AdsDaily,
    "service_daily": ServiceDaily,
    "targets": Targets,
    "promotions": Promotions,
    "promotion_phases": PromotionPhases,
    "promo_skus": PromoSkus,
    "price_history": PriceHistory,
    "coupons": Coupons,
    "presale_orders": PresaleOrders,
    "promo_ad_budgets": PromoAdBudgets,
    "competitors": Competitors,
    "competitor_sets": CompetitorSets,
    "competitor_daily": CompetitorDaily,
    "competitor_traffic": CompetitorTraffic,
    "competitor_products": CompetitorProducts,
    "competitor_promos": CompetitorPromos,
    "competitor_reviews": CompetitorReviews,
    "sku_matches": SkuMatches,
    "staff": Staff,
    "staff_assignments": StaffAssignments,
    "staff_targets": StaffTargets,
    "industry_benchmarks": IndustryBenchmarks,
    "appraisal_events": AppraisalEvents,
    "appraisal_ratings": AppraisalRatings,
    "appraisal_budgets": AppraisalBudgets,
    "appraisal_snapshots": AppraisalSnapshots,
    "appraisal_rescores": AppraisalRescores,
}


# Columns a warehouse file written before they existed may lack, and the value they then have.
LEGACY_DEFAULTS: dict[str, dict[str, object]] = {
    "shops": {"currency": "CNY"},  # every shop of those files sold on a Chinese platform in yuan
}

# The zone the platforms date their data in (China has no daylight saving time).
PLATFORM_ZONE = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def as_of_today() -> dt.date:
    """The as-of date: no canonical row can be dated after it (today in Beijing time)."""
    return dt.datetime.now(PLATFORM_ZONE).date()


@dataclass(frozen=True)
class RowRule:
    """A condition on each row that a single-column check cannot express.

    ``broken(table, as_of)`` selects the rows that break it; ``columns`` are the columns it reads
    (shown beside each cited row); ``what`` says the rule (``{as_of}`` is filled in).
    """

    columns: tuple[str, ...]
    broken: Callable[[ibis.Table, dt.date], ibis.expr.types.BooleanColumn]
    what: str


# A refund may round to a cent above the paid amount; more is nonsense.
REFUND_TOLERANCE = 0.005

# The dated columns of each table that cannot lie after the as-of date.
DATED_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("created_at", "paid_at", "refunded_at"),
    "shop_daily": ("date",),
    "traffic_daily": ("date",),
    "product_daily": ("date",),
    "inventory_daily": ("date",),
    "ads_daily": ("date",),
    "service_daily": ("date",),
    "price_history": ("date",),
    "presale_orders": ("deposit_paid_at", "balance_paid_at"),
    "competitor_daily": ("date",),
    "competitor_traffic": ("date",),
    "competitor_products": ("observed_on",),
    "competitor_reviews": ("date",),
    "appraisal_events": ("occurred_on",),
}


def _after_as_of(column: str) -> RowRule:
    def broken(t: ibis.Table, as_of: dt.date):
        value = t[column]
        day = value.date() if value.type().is_timestamp() else value
        return day.notnull() & (day > as_of)

    return RowRule((column,), broken, f"column '{column}' is after the as-of date {{as_of}} (today in Beijing time)")


ROW_RULES: dict[str, list[RowRule]] = {
    name: [_after_as_of(c) for c in columns] for name, columns in DATED_COLUMNS.items()
}
ROW_RULES["orders"].insert(0, RowRule(
    ("refund_amount", "paid_amount"),
    lambda t, _: t.refund_amount > t.paid_amount + REFUND_TOLERANCE,
    "refund_amount must not exceed the order's paid_amount",
))
ROW_RULES["coupons"] = [RowRule(
    ("redeemed", "issued"),
    lambda t, _: t.redeemed > t.issued,
    "redeemed must not exceed issued",
)]
ROW_RULES["presale_orders"].insert(0, RowRule(
    ("balance_paid_at", "deposit_paid_at"),
    lambda t, _: t.balance_paid_at.notnull() & (t.balance_paid_at < t.deposit_paid_at),
    "balance_paid_at must not be before deposit_paid_at",
))
ROW_RULES["competitor_promos"] = [RowRule(
    ("start_date", "end_date"),
    lambda t, _: t.end_date < t.start_date,
    "end_date must not be before start_date",
)]
ROW_RULES["competitor_sets"] = [RowRule(
    ("added_on", "removed_on"),
    lambda t, _: t.removed_on.notnull() & (t.removed_on < t.added_on),
    "removed_on must not be before added_on",
)]
ROW_RULES["staff_assignments"] = [RowRule(
    ("start_date", "end_date"),
    lambda t, _: t.end_date.notnull() & (t.end_date < t.start_date),
    "end_date must not be before start_date",
)]
ROW_RULES["promotion_phases"] = [RowRule(
    ("start_at", "end_at"),
    lambda t, _: t.end_at < t.start_at,
    "end_at must not be before start_at",
)]


def optional_columns(table_name: str) -> list[str]:
    """The contract's optional columns (NULL when the export did not say), in contract order."""
    schema = CONTRACTS[table_name].to_schema()
    return [name for name, col in schema.columns.items() if col.nullable]


def key_of(table_name: str) -> list[str]:
    """The columns that identify a row of the table."""
    return list(CONTRACTS[table_name].to_schema().unique or [])


def columns_of(table_name: str) -> dict[str, idt.DataType]:
    """The contract's columns and their canonical Ibis types, in contract order."""
    schema = CONTRACTS[table_name].to_schema()
    return {name: _canonical_type(col.dtype) for name, col in schema.columns.items()}


def _canonical_type(pandera_dtype) -> idt.DataType:
    return ibis.dtype(pandera_dtype.type)


def _same_family(actual: idt.DataType, expected: idt.DataType) -> bool:
    if expected.is_integer():
        return actual.is_integer()
    if expected.is_floating():
        return actual.is_numeric()
    if expected.is_timestamp():
        return actual.is_timestamp()
    if expected.is_date():
        return actual.is_date()
    if expected.is_string():
        return actual.is_string()
    return actual == expected


def conform(table: ibis.Table, table_name: str) -> tuple[ibis.Table, list[str]]:
    """Cast columns of the right family to the contract's exact type (int32 -> int64, ...).

    Returns the cast table and one message per column whose type is of the wrong family
    (text where a number is expected, ...); those columns are left as they are. A column of
    ``LEGACY_DEFAULTS`` that the table lacks is added with its default value.
    """
    legacy = {c: v for c, v in LEGACY_DEFAULTS.get(table_name, {}).items() if c not in table.columns}
    if legacy:
        table = table.mutate(**{c: ibis.literal(v) for c, v in legacy.items()})
    problems = []
    casts = {}
    for name, expected in columns_of(table_name).items():
        if name not in table.columns:
            continue  # pandera reports missing columns
        actual = table[name].type()
        if actual == expected:
            continue
        if _same_family(actual, expected) or actual.is_null():
            casts[name] = table[name].cast(expected)
        else:
            problems.append(f"column '{name}' has type {actual}, expected {expected}")
    return (table.mutate(**casts) if casts else table), problems


def validate(table: ibis.Table, table_name: str, row_columns: Sequence[str] = (),
             as_of: dt.date | None = None) -> ibis.Table:
    """Check ``table`` against its contract and row rules; raise ContractError listing every problem.

    Failing rows are cited by the table's key (``order_id=o3 (paid_amount=-1.0)``), or, when
    ``row_columns`` are given, by those extra columns of ``table`` that say where a row comes
    from (an importer's "orders.csv, row 7"). ``as_of``: no row may be dated after it (default:
    ``as_of_today()``).
    """
    conformed, type_problems = conform(table, table_name)
    model = CONTRACTS[table_name]
    problems = list(type_problems)
    if _is_empty(conformed):  # pandera's Ibis backend fails every check of a table without rows
        missing = [c for c in columns_of(table_name) if c not in conformed.columns]
        if missing:
            problems.insert(0, f"missing column(s): {', '.join(missing)}; the table has: {', '.join(conformed.columns)}")
        if problems:
            raise ContractError(_format(table_name, problems))
        return conformed
    cite = list(row_columns) or key_of(table_name)
    schema, direct = _split_checks(model, conformed)
    try:
        schema.validate(conformed, lazy=True)
    except pa_errors.SchemaErrors as exc:
        problems.extend(_describe(exc, conformed, type_problems, list(row_columns)))
    except pa_errors.SchemaError as exc:  # pragma: no cover - lazy=True collects them
        problems.append(str(exc).splitlines()[0])
    problems.extend(_direct_check_problems(conformed, table_name, direct, type_problems, list(row_columns)))
    problems.extend(_rule_problems(conformed, table_name, type_problems, cite, bool(row_columns),
                                   as_of or as_of_today()))
    if problems:
        raise ContractError(_format(table_name, problems))
    return conformed


# pandera's Ibis backend joins each value check's output back to the table by position; where the
# backend has no positional join (PostgreSQL) it joins on ROW_NUMBER() OVER (), which is slow and
# does not guarantee that the rows line up (parallel or synchronised scans). There the value checks
# below run as one filter each, citing rows exactly as _check_message does for pandera's failures.
DIRECT_CHECKS: dict[str, tuple[str, Callable]] = {
    "greater_than_or_equal_to": ("min_value", lambda v, b: v >= b),
    "less_than_or_equal_to": ("max_value", lambda v, b: v <= b),
    "greater_than": ("min_value", lambda v, b: v > b),
    "less_than": ("max_value", lambda v, b: v < b),
    "isin": ("allowed_values", lambda v, b: v.isin(list(b))),
    "str_matches": ("pattern", lambda v, b: v.re_search(str(b))),
}


def _split_checks(model: type[DataFrameModel], table: ibis.Table):
    """(the pandera schema to run, {column: checks run directly}): every check goes to pandera on a
    backend with positional joins (DuckDB), the DIRECT_CHECKS on any other."""
    from pandera.backends.ibis.constants import POSITIONAL_JOIN_BACKENDS

    schema = model.to_schema()
    try:
        backend = table.get_backend().name
    except Exception:  # noqa: BLE001 - an unbound table: pandera decides
        backend = next(iter(POSITIONAL_JOIN_BACKENDS))
    if backend in POSITIONAL_JOIN_BACKENDS:
        return schema, {}
    import copy

    schema, direct = copy.deepcopy(schema), {}  # the model's cached schema stays whole
    for name, column in schema.columns.items():
        mine = [c for c in column.checks if c.name in DIRECT_CHECKS]
        if mine:
            direct[name] = mine
            column.checks = [c for c in column.checks if c.name not in DIRECT_CHECKS]
    return schema, direct


def _direct_check_problems(table: ibis.Table, table_name: str, direct: dict, type_problems: list[str],
                           row_columns: list[str]) -> list[str]:
    unusable = {p.split("'")[1] for p in type_problems}
    keys = key_of(table_name)
    out = []
    for column, checks in direct.items():
        if column not in table.columns or column in unusable:
            continue  # reported already as missing or mistyped
        value = table[column]
        cite = list(row_columns) or [k for k in keys if k in table.columns and k != column]
        for check in checks:
            statistic, holds = DIRECT_CHECKS[check.name]
            bound = check.statistics[statistic]
            broken = value.notnull() & ~holds(value, bound)
            if not int(table.filter(broken).count().execute()):
                continue
            if check.name == "isin":
                what = f"column '{column}' must be one of {', '.join(map(str, bound))}"
            elif check.name == "str_matches":
                what = f"column '{column}' must match {bound}"
            else:
                sign = next(sign for prefix, sign, _ in BOUND_RULES if prefix == check.name + "(")
                what = f"column '{column}' must be {sign} {float(bound):g}"
            out.append(_rows_message(table, broken, column, cite, what, by_place=bool(row_columns)))
    return out


def _rule_problems(table: ibis.Table, table_name: str, type_problems: list[str], cite: list[str], by_place: bool,
                   as_of: dt.date) -> list[str]:
    """One message per row rule that some rows break (rules on a missing or mistyped column are
    skipped: that column is reported already)."""
    expected = columns_of(table_name)
    unusable = {p.split("'")[1] for p in type_problems}
    out = []
    for rule in ROW_RULES.get(table_name, []):
        if any(c not in table.columns or c in unusable or c not in expected for c in rule.columns):
            continue
        condition = rule.broken(table, as_of)
        if int(table.filter(condition).count().execute()):
            out.append(_rows_message(table, condition, list(rule.columns), cite, rule.what.format(as_of=as_of),
                                     by_place=by_place))
    return out


def _is_empty(table: ibis.Table) -> bool:
    return table.limit(1).count().execute() == 0


def _describe(exc: pa_errors.SchemaErrors, table: ibis.Table, known: list[str], row_columns: list[str]) -> list[str]:
    bad_type_columns = {p.split("'")[1] for p in known}
    keys = _row_keys(exc)
    cite = row_columns or [k for k in keys if k in table.columns]
    out = []
    missing = []
    for err in exc.schema_errors:
        reason = getattr(err.reason_code, "name", str(err.reason_code))
        text = str(err).splitlines()[0]
        column = _column_in(text)
        if column in bad_type_columns or any(f"{c}:" in text for c in bad_type_columns):
            continue  # already reported as a type problem; its checks cannot run
        if reason == "COLUMN_NOT_IN_DATAFRAME":
            missing.append(column)
        elif reason == "DUPLICATES":
            dup_keys = list(table.columns) if err.schema is None else _unique_keys(err)
            out.append(_duplicates_message(table, dup_keys, row_columns))
        elif reason == "DATAFRAME_CHECK":
            out.append(_check_message(table, text, keys, err.check, row_columns))
        elif reason == "SERIES_CONTAINS_NULLS" and cite and column in table.columns:
            out.append(_rows_message(table, table[column].isnull(), [column], [c for c in cite if c != column] or cite,
                                     f"column '{column}' must not be empty", by_place=bool(row_columns)))
        else:
            out.append(text)
    if missing:
        out.insert(0, f"missing column(s): {', '.join(missing)}; the table has: {', '.join(table.columns)}")
    return out


def _unique_keys(err) -> list[str]:
    unique = getattr(err.schema, "unique", None)
    return list(unique) if unique else []


def _column_in(text: str) -> str | None:
    for marker in ("column '", "Column '"):
        if marker in text:
            return text.split(marker, 1)[1].split("'", 1)[0]
    return None


def _row_keys(exc: pa_errors.SchemaErrors) -> list[str]:
    unique = getattr(exc.schema, "unique", None)
    return list(unique) if unique else []


def _cite(row, columns: list[str], by_place: bool = True) -> str:
    """A row by where it comes from ("a.csv, row 3") or by its key ("shop_id=0001, order_id=o3")."""
    if by_place and len(columns) == 1:
        return _plain(row[columns[0]])
    return ", ".join(f"{k}={_plain(row[k])}" for k in columns)


def _shown(row, column: str) -> str:
    value = row[column]
    return f"{column} empty" if value is None or value != value else f"{column}={_plain(value)}"


def _rows_message(table: ibis.Table, condition, columns: str | list[str], cite: list[str], what: str, *,
                  by_place: bool = True) -> str:
    """``what``: n row(s), e.g. <row> (column=value, ...); ... (rows cited by ``cite``: places
    when ``by_place``, else the table's key)."""
    columns = [columns] if isinstance(columns, str) else list(columns)
    bad = table.filter(condition)
    n = int(bad.count().execute())
    rows = bad.select(*dict.fromkeys([*cite, *columns])).limit(3).execute()
    examples = "; ".join(
        f"{_cite(r, cite, by_place)} (" + ", ".join(_shown(r, c) for c in columns) + ")"
        for _, r in rows.iterrows()
    )
    return f"{what}: {n} row(s), e.g. {examples}"


# pandera's bound checks as they name themselves, the sign they mean, and the rows that break them
BOUND_RULES = (
    ("greater_than_or_equal_to(", ">=", lambda v, b: v < b),
    ("less_than_or_equal_to(", "<=", lambda v, b: v > b),
    ("greater_than(", ">", lambda v, b: v <= b),
    ("less_than(", "<", lambda v, b: v >= b),
)


def _check_message(table: ibis.Table, text: str, keys: list[str], check=None, row_columns: list[str] = ()) -> str:
    # pandera: "Column 'uv' failed element-wise validator number 0: greater_than_or_equal_to(0)
    # failure cases: {...}" -> name the rule, how many rows break it and which ones.
    column = _column_in(text)
    rule = text.split(": ", 1)[1].split(" failure cases", 1)[0] if ": " in text else text
    samples = text.split("failure cases:", 1)[1].strip() if "failure cases:" in text else ""
    by_place = bool(row_columns)
    cite = list(row_columns) or [k for k in keys if k in table.columns and k != column]
    name = getattr(check, "name", None)
    if cite and column in table.columns:
        value = table[column]
        if name == "isin":
            allowed = list(check.statistics.get("allowed_values", []))
            return _rows_message(table, value.notnull() & ~value.isin(allowed), column, cite,
                                 f"column '{column}' must be one of {', '.join(map(str, allowed))}", by_place=by_place)
        if name == "str_matches":
            pattern = check.statistics.get("pattern")
            return _rows_message(table, value.notnull() & ~value.re_search(str(pattern)), column, cite,
                                 f"column '{column}' must match {pattern}", by_place=by_place)
        for prefix, sign, broken in BOUND_RULES:
            if rule.startswith(prefix):
                bound = float(rule[len(prefix):-1])
                return _rows_message(table, broken(value, bound), column, cite, f"column '{column}' must be {sign} {bound:g}",
                                     by_place=by_place)
    return f"column '{column}' fails {rule}; failing values: {samples[:160]}"


def _duplicates_message(table: ibis.Table, keys: list[str], row_columns: list[str] = ()) -> str:
    if not keys:
        return "duplicate rows"
    where = {}
    if row_columns:  # "a.csv, row 3 | a.csv, row 9"
        cited = table[row_columns[0]].cast("string")
        for c in row_columns[1:]:
            cited = cited.concat(", ", table[c].cast("string"))
        where = {"where": cited.group_concat(" | ")}
    dupes = (
        table.group_by(keys)
        .aggregate(rows=table.count(), **where)
        .filter(lambda t: t.rows > 1)
    )
    n = int(dupes.count().execute())
    sample = dupes.limit(3).execute()
    examples = "; ".join(
        ", ".join(f"{k}={_plain(row[k])}" for k in keys)
        + (f" ({row['rows']} rows: {row['where'][:200]})" if row_columns else f" ({row['rows']} rows)")
        for _, row in sample.iterrows()
    )
    return f"duplicate key ({', '.join(keys)}): {n} key(s) appear more than once, e.g. {examples}"


def _plain(value) -> str:
    if hasattr(value, "isoformat") and getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0:
        return value.strftime("%Y-%m-%d")
    return str(value)


def _format(table_name: str, problems: list[str]) -> str:
    head = f"Table '{table_name}' breaks its contract ({len(problems)} problem(s)):"
    return "\n".join([head, *(f"  - {p}" for p in problems)])
