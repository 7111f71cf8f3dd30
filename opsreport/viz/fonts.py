"""Find a font that covers Chinese and hand matplotlib the rc params that make it used.

matplotlib only draws a glyph its chosen font has; a Chinese title in the default DejaVu Sans
becomes a row of empty boxes (and a "Glyph ... missing from font" warning). This module looks
for a CJK-capable font in three places, in order:

1. matplotlib's font manager (its cached list of system fonts);
2. fontconfig (``fc-list :lang=zh``, asked once by ``fontconfig_cjk``, which the PDF renderer
   shares), which knows fonts installed after matplotlib built its cache, e.g. Debian
   ``fonts-noto-cjk`` installed by the README's setup;
3. the usual font folders, by file name (Noto CJK, Source Han, WenQuanYi ...).

Files found in 2 or 3 are registered with ``fontManager.addfont``; Noto CJK ships as a .ttc
collection, whose faces matplotlib >= 3.10 registers one by one (older versions register the
first face, "Noto Sans CJK JP", which covers the same Chinese characters).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from matplotlib import font_manager, ft2font

from opsreport.errors import RenderError

#: Family names tried first, best first (simplified-Chinese faces before the other CJK ones).
PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans JP",
)

#: Characters a usable font must have (common report words: GMV, visitors, conversion, week).
SAMPLE = "支付金额访客数转化率本周上周环比万亿元"

_FILE_PATTERNS = ("*CJK*", "*SourceHan*", "*SourceHanSans*", "*NotoSansSC*", "wqy*", "*msyh*", "*PingFang*", "*simhei*")
_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
_FONT_SUFFIXES = {".ttf", ".otf", ".ttc"}

SETUP_HINT = (
    "No font that can draw Chinese was found, so Chinese chart labels would show as empty boxes. "
    "Run the setup command from the README (it installs the Debian package fonts-noto-cjk; by hand: "
    "`sudo apt-get install fonts-noto-cjk`) or install any CJK font (Noto Sans CJK SC, Source Han "
    "Sans, WenQuanYi), then restart the kernel; or render the report with lang=en."
)


@functools.cache
def _covers(path: str) -> bool:
    """True when the font file at ``path`` has a glyph for every character of ``SAMPLE``."""
    try:
        charmap = ft2font.FT2Font(path).get_charmap()
    except Exception:  # unreadable or unsupported file: not a candidate
        return False
    return all(ord(ch) in charmap for ch in SAMPLE)


def _pick() -> str | None:
    """The best family matplotlib knows that covers Chinese, or None."""
    files: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        if Path(entry.fname).suffix.lower() in _FONT_SUFFIXES:
            files.setdefault(entry.name, entry.fname)
    for name in PREFERRED:
        if name in files and _covers(files[name]):
            return name
    # Any other family that covers Chinese; proportional sans faces before mono and serif ones.
    # (Opens every font file once; only reached when none of the preferred families exists.)
    def rank(name: str) -> tuple:
        return ("Mono" in name, any(s in name for s in ("Serif", "Ming", "Song")), name)

    for name in sorted(files, key=rank):
        if _covers(files[name]):
            return name
    return None


@functools.cache
def fontconfig_cjk() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What fontconfig offers for Chinese: ``(file, family names)`` pairs, sorted by file.

    The one place opsreport asks fontconfig (``fc-list :lang=zh``): matplotlib registers the
    files (``find_cjk_font``), and the PDF renderer, whose WeasyPrint finds fonts through
    fontconfig, checks the families (``cjk_font_families``). Empty when fc-list is missing or
    fails. Cached for the session (``fontconfig_cjk.cache_clear()`` after installing a font).
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        out = subprocess.run(
            [fc_list, "--format", "%{file}\t%{family}\n", ":lang=zh"],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts: dict[str, set[str]] = {}
    for line in out.splitlines():
        path, _, families = line.partition("\t")
        if path.strip():
            names = fonts.setdefault(path.strip(), set())
            names.update(name.strip() for name in families.split(",") if name.strip())
    return tuple((path, tuple(sorted(names))) for path, names in sorted(fonts.items()))


def cjk_font_families() -> tuple[str, ...]:
    """Family names fontconfig offers for Chinese (what WeasyPrint can use), sorted."""
    return tuple(sorted({name for _, names in fontconfig_cjk() for name in names}))


def _fontconfig_files() -> list[str]:
    return [path for path, _ in fontconfig_cjk()]


def _folder_files() -> list[str]:
    files: set[str] = set()
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for pattern in _FILE_PATTERNS:
            files.update(str(p) for p in root.rglob(pattern) if p.suffix.lower() in _FONT_SUFFIXES)
    return sorted(files)


def _register(files: list[str]) -> None:
    registered = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in files:
        if path not in registered and Path(path).suffix.lower() in _FONT_SUFFIXES and _covers(path):
            try:
                font_manager.fontManager.addfont(path)
            except Exception:  # a broken font file must not break the report
                continue


@functools.cache
def find_cjk_font() -> str | None:
    """Family name of an installed font that covers Chinese, registered with matplotlib; or None.

    The result is cached for the session; call ``find_cjk_font.cache_clear()`` after installing
    a font.
    """
    for source in (lambda: [], _fontconfig_files, _folder_files):
        _register(source())
        name = _pick()
        if name is not None:
            return name
    return None


def font_file(family: str) -> str:
    """The file matplotlib will read for ``family`` (for checks and PDF embedding)."""
    return font_manager.findfont(font_manager.FontProperties(family=[family]), fallback_to_default=False)


def font_rc(lang: str) -> dict:
    """rc params that put a CJK-capable font first in ``font.sans-serif``.

    Parameters
    ----------
    lang : {"zh", "en"}
        With "zh" a missing CJK font is an error (Chinese would render as boxes); with "en" the
        default sans-serif fonts are kept silently.

    Raises
    ------
    RenderError
        ``lang == "zh"`` and no font on this machine covers Chinese.
    """
    family = find_cjk_font()
    if family is None:
        if lang == "zh":
            raise RenderError(SETUP_HINT)
        return {"font.family": "sans-serif", "axes.unicode_minus": True}
    # The CJK family first also for English reports: shop, product and campaign names are
    # often Chinese in either language. DejaVu Sans stays as a fallback for other glyphs
    # (matplotlib falls back glyph by glyph). Tick labels use U+2212 for negatives like every
    # other number of the report (``opsreport.viz.numbers.MINUS``).
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans", "Liberation Sans", "Arial"],
        "axes.unicode_minus": True,
    }
