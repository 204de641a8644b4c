"""Excel in and out: the data-entry template, importing a filled workbook into the CSV tables, and the
workbook of a report's tables.

The template and the importer are driven by `lakin.schemas.TABLES`; the importer turns every typed cell
into the data contract's text form and hands it to the CSV parser and validator of `lakin.data`, so a
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

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .atomic import TMP_PREFIX, atomic_path
from .data import (
    FILE_COL, LINE_COL, Dataset, _check_references, _file_owner, _label, empty_table, find_data_dir, load,
    read_csv_text, read_table, table_files, validate_frame,
)
from .errors import DataIssue, DataValidationError, NoDataError, ParameterError
from .fmt import is_na
from .schemas import MAX_RUPIAH, SATKER_PATTERN, TABLE_ORDER, TABLES, Col, Table

__all__ = [
    "ImportResult", "NOTES_SHEET", "cell_text", "import_workbook", "parse_display_number", "read_workbook",
    "write_report_workbook", "write_template",
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
        if tahun is not None and TABLES[name].per_satker:
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


def _validation(name: str, col: Col) -> DataValidation | None:
    """The data validation of one column: a drop-down for coded columns, a number range for numbers."""
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
    return None


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
        dv = _validation(name, col) if col is not None else None
        if dv is not None:
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
@dataclass
class SheetData:
    """One table's sheet: typed rows (as the CSV parser makes them) and the contract text of every cell."""

    table: Table
    label: str
    frame: pd.DataFrame  # _file = label, _line = Excel row
    texts: dict[int, dict[str, str]]  # Excel row -> column -> cell text


def _sheet_label(workbook: Path, sheet: str) -> str:
    return f"{workbook.name}, lembar {sheet}"


def read_workbook(path: str | Path, issues: list[DataIssue]) -> dict[str, SheetData]:
    """Every table sheet of a workbook, parsed and validated like a CSV file; issues (sheet, Excel row,
    column) are appended to `issues`."""
    path = Path(path)
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
            if ws.title not in TABLES:
                known = ", ".join(TABLE_ORDER)
                issues.append(DataIssue(label, None, None, None, f"lembar tidak dikenal: nama lembar harus nama "
                                                                 f"tabel ({known}) atau '{NOTES_SHEET}'"))
                continue
            before = len(issues)
            sheet = _read_sheet(ws, TABLES[ws.title], label, uncached.get(ws.title, {}), issues)
            if sheet is not None and len(issues) == before:
                issues.extend(validate_frame(sheet.frame, sheet.table))
                sheets[ws.title] = sheet
    finally:
        book.close()
    return sheets


def _read_sheet(ws, table: Table, label: str, uncached: dict, issues: list[DataIssue]) -> SheetData | None:
    rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    width = max((j + 1 for row in rows for j, t in enumerate(row) if t.strip()), default=0)
    rows = [(row + [""] * width)[:width] for row in rows]
    while rows and not any(t.strip() for t in rows[-1]):
        rows.pop()
    header = [h.strip() for h in rows[0]] if rows else []
    for (r, c), formula in sorted(uncached.items()):
        if r > 1 and c <= len(header) and (r > len(rows) or not rows[r - 1][c - 1].strip()):
            issues.append(DataIssue(label, r, header[c - 1], formula,
                                    "rumus tanpa nilai tersimpan: buka dan simpan ulang workbook di Excel, "
                                    "atau ketik nilainya"))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    # The CSV parser counts physical lines; map them back to Excel rows (a cell may hold a line break).
    reader = csv.reader(io.StringIO(text, newline=""))
    excel_row = {}
    for i, _ in enumerate(reader, start=1):
        excel_row[reader.line_num] = i
    before = len(issues)
    frame = read_csv_text(text, label, table, issues)
    for issue in issues[before:]:
        if issue.row is not None:
            issue.row = excel_row.get(issue.row, issue.row)
    if frame is None:
        return None
    frame[LINE_COL] = [excel_row[line] for line in frame[LINE_COL]]
    texts = {int(r): dict(zip(header, (t.strip() for t in rows[r - 1]))) for r in frame[LINE_COL]}
    return SheetData(table, label, frame, texts)


def _uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells per sheet, (row, column) -> formula; a formula whose result was never saved (a
    workbook written by a program) reads as empty and must be refused, not taken as N/A."""
    with zipfile.ZipFile(path) as archive:
        if not any(_FORMULA_TAG.search(archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/")):
            return {}
    book = load_workbook(path, data_only=False, read_only=True)
    try:
        return {ws.title: {(c.row, c.column): str(c.value) for row in ws.iter_rows() for c in row
                           if getattr(c, "data_type", None) == "f"} for ws in book.worksheets}
    finally:
        book.close()


# =========================================================================== importing
@dataclass
class ImportResult:
    """What an import changed."""

    workbook: Path
    data_dir: Path
    rows: dict[str, int] = field(default_factory=dict)  # rows read per table sheet
    scopes: dict[str, list] = field(default_factory=dict)  # (satker, tahun) pairs / satker slugs replaced
    written: list[Path] = field(default_factory=list)  # files written, relative to data_dir

    def summary(self) -> str:
        """A short Indonesian report of the import."""
        lines = [f"Diimpor dari {self.workbook.name} ke {self.data_dir}:"]
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
    write the CSV tables; nothing is written when anything fails.

    Merge rule: the rows of a table sheet replace every existing row of that table with the same
    (satker, tahun); the `satker` sheet replaces the rows of the same slugs. Tables without a sheet, and
    sheets without rows, change nothing.
    """
    path = Path(path)
    data_dir = find_data_dir(data_dir)
    if not path.is_file():
        raise ParameterError(f"Workbook '{path}' tidak ditemukan", "workbook", str(path))
    if not data_dir.is_dir():
        raise NoDataError(f"Direktori data '{data_dir}' tidak ditemukan")
    issues: list[DataIssue] = []
    sheets = {n: s for n, s in read_workbook(path, issues).items() if not s.frame.empty}
    if issues:  # the workbook's own problems first; the data directory is read once they are fixed
        raise DataValidationError(issues)
    existing = {}
    for name in TABLE_ORDER:
        table = TABLES[name]
        if table_files(data_dir, table):
            existing[name] = read_table(data_dir, name, issues=issues)
        else:
            existing[name] = empty_table(table)
            if table.required and name not in sheets:
                issues.append(DataIssue(table.file, None, None, None,
                                        f"tabel wajib '{name}' tidak ditemukan di {data_dir} maupun di workbook"))
    if issues:
        raise DataValidationError(issues)
    masks = {name: _replaced(existing[name], sheet) for name, sheet in sheets.items()}
    merged = dict(existing)
    for name, sheet in sheets.items():
        kept = existing[name][~masks[name]]
        merged[name] = pd.concat([kept, sheet.frame], ignore_index=True) if not kept.empty else sheet.frame.copy()
    _check_references(Dataset(data_dir=data_dir, tables=merged), issues)
    if issues:
        raise DataValidationError(issues)
    slugs = set(merged["satker"]["satker"])
    contents: dict[Path, bytes] = {}
    for name, sheet in sheets.items():
        contents.update(_table_files(data_dir, sheet, existing[name], masks[name], slugs))
    written = _commit(contents, data_dir)
    result = ImportResult(path, data_dir, written=[p.relative_to(data_dir) for p in written])
    for name, sheet in sheets.items():
        result.rows[name] = len(sheet.frame)
        result.scopes[name] = sorted(_scope(sheet), key=str)
    return result


def _scope(sheet: SheetData) -> set[tuple]:
    frame = sheet.frame
    if sheet.table.per_satker:
        return {(s, int(t)) for s, t in zip(frame["satker"], frame["tahun"])}
    return {(s, None) for s in frame["satker"]}


def _replaced(existing: pd.DataFrame, sheet: SheetData) -> pd.Series:
    """Which existing rows the sheet replaces (same satker and tahun; for satker.csv, the same slug)."""
    scope = _scope(sheet)
    if existing.empty:
        return pd.Series([], dtype=bool)
    if sheet.table.per_satker:
        keys = zip(existing["satker"], existing["tahun"])
        return pd.Series([(s, int(t)) in scope for s, t in keys], index=existing.index)
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
    header = [h.strip() for h in next(reader, [])]  # as lakin.data reads it
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
            if c not in header and not c.startswith("_") and any(sheet.texts[int(r[LINE_COL])].get(c) for r, _ in rows):
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
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=old_file.terminator if old_file else "\n")
        writer.writerow(header)
        writer.writerows(records)
        data = (b"\xef\xbb\xbf" if old_file and old_file.bom else b"") + buffer.getvalue().encode("utf-8")
        if old_file is None or data != old_file.raw:
            out[target] = data
    return out


def _record(row, old, header: list[str], sheet: SheetData, old_file: _CsvFile | None) -> list[str]:
    texts = sheet.texts[int(row[LINE_COL])]
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


def _report_value(value):
    """(value, number format or marker, display text) of one report cell."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if is_na(value):
        return None, None, ""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return bool(value), None, str(bool(value))
    if isinstance(value, numbers.Integral):
        return int(value), "int", f"{int(value):,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            return None, None, ""
        return value, "float", f"{value:,.2f}"
    if isinstance(value, (datetime, date)):
        return value, "dd/mm/yyyy", "00/00/0000"
    text = str(value)
    if not text.strip():
        return None, None, ""
    parsed = parse_display_number(text)
    if parsed is not None:
        return parsed[0], parsed[1], text
    return text, "text", text


def write_report_workbook(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """The report's tables as a workbook, one sheet per table, written atomically.

    Numbers are numbers: numeric values and Indonesian display strings ('1.460.129.563', '27,26',
    'Rp6.173.055.000', '109,16%') become numeric cells with formats that show them the same way
    (#,##0 for whole amounts, #,##0.00 for indices; a percentage keeps the printed number, 109.16, with a
    literal % in its format). 'N/A' and other text stay text; text that Excel could read as a formula
    (starting with =, +, -, @, tab or CR) is stored as a quote-prefixed string and never evaluated.
    """
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for title, frame in tables.items():
        _report_sheet(wb.create_sheet(_sheet_name(title, taken)), _flat(frame))
    if not wb.worksheets:
        wb.create_sheet("Tabel")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def _report_sheet(ws, frame: pd.DataFrame) -> None:
    headers = [str(c) for c in frame.columns]
    for j, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=j)
        _write_text(cell, name)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, name in enumerate(headers, start=1):
        cells = [_report_value(v) for v in frame.iloc[:, j - 1].tolist()]
        decimals = any(f == "float" and not float(v).is_integer() for v, f, _ in cells)
        whole = "0" if "tahun" in name.lower() else "#,##0"
        width = len(name) + 2
        for i, (value, fmt, shown) in enumerate(cells, start=2):
            if value is None:
                continue
            cell = ws.cell(row=i, column=j)
            if fmt == "text":
                _write_text(cell, value)
            else:
                cell.value = value
                if fmt in ("int", "float"):
                    cell.number_format = "#,##0.00" if decimals else whole
                elif fmt is not None:
                    cell.number_format = fmt
            width = max(width, len(shown) + 2)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6), MAX_WIDTH)
    ws.freeze_panes = "A2"
