"""The Monday job end to end: ``opsreport run weekly_review --all-shops --workers 2 --deliver CONFIG``
in a subprocess, on the demo warehouse (shops 0071, 0142, 0388; week 2026-W47), against a real SMTP
server (STARTTLS + AUTH, self-signed certificate trusted through ca_file) and a local DingTalk bot.

What arrives is compared with what was published: each shop's email carries that shop's own
report.pdf and tables.xlsx byte for byte, its subject and body come from that shop's run.json,
each DingTalk post is signed as DingTalk checks it (recomputed here by hand). The same command run
again skips every unchanged report and sends nothing a second time. No secret reaches a line
printed or a file written under the output root.

One batch and one re-run per module (the render takes most of a minute); the tests read what they
recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from delivery_helpers import SMTP_PASSWORD, SMTP_USER, attachments, log_records, outbox, parse

pytestmark = pytest.mark.slow

SHOPS = ("0071", "0142", "0388")  # the demo warehouse's shops
WEEK = "2026-W47"
READERS = ["ops-lead@example.com", "analyst@example.com"]
LINK_BASE = "https://reports.example.com/outputs"
DING_TOKEN = "ding-token-monday-4c1e9b"
DING_SECRET = "SECding-secret-monday-77a0f3"
SECRETS = (SMTP_PASSWORD, DING_TOKEN, DING_SECRET)

CONFIG = """\
smtp:
  host: 127.0.0.1
  port: {port}
  username: {user}
  password_env: MONDAY_SMTP_PASSWORD
  sender: {{name: 运营报告, address: {user}}}
  security: starttls
  ca_file: {ca_file}
  timeout_s: 10
webhooks:
  management-dingtalk: {{kind: dingtalk, url_env: MONDAY_DINGTALK_URL, secret_env: MONDAY_DINGTALK_SECRET}}
routes:
  - family: weekly_review
    shops: "*"
    email: [{readers}]
    attach_workbook: true
    webhooks: [management-dingtalk]
link_base: {link_base}
retry: {{attempts: 1, backoff_s: 0}}
"""


@dataclass(frozen=True)
class Run:
    """One run of the command and what the servers received during it."""

    returncode: int
    stdout: str
    stderr: str
    messages: list  # Received, in arrival order
    posts: list  # HookRequest, in arrival order
    started_ms: int
    ended_ms: int
    log_lines: int  # lines of outputs/.delivery/delivery.log after the run


@dataclass(frozen=True)
class Monday:
    out: Path
    first: Run
    again: Run


def _run_command(command, env, smtp_server, hook_server, out) -> Run:
    smtp_server.reset()
    hook_server.reset()
    started_ms = int(time.time() * 1000)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    ended_ms = int(time.time() * 1000)
    return Run(result.returncode, result.stdout, result.stderr, list(smtp_server.messages), list(hook_server.requests),
               started_ms, ended_ms, len(log_records(out)))


@pytest.fixture(scope="module")
def monday(demo_warehouse, smtp_server, hook_server, tmp_path_factory) -> Monday:
    """The batch with delivery, then the same command again; the servers' records are copied per
    run (each test's autouse reset clears the servers' own lists)."""
    folder = tmp_path_factory.mktemp("monday")
    out = folder / "outputs"
    config = folder / "delivery.yaml"  # outside the repository, as the README asks of the real one
    config.write_text(CONFIG.format(port=smtp_server.port, user=SMTP_USER, ca_file=smtp_server.cert,
                                    readers=", ".join(READERS), link_base=LINK_BASE), encoding="utf-8")
    command = [sys.executable, "-m", "opsreport", "run", "weekly_review", "--all-shops", "--workers", "2",
               "--set", f"warehouse={demo_warehouse}", "--set", f"week={WEEK}", "--formats", "html,pdf,xlsx",
               "--out", str(out), "--deliver", str(config)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONDAY_SMTP_PASSWORD", SMTP_PASSWORD)
        mp.setenv("MONDAY_DINGTALK_URL", f"{hook_server.base}/ok/robot/send?access_token={DING_TOKEN}")
        mp.setenv("MONDAY_DINGTALK_SECRET", DING_SECRET)
        mp.setenv("OPSREPORT_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))  # as tests/conftest.py's
        for name in ("OPSREPORT_DELIVERY", "OPSREPORT_DEBUG"):
            mp.delenv(name, raising=False)
        env = dict(os.environ)
    first = _run_command(command, env, smtp_server, hook_server, out)
    assert first.returncode == 0, f"stdout:\n{first.stdout}\nstderr:\n{first.stderr}"
    again = _run_command(command, env, smtp_server, hook_server, out)
    return Monday(out, first, again)


def published(out: Path, shop: str) -> Path:
    return out / "weekly_review" / shop / WEEK


def manifest(out: Path, shop: str) -> dict:
    return json.loads((published(out, shop) / "run.json").read_text(encoding="utf-8"))


def shop_of_message(out: Path, message) -> str:
    """The shop whose published report.pdf is this message's PDF attachment."""
    pdfs = [data for name, data in attachments(message).items() if name.endswith(".pdf")]
    owners = [shop for shop in SHOPS if pdfs and (published(out, shop) / "report.pdf").read_bytes() == pdfs[0]]
    assert len(pdfs) == 1 and len(owners) == 1, f"PDF attachment matches no single shop's report: {owners}"
    return owners[0]


# ------------------------------------------------------------------------------------ the batch

def test_the_batch_renders_every_shop_then_delivers_each_once(monday):
    first = monday.first
    assert "batch on 2 local workers: 3 rendered, 0 skipped (unchanged), 0 failed" in first.stdout
    # 3 shops x (one email to the route's two readers + one DingTalk post) = 6 deliveries
    assert "delivery: 6 sent, 0 failed, 0 skipped" in first.stdout
    for shop in SHOPS:
        assert f"sent weekly_review/{shop}/{WEEK} by email to {', '.join(READERS)}" in first.stdout
        assert f"sent weekly_review/{shop}/{WEEK} to dingtalk webhook 'management-dingtalk'" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    assert outbox(monday.out) == []
    assert first.log_lines == 6


def test_each_shop_gets_one_email_with_its_own_published_pdf_and_workbook(monday):
    out, messages = monday.out, monday.first.messages
    assert len(messages) == 3  # the server takes a message only after STARTTLS and a good login
    assert all(m.rcpt_tos == READERS and m.mail_from == SMTP_USER for m in messages)
    by_shop = {shop_of_message(out, parse(m)): parse(m) for m in messages}
    assert sorted(by_shop) == list(SHOPS)  # one message per shop, none twice
    for shop, message in by_shop.items():
        folder = published(out, shop)
        title = manifest(out, shop)["title"]
        files = attachments(message)
        # the route asks for the workbook: the PDF and tables.xlsx, named after the title, nothing else
        assert files == {f"{title}-{WEEK}.pdf": (folder / "report.pdf").read_bytes(),
                         f"{title}-{WEEK}-tables.xlsx": (folder / "tables.xlsx").read_bytes()}
        assert files[f"{title}-{WEEK}-tables.xlsx"][:4] == b"PK\x03\x04"  # a real workbook, not an empty file


def test_each_email_says_its_reports_title_and_headlines(monday):
    out = monday.out
    titles = set()
    for received in monday.first.messages:
        message = parse(received)
        shop = shop_of_message(out, message)
        run_json = manifest(out, shop)
        title, headlines = run_json["title"], run_json["headlines"]
        titles.add(title)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title)  # a Chinese title, as the demo renders it
        assert 3 <= len(headlines) <= 5
        assert message["Subject"] == f"{title} · {WEEK}"  # decoded from RFC 2047
        raw_headers = received.data.split(b"\r\n\r\n", 1)[0]
        assert b"=?utf-8?" in raw_headers and title.encode() not in raw_headers  # encoded words on the wire
        text = message.get_body(("plain",)).get_content()
        for headline in headlines:
            assert f"- {' '.join(headline.split())}" in text
        assert f"{LINK_BASE}/weekly_review/{shop}/{WEEK}/report.html" in text
    assert len(titles) == 3  # each shop's own title


def test_each_shop_gets_one_signed_dingtalk_post_with_its_headlines(monday):
    first, out = monday.first, monday.out
    posts = first.posts
    assert len(posts) == 3 and all(p.path == "/ok/robot/send" for p in posts)
    seen = []
    for post in posts:
        assert post.content_type.startswith("application/json")
        assert post.query["access_token"] == [DING_TOKEN]
        stamp = post.query["timestamp"][0]
        assert first.started_ms <= int(stamp) <= first.ended_ms  # milliseconds, during the run
        # by hand: base64(HMAC-SHA256(key=secret, msg="timestamp\nsecret")); parse_qs undid the urlencode
        expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
        assert post.query["sign"] == [expected]

        body = post.body
        assert body["msgtype"] == "markdown"
        shop = next(s for s in SHOPS if body["markdown"]["title"] == f"{manifest(out, s)['title']} · {WEEK}")
        seen.append(shop)
        headlines = manifest(out, shop)["headlines"]
        assert body["markdown"]["text"] == "\n".join(
            [f"#### {manifest(out, shop)['title']} · {WEEK}", "", *(f"- {' '.join(h.split())}" for h in headlines),
             "", f"[查看完整报告]({LINK_BASE}/weekly_review/{shop}/{WEEK}/report.html)"])
    assert sorted(seen) == list(SHOPS)  # one post per shop, none twice


def test_no_secret_appears_in_output_lines_or_any_file_written(monday):
    printed = "\n".join([monday.first.stdout, monday.first.stderr, monday.again.stdout, monday.again.stderr])
    assert not [s for s in SECRETS if s in printed]
    files = [p for p in monday.out.rglob("*") if p.is_file()]
    assert (monday.out / ".delivery" / "delivery.log") in files  # the delivery log is among the files searched
    assert sum(p.name == "run.json" for p in files) == 3
    leaks = [(str(p.relative_to(monday.out)), s) for p in files for s in SECRETS if s.encode() in p.read_bytes()]
    assert leaks == []


# ------------------------------------------------------------------------------------ the re-run

def test_the_same_command_again_skips_every_report_and_sends_nothing(monday):
    again = monday.again
    assert again.returncode == 0, again.stderr
    for shop in SHOPS:
        assert f"skipped weekly_review {shop} {WEEK}: unchanged since " in again.stdout
    assert "batch on this process: 0 rendered, 3 skipped (unchanged), 0 failed" in again.stdout
    assert again.messages == [] and again.posts == []
    assert "sent " not in again.stdout
    assert again.log_lines == monday.first.log_lines  # not even a skip was logged as a delivery
    assert outbox(monday.out) == []
