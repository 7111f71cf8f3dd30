"""Connecting to a warehouse on a PostgreSQL server, and what differs from a DuckDB file.

One psycopg connection per use, handed to Ibis (``ibis.postgres.from_connection``) so that reads
are the same Ibis expressions as on DuckDB, and so that a writer can check what it wrote through
Ibis inside its own still-open transaction. libpq does the URL: PGPASSWORD, ~/.pgpass, sslmode,
a unix-socket ``host=`` all work as they do for psql.

Errors name the server by its shown location (no password) and say what to do; the driver's text
is scrubbed of the password before it is quoted (libpq does not print it, but a URL echoed by a
future driver version would).

The data fingerprint of a server (``content_stamp``): per canonical table its row count and the
sum of a 64-bit hash of each row's text (``Value.hash()``, compiled by Ibis to PostgreSQL's
``hashtextextended``). A sum does not depend on row order, so it is the same however the server
stores the rows, and it moves when any value of any row changes, when a row is added or removed.
It reads every row once (one query; about 1 s per 5 million rows on a small server), far less than
the contract checks it lets a batch skip. A change counter kept by writers would be cheaper but
would miss edits made with psql.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import ibis

from ..errors import WarehouseError
from .location import Location

CONNECT_TIMEOUT_S = 10  # an unreachable host fails in seconds, not after the OS's minutes


def psycopg_connect(where: Location, *, autocommit: bool):
    """A psycopg connection to ``where``; WarehouseError naming the server when it is refused."""
    import psycopg

    try:
        return psycopg.connect(where.target, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="opsreport")
    except psycopg.Error as exc:
        raise connection_error(where, exc) from None


def connection_error(where: Location, exc: BaseException) -> WarehouseError:
    text = where.scrub(" ".join(str(exc).split()))
    lower = text.lower()
    if "password authentication failed" in lower or "no password supplied" in lower:
        hint = ("the server refused the login: check the user, and the password in PGPASSWORD, ~/.pgpass, "
                "OPSREPORT_WAREHOUSE_URL or the warehouses file.")
    elif "does not exist" in lower and "database" in lower:
        hint = "the database does not exist on that server: create it (createdb) or correct the URL's path."
    elif any(m in lower for m in ("connection refused", "could not connect", "timeout", "could not translate host",
                                  "no such file or directory", "name or service not known")):
        hint = "the server cannot be reached: is it running, and are the host and port right?"
    else:
        hint = "check the URL and the server."
    return WarehouseError(f"Warehouse server {where.shown} cannot be used: {hint} ({type(exc).__name__}: {text})")


def connect(where: Location, *, autocommit: bool = True) -> ibis.BaseBackend:
    """An Ibis backend on a new connection to ``where``."""
    return backend_on(psycopg_connect(where, autocommit=autocommit))


def backend_on(con) -> ibis.BaseBackend:
    """An Ibis backend on an existing psycopg connection (a writer's open transaction).

    NUMERIC results load as floats: no canonical column is NUMERIC, but PostgreSQL returns SUM
    of a BIGINT and AVG as NUMERIC, which would reach pandas as Decimal objects (Decimal * float
    fails) where DuckDB gives numbers."""
    from psycopg.types.numeric import FloatLoader

    con.adapters.register_loader("numeric", FloatLoader)
    return ibis.postgres.from_connection(con)


def pg_type(dtype) -> str:
    """PostgreSQL's name of an Ibis type (string -> VARCHAR, float64 -> DOUBLE PRECISION, ...)."""
    from ibis.backends.sql.datatypes import PostgresType

    return PostgresType.to_string(dtype)


def list_tables(backend: ibis.BaseBackend) -> list[str]:
    """Tables of the connection's current schema (``search_path``'s first), as DuckDB lists ``main``."""
    return backend.list_tables()


def content_stamp(backend: ibis.BaseBackend, names: Iterable[str]) -> tuple[str, dict[str, int]]:
    """(stamp, rows per table) of tables ``names``: the stamp is the SHA-256 of each table's row
    count and order-independent row-hash sum (see the module docstring)."""
    parts = []
    for name in sorted(names):
        t = backend.table(name)
        text = ibis.literal("\x1f").join([t[c].cast("string").fill_null("\x1e") for c in t.columns])
        parts.append(t.aggregate(n=t.count(), h=text.hash().sum().cast("string").fill_null("0"))
                     .mutate(name=ibis.literal(name)))
    if not parts:
        return "pg:empty", {}
    frame = ibis.union(*parts).execute()
    rows = {r.name: int(r.n) for r in frame.itertuples()}
    summary = sorted((r.name, int(r.n), str(r.h)) for r in frame.itertuples())
    return "pg:sha256:" + hashlib.sha256(json.dumps(summary).encode()).hexdigest(), rows
