"""What a report family is: the small spec every family registers, and what it resolves to.

A family plugs in by shipping ``opsreport/families/<name>/spec.py`` with a module-level ``SPEC``
(a :class:`FamilySpec`); :mod:`opsreport.families` discovers it. Shared code asks the spec,
never the family's name, how to check parameters, what a run is called and what fan-out means.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..params import ReportParams
from ..paths import PROJECT_ROOT
from ..views.title import TitleBlock



@dataclass(frozen=True)
class Resolved:
    """A family's parameters checked against the warehouse before any kernel starts.

    ``key`` and ``period`` name the output folder (``outputs/<family>/<key>/<period>/``);
    ``updates`` are parameter values the notebook must receive instead of the user's (the
    resolved week for ``week: last``), so folder and report always agree.
    """

    key: str
    period: str
    title: TitleBlock
    updates: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FamilySpec:
    """One report family.

    Attributes
    ----------
    name : str
        snake_case name used everywhere: ``notebooks/<name>.ipynb``, ``params/<name>/``,
        ``outputs/<name>/`` and ``opsreport run <name>``.
    params_model : type of ReportParams
        The pydantic model of the family's parameters (``extra="forbid"``).
    resolve : callable (warehouse, params) -> Resolved
        Checks the period/key against the data and builds the title block; raises an
        OpsReportError naming the problem.
    analysis : callable (params) -> result
        The family's analysis ``run``: pure data, no language.
    view : callable (result) -> view
        Wraps a result in the object whose methods the notebook's cells call.
    fan_out : callable (warehouse, params) -> list of params
        What "render all" means for the family (every shop, every promotion, every team).
    fan_out_label, fan_out_key : str
        The unit fanned out over, for messages ("shop"), and the parameter naming it ("shop_id").
    demo_params : sequence of str
        Parameter files under ``params/<name>/`` that ``opsreport demo`` renders; each is fanned
        out over ``demo_keys`` when given.
    demo_keys : callable () -> list of params updates, optional
        For the demo: one update per report to render from each demo params file.
    private : bool
        The outputs are personal (appraisals): their folder and files are readable by the owner
        only, and the shared outputs index does not list them.
    """

    name: str
    params_model: type[ReportParams]
    resolve: Callable[[Any, ReportParams], Resolved]
    analysis: Callable[[ReportParams], Any]
    view: Callable[[Any], Any]
    fan_out: Callable[[Any, ReportParams], list[ReportParams]]
    fan_out_label: str = "shop"
    fan_out_key: str = "shop_id"
    demo_params: Sequence[str] = ("demo.yaml",)
    demo_keys: Callable[[], list[dict[str, Any]]] | None = None
    private: bool = False

    @property
    def notebook(self) -> Path:
        return PROJECT_ROOT / "notebooks" / f"{self.name}.ipynb"

    @property
    def params_dir(self) -> Path:
        return PROJECT_ROOT / "params" / self.name


def every_shop(wh: Any, params: ReportParams) -> list[ReportParams]:
    """The fan-out of a per-shop family: ``params`` once for every shop of the warehouse."""
    shops = wh.table("shops").select("shop_id").order_by("shop_id").execute().shop_id
    return [params.model_copy(update={"shop_id": shop_id}) for shop_id in shops]


def lazy(module: str, name: str) -> Callable[..., Any]:
    """``module.name`` called on first use: a family's analysis and view load pandas, Ibis and
    matplotlib, which listing the registry (``opsreport params``) must not."""
    def call(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__qualname__ = f"lazy({module}.{name})"
    return call
