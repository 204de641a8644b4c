"""Budget amounts by grain: the DIPA pagu and the cumulative realisation at a key (per jenis belanja, kegiatan...).

Pure functions over one satker's loaded tables (`pagu`, `rpd`, `realisasi_anggaran`). The grain convention of the
data contract is the one rule of `lakin.rules.grain` ("an empty key column means the total over that key"): a
total row is authoritative for its total, detail rows for the detail, and a total is only built from detail rows
where no total row exists. Where two cross-cutting grains both cover an amount (per jenis belanja and per kegiatan,
as in seed 003) one of them is used, never their sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from lakin.data.load import FILE_COL, LINE_COL
from lakin.data.periods import (
    CUMULATIVE_LABELS,
    CUMULATIVE_PERIOD,
    DATA_PERIODS,
    PERIOD_END_MONTH,
    ReportPeriod,
    parse_period,
)
from lakin.rules.grain import table, total_rows
from lakin.values import is_na, nama_bulan

__all__ = [
    "DIM_LABEL", "FLOW_DIMS", "PAGU_DIMS", "REASON_PAGU_NOL", "Parts", "amount_value", "as_period",
    "by_month", "column", "cumulative_by_month", "cumulative_periods_at", "dims_present", "frames_unchanged",
    "grain_text", "itemised_by",
    "key_label", "last_row", "of_year", "pagu_amount", "pagu_rows", "percent_of_pagu", "positions", "realisasi_amount",
    "realisasi_at", "resolve", "row_location", "rows_of", "total_at",
]

PAGU_DIMS = ("program_kode", "kegiatan_kode", "kro_kode", "jenis_belanja", "sumber_dana")
FLOW_DIMS = ("kegiatan_kode", "jenis_belanja")  # rpd and realisasi_anggaran
DIM_LABEL = {"program_kode": "program", "kegiatan_kode": "kegiatan", "kro_kode": "KRO",
             "jenis_belanja": "jenis belanja", "sumber_dana": "sumber dana"}
REASON_PAGU_NOL = "pagu Rp0, persentase tidak dapat dihitung"


# --------------------------------------------------------------------------- columns read once
# Within `frames_unchanged()` (this thread or task only: a context variable), each column of a frame is taken out
# of it once: `lakin check` asks for the same few columns of the same frames thousands of times for one unit (every
# key at every month), and pandas' column lookup cost more than the sums. The cache holds each frame, so its id
# names no other frame while the cache lives.
_COLUMNS: ContextVar[dict | None] = ContextVar("lakin_budget_columns", default=None)


@contextmanager
def frames_unchanged() -> Iterator[None]:
    """Within it, the frames given to `positions`, `total_at` and `column` are not changed in place (no column
    set or overwritten): each of their columns is read out once and kept until the block ends. A block within
    another keeps the outer block's columns."""
    if _COLUMNS.get() is not None:
        yield
        return
    token = _COLUMNS.set({})
    try:
        yield
    finally:
        _COLUMNS.reset(token)


def column(rows: pd.DataFrame, name: str, dtype=None) -> np.ndarray:
    """`rows[name].to_numpy(dtype=dtype)`, read once per frame within `frames_unchanged()`."""
    cache = _COLUMNS.get()
    if cache is None:
        return rows[name].to_numpy(dtype=dtype)
    key = (id(rows), name, dtype)
    kept = cache.get(key)
    if kept is None:
        kept = cache[key] = (rows, rows[name].to_numpy(dtype=dtype))
    return kept[1]


# --------------------------------------------------------------------------- small helpers
def as_period(period: ReportPeriod | str) -> ReportPeriod:
    return period if isinstance(period, ReportPeriod) else parse_period(period)


def of_year(df: pd.DataFrame, tahun: int) -> pd.DataFrame:
    if df.empty:
        return df
    return df[df["tahun"] == tahun]


def dims_present(df: pd.DataFrame, dims) -> list[str]:
    return [d for d in dims if d in df.columns]


def percent_of_pagu(part: float, whole: float) -> tuple[float, str | None]:
    """part / whole x 100, or NaN with the reason."""
    if is_na(whole):
        return math.nan, "pagu tidak tersedia"
    if is_na(part):
        return math.nan, None
    if float(whole) == 0.0:
        return math.nan, REASON_PAGU_NOL
    return float(part) / float(whole) * 100.0, None


def row_location(row) -> tuple[str, int | None]:
    line = row.get(LINE_COL) if hasattr(row, "get") else None
    return str(row.get(FILE_COL, "")), (None if is_na(line) else int(line))


def last_row(used: pd.DataFrame):
    """The row an issue about an amount made of `used` rows points at (the last one in its file)."""
    if LINE_COL in used.columns:
        return used.sort_values(LINE_COL).iloc[-1]
    return used.iloc[-1]


def key_label(fixed: dict) -> str:
    if not fixed:
        return "total"
    return ";".join(f"{k}={v}" for k, v in fixed.items())


# --------------------------------------------------------------------------- the grain convention
def positions(rows: pd.DataFrame, dims, fixed: dict) -> np.ndarray:
    """The positions of the rows that together make the amount at `fixed` (other key columns totalled), without
    double counting (`lakin.rules.grain.total_rows` over the key columns not fixed, in `dims` order)."""
    dims = dims_present(rows, dims)
    mask = np.ones(len(rows), dtype=bool)
    for d, v in fixed.items():
        mask &= column(rows, d, object) == str(v)  # key columns are text: 52 and "52" are one code
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return idx
    free = [d for d in dims if d not in fixed]
    columns = [column(rows, d, object)[idx] for d in free]
    keys = list(zip(*columns)) if columns else [()] * len(idx)
    return idx[total_rows(keys)]


def resolve(rows: pd.DataFrame, dims, fixed: dict) -> pd.DataFrame:
    """The rows that together make the amount at `fixed` (`positions`)."""
    return rows.iloc[positions(rows, dims, fixed)]


def total_at(rows: pd.DataFrame, col: str, at: np.ndarray) -> float:
    """The sum of `col` over the rows at positions `at` as pandas sums a column (N/A left out); NaN for no row.

    A float column (every amount the loader reads) is summed by numpy's nansum on the chosen values: what pandas'
    sum does (N/A as 0, then the same pairwise sum in the same order), without taking the rows out of the frame,
    which cost ten times the sum (`lakin check` totals a unit's budget at every key and month)."""
    if len(at) == 0:
        return math.nan
    values = column(rows, col)
    if values.dtype == np.float64:
        return float(np.nansum(values[at]))
    return float(rows[col].iloc[at].sum())


def by_month(rows: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """Rows with a month, split by month (1..12)."""
    if rows.empty:
        return {}
    part = rows[rows["bulan"].notna()]
    return {int(m): g for m, g in part.groupby("bulan", sort=True)}


def itemised_by(rows: pd.DataFrame, fixed: dict) -> bool:
    """Whether `rows` are itemised by every key in `fixed` (so a value missing from them means nothing)."""
    if rows.empty or not fixed:
        return False
    mask = pd.Series(True, index=rows.index)
    for d in fixed:
        mask &= rows[d].notna()
    return bool(mask.any())


def amount_value(rows: pd.DataFrame, dims, fixed: dict, col: str) -> float:
    """The amount at `fixed` (NaN when no row makes it), where the rows it is made of are not needed."""
    return total_at(rows, col, positions(rows, dims, fixed))


Parts = list[tuple[pd.DataFrame, np.ndarray]]  # rows as (frame, positions in it), taken out by `rows_of`


def rows_of(parts: Parts) -> pd.DataFrame:
    """The rows at the positions of each part (a frame and positions in it), one part after the other."""
    return pd.concat([frame.iloc[at] for frame, at in parts])


# --------------------------------------------------------------------------- pagu
def pagu_amount(tables, tahun: int, **fixed) -> float:
    """The DIPA pagu of a year at a key (e.g. jenis_belanja='52', kegiatan_kode='4695'); NaN if not given."""
    return amount_value(of_year(table(tables, "pagu"), tahun), PAGU_DIMS, fixed, "pagu")


def pagu_rows(tables, tahun):
    return of_year(table(tables, "pagu"), tahun)


# --------------------------------------------------------------------------- realisation
def cumulative_periods_at(end_month: int, canonical: str | None) -> list[str]:
    others = [p for p in DATA_PERIODS if PERIOD_END_MONTH[p] == end_month and p != canonical]
    return ([canonical] if canonical else []) + others


def grain_text(fixed: dict) -> str:
    return " dan ".join(DIM_LABEL.get(d, d) for d in fixed)


def realisasi_at(rows: pd.DataFrame, tahun: int, end_month: int, canonical: str | None,
                  fixed: dict, used_rows: bool = True) -> tuple[float, str | None, pd.DataFrame]:
    """(cumulative realisation to end_month, reason if N/A, rows used) at a key, for one satker-year.
    Without `used_rows`, the rows used are not taken out of the frame (the empty frame stands for them): taking
    them was a third of the time of a unit's budget summary, which only needs the amounts."""
    empty = rows.iloc[0:0]
    if rows.empty:
        return math.nan, "realisasi anggaran tidak tersedia", empty
    cumulative = rows[rows["bulan"].isna()] if "bulan" in rows else rows
    monthly = rows[rows["bulan"].notna()] if "bulan" in rows else rows.iloc[0:0]
    label = CUMULATIVE_LABELS.get(canonical, canonical) if canonical else nama_bulan(end_month)
    not_itemised = None
    if "periode" in cumulative.columns:
        for p in cumulative_periods_at(end_month, canonical):
            part = cumulative[cumulative["periode"] == p]
            if part.empty:
                continue
            at = positions(part, FLOW_DIMS, fixed)
            if len(at):
                return total_at(part, "realisasi", at), None, (part.iloc[at] if used_rows else empty)
            if itemised_by(part, fixed):
                return 0.0, None, empty
            not_itemised = f"realisasi s.d. {CUMULATIVE_LABELS.get(p, p)} tidak dirinci per {grain_text(fixed)}"
    if not monthly.empty:
        months = {int(m) for m in monthly["bulan"]}
        missing = [m for m in range(1, end_month + 1) if m not in months]
        if missing:
            shown = ", ".join(nama_bulan(m) for m in missing)
            return math.nan, not_itemised or f"realisasi bulan {shown} {tahun} tidak tersedia", empty
        totals = cumulative_by_month(by_month(monthly), fixed, end_month)
        if end_month not in totals:
            return math.nan, not_itemised or f"realisasi bulanan tidak dirinci per {grain_text(fixed)}", empty
        total, parts = totals[end_month]
        return total, None, (rows_of(parts) if parts and used_rows else empty)
    if not_itemised:
        return math.nan, not_itemised, empty
    given = set(cumulative["periode"].dropna()) if "periode" in cumulative else set()
    have = [f"s.d. {CUMULATIVE_LABELS[p]}" for p in DATA_PERIODS if p in given]
    extra = f" (data memuat realisasi {', '.join(have)})" if have else ""
    return math.nan, f"realisasi s.d. {label} {tahun} tidak tersedia{extra}", empty


def cumulative_by_month(months_rows: dict[int, pd.DataFrame], fixed: dict,
                        last_month: int) -> dict[int, tuple[float, Parts]]:
    """The realisation from January to the end of each month up to `last_month` at a key, with the rows it is made
    of (`rows_of`), from monthly rows split by month (`by_month`): one pass that adds the months in order (the
    same additions, so the same floats, as totalling each month end on its own). It stops at the first month
    without rows or not itemised at the key: no cumulative total from there on (month 0 is the empty total)."""
    totals: dict[int, tuple[float, Parts]] = {0: (0.0, [])}
    total, parts = 0.0, []
    for m in range(1, last_month + 1):
        month = months_rows.get(m)
        if month is None:
            break
        at = positions(month, FLOW_DIMS, fixed)
        if len(at):  # a new list: each month end keeps the rows up to it
            total, parts = total + total_at(month, "realisasi", at), [*parts, (month, at)]
        elif not itemised_by(month, fixed):
            break
        totals[m] = (total, parts)
    return totals


def realisasi_amount(tables, period: ReportPeriod | str, **fixed) -> tuple[float, str | None]:
    """Cumulative realisation to the end of a report period at a key, and why it is N/A if it is."""
    rp = as_period(period)
    rows = of_year(table(tables, "realisasi_anggaran"), rp.tahun)
    value, reason, _ = realisasi_at(rows, rp.tahun, rp.end_month, CUMULATIVE_PERIOD[rp.kuartal], fixed,
                                    used_rows=False)
    return value, reason
