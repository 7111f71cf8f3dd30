"""Small shared rules of the analyses, by hand: the one ROI target, the normal weeks."""

import datetime as dt

from opsreport.analyses.ads import roi_target
from opsreport.analyses.calendar import ordinary_weeks
from opsreport.analyses.promotions import Promotion
from opsreport.periods import iso_week


def test_one_roi_target_parameter_then_targets_table_then_category_rule():
    assert roi_target(4.0, {"roi": 5.21}, "beauty").value == 4.0  # the report's parameter wins
    table = roi_target(None, {"roi": 5.21, "gmv": 1e6}, "beauty")
    assert (table.value, table.source) == (5.21, "targets_table")  # then the shop's own weekly target
    rule = roi_target(None, {"gmv": 1e6}, "furniture")
    assert (rule.value, rule.source, rule.category) == (2.5, "category_rule", "furniture")  # rules.yaml
    assert roi_target(None, {}, "toys").value == 2.5  # an unknown category takes the default


def test_normal_weeks_skip_the_weeks_a_promotion_touches():
    double11 = Promotion("p1", "双11", dt.date(2026, 10, 20), dt.date(2026, 11, 11))  # W43 .. W46
    weeks = ordinary_weeks(iso_week("2026-W47"), [double11], count=4)
    assert list(weeks) == ["2026-W42", "2026-W41", "2026-W40", "2026-W39"]
    # without promotions the normal weeks are simply the four before
    assert list(ordinary_weeks(iso_week("2026-W47"), [], count=4)) == ["2026-W46", "2026-W45", "2026-W44", "2026-W43"]
    # promotions everywhere: fewer weeks than asked, within the 13 searched
    always = Promotion("p2", "all", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert ordinary_weeks(iso_week("2026-W47"), [always], count=4) == {}
