"""Every sentence a report prints comes from the glossary or a family's catalogue, in zh and en."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from opsreport import families
from opsreport.i18n import LANGS, Messages, family_messages, glossary, say

PACKAGE = Path(__file__).resolve().parents[1] / "opsreport"
CJK = re.compile(r"[\u4e00-\u9fff]")
# code that names Chinese source data (platform export headers, demo product names, font names),
# not sentences a report prints
# (the outputs index is one bilingual page for every report and language)
DATA_MODULES = ("importing/", "warehouse/demo", "schemas.py", "viz/fonts.py", "render/pdf.py", "render/publish.py")


def _entries(node, path=""):
    if isinstance(node, dict) and set(LANGS) & set(node):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _entries(value, f"{path}.{key}" if path else str(key))


@pytest.mark.parametrize("catalogue", ["glossary", *families.names()])
def test_every_entry_has_both_languages(catalogue):
    data = glossary() if catalogue == "glossary" else family_messages(catalogue)
    entries = list(_entries(data))
    assert entries
    for path, entry in entries:
        assert set(entry) == set(LANGS), path
        for lang in LANGS:
            value = entry[lang]
            forms = value.values() if isinstance(value, dict) else [value]
            assert all(isinstance(f, str) for f in forms), (path, lang)
            if isinstance(value, dict):
                assert set(value) == {"one", "other"}, path


@pytest.mark.parametrize("catalogue", ["glossary", *families.names()])
def test_both_languages_take_the_same_fields(catalogue):
    data = glossary() if catalogue == "glossary" else family_messages(catalogue)
    field = re.compile(r"\{(\w+)")
    for path, entry in _entries(data):
        fields = {}
        for lang in LANGS:
            value = entry[lang]
            forms = value.values() if isinstance(value, dict) else [value]
            fields[lang] = set().union(*(set(field.findall(f)) for f in forms)) - {"count"}
        assert fields["zh"] == fields["en"], path


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_no_inline_language_in_code():
    """No {"zh": ..., "en": ...} dict and no Chinese string outside docstrings in the code that
    prints reports: their words live in the catalogues."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(DATA_MODULES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value in LANGS for k in node.keys):
                offenders.append(f"{rel}:{node.lineno}: inline {{'zh': ...}}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                    and CJK.search(node.value):
                offenders.append(f"{rel}:{node.lineno}: {node.value[:40]!r}")
    assert offenders == []


def test_counts_read_grammatically_in_english():
    en, zh = Messages("en", "weekly_review"), Messages("zh", "weekly_review")
    assert en("inventory.promo_risk", count=1).endswith("for 1 SKU.")
    assert en("inventory.promo_risk", count=3).endswith("for 3 SKUs.")
    assert en("ads.below", campaigns=en("ads.n_campaigns", count=1), channels=en("ads.n_channels", count=2), target="3.00") \
        == "1 campaign and 2 channels below the ROI target of 3.00."
    assert zh("inventory.promo_risk", count=3) == "共 3 个SKU库存+在途不足以支撑到活动结束。"
    assert say("anomaly.stockout.finding", "en", subject="X", stockout_since="2026-11-20", gmv_30d="¥1", avg_daily_units="2.0") \
        .startswith("X has been out of stock since 2026-11-20")


def test_a_missing_entry_is_named():
    with pytest.raises(KeyError, match="no zh/en entry 'headline.nope'"):
        Messages("en", "weekly_review")("headline.nope")
