"""Many reports in one run: the unattended job, on one machine or on a Dask cluster.

The reports of a batch are planned in the calling process (parameters and data checked, the
warehouse's contracts checked once for the whole batch), then each is either skipped, because the
published report was made from the same parameters and the same data, or rendered on a worker:

- ``workers=1``: in this process, in one warm kernel (``render.kernels``) reused report after
  report, so no report pays interpreter start-up, imports or contract checks of its own;
- ``workers=N``: on a local Dask cluster of N single-threaded worker processes, each with its
  warm kernel;
- ``scheduler="tcp://host:8786"``: on an existing Dask distributed cluster. The workers must
  reach the same warehouse and output folder at the same paths (a shared disk, or a warehouse
  server) and run the same opsreport.

A report that fails is tried once more (Dask's task retries; in this process, the same on a new
kernel) and then reported; the others publish. Progress shows as a bar on a terminal and as one
plain line per report otherwise, and the batch ends with a summary.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import OpsReportError
from .render.job import RenderJob

__all__ = ["BatchResult", "Outcome", "ReportFailed", "Task", "render_one", "run", "unchanged_since"]

Status = Literal["rendered", "skipped", "failed"]


@dataclass(frozen=True)
class Task:
    """One report of a batch: what to call it in messages, and the job that renders it."""

    label: str
    job: RenderJob


@dataclass(frozen=True)
class Outcome:
    label: str
    status: Status
    folder: Path | None = None
    seconds: float | None = None  # the render's own time, on its worker
    attempts: int | None = None
    message: str = ""  # why it was skipped, or what failed
    exit_code: int = 0


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[Outcome, ...]
    wall_seconds: float
    where: str  # "this process", "2 local workers", "tcp://host:8786"

    def _with(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def rendered(self) -> list[Outcome]:
        return self._with("rendered")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    def summary(self) -> str:
        """One line: counts, the time per rendered report and the batch's wall time."""
        done = self.rendered
        parts = [f"{len(done)} rendered", f"{len(self.skipped)} skipped (unchanged)", f"{len(self.failed)} failed"]
        text = f"batch on {self.where}: {', '.join(parts)} in {self.wall_seconds:.1f} s"
        if done:
            each = statistics.median(o.seconds for o in done)
            text += f"; {each:.1f} s per report (median), {self.wall_seconds / len(done):.1f} s per report amortised"
        return text


class ReportFailed(Exception):
    """A report that could not be rendered, as it crosses from a worker process: the message and
    the exit code of the OpsReportError behind it (plain values: they pickle everywhere)."""

    def __init__(self, message: str, exit_code: int = 3):
        super().__init__(message, exit_code)
        self.message, self.exit_code = message, exit_code

    def __str__(self) -> str:
        return self.message


def render_one(job: RenderJob) -> tuple[str, float]:
    """Render ``job`` on this worker, in this thread's warm kernel; returns the published folder
    and the seconds taken. Runs in a worker process: it imports the render pipeline itself."""
    from .render import kernels, pipeline

    started = time.perf_counter()
    try:
        with kernels.borrowed(Path(job.notebook).parent) as kernel:
            folder = pipeline.render(job, kernel, index=False)
    except OpsReportError as exc:
        raise ReportFailed(str(exc), exc.exit_code) from None
    return str(folder), time.perf_counter() - started


def unchanged_since(job: RenderJob) -> str | None:
    """When the published report of ``job`` was made from the same parameters, the same data
    fingerprint and the same opsreport version, in at least the formats asked for: its creation
    time (the report need not be rendered again); otherwise None."""
    from . import __version__
    from .render import publish
    from .render.manifest import MANIFEST_NAME

    path = publish.report_dir(Path(job.out_root), job.report, job.key, job.period) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = (
        manifest.get("params") == _plain(job.parameters)
        and manifest.get("data_fingerprint") == _plain(job.fingerprint)
        and set(job.formats) <= set(manifest.get("formats") or ())
        and (manifest.get("versions") or {}).get("opsreport") == __version__
    )
    return str(manifest.get("created_at") or "an earlier run") if same else None


def _plain(value):
    """As it reads back from run.json."""
    return json.loads(json.dumps(value, default=str))


def run(
    tasks: Sequence[Task],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    retries: int = 1,
    echo: Callable[[str], None] = print,
    progress: bool | None = None,
) -> BatchResult:
    """Render ``tasks``: each unchanged published report is skipped (unless ``force``), the
    others rendered on ``workers`` local processes or on the Dask cluster at ``scheduler``.
    ``progress``: a bar (default: when stderr is a terminal) or a line per report."""
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    todo: list[Task] = []
    for task in tasks:
        since = None if force else unchanged_since(task.job)
        if since:
            outcomes.append(Outcome(task.label, "skipped", message=f"unchanged since {since}"))
            echo(f"skipped {task.label}: unchanged since {since} (same parameters and data; --force renders it again)")
        else:
            todo.append(task)
    bar = _Progress(len(todo), echo, sys.stderr.isatty() if progress is None else progress)
    if todo and (scheduler or workers > 1):
        where = scheduler or f"{workers} local workers"
        outcomes += _on_dask(todo, workers=workers, scheduler=scheduler, retries=retries, bar=bar)
    else:
        where = "this process"
        outcomes += _in_process(todo, retries=retries, bar=bar)
    bar.close()
    if any(o.status == "rendered" for o in outcomes):
        from .render import publish

        for out_root in {Path(t.job.out_root) for t in todo}:
            publish.write_index(out_root.resolve())
    return BatchResult(tuple(outcomes), time.perf_counter() - started, where)


def _in_process(todo: Sequence[Task], *, retries: int, bar: "_Progress") -> list[Outcome]:
    from .render import kernels

    outcomes = []
    try:
        for task in todo:
            for attempt in range(1, retries + 2):
                try:
                    folder, seconds = render_one(task.job)
                except ReportFailed as exc:
                    if attempt <= retries:
                        continue  # the failed kernel was discarded: the next attempt gets a new one
                    outcome = Outcome(task.label, "failed", attempts=attempt, message=exc.message, exit_code=exc.exit_code)
                else:
                    outcome = Outcome(task.label, "rendered", Path(folder), seconds, attempt)
                break
            outcomes.append(outcome)
            bar.done(outcome)
    finally:
        kernels.shutdown_all()
    return outcomes


def _on_dask(todo: Sequence[Task], *, workers: int, scheduler: str | None, retries: int, bar: "_Progress") -> list[Outcome]:
    from distributed import Client, LocalCluster, as_completed

    from .render import kernels

    if not todo:
        return []
    logging.getLogger("distributed").setLevel(logging.ERROR)  # its INFO lines would drown the progress
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, memory_limit=0)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise OpsReportError(
            f"Cannot reach the Dask scheduler at {scheduler}: {exc}. Start one with 'dask scheduler' and "
            "workers with 'dask worker <address> --nthreads 1' (README, \"Many shops on many workers\")."
        ) from None
    batch = uuid.uuid4().hex[:8]
    outcomes = []
    try:
        # each worker warms a kernel while the scheduler hands out the first tasks
        client.register_plugin(_PrestartKernel(str(Path(todo[0].job.notebook).parent)), name="opsreport-prestart")
        futures = {
            client.submit(render_one, task.job, key=f"opsreport-{batch}-{i}", retries=retries, pure=False): task
            for i, task in enumerate(todo)
        }
        for future in as_completed(futures):
            task = futures[future]
            if future.status == "finished":
                folder, seconds = future.result()
                outcome = Outcome(task.label, "rendered", Path(folder), seconds)  # Dask does not say after how many tries
            else:
                exc = future.exception()
                outcome = Outcome(task.label, "failed", attempts=retries + 1,
                                  message=str(exc) if isinstance(exc, ReportFailed) else f"{type(exc).__name__}: {exc}",
                                  exit_code=getattr(exc, "exit_code", 3))
            outcomes.append(outcome)
            bar.done(outcome)
        client.run(kernels.shutdown_all)  # no kernel keeps the warehouse open after the batch
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return outcomes


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - distributed is a dependency; this keeps batch importable
    WorkerPlugin = object


class _PrestartKernel(WorkerPlugin):
    """Starts a warm kernel on each worker as it joins the batch."""

    def __init__(self, cwd: str):
        self.cwd = cwd

    def setup(self, worker) -> None:
        from .render import kernels

        kernels.prestart(Path(self.cwd))


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0


class _Progress:
    """A bar on a terminal (tqdm), else one plain line per finished report (logs)."""

    def __init__(self, total: int, echo: Callable[[str], None], bar: bool):
        self.total, self.echo, self.count = total, echo, 0
        self.bar = None
        if bar and total and _terminal_width() > 0:  # a terminal of no width would show nothing
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True)

    def done(self, outcome: Outcome) -> None:
        self.count += 1
        if outcome.status == "rendered":
            line = f"[{self.count}/{self.total}] rendered {outcome.label} in {outcome.seconds:.1f} s"
        else:
            line = f"[{self.count}/{self.total}] FAILED {outcome.label} after {outcome.attempts} attempt(s): {outcome.message}"
        if self.bar is not None:
            self.bar.set_postfix_str(outcome.label, refresh=False)
            self.bar.update(1)
            if outcome.status == "failed":
                self.bar.write(line, file=sys.stderr)
        else:
            self.echo(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
