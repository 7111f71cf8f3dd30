"""The appraisal on the demo warehouse: the period it scores, the bad inputs it refuses before any
kernel starts, closing a period (frozen, reproducible, re-scores logged), and the privacy of its outputs."""

from __future__ import annotations

import json
import stat

import duckdb
import pytest

from opsreport import params
from opsreport.errors import DataNotFoundError, ParamsError
from opsreport.families import get
from opsreport.families.appraisal import analysis
from opsreport.families.appraisal.analysis import run
from opsreport.reports import render_report
from opsreport.warehouse.connection import Warehouse

FAMILY = "appraisal"


def _resolve(warehouse, **values):
    spec = get(FAMILY)
    p = params.validate(FAMILY, {"warehouse": str(warehouse), **values}, source="test")
    return spec.resolve(Warehouse.open(p.warehouse), p)


@pytest.fixture
def copy(demo_warehouse, tmp_path):
    path = tmp_path / "team.duckdb"
    path.write_bytes(demo_warehouse.read_bytes())
    return path


def test_last_month_and_last_quarter_are_the_last_ended_by_the_data(demo_warehouse):
    # the data end on 2026-11-22: October is the last month ended, 2026-Q3 the last quarter
    assert _resolve(demo_warehouse, period="last_month").period == "2026-10"
    assert _resolve(demo_warehouse, period="last_quarter").updates == {"period": "2026-Q3"}


@pytest.mark.parametrize("values, error, message", [
    ({"team": "ops-west"}, DataNotFoundError, r"team 'ops-west' is not in the staff table; teams: ops-east"),
    ({"period": "2026-11"}, DataNotFoundError, r"2026-11 has not ended: the data end on 2026-11-22"),
    ({"period": "2020-03"}, DataNotFoundError, r"2020-03 has no data for team ops-east: its shops' orders start on"),
])
def test_bad_periods_and_teams_are_refused_naming_the_problem(demo_warehouse, values, error, message):
    with pytest.raises(error, match=message):
        _resolve(demo_warehouse, **values)


@pytest.mark.parametrize("values, message", [({"period": "2026-13"}, "neither a month"), ({"period": "Q3"}, "neither a month"),
                                             ({"teem": "x"}, "teem")])
def test_malformed_parameters_are_refused(values, message):
    with pytest.raises(ParamsError, match=message):
        params.validate(FAMILY, values, source="test")


def test_closing_freezes_the_scores_and_a_rescore_logs_what_changed(copy):
    args = {"team": "ops-east", "period": "2026-10", "warehouse": str(copy)}
    open_ = run(args)
    snapshot, _ = analysis.close(args)
    assert snapshot.fingerprint == open_.fingerprint  # the inputs frozen are the ones scored
    with pytest.raises(ParamsError, match="already closed"):
        analysis.close(args)
    # a correction after closing: half of 0142's October orders vanish (E005 and E006 co-own it)
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM orders WHERE shop_id = '0142' AND paid_at >= '2026-10-01' AND paid_at < '2026-10-16'")
    closed = run(args)
    assert closed.frozen and closed.totals.equals(open_.totals)  # the closed period reproduces exactly
    assert {c["staff_id"] for c in closed.live_changes if c["input"] == "sales_completion"} >= {"E005", "E006"}
    with pytest.raises(ParamsError, match="needs a reason"):
        analysis.close(args, reason=" ")
    _, changes = analysis.close(args, reason="0142 orders of Oct 1-15 were imported twice")
    rescored = run(args)
    before, after = (t.set_index("staff_id").total for t in (open_.totals, rescored.totals))
    assert after["E005"] < before["E005"] and after["E002"] == before["E002"]  # only 0142's people move
    log = rescored.rescores
    assert len(log) == 1 and log.reason.iloc[0].startswith("0142 orders")
    assert log.fingerprint_before.iloc[0] == open_.fingerprint and log.fingerprint_after.iloc[0] == rescored.fingerprint
    assert {c["staff_id"] for c in json.loads(log.changes_json.iloc[0])} == {c["staff_id"] for c in changes}


def test_a_period_whose_data_are_not_mature_cannot_be_closed(copy):
    # October ends 10-31; with 30 days to mature it is ready on 11-30, after the data's 11-22
    with pytest.raises(ParamsError, match=r"2026-10 cannot be closed yet: .* mature on 2026-11-30 and the data end on 2026-11-22"):
        analysis.close({"team": "ops-east", "period": "2026-10", "warehouse": str(copy), "maturity_days": 30})
    assert run({"team": "ops-east", "period": "2026-10", "warehouse": str(copy), "maturity_days": 30}).totals.complete.sum() == 0


@pytest.mark.slow
def test_outputs_are_personal(demo_warehouse, tmp_path):
    values = params.validate(FAMILY, {"warehouse": str(demo_warehouse), "period": "2026-10"}, source="test")
    out = tmp_path / "out"
    folder = render_report(FAMILY, values, out_root=out, formats={"html", "pdf"})
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(folder) == 0o700 and all(mode(p) == 0o600 for p in folder.rglob("*") if p.is_file())
    assert "appraisal" not in (out / "index.html").read_text(encoding="utf-8")
    headlines = json.loads((folder / "run.json").read_text(encoding="utf-8"))["headlines"]
    assert headlines and all(line in (folder / "report.html").read_text(encoding="utf-8") for line in headlines[:1])
    review = run({"team": "ops-east", "period": "2026-10", "warehouse": str(demo_warehouse)})
    names = dict(zip(review.staff.staff_id, review.staff.name))
    for staff_id, name in names.items():
        page = (folder / "people" / f"{staff_id}.html").read_text(encoding="utf-8")
        assert name in page and (folder / "people" / f"{staff_id}.pdf").stat().st_size > 0
        others = [n for s, n in names.items() if s != staff_id]
        assert not any(n in page for n in others), staff_id  # the team's distribution comes without names


def test_a_refund_wave_after_the_period_is_flagged_not_deducted(copy):
    args = {"team": "ops-east", "period": "2026-10", "warehouse": str(copy)}
    before = run(args)
    # every 5th October order of 0142 (co-owned by E005 and E006 at 0.5 each) fully refunded on 11-05
    with duckdb.connect(str(copy)) as con:
        con.execute("""UPDATE orders SET refund_amount = paid_amount, refunded_at = TIMESTAMP '2026-11-05 10:00:00', status = 'refunded'
                       WHERE shop_id = '0142' AND paid_at >= '2026-10-01' AND paid_at < '2026-11-01' AND hash(order_id) % 5 = 0""")
        gmv, late = con.execute("""SELECT sum(paid_amount), sum(CASE WHEN refunded_at >= '2026-11-01' AND refunded_at < '2026-11-16'
                                   THEN refund_amount ELSE 0 END) FROM orders
                                   WHERE shop_id = '0142' AND paid_at >= '2026-10-01' AND paid_at < '2026-11-01'""").fetchone()
    after = run(args)
    waves = after.flags[after.flags.flag == "refund_wave_after_close"].set_index("staff_id")
    assert {"E005", "E006"} <= set(waves.index)  # the co-owners of 0142
    # one shop at share 0.5: the person's late-refund share is the shop's, late / gmv
    assert waves.loc["E005", "detail"]["late_refund_share"] == pytest.approx(late / gmv)
    assert late / gmv >= 0.15  # about a fifth of the GMV came back within 15 days of the end
    assert after.totals.set_index("staff_id").total.equals(before.totals.set_index("staff_id").total)  # flagged, not deducted


def test_co_owners_measured_against_targets_of_different_sources_are_flagged(demo_warehouse):
    # 0142 is co-owned 0.5 / 0.5 by E005 (his own October target) and E006 (half the shop's target)
    review = run({"team": "ops-east", "period": "2026-10", "warehouse": str(demo_warehouse)})
    flagged = review.flags[review.flags.flag == "shared_shop_targets_differ"].set_index("staff_id")
    assert set(flagged.index) == {"E005", "E006"}
    assert flagged.loc["E005", "detail"] == {"shop_id": "0142", "target_source": "staff_targets", "others": ["E006"]}


def test_a_scorecard_shows_where_a_limit_held_the_points(demo_warehouse):
    from opsreport.families.appraisal.view import AppraisalView

    review = run({"team": "ops-east", "period": "2026-Q3", "warehouse": str(demo_warehouse), "lang": "en"})
    card = review.scorecards["E002"]
    teamwork = card.section("teamwork")
    assert teamwork.raw > teamwork.points == 20  # the parts add up to more than the section's cap of 20
    html = "".join(p._repr_html_() for p in AppraisalView(review).scorecard_blocks("E002") if hasattr(p, "_repr_html_"))
    assert "capped at 20" in html and "Promotion or raise: Candidate" in html
