"""Writing an import into the data directory: the new text of every CSV file a sheet changes (unchanged cells
keep their spelling, rows keep their file and line), committed all at once or not at all."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lakin.atomic import TMP_PREFIX
from lakin.data.load import FILE_COL, LINE_COL, file_owner, source_label
from lakin.data.schemas import SATKER_PATTERN, Table
from lakin.errors import ParameterError
from lakin.tools.excel.cells import same_value, value_text
from lakin.tools.excel.sheets import SheetData, row_key

__all__ = ["commit", "table_changes"]


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
    owned = [source_label(p, data_dir) for p in sorted(folder.glob("*.csv"))
             if file_owner(p.stem, slugs) == satker] if folder.is_dir() else []
    if own in owned:
        return own
    if owned:
        return owned[0]
    if (data_dir / table.file).is_file():
        return table.file
    return own


def table_changes(data_dir: Path, sheet: SheetData, existing: pd.DataFrame, replaced: pd.Series,
                 slugs: set[str]) -> dict[Path, bytes]:
    """The new text of every file of one table that the sheet changes.

    A sheet row whose key exists takes that row's place (same file, same line: a satker split over several
    files keeps its split); a replaced row whose key is not in the sheet is dropped; rows with new keys go
    after the last replaced row of the file, or to the satker's own file. A cell whose value did not change
    keeps its original spelling (100.00 stays 100.00), so an unchanged workbook rewrites nothing.
    """
    table = sheet.table
    old_rows = (existing[replaced] if not existing.empty else existing).to_dict("records")
    by_key = {row_key(r, table.key): r for r in old_rows}
    removed = {(r[FILE_COL], int(r[LINE_COL])) for r in old_rows}
    assigned: dict[str, list] = {}
    for row in sheet.frame.to_dict("records"):
        old = by_key.get(row_key(row, table.key))
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
    return {c: value_text(v) for c, v in row.items() if not c.startswith("_")}


def _record(row, old, header: list[str], sheet: SheetData, old_file: _CsvFile | None) -> list[str]:
    texts = _row_texts(sheet, row)
    record = []
    for c in header:
        text = texts.get(c, "")
        if old is not None and old_file is not None and c in old_file.header and c in row and c in old \
                and same_value(row[c], old[c]):
            text = old_file.records[int(old[LINE_COL])][old_file.header.index(c)]
        record.append(text)
    return record


def commit(contents: dict[Path, bytes], data_dir: Path) -> list[Path]:
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
