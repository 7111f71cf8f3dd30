"""The promotion retrospective on the demo warehouse: which promotion it reviews, the bad inputs it
refuses (nothing written), and figures that must agree across its sections."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from opsreport import params
from opsreport.errors import DataNotFoundError, ParamsError
from opsreport.families import get
from opsreport.families.promo_retrospective.analysis import run
from opsreport.reports import render_report
from opsreport.warehouse.connection import Warehouse

FAMILY = "promo_retrospective"


@pytest.fixture(scope="module")
def review(demo_warehouse):
    return run({"shop_id": "0071", "promo": "last", "warehouse": str(demo_warehouse)})


def _resolve(warehouse, **values):
    spec = get(FAMILY)
    p = params.validate(FAMILY, {"warehouse": str(warehouse), **values}, source="test")
    return spec.resolve(Warehouse.open(p.warehouse), p)


def test_last_is_the_last_promotion_that_ended_by_the_data_end(demo_warehouse):
    resolved = _resolve(demo_warehouse, shop_id="0071", promo="last")
    # the data end on 2026-11-22: Double 11 (to 11-13) has ended, Double 12 (12-10..12-12) has not
    assert resolved.period == "0071-2026-double11"
    assert resolved.updates == {"promo": "0071-2026-double11"}
    assert "2026-10-20" in resolved.title.subtitle and "2026-11-13" in resolved.title.subtitle


def test_unknown_promotion_is_refused_naming_the_known_ones(demo_warehouse):
    with pytest.raises(ParamsError, match=r"'0071-2030-618' is not a promotion of shop 0071.*0071-2026-double11"):
        _resolve(demo_warehouse, shop_id="0071", promo="0071-2030-618")


def test_a_promotion_still_running_is_refused(demo_warehouse):
    with pytest.raises(ParamsError, match=r"0071-2026-double12 .* runs until 2026-12-12 .* data end on 2026-11-22"):
        _resolve(demo_warehouse, shop_id="0071", promo="0071-2026-double12")


def test_a_promotion_without_orders_is_refused_and_nothing_is_written(demo_warehouse, tmp_path):
    copy = tmp_path / "no_orders.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM orders WHERE shop_id = '0071' AND paid_at >= '2026-10-20' AND paid_at < '2026-11-14'")
    values = params.validate(FAMILY, {"warehouse": str(copy), "shop_id": "0071", "promo": "0071-2026-double11"}, source="test")
    out = tmp_path / "out"
    with pytest.raises(DataNotFoundError, match=r"0071-2026-double11 .* has no paid orders in shop 0071"):
        render_report(FAMILY, values, out_root=out, formats={"html"})
    assert not out.exists() or not any(out.rglob("*.html"))


def test_unknown_parameter_is_refused():
    with pytest.raises(ParamsError, match="promoo"):
        params.validate(FAMILY, {"promoo": "last"}, source="test")


def test_gmv_counts_the_promotions_hours_only(review, demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        inside, first_day = con.execute(
            "SELECT sum(paid_amount) FILTER (WHERE paid_at >= '2026-10-20 20:00:00' AND paid_at <= '2026-11-13 23:59:59'),"
            " sum(paid_amount) FILTER (WHERE paid_at >= '2026-10-20' AND paid_at < '2026-10-20 20:00:00')"
            " FROM orders WHERE shop_id = '0071' AND paid_at IS NOT NULL").fetchone()
    gmv = review.kpis.set_index("metric").loc["gmv", "promotion"]
    assert gmv == pytest.approx(inside)  # paid 20:00 on 10-20 .. 23:59:59 on 11-13
    assert first_day > 0  # the orders before 20:00 on the first day exist and are left out
    assert review.phases.gmv.sum() == pytest.approx(inside)  # the phases tile the promotion's hours
    assert review.pace.gmv == pytest.approx(inside)  # hour by hour, the same GMV


def test_comparisons_are_last_years_same_event_and_the_previous_promotion(review):
    assert review.compared["last_year"].promo_id == "0071-2025-double11"
    assert review.compared["previous"].promo_id == "0071-2026-shop2"
    assert review.baseline.end == dt.date(2026, 10, 20) - dt.timedelta(days=review.params.pre_dip_days + 1)
    assert review.baseline.days == 28


def test_the_first_day_alert_fires_on_the_demo_double11(review):
    day = review.pace.first_day
    assert day.day == dt.date(2026, 10, 20)
    assert review.pace.alert and day.gap_share < -0.30  # the seeds' rule: more than 30% behind its pace
    assert any(f.code == "pace_first_day" for f in review.findings)


def test_every_section_renders_in_both_languages(demo_warehouse):
    from opsreport.families.promo_retrospective.view import PromoRetrospectiveView

    sections = ("headline", "kpis", "phases", "pace", "lift", "yoy", "traffic", "ads", "customers", "products", "prices",
                "coupons", "refunds", "service", "actions", "appendix")
    for lang in ("zh", "en"):
        view = PromoRetrospectiveView(run({"shop_id": "0142", "promo": "last", "warehouse": str(demo_warehouse), "lang": lang}))
        for name in sections:
            html = getattr(view, name)()._repr_html_()
            assert "Traceback" not in html and html.strip(), (lang, name)
        frame = view.action_frame()
        assert frame.finding.str.len().gt(0).all()
        assert isinstance(frame, pd.DataFrame)


@pytest.mark.parametrize("promo, error", [("0071-2030-618", "is not a promotion of shop 0071"),
                                          ("0071-2026-double12", "runs until 2026-12-12")])
def test_a_refused_promotion_writes_nothing(demo_warehouse, tmp_path, promo, error):
    values = params.validate(FAMILY, {"warehouse": str(demo_warehouse), "shop_id": "0071", "promo": promo}, source="test")
    out = tmp_path / "out"
    with pytest.raises(ParamsError, match=error):
        render_report(FAMILY, values, out_root=out, formats={"html", "pdf", "xlsx"})
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
