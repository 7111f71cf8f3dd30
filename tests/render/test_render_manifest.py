"""manifest.py: run.json content."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import platform
from pathlib import Path

import numpy as np

from opsreport.render.manifest import PACKAGES, build_manifest, json_safe, list_files, write_manifest


def test_manifest_has_params_fingerprint_versions_timings_and_files(tmp_path):
    (tmp_path / "report.html").write_text("<html></html>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.bin").write_bytes(b"12345")
    manifest = build_manifest(
        "weekly_review",
        {"shop_id": "0071", "week": "2026-W47", "warehouse": Path("data/demo.duckdb"), "top_n": np.int64(10)},
        fingerprint={"orders": 150_000, "max_paid_at": dt.datetime(2026, 11, 22, 23, 59)},
        timings={"execute": 3.14159, "pdf": 0.5},
        files=list_files(tmp_path),
        title="店铺周报",
    )
    assert manifest["report"] == "weekly_review" and manifest["title"] == "店铺周报"
    assert manifest["params"] == {"shop_id": "0071", "week": "2026-W47", "warehouse": "data/demo.duckdb", "top_n": 10}
    assert manifest["data_fingerprint"] == {"orders": 150_000, "max_paid_at": "2026-11-22T23:59:00"}
    assert manifest["timings_s"] == {"execute": 3.142, "pdf": 0.5}
    assert manifest["files"] == {"report.html": 13, "sub/x.bin": 5}
    versions = manifest["versions"]
    assert versions["python"] == platform.python_version()
    assert set(PACKAGES) <= set(versions)
    for name in ("opsreport", "pandas", "papermill", "nbconvert", "weasyprint", "openpyxl"):
        assert versions[name], name
    created = dt.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() is not None  # local time with its offset

    write_manifest(manifest, tmp_path / "run.json")
    text = (tmp_path / "run.json").read_text(encoding="utf-8")
    assert "店铺周报" in text  # readable, not \\u escapes
    assert json.loads(text) == manifest


def test_json_safe_converts_what_params_may_hold():
    value = {
        "day": dt.date(2026, 11, 16),
        "amount": decimal.Decimal("1.50"),
        "ids": {"b", "a"},
        "nan": math.nan,
        "tuple": (1, np.float64(2.5)),
        "other": object,
    }
    safe = json_safe(value)
    json.dumps(safe, allow_nan=False)
    assert safe["day"] == "2026-11-16" and safe["amount"] == 1.5 and safe["ids"] == ["a", "b"]
    assert safe["nan"] is None and safe["tuple"] == [1, 2.5]
