import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny  # noqa: E402

from opsreport.warehouse.store import write_warehouse  # noqa: E402


@pytest.fixture
def tiny_warehouse(tmp_path):
    """Path of a freshly written hand-made warehouse (tests/tiny.py)."""
    return write_warehouse(tmp_path / "tiny.duckdb", tiny.tables())


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test session keeps its own record of validated warehouses."""
    monkeypatch.setenv("OPSREPORT_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory):
    """The demo warehouse at its default scale, built once per test session (~15 s)."""
    from opsreport.warehouse import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build_demo_warehouse(path)
    return path
