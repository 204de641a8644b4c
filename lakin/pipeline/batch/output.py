"""What `lakin batch` shows: a progress bar while it runs, and the summary table at the end."""

from __future__ import annotations

import os
import time

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from lakin.pipeline.batch.jobs import BatchResult, ReportOutcome, ReportStatus
from lakin.pipeline.batch.running import Reporter
from lakin.present.terminal import safe

__all__ = ["STATUS_COLOURS", "STATUS_LABELS", "RichReporter", "print_summary"]

STATUS_LABELS = {ReportStatus.OK: "ok", ReportStatus.FAILED: "gagal", ReportStatus.SKIPPED: "dilewati (mutakhir)",
                 ReportStatus.CANCELLED: "dibatalkan"}
STATUS_COLOURS = {ReportStatus.OK: "green", ReportStatus.FAILED: "red", ReportStatus.SKIPPED: "dim",
                  ReportStatus.CANCELLED: "yellow"}


class RichReporter(Reporter):
    """A rich progress bar: done, failed, remaining, rate and ETA."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.progress: Progress | None = None
        self.counts = {status: 0 for status in (ReportStatus.OK, ReportStatus.FAILED, ReportStatus.SKIPPED)}
        self.total = 0
        self.started = time.perf_counter()

    def start(self, total: int, skipped: int) -> None:
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
        self.progress.update(self.task, advance=1, ok=self.counts[ReportStatus.OK] + self.counts[ReportStatus.SKIPPED],
                             failed=self.counts[ReportStatus.FAILED], remaining=self.total - done, rate=rate)
        if outcome.status == ReportStatus.FAILED:
            first = outcome.error.splitlines()[0] if outcome.error else ""
            self.progress.console.print(f"[red]gagal[/] {escape(safe(outcome.name))}: {escape(safe(first))}",
                                        markup=True, highlight=False)

    def message(self, text: str) -> None:
        (self.progress.console if self.progress else self.console).print(safe(text), markup=False, highlight=False)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def print_summary(result: BatchResult, console: Console | None = None) -> None:
    """The table of every report (status, time, cause of failure), totals and throughput, peak memory per
    worker process, and how many workers were recycled and reports retried."""
    console = console or Console()
    table = Table(title="Ringkasan batch", show_lines=False)
    for column in ("Satker", "Periode", "Status", "Waktu", "Keterangan"):
        table.add_column(column, overflow="fold")
    for o in result.outcomes:
        note = o.error or o.reason
        if o.notebook and o.notebook not in note:
            note += f"\nNotebook: {o.notebook}"
        if o.attempts > 1:
            note += f"\n(dibangun {o.attempts} kali: worker pertama berhenti)"
        built = o.status in (ReportStatus.OK, ReportStatus.FAILED)
        table.add_row(Text(safe(o.satker)), Text(safe(o.period)),
                      Text(STATUS_LABELS.get(o.status, o.status), style=STATUS_COLOURS.get(o.status, "")),
                      f"{o.seconds:.1f} s" if built and o.seconds else "", Text(safe(note)))
    console.print(table)
    per_minute = result.per_minute()
    rate = f", {per_minute:.1f} laporan/menit" if per_minute else ""
    console.print(f"{len(result.outcomes)} laporan: {len(result.ok)} ok, {len(result.failed)} gagal, "
                  f"{len(result.skipped)} dilewati (mutakhir), {len(result.by_status(ReportStatus.CANCELLED))} "
                  f"dibatalkan; {result.seconds:.1f} s dengan {result.workers} worker{rate}", highlight=False)
    for worker, peak in sorted(result.peak_memory().items()):
        console.print(f"Memori puncak {worker}: worker {peak.get('worker', 0):.0f} MB + kernel "
                      f"{peak.get('kernel', 0):.0f} MB = {peak['total']:.0f} MB", highlight=False)
    if result.recycled or result.retried:
        console.print(f"{result.recycled} worker dimulai ulang (daur ulang memori); {result.retried} laporan "
                      "dibangun ulang karena worker-nya berhenti", highlight=False)
    if result.interrupted:
        console.print("Batch dihentikan; jalankan lagi untuk menyelesaikan sisanya.")
    if os.environ.get("LAKIN_DEBUG"):
        for o in result.failed:
            if o.detail:
                console.print(safe(f"{o.name}:\n{o.detail}"), markup=False, highlight=False)
