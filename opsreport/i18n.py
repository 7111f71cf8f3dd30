"""zh / en words from one glossary (glossary.yaml); metric labels come from the metric registry."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def glossary() -> dict[str, dict[str, dict[str, str]]]:
    return yaml.safe_load(resources.files("opsreport").joinpath("glossary.yaml").read_text("utf-8"))


def t(group: str, key: str, lang: str) -> str:
    """The word for ``group.key`` in ``lang``; unknown keys (e.g. a shop's own source name) stay as they are."""
    entry = glossary().get(group, {}).get(key)
    return entry[lang] if entry else str(key)
