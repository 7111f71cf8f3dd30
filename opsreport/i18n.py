"""zh / en words and sentences from one glossary (glossary.yaml) plus one message catalogue per
report family (families/<name>/messages.yaml); metric labels come from the metric registry.

An entry is ``{zh: ..., en: ...}``; a sentence is a ``str.format`` template; an English entry may
be ``{one: ..., other: ...}`` so that counts read "1 SKU" and "3 SKUs".
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("zh", "en")


@cache
def glossary() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(resources.files("opsreport").joinpath("glossary.yaml").read_text("utf-8"))


@cache
def family_messages(family: str) -> dict[str, Any]:
    """A family's own catalogue ({} when it has none)."""
    path = resources.files("opsreport").joinpath("families", family, "messages.yaml")
    return yaml.safe_load(path.read_text("utf-8")) if path.is_file() else {}


def t(group: str, key: str, lang: str) -> str:
    """The word for ``group.key`` in ``lang``; unknown keys (e.g. a shop's own source name) stay as they are."""
    entry = glossary().get(group, {}).get(key)
    return _pick(entry, lang, None) if entry else str(key)


def entry(path: str, family: str | None = None) -> dict:
    """The entry at a dotted ``path`` ('note.missing'), looked up in the family's catalogue first."""
    for catalogue in ((family_messages(family),) if family else ()) + (glossary(),):
        node: Any = catalogue
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict) and set(LANGS) <= set(node):
            return node
    where = f"families/{family}/messages.yaml or glossary.yaml" if family else "glossary.yaml"
    raise KeyError(f"no zh/en entry '{path}' in {where}")


def say(path: str, lang: str, *, family: str | None = None, count: int | None = None, **fields: Any) -> str:
    """The sentence at ``path`` in ``lang``, its ``{fields}`` filled in (``count`` picks the plural)."""
    template = _pick(entry(path, family), lang, count)
    return template.format(count=count, **fields) if count is not None else template.format(**fields)


def _pick(node: dict, lang: str, count: int | None) -> str:
    value = node[lang]
    if isinstance(value, dict):  # plural forms
        return value["one"] if count == 1 else value["other"]
    return value


class Messages:
    """Words and sentences of one report: a language and, optionally, a family's catalogue."""

    def __init__(self, lang: str, family: str | None = None):
        self.lang = lang
        self.family = family

    def __call__(self, path: str, count: int | None = None, **fields: Any) -> str:
        return say(path, self.lang, family=self.family, count=count, **fields)

    def word(self, group: str, key: str) -> str:
        return t(group, key, self.lang)

    def join(self, items) -> str:
        return self("note.list_sep").join(str(i) for i in items)
