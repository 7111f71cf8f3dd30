"""The appraisal's demo team: contracts, the team's structure (shares, the handover), the tables'
arithmetic, determinism, no change to the other tables, staff.yaml checked on load, and every
planted case (``STAFF_PLANTED``) recomputed by hand from the raw tables at the default scale."""

from __future__ import annotations

import datetime as dt

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

from sql_rows import one, rows
from opsreport import schemas
from opsreport.warehouse import demo
from opsreport.warehouse.demo import build, staff, write
from opsreport.warehouse.demo.calendar import Calendar

P = demo.STAFF_PLANTED
END = demo.DEMO_END_DATE
TEAM_TABLES = ["staff", "staff_assignments", "staff_targets", "industry_benchmarks", "appraisal_events",
               "appraisal_ratings", "appraisal_budgets"]
LATER = ["appraisal_snapshots", "appraisal_rescores"]  # written by the appraisal when it closes a period
SMALL = dict(orders_per_shop=20_000, days=150)
YEAR = dict(orders_per_shop=20_000, days=420)  # holds 2026-Q2 and Q3
HISTORY = dt.date(2025, 10, 1)  # the first day of the quarter three before 2026-Q3
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
OPERATORS = ["E002", "E003", "E004", "E005", "E006", "E007", "E008"]


@pytest.fixture(scope="module")
def db(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory):
    path = tmp_path_factory.mktemp("staff") / "unplanted.duckdb"
    demo.build_demo_warehouse(path, **YEAR, plant_events=False)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def credited(con, staff_id, first, last) -> float:
    """share x GMV (orders paid that day) of each assigned shop, or share x the order items' paid
    amount of an assigned sub-category, on the assignment's days inside [first, last]."""
    whole = one(con, """
        SELECT coalesce(sum(a.share * o.paid_amount), 0) FROM staff_assignments a
        JOIN orders o ON o.shop_id = a.shop_id AND o.paid_at IS NOT NULL
         AND o.paid_at::DATE BETWEEN greatest(a.start_date, ?) AND least(coalesce(a.end_date, ?::DATE), ?::DATE)
        WHERE a.staff_id = ? AND a.category IS NULL""", first, last, last, staff_id)
    sub = one(con, """
        SELECT coalesce(sum(a.share * i.paid_amount), 0) FROM staff_assignments a
        JOIN products p ON p.shop_id = a.shop_id AND p.category = a.category
        JOIN order_items i ON i.shop_id = p.shop_id AND i.sku_id = p.sku_id
        JOIN orders o ON o.shop_id = i.shop_id AND o.order_id = i.order_id
         AND o.paid_at::DATE BETWEEN greatest(a.start_date, ?) AND least(coalesce(a.end_date, ?::DATE), ?::DATE)
        WHERE a.staff_id = ? AND a.category IS NOT NULL""", first, last, last, staff_id)
    return whole + sub


def target(con, staff_id, period, metric="sales_amount"):
    found = rows(con, "SELECT value FROM staff_targets WHERE staff_id = ? AND period = ? AND metric = ?",
                 staff_id, period, metric)
    return found[0][0] if found else None


def months(first, last):
    out, day = [], first
    while day <= last:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((day.strftime("%Y-%m"), day, nxt - dt.timedelta(days=1)))
        day = nxt
    return out


def events(con, staff_id, first, last):
    return rows(con, """SELECT kind, hours, platform_penalty FROM appraisal_events
                        WHERE staff_id = ? AND occurred_on BETWEEN ? AND ? ORDER BY occurred_on""",
                staff_id, first, last)


# --- what is planted ------------------------------------------------------------------------------


def test_staff_planted_states_the_seeds_worked_examples():
    assert (P.ninety.staff_id, P.ninety.period, P.ninety.completion) == ("E008", "2026-10", 0.9)
    assert P.ninety.points == 60 * 0.9 == 54  # 80% <= c < 100%: 60 x c
    assert (P.one_twenty.staff_id, P.one_twenty.period, P.one_twenty.completion) == ("E005", "2026-10", 1.2)
    assert P.one_twenty.points == 60 + 5 * 2 == 70  # two full 10% steps above 100%
    assert (P.violation.staff_id, P.violation.occurred_on, P.violation.platform_penalty) == \
        ("E006", dt.date(2026, 10, 14), True)
    assert P.violation.points == -5 - 10  # the violation, then 10 more for the platform's penalty
    assert (P.overrun.staff_id, P.overrun.period, P.overrun.overrun, P.overrun.points) == ("E003", "2026-10", 0.08, -3)
    assert P.handover == demo.Handover("0388", "E007", "E008", dt.date(2026, 8, 15), dt.date(2026, 8, 16), "2026-Q3")
    assert [q.period for q in P.poor] == ["2026-Q2", "2026-Q3"] and P.top.period == "2026-Q3"
    assert demo.staff_planted_events(END) == P


def test_poor_and_top_cases_state_every_rule_and_their_totals():
    q2, q3 = P.poor
    # Q2: sales 0 (c < 80%) + efficiency 20 - 2 x 2 late - 5 x 2 violations + collaboration 6 = 12
    assert sum(r.points for r in q2.rules if r.points is not None) == 0 + 20 - 4 - 10 + 6 == 12
    # Q3: 0 + 20 - 5 x 3 violations + 6 = 11
    assert sum(r.points for r in q3.rules if r.points is not None) == 0 + 20 - 15 + 6 == 11
    # the data rules at their best: conversion +10, ROI 0 (below its target), new customers +5, repurchase +5
    assert q2.max_total == 12 + 10 + 0 + 5 + 5 == 32 < 60
    assert q3.max_total == 11 + 20 == 31 < 60
    # top: 75 (60 + 5 x 3 full steps at 131-137%) + 20 + collaboration 10 + documents min(2 x 3, 5)
    # + innovation 5 + cost saving 3, then the data rules at their worst: -10 -10 -5 -5
    assert P.top.min_total == 75 + 20 + 10 + 5 + 5 + 3 - 30 == 88 >= 85
    assert P.top.rule("sales_completion").points == 60 + 5 * 3


# --- contracts and the team ------------------------------------------------------------------------


def test_team_tables_pass_their_contracts_and_the_closing_tables_stay_empty(demo_warehouse, db):
    con = ibis.duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        for name in TEAM_TABLES + LATER:
            schemas.validate(con.table(name), name)  # raises ContractError listing every problem
    finally:
        con.disconnect()
    for name in TEAM_TABLES:
        assert one(db, f'SELECT count(*) FROM "{name}"') > 0, name
    for name in LATER:
        assert one(db, f'SELECT count(*) FROM "{name}"') == 0, name


def test_the_team_is_a_director_seven_operators_and_two_ad_specialists(db):
    people = rows(db, "SELECT staff_id, role, team, manager_id FROM staff ORDER BY 1")
    assert [r[1] for r in people].count("director") == 1
    assert [r[0] for r in people if r[1] == "shop_operator"] == OPERATORS
    assert [r[0] for r in people if r[1] == "ad_specialist"] == ["E009", "E010"]
    assert {r[2] for r in people} == {"ops-east"}
    ids = {r[0] for r in people}
    assert all(r[3] in ids for r in people if r[3] is not None)
    assert [r[0] for r in people if r[3] is None] == ["E001"]  # the director heads the team
    for table in TEAM_TABLES[1:]:  # the demo does not appraise the director
        if table != "industry_benchmarks":
            assert one(db, f"SELECT count(*) FROM {table} WHERE staff_id = 'E001'") == 0, table
    # names are Chinese (staff.yaml), two to three characters
    assert all(2 <= len(r[0]) <= 3 for r in rows(db, "SELECT name FROM staff"))


def test_shares_add_up_to_one_per_role_shop_or_subcategory_and_day(db):
    bad = rows(db, """
        WITH days AS (SELECT unnest(generate_series(?::DATE, ?::DATE, INTERVAL 1 DAY))::DATE AS day),
        a AS (SELECT s.role, a.* FROM staff_assignments a JOIN staff s USING (staff_id))
        SELECT role, shop_id, coalesce(category, '') AS cat, day, sum(share) AS total
        FROM a JOIN days ON day BETWEEN a.start_date AND coalesce(a.end_date, DATE '2100-01-01')
        GROUP BY ALL HAVING abs(sum(share) - 1) > 1e-9""", HISTORY, END)
    assert bad == []
    # every sub-category of a shop split by sub-category has its operator; no role mixes whole and parts
    split = rows(db, """SELECT DISTINCT a.shop_id FROM staff_assignments a JOIN staff s USING (staff_id)
                        WHERE s.role = 'shop_operator' AND a.category IS NOT NULL""")
    assert split == [("0071",)]
    assert sorted(r[0] for r in rows(db, "SELECT DISTINCT category FROM products WHERE shop_id = '0071'")) == \
        sorted(r[0] for r in rows(db, "SELECT category FROM staff_assignments WHERE shop_id = '0071' "
                                      "AND category IS NOT NULL"))
    assert rows(db, """SELECT a.shop_id FROM staff_assignments a JOIN staff s USING (staff_id)
                       WHERE s.role = 'shop_operator' AND a.category IS NULL AND a.shop_id = '0071'""") == []
    # the co-owned shop
    assert rows(db, "SELECT staff_id, share FROM staff_assignments WHERE shop_id = '0142' AND staff_id < 'E009' "
                    "ORDER BY 1") == [("E005", 0.5), ("E006", 0.5)]


def test_the_handover_has_no_gap_and_no_overlap(db):
    h = P.handover
    spans = rows(db, """SELECT staff_id, start_date, end_date FROM staff_assignments a JOIN staff s USING (staff_id)
                        WHERE shop_id = ? AND s.role = 'shop_operator' ORDER BY start_date""", h.shop_id)
    assert [s[0] for s in spans] == [h.from_staff, h.to_staff]
    assert spans[0][2] == h.last_day == dt.date(2026, 8, 15) and spans[1][1] == h.first_day == dt.date(2026, 8, 16)
    assert spans[1][1] - spans[0][2] == dt.timedelta(days=1) and spans[1][2] is None  # the next day, ongoing
    assert dt.date(2026, 7, 1) <= h.last_day < h.first_day <= dt.date(2026, 9, 30)  # mid 2026-Q3
    people = dict((r[0], r[1:]) for r in rows(db, "SELECT staff_id, joined_on, left_on FROM staff"))
    assert people[h.from_staff][1] == h.last_day  # leaves the team that day
    assert people[h.to_staff][0] == dt.date(2026, 8, 1) < h.first_day  # joined two weeks before
    # E007's and E008's Q3 targets cover their own days: Jul + Aug 1-15 and Aug 16 + Sep
    q3 = {"2026-07", "2026-08", "2026-09", "2026-Q3"}
    periods = {who: {r[0] for r in rows(db, "SELECT period FROM staff_targets WHERE staff_id = ? "
                                            "AND metric = 'sales_amount'", who)} & q3 for who in ("E007", "E008")}
    assert periods == {"E007": {"2026-07", "2026-08", "2026-Q3"}, "E008": {"2026-08", "2026-09", "2026-Q3"}}
    # E007's August target is for Aug 1-15 only: its credited sales of those days / target in its range
    c = credited(db, "E007", dt.date(2026, 8, 1), dt.date(2026, 8, 31)) / target(db, "E007", "2026-08")
    assert c == pytest.approx(credited(db, "E007", dt.date(2026, 8, 1), h.last_day) / target(db, "E007", "2026-08"))
    assert 0.86 - 1e-3 <= c <= 1.08 + 1e-3


# --- the planted cases recomputed from the tables ---------------------------------------------------


@pytest.mark.parametrize("case", [P.ninety, P.one_twenty], ids=["ninety", "one_twenty"])
def test_exact_sales_completion(db, case):
    actual = credited(db, case.staff_id, *OCT)
    goal = target(db, case.staff_id, case.period)
    assert goal == round(goal, 2)  # written to the cent
    assert abs(actual / goal - case.completion) <= 1e-9
    if case is P.one_twenty:  # a co-owner: half of 0142's October GMV
        gmv = one(db, "SELECT sum(paid_amount) FROM orders WHERE shop_id = '0142' AND paid_at::DATE BETWEEN ? AND ?", *OCT)
        assert abs(actual - 0.5 * gmv) < 0.01
        assert abs(0.5 * gmv / goal - 1.2) <= 1e-9


def test_compliance_violation_with_a_platform_penalty(db):
    v = P.violation
    found = rows(db, """SELECT event_id, kind, platform_penalty, note FROM appraisal_events
                        WHERE staff_id = ? AND occurred_on = ?""", v.staff_id, v.occurred_on)
    assert [(r[1], r[2]) for r in found] == [("compliance_violation", True)]
    assert found[0][3]  # a note says what it was


def test_budget_overrun_of_eight_percent(db):
    budget, spend = rows(db, "SELECT budget, spend FROM appraisal_budgets WHERE staff_id = ? AND period = ?",
                         P.overrun.staff_id, P.overrun.period)[0]
    assert budget % 100 == 0  # whole hundreds of yuan
    assert abs(spend / budget - 1.08) < 1e-12
    # beyond the 5% allowed: 8% - 5% = 3 full points -> -3 (computed on whole percents: 108 - 100 - 5)
    assert -(round(spend / budget * 100) - 100 - 5) == P.overrun.points == -3


def quarter_target_is_the_sum_of_its_months(con, staff_id, label, first, last):
    parts = [target(con, staff_id, m) for m, _, _ in months(first, last)]
    return abs(target(con, staff_id, label) - sum(p for p in parts if p is not None)) < 0.01


@pytest.mark.parametrize("index", [0, 1], ids=["2026-Q2", "2026-Q3"])
def test_a_person_below_60_in_two_consecutive_quarters(db, index):
    case = P.poor[index]
    first, last = (Q2, Q3)[index]
    who = case.staff_id
    assert who == "E004"
    c = credited(db, who, first, last) / target(db, who, case.period)
    assert c < 0.80  # below 80%: 0 sales points
    assert 0.70 - 1e-3 <= c <= 0.78 + 1e-3
    assert quarter_target_is_the_sum_of_its_months(db, who, case.period, first, last)
    for m, a, b in months(first, last):
        assert credited(db, who, a, b) / target(db, who, m) < 0.80, m
    # the only events of the quarter are the planted ones
    kinds = [e[0] for e in events(db, who, first, last)]
    late, violations = kinds.count("late_response"), kinds.count("compliance_violation")
    assert (late, violations) == ((2, 2), (0, 3))[index] and len(kinds) == late + violations
    assert all(e[2] is False for e in events(db, who, first, last) if e[0] == "compliance_violation")
    assert all(e[1] > 24 for e in events(db, who, first, last) if e[0] == "late_response")
    assert case.rule("late_response").points == -2 * late and case.rule("compliance").points == -5 * violations
    # collaboration: Q2 (66 + 70 + 68) / 3 = 68 -> 12 below 80 = 2 full 5s -> 10 - 4 = 6;
    # Q3 (64 + 70 + 66) / 3 = 66.67 -> 13.3 below -> 2 full 5s -> 6
    mean = one(db, "SELECT avg(score) FROM appraisal_ratings WHERE staff_id = ? AND period = ?", who, case.period)
    assert mean == pytest.approx((68.0, 200 / 3)[index])
    assert case.rule("collaboration").points == 6
    # budgets: spent at 97-104% every month: no overrun beyond 5%, no 5% saving
    ratios = [r[0] for r in rows(db, """SELECT spend / budget FROM appraisal_budgets WHERE staff_id = ?
                                        AND period BETWEEN ? AND ?""", who, months(first, last)[0][0],
                                 months(first, last)[-1][0])]
    assert len(ratios) == 3 and all(0.96 <= r <= 1.05 for r in ratios), ratios
    # ROI: the shop's ads of the quarter vs the personal target: 1.05-1.15 below -> 2 full 0.5 steps -> -4
    roi = one(db, """SELECT sum(attributed_amount) / sum(spend) FROM ads_daily WHERE shop_id = '0071'
                     AND date BETWEEN ? AND ?""", first, last)
    gap = target(db, who, case.period, "roi") - roi
    assert 1.05 - 1e-9 <= gap < 1.15 and -2 * int(gap // 0.5) == -4
    assert case.rule("paid_roi").high <= 0
    assert case.max_total < 60


def test_a_top_performer_in_the_last_complete_quarter(db):
    case = P.top
    who = case.staff_id
    c = credited(db, who, *Q3) / target(db, who, case.period)
    assert 1.31 - 1e-3 <= c <= 1.37 + 1e-3  # 3 full 10% steps above 100%: 60 + 15 = 75
    assert 60 + 5 * int(round((c - 1) * 100) // 10) == case.rule("sales_completion").points == 75
    kinds = sorted(e[0] for e in events(db, who, *Q3))
    assert kinds == ["cost_saving", "innovation", "sop_document", "sop_document"]  # nothing negative
    assert one(db, "SELECT avg(score) FROM appraisal_ratings WHERE staff_id = ? AND period = ?", who,
               case.period) == pytest.approx((90 + 88 + 93) / 3)  # >= 80: 10 points
    assert all(r[0] <= 1.05 for r in rows(db, """SELECT spend / budget FROM appraisal_budgets WHERE staff_id = ?
                                                 AND period IN ('2026-07', '2026-08', '2026-09')""", who))
    # the others: completion at most 112% (65), no innovation or cost saving, at most one document;
    # their table-only points at most 65 + 20 + 5 (saving) + 10 + 3 = 103 < 118, E002's at least
    best_other = 0.0
    for other in OPERATORS:
        if other == who:
            continue
        goal = target(db, other, case.period)
        if goal is not None:
            best_other = max(best_other, credited(db, other, *Q3) / goal)
        kinds = [e[0] for e in events(db, other, *Q3)]
        assert "innovation" not in kinds and "cost_saving" not in kinds and kinds.count("sop_document") <= 1, other
    assert best_other <= 1.12 + 1e-3
    assert 75 + 20 + 10 + 5 + 5 + 3 > 65 + 20 + 5 + 10 + 3
    assert case.min_total >= 85


# --- the tables' arithmetic -----------------------------------------------------------------------


def test_own_targets_follow_the_completion_ranges_and_quarters_add_up(db):
    # E003's months carry no plant: credited / target inside its range (0.88-1.10, +- the 100-yuan rounding)
    for m, a, b in months(HISTORY, dt.date(2026, 10, 31)):
        c = credited(db, "E003", a, b) / target(db, "E003", m)
        assert 0.88 - 1e-3 <= c <= 1.10 + 1e-3, (m, c)
    for label, (a, b) in {"2025-Q4": (HISTORY, dt.date(2025, 12, 31)), "2026-Q1": (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
                          "2026-Q2": Q2, "2026-Q3": Q3, "2026-Q4": (dt.date(2026, 10, 1), dt.date(2026, 12, 31))}.items():
        for who in ("E002", "E003", "E005"):
            assert quarter_target_is_the_sum_of_its_months(db, who, label, a, b), (who, label)
    # December is the rest of the current quarter: its target is set, its sales are not in yet
    assert target(db, "E002", "2026-12") > 0
    # people measured against their shops' targets have no own sales target
    assert rows(db, "SELECT DISTINCT staff_id FROM staff_targets WHERE metric = 'sales_amount' "
                    "AND staff_id IN ('E006', 'E009', 'E010')") == []
    assert {r[0] for r in rows(db, "SELECT value FROM staff_targets WHERE staff_id = 'E010' AND metric = 'roi'")} == {2.2}
    assert dict(rows(db, """SELECT period, value FROM staff_targets WHERE staff_id = 'E009'
                            AND metric = 'new_customer_sales_share' AND period IN ('2026-10', '2026-Q3')""")) == \
        {"2026-10": 0.33, "2026-Q3": 0.38}


def test_benchmarks_sit_near_the_shops_own_conversion_and_repurchase_only_where_buyers_return(db):
    cats = dict(rows(db, "SELECT category, count(DISTINCT period) FROM industry_benchmarks GROUP BY 1"))
    # months 2025-10 .. 2026-11 (14) and quarters 2025-Q4 .. 2026-Q4 (5)
    assert cats == {"beauty": 19, "furniture": 19, "apparel": 19}
    assert rows(db, "SELECT DISTINCT category FROM industry_benchmarks WHERE metric = 'repurchase_rate' ORDER BY 1") == \
        [("apparel",), ("beauty",)]
    ratio = rows(db, """
        SELECT b.category, b.period, any_value(b.value) / (sum(d.paid_buyers) / sum(d.uv))
        FROM industry_benchmarks b JOIN shops s ON s.category = b.category
        JOIN shop_daily d ON d.shop_id = s.shop_id AND strftime(d.date, '%Y-%m') = b.period
        WHERE b.metric = 'conversion_rate' GROUP BY ALL""")
    values = [r[2] for r in ratio]
    assert len(values) == 3 * 14 and all(0.899 <= v <= 1.101 for v in values)
    assert min(values) < 0.95 and max(values) > 1.05  # some months above the industry, some below: points vary


def test_budgets_spend_the_credited_ads(db):
    # E010 runs 0388 whole: its spend is 0388's ads_daily spend of the month
    for m, a, b in months(HISTORY, dt.date(2026, 9, 30)):
        spend = one(db, "SELECT spend FROM appraisal_budgets WHERE staff_id = 'E010' AND period = ?", m)
        ads = one(db, "SELECT sum(spend) FROM ads_daily WHERE shop_id = '0388' AND date BETWEEN ? AND ?", a, b)
        assert abs(spend - ads) < 0.01, m
    # E005 co-owns 0142: half of it
    spend = one(db, "SELECT spend FROM appraisal_budgets WHERE staff_id = 'E005' AND period = '2026-09'")
    ads = one(db, "SELECT sum(spend) FROM ads_daily WHERE shop_id = '0142' AND date BETWEEN '2026-09-01' AND '2026-09-30'")
    assert abs(spend - 0.5 * ads) < 0.01
    # spent at 90-105% of the budget (+- its rounding to 100 yuan), the planted 108% aside; November
    # is under way (its budget is for the month, its spend to date)
    ratios = [r[0] for r in rows(db, "SELECT spend / budget FROM appraisal_budgets WHERE period < '2026-11'")]
    assert all(0.895 <= r <= 1.055 or abs(r - 1.08) < 1e-12 for r in ratios)
    assert sum(r > 1.05 + 1e-6 for r in ratios) == 1  # the planted overrun is the only one beyond 5%


def test_ratings_per_complete_quarter_and_partner_team(db):
    assert rows(db, "SELECT DISTINCT period FROM appraisal_ratings ORDER BY 1") == \
        [("2025-Q4",), ("2026-Q1",), ("2026-Q2",), ("2026-Q3",)]
    assert {r[0] for r in rows(db, "SELECT DISTINCT rater_team FROM appraisal_ratings")} == {"设计", "客服", "供应链"}
    assert one(db, "SELECT count(*) FROM appraisal_ratings WHERE score < 60 OR score > 95") == 0
    assert one(db, "SELECT count(*) FROM (SELECT staff_id, period FROM appraisal_ratings GROUP BY ALL "
                   "HAVING count(*) <> 3)") == 0
    assert rows(db, "SELECT period FROM appraisal_ratings WHERE staff_id = 'E007' AND period = '2026-Q3'") == []
    assert one(db, "SELECT count(*) FROM appraisal_ratings WHERE staff_id = 'E008' AND period = '2026-Q3'") == 3


def test_events_fall_in_their_windows_and_are_numbered_by_date(db):
    late = rows(db, "SELECT occurred_on, hours FROM appraisal_events WHERE kind = 'late_response'")
    assert late and all(h > 24 for _, h in late)
    prep = [((5, 10), (6, 15)), ((10, 8), (10, 30))]  # 618 and Double 11 preparation
    assert all(any((d.month, d.day) >= a and (d.month, d.day) <= b for a, b in prep) for d, _ in late)
    assert all(h > 1 for (h,) in rows(db, "SELECT hours FROM appraisal_events WHERE kind = 'incident_delay'"))
    assert one(db, """SELECT count(*) FROM appraisal_events WHERE (kind = 'compliance_violation') <>
                      (platform_penalty IS NOT NULL)""") == 0
    numbered = rows(db, """SELECT staff_id, list(event_id ORDER BY occurred_on, kind) FROM appraisal_events
                           GROUP BY 1""")
    for _, ids in numbered:
        assert ids == [f"{i:03d}" for i in range(1, len(ids) + 1)]
    outside = one(db, """SELECT count(*) FROM appraisal_events e JOIN staff s USING (staff_id)
                         WHERE e.occurred_on < greatest(s.joined_on, ?) OR e.occurred_on > coalesce(s.left_on, ?)""",
                  HISTORY, END)
    assert outside == 0
    assert one(db, "SELECT count(DISTINCT kind) FROM appraisal_events") == len(schemas.APPRAISAL_EVENT_KINDS)


# --- without plants, determinism and the other tables -------------------------------------------------


def test_without_plants_the_same_team_and_no_planted_case(unplanted):
    con = unplanted
    assert one(con, "SELECT count(*) FROM staff") == 10
    assert rows(con, "SELECT end_date FROM staff_assignments WHERE staff_id = 'E007'") == [(P.handover.last_day,)]
    assert target(con, "E004", "2026-Q2", "roi") is None
    ratio = credited(con, "E008", *OCT) / target(con, "E008", "2026-10")
    assert 0.90 - 1e-3 <= ratio <= 1.10 + 1e-3 and abs(ratio - 0.9) > 1e-6  # drawn from its range
    assert rows(con, """SELECT * FROM appraisal_events WHERE staff_id = 'E006' AND occurred_on = ?
                        AND platform_penalty""", P.violation.occurred_on) == []
    assert all(r[0] <= 1.05 + 1e-9 for r in rows(con, "SELECT spend / budget FROM appraisal_budgets "
                                                     "WHERE period < '2026-11'"))


def _team_frames(seed) -> dict[str, pd.DataFrame]:
    cal = Calendar.make(END, 150)
    kept = [staff.collect(build.simulate_shop(m, cal, orders_per_shop=2_000, seed=seed, plant=True))
            for m in build.MODELS]
    return {name: pd.DataFrame({c: list(v) for c, v in cols.items()}) for name, cols in staff.tables(kept).items()}


def test_same_seed_gives_the_same_rows_and_another_seed_other_numbers():
    first, again, other = _team_frames(1), _team_frames(1), _team_frames(2)
    for name in TEAM_TABLES:
        pd.testing.assert_frame_equal(first[name], again[name])
    for name in ("staff", "staff_assignments"):  # the team is data
        pd.testing.assert_frame_equal(first[name], other[name])
    assert not first["staff_targets"].equals(other["staff_targets"])
    assert not first["appraisal_budgets"].equals(other["appraisal_budgets"])


def digest(path, tables) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f'SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM "{name}"').fetchone()
                for name in tables}
    finally:
        con.close()


def test_the_team_tables_change_no_other_table(tmp_path, monkeypatch):
    others = [name for name in schemas.CONTRACTS if name not in TEAM_TABLES]
    demo.build_demo_warehouse(tmp_path / "with.duckdb", **SMALL)
    assert build.TEAM_BUILDERS[-1].collect is staff.collect
    monkeypatch.setattr(build, "TEAM_BUILDERS", ())
    demo.build_demo_warehouse(tmp_path / "without.duckdb", **SMALL)
    assert digest(tmp_path / "with.duckdb", others) == digest(tmp_path / "without.duckdb", others)
    assert all(d[0] == 0 for d in digest(tmp_path / "without.duckdb", TEAM_TABLES).values())
    assert all(d[0] > 0 for d in digest(tmp_path / "with.duckdb", TEAM_TABLES).values())


def test_a_short_window_writes_only_the_periods_it_holds(tmp_path):
    path = tmp_path / "short.duckdb"
    demo.build_demo_warehouse(path, **SMALL)  # from 2026-06-26: months from 2026-07, quarters from Q3
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert one(con, "SELECT min(period) FROM appraisal_budgets") == "2026-07"
        assert rows(con, "SELECT DISTINCT period FROM appraisal_ratings") == [("2026-Q3",)]
        assert one(con, "SELECT min(occurred_on) FROM appraisal_events") >= dt.date(2026, 6, 26)
    finally:
        con.close()


# --- staff.yaml and the writer ---------------------------------------------------------------------


def test_staff_yaml_is_checked_when_loaded(tmp_path):
    text = staff.TEAM_FILE.read_text(encoding="utf-8")

    def broken(old, new):
        assert old in text
        path = tmp_path / "staff.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(ValueError, match="staff.yaml") as e:
            staff.load_team(path)
        return str(e.value)

    assert "add up to 0.9 before the handover" in broken('{shop: "0142", share: 0.5, since: 2023-08-01}]\n  - id: E007',
                                                          '{shop: "0142", share: 0.4, since: 2023-08-01}]\n  - id: E007')
    assert "manager 'E099' is not a person" in broken("manager: E005", "manager: E099")
    assert "people[2]: completion is a range" in broken("completion: [0.88, 1.10]", "completion: [1.10, 0.88]")
    assert "the director is not appraised" in broken("role: director, manager: null", "role: director, own_targets: true, "
                                                     "manager: null")


def test_insert_needs_a_shop_id_for_a_shop_table_and_takes_none_for_a_team_table(tmp_path):
    with write.new_demo_file(tmp_path / "w.duckdb") as con:
        with pytest.raises(ValueError, match="'products' need a shop_id"):
            write.insert(con, "products", None, {"sku_id": ["a"], "product_name": ["x"], "category": ["c"],
                                                 "list_price": [1.0], "unit_cost": [0.5], "launched_on": [None],
                                                 "status": ["on_shelf"]})
        write.insert(con, "appraisal_ratings", None, {"staff_id": ["E1"], "period": ["2026-Q3"],
                                                      "rater_team": ["x"], "score": [80.0]})
        assert con.execute("SELECT count(*) FROM appraisal_ratings").fetchone()[0] == 1
        assert con.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'appraisal_events' "
                           "AND column_name = 'platform_penalty'").fetchone()[0] == "BOOLEAN"
        np.testing.assert_equal(write.sql_type(schemas.columns_of("appraisal_events")["platform_penalty"]), "BOOLEAN")
