"""Where the project's own files are, and how a relative path given by a user is found."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def locate(path: str | Path) -> Path:
    """``path`` as given if it exists (or is absolute), else from the project root: JupyterLab
    runs kernels inside notebooks/, where 'data/demo.duckdb' is not found as given."""
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    rooted = PROJECT_ROOT / candidate
    return rooted if rooted.exists() else candidate
