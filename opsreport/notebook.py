"""What a report notebook calls after its parameters cell: one line sets everything up.

A batch runs many notebooks in one warm kernel (``opsreport.render.kernels``); it calls
:func:`warm_up` once and :func:`between_reports` before each report, so that the reports of a
batch share the imports and the opened, already checked warehouse. An analyst's kernel never
calls either and gets exactly the same report.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import families
from . import params as params_mod
from .warehouse.location import locate

#: The warehouse a batch opened in this kernel (its location, and the opened Warehouse).
_shared: dict[str, Any] = {}
#: matplotlib's settings in a fresh kernel, restored before each report of a batch.
_fresh_rc: dict[str, Any] = {}


def setup(report: str, namespace: dict[str, Any]):
    """Validate the notebook's parameters (taken from ``namespace``), apply the house chart style
    for the report's language, run the analysis and return the report's view."""
    model = params_mod.model_for(report)
    values = {name: namespace[name] for name in model.model_fields if name in namespace}
    if "warehouse" in values:
        values["warehouse"] = str(locate(values["warehouse"]))
    validated = params_mod.validate(report, values, source="notebook parameters")
    from .viz import theme

    theme.apply(validated.lang)
    spec = families.get(report)
    shared = _shared.get("warehouse") if _shared.get("location") == getattr(validated, "warehouse", None) else None
    result = spec.analysis(validated, warehouse=shared) if shared is not None else spec.analysis(validated)
    return spec.view(result)


def warm_up() -> None:
    """Import what every report needs (a batch's kernel, once) and remember matplotlib's settings
    as a fresh kernel has them."""
    import matplotlib
    import matplotlib.pyplot  # noqa: F401 - selects the inline backend, which sets its rcParams

    _import_family_modules()
    _fresh_rc.clear()
    _fresh_rc.update(matplotlib.rcParams.copy())


def _import_family_modules() -> None:
    import importlib

    from .viz import theme  # noqa: F401

    for name in families.names():
        for part in ("analysis", "view"):
            importlib.import_module(f"opsreport.families.{name}.{part}")


def between_reports(location: str | None, validated: str | None = None) -> None:
    """Put this kernel back to a fresh kernel's state as far as a report can tell (figures closed,
    matplotlib's settings restored) and share the batch's warehouse: opened once, its tables
    checked once, for every report of the batch that reads ``location``."""
    import matplotlib
    import matplotlib.pyplot as plt

    plt.close("all")
    if _fresh_rc:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated keys are restored as they were
            matplotlib.rcParams.update(_fresh_rc)
    if location is None:
        return
    location = str(locate(location))
    if _shared.get("location") != location or _shared.get("validated") != validated:
        _close_shared()
        from .warehouse.connection import Warehouse

        wh = Warehouse.open(location)
        wh.vouch(validated)
        _shared.update(location=location, validated=validated, warehouse=wh)


def _close_shared() -> None:
    wh = _shared.pop("warehouse", None)
    _shared.clear()
    if wh is not None:
        wh.close()
