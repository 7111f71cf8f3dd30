"""The competitor teardown: from the warehouse to one typed result.

`run(params)` is what the notebook calls. It reads the shop's competitor set and the competitor
tables (indices, traffic by source, product snapshots, promotions, bad-review tags, SKU matches)
with the shop's own numbers beside them, and composes the competitor analyses: index calibration
and momentum, traffic mix, prices and the matched-basket price index, assortment, promotions,
reviews, and moves linked to our SKUs. Findings and the responses they call for come from the
rules of ``responses.py``. Every part returns data keyed by codes; the view words it. A part whose
table is missing is named in ``missing``, never shown as zero.

The index rule. Competitor indices (交易指数 ...) are a monotone, non-linear transform of real
values: this module and the analyses it calls never add, average, divide or take growth rates of
raw indices. Ranks and rank trends are read from the indices; amounts, shares and ratios only from
estimates calibrated on the shop's own indices and real values (``index_calibration``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ...analyses import (competitor_assortment, competitor_momentum, competitor_moves, competitor_prices,
                         competitor_promos, competitor_reviews, competitor_traffic, index_calibration)
from ...periods import Period
from ...schemas import OWN_SHOP
from ...warehouse.connection import Warehouse
from . import data
from .params import CompetitorTeardownParams
from .period import previous as previous_period
from .responses import Finding, Response, findings_of, responses_to

TREND_DAYS = 91  # days of weekly estimates the momentum chart shows, up to the period's end
REVIEW_LOOKBACK_DAYS = 56  # weeks before the period a bad-review wave is measured against
HANGOVER_DAYS = 7  # days after our promotions whose lull is not a SKU's ordinary level
PRICE_DAYS = 30  # days before a promotion whose median price is the everyday price it discounts


@dataclass
class CompetitorTeardown:
    params: CompetitorTeardownParams
    shop: dict
    period: Period  # cut at the data's last day
    asked: Period  # as asked for (a whole month)
    previous: Period
    generated_at: dt.datetime
    data_end: dt.date
    competitors: pd.DataFrame  # competitor_id, tier, reason, platform, category
    set_source: str  # parameter, set, data
    curves: dict[str, index_calibration.Curve] = field(default_factory=dict)
    momentum: competitor_momentum.Momentum | None = None
    traffic: competitor_traffic.TrafficMix | None = None
    bands: pd.DataFrame | None = None
    price_summary: pd.DataFrame | None = None
    price_index: competitor_prices.PriceIndex | None = None
    unmatched_pairs: pd.DataFrame | None = None
    edges: list[float] | None = None
    assortment: competitor_assortment.Assortment | None = None
    promos: competitor_promos.PromoCalendar | None = None
    reviews: competitor_reviews.Reviews | None = None
    moves: pd.DataFrame | None = None  # every move in the period, linked to our SKUs' numbers
    findings: list[Finding] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    sku_names: dict[str, str] = field(default_factory=dict)  # our sku_id -> product name
    product_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (competitor_id, product_id) -> name
    missing: dict[str, str] = field(default_factory=dict)  # section -> the table(s) that would fill it
    unavailable: dict[str, str] = field(default_factory=dict)  # section -> why the data cannot answer it

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def partial(self) -> bool:
        return self.period.end < self.asked.end

    @property
    def shops(self) -> list[str]:
        """Every shop compared, ours first."""
        return [OWN_SHOP, *self.competitors.competitor_id]


def run(params: CompetitorTeardownParams | dict, warehouse: Warehouse | None = None) -> CompetitorTeardown:
    """The whole teardown for ``params`` (a model or a plain dict of parameters)."""
    if isinstance(params, dict):
        params = CompetitorTeardownParams.model_validate(params)
    return analyse(warehouse or Warehouse.open(params.warehouse), params)


def analyse(wh: Warehouse, params: CompetitorTeardownParams) -> CompetitorTeardown:
    from .spec import resolve_period

    shop = wh.shop(params.shop_id)
    asked, period, span = resolve_period(wh, params)
    before = previous_period(period)
    competitors, set_source = data.competitor_set(wh, params.shop_id, period, params.competitors)
    r = CompetitorTeardown(params=params, shop=shop, period=period, asked=asked, previous=before,
                           generated_at=dt.datetime.now(dt.timezone.utc), data_end=span.last,
                           competitors=competitors, set_source=set_source)
    chosen = set(r.shops)
    catalog = data.our_catalog(wh, params.shop_id)
    if catalog is not None:
        r.sku_names = dict(zip(catalog.sku_id, catalog.product_name))
    _momentum(wh, r, chosen)
    _traffic(wh, r, chosen)
    snapshots = _snapshots(wh, r, chosen)
    if snapshots is not None:
        r.product_names = snapshots.sort_values("observed_on").groupby(["competitor_id", "product_id"]).product_name.last().to_dict()
    _prices(wh, r, snapshots)
    _assortment(wh, r, snapshots)
    _promotions(wh, r, chosen)
    _reviews(wh, r, chosen, snapshots)
    _moves(wh, r, snapshots)
    r.findings = findings_of(r)
    r.responses = responses_to(r.findings)
    return r


def _only(frame: pd.DataFrame | None, chosen: set[str]) -> pd.DataFrame | None:
    if frame is None:
        return None
    frame = frame[frame.competitor_id.isin(chosen)].reset_index(drop=True)
    return frame if len(frame) else None


def _calibration_start(r: CompetitorTeardown) -> dt.date:
    return r.period.end - dt.timedelta(days=r.params.calibration_days - 1)


# --------------------------------------------------------------------------- momentum and traffic

def _momentum(wh: Warehouse, r: CompetitorTeardown, chosen: set[str]) -> None:
    p = r.params
    start = min(_calibration_start(r), r.previous.start, r.period.end - dt.timedelta(days=TREND_DAYS - 1))
    daily = _only(data.dated_rows(wh, "competitor_daily", p.shop_id, start, r.period.end), chosen)
    if daily is None:
        r.missing["momentum"] = "competitor_daily"
        return
    own_index = daily[daily.competitor_id == OWN_SHOP]
    real = data.our_daily_real(wh, p.shop_id, start, r.period.end)
    if own_index.empty or real is None:
        r.unavailable["calibration"] = "no_own_index" if own_index.empty else "no_own_real"
    else:
        cal = own_index[own_index.date >= _calibration_start(r)]
        cal_real = real[real.date >= _calibration_start(r)]
        r.curves = index_calibration.fit_all(cal, cal_real, level=p.level)
    trend_from = r.period.end - dt.timedelta(days=TREND_DAYS - 1)
    own_real = None if real is None else real[real.date >= min(r.previous.start, trend_from)]
    r.momentum = competitor_momentum.momentum(daily, r.curves, (r.period.start, r.period.end),
                                              (r.previous.start, r.previous.end), own_real=own_real,
                                              weeks_from=trend_from)


def _traffic(wh: Warehouse, r: CompetitorTeardown, chosen: set[str]) -> None:
    p = r.params
    start = min(_calibration_start(r), r.previous.start)
    comp = _only(data.dated_rows(wh, "competitor_traffic", p.shop_id, start, r.period.end), chosen)
    if comp is None:
        r.missing["traffic"] = "competitor_traffic"
        return
    own = data.our_traffic(wh, p.shop_id, start, r.period.end)
    if own is None:
        r.missing["traffic"] = "traffic_daily"
        return
    r.traffic = competitor_traffic.traffic_mix(comp, own, (r.period.start, r.period.end),
                                               (r.previous.start, r.previous.end), level=p.level,
                                               paid_gap=p.paid_gap, paid_rise=p.paid_rise)


# --------------------------------------------------------------------------- products and prices

def _snapshots(wh: Warehouse, r: CompetitorTeardown, chosen: set[str]) -> pd.DataFrame | None:
    """Every product snapshot of the compared competitors up to the period's end (launches need
    to know a product was never seen before)."""
    frame = data.dated_rows(wh, "competitor_products", r.params.shop_id, dt.date(1900, 1, 1), r.period.end)
    return _only(frame, chosen)


def _our_prices(wh: Warehouse, r: CompetitorTeardown) -> pd.DataFrame | None:
    """Our daily price per SKU from the price log (date, sku_id, price) over the period."""
    return data.dated_shop(wh, "price_history", r.params.shop_id, r.period.start, r.period.end, ["date", "sku_id", "price"])


def _our_listing(wh: Warehouse, r: CompetitorTeardown, prices: pd.DataFrame | None) -> pd.DataFrame | None:
    """Our SKUs on the shelf with the period's last price (the list price when the price log lacks one)."""
    catalog = data.our_catalog(wh, r.params.shop_id)
    if catalog is None:
        return None
    listed = catalog[catalog.status == "on_shelf"].copy()
    if prices is not None and len(prices):
        last = prices.sort_values("date").groupby("sku_id").price.last()
        listed["price"] = listed.sku_id.map(last)
    else:
        listed["price"] = float("nan")
    listed["price"] = listed["price"].fillna(listed.list_price)
    return listed.dropna(subset=["price"]).reset_index(drop=True)


def _prices(wh: Warehouse, r: CompetitorTeardown, snapshots: pd.DataFrame | None) -> None:
    p = r.params
    if snapshots is None:
        r.missing["prices"] = "competitor_products"
        return
    in_period = snapshots[(snapshots.observed_on >= r.period.start) & (snapshots.observed_on <= r.period.end)]
    if in_period.empty:
        r.unavailable["prices"] = "no_snapshots"
        return
    prices = _our_prices(wh, r)
    ours = _our_listing(wh, r, prices)
    theirs = competitor_prices.listed_products(in_period, (r.period.start, r.period.end))
    ours_frame = (ours[["sku_id", "category", "price"]] if ours is not None
                  else pd.DataFrame({"sku_id": pd.Series(dtype=str), "category": pd.Series(dtype=str),
                                     "price": pd.Series(dtype=float)}))
    r.edges = competitor_prices.band_edges(pd.concat([ours_frame.price, theirs.price]), bands=p.price_bands)
    banded = competitor_prices.price_bands(ours_frame, theirs[["competitor_id", "product_id", "category", "price"]], r.edges)
    r.bands, r.price_summary = banded.bands, banded.price_summary
    matches = data.rows(wh, "sku_matches", p.shop_id)
    if matches is None:
        r.missing["price_index"] = "sku_matches"
        return
    matches = matches[matches.competitor_id.isin(r.competitors.competitor_id)]
    if prices is None:
        r.missing["price_index"] = "price_history"
        return
    units = data.our_units(wh, p.shop_id, r.period)
    if units is None:
        units = pd.DataFrame({"sku_id": pd.Series(dtype=str), "units": pd.Series(dtype=float)})
    matched = competitor_prices.matched_pairs(matches, prices, units, in_period, (r.period.start, r.period.end))
    r.unmatched_pairs = matched.unobserved
    if matched.pairs.empty:
        r.unavailable["price_index"] = "no_pairs"
        return
    r.price_index = competitor_prices.price_index(matched.pairs)


def _last_listed(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Each product as its competitor's last observed day of the period shows it."""
    last_day = snapshots.groupby("competitor_id").observed_on.transform("max")
    return snapshots[snapshots.observed_on == last_day].reset_index(drop=True)


def _assortment(wh: Warehouse, r: CompetitorTeardown, snapshots: pd.DataFrame | None) -> None:
    if snapshots is None:
        r.missing["assortment"] = "competitor_products"
        return
    if "prices" in r.unavailable or r.edges is None:
        r.unavailable["assortment"] = "no_snapshots"
        return
    catalog = data.our_catalog(wh, r.params.shop_id)
    ours = _our_listing(wh, r, _our_prices(wh, r))
    if ours is not None:
        units = data.our_units(wh, r.params.shop_id, r.period)
        ours = ours.merge(units, on="sku_id", how="left") if units is not None else ours.assign(units=float("nan"))
        ours = ours[["sku_id", "product_name", "category", "price", "launched_on", "status", "units"]]
    elif catalog is None:
        ours = None
    r.assortment = competitor_assortment.assortment(snapshots, ours, (r.period.start, r.period.end), r.edges,
                                                    top_n=r.params.top_n)


# --------------------------------------------------------------------------- promotions, reviews, moves

def _promotions(wh: Warehouse, r: CompetitorTeardown, chosen: set[str]) -> None:
    p = r.params
    theirs = _only(data.rows(wh, "competitor_promos", p.shop_id), chosen)
    if theirs is None:
        r.missing["promotions"] = "competitor_promos"
        return
    for column in ("start_date", "end_date"):
        theirs[column] = pd.to_datetime(theirs[column]).dt.date
    ours = data.our_promotions(wh, p.shop_id, r.period.start, r.period.end)
    if ours is not None and len(ours):
        ours = ours.assign(depth=_our_depths(wh, r, ours))
    else:
        ours = pd.DataFrame(columns=["promo_id", "name", "event", "start", "end", "depth"])
    r.promos = competitor_promos.promo_calendar(theirs, ours, (r.period.start, r.period.end),
                                                undercut_margin=p.undercut_margin)


def _our_depths(wh: Warehouse, r: CompetitorTeardown, ours: pd.DataFrame) -> pd.Series:
    """Each of our promotions' depth: 1 - the median of promo price / everyday price over its SKUs,
    the everyday price being the median daily price of the PRICE_DAYS days before it starts."""
    skus = data.promo_skus_of(wh, r.params.shop_id, list(ours.promo_id))
    first = min(ours.start) - dt.timedelta(days=PRICE_DAYS)
    history = data.dated_shop(wh, "price_history", r.params.shop_id, first, max(ours.start), ["date", "sku_id", "price"])
    if skus is None or history is None or history.empty:
        return pd.Series(float("nan"), index=ours.index)
    everyday = competitor_promos.everyday_prices(history, skus, ours.rename(columns={"start": "start_at"}), days=PRICE_DAYS)
    depth = competitor_promos.our_depth(skus, everyday)
    return ours.promo_id.map(depth).astype(float)


def _reviews(wh: Warehouse, r: CompetitorTeardown, chosen: set[str], snapshots: pd.DataFrame | None) -> None:
    if snapshots is None:
        r.missing["reviews"] = "competitor_products"
        return
    start = r.previous.start - dt.timedelta(days=REVIEW_LOOKBACK_DAYS)
    tags = _only(data.dated_rows(wh, "competitor_reviews", r.params.shop_id, start, r.period.end), chosen)
    if tags is None:
        r.missing["review_tags"] = "competitor_reviews"
    recent = snapshots[snapshots.observed_on >= start]
    recent = recent[recent.competitor_id != OWN_SHOP]
    r.reviews = competitor_reviews.reviews(recent, tags, (r.period.start, r.period.end),
                                           (r.previous.start, r.previous.end), wave_ratio=r.params.wave_ratio,
                                           drop=r.params.rating_drop)


def _moves(wh: Warehouse, r: CompetitorTeardown, snapshots: pd.DataFrame | None) -> None:
    p = r.params
    matches = data.rows(wh, "sku_matches", p.shop_id)
    if snapshots is None or matches is None:
        r.missing["moves"] = "competitor_products" if snapshots is None else "sku_matches"
        return
    matches = matches[matches.competitor_id.isin(r.competitors.competitor_id)]
    matched = snapshots.merge(matches[["competitor_id", "product_id"]].drop_duplicates(), on=["competitor_id", "product_id"])
    moves = competitor_moves.price_moves(matched, min_cut=p.min_cut)
    day = pd.to_datetime(moves.date)
    moves = moves[(day >= pd.Timestamp(r.period.start)) & (day <= pd.Timestamp(r.period.end))]
    reach = r.period.start - dt.timedelta(days=p.baseline_days * competitor_moves.EXCLUDED_REACH)
    ours = data.dated_shop(wh, "product_daily", p.shop_id, reach, r.period.end, ["date", "sku_id", "uv", "paid_buyers"])
    if ours is None:
        r.missing["moves_effect"] = "product_daily"
        ours = pd.DataFrame(columns=["date", "sku_id", "uv", "paid_buyers"])
    r.moves = competitor_moves.link_to_ours(moves, matches, ours, lag_days=p.lag_days, baseline_days=p.baseline_days,
                                            min_uv=p.min_uv, conv_fall=p.conversion_fall,
                                            exclude_days=_promotion_days(wh, r, reach))
    r.moves["product_name"] = [r.product_names.get((c, p_)) for c, p_ in zip(r.moves.competitor_id, r.moves.product_id)]


def _promotion_days(wh: Warehouse, r: CompetitorTeardown, first: dt.date) -> list[dt.date]:
    """Every day of our own promotions and of the HANGOVER_DAYS after each, from ``first`` to the
    period's end: left out of the windows a move is judged on (neither a promotion's traffic nor
    the lull after it is the SKU's ordinary level)."""
    ours = data.our_promotions(wh, r.params.shop_id, first - dt.timedelta(days=HANGOVER_DAYS), r.period.end)
    if ours is None:
        return []
    return sorted({d.date() for row in ours.itertuples()
                   for d in pd.date_range(row.start, row.end + dt.timedelta(days=HANGOVER_DAYS))})
