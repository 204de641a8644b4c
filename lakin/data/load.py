"""Reading and validating input tables: the only module that touches input files.

A table is `<name>.csv` or a folder `<name>/` of CSVs with the same header. Every failure is
collected (file, line, column, value, what was expected) before anything is raised.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from lakin.errors import DataIssue, DataValidationError, NoDataError, UnknownSatkerError
from lakin.data.schemas import passes_checks, SATKER_PATTERN, TABLE_ORDER, TABLES, Table, pandera_schema  # noqa: F401 (re-exported)

FILE_COL = "_file"
# Input files larger than this are refused before they are read (data/README.md, "Batas ukuran").
MAX_INPUT_BYTES = 50 * 1024 * 1024
LINE_COL = "_line"

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY = re.compile(r"^\s*(rp\.?|idr)\s*", re.I)
_TRUE = {"true", "ya", "1", "yes"}
_FALSE = {"false", "tidak", "0", "no"}


def default_data_dir() -> Path:
    return find_data_dir(None)


def find_data_dir(data_dir: str | Path | None = None) -> Path:
    """The given data dir, or else $LAKIN_DATA, or else the nearest `data/` holding satker.csv above the cwd."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get("LAKIN_DATA")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "satker.csv").is_file():
            return folder / "data"
    return Path("data")


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
def _decode(raw: bytes, label: str, issues: list[DataIssue]) -> str | None:
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


def table_files(data_dir: Path, table: Table, satker: str | None = None, slugs: set[str] | None = None) -> list[Path]:
    """The CSV files holding a table: <name>.csv and/or the CSVs in <name>/ (name order).

    With `satker` (and the known `slugs`), only that satker's files (<slug>.csv, <slug>-*.csv) and the
    files that belong to no satker.
    """
    files = []
    single = data_dir / table.file
    if single.is_file():
        files.append(single)
    folder = data_dir / table.name
    if folder.is_dir():
        owners = _owner_index(folder, slugs or set())
        if satker is not None and slugs:
            names = owners.get(satker, []) + owners.get(None, [])
        else:
            names = [n for group in owners.values() for n in group]
        files.extend(folder / n for n in sorted(names))
    return files


# Folder listings grouped by owning satker, valid while the folder's mtime (entries added, removed or
# renamed) and the set of slugs are unchanged: loading unit after unit of a thousand lists each folder once.
_OWNERS: dict[str, tuple[tuple, dict]] = {}


def _owner_index(folder: Path, slugs: set[str]) -> dict[str | None, list[str]]:
    stamp = (os.stat(folder).st_mtime_ns, len(slugs), hash(frozenset(slugs)))
    cached = _OWNERS.get(str(folder))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index: dict[str | None, list[str]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".csv") and entry.is_file():
                index.setdefault(_file_owner(entry.name[:-4], slugs), []).append(entry.name)
    _OWNERS[str(folder)] = (stamp, index)
    return index


def _file_owner(stem: str, slugs: set[str]) -> str | None:
    """The longest slug that names this file (<slug> or <slug>-anything), looked up prefix by prefix."""
    parts = stem.split("-")
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if candidate in slugs:
            return candidate
    return None


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every symbolic link resolved, lies inside `folder` (also resolved)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True


def _outside_issue(path: Path, data_dir: Path, label: str) -> DataIssue | None:
    """An issue when an input file is a symbolic link (or under one) that leads out of the data directory."""
    if inside(path, data_dir):
        return None
    try:
        target = str(Path(path).resolve())
    except (OSError, RuntimeError):
        target = "(tautan melingkar)"
    return DataIssue(label, None, None, target,
                     "berkas masukan harus berada di dalam direktori data; tautan simbolik yang mengarah ke luar "
                     f"direktori data ({Path(data_dir).resolve()}) tidak dibaca")


def _label(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir))
    except ValueError:
        return str(path)


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


_EMPTY: dict[tuple, pd.DataFrame] = {}
_SCHEMAS: dict[tuple, pa.DataFrameSchema] = {}


def _schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of a table, built once, without the columns it has nothing to check in
    (nullable and no checks: headers are checked while reading, so those columns cannot fail)."""
    key = (table.name, id(table))
    if key not in _SCHEMAS:
        full = pandera_schema(table)
        columns = {name: col for name, col in full.columns.items() if col.checks or not col.nullable}
        _SCHEMAS[key] = pa.DataFrameSchema(columns, strict=False, name=full.name)
    return _SCHEMAS[key]


def validate_frame(frame: pd.DataFrame, table: Table) -> list[DataIssue]:
    """Value checks (pandera, lazy) and duplicate keys, as issues naming file and line."""
    issues: list[DataIssue] = []
    if frame.empty:
        return issues
    checked = frame.drop(columns=[FILE_COL, LINE_COL])
    try:
        if not passes_checks(checked, table):
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
            issues.append(DataIssue(_label(data_dir / table.file, data_dir), None, None, None,
                                    f"tabel wajib '{name}' tidak ditemukan di {data_dir}"))
        frame = empty_table(table)
    else:
        frames = []
        keys = []
        before = len(issues)
        for path in files:
            label = _label(path, data_dir)
            outside = _outside_issue(path, data_dir, label)
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
            text = _decode(raw, label, issues)
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


# --------------------------------------------------------------------------- analysts' text
# Analysts' Markdown (narasi/<satker>/<tahun>/...) is untrusted: it may show images that lie in its own
# folder and link to web addresses, nothing else (data/README.md, *What the text may refer to*). Images are embedded
# here as data: URIs, so the renderers never open a file named by an analyst.
NARASI_MAX_BYTES = 1024 * 1024
NARASI_IMAGE_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
                b"GIF89a": "image/gif"}
_IMAGE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
_LINK_TARGET = re.compile(r"^(https?://[^\s<>\"\\]+|mailto:[^\s<>\"\\]+|#[A-Za-z0-9_.:-]*)$", re.I)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_TITLE = re.compile(r"""\s+("[^"]*"|'[^']*'|\([^()]*\))\s*$""")
_DEFINITION_PREFIX = re.compile(r"^[ \t>*+\-0-9.)(]*$")
RULE_IMAGE = ("gambar hanya boleh berkas PNG/JPEG/GIF di folder narasi ini, ditulis dengan path relatif tanpa spasi "
              "(mis. ![Keterangan](foto-kegiatan.png)); path absolut, '..', tautan simbolik ke luar folder, file:, "
              "http(s): dan data: tidak diizinkan")
RULE_IMAGE_REF = ("gambar harus ditulis langsung sebagai ![keterangan](berkas.png); gambar bergaya referensi "
                  "tidak diizinkan")
RULE_LINK = ("tautan hanya boleh ke alamat http://, https://, mailto: atau #bagian laporan; file:, data:, "
             "javascript: dan path berkas tidak diizinkan")
RULE_DEFINITION = "definisi tautan ([label]: alamat) hanya boleh ke alamat http://, https:// atau mailto:"
RULE_METADATA = "blok metadata YAML (--- ... ---) tidak diizinkan dalam teks narasi"
RULE_ATTRIBUTE = "atribut {...} hanya boleh #id, .kelas, width dan height (atribut lain dapat memuat berkas)"
_ATTRIBUTES = re.compile(r"(?<!\{)\{(?!\{)([^{}\n]*)\}")
_ATTRIBUTE_KEY = re.compile(r"(?:^|\s)([^\s=#.\"']+)\s*=")
_ALLOWED_ATTRIBUTES = {"width", "height"}


@dataclass(frozen=True)
class _Reference:
    """One image, link or link definition in an analysts' text: kind, target (unescaped), span of the target."""

    kind: str  # "image", "image-ref", "link", "definition"
    target: str
    start: int
    end: int


def read_narasi(path: str | Path, data_dir: str | Path) -> str:
    """An analysts' text file, checked: inside the data directory, UTF-8, bounded, and referring only to images
    in its own folder (embedded as data: URIs) and to web addresses; `@` and `$` made literal.

    Raises DataValidationError naming the file, the line and the rule broken, before anything is rendered.
    """
    path, data_dir = Path(path), Path(data_dir)
    label = _label(path, data_dir)
    outside = _outside_issue(path, data_dir, label)
    if outside is not None:
        raise DataValidationError([outside])
    try:
        if not path.resolve().is_file():  # a folder, a device or a pipe is no text
            raise DataValidationError([DataIssue(label, None, None, None, "teks narasi harus berkas biasa")])
        with path.resolve().open("rb") as fh:  # the file checked above, read no further than the limit
            raw = fh.read(NARASI_MAX_BYTES + 1)
    except OSError as exc:
        raise DataValidationError([DataIssue(label, None, None, None,
                                             f"berkas tidak dapat dibaca: {exc.strerror or exc}")]) from None
    if len(raw) > NARASI_MAX_BYTES:
        raise DataValidationError([DataIssue(label, None, None, None, "teks narasi terlalu besar; batas "
                                             f"{NARASI_MAX_BYTES} byte per berkas")])
    text = _decode_narasi(raw, label)
    issues: list[DataIssue] = []
    text = _check_narasi(text, path.parent, data_dir, label, issues)
    if issues:
        raise DataValidationError(issues)
    return text


def _decode_narasi(raw: bytes, label: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataValidationError([DataIssue(label, 1, None, None, "teks narasi harus ber-encoding UTF-8, bukan "
                                             "UTF-16 (simpan ulang sebagai UTF-8)")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        value = raw[start: None if end < 0 else end].decode("cp1252", errors="replace").strip()[:60]
        raise DataValidationError([DataIssue(
            label, line, None, value, "teks narasi harus ber-encoding UTF-8 (simpan ulang sebagai UTF-8); "
            f"byte {raw[exc.start]:#04x} bukan UTF-8 (kemungkinan Latin-1/Windows-1252)")]) from None


def _check_narasi(text: str, folder: Path, data_dir: Path, label: str, issues: list[DataIssue]) -> str:
    """The text with its images embedded and `@`/`$` escaped; every refused reference appended to `issues`."""
    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for line, block in _metadata_blocks(text):
        issues.append(DataIssue(label, line, None, block[:60], RULE_METADATA))
    for m in _ATTRIBUTES.finditer(text):
        keys = {k.lower() for k in _ATTRIBUTE_KEY.findall(m[1])}
        if keys - _ALLOWED_ATTRIBUTES:
            issues.append(DataIssue(label, line_of(m.start()), None, m[0][:80], RULE_ATTRIBUTE))
    references, literal = _scan_markdown(text)
    replacements: list[tuple[int, int, str]] = []
    for ref in references:
        value = ref.target[:80]
        if ref.kind == "image":
            embedded, problem = _embed_image(ref.target, folder, data_dir)
            if problem:
                issues.append(DataIssue(label, line_of(ref.start), None, value, f"{RULE_IMAGE} ({problem})"))
            else:
                replacements.append((ref.start, ref.end, embedded))
        elif ref.kind == "image-ref":
            issues.append(DataIssue(label, line_of(ref.start), None, value, RULE_IMAGE_REF))
        elif ref.kind == "definition" and not _LINK_TARGET.match(ref.target):
            issues.append(DataIssue(label, line_of(ref.start), None, value, RULE_DEFINITION))
        elif ref.kind == "link" and ref.target and not _LINK_TARGET.match(ref.target):
            issues.append(DataIssue(label, line_of(ref.start), None, value, RULE_LINK))
    replacements += [(pos, pos, "\\") for pos in literal]
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _metadata_blocks(text: str) -> list[tuple[int, str]]:
    """(line, first line) of every YAML metadata block pandoc would read: `---` after a blank line, a mapping,
    then `---` or `...`."""
    import yaml

    lines = text.split("\n")
    found = []
    for i, line in enumerate(lines):
        opens = line.rstrip() == "---" and (i == 0 or not lines[i - 1].strip())
        if not opens or i + 1 >= len(lines) or not lines[i + 1].strip():
            continue
        for j in range(i + 1, len(lines)):
            if lines[j].rstrip() in ("---", "..."):
                try:
                    data = yaml.safe_load("\n".join(lines[i + 1: j]))
                except yaml.YAMLError:
                    data = None
                if isinstance(data, dict):
                    found.append((i + 1, lines[i + 1].strip()))
                break
    return found


def _scan_markdown(text: str) -> tuple[list[_Reference], list[int]]:
    """Every image, link, link definition and autolink of a pandoc Markdown text, and the positions of the `@`
    and `$` that pandoc would read as a citation or as math. Conservative: code spans are skipped, every other
    `](`, `![...]` and `]:` counts, whatever pandoc would make of it."""
    refs: list[_Reference] = []
    literal: list[int] = []
    openers: list[tuple[int, bool]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            j = i
            while j < n and text[j] == "`":
                j += 1
            closing = re.compile(rf"(?<!`){'`' * (j - i)}(?!`)").search(text, j)
            i = closing.end() if closing else j
            continue
        if c == "<":
            m = _AUTOLINK.match(text, i)
            if m:
                refs.append(_Reference("link", m[1], m.start(1), m.end(1)))
                i = m.end()
                continue
        if c in "@$":
            literal.append(i)
        elif c == "[":
            openers.append((i, i > 0 and text[i - 1] == "!"))
        elif c == "]" and openers:
            start, image = openers.pop()
            following = text[i + 1: i + 2]
            if following == "(":
                target, t_start, t_end, i = _destination(text, i + 2)
                refs.append(_Reference("image" if image else "link", target, t_start, t_end))
                continue
            if image:
                refs.append(_Reference("image-ref", text[start - 1: i + 1], start, i + 1))
            elif following == ":" and not text.startswith("^", start + 1) and _DEFINITION_PREFIX.match(
                    text[text.rfind("\n", 0, start) + 1: start]):
                m = re.compile(r"[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)").match(text, i + 2)
                if m:
                    target = m[1][1:-1] if m[1].startswith("<") and m[1].endswith(">") else m[1]
                    refs.append(_Reference("definition", _UNESCAPE.sub(r"\1", target).strip(), m.start(1), m.end(1)))
                    i = m.end()
                    continue
        i += 1
    return refs, literal


def _destination(text: str, pos: int) -> tuple[str, int, int, int]:
    """(unescaped target, start, end, position after the closing parenthesis) of an inline link destination:
    everything up to the closing parenthesis but a title, as pandoc reads it (spaces included)."""
    n = len(text)
    depth, close = 0, pos
    while close < n:
        ch = text[close]
        if ch == "\\":
            close += 2
            continue
        if ch == ")" and depth == 0:
            break
        depth += {"(": 1, ")": -1}.get(ch, 0)
        close += 1
    close = min(close, n)
    inner = text[pos:close]
    start = pos + len(inner) - len(inner.lstrip())
    body = _TITLE.sub("", inner).strip()
    if body.startswith("<") and ">" in body:
        body = body[: body.index(">") + 1]
    end = start + len(body)
    target = body[1:-1] if body.startswith("<") and body.endswith(">") else body
    return _UNESCAPE.sub(r"\1", target).strip(), start, end, close + 1


def _embed_image(target: str, folder: Path, data_dir: Path) -> tuple[str, str | None]:
    """(data: URI, None) for an image file inside `folder`, or ("", why it is refused)."""
    if not _IMAGE_PATH.match(target):
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", target)
        if scheme:
            return "", f"alamat {scheme[1].lower()}: tidak diizinkan"
        if target.startswith(("/", "\\", "~")):
            return "", "path absolut tidak diizinkan"
        if ".." in target:
            return "", "'..' keluar dari folder narasi"
        return "", "nama berkas hanya boleh huruf, angka, titik, minus, garis bawah dan '/'"
    path = folder / target
    if not inside(path, folder) or not inside(path, data_dir):
        return "", "berada di luar folder narasi"
    try:
        if not path.is_file():
            return "", "berkas tidak ditemukan"
        if path.stat().st_size > NARASI_IMAGE_MAX_BYTES:
            return "", f"berkas gambar lebih dari {NARASI_IMAGE_MAX_BYTES} byte"
        raw = path.read_bytes()
    except OSError as exc:
        return "", f"berkas tidak dapat dibaca: {exc.strerror or exc}"
    mime = next((m for magic, m in _IMAGE_TYPES.items() if raw.startswith(magic)), None)
    if mime is None:
        return "", "bukan berkas PNG, JPEG atau GIF"
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}", None


# --------------------------------------------------------------------------- the dataset
@dataclass
class Dataset:
    """Every table of one data directory (optionally narrowed to one satker)."""

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    satker_filter: str | None = None
    invalid: frozenset = frozenset()  # names of tables read with issues (see collect)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def unit(self, satker: str) -> pd.Series:
        """The satker.csv row of one unit."""
        rows = self.tables["satker"]
        match = rows[rows["satker"] == satker]
        if match.empty:
            raise UnknownSatkerError(satker, rows["satker"].tolist(), "satker.csv")
        return match.iloc[0]

    def for_satker(self, satker: str, tables: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
        names = tables or tuple(self.tables)
        out = {}
        for n in names:
            df = self.tables[n]
            out[n] = df if not TABLES[n].per_satker else df[df["satker"] == satker]
        return out

    def narasi_dir(self, satker: str, tahun: int) -> Path:
        return self.data_dir / "narasi" / satker / str(tahun)

    def satker_list(self) -> list[str]:
        return self.tables["satker"]["satker"].tolist()


def _check_references(ds: Dataset, issues: list[DataIssue]) -> None:
    """Cross-table rules every consumer relies on: satker exists, framework exists, indicator exists,
    the indicator's conversion rule and perspective exist in its framework.

    A rule runs only when every table it reads was read without issues (ds.invalid), so a broken
    table is reported once, not again as a flood of dangling references.
    """
    from lakin.rules.frameworks import available_frameworks, load_frameworks
    from lakin.rules.scoring import validate_inputs

    bad = ds.invalid
    if "satker" in bad:
        return
    units = ds.tables["satker"]
    slugs = set(units["satker"])
    # framework files beside the data first, then the package's; a malformed file is reported key by key
    loaded, framework_issues = load_frameworks(units["kerangka"], ds.data_dir)
    issues.extend(framework_issues)
    known_frameworks = set(available_frameworks(ds.data_dir))
    for _, row in units[~units["kerangka"].isin(known_frameworks)].iterrows():
        issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "kerangka", row["kerangka"],
                                f"kerangka yang dikenal: {', '.join(sorted(known_frameworks))}"))
    for name in TABLE_ORDER:
        table = TABLES[name]
        if not table.per_satker or name in bad:
            continue
        df = ds.tables[name]
        bad_rows = df[~df["satker"].isin(slugs)]
        for _, row in bad_rows.iterrows():
            issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "satker", row["satker"],
                                    "satker yang terdaftar di satker.csv"))
    if "iku" in bad:
        return
    iku = ds.tables["iku"]
    if "iku_nilai" not in bad:
        defined = set(zip(iku["satker"], iku["kode"]))
        nilai = ds.tables["iku_nilai"]
        orphan = [pair not in defined for pair in zip(nilai["satker"], nilai["kode"])]
        for _, row in nilai[orphan].iterrows():
            issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "kode", row["kode"],
                                    f"indikator yang didefinisikan di iku.csv untuk satker {row['satker']}"))
    known_units = units[units["kerangka"].isin(list(loaded))]
    kerangka = dict(zip(known_units["satker"], known_units["kerangka"]))
    frameworks = iku["satker"].map(kerangka)
    for framework_id, rows in iku[frameworks.notna()].groupby(frameworks[frameworks.notna()], sort=False):
        fw = loaded[framework_id]
        aturan = rows["aturan_capaian"] if "aturan_capaian" in rows else pd.Series(dtype=object)
        unknown_rule = aturan.map(lambda a: isinstance(a, str) and bool(a) and a not in fw.aturan)
        for _, row in rows[unknown_rule.astype(bool)].iterrows():
            known = ", ".join(sorted(fw.aturan)) or "(tidak ada)"
            issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "aturan_capaian", row["aturan_capaian"],
                                    f"aturan capaian yang didefinisikan di kerangka {fw.id}: {known}"))
        bobot = fw.overall.get("bobot") if fw.overall.get("agregasi") == "weighted" else None
        column = fw.levels[-1]["kolom"]
        if bobot and column in rows:
            for _, row in rows[~rows[column].isin(list(bobot))].iterrows():
                issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), column, row[column],
                                        f"salah satu dari: {', '.join(bobot)} (kerangka {fw.id})"))
        units_of = set(rows["satker"])
        issues.extend(validate_inputs(fw, {n: ds.tables[n][ds.tables[n]["satker"].isin(units_of)]
                                           for n in ("iku", "iku_nilai", "bobot_kerangka") if n not in bad}))


def collect(data_dir: str | Path | None = None, satker: str | None = None) -> tuple[Dataset, list[DataIssue]]:
    """Read every table and every cross-table rule, collecting issues instead of raising.

    Tables that had issues are named in `Dataset.invalid`; their rows that could be read are kept.
    Raises only for what no table can answer: a missing data directory, a malformed or unknown satker.
    """
    from lakin.data.params import validate_satker

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
            raise UnknownSatkerError(satker, sorted(slugs), _label(data_dir / "satker.csv", data_dir))
    tables = {"satker": units}
    for name in TABLE_ORDER:
        if name == "satker":
            continue
        before = len(issues)
        tables[name] = read_table(data_dir, name, satker=satker, slugs=slugs, issues=issues)
        if len(issues) > before:
            invalid.add(name)
    ds = Dataset(data_dir=data_dir, tables=tables, satker_filter=satker, invalid=frozenset(invalid))
    _check_references(ds, issues)
    return ds, issues


def load(data_dir: str | Path | None = None, satker: str | None = None) -> Dataset:
    """Load and validate every table; with `satker`, only that unit's rows (and files) are read.

    Raises DataValidationError carrying every issue found (file, line, column, value, expected).
    """
    ds, issues = collect(data_dir, satker)
    if issues:
        raise DataValidationError(issues)
    return ds
