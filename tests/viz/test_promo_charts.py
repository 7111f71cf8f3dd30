"""promo_charts.py: the promotion retrospective's charts render in zh and en, show exactly their
words (from the glossary or the caller), and fall back or fail as charts.py's do."""

from __future__ import annotations

import re
import struct
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from opsreport.viz import charts, promo_charts
from opsreport.viz.theme import house_style

MONEY_TICK = re.compile(r"^¥[\d,]+(\.\d+)?[万亿KM]?$")  # ¥0, ¥8,000, ¥1.6万, ¥2.4K


# --- small frames, built in code ---------------------------------------------------------------


def hourly(days: int = 3) -> pd.DataFrame:
    """A flat pace of ¥1,000 an hour; the first day sells half of it, later days ¥1,500 an hour."""
    hours = pd.date_range("2026-11-10", periods=24 * days, freq="h")
    per_hour = np.where(np.arange(len(hours)) < 24, 500.0, 1_500.0)
    return pd.DataFrame({"hour": hours, "cumulative_gmv": per_hour.cumsum(),
                         "target_pace": 1_000.0 * np.arange(1, len(hours) + 1)})


def daily() -> pd.DataFrame:
    """4 fit days, 1 pre-dip day, 2 promotion days, 1 hangover day around a ¥10,000 baseline."""
    phase = ["fit"] * 4 + ["pre_dip", "promotion", "promotion", "hangover"]
    actual = [9_800.0, 10_300.0, 10_100.0, 9_900.0, 8_000.0, 31_000.0, 27_500.0, 8_500.0]
    return pd.DataFrame({"date": pd.date_range("2026-10-10", periods=8, freq="D"), "phase": phase,
                         "actual_amount": actual, "baseline_amount": 10_000.0,
                         "baseline_lower": 9_000.0, "baseline_upper": 11_000.0})


def aligned(last_year: bool = True) -> pd.DataFrame:
    offset = np.arange(-3, 3)  # D−3 .. D+2
    gmv = np.array([50_000.0, 60_000.0, 90_000.0, 240_000.0, 80_000.0, 55_000.0])
    return pd.DataFrame({"offset": offset, "gmv": gmv,
                         "last_year_gmv": gmv * 0.8 if last_year else np.nan})


def build(name: str, lang: str, **kw) -> charts.Chart:
    if name == "promo_pace":
        return promo_charts.promo_pace(hourly(), lang, first_day_alert=pd.Timestamp("2026-11-10 09:00"), **kw)
    if name == "promo_lift":
        return promo_charts.promo_lift(daily(), lang, **kw)
    if name == "aligned_days":
        return promo_charts.aligned_days(aligned(), lang, **kw)
    raise AssertionError(name)


FRAMES = {"promo_pace": hourly, "promo_lift": daily, "aligned_days": aligned}
NAMES = list(FRAMES)


# --- what a chart shows --------------------------------------------------------------------------


def _draw(chart: charts.Chart) -> None:
    with house_style(chart.lang):
        chart.figure.canvas.draw()


def _ticks(chart: charts.Chart) -> list[str]:
    _draw(chart)
    return [t.get_text() for ax in chart.figure.axes
            for t in (*ax.get_xticklabels(which="both"), *ax.get_yticklabels()) if t.get_text()]


def _words(chart: charts.Chart) -> list[str]:
    """Every text drawn on the chart except tick labels (legend, notes, the no-data message)."""
    _draw(chart)
    ticks = {id(t) for ax in chart.figure.axes
             for t in (*ax.get_xticklabels(which="both"), *ax.get_yticklabels())}
    return sorted(t.get_text() for t in chart.figure.findobj(Text)
                  if t.get_text() and t.get_visible() and id(t) not in ticks)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# --- rendering -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_chart_renders_without_missing_glyphs_at_a_third_of_a_page(name, lang):
    figures_before = plt.get_fignums()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = build(name, lang)
        png = chart.to_png()
        svg = chart.to_svg().decode("utf-8")
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert isinstance(chart, charts.Chart)  # the same type as charts.py: figure_html, notebooks
    width, height = png_size(png)
    assert 800 <= width <= 1100  # 16 cm at 150 dpi
    assert 400 <= height <= 600  # 8 cm plus the legend: a third of an A4 page
    assert "<svg" in svg and "<text" not in svg  # vector, text as paths
    assert chart.to_html() == charts.figure_html(chart)
    assert chart.alt == charts.LABELS[f"alt_{name}"][lang]
    assert plt.get_fignums() == figures_before  # nothing registered with pyplot


def test_chinese_words_are_drawn_from_the_cjk_font():
    from matplotlib import font_manager

    from opsreport.viz import fonts

    svg = build("aligned_days", "zh").to_svg().decode("utf-8")
    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=[fonts.find_cjk_font()])))
    for ch in "今年去活动日":  # legend and the D-day's word: glyphs of the CJK font, not boxes
        assert f'-{font.get_char_index(ord(ch)):x}"' in svg, ch


# --- exactly its words ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_promo_pace_words_are_its_legend_and_the_alert(lang):
    words = charts.LABELS
    chart = build("promo_pace", lang)
    assert _words(chart) == sorted([words["promo_actual_cumulative"][lang], words["promo_target_pace"][lang],
                                    words["promo_first_day_alert"][lang]])
    ticks = _ticks(chart)
    dates = {"zh": ["11/10", "11/11", "11/12"], "en": ["10 Nov", "11 Nov", "12 Nov"]}[lang]
    assert [t for t in ticks if not t.startswith("¥")] == dates  # one date a day, not every hour
    assert all(MONEY_TICK.match(t) for t in ticks if t.startswith("¥")), ticks


def test_promo_pace_shades_the_gap_only_while_behind_and_marks_the_alert():
    ax = build("promo_pace", "en").figure.axes[0]
    (gap,) = ax.collections  # fill_between
    # 72 hours, behind from the first hour: the first day at ¥500 against ¥1,000 an hour ends
    # ¥12,000 behind, and ¥500 an hour ahead after catches up 24 hours later (hour 48)
    xs = gap.get_paths()[0].vertices[:, 0]
    assert matplotlib.dates.num2date(xs.max()).replace(tzinfo=None) == pd.Timestamp("2026-11-12 00:00")
    marker = [line for line in ax.get_lines() if line.get_marker() == "o"]
    (point,) = marker
    # the alert hour 09:00-10:00 is drawn at its end, 10:00, where ¥5,000 had been sold
    assert point.get_ydata()[0] == pytest.approx(5_000)
    ahead = hourly().assign(cumulative_gmv=lambda f: f["target_pace"] * 1.2)
    ahead_chart = promo_charts.promo_pace(ahead, "en")
    assert not ahead_chart.figure.axes[0].collections[0].get_paths()  # never behind: no shading
    assert _words(ahead_chart) == ["Actual GMV to date", "Target pace"]  # no alert, no word


def test_long_promotions_label_at_most_ten_dates():
    ticks = _ticks(promo_charts.promo_pace(hourly(26), "en"))
    dates = [t for t in ticks if not t.startswith("¥")]
    assert len(dates) == 9 and dates[0] == "11 Nov"  # every third day from the second: clear of "¥0"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_promo_lift_words_are_its_legend(lang):
    w = charts.LABELS
    keys = ["promo_actual", "promo_baseline", "promo_band", "promo_pre_dip", "promo_promotion", "promo_hangover"]
    chart = build("promo_lift", lang)
    assert _words(chart) == sorted(w[k][lang] for k in keys)
    ticks = _ticks(chart)
    assert all(MONEY_TICK.match(t) for t in ticks if t.startswith("¥")), ticks
    assert {"zh": "10/10", "en": "10 Oct"}[lang] in ticks


def test_promo_lift_legend_leaves_out_phases_without_days():
    frame = daily()
    frame = frame[frame["phase"].isin(["fit", "promotion"])]
    words = _words(promo_charts.promo_lift(frame, "en"))
    assert words == sorted(["Actual GMV", "Baseline (no promotion)", "Baseline range", "Promotion"])


def test_promo_lift_bars_take_their_phase_colour():
    from matplotlib.colors import to_hex

    ax = build("promo_lift", "zh").figure.axes[0]
    bars = [to_hex(p.get_facecolor()) for p in ax.patches if p.get_height() > 0 and p.get_width() < 1]
    colours = promo_charts.PHASE_COLORS
    assert bars == [colours[p].lower() for p in daily()["phase"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_aligned_days_words_and_d_ticks(lang):
    w = charts.LABELS
    chart = build("aligned_days", lang)
    assert _words(chart) == sorted(w[k][lang] for k in ("promo_this_year", "promo_last_year", "promo_d_day"))
    ticks = _ticks(chart)
    assert [t for t in ticks if t.startswith("D")] == ["D−3", "D−2", "D−1", "D", "D+1", "D+2"]  # U+2212
    assert not any("-" in t for t in ticks)
    assert all(MONEY_TICK.match(t) for t in ticks if not t.startswith("D")), ticks


def test_aligned_days_without_last_year_draws_this_year_only():
    chart = promo_charts.aligned_days(aligned(last_year=False), "en")
    assert _words(chart) == ["D-day", "This year"]
    data_lines = [line for line in chart.figure.axes[0].get_lines() if len(line.get_xdata()) > 2]
    assert len(data_lines) == 1


def test_words_come_from_the_caller():
    pace = build("promo_pace", "zh", labels={"actual": "A", "pace": "P", "alert": "!", "alt": "ALT"})
    assert _words(pace) == ["!", "A", "P"] and pace.alt == "ALT"
    lift = build("promo_lift", "en", labels={"actual": "a", "baseline": "b", "band": "c", "pre_dip": "d",
                                             "promotion": "e", "hangover": "f"})
    assert _words(lift) == ["a", "b", "c", "d", "e", "f"]
    days = build("aligned_days", "en", labels={"current": "2026", "last_year": "2025", "d_day": "11.11"})
    assert _words(days) == ["11.11", "2025", "2026"]
    with pytest.raises(ValueError, match="aligned_days: unknown labels key.*this_year.*it takes current"):
        build("aligned_days", "zh", labels={"this_year": "今年"})


# --- fallbacks and failures ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_empty_frames_give_the_no_data_chart(name):
    empty = FRAMES[name]().iloc[0:0]
    chart = getattr(promo_charts, name)(empty, "zh")
    assert _words(chart) == ["无数据"] and "无数据" in chart.alt
    assert chart.to_png()[:8] == b"\x89PNG\r\n\x1a\n"
    caller = getattr(promo_charts, name)(empty, "en", labels={"no_data": "Not started"})
    assert _words(caller) == ["Not started"]


@pytest.mark.parametrize("name, column", [("promo_pace", "target_pace"), ("promo_lift", "baseline_upper"),
                                          ("aligned_days", "last_year_gmv")])
def test_missing_columns_raise_as_charts_do(name, column):
    frame = FRAMES[name]().drop(columns=column)
    with pytest.raises(ValueError, match=f"{name}: frame is missing column.*{column}"):
        getattr(promo_charts, name)(frame, "en")
    with pytest.raises(ValueError, match="lang must be"):
        getattr(promo_charts, name)(FRAMES[name](), "fr")


def test_unknown_phases_are_named():
    frame = daily().assign(phase=lambda f: f["phase"].replace("hangover", "after"))
    with pytest.raises(ValueError, match="promo_lift: unknown phase.*after"):
        promo_charts.promo_lift(frame, "en")


def test_every_default_word_exists_in_both_languages():
    for chart, keys in promo_charts.LABEL_KEYS.items():
        for lang in ("zh", "en"):
            words = promo_charts._words(chart, lang, None)
            assert set(words) == set(keys) and all(words.values()), (chart, lang)
