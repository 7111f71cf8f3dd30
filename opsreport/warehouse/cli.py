"""`opsreport warehouse ...`: moving a warehouse between DuckDB and a database server.

Light at import (typer only): each command imports what it uses when it runs."""

from __future__ import annotations

import typer

app = typer.Typer(help="Copy a warehouse between a DuckDB file and a database server.", no_args_is_help=True)
