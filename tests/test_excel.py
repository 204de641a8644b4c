"""Excel template, import (same rules and messages as CSV, all-or-nothing) and the report workbook."""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import sys
import time
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lakin.data.load import FILE_COL, LINE_COL, load, read_csv_text
from lakin.data.schemas import TABLES
from lakin.errors import DataValidationError, ParameterError
from lakin.pipeline.render import ReportMeta, assemble
from lakin.pipeline.report_tables import notebook_tables
from lakin.tools import excel
from lakin.tools.excel import files as excel_files
from conftest import DATA

SEEDS = ("kppbc-balikpapan", "bkipm-banjarmasin")


# --------------------------------------------------------------------------- helpers
def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def seed_frames(satker: str | None = None) -> dict[str, pd.DataFrame]:
    return frames(DATA, satker)


def frames(data_dir: Path, satker: str | None = None) -> dict[str, pd.DataFrame]:
    out = {}
    for name, df in load(data_dir, satker=satker).tables.items():
        key = [k for k in TABLES[name].key if k in df.columns]
        df = df.drop(columns=[FILE_COL, LINE_COL])
        out[name] = df.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)
    return out


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        cols = sorted(a[name].columns)
        pd.testing.assert_frame_equal(a[name][cols], b[name][cols], obj=name)


def where(issue) -> tuple:
    return issue.file, issue.row, issue.column, issue.value


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {s: excel.write_template(folder / f"{s}.xlsx", DATA, satker=s) for s in SEEDS}


def edited(template: Path, tmp_path: Path, *changes: tuple[str, str, int, object]) -> Path:
    """A copy of the template with cells changed, each given as (sheet, column, Excel row, value)."""
    wb = openpyxl.load_workbook(template)
    for sheet, column, row, value in changes:
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        ws.cell(row=row, column=header.index(column) + 1, value=value)
    out = tmp_path / "isian.xlsx"
    wb.save(out)
    return out


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
# --------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("satker", SEEDS)
def test_round_trip_gives_identical_tables(satker, templates, data_copy):
    """Byte-identical CSVs, hence identical lakin.data.load.load results."""
    result = excel.import_workbook(templates[satker], data_copy)
    assert result.rows["iku"] > 0 and result.rows["iku_nilai"] > 0
    assert result.written == []  # nothing to rewrite
    assert digest(data_copy) == digest(DATA)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_round_trip_values_survive_without_original_spelling(templates, data_copy, monkeypatch):
    """With every cell rewritten from the workbooks (100.00 becomes 100), the loaded tables are still equal."""
    monkeypatch.setattr(excel_files, "same_value", lambda a, b: False)
    for satker in SEEDS:
        excel.import_workbook(templates[satker], data_copy)
    assert digest(data_copy) != digest(DATA)
    assert_same_tables(frames(data_copy), seed_frames())


def test_import_into_fresh_data_dir_creates_per_satker_files(templates, tmp_path):
    fresh = tmp_path / "baru"
    fresh.mkdir()
    shutil.copy(DATA / "satker.csv", fresh / "satker.csv")
    excel.import_workbook(templates["bkipm-banjarmasin"], fresh)
    assert (fresh / "iku" / "bkipm-banjarmasin.csv").is_file()
    assert not (fresh / "penerimaan.csv").exists()  # empty sheets create nothing
    assert_same_tables(frames(fresh, "bkipm-banjarmasin"), seed_frames("bkipm-banjarmasin"))


def test_edited_cell_changes_its_line_and_new_row_is_added(templates, data_copy, tmp_path):
    new_row = {"satker": "bkipm-banjarmasin", "tahun": 2024, "periode": "S1", "nilai": 110.5, "sumber": "uji"}
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku_nilai", "realisasi", 2, 99.5),
                  *(("nilai_organisasi", c, 3, v) for c, v in new_row.items()))
    result = excel.import_workbook(book, data_copy)
    assert sorted(result.written) == [Path("iku_nilai/bkipm-banjarmasin.csv"),
                                      Path("nilai_organisasi/bkipm-banjarmasin.csv")]
    old = (DATA / "iku_nilai/bkipm-banjarmasin.csv").read_text().splitlines()
    new = (data_copy / "iku_nilai/bkipm-banjarmasin.csv").read_text().splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and len(changed) == 1 and ",99.5," in changed[0][1]
    added = (data_copy / "nilai_organisasi/bkipm-banjarmasin.csv").read_text().splitlines()
    assert added[:-1] == (DATA / "nilai_organisasi/bkipm-banjarmasin.csv").read_text().splitlines()
    assert added[-1] == "bkipm-banjarmasin,2024,S1,110.5,uji"


def test_failed_move_restores_every_file(templates, data_copy, tmp_path, monkeypatch):
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku_nilai", "realisasi", 2, 99.5), ("pagu", "pagu", 2, 1))
    real_replace, calls = excel_files.os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk penuh")
        return real_replace(src, dst)

    monkeypatch.setattr(excel_files.os, "replace", failing_replace)
    before = digest(data_copy)
    with pytest.raises(OSError):
        excel.import_workbook(book, data_copy)
    assert len(calls) >= 2 and digest(data_copy) == before  # first file restored, no temporaries left


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_deleted_row_is_removed_and_others_kept(templates, data_copy, tmp_path):
    wb = openpyxl.load_workbook(templates["bkipm-banjarmasin"])
    wb["pagu"].delete_rows(2)
    wb.save(tmp_path / "hapus.xlsx")
    excel.import_workbook(tmp_path / "hapus.xlsx", data_copy)
    old = (DATA / "pagu/bkipm-banjarmasin.csv").read_text().splitlines()
    new = (data_copy / "pagu/bkipm-banjarmasin.csv").read_text().splitlines()
    assert new == old[:1] + old[2:]


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
# --------------------------------------------------------------------------- refusals
def test_bad_cells_are_refused_with_sheet_row_column_and_nothing_written(templates, data_copy, tmp_path):
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku_nilai", "realisasi", 5, "97,75"),
                  ("iku", "polaritas", 3, "maks"))
    before = digest(data_copy)
    with pytest.raises(DataValidationError) as err:
        excel.import_workbook(book, data_copy)
    comma, polaritas = sorted(err.value.issues, key=lambda i: i.file, reverse=True)
    assert where(comma) == ("isian.xlsx, lembar iku_nilai", 5, "realisasi", "97,75")
    assert where(polaritas) == ("isian.xlsx, lembar iku", 3, "polaritas", "maks")
    assert "max, min, stabilize" in polaritas.expected
    # the CSV loader's advice (write 97.75) does not fit Excel: a number stored as text is told to be
    # typed again as a number, in the form the person's Excel uses
    csv_issues = []
    csv_text = 'satker,tahun,kode,periode,target,realisasi\nx,2024,k,Y,1,"97,75"\n'
    read_csv_text(csv_text, "f.csv", TABLES["iku_nilai"], csv_issues)
    assert "tulis 97.75" in csv_issues[0].expected and comma.expected == excel.EXCEL_NUMBER_ADVICE
    assert "Excel berbahasa Indonesia: 97,75" in comma.expected and "bukan Teks" in comma.expected
    assert "lembar iku_nilai, baris 5, kolom 'realisasi'" in err.value.user_message()
    assert digest(data_copy) == before


def test_cross_table_reference_is_checked_on_the_merged_data(templates, data_copy, tmp_path):
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku_nilai", "kode", 4, "IKU 99"))
    before = digest(data_copy)
    with pytest.raises(DataValidationError) as err:
        excel.import_workbook(book, data_copy)
    [issue] = err.value.issues
    assert (issue.file, issue.row, issue.column) == ("isian.xlsx, lembar iku_nilai", 4, "kode")
    assert digest(data_copy) == before


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_formula_without_saved_value_is_refused(templates, data_copy, tmp_path):
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku_nilai", "target", 6, "=1+1"))
    with pytest.raises(DataValidationError) as err:
        excel.import_workbook(book, data_copy)
    assert any(i.row == 6 and i.column == "target" and "rumus" in i.expected for i in err.value.issues)


def test_unknown_sheet_and_non_workbook_are_refused(data_copy, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "x"
    wb.save(tmp_path / "asing.xlsx")
    with pytest.raises(DataValidationError, match="lembar tidak dikenal"):
        excel.import_workbook(tmp_path / "asing.xlsx", data_copy)
    (tmp_path / "bukan.xlsx").write_text("satker,tahun\n")
    with pytest.raises(DataValidationError, match="bukan workbook Excel"):
        excel.import_workbook(tmp_path / "bukan.xlsx", data_copy)
    assert digest(data_copy) == digest(DATA)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_cli_import_reports_issue_without_traceback(templates, data_copy, tmp_path, monkeypatch, capsys):
    from lakin import cli

    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku", "polaritas", 2, "maks"))
    monkeypatch.setattr(sys, "argv", ["lakin", "import", str(book), "--data", str(data_copy)])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "lembar iku, baris 2, kolom 'polaritas'" in err and "Traceback" not in err


# --------------------------------------------------------------------------- cell conversion
@pytest.mark.parametrize("value, text", [
    (None, ""), (10, "10"), (10.0, "10"), (97.75, "97.75"), (0.1 + 0.2, "0.3"), (1e-05, "0.00001"),
    (-1864599579000.0, "-1864599579000"), (6.86323113484, "6.86323113484"), (True, "true"),
    (datetime(2024, 1, 15), "2024-01-15"), ("97,75", "97,75"), ("1a-N", "1a-N"),
])
def test_cell_text(value, text):
    assert excel.cell_text(value) == text


# --------------------------------------------------------------------------- template
def test_template_has_formats_notes_and_drop_downs(templates):
    wb = openpyxl.load_workbook(templates["kppbc-balikpapan"])
    assert [n for n in wb.sheetnames if n != excel.WIDE_SHEET] == [excel.NOTES_SHEET, *TABLES]

    def validated(sheet: str, column: str) -> list:
        ws = wb[sheet]
        letter = openpyxl.utils.get_column_letter([c.value for c in ws[1]].index(column) + 1)
        return [dv for dv in ws.data_validations.dataValidation if f"{letter}2:" in str(dv.sqref)]

    for sheet, column, choice in (("iku", "polaritas", "stabilize"), ("iku", "konsolidasi", "tlkv"),
                                  ("iku_nilai", "periode", "SDQ3"), ("pagu", "jenis_belanja", "58"),
                                  ("ikpa", "kelompok", "smart"), ("ikpa", "pengurang", "true")):
        [dv] = validated(sheet, column)
        assert dv.type == "list" and choice in dv.formula1
    ws = wb["iku"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert "pilihan: max, min, stabilize" in ws.cell(row=1, column=9).comment.text
    nilai = wb["iku_nilai"]
    header = [c.value for c in nilai[1]]
    first = {h: nilai.cell(row=2, column=i + 1) for i, h in enumerate(header)}
    assert isinstance(first["tahun"].value, int) and first["target"].data_type == "n"
    assert first["target"].number_format == "#,##0.00" and first["kode"].data_type == "s"
    target = wb["target_penerimaan"]
    assert isinstance(target["E2"].value, datetime) and target["F2"].number_format == "#,##0"


def test_template_links_units_and_indicators_and_shows_input_messages(templates):
    wb = openpyxl.load_workbook(templates["bkipm-banjarmasin"])
    assert wb.defined_names["daftar_satker"].attr_text == "satker!$A$2:$A$1048576"
    assert wb.defined_names["daftar_indikator"].attr_text == "iku!$C$2:$C$1048576"
    rules = {str(dv.sqref).split(":")[0]: dv for dv in wb["iku_nilai"].data_validations.dataValidation}
    assert rules["A2"].type == "list" and rules["A2"].formula1 == "daftar_satker"
    assert rules["C2"].type == "list" and rules["C2"].formula1 == "daftar_indikator"
    assert not rules["C2"].showErrorMessage  # a suggestion: the indicator may be in the data directory only
    for dv in rules.values():  # every column has an input message
        assert dv.showInputMessage and dv.promptTitle and 0 < len(dv.prompt) <= 255
    assert "97,75" in next(dv.prompt for dv in rules.values() if dv.promptTitle == "realisasi")
    own = {str(dv.sqref).split(":")[0]: dv for dv in wb["satker"].data_validations.dataValidation}
    assert own["A2"].type is None  # the unit list itself is typed, not picked


def test_template_without_satker_is_empty_and_tahun_needs_satker(tmp_path):
    path = excel.write_template(tmp_path / "kosong.xlsx")
    wb = openpyxl.load_workbook(path)
    assert all(wb[name].max_row == 1 for name in TABLES)
    with pytest.raises(ParameterError):
        excel.write_template(tmp_path / "x.xlsx", tahun=2024)


# --------------------------------------------------------------------------- report workbook
@pytest.mark.parametrize("text, number, fmt", [
    ("1.460.129.563", 1460129563, "#,##0"),
    ("27,26", 27.26, "#,##0.00"),
    ("109,16%", 109.16, '#,##0.00"%"'),
    ("Rp6.173.055.000", 6173055000, '"Rp"#,##0'),
    ("-Rp1.000", -1000, '"Rp"#,##0'),
    ("+3,67", 3.67, "+#,##0.00;-#,##0.00;#,##0.00"),
    ("12", 12, "#,##0"),
])
def test_parse_display_number(text, number, fmt):
    assert excel.parse_display_number(text) == (number, fmt)


@pytest.mark.parametrize("text", ["N/A", "2024", "4787", "015", "1a-N", "015.05.CC", "IKU 6", "-", "1,2,3"])
def test_display_text_stays_text(text):
    assert excel.parse_display_number(text) is None


def test_report_workbook_numbers_are_numbers(tmp_path):
    skor = pd.DataFrame({
        "Kode": ["1a-N", "2b-CP", "IKU 6"],
        "Realisasi": ["1.460.129.563", "27,26", "N/A"],
        "Capaian": ["109,16%", "120%", "N/A"],
        "Pagu": ["Rp6.173.055.000", "Rp0", "-"],
        "Tahun": [2023, 2024, 2024],
        "Indeks": [118.32, 100.0, float("nan")],
        "Perubahan": ["+3,67", "-1,5", "0"],
    })
    path = excel.write_report_workbook({"Papan Skor": skor, "Penerimaan/Bulanan: [2024]?" + "x" * 40: skor,
                                        "papan skor": skor}, tmp_path / "kppbc-2024-tabel.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Daftar Tabel", "Tabel 1", "Tabel 2", "Tabel 3"]
    ws = wb["Tabel 1"]
    assert ws["A1"].value == "Tabel 1 Papan Skor" and ws["A1"].font.b
    assert ws["A2"].value == "Kode" and ws["A2"].font.b and ws.freeze_panes == "A4"
    assert [c.value for c in ws[3]] == [None, None, "(%)", "(Rp)", None, None, None]  # the unit row
    numeric = {(c.coordinate, c.value, c.number_format) for row in ws.iter_rows(min_row=4) for c in row
               if c.data_type == "n" and c.value is not None}
    # one format per column, with as many decimals as the column prints anywhere
    assert ("B4", 1460129563, "#,##0.00") in numeric and ("B5", 27.26, "#,##0.00") in numeric
    assert ("C4", 109.16, "#,##0.00") in numeric and ("C5", 120, "#,##0.00") in numeric
    assert ("D4", 6173055000, "#,##0") in numeric and ("D5", 0, "#,##0") in numeric
    assert ("E4", 2023, "0") in numeric and ("F4", 118.32, "#,##0.00") in numeric
    assert ("F5", 100.0, "#,##0.00") in numeric
    signed = "+#,##0.00;-#,##0.00;#,##0.00"
    assert {("G4", 3.67, signed), ("G5", -1.5, signed), ("G6", 0, signed)} <= numeric
    assert ws["A4"].value == "1a-N" and ws["B6"].value == "N/A" and ws["B6"].data_type == "s"
    assert ws["D6"].value == "-" and ws["F6"].value is None
    for column in "BCDEFG":
        assert len({c.number_format for c in ws[column][3:] if c.data_type == "n" and c.value is not None}) == 1


def test_report_workbook_has_a_linked_index_and_prints_to_page_width(tmp_path):
    """Issue 16, acceptance 4: index sheet, sheet names from table numbers, no name longer than
    number + title, fitted to the page width."""
    frame = pd.DataFrame({"Uraian": ["a", "b"], "Nilai": ["1,50", "2"]})
    tables = [excel.ReportTable("Tabel 3.2", "Capaian Indikator Kinerja Utama Tahun 2024 per Sasaran", frame),
              excel.ReportTable("Tabel 4.1", "Realisasi: Penerimaan [bulanan]", frame)]
    wb = openpyxl.load_workbook(excel.write_report_workbook(tables, tmp_path / "t.xlsx", title="KPPBC 2024"))
    assert wb.sheetnames == ["Daftar Tabel", "Tabel 3.2", "Tabel 4.1"]
    index = wb["Daftar Tabel"]
    assert index["A1"].value == "Daftar Tabel - KPPBC 2024"
    rows = [[c.value for c in row] for row in index.iter_rows(min_row=3)]
    assert rows == [["Nomor", "Judul", "Baris"],
                    ["Tabel 3.2", "Capaian Indikator Kinerja Utama Tahun 2024 per Sasaran", 2],
                    ["Tabel 4.1", "Realisasi: Penerimaan [bulanan]", 2]]
    assert index["A4"].hyperlink.location == "'Tabel 3.2'!A1" and index["A5"].hyperlink.location == "'Tabel 4.1'!A1"
    for table, name in zip(tables, wb.sheetnames[1:]):
        assert len(name) <= len(f"{table.number} {table.caption}")
        ws = wb[name]
        assert ws["A1"].value == f"{table.number} {table.caption}"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.paperSize == 9  # A4
        assert ws.print_title_rows == "$2:$3"
        assert [c.number_format for c in ws["B"][3:]] == ["#,##0.00", "#,##0.00"]


def _chapter(tmp_path: Path, name: str, tables: list[tuple[str, pd.DataFrame]], numbered: bool = True,
             markdown_table: bool = False) -> Path:
    """An executed chapter notebook whose outputs are what lakin.present.show.table displays."""
    import nbformat
    from lakin.present import show

    shown = []
    original = show._display
    show._display = lambda bundle, metadata=None: shown.append((bundle, metadata))
    try:
        for caption, frame in tables:
            show.table(frame, caption)
    finally:
        show._display = original
    cells = [nbformat.v4.new_markdown_cell(f"# Bab {name}")]
    if markdown_table:
        cells.append(nbformat.v4.new_markdown_cell("| a | b |\n|---|---|\n| 1 | 2 |\n\n: Tabel tulisan tangan"))
    for bundle, meta in shown:
        cell = nbformat.v4.new_code_cell("lakin.present.sections.x()")
        cell.outputs = [nbformat.v4.new_output("display_data", data=bundle, metadata={"lakin": meta})]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"lakin": {"chapter": {"numbered": numbered}}})
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def test_table_numbers_are_the_printed_ones(tmp_path):
    """notebook_tables numbers tables as lakin.pipeline.render does (checked against its assembler)."""
    frame = pd.DataFrame({"Uraian": ["a"], "Nilai": ["Rp1.000"]})
    notebooks = [_chapter(tmp_path, "ringkasan", [("Ringkasan", frame)], numbered=False),
                 _chapter(tmp_path, "satu", []),
                 _chapter(tmp_path, "dua", [("Capaian", frame), ("Target", frame)], markdown_table=True),
                 _chapter(tmp_path, "lampiran", [("Lampiran", frame)], numbered=False)]
    tables = notebook_tables(notebooks)
    assert [(t.number, t.caption) for t in tables] == [
        ("Tabel 1", "Ringkasan"), ("Tabel 2.2", "Capaian"), ("Tabel 2.3", "Target"), ("Tabel 2", "Lampiran")]
    printed = [label for chapter in assemble(notebooks, tmp_path / "media").chapters for label in chapter.tables]
    assert printed == ["Tabel 1", "Tabel 2.1", "Tabel 2.2", "Tabel 2.3", "Tabel 2"]
    assert {t.number for t in tables} <= set(printed)
    pd.testing.assert_frame_equal(tables[1].frame, frame)


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"])
def test_report_workbook_neutralises_formulas(payload, tmp_path):
    frame = pd.DataFrame({payload: [payload, "aman"]})
    path = excel.write_report_workbook({"Data": frame}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["Tabel 1"]
    for cell in (ws["A2"], ws["A4"]):
        assert cell.data_type == "s" and cell.value == payload and cell.quotePrefix
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        sheet_xml = zipfile.ZipFile(path).read(part)
        assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_template_text_that_looks_like_a_formula_stays_text(data_copy, tmp_path):
    path = data_copy / "iku_nilai" / "bkipm-banjarmasin.csv"
    text = path.read_text()
    path.write_text(text.replace("Tabel 1 (TARGET 2024)", '"=HYPERLINK(""http://x"",""y"")"', 1))
    book = excel.write_template(tmp_path / "t.xlsx", data_copy, "bkipm-banjarmasin", tahun=2024)
    ws = openpyxl.load_workbook(book)["iku_nilai"]
    assert {ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)} == {2024}  # --tahun
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert excel.import_workbook(book, data_copy).written == []


# --------------------------------------------------------------------------- hostile workbooks (issue 18)
def rewritten(source: Path, target: Path, change) -> Path:
    """A copy of an xlsx with each part passed through change(name, bytes) -> bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            out.writestr(name, change(name, src.read(name)))
    return target


def sheet_part(book: Path, sheet: str) -> str:
    return f"xl/worksheets/sheet{openpyxl.load_workbook(book, read_only=True).sheetnames.index(sheet) + 1}.xml"


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_declared_dimension_does_not_hide_rows(templates, data_copy, tmp_path):
    """openpyxl's read-only mode stops at <dimension>: a sheet declaring A1:J5 must still be read whole."""
    book = edited(templates["kppbc-balikpapan"], tmp_path, ("iku_nilai", "realisasi", 100, 55.5))
    part = sheet_part(book, "iku_nilai")
    tampered = rewritten(book, tmp_path / "dimensi.xlsx", lambda name, data: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:J5"', data) if name == part else data)
    assert b'ref="A1:J5"' in zipfile.ZipFile(tampered).read(part)
    result = excel.import_workbook(tampered, data_copy)
    assert result.rows["iku_nilai"] == 280
    old = (DATA / "iku_nilai/kppbc-balikpapan.csv").read_text().splitlines()
    new = (data_copy / "iku_nilai/kppbc-balikpapan.csv").read_text().splitlines()
    assert len(new) == len(old) == 281  # no row deleted
    assert [i for i, (a, b) in enumerate(zip(old, new)) if a != b] == [99]  # Excel row 100 = line 100
    assert ",55.5," in new[99]


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_oversized_shared_string_is_refused_before_it_is_expanded(templates, data_copy, tmp_path):
    """A few hundred KB that inflate to a 200 MB cell: refused from the zip directory, in little memory."""
    book, template = tmp_path / "bom.xlsx", templates["bkipm-banjarmasin"]
    target, chunk = sheet_part(template, "iku"), b"a" * 2**20
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name != target:
                out.writestr(name, src.read(name))
        xml = src.read(target)
        at = xml.index(b"</row>", xml.index(b'<row r="2"'))
        with out.open(target, "w") as part:  # cell Z2 of the iku sheet holds 200 MB of text
            part.write(xml[:at] + b'<c r="Z2" t="inlineStr"><is><t>')
            for _ in range(200):
                part.write(chunk)
            part.write(b"</t></is></c>" + xml[at:])
    assert book.stat().st_size < 2**20
    before = digest(data_copy)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(DataValidationError) as err:
            excel.import_workbook(book, data_copy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5 and peak < 20 * 2**20
    part, whole = err.value.issues
    assert part.file == f"bom.xlsx, bagian {target}" and "200,0 MB" in part.expected
    assert "batas 16,0 MB per bagian" in part.expected
    assert whole.file == "bom.xlsx" and "batas 64,0 MB" in whole.expected
    assert digest(data_copy) == before


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_cell_longer_than_excel_allows_is_refused(templates, data_copy, tmp_path):
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku", "definisi", 4, "PANJANG"),
                  ("iku", "nama", 5000, "baris jauh"))
    wb = openpyxl.load_workbook(book)
    wb["pagu"].cell(row=3, column=excel.MAX_COLUMNS + 1, value="terlalu lebar")
    wb.save(book)
    # openpyxl cuts text at 32767 characters when it writes; a hostile file need not
    book = rewritten(book, tmp_path / "panjang.xlsx", lambda name, data: data.replace(
        b">PANJANG<", b">" + b"x" * 40_000 + b"<"))
    before = digest(data_copy)
    with pytest.raises(DataValidationError) as err:
        excel.import_workbook(book, data_copy)
    found = {(i.file, i.row, i.column): i for i in err.value.issues}
    cell = found[("panjang.xlsx, lembar iku", 4, "definisi")]
    assert cell.value == "x" * 40 + "..." and "32767 karakter" in cell.expected and "40000" in cell.expected
    assert ("panjang.xlsx, lembar pagu", 3, "GS") in found
    # the row far below the data is read (and refused for its empty key cells), not skipped
    assert ("panjang.xlsx, lembar iku", 5000, "satker") in found
    assert digest(data_copy) == before


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_every_problem_of_every_sheet_is_reported_at_once(templates, data_copy, tmp_path):
    """Issue 16: four bad cells in three sheets plus a dangling reference, refused once, all listed."""
    book = edited(templates["bkipm-banjarmasin"], tmp_path,
                  ("iku_nilai", "realisasi", 2, "abc1"), ("iku", "polaritas", 3, "abc2"),
                  ("satker", "kerangka", 2, "abc3"), ("iku_nilai", "periode", 5, "Q7"),
                  ("iku_nilai", "kode", 7, "IKU 99"))
    before = digest(data_copy)
    with pytest.raises(DataValidationError) as err:
        excel.import_workbook(book, data_copy)
    assert sorted(where(i) for i in err.value.issues) == [
        ("isian.xlsx, lembar iku", 3, "polaritas", "abc2"),
        ("isian.xlsx, lembar iku_nilai", 2, "realisasi", "abc1"),
        ("isian.xlsx, lembar iku_nilai", 5, "periode", "Q7"),
        ("isian.xlsx, lembar iku_nilai", 7, "kode", "IKU 99"),
        ("isian.xlsx, lembar satker", 2, "kerangka", "abc3"),
    ]
    expected = {i.column: i.expected for i in err.value.issues}
    assert "angka" in expected["realisasi"] and "max, min, stabilize" in expected["polaritas"]
    assert "kemenkeu-bsc, kkp-npss" in expected["kerangka"] and "Q1, Q2, S1" in expected["periode"]
    assert "indikator yang didefinisikan" in expected["kode"]
    assert digest(data_copy) == before


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_import_creates_a_new_data_directory(templates, tmp_path):
    fresh = tmp_path / "baru" / "data"
    result = excel.import_workbook(templates["bkipm-banjarmasin"], fresh)
    assert result.created and "direktori data baru dibuat" in result.summary()
    assert (fresh / "satker.csv").read_text().splitlines()[1].startswith("bkipm-banjarmasin,")
    got, seed = frames(fresh, "bkipm-banjarmasin"), dict(seed_frames("bkipm-banjarmasin"))
    seed["satker"] = seed["satker"][seed["satker"]["satker"] == "bkipm-banjarmasin"].reset_index(drop=True)
    assert_same_tables(got, seed)
    # a refused workbook creates nothing
    book = edited(templates["bkipm-banjarmasin"], tmp_path, ("iku", "polaritas", 3, "abc2"))
    with pytest.raises(DataValidationError):
        excel.import_workbook(book, tmp_path / "tidak-dibuat")
    assert not (tmp_path / "tidak-dibuat").exists()
    (tmp_path / "berkas").write_text("")
    with pytest.raises(ParameterError, match="bukan direktori"):
        excel.import_workbook(templates["bkipm-banjarmasin"], tmp_path / "berkas")


def test_table_numbers_follow_the_official_outline(tmp_path):
    """With an outline, notebooks 01 and 02 of a quarterly report form Bab I: their tables are 1.1 and 1.2."""
    frame = pd.DataFrame({"Uraian": ["a"], "Nilai": ["12,5%"]})
    notebooks = [_chapter(tmp_path, "00-ringkasan", [("Ringkasan", frame)], numbered=False),
                 _chapter(tmp_path, "01-pendahuluan", [("Sumber daya manusia", frame)]),
                 _chapter(tmp_path, "02-perencanaan", [("Perjanjian kinerja", frame)])]
    meta = ReportMeta(satker="bkipm-banjarmasin", nama="Balai KIPM Banjarmasin", periode="2024Q1",
                      periode_nama="Triwulan I Tahun 2024", outline="lkj-triwulanan")
    assert [t.number for t in notebook_tables(notebooks, meta)] == ["Tabel 1", "Tabel 1.1", "Tabel 1.2"]
    assert [t.number for t in notebook_tables(notebooks)] == ["Tabel 1", "Tabel 1.1", "Tabel 2.1"]


# --------------------------------------------------------------------------- the wide entry sheet (issue 16)
def wide_cell(book: Path, kode: str, column: str) -> tuple[int, int]:
    ws = openpyxl.load_workbook(book)[excel.WIDE_SHEET]
    header = [c.value for c in ws[excel.WIDE_HEADER_ROW]]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=3).value == kode)
    return row, header.index(column) + 1


def edited_wide(template: Path, tmp_path: Path, *changes, drop_long: bool = False) -> Path:
    wb = openpyxl.load_workbook(template)
    for kode, column, value in changes:
        row, col = wide_cell(template, kode, column)
        wb[excel.WIDE_SHEET].cell(row=row, column=col, value=value)
    if drop_long:
        del wb["iku_nilai"]
    out = tmp_path / "lebar.xlsx"
    wb.save(out)
    return out


def nilai_lines(folder: Path) -> list[str]:
    return (folder / "iku_nilai/bkipm-banjarmasin.csv").read_text().splitlines()


def test_wide_sheet_is_the_printed_table(templates):
    wb = openpyxl.load_workbook(templates["bkipm-banjarmasin"])
    assert wb.sheetnames.index(excel.WIDE_SHEET) == wb.sheetnames.index("iku_nilai") - 1
    ws = wb[excel.WIDE_SHEET]
    assert [c.value for c in ws[2]][:8] == ["satker", "tahun", "kode", "nama", "target Q1", "realisasi Q1",
                                          "target Q2", "realisasi Q2"]
    assert ws["E1"].value == "Triwulan I (Q1)" and ws["I1"].value == "Semester I (S1)"
    first = [c.value for c in ws[3]]
    assert first[:4] == ["bkipm-banjarmasin", 2024, "IKU 1",
                         "Jumlah sertifikat CPIB suplier yang diterbitkan lingkup Balai KIPM Banjarmasin"]
    assert first[4:6] == [0, 1]  # IKU 1, Q1: target 0, realisasi 1 (iku_nilai/bkipm-banjarmasin.csv line 2)
    assert ws.max_row - 2 == 16  # one row per indicator


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_wide_sheet_edit_changes_only_its_value(templates, data_copy, tmp_path):
    book = edited_wide(templates["bkipm-banjarmasin"], tmp_path, ("IKU 1", "target Q1", 5),
                       ("IKU 1", "realisasi Q2", 7))
    old = nilai_lines(data_copy)
    result = excel.import_workbook(book, data_copy)
    assert result.written == [Path("iku_nilai/bkipm-banjarmasin.csv")]
    new = nilai_lines(data_copy)
    assert new[1] == old[1].replace("2024,IKU 1,Q1,0,1,", "2024,IKU 1,Q1,5,1,")
    assert len(new) == len(old) + 1 and "bkipm-banjarmasin,2024,IKU 1,Q2,,7," in "\n".join(new)
    assert [a for a in old if a not in new] == [old[1]]


def test_wide_sheet_alone_updates_the_data(templates, data_copy, tmp_path):
    """Without the long sheet, the wide sheet changes its values and keeps every other row and column."""
    book = edited_wide(templates["bkipm-banjarmasin"], tmp_path, ("IKU 1", "target Q1", 5), drop_long=True)
    old = nilai_lines(data_copy)
    excel.import_workbook(book, data_copy)
    new = nilai_lines(data_copy)
    assert [i for i, (a, b) in enumerate(zip(old, new)) if a != b] == [1] and len(new) == len(old)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_wide_and_long_sheet_changed_differently_is_refused(templates, data_copy, tmp_path):
    book = edited_wide(templates["bkipm-banjarmasin"], tmp_path, ("IKU 1", "target Q1", 5),
                       ("IKU 2", "target Q3", "abc"))
    book = edited(book, tmp_path, ("iku_nilai", "target", 2, 6))
    before = digest(data_copy)
    with pytest.raises(DataValidationError) as err:
        excel.import_workbook(book, data_copy)
    found = {(i.file, i.row, i.column): i for i in err.value.issues}
    assert len(found) == 2
    conflict = found[("isian.xlsx, lembar isian_iku", 3, "target Q1")]
    assert "isian.xlsx, lembar iku_nilai, baris 2, kolom 'target' (6)" in conflict.expected
    bad = found[("isian.xlsx, lembar isian_iku", 4, "target Q3")]
    assert bad.value == "abc" and "angka" in bad.expected
    assert digest(data_copy) == before
