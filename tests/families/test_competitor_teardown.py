"""The competitor teardown on the demo warehouse: which period and competitors it compares, the bad
inputs it refuses before any kernel starts (nothing written), and the index rule end to end."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from opsreport import params
from opsreport.errors import DataNotFoundError, ParamsError
from opsreport.families import get
from opsreport.families.competitor_teardown.analysis import run
from opsreport.families.competitor_teardown.period import parse_period, previous
from opsreport.families.competitor_teardown.view import CompetitorTeardownView
from opsreport.reports import render_report
from opsreport.warehouse.connection import Warehouse

FAMILY = "competitor_teardown"
INDICES = ("trade_index", "traffic_index", "search_index", "fav_index", "cart_index", "conversion_index", "buyer_index")


def _resolve(warehouse, **values):
    spec = get(FAMILY)
    p = params.validate(FAMILY, {"warehouse": str(warehouse), **values}, source="test")
    return spec.resolve(Warehouse.open(p.warehouse), p)


def test_periods_parse_and_compare_with_the_days_before():
    nov = parse_period("2026-11")
    assert (nov.start, nov.end, nov.days) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), 30)
    span = parse_period("2026-11-01..2026-11-22")
    assert (span.start, span.end, span.label) == (dt.date(2026, 11, 1), dt.date(2026, 11, 22), "2026-11-01_2026-11-22")
    before = previous(span)  # 22 days just before Nov 1: Oct 10 .. Oct 31
    assert (before.start, before.end) == (dt.date(2026, 10, 10), dt.date(2026, 10, 31))


@pytest.mark.parametrize("text, message", [
    ("2026-13", "no month 13"),
    ("2026-11-22..2026-11-01", "ends before it starts"),
    ("November", "neither a month"),
    ("2026-02-30..2026-03-01", "day is out of range"),
])
def test_malformed_periods_are_refused(text, message):
    with pytest.raises(ParamsError, match=message):
        params.validate(FAMILY, {"period": text}, source="test")


def test_last_is_the_month_of_the_last_day_with_competitor_data(demo_warehouse):
    resolved = _resolve(demo_warehouse, shop_id="0071", period="last")
    assert resolved.period == "2026-11" and resolved.updates == {"period": "2026-11"}
    # the data end on Nov 22: the subtitle says the month is covered for 22 of its 30 days
    assert "22" in resolved.title.subtitle and "30" in resolved.title.subtitle


def test_a_period_without_competitor_data_is_refused(demo_warehouse):
    with pytest.raises(DataNotFoundError, match=r"no competitor data in 2027-03-01 to 2027-03-31: its competitor data run from"):
        _resolve(demo_warehouse, shop_id="0071", period="2027-03")


def test_an_unknown_competitor_is_refused_naming_the_known_ones(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        known = sorted(r[0] for r in con.execute("SELECT competitor_id FROM competitor_sets WHERE shop_id = '0071'").fetchall())
    with pytest.raises(ParamsError, match=r"unknown competitor\(s\) NoSuchShop for shop 0071; its competitors: .*" + known[0]):
        _resolve(demo_warehouse, shop_id="0071", period="2026-11", competitors=["NoSuchShop"])


def test_a_shop_without_competitor_data_is_refused_and_nothing_is_written(demo_warehouse, tmp_path):
    copy = tmp_path / "no_competitors.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        for table in ("competitor_daily", "competitor_traffic", "competitor_products", "competitor_reviews"):
            con.execute(f"DELETE FROM {table} WHERE shop_id = '0388'")
    values = params.validate(FAMILY, {"warehouse": str(copy), "shop_id": "0388", "period": "2026-11"}, source="test")
    out = tmp_path / "out"
    with pytest.raises(DataNotFoundError, match=r"shop 0388 has no competitor data .*competitor tracking template"):
        render_report(FAMILY, values, out_root=out, formats={"html"})
    assert not out.exists() or not any(out.rglob("*.html"))


def test_unknown_parameter_is_refused():
    with pytest.raises(ParamsError, match="perid"):
        params.validate(FAMILY, {"perid": "2026-11"}, source="test")


def test_the_override_replaces_the_competitor_set(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        first = con.execute("SELECT min(competitor_id) FROM competitor_sets WHERE shop_id = '0071'").fetchone()[0]
    review = run({"shop_id": "0071", "period": "2026-11", "warehouse": str(demo_warehouse), "competitors": [first]})
    assert list(review.competitors.competitor_id) == [first] and review.set_source == "parameter"
    assert set(review.momentum.ranks.competitor_id) == {"self", first}


def _shown_numbers(review) -> dict[str, pd.DataFrame]:
    """Every table the report shows (its sheets), keyed by caption, numbers as shown before formatting."""
    view = CompetitorTeardownView(review)
    for section in ("summary", "momentum", "prices", "assortment", "traffic", "promotions", "reviews", "moves", "appendix"):
        getattr(view, section)()
    return {t.name or t.caption: t.frame for t in view.shown}, view


def test_no_ratio_of_raw_indices_is_ever_shown(demo_warehouse, tmp_path):
    """The index rule, end to end: replacing every index by 3 * index ** 1.7 (another monotone
    transform, as another platform might use) changes nothing the report shows except the
    calibration curves themselves. Ranks and calibrated estimates are invariant under it; a ratio,
    sum, mean or growth rate of raw indices would not be (a ratio a / b becomes (a / b) ** 1.7)."""
    copy = tmp_path / "transformed.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        sets = ", ".join(f"{c} = 3 * pow({c}, 1.7)" for c in INDICES)
        con.execute(f"UPDATE competitor_daily SET {sets}")
        con.execute("UPDATE competitor_traffic SET traffic_index = 3 * pow(traffic_index, 1.7)")
    args = {"shop_id": "0071", "period": "2026-11", "lang": "en"}
    before, view_before = _shown_numbers(run({**args, "warehouse": str(demo_warehouse)}))
    after, view_after = _shown_numbers(run({**args, "warehouse": str(copy)}))
    calibration = view_before.say("sheet.calibration")
    assert set(before) == set(after) and calibration in before
    for name in before:
        if name == calibration:  # the fitted curves: their slope and index range are about the indices themselves
            continue
        a, b = before[name], after[name]
        assert list(a.columns) == list(b.columns), name
        for column in a.columns:
            x, y = a[column], b[column]
            if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
                np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-6, equal_nan=True, err_msg=f"{name}.{column}")
            else:
                assert list(x.astype(str)) == list(y.astype(str)), f"{name}.{column}"


def test_competitors_from_the_command_line_are_split_at_commas():
    p = params.validate(FAMILY, {"competitors": "澜肌官方旗舰店,初禾美妆旗舰店，雪研集团官方旗舰店"}, source="--set")
    assert p.competitors == ["澜肌官方旗舰店", "初禾美妆旗舰店", "雪研集团官方旗舰店"]
    with pytest.raises(ParamsError, match="named twice"):
        params.validate(FAMILY, {"competitors": "A,A"}, source="--set")
