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


def _fail(exc: BaseException, code: int = 2) -> None:
    message = exc.user_message() if isinstance(exc, LakinError) else f"Kesalahan internal: {exc!r}"
    typer.echo(message, err=True)
    raise typer.Exit(code)


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


@app.command()
def run(satker: str, period: str, data: Path = DataOpt,
        reports: Path = typer.Option(Path("reports"), "--reports", help="Direktori keluaran")) -> None:
    """Jalankan notebook bab-bab laporan dengan papermill ke reports/<satker>/<periode>/."""
    from .execute import run as execute

    result = execute(satker, period, data, reports)
    typer.echo(f"Notebook tereksekusi ({len(result.notebooks)} bab) di {result.out_dir / 'notebooks'}")
    for nb in result.notebooks:
        typer.echo(f"  {nb}")


def main() -> None:
    """Console entry point: expected failures print a message and exit non-zero, never a traceback."""
    try:
        app(standalone_mode=False)
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
