"""Appraisals reach only their own person and the director: the team report to the director, each
scorecard in its own message to its person (director in Cc), nothing to a bot, no link."""

import pytest

from delivery_helpers import SMTP_PASSWORD, attachments, log_records, make_report, parse, smtp_section
from opsreport.delivery import deliver, parse_config
from opsreport.delivery.plan import Delivery, Plan, check_private, plan_report
from opsreport.delivery.report import read_report

ENV = {"TEST_SMTP_PASSWORD": SMTP_PASSWORD}
DIRECTOR = "director@example.com"
PEOPLE = {"E002": "wang.fang@example.com", "E003": "li.na@example.com"}  # E004 has no address
TEAM_HEADLINES = ["E003 王芳 scored lowest (61 points).", "Average 78 points."]


def appraisal_config(server, hook_base, **route):
    env = {**ENV, "HOOK": f"{hook_base}/ok/cgi-bin/webhook/send?key=team-bot-key-1234"}
    return parse_config({
        "smtp": smtp_section(server),
        "webhooks": {"team-bot": {"kind": "wecom", "url_env": "HOOK"}},
        "routes": [{"family": "weekly_review", "email": ["ops@example.com"], "webhooks": ["team-bot"]},
                   {"family": "appraisal", "shops": ["ops-east"], **route}],
        "link_base": "https://reports.example.com/outputs",
        "retry": {"attempts": 1, "backoff_s": 0},
        "appraisal": {"director": DIRECTOR, "people": PEOPLE},
    }, env=env), env


@pytest.fixture
def appraisal_folder(tmp_path):
    return make_report(tmp_path / "outputs", "appraisal", "ops-east", "2026-Q3", title="ops-east · 运营考核",
                       headlines=TEAM_HEADLINES, private=True, people=("E002", "E003", "E004"))


def test_each_person_gets_only_their_scorecard_and_the_director_the_team_report(
        smtp_server, hook_server, tmp_path, appraisal_folder):
    out = tmp_path / "outputs"
    config, env = appraisal_config(smtp_server, hook_server.base, attach_workbook=True)
    outcome = deliver([appraisal_folder], config, out_root=out, echo=lambda _: None, env=env)

    # team report + 3 scorecards sent; E004 has no address: noted, its card went to the director only
    assert (outcome.sent, outcome.failed, outcome.skipped) == (4, 0, 1)
    assert any("no address for E004" in line for line in outcome.lines)
    assert hook_server.requests == []  # never to a group bot
    messages = [parse(m) for m in smtp_server.messages]
    envelopes = [m.rcpt_tos for m in smtp_server.messages]
    assert envelopes == [[DIRECTOR], [PEOPLE["E002"], DIRECTOR], [PEOPLE["E003"], DIRECTOR], [DIRECTOR]]

    team = messages[0]
    assert team["To"] == DIRECTOR and team["Cc"] is None
    assert set(attachments(team)) == {"ops-east · 运营考核-2026-Q3.pdf", "ops-east · 运营考核-2026-Q3-tables.xlsx"}
    assert attachments(team)["ops-east · 运营考核-2026-Q3.pdf"] == (appraisal_folder / "report.pdf").read_bytes()
    team_text = team.get_body(("plain",)).get_content()
    assert TEAM_HEADLINES[0] in team_text and "http" not in team_text  # headlines to the director; never a link

    for message, staff_id in zip(messages[1:], ("E002", "E003", "E004")):
        files = attachments(message)
        own_pdf = (appraisal_folder / "people" / f"{staff_id}.pdf").read_bytes()
        own_html = (appraisal_folder / "people" / f"{staff_id}.html").read_bytes()
        assert set(files.values()) == {own_pdf, own_html}, staff_id  # their own scorecard, nothing else
        assert set(files) == {f"ops-east · 运营考核-2026-Q3-{staff_id}.pdf", f"ops-east · 运营考核-2026-Q3-{staff_id}.html"}
        raw = smtp_server.messages[messages.index(message)].data
        others = {"E002", "E003", "E004"} - {staff_id}
        assert not any(f"scorecard of {o}".encode() in raw for o in others)
        text = message.get_body(("plain",)).get_content()
        assert TEAM_HEADLINES[0] not in text and "http" not in text  # the team's headlines name others
        assert message["Subject"] == f"ops-east · 运营考核 · 2026-Q3 · {staff_id}"
    assert messages[1]["To"] == PEOPLE["E002"] and messages[1]["Cc"] == DIRECTOR
    assert messages[3]["To"] == DIRECTOR and "No address" not in messages[3]["To"]
    assert "未配置 E004 的邮箱" in messages[3].get_body(("plain",)).get_content()
    assert {r["outcome"] for r in log_records(out)} == {"sent", "skipped"}


def test_the_team_workbook_goes_only_when_the_route_asks(smtp_server, hook_server, tmp_path, appraisal_folder):
    config, env = appraisal_config(smtp_server, hook_server.base)
    deliver([appraisal_folder], config, out_root=tmp_path / "outputs", echo=lambda _: None, env=env)
    assert set(attachments(parse(smtp_server.messages[0]))) == {"ops-east · 运营考核-2026-Q3.pdf"}


def test_a_report_marked_private_in_run_json_never_follows_shared_routes(smtp_server, hook_server, tmp_path):
    # a shared family's folder whose run.json says private: the privacy lock still holds
    folder = make_report(tmp_path / "outputs", "weekly_review", "0071", "2026-W47", title="t", headlines=["h"],
                         private=True, people=("E002",))
    config, env = appraisal_config(smtp_server, hook_server.base)
    plan = plan_report(read_report(folder), config, private_families={"appraisal"})
    assert [(d.channel, d.to, d.cc) for d in plan.deliveries] == [
        ("email", (DIRECTOR,), ()), ("email", (PEOPLE["E002"],), (DIRECTOR,))]  # not ops@example.com, no bot


def test_check_private_refuses_a_plan_that_leaks(tmp_path, smtp_server, hook_server, appraisal_folder):
    config, _ = appraisal_config(smtp_server, hook_server.base)
    report = read_report(appraisal_folder)
    folder = str(report.folder)
    leaks = [
        Delivery(folder, "webhook", webhook="team-bot"),
        Delivery(folder, "email", to=("ops@example.com",)),
        Delivery(folder, "email", to=(PEOPLE["E002"],), cc=(DIRECTOR,), files=("people/E003.pdf",), staff_id="E002"),
        Delivery(folder, "email", to=(PEOPLE["E003"],), cc=(DIRECTOR,), files=("people/E002.pdf",), staff_id="E002"),
        Delivery(folder, "email", to=(DIRECTOR,), files=("report.pdf", "people/E002.pdf")),
    ]
    for leak in leaks:
        with pytest.raises(AssertionError):
            check_private(report, Plan((leak,)), config)


def test_a_director_appraised_in_their_own_team_gets_their_card_as_its_owner(smtp_server, hook_server, tmp_path):
    folder = make_report(tmp_path / "outputs", "appraisal", "ops-east", "2026-Q3", title="ops-east · 运营考核",
                         headlines=TEAM_HEADLINES, private=True, people=("E001",))
    config = parse_config({
        "smtp": smtp_section(smtp_server), "routes": [{"family": "appraisal", "shops": ["ops-east"]}],
        "retry": {"attempts": 1, "backoff_s": 0},
        "appraisal": {"director": DIRECTOR, "people": {"E001": DIRECTOR}},
    }, env=ENV)
    plan = plan_report(read_report(folder), config, private_families={"appraisal"})
    card = next(d for d in plan.deliveries if d.staff_id == "E001")
    assert card.to == (DIRECTOR,) and card.cc == () and card.owner_addressed  # no Cc to oneself
    deliver([folder], config, out_root=tmp_path / "outputs", echo=lambda _: None, env=ENV)
    body = parse(smtp_server.messages[-1]).get_body(("plain",)).get_content()
    assert "未配置" not in body and "此邮件仅发送给本人和总监" in body
