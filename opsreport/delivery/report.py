"""A published report folder as delivery sees it: what its run.json says and which files it holds.

Only the manifest's identity (report, key, period, title, lang, private) and its ``headlines``
(3-5 sentences the render pipeline writes) are read; nothing is rendered or recomputed here.
A manifest without headlines is delivered all the same, and its message says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import DeliveryError

__all__ = ["MANIFEST_NAME", "PublishedReport", "read_report"]

MANIFEST_NAME = "run.json"  # as opsreport.render.manifest writes it
SCORECARDS = "people"  # personal scorecards inside a private report folder: people/<staff_id>.pdf


@dataclass(frozen=True)
class PublishedReport:
    folder: Path
    report: str
    key: str
    period: str
    title: str
    lang: str
    private: bool
    headlines: tuple[str, ...]

    @property
    def name(self) -> str:
        """``weekly_review/0071/2026-W47``: how logs and summaries name the report."""
        return f"{self.report}/{self.key}/{self.period}"

    def has(self, relative: str) -> bool:
        return (self.folder / relative).is_file()

    def scorecards(self) -> list[str]:
        """Staff ids with a personal scorecard (``people/<staff_id>.pdf``), sorted."""
        folder = self.folder / SCORECARDS
        return sorted(p.stem for p in folder.glob("*.pdf")) if folder.is_dir() else []

    def link(self, link_base: str | None) -> str | None:
        """URL of report.html under ``link_base``; none without a base, an HTML file, or for a
        private report (personal outputs are never served)."""
        if not link_base or self.private or not self.has("report.html"):
            return None
        return f"{link_base}/" + "/".join(quote(part) for part in (self.report, self.key, self.period, "report.html"))


def read_report(folder: str | Path) -> PublishedReport:
    """The report published in ``folder``; :class:`DeliveryError` naming the folder when it is not one."""
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise DeliveryError(f"{folder} is not a folder: give published report folders such as "
                            "outputs/weekly_review/0071/2026-W47")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeliveryError(f"{folder} is not a published report folder: it has no {MANIFEST_NAME}") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"{path} cannot be read as JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise DeliveryError(f"{path} does not hold a run manifest (a JSON object)")
    missing = [k for k in ("report", "key", "period") if not isinstance(manifest.get(k), str) or not manifest[k]]
    if missing:
        raise DeliveryError(f"{path} lacks {', '.join(missing)}: it was not written by 'opsreport run'")
    headlines = manifest.get("headlines") or []
    if not isinstance(headlines, list):
        headlines = []
    lang = manifest.get("lang") if manifest.get("lang") in ("zh", "en") else "zh"
    return PublishedReport(
        folder=folder.resolve(),
        report=manifest["report"],
        key=manifest["key"],
        period=manifest["period"],
        title=str(manifest.get("title") or manifest["report"]),
        lang=lang,
        private=bool(manifest.get("private")),
        headlines=tuple(" ".join(str(h).split()) for h in headlines if str(h).strip()),
    )
