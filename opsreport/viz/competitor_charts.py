"""Charts of the competitor teardown: weekly estimated sales, price bands, traffic mix and the
promotion calendar.

They follow ``charts.py`` in everything: small result frames in, a ``charts.Chart`` out, drawn
inside ``theme.house_style(lang)``, our shop in the accent colour and competitors in the quiet
series colours, every word from the caller's ``labels`` or, for a key left out, the glossary's
``chart`` group (``LABEL_KEYS`` lists each chart's keys, ``_DEFAULTS`` the glossary entry behind
each). Shops are told apart by a ``shop`` column already in the report's language; the frames
keep ``competitor_id`` so our own shop (``schemas.OWN_SHOP``) is drawn as the accent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from opsreport.schemas import OWN_SHOP
from opsreport.viz.charts import Chart, _check, _date_label, _empty, _figure, _formatter, _label
from opsreport.viz.charts import _words as _chart_words
from opsreport.viz.theme import COLORS, SERIES, WIDTH_IN, house_style

__all__ = ["LABEL_KEYS", "price_bands", "promo_calendar", "sales_estimates", "traffic_mix"]

LABEL_KEYS: dict[str, tuple[str, ...]] = {
    "sales_estimates": ("title", "no_data", "alt"),
    "price_bands": ("title", "no_data", "alt"),
    "traffic_mix": ("title", "no_data", "alt"),
    "promo_calendar": ("title", "no_data", "alt"),
}
_DEFAULTS: dict[str, dict[str, str]] = {
    "sales_estimates": {"title": "competitor_sales", "no_data": "no_data"},
    "price_bands": {"title": "competitor_price_bands", "no_data": "no_data"},
    "traffic_mix": {"title": "competitor_traffic_mix", "no_data": "no_data"},
    "promo_calendar": {"title": "competitor_promotions", "no_data": "no_data"},
}
HEIGHT_IN = WIDTH_IN * 0.45
GROUP_COLORS = {"search": SERIES[0], "paid": SERIES[1], "content": SERIES[2], "live": SERIES[3], "other": SERIES[4]}


def _words(chart: str, lang: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    return _chart_words(chart, lang, labels, keys=LABEL_KEYS[chart], fallback=_DEFAULTS[chart])


def _shop_colors(frame: pd.DataFrame) -> dict[str, str]:
    """Our shop the accent; competitors the other series colours, in order of appearance."""
    out, others = {}, iter(SERIES[1:])
    for cid, shop in frame[["competitor_id", "shop"]].drop_duplicates().itertuples(index=False):
        out[shop] = COLORS["accent"] if cid == OWN_SHOP else next(others, COLORS["context"])
    return out


def _legend(fig, handles, labels) -> None:
    fig.legend(handles, labels, loc="outside upper left", ncols=min(len(labels), 5), frameon=False)


def sales_estimates(weekly: pd.DataFrame, lang: str, *, currency: str = "CNY",
                    labels: Mapping[str, str] | None = None) -> Chart:
    """Weekly sales per shop: competitors' calibrated estimates with their range as a band, ours real.

    ``weekly``: week_start, competitor_id, shop, estimate, low, high.
    """
    _check(weekly, ["week_start", "competitor_id", "shop", "estimate", "low", "high"], "sales_estimates", lang)
    w = _words("sales_estimates", lang, labels)
    if weekly.empty:
        return _empty(lang, w["title"], w["alt"], w["no_data"])
    colors = _shop_colors(weekly)
    with house_style(lang):
        fig = _figure(HEIGHT_IN)
        ax = fig.subplots()
        handles = []
        for shop, part in weekly.groupby("shop", sort=False):
            part = part.sort_values("week_start")
            x = pd.to_datetime(part.week_start)
            own = part.competitor_id.iloc[0] == OWN_SHOP
            (line,) = ax.plot(x, part.estimate, color=colors[shop], lw=2.2 if own else 1.4, marker="o", ms=3)
            if not own:
                ax.fill_between(x, part.low, part.high, color=colors[shop], alpha=0.12, lw=0)
            handles.append(line)
        ax.yaxis.set_major_formatter(_formatter("yuan", lang, currency))
        ax.xaxis.set_major_formatter(_date_label(lang))
        ax.set_ylim(bottom=0)
        ax.set_title(w["title"], loc="left")
        _legend(fig, handles, list(colors))
    return Chart(fig, lang, w["alt"] or w["title"])


def price_bands(bands: pd.DataFrame, lang: str, *, currency: str = "CNY", labels: Mapping[str, str] | None = None) -> Chart:
    """Each shop's listed products by price band, as shares of its own products (grouped bars).

    ``bands``: competitor_id, shop, band_label (in band order), share.
    """
    _check(bands, ["competitor_id", "shop", "band_label", "share"], "price_bands", lang)
    w = _words("price_bands", lang, labels)
    if bands.empty:
        return _empty(lang, w["title"], w["alt"], w["no_data"])
    colors = _shop_colors(bands)
    order = list(dict.fromkeys(bands.band_label))
    shops = list(colors)
    with house_style(lang):
        fig = _figure(HEIGHT_IN)
        ax = fig.subplots()
        width = 0.8 / len(shops)
        x = np.arange(len(order))
        for i, shop in enumerate(shops):
            part = bands[bands.shop == shop].set_index("band_label").reindex(order)
            ax.bar(x + (i - (len(shops) - 1) / 2) * width, part.share.fillna(0), width, color=colors[shop], label=shop)
        ax.set_xticks(x, order)
        ax.yaxis.set_major_formatter(_formatter("rate", lang, currency))
        ax.set_title(w["title"], loc="left")
        handles = [Patch(color=colors[s]) for s in shops]
        _legend(fig, handles, shops)
    return Chart(fig, lang, w["alt"] or w["title"])


def traffic_mix(shares: pd.DataFrame, lang: str, *, labels: Mapping[str, str] | None = None) -> Chart:
    """Each shop's visitors by source group as one stacked horizontal bar (shares of 100%).

    ``shares``: competitor_id, shop, group, group_label, share.
    """
    _check(shares, ["competitor_id", "shop", "group", "group_label", "share"], "traffic_mix", lang)
    w = _words("traffic_mix", lang, labels)
    if shares.empty or shares.share.isna().all():
        return _empty(lang, w["title"], w["alt"], w["no_data"])
    shops = list(dict.fromkeys(shares.shop))
    groups = [g for g in GROUP_COLORS if g in set(shares.group)]
    names = dict(zip(shares.group, shares.group_label))
    with house_style(lang):
        fig = _figure(max(HEIGHT_IN * 0.7, 0.45 * len(shops) + 1.0))
        ax = fig.subplots()
        left = np.zeros(len(shops))
        y = np.arange(len(shops))[::-1]
        for g in groups:
            values = shares[shares.group == g].set_index("shop").share.reindex(shops).fillna(0).to_numpy()
            ax.barh(y, values, left=left, color=GROUP_COLORS[g], label=names[g], height=0.6)
            for yi, (l, v) in enumerate(zip(left, values)):
                if v >= 0.06:
                    ax.text(l + v / 2, y[yi], f"{v:.0%}", ha="center", va="center", color="white", fontsize=8)
            left += values
        ax.set_yticks(y, [_label(s, 18) for s in shops])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(_formatter("rate", lang))
        ax.set_title(w["title"], loc="left")
        _legend(fig, [Patch(color=GROUP_COLORS[g]) for g in groups], [names[g] for g in groups])
    return Chart(fig, lang, w["alt"] or w["title"])


def promo_calendar(rows: pd.DataFrame, lang: str, *, start: dt.date, end: dt.date,
                   labels: Mapping[str, str] | None = None) -> Chart:
    """Promotions as bars on a calendar, one row per shop, the period shaded; a bar's label is its depth.

    ``rows``: competitor_id, shop, name, start, end, depth.
    """
    _check(rows, ["competitor_id", "shop", "name", "start", "end", "depth"], "promo_calendar", lang)
    w = _words("promo_calendar", lang, labels)
    if rows.empty:
        return _empty(lang, w["title"], w["alt"], w["no_data"])
    colors = _shop_colors(rows)
    shops = list(colors)
    with house_style(lang):
        fig = _figure(max(HEIGHT_IN * 0.6, 0.42 * len(shops) + 1.0))
        ax = fig.subplots()
        ax.axvspan(pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1), color=COLORS["accent_light"], zorder=0)
        y_of = {s: len(shops) - 1 - i for i, s in enumerate(shops)}
        for row in rows.itertuples():
            s, e = pd.Timestamp(row.start), pd.Timestamp(row.end) + pd.Timedelta(days=1)
            ax.barh(y_of[row.shop], (e - s).days, left=s, height=0.55, color=colors[row.shop], alpha=0.85)
            if not pd.isna(row.depth):
                ax.text(s + (e - s) / 2, y_of[row.shop], f"{row.depth:.0%}", ha="center", va="center", color="white",
                        fontsize=7)
        ax.set_yticks(list(y_of.values()), [_label(s, 18) for s in y_of])
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
        ax.xaxis.set_major_formatter(_date_label(lang))
        ax.set_title(w["title"], loc="left")
    return Chart(fig, lang, w["alt"] or w["title"])
