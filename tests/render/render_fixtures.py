"""The sample report notebook, built in code (shared by the render tests)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# Distinctive strings: code sources and dropped cells must never reach the rendered page.
CODE_MARKER = "CODE_SOURCE_MARKER_1b7e"
NAV_MARKER = "NAV_CELL_MARKER_9c2d"
STDERR_MARKER = "STDERR_WARNING_MARKER_55aa"
CHART_TITLE = "商品交易总额走势"
HEADING = "周报 复盘"

PARAMETERS = '''shop_id = "demo"
top_n = 5
excel_path = None
'''

SETUP = f'''# {CODE_MARKER}
import sys
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

warnings.warn("{STDERR_MARKER}")
print("{STDERR_MARKER}", file=sys.stderr)
'''

TEXT = f'''display(HTML(
    "<h2>{HEADING}</h2>"
    f"<p class='note'>shop={{shop_id!r}} type={{type(shop_id).__name__}} top_n={{top_n!r}}</p>"
))
'''

CHART = f'''import matplotlib
matplotlib.use("Agg")  # what a careless notebook does; the chart must still appear
import matplotlib.pyplot as plt
from io import BytesIO

plt.rcParams["font.family"] = ["Noto Sans CJK SC", "DejaVu Sans"]


class Chart:
    """What the charts layer returns: an object that renders itself as PNG."""

    def __init__(self, fig):
        self.fig = fig

    def _repr_png_(self):
        buffer = BytesIO()
        self.fig.savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()


fig, ax = plt.subplots(figsize=(6, 2.6))
ax.plot([1, 3, 2, 4, 3.5, 5], marker="o")
ax.set_title("{CHART_TITLE}")
plt.close(fig)
Chart(fig)
'''

TABLE = '''kpis = pd.DataFrame({
    "指标": ["GMV", "转化率", "=1+2"],
    "本周": [1234567.891, 0.0321, 3.0],
})
kpis
'''

WORKBOOK = '''if excel_path:
    from opsreport.render.excel import Sheet, write_workbook
    write_workbook([Sheet("KPI 指标", kpis, {"本周": "yuan"})], Path(excel_path))
'''


def build_notebook(path: Path, *, fail: bool = False) -> Path:
    """Write the sample report notebook (optionally with a failing cell) to ``path``."""
    nb = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    parameters = new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nav = new_markdown_cell(f"[目录](#toc) · {NAV_MARKER}")
    nav.metadata["tags"] = ["nav"]
    nb.cells = [
        parameters,
        nav,
        new_markdown_cell("# 店铺周报\n\n本周经营情况概览。"),
        new_code_cell(SETUP),
        new_code_cell(TEXT),
        new_markdown_cell("## 趋势"),
        new_code_cell(CHART),
        new_markdown_cell("## 核心指标"),
        new_code_cell(TABLE),
    ]
    if fail:
        nb.cells += [new_markdown_cell("## 异常小节"), new_code_cell("# boom\nratio = 1 / 0")]
    nb.cells.append(new_code_cell(WORKBOOK))
    nbformat.write(nb, path)
    return path
