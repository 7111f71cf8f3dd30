"""Executed notebook -> one self-contained HTML page for reading (no code, no scripts).

The notebook is first reduced to what a reader sees (:func:`prepare`): code sources, cells
tagged ``nav`` (analyst navigation), stderr, errors, bare object reprs and scripts are dropped,
and each output keeps a single representation (SVG before PNG: vector charts stay sharp in
print). The template ``templates/report.html.j2`` then lays out a title block and the cells,
with ``templates/report.css`` inlined. Images are ``data:`` URIs; a Content-Security-Policy
forbids the browser any request.

Text of HTML outputs is polished for print: table columns are marked numeric or text, a
short Chinese label cell ("日均访客数", "推广ROI低于目标") is marked ``nowrap`` and the short
parts of a name ("潮汐通勤风衣 驼色") are kept whole, so a narrow column never breaks a label inside
a word, a negative number's "-" becomes the report's one minus sign "−" (U+2212), and a signed number
with its unit ("−¥1,234", "+1.23 pp") is wrapped in ``<span class="nb">`` so a line never
ends between the sign and the number.
"""

from __future__ import annotations

import base64
import copy
import re
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, NavigableString
from nbconvert import HTMLExporter

from opsreport.errors import RenderError
from opsreport.viz.catalogue import catalogue
from opsreport.viz.text import display_width

__all__ = ["TEMPLATES", "html_page", "notebook_to_html", "prepare"]

TEMPLATES = Path(__file__).parent / "templates"

#: Cells with one of these tags do not appear in the report.
DROP_CELL_TAGS = frozenset({"nav", "remove-cell", "remove_cell"})
#: Code cells with one of these tags show no output.
DROP_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

# One representation per output, best first for a static page (vector before raster).
_PRIORITY = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain")
# Reprs that are noise on a report page: <Figure size 640x480 with 1 Axes>, [<...Line2D at 0x..>],
# Text(0.5, 1.0, 'title').
_NOISE = re.compile(r"^\s*(\[?\s*<[^\n]*>\s*\]?|Text\(.*\))\s*$", re.S)
# Active or fetching elements never belong in a static report.
_UNSAFE_TAGS = ("script", "iframe", "object", "embed", "link", "base", "meta", "applet", "frame")
_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s")
_ENDS_WITH_HEADING = re.compile(r"</h[1-6]>\s*$", re.I)

_LANG_TAGS: dict[str, str] = dict(catalogue()["html_lang"])
# viz repeats its JupyterLab fallback CSS in every table; the report template already styles
# those classes, and dozens of copies cost WeasyPrint seconds of style matching.
_FALLBACK_STYLE = re.compile(r"<style>\s*@layer opsreport-defaults\b.*?</style>", re.S)
_ALT: dict[str, str] = dict(catalogue()["image_alt"])


def notebook_to_html(
    nb: nbformat.NotebookNode,
    *,
    title: str,
    subtitle: str,
    meta: list[tuple[str, str]],
    lang: str,
) -> str:
    """Render an executed notebook as a self-contained report page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified).
    title, subtitle : str
        Title block; the title also heads every printed page after the first.
    meta : list of (label, value)
        Rows of the title block, e.g. ``[("店铺", "0071 · 天猫"), ("周期", "2026-W47")]``.
    lang : str
        ``"zh"`` or ``"en"`` (any BCP 47 tag is accepted); sets ``<html lang>``.

    Returns
    -------
    str
        The HTML document.
    """
    prepared = prepare(nb, lang=lang)
    exporter = HTMLExporter(
        extra_template_paths=[str(TEMPLATES)],
        template_file="report.html.j2",
        exclude_anchor_links=True,
    )
    resources = {
        "opsreport": {
            "title": title,
            "subtitle": subtitle,
            "meta": [(str(label), str(value)) for label, value in meta],
            "lang_tag": _LANG_TAGS.get(lang, lang),
        }
    }
    try:
        body, _ = exporter.from_notebook_node(prepared, resources=resources)
    except Exception as exc:  # template or markdown errors: report, don't crash
        raise RenderError(f"Could not export the notebook to HTML: {type(exc).__name__}: {exc}") from exc
    return body


def html_page(body: str, *, title: str, subtitle: str, meta: list[tuple[str, str]], lang: str) -> str:
    """A page of the report template around ``body`` (HTML), for documents that are not a notebook
    of their own, such as an appraisal's personal scorecards: same title block, CSS and polish."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": body})]
    nb.cells = [cell]
    return notebook_to_html(nb, title=title, subtitle=subtitle, meta=meta, lang=lang)


def prepare(nb: nbformat.NotebookNode, *, lang: str = "en") -> nbformat.NotebookNode:
    """Return a copy of ``nb`` holding only what the report shows."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & DROP_CELL_TAGS or cell.cell_type not in ("markdown", "code"):
            continue
        if cell.cell_type == "markdown":
            lines = [line for line in cell.source.splitlines() if line.strip()]
            if not lines:
                continue
            if _HEADING_LINE.match(lines[-1]):
                cell.metadata["opsreport_keep_with_next"] = True
            cells.append(cell)
            continue
        cell.source = ""  # the code itself never reaches the page
        outputs = [] if tags & DROP_OUTPUT_TAGS else [_output(o, lang) for o in cell.outputs]
        cell.outputs = [o for o in outputs if o is not None]
        if cell.outputs:
            last = cell.outputs[-1]
            if _ENDS_WITH_HEADING.search(last.get("data", {}).get("text/html", "")):
                cell.metadata["opsreport_keep_with_next"] = True  # e.g. viz.tables.heading()
            cells.append(cell)
    out.cells = cells
    return out


def _output(output: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode | None:
    kind = output.output_type
    if kind == "stream":
        return output if output.name == "stdout" and output.text.strip() else None
    if kind not in ("display_data", "execute_result"):
        return None  # errors (cells allowed to raise) and anything unknown
    data = output.get("data", {})
    mime = next((m for m in _PRIORITY if m in data), None)
    if mime is None:
        return None
    value = data[mime]
    if isinstance(value, list):  # nbformat may keep multi-line strings as lists
        value = "".join(value)
    if mime == "text/plain" and (not value.strip() or _NOISE.match(value)):
        return None
    if mime == "text/html":
        value = _polish(_sanitise(_FALLBACK_STYLE.sub("", value)))
        if not value.strip():
            return None  # an empty block would still claim a place, even a blank last page
    elif mime == "image/svg+xml":
        value = base64.b64encode(value.encode("utf-8")).decode("ascii")
    elif mime.startswith("image/"):
        value = "".join(value.split())
    metadata = dict(output.get("metadata", {}))
    if mime.startswith("image/"):
        plain = data.get("text/plain", "")
        plain = "".join(plain) if isinstance(plain, list) else plain
        metadata["opsreport_alt"] = plain if plain and not _NOISE.match(plain) else _ALT.get(lang, "Chart")
    return nbformat.from_dict(
        {"output_type": "display_data", "data": {mime: value}, "metadata": metadata}
    )


def _sanitise(html: str) -> str:
    """Remove elements that run code or fetch from a host (e.g. a plotting library's CDN)."""
    if not re.search(r"<\s*(%s)\b" % "|".join(_UNSAFE_TAGS), html, re.I):
        return html
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(list(_UNSAFE_TAGS)):
        element.decompose()
    return str(soup)


# A "-" that is a number's sign: before a digit or currency symbol, not inside a word, date
# ("2026-11-18") or code ("SKU-3"), and not after another dash or a slash.
_HYPHEN_MINUS = re.compile(r"(?<![\w.,/\-\u2212\u2013\u2014])-(?=[¥$€£]?\d)")
# A signed number with its unit, or a number and its spaced unit: kept on one line.
_NUM = r"[¥$€£]?\d[\d,]*(?:\.\d+)?"
# Units written after a number in Chinese (as regex escapes): 万 亿 千 秒 天 元 件 人.
_CJK_UNITS = r"[\u4e07\u4ebf\u5343\u79d2\u5929\u5143\u4ef6\u4eba]"
_UNBREAKABLE = re.compile(
    rf"(?<![\w.,])(?:[+\u2212±]\s?{_NUM}(?:\s?(?:pp|%|{_CJK_UNITS}|K|M|B|s)(?![A-Za-z]))?"
    rf"|{_NUM}\s(?:pp|s)(?![A-Za-z]))"
)
_DATA_URI = re.compile(r"data:[^\"'\s>]+")
# Where text is left exactly as written.
_VERBATIM = frozenset({"pre", "code", "script", "style", "textarea"})


def _polish(html: str) -> str:
    """Align table columns, use "−" for negative numbers and keep signed numbers whole."""
    has_table = "<table" in html
    visible = _DATA_URI.sub("", html)  # base64 holds "+3" and the like: not text
    has_numbers = bool(_HYPHEN_MINUS.search(visible) or _UNBREAKABLE.search(visible))
    if not (has_table or has_numbers):
        return html
    soup = BeautifulSoup(html, "html.parser")
    if has_table:
        _mark_columns(soup)
    if has_numbers:
        _keep_numbers_whole(soup)
    return str(soup)


def _keep_numbers_whole(soup: BeautifulSoup) -> None:
    """In every text node (not in pre/code, not in attributes): "-" signs become "−", and
    signed numbers outside nowrap cells are wrapped in ``<span class="nb">``."""
    for node in list(soup.find_all(string=True)):
        if not isinstance(node, NavigableString) or type(node) is not NavigableString:
            continue  # comments, CDATA, doctype
        parents = {p.name for p in node.parents}
        if parents & _VERBATIM:
            continue
        text = _HYPHEN_MINUS.sub("\u2212", str(node))
        in_nowrap = any(
            {"num", "nb"} & set(p.get("class") or []) for p in node.parents if p.name in ("td", "th", "span", "div")
        )
        if in_nowrap or not _UNBREAKABLE.search(text):
            if text != str(node):
                node.replace_with(NavigableString(text))
            continue
        pieces, last = [], 0
        for match in _UNBREAKABLE.finditer(text):
            pieces.append(NavigableString(text[last:match.start()]))
            span = soup.new_tag("span", attrs={"class": "nb"})
            span.string = match.group(0)
            pieces.append(span)
            last = match.end()
        pieces.append(NavigableString(text[last:]))
        first = pieces[0]
        node.replace_with(first)
        for piece in pieces[1:]:
            first.insert_after(piece)
            first = piece


# A number as tables print it: 1,234.5  -3.2%  +1.2pp  ¥12.3万  1.2e+06  (0.5)  —
_NUMERIC = re.compile(
    r"^\(?[-+\u2212]?[¥$€£]?\s?[-+\u2212]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][-+]?\d+)?"
    rf"\s?(%|pp|pct|x|×|{_CJK_UNITS}|k|K|M|s|d)?\)?$|^[-\u2212\u2014\u2013]$|^n/?a$|^nan$",
    re.I,
)


def _align_tables(html: str) -> str:
    """Mark each table column ``num`` or ``text`` so numbers align right and labels left.

    Cells that already carry ``num`` or ``text`` (the tables layer) are left alone; a column
    is numeric when every non-empty body cell in it looks like a number.
    """
    soup = BeautifulSoup(html, "html.parser")
    _mark_columns(soup)
    return str(soup)


# CJK ideographs and full-width forms: a line may break between any two of them.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Chinese labels up to this display width (8 characters) stay on one line in a table cell.
SHORT_LABEL = 16


#: Labels up to this display width (a product name: "潮汐2026冬季羊毛双面呢大衣 驼色") break at
#: their spaces: each short Chinese part of them is kept whole.
NAME_LABEL = 40


def _short_cjk_label(text: str) -> bool:
    """A table label that a narrow column would break inside the word ("净支付金/额")."""
    return bool(text) and display_width(text) <= SHORT_LABEL and _CJK.search(text) is not None


def _keep_name_parts(soup: BeautifulSoup, cell) -> None:
    """A name of a few space-separated parts ("潮汐通勤双排扣风衣 藏青") wraps at a space, not
    inside a short part: "驼色" never splits into "驼/色". Plain-text cells only."""
    text = cell.get_text()
    if (len(cell.contents) != 1 or type(cell.contents[0]) is not NavigableString
            or " " not in text.strip() or display_width(text) > NAME_LABEL):
        return
    parts = re.split(r"( +)", text)
    if not any(_short_cjk_label(part) for part in parts):
        return
    cell.clear()
    for part in parts:
        if _short_cjk_label(part):
            span = soup.new_tag("span", attrs={"class": "nb"})
            span.string = part
            cell.append(span)
        elif part:
            cell.append(NavigableString(part))


def _mark_columns(soup: BeautifulSoup) -> None:
    for table in soup.find_all("table"):
        by_column = table.find(attrs={"rowspan": True}) is None  # else cell by cell
        body_rows = [tr for tr in table.find_all("tr") if tr.find_parent("thead") is None]
        numeric: dict[int, bool] = {}
        for tr in body_rows:
            col = 0
            for cell in tr.find_all(["td", "th"], recursive=False):
                text = cell.get_text(" ", strip=True)
                if cell.name == "td" and text:
                    numeric[col] = numeric.get(col, True) and bool(_NUMERIC.match(text))
                col += int(cell.get("colspan", 1) or 1)
        for tr in body_rows:
            col = 0
            for cell in tr.find_all(["td", "th"], recursive=False):
                classes = cell.get("class") or []
                if cell.name == "td" and not {"num", "text"} & set(classes):
                    if by_column:
                        is_number = numeric.get(col, True)
                    else:
                        is_number = bool(_NUMERIC.match(cell.get_text(" ", strip=True)))
                    cell["class"] = classes = [*classes, "num" if is_number else "text"]
                if "num" not in classes and "nowrap" not in classes:
                    if _short_cjk_label(cell.get_text(" ", strip=True)):
                        cell["class"] = [*classes, "nowrap"]
                    else:
                        _keep_name_parts(soup, cell)
                col += int(cell.get("colspan", 1) or 1)
        thead = table.find("thead")
        header_rows = thead.find_all("tr") if thead else []
        if by_column and header_rows:
            col = 0
            for cell in header_rows[-1].find_all(["td", "th"], recursive=False):
                span = int(cell.get("colspan", 1) or 1)
                classes = cell.get("class") or []
                if span == 1 and col in numeric and not {"num", "text"} & set(classes):
                    cell["class"] = [*classes, "num" if numeric[col] else "text"]
                col += span
