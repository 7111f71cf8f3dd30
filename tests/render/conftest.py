"""Fixtures of the render tests: sample notebooks and one shared execution of the report."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from render_fixtures import build_notebook


@pytest.fixture
def sample_notebook(tmp_path: Path) -> Path:
    return build_notebook(tmp_path / "sample.ipynb")


@pytest.fixture
def failing_notebook(tmp_path: Path) -> Path:
    return build_notebook(tmp_path / "failing.ipynb", fail=True)


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    """The sample notebook executed once (kernel runs are the slow part), shop_id="0071"."""
    from opsreport.render.execute import execute_notebook

    folder = tmp_path_factory.mktemp("executed")
    source = build_notebook(folder / "sample.ipynb")
    return execute_notebook(source, {"shop_id": "0071", "top_n": 3}, folder / "report.ipynb")
