"""The competitor teardown's planted events: what is planted (``COMPETITOR_PLANTED``,
`competitor_planted_events`, one `CompetitorPlanted` per shop). competitors.py plants them (its
``PRICE_CUT_SHARE`` ... constants are the magnitudes) when the warehouse is built with
``plant_events=True``; each in another competitor, the one whose ``plant`` in shops.yaml names it:

* price cut: the competitor product matched (``sku_matches``) to the weekly review's planted
  conversion-drop SKU has its everyday price cut to 80% (whole yuan) on the Monday of the planted
  week (2026-11-16) until the end; that SKU's conversion falls the same week (planted.py);
* paid shift: a competitor's paid_ads share of visitors (``competitor_traffic``, read through the
  inverse index curve) rises from 15% to 35% from the first day of the end date's month
  (2026-11-01) to the end, stable before: its paid visitors grow, the others stay;
* undercut promotion: a competitor runs a promotion (``competitor_promos``, all its products'
  ``promo_price`` = price x 0.60) from the day before the shop's last Double 11 ends to two days
  after it (2026-11-12 .. 11-15), deeper than ours (depth 0.40; ours are 20-30% off);
* rating drop: a competitor gets a wave of bad reviews on the category's most typical tag
  (``wave_tag``), 8x its usual daily count, on days 2-8 of the month (2026-11-02 .. 11-08), and
  its products' ratings fall from ~4.8 to ~4.5 from the 5th.

Which competitor, product and SKU, the prices and the dates depend on the shop's data
(shops.yaml), its catalogue and the end date only, not on ``seed``, ``orders_per_shop`` or
``days`` (given a window that holds the planted dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import competitors as cp
from .calendar import DEMO_END_DATE, Calendar, demand
from .catalog import make_catalog
from .planted import choose
from .shops import MODELS


@dataclass(frozen=True)
class PriceCut:
    """``product_id`` of ``competitor_id`` (matched to our ``sku_id``) sells at ``price_after``
    instead of ``price_before`` (yuan, everyday price) from ``cut_on`` to the end."""

    competitor_id: str
    product_id: str
    product_name: str
    sku_id: str
    cut_on: dt.date
    price_before: float
    price_after: float


@dataclass(frozen=True)
class PaidShift:
    """``competitor_id``'s share of visitors through ``source`` is ``share_before`` until the day
    before ``shift_on`` and ``share_after`` from it to the end."""

    competitor_id: str
    source: str
    shift_on: dt.date
    share_before: float
    share_after: float


@dataclass(frozen=True)
class UndercutPromo:
    """``competitor_id``'s promotion ``promo_name`` (every product at price x (1 - depth)) from
    ``start_date`` to ``end_date``, overlapping the end of our ``our_promo_id`` (last day
    ``our_end_date``)."""

    competitor_id: str
    promo_name: str
    mechanic: str
    start_date: dt.date
    end_date: dt.date
    depth: float
    our_promo_id: str
    our_end_date: dt.date


@dataclass(frozen=True)
class RatingDrop:
    """``competitor_id``'s bad reviews tagged ``tag`` are ``wave_factor`` x the usual from
    ``wave_start`` to ``wave_end``; its products' ratings are ~``rating_before`` until the day
    before ``rating_from`` and ~``rating_after`` from it."""

    competitor_id: str
    tag: str
    wave_start: dt.date
    wave_end: dt.date
    wave_factor: float
    rating_from: dt.date
    rating_before: float
    rating_after: float


@dataclass(frozen=True)
class CompetitorPlanted:
    shop_id: str
    price_cut: PriceCut
    paid_shift: PaidShift
    undercut_promo: UndercutPromo | None  # None: no Double 11 of the shop ended inside the window
    rating_drop: RatingDrop


def competitor_planted_events(end_date: dt.date = DEMO_END_DATE) -> dict[str, CompetitorPlanted]:
    """What ``build_demo_warehouse(..., end_date=end_date, plant_events=True)`` plants in the
    competitor tables, per shop id."""
    cal = Calendar.make(end_date, 730)
    out = {}
    for model in MODELS:
        cat = make_catalog(model)
        dem = demand(model, cal, 0)
        plan = choose(model, cat, cal, dem)
        rivals = cp.make_rivals(model, cat, cal, dem, plan.conv_sku)
        when = cp.schedule(cal, dem)
        market = model.competition
        name = {plant: market.competitors[cp.plant_index(model, plant)].name
                for plant in ("price_cut", "paid_shift", "undercut_promo", "rating_drop")}
        k = rivals.cut_product
        before = int(rivals.everyday_cents(np.array([(when.cut_on - cal.end).days - 1]))[0, k])
        undercut = None
        if when.undercut is not None:
            start, end, our_id, our_end = when.undercut
            undercut = UndercutPromo(name["undercut_promo"], f"{start.year}{market.undercut.name}",
                                     market.undercut.mechanic, start, end, cp.UNDERCUT_DEPTH, our_id, our_end)
        out[model.shop.shop_id] = CompetitorPlanted(
            shop_id=model.shop.shop_id,
            price_cut=PriceCut(name["price_cut"], rivals.product_id[k], rivals.name[k], cat.sku_id[plan.conv_sku],
                               when.cut_on, before / 100, float(cp.whole_yuan(before * cp.PRICE_CUT_SHARE)) / 100),
            paid_shift=PaidShift(name["paid_shift"], "paid_ads", when.shift_on,
                                 *cp.PAID_SHARE),
            undercut_promo=undercut,
            rating_drop=RatingDrop(name["rating_drop"], market.wave_tag, *when.wave, cp.REVIEW_WAVE_FACTOR,
                                   when.rating_from, *cp.RATING_LEVELS),
        )
    return out


COMPETITOR_PLANTED: dict[str, CompetitorPlanted] = competitor_planted_events(DEMO_END_DATE)
