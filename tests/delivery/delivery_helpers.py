"""Helpers of the delivery tests: published report folders built by hand, the test SMTP account."""

from __future__ import annotations

import json
from pathlib import Path

SMTP_USER = "reports@example.com"
SMTP_PASSWORD = "s3cret-Pa55word-do-not-leak"  # must never appear in a log, outbox, line or error


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -------------------------------------------------------------------------------- report folders

def make_report(out_root: Path, report: str, key: str, period: str, *, title: str, headlines=None,
                private: bool = False, lang: str = "zh", workbook: bool = True, html: bool = True,
                people: tuple[str, ...] = ()) -> Path:
    """A published folder ``out_root/report/key/period`` with small fake files whose bytes are
    distinct per file (so a test can tell which file an attachment is)."""
    folder = out_root / report / key / period
    folder.mkdir(parents=True)
    files = {"report.pdf": b"%PDF-1.7\n" + f"{report}/{key}/{period} team".encode() + b"\n%%EOF\n"}
    if html:
        files["report.html"] = f"<html><body>{title}</body></html>".encode()
    if workbook:
        files["tables.xlsx"] = b"PK\x03\x04" + f"workbook {key}".encode()
    for staff_id in people:
        files[f"people/{staff_id}.pdf"] = b"%PDF-1.7\n" + f"scorecard of {staff_id}".encode() + b"\n%%EOF\n"
        files[f"people/{staff_id}.html"] = f"<html><body>scorecard of {staff_id}</body></html>".encode()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    manifest = {"report": report, "title": title, "key": key, "period": period, "lang": lang, "private": private,
                "files": {name: len(data) for name, data in files.items()}}
    if headlines is not None:
        manifest["headlines"] = list(headlines)
    (folder / "run.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


def smtp_section(server, **overrides) -> dict:
    return {"host": "127.0.0.1", "port": server.port, "username": SMTP_USER, "password_env": "TEST_SMTP_PASSWORD",
            "sender": {"name": "运营报告", "address": SMTP_USER}, "ca_file": str(server.cert), "timeout_s": 5,
            **overrides}


def parse(received):
    """The message an SMTP server received, parsed with the modern policy (decoded headers)."""
    from email import message_from_bytes, policy

    return message_from_bytes(received.data, policy=policy.default)


def attachments(message) -> dict[str, bytes]:
    """File name (decoded) -> bytes of every attachment."""
    return {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}


def log_records(out_root: Path) -> list[dict]:
    path = out_root / ".delivery" / "delivery.log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def outbox(out_root: Path) -> list[Path]:
    return sorted((out_root / ".delivery" / "outbox").glob("*.json"))


def all_kept_text(out_root: Path) -> str:
    """Everything delivery wrote under the output root (log and outbox), as one text."""
    folder = out_root / ".delivery"
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())
