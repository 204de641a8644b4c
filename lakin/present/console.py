"""Readable terminal output (rich tables) for the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from lakin.values import angka, poin
from lakin.present.fmt import same_decimals
from lakin.present.tables import scorecard_table
from lakin.present.terminal import safe

__all__ = ["console", "print_figures", "print_scorecard"]  # `safe`: lakin.present.terminal

console = Console()


def print_scorecard(unit) -> None:
    """The scorecard of a unit: indicators, levels and the overall score with its change."""
    sc = unit.scorecard()
    fw = sc.framework
    title = f"{safe(unit.info['nama'])} - {sc.period.nama} ({safe(fw.skor_kode)})"
    table = Table(title=escape(title), show_lines=False)
    frame = same_decimals(scorecard_table(sc))  # as the report prints it
    for col in frame.columns:
        table.add_column(col, justify="right" if col in ("No", "Target", "Realisasi", "Capaian") else "left",
                         overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[Text(safe(v)) for v in row])
    console.print(table)
    for frame in sc.levels:
        level = frame.attrs["level"]
        lt = Table(title=escape(safe(level["nama"])))
        lt.add_column("Kode")
        lt.add_column("Nama", overflow="fold")
        lt.add_column("Indeks", justify="right")
        for _, r in frame.iterrows():
            lt.add_row(Text(safe(r["kode"])), Text(safe(r["nama"])), angka(r["indeks"]))
        console.print(lt)
    line = (f"{escape(safe(fw.skor_kode))} {sc.period.nama}: [bold]{angka(sc.overall)}[/bold] "
            f"({escape(safe(fw.kategori_for(sc.overall)))})")
    if sc.previous is not None:
        line += f"; {sc.period.tahun - 1}: {angka(sc.previous)}; perubahan {poin(sc.change)} poin"
    console.print(line)


def print_figures(result: dict) -> None:
    """A compact human view of the figures dict."""
    skor = result["nilai_organisasi"]
    console.print(f"[bold]{escape(safe(result['nama']))}[/bold] - periode {escape(safe(result['periode']))} "
                  f"({escape(safe(result['kerangka']))})")
    console.print(f"{escape(safe(skor['kode']))}: {angka(skor['nilai'])} ({escape(safe(skor['kategori']))})")
    if result.get("perubahan") is not None:
        console.print(f"Sebelumnya {angka(result['sebelumnya']['nilai'])}; perubahan {poin(result['perubahan'])} poin")
    for name in ("penerimaan", "anggaran"):
        if name in result:
            console.print(f"[bold]{name}[/bold]: {len(result[name])} butir (gunakan --json untuk rincian)")
