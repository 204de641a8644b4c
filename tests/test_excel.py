"""Excel template, import (same rules and messages as CSV, all-or-nothing) and the report workbook."""

from __future__ import annotations

import functools
import hashlib
import shutil
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lakin import excel
from lakin.data import FILE_COL, LINE_COL, load, read_csv_text
from lakin.errors import DataValidationError, ParameterError
from lakin.schemas import TABLES

DATA = Path(__file__).resolve().parents[1] / "data"
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


# --------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("satker", SEEDS)
def test_round_trip_gives_identical_tables(satker, templates, data_copy):
    """Byte-identical CSVs, hence identical lakin.data.load results."""
    result = excel.import_workbook(templates[satker], data_copy)
    assert result.rows["iku"] > 0 and result.rows["iku_nilai"] > 0
    assert result.written == []  # nothing to rewrite
    assert digest(data_copy) == digest(DATA)


def test_round_trip_values_survive_without_original_spelling(templates, data_copy, monkeypatch):
    """With every cell rewritten from the workbooks (100.00 becomes 100), the loaded tables are still equal."""
    monkeypatch.setattr(excel, "_same", lambda a, b: False)
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
    real_replace, calls = excel.os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk penuh")
        return real_replace(src, dst)

    monkeypatch.setattr(excel.os, "replace", failing_replace)
    before = digest(data_copy)
    with pytest.raises(OSError):
        excel.import_workbook(book, data_copy)
    assert len(calls) >= 2 and digest(data_copy) == before  # first file restored, no temporaries left


def test_deleted_row_is_removed_and_others_kept(templates, data_copy, tmp_path):
    wb = openpyxl.load_workbook(templates["bkipm-banjarmasin"])
    wb["pagu"].delete_rows(2)
    wb.save(tmp_path / "hapus.xlsx")
    excel.import_workbook(tmp_path / "hapus.xlsx", data_copy)
    old = (DATA / "pagu/bkipm-banjarmasin.csv").read_text().splitlines()
    new = (data_copy / "pagu/bkipm-banjarmasin.csv").read_text().splitlines()
    assert new == old[:1] + old[2:]


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
    # the same message as the CSV loader gives for the same cell
    csv_issues = []
    csv_text = 'satker,tahun,kode,periode,target,realisasi\nx,2024,k,Y,1,"97,75"\n'
    read_csv_text(csv_text, "f.csv", TABLES["iku_nilai"], csv_issues)
    assert comma.expected == csv_issues[0].expected and "koma desimal" in comma.expected
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
    assert wb.sheetnames == [excel.NOTES_SHEET, *TABLES]

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
        "Capaian": ["109,16%", "120,00%", "N/A"],
        "Pagu": ["Rp6.173.055.000", "Rp0", "-"],
        "Tahun": [2023, 2024, 2024],
        "Indeks": [118.32, 100.0, float("nan")],
    })
    path = excel.write_report_workbook({"Papan Skor": skor, "Penerimaan/Bulanan: [2024]?" + "x" * 40: skor,
                                        "papan skor": skor}, tmp_path / "kppbc-2024-tabel.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Papan Skor" and len(wb.sheetnames) == 3
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    ws = wb["Papan Skor"]
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    numeric = {(c.coordinate, c.value, c.number_format) for row in ws.iter_rows(min_row=2) for c in row
               if c.data_type == "n" and c.value is not None}
    assert ("B2", 1460129563, "#,##0") in numeric and ("B3", 27.26, "#,##0.00") in numeric
    assert ("C2", 109.16, '#,##0.00"%"') in numeric and ("D2", 6173055000, '"Rp"#,##0') in numeric
    assert ("E2", 2023, "0") in numeric and ("F2", 118.32, "#,##0.00") in numeric
    assert ws["A2"].value == "1a-N" and ws["B4"].value == "N/A" and ws["B4"].data_type == "s"
    assert ws["F4"].value is None


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"])
def test_report_workbook_neutralises_formulas(payload, tmp_path):
    frame = pd.DataFrame({payload: [payload, "aman"]})
    path = excel.write_report_workbook({"Data": frame}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["Data"]
    for cell in (ws["A1"], ws["A2"]):
        assert cell.data_type == "s" and cell.value == payload and cell.quotePrefix
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


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
