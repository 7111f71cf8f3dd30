"""Writing canonical tables into a DuckDB warehouse file, typed exactly as their contracts say."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis.expr.datatypes as idt
import pandas as pd

from .. import schemas


def sql_type(dtype: idt.DataType) -> str:
    if dtype.is_string():
        return "VARCHAR"
    if dtype.is_integer():
        return "BIGINT"
    if dtype.is_floating():
        return "DOUBLE"
    if dtype.is_date():
        return "DATE"
    if dtype.is_timestamp():
        return "TIMESTAMP"
    if dtype.is_boolean():
        return "BOOLEAN"
    raise ValueError(f"no DuckDB type for {dtype}")


def create_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Create table ``name`` from ``frame`` with the contract's columns, order and types."""
    columns = schemas.columns_of(name)
    select = ", ".join(f'CAST("{col}" AS {sql_type(dtype)}) AS "{col}"' for col, dtype in columns.items())
    extra = [c for c in frame.columns if c not in columns]
    if extra:
        select += ", " + ", ".join(f'"{c}"' for c in extra)
    con.register("_incoming", frame)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT {select} FROM _incoming')
    finally:
        con.unregister("_incoming")


@contextmanager
def new_warehouse_file(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new DuckDB file that appears at ``path`` only when the block succeeds
    (written to a temporary file beside it, checkpointed, then renamed over ``path``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB must create the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise


def write_warehouse(path: str | Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write a new warehouse file holding ``tables``; the file appears only when complete."""
    with new_warehouse_file(path) as con:
        for name, frame in tables.items():
            create_table(con, name, frame)
    return Path(path)


def add_legacy_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Give the tables of a warehouse written by an older version the columns added since, with
    their default value (``schemas.LEGACY_DEFAULTS``: shops.currency = 'CNY'), so that writers
    such as the importer can insert whole contract rows. Returns the "table.column" names added."""
    added = []
    for table, defaults in schemas.LEGACY_DEFAULTS.items():
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
        if not have:
            continue  # no such table: it is created with every column
        types = schemas.columns_of(table)
        for column, value in defaults.items():
            if column not in have:
                literal = "'" + str(value).replace("'", "''") + "'"  # DDL takes no parameters
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {sql_type(types[column])} DEFAULT {literal}')
                added.append(f"{table}.{column}")
    return added
