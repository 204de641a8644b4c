"""What a unit's report reads from a data directory, as one sha256: the `data` part of a build's fingerprint.

`unit_data_digest(data_dir, satker)` hashes the unit's row of satker.csv, its own files (by the ownership rule
of `lakin.data.files`), its rows of shared files (and rows of no known unit, which fail every unit's
validation), its analysts' texts (narasi/<satker>/) and the data's own frameworks (frameworks/: a unit's
`kerangka` file there overrides lakin's, lakin.rules.frameworks). Other units' files and rows, and file times,
are not part of it. Only Python's `csv` module reads the shared files (no pandas): on 1,000 units a digest costs a few
milliseconds, listings and satker.csv being remembered while unchanged.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import sys
import time
from importlib import metadata
from pathlib import Path

from lakin import PACKAGE_DIR, __version__
from lakin.data.files import RACY_NS, csv_by_owner, file_owner
from lakin.data.schemas import TABLES

__all__ = ["ENVIRONMENT_PACKAGES", "digest", "environment_digest", "files_under", "lakin_digest", "tree_digest",
           "unit_data_digest"]


def digest(*chunks: bytes) -> str:
    """sha256 of byte strings, each prefixed by its length (so no two sequences of chunks hash alike)."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(len(chunk).to_bytes(8, "little"))
        h.update(chunk)
    return h.hexdigest()


# Libraries whose version changes what lakin computes or what a chapter notebook shows (tables, charts, execution
# metadata): part of what an incremental build (lakin.pipeline.incremental) and a kept check
# (lakin.tools.check.run) compare.
ENVIRONMENT_PACKAGES = ("pandas", "numpy", "altair", "vl-convert-python", "ipykernel", "ipython", "nbformat",
                        "nbclient", "papermill")


@functools.cache
def lakin_digest() -> str:
    """lakin's version and every file of the package (code, outlines, frameworks, templates)."""
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest(__version__.encode(),
                  *(chunk for p in files for chunk in (p.relative_to(PACKAGE_DIR).as_posix().encode(), p.read_bytes())))


@functools.cache
def environment_digest() -> str:
    """The versions of Python and of ENVIRONMENT_PACKAGES."""
    parts = [sys.version]
    for name in ENVIRONMENT_PACKAGES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} -")
    return digest("\n".join(parts).encode())


def files_under(folder: Path) -> list[Path]:
    """Every file below a folder (sorted), hidden files and folders, `__pycache__` and .pyc aside."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"
                  and not any(part == "__pycache__" or part.startswith(".") for part in p.relative_to(folder).parts))


def tree_digest(folder: Path, exclude: Path | None = None) -> str:
    """sha256 of the names and contents of every file under a folder (`files_under`), except under `exclude`."""
    chunks: list[bytes] = []
    for path in files_under(folder):
        if exclude is not None and exclude in path.parents:
            continue
        chunks += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return digest(*chunks)


def _satker_column(header: list[str]) -> int | None:
    names = [h.strip().lstrip("\ufeff\xef\xbb\xbf") for h in header]
    return names.index("satker") if "satker" in names else None


_UNITS: dict[str, tuple[tuple, set[str], dict[str, bytes]]] = {}


def _units_index(path: Path) -> tuple[set[str], dict[str, bytes]]:
    """satker.csv: the units it names, and each unit's header and row(s) as bytes (see `_rows`),
    remembered until the file changes."""
    stat = path.stat()
    token = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _UNITS.get(str(path))
    if cached is not None and cached[0] == token:
        return cached[1], cached[2]
    reader = csv.reader(io.StringIO(path.read_bytes().decode("latin-1"), newline=""))
    header = next(reader, [])
    column = _satker_column(header)
    records: dict[str, list[list[str]]] = {}
    for record in reader:
        key = record[column].strip() if column is not None and column < len(record) else ""
        records.setdefault(key, []).append(record)
    rows = {}
    for key, group in records.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([header, *group])
        rows[key] = out.getvalue().encode("latin-1")
    slugs = set(records) - {""}
    if time.time_ns() - stat.st_mtime_ns > RACY_NS:
        _UNITS[str(path)] = (token, slugs, rows)
    return slugs, rows


def _rows(raw: bytes, keep) -> bytes:
    """The header and the records `keep(satker_cell)` accepts, of a CSV, re-serialised byte for byte
    (latin-1 maps every byte to one character, so any change to a kept record changes the result)."""
    reader = csv.reader(io.StringIO(raw.decode("latin-1"), newline=""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = next(reader, None)
    if header is None:
        return b""
    writer.writerow(header)
    column = _satker_column(header)
    if column is None:
        return raw  # not split by unit: all of it
    for record in reader:
        cell = record[column].strip() if column < len(record) else ""
        if keep(cell):
            writer.writerow(record)
    return out.getvalue().encode("latin-1")


def unit_data_digest(data_dir: str | Path, satker: str) -> str:
    """sha256 of what a unit's report reads: its satker.csv row, its own files, its rows of shared files
    (and rows of no known unit, which fail validation), its analysts' texts (narasi/<satker>/) and the
    frameworks beside the data (frameworks/, which a build's snapshot copies whole)."""
    data_dir = Path(data_dir)
    slugs, unit_rows = _units_index(data_dir / TABLES["satker"].file)
    chunks: list[bytes] = [b"satker.csv", unit_rows.get(satker, b"")]

    def shared(cell: str) -> bool:
        return cell == satker or cell not in slugs

    for name, table in TABLES.items():
        if name == "satker":
            continue
        single = data_dir / table.file
        files = [(single, file_owner(single.stem, slugs))] if single.is_file() else []
        groups = csv_by_owner(data_dir / table.name, slugs)
        files += [(data_dir / table.name / n, owner) for owner in (satker, None) for n in groups.get(owner, [])]
        for path, owner in files:
            if owner is not None and owner != satker:
                continue
            content = path.read_bytes()
            if owner is None and table.per_satker:
                content = _rows(content, shared)
            chunks += [path.relative_to(data_dir).as_posix().encode(), content]
    for path in files_under(data_dir / "narasi" / satker) + files_under(data_dir / "frameworks"):
        chunks += [path.relative_to(data_dir).as_posix().encode(), path.read_bytes()]
    return digest(*chunks)
