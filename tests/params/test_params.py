import papermill as pm
import pytest

from opsreport import params
from opsreport.errors import ParamsError
from opsreport.families.weekly_review.params import WeeklyReviewParams
from opsreport.reports import notebook_path


def test_yaml_and_set_overrides(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text('shop_id: "0071"\nweek: 2026-W47\nlang: en\n', encoding="utf-8")
    p = params.load("weekly_review", f, params.parse_set(["top_n=5", "shop_id=0142"], WeeklyReviewParams))
    assert p.shop_id == "0142" and isinstance(p.shop_id, str)  # leading zero kept
    assert p.top_n == 5 and p.week == "2026-W47" and p.lang == "en"


def test_unknown_parameter_names_the_closest_known_one():
    with pytest.raises(ParamsError, match=r"unknown parameter 'shopid' \(did you mean 'shop_id'\?\)"):
        params.validate("weekly_review", {"shopid": "0071"})


@pytest.mark.parametrize(
    "values, message",
    [
        ({"top_n": "many"}, "parameter 'top_n'"),
        ({"top_n": 0}, "parameter 'top_n'"),
        ({"lang": "fr"}, "parameter 'lang'"),
        ({"week": "2026-W60"}, "no ISO week 60"),
        ({"week": "W47"}, "not an ISO week"),
    ],
)
def test_mistyped_values_are_named(values, message):
    with pytest.raises(ParamsError, match=message):
        params.validate("weekly_review", values)


def test_bad_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("shop_id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="not valid YAML"):
        params.load("weekly_review", bad)
    with pytest.raises(ParamsError, match="not found"):
        params.load("weekly_review", tmp_path / "nope.yaml")
    with pytest.raises(ParamsError, match="key=value"):
        params.parse_set(["top_n"])


def test_set_keeps_ids_as_text_and_reads_numbers():
    assert params.parse_set(["shop_id=0071", "top_n=7", "roi_target=2.5", "week=2026-W47"], WeeklyReviewParams) == {
        "shop_id": "0071", "top_n": 7, "roi_target": 2.5, "week": "2026-W47"}


def test_text_comes_from_the_model_not_from_a_list_of_names():
    from pydantic import Field

    class Team(params.ReportParams):
        team: str = Field("0001")
        depth: float = 0.5
        code: str | None = None

    assert params.parse_set(["team=0042", "depth=0.25", "code=007", "lang=en"], Team) == {
        "team": "0042", "depth": 0.25, "code": "007", "lang": "en"}


def test_time_zone_is_checked():
    with pytest.raises(ParamsError, match="unknown time zone 'Mars/Base'"):
        params.validate("weekly_review", {"timezone": "Mars/Base"})


def test_unknown_report_suggests_the_closest_family():
    with pytest.raises(ParamsError, match=r"unknown report 'weekly_reveiw' \(did you mean 'weekly_review'\?\)"):
        params.model_for("weekly_reveiw")


def test_notebook_parameters_cell_matches_the_params_model():
    inferred = pm.inspect_notebook(str(notebook_path("weekly_review")))
    model = WeeklyReviewParams.model_fields
    assert set(inferred) == set(model)
    defaults = WeeklyReviewParams()
    for name, info in inferred.items():
        assert eval(info["default"]) == getattr(defaults, name), name  # noqa: S307 - our own notebook


def test_a_folder_or_a_too_long_name_is_named(tmp_path):
    with pytest.raises(ParamsError, match="is a folder"):
        params.load("weekly_review", tmp_path)
    with pytest.raises(ParamsError, match="too long for the file system"):
        params.load("weekly_review", tmp_path / ("p" * 300 + ".yaml"))


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_files_in_chinese_windows_encodings_are_read(tmp_path, encoding):
    f = tmp_path / "p.yaml"
    f.write_bytes('# 天猫店铺周报\nshop_id: "0142"\nlang: en\n'.encode(encoding))  # utf-16-le: no BOM
    p = params.load("weekly_review", f)
    assert p.shop_id == "0142" and p.lang == "en"


def test_undecodable_file_says_to_save_it_as_utf8(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_bytes(b"shop_id: \x81\x20\xff\n")  # neither UTF-8 nor GB18030
    with pytest.raises(ParamsError, match="save it as UTF-8"):
        params.load("weekly_review", f)


def test_errors_name_where_the_bad_value_came_from(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("top_n: 5\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        params.load("weekly_review", f, params.parse_set(["top_n=lots"], WeeklyReviewParams))
    assert "Invalid parameters from --set" in str(info.value) and str(f) not in str(info.value)
    assert "parameter 'top_n' (in --set)" in str(info.value)
    with pytest.raises(ParamsError, match=r"^--set: week 'W47' is not an ISO week"):
        params.load("weekly_review", f, params.parse_set(["week=W47"], WeeklyReviewParams))


@pytest.mark.parametrize("text, number", [("0071", 57), ("71", 71)])  # YAML 1.1: 0071 is octal
def test_unquoted_id_gets_a_hint_to_quote_it(tmp_path, text, number):
    f = tmp_path / "p.yaml"
    f.write_text(f"shop_id: {text}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        params.load("weekly_review", f)
    assert f"(got {number})" in str(info.value)
    assert f'write it in quotes: shop_id: "{text}"' in str(info.value)


@pytest.mark.parametrize("item", ["top_n=yes", "top_n=true", "kpi_change_alert=no", "roi_target=yes"])
def test_yes_no_is_not_a_number(item):
    with pytest.raises(ParamsError, match="takes a number, not yes/no"):
        params.load("weekly_review", None, params.parse_set([item], WeeklyReviewParams))


def test_excel_path_is_set_by_the_runner_only(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("excel_path: /tmp/anywhere.xlsx\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"'excel_path' \(in .*p.yaml\) is not a parameter you can set"):
        params.load("weekly_review", f)
    with pytest.raises(ParamsError, match=r"'excel_path' \(in --set\) is not a parameter you can set"):
        params.load("weekly_review", None, params.parse_set(["excel_path=/tmp/x.xlsx"], WeeklyReviewParams))
    # the runner still passes it to the notebook, whose parameters are validated with it
    assert params.validate("weekly_review", {"excel_path": "/stage/tables.xlsx"}).excel_path == "/stage/tables.xlsx"


def test_set_without_a_name_is_refused():
    with pytest.raises(ParamsError, match="no parameter name"):
        params.parse_set(["=5"])
