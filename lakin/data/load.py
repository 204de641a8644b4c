"""Loading a data directory: every table read, validated and checked against the others; the only way in.

A table is `<name>.csv` or a folder `<name>/` of CSVs with the same header (`lakin.data.files`). Every failure
is collected (file, line, column, value, what was expected) before anything is raised. The jobs are split:

- `lakin.data.files`: where the files are and which satker owns them;
- `lakin.data.parse`: CSV text to typed frames, value checks (pandera) and duplicate keys;
- `lakin.data.references`: cross-table rules (`collect` runs them);
- `lakin.data.narasi`: the analysts' Markdown (`read_narasi`);
- here: reading a table's files (bounded, cached by content), `collect` and `load`.

The names of those modules importers use are re-exported here (`from lakin.data.load import ...` keeps working).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from lakin.data.dataset import Dataset
from lakin.data.files import (
    default_data_dir, file_owner, find_data_dir, inside, outside_issue, source_label, table_files,
)
from lakin.data.narasi import NARASI_IMAGE_MAX_BYTES, NARASI_MAX_BYTES, read_narasi
from lakin.data.params import validate_satker
from lakin.data.parse import FILE_COL, LINE_COL, decode_csv, empty_table, read_csv_text, validate_frame
from lakin.data.references import check_references
from lakin.data.schemas import SATKER_PATTERN, TABLE_ORDER, TABLES, Table
from lakin.errors import DataIssue, DataValidationError, NoDataError, UnknownSatkerError

__all__ = ["FILE_COL", "LINE_COL", "MAX_INPUT_BYTES", "NARASI_IMAGE_MAX_BYTES", "NARASI_MAX_BYTES", "SATKER_PATTERN",
           "TABLES", "TABLE_ORDER", "Dataset", "Table", "check_references", "collect", "default_data_dir",
           "empty_table", "file_owner", "find_data_dir", "inside", "load", "read_csv_text", "read_narasi",
           "read_table", "source_label", "table_files", "validate_frame"]

# Input files larger than this are refused before they are read (data/README.md, "Batas ukuran").
MAX_INPUT_BYTES = 50 * 1024 * 1024

# Parsed files by (table, label, content hash): a batch worker loading unit after unit parses the shared
# files (satker.csv with a thousand units) once. Content-addressed, so an edited file is never stale.
_PARSED: dict[tuple, pd.DataFrame] = {}
_PARSED_MAX = 4096


_VALIDATED: set[tuple] = set()


def _remember(key: tuple, frame: pd.DataFrame) -> None:
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
        _VALIDATED.clear()
    _PARSED[key] = frame.copy()


def read_table(data_dir: Path, name: str, satker: str | None = None, slugs: set[str] | None = None,
               issues: list[DataIssue] | None = None) -> pd.DataFrame:
    """One table, parsed and validated; issues are appended to `issues` (raised if it is None)."""
    table = TABLES[name]
    own = issues is None
    issues = [] if own else issues
    files = table_files(data_dir, table, satker, slugs)
    if not files:
        if table.required:
            issues.append(DataIssue(source_label(data_dir / table.file, data_dir), None, None, None,
                                    f"tabel wajib '{name}' tidak ditemukan di {data_dir}"))
        frame = empty_table(table)
    else:
        frames = []
        keys = []
        before = len(issues)
        for path in files:
            label = source_label(path, data_dir)
            outside = outside_issue(path, data_dir, label)
            if outside is not None:
                issues.append(outside)
                continue
            try:
                size = path.stat().st_size
                if size > MAX_INPUT_BYTES:
                    issues.append(DataIssue(label, None, None, None, f"berkas terlalu besar ({size} byte); "
                                            f"batas {MAX_INPUT_BYTES} byte per berkas"))
                    continue
                raw = path.read_bytes()
            except OSError as exc:
                issues.append(DataIssue(label, None, None, None, f"berkas tidak dapat dibaca: {exc.strerror or exc}"))
                continue
            key = (table.name, label, hashlib.blake2b(raw, digest_size=16).digest())
            keys.append(key)
            cached = _PARSED.get(key)
            if cached is not None:
                frames.append(cached.copy())
                continue
            mark = len(issues)
            text = decode_csv(raw, label, issues)
            if text is None:
                continue
            part = read_csv_text(text, label, table, issues)
            if part is not None:
                frames.append(part)
                if len(issues) == mark:
                    _remember(key, part)
        frame = pd.concat(frames, ignore_index=True) if frames else empty_table(table)
        # Value checks run even when some cells could not be parsed, so every failure is reported at
        # once; a cell that failed to parse is not reported a second time as empty or as a duplicate key.
        unparsed = {(i.file, i.row, i.column) for i in issues[before:]}
        unparsed_rows = {(f, r) for f, r, _ in unparsed}
        combination = tuple(keys)
        if unparsed or combination not in _VALIDATED:
            found = validate_frame(frame, table)
            if not unparsed and not found and len(keys) == len(files):
                _VALIDATED.add(combination)  # these exact files together are clean: no need to check again
            for issue in found:
                if (issue.file, issue.row, issue.column) in unparsed:
                    continue
                if issue.column is None and (issue.file, issue.row) in unparsed_rows:
                    continue
                issues.append(issue)
    if satker is not None and table.per_satker and not frame.empty:
        if slugs is not None:
            # a row of an unknown satker (a typo) must not vanish silently with the other units' rows
            stray = frame[frame["satker"].notna() & ~frame["satker"].isin(slugs)]
            for _, row in stray.iterrows():
                issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "satker", row["satker"],
                                        "satker yang terdaftar di satker.csv"))
        frame = frame[frame["satker"] == satker].reset_index(drop=True)
    if own and issues:
        raise DataValidationError(issues)
    return frame


def collect(data_dir: str | Path | None = None, satker: str | None = None) -> tuple[Dataset, list[DataIssue]]:
    """Read every table and every cross-table rule, collecting issues instead of raising.

    Tables that had issues are named in `Dataset.invalid`; their rows that could be read are kept.
    Raises only for what no table can answer: a missing data directory, a malformed or unknown satker.
    """
    data_dir = find_data_dir(data_dir)
    if not data_dir.is_dir():
        raise NoDataError(f"Direktori data '{data_dir}' tidak ditemukan")
    if satker is not None:
        validate_satker(satker)
    issues: list[DataIssue] = []
    invalid: set[str] = set()
    units = read_table(data_dir, "satker", issues=issues)
    slugs = None
    if issues:
        invalid.add("satker")
    else:
        slugs = set(units["satker"])
        if satker is not None and satker not in slugs:
            raise UnknownSatkerError(satker, sorted(slugs), source_label(data_dir / "satker.csv", data_dir))
    tables = {"satker": units}
    for name in TABLE_ORDER:
        if name == "satker":
            continue
        before = len(issues)
        tables[name] = read_table(data_dir, name, satker=satker, slugs=slugs, issues=issues)
        if len(issues) > before:
            invalid.add(name)
    ds = Dataset(data_dir=data_dir, tables=tables, satker_filter=satker, invalid=frozenset(invalid))
    check_references(ds, issues)
    return ds, issues


def load(data_dir: str | Path | None = None, satker: str | None = None) -> Dataset:
    """Load and validate every table; with `satker`, only that unit's rows (and files) are read.

    Raises DataValidationError carrying every issue found (file, line, column, value, expected).
    """
    ds, issues = collect(data_dir, satker)
    if issues:
        raise DataValidationError(issues)
    return ds
