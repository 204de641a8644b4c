"""Where the input files are, and whom they belong to: the data directory, a table's files, the satker owning
a file, and the rule that no input lies outside the data directory.

A table is `<name>.csv` and/or a folder `<name>/` of CSVs with the same header. A file of the folder belongs
to the satker whose slug is its name or starts it followed by '-' (`<slug>.csv`, `<slug>-*.csv`; the longest
such slug wins); a file of no satker is shared by all. `file_owner` is that rule, the one place it is written:
loading (`table_files`) and fingerprinting (`lakin.data.fingerprint`) both read it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from lakin.data.schemas import Table
from lakin.errors import DataIssue

__all__ = ["RACY_NS", "csv_by_owner", "default_data_dir", "file_owner", "find_data_dir", "inside", "outside_issue",
           "source_label", "table_files"]

# Listings are remembered while a folder is unchanged; one changed this recently (ns) may change again within
# its mtime's resolution, so it is listed again next time.
RACY_NS = 2_000_000_000


def default_data_dir() -> Path:
    """The data directory `find_data_dir` finds when none is given."""
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


def file_owner(stem: str, slugs: set[str]) -> str | None:
    """The satker a file named `stem` (.csv) belongs to: the longest slug equal to its name or followed by '-'
    in it, looked up prefix by prefix (time proportional to the name, not to the number of units); None: shared."""
    parts = stem.split("-")
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if candidate in slugs:
            return candidate
    return None


# Folder listings grouped by owning satker, valid while the folder's mtime (entries added, removed or renamed)
# and the set of slugs are unchanged: loading or fingerprinting unit after unit of a thousand lists each folder once.
_LISTINGS: dict[str, tuple[tuple, dict[str | None, list[str]]]] = {}


def csv_by_owner(folder: Path, slugs: set[str]) -> dict[str | None, list[str]]:
    """The CSV file names of a table folder (sorted) grouped by the satker owning them (None: shared by all);
    empty when the folder cannot be listed."""
    try:
        mtime = os.stat(folder).st_mtime_ns
    except OSError:
        return {}
    token = (mtime, len(slugs), hash(frozenset(slugs)))
    cached = _LISTINGS.get(str(folder))
    if cached is not None and cached[0] == token:
        return cached[1]
    groups: dict[str | None, list[str]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".csv") and entry.is_file():
                groups.setdefault(file_owner(entry.name[:-4], slugs), []).append(entry.name)
    for names in groups.values():
        names.sort()
    if time.time_ns() - mtime > RACY_NS:
        _LISTINGS[str(folder)] = (token, groups)
    return groups


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
        owners = csv_by_owner(folder, slugs or set())
        if satker is not None and slugs:
            names = owners.get(satker, []) + owners.get(None, [])
        else:
            names = [n for group in owners.values() for n in group]
        files.extend(folder / n for n in sorted(names))
    return files


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every symbolic link resolved, lies inside `folder` (also resolved)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True


def outside_issue(path: Path, data_dir: Path, label: str) -> DataIssue | None:
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


def source_label(path: Path, data_dir: Path) -> str:
    """How issues name an input file: its path relative to the data directory (else the path as given)."""
    try:
        return str(path.relative_to(data_dir))
    except ValueError:
        return str(path)
