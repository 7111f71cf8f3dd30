"""Input checks the promotion analyses share: a frame with the columns it needs, and a date
argument. Bad rows are each analysis's own business (their messages name SKUs, coupons or orders)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError


def require_columns(frame, columns: list[str], what: str) -> None:
    """``frame`` is a DataFrame holding ``columns``; ``what`` names it in the error."""
    if not isinstance(frame, pd.DataFrame):
        raise ParamsError(f"{what} must be a pandas DataFrame (got {type(frame).__name__}).")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(f"{what} lack the column(s) {', '.join(missing)}; they need {', '.join(columns)}.")


def as_date(value, name: str, example: str = "2026-11-11") -> dt.date:
    """A date argument given as a date, a datetime, a Timestamp, numpy datetime64 or ISO text."""
    try:
        stamp = pd.Timestamp(value) if isinstance(value, (str, dt.date, np.datetime64)) else pd.NaT
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ParamsError(f"{name} must be a date such as {example} (got {value!r}).")
    return stamp.date()
