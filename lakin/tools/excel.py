"""Excel in and out: the data-entry template, importing a filled workbook into the CSV tables, and the
workbook of a report's tables.

The template and the importer are driven by `lakin.data.schemas.TABLES`; the importer turns every typed cell
into the data contract's text form and hands it to the CSV parser and validator of `lakin.data.load`, so a
workbook is judged by exactly the rules (and messages) a CSV file is, located by sheet, Excel row and column.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from lakin.atomic import TMP_PREFIX, atomic_path
from lakin.data.load import (
    FILE_COL, LINE_COL, Dataset, _check_references, _file_owner, _label, empty_table, find_data_dir, load,
    read_csv_text, read_table, table_files, validate_frame,
)
from lakin.errors import DataIssue, DataValidationError, NoDataError, ParameterError
from lakin.values import is_na
from lakin.data.periods import DATA_PERIODS, PERIOD_LABELS
from lakin.data.schemas import MAX_RUPIAH, SATKER_PATTERN, TABLE_ORDER, TABLES, Col, Table

__all__ = [
    "ImportResult", "NOTES_SHEET", "ReportTable", "cell_text", "import_workbook", "notebook_tables",
    "parse_display_number", "read_workbook", "write_report_workbook", "write_template",
]

NOTES_SHEET = "Petunjuk"
LAST_ROW = 1_048_576
MAX_WIDTH = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
BOLD = Font(bold=True)
_FORMULA_TAG = re.compile(rb"<(\w+:)?f[\s>/]")

# Excel number formats per column kind; Excel shows ',' and '.' with the reader's locale separators
# (Indonesian Excel: 1.234.567 and 97,75).
NUMBER_FORMATS = {
    "int": "0", "float": "#,##0.00", "money": "#,##0", "date": "yyyy-mm-dd",
    "text": "@", "slug": "@", "code": "@", "bool": "@",
}
KIND_LABELS = {
    "text": "teks", "slug": "slug (huruf kecil, angka, tanda -)", "code": "kode (pilih dari daftar)",
    "int": "bilangan bulat", "float": "angka", "money": "rupiah utuh", "date": "tanggal", "bool": "true/false",
}
BOOL_CHOICES = ("true", "false")
# Columns whose values are listed in another sheet: a drop-down linked to that list (a defined name).
LINKED = {"satker": ("daftar_satker", "satker"), "kode": ("daftar_indikator", "iku")}
# Suggested values for open-ended coded columns (the contract says they are extensible): offered as a
# drop-down that still accepts other entries.
SUGGESTED = {"jenis": ("bea_masuk", "bea_keluar", "cukai")}


# =========================================================================== cells
def _write_text(cell, text: str) -> None:
    """A text cell that Excel never evaluates: stored as a string, quote-prefixed when it looks like a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def _number_text(value: float) -> str:
    """A float in the contract's form: '.' decimal, no separators, no exponent, at Excel's 15 digits."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = format(Decimal(format(value, ".15g")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(value) -> str:
    """One workbook cell as the contract's CSV text: numbers plain ('.' decimal, integers without '.0'),
    dates ISO, booleans true/false, empty cells empty, text unchanged (so '97,75' typed as text is
    rejected by the CSV rules, as it would be in a CSV file)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        return _number_text(value) if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# =========================================================================== template
def write_template(path: str | Path, data_dir: str | Path | None = None, satker: str | None = None,
                   tahun: int | None = None) -> Path:
    """A data-entry workbook: a notes sheet, then one sheet per table (bold frozen header, a note per column,
    drop-down lists, number formats); with `satker` (and `tahun`) pre-filled with that unit's rows."""
    if Path(path).suffix.lower() != ".xlsx":
        raise ParameterError(f"Templat harus berakhiran .xlsx, bukan '{Path(path).name}'", "out", str(path))
    rows = _template_rows(data_dir, satker, tahun)
    wb = Workbook()
    _notes_sheet(wb.active)
    for name in TABLE_ORDER:
        _table_sheet(wb.create_sheet(name), TABLES[name], rows.get(name))
    _wide_sheet(wb.create_sheet(WIDE_SHEET, index=wb.sheetnames.index("iku_nilai")), rows.get("iku"),
                rows.get("iku_nilai"))
    for column, (list_name, sheet) in LINKED.items():
        letter = get_column_letter(list(TABLES[sheet].columns).index(column) + 1)
        wb.defined_names[list_name] = DefinedName(list_name, attr_text=f"{sheet}!${letter}$2:${letter}${LAST_ROW}")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _template_rows(data_dir, satker: str | None, tahun: int | None) -> dict[str, pd.DataFrame]:
    if satker is None:
        if tahun is not None:
            raise ParameterError("--tahun hanya berlaku bersama --satker", "tahun", tahun)
        return {}
    ds = load(data_dir, satker=satker)
    out = {}
    for name, frame in ds.tables.items():
        keep = frame["satker"] == satker
        if tahun is not None and _by_year(TABLES[name]):
            keep &= frame["tahun"] == int(tahun)
        out[name] = frame[keep.fillna(False).astype(bool)]
    return out


def _bounds(col: Col) -> str:
    return " dan ".join(b for b in (f">= {col.ge:g}" if col.ge is not None else "",
                                    f"<= {col.le:g}" if col.le is not None else "") if b)


def _column_note(name: str, col: Col) -> str:
    lines = [f"{name}: {KIND_LABELS[col.kind]}"]
    lines.append("boleh kosong (= tidak tersedia, bukan nol)" if col.nullable else "wajib diisi")
    if not col.required:
        lines.append("kolom opsional")
    if col.isin:
        lines.append("pilihan: " + ", ".join(col.isin))
    elif name in SUGGESTED:
        lines.append("mis. " + ", ".join(SUGGESTED[name]))
    if _bounds(col):
        lines.append("batas: " + _bounds(col))
    if col.kind == "money":
        lines.append("boleh negatif (pengembalian)" if col.negative else "tidak boleh negatif")
    if col.doc:
        lines.append(col.doc)
    return "\n".join(lines)


def _prompt(name: str, col: Col) -> str:
    """The input message Excel shows on a selected cell of the column (at most 255 characters)."""
    parts = [KIND_LABELS[col.kind] + ("" if col.nullable else ", wajib diisi")]
    if col.isin:
        parts.append("pilih dari daftar")
    elif name in LINKED:
        parts.append(f"pilih dari daftar (lembar {LINKED[name][1]})")
    if _bounds(col) and max(abs(b) for b in (col.ge, col.le) if b is not None) < 1e12:
        parts.append(_bounds(col))
    if col.kind in ("float", "money"):
        parts.append("ketik sebagai angka, di Excel berbahasa Indonesia mis. "
                     + ("97,75" if col.kind == "float" else "1.234.567"))
    if col.doc:
        parts.append(col.doc)
    text = "; ".join(parts)
    return text if len(text) <= 255 else text[:252].rstrip() + "..."


def _validation(name: str, col: Col, table: Table | None = None) -> DataValidation:
    """The data validation of one column: a drop-down for coded columns and for units and indicators (linked
    to their sheets), a number range for numbers; always with an input message."""
    dv = _rule(name, col, table)
    dv.showInputMessage = True
    dv.promptTitle = name[:32]
    dv.prompt = _prompt(name, col)
    return dv


def _rule(name: str, col: Col, table: Table | None) -> DataValidation:
    choices = col.isin or (BOOL_CHOICES if col.kind == "bool" else None)
    if choices:
        return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=name, error="Pilih salah satu: " + ", ".join(choices))
    if name in SUGGESTED:
        return DataValidation(type="list", formula1='"' + ",".join(SUGGESTED[name]) + '"', allow_blank=True,
                              showErrorMessage=False)
    if col.kind in ("int", "money", "float"):
        low = col.ge if col.ge is not None else (0 if col.kind == "money" and not col.negative else -MAX_RUPIAH)
        high = col.le if col.le is not None else MAX_RUPIAH
        whole = col.kind in ("int", "money")
        return DataValidation(type="whole" if whole else "decimal", operator="between",
                              formula1=_number_text(float(low)), formula2=_number_text(float(high)),
                              allow_blank=True, showErrorMessage=True, errorTitle=name,
                              error=f"{'Bilangan bulat' if whole else 'Angka'} antara {low:g} dan {high:g}")
    if name in LINKED and table is not None and table.name != LINKED[name][1]:
        # a suggestion, not a rule: a unit or indicator may exist in the data directory and not in this workbook
        return DataValidation(type="list", formula1=LINKED[name][0], allow_blank=True, showErrorMessage=False)
    return DataValidation(allow_blank=True)  # any value; carries the input message


def _write_typed(cell, value, col: Col | None) -> None:
    """A pre-filled value: numbers as numbers, dates as dates, text (and booleans) as text."""
    kind = col.kind if col is not None else "text"
    if kind in ("int", "money"):
        value = float(value)
        cell.value = int(value) if value.is_integer() else value
    elif kind == "float":
        cell.value = float(value)
    elif kind == "date":
        cell.value = value
    elif kind == "bool":
        _write_text(cell, "true" if value else "false")
    else:
        _write_text(cell, str(value))
    cell.number_format = NUMBER_FORMATS[kind]


def _table_sheet(ws, table: Table, rows: pd.DataFrame | None) -> None:
    rows = rows if rows is not None else pd.DataFrame(columns=list(table.columns))
    columns = list(table.columns) + [c for c in rows.columns if c not in table.columns and not c.startswith("_")]
    widths = [len(c) + 3 for c in columns]
    for j, name in enumerate(columns, start=1):
        col = table.columns.get(name)
        cell = ws.cell(row=1, column=j)
        _write_text(cell, name)
        cell.font = BOLD
        note = _column_note(name, col) if col is not None else f"{name}: kolom tambahan (teks)"
        cell.comment = Comment(note, "lakin", width=320, height=40 + 16 * note.count("\n") + len(note) // 3)
    for i, record in enumerate(rows[columns].itertuples(index=False), start=2):
        for j, (name, value) in enumerate(zip(columns, record), start=1):
            if is_na(value):
                continue
            _write_typed(ws.cell(row=i, column=j), value, table.columns.get(name))
            widths[j - 1] = max(widths[j - 1], min(len(str(value)) + 2, MAX_WIDTH))
    for j, name in enumerate(columns, start=1):
        letter = get_column_letter(j)
        col = table.columns.get(name)
        dim = ws.column_dimensions[letter]
        dim.number_format = NUMBER_FORMATS[col.kind if col is not None else "text"]
        dim.width = min(widths[j - 1], MAX_WIDTH)
        if col is not None:
            dv = _validation(name, col, table)
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _notes_sheet(ws) -> None:
    ws.title = NOTES_SHEET
    lines = [
        "Templat isian data lakin",
        "Satu lembar per tabel. Baris 1 adalah judul kolom: jangan diubah. Catatan tiap judul menjelaskan kolomnya.",
        "Sel kosong berarti tidak tersedia (N/A), bukan nol. Ketik angka sebagai angka, tanggal sebagai tanggal.",
        "Impor: lakin import BERKAS.xlsx --data DIREKTORI_DATA. Baris di lembar menggantikan semua baris tabel itu "
        "untuk (satker, tahun) yang sama; satker menggantikan baris satker yang sama. Lembar ini diabaikan.",
        f"Lembar {WIDE_SHEET}: target dan realisasi seperti tabel tercetak, satu baris per indikator, sepasang kolom "
        "per periode. Isi di sana atau di lembar iku_nilai (yang memuat kolom lainnya): nilai yang diubah di salah "
        "satu lembar dipakai; nilai yang diubah berbeda di kedua lembar ditolak.",
        "Angka diketik sebagai angka sesuai bahasa Excel Anda (Indonesia: 97,75 dan 1.234.567; Inggris: 97.75), "
        "pada sel berformat Angka, bukan Teks.",
    ]
    for i, text in enumerate(lines, start=1):
        _write_text(ws.cell(row=i, column=1), text)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    header = ("Tabel", "Kolom", "Jenis", "Isian", "Pilihan / batas", "Keterangan")
    start = len(lines) + 2
    for j, text in enumerate(header, start=1):
        _write_text(ws.cell(row=start, column=j), text)
        ws.cell(row=start, column=j).font = BOLD
    r = start + 1
    for name in TABLE_ORDER:
        table = TABLES[name]
        _write_text(ws.cell(row=r, column=1), name)
        ws.cell(row=r, column=1).font = BOLD
        _write_text(ws.cell(row=r, column=6), table.doc)
        r += 1
        for cname, col in table.columns.items():
            limits = ", ".join(col.isin) if col.isin else _bounds(col)
            values = (name, cname, KIND_LABELS[col.kind],
                      ("opsional, " if not col.required else "") + ("boleh kosong" if col.nullable else "wajib diisi"),
                      limits, col.doc)
            for j, text in enumerate(values, start=1):
                if text:
                    _write_text(ws.cell(row=r, column=j), text)
            r += 1
    for letter, width in zip("ABCDEF", (24, 24, 30, 24, 30, 80)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=start + 1, column=1)


# =========================================================================== reading a workbook
# What an import reads at most (docs/excel.md, "Batas ukuran"). The sizes are checked on the zip's directory
# before anything is decompressed (zipfile never inflates a part beyond its declared size), so a small file
# that would expand to gigabytes is refused at once; a cell may hold at most what Excel itself allows.
MAX_FILE_BYTES = 16 * 2**20  # the .xlsx file as stored
MAX_PART_BYTES = 16 * 2**20  # one part once decompressed: a sheet's XML, the shared strings
MAX_WORKBOOK_BYTES = 64 * 2**20  # every part together, decompressed
MAX_PARTS = 1_000  # files inside the .xlsx
MAX_CELL_CHARS = 32_767  # Excel's limit for the text of one cell
MAX_COLUMNS = 200  # columns with content in one sheet (the widest table has 14)
# A number that Excel holds as text because it was typed in another locale's form or into a Text cell
# ('97,75', '1.234,5', '1,234.50'): the CSV advice (write 97.75) does not fit a person typing in Excel.
_LOCALE_NUMBER = re.compile(r"^\s*[+-]?(?:\d[\d.]*,[\d.,]*\d|\d{1,3}(?:\.\d{3})+)\s*$")
EXCEL_NUMBER_ADVICE = (
    "angka, bukan teks: sel ini tersimpan sebagai teks. Ketik ulang sebagai angka mengikuti bahasa Excel Anda "
    "(Excel berbahasa Indonesia: 97,75 dan 1.234.567; berbahasa Inggris: 97.75 dan 1,234,567) pada sel "
    "berformat Angka, bukan Teks (Beranda > Angka), tanpa tanda petik di depan")


@dataclass
class SheetData:
    """One table's sheet: typed rows (as the CSV parser makes them) and the contract text of every cell."""

    table: Table
    label: str
    frame: pd.DataFrame  # _file = label, _line = Excel row
    texts: dict[int, dict[str, str]]  # Excel row -> column -> cell text
    complete: bool = True  # every row was read (issues, if any, are in single cells)


def _sheet_label(workbook: Path, sheet: str) -> str:
    return f"{workbook.name}, lembar {sheet}"


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",") + " MB"


def _size_issues(path: Path) -> list[DataIssue]:
    """Why the workbook is too large to read, judged before any part is decompressed; [] if it is not."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return [DataIssue(path.name, None, None, None,
                          f"workbook berukuran {_mb(size)}; batas impor {_mb(MAX_FILE_BYTES)} (bagi per satker/tahun)")]
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # not a zip: load_workbook says so
    issues = []
    if len(parts) > MAX_PARTS:
        issues.append(DataIssue(path.name, None, None, None,
                                f"workbook berisi {len(parts)} berkas internal; batas {MAX_PARTS}"))
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            what = "teks sel" if part.filename.endswith("sharedStrings.xml") else "isi"
            issues.append(DataIssue(f"{path.name}, bagian {part.filename}", None, None, None,
                                    f"{what} bagian ini {_mb(part.file_size)} setelah dibuka; batas "
                                    f"{_mb(MAX_PART_BYTES)} per bagian (sel atau lembar terlalu besar)"))
    total = sum(p.file_size for p in parts)
    if total > MAX_WORKBOOK_BYTES:
        issues.append(DataIssue(path.name, None, None, None,
                                f"isi workbook {_mb(total)} setelah dibuka; batas {_mb(MAX_WORKBOOK_BYTES)}"))
    return issues


def read_workbook(path: str | Path, issues: list[DataIssue]) -> dict[str, SheetData]:
    """Every table sheet of a workbook, parsed and validated like a CSV file; issues (sheet, Excel row,
    column) are appended to `issues`. Every sheet is read to its last row, whatever its declared
    dimension, and every problem of every sheet is reported (a cell that cannot be parsed is not reported
    again by the value checks). A sheet whose rows could not all be read has `complete` False."""
    path = Path(path)
    too_large = _size_issues(path)
    if too_large:
        issues.extend(too_large)
        return {}
    try:
        book = load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for files that are not xlsx
        issues.append(DataIssue(path.name, None, None, None,
                                f"bukan workbook Excel (.xlsx) yang dapat dibaca: {type(exc).__name__}: {exc}"))
        return {}
    sheets = {}
    try:
        uncached = _uncached_formulas(path)
        for ws in book.worksheets:
            label = _sheet_label(path, ws.title)
            if ws.title == NOTES_SHEET:
                continue
            if ws.title == WIDE_SHEET:
                wide = _read_wide(ws, label, issues)
                sheets[WIDE_SHEET] = wide or SheetData(TABLES["iku_nilai"], label, empty_table(TABLES["iku_nilai"]),
                                                       {}, complete=False)
                continue
            if ws.title not in TABLES:
                known = ", ".join(TABLE_ORDER)
                issues.append(DataIssue(label, None, None, None,
                                        f"lembar tidak dikenal: nama lembar harus nama tabel ({known}), "
                                        f"'{WIDE_SHEET}' atau '{NOTES_SHEET}'"))
                continue
            table = TABLES[ws.title]
            before = len(issues)
            sheet = _read_sheet(ws, table, label, uncached.get(ws.title, {}), issues)
            if sheet is None:
                sheets[ws.title] = SheetData(table, label, empty_table(table), {}, complete=False)
                continue
            found = issues[before:]
            lines = set(sheet.frame[LINE_COL].tolist())
            sheet.complete = all(i.row in lines for i in found)  # no row dropped (a cell issue keeps its row)
            cells = {(i.row, i.column) for i in found}
            rows = {i.row for i in found}
            for issue in validate_frame(sheet.frame, table):  # as lakin.data.load.read_table does
                if (issue.row, issue.column) in cells or (issue.column is None and issue.row in rows):
                    continue
                issues.append(issue)
            sheets[ws.title] = sheet
    finally:
        book.close()
    return sheets


def _sheet_cells(ws, label: str, issues: list[DataIssue],
                 typed_text: set | None = None) -> dict[int, dict[int, str]] | None:
    """The non-empty cells of a read-only sheet as contract text, Excel row -> column -> text; the
    (row, column) of cells Excel holds as text (not as numbers) are added to `typed_text`.

    openpyxl's read-only mode stops at the sheet's declared <dimension>, which a program (or a person)
    may have written wrong: the dimension is dropped so that every row is read. Rows are kept sparse, so
    a cell far down or far right costs nothing; oversized cells and too many columns are refused.
    """
    ws.reset_dimensions()
    rows: dict[int, dict[int, str]] = {}
    for row in ws.iter_rows(min_row=1, min_col=1):
        texts, r = {}, None
        for cell in row:
            if cell.value is None:
                continue
            r = cell.row
            text = cell_text(cell.value)
            if len(text) > MAX_CELL_CHARS:
                header = rows.get(1, {}).get(cell.column)
                issues.append(DataIssue(label, cell.row, header or get_column_letter(cell.column), text[:40] + "...",
                                        f"teks sel paling banyak {MAX_CELL_CHARS} karakter (batas Excel), "
                                        f"bukan {len(text)}"))
                continue
            if text.strip():
                texts[cell.column] = text
                if typed_text is not None and isinstance(cell.value, str):
                    typed_text.add((r, cell.column))
        if not texts:
            continue
        if max(texts) > MAX_COLUMNS:
            column = get_column_letter(max(texts))
            issues.append(DataIssue(label, r, column, None,
                                    f"paling banyak {MAX_COLUMNS} kolom berisi per lembar (kolom {column} terisi)"))
            return None
        rows[r] = texts
    return rows


def _read_sheet(ws, table: Table, label: str, uncached: dict, issues: list[DataIssue]) -> SheetData | None:
    typed_text: set[tuple[int, int]] = set()
    cells = _sheet_cells(ws, label, issues, typed_text)
    if cells is None:
        return None
    width = max((max(texts) for texts in cells.values()), default=0)
    header = [cells.get(1, {}).get(j, "").strip() for j in range(1, width + 1)]
    for (r, c), formula in sorted(uncached.items()):
        if r > 1 and c <= width and not cells.get(r, {}).get(c, "").strip():
            issues.append(DataIssue(label, r, header[c - 1], formula,
                                    "rumus tanpa nilai tersimpan: buka dan simpan ulang workbook di Excel, "
                                    "atau ketik nilainya"))
    # The CSV text holds the header and every row with content; record i of it is Excel row excel_rows[i]
    # (the CSV parser counts physical lines, and a cell may hold a line break: map them back).
    excel_rows = [1] + sorted(r for r in cells if r > 1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for r in excel_rows:
        writer.writerow([cells.get(r, {}).get(j, "") for j in range(1, width + 1)])
    text = buffer.getvalue() if width else ""
    reader = csv.reader(io.StringIO(text, newline=""))
    excel_row = {}
    for i, _ in enumerate(reader):
        excel_row[reader.line_num] = excel_rows[i]
    before = len(issues)
    frame = read_csv_text(text, label, table, issues)
    for issue in issues[before:]:
        if issue.row is not None:
            issue.row = excel_row.get(issue.row, issue.row)
        spec = table.columns.get(issue.column or "")
        if (spec is not None and spec.kind in ("int", "float", "money") and issue.column in header
                and (issue.row, header.index(issue.column) + 1) in typed_text
                and _LOCALE_NUMBER.match(str(issue.value or ""))):
            issue.expected = EXCEL_NUMBER_ADVICE
    if frame is None:
        return None
    frame[LINE_COL] = [excel_row[line] for line in frame[LINE_COL]]
    texts = {int(r): {h: cells[int(r)].get(j, "").strip() for j, h in enumerate(header, start=1)}
             for r in frame[LINE_COL]}
    return SheetData(table, label, frame, texts)


def _uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells per sheet, (row, column) -> formula; a formula whose result was never saved (a
    workbook written by a program) reads as empty and must be refused, not taken as N/A."""
    with zipfile.ZipFile(path) as archive:
        if not any(_FORMULA_TAG.search(archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/")):
            return {}
    book = load_workbook(path, data_only=False, read_only=True)
    try:
        found = {}
        for ws in book.worksheets:
            ws.reset_dimensions()
            found[ws.title] = {(c.row, c.column): str(c.value) for row in ws.iter_rows(min_row=1, min_col=1)
                               for c in row if getattr(c, "data_type", None) == "f"}
        return found
    finally:
        book.close()


# =========================================================================== the wide entry sheet
# `isian_iku`: the printed target/realisation table as an entry sheet, one row per indicator, one column pair
# per data period, beside the long `iku_nilai` sheet (which keeps the other columns). docs/excel.md, "isian_iku".
WIDE_SHEET = "isian_iku"
WIDE_KEYS = ("satker", "tahun", "kode")
WIDE_FIELDS = ("target", "realisasi")
WIDE_HEADER_ROW = 2  # row 1 names the periods, row 2 is the header read on import


def _wide_column(field_: str, periode: str) -> str:
    return f"{field_} {periode}"


def _wide_sheet(ws, iku: pd.DataFrame | None, nilai: pd.DataFrame | None) -> None:
    """One row per indicator (satker, tahun, kode, nama), then target and realisasi per period."""
    columns = [*WIDE_KEYS, "nama"] + [_wide_column(f, p) for p in DATA_PERIODS for f in WIDE_FIELDS]
    _write_text(ws.cell(row=1, column=1), "Target dan realisasi per periode (isi di sini atau di lembar iku_nilai)")
    ws.cell(row=1, column=1).font = BOLD
    for k, periode in enumerate(DATA_PERIODS):
        first = len(WIDE_KEYS) + 2 + 2 * k
        cell = ws.cell(row=1, column=first)
        _write_text(cell, f"{PERIOD_LABELS[periode]} ({periode})")
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 1)
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=WIDE_HEADER_ROW, column=j)
        _write_text(cell, name)
        cell.font = BOLD
    values: dict[tuple, dict] = {}
    if nilai is not None:
        for row in nilai.to_dict("records"):
            values[(row["satker"], int(row["tahun"]), row["kode"], row["periode"])] = row
    rows = iku.sort_values(["satker", "tahun"], kind="stable").to_dict("records") if iku is not None else []
    for i, row in enumerate(rows, start=WIDE_HEADER_ROW + 1):
        _write_text(ws.cell(row=i, column=1), row["satker"])
        ws.cell(row=i, column=2, value=int(row["tahun"])).number_format = "0"
        _write_text(ws.cell(row=i, column=3), str(row["kode"]))
        _write_text(ws.cell(row=i, column=4), "" if is_na(row.get("nama")) else str(row["nama"]))
        for k, periode in enumerate(DATA_PERIODS):
            found = values.get((row["satker"], int(row["tahun"]), row["kode"], periode), {})
            for m, field_ in enumerate(WIDE_FIELDS):
                cell = ws.cell(row=i, column=len(WIDE_KEYS) + 2 + 2 * k + m)
                cell.number_format = NUMBER_FORMATS["float"]
                if not is_na(found.get(field_)):
                    cell.value = float(found[field_])
    spec = TABLES["iku_nilai"].columns
    for j, name in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = {1: 20, 2: 8, 3: 10, 4: 48}.get(j, 12)
        col = spec.get(name.split(" ")[0]) if name != "nama" else None
        if col is None:
            continue
        dv = _validation(name.split(" ")[0], col, TABLES["iku_nilai"])
        dv.promptTitle = name[:32]
        dv.add(f"{letter}{WIDE_HEADER_ROW + 1}:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=WIDE_HEADER_ROW + 1, column=5)


def _read_wide(ws, label: str, issues: list[DataIssue]) -> SheetData | None:
    """The wide sheet as long iku_nilai rows (satker, tahun, kode, periode, target, realisasi), one per
    indicator and period; parsed and checked by the CSV rules, issues located at the wide sheet's cells."""
    cells = _sheet_cells(ws, label, issues)
    if cells is None:
        return None
    header = {j: t.strip() for j, t in cells.get(WIDE_HEADER_ROW, {}).items()}
    where = {name: j for j, name in header.items()}
    missing = [c for c in WIDE_KEYS if c not in where]
    if missing:
        issues.append(DataIssue(label, WIDE_HEADER_ROW, missing[0], None,
                                f"judul kolom {', '.join(WIDE_KEYS)} di baris {WIDE_HEADER_ROW} (jangan diubah)"))
        return None
    periods = [p for p in DATA_PERIODS if any(_wide_column(f, p) in where for f in WIDE_FIELDS)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*WIDE_KEYS, "periode", *WIDE_FIELDS])
    origin = {}  # CSV line -> (Excel row, periode)
    for r in sorted(x for x in cells if x > WIDE_HEADER_ROW):
        got = cells[r]
        keys = [got.get(where[c], "") for c in WIDE_KEYS]
        pairs = {p: [got.get(where.get(_wide_column(f, p), 0), "") for f in WIDE_FIELDS] for p in periods}
        if not any(v.strip() for v in keys) and not any(v.strip() for vs in pairs.values() for v in vs):
            continue
        for p in periods:
            writer.writerow([*keys, p, *pairs[p]])
            origin[len(origin) + 2] = (r, p)
    text = buffer.getvalue()
    if not origin:
        return SheetData(TABLES["iku_nilai"], label, empty_table(TABLES["iku_nilai"]), {})
    before = len(issues)
    frame = read_csv_text(text, label, TABLES["iku_nilai"], issues)  # one record per line: no line breaks
    found = issues[before:] + (validate_frame(frame, TABLES["iku_nilai"]) if frame is not None else [])
    del issues[before:]
    seen = set()
    for issue in found:
        if issue.row in origin:
            r, p = origin[issue.row]
            issue.row = r
            if issue.column in WIDE_FIELDS:
                issue.column = _wide_column(issue.column, p)
        if (issue.row, issue.column, str(issue.value)) not in seen:
            seen.add((issue.row, issue.column, str(issue.value)))
            issues.append(issue)
    if frame is None:
        return None
    frame[LINE_COL] = [origin[line][0] for line in frame[LINE_COL]]
    return SheetData(TABLES["iku_nilai"], label, frame, {}, complete=len(issues) == before)


def _equal(a, b) -> bool:
    """Two cell values are the same value (both N/A, or equal)."""
    if is_na(a) or is_na(b):
        return is_na(a) and is_na(b)
    return a == b


def _apply_wide(wide: SheetData, long: SheetData | None, existing: pd.DataFrame, label: str,
                issues: list[DataIssue]) -> SheetData | None:
    """The long iku_nilai sheet with the wide sheet's target/realisasi merged in.

    For each value: the same in both sheets, or changed (against the data directory) in one sheet only,
    is taken; changed differently in both is refused, naming both cells. A scope (satker, tahun) the long
    sheet does not hold is read from the data directory, so that the wide sheet alone can change it; a
    filled value without a row anywhere adds a row.
    """
    table = TABLES["iku_nilai"]
    key = list(table.key)
    wide = SheetData(table, wide.label, wide.frame[wide.frame[key].notna().all(axis=1)], {}, wide.complete)
    if long is None:
        long = SheetData(table, label, empty_table(table), {})
    frame = long.frame.copy()
    base = {_key(r, key): r for r in existing.to_dict("records")}
    in_long = _scope(long)
    wanted_scopes = set()
    for row in wide.frame.to_dict("records"):
        scope = (row["satker"], int(row["tahun"]))
        old = base.get(_key(row, key))
        if scope not in in_long and any(not _equal(row[f], old[f] if old else None) for f in WIDE_FIELDS):
            wanted_scopes.add(scope)
    if wanted_scopes and not existing.empty:
        pulled = existing[[(s, int(t)) in wanted_scopes if not is_na(t) else False
                           for s, t in zip(existing["satker"], existing["tahun"])]]
        frame = pd.concat([frame, pulled], ignore_index=True) if not frame.empty else pulled.reset_index(drop=True)
    index = {_key(r, key): i for i, r in zip(frame.index, frame.to_dict("records"))}
    added = []
    for row in wide.frame.to_dict("records"):
        k = _key(row, key)
        old = base.get(k)
        scope = (row["satker"], int(row["tahun"]))
        scope_open = scope in in_long or scope in wanted_scopes
        if k in index:
            i = index[k]
            for f in WIDE_FIELDS:
                w, v = row[f], frame.at[i, f]
                if _equal(w, v):
                    continue
                if old is not None and _equal(v, old[f]):
                    frame.at[i, f] = w
                    if frame.at[i, FILE_COL] == long.label:
                        long.texts[int(frame.at[i, LINE_COL])][f] = "" if is_na(w) else _number_text(float(w))
                elif (old is not None and _equal(w, old[f])) or (old is None and is_na(w)):
                    continue
                elif old is None and is_na(v):
                    frame.at[i, f] = w
                    if frame.at[i, FILE_COL] == long.label:
                        long.texts[int(frame.at[i, LINE_COL])][f] = _number_text(float(w))
                else:
                    issues.append(DataIssue(wide.label, int(row[LINE_COL]), _wide_column(f, row["periode"]),
                                            cell_text(w), f"berbeda dengan {frame.at[i, FILE_COL]}, baris "
                                            f"{int(frame.at[i, LINE_COL])}, kolom '{f}' ({cell_text(v)}): ubah "
                                            "nilai ini di satu lembar saja"))
        elif all(is_na(row[f]) for f in WIDE_FIELDS):
            continue
        elif old is not None and scope_open and all(_equal(row[f], old[f]) for f in WIDE_FIELDS):
            continue  # the long sheet deleted this row; the wide sheet did not change it
        elif old is not None and scope in in_long:
            issues.append(DataIssue(wide.label, int(row[LINE_COL]), _wide_column("target", row["periode"]), None,
                                    f"baris periode {row['periode']} dihapus di lembar iku_nilai tetapi diubah di "
                                    f"lembar {WIDE_SHEET}: ubah di satu lembar saja"))
        else:
            added.append(row)
    if added:
        new = pd.DataFrame(added)
        frame = pd.concat([frame, new[[c for c in new.columns if c in frame.columns]]], ignore_index=True)
    if frame.empty:
        return None
    return SheetData(table, long.label, frame, long.texts, long.complete and wide.complete)


# =========================================================================== importing
@dataclass
class ImportResult:
    """What an import changed."""

    workbook: Path
    data_dir: Path
    rows: dict[str, int] = field(default_factory=dict)  # rows read per table sheet
    scopes: dict[str, list] = field(default_factory=dict)  # (satker, tahun) pairs / satker slugs replaced
    written: list[Path] = field(default_factory=list)  # files written, relative to data_dir
    created: bool = False  # the data directory did not exist before the import

    def summary(self) -> str:
        """A short Indonesian report of the import."""
        lines = [f"Diimpor dari {self.workbook.name} ke {self.data_dir}"
                 + (" (direktori data baru dibuat):" if self.created else ":")]
        for name, count in self.rows.items():
            scope = ", ".join(f"{s} {t}" if isinstance(s, str) and t is not None else str(s)
                              for s, t in self.scopes.get(name, []))
            lines.append(f"  {name}: {count} baris" + (f" (menggantikan {scope})" if scope else ""))
        if self.written:
            lines.append("Berkas ditulis: " + ", ".join(str(p) for p in self.written))
        else:
            lines.append("Tidak ada berkas yang berubah.")
        return "\n".join(lines)


def import_workbook(path: str | Path, data_dir: str | Path | None = None) -> ImportResult:
    """Validate a filled workbook against the data contract (and, merged, against the existing data) and
    write the CSV tables; nothing is written when anything fails, and every problem is reported at once.

    Merge rule: the rows of a table sheet replace every existing row of that table with the same
    (satker, tahun); the `satker` sheet replaces the rows of the same slugs. Tables without a sheet, and
    sheets without rows, change nothing. A data directory that does not exist yet is created (once the
    workbook has validated) when it is named explicitly.
    """
    path = Path(path)
    explicit = data_dir is not None
    data_dir = find_data_dir(data_dir)
    if not path.is_file():
        raise ParameterError(f"Workbook '{path}' tidak ditemukan", "workbook", str(path))
    if data_dir.exists() and not data_dir.is_dir():
        raise ParameterError(f"'{data_dir}' bukan direktori: --data harus direktori data", "data", str(data_dir))
    if not data_dir.exists() and not explicit:
        raise NoDataError(f"Direktori data '{data_dir}' tidak ditemukan")
    issues: list[DataIssue] = []
    read = read_workbook(path, issues)
    if any(i.row is None and i.column is None and not i.file.startswith(f"{path.name}, lembar") for i in issues):
        raise DataValidationError(issues)  # the file itself could not be read: nothing to compare
    wide = read.pop(WIDE_SHEET, None)
    sheets = {n: s for n, s in read.items() if not s.frame.empty}
    invalid = {n for n, s in read.items() if not s.complete} | ({"iku_nilai"} if wide and not wide.complete else set())
    existing = {}
    for name in TABLE_ORDER:
        table = TABLES[name]
        if data_dir.is_dir() and table_files(data_dir, table):
            before = len(issues)
            existing[name] = read_table(data_dir, name, issues=issues)
            if len(issues) > before:
                invalid.add(name)
        else:
            existing[name] = empty_table(table)
            if table.required and name not in sheets:
                issues.append(DataIssue(table.file, None, None, None,
                                        f"tabel wajib '{name}' tidak ditemukan di {data_dir} maupun di workbook"))
                invalid.add(name)
    if wide is not None and not wide.frame.empty:
        long = _apply_wide(wide, read.get("iku_nilai"), existing["iku_nilai"], _sheet_label(path, "iku_nilai"), issues)
        if long is not None:
            sheets["iku_nilai"] = long
    masks = {name: _replaced(existing[name], sheet) for name, sheet in sheets.items()}
    merged = dict(existing)
    for name, sheet in sheets.items():
        kept = existing[name][~masks[name]]
        merged[name] = pd.concat([kept, sheet.frame], ignore_index=True) if not kept.empty else sheet.frame.copy()
    # Cross-table rules on the merged data, even when some cells failed: a rule skips only the tables whose
    # rows could not all be read, and a cell already reported is not reported again as a dangling reference.
    references: list[DataIssue] = []
    _check_references(Dataset(data_dir=data_dir, tables=merged, invalid=frozenset(invalid)), references)
    reported = {(i.file, i.row, i.column) for i in issues}
    issues.extend(i for i in references if (i.file, i.row, i.column) not in reported)
    if issues:
        raise DataValidationError(issues)
    slugs = set(merged["satker"]["satker"])
    contents: dict[Path, bytes] = {}
    for name, sheet in sheets.items():
        contents.update(_table_files(data_dir, sheet, existing[name], masks[name], slugs))
    new_dir = not data_dir.exists()
    written = _commit(contents, data_dir)
    result = ImportResult(path, data_dir, written=[p.relative_to(data_dir) for p in written],
                          created=new_dir and data_dir.exists())
    for name, sheet in sheets.items():
        result.rows[name] = len(sheet.frame)
        result.scopes[name] = sorted(_scope(sheet), key=str)
    return result


def _by_year(table: Table) -> bool:
    """Whether a table's rows are replaced per (satker, tahun); otherwise per satker."""
    return table.per_satker and "tahun" in table.columns


def _scope(sheet: SheetData) -> set[tuple]:
    frame = sheet.frame
    if _by_year(sheet.table):
        return {(s, int(t)) for s, t in zip(frame["satker"], frame["tahun"]) if not (is_na(s) or is_na(t))}
    return {(s, None) for s in frame["satker"] if not is_na(s)}


def _replaced(existing: pd.DataFrame, sheet: SheetData) -> pd.Series:
    """Which existing rows the sheet replaces (same satker and tahun; for satker.csv, the same slug)."""
    scope = _scope(sheet)
    if existing.empty:
        return pd.Series([], dtype=bool)
    if _by_year(sheet.table):
        keys = zip(existing["satker"], existing["tahun"])
        return pd.Series([not is_na(t) and (s, int(t)) in scope for s, t in keys], index=existing.index)
    return existing["satker"].isin({s for s, _ in scope})


def _key(row, columns) -> tuple:
    return tuple(None if is_na(row[c]) else (int(row[c]) if isinstance(row[c], numbers.Integral) else row[c])
                 for c in columns)


def _same(a, b) -> bool:
    if is_na(a) or is_na(b):
        return is_na(a) and is_na(b)
    return a == b


@dataclass
class _CsvFile:
    """An existing CSV file as text: header, records by line number, line ending, BOM."""

    header: list[str]
    records: dict[int, list[str]]
    terminator: str = "\n"
    bom: bool = False
    raw: bytes = b""


def _read_raw(path: Path) -> _CsvFile:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]  # as lakin.data.load reads it
    records = {}
    for record in reader:
        if record and any(c.strip() for c in record):
            records[reader.line_num] = record
    return _CsvFile(header, records, "\r\n" if b"\r\n" in raw else "\n", raw.startswith(b"\xef\xbb\xbf"), raw)


def _default_file(data_dir: Path, table: Table, satker: str, slugs: set[str]) -> str:
    """Where new rows of a satker go: its own file in the table's folder, else the single CSV."""
    if not table.per_satker:
        return table.file
    if not re.match(SATKER_PATTERN, satker):  # validated already; never let a value become a path otherwise
        raise ParameterError(f"satker {satker!r} tidak sah sebagai nama berkas", "satker", satker)
    own = str(Path(table.name) / f"{satker}.csv")
    folder = data_dir / table.name
    owned = [_label(p, data_dir) for p in sorted(folder.glob("*.csv"))
             if _file_owner(p.stem, slugs) == satker] if folder.is_dir() else []
    if own in owned:
        return own
    if owned:
        return owned[0]
    if (data_dir / table.file).is_file():
        return table.file
    return own


def _table_files(data_dir: Path, sheet: SheetData, existing: pd.DataFrame, replaced: pd.Series,
                 slugs: set[str]) -> dict[Path, bytes]:
    """The new text of every file of one table that the sheet changes.

    A sheet row whose key exists takes that row's place (same file, same line: a satker split over several
    files keeps its split); a replaced row whose key is not in the sheet is dropped; rows with new keys go
    after the last replaced row of the file, or to the satker's own file. A cell whose value did not change
    keeps its original spelling (100.00 stays 100.00), so an unchanged workbook rewrites nothing.
    """
    table = sheet.table
    old_rows = (existing[replaced] if not existing.empty else existing).to_dict("records")
    by_key = {_key(r, table.key): r for r in old_rows}
    removed = {(r[FILE_COL], int(r[LINE_COL])) for r in old_rows}
    assigned: dict[str, list] = {}
    for row in sheet.frame.to_dict("records"):
        old = by_key.get(_key(row, table.key))
        label = old[FILE_COL] if old is not None else _default_file(data_dir, table, row["satker"], slugs)
        assigned.setdefault(label, []).append((row, old))
    out = {}
    for label in sorted(set(assigned) | {f for f, _ in removed}):
        target = data_dir / label
        old_file = _read_raw(target) if target.is_file() else None
        rows = assigned.get(label, [])
        header = list(old_file.header) if old_file else [c for c, spec in table.columns.items() if spec.required]
        for c in list(table.columns) + list(sheet.frame.columns):
            if c not in header and not c.startswith("_") and any(_row_texts(sheet, r).get(c) for r, _ in rows):
                header.append(c)
        in_place = {int(old[LINE_COL]): _record(row, old, header, sheet, old_file)
                    for row, old in rows if old is not None}
        added = [_record(row, None, header, sheet, old_file) for row, old in rows if old is None]
        records, last = [], None
        for line, record in (old_file.records.items() if old_file else []):
            if (label, line) in removed:
                if line in in_place:
                    records.append(in_place[line])
                last = len(records)
                continue
            records.append((record + [""] * len(header))[:len(header)])
        at = len(records) if last is None else last
        records[at:at] = added
        if old_file is not None and header == old_file.header and records == list(old_file.records.values()):
            continue  # same cells: the file keeps its own quoting and spelling
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=old_file.terminator if old_file else "\n")
        writer.writerow(header)
        writer.writerows(records)
        data = (b"\xef\xbb\xbf" if old_file and old_file.bom else b"") + buffer.getvalue().encode("utf-8")
        if old_file is None or data != old_file.raw:
            out[target] = data
    return out


def _row_texts(sheet: SheetData, row) -> dict[str, str]:
    """The contract text of a row's cells: as typed in the sheet, or (a row taken from the data directory
    or from the wide sheet) written from its values."""
    if row[FILE_COL] == sheet.label and int(row[LINE_COL]) in sheet.texts:
        return sheet.texts[int(row[LINE_COL])]
    return {c: _value_text(v) for c, v in row.items() if not c.startswith("_")}


def _value_text(value) -> str:
    if is_na(value):
        return ""
    if isinstance(value, float):
        return _number_text(value)
    return cell_text(value)


def _record(row, old, header: list[str], sheet: SheetData, old_file: _CsvFile | None) -> list[str]:
    texts = _row_texts(sheet, row)
    record = []
    for c in header:
        text = texts.get(c, "")
        if old is not None and old_file is not None and c in old_file.header and c in row and c in old \
                and _same(row[c], old[c]):
            text = old_file.records[int(old[LINE_COL])][old_file.header.index(c)]
        record.append(text)
    return record


def _commit(contents: dict[Path, bytes], data_dir: Path) -> list[Path]:
    """Write every file into a temporary folder of the data directory first, then move each into place;
    if a move fails, the files already moved are restored."""
    if not contents:
        return []
    new_dir = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=data_dir))
    done: list[tuple[Path, Path | None]] = []
    try:
        staged = []
        for i, (target, data) in enumerate(contents.items()):
            tmp = stage / f"{i}.csv"
            tmp.write_bytes(data)
            staged.append((target, tmp))
        for i, (target, tmp) in enumerate(staged):
            backup = None
            if target.exists():
                backup = stage / f"{i}.lama"
                shutil.copy2(target, backup)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        shutil.rmtree(stage, ignore_errors=True)
        if new_dir:  # created by this import: remove the folders it made, if they are empty
            for folder in [*sorted(data_dir.rglob("*"), reverse=True), data_dir]:
                if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
                    folder.rmdir()
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [target for target, _ in done]


# =========================================================================== the report's tables
_DISPLAY_NUMBER = re.compile(
    r"^(?P<sign>[+-])?(?P<rp>Rp\s?)?(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d+))?(?P<pct>\s?%)?$")
_FORBIDDEN_SHEET = re.compile(r"[\[\]:*?/\\]")


def parse_display_number(text: str) -> tuple[int | float, str] | None:
    """(number, Excel number format) of a number displayed in Indonesian form, or None for real text.

    '1.460.129.563' -> 1460129563 '#,##0'; '27,26' -> 27.26 '#,##0.00'; 'Rp6.173.055.000' -> 6173055000
    '"Rp"#,##0'; '109,16%' -> 109.16 '#,##0.00"%"' (the number as printed, the % sign in the format, not
    1.0916); '+3,67' keeps its sign in the format. Digit strings without separators of four or more
    digits, or with a leading zero (years, codes such as 2024, 4787, 015), stay text.
    """
    m = _DISPLAY_NUMBER.match(text.strip())
    if not m:
        return None
    whole, dec = m["int"], m["dec"]
    plain = "." not in whole and dec is None and not (m["rp"] or m["pct"] or m["sign"])
    if plain and (len(whole) >= 4 or (len(whole) > 1 and whole.startswith("0"))):
        return None
    value = Decimal(whole.replace(".", "") + (f".{dec}" if dec else ""))
    number: int | float = int(value) if dec is None else float(value)
    if m["sign"] == "-":
        number = -number
    core = "#,##0" + ("." + "0" * len(dec) if dec else "")
    if m["rp"]:
        core = '"Rp"' + core
    if m["pct"]:
        core += '"%"'
    return number, (f"+{core};-{core};{core}" if m["sign"] == "+" else core)


def _sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, no leading/trailing apostrophe, at most 31 characters."""
    base = _FORBIDDEN_SHEET.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", str(title))).strip().strip("'").strip() or "Tabel"
    if base.lower() == "history":  # reserved by Excel
        base = "History (tabel)"
    name, n = base[:31], 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[:31 - len(suffix)].rstrip() + suffix
    taken.add(name.lower())
    return name


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(p) for p in c if str(p) and not str(p).startswith("Unnamed"))
                         for c in frame.columns]
    named = isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None
    return frame.reset_index(drop=not named)


@dataclass(frozen=True)
class ReportTable:
    """One table of a report as printed: its number ("Tabel 3.2"), its caption and its display cells."""

    number: str
    caption: str
    frame: pd.DataFrame


_PRINTED_CAPTION = re.compile(r"^: (?P<number>Tabel \S+) (?P<caption>.*)$", re.M)


def notebook_tables(notebooks: Iterable[Path | str], meta=None) -> list[ReportTable]:
    """Every table the executed chapters displayed, with the number the rendered report prints for it.

    The numbers come from lakin.pipeline.render's own assembly of the same notebooks (and `meta`, a
    lakin.pipeline.render.ReportMeta: its outline groups and numbers the chapters, its foreword comes first), run
    on copies without figures so that no image is drawn; each table is paired with its printed caption in
    print order. A table the assembly does not print keeps no number and is listed as "Tabel" + its rank.
    """
    # heavy (nbformat, the renderer): imported only by the build, not by `lakin template` / `lakin import`
    import nbformat

    from lakin.pipeline.render import assemble
    from lakin.present.show import escape_md

    shown: list[tuple[str, pd.DataFrame]] = []
    with tempfile.TemporaryDirectory(prefix=TMP_PREFIX) as tmp:
        copies = []
        for path in notebooks:
            nb = nbformat.read(str(path), as_version=4)
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                kept = []
                for out in cell.get("outputs", []):
                    meta_out = (out.get("metadata") or {}).get("lakin") or {}
                    if meta_out.get("kind") == "table" and "columns" in meta_out:
                        shown.append((str(meta_out.get("caption") or ""),
                                      pd.DataFrame(meta_out["data"], columns=meta_out["columns"])))
                    if "text/markdown" in (out.get("data") or {}) and meta_out.get("kind") != "figure":
                        kept.append(out)
                cell.outputs = kept
            copies.append(Path(tmp) / Path(path).name)
            nbformat.write(nb, str(copies[-1]))
        printed = [(m["number"], m["caption"])
                   for m in _PRINTED_CAPTION.finditer(assemble(copies, Path(tmp) / "media", meta).markdown)]
    tables, at = [], 0
    for rank, (caption, frame) in enumerate(shown, start=1):
        want = escape_md(caption)
        found = next((i for i in range(at, len(printed)) if printed[i][1] == want), None)
        number = f"Tabel {rank}"
        if found is not None:
            number, at = printed[found][0], found + 1
        tables.append(ReportTable(number, caption, frame))
    return tables


def _report_value(value):
    """(value, kind, display text) of one report cell; kind is None (empty), 'text' or 'number', and a
    number's display also gives its decimals, unit ('Rp', '%') and sign: see _Number."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if is_na(value):
        return None, None, ""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return str(bool(value)), "text", str(bool(value))
    if isinstance(value, numbers.Integral):
        return _Number(int(value), 0), "number", f"{int(value):,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            return None, None, ""
        return _Number(value, 0 if value.is_integer() else 2), "number", f"{value:,.2f}"
    if isinstance(value, (datetime, date)):
        return value, "date", "00/00/0000"
    text = str(value)
    if not text.strip():
        return None, None, ""
    m = _DISPLAY_NUMBER.match(text.strip())
    if parse_display_number(text) is not None and m:
        number = parse_display_number(text)[0]
        unit = "Rp" if m["rp"] else ("%" if m["pct"] else "")
        return _Number(number, len(m["dec"] or ""), unit, m["sign"] == "+"), "number", text
    return text, "text", text


@dataclass(frozen=True)
class _Number:
    value: int | float
    decimals: int
    unit: str = ""
    signed: bool = False


def _column_format(numbers_: list[_Number], header: str) -> tuple[str, str]:
    """(the one number format, the unit) of a column: the most decimals any cell shows, the unit all its
    numbers share, an explicit + when any cell shows one; whole numbers in a *tahun* column as 0."""
    decimals = max((n.decimals for n in numbers_), default=0)
    units = {n.unit for n in numbers_}
    unit = units.pop() if len(units) == 1 else ""
    if "tahun" in header.lower() and decimals == 0 and not unit:
        return "0", unit
    core = "#,##0" + ("." + "0" * decimals if decimals else "")
    if any(n.signed for n in numbers_):
        return f"+{core};-{core};{core}", unit
    return core, unit


UNIT_LABELS = {"Rp": "(Rp)", "%": "(%)"}
INDEX_SHEET = "Daftar Tabel"
LINK = Font(color="0563C1", underline="single")


def write_report_workbook(tables: dict[str, pd.DataFrame] | Iterable[ReportTable], path: str | Path,
                          title: str | None = None) -> Path:
    """The report's tables as a workbook, written atomically: a "Daftar Tabel" sheet (table numbers
    linked to their sheets, captions, row counts), then one sheet per table named by its number
    ("Tabel 3.2"), holding the caption, the header, a unit row and the cells.

    `tables` is a list of ReportTable (notebook_tables) or a dict caption -> frame (numbered 1, 2, ...).
    Numbers are numbers: numeric values and Indonesian display strings ('1.460.129.563', '27,26',
    'Rp6.173.055.000', '109,16%') become numeric cells, the printed number (109.16 for 109,16%), with one
    number format per column (as many decimals as the column prints) and the unit (Rp, %) in the unit row.
    'N/A' and other text stay text; text that Excel could read as a formula (starting with =, +, -, @, tab
    or CR) is stored as a quote-prefixed string and never evaluated. Every sheet prints fitted to the
    page width, on A4, with its header repeated on each page.
    """
    if isinstance(tables, dict):
        tables = [ReportTable(f"Tabel {i}", str(caption), frame)
                  for i, (caption, frame) in enumerate(tables.items(), start=1)]
    tables = list(tables)
    wb = Workbook()
    index = wb.active
    index.title = INDEX_SHEET
    taken: set[str] = {INDEX_SHEET.lower()}
    names = []
    for table in tables:
        name = _sheet_name(table.number, taken)
        names.append(name)
        _report_sheet(wb.create_sheet(name), table, _flat(table.frame))
    _index_sheet(index, tables, names, title)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _print_setup(ws, columns: int, title_rows: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if columns > 5 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _index_sheet(ws, tables: list[ReportTable], names: list[str], title: str | None) -> None:
    _write_text(ws["A1"], INDEX_SHEET + (f" - {title}" if title else ""))
    ws["A1"].font = Font(bold=True, size=13)
    for j, text in enumerate(("Nomor", "Judul", "Baris"), start=1):
        _write_text(ws.cell(row=3, column=j), text)
        ws.cell(row=3, column=j).font = BOLD
    for i, (table, name) in enumerate(zip(tables, names), start=4):
        link = ws.cell(row=i, column=1)
        _write_text(link, table.number)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1", tooltip=table.caption[:250])
        link.font = LINK
        _write_text(ws.cell(row=i, column=2), table.caption)
        ws.cell(row=i, column=3, value=int(len(table.frame))).number_format = "0"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = min(max([len(t.caption) for t in tables] + [20]) + 2, 100)
    ws.column_dimensions["C"].width = 8
    ws.freeze_panes = "A4"
    _print_setup(ws, 3, "3:3")


def _report_sheet(ws, table: ReportTable, frame: pd.DataFrame) -> None:
    """Row 1 the caption, row 2 the header, row 3 the units, the cells from row 4."""
    caption = ws.cell(row=1, column=1)
    _write_text(caption, f"{table.number} {table.caption}".strip())
    caption.font = Font(bold=True, size=12)
    headers = [str(c) for c in frame.columns]
    for j, name in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=j)
        _write_text(cell, name)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells = [_report_value(v) for v in frame.iloc[:, j - 1].tolist()]
        fmt, unit = _column_format([v for v, kind, _ in cells if kind == "number"], name)
        if unit:
            _write_text(ws.cell(row=3, column=j), UNIT_LABELS[unit])
            ws.cell(row=3, column=j).alignment = Alignment(horizontal="right")
        width = len(name) + 2
        for i, (value, kind, shown) in enumerate(cells, start=4):
            if kind is None:
                continue
            cell = ws.cell(row=i, column=j)
            if kind == "text":
                _write_text(cell, value)
            elif kind == "date":
                cell.value = value
                cell.number_format = "dd/mm/yyyy"
            else:
                cell.value = value.value
                cell.number_format = fmt
            width = max(width, len(shown) + 2)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6), MAX_WIDTH)
    ws.freeze_panes = "A4"
    _print_setup(ws, len(headers), "2:3")
