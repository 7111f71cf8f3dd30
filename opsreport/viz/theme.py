"""The house look, as data: seaborn's "whitegrid" style and "paper" context, the house
overrides in one dict of matplotlib rc params, and one palette.

Chart functions never set fonts or colours themselves; they read ``COLORS`` and draw inside
``house_style(lang)``. Sizes are chosen for an A4 page: a figure is 16 cm (6.3 in) wide and is
printed at that size, so 9 pt text in the figure is 9 pt on paper.

``RC`` is built like seaborn's ``set_theme``: ``axes_style(STYLE)`` and ``plotting_context(CONTEXT)``
give the base, ``HOUSE`` (below, commented) overrides it, and the palette becomes the colour
cycle. Figures are saved as SVG with text drawn as paths (``svg.fonttype: path``), so a chart
looks the same in any browser and PDF whatever fonts they have.

Examples
--------
>>> from opsreport.viz import theme
>>> with theme.house_style("zh"):
...     fig, ax = plt.subplots()          # any matplotlib or seaborn code
>>> theme.apply("en")                      # or set it for the whole session
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
import seaborn as sns

from opsreport.viz.fonts import font_rc

#: Width of a chart (16 cm). The PDF prints the SVG at this size, centred in the 18 cm text
#: block of the A4 page, so the sizes below are sizes on paper.
WIDTH_IN = 16 / 2.54

#: The palette. One accent (the reviewed week); everything else is quiet.
COLORS = {
    "accent": "#1F5FBF",  # this week / the reviewed period
    "accent_light": "#DCE7F7",  # shaded span behind the reviewed week
    "context": "#A7B3C2",  # earlier days and weeks
    "previous": "#CFD6DF",  # last week, drawn behind this week
    "total": "#4A5568",  # totals in a bridge
    "good": "#2B8A3E",  # a change in the good direction (green)
    "bad": "#C92A2A",  # a change in the bad direction (red)
    "alert": "#E8590C",  # flagged rows (below target, at risk)
    "reference": "#495057",  # target / reference lines
    "ink": "#212529",  # text
    "muted": "#6C757D",  # secondary text: axis labels, notes
    "grid": "#E9ECEF",
    "spine": "#ADB5BD",
}

#: Text sizes (pt) beyond the rc params: values written next to bars, and notes.
SIZES = {
    "value": 8,  # this week's value at a bar end (as large as tick labels)
    "value_minor": 7,  # last week's value, under this week's
    "note": 7.5,  # "axis does not start at 0", reference-line labels
}

#: Colours for more than one series without an accent (e.g. several shops).
SERIES = ("#1F5FBF", "#E8590C", "#2B8A3E", "#7048E8", "#868E96", "#0C8599", "#D6336C")
#: The same as a seaborn palette (``sns.barplot(..., palette=PALETTE)``).
PALETTE = sns.color_palette(SERIES)

#: seaborn style and context the house look starts from.
STYLE = "whitegrid"
CONTEXT = "paper"

#: The house overrides of seaborn's style and context (fonts are added by ``rc(lang)``).
HOUSE = {
    # canvas
    "figure.figsize": (WIDTH_IN, WIDTH_IN * 0.55),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.08,
    # vector output: text as paths (no font needed to view it), stable ids, no timestamp
    "svg.fonttype": "path",
    "svg.hashsalt": "opsreport",
    "pdf.fonttype": 42,
    # axes
    "axes.facecolor": "white",
    "axes.edgecolor": COLORS["spine"],
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 6,
    "axes.titlecolor": COLORS["ink"],
    "axes.labelsize": 8.5,
    "axes.labelcolor": COLORS["muted"],
    "axes.prop_cycle": mpl.cycler(color=PALETTE.as_hex()),
    "axes.xmargin": 0.02,
    "axes.formatter.use_locale": False,
    # grid and ticks
    "grid.color": COLORS["grid"],
    "grid.linewidth": 0.6,
    "grid.linestyle": "-",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": COLORS["muted"],
    "ytick.color": COLORS["muted"],
    "xtick.labelcolor": COLORS["ink"],
    "ytick.labelcolor": COLORS["ink"],
    "xtick.bottom": True,  # date ticks under the trend (seaborn's whitegrid has none)
    "ytick.left": False,
    "xtick.direction": "out",
    "xtick.major.size": 3,
    "ytick.major.size": 0,
    "xtick.major.width": 0.6,
    "xtick.major.pad": 3,
    "ytick.major.pad": 4,
    # text and lines
    "font.size": 9,
    "text.color": COLORS["ink"],
    "lines.linewidth": 1.6,
    "lines.markersize": 4,
    "lines.solid_capstyle": "projecting",
    "patch.linewidth": 0,
    "patch.force_edgecolor": False,
    # legend
    "legend.fontsize": 8,
    "legend.frameon": False,
    "legend.handlelength": 1.2,
    "legend.handleheight": 0.8,
    "legend.borderaxespad": 0.2,
    "legend.columnspacing": 1.2,
    "legend.title_fontsize": 8,
}

#: The rc params of the house look: seaborn's style and context, then ``HOUSE``. seaborn's font
#: families are left out: fonts are chosen by ``fonts.font_rc`` (a CJK-capable face first).
RC = {
    **{k: v for k, v in sns.axes_style(STYLE).items() if k not in ("font.family", "font.sans-serif")},
    **sns.plotting_context(CONTEXT),
    **HOUSE,
}


def rc(lang: str = "zh") -> dict:
    """The complete rc params for ``lang``: ``RC`` plus the CJK-capable font settings.

    Raises
    ------
    opsreport.errors.RenderError
        ``lang == "zh"`` and no font covering Chinese is installed (run the README setup).
    """
    return {**RC, **font_rc(lang)}


@contextmanager
def house_style(lang: str = "zh") -> Iterator[None]:
    """Context manager: draw with the house look, restoring the previous rc params after."""
    with mpl.rc_context(rc(lang)):
        yield


def apply(lang: str = "zh") -> None:
    """Set the house look for the rest of the session (e.g. for ad hoc seaborn charts in a
    notebook): ``seaborn.set_theme`` with the house style, context, palette and rc params."""
    sns.set_theme(context=CONTEXT, style=STYLE, palette=PALETTE, color_codes=False, rc=rc(lang))
