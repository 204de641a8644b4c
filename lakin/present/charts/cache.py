"""Converted charts kept by content: a chart drawn once is never drawn again while its spec is unchanged.

Drawing a chart (vl-convert running Vega, then resvg for PNG) costs 60-90 ms; a report has up to 30. An
analyst's rebuild after editing a paragraph, the build of the same report in every format, and a test suite
building the shipped reports many times draw the same charts again and again. The cache is keyed by the
SHA-256 of everything the result depends on: the kind of conversion, vl-convert's version, the locales and
scale, and the spec (or SVG) itself. An entry is written atomically and read back only when its stored digest
still matches its bytes, so a damaged entry is drawn again, never used.

The same cache keeps the reconciliation of a unit's year (`lakin.tools.check.run.kept_check_satker`), by the
content of the data it read, and a report's list of its charts' entries (`lakin.pipeline.sidework.remember_charts`).

Where: `$LAKIN_CACHE_DIR/charts`, else `$XDG_CACHE_HOME/lakin/charts`, else `~/.cache/lakin/charts`.
`LAKIN_CHART_CACHE=0` turns it off. The folder is kept under `MAX_BYTES` (the entries least recently used go
first), checked every `PRUNE_EVERY` writes of a process.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable, Iterable

from lakin.atomic import write_bytes
from lakin.data.fingerprint import digest

__all__ = ["MAX_BYTES", "PRUNE_EVERY", "STATS", "cache_root", "cached", "enabled", "holds", "keep", "location", "peek",
           "prune"]

MAX_BYTES = 256 * 2**20
PRUNE_EVERY = 200
STATS = {"hits": 0, "misses": 0}  # this process's conversions served from the cache and drawn
_DIGEST = 32  # bytes of SHA-256 stored before the entry's content
_HEX = "0123456789abcdef"  # an entry's name: the hexadecimal SHA-256 of its inputs
_writes = 0


def cache_root() -> Path:
    """lakin's cache folder (the Vega bundle and the charts live under it)."""
    explicit = os.environ.get("LAKIN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lakin"


def enabled() -> bool:
    return os.environ.get("LAKIN_CHART_CACHE", "1") != "0"


def _entry(key: str) -> Path:
    return cache_root() / "charts" / key[:2] / key


def _read(path: Path) -> bytes | None:
    try:
        raw = path.read_bytes()
        body = raw[_DIGEST:]
        if hashlib.sha256(body).digest() == raw[:_DIGEST]:
            os.utime(path)  # recently used: pruned last
            return body
    except OSError:
        pass
    return None


def location(kind: str, parts: tuple[str, ...]) -> Path | None:
    """The file where `cached` keeps its result for `parts` (None: the cache is off). It exists once drawn."""
    if not enabled():
        return None
    return _entry(digest(kind.encode("utf-8"), *(part.encode("utf-8") for part in parts)))


def peek(where: Path | None) -> bytes | None:
    """What `cached` keeps at `where` (its `location`) when it is in the cache (another process may have drawn it),
    else None: nothing is drawn."""
    return None if where is None else _read(where)


def _store(path: Path, body: bytes) -> bool:
    """Write `body` at `path`, with its digest, atomically; False when the disk refuses (read-only, full)."""
    try:
        write_bytes(path, hashlib.sha256(body).digest() + body)
    except OSError:
        return False
    return True


def keep(kind: str, parts: tuple[str, ...], body: bytes) -> None:
    """Keep `body` for `parts`, replacing what was kept (`peek(location(kind, parts))` reads it back); nothing when
    the cache is off or cannot be written."""
    path = location(kind, parts)
    if path is not None:
        _store(path, body)


def holds(names: Iterable[str]) -> bool:
    """True when the cache holds each entry named (the file name of its `location`): a stat each, nothing read."""
    return all(len(name) == 64 and not name.strip(_HEX) and _entry(name).is_file() for name in names)


def cached(kind: str, parts: tuple[str, ...], convert: Callable[[], bytes]) -> bytes:
    """The result of `convert()` for the inputs `parts`, from the cache when present, else drawn and stored."""
    path = location(kind, parts)
    if path is None:
        return convert()
    body = _read(path)
    if body is not None:
        STATS["hits"] += 1
        return body
    body = convert()
    STATS["misses"] += 1
    if not _store(path, body):
        return body  # a read-only or full disk: the chart is still drawn, only not kept
    global _writes
    _writes += 1
    if _writes % PRUNE_EVERY == 0:
        prune()
    return body


def prune(max_bytes: int = MAX_BYTES) -> int:
    """Remove the least recently used entries until the chart cache holds at most `max_bytes`; the count removed."""
    folder = cache_root() / "charts"
    entries = []
    for path in folder.glob("*/*"):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        removed += 1
    return removed
