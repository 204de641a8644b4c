"""The `lakin` command line as a new user meets it (issue 16): usage errors in Indonesian with exit 2,
suggestions for typos, `--version`, progress per chapter and format, data checked before any kernel,
one naming convention with the old names as hidden aliases, `lakin batch --data D` discovering D's reports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lakin import __version__
from lakin.errors import NoDataError
from lakin.pipeline import batch
from lakin.pipeline import build as building
from lakin.pipeline import execute
from conftest import DATA, ROOT


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """`lakin ARGS` in this process (fast; the executor can be replaced): exit code, stdout, stderr."""
    from lakin.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if a kernel would be started (a first build starts one early) or any chapter executed."""
    calls = []
    monkeypatch.setattr(execute, "execute_chapter", lambda *a, **k: calls.append(a) or pytest.fail("executor called"))
    monkeypatch.setattr(building, "warm_up_kernel", lambda *a, **k: calls.append(a) or pytest.fail("kernel started"))
    return calls


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_bare_lakin_as_installed_exits_2_in_indonesian():
    proc = subprocess.run([sys.executable, "-m", "lakin.cli"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "Perintah belum diberikan" in proc.stderr and "build" in proc.stderr
    assert "internal" not in (proc.stdout + proc.stderr).lower() and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, expected", [
    ([], "Perintah belum diberikan"),
    (["biuld"], "Perintah 'biuld' tidak dikenal. Maksud Anda: build?"),
    (["chek"], "Maksud Anda: check?"),
    (["build"], "Argumen SATKER belum diberikan untuk 'lakin build'"),
    (["build", "kppbc-balikpapan"], "Argumen PERIOD belum diberikan"),
    (["template"], "Opsi --out belum diberikan"),
    (["score", "kppbc-balikpapan", "2024", "--dat", "data"], "Opsi '--dat' tidak dikenal untuk 'lakin score'. "
                                                             "Maksud Anda: --data?"),
    (["check", "--yaer", "2024"], "Maksud Anda: --year?"),
    (["synth", "--units", "x", "--out", "o"], "Nilai tidak sah untuk --units: harus bilangan bulat"),
    (["batch", "--workers", "0"], "Nilai tidak sah untuk --workers: harus >= 1"),
])
def test_usage_errors_exit_2_with_an_indonesian_message(capsys, args, expected):
    code, out, err = cli(capsys, *args)
    assert code == 2
    assert expected in err
    assert "internal" not in (out + err).lower() and "Error" not in err and "Traceback" not in err


def _in_a_new_python(argvs: list[list[str]], modules: tuple[str, ...]) -> tuple[subprocess.CompletedProcess, str]:
    """Each command line of `argvs` run by `lakin.cli.main` in one new Python: the process, and the last line of its
    stderr, `[[exit codes], [those of `modules` it imported]]` as JSON."""
    probe = ("import json, sys, lakin.cli\n"
             "codes = []\n"
             f"for argv in {argvs!r}:\n"
             "    sys.argv, code = argv, None\n"
             "    try:\n        lakin.cli.main()\n    except SystemExit as exc:\n        code = exc.code\n"
             "    codes.append(code)\n"
             f"print(json.dumps([codes, sorted(m for m in {modules!r} if m in sys.modules)]), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return proc, proc.stderr.strip().splitlines()[-1]


@pytest.mark.slow  # more than 1 s (a new Python): not in the inner loop
def test_a_command_imports_no_pydantic():
    """typer 0.29 coerces every parameter of a command through pydantic, whose import took about 0.18 s of every
    `lakin` command, an analyst's rebuild after an edit included. pyproject.toml keeps typer below 0.29, whose
    click parameter types need none (their messages are put in Indonesian too, above)."""
    proc, last = _in_a_new_python([["lakin", "figures", "kppbc-balikpapan", "2024", "--json", "--data", str(DATA)]],
                                  ("pydantic",))
    assert json.loads(proc.stdout)["satker"] == "kppbc-balikpapan", proc.stdout[:200]
    assert last == "[[0], []]", proc.stderr[-500:]


def test_help_and_a_usage_error_import_no_pandas():
    """`lakin --help` and a mistyped command answer without the data layer: the command line's only import of
    lakin's output code is `lakin.present.terminal.safe` (lakin.present.console, rich tables of pandas frames, is
    imported by the commands that print tables). 0.25 s instead of 0.7-0.8 s here."""
    proc, last = _in_a_new_python([["lakin", "--help"], ["lakin", "bangun"]],
                                  ("pandas", "numpy", "lakin.present.console"))
    assert "build" in proc.stdout and "build" in proc.stderr  # the help; the usage error suggests the command
    assert last == "[[0, 2], []]", proc.stderr[-500:]


def test_a_command_freezes_what_is_alive_at_its_exit_once_however_often_main_runs():
    """At its end a `lakin` process froze nothing: the interpreter's final garbage collections walked every object
    pandas, Altair and the build had made, 0.23-0.32 s of every `lakin build` (the analyst's rebuild after an edit
    included) spent after the report was written. `main` registers, once however often it runs, an exit hook that
    freezes what is alive then, at exit only: a program that calls `main` and goes on keeps collecting its garbage.
    An exit hook registered before `lakin.cli` is imported runs after that one."""
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print('frozen at exit', gc.get_freeze_count() > 0, file=sys.stderr))\n"
             "import lakin.cli\n"
             "for _ in range(2):\n"
             "    try:\n        lakin.cli.main(['--version'])\n    except SystemExit:\n        pass\n"
             "print('hooks', len(lakin.cli._EXIT_HOOK), 'frozen before exit', gc.get_freeze_count(),\n"
             "      file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.stdout == f"lakin {__version__}\n" * 2, proc.stdout
    assert proc.stderr.splitlines()[-2:] == ["hooks 1 frozen before exit 0", "frozen at exit True"], \
        proc.stderr[-500:]


def test_version(capsys):
    code, out, _ = cli(capsys, "--version")
    assert code == 0 and out.strip() == f"lakin {__version__}"


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_old_option_names_are_hidden_aliases(capsys):
    code, out, err = cli(capsys, "check", "--satker", "bkipm-banjarmasin", "--tahun", "2024", "--json")
    assert code in (0, 1) and out.startswith("["), err  # the check ran (1: it found errors), not a usage error
    code2, out2, _ = cli(capsys, "check", "--satker", "bkipm-banjarmasin", "--year=2024", "--json")
    assert (code2, out2) == (code, out)
    code, out, _ = cli(capsys, "check", "--help")
    assert "--year" in out and "--tahun" not in out
    code, out, _ = cli(capsys, "synth", "--help")
    assert "--last-year" in out and "--tahun-akhir" not in out


def test_build_of_a_period_without_data_fails_at_once_before_any_kernel(capsys, tmp_path, no_kernel):
    code, out, err = cli(capsys, "build", "kppbc-balikpapan", "2023", "--reports", str(tmp_path))
    assert code == 2 and no_kernel == []  # refused before any kernel started (no timing: see no_kernel)
    assert "Tidak ada data indikator untuk kppbc-balikpapan tahun 2023" in err and "2024, 2025" in err
    assert not list(tmp_path.rglob("gagal")) and not list(tmp_path.rglob("*.ipynb"))
    code, out, err = cli(capsys, "run", "kppbc-balikpapan", "2023", "--reports", str(tmp_path))
    assert code == 2 and no_kernel == [] and not list(tmp_path.rglob("gagal"))


def test_a_first_build_starts_its_drawing_child_before_reading_the_data_and_a_refusal_stops_it(
        tmp_path, monkeypatch, no_kernel):
    """The child that draws the charts (lakin.pipeline.sidework: no kernel) starts first, so that its imports and
    its Vega engine take the core the build leaves free while it reads and checks the data; a build refused for its
    data stops it, and starts no kernel."""
    events = []

    class Child:
        def __init__(self, folder=None):
            events.append("child")

        def stop(self):
            events.append("stop")

    snapshot = building.snapshot
    monkeypatch.setattr(building, "SideWork", Child)
    monkeypatch.setattr(building, "snapshot", lambda *a, **k: events.append("data") or snapshot(*a, **k))
    with pytest.raises(NoDataError):
        building.build("kppbc-balikpapan", "2023", DATA, tmp_path, sidework=True)
    assert events == ["child", "data", "stop"] and no_kernel == []
    events.clear()
    with pytest.raises(NoDataError):
        building.build("kppbc-balikpapan", "2023", DATA, tmp_path)  # a batch worker's build: no child
    assert events == ["data"]


def test_a_first_builds_child_asks_for_pngs_as_its_renderer_draws_them(tmp_path, monkeypatch, no_kernel):
    """Whether the chart cache holds a report's charts (`charts_kept`) is asked with PNGs when the renderer makes
    them for a format wanted: pandoc for DOCX (and for the PDF where Typst lacks the charts' font), Quarto for every
    format (HTML too)."""
    import lakin.pipeline.render
    from lakin.pipeline.render import pandoc as pandoc_engine

    asked = []
    monkeypatch.setattr(building, "charts_kept", lambda satker, period, raster: asked.append(raster) or True)
    monkeypatch.setattr(lakin.pipeline.render.QuartoEngine, "available", lambda self: True)
    fonts = [True]
    monkeypatch.setattr(pandoc_engine, "typst_has_chart_fonts", lambda: fonts[0])
    for renderer, formats, font in (("pandoc", ("html",), True), ("pandoc", ("html", "pdf"), True),
                                    ("pandoc", ("html", "pdf"), False), ("pandoc", ("docx",), True),
                                    ("quarto", ("html",), True)):
        fonts[0] = font
        with pytest.raises(NoDataError):
            building.build("kppbc-balikpapan", "2023", DATA, tmp_path, formats=formats, renderer=renderer,
                           sidework=True)
    assert asked == [False, False, True, True, True] and no_kernel == []


def test_targets_without_results_warn_and_strict_refuses(capsys, tmp_path, no_kernel):
    code, out, err = cli(capsys, "build", "kppbc-balikpapan", "2025", "--strict", "--reports", str(tmp_path))
    assert code == 2 and "hanya berisi target" in err and "--strict" in err and no_kernel == []


def test_build_reports_progress_per_chapter_and_per_format(capsys, tmp_path, monkeypatch):
    import lakin.pipeline.render

    def chapter(ch, output, params, kernel=None, on_cell=None):
        nbformat.write(nbformat.v4.new_notebook(), output)

    def render(notebooks, meta, out_dir, formats, engine="auto"):
        files = {}
        for fmt in formats:
            files[fmt] = Path(out_dir) / f"{meta.stem}.{fmt}"
            files[fmt].write_text(fmt)
            lakin.pipeline.render.log.info("render %s (%s): %.1f s", fmt, "pandoc", 1.25)
        return files

    def review(model, out_dir, prose=None):
        return {"html": Path(out_dir) / "reviu.html", "xlsx": Path(out_dir) / "reviu.xlsx"}

    monkeypatch.setattr(execute, "execute_chapter", chapter)
    monkeypatch.setattr(lakin.pipeline.render, "render_report", render)
    monkeypatch.setattr("lakin.pipeline.build.write_review", review)  # runs every check: not the subject here
    code, out, err = cli(capsys, "build", "bkipm-banjarmasin", "2024Q1", "--to", "html,docx", "--reports", str(tmp_path))
    assert code == 0, err
    chapters = [line for line in err.splitlines() if line.startswith("[")]
    assert chapters[0] == "[1/6] bab 00-ringkasan: Ringkasan Eksekutif" and chapters[-1].startswith("[6/6] bab 06-penutup")
    assert "format html (pandoc) selesai dalam 1,2 detik" in err and "format docx (pandoc)" in err
    assert "format xlsx selesai" in err
    assert "html:" in out and "docx:" in out


def test_batch_with_data_and_no_params_builds_the_reports_the_data_supports(capsys, tmp_path, monkeypatch):
    data = tmp_path / "D"
    shutil.copytree(DATA, data)
    seen = {}

    def fake_run_batch(jobs, formats, reports_root, **kwargs):
        seen["jobs"] = sorted(j.name for j in jobs)
        seen["data"] = {j.data_dir for j in jobs}
        return batch.BatchResult([batch.ReportOutcome(j.satker, j.period, "ok") for j in jobs], 1.0, 1)

    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    monkeypatch.chdir(tmp_path)  # no ./params here
    code, out, err = cli(capsys, "batch", "--data", str(data), "--reports", str(tmp_path / "r"), "--to", "html")
    assert code == 0, err
    assert seen["jobs"] == ["bkipm-banjarmasin/2024Q1", "kppbc-balikpapan/2024", "kppbc-balikpapan/2024Q1",
                            "kppbc-balikpapan/2024Q2", "kppbc-balikpapan/2024Q3", "spkt-polda-jateng/2018"]
    assert seen["data"] == {str(data.resolve())}
    expected = sorted(f"{p.parent.name}/{p.stem}" for p in (ROOT / "params").glob("*/*.yaml"))
    assert seen["jobs"] == expected  # the same reports the project's params/ lists for its own data
