"""Command line: an adapter that parses arguments and calls the library.

Importing this module stays light (typer, pydantic, yaml): each command imports what it uses
when it runs, so ``opsreport --help``, ``sources`` and ``params`` answer without loading
pandas, ibis, matplotlib or papermill. ``tests/cli`` checks it.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _guard() -> Iterator[None]:
    """Every failure as one paragraph and an exit code, never a traceback.

    OpsReportError carries its own message; a file-system error names its file; anything else
    is a bug, reported as such (``OPSREPORT_DEBUG=1`` shows the traceback).
    """
    try:
        yield
    except OpsReportError as exc:
        _fail(exc)
    except OSError as exc:
        if os.environ.get("OPSREPORT_DEBUG"):
            raise
        name = f" {exc.filename}" if exc.filename else ""
        reason = "the name is too long for the file system" if exc.errno == errno.ENAMETOOLONG else exc.strerror or exc
        typer.secho(f"error: cannot use{name}: {reason}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence of a command-line tool
        if os.environ.get("OPSREPORT_DEBUG"):
            raise
        typer.secho(
            f"error: unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:500]}. This is a bug in "
            "opsreport; run again with OPSREPORT_DEBUG=1 for the traceback and report it.",
            err=True, fg=typer.colors.RED,
        )
        raise typer.Exit(code=1) from None


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
    workers: Annotated[int, typer.Option(min=1, help="with --all: local worker processes rendering at once")] = 1,
    scheduler: Annotated[Optional[str], typer.Option(help="with --all: render on the Dask cluster of this scheduler, "
                                                     "e.g. tcp://10.0.0.5:8786")] = None,
    force: Annotated[bool, typer.Option("--force", help="with --all: render again the reports whose parameters and "
                                        "data are unchanged since they were published")] = False,
    deliver: Annotated[Optional[Path], typer.Option("--deliver", help="delivery config (email, group bots): send "
                                                    "what was rendered; also env OPSREPORT_DELIVERY")] = None,
) -> None:
    """Render one report, or with --all every shop's: validate parameters, execute the notebook, export
    HTML/PDF/Excel, and deliver what was rendered when a delivery config is given."""
    with _guard():
        values = params_mod.load(report, params, params_mod.parse_set(set_, params_mod.model_for(report)))
        chosen = _formats(formats)
        if not all_ and (workers > 1 or scheduler or force):
            raise params_mod.ParamsError("--workers, --scheduler and --force apply to a batch: add --all (--all-shops).")
        from .render.publish import check_out_root

        check_out_root(out)  # before the warehouse is read: a bad --out is known at once
        from .delivery import find_config, load_config

        found = find_config(deliver)
        delivery = load_config(found[0], origin=found[1]) if found else None  # known bad before any render
        from .reports import render_all, render_report

        if all_:
            result, refused = render_all(report, values, out_root=out, formats=chosen, echo=typer.echo,
                                         workers=workers, scheduler=scheduler, force=force)
            typer.echo(result.summary())
            folders = [o.folder for o in result.rendered]
        else:
            folders = [render_report(report, values, out_root=out, formats=chosen)]
            typer.echo(f"wrote {folders[0]}")
        delivered = _deliver(delivery, folders, out)
    if all_:
        _batch_summary(result, refused, delivered)
    elif delivered is not None and delivered.failed:
        raise typer.Exit(code=4)


def _deliver(config, folders: list[Path], out: Path):
    """Send what this run rendered (never what it skipped: that went out when it was rendered)."""
    if config is None or not folders:
        return None
    from .delivery import deliver

    outcome = deliver(folders, config, out_root=out, echo=typer.echo)
    typer.echo(outcome.summary())
    return outcome


def _batch_summary(result, refused: dict, delivered) -> None:
    problems = [f"{name} (refused: {exc})" for name, exc in refused.items()] + [o.label for o in result.failed]
    if problems:
        typer.secho(f"error: {len(problems)} report(s) not rendered: {'; '.join(problems)}", err=True, fg=typer.colors.RED)
        codes = [exc.exit_code for exc in refused.values()] + [o.exit_code for o in result.failed]
        raise typer.Exit(code=max(codes))
    if delivered is not None and delivered.failed:
        raise typer.Exit(code=4)


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
    with _guard():
        chosen = _formats(formats)
        from .render.publish import check_out_root

        check_out_root(out)
        from .reports import render_demo

        folders, failures = render_demo(out_root=out, warehouse=warehouse, rebuild=rebuild,
                                        orders_per_shop=orders_per_shop, formats=chosen, echo=typer.echo)
    _summary(folders, failures)


@app.command()
def validate(
    warehouse: Annotated[str, typer.Option(help="warehouse to check: a DuckDB file or a database URL")] = "data/demo.duckdb",
) -> None:
    """Check every canonical table of a warehouse against its contract and list all problems."""
    with _guard():
        from .warehouse.connection import Warehouse

        problems = Warehouse.open(warehouse).check_all()
    if problems:
        for text in problems:
            typer.secho(text, err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2)
    from .warehouse.location import redact

    typer.echo(f"{redact(warehouse)}: every table meets its contract")


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="export files (.xlsx, .xls, .csv) of that source")],
    warehouse: Annotated[str, typer.Option(help="warehouse: a DuckDB file (created with every canonical table if "
                                              "missing) or a database URL")],
    shop: Annotated[Optional[str], typer.Option(help="shop id the rows belong to (created in shops if new); "
                                               "required, except for team sources (staff, appraisal inputs)")] = None,
    source: Annotated[Optional[str], typer.Option(help="mapping of the export, e.g. sycm_shop_daily ('opsreport sources' "
                                                 "lists them); left out: picked from the file's headers")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check everything and report what would change; write nothing")] = False,
    mappings: Annotated[Optional[Path], typer.Option(help="folder of your own mappings (*.yaml); also env OPSREPORT_MAPPINGS")] = None,
    shop_name: Annotated[Optional[str], typer.Option(help="name of a new shop (default: its id)")] = None,
    category: Annotated[Optional[str], typer.Option(help="category of a new shop (default: unknown)")] = None,
    platform: Annotated[Optional[str], typer.Option(help="platform of a new shop when the source fits several")] = None,
    currency: Annotated[Optional[str], typer.Option(help="currency of a new shop, ISO 4217 (default CNY)")] = None,
    promo: Annotated[Optional[str], typer.Option(help="promotion the rows belong to (its promo_id), for sources whose "
                                                "exports do not say it: promo SKUs, coupons")] = None,
) -> None:
    """Import platform export files into the warehouse: all files in one transaction, upserted by key.
    Team sources (a filled appraisal_inputs workbook, a staff roster) are imported without --shop."""
    with _guard():
        from .importing.pipeline import describe, import_files

        reports = import_files(warehouse, shop, source, files, dry_run=dry_run, mappings_dir=mappings,
                               shop_name=shop_name, category=category, platform=platform, currency=currency,
                               promo=promo)
        lines = describe(reports, shop)
    for line in lines:
        typer.echo(line)


@app.command()
def sources(
    mappings: Annotated[Optional[Path], typer.Option(help="folder of your own mappings (*.yaml); also env OPSREPORT_MAPPINGS")] = None,
) -> None:
    """List the import mappings (built-in and your own) with the columns each expects."""
    with _guard():
        from .importing.mappings import describe, load_mappings

        found = load_mappings(mappings)
        listing = [[*describe(mapping), ""] for mapping in found.values()]
    for lines in listing:
        for line in lines:
            typer.echo(line)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def template(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="template, e.g. competitor_tracking; without it, the "
                                                "templates and their options")] = None,
    out: Annotated[Optional[Path], typer.Option(help="file (.xlsx) or folder to write; default: the template's "
                                                "file name in the current folder")] = None,
    lang: Annotated[str, typer.Option(help="language of sheet names, headers and notes: zh or en (both import)")] = "zh",
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file (it may be a filled copy)")] = False,
) -> None:
    """Write an empty input workbook to fill by hand, then load it with 'opsreport import'. A template's
    own options (e.g. --period 2026-10) follow its name."""
    with _guard():
        from .importing import templates

        if name is None:
            if ctx.args:
                raise params_mod.ParamsError(f"options {' '.join(ctx.args)} need a template name")
            lines = templates.describe()
        else:
            path = templates.write_template(name, out, lang=lang, options=templates.option_args(ctx.args), force=force)
            lines = [f"wrote {path}"]
    for line in lines:
        typer.echo(line)


appraisal_app = typer.Typer(help="Close an appraisal period (freeze its scores) or re-score a closed one with a reason.",
                             no_args_is_help=True)
app.add_typer(appraisal_app, name="appraisal")

from .warehouse.cli import app as warehouse_app  # noqa: E402 - a light module: typer only until a command runs

app.add_typer(warehouse_app, name="warehouse")

from .delivery.cli import deliver_command  # noqa: E402 - light: typer and pydantic until it runs

app.command("deliver")(deliver_command)


@appraisal_app.command("close")
def appraisal_close(
    period: Annotated[str, typer.Option(help="month (2026-10) or quarter (2026-Q3) to close")],
    team: Annotated[str, typer.Option(help="team (staff.team)")] = "ops-east",
    warehouse: Annotated[str, typer.Option(help="warehouse: a DuckDB file or a database URL")] = "data/demo.duckdb",
) -> None:
    """Freeze a period's inputs: every later run of it gives the same scores, whatever the data do."""
    with _guard():
        from .families.appraisal.analysis import close

        snapshot, _ = close({"team": team, "period": period, "warehouse": str(warehouse)})
    typer.echo(f"closed {team} {period}: inputs frozen with fingerprint {snapshot.fingerprint[:12]}")


@appraisal_app.command("rescore")
def appraisal_rescore(
    period: Annotated[str, typer.Option(help="closed month or quarter to re-score")],
    reason: Annotated[str, typer.Option(help="what was corrected and why (kept in the log)")],
    team: Annotated[str, typer.Option(help="team (staff.team)")] = "ops-east",
    warehouse: Annotated[str, typer.Option(help="warehouse: a DuckDB file or a database URL")] = "data/demo.duckdb",
) -> None:
    """Re-score a closed period from the current data, logging why and what changed."""
    with _guard():
        from .families.appraisal.analysis import close

        _, changes = close({"team": team, "period": period, "warehouse": str(warehouse)}, reason=reason)
    typer.echo(f"re-scored {team} {period}: {len(changes)} input(s) changed (logged in appraisal_rescores)")


@app.command("params")
def show_params(report: Annotated[Optional[str], typer.Argument(help="report family; without it, the families")] = None) -> None:
    """List the report families, or one family's parameters with their defaults and meaning."""
    with _guard():
        from . import families

        if report is None:
            names = families.names()
        else:
            model = params_mod.model_for(report)
    if report is None:
        for name in names:
            typer.echo(name)
        return
    for name, field in model.model_fields.items():
        if name in params_mod.RUNNER_PARAMS:
            continue  # set by the runner, not by the user
        typer.echo(f"{name:24} {field.default!r:22} {field.description or ''}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
