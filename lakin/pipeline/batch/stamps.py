"""Up to date or not: the fingerprint of a report's inputs, and the build record stored with the report.

A report is rebuilt only when the `fingerprint` of its inputs changed: that unit's data
(`lakin.data.fingerprint.unit_data_digest`), the chapter notebooks, the framework files, lakin's version and
source files, and the request (formats, engine). The record, reports/<satker>/<period>/.lakin-build.json, is
written atomically after everything else, so an interrupted build is never taken for a finished one.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lakin import PACKAGE_DIR, __version__
from lakin.atomic import write_text
from lakin.data.fingerprint import digest, tree_digest, unit_data_digest
from lakin.data.params import validate_period
from lakin.pipeline.execute import NOTEBOOK_DIR, PROJECT_DIR
from lakin.pipeline.render import get_engine

__all__ = ["DEPENDENCIES", "PART_NAMES", "STAMP_FORMAT", "STAMP_NAME", "Fingerprint", "fingerprint",
           "notebooks_digest", "read_stamp", "shared_parts", "staleness", "write_stamp"]

STAMP_NAME = ".lakin-build.json"
STAMP_FORMAT = 1
# Libraries whose version changes what a report looks like (tables, charts, documents).
DEPENDENCIES = ("pandas", "numpy", "altair", "vl-convert-python", "papermill", "nbformat", "pypandoc-binary",
                "typst", "python-docx", "openpyxl", "babel", "num2words")
# How a changed fingerprint part is named to the user.
PART_NAMES = {"data": "data", "notebooks": "notebook", "frameworks": "kerangka", "lakin": "lakin",
              "request": "format"}


@dataclass(frozen=True)
class Fingerprint:
    """The sha256 of a report's inputs, and of each part (to say what changed)."""

    digest: str
    parts: dict[str, str]


def notebooks_digest(notebook_dir: str | Path | None = None) -> str:
    """sha256 of the chapter notebooks as papermill runs them: cell types, sources, tags and the chapter
    metadata, not their saved outputs (re-executing the committed examples changes no report)."""
    folder = Path(notebook_dir) if notebook_dir else NOTEBOOK_DIR
    chunks: list[bytes] = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [(c.get("cell_type"), "".join(c.get("source", "")), c.get("metadata", {}).get("tags", []))
                 for c in nb.get("cells", [])]
        meta = {k: nb.get("metadata", {}).get(k) for k in ("lakin", "kernelspec")}
        chunks += [path.name.encode(), json.dumps([meta, cells], sort_keys=True).encode()]
    quarto = PROJECT_DIR / "_quarto.yml"
    if quarto.is_file():
        chunks += [b"_quarto.yml", quarto.read_bytes()]
    return digest(*chunks)


@cache
def _environment() -> str:
    versions = {"python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return json.dumps(versions, sort_keys=True)


def shared_parts(engine: str = "auto") -> dict[str, str]:
    """The fingerprint parts every report shares: chapter notebooks, frameworks, lakin, render engine."""
    frameworks = PACKAGE_DIR / "rules" / "frameworks"
    return {
        "notebooks": notebooks_digest(),
        "frameworks": tree_digest(frameworks),
        "lakin": digest(__version__.encode(), tree_digest(PACKAGE_DIR, exclude=frameworks).encode(),
                        _environment().encode()),
        "engine": get_engine(engine).name,
    }


def fingerprint(satker: str, period: str, formats: Iterable[str], data_dir: str | Path, engine: str = "auto",
                shared: dict[str, str] | None = None) -> Fingerprint:
    """What a report is built from; the report is rebuilt when this changes. `shared`: `shared_parts(engine)`
    computed once for many reports."""
    shared = dict(shared or shared_parts(engine))
    request = {"satker": satker, "periode": validate_period(period).label, "formats": sorted(set(formats)),
               "engine": shared.pop("engine")}
    parts = {"data": unit_data_digest(data_dir, satker), **shared,
             "request": digest(json.dumps(request, sort_keys=True).encode())}
    return Fingerprint(digest(json.dumps(parts, sort_keys=True).encode()), parts)


def read_stamp(out_dir: Path) -> dict | None:
    """The build record of a finished report, or None (never built, being rebuilt, or unreadable)."""
    try:
        stamp = json.loads((out_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("format") == STAMP_FORMAT else None


def staleness(out_dir: Path, fp: Fingerprint) -> str | None:
    """Why the report in `out_dir` must be (re)built, or None when it is up to date."""
    stamp = read_stamp(out_dir)
    if stamp is None:
        return "belum dibangun"
    if stamp.get("fingerprint") != fp.digest:
        old = stamp.get("parts") or {}
        changed = [PART_NAMES.get(k, k) for k, v in fp.parts.items() if old.get(k) != v]
        return "berubah: " + ", ".join(changed or ["sidik"])
    missing = [name for name in (stamp.get("files") or {}).values() if not (out_dir / name).exists()]
    if missing:
        return f"berkas hilang: {', '.join(sorted(missing))}"
    return None


def write_stamp(out_dir: Path, fp: Fingerprint, formats: Sequence[str], result) -> None:
    """Record a finished build (`lakin.pipeline.build.build`'s result), atomically, after every output."""
    files = {kind: path.name for kind, path in result.files.items()}
    files["notebooks"] = "notebooks"
    stamp = {
        "format": STAMP_FORMAT, "satker": result.run.params.satker, "periode": result.run.params.period.label,
        "formats": list(formats), "fingerprint": fp.digest, "parts": fp.parts, "files": files,
        "chapters": [ch.name for ch in result.run.chapters], "lakin": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
    }
    write_text(out_dir / STAMP_NAME, json.dumps(stamp, indent=2, ensure_ascii=False) + "\n")
