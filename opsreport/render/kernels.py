"""A kernel kept warm across the reports of a batch.

A fresh kernel per report pays interpreter start-up and the imports of pandas, Ibis, matplotlib,
seaborn and opsreport (about 3 s of a 7 s execution) every time, and opens and re-checks the
warehouse. A :class:`WarmKernel` starts one kernel, imports everything a report needs once, and
runs report after report in it. Before each report it is put back to the state of a fresh
kernel as far as a report can tell: the user namespace is cleared (``%reset -f``), matplotlib's
settings are restored to those of the fresh kernel, open figures are closed and the execution
count starts again at 1. Imported modules stay (that is the saving), and so does the opened
warehouse of the batch (``opsreport.notebook.share_warehouse``), whose tables were checked once.

The kernel is replaced after ``max_reports`` reports (bounding any slow growth of memory) and
after any report that failed, so a failure never leaks state into the next report.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.session import Session
from jupyter_client.utils import run_sync

from opsreport.errors import RenderError

from .execute import KERNEL_NAME, InterpreterKernelManager

__all__ = ["WarmKernel", "borrowed", "prestart", "shutdown_all"]

#: Run once: import what every report needs (``opsreport.notebook.warm_up``).
_WARM_UP = "import opsreport.notebook as _n\n_n.warm_up()\ndel _n"

#: Run before each report: what the next report may see of the previous one is taken away.
_RESET = """get_ipython().run_line_magic("reset", "-f")
import opsreport.notebook as _n
_n.between_reports({location!r}, {validated!r})
del _n
get_ipython().execution_count = 1"""


class _KeptKernelManager(InterpreterKernelManager):
    """Remembers the clients papermill makes, one per report: papermill leaves a kernel it did not
    start running, and with it its client's open sockets, which are closed before the next report."""

    def client(self, **kwargs):
        made = super().client(**kwargs)
        self.__dict__.setdefault("_made", []).append(made)
        return made

    def close_clients(self) -> None:
        for made in self.__dict__.pop("_made", []):
            made.stop_channels()


class WarmKernel:
    """One IPython kernel on this interpreter, reused for many reports (see the module's doc)."""

    def __init__(self, cwd: Path, *, max_reports: int = 25, startup_timeout: int = 120):
        self.cwd = Path(cwd)
        self.max_reports = max_reports
        self.startup_timeout = startup_timeout
        self.km: InterpreterKernelManager | None = None
        self.kc = None
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self.reports = 0

    def _run(self, code: str, what: str) -> None:
        errors: list[str] = []

        def keep_error(msg: dict) -> None:
            if msg["header"]["msg_type"] == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        reply = self.kc.execute_interactive(code, timeout=self.startup_timeout, output_hook=keep_error,
                                            store_history=False)
        if reply["content"]["status"] != "ok":
            raise RenderError(f"The report kernel could not {what}: {'; '.join(errors) or reply['content']['status']}.")

    def start(self) -> None:
        km = _KeptKernelManager(kernel_name=KERNEL_NAME)
        # as nbclient starts its own kernels: IPython history in memory, not in ~/.ipython
        run_sync(km.start_kernel)(cwd=str(self.cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.km, self.reports = km, 0
        try:
            self.kc = _blocking_client(km)
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=self.startup_timeout)
            self._run(_WARM_UP, "import opsreport")
        except BaseException:
            self.shutdown()
            raise

    def start_in_background(self) -> None:
        def start() -> None:
            try:
                self.start()
            except BaseException as exc:  # noqa: BLE001 - raised again when the kernel is wanted
                self._start_error = exc

        self._starting = threading.Thread(target=start, name="opsreport-kernel-start", daemon=True)
        self._starting.start()

    def ready_for(self, warehouse: str | None, validated: str | None) -> InterpreterKernelManager:
        """The kernel manager to hand to papermill for the next report, its kernel reset (and
        replaced first when it has run ``max_reports`` reports or died)."""
        if self._starting is not None:
            self._starting.join()
            self._starting, error, self._start_error = None, self._start_error, None
            if error is not None:
                raise error
        if self.km is not None:
            self.km.close_clients()
        if self.km is not None and (self.reports >= self.max_reports or not run_sync(self.km.is_alive)()):
            self.shutdown()
        if self.km is None:
            self.start()
        self._run(_RESET.format(location=warehouse, validated=validated), "reset between reports")
        self.reports += 1
        return self.km

    def discard(self) -> None:
        """After a failed report: the next one gets a new kernel."""
        self.shutdown()

    def shutdown(self) -> None:
        if self._starting is not None:  # a kernel still starting would outlive its shutdown
            self._starting.join()
            self._starting = self._start_error = None
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            self.km.close_clients()
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - a kernel that is already gone is shut down
                pass
            self.km = None


def _blocking_client(km: InterpreterKernelManager) -> BlockingKernelClient:
    """A client of our own for the resets, kept open (a new one costs 0.2 s to get ready), and
    blocking: papermill runs its own asynchronous client on its own event loop meanwhile.
    Connected as ``km.client()`` connects (keys of an encrypted transport included), but in a
    session of its own: a client's socket identity is its session id, and papermill's client,
    made with the manager's session, would otherwise take our replies."""
    info = dict(km.get_connection_info(session=False))
    for key in ("curve_publickey", "curve_secretkey"):
        if isinstance(info.get(key), str):
            info[key] = info[key].encode("ascii")
    session = Session(key=info.pop("key"), signature_scheme=info.pop("signature_scheme"))
    return BlockingKernelClient(**info, session=session, connection_file=km.connection_file, parent=km)


_idle: list[WarmKernel] = []  # started (or starting) kernels no report is using
_all: list[WarmKernel] = []
_lock = threading.Lock()


@contextmanager
def borrowed(cwd: Path) -> Iterator[WarmKernel]:
    """A warm kernel of this process for one report, returned to the pool afterwards: reports
    running at once (threads of a Dask worker) each get their own."""
    with _lock:
        kernel = next((k for k in _idle if k.cwd == Path(cwd)), None)
        if kernel is not None:
            _idle.remove(kernel)
        else:
            kernel = WarmKernel(cwd)
            _all.append(kernel)
    try:
        yield kernel
    finally:
        with _lock:
            _idle.append(kernel)


def prestart(cwd: Path) -> None:
    """Start a kernel in the background, so that it is warm when the first report comes (while
    the batch is still being planned, or a worker waits for its first task)."""
    kernel = WarmKernel(cwd)
    kernel.start_in_background()
    with _lock:
        _all.append(kernel)
        _idle.append(kernel)


def shutdown_all() -> None:
    """Stop every warm kernel of this process (end of a batch)."""
    with _lock:
        kernels, _all[:], _idle[:] = list(_all), [], []
    for kernel in kernels:
        kernel.shutdown()
