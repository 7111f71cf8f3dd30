"""Parameters of the competitor teardown (the notebook's parameters cell holds the same names)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from ...params import ReportParams
from .period import parse_period


class CompetitorTeardownParams(ReportParams):
    shop_id: str = Field("0071", description="shop compared with its competitors", min_length=1)
    period: str = Field("last", description="a month such as 2026-11, a date range 2026-11-01..2026-11-22, or 'last' "
                                            "(the month of the last day with competitor data, up to that day)")
    competitors: list[str] | None = Field(None, description="competitor ids (shop names) compared instead of the shop's "
                                                            "competitor set")
    # calibration of indices on our own shop
    calibration_days: int = Field(180, ge=28, le=730, description="days up to the period's end our own shop's indices "
                                                                   "are calibrated on")
    level: float = Field(0.90, gt=0.5, lt=1, description="level of the estimates' ranges")
    # what counts as a move
    min_cut: float = Field(0.10, gt=0, lt=1, description="a matched product's effective price this much below its week "
                                                         "before is a move")
    lag_days: int = Field(7, ge=1, le=28, description="days after a move in which our matched SKU's numbers are read")
    baseline_days: int = Field(14, ge=7, le=56, description="days before a move our SKU's numbers are compared with")
    min_uv: int = Field(200, ge=0, description="visitors our SKU needs in each window before its conversion is judged")
    conversion_fall: float = Field(0.25, gt=0, lt=1, description="relative fall of our SKU's conversion after a move "
                                                                 "that links the two")
    paid_gap: float = Field(0.10, gt=0, lt=1, description="a competitor's paid share this far above ours leans on paid traffic")
    paid_rise: float = Field(0.08, gt=0, lt=1, description="a rise of a competitor's paid share since the previous period "
                                                           "that is reported")
    undercut_margin: float = Field(0.05, ge=0, lt=1, description="a competitor promotion this much deeper than ours, "
                                                                 "overlapping it, undercuts it")
    wave_ratio: float = Field(3.0, gt=1, description="a week's bad reviews this many times the usual is a wave")
    rating_drop: float = Field(0.1, gt=0, le=5, description="a fall of a competitor's rating that is reported")
    price_bands: int = Field(5, ge=3, le=8, description="price bands of the assortment charts")
    top_n: int = Field(3, ge=1, le=20, description="hero products shown per shop")

    @field_validator("period")
    @classmethod
    def _period_format(cls, value: str) -> str:
        if value != "last":
            parse_period(value)  # raises ParamsError with the reason
        return value

    @field_validator("competitors", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        """``--set competitors=A,B`` gives one text: split it at commas (also full-width ones)."""
        if isinstance(value, str):
            return [part for part in re.split(r"[,\uff0c\u3001]", value.strip().strip("[]"))]
        return value

    @field_validator("competitors")
    @classmethod
    def _some_competitors(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            value = [v.strip() for v in value if v.strip()]
            if not value:
                raise ValueError("give at least one competitor id, or leave it empty for the shop's competitor set")
            if len(set(value)) < len(value):
                raise ValueError("a competitor is named twice")
        return value
