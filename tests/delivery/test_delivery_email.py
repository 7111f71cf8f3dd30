"""Email delivery against a real SMTP server (aiosmtpd: STARTTLS required, AUTH required, a
self-signed certificate trusted through ca_file): what arrives is parsed and checked."""

import json
import re
from types import SimpleNamespace

import pytest

from typer.testing import CliRunner

from delivery_helpers import (SMTP_PASSWORD, all_kept_text, attachments, free_port, log_records, make_report, outbox,
                              parse, smtp_section)
from opsreport.delivery import deliver, parse_config

TITLE = "悦颜美妆天猫旗舰店 · 运营周报复盘"
HEADLINES = ["GMV 128.4 万元，环比 -6.2%。", "转化率下降 0.8 个百分点，主要在无线端。", "SKU 1002 缺货 3 天。"]
ENV = {"TEST_SMTP_PASSWORD": SMTP_PASSWORD}


def config_for(server, *, routes, retry=None, env=ENV, **smtp):
    data = {"smtp": smtp_section(server, **smtp), "routes": routes, "link_base": "https://reports.example.com/outputs",
            "retry": retry or {"attempts": 2, "backoff_s": 0}}
    return parse_config(data, env=env)


def test_each_route_gets_one_message_with_subject_headlines_link_and_attachments(smtp_server, tmp_path):
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title=TITLE, headlines=HEADLINES)
    config = config_for(smtp_server, routes=[
        {"family": "weekly_review", "shops": "*", "email": ["lead@example.com", "analyst@example.com"],
         "attach_workbook": True},
        {"family": "weekly_review", "shops": ["0071"], "email": ["shop-0071@example.com"]},
        {"family": "weekly_review", "shops": ["0142"], "email": ["shop-0142@example.com"]},  # another shop
    ])
    echoed = []
    outcome = deliver([folder], config, out_root=out, echo=echoed.append, env=ENV)

    assert (outcome.sent, outcome.failed, outcome.skipped) == (2, 0, 0)  # routes 1 and 2 match 0071; route 3 not
    assert echoed == list(outcome.lines) and len(outcome.lines) == 2
    assert [m.rcpt_tos for m in smtp_server.messages] == [["lead@example.com", "analyst@example.com"],
                                                          ["shop-0071@example.com"]]
    first, second = (parse(m) for m in smtp_server.messages)
    assert first["To"] == "lead@example.com, analyst@example.com"  # every recipient of the route in To
    assert first["Subject"] == f"{TITLE} · 2026-W47"  # decoded from RFC 2047
    raw_headers = smtp_server.messages[0].data.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in raw_headers and TITLE.encode() not in raw_headers  # encoded words on the wire
    assert first["From"].addresses[0].display_name == "运营报告"
    assert first["From"].addresses[0].addr_spec == "reports@example.com"

    text = first.get_body(("plain",)).get_content()
    for line in HEADLINES:
        assert f"- {line}" in text
    assert "https://reports.example.com/outputs/weekly_review/0071/2026-W47/report.html" in text
    html = first.get_body(("html",)).get_content()
    assert f"<li>{HEADLINES[0]}</li>" in html and 'href="https://reports.example.com/outputs/weekly_review' in html

    pdf_name = f"{TITLE}-2026-W47.pdf"
    files = attachments(first)
    assert set(files) == {pdf_name, f"{TITLE}-2026-W47-tables.xlsx"}  # route 1 asks for the workbook
    assert files[pdf_name] == (folder / "report.pdf").read_bytes()
    assert files[f"{TITLE}-2026-W47-tables.xlsx"] == (folder / "tables.xlsx").read_bytes()
    # RFC 2231 for the Chinese file name (split in continuations: filename*0*=utf-8''%E6%82%A6...)
    assert re.search(rb"filename\*(0\*)?=utf-8''%E6%82%A6", smtp_server.messages[0].data)
    pdf_part = next(p for p in first.iter_attachments() if p.get_filename() == pdf_name)
    assert pdf_part.get_content_type() == "application/pdf"

    assert set(attachments(second)) == {pdf_name}  # route 2: no workbook
    assert second["To"] == "shop-0071@example.com"

    records = log_records(out)
    assert [(r["channel"], r["outcome"], r["attempt"]) for r in records] == [("email", "sent", 1), ("email", "sent", 1)]
    assert records[0]["folder"] == "weekly_review/0071/2026-W47" and records[0]["to"] == ["lead@example.com",
                                                                                           "analyst@example.com"]
    assert outbox(out) == []


def test_a_report_without_headlines_says_so_and_without_link_base_has_no_link(smtp_server, tmp_path):
    out = tmp_path / "outputs"
    folder = make_report(out, "promo_retrospective", "0071-2026-double11", "2026-11-11", title="Double 11 retrospective",
                         headlines=None, lang="en", workbook=False)
    config = parse_config({"smtp": smtp_section(smtp_server), "retry": {"attempts": 1, "backoff_s": 0},
                           "routes": [{"family": "promo_retrospective", "email": ["promo@example.com"],
                                       "attach_workbook": True}]}, env=ENV)
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=ENV)
    assert outcome.sent == 1
    message = parse(smtp_server.messages[0])
    text = message.get_body(("plain",)).get_content()
    assert "No headlines were recorded for this report" in text
    assert "http" not in text  # no link_base: no link
    assert message["Subject"] == "Double 11 retrospective · 2026-11-11"
    assert set(attachments(message)) == {"Double 11 retrospective-2026-11-11.pdf"}  # no workbook was rendered


def test_a_refused_login_is_retried_logged_kept_and_sent_later_by_retry(smtp_server, tmp_path, monkeypatch):
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0388", "2026-W47", title=TITLE, headlines=HEADLINES)
    wrong = {"TEST_SMTP_PASSWORD": "wrong-password-xyz"}
    config = config_for(smtp_server, env=wrong, retry={"attempts": 3, "backoff_s": 0},
                        routes=[{"family": "weekly_review", "email": ["lead@example.com"]}])
    echoed = []
    outcome = deliver([folder], config, out_root=out, echo=echoed.append, env=wrong)

    assert (outcome.sent, outcome.failed) == (0, 1)
    assert len(smtp_server.auth_sessions) == 3 and not any(smtp_server.auth_sessions.values())  # 3 refused logins
    assert smtp_server.messages == []
    records = log_records(out)
    assert [(r["outcome"], r["attempt"]) for r in records] == [("retry", 1), ("retry", 2), ("failed", 3)]
    assert "535" in records[-1]["error"] and "refused" in records[-1]["error"]
    assert len(outbox(out)) == 1
    entry = json.loads(outbox(out)[0].read_text(encoding="utf-8"))
    assert entry["attempts"] == 3 and entry["delivery"]["to"] == ["lead@example.com"]
    assert "FAILED weekly_review/0388/2026-W47" in outcome.lines[0] and "--retry" in outcome.lines[0]
    assert (folder / "report.pdf").exists()  # the report stays published
    kept = all_kept_text(out) + "\n".join(echoed) + repr(outcome)
    assert "wrong-password-xyz" not in kept and SMTP_PASSWORD not in kept

    # later, with the right password in the environment: `opsreport deliver --retry` sends it
    import typer

    from opsreport.delivery.cli import deliver_command

    config_file = tmp_path / "delivery.yaml"
    config_file.write_text(json.dumps({"smtp": smtp_section(smtp_server), "retry": {"attempts": 2, "backoff_s": 0},
                                       "routes": [{"family": "weekly_review", "email": ["lead@example.com"]}]}),
                           encoding="utf-8")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("deliver")(deliver_command)
    result = CliRunner().invoke(app, ["deliver", "--retry", "--deliver", str(config_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "sent weekly_review/0388/2026-W47 by email to lead@example.com" in result.output
    assert "delivery: 1 sent, 0 failed, 0 skipped" in result.output
    assert outbox(out) == []
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0].rcpt_tos == ["lead@example.com"]
    assert attachments(parse(smtp_server.messages[0]))[f"{TITLE}-2026-W47.pdf"] == (folder / "report.pdf").read_bytes()
    assert (log_records(out)[-1]["outcome"], log_records(out)[-1]["attempt"]) == ("sent", 4)  # 3 before + 1 now
    assert SMTP_PASSWORD not in all_kept_text(out) + result.output


def test_the_server_certificate_is_verified(smtp_server, tmp_path):
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title=TITLE, headlines=HEADLINES)
    config = config_for(smtp_server, ca_file=None, retry={"attempts": 1, "backoff_s": 0},
                        routes=[{"family": "weekly_review", "email": ["lead@example.com"]}])
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=ENV)
    assert outcome.failed == 1 and smtp_server.messages == [] and smtp_server.auth_sessions == {}  # no AUTH sent
    assert "certificate" in outcome.lines[0] and "ca_file" in outcome.lines[0]


def test_an_unreachable_server_fails_with_its_address_and_leaves_the_others(smtp_server, hook_server, tmp_path):
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title=TITLE, headlines=HEADLINES)
    env = {**ENV, "TEST_HOOK": f"{hook_server.base}/ok/wecom?key=WECOMKEY-0123456789"}
    closed = smtp_server.port + 1 if smtp_server.port < 65535 else smtp_server.port - 1
    config = parse_config({"smtp": smtp_section(smtp_server, port=closed, timeout_s=2),
                           "webhooks": {"ops": {"kind": "wecom", "url_env": "TEST_HOOK"}},
                           "retry": {"attempts": 2, "backoff_s": 0},
                           "routes": [{"family": "weekly_review", "email": ["lead@example.com"], "webhooks": ["ops"]}]},
                          env=env)
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    assert (outcome.sent, outcome.failed) == (1, 1)  # the bot still got its post
    assert f"127.0.0.1:{closed}" in outcome.lines[0]
    assert len(hook_server.requests) == 1
    assert "WECOMKEY-0123456789" not in all_kept_text(out) + "\n".join(outcome.lines)


def _extra_server(tls_cert, **kwargs):
    """A second SMTP server for one test: implicit TLS, or one that offers no STARTTLS."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    received = []

    class Handler:
        async def handle_DATA(self, srv, session, envelope):
            received.append(envelope.rcpt_tos)
            return "250 OK"

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_cert)
    logins = []
    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port(),
                            authenticator=lambda *args: logins.append(args[-1]) or AuthResult(success=True),
                            **{k: (context if v == "context" else v) for k, v in kwargs.items()})
    return controller, received, logins


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is TLS from the first byte
def test_implicit_tls_sends_with_security_tls(tls_cert, tmp_path):
    controller, received, logins = _extra_server(tls_cert, ssl_context="context", auth_required=True,
                                                 auth_require_tls=False)  # the whole connection is TLS
    controller.start()
    try:
        out = tmp_path / "outputs"
        folder = make_report(out, "weekly_review", "0071", "2026-W47", title=TITLE, headlines=HEADLINES)
        config = parse_config({"smtp": {**smtp_section(SimpleNamespace(port=controller.port, cert=tls_cert[0])),
                                        "security": "tls"},
                               "retry": {"attempts": 1, "backoff_s": 0},
                               "routes": [{"family": "weekly_review", "email": ["lead@example.com"]}]}, env=ENV)
        outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=ENV)
    finally:
        controller.stop()
    assert outcome.sent == 1 and received == [["lead@example.com"]] and len(logins) == 1


def test_a_server_without_starttls_never_sees_the_password(tls_cert, tmp_path):
    controller, received, logins = _extra_server(tls_cert, auth_require_tls=False)  # plain text, offers AUTH
    controller.start()
    try:
        out = tmp_path / "outputs"
        folder = make_report(out, "weekly_review", "0071", "2026-W47", title=TITLE, headlines=HEADLINES)
        config = parse_config({"smtp": smtp_section(SimpleNamespace(port=controller.port, cert=tls_cert[0])),
                               "retry": {"attempts": 1, "backoff_s": 0},
                               "routes": [{"family": "weekly_review", "email": ["lead@example.com"]}]}, env=ENV)
        outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=ENV)
    finally:
        controller.stop()
    assert outcome.failed == 1 and received == [] and logins == []  # no AUTH in clear text
    assert "STARTTLS" in outcome.lines[0]
