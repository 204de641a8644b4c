"""The `lakin` command line: each command parses its options and makes one call into the package."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import LakinError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Laporan kinerja satker (LAKIN/LKj) dari data, dinilai dengan aturan resmi.")

DataOpt = typer.Option(Path("data"), "--data", help="Direktori data (lihat data/README.md)")


@app.command()
def score(satker: str, period: str, data: Path = DataOpt) -> None:
    """Cetak papan skor (NKO/NPSS, kelompok, indikator) sebagai tabel."""
    from .console import print_scorecard
    from .figures import open_unit

    print_scorecard(open_unit(satker, period, data))


@app.command()
def figures(satker: str, period: str, data: Path = DataOpt,
            as_json: bool = typer.Option(False, "--json", help="Keluaran JSON")) -> None:
    """Angka utama satker dan periode (JSON dengan --json)."""
    from .console import print_figures
    from .figures import figures as compute, open_unit

    result = compute(open_unit(satker, period, data))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_figures(result)


KernelOpt = typer.Option("warm", "--kernel", help="warm: satu kernel untuk semua bab; cold: kernel baru per bab")


@app.command()
def run(satker: str, period: str, data: Path = DataOpt,
        reports: Path = typer.Option(Path("reports"), "--reports", help="Direktori keluaran"),
        kernel: str = KernelOpt) -> None:
    """Jalankan notebook bab-bab laporan dengan papermill ke reports/<satker>/<periode>/."""
    from .execute import kernel_engine, run as execute

    result = execute(satker, period, data, reports, engine_name=kernel_engine(kernel))
    typer.echo(f"Notebook tereksekusi ({len(result.notebooks)} bab) di {result.out_dir / 'notebooks'}")
    for nb in result.notebooks:
        typer.echo(f"  {nb}")


@app.command()
def template(out: Path = typer.Option(..., "--out", help="Berkas .xlsx yang dibuat"),
             satker: Optional[str] = typer.Option(None, "--satker", help="Isi dengan data satker ini"),
             tahun: Optional[int] = typer.Option(None, "--tahun", help="Hanya tahun ini (bersama --satker)"),
             data: Path = DataOpt) -> None:
    """Buat workbook templat isian data: satu lembar per tabel, daftar pilihan, format angka."""
    from .excel import write_template

    typer.echo(f"Templat ditulis: {write_template(out, data, satker, tahun)}")


@app.command("import")
def import_(workbook: Path = typer.Argument(..., help="Workbook .xlsx yang sudah diisi"), data: Path = DataOpt) -> None:
    """Impor workbook ke tabel CSV (divalidasi seperti CSV; tidak ada yang ditulis bila ada kesalahan)."""
    from .excel import import_workbook

    typer.echo(import_workbook(workbook, data).summary())


@app.command()
def check(data: Path = DataOpt,
          satker: Optional[str] = typer.Option(None, "--satker", help="Hanya satker ini"),
          tahun: Optional[int] = typer.Option(None, "--tahun", help="Hanya tahun ini"),
          as_json: bool = typer.Option(False, "--json", help="Keluaran JSON (daftar temuan)")) -> None:
    """Validasi data dan rekonsiliasi angka tercetak; keluar 1 bila ada galat (2: data tak terbaca)."""
    from .check import main as run_check

    raise SystemExit(run_check(data, satker, tahun, as_json))


@app.command()
def synth(units: int = typer.Option(..., "--units", min=1, help="Jumlah satker sintetis"),
          years: int = typer.Option(1, "--years", min=1, help="Jumlah tahun, berakhir di --tahun-akhir"),
          out: Path = typer.Option(..., "--out", help="Direktori keluaran (diganti utuh; hanya keluaran synth)"),
          seed: int = typer.Option(0, "--seed", help="Benih acak: argumen sama, berkas sama byte demi byte"),
          tahun_akhir: int = typer.Option(2024, "--tahun-akhir", help="Tahun laporan terakhir"),
          params: bool = typer.Option(False, "--params", help="Tulis juga <out>/params/<satker>/<periode>.yaml")) -> None:
    """Buat data sintetis (uji skala, demo): kedua kerangka, penerimaan, anggaran; satker ditandai sintetis."""
    from .synth import generate

    summary = generate(out, units=units, years=years, seed=seed, latest_year=tahun_akhir, params=params)
    typer.echo(f"{summary.units} satker sintetis, tahun {summary.years[0]}-{summary.years[-1]}: "
               f"{summary.files} berkas data, {summary.params} berkas params di {summary.out}")


@app.command()
def build(satker: str, period: str, data: Path = DataOpt,
          to: str = typer.Option("html,docx,pdf", "--to", help="Format keluaran, dipisah koma"),
          engine: str = typer.Option("auto", "--engine", help="auto | quarto | pandoc"),
          reports: Path = typer.Option(Path("reports"), "--reports", help="Direktori keluaran"),
          kernel: str = KernelOpt) -> None:
    """Eksekusi bab-bab lalu render laporan (HTML, DOCX, PDF) ke reports/<satker>/<periode>/."""
    from .build import build as make
    from .execute import kernel_engine

    result = make(satker, period, data, reports, formats=[f.strip() for f in to.split(",") if f.strip()], engine=engine,
                  engine_name=kernel_engine(kernel))
    typer.echo(f"Laporan {satker} {period} selesai di {result.out_dir}")
    for kind, path in result.files.items():
        typer.echo(f"  {kind}: {path}")


@app.command()
def batch(units: Optional[list[str]] = typer.Option(None, "--units", help="Hanya satker ini (dipisah koma atau diulang)"),
          periods: Optional[list[str]] = typer.Option(None, "--periods", help="Hanya periode ini, mis. 2024,2024Q1"),
          to: str = typer.Option("html,docx,pdf", "--to", help="Format keluaran, dipisah koma"),
          workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Jumlah worker lokal (bawaan: jumlah CPU)"),
          scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Klaster Dask yang ada, mis. tcp://host:8786"),
          force: bool = typer.Option(False, "--force", help="Bangun ulang walau laporan sudah mutakhir"),
          data: Path = DataOpt,
          params: Path = typer.Option(Path("params"), "--params", help="Direktori params/<satker>/<periode>.yaml"),
          reports: Path = typer.Option(Path("reports"), "--reports", help="Direktori keluaran")) -> None:
    """Bangun semua laporan di params/ secara paralel; yang mutakhir dilewati; keluar 1 bila ada yang gagal."""
    from .batch import main as run_batch

    raise SystemExit(run_batch(params, data, reports, units=units, periods=periods, formats=to, workers=workers,
                               scheduler=scheduler, force=force))


def main() -> None:
    """Console entry point: expected failures print a message and exit non-zero, never a traceback."""
    try:
        code = app(standalone_mode=False)  # click returns the code of typer.Exit instead of raising it
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except LakinError as exc:
        _fail_exit(exc, 2)
    except (KeyboardInterrupt,):
        typer.echo("Dibatalkan.", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            typer.echo("Dibatalkan.", err=True)
            sys.exit(130)
        if os.environ.get("LAKIN_DEBUG"):
            raise
        typer.echo(f"Kesalahan internal: {exc!r} (jalankan dengan LAKIN_DEBUG=1 untuk jejak lengkap)", err=True)
        sys.exit(3)


def _fail_exit(exc: LakinError, code: int) -> None:
    typer.echo(exc.user_message(), err=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
