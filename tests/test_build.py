"""`lakin build` of both seed reports (issue 6): HTML, DOCX and PDF carrying the same chapters and figures."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import nbformat
import openpyxl
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import DATA, ROOT, SHIPPED, pdf_text
from lakin.errors import ExecutionError
from lakin.pipeline.render import html_problems

pytestmark = pytest.mark.slow

CASES = {
    ("kppbc-balikpapan", "2024"): {
        "nama": "Kantor Pengawasan dan Pelayanan Bea dan Cukai Tipe Madya Pabean B Balikpapan",
        "skor": "118,32", "rows": 20,
        # PermenPANRB 53/2014 (lakin/outlines/lakin-tahunan.yaml): revenue inside Bab III A
        "bab": ["Daftar Tabel", "Daftar Gambar", "Ikhtisar Eksekutif", "Bab I Pendahuluan", "Bab II Perencanaan Kinerja",
                "Bab III Akuntabilitas Kinerja", "A. Capaian Kinerja Organisasi", "Capaian Penerimaan Negara",
                "B. Realisasi Anggaran", "Bab IV Penutup", "Lampiran"],
        "angka": ["118,32", "114,65", "109,16", "Rp2.035.400.114.000", "96,16"],
    },
    ("bkipm-banjarmasin", "2024Q1"): {
        "nama": "Balai Karantina Ikan, Pengendalian Mutu dan Keamanan Hasil Perikanan Banjarmasin",
        "skor": "112,48", "rows": 16,
        # seed 003's LKj outline (lakin/outlines/lkj-triwulanan.yaml)
        "bab": ["Daftar Tabel", "Daftar Gambar", "Ringkasan Eksekutif", "Bab I Pendahuluan",
                "1.2 Sasaran, Indikator dan Target Kinerja", "Bab II Akuntabilitas Kinerja", "2.1 Capaian Kinerja",
                "2.2 Analisis dan Evaluasi", "2.3 Realisasi Anggaran", "Bab III Penutup", "3.2 Rekomendasi"],
        "angka": ["112,48", "117,44", "27,26", "23,65", "Rp6.173.055.000"],
    },
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(params=list(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def case(request, built):
    satker, period = request.param
    result = built(satker, period)
    return result, CASES[request.param]


def test_all_formats_written_with_satker_and_period_in_names(case):
    result, _ = case
    for fmt in ("html", "docx", "pdf", "xlsx"):
        path = result.files[fmt]
        assert path.is_file() and path.stat().st_size > 0
        assert path.name.startswith(f"{result.run.params.satker}-{result.run.params.period.label}")
    assert not list(result.out_dir.glob(".lakin-tmp-*"))


def test_html_self_contained_offline(case):
    result, expect = case
    html = result.files["html"].read_text(encoding="utf-8")
    assert html_problems(html, allow_inline_scripts=True) == []  # lakin's inline chart and contents scripts
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html.get("lang") == "id"
    for tag in soup.find_all(["script", "link", "img", "iframe", "source"]):
        for attr in ("src", "href"):
            ref = tag.get(attr)
            assert not ref or ref.startswith(("data:", "#")), f"{tag.name} {attr}={ref[:60]}"
    assert soup.find_all("img"), "charts are visible as images"
    text = _norm(soup.get_text(" "))
    assert expect["nama"] in text
    for title in expect["bab"]:
        assert title in text


def test_docx_tables_images_headings(case):
    result, expect = case
    doc = docx.Document(str(result.files["docx"]))
    section = doc.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1
    scorecards = [t for t in doc.tables
                  if [c.text for c in t.rows[0].cells] == ["No", "Sasaran", "Kode", "Indikator", "Satuan", "Target",
                                                           "Realisasi", "Capaian", "Status"]]
    assert len(scorecards) == 1
    assert len(scorecards[0].rows) == expect["rows"] + 1
    assert len(doc.inline_shapes) >= 5  # every chart is an embedded picture
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for title in expect["bab"]:
        assert any(title in h for h in headings), title
    assert headings_ending_a_section(doc) == []
    # no row is broken across pages (w:cantSplit): Word breaks rows by default
    from docx.oxml.ns import qn
    rows = list(doc.element.body.iter(qn("w:tr")))
    assert rows and all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)


def _heading_levels(doc) -> dict[str, int]:
    """The style id of each of the document's "Heading N" styles, and its level N."""
    return {s.style_id: int(s.name.split()[1]) for s in doc.styles if re.fullmatch(r"Heading \d", s.name or "")}


def empty_sections(doc) -> list[str]:
    """Headings followed by a heading of the same or a higher level with nothing between them: a section printed
    with no content (kppbc-balikpapan 2024Q3's "Pertumbuhan Penerimaan (Year on Year)" when 2023's months were
    missing). Empty paragraphs (section breaks) are not content; text, pictures and tables are."""
    from docx.oxml.ns import qn

    levels = _heading_levels(doc)
    found, open_heading = [], None
    for element in doc.element.body.iterchildren():
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        level = levels.get(style.get(qn("w:val"))) if style is not None else None
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        if level is not None:
            if open_heading is not None and level <= open_heading[1]:
                found.append(open_heading[0])
            open_heading = (text, level)
        elif element.tag == qn("w:tbl") or text.strip() or next(element.iter(qn("w:drawing")), None) is not None:
            open_heading = None
    return found + ([open_heading[0]] if open_heading else [])  # the last heading, with nothing after it


def headings_ending_a_section(doc) -> list[str]:
    """Headings that are the last paragraph of their section: alone at the foot of a page, their content in the
    next section. kppbc-balikpapan 2024 had two, each right before a table on a landscape page of its own."""
    from docx.oxml.ns import qn

    heading_ids = _heading_levels(doc)
    children = list(doc.element.body.iterchildren())
    found = []
    for element, following in zip(children, children[1:]):
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in heading_ids and \
                following.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            found.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
    return found


@pytest.mark.parametrize("satker,period", SHIPPED, ids=lambda v: str(v))
def test_no_section_is_printed_without_content(built, satker, period):
    doc = docx.Document(str(built(satker, period).files["docx"]))
    assert empty_sections(doc) == []


def test_pdf_text_a4(case):
    result, expect = case
    reader = PdfReader(str(result.files["pdf"]))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1
    text = _norm(pdf_text(result.files["pdf"]))
    assert _norm(expect["nama"]) in text
    assert expect["skor"] in text
    for title in expect["bab"]:
        assert title in text


def test_formats_carry_same_chapters_and_figures(case):
    result, expect = case
    html = _norm(BeautifulSoup(result.files["html"].read_text(encoding="utf-8"), "html.parser").get_text(" "))
    document = docx.Document(str(result.files["docx"]))
    docx_text = _norm(" ".join([p.text for p in document.paragraphs]
                               + [c.text for t in document.tables for r in t.rows for c in r.cells]))
    printed = _norm(pdf_text(result.files["pdf"]))
    for needle in expect["bab"] + expect["angka"]:
        found = {name: needle in text for name, text in (("html", html), ("docx", docx_text), ("pdf", printed))}
        assert all(found.values()), (needle, found)


def test_tables_workbook_numbers_are_numbers(case):
    result, _ = case
    wb = openpyxl.load_workbook(result.files["xlsx"])
    numeric = [c for ws in wb.worksheets for row in ws.iter_rows(min_row=2) for c in row if c.data_type == "n" and c.value is not None]
    assert len(numeric) > 50


def test_failed_render_keeps_previous_report(built, tmp_path):
    """A render that fails leaves the previous report untouched and no temporary files."""
    from lakin.errors import RenderError
    from lakin.pipeline.render import ReportMeta, render_report

    result = built("bkipm-banjarmasin", "2024Q1")
    out = tmp_path / "out"
    shutil.copytree(result.out_dir, out)
    before = {p.name: p.read_bytes() for p in out.glob("*.*")}
    broken = out / "broken.ipynb"
    nb = nbformat.read(result.run.notebooks[0], as_version=4)
    nb.cells[-1].outputs = [nbformat.v4.new_output("error", ename="X", evalue="y", traceback=[])]
    nbformat.write(nb, broken)
    meta = ReportMeta(satker="bkipm-banjarmasin", nama="Balai", periode="2024Q1", periode_nama="Triwulan I Tahun 2024")
    with pytest.raises(RenderError):
        render_report([broken], meta, out)
    after = {p.name: p.read_bytes() for p in out.glob("*.*") if p.name != "broken.ipynb"}
    assert after == before
    assert not list(out.glob(".lakin-tmp-*"))


# --------------------------------------------------------------------------- incremental builds (issue 15)
INCREMENTAL = ("bkipm-banjarmasin", "2024Q1")


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """A first build of a copy of the seed data (HTML only): (data, reports root, its HTML, executed chapters)."""
    from lakin.pipeline.build import build

    base = tmp_path_factory.mktemp("incremental")
    shutil.copytree(DATA, base / "data")
    result = build(*INCREMENTAL, base / "data", base / "reports", formats=("html",), workbook=False)
    assert result.run.reused == []
    return base, result.files["html"].read_text(encoding="utf-8"), [ch.name for ch in result.run.chapters]


@pytest.fixture
def rebuild(cold, tmp_path, monkeypatch):
    """The cold build's data and report copied here; `rebuild()` builds again and returns (result, chapters
    actually executed)."""
    from lakin.pipeline import build as building
    from lakin.pipeline import execute
    from lakin.pipeline.build import build

    base, _, _ = cold
    shutil.copytree(base / "data", tmp_path / "data")
    shutil.copytree(base / "reports", tmp_path / "reports")
    calls, real = [], execute.execute_chapter

    def counted(chapter, output, params, kernel=None, on_cell=None):
        calls.append(chapter.name)
        return real(chapter, output, params, kernel, on_cell)

    monkeypatch.setattr(execute, "execute_chapter", counted)
    children = []  # the drawing children (lakin.pipeline.sidework) the build started

    class Counted(building.SideWork):
        def __init__(self, *args) -> None:
            children.append(self)
            super().__init__(*args)

    monkeypatch.setattr(building, "SideWork", Counted)
    # A first (or --force) build starts its child before its chapters unless the chart cache holds every chart of
    # the report's last build (lakin.pipeline.sidework.charts_kept). The session's builds of this report, on any
    # worker, list theirs: here a build counts children as in a cache that lists none, unless a test says so.
    monkeypatch.setattr(building, "charts_kept", lambda *args: False)

    def again(**kwargs):
        calls.clear()
        children.clear()
        result = build(*INCREMENTAL, tmp_path / "data", tmp_path / "reports", formats=("html",), workbook=False,
                       sidework=True, **kwargs)  # as `lakin build`
        assert result.executed == calls
        assert all(child.proc is None or child.proc.returncode is not None for child in children)  # none left
        return result, list(calls)

    again.children = children

    return tmp_path / "data", again


def test_an_unchanged_rebuild_executes_no_chapter(cold, rebuild):
    _, html, chapters = cold
    _, again = rebuild
    result, executed = again()
    assert executed == [] and result.run.reused == chapters and again.children == []  # no drawing child either
    assert result.files["html"].read_text(encoding="utf-8") == html
    result, executed = again(reuse=False)  # lakin build --force
    assert executed == chapters and len(again.children) == 1


def _cells(notebook: Path) -> list:
    """A notebook's cells but for what differs between two executions of the same inputs: papermill's injected
    parameters (the build's temporary data folder) and the timing metadata."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [{k: v for k, v in cell.items() if k != "metadata"} for cell in cells
            if "injected-parameters" not in cell["metadata"].get("tags", [])]


def test_an_edited_text_goes_into_the_kept_notebook_and_a_new_block_re_executes_its_chapter(cold, rebuild):
    _, html, _ = cold
    data, again = rebuild
    folder = data / "narasi" / INCREMENTAL[0] / "2024" / "Q1"
    edited = "Kalimat tambahan analis untuk uji build inkremental."
    with (folder / "iku-IKU-1.md").open("a", encoding="utf-8") as fh:
        fh.write(f"\n\n{edited}\n")
    added = "Ringkasan baru dari analis untuk uji build inkremental."
    (folder / "ringkasan.md").write_text(added + "\n", encoding="utf-8")  # a block no build has shown yet
    lines = []
    result, executed = again(progress=lines.append)
    assert executed == ["00-ringkasan"] and "03-akuntabilitas" in result.run.reused
    chapter = lines.index(next(line for line in lines if "bab 03-akuntabilitas" in line))
    assert "hanya teks analis yang berubah" in lines[chapter + 1]  # the analyst sees why nothing ran
    text = result.files["html"].read_text(encoding="utf-8")
    assert edited in text and added in text and edited not in html
    kept = result.out_dir / "notebooks" / "03-akuntabilitas.ipynb"
    assert edited in kept.read_text(encoding="utf-8")
    cells = _cells(kept)
    result, executed = again(reuse=False)  # what executing every chapter writes
    assert "03-akuntabilitas" in executed
    assert result.files["html"].read_text(encoding="utf-8") == text
    assert _cells(result.out_dir / "notebooks" / "03-akuntabilitas.ipynb") == cells
    (folder / "kata-pengantar.md").write_text("Kata pengantar baru.\n", encoding="utf-8")  # read by the cover only
    result, executed = again()
    assert executed == [] and "Kata pengantar baru." in result.files["html"].read_text(encoding="utf-8")


def test_a_block_whose_headings_change_or_that_loses_its_text_re_executes_the_chapter_showing_it(cold, rebuild):
    """The indicators' chapter reads the headings of each indicator's block (an outline element may be a heading
    there); a chapter decides from whether a block has text."""
    data, again = rebuild
    folder = data / "narasi" / INCREMENTAL[0] / "2024" / "Q1"
    with (folder / "iku-IKU-1.md").open("a", encoding="utf-8") as fh:
        fh.write("\n\n## Penyebab\n\nSebab baru dari analis.\n")
    (folder / "penutup.md").unlink()
    result, executed = again()
    assert executed == ["03-akuntabilitas", "06-penutup"]
    assert "Sebab baru dari analis." in result.files["html"].read_text(encoding="utf-8")


def test_a_data_edit_re_executes_every_chapter(cold, rebuild):
    _, _, chapters = cold
    data, again = rebuild
    path = data / "iku_nilai" / f"{INCREMENTAL[0]}.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("bkipm-banjarmasin,2024,IKU 1,Q1,0,1,", "bkipm-banjarmasin,2024,IKU 1,Q1,0,2,", 1),
                    encoding="utf-8")
    assert path.read_text(encoding="utf-8") != text
    result, executed = again()
    assert executed == chapters and result.run.reused == [] and len(again.children) == 1  # by a chart not drawn before


def test_a_build_whose_charts_the_cache_holds_starts_no_drawing_child(cold, rebuild, monkeypatch, tmp_path):
    """A build lists the chart cache's entries of its charts (lakin.pipeline.sidework.remember_charts). The next
    build of the report, when the cache still holds them all, starts no drawing child before its chapters (its
    imports and Vega engine: about 1.9 s of CPU for nothing), nor while they run: each cell's charts are found drawn
    (`undrawn`). With one entry gone, the child starts before the chapters again, and draws it."""
    from lakin.pipeline import build as building
    from lakin.pipeline import sidework
    from lakin.present.charts.cache import cache_root, location, peek

    _, html, chapters = cold
    _, again = rebuild
    # a cache of its own (the Vega bundle copied): the session's builds of this report, on any worker, would draw
    # the entry removed below, or list its charts, at any moment
    own = tmp_path / "cache"
    own.mkdir()
    for bundle in cache_root().glob("vega-bundle-*"):
        shutil.copy2(bundle, own)
    monkeypatch.setenv("LAKIN_CACHE_DIR", str(own))
    monkeypatch.setattr(building, "charts_kept", sidework.charts_kept)
    again(reuse=False)  # draws its charts into that cache, and lists them
    assert len(again.children) == 1
    listed = json.loads(peek(location("report-charts", ("1", *INCREMENTAL))))
    assert listed["entries"] and sidework.charts_kept(*INCREMENTAL, raster=False)
    result, executed = again(reuse=False)
    assert executed == chapters and again.children == []
    assert result.files["html"].read_text(encoding="utf-8") == html
    name = listed["entries"][0]
    (cache_root() / "charts" / name[:2] / name).unlink()
    assert not sidework.charts_kept(*INCREMENTAL, raster=False)
    result, executed = again(reuse=False)
    assert executed == chapters and len(again.children) == 1
    assert (cache_root() / "charts" / name[:2] / name).is_file()
    assert result.files["html"].read_text(encoding="utf-8") == html


def test_a_failing_chapter_leaves_no_drawing_child(rebuild, monkeypatch):
    """A chapter that fails ends the build: its drawing child is stopped, not waited for or left behind."""
    from lakin.pipeline import execute

    _, again = rebuild
    counting = execute.execute_chapter  # the fixture's counting wrapper around the real one

    def second_fails(chapter, output, params, kernel=None, on_cell=None):
        if len(again.children) and chapter.name != "00-ringkasan":
            raise RuntimeError("bab kedua gagal")
        return counting(chapter, output, params, kernel, on_cell)

    monkeypatch.setattr(execute, "execute_chapter", second_fails)
    with pytest.raises(ExecutionError, match="bab kedua gagal"):
        again(reuse=False)
    assert len(again.children) == 1 and again.children[0].proc.poll() is not None


def test_ctrl_c_stops_the_build_and_its_drawing_child(tmp_path):
    """Ctrl-C (SIGINT to the terminal's process group) during the chapters: `lakin build` stops with an error
    code, its drawing child (lakin.pipeline.sidework, in the build's process group) is gone with it, and
    nothing is published."""
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "LAKIN_CACHE_DIR": str(tmp_path / "cache"),  # charts never drawn: the child has work
           "TMPDIR": str(tmp_path / "tmp")}
    proc = subprocess.Popen([sys.executable, "-m", "lakin.cli", "build", "kppbc-balikpapan", "2024", "--to", "html",
                             "--reports", str(tmp_path / "r")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in proc.stdout:  # the progress lines, until the second chapter starts (the child draws the first's)
        seen.append(line)
        if line.startswith("[2/"):
            break
    children = subprocess.run(["ps", "-o", "args=", "-g", str(proc.pid)], capture_output=True, text=True).stdout
    assert "lakin.pipeline.sidework" in children, seen
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no process of the build's group is left
    assert not (tmp_path / "r" / "kppbc-balikpapan" / "2024").exists()
    # nor the kernel's connection file (jupyter_client's mkstemp in the temporary folder, its key included)
    assert list((tmp_path / "tmp").glob("*.json")) == []


def test_the_suite_gives_its_children_a_terminals_ctrl_c():
    """A suite started with SIGINT ignored (`make test &` from a script: seen in the eighth session, where the Ctrl-C
    test above saw exit code 0 and the `--watch` test timed out) still gives the processes it starts a terminal's
    Ctrl-C: conftest restores SIGINT, so a child's SIGINT handler is Python's KeyboardInterrupt."""
    probe = ("import signal, subprocess, sys; sys.path.insert(0, 'tests'); import conftest; "
             "child = 'import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)'; "
             "print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN, "
             "subprocess.run([sys.executable, '-c', child], capture_output=True, text=True).stdout.strip())")
    ignoring = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert ignoring.stdout.split() == ["False", "True"], ignoring.stderr


def _zip_entries(path: Path, leave_out: tuple[str, ...] = ()) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name not in leave_out}


def test_lakin_writes_a_kept_notebook_as_nbformat_does(executed):
    """An edit rebuild refreshes a kept notebook without nbformat (its import and schema cost 0.3 s): read as JSON,
    given a block's new text as one string, written by `notebook_text`. Every chapter of both seeds, as read and
    with a shown block's text set anew, gives the text nbformat.v4 writes for the same notebook."""
    from lakin.pipeline.render.notebooks import notebook_text

    new_text = "Paragraf baru.\n\nKalimat kedua, *miring*.\n"
    paths = [*executed("kppbc-balikpapan", "2024"), *executed("bkipm-banjarmasin", "2024Q1")]
    refreshed = 0
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        assert notebook_text(json.loads(text)) == nbformat.v4.writes(nbformat.v4.reads(text)) == text, path
        ours, theirs = json.loads(text), nbformat.v4.reads(text)
        for mine, other in zip(ours["cells"], theirs.cells):
            for out, out_theirs in zip(mine.get("outputs", []), other.get("outputs", [])):
                if "narasi" in (out.get("metadata") or {}).get("lakin", {}):
                    out["data"]["text/markdown"] = out_theirs["data"]["text/markdown"] = new_text
                    refreshed += 1
        assert notebook_text(ours) == nbformat.v4.writes(theirs), path
    assert len(paths) == 14 and refreshed > 10, refreshed


@pytest.mark.slow  # a build in every format
def test_what_makes_builds_fast_changes_no_byte_of_the_report(built, tmp_path, monkeypatch):
    """Issue 15, target 5. The session's build of a report took the fast paths (as `lakin build`: charts drawn by
    a child process while the kernel runs and taken from the cache, DOCX from stand-ins); rebuilt in a copy, it
    reuses every chapter, draws no chart and takes the year's check from the cache. A build from scratch along
    the plain paths (every chart drawn in this process at render time, the year checked, DOCX from the real
    images, every chapter executed) gives the same bytes: HTML, DOCX and PDF whole (the session fixes the PDF's
    time with SOURCE_DATE_EPOCH, tests/conftest.py); the two workbooks but for their documented timestamp
    (openpyxl's docProps/core.xml)."""
    import vl_convert

    from lakin.pipeline.build import build
    from lakin.pipeline.render import pandoc
    from lakin.tools.check import run as check_run

    satker, period = "bkipm-banjarmasin", "2024Q1"
    shutil.copytree(built(satker, period).out_dir, tmp_path / "after" / satker / period)
    calls = {"vega": 0, "raster": 0, "check": 0}
    for name, kind in (("vegalite_to_svg", "vega"), ("svg_to_png", "raster")):
        original = getattr(vl_convert, name)
        monkeypatch.setattr(vl_convert, name, lambda *a, _o=original, _k=kind, **k: calls.__setitem__(
            _k, calls[_k] + 1) or _o(*a, **k))
    checked = check_run.check_satker
    monkeypatch.setattr(check_run, "check_satker", lambda *a, **k: calls.__setitem__(
        "check", calls["check"] + 1) or checked(*a, **k))
    monkeypatch.setattr(check_run, "_CHECKED", {})  # the year's check comes from lakin's cache, not this process
    after = build(satker, period, DATA, tmp_path / "after")
    assert after.executed == [] and calls == {"vega": 0, "raster": 0, "check": 0}
    with monkeypatch.context() as plain:
        plain.setenv("LAKIN_CHART_CACHE", "0")
        plain.setattr(pandoc, "STAND_INS", False)
        plain.setattr(check_run, "_CHECKED", {})
        before = build(satker, period, DATA, tmp_path / "before", reuse=False)
    assert calls["vega"] > 5 and calls["check"] == 1
    for kind in ("html", "docx", "pdf"):
        assert after.files[kind].read_bytes() == before.files[kind].read_bytes(), kind
    for kind in ("xlsx", "reviu_xlsx"):
        assert _zip_entries(after.files[kind], ("docProps/core.xml",)) == \
            _zip_entries(before.files[kind], ("docProps/core.xml",)), kind
    assert after.files["reviu_html"].read_bytes() == before.files["reviu_html"].read_bytes()
