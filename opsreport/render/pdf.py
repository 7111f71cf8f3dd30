"""Report HTML -> A4 PDF with WeasyPrint, Chinese glyphs embedded.

WeasyPrint finds fonts through fontconfig. Without a CJK font it silently draws empty boxes
for every Chinese character, so a zh report first checks that fontconfig knows one (asked once,
in :func:`opsreport.viz.fonts.fontconfig_cjk`, shared with the charts) and stops with setup
instructions otherwise. The page never fetches anything: only ``data:`` URLs load. Charts are
SVG images with their text as paths: WeasyPrint draws them as vector graphics, sharp at any
zoom, and no chart depends on a font being installed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from opsreport.errors import RenderError

__all__ = ["cjk_font_families", "html_to_pdf"]

# CJK ideographs, CJK punctuation, full-width forms.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

_SETUP_HINT = (
    "Run the README's setup command (`make demo`, which installs Debian's fonts-noto-cjk), "
    "or install a CJK font yourself, e.g. `sudo apt-get install fonts-noto-cjk fontconfig`."
)


def cjk_font_families() -> tuple[str, ...]:
    """Families fontconfig offers for Chinese, sorted (see :func:`opsreport.viz.fonts.cjk_font_families`)."""
    from opsreport.viz.fonts import cjk_font_families as families  # the one fontconfig query

    return families()


def html_to_pdf(html: str, path: Path, *, lang: str) -> None:
    """Write ``html`` (a page from :func:`opsreport.render.html.notebook_to_html`) as a PDF.

    Parameters
    ----------
    html : str
        The self-contained report page; its print CSS sets A4, margins and page numbers.
    path : Path
        The PDF to write.
    lang : str
        ``"zh"`` (or any Chinese text in the page, e.g. product names in an English report)
        requires a CJK font known to fontconfig.

    Raises
    ------
    RenderError
        No CJK font for a zh report, or WeasyPrint failed.
    """
    needs_cjk = lang.lower().startswith("zh") or _CJK.search(html) is not None
    if needs_cjk and not cjk_font_families():
        raise RenderError(
            "Cannot render a PDF with Chinese text: fontconfig lists no font for Chinese "
            "(`fc-list :lang=zh family` is empty), so every Chinese character would print "
            f"as an empty box. {_SETUP_HINT}"
        )
    from weasyprint import HTML  # slow import (~0.5 s); only when a PDF is wanted

    try:
        document = HTML(string=html, base_url=None, url_fetcher=_offline_fetcher())
        with _quiet_weasyprint():
            # Charts are SVG (vector) and any PNG is already compressed: re-optimising images
            # costs time for no visible gain; fonts are subset (only used glyphs embedded).
            document.write_pdf(Path(path), optimize_images=False, presentational_hints=True)
    except OSError as exc:
        raise RenderError(f"Cannot write the PDF {path}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many types; report, don't crash
        raise RenderError(f"WeasyPrint could not render the PDF: {type(exc).__name__}: {exc}") from exc


def _offline_fetcher():
    """A URL fetcher that loads ``data:`` URLs only: rendering never touches a network."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint >= 68
    except ImportError:  # pragma: no cover - older WeasyPrint: a plain function
        from weasyprint import default_url_fetcher

        def fetch(url, *args, **kwargs):
            if not url.startswith("data:"):
                raise ValueError(f"opsreport renders offline; not fetching {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"})


class _quiet_weasyprint:
    """Silence WeasyPrint's warnings about CSS it ignores (e.g. screen-only properties)."""

    def __enter__(self):
        self._logger = logging.getLogger("weasyprint")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)

    def __exit__(self, *exc_info):
        self._logger.setLevel(self._level)
