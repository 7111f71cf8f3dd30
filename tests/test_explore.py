"""opsreport.explore on a small demo warehouse, and notebooks/explore.ipynb run end to end."""

import json
import os
from pathlib import Path

import duckdb
import nbformat
import pandas as pd
import pytest

from opsreport import explore
from opsreport.errors import DataNotFoundError, ParamsError
from opsreport.metrics.registry import MetricError, UnknownMetricError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    """The demo generator at its smallest: 70 days ending 2026-11-22, ~1,000 orders per shop (~2 s)."""
    from opsreport.warehouse import demo

    path = tmp_path_factory.mktemp("explore") / "demo.duckdb"
    demo.build_demo_warehouse(path, orders_per_shop=1_000, days=70)
    return path


@pytest.fixture(scope="module")
def ex(demo_path):
    with explore.connect(demo_path) as ex:
        yield ex


def raw(path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).df()


def test_shops_and_metrics(ex):
    shops = ex.shops()
    assert list(shops.shop_id) == ["0071", "0142", "0388"]
    assert str(shops.last_day.max().date()) == "2026-11-22"
    table = ex.metrics(lang="zh").set_index("key")
    assert table.loc["conversion_rate", "label"] == "支付转化率"
    assert table.loc["conversion_rate", "dimensions"] == "day, week, month, source, sku_id"
    assert "category" in table.loc["gmv", "dimensions"]
    assert table.loc["repurchase_rate", "dimensions"] == "—"  # a snapshot: the report computes it
    assert "90天" in table.loc["dormant_share", "definition"]


def test_parameters_reach_the_definitions(demo_path):
    with explore.connect(demo_path, dormant_days=120) as ex:
        assert "(120 days)" in ex.metrics(lang="en").set_index("key").loc["dormant_share", "definition"]
    with pytest.raises(ParamsError, match="unknown parameter"):
        explore.connect(demo_path, dormant=120)


def test_conversion_by_source_and_day_is_each_cells_summed_parts(ex, demo_path):
    out = ex.metric("conversion_rate", shop="0071", start="2026-11-01", end="2026-11-22", by=["source", "day"])
    assert list(out.columns) == ["source", "day", "buyer_days", "uv_sum", "conversion_rate"]
    expected = raw(demo_path, """
        SELECT source, date, sum(paid_buyers) / sum(uv) AS rate FROM traffic_daily
        WHERE shop_id = '0071' AND date BETWEEN '2026-11-01' AND '2026-11-22' GROUP BY ALL""")
    assert len(out) == len(expected) == 22 * expected.source.nunique()
    got = out.set_index(["source", out.day.dt.date]).conversion_rate.sort_index()
    want = expected.set_index(["source", pd.to_datetime(expected.date).dt.date]).rate.sort_index()
    assert got.to_numpy() == pytest.approx(want.to_numpy())


def test_gmv_and_units_by_category_and_week(ex, demo_path):
    out = ex.metric(["gmv", "units"], shop="0071", period="2026-W47", by=["category", "week"],
                    where={"category": ["彩妆", "面部护理"]})
    assert list(out.columns) == ["category", "week", "gmv", "units"]
    assert set(out.week) == {"2026-W47"} and set(out.category) <= {"彩妆", "面部护理"}
    expected = raw(demo_path, """
        SELECT p.category, sum(i.paid_amount) AS gmv, sum(i.quantity) AS units
        FROM order_items i JOIN orders o USING (shop_id, order_id) JOIN products p USING (shop_id, sku_id)
        WHERE i.shop_id = '0071' AND o.paid_at >= '2026-11-16' AND o.paid_at < '2026-11-23'
          AND p.category IN ('彩妆', '面部护理') GROUP BY ALL""").set_index("category")
    got = out.set_index("category")
    assert got.gmv.to_dict() == pytest.approx(expected.gmv.to_dict())
    assert got.units.to_dict() == pytest.approx(expected.units.astype(float).to_dict())


def test_weekly_uv_is_the_average_day(ex, demo_path):
    out = ex.metric("uv", shop="0142", period="2026-11", by="week").set_index("week")
    daily = raw(demo_path, "SELECT date, uv FROM shop_daily WHERE shop_id = '0142' AND date BETWEEN '2026-11-16' AND '2026-11-22'")
    assert out.loc["2026-W47", "uv"] == pytest.approx(daily.uv.mean())
    assert out.loc["2026-W44", "days"] == 1  # 2026-11-01 is a Sunday: the month cuts the week


def test_errors_name_what_to_fix(ex):
    with pytest.raises(DataNotFoundError, match="Known shops: 0071"):
        ex.metric("gmv", shop="71", period="2026-W47")
    with pytest.raises(UnknownMetricError, match="did you mean 'conversion_rate'"):
        ex.metric("转化", shop="0071", period="2026-W47")
    with pytest.raises(MetricError, match="Dimensions available for aov"):
        ex.metric("aov", shop="0071", period="2026-W47", by=["channel"])
    with pytest.raises(ParamsError, match="not both"):
        ex.metric("gmv", shop="0071", period="2026-W47", start="2026-11-16")
    with pytest.raises(ParamsError, match="is not an ISO week"):
        ex.metric("gmv", shop="0071", period="W47")


def test_relative_paths_are_also_tried_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # as JupyterLab's kernel in notebooks/
    assert explore._locate("opsreport/metrics/registry.yaml") == ROOT / "opsreport/metrics/registry.yaml"
    (tmp_path / "here.duckdb").touch()
    assert explore._locate("here.duckdb") == Path("here.duckdb")


def test_the_notebook_is_thin_and_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for cell in code:
        assert not cell.outputs and cell.execution_count is None
        assert not any(line.lstrip().startswith(("def ", "for ", "while ", "class ")) for line in cell.source.splitlines())
        assert len([line for line in cell.source.splitlines() if line.strip()]) <= 3
    assert sum(c.source.startswith("## ") for c in nb.cells if c.cell_type == "markdown") >= 4


def test_the_notebook_runs_on_the_demo_data(demo_path, tmp_path):
    from opsreport.render.execute import execute_notebook

    out = tmp_path / "explore.ipynb"
    nb = execute_notebook(NOTEBOOK, {"warehouse": str(demo_path), "shop_id": "0071"}, out, timeout=300)
    code = [c for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    shown = [json.dumps(c.outputs, ensure_ascii=False) for c in code[2:]]  # after parameters and connect
    assert len(shown) == 5 and all("text/html" in s for s in shown)  # five frames
    assert "conversion_rate" in shown[2] and "彩妆" in shown[3] and "2026-W47" in shown[4]
    assert os.path.getsize(out) > 0


def test_demo_params_match_the_notebook_parameters_cell():
    from pathlib import Path

    import papermill as pm
    import yaml

    root = Path(__file__).resolve().parents[1]
    inferred = pm.inspect_notebook(str(root / "notebooks" / "explore.ipynb"))
    demo = yaml.safe_load((root / "params" / "explore" / "demo.yaml").read_text(encoding="utf-8"))
    assert set(demo) == set(inferred)
    assert all(isinstance(v, str) for v in demo.values())  # "0071" stays text
