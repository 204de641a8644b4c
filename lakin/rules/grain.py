"""The data contract's grain, read alike by every rule: a table by name, one satker-year, and the one rule
"an empty key column means the total over that key" (revenue: bulan/jenis/akun; budget: kegiatan/jenis belanja...).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from lakin.values import is_blank

__all__ = ["rows_for", "table", "total_rows"]


def table(tables, name: str) -> pd.DataFrame:
    """The table `name` of a dict of tables (or of an object with that attribute); an empty frame if absent."""
    df = tables.get(name) if hasattr(tables, "get") else getattr(tables, name, None)
    return pd.DataFrame() if df is None else df


def rows_for(df: pd.DataFrame, satker: str | None = None, tahun: int | None = None) -> pd.DataFrame:
    """The rows of one satker and/or year (a column the frame lacks is not filtered)."""
    if df.empty:
        return df
    out = df
    if satker is not None and "satker" in out.columns:
        out = out[pd.Series(out["satker"] == satker).fillna(False).astype(bool).values]
    if tahun is not None and "tahun" in out.columns:
        out = out[pd.Series(pd.to_numeric(out["tahun"], errors="coerce") == tahun).fillna(False).astype(bool).values]
    return out


def total_rows(keys: Sequence[tuple]) -> list[int]:
    """Positions of the rows that together make the total over the key columns, without double counting.

    `keys` holds, per row, its values of the key columns (in priority order). A row whose keys are all empty is
    the total itself and wins. Otherwise a row covered by a coarser row (one whose filled keys are a subset of
    its own, with equal values) is dropped; of cross-cutting grains (e.g. per jenis belanja and per kegiatan) the
    coarsest, then the first in key order, is kept: two grains are never added together.
    """
    if not keys:
        return []
    patterns = [frozenset(i for i, v in enumerate(k) if not is_blank(v)) for k in keys]
    exact = [n for n, p in enumerate(patterns) if not p]
    if exact:
        return exact

    def key(n, p):
        return p, tuple(keys[n][i] for i in sorted(p))

    present = {key(n, p) for n, p in enumerate(patterns)}
    distinct = set(patterns)
    uncovered = [n for n, p in enumerate(patterns) if not any(key(n, q) in present for q in distinct if q < p)]
    first = min({patterns[n] for n in uncovered}, key=lambda p: (len(p), sorted(p)))
    return [n for n in uncovered if patterns[n] <= first or patterns[n] >= first]
