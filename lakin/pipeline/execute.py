"""Executing the chapter notebooks of one report with papermill.

Executed notebooks land in reports/<satker>/<period>/notebooks/ only when every chapter succeeded;
a failing chapter's notebook (with papermill's error banner) is kept in .../gagal/ for inspection.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from lakin.atomic import TMP_PREFIX, atomic_dir, folder_lock
from lakin.data.load import Dataset, find_data_dir, load, read_table
from lakin.data.params import ReportParams, make_params, report_dir
from lakin.errors import (
    ChapterFailure, DataValidationError, ExecutionError, FolderLocked, LakinError, NoDataError, ReportLockedError,
)
from lakin.pipeline.incremental import ChapterReuse
from lakin.pipeline.render.notebooks import text_of
from lakin.present.outlines import excluded_notebooks
from lakin.rules.frameworks import Framework, load_framework
from lakin.rules.requirements import REQUIREMENTS

__all__ = [
    "KERNELS", "KERNEL_NAME", "KERNEL_QUIET", "LOCK_PREFIX", "NOTEBOOK_DIR", "PROJECT_DIR", "REPORTS_DIR",
    "Chapter", "Plan", "RunResult", "chapters", "chapters_for", "check_period_data",
    "execute_chapter", "execute_chapters", "is_temporary", "kernel_engine", "prepare", "report_lock", "run",
    "warm_up_kernel",
]

PROJECT_DIR = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
REPORTS_DIR = Path("reports")
KERNEL_NAME = "python3"
# The papermill engine of `--kernel warm|cold`: one warm kernel for all chapters of a report (lakin.pipeline.engine:
# a fresh namespace per notebook, proven by tests/test_engine.py), or None, papermill's default engine (a new
# kernel per chapter).
KERNELS = {"warm": "lakin-warm", "cold": None}
# The kernel's own log (transport warnings, shutdown notices) is noise on the user's terminal.
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]
# reports/<satker>/.lakin-lock-<period>: the lock file of one report folder (beside it, as the folder is
# replaced whole when a build is published).
LOCK_PREFIX = ".lakin-lock-"

@dataclass(frozen=True)
class Chapter:
    """One chapter notebook and what it needs from the data to be part of a report."""

    name: str
    path: Path
    title: str
    numbered: bool
    requires: str | None


def kernel_engine(kernel: str) -> str | None:
    """The papermill engine for `--kernel warm|cold`."""
    if kernel not in KERNELS:
        raise LakinError(f"--kernel harus salah satu dari: {', '.join(KERNELS)}")
    return KERNELS[kernel]


def chapters(notebook_dir: Path | None = None) -> list[Chapter]:
    """Every chapter notebook in order (file name order), with its metadata."""
    folder = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        # plain JSON: reading a chapter's metadata needs no notebook validation
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("lakin", {}).get("chapter")
        if not meta:
            continue
        found.append(Chapter(path.stem, path, meta["title"], bool(meta.get("numbered", True)), meta.get("requires")))
    return found


def chapters_for(tables, notebook_dir: Path | None = None, period=None) -> list[Chapter]:
    """The chapters a unit's data supports (a chapter whose requirement is unmet is left out) and, given the
    report period, its outline uses (lakin/outlines: a quarterly report has no Lampiran)."""
    out = []
    skip = excluded_notebooks(period) if period is not None else set()
    for ch in chapters(notebook_dir):
        if ch.name in skip:
            continue
        if ch.requires:
            predicate = REQUIREMENTS.get(ch.requires)
            if predicate is None:
                raise LakinError(f"Bab '{ch.name}' memerlukan '{ch.requires}' yang tidak dikenal")
            if not predicate(tables):
                continue
        out.append(ch)
    return out


@dataclass
class RunResult:
    """Where a run's executed notebooks are, how long each chapter took, and which chapters were reused
    from the previous build unchanged (lakin.pipeline.incremental)."""

    params: ReportParams
    out_dir: Path
    notebooks: list[Path]
    chapters: list[Chapter]
    seconds: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def _failure(chapter: Chapter, nb_path: Path, exc: Exception) -> ChapterFailure:
    cell_index, source = None, ""
    try:
        nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell.get("cell_type") == "code" and any(o.get("output_type") == "error"
                                                       for o in cell.get("outputs", [])):
                cell_index, source = i, text_of(cell.get("source", ""))
                break
    except Exception:  # the notebook may not exist if the kernel failed to start
        pass
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return ChapterFailure(chapter.name, str(nb_path), cell_index, ename, evalue, source)


def execute_chapter(chapter: Chapter, output: Path, params: ReportParams, kernel: str | None = None,
                    on_cell: Callable[[dict], None] | None = None) -> None:
    """Run one chapter notebook with papermill (parameters are validated scalars only) on the papermill engine
    `kernel` (KERNELS: the warm kernel, or None for a new kernel). The warm kernel calls `on_cell` with each cell
    as soon as it ran."""
    import papermill  # only when a chapter runs (warm_up_kernel)

    kwargs: dict = {}
    if kernel:
        kwargs["engine_name"] = kernel
    if on_cell is not None and kernel == KERNELS["warm"]:
        kwargs["on_cell"] = on_cell
    papermill.execute_notebook(
        str(chapter.path), str(output), parameters=params.as_notebook_parameters(),
        cwd=str(chapter.path.parent), kernel_name=KERNEL_NAME, progress_bar=False,
        log_output=False, request_save_on_cell_execute=False, extra_arguments=KERNEL_QUIET, **kwargs,
    )


def warm_up_kernel(kernel: str | None) -> None:
    """Start this process's warm kernel in the background, when `kernel` is the warm engine (KERNELS).

    Only the kernel's own module (lakin.pipeline.warm, with jupyter_client: about 0.15 s) is imported here; the
    papermill engine (papermill and nbformat: 0.35 s more) in `execute_chapter`, when a chapter is about to run,
    while the kernel is still starting. A rebuild that executes none (an edited text, nothing changed, a --strict
    build refused) loads neither."""
    if kernel == KERNELS["warm"]:
        from lakin.pipeline import warm

        warm.warm_up(KERNEL_NAME, wait=False)


@dataclass
class Plan:
    """What a run will execute, decided from the data before any kernel starts."""

    params: ReportParams
    chapters: list[Chapter]
    warnings: list[str] = field(default_factory=list)
    valid: bool = True  # False: the data breaks the contract (the first chapter shows where, notebook kept)
    dataset: Dataset | None = None  # the unit's data as validated here (the build's report model reads it)
    framework: Framework | None = None


def check_period_data(tables, satker: str, period, framework) -> str | None:
    """Raise NoDataError when the data holds no indicator or target for the report period; return a warning
    when it holds targets but no results yet (a report of N/A)."""
    iku, nilai = tables["iku"], tables["iku_nilai"]
    years = sorted(int(t) for t in set(iku["tahun"].dropna()))
    if iku[iku["tahun"] == period.tahun].empty:
        raise NoDataError(f"Tidak ada data indikator untuk {satker} tahun {period.tahun} di iku "
                          f"(tahun tersedia: {', '.join(map(str, years)) or 'tidak ada'}); laporan {period.label} "
                          "tidak dapat dibuat")
    column = period.data_period(framework.periode)
    rows = nilai[(nilai["tahun"] == period.tahun) & (nilai["periode"] == column)]
    if rows.empty or rows["target"].isna().all():
        raise NoDataError(f"Tidak ada target di iku_nilai untuk {satker} tahun {period.tahun} periode {column}; "
                          f"laporan {period.label} tidak dapat dibuat")
    if rows["realisasi"].isna().all():
        return (f"Data {satker} {period.label} hanya berisi target (kolom realisasi iku_nilai periode {column} "
                "kosong): laporan akan berisi N/A")
    return None


def prepare(satker: str, periode: str, data_dir: str | Path | None = None, notebook_dir: Path | None = None,
            strict: bool = False) -> Plan:
    """Validate parameters and the data for the period, and choose the chapters; starts no kernel.

    Raises NoDataError for a period without data; with `strict`, also for a period with targets only.
    Data that breaks the contract is not refused here: it surfaces in the first chapter's setup cell,
    whose notebook is kept for inspection."""
    data_path = find_data_dir(data_dir).resolve()
    if not data_path.is_dir():
        raise NoDataError(f"Direktori data '{data_path}' tidak ditemukan atau bukan folder")
    units = read_table(data_path, "satker")
    params = make_params(satker, periode, str(data_path), known_satker=units["satker"].tolist())
    warnings: list[str] = []
    try:
        ds = load(data_path, satker=params.satker)
    except DataValidationError:
        return Plan(params, chapters(notebook_dir), warnings, valid=False)
    tables = ds.for_satker(params.satker)
    framework = load_framework(ds.unit(params.satker)["kerangka"], data_path)
    warning = check_period_data(tables, params.satker, params.period, framework)
    if warning:
        if strict:
            raise NoDataError(f"{warning}. Ditolak karena --strict.")
        warnings.append(warning)
    return Plan(params, chapters_for(tables, notebook_dir, params.period), warnings, dataset=ds, framework=framework)


def execute_chapters(plan: Plan, target: Path, failed: Path, kernel: str | None = KERNELS["warm"],
                     progress: Callable[[str], None] | None = None,
                     reuse: ChapterReuse | None = None,
                     executed: Callable[[Path], None] | None = None,
                     on_cell: Callable[[dict], None] | None = None) -> dict[str, float]:
    """Execute the plan's chapters into `target`; a failing chapter's notebook is kept in `failed`. With
    `reuse`, a chapter whose inputs did not change since the previous build takes that build's notebook.
    `executed` is called with each chapter's notebook as soon as it is written (the build draws its charts
    then, while the kernel runs the next chapter); `on_cell` with each cell the warm kernel ran, as soon as it
    ran (the build's child draws a cell's charts while the kernel runs the next cell)."""
    seconds: dict[str, float] = {}
    total = len(plan.chapters)
    for i, ch in enumerate(plan.chapters, 1):
        output = target / f"{ch.name}.ipynb"
        if progress:
            progress(f"[{i}/{total}] bab {ch.name}: {ch.title}")
        if reuse is not None and reuse.take(ch, output):
            if progress and ch.name in reuse.refreshed:
                progress("      hanya teks analis yang berubah: teks baru dimasukkan ke hasil eksekusi sebelumnya")
            elif progress:
                progress("      tidak berubah: hasil eksekusi sebelumnya dipakai")
            continue
        start = time.perf_counter()
        if reuse is not None:
            reuse.executing(ch)
        try:
            execute_chapter(ch, output, plan.params, kernel, on_cell)
        except Exception as exc:  # papermill raises PapermillExecutionError; kernels may die
            shutil.rmtree(failed, ignore_errors=True)
            failed.mkdir(parents=True)
            kept = failed / output.name
            if output.exists():
                shutil.copy2(output, kept)
            raise ExecutionError(_failure(ch, kept, exc)) from None
        if reuse is not None:
            reuse.executed(ch)
        if executed is not None:
            executed(output)
        seconds[ch.name] = time.perf_counter() - start
        if progress:
            progress(f"      selesai dalam {seconds[ch.name]:.1f} detik".replace(".", ","))
    return seconds


@contextlib.contextmanager
def report_lock(out_dir: Path) -> Iterator[None]:
    """Hold the lock of one report folder (reports/<satker>/.lakin-lock-<period>) while it is built;
    ReportLockedError (naming the folder and the holder's pid) when another process holds it."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(folder_lock(out_dir.parent / f"{LOCK_PREFIX}{out_dir.name}"))
        except FolderLocked as exc:  # only taking the lock: errors of the build itself pass through
            raise ReportLockedError(str(out_dir), exc.pid, str(exc.lock)) from None
        yield


def run(satker: str, periode: str, data_dir: str | Path | None = None, reports_root: str | Path = REPORTS_DIR,
        notebook_dir: Path | None = None, kernel: str | None = KERNELS["warm"],
        progress: Callable[[str], None] | None = None, strict: bool = False) -> RunResult:
    """Execute every chapter a unit's data supports into reports/<satker>/<period>/notebooks/ on the papermill
    engine `kernel` (KERNELS)."""
    plan = prepare(satker, periode, data_dir, notebook_dir, strict)
    for warning in plan.warnings:
        if progress:
            progress(f"Peringatan: {warning}")
    params = plan.params
    out_dir = report_dir(reports_root, params.satker, params.period)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "notebooks"
    with report_lock(out_dir), atomic_dir(target) as tmp:
        seconds = execute_chapters(plan, tmp, out_dir / "gagal", kernel, progress)
    shutil.rmtree(out_dir / "gagal", ignore_errors=True)
    notebooks = [target / f"{ch.name}.ipynb" for ch in plan.chapters]
    return RunResult(params, out_dir, notebooks, plan.chapters, seconds)


def is_temporary(path: Path) -> bool:
    """Whether a path is one of lakin's temporaries (`.lakin-tmp-*`)."""
    return path.name.startswith(TMP_PREFIX)
