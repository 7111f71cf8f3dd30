"""Charts of the reports. Every function takes small result frames and returns a ``Chart``.

A ``Chart`` renders itself to SVG (``to_svg``, vector: sharp in print at any size, text drawn
as paths so no font is needed to show it) and to PNG (``to_png``, ``_repr_png_``), and embeds
itself in a page as an HTML ``<figure>`` (``figure_html``, also ``_repr_html_``), so it shows
in JupyterLab, survives papermill and nbconvert, and lands in the PDF whatever matplotlib
backend the kernel uses: figures are built with ``Figure()`` on an Agg canvas, never through
pyplot, so nothing is registered with the backend, nothing is shown twice and there is nothing
to close.

Charts draw inside ``theme.house_style(lang)`` and take colours from ``theme.COLORS``. They
carry no language of their own: every text a chart shows (series names such as "this week",
panel titles, the "no data" message, the alt text) comes from the caller in ``labels``, a
mapping whose keys each function documents. ``lang`` only picks number and date formats
(万/亿 or K/M, "11/16" or "16 Nov"). A key the caller leaves out takes the glossary's default
(its ``chart`` group, ``LABELS`` here) or, for a metric, the metric registry's label.
"""

from __future__ import annotations

import base64
import functools
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from opsreport.viz import _format, numbers, text
from opsreport.i18n import glossary
from opsreport.viz.theme import COLORS, SIZES, WIDTH_IN, house_style

__all__ = [
    "Chart",
    "LABEL_KEYS",
    "LABELS",
    "bar_ranking",
    "daily_trend",
    "figure_html",
    "funnel",
    "gmv_bridge",
    "segment_bars",
    "traffic_sources",
]

LANGS = ("zh", "en")

#: The ``labels`` keys each chart takes (every text it shows, and its alt text).
LABEL_KEYS: dict[str, tuple[str, ...]] = {
    "daily_trend": ("current", "gmv", "uv", "conversion_rate", "no_data", "alt"),  # no_data: also an empty panel
    "gmv_bridge": ("start", "end", "axis_not_zero", "alt"),
    "traffic_sources": ("current", "previous", "uv_share", "conversion_rate", "no_data", "alt"),
    "funnel": ("current", "previous", "no_data", "alt"),
    "bar_ranking": ("target", "flagged", "no_data", "alt"),
    "segment_bars": ("current", "previous", "no_data", "alt"),
}

#: Default words (the glossary's ``chart`` group) for ``labels`` keys a caller leaves out.
LABELS: dict[str, dict[str, str]] = glossary()["chart"]

# labels key -> where its fallback comes from: a LABELS entry, or ("metric", key) for the registry
_FALLBACK = {
    "current": "this_week",
    "previous": "last_week",
    "start": "last_week",
    "end": "this_week",
    "uv": "daily_uv",
    "uv_share": "uv_share",
    "gmv": ("metric", "gmv"),
    "conversion_rate": ("metric", "conversion_rate"),
    "no_data": "no_data",
    "axis_not_zero": "axis_not_zero",
    "target": "target",
    "flagged": "flagged",
}

#: Label widths in display columns (a CJK character counts 2) before a label wraps.
_LABEL_WIDTH = {"bar_ranking": 30, "paired": 20, "funnel": 16, "bridge": 14}


def _words(chart: str, lang: str, labels: Mapping[str, str] | None, *, keys: Sequence[str] | None = None,
           fallback: Mapping[str, object] | None = None) -> dict[str, str]:
    """The texts of ``chart``: the caller's ``labels``, the glossary's defaults for the rest.
    A chart module of its own passes its ``keys`` and its ``fallback`` (key -> glossary chart word)."""
    keys = LABEL_KEYS[chart] if keys is None else keys
    given = dict(labels or {})
    unknown = sorted(set(given) - set(keys))
    if unknown:
        raise ValueError(f"{chart}: unknown labels key(s) {', '.join(unknown)}; it takes {', '.join(keys)}")
    out = {}
    for key in keys:
        if key in given and given[key] is not None:
            out[key] = str(given[key])
        elif key == "alt":
            out[key] = LABELS.get(f"alt_{chart}", {}).get(lang, "")
        else:
            source = (_FALLBACK if fallback is None else fallback)[key]
            if isinstance(source, tuple):
                from opsreport.metrics.registry import metric  # a metric's label is its registry label

                out[key] = metric(source[1]).label(lang)
            else:
                out[key] = LABELS[source][lang]
    return out


# --------------------------------------------------------------------------------------------
# The Chart object


@dataclass(frozen=True, eq=False)
class Chart:
    """A finished chart: a matplotlib ``Figure`` plus what is needed to render it anywhere.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        Built on an Agg canvas, not registered with pyplot; adjust it freely before display.
    lang : {"zh", "en"}
        The language; rendering re-enters ``house_style(lang)`` because matplotlib resolves
        fonts at draw time.
    alt : str
        Text alternative, used as the ``alt`` of the HTML ``<img>``.
    dpi : int
        Resolution of the PNG (150: sharp on screen). The page embeds the SVG.
    """

    figure: Figure
    lang: str
    alt: str
    dpi: int = 150

    def to_svg(self) -> bytes:
        """SVG bytes of the chart (vector; text as paths; cached)."""
        return self._svg

    def to_png(self, dpi: int | None = None) -> bytes:
        """PNG bytes of the chart (cached for the default dpi)."""
        if dpi is None or dpi == self.dpi:
            return self._png
        return self._render("png", dpi)

    def to_html(self) -> str:
        """The chart as an HTML ``<figure>`` with the SVG embedded (see ``figure_html``)."""
        return figure_html(self)

    def save(self, path: str | Path) -> Path:
        """Write the chart to ``path``: SVG for a ``.svg`` name, PNG otherwise."""
        path = Path(path)
        path.write_bytes(self.to_svg() if path.suffix.lower() == ".svg" else self.to_png())
        return path

    def _render(self, fmt: str, dpi: int | None = None) -> bytes:
        buffer = BytesIO()
        # no date or software version in the file: the same chart gives the same bytes
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        with house_style(self.lang):
            self.figure.savefig(buffer, format=fmt, dpi=dpi or self.dpi, bbox_inches="tight",
                                metadata=metadata)
        return buffer.getvalue()

    @functools.cached_property
    def _png(self) -> bytes:
        return self._render("png", self.dpi)

    @functools.cached_property
    def _svg(self) -> bytes:
        return self._render("svg")

    def _repr_png_(self) -> bytes:
        return self._png

    def _repr_html_(self) -> str:
        return figure_html(self)

    def __repr__(self) -> str:
        return f"<Chart {self.alt!r}>"


def figure_html(chart, *, css_class: str = "chart") -> str:
    """THE way a chart is put on a page: ``<figure class="chart">`` holding an ``<img>`` of
    the chart's SVG as a ``data:`` URI (vector in the PDF, no request from the page), with
    the chart's alt text. Used by ``Chart._repr_html_`` and ``views.blocks.Block``.

    ``chart`` is a ``Chart`` or anything with ``to_svg()`` and ``alt``.
    """
    data = base64.b64encode(chart.to_svg()).decode("ascii")
    alt = html.escape(getattr(chart, "alt", "") or "", quote=True)
    return (
        f'<figure class="{html.escape(css_class, quote=True)}"><img class="opsreport-chart" '
        f'src="data:image/svg+xml;base64,{data}" alt="{alt}" style="max-width:100%;height:auto" /></figure>'
    )


# --------------------------------------------------------------------------------------------
# Helpers


def _check(frame: pd.DataFrame, columns: list[str], chart: str, lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"{chart}: lang must be 'zh' or 'en', got {lang!r}")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{chart}: expected a pandas DataFrame, got {type(frame).__name__}")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise ValueError(
            f"{chart}: frame is missing column(s) {', '.join(absent)}; "
            f"it has {', '.join(map(str, frame.columns))}"
        )


def _figure(height: float) -> Figure:
    """A new figure of the house width on an Agg canvas (call inside ``house_style``)."""
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _formatter(unit: str, lang: str, currency: str = "CNY") -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: _format.axis_label(value, unit, lang, currency=currency))


def _label(value, width: int, lines: int = 2) -> str:
    """A category label in at most ``lines`` lines of ``width`` columns, broken at a space,
    separator or between CJK characters (never inside a word), "…" only when even that
    does not fit."""
    return "\n".join(text.wrap(str(value), width, max_lines=lines))


def _wrapped(labels: Sequence[str]) -> bool:
    return any("\n" in label for label in labels)


def _empty(lang: str, title: str | None, alt: str, no_data: str) -> Chart:
    with house_style(lang):
        fig = _figure(WIDTH_IN * 0.25)
        ax = fig.subplots()
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        ax.text(0.5, 0.5, no_data, ha="center", va="center", color=COLORS["muted"],
                transform=ax.transAxes)
    return Chart(fig, lang, f"{alt} ({no_data})" if alt else no_data)


def _value_axis_off(ax) -> None:
    """For bars labelled with their values: no value axis, no grid, no spines."""
    ax.xaxis.set_visible(False)
    ax.grid(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _date_label(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: numbers.format_date(mdates.num2date(value), lang, short=True))


# --------------------------------------------------------------------------------------------
# Charts


def daily_trend(
    daily: pd.DataFrame,
    lang: str = "zh",
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """GMV, UV and conversion per day in three stacked panels, the reviewed week highlighted.

    Parameters
    ----------
    daily : DataFrame
        One row per day: ``date`` (datetime64), ``gmv`` (yuan), ``uv`` (visitors that day),
        ``conversion_rate`` (fraction), ``in_week`` (bool, the reviewed week).
    lang : {"zh", "en"}
        Number and date formats.
    title : str, optional
        Figure title; by default none (the report's heading names the chart).
    labels : mapping, optional
        ``current`` (over the highlighted week: "本周"), ``gmv``, ``uv``, ``conversion_rate``
        (panel titles), ``no_data``, ``alt`` (text alternative).
    """
    _check(daily, ["date", "gmv", "uv", "conversion_rate", "in_week"], "daily_trend", lang)
    w = _words("daily_trend", lang, labels)
    alt = w["alt"]
    if daily.empty:
        return _empty(lang, title, alt, w["no_data"])
    d = daily.sort_values("date").reset_index(drop=True)
    d["date"] = pd.to_datetime(d["date"])
    in_week = d["in_week"].fillna(False).astype(bool).to_numpy()
    week = d[in_week]

    with house_style(lang):
        fig = _figure(WIDTH_IN * 0.62)  # three panels; a third of an A4 page in print
        axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1.35, 1, 1]})
        if title:
            fig.suptitle(title)
        if not week.empty:
            start = week["date"].min() - pd.Timedelta(hours=12)
            end = week["date"].max() + pd.Timedelta(hours=12)
            for ax in axes:
                ax.axvspan(start, end, color=COLORS["accent_light"], linewidth=0, zorder=0)
            top = blended_transform_factory(axes[0].transData, axes[0].transAxes)
            axes[0].text(start + (end - start) / 2, 1.02, w["current"], transform=top,
                         ha="center", va="bottom", color=COLORS["accent"], fontweight="bold")

        bar_colors = np.where(in_week, COLORS["accent"], COLORS["context"])
        axes[0].bar(d["date"], d["gmv"], width=0.72, color=bar_colors, zorder=2)
        axes[0].set_title(w["gmv"])
        axes[0].yaxis.set_major_formatter(_formatter("yuan", lang, currency))

        for ax, col, unit, label in (
            (axes[1], "uv", "count", w["uv"]),
            (axes[2], "conversion_rate", "rate", w["conversion_rate"]),
        ):
            ax.set_title(label)
            if d[col].isna().all():  # no traffic data (an orders-only shop): say so, draw nothing
                ax.text(0.5, 0.5, w["no_data"], transform=ax.transAxes, ha="center", va="center", color=COLORS["muted"])
                ax.set_yticks([])
                continue
            ax.plot(d["date"], d[col], color=COLORS["context"], zorder=2)
            ax.plot(week["date"], week[col], color=COLORS["accent"], marker="o", zorder=3)
            ax.yaxis.set_major_formatter(_formatter(unit, lang, currency))
            ax.yaxis.set_major_locator(MaxNLocator(4))
            low, high = d[col].min(), d[col].max()
            pad = (high - low) * 0.15 or abs(high) * 0.1 or 1
            ax.set_ylim(max(0, low - pad), high + pad)

        axes[0].yaxis.set_major_locator(MaxNLocator(4))
        days = (d["date"].max() - d["date"].min()).days
        axes[-1].xaxis.set_major_locator(
            mdates.WeekdayLocator(byweekday=mdates.MO) if days > 21 else mdates.DayLocator(interval=1 if days <= 10 else 2)
        )
        axes[-1].xaxis.set_major_formatter(_date_label(lang))
        margin = pd.Timedelta(hours=15)  # half a bar and a little air; no empty tick at the end
        axes[-1].set_xlim(d["date"].min() - margin, d["date"].max() + margin)
    return Chart(fig, lang, title or alt)


def gmv_bridge(
    bridge: pd.DataFrame,
    start_value: float,
    end_value: float,
    lang: str = "zh",
    start_label: str | None = None,
    end_label: str | None = None,
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Waterfall from last period's GMV through each factor's contribution to this period's.

    Parameters
    ----------
    bridge : DataFrame
        One row per factor, in drawing order: ``factor_label`` (str), ``contribution`` (yuan,
        signed). The contributions must add up to ``end_value - start_value``.
    start_value, end_value : float
        GMV of the earlier and the reviewed period (yuan).
    lang : {"zh", "en"}
    start_label, end_label : str, optional
        Labels of the two total bars (the same as ``labels["start"]``/``labels["end"]``).
    title : str, optional
    labels : mapping, optional
        ``start``, ``end`` (the total bars: "上周", "本周"), ``axis_not_zero`` (note shown when
        the value axis is zoomed), ``alt`` (prefix of the text alternative).

    Raises
    ------
    ValueError
        The contributions do not add up to the change (more than ¥1 or 1e-6 of GMV apart).
    """
    _check(bridge, ["factor_label", "contribution"], "gmv_bridge", lang)
    given = dict(labels or {})
    if start_label is not None:
        given.setdefault("start", start_label)
    if end_label is not None:
        given.setdefault("end", end_label)
    w = _words("gmv_bridge", lang, given)
    contributions = bridge["contribution"].astype(float).fillna(0.0).to_numpy()
    gap = start_value + contributions.sum() - end_value
    if abs(gap) > max(1.0, 1e-6 * abs(end_value)):
        raise ValueError(
            f"gmv_bridge: contributions add up to {contributions.sum():,.2f} but the change is "
            f"{end_value - start_value:,.2f} (gap {gap:,.2f}); the bridge must be exact"
        )
    names = [w["start"], *map(str, bridge["factor_label"]), w["end"]]
    levels = np.concatenate([[start_value], start_value + np.cumsum(contributions)])
    lo, hi = float(levels.min()), float(max(levels.max(), end_value))
    move = hi - lo
    floor = lo - 0.6 * move
    zoomed = move > 0 and floor > 0.25 * hi
    floor = floor if zoomed else 0.0

    with house_style(lang):
        fig = _figure(WIDTH_IN * 0.5)
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        x = np.arange(len(names))
        width = 0.62
        # totals
        for i, value in ((0, start_value), (len(names) - 1, end_value)):
            ax.bar(i, value - floor, bottom=floor, width=width, color=COLORS["total"], zorder=2)
            ax.annotate(_format.compact(value, "yuan", lang, currency=currency), (i, value), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontweight="bold")
        # factors
        for i, c in enumerate(contributions, start=1):
            before, after = levels[i - 1], levels[i]
            color = COLORS["good"] if c > 0 else COLORS["bad"] if c < 0 else COLORS["muted"]
            height = abs(c) if c != 0 else move * 0.004
            ax.bar(i, height, bottom=min(before, after), width=width, color=color, zorder=2)
            y, va, dy = (max(before, after), "bottom", 3) if c >= 0 else (min(before, after), "top", -3)
            ax.annotate(_format.compact(c, "yuan", lang, signed=True, currency=currency), (i, y), xytext=(0, dy),
                        textcoords="offset points", ha="center", va=va, color=color,
                        fontweight="bold")
        # connectors between consecutive bars
        for i, level in enumerate(levels):
            ax.plot([i + width / 2, i + 1 - width / 2], [level, level], color=COLORS["spine"],
                    linewidth=0.7, linestyle=(0, (2, 2)), zorder=1)

        ax.set_xticks(x, [_label(name, _LABEL_WIDTH["bridge"]) for name in names])
        ax.tick_params(axis="x", length=0)
        ax.yaxis.set_major_formatter(_formatter("yuan", lang, currency))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        top = hi + (hi - floor) * 0.14
        ax.set_ylim(floor, top)
        ax.set_xlim(-0.6, len(names) - 0.4)
        if zoomed:
            ax.text(0, 1.0, w["axis_not_zero"], transform=ax.transAxes, ha="left",
                    va="bottom", fontsize=SIZES["note"], color=COLORS["muted"])
    parts = ", ".join(
        f"{name} {_format.compact(c, 'yuan', lang, signed=True, currency=currency)}" for name, c in zip(names[1:-1], contributions)
    )
    alt = f"{w['alt']}: {parts}" if w["alt"] else parts
    return Chart(fig, lang, title or alt)


def _paired_bars(ax, names, this, prev, fmt, w: Mapping[str, str], *, note=None) -> None:
    """Horizontal bars, this period (accent) over the previous one (grey), values at the ends.

    Drawn with seaborn's grouped ``barplot`` (one hue per period); ``fmt(value)`` writes the
    value at each bar end, ``note[i]`` is added after this period's value.
    """
    n = len(names)
    this = np.asarray(this, float)
    prev = np.asarray(prev, float)
    long = pd.DataFrame({
        "row": np.tile(np.arange(n), 2),
        "value": np.concatenate([this, prev]),
        "series": [w["current"]] * n + [w["previous"]] * n,
    })
    width = 0.76  # two bars of 0.38 per row, as before
    sns.barplot(long, x="value", y="row", hue="series", orient="h", order=range(n),
                hue_order=[w["current"], w["previous"]], errorbar=None, saturation=1,
                palette={w["current"]: COLORS["accent"], w["previous"]: COLORS["previous"]},
                width=width, legend=False, zorder=2, ax=ax)
    h = width / 2
    span = np.nanmax(np.concatenate([this, prev, [0]]))
    for i, (a, b) in enumerate(zip(this, prev)):
        label = fmt(a)
        if note is not None and note[i]:
            label += f"  {note[i]}"
        ax.annotate(label, (0 if _format.missing(a) else a, i - h / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=SIZES["value"])
        ax.annotate(fmt(b), (0 if _format.missing(b) else b, i + h / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", ha="left",
                    fontsize=SIZES["value_minor"], color=COLORS["muted"])
    ticks = [_label(name, _LABEL_WIDTH["paired"]) for name in names]
    ax.set_yticks(np.arange(n), ticks)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_ylim(n - 0.45, -0.55)
    ax.set_xlim(0, (span or 1) * 1.32)
    _value_axis_off(ax)


def _legend(fig, w: Mapping[str, str], *, dashed_previous: bool = False, ax=None, **where) -> None:
    """This period / previous period legend: at the top right of the figure, outside the axes;
    with ``ax``, on that axes at ``where`` (``loc``, ``bbox_to_anchor``), e.g. on the line of
    its title, where it costs no extra height."""
    previous = (Patch(fill=False, edgecolor=COLORS["muted"], linewidth=0.9, linestyle=(0, (3, 2)),
                      label=w["previous"]) if dashed_previous
                else Patch(color=COLORS["previous"], label=w["previous"]))
    handles = [Patch(color=COLORS["accent"], label=w["current"]), previous]
    if ax is None:
        fig.legend(handles=handles, loc="outside upper right", ncols=2)
    else:
        ax.legend(handles=handles, ncols=2, borderaxespad=0.1, borderpad=0.1, **where)


def _paired_height(names: Sequence[str], width: int) -> float:
    rows = len(names)
    wrapped = sum("\n" in _label(name, width) for name in names)
    return 0.55 + 0.34 * rows + 0.12 * wrapped


def traffic_sources(
    traffic: pd.DataFrame,
    lang: str = "zh",
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Share of UV and conversion by traffic source, this week vs last week, side by side.

    Parameters
    ----------
    traffic : DataFrame
        One row per source: ``source_label`` (str), ``uv_share``, ``uv_share_prev``,
        ``conversion_rate``, ``conversion_rate_prev`` (fractions). Drawn by this week's share,
        largest on top.
    lang : {"zh", "en"}
    title : str, optional
    labels : mapping, optional
        ``current``, ``previous`` (the two series: "本周", "上周"), ``uv_share``,
        ``conversion_rate`` (panel titles), ``no_data``, ``alt``.
    """
    cols = ["source_label", "uv_share", "uv_share_prev", "conversion_rate", "conversion_rate_prev"]
    _check(traffic, cols, "traffic_sources", lang)
    w = _words("traffic_sources", lang, labels)
    if traffic.empty:
        return _empty(lang, title, w["alt"], w["no_data"])
    t = traffic.sort_values("uv_share", ascending=False, na_position="last")
    names = list(t["source_label"].astype(str))
    share = functools.partial(numbers.format_percent, decimals=1, lang=lang)
    rate = functools.partial(_format.compact, unit="rate", lang=lang)

    with house_style(lang):
        fig = _figure(_paired_height(names, _LABEL_WIDTH["paired"]) - 0.2)  # legend on a title line
        left, right = fig.subplots(1, 2, sharey=True)
        if title:
            fig.suptitle(title)
        _paired_bars(left, names, t["uv_share"], t["uv_share_prev"], share, w)
        _paired_bars(right, names, t["conversion_rate"], t["conversion_rate_prev"], rate, w)
        left.set_title(w["uv_share"])
        right.set_title(w["conversion_rate"])
        right.tick_params(axis="y", left=False, labelleft=False)
        _legend(fig, w, ax=right, loc="lower right", bbox_to_anchor=(1.0, 1.0))
    return Chart(fig, lang, title or w["alt"])


def funnel(
    funnel: pd.DataFrame,
    lang: str = "zh",
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Conversion funnel: this week's bars, last week's as dashed outlines, step rates between.

    Parameters
    ----------
    funnel : DataFrame
        One row per step, top step first: ``step_label`` (str), ``users``, ``users_prev``,
        ``step_rate`` (users / users of the step before; NaN for the first step). Last week's
        step rate is recomputed from ``users_prev``.
    lang : {"zh", "en"}
    title : str, optional
    labels : mapping, optional
        ``current``, ``previous`` (legend, and the "上周 1,234" notes), ``no_data``, ``alt``.
    """
    _check(funnel, ["step_label", "users", "users_prev", "step_rate"], "funnel", lang)
    w = _words("funnel", lang, labels)
    if funnel.empty:
        return _empty(lang, title, w["alt"], w["no_data"])
    f = funnel.reset_index(drop=True)
    users = f["users"].astype(float).to_numpy()
    prev = f["users_prev"].astype(float).to_numpy()
    widest = float(np.nanmax(np.concatenate([users, prev, [1.0]])))
    y = np.arange(len(f))
    h = 0.5

    with house_style(lang):
        fig = _figure(0.3 + 0.46 * len(f))
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        ax.barh(y, np.nan_to_num(users), left=-np.nan_to_num(users) / 2, height=h,
                color=COLORS["accent"], zorder=2)
        ax.barh(y, np.nan_to_num(prev), left=-np.nan_to_num(prev) / 2, height=h, fill=False,
                edgecolor=COLORS["muted"], linewidth=0.9, linestyle=(0, (3, 2)), zorder=3)
        column = widest / 2 * 1.04
        for i in range(len(f)):
            ax.text(column, i, _format.format_cell(users[i], "count", lang), va="center", ha="left",
                    fontweight="bold")
            ax.text(column, i + 0.26, f"{w['previous']} {_format.format_cell(prev[i], 'count', lang)}",
                    va="center", ha="left", fontsize=SIZES["value_minor"], color=COLORS["muted"])
            if i > 0:
                rate = f["step_rate"].iloc[i]
                rate_prev = prev[i] / prev[i - 1] if prev[i - 1] else np.nan
                note = (f"↓ {_format.compact(rate, 'rate', lang)}   "
                        f"({w['previous']} {_format.compact(rate_prev, 'rate', lang)})")
                ax.text(0, i - 0.5, note, va="center", ha="center", fontsize=SIZES["value"],
                        color=COLORS["ink"], zorder=4)
        ax.set_yticks(y, [_label(name, _LABEL_WIDTH["funnel"]) for name in f["step_label"].astype(str)])
        ax.set_ylim(len(f) - 0.5, -0.5)
        ax.set_xlim(-widest / 2 * 1.02, widest / 2 * 1.5)
        _value_axis_off(ax)
        # the funnel narrows downwards: its lower left corner is free for the legend
        _legend(fig, w, dashed_previous=True, ax=ax, loc="lower left")
    return Chart(fig, lang, title or w["alt"])


def bar_ranking(
    frame: pd.DataFrame,
    label_col: str,
    value_col: str,
    unit: str,
    lang: str = "zh",
    title: str | None = None,
    *,
    reference: float | None = None,
    reference_label: str | None = None,
    highlight: str | None = None,
    highlight_label: str | None = None,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Horizontal bars ranking rows by a value (top products by GMV, campaigns by ROI ...).

    Parameters
    ----------
    frame : DataFrame
        Rows in the order to draw, first on top (sort before calling); ``label_col`` and
        ``value_col`` name its label and value columns. Long labels wrap onto a second line
        at a space or separator, never inside a word.
    label_col, value_col : str
    unit : str
        A registry unit (yuan, count, rate, ratio, seconds, days), "int", "pct_change" or
        "pp_change"; values are labelled in its compact form.
    lang : {"zh", "en"}
    title : str, optional
    reference : float, optional
        Draw a dashed reference line here (e.g. the ROI target).
    reference_label : str, optional
        The word before the line's value ("ROI目标" gives "ROI目标 5.21"); ``labels["target"]``
        by default. The value is always shown: it is added unless the label already holds it.
    highlight : str, optional
        Name of a boolean column; True rows are drawn in the alert colour.
    highlight_label : str, optional
        Legend text for highlighted rows (the same as ``labels["flagged"]``).
    labels : mapping, optional
        ``target`` (word before the reference value when no ``reference_label``),
        ``flagged`` (legend of highlighted rows), ``no_data``, ``alt`` (default: the title).
    """
    _check(frame, [label_col, value_col] + ([highlight] if highlight else []), "bar_ranking", lang)
    _format.check_unit(unit, "bar_ranking")
    given = dict(labels or {})
    if highlight_label is not None:
        given.setdefault("flagged", highlight_label)
    if "alt" not in given:
        given["alt"] = title or f"{value_col} / {label_col}"
    w = _words("bar_ranking", lang, given)
    alt = w["alt"]
    if frame.empty:
        return _empty(lang, title, alt, w["no_data"])
    f = frame.reset_index(drop=True)
    values = f[value_col].astype(float).to_numpy()
    flagged = (f[highlight].fillna(False).astype(bool).to_numpy() if highlight
               else np.zeros(len(f), bool))
    base = COLORS["context"] if flagged.any() else COLORS["accent"]
    colors = np.where(flagged, COLORS["alert"], base)
    y = np.arange(len(f))
    finite = np.nan_to_num(values)
    low = min(0.0, finite.min(), reference if reference is not None else 0.0)
    high = max(0.0, finite.max(), reference if reference is not None else 0.0)
    span = (high - low) or 1.0
    names = [_label(name, _LABEL_WIDTH["bar_ranking"]) for name in f[label_col].astype(str)]
    row = 0.3 if _wrapped(names) else 0.24
    headroom = 0.7 if reference is not None else 0.0  # rows kept free above the bars for the line's label

    with house_style(lang):
        fig = _figure(0.55 + row * (len(f) + headroom) + (0.2 if title else 0))
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        ax.barh(y, finite, height=0.66, color=colors, zorder=2)
        # value labels sit on a white box above the reference line: the dashed line stops at
        # a label instead of striking through its digits
        halo = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none"}
        for i, v in enumerate(values):
            right = _format.missing(v) or v >= 0
            ax.annotate(_format.compact(v, unit, lang, currency=currency), (0 if _format.missing(v) else v, i),
                        xytext=(3 if right else -3, 0), textcoords="offset points", va="center",
                        ha="left" if right else "right", fontsize=SIZES["value"],
                        color=COLORS["alert"] if flagged[i] else COLORS["ink"],
                        bbox=halo if reference is not None else None, zorder=5)
        if low < 0:
            ax.axvline(0, color=COLORS["spine"], linewidth=0.8, zorder=3)
        if reference is not None:
            ax.axvline(reference, color=COLORS["reference"], linewidth=1, linestyle=(0, (4, 2)),
                       zorder=4)
            # the line is labelled with its value in the free band above the first bar
            ax.annotate(_reference_note(reference, reference_label, w["target"], unit, lang, currency),
                        (reference, -0.5 - headroom / 2), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=SIZES["note"], color=COLORS["reference"],
                        zorder=5)
        ax.set_yticks(y, names)
        if _wrapped(names):
            ax.tick_params(axis="y", labelsize=SIZES["value_minor"] + 0.5)
        ax.set_ylim(len(f) - 0.5, -0.5 - headroom)
        ax.set_xlim(low - (0.16 * span if low < 0 else 0), high + 0.16 * span)
        _value_axis_off(ax)
        if flagged.any():
            # right above the axes, on the title's line: next to the bars it explains
            flag = Patch(color=COLORS["alert"], label=w["flagged"])
            ax.legend(handles=[flag], loc="lower right", bbox_to_anchor=(1.0, 1.0),
                      borderaxespad=0.1, borderpad=0.1, handletextpad=0.4)
    return Chart(fig, lang, alt)


def _reference_note(reference: float, label: str | None, target: str, unit: str, lang: str, currency: str = "CNY") -> str:
    """The reference line's label: the caller's word (``reference_label``, else ``target``)
    and the line's value, e.g. "ROI目标 5.21", "Target 5.21"."""
    value = _format.compact(reference, unit, lang, currency=currency)
    word = (label or target).strip()
    return word if value in word else f"{word} {value}"


def segment_bars(
    frame: pd.DataFrame,
    lang: str = "zh",
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Customers per RFM segment, this week vs last week, with the relative change.

    Parameters
    ----------
    frame : DataFrame
        One row per segment, in drawing order: ``segment_label`` (str), ``customers``,
        ``customers_prev``.
    lang : {"zh", "en"}
    title : str, optional
    labels : mapping, optional
        ``current``, ``previous`` (the two series), ``no_data``, ``alt``.
    """
    _check(frame, ["segment_label", "customers", "customers_prev"], "segment_bars", lang)
    w = _words("segment_bars", lang, labels)
    if frame.empty:
        return _empty(lang, title, w["alt"], w["no_data"])
    this = frame["customers"].astype(float).to_numpy()
    prev = frame["customers_prev"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(prev > 0, this / prev - 1, np.nan)
    notes = [_format.compact(c, "pct_change", lang) if not _format.missing(c) else "" for c in change]
    names = list(frame["segment_label"].astype(str))

    with house_style(lang):
        fig = _figure(_paired_height(names, _LABEL_WIDTH["paired"]))
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        count = functools.partial(_format.format_cell, unit="count", lang=lang)
        _paired_bars(ax, names, this, prev, count, w, note=notes)
        ax.set_xlim(0, np.nanmax(np.concatenate([this, prev, [1]])) * 1.45)
        _legend(fig, w)
    return Chart(fig, lang, title or w["alt"])
