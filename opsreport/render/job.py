"""What one render needs, carried in one object from the checks to the published folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RenderJob:
    """One report to render.

    ``parameters`` are the validated, resolved values for the notebook's parameters cell; the
    report is published to ``<out_root>/<report>/<key>/<period>/``; ``title``, ``subtitle`` and
    ``meta`` form the page's title block; ``fingerprint`` identifies the data in run.json.
    """

    report: str
    notebook: Path
    parameters: dict[str, Any]
    out_root: Path
    key: str
    period: str
    formats: frozenset[str]
    title: str
    subtitle: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    lang: str = "zh"
    fingerprint: dict[str, Any] = field(default_factory=dict)
    # personal outputs (appraisals): readable by their owner only and left out of the shared index
    private: bool = False
