"""One job, as a worker runs it: build a report unless it is up to date, and say what happened; the warm kernel.

`build_report(satker, period, formats, data_dir, reports_root, force)` is a function of its arguments (and of
the files they name) that never raises for a failing report: the cause goes into the outcome, and
`lakin.pipeline.execute` keeps the failing chapter's notebook under reports/<satker>/<period>/gagal/.
`WarmKernelPlugin` warms each Dask worker's kernel (`lakin.pipeline.warm`) when the worker starts and stops it
when the worker closes (also when it is recycled); every chapter runs on that kernel (`lakin-warm`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence

import psutil
from distributed import WorkerPlugin, get_worker

from lakin.data.params import parse_formats, report_dir
from lakin.errors import ExecutionError, FileSystemError, LakinError
from lakin.pipeline import build as building
from lakin.pipeline import engine as warm_kernel
from lakin.pipeline.batch.jobs import ReportOutcome, ReportStatus
from lakin.pipeline.batch.stamps import STAMP_NAME, fingerprint, staleness, write_stamp

__all__ = ["PLUGIN_NAME", "WarmKernelPlugin", "build_report", "default_workers", "end_worker_process", "peak_mb", "run_job"]

PLUGIN_NAME = "lakin-warm"
# The exit status of a recycled worker process: not 0, which its nanny may read as a worker closed for good.
RECYCLE_EXIT = 75


def peak_mb(pid: int | None = None) -> float | None:
    """Peak resident memory (MB) of a process (this one by default), from /proc (VmHWM) or psutil."""
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:
        return None


def _resources() -> tuple[dict[str, float], dict[str, int]]:
    """This worker's peak memory (its own and its warm kernel's) and kernel counters.

    Not pandoc's: RUSAGE_CHILDREN would report the worker's own size (a child's RSS right after fork)."""
    state = warm_kernel.status()
    memory = {"worker": peak_mb(), "kernel": peak_mb(state["kernel_pid"]) if state["kernel_pid"] else None}
    kernel = {"starts": state["starts"], "runs": state["runs"]}
    return {k: round(v, 1) for k, v in memory.items() if v is not None}, kernel


def build_report(satker: str, period: str, formats: Sequence[str], data_dir: str, reports_root: str,
                 force: bool = False, engine: str = "auto", engine_name: str | None = "lakin-warm") -> ReportOutcome:
    """Build one report unless it is up to date; never raises for a failing report (the outcome says why).

    The stamp is removed before building and written, atomically, only after every output is in place.
    """
    start = time.perf_counter()
    outcome = ReportOutcome(satker, period, ReportStatus.FAILED, worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        formats = parse_formats(formats)
        fp = fingerprint(satker, period, formats, data_dir, engine)
        out_dir = report_dir(reports_root, satker, period)
        reason = staleness(out_dir, fp)
        if reason is None and not force:
            outcome.status, outcome.reason = ReportStatus.SKIPPED, "mutakhir"
        else:
            outcome.reason = reason or "--force"
            (out_dir / STAMP_NAME).unlink(missing_ok=True)
            result = building.build(satker, period, data_dir, reports_root, formats=formats, renderer=engine,
                                    kernel=engine_name)
            write_stamp(result.out_dir, fp, formats, result)
            outcome.status = ReportStatus.OK
            outcome.files = {kind: str(path) for kind, path in result.files.items()}
    except LakinError as exc:
        outcome.error, outcome.error_type = exc.user_message(), type(exc).__name__
        if isinstance(exc, ExecutionError):
            outcome.notebook = exc.failure.notebook
    except OSError as exc:  # unwritable reports folder, full disk: the path and the cause, in Indonesian
        outcome.error, outcome.error_type = FileSystemError.from_os(exc).user_message(), type(exc).__name__
        outcome.detail = traceback.format_exc()
    except Exception as exc:  # a bug or a broken environment: keep going with the other reports
        outcome.error, outcome.error_type = f"{type(exc).__name__}: {exc}", type(exc).__name__
        outcome.detail = traceback.format_exc()
    outcome.seconds = time.perf_counter() - start
    if outcome.status != ReportStatus.SKIPPED:
        with contextlib.suppress(Exception):
            outcome.memory_mb, outcome.kernel = _resources()
    return outcome


_frozen = False


def _freeze_once() -> None:
    """After the first report a worker process builds (`run_job`): what it imported and keeps (Dask, pandas,
    Altair, lakin's caches; about 190,000 objects) is taken out of every later garbage collection (`gc.freeze`),
    as the warm kernel does with its own (lakin.pipeline.kernel). A worker's full collections took 110-150 ms
    each, 11 in 10 reports. 16 synthetic reports, three alternating pairs: the workers' own CPU 66.6, 67.6 and
    78.2 s without, 62.5, 65.9 and 69.2 s with; the same peak memory. Garbage of the first report is collected
    first."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()


def run_job(job: Callable[..., ReportOutcome], *args) -> ReportOutcome:
    """What a Dask worker runs: `job(*args)` (`build_report`), its outcome marked with the worker's address."""
    outcome = job(*args)
    with contextlib.suppress(ValueError):  # not on a Dask worker
        outcome.address = get_worker().address
        if outcome.status != ReportStatus.SKIPPED:
            _freeze_once()  # a worker's process only: never the process of a caller of build_report
    return outcome


def end_worker_process(delay: float = 0.5) -> None:
    """Recycle the worker this runs on (idle): stop its warm kernel, then, once this call has answered, end the
    process; its nanny starts a fresh one, as after a crash."""
    warm_kernel.shutdown()
    threading.Timer(delay, os._exit, (RECYCLE_EXIT,)).start()


def _warm_up_quietly() -> None:
    try:
        warm_kernel.warm_up()
    except Exception as exc:  # the first report will try again (and fail with the cause if it persists)
        print(f"lakin: kernel hangat gagal dimulai: {exc}", file=sys.stderr)


class WarmKernelPlugin(WorkerPlugin):
    """Dask worker plugin: start the worker's warm kernel when it joins, stop it when it closes.

    The kernel starts in a background thread so the worker registers at once; the first report waits for
    it on the engine's own thread. Local workers (`ignore_interrupt`) ignore Ctrl-C, which the batch
    handles: it lets the reports being built finish instead of killing them half-way. `warm=False` (tests of
    the batch's decisions, whose jobs build nothing) only ignores Ctrl-C. `environ`, given to a local cluster's
    workers: the batch's environment, which becomes the worker's before its kernel starts (a worker forked from
    a fork server would otherwise carry the environment the fork server started with; running.local_workers).
    """

    idempotent = True  # registering again (another batch on the same cluster) keeps the warm kernels
    name = PLUGIN_NAME

    def __init__(self, ignore_interrupt: bool = False, warm: bool = True, environ: dict[str, str] | None = None):
        self.ignore_interrupt = ignore_interrupt
        self.warm = warm
        self.environ = environ

    def setup(self, worker) -> None:
        if self.environ is not None:
            os.environ.clear()
            os.environ.update(self.environ)
        if self.ignore_interrupt:
            with contextlib.suppress(ValueError):  # only possible on the main thread
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        if self.warm:
            threading.Thread(target=_warm_up_quietly, name="lakin-warm-up", daemon=True).start()

    def teardown(self, worker) -> None:
        warm_kernel.shutdown()


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
