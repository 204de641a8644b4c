"""What `lakin check` shows: the data-quality annex of a report, the terminal tables, and the command itself."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Table

from lakin.present.terminal import safe
from lakin.tools.check.context import RECONCILERS
from lakin.tools.check.findings import SEVERITIES, CheckResult, Finding, Severity
from lakin.tools.check.precision import display, is_number, printed_digits
from lakin.tools.check.run import check

__all__ = ["ANNEX_COLUMNS", "MAX_LISTED", "annex", "is_money", "main", "print_result", "shown"]

ANNEX_COLUMNS = ["No", "Tingkat", "Satker", "Tabel", "Kunci", "Angka tercetak", "Hasil hitung ulang", "Sumber",
                 "Keterangan"]
# The human table lists at most this many findings (the rest are counted; --json lists all).
MAX_LISTED = 1000
_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def is_money(f: Finding) -> bool:
    """Whether a finding's figures are rupiah (shown with thousands separators, precision from trailing zeros)."""
    rec = RECONCILERS.get(f.table)
    if rec is not None:
        return rec.satuan == "rupiah"
    return f.table in ("rpd", "pagu", "realisasi_anggaran", "penerimaan") or (
        isinstance(f.printed, float) and abs(f.printed) >= 1e6 and f.printed.is_integer())


def shown(f: Finding) -> tuple[str, str]:
    """(printed, recomputed) of a finding as display text, each at the precision the figure was printed with."""
    satuan = "rupiah" if is_money(f) else "angka"
    digits = printed_digits(f.printed, satuan) if is_number(f.printed) else None
    printed = display(f.printed, satuan, digits) if f.printed is not None else "-"
    recomputed = display(f.recomputed, satuan, max(digits or 0, 2)) if f.recomputed is not None else "-"
    return printed, recomputed


def annex(findings: Iterable[Finding],
          severities: tuple[str, ...] = (Severity.ERROR, Severity.WARNING)) -> pd.DataFrame:
    """A short data-quality annex for the report: one row of display strings per finding."""
    chosen = sorted((f for f in findings if f.severity in severities),
                    key=lambda f: (_ORDER[f.severity], f.satker or "", f.table, f.key))
    rows = []
    for i, f in enumerate(chosen, 1):
        printed, recomputed = shown(f)
        rows.append(dict(zip(ANNEX_COLUMNS, (
            str(i), Severity(f.severity).label, f.satker or "-", f.table, f.key, printed, recomputed,
            f.source or (f"{f.file}, baris {f.line}" if f.file and f.line else (f.file or "-")), f.message))))
    return pd.DataFrame(rows, columns=ANNEX_COLUMNS)


def _escape(value) -> str:
    """Markup escaped, terminal control characters shown as \\xNN."""
    return escape_markup(safe(value))


def _table(satker: str, listed: list[Finding]) -> Table:
    table = Table(title=f"lakin check - {_escape(satker)}", expand=True, show_lines=True)
    table.add_column("Tingkat", no_wrap=True)
    table.add_column("Angka / aturan", ratio=2, overflow="fold")
    table.add_column("Tercetak", justify="right", no_wrap=True)
    table.add_column("Dihitung ulang", justify="right", no_wrap=True)
    table.add_column("Keterangan", ratio=4, overflow="fold")
    for f in listed:
        printed, recomputed = shown(f)
        note = _escape(f.message)
        if f.source:
            source = f.source if len(f.source) <= 140 else f.source[:137] + "..."
            note += f"\n[dim]Sumber: {_escape(source)}[/dim]"
        table.add_row(Severity(f.severity).label, _escape(f"{f.table}  {f.key}"), _escape(printed),
                      _escape(recomputed), note, style=_STYLE[f.severity])
    return table


def print_result(result: CheckResult, console: Console | None = None) -> None:
    """Human output: per satker a table of errors, warnings and notes, then what was not reconciled."""
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(f.satker or "(berkas data)", []).append(f)
    budget = MAX_LISTED
    for satker, found in groups.items():
        listed = sorted((f for f in found if f.rule not in ("tidak_direkonsiliasi", "ringkasan")),
                        key=lambda f: _ORDER[f.severity])
        listed, budget = listed[:max(budget, 0)], budget - len(listed)
        if listed:
            console.print(_table(satker, listed))
        skipped = [f for f in found if f.rule == "tidak_direkonsiliasi"]
        if skipped:
            names = ", ".join(f"{f.table} ({f.key.split()[0]})" for f in skipped)
            console.print(f"[dim]{_escape(satker)} - tidak direkonsiliasi (info): {_escape(names)}[/dim]")
        for f in found:
            if f.rule == "ringkasan":
                console.print(f"[dim]{_escape(satker)} - {_escape(f.message)}[/dim]")
    if budget < 0:
        console.print(f"[bold]... dan {-budget} temuan lain tidak ditampilkan[/bold] (hanya {MAX_LISTED} pertama; "
                      "gunakan --json untuk daftar lengkap)")
    c = result.counts()
    verdict = "[bold red]ada galat (keluar 1)[/bold red]" if c["error"] else "[bold green]tidak ada galat[/bold green]"
    console.print(f"{_escape(str(result.data_dir))}: {c['error']} galat, {c['warning']} peringatan, "
                  f"{c['info']} info - {verdict}")


def main(data_dir: str | Path | None = None, satker: str | None = None, tahun: int | None = None,
         as_json: bool = False) -> int:
    """Run the check, print it (rich tables, or JSON with as_json) and return the exit code."""
    result = check(data_dir, satker, tahun)
    if as_json:
        print(result.to_json())
    else:
        print_result(result)
    return result.exit_code
