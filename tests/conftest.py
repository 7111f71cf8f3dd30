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
