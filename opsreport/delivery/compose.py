"""What a delivery says: the email message and each group bot's markdown payload (pure functions).

Email: ``email.message.EmailMessage`` with the default policy, which writes non-ASCII headers
as RFC 2047 encoded words (the Chinese subject and sender name survive any server) and
non-ASCII attachment names as RFC 2231 parameters (``filename*=utf-8''...``). The body is
plain text with a simple HTML alternative: the headlines as a list, the link when there is one.

Group bots (their documented custom-robot formats):

- WeCom ``{"msgtype": "markdown", "markdown": {"content": ...}}``;
- DingTalk ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``; signed with
  query parameters ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(key=secret,
  msg="{timestamp}\\n{secret}")));
- Feishu an ``interactive`` card with a header and one markdown element; signed with body
  fields ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")).

Personal scorecards carry only their owner's file and never the team's headlines (which may
name other people); personal reports carry no link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote_plus

import yaml

from .config import Sender
from .plan import Delivery
from .report import PublishedReport

__all__ = [
    "attachment_name", "dingtalk_payload", "dingtalk_sign", "email_message", "feishu_payload",
    "feishu_sign", "say", "webhook_payload", "wecom_payload",
]

_MIME = {".pdf": ("application", "pdf"), ".html": ("text", "html"),
         ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')  # not allowed in a file name on Windows or in mail clients


@cache
def _messages() -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath("messages.yaml").read_text("utf-8"))


def say(key: str, lang: str, **values: object) -> str:
    entry = _messages()[key]
    return entry.get(lang, entry["en"]).format(**values)


def subject(report: PublishedReport, delivery: Delivery | None = None) -> str:
    text = f"{report.title} · {report.period}"
    return f"{text} · {delivery.staff_id}" if delivery is not None and delivery.staff_id else text


def attachment_name(report: PublishedReport, relative: str) -> str:
    """A readable file name: ``<title>-<period>.pdf``; a scorecard ``<title>-<period>-<staff_id>.pdf``."""
    path = Path(relative)
    stem = f"{report.title}-{report.period}"
    if path.parent.name:  # people/<staff_id>.pdf
        stem += f"-{path.stem}"
    elif path.stem == "tables":
        stem += "-tables"
    return _UNSAFE.sub("_", stem).strip(" .") + path.suffix


def _body(report: PublishedReport, delivery: Delivery) -> tuple[str, list[str], list[str]]:
    """(intro, headline items, closing sentences) of an email; the link is added by each format."""
    lang = report.lang
    if delivery.staff_id is not None:
        intro = say("scorecard", lang, staff_id=delivery.staff_id, period=report.period, title=report.title)
        # the director's own scorecard has no Cc and is still addressed to its owner
        closing = [say("scorecard_private" if delivery.owner_addressed else "scorecard_no_address", lang,
                       staff_id=delivery.staff_id)]
        return intro, [], closing
    closing = []
    if not report.headlines:
        closing.append(say("no_headlines", lang))
    if "report.pdf" not in delivery.files:
        closing.append(say("no_pdf", lang))
    if report.private:
        closing.append(say("team_private", lang))
    return say("intro", lang, title=report.title, period=report.period), list(report.headlines), closing


def email_message(report: PublishedReport, delivery: Delivery, sender: Sender, link: str | None) -> EmailMessage:
    """The message of an email ``delivery`` (attachments read from the report folder)."""
    lang = report.lang
    intro, items, closing = _body(report, delivery)
    msg = EmailMessage()
    msg["Subject"] = subject(report, delivery)
    msg["From"] = Address(display_name=sender.name, addr_spec=sender.address)
    msg["To"] = ", ".join(delivery.to)
    if delivery.cc:
        msg["Cc"] = ", ".join(delivery.cc)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.address.rpartition("@")[2])
    text = [intro, ""]
    if items:
        text += [say("headlines", lang), *(f"- {h}" for h in items), ""]
    text += closing + ([say("link", lang, link=link)] if link else [])
    msg.set_content("\n".join(text) + "\n")
    esc = html.escape
    page = [f"<p>{esc(intro)}</p>"]
    if items:
        page.append(f"<p>{esc(say('headlines', lang))}</p><ul>" + "".join(f"<li>{esc(h)}</li>" for h in items) + "</ul>")
    page += [f"<p>{esc(line)}</p>" for line in closing]
    if link:
        page.append(f'<p><a href="{esc(link, quote=True)}">{esc(say("link_label", lang))}</a></p>')
    msg.add_alternative(f'<!DOCTYPE html><html lang="{lang}"><body>{"".join(page)}</body></html>', subtype="html")
    for relative in delivery.files:
        path = _inside(report.folder, relative)
        maintype, subtype = _MIME.get(path.suffix, ("application", "octet-stream"))
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=attachment_name(report, relative))
    return msg


def _inside(folder: Path, relative: str) -> Path:
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise ValueError(f"attachment {relative} is outside the report folder {folder}")
    return path


# ------------------------------------------------------------------------------------------ bots

#: A group message shows at most this many headlines (WeCom's markdown holds 4,096 bytes; a
#: group reads a few lines): the rest are counted and left to the report.
BOT_HEADLINES = 5


def _markdown_lines(report: PublishedReport, link: str | None) -> list[str]:
    shown = report.headlines[:BOT_HEADLINES]
    lines = [f"- {h}" for h in shown] or [say("no_headlines_short", report.lang)]
    if len(report.headlines) > len(shown):
        lines.append(say("more_headlines", report.lang, count=len(report.headlines) - len(shown)))
    if link:
        lines += ["", f"[{say('link_label', report.lang)}]({link})"]
    return lines


def wecom_payload(report: PublishedReport, link: str | None) -> dict:
    content = "\n".join([f"**{report.title}** · {report.period}", *_markdown_lines(report, link)])
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(report: PublishedReport, link: str | None) -> dict:
    title = subject(report)
    text = "\n".join([f"#### {title}", "", *_markdown_lines(report, link)])
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def feishu_payload(report: PublishedReport, link: str | None) -> dict:
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": subject(report)}, "template": "blue"},
            "elements": [{"tag": "markdown", "content": "\n".join(_markdown_lines(report, link))}],
        },
    }


def webhook_payload(kind: str, report: PublishedReport, link: str | None) -> dict:
    return {"wecom": wecom_payload, "dingtalk": dingtalk_payload, "feishu": feishu_payload}[kind](report, link)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` query value (already URL-encoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign`` body field: the HMAC of an empty message keyed by "timestamp\\nsecret"."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
