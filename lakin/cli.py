"""The `lakin` command line: each command parses its options and makes one call into the package.

Naming convention: commands and options are English words (`--year`, `--last-year`, `--units`, `--reports`);
domain terms keep their Indonesian names (`--satker`). Older Indonesian spellings (`--tahun`,
`--tahun-akhir`) are still accepted as hidden aliases (`ALIASES`). Messages are in Indonesian.
"""

from __future__ import annotations

import atexit
import difflib
import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import Optional

import typer
import typer.main

from lakin import __version__
from lakin.present.terminal import safe
from lakin.errors import FileSystemError, LakinError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=False,
                  help="Laporan kinerja satker (LAKIN/LKj) dari data, dinilai dengan aturan resmi.")

DataOpt = typer.Option(Path("data"), "--data", help="Direktori data (lihat data/README.md)")
# Old option names, accepted but not shown in --help: old name -> current name.
ALIASES = {"--tahun": "--year", "--tahun-akhir": "--last-year"}


def _progress(text: str) -> None:
    typer.echo(safe(text), err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lakin {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def _root(ctx: typer.Context,
          version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Tampilkan versi lakin lalu keluar")) -> None:
    """Laporan kinerja satker (LAKIN/LKj) dari data, dinilai dengan aturan resmi."""
    if ctx.invoked_subcommand is None:
        raise UsageError("Perintah belum diberikan.",
                         f"Perintah yang tersedia: {', '.join(_commands())}. Lihat 'lakin --help'.")


@app.command()
def score(satker: str, period: str, data: Path = DataOpt) -> None:
    """Cetak papan skor (NKO/NPSS, kelompok, indikator) sebagai tabel."""
    from lakin.present.console import print_scorecard
    from lakin.model.unit import open_unit

    print_scorecard(open_unit(satker, period, data))


@app.command()
def figures(satker: str, period: str, data: Path = DataOpt,
            as_json: bool = typer.Option(False, "--json", help="Keluaran JSON")) -> None:
    """Angka utama satker dan periode (JSON dengan --json)."""
    from lakin.present.console import print_figures
    from lakin.model.figures import figures as compute
    from lakin.model.unit import open_unit

    result = compute(open_unit(satker, period, data))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_figures(result)


KernelOpt = typer.Option("warm", "--kernel", help="warm: satu kernel untuk semua bab; cold: kernel baru per bab")
StrictOpt = typer.Option(False, "--strict", help="Laporan final: tolak periode tanpa realisasi, angka dalam teks analis yang tidak sesuai data, dan unsur wajib kerangka laporan yang belum diisi")
ReportsOpt = typer.Option(Path("reports"), "--reports", help="Direktori keluaran")


@app.command()
def run(satker: str, period: str, data: Path = DataOpt, reports: Path = ReportsOpt, kernel: str = KernelOpt,
        strict: bool = StrictOpt) -> None:
    """Jalankan notebook bab-bab laporan dengan papermill ke reports/<satker>/<periode>/."""
    from lakin.pipeline.execute import kernel_engine, run as execute

    result = execute(satker, period, data, reports, kernel=kernel_engine(kernel), progress=_progress, strict=strict)
    typer.echo(f"Notebook tereksekusi ({len(result.notebooks)} bab) di {result.out_dir / 'notebooks'}")
    for nb in result.notebooks:
        typer.echo(f"  {nb}")


@app.command()
def template(out: Path = typer.Option(..., "--out", help="Berkas .xlsx yang dibuat"),
             satker: Optional[str] = typer.Option(None, "--satker", help="Isi dengan data satker ini"),
             year: Optional[int] = typer.Option(None, "--year", help="Hanya tahun ini (bersama --satker)"),
             data: Path = DataOpt) -> None:
    """Buat workbook templat isian data: satu lembar per tabel, daftar pilihan, format angka."""
    from lakin.tools.excel import write_template

    typer.echo(f"Templat ditulis: {write_template(out, data, satker, year)}")


@app.command("import")
def import_(workbook: Path = typer.Argument(..., help="Workbook .xlsx yang sudah diisi"), data: Path = DataOpt) -> None:
    """Impor workbook ke tabel CSV (divalidasi seperti CSV; tidak ada yang ditulis bila ada kesalahan)."""
    from lakin.tools.excel import import_workbook

    typer.echo(import_workbook(workbook, data).summary())


@app.command()
def check(data: Path = DataOpt,
          satker: Optional[str] = typer.Option(None, "--satker", help="Hanya satker ini"),
          year: Optional[int] = typer.Option(None, "--year", help="Hanya tahun ini"),
          as_json: bool = typer.Option(False, "--json", help="Keluaran JSON (daftar temuan)")) -> None:
    """Validasi data dan rekonsiliasi angka tercetak; keluar 1 bila ada galat (2: data tak terbaca)."""
    from lakin.tools.check import main as run_check

    raise SystemExit(run_check(data, satker, year, as_json))


@app.command()
def synth(units: int = typer.Option(..., "--units", min=1, help="Jumlah satker sintetis"),
          years: int = typer.Option(1, "--years", min=1, help="Jumlah tahun, berakhir di --last-year"),
          out: Path = typer.Option(..., "--out", help="Direktori keluaran (diganti utuh; hanya keluaran synth)"),
          seed: int = typer.Option(0, "--seed", help="Benih acak: argumen sama, berkas sama byte demi byte"),
          last_year: int = typer.Option(2024, "--last-year", help="Tahun laporan terakhir"),
          params: bool = typer.Option(False, "--params", help="Tulis juga <out>/params/<satker>/<periode>.yaml")) -> None:
    """Buat data sintetis (uji skala, demo): kedua kerangka, penerimaan, anggaran; satker ditandai sintetis."""
    from lakin.tools.synth import generate

    summary = generate(out, units=units, years=years, seed=seed, latest_year=last_year, params=params)
    typer.echo(f"{summary.units} satker sintetis, tahun {summary.years[0]}-{summary.years[-1]}: "
               f"{summary.files} berkas data, {summary.params} berkas params di {summary.out}")


@app.command()
def build(satker: str, period: str, data: Path = DataOpt,
          to: str = typer.Option("html,docx,pdf", "--to", help="Format keluaran, dipisah koma"),
          engine: str = typer.Option("auto", "--engine", help="auto | quarto | pandoc"),
          reports: Path = ReportsOpt, kernel: str = KernelOpt, strict: bool = StrictOpt,
          force: bool = typer.Option(False, "--force", help="Eksekusi ulang semua bab, juga yang masukannya "
                                                            "(data, teks analis, notebook) tidak berubah"),
          watch: bool = typer.Option(False, "--watch", help="Setelah build, pantau data, teks analis dan notebook "
                                                            "bab; bangun ulang setiap kali berubah (Ctrl-C: berhenti)"),
          ) -> None:
    """Eksekusi bab-bab lalu render laporan (HTML, DOCX, PDF) ke reports/<satker>/<periode>/; bab yang
    masukannya tidak berubah sejak build sebelumnya tidak dieksekusi ulang."""
    from lakin.pipeline.build import build as make
    from lakin.pipeline.execute import kernel_engine

    def once(reuse: bool) -> None:
        result = make(satker, period, data, reports, formats=to, renderer=engine, kernel=kernel_engine(kernel),
                      progress=_progress, strict=strict, reuse=reuse, sidework=True)
        typer.echo(f"Laporan {satker} {period} selesai di {result.out_dir}")
        for kind, path in result.files.items():
            typer.echo(f"  {kind}: {path}")

    if not watch:
        once(reuse=not force)
        return
    from lakin.data.files import find_data_dir
    from lakin.pipeline.render.pdf import kept_typst
    from lakin.pipeline.watch import look, report_inputs, watch as keep_building

    inputs = report_inputs(find_data_dir(data), satker)
    with kept_typst():  # the same report compiled again after each save: Typst reuses its work
        before = look(inputs)  # what the first build reads: a save while it runs is built next
        once(reuse=not force)
        _progress("Memantau data, teks analis dan notebook bab; laporan dibangun ulang setiap kali berubah "
                  "(Ctrl-C untuk berhenti).")
        keep_building(lambda: once(reuse=True), inputs, _progress, seen=before)


@app.command()
def batch(units: Optional[list[str]] = typer.Option(None, "--units", help="Hanya satker ini (dipisah koma atau diulang)"),
          periods: Optional[list[str]] = typer.Option(None, "--periods", help="Hanya periode ini, mis. 2024,2024Q1"),
          to: str = typer.Option("html,docx,pdf", "--to", help="Format keluaran, dipisah koma"),
          workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Jumlah worker lokal (bawaan: jumlah CPU)"),
          scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Klaster Dask yang ada, mis. tcp://host:8786"),
          force: bool = typer.Option(False, "--force", help="Bangun ulang walau laporan sudah mutakhir"),
          recycle_after: int = typer.Option(50, "--recycle-after", min=0,
                                            help="Mulai ulang worker setelah N laporan (0: tidak pernah)"),
          data: Path = DataOpt,
          params: Optional[Path] = typer.Option(
              None, "--params", help="Direktori params/<satker>/<periode>.yaml (bawaan: <data>/params/, params/ "
                                     "untuk data/ proyek, selain itu semua laporan yang didukung data)"),
          reports: Path = ReportsOpt) -> None:
    """Bangun semua laporan di params/ secara paralel; yang mutakhir dilewati; keluar 1 bila ada yang gagal."""
    from lakin.pipeline.batch import main as run_batch

    raise SystemExit(run_batch(params, data, reports, units=units, periods=periods, formats=to, workers=workers,
                               scheduler=scheduler, force=force, recycle_after=recycle_after))


# --------------------------------------------------------------------------- errors as the user reads them
def _commands() -> list[str]:
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def _with_aliases(argv: list[str]) -> list[str]:
    """Old option names replaced by the current ones (`--tahun 2024`, `--tahun=2024`); after `--` nothing."""
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return out + argv[i:]
        name, eq, value = arg.partition("=")
        out.append(ALIASES[name] + eq + value if name in ALIASES else arg)
    return out


def _options_of(command: str | None) -> list[str]:
    group = typer.main.get_command(app)
    target = group.commands.get(command) if command and hasattr(group, "commands") else group
    if target is None:
        return []
    return [opt for param in target.params for opt in getattr(param, "opts", []) if opt.startswith("--")] + ["--help"]


_MESSAGES = (
    # click's, as typer < 0.29 (pyproject.toml) gives them
    (r"'.*' is not a valid int(eger)?( range)?\.?", "harus bilangan bulat"),
    (r"'.*' is not a valid float( range)?\.?", "harus angka"),
    (r".* is not in the range x>=(-?[\d.]*\d)\.?", r"harus >= \1"),
    (r".* is not in the range x<=(-?[\d.]*\d)\.?", r"harus <= \1"),
    (r".* is not in the range (-?[\d.]*\d)<=x<=(-?[\d.]*\d)\.?", r"harus >= \1 dan <= \2"),
    (r"'.*' is not a valid boolean.*", "harus true atau false"),
    # pydantic's, as typer 0.29 gives them
    (r"Input should be a valid integer.*", "harus bilangan bulat"),
    (r"Input should be a valid number.*", "harus angka"),
    (r"Input should be greater than or equal to (\S+)", r"harus >= \1"),
    (r"Input should be less than or equal to (\S+)", r"harus <= \1"),
    (r"Input should be a valid boolean.*", "harus true atau false"),
)


def _translate(message: str) -> str:
    """typer's English value errors, in Indonesian (the original kept when no rule matches)."""
    for pattern, text in _MESSAGES:
        found = re.fullmatch(pattern, message.strip())
        if found:
            return found.expand(text)
    return message


def _param_name(param) -> str:
    """How the user typed a parameter: --option, or the argument's name in capitals (SATKER)."""
    if param is None:
        return "?"
    options = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    return options[0] if options else str(param.name).upper()


def usage_message(exc: Exception, argv: list[str]) -> str:
    """A click/typer usage error in Indonesian: what is wrong, the likely meaning, where to look."""
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    command = ctx.info_name if ctx is not None and ctx.parent is not None else None
    where = f"lakin {command}" if command else "lakin"
    help_hint = f"Lihat '{where} --help'."
    message = getattr(exc, "message", str(exc))
    if kind == "NoArgsIsHelpError":
        return f"Perintah belum diberikan. Perintah yang tersedia: {', '.join(_commands())}. {help_hint}"
    if kind == "NoSuchOption":
        name = getattr(exc, "option_name", "") or message
        close = difflib.get_close_matches(name, _options_of(command) + list(ALIASES), n=1, cutoff=0.6)
        close = [ALIASES.get(c, c) for c in close]
        hint = f" Maksud Anda: {close[0]}?" if close else ""
        return f"Opsi '{name}' tidak dikenal untuk '{where}'.{hint} {help_hint}"
    if kind == "MissingParameter":
        name = _param_name(getattr(exc, "param", None))
        what = "Opsi" if name.startswith("-") else "Argumen"
        return f"{what} {name} belum diberikan untuk '{where}'. {help_hint}"
    if kind == "BadParameter":
        name = _param_name(getattr(exc, "param", None))
        return f"Nilai tidak sah untuk {name}: {_translate(message)}. {help_hint}"
    if kind == "UsageError" and message.startswith("No such command"):
        typed = message.split("'")[1] if message.count("'") >= 2 else message
        close = difflib.get_close_matches(typed, _commands(), n=1, cutoff=0.5)
        hint = f" Maksud Anda: {close[0]}?" if close else ""
        return f"Perintah '{typed}' tidak dikenal.{hint} Perintah yang tersedia: {', '.join(_commands())}."
    if kind in ("BadOptionUsage", "BadArgumentUsage") or "argument" in message.lower():
        return f"Penggunaan tidak sah ({message}). {help_hint}"
    return f"Penggunaan tidak sah: {message}. {help_hint}"


def _is_usage_error(exc: Exception) -> bool:
    return any(c.__name__ == "UsageError" for c in type(exc).__mro__)


_EXIT_HOOK: list[bool] = []  # the exit hook below, registered once per process


def _freeze_at_exit() -> None:
    """At exit, before the interpreter's teardown: keep every object alive now out of its final garbage
    collections. Those walk all that pandas, Altair and the rest made: 0.23-0.32 s at the end of every `lakin
    build` here, 0.06 s frozen. The process is ending: what is frozen is freed with it (Python does not promise
    `__del__` for objects alive at exit). Every other exit hook (the warm kernel's shutdown, logging's flush,
    multiprocessing's) still runs, before or after this one; what those after it leave is collected as before."""
    gc.freeze()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: expected failures print an Indonesian message and exit non-zero, never a traceback.

    Exit codes: 0 ok; 1 a check or batch found errors, or the operating system refused a file; 2 usage
    errors and refused input (data, parameters, options); 3 a bug (internal error); 130 interrupted."""
    if not _EXIT_HOOK:
        atexit.register(_freeze_at_exit)
        _EXIT_HOOK.append(True)
    args = _with_aliases(list(sys.argv[1:] if argv is None else argv))
    try:
        code = app(args=args, prog_name="lakin", standalone_mode=False)  # returns typer.Exit's code
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except LakinError as exc:
        _fail_exit(exc.user_message(), 2)
    except OSError as exc:
        _fail_exit(FileSystemError.from_os(exc).user_message(), 1)
    except (KeyboardInterrupt,):
        typer.echo("Dibatalkan.", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        if _is_usage_error(exc):
            _fail_exit(usage_message(exc, args), 2)
        if type(exc).__name__ == "Abort":
            typer.echo("Dibatalkan.", err=True)
            sys.exit(130)
        if os.environ.get("LAKIN_DEBUG"):
            raise
        _fail_exit(f"Kesalahan internal: {exc!r} (jalankan dengan LAKIN_DEBUG=1 untuk jejak lengkap)", 3)


def _fail_exit(message: str, code: int) -> None:
    typer.echo(f"Galat: {safe(message)}" if not message.startswith(("Galat", "Kesalahan")) else safe(message), err=True)
    sys.exit(code)


__all__ = ["ALIASES", "app", "main", "usage_message"]

if __name__ == "__main__":
    main()
