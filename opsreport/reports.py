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
from .batch import BatchResult
from .errors import ContractError, OpsReportError, RenderError
from .families.spec import FamilySpec
from .params import ReportParams
from .render.job import RenderJob
from .warehouse.connection import Warehouse
from .warehouse.location import for_parameters


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


def prepare(spec: FamilySpec, values: ReportParams, *, out_root: Path, formats: set[str], wh: Warehouse | None = None,
            fingerprint: dict | None = None) -> RenderJob:
    """Check ``values`` against the data and build the job that renders them (``fingerprint``:
    the warehouse's, when the caller already has it: a batch computes it once)."""
    own = wh is None
    wh = wh or _checked(values)
    try:
        resolved = spec.resolve(wh, values)
        fingerprint = fingerprint or wh.fingerprint()
    finally:
        if own:
            wh.close()
    # the notebook gets the resolved values, so the folder name and the report always agree
    parameters = values.model_copy(
        update={**resolved.updates, "warehouse": for_parameters(values.warehouse)}
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
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> tuple[BatchResult, dict[str, OpsReportError]]:
    """Every report the family fans out to (every shop for the weekly review), or one per entry of
    ``updates``: the unattended job (see :mod:`opsreport.batch`). A report whose parameters or
    data are wrong is reported with the failures and the others still render; a published report
    whose parameters and data are unchanged is skipped unless ``force``."""
    from . import batch
    from .render import kernels

    spec = families.get(report)
    wh = _checked(values)
    tasks, refused = [], {}
    if workers == 1 and not scheduler:
        kernels.prestart(spec.notebook.parent)  # warm while the batch is planned
    try:
        fingerprint = wh.fingerprint()
        planned = [values.model_copy(update=u) for u in updates] if updates is not None else spec.fan_out(wh, values)
        for one in planned:
            name = _describe(spec, one)
            try:
                job = prepare(spec, one, out_root=out_root, formats=formats, wh=wh, fingerprint=fingerprint)
            except OpsReportError as exc:
                refused[name] = exc
                echo(f"{name} refused: {exc}")
                continue
            tasks.append(batch.Task(f"{spec.name} {job.key} {job.period}", job))
    except BaseException:
        kernels.shutdown_all()
        raise
    finally:
        wh.close()
    return batch.run(tasks, workers=workers, scheduler=scheduler, force=force, echo=echo, progress=progress), refused


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
            # the demo always renders: it shows what the code of today makes of the data
            result, refused = render_all(spec.name, base, out_root=out_root, formats=formats, updates=updates,
                                         echo=echo, force=True, progress=False)
            folders += [o.folder for o in result.rendered]
            failures.update({f"{spec.name} {key}": exc for key, exc in refused.items()})
            failures.update({o.label: RenderError(o.message) for o in result.failed})
    return folders, failures
