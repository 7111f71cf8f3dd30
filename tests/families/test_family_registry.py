"""Every registered report family plugs in the same way: its params model matches its notebook's
parameters cell, its demo params are valid, and its demo renders into a temp dir."""

from __future__ import annotations

import subprocess
from pathlib import Path

import papermill as pm
import pytest

from opsreport import families, params
from opsreport.reports import render_all

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = families.names()


def test_families_are_discovered_from_their_folders():
    assert "weekly_review" in FAMILIES
    folders = {p.name for p in (ROOT / "opsreport" / "families").iterdir() if (p / "spec.py").is_file()}
    assert set(FAMILIES) == folders


@pytest.mark.parametrize("name", FAMILIES)
def test_notebook_parameters_cell_matches_the_params_model(name):
    spec = families.get(name)
    inferred = pm.inspect_notebook(str(spec.notebook))
    assert set(inferred) == set(spec.params_model.model_fields)
    defaults = spec.params_model()
    for key, info in inferred.items():
        assert eval(info["default"]) == getattr(defaults, key), key  # noqa: S307 - our own notebook


@pytest.mark.parametrize("name", FAMILIES)
def test_demo_params_are_valid(name):
    spec = families.get(name)
    assert spec.demo_params
    for file in spec.demo_params:
        params.load(name, spec.params_dir / file)


def test_no_shared_module_branches_on_a_report_name():
    hits = subprocess.run(["git", "grep", "-n", "-E", r"== ?[\"'](weekly_review|promo_retrospective|competitor_teardown|appraisal)[\"']",
                           "--", "opsreport"], cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
    outside = [h for h in hits if not any(h.startswith(f"opsreport/families/{n}/") for n in FAMILIES)]
    assert outside == []


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_demo_renders_into_a_temp_dir(name, demo_warehouse, tmp_path):
    spec = families.get(name)
    base = params.load(name, spec.params_dir / spec.demo_params[0]).model_copy(update={"warehouse": str(demo_warehouse)})
    updates = (spec.demo_keys() if spec.demo_keys else [{}])[:1]
    result, refused = render_all(name, base, out_root=tmp_path, formats={"html", "xlsx"}, updates=updates,
                                 echo=lambda _: None, progress=False)
    assert not refused and not result.failed, (refused, result.failed)
    [folder] = [o.folder for o in result.rendered]
    assert folder.parent.parent == tmp_path / name  # outputs/<family>/<key>/<period>/
    assert (folder / "report.html").stat().st_size > 0 and (folder / "tables.xlsx").stat().st_size > 0
