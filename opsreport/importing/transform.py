"""From a raw sheet (text cells, as the reader found them) to canonical rows of each target table.

Pure functions of data: no warehouse here. Every row keeps where it came from (``_row``: the
row number the user sees in Excel; ``_source``: file and sheet), so any later problem can be
cited. Problems are collected, never raised one by one: the caller reports them all at once.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import values
from .mappings import ColumnSpec, Mapping, Target, contract_columns, normalize_header, normalize_value
from .problems import Problem, at_rows

ROW = "_row"  # Excel row number of the (first) row a canonical row comes from
SOURCE = "_source"  # "orders.xlsx, sheet '订单'"
SHEET = "_sheet"  # the sheet's name (None for a CSV), for problems found after the transform
PROVENANCE = [SOURCE, ROW, SHEET]

_PARSER = {"int": "to_int", "money": "to_number", "number": "to_number", "rate": "to_rate",
           "date": "to_date", "datetime": "to_datetime", "id": "to_id", "bool": "to_bool"}


@dataclass
class Staged:
    """Canonical rows of one target table from one file."""

    table: str
    frame: pd.DataFrame  # canonical columns (no shop_id) + PROVENANCE
    present: list[str]  # canonical columns the file provided (the others hold defaults: insert only)
    on_conflict: str = "replace"
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> the file's header it came from

    @property
    def rows(self) -> int:
        return len(self.frame)


@dataclass
class FileRows:
    """What one export file gives: rows per target table, and the problems found."""

    file: Path
    rows_read: int = 0
    sheets: list[str | None] = field(default_factory=list)
    staged: dict[str, Staged] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # rows left out by a target's skip filters


def source_label(file: Path, sheet: str | None) -> str:
    return f"{file.name}, sheet '{sheet}'" if sheet else file.name


# --- finding columns ------------------------------------------------------------------------


def find_columns(headers: Sequence[str], target: Target) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> header of the file (first alias present wins); and the required
    canonical columns for which no alias is present."""
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalize_header(h), h)
    found, missing = {}, []
    for name, spec in {**target.columns, **target.inputs}.items():
        hit = next((by_norm[normalize_header(a)] for a in spec.aliases if normalize_header(a) in by_norm), None)
        if hit is not None:
            found[name] = hit
        elif spec.required:
            missing.append(name)
    return found, missing


# What a header is about, from its words: a hint never crosses kinds (money <-> count) or events
# (created <-> paid time, paying <-> ordering buyers). Checked in order: 支付转化率 is a rate.
_KINDS = [
    ("time", ("时间", "日期", "time", "date")),
    ("rate", ("率", "%", "占比", "rate")),
    ("money", ("金额", "价", "元", "费", "成本", "gmv", "amount", "price", "spend", "cost")),
    ("count", ("数", "人", "量", "次", "件", "count", "qty", "quantity", "number")),
]
_TYPE_KIND = {"money": "money", "int": "count", "rate": "rate", "date": "time", "datetime": "time",
              "text": "text", "id": "text", "status": "text"}
_EVENTS = {
    "created": ("创建", "下单", "拍下"), "paid": ("付款", "支付", "成交"), "refund": ("退款", "售后"),
    "shipped": ("发货",), "done": ("完成", "确认收货"), "fav": ("收藏", "关注"), "cart": ("加购", "购物车"),
    "visit": ("访客", "浏览", "点击"),
}


def header_kind(text: str) -> str | None:
    """'money', 'count', 'rate' or 'time' by the header's words; None when they say nothing."""
    norm = normalize_header(text)
    return next((kind for kind, words in _KINDS if any(w in norm for w in words)), None)


def header_events(text: str) -> set[str]:
    norm = normalize_header(text)
    return {event for event, words in _EVENTS.items() if any(w in norm for w in words)}


def _same_meaning(spec: ColumnSpec, alias: str, header: str) -> bool:
    want, kind = _TYPE_KIND.get(spec.type), header_kind(header)
    if kind is not None and want not in (None, kind) and not (spec.type == "number" and kind != "time"):
        return False
    a, h = header_events(alias), header_events(header)
    return not (a and h and not (a & h))


def closest_header(spec: ColumnSpec, headers: Sequence[str], others: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The file's header most like one of the column's aliases (difflib), if one of the same meaning
    is close: never a header that is an alias of another canonical column (``others``, normalised),
    never one of another kind (money for a count) or event (order creation for payment time)."""
    norm = {normalize_header(h): h for h in headers}
    best, best_score = None, 0.0
    for alias in spec.aliases:
        a = normalize_header(alias)
        candidates = [n for n in norm if n not in others and _same_meaning(spec, alias, norm[n])]
        for match in difflib.get_close_matches(a, candidates, n=1, cutoff=0.5):
            score = difflib.SequenceMatcher(None, a, match).ratio()
            if score > best_score:
                best, best_score = norm[match], score
    return best


def other_columns_aliases(mapping: Mapping, column: str) -> set[str]:
    """Normalised headers known (in this mapping or a built-in one) to mean a canonical column
    other than ``column``; a header that is also an alias of ``column`` somewhere is not one."""
    from .mappings import _builtin

    by_header: dict[str, set[str]] = {}
    for m in [mapping, *_builtin().values()]:
        for t in m.targets:
            for name, spec in [*t.columns.items(), *t.inputs.items()]:
                for a in spec.aliases:
                    by_header.setdefault(normalize_header(a), set()).add(name)
    return {h for h, names in by_header.items() if column not in names}


def missing_columns_problem(file: Path, sheet: str | None, mapping: Mapping, target: Target,
                            missing: list[str], headers: Sequence[str]) -> Problem:
    lacks = []
    for name in missing:
        spec = {**target.columns, **target.inputs}[name]
        text = f"{target.table}.{name} (" + " / ".join(spec.aliases) + ")"
        hint = closest_header(spec, headers, other_columns_aliases(mapping, name))
        if hint is not None:
            text += f" - closest in the file: '{hint}'"
        lacks.append(text)
    message = (
        f"does not match source '{mapping.name}': it lacks {len(missing)} required column(s):\n"
        + "\n".join(f"  {x}" for x in lacks)
        + f"\nThe file has: {', '.join(map(str, headers)) or 'no columns'}."
        + "\nAdd the file's header as an alias in the mapping (opsreport sources shows the expected columns)."
    )
    return Problem(file, message, sheet=sheet)


# --- parsing cells --------------------------------------------------------------------------


def parse_column(raw: pd.Series, spec: ColumnSpec) -> tuple[pd.Series, pd.Series]:
    """(values, bad): bad marks non-empty cells that cannot be read as the column's type."""
    t = spec.type
    if t == "int":
        return values.to_int(raw)
    if t in ("money", "number"):
        return values.to_number(raw)
    if t == "rate":
        return values.to_rate(raw, bare=spec.bare)
    if t in ("date", "datetime") and spec.format:
        parsed, bad = values.parse_with_formats(raw, spec.format)
        return (parsed.dt.normalize() if t == "date" else parsed), bad
    if t == "date":
        return values.to_date(raw)
    if t == "datetime":
        return values.to_datetime(raw)
    if t == "id":
        return values.to_id(raw)
    if t == "bool":
        from .mappings import BOOL_WORDS

        return values.to_bool(raw, BOOL_WORDS)
    text, bad = values.to_text(raw)
    if spec.map is None and spec.patterns is None:
        return text, bad
    uniques = text.dropna().unique()  # normalise each distinct value once, not each cell
    keyed = text.map({u: normalize_value(u) for u in uniques})
    if spec.patterns:  # first matching pattern wins; the others go on to the map
        compiled = [(re.compile(rx), value) for rx, value in spec.patterns.items()]
        derived = {}
        for u in keyed.dropna().unique():
            derived[u] = next((value for rx, value in compiled if rx.search(u)), None)
        hit = keyed.map(derived)
        if spec.map is None:
            unknown = (keyed.notna() & hit.isna()).to_numpy(dtype=bool)
            out = hit.where(~pd.Series(unknown, index=hit.index) | (spec.on_unknown == "error"), keyed)
            return out.astype("str"), bad | (unknown if spec.on_unknown == "error" else False)
        rest = keyed.where(hit.isna())
        mapped, unknown = values.map_values(rest, spec.map, default="bad" if spec.on_unknown == "error" else "keep")
        return hit.where(hit.notna(), mapped).astype("str"), bad | unknown
    mapped, unknown = values.map_values(keyed, spec.map, default="bad" if spec.on_unknown == "error" else "keep")
    return mapped, bad | unknown


def _bad_cells_problems(file: Path, sheet: str | None, header: str, spec: ColumnSpec, raw: pd.Series,
                        bad: pd.Series, mapping: Mapping, table: str, column: str) -> list[Problem]:
    rows = raw.index[bad.to_numpy(dtype=bool)]
    if spec.map is not None or spec.patterns is not None:  # an unknown value: one problem per value
        out = []
        texts = raw[bad.to_numpy(dtype=bool)].map(lambda v: normalize_value(v))
        for value, idx in texts.groupby(texts, sort=False).groups.items():
            known = ", ".join([*(f"/{rx}/" for rx in spec.patterns or {}), *sorted(set(spec.map or {}))])
            out.append(at_rows(
                file,
                f"unknown value '{value}': add it to the map (or patterns) of {table}.{column} in mapping "
                f"'{mapping.name}' (known: {known[:300]})",
                list(idx), sheet=sheet, column=header,
            ))
        return out
    if spec.format:
        cell = raw[rows[0]]
        reason = f"{str(cell)!r} does not fit the mapping's date format {' or '.join(spec.format)}"
    else:
        reason = values.explain_bad(_PARSER[spec.type], raw[rows[0]])
    message = reason if len(rows) == 1 else f"{len(rows):,} cells cannot be read, e.g. {reason}"
    return [at_rows(file, message, list(rows), sheet=sheet, column=header)]


def _empty_default(spec: ColumnSpec):
    if spec.type in ("date", "datetime"):
        return pd.Timestamp(spec.default)
    return spec.default


# --- one sheet, one target ------------------------------------------------------------------


def transform_sheet(frame: pd.DataFrame, file: Path, sheet: str | None, mapping: Mapping, target: Target,
                    found: dict[str, str], cache: dict | None = None,
                    options: dict[str, str] | None = None,
                    own_names: Sequence[str] = ()) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical columns of ``target`` from the raw ``frame`` (index = Excel row numbers).

    ``cache`` (shared by the targets of one sheet) parses a header read the same way only once.
    ``options``: the values the user passed for columns the export does not carry (``option: promo``
    -> ``{"promo": "0071-2026-double11"}``); every row takes its option's value. ``own_names``: the
    importing shop's own name(s); a cell of an ``own_shop`` column equal to one becomes that value."""
    cache = {} if cache is None else cache
    problems: list[Problem] = []
    contract = contract_columns(target.table)
    out: dict[str, pd.Series] = {}
    for name, spec in {**target.columns, **target.inputs}.items():
        header = found.get(name)
        if header is None:  # absent: NULL when optional, else its default (or a constant) for every row
            value = _empty_default(spec) if spec.default is not None and not spec.optional else None
            if spec.option is not None:  # not in the export: the value the user passed (--promo)
                value = (options or {}).get(spec.option)
            out[name] = pd.Series([value] * len(frame), index=frame.index, dtype=object if value is None else None)
            continue
        raw = _column(frame, header)
        how = (header, spec.type, spec.bare, tuple(spec.format or ()), tuple((spec.patterns or {}).items()),
               tuple(sorted((spec.map or {}).items())), spec.on_unknown)
        if how not in cache:
            parsed, bad = parse_column(raw, spec)
            cache[how] = parsed, bad.fillna(False).astype(bool)
            first_use = True
        else:
            first_use = False
        parsed, bad = cache[how]
        if spec.own_shop is not None and own_names:  # our own row, listed under our shop's name
            ours = {normalize_value(n) for n in own_names}
            is_ours = parsed.map(lambda v: not pd.isna(v) and normalize_value(v) in ours).astype(bool)
            parsed = parsed.where(~is_ours, spec.own_shop)
        if bad.any() and first_use:  # reported once, whichever tables the column fills
            problems += _bad_cells_problems(file, sheet, header, spec, raw, bad, mapping, target.table, name)
        empty = parsed.isna() & ~bad
        if spec.default is not None:
            if empty.any():
                parsed = parsed.where(~empty, _empty_default(spec))
        elif spec.if_empty is not None or name not in contract:
            pass  # filled below from other columns / an input (never stored)
        elif not contract[name][1] and empty.any() and ("empty", header) not in cache:
            cache[("empty", header)] = True  # once per column, whichever tables it fills
            rows = list(frame.index[empty.to_numpy(dtype=bool)])
            problems.append(at_rows(file, f"empty: {target.table}.{name} needs a value", rows, sheet=sheet, column=header))
        out[name] = parsed
    for name, spec in {**target.columns, **target.inputs}.items():
        if spec.multiply_by is not None:
            out[name] = out[name] * out[spec.multiply_by]
    for name in target.inputs:
        del out[name]
    result = pd.DataFrame(out, index=frame.index)
    result[ROW] = frame.index.to_numpy(dtype=np.int64)
    return result, problems


def fill_template(column: pd.Series, template: str, row_values: dict[str, pd.Series]) -> pd.Series:
    """Empty cells of ``column`` from ``template`` ('guest:{order_id}'): each row its own value,
    built from that row's other columns (a guest buyer per order, never one shared fake buyer).
    A row whose named columns are empty too stays empty."""
    empty = column.isna().to_numpy(dtype=bool)
    if not empty.any():
        return column
    text = pd.Series("", index=column.index, dtype=object)
    complete = np.ones(len(column), dtype=bool)
    for literal, field_name, _, _ in string.Formatter().parse(template):
        text = text + (literal or "")
        if field_name:
            part = row_values[field_name]
            complete &= part.notna().to_numpy(dtype=bool)
            text = text + part.astype(object).map(lambda v: "" if pd.isna(v) else _show(v))
    filled = column.astype(object).where(~(empty & complete), text)
    return filled.astype("str")


def _column(frame: pd.DataFrame, header: str) -> pd.Series:
    col = frame[header]
    if isinstance(col, pd.DataFrame):  # the same header twice: the first one
        col = col.iloc[:, 0]
    return col


# --- combining rows of one key ----------------------------------------------------------------


def duplicate_keys_problem(frame: pd.DataFrame, keys: list[str], file: Path, table: str,
                           mapped: Sequence[str] = ()) -> Problem | None:
    """Rows of one file sharing the table's natural key (and the mapping does not combine them).
    ``mapped``: key columns whose values the mapping's ``map`` turns into others (several export
    values may become one), said in the message."""
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return None
    d = frame[dup]
    sheets = d[SOURCE].nunique() > 1 if SOURCE in d.columns else False
    where = (d[SOURCE].astype(str) + ", row " + d[ROW].astype(str)) if sheets else ("row " + d[ROW].astype(str))
    groups = where.groupby([d[k] for k in keys], sort=False, dropna=False).apply(list)
    examples = []
    for key, rows in list(groups.items())[:3]:
        key = key if isinstance(key, tuple) else (key,)
        shown = ", ".join(f"{k}={_show(v)}" for k, v in zip(keys, key))
        examples.append(f"{shown} ({' | '.join(rows[:5])})")
    message = (
        f"{len(groups):,} key(s) of {table} ({', '.join(keys)}) appear on more than one row, e.g. "
        + "; ".join(examples)
        + ". Each key may appear once in a file: remove the repeated rows (or split the file)."
    )
    if mapped:
        message += (f" Note: the mapping turns several export values of {', '.join(mapped)} into one (its map), "
                    "and this source does not add rows up (combine): export at a level where each value is "
                    "one row, or keep the values apart in your own copy of the mapping.")
    return at_rows(file, message, [] if sheets else list(d[ROW]))


def combine_rows(frame: pd.DataFrame, keys: list[str], sums: list[str],
                 first_non_empty: Sequence[str] = ()) -> pd.DataFrame:
    """One row per key: ``sums`` added up, ``first_non_empty`` the first non-empty value among
    the key's rows (file order), every other column from the key's first row."""
    if not frame.duplicated(keys).any():
        return frame
    columns = list(frame.columns)
    firsts = frame.drop_duplicates(keys, keep="first").set_index(keys)  # file order: the first row
    groups = frame.groupby(keys, sort=False, dropna=False)
    if sums:
        totals = groups[sums].sum(min_count=1)
        firsts[sums] = totals.reindex(firsts.index)
    if first_non_empty:
        found = groups[list(first_non_empty)].first(skipna=True)  # first non-missing per key
        for c in first_non_empty:
            firsts[c] = found[c].reindex(firsts.index)
    return firsts.reset_index()[columns]


def _show(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else str(v)
    return str(v)


# --- rules that belong to a table, whatever the platform ---------------------------------------

UNPAID = "pending_payment"


def unpaid_orders_are_not_gmv(staged: dict[str, Staged]) -> None:
    """An order not paid (awaiting payment, or without a payment time, e.g. closed before paying)
    has paid_at empty and paid_amount 0, whatever the export says; so have its items."""
    orders = staged.get("orders")
    if orders is None:
        return
    o = orders.frame
    unpaid = ((o["status"] == UNPAID).fillna(False) | o["paid_at"].isna()).to_numpy(dtype=bool)
    if not unpaid.any():
        return
    o["paid_at"] = o["paid_at"].where(~unpaid)
    o["paid_amount"] = o["paid_amount"].where(~unpaid, 0.0)
    for name in ("paid_at", "paid_amount"):
        if name not in orders.present:
            orders.present.append(name)
    items = staged.get("order_items")
    if items is not None:
        f = items.frame
        of_unpaid = _isin(f["order_id"], o["order_id"][unpaid])
        f["paid_amount"] = f["paid_amount"].where(~of_unpaid, 0.0)


def _isin(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """``values.isin(allowed)`` as a bool array; through Arrow (pandas' isin on str is slow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(values, from_pandas=True, type=pa.string()),
                     value_set=pa.array(allowed, from_pandas=True, type=pa.string()))
    return found.to_numpy(zero_copy_only=False).astype(bool)


TABLE_RULES: list[Callable[[dict[str, Staged]], None]] = [unpaid_orders_are_not_gmv]


# --- one file --------------------------------------------------------------------------------


def transform_file(file: Path, sheets: Sequence, mapping: Mapping, options: dict[str, str] | None = None,
                   own_names: Sequence[str] = ()) -> FileRows:
    """Every target of ``mapping`` from the raw sheets of one file (``readers.RawSheet``); ``options``
    and ``own_names`` as in :func:`transform_sheet`.

    A target with ``sheet`` reads only the sheets of that name (a filled template: one sheet per
    table); a sheet no such target reads (the instructions) is ignored, and a workbook lacking a
    target's sheet is a problem naming the sheets it has."""
    result = FileRows(file=file)
    parts: dict[str, list[pd.DataFrame]] = {t.table: [] for t in mapping.targets}
    present: dict[str, set[str]] = {t.table: set() for t in mapping.targets}
    read_from: dict[str, dict[str, str]] = {t.table: {} for t in mapping.targets}
    for sheet in sheets:
        targets = [t for t in mapping.targets if t.reads_sheet(sheet.sheet)]
        if not targets:
            continue
        result.sheets.append(sheet.sheet)
        result.rows_read += len(sheet.frame)
        headers = [str(c) for c in sheet.frame.columns]
        caches: dict[bytes | None, dict] = {}  # parsed columns, per set of rows (targets may skip different rows)
        for target in targets:
            found, missing = find_columns(headers, target)
            if missing:
                result.problems.append(missing_columns_problem(file, sheet.sheet, mapping, target, missing, headers))
                continue
            rows, row_set = sheet.frame, None
            if target.skip:
                skipped = skip_mask(rows, headers, target)
                result.skipped[target.table] = result.skipped.get(target.table, 0) + int(skipped.sum())
                if skipped.any():
                    rows, row_set = rows.loc[~skipped], np.packbits(skipped).tobytes()
            cache = caches.setdefault(row_set, {})
            frame, problems = transform_sheet(rows, file, sheet.sheet, mapping, target, found, cache, options, own_names)
            result.problems += problems
            frame[SOURCE] = source_label(file, sheet.sheet)
            frame[SHEET] = sheet.sheet
            parts[target.table].append(frame)
            present[target.table] |= set(found) | {c for c, s in target.columns.items() if not s.aliases}
            for c, h in found.items():
                read_from[target.table].setdefault(c, h)
    result.problems += missing_sheets_problems(file, sheets, mapping)
    if result.problems:
        return result
    for target in mapping.targets:
        frame = pd.concat(parts[target.table], ignore_index=True) if parts[target.table] else None
        if frame is None:
            continue
        keys = [k for k in target.keys if k != "shop_id"]
        if target.combine is not None:
            frame = combine_rows(frame, keys, target.combine.sum, target.combine.first_non_empty)
        for name, spec in target.columns.items():  # after combining: a line's empty buyer may be on another
            if spec.if_empty is not None:
                frame[name] = fill_template(frame[name], spec.if_empty, frame)
        if target.combine is None:
            mapped = [k for k in keys if target.columns[k].map is not None or target.columns[k].patterns is not None]
            problem = duplicate_keys_problem(frame, keys, file, target.table, mapped)
            if problem is not None:
                result.problems.append(problem)
                continue
        result.staged[target.table] = Staged(
            table=target.table, frame=frame, present=[c for c in target.columns if c in present[target.table]],
            on_conflict=target.on_conflict, headers=read_from[target.table],
        )
    if not result.problems:
        for rule in TABLE_RULES:
            rule(result.staged)
    return result


def missing_sheets_problems(file: Path, sheets: Sequence, mapping: Mapping) -> list[Problem]:
    """One problem per sheet a sheet-scoped mapping needs and the file lacks (renamed, deleted, or
    its header row damaged so that the reader did not take it for a table)."""
    read = [s.sheet for s in sheets]
    out, seen = [], set()
    for target in mapping.targets:
        names = tuple(target.sheet)
        if not names or names in seen or any(target.reads_sheet(name) for name in read):
            continue
        seen.add(names)
        tables = ", ".join(t.table for t in mapping.targets if tuple(t.sheet) == names)
        has = ", ".join(f"'{n}'" for n in read if n is not None) or "none"
        out.append(Problem(file, (
            f"has no sheet {' / '.join(repr(n) for n in names)} (for {tables}), or its header row is not "
            f"in its first rows; sheets with a header row of source '{mapping.name}': {has}. Keep the "
            "template's sheet names and header rows (an empty sheet is fine)")))
    return out


def skip_mask(frame: pd.DataFrame, headers: Sequence[str], target: Target) -> np.ndarray:
    """Rows a target's ``skip`` filters leave out (a filter whose column the file lacks skips nothing)."""
    out = np.zeros(len(frame), dtype=bool)
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalize_header(h), h)
    for f in target.skip:
        header = next((by_norm[normalize_header(a)] for a in target.filter_aliases(f) if normalize_header(a) in by_norm), None)
        if header is None:
            continue
        text = _column(frame, header)
        uniques = text.dropna().unique()
        hits = {u for u in uniques if f.matches(normalize_value(u))}
        if hits:
            out |= text.isin(hits).to_numpy(dtype=bool)
    return out


def date_range(staged: Staged, target: Target) -> tuple | None:
    column = target.date_column
    if column is None or staged.frame.empty:
        return None
    d = pd.to_datetime(staged.frame[column]).dropna()
    if d.empty:
        return None
    return d.min().date(), d.max().date()
