"""text.py: display width of mixed CJK/ASCII text, and labels broken or shortened between words."""

from __future__ import annotations

import pytest

from opsreport.viz.text import display_width, pad, shorten, wrap


def test_display_width_counts_cjk_and_fullwidth_double():
    assert display_width("") == 0
    assert display_width("GMV") == 3
    assert display_width("支付金额") == 8
    assert display_width("GMV 支付金额") == 3 + 1 + 8
    assert display_width("玻尿酸精华 30ml") == 10 + 1 + 4
    assert display_width("（全角）１２") == 12  # full-width brackets and digits count 2
    assert display_width("e\u0301") == 1  # a combining accent takes no column


def test_pad_aligns_mixed_text_in_terminal_columns():
    assert pad("店铺", 6) == "店铺  "
    assert pad("shop", 6) == "shop  "
    assert display_width(pad("天猫 shop", 12)) == 12
    assert pad("很长的中文名称", 4) == "很长的中文名称 "  # at least one space after


def test_wrap_breaks_at_a_space_never_inside_a_word():
    assert wrap("悦颜海岸海洋调男士香水 小样套装", 24) == ["悦颜海岸海洋调男士香水", "小样套装"]
    assert wrap("Niacinamide body lotion 400ml family size", 30) == ["Niacinamide body lotion 400ml", "family size"]
    assert wrap("GMV per buyer-day", 14) == ["GMV per", "buyer-day"]  # "buyer-day" is one word
    assert wrap("巨量千川-商品推广 / 连衣裙-商品卡", 30) == ["巨量千川-商品推广 /", "连衣裙-商品卡"]
    assert wrap("短标签", 10) == ["短标签"]


def test_wrap_breaks_between_cjk_characters_when_there_is_no_space():
    lines = wrap("烟酰胺美白身体乳大容量家庭装超值", 16)
    assert lines == ["烟酰胺美白身体乳", "大容量家庭装超值"]
    assert all(display_width(line) <= 16 for line in lines)


def test_wrap_with_max_lines_shortens_the_last_line():
    lines = wrap("Niacinamide body lotion 400ml family size", 16, max_lines=2)
    assert lines == ["Niacinamide body", "lotion 400ml…"]
    assert all(display_width(line) <= 16 for line in lines)


def test_shorten_cuts_at_a_boundary_with_an_ellipsis():
    assert shorten("悦颜海岸海洋调男士香水 小样套装", 30) == "悦颜海岸海洋调男士香水…"  # not "…小样套…"
    assert shorten("悦颜海岸海洋调男士香水 小样套装", 40) == "悦颜海岸海洋调男士香水 小样套装"
    assert shorten("Sunscreen spray SPF50+ travel", 20) == "Sunscreen spray…"
    assert display_width(shorten("烟酰胺美白身体乳大容量家庭装", 10)) <= 10
    assert shorten("Supercalifragilistic", 8) == "Superca…"  # one long word: cut as a last resort


def test_wrap_rejects_a_useless_width():
    with pytest.raises(ValueError, match="width"):
        wrap("x", 0)
