"""Input templates: empty workbooks a shop fills by hand and loads with ``opsreport import``.

A template is data: one YAML file beside this module per template (``<name>.yaml``; files starting
with ``_`` are shared words, not templates). It says the workbook's layout only, in zh and en:
sheet names, headers in order, each header's note (meaning and unit), column widths, dropdown
values, number bounds, an instructions sheet with one example row per sheet described in words,
the default file name, and the options the template takes (``options: {period: {type: month}}``
makes ``opsreport template NAME --period 2026-10`` valid; an option's value fills ``{period}`` in
the template's texts and file name).

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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ...errors import MappingError, OutputError, ParamsError
from ..mappings import ColumnSpec, Mapping, contract_columns, get_mapping, normalize_header, normalize_value

TEMPLATES_DIR = Path(__file__).resolve().parent
LANGS = ("zh", "en")
Lang = Literal["zh", "en"]

__all__ = ["LANGS", "Template", "describe", "load_template", "names", "option_args", "parse_options",
           "build_workbook", "write_template"]


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

    type: Literal["month", "date", "int", "text"] = "text"
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
    kinds, more = check_layout(template, get_mapping(template.mapping))
    problems += more
    if problems:
        raise MappingError(f"template {path} does not fit mapping '{template.mapping}':\n"
                           + "\n".join(f"  - {p}" for p in problems))
    return template, kinds


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
            need = "required" if o.required and o.default is None else f"default {o.default}"
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
        if not _fits(value, spec.type):
            example = {"month": "2026-10", "date": "2026-10-31", "int": "3"}.get(spec.type, "")
            problems.append(f"--{key} '{value}' is not a {spec.type} (e.g. {example})")
        out[key] = value
    if problems:
        raise ParamsError("; ".join(problems))
    return out


def _fits(value: str, kind: str) -> bool:
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
            fmt = "0%" if kind.type == "rate" else _NUMBER_FORMAT.get(kind.type, "General")
            for r in range(2, last + 1):
                ws.cell(r, ci + 1).number_format = fmt
            check = _validation(DataValidation, column, kind, lang, w)
            if check is not None:
                ws.add_data_validation(check)
                check.add(f"{letter}2:{letter}{last}")
    wb.active = 0
    wb.properties.title = say(template.title[lang])
    wb.properties.subject = f"opsreport template {template.name}"
    wb.properties.keywords = ", ".join([f"template={template.name}", f"lang={lang}",
                                        *(f"{k}={v}" for k, v in values.items())])
    return wb


def _validation(DataValidation, column: ColumnLayout, kind: ColumnKind, lang: str, w: dict[str, str]):
    """Excel's check of a column's cells: a dropdown, a date, or a number within bounds (None: none)."""
    common = {"allow_blank": True, "showErrorMessage": True}
    if column.choices is not None:
        listed = ",".join(column.choices[lang])
        return DataValidation(type="list", formula1=f'"{listed}"', errorTitle=w["bad_choice_title"],
                              error=w["bad_choice"], **common)
    if kind.type in ("date", "datetime"):
        return DataValidation(type="date", operator="between", formula1=_FIRST_DAY, formula2=_LAST_DAY,
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
