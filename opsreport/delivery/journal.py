"""The delivery log and the outbox, both under ``<out_root>/.delivery/`` (owner-only: they name
recipients and personal reports).

- ``delivery.log``: JSON lines, one per attempt or decision: time, report folder, channel,
  recipients or webhook *name*, attempt, outcome (sent, retry, failed, skipped), error text.
  Never a password, URL or token: error texts are scrubbed before they get here.
- ``outbox/<id>.json``: a delivery still failing after its attempts, as its plan
  (:class:`~opsreport.delivery.plan.Delivery`), not its message: ``opsreport deliver --retry``
  rebuilds the message from the published folder and sends it, and removes the entry once sent.

The folder name starts with a dot, so it is never taken for a report (``report_dir`` refuses
such names) nor listed in ``outputs/index.html``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .plan import Delivery

__all__ = ["Journal", "OutboxEntry"]

FOLDER = ".delivery"
LOG_NAME = "delivery.log"
OUTBOX = "outbox"


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class OutboxEntry:
    path: Path
    delivery: Delivery
    attempts: int  # attempts made so far, over every run
    error: str


class Journal:
    """The log and outbox of one output root."""

    def __init__(self, out_root: str | Path):
        self.out_root = Path(out_root)
        self.folder = self.out_root / FOLDER
        self.log_path = self.folder / LOG_NAME
        self.outbox = self.folder / OUTBOX

    def _ensure(self) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        for folder in (self.folder, self.outbox):
            os.chmod(folder, 0o700)

    def where(self, folder: str | Path) -> str:
        """A report folder as logs say it: relative to the output root when inside it."""
        try:
            return Path(folder).resolve().relative_to(self.out_root.resolve()).as_posix()
        except ValueError:
            return str(folder)

    def log(self, delivery: Delivery | None, *, folder: str | Path, outcome: str, attempt: int | None = None,
            error: str | None = None, channel: str | None = None, note: str | None = None) -> None:
        self._ensure()
        record: dict[str, Any] = {"time": _now(), "folder": self.where(folder),
                                  "channel": channel or (delivery.channel if delivery else None)}
        if delivery is not None:
            if delivery.webhook:
                record["webhook"] = delivery.webhook
            else:
                record["to"] = list(delivery.to)
                if delivery.cc:
                    record["cc"] = list(delivery.cc)
            if delivery.staff_id:
                record["staff_id"] = delivery.staff_id
        if attempt is not None:
            record["attempt"] = attempt
        record["outcome"] = outcome
        if error:
            record["error"] = error
        if note:
            record["note"] = note
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:  # one write per line: safe with other writers
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def keep(self, delivery: Delivery, *, attempts: int, error: str, path: Path | None = None) -> Path:
        """Put (or update) ``delivery`` in the outbox; return its file."""
        self._ensure()
        path = path or self.outbox / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.json"
        body = {"delivery": delivery.to_json(), "attempts": attempts, "error": error, "updated": _now()}
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)  # a reader never sees half an entry
        return path

    def pending(self) -> list[OutboxEntry]:
        """The outbox, oldest first; an unreadable entry is left where it is and logged."""
        entries = []
        for path in sorted(self.outbox.glob("*.json")) if self.outbox.is_dir() else []:
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
                entries.append(OutboxEntry(path, Delivery.from_json(body["delivery"]), int(body.get("attempts", 0)),
                                           str(body.get("error", ""))))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self.log(None, folder=path, outcome="skipped", error=f"unreadable outbox entry: {exc}")
        return entries

    def done(self, entry: OutboxEntry) -> None:
        entry.path.unlink(missing_ok=True)
