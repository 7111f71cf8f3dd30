"""``opsreport deliver``: bad input stops with one paragraph and exit code 2 before anything is
sent; failed deliveries leave exit code 4; importing the command stays light."""

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from delivery_helpers import SMTP_PASSWORD, make_report, outbox, smtp_section
from opsreport.delivery.cli import deliver_command

app = typer.Typer()
app.callback()(lambda: None)  # a group, as in opsreport/cli.py: `deliver` is a sub-command
app.command("deliver")(deliver_command)


def invoke(*args, env=None):
    return CliRunner().invoke(app, ["deliver", *args], env=env)


@pytest.fixture
def config_file(tmp_path, smtp_server):
    path = tmp_path / "delivery.yaml"
    path.write_text(json.dumps({"smtp": smtp_section(smtp_server), "retry": {"attempts": 1, "backoff_s": 0},
                                "routes": [{"family": "weekly_review", "email": ["lead@example.com"]}]}),
                    encoding="utf-8")
    return path


def test_help():
    result = invoke("--help")
    assert result.exit_code == 0 and "--retry" in result.output and "--deliver" in result.output


@pytest.mark.parametrize("args, message", [
    ([], "give the published report folders to deliver"),
    (["--retry", "{folder}"], "give report folders or --retry, not both"),
    (["{folder}"], "no delivery config: give --deliver PATH or set OPSREPORT_DELIVERY"),
    (["{empty}", "--deliver", "{config}"], "is not a published report folder: it has no run.json"),
    (["{folder}", "--deliver", "{missing}"], "delivery config file not found"),
])
def test_bad_input_is_one_paragraph_and_sends_nothing(tmp_path, smtp_server, config_file, args, message, monkeypatch):
    monkeypatch.delenv("OPSREPORT_DELIVERY", raising=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title="t", headlines=["h"])
    (tmp_path / "empty").mkdir()
    values = {"folder": folder, "config": config_file, "empty": tmp_path / "empty", "missing": tmp_path / "nope.yaml"}
    result = invoke(*[a.format(**values) for a in args], "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert smtp_server.messages == [] and not (out / ".delivery").exists()


def test_the_environment_names_the_config_and_a_failure_exits_4(tmp_path, smtp_server, config_file, monkeypatch):
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title="t", headlines=["h"])
    monkeypatch.setenv("OPSREPORT_DELIVERY", str(config_file))
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "not-the-password")
    result = invoke(str(folder), "--out", str(out))
    assert result.exit_code == 4, result.output
    assert "delivery: 0 sent, 1 failed, 0 skipped" in result.output
    assert "the reports stay published" in result.output and "not-the-password" not in result.output
    assert len(outbox(out)) == 1

    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    assert invoke(str(folder), "--out", str(out)).exit_code == 0
    assert len(smtp_server.messages) == 1


def test_a_config_error_is_printed_without_the_secret(tmp_path, monkeypatch):
    path = tmp_path / "delivery.yaml"
    path.write_text("smtp: {host: h.example.com, prot: 25, username: u, password_env: T_PASS, "
                    "sender: {name: n, address: a@example.com}}\n", encoding="utf-8")
    monkeypatch.setenv("T_PASS", "hunter2-secret")
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title="t", headlines=["h"])
    result = invoke(str(folder), "--deliver", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert "line 1, smtp.prot: unknown key 'prot'" in result.output and "hunter2-secret" not in result.output


def test_an_empty_outbox_is_said(tmp_path, config_file, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    result = invoke("--retry", "--deliver", str(config_file), "--out", str(tmp_path / "outputs"))
    assert result.exit_code == 0 and "is empty: nothing to send" in result.output


def test_importing_the_command_stays_light():
    code = ("import sys, opsreport.delivery.cli, opsreport.delivery; "
            "heavy = {'smtplib', 'httpx', 'ssl', 'pandas', 'ibis'} & set(sys.modules); print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
