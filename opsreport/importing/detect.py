"""Which mapping an export file is, from its headers (``--source`` left out).

A workbook written by ``opsreport template`` says which template it is a copy of (its document
properties): its template's mapping is taken, so that a damaged copy (a removed header) is
reported against the template rather than matched to another export by its remaining headers.

A mapping fits a file when every required column of every target finds one of its aliases among
the file's headers. One fitting mapping is picked. When several fit and one of them explains every
header the others explain and more (a traffic-by-source export also has every column of a shop
overview, plus 流量来源), that more specific one is picked. Otherwise the user chooses with
``--source``: the error lists the fitting mappings, or, when none fits, names the closest one and
the columns it lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import MappingError
from .mappings import Mapping, load_mappings, normalize_header


@dataclass(frozen=True)
class Detection:
    """The mapping picked for some files, and what else fitted (each a subset of it)."""

    mapping: Mapping
    also_fit: tuple[str, ...] = ()
    template: str | None = None  # the files are copies of this template ('opsreport template')

    def describe(self) -> str:
        if self.template is not None:
            return (f"source: {self.mapping.name} (the file is a copy of template '{self.template}'; give --source "
                    "to choose another)")
        text = f"source: {self.mapping.name} (picked from the file's headers"
        if self.also_fit:
            text += f"; {', '.join(self.also_fit)} fit(s) fewer of its columns"
        return text + "; give --source to choose another)"


def _required(mapping: Mapping):
    """(table, column, aliases) of every column the file must have."""
    for t in mapping.targets:
        for name, spec in [*t.columns.items(), *t.inputs.items()]:
            if spec.required:
                yield t.table, name, spec.aliases


def lacking(headers: Sequence[str], mapping: Mapping) -> list[str]:
    """'table.column (alias / alias)' for every required column none of whose aliases is a header."""
    have = {normalize_header(h) for h in headers}
    return [f"{table}.{name} ({' / '.join(aliases)})" for table, name, aliases in _required(mapping)
            if not any(normalize_header(a) in have for a in aliases)]


def explained(headers: Sequence[str], mapping: Mapping) -> frozenset[str]:
    """The file's headers (normalised) that some column of the mapping reads."""
    have = {normalize_header(h) for h in headers}
    return frozenset(normalize_header(a) for a in mapping.aliases()) & have


def fitting(headers: Sequence[str], mappings: dict[str, Mapping]) -> list[str]:
    return [name for name, m in mappings.items() if not lacking(headers, m)]


def detect_in_headers(headers: Sequence[str], mappings: dict[str, Mapping], where: str = "the file") -> Detection:
    """The mapping of a file with these headers; MappingError when none or several fit."""
    fits = fitting(headers, mappings)
    if not fits:
        def closeness(name: str):
            m = mappings[name]
            total = sum(1 for _ in _required(m)) or 1
            return (1 - len(lacking(headers, m)) / total, len(explained(headers, m)))
        closest = max(mappings, key=closeness)
        missing = lacking(headers, mappings[closest])
        raise MappingError(
            f"{where}: no import mapping fits its headers. The closest is '{closest}' "
            f"({mappings[closest].title}), which needs {len(missing)} more column(s): {'; '.join(missing)}. "
            f"The file has: {', '.join(map(str, headers))}. Give --source, or add the headers as aliases "
            "in your own copy of a mapping ('opsreport sources' lists them)."
        )
    if len(fits) == 1:
        return Detection(mappings[fits[0]])
    sets = {name: explained(headers, mappings[name]) for name in fits}
    top = [n for n in fits if all(sets[n] >= sets[o] for o in fits)]
    if len(top) == 1 and all(sets[top[0]] > sets[o] for o in fits if o != top[0]):
        return Detection(mappings[top[0]], tuple(o for o in fits if o != top[0]))
    listed = "; ".join(f"{n} ({mappings[n].title})" for n in fits)
    raise MappingError(
        f"{where}: several import mappings fit its headers: {listed}. Choose one with --source "
        f"(e.g. --source {fits[0]})."
    )


def file_headers(path: Path, mappings: dict[str, Mapping]) -> list[str]:
    """The headers of every sheet of an export, found by every alias any mapping knows."""
    from . import readers

    known = {a for m in mappings.values() for a in m.aliases()}
    try:
        sheets = readers.read_export(path, known, min_matches=2)
    except readers.FileReadError as exc:
        raise MappingError(f"{exc} (while finding which mapping fits: give --source to see the problem "
                           "against one mapping)") from None
    return [str(c) for s in sheets for c in s.frame.columns]


def template_of(path: Path) -> tuple[str, str] | None:
    """(template, its mapping) when ``path`` is a workbook written by ``opsreport template`` (its
    document properties say so: subject 'opsreport template NAME'), else None."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return None
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            subject = wb.properties.subject or ""
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - not a readable workbook: the headers decide (and the reader says why)
        return None
    prefix = "opsreport template "
    if not subject.startswith(prefix):
        return None
    from .templates import load_template, names

    name = subject[len(prefix):].strip()
    if name not in names():
        return None
    return name, load_template(name)[0].mapping


def detect_source(files: Sequence[Path | str], mappings_dir: Path | str | None = None,
                  mappings: dict[str, Mapping] | None = None) -> Detection:
    """The one mapping (built-in or the user's) every file of an import fits; MappingError saying
    which mappings fit (several) or which is closest and what it lacks (none), or that the files
    are of different sources."""
    mappings = load_mappings(mappings_dir) if mappings is None else mappings
    found: dict[Path, Detection] = {}
    for f in files:
        path = Path(f)
        template = template_of(path)
        if template is not None and template[1] in mappings:
            # a copy of a template: its mapping, even when a damaged header would let another fit
            found[path] = Detection(mappings[template[1]], template=template[0])
            continue
        found[path] = detect_in_headers(file_headers(path, mappings), mappings, where=path.name)
    names = {d.mapping.name for d in found.values()}
    if len(names) > 1:
        each = ", ".join(f"{p.name}: {d.mapping.name}" for p, d in found.items())
        raise MappingError(f"the files are exports of different sources ({each}): import each source "
                           "with its own command (or give --source).")
    first = next(iter(found.values()))
    also = sorted({a for d in found.values() for a in d.also_fit})
    template = first.template if all(d.template == first.template for d in found.values()) else None
    return Detection(first.mapping, tuple(also), template)
