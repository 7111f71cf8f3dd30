"""charts.py: every chart renders to PNG under any backend, in zh and en, without missing glyphs."""

from __future__ import annotations

import base64
import struct
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from opsreport.viz import charts

from . import samples

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])


def build(name: str, lang: str) -> charts.Chart:
    if name == "daily_trend":
        return charts.daily_trend(samples.daily(), lang)
    if name == "gmv_bridge":
        frame, start, end = samples.bridge(lang)
        return charts.gmv_bridge(frame, start, end, lang)
    if name == "traffic_sources":
        return charts.traffic_sources(samples.traffic(lang), lang)
    if name == "funnel":
        return charts.funnel(samples.funnel(lang), lang)
    if name == "bar_ranking":
        return charts.bar_ranking(samples.products(lang), "product", "gmv", "yuan", lang, "Top 8")
    if name == "bar_ranking_reference":
        return charts.bar_ranking(samples.campaigns(lang), "campaign", "roi", "ratio", lang,
                                  reference=2.0, highlight="below_target")
    if name == "segment_bars":
        return charts.segment_bars(samples.segments(lang), lang)
    raise AssertionError(name)


NAMES = ["daily_trend", "gmv_bridge", "traffic_sources", "funnel", "bar_ranking",
         "bar_ranking_reference", "segment_bars"]


@pytest.fixture
def agg_backend():
    before = matplotlib.get_backend()
    matplotlib.use("Agg", force=True)
    yield
    matplotlib.use(before, force=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_chart_renders_png_without_missing_glyphs(name, lang, agg_backend):
    figures_before = plt.get_fignums()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = build(name, lang)
        data = chart._repr_png_()
    glyph_warnings = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert glyph_warnings == []
    assert isinstance(chart, charts.Chart)
    width, height = png_size(data)
    assert 800 <= width <= 1100  # 16 cm at 150 dpi, give or take the tight bounding box
    assert 150 <= height <= 1100
    assert len(data) > 10_000
    assert plt.get_fignums() == figures_before  # nothing registered with pyplot / the backend


@pytest.mark.parametrize("backend", ["Agg", "pdf", "svg"])
def test_chart_shows_whatever_the_backend(backend):
    before = matplotlib.get_backend()
    try:
        matplotlib.use(backend, force=True)
        chart = build("gmv_bridge", "zh")
        assert chart._repr_png_()[:8] == PNG_SIGNATURE
    finally:
        matplotlib.use(before, force=True)


def test_html_repr_is_an_img_with_alt_text():
    chart = build("funnel", "zh")
    html = chart._repr_html_()
    assert html.startswith('<img class="opsreport-chart" src="data:image/png;base64,')
    assert 'alt="转化漏斗，本周与上周对比"' in html and "width:100%" in html
    data = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(data) == chart._repr_png_()


def test_png_is_rendered_once_and_save_writes_it(tmp_path):
    chart = build("segment_bars", "en")
    assert chart._repr_png_() is chart._repr_png_()
    path = chart.save(tmp_path / "segments.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert png_size(chart.to_png(dpi=75))[0] < png_size(chart.to_png())[0]


def test_rendering_does_not_leak_the_theme():
    before = dict(matplotlib.rcParams)
    build("daily_trend", "zh")._repr_png_()
    assert dict(matplotlib.rcParams) == before


def test_empty_frames_give_a_no_data_chart():
    empty = samples.traffic("zh").iloc[0:0]
    chart = charts.traffic_sources(empty, "zh")
    assert chart._repr_png_()[:8] == PNG_SIGNATURE
    assert "无数据" in chart.alt


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="daily_trend: frame is missing column.*in_week"):
        charts.daily_trend(samples.daily().drop(columns="in_week"), "zh")
    with pytest.raises(ValueError, match="lang must be"):
        charts.funnel(samples.funnel("zh"), "fr")


def test_bridge_must_add_up():
    frame, start, end = samples.bridge("en")
    with pytest.raises(ValueError, match="add up"):
        charts.gmv_bridge(frame, start, end + 10_000, "en")


def test_bridge_alt_text_lists_the_contributions():
    frame, start, end = samples.bridge("en")
    alt = charts.gmv_bridge(frame, start, end, "en").alt
    assert "Conversion -¥214k" in alt and "UV +¥86.4k" in alt


def test_bar_ranking_negative_values_and_pct_change():
    frame = pd.DataFrame({"sku": ["A", "B", "C"], "change": [-0.42, -0.18, 0.05]})
    chart = charts.bar_ranking(frame, "sku", "change", "pct_change", "en", "Biggest fallers")
    assert chart._repr_png_()[:8] == PNG_SIGNATURE
    with pytest.raises(ValueError, match="unknown unit"):
        charts.bar_ranking(frame, "sku", "change", "percent", "en")


def test_labels_cover_both_languages():
    for key, texts in charts.LABELS.items():
        assert set(texts) == {"zh", "en"}, key
