"""What went wrong in an import, said where the user can find it: file, sheet, row, column.

Row numbers are the ones the user sees in Excel (1-based, header and preamble rows counted).
Problems are collected over every file of one import and reported together; a problem that
concerns many rows names the first few and counts the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SHOWN_ROWS = 5  # rows named per problem; the rest are counted
SHOWN_PROBLEMS = 30  # problems listed per import; the rest are counted


@dataclass(frozen=True)
class Problem:
    file: Path | None
    message: str
    sheet: str | None = None
    rows: Sequence[int] = field(default_factory=tuple)  # first rows concerned (Excel numbering)
    row_count: int = 0  # how many rows in all (>= len(rows))
    column: str | None = None  # the header text in the file, else the canonical column

    def where(self) -> str:
        parts = [self.file.name] if self.file is not None else []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.rows:
            parts.append(_rows(self.rows, max(self.row_count, len(self.rows))))
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


def _rows(rows: Sequence[int], total: int) -> str:
    shown = [int(r) for r in rows[:SHOWN_ROWS]]
    text = ("row " if len(shown) == 1 else "rows ") + ", ".join(str(r) for r in shown)
    if total > len(shown):
        text += f" (and {total - len(shown):,} more)"
    return text


def at_rows(file: Path | None, message: str, rows: Iterable[int], *, sheet: str | None = None,
            column: str | None = None) -> Problem:
    """One problem about ``rows`` (any iterable of Excel row numbers): keeps the first few and the count."""
    rows = list(rows)
    return Problem(file, message, sheet=sheet, rows=tuple(rows[:SHOWN_ROWS]), row_count=len(rows), column=column)


def summary(problems: Sequence[Problem], files: Sequence[Path]) -> str:
    """The message of a failed import: every problem, one line each, capped with a count."""
    bad_files = {p.file for p in problems if p.file is not None}
    head = (
        f"Nothing was imported: {len(problems)} problem(s)"
        + (f" in {len(bad_files)} of {len(files)} file(s)" if bad_files else "")
        + ". Fix them and run the same command again."
    )
    lines = [head]
    for p in problems[:SHOWN_PROBLEMS]:
        body = str(p).replace("\n", "\n    ")
        lines.append(f"  - {body}")
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  ... and {len(problems) - SHOWN_PROBLEMS} more problem(s)")
    return "\n".join(lines)
