"""Revenue realisation by grain: typed penerimaan rows, the month and year resolved, per account, and where a
total disagrees with its parts.

Grain convention (data/README.md, "Penerimaan: how revenue rows are written"): in `penerimaan.csv` an empty `bulan`,
`jenis` or `akun` means "total over that key" (the one rule of `lakin.rules.grain`). A group's value is its total
row where one exists, otherwise the sum of its finer rows; rows at one grain are summed, so refund rows (negative
`nilai`, `uraian` starting with "Pengembalian") are subtracted and every figure here is netto. Where a total and its
parts disagree the total is used and `grain_disagreements` lists the difference for `lakin check`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from lakin.data.load import FILE_COL, LINE_COL
from lakin.rules.grain import total_rows
from lakin.values import is_na

__all__ = [
    "JENIS_NAMA", "LAINNYA", "NO_DATA", "NO_PREVIOUS", "NO_TARGET", "NO_TRAJECTORY", "REFUND_PREFIX", "TOTAL",
    "RevenueRow", "cell_text", "cumulative_realisation", "grain_disagreements", "int_or_none", "is_refund",
    "jenis_nama", "jenis_order", "monthly_realisation", "per_akun", "percent_of", "realisasi_bulanan",
    "realisasi_kumulatif", "realisasi_per_akun", "revenue_records", "text_or_none", "with_location", "year_rows",
]

JENIS_NAMA = {"bea_masuk": "Bea Masuk", "bea_keluar": "Bea Keluar", "cukai": "Cukai"}
TOTAL = "total"
LAINNYA = "Lainnya"
REFUND_PREFIX = "pengembalian"

# Why a percentage is missing: printed in the table cell instead of #DIV/0!.
NO_TARGET = "tidak ada target"
NO_TRAJECTORY = "tidak ada trajektori"
NO_DATA = "tidak ada data"
NO_PREVIOUS = "tidak ada realisasi tahun sebelumnya"


# --------------------------------------------------------------------------- small helpers
def percent_of(num, den, den_reason: str = NO_TARGET, num_reason: str = NO_DATA) -> tuple[float, str | None]:
    """num / den * 100, or NaN and the reason there is no percentage."""
    if is_na(den):
        return math.nan, den_reason
    if is_na(num):
        return math.nan, num_reason
    if float(den) == 0:
        return math.nan, den_reason
    return float(num) / float(den) * 100.0, None


def text_or_none(value) -> str | None:
    """A reason string, or None (pandas turns None into NaN in text columns)."""
    return None if is_na(value) else str(value)


def cell_text(value) -> str:
    """A text cell stripped, '' for N/A."""
    return "" if is_na(value) else str(value).strip()


def int_or_none(value) -> int | None:
    return None if is_na(value) else int(value)


def with_location(df: pd.DataFrame, default_file: str) -> pd.DataFrame:
    """A copy with _file/_line columns (frames built in memory have none)."""
    out = df.copy()
    if FILE_COL not in out.columns:
        out[FILE_COL] = default_file
    if LINE_COL not in out.columns:
        out[LINE_COL] = None
    return out


def jenis_nama(jenis: str) -> str:
    """Display name of a revenue type: 'Bea Masuk'."""
    if jenis == TOTAL:
        return "Total"
    return JENIS_NAMA.get(jenis, jenis.replace("_", " ").title())


def jenis_order(values) -> list[str]:
    """Revenue types in the order of JENIS_NAMA, then the others alphabetically."""
    known = [j for j in JENIS_NAMA if j in values]
    return known + sorted(v for v in values if v not in JENIS_NAMA and v)


# --------------------------------------------------------------------------- realisation by grain
def is_refund(rows: pd.DataFrame) -> pd.Series:
    """True for refund rows: `uraian` starting with 'Pengembalian' or a negative `nilai`."""
    uraian = rows["uraian"].map(cell_text).str.lower() if "uraian" in rows.columns else pd.Series("", index=rows.index)
    negative = pd.to_numeric(rows["nilai"], errors="coerce").fillna(0) < 0
    return (uraian.str.startswith(REFUND_PREFIX) | negative).astype(bool)


class RevenueRow(NamedTuple):
    """One penerimaan row, typed: bulan None = the whole year, jenis/akun '' = total over that key."""

    satker: str
    tahun: int | None
    bulan: int | None
    jenis: str
    akun: str
    uraian: str
    nilai: float
    pengembalian: bool
    file: str
    line: int | None


def revenue_records(penerimaan: pd.DataFrame | None) -> list[RevenueRow]:
    """The rows of a penerimaan frame as typed records (parsed once; the rules below are plain Python)."""
    if penerimaan is None or penerimaan.empty:
        return []
    df = with_location(penerimaan, "penerimaan.csv")
    column = {c: (df[c].tolist() if c in df.columns else [None] * len(df))
              for c in ("satker", "tahun", "bulan", "jenis", "akun", "uraian", "nilai", FILE_COL, LINE_COL)}
    out = []
    for i in range(len(df)):
        nilai = column["nilai"][i]
        nilai = math.nan if is_na(nilai) else float(nilai)
        uraian = cell_text(column["uraian"][i])
        out.append(RevenueRow(
            satker=cell_text(column["satker"][i]), tahun=int_or_none(column["tahun"][i]),
            bulan=int_or_none(column["bulan"][i]), jenis=cell_text(column["jenis"][i]),
            akun=cell_text(column["akun"][i]), uraian=uraian, nilai=nilai,
            pengembalian=uraian.lower().startswith(REFUND_PREFIX) or nilai < 0,
            file=str(column[FILE_COL][i]), line=int_or_none(column[LINE_COL][i]),
        ))
    return out


def year_rows(rows: list[RevenueRow], tahun: int, satker: str | None = None) -> list[RevenueRow]:
    return [r for r in rows if r.tahun == tahun and (satker is None or r.satker == satker)]


@dataclass
class _Scope:
    """One month (or the whole year) resolved: total and, where written, the value per type."""

    total: float
    per_jenis: dict[str, float]
    has_total_row: bool


def _sum(rows) -> float:
    return float(sum(r.nilai for r in rows))


def _resolve(rows: list[RevenueRow]) -> _Scope:
    """A total row wins over type rows, a type row over its account rows; rows at one grain are summed."""
    if not rows:
        return _Scope(math.nan, {}, False)
    by_type: dict[str, list[RevenueRow]] = {}
    for r in rows:
        if r.jenis:
            by_type.setdefault(r.jenis, []).append(r)
    per_jenis = {jenis: _sum(group[i] for i in total_rows([(r.akun,) for r in group]))
                 for jenis, group in by_type.items()}
    used = total_rows([(r.jenis, r.akun) for r in rows])
    has_total_row = not rows[used[0]].jenis and not rows[used[0]].akun
    return _Scope(_sum(rows[i] for i in used), per_jenis, has_total_row)


def _scopes(rows: list[RevenueRow]) -> tuple[dict[int, _Scope], _Scope]:
    """Per month (only months with rows) and the annual rows (bulan empty) of one year's rows."""
    by_month: dict[int, list[RevenueRow]] = {}
    for r in rows:
        if r.bulan is not None:
            by_month.setdefault(r.bulan, []).append(r)
    months = {b: _resolve(group) for b, group in sorted(by_month.items())}
    return months, _resolve([r for r in rows if r.bulan is None])


def _types(rows: list[RevenueRow]) -> list[str]:
    return jenis_order({r.jenis for r in rows if r.jenis})


def monthly_realisation(rows: list[RevenueRow]) -> pd.DataFrame:
    months, _ = _scopes(rows)
    types = _types(rows)
    out = []
    for bulan in range(1, 13):
        scope = months.get(bulan)
        row = {"bulan": bulan, "realisasi": scope.total if scope else math.nan}
        for jenis in types:
            row[jenis] = scope.per_jenis.get(jenis, 0.0) if scope and scope.per_jenis else math.nan
        out.append(row)
    return pd.DataFrame(out, columns=["bulan", "realisasi", *types])


def realisasi_bulanan(penerimaan: pd.DataFrame, tahun: int, satker: str | None = None) -> pd.DataFrame:
    """Netto realisation per month 1..12: `realisasi` (NaN = no data) and one column per type.

    A type column is NaN for a month written only as a total; in a month written per type, a type
    without rows counts as 0.
    """
    return monthly_realisation(year_rows(revenue_records(penerimaan), tahun, satker))


def cumulative_realisation(rows: list[RevenueRow], sampai_bulan: int, lengkap: bool) -> dict[str, float]:
    months, annual = _scopes(rows)
    span = range(1, sampai_bulan + 1)
    with_data = [m for m in span if m in months]
    complete = len(with_data) == len(span)
    usable = bool(with_data) and (complete or not lengkap)
    broken_down = usable and all(months[m].per_jenis for m in with_data)
    full_year = sampai_bulan == 12
    out = {}
    for jenis in _types(rows):
        if full_year and jenis in annual.per_jenis:
            out[jenis] = annual.per_jenis[jenis]
        elif broken_down:
            out[jenis] = float(sum(months[m].per_jenis.get(jenis, 0.0) for m in with_data))
        else:
            out[jenis] = math.nan
    months_total = float(sum(months[m].total for m in with_data)) if usable else math.nan
    if full_year and annual.has_total_row:
        out[TOTAL] = annual.total
    elif full_year and complete:
        out[TOTAL] = months_total
    elif full_year and annual.per_jenis:
        out[TOTAL] = float(sum(v for v in out.values() if not is_na(v)))
    else:
        out[TOTAL] = months_total
    return out


def realisasi_kumulatif(penerimaan: pd.DataFrame, tahun: int, sampai_bulan: int = 12,
                        satker: str | None = None, lengkap: bool = False) -> pd.Series:
    """Netto realisation from January to `sampai_bulan`, per type and 'total' (NaN where unknown).

    For the whole year an annual row (empty `bulan`) wins over the sum of months; the annual total is
    the annual total row, else the twelve monthly totals, else the sum of the annual type rows.
    Per type, a sum of months needs every month with data to be written per type. With `lengkap`, a
    month without data in 1..sampai_bulan makes the sum of months unknown.
    """
    rows = year_rows(revenue_records(penerimaan), tahun, satker)
    return pd.Series(cumulative_realisation(rows, sampai_bulan, lengkap), dtype="float64")


def per_akun(rows: list[RevenueRow]) -> pd.DataFrame:
    cols = ["bulan", "jenis", "akun", "uraian", "bruto", "pengembalian", "netto"]
    groups: dict[tuple, list[RevenueRow]] = {}
    for r in rows:
        if r.akun:
            groups.setdefault((r.bulan, r.jenis, r.akun), []).append(r)
    out = []
    for (bulan, jenis, akun), group in sorted(groups.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1], kv[0][2])):
        revenue = [r for r in group if not r.pengembalian]
        bruto, kembali = _sum(revenue), _sum(r for r in group if r.pengembalian)
        out.append({"bulan": math.nan if bulan is None else bulan, "jenis": jenis, "akun": akun,
                    "uraian": (revenue or group)[0].uraian, "bruto": bruto, "pengembalian": kembali,
                    "netto": bruto + kembali})
    return pd.DataFrame(out, columns=cols)


def realisasi_per_akun(penerimaan: pd.DataFrame, tahun: int, satker: str | None = None) -> pd.DataFrame:
    """Per month (NaN = year) and account: uraian, bruto, pengembalian (<= 0) and netto."""
    return per_akun(year_rows(revenue_records(penerimaan), tahun, satker))


def grain_disagreements(penerimaan: pd.DataFrame, tolerance: float = 0.5) -> pd.DataFrame:
    """Totals that differ from the sum of their parts (the report uses the total), with file and line."""
    cols = ["satker", "tahun", "bulan", "jenis", "tingkat", "nilai_total", "jumlah_rincian", "selisih",
            FILE_COL, LINE_COL]
    found = []

    def add(where: RevenueRow, bulan, jenis, tingkat, total, parts):
        if abs(total - parts) > tolerance:
            found.append({"satker": where.satker, "tahun": where.tahun, "bulan": bulan, "jenis": jenis,
                          "tingkat": tingkat, "nilai_total": total, "jumlah_rincian": parts,
                          "selisih": total - parts, FILE_COL: where.file, LINE_COL: where.line})

    years: dict[tuple, list[RevenueRow]] = {}
    for r in revenue_records(penerimaan):
        years.setdefault((r.satker, r.tahun), []).append(r)
    for rows in years.values():
        months, annual = _scopes(rows)
        scopes: dict[int | None, list[RevenueRow]] = {}
        for r in rows:
            scopes.setdefault(r.bulan, []).append(r)
        for bulan, scope in scopes.items():
            totals = [r for r in scope if not r.jenis and not r.akun]
            typed = [r for r in scope if r.jenis]
            untyped = [r for r in scope if not r.jenis and r.akun]
            for jenis in _types(typed):
                own = [r for r in typed if r.jenis == jenis and not r.akun]
                accounts = [r for r in typed if r.jenis == jenis and r.akun]
                if own and accounts:
                    add(own[0], bulan, jenis, "jenis vs akun", _sum(own), _sum(accounts))
            if totals and (typed or untyped):
                parts = float(sum(_resolve(typed).per_jenis.values())) + _sum(untyped)
                add(totals[0], bulan, "", "total vs jenis", _sum(totals), parts)
        annual_rows = scopes.get(None, [])
        if len(months) < 12 or not annual_rows:
            continue
        month_sum = float(sum(s.total for s in months.values()))
        if all(s.per_jenis for s in months.values()):
            for jenis, value in annual.per_jenis.items():
                parts = float(sum(s.per_jenis.get(jenis, 0.0) for s in months.values()))
                where = next(r for r in annual_rows if r.jenis == jenis)
                add(where, None, jenis, "tahunan vs bulanan", value, parts)
        if annual.has_total_row:
            where = next(r for r in annual_rows if not r.jenis and not r.akun)
            add(where, None, "", "tahunan vs bulanan", annual.total, month_sum)
        elif annual.per_jenis:
            # No annual total row: the annual type rows and the twelve months are both parts of the year.
            where = next(r for r in annual_rows if r.jenis)
            add(where, None, "", "jumlah jenis tahunan vs jumlah 12 bulan", annual.total, month_sum)
    return pd.DataFrame(found, columns=cols)

