"""The registry of report families: name -> :class:`~opsreport.families.spec.FamilySpec`.

Families are discovered, not listed: every sub-package ``opsreport/families/<name>/`` whose
``spec.py`` defines ``SPEC`` is a family (kedro's "a pipeline is a folder").
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from ..errors import ParamsError
from .spec import FamilySpec, Resolved, TitleBlock

__all__ = ["FamilySpec", "Resolved", "TitleBlock", "get", "names", "registry"]


@cache
def registry() -> dict[str, FamilySpec]:
    found: dict[str, FamilySpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{info.name}.spec"), "SPEC", None)
        if isinstance(spec, FamilySpec):
            found[spec.name] = spec
    return found


def names() -> list[str]:
    return list(registry())


def get(name: str) -> FamilySpec:
    try:
        return registry()[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, names(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ParamsError(f"unknown report '{name}'{hint}; reports: {', '.join(names())}") from None
