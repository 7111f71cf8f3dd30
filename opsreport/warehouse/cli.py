"""`opsreport warehouse ...`: moving a warehouse between DuckDB and a database server.

Light at import (typer only): each command imports what it uses when it runs."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Copy a warehouse between a DuckDB file and a database server.", no_args_is_help=True)


@app.command("copy")
def copy_(
    source: Annotated[str, typer.Argument(help="warehouse to copy from: a DuckDB file, a postgresql:// URL, "
                                               "env:VARIABLE or a name of ~/.config/opsreport/warehouses.yaml")],
    dest: Annotated[str, typer.Argument(help="warehouse to copy into (same forms); a DuckDB file is created")],
    replace: Annotated[bool, typer.Option("--replace", help="replace the destination's canonical tables when it "
                                                           "already holds rows")] = False,
) -> None:
    """Copy every canonical table from SOURCE to DEST, checked against the contracts on arrival.

    All or nothing: on a server one transaction, a DuckDB file written beside and renamed into
    place. Prints the rows of each table and the time taken."""
    from ..cli import _guard

    with _guard():
        from .copy import copy_warehouse

        report = copy_warehouse(source, dest, replace=replace)
    for line in report.lines():
        typer.echo(line)
