"""Executing the chapter notebooks of one report with papermill.

Executed notebooks land in reports/<satker>/<period>/notebooks/ only when every chapter succeeded;
a failing chapter's notebook (with papermill's error banner) is kept in .../gagal/ for inspection.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from .atomic import TMP_PREFIX, atomic_dir
from .errors import ChapterFailure, ExecutionError, LakinError
from .params import ReportParams, make_params, report_dir

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
REPORTS_DIR = Path("reports")
KERNEL_NAME = "python3"
# One warm kernel for all chapters of a report (lakin.engine: a fresh namespace per notebook, proven by
# tests/test_engine.py); None means papermill's default engine, a new kernel per chapter.
KERNELS = {"warm": "lakin-warm", "cold": None}
# The kernel's own log (transport warnings, shutdown notices) is noise on the user's terminal.
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]


@dataclass(frozen=True)
class Chapter:
    """One chapter notebook and what it needs from the data to be part of a report."""

    name: str
    path: Path
    title: str
    numbered: bool
    requires: str | None


def _has_revenue(tables) -> bool:
    from .revenue import has_revenue

    return has_revenue(tables)


def _has_budget(tables) -> bool:
    from .budget import has_budget

    return has_budget(tables)


# Data a chapter may require, by the name used in the notebook's `lakin.chapter.requires` metadata.
REQUIREMENTS: dict[str, Callable] = {"penerimaan": _has_revenue, "anggaran": _has_budget}


def kernel_engine(kernel: str) -> str | None:
    """The papermill engine for `--kernel warm|cold`."""
    if kernel not in KERNELS:
        raise LakinError(f"--kernel harus salah satu dari: {', '.join(KERNELS)}")
    return KERNELS[kernel]


def register_requirement(name: str, predicate: Callable) -> None:
    """Let a new chapter declare a data requirement by name."""
    REQUIREMENTS[name] = predicate


def chapters(notebook_dir: Path | None = None) -> list[Chapter]:
    """Every chapter notebook in order (file name order), with its metadata."""
    folder = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("lakin", {}).get("chapter")
        if not meta:
            continue
        found.append(Chapter(path.stem, path, meta["title"], bool(meta.get("numbered", True)), meta.get("requires")))
    return found


def chapters_for(tables, notebook_dir: Path | None = None) -> list[Chapter]:
    """The chapters a unit's data supports (a chapter whose requirement is unmet is left out)."""
    out = []
    for ch in chapters(notebook_dir):
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
    """Where a run's executed notebooks are, and how long each chapter took."""

    params: ReportParams
    out_dir: Path
    notebooks: list[Path]
    chapters: list[Chapter]
    seconds: dict[str, float] = field(default_factory=dict)


def _failure(chapter: Chapter, nb_path: Path, exc: Exception) -> ChapterFailure:
    cell_index, source = None, ""
    try:
        nb = nbformat.read(nb_path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                cell_index, source = i, cell.source
                break
    except Exception:  # the notebook may not exist if the kernel failed to start
        pass
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return ChapterFailure(chapter.name, str(nb_path), cell_index, ename, evalue, source)


def execute_chapter(chapter: Chapter, output: Path, params: ReportParams, engine_name: str | None = None) -> None:
    """Run one chapter notebook with papermill (parameters are validated scalars only)."""
    import papermill as pm

    kwargs = {}
    if engine_name:
        kwargs["engine_name"] = engine_name
    pm.execute_notebook(
        str(chapter.path), str(output), parameters=params.as_notebook_parameters(),
        cwd=str(chapter.path.parent), kernel_name=KERNEL_NAME, progress_bar=False,
        log_output=False, request_save_on_cell_execute=False, extra_arguments=KERNEL_QUIET, **kwargs,
    )


def run(satker: str, periode: str, data_dir: str | Path | None = None, reports_root: str | Path = REPORTS_DIR,
        notebook_dir: Path | None = None, engine_name: str | None = KERNELS["warm"]) -> RunResult:
    """Execute every chapter a unit's data supports into reports/<satker>/<period>/notebooks/."""
    from .data import find_data_dir, load, read_table
    from .errors import DataValidationError

    data_path = find_data_dir(data_dir).resolve()
    units = read_table(data_path, "satker")
    params = make_params(satker, periode, str(data_path), known_satker=units["satker"].tolist())
    try:
        tables = load(data_path, satker=params.satker).for_satker(params.satker)
        selected = chapters_for(tables, notebook_dir)
    except DataValidationError:
        # Broken data surfaces in the first chapter's setup cell, with its notebook kept for inspection.
        selected = chapters(notebook_dir)
    out_dir = report_dir(reports_root, params.satker, params.period)
    out_dir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    target = out_dir / "notebooks"
    with atomic_dir(target) as tmp:
        for ch in selected:
            output = tmp / f"{ch.name}.ipynb"
            start = time.perf_counter()
            try:
                execute_chapter(ch, output, params, engine_name)
            except Exception as exc:  # papermill raises PapermillExecutionError; kernels may die
                failed = out_dir / "gagal"
                shutil.rmtree(failed, ignore_errors=True)
                failed.mkdir(parents=True)
                kept = failed / output.name
                if output.exists():
                    shutil.copy2(output, kept)
                raise ExecutionError(_failure(ch, kept, exc)) from None
            seconds[ch.name] = time.perf_counter() - start
    shutil.rmtree(out_dir / "gagal", ignore_errors=True)
    notebooks = [target / f"{ch.name}.ipynb" for ch in selected]
    return RunResult(params, out_dir, notebooks, selected, seconds)


def is_temporary(path: Path) -> bool:
    return path.name.startswith(TMP_PREFIX)
