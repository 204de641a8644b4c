"""Budget amounts by grain: the DIPA pagu and the cumulative realisation at a key (per jenis belanja, kegiatan...).

Pure functions over one satker's loaded tables (`pagu`, `rpd`, `realisasi_anggaran`). The grain convention of the
data contract is the one rule of `lakin.rules.grain` ("an empty key column means the total over that key"): a
total row is authoritative for its total, detail rows for the detail, and a total is only built from detail rows
where no total row exists. Where two cross-cutting grains both cover an amount (per jenis belanja and per kegiatan,
as in seed 003) one of them is used, never their sum.
"""

from __future__ import annotations

import math

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
    "DIM_LABEL", "FLOW_DIMS", "PAGU_DIMS", "REASON_PAGU_NOL", "amount", "as_period", "by_month",
    "cumulative_periods_at", "dims_present", "grain_text", "itemised_by", "key_label", "last_row", "of_year",
    "pagu_amount", "pagu_rows", "percent_of_pagu", "realisasi_amount", "realisasi_at", "resolve", "row_location",
]

PAGU_DIMS = ("program_kode", "kegiatan_kode", "kro_kode", "jenis_belanja", "sumber_dana")
FLOW_DIMS = ("kegiatan_kode", "jenis_belanja")  # rpd and realisasi_anggaran
DIM_LABEL = {"program_kode": "program", "kegiatan_kode": "kegiatan", "kro_kode": "KRO",
             "jenis_belanja": "jenis belanja", "sumber_dana": "sumber dana"}
REASON_PAGU_NOL = "pagu Rp0, persentase tidak dapat dihitung"


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
def resolve(rows: pd.DataFrame, dims, fixed: dict) -> pd.DataFrame:
    """The rows that together make the amount at `fixed` (other key columns totalled), without double counting
    (`lakin.rules.grain.total_rows` over the key columns not fixed, in `dims` order)."""
    dims = dims_present(rows, dims)
    mask = np.ones(len(rows), dtype=bool)
    for d, v in fixed.items():
        mask &= rows[d].to_numpy(dtype=object) == str(v)  # key columns are text: 52 and "52" are one code
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return rows.iloc[idx]
    free = [d for d in dims if d not in fixed]
    columns = [rows[d].to_numpy(dtype=object)[idx] for d in free]
    keys = list(zip(*columns)) if columns else [()] * len(idx)
    return rows.iloc[idx[total_rows(keys)]]


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


def amount(rows: pd.DataFrame, dims, fixed: dict, col: str) -> tuple[float, pd.DataFrame]:
    used = resolve(rows, dims, fixed)
    return (float(used[col].sum()) if not used.empty else math.nan), used


# --------------------------------------------------------------------------- pagu
def pagu_amount(tables, tahun: int, **fixed) -> float:
    """The DIPA pagu of a year at a key (e.g. jenis_belanja='52', kegiatan_kode='4695'); NaN if not given."""
    return amount(of_year(table(tables, "pagu"), tahun), PAGU_DIMS, fixed, "pagu")[0]


def pagu_rows(tables, tahun):
    return of_year(table(tables, "pagu"), tahun)


# --------------------------------------------------------------------------- realisation
def cumulative_periods_at(end_month: int, canonical: str | None) -> list[str]:
    others = [p for p in DATA_PERIODS if PERIOD_END_MONTH[p] == end_month and p != canonical]
    return ([canonical] if canonical else []) + others


def grain_text(fixed: dict) -> str:
    return " dan ".join(DIM_LABEL.get(d, d) for d in fixed)


def realisasi_at(rows: pd.DataFrame, tahun: int, end_month: int, canonical: str | None,
                  fixed: dict) -> tuple[float, str | None, pd.DataFrame]:
    """(cumulative realisation to end_month, reason if N/A, rows used) at a key, for one satker-year."""
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
            value, used = amount(part, FLOW_DIMS, fixed, "realisasi")
            if not used.empty:
                return value, None, used
            if itemised_by(part, fixed):
                return 0.0, None, empty
            not_itemised = f"realisasi s.d. {CUMULATIVE_LABELS.get(p, p)} tidak dirinci per {grain_text(fixed)}"
    if not monthly.empty:
        months = {int(m) for m in monthly["bulan"]}
        missing = [m for m in range(1, end_month + 1) if m not in months]
        if missing:
            shown = ", ".join(nama_bulan(m) for m in missing)
            return math.nan, not_itemised or f"realisasi bulan {shown} {tahun} tidak tersedia", empty
        total, parts = 0.0, []
        months_rows = by_month(monthly)
        for m in range(1, end_month + 1):
            month = months_rows[m]
            value, used = amount(month, FLOW_DIMS, fixed, "realisasi")
            if used.empty:
                if itemised_by(month, fixed):
                    continue
                return math.nan, not_itemised or f"realisasi bulanan tidak dirinci per {grain_text(fixed)}", empty
            total += value
            parts.append(used)
        return total, None, (pd.concat(parts) if parts else empty)
    if not_itemised:
        return math.nan, not_itemised, empty
    given = set(cumulative["periode"].dropna()) if "periode" in cumulative else set()
    have = [f"s.d. {CUMULATIVE_LABELS[p]}" for p in DATA_PERIODS if p in given]
    extra = f" (data memuat realisasi {', '.join(have)})" if have else ""
    return math.nan, f"realisasi s.d. {label} {tahun} tidak tersedia{extra}", empty


def realisasi_amount(tables, period: ReportPeriod | str, **fixed) -> tuple[float, str | None]:
    """Cumulative realisation to the end of a report period at a key, and why it is N/A if it is."""
    rp = as_period(period)
    rows = of_year(table(tables, "realisasi_anggaran"), rp.tahun)
    value, reason, _ = realisasi_at(rows, rp.tahun, rp.end_month, CUMULATIVE_PERIOD[rp.kuartal], fixed)
    return value, reason
