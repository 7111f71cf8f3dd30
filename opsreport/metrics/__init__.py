"""The metric registry and the code that computes metrics at any grain."""

from .registry import Metric, format_change, format_value, metric, metrics, ratio

__all__ = ["Metric", "format_change", "format_value", "metric", "metrics", "ratio"]
