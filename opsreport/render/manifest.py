"""run.json: what was rendered, from which data, with which software, how long it took."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path, PurePath
from typing import Any

__all__ = ["MANIFEST_NAME", "PACKAGES", "build_manifest", "json_safe", "list_files", "versions", "write_manifest"]

MANIFEST_NAME = "run.json"

#: Distributions whose versions every manifest records (those that shape the numbers, the
#: charts and the files: a chart or a number format can change with matplotlib, seaborn or Babel).
PACKAGES = (
    "opsreport",
    "pandas",
    "ibis-framework",
    "duckdb",
    "papermill",
    "nbconvert",
    "matplotlib",
    "seaborn",
    "babel",
    "weasyprint",
    "openpyxl",
)


def build_manifest(
    report: str,
    params: Mapping[str, Any],
    *,
    fingerprint: Mapping[str, Any],
    timings: Mapping[str, float],
    files: Mapping[str, int],
    created_at: dt.datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The run.json document (a JSON-safe dict).

    Parameters
    ----------
    report : str
        Report name, e.g. ``"weekly_review"``.
    params : mapping
        The parameters the notebook ran with (made JSON-safe: paths and dates become strings).
    fingerprint : mapping
        The data fingerprint computed by the caller (e.g. warehouse file, row counts, max dates).
    timings : mapping
        Stage -> seconds (rounded to milliseconds).
    files : mapping
        File name (relative to the report folder) -> size in bytes.
    created_at : datetime, optional
        Defaults to now, local time with its UTC offset.
    **extra
        Further top-level keys (e.g. ``title``, ``key``, ``period``).
    """
    created = created_at or dt.datetime.now().astimezone()
    if created.tzinfo is None:
        created = created.astimezone()
    return {
        "report": report,
        **json_safe(extra),
        "created_at": created.isoformat(timespec="seconds"),
        "params": json_safe(params),
        "data_fingerprint": json_safe(fingerprint),
        "versions": versions(),
        "timings_s": {stage: round(float(seconds), 3) for stage, seconds in timings.items()},
        "files": {name: int(size) for name, size in sorted(files.items())},
    }


def versions() -> dict[str, str | None]:
    """Python and the installed versions of :data:`PACKAGES` (None when not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def list_files(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (POSIX relative path -> size in bytes)."""
    folder = Path(folder)
    return {
        path.relative_to(folder).as_posix(): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def write_manifest(manifest: Mapping[str, Any], path: Path) -> None:
    """Write ``manifest`` as pretty, UTF-8 JSON (Chinese kept readable)."""
    Path(path).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def json_safe(value: Any) -> Any:
    """``value`` with only JSON types: paths, dates, decimals, enums, sets, numpy scalars
    and pydantic models are converted; non-finite floats become None."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=str)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return json_safe(float(value))
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if hasattr(value, "model_dump"):  # pydantic
        return json_safe(value.model_dump(mode="json"))
    if hasattr(value, "item") and callable(value.item):  # numpy / pandas scalars
        try:
            return json_safe(value.item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
