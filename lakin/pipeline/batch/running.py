"""Running a batch on Dask workers: local processes or a cluster, within the cluster's threads, failure-tolerant.

- Workers: a local `distributed.LocalCluster` (one thread per worker process), or an existing Dask cluster
  (`scheduler="tcp://host:8786"`, or a connected `client`). The same job function, plugin and submission loop
  serve both.
- Recycling: a worker that has built `recycle_after` reports gets no more work; once idle (its results
  collected) it stops its warm kernel and ends its process, and its nanny starts a fresh process and kernel,
  so memory stays bounded over thousands of reports without losing one. Workers need a nanny (the default
  of `LocalCluster` and `dask worker`).
- A report whose worker died while building it (a native crash, out of memory) is built once more from
  scratch (the dead process's temporaries removed first); a second death makes it `failed`.
- Ctrl-C: reports being built are finished (a second Ctrl-C abandons them), the rest are not started.
  A killed batch can leave temporaries (`.lakin-tmp-*`); the next batch removes them before it starts.
- A local cluster's worker processes are forked from a fork server that has imported Dask, pandas and lakin's
  batch modules once (`local_workers`), where the platform has one (Linux, macOS): a worker started with
  Dask's default, a new Python (spawn), spends about 5 s of CPU on those imports before its first report, and
  so does every worker recycled. They carry the batch's own environment, as a spawned worker would
  (`WarmKernelPlugin`), not the fork server's.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import dask
from distributed import Client, LocalCluster, as_completed
from distributed.scheduler import KilledWorker
from distributed.utils import get_mp_context
from distributed.versions import optional_packages, required_packages

from lakin.atomic import clean_stale, folder_lock
from lakin.data.params import parse_formats, report_dir
from lakin.errors import BatchError, FolderLocked
from lakin.pipeline.batch.jobs import BatchResult, ReportJob, ReportOutcome, ReportStatus
from lakin.pipeline.batch.stamps import fingerprint, shared_parts, staleness
from lakin.pipeline.batch.worker import (
    PLUGIN_NAME, WarmKernelPlugin, build_report, default_workers, end_worker_process, run_job,
)

__all__ = ["DEFAULT_FORMATS", "DEFAULT_RECYCLE", "LOCK_NAME", "MAX_ATTEMPTS", "Reporter", "local_workers",
           "reports_lock", "run_batch"]

DEFAULT_FORMATS = ("html", "docx", "pdf")
DEFAULT_RECYCLE = 50  # reports per worker process before it is restarted (0: never)
MAX_ATTEMPTS = 2  # a report whose worker died is built once more, from scratch
LOCK_NAME = ".lakin-batch.lock"
WORKER_WAIT = 300.0  # seconds a batch waits for a worker when every worker has left (recycled, not yet back)
# A local cluster's scheduler: a dead worker's report is not retried by Dask (the batch retries it once itself,
# from scratch), and a worker is given one report at a time (so that an idle worker can be recycled). Its workers
# run without Dask's statistical profiler, which walks the build's stack every 10 ms for the dashboard's profile
# page that a batch never shows: 16 synthetic reports, two alternating pairs, the workers' own CPU 53.2 and
# 52.9 s with it, 50.1 and 51.6 s without; 17.25 and 17.39 against 18.13 and 17.57 reports a minute. A cluster
# given with --scheduler keeps its owner's settings.
LOCAL_SCHEDULER = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0,
                   "distributed.worker.profile.enabled": False}
# What the fork server of a local cluster imports once, before it forks each worker process: the packages Dask
# preloads in its own fork server (distributed.utils.get_mp_context reads the same lists), and what a worker runs.
WORKER_PRELOAD = (*required_packages, *optional_packages, "lakin.pipeline.batch")


def worker_start_method() -> str:
    """How a local cluster starts its worker processes: forked from a fork server where the platform has one,
    else Dask's default, a new Python each."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


@contextlib.contextmanager
def local_workers():
    """Dask's configuration for a local cluster, held for the cluster's whole life: its scheduler's
    (`LOCAL_SCHEDULER`), and worker processes forked from a fork server that imported `WORKER_PRELOAD` once.
    The setting is read whenever a nanny starts a worker process, also when it restarts a recycled or dead one.

    Measured (tests/test_batch.py and tests/test_cli.py, one run spawned, three forked): 47 s of CPU with spawned
    workers, 26 s forked. A fork server lives as long as the process that started it: a second cluster in this
    process forks from the same one, whose environment is that of its start (`WarmKernelPlugin` gives each
    local worker the batch's)."""
    method = worker_start_method()
    with dask.config.set({**LOCAL_SCHEDULER, "distributed.worker.multiprocessing-method": method}):
        if method == "forkserver":
            # Dask sets its own list once per process on its first call; this one, set after it, adds lakin's
            # (it counts only before the fork server starts: a running one keeps what it imported)
            get_mp_context().set_forkserver_preload(list(WORKER_PRELOAD))
        yield


@contextlib.contextmanager
def reports_lock(root: Path):
    """Hold reports/.lakin-batch.lock so that two batches never clean or write one reports directory at once."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(folder_lock(root / LOCK_NAME))
        except FolderLocked:  # only taking the lock: errors of the batch itself pass through
            raise BatchError(f"Batch lain sedang berjalan untuk {root} (kunci {root / LOCK_NAME})") from None
        yield


class Reporter:
    """What a batch tells its user as it goes; this base class tells nothing (subclass to show progress)."""

    def start(self, total: int, skipped: int) -> None:
        """`total` reports will be built (`skipped` others are up to date)."""

    def result(self, outcome: ReportOutcome) -> None:
        """One report finished (ok, failed, or skipped by its worker)."""

    def message(self, text: str) -> None:
        """A line for the user (workers starting or recycled, a report retried, Ctrl-C received)."""

    def stop(self) -> None:
        """The batch is over."""


class _Traffic:
    """One batch's exchanges with the cluster: submit within its threads, collect, retry once, recycle."""

    def __init__(self, client: Client, job: Callable[..., ReportOutcome], request: tuple[tuple[str, ...], bool, str],
                 root: Path, reporter: Reporter, recycle_after: int):
        self.client, self.job, self.root = client, job, root
        self.formats, self.force, self.engine = request
        self.reporter, self.recycle_after = reporter, recycle_after
        self.batch_id = uuid.uuid4().hex[:8]
        self.pending: deque[ReportJob] = deque()
        self.inflight: dict[str, tuple[ReportJob, object, str]] = {}  # key -> job, future, worker chosen
        self.assigned: Counter[str] = Counter()  # reports in flight per worker address
        self.outcomes: dict[str, ReportOutcome] = {}
        self.attempts: Counter[str] = Counter()
        self.built: Counter[str] = Counter()  # reports built per worker address since it (re)started
        self.due: dict[str, str] = {}  # workers to recycle once idle: address -> host:pid
        self.leaving: set[str] = set()  # recycled workers the scheduler may still list
        self.completed = as_completed()
        self.recycled = self.retried = 0

    def top_up(self) -> None:
        """Send pending reports to workers with a free thread, chosen here (so that a worker's load is known
        without asking the scheduler), none to a worker due for recycling or leaving."""
        self.restart_idle()
        free = {w: n - self.assigned[w] for w, n in self.client.nthreads().items()
                if w not in self.due and w not in self.leaving}
        while self.pending and free and max(free.values()) > 0:
            worker = max(free, key=free.get)
            free[worker] -= 1
            item = self.pending.popleft()
            self.attempts[item.name] += 1
            key = f"lakin-build-{item.satker}-{item.period}-{self.batch_id}-{self.attempts[item.name]}"
            # allow_other_workers: should that worker die first, another one builds the report
            future = self.client.submit(run_job, self.job, item.satker, item.period, self.formats, item.data_dir,
                                        str(self.root), self.force, self.engine, key=key, retries=0, pure=False,
                                        workers=[worker], allow_other_workers=True)
            self.inflight[future.key] = (item, future, worker)
            self.assigned[worker] += 1
            self.completed.add(future)

    def run(self) -> None:
        self.top_up()
        waited = 0.0
        while self.inflight or self.pending:
            if not self.inflight:  # every worker is being recycled: wait for one to join
                if waited > WORKER_WAIT:
                    raise BatchError(f"Tidak ada worker yang bergabung dalam {WORKER_WAIT:.0f} detik")
                time.sleep(0.2)
                waited += 0.2
            else:
                waited = 0.0
                self.finish(next(self.completed))
            self.top_up()

    def finish(self, future) -> None:
        item, _, worker = self.inflight.pop(future.key)
        self.assigned[worker] -= 1
        try:
            outcome = future.result()
        except Exception as exc:  # the worker died (KilledWorker) or the job could not be sent
            if isinstance(exc, KilledWorker):
                # the scheduler may list the dead worker a while longer: sent there, the report's next attempt
                # would go to another worker busy with a report (allow_other_workers) and could die with it
                self.leaving.add(worker)
            if self.attempts[item.name] < MAX_ATTEMPTS:
                self.retried += 1
                clean_stale(report_dir(self.root, item.satker, item.period))  # the dead worker's temporaries
                self.reporter.message(f"{item.name}: worker berhenti saat membangun ({type(exc).__name__}); "
                                      "dibangun ulang dari awal")
                self.pending.appendleft(item)
                return
            outcome = ReportOutcome(item.satker, item.period, ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}",
                                    error_type=type(exc).__name__, reason=f"worker gagal ({MAX_ATTEMPTS} kali)")
        finally:
            future.release()  # collected: a restarted worker must not make Dask compute it again
        outcome.attempts = self.attempts[item.name]
        self.outcomes[item.name] = outcome
        self.reporter.result(outcome)
        self.recycle(outcome)

    def recycle(self, outcome: ReportOutcome) -> None:
        """Count a built report against its worker; at `recycle_after`, the worker gets no more work."""
        address = outcome.address
        if not self.recycle_after or not address or outcome.status == ReportStatus.SKIPPED:
            return
        self.built[address] += 1
        if self.built[address] >= self.recycle_after:
            self.due[address] = outcome.worker or address

    def restart_idle(self) -> None:
        """Recycle every worker due that has nothing left to build: it stops its warm kernel and ends its process,
        and its nanny starts a fresh process (a fresh kernel with it), as after a crash; no work goes to it
        until the scheduler has seen it leave."""
        workers = self.client.nthreads()
        self.leaving &= set(workers)
        if not self.due or not self.pending:
            return  # nothing to recycle, or nothing left to build: the workers stay as they are
        for address, name in list(self.due.items()):
            if self.assigned[address]:
                continue
            del self.due[address], self.built[address]
            if address not in workers:
                continue  # gone already (died, or the cluster scaled down)
            self.reporter.message(f"Worker {name} dimulai ulang setelah {self.recycle_after} laporan")
            self.client.run(end_worker_process, workers=[address], on_error="ignore")
            self.leaving.add(address)
            self.recycled += 1

    def interrupted(self) -> None:
        """Ctrl-C: wait for the reports being built (a second Ctrl-C abandons them)."""
        self.recycle_after = 0
        self.due.clear()
        self.reporter.message(f"Dihentikan: menunggu {len(self.inflight)} laporan yang sedang dibangun "
                              "(Ctrl-C sekali lagi untuk berhenti segera)")
        try:
            for future in as_completed([f for _, f, _ in self.inflight.values()]):
                self.finish(future)
        except KeyboardInterrupt:
            self.client.cancel([f for _, f, _ in self.inflight.values()])
            for item, _, _ in self.inflight.values():
                self.outcomes[item.name] = ReportOutcome(item.satker, item.period, ReportStatus.CANCELLED,
                                                         reason="dihentikan saat dibangun")
            self.inflight.clear()


def run_batch(jobs: Sequence[ReportJob], formats: str | Iterable[str] = DEFAULT_FORMATS,
              reports_root: str | Path = "reports", *, workers: int | None = None, scheduler: str | None = None,
              client: Client | None = None, force: bool = False, engine: str = "auto",
              reporter: Reporter | None = None, recycle_after: int = DEFAULT_RECYCLE,
              job: Callable[..., ReportOutcome] = build_report, warm: bool = True) -> BatchResult:
    """Build every job's report on Dask workers; one failing report never stops the others.

    Without `scheduler` or `client`, starts a local cluster of `workers` processes (default: one per CPU)
    and first checks here which reports are up to date, so that a batch with nothing to do starts no
    worker. With `scheduler` (address) or `client` (a connected `distributed.Client`), the workers decide.
    At most as many reports as the cluster has threads are submitted at a time, so that Ctrl-C (or a
    KeyboardInterrupt raised by `reporter`) leaves nothing queued: reports being built finish, a second
    Ctrl-C abandons them, and the rest are reported as cancelled. A worker is restarted after
    `recycle_after` built reports (0: never). `job` is what a worker runs for each report (`build_report`;
    a test's stand-in), `warm=False` starts no warm kernel.
    """
    started = time.perf_counter()
    formats = parse_formats(formats)
    reporter = reporter or Reporter()
    root = Path(reports_root).resolve()
    unique: dict[str, ReportJob] = {}
    for item in jobs:
        unique.setdefault(item.name, item)  # the same report twice would be built twice at once
    jobs = list(unique.values())
    with reports_lock(root), contextlib.ExitStack() as stack:
        stack.callback(reporter.stop)
        cleaned = clean_stale(root)
        if cleaned:
            reporter.message(f"{cleaned} berkas sementara dari batch yang terhenti dihapus")
        local = scheduler is None and client is None
        skipped = _up_to_date(jobs, formats, root, engine) if local and not force else {}
        todo = [item for item in jobs if item.name not in skipped]
        reporter.start(len(todo), len(skipped))
        traffic, n_workers, interrupted = None, 0, False
        if todo:
            cluster = own_client = None
            try:
                if client is None:
                    if scheduler:
                        reporter.message(f"Menghubungi penjadwal Dask {scheduler}")
                        client = own_client = Client(scheduler)
                    else:
                        n = min(workers or default_workers(), len(todo))
                        reporter.message(f"Memulai {n} worker lokal")
                        stack.enter_context(local_workers())  # until the cluster is closed (below)
                        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                               dashboard_address=":0", silence_logs=logging.ERROR)
                        client = own_client = Client(cluster)
                ours = cluster is not None
                client.register_plugin(WarmKernelPlugin(ignore_interrupt=ours, warm=warm,
                                                        environ=dict(os.environ) if ours else None),
                                       name=PLUGIN_NAME)
                traffic = _Traffic(client, job, (formats, force, engine), root, reporter, recycle_after)
                traffic.pending.extend(todo)
                try:
                    traffic.run()
                except KeyboardInterrupt:
                    interrupted = True
                    traffic.interrupted()
                n_workers = len(client.nthreads())
            finally:
                if own_client is not None:
                    with contextlib.suppress(Exception):
                        own_client.close()
                if cluster is not None:
                    with contextlib.suppress(Exception):
                        cluster.close()
    outcomes = {**skipped, **(traffic.outcomes if traffic else {})}
    for item in (traffic.pending if traffic else ()):
        outcomes.setdefault(item.name, ReportOutcome(item.satker, item.period, ReportStatus.CANCELLED,
                                                     reason="tidak dimulai"))
    ordered = [outcomes[item.name] for item in jobs if item.name in outcomes]
    return BatchResult(ordered, time.perf_counter() - started, n_workers, interrupted, cleaned,
                       recycled=traffic.recycled if traffic else 0, retried=traffic.retried if traffic else 0)


def _up_to_date(jobs: list[ReportJob], formats: tuple[str, ...], root: Path, engine: str) -> dict[str, ReportOutcome]:
    """The reports whose stamp matches their inputs' fingerprint, as skipped outcomes (checked here, no worker)."""
    shared = shared_parts(engine)
    skipped = {}
    for item in jobs:
        try:
            fp = fingerprint(item.satker, item.period, formats, item.data_dir, engine, shared)
            if staleness(report_dir(root, item.satker, item.period), fp) is None:
                skipped[item.name] = ReportOutcome(item.satker, item.period, ReportStatus.SKIPPED, reason="mutakhir")
        except Exception:  # unreadable inputs: let the job report the cause
            pass
    return skipped

