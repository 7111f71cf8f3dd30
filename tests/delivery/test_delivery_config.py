"""The delivery config: the shipped example loads; every bad file is refused with file, line and
field named; appraisals routed to anyone but their person and the director are refused; secrets
are environment variable names whose values never appear in a message."""

from importlib import resources

import pytest
import yaml

from opsreport.delivery import DeliveryConfigError, find_config, load_config, parse_config

EXAMPLE = resources.files("opsreport.delivery").joinpath("example.yaml")
SENDER = {"name": "运营报告", "address": "reports@example.com"}
SMTP = {"host": "smtp.example.com", "username": "reports@example.com", "password_env": "T_PASS", "sender": SENDER}


def example_env() -> dict[str, str]:
    """A value for every variable the example names (read from the file, not copied here)."""
    data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    names = {data["smtp"]["password_env"]}
    for hook in data["webhooks"].values():
        names |= {hook["url_env"]} | ({hook["secret_env"]} if "secret_env" in hook else set())
    return {name: f"value-of-{name}" for name in names}


def write(tmp_path, text: str):
    path = tmp_path / "delivery.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text: str, env=None) -> str:
    with pytest.raises(DeliveryConfigError) as info:
        load_config(write(tmp_path, text), env=env if env is not None else {"T_PASS": "x", "T_HOOK": "y"})
    return str(info.value)


def test_the_example_loads():
    env = example_env()
    config = load_config(str(EXAMPLE), env=env)
    assert len(env) == 6  # one password, three URLs, two signing secrets
    assert [r.family for r in config.routes] == ["weekly_review", "weekly_review", "promo_retrospective",
                                                 "competitor_teardown", "appraisal"]
    assert config.routes[1].shops == ["0071"] and config.routes[0].shops == "*"
    assert config.smtp.security == "starttls" and config.smtp.port == 587
    assert config.appraisal.director == "director@example.com" and set(config.appraisal.people) == {"E002", "E003"}
    assert config.link_base == "https://reports.example.com/outputs"
    # attempt 1 at once, attempt 2 after 30 s, attempt 3 after 30 * 2 = 60 s
    assert [config.retry.delay(k) for k in (1, 2, 3)] == [0, 30, 60]
    assert not [v for v in env.values() if v in config.model_dump_json() + repr(config)]


def test_a_missing_variable_is_named_and_no_value_is_shown(tmp_path):
    message = refused(tmp_path, "smtp: {host: h.example.com, username: u, password_env: T_PASS, "
                                "sender: {name: n, address: a@example.com}}\n", env={})
    assert "delivery.yaml" in message and "line 1" in message and "smtp.password_env" in message
    assert "environment variable T_PASS is not set" in message


@pytest.mark.parametrize("text, expected", [
    ("smtp:\n  host: h.example.com\n  prot: 25\n  sender: {name: n, address: a@example.com}\n",
     ["line 3, smtp.prot: unknown key 'prot' (did you mean 'port'?)"]),
    ("smtp:\n  host: h.example.com\n  port: twenty-five\n  sender: {name: n, address: a@example.com}\n",
     ["line 3, smtp.port:", "valid integer", "'twenty-five'"]),
    ("routes:\n  - family: weekly_reveiw\n", ["line 2, routes[0].family: unknown report family 'weekly_reveiw' "
                                             "(did you mean 'weekly_review'?)"]),
    ("routes:\n  - family: weekly_review\n    shops: [0071]\n", ["routes[0].shops", "quotes", "here 57"]),  # 0071 is octal in YAML 1.1
    ("routes:\n  - family: weekly_review\n    webhooks: [ops]\n", ["routes[0].webhooks[0]: webhook 'ops' is not defined"]),
    ("routes:\n  - family: weekly_review\n    email: [someone]\n", ["'someone' is not an email address"]),
    ("routes:\n  - family: weekly_review\n    email: [a@example.com]\n", ["need an 'smtp' section"]),
    ("smtp: {host: h, username: u, password_env: T_PASS, security: none, sender: {name: n, address: a@example.com}}\n",
     ["clear text"]),
    ("smtp: {host: h, password_env: T_PASS, sender: {name: n, address: a@example.com}}\n", ["give both username"]),
    ("webhooks: {bot: {kind: wecom, url_env: T_HOOK, secret_env: T_SECRET}}\n", ["WeCom group bots are not signed"]),
    ("webhooks: {bot: {kind: slack, url_env: T_HOOK}}\n", ["webhooks.bot.kind", "'wecom', 'dingtalk' or 'feishu'"]),
    ("webhooks: {bot: {kind: wecom, url_env: 'https://qyapi.weixin.qq.com/x?key=abc'}}\n",
     ["not the name of an environment variable"]),
    ("link_base: reports.example.com\n", ["link_base", "not an http(s) URL"]),
    ("retry: {attempts: 0}\n", ["retry.attempts", "greater than or equal to 1"]),
    ("- just\n- a list\n", ["must hold a mapping"]),
    ("smtp: [unclosed\n", ["not valid YAML"]),
])
def test_bad_files_are_refused_naming_where(tmp_path, text, expected):
    message = refused(tmp_path, text)
    assert message.startswith("Invalid delivery config") or "delivery config" in message
    assert str(tmp_path / "delivery.yaml") in message
    for part in expected:
        assert part in message


@pytest.mark.parametrize("route, why", [
    ("{family: appraisal, email: [boss@example.com]}", "routes[0].email: 'appraisal' reports are personal"),
    ("{family: appraisal, webhooks: [bot]}", "routes[0].webhooks: 'appraisal' reports are personal"),
])
def test_an_appraisal_sent_to_anyone_else_is_refused_saying_why(tmp_path, route, why):
    text = (f"smtp: {{host: h.example.com, sender: {{name: n, address: a@example.com}}}}\n"
            f"webhooks: {{bot: {{kind: wecom, url_env: T_HOOK}}}}\n"
            f"appraisal: {{director: d@example.com}}\nroutes:\n  - {route}\n")
    message = refused(tmp_path, text)
    assert why in message and "only to each person and the director" in message
    assert "line 5" in message


def test_an_appraisal_route_needs_the_appraisal_section(tmp_path):
    message = refused(tmp_path, "smtp: {host: h.example.com, sender: {name: n, address: a@example.com}}\n"
                                "routes:\n  - {family: appraisal, shops: [ops-east]}\n")
    assert "add an 'appraisal' section with the director's address" in message


def test_an_appraisal_route_choosing_teams_and_workbook_is_accepted():
    config = parse_config({"smtp": {"host": "h.example.com", "sender": SENDER},
                           "routes": [{"family": "appraisal", "shops": ["ops-east"], "attach_workbook": True}],
                           "appraisal": {"director": "d@example.com", "people": {"E002": "e2@example.com"}}}, env={})
    assert config.routes[0].matches("appraisal", "ops-east") and not config.routes[0].matches("appraisal", "ops-west")


def test_a_missing_or_folder_path_is_named_with_its_origin(tmp_path):
    with pytest.raises(DeliveryConfigError, match=r"not found: .*nope\.yaml \(given by OPSREPORT_DELIVERY\)"):
        load_config(tmp_path / "nope.yaml", origin="OPSREPORT_DELIVERY", env={})
    with pytest.raises(DeliveryConfigError, match="is a folder"):
        load_config(tmp_path, env={})


def test_the_option_wins_over_the_environment(tmp_path):
    assert find_config(None, env={}) is None
    assert find_config(None, env={"OPSREPORT_DELIVERY": "/etc/o.yaml"}) == (tmp_path.__class__("/etc/o.yaml"),
                                                                          "OPSREPORT_DELIVERY")
    assert find_config("mine.yaml", env={"OPSREPORT_DELIVERY": "/etc/o.yaml"})[1] == "--deliver"


def test_a_bot_no_route_uses_needs_no_variables():
    config = parse_config({"webhooks": {"spare": {"kind": "feishu", "url_env": "UNSET_URL", "secret_env": "UNSET_S"}}},
                          env={})
    assert set(config.webhooks) == {"spare"}
