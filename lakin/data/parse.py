"""CSV text to typed frames: cells parsed by their column's kind, rows named by file and line, values checked.

Every failure is collected as a `DataIssue` (file, line, column, value, what was expected); nothing here
opens a file (`lakin.data.load` reads them, `lakin.tools.excel` hands over sheets as CSV text).
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from lakin.data.schemas import MAX_RUPIAH, Table, passes_checks
from lakin.errors import DataIssue

if TYPE_CHECKING:
    import pandera.pandas as pa

__all__ = ["FILE_COL", "LINE_COL", "decode_csv", "empty_table", "pandera_schema", "read_csv_text", "validate_frame"]

FILE_COL = "_file"
LINE_COL = "_line"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY = re.compile(r"^\s*(rp\.?|idr)\s*", re.I)
_TRUE = {"true", "ya", "1", "yes"}
_FALSE = {"false", "tidak", "0", "no"}


# --------------------------------------------------------------------------- parsing cells
def _number_issue(text: str) -> str | None:
    """Why `text` is not a plain number, or None if it is one."""
    if _NUMBER.match(text):
        return None
    if _CURRENCY.match(text):
        return "angka tanpa awalan mata uang (tulis 6173055000, bukan Rp6.173.055.000)"
    if "%" in text:
        return "angka tanpa tanda % (tulis 97.75, bukan 97,75%)"
    if _DECIMAL_COMMA.match(text):
        return "angka dengan titik sebagai pemisah desimal (koma desimal tidak diterima: tulis 97.75, bukan 97,75)"
    if _THOUSANDS_DOT.match(text) or _THOUSANDS_COMMA.match(text):
        return "angka tanpa pemisah ribuan (tulis 1864599579000, bukan 1.864.599.579.000)"
    return "sebuah angka"


def _parse_cell(text: str, kind: str):
    """(value, problem) for one non-empty cell of the given kind."""
    if kind in ("text", "slug", "code"):
        return text, None
    if kind in ("int", "float", "money"):
        problem = _number_issue(text)
        if problem:
            return None, problem
        if kind in ("int", "money") and _THOUSANDS_DOT.match(text):
            # '1.500' in a whole-number column is 1500 written with a thousands dot, not 1.5
            return None, "angka tanpa pemisah ribuan (tulis 1500, bukan 1.500)"
        value = float(text)
        if not math.isfinite(value):
            return None, "sebuah angka berhingga"
        if kind == "int" and not value.is_integer():
            return None, "bilangan bulat"
        if kind == "money" and not value.is_integer():
            return None, "rupiah utuh tanpa desimal"
        if kind == "money" and abs(value) > 2**53:
            return None, "rupiah dalam batas wajar (<= Rp1.000 triliun)"
        return (int(value) if kind == "int" else value), None
    if kind == "date":
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, "tanggal berformat TTTT-BB-HH (mis. 2024-01-15)"
    if kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, "true atau false"
    raise ValueError(kind)


# --------------------------------------------------------------------------- reading files
def decode_csv(raw: bytes, label: str, issues: list[DataIssue]) -> str | None:
    """The file as text (UTF-8, with or without BOM); otherwise an issue naming line, column and cell."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.append(DataIssue(label, 1, None, None, "berkas harus ber-encoding UTF-8, bukan UTF-16 "
                                "(simpan ulang sebagai 'CSV UTF-8')"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line_end = raw.find(b"\n", exc.start)
        line_bytes = raw[line_start: None if line_end < 0 else line_end]
        line = raw[: exc.start].count(b"\n") + 1
        column, value = _cell_at(raw, line_bytes, exc.start - line_start)
        if line == 1:
            column = None  # the header itself: no column to name
        issues.append(DataIssue(label, line, column, value,
                                "berkas harus ber-encoding UTF-8 (simpan ulang sebagai 'CSV UTF-8'); "
                                f"byte {raw[exc.start]:#04x} bukan UTF-8 (kemungkinan Latin-1/Windows-1252)"))
        return None


def _cell_at(raw: bytes, line_bytes: bytes, offset: int) -> tuple[str | None, str]:
    """(header name, cell text read as Windows-1252) of the cell holding byte `offset` of a line."""
    as_text = line_bytes.decode("cp1252", errors="replace")
    prefix = line_bytes[:offset].decode("cp1252", errors="replace")
    try:
        index = len(next(csv.reader([prefix]))) - 1 if prefix else 0
        cells = next(csv.reader([as_text.rstrip("\r")]))
        value = cells[index] if index < len(cells) else as_text
        first = raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
        header = [h.strip() for h in next(csv.reader([first]))]
        column = header[index] if index < len(header) else None
    except (csv.Error, StopIteration):
        return None, as_text[:60]
    return (column or None), value[:60]


def read_csv_text(text: str, label: str, table: Table, issues: list[DataIssue]) -> pd.DataFrame | None:
    """Parse one CSV text into a frame of typed cells with _file/_line columns; issues appended."""
    if not text.strip():
        issues.append(DataIssue(label, 1, None, None, "berkas kosong: diperlukan baris judul kolom dan data"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        issues.append(DataIssue(label, 1, None, None, f"CSV tidak dapat dibaca: {exc}"))
        return None
    header = [h.strip() for h in header]
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in header[0])
        issues.append(DataIssue(label, 1, None, header[0][:60],
                                f"pemisah kolom harus koma, bukan {sep!r}"))
        return None
    seen: set[str] = set()
    for h in header:
        if h in seen:
            issues.append(DataIssue(label, 1, h, h, "judul kolom tidak boleh ganda"))
        seen.add(h)
    if "" in header:
        issues.append(DataIssue(label, 1, None, "", "setiap kolom harus punya judul"))
    missing = [c for c in table.required_columns() if c not in header]
    for c in missing:
        issues.append(DataIssue(label, 1, c, None, f"kolom wajib '{c}' tidak ada (judul: {', '.join(header)})"))
    if missing or len(seen) != len(header) or "" in header:
        return None

    rows, lines = [], []
    physical = io.StringIO(text, newline="").readlines()
    end = reader.line_num
    try:
        for record in reader:
            # a row is named by the line it starts on, also when a quoted cell runs over several lines
            line, end = end + 1, reader.line_num
            if not record or all(not c.strip() for c in record):
                continue
            if end > line and _unclosed_quote(physical, line, end, len(header)):
                issues.append(DataIssue(label, line, None, physical[line - 1].rstrip("\r\n")[:60],
                                        f'tanda kutip (") yang dibuka di baris {line} tidak ditutup: '
                                        f"baris {line}-{end} "
                                        "terbaca sebagai satu sel (tutup tanda kutipnya, atau hapus bila tidak perlu)"))
                continue
            if len(record) != len(header):
                issues.append(_width_issue(label, line, header, record, table))
                continue
            rows.append(record)
            lines.append(line)
    except csv.Error as exc:
        issues.append(DataIssue(label, end + 1, None, None, f"CSV tidak dapat dibaca mulai baris {end + 1}: {exc} "
                                "(periksa tanda kutip yang tidak ditutup)"))
        return None

    columns: dict[str, list] = {h: [] for h in header}
    for record, line in zip(rows, lines):
        for h, cell in zip(header, record):
            cell = cell.strip()
            spec = table.columns.get(h)
            if cell == "":
                columns[h].append(None)
                continue
            if spec is None:
                columns[h].append(cell)
                continue
            value, problem = _parse_cell(cell, spec.kind)
            if problem:
                issues.append(DataIssue(label, line, h, cell, f"diharapkan {problem}"))
            columns[h].append(value)
    frame = pd.DataFrame(columns, dtype=object)
    for h in header:
        spec = table.columns.get(h)
        if spec is not None and spec.kind in ("float", "money"):
            frame[h] = pd.to_numeric(frame[h], errors="coerce").astype("float64")
        elif spec is not None and spec.kind == "int":
            frame[h] = pd.array(frame[h], dtype="Int64")
    for h, spec in table.columns.items():
        if h not in frame.columns:
            frame[h] = pd.Series([None] * len(frame), dtype="float64" if spec.kind in ("float", "money") else object)
    frame[FILE_COL] = label
    frame[LINE_COL] = lines
    return frame


def _unclosed_quote(physical: list[str], start: int, end: int, width: int) -> bool:
    """Whether a row read over lines start..end is an unclosed quote rather than a cell holding line breaks:
    the quote is still open at the end of the file, or a swallowed line is itself a whole row."""
    span = physical[start - 1: end]
    if sum(line.count('"') for line in span) % 2:
        return True
    for line in span[1:]:
        try:
            cells = next(csv.reader([line.rstrip("\r\n")]))
        except (csv.Error, StopIteration):
            continue
        if width > 1 and len(cells) == width:
            return True
    return False


def _width_issue(label: str, line: int, header: list[str], record: list[str], table: Table) -> DataIssue:
    """A row with more or fewer cells than the header; names the column when an unquoted
    decimal comma or thousands separator split a number in two (97,75 -> '97' and '75')."""
    extra = len(record) - len(header)
    candidates = []
    for i, name in enumerate(header):
        spec = table.columns.get(name)
        if extra <= 0 or spec is None or spec.kind not in ("int", "float", "money"):
            continue
        merged = ",".join(c.strip() for c in record[i: i + extra + 1])
        if not (_DECIMAL_COMMA.match(merged) or _THOUSANDS_COMMA.match(merged)):
            continue
        rest = record[:i] + record[i + extra + 1:]
        others = [h for j, h in enumerate(header) if j != i]
        if all(not cell.strip() or table.columns.get(h) is None
               or table.columns[h].kind not in ("int", "float", "money") or _number_issue(cell.strip()) is None
               for h, cell in zip(others, rest)):
            candidates.append((name, merged))
    if candidates:
        name, merged = candidates[0]
        column = " atau ".join(c for c, _ in candidates)
        value = merged if len(candidates) == 1 else ",".join(c.strip() for c in record)[:60]
        return DataIssue(label, line, column, value,
                         f"diharapkan {_number_issue(merged)}; koma di luar tanda kutip memecah sel menjadi "
                         f"{len(record)} kolom (judul {len(header)} kolom)")
    return DataIssue(label, line, None, ",".join(record)[:60],
                     f"{len(header)} kolom seperti judul, bukan {len(record)}")



def empty_table(table: Table) -> pd.DataFrame:
    """A table with its columns and no rows (a fresh copy each time)."""
    key = (table.name, tuple(table.columns))
    if key not in _EMPTY:
        cols = {}
        for h, spec in table.columns.items():
            if spec.kind in ("float", "money"):
                cols[h] = pd.Series([], dtype="float64")
            elif spec.kind == "int":
                cols[h] = pd.Series([], dtype="Int64")
            else:
                cols[h] = pd.Series([], dtype=object)
        cols[FILE_COL] = pd.Series([], dtype=object)
        cols[LINE_COL] = pd.Series([], dtype="int64")
        _EMPTY[key] = pd.DataFrame(cols)
    return _EMPTY[key].copy()


def pandera_schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema checking a parsed table's values (types are parsed beforehand).

    pandera is imported when a schema is first wanted: a clean table needs none (`passes_checks`), and importing
    pandera costs 0.35-0.5 s of every process that loads data (each `lakin` command, kernel and batch worker)."""
    import pandera.pandas as pa

    columns = {}
    for name, col in table.columns.items():
        checks = []
        if col.isin is not None:
            checks.append(pa.Check.isin(list(col.isin), error=f"salah satu dari: {', '.join(col.isin)}"))
        if col.pattern is not None:
            checks.append(pa.Check.str_matches(col.pattern, error=f"sesuai pola {col.pattern}"))
        if col.ge is not None:
            checks.append(pa.Check.ge(col.ge, error=f">= {col.ge:g}"))
        if col.le is not None:
            checks.append(pa.Check.le(col.le, error=f"<= {col.le:g}"))
        if col.kind == "money":
            if not col.negative:
                checks.append(pa.Check.ge(0, error="rupiah tidak boleh negatif"))
            checks.append(pa.Check(lambda s: s.abs() <= MAX_RUPIAH, error="rupiah terlalu besar (> Rp1.000 triliun)"))
        columns[name] = pa.Column(
            None, checks=checks, nullable=col.nullable, required=col.required, coerce=False,
        )
    return pa.DataFrameSchema(columns, strict=False, name=table.name)


_EMPTY: dict[tuple, pd.DataFrame] = {}
_SCHEMAS: dict[tuple, pa.DataFrameSchema] = {}


def _schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of a table, built once, without the columns it has nothing to check in
    (nullable and no checks: headers are checked while reading, so those columns cannot fail)."""
    key = (table.name, id(table))
    if key not in _SCHEMAS:
        full = pandera_schema(table)
        columns = {name: col for name, col in full.columns.items() if col.checks or not col.nullable}
        _SCHEMAS[key] = type(full)(columns, strict=False, name=full.name)  # pandera.DataFrameSchema
    return _SCHEMAS[key]


def _pandera_issues(frame: pd.DataFrame, checked: pd.DataFrame, table: Table) -> list[DataIssue]:
    """Every value check pandera finds failing (lazy: all of them), as issues naming file and line; only for a
    table the vectorised precheck found dirty, so pandera is imported only then (`pandera_schema`)."""
    import pandera.pandas as pa

    issues: list[DataIssue] = []
    try:
        _schema(table).validate(checked, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for _, fc in exc.failure_cases.iterrows():
            idx = fc.get("index")
            column = fc.get("column")
            check = str(fc.get("check"))
            if idx is None or (isinstance(idx, float) and math.isnan(idx)):
                issues.append(DataIssue(table.file, None, column, fc.get("failure_case"), check))
                continue
            row = frame.loc[int(idx)]
            expected = "sel tidak boleh kosong" if "not_nullable" in check else f"diharapkan {check}"
            value = None if "not_nullable" in check else fc.get("failure_case")
            issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), column, value, expected))
    return issues


def validate_frame(frame: pd.DataFrame, table: Table) -> list[DataIssue]:
    """Value checks (pandera, lazy) and duplicate keys, as issues naming file and line."""
    issues: list[DataIssue] = []
    if frame.empty:
        return issues
    checked = frame.drop(columns=[FILE_COL, LINE_COL])
    if not passes_checks(checked, table):
        issues += _pandera_issues(frame, checked, table)
    key = [k for k in table.key if k in frame.columns]
    rows = list(zip(*(frame[k].tolist() for k in key)))
    if len(set(rows)) == len(rows):  # the common case, without pandas' grouping machinery
        return issues
    dup = frame[frame.duplicated(subset=key, keep="first")]
    for _, row in dup.iterrows():
        ident = ", ".join(f"{k}={'' if pd.isna(row[k]) else row[k]}" for k in key)
        issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), None, ident,
                                f"baris ganda: kunci ({', '.join(key)}) sudah ada di baris sebelumnya"))
    return issues


# Parsed files by (table, label, content hash): a batch worker loading unit after unit parses the shared
# files (satker.csv with a thousand units) once. Content-addressed, so an edited file is never stale.
