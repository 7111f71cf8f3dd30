"""publish.py: staging inside the output root, atomic replacement, index page."""

from __future__ import annotations

import json
import os
import re

import pytest

import opsreport.render.publish as publish_mod

from opsreport.errors import RenderError
from opsreport.render.publish import publish, report_dir, staging, write_index


def _fill(stage, marker, created_at="2026-11-23T09:00:00+08:00"):
    (stage / "report.html").write_text(marker)
    (stage / "report.pdf").write_bytes(b"%PDF-1.7 " + marker.encode())
    (stage / "run.json").write_text(json.dumps({"report": "weekly_review", "title": "店铺周报 <0071>", "created_at": created_at}))


def _tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_publish_moves_the_staged_folder_into_place(tmp_path):
    out = tmp_path / "outputs"
    with staging(out) as stage:
        assert stage.parent == out and stage.name.startswith(".staging-")
        _fill(stage, "first")
        final = publish(stage, out, report="weekly_review", key="0071", period="2026-W47")
    assert final == out / "weekly_review" / "0071" / "2026-W47"
    assert (final / "report.html").read_text() == "first"
    assert oct(final.stat().st_mode & 0o777) == "0o755"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_republishing_replaces_the_old_run_completely(tmp_path):
    out = tmp_path / "outputs"
    with staging(out) as stage:
        _fill(stage, "old")
        (stage / "stale.txt").write_text("from the old run")
        publish(stage, out, report="weekly_review", key="0071", period="2026-W47")
    with staging(out) as stage:
        _fill(stage, "new")
        final = publish(stage, out, report="weekly_review", key="0071", period="2026-W47")
    assert (final / "report.html").read_text() == "new"
    assert not (final / "stale.txt").exists()
    assert not [p for p in out.rglob(".*")]  # no staging or .old- leftovers


def test_failure_removes_staging_and_the_folders_it_created(tmp_path):
    out = tmp_path / "fresh" / "outputs"
    with pytest.raises(ZeroDivisionError):
        with staging(out) as stage:
            _fill(stage, "partial")
            1 / 0
    assert not (tmp_path / "fresh").exists()


def test_failure_leaves_an_existing_output_root_as_it_was(tmp_path):
    out = tmp_path / "outputs"
    with staging(out) as stage:
        _fill(stage, "published")
        publish(stage, out, report="weekly_review", key="0071", period="2026-W46")
    before = _tree(out)
    with pytest.raises(RuntimeError):
        with staging(out) as stage:
            _fill(stage, "broken")
            raise RuntimeError("kernel died")
    assert _tree(out) == before


def test_bad_folder_names_are_refused(tmp_path):
    for bad in ("", "..", ".hidden", "a/b", "a\\b"):
        with pytest.raises(RenderError, match="folder name"):
            report_dir(tmp_path, "weekly_review", bad, "2026-W47")


def test_index_lists_every_report_with_relative_links(tmp_path):
    out = tmp_path / "outputs"
    for key, period in (("0071", "2026-W46"), ("0071", "2026-W47"), ("0102", "2026-W47")):
        with staging(out) as stage:
            _fill(stage, key)
            if key == "0102":
                os.remove(stage / "report.pdf")
            publish(stage, out, report="weekly_review", key=key, period=period)
    (out / ".staging-leftover" / "a" / "b").mkdir(parents=True)  # ignored
    index = write_index(out)
    page = index.read_text(encoding="utf-8")
    assert index == out / "index.html"
    assert page.count("<tr><td>weekly_review</td>") == 3
    assert page.index("2026-W47") < page.index("2026-W46")  # newest period first
    assert '<a href="weekly_review/0071/2026-W47/report.html">' in page
    assert '<a href="weekly_review/0071/2026-W47/report.pdf">' in page
    assert "weekly_review/0102/2026-W47/report.pdf" not in page  # only files that exist
    assert "2026-11-23T09:00:00+08:00" in page and "店铺周报 &lt;0071&gt;" in page
    assert not re.search(r"https?://", page) and "<script" not in page
    assert not [p for p in out.glob(".index-*")]


def _dead_pid():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)  # that process has exited


def test_leftovers_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    import time

    from opsreport.render.publish import STALE_AFTER

    out = tmp_path / "outputs"
    out.mkdir()
    dead = out / f".staging-{_dead_pid()}-abc123"
    (dead / "deep").mkdir(parents=True)
    (dead / "deep" / "report.html").write_text("half")
    alive = out / f".staging-{os.getppid()}-xyz789"  # a concurrent run still going: kept
    alive.mkdir()
    old_format = out / ".staging-k2j4h1x"  # no PID in the name: judged by age
    old_format.mkdir()
    recent_format = out / ".staging-recent1"
    recent_format.mkdir()
    aged = time.time() - STALE_AFTER - 60
    os.utime(old_format, (aged, aged))
    swapped = out / f".old-{_dead_pid()}-0123456789ab"
    swapped.mkdir()
    here = publish_mod._HOST
    dead_here = out / f".staging-{_dead_pid()}@{here}-def456"  # this host's tag, process gone
    dead_here.mkdir()
    # a worker on another machine sharing the folder: its PID means nothing here, only age counts
    other_recent = out / f".staging-{_dead_pid()}@otherbox-aaa111"
    other_recent.mkdir()
    other_aged = out / f".old-{_dead_pid()}@otherbox-bbb222"
    other_aged.mkdir()
    os.utime(other_aged, (aged, aged))
    with staging(out) as stage:
        assert stage.name.startswith(f".staging-{os.getpid()}@{here}-")
    assert sorted(p.name for p in out.iterdir()) == sorted([alive.name, recent_format.name, other_recent.name])


def test_clean_stale_ignores_a_missing_root(tmp_path):
    from opsreport.render.publish import clean_stale

    assert clean_stale(tmp_path / "nowhere") == []


def test_bad_output_roots_are_named_before_any_work(tmp_path):
    from opsreport.errors import OutputError
    from opsreport.render.publish import check_out_root

    check_out_root(tmp_path / "new" / "deeper")  # may be created later
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        check_out_root(a_file / "out")
    with pytest.raises(OutputError, match="too long for the file system"):
        check_out_root(tmp_path / ("x" * 300))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
