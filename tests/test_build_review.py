"""`lakin build` shows the analyst what contradicts the report model before any chapter runs, and `--strict`
(a final report) refuses it: numbers in analysts' text the data contradicts, and required outline elements
that are missing (issue 12). The executor is a fake: these are decisions of the pipeline, not documents."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from conftest import DATA, run_cli
from lakin.pipeline import build as building
from lakin.pipeline import warm as warm_kernel  # the warm kernel's start (lakin.pipeline.execute.warm_up_kernel)
from lakin.pipeline import execute
from lakin.errors import IncompleteReportError, ProseFindingsError

SATKER, PERIOD = "kppbc-balikpapan", "2024"
# The source report's own sentence for IKU 3a-CP (seed 000, section 3.2.4), before it was converted to references.
SEED_SENTENCE = ("Realisasi penerimaan tahun 2024 sebesar Rp2.038.481.839.000 atau tumbuh 23,59% "
                 "dibandingkan tahun 2023.")


class NoChapters:
    def __init__(self):
        self.calls = []

    def __call__(self, chapter, output, params, engine_name=None, on_cell=None):
        self.calls.append(chapter.name)
        raise AssertionError("no chapter may run")


@pytest.fixture
def data(tmp_path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(DATA, out)
    with (out / "narasi" / SATKER / "2024" / "iku-3a-CP.md").open("a", encoding="utf-8") as f:
        f.write("\n\n" + SEED_SENTENCE + "\n")
    return out


def test_strict_refuses_prose_the_data_contradicts_before_any_chapter(data, tmp_path, monkeypatch):
    executor = NoChapters()
    monkeypatch.setattr(execute, "execute_chapter", executor)
    started = []  # a final build may be refused before any chapter: it starts no kernel ahead of them
    monkeypatch.setattr(warm_kernel, "warm_up", lambda *a, **k: started.append(a))
    shown = []
    with pytest.raises(ProseFindingsError) as err:
        building.build(SATKER, PERIOD, data, tmp_path / "reports", formats=("html",), strict=True,
                       progress=shown.append)
    message = err.value.user_message()
    assert "iku-3a-CP.md" in message and "2.038.481.839.000" in message and "23,59" in message
    assert any("2.035.400.114.000" in line for line in shown)  # the data's figure is named to the analyst
    assert executor.calls == [] and started == []


def test_draft_build_shows_the_findings_and_goes_on(data, monkeypatch):
    from lakin.model.report_model import build_model

    shown = []
    findings = building.review_before_build(build_model(SATKER, PERIOD, data), strict=False, progress=shown.append)
    literals = {f.literal.strip() for f in findings}
    assert {"Rp2.038.481.839.000", "23,59%"} <= literals or {"2.038.481.839.000", "23,59"} <= literals, literals
    assert all("baris" in line for line in shown) and len(shown) == len(findings)


def test_a_finding_reaches_the_analyst_once(data, caplog):
    """`lakin build` passes its progress lines: a finding goes there and not also to the log, which the
    terminal would print as a second, identical line. Without progress lines (a library call) it is logged."""
    from lakin.model.report_model import build_model

    model = build_model(SATKER, PERIOD, data)
    shown = []
    with caplog.at_level(logging.INFO, logger="lakin"):
        findings = building.review_before_build(model, progress=shown.append)
    assert findings and len(shown) == len(findings) and caplog.records == []
    with caplog.at_level(logging.INFO, logger="lakin"):
        building.review_before_build(model)
    assert [r.getMessage() for r in caplog.records] == shown


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_strict_refuses_a_report_with_outline_gaps(tmp_path, monkeypatch):
    """The shipped narasi converts every figure (no prose finding) but lacks required elements (e.g. the
    strategic issues of Bab I): a final build is refused naming them, a draft build is not."""
    from lakin.model.report_model import build_model

    model = build_model(SATKER, PERIOD, DATA)
    assert building.review_before_build(model, strict=False) == []
    monkeypatch.setattr(execute, "execute_chapter", NoChapters())
    with pytest.raises(IncompleteReportError) as err:
        building.build(SATKER, PERIOD, DATA, tmp_path / "reports", formats=("html",), strict=True)
    assert err.value.gaps and "unsur wajib" in err.value.user_message()


@pytest.mark.slow  # lakin check of whole years
def test_cli_strict_exits_with_the_findings_in_indonesian(data, tmp_path):
    proc = run_cli("build", SATKER, PERIOD, "--data", str(data), "--reports", str(tmp_path / "r"), "--to", "html",
                   "--strict")
    assert proc.returncode != 0 and "Kesalahan internal" not in proc.stderr
    assert "iku-3a-CP.md" in proc.stderr + proc.stdout
    assert not list((tmp_path / "r").rglob("*.ipynb"))


def test_foreword_resolves_figure_references_and_falls_back_per_period(tmp_path):
    """The cover's foreword is the model's block (read once, `{{ name }}` resolved), not the file read again raw;
    a quarter without its own foreword gets the generated one, never the annual text."""
    from lakin.model.report_model import build_model

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "narasi" / SATKER / "2024" / "kata-pengantar.md"
    path.write_text("Nilai kinerja organisasi tahun ini {{ nko }}.\n", encoding="utf-8")
    assert building.foreword(build_model(SATKER, PERIOD, data)) == "Nilai kinerja organisasi tahun ini 118,32."
    quarter = building.foreword(build_model(SATKER, "2024Q3", data))
    assert "{{" not in quarter and "Triwulan III Tahun 2024" in quarter and "115,07" in quarter


@pytest.mark.slow  # lakin check of whole years
@pytest.mark.parametrize("satker, period", [("kppbc-balikpapan", "2024"), ("bkipm-banjarmasin", "2024Q1")])
def test_the_reviewers_reconciliation_is_lakin_check_of_the_year(satker, period):
    """The review reuses the build's model and dataset (no second load, the period's model not computed again);
    its findings are those of `lakin check --satker S --tahun Y`, in the same order."""
    from lakin.model.report_model import build_model
    from lakin.tools.check import annex, check, check_model_data

    model = build_model(satker, period, DATA)
    reused, fresh = check_model_data(model), check(DATA, satker=satker, tahun=model.period.tahun)
    assert len(fresh.findings) > 0
    assert annex(reused.findings).equals(annex(fresh.findings))
    assert [f.rule for f in reused.findings] == [f.rule for f in fresh.findings]


@pytest.mark.slow  # lakin check of whole years
def test_the_reports_of_one_year_share_one_check_of_it(tmp_path, monkeypatch):
    """A batch worker building the annual and quarterly reports of a unit checks the unit's year once; other
    data is checked again."""
    from lakin.model.report_model import build_model
    from lakin.tools.check import run as check_run

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "catatan.txt").write_text(str(tmp_path), encoding="utf-8")  # data no other test checked
    calls = []
    original = check_run.check_satker
    monkeypatch.setattr(check_run, "check_satker", lambda *a, **k: calls.append(a[1:]) or original(*a, **k))
    first = check_run.check_model_data(build_model(SATKER, "2024", data))
    second = check_run.check_model_data(build_model(SATKER, "2024Q1", data))
    assert calls == [(SATKER, 2024)] and second.findings == first.findings
    nilai = data / "iku_nilai" / f"{SATKER}.csv"
    nilai.write_text(nilai.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # another file: checked again
    check_run.check_model_data(build_model(SATKER, "2024Q1", data))
    assert calls == [(SATKER, 2024), (SATKER, 2024)]


def test_the_years_check_is_kept_in_the_cache_until_its_data_changes(tmp_path, monkeypatch):
    """An analyst's rebuild after editing a paragraph (a new process: lakin build) does not check the year's data
    again: the cross-table rules and the reconciliation come from lakin's cache, equal to a fresh check; an edit
    of the analysts' text still re-checks the text's numbers; an edit of the data, or the cache turned off,
    checks again."""
    from lakin.model.report_model import build_model
    from lakin.tools.check import run as check_run

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    monkeypatch.setenv("LAKIN_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    original = check_run.check_satker
    monkeypatch.setattr(check_run, "check_satker", lambda *a, **k: calls.append(a[1:]) or original(*a, **k))

    def checked() -> list:
        monkeypatch.setattr(check_run, "_CHECKED", {})  # as in a new process
        return check_run.check_model_data(build_model(SATKER, "2024", data)).findings

    first = checked()
    assert calls == [(SATKER, 2024)]
    assert any(f.rule == "ringkasan" for f in first) and any(f.printed is not None for f in first)
    again = checked()
    assert calls == [(SATKER, 2024)]
    assert [f.as_dict() for f in again] == [f.as_dict() for f in first]
    assert [tuple(map(type, vars(f).values())) for f in again] == [tuple(map(type, vars(f).values())) for f in first]

    block = data / "narasi" / SATKER / "2024" / "iku-1a-N.md"
    block.write_text(block.read_text(encoding="utf-8") + "\nRealisasi naik menjadi 123,45 persen.\n",
                     encoding="utf-8")
    edited = checked()
    assert calls == [(SATKER, 2024)]  # the data's check is kept; the text's numbers are checked again
    assert any(f.rule == "angka_narasi" and "123,45" in str(f.printed) for f in edited)
    assert not any("123,45" in str(f.printed) for f in first)

    nilai = data / "iku_nilai" / f"{SATKER}.csv"
    nilai.write_text(nilai.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    checked()
    assert calls == [(SATKER, 2024)] * 2
    monkeypatch.setenv("LAKIN_CHART_CACHE", "0")
    checked()
    assert calls == [(SATKER, 2024)] * 3
