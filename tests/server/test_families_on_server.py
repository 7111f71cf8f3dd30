"""Every report family on a PostgreSQL warehouse gives the same numbers as on DuckDB.

The small demo warehouse is copied onto the server (``pg_demo``); each family's pure analysis
(``spec.analysis(params, warehouse)``) runs on both, and the whole result is compared field by
field: every table (KPI values, anomalies, teardown ranks and price index, appraisal points per
person) to 1e-9 relative, every label and list exactly. Only the generation time and the
parameters (whose ``warehouse`` differs by design) are left out.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from opsreport import families
from opsreport.warehouse.connection import Warehouse

CASES = {
    "weekly_review": {"shop_id": "0071", "week": "last"},
    "promo_retrospective": {"shop_id": "0071", "promo": "last"},
    "competitor_teardown": {"shop_id": "0071", "period": "2026-11"},
    "appraisal": {"team": "ops-east", "period": "last_month"},
}
NOT_COMPARED = {"generated_at", "params"}
RTOL = 1e-9


def differences(a, b, path: str) -> list[str]:
    """Where ``a`` and ``b`` differ (numbers to RTOL), as paths into the result."""
    if isinstance(a, pd.DataFrame) or isinstance(a, pd.Series):
        if type(a) is not type(b):
            return [f"{path}: {type(a).__name__} vs {type(b).__name__}"]
        check = pd.testing.assert_frame_equal if isinstance(a, pd.DataFrame) else pd.testing.assert_series_equal
        try:  # int64 on one engine may be float64 on the other: values are compared, not dtypes
            check(a, b, check_exact=False, rtol=RTOL, check_dtype=False, check_index_type=False)
        except AssertionError as exc:
            return [f"{path}: {str(exc)[:400]}"]
        return []
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return [d for f in dataclasses.fields(a) if f.name not in NOT_COMPARED
                for d in differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")]
    if isinstance(a, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(map(str, set(a) ^ set(b)))}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}[{k!r}]")]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if hasattr(a, "params") and hasattr(a, "model"):  # a fitted statsmodels result: its coefficients
        return differences(pd.Series(np.asarray(a.params)), pd.Series(np.asarray(b.params)), f"{path}.params")
    if isinstance(a, (float, np.floating)):
        same = (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)
        return [] if same else [f"{path}: {a!r} vs {b!r}"]
    equal = a == b
    if isinstance(equal, np.ndarray):
        equal = equal.all()
    return [] if equal else [f"{path}: {a!r:.120} vs {b!r:.120}"]


@pytest.fixture(scope="module")
def results(small_duckdb, pg_demo):
    """Each family's result on DuckDB and on the server (one open warehouse per side, as a batch has)."""
    out = {name: [] for name in CASES}
    for where in (str(small_duckdb), pg_demo):
        wh = Warehouse.open(where)
        try:
            for name, values in CASES.items():
                spec = families.get(name)
                out[name].append(spec.analysis(spec.params_model.model_validate({**values, "warehouse": where}), wh))
        finally:
            wh.close()
    return out


@pytest.mark.parametrize("family", list(CASES))
def test_every_family_gives_the_same_results_on_postgres(results, family):
    on_duckdb, on_server = results[family]
    assert differences(on_duckdb, on_server, family) == []


def test_the_comparison_sees_the_key_numbers(results):
    """The compared results hold what the reports show (a comparison of empty results proves nothing),
    and a change in one number is caught."""
    weekly, _ = results["weekly_review"]
    gmv = weekly.kpis.set_index("metric").loc["gmv"] if "metric" in weekly.kpis else weekly.kpis.iloc[0]
    assert len(weekly.kpis) >= 5 and weekly.anomalies
    teardown, _ = results["competitor_teardown"]
    assert teardown.price_index is not None and len(teardown.competitors) >= 3
    appraisal, on_server = results["appraisal"]
    assert len(appraisal.totals) >= 3 and appraisal.totals.total.notna().all()
    nudged = on_server.totals.assign(total=on_server.totals.total * (1 + 1e-6))  # 1 ppm off is a difference
    assert differences(appraisal.totals, nudged, "totals")
    assert gmv is not None
