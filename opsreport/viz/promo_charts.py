"""Charts of the promotion retrospective: pace against target, real lift, and the days around
the D-day against last year's.

They follow ``charts.py`` in everything: small result frames in, a ``charts.Chart`` out (so
``figure_html``, the notebook display and ``save`` work unchanged), drawn inside
``theme.house_style(lang)`` with ``theme.COLORS``, money on the value axis in ``charts``'s
compact form (¥120万 / ¥1.2M), and every word from the caller's ``labels`` or, for a key left
out, the glossary's ``chart`` group (``LABEL_KEYS`` lists each chart's keys, ``_DEFAULTS`` the
glossary entry behind each). Each chart is about a third of an A4 page high in print.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter
from matplotlib.transforms import blended_transform_factory

from opsreport.analyses.lift import PHASES
from opsreport.viz.charts import Chart, _check, _date_label, _empty, _figure, _formatter
from opsreport.viz.charts import _words as _chart_words
from opsreport.viz.numbers import MINUS
from opsreport.viz.theme import COLORS, SERIES, SIZES, WIDTH_IN, house_style

__all__ = ["LABEL_KEYS", "aligned_days", "promo_lift", "promo_pace"]

#: The ``labels`` keys each chart takes (every text it shows, and its alt text).
LABEL_KEYS: dict[str, tuple[str, ...]] = {
    "promo_pace": ("actual", "pace", "alert", "no_data", "alt"),
    "promo_lift": ("actual", "baseline", "band", "pre_dip", "promotion", "hangover", "no_data", "alt"),
    "aligned_days": ("current", "last_year", "d_day", "no_data", "alt"),
}

# chart -> labels key -> its default in the glossary's chart group (alt: "alt_<chart>")
_DEFAULTS: dict[str, dict[str, str]] = {
    "promo_pace": {"actual": "promo_actual_cumulative", "pace": "promo_target_pace",
                   "alert": "promo_first_day_alert", "no_data": "no_data"},
    "promo_lift": {"actual": "promo_actual", "baseline": "promo_baseline", "band": "promo_band",
                   "pre_dip": "promo_pre_dip", "promotion": "promo_promotion",
                   "hangover": "promo_hangover", "no_data": "no_data"},
    "aligned_days": {"current": "promo_this_year", "last_year": "promo_last_year",
                     "d_day": "promo_d_day", "no_data": "no_data"},
}

#: Height of each chart: a third of an A4 page in print (8 cm at the house width of 16 cm).
HEIGHT_IN = WIDTH_IN * 0.5

#: Bar colour of each phase of ``promo_lift``: the fit weeks quiet, the promotion the accent,
#: the dip before and the hangover after in two further colours of the house series.
PHASE_COLORS = {"fit": COLORS["context"], "pre_dip": SERIES[5], "promotion": COLORS["accent"],
                "hangover": SERIES[3]}

_HOUR = pd.Timedelta(hours=1)
_DAY = pd.Timedelta(days=1)
_DASHED = (0, (4, 2))


def _words(chart: str, lang: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    """The texts of ``chart``: these charts have their own keys and defaults ("current" is "this
    year" here, "this week" in the weekly charts)."""
    return _chart_words(chart, lang, labels, keys=LABEL_KEYS[chart], fallback=_DEFAULTS[chart])


def _money_axis(ax, lang: str, currency: str, top: float) -> None:
    """Money on the value axis from 0, about five ticks, a little air above ``top``."""
    ax.yaxis.set_major_formatter(_formatter("yuan", lang, currency))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_ylim(0, (top if np.isfinite(top) and top > 0 else 1.0) * 1.1)


def _legend(fig, handles: list) -> None:
    """The chart's legend above the axes, left-aligned, in one row; in two when one row is
    wider than the figure, the series (lines, band, fit days) in the first row and the rest in
    the second (matplotlib fills a legend column by column, hence the interleaving)."""
    legend = fig.legend(handles=handles, loc="outside upper left", ncols=len(handles))
    fig.canvas.draw()  # inside house_style: measured in the fonts it is drawn with
    if len(handles) < 3 or legend.get_window_extent().width <= fig.bbox.width:
        return
    legend.remove()
    cols = math.ceil(len(handles) / 2)
    rows = [handles[:cols], handles[cols:]]
    order = [row[c] for c in range(cols) for row in rows if c < len(row)]
    fig.legend(handles=order, loc="outside upper left", ncols=cols)


# --------------------------------------------------------------------------------------------
# Charts


def promo_pace(
    hourly: pd.DataFrame,
    lang: str = "zh",
    *,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
    first_day_alert: pd.Timestamp | None = None,
) -> Chart:
    """Cumulative GMV of a promotion hour by hour against its target pace, the gap shaded
    where behind.

    Parameters
    ----------
    hourly : DataFrame
        One row per promotion hour from its first (``analyses.promo_pace``'s ``hourly``):
        ``hour`` (datetime64, the hour's first instant), ``cumulative_gmv`` and ``target_pace``
        (yuan since the start, by the end of the hour). A value is drawn at the end of its
        hour, from 0 at the start; missing values (hours still to come) leave the line open.
    lang : {"zh", "en"}
        Number and date formats.
    labels : mapping, optional
        ``actual`` (the GMV line), ``pace`` (the dashed target line), ``alert`` (above the
        axes at the alert's dotted rule), ``no_data``, ``alt`` (text alternative).
    currency : str
        ISO code of the amounts.
    first_day_alert : Timestamp, optional
        The hour (its first instant) in which the first day first fell more than the threshold
        behind its pace: a marker on the GMV line at the end of that hour and a dotted rule
        up to the word ``alert`` above the axes (the first day is at the left; the legend
        shares that line at the right).
    """
    _check(hourly, ["hour", "cumulative_gmv", "target_pace"], "promo_pace", lang)
    w = _words("promo_pace", lang, labels)
    if hourly.empty:
        return _empty(lang, None, w["alt"], w["no_data"])
    h = hourly.assign(hour=pd.to_datetime(hourly["hour"])).sort_values("hour").reset_index(drop=True)
    start = h["hour"].iloc[0]
    end = h["hour"].iloc[-1] + _HOUR
    x = pd.DatetimeIndex([start, *(h["hour"] + _HOUR)])
    actual = np.concatenate([[0.0], h["cumulative_gmv"].astype(float).to_numpy()])
    pace = np.concatenate([[0.0], h["target_pace"].astype(float).to_numpy()])

    with house_style(lang):
        fig = _figure(HEIGHT_IN)
        ax = fig.subplots()
        behind = np.nan_to_num(actual, nan=np.inf) < np.nan_to_num(pace, nan=-np.inf)
        ax.fill_between(x, actual, pace, where=behind, interpolate=True, color=COLORS["alert"],
                        alpha=0.18, linewidth=0, zorder=1)
        ax.plot(x, pace, color=COLORS["reference"], linewidth=1.2, linestyle=_DASHED, zorder=2)
        ax.plot(x, actual, color=COLORS["accent"], zorder=3)
        known = ~np.isnan(actual)
        if first_day_alert is not None and not pd.isna(first_day_alert) and known.any():
            at = pd.Timestamp(first_day_alert) + _HOUR
            y = float(np.interp(mdates.date2num(at), mdates.date2num(x[known]), actual[known]))
            # a dotted rule up from the marker, the word above the axes at its top: the curves
            # leave no place inside the axes that is free on every promotion
            ax.axvline(at, color=COLORS["alert"], linewidth=0.8, linestyle=(0, (1, 2)), zorder=1)
            ax.plot([at], [y], marker="o", markersize=6, color=COLORS["alert"],
                    markeredgecolor="white", markeredgewidth=1, linestyle="none", zorder=5)
            top = blended_transform_factory(ax.transData, ax.transAxes)
            ax.annotate(w["alert"], (mdates.date2num(at), 1.0), xycoords=top, xytext=(-3, 2),
                        textcoords="offset points", ha="left", va="bottom",
                        fontsize=SIZES["note"], color=COLORS["alert"], fontweight="bold")
        _money_axis(ax, lang, currency, np.nanmax(np.concatenate([actual, pace])))
        _promotion_days(ax, start, end, lang)
        # on the line above the axes, right-aligned: the alert's word (first day, so at the
        # left) shares that line, and the legend costs no extra height
        ax.legend(handles=[Line2D([], [], color=COLORS["accent"], label=w["actual"]),
                           Line2D([], [], color=COLORS["reference"], linewidth=1.2, linestyle=_DASHED,
                                  label=w["pace"])],
                  loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, borderaxespad=0.1, borderpad=0.1)
    return Chart(fig, lang, w["alt"])


def _promotion_days(ax, start: pd.Timestamp, end: pd.Timestamp, lang: str) -> None:
    """The time axis of an hourly chart: a tick at each midnight, the date under the middle of
    its day: every day up to 10 days, else every second or third day from the second (at most
    10 dates, the first clear of the value axis's "¥0")."""
    first = start.normalize()
    days = max(1, math.ceil((end - first) / _DAY))
    step = math.ceil(days / 10)
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(NullFormatter())
    noons = [first + pd.Timedelta(days=d, hours=12) for d in range(step // 2, days, step)]
    ax.xaxis.set_minor_locator(FixedLocator(mdates.date2num([n for n in noons if start <= n <= end])))
    ax.xaxis.set_minor_formatter(_date_label(lang))
    ax.tick_params(axis="x", which="minor", length=0)
    ax.set_xlim(start, end)


def promo_lift(
    daily: pd.DataFrame,
    lang: str = "zh",
    *,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Daily GMV against the no-promotion baseline and its range, bars coloured by phase, the
    promotion days shaded.

    Parameters
    ----------
    daily : DataFrame
        One row per day (``analyses.lift.Lift.daily``): ``date``, ``phase`` (fit, pre_dip,
        promotion or hangover), ``actual_amount``, ``baseline_amount``, ``baseline_lower``,
        ``baseline_upper`` (yuan).
    lang : {"zh", "en"}
    labels : mapping, optional
        ``actual`` (legend of the fit days' muted bars), ``baseline`` (the line), ``band`` (its
        range), ``pre_dip``, ``promotion``, ``hangover`` (legend of each phase's bars; a phase
        without days has none), ``no_data``, ``alt``.
    currency : str

    Raises
    ------
    ValueError
        A column is missing, or ``phase`` holds a value other than the four phases.
    """
    cols = ["date", "phase", "actual_amount", "baseline_amount", "baseline_lower", "baseline_upper"]
    _check(daily, cols, "promo_lift", lang)
    w = _words("promo_lift", lang, labels)
    if daily.empty:
        return _empty(lang, None, w["alt"], w["no_data"])
    unknown = sorted(set(daily["phase"].astype(str)) - set(PHASES))
    if unknown:
        raise ValueError(f"promo_lift: unknown phase(s) {', '.join(unknown)}; use {', '.join(PHASES)}")
    d = daily.assign(date=pd.to_datetime(daily["date"])).sort_values("date").reset_index(drop=True)
    phase = d["phase"].astype(str)
    promo = d[phase == "promotion"]

    with house_style(lang):
        fig = _figure(HEIGHT_IN)
        ax = fig.subplots()
        if not promo.empty:
            ax.axvspan(promo["date"].min() - pd.Timedelta(hours=12), promo["date"].max() + pd.Timedelta(hours=12),
                       color=COLORS["accent_light"], linewidth=0, zorder=0)
        ax.bar(d["date"], d["actual_amount"].astype(float), width=0.72,
               color=[PHASE_COLORS[p] for p in phase], zorder=2)
        # the band over the bars, translucent: a bar's top reads as inside or outside it
        ax.fill_between(d["date"], d["baseline_lower"].astype(float), d["baseline_upper"].astype(float),
                        color=COLORS["reference"], alpha=0.16, linewidth=0, zorder=3)
        ax.plot(d["date"], d["baseline_amount"].astype(float), color=COLORS["reference"],
                linewidth=1.2, zorder=4)
        top = np.nanmax(d[["actual_amount", "baseline_amount", "baseline_upper"]].astype(float).to_numpy())
        _money_axis(ax, lang, currency, top)
        days = (d["date"].max() - d["date"].min()).days
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO) if days > 21
                                   else mdates.DayLocator(interval=1 if days <= 10 else 2))
        ax.xaxis.set_major_formatter(_date_label(lang))
        margin = pd.Timedelta(hours=15)  # half a bar and a little air, as daily_trend
        ax.set_xlim(d["date"].min() - margin, d["date"].max() + margin)

        shown = set(phase)
        handles = [Patch(color=PHASE_COLORS["fit"], label=w["actual"])] if "fit" in shown else []
        handles += [Line2D([], [], color=COLORS["reference"], linewidth=1.2, label=w["baseline"]),
                    Patch(color=COLORS["reference"], alpha=0.16, label=w["band"])]
        handles += [Patch(color=PHASE_COLORS[p], label=w[p]) for p in PHASES[1:] if p in shown]
        _legend(fig, handles)
    return Chart(fig, lang, w["alt"])


def _offset_label(offset: float) -> str:
    """A day relative to the D-day: "D−3", "D", "D+1" (U+2212, as every negative number)."""
    n = int(round(offset))
    return "D" if n == 0 else f"D{MINUS}{-n}" if n < 0 else f"D+{n}"


def aligned_days(
    frame: pd.DataFrame,
    lang: str = "zh",
    *,
    labels: Mapping[str, str] | None = None,
    currency: str = "CNY",
) -> Chart:
    """Daily GMV by days from the D-day, this year against last year's promotion.

    Parameters
    ----------
    frame : DataFrame
        One row per day: ``offset`` (int, days from the D-day; 0 is the D-day), ``gmv`` and
        ``last_year_gmv`` (yuan; last year's all missing when there is no last year: then
        only this year is drawn, and the legend has no last-year entry).
    lang : {"zh", "en"}
    labels : mapping, optional
        ``current`` (this year's line), ``last_year`` (the dashed line), ``d_day`` (at the
        vertical rule), ``no_data``, ``alt``.
    currency : str
    """
    _check(frame, ["offset", "gmv", "last_year_gmv"], "aligned_days", lang)
    w = _words("aligned_days", lang, labels)
    if frame.empty:
        return _empty(lang, None, w["alt"], w["no_data"])
    f = frame.sort_values("offset").reset_index(drop=True)
    x = f["offset"].astype(int).to_numpy()
    this = f["gmv"].astype(float).to_numpy()
    last = f["last_year_gmv"].astype(float).to_numpy()
    has_last = not np.isnan(last).all()

    with house_style(lang):
        fig = _figure(HEIGHT_IN)
        ax = fig.subplots()
        handles = [Line2D([], [], color=COLORS["accent"], marker="o", label=w["current"])]
        if has_last:
            ax.plot(x, last, color=COLORS["context"], linewidth=1.4, linestyle=_DASHED, zorder=2)
            handles.append(Line2D([], [], color=COLORS["context"], linewidth=1.4, linestyle=_DASHED,
                                  label=w["last_year"]))
        ax.plot(x, this, color=COLORS["accent"], marker="o", zorder=3)
        ax.axvline(0, color=COLORS["reference"], linewidth=0.9, zorder=1)
        top = blended_transform_factory(ax.transData, ax.transAxes)
        ax.text(0, 1.0, w["d_day"], transform=top, ha="center", va="bottom", color=COLORS["reference"],
                fontsize=SIZES["note"], fontweight="bold")
        _money_axis(ax, lang, currency, np.nanmax(np.concatenate([this, last, [0.0]])))
        first, last = min(int(x.min()), 0), max(int(x.max()), 0)
        step = 1 if last - first <= 14 else 2 if last - first <= 28 else 7  # multiples: D is a tick
        ax.xaxis.set_major_locator(FixedLocator(range(-(-first // step) * step, last + 1, step)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _offset_label(value)))
        low, high = first - 0.5, last + 0.5
        ax.set_xlim(low, high)
        # on the line above the axes (no extra height), on the side away from the D-day's word
        right = (0 - low) / (high - low) < 0.6
        ax.legend(handles=handles, loc="lower right" if right else "lower left",
                  bbox_to_anchor=(1.0 if right else 0.0, 1.0), ncols=len(handles),
                  borderaxespad=0.1, borderpad=0.1)
    return Chart(fig, lang, w["alt"])
