"""Competitor teardown, assortment: what each shop lists, what it launched and dropped, its heroes.

Listed products (``by_band``, ``by_category``): a competitor's products observed on ITS last
observed day inside the period (`competitor_prices.listed_products`); ours are the SKUs with status
'on_shelf'. Counts of listed SKUs are real counts; ``share`` = SKUs / the shop's listed SKUs. An
empty category is its own group (NaN), not dropped. Bands use `competitor_prices.price_bands`.

Launches and delistings come from the snapshot history up to the period's end:

* a *launch* is a product first observed inside the period and never before. Tracking that starts
  inside the period would make every product look new, so launches are only decided for a
  competitor first observed BEFORE the period (``coverage.launches_known``); for the others none
  are listed. A product added to a tracking sheet late still looks launched: the method cannot tell.
  Our launches are the SKUs whose ``launched_on`` lies in the period;
* a *delisting* is a product last observed inside the period but not on the competitor's last
  observed day of the period (a product seen on that day is listed). Ours are not shown: our
  products table does not date a delisting.

Heroes: per shop the top ``top_n`` products by sales amount. For a competitor: its listed products,
``units`` = monthly_sales (月销量, the 30 days up to the snapshot) of the product's last snapshot
in the period, ``sales_amount`` = units × everyday price, ``share`` = sales_amount / Σ over its
listed products (basis 'monthly_sales'). A listed product without monthly_sales cannot be placed:
it is not ranked and the total is then unknown, so every share of that competitor is NaN and
``share_known`` False. A competitor with no monthly_sales at all but a sales_index (交易指数) is
ranked by the index (basis 'sales_index'); the raw index is shown, and neither an amount nor a
share is computed: a share of indices would be a ratio of indices, which the platform's
non-linear transform makes meaningless. Ranking is invariant under any increasing transform of
the index, so the ranks stand. Ours (basis 'period_units'): units sold in the period × price,
share of Σ over our SKUs; the window differs from their 30 days, so compare ranks and shares,
not amounts, across shops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError
from ..schemas import OWN_SHOP
from .competitor_prices import _frame, _period, _shops, _snapshots, listed_products, price_bands

BASIS_MONTHLY_SALES, BASIS_INDEX = "monthly_sales", "sales_index"
BASIS_PERIOD_UNITS, BASIS_NONE = "period_units", "none"
ON_SHELF = "on_shelf"

CATEGORY_COLUMNS = ["competitor_id", "category", "skus", "share"]
LAUNCH_COLUMNS = ["competitor_id", "product_id", "product_name", "category", "price", "first_seen"]
DELISTING_COLUMNS = ["competitor_id", "product_id", "product_name", "category", "price", "last_seen"]
HERO_COLUMNS = ["competitor_id", "rank", "product_id", "product_name", "category", "price", "units", "sales_index",
                "sales_amount", "share", "basis", "share_known"]
COVERAGE_COLUMNS = ["competitor_id", "first_observed", "last_observed", "listed_skus", "launches_known",
                    "heroes_basis"]


@dataclass(frozen=True)
class Assortment:
    """Each shop's assortment in the period (our shop as ``schemas.OWN_SHOP``, first).

    Attributes
    ----------
    by_band
        competitor_prices.BAND_COLUMNS: listed SKUs per price band (all bands, zeros included).
    by_category
        CATEGORY_COLUMNS: listed SKUs per category.
    launches
        LAUNCH_COLUMNS: products first observed in the period (ours: launched_on in it), with
        the name, category and price of their first snapshot.
    delistings
        DELISTING_COLUMNS: their products last observed in the period but not on its last day.
    heroes
        HERO_COLUMNS: the top products per shop; ``units`` is their monthly_sales or our period
        units; ``share`` NaN when unknown (``share_known`` False).
    coverage
        COVERAGE_COLUMNS per competitor: first observation ever, last inside the period, listed
        SKUs, whether launches could be decided and the heroes' basis.
    outside
        Listed SKUs priced outside the band edges (competitor_id, product_id, price).
    """

    by_band: pd.DataFrame
    by_category: pd.DataFrame
    launches: pd.DataFrame
    delistings: pd.DataFrame
    heroes: pd.DataFrame
    coverage: pd.DataFrame
    outside: pd.DataFrame


def _ours(ours: pd.DataFrame) -> pd.DataFrame:
    o = _frame(ours, ["sku_id", "category", "price", "launched_on", "status", "units"], "Our SKUs", keys=["sku_id"],
               numbers=["price", "units"], nullable=["price", "units"], optional=["product_name"])
    launched = pd.to_datetime(o.launched_on, errors="coerce", format="mixed")
    if (launched.isna() & o.launched_on.notna()).any():
        bad = launched.isna() & o.launched_on.notna()
        raise ContractError(f"Our SKUs: launched_on is not a date for SKU {', '.join(map(str, o.sku_id[bad][:5]))}.")
    o["launched_on"] = [d.date() if pd.notna(d) else None for d in launched]  # None: launch date unknown
    return o


def _heroes_of(shop: str, listed: pd.DataFrame, top_n: int) -> tuple[list[dict], str]:
    """Hero rows of one competitor's listed products, and the basis used."""
    with_units = listed[listed.monthly_sales.notna()]
    if len(with_units):
        ranked = with_units.assign(sales_amount=with_units.monthly_sales * with_units.price)
        known = len(with_units) == len(listed)
        total = float(ranked.sales_amount.sum())
        ranked = ranked.sort_values(["sales_amount", "product_id"], ascending=[False, True], kind="stable")
        ranked["share"] = ranked.sales_amount / total if known and total > 0 else np.nan
        basis = BASIS_MONTHLY_SALES
        ranked["units"] = ranked.monthly_sales
    elif listed.sales_index.notna().any():
        ranked = listed[listed.sales_index.notna()].sort_values(["sales_index", "product_id"],
                                                                ascending=[False, True], kind="stable")
        ranked = ranked.assign(sales_amount=np.nan, share=np.nan, units=np.nan)
        known, basis, total = False, BASIS_INDEX, np.nan
    else:
        return [], BASIS_NONE
    ranked = ranked.head(top_n).assign(competitor_id=shop, rank=range(1, min(top_n, len(ranked)) + 1), basis=basis,
                                       share_known=bool(known and basis == BASIS_MONTHLY_SALES and total > 0))
    return ranked[HERO_COLUMNS].to_dict("records"), basis


def _our_heroes(o: pd.DataFrame, top_n: int) -> list[dict]:
    sold = o.assign(sales_amount=o.units * o.price)
    known = bool(sold.sales_amount.notna().all())
    total = float(sold.sales_amount.sum())
    sold = sold[sold.sales_amount > 0].sort_values(["sales_amount", "sku_id"], ascending=[False, True], kind="stable")
    sold = sold.head(top_n).rename(columns={"sku_id": "product_id"})
    share_known = known and total > 0
    sold = sold.assign(competitor_id=OWN_SHOP, rank=range(1, len(sold) + 1), sales_index=np.nan,
                       share=sold.sales_amount / total if share_known else np.nan, basis=BASIS_PERIOD_UNITS,
                       share_known=share_known)
    return sold[HERO_COLUMNS].to_dict("records")


def assortment(snapshots: pd.DataFrame, ours: pd.DataFrame, period, edges, top_n: int = 5) -> Assortment:
    """The assortment of every shop in ``period`` (module docstring).

    Parameters
    ----------
    snapshots
        competitor_products rows up to the period's end (earlier rows decide what is new):
        observed_on, competitor_id, product_id, product_name, category, price, monthly_sales,
        sales_index (the last three may be empty).
    ours
        sku_id, category, price, launched_on, status ('on_shelf'/'off_shelf'), units (sold in
        the period); product_name optional.
    period
        (start, end), both included.
    edges
        Price-band edges (`competitor_prices.band_edges`).
    top_n
        Heroes per shop.
    """
    if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or top_n < 1:
        raise ParamsError(f"top_n must be a whole number ≥ 1 (got {top_n!r}).")
    start, end = _period(period)
    s = _snapshots(snapshots, optional=["product_name", "category", "monthly_sales", "sales_index"])
    s = s[s.observed_on <= end]
    o = _ours(ours)
    listed = listed_products(s, (start, end))
    on_shelf = o[o.status == ON_SHELF]

    bands = price_bands(on_shelf[["sku_id", "category", "price"]],
                        listed[["competitor_id", "product_id", "category", "price"]], edges)

    pooled = pd.concat([on_shelf[["category"]].assign(competitor_id=OWN_SHOP, product_id=on_shelf.sku_id),
                        listed[["competitor_id", "product_id", "category"]]], ignore_index=True)
    cats = pooled.groupby(["competitor_id", "category"], dropna=False).size().rename("skus").reset_index()
    cats["share"] = cats.skus / cats.groupby("competitor_id").skus.transform("sum")
    order = {shop: i for i, shop in enumerate(_shops(cats.competitor_id))}
    cats = cats.assign(_o=cats.competitor_id.map(order)).sort_values(["_o", "skus", "category"],
                                                                     ascending=[True, False, True], kind="stable")
    by_category = cats[CATEGORY_COLUMNS].reset_index(drop=True)

    # first and last snapshot of every product, and each competitor's observation span
    s = s.sort_values(["competitor_id", "product_id", "observed_on"], kind="stable")
    first = s.groupby(["competitor_id", "product_id"]).head(1)
    last = s.groupby(["competitor_id", "product_id"]).tail(1)
    first_observed = s.groupby("competitor_id").observed_on.min()
    in_period = s[s.observed_on >= start]
    last_observed = in_period.groupby("competitor_id").observed_on.max()
    known = {c: bool(first_observed[c] < start) for c in first_observed.index}

    new = first[(first.observed_on >= start) & first.competitor_id.map(known)]
    launches = new.rename(columns={"observed_on": "first_seen"})[LAUNCH_COLUMNS]
    ours_new = o[o.launched_on.map(lambda d: d is not None and start <= d <= end).astype(bool)]
    ours_new = ours_new.rename(columns={"sku_id": "product_id", "launched_on": "first_seen"}).assign(
        competitor_id=OWN_SHOP)[LAUNCH_COLUMNS]
    launches = pd.concat([df for df in (ours_new, launches) if not df.empty] or [launches], ignore_index=True)

    shop_last = last.competitor_id.map(last_observed)
    gone = last[(last.observed_on >= start) & (last.observed_on < shop_last)]
    delistings = gone.rename(columns={"observed_on": "last_seen"})[DELISTING_COLUMNS].reset_index(drop=True)

    hero_rows, basis = _our_heroes(o, top_n), {}
    for shop in _shops(listed.competitor_id):
        rows, basis[shop] = _heroes_of(shop, listed[listed.competitor_id == shop], top_n)
        hero_rows += rows
    heroes = pd.DataFrame(hero_rows, columns=HERO_COLUMNS)

    coverage = pd.DataFrame([{
        "competitor_id": c, "first_observed": first_observed[c], "last_observed": last_observed.get(c),
        "listed_skus": int((listed.competitor_id == c).sum()), "launches_known": known[c],
        "heroes_basis": basis.get(c, BASIS_NONE)} for c in _shops(first_observed.index)], columns=COVERAGE_COLUMNS)
    return Assortment(by_band=bands.bands, by_category=by_category, launches=launches.reset_index(drop=True),
                      delistings=delistings, heroes=heroes, coverage=coverage, outside=bands.outside)
