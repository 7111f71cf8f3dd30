"""Naming a warehouse (path, URL, env:, a name of the warehouses file) and keeping its password secret."""

from __future__ import annotations

import socket

import pytest

from opsreport import params
from opsreport.errors import ParamsError, WarehouseError
from opsreport.warehouse import location
from opsreport.warehouse.connection import Warehouse

SECRET = "Zq8-very-secret"


def test_the_shown_location_never_holds_the_password():
    at = location.resolve(f"postgresql://ops:{SECRET}@db.example:5432/shops?sslmode=require&password={SECRET}")
    assert at.kind == "postgres" and at.is_server
    assert at.shown == "postgresql://ops@db.example:5432/shops?sslmode=require"
    assert SECRET not in repr(at) and SECRET not in str(at)
    assert at.scrub(f"failed for ops:{SECRET}@db") == "failed for ops:***@db"
    assert location.resolve("postgres://ops@db/shops").shown == "postgres://ops@db/shops"
    assert location.resolve("data/demo.duckdb") == location.Location("duckdb", "data/demo.duckdb", "data/demo.duckdb")


def test_an_unsupported_scheme_names_the_supported_ones():
    with pytest.raises(WarehouseError, match=r"'mysql://' is not supported.*DuckDB file path.*postgresql://.*postgres://"):
        location.resolve("mysql://ops@db/shops")


def test_env_and_the_warehouses_file(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSREPORT_WAREHOUSE_URL", f"postgresql://ops:{SECRET}@db:5432/shops")
    at = location.resolve("env:OPSREPORT_WAREHOUSE_URL")
    assert at.shown == "postgresql://ops@db:5432/shops" and at.target.endswith("@db:5432/shops")
    monkeypatch.delenv("OPSREPORT_WAREHOUSE_URL")
    with pytest.raises(WarehouseError, match="OPSREPORT_WAREHOUSE_URL is not set"):
        location.resolve("env:OPSREPORT_WAREHOUSE_URL")

    config = tmp_path / "warehouses.yaml"
    monkeypatch.setenv("OPSREPORT_WAREHOUSES", str(config))
    config.write_text(f"team: postgresql://ops:{SECRET}@db:5432/team\nlocal: {tmp_path / 'w.duckdb'}\n")
    assert location.resolve("team").shown == "postgresql://ops@db:5432/team"
    assert location.resolve("local").path == tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError) as err:
        location.resolve("teem")
    assert f"neither a file nor a name in {config} (names there: local, team)" in str(err.value)
    assert SECRET not in str(err.value)
    config.write_text(f"team: [postgresql://ops:{SECRET}@db/team]\n")
    with pytest.raises(WarehouseError, match=r"the entries team are not name: URL text pairs") as err:
        location.resolve("team")
    assert SECRET not in str(err.value)


def test_a_report_parameter_with_a_password_is_refused_without_quoting_it():
    with pytest.raises(ParamsError) as err:
        params.validate("weekly_review", {"warehouse": f"postgresql://ops:{SECRET}@db:5432/shops"})
    assert "holds a password" in str(err.value) and "postgresql://ops@db:5432/shops" in str(err.value)
    assert SECRET not in str(err.value)
    assert params.validate("weekly_review", {"warehouse": "env:OPSREPORT_WAREHOUSE_URL"}).warehouse == "env:OPSREPORT_WAREHOUSE_URL"


def test_a_wrong_password_is_a_clear_error_without_the_password(pg_server, monkeypatch):
    url = pg_server.url("postgres")
    monkeypatch.setenv("PGPASSWORD", SECRET)
    with pytest.raises(WarehouseError) as err:
        Warehouse.open(url)
    text = str(err.value)
    assert text.startswith(f"Warehouse server {url} cannot be used: the server refused the login")
    assert "password authentication failed" in text and SECRET not in text
    inline = url.replace(f"{pg_server.user}@", f"{pg_server.user}:{SECRET}@")  # a password inside the URL
    with pytest.raises(WarehouseError) as err:
        Warehouse.open(inline)
    assert SECRET not in str(err.value) and SECRET not in repr(err.value) and url in str(err.value)


def test_an_unreachable_server_is_a_clear_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WarehouseError, match=rf"Warehouse server postgresql://ops@127.0.0.1:{port}/shops cannot be "
                                             r"used: the server cannot be reached: is it running"):
        Warehouse.open(f"postgresql://ops@127.0.0.1:{port}/shops")


def test_a_missing_database_is_named(pg_server):
    with pytest.raises(WarehouseError, match=r"database does not exist on that server"):
        Warehouse.open(pg_server.url("no_such_db"))
