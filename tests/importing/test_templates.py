"""The input templates (opsreport/importing/templates/) and the import of a filled competitor_tracking
workbook: written by ``opsreport template``, filled here with openpyxl as an operator would, imported
into a fresh warehouse and read back, each value worked out by hand. Bad fillings (a depth of 150%,
a missing shop name, an unknown tier, a date that is not a date, a repeated row) and damaged
templates (a renamed sheet, a removed header) write nothing and name sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from export_files import d, rows_of, table_snapshot
from typer.testing import CliRunner

from opsreport.cli import app
from opsreport.errors import ImportProblemsError, MappingError, OutputError, ParamsError
from opsreport.importing import detect_source, import_files, templates
from opsreport.importing.pipeline import describe

runner = CliRunner()
SHEETS = {"zh": ["填写说明", "竞店名单", "竞品跟踪", "竞店活动", "竞品对标"],
          "en": ["Instructions", "Competitors", "Products", "Promotions", "SKU matches"]}
A, B = "花漾美妆旗舰店", "青禾护肤专营店"

# what an operator types, per sheet (the dropdown columns in the template's language)
FILL = {
    1: lambda lang: [  # 竞店名单: 竞店名称, 平台, 类目, 梯队, 入选理由, 加入日期, 移出日期
        [A, {"zh": "天猫", "en": "tmall"}[lang], "彩妆", {"zh": "同层", "en": "same"}[lang], "价格带相近",
         dt.date(2026, 9, 1), None],
        [B, {"zh": "京东", "en": "jd"}[lang], "护肤", {"zh": "头部", "en": "above"}[lang], "客群重合",
         dt.date(2026, 9, 15), dt.date(2026, 11, 10)],
    ],
    2: lambda lang: [  # 竞品跟踪: 日期, 竞店名称, 商品ID, 商品名称, 类目, 日常价, 活动价, 月销量, 评分, 评价数
        [dt.date(2026, 11, 3), A, "652345678901", "空气蜜粉 8g", "散粉", 199, 159, 12000, 4.8, 35000],
        # an id typed as a number, a price typed as text with a thousands separator, the rest left empty
        [dt.date(2026, 11, 3), B, 100012345678, "修护精华 30ml", None, "1,299.00", None, None, None, None],
    ],
    3: lambda lang: [  # 竞店活动: 竞店名称, 活动名称, 开始日期, 结束日期, 玩法, 力度
        [A, "双11满300减50", dt.date(2026, 10, 31), dt.date(2026, 11, 11), {"zh": "满减", "en": "full reduction"}[lang],
         0.17],  # typed as 17% in the percent-formatted cell
        [B, "直降日", dt.date(2026, 11, 5), dt.date(2026, 11, 5), {"zh": "直降", "en": "price cut"}[lang], "15"],  # text 15
    ],
    4: lambda lang: [  # 竞品对标: 我方SKU, 竞店名称, 竞品商品ID, 对标说明
        ["652300000001", A, "652345678901", "同规格 8g"],
        ["652300000002", B, "100012345678", None],
    ],
}

# the rows read back, in key order (A sorts before B: U+82B1 < U+9752)
EXPECTED = {
    "competitors": [{"competitor_id": A, "platform": "tmall", "category": "彩妆"},
                    {"competitor_id": B, "platform": "jd", "category": "护肤"}],
    "competitor_sets": [
        {"competitor_id": A, "tier": "same", "reason": "价格带相近", "added_on": d("2026-09-01"), "removed_on": None},
        {"competitor_id": B, "tier": "above", "reason": "客群重合", "added_on": d("2026-09-15"),
         "removed_on": d("2026-11-10")},
    ],
    "competitor_products": [
        {"observed_on": d("2026-11-03"), "competitor_id": A, "product_id": "652345678901", "product_name": "空气蜜粉 8g",
         "category": "散粉", "price": 199.0, "promo_price": 159.0, "monthly_sales": 12000, "sales_index": None,
         "rating": 4.8, "reviews": 35000},
        # 100012345678 typed as a number is read as the text id; "1,299.00" = 1299; empty cells NULL, not 0
        {"observed_on": d("2026-11-03"), "competitor_id": B, "product_id": "100012345678", "product_name": "修护精华 30ml",
         "category": None, "price": 1299.0, "promo_price": None, "monthly_sales": None, "sales_index": None,
         "rating": None, "reviews": None},
    ],
    "competitor_promos": [
        # 0.17 in a percent cell shows as 17% -> 0.17; the en 'full reduction' is stored as 满减
        {"competitor_id": A, "promo_name": "双11满300减50", "start_date": d("2026-10-31"), "end_date": d("2026-11-11"),
         "mechanic": "满减", "depth": 0.17},
        # the text "15" is a percent (bare: percent): 0.15
        {"competitor_id": B, "promo_name": "直降日", "start_date": d("2026-11-05"), "end_date": d("2026-11-05"),
         "mechanic": "直降", "depth": 0.15},
    ],
    "sku_matches": [
        {"sku_id": "652300000001", "competitor_id": A, "product_id": "652345678901", "note": "同规格 8g"},
        {"sku_id": "652300000002", "competitor_id": B, "product_id": "100012345678", "note": None},
    ],
}


def blank(tmp_path, lang="zh", name="blank.xlsx"):
    return templates.write_template("competitor_tracking", tmp_path / name, lang=lang)


def fill(path, lang="zh", rows: dict | None = None, out=None):
    """Type rows into the template's sheets from row 2 (the cells keep the template's formats)."""
    wb = openpyxl.load_workbook(path)
    for index, make in (rows or FILL).items():
        ws = wb[SHEETS[lang][index]]
        for r, row in enumerate(make(lang) if callable(make) else make, start=2):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c).value = value
    out = out or path.with_name(f"filled_{lang}.xlsx")
    wb.save(out)
    return out


def imported(wh, path, **kw):
    kw.setdefault("platform", "tmall")
    return import_files(wh, "0071", None, [path], **kw)


def rejected(wh, path) -> str:
    with pytest.raises(ImportProblemsError) as err:
        imported(wh, path)
    return str(err.value)


# --- the written workbook --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_has_its_sheets_headers_and_helps(tmp_path, lang):
    wb = openpyxl.load_workbook(blank(tmp_path, lang))
    assert wb.sheetnames == SHEETS[lang]
    ws = wb[SHEETS[lang][3]]  # 竞店活动 / Promotions
    headers = {"zh": ["竞店名称", "活动名称", "开始日期", "结束日期", "玩法", "力度"],
               "en": ["Competitor shop", "Promotion", "Start date", "End date", "Mechanic", "Depth"]}[lang]
    assert [c.value for c in ws[1]] == headers
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 24
    unit = {"zh": "单位：%", "en": "Percent off"}[lang]
    assert unit in ws["F1"].comment.text
    checks = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    mechanics = {"zh": '"满减,直降,券,赠品,其他"', "en": '"full reduction,price cut,coupon,gift,other"'}[lang]
    assert (checks["E2:E501"].type, checks["E2:E501"].formula1) == ("list", mechanics)
    assert (checks["F2:F501"].type, checks["F2:F501"].formula1, checks["F2:F501"].formula2) == ("decimal", "0", "0.99")
    assert checks["C2:C501"].type == "date"
    assert (ws["F2"].number_format, ws["C2"].number_format) == ("0%", "yyyy-mm-dd")
    tiers = {"zh": '"头部,同层,腰部"', "en": '"above,same,below"'}[lang]
    assert {str(v.sqref): v.formula1 for v in wb[SHEETS[lang][1]].data_validations.dataValidation}["D2:D501"] == tiers
    products = wb[SHEETS[lang][2]]
    assert products["C2"].number_format == "@"  # item ids as text: Excel keeps every digit
    rating = {str(v.sqref): v for v in products.data_validations.dataValidation}["I2:I501"]
    assert (rating.formula1, rating.formula2) == ("0", "5")
    # the instructions describe one example row per sheet
    texts = [c for row in wb[SHEETS[lang][0]].iter_rows(values_only=True) for c in row if c]
    example = {"zh": "示例: ", "en": "Example: "}[lang]
    assert sum(1 for t in texts if str(t).startswith(example)) == 4


def test_the_default_file_is_in_the_current_folder_and_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["template", "competitor_tracking"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "competitor_tracking.xlsx"
    assert result.output.strip() == f"wrote {path}" and path.is_file()
    fill(path, out=path)  # an operator filled it
    again = runner.invoke(app, ["template", "competitor_tracking"])
    assert again.exit_code == 2 and "exists (perhaps a filled copy)" in again.output
    assert openpyxl.load_workbook(path)["竞店名单"]["A2"].value == A  # kept
    forced = runner.invoke(app, ["template", "competitor_tracking", "--force", "--lang", "en"])
    assert forced.exit_code == 0 and openpyxl.load_workbook(path).sheetnames == SHEETS["en"]


def test_out_may_be_a_folder_or_a_file(tmp_path):
    assert templates.write_template("competitor_tracking", tmp_path) == tmp_path / "competitor_tracking.xlsx"
    with pytest.raises(OutputError, match="ending in .xlsx"):
        templates.write_template("competitor_tracking", tmp_path / "x.csv")


def test_the_command_lists_templates_and_refuses_unknown_ones_and_options(tmp_path):
    listing = runner.invoke(app, ["template"])
    assert listing.exit_code == 0 and "competitor_tracking  竞品跟踪表 / Competitor tracking workbook" in listing.output
    unknown = runner.invoke(app, ["template", "nope"])
    assert unknown.exit_code == 2 and "unknown template 'nope'. Templates: appraisal_inputs, competitor_tracking" in unknown.output
    extra = runner.invoke(app, ["template", "competitor_tracking", "--out", str(tmp_path / "a.xlsx"), "--period", "2026-10"])
    assert extra.exit_code == 2 and "has no option --period (its options: none" in extra.output
    lang = runner.invoke(app, ["template", "competitor_tracking", "--out", str(tmp_path / "b.xlsx"), "--lang", "fr"])
    assert lang.exit_code == 2 and "--lang 'fr': choose one of zh, en" in lang.output
    assert not (tmp_path / "a.xlsx").exists() and not (tmp_path / "b.xlsx").exists()


# --- round trip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filled_workbook_imports_into_every_table(tmp_path, lang):
    path = fill(blank(tmp_path, lang), lang)
    assert detect_source([path]).mapping.name == "competitor_tracking"
    wh = tmp_path / "w.duckdb"
    [report] = imported(wh, path)
    assert report.source == "competitor_tracking"
    assert report.rows_read == 8  # 2 rows on each of 4 sheets; the instructions are not read
    assert {t.table: (t.rows, t.inserted) for t in report.tables} == {t: (2, 2) for t in EXPECTED}
    for table, expected in EXPECTED.items():
        assert rows_of(wh, table, "0071", list(expected[0])) == expected, table


def test_a_reimport_changes_nothing_and_a_corrected_row_replaces_the_old(tmp_path):
    path = fill(blank(tmp_path))
    wh = tmp_path / "w.duckdb"
    imported(wh, path)
    [again] = imported(wh, path)
    assert (again.inserted, again.updated, again.skipped) == (0, 0, 10)  # 5 tables x 2 rows
    wb = openpyxl.load_workbook(path)
    wb["竞品跟踪"]["G2"].value = 149  # 空气蜜粉: 活动价 159 -> 149
    wb["竞店名单"]["G2"].value = dt.date(2026, 11, 20)  # 花漾 leaves the set
    wb.save(tmp_path / "corrected.xlsx")
    [fixed] = imported(wh, tmp_path / "corrected.xlsx")
    assert {t.table: (t.inserted, t.updated) for t in fixed.tables if t.updated} == {
        "competitor_products": (0, 1), "competitor_sets": (0, 1)}
    assert rows_of(wh, "competitor_products", "0071", ["promo_price"])[0] == {"promo_price": 149.0}
    assert rows_of(wh, "competitor_sets", "0071", ["removed_on"])[0] == {"removed_on": d("2026-11-20")}


def test_an_empty_template_imports_nothing_and_a_sheet_may_be_empty(tmp_path):
    wh = tmp_path / "w.duckdb"
    [report] = imported(wh, blank(tmp_path))
    assert report.rows_read == 0 and report.inserted == 0
    only_set = fill(blank(tmp_path, name="b.xlsx"), rows={1: FILL[1]})
    [report] = imported(wh, only_set)
    assert {t.table: t.inserted for t in report.tables} == {
        "competitors": 2, "competitor_sets": 2, "competitor_products": 0, "competitor_promos": 0, "sku_matches": 0}
    lines = describe([report], "0071")
    assert lines[0] == ("source: competitor_tracking (the file is a copy of template 'competitor_tracking'; "
                        "give --source to choose another)")
    # dates: 加入日期 2026-09-01 and 2026-09-15
    assert lines[1] == "filled_zh.xlsx: 2 rows read, 2026-09-01 ~ 2026-09-15; inserted 4, updated 0, skipped 0 (unchanged)"


def test_the_instructions_sheet_is_never_read(tmp_path):
    path = blank(tmp_path)
    wb = openpyxl.load_workbook(path)
    # even a row there that looks like a header with data below it
    info = wb["填写说明"]
    info.append(["竞店名称", "平台", "类目"])
    info.append(["某店", "火星", ""])
    wb.save(path)
    [report] = imported(tmp_path / "w.duckdb", path)
    assert report.rows_read == 0 and report.sheets == ("竞店名单", "竞品跟踪", "竞店活动", "竞品对标")


# --- bad fillings: nothing written; sheet, row, column named ---------------------------------------------


def stored(tmp_path):
    wh = tmp_path / "w.duckdb"
    imported(wh, fill(blank(tmp_path)))
    return wh, table_snapshot(wh)


def edited(tmp_path, name, **cells):
    """The filled zh workbook with some cells changed: sheet__A1=value."""
    wb = openpyxl.load_workbook(fill(blank(tmp_path, name="base_" + name)))
    for key, value in cells.items():
        sheet, ref = key.split("__")
        wb[{"set": "竞店名单", "products": "竞品跟踪", "promos": "竞店活动", "matches": "竞品对标"}[sheet]][ref].value = value
    wb.save(tmp_path / name)
    return tmp_path / name


def test_a_depth_of_150_percent_is_named(tmp_path):
    wh, before = stored(tmp_path)
    text = rejected(wh, edited(tmp_path, "depth.xlsx", promos__F2=1.5))  # 150%
    # the contract (depth < 1) names the table, the column, the sheet, the Excel row and the value
    assert "Table 'competitor_promos' breaks its contract" in text
    assert "column 'depth' must be < 1: 1 row(s), e.g. depth.xlsx, sheet '竞店活动', row 2 (depth=1.5)" in text
    assert table_snapshot(wh) == before


def test_a_missing_shop_name_an_unknown_tier_and_a_bad_date_are_each_named(tmp_path):
    wh, before = stored(tmp_path)
    path = edited(tmp_path, "bad.xlsx", set__A3=None, set__D2="第一梯队", products__A3="上周三")
    text = rejected(wh, path)
    assert "bad.xlsx, sheet '竞店名单', row 3, column '竞店名称': empty: competitors.competitor_id needs a value" in text
    assert "bad.xlsx, sheet '竞店名单', row 2, column '梯队': unknown value '第一梯队'" in text
    assert "bad.xlsx, sheet '竞品跟踪', row 3, column '日期'" in text and "上周三" in text
    assert table_snapshot(wh) == before


def test_a_repeated_row_names_both_rows(tmp_path):
    wh, before = stored(tmp_path)
    # the 竞品对标 row 2 typed again as row 4
    path = edited(tmp_path, "twice.xlsx", matches__A4="652300000001", matches__B4=A, matches__C4="652345678901")
    text = rejected(wh, path)
    assert "twice.xlsx, rows 2, 4: 1 key(s) of sku_matches" in text
    assert f"sku_id=652300000001, competitor_id={A}, product_id=652345678901 (row 2 | row 4)" in text
    assert table_snapshot(wh) == before


def test_an_end_before_the_start_is_named(tmp_path):
    wh, before = stored(tmp_path)
    text = rejected(wh, edited(tmp_path, "ends.xlsx", promos__D3=dt.date(2026, 11, 1)))
    assert "end_date must not be before start_date: 1 row(s), e.g. ends.xlsx, sheet '竞店活动', row 3" in text
    assert table_snapshot(wh) == before


def test_a_renamed_sheet_is_named_with_the_sheets_found(tmp_path):
    wh, before = stored(tmp_path)
    path = fill(blank(tmp_path, name="renamed.xlsx"), out=tmp_path / "renamed.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["竞店活动"].title = "活动"
    wb.save(path)
    with pytest.raises(ImportProblemsError) as err:
        import_files(wh, "0071", "competitor_tracking", [path])
    text = str(err.value)
    assert "renamed.xlsx: has no sheet '竞店活动' / 'Promotions' (for competitor_promos)" in text
    assert "sheets with a header row of source 'competitor_tracking': '竞店名单', '竞品跟踪', '活动', '竞品对标'" in text
    assert table_snapshot(wh) == before


def test_a_removed_header_is_named_with_its_sheet(tmp_path):
    wh, before = stored(tmp_path)
    path = fill(blank(tmp_path, name="header.xlsx"), out=tmp_path / "header.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["竞品跟踪"].delete_cols(6)  # 日常价
    wb.save(path)
    text = rejected(wh, path)
    assert "header.xlsx, sheet '竞品跟踪': does not match source 'competitor_tracking': it lacks 1 required column(s)" in text
    assert "competitor_products.price (日常价 / Everyday price)" in text
    assert table_snapshot(wh) == before


# --- the definition: data, checked against its mapping; options declared by a template -------------------


@pytest.fixture
def template_dir(tmp_path, monkeypatch):
    """A copy of the templates folder the module reads instead of its own."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for p in templates.TEMPLATES_DIR.glob("*.yaml"):
        shutil.copy(p, folder / p.name)
    monkeypatch.setattr(templates, "TEMPLATES_DIR", folder)
    templates._load.cache_clear()
    templates.words.cache_clear()
    yield folder
    templates._load.cache_clear()
    templates.words.cache_clear()


def test_a_template_may_declare_options(template_dir, tmp_path):
    text = (template_dir / "competitor_tracking.yaml").read_text(encoding="utf-8")
    text = text.replace("name: competitor_tracking\n", "name: monthly_tracking\n")
    text = text.replace("file: competitor_tracking.xlsx", "file: tracking_{period}.xlsx")
    text = text.replace("options: {}", "options:\n  period: {type: month, help: the month the sheet covers}")
    text = text.replace("title: {zh: 竞品跟踪表, en: Competitor tracking workbook}",
                        "title: {zh: '竞品跟踪表 {period}', en: 'Competitor tracking {period}'}")
    (template_dir / "monthly_tracking.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["template", "monthly_tracking", "--out", str(tmp_path), "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "tracking_2026-10.xlsx")
    assert wb["填写说明"]["A1"].value == "竞品跟踪表 2026-10"
    assert "period=2026-10" in wb.properties.keywords
    missing = runner.invoke(app, ["template", "monthly_tracking", "--out", str(tmp_path / "m.xlsx")])
    assert missing.exit_code == 2 and "template 'monthly_tracking' needs --period (month)" in missing.output
    bad = runner.invoke(app, ["template", "monthly_tracking", "--out", str(tmp_path / "b.xlsx"), "--period=2026-13"])
    assert bad.exit_code == 2 and "--period '2026-13' is not a month (e.g. 2026-10)" in bad.output
    assert "--period (month, required)  the month the sheet covers" in runner.invoke(app, ["template"]).output


def test_option_args_are_read_as_name_value_pairs():
    assert templates.option_args(["--period", "2026-10", "--team-id=t1"]) == {"period": "2026-10", "team_id": "t1"}
    with pytest.raises(ParamsError, match="--period needs a value"):
        templates.option_args(["--period"])
    with pytest.raises(ParamsError, match="unexpected argument 'x'"):
        templates.option_args(["x"])


@pytest.mark.parametrize("old, new, message", [
    ("header: {zh: 日常价, en: Everyday price}", "header: {zh: 日常价格, en: Everyday price}",
     "header 日常价格 / Everyday price is not an alias (in both languages) of a column of this sheet's targets"),
    ("choices: {zh: [头部, 同层, 腰部], en: [above, same, below]}", "choices: {zh: [头部, 同层, 尾部], en: [above, same, below]}",
     "choices.zh: 尾部 not in the map of competitor_sets.tier"),
    ("about: {zh: 我们选定对比的竞店，每店一行。", "about: {zh: '{shop}'",
     "'{shop}' in '{shop}' is not an option of the template"),
])
def test_a_template_that_does_not_fit_its_mapping_is_named(template_dir, old, new, message):
    path = template_dir / "competitor_tracking.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(MappingError) as err:
        templates.load_template("competitor_tracking")
    assert message in str(err.value)


def test_a_template_lacking_a_required_column_is_named(template_dir):
    path = template_dir / "competitor_tracking.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - header: {zh: 入选理由")
    end = text.index("      - header: {zh: 加入日期")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(MappingError, match="no header fills competitor_sets.reason, which the mapping requires"):
        templates.load_template("competitor_tracking")


# --- the command line, end to end ----------------------------------------------------------------------


def test_import_command_reads_a_filled_template(tmp_path):
    path = fill(blank(tmp_path))
    wh = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["import", "--shop", "0071", "--platform", "tmall", "--warehouse", str(wh), str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("source: competitor_tracking (the file is a copy of template")
    # dates: the earliest and latest date of the tables (加入日期 2026-09-01 ... 开始日期 2026-11-05)
    assert "filled_zh.xlsx: 8 rows read, 2026-09-01 ~ 2026-11-05; inserted 10, updated 0, skipped 0 (unchanged)" \
        in result.output
    assert "  competitor_products          2 rows: inserted 2" in result.output  # names aligned to the longest
