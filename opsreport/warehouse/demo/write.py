"""Writing the demo tables into a new warehouse file: the column types a table builder hands over
(dates, timestamps, labels, fixed-width ids, amounts in cents) and the insert into the canonical
tables, typed exactly as their contracts say (``schemas.CONTRACTS``).

The file is written to a temporary file beside its path and moved into place only when complete
(``store.new_warehouse_file``): an interrupted build leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ... import schemas
from ..store import new_warehouse_file
from ..store import sql_type as _store_sql_type


@dataclass(frozen=True)
class Cents:
    """Integer cents for a money column: stored as ``cents / 100`` (DOUBLE, computed by DuckDB), so
    that sums over rows match to the cent."""

    values: Any


# one table's rows: column -> list / numpy array / pyarrow array / Cents, or a pandas DataFrame
Columns = Mapping[str, Any] | pd.DataFrame


def sql_type(dtype) -> str:
    """The DuckDB type of a contract column: store.sql_type's, plus BOOLEAN (appraisal_events'
    platform_penalty, the first boolean column, which store.sql_type does not know yet)."""
    return "BOOLEAN" if dtype.is_boolean() else _store_sql_type(dtype)


@contextmanager
def new_demo_file(path: str | os.PathLike) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new warehouse file holding every canonical table (empty); the file
    appears at ``path`` only when the block succeeds."""
    with new_warehouse_file(path) as con:
        # FSST for every string column: same file size, ~2x faster than letting DuckDB also
        # try dictionary compression on millions of unique order and customer ids
        con.execute("SET force_compression='fsst'")
        for name in schemas.CONTRACTS:
            cols = ", ".join(f'"{c}" {sql_type(t)}' for c, t in schemas.columns_of(name).items())
            con.execute(f'CREATE TABLE "{name}" ({cols})')
        yield con


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in schemas.CONTRACTS}


def insert(con: duckdb.DuckDBPyConnection, name: str, shop_id: str | None, columns: Columns) -> None:
    """Append rows to canonical table ``name``: every contract column cast to its type (`Cents`
    divided by 100), ``shop_id`` filled in when the contract has it and ``columns`` do not. A team's
    tables (build.TeamBuilder) pass no ``shop_id``: their rows carry their own where the contract
    has one (staff_assignments)."""
    contract = schemas.columns_of(name)
    if isinstance(columns, pd.DataFrame):
        src = pa.Table.from_pandas(columns, preserve_index=False)
        cents: set[str] = set()
    else:
        cents = {col for col, v in columns.items() if isinstance(v, Cents)}
        src = pa.table({col: _arrow(v.values if col in cents else v) for col, v in columns.items()})
    exprs = {col: f'CAST("{col}" AS DOUBLE) / 100' for col in cents}
    if "shop_id" in contract and "shop_id" not in src.column_names:
        if shop_id is None:
            raise ValueError(f"rows for table {name!r} need a shop_id: the columns have none and none was given")
        exprs["shop_id"] = "'" + shop_id.replace("'", "''") + "'"
    unknown = [c for c in src.column_names if c not in contract]
    missing = [c for c in contract if c not in src.column_names and c not in exprs]
    if unknown or missing:
        raise ValueError(f"rows for table {name!r} do not match its contract: "
                         f"unknown columns {unknown}, missing columns {missing}")
    select = ", ".join(
        exprs.get(col, f'CAST("{col}" AS {sql_type(t)})') + f' AS "{col}"' for col, t in contract.items()
    )
    con.register("_demo_src", src)
    try:
        con.execute(f'INSERT INTO "{name}" SELECT {select} FROM _demo_src')
    finally:
        con.unregister("_demo_src")


def _arrow(values) -> pa.Array | pa.ChunkedArray:
    return values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)


def dates(origin: dt.date, day: np.ndarray) -> pa.Array:
    """Dates ``day`` days after ``origin``."""
    return pa.array((np.datetime64(origin, "D") + day).astype("datetime64[D]"))


def stamps(origin: dt.date, seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Timestamps ``seconds`` after midnight of ``origin``; NULL where ``missing``."""
    ts = (np.datetime64(origin, "s") + seconds).astype("datetime64[us]")
    return pa.array(ts, mask=missing) if missing is not None else pa.array(ts)


def labels(codes: np.ndarray, values) -> pa.DictionaryArray:
    """Text column from integer codes into ``values``."""
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(list(values)))


def yymmdd(origin: dt.date, day: np.ndarray) -> np.ndarray:
    """yymmdd (an order id's date part) of the dates ``day`` days after ``origin``, as integers."""
    d = np.datetime64(origin, "D") + np.asarray(day)
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return (y % 100) * 10_000 + m * 100 + (d - d.astype("datetime64[M]")).astype(np.int64) + 1


def fixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Strings ``prefix`` + zero-padded ``numbers`` built as one byte buffer (fast for millions)."""
    head = np.frombuffer(prefix.encode("utf-8"), np.uint8)
    n, size = len(numbers), len(head) + width
    buf = np.empty((n, size), np.uint8)
    buf[:, :len(head)] = head
    x = np.asarray(numbers, np.int64).copy()
    for j in range(size - 1, len(head) - 1, -1):
        x, digit = np.divmod(x, 10)
        buf[:, j] = digit + 48
    if x.any():
        raise ValueError(f"numbers do not fit in {width} digits")
    large = (n + 1) * size >= 2**31
    offsets = np.arange(0, (n + 1) * size, size, dtype=np.int64 if large else np.int32)
    return pa.Array.from_buffers(pa.large_string() if large else pa.string(), n,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(buf.ravel())])
