"""Text measured the way it is displayed: East-Asian characters take two columns.

One helper for every place that lines text up or fits it into a width: chart labels
(``charts``), Excel column widths (``render.excel``) and the terminal listing of import
mappings (``importing.mappings``). Nothing here imports matplotlib or pandas.

Breaking and shortening never cut inside a Latin word or a number ("400ml", "SPF50+",
"Polo"): a line ends at a space or a separator (`` / - · | ,`` and CJK punctuation) when one
is close enough, otherwise between two CJK characters.

Examples
--------
>>> display_width("GMV 支付金额")
12
>>> shorten("悦颜海岸海洋调男士香水 小样套装", 24)
'悦颜海岸海洋调男士香水…'
>>> wrap("悦颜海岸海洋调男士香水 小样套装", 24)
['悦颜海岸海洋调男士香水', '小样套装']
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ELLIPSIS", "char_width", "display_width", "pad", "shorten", "wrap"]

ELLIPSIS = "…"

#: Characters after which a line may end (kept at the end of the first line).
_BREAK_AFTER = set("/-–—·|,;:，、；：。）)」』】》")
#: Characters a line must not start with (CJK closing punctuation).
_NO_LINE_START = set("，、；：。！？）」』】》,.;:!?)%")
#: Runs that are never split: Latin words, numbers with their units and signs.
_TOKEN = re.compile(r"[0-9A-Za-z\u00C0-\u024F](?:[0-9A-Za-z\u00C0-\u024F.#+%'&_×]|-(?=[0-9A-Za-z]))*|\s+|.", re.S)


def char_width(ch: str) -> int:
    """Columns one character takes: 2 for wide and full-width (CJK) characters, 0 for
    combining marks, 1 otherwise."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal, an Excel cell or a chart label (CJK count 2)."""
    return sum(char_width(ch) for ch in str(text))


def pad(text: str, width: int, *, min_gap: int = 1) -> str:
    """Left-align ``text`` in ``width`` columns (at least ``min_gap`` spaces after it)."""
    text = str(text)
    return text + " " * max(width - display_width(text), min_gap)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_cjk(token: str) -> bool:
    return len(token) == 1 and char_width(token) == 2


def _split(text: str, width: int) -> tuple[str, str]:
    """The longest head of ``text`` within ``width`` columns that ends at a sensible boundary,
    and the rest. Preferred, in order: the last space that keeps 40% of the width, the last
    separator ("-", "/", "·", CJK punctuation) that keeps 60%, the last break between CJK
    characters, any of these; a word longer than the width is cut as a last resort."""
    tokens = _tokens(text)
    used = 0
    space = separator = cjk = None  # (index after which to break, width of the head)
    for i, token in enumerate(tokens):
        used += display_width(token)
        if used > width and not token.isspace():
            break
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt and nxt in _NO_LINE_START:
            continue
        head = used - (display_width(token) if token.isspace() else 0)
        if token.isspace() or nxt.isspace():
            space = (i + 1, head)
        elif token[-1] in _BREAK_AFTER:
            separator = (i + 1, head)
        elif _is_cjk(token) or _is_cjk(nxt):
            cjk = (i + 1, head)
    else:
        return text, ""
    for candidate, share in ((space, 0.4), (separator, 0.6), (cjk, 0.0), (space, 0.0), (separator, 0.0)):
        if candidate is not None and candidate[1] >= share * width:
            cut = candidate[0]
            return "".join(tokens[:cut]).rstrip(), "".join(tokens[cut:]).lstrip()
    head = ""  # one word longer than the width
    for ch in text:
        if display_width(head + ch) > width:
            break
        head += ch
    head = head or text[0]
    return head, text[len(head):].lstrip()


def wrap(text: str, width: int, max_lines: int | None = None) -> list[str]:
    """Lines of at most ``width`` columns, broken at spaces, separators or between CJK
    characters, never inside a Latin word or number. With ``max_lines``, the last line is
    shortened with "…" when the text does not fit."""
    text = " ".join(str(text).split())
    if width <= 0:
        raise ValueError(f"wrap: width must be positive, got {width}")
    lines: list[str] = []
    rest = text
    while rest:
        if max_lines is not None and len(lines) == max_lines - 1:
            lines.append(shorten(rest, width))
            break
        head, rest = _split(rest, width)
        lines.append(head)
    return lines or [""]


def shorten(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` columns, else its head at a sensible boundary + "…"."""
    text = " ".join(str(text).split())
    if display_width(text) <= width:
        return text
    head, _ = _split(text, max(width - display_width(ELLIPSIS), 1))
    head = head.rstrip("".join(_BREAK_AFTER) + " ")
    return (head or text[:1]) + ELLIPSIS
