"""A Block joins headings, tables, charts and notes into one HTML output of a notebook cell."""

from __future__ import annotations

import base64
import html


class Block:
    def __init__(self, parts: list):
        self.parts = [p for p in parts if p is not None]

    def _repr_html_(self) -> str:
        return "\n".join(_html_of(p) for p in self.parts)


def _html_of(part) -> str:
    if isinstance(part, str):
        return f"<p>{html.escape(part)}</p>"
    if hasattr(part, "to_png"):  # viz.charts.Chart: embedded, so the report stays self-contained
        data = base64.b64encode(part.to_png()).decode("ascii")
        alt = html.escape(getattr(part, "alt", ""))
        return f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{alt}"></figure>'
    return part._repr_html_()
