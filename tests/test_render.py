"""lakin.pipeline.render: assembly, numbering, and the three formats through the pandoc engine (Quarto where installed)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from lakin.pipeline import render
from lakin.errors import EngineUnavailableError, ParameterError, PeriodError, RenderError
from lakin.pipeline.render import ReportMeta, assemble, html_problems, render_report
from conftest import pdf_text as printed_text

UNIT = "Kantor Pengawasan dan Pelayanan Bea dan Cukai Tipe Madya Pabean B Balikpapan"
SCRIPT = "<script>alert(1)</script>"
TITLES = ["Ringkasan Eksekutif", "Pendahuluan", "Akuntabilitas Kinerja", "Penutup"]
NO_QUARTO = "Quarto tidak terpasang: uji mesin Quarto dilewati, jalur pandoc (pandoc + Typst) diuji sebagai gantinya"


# --------------------------------------------------------------------------------------------------
# Executed notebooks whose outputs are exactly what lakin.present.show displays


def _shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def _outputs(call) -> list:
    """Run a lakin.present.show call under IPython and return its display_data outputs as nbformat dicts."""
    from IPython.utils.capture import capture_output

    _shell()
    with capture_output() as captured:
        call()
    return [new_output("display_data", data=o.data, metadata=o.metadata) for o in captured.outputs]


def _code(call, source: str = "lakin.present.show.something()", tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = _outputs(call) if call else []
    cell.execution_count = 1
    return cell


def _notebook(title: str | None, cells: list, numbered: bool = True, signature: bool = False) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if title is not None:
        nb.metadata["lakin"] = {"chapter": {"title": title, "numbered": numbered, "signature": signature}}
    return nb


def _scorecard(nama: str) -> pd.DataFrame:
    rows = []
    for i in range(1, 21):
        rows.append({"No": str(i), "Indikator Kinerja Utama": f"IKU {i}: persentase kepatuhan pengguna jasa {nama if i == 3 else ''}".strip(),
                     "Target": f"{80 + i % 7},{i:02d}%", "Realisasi": f"{90 + i % 5},{i:02d}%",
                     "Indeks": "118,32" if i == 1 else f"{100 + i},{i:02d}"})
    return pd.DataFrame(rows)


def _chart():
    import altair as alt

    from lakin.present.charts import base

    data = pd.DataFrame({"bulan": ["Januari", "Februari", "Maret", "April"], "nilai": [10.5, 12.25, 9.75, 14.0]})
    return base(data, width=480, height=200).mark_bar().encode(x=alt.X("bulan:N", sort=None), y="nilai:Q")


def write_notebooks(directory: Path, nama: str = UNIT) -> list[Path]:
    """Four executed chapters: unnumbered summary, then three numbered chapters (tables, chart, headings)."""
    from lakin.present import show

    directory.mkdir(parents=True, exist_ok=True)
    params = new_code_cell('satker = "kppbc-balikpapan"\nperiode = "2024"', metadata={"tags": ["parameters"]})
    injected = new_code_cell('satker = "x"', metadata={"tags": ["injected-parameters"]})
    setup = _code(lambda: show.markdown("SETUP-OUTPUT-JANGAN-TAMPIL"), "import lakin\nSETUP_SOURCE = 1", ("setup",))
    small = pd.DataFrame({"Uraian": ["Nilai Kinerja Organisasi", "Jumlah IKU"], "Nilai": ["118,32", "20"]})
    chart = _chart()

    ringkasan = _notebook("Ringkasan Eksekutif", [
        new_raw_cell("---\ntitle: Ringkasan Eksekutif\n---"),
        params, injected, setup,
        new_markdown_cell("# Ringkasan Eksekutif\n\nRingkasan capaian kinerja tahun 2024."),
        _code(lambda: show.heading("Capaian Utama", level=2)),
        _code(lambda: show.markdown(f"{show.escape_md(nama)} mencapai Nilai Kinerja Organisasi **118,32**.")),
        _code(lambda: show.table(small, "Ikhtisar capaian")),
    ], numbered=False)
    pendahuluan = _notebook("Pendahuluan", [
        new_markdown_cell("# Pendahuluan"),
        new_markdown_cell("## Latar Belakang\n\nLaporan kinerja disusun sebagai pertanggungjawaban."),
        _code(lambda: show.markdown(f"Unit: {show.escape_md(nama)}.")),
    ])
    akuntabilitas = _notebook("Akuntabilitas Kinerja", [
        new_markdown_cell("# Akuntabilitas Kinerja\n\nBab ini menyajikan capaian IKU."),
        _code(lambda: show.heading("Capaian Indikator Kinerja Utama", level=2)),
        _code(lambda: show.table(_scorecard(nama), "Capaian IKU Tahun 2024", note="Sumber: data IKU")),
        _code(lambda: show.chart(chart, "Penerimaan per bulan (miliar rupiah)", width=480)),
        _code(lambda: show.markdown("Indeks capaian rata-rata sebesar 118,32.")),
        _code(lambda: show.table(small, "Ringkasan nilai")),
    ])
    penutup = _notebook("Penutup", [
        new_markdown_cell("# Penutup\n\nDemikian laporan ini disusun."),
    ])
    paths = []
    for name, nb in [("00-ringkasan", ringkasan), ("01-pendahuluan", pendahuluan),
                     ("03-akuntabilitas", akuntabilitas), ("06-penutup", penutup)]:
        path = directory / f"{name}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def make_meta(nama: str = UNIT, **extra) -> ReportMeta:
    fields = dict(
        satker="kppbc-balikpapan", nama=nama, periode="2024", periode_nama="Tahun 2024",
        jenis_laporan="Laporan Kinerja Tahunan", singkatan="KPPBC TMP B Balikpapan", kementerian="Kementerian Keuangan",
        unit_eselon1="Direktorat Jenderal Bea dan Cukai", induk="Kanwil DJBC Kalimantan Bagian Timur",
        kota="Balikpapan", tanggal="31 Januari 2025", kepala="Raden Muhamad Agus Ekawidjaja",
        jabatan_kepala="Kepala Kantor", kata_pengantar="Puji syukur kami panjatkan atas selesainya laporan ini.",
        skor="Nilai Kinerja Organisasi: 118,32",
    )
    fields.update(extra)
    return ReportMeta(**fields)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("render")
    notebooks = write_notebooks(base / "nb")
    out = base / "reports" / "kppbc-balikpapan" / "2024"
    files = render_report(notebooks, make_meta(), out, engine="pandoc")
    return notebooks, out, files


# --------------------------------------------------------------------------------------------------
# Extracting what each format says


def _squash(text: str) -> str:
    return " ".join(text.split())


def html_soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_chapters(path: Path) -> list[str]:
    soup = html_soup(path)
    titles = []
    for h1 in soup.find("main").find_all("h1"):
        for num in h1.select(".header-section-number"):
            num.decompose()
        titles.append(_squash(h1.get_text()))
    return titles


def docx_chapters(path: Path) -> list[str]:
    import docx

    doc = docx.Document(str(path))
    return [re.sub(r"^\d+\s+", "", _squash(p.text)) for p in doc.paragraphs if p.style.name == "Heading 1"]


def docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return _squash("\n".join(parts))


def pdf_chapters(path: Path) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    titles = []
    for item in reader.outline:
        if isinstance(item, list):
            continue
        title = re.sub(r"^\d+\s+", "", _squash(item.title))
        if title != "Daftar Isi":
            titles.append(title)
    return titles


def pdf_text(path: Path) -> str:
    return _squash(printed_text(path))


# --------------------------------------------------------------------------------------------------
# Assembly and numbering


def test_assembly_numbers_chapters_tables_and_figures(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb")
    asm = assemble(notebooks, tmp_path / "media", make_meta())
    assert asm.titles == ["Kata Pengantar", *TITLES]
    numbers = {c.title: c.number for c in asm.chapters}
    assert numbers == {"Kata Pengantar": None, "Ringkasan Eksekutif": None, "Pendahuluan": 1,
                       "Akuntabilitas Kinerja": 2, "Penutup": 3}
    akuntabilitas = asm.chapters[3]
    assert akuntabilitas.tables == ("Tabel 2.1", "Tabel 2.2")
    assert akuntabilitas.figures == ("Gambar 2.1",)
    assert asm.chapters[1].tables == ("Tabel 1",)  # unnumbered chapters: running sequence, no prefix
    md = asm.markdown
    assert ": Tabel 2.1 Capaian IKU Tahun 2024" in md
    # a chart is written once, as SVG; DOCX and PDF get a PNG drawn from it (rasters)
    assert "![Gambar 2.1 Penerimaan per bulan (miliar rupiah)](media/fig-001.svg)" in md
    assert (tmp_path / "media" / "fig-001.svg").read_text(encoding="utf-8").startswith("<svg")
    assert asm.rasters == {"fig-001.svg": "fig-001.png"} and not (tmp_path / "media" / "fig-001.png").exists()
    # one level-1 heading per chapter; headings of unnumbered chapters unnumbered
    assert re.findall(r"^# (.*)$", md, flags=re.M) == [
        "Kata Pengantar {.unnumbered}", "Ringkasan Eksekutif {.unnumbered}", "Pendahuluan",
        "Akuntabilitas Kinerja", "Penutup"]
    assert "## Capaian Utama {.unnumbered}" in md
    # parameters, injected parameters and setup cells, and code inputs, never reach the report
    for hidden in ("satker =", "SETUP-OUTPUT-JANGAN-TAMPIL", "SETUP_SOURCE", "lakin.present.show.something"):
        assert hidden not in md
    # the signature block closes the foreword and is not repeated
    assert md.count("lakin-signature") == 1


def test_assembly_signature_at_end_without_foreword(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb")
    asm = assemble(notebooks, tmp_path / "media", make_meta(kata_pengantar=None))
    assert asm.titles == TITLES
    assert asm.markdown.count("lakin-signature") == 1
    assert asm.markdown.rstrip().endswith(":::") and asm.markdown.index("lakin-signature") > asm.markdown.index("# Penutup")


def test_title_from_first_heading_and_extra_h1_demoted(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("Pengantar bab.\n\n# BAB I Pendahuluan {#bab-1}\n\nTeks."),
                             new_markdown_cell("# Bagian Lain\n\n```\n# bukan judul\n```")])
    path = tmp_path / "01.ipynb"
    nbformat.write(nb, path)
    asm = assemble([path], tmp_path / "media")
    assert asm.titles == ["BAB I Pendahuluan"]
    assert asm.markdown.startswith("# BAB I Pendahuluan {#bab-1}\n\nPengantar bab.")
    assert "## Bagian Lain" in asm.markdown and "# bukan judul" in asm.markdown


def test_error_output_refuses_naming_notebook_and_cell(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb")
    nb = nbformat.read(notebooks[2], as_version=4)
    nb.cells[3].outputs.append(new_output("error", ename="KeyError", evalue="'realisasi'", traceback=[]))
    nbformat.write(nb, notebooks[2])
    with pytest.raises(RenderError) as info:
        assemble(notebooks, tmp_path / "media")
    assert "03-akuntabilitas.ipynb" in str(info.value) and "sel 3" in str(info.value)
    assert info.value.cell_index == 3 and info.value.ename == "KeyError"


def test_meta_validates_satker_and_period():
    with pytest.raises(ParameterError):
        make_meta(satker="../etc")
    with pytest.raises(PeriodError):
        make_meta(periode="2024Q7")
    assert make_meta(periode="2024Q4").stem == "kppbc-balikpapan-2024"


def test_unknown_format_and_engine(tmp_path):
    with pytest.raises(ParameterError):
        render_report([], make_meta(), tmp_path, formats=("html", "epub"))
    with pytest.raises(ParameterError):
        render.get_engine("word")
    assert render.engines() == ["quarto", "pandoc"]


@pytest.mark.skipif(shutil.which("quarto") is not None, reason="Quarto terpasang: 'auto' memilih Quarto")
def test_auto_picks_pandoc_without_quarto():
    assert render.get_engine("auto").name == "pandoc"
    with pytest.raises(EngineUnavailableError):
        render.get_engine("quarto")


# --------------------------------------------------------------------------------------------------
# The three formats (pandoc engine)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_file_names_carry_satker_and_period(rendered):
    _, out, files = rendered
    assert {f: p.name for f, p in files.items()} == {
        "html": "kppbc-balikpapan-2024.html", "docx": "kppbc-balikpapan-2024.docx", "pdf": "kppbc-balikpapan-2024.pdf"}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in files.values())


@pytest.mark.slow  # renders a report in every format
def test_html_self_contained_lang_id_toc_and_charts(rendered):
    _, _, files = rendered
    soup = html_soup(files["html"])
    assert soup.html["lang"] == "id"
    assert soup.find("nav", id="TOC") is not None
    assert all(not s.get("src") for s in soup.find_all("script"))  # inline only: charts and contents (test_html_report)
    for tag in soup.find_all(["img", "script", "source", "iframe"]):
        assert tag.get("src", "data:").startswith("data:"), tag
    for link in soup.find_all("link"):
        assert "stylesheet" not in (link.get("rel") or []), link
    for style in soup.find_all("style"):
        assert "http" not in re.sub(r"xmlns[^ ]*", "", style.get_text())
    images = soup.select("figure img")
    assert images and all(img["src"].startswith("data:image/svg+xml;base64,") for img in images)  # charts: SVG
    assert html_problems(str(soup), allow_inline_scripts=True) == []
    tables = soup.find_all("table")
    scorecard = [t for t in tables if "Tabel 2.1" in t.caption.get_text()]
    assert len(scorecard) == 1 and len(scorecard[0].find_all("tr")) == 21
    text = _squash(soup.get_text(" "))
    assert UNIT in text and "118,32" in text and "Gambar 2.1 Penerimaan per bulan" in text


@pytest.mark.slow  # renders a report in every format
def test_docx_a4_word_tables_images_headings(rendered):
    import docx
    from docx.shared import Mm

    _, _, files = rendered
    doc = docx.Document(str(files["docx"]))
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    twenty = [t for t in doc.tables if len(t.rows) == 21]
    assert len(twenty) == 1
    assert twenty[0].rows[0].cells[1].text == "Indikator Kinerja Utama"
    assert twenty[0].rows[1].cells[4].text == "118,32"
    assert len(doc.inline_shapes) >= 1
    headings = docx_chapters(files["docx"])
    assert headings == ["Kata Pengantar", *TITLES]
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Table Caption", "Image Caption", "Tanda Tangan"} <= styles
    import zipfile

    xml = zipfile.ZipFile(files["docx"]).read("word/document.xml").decode("utf-8")
    assert 'TOC \\o' in xml  # table of contents field


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_pdf_a4_text_and_outline(rendered):
    from pypdf import PdfReader

    _, _, files = rendered
    reader = PdfReader(str(files["pdf"]))
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1
    text = pdf_text(files["pdf"])
    assert UNIT in text
    assert "118,32" in text
    for title in TITLES:
        assert title in text
    assert "Daftar Isi" in text
    assert pdf_chapters(files["pdf"]) == ["Kata Pengantar", *TITLES]


@pytest.mark.slow  # renders a report in every format
def test_three_formats_carry_same_chapters_and_figures(rendered):
    _, _, files = rendered
    expected = ["Kata Pengantar", *TITLES]
    assert html_chapters(files["html"]) == expected
    assert docx_chapters(files["docx"]) == expected
    assert pdf_chapters(files["pdf"]) == expected
    texts = {
        "html": _squash(html_soup(files["html"]).get_text(" ")),
        "docx": docx_text(files["docx"]),
        "pdf": pdf_text(files["pdf"]),
    }
    for fmt, text in texts.items():
        for key in ("118,32", "Tabel 1 Ikhtisar capaian", "Tabel 2.1 Capaian IKU Tahun 2024", "Tabel 2.2 Ringkasan nilai",
                    "Gambar 2.1 Penerimaan per bulan", "Raden Muhamad Agus Ekawidjaja", "31 Januari 2025"):
            assert key in text, (fmt, key)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_script_in_unit_name_stays_text(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb", nama=SCRIPT)
    meta = make_meta(nama=SCRIPT, singkatan=SCRIPT, kepala=SCRIPT, kata_pengantar=f"Oleh {SCRIPT} *sendiri*.")
    files = render_report(notebooks, meta, tmp_path / "out", engine="pandoc")
    raw = files["html"].read_text(encoding="utf-8")
    soup = html_soup(files["html"])
    scripts = soup.find_all("script")  # lakin's own only: the chart and the contents (test_html_report)
    assert len(scripts) == 2 and not any(s.get("src") or "alert" in s.get_text() for s in scripts)
    assert "<script>alert" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert SCRIPT in soup.get_text()
    assert html_problems(raw, allow_inline_scripts=True) == []
    assert SCRIPT in docx_text(files["docx"])
    assert "alert(1)" in pdf_text(files["pdf"])


# --------------------------------------------------------------------------------------------------
# All or nothing


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_failed_render_leaves_previous_report_and_no_temporaries(tmp_path, monkeypatch):
    notebooks = write_notebooks(tmp_path / "nb")
    out = tmp_path / "out"
    render_report(notebooks, make_meta(), out, formats=("html", "docx"), engine="pandoc")
    before = _snapshot(out)
    assert sorted(before) == ["kppbc-balikpapan-2024.docx", "kppbc-balikpapan-2024.html"]

    # 1. an error output in a chapter
    nb = nbformat.read(notebooks[1], as_version=4)
    nb.cells[-1].outputs.append(new_output("error", ename="ValueError", evalue="data kosong", traceback=[]))
    nbformat.write(nb, notebooks[1])
    with pytest.raises(RenderError, match="01-pendahuluan.ipynb"):
        render_report(notebooks, make_meta(nama="Nama Baru"), out, engine="pandoc")
    assert _snapshot(out) == before

    # 2. the last format fails after HTML and DOCX were produced: none of them replaces the old files
    fresh = write_notebooks(tmp_path / "nb2")
    from lakin.pipeline.render import pandoc, pdf

    def broken(main, output, root, sys_inputs):  # Typst itself fails: a source it cannot read
        return pdf.compile_pdf(main.with_name("tidak-ada.typ"), output, root, sys_inputs)

    monkeypatch.setattr(pandoc, "compile_pdf", broken)
    with pytest.raises(RenderError, match="Typst gagal membuat PDF"):
        render_report(fresh, make_meta(nama="Nama Baru"), out, formats=("html", "docx", "pdf"), engine="pandoc")
    assert _snapshot(out) == before
    assert not [p for p in out.rglob("*") if p.name.startswith(".lakin-tmp")]


# --------------------------------------------------------------------------------------------------
# Quarto (where installed)


@pytest.mark.skipif(shutil.which("quarto") is None, reason=NO_QUARTO)
def test_quarto_renders_same_chapters(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb")
    files = render_report(notebooks, make_meta(), tmp_path / "out", engine="quarto")
    assert sorted(files) == ["docx", "html", "pdf"]
    expected = ["Kata Pengantar", *TITLES]
    assert docx_chapters(files["docx"]) == expected
    assert html_problems(files["html"].read_text(encoding="utf-8"), allow_inline_scripts=True) == []
    text = pdf_text(files["pdf"])
    assert UNIT in text and "118,32" in text and "Tabel 2.1" in text


@pytest.mark.skipif(shutil.which("quarto") is None, reason=NO_QUARTO)
def test_quarto_script_in_unit_name_stays_text(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb", nama=SCRIPT)
    files = render_report(notebooks, make_meta(nama=SCRIPT), tmp_path / "out", formats=("html",), engine="quarto")
    soup = html_soup(files["html"])
    assert not [s for s in soup.find_all("script") if "alert(1)" in s.get_text()]


def test_quarto_project_layout(tmp_path):
    """The staging project the Quarto engine hands to `quarto render` (built without running Quarto)."""
    import yaml

    notebooks = write_notebooks(tmp_path / "nb")
    stage = tmp_path / "stage"
    asm = render.QuartoEngine().project(notebooks, make_meta(), stage)
    config = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["render"] == ["report.qmd"]
    assert config["execute"]["enabled"] is False
    assert config["format"]["docx"]["reference-doc"] == "lakin/templates/reference.docx"
    assert config["format"]["typst"]["papersize"] == "a4"
    for rel in ("lakin/templates/reference.docx", "lakin/templates/lakin.css", "lakin/templates/lakin.lua",
                "lakin/templates/quarto/typst-show.typ", "lakin/templates/quarto/typst-template.typ"):
        assert (stage / rel).is_file(), rel
    assert "lakin-report" in (stage / "lakin/templates/quarto/typst-template.typ").read_text(encoding="utf-8")
    qmd = (stage / "report.qmd").read_text(encoding="utf-8")
    front = yaml.safe_load(qmd.split("---\n")[1])
    assert front["lang"] == "id" and front["lakin"]["nama"] == UNIT
    assert qmd.endswith(asm.markdown)
    assert (stage / "media" / "fig-001.png").is_file()


def test_root_quarto_yml_lists_chapters_in_order():
    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parent.parent / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["render"] == [f"notebooks/{n}.ipynb" for n in (
        "00-ringkasan", "01-pendahuluan", "02-perencanaan", "03-akuntabilitas", "04-penerimaan", "05-anggaran", "06-penutup",
        "07-lampiran")]
    assert config["execute"]["enabled"] is False and config["lang"] == "id"
    assert config["format"]["html"]["embed-resources"] is True


def test_meta_from_unit_row():
    row = pd.Series({"satker": "bkipm-banjarmasin", "nama": "Balai KIPM Banjarmasin", "singkatan": "Balai KIPM",
                     "kementerian": "Kementerian Kelautan dan Perikanan", "unit_eselon1": "BPPMHKP", "induk": "BPPMHKP",
                     "kota": "Banjarbaru", "kepala": "Hafit Rahman, S.Pi, M.P", "jabatan_kepala": "Kepala Balai",
                     "kode_satker": float("nan")})
    meta = ReportMeta.from_unit(row, "2024Q1", tanggal="15 April 2024")
    assert (meta.periode, meta.periode_nama, meta.jenis_laporan) == ("2024Q1", "Triwulan I Tahun 2024",
                                                                     "Laporan Kinerja Triwulan I")
    assert meta.stem == "bkipm-banjarmasin-2024Q1" and meta.kota == "Banjarbaru" and meta.tahun == "2024"


STUB_QUARTO = """#!{python}
import json, pathlib, shutil, sys, yaml
stage = pathlib.Path(sys.argv[2])
log = pathlib.Path({log!r})
with log.open("a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
config = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))
to = sys.argv[sys.argv.index("--to") + 1]
if "," in to:
    sys.exit("ERROR: Unknown format " + to)
formats = list(config["format"]) if to == "all" else [to]
out = stage / "_out"
out.mkdir(exist_ok=True)
for fmt in formats:
    if fmt == "html":
        (out / "report.html").write_text("<html lang='id'><body><h1>Laporan</h1></body></html>")
    elif fmt == "docx":
        shutil.copyfile(stage / "lakin/templates/reference.docx", out / "report.docx")
    elif fmt == "typst":
        (out / "report.pdf").write_bytes(b"%PDF-1.7\\n%stub\\n")
"""


@pytest.fixture
def stub_quarto(tmp_path, monkeypatch):
    """A `quarto` on PATH that records its arguments and, like Quarto 1.10, refuses a comma-separated --to."""
    import sys

    bin_dir, log = tmp_path / "bin", tmp_path / "quarto-args.jsonl"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(STUB_QUARTO.format(python=sys.executable, log=str(log)), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_quarto_renders_every_format_in_one_call(tmp_path, stub_quarto):
    import json

    notebooks = write_notebooks(tmp_path / "nb")
    files = render_report(notebooks, make_meta(), tmp_path / "out", formats="html,docx,pdf", engine="quarto")
    assert sorted(files) == ["docx", "html", "pdf"] and all(p.is_file() for p in files.values())
    calls = [json.loads(line) for line in stub_quarto.read_text().splitlines()]
    assert len(calls) == 1
    args = calls[0]
    assert args[0] == "render" and args[args.index("--to") + 1] == "all" and "--no-execute" in args


def test_quarto_project_lists_only_requested_formats(tmp_path):
    import yaml

    notebooks = write_notebooks(tmp_path / "nb")
    stage = tmp_path / "stage"
    render.QuartoEngine().project(notebooks, make_meta(), stage, formats=("html", "pdf"))
    config = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))
    assert list(config["format"]) == ["html", "typst"]
    assert config["format"]["typst"]["papersize"] == "a4"


# --------------------------------------------------------------------------------------------------
# Pages: tables that fit, titles said once, valid PDF metadata


@pytest.mark.parametrize("jenis,periode,judul", [
    ("Laporan Kinerja Triwulan III", "Triwulan III Tahun 2024", "Laporan Kinerja Triwulan III Tahun 2024"),
    ("Laporan Kinerja Triwulan I", "Triwulan I Tahun 2024", "Laporan Kinerja Triwulan I Tahun 2024"),
    ("Laporan Kinerja Tahunan", "Tahun 2024", "Laporan Kinerja Tahun 2024"),
    ("Laporan Kinerja", "Tahun 2024", "Laporan Kinerja Tahun 2024"),
])
def test_report_title_says_the_period_once(jenis, periode, judul):
    meta = make_meta(jenis_laporan=jenis, periode_nama=periode)
    assert meta.judul == judul and meta.cover_fields()["judul"] == judul


def _wide_table(columns: int, value: str = "Rp127.971.778.846", months=("Januari", "Februari", "Maret")) -> str:
    head = ["Bulan"] + [f"Nilai {i}" for i in range(1, columns + 1)]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":--"] + ["--:"] * columns) + "|"]
    lines += ["| " + " | ".join([m] + [value] * columns) + " |" for m in months]
    return "\n".join(lines) + "\n\n: Tabel lebar\n"


def _table_notebooks(directory: Path, tables: list[str]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    cells = [new_markdown_cell("# Penerimaan\n\nTabel berikut memuat nilai dalam rupiah.")]
    cells += [new_markdown_cell(t) for t in tables]
    path = directory / "01-tabel.ipynb"
    nbformat.write(_notebook("Penerimaan", cells), path)
    return [path]


@pytest.fixture(scope="module")
def wide_tables(tmp_path_factory):
    """One report with a table that fits, one needing juta rupiah and one needing a landscape page."""
    base = tmp_path_factory.mktemp("lebar")
    notebooks = _table_notebooks(base / "nb", [_wide_table(3), _wide_table(8), _wide_table(16)])
    return render_report(notebooks, make_meta(), base / "out", formats=("html", "docx", "pdf"), engine="pandoc")


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_amounts_change_unit_only_where_full_rupiah_does_not_fit(wide_tables):
    text = pdf_text(wide_tables["pdf"])
    assert "Rp127.971.778.846" in text  # three columns: full rupiah fits
    assert "(Rp juta)" in text and "127.971,78" in text  # eight and sixteen columns: juta rupiah, stated
    assert "Rp127.971.778.846" in html_soup(wide_tables["html"]).get_text()  # HTML scrolls instead


def test_widest_table_gets_a_landscape_page(wide_tables):
    from pypdf import PdfReader

    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in PdfReader(str(wide_tables["pdf"])).pages]
    assert (842, 595) in sizes and (595, 842) in sizes  # A4 landscape for the table, portrait elsewhere
    import docx
    from docx.enum.section import WD_ORIENT

    sections = docx.Document(str(wide_tables["docx"])).sections
    assert [s.orientation for s in sections].count(WD_ORIENT.LANDSCAPE) == 1
    assert sections[-1].orientation == WD_ORIENT.PORTRAIT


def test_a_heading_right_before_a_landscape_table_goes_onto_its_landscape_page(tmp_path):
    """Left on the portrait page, the heading stood alone at its foot, its table on the next (landscape) page:
    kppbc-balikpapan 2024's "Capaian Trajektori Bulanan" and "Kontributor Penerimaan Terbesar", PDF and DOCX."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.section import Section
    from pypdf import PdfReader

    heading = "Kontributor Penerimaan Terbesar"
    notebooks = _table_notebooks(tmp_path / "nb", [f"### {heading}\n\n" + _wide_table(16)])
    files = render_report(notebooks, make_meta(), tmp_path / "out", formats=("docx", "pdf"), engine="pandoc")
    pages = [(round(float(p.mediabox.width)), " ".join(p.extract_text().split()))
             for p in PdfReader(str(files["pdf"])).pages]
    on = [width for width, text in pages if heading in text]
    assert on == [842], pages  # on the landscape page only, with its table
    assert any(width == 842 and "Tabel lebar" in text for width, text in pages)
    doc = docx.Document(str(files["docx"]))
    paragraph = next(p for p in doc.paragraphs if p.text.endswith(heading))  # numbered in this meta
    body = list(doc.element.body.iterchildren())
    breaks = [e for e in body[body.index(paragraph._p):] if e.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    section = Section(breaks[0].find(f"{qn('w:pPr')}/{qn('w:sectPr')}"), doc.part)
    assert section.orientation == WD_ORIENT.LANDSCAPE  # the heading's section is the table's landscape one


def test_docx_signature_block_stays_on_one_page(tmp_path):
    """The place, date and office keep with the signer's name: LibreOffice laid out kppbc-balikpapan 2024's
    foreword with "Raden Muhamad Agus Ekawidjaja" alone at the top of page 4, the rest on page 3."""
    import docx

    notebooks = _table_notebooks(tmp_path / "nb", [_wide_table(3)])
    files = render_report(notebooks, make_meta(), tmp_path / "out", formats=("docx",), engine="pandoc")
    paragraphs = docx.Document(str(files["docx"])).paragraphs
    sign = [p for p in paragraphs if p.style.name == "Tanda Tangan"]
    signer = [p for p in paragraphs if p.style.name == "Nama Penanda Tangan"]
    assert sign and [p.text for p in signer] == ["Raden Muhamad Agus Ekawidjaja"]
    assert paragraphs.index(signer[0]) == paragraphs.index(sign[-1]) + 1  # the block's paragraphs, in a row
    for p in sign:
        assert p.style.paragraph_format.keep_with_next and p.style.paragraph_format.keep_together, p.text


def test_html_tables_scroll_sideways_and_numbers_align_right(wide_tables):
    soup = html_soup(wide_tables["html"])
    tables = soup.find_all("table")
    assert tables and all("lakin-tabel" in (t.parent.get("class") or []) for t in tables)
    assert ".lakin-tabel { overflow-x: auto" in soup.find("style").get_text()
    first_row = tables[0].find("tbody").find("tr").find_all("td")
    assert "right" in first_row[1].get("style", "") and "right" not in first_row[0].get("style", "")


def _table_fonts() -> dict[str, tuple[str, str]]:
    """The font files make_table_metrics.py reads (it imports fontTools only when it runs)."""
    import importlib.util

    from lakin.pipeline.render.base import TEMPLATES

    spec = importlib.util.spec_from_file_location("make_table_metrics", TEMPLATES / "make_table_metrics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FONTS


_TABLE_FONTS = _table_fonts()


@pytest.mark.skipif(not all(Path(f).exists() for pair in _TABLE_FONTS.values() for f in pair),
                    reason="fonts-dejavu-core dan fonts-liberation tidak terpasang: lebar glyph tak dapat dibandingkan")
def test_lakin_lua_measures_tables_with_the_table_fonts_own_widths():
    """lakin.lua's METRICS (make_table_metrics.py) are the table fonts' advance widths: DejaVu Sans in the PDF,
    Arial's (Liberation Sans) in the DOCX, regular and bold. Read here with Pillow (FreeType) from the fonts."""
    import math

    from PIL import ImageFont

    from lakin.pipeline.render.base import TEMPLATES

    lua = (TEMPLATES / "lakin.lua").read_text(encoding="utf-8")
    block = lua[lua.index("-- BEGIN METRICS"):lua.index("-- END METRICS")]
    for key, files in _TABLE_FONTS.items():
        part = block[block.index(f"  {key} = {{"):]
        for weight, path in zip(("regular", "bold"), files):
            face = part[part.index(f"    {weight} = {{"):]
            ascii_ = [int(v) for v in re.search(r"ascii = \{([^}]*)\}", face).group(1).split(",")]
            font = ImageFont.truetype(path, 2048, layout_engine=ImageFont.Layout.BASIC)
            upm = 2048  # both fonts' units per em: an advance read at 2048 px is in font units
            measured = [math.ceil(font.getlength(chr(code)) * 1000 / upm) for code in range(32, 127)]
            assert len(ascii_) == 95
            off = [(chr(32 + i), a, m) for i, (a, m) in enumerate(zip(ascii_, measured)) if abs(a - m) > 2]
            assert not off, (key, weight, off)
    # the bold head "Realisasi" at 8 pt in DejaVu Sans Bold: 40.2 pt of advances (its ink in the PDF: 38.7 pt)
    bold = [int(v) for v in re.search(r"ascii = \{([^}]*)\}", block[block.index("bold = {"):]).group(1).split(",")]
    assert round(sum(bold[ord(c) - 32] for c in "Realisasi") * 8 / 1000, 1) == 40.2


@pytest.mark.parametrize("name", ["alpha", "al\x1fpha"])
def test_lakin_lua_reads_a_tables_cells_at_once_and_one_by_one_where_a_cell_holds_its_separator(name):
    """lakin.lua reads a table's cells in one stringify call, cut at U+001F (issue 15: about 0.07 s less per
    writer); a cell holding U+001F sends that table to one call per cell. Either way the numbers column is read
    as numbers and aligned right: cells read out of step would put text into it."""
    import json
    import subprocess

    import pypandoc

    from lakin.pipeline.render.base import TEMPLATES

    pandoc = pypandoc.get_pandoc_path()
    markdown = "| Nama | Nilai |\n|---|---|\n| alpha | 1,5 |\n| beta | 12,25 |\n"
    document = json.loads(subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=markdown,
                                         capture_output=True, text=True, check=True).stdout)
    text = json.dumps(document).replace('"alpha"', json.dumps(name))
    typst = subprocess.run([pandoc, "-f", "json", "--lua-filter", str(TEMPLATES / "lakin.lua"), "-t", "typst"],
                           input=text, capture_output=True, text=True, check=True).stdout
    assert "align: (auto,right,)" in typst and f"[{name}], [1,5]" in typst


def test_lakin_lua_reads_each_tables_cells_once_for_every_writer(tmp_path):
    """The pandoc engine's one read runs lakin.lua too: each table gets its line breaks, its number alignment and
    its cells' texts (the attribute `lakin-cells`) there, and each writer takes them (issue 15: the read and the
    three writers of kppbc-balikpapan 2024 in 1.6 CPU-s instead of 1.8). Every writer writes what lakin.lua writes
    from the Markdown in one run (Quarto's way), without the attribute. A `lakin-cells` that the Markdown gives
    a table (a caption may carry attributes) is made anew in the read and ignored by a Quarto-style run."""
    import json
    import subprocess
    import zipfile

    from lakin.pipeline.render.base import TEMPLATES
    from lakin.pipeline.render.pandoc import PandocEngine
    from lakin.pipeline.render.safety import MARKDOWN_READER

    forged = json.dumps({"head": [], "other": [], "body": [[{"col": 1, "span": 1, "text": "Merah"}]]})
    markdown = ("| Indikator | Status | Realisasi |\n|---|---|---|\n"
                "| IKU 1 kode_indikator_yang_panjang | Hijau | 1.234,5 |\n| IKU 2 | Merah | 12,25 |\n\n"
                f"Table: Capaian {{#tbl-a lakin-cells={json.dumps(forged)}}}\n")
    (tmp_path / "report.md").write_text(markdown, encoding="utf-8")
    (tmp_path / "metadata.yaml").write_text("lang: id\n", encoding="utf-8")
    engine = PandocEngine()
    document = engine._read(tmp_path / "report.md", tmp_path)
    table = next(block for block in document["blocks"] if block["t"] == "Table")
    cells = json.loads(dict(table["c"][0][2])["lakin-cells"])
    assert [cell["text"] for cell in cells["body"][0]] == ["IKU\u00a01 kode_\u200bindikator_\u200byang_\u200bpanjang",
                                                          "Hijau", "1.234,5"]
    (tmp_path / "read.json").write_text(json.dumps(document), encoding="utf-8")
    pandoc = engine._pandoc()
    for fmt in ("html5", "docx", "typst"):
        shared = subprocess.run(engine._common(tmp_path / "read.json") + ["-t", fmt, "-o", f"shared.{fmt}"],
                                cwd=tmp_path, capture_output=True, check=True)
        assert shared.stderr == b""
        subprocess.run([pandoc, "report.md", "-f", MARKDOWN_READER, "--lua-filter", str(TEMPLATES / "lakin.lua"),
                        "--columns=1000", "--wrap=none", "-t", fmt, "-o", f"once.{fmt}"], cwd=tmp_path, check=True)
        if fmt == "docx":
            written = [zipfile.ZipFile(tmp_path / f"{way}.docx").read("word/document.xml")
                       for way in ("shared", "once")]
        else:
            written = [(tmp_path / f"{way}.{fmt}").read_bytes() for way in ("shared", "once")]
        assert written[0] == written[1], fmt
        assert b"lakin-cells" not in written[0] and b"Merah" in written[0]
    html = (tmp_path / "shared.html5").read_text(encoding="utf-8")
    assert html.count("lakin-status-hijau") == 1 and html.count("lakin-status-merah") == 1
    assert 'style="text-align: right;">1.234,5' in html


@pytest.mark.slow  # renders a report in every format
def test_pdf_metadata_title_author_language(rendered):
    from pypdf import PdfReader

    _, _, files = rendered
    reader = PdfReader(str(files["pdf"]), strict=True)
    assert reader.metadata.title == f"Laporan Kinerja Tahun 2024 {UNIT}"
    assert reader.metadata.author == UNIT
    assert reader.trailer["/Root"]["/Lang"] == "id"
    assert b"/Suspects false" not in files["pdf"].read_bytes()  # poppler: "Suspects object is wrong type"
    assert b"pdfaid:part" in files["pdf"].read_bytes()  # PDF/A-2b


@pytest.mark.slow  # renders a report in every format
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) tidak terpasang")
def test_pdfinfo_reads_without_syntax_error(rendered):
    import subprocess

    _, _, files = rendered
    info = subprocess.run(["pdfinfo", str(files["pdf"])], capture_output=True, text=True)
    assert info.returncode == 0 and info.stderr.strip() == "", info.stderr


@pytest.mark.slow  # renders a report in every format
def test_docx_captions_are_word_captions(rendered):
    """Captions carry Word's SEQ field (Word builds its list of tables/figures), with lakin's numbers kept."""
    import docx
    from docx.oxml.ns import qn

    _, _, files = rendered
    doc = docx.Document(str(files["docx"]))
    captions = [p for p in doc.paragraphs if p.style.name in ("Table Caption", "Image Caption")]
    assert captions
    for p in captions:
        label = re.match(r"(Tabel|Gambar) (\d+\.)?(\d+) ", p.text)
        assert label, p.text  # the printed text is unchanged
        instr = " ".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert f"SEQ {label[1]} \\r {label[3]} " in instr, (p.text, instr)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_same_notebooks_render_to_the_same_bytes(tmp_path, monkeypatch):
    """HTML and DOCX are byte-identical from one render to the next, even after this process drew other charts
    (chart ids come from figure ids, DOCX entries carry a fixed date); the PDF too once SOURCE_DATE_EPOCH fixes
    its creation time (otherwise its Info and XMP dates and instance id carry the time of the render)."""
    from lakin.present.charts import offline_html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1706659200")
    notebooks = write_notebooks(tmp_path / "nb")
    first = render_report(notebooks, make_meta(), tmp_path / "a", engine="pandoc")
    offline_html({"mark": "bar"}, bundle=False)  # the process's own chart counts move on
    second = render_report(notebooks, make_meta(), tmp_path / "b", engine="pandoc")
    for fmt in ("html", "docx", "pdf"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt
    assert b"2024-01-31T00:00:00" in first["pdf"].read_bytes()


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_pandoc_reads_the_report_while_this_process_draws_the_charts_pngs(tmp_path, monkeypatch):
    """The one pandoc read runs in its own process while the render draws the charts' PNGs, which hold the GIL
    (issue 15: the floor's customs report in 4.9 s instead of 5.8, medians of four alternating pairs,
    benchmarks/README.md). Each side waits up to 10 s for the other to have started: one after the other, the
    read would wait in vain and say so."""
    import threading

    import docx

    from lakin.pipeline.render import pandoc as pandoc_engine

    read_started, pngs_started = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}
    real_read, real_pngs = pandoc_engine.PandocEngine._read, pandoc_engine.svgs_to_pngs

    def read(self, source, work):
        read_started.set()
        seen["read saw the PNGs drawing"] = pngs_started.wait(10)
        return real_read(self, source, work)

    def pngs(svgs):
        pngs_started.set()
        seen["PNGs saw the read"] = read_started.wait(10)
        return real_pngs(svgs)

    monkeypatch.setattr(pandoc_engine.PandocEngine, "_read", read)
    monkeypatch.setattr(pandoc_engine, "svgs_to_pngs", pngs)
    files = render_report(write_notebooks(tmp_path / "nb"), make_meta(), tmp_path / "out", "docx", engine="pandoc")
    assert seen == {"read saw the PNGs drawing": True, "PNGs saw the read": True}
    assert len(docx.Document(str(files["docx"])).inline_shapes) == 1  # the chart, as its PNG


def test_the_typst_child_imports_nothing_from_the_working_folder(tmp_path, monkeypatch):
    """`python -c` would put the working folder first on the child's import path: a `typst.py` there (a file of
    the folder a user runs lakin from) would run instead of Typst. The child runs with -P."""
    cwd = tmp_path / "kerja"
    cwd.mkdir()
    marker = tmp_path / "dijalankan"
    (cwd / "typst.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.chdir(cwd)
    files = render_report(write_notebooks(tmp_path / "nb"), make_meta(), tmp_path / "out", formats="pdf",
                          engine="pandoc")
    assert files["pdf"].read_bytes()[:5] == b"%PDF-" and not marker.exists()


def test_a_kept_typst_child_compiles_the_same_bytes_and_is_replaced_once_grown(tmp_path, monkeypatch):
    """`kept_typst` (lakin build --watch) compiles in one child kept between compiles, whose memoised work makes a
    recompile after an edit several times faster. Its PDFs are the bytes a new child writes, also when the text
    or the cover fields (sys.inputs) change between compiles; a source Typst refuses is a RenderError and the
    child goes on; a child that died is started anew; a child grown past KEPT_TYPST_BYTES is replaced."""
    from lakin.pipeline.render import pdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    source = tmp_path / "main.typ"
    steps = [("Pendahuluan.", "KPPBC Balikpapan"), ("Pendahuluan yang diubah analis.", "KPPBC Balikpapan"),
             ("Pendahuluan yang diubah analis.", "BKIPM Banjarmasin"), ("Pendahuluan.", "KPPBC Balikpapan")]

    def write(text: str) -> None:
        source.write_text(f'= Bab I\n\n#sys.inputs.at("nama")\n\n{text}\n\n'
                          "#table(columns: 2, [Indikator], [Capaian], [IKU 1], [98,50%])\n", encoding="utf-8")

    fresh, kept, children = [], [], []
    for n, (text, nama) in enumerate(steps):
        write(text)
        pdf.compile_pdf(source, tmp_path / f"fresh-{n}.pdf", tmp_path, {"nama": nama})
        fresh.append((tmp_path / f"fresh-{n}.pdf").read_bytes())
    with pdf.kept_typst():
        for n, (text, nama) in enumerate(steps):
            write(text)
            pdf.compile_pdf(source, tmp_path / f"kept-{n}.pdf", tmp_path, {"nama": nama})
            kept.append((tmp_path / f"kept-{n}.pdf").read_bytes())
            children.append(pdf._KEPT.proc.pid)
        source.write_text("#let x = \n", encoding="utf-8")
        with pytest.raises(RenderError, match="Typst gagal membuat PDF"):
            pdf.compile_pdf(source, tmp_path / "salah.pdf", tmp_path, {})
        assert pdf._KEPT.proc.pid == children[0]  # the same child, still there
        pdf._KEPT.proc.kill()  # a child that died between compiles is started anew
        pdf._KEPT.proc.wait()
        write("Pendahuluan.")
        pdf.compile_pdf(source, tmp_path / "lagi.pdf", tmp_path, {"nama": "KPPBC Balikpapan"})
        assert (tmp_path / "lagi.pdf").read_bytes() == fresh[0] and pdf._KEPT.proc.pid != children[0]
        child = pdf._KEPT.proc
    assert kept == fresh and fresh[0] == fresh[3] and len(set(fresh)) == 3
    assert len(set(children)) == 1 and child.poll() is not None  # one child for the steps; ended with the block
    assert pdf._KEPT is None

    monkeypatch.setattr(pdf, "KEPT_TYPST_BYTES", 1)  # every child has grown past it after one compile
    write("Pendahuluan.")
    with pdf.kept_typst():
        pdf.compile_pdf(source, tmp_path / "a.pdf", tmp_path, {"nama": "KPPBC Balikpapan"})
        assert pdf._KEPT.proc is None  # replaced: the next compile starts a new child
        pdf.compile_pdf(source, tmp_path / "b.pdf", tmp_path, {"nama": "KPPBC Balikpapan"})
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes() == fresh[0]


def test_typst_runs_in_a_child_process_so_a_worker_does_not_grow(tmp_path, monkeypatch):
    """The typst package keeps each compilation's state for the life of its process (about 55 MB a report,
    measured on kppbc-balikpapan 2024): lakin compiles in a child, so the process that renders gets it back."""
    import typst

    def in_this_process(*args, **kwargs):
        raise AssertionError("Typst ran in the rendering process")

    monkeypatch.setattr(typst, "compile", in_this_process)
    monkeypatch.setattr(typst, "compile_with_warnings", in_this_process)
    files = render_report(write_notebooks(tmp_path / "nb"), make_meta(), tmp_path / "out", formats="pdf",
                          engine="pandoc")
    assert files["pdf"].read_bytes()[:5] == b"%PDF-"
