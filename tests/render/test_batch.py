"""The batch: warm kernels give the same reports as fresh ones, unchanged reports are skipped,
a failing report is retried once and reported while the others publish, locally and on a real
Dask cluster of two worker processes."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import openpyxl
import pytest

from opsreport import batch, families
from opsreport import params as params_mod
from opsreport.render import kernels, pipeline
from opsreport.render.job import RenderJob
from opsreport.reports import prepare, render_all

pytestmark = pytest.mark.slow

TINY_SOURCE = """from pathlib import Path
with open(runs_log, "a") as f:
    f.write(shop + "\\n")
if shop.startswith("bad"):
    raise ValueError("planted failure in " + shop)
leftover_from_previous_report = globals().get("secret_of_the_last_report")
secret_of_the_last_report = shop
print("report of", shop, "saw", leftover_from_previous_report)"""


@pytest.fixture(scope="module")
def tiny_notebook(tmp_path_factory) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('shop = "a"\nruns_log = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(TINY_SOURCE)]
    path = tmp_path_factory.mktemp("nb") / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def tiny_tasks(notebook: Path, out: Path, log: Path, shops: list[str]) -> list[batch.Task]:
    return [
        batch.Task(f"tiny {shop}", RenderJob(report="tiny", notebook=notebook, parameters={"shop": shop, "runs_log": str(log)},
                                             out_root=out, key=shop, period="p1", formats=frozenset({"html"}), title=f"tiny {shop}"))
        for shop in shops
    ]


def runs(log: Path) -> list[str]:
    return log.read_text().split()


def test_a_failing_report_is_retried_once_then_reported_and_the_others_publish(tiny_notebook, tmp_path):
    out, log, lines = tmp_path / "out", tmp_path / "runs.txt", []
    result = batch.run(tiny_tasks(tiny_notebook, out, log, ["s1", "bad1", "s2"]), echo=lines.append, progress=False)
    assert sorted(runs(log)) == ["bad1", "bad1", "s1", "s2"]  # the bad one twice: first try + one retry
    assert [o.status for o in result.outcomes] == ["rendered", "failed", "rendered"]
    failed = result.failed[0]
    assert failed.attempts == 2 and "planted failure in bad1" in failed.message and failed.exit_code == 3
    assert (out / "tiny" / "s1" / "p1" / "report.html").is_file() and (out / "tiny" / "s2" / "p1" / "report.html").is_file()
    assert not (out / "tiny" / "bad1").exists()
    assert lines[0].startswith("[1/3] rendered tiny s1 in ") and lines[1].startswith("[2/3] FAILED tiny bad1 after 2 attempt(s): ")
    assert re.match(r"batch on this process: 2 rendered, 0 skipped \(unchanged\), 1 failed in [\d.]+ s; ", result.summary())
    assert (out / "index.html").is_file()  # written once, at the end


def test_a_warm_kernel_shows_a_report_nothing_of_the_previous_one(tiny_notebook, tmp_path):
    out, log = tmp_path / "out", tmp_path / "runs.txt"
    batch.run(tiny_tasks(tiny_notebook, out, log, ["s1", "s2"]), echo=lambda _: None, progress=False)
    page = (out / "tiny" / "s2" / "p1" / "report.html").read_text(encoding="utf-8")
    assert "report of s2 saw None" in page  # s1's variable was cleared between the reports


def test_unchanged_reports_are_skipped_unless_forced_or_changed(tiny_notebook, tmp_path):
    out, log, lines = tmp_path / "out", tmp_path / "runs.txt", []
    tasks = tiny_tasks(tiny_notebook, out, log, ["s1", "s2"])
    batch.run(tasks, echo=lambda _: None, progress=False)
    again = batch.run(tasks, echo=lines.append, progress=False)
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"] and runs(log) == ["s1", "s2"]
    assert lines[0].startswith("skipped tiny s1: unchanged since 20") and "--force renders it again" in lines[0]
    forced = batch.run(tasks[:1], force=True, echo=lambda _: None, progress=False)
    assert [o.status for o in forced.outcomes] == ["rendered"] and runs(log) == ["s1", "s2", "s1"]
    job = tasks[1].job
    changed = {
        "parameters": RenderJob(**{**job.__dict__, "parameters": {**job.parameters, "runs_log": str(log) + ""}, "fingerprint": {"content": "other"}}),
        "data": RenderJob(**{**job.__dict__, "fingerprint": {"content": "sha256:new"}}),
        "formats": RenderJob(**{**job.__dict__, "formats": frozenset({"html", "pdf"})}),
    }
    assert batch.unchanged_since(job) is not None
    for what, other in changed.items():
        assert batch.unchanged_since(other) is None, what
    manifest = out / "tiny" / "s2" / "p1" / "run.json"
    stored = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**stored, "versions": {**stored["versions"], "opsreport": "0.0.1"}}))
    assert batch.unchanged_since(job) is None  # another opsreport made it


def test_warm_kernel_reports_equal_fresh_kernel_reports(demo_warehouse, tmp_path):
    """The same weekly review through a fresh kernel and through a kernel that has just rendered
    another shop: every table cell and the whole page (charts included) are the same."""
    spec = families.get("weekly_review")
    base = params_mod.load("weekly_review", spec.params_dir / "demo.yaml").model_copy(update={"warehouse": str(demo_warehouse)})

    def job(shop: str, out: Path):
        return prepare(spec, base.model_copy(update={"shop_id": shop}), out_root=out, formats={"html", "xlsx"})

    fresh = pipeline.render(job("0071", tmp_path / "fresh"))
    kernel = kernels.WarmKernel(spec.notebook.parent)
    try:
        pipeline.render(job("0388", tmp_path / "warm"), kernel)
        warm = pipeline.render(job("0071", tmp_path / "warm"), kernel)
        assert kernel.reports == 2  # the second report did run in the same kernel
    finally:
        kernel.shutdown()

    def untimed(text: str) -> str:
        return re.sub(r"20\d\d-\d\d-\d\d \d\d:\d\d", "<time>", text)  # the generated-at stamp

    def cells(folder: Path) -> dict:
        book = openpyxl.load_workbook(folder / "tables.xlsx")
        return {ws.title: [[untimed(v) if isinstance(v, str) else v for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}

    def page(folder: Path) -> str:
        return untimed((folder / "report.html").read_text(encoding="utf-8"))

    # DuckDB's parallel sums may differ in the last bit from run to run, warm or not: 1e-12
    assert _same_cells(cells(fresh), cells(warm))
    # charts: DuckDB's last-bit differences can move an SVG coordinate by one printed digit, so
    # the images' numbers are compared to 0.01 pt and everything else on the page exactly
    text_fresh, charts_fresh = _split_charts(page(fresh))
    text_warm, charts_warm = _split_charts(page(warm))
    assert text_fresh == text_warm
    assert len(charts_fresh) == len(charts_warm) >= 6
    for a, b in zip(charts_fresh, charts_warm):
        assert re.sub(NUMBER, "#", a) == re.sub(NUMBER, "#", b)
        assert [float(x) for x in re.findall(NUMBER, a)] == pytest.approx([float(x) for x in re.findall(NUMBER, b)], abs=0.01)


NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


#: matplotlib names clip paths and markers by a hash of their content (p…, m… and ten hex digits)
SVG_HASH_ID = r"\b[pm][0-9a-f]{10}\b"


def _split_charts(page: str) -> tuple[str, list[str]]:
    charts = [re.sub(SVG_HASH_ID, "<id>", base64.b64decode(b).decode("utf-8"))
              for b in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    return re.sub(r'src="data:image/svg\+xml;base64,[^"]+"', 'src="<chart>"', page), charts


def _same_cells(a: dict, b: dict) -> bool:
    assert a.keys() == b.keys()
    for sheet in a:
        assert len(a[sheet]) == len(b[sheet]), sheet
        for row_a, row_b in zip(a[sheet], b[sheet]):
            for x, y in zip(row_a, row_b, strict=True):
                if isinstance(x, float) and isinstance(y, float):
                    assert x == pytest.approx(y, rel=1e-12, abs=1e-15), (sheet, row_a)
                else:
                    assert x == y, (sheet, row_a)
    return True


def test_a_real_dask_cluster_renders_the_demo_shops_and_retries_a_failure(demo_warehouse, tiny_notebook, tmp_path):
    from distributed import LocalCluster

    spec = families.get("weekly_review")
    base = params_mod.load("weekly_review", spec.params_dir / "demo.yaml").model_copy(update={"warehouse": str(demo_warehouse)})
    out, log, lines = tmp_path / "out", tmp_path / "runs.txt", []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        result, refused = render_all("weekly_review", base, out_root=out, formats={"html"}, echo=lines.append,
                                     scheduler=cluster.scheduler_address, progress=False)
        bad = batch.run(tiny_tasks(tiny_notebook, out, log, ["bad2", "s9"]), scheduler=cluster.scheduler_address,
                        echo=lines.append, progress=False)
    assert refused == {} and sorted(o.label for o in result.rendered) == [
        "weekly_review 0071 2026-W47", "weekly_review 0142 2026-W47", "weekly_review 0388 2026-W47"]
    for shop in ("0071", "0142", "0388"):
        assert (out / "weekly_review" / shop / "2026-W47" / "report.html").is_file()
    assert result.where == cluster.scheduler_address
    assert sorted(runs(log)) == ["bad2", "bad2", "s9"]  # Dask retried the failing task once
    assert [o.status for o in bad.outcomes if o.label == "tiny bad2"] == ["failed"]
    assert "planted failure in bad2" in bad.failed[0].message
    assert (out / "tiny" / "s9" / "p1" / "report.html").is_file()


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(monkeypatch, capsys):
    rendered = batch.Outcome("tiny s1", "rendered", seconds=1.0)
    failed = batch.Outcome("tiny bad", "failed", attempts=2, message="boom")
    lines: list[str] = []
    monkeypatch.setattr(batch, "_terminal_width", lambda: 80)
    bar = batch._Progress(2, lines.append, True)
    bar.done(rendered)
    bar.done(failed)
    bar.close()
    err = capsys.readouterr().err
    assert "2/2" in err and "[2/2] FAILED tiny bad after 2 attempt(s): boom" in err and lines == []
    monkeypatch.setattr(batch, "_terminal_width", lambda: 0)  # a terminal without a width shows no bar
    plain = batch._Progress(1, lines.append, True)
    plain.done(rendered)
    assert lines == ["[1/1] rendered tiny s1 in 1.0 s"] and capsys.readouterr().err == ""
