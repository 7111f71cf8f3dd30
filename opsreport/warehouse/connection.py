"""Opening the warehouse and reading its canonical tables, each checked against its contract.

A warehouse is a DuckDB file (the default) or a PostgreSQL server (``location.py`` says how one
is named); both are read through the same Ibis expressions. Contract checks run once per version
of the data: a DuckDB file's version is the hash of its bytes (``stamp``), a server's the
order-independent hash of its canonical tables' rows (``server.content_stamp``).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property
from pathlib import Path

import ibis

from .. import schemas
from ..errors import DataNotFoundError, WarehouseError, is_lock_error, locked_warehouse
from . import location as _location


def stamp(path: str | Path) -> str:
    """Identity of a warehouse file's content: its size and the SHA-256 of its bytes, and of its
    write-ahead log when one is left beside it (DuckDB replays it on open).

    A content hash, not size and modification time: a file whose size and mtime were restored
    (``cp -p``, ``rsync -t``, an editor) must still be re-checked. Partial hashes (first and last
    blocks, DuckDB's header and row counts) miss an edited value in the middle of a file of the same
    shape, so the whole file is read: SHA-256 (hardware-accelerated) takes about 1.1 s per GiB from
    the page cache (4.5 s cold from disk) and 50 ms for the 41 MB demo warehouse, whose full
    contract check takes 5 s. The hash is read only when the size matches the remembered one.
    """
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    for part in (path, path.with_name(path.name + ".wal")):
        if part.is_file():
            with part.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
            size += part.stat().st_size
    return f"{size}|sha256:{digest.hexdigest()}"


def _size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + ".wal")) if p.is_file())


def _cache_file() -> Path:
    root = os.environ.get("OPSREPORT_CACHE") or Path.home() / ".cache" / "opsreport"
    return Path(root) / "validated_warehouses.json"


def _validated() -> dict[str, str]:
    try:
        return json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remember_valid(key: str, file_stamp: str) -> None:
    """Record that every table of this version of a warehouse (``key``: a file's resolved path, a
    server's shown URL) met its contract, so later reports on the same unchanged data (the other
    shops of a weekly run, the notebook's kernel) skip the check."""
    cache = _validated()
    cache[key] = file_stamp
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, indent=1), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home only costs a second check


class Warehouse:
    """A read-only view of the canonical tables (an embedded DuckDB file by default, or a
    PostgreSQL server). ``location`` is safe to show: a path, or a URL without its password."""

    def __init__(self, con: ibis.BaseBackend, location: str, *, server: bool = False):
        self.con = con
        self.location = location
        self.server = server
        self._checked: dict[str, ibis.Table] = {}
        self._counts: dict[str, dict[str, int]] = {}

    def __repr__(self) -> str:
        return f"Warehouse({self.location!r})"

    @classmethod
    def open(cls, where: str | Path) -> "Warehouse":
        """Open the warehouse ``where`` names: a DuckDB file, a postgresql:// URL, ``env:NAME`` or a
        name of the warehouses file (``location.resolve``)."""
        at = _location.resolve(where)
        if at.is_server:
            from . import server

            return cls(server.connect(at), at.shown, server=True)
        path = at.path
        if path.is_dir():
            raise WarehouseError(f"Warehouse {path} is a folder; give the DuckDB file inside it (e.g. {path / 'shop.duckdb'}).")
        if not path.is_file():
            raise WarehouseError(
                f"Warehouse file not found: {path}. Build the demo warehouse with "
                "'opsreport demo' or import data with 'opsreport import'."
            )
        try:
            con = ibis.duckdb.connect(str(path), read_only=True)
            con.list_tables()
        except Exception as exc:  # duckdb raises IOException / InvalidInputException
            if is_lock_error(exc):  # another program holds the file: it is not damaged
                raise locked_warehouse(str(path), exc) from None
            raise WarehouseError(
                f"Warehouse file {path} cannot be opened as a DuckDB database "
                f"({type(exc).__name__}: {str(exc).splitlines()[0]}). Is it corrupt or another kind of file?"
            ) from None
        try:  # progress bars would print into reports; inside Jupyter DuckDB refuses the switch
            con.raw_sql("SET enable_progress_bar = false")
        except Exception:  # noqa: BLE001 - cosmetic setting
            pass
        return cls(con, str(path))

    @cached_property
    def trusted(self) -> bool:
        """True when this unchanged warehouse already passed every contract check (same content
        stamp; for a file, a different size settles it without reading the file)."""
        if self.server:
            known = _validated().get(self.location)
            return bool(known) and known == self.content
        path = Path(self.location)
        if not path.is_file():
            return False
        known = _validated().get(str(path.resolve()))
        if not known or known.split("|", 1)[0] != str(_size_of(path)):
            return False
        return known == self.content

    def vouch(self, content: str | None) -> bool:
        """Trust this warehouse when its content is ``content``, a version whose every table the
        caller saw pass the contract checks (a batch checks once and tells its workers, which may
        run on machines without this machine's record of validated warehouses)."""
        if content and "trusted" not in self.__dict__ and self.content == content:
            self.__dict__["trusted"] = True  # the cached_property's value, set ahead
        return bool(self.__dict__.get("trusted"))

    @cached_property
    def content(self) -> str:
        """The warehouse's content stamp, computed once per opened warehouse: a file's ``stamp()``,
        a server's ``server.content_stamp`` of its canonical tables."""
        if self.server:
            return self._server_state[0]
        return stamp(self.location)

    @cached_property
    def _server_state(self) -> tuple[str, dict[str, int]]:
        from . import server

        return server.content_stamp(self.con, sorted(self.table_names & set(schemas.CONTRACTS)))

    def _cache_key(self) -> str | None:
        if self.server:
            return self.location
        path = Path(self.location)
        return str(path.resolve()) if path.is_file() else None

    @cached_property
    def table_names(self) -> set[str]:
        return set(self.con.list_tables())

    def has(self, name: str) -> bool:
        return name in self.table_names

    def table(self, name: str) -> ibis.Table:
        """The table ``name``, validated against its contract on first use."""
        if name not in self._checked:
            if name not in schemas.CONTRACTS:
                raise WarehouseError(f"'{name}' is not a canonical table ({', '.join(schemas.CONTRACTS)})")
            if not self.has(name):
                raise WarehouseError(
                    f"Table '{name}' is missing from the warehouse {self.location}; "
                    f"it has: {', '.join(sorted(self.table_names)) or 'no tables'}."
                )
            table = self.con.table(name)
            if self.trusted:
                self._checked[name] = schemas.conform(table, name)[0]
            else:
                self._checked[name] = schemas.validate(table, name)
        return self._checked[name]

    def check_all(self) -> list[str]:
        """Every problem that would stop a report on this warehouse, as readable paragraphs: each
        contract problem of each canonical table present, and a warehouse without canonical
        tables, without a shops table, or without shops. Empty when every report can run."""
        from ..errors import ContractError

        key = self._cache_key()
        before = self.content if key is not None and not self.trusted else None
        problems = []
        present = sorted(self.table_names & set(schemas.CONTRACTS))
        if not present:
            problems.append(
                f"The warehouse {self.location} holds no canonical tables "
                f"(it has: {', '.join(sorted(self.table_names)) or 'no tables'}). Build the demo warehouse "
                "with 'opsreport demo' or import a shop's exports with 'opsreport import'."
            )
            return problems
        if not self.has("shops"):
            problems.append(
                f"The warehouse {self.location} has no 'shops' table, so no report can name its shop; "
                f"it has: {', '.join(present)}. Import a shop's exports with 'opsreport import --shop ...', "
                "which creates the shop's row."
            )
        for name in schemas.CONTRACTS:
            if not self.has(name):
                continue
            try:
                self.table(name)
            except ContractError as exc:
                problems.append(str(exc))
        if self.has("shops") and not any(f"Table 'shops'" in p for p in problems):
            if int(self.table("shops").count().execute()) == 0:
                problems.append(
                    f"The 'shops' table of the warehouse {self.location} has no rows: there is no shop to "
                    "report on. Import a shop's exports with 'opsreport import --shop ...'."
                )
        if not problems and before is not None:
            _remember_valid(key, before)
        return problems

    def shop_row_counts(self, shop_id: str) -> dict[str, int]:
        """Rows of each canonical table for one shop, in one query (0 for absent tables and for
        tables that carry no shop_id, such as the staff tables)."""
        if shop_id not in self._counts:
            counts = []
            for name in schemas.CONTRACTS:
                if name == "shops" or not self.has(name):
                    continue
                t = self.con.table(name)
                if "shop_id" in t.columns:
                    rows_ = t.filter(t.shop_id == shop_id)
                    counts.append(rows_.aggregate(n=rows_.count()).mutate(name=ibis.literal(name)))
            rows = ibis.union(*counts).execute() if counts else None
            found = {} if rows is None else dict(zip(rows["name"], rows["n"].astype(int)))
            self._counts[shop_id] = {n: 0 for n in schemas.CONTRACTS} | found
        return self._counts[shop_id]

    def shop_rows(self, name: str, shop_id: str) -> ibis.Table:
        t = self.table(name)
        return t.filter(t.shop_id == shop_id)

    def shop(self, shop_id: str) -> dict:
        shops = self.table("shops").execute()
        match = shops[shops.shop_id == shop_id]
        if match.empty:
            known = ", ".join(f"{r.shop_id} ({r.name})" for r in shops.itertuples()) or "none"
            raise DataNotFoundError(
                f"Shop '{shop_id}' does not exist in the warehouse {self.location}. Known shops: {known}."
            )
        return match.iloc[0].to_dict()

    def fingerprint(self) -> dict:
        """Row counts, file size and content hash: enough to tell two runs on different data apart.
        A server's content is the hash of its canonical rows (no size: a server has no file)."""
        out = {"location": self.location}
        if self.server:
            stamp_, rows = self._server_state
            return out | {"content": stamp_, "rows": dict(sorted(rows.items()))}
        path = Path(self.location)
        if path.is_file():
            out["bytes"] = path.stat().st_size
            out["content"] = self.content
        out["rows"] = {
            name: int(self.con.table(name).count().execute())
            for name in sorted(self.table_names & set(schemas.CONTRACTS))
        }
        return out

    def close(self) -> None:
        self.con.disconnect()
