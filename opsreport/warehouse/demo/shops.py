"""The demo shops as data: ``shops.yaml`` (what differs between the three shops, commented field
by field) loaded into frozen models and checked on load, plus the traffic sources.

The rest of the generator reads a shop only through `ShopModel`; nothing else branches on a
shop, platform or category.

`shop_models(count)` adds synthetic shops for benchmarks at scale (many shops on many workers):
clones of the three models in turn, each with its own shop id, name, SKU and customer prefixes
and random streams (``index``), so that their keys never collide with another shop's and their
data differ; the three models come first, unchanged.
"""

from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SHOPS_FILE = Path(__file__).with_name("shops.yaml")

SOURCES = ("search", "recommendation", "paid_ads", "live_stream", "short_video", "direct", "external")
PROMO_EVENTS = ("618", "818", "double11", "double12")  # platform promotions named per shop (calendar.py)


@dataclass(frozen=True)
class DemoShop:
    """A demo shop's row in ``shops``."""

    # shops.yaml spells the row out; an unknown key there is a mistake, not something to ignore
    __pydantic_config__ = ConfigDict(extra="forbid")

    shop_id: str
    name: str
    platform: str
    category: str
    currency: str = "CNY"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _sums_to_one(values, what: str):
    if abs(sum(values) - 1.0) > 1e-9:
        raise ValueError(f"{what} must add up to 1 (they add up to {sum(values):g})")
    return values


class SubCategory(_Data):
    name: str
    sku_share: float = Field(gt=0)
    price: tuple[float, float]  # range of list prices
    cost_ratio: tuple[float, float]
    qty_p: tuple[float, float, float, float]  # P(quantity = 1, 2, 3, 4) per order line
    refund_rate: float = Field(ge=0, lt=1)  # amount-based refund rate (mature)
    season: tuple[float, ...] = (1.0,) * 12  # 12 monthly demand factors
    series: tuple[str, ...] = Field(min_length=1)
    types: tuple[str, ...] = Field(min_length=1)
    variants: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        if len(self.season) != 12:
            raise ValueError(f"season needs 12 monthly factors (got {len(self.season)})")
        for lo, hi in (self.price, self.cost_ratio):
            if not 0 < lo <= hi:
                raise ValueError(f"price and cost_ratio are ranges [lo, hi] with 0 < lo <= hi (got [{lo}, {hi}])")
        _sums_to_one(self.qty_p, "qty_p")
        return self


class Campaign(_Data):
    channel: str
    name: str
    share: float = Field(gt=0)  # of the shop's ad spend
    cpc: float = Field(gt=0)
    ctr: float = Field(gt=0, lt=1)
    active: str = Field("always", pattern=r"^(always|promo|recent:[1-9][0-9]*)$")


class ShopEvent(_Data):
    name: str
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=27)  # five days in the same month


COMPETITOR_PLANTS = ("price_cut", "paid_shift", "undercut_promo", "rating_drop")  # competitor_planted.py


class Competitor(_Data):
    """A competitor shop of the teardown (competitors.py; fields as commented in shops.yaml)."""

    name: str = Field(min_length=1)
    brand: str = Field(min_length=1)
    tier: Literal["above", "same", "below"]
    reason: str = Field(min_length=1)
    added_days_before_end: int = Field(ge=1)
    size: float = Field(ge=0.6, le=1.8)
    price_position: float = Field(ge=0.8, le=1.3)
    growth: float = Field(gt=0)
    rating: float = Field(ge=4.5, le=4.9)
    source_mix: tuple[float, ...]  # in SOURCES order (a mapping source -> share in shops.yaml)
    plant: Literal["price_cut", "paid_shift", "undercut_promo", "rating_drop"]

    @field_validator("source_mix", mode="before")
    @classmethod
    def _mix_by_source(cls, value):
        if not isinstance(value, dict) or set(value) != set(SOURCES):
            raise ValueError(f"source_mix needs one share per source: {', '.join(SOURCES)}")
        return tuple(value[s] for s in SOURCES)

    @model_validator(mode="after")
    def _check(self):
        _sums_to_one(self.source_mix, "source_mix")
        return self


class ItemIds(_Data):
    prefix: str = Field(pattern=r"^[1-9][0-9]*$")
    digits: int = Field(ge=6, le=18)


class Undercut(_Data):
    name: str = Field(min_length=1)
    mechanic: str = Field(min_length=1)


class Competition(_Data):
    """The competitor teardown's market of one shop (fields as commented in shops.yaml)."""

    item_id: ItemIds
    review_tags: dict[str, float]  # tag -> share of bad reviews
    wave_tag: str
    event_names: tuple[str, ...] = Field(min_length=4)
    undercut: Undercut
    match_notes: tuple[str, ...] = Field(min_length=1)
    competitors: tuple[Competitor, ...] = Field(min_length=3, max_length=5)

    @model_validator(mode="after")
    def _check(self):
        if not 4 <= len(self.review_tags) <= 6:
            raise ValueError(f"review_tags needs 4-6 tags (got {len(self.review_tags)})")
        _sums_to_one(list(self.review_tags.values()), "review_tags")
        if self.wave_tag not in self.review_tags:
            raise ValueError(f"wave_tag {self.wave_tag!r} is not one of the review_tags {list(self.review_tags)}")
        names = [c.name for c in self.competitors]
        if len(set(names)) != len(names):
            raise ValueError(f"competitor names repeat: {names}")
        if "self" in names:  # schemas.OWN_SHOP marks the shop's own rows
            raise ValueError("a competitor cannot be named 'self'")
        plants = sorted(c.plant for c in self.competitors)
        if plants != sorted(COMPETITOR_PLANTS):
            raise ValueError(f"the competitors' plant must name each of {', '.join(COMPETITOR_PLANTS)} "
                             f"exactly once (got {', '.join(plants)})")
        return self


class ShopModel(_Data):
    """One demo shop (fields as commented in shops.yaml)."""

    index: int = Field(ge=0)  # number of the shop's random streams (sampling.stream)
    shop: DemoShop
    brand: str
    sku_prefix: str = Field(pattern=r"^[A-Z]{2}$")
    customer_prefix: str = Field(pattern=r"^[a-z]{2}$")
    n_skus: int = Field(ge=40)
    subcats: tuple[SubCategory, ...] = Field(min_length=1)
    round_to: int = Field(ge=1)
    # demand
    month_factors: tuple[float, ...]
    weekday_factors: tuple[float, float, float, float, float, float, float]  # Monday .. Sunday
    growth: float = Field(gt=0)
    shop_events: tuple[ShopEvent, ...]
    promo_names: dict[str, str]  # by PROMO_EVENTS
    # customers
    repeat_rate: float = Field(ge=0)
    repeat_shape: float = Field(gt=0)
    lifetime_days: float = Field(gt=0)
    lines_p: tuple[float, float, float]  # P(1, 2, 3 order lines)
    # funnel
    conversion: float = Field(gt=0, lt=1)
    source_share: tuple[float, ...]  # in SOURCES order (a mapping source -> share in shops.yaml)
    source_trend: dict[str, float] = {}  # source -> yearly factor of its share
    pages_factor: float = Field(gt=0)
    inquiry_rate: float = Field(ge=0)
    agents: int = Field(ge=1)
    inquiry_conversion: float = Field(gt=0, lt=1)
    ship_days: tuple[float, float]
    settle_days: tuple[float, float]
    refund_request_days: tuple[float, float]
    lead_days: tuple[int, int]
    # ads
    ad_spend_ratio: float = Field(ge=0)
    roi_target: float = Field(gt=0)
    campaigns: tuple[Campaign, ...] = Field(min_length=1)
    # the weekly review's planted events (planted.py)
    planted_campaign: tuple[str, str]  # (channel, name)
    spike_category: str
    # the competitor teardown (competitors.py)
    competition: Competition

    @field_validator("shop", mode="before")
    @classmethod
    def _quoted_id(cls, value):
        if isinstance(value, dict) and not isinstance(value.get("shop_id", ""), str):
            raise ValueError("shop_id must be quoted text (unquoted, YAML reads 0071 as a number)")
        return value

    @field_validator("source_share", mode="before")
    @classmethod
    def _shares_by_source(cls, value):
        if not isinstance(value, dict) or set(value) != set(SOURCES):
            raise ValueError(f"source_share needs one share per source: {', '.join(SOURCES)}")
        return tuple(value[s] for s in SOURCES)

    @field_validator("planted_campaign", mode="before")
    @classmethod
    def _campaign_key(cls, value):
        if isinstance(value, dict):
            if set(value) != {"channel", "name"}:
                raise ValueError("planted_campaign needs channel and name")
            return (value["channel"], value["name"])
        return value

    @model_validator(mode="after")
    def _check(self):
        if not re.fullmatch(r"\d{4}", self.shop.shop_id):
            raise ValueError(f"shop_id {self.shop.shop_id!r} must be four digits")
        if len(self.month_factors) != 12:
            raise ValueError(f"month_factors needs 12 factors (got {len(self.month_factors)})")
        if set(self.promo_names) != set(PROMO_EVENTS):
            raise ValueError(f"promo_names needs a name for each of {', '.join(PROMO_EVENTS)}")
        if not set(self.source_trend) <= set(SOURCES):
            raise ValueError(f"source_trend: unknown source in {sorted(self.source_trend)}")
        _sums_to_one([s.sku_share for s in self.subcats], "the sub-categories' sku_share")
        _sums_to_one([c.share for c in self.campaigns], "the campaigns' share")
        _sums_to_one(self.source_share, "source_share")
        _sums_to_one(self.lines_p, "lines_p")
        names = [s.name for s in self.subcats]
        if len(set(names)) != len(names):
            raise ValueError(f"sub-category names repeat: {names}")
        if self.spike_category not in names:
            raise ValueError(f"spike_category {self.spike_category!r} is not one of the sub-categories {names}")
        if self.planted_campaign not in [(c.channel, c.name) for c in self.campaigns]:
            raise ValueError(f"planted_campaign {self.planted_campaign} is not one of the campaigns")
        return self


class SourceFactors(_Data):
    conversion: float = Field(gt=0)
    pages: float = Field(gt=0)
    fav: float = Field(gt=0)
    returning: float = Field(gt=0)


class ShopsFile(_Data):
    sources: dict[str, SourceFactors]
    mechanics: tuple[str, ...] = Field(min_length=1)  # competitor promotion mechanics
    shops: tuple[ShopModel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        if tuple(self.sources) != SOURCES:
            raise ValueError(f"sources must list {', '.join(SOURCES)} in this order")
        for key in ("index", "shop_id", "sku_prefix"):
            values = [m.shop.shop_id if key == "shop_id" else getattr(m, key) for m in self.shops]
            if len(set(values)) != len(values):
                raise ValueError(f"every shop needs its own {key} (got {values})")
        return self


def load_checked(path: str | Path, model: type[BaseModel], what: str):
    """Read a demo data file into ``model``; a mistake raises ValueError naming the file and every field."""
    path = Path(path)
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  - {loc}: {msg}" if loc else f"  - {msg}")
        raise ValueError(f"demo {what} file {path} is invalid:\n" + "\n".join(lines)) from None


def load_shops(path: str | Path = SHOPS_FILE) -> ShopsFile:
    """Read and check a shops file; a mistake raises ValueError naming the file and the field."""
    return load_checked(path, ShopsFile, "shops")


_FILE = load_shops()
MODELS: tuple[ShopModel, ...] = _FILE.shops
DEMO_SHOPS: list[DemoShop] = [m.shop for m in MODELS]

# factors relative to the shop's average, by SOURCES (see shops.yaml)
SOURCE_CONVERSION = np.array([f.conversion for f in _FILE.sources.values()])
SOURCE_PAGES = np.array([f.pages for f in _FILE.sources.values()])
SOURCE_FAV = np.array([f.fav for f in _FILE.sources.values()])
SOURCE_RETURNING = np.array([f.returning for f in _FILE.sources.values()])
MECHANICS: tuple[str, ...] = _FILE.mechanics  # competitor promotion mechanics (competitors.py)


# Synthetic shops (shop_models): clone number n (n >= len(MODELS), counting from 0) copies
# MODELS[n % len(MODELS)] with shop_id str(CLONE_ID_BASE + n + 1) ("1004" is the fourth shop: the
# four digits the ids keep, never one of the models'), its own random streams (index n) and the
# next unused two-letter SKU and customer prefixes. The prefixes bound the count.
CLONE_ID_BASE = 1000
_SKU_PREFIXES = ["".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2)
                 if "".join(p) not in {m.sku_prefix for m in MODELS}]
_CUSTOMER_PREFIXES = ["".join(p) for p in itertools.product(string.ascii_lowercase, repeat=2)
                      if "".join(p) not in {m.customer_prefix for m in MODELS}]
MAX_SHOPS = len(MODELS) + min(len(_SKU_PREFIXES), len(_CUSTOMER_PREFIXES))


def clone_model(n: int) -> ShopModel:
    """Synthetic shop number ``n`` (counting from 0; ``n >= len(MODELS)``), cloned from a model."""
    if not len(MODELS) <= n < MAX_SHOPS:
        raise ValueError(f"a synthetic shop is numbered {len(MODELS)} to {MAX_SHOPS - 1} (got {n})")
    base, k = MODELS[n % len(MODELS)], n - len(MODELS)
    shop = DemoShop(shop_id=str(CLONE_ID_BASE + n + 1), name=f"{base.shop.name}#{n + 1}",
                    platform=base.shop.platform, category=base.shop.category, currency=base.shop.currency)
    # model_copy skips validation: the fields changed here are built to pass it (checked in the tests)
    return base.model_copy(update={"index": n, "shop": shop, "sku_prefix": _SKU_PREFIXES[k],
                                   "customer_prefix": _CUSTOMER_PREFIXES[k]})


def shop_models(count: int = len(MODELS)) -> tuple[ShopModel, ...]:
    """The first ``count`` demo shops: the models of shops.yaml in their order, then synthetic
    clones of them in turn (`clone_model`)."""
    if not 1 <= count <= MAX_SHOPS:
        raise ValueError(f"the demo warehouse holds 1 to {MAX_SHOPS} shops (got {count}): beyond that the "
                         "two-letter SKU and customer prefixes run out")
    return MODELS[:count] + tuple(clone_model(n) for n in range(len(MODELS), count))
