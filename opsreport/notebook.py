"""What a report notebook calls after its parameters cell: one line sets everything up."""

from __future__ import annotations

from typing import Any

from . import families
from . import params as params_mod
from .paths import locate


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
    return spec.view(spec.analysis(validated))
