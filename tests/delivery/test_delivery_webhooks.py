"""Group bots against a local HTTP server: each platform's markdown payload, the DingTalk and
Feishu signatures recomputed here by hand from what the server received, and refusals
(errcode/code != 0, HTTP 500) retried, then kept in the outbox without leaking a token."""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

from delivery_helpers import all_kept_text, log_records, make_report, outbox
from opsreport.delivery import deliver, parse_config

TITLE = "悦颜美妆天猫旗舰店 · 运营周报复盘"
HEADLINES = ["GMV 128.4 万元，环比 -6.2%。", "转化率下降 0.8 个百分点。", "SKU 1002 缺货 3 天。"]
LINK = "https://reports.example.com/outputs/weekly_review/0071/2026-W47/report.html"
WECOM_KEY = "wecom-key-7f3a9c21"
DING_TOKEN = "ding-token-5be2d0aa"
DING_SECRET = "SECding-secret-0c9e77d1"
FEISHU_HOOK = "feishu-hook-3d1f64b2"
FEISHU_SECRET = "feishu-secret-a81c5e90"
SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_HOOK, FEISHU_SECRET)


def setup(hook_server, tmp_path, *, prefix="ok", attempts=2, headlines=HEADLINES, signed=True):
    out = tmp_path / "outputs"
    folder = make_report(out, "weekly_review", "0071", "2026-W47", title=TITLE, headlines=headlines)
    env = {
        "HOOK_WECOM": f"{hook_server.base}/{prefix}/cgi-bin/webhook/send?key={WECOM_KEY}",
        "HOOK_DING": f"{hook_server.base}/{prefix}/robot/send?access_token={DING_TOKEN}",
        "HOOK_DING_SECRET": DING_SECRET,
        "HOOK_FEISHU": f"{hook_server.base}/{prefix}/feishu/open-apis/bot/v2/hook/{FEISHU_HOOK}",
        "HOOK_FEISHU_SECRET": FEISHU_SECRET,
    }
    sign = {"secret_env": "HOOK_DING_SECRET"} if signed else {}
    config = parse_config({
        "webhooks": {"ops-wecom": {"kind": "wecom", "url_env": "HOOK_WECOM"},
                     "mgmt-ding": {"kind": "dingtalk", "url_env": "HOOK_DING", **sign},
                     "brand-feishu": {"kind": "feishu", "url_env": "HOOK_FEISHU",
                                      **({"secret_env": "HOOK_FEISHU_SECRET"} if signed else {})}},
        "routes": [{"family": "weekly_review", "webhooks": ["ops-wecom", "mgmt-ding"]},
                   {"family": "weekly_review", "shops": ["0071"], "webhooks": ["brand-feishu", "ops-wecom"]}],
        "link_base": "https://reports.example.com/outputs/",
        "retry": {"attempts": attempts, "backoff_s": 0},
    }, env=env)
    return out, folder, config, env


def test_each_bot_gets_its_markdown_once_with_headlines_and_link(hook_server, tmp_path):
    out, folder, config, env = setup(hook_server, tmp_path)
    before_ms = int(time.time() * 1000)
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    after_ms = int(time.time() * 1000)

    assert (outcome.sent, outcome.failed) == (3, 0)  # ops-wecom named by both routes: posted once
    by_path = {r.path.split("/")[2]: r for r in hook_server.requests}
    assert len(hook_server.requests) == 3 and set(by_path) == {"cgi-bin", "robot", "feishu"}
    assert all(r.content_type.startswith("application/json") for r in hook_server.requests)

    wecom = by_path["cgi-bin"]
    assert wecom.query == {"key": [WECOM_KEY]}  # unsigned: the URL as configured
    assert wecom.body == {"msgtype": "markdown", "markdown": {"content": (
        f"**{TITLE}** · 2026-W47\n- {HEADLINES[0]}\n- {HEADLINES[1]}\n- {HEADLINES[2]}\n\n[查看完整报告]({LINK})")}}

    ding = by_path["robot"]
    assert ding.body["msgtype"] == "markdown"
    assert ding.body["markdown"]["title"] == f"{TITLE} · 2026-W47"
    assert ding.body["markdown"]["text"] == (f"#### {TITLE} · 2026-W47\n\n- {HEADLINES[0]}\n- {HEADLINES[1]}\n"
                                             f"- {HEADLINES[2]}\n\n[查看完整报告]({LINK})")
    stamp = ding.query["timestamp"][0]
    assert before_ms <= int(stamp) <= after_ms  # milliseconds
    assert ding.query["access_token"] == [DING_TOKEN]
    # by hand: base64(HMAC-SHA256(key=secret, msg="timestamp\nsecret")); the server's parse_qs undid the urlencode
    expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert ding.query["sign"] == [expected]

    feishu = by_path["feishu"]
    body = feishu.body
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"] == {"tag": "plain_text", "content": f"{TITLE} · 2026-W47"}
    assert body["card"]["elements"] == [{"tag": "markdown", "content": (
        f"- {HEADLINES[0]}\n- {HEADLINES[1]}\n- {HEADLINES[2]}\n\n[查看完整报告]({LINK})")}]
    assert before_ms // 1000 <= int(body["timestamp"]) <= after_ms // 1000 + 1  # seconds
    # by hand: base64(HMAC-SHA256(key="timestamp\nsecret", msg=b""))
    assert body["sign"] == base64.b64encode(hmac.new(f"{body['timestamp']}\n{FEISHU_SECRET}".encode(), b"",
                                                     hashlib.sha256).digest()).decode()

    records = log_records(out)
    assert sorted((r["channel"], r["webhook"], r["outcome"]) for r in records) == [
        ("dingtalk", "mgmt-ding", "sent"), ("feishu", "brand-feishu", "sent"), ("wecom", "ops-wecom", "sent")]
    kept = all_kept_text(out) + "\n".join(outcome.lines)
    assert not [s for s in SECRETS if s in kept]  # names only, never URLs, tokens or secrets


def test_the_dingtalk_sign_is_urlencoded_on_the_wire():
    from opsreport.delivery.compose import dingtalk_sign

    # a known vector: secret "SEC123", timestamp 1700000000000
    raw = base64.b64encode(hmac.new(b"SEC123", b"1700000000000\nSEC123", hashlib.sha256).digest()).decode()
    assert dingtalk_sign("SEC123", 1700000000000) == quote_plus(raw)
    assert "+" not in dingtalk_sign("SEC123", 1700000000000) and "/" not in dingtalk_sign("SEC123", 1700000000000)


def test_unsigned_bots_send_no_signature_and_no_headlines_is_said(hook_server, tmp_path):
    out, folder, config, env = setup(hook_server, tmp_path, signed=False, headlines=[])
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    assert outcome.sent == 3
    ding = next(r for r in hook_server.requests if "/robot/" in r.path)
    assert set(ding.query) == {"access_token"}
    assert "本期报告没有记录要点。" in ding.body["markdown"]["text"]
    feishu = next(r for r in hook_server.requests if "feishu" in r.path)
    assert "sign" not in feishu.body and "timestamp" not in feishu.body


def test_a_refusal_with_errcode_is_retried_then_failed_and_kept(hook_server, tmp_path):
    out, folder, config, env = setup(hook_server, tmp_path, prefix="errcode", attempts=3)
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    assert (outcome.sent, outcome.failed) == (0, 3)
    assert len(hook_server.requests) == 3 * 3  # three bots, three attempts each
    assert len(outbox(out)) == 3
    errors = {r["webhook"]: r["error"] for r in log_records(out) if r["outcome"] == "failed"}
    assert "errcode 310000 sign not match" in errors["mgmt-ding"]
    assert "errcode 310000" in errors["ops-wecom"]
    assert "code 19021 sign match fail" in errors["brand-feishu"]
    assert [r["attempt"] for r in log_records(out) if r["webhook"] == "ops-wecom"] == [1, 2, 3]
    kept = all_kept_text(out) + "\n".join(outcome.lines)
    assert not [s for s in SECRETS if s in kept]


def test_http_500_is_retried_then_failed_and_a_retry_later_succeeds(hook_server, tmp_path):
    out, folder, config, env = setup(hook_server, tmp_path, prefix="http500", attempts=2)
    outcome = deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    assert (outcome.sent, outcome.failed) == (0, 3) and len(hook_server.requests) == 3 * 2
    assert all("HTTP 500" in r["error"] for r in log_records(out) if r["outcome"] == "failed")
    assert (folder / "report.pdf").exists()

    from opsreport.delivery import retry_outbox

    hook_server.reset()
    healed = {k: v.replace("/http500/", "/ok/") for k, v in env.items()}  # the bots are back
    later = retry_outbox(parse_config(json.loads(config.model_dump_json()), env=healed), out_root=out,
                         echo=lambda _: None, env=healed)
    assert (later.sent, later.failed) == (3, 0) and len(hook_server.requests) == 3
    assert outbox(out) == []
    kept = all_kept_text(out) + "\n".join(outcome.lines + later.lines)
    assert not [s for s in SECRETS if s in kept]


def test_retry_sends_only_what_the_current_config_still_plans(hook_server, tmp_path):
    out, folder, config, env = setup(hook_server, tmp_path, prefix="http500", attempts=1)
    deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    assert len(outbox(out)) == 3
    assert oct((out / ".delivery").stat().st_mode & 0o777) == "0o700"  # recipients and reports: owner only
    assert oct((out / ".delivery" / "delivery.log").stat().st_mode & 0o777) == "0o600"

    from opsreport.delivery import retry_outbox

    hook_server.reset()
    healed = {k: v.replace("/http500/", "/ok/") for k, v in env.items()}
    data = json.loads(config.model_dump_json())
    data["routes"] = [{"family": "weekly_review", "webhooks": ["mgmt-ding"]}]  # the other two bots retired
    later = retry_outbox(parse_config(data, env=healed), out_root=out, echo=lambda _: None, env=healed)
    assert (later.sent, later.failed, later.skipped) == (1, 0, 2)
    assert [r.path.split("/")[2] for r in hook_server.requests] == ["robot"]
    assert sum("no longer sends it there" in line for line in later.lines) == 2
    assert outbox(out) == []


def test_a_report_without_a_route_is_skipped_and_said(hook_server, tmp_path):
    out, _, config, env = setup(hook_server, tmp_path)
    other = make_report(out, "competitor_teardown", "0071", "2026-11", title="竞品拆解", headlines=["h"])
    outcome = deliver([other], config, out_root=out, echo=lambda _: None, env=env)
    assert (outcome.sent, outcome.skipped) == (0, 1) and hook_server.requests == []
    assert outcome.lines == ("skipped competitor_teardown/0071/2026-11: no route for family 'competitor_teardown' "
                             "and key '0071'",)


def test_a_group_sees_at_most_five_headlines_and_how_many_more(hook_server, tmp_path):
    many = [f"要点 {i}。" for i in range(1, 9)]  # 8 headlines: 5 shown, "3 more"
    out, folder, config, env = setup(hook_server, tmp_path, headlines=many)
    deliver([folder], config, out_root=out, echo=lambda _: None, env=env)
    ding = next(r for r in hook_server.requests if "/robot/" in r.path)
    text = ding.body["markdown"]["text"]
    assert all(f"- 要点 {i}。" in text for i in range(1, 6)) and "要点 6" not in text
    assert "另有 3 条要点，见报告。" in text
