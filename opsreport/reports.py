"""Rendering a report family from validated parameters.

Everything that can fail on bad input (warehouse, contracts, the family's key and period) is
checked here, through the family's spec, before any kernel starts; the render itself is one
:class:`~opsreport.render.job.RenderJob`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import families
from . import params as params_mod
from .errors import ContractError, OpsReportError
from .families.spec import FamilySpec
from .params import ReportParams
from .render.job import RenderJob
from .warehouse.connection import Warehouse


def notebook_path(report: str) -> Path:
    path = families.get(report).notebook
    if not path.is_file():
        raise OpsReportError(f"notebook for report '{report}' not found at {path}")
    return path


def _checked(values: ReportParams) -> Warehouse:
    """The warehouse of ``values``, every table checked against its contract."""
    wh = Warehouse.open(values.warehouse)
    problems = wh.check_all()
    if problems:
        wh.close()
        raise ContractError("\n".join(problems))
    return wh


def prepare(spec: FamilySpec, values: ReportParams, *, out_root: Path, formats: set[str], wh: Warehouse | None = None) -> RenderJob:
    """Check ``values`` against the data and build the job that renders them."""
    own = wh is None
    wh = wh or _checked(values)
    try:
        resolved = spec.resolve(wh, values)
        fingerprint = wh.fingerprint()
    finally:
        if own:
            wh.close()
    # the notebook gets the resolved values, so the folder name and the report always agree
    parameters = values.model_copy(
        update={**resolved.updates, "warehouse": str(Path(values.warehouse).resolve())}
    ).model_dump()
    return RenderJob(
        report=spec.name,
        notebook=notebook_path(spec.name),
        parameters=parameters,
        out_root=Path(out_root),
        key=resolved.key,
        period=resolved.period,
        formats=frozenset(formats),
        title=resolved.title.title,
        subtitle=resolved.title.subtitle,
        meta=resolved.title.meta,
        lang=values.lang,
        fingerprint=fingerprint,
        private=spec.private,
    )


def render_report(report: str, values: ReportParams, *, out_root: Path, formats: set[str]) -> Path:
    """Render one report of family ``report``; returns the published folder."""
    from .render import pipeline

    return pipeline.render(prepare(families.get(report), values, out_root=out_root, formats=formats))


def render_all(
    report: str,
    values: ReportParams,
    *,
    out_root: Path,
    formats: set[str],
    updates: list[dict] | None = None,
    echo: Callable[[str], None] = print,
) -> tuple[list[Path], dict[str, OpsReportError]]:
    """Every report the family fans out to (every shop for the weekly review), or one per entry of
    ``updates``: the unattended job. A report that fails is reported and the others still render."""
    from .render import pipeline

    spec = families.get(report)
    wh = _checked(values)
    try:
        batch = ([values.model_copy(update=u) for u in updates] if updates is not None else spec.fan_out(wh, values))
        folders, failures = [], {}
        for one in batch:
            name = _describe(spec, one)
            echo(f"rendering {spec.name} of {name}...")
            try:
                folders.append(pipeline.render(prepare(spec, one, out_root=out_root, formats=formats, wh=wh)))
            except OpsReportError as exc:
                failures[name] = exc
                echo(f"{name} failed: {exc}")
    finally:
        wh.close()
    return folders, failures


def _describe(spec: FamilySpec, values: ReportParams) -> str:
    return f"{spec.fan_out_label} {getattr(values, spec.fan_out_key)}"


def render_demo(
    *,
    out_root: Path,
    warehouse: Path,
    rebuild: bool,
    orders_per_shop: int,
    formats: set[str],
    echo: Callable[[str], None] = print,
) -> tuple[list[Path], dict[str, OpsReportError]]:
    """Build the demo warehouse if needed, then render every family's demo reports."""
    from .warehouse import demo

    if rebuild or not Path(warehouse).is_file():
        echo(f"building demo warehouse {warehouse} ({orders_per_shop:,} orders per shop)...")
        demo.build_demo_warehouse(warehouse, orders_per_shop=orders_per_shop)
    folders, failures = [], {}
    for spec in families.registry().values():
        for name in spec.demo_params:
            base = params_mod.load(spec.name, spec.params_dir / name).model_copy(update={"warehouse": str(warehouse)})
            updates = spec.demo_keys() if spec.demo_keys else [{}]
            done, failed = render_all(spec.name, base, out_root=out_root, formats=formats, updates=updates, echo=echo)
            folders += done
            failures.update({f"{spec.name} {key}": exc for key, exc in failed.items()})
    return folders, failures
