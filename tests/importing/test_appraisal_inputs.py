"""The appraisal inputs template (opsreport/importing/templates/appraisal_inputs.yaml) and the team
sources it brought (``scope: team``: imported without --shop): written by ``opsreport template`` for
a month or a quarter, filled here with openpyxl as the director would, imported into a warehouse
holding three staff and read back, each value worked out by hand. Bad fillings (an unknown staff id,
a score of 120, an unknown event type, a date outside the period, a repeated event number, a penalty
answer other than 是/否, a changed period) and damaged copies (a removed header, a renamed sheet)
write nothing and name sheet, row and column. Also the HR sources staff_roster and
staff_assignments (CSV) and the mapping-language checks of ``scope``, ``refers_to`` and ``bool``.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from export_files import d, rows_of, table_snapshot, write
from typer.testing import CliRunner

from opsreport.cli import app
from opsreport.errors import ImportProblemsError, MappingError, ParamsError
from opsreport.importing import import_files, load
from opsreport.importing import templates
from opsreport.importing.mappings import load_mapping_file

runner = CliRunner()
# the built-in sources this module gives a fixture (test_builtin_mappings checks that every one has one)
FIXTURE_SOURCES = {"appraisal_inputs", "staff_roster", "staff_assignments"}
SHEETS = {"zh": ["填写说明", "事件", "协作评分", "预算", "个人目标", "行业均值"],
          "en": ["Instructions", "Events", "Collaboration", "Budgets", "Targets", "Benchmarks"]}
REF = {"zh": "员工名单", "en": "Staff"}

# the tiny team: two people of ops-east (E002 reports to E001), one of ops-west
STAFF = [
    ("E001", "王敏", "shop_operator", "ops-east", None, dt.date(2025, 3, 1), None),
    ("E002", "李想", "ad_specialist", "ops-east", "E001", dt.date(2025, 6, 1), None),
    ("E003", "赵云", "shop_operator", "ops-west", None, dt.date(2024, 1, 8), None),
]


@pytest.fixture
def wh(tmp_path):
    """A warehouse holding STAFF (and nothing else)."""
    path = tmp_path / "team.duckdb"
    with load.transaction(path, dry_run=False) as con:
        con.executemany("INSERT INTO staff VALUES (?, ?, ?, ?, ?, ?, ?)", STAFF)
    return path


def blank(tmp_path, period="2026-10", lang="zh", name="blank.xlsx", **options):
    return templates.write_template("appraisal_inputs", tmp_path / name, lang=lang,
                                    options={"period": period, **options})


def word(lang, zh, en):
    return {"zh": zh, "en": en}[lang]


# what the director types, per sheet index (columns after the pre-filled ones left as written)
def fill_rows(lang):
    return {
        1: [  # 事件: 员工ID, 事件编号 (pre-filled), 日期, 类型, 时长(小时), 是否导致平台处罚, 说明
            ["E001", None, dt.date(2026, 10, 3), word(lang, "突发问题响应延迟", "late incident response"), 3, None, "超卖"],
            ["E001", None, dt.date(2026, 10, 20), word(lang, "违规", "compliance violation"), None,
             word(lang, "是", "yes"), "主图绝对化用语"],
            ["E002", None, dt.date(2026, 10, 31), word(lang, "SOP文档", "SOP document"), None, None, None],
        ],
        2: [  # 协作评分: 员工ID, 周期 (pre-filled), 评分部门, 评分
            ["E001", None, word(lang, "客服", "customer service"), 85],
            ["E002", None, word(lang, "设计", "design"), "72.5"],  # typed as text
        ],
        3: [  # 预算: 员工ID, 周期, 预算, 实际花费
            ["E001", None, 50000, 53500],
            ["E002", None, "80,000", 76000.5],
        ],
        4: [  # 个人目标: 员工ID, 周期, 指标, 目标值
            ["E001", None, word(lang, "新客销售占比目标", "new-customer sales share target"), "30%"],
        ],
        5: [  # 行业均值: 类目, 周期, 指标, 数值
            ["beauty", None, word(lang, "转化率", "conversion rate"), 0.032],  # typed 3.2% in the percent cell
            ["beauty", None, word(lang, "大盘增速", "market growth"), "-5"],  # text -5: a percent
        ],
    }


def fill(path, lang="zh", rows=None, out=None):
    wb = openpyxl.load_workbook(path)
    for index, sheet_rows in (rows or fill_rows(lang)).items():
        ws = wb[SHEETS[lang][index]]
        for r, row in enumerate(sheet_rows, start=2):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c).value = value
    out = out or path.with_name(f"filled_{lang}.xlsx")
    wb.save(out)
    return out


def team_import(wh, path, **kw):
    return import_files(wh, None, None, [path], **kw)


def rejected(wh, path) -> str:
    with pytest.raises(ImportProblemsError) as err:
        team_import(wh, path)
    return str(err.value)


# the rows read back, in key order
EXPECTED = {
    "appraisal_events": [
        # 事件编号 pre-filled per row: row 2 -> 2026-10-001 ...; the empty 是否导致平台处罚 is NULL, not False
        {"staff_id": "E001", "event_id": "2026-10-001", "occurred_on": d("2026-10-03"), "kind": "incident_delay",
         "hours": 3.0, "platform_penalty": None, "note": "超卖"},
        {"staff_id": "E001", "event_id": "2026-10-002", "occurred_on": d("2026-10-20"), "kind": "compliance_violation",
         "hours": None, "platform_penalty": True, "note": "主图绝对化用语"},
        # 2026-10-31: the period's last day is inside it
        {"staff_id": "E002", "event_id": "2026-10-003", "occurred_on": d("2026-10-31"), "kind": "sop_document",
         "hours": None, "platform_penalty": None, "note": None},
    ],
    "appraisal_ratings": [
        # 周期 left as pre-filled: 2026-10; 客服/customer service stored as 客服 (as the demo team's ratings)
        {"staff_id": "E001", "period": "2026-10", "rater_team": "客服", "score": 85.0},
        {"staff_id": "E002", "period": "2026-10", "rater_team": "设计", "score": 72.5},  # the text "72.5"
    ],
    "appraisal_budgets": [
        {"staff_id": "E001", "period": "2026-10", "budget": 50000.0, "spend": 53500.0},
        {"staff_id": "E002", "period": "2026-10", "budget": 80000.0, "spend": 76000.5},  # "80,000" = 80000
    ],
    "staff_targets": [
        {"staff_id": "E001", "period": "2026-10", "metric": "new_customer_sales_share", "value": 0.3},  # 30% = 0.3
    ],
    "industry_benchmarks": [
        # key order: category, period, metric (conversion_rate < market_growth)
        {"category": "beauty", "period": "2026-10", "metric": "conversion_rate", "value": 0.032},  # 3.2% = 0.032
        {"category": "beauty", "period": "2026-10", "metric": "market_growth", "value": -0.05},  # bare -5: -5%
    ],
}


# --- the written workbook --------------------------------------------------------------------------


def checks_of(ws) -> dict:
    return {str(v.sqref): v for v in ws.data_validations.dataValidation}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_is_for_one_period_and_lists_the_teams_staff(tmp_path, wh, lang):
    path = blank(tmp_path, lang=lang, warehouse=str(wh), team="ops-east")
    assert path.name == "blank.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [*SHEETS[lang], REF[lang]]
    # the reference sheet: the staff of ops-east only (E003 is in ops-west), sorted by id
    listed = [list(r) for r in wb[REF[lang]].iter_rows(min_row=2, values_only=True)]
    assert listed == [["E001", "王敏", "shop_operator", "ops-east"], ["E002", "李想", "ad_specialist", "ops-east"]]
    events = wb[SHEETS[lang][1]]
    headers = word(lang, ["员工ID", "事件编号", "日期", "类型", "时长(小时)", "是否导致平台处罚", "说明"],
                   ["Staff ID", "Event no.", "Date", "Type", "Hours", "Platform penalty", "Note"])
    assert [c.value for c in events[1]] == headers
    checks = checks_of(events)
    # the Staff ID dropdown picks from the reference sheet's two ids (rows 2..3)
    assert (checks["A2:A501"].type, checks["A2:A501"].formula1) == ("list", f"'{REF[lang]}'!$A$2:$A$3")
    # dates inside October 2026: Excel serials 46296 (2026-10-01) .. 46326 (2026-10-31);
    # 2026-01-01 is 46023 (2025-01-01 = 45658, + 365) and Jan..Sep have 273 days: 46023 + 273 = 46296
    assert (checks["C2:C501"].type, checks["C2:C501"].formula1, checks["C2:C501"].formula2) == ("date", "46296", "46326")
    penalty = word(lang, '"是,否"', '"yes,no"')
    assert checks["F2:F501"].formula1 == penalty
    # event numbers pre-filled per row: row 2 is the first, row 501 the 500th
    assert (events["B2"].value, events["B3"].value, events["B501"].value) == ("2026-10-001", "2026-10-002", "2026-10-500")
    assert events["B502"].value is None
    ratings = wb[SHEETS[lang][2]]
    assert (ratings["B2"].value, ratings["B501"].value, ratings["B502"].value) == ("2026-10", "2026-10", None)
    score = checks_of(ratings)["D2:D501"]
    assert (score.type, score.formula1, score.formula2) == ("decimal", "0", "100")
    rater = word(lang, '"设计,客服,供应链,其他"', '"design,customer service,supply chain,other"')
    assert checks_of(ratings)["C2:C501"].formula1 == rater
    assert wb[SHEETS[lang][5]]["D2"].number_format == "0.00%"
    # the copy says what it is for; the warehouse path is not recorded
    assert wb.properties.keywords == f"template=appraisal_inputs, lang={lang}, period=2026-10, team=ops-east"
    assert wb[SHEETS[lang][0]]["A1"].value == word(lang, "考核录入表 2026-10", "Appraisal inputs 2026-10")


def test_without_a_warehouse_there_is_no_staff_list(tmp_path):
    wb = openpyxl.load_workbook(blank(tmp_path))
    assert wb.sheetnames == SHEETS["zh"]
    assert "A2:A501" not in checks_of(wb["事件"])  # the 员工ID column is free text


def test_a_quarter_bounds_the_dates_to_its_three_months(tmp_path, wh):
    path = blank(tmp_path, period="2026-Q4", warehouse=str(wh))
    wb = openpyxl.load_workbook(path)
    # all three staff (no --team); 2026-10-01 = 46296; Oct 31 + Nov 30 + Dec 31 = 92 days: 2026-12-31 = 46296 + 91
    assert checks_of(wb["事件"])["C2:C501"].formula2 == "46387"
    assert checks_of(wb["事件"])["A2:A501"].formula1 == "'员工名单'!$A$2:$A$4"
    assert wb["事件"]["B2"].value == "2026-Q4-001" and wb["预算"]["B2"].value == "2026-Q4"


def test_period_bounds_of_months_and_quarters():
    assert templates.period_bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))  # not a leap year
    assert templates.period_bounds("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))  # a leap year
    assert templates.period_bounds("2026-Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert templates.period_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    for bad in ("2026-13", "2026-Q5", "2026-Q0", "2026-1", "26-10"):
        with pytest.raises(ValueError):
            templates.period_bounds(bad)


def test_the_command_checks_period_team_and_warehouse(tmp_path, wh):
    out = tmp_path / "x.xlsx"
    args = ["template", "appraisal_inputs", "--out", str(out)]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 2 and "template 'appraisal_inputs' needs --period (period)" in missing.output
    for bad in ("2026-13", "2026-Q5"):
        result = runner.invoke(app, [*args, "--period", bad])
        assert result.exit_code == 2 and f"--period '{bad}' is not a period (e.g. 2026-10 or 2026-Q4)" in result.output
    alone = runner.invoke(app, [*args, "--period", "2026-10", "--team", "ops-east"])
    assert alone.exit_code == 2 and "--team chooses whom the Staff sheet lists: give --warehouse too" in alone.output
    nobody = runner.invoke(app, [*args, "--period", "2026-10", "--warehouse", str(wh), "--team", "ops-north"])
    assert nobody.exit_code == 2 and "no row of staff has team = ops-north" in nobody.output
    gone = runner.invoke(app, [*args, "--period", "2026-10", "--warehouse", str(tmp_path / "none.duckdb")])
    assert gone.exit_code == 2 and "none.duckdb': no such warehouse file" in gone.output
    assert not out.exists()
    ok = runner.invoke(app, ["template", "appraisal_inputs", "--out", str(tmp_path), "--period", "2026-Q3"])
    assert ok.exit_code == 0 and (tmp_path / "appraisal_inputs_2026-Q3.xlsx").is_file()


def test_the_instructions_point_to_the_staff_sheet_only_when_it_is_written(tmp_path, wh):
    def texts(path):
        return [c for row in openpyxl.load_workbook(path)["填写说明"].iter_rows(values_only=True) for c in row if c]

    assert "从「员工名单」页选择" not in texts(blank(tmp_path))
    # the 员工ID line of each of the four sheets that have one
    assert texts(blank(tmp_path, name="b.xlsx", warehouse=str(wh))).count("从「员工名单」页选择") == 4


# --- round trip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filled_workbook_imports_without_a_shop(tmp_path, wh, lang):
    path = fill(blank(tmp_path, lang=lang, warehouse=str(wh)), lang)
    [report] = team_import(wh, path)
    assert report.source == "appraisal_inputs"
    # 3 + 2 + 2 + 1 + 2 rows typed; the 490-odd rows holding only pre-filled values are blank
    assert report.rows_read == 10
    assert {t.table: (t.rows, t.inserted) for t in report.tables} == {t: (len(v), len(v)) for t, v in EXPECTED.items()}
    for table, expected in EXPECTED.items():
        assert rows_of(wh, table, None, list(expected[0])) == expected, table
    # no shop was created, and the staff sheet was not read
    assert rows_of(wh, "shops") == [] and len(rows_of(wh, "staff")) == 3


def test_a_reimport_changes_nothing_and_a_corrected_row_replaces_the_old(tmp_path, wh):
    path = fill(blank(tmp_path))
    team_import(wh, path)
    [again] = team_import(wh, path)
    assert (again.inserted, again.updated, again.skipped) == (0, 0, 10)
    wb = openpyxl.load_workbook(path)
    wb["协作评分"]["D2"].value = 88  # E001 客服: 85 -> 88
    wb["事件"]["E2"].value = 4  # 2026-10-001: 3 h -> 4 h
    wb["事件"]["A5"].value = "E003"  # a new event, numbered 2026-10-004 by the template
    wb["事件"]["C5"].value = dt.date(2026, 10, 1)  # the period's first day
    wb["事件"]["D5"].value = "创新"
    wb.save(tmp_path / "corrected.xlsx")
    [fixed] = team_import(wh, tmp_path / "corrected.xlsx")
    assert {t.table: (t.inserted, t.updated) for t in fixed.tables if t.updated or t.inserted} == {
        "appraisal_ratings": (0, 1), "appraisal_events": (1, 1)}
    assert rows_of(wh, "appraisal_ratings", None, ["score"])[0] == {"score": 88.0}
    events = rows_of(wh, "appraisal_events", None, ["staff_id", "event_id", "hours", "kind"])
    assert events[0] == {"staff_id": "E001", "event_id": "2026-10-001", "hours": 4.0, "kind": "incident_delay"}
    assert events[3] == {"staff_id": "E003", "event_id": "2026-10-004", "hours": None, "kind": "innovation"}


def test_an_empty_copy_imports_nothing(tmp_path, wh):
    before = table_snapshot(wh)
    [report] = team_import(wh, blank(tmp_path, warehouse=str(wh)))
    assert report.rows_read == 0 and report.inserted == 0
    assert table_snapshot(wh) == before


def test_the_import_command_takes_no_shop_for_a_team_source(tmp_path, wh):
    path = fill(blank(tmp_path))
    ok = runner.invoke(app, ["import", "--warehouse", str(wh), str(path)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[0].startswith("source: appraisal_inputs (the file is a copy of template")
    # dates: the events' 2026-10-03 .. 2026-10-31 (the only dated table)
    assert "filled_zh.xlsx: 10 rows read, 2026-10-03 ~ 2026-10-31; inserted 10, updated 0, skipped 0" in ok.output
    assert "created shop" not in ok.output
    shop = runner.invoke(app, ["import", "--shop", "0071", "--warehouse", str(wh), str(path)])
    assert shop.exit_code == 2
    assert ("source 'appraisal_inputs' (考核录入表（事件、协作评分、预算、个人目标、行业均值）) fills team tables "
            "(appraisal_events, appraisal_ratings, appraisal_budgets, staff_targets, industry_benchmarks), which "
            "belong to no shop: leave out --shop") in shop.output
    platform = runner.invoke(app, ["import", "--platform", "tmall", "--warehouse", str(wh), str(path)])
    assert platform.exit_code == 2 and "belong to no shop: leave out --platform" in platform.output


def test_a_shop_source_still_needs_a_shop(tmp_path):
    f = write(tmp_path / "overview.csv", [["统计日期", "访客数", "支付金额", "支付买家数"], ["2026-11-01", "100", "900", "9"]])
    result = runner.invoke(app, ["import", "--source", "sycm_shop_daily", "--warehouse", str(tmp_path / "w.duckdb"), str(f)])
    assert result.exit_code == 2
    assert "source 'sycm_shop_daily' (生意参谋 · 店铺整体（按天）) fills shop tables (shop_daily): give --shop" in result.output
    assert not (tmp_path / "w.duckdb").exists()


# --- bad fillings: nothing written; sheet, row, column named ---------------------------------------------


def stored(tmp_path, wh):
    team_import(wh, fill(blank(tmp_path, name="first.xlsx")))
    return table_snapshot(wh)


def edited(tmp_path, name, **cells):
    """The filled zh workbook with some cells changed: sheet__A1=value."""
    wb = openpyxl.load_workbook(fill(blank(tmp_path, name="base_" + name), out=tmp_path / ("filled_" + name)))
    sheets = {"events": "事件", "ratings": "协作评分", "budgets": "预算", "targets": "个人目标", "benchmarks": "行业均值"}
    for key, value in cells.items():
        sheet, ref = key.split("__")
        wb[sheets[sheet]][ref].value = value
    wb.save(tmp_path / name)
    return tmp_path / name


def test_an_unknown_staff_id_is_named(tmp_path, wh):
    before = stored(tmp_path, wh)
    text = rejected(wh, edited(tmp_path, "who.xlsx", events__A3="E999", budgets__A3="E999", ratings__A2="e001"))
    # one problem per sheet and value; ids are compared as written (e001 is not E001)
    assert ("who.xlsx, sheet '事件', row 3, column '员工ID': unknown staff_id 'E999': staff has no staff_id 'E999'"
            in text)
    assert "who.xlsx, sheet '预算', row 3, column '员工ID': unknown staff_id 'E999'" in text
    assert "who.xlsx, sheet '协作评分', row 2, column '员工ID': unknown staff_id 'e001'" in text
    assert table_snapshot(wh) == before


def test_a_score_of_120_is_named(tmp_path, wh):
    before = stored(tmp_path, wh)
    text = rejected(wh, edited(tmp_path, "score.xlsx", ratings__D3=120))
    assert "Table 'appraisal_ratings' breaks its contract" in text
    assert "column 'score' must be <= 100: 1 row(s), e.g. score.xlsx, sheet '协作评分', row 3 (score=120" in text
    assert table_snapshot(wh) == before


def test_a_score_of_100_is_accepted_and_of_100_point_1_is_not(tmp_path, wh):
    [report] = team_import(wh, edited(tmp_path, "top.xlsx", ratings__D3=100))
    assert rows_of(wh, "appraisal_ratings", None, ["staff_id", "score"])[1] == {"staff_id": "E002", "score": 100.0}
    text = rejected(wh, edited(tmp_path, "over.xlsx", ratings__D3=100.1))
    assert "column 'score' must be <= 100" in text


def test_an_unknown_event_type_and_a_penalty_other_than_yes_or_no_are_named(tmp_path, wh):
    before = stored(tmp_path, wh)
    text = rejected(wh, edited(tmp_path, "kind.xlsx", events__D4="迟到", events__F3="对"))
    assert "kind.xlsx, sheet '事件', row 4, column '类型': unknown value '迟到'" in text
    assert ("kind.xlsx, sheet '事件', row 3, column '是否导致平台处罚': '对' is not a yes/no answer: expected 是 or 否"
            in text)
    assert table_snapshot(wh) == before


def test_a_date_outside_the_period_is_named(tmp_path, wh):
    before = stored(tmp_path, wh)
    # 2026-09-30 is the day before October, 2026-11-01 the day after
    text = rejected(wh, edited(tmp_path, "dates.xlsx", events__C2=dt.date(2026, 9, 30), events__C4=dt.date(2026, 11, 1)))
    assert ("dates.xlsx, sheet '事件', rows 2, 4, column '日期': 2 dates outside period 2026-10 (2026-10-01 ~ "
            "2026-10-31), e.g. 2026-09-30") in text
    assert table_snapshot(wh) == before


def test_a_repeated_event_number_of_one_person_is_named(tmp_path, wh):
    before = stored(tmp_path, wh)
    # row 3 is E001's 2026-10-002; typing 2026-10-001 there repeats row 2's number for E001
    text = rejected(wh, edited(tmp_path, "twice.xlsx", events__B3="2026-10-001"))
    assert "twice.xlsx, rows 2, 3: 1 key(s) of appraisal_events (staff_id, event_id) appear on more than one row" in text
    assert "staff_id=E001, event_id=2026-10-001 (row 2 | row 3)" in text
    assert table_snapshot(wh) == before


def test_one_event_number_for_two_people_is_two_events(tmp_path, wh):
    # the key is (staff_id, event_id): E002 may use E001's number
    [report] = team_import(wh, edited(tmp_path, "shared.xlsx", events__B4="2026-10-001"))
    assert {t.table: t.inserted for t in report.tables}["appraisal_events"] == 3


def test_a_changed_period_is_named_and_an_emptied_one_takes_the_workbooks(tmp_path, wh):
    before = stored(tmp_path, wh)
    text = rejected(wh, edited(tmp_path, "period.xlsx", budgets__B3="2026-09"))
    assert ("period.xlsx, sheet '预算', row 3, column '周期': '2026-09' is not this workbook's period 2026-10: the copy "
            "was written for period 2026-10") in text
    assert table_snapshot(wh) == before
    [report] = team_import(wh, edited(tmp_path, "emptied.xlsx", budgets__B3=None))
    assert rows_of(wh, "appraisal_budgets", None, ["staff_id", "period"])[1] == {"staff_id": "E002", "period": "2026-10"}


def test_a_missing_required_header_and_a_renamed_sheet_are_named(tmp_path, wh):
    before = stored(tmp_path, wh)
    path = fill(blank(tmp_path, name="damaged.xlsx"), out=tmp_path / "damaged.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["预算"].delete_cols(4)  # 实际花费
    wb["行业均值"].title = "行业"
    wb.save(path)
    text = rejected(wh, path)
    assert "damaged.xlsx, sheet '预算': does not match source 'appraisal_inputs': it lacks 1 required column(s)" in text
    assert "appraisal_budgets.spend (实际花费 / Spend)" in text
    assert "damaged.xlsx: has no sheet '行业均值' / 'Benchmarks' (for industry_benchmarks)" in text
    assert table_snapshot(wh) == before


def test_an_empty_required_cell_is_named_not_zero(tmp_path, wh):
    before = stored(tmp_path, wh)
    text = rejected(wh, edited(tmp_path, "empty.xlsx", budgets__D2=None))
    assert "empty.xlsx, sheet '预算', row 2, column '实际花费': empty: appraisal_budgets.spend needs a value" in text
    assert table_snapshot(wh) == before


# --- the HR sources: staff_roster and staff_assignments (CSV) --------------------------------------------------


ROSTER = [
    ["员工ID", "姓名", "岗位", "团队", "上级ID", "入职日期", "离职日期"],
    ["E010", "周密", "运营总监", "ops-north", "", "2023-02-01", ""],
    ["E011", "吴桐", "店铺运营", "ops-north", "E010", "2024-05-06", ""],
    ["E012", "郑好", "活动运营", "ops-north", "E010", "2024-07-01", "2026-09-30"],
]


def test_a_roster_fills_staff_with_managers_from_the_same_file(tmp_path):
    wh = tmp_path / "w.duckdb"
    path = write(tmp_path / "花名册.csv", ROSTER)
    [report] = import_files(wh, None, "staff_roster", [path])
    assert report.inserted == 3
    assert rows_of(wh, "staff") == [
        # 运营总监 -> director; 店铺运营 -> shop_operator; 活动运营 (no rubric key) kept as written
        {"staff_id": "E010", "name": "周密", "role": "director", "team": "ops-north", "manager_id": None,
         "joined_on": d("2023-02-01"), "left_on": None},
        {"staff_id": "E011", "name": "吴桐", "role": "shop_operator", "team": "ops-north", "manager_id": "E010",
         "joined_on": d("2024-05-06"), "left_on": None},
        {"staff_id": "E012", "name": "郑好", "role": "活动运营", "team": "ops-north", "manager_id": "E010",
         "joined_on": d("2024-07-01"), "left_on": d("2026-09-30")},
    ]
    bad = write(tmp_path / "bad.csv", [ROSTER[0], ["E013", "钱多", "店铺运营", "ops-north", "E099", "", ""]])
    with pytest.raises(ImportProblemsError, match=r"bad.csv, row 2, column '上级ID': unknown manager_id 'E099'"):
        import_files(wh, None, "staff_roster", [bad])


ASSIGNMENTS = [
    ["员工ID", "店铺ID", "子类目", "分成比例", "开始日期", "结束日期"],
    ["E001", "0071", "", "100%", "2026-01-01", ""],
    ["E002", "0142", "面部护理", "0.5", "2026-03-01", "2026-10-15"],
]


def test_assignments_name_their_shops_and_reimport_with_an_empty_sub_category(tmp_path, wh):
    with load.transaction(wh, dry_run=False) as con:
        for shop in ("0071", "0142"):
            con.execute("INSERT INTO shops VALUES (?, ?, 'tmall', 'beauty', 'CNY')", [shop, shop])
    path = write(tmp_path / "分工.csv", ASSIGNMENTS)
    [report] = import_files(wh, None, "staff_assignments", [path])
    assert report.inserted == 2
    assert rows_of(wh, "staff_assignments") == [
        {"staff_id": "E001", "shop_id": "0071", "category": None, "share": 1.0, "start_date": d("2026-01-01"),
         "end_date": None},  # 100% = 1.0; an empty 子类目 is the whole shop (NULL)
        {"staff_id": "E002", "shop_id": "0142", "category": "面部护理", "share": 0.5, "start_date": d("2026-03-01"),
         "end_date": d("2026-10-15")},
    ]
    # the key holds a NULL (category): the same file again matches its stored rows instead of adding two more
    [again] = import_files(wh, None, "staff_assignments", [path])
    assert (again.inserted, again.updated, again.skipped) == (0, 0, 2)
    assert len(rows_of(wh, "staff_assignments")) == 2
    unknown = write(tmp_path / "x.csv", [ASSIGNMENTS[0], ["E003", "0999", "", "1", "2026-01-01", ""]])
    with pytest.raises(ImportProblemsError, match=r"x.csv, row 2, column '店铺ID': unknown shop_id '0999': shops has no"):
        import_files(wh, None, "staff_assignments", [unknown])
    with pytest.raises(ImportProblemsError, match="belong to no shop: leave out --shop"):
        import_files(wh, "0071", "staff_assignments", [path])


# --- the mapping language: scope, refers_to, bool ---------------------------------------------------------


def mapping(tmp_path, text: str):
    path = tmp_path / "m.yaml"
    path.write_text("title: x\nplatform: any\n" + text, encoding="utf-8")
    return load_mapping_file(path)


STAFF_TARGET = ("targets:\n  - table: staff\n    columns:\n      staff_id: {aliases: [a], type: id}\n"
                "      name: {aliases: [b], type: text}\n      role: {aliases: [c], type: text}\n"
                "      team: {aliases: [d], type: text}\n")


@pytest.mark.parametrize("text, message", [
    (STAFF_TARGET, "targets[0]: table staff carries no shop_id (a team table): give the mapping 'scope: team'"),
    ("scope: team\ntargets:\n  - table: staff_assignments\n    columns:\n      staff_id: {aliases: [a], type: id}\n"
     "      share: {aliases: [b], type: number}\n      start_date: {aliases: [c], type: date}\n",
     "targets[0]: table staff_assignments needs shop_id, and a 'scope: team' mapping has no --shop"),
    ("targets:\n  - table: price_history\n    columns:\n      shop_id: {aliases: [s], type: id}\n"
     "      date: {aliases: [d], type: date}\n      sku_id: {aliases: [k], type: id}\n"
     "      price: {aliases: [p], type: money}\n",
     "targets[0]: shop_id is not mapped: it always comes from --shop"),
    ("scope: team\n" + STAFF_TARGET.replace("type: id}", "type: id, refers_to: staff.id}"),
     "refers_to: 'staff.id' is not '<table>.<column>' of a canonical table"),
    ("scope: team\ntargets:\n  - table: appraisal_events\n    columns:\n      staff_id: {aliases: [a], type: id}\n"
     "      event_id: {aliases: [b], type: id}\n      occurred_on: {aliases: [c], type: date}\n"
     "      kind: {aliases: [k], type: text}\n      platform_penalty: {aliases: [p], type: bool, map: {对: 'true'}}\n",
     "type bool reads 是/否/yes/no/true/false only"),
])
def test_mapping_scope_refers_to_and_bool_are_checked(tmp_path, text, message):
    with pytest.raises(MappingError) as err:
        mapping(tmp_path, text)
    assert message in str(err.value)


def test_a_team_mapping_is_listed_as_such():
    result = runner.invoke(app, ["sources"])
    assert result.exit_code == 0
    assert "appraisal_inputs  考核录入表（事件、协作评分、预算、个人目标、行业均值）  [any]  (built-in)  team tables: " \
           "imported without --shop" in result.output
    assert "one of staff.staff_id" in result.output


def test_bool_choices_of_a_template_must_be_yes_no_words(monkeypatch, tmp_path):
    import shutil

    folder = tmp_path / "templates"
    folder.mkdir()
    for p in templates.TEMPLATES_DIR.glob("*.yaml"):
        shutil.copy(p, folder / p.name)
    monkeypatch.setattr(templates, "TEMPLATES_DIR", folder)
    templates._load.cache_clear()
    try:
        path = folder / "appraisal_inputs.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("choices: {zh: [是, 否]", "choices: {zh: [是, 不]"),
                        encoding="utf-8")
        with pytest.raises(MappingError, match="choices.zh: 不 not a yes/no word of appraisal_events.platform_penalty"):
            templates.load_template("appraisal_inputs")
    finally:
        templates._load.cache_clear()


def test_period_option_errors_are_params_errors(tmp_path):
    with pytest.raises(ParamsError, match="--period '2026-Q5' is not a period"):
        blank(tmp_path, period="2026-Q5")
