"""Writing staged canonical rows into the warehouse: one transaction per import.

Rows are staged in temporary tables typed as their contracts say, checked (duplicates across
files, the contracts themselves), then upserted by the table's natural key (the contract's
``unique`` columns): a key not in the table is inserted; a key already there is updated when a
column the file provides differs (``on_conflict: replace``) and otherwise counted as skipped.
Columns the file does not have keep their stored value; a new row gets the mapping's default.

Where: a DuckDB file stages in the file's own connection (temporary tables) and writes in its
transaction. A server (``warehouse.location``) stages and checks in a local in-memory DuckDB; the
write is one server transaction (``warehouse.write``): each table's staged rows are sent with COPY
into a temporary table there, then upserted with the same portable SQL as on DuckDB. Either way a
failure, or a dry run, leaves the warehouse as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ibis
import pandas as pd

from .. import schemas
from ..errors import ContractError, WarehouseError
from ..warehouse import store, write
from ..warehouse.location import Location, resolve
from .problems import Problem, at_rows
from .transform import ROW, SHEET, SOURCE, Staged

FILE = "_file"  # index of the file in the command's list
WHERE = "_where"  # "orders.csv, row 7": how contract messages cite a row
CURRENCY = "CNY"


class _DryRun(Exception):
    """Raised inside a new warehouse file's block so that the file never appears."""


@dataclass
class ImportSession:
    """One import's connections: ``store`` writes the warehouse inside its transaction; ``stage``
    is the DuckDB connection rows are staged and checked in (the file's own, or an in-memory one
    for a server). ``sent``: staged tables already copied to the server."""

    store: write.Session
    stage: duckdb.DuckDBPyConnection
    sent: set[str] = field(default_factory=set)

    @property
    def server(self) -> bool:
        return self.store.server


@contextmanager
def session(warehouse: str | Path, *, dry_run: bool) -> Iterator[ImportSession]:
    """An :class:`ImportSession` inside one transaction: committed when the block succeeds (and
    this is not a dry run), rolled back otherwise. A DuckDB warehouse that does not exist yet is
    built in a temporary file and appears only on success; a server's database must exist, its
    canonical tables are created when missing."""
    at = resolve(warehouse)
    if at.is_server:
        stage = duckdb.connect()
        _quiet(stage)
        try:
            with write.writing(at) as target:
                ensure_tables(target)
                yield ImportSession(target, stage)
                if dry_run:
                    target.discard()
        finally:
            stage.close()
        return
    with transaction(at.path, dry_run=dry_run, where=at) as con:
        yield ImportSession(write.Session(con, at), con)


@contextmanager
def transaction(path: Path, *, dry_run: bool, where: Location | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a DuckDB warehouse file inside one transaction: committed when the
    block succeeds (and this is not a dry run), rolled back otherwise. A warehouse that does not
    exist yet is built in a temporary file and appears only on success."""
    path = Path(path)
    where = where or resolve(path)
    if not path.exists():
        try:
            with store.new_warehouse_file(path) as con:
                ensure_tables(write.Session(con, where))
                yield con
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return
    if not path.is_file():
        raise WarehouseError(f"Warehouse path {path} is not a file.")
    with write.writing(where) as target:  # opened (a locked file named as such), one transaction
        ensure_tables(target)
        yield target.con
        if dry_run:
            target.discard()


def _quiet(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # pragma: no cover - cosmetic
        pass


def existing_tables(target: write.Session | duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Tables of the warehouse and their columns."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        target = write.Session(target, Location("duckdb", "", ""))
    return target.columns()


def ensure_tables(target: write.Session) -> None:
    """Every canonical table exists (created empty with its contract's types when missing)."""
    have = existing_tables(target)
    for name in schemas.CONTRACTS:
        if name not in have:
            target.create_table(name)
            continue
        lacking = [c for c in schemas.columns_of(name) if c not in have[name]]
        if lacking:
            raise WarehouseError(
                f"Table '{name}' of the warehouse {target.where.shown} lacks column(s) {', '.join(lacking)} of its "
                "contract; run 'opsreport validate' and rebuild or repair the warehouse before importing."
            )


# --- shops --------------------------------------------------------------------------------------


def ensure_shop(target: write.Session, shop_id: str, platforms: Sequence[str], *, platform: str | None,
                name: str | None, category: str | None,
                currency: str | None = None) -> tuple[tuple[str, str] | None, list[Problem]]:
    """The shop's row, created when missing: ((platform, currency) when created, else None; problems).

    A new shop's platform is the one given, else the source's (its first when it lists several;
    the import output names it); a source of any platform needs ``platform``. Its currency is
    ``currency`` (ISO 4217), CNY by default. An existing shop keeps both."""
    wanted = currency.strip().upper() if currency is not None else None
    if wanted is not None and not re.fullmatch(r"[A-Z]{3}", wanted):
        return None, [Problem(None, f"--currency '{currency}' is not an ISO 4217 code such as CNY, USD or HKD")]
    row = target.one('SELECT platform, currency FROM shops WHERE shop_id = ?', [shop_id])
    if row is not None:
        problems = []
        if "any" not in platforms and row[0] not in platforms:
            problems.append(Problem(None, (
                f"shop '{shop_id}' is a {row[0]} shop, but this source is for {' / '.join(platforms)} exports: "
                "check --shop and --source")))
        if wanted is not None and row[1] != wanted:
            problems.append(Problem(None, (
                f"shop '{shop_id}' keeps its amounts in {row[1]}; --currency {wanted} cannot change that "
                "(an import converts nothing): leave --currency out, or check --shop")))
        return None, problems
    chosen = platform or next((p for p in platforms if p != "any"), None)
    if chosen is None:
        return None, [Problem(None, f"shop '{shop_id}' is new and this source fits any platform: pass --platform "
                                    f"({', '.join(schemas.PLATFORMS)}) to say which platform the shop sells on")]
    if chosen not in schemas.PLATFORMS or ("any" not in platforms and chosen not in platforms):
        allowed = schemas.PLATFORMS if "any" in platforms else list(platforms)
        return None, [Problem(None, f"--platform '{chosen}' does not fit this source ({', '.join(allowed)})")]
    chosen_currency = wanted or CURRENCY
    target.run(
        "INSERT INTO shops (shop_id, name, platform, category, currency) VALUES (?, ?, ?, ?, ?)",
        [shop_id, name or shop_id, chosen, category or "unknown", chosen_currency],
    )
    return (chosen, chosen_currency), []


def own_shop_names(warehouse: str | Path, shop_id: str, shop_name: str | None = None) -> tuple[str, ...]:
    """The names under which an export may list the importing shop itself: its name in the
    warehouse's ``shops`` (read-only; none when the warehouse or the shop does not exist yet) and
    ``shop_name`` (``--shop-name``). A name equal to the shop id (a shop created without a name)
    is kept too: the export then shows it only if the shop really is called so."""
    from ..warehouse.connection import Warehouse

    names = [shop_name.strip()] if shop_name and shop_name.strip() else []
    at = resolve(warehouse)
    if not at.is_server and not at.path.is_file():
        return tuple(names)
    try:
        wh = Warehouse.open(warehouse)
    except WarehouseError:
        return tuple(names)  # the import itself reports a warehouse it cannot open
    try:
        if wh.has("shops"):
            shops = wh.con.table("shops")
            found = shops.filter(shops.shop_id == shop_id).select("name").limit(1).execute()
            row = None if found.empty else found.iloc[0, 0]
            if row and str(row).strip() not in names:
                names.append(str(row).strip())
    finally:
        wh.close()
    return tuple(names)


# --- staging --------------------------------------------------------------------------------------


@dataclass
class StagedTable:
    """One canonical table's rows from every file of the import, in a temporary table."""

    table: str
    name: str  # the temporary table
    keys: list[str]
    files: int
    on_conflict: str


def stage(con: duckdb.DuckDBPyConnection, table: str, shop_id: str | None,
          parts: Sequence[tuple[int, Staged]]) -> StagedTable:
    """Put every file's rows of ``table`` into one temporary table with the contract's types.
    ``shop_id``: the shop of every row (--shop); None for a team import, whose rows carry their own
    shop_id when the table has one."""
    frames = []
    for index, staged in parts:
        f = staged.frame
        f = f.assign(**{FILE: index})
        frames.append(f)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    name = f"_stage_{table}"
    columns = schemas.columns_of(table)
    select = []
    for col, dtype in columns.items():
        if col == "shop_id" and shop_id is not None:
            select.append("CAST($shop AS VARCHAR) AS shop_id")
        elif col in frame.columns:
            select.append(f'CAST("{col}" AS {store.sql_type(dtype)}) AS "{col}"')
        else:
            select.append(f'CAST(NULL AS {store.sql_type(dtype)}) AS "{col}"')
    select += [f"CAST({FILE} AS INTEGER) AS {FILE}", f"CAST({SOURCE} AS VARCHAR) AS {SOURCE}", f"CAST({ROW} AS BIGINT) AS {ROW}"]
    con.register("_incoming", frame)
    try:
        query = f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT {", ".join(select)} FROM _incoming'
        con.execute(query, {"shop": shop_id}) if shop_id is not None else con.execute(query)
    finally:
        con.unregister("_incoming")
    keys = [k for k in (schemas.CONTRACTS[table].to_schema().unique or [])]
    return StagedTable(table, name, keys, len(parts), parts[0][1].on_conflict)


def conflicts(con: duckdb.DuckDBPyConnection, st: StagedTable, files: Sequence[Path]) -> list[Problem]:
    """Keys that several files of the import give different values: which one is right is unknown.
    (A table filled with ``on_conflict: keep`` takes the first file's row, as it keeps a stored one.)"""
    if st.files < 2 or st.on_conflict == "keep":
        return []
    keys = ", ".join(f'"{k}"' for k in st.keys)
    values = [c for c in schemas.columns_of(st.table) if c not in st.keys]
    row = ", ".join(f'"{c}"' for c in values)
    found = con.execute(
        f"""SELECT {keys}, string_agg({SOURCE} || ', row ' || {ROW}, ' | ' ORDER BY {FILE}, {ROW}) AS at_
            FROM "{st.name}" GROUP BY {keys}
            HAVING count(DISTINCT {FILE}) > 1 AND count(DISTINCT ({row})) > 1"""
    ).df()
    if found.empty:
        return []
    examples = "; ".join(
        ", ".join(f"{k}={_show(r[k])}" for k in st.keys if k != "shop_id") + f" ({r['at_'][:200]})"
        for _, r in found.head(3).iterrows()
    )
    return [Problem(None, (
        f"{len(found):,} key(s) of {st.table} appear in several files with different values, e.g. {examples}. "
        "Which file is right is unknown: import them with separate commands (the later import updates "
        "the earlier one's rows) or leave out the outdated file."
    ))]


def check_contract(con: duckdb.DuckDBPyConnection, st: StagedTable) -> list[Problem]:
    """The staged rows (one per key) against the table's contract; rows cited by file and row."""
    backend = ibis.duckdb.from_connection(con)
    t = backend.table(st.name, database="temp")
    if st.files > 1:  # the same row in several files: checked once
        t = t.mutate(_n=ibis.row_number().over(group_by=st.keys, order_by=[t[FILE], t[ROW]])).filter(lambda x: x._n == 0)
        t = t.drop("_n")
    t = t.mutate(**{WHERE: t[SOURCE].concat(", row ", t[ROW].cast("string"))})
    try:
        schemas.validate(t, st.table, row_columns=[WHERE])
    except ContractError as exc:
        return [Problem(None, str(exc))]
    return []


# --- upsert ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    rows: int
    inserted: int
    updated: int
    skipped: int


def upsert(session: ImportSession, st: StagedTable, file_index: int, present: Sequence[str]) -> Counts:
    """Write one file's staged rows of a table; count inserted, updated and unchanged rows."""
    target = session.store
    keys = st.keys
    on = _key_match(st.table, keys)
    compare = [c for c in present if c not in keys]
    changed = " OR ".join(f's."{c}" IS DISTINCT FROM t."{c}"' for c in compare) or "FALSE"
    cur = f'(SELECT * FROM "{_staged_on_store(session, st)}" WHERE {FILE} = {int(file_index)})'
    nullable = {c for c, (_, null) in _contract_columns(st.table).items() if null}
    probe = next((k for k in keys if k not in nullable), keys[0])  # NULL in t only when no stored row matched
    total, new, differ = target.one(
        f"""SELECT count(*), count(*) FILTER (WHERE t."{probe}" IS NULL),
                   count(*) FILTER (WHERE t."{probe}" IS NOT NULL AND ({changed}))
            FROM {cur} s LEFT JOIN "{st.table}" t ON {on}"""
    )
    updated = 0
    if st.on_conflict == "replace" and differ:
        assignments = ", ".join(f'"{c}" = s."{c}"' for c in compare)
        target.run(f'UPDATE "{st.table}" AS t SET {assignments} FROM {cur} AS s WHERE {on} AND ({changed})')
        updated = int(differ)
    if new:
        cols = ", ".join(f'"{c}"' for c in schemas.columns_of(st.table))
        scols = ", ".join(f's."{c}"' for c in schemas.columns_of(st.table))
        target.run(f'INSERT INTO "{st.table}" ({cols}) SELECT {scols} FROM {cur} AS s '
                   f'WHERE NOT EXISTS (SELECT 1 FROM "{st.table}" AS t WHERE {on})')
    return Counts(rows=int(total), inserted=int(new), updated=updated, skipped=int(total) - int(new) - updated)


def _staged_on_store(session: ImportSession, st: StagedTable) -> str:
    """The name under which the warehouse's connection reads ``st``'s staged rows: the temporary
    table itself in a DuckDB file; on a server, a temporary table of the server's transaction
    that the rows are copied into once (COPY), dropped at commit or rollback."""
    if not session.server or st.name in session.sent:
        return st.name
    from ..warehouse.copy import copy_rows
    from ..warehouse.server import pg_type

    local = ibis.duckdb.from_connection(session.stage).table(st.name, database="temp")
    columns = dict(local.schema().items())
    session.store.run(f'CREATE TEMP TABLE "{st.name}" ('
                      + ", ".join(f'"{c}" {pg_type(t)}' for c, t in columns.items()) + ") ON COMMIT DROP")
    reader = session.stage.execute(f'SELECT * FROM temp."{st.name}"').fetch_record_batch(100_000)
    copy_rows(session.store.con, st.name, list(columns), reader)
    session.sent.add(st.name)
    return st.name


def _key_match(table: str, keys: Sequence[str]) -> str:
    """The join of staged (s) and stored (t) rows on the natural key. A key column the contract
    allows NULL (staff_assignments.category: empty = the whole shop) matches NULL to NULL, so that a
    re-imported row updates its stored self instead of being inserted again."""
    nullable = {c for c, (_, null) in _contract_columns(table).items() if null}
    return " AND ".join(f't."{k}" IS NOT DISTINCT FROM s."{k}"' if k in nullable else f't."{k}" = s."{k}"'
                        for k in keys)


def _contract_columns(table: str) -> dict[str, tuple[str, bool]]:
    from .mappings import contract_columns

    return contract_columns(table)


# --- references -----------------------------------------------------------------------------------


def unknown_references(session: ImportSession, mapping, results: Sequence, files: Sequence[Path]) -> list[Problem]:
    """Cells of ``refers_to`` columns (staff_id: staff.staff_id) whose value the referred table holds
    neither in the warehouse nor among this import's own rows: one problem per value, naming its rows."""
    problems: list[Problem] = []
    known: dict[str, set[str]] = {}
    for target in mapping.targets:
        for column, spec in target.columns.items():
            if spec.refers_to is None:
                continue
            if spec.refers_to not in known:
                table, _, ref = spec.refers_to.partition(".")
                have = {str(v) for (v,) in session.store.rows(f'SELECT DISTINCT "{ref}" FROM "{table}" WHERE "{ref}" IS NOT NULL')}
                for r in results:  # rows of the referred table in this very import (a roster's managers)
                    staged = r.staged.get(table)
                    if staged is not None and ref in staged.frame.columns:
                        have |= {str(v) for v in staged.frame[ref].dropna()}
                known[spec.refers_to] = have
            for i, r in enumerate(results):
                staged = r.staged.get(target.table)
                if staged is None or column not in staged.frame.columns:
                    continue
                f = staged.frame
                values = f[column].astype(object)
                unknown = values.notna() & ~values.map(lambda v: str(v) in known[spec.refers_to]).astype(bool)
                if not unknown.any():
                    continue
                bad = f[unknown.to_numpy(dtype=bool)]
                for (value, sheet), rows in bad.groupby([column, SHEET], sort=False, dropna=False)[ROW]:
                    table, _, ref = spec.refers_to.partition(".")
                    problems.append(at_rows(
                        files[i], f"unknown {column} '{value}': {table} has no {ref} '{value}' (add it to {table} "
                        f"first, or correct the cell)", sorted(int(x) for x in rows),
                        sheet=None if pd.isna(sheet) else sheet, column=staged.headers.get(column, column)))
    return problems


def _show(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else str(v)
    return str(v)
