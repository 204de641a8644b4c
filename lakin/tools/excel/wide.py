"""The wide entry sheet `isian_iku`: the printed target/realisation table, one row per indicator and a column
pair per data period, written beside the long `iku_nilai` sheet, read back as long rows and merged with it."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from lakin.data.load import FILE_COL, LINE_COL, empty_table, read_csv_text, validate_frame
from lakin.data.periods import DATA_PERIODS, PERIOD_LABELS
from lakin.data.schemas import TABLES
from lakin.errors import DataIssue
from lakin.tools.excel.cells import BOLD, LAST_ROW, NUMBER_FORMATS, cell_text, number_text, same_value, write_text
from lakin.tools.excel.columns import validation
from lakin.tools.excel.sheets import SheetData, row_key, scope, sheet_cells
from lakin.values import is_na

__all__ = [
    "WIDE_FIELDS", "WIDE_HEADER_ROW", "WIDE_KEYS", "WIDE_SHEET", "apply_wide", "read_wide", "wide_column",
    "write_wide_sheet",
]

# `isian_iku`: the printed target/realisation table as an entry sheet, one row per indicator, one column pair
# per data period, beside the long `iku_nilai` sheet (which keeps the other columns). docs/excel.md, "isian_iku".
WIDE_SHEET = "isian_iku"
WIDE_KEYS = ("satker", "tahun", "kode")
WIDE_FIELDS = ("target", "realisasi")
WIDE_HEADER_ROW = 2  # row 1 names the periods, row 2 is the header read on import


def wide_column(field_: str, periode: str) -> str:
    """The wide sheet's header of one field and period: 'target Q1'."""
    return f"{field_} {periode}"


def write_wide_sheet(ws, iku: pd.DataFrame | None, nilai: pd.DataFrame | None) -> None:
    """One row per indicator (satker, tahun, kode, nama), then target and realisasi per period."""
    columns = [*WIDE_KEYS, "nama"] + [wide_column(f, p) for p in DATA_PERIODS for f in WIDE_FIELDS]
    write_text(ws.cell(row=1, column=1), "Target dan realisasi per periode (isi di sini atau di lembar iku_nilai)")
    ws.cell(row=1, column=1).font = BOLD
    for k, periode in enumerate(DATA_PERIODS):
        first = len(WIDE_KEYS) + 2 + 2 * k
        cell = ws.cell(row=1, column=first)
        write_text(cell, f"{PERIOD_LABELS[periode]} ({periode})")
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 1)
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=WIDE_HEADER_ROW, column=j)
        write_text(cell, name)
        cell.font = BOLD
    values: dict[tuple, dict] = {}
    if nilai is not None:
        for row in nilai.to_dict("records"):
            values[(row["satker"], int(row["tahun"]), row["kode"], row["periode"])] = row
    rows = iku.sort_values(["satker", "tahun"], kind="stable").to_dict("records") if iku is not None else []
    for i, row in enumerate(rows, start=WIDE_HEADER_ROW + 1):
        write_text(ws.cell(row=i, column=1), row["satker"])
        ws.cell(row=i, column=2, value=int(row["tahun"])).number_format = "0"
        write_text(ws.cell(row=i, column=3), str(row["kode"]))
        write_text(ws.cell(row=i, column=4), "" if is_na(row.get("nama")) else str(row["nama"]))
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
        dv = validation(name.split(" ")[0], col, TABLES["iku_nilai"])
        dv.promptTitle = name[:32]
        dv.add(f"{letter}{WIDE_HEADER_ROW + 1}:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=WIDE_HEADER_ROW + 1, column=5)


def read_wide(ws, label: str, issues: list[DataIssue]) -> SheetData | None:
    """The wide sheet as long iku_nilai rows (satker, tahun, kode, periode, target, realisasi), one per
    indicator and period; parsed and checked by the CSV rules, issues located at the wide sheet's cells."""
    cells = sheet_cells(ws, label, issues)
    if cells is None:
        return None
    header = {j: t.strip() for j, t in cells.get(WIDE_HEADER_ROW, {}).items()}
    where = {name: j for j, name in header.items()}
    missing = [c for c in WIDE_KEYS if c not in where]
    if missing:
        issues.append(DataIssue(label, WIDE_HEADER_ROW, missing[0], None,
                                f"judul kolom {', '.join(WIDE_KEYS)} di baris {WIDE_HEADER_ROW} (jangan diubah)"))
        return None
    periods = [p for p in DATA_PERIODS if any(wide_column(f, p) in where for f in WIDE_FIELDS)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*WIDE_KEYS, "periode", *WIDE_FIELDS])
    origin = {}  # CSV line -> (Excel row, periode)
    for r in sorted(x for x in cells if x > WIDE_HEADER_ROW):
        got = cells[r]
        keys = [got.get(where[c], "") for c in WIDE_KEYS]
        pairs = {p: [got.get(where.get(wide_column(f, p), 0), "") for f in WIDE_FIELDS] for p in periods}
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
                issue.column = wide_column(issue.column, p)
        if (issue.row, issue.column, str(issue.value)) not in seen:
            seen.add((issue.row, issue.column, str(issue.value)))
            issues.append(issue)
    if frame is None:
        return None
    frame[LINE_COL] = [origin[line][0] for line in frame[LINE_COL]]
    return SheetData(TABLES["iku_nilai"], label, frame, {}, complete=len(issues) == before)


def apply_wide(wide: SheetData, long: SheetData | None, existing: pd.DataFrame, label: str,
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
    base = {row_key(r, key): r for r in existing.to_dict("records")}
    in_long = scope(long)
    wanted_scopes = set()
    for row in wide.frame.to_dict("records"):
        unit_year = (row["satker"], int(row["tahun"]))
        old = base.get(row_key(row, key))
        if unit_year not in in_long and any(not same_value(row[f], old[f] if old else None) for f in WIDE_FIELDS):
            wanted_scopes.add(unit_year)
    if wanted_scopes and not existing.empty:
        pulled = existing[[(s, int(t)) in wanted_scopes if not is_na(t) else False
                           for s, t in zip(existing["satker"], existing["tahun"])]]
        frame = pd.concat([frame, pulled], ignore_index=True) if not frame.empty else pulled.reset_index(drop=True)
    index = {row_key(r, key): i for i, r in zip(frame.index, frame.to_dict("records"))}
    added = []
    for row in wide.frame.to_dict("records"):
        k = row_key(row, key)
        old = base.get(k)
        unit_year = (row["satker"], int(row["tahun"]))
        scope_open = unit_year in in_long or unit_year in wanted_scopes
        if k in index:
            i = index[k]
            for f in WIDE_FIELDS:
                w, v = row[f], frame.at[i, f]
                if same_value(w, v):
                    continue
                if old is not None and same_value(v, old[f]):
                    frame.at[i, f] = w
                    if frame.at[i, FILE_COL] == long.label:
                        long.texts[int(frame.at[i, LINE_COL])][f] = "" if is_na(w) else number_text(float(w))
                elif (old is not None and same_value(w, old[f])) or (old is None and is_na(w)):
                    continue
                elif old is None and is_na(v):
                    frame.at[i, f] = w
                    if frame.at[i, FILE_COL] == long.label:
                        long.texts[int(frame.at[i, LINE_COL])][f] = number_text(float(w))
                else:
                    issues.append(DataIssue(wide.label, int(row[LINE_COL]), wide_column(f, row["periode"]),
                                            cell_text(w), f"berbeda dengan {frame.at[i, FILE_COL]}, baris "
                                            f"{int(frame.at[i, LINE_COL])}, kolom '{f}' ({cell_text(v)}): ubah "
                                            "nilai ini di satu lembar saja"))
        elif all(is_na(row[f]) for f in WIDE_FIELDS):
            continue
        elif old is not None and scope_open and all(same_value(row[f], old[f]) for f in WIDE_FIELDS):
            continue  # the long sheet deleted this row; the wide sheet did not change it
        elif old is not None and unit_year in in_long:
            issues.append(DataIssue(wide.label, int(row[LINE_COL]), wide_column("target", row["periode"]), None,
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
