"""opsreport: weekly reviews, promotion retrospectives, competitor teardowns and appraisals."""

__version__ = "0.1.0"
