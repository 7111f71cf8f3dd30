"""The command line: help texts, and every bad input stops with a clear message, a non-zero exit
code and nothing written under the output root."""

import pytest
from typer.testing import CliRunner

import tiny
from opsreport.cli import app
from opsreport.warehouse.store import write_warehouse

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_help_of_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("run", "demo", "validate", "params"):
        assert command in result.output
        sub = invoke(command, "--help")
        assert sub.exit_code == 0, command
    assert "--set" in invoke("run", "--help").output


def test_params_lists_every_parameter():
    result = invoke("params", "weekly_review")
    assert result.exit_code == 0
    assert "shop_id" in result.output and "sku_conversion_drop" in result.output


@pytest.fixture
def wh(tmp_path):
    return str(write_warehouse(tmp_path / "tiny.duckdb", tiny.tables()))


def assert_nothing_written(out):
    assert not out.exists() or not any(out.rglob("*")), list(out.rglob("*"))


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["shop_id=9999"], "Shop '9999' does not exist"),
        (["week=2030-W10"], "Week 2030-W10 (2030-03-04..2030-03-10) has no data for shop '0001'"),
        (["colour=red"], "unknown parameter 'colour'"),
        (["top_n=lots"], "parameter 'top_n'"),
    ],
)
def test_bad_input_writes_nothing(tmp_path, wh, overrides, message):
    out = tmp_path / "outputs"
    args = ["run", "weekly_review", "--set", f"warehouse={wh}", "--set", "shop_id=0001", "--out", str(out)]
    for item in overrides:
        args += ["--set", item]
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert_nothing_written(out)


def test_contract_problem_stops_before_the_kernel(tmp_path):
    tables = tiny.tables()
    tables["orders"].loc[2, "paid_amount"] = -1.0
    path = write_warehouse(tmp_path / "bad.duckdb", tables)
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--set", f"warehouse={path}", "--set", "shop_id=0001", "--out", str(out))
    assert result.exit_code == 2
    assert "Table 'orders' breaks its contract" in result.output and "order_id=o3" in result.output
    assert_nothing_written(out)
    check = invoke("validate", "--warehouse", str(path))
    assert check.exit_code == 2 and "paid_amount" in check.output


def test_missing_warehouse_and_bad_formats(tmp_path):
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--set", f"warehouse={tmp_path / 'none.duckdb'}", "--out", str(out))
    assert result.exit_code == 2 and "Warehouse file not found" in result.output
    result = invoke("run", "weekly_review", "--formats", "html,docx", "--out", str(out))
    assert result.exit_code == 2 and "--formats" in result.output
    assert_nothing_written(out)


def test_relative_output_root_works(tmp_path, wh, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "weekly_review", "--set", f"warehouse={wh}", "--set", "shop_id=0001",
                    "--set", "week=2026-W47", "--formats", "xlsx", "--out", "outputs")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "weekly_review" / "0001" / "2026-W47" / "tables.xlsx").is_file()


def test_missing_required_table_is_named(tmp_path):
    tables = tiny.tables()
    del tables["shops"]  # shop_daily is optional now (a shop may have only some sources)
    path = write_warehouse(tmp_path / "no_shops.duckdb", tables)
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--set", f"warehouse={path}", "--set", "shop_id=0001", "--out", str(out))
    assert result.exit_code == 2
    assert "has no 'shops' table" in result.output
    assert_nothing_written(out)


def test_all_shops_renders_every_shop_and_reports_the_ones_that_fail(tmp_path):
    tables = tiny.tables()
    extra = tables["shops"].iloc[[0]].assign(shop_id="0002", name="没有数据的店")
    tables["shops"] = __import__("pandas").concat([tables["shops"], extra], ignore_index=True)
    path = write_warehouse(tmp_path / "two.duckdb", tables)
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--all-shops", "--set", f"warehouse={path}", "--set", "week=2026-W47",
                    "--formats", "html", "--out", str(out))
    assert result.exit_code == 2
    assert (out / "weekly_review" / "0001" / "2026-W47" / "report.html").is_file()
    assert not (out / "weekly_review" / "0002").exists()
    assert "shop 0002 refused: Shop '0002' has no rows in shop_daily" in result.output
    assert "1 report(s) not rendered: shop 0002 (refused: " in result.output
    assert "batch on this process: 1 rendered, 0 skipped (unchanged), 0 failed in " in result.output
    again = invoke("run", "weekly_review", "--all-shops", "--set", f"warehouse={path}", "--set", "week=2026-W47",
                   "--formats", "html", "--out", str(out))
    assert "skipped weekly_review 0001 2026-W47: unchanged since " in again.output
    assert "0 rendered, 1 skipped (unchanged), 0 failed" in again.output


@pytest.mark.parametrize("args, message", [
    (["--workers", "2"], "--workers, --scheduler and --force apply to a batch: add --all"),
    (["--force"], "--workers, --scheduler and --force apply to a batch: add --all"),
    (["--all", "--workers", "0"], "greater than or equal to 1"),
])
def test_batch_options_are_checked(tmp_path, wh, args, message):
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--set", f"warehouse={wh}", "--out", str(out), *args)
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert_nothing_written(out)


def test_an_unreachable_scheduler_is_named_without_a_traceback(tmp_path, wh):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--all", "--set", f"warehouse={wh}", "--set", "week=2026-W47",
                    "--formats", "html", "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.exit_code == 2, result.output
    assert f"Cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    assert not list((out / "weekly_review").rglob("report.html")) if out.exists() else True


def test_importing_the_cli_loads_no_heavy_library():
    import subprocess
    import sys

    heavy = ("pandas", "ibis", "matplotlib", "seaborn", "papermill", "weasyprint", "nbconvert", "duckdb")
    code = f"import sys, opsreport.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_params_listing_hides_what_the_runner_sets():
    result = invoke("params", "weekly_review")
    assert result.exit_code == 0 and "excel_path" not in result.output


@pytest.mark.parametrize("kind", ["a file", "too long"])
def test_bad_output_root_is_reported_before_the_warehouse_is_read(tmp_path, kind):
    target = tmp_path / "taken.txt"
    target.write_text("x")
    out = target if kind == "a file" else tmp_path / ("o" * 300)
    result = invoke("run", "weekly_review", "--set", f"warehouse={tmp_path / 'none.duckdb'}", "--out", str(out))
    assert result.exit_code == 2
    assert ("is a file" if kind == "a file" else "too long for the file system") in result.output
    assert "Traceback" not in result.output and "Warehouse" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.txt"]


def test_a_locked_warehouse_is_not_called_corrupt(tmp_path, wh):
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({wh!r}); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = invoke("validate", "--warehouse", wh)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert f"(PID {holder.pid})" in result.output and "is locked" in result.output
    assert "corrupt" not in result.output


def test_an_unexpected_error_is_one_paragraph_not_a_traceback(monkeypatch):
    from opsreport import params as params_mod

    def boom(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(params_mod, "load", boom)
    monkeypatch.delenv("OPSREPORT_DEBUG", raising=False)
    result = invoke("run", "weekly_review")
    assert result.exit_code == 1
    assert "unexpected ZeroDivisionError: a bug" in result.output and "OPSREPORT_DEBUG=1" in result.output


def test_appraisal_close_and_rescore(demo_warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())
    closed = invoke("appraisal", "close", "--period", "2026-10", "--warehouse", str(copy))
    assert closed.exit_code == 0 and "closed ops-east 2026-10: inputs frozen with fingerprint" in closed.output
    again = invoke("appraisal", "close", "--period", "2026-10", "--warehouse", str(copy))
    assert again.exit_code == 2 and "already closed" in again.output and "Traceback" not in again.output
    rescored = invoke("appraisal", "rescore", "--period", "2026-10", "--reason", "checked", "--warehouse", str(copy))
    assert rescored.exit_code == 0 and "0 input(s) changed" in rescored.output  # nothing moved since closing
    running = invoke("appraisal", "close", "--period", "2026-11", "--warehouse", str(copy))
    assert running.exit_code == 2 and "2026-11 has not ended" in running.output


def test_demo_lists_what_it_wrote_and_what_failed(tmp_path, monkeypatch):
    """The demo command's own summary (the rendering itself is tested through render_all)."""
    from opsreport import reports
    from opsreport.errors import RenderError

    wrote = tmp_path / "outputs" / "weekly_review" / "0071" / "2026-W47"
    monkeypatch.setattr(reports, "render_demo", lambda **_: ([wrote], {}))
    result = invoke("demo", "--out", str(tmp_path / "outputs"))
    assert result.exit_code == 0 and f"wrote {wrote}" in result.output
    monkeypatch.setattr(reports, "render_demo", lambda **_: ([wrote], {"appraisal ops-east": RenderError("boom")}))
    result = invoke("demo", "--out", str(tmp_path / "outputs"))
    assert result.exit_code == 3 and "1 report(s) failed: appraisal ops-east" in result.output
