"""Building many reports at once: in parallel on warm Dask workers, resumable, skipping reports already up to date.

`run_batch(jobs, formats, reports_root)` builds every `ReportJob` (one unit and period, usually found with
`discover(params_dir)`), and returns a `BatchResult` of small `ReportOutcome` records (ok / failed /
skipped / cancelled). `main(...)` is the `lakin batch` command: the same call plus a progress bar and a
summary table. See docs/batch.md.

- One job is `build_report(satker, period, formats, data_dir, reports_root, force)`: a function of its
  arguments (and of the files they name) that never raises for a failing report: the cause goes into the
  outcome, and `lakin.pipeline.execute` keeps the failing chapter's notebook under reports/<satker>/<period>/gagal/.
- Up to date: a report is rebuilt only when the `fingerprint` of its inputs changed: that unit's data (its own
  files and its rows of shared files), the chapter notebooks, the framework files, lakin's version and source
  files, and the requested formats. The fingerprint is stored in reports/<satker>/<period>/.lakin-build.json,
  written atomically after everything else, so an interrupted build is never taken for a finished one.
- Workers: a local `distributed.LocalCluster` (one thread per worker process), or an existing Dask cluster
  (`scheduler="tcp://host:8786"`). `WarmKernelPlugin` warms each worker's kernel (`lakin.pipeline.engine`) when the
  worker starts and stops it when the worker closes; every chapter runs on that kernel (`lakin-warm`).
- Ctrl-C: reports being built are finished (a second Ctrl-C abandons them), the rest are not started.
  A killed batch can leave temporaries (`.lakin-tmp-*`); the next batch removes them before it starts.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import platform
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from distributed import WorkerPlugin

from lakin import __version__
from rich.markup import escape

from lakin.atomic import TMP_PREFIX, clean_stale, folder_lock, write_text
from lakin.errors import FolderLocked
from lakin.present.console import safe
from lakin.errors import BatchError, ExecutionError, FileSystemError, LakinError
from lakin.data.params import load_params_file, report_dir, validate_period, validate_satker

STAMP_NAME = ".lakin-build.json"
LOCK_NAME = ".lakin-batch.lock"
STAMP_FORMAT = 1
PLUGIN_NAME = "lakin-warm"
DEFAULT_FORMATS = ("html", "docx", "pdf")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Libraries whose version changes what a report looks like (tables, charts, documents).
DEPENDENCIES = ("pandas", "numpy", "altair", "vl-convert-python", "papermill", "nbformat", "pypandoc-binary",
                "typst", "python-docx", "openpyxl", "babel", "num2words")
# How a changed fingerprint part is named to the user.
PART_NAMES = {"data": "data", "notebooks": "notebook", "frameworks": "kerangka", "lakin": "lakin",
              "request": "format"}
STATUS_LABELS = {"ok": "ok", "failed": "gagal", "skipped": "dilewati (mutakhir)", "cancelled": "dibatalkan"}
# Listings and satker.csv are remembered while unchanged; one changed this recently (ns) may change again
# within its mtime's resolution, so it is read again next time.
RACY_NS = 2_000_000_000


# --------------------------------------------------------------------------- what to build
@dataclass(frozen=True)
class ReportJob:
    """One report to build: a unit, a period label and the absolute data directory it reads."""

    satker: str
    period: str
    data_dir: str

    @property
    def name(self) -> str:
        return f"{self.satker}/{self.period}"


@dataclass
class ReportOutcome:
    """What happened to one report (small and picklable: this is what a worker sends back)."""

    satker: str
    period: str
    status: str  # "ok" | "failed" | "skipped" | "cancelled"
    seconds: float = 0.0
    reason: str = ""  # why it was built, skipped or cancelled
    error: str = ""  # the cause of a failure, as the user should read it
    error_type: str = ""
    notebook: str | None = None  # the failing chapter's executed notebook, kept under gagal/
    detail: str = ""  # traceback of an unexpected error
    files: dict[str, str] = field(default_factory=dict)
    worker: str = ""  # host:pid of the worker process
    memory_mb: dict[str, float] = field(default_factory=dict)  # peak RSS: worker process, its kernel
    kernel: dict[str, int] = field(default_factory=dict)  # this worker's warm kernel: starts, runs

    @property
    def name(self) -> str:
        return f"{self.satker}/{self.period}"


@dataclass
class BatchResult:
    """Every report's outcome (in the order asked), how long the batch took, and whether it was interrupted."""

    outcomes: list[ReportOutcome]
    seconds: float = 0.0
    workers: int = 0  # worker processes used (0: nothing needed building)
    interrupted: bool = False
    cleaned: int = 0  # temporaries of killed runs removed before starting

    def by_status(self, status: str) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> list[ReportOutcome]:
        return self.by_status("ok")

    @property
    def failed(self) -> list[ReportOutcome]:
        return self.by_status("failed")

    @property
    def skipped(self) -> list[ReportOutcome]:
        return self.by_status("skipped")

    @property
    def exit_code(self) -> int:
        """130 when interrupted, 1 when a report failed, else 0."""
        return 130 if self.interrupted else 1 if self.failed else 0

    def peak_memory(self) -> dict[str, dict[str, float]]:
        """Per worker process: the highest peak RSS (MB) seen of the worker, of its kernel, and their sum."""
        peaks: dict[str, dict[str, float]] = {}
        for o in self.outcomes:
            if not o.worker or not o.memory_mb:
                continue
            peak = peaks.setdefault(o.worker, {})
            for key, value in o.memory_mb.items():
                peak[key] = max(peak.get(key, 0.0), value)
        for peak in peaks.values():
            peak["total"] = peak.get("worker", 0.0) + peak.get("kernel", 0.0)
        return peaks


def _split(values: str | Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """The requested formats, validated, without duplicates, in the order given."""
    from lakin.pipeline.render import FORMATS

    wanted = tuple(dict.fromkeys(f.lower() for f in _split(formats)))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise BatchError(f"Format {', '.join(unknown) or '(kosong)'} tidak dikenal; pilihan: {', '.join(FORMATS)}")
    return wanted


def discover(params_dir: str | Path, data_dir: str | Path = "data", units: str | Iterable[str] | None = None,
             periods: str | Iterable[str] | None = None) -> tuple[list[ReportJob], list[ReportOutcome]]:
    """The reports asked for by params/<satker>/<period>.yaml (filtered by units and periods), and the params
    files that could not be read (or ask for a report another file already asked for), as failed outcomes.
    A file without `data_dir` reads `data_dir`; relative paths are taken from the current directory."""
    params_dir = Path(params_dir)
    if not params_dir.is_dir():
        raise BatchError(f"Direktori params '{params_dir}' tidak ditemukan")
    unit_filter = {validate_satker(u) for u in _split(units)}
    period_filter = {validate_period(p).label for p in _split(periods)}
    jobs: dict[tuple[str, str], ReportJob] = {}
    sources: dict[tuple[str, str], Path] = {}
    problems: list[ReportOutcome] = []
    for path in sorted([*params_dir.glob("*/*.yaml"), *params_dir.glob("*/*.yml")]):
        if path.name.startswith(TMP_PREFIX):
            continue
        try:
            params = load_params_file(path, check_path=True)
        except LakinError as exc:
            if unit_filter and path.parent.name not in unit_filter:
                continue
            problems.append(ReportOutcome(path.parent.name, path.stem, "failed", error=exc.user_message(),
                                          error_type=type(exc).__name__, reason=f"params {path}"))
            continue
        if unit_filter and params.satker not in unit_filter:
            continue
        if period_filter and params.period.label not in period_filter:
            continue
        key = (params.satker, params.period.label)
        if key in jobs:
            problems.append(ReportOutcome(*key, "failed", error_type="BatchError", reason=f"params {path}",
                                          error=f"{path}: laporan yang sama sudah diminta oleh {sources[key]}"))
            continue
        folder = Path(params.data_dir) if params.data_dir else Path(data_dir)
        jobs[key] = ReportJob(params.satker, params.period.label, str(folder.resolve()))
        sources[key] = path
    return list(jobs.values()), problems


def discover_data(data_dir: str | Path, units: str | Iterable[str] | None = None,
                  periods: str | Iterable[str] | None = None) -> tuple[list[ReportJob], list[ReportOutcome]]:
    """The reports a data directory supports, without params files: for every unit and every year of its
    indicators, the quarterly reports (Q1-Q3) and the annual one whose period has results
    (`lakin.pipeline.execute.check_period_data`); a unit whose data is invalid is a failed outcome."""
    from lakin.data.load import load, read_table
    from lakin.pipeline.execute import check_period_data
    from lakin.rules.frameworks import load_framework
    from lakin.data.periods import ReportPeriod

    folder = Path(data_dir).resolve()
    if not (folder / "satker.csv").is_file():
        raise BatchError(f"Direktori data '{data_dir}' tidak berisi satker.csv; tidak ada laporan untuk dibangun")
    unit_filter = {validate_satker(u) for u in _split(units)}
    period_filter = {validate_period(p).label for p in _split(periods)}
    jobs: list[ReportJob] = []
    problems: list[ReportOutcome] = []
    for satker in read_table(folder, "satker")["satker"].tolist():
        if unit_filter and satker not in unit_filter:
            continue
        try:
            ds = load(folder, satker=satker)
            tables = ds.for_satker(satker)
            framework = load_framework(ds.unit(satker)["kerangka"], folder)
        except LakinError as exc:
            problems.append(ReportOutcome(satker, "-", "failed", error=exc.user_message(),
                                          error_type=type(exc).__name__, reason=f"data {folder}"))
            continue
        for tahun in sorted({int(t) for t in tables["iku"]["tahun"].dropna()}):
            for kuartal in (1, 2, 3, 4):
                period = ReportPeriod(tahun, kuartal)
                if period_filter and period.label not in period_filter:
                    continue
                try:
                    if check_period_data(tables, satker, period, framework) is None:
                        jobs.append(ReportJob(satker, period.label, str(folder)))
                except LakinError:
                    continue
    return jobs, problems


# --------------------------------------------------------------------------- fingerprints
def _sha(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(len(chunk).to_bytes(8, "little"))
        h.update(chunk)
    return h.hexdigest()


def _owner(stem: str, slugs: set[str]) -> str | None:
    """The satker a per-satker file belongs to: the longest slug equal to its name or followed by '-' in it
    (the rule of lakin.data.load, in time proportional to the name instead of to the number of units)."""
    parts = stem.split("-")
    for n in range(len(parts), 0, -1):
        candidate = "-".join(parts[:n])
        if candidate in slugs:
            return candidate
    return None


def _satker_column(header: list[str]) -> int | None:
    names = [h.strip().lstrip("\ufeff\xef\xbb\xbf") for h in header]
    return names.index("satker") if "satker" in names else None


_UNITS: dict[str, tuple[tuple, set[str], dict[str, bytes]]] = {}


def _units_index(path: Path) -> tuple[set[str], dict[str, bytes]]:
    """satker.csv: the units it names, and each unit's header and row(s) as bytes (see `_rows`),
    remembered until the file changes."""
    stat = path.stat()
    token = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _UNITS.get(str(path))
    if cached is not None and cached[0] == token:
        return cached[1], cached[2]
    reader = csv.reader(io.StringIO(path.read_bytes().decode("latin-1"), newline=""))
    header = next(reader, [])
    column = _satker_column(header)
    records: dict[str, list[list[str]]] = {}
    for record in reader:
        key = record[column].strip() if column is not None and column < len(record) else ""
        records.setdefault(key, []).append(record)
    rows = {}
    for key, group in records.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([header, *group])
        rows[key] = out.getvalue().encode("latin-1")
    slugs = set(records) - {""}
    if time.time_ns() - stat.st_mtime_ns > RACY_NS:
        _UNITS[str(path)] = (token, slugs, rows)
    return slugs, rows


def _rows(raw: bytes, keep) -> bytes:
    """The header and the records `keep(satker_cell)` accepts, of a CSV, re-serialised byte for byte
    (latin-1 maps every byte to one character, so any change to a kept record changes the result)."""
    reader = csv.reader(io.StringIO(raw.decode("latin-1"), newline=""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = next(reader, None)
    if header is None:
        return b""
    writer.writerow(header)
    column = _satker_column(header)
    if column is None:
        return raw  # not split by unit: all of it
    for record in reader:
        cell = record[column].strip() if column < len(record) else ""
        if keep(cell):
            writer.writerow(record)
    return out.getvalue().encode("latin-1")


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"
                  and not any(part == "__pycache__" or part.startswith(".") for part in p.relative_to(folder).parts))


_LISTINGS: dict[str, tuple[tuple, dict[str | None, list[str]]]] = {}


def _csv_by_owner(folder: Path, slugs: set[str]) -> dict[str | None, list[str]]:
    """The CSV file names of a table folder grouped by the unit owning them (None: shared by all units),
    remembered until the folder changes (so that 1,000 units' fingerprints list each folder once)."""
    try:
        mtime = folder.stat().st_mtime_ns
    except OSError:
        return {}
    token = (mtime, hash(frozenset(slugs)))
    cached = _LISTINGS.get(str(folder))
    if cached is not None and cached[0] == token:
        return cached[1]
    groups: dict[str | None, list[str]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".csv") and entry.is_file():
                groups.setdefault(_owner(entry.name[:-4], slugs), []).append(entry.name)
    for names in groups.values():
        names.sort()
    if time.time_ns() - mtime > RACY_NS:
        _LISTINGS[str(folder)] = (token, groups)
    return groups


def unit_data_digest(data_dir: str | Path, satker: str) -> str:
    """sha256 of what a unit's report reads: its satker.csv row, its own files, its rows of shared files
    (and rows of no known unit, which fail validation), and its analysts' texts (narasi/<satker>/)."""
    from lakin.data.load import TABLES

    data_dir = Path(data_dir)
    slugs, unit_rows = _units_index(data_dir / TABLES["satker"].file)
    chunks: list[bytes] = [b"satker.csv", unit_rows.get(satker, b"")]

    def shared(cell: str) -> bool:
        return cell == satker or cell not in slugs

    for name, table in TABLES.items():
        if name == "satker":
            continue
        single = data_dir / table.file
        files = [(single, _owner(single.stem, slugs))] if single.is_file() else []
        groups = _csv_by_owner(data_dir / table.name, slugs)
        files += [(data_dir / table.name / n, owner) for owner in (satker, None) for n in groups.get(owner, [])]
        for path, owner in files:
            if owner is not None and owner != satker:
                continue
            content = path.read_bytes()
            if owner is None and table.per_satker:
                content = _rows(content, shared)
            chunks += [path.relative_to(data_dir).as_posix().encode(), content]
    for path in _files_under(data_dir / "narasi" / satker):
        chunks += [path.relative_to(data_dir).as_posix().encode(), path.read_bytes()]
    return _sha(*chunks)


def notebooks_digest(notebook_dir: str | Path | None = None) -> str:
    """sha256 of the chapter notebooks as papermill runs them: cell types, sources, tags and the chapter
    metadata, not their saved outputs (re-executing the committed examples changes no report)."""
    from lakin.pipeline.execute import NOTEBOOK_DIR, PROJECT_DIR

    folder = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    chunks: list[bytes] = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [(c.get("cell_type"), "".join(c.get("source", "")), c.get("metadata", {}).get("tags", []))
                 for c in nb.get("cells", [])]
        meta = {k: nb.get("metadata", {}).get(k) for k in ("lakin", "kernelspec")}
        chunks += [path.name.encode(), json.dumps([meta, cells], sort_keys=True).encode()]
    quarto = PROJECT_DIR / "_quarto.yml"
    if quarto.is_file():
        chunks += [b"_quarto.yml", quarto.read_bytes()]
    return _sha(*chunks)


def _tree_digest(folder: Path, exclude: Path | None = None) -> str:
    chunks: list[bytes] = []
    for path in _files_under(folder):
        if exclude is not None and exclude in path.parents:
            continue
        chunks += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return _sha(*chunks)


@cache
def _environment() -> str:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return json.dumps(versions, sort_keys=True)


@dataclass(frozen=True)
class Fingerprint:
    """The sha256 of a report's inputs, and of each part (to say what changed)."""

    digest: str
    parts: dict[str, str]


def shared_parts(engine: str = "auto") -> dict[str, str]:
    """The fingerprint parts every report shares: chapter notebooks, frameworks, lakin, render engine."""
    from lakin.pipeline.render import get_engine

    frameworks = PACKAGE_DIR / "rules" / "frameworks"
    return {
        "notebooks": notebooks_digest(),
        "frameworks": _tree_digest(frameworks),
        "lakin": _sha(__version__.encode(), _tree_digest(PACKAGE_DIR, exclude=frameworks).encode(),
                      _environment().encode()),
        "engine": get_engine(engine).name,
    }


def fingerprint(satker: str, period: str, formats: Iterable[str], data_dir: str | Path, engine: str = "auto",
                shared: dict[str, str] | None = None) -> Fingerprint:
    """What a report is built from; the report is rebuilt when this changes. `shared`: `shared_parts(engine)`
    computed once for many reports."""
    shared = dict(shared or shared_parts(engine))
    request = {"satker": satker, "periode": validate_period(period).label, "formats": sorted(set(formats)),
               "engine": shared.pop("engine")}
    parts = {"data": unit_data_digest(data_dir, satker), **shared,
             "request": _sha(json.dumps(request, sort_keys=True).encode())}
    return Fingerprint(_sha(json.dumps(parts, sort_keys=True).encode()), parts)


def read_stamp(out_dir: Path) -> dict | None:
    """The build record of a finished report, or None (never built, being rebuilt, or unreadable)."""
    try:
        stamp = json.loads((out_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("format") == STAMP_FORMAT else None


def staleness(out_dir: Path, fp: Fingerprint) -> str | None:
    """Why the report in `out_dir` must be (re)built, or None when it is up to date."""
    stamp = read_stamp(out_dir)
    if stamp is None:
        return "belum dibangun"
    if stamp.get("fingerprint") != fp.digest:
        old = stamp.get("parts") or {}
        changed = [PART_NAMES.get(k, k) for k, v in fp.parts.items() if old.get(k) != v]
        return "berubah: " + ", ".join(changed or ["sidik"])
    missing = [name for name in (stamp.get("files") or {}).values() if not (out_dir / name).exists()]
    if missing:
        return f"berkas hilang: {', '.join(sorted(missing))}"
    return None


def _write_stamp(out_dir: Path, fp: Fingerprint, formats: Sequence[str], result) -> None:
    files = {kind: path.name for kind, path in result.files.items()}
    files["notebooks"] = "notebooks"
    stamp = {
        "format": STAMP_FORMAT, "satker": result.run.params.satker, "periode": result.run.params.period.label,
        "formats": list(formats), "fingerprint": fp.digest, "parts": fp.parts, "files": files,
        "chapters": [ch.name for ch in result.run.chapters], "lakin": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
    }
    write_text(out_dir / STAMP_NAME, json.dumps(stamp, indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- one job
def _peak_mb(pid: int | None = None) -> float | None:
    """Peak resident memory (MB) of a process (this one by default), from /proc (VmHWM) or psutil."""
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:
        return None


def _resources() -> tuple[dict[str, float], dict[str, int]]:
    """This worker's peak memory (its own and its warm kernel's) and kernel counters.

    Not pandoc's: RUSAGE_CHILDREN would report the worker's own size (a child's RSS right after fork)."""
    from lakin.pipeline import engine

    state = engine.status()
    memory = {"worker": _peak_mb(), "kernel": _peak_mb(state["kernel_pid"]) if state["kernel_pid"] else None}
    kernel = {"starts": state["starts"], "runs": state["runs"]}
    return {k: round(v, 1) for k, v in memory.items() if v is not None}, kernel


def build_report(satker: str, period: str, formats: Sequence[str], data_dir: str, reports_root: str,
                 force: bool = False, engine: str = "auto", engine_name: str | None = "lakin-warm") -> ReportOutcome:
    """Build one report unless it is up to date; never raises for a failing report (the outcome says why).

    The stamp is removed before building and written, atomically, only after every output is in place.
    """
    from importlib import import_module

    from lakin.pipeline import build as building

    import_module(".engine", __package__)  # registers the `lakin-warm` papermill engine

    start = time.perf_counter()
    outcome = ReportOutcome(satker, period, "failed", worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        formats = parse_formats(formats)
        fp = fingerprint(satker, period, formats, data_dir, engine)
        out_dir = report_dir(reports_root, satker, period)
        reason = staleness(out_dir, fp)
        if reason is None and not force:
            outcome.status, outcome.reason = "skipped", "mutakhir"
        else:
            outcome.reason = reason or "--force"
            (out_dir / STAMP_NAME).unlink(missing_ok=True)
            result = building.build(satker, period, data_dir, reports_root, formats=formats, engine=engine,
                                    engine_name=engine_name)
            _write_stamp(result.out_dir, fp, formats, result)
            outcome.status = "ok"
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
    if outcome.status != "skipped":
        with contextlib.suppress(Exception):
            outcome.memory_mb, outcome.kernel = _resources()
    return outcome


# --------------------------------------------------------------------------- workers
def _warm_up_quietly() -> None:
    from lakin.pipeline import engine

    try:
        engine.warm_up()
    except Exception as exc:  # the first report will try again (and fail with the cause if it persists)
        print(f"lakin: kernel hangat gagal dimulai: {exc}", file=sys.stderr)


class WarmKernelPlugin(WorkerPlugin):
    """Dask worker plugin: start the worker's warm kernel when it joins, stop it when it closes.

    The kernel starts in a background thread so the worker registers at once; the first report waits for
    it on the engine's own thread. Local workers (`ignore_interrupt`) ignore Ctrl-C, which the batch
    handles: it lets the reports being built finish instead of killing them half-way.
    """

    idempotent = True  # registering again (another batch on the same cluster) keeps the warm kernels
    name = PLUGIN_NAME

    def __init__(self, ignore_interrupt: bool = False):
        self.ignore_interrupt = ignore_interrupt

    def setup(self, worker) -> None:
        if self.ignore_interrupt:
            with contextlib.suppress(ValueError):  # only possible on the main thread
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_warm_up_quietly, name="lakin-warm-up", daemon=True).start()

    def teardown(self, worker) -> None:
        from lakin.pipeline import engine

        engine.shutdown()


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _reports_lock(root: Path):
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
        """A line for the user (workers starting, Ctrl-C received)."""

    def stop(self) -> None:
        """The batch is over."""


def _outcome(future, job: ReportJob) -> ReportOutcome:
    try:
        return future.result()
    except Exception as exc:  # the worker died (KilledWorker) or the job could not be sent
        return ReportOutcome(job.satker, job.period, "failed", error=f"{type(exc).__name__}: {exc}",
                             error_type=type(exc).__name__, reason="worker gagal")


def run_batch(jobs: Sequence[ReportJob], formats: str | Iterable[str] = DEFAULT_FORMATS,
              reports_root: str | Path = "reports", *, workers: int | None = None, scheduler: str | None = None,
              client=None, force: bool = False, engine: str = "auto", reporter: Reporter | None = None) -> BatchResult:
    """Build every job's report on Dask workers; one failing report never stops the others.

    Without `scheduler` or `client`, starts a local cluster of `workers` processes (default: one per CPU)
    and first checks here which reports are up to date, so that a batch with nothing to do starts no
    worker. With `scheduler` (address) or `client` (a connected `distributed.Client`), the workers decide.
    At most as many reports as the cluster has threads are submitted at a time, so that Ctrl-C (or a
    KeyboardInterrupt raised by `reporter`) leaves nothing queued: reports being built finish, a second
    Ctrl-C abandons them, and the rest are reported as cancelled.
    """
    from distributed import Client, LocalCluster, as_completed

    started = time.perf_counter()
    formats = parse_formats(formats)
    reporter = reporter or Reporter()
    root = Path(reports_root).resolve()
    unique: dict[str, ReportJob] = {}
    for item in jobs:
        unique.setdefault(item.name, item)  # the same report twice would be built twice at once
    jobs = list(unique.values())
    outcomes: dict[str, ReportOutcome] = {}
    with _reports_lock(root), contextlib.ExitStack() as stack:
        stack.callback(reporter.stop)
        cleaned = clean_stale(root)
        if cleaned:
            reporter.message(f"{cleaned} berkas sementara dari batch yang terhenti dihapus")
        local = scheduler is None and client is None
        shared = shared_parts(engine) if local and not force else None
        todo: list[ReportJob] = []
        for item in jobs:
            if local and not force:
                try:
                    fp = fingerprint(item.satker, item.period, formats, item.data_dir, engine, shared)
                    if staleness(report_dir(root, item.satker, item.period), fp) is None:
                        outcomes[item.name] = ReportOutcome(item.satker, item.period, "skipped", reason="mutakhir")
                        continue
                except Exception:  # unreadable inputs: let the job report the cause
                    pass
            todo.append(item)
        reporter.start(len(todo), len(outcomes))
        n_workers = 0
        interrupted = False
        if todo:
            cluster = own_client = None
            pending = deque(todo)
            inflight: dict[str, tuple] = {}
            try:
                if client is None:
                    if scheduler:
                        reporter.message(f"Menghubungi penjadwal Dask {scheduler}")
                        client = own_client = Client(scheduler)
                    else:
                        n = min(workers or default_workers(), len(todo))
                        reporter.message(f"Memulai {n} worker lokal")
                        import logging

                        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                               dashboard_address=":0", silence_logs=logging.ERROR)
                        client = own_client = Client(cluster)
                client.register_plugin(WarmKernelPlugin(ignore_interrupt=cluster is not None), name=PLUGIN_NAME)
                batch_id = uuid.uuid4().hex[:8]
                completed = as_completed()

                def top_up() -> None:
                    limit = max(1, sum(client.nthreads().values()))
                    while pending and len(inflight) < limit:
                        item = pending.popleft()
                        future = client.submit(build_report, item.satker, item.period, formats, item.data_dir, str(root),
                                               force, engine, key=f"lakin-build-{item.satker}-{item.period}-{batch_id}",
                                               retries=0)
                        inflight[future.key] = (item, future)
                        completed.add(future)

                def finish(future) -> None:
                    item, _ = inflight.pop(future.key)
                    outcome = _outcome(future, item)
                    outcomes[item.name] = outcome
                    reporter.result(outcome)

                try:
                    top_up()
                    for future in completed:
                        finish(future)
                        top_up()
                except KeyboardInterrupt:
                    interrupted = True
                    reporter.message(f"Dihentikan: menunggu {len(inflight)} laporan yang sedang dibangun "
                                     "(Ctrl-C sekali lagi untuk berhenti segera)")
                    try:
                        for future in as_completed([f for _, f in inflight.values()]):
                            finish(future)
                    except KeyboardInterrupt:
                        client.cancel([f for _, f in inflight.values()])
                        for item, _ in inflight.values():
                            outcomes[item.name] = ReportOutcome(item.satker, item.period, "cancelled",
                                                                reason="dihentikan saat dibangun")
                        inflight.clear()
                n_workers = len(client.nthreads())
            finally:
                if own_client is not None:
                    with contextlib.suppress(Exception):
                        own_client.close()
                if cluster is not None:
                    with contextlib.suppress(Exception):
                        cluster.close()
            for item in pending:
                outcomes[item.name] = ReportOutcome(item.satker, item.period, "cancelled", reason="tidak dimulai")
    ordered = [outcomes[item.name] for item in jobs if item.name in outcomes]
    return BatchResult(ordered, time.perf_counter() - started, n_workers, interrupted, cleaned)


# --------------------------------------------------------------------------- the command
class RichReporter(Reporter):
    """A rich progress bar: done, failed, remaining, rate and ETA."""

    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.progress = None
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}
        self.total = 0
        self.started = time.perf_counter()

    def start(self, total: int, skipped: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.total, self.started = total, time.perf_counter()
        if skipped:
            self.console.print(f"{skipped} laporan mutakhir dilewati")
        if not total:
            return
        self.progress = Progress(
            SpinnerColumn(), TextColumn("Membangun"), BarColumn(), MofNCompleteColumn(),
            TextColumn("ok {task.fields[ok]} · [red]gagal {task.fields[failed]}[/] · sisa {task.fields[remaining]}"),
            TextColumn("· {task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=False)
        self.task = self.progress.add_task("batch", total=total, ok=0, failed=0, remaining=total, rate="-")
        self.progress.start()

    def result(self, outcome: ReportOutcome) -> None:
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        if self.progress is None:
            return
        done = sum(self.counts.values())
        minutes = (time.perf_counter() - self.started) / 60
        rate = f"{done / minutes:.1f} laporan/menit" if minutes > 0 else "-"
        self.progress.update(self.task, advance=1, ok=self.counts["ok"] + self.counts["skipped"],
                             failed=self.counts["failed"], remaining=self.total - done, rate=rate)
        if outcome.status == "failed":
            first = outcome.error.splitlines()[0] if outcome.error else ""
            self.progress.console.print(f"[red]gagal[/] {escape(safe(outcome.name))}: {escape(safe(first))}",
                                        markup=True, highlight=False)

    def message(self, text: str) -> None:
        (self.progress.console if self.progress else self.console).print(safe(text), markup=False, highlight=False)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def print_summary(result: BatchResult, console=None) -> None:
    """The table of every report (status, time, cause of failure), totals, and peak memory per worker."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    table = Table(title="Ringkasan batch", show_lines=False)
    for column in ("Satker", "Periode", "Status", "Waktu", "Keterangan"):
        table.add_column(column, overflow="fold")
    colours = {"ok": "green", "failed": "red", "skipped": "dim", "cancelled": "yellow"}
    for o in result.outcomes:
        note = o.error or o.reason
        if o.notebook and o.notebook not in note:
            note += f"\nNotebook: {o.notebook}"
        table.add_row(Text(safe(o.satker)), Text(safe(o.period)), Text(STATUS_LABELS.get(o.status, o.status),
                                                                       style=colours.get(o.status, "")),
                      f"{o.seconds:.1f} s" if o.status in ("ok", "failed") and o.seconds else "", Text(safe(note)))
    console.print(table)
    built = len(result.ok) + len(result.failed)
    rate = f", {built / result.seconds * 60:.1f} laporan/menit" if built and result.seconds else ""
    console.print(f"{len(result.outcomes)} laporan: {len(result.ok)} ok, {len(result.failed)} gagal, "
                  f"{len(result.skipped)} dilewati (mutakhir), {len(result.by_status('cancelled'))} dibatalkan; "
                  f"{result.seconds:.1f} s dengan {result.workers} worker{rate}", highlight=False)
    for worker, peak in sorted(result.peak_memory().items()):
        console.print(f"Memori puncak {worker}: worker {peak.get('worker', 0):.0f} MB + kernel "
                      f"{peak.get('kernel', 0):.0f} MB = {peak['total']:.0f} MB", highlight=False)
    if result.interrupted:
        console.print("Batch dihentikan; jalankan lagi untuk menyelesaikan sisanya.")
    if os.environ.get("LAKIN_DEBUG"):
        for o in result.failed:
            if o.detail:
                console.print(safe(f"{o.name}:\n{o.detail}"), markup=False, highlight=False)


def params_source(params_dir: str | Path | None, data_dir: str | Path) -> Path | None:
    """Where `lakin batch` finds its reports: the given params folder; else <data>/params/ or, for the
    project's own data/, ./params/; else None (the reports the data supports, `discover_data`)."""
    if params_dir is not None:
        return Path(params_dir)
    data = Path(data_dir)
    if (data / "params").is_dir():
        return data / "params"
    project = Path("params")
    if project.is_dir() and data.resolve() == Path("data").resolve():
        return project
    return None


def main(params_dir: str | Path | None = "params", data_dir: str | Path = "data", reports_root: str | Path = "reports",
         units: str | Iterable[str] | None = None, periods: str | Iterable[str] | None = None,
         formats: str | Iterable[str] = DEFAULT_FORMATS, workers: int | None = None, scheduler: str | None = None,
         force: bool = False) -> int:
    """`lakin batch`: build the requested reports with a progress bar and a summary; returns the exit code."""
    formats = parse_formats(formats)
    params_dir = params_source(params_dir, data_dir)
    if params_dir is None:
        jobs, problems = discover_data(data_dir, units, periods)
    else:
        jobs, problems = discover(params_dir, data_dir, units, periods)
    if not jobs and not problems:
        raise BatchError(f"Tidak ada laporan yang cocok di {params_dir or data_dir}"
                         + (f" (--units {','.join(_split(units))})" if units else "")
                         + (f" (--periods {','.join(_split(periods))})" if periods else ""))
    result = run_batch(jobs, formats, reports_root, workers=workers, scheduler=scheduler, force=force,
                       reporter=RichReporter())
    if problems:
        result = replace(result, outcomes=problems + result.outcomes)
    print_summary(result)
    return result.exit_code


__all__ = ["BatchError", "BatchResult", "Fingerprint", "ReportJob", "ReportOutcome", "Reporter", "RichReporter",
           "WarmKernelPlugin", "build_report", "discover", "discover_data", "fingerprint", "main", "notebooks_digest", "print_summary",
           "read_stamp", "run_batch", "shared_parts", "staleness", "unit_data_digest"]
