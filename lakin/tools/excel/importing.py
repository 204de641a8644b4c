"""Importing a filled workbook: every sheet read and validated like a CSV file, merged into the data directory,
checked across tables, then written all at once or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from lakin.data.load import (
    LINE_COL, Dataset, check_references, empty_table, find_data_dir, read_table, table_files, validate_frame,
)
from lakin.data.schemas import TABLE_ORDER, TABLES
from lakin.errors import DataIssue, DataValidationError, NoDataError, ParameterError
from lakin.tools.excel.files import commit, table_changes
from lakin.tools.excel.sheets import (
    SheetData, read_sheet, replaced, scope, sheet_label, size_issues, uncached_formulas,
)
from lakin.tools.excel.template import NOTES_SHEET
from lakin.tools.excel.wide import WIDE_SHEET, apply_wide, read_wide

__all__ = ["ImportResult", "import_workbook", "read_workbook"]


def read_workbook(path: str | Path, issues: list[DataIssue]) -> dict[str, SheetData]:
    """Every table sheet of a workbook, parsed and validated like a CSV file; issues (sheet, Excel row,
    column) are appended to `issues`. Every sheet is read to its last row, whatever its declared
    dimension, and every problem of every sheet is reported (a cell that cannot be parsed is not reported
    again by the value checks). A sheet whose rows could not all be read has `complete` False."""
    path = Path(path)
    too_large = size_issues(path)
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
        uncached = uncached_formulas(path)
        for ws in book.worksheets:
            label = sheet_label(path, ws.title)
            if ws.title == NOTES_SHEET:
                continue
            if ws.title == WIDE_SHEET:
                wide = read_wide(ws, label, issues)
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
            sheet = read_sheet(ws, table, label, uncached.get(ws.title, {}), issues)
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
        long = apply_wide(wide, read.get("iku_nilai"), existing["iku_nilai"], sheet_label(path, "iku_nilai"), issues)
        if long is not None:
            sheets["iku_nilai"] = long
    masks = {name: replaced(existing[name], sheet) for name, sheet in sheets.items()}
    merged = dict(existing)
    for name, sheet in sheets.items():
        kept = existing[name][~masks[name]]
        merged[name] = pd.concat([kept, sheet.frame], ignore_index=True) if not kept.empty else sheet.frame.copy()
    # Cross-table rules on the merged data, even when some cells failed: a rule skips only the tables whose
    # rows could not all be read, and a cell already reported is not reported again as a dangling reference.
    references: list[DataIssue] = []
    check_references(Dataset(data_dir=data_dir, tables=merged, invalid=frozenset(invalid)), references)
    reported = {(i.file, i.row, i.column) for i in issues}
    issues.extend(i for i in references if (i.file, i.row, i.column) not in reported)
    if issues:
        raise DataValidationError(issues)
    slugs = set(merged["satker"]["satker"])
    contents: dict[Path, bytes] = {}
    for name, sheet in sheets.items():
        contents.update(table_changes(data_dir, sheet, existing[name], masks[name], slugs))
    new_dir = not data_dir.exists()
    written = commit(contents, data_dir)
    result = ImportResult(path, data_dir, written=[p.relative_to(data_dir) for p in written],
                          created=new_dir and data_dir.exists())
    for name, sheet in sheets.items():
        result.rows[name] = len(sheet.frame)
        result.scopes[name] = sorted(scope(sheet), key=str)
    return result
