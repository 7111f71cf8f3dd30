"""Per-language settings and fixed words of the presentation layer, read from ``catalogue.yaml``.

Data, not code: the Babel locale, the page's ``lang`` tag and the axis date pattern of each
report language, the workbook's sheet names, and (deprecated) the words charts fall back to.
Loaded once; imports only PyYAML, so ``numbers`` (and through it the metric registry) can use it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["catalogue", "entry", "word"]

PATH = Path(__file__).with_name("catalogue.yaml")


@cache
def catalogue() -> dict[str, Any]:
    """The whole catalogue (cached)."""
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def entry(path: str) -> dict[str, str]:
    """The ``{zh: ..., en: ...}`` entry at a dotted ``path`` ("workbook.cover")."""
    node: Any = catalogue()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no entry {path!r} in {PATH.name}")
        node = node[part]
    return node


def word(path: str, lang: str, default: str | None = None) -> str:
    """The entry at ``path`` in ``lang``; ``default`` (else the English) for another language."""
    node = entry(path)
    if lang in node:
        return str(node[lang])
    return default if default is not None else str(node["en"])
