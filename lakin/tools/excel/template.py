"""The data-entry template: a notes sheet, one sheet per table of the data contract and the wide `isian_iku` sheet,
optionally pre-filled with one unit's rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from lakin.atomic import atomic_path
from lakin.data.load import load
from lakin.data.schemas import TABLE_ORDER, TABLES, Table
from lakin.errors import ParameterError
from lakin.tools.excel.cells import BOLD, LAST_ROW, MAX_WIDTH, NUMBER_FORMATS, write_text, write_typed
from lakin.tools.excel.columns import KIND_LABELS, LINKED, bounds, column_note, validation
from lakin.tools.excel.sheets import by_year
from lakin.tools.excel.wide import WIDE_SHEET, write_wide_sheet
from lakin.values import is_na

__all__ = ["NOTES_SHEET", "write_template"]

NOTES_SHEET = "Petunjuk"


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
    write_wide_sheet(wb.create_sheet(WIDE_SHEET, index=wb.sheetnames.index("iku_nilai")), rows.get("iku"),
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
        if tahun is not None and by_year(TABLES[name]):
            keep &= frame["tahun"] == int(tahun)
        out[name] = frame[keep.fillna(False).astype(bool)]
    return out


def _table_sheet(ws, table: Table, rows: pd.DataFrame | None) -> None:
    rows = rows if rows is not None else pd.DataFrame(columns=list(table.columns))
    columns = list(table.columns) + [c for c in rows.columns if c not in table.columns and not c.startswith("_")]
    widths = [len(c) + 3 for c in columns]
    for j, name in enumerate(columns, start=1):
        col = table.columns.get(name)
        cell = ws.cell(row=1, column=j)
        write_text(cell, name)
        cell.font = BOLD
        note = column_note(name, col) if col is not None else f"{name}: kolom tambahan (teks)"
        cell.comment = Comment(note, "lakin", width=320, height=40 + 16 * note.count("\n") + len(note) // 3)
    for i, record in enumerate(rows[columns].itertuples(index=False), start=2):
        for j, (name, value) in enumerate(zip(columns, record), start=1):
            if is_na(value):
                continue
            write_typed(ws.cell(row=i, column=j), value, table.columns.get(name))
            widths[j - 1] = max(widths[j - 1], min(len(str(value)) + 2, MAX_WIDTH))
    for j, name in enumerate(columns, start=1):
        letter = get_column_letter(j)
        col = table.columns.get(name)
        dim = ws.column_dimensions[letter]
        dim.number_format = NUMBER_FORMATS[col.kind if col is not None else "text"]
        dim.width = min(widths[j - 1], MAX_WIDTH)
        if col is not None:
            dv = validation(name, col, table)
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
        write_text(ws.cell(row=i, column=1), text)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    header = ("Tabel", "Kolom", "Jenis", "Isian", "Pilihan / batas", "Keterangan")
    start = len(lines) + 2
    for j, text in enumerate(header, start=1):
        write_text(ws.cell(row=start, column=j), text)
        ws.cell(row=start, column=j).font = BOLD
    r = start + 1
    for name in TABLE_ORDER:
        table = TABLES[name]
        write_text(ws.cell(row=r, column=1), name)
        ws.cell(row=r, column=1).font = BOLD
        write_text(ws.cell(row=r, column=6), table.doc)
        r += 1
        for cname, col in table.columns.items():
            limits = ", ".join(col.isin) if col.isin else bounds(col)
            values = (name, cname, KIND_LABELS[col.kind],
                      ("opsional, " if not col.required else "") + ("boleh kosong" if col.nullable else "wajib diisi"),
                      limits, col.doc)
            for j, text in enumerate(values, start=1):
                if text:
                    write_text(ws.cell(row=r, column=j), text)
            r += 1
    for letter, width in zip("ABCDEF", (24, 24, 30, 24, 30, 80)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
