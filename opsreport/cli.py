"""Command line: an adapter that parses arguments and calls the library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import params as params_mod
from .errors import OpsReportError

app = typer.Typer(
    help="opsreport: weekly reviews, promotion retrospectives, competitor teardowns and appraisals "
    "of e-commerce shops, rendered from parameterised notebooks to HTML, PDF and Excel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FORMATS = {"html", "pdf", "xlsx"}


def _fail(exc: OpsReportError) -> None:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=exc.exit_code)


def _formats(text: str) -> set[str]:
    chosen = {f.strip().lower() for f in text.split(",") if f.strip()}
    unknown = chosen - FORMATS
    if unknown or not chosen:
        raise params_mod.ParamsError(
            f"--formats takes a comma-separated subset of {', '.join(sorted(FORMATS))}; got '{text}'"
        )
    return chosen


@app.command()
def run(
    report: Annotated[str, typer.Argument(help="report family, e.g. weekly_review ('opsreport params' lists them)")],
    params: Annotated[Optional[Path], typer.Option("--params", "-p", help="YAML file of parameters")] = None,
    set_: Annotated[list[str], typer.Option("--set", "-s", help="override one parameter: key=value (repeatable)")] = [],
    formats: Annotated[str, typer.Option(help="outputs to write: any of html,pdf,xlsx")] = "html,pdf,xlsx",
    out: Annotated[Path, typer.Option(help="output root; reports go to OUT/<report>/<shop>/<period>/")] = Path("outputs"),
    all_: Annotated[bool, typer.Option("--all", "--all-shops", help="render every report the family fans out to "
                                       "(the weekly review: every shop of the warehouse); a failing one is reported "
                                       "and the others still render")] = False,
) -> None:
    """Render one report: validate parameters, execute its notebook, export HTML/PDF/Excel."""
    from .reports import render_all, render_report

    try:
        values = params_mod.load(report, params, params_mod.parse_set(set_, params_mod.model_for(report)))
        chosen = _formats(formats)
        if all_:
            folders, failures = render_all(report, values, out_root=out, formats=chosen, echo=typer.echo)
            _summary(folders, failures)
            return
        folder = render_report(report, values, out_root=out, formats=chosen)
    except OpsReportError as exc:
        _fail(exc)
    typer.echo(f"wrote {folder}")


def _summary(folders: list[Path], failures: dict) -> None:
    for folder in folders:
        typer.echo(f"wrote {folder}")
    if failures:
        typer.secho(f"error: {len(failures)} report(s) failed: {', '.join(failures)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=max(exc.exit_code for exc in failures.values()))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="output root")] = Path("outputs"),
    warehouse: Annotated[Path, typer.Option(help="demo warehouse file (built if missing)")] = Path("data/demo.duckdb"),
    rebuild: Annotated[bool, typer.Option(help="rebuild the demo warehouse even if it exists")] = False,
    orders_per_shop: Annotated[int, typer.Option(min=1_000, help="size of the demo data when it is built")] = 180_000,
    formats: Annotated[str, typer.Option(help="outputs to write: any of html,pdf,xlsx")] = "html,pdf,xlsx",
) -> None:
    """Build the demo warehouse if it is missing and render every report family's demo reports."""
    from .reports import render_demo

    try:
        folders, failures = render_demo(out_root=out, warehouse=warehouse, rebuild=rebuild,
                                        orders_per_shop=orders_per_shop, formats=_formats(formats), echo=typer.echo)
    except OpsReportError as exc:
        _fail(exc)
    _summary(folders, failures)


@app.command()
def validate(
    warehouse: Annotated[Path, typer.Option(help="warehouse file to check")] = Path("data/demo.duckdb"),
) -> None:
    """Check every canonical table of a warehouse against its contract and list all problems."""
    from .warehouse.connection import Warehouse

    try:
        problems = Warehouse.open(warehouse).check_all()
    except OpsReportError as exc:
        _fail(exc)
    if problems:
        for text in problems:
            typer.secho(text, err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2)
    typer.echo(f"{warehouse}: every table meets its contract")


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="export files (.xlsx, .xls, .csv) of that source")],
    source: Annotated[str, typer.Option(help="mapping of the export, e.g. sycm_shop_daily ('opsreport sources' lists them)")],
    shop: Annotated[str, typer.Option(help="shop id the rows belong to (created in shops if new)")],
    warehouse: Annotated[Path, typer.Option(help="warehouse file (created with every canonical table if missing)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check everything and report what would change; write nothing")] = False,
    mappings: Annotated[Optional[Path], typer.Option(help="folder of your own mappings (*.yaml); also env OPSREPORT_MAPPINGS")] = None,
    shop_name: Annotated[Optional[str], typer.Option(help="name of a new shop (default: its id)")] = None,
    category: Annotated[Optional[str], typer.Option(help="category of a new shop (default: unknown)")] = None,
    platform: Annotated[Optional[str], typer.Option(help="platform of a new shop when the source fits several")] = None,
) -> None:
    """Import platform export files into the warehouse: all files in one transaction, upserted by key."""
    from .importing.pipeline import describe, import_files

    try:
        reports = import_files(warehouse, shop, source, files, dry_run=dry_run, mappings_dir=mappings,
                               shop_name=shop_name, category=category, platform=platform)
    except OpsReportError as exc:
        _fail(exc)
    for line in describe(reports, shop):
        typer.echo(line)


@app.command()
def sources(
    mappings: Annotated[Optional[Path], typer.Option(help="folder of your own mappings (*.yaml); also env OPSREPORT_MAPPINGS")] = None,
) -> None:
    """List the import mappings (built-in and your own) with the columns each expects."""
    from .importing.mappings import describe, load_mappings

    try:
        found = load_mappings(mappings)
    except OpsReportError as exc:
        _fail(exc)
    for mapping in found.values():
        for line in describe(mapping):
            typer.echo(line)
        typer.echo("")


@app.command("params")
def show_params(report: Annotated[Optional[str], typer.Argument(help="report family; without it, the families")] = None) -> None:
    """List the report families, or one family's parameters with their defaults and meaning."""
    from . import families

    if report is None:
        for name in families.names():
            typer.echo(name)
        return
    try:
        model = params_mod.model_for(report)
    except OpsReportError as exc:
        _fail(exc)
    for name, field in model.model_fields.items():
        typer.echo(f"{name:24} {field.default!r:22} {field.description or ''}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
