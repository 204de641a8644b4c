"""What a batch builds and what became of it: jobs found from params files or from the data, and outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lakin.atomic import TMP_PREFIX
from lakin.data.load import load, read_table
from lakin.data.params import load_params_file, validate_period, validate_satker
from lakin.data.periods import ReportPeriod
from lakin.errors import BatchError, LakinError
from lakin.pipeline.execute import check_period_data
from lakin.rules.frameworks import load_framework

__all__ = ["BatchResult", "ReportJob", "ReportOutcome", "ReportStatus", "discover", "discover_data", "split_values"]


class ReportStatus(StrEnum):
    """What happened to one report (the values are what the records and JSON say)."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"  # up to date
    CANCELLED = "cancelled"  # the batch was interrupted before or while building it


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
    status: ReportStatus
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
    address: str = ""  # the Dask worker that built it (to recycle the worker after N reports)
    attempts: int = 1  # 2: the first worker died while building it, and it was built again from scratch

    def __post_init__(self) -> None:
        self.status = ReportStatus(self.status)

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
    recycled: int = 0  # worker processes restarted after `recycle_after` reports
    retried: int = 0  # reports built again because their worker died

    def by_status(self, status: str) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> list[ReportOutcome]:
        return self.by_status(ReportStatus.OK)

    @property
    def failed(self) -> list[ReportOutcome]:
        return self.by_status(ReportStatus.FAILED)

    @property
    def skipped(self) -> list[ReportOutcome]:
        return self.by_status(ReportStatus.SKIPPED)

    @property
    def exit_code(self) -> int:
        """130 when interrupted, 1 when a report failed, else 0."""
        return 130 if self.interrupted else 1 if self.failed else 0

    def per_minute(self) -> float | None:
        """Reports built (ok or failed) per minute of the batch, or None when none was built."""
        built = len(self.ok) + len(self.failed)
        return built / self.seconds * 60 if built and self.seconds else None

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


def split_values(values: str | Iterable[str] | None) -> list[str]:
    """Comma-separated and/or repeated option values (`--units a,b --units c`), stripped, empty ones dropped."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def discover(params_dir: str | Path, data_dir: str | Path = "data", units: str | Iterable[str] | None = None,
             periods: str | Iterable[str] | None = None) -> tuple[list[ReportJob], list[ReportOutcome]]:
    """The reports asked for by params/<satker>/<period>.yaml (filtered by units and periods), and the params
    files that could not be read (or ask for a report another file already asked for), as failed outcomes.
    A file without `data_dir` reads `data_dir`; relative paths are taken from the current directory."""
    params_dir = Path(params_dir)
    if not params_dir.is_dir():
        raise BatchError(f"Direktori params '{params_dir}' tidak ditemukan")
    unit_filter = {validate_satker(u) for u in split_values(units)}
    period_filter = {validate_period(p).label for p in split_values(periods)}
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
            problems.append(ReportOutcome(path.parent.name, path.stem, ReportStatus.FAILED, error=exc.user_message(),
                                          error_type=type(exc).__name__, reason=f"params {path}"))
            continue
        if unit_filter and params.satker not in unit_filter:
            continue
        if period_filter and params.period.label not in period_filter:
            continue
        key = (params.satker, params.period.label)
        if key in jobs:
            problems.append(ReportOutcome(*key, ReportStatus.FAILED, error_type="BatchError", reason=f"params {path}",
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
    folder = Path(data_dir).resolve()
    if not (folder / "satker.csv").is_file():
        raise BatchError(f"Direktori data '{data_dir}' tidak berisi satker.csv; tidak ada laporan untuk dibangun")
    unit_filter = {validate_satker(u) for u in split_values(units)}
    period_filter = {validate_period(p).label for p in split_values(periods)}
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
            problems.append(ReportOutcome(satker, "-", ReportStatus.FAILED, error=exc.user_message(),
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
