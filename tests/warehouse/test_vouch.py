"""A batch tells its workers which warehouse version it checked: a worker trusts the file only
when its content is that version (its own record of validated files may be empty)."""

from opsreport.warehouse.connection import Warehouse, stamp


def test_a_worker_trusts_the_version_the_batch_checked_and_only_that_one(tiny_warehouse):
    checked = stamp(tiny_warehouse)
    wh = Warehouse.open(tiny_warehouse)
    assert wh.vouch(checked) is True and wh.trusted  # no record of this file exists in this test's cache
    other = Warehouse.open(tiny_warehouse)
    assert other.vouch("0|sha256:another-version") is False
    assert other.trusted is False  # falls back to the record: never checked here
    third = Warehouse.open(tiny_warehouse)
    assert third.vouch(None) is False
