"""Import tests see the built-in mappings only, whatever the machine's environment says."""

import pytest


@pytest.fixture(autouse=True)
def no_user_mappings(monkeypatch):
    monkeypatch.delenv("OPSREPORT_MAPPINGS", raising=False)
