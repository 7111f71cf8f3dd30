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


def test_html_repr_is_a_figure_with_the_svg_and_alt_text():
    chart = build("funnel", "zh")
    html = chart._repr_html_()
    assert html.startswith('<figure class="chart"><img class="opsreport-chart" src="data:image/svg+xml;base64,')
    assert 'alt="转化漏斗，本周与上周对比"' in html and "max-width:100%" in html
    data = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(data) == chart.to_svg()
    assert html == charts.figure_html(chart) == chart.to_html()  # one way to embed a chart


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
    assert "Conversion −¥214K" in alt and "UV +¥86.4K" in alt  # Babel's short form, U+2212


def test_bar_ranking_negative_values_and_pct_change():
    frame = pd.DataFrame({"sku": ["A", "B", "C"], "change": [-0.42, -0.18, 0.05]})
    chart = charts.bar_ranking(frame, "sku", "change", "pct_change", "en", "Biggest fallers")
    assert chart._repr_png_()[:8] == PNG_SIGNATURE
    with pytest.raises(ValueError, match="unknown unit"):
        charts.bar_ranking(frame, "sku", "change", "percent", "en")


def test_labels_cover_both_languages():
    for key, texts in charts.LABELS.items():
        assert set(texts) == {"zh", "en"}, key


# --- SVG, labels from the caller, label wrapping, one minus sign ------------------------------


def _texts(chart: charts.Chart) -> list[str]:
    """Every text drawn on the chart (titles, tick labels, annotations, legend)."""
    from matplotlib.text import Text

    from opsreport.viz.theme import house_style

    with house_style(chart.lang):
        chart.figure.canvas.draw()
    return [t.get_text() for t in chart.figure.findobj(Text) if t.get_text() and t.get_visible()]


def test_svg_is_vector_with_chinese_glyphs_as_paths(agg_backend):
    from matplotlib import font_manager

    from opsreport.viz import fonts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = build("segment_bars", "zh").to_svg().decode("utf-8")
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<image" not in svg  # no raster inside
    assert "<text" not in svg  # text drawn as paths: the page needs no font to show it
    # the glyphs of "重要价值客户" are defined from the CJK font (ids: font name + glyph index)
    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=[fonts.find_cjk_font()])))
    for ch in "重要价值客户":
        assert f'-{font.get_char_index(ord(ch)):x}"' in svg, ch
    assert build("segment_bars", "zh").to_svg() == build("segment_bars", "zh").to_svg()  # reproducible


def test_save_writes_svg_or_png_by_suffix(tmp_path):
    chart = build("funnel", "en")
    assert chart.save(tmp_path / "f.svg").read_bytes() == chart.to_svg()
    assert chart.save(tmp_path / "f.png").read_bytes()[:8] == PNG_SIGNATURE


def test_every_text_comes_from_the_caller():
    words = {"current": "CUR", "previous": "PREV", "no_data": "NONE", "alt": "ALT"}
    texts = _texts(charts.segment_bars(samples.segments("en"), "en", labels=words))
    assert "CUR" in texts and "PREV" in texts
    assert "This week" not in texts and "Last week" not in texts
    assert charts.segment_bars(samples.segments("en"), "en", labels=words).alt == "ALT"
    empty = charts.funnel(samples.funnel("zh").iloc[0:0], "zh", labels={"no_data": "暂无"})
    assert "暂无" in _texts(empty) and "无数据" not in _texts(empty)

    trend = charts.daily_trend(samples.daily(), "zh", labels={
        "current": "W47", "gmv": "G", "uv": "U", "conversion_rate": "C", "alt": "A"})
    assert {"W47", "G", "U", "C"} <= set(_texts(trend)) and "本周" not in _texts(trend)

    frame, start, end = samples.bridge("zh")
    bridge = charts.gmv_bridge(frame, start, end, "zh", labels={"start": "W46", "end": "W47", "alt": "B"})
    assert {"W46", "W47"} <= set(_texts(bridge)) and bridge.alt.startswith("B: ")

    traffic = charts.traffic_sources(samples.traffic("en"), "en", labels={
        "current": "Now", "previous": "Before", "uv_share": "S", "conversion_rate": "R"})
    assert {"Now", "Before", "S", "R"} <= set(_texts(traffic))

    funnel = charts.funnel(samples.funnel("en"), "en", labels={"current": "Now", "previous": "Before"})
    assert "Before 121,800" in _texts(funnel)

    ranking = charts.bar_ranking(samples.campaigns("en"), "campaign", "roi", "ratio", "en",
                                 reference=2.0, highlight="below_target",
                                 labels={"target": "Goal", "flagged": "Below goal"})
    assert "Goal 2.00" in _texts(ranking) and "Below goal" in _texts(ranking)


def test_label_keys_are_checked():
    with pytest.raises(ValueError, match="unknown labels key.*this_week.*it takes current"):
        charts.segment_bars(samples.segments("zh"), "zh", labels={"this_week": "本周"})
    assert set(charts.LABEL_KEYS) == {"daily_trend", "gmv_bridge", "traffic_sources", "funnel",
                                      "bar_ranking", "segment_bars"}


def test_fallback_words_remain_until_callers_pass_labels():
    texts = _texts(build("segment_bars", "zh"))
    assert "本周" in texts and "上周" in texts


def test_long_product_labels_wrap_between_words_not_inside():
    frame = pd.DataFrame({"product": ["悦颜海岸海洋调男士香水 小样套装", "Niacinamide body lotion 400ml family size", "眼霜"],
                          "gmv": [30_659.0, 20_979.0, 4_280.0]})
    chart = charts.bar_ranking(frame, "product", "gmv", "yuan", "zh")
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels == ["悦颜海岸海洋调男士香水\n小样套装", "Niacinamide body lotion 400ml\nfamily size", "眼霜"]
    assert not any("…" in label for label in labels)


def test_negative_values_and_ticks_use_the_minus_sign():
    frame = pd.DataFrame({"sku": ["A", "B"], "change": [-0.42, 0.05]})
    texts = _texts(charts.bar_ranking(frame, "sku", "change", "pct_change", "en"))
    assert "−42.0%" in texts and not any(t.startswith("-") for t in texts)
    frame, start, end = samples.bridge("zh")
    texts = _texts(charts.gmv_bridge(frame, start, end, "zh"))
    assert "−¥21.4万" in texts and "+¥8.64万" in texts


# --- the reference line of a ranking (ROI target) ---------------------------------------------


def _roi_near_target(lang: str) -> pd.DataFrame:
    names = {"zh": ["万相台 / 货品加速", "引力魔方 / 人群拉新", "直通车 / 品牌词", "直通车 / 核心词"],
             "en": ["Boost / products", "Display / prospecting", "Search / brand", "Search / core"]}[lang]
    roi = [4.99, 5.17, 5.85, 3.40]
    return pd.DataFrame({"name": names, "roi": roi, "below_target": [r < 5.21 for r in roi]})


@pytest.mark.parametrize("lang, word, expected", [("zh", "ROI目标", "ROI目标 5.21"),
                                                   ("en", "ROI target", "ROI target 5.21")])
def test_reference_line_is_labelled_with_the_callers_word_and_its_value(lang, word, expected):
    chart = charts.bar_ranking(_roi_near_target(lang), "name", "roi", "ratio", lang, "ROI",
                               reference=5.21, reference_label=word, highlight="below_target")
    texts = _texts(chart)
    assert expected in texts and word not in texts
    # without reference_label: the glossary's (or the caller's labels) target word and the value
    plain = charts.bar_ranking(_roi_near_target(lang), "name", "roi", "ratio", lang, reference=5.21,
                               labels={"target": "Goal"})
    assert "Goal 5.21" in _texts(plain)
    # a label that already holds the value is not given it twice
    given = charts.bar_ranking(_roi_near_target(lang), "name", "roi", "ratio", lang, reference=5.21,
                               reference_label="Target 5.21")
    assert "Target 5.21" in _texts(given) and "Target 5.21 5.21" not in _texts(given)


def test_value_labels_near_the_reference_line_are_not_struck_through():
    from matplotlib.text import Annotation

    from opsreport.viz.theme import house_style

    chart = charts.bar_ranking(_roi_near_target("zh"), "name", "roi", "ratio", "zh", "ROI",
                               reference=5.21, reference_label="ROI目标", highlight="below_target")
    ax = chart.figure.axes[0]
    (line,) = [l for l in ax.get_lines() if l.get_xdata()[0] == 5.21]
    values = {a.get_text(): a for a in ax.findobj(Annotation) if a.get_text() in ("4.99", "5.17")}
    assert set(values) == {"4.99", "5.17"}
    with house_style("zh"):
        chart.figure.canvas.draw()
        renderer = chart.figure.canvas.get_renderer()
        line_x = ax.transData.transform((5.21, 0))[0]
        for text, label in values.items():
            box = label.get_bbox_patch()
            # an opaque white box drawn over the dashed line: the line stops at the digits
            assert box is not None and box.get_facecolor()[:3] == (1.0, 1.0, 1.0), text
            assert box.get_alpha() in (None, 1.0) and label.get_zorder() > line.get_zorder(), text
            extent = label.get_window_extent(renderer)
            if extent.x0 <= line_x <= extent.x1:  # the line does cross this label's place
                assert box.get_window_extent(renderer).x0 <= extent.x0, text


def test_ranking_legend_sits_on_the_axes_not_the_figure_corner():
    from opsreport.viz.theme import house_style

    chart = charts.bar_ranking(_roi_near_target("en"), "name", "roi", "ratio", "en", "ROI by campaign",
                               reference=5.21, reference_label="ROI target", highlight="below_target",
                               highlight_label="Below target")
    ax = chart.figure.axes[0]
    assert not chart.figure.legends and ax.get_legend() is not None
    with house_style("en"):
        chart.figure.canvas.draw()
        renderer = chart.figure.canvas.get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        axes = ax.get_window_extent(renderer)
        title = ax.title.get_window_extent(renderer)
    # right-aligned with the axes, just above them: on the title's line, not above it
    assert abs(legend.x1 - axes.x1) < 12 and axes.y1 - 2 <= legend.y0 <= axes.y1 + 12
    assert legend.y0 < title.y1 and legend.x0 > title.x1
