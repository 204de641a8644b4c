"""Issue 12 part B: official outlines as data, Bab I/II from data, Bab III A per indicator, completeness,
the reviewer's document, Daftar Tabel/Gambar."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from lakin.present import profil
from lakin.tools import review
from lakin.errors import IncompleteReportError, RenderError
from lakin.pipeline.execute import chapters_for
from lakin.model.report_model import build_model
from lakin.present.outlines import load_outline, outline_for
from lakin.pipeline.render import ReportMeta, assemble
from lakin.data.schemas import TABLES, passes_checks
from conftest import ROOT, pdf_text


# --------------------------------------------------------------------------------------------------
# helpers: lakin.present.show outputs captured under IPython (as the executed notebooks hold them)


def _outputs(call) -> list:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        call()
    return [new_output("display_data", data=o.data, metadata=o.metadata) for o in captured.outputs]


def _markdown_of(call) -> str:
    return "\n\n".join(o["data"].get("text/markdown", "") for o in _outputs(call))


def _headings(call) -> list[tuple[int, str]]:
    return [(o["metadata"]["lakin"]["level"], o["data"]["text/plain"]) for o in _outputs(call)
            if o["metadata"]["lakin"].get("kind") == "heading"]


@pytest.fixture(scope="module")
def models():
    cache = {}

    def get(satker, periode, data_dir=ROOT / "data"):
        key = (satker, periode, str(data_dir))
        if key not in cache:
            cache[key] = build_model(satker, periode, data_dir)
        return cache[key]

    return get


@pytest.fixture(scope="module")
def laporan(models):
    from lakin.present.sections import Laporan

    def get(satker, periode):
        return Laporan(satker, periode, ROOT / "data", models(satker, periode))

    return get


# --------------------------------------------------------------------------------------------------
# the outline files


def test_annual_outline_follows_permenpanrb_53_2014():
    o = outline_for("2024")
    assert o.id == "lakin-tahunan"
    assert [c.title for c in o.chapters] == ["Ikhtisar Eksekutif", "Bab I Pendahuluan", "Bab II Perencanaan Kinerja",
                                             "Bab III Akuntabilitas Kinerja", "Bab IV Penutup", "Lampiran"]
    assert [c.number for c in o.chapters] == [None, 1, 2, 3, 4, None]
    heads = o.headings({"penerimaan", "anggaran"})
    # Bab III: A. Capaian Kinerja Organisasi (revenue inside it, as seed 000), B. Realisasi Anggaran
    assert heads["capaian-organisasi"] == (2, "A. Capaian Kinerja Organisasi")
    assert heads["analisis-indikator"] == (3, "1. Analisis Capaian per Indikator")
    assert heads["penerimaan"] == (3, "2. Capaian Penerimaan Negara")
    assert heads["realisasi-anggaran"] == (2, "B. Realisasi Anggaran")
    assert heads["tugas-fungsi"][1].startswith("A. ") and heads["sistematika"] == (2, "D. Sistematika Penyajian")
    assert [s for _, s in o.sistematika({"anggaran"})][3] == ["A. Capaian Kinerja Organisasi", "B. Realisasi Anggaran"]
    assert "05-anggaran" in o.chapter_of("04-penerimaan").notebooks


def test_quarterly_outline_follows_seed_003():
    o = outline_for("2024Q3")
    assert o.id == "lkj-triwulanan"
    assert [c.title for c in o.chapters] == ["Ringkasan Eksekutif", "Bab I Pendahuluan", "Bab II Akuntabilitas Kinerja",
                                             "Bab III Penutup"]
    heads = o.headings({"anggaran"})  # the fisheries office: no revenue
    assert [heads[k][1] for k in ("capaian-organisasi", "analisis-indikator", "realisasi-anggaran", "kesimpulan",
                                  "rekomendasi")] == ["2.1 Capaian Kinerja", "2.2 Analisis dan Evaluasi",
                                                      "2.3 Realisasi Anggaran", "3.1 Kesimpulan", "3.2 Rekomendasi"]
    assert "penerimaan" not in heads
    assert o.headings({"anggaran", "penerimaan"})["realisasi-anggaran"][1] == "2.4 Realisasi Anggaran"
    assert not o.perjanjian_berikutnya and load_outline("lakin-tahunan").perjanjian_berikutnya


def test_notebooks_follow_the_outline_per_report_type(models):
    tables = models("kppbc-balikpapan", "2024").tables
    annual = [c.name for c in chapters_for(tables, period=_period("2024"))]
    quarterly = [c.name for c in chapters_for(tables, period=_period("2024Q3"))]
    assert annual[-1] == "07-lampiran" and "07-lampiran" not in quarterly
    assert set(quarterly) <= set(outline_for("2024Q3").notebooks())
    # every notebook only calls sections that some outline declares, in the same order in every outline
    for name in outline_for("2024").notebooks():
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert all(v in params.source for v in ("satker", "periode", "data_dir", "model"))
        assert not any(w in c.source for c in nb.cells if c.cell_type == "code" for w in ("def ", "class ", "for "))
        called = re.findall(r'lap\.bagian\("([a-z-]+)"\)', " ".join(c.source for c in nb.cells))
        for oid in ("lakin-tahunan", "lkj-triwulanan"):
            order = list(load_outline(oid).headings({"penerimaan", "anggaran"}))
            known = [k for k in called if k in order]
            assert known == sorted(known, key=order.index), (name, oid)
            assert set(called) <= {s.key for o in ("lakin-tahunan", "lkj-triwulanan")
                                   for ch in load_outline(o).chapters for s in ch.sections}


def _period(label):
    from lakin.data.periods import parse_period

    return parse_period(label)


# --------------------------------------------------------------------------------------------------
# assembly along the outline: chapter titles, numbers, merged notebooks, Daftar Tabel / Daftar Gambar


def _chart():
    import altair as alt

    return alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})).mark_bar().encode(x="x", y="y")


def _nb(title, calls, numbered=True):
    cells = [new_code_cell('satker = "x"', metadata={"tags": ["parameters"]})]
    for call in calls:
        cell = new_code_cell("lap.bagian()")
        cell.outputs = _outputs(call)
        cell.execution_count = 1
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["lakin"] = {"chapter": {"title": title, "numbered": numbered}}
    return nb


def _write_outline_notebooks(folder: Path) -> list[Path]:
    from lakin.present import show

    small = pd.DataFrame({"Uraian": ["a"], "Nilai": ["1"]})
    books = {
        "00-ringkasan": _nb("Ringkasan Eksekutif", [lambda: show.table(small, "Ikhtisar")], numbered=False),
        "01-pendahuluan": _nb("Pendahuluan", [lambda: show.heading("A. Tugas, Fungsi dan Struktur Organisasi", 2),
                                             lambda: show.table(small, "Struktur Organisasi")]),
        "02-perencanaan": _nb("Perencanaan Kinerja", [lambda: show.table(small, "Perjanjian Kinerja Tahun 2024")]),
        "03-akuntabilitas": _nb("Akuntabilitas Kinerja", [
            lambda: show.heading("A. Capaian Kinerja Organisasi", 2), lambda: show.table(small, "Capaian IKU"),
            lambda: show.chart(_chart(), "Indeks capaian per IKU")]),
        "04-penerimaan": _nb("Penerimaan Negara", [lambda: show.markdown("# Penerimaan Negara"),
                                                   lambda: show.table(small, "Kinerja Penerimaan"),
                                                   lambda: show.chart(_chart(), "Realisasi bulanan")]),
        "05-anggaran": _nb("Realisasi Anggaran", [lambda: show.heading("B. Realisasi Anggaran", 2),
                                                  lambda: show.table(small, "Penyerapan per Jenis Belanja")]),
        "06-penutup": _nb("Penutup", [lambda: show.markdown("Demikian.")]),
        "07-lampiran": _nb("Lampiran", [lambda: show.table(small, "Perjanjian Kinerja Tahun 2025")], numbered=False),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, nb in books.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
        paths.append(folder / f"{name}.ipynb")
    return paths


def _meta(outline="lakin-tahunan", periode="2024"):
    return ReportMeta(satker="kppbc-balikpapan", nama="KPPBC", periode=periode, periode_nama="Tahun 2024",
                      kata_pengantar="Pengantar.", outline=outline)


def test_assembly_follows_the_annual_outline(tmp_path):
    paths = _write_outline_notebooks(tmp_path / "nb")
    asm = assemble(paths, tmp_path / "media", _meta())
    assert asm.titles == ["Kata Pengantar", "Daftar Tabel", "Daftar Gambar", "Ikhtisar Eksekutif", "Bab I Pendahuluan",
                          "Bab II Perencanaan Kinerja", "Bab III Akuntabilitas Kinerja", "Bab IV Penutup", "Lampiran"]
    bab3 = next(c for c in asm.chapters if c.title == "Bab III Akuntabilitas Kinerja")
    assert bab3.number == 3 and bab3.tables == ("Tabel 3.1", "Tabel 3.2", "Tabel 3.3")  # 03 + 04 + 05 merged
    assert bab3.figures == ("Gambar 3.1", "Gambar 3.2")
    md = asm.markdown
    assert "# Bab III Akuntabilitas Kinerja {#bab-iii-akuntabilitas-kinerja .unnumbered}" in md
    assert re.search(r"^## A\\?\. Capaian Kinerja Organisasi \{\.unnumbered\}$", md, re.M)
    assert re.search(r"^## B\\?\. Realisasi Anggaran \{\.unnumbered\}$", md, re.M)
    assert "# Penerimaan Negara" not in md and "## Penerimaan Negara" not in md  # a merged notebook brings no title
    # Daftar Tabel and Daftar Gambar list every numbered table and figure, with its caption, in print order
    daftar_tabel = md.split("# Daftar Tabel")[1].split("# Daftar Gambar")[0]
    listed = [line[2:] for line in daftar_tabel.splitlines() if line.startswith("- ")]
    assert listed == ["Tabel 1 Ikhtisar", "Tabel 1.1 Struktur Organisasi", "Tabel 2.1 Perjanjian Kinerja Tahun 2024",
                      "Tabel 3.1 Capaian IKU", "Tabel 3.2 Kinerja Penerimaan", "Tabel 3.3 Penyerapan per Jenis Belanja",
                      "Tabel 2 Perjanjian Kinerja Tahun 2025"]
    numbered = [t for c in asm.chapters for t in c.tables]
    assert len(listed) == len(numbered)
    daftar_gambar = md.split("# Daftar Gambar")[1].split("# Ikhtisar")[0]
    assert [x for x in daftar_gambar.splitlines() if x.startswith("- ")] == [
        "- Gambar 3.1 Indeks capaian per IKU", "- Gambar 3.2 Realisasi bulanan"]


def test_assembly_quarterly_outline_and_unknown_notebook(tmp_path):
    paths = _write_outline_notebooks(tmp_path / "nb")
    quarterly = [p for p in paths if p.stem != "07-lampiran"]
    asm = assemble(quarterly, tmp_path / "media", _meta("lkj-triwulanan", "2024Q1"))
    assert asm.titles[3:] == ["Ringkasan Eksekutif", "Bab I Pendahuluan", "Bab II Akuntabilitas Kinerja",
                              "Bab III Penutup"]
    bab1 = asm.chapters[4]
    assert bab1.tables == ("Tabel 1.1", "Tabel 1.2")  # 01-pendahuluan and 02-perencanaan form Bab I
    with pytest.raises(RenderError, match="07-lampiran.*tidak ada dalam kerangka"):
        assemble(paths, tmp_path / "media2", _meta("lkj-triwulanan", "2024Q1"))


def test_meta_from_unit_names_the_outline_of_its_report_type():
    row = pd.Series({"satker": "bkipm-banjarmasin", "nama": "Balai KIPM Banjarmasin"})
    assert ReportMeta.from_unit(row, "2024Q1").outline == "lkj-triwulanan"
    assert ReportMeta.from_unit(row, "2024").outline == "lakin-tahunan"


# --------------------------------------------------------------------------------------------------
# Bab I and II from data


def test_staff_tables_hold_both_seeds_figures(models):
    kppbc = dict(profil.pegawai_tables(models("kppbc-balikpapan", "2024").tables, 2024))
    assert kppbc["Jenis Kelamin"].iloc[-1].tolist() == ["Jumlah", "114", "100,00%"]  # seed 000 Bab I C: 98 + 16
    assert kppbc["Jenis Kelamin"]["Persentase"].iloc[0] == "85,96%"
    assert kppbc["Jabatan"]["Jumlah"].tolist() == ["1", "12", "24", "78", "115"]  # seed 000 Ringkasan: 115 pegawai
    bkipm = dict(profil.pegawai_tables(models("bkipm-banjarmasin", "2024Q1").tables, 2024))
    assert bkipm["Jabatan"].iloc[-1, 1] == "18" and bkipm["Tenaga Pendukung"].iloc[0, 1] == "11"  # seed 003 1.2


def test_invalid_staff_row_is_refused():
    frame = pd.DataFrame({"satker": ["bkipm-banjarmasin"], "tahun": [2024.0], "kelompok": ["Jabatan"],
                          "kategori": ["Pejabat struktural"], "jumlah": [-2.0]})
    assert not passes_checks(frame, TABLES["pegawai"])
    frame["jumlah"] = [2.0]
    assert passes_checks(frame, TABLES["pegawai"])


def test_bab1_and_bab2_sections_from_data(laporan):
    lap = laporan("kppbc-balikpapan", "2024")
    assert _headings(lambda: lap.bagian("tugas")) == [(3, "1. Tugas dan Fungsi")]
    tugas = _markdown_of(lambda: lap.bagian("tugas"))
    assert "PMK 183/PMK.01/2020" in tugas and "i. pelaksanaan administrasi Kantor Pengawasan dan Pelayanan." in tugas
    struktur = _markdown_of(lambda: lap.bagian("struktur"))
    assert "| 3 | Seksi Penindakan dan Penyidikan | Kepala Kantor |" in struktur
    sistematika = _markdown_of(lambda: lap.bagian("sistematika"))
    assert "4. Bab III Akuntabilitas Kinerja\n    - A. Capaian Kinerja Organisasi\n    - B. Realisasi Anggaran" in sistematika
    metode = _markdown_of(lambda: lap.bagian("metode-pengukuran"))
    assert "paling tinggi 120" in metode and "30%" in metode and "20%" in metode and "Polaritas minimal" in metode
    assert "seed" not in metode and "as applied" not in metode
    # customs data has no Renstra: a draft marks the gap
    assert "Belum diisi (draf)" in _markdown_of(lambda: lap.bagian("renstra"))


# --------------------------------------------------------------------------------------------------
# acceptance 3: the quarterly report prints no next year's agreement; the annual one does (in its Lampiran)


def test_next_years_agreement_only_in_the_annual_lampiran(laporan):
    q3 = laporan("kppbc-balikpapan", "2024Q3")
    texts = _markdown_of(lambda: q3.bagian("perjanjian-kinerja")) + _markdown_of(lambda: q3.bagian("lampiran-pk"))
    assert "Perjanjian Kinerja Tahun 2024" in texts and "2025" not in texts
    annual = laporan("kppbc-balikpapan", "2024")
    assert "2025" not in _markdown_of(lambda: annual.bagian("perjanjian-kinerja"))
    lampiran = _markdown_of(lambda: annual.bagian("lampiran-pk"))
    assert "Perjanjian Kinerja Tahun 2025" in lampiran and "| 1 | SS-1 | 1a-N |" in lampiran


# --------------------------------------------------------------------------------------------------
# acceptance 5 and Bab III A per indicator


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_fisheries_every_indicator_has_renstra_target_and_progress(models, laporan):
    m = models("bkipm-banjarmasin", "2024Q1")
    frame = profil.renstra_frame(m.tables, m.scorecard)
    assert list(frame["kode"]) == list(m.scorecard.indicators["kode"])  # all 16
    iku4 = profil.perbandingan_table(m.scorecard, "IKU 4", frame, profil.annual_targets(m.tables, 2024)["IKU 4"])
    assert list(iku4.columns) == ["Uraian", "Target", "Realisasi", "Capaian", "% dari Target Tahunan"]
    assert iku4.iloc[-2].tolist() == ["Triwulan I 2024", "2 produk", "2 produk", "100,00", "11,76%"]  # seed 003: 11,76
    assert iku4.iloc[-1].tolist()[1:4] == ["17 produk", "2 produk", "11,76%"]  # Renstra 2020-2024: 17
    lap = laporan("bkipm-banjarmasin", "2024Q1")
    text = _markdown_of(lap.analisis_indikator)
    assert text.count("Target jangka menengah (Renstra 2020-2024)") == 16
    assert text.count("| Target Renstra 2020-2024") == 16


def test_history_table_keeps_earlier_years_targets(tmp_path, models):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "iku_nilai" / "bkipm-banjarmasin.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = (frame["kode"] == "IKU 3") & (frame["tahun"] == "2023") & (frame["periode"] == "Y")
    assert row.sum() == 1
    frame.loc[row, "target"] = "4"  # fixture: the data holds the 2023 target
    frame.to_csv(path, index=False)
    m = build_model("bkipm-banjarmasin", "2024Q1", data)
    table = profil.perbandingan_table(m.scorecard, "IKU 3")
    y2023 = table[table["Uraian"] == "Tahun 2023"].iloc[0]
    assert (y2023["Target"], y2023["Realisasi"], y2023["Capaian"]) == ("4 UPI", "5 UPI", "120,00")  # 125 clamped
    assert table[table["Uraian"] == "Tahun 2022"].iloc[0]["Target"] == "-"  # no target in the data: none shown
    annual = profil.perbandingan_table(models("kppbc-balikpapan", "2024").scorecard, "1a-N")
    assert "% dari Target Tahunan" not in annual.columns


# --------------------------------------------------------------------------------------------------
# completeness, gaps in drafts, --strict, the reviewer's document


def test_completeness_lists_every_required_element(models):
    m = models("bkipm-banjarmasin", "2024Q1")
    frame = review.completeness_for(m)
    per_indicator = frame[frame["Bagian"].str.startswith("Bab II, indikator")]
    assert per_indicator["Bagian"].nunique() == 16
    assert len(per_indicator) == 16 * len(outline_for("2024Q1").indikator)
    renstra = per_indicator[per_indicator["Unsur"].str.contains("Renstra")]
    assert set(renstra["Status"]) == {review.ADA}
    gaps = review.gaps(frame)
    assert "tulis di narasi/bkipm-banjarmasin/2024/Q1/iku-IKU-1-sebab.md" in set(gaps["Keterangan"])
    customs = review.completeness_for(models("kppbc-balikpapan", "2024"))
    assert set(customs[customs["Unsur"].str.contains("Renstra")]["Status"]) == {review.TANPA_DATA}


def test_analysis_block_fills_the_gap_and_strict_refuses_gaps(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    m = build_model("bkipm-banjarmasin", "2024Q1", data)
    with pytest.raises(IncompleteReportError, match="iku-IKU-2-sebab.md"):
        review.require_complete(m)
    before = len(review.gaps(review.completeness_for(m)))
    q1 = data / "narasi" / "bkipm-banjarmasin" / "2024" / "Q1"
    q1.mkdir(parents=True, exist_ok=True)
    (q1 / "iku-IKU-2-sebab.md").write_text("Pengawasan dilaksanakan sesuai jadwal.\n", encoding="utf-8")
    (q1 / "iku-IKU-2.md").write_text("Analisis.\n\n**Upaya yang telah dilakukan:**\n\nKoordinasi lintas instansi.\n",
                                     encoding="utf-8")
    m2 = build_model("bkipm-banjarmasin", "2024Q1", data)
    frame = review.completeness_for(m2)
    iku2 = frame[frame["Bagian"] == "Bab II, indikator IKU 2"].set_index("Unsur")["Status"]
    assert iku2["Penyebab keberhasilan/kegagalan"] == review.ADA  # its own block
    assert iku2["Alternatif solusi yang telah dilakukan"] == review.ADA  # a heading inside the main block
    assert len(review.gaps(frame)) == before - 2


def test_draft_marks_missing_analysis_visibly(laporan):
    lap = laporan("bkipm-banjarmasin", "2024Q1")
    text = _markdown_of(lap.analisis_indikator)
    assert "> **Belum diisi (draf):** Penyebab keberhasilan/kegagalan (IKU 1)." in text
    assert text.count("Belum diisi (draf)") == 32  # sebab and solusi for 16 indicators


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_write_review_document(tmp_path, models):
    import openpyxl

    m = models("kppbc-balikpapan", "2024")
    files = review.write_review(m, tmp_path)
    assert files["html"].name == "kppbc-balikpapan-2024-reviu.html"
    assert files["xlsx"].name == "kppbc-balikpapan-2024-reviu.xlsx"
    html = files["html"].read_text(encoding="utf-8")
    assert "Kelengkapan" in html and "Rekonsiliasi" in html and "Angka dalam Narasi" in html
    assert "iku-1a-N-sebab.md" in html
    wb = openpyxl.load_workbook(files["xlsx"])
    assert wb.sheetnames == ["Kelengkapan", "Rekonsiliasi", "Angka dalam Narasi"]
    assert wb["Rekonsiliasi"].max_row > 1  # seed 000's printed slips are listed for the reviewer


def test_report_body_has_no_data_quality_annex():
    from lakin.present.sections import Laporan

    assert not hasattr(Laporan, "kualitas_data")
    lampiran = nbformat.read(ROOT / "notebooks" / "07-lampiran.ipynb", as_version=4)
    assert "galat" not in "".join(c.source for c in lampiran.cells).lower()


# --------------------------------------------------------------------------------------------------
# rendered reports (slow): Daftar Tabel / Daftar Gambar complete in every format, reviewer's document beside


@pytest.mark.slow
@pytest.mark.parametrize("satker,periode", [("kppbc-balikpapan", "2024"), ("bkipm-banjarmasin", "2024Q1")])
def test_rendered_lists_of_tables_and_figures_are_complete(built, satker, periode):
    import docx
    from bs4 import BeautifulSoup

    result = built(satker, periode)
    soup = BeautifulSoup(result.files["html"].read_text(encoding="utf-8"), "html.parser")
    captions = [re.sub(r"\s+", " ", c.get_text(" ")).strip() for c in soup.find_all("caption")]
    figures = [re.sub(r"\s+", " ", c.get_text(" ")).strip() for c in soup.find_all("figcaption")]
    tables = [c for c in captions if c.startswith("Tabel ")]
    assert len(tables) > 10 and all(re.match(r"Tabel \d+(\.\d+)? ", c) for c in tables)
    section = soup.find(id="daftar-tabel")
    listed = [re.sub(r"\s+", " ", li.get_text(" ")).strip() for li in section.find_all("li")]
    assert listed == tables
    gsection = soup.find(id="daftar-gambar")
    assert [re.sub(r"\s+", " ", li.get_text(" ")).strip() for li in gsection.find_all("li")] == \
        [f for f in figures if f.startswith("Gambar ")]
    paragraphs = [p.text.strip() for p in docx.Document(str(result.files["docx"])).paragraphs]
    assert [p for p in paragraphs[paragraphs.index("Daftar Tabel") + 1:] if p.startswith("Tabel ")][:len(tables)] == tables
    pdf = re.sub(r"\s+", " ", pdf_text(result.files["pdf"]))
    listing = pdf.split("Daftar Tabel • ", 1)[1].split("Daftar Gambar", 1)[0]  # the list, not the contents entry
    assert [t.split(" ", 2)[1] for t in tables] == re.findall(r"Tabel (\d+(?:\.\d+)?) ", "Tabel " + listing)
    for kind in ("reviu_html", "reviu_xlsx"):
        assert result.files[kind].is_file() and "-reviu." in result.files[kind].name
    assert "galat" not in soup.get_text(" ").lower()


@pytest.mark.slow
def test_rendered_quarterly_report_has_no_next_years_agreement(built):
    from bs4 import BeautifulSoup

    text = BeautifulSoup(built("kppbc-balikpapan", "2024Q3").files["html"].read_text(encoding="utf-8"),
                         "html.parser").get_text(" ")
    assert "Perjanjian Kinerja Tahun 2024" in text and "Perjanjian Kinerja Tahun 2025" not in text
    assert "Bab II Akuntabilitas Kinerja" in text and "Lampiran" not in text.split("Bab III Penutup")[-1]
    annual = BeautifulSoup(built("kppbc-balikpapan", "2024").files["html"].read_text(encoding="utf-8"),
                           "html.parser").get_text(" ")
    assert "Perjanjian Kinerja Tahun 2025" in annual
