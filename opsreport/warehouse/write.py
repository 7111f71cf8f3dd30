"""Writing to a warehouse, DuckDB file or server, in one transaction.

Writers (the importer, the appraisal freeze) speak a small portable SQL: ``?`` placeholders,
double-quoted names, ``INSERT``/``UPDATE ... FROM``/``NOT EXISTS``, ``count(*) FILTER``, ``IS
[NOT] DISTINCT FROM``; DuckDB and PostgreSQL both run it as written (``?`` becomes ``%s`` for
psycopg). A :class:`Session` is that SQL on one connection inside one transaction: committed when
the block ends normally, rolled back when it raises (or when ``Session.discard()`` was called, for
dry runs). Its :meth:`Session.ibis` reads through Ibis inside the same transaction, so a writer can
check what it wrote before anyone else can see it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis

from .. import schemas
from ..errors import WarehouseError, is_lock_error, locked_warehouse
from .location import Location, resolve


class Session:
    """Portable SQL on one connection inside one open transaction (see the module docstring)."""

    def __init__(self, con, where: Location):
        self.con = con
        self.where = where
        self.discarded = False

    @property
    def server(self) -> bool:
        return self.where.is_server

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.server else sql

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self.server:
            with self.con.cursor() as cur:
                cur.execute(self._sql(sql), list(params) or None)
        else:
            self.con.execute(sql, list(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        if self.server:
            with self.con.cursor() as cur:
                cur.execute(self._sql(sql), list(params) or None)
                return [tuple(r) for r in cur.fetchall()]
        return self.con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def columns(self) -> dict[str, list[str]]:
        """Tables of the warehouse's own schema and their columns, in order."""
        found = self.rows(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_catalog = current_database() "
            "ORDER BY table_name, ordinal_position")
        out: dict[str, list[str]] = {}
        for table, column in found:
            out.setdefault(table, []).append(column)
        return out

    def has_table(self, name: str) -> bool:
        return name in self.columns()

    def create_table(self, name: str) -> None:
        """Create canonical table ``name``, empty, with its contract's columns and types."""
        if self.server:
            from .copy import create_server_table

            create_server_table(self.con, name, schemas.columns_of(name))
        else:
            import pandas as pd

            from . import store

            empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in schemas.columns_of(name)})
            store.create_table(self.con, name, empty)

    def ibis(self) -> ibis.BaseBackend:
        """Ibis on this connection: it sees this transaction's uncommitted writes."""
        if self.server:
            from . import server

            return server.backend_on(self.con)
        return ibis.duckdb.from_connection(self.con)

    def discard(self) -> None:
        """Roll back instead of committing when the block ends (a dry run)."""
        self.discarded = True


@contextmanager
def writing(where: str | Path | Location) -> Iterator[Session]:
    """A :class:`Session` on the existing warehouse ``where``, inside one transaction."""
    at = where if isinstance(where, Location) else resolve(where)
    if at.is_server:
        yield from _server_session(at)
    else:
        yield from _duckdb_session(at)


def _server_session(at: Location) -> Iterator[Session]:
    import psycopg

    from . import server

    con = server.psycopg_connect(at, autocommit=False)
    session = Session(con, at)
    try:
        with con.transaction():
            yield session
            if session.discarded:
                raise psycopg.Rollback()
    except psycopg.Error as exc:  # a statement the server refused: rolled back, told without the password
        raise WarehouseError(f"Warehouse server {at.shown}: the write was refused and rolled back, nothing changed "
                             f"({type(exc).__name__}: {at.scrub(' '.join(str(exc).split()))})") from None
    finally:
        con.close()


def _duckdb_session(at: Location) -> Iterator[Session]:
    import duckdb

    path = at.path
    if not path.is_file():
        raise WarehouseError(f"Warehouse file not found: {path}." if not path.exists() else
                             f"Warehouse path {path} is not a file.")
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise locked_warehouse(path, exc) from None
        raise WarehouseError(f"Warehouse file {path} cannot be opened for writing "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0]}). Is it a DuckDB warehouse file?") from None
    try:
        try:
            con.execute("SET enable_progress_bar = false")
        except duckdb.Error:  # pragma: no cover - cosmetic
            pass
        con.begin()
        session = Session(con, at)
        try:
            yield session
        except BaseException:
            con.rollback()
            raise
        if session.discarded:
            con.rollback()
        else:
            con.commit()
            con.execute("CHECKPOINT")
    finally:
        con.close()
