"""Sending: one email through SMTP, one post to a group bot. One attempt each; retries are the caller's.

SMTP: connect, STARTTLS with a verifying SSL context (the system's CAs, or ``ca_file`` for a
private CA; the host name is checked), EHLO again, AUTH, send. ``security: tls`` connects with
implicit TLS instead (port 465); ``none`` only reaches a relay that needs no login.

Secrets (the SMTP password, a webhook's URL and signing secret) are read from the environment
here, at the moment of sending, and every error text leaving this module has them replaced by
``***``: a server may echo a URL, an exception may quote it.

``smtplib``, ``ssl`` and ``httpx`` are imported when a message is sent, not when the package is.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping

from .compose import dingtalk_sign, email_message, feishu_sign, webhook_payload
from .config import DeliveryConfig, Webhook
from .plan import Delivery
from .report import PublishedReport

__all__ = ["SendError", "scrub", "send", "send_email", "send_webhook", "url_secrets"]


class SendError(Exception):
    """One attempt failed; the text is safe to log (no secret in it)."""


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret (and its URL-encoded form) replaced by ``***``, on one line."""
    from urllib.parse import quote, quote_plus

    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    return " ".join(text.split())[:500]


def send(delivery: Delivery, report: PublishedReport, config: DeliveryConfig,
         env: Mapping[str, str] | None = None) -> None:
    """One attempt at ``delivery``; :class:`SendError` when it fails."""
    env = os.environ if env is None else env
    link = report.link(config.link_base)
    if delivery.channel == "email":
        send_email(delivery, report, config, env, link)
    elif delivery.channel == "webhook":
        hook = config.webhooks.get(delivery.webhook or "")
        if hook is None:
            raise SendError(f"webhook '{delivery.webhook}' is no longer defined in {config.source}")
        send_webhook(hook, report, link, env)
    else:
        raise SendError(f"unknown channel {delivery.channel!r}")


def send_email(delivery: Delivery, report: PublishedReport, config: DeliveryConfig,
               env: Mapping[str, str], link: str | None) -> None:
    import smtplib
    import ssl

    smtp = config.smtp
    if smtp is None:
        raise SendError(f"no 'smtp' section in {config.source}: email cannot be sent")
    password = env.get(smtp.password_env) if smtp.password_env else None
    if smtp.password_env and not password:
        raise SendError(f"environment variable {smtp.password_env} (the SMTP password) is not set")
    if password and not password.isascii():  # smtplib's AUTH encodes ASCII only
        raise SendError(f"the SMTP password in {smtp.password_env} has non-ASCII characters, which SMTP login "
                        "(smtplib) cannot send: use an ASCII password or an app password")
    try:
        message = email_message(report, delivery, smtp.sender, link)
    except (OSError, ValueError) as exc:
        raise SendError(f"cannot build the message from {report.folder}: {exc}") from None
    try:
        context = ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise SendError(f"ca_file {smtp.ca_file} cannot be used: {exc}") from None
    try:
        if smtp.security == "tls":
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
        with server:
            server.ehlo()
            if smtp.security == "starttls":
                server.starttls(context=context)  # raises when the server does not offer it
                server.ehlo()
            if smtp.username:
                server.login(smtp.username, password or "")
            refused = server.send_message(message)
        if refused:
            raise SendError("the server refused " + ", ".join(f"{a} ({c} {m.decode(errors='replace')})"
                                                             for a, (c, m) in refused.items()))
    except SendError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(scrub(f"SMTP login as {smtp.username} at {smtp.host}:{smtp.port} refused: "
                              f"{exc.smtp_code} {_text(exc.smtp_error)} (check username and the password in "
                              f"{smtp.password_env})", [password])) from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(scrub(f"SMTP server {smtp.host}:{smtp.port} answered {exc.smtp_code} "
                              f"{_text(exc.smtp_error)}", [password])) from None
    except ssl.SSLCertVerificationError as exc:
        raise SendError(f"the certificate of {smtp.host}:{smtp.port} cannot be verified ({exc.verify_message}); "
                        "if a private CA signed it, give its PEM file as smtp.ca_file") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(scrub(f"SMTP server {smtp.host}:{smtp.port}: {type(exc).__name__}: {exc}", [password])) from None


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def send_webhook(hook: Webhook, report: PublishedReport, link: str | None, env: Mapping[str, str]) -> None:
    import httpx

    url = env.get(hook.url_env)
    secret = env.get(hook.secret_env) if hook.secret_env else None
    secrets = [url, secret, *url_secrets(url)]
    if not url:
        raise SendError(f"environment variable {hook.url_env} (the {hook.kind} webhook URL) is not set")
    if hook.secret_env and not secret:
        raise SendError(f"environment variable {hook.secret_env} (the {hook.kind} signing secret) is not set")
    payload = webhook_payload(hook.kind, report, link)
    if secret and hook.kind == "dingtalk":
        stamp = int(time.time() * 1000)
        url = f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
    elif secret and hook.kind == "feishu":
        stamp = int(time.time())
        payload = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **payload}
    try:
        response = httpx.post(url, content=json.dumps(payload, ensure_ascii=False).encode(),
                              headers={"Content-Type": "application/json; charset=utf-8"}, timeout=hook.timeout_s)
    except httpx.HTTPError as exc:
        raise SendError(scrub(f"{hook.kind} webhook unreachable: {type(exc).__name__}: {exc}", secrets)) from None
    if not 200 <= response.status_code < 300:
        raise SendError(scrub(f"{hook.kind} webhook answered HTTP {response.status_code}: {response.text[:200]}", secrets))
    try:
        answer = response.json()
    except ValueError:
        raise SendError(scrub(f"{hook.kind} webhook answered something other than JSON: {response.text[:200]}",
                              secrets)) from None
    code_key, text_key = ("code", "msg") if hook.kind == "feishu" else ("errcode", "errmsg")
    code = answer.get(code_key, answer.get("StatusCode", 0)) if isinstance(answer, dict) else None
    if code != 0:
        text = answer.get(text_key, "") if isinstance(answer, dict) else answer
        raise SendError(scrub(f"{hook.kind} webhook refused the message: {code_key} {code} {text}", secrets))


def url_secrets(url: str | None) -> list[str]:
    """The query values of a webhook URL (WeCom's key, DingTalk's access_token) and its last path
    segment (Feishu's hook id): each is a credential on its own."""
    if not url:
        return []
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    values = [v for _, v in parse_qsl(parts.query)]
    tail = parts.path.rstrip("/").rpartition("/")[2]
    return values + ([tail] if len(tail) >= 8 else [])
