"""theme.py and fonts.py: the house look is data, and Chinese text gets a font that has it."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager, ft2font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from opsreport.errors import RenderError
from opsreport.viz import fonts, theme

CHINESE = "本周支付金额下降，转化率环比 -0.6 pp"


def draw(title: str) -> list[str]:
    """Render a figure with ``title`` and return the matplotlib glyph warnings."""
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_title(title)
    ax.set_xlabel(title)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_a_cjk_font_is_found_and_covers_chinese():
    family = fonts.find_cjk_font()
    assert family is not None, "no CJK font: run the README setup (fonts-noto-cjk)"
    charmap = ft2font.FT2Font(fonts.font_file(family)).get_charmap()
    assert all(ord(ch) in charmap for ch in "本周支付金额转化率")


def test_chinese_renders_without_missing_glyphs():
    with theme.house_style("zh"):
        assert draw(CHINESE) == []
        resolved = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert resolved == fonts.font_file(fonts.find_cjk_font())


def test_the_check_would_catch_boxes():
    # control: with matplotlib's default DejaVu Sans the same title is missing glyphs
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        assert draw(CHINESE)


def test_font_rc_puts_the_cjk_font_first():
    rc = fonts.font_rc("zh")
    assert rc["font.sans-serif"][0] == fonts.find_cjk_font()
    assert rc["axes.unicode_minus"] is True  # "−" (U+2212) on axes, like every other number


def test_missing_cjk_font_is_an_error_for_zh_only(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    with pytest.raises(RenderError, match="README"):
        theme.rc("zh")
    with pytest.raises(RenderError, match="fonts-noto-cjk"):
        with theme.house_style("zh"):
            pass
    rc = theme.rc("en")  # silently falls back to the default fonts
    assert "font.sans-serif" not in rc and rc["axes.unicode_minus"] is True


def test_font_installed_after_matplotlib_built_its_cache_is_found(monkeypatch):
    """matplotlib caches its font list; a font installed later is found via fontconfig/folders."""
    family = fonts.find_cjk_font()
    cjk_files = {Path(fonts.font_file(family)).parent}
    stale = [e for e in font_manager.fontManager.ttflist if Path(e.fname).parent not in cjk_files
             and not fonts._covers(e.fname)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    fonts.find_cjk_font.cache_clear()
    try:
        assert fonts._pick() is None  # the stale cache alone knows no CJK font
        found = fonts.find_cjk_font()
        assert found is not None
        assert fonts._covers(fonts.font_file(found))
    finally:
        fonts.find_cjk_font.cache_clear()
        monkeypatch.undo()
        font_manager.fontManager._findfont_cached.cache_clear()


def test_theme_is_data_and_restores_rc():
    assert isinstance(theme.RC, dict) and theme.RC["axes.spines.top"] is False
    assert set(theme.COLORS) >= {"accent", "context", "previous", "good", "bad", "alert"}
    before = dict(matplotlib.rcParams)
    with theme.house_style("en"):
        assert matplotlib.rcParams["axes.grid"] is True
        assert matplotlib.rcParams["savefig.dpi"] == 150
    assert dict(matplotlib.rcParams) == before


def test_apply_sets_the_session_look():
    with matplotlib.rc_context():
        theme.apply("zh")
        assert matplotlib.rcParams["font.sans-serif"][0] == fonts.find_cjk_font()
        assert matplotlib.rcParams["figure.figsize"] == pytest.approx(theme.RC["figure.figsize"])


def test_theme_starts_from_seaborn_and_keeps_the_house_overrides():
    import seaborn as sns

    base = sns.axes_style(theme.STYLE)
    assert theme.RC["axes.axisbelow"] == base["axes.axisbelow"]  # from seaborn
    assert theme.RC["axes.edgecolor"] == theme.COLORS["spine"] != base["axes.edgecolor"]  # house wins
    assert "font.sans-serif" not in theme.RC  # fonts come from fonts.font_rc only
    assert theme.RC["svg.fonttype"] == "path"  # charts embed as SVG with text as paths
    assert [c.upper() for c in theme.RC["axes.prop_cycle"].by_key()["color"]] == list(theme.SERIES)
    assert theme.PALETTE.as_hex() == [c.lower() for c in theme.SERIES]


def test_apply_uses_seaborn_set_theme_without_touching_colour_codes():
    from matplotlib import colors

    before = dict(colors.get_named_colors_mapping())
    with matplotlib.rc_context():
        theme.apply("en")
        assert matplotlib.rcParams["axes.edgecolor"].upper() == theme.COLORS["spine"]
        assert matplotlib.rcParams["svg.fonttype"] == "path"
    assert colors.get_named_colors_mapping()["b"] == before["b"]


def test_fontconfig_is_asked_once_for_charts_and_pdf(monkeypatch):
    from opsreport.render import pdf

    fake = (("/fonts/a.ttc", ("Noto Sans CJK SC", "Noto Sans CJK JP")), ("/fonts/b.ttf", ("WenQuanYi Zen Hei",)))
    monkeypatch.setattr(fonts, "fontconfig_cjk", lambda: fake)
    assert fonts.cjk_font_families() == ("Noto Sans CJK JP", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
    assert pdf.cjk_font_families() == fonts.cjk_font_families()  # the PDF check uses the same answer
    assert fonts._fontconfig_files() == ["/fonts/a.ttc", "/fonts/b.ttf"]


def test_fontconfig_answer_lists_files_and_families():
    found = fonts.fontconfig_cjk()
    assert found, "fontconfig knows no CJK font: run the README setup (fonts-noto-cjk)"
    assert all(path.startswith("/") and families for path, families in found)
