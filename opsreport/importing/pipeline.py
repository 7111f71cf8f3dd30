"""``import_files``: export files of one source -> canonical tables, in one transaction.

The steps, each in its own module: find the mapping (mappings), read each file (readers),
turn its cells into canonical rows (transform), then stage, check and upsert them (load).
Problems of every file are collected first; if there is any, nothing is written and one
error lists them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportProblemsError, WarehouseError
from . import load
from .mappings import OPTIONS, Mapping, get_mapping, load_mappings, normalize_header
from .problems import Problem, summary
from .transform import FileRows, date_range, transform_file


@dataclass(frozen=True)
class TableChange:
    """What one file did to one canonical table."""

    table: str
    rows: int  # canonical rows the file gives (after combining rows of one key)
    inserted: int
    updated: int
    skipped: int  # key already there and nothing changed (or on_conflict: keep)
    first_date: dt.date | None = None
    last_date: dt.date | None = None


@dataclass(frozen=True)
class FileReport:
    """What importing one file did (or would do, in a dry run)."""

    file: Path
    rows_read: int  # data rows in the file (header, preamble, blank and total rows excluded)
    sheets: tuple[str | None, ...]
    tables: tuple[TableChange, ...]
    dry_run: bool = False
    # this import created the shop's row: (platform, currency), reported on the first file
    created_shop: tuple[str, str] | None = None
    source: str | None = None  # the mapping used
    source_note: str | None = None  # how it was picked, when --source was left out
    rows_skipped: int = 0  # data rows the mapping's skip filters left out

    @property
    def shop_created(self) -> bool:
        return self.created_shop is not None

    @property
    def inserted(self) -> int:
        return sum(t.inserted for t in self.tables)

    @property
    def updated(self) -> int:
        return sum(t.updated for t in self.tables)

    @property
    def skipped(self) -> int:
        return sum(t.skipped for t in self.tables)

    @property
    def date_range(self) -> tuple[dt.date, dt.date] | None:
        firsts = [t.first_date for t in self.tables if t.first_date is not None]
        lasts = [t.last_date for t in self.tables if t.last_date is not None]
        return (min(firsts), max(lasts)) if firsts else None


def import_files(
    warehouse: Path | str,  # a DuckDB file, or a server (warehouse.location): one transaction either way
    shop_id: str | None,
    source: str | None,
    files: Sequence[Path | str],
    *,
    dry_run: bool = False,
    mappings_dir: Path | str | None = None,
    shop_name: str | None = None,
    category: str | None = None,
    platform: str | None = None,
    currency: str | None = None,
    promo: str | None = None,
) -> list[FileReport]:
    """Import ``files`` (exports of ``source``, a mapping name) for shop ``shop_id``.

    A mapping with ``scope: team`` (staff, appraisal inputs: tables of people, not of a shop) is
    imported without a shop: ``shop_id`` must then be None, and so must the options that describe a
    new shop (``shop_name``, ``category``, ``platform``, ``currency``); every other mapping needs
    ``shop_id``. Either mistake is an error before any row is read.

    ``source=None``: the mapping whose headers the files match (:func:`detect.detect_source`);
    the reports say which was picked. ``currency`` (ISO 4217, default CNY) is that of a new shop;
    an existing shop keeps its own (a different one is an error: nothing is converted). A new shop
    of a source that fits any platform needs ``platform``. ``promo`` is the promotion the rows
    belong to, for sources whose exports do not say it (promo SKUs, coupons: ``option: promo`` in
    the mapping); it is an error to leave it out for them, or to give it to any other source.
    A source that lists the shop itself beside its competitors (``own_shop`` in the mapping) knows
    the shop's row by a label (本店) or by the shop's own name: its name in ``shops`` and
    ``shop_name``.

    One transaction: if any file has a problem (unreadable, a missing column, a cell that cannot
    be parsed, a duplicate key, a contract violation), nothing is written and
    :class:`~opsreport.errors.ImportProblemsError` lists every problem with file, sheet, row and
    column. A warehouse file that does not exist is created with every canonical table; a shop
    row is created for a new shop (platform from the mapping or ``platform``; name and category
    from ``shop_name``/``category``, else the shop id and "unknown"). With ``dry_run`` everything
    runs and is counted, then rolled back. The export files are only read.
    """
    if shop_id is not None:
        shop_id = str(shop_id).strip()
        if not shop_id:
            raise ImportProblemsError("--shop is empty: give the shop's id")
    if not files:
        raise ImportProblemsError("no files to import: give one or more export files")
    paths = [Path(f) for f in files]
    note = None
    if source is None:
        from .detect import detect_source

        detection = detect_source(paths, mappings_dir)
        mapping, note = detection.mapping, detection.describe()
    else:
        mapping = get_mapping(source, mappings_dir)
    check_scope(mapping, shop_id, {"--shop-name": shop_name, "--category": category, "--platform": platform,
                                   "--currency": currency})
    options = check_options(mapping, {"promo": promo}, mappings_dir)

    own_names = load.own_shop_names(warehouse, shop_id, shop_name) if mapping.uses_own_shop else ()
    results = [read_file(path, mapping, mappings_dir, options, own_names) for path in paths]
    problems = [p for r in results for p in r.problems]
    if problems:
        raise ImportProblemsError(summary(problems, paths), problems)

    reports: list[FileReport] = []
    with load.session(warehouse, dry_run=dry_run) as session:
        created, problems = None, []
        if shop_id is not None:
            created, problems = load.ensure_shop(
                session.store, shop_id, mapping.platform, platform=platform, name=shop_name, category=category, currency=currency
            )
        staged_tables = {}
        for target in mapping.targets:
            parts = [(i, r.staged[target.table]) for i, r in enumerate(results) if target.table in r.staged]
            if parts:
                staged_tables[target.table] = st = load.stage(session.stage, target.table, shop_id, parts)
                problems += load.conflicts(session.stage, st, paths)
        problems += load.unknown_references(session, mapping, results, paths)
        if not problems:  # contract checks only once the rows stand on their own
            for st in staged_tables.values():
                problems += load.check_contract(session.stage, st)
        if problems:
            raise ImportProblemsError(summary(problems, paths), problems)
        for i, r in enumerate(results):
            changes = []
            for target in mapping.targets:
                staged = r.staged.get(target.table)
                if staged is None:
                    continue
                counts = load.upsert(session, staged_tables[target.table], i, staged.present)
                span = date_range(staged, target) or (None, None)
                changes.append(TableChange(target.table, counts.rows, counts.inserted, counts.updated,
                                           counts.skipped, *span))
            reports.append(FileReport(r.file, r.rows_read, tuple(r.sheets), tuple(changes), dry_run,
                                      created_shop=created if i == 0 else None, source=mapping.name,
                                      source_note=note if i == 0 else None,
                                      rows_skipped=max(r.skipped.values(), default=0)))
    return reports


def check_scope(mapping: Mapping, shop_id: str | None, shop_options: dict[str, str | None]) -> None:
    """A shop mapping needs --shop; a team mapping (``scope: team``) takes neither --shop nor the
    options of a new shop: its tables carry no shop (staff_assignments reads its shops from the file),
    and a --shop given to it would be silently meaningless, so it is refused."""
    given = [flag for flag, value in shop_options.items() if value is not None]
    tables = ", ".join(mapping.tables)
    if mapping.team_scoped:
        flags = (["--shop"] if shop_id is not None else []) + given
        if flags:
            problem = (f"source '{mapping.name}' ({mapping.title}) fills team tables ({tables}), which belong to no "
                       f"shop: leave out {', '.join(flags)}")
            raise ImportProblemsError(f"Nothing was imported: {problem}.", [Problem(None, problem)])
    elif shop_id is None:
        problem = (f"source '{mapping.name}' ({mapping.title}) fills shop tables ({tables}): give --shop, the "
                   "id of the shop the rows belong to")
        raise ImportProblemsError(f"Nothing was imported: {problem}.", [Problem(None, problem)])


def check_options(mapping: Mapping, given: dict[str, str | None], mappings_dir=None) -> dict[str, str]:
    """The options (``mappings.OPTIONS``) the mapping uses, each given and not empty; an option given
    to a mapping that does not use it is an error too (the file is probably of another source)."""
    values = {k: v.strip() for k, v in given.items() if v is not None}
    problems = []
    for name in mapping.options:
        _, what, give = OPTIONS[name]
        if not values.get(name):
            tables = ", ".join(t.table for t in mapping.targets if any(c.option == name for c in t.columns.values()))
            problems.append(f"source '{mapping.name}' fills {tables}, and its exports do not say {what}: give {give}")
    for name in values:
        if name in mapping.options:
            continue
        flag = OPTIONS[name][0]
        try:
            users = [m.name for m in load_mappings(mappings_dir).values() if name in m.options]
        except Exception:  # noqa: BLE001 - a hint must never hide the real problem
            users = []
        problems.append(f"{flag} is for the sources that need it ({', '.join(users) or 'none'}); source "
                        f"'{mapping.name}' ({mapping.title}) does not use it: leave {flag} out, or check --source "
                        "and the files")
    if problems:
        raise ImportProblemsError("Nothing was imported: " + "; ".join(problems) + ".",
                                  [Problem(None, p) for p in problems])
    return {k: v for k, v in values.items() if k in mapping.options}


def read_file(path: Path, mapping: Mapping, mappings_dir=None, options: dict[str, str] | None = None,
              own_names: Sequence[str] = ()) -> FileRows:
    """Read one export and transform it; problems are returned, not raised. ``options``: the values
    of the columns the export does not carry (``check_options``); ``own_names``: the importing
    shop's own name(s), for ``own_shop`` columns (``load.own_shop_names``)."""
    from . import readers

    try:
        sheets = readers.read_export(path, mapping.aliases())
        copy_problems: list[Problem] = []
        if mapping.sheet_scoped:  # a filled template: its own rules (pre-filled rows, the period)
            from .templates import prepare_copy

            sheets, copy_problems = prepare_copy(path, mapping.name, sheets)
    except readers.FileReadError as exc:
        result = FileRows(file=path)
        message = getattr(exc, "reason", None) or str(exc)
        hint = _suggest(path, mapping, mappings_dir)
        result.problems.append(Problem(
            path, message + hint, sheet=exc.sheet, rows=(exc.row,) if exc.row else (),
            row_count=1 if exc.row else 0, column=exc.column,
        ))
        return result
    result = transform_file(path, sheets, mapping, options, own_names)
    result.problems = copy_problems + result.problems
    if any("does not match source" in p.message for p in result.problems):
        hint = _suggest_from_headers([str(c) for s in sheets for c in s.frame.columns], mapping, mappings_dir)
        if hint:
            result.problems = [
                Problem(p.file, p.message + hint, p.sheet, p.rows, p.row_count, p.column)
                if "does not match source" in p.message else p
                for p in result.problems
            ]
    return result


def matching_sources(headers: Sequence[str], mappings: dict[str, Mapping]) -> list[str]:
    """Mappings whose every target finds all its required columns among ``headers``."""
    have = {normalize_header(h) for h in headers}
    out = []
    for name, m in mappings.items():
        ok = all(
            any(normalize_header(a) in have for a in spec.aliases)
            for t in m.targets for spec in [*t.columns.values(), *t.inputs.values()] if spec.required
        )
        if ok:
            out.append(name)
    return out


def _suggest_from_headers(headers: Sequence[str], mapping: Mapping, mappings_dir) -> str:
    try:
        others = {k: v for k, v in load_mappings(mappings_dir).items() if k != mapping.name}
    except Exception:  # noqa: BLE001 - a hint must never hide the real problem
        return ""
    fits = matching_sources(headers, others)
    return f"\nThis file has every column of source(s): {', '.join(fits)} (--source {fits[0]})." if fits else ""


def _suggest(path: Path, mapping: Mapping, mappings_dir) -> str:
    """For a file whose header was not found: does another mapping recognise it?"""
    from . import readers

    try:
        others = {k: v for k, v in load_mappings(mappings_dir).items() if k != mapping.name}
        known = {a for m in others.values() for a in m.aliases()}
        sheets = readers.read_export(path, known, min_matches=3)
    except (readers.FileReadError, WarehouseError, ValueError, OSError):
        return ""
    except Exception:  # noqa: BLE001 - a hint must never hide the real problem
        return ""
    headers = [str(c) for s in sheets for c in s.frame.columns]
    fits = matching_sources(headers, others)
    return f"\nThis file has every column of source(s): {', '.join(fits)} (--source {fits[0]})." if fits else ""


def describe(reports: Sequence[FileReport], shop_id: str | None = None) -> list[str]:
    """Lines the CLI prints: per file rows read, inserted, updated, skipped and dates; per table below."""
    lines = []
    if reports and reports[0].source_note:
        lines.append(reports[0].source_note)
    for r in reports:
        span = r.date_range
        dates = f", {span[0]} ~ {span[1]}" if span else ""
        left_out = f" ({r.rows_skipped:,} left out by the mapping's skip rules)" if r.rows_skipped else ""
        lines.append(f"{r.file.name}: {r.rows_read:,} rows read{left_out}{dates}; inserted {r.inserted:,}, "
                     f"updated {r.updated:,}, skipped {r.skipped:,} (unchanged)")
        width = max([14, *(len(t.table) for t in r.tables)])
        for t in r.tables:
            lines.append(f"  {t.table:<{width}} {t.rows:>10,} rows: inserted {t.inserted:,}, updated {t.updated:,}, skipped {t.skipped:,}")
    if reports and reports[0].created_shop:
        platform, currency = reports[0].created_shop
        lines.append(f"created shop {shop_id} ({platform}, {currency})" if shop_id else f"created a shop ({platform}, {currency})")
    if reports and reports[0].dry_run:
        lines.append("dry run: nothing was written")
    return lines
