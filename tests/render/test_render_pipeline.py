"""pipeline.render: everything published on success, nothing at all on failure."""

from __future__ import annotations

import json
import re

import nbformat
import openpyxl
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from pypdf import PdfReader

from opsreport.errors import RenderError
from opsreport.render.pipeline import RenderJob, render

pytestmark = pytest.mark.slow

TITLE = "店铺周报 · 0071"


def _render(notebook, out_root, formats=frozenset({"html", "pdf", "xlsx"}), **params):
    return render(RenderJob(
        report="weekly_review",
        notebook=notebook,
        parameters={"shop_id": "0071", **params},
        out_root=out_root,
        key="0071",
        period="2026-W47",
        formats=frozenset(formats),
        title=TITLE,
        subtitle="2026-W47（11-16 ~ 11-22）",
        meta=(("店铺", "0071"), ("周期", "2026-W47"), ("生成时间", "2026-11-23 09:00")),
        lang="zh",
        fingerprint={"warehouse": "demo.duckdb", "orders": 3},
    ))


def test_render_publishes_every_format_and_replaces_a_previous_run(sample_notebook, tmp_path):
    out = tmp_path / "outputs"
    final = _render(sample_notebook, out)

    assert final == out / "weekly_review" / "0071" / "2026-W47"
    assert sorted(p.name for p in final.iterdir()) == [
        "report.html", "report.ipynb", "report.pdf", "run.json", "tables.xlsx",
    ]
    page = (final / "report.html").read_text(encoding="utf-8")
    assert "shop='0071' type=str" in page and not re.search(r"https?://", page)
    assert "店铺周报" in PdfReader(final / "report.pdf").pages[0].extract_text()
    ws = openpyxl.load_workbook(final / "tables.xlsx").active
    assert ws.title == "KPI 指标" and ws["A4"].value == "=1+2" and ws["B2"].number_format.startswith('"¥"')
    run = json.loads((final / "run.json").read_text(encoding="utf-8"))
    assert run["params"] == {"shop_id": "0071"}  # the staging excel_path is not a parameter
    assert run["data_fingerprint"] == {"warehouse": "demo.duckdb", "orders": 3}
    assert {"execute", "html", "pdf", "total"} <= set(run["timings_s"])
    assert run["files"]["report.pdf"] == (final / "report.pdf").stat().st_size
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="weekly_review/0071/2026-W47/report.pdf"' in index
    assert not [p for p in out.rglob(".*")]

    # same run again, PDF only: the folder is replaced, not merged
    again = _render(sample_notebook, out, formats={"pdf"})
    assert again == final
    assert sorted(p.name for p in final.iterdir()) == ["report.ipynb", "report.pdf", "run.json"]
    assert not [p for p in out.rglob(".*")]


def test_failing_notebook_publishes_nothing(failing_notebook, tmp_path):
    out = tmp_path / "outputs"
    with pytest.raises(RenderError) as info:
        _render(failing_notebook, out)
    message = str(info.value)
    assert "cell 11" in message and "异常小节" in message and "ZeroDivisionError" in message
    assert not out.exists()  # not even the output root or a staging folder


def test_failing_notebook_leaves_an_existing_output_root_untouched(failing_notebook, tmp_path):
    out = tmp_path / "outputs"
    (out / "weekly_review").mkdir(parents=True)
    (out / "keep.txt").write_text("x")
    with pytest.raises(RenderError):
        _render(failing_notebook, out, formats={"html"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["keep.txt", "weekly_review"]


def test_notebook_that_ignores_excel_path_is_an_error(tmp_path):
    nb = new_notebook()
    nb.cells = [new_code_cell("shop_id = 'x'\nexcel_path = None"), new_code_cell("print(shop_id)")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, tmp_path / "no_excel.ipynb")
    with pytest.raises(RenderError, match="wrote no Excel workbook"):
        _render(tmp_path / "no_excel.ipynb", tmp_path / "outputs", formats={"xlsx"})
    assert not (tmp_path / "outputs").exists()


def test_unknown_format_is_refused_before_any_work(sample_notebook, tmp_path):
    with pytest.raises(RenderError, match="Unknown output format"):
        _render(sample_notebook, tmp_path / "outputs", formats={"html", "docx"})
    assert not (tmp_path / "outputs").exists()


def test_a_private_report_is_its_owners_only_and_not_in_the_index(tmp_path):
    """Appraisals: the folder 0700, every file 0600, the notebook told where to write its extra
    files (output_dir), and the shared index lists the other reports only."""
    import stat

    nb = new_notebook()
    nb.cells = [new_code_cell("shop_id = 'x'\noutput_dir = None"),
                new_code_cell("from pathlib import Path\n(Path(output_dir) / 'people').mkdir()\n"
                              "(Path(output_dir) / 'people' / 'S01.html').write_text('mine')")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, tmp_path / "private.ipynb")
    out = tmp_path / "outputs"
    job = RenderJob(report="appraisal", notebook=tmp_path / "private.ipynb", parameters={"shop_id": "x", "output_dir": None},
                    out_root=out, key="team-a", period="2026-10", formats=frozenset({"html"}), title="T", private=True)
    final = render(job)
    _render(tmp_path / "private.ipynb", out, formats={"html"}, output_dir=None)  # a shared report beside it
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(final) == 0o700 and mode(final / "people") == 0o700
    assert {p.name: mode(p) for p in final.rglob("*") if p.is_file()} == {
        "report.html": 0o600, "report.ipynb": 0o600, "run.json": 0o600, "S01.html": 0o600}
    assert json.loads((final / "run.json").read_text(encoding="utf-8"))["private"] is True
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "weekly_review/0071" in index and "appraisal" not in index and "team-a" not in index
