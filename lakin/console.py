"""Readable terminal output (rich tables) for the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .fmt import angka, poin
from .tables import scorecard_table

console = Console()


def print_scorecard(unit) -> None:
    """The scorecard of a unit: indicators, levels and the overall score with its change."""
    sc = unit.scorecard()
    fw = sc.framework
    title = f"{unit.info['nama']} - {sc.period.nama} ({fw.skor_kode})"
    table = Table(title=title, show_lines=False)
    frame = scorecard_table(sc)
    for col in frame.columns:
        table.add_column(col, justify="right" if col in ("No", "Target", "Realisasi", "Capaian") else "left",
                         overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[str(v) for v in row])
    console.print(table)
    for frame in sc.levels:
        level = frame.attrs["level"]
        lt = Table(title=level["nama"])
        lt.add_column("Kode")
        lt.add_column("Nama", overflow="fold")
        lt.add_column("Indeks", justify="right")
        for _, r in frame.iterrows():
            lt.add_row(str(r["kode"]), str(r["nama"]), angka(r["indeks"]))
        console.print(lt)
    line = f"{fw.skor_kode} {sc.period.nama}: [bold]{angka(sc.overall)}[/bold] ({fw.kategori_for(sc.overall)})"
    if sc.previous is not None:
        line += f"; {sc.period.tahun - 1}: {angka(sc.previous)}; perubahan {poin(sc.change)} poin"
    console.print(line)


def print_figures(result: dict) -> None:
    """A compact human view of the figures dict."""
    skor = result["nilai_organisasi"]
    console.print(f"[bold]{result['nama']}[/bold] - periode {result['periode']} ({result['kerangka']})")
    console.print(f"{skor['kode']}: {angka(skor['nilai'])} ({skor['kategori']})")
    if result.get("perubahan") is not None:
        console.print(f"Sebelumnya {angka(result['sebelumnya']['nilai'])}; perubahan {poin(result['perubahan'])} poin")
    for name in ("penerimaan", "anggaran"):
        if name in result:
            console.print(f"[bold]{name}[/bold]: {len(result[name])} butir (gunakan --json untuk rincian)")
