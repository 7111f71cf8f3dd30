"""``opsreport warehouse copy SRC DEST``: every canonical table from one warehouse to another.

SRC and DEST are each a DuckDB file or a server URL (``location.resolve``). Only the canonical
tables (``schemas.CONTRACTS``) present in SRC are copied, each with the columns it has: contract
columns typed as the contract says (``schemas.conform``: an INTEGER column arrives as BIGINT),
extra columns as they are. Rows stream in Arrow batches, so a large SRC is never held whole.

Checked on arrival, all or nothing: DEST's copied tables are validated against their contracts
through Ibis before anything becomes visible. On a server everything (dropping the old tables,
creating, loading, checking) is one transaction, so readers see the old tables until the commit
and a failure rolls back to them. A DuckDB DEST is written as a new file beside it and renamed
over it only when checked (``store.new_warehouse_file``), so it too is either the whole copy or
untouched; the new file holds the canonical tables only.

A DEST that holds canonical rows is refused unless ``replace``: copying over a team's warehouse
is never an accident. On a server, tables that are not canonical are left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as idt

from .. import schemas
from ..errors import ContractError, WarehouseError
from . import server
from .location import Location, resolve

BATCH_ROWS = 100_000


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    seconds: float


@dataclass(frozen=True)
class CopyReport:
    source: str  # shown locations: never a password
    dest: str
    tables: tuple[TableCopy, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def lines(self) -> list[str]:
        """What the CLI prints: rows and seconds per table, then the total."""
        width = max([12, *(len(t.name) for t in self.tables)])
        out = [f"copied {self.source} -> {self.dest}"]
        out += [f"  {t.name:<{width}} {t.rows:>12,} rows  {t.seconds:6.2f} s" for t in self.tables]
        out.append(f"  {'total':<{width}} {self.rows:>12,} rows  {self.seconds:6.2f} s "
                   f"({len(self.tables)} tables, checked against their contracts)")
        return out


def copy_warehouse(source: str, dest: str, *, replace: bool = False,
                   echo: Callable[[str], None] | None = None) -> CopyReport:
    """Copy every canonical table of ``source`` into ``dest``; see the module docstring."""
    from .connection import Warehouse

    started = time.perf_counter()
    src_at, dest_at = resolve(source), resolve(dest)
    if src_at.kind == dest_at.kind and _same(src_at, dest_at):
        raise WarehouseError(f"warehouse copy: source and destination are the same warehouse ({src_at.shown}).")
    src = Warehouse.open(source)
    try:
        names = [n for n in schemas.CONTRACTS if src.has(n)]
        if not names:
            raise WarehouseError(f"warehouse copy: {src_at.shown} holds no canonical tables; nothing to copy "
                                 f"(it has: {', '.join(sorted(src.table_names)) or 'no tables'}).")
        tables = {n: schemas.conform(src.con.table(n), n)[0] for n in names}
        writer = _to_server if dest_at.is_server else _to_duckdb
        copied = writer(dest_at, tables, replace=replace, echo=echo or (lambda _: None))
    finally:
        src.close()
    return CopyReport(src_at.shown, dest_at.shown, tuple(copied), time.perf_counter() - started)


def _same(a: Location, b: Location) -> bool:
    if a.is_server:
        return a.shown == b.shown
    return a.path.resolve() == b.path.resolve()


def _batches(table: ibis.Table) -> Iterator:
    yield from table.to_pyarrow_batches(chunk_size=BATCH_ROWS)


def refusal(dest: Location, counts: dict[str, int]) -> WarehouseError:
    held = ", ".join(f"{n} ({c:,} rows)" for n, c in counts.items() if c)
    return WarehouseError(
        f"warehouse copy: the destination {dest.shown} already holds canonical rows ({held}); "
        "pass --replace to replace its canonical tables with the source's, or choose an empty destination.")


def _check_arrived(backend: ibis.BaseBackend, names: list[str], dest: Location) -> None:
    problems = []
    for name in names:
        try:
            schemas.validate(backend.table(name), name)
        except ContractError as exc:
            problems.append(str(exc))
    if problems:
        raise ContractError(f"warehouse copy: the rows arriving in {dest.shown} break their contracts, so nothing "
                            "was written there (it is as before):\n" + "\n".join(problems))


# --- a server destination: one transaction --------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _to_server(dest: Location, tables: dict[str, ibis.Table], *, replace: bool,
               echo: Callable[[str], None]) -> list[TableCopy]:
    con = server.psycopg_connect(dest, autocommit=False)
    try:
        with con.transaction():
            present = server_canonical_counts(con)
            if any(present.values()) and not replace:
                raise refusal(dest, present)
            with con.cursor() as cur:  # DEST's canonical tables become SRC's: none left over
                for name in present:
                    cur.execute(f"DROP TABLE {_q(name)}")
            copied = []
            for name, table in tables.items():
                started = time.perf_counter()
                rows = load_server_table(con, name, table, drop=False)
                copied.append(TableCopy(name, rows, time.perf_counter() - started))
                echo(f"{name}: {rows:,} rows")
            with con.cursor() as cur:
                cur.execute("ANALYZE " + ", ".join(_q(n) for n in tables))  # fresh statistics for the planner
            backend = server.backend_on(con)
            _check_arrived(backend, list(tables), dest)
            # checked: remembered as valid, keyed by the content stamp of exactly what commits
            checked_stamp = server.content_stamp(backend, list(tables))[0]
        from .connection import _remember_valid

        _remember_valid(dest.shown, checked_stamp)
    except WarehouseError:
        raise
    except Exception as exc:  # a driver error mid-copy: rolled back, named without the password
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise server.connection_error(dest, exc) from None
        raise
    finally:
        con.close()
    return copied


def server_canonical_counts(con) -> dict[str, int]:
    """Rows of each canonical table present in the connection's current schema."""
    with con.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        have = {r[0] for r in cur.fetchall()}
        counts = {}
        for name in schemas.CONTRACTS:
            if name in have:
                counts[name] = cur.execute(f"SELECT count(*) FROM {_q(name)}").fetchone()[0]
    return counts


def create_server_table(con, name: str, columns: dict[str, idt.DataType], *, drop: bool = False) -> None:
    """(Re)create table ``name`` with ``columns``, and an index on its natural key (the reports
    filter by shop, the importer joins on the key)."""
    with con.cursor() as cur:
        if drop:
            cur.execute(f"DROP TABLE IF EXISTS {_q(name)}")
        cur.execute(f"CREATE TABLE {_q(name)} (" + ", ".join(f"{_q(c)} {server.pg_type(t)}" for c, t in columns.items()) + ")")
        keys = [k for k in schemas.key_of(name) if k in columns]
        if keys:
            cur.execute(f"CREATE INDEX {_q(name + '_key')} ON {_q(name)} (" + ", ".join(map(_q, keys)) + ")")


def load_server_table(con, name: str, table: ibis.Table, *, drop: bool) -> int:
    """Create ``name`` on the server typed as ``table`` and stream its rows in with COPY."""
    columns = dict(table.schema().items())
    create_server_table(con, name, columns, drop=drop)
    return copy_rows(con, name, list(columns), _batches(table))


def copy_rows(con, name: str, columns: list[str], batches) -> int:
    """Append Arrow ``batches`` to server table ``name`` with COPY; returns the rows written."""
    rows = 0
    with con.cursor() as cur, cur.copy(f"COPY {_q(name)} ({', '.join(map(_q, columns))}) FROM STDIN") as copy:
        for batch in batches:
            for row in zip(*(batch.column(i).to_pylist() for i in range(batch.num_columns))):
                copy.write_row(row)
            rows += batch.num_rows
    return rows


# --- a DuckDB destination: a new file renamed into place -------------------------------------------


def duckdb_canonical_counts(dest: Location) -> dict[str, int]:
    import duckdb

    from ..errors import is_lock_error, locked_warehouse

    path = dest.path
    if not path.exists():
        return {}
    if not path.is_file():
        raise WarehouseError(f"warehouse copy: the destination {path} is a folder; give a DuckDB file.")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise locked_warehouse(path, exc) from None
        raise WarehouseError(f"warehouse copy: the destination {path} exists and is not a DuckDB warehouse "
                             f"({str(exc).splitlines()[0]}); move it away or choose another destination.") from None
    try:
        have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        return {n: con.execute(f"SELECT count(*) FROM {_q(n)}").fetchone()[0] for n in schemas.CONTRACTS if n in have}
    finally:
        con.close()


def _to_duckdb(dest: Location, tables: dict[str, ibis.Table], *, replace: bool,
               echo: Callable[[str], None]) -> list[TableCopy]:
    from ibis.backends.sql.datatypes import DuckDBType

    from . import store

    present = duckdb_canonical_counts(dest)
    if any(present.values()) and not replace:
        raise refusal(dest, present)
    copied = []
    with store.new_warehouse_file(dest.path) as con:
        for name, table in tables.items():
            started = time.perf_counter()
            schema = table.schema()
            columns = ", ".join(f"{_q(c)} {DuckDBType.to_string(t)}" for c, t in schema.items())
            con.execute(f"CREATE TABLE {_q(name)} ({columns})")
            rows = 0
            for batch in _batches(table):
                con.register("_incoming", batch)
                try:
                    con.execute(f"INSERT INTO {_q(name)} SELECT * FROM _incoming")
                finally:
                    con.unregister("_incoming")
                rows += batch.num_rows
            copied.append(TableCopy(name, rows, time.perf_counter() - started))
            echo(f"{name}: {rows:,} rows")
        _check_arrived(ibis.duckdb.from_connection(con), list(tables), dest)
    from .connection import _remember_valid, stamp

    _remember_valid(str(dest.path.resolve()), stamp(dest.path))  # checked on arrival: no second check
    return copied
