"""The workbook of a report's tables: an index sheet linked to one sheet per table, the Indonesian display
numbers turned back into numeric cells with one number format per column."""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from lakin.atomic import atomic_path
from lakin.tools.excel.cells import BOLD, MAX_WIDTH, write_text
from lakin.values import is_na

__all__ = ["INDEX_SHEET", "ReportTable", "parse_display_number", "write_report_workbook"]

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
    parsed = parse_display_number(text)
    if parsed is not None:
        m = _DISPLAY_NUMBER.match(text.strip())
        number = parsed[0]
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
    write_text(ws["A1"], INDEX_SHEET + (f" - {title}" if title else ""))
    ws["A1"].font = Font(bold=True, size=13)
    for j, text in enumerate(("Nomor", "Judul", "Baris"), start=1):
        write_text(ws.cell(row=3, column=j), text)
        ws.cell(row=3, column=j).font = BOLD
    for i, (table, name) in enumerate(zip(tables, names), start=4):
        link = ws.cell(row=i, column=1)
        write_text(link, table.number)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1", tooltip=table.caption[:250])
        link.font = LINK
        write_text(ws.cell(row=i, column=2), table.caption)
        ws.cell(row=i, column=3, value=int(len(table.frame))).number_format = "0"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = min(max([len(t.caption) for t in tables] + [20]) + 2, 100)
    ws.column_dimensions["C"].width = 8
    ws.freeze_panes = "A4"
    _print_setup(ws, 3, "3:3")


def _report_sheet(ws, table: ReportTable, frame: pd.DataFrame) -> None:
    """Row 1 the caption, row 2 the header, row 3 the units, the cells from row 4."""
    caption = ws.cell(row=1, column=1)
    write_text(caption, f"{table.number} {table.caption}".strip())
    caption.font = Font(bold=True, size=12)
    headers = [str(c) for c in frame.columns]
    for j, name in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=j)
        write_text(cell, name)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells = [_report_value(v) for v in frame.iloc[:, j - 1].tolist()]
        fmt, unit = _column_format([v for v, kind, _ in cells if kind == "number"], name)
        if unit:
            write_text(ws.cell(row=3, column=j), UNIT_LABELS[unit])
            ws.cell(row=3, column=j).alignment = Alignment(horizontal="right")
        width = len(name) + 2
        for i, (value, kind, shown) in enumerate(cells, start=4):
            if kind is None:
                continue
            cell = ws.cell(row=i, column=j)
            if kind == "text":
                write_text(cell, value)
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
