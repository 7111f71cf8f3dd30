"""Closing a period: its inputs frozen with a fingerprint, and every later change logged.

An appraisal decides bonuses, so a closed period must give the same scores whenever it is
re-run, even after the data behind it change (a late refund, a corrected import). Closing writes
the period's inputs (every measure of every person, with its evidence) as canonical JSON into
``appraisal_snapshots`` with its SHA-256 ``fingerprint``; a run of a closed period reads the
snapshot instead of the live tables. Re-scoring a closed period on purpose (a correction) needs a
reason: the snapshot is replaced and ``appraisal_rescores`` keeps when, why, both fingerprints and
what changed (each person's input whose value, reference or status moved).

The warehouse is a DuckDB file or a server (``warehouse.location``): reads are Ibis expressions,
writes one transaction of portable SQL (``warehouse.write``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...errors import ParamsError, WarehouseError
from ...warehouse import write
from ...warehouse.connection import Warehouse

SIGNIFICANT = 12  # digits a frozen number keeps: beyond float noise, far below a cent or a basis point
COLUMNS = ["staff_id", "input", "value", "reference", "unit", "known", "reason", "flag", "evidence"]


@dataclass(frozen=True)
class Snapshot:
    team: str
    period: str
    closed_at: dt.datetime
    fingerprint: str
    inputs: pd.DataFrame


def _plain(value):
    """A value as canonical JSON holds it: NaN and NaT as null, numpy scalars as Python ones, floats
    to SIGNIFICANT digits (so the same data always give the same fingerprint)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float):  # the engine's parallel sums differ in the last bits from run to run
        return float(format(value, f".{SIGNIFICANT}g"))
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return _plain(value.item())
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def canonical(inputs: pd.DataFrame) -> str:
    """The inputs as canonical JSON: rows sorted by person and input, keys sorted, no spaces."""
    rows = [{c: _plain(r[c]) for c in COLUMNS} for r in inputs[COLUMNS].to_dict("records")]
    rows.sort(key=lambda r: (r["staff_id"], r["input"]))
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(inputs: pd.DataFrame) -> str:
    return hashlib.sha256(canonical(inputs).encode("utf-8")).hexdigest()


def _frame(text: str) -> pd.DataFrame:
    return pd.DataFrame(json.loads(text), columns=COLUMNS)


def load(warehouse: str | Path, team: str, period: str) -> Snapshot | None:
    """The closed period's snapshot, or None when the period is open."""
    wh = Warehouse.open(warehouse)
    try:
        if not wh.has("appraisal_snapshots"):
            return None
        t = wh.con.table("appraisal_snapshots")
        found = (t.filter((t.team == team) & (t.period == period))
                 .select("closed_at", "fingerprint", "inputs_json").limit(1).execute())
    finally:
        wh.close()
    if found.empty:
        return None
    closed_at, stored, text = found.iloc[0]
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != stored:
        raise WarehouseError(f"the snapshot of team {team} {period} in appraisal_snapshots does not match its fingerprint "
                             f"{stored[:12]}: it was edited by hand. Re-score the period with a reason instead.")
    return Snapshot(team, period, pd.Timestamp(closed_at).to_pydatetime(), stored, _frame(text))


def close(warehouse: str | Path, team: str, period: str, inputs: pd.DataFrame, *, now: dt.datetime | None = None) -> Snapshot:
    """Freeze ``inputs`` as the closed period's; refuses a period already closed (re-score it instead)."""
    if load(warehouse, team, period) is not None:
        raise ParamsError(f"team {team} {period} is already closed; to change its scores, re-score it with a reason.")
    text = canonical(inputs)
    stamp = now or dt.datetime.now().replace(microsecond=0)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with write.writing(warehouse) as session:
        session.run("INSERT INTO appraisal_snapshots (team, period, closed_at, fingerprint, inputs_json) VALUES (?, ?, ?, ?, ?)",
                    [team, period, stamp, digest, text])
    return Snapshot(team, period, stamp, digest, _frame(text))


def changes(before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    """Each (person, input) whose value, reference, known or reason differs between two input sets."""
    keys = ["staff_id", "input"]
    a = {tuple(r[k] for k in keys): r for r in json.loads(canonical(before))}
    b = {tuple(r[k] for k in keys): r for r in json.loads(canonical(after))}
    out = []
    for key in sorted(set(a) | set(b)):
        old, new = a.get(key, {}), b.get(key, {})
        moved = {f: [old.get(f), new.get(f)] for f in ("value", "reference", "known", "reason") if old.get(f) != new.get(f)}
        if moved:
            out.append({"staff_id": key[0], "input": key[1], **moved})
    return out


def rescore(warehouse: str | Path, team: str, period: str, inputs: pd.DataFrame, reason: str, *,
            now: dt.datetime | None = None) -> list[dict]:
    """Replace a closed period's snapshot by ``inputs``, logging why and what changed; returns the changes."""
    if not reason or not reason.strip():
        raise ParamsError("a re-score needs a reason (what was corrected and why).")
    old = load(warehouse, team, period)
    if old is None:
        raise ParamsError(f"team {team} {period} is not closed: close it first (nothing to re-score).")
    moved = changes(old.inputs, inputs)
    text = canonical(inputs)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stamp = now or dt.datetime.now().replace(microsecond=0)
    with write.writing(warehouse) as session:  # one transaction: the new snapshot and its log entry
        session.run("UPDATE appraisal_snapshots SET closed_at = ?, fingerprint = ?, inputs_json = ? WHERE team = ? AND period = ?",
                    [stamp, digest, text, team, period])
        session.run("INSERT INTO appraisal_rescores (team, period, rescored_at, reason, fingerprint_before, fingerprint_after, "
                    "changes_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [team, period, stamp, reason.strip(), old.fingerprint, digest,
                     json.dumps(moved, ensure_ascii=False, sort_keys=True)])
    return moved


def log(warehouse: str | Path, team: str, period: str) -> pd.DataFrame:
    """The re-scores of a period, oldest first."""
    columns = ["rescored_at", "reason", "fingerprint_before", "fingerprint_after", "changes_json"]
    wh = Warehouse.open(warehouse)
    try:
        if not wh.has("appraisal_rescores"):
            return pd.DataFrame(columns=columns)
        t = wh.con.table("appraisal_rescores")
        return (t.filter((t.team == team) & (t.period == period)).select(*columns).order_by("rescored_at")
                .execute().reset_index(drop=True))
    finally:
        wh.close()
