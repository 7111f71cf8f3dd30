"""Charts of the reports. Every function takes small result frames and returns a ``Chart``.

A ``Chart`` renders itself to PNG (``_repr_png_``) and to an ``<img>`` with alt text
(``_repr_html_``), so it shows in JupyterLab, survives papermill and nbconvert, and lands in the
PDF, whatever matplotlib backend the kernel uses: figures are built with ``Figure()`` on an Agg
canvas, never through pyplot, so nothing is registered with the backend, nothing is shown
twice and there is nothing to close.

Charts draw inside ``theme.house_style(lang)`` and take colours from ``theme.COLORS``; the
strings on them come from ``LABELS`` (or the metric registry for metric names).
"""

from __future__ import annotations

import base64
import functools
import html
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from opsreport.metrics.registry import metric
from opsreport.viz import _format
from opsreport.viz.theme import COLORS, SIZES, WIDTH_IN, house_style

__all__ = [
    "Chart",
    "LABELS",
    "bar_ranking",
    "daily_trend",
    "funnel",
    "gmv_bridge",
    "segment_bars",
    "traffic_sources",
]

LANGS = ("zh", "en")

#: Axis, legend and title strings of the charts (metric names come from the registry).
LABELS: dict[str, dict[str, str]] = {
    "this_week": {"zh": "本周", "en": "This week"},
    "last_week": {"zh": "上周", "en": "Last week"},
    "daily_uv": {"zh": "访客数", "en": "UV"},
    "uv_share": {"zh": "访客占比", "en": "Share of UV"},
    "users": {"zh": "人数", "en": "Users"},
    "customers": {"zh": "客户数", "en": "Customers"},
    "step_rate": {"zh": "环节转化", "en": "step"},
    "flagged": {"zh": "需关注", "en": "Flagged"},
    "target": {"zh": "目标", "en": "Target"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "axis_not_zero": {"zh": "纵轴未从 0 开始", "en": "Axis does not start at 0"},
    "alt_daily_trend": {
        "zh": "每日支付金额、访客数和支付转化率，本周高亮",
        "en": "Daily GMV, UV and conversion rate, the reviewed week highlighted",
    },
    "alt_gmv_bridge": {"zh": "支付金额变化拆解（瀑布图）", "en": "GMV bridge (waterfall)"},
    "alt_traffic_sources": {
        "zh": "各流量来源的访客占比和转化率，本周与上周对比",
        "en": "Share of UV and conversion rate by traffic source, this week vs last week",
    },
    "alt_funnel": {"zh": "转化漏斗，本周与上周对比", "en": "Conversion funnel, this week vs last week"},
    "alt_segment_bars": {
        "zh": "各客户分层人数，本周与上周对比",
        "en": "Customers per segment, this week vs last week",
    },
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _t(key: str, lang: str) -> str:
    return LABELS[key][lang]


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
        Resolution of the PNG (150: sharp on screen and in an A4 PDF at 16 cm).
    """

    figure: Figure
    lang: str
    alt: str
    dpi: int = 150

    def to_png(self, dpi: int | None = None) -> bytes:
        """PNG bytes of the chart (cached for the default dpi)."""
        if dpi is None or dpi == self.dpi:
            return self._png
        return self._render(dpi)

    def save(self, path: str | Path) -> Path:
        """Write the PNG to ``path`` and return the path."""
        path = Path(path)
        path.write_bytes(self.to_png())
        return path

    def _render(self, dpi: int) -> bytes:
        buffer = BytesIO()
        with house_style(self.lang):
            self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        return buffer.getvalue()

    @functools.cached_property
    def _png(self) -> bytes:
        return self._render(self.dpi)

    def _repr_png_(self) -> bytes:
        return self._png

    def _repr_html_(self) -> str:
        data = base64.b64encode(self._png).decode("ascii")
        return (
            f'<img class="opsreport-chart" src="data:image/png;base64,{data}" '
            f'alt="{html.escape(self.alt)}" style="width:100%;height:auto" />'
        )

    def __repr__(self) -> str:
        return f"<Chart {self.alt!r}>"


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


def _formatter(unit: str, lang: str) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: _format.axis_label(value, unit, lang))


def _text_width(text: str) -> int:
    """Display width in columns: CJK characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shorten(text, width: int = 30) -> str:
    text = str(text)
    if _text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _empty(lang: str, title: str | None, alt: str) -> Chart:
    with house_style(lang):
        fig = _figure(WIDTH_IN * 0.25)
        ax = fig.subplots()
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        ax.text(0.5, 0.5, _t("no_data", lang), ha="center", va="center", color=COLORS["muted"],
                transform=ax.transAxes)
    return Chart(fig, lang, f"{alt} ({_t('no_data', lang)})")


def _value_axis_off(ax) -> None:
    """For bars labelled with their values: no value axis, no grid, no spines."""
    ax.xaxis.set_visible(False)
    ax.grid(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _date_label(lang: str):
    def label(value, _pos):
        day = mdates.num2date(value)
        return f"{day.month}/{day.day}" if lang == "zh" else f"{day.day} {_MONTHS[day.month - 1]}"

    return FuncFormatter(label)


# --------------------------------------------------------------------------------------------
# Charts


def daily_trend(daily: pd.DataFrame, lang: str = "zh", *, title: str | None = None) -> Chart:
    """GMV, UV and conversion per day in three stacked panels, the reviewed week highlighted.

    Parameters
    ----------
    daily : DataFrame
        One row per day: ``date`` (datetime64), ``gmv`` (yuan), ``uv`` (visitors that day),
        ``conversion_rate`` (fraction), ``in_week`` (bool, the reviewed week).
    lang : {"zh", "en"}
    title : str, optional
        Figure title; by default none (the report's heading names the chart).
    """
    _check(daily, ["date", "gmv", "uv", "conversion_rate", "in_week"], "daily_trend", lang)
    alt = _t("alt_daily_trend", lang)
    if daily.empty:
        return _empty(lang, title, alt)
    d = daily.sort_values("date").reset_index(drop=True)
    d["date"] = pd.to_datetime(d["date"])
    in_week = d["in_week"].fillna(False).astype(bool).to_numpy()
    week = d[in_week]

    with house_style(lang):
        fig = _figure(WIDTH_IN * 0.78)
        axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1.35, 1, 1]})
        if title:
            fig.suptitle(title)
        if not week.empty:
            start = week["date"].min() - pd.Timedelta(hours=12)
            end = week["date"].max() + pd.Timedelta(hours=12)
            for ax in axes:
                ax.axvspan(start, end, color=COLORS["accent_light"], linewidth=0, zorder=0)
            top = blended_transform_factory(axes[0].transData, axes[0].transAxes)
            axes[0].text(start + (end - start) / 2, 1.02, _t("this_week", lang), transform=top,
                         ha="center", va="bottom", color=COLORS["accent"], fontweight="bold")

        bar_colors = np.where(in_week, COLORS["accent"], COLORS["context"])
        axes[0].bar(d["date"], d["gmv"], width=0.72, color=bar_colors, zorder=2)
        axes[0].set_title(metric("gmv").label(lang))
        axes[0].yaxis.set_major_formatter(_formatter("yuan", lang))

        for ax, col, unit, label in (
            (axes[1], "uv", "count", _t("daily_uv", lang)),
            (axes[2], "conversion_rate", "rate", metric("conversion_rate").label(lang)),
        ):
            ax.plot(d["date"], d[col], color=COLORS["context"], zorder=2)
            ax.plot(week["date"], week[col], color=COLORS["accent"], marker="o", zorder=3)
            ax.set_title(label)
            ax.yaxis.set_major_formatter(_formatter(unit, lang))
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
        Labels of the two total bars; "上周"/"本周" ("Last week"/"This week") by default.
    title : str, optional

    Raises
    ------
    ValueError
        The contributions do not add up to the change (more than ¥1 or 1e-6 of GMV apart).
    """
    _check(bridge, ["factor_label", "contribution"], "gmv_bridge", lang)
    contributions = bridge["contribution"].astype(float).fillna(0.0).to_numpy()
    gap = start_value + contributions.sum() - end_value
    if abs(gap) > max(1.0, 1e-6 * abs(end_value)):
        raise ValueError(
            f"gmv_bridge: contributions add up to {contributions.sum():,.2f} but the change is "
            f"{end_value - start_value:,.2f} (gap {gap:,.2f}); the bridge must be exact"
        )
    labels = [start_label or _t("last_week", lang), *map(str, bridge["factor_label"]),
              end_label or _t("this_week", lang)]
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
        x = np.arange(len(labels))
        width = 0.62
        # totals
        for i, value in ((0, start_value), (len(labels) - 1, end_value)):
            ax.bar(i, value - floor, bottom=floor, width=width, color=COLORS["total"], zorder=2)
            ax.annotate(_format.compact(value, "yuan", lang), (i, value), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontweight="bold")
        # factors
        for i, c in enumerate(contributions, start=1):
            before, after = levels[i - 1], levels[i]
            color = COLORS["good"] if c > 0 else COLORS["bad"] if c < 0 else COLORS["muted"]
            height = abs(c) if c != 0 else move * 0.004
            ax.bar(i, height, bottom=min(before, after), width=width, color=color, zorder=2)
            y, va, dy = (max(before, after), "bottom", 3) if c >= 0 else (min(before, after), "top", -3)
            ax.annotate(_format.compact(c, "yuan", lang, signed=True), (i, y), xytext=(0, dy),
                        textcoords="offset points", ha="center", va=va, color=color,
                        fontweight="bold")
        # connectors between consecutive bars
        for i, level in enumerate(levels):
            ax.plot([i + width / 2, i + 1 - width / 2], [level, level], color=COLORS["spine"],
                    linewidth=0.7, linestyle=(0, (2, 2)), zorder=1)

        ax.set_xticks(x, [_shorten(label, 16) for label in labels])
        ax.tick_params(axis="x", length=0)
        ax.yaxis.set_major_formatter(_formatter("yuan", lang))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        top = hi + (hi - floor) * 0.14
        ax.set_ylim(floor, top)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        if zoomed:
            ax.text(0, 1.0, _t("axis_not_zero", lang), transform=ax.transAxes, ha="left",
                    va="bottom", fontsize=SIZES["note"], color=COLORS["muted"])
    alt = _t("alt_gmv_bridge", lang) + ": " + ", ".join(
        f"{label} {_format.compact(c, 'yuan', lang, signed=True)}"
        for label, c in zip(labels[1:-1], contributions)
    )
    return Chart(fig, lang, title or alt)


def _paired_bars(ax, labels, this, prev, fmt, lang: str, *, note=None) -> None:
    """Horizontal bars this week (accent) over last week (grey), ``fmt(value)`` at the bar ends."""
    y = np.arange(len(labels))
    h = 0.38
    ax.barh(y - h / 2, this, height=h, color=COLORS["accent"], label=_t("this_week", lang), zorder=2)
    ax.barh(y + h / 2, prev, height=h, color=COLORS["previous"], label=_t("last_week", lang), zorder=2)
    span = np.nanmax(np.concatenate([np.asarray(this, float), np.asarray(prev, float), [0]]))
    for i, (a, b) in enumerate(zip(this, prev)):
        text = fmt(a)
        if note is not None and note[i]:
            text += f"  {note[i]}"
        ax.annotate(text, (0 if _format.missing(a) else a, i - h / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=SIZES["value"])
        ax.annotate(fmt(b), (0 if _format.missing(b) else b, i + h / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", ha="left",
                    fontsize=SIZES["value_minor"], color=COLORS["muted"])
    ax.set_yticks(y, [_shorten(label, 22) for label in labels])
    ax.set_ylim(len(labels) - 0.45, -0.55)
    ax.set_xlim(0, (span or 1) * 1.32)
    _value_axis_off(ax)


def _share(value) -> str:
    return _format.DASH if _format.missing(value) else f"{value:.1%}"


def traffic_sources(traffic: pd.DataFrame, lang: str = "zh", *, title: str | None = None) -> Chart:
    """Share of UV and conversion by traffic source, this week vs last week, side by side.

    Parameters
    ----------
    traffic : DataFrame
        One row per source: ``source_label`` (str), ``uv_share``, ``uv_share_prev``,
        ``conversion_rate``, ``conversion_rate_prev`` (fractions). Drawn by this week's share,
        largest on top.
    lang : {"zh", "en"}
    title : str, optional
    """
    cols = ["source_label", "uv_share", "uv_share_prev", "conversion_rate", "conversion_rate_prev"]
    _check(traffic, cols, "traffic_sources", lang)
    alt = _t("alt_traffic_sources", lang)
    if traffic.empty:
        return _empty(lang, title, alt)
    t = traffic.sort_values("uv_share", ascending=False, na_position="last")
    labels = list(t["source_label"].astype(str))

    with house_style(lang):
        fig = _figure(0.75 + 0.42 * len(t))
        left, right = fig.subplots(1, 2, sharey=True)
        if title:
            fig.suptitle(title)
        rate = functools.partial(_format.compact, unit="rate", lang=lang)
        _paired_bars(left, labels, t["uv_share"].to_numpy(float), t["uv_share_prev"].to_numpy(float),
                     _share, lang)
        _paired_bars(right, labels, t["conversion_rate"].to_numpy(float),
                     t["conversion_rate_prev"].to_numpy(float), rate, lang)
        left.set_title(_t("uv_share", lang))
        right.set_title(metric("conversion_rate").label(lang))
        right.tick_params(axis="y", left=False, labelleft=False)
        handles, names = left.get_legend_handles_labels()
        fig.legend(handles, names, loc="outside upper right", ncols=2)
    return Chart(fig, lang, title or alt)


def funnel(funnel: pd.DataFrame, lang: str = "zh", *, title: str | None = None) -> Chart:
    """Conversion funnel: this week's bars, last week's as dashed outlines, step rates between.

    Parameters
    ----------
    funnel : DataFrame
        One row per step, top step first: ``step_label`` (str), ``users``, ``users_prev``,
        ``step_rate`` (users / users of the step before; NaN for the first step). Last week's
        step rate is recomputed from ``users_prev``.
    lang : {"zh", "en"}
    title : str, optional
    """
    _check(funnel, ["step_label", "users", "users_prev", "step_rate"], "funnel", lang)
    alt = _t("alt_funnel", lang)
    if funnel.empty:
        return _empty(lang, title, alt)
    f = funnel.reset_index(drop=True)
    users = f["users"].astype(float).to_numpy()
    prev = f["users_prev"].astype(float).to_numpy()
    widest = float(np.nanmax(np.concatenate([users, prev, [1.0]])))
    y = np.arange(len(f))
    h = 0.56

    with house_style(lang):
        fig = _figure(0.5 + 0.6 * len(f))
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        ax.barh(y, np.nan_to_num(users), left=-np.nan_to_num(users) / 2, height=h,
                color=COLORS["accent"], zorder=2, label=_t("this_week", lang))
        ax.barh(y, np.nan_to_num(prev), left=-np.nan_to_num(prev) / 2, height=h, fill=False,
                edgecolor=COLORS["muted"], linewidth=0.9, linestyle=(0, (3, 2)), zorder=3,
                label=_t("last_week", lang))
        column = widest / 2 * 1.04
        for i in range(len(f)):
            ax.text(column, i, _format.format_cell(users[i], "count"), va="center", ha="left",
                    fontweight="bold")
            ax.text(column, i + 0.26, f"{_t('last_week', lang)} {_format.format_cell(prev[i], 'count')}",
                    va="center", ha="left", fontsize=SIZES["value_minor"], color=COLORS["muted"])
            if i > 0:
                rate = f["step_rate"].iloc[i]
                rate_prev = prev[i] / prev[i - 1] if prev[i - 1] else np.nan
                text = (f"↓ {_format.compact(rate, 'rate', lang)}   "
                        f"({_t('last_week', lang)} {_format.compact(rate_prev, 'rate', lang)})")
                ax.text(0, i - 0.5, text, va="center", ha="center", fontsize=SIZES["value"],
                        color=COLORS["ink"], zorder=4)
        ax.set_yticks(y, [_shorten(label, 16) for label in f["step_label"].astype(str)])
        ax.set_ylim(len(f) - 0.5, -0.5)
        ax.set_xlim(-widest / 2 * 1.02, widest / 2 * 1.5)
        _value_axis_off(ax)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside upper right", ncols=2)
    return Chart(fig, lang, title or alt)


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
) -> Chart:
    """Horizontal bars ranking rows by a value (top products by GMV, campaigns by ROI ...).

    Parameters
    ----------
    frame : DataFrame
        Rows in the order to draw, first on top (sort before calling); ``label_col`` and
        ``value_col`` name its label and value columns.
    label_col, value_col : str
    unit : str
        A registry unit (yuan, count, rate, ratio, seconds, days), "int", "pct_change" or
        "pp_change"; values are labelled in its compact form.
    lang : {"zh", "en"}
    title : str, optional
    reference : float, optional
        Draw a dashed reference line here (e.g. the ROI target).
    reference_label : str, optional
        Its label; "目标"/"Target" and the value by default.
    highlight : str, optional
        Name of a boolean column; True rows are drawn in the alert colour.
    highlight_label : str, optional
        Legend text for highlighted rows; "需关注"/"Flagged" by default.
    """
    _check(frame, [label_col, value_col] + ([highlight] if highlight else []), "bar_ranking", lang)
    _format.check_unit(unit, "bar_ranking")
    alt = title or f"{value_col} by {label_col}"
    if frame.empty:
        return _empty(lang, title, alt)
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

    with house_style(lang):
        fig = _figure(0.8 + 0.3 * len(f) + (0.2 if title else 0))
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        ax.barh(y, finite, height=0.66, color=colors, zorder=2)
        for i, v in enumerate(values):
            right = _format.missing(v) or v >= 0
            ax.annotate(_format.compact(v, unit, lang), (0 if _format.missing(v) else v, i),
                        xytext=(3 if right else -3, 0), textcoords="offset points", va="center",
                        ha="left" if right else "right", fontsize=SIZES["value"],
                        color=COLORS["alert"] if flagged[i] else COLORS["ink"])
        if low < 0:
            ax.axvline(0, color=COLORS["spine"], linewidth=0.8, zorder=3)
        if reference is not None:
            ax.axvline(reference, color=COLORS["reference"], linewidth=1, linestyle=(0, (4, 2)),
                       zorder=4)
            text = reference_label or f"{_t('target', lang)} {_format.compact(reference, unit, lang)}"
            top = blended_transform_factory(ax.transData, ax.transAxes)
            ax.annotate(text, (reference, 1.0), xycoords=top, xytext=(3, 0),
                        textcoords="offset points", ha="left", va="top", fontsize=SIZES["note"],
                        color=COLORS["reference"])
        ax.set_yticks(y, [_shorten(label, 30) for label in f[label_col].astype(str)])
        ax.set_ylim(len(f) - 0.5, -0.5 - (0.5 if reference is not None and not title else 0))
        ax.set_xlim(low - (0.16 * span if low < 0 else 0), high + 0.16 * span)
        _value_axis_off(ax)
        if flagged.any():
            flag = Patch(color=COLORS["alert"], label=highlight_label or _t("flagged", lang))
            fig.legend(handles=[flag], loc="outside upper right")
    return Chart(fig, lang, alt)


def segment_bars(frame: pd.DataFrame, lang: str = "zh", *, title: str | None = None) -> Chart:
    """Customers per RFM segment, this week vs last week, with the relative change.

    Parameters
    ----------
    frame : DataFrame
        One row per segment, in drawing order: ``segment_label`` (str), ``customers``,
        ``customers_prev``.
    lang : {"zh", "en"}
    title : str, optional
    """
    _check(frame, ["segment_label", "customers", "customers_prev"], "segment_bars", lang)
    alt = _t("alt_segment_bars", lang)
    if frame.empty:
        return _empty(lang, title, alt)
    this = frame["customers"].astype(float).to_numpy()
    prev = frame["customers_prev"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(prev > 0, this / prev - 1, np.nan)
    notes = [_format.compact(c, "pct_change", lang) if not _format.missing(c) else "" for c in change]

    with house_style(lang):
        fig = _figure(0.75 + 0.42 * len(frame))
        ax = fig.subplots()
        if title:
            ax.set_title(title)
        count = functools.partial(_format.format_cell, unit="count")
        _paired_bars(ax, list(frame["segment_label"].astype(str)), this, prev, count, lang,
                     note=notes)
        ax.set_xlim(0, np.nanmax(np.concatenate([this, prev, [1]])) * 1.45)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside upper right", ncols=2)
    return Chart(fig, lang, title or alt)

