"""Rubric files: the built-in ones, validation on load (every error names the file and the field
path), where rubrics are looked up, and the shape of a scorecard."""

import copy
import math
from pathlib import Path

import pytest
import yaml

from opsreport.analyses import rubric as rb
from opsreport.analyses.rubric import Measure, full_steps, get_rubric, load_rubric_file, load_rubrics, parse_rubric, score
from opsreport.errors import OpsReportError, ParamsError


def minimal() -> dict:
    """A small valid rubric: one section, a tiers rule, a steps rule, a per_count rule."""
    return {
        "role": "mini",
        "title": {"zh": "迷你", "en": "Mini"},
        "sections": [{"key": "performance", "title": {"zh": "业绩", "en": "Performance"}, "budget": 60},
                     {"key": "efficiency", "title": {"zh": "效率", "en": "Efficiency"}, "budget": 20, "start": 20,
                      "floor": 0, "cap": 20}],
        "rules": [
            {"key": "sales", "section": "performance", "input": "sales_completion", "kind": "tiers",
             "title": {"zh": "销售", "en": "Sales"}, "reading": {"zh": "读法", "en": "reading"},
             "tiers": {"basis": "ratio", "bands": [{"from": None, "to": 0.8, "formula": "zero"},
                                                   {"from": 0.8, "to": None, "formula": "proportional", "factor": 60}]}},
            {"key": "roi", "section": "performance", "input": "roi_vs_target", "kind": "steps",
             "title": {"zh": "ROI", "en": "ROI"}, "reading": {"zh": "读法", "en": "reading"},
             "steps": {"basis": "absolute", "size": 0.5, "below": -2, "above": 2, "floor": -10, "cap": 10}},
            {"key": "late", "section": "efficiency", "input": "late_responses", "kind": "per_count",
             "title": {"zh": "超时", "en": "Late"}, "reading": {"zh": "读法", "en": "reading"},
             "per_count": {"points": -2}},
        ],
    }


def problems(data, source="rubrics/x.yaml") -> str:
    with pytest.raises(ParamsError) as info:
        parse_rubric(data, source)
    return str(info.value)


def test_the_minimal_rubric_is_valid():
    r = parse_rubric(minimal())
    assert [s.key for s in r.sections] == ["performance", "efficiency"] and r.inputs[0] == "sales_completion"


# --- the built-in rubrics ----------------------------------------------------------------------


def test_builtin_rubrics_load_and_keep_the_seed_budgets():
    rubrics = load_rubrics()
    assert {"shop_operator", "ad_specialist"} <= set(rubrics)
    for rubric in rubrics.values():
        assert [(s.key, s.budget) for s in rubric.sections] == [("performance", 60), ("efficiency", 20), ("teamwork", 20)]
        assert rubric.path.stem == rubric.role
    seed = rubrics["shop_operator"]
    assert seed.section("efficiency").start == 20 and seed.section("efficiency").floor == 0
    assert seed.section("performance").cap is None and seed.total.cap is None  # pinned: performance and total not capped
    assert seed.results.bonus_full_at == 80 and seed.results.promotion_min == 85


def test_every_rule_prints_its_reading_in_both_languages():
    for rubric in load_rubrics().values():
        for rule in rubric.rules:
            assert rule.reading.zh.strip() and rule.reading.en.strip(), (rubric.role, rule.key)
            assert rule.title.zh.strip() and rule.title.en.strip(), (rubric.role, rule.key)


def test_the_seed_rubric_reads_every_input_of_the_seed():
    assert get_rubric("shop_operator").inputs == list(rb.INPUTS)


# --- validation ----------------------------------------------------------------------------------


def test_an_unknown_key_is_named_with_its_path():
    data = minimal()
    data["rules"][1]["steps"]["sise"] = 0.5
    assert "rubrics/x.yaml: rules[1].steps.sise: unknown field" in problems(data)


def test_a_step_size_must_be_positive():
    data = minimal()
    data["rules"][1]["steps"]["size"] = 0
    assert "rubrics/x.yaml: rules[1].steps.size: must be > 0" in problems(data)


def test_a_number_in_quotes_is_a_wrong_type():
    data = minimal()
    data["rules"][1]["steps"]["size"] = "0.5"
    assert "rules[1].steps.size: must be a number, got '0.5'" in problems(data)


def test_overlapping_bands_are_refused():
    data = minimal()
    data["rules"][0]["tiers"]["bands"][1]["from"] = 0.7
    assert "rules[0].tiers.bands[1].from: 0.7 overlaps the band before, which ends at 0.8" in problems(data)


def test_a_gap_between_bands_is_refused():
    data = minimal()
    data["rules"][0]["tiers"]["bands"][1]["from"] = 0.9
    assert "rules[0].tiers.bands[1].from: 0.9 leaves a gap after the band before, which ends at 0.8" in problems(data)


def test_only_the_ends_may_be_unbounded():
    data = minimal()
    data["rules"][0]["tiers"]["bands"][0]["to"] = None
    assert "rules[0].tiers.bands[0].to: only the last band may end unbounded" in problems(data)


def test_a_formula_needs_its_fields_and_no_others():
    data = minimal()
    band = data["rules"][0]["tiers"]["bands"][1]
    band.pop("factor")
    band["base"] = 60
    text = problems(data)
    assert "rules[0].tiers.bands[1].factor: required by formula proportional" in text
    assert "rules[0].tiers.bands[1].base: not used by formula proportional" in text


@pytest.mark.parametrize("where, patch, message", [
    ("section", lambda d: d["sections"][1].update(floor=10, cap=5), "sections[1].cap: 5 is below the floor 10"),
    ("steps", lambda d: d["rules"][1]["steps"].update(floor=3, cap=-3), "rules[1].steps.cap: -3 is below the floor 3"),
    ("band", lambda d: d["rules"][0]["tiers"]["bands"][1].update(
        formula="base_plus_steps", factor=None, base=60, step=0.1, per_step=5, cap=50),
     "rules[0].tiers.bands[1].cap: 50 is below the base 60"),
    ("total", lambda d: d.update(total={"floor": 10, "cap": 0}), "total.cap: 0 is below the floor 10"),
])
def test_a_cap_below_a_floor_is_refused(where, patch, message):
    data = minimal()
    patch(data)
    if where == "band":
        data["rules"][0]["tiers"]["bands"][1].pop("factor")
    assert message in problems(data)


def test_a_rule_in_an_unknown_section_is_named_with_a_suggestion():
    data = minimal()
    data["rules"][2]["section"] = "efficency"
    assert "rules[2].section: unknown section 'efficency'; did you mean 'efficiency'?" in problems(data)


def test_an_unknown_input_or_kind_is_named():
    data = minimal()
    data["rules"][0]["input"] = "sales"
    data["rules"][1]["kind"] = "ladder"
    text = problems(data)
    assert "rules[0].input: unknown input 'sales'" in text
    assert "rules[1].kind: must be one of 'tiers', 'steps', 'per_count' or 'threshold_then_steps', got 'ladder'" in text


def test_the_kinds_parameters_sit_under_its_name():
    data = minimal()
    data["rules"][2]["kind"] = "steps"
    text = problems(data)
    assert "rules[2].steps: kind steps needs a 'steps:' block of parameters" in text
    assert "rules[2].per_count: a 'per_count:' block does not belong to a rule of kind steps" in text


def test_duplicate_keys_are_refused():
    data = minimal()
    data["rules"][2]["key"] = "sales"
    assert "rules[2].key: 'sales' appears twice" in problems(data)


def test_every_problem_is_listed_at_once():
    data = minimal()
    data["colour"] = "red"  # unknown top-level field
    data["rules"][1]["steps"]["size"] = -1
    data["rules"][2]["section"] = "teamwork"  # cross-reference checks still run beside field errors
    text = problems(data)
    assert "(3 problems)" in text
    assert "rubrics/x.yaml: colour: unknown field" in text
    assert "rubrics/x.yaml: rules[1].steps.size: must be > 0" in text
    assert "rubrics/x.yaml: rules[2].section: unknown section 'teamwork'" in text


def test_the_errors_belong_to_the_house_hierarchy():
    with pytest.raises(OpsReportError):
        parse_rubric(["not", "a", "mapping"], "rubrics/x.yaml")


def test_a_files_errors_name_the_file(tmp_path):
    data = minimal()
    data["rules"][1]["steps"]["size"] = 0
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"mini\.yaml: rules\[1\]\.steps\.size: must be > 0"):
        load_rubric_file(path)


def test_the_role_must_equal_the_file_name(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(minimal(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError, match="role: 'mini' must equal the file name 'other'"):
        load_rubric_file(path)


def test_a_file_that_is_not_yaml_is_named(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text("role: [mini\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="mini.yaml: not valid YAML"):
        load_rubric_file(path)


# --- where rubrics are looked up -----------------------------------------------------------------


def _write(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['role']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_builtin_then_environment_then_argument(tmp_path, monkeypatch):
    seed = yaml.safe_load((rb.BUILTIN_DIR / "shop_operator.yaml").read_text(encoding="utf-8"))
    env_version = copy.deepcopy(seed)
    env_version["title"] = {"zh": "公司版", "en": "Company version"}
    arg_version = copy.deepcopy(seed)
    arg_version["title"] = {"zh": "参数版", "en": "Argument version"}
    _write(tmp_path / "env", env_version)
    _write(tmp_path / "env", minimal())
    _write(tmp_path / "arg", arg_version)
    monkeypatch.setenv(rb.ENV_VAR, str(tmp_path / "env"))
    assert get_rubric("shop_operator").title.en == "Company version"  # OPSREPORT_RUBRICS beats built-in
    assert get_rubric("shop_operator", tmp_path / "arg").title.en == "Argument version"  # the argument beats both
    assert get_rubric("mini").role == "mini"  # a company's own role
    assert get_rubric("ad_specialist").path.parent == rb.BUILTIN_DIR  # built-in ones not overridden stay


def test_a_missing_folder_and_an_unknown_role_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv(rb.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(ParamsError, match="rubrics folder not found: .*nowhere"):
        load_rubrics()
    monkeypatch.delenv(rb.ENV_VAR)
    with pytest.raises(ParamsError, match="no rubric for role 'shop_operater'; did you mean 'shop_operator'"):
        get_rubric("shop_operater")


# --- the scorecard -------------------------------------------------------------------------------


def test_full_steps_rounds_before_flooring():
    assert full_steps((1.2 - 1.0) / 0.1) == 2  # 1.9999999999999996 -> 2
    assert full_steps(1.999) == 1 and full_steps(0.0) == 0
    assert full_steps(-0.5) == -1  # floor, as documented: callers pass non-negative quotients


def test_missing_and_unknown_inputs_are_not_scored_never_zero():
    r = parse_rubric(minimal())
    card = score(r, {"sales_completion": Measure(900, 1000),
                     "roi_vs_target": Measure.unknown("no_ads_data", flags=frozenset({"not_conclusive"}))})
    assert card.rule("sales").points == 54.0  # 60 x 0.9
    roi, late = card.rule("roi"), card.rule("late")
    assert (roi.status, roi.points, roi.reason, roi.flags) == ("not_scored", None, "no_ads_data", ("not_conclusive",))
    assert (late.status, late.points, late.reason) == ("not_scored", None, "input_missing")
    assert card.not_scored == (("roi", "no_ads_data"), ("late", "input_missing"))
    assert not card.complete
    # the sections count only what was scored: performance 54; efficiency starts at 20, nothing deducted
    assert [(s.points, s.complete) for s in card.sections] == [(54.0, False), (20.0, False)]
    assert card.total == 74.0  # 54 + 20, provisional


@pytest.mark.parametrize("value", [float("nan"), math.inf, None])
def test_a_value_that_is_not_a_number_is_not_scored(value):
    card = score(parse_rubric(minimal()), {"roi_vs_target": Measure(value, 3.0)})
    assert (card.rule("roi").status, card.rule("roi").reason) == ("not_scored", "value_missing")


def test_flags_are_carried_without_changing_points():
    card = score(parse_rubric(minimal()), {"roi_vs_target": Measure(3.5, 3.0, flags=frozenset({"not_conclusive"}))})
    assert card.rule("roi").points == 2 and card.rule("roi").flags == ("not_conclusive",)  # 0.5 above: +2


def test_a_wrong_unit_or_an_unknown_input_is_an_error():
    r = parse_rubric(minimal())
    with pytest.raises(ParamsError, match="input 'roi_vs_target': unit 'rate' given, the rubric reads it in 'ratio'"):
        score(r, {"roi_vs_target": Measure(3.5, 3.0, unit="rate")})
    with pytest.raises(ParamsError, match="unknown input 'roi'; did you mean 'roi_vs_target'"):
        score(r, {"roi": Measure(3.5, 3.0)})


def test_a_value_outside_every_band_is_not_scored():
    data = minimal()
    data["rules"][0]["tiers"]["bands"][0]["from"] = 0.0
    card = score(parse_rubric(data), {"sales_completion": Measure(-10, 1000)})  # c = -0.01, below the first band
    assert card.rule("sales").reason == "outside_bands"


def test_frames_have_one_row_per_rule_and_section():
    card = score(get_rubric("shop_operator"), {"sales_completion": Measure(900_000, 1_000_000)})
    rules = card.frame()
    assert list(rules.columns) == ["rule", "section", "input", "kind", "status", "points", "code", "reason",
                                   "flags", "evidence"]
    assert len(rules) == 15 and rules.loc[0, "points"] == 54.0 and rules.loc[0, "evidence"]["formula"] == "60 x c"
    assert math.isnan(rules.loc[1, "points"])  # conversion not given: NaN in the frame, never 0
    sections = card.sections_frame()
    assert list(sections["section"]) == ["performance", "efficiency", "teamwork"]
    assert list(sections["points"]) == [54.0, 20.0, 0.0]  # 54; 20 with nothing deducted; nothing earned


def test_a_company_rubric_with_a_capped_total(tmp_path):
    data = minimal()
    data["total"] = {"floor": 0, "cap": 60}
    r = parse_rubric(data)
    card = score(r, {"sales_completion": Measure(1000, 1000), "late_responses": Measure.count(0)})
    assert card.total_raw == 80.0 and card.total == 60.0 and card.total_code == "total.capped"  # 60 x 1.0 + 20 -> 60


def test_started_units_constant_bands_and_at_most_thresholds():
    data = minimal()
    data["rules"][2] = {"key": "late", "section": "efficiency", "input": "incident_delay_hours", "kind": "per_count",
                        "title": {"zh": "延迟", "en": "Delay"}, "reading": {"zh": "读法", "en": "reading"},
                        "per_count": {"points": -3, "allowance": 1, "count": "started", "from_items": True}}
    data["rules"][0]["tiers"]["bands"][0] = {"from": None, "to": 0.8, "formula": "constant", "points": 10}
    data["rules"][1] = {"key": "roi", "section": "performance", "input": "roi_vs_target", "kind": "threshold_then_steps",
                        "title": {"zh": "ROI", "en": "ROI"}, "reading": {"zh": "读法", "en": "reading"},
                        "threshold_then_steps": {"basis": "value", "threshold": 2.0, "direction": "at_most",
                                                 "points": 6, "size": 0.5, "per_step": -3}}
    r = parse_rubric(data)
    card = score(r, {"incident_delay_hours": Measure(items=(1.0, 1.2, 3.0)), "sales_completion": Measure(1, 2),
                     "roi_vs_target": Measure(2.6)})
    assert card.rule("late").evidence["units"] == [0, 1, 2]  # started hours beyond the first: 0, ceil(0.2), ceil(2.0)
    assert card.rule("late").points == -9  # -3 x 3
    assert card.rule("sales").points == 10 and card.rule("sales").code == "tiers.constant"  # c = 0.5: the constant band
    assert card.rule("roi").points == 3  # at most 2.0: 2.6 is 0.6 over, 1 full 0.5: 6 - 3
    assert card.rule("roi").code == "threshold.below"


def test_a_section_must_start_within_its_bounds_and_steps_count_from_a_band_start():
    data = minimal()
    data["sections"][1]["start"] = 25  # above its cap of 20
    data["rules"][0]["tiers"]["bands"][0] = {"from": None, "to": 0.8, "formula": "base_plus_steps", "base": 0,
                                             "step": 0.1, "per_step": 1}
    text = problems(data)
    assert "sections[1].start: 25 is above the section's cap 20" in text
    assert "rules[0].tiers.bands[0].from: formula base_plus_steps counts steps from the band's start" in text


def test_asking_a_scorecard_for_an_unknown_rule_names_the_rules():
    card = score(parse_rubric(minimal()), {})
    with pytest.raises(ParamsError, match="no rule 'sale' .*rules: sales, roi, late"):
        card.rule("sale")
