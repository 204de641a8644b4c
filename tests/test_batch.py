"""lakin.pipeline.batch: parallel on Dask workers with warm kernels, skipping up-to-date reports, resumable, failure-tolerant.

Tiny synthetic units (`lakin synth`), HTML only. The cluster tests share one LocalCluster of 2 worker
processes (the workers' warm kernels serve every test); the others need no worker at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakin.pipeline import batch
from lakin.tools import synth
from lakin.atomic import TMP_PREFIX
from lakin.data.load import _file_owner
from lakin.errors import BatchError, ChapterFailure, ExecutionError

ROOT = Path(__file__).resolve().parent.parent
KPPBC, BKIPM, BKIPM4 = "sintetis-kppbc-0001", "sintetis-bkipm-0002", "sintetis-bkipm-0004"
HTML = ("html",)


def _jobs(data: Path, *names: str) -> list[batch.ReportJob]:
    """Jobs for 'satker/period' names, from the params files synth wrote."""
    jobs, problems = batch.discover(data / "params")
    assert not problems
    by_name = {job.name: job for job in jobs}
    return [by_name[name] for name in names]


def _temporaries(root: Path) -> list[Path]:
    return list(root.rglob(f"{TMP_PREFIX}*"))


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250"}  # no wrapping inside the summary table
    return subprocess.run([sys.executable, "-m", "lakin.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300, check=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("batch") / "data"
    synth.generate(out, units=4, years=1, params=True)  # the cluster tests build the two smaller (bkipm) units
    return out


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes, one thread each, as `lakin batch` starts by default."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def first_batch(data, client, tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    result = batch.run_batch(_jobs(data, f"{BKIPM}/2024", f"{BKIPM4}/2024"), HTML, reports, client=client)
    return reports, result


# --------------------------------------------------------------------------- on the cluster
@pytest.mark.slow
def test_batch_on_local_cluster_builds_every_report_on_warm_kernels(first_batch):
    reports, result = first_batch
    assert [o.status for o in result.outcomes] == ["ok", "ok"], [o.error for o in result.outcomes]
    assert result.exit_code == 0 and result.workers == 2
    for o in result.outcomes:
        out = reports / o.satker / o.period
        assert (out / f"{o.satker}-{o.period}.html").is_file()
        stamp = json.loads((out / batch.STAMP_NAME).read_text())
        assert stamp["formats"] == ["html"] and set(stamp["parts"]) == set(batch.PART_NAMES)
        # one kernel per worker, started once, serving every chapter of every report it built
        assert o.kernel["starts"] == 1 and o.kernel["runs"] >= 6
        assert 0 < o.memory_mb["worker"] + o.memory_mb["kernel"] < 1536
    assert not _temporaries(reports)


@pytest.mark.slow
def test_rerun_skips_up_to_date_reports_and_rebuilds_only_the_changed_unit(data, client, first_batch):
    reports, _ = first_batch
    jobs = _jobs(data, f"{BKIPM4}/2024", f"{BKIPM}/2024")
    again = batch.run_batch(jobs, HTML, reports)  # local: checked here, no worker started
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"] and again.workers == 0

    nilai = data / "iku_nilai" / f"{BKIPM}.csv"
    os.utime(nilai)  # a new mtime, the same content: still up to date
    assert [o.status for o in batch.run_batch(jobs, HTML, reports).outcomes] == ["skipped", "skipped"]

    _edit_csv(nilai, 1, "realisasi", "11")
    changed = batch.run_batch(jobs, HTML, reports, client=client)  # workers decide
    assert [(o.satker, o.status) for o in changed.outcomes] == [(BKIPM4, "skipped"), (BKIPM, "ok")]
    assert changed.outcomes[1].reason == "berubah: data"


@pytest.mark.slow
def test_broken_unit_fails_with_its_cause_the_others_finish_and_a_rerun_skips_them(client, tmp_path):
    data = tmp_path / "data"
    synth.generate(data, units=2, years=1, params=True)
    _edit_csv(data / "iku_nilai" / f"{KPPBC}.csv", 1, "realisasi", "abc")
    reports = tmp_path / "reports"
    args = ("batch", "--params", str(data / "params"), "--periods", "2024", "--to", "html",
            "--reports", str(reports), "--scheduler", client.scheduler.address)

    first = _cli(*args)
    assert first.returncode == 1, first.stderr
    row = next(line for line in first.stdout.splitlines() if KPPBC in line)
    assert "gagal" in row and "Data tidak valid" in row
    assert "kolom 'realisasi': nilai 'abc'" in first.stdout  # the cause, on the row's next line
    assert (reports / KPPBC / "2024" / "gagal" / "00-ringkasan.ipynb").is_file()  # the error notebook is kept
    assert (reports / BKIPM / "2024" / batch.STAMP_NAME).is_file()
    assert not (reports / KPPBC / "2024" / batch.STAMP_NAME).exists()

    again = batch.run_batch(batch.discover(data / "params", periods="2024")[0], HTML, reports, client=client)
    assert [(o.satker, o.status) for o in again.outcomes] == [(BKIPM, "skipped"), (KPPBC, "failed")]
    assert again.exit_code == 1


class _CtrlC(batch.Reporter):
    """Ctrl-C as the batch command receives it: while waiting for the first result."""

    pressed = False

    def result(self, outcome):
        if not self.pressed:
            self.pressed = True
            raise KeyboardInterrupt


@pytest.mark.slow
def test_interrupted_batch_leaves_no_half_written_files_and_a_rerun_finishes_the_rest(data, client, first_batch):
    reports, _ = first_batch
    jobs = _jobs(data, f"{BKIPM}/2024", f"{BKIPM}/2024Q3", f"{BKIPM}/2024Q1")
    # 2 in flight (2 worker threads): 2024 is up to date and returns at once -> "Ctrl-C" while 2024Q3 is
    # being built: it is finished, 2024Q1 is never started
    stopped = batch.run_batch(jobs, HTML, reports, client=client, reporter=_CtrlC())
    assert stopped.interrupted and stopped.exit_code == 130
    assert [o.status for o in stopped.outcomes] == ["skipped", "ok", "cancelled"]
    assert (reports / BKIPM / "2024Q3" / batch.STAMP_NAME).is_file()
    assert not (reports / BKIPM / "2024Q1").exists()
    assert not _temporaries(reports)

    # what a killed batch leaves behind is removed before the next one starts
    (reports / BKIPM / "2024Q1").mkdir(parents=True)
    (reports / BKIPM / "2024Q1" / f"{TMP_PREFIX}render-x").mkdir()
    (reports / BKIPM / "2024Q3" / f"{TMP_PREFIX}abc.html").write_text("<html>half")
    rerun = batch.run_batch(jobs, HTML, reports, client=client)
    assert rerun.cleaned == 2 and not _temporaries(reports)
    assert [o.status for o in rerun.outcomes] == ["skipped", "skipped", "ok"]


# --------------------------------------------------------------------------- without workers
def test_a_job_interrupted_mid_build_is_not_finished_and_failures_keep_their_cause(data, tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    out = reports / KPPBC / "2024"
    out.mkdir(parents=True)
    (out / batch.STAMP_NAME).write_text('{"format": 1}')

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("lakin.pipeline.build.build", interrupted)
    with pytest.raises(KeyboardInterrupt):  # not swallowed as a failure
        batch.build_report(KPPBC, "2024", HTML, str(data), str(reports), force=True)
    assert not (out / batch.STAMP_NAME).exists()  # removed before building: never taken as finished

    kept = str(out / "gagal" / "03-akuntabilitas.ipynb")

    def chapter_fails(*args, **kwargs):
        raise ExecutionError(ChapterFailure("03-akuntabilitas", kept, 4, "ValueError", "boom"))

    monkeypatch.setattr("lakin.pipeline.build.build", chapter_fails)
    failed = batch.build_report(KPPBC, "2024", HTML, str(data), str(reports))
    assert (failed.status, failed.notebook, failed.error_type) == ("failed", kept, "ExecutionError")
    assert "03-akuntabilitas" in failed.error and "boom" in failed.error

    monkeypatch.setattr("lakin.pipeline.build.build", lambda *a, **k: 1 / 0)
    bug = batch.build_report(KPPBC, "2024", HTML, str(data), str(reports))
    assert bug.status == "failed" and bug.error.startswith("ZeroDivisionError") and "Traceback" in bug.detail


def test_fingerprint_covers_only_the_units_own_data(tmp_path):
    data = tmp_path / "data"
    synth.generate(data, units=3, years=1)
    # one shared file for a table, as hand-made data often has: each unit hashes only its own rows
    pagu = sorted((data / "pagu").glob("*.csv"))
    lines = [pagu[0].read_text().splitlines()[0]] + [line for p in pagu for line in p.read_text().splitlines()[1:]]
    (data / "pagu.csv").write_text("\n".join(lines) + "\n")
    for p in pagu:
        p.unlink()

    def digests():
        return {s: batch.fingerprint(s, "2024", HTML, data).parts["data"] for s in (KPPBC, BKIPM)}

    before = digests()
    assert before[KPPBC] != before[BKIPM]
    _edit_csv(data / "iku_nilai" / "sintetis-kppbc-0003.csv", 1, "realisasi", "1")  # another unit's file
    row = next(i for i, line in enumerate(lines) if line.startswith(BKIPM))
    _edit_csv(data / "pagu.csv", row, "pagu", "1000")  # BKIPM's row of the shared file
    after = digests()
    assert after[KPPBC] == before[KPPBC] and after[BKIPM] != before[BKIPM]
    # a row of no known unit fails every unit's validation: every unit is rebuilt
    with open(data / "pagu.csv", "a") as fh:
        fh.write("sintetis-typo-9999," + lines[1].split(",", 1)[1] + "\n")
    assert all(digests()[s] != after[s] for s in after)
    assert batch.fingerprint(KPPBC, "2024", ("html", "docx"), data).digest != batch.fingerprint(
        KPPBC, "2024", HTML, data).digest


@pytest.mark.parametrize("stem, slugs", [
    ("a", {"a"}), ("a-b", {"a"}), ("a-b", {"a", "a-b"}), ("a-b-c", {"a", "a-b"}), ("ab", {"a"}), ("x", {"a"}),
    ("kppbc-balikpapan-kinerja", {"kppbc-balikpapan", "bkipm-banjarmasin"}),
])
def test_file_owner_follows_lakin_data(stem, slugs):
    assert batch._owner(stem, slugs) == _file_owner(stem, slugs)


def test_notebook_digest_ignores_saved_outputs(tmp_path):
    import nbformat

    from lakin.pipeline.execute import NOTEBOOK_DIR

    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, tmp_path / path.name)
    assert batch.notebooks_digest(tmp_path) == batch.notebooks_digest()
    nb = nbformat.read(tmp_path / "06-penutup.ipynb", as_version=4)
    nb.cells[-1].source += "\n"
    nbformat.write(nb, tmp_path / "06-penutup.ipynb")
    assert batch.notebooks_digest(tmp_path) != batch.notebooks_digest()


def test_discover_filters_and_reports_unreadable_params(data, tmp_path):
    jobs, problems = batch.discover(data / "params", units=f"{BKIPM}", periods=["2024,2024Q1"])
    assert [j.name for j in jobs] == [f"{BKIPM}/2024", f"{BKIPM}/2024Q1"] and not problems
    assert jobs[0].data_dir == str(data.resolve())

    params = tmp_path / "params"
    (params / "unit-x").mkdir(parents=True)
    (params / "unit-x" / "2024.yaml").write_text("satker: unit-x\nperiode: '2024'\nwarna: merah\n")
    (params / "unit-x" / "2024Q1.yaml").write_text("satker: unit-x\nperiode: 2024Q1\n")
    (params / "unit-x" / "2024Q1.yml").write_text("satker: unit-x\nperiode: 2024Q1\n")
    jobs, problems = batch.discover(params, tmp_path / "data")
    assert [j.name for j in jobs] == ["unit-x/2024Q1"] and jobs[0].data_dir == str((tmp_path / "data").resolve())
    assert [(p.name, p.status) for p in problems] == [("unit-x/2024", "failed"), ("unit-x/2024Q1", "failed")]
    assert "warna" in problems[0].error and "sudah diminta" in problems[1].error
    with pytest.raises(BatchError, match="Tidak ada laporan"):
        batch.main(params, units="unit-z")


def test_a_second_batch_on_the_same_reports_is_refused(tmp_path):
    with batch._reports_lock(tmp_path), pytest.raises(BatchError, match="Batch lain"):
        batch.run_batch([], HTML, tmp_path)
    assert batch.run_batch([], HTML, tmp_path).outcomes == []
