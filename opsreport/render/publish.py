"""Atomic publication of a report folder, and the index page of the output root.

Everything is written into ``<out_root>/.staging-<random>/`` (the same filesystem as the
final place), then renamed to ``<out_root>/<report>/<key>/<period>/`` in one step. A reader
never sees a half-written report, and a failed run leaves nothing behind::

    with staging(out_root) as stage:
        ...write files into stage...
        final = publish(stage, out_root, report=..., key=..., period=...)
    write_index(out_root)

A run that is killed (SIGKILL, power loss) cannot clean up: its ``.staging-<pid>@<host>-*``
(and ``.old-<pid>@<host>-*``) folders stay. The next run removes the stale ones, those whose
process is gone (or, written by another host sharing the folder or without a PID in the name,
older than :data:`STALE_AFTER` seconds); a folder of a run still going is never touched, so
concurrent runs into one output root, from one machine or the workers of a cluster, are safe.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from opsreport.errors import OutputError, RenderError

from .manifest import MANIFEST_NAME

__all__ = ["INDEX_NAME", "check_out_root", "clean_stale", "publish", "report_dir", "staging", "write_index"]

INDEX_NAME = "index.html"
_LINKED_FILES = (("report.html", "HTML"), ("report.pdf", "PDF"), ("tables.xlsx", "Excel"), ("report.ipynb", "ipynb"))
_FOLDER_MODE = 0o755  # mkdtemp makes 0700 folders: published reports must stay readable
_PRIVATE_FOLDER_MODE = 0o700  # ...except personal ones (appraisals): their owner only
#: Leftovers of a run without a PID in their name are stale after this many seconds.
STALE_AFTER = 15 * 60
_LEFTOVER = re.compile(r"^\.(?:staging|old)-(?:(\d+)(?:@([^-/]+))?-)?[^/]*$|^\.index-[0-9a-f]+\.html$")
#: Which host a leftover's PID belongs to: hyphens would end the tag, so they become underscores.
_HOST = socket.gethostname().replace("-", "_") or "host"


def _owner_tag() -> str:
    return f"{os.getpid()}@{_HOST}"


def check_out_root(out_root: Path) -> None:
    """Raise :class:`OutputError` unless ``out_root`` is, or can become, a folder (checked before
    any work, so a bad ``--out`` is reported at once; nothing is created)."""
    out_root = Path(out_root)
    try:
        name_max = os.pathconf(_existing_parent(out_root), "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    for part in out_root.parts:
        if len(os.fsencode(part)) > name_max:
            raise OutputError(
                f"The output folder name {_short(part)} is too long for the file system "
                f"({len(os.fsencode(part))} bytes, at most {name_max}): choose a shorter --out."
            )
    try:
        for candidate in (out_root, *out_root.parents):
            if candidate.exists():
                if not candidate.is_dir():
                    raise OutputError(
                        f"The output root {out_root} cannot be a folder: {candidate} is a file. "
                        "Choose another --out."
                    )
                if not os.access(candidate, os.W_OK | os.X_OK):
                    raise OutputError(f"The output root {out_root} cannot be written: no permission on {candidate}.")
                break
    except OSError as exc:
        raise OutputError(f"The output root {_short(str(out_root))} cannot be used: {exc.strerror or exc}.") from None


def _existing_parent(path: Path) -> Path:
    for candidate in (path.absolute(), *path.absolute().parents):
        try:
            if candidate.is_dir():
                return candidate
        except OSError:
            continue
    return Path("/")


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else f"{text[:30]}…{text[-20:]}"


def clean_stale(out_root: Path, *, now: float | None = None) -> list[Path]:
    """Remove what killed runs left directly under ``out_root``; return what was removed.

    A leftover whose name carries a PID of this host (``.staging-<pid>@<host>-*``,
    ``.old-<pid>@<host>-*``) is stale when that process no longer runs; one of another host, or
    without a PID (older versions, ``.index-*.html``), when it is older than :data:`STALE_AFTER`
    seconds.
    """
    import time

    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(Path(out_root).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match:
            continue
        pid = int(match.group(1)) if match.group(1) else None
        if match.group(2) not in (None, _HOST):
            pid = None  # another machine's process: only its age tells
        try:
            if pid is not None:
                stale = pid != os.getpid() and not _running(pid)
            else:
                stale = now - entry.lstat().st_mtime > STALE_AFTER
            if not stale:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue  # gone already, or not ours to remove: never fail a run over it
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return True
    return True


def report_dir(out_root: Path, report: str, key: str, period: str) -> Path:
    """``<out_root>/<report>/<key>/<period>``, each part checked to be one plain folder name."""
    for label, part in (("report", report), ("key", key), ("period", period)):
        if (
            not part
            or part in (".", "..")
            or part.startswith(".")
            or any(ch in part for ch in '/\\:*?"<>|\0')
        ):
            raise RenderError(
                f"The {label} {part!r} cannot be used as a folder name under {out_root}: "
                "use letters, digits, '-' or '_' (it must not start with '.')."
            )
    return Path(out_root) / report / key / period


@contextmanager
def staging(out_root: Path) -> Iterator[Path]:
    """A fresh staging folder inside ``out_root``; removed on exit unless published.

    If the run fails, folders this created (``out_root`` itself included) are removed again
    when they are empty, so a failed first run leaves no trace.
    """
    out_root = Path(out_root)
    created = _make_dirs(out_root)
    clean_stale(out_root)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".staging-{_owner_tag()}-", dir=out_root))
    except OSError as exc:
        _remove_empty(created)
        raise RenderError(f"Cannot create a staging folder in {out_root}: {exc}") from exc
    try:
        yield stage
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
        _remove_empty(created)


def publish(stage: Path, out_root: Path, *, report: str, key: str, period: str, private: bool = False) -> Path:
    """Move the complete ``stage`` folder to its final place and return that place.

    An existing folder of the same run is replaced: it is renamed aside, the new folder is
    renamed in, then the old one is deleted (if the swap fails, the old folder is restored).
    """
    stage, out_root = Path(stage), Path(out_root)
    final = report_dir(out_root, report, key, period)
    created = _make_dirs(final.parent)
    os.chmod(stage, _PRIVATE_FOLDER_MODE if private else _FOLDER_MODE)
    old = None
    try:
        if final.exists():
            old = out_root / f".old-{_owner_tag()}-{uuid.uuid4().hex[:12]}"
            os.rename(final, old)
        try:
            os.rename(stage, final)
        except OSError:
            if old is not None:
                os.rename(old, final)
                old = None
            raise
    except OSError as exc:
        _remove_empty(created)
        raise RenderError(f"Cannot publish the report to {final}: {exc}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


def write_index(out_root: Path) -> Path:
    """(Re)write ``<out_root>/index.html``: every published report folder, newest period first.

    The page is self-contained (inline CSS, no scripts) and links with relative URLs, so the
    output folder can be copied or served anywhere.
    """
    out_root = Path(out_root)
    rows = []
    for manifest_path in out_root.glob(f"*/*/*/{MANIFEST_NAME}"):
        folder = manifest_path.parent
        parts = folder.relative_to(out_root).parts
        if any(part.startswith(".") for part in parts):
            continue  # staging or replaced folders
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        if manifest.get("private"):
            continue  # personal outputs are never listed in the shared index
        rows.append((parts, manifest, folder))
    rows.sort(key=lambda r: (r[0][0], r[0][1], _reverse(r[0][2])))
    page = _index_page(rows)
    tmp = out_root / f".index-{uuid.uuid4().hex[:12]}.html"
    tmp.write_text(page, encoding="utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, out_root / INDEX_NAME)
    return out_root / INDEX_NAME


def _reverse(text: str) -> tuple[int, ...]:
    """Sort key putting later periods first (2026-W47 before 2026-W46)."""
    return tuple(-ord(ch) for ch in text)


def _index_page(rows: list[tuple[tuple[str, ...], dict, Path]]) -> str:
    esc = html.escape
    body = []
    for (report, key, period), manifest, folder in rows:
        href = "/".join(quote(part) for part in (report, key, period))
        links = " ".join(
            f'<a href="{href}/{name}">{label}</a>'
            for name, label in _LINKED_FILES
            if (folder / name).is_file()
        )
        title = manifest.get("title") or ""
        body.append(
            "<tr>"
            f"<td>{esc(report)}</td><td>{esc(key)}</td><td>{esc(period)}</td>"
            f"<td class=\"title\">{esc(str(title))}</td>"
            f"<td>{esc(str(manifest.get('created_at', '')))}</td>"
            f"<td class=\"links\">{links}</td>"
            "</tr>"
        )
    table = "\n".join(body) or '<tr><td colspan="6">No reports yet. 暂无报告。</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="opsreport">
<title>opsreport · 报告索引</title>
<style>
html {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; color: #1f2933; font-size: 15px; }}
body {{ max-width: 64rem; margin: 0 auto; padding: 2rem 1.5rem; }}
h1 {{ font-size: 1.6rem; border-bottom: 2px solid #2457a6; padding-bottom: .4rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
th, td {{ text-align: left; padding: .35em .7em; border-bottom: 1px solid #e3e6ea; }}
th {{ background: #f1f3f6; }}
tbody tr:nth-child(even) {{ background: #f8f9fb; }}
td.links a {{ margin-right: .6em; color: #2457a6; }}
</style>
</head>
<body>
<h1>报告索引 · Reports</h1>
<table>
<thead><tr><th>报告 Report</th><th>对象 Key</th><th>周期 Period</th><th>标题 Title</th><th>生成时间 Created</th><th>文件 Files</th></tr></thead>
<tbody>
{table}
</tbody>
</table>
</body>
</html>
"""


def _make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and missing parents; return those created, deepest first."""
    missing = []
    try:
        for candidate in (path, *path.parents):
            if candidate.exists():
                break
            missing.append(candidate)
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty(missing)
        raise RenderError(f"Cannot create the output folder {path}: {exc}") from exc
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except FileNotFoundError:
            continue
        except OSError:
            break  # not empty: its parents are not empty either
