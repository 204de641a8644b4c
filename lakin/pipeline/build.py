"""Building a report: execute the chapters (papermill), render them (Quarto or pandoc/Typst), export tables.

A rebuild executes only the chapters whose inputs changed since the report's last build (data, the analysts'
blocks they read, the notebook, lakin); the others keep their notebooks (lakin.pipeline.incremental).
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from lakin.atomic import TMP_PREFIX, clean_stale, owner_alive, publish_dir, work_dir
from lakin.tools.check.prose import ProseFinding, prose_findings_for
from lakin.data.load import MAX_INPUT_BYTES, TABLES, find_data_dir, read_table, table_files
from lakin.errors import (
    DataIssue, DataValidationError, InputTooLargeError, NoDataError, ParameterError, ProseFindingsError,
)
from lakin.pipeline import render
from lakin.pipeline.aside import Aside
from lakin.pipeline.execute import (
    KERNELS,
    REPORTS_DIR,
    RunResult,
    execute_chapters,
    prepare,
    report_lock,
    warm_up_kernel,
)
from lakin.pipeline.incremental import ChapterReuse, recording
from lakin.pipeline.sidework import SIDEWORK_TIMEOUT, SideWork, charts_kept, remember_charts, undrawn
from lakin.tools.check import check_model_data
from lakin.values import angka, tanggal
from lakin.model.report_model import ReportModel, model_from_dataset
from lakin.model.report_model import save as save_model
from lakin.data.params import make_params, parse_formats, report_dir
from lakin.tools.review import require_complete, write_review
from lakin.model.refs import escape_md

__all__ = ["BuildResult", "build", "foreword", "review_before_build", "signing_date", "snapshot"]

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build produced: the executed notebooks, the rendered files, the tables workbook, timings."""

    run: RunResult
    files: dict[str, Path]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def out_dir(self) -> Path:
        return self.run.out_dir

    @property
    def executed(self) -> list[str]:
        """The chapters this build executed (the others kept the previous build's notebooks: `run.reused`)."""
        return [ch.name for ch in self.run.chapters if ch.name not in self.run.reused]


def foreword(model: ReportModel) -> str:
    """The period's foreword written by the analysts (read once into the report model, its `{{ name }}`
    references resolved), or a plain generated one."""
    text = model.narasi_md("kata-pengantar.md")
    if text:
        return text
    sc = model.scorecard
    return escape_md(
        f"{model.period.jenis_laporan} {model.info['nama']} {model.period.nama} disusun sebagai wujud "
        f"pertanggungjawaban atas pelaksanaan tugas dan fungsi serta penggunaan anggaran sesuai Perjanjian "
        f"Kinerja. Laporan ini menyajikan capaian {sc.framework.istilah_indikator}, {sc.framework.skor_nama} "
        f"sebesar {angka(sc.overall)}, serta analisis dan rencana perbaikan untuk periode berikutnya.")


def signing_date(unit) -> date:
    """The report's signing date: narasi/<satker>/<tahun>/tanggal-<period>.txt (ISO date) if present, else today."""
    path = unit.ds.narasi_dir(unit.satker, unit.period.tahun) / f"tanggal-{unit.period.label}.txt"
    if path.is_file():
        try:
            return date.fromisoformat(path.read_text(encoding="utf-8").strip())
        except ValueError:
            raise ParameterError(f"{path}: tanggal harus berformat TTTT-BB-HH") from None
    return date.today()


def _copy_input(source: Path, data_dir: Path, dest: Path) -> None:
    """Copy one input file into the snapshot at the same relative path; refuse a link leaving the data."""
    relative = source.relative_to(data_dir)
    real = source.resolve()
    if not real.is_relative_to(data_dir.resolve()):
        raise DataValidationError([DataIssue(str(relative), None, None, None,
                                             "berkas di dalam direktori data, bukan tautan ke luar direktori data")])
    size = real.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputTooLargeError(str(source), size, MAX_INPUT_BYTES)
    target = dest / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(real, target)


def snapshot(data_dir: str | Path, satker: str, tahun: int, dest: str | Path) -> Path:
    """Copy what a report of `satker` reads into `dest`, same layout: the unit's files and the shared files
    of every table, the data's frameworks/ and narasi/<satker>/<tahun>/. The build then reads only the copy,
    so data changed during a build (an import) never mixes old and new figures in one report."""
    data_dir, dest = Path(data_dir).resolve(), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    slugs = set(read_table(data_dir, "satker")["satker"])
    for table in TABLES.values():
        for path in table_files(data_dir, table, satker, slugs):
            _copy_input(path, data_dir, dest)
    for folder in (data_dir / "frameworks", data_dir / "narasi" / satker / str(tahun)):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    _copy_input(path, data_dir, dest)
    return dest


class _RenderProgress(logging.Handler):
    """Turns lakin.pipeline.render's per-format timing lines into progress lines."""

    def __init__(self, progress: Callable[[str], None] | None):
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.progress and message.startswith("render "):
            what, _, took = message[len("render "):].partition(": ")
            self.progress(f"      format {what} selesai dalam {took.replace(' s', ' detik').replace('.', ',')}")


def review_before_build(model: ReportModel, strict: bool = False,
                        progress: Callable[[str], None] | None = None) -> list[ProseFinding]:
    """What the analyst must see before the report is built: every number in their text that contradicts the
    report model or matches none of its figures (lakin.tools.check.prose). `strict` (a final report) refuses such
    findings and every element the outline requires that is missing (lakin.tools.review.require_complete)."""
    findings = prose_findings_for(model)
    for finding in findings:  # to the analyst's progress lines, else to the log: once, not twice
        if progress:
            progress(finding.describe())
        else:
            log.warning("%s", finding.describe())
    if strict:
        if findings:
            raise ProseFindingsError(model.satker, model.period.label, [f.describe() for f in findings])
        require_complete(model)
    return findings


def _renderer(name: str) -> str:
    """The renderer `name` resolves to (auto: the first available); refused when unknown or missing."""
    return render.get_engine(name).name


def _execute(plan, report_model: ReportModel | None, snap: Path, work: Path, out_dir: Path, kernel: str | None,
             progress: Callable[[str], None] | None, reuse: bool, raster: bool, sidework: bool = False,
             side: SideWork | None = None) -> tuple[dict[str, float], list[str]]:
    """Execute the plan's chapters into work/laporan/notebooks, reusing the notebooks of the report being replaced
    whose inputs did not change (with `reuse`), and store every chapter's inputs beside the notebooks.

    Each executed chapter's charts (and their PNG, with `raster`) are drawn in a thread of this process while the
    kernel, another process, runs the next chapter: the render finds them in the chart cache. Drawing holds the
    GIL about 70 ms at a time, which the kernel's messages wait for: measured, a cold `lakin build` of
    kppbc-balikpapan 2024 took 22.4 s against 23.7 s (benchmarks/README.md). With `sidework`
    (lakin.pipeline.sidework) a child process draws them instead, each cell's charts as soon as the cell ran, so
    that the kernel's next cell does not wait for the GIL, and this process helps it once the last chapter ran.
    `side` is that child when the build started it early (a first build); otherwise it starts with the first
    chart the chart cache lacks (`undrawn`), so that a rebuild executing no chapter, or only chapters whose charts
    were drawn before, starts none. The thread first checks the unit's year for the reviewer's document while the
    kernel starts."""
    target = work / "laporan" / "notebooks"
    target.mkdir(parents=True)
    if report_model is None:  # invalid data: the first chapter shows the error
        return execute_chapters(plan, target, out_dir / "gagal", kernel, progress), []
    reads = work / "narasi-reads.log"
    model_path = str(save_model(recording(report_model, reads), work / "model.pickle"))
    plan = replace(plan, params=replace(plan.params, model=model_path))
    chapters = ChapterReuse(report_model, snap, out_dir / "notebooks" if reuse else None, reads)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakin-charts") as drawing:
        # the reviewer's check of the unit's year (kept for write_review) first: it runs while the kernel starts
        drawn = [drawing.submit(check_model_data, report_model)]
        given: list[Path] = []  # executed chapters whose charts the child draws

        starting = threading.Lock()  # the engine's thread and this one may both find a chart to draw

        def child(specs: list | None = None) -> SideWork | None:
            """The child; started now when it is not yet and `specs` holds a chart the cache lacks (None: at once)."""
            nonlocal side
            with starting:
                if side is None and sidework and (specs is None or undrawn(specs, raster)):
                    side = SideWork(work)
            return side

        def executed(notebook: Path) -> None:
            if sidework and side is None:
                with contextlib.suppress(Exception):  # unreadable here: the child or the render names it
                    if not undrawn(render.notebook_charts(notebook), raster):
                        return  # every chart drawn before: nothing to draw
            if (worker := child()) is not None and worker.draw(notebook, raster):
                given.append(notebook)
            else:  # no child (or it is gone): this process draws
                drawn.append(drawing.submit(render.predraw_charts, notebook, raster))

        def ran(cell: dict) -> None:  # called on the engine's thread: a cell's charts go to the child at once
            with contextlib.suppress(Exception):
                # keys sorted, as the executed notebook holds them (nbformat sorts them): the cache's keys
                specs = [json.loads(json.dumps(spec, sort_keys=True)) for spec in render.cell_charts(cell)]
                if specs and (worker := child(specs)) is not None:
                    worker.draw_specs(specs, raster)

        try:
            seconds = execute_chapters(plan, target, out_dir / "gagal", kernel, progress, chapters,
                                       executed=executed, on_cell=ran if sidework else None)
            # The kernel is done. With PNGs to make, the child draws only SVGs from now on and this process makes
            # their PNGs as they come (it would first have to start a Vega engine of its own: 0.8 s). Otherwise
            # this process draws the child's charts from the last one back while the child goes on from the
            # first. Each finds in the cache what the other made.
            if given and raster and side is not None and side.svgs_only():
                with contextlib.suppress(Exception):
                    render.rasterise_drawn([spec for notebook in given for spec in render.notebook_charts(notebook)],
                                           done=lambda: not side.running, patience=SIDEWORK_TIMEOUT)
            else:
                for notebook in reversed(given):
                    with contextlib.suppress(Exception):
                        render.predraw_charts(notebook, raster, reverse=True)
            if side is not None:
                side.finish()
        finally:
            if side is not None:
                side.stop()  # a chapter that failed: the child is not waited for
        for future in drawn:
            with contextlib.suppress(Exception):  # a chart that cannot be drawn fails in the render, named there;
                future.result()  # a check that fails, in write_review
    chapters.write(target, plan.chapters)
    return seconds, chapters.reused


def _render(notebooks: list[Path], meta, staging: Path, formats: tuple[str, ...], renderer: str,
            progress: Callable[[str], None] | None) -> dict[str, Path]:
    """Render the notebooks in every format, turning the renderer's timing lines into progress lines."""
    handler = _RenderProgress(progress)
    render.log.addHandler(handler)
    level = render.log.level
    render.log.setLevel(min(level or logging.INFO, logging.INFO))
    try:
        return render.render_report(notebooks, meta, staging, formats, renderer)
    finally:
        render.log.removeHandler(handler)
        render.log.setLevel(level)


def _beside_render(notebooks: list[Path], meta, report_model: ReportModel, prose, staging: Path,
                   workbook: bool) -> tuple[dict[str, Path], dict[str, float]]:
    """The tables workbook (with `workbook`) and the reviewer's document (lakin.tools.review: completeness,
    reconciliation, prose findings; not the report), written into `staging`; their files and seconds."""
    files, seconds = {}, {}
    if workbook:
        # imported here: openpyxl (0.17 s) is then loaded by the forked child of a rebuild, not before the render
        from lakin.pipeline.report_tables import notebook_tables
        from lakin.tools.excel import write_report_workbook

        start = time.perf_counter()
        files["xlsx"] = write_report_workbook(notebook_tables(notebooks, meta), staging / f"{meta.stem}-tabel.xlsx",
                                              title=f"{meta.nama}, {meta.periode_nama}")
        seconds["xlsx"] = time.perf_counter() - start
    start = time.perf_counter()
    reviu = write_review(report_model, staging, prose)
    files["reviu_html"], files["reviu_xlsx"] = reviu["html"], reviu["xlsx"]
    seconds["reviu"] = time.perf_counter() - start
    return files, seconds


def build(satker: str, periode: str, data_dir: str | Path | None = None, reports_root: str | Path = REPORTS_DIR,
          formats: Iterable[str] = ("html", "docx", "pdf"), renderer: str = "auto",
          kernel: str | None = KERNELS["warm"], signed_on: date | None = None, workbook: bool = True,
          progress: Callable[[str], None] | None = None, strict: bool = False, reuse: bool = True,
          sidework: bool = False) -> BuildResult:
    """Execute and render one report into reports/<satker>/<period>/, plus `<satker>-<period>-tabel.xlsx`.

    `renderer` names the document renderer (lakin.pipeline.render: auto, quarto, pandoc), `kernel` the papermill
    engine that executes the chapters (lakin.pipeline.execute.KERNELS: the warm kernel, or None for a new kernel
    per chapter). With `reuse`, a chapter whose inputs did not change since the report's last build keeps its
    notebook (lakin.pipeline.incremental); without, every chapter is executed. With `sidework` (`lakin build`
    does, a batch worker does not), a child process draws the executed chapters' charts while the kernel runs
    (lakin.pipeline.sidework).

    Options are checked and the data's presence for the period confirmed before any kernel starts. The
    build holds the report folder's lock, reads a snapshot of the unit's data (`snapshot`), builds every
    file in a staging folder and publishes the folder in one step: readers see the previous report or
    the new one, never a mix; a failed build leaves the previous report as it was."""
    formats = parse_formats(formats)
    data_path = find_data_dir(data_dir).resolve()
    if not data_path.is_dir():
        raise NoDataError(f"Direktori data '{data_path}' tidak ditemukan atau bukan folder")
    units = read_table(data_path, "satker")
    params = make_params(satker, periode, str(data_path), known_satker=units["satker"].tolist())
    out_dir = report_dir(reports_root, params.satker, params.period)
    seconds: dict[str, float] = {}
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with report_lock(out_dir):
        clean_stale(out_dir)  # temporaries of a killed build of this report (the lock excludes live ones)
        for leftover in out_dir.parent.glob(f"{TMP_PREFIX}*-{params.period.label}-*"):
            if not owner_alive(leftover.name):  # a killed build's work folder
                shutil.rmtree(leftover, ignore_errors=True)
        work = work_dir(out_dir.parent, params.period.label)
        side = None
        try:
            chosen = _renderer(renderer)  # an unknown or unavailable renderer is refused before the data is read
            raster = bool(render.RENDERERS[chosen].png_formats(formats))  # charts as PNG too
            first = not strict and not (reuse and (out_dir / "notebooks").is_dir())  # every chapter executes
            if first and sidework and not charts_kept(params.satker, params.period.label, raster):
                # the child that draws the charts (no kernel) starts before the data is read: its imports and its
                # Vega engine (lakin.pipeline.sidework) take the core this process leaves free meanwhile; a build
                # refused for its data stops it (below). Not when the chart cache still holds every chart of the
                # report's last build (PNGs too for DOCX): it then starts with a chart the cache lacks.
                side = SideWork(work)
            start = time.perf_counter()
            snap = snapshot(data_path, params.satker, params.period.tahun, work / "data")
            plan = prepare(params.satker, params.period.label, snap, strict=strict)
            if plan.valid and first:
                # a first (or forced) build executes every chapter: the kernel starts in its own process while
                # this one computes the report model. A rebuild may execute none, and a --strict build may be
                # refused before any chapter runs: their kernel and child start when a chapter needs them.
                warm_up_kernel(kernel)
            for warning in plan.warnings:
                if progress:
                    progress(f"Peringatan: {warning}")
                else:
                    log.warning("%s", warning)
            # The report model, computed once from the snapshot: every chapter, the cover, the tiles and the
            # reviewer's document read it. Invalid data leaves it out: the first chapter then shows the error.
            report_model = (model_from_dataset(plan.dataset, params.satker, params.period, plan.framework)
                            if plan.valid else None)
            prose = review_before_build(report_model, strict, progress) if report_model is not None else None
            seconds["snapshot"] = time.perf_counter() - start
            staging = work / "laporan"
            start = time.perf_counter()
            chapter_seconds, reused = _execute(plan, report_model, snap, work, out_dir, kernel, progress, reuse,
                                               raster, sidework, side)
            seconds["execute"] = time.perf_counter() - start
            notebooks = [staging / "notebooks" / f"{ch.name}.ipynb" for ch in plan.chapters]
            unit, sc = report_model.unit, report_model.scorecard
            meta = render.ReportMeta.from_unit(
                unit.info, unit.period, tanggal=tanggal(signed_on or signing_date(unit)),
                kata_pengantar=foreword(report_model),
                skor=f"{sc.framework.skor_nama}: {angka(sc.overall)}{sc.framework.skor_satuan}",
            ).with_model(report_model)  # the HTML first page's tiles
            if progress:
                progress(f"Merender {', '.join(formats)} (mesin {chosen})")
            # The tables workbook and the reviewer's document read the notebooks and the model, not the render:
            # they are written while it runs, by a forked child where the process has no other thread (its own
            # GIL), else by a thread (lakin.pipeline.aside).
            with Aside(_beside_render, notebooks, meta, report_model, prose, staging, workbook) as beside:
                start = time.perf_counter()
                staged = _render(notebooks, meta, staging, formats, chosen, progress)
                seconds["render"] = time.perf_counter() - start
                if sidework:  # what the next build's child need not draw (lakin.pipeline.sidework.charts_kept)
                    remember_charts(params.satker, params.period.label, notebooks, raster)
                beside_files, beside_seconds = beside.result()
            staged.update(beside_files)
            seconds.update(beside_seconds)
            if progress and "xlsx" in beside_files:
                progress(f"      format xlsx selesai dalam {seconds['xlsx']:.1f} detik".replace(".", ","))
            publish_dir(staging, out_dir)
        finally:
            if side is not None:
                side.stop()
            shutil.rmtree(work, ignore_errors=True)
    files = {kind: out_dir / Path(path).name for kind, path in staged.items()}
    published = [out_dir / "notebooks" / p.name for p in notebooks]
    run_result = RunResult(params, out_dir, published, plan.chapters, chapter_seconds, reused)
    return BuildResult(run_result, files, seconds)
