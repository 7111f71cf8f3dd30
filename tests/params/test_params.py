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
