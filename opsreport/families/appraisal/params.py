"""Parameters of the appraisal (the notebook's parameters cell holds the same names)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from ...params import ReportParams

LAST = ("last_month", "last_quarter")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")


class AppraisalParams(ReportParams):
    team: str = Field("ops-east", description="team appraised (staff.team)", min_length=1)
    period: str = Field("last_month", description="a month such as 2026-10, a quarter such as 2026-Q3, or last_month / "
                                                  "last_quarter (the last one that has ended by the data's last day)")
    maturity_days: int = Field(15, ge=0, le=90, description="days after a period ends until its refunds and ad attribution "
                                                            "are mature; before that its scores are provisional")
    min_spend: float = Field(5000.0, ge=0, description="ad spend below which a ROI is flagged as not conclusive")
    rubrics_dir: str | None = Field(None, description="folder of the company's own rubric files (rubric per role); "
                                                      "default: the built-in ones and OPSREPORT_RUBRICS")
    output_dir: str | None = Field(None, description="set by the runner: the folder the personal scorecards are written into")

    @field_validator("period")
    @classmethod
    def _period_format(cls, value: str) -> str:
        if value not in LAST and not PERIOD.match(value):
            raise ValueError(f"'{value}' is neither a month such as 2026-10, a quarter such as 2026-Q3, "
                             f"nor one of {', '.join(LAST)}")
        return value
