"""The hint under a section that has no data: which built-in import sources would fill it."""

from __future__ import annotations

from ..i18n import Messages


def missing_sources(tables: str, platform: str | None, say: Messages) -> str:
    """The note's hint naming the built-in mappings that fill ``tables`` ("product_daily + products")."""
    from ..importing.mappings import builtin_sources

    names: list[str] = []
    for name_of_table in (part.strip() for part in tables.split("+")):
        for name in builtin_sources(name_of_table, platform):
            if name not in names:
                names.append(name)
    if not names:
        return say("note.missing_no_source")
    return say("note.missing_source", count=len(names), names=", ".join(names))
