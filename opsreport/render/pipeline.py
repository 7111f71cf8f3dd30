"""render(): notebook -> executed notebook -> HTML -> PDF -> run.json -> published folder.

A thin orchestrator over the modules of this package, in order; each stage is timed for the
manifest. Any failure raises (RenderError, or the OpsReportError that caused it) and publishes
nothing: the staging folder is removed and no report folder appears.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from opsreport.errors import OpsReportError, RenderError

from . import publish
from .execute import execute_notebook
from .html import notebook_to_html
from .job import RenderJob
from .kernels import WarmKernel
from .manifest import MANIFEST_NAME, build_manifest, list_files, write_manifest
from .pdf import html_to_pdf

__all__ = ["FORMATS", "RenderJob", "render"]

FORMATS = frozenset({"html", "pdf", "xlsx"})
NOTEBOOK_NAME = "report.ipynb"
HTML_NAME = "report.html"
PDF_NAME = "report.pdf"
XLSX_NAME = "tables.xlsx"
#: The notebook parameter through which the pipeline asks for the Excel workbook.
EXCEL_PARAMETER = "excel_path"
#: The notebook parameter naming the folder being written, for a family that writes more files
#: than the report (the appraisal's personal scorecards); passed only to notebooks that take it.
OUTPUT_PARAMETER = "output_dir"
PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE = 0o600, 0o700


def render(job: RenderJob, kernel: WarmKernel | None = None, *, index: bool = True) -> Path:
    """Render ``job`` and publish it to ``<out_root>/<report>/<key>/<period>/``.

    ``report.ipynb`` and ``run.json`` are always written; ``job.formats`` is a subset of
    ``{"html", "pdf", "xlsx"}``. For ``xlsx`` the notebook receives ``excel_path`` and must write
    the workbook there (with :func:`opsreport.render.excel.write_workbook`). Returns the
    published report folder. ``kernel``: a batch's warm kernel to run the notebook in (reset
    before, replaced after a failure); by default the notebook gets a kernel of its own.
    ``index=False`` leaves ``outputs/index.html`` to the caller (a batch writes it once at the end).
    """
    report, notebook, parameters = job.report, job.notebook, job.parameters
    key, period, lang = job.key, job.period, job.lang
    title, subtitle, meta = job.title, job.subtitle, list(job.meta)
    fingerprint = job.fingerprint
    out_root = job.out_root
    formats = set(job.formats)
    unknown = formats - FORMATS
    if unknown:
        raise RenderError(
            f"Unknown output format(s) {sorted(unknown)}: choose from {', '.join(sorted(FORMATS))}."
        )
    out_root = Path(out_root).resolve()  # the kernel runs elsewhere: excel_path must be absolute
    publish.report_dir(out_root, report, key, period)  # reject bad folder names before any work
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        with publish.staging(out_root) as stage:
            values = dict(parameters)
            if "xlsx" in formats:
                values[EXCEL_PARAMETER] = str(stage / XLSX_NAME)
            if OUTPUT_PARAMETER in values:
                values[OUTPUT_PARAMETER] = str(stage)
            with _timed(timings, "execute"):
                km = kernel.ready_for(parameters.get("warehouse"), fingerprint.get("content")) if kernel else None
                try:
                    nb = execute_notebook(Path(notebook), values, stage / NOTEBOOK_NAME, km=km)
                except BaseException:
                    if kernel:
                        kernel.discard()
                    raise
            if "xlsx" in formats and not (stage / XLSX_NAME).is_file():
                raise RenderError(
                    f"The notebook {Path(notebook).name} ran but wrote no Excel workbook: it must "
                    f"take the parameter `{EXCEL_PARAMETER}` and, when it is set, call "
                    "opsreport.render.excel.write_workbook(..., Path(excel_path))."
                )
            if formats & {"html", "pdf"}:
                with _timed(timings, "html"):
                    page = notebook_to_html(nb, title=title, subtitle=subtitle, meta=meta, lang=lang)
                if "html" in formats:
                    (stage / HTML_NAME).write_text(page, encoding="utf-8")
            if "pdf" in formats:
                with _timed(timings, "pdf"):
                    html_to_pdf(page, stage / PDF_NAME, lang=lang)
            timings["total"] = time.perf_counter() - started
            manifest = build_manifest(
                report,
                parameters,
                fingerprint=fingerprint,
                timings=timings,
                files=list_files(stage),
                title=title,
                key=key,
                period=period,
                lang=lang,
                formats=sorted(formats),
                notebook=Path(notebook).name,
                private=job.private,
                headlines=headlines_of(nb),
            )
            write_manifest(manifest, stage / MANIFEST_NAME)
            if job.private:
                _owner_only(stage)
            _point_at_final_folder(stage / NOTEBOOK_NAME, stage, publish.report_dir(out_root, report, key, period))
            final = publish.publish(stage, out_root, report=report, key=key, period=period, private=job.private)
        if index:
            publish.write_index(out_root)
    except OpsReportError:
        raise
    except Exception as exc:  # disk full, permissions...: still one clear error
        raise RenderError(f"Rendering {report} for {key} {period} failed: {type(exc).__name__}: {exc}") from exc
    return final


def _point_at_final_folder(notebook: Path, stage: Path, final: Path) -> None:
    """The executed notebook names files in the staging folder (excel_path in papermill's
    injected cell and metadata); make it name where they will be, so a re-run writes there."""
    if notebook.is_file():
        text = notebook.read_text(encoding="utf-8")
        # paths appear JSON-escaped inside the notebook; a plain folder path needs no escaping
        notebook.write_text(text.replace(str(stage), str(final)), encoding="utf-8")


def _owner_only(folder: Path) -> None:
    """Every file of ``folder`` readable and writable by its owner only, every folder enterable by
    its owner only (personal outputs: see README, "Sharing appraisals")."""
    for path in folder.rglob("*"):
        os.chmod(path, PRIVATE_FOLDER_MODE if path.is_dir() else PRIVATE_FILE_MODE)


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = time.perf_counter() - start


def headlines_of(nb) -> list[str]:
    """The sentences of the report's headline box (``callout(..., headlines=True)``), as plain
    text, for run.json; empty when the notebook shows none."""
    from bs4 import BeautifulSoup

    from opsreport.viz.tables import HEADLINES_ATTRIBUTE

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            page = (output.get("data") or {}).get("text/html")
            if not page:
                continue
            page = "".join(page) if isinstance(page, list) else page
            if HEADLINES_ATTRIBUTE not in page:
                continue
            box = BeautifulSoup(page, "html.parser").find(attrs={HEADLINES_ATTRIBUTE: True})
            if box is not None:
                return [" ".join(li.get_text().split()) for li in box.find_all("li")]
    return []
