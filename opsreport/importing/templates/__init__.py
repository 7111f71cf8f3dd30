"""Input templates: empty workbooks a shop fills by hand and loads with ``opsreport import``.

A template is data: one YAML file beside this module per template (``<name>.yaml``; files starting
with ``_`` are shared words, not templates). It says the workbook's layout only, in zh and en:
sheet names, headers in order, each header's note (meaning and unit), column widths, dropdown
values, number bounds, an instructions sheet with one example row per sheet described in words,
the default file name, and the options the template takes (``options: {period: {type: month}}``
makes ``opsreport template NAME --period 2026-10`` valid; an option's value fills ``{period}`` in
the template's texts and file name).

A template may also pre-fill a column (``prefill: '{period}'``, or ``'{period}-{n:03d}'`` numbering
the rows), lock it to that value (``locked``: the workbook is for one period), bound a date column to
a period option (``inside: period``: Excel's date check and the import refuse a day outside it), and
fill a dropdown from the warehouse (``reference``: with ``--warehouse W`` the staff of ``--team`` are
listed on a sheet of their own and the 员工ID column picks from it). A filled copy records its
template and option values in its document properties; :func:`prepare_copy` applies these rules
when it is imported: rows holding only pre-filled values are blank, a locked cell must keep its
value, a date must lie inside its period.

What each header fills, its type and whether it may be left empty come from the template's import
``mapping`` (a sheet-scoped mapping: each target reads one named sheet) and the table contracts.
:func:`load_template` checks the layout against them: every header, in both languages, is an alias
of a column of its sheet's targets, every column those targets need has a header, every dropdown
value is one the mapping reads. So a filled copy always imports, whichever language it was
written in, and the two files cannot drift apart silently.

The workbook: a frozen header row, widths, a note (comment) on each header with its unit and
whether it is required, Excel data validation (lists for fixed vocabularies, dates, number
bounds) and number formats (dates, yuan, percent, text for IDs so that Excel never turns a long
item id into 6.52E+11) on ``rows`` rows below the header.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...errors import MappingError, OutputError, ParamsError
from ..mappings import BOOL_WORDS, ColumnSpec, Mapping, contract_columns, get_mapping, normalize_header, normalize_value

TEMPLATES_DIR = Path(__file__).resolve().parent
LANGS = ("zh", "en")
Lang = Literal["zh", "en"]

__all__ = ["LANGS", "Template", "describe", "load_template", "names", "option_args", "parse_options",
           "build_workbook", "write_template", "period_bounds", "copy_of", "prepare_copy"]


# --- the definition ----------------------------------------------------------------------------


def _both(value: dict) -> dict:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise ValueError(f"give the text in both languages: {{zh: ..., en: ...}} (got {value!r})")
    if not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise ValueError("each language's text must be non-empty text")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionSpec(_Strict):
    """A value the user passes as ``--<name> VALUE`` when writing the template."""

    # period: a month (2026-10) or a quarter (2026-Q4); warehouse: an existing warehouse file, read
    # for the reference sheet and never written into the workbook's properties
    type: Literal["month", "period", "date", "int", "text", "warehouse"] = "text"
    help: str = ""
    required: bool = True
    default: str | None = None


class ColumnLayout(_Strict):
    header: dict[str, str]
    note: dict[str, str]  # meaning and unit: the header's comment and its line of the instructions
    width: float = Field(14, gt=0, le=100)
    choices: dict[str, list[str]] | None = None  # a dropdown, per language
    min: float | None = None  # number bounds of Excel's validation (money and counts: >= 0 by default)
    max: float | None = None
    number_format: str | None = None  # Excel's format of the cells, when the type's default does not fit
    prefill: str | None = None  # written in every row: option fields and {n}, the row's number from 1
    locked: bool = False  # with prefill: the import refuses another value (an empty cell takes it)
    inside: str | None = None  # date: a period option the date must lie in
    from_reference: bool = False  # a dropdown of the reference sheet's first column (when it is written)

    @model_validator(mode="after")
    def _consistent(self):
        if self.locked and self.prefill is None:
            raise ValueError("'locked' needs a 'prefill' value")
        if self.from_reference and self.choices is not None:
            raise ValueError("give 'choices' or 'from_reference', not both")
        return self

    @field_validator("header", "note")
    @classmethod
    def _texts(cls, value):
        return _both(value)

    @field_validator("choices")
    @classmethod
    def _choices(cls, value):
        if value is not None and (set(value) != set(LANGS) or not all(value.values())):
            raise ValueError("choices: give the list in both languages, {zh: [...], en: [...]}")
        if value is not None and len(value["zh"]) != len(value["en"]):
            raise ValueError("choices: the zh and en lists must be of the same length (one value each)")
        return value


class SheetLayout(_Strict):
    name: dict[str, str]
    about: dict[str, str]
    example: dict[str, str]  # one example row described in words
    columns: list[ColumnLayout] = Field(min_length=1)

    @field_validator("name", "about", "example")
    @classmethod
    def _texts(cls, value):
        return _both(value)


class Instructions(_Strict):
    sheet: dict[str, str]
    intro: list[dict[str, str]] = Field(default_factory=list)

    @field_validator("sheet")
    @classmethod
    def _sheet(cls, value):
        return _both(value)

    @field_validator("intro")
    @classmethod
    def _intro(cls, value):
        return [_both(v) for v in value]


class ReferenceColumn(_Strict):
    column: str
    header: dict[str, str]
    width: float = Field(14, gt=0, le=100)

    @field_validator("header")
    @classmethod
    def _texts(cls, value):
        return _both(value)


class Reference(_Strict):
    """A sheet listing rows of a warehouse table (staff ids and names), written when the ``option``
    (of type warehouse) is given; columns with ``from_reference`` pick from its first column."""

    option: str  # the warehouse option
    sheet: dict[str, str]
    table: str
    where: dict[str, str] = Field(default_factory=dict)  # table column -> option; an option not given: no filter
    columns: list[ReferenceColumn] = Field(min_length=1)
    note: dict[str, str]  # what the dropdown's column says in the instructions

    @field_validator("sheet", "note")
    @classmethod
    def _texts(cls, value):
        return _both(value)


@dataclass(frozen=True)
class ColumnKind:
    """What the mapping and the contracts say of a template column."""

    type: str  # the mapping's value type: text, id, int, money, number, rate, date, datetime, status
    required: bool  # the contract needs a value in every row
    bare: str | None = None  # rate: what a number without % means


class Template(_Strict):
    name: str
    mapping: str  # the import mapping that reads a filled copy
    file: str  # default output file name; may use {option} fields
    title: dict[str, str]
    options: dict[str, OptionSpec] = Field(default_factory=dict)
    rows: int = Field(500, ge=1, le=100_000)
    instructions: Instructions
    sheets: list[SheetLayout] = Field(min_length=1)
    reference: Reference | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return _both(value)

    def texts(self) -> list[str]:
        """Every text that may use ``{option}`` fields."""
        out = [self.file, *self.title.values()]
        for line in self.instructions.intro:
            out += line.values()
        for s in self.sheets:
            out += [*s.about.values(), *s.example.values()]
            for c in s.columns:
                out += c.note.values()
        if self.reference is not None:
            out += self.reference.note.values()
        return out


# --- loading and checking against the mapping ---------------------------------------------------------


def names() -> list[str]:
    """The templates' names."""
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml") if not p.stem.startswith("_"))


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, str]]:
    """The words every template workbook shares (``_words.yaml``), per key and language."""
    return yaml.safe_load((TEMPLATES_DIR / "_words.yaml").read_text(encoding="utf-8"))


def load_template(name: str) -> tuple[Template, dict[tuple[int, int], ColumnKind]]:
    """The template and, per (sheet index, column index), what its column fills; MappingError for
    an unknown template or one that does not fit its mapping (every problem, one per line)."""
    known = names()
    if name not in known:
        raise MappingError(f"unknown template '{name}'. Templates: {', '.join(known) or 'none'} "
                           "('opsreport template' lists them).")
    return _load(name)


@lru_cache(maxsize=None)
def _load(name: str) -> tuple[Template, dict[tuple[int, int], ColumnKind]]:
    path = TEMPLATES_DIR / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"template {path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise MappingError(f"template {path}: expected fields (name, mapping, file, title, instructions, sheets)")
    data.setdefault("name", name)
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        lines = [f"  - {'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
        raise MappingError(f"template {path} is invalid:\n" + "\n".join(lines)) from None
    problems = []
    if template.name != name:
        problems.append(f"name '{template.name}' must equal the file name '{name}'")
    for text in template.texts():
        for _, fieldname, _, _ in string.Formatter().parse(text):
            if fieldname is not None and fieldname not in template.options:
                problems.append(f"'{{{fieldname}}}' in {text[:40]!r} is not an option of the template")
    if not template.file.endswith(".xlsx"):
        problems.append(f"file '{template.file}' must end in .xlsx")
    problems += _check_extras(template)
    kinds, more = check_layout(template, get_mapping(template.mapping))
    problems += more
    if problems:
        raise MappingError(f"template {path} does not fit mapping '{template.mapping}':\n"
                           + "\n".join(f"  - {p}" for p in problems))
    return template, kinds


def _check_extras(template: Template) -> list[str]:
    """Pre-filled values, period bounds and the reference sheet against the template's options and
    the contracts."""
    from ..mappings import contract_summary

    problems = []
    options = template.options
    for si, sheet in enumerate(template.sheets):
        for ci, c in enumerate(sheet.columns):
            where = f"sheets[{si}].columns[{ci}]"
            if c.prefill is not None:
                for _, fieldname, _, _ in string.Formatter().parse(c.prefill):
                    if fieldname is not None and fieldname != "n" and fieldname not in options:
                        problems.append(f"{where}.prefill: '{{{fieldname}}}' is neither an option nor {{n}}")
            if c.inside is not None and (c.inside not in options or options[c.inside].type not in ("period", "month")):
                problems.append(f"{where}.inside: '{c.inside}' is not a period or month option of the template")
            if c.from_reference and template.reference is None:
                problems.append(f"{where}.from_reference: the template has no 'reference'")
    ref = template.reference
    if ref is not None:
        if ref.option not in options or options[ref.option].type != "warehouse":
            problems.append(f"reference.option: '{ref.option}' is not a warehouse option of the template")
        columns = contract_summary().get(ref.table, {}).get("columns")
        if columns is None:
            problems.append(f"reference.table: '{ref.table}' is not a canonical table")
        else:
            for name in [*ref.where, *(c.column for c in ref.columns)]:
                if name not in columns:
                    problems.append(f"reference: '{name}' is not a column of {ref.table}")
        for name in ref.where.values():
            if name not in options:
                problems.append(f"reference.where: '{name}' is not an option of the template")
    return problems


def check_layout(template: Template, mapping: Mapping) -> tuple[dict[tuple[int, int], ColumnKind], list[str]]:
    """What each template column fills, and every way the layout does not fit ``mapping``."""
    problems: list[str] = []
    kinds: dict[tuple[int, int], ColumnKind] = {}
    covered: set[tuple[str, str]] = set()
    for si, sheet in enumerate(template.sheets):
        where = f"sheets[{si}] ({sheet.name['zh']} / {sheet.name['en']})"
        targets = [t for t in mapping.targets if t.sheet and all(t.reads_sheet(sheet.name[lang]) for lang in LANGS)]
        if not targets:
            problems.append(f"{where}: no target of the mapping reads a sheet of this name in both languages")
            continue
        for ci, column in enumerate(sheet.columns):
            hits: list[tuple[str, str, ColumnSpec]] = []
            for t in targets:
                for cname, spec in t.columns.items():
                    if all(normalize_header(column.header[lang]) in {normalize_header(a) for a in spec.aliases}
                           for lang in LANGS):
                        hits.append((t.table, cname, spec))
            if not hits:
                problems.append(f"{where}.columns[{ci}]: header {column.header['zh']} / {column.header['en']} "
                                "is not an alias (in both languages) of a column of this sheet's targets")
                continue
            covered |= {(table, cname) for table, cname, _ in hits}
            spec = hits[0][2]
            required = any(not contract_columns(table)[cname][1] for table, cname, _ in hits)
            kinds[(si, ci)] = ColumnKind(spec.type, required, spec.bare)
            if column.choices is not None:
                for table, cname, s in hits:
                    if s.type == "bool":
                        for lang in LANGS:
                            unknown = [v for v in column.choices[lang] if normalize_value(v).lower() not in BOOL_WORDS]
                            if unknown:
                                problems.append(f"{where}.columns[{ci}].choices.{lang}: {', '.join(unknown)} not a "
                                                f"yes/no word of {table}.{cname} ({'/'.join(BOOL_WORDS)})")
                        continue
                    if s.map is None or s.on_unknown != "error":
                        continue
                    for lang in LANGS:
                        unknown = [v for v in column.choices[lang] if normalize_value(v) not in s.map]
                        if unknown:
                            problems.append(f"{where}.columns[{ci}].choices.{lang}: {', '.join(unknown)} not in the "
                                            f"map of {table}.{cname}")
        for t in targets:
            for cname, spec in t.columns.items():
                if spec.required and (t.table, cname) not in covered:
                    problems.append(f"{where}: no header fills {t.table}.{cname}, which the mapping requires")
    return kinds, problems


def describe() -> list[str]:
    """Lines of 'opsreport template' without a name: each template, its options and its sheets."""
    lines = []
    for name in names():
        template, _ = load_template(name)
        lines.append(f"{name}  {template.title['zh']} / {template.title['en']}  (imports as source "
                     f"'{template.mapping}')")
        for oname, o in template.options.items():
            need = ("required" if o.required else "optional") if o.default is None else f"default {o.default}"
            lines.append(f"  --{oname} ({o.type}, {need})  {o.help}")
        lines.append("  sheets: " + ", ".join(f"{s.name['zh']} / {s.name['en']}" for s in template.sheets))
    return lines


# --- options --------------------------------------------------------------------------------------------


def option_args(args: list[str]) -> dict[str, str]:
    """``['--period', '2026-10', '--x=y']`` -> ``{'period': '2026-10', 'x': 'y'}`` (the command line's
    arguments a template may declare); ParamsError for anything else."""
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) < 3:
            raise ParamsError(f"unexpected argument '{arg}': give a template's options as --name VALUE")
        key, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("--"):
                raise ParamsError(f"--{key} needs a value: --{key} VALUE")
            value = args[i + 1]
            i += 1
        out[key.replace("-", "_")] = value
        i += 1
    return out


def parse_options(template: Template, given: dict[str, str]) -> dict[str, str]:
    """The template's option values, checked (``month``: 2026-10, ``date``: 2026-10-31, ``int``);
    ParamsError naming every unknown, missing or malformed one."""
    problems = []
    for key in given:
        if key not in template.options:
            declared = ", ".join(f"--{k}" for k in template.options) or "none"
            problems.append(f"template '{template.name}' has no option --{key} (its options: {declared}; "
                            "the command's own: --out, --lang, --force)")
    out = {}
    for key, spec in template.options.items():
        value = given.get(key, spec.default)
        if value is None or not str(value).strip():
            if spec.required:
                problems.append(f"template '{template.name}' needs --{key} ({spec.type}): {spec.help}".rstrip(": "))
            continue
        value = str(value).strip()
        if spec.type == "warehouse":
            if not Path(value).expanduser().is_file():
                problems.append(f"--{key} '{value}': no such warehouse file")
        elif not _fits(value, spec.type):
            example = {"month": "2026-10", "period": "2026-10 or 2026-Q4", "date": "2026-10-31", "int": "3"}.get(spec.type, "")
            problems.append(f"--{key} '{value}' is not a {spec.type} (e.g. {example})")
        out[key] = value
    if problems:
        raise ParamsError("; ".join(problems))
    return out


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a month (2026-10) or a quarter (2026-Q4); ValueError for anything else."""
    m = re.fullmatch(r"(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))", label.strip())
    if m is None:
        raise ValueError(f"'{label}' is not a period such as 2026-10 or 2026-Q4")
    year = int(m.group(1))
    first_month = int(m.group(2)) if m.group(2) else 3 * int(m.group(3)) - 2
    last_month = first_month if m.group(2) else first_month + 2
    first = dt.date(year, first_month, 1)
    after = dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
    return first, after - dt.timedelta(days=1)


def _fits(value: str, kind: str) -> bool:
    if kind == "period":
        try:
            period_bounds(value)
        except ValueError:
            return False
        return True
    try:
        if kind == "month":
            return bool(re.fullmatch(r"\d{4}-\d{2}", value)) and dt.date(int(value[:4]), int(value[5:]), 1) is not None
        if kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "int":
            int(value)
    except ValueError:
        return False
    return True


# --- the workbook ----------------------------------------------------------------------------------------

_HEADER_FILL = "DDEBF7"  # the header row: light blue, as the platforms' own templates
_NUMBER_FORMAT = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00", "int": "0",
                  "number": "General", "text": "@", "id": "@", "status": "@"}
# Excel's date validation bounds, as serial numbers (2000-01-01 and 2100-12-31)
_FIRST_DAY, _LAST_DAY = "36526", "73415"


def build_workbook(name: str, lang: str = "zh", options: dict[str, str] | None = None):
    """The empty workbook of template ``name`` in ``lang`` (an ``openpyxl.Workbook``, not saved)."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if lang not in LANGS:
        raise ParamsError(f"--lang '{lang}': choose one of {', '.join(LANGS)}")
    template, kinds = load_template(name)
    values = parse_options(template, dict(options or {}))
    w = {k: v[lang] for k, v in words().items()}

    def say(text: str) -> str:
        return text.format_map(values)

    listed = reference_rows(template, values)  # before the workbook: a bad --warehouse or --team fails first
    ref_name = template.reference.sheet[lang] if listed is not None else None
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = template.instructions.sheet[lang]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    info.append([say(template.title[lang])])
    info["A1"].font = Font(bold=True, size=14)
    for line in template.instructions.intro:
        info.append([say(line[lang])])
    for si, sheet in enumerate(template.sheets):
        info.append([])
        info.append([f"{w['sheet']}: {sheet.name[lang]}", say(sheet.about[lang])])
        info.cell(info.max_row, 1).font = bold
        info.append([w["columns_heading"], w["need_heading"], w["meaning_heading"], w["choices_heading"]])
        for cell in info[info.max_row]:
            cell.font = bold
        for ci, column in enumerate(sheet.columns):
            need = w["required"] if kinds[(si, ci)].required else w["optional"]
            choices = " / ".join(column.choices[lang]) if column.choices else ""
            if column.from_reference and ref_name is not None:
                choices = say(template.reference.note[lang])
            info.append([column.header[lang], need, say(column.note[lang]), choices])
        info.append([f"{w['example']}: {say(sheet.example[lang])}"])
    for letter, width in zip("ABCD", (18, 16, 70, 36)):
        info.column_dimensions[letter].width = width
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = wrap

    last = template.rows + 1
    for si, sheet in enumerate(template.sheets):
        ws = wb.create_sheet(sheet.name[lang])
        ws.freeze_panes = "A2"
        for ci, column in enumerate(sheet.columns):
            kind = kinds[(si, ci)]
            letter = get_column_letter(ci + 1)
            cell = ws.cell(1, ci + 1, column.header[lang])
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            need = w["required"] if kind.required else w["optional"]
            note = Comment(f"{say(column.note[lang])}\n({need})", "opsreport")
            note.width, note.height = 260, 110
            cell.comment = note
            ws.column_dimensions[letter].width = column.width
            fmt = column.number_format or ("0%" if kind.type == "rate" else _NUMBER_FORMAT.get(kind.type, "General"))
            for r in range(2, last + 1):
                ws.cell(r, ci + 1).number_format = fmt
            if column.prefill is not None:
                for r in range(2, last + 1):
                    ws.cell(r, ci + 1).value = prefilled(column, values, r)
            if column.from_reference and ref_name is not None:
                check = DataValidation(type="list", formula1=f"'{ref_name}'!$A$2:$A${len(listed) + 1}",
                                       allow_blank=True, showErrorMessage=True, errorTitle=w["bad_choice_title"],
                                       error=w["bad_choice"])
            else:
                bounds = period_bounds(values[column.inside]) if column.inside and column.inside in values else None
                check = _validation(DataValidation, column, kind, lang, w, bounds)
            if check is not None:
                ws.add_data_validation(check)
                check.add(f"{letter}2:{letter}{last}")
    if listed is not None:
        ref = template.reference
        ws = wb.create_sheet(ref_name)
        ws.freeze_panes = "A2"
        for ci, column in enumerate(ref.columns, start=1):
            cell = ws.cell(1, ci, column.header[lang])
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
            ws.column_dimensions[get_column_letter(ci)].width = column.width
        for r, row in enumerate(listed, start=2):
            for ci, value in enumerate(row, start=1):
                ws.cell(r, ci, value).number_format = "@"
    wb.active = 0
    wb.properties.title = say(template.title[lang])
    wb.properties.subject = f"opsreport template {template.name}"
    # what the copy is for (its period, its team); a warehouse path says nothing about the content
    kept = {k: v for k, v in values.items() if template.options[k].type != "warehouse"}
    wb.properties.keywords = ", ".join([f"template={template.name}", f"lang={lang}",
                                        *(f"{k}={v}" for k, v in kept.items())])
    return wb


def prefilled(column: ColumnLayout, values: dict[str, str], row: int) -> str | None:
    """The value a ``prefill`` column holds in Excel row ``row`` ({n}: 1 on the first data row);
    None when it uses an option that was not given."""
    try:
        return column.prefill.format_map({**values, "n": row - 1})
    except KeyError:
        return None


def reference_rows(template: Template, values: dict[str, str]) -> list[tuple] | None:
    """The reference sheet's rows (its columns, in order, sorted by the first), read from the
    warehouse option's file; None when the template has no reference or the option was not given.
    ParamsError when the filter leaves no row (an unknown --team), WarehouseError when the file
    cannot be read."""
    ref = template.reference
    if ref is None:
        return None
    if not values.get(ref.option):
        alone = [f"--{o}" for o in ref.where.values() if values.get(o)]
        if alone:
            raise ParamsError(f"{', '.join(alone)} chooses whom the {ref.sheet['en']} sheet lists: give --{ref.option} "
                              "too (the warehouse to read them from)")
        return None
    from ...errors import WarehouseError
    from ...warehouse.connection import Warehouse
    from ...warehouse.location import is_url

    given = values[ref.option]
    path = given if is_url(given) or str(given).startswith("env:") else Path(given).expanduser()
    try:
        wh = Warehouse.open(path)
    except WarehouseError as exc:
        raise WarehouseError(f"--{ref.option} {path}: cannot be opened as a warehouse ({exc})") from None
    path = wh.location  # shown from here on: a server's URL without its password
    try:
        if not wh.has(ref.table):
            raise WarehouseError(f"--{ref.option} {path}: the warehouse has no table '{ref.table}' (import it first)")
        where = [(column, values[option]) for column, option in ref.where.items() if values.get(option)]
        t = wh.con.table(ref.table)
        for column, value in where:
            t = t.filter(t[column] == value)
        first = ref.columns[0].column
        found = t.select(*[c.column for c in ref.columns]).order_by(first).to_pyarrow()
        rows = [tuple(r.values()) for r in found.to_pylist()]  # Python values, as DuckDB's fetchall gave
    finally:
        wh.close()
    if not rows:
        said = ", ".join(f"--{option} {values[option]}" for option in ref.where.values() if values.get(option))
        known = ""
        if where:
            known = f" (no row of {ref.table} has {', '.join(f'{c} = {v}' for c, v in where)})"
        raise ParamsError(f"{said or f'--{ref.option} {path}'}: nothing to list from {ref.table} of {path}{known}")
    return rows


def _validation(DataValidation, column: ColumnLayout, kind: ColumnKind, lang: str, w: dict[str, str],
                bounds: tuple[dt.date, dt.date] | None = None):
    """Excel's check of a column's cells: a dropdown, a date (inside ``bounds`` when given), or a
    number within bounds (None: none)."""
    common = {"allow_blank": True, "showErrorMessage": True}
    if column.choices is not None:
        listed = ",".join(column.choices[lang])
        return DataValidation(type="list", formula1=f'"{listed}"', errorTitle=w["bad_choice_title"],
                              error=w["bad_choice"], **common)
    if kind.type in ("date", "datetime"):
        first, last = (_FIRST_DAY, _LAST_DAY) if bounds is None else (_serial(bounds[0]), _serial(bounds[1]))
        return DataValidation(type="date", operator="between", formula1=first, formula2=last,
                              errorTitle=w["bad_value_title"], error=w["bad_date"], **common)
    if kind.type in ("money", "int", "number", "rate"):
        low = column.min if column.min is not None else (0 if kind.type in ("money", "int") else None)
        high = column.max
        if low is None and high is None:
            return None
        kind_name = "whole" if kind.type == "int" else "decimal"
        if high is None:
            return DataValidation(type=kind_name, operator="greaterThanOrEqual", formula1=_num(low),
                                  errorTitle=w["bad_value_title"], error=w["bad_number"].format(min=_num(low)), **common)
        low = low if low is not None else 0
        shown = (f"{low:.0%}", f"{high:.0%}") if kind.type == "rate" else (_num(low), _num(high))
        return DataValidation(type=kind_name, operator="between", formula1=_num(low), formula2=_num(high),
                              errorTitle=w["bad_value_title"], error=w["bad_range"].format(min=shown[0], max=shown[1]),
                              **common)
    return None


def _num(x: float) -> str:
    return f"{x:g}"


def _serial(day: dt.date) -> str:
    """Excel's serial number of a day (1900 date system)."""
    return str((day - dt.date(1899, 12, 30)).days)


def write_template(name: str, out: Path | str | None = None, *, lang: str = "zh",
                   options: dict[str, str] | None = None, force: bool = False) -> Path:
    """Write template ``name``'s empty workbook and return its path.

    ``out``: a file (``.xlsx``) or an existing folder (the template's file name inside it); None:
    the template's file name in the current directory. An existing file is kept (OutputError)
    unless ``force``: it may be a filled copy. Written to a temporary file first, so a failure
    leaves no half-written workbook."""
    template, _ = load_template(name)
    wb = build_workbook(name, lang, options)  # checks lang and options before any file is touched
    values = parse_options(template, dict(options or {}))
    default = template.file.format_map(values)
    target = Path(out) if out is not None else Path.cwd() / default
    if target.is_dir():
        target = target / default
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"--out {target}: a template is an Excel workbook; give a file name ending in .xlsx "
                          "(or a folder)")
    if target.exists() and not force:
        raise OutputError(f"{target} exists (perhaps a filled copy): give another --out, or --force to overwrite it")
    if not target.parent.is_dir():
        raise OutputError(f"--out {target}: folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# --- reading a filled copy back ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """A workbook written by ``opsreport template``: which template, in which language, for which
    option values (from its document properties)."""

    template: str
    lang: str | None
    options: dict[str, str]


def copy_of(path: Path | str) -> Copy | None:
    """What the workbook at ``path`` is a copy of; None when it is not a template's copy."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return None
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            subject, keywords = wb.properties.subject or "", wb.properties.keywords or ""
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - not a readable workbook: the reader says why
        return None
    prefix = "opsreport template "
    if not subject.startswith(prefix) or subject[len(prefix):].strip() not in names():
        return None
    pairs = dict(part.strip().partition("=")[::2] for part in keywords.split(",") if "=" in part)
    lang = pairs.pop("lang", None)
    pairs.pop("template", None)
    return Copy(subject[len(prefix):].strip(), lang, pairs)


def prepare_copy(path: Path, mapping_name: str, sheets: list) -> tuple[list, list]:
    """The sheets of a filled copy as its template's rules want them, and the problems found
    (``problems.Problem``, by sheet, Excel row and column); sheets of any other file unchanged.

    - A row holding nothing but pre-filled values (each as written, or empty) is blank: dropped.
    - A ``locked`` cell keeps its pre-filled value: another value is a problem; an empty one takes it.
    - A date of an ``inside`` column lies in its period: a day outside it is a problem. Dates that are
      not dates are left to the import, which names them.
    A copy whose properties lost an option it needs is read without that option's rules."""
    import dataclasses

    import pandas as pd

    from .. import values as cells
    from ..problems import at_rows

    copy = copy_of(path)
    if copy is None:
        return sheets, []
    template, _ = load_template(copy.template)
    if template.mapping != mapping_name:
        return sheets, []
    given = {k: v for k, v in copy.options.items() if k in template.options}
    out, problems = [], []
    for raw in sheets:
        layout = next((s for s in template.sheets if raw.sheet is not None
                       and normalize_header(raw.sheet) in {normalize_header(n) for n in s.name.values()}), None)
        if layout is None or raw.frame.empty:
            out.append(raw)
            continue
        frame = raw.frame.copy()
        by_norm = {normalize_header(h): h for h in frame.columns}

        def header_of(column: ColumnLayout) -> str | None:
            return next((by_norm[normalize_header(t)] for t in column.header.values() if normalize_header(t) in by_norm), None)

        rows = pd.Series(frame.index, index=frame.index)
        blank = pd.Series(True, index=frame.index)
        filled_cols = set()
        for column in layout.columns:
            header = header_of(column)
            if header is None or column.prefill is None:
                continue
            expected = rows.map(lambda r: prefilled(column, given, int(r)))
            if expected.isna().any():
                continue  # an option the copy no longer says: nothing to compare with
            filled_cols.add(header)
            cell = frame[header]
            blank &= cell.isna() | (cell.astype(object) == expected)
            if column.locked:
                wrong = cell.notna() & (cell.astype(object) != expected)
                for value, idx in cell[wrong].groupby(cell[wrong], sort=False).groups.items():
                    problems.append(at_rows(path, (
                        f"'{value}' is not this workbook's {column.header['en'].lower()} {expected[idx[0]]}: the copy "
                        f"was written for {', '.join(f'{k} {v}' for k, v in given.items())}; write another template "
                        "for another one"), list(idx), sheet=raw.sheet, column=header))
                frame[header] = cell.where(cell.notna(), expected).astype("str")
        others = [h for h in frame.columns if h not in filled_cols]
        if filled_cols:
            blank &= frame[others].isna().all(axis=1) if others else True
            frame = frame.loc[~blank.to_numpy(dtype=bool)]
        for column in layout.columns:
            header = header_of(column)
            if header is None or column.inside is None or column.inside not in given:
                continue
            first, last = period_bounds(given[column.inside])
            days, _ = cells.to_date(frame[header])
            outside = days.notna() & ((days < pd.Timestamp(first)) | (days > pd.Timestamp(last)))
            if outside.any():
                problems.append(at_rows(path, (
                    f"{'a date' if outside.sum() == 1 else f'{int(outside.sum())} dates'} outside {column.inside} "
                    f"{given[column.inside]} ({first} ~ {last}), e.g. {days[outside].iloc[0].date()}: this workbook "
                    f"is for {given[column.inside]}; enter the event in the workbook of its own period"),
                    list(frame.index[outside.to_numpy(dtype=bool)]), sheet=raw.sheet, column=header))
        out.append(dataclasses.replace(raw, frame=frame))
    return out, problems
