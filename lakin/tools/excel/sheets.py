"""Reading one sheet of a workbook (size limits, its cells as contract text, parsed and located like a CSV file)
and which existing rows its rows replace."""

from __future__ import annotations

import csv
import io
import numbers
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from lakin.data.load import LINE_COL, read_csv_text
from lakin.data.schemas import Table
from lakin.errors import DataIssue
from lakin.tools.excel.cells import cell_text
from lakin.values import is_na

__all__ = [
    "EXCEL_NUMBER_ADVICE", "MAX_CELL_CHARS", "MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_PARTS", "MAX_PART_BYTES",
    "MAX_WORKBOOK_BYTES", "SheetData", "by_year", "read_sheet", "replaced", "row_key", "scope", "sheet_cells",
    "sheet_label", "size_issues", "uncached_formulas",
]

_FORMULA_TAG = re.compile(rb"<(\w+:)?f[\s>/]")

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


def sheet_label(workbook: Path, sheet: str) -> str:
    """Where a sheet's issues are located: 'isian.xlsx, lembar iku'."""
    return f"{workbook.name}, lembar {sheet}"


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",") + " MB"


def size_issues(path: Path) -> list[DataIssue]:
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


def sheet_cells(ws, label: str, issues: list[DataIssue],
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


def read_sheet(ws, table: Table, label: str, uncached: dict, issues: list[DataIssue]) -> SheetData | None:
    """One table's sheet parsed by the CSV rules, issues located at its Excel rows; None if it cannot be read."""
    typed_text: set[tuple[int, int]] = set()
    cells = sheet_cells(ws, label, issues, typed_text)
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


def uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
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


def by_year(table: Table) -> bool:
    """Whether a table's rows are replaced per (satker, tahun); otherwise per satker."""
    return table.per_satker and "tahun" in table.columns


def scope(sheet: SheetData) -> set[tuple]:
    """The (satker, tahun) pairs a sheet holds; (satker, None) for a table replaced per satker."""
    frame = sheet.frame
    if by_year(sheet.table):
        return {(s, int(t)) for s, t in zip(frame["satker"], frame["tahun"]) if not (is_na(s) or is_na(t))}
    return {(s, None) for s in frame["satker"] if not is_na(s)}


def replaced(existing: pd.DataFrame, sheet: SheetData) -> pd.Series:
    """Which existing rows the sheet replaces (same satker and tahun; for satker.csv, the same slug)."""
    wanted = scope(sheet)
    if existing.empty:
        return pd.Series([], dtype=bool)
    if by_year(sheet.table):
        keys = zip(existing["satker"], existing["tahun"])
        return pd.Series([not is_na(t) and (s, int(t)) in wanted for s, t in keys], index=existing.index)
    return existing["satker"].isin({s for s, _ in wanted})


def row_key(row, columns) -> tuple:
    """A row's key values, comparable across a sheet and a CSV file (N/A as None, integers as int)."""
    return tuple(None if is_na(row[c]) else (int(row[c]) if isinstance(row[c], numbers.Integral) else row[c])
                 for c in columns)
