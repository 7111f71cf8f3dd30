"""Import mappings: which export columns fill which canonical columns, kept as YAML data.

One file per source (``<name>.yaml``). The built-in ones live beside this module in
``mappings/``; a user adds or overrides mappings from a directory given with ``--mappings DIR``
or the ``OPSREPORT_MAPPINGS`` environment variable (several directories separated by ``os.pathsep``).
Later directories win: built-in < OPSREPORT_MAPPINGS < --mappings. The format is described in
``mappings/README.md``; every mapping is checked against the table contracts when it is loaded.
"""

from __future__ import annotations

import difflib
import os
import re
import string
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..errors import MappingError

BUILTIN_DIR = Path(__file__).resolve().parent / "mappings"
ENV_VAR = "OPSREPORT_MAPPINGS"

ColumnType = Literal["text", "id", "int", "money", "number", "rate", "date", "datetime", "status", "bool"]
PlatformName = Literal["tmall", "taobao", "jd", "douyin", "any"]

# Values an export does not carry and the user passes to the import command, as shop_id comes
# from --shop: option name -> (command-line flag, what it says, what to give). A column says
# ``option: promo``.
OPTIONS: dict[str, tuple[str, str, str]] = {
    "promo": ("--promo", "which promotion the rows belong to",
              "the promotion's promo_id (as in the promotions table), e.g. --promo 0071-2026-double11"),
}
OptionName = Literal["promo"]

# which value types may fill a contract column of each type family
_FITS = {
    "string": {"text", "id", "status"},
    "integer": {"int"},
    "floating": {"money", "number", "rate", "int"},
    "date": {"date", "datetime"},
    "timestamp": {"datetime", "date"},
    "boolean": {"bool"},
}
NUMERIC = {"int", "money", "number", "rate"}

# What a ``bool`` cell may say (compared after full-width folding, case-insensitively): the template
# dropdowns' 是/否 and yes/no, and Excel's TRUE/FALSE. Anything else is an error naming the cell:
# a guessed answer (对, 有, 1) would decide points.
BOOL_WORDS: dict[str, bool] = {"是": True, "否": False, "yes": True, "no": False, "true": True, "false": False}

# Where the rows of a mapping belong. shop: every table carries shop_id, which comes from --shop.
# team: tables of people (staff, appraisal inputs), imported without --shop; a table that does carry
# shop_id (staff_assignments: which shops a person runs) reads it from the file.
Scope = Literal["shop", "team"]


def normalize_header(text: str) -> str:
    """The form in which headers and aliases are compared: NFKC (full-width -> half-width),
    no whitespace, lower case. '支付金额（元）' and '支付金额 (元)' are the same header."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def normalize_value(text: str) -> str:
    """The form in which cell values are looked up in a column's ``map``."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


class ColumnSpec(BaseModel):
    """How one canonical column is filled from the export."""

    model_config = ConfigDict(extra="forbid")

    aliases: list[str] = Field(default_factory=list, description="accepted header texts, preferred first")
    type: ColumnType
    required: bool = Field(True, description="the file must have one of the aliases")
    optional: bool = Field(False, description="the export may lack the column: then it is stored as NULL")
    default: Any = Field(None, description="value for an empty cell, and for the whole column when it is absent")
    bare: Literal["fraction", "percent"] | None = Field(None, description="rate: what a number without % means")
    format: list[str] | None = Field(None, description="date/datetime: strptime formats, tried in turn")
    patterns: dict[str, str] | None = Field(None, description="text/status: regex -> value, first match wins")
    map: dict[str, str] | None = Field(None, description="export value -> canonical value")
    unknown: Literal["error", "keep"] | None = Field(None, description="a value not in map: error (status) or keep")
    multiply_by: str | None = Field(None, description="another column (or input) of this target: the value is this x that")
    if_empty: str | None = Field(None, description="text/id: template for an empty cell, e.g. 'guest:{order_id}'")
    option: OptionName | None = Field(None, description="text/id: every row takes the value the user passes "
                                                        "with this option (promo: --promo); not read from the file")
    own_shop: str | None = Field(None, description="text/id: a cell naming the importing shop itself (its name in "
                                                   "shops, or --shop-name for a new shop) becomes this value")
    refers_to: str | None = Field(None, description="text/id: '<table>.<column>': every value must be one that "
                                                    "table holds (in the warehouse or in this import), e.g. "
                                                    "staff.staff_id")

    @field_validator("aliases", "format", mode="before")
    @classmethod
    def _one_text(cls, value):
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> "ColumnSpec":
        problems = []
        if self.optional:
            if "required" in self.model_fields_set and self.required:
                problems.append("'optional: true' and 'required: true' contradict each other")
            self.required = False
        if self.option is not None:
            if self.aliases:
                problems.append(f"'option: {self.option}' takes the value from {OPTIONS[self.option][0]}, not from "
                                "the file: give no aliases")
            if self.default is not None or self.if_empty is not None:
                problems.append("give 'option' or a default (or if_empty), not both")
            if self.type not in ("text", "id"):
                problems.append("'option' only applies to types text and id")
            self.required = False  # the file need not have it
        if not self.aliases and self.required:
            problems.append("a required column needs at least one alias")
        if not self.aliases and self.default is None and self.if_empty is None and self.option is None:
            problems.append("give aliases, or a default (a constant for every row), or an option (a value the "
                            "user passes, e.g. 'option: promo')")
        if self.own_shop is not None and (self.type not in ("text", "id") or not self.aliases):
            problems.append("'own_shop' only applies to a text or id column read from the file (with aliases)")
        if self.refers_to is not None:
            if self.type not in ("text", "id"):
                problems.append("'refers_to' only applies to types text and id")
            table, _, column = self.refers_to.partition(".")
            if table not in contract_summary() or column not in contract_summary()[table]["columns"]:
                problems.append(f"refers_to: '{self.refers_to}' is not '<table>.<column>' of a canonical table "
                                "(e.g. staff.staff_id)")
        if self.type == "bool" and (self.map is not None or self.patterns is not None or self.default is not None):
            problems.append("type bool reads " + "/".join(BOOL_WORDS) + " only: give no map, patterns or default "
                            "(an empty cell is NULL: not said)")
        if self.bare is not None and self.type != "rate":
            problems.append("'bare' only applies to type rate")
        if self.type == "rate" and self.bare is None:
            problems.append("type rate needs 'bare: fraction' or 'bare: percent' (what a number without % means)")
        if self.type == "status" and not self.map and not self.patterns:
            problems.append("type status needs a 'map' (or 'patterns') of export values to canonical values")
        if self.map is not None and self.type not in ("text", "status"):
            problems.append("'map' only applies to types text and status")
        if self.patterns is not None:
            if self.type not in ("text", "status"):
                problems.append("'patterns' only applies to types text and status")
            for rx in self.patterns:
                try:
                    re.compile(rx)
                except re.error as exc:
                    problems.append(f"patterns: '{rx}' is not a regular expression ({exc})")
        if self.unknown is not None and self.map is None and self.patterns is None:
            problems.append("'unknown' only applies with a 'map' or 'patterns'")
        if self.format is not None:
            if self.type not in ("date", "datetime"):
                problems.append("'format' only applies to types date and datetime")
            elif not self.format or not all("%" in f for f in self.format):
                problems.append("'format' takes strptime formats such as '%d/%m/%Y %H:%M'")
        if self.multiply_by is not None and self.type not in NUMERIC:
            problems.append("'multiply_by' only applies to numeric types")
        if self.if_empty is not None:
            if self.type not in ("text", "id"):
                problems.append("'if_empty' only applies to types text and id")
            if self.default is not None:
                problems.append("give 'if_empty' or 'default', not both")
            if not self.template_columns():
                problems.append("'if_empty' names at least one column in braces, e.g. 'guest:{order_id}' "
                                "(one shared value would merge unrelated rows; use 'default' for a constant)")
        if self.default is not None:
            try:
                self.default = _check_default(self.default, self.type)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("\n".join(problems))
        if self.map is not None:
            self.map = {normalize_value(k): v for k, v in self.map.items()}
        return self

    @property
    def on_unknown(self) -> str:
        return self.unknown or ("error" if self.type == "status" else "keep")

    def allowed_values(self) -> set[str] | None:
        """Every value this column can produce, when that set is closed (status maps)."""
        if (self.map is None and self.patterns is None) or self.on_unknown == "keep":
            return None
        out = set((self.map or {}).values()) | set((self.patterns or {}).values())
        return out | ({self.default} if self.default is not None else set())

    def template_columns(self) -> list[str]:
        """Columns named in ``if_empty`` ('guest:{order_id}' -> ['order_id'])."""
        if self.if_empty is None:
            return []
        return [f for _, f, _, _ in string.Formatter().parse(self.if_empty) if f]


class RowFilter(BaseModel):
    """Rows to leave out (cancellations, write-offs): a column's cell equals one of ``values``
    or matches the regular expression ``pattern`` (searched in the cell text)."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = Field(None, description="a column or input of this target (its aliases are used)")
    aliases: list[str] = Field(default_factory=list, description="or the header texts directly")
    values: list[str] | None = None
    pattern: str | None = None

    @field_validator("aliases", "values", mode="before")
    @classmethod
    def _one_text(cls, value):
        return [str(value)] if isinstance(value, (str, int, float)) else value

    @model_validator(mode="after")
    def _consistent(self) -> "RowFilter":
        problems = []
        if (self.column is None) == (not self.aliases):
            problems.append("give 'column' (a column of this target) or 'aliases' (header texts), one of them")
        if (self.values is None) == (self.pattern is None):
            problems.append("give 'values' or 'pattern', one of them")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                problems.append(f"pattern '{self.pattern}' is not a regular expression ({exc})")
        if problems:
            raise ValueError("\n".join(problems))
        if self.values is not None:
            self.values = [normalize_value(v) for v in self.values]
        return self

    def matches(self, text: str) -> bool:
        """Does a cell (normalised with :func:`normalize_value`) select its row for skipping?"""
        if self.values is not None:
            return text in self.values
        return re.search(self.pattern, text) is not None


def _check_default(value: Any, type_: str) -> Any:
    if type_ in ("int",):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"default {value!r} is not an integer")
    elif type_ in ("money", "number", "rate"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"default {value!r} is not a number")
        value = float(value)
    elif type_ in ("date", "datetime"):
        import pandas as pd

        try:
            pd.Timestamp(str(value))
        except ValueError:
            raise ValueError(f"default {value!r} is not a date") from None
        value = str(value)
    elif not isinstance(value, str):
        raise ValueError(f"default {value!r} must be text (quote it)")
    return value


class Combine(BaseModel):
    """Several export rows share one natural key (one row per item of an order, several raw
    traffic sources mapped to one canonical source): they become one row. Columns listed in
    ``sum`` are added up; those in ``first_non_empty`` take the first non-empty value among the
    key's rows; every other column takes the value of the key's first row."""

    model_config = ConfigDict(extra="forbid")

    sum: list[str] = Field(default_factory=list)
    first_non_empty: list[str] = Field(default_factory=list, description="the key's first non-empty value")


class Target(BaseModel):
    """One canonical table filled from the export; shop_id comes from --shop (in a ``scope: team``
    mapping, from the file when the table has one)."""

    model_config = ConfigDict(extra="forbid")

    table: str
    on_conflict: Literal["replace", "keep"] = Field(
        "replace", description="replace: rows whose key exists are updated; keep: only missing keys are inserted"
    )
    combine: Combine | None = None
    sheet: list[str] = Field(default_factory=list, description="workbook sheet names this target reads (any one; "
                                                               "compared like headers); empty: every sheet")
    skip: list[RowFilter] = Field(default_factory=list, description="rows left out (cancellations, write-offs)")
    inputs: dict[str, ColumnSpec] = Field(
        default_factory=dict, description="columns read for multiply_by, if_empty or skip, not stored"
    )
    columns: dict[str, ColumnSpec]

    @field_validator("sheet", mode="before")
    @classmethod
    def _one_sheet(cls, value):
        return [value] if isinstance(value, str) else value

    def reads_sheet(self, name: str | None) -> bool:
        """Does this target read the sheet called ``name`` (None: a CSV, which has no sheets)?"""
        if not self.sheet:
            return True
        return name is not None and normalize_header(name) in {normalize_header(s) for s in self.sheet}

    @model_validator(mode="after")
    def _fits_contract(self) -> "Target":
        """Every problem of the target at once, one per line."""
        if self.table not in contract_summary() or self.table == "shops":
            tables = [t for t in contract_summary() if t != "shops"]
            raise ValueError(f"table '{self.table}' is not a canonical table ({', '.join(tables)}){_close(self.table, tables)}")
        problems: list[str] = []
        contract = contract_columns(self.table)
        readable = {**self.columns, **self.inputs}
        for name in self.inputs:
            if name in self.columns or name in contract:
                problems.append(f"inputs: '{name}' is a column of {self.table}; give inputs other names")
        for name, spec in self.columns.items():
            if name not in contract:
                problems.append(f"column '{name}' is not in table {self.table} ({', '.join(contract)}){_close(name, contract)}")
                continue
            family, nullable = contract[name]
            if spec.type not in _FITS[family]:
                problems.append(
                    f"column '{name}' of {self.table} is {family}; type '{spec.type}' cannot fill it "
                    f"(use {' or '.join(sorted(_FITS[family]))})"
                )
            if spec.optional and not nullable:
                problems.append(f"column '{name}' of {self.table} cannot be NULL in its contract: it cannot be "
                                "'optional' (make it required, or give a default)")
            if (not nullable and not spec.required and not spec.optional and spec.default is None and spec.if_empty is None
                    and spec.option is None):
                problems.append(
                    f"column '{name}' of {self.table} cannot be empty: make it required, or give a default "
                    "(only when that value is the truth for a file without the column)"
                )
        for name, spec in readable.items():
            if spec.multiply_by is not None:
                other = readable.get(spec.multiply_by)
                if other is None or other.type not in NUMERIC or other.multiply_by is not None:
                    problems.append(f"column '{name}': multiply_by '{spec.multiply_by}' must name a numeric column "
                                    "(or input) of this target")
            for ref in spec.template_columns():
                if ref not in self.columns or ref == name:
                    problems.append(f"column '{name}': if_empty names '{ref}', which is not another column "
                                    "of this target")
        for i, f in enumerate(self.skip):
            if f.column is not None and f.column not in readable:
                problems.append(f"skip[{i}]: column '{f.column}' is not a column (or input) of this target")
            elif f.column is not None and not readable[f.column].aliases:
                problems.append(f"skip[{i}]: column '{f.column}' has no aliases to read")
        missing = [
            c for c, (_, nullable) in contract.items() if c != "shop_id" and not nullable and c not in self.columns
        ]
        if missing:
            problems.append(f"{self.table} needs column(s) {', '.join(missing)}; map them (or give a default)")
        keys = unique_keys(self.table)
        if self.combine is not None:
            for c in self.combine.sum:
                if c not in self.columns or self.columns[c].type not in NUMERIC:
                    problems.append(f"combine.sum: '{c}' is not a numeric column of this target")
                elif c in keys:
                    problems.append(f"combine.sum: '{c}' is part of the key ({', '.join(keys)})")
            for c in self.combine.first_non_empty:
                if c not in self.columns:
                    problems.append(f"combine.first_non_empty: '{c}' is not a column of this target")
                elif c in keys or c in self.combine.sum:
                    problems.append(f"combine.first_non_empty: '{c}' is part of the key or summed")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def filter_aliases(self, f: RowFilter) -> list[str]:
        """The header texts a row filter reads."""
        return f.aliases or {**self.columns, **self.inputs}[f.column].aliases

    @property
    def keys(self) -> list[str]:
        return unique_keys(self.table)

    @property
    def date_column(self) -> str | None:
        """The column whose range a file report shows (first date or datetime column)."""
        for name, (family, _) in contract_columns(self.table).items():
            if family in ("date", "timestamp") and name in self.columns:
                return name
        return None


class Mapping(BaseModel):
    """One export format of one platform, and the canonical tables it fills."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str
    platform: list[PlatformName]
    description: str | None = None
    scope: Scope = "shop"
    targets: list[Target] = Field(min_length=1)

    _path: Path | None = PrivateAttr(None)

    @field_validator("platform", mode="before")
    @classmethod
    def _one_platform(cls, value):
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _distinct_tables(self) -> "Mapping":
        tables = [t.table for t in self.targets]
        if len(set(tables)) != len(tables):
            raise ValueError(f"a table appears in several targets: {', '.join(tables)}")
        scoped = [bool(t.sheet) for t in self.targets]
        if any(scoped) and not all(scoped):
            # a target without 'sheet' reads every sheet, and would miss its columns on the others
            raise ValueError("give every target a 'sheet' (a workbook of several tables), or none")
        problems = []
        for i, t in enumerate(self.targets):
            has_shop = "shop_id" in contract_columns(t.table)
            mapped = t.columns.get("shop_id")
            if self.scope == "shop":
                if not has_shop:
                    problems.append(f"targets[{i}]: table {t.table} carries no shop_id (a team table): give the "
                                    "mapping 'scope: team' (imported without --shop)")
                elif mapped is not None:
                    problems.append(f"targets[{i}]: shop_id is not mapped: it always comes from --shop (a mapping "
                                    "with 'scope: team' reads it from the file)")
            else:
                if has_shop and (mapped is None or not mapped.aliases):
                    problems.append(f"targets[{i}]: table {t.table} needs shop_id, and a 'scope: team' mapping has no "
                                    "--shop: read it from the file (shop_id: {aliases: [...], type: id})")
                for name, spec in t.columns.items():
                    if spec.own_shop is not None or spec.option is not None:
                        problems.append(f"targets[{i}].columns.{name}: 'own_shop' and 'option' need a shop import; "
                                        "this mapping has 'scope: team'")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def team_scoped(self) -> bool:
        """Imported without --shop (``scope: team``)."""
        return self.scope == "team"

    @property
    def sheet_scoped(self) -> bool:
        """Each target reads its own named sheet(s) of a workbook (a filled template)."""
        return any(t.sheet for t in self.targets)

    @property
    def uses_own_shop(self) -> bool:
        """Some column turns the importing shop's own name into a value (``own_shop``)."""
        return any(spec.own_shop is not None for t in self.targets for spec in t.columns.values())

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def builtin(self) -> bool:
        return self._path is not None and self._path.parent == BUILTIN_DIR

    @property
    def tables(self) -> list[str]:
        return [t.table for t in self.targets]

    def aliases(self) -> list[str]:
        """Every header this mapping knows, for finding the header row."""
        seen: dict[str, None] = {}
        for target in self.targets:
            for spec in [*target.columns.values(), *target.inputs.values()]:
                for a in spec.aliases:
                    seen.setdefault(a, None)
        return list(seen)

    def fits_platform(self, platform: str) -> bool:
        return "any" in self.platform or platform in self.platform

    @property
    def options(self) -> list[str]:
        """The options (``OPTIONS``) the import command must be given for this mapping, e.g. ['promo']."""
        return sorted({spec.option for t in self.targets for spec in t.columns.values() if spec.option is not None})


SUMMARY = Path(__file__).with_name("contracts.json")


@lru_cache(maxsize=1)
def contract_summary() -> dict[str, dict]:
    """What mappings are checked against, per canonical table: its columns (type family,
    nullable) and natural key. Read from contracts.json, which ``summarise_contracts()`` derives
    from opsreport/schemas.py (a test keeps the two equal), so listing mappings does not load
    pandera and Ibis."""
    import json

    return json.loads(SUMMARY.read_text(encoding="utf-8"))


def summarise_contracts() -> dict[str, dict]:
    """contracts.json's content, derived from the pandera contracts. To refresh the file:
    ``python -c "from opsreport.importing.mappings import write_summary; write_summary()"``."""
    from .. import schemas

    out = {}
    for table, model in schemas.CONTRACTS.items():
        schema = model.to_schema()
        columns = {}
        for name, col in schema.columns.items():
            dtype = schemas.columns_of(table)[name]
            family = (
                "string" if dtype.is_string() else "integer" if dtype.is_integer() else "floating" if dtype.is_floating()
                else "date" if dtype.is_date() else "timestamp" if dtype.is_timestamp() else str(dtype)
            )
            columns[name] = [family, bool(col.nullable)]
        out[table] = {"columns": columns, "key": list(schema.unique) if schema.unique else ["shop_id"]}
    return out


def write_summary() -> None:
    import json

    tables = summarise_contracts()
    lines = [f"  {json.dumps(table)}: {json.dumps(spec, ensure_ascii=False)}" for table, spec in tables.items()]
    SUMMARY.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def contract_columns(table: str) -> dict[str, tuple[str, bool]]:
    """Column -> (type family, nullable) of a canonical table's contract."""
    return {name: (family, nullable) for name, (family, nullable) in contract_summary()[table]["columns"].items()}


def unique_keys(table: str) -> list[str]:
    """The natural key of a canonical table (its contract's ``unique``)."""
    return list(contract_summary()[table]["key"])


def _close(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{match[0]}'?" if match else ""


# --- loading ---------------------------------------------------------------------------------


def mapping_dirs(mappings_dir: str | Path | None = None) -> list[Path]:
    """Where mappings are looked up, lowest precedence first."""
    dirs = [BUILTIN_DIR]
    for part in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if part.strip():
            dirs.append(Path(part.strip()).expanduser())
    if mappings_dir is not None:
        dirs.append(Path(mappings_dir).expanduser())
    for d in dirs[1:]:
        if not d.is_dir():
            raise MappingError(f"mappings directory not found: {d}")
    return dirs


def load_mapping_file(path: Path) -> Mapping:
    """Read and check one mapping file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping {path}: cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {path}: not valid YAML ({str(exc).splitlines()[0]}; {getattr(exc, 'problem_mark', '')})") from None
    if not isinstance(data, dict):
        raise MappingError(f"mapping {path}: expected a mapping of fields (name, title, platform, targets), got {type(data).__name__}")
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        raise MappingError(f"mapping {path}: name '{data['name']}' must equal the file name '{path.stem}'")
    shared = _resolve_map_of(data, path)
    if shared:
        raise MappingError(f"mapping {path} is invalid:\n" + "\n".join(f"  - {p}" for p in shared))
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():  # a validator's several problems come one per line
            loc = _loc(err["loc"])
            for msg in err["msg"].removeprefix("Value error, ").splitlines():
                lines.append(f"  - {loc}: {msg}" if loc else f"  - {msg}")
        raise MappingError(f"mapping {path} is invalid:\n" + "\n".join(lines)) from None
    mapping._path = path
    return mapping


def _resolve_map_of(data: dict, path: Path) -> list[str]:
    """Replace each column's ``map_of: <mapping>.<column>`` by that column's ``map`` (the column's
    own ``map`` entries added on top), so that one list of export values serves several mappings
    (a YAML anchor reaches only its own file). The other mapping is looked up beside this file,
    then among the built-in ones; its column must have a ``map`` of its own (no chains).
    Returns the problems, each naming the field."""
    problems = []
    targets = data.get("targets")
    for i, target in enumerate(targets if isinstance(targets, list) else []):
        for section in ("columns", "inputs"):
            specs = target.get(section) if isinstance(target, dict) else None
            for name, spec in (specs.items() if isinstance(specs, dict) else []):
                if not isinstance(spec, dict) or "map_of" not in spec:
                    continue
                ref = spec.pop("map_of")
                try:
                    borrowed = _borrowed_map(str(ref), path)
                except ValueError as exc:
                    problems.append(f"targets[{i}].{section}.{name}.map_of: {exc}")
                    continue
                own = spec.get("map") or {}
                if not isinstance(own, dict):
                    continue  # the model check names it
                spec["map"] = {**borrowed, **own}
    return problems


def _borrowed_map(ref: str, path: Path) -> dict:
    mapping_name, _, column = ref.partition(".")
    if not mapping_name or not column:
        raise ValueError(f"'{ref}' is not '<mapping>.<column>', e.g. sycm_traffic_sources.source")
    candidates = [path.parent / f"{mapping_name}.yaml", path.parent / f"{mapping_name}.yml", BUILTIN_DIR / f"{mapping_name}.yaml"]
    other = next((c for c in candidates if c.is_file() and c.resolve() != path.resolve()), None)
    if other is None:
        raise ValueError(f"no mapping '{mapping_name}' beside this file or among the built-in ones")
    try:
        data = yaml.safe_load(other.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"mapping {other} cannot be read ({type(exc).__name__})") from None
    for target in (data or {}).get("targets") or []:
        for section in ("columns", "inputs"):
            spec = ((target or {}).get(section) or {}).get(column)
            if isinstance(spec, dict) and isinstance(spec.get("map"), dict):
                return dict(spec["map"])
    raise ValueError(f"mapping '{mapping_name}' has no column '{column}' with a map of its own")


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_mappings(mappings_dir: str | Path | None = None) -> dict[str, Mapping]:
    """Every mapping by name; user directories override built-in mappings of the same name."""
    out: dict[str, Mapping] = {}
    for d in mapping_dirs(mappings_dir):
        if d == BUILTIN_DIR:
            out.update(_builtin())
            continue
        for path in sorted([*d.glob("*.yaml"), *d.glob("*.yml")]):
            out[path.stem] = load_mapping_file(path)
    return out


@lru_cache(maxsize=1)
def _builtin() -> dict[str, Mapping]:
    return {p.stem: load_mapping_file(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"))}


def get_mapping(name: str, mappings_dir: str | Path | None = None) -> Mapping:
    mappings = load_mappings(mappings_dir)
    if name not in mappings:
        raise MappingError(
            f"unknown source '{name}'{_close(name, mappings)} Known sources: {', '.join(sorted(mappings))} "
            "('opsreport sources' lists them with their columns)."
        )
    return mappings[name]


def builtin_sources(table: str, platform: str | None = None) -> list[str]:
    """Names of the built-in mappings that fill ``table`` (for ``platform`` when given)."""
    return [
        m.name for m in _builtin().values()
        if table in m.tables and (platform is None or m.fits_platform(platform))
    ]


def describe(mapping: Mapping) -> list[str]:
    """Lines of 'opsreport sources': the mapping, its tables, and the columns it expects."""
    origin = "built-in" if mapping.builtin else str(mapping.path)
    lines = [f"{mapping.name}  {mapping.title}  [{', '.join(mapping.platform)}]  ({origin})"]
    if mapping.team_scoped:
        lines[0] += "  team tables: imported without --shop"
    for target in mapping.targets:
        extra = f", on_conflict: {target.on_conflict}" if target.on_conflict != "replace" else ""
        extra += f", sheet: {' / '.join(target.sheet)}" if target.sheet else ""
        lines.append(f"  -> {target.table} (key: {', '.join(target.keys)}{extra})")
        for f in target.skip:
            what = f"matches /{f.pattern}/" if f.pattern is not None else f"is {' / '.join(f.values or [])}"
            lines.append(f"     skips rows whose {' / '.join(target.filter_aliases(f))} {what}")
        for name, spec in [*target.columns.items(), *((f"({n})", s) for n, s in target.inputs.items())]:
            default = _shown(spec.default)
            if spec.option is not None:
                flag = OPTIONS[spec.option][0]
                lines.append(f"     {_pad(f'({flag})', 16)} {name:<18} {spec.type:<8} from {flag} (not in the export)")
                continue
            if not spec.aliases:
                lines.append(f"     {_pad('(constant)', 16)} {name:<18} {spec.type:<8} always {default}")
                continue
            more = f"  also: {', '.join(spec.aliases[1:])}" if len(spec.aliases) > 1 else ""
            if spec.required:
                need = "required" + (f", empty = {default}" if spec.default is not None else "")
            elif spec.optional:
                need = "optional, absent = NULL" + (f", empty = {default}" if spec.default is not None else "")
            else:
                need = "optional" + (f", absent/empty = {default}" if spec.default is not None else "")
            if spec.if_empty is not None:
                need += f", empty = {spec.if_empty}"
            if spec.own_shop is not None:
                need += f", the shop's own name = {spec.own_shop}"
            if spec.refers_to is not None:
                need += f", one of {spec.refers_to}"
            if spec.format:
                need += f", format {' or '.join(spec.format)}"
            lines.append(f"     {_pad(spec.aliases[0], 16)} {name:<18} {spec.type:<8} {need}{more}")
    return lines


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (a Chinese character takes two)."""
    from ..viz.text import pad  # the one display-width helper (imported when a listing is printed)

    return pad(text, width)
