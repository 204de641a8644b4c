"""Pipeline hardening (issue 18: defects 3, 7, 9, 10, 12, 13, 14, 15): one snapshot per build, a lock per
report folder, publishing in one step, OS errors as Indonesian messages, options checked before any chapter,
params files that fail alone, control characters escaped on the terminal, bounded output and input.

The executor and the renderer are replaced by fakes wherever the test is about a decision of the pipeline
and not about the document: a fake chapter writes the overall score it reads from its `data_dir`.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from lakin.pipeline import batch
from lakin.pipeline import build as building
from lakin.pipeline import execute, incremental
from lakin.atomic import folder_lock, publish_dir
from lakin.errors import (
    DataValidationError, EngineUnavailableError, InputTooLargeError, NoDataError, ParameterError, PeriodError,
    RenderError, ReportLockedError,
)
from lakin.model.unit import open_unit
from lakin.values import angka
from lakin.data.params import MAX_PARAMS_BYTES, load_params_file
from conftest import DATA, ROOT

SATKER, PERIOD = "kppbc-balikpapan", "2024"


@pytest.fixture
def data(tmp_path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(DATA, out)
    return out


def _nko(data_dir) -> str:
    return angka(open_unit(SATKER, PERIOD, data_dir).scorecard().overall)


def _change_results(data: Path) -> None:
    """Halve every 2024 annual realisation of the customs office: a different NKO."""
    path = data / "iku_nilai" / f"{SATKER}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("realisasi")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[1] == "2024" and cells[3] == "Y" and cells[col]:
            cells[col] = str(float(cells[col]) / 2)
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _digest(data_dir) -> str:
    """A fingerprint of the results file a chapter reads (cheaper than scoring in every fake chapter)."""
    return hashlib.sha256((Path(data_dir) / "iku_nilai" / f"{SATKER}.csv").read_bytes()).hexdigest()[:12]


class FakeExecutor:
    """Stands in for papermill: each chapter notebook records which results file its data_dir holds;
    `after(n)` runs after the n-th chapter (to change the data in the middle of a build)."""

    def __init__(self, after=None, fail_at: str | None = None):
        self.calls: list[str] = []
        self.after, self.fail_at = after, fail_at

    def __call__(self, chapter, output, params, kernel=None, on_cell=None):
        self.calls.append(chapter.name)
        if chapter.name == self.fail_at:
            raise RuntimeError("bab gagal")
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(f"DATA {_digest(params.data_dir)}"))
        nbformat.write(nb, output)
        if self.after:
            self.after(len(self.calls))


def fake_render(fail: bool = False):
    """Stands in for lakin.pipeline.render.render_report: each format holds the cover's score and every chapter's."""

    def render(notebooks, meta, out_dir, formats, engine="auto"):
        if fail:
            raise RenderError("render gagal")
        texts = [meta.skor] + [nbformat.read(p, as_version=4).cells[0].source for p in notebooks]
        files = {}
        for fmt in formats:
            files[fmt] = Path(out_dir) / f"{meta.stem}.{fmt}"
            files[fmt].write_text("\n".join(texts), encoding="utf-8")
        return files

    return render


@pytest.fixture
def fakes(monkeypatch):
    """Install a fake executor and renderer; returns a function to replace them per test."""
    import lakin.pipeline.render

    models: list[str] = []

    from lakin.model.report_model import model_from_dataset as real_model_from_dataset

    def model_from_dataset(ds, satker, period, framework=None):  # the report model, computed once from ds
        models.append(_digest(ds.data_dir))
        return real_model_from_dataset(ds, satker, period, framework)

    def review(model, out_dir, prose=None):  # the reviewer's document runs every check: not the subject here
        files = {"html": Path(out_dir) / "reviu.html", "xlsx": Path(out_dir) / "reviu.xlsx"}
        for path in files.values():
            path.write_text("reviu")
        return files

    def install(executor: FakeExecutor | None = None, render=None) -> FakeExecutor:
        executor = executor or FakeExecutor()
        executor.models = models
        monkeypatch.setattr(execute, "execute_chapter", executor)
        monkeypatch.setattr(lakin.pipeline.render, "render_report", render or fake_render())
        monkeypatch.setattr(lakin.pipeline.render, "get_engine", lambda name="auto": type("E", (), {"name": "pandoc"})())
        monkeypatch.setattr(building, "model_from_dataset", model_from_dataset)
        monkeypatch.setattr(building, "write_review", review)
        return executor

    return install


def _build(data, reports, **kwargs):
    kwargs.setdefault("formats", ("html",))
    return building.build(SATKER, PERIOD, data, reports, workbook=False, signed_on=None, **kwargs)


# --------------------------------------------------------------------------- 18.3 one snapshot
def test_data_changed_during_a_build_gives_the_old_figures_throughout(data, tmp_path, fakes):
    old, old_data = _nko(data), _digest(data)
    executor = fakes(FakeExecutor(after=lambda n: n == 1 and _change_results(data)))
    result = _build(data, tmp_path / "reports")
    new = _nko(data)
    assert new != old and _digest(data) != old_data  # the import really changed the figure
    text = result.files["html"].read_text(encoding="utf-8")
    assert len(executor.calls) >= 5
    assert text.count(f"DATA {old_data}") == len(executor.calls)  # every chapter read the old data
    assert text.splitlines()[0].endswith(f": {old}") and new not in text  # the cover's score too
    assert executor.models == [old_data]  # the report model: computed once, from the same snapshot
    # the snapshot is gone once the build is over
    assert not list((tmp_path / "reports" / SATKER).glob(".lakin-tmp-*"))


def test_snapshot_copies_the_units_files_and_refuses_links_out_of_the_data(data, tmp_path):
    snap = building.snapshot(data, SATKER, 2024, tmp_path / "snap")
    assert (snap / "satker.csv").is_file() and (snap / "iku_nilai" / f"{SATKER}.csv").is_file()
    assert not (snap / "iku_nilai" / "bkipm-banjarmasin.csv").exists()  # another unit's file is not read
    assert sorted(p.name for p in (snap / "narasi" / SATKER / "2024").iterdir()) == \
        sorted(p.name for p in (data / "narasi" / SATKER / "2024").iterdir())
    assert _nko(snap) == _nko(data)
    link = data / "narasi" / SATKER / "2024" / "penutup.md"
    link.unlink(missing_ok=True)
    link.symlink_to("/etc/passwd")
    with pytest.raises(DataValidationError, match="tautan ke luar"):
        building.snapshot(data, SATKER, 2024, tmp_path / "snap2")


# --------------------------------------------------------------------------- 18.10 one build per report
def test_a_second_build_of_the_same_report_fails_at_once_naming_folder_and_holder(data, tmp_path, fakes):
    executor = fakes()
    out_dir = tmp_path / "reports" / SATKER / PERIOD
    with execute.report_lock(out_dir):
        started = time.perf_counter()
        with pytest.raises(ReportLockedError) as err:
            _build(data, tmp_path / "reports")
        assert time.perf_counter() - started < 5  # at once: no chapter, no waiting for the holder
    assert err.value.pid == os.getpid()
    message = err.value.user_message()
    assert str(out_dir) in message and str(os.getpid()) in message and "Bab" not in message
    assert executor.calls == [] and not (out_dir / "gagal").exists()
    _build(data, tmp_path / "reports")  # released: the next build goes ahead


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_lock_is_held_by_another_process(tmp_path):
    import subprocess
    import sys

    lock = tmp_path / ".lakin-lock-2024"
    code = ("import sys, time; from lakin.atomic import folder_lock\n"
            "with folder_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(ReportLockedError) as err, execute.report_lock(tmp_path / "2024"):
            pass
        assert err.value.pid == proc.pid
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    with folder_lock(lock):  # a dead holder's lock is free
        pass


def test_batch_job_of_a_report_being_built_fails_with_the_lock_message(data, tmp_path, fakes):
    fakes()
    out_dir = tmp_path / "reports" / SATKER / PERIOD
    with execute.report_lock(out_dir):
        outcome = batch.build_report(SATKER, PERIOD, ("html",), str(data), str(tmp_path / "reports"), force=True)
    assert outcome.status == "failed" and outcome.error_type == "ReportLockedError"
    assert "sedang dibangun" in outcome.error and outcome.notebook is None


# --------------------------------------------------------------------------- 18.12 published together
def _report_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_failed_render_leaves_the_previous_report_whole_notebooks_included(data, tmp_path, fakes):
    fakes()
    first = _build(data, tmp_path / "reports", formats=("html", "docx"))
    before = _report_files(first.out_dir)
    assert "notebooks/00-ringkasan.ipynb" in before
    _change_results(data)
    fakes(render=fake_render(fail=True))
    with pytest.raises(RenderError):
        _build(data, tmp_path / "reports", formats=("html", "docx"))
    assert _report_files(first.out_dir) == before
    assert not list(first.out_dir.parent.glob(".lakin-tmp-*"))


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_a_new_build_replaces_the_whole_folder_never_a_mix(data, tmp_path, fakes):
    fakes()
    first = _build(data, tmp_path / "reports", formats=("html", "docx"))
    (first.out_dir / "gagal").mkdir()
    _change_results(data)
    second = _build(data, tmp_path / "reports", formats=("html",))
    assert second.out_dir == first.out_dir
    names = sorted(p.name for p in second.out_dir.iterdir())
    assert "kppbc-balikpapan-2024.html" in names and "notebooks" in names
    assert "kppbc-balikpapan-2024.docx" not in names and "gagal" not in names  # nothing left from the first build
    assert sorted(second.files[k].name for k in second.files) == sorted(n for n in names if n != "notebooks")
    nb = nbformat.read(second.run.notebooks[0], as_version=4)
    assert nb.cells[0].source == f"DATA {_digest(data)}"


def test_publish_dir_switches_in_one_step(tmp_path):
    target, staging = tmp_path / "2024", tmp_path / "new"
    target.mkdir()
    (target / "a.html").write_text("old")
    (target / "old.pdf").write_text("old")
    staging.mkdir()
    (staging / "a.html").write_text("new")
    inode = staging.stat().st_ino
    publish_dir(staging, target)
    assert target.stat().st_ino == inode  # the staging folder itself, renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024"]
    assert sorted(p.name for p in target.iterdir()) == ["a.html"] and (target / "a.html").read_text() == "new"


def test_clean_stale_leaves_a_live_processes_work_folder(tmp_path):
    from lakin.atomic import clean_stale, work_dir

    mine = work_dir(tmp_path, "2024")
    live = tmp_path / f".lakin-tmp-{os.getppid()}-2024-x"  # the parent process: alive
    dead = tmp_path / ".lakin-tmp-999999999-2024-x"
    for folder in (live, dead):
        folder.mkdir()
    assert clean_stale(tmp_path) == 2  # this process's own (it is not building now) and the dead one's
    assert [p.name for p in tmp_path.iterdir()] == [live.name] and not mine.exists()


# --------------------------------------------------------------------------- 18.14 options before chapters
@pytest.mark.parametrize("kwargs, error", [
    ({"formats": "html,exe"}, ParameterError),
    ({"renderer": "foo"}, ParameterError),
    ({"periode": "2024Q5"}, PeriodError),
    ({"satker": "kppbc-samarinda"}, ParameterError),
    ({"periode": "2023"}, NoDataError),
    ({"periode": "2025", "strict": True}, NoDataError),
])
def test_bad_options_and_missing_data_are_refused_before_any_chapter(data, tmp_path, monkeypatch, kwargs, error):
    executor, kernels = FakeExecutor(), []
    monkeypatch.setattr(execute, "execute_chapter", executor)
    monkeypatch.setattr(building, "warm_up_kernel", lambda *a, **k: kernels.append(a))
    args = {"satker": SATKER, "periode": PERIOD, "formats": ("html",)} | kwargs
    with pytest.raises(error) as err:
        building.build(args.pop("satker"), args.pop("periode"), data, tmp_path / "reports", **args)
    assert executor.calls == [] and kernels == []  # refused before any kernel started or chapter ran
    assert not list((tmp_path / "reports").rglob("gagal")) and not list((tmp_path / "reports").rglob("*.ipynb"))
    if kwargs.get("periode") == "2023":
        assert "tahun tersedia: 2024, 2025" in err.value.user_message()


def test_unavailable_engine_is_refused_before_any_chapter(data, tmp_path, monkeypatch):
    import lakin.pipeline.render

    executor = FakeExecutor()
    monkeypatch.setattr(execute, "execute_chapter", executor)
    monkeypatch.setattr(lakin.pipeline.render.QuartoEngine, "available", lambda self: False)
    with pytest.raises(EngineUnavailableError):
        building.build(SATKER, PERIOD, data, tmp_path / "reports", formats=("html",), renderer="quarto")
    assert executor.calls == []


def test_period_with_targets_only_warns_and_strict_refuses(data):
    plan = execute.prepare(SATKER, "2025", data)
    assert plan.warnings and "hanya berisi target" in plan.warnings[0]
    with pytest.raises(NoDataError, match="--strict"):
        execute.prepare(SATKER, "2025", data, strict=True)
    assert execute.prepare(SATKER, "2024", data, strict=True).warnings == []
    assert execute.prepare("bkipm-banjarmasin", "2024Q1", data).warnings == []


def test_lakin_run_refuses_missing_data_before_any_chapter(data, tmp_path, monkeypatch):
    executor = FakeExecutor()
    monkeypatch.setattr(execute, "execute_chapter", executor)
    with pytest.raises(NoDataError):
        execute.run(SATKER, "2023", data, tmp_path / "reports")
    assert executor.calls == [] and not (tmp_path / "reports" / SATKER / "2023" / "gagal").exists()


# --------------------------------------------------------------------------- 18.7 params files
def _params(root: Path, satker: str, period: str, text: str | bytes) -> Path:
    path = root / satker / f"{period}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_params_file_with_an_invalid_byte_fails_alone(tmp_path, monkeypatch):
    params = tmp_path / "params"
    for period in ("2024", "2024Q1", "2024Q2", "2024Q3"):
        _params(params, SATKER, period, f"satker: {SATKER}\nperiode: '{period}'\n")
    _params(params, "bkipm-banjarmasin", "2024Q1", b"satker: bkipm-banjarmasin\nperiode: 2024Q1 \xff\n")
    jobs, problems = batch.discover(params, DATA)
    assert sorted(j.period for j in jobs) == ["2024", "2024Q1", "2024Q2", "2024Q3"]
    assert [(p.name, p.status) for p in problems] == [("bkipm-banjarmasin/2024Q1", "failed")]
    assert "baris 2" in problems[0].error and "0xff" in problems[0].error and "UTF-8" in problems[0].error

    seen = {}

    def fake_run_batch(jobs, formats, reports_root, **kwargs):
        seen["jobs"] = jobs
        return batch.BatchResult([batch.ReportOutcome(j.satker, j.period, "ok") for j in jobs], 1.0, 1)

    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    monkeypatch.setattr(batch, "RichReporter", lambda: None)
    code = batch.main(params, DATA, tmp_path / "reports", formats="html")
    assert code == 1 and len(seen["jobs"]) == 4


def test_duplicate_keys_and_a_path_that_disagrees_with_the_content_are_refused(tmp_path):
    dup = _params(tmp_path, SATKER, "2024", f"satker: {SATKER}\nperiode: '2024'\nsatker: bkipm-banjarmasin\n")
    with pytest.raises(ParameterError, match="kunci 'satker' ditulis dua kali"):
        load_params_file(dup)
    other = _params(tmp_path, SATKER, "2024Q1", "satker: bkipm-banjarmasin\nperiode: 2024Q1\n")
    with pytest.raises(ParameterError, match=f"bkipm-banjarmasin/2024Q1.*{SATKER}/2024Q1"):
        load_params_file(other, check_path=True)
    period = _params(tmp_path, SATKER, "2024Q2", f"satker: {SATKER}\nperiode: 2024Q3\n")
    with pytest.raises(ParameterError, match="2024Q3"):
        load_params_file(period, check_path=True)
    jobs, problems = batch.discover(tmp_path, DATA)
    assert jobs == [] and len(problems) == 3


def test_params_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = _params(tmp_path, SATKER, "2024", f"satker: {SATKER}\nperiode: '2024'\n#" + "x" * MAX_PARAMS_BYTES)
    with pytest.raises(InputTooLargeError) as err:
        load_params_file(big)
    assert str(big) in err.value.user_message() and "65.536" in err.value.user_message()


# --------------------------------------------------------------------------- 18.15 bounded input and output
def test_csv_over_the_size_limit_is_refused_naming_file_and_limit(data, monkeypatch):
    import lakin.data.load

    monkeypatch.setattr(lakin.data.load, "MAX_INPUT_BYTES", 10_000)
    with pytest.raises(DataValidationError) as err:
        lakin.data.load.load(data, satker=SATKER)
    message = err.value.user_message()
    assert f"iku_nilai/{SATKER}.csv" in message and "batas 10000 byte" in message


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_check_lists_at_most_a_thousand_findings_and_counts_the_rest():
    from rich.console import Console

    from lakin.tools.check import MAX_LISTED, CheckResult, Finding, print_result

    findings = [Finding(severity="error", rule="skema", satker=SATKER, table="iku_nilai", key=f"baris {i}",
                        message=f"temuan {i}") for i in range(MAX_LISTED + 500)]
    out = io.StringIO()
    print_result(CheckResult(Path("data"), findings), Console(file=out, width=200))
    text = out.getvalue()
    assert f"temuan {MAX_LISTED - 1}" in text and f"temuan {MAX_LISTED}" not in text
    assert "dan 500 temuan lain" in text and "1500 galat" in text


# --------------------------------------------------------------------------- 18.9 terminal escapes
ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"


def test_check_table_escapes_control_characters():
    from rich.console import Console

    from lakin.tools.check import CheckResult, Finding, print_result

    finding = Finding(severity="error", rule="skema", satker=SATKER, table="iku", key=f"kode {ESC}",
                      message=f"nilai {ESC}x\r", source=ESC)
    out = io.StringIO()
    print_result(CheckResult(Path("data"), [finding]), Console(file=out, width=200, force_terminal=False))
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "\\x1b]0;pwned\\x07" in text


def test_scorecard_and_batch_tables_escape_control_characters(data, monkeypatch):
    from rich.console import Console

    import lakin.present.console

    units = data / "satker.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("Balikpapan", f"Balikpapan{ESC}", 1),
                     encoding="utf-8")
    out = io.StringIO()
    monkeypatch.setattr(lakin.present.console, "console", Console(file=out, width=200, force_terminal=True))
    lakin.present.console.print_scorecard(open_unit(SATKER, PERIOD, data))
    text = out.getvalue()
    assert "\\x1b]0;pwned" in text and "]0;pwned" not in text.replace("\\x1b]0;pwned", "")
    out = io.StringIO()
    result = batch.BatchResult([batch.ReportOutcome(SATKER, PERIOD, "failed", error=f"rusak {ESC}")], 1.0, 1)
    batch.print_summary(result, Console(file=out, width=200, force_terminal=False))
    assert "\x1b" not in out.getvalue() and "\\x1b[2J" in out.getvalue()


# --------------------------------------------------------------------------- 18.13 operating-system errors
def _cli(capsys, *args: str) -> tuple[int, str]:
    from lakin.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return exit_.value.code, captured.out + captured.err


def test_reports_path_that_is_a_file_is_an_indonesian_message_naming_it(data, tmp_path, capsys, fakes):
    fakes()
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")
    code, text = _cli(capsys, "build", SATKER, PERIOD, "--data", str(data), "--reports", str(blocker), "--to", "html")
    assert code == 1 and "internal" not in text.lower() and str(blocker) in text and "Galat berkas" in text


def test_disk_full_is_an_indonesian_message_naming_the_path(data, tmp_path, capsys, fakes, monkeypatch):
    fakes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "reports" / "x.html"))

    monkeypatch.setattr(building, "publish_dir", full)
    code, text = _cli(capsys, "build", SATKER, PERIOD, "--data", str(data), "--reports", str(tmp_path / "reports"),
                      "--to", "html")
    assert code == 1 and "disk penuh" in text and "x.html" in text and "internal" not in text.lower()
    assert not list((tmp_path / "reports" / SATKER).glob(".lakin-tmp-*"))


def test_data_dir_that_is_not_a_data_folder_is_refused_with_its_name(tmp_path, capsys):
    code, text = _cli(capsys, "score", SATKER, PERIOD, "--data", "/etc")
    assert code == 2 and "/etc" in text and "internal" not in text.lower()
    code, text = _cli(capsys, "batch", "--data", "/etc", "--reports", str(tmp_path / "r"))
    assert code == 2 and "/etc" in text and "internal" not in text.lower()


def test_unknown_satker_is_refused_in_indonesian(data, tmp_path, capsys):
    code, text = _cli(capsys, "build", "kppbc-samarinda", PERIOD, "--data", str(data), "--reports", str(tmp_path))
    assert code == 2 and "'kppbc-samarinda' tidak dikenal" in text and "kppbc-balikpapan" in text
    assert "internal" not in text.lower()


def test_check_turns_many_loader_issues_into_findings_in_linear_time():
    """300,000 bad rows ran for hours: every issue searched the whole table for its row."""
    import pandas as pd

    from lakin.tools.check import issue_findings as _issue_findings
    from lakin.data.load import FILE_COL, LINE_COL
    from lakin.errors import DataIssue

    n = 20_000
    label = f"iku_nilai/{SATKER}.csv"
    frame = pd.DataFrame({"satker": [SATKER] * n, "tahun": [2030 + i % 50 for i in range(n)],
                          "kode": ["1a-N"] * n, "periode": ["Q1"] * n, FILE_COL: [label] * n,
                          LINE_COL: list(range(2, n + 2))})
    issues = [DataIssue(label, line, "target", "abc", "diharapkan sebuah angka") for line in range(2, n + 2)]
    started = time.perf_counter()
    findings = _issue_findings({"iku_nilai": frame}, issues)
    assert time.perf_counter() - started < 10
    assert len(findings) == n and findings[-1].tahun == 2030 + (n - 1) % 50 and findings[-1].satker == SATKER
    assert findings[0].key == "tahun=2030, kode=1a-N, periode=Q1"


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
# --------------------------------------------------------------------------- issue 15: incremental builds
def test_a_rebuild_keeps_the_chapters_whose_inputs_did_not_change(data, tmp_path, fakes, monkeypatch):
    executor = fakes()
    first = _build(data, tmp_path / "reports")
    chapters = [ch.name for ch in first.run.chapters]
    assert executor.calls == chapters and first.run.reused == [] and first.executed == chapters
    assert (first.out_dir / "notebooks" / incremental.MANIFEST).is_file()
    executor.calls.clear()
    second = _build(data, tmp_path / "reports")
    assert executor.calls == [] and second.run.reused == chapters and second.executed == []
    assert nbformat.read(second.run.notebooks[0], as_version=4).cells[0].source == f"DATA {_digest(data)}"
    # these fake chapters never load the report model: nothing tells which blocks they read, so every block counts
    (data / "narasi" / SATKER / "2024" / "penutup.md").write_text("Penutup baru.\n", encoding="utf-8")
    _build(data, tmp_path / "reports")
    assert executor.calls == chapters
    executor.calls.clear()
    _build(data, tmp_path / "reports", reuse=False)  # lakin build --force
    assert executor.calls == chapters
    executor.calls.clear()
    monkeypatch.setattr(incremental, "lakin_digest", lambda: "another lakin")
    _build(data, tmp_path / "reports")
    assert executor.calls == chapters


def test_the_chapters_model_notes_every_block_it_is_asked_for(tmp_path):
    import pickle

    from lakin.model.report_model import build_model, load, save

    log = tmp_path / "reads.log"
    blocks = pickle.loads(pickle.dumps(incremental.NarasiReads({"a.md": "A"}, log)))
    assert blocks.get("a.md") == "A" and "b.md" not in blocks and blocks.get("b.md") is None
    assert log.read_text(encoding="utf-8").splitlines() == ["+", '"a.md"', '"b.md"', '"b.md"']
    assert dict(blocks.items()) == {"a.md": "A"} and log.read_text(encoding="utf-8").splitlines()[-1] == '"*"'
    log.unlink()
    model = build_model(SATKER, PERIOD, DATA)
    path = save(incremental.recording(model, log), tmp_path / "model.pickle")
    assert type(model.narasi) is dict and not log.exists()  # the build's own model records nothing
    loaded = load(path)
    assert loaded.narasi_md("penutup.md") == model.narasi_md("penutup.md")
    assert log.read_text(encoding="utf-8").splitlines() == ["+", '"penutup.md"']
    loaded.narasi_shown("penutup.md")
    assert log.read_text(encoding="utf-8").splitlines()[-1] == '{"shown": "penutup.md"}'


def _output(text: str, block: str | None = None) -> dict:
    lakin_meta = {"kind": "text", **({"narasi": block} if block else {})}
    return {"output_type": "display_data", "data": {"text/markdown": text}, "metadata": {"lakin": lakin_meta}}


def test_a_new_text_goes_only_where_the_chapter_showed_the_block_and_never_over_another_use_of_it():
    shown = _output("Teks lama.", "penutup.md")
    notebook = {"cells": [{"cell_type": "code", "outputs": [_output("Kalimat lakin."), shown]},
                          {"cell_type": "markdown", "source": "Teks lama."}]}
    assert incremental.refresh(notebook, {"penutup.md": "Teks baru."}) == {"penutup.md"}
    assert shown["data"]["text/markdown"] == "Teks baru." and notebook["cells"][0]["outputs"][0]["data"] == {
        "text/markdown": "Kalimat lakin."}
    assert incremental.refresh(notebook, {"kendala.md": "Teks."}) == set()  # shown nowhere: the build executes
    # a cell that printed the text itself (not through show.narasi): nothing is changed, the chapter runs again
    printed = {"output_type": "stream", "name": "stdout", "text": ["Ringkasan: Teks baru.\n"]}
    notebook["cells"][0]["outputs"].append(printed)
    assert incremental.refresh(notebook, {"penutup.md": "Teks terbaru."}) is None
    assert shown["data"]["text/markdown"] == "Teks baru."
