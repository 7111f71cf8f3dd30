"""Execute a report notebook with papermill, on the interpreter that runs opsreport.

The kernel is never looked up among the machine's kernelspecs: a kernel manager whose
kernelspec is built in memory launches ``sys.executable -m ipykernel_launcher``, so a notebook
always runs against the same environment (and the same opsreport) as the caller, whatever
"python3" kernel happens to be installed. No kernelspec is installed anywhere.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import papermill
import zmq
from jupyter_client import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from papermill.exceptions import PapermillExecutionError
from papermill.execute import remove_error_markers
from traitlets import default

from opsreport import errors
from opsreport.errors import OpsReportError, RenderError

__all__ = ["KERNEL_NAME", "execute_notebook"]

#: Name of the in-memory kernelspec; it exists only inside this process.
KERNEL_NAME = "opsreport-python"

_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _kernel_spec() -> KernelSpec:
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name=f"opsreport (Python {sys.version_info.major}.{sys.version_info.minor})",
        language="python",
        # Inline figures even if the caller's environment sets MPLBACKEND (e.g. Agg in CI);
        # silence debugpy's frozen-modules warning on stderr.
        env={"MPLBACKEND": _INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        resource_dir="",
        metadata={"supported_encryption": ["curve"]},
    )


class _InterpreterKernelSpecManager(KernelSpecManager):
    """Answers :data:`KERNEL_NAME` with the in-memory spec; any other name as usual."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == KERNEL_NAME:
            return _kernel_spec()
        return super().get_kernel_spec(kernel_name)


class InterpreterKernelManager(AsyncKernelManager):
    """Kernel manager that launches an IPython kernel on ``sys.executable``."""

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return _InterpreterKernelSpecManager(data_dir=self.data_dir)

    @default("transport_encryption")
    def _transport_encryption_default(self) -> str:
        # CurveZMQ keys when pyzmq supports them: no "running over TCP without encryption"
        # warning on every run. (IPC transport would put socket files in the notebook's cwd.)
        return "auto" if zmq.has("curve") else "disabled"

    @property
    def ipykernel(self) -> bool:  # lets nbclient keep IPython history in memory
        return True


def execute_notebook(
    notebook: Path,
    parameters: dict[str, Any],
    output: Path,
    *,
    cwd: Path | None = None,
    timeout: int = 900,
    km: InterpreterKernelManager | None = None,
) -> nbformat.NotebookNode:
    """Run ``notebook`` with ``parameters`` and write the executed notebook to ``output``.

    Parameters
    ----------
    notebook : Path
        The source notebook; its cell tagged ``parameters`` holds the defaults.
    parameters : dict
        Already-validated values (str, int, float, bool, None, and lists/dicts of those;
        ``Path`` is passed as ``str``). They are injected as Python literals, so a string
        such as ``"0071"`` arrives as the string ``"0071"``.
    output : Path
        Where the executed notebook is written (also on failure).
    cwd : Path, optional
        Working directory of the kernel; defaults to the notebook's folder, as in JupyterLab.
    timeout : int
        Seconds any single cell may run before the execution is abandoned.
    km : InterpreterKernelManager, optional
        A kernel already running (a batch's warm kernel, ``render.kernels``), used and left
        running; by default a new kernel is started for this notebook and stopped after it.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    RenderError
        The notebook could not be read, the kernel did not start, a cell timed out or raised.
        An exception whose type is one of :mod:`opsreport.errors` (e.g. ``DataNotFoundError``
        raised by an analysis) is re-raised as that type, so the CLI's exit code matches.
    """
    # Absolute paths: papermill saves the output after each cell from inside ``cwd``.
    notebook, output = Path(notebook).absolute(), Path(output).absolute()
    cwd = Path(cwd).absolute() if cwd is not None else notebook.parent
    values = {name: _literal(name, value) for name, value in parameters.items()}
    try:
        nbformat.read(notebook, as_version=4)
    except (OSError, ValueError) as exc:  # missing file, invalid JSON / notebook format
        raise RenderError(f"Cannot read the notebook {notebook}: {exc}") from exc

    try:
        return papermill.execute_notebook(
            # Paths, not a NotebookNode: papermill records input_path in the output's metadata
            # (a node would be copied there whole). It str.format()s both paths with the
            # parameters, so braces are escaped.
            _escape(notebook),
            _escape(output),
            parameters=values,
            kernel_name=KERNEL_NAME,
            language="python",
            cwd=str(cwd),
            progress_bar=False,
            start_timeout=120,
            execution_timeout=timeout,
            kernel_manager_class=InterpreterKernelManager,
            km=km,
            # Every output is in once the last cell is idle; a graceful shutdown only adds
            # seconds (the kernel waits on its own atexit work), so stop it at once.
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as exc:
        raise _cell_error(notebook, output, exc) from exc
    except OpsReportError:
        raise
    except DeadKernelError as exc:
        raise _dead_kernel(notebook, output) from exc
    except TimeoutError as exc:  # nbclient's CellTimeoutError, or the kernel did not start
        raise RenderError(
            f"Notebook {notebook.name} did not finish: {_one_line(str(exc)) or 'timed out'} "
            f"(a cell may run at most {timeout} s)."
        ) from exc
    except Exception as exc:  # DeadKernelError, kernel launch failures, papermill errors
        raise RenderError(
            f"Notebook {notebook.name} could not be executed: "
            f"{type(exc).__name__}: {_one_line(str(exc))}"
        ) from exc


_SCALARS = (str, bool, int, float, type(None))


def _escape(path: Path) -> str:
    return str(path).replace("{", "{{").replace("}", "}}")


def _literal(name: str, value: Any) -> Any:
    """Check that ``value`` becomes an exact Python literal in the injected cell."""
    if not name.isidentifier():
        raise RenderError(f"Parameter name {name!r} is not a valid Python identifier.")

    def check(v: Any) -> Any:
        if isinstance(v, Path):
            return str(v)
        if isinstance(v, float) and not math.isfinite(v):
            raise RenderError(f"Parameter {name!r} holds {v!r}, which cannot be passed to a notebook.")
        if isinstance(v, _SCALARS):
            return v
        if isinstance(v, (list, tuple)):
            return [check(x) for x in v]
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            return {k: check(x) for k, x in v.items()}
        raise RenderError(
            f"Parameter {name!r} has type {type(v).__name__}; pass str, int, float, bool, None, "
            "or lists/dicts of those (validate and serialise parameters before rendering)."
        )

    return check(value)


def _executed_cells(output: Path) -> list:
    """Cells of the executed notebook papermill saved (without its error-marker cells)."""
    try:
        return remove_error_markers(nbformat.read(output, as_version=4)).cells
    except Exception:  # noqa: BLE001 - the location is a nicety, the error itself is not
        return []


def _where(cells: list, index: int, source: str) -> str:
    """'cell N (under "Heading", starting `first line`)', numbered as in the source notebook."""
    where = f"cell {index + 1}"
    context = []
    if 0 <= index < len(cells):
        injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells[:index])
        # Number cells as in the source notebook (without papermill's injected cell), from 1.
        where = f"cell {index - injected + 1}"
        heading = _heading_before(cells, index)
        if heading:
            context.append(f'under "{heading}"')
    first = _first_line(source)
    if first:
        context.append(f"starting `{first}`")
    if context:
        where += f" ({', '.join(context)})"
    return where


def _dead_kernel(notebook: Path, output: Path) -> RenderError:
    """The kernel process died (killed, out of memory, ``os._exit`` in a cell): name the cell
    that was running, the last one papermill started (the cells after it never start)."""
    cells = _executed_cells(output)
    started = [
        i for i, c in enumerate(cells)
        if c.cell_type == "code" and (c.metadata.get("papermill") or {}).get("start_time")
    ]
    where = f" in {_where(cells, started[-1], cells[started[-1]].source)}" if started else ""
    return RenderError(
        f"Notebook {notebook.name}: the kernel died{where} (the process was killed, ran out of "
        "memory, or the cell ended it). Nothing was published."
    )


def _cell_error(notebook: Path, output: Path, exc: PapermillExecutionError) -> OpsReportError:
    """One paragraph: which cell failed (number, heading, first line) and with what error."""
    # papermill saved the executed notebook (plus its error-marker cells) before raising.
    where = _where(_executed_cells(output), exc.cell_index, exc.source)
    message = (
        f"Notebook {notebook.name} failed in {where}: {exc.ename}: {exc.evalue}. "
        "Nothing was published."
    )
    cls = getattr(errors, exc.ename, None)
    if not (isinstance(cls, type) and issubclass(cls, OpsReportError)):
        cls = RenderError
    return cls(message)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _heading_before(cells: list, index: int) -> str | None:
    for cell in reversed(cells[:index]):
        if cell.cell_type != "markdown":
            continue
        headings = [m.group(1) for line in cell.source.splitlines() if (m := _HEADING.match(line))]
        if headings:
            return headings[-1]
    return None


def _first_line(source: str, width: int = 80) -> str:
    for line in (source or "").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line if len(line) <= width else line[: width - 1] + "…"
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
