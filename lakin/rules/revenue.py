"""Revenue (penerimaan): netto realisation, targets in force, trajectory, achievement, year on year, projection.

Grain convention (data/README.md, "Penerimaan: how revenue rows are written"): in `penerimaan.csv` an empty `bulan`, `jenis` or `akun`
means "total over that key". A group's value is its total row where one exists, otherwise the sum of its
finer rows; rows at one grain are summed, so refund rows (negative `nilai`, `uraian` starting with
"Pengembalian") are subtracted and every figure here is netto. Where a total and its parts disagree the total
is used and `grain_disagreements` lists the difference for `lakin check`.

Everything is computed at full precision; `table_*` functions format for display through `lakin.present.fmt`.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import pandas as pd

from lakin.errors import DataIssue
from lakin.present.fmt import angka, nama_bulan, persen, rupiah, tanggal
from lakin.values import round_half_up
from lakin.data.periods import PERIOD_END_MONTH, PERIOD_LABELS, ReportPeriod

__all__ = [
    "JENIS_NAMA",
    "RevenueSummary",
    "TargetInForce",
    "figures_block",
    "grain_disagreements",
    "has_revenue",
    "is_refund",
    "jenis_nama",
    "realisasi_bulanan",
    "realisasi_kumulatif",
    "realisasi_per_akun",
    "summarize",
    "table_iku",
    "table_kinerja",
    "table_kontributor",
    "table_targets",
    "table_trajectory",
    "target_in_force",
    "trajectory",
    "validate_revenue",
]

JENIS_NAMA = {"bea_masuk": "Bea Masuk", "bea_keluar": "Bea Keluar", "cukai": "Cukai"}
TOTAL = "total"
LAINNYA = "Lainnya"
IKU_KODE = "3a-CP"
IKU_PERIODS = ("Q1", "S1", "SDQ3", "Y")
SHARE_TOLERANCE = 1e-6
REFUND_PREFIX = "pengembalian"

# Why a percentage is missing: printed in the table cell instead of #DIV/0!.
NO_TARGET = "tidak ada target"
NO_TRAJECTORY = "tidak ada trajektori"
NO_DATA = "tidak ada data"
NO_PREVIOUS = "tidak ada realisasi tahun sebelumnya"

_FILE, _LINE = "_file", "_line"


# --------------------------------------------------------------------------- small helpers
def _nan(value) -> bool:
    """True for None, NaN and pd.NA (scalars only)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _ratio(num, den, den_reason: str = NO_TARGET, num_reason: str = NO_DATA) -> tuple[float, str | None]:
    """num / den * 100, or NaN and the reason there is no percentage."""
    if _nan(den):
        return math.nan, den_reason
    if _nan(num):
        return math.nan, num_reason
    if float(den) == 0:
        return math.nan, den_reason
    return float(num) / float(den) * 100.0, None


def _growth(current, previous) -> tuple[float, str | None]:
    """Year-on-year growth in percent, or NaN and the reason."""
    if _nan(current):
        return math.nan, NO_DATA
    if _nan(previous) or float(previous) == 0:
        return math.nan, NO_PREVIOUS
    if float(previous) < 0:
        return math.nan, "realisasi tahun sebelumnya negatif"
    return (float(current) / float(previous) - 1.0) * 100.0, None


def _reason(value) -> str | None:
    """A reason string, or None (pandas turns None into NaN in text columns)."""
    return None if _nan(value) else str(value)


def _object_reasons(df: pd.DataFrame, columns) -> pd.DataFrame:
    for col in columns:
        df[col] = pd.Series([_reason(v) for v in df[col]], index=df.index, dtype=object)
    return df


def _month_end(tahun: int, bulan: int) -> date:
    return date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])


def _mask(series) -> pd.Series:
    return pd.Series(series).fillna(False).astype(bool)


def _table(tables, name: str) -> pd.DataFrame:
    df = tables.get(name) if hasattr(tables, "get") else None
    return pd.DataFrame() if df is None else df


def _rows(df: pd.DataFrame, satker: str | None = None, tahun: int | None = None) -> pd.DataFrame:
    if df.empty:
        return df
    out = df
    if satker is not None and "satker" in out.columns:
        out = out[_mask(out["satker"] == satker).values]
    if tahun is not None and "tahun" in out.columns:
        out = out[_mask(pd.to_numeric(out["tahun"], errors="coerce") == tahun).values]
    return out


def _text(value) -> str:
    return "" if _nan(value) else str(value).strip()


def _where(df: pd.DataFrame, default_file: str) -> pd.DataFrame:
    """A copy with _file/_line columns (frames built in memory have none)."""
    out = df.copy()
    if _FILE not in out.columns:
        out[_FILE] = default_file
    if _LINE not in out.columns:
        out[_LINE] = None
    return out


def _line(value) -> int | None:
    return None if _nan(value) else int(value)


def jenis_nama(jenis: str) -> str:
    """Display name of a revenue type: 'Bea Masuk'."""
    if jenis == TOTAL:
        return "Total"
    return JENIS_NAMA.get(jenis, jenis.replace("_", " ").title())


def _jenis_order(values) -> list[str]:
    known = [j for j in JENIS_NAMA if j in values]
    return known + sorted(v for v in values if v not in JENIS_NAMA and v)


# --------------------------------------------------------------------------- realisation by grain
def is_refund(rows: pd.DataFrame) -> pd.Series:
    """True for refund rows: `uraian` starting with 'Pengembalian' or a negative `nilai`."""
    uraian = rows["uraian"].map(_text).str.lower() if "uraian" in rows.columns else pd.Series("", index=rows.index)
    negative = pd.to_numeric(rows["nilai"], errors="coerce").fillna(0) < 0
    return (uraian.str.startswith(REFUND_PREFIX) | negative).astype(bool)


class _Row(NamedTuple):
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


def _int_or_none(value) -> int | None:
    return None if _nan(value) else int(value)


def _records(penerimaan: pd.DataFrame | None) -> list[_Row]:
    """The rows of a penerimaan frame as typed records (parsed once; the rules below are plain Python)."""
    if penerimaan is None or penerimaan.empty:
        return []
    df = _where(penerimaan, "penerimaan.csv")
    column = {c: (df[c].tolist() if c in df.columns else [None] * len(df))
              for c in ("satker", "tahun", "bulan", "jenis", "akun", "uraian", "nilai", _FILE, _LINE)}
    out = []
    for i in range(len(df)):
        nilai = column["nilai"][i]
        nilai = math.nan if _nan(nilai) else float(nilai)
        uraian = _text(column["uraian"][i])
        out.append(_Row(
            satker=_text(column["satker"][i]), tahun=_int_or_none(column["tahun"][i]),
            bulan=_int_or_none(column["bulan"][i]), jenis=_text(column["jenis"][i]), akun=_text(column["akun"][i]),
            uraian=uraian, nilai=nilai, pengembalian=uraian.lower().startswith(REFUND_PREFIX) or nilai < 0,
            file=str(column[_FILE][i]), line=_int_or_none(column[_LINE][i]),
        ))
    return out


def _year_rows(rows: list[_Row], tahun: int, satker: str | None = None) -> list[_Row]:
    return [r for r in rows if r.tahun == tahun and (satker is None or r.satker == satker)]


@dataclass
class _Scope:
    """One month (or the whole year) resolved: total and, where written, the value per type."""

    total: float
    per_jenis: dict[str, float]
    has_total_row: bool


def _sum(rows) -> float:
    return float(sum(r.nilai for r in rows))


def _resolve(rows: list[_Row]) -> _Scope:
    """A total row wins over type rows, a type row over its account rows; rows at one grain are summed."""
    if not rows:
        return _Scope(math.nan, {}, False)
    by_type: dict[str, list[_Row]] = {}
    for r in rows:
        if r.jenis:
            by_type.setdefault(r.jenis, []).append(r)
    per_jenis = {}
    for jenis, group in by_type.items():
        own = [r for r in group if not r.akun]
        per_jenis[jenis] = _sum(own or group)
    totals = [r for r in rows if not r.jenis and not r.akun]
    untyped = [r for r in rows if not r.jenis and r.akun]
    if totals:
        return _Scope(_sum(totals), per_jenis, True)
    return _Scope(float(sum(per_jenis.values())) + _sum(untyped), per_jenis, False)


def _scopes(rows: list[_Row]) -> tuple[dict[int, _Scope], _Scope]:
    """Per month (only months with rows) and the annual rows (bulan empty) of one year's rows."""
    by_month: dict[int, list[_Row]] = {}
    for r in rows:
        if r.bulan is not None:
            by_month.setdefault(r.bulan, []).append(r)
    months = {b: _resolve(group) for b, group in sorted(by_month.items())}
    return months, _resolve([r for r in rows if r.bulan is None])


def _types(rows: list[_Row]) -> list[str]:
    return _jenis_order({r.jenis for r in rows if r.jenis})


def _monthly(rows: list[_Row]) -> pd.DataFrame:
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
    return _monthly(_year_rows(_records(penerimaan), tahun, satker))


def _cumulative(rows: list[_Row], sampai_bulan: int, lengkap: bool) -> dict[str, float]:
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
        out[TOTAL] = float(sum(v for v in out.values() if not _nan(v)))
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
    rows = _year_rows(_records(penerimaan), tahun, satker)
    return pd.Series(_cumulative(rows, sampai_bulan, lengkap), dtype="float64")


def _per_akun(rows: list[_Row]) -> pd.DataFrame:
    cols = ["bulan", "jenis", "akun", "uraian", "bruto", "pengembalian", "netto"]
    groups: dict[tuple, list[_Row]] = {}
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
    return _per_akun(_year_rows(_records(penerimaan), tahun, satker))


def grain_disagreements(penerimaan: pd.DataFrame, tolerance: float = 0.5) -> pd.DataFrame:
    """Totals that differ from the sum of their parts (the report uses the total), with file and line."""
    cols = ["satker", "tahun", "bulan", "jenis", "tingkat", "nilai_total", "jumlah_rincian", "selisih",
            _FILE, _LINE]
    found = []

    def add(where: _Row, bulan, jenis, tingkat, total, parts):
        if abs(total - parts) > tolerance:
            found.append({"satker": where.satker, "tahun": where.tahun, "bulan": bulan, "jenis": jenis,
                          "tingkat": tingkat, "nilai_total": total, "jumlah_rincian": parts,
                          "selisih": total - parts, _FILE: where.file, _LINE: where.line})

    years: dict[tuple, list[_Row]] = {}
    for r in _records(penerimaan):
        years.setdefault((r.satker, r.tahun), []).append(r)
    for rows in years.values():
        months, annual = _scopes(rows)
        scopes: dict[int | None, list[_Row]] = {}
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


# --------------------------------------------------------------------------- targets and trajectory
@dataclass(frozen=True)
class TargetInForce:
    """The revenue target in force on a date, per type and in total, and the year's original target."""

    tanggal_acuan: date
    per_jenis: pd.DataFrame = field(repr=False)  # jenis, dasar_hukum, tanggal, target
    total: float
    dasar_hukum: str
    tanggal: date
    awal_dasar_hukum: str
    awal_tanggal: date
    awal_total: float
    keputusan: pd.DataFrame = field(repr=False)  # per decree: dasar_hukum, tanggal, <jenis>..., total, berlaku

    @property
    def direvisi(self) -> bool:
        """True when the target in force is not the original decree's."""
        return self.dasar_hukum != self.awal_dasar_hukum

    def for_jenis(self, jenis: str) -> float:
        row = self.per_jenis[self.per_jenis["jenis"] == jenis]
        return float(row["target"].iloc[0]) if len(row) else math.nan


def _as_date(value) -> date | None:
    if _nan(value):
        return None
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


class _Decree(NamedTuple):
    jenis: str
    dasar_hukum: str
    tanggal: date
    target: float


def _decrees(targets: pd.DataFrame, tahun: int, satker: str | None = None) -> list[_Decree]:
    rows = _rows(targets, satker, tahun)
    if rows.empty:
        return []
    out = [_Decree(_text(j), _text(d), _as_date(t), float(v))
           for j, d, t, v in zip(rows["jenis"], rows["dasar_hukum"], rows["tanggal"],
                                 pd.to_numeric(rows["target"], errors="coerce"))]
    return sorted((d for d in out if d.tanggal is not None), key=lambda d: (d.tanggal, d.dasar_hukum))


def _in_force(decrees: list[_Decree], on: date) -> TargetInForce | None:
    if not decrees:
        return None
    types = _jenis_order({d.jenis for d in decrees})
    chosen = []
    for jenis in types:
        own = [d for d in decrees if d.jenis == jenis]
        valid = [d for d in own if d.tanggal <= on]
        chosen.append((valid or own[:1])[-1])
    latest = max(chosen, key=lambda d: d.tanggal)
    names = list(dict.fromkeys(d.dasar_hukum for d in decrees))  # in date order
    in_force = {d.dasar_hukum for d in chosen}
    table = []
    for name in names:
        own = [d for d in decrees if d.dasar_hukum == name]
        row = {"dasar_hukum": name, "tanggal": min(d.tanggal for d in own)}
        for jenis in types:
            values = [d.target for d in own if d.jenis == jenis]
            row[jenis] = float(sum(values)) if values else math.nan
        row[TOTAL] = float(sum(d.target for d in own))
        row["berlaku"] = name in in_force
        table.append(row)
    first = table[0]
    return TargetInForce(
        tanggal_acuan=on,
        per_jenis=pd.DataFrame([d._asdict() for d in chosen], columns=["jenis", "dasar_hukum", "tanggal", "target"]),
        total=float(sum(d.target for d in chosen)), dasar_hukum=latest.dasar_hukum, tanggal=latest.tanggal,
        awal_dasar_hukum=first["dasar_hukum"], awal_tanggal=first["tanggal"], awal_total=first[TOTAL],
        keputusan=pd.DataFrame(table),
    )


def target_in_force(targets: pd.DataFrame, on: date, satker: str | None = None) -> TargetInForce | None:
    """Per type the decree with the latest `tanggal` <= `on` (a revision applies from its date).

    Before the year's first decree, the first decree applies. None when the year has no target rows.
    """
    return _in_force(_decrees(targets, on.year, satker), on)


def trajectory(trajektori: pd.DataFrame, tahun: int, target_tahunan: float, satker: str | None = None) -> pd.DataFrame:
    """Months 1..12: share (persen, persen_kumulatif) and nominal target (target, target_kumulatif).

    Shares that sum to 100 within 1e-6 are scaled to sum to exactly 100, so December's cumulative
    target equals the annual target; shares that do not are used as written (validate_revenue reports them).
    """
    rows = _rows(trajektori, satker, tahun)
    share = pd.Series(math.nan, index=range(1, 13), dtype="float64")
    if not rows.empty:
        bulan = pd.to_numeric(rows["bulan"], errors="coerce")
        values = pd.to_numeric(rows["persen"], errors="coerce").astype("float64")
        for b, v in zip(bulan, values):
            if not _nan(b) and 1 <= int(b) <= 12:
                share[int(b)] = v
    total_share = share.sum(skipna=True)
    if share.notna().any() and abs(total_share - 100.0) <= SHARE_TOLERANCE and total_share != 0:
        share = share * (100.0 / total_share)
    frame = pd.DataFrame({"bulan": range(1, 13), "persen": share.values})
    frame["persen_kumulatif"] = frame["persen"].cumsum()
    annual = math.nan if target_tahunan is None else float(target_tahunan)
    frame["target"] = frame["persen"] / 100.0 * annual
    frame["target_kumulatif"] = frame["persen_kumulatif"] / 100.0 * annual
    return frame


# --------------------------------------------------------------------------- the summary
@dataclass
class RevenueSummary:
    """Everything the revenue chapter shows for one unit and report period (full precision)."""

    satker: str
    period: ReportPeriod
    bulanan: pd.DataFrame  # months 1..12; projected rows have proyeksi=True
    per_jenis: pd.DataFrame  # one row per type and a 'total' row
    per_akun: pd.DataFrame
    target: TargetInForce | None
    iku: pd.DataFrame
    kontributor: pd.DataFrame
    kontributor_total: pd.DataFrame
    realisasi: float
    target_total: float
    capaian: float
    capaian_alasan: str | None
    realisasi_sebelumnya: float
    yoy: float
    yoy_alasan: str | None
    proyeksi_metode: str | None
    proyeksi_rasio: float
    proyeksi_akhir_tahun: float
    proyeksi_alasan: str | None
    bulan_tanpa_data: list[int]
    iku_kode: str | None = None

    @property
    def tahun(self) -> int:
        return self.period.tahun

    @property
    def end_month(self) -> int:
        return self.period.end_month

    @property
    def keputusan(self) -> pd.DataFrame:
        return self.target.keputusan if self.target is not None else pd.DataFrame()

    def jenis(self) -> list[str]:
        return [j for j in self.per_jenis["jenis"] if j != TOTAL]

    def total_row(self) -> pd.Series:
        return self.per_jenis[self.per_jenis["jenis"] == TOTAL].iloc[0]


def has_revenue(tables, tahun: int | None = None) -> bool:
    """True when the tables hold realisation or targets (for `tahun`, when given)."""
    for name in ("penerimaan", "target_penerimaan"):
        if not _rows(_table(tables, name), None, tahun).empty:
            return True
    return False


def _projection(bulanan: pd.DataFrame, end: int, tahun: int) -> tuple[pd.DataFrame, float, float, str | None, str | None]:
    """Fill months after `end` with trajectory target x (realisation / trajectory target to date)."""
    months_with_data = bulanan[(bulanan["bulan"] <= end) & bulanan["realisasi"].notna()]
    if end >= 12:
        return bulanan, math.nan, math.nan, None, None
    if months_with_data.empty:
        return bulanan, math.nan, math.nan, None, "belum ada realisasi untuk dasar proyeksi"
    real = float(months_with_data["realisasi"].sum())
    tgt = float(months_with_data["target"].sum(min_count=1)) if months_with_data["target"].notna().any() else math.nan
    if _nan(tgt) or tgt == 0:
        return bulanan, math.nan, math.nan, None, (NO_TRAJECTORY if _nan(tgt) else NO_TARGET)
    ratio = real / tgt
    out = bulanan.copy()
    after = out["bulan"] > end
    out.loc[after, "realisasi"] = out.loc[after, "target"] * ratio
    out.loc[after, "proyeksi"] = True
    base = float(out.loc[out["bulan"] <= end, "realisasi"].sum())
    out.loc[after, "realisasi_kumulatif"] = base + out.loc[after, "realisasi"].cumsum()
    year_end = float(out.loc[out["bulan"] == 12, "realisasi_kumulatif"].iloc[0])
    first, last = nama_bulan(end + 1), nama_bulan(12)
    span = first if end + 1 == 12 else f"{first} s.d. {last}"
    method = (
        f"Proyeksi {span} {tahun}: target trajektori setiap bulan dikalikan rasio realisasi kumulatif "
        f"terhadap target trajektori kumulatif s.d. {nama_bulan(end)} ({rupiah(real)} : {rupiah(tgt)} = "
        f"{persen(ratio * 100)}); realisasi kumulatif proyeksi = realisasi s.d. {nama_bulan(end)} ditambah "
        f"proyeksi bulan-bulan berikutnya."
    )
    return out, ratio, year_end, method, None


def _iku_kode(tables, satker: str, tahun: int) -> str | None:
    iku = _rows(_table(tables, "iku"), satker, tahun)
    if iku.empty:
        return None
    if (iku["kode"] == IKU_KODE).any():
        return IKU_KODE
    named = iku[iku["nama"].map(_text).str.lower().str.contains("realisasi penerimaan")]
    return str(named["kode"].iloc[0]) if len(named) else None


def _iku_frame(tables, satker: str, period: ReportPeriod, rows_year: list[_Row],
               decrees: list[_Decree], shares: pd.DataFrame, kode: str | None) -> pd.DataFrame:
    nilai = _rows(_table(tables, "iku_nilai"), satker, period.tahun)
    rows = []
    for periode in IKU_PERIODS:
        end = PERIOD_END_MONTH[periode]
        if end > period.end_month:
            continue
        on = _month_end(period.tahun, end)
        tif = _in_force(decrees, on)
        cum = _cumulative(rows_year, end, lengkap=False)[TOTAL]
        value, reason = _ratio(cum, tif.total if tif else math.nan)
        reported = nilai[(nilai["kode"] == kode) & (nilai["periode"] == periode)] if kode and not nilai.empty else nilai.iloc[0:0]
        ind_real = float(reported["realisasi"].iloc[0]) if len(reported) and not _nan(reported["realisasi"].iloc[0]) else math.nan
        ind_target = float(reported["target"].iloc[0]) if len(reported) and not _nan(reported["target"].iloc[0]) else math.nan
        selisih = round_half_up(value, 2) - ind_real if not (_nan(value) or _nan(ind_real)) else math.nan
        rows.append({
            "periode": periode, "bulan": end, "tanggal": on,
            "dasar_hukum": tif.dasar_hukum if tif else None, "target_tahunan": tif.total if tif else math.nan,
            "realisasi_kumulatif": cum, "nilai": value, "alasan": reason,
            "target_persen": float(shares.loc[shares["bulan"] == end, "persen_kumulatif"].iloc[0]),
            "kode": kode, "realisasi_indikator": ind_real, "target_indikator": ind_target,
            "selisih": selisih, "cocok": (abs(selisih) < 0.005) if not _nan(selisih) else None,
        })
    cols = ["periode", "bulan", "tanggal", "dasar_hukum", "target_tahunan", "realisasi_kumulatif", "nilai", "alasan",
            "target_persen", "kode", "realisasi_indikator", "target_indikator", "selisih", "cocok"]
    return _object_reasons(pd.DataFrame(rows, columns=cols), ["alasan"])


def _contributors(tables, satker: str, period: ReportPeriod) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = _rows(_table(tables, "kontributor_penerimaan"), satker, period.tahun)
    cols = ["bulan", "jenis", "wajib_bayar", "nilai", "porsi"]
    tcols = ["jenis", "wajib_bayar", "nilai", "porsi", "lainnya"]
    if rows.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=tcols)
    df = pd.DataFrame({
        "bulan": pd.to_numeric(rows["bulan"], errors="coerce").astype("float64").values,
        "jenis": rows["jenis"].map(_text).values,
        "wajib_bayar": rows["wajib_bayar"].map(_text).values,
        "nilai": pd.to_numeric(rows["nilai"], errors="coerce").astype("float64").values,
    })
    df = df[df["bulan"] <= period.end_month].copy()
    df["bulan"] = df["bulan"].astype(int)
    month_total = df.groupby(["bulan", "jenis"])["nilai"].transform("sum")
    df["porsi"] = [v / t * 100 if t else math.nan for v, t in zip(df["nilai"], month_total)]
    total = df.groupby(["jenis", "wajib_bayar"], sort=False, as_index=False)["nilai"].sum()
    type_total = total.groupby("jenis")["nilai"].transform("sum")
    total["porsi"] = [v / t * 100 if t else math.nan for v, t in zip(total["nilai"], type_total)]
    total["lainnya"] = total["wajib_bayar"].str.lower() == LAINNYA.lower()
    total = total.sort_values(["jenis", "lainnya", "nilai"], ascending=[True, True, False], kind="stable")
    return df.reset_index(drop=True)[cols], total.reset_index(drop=True)[tcols]


def summarize(tables, satker: str, period: ReportPeriod) -> RevenueSummary:
    """Realisation, targets, trajectory, achievement, year on year, projection, contributors and 3a-CP."""
    tahun, end = period.tahun, period.end_month
    records = [r for r in _records(_table(tables, "penerimaan")) if r.satker == satker]
    rows_year, rows_previous = _year_rows(records, tahun), _year_rows(records, tahun - 1)
    decrees = _decrees(_table(tables, "target_penerimaan"), tahun, satker)
    tif = _in_force(decrees, period.end_date)
    annual_target = tif.total if tif else math.nan
    shares = trajectory(_table(tables, "trajektori_penerimaan"), tahun, annual_target, satker)

    monthly = _monthly(rows_year)
    bulanan = shares.copy()
    bulanan.insert(1, "nama_bulan", [nama_bulan(b) for b in bulanan["bulan"]])
    actual = monthly.set_index("bulan")["realisasi"].reindex(range(1, 13))
    actual[actual.index > end] = math.nan
    bulanan["realisasi"] = actual.values
    bulanan["realisasi_kumulatif"] = bulanan["realisasi"].cumsum()
    bulanan["proyeksi"] = False
    missing = [int(b) for b in bulanan.loc[(bulanan["bulan"] <= end) & bulanan["realisasi"].isna(), "bulan"]]
    bulanan, ratio, year_end, method, proj_reason = _projection(bulanan, end, tahun)
    bulanan["status"] = ["proyeksi" if p else ("realisasi" if not _nan(r) else ("tidak ada data" if b <= end else ""))
                         for b, r, p in zip(bulanan["bulan"], bulanan["realisasi"], bulanan["proyeksi"])]
    month_pct = [_ratio(r, t, NO_TARGET if not _nan(t) else NO_TRAJECTORY) for r, t in zip(bulanan["realisasi"], bulanan["target"])]
    bulanan["capaian"] = [v for v, _ in month_pct]
    bulanan["capaian_alasan"] = pd.Series([why for _, why in month_pct], dtype=object)
    cum_pct = [_ratio(r, annual_target) for r in bulanan["realisasi_kumulatif"]]
    bulanan["capaian_kumulatif"] = [v for v, _ in cum_pct]
    bulanan["capaian_kumulatif_alasan"] = pd.Series([why for _, why in cum_pct], dtype=object)
    bulanan["capaian_trajektori"] = [
        _ratio(r, t, NO_TARGET if not _nan(t) else NO_TRAJECTORY)[0]
        for r, t in zip(bulanan["realisasi_kumulatif"], bulanan["target_kumulatif"])]
    in_force = [_in_force(decrees, _month_end(tahun, b)) for b in range(1, 13)]
    bulanan["dasar_hukum_berlaku"] = [t.dasar_hukum if t else None for t in in_force]
    bulanan["target_berlaku"] = [t.total if t else math.nan for t in in_force]
    bulanan["capaian_kumulatif_berlaku"] = [_ratio(r, t.total if t else math.nan)[0]
                                            for r, t in zip(bulanan["realisasi_kumulatif"], in_force)]

    # Per type and total: target, end-month realisation, cumulative, previous year, yoy, achievement.
    full = period.is_annual
    current = _cumulative(rows_year, end, lengkap=False)
    previous = _cumulative(rows_previous, end, lengkap=not full)
    month_row = monthly[monthly["bulan"] == end].iloc[0]
    types = _jenis_order((set(current) | set(previous) |
                          (set(tif.per_jenis["jenis"]) if tif else set())) - {TOTAL})
    rows = []
    for jenis in [*types, TOTAL]:
        tgt = annual_target if jenis == TOTAL else (tif.for_jenis(jenis) if tif else math.nan)
        real = float(current.get(jenis, math.nan))
        prev = float(previous.get(jenis, math.nan))
        col = "realisasi" if jenis == TOTAL else jenis
        in_month = float(month_row[col]) if col in month_row.index else math.nan
        growth, growth_reason = _growth(real, prev)
        if _nan(prev) and not full:
            growth_reason = f"tidak ada data {tahun - 1} s.d. {nama_bulan(end)}"
        pct, pct_reason = _ratio(real, tgt)
        rows.append({
            "jenis": jenis, "nama": jenis_nama(jenis), "target": tgt,
            "dasar_hukum": (tif.dasar_hukum if jenis == TOTAL else
                            tif.per_jenis.set_index("jenis")["dasar_hukum"].get(jenis)) if tif else None,
            "realisasi_bulan": in_month, "realisasi": real, "realisasi_sebelumnya": prev,
            "yoy": growth, "yoy_alasan": growth_reason, "capaian": pct, "capaian_alasan": pct_reason,
        })
    per_jenis = _object_reasons(pd.DataFrame(rows), ["yoy_alasan", "capaian_alasan"])
    total = per_jenis[per_jenis["jenis"] == TOTAL].iloc[0]

    akun = _per_akun([r for r in rows_year if r.bulan is None or r.bulan <= end])
    kode = _iku_kode(tables, satker, tahun)
    iku = _iku_frame(tables, satker, period, rows_year, decrees, shares, kode)
    kontributor, kontributor_total = _contributors(tables, satker, period)
    return RevenueSummary(
        satker=satker, period=period, bulanan=bulanan, per_jenis=per_jenis, per_akun=akun, target=tif,
        iku=iku, kontributor=kontributor, kontributor_total=kontributor_total,
        realisasi=float(total["realisasi"]), target_total=annual_target,
        capaian=float(total["capaian"]), capaian_alasan=_reason(total["capaian_alasan"]),
        realisasi_sebelumnya=float(total["realisasi_sebelumnya"]), yoy=float(total["yoy"]),
        yoy_alasan=_reason(total["yoy_alasan"]), proyeksi_metode=method, proyeksi_rasio=ratio,
        proyeksi_akhir_tahun=year_end, proyeksi_alasan=proj_reason, bulan_tanpa_data=missing, iku_kode=kode,
    )


# --------------------------------------------------------------------------- validation
def validate_revenue(tables, include_disagreements: bool = True) -> list[DataIssue]:
    """Revenue rules beyond the schemas: trajectory sums, negative targets, duplicate rows, refunds."""
    issues: list[DataIssue] = []

    for name in ("penerimaan", "trajektori_penerimaan", "kontributor_penerimaan"):
        df = _table(tables, name)
        if df.empty or "bulan" not in df.columns:
            continue
        df = _where(df, f"{name}.csv")
        bulan = pd.to_numeric(df["bulan"], errors="coerce")
        for (_, row), b in zip(df.iterrows(), bulan):
            if not _nan(b) and not 1 <= b <= 12:
                issues.append(DataIssue(row[_FILE], _line(row[_LINE]), "bulan", row["bulan"],
                                        "diharapkan bulan 1 sampai 12"))

    traj = _table(tables, "trajektori_penerimaan")
    if not traj.empty:
        traj = _where(traj, "trajektori_penerimaan.csv")
        for (satker, tahun), group in traj.groupby(["satker", "tahun"], sort=False):
            total = float(pd.to_numeric(group["persen"], errors="coerce").sum())
            if abs(total - 100.0) > SHARE_TOLERANCE:
                lines = [_line(v) for v in group[_LINE] if not _nan(v)]
                span = f"baris {min(lines)}-{max(lines)}" if lines else f"{len(group)} baris"
                files = ", ".join(dict.fromkeys(str(f) for f in group[_FILE]))
                issues.append(DataIssue(
                    files, max(lines) if lines else None, "persen", round(total, 10),
                    f"jumlah persen trajektori {satker} tahun {int(tahun)} ({span}, {len(group)} bulan) "
                    f"harus 100 (toleransi {SHARE_TOLERANCE:g}); jumlahnya {angka(total, 6, trim=True)}"))

    targets = _table(tables, "target_penerimaan")
    if not targets.empty:
        targets = _where(targets, "target_penerimaan.csv")
        values = pd.to_numeric(targets["target"], errors="coerce")
        for (_, row), v in zip(targets.iterrows(), values):
            if not _nan(v) and v < 0:
                issues.append(DataIssue(row[_FILE], _line(row[_LINE]), "target", row["target"],
                                        "target tidak boleh negatif (tulis 0 bila tidak ada target)"))
        keyed = targets.assign(_tgl=targets["tanggal"].map(_as_date), _jenis=targets["jenis"].map(_text))
        for _, group in keyed.groupby(["satker", "tahun", "_jenis", "_tgl"], sort=False):
            if group["dasar_hukum"].nunique() > 1:
                for _, row in group.iloc[1:].iterrows():
                    issues.append(DataIssue(
                        row[_FILE], _line(row[_LINE]), "tanggal", str(row["_tgl"]),
                        f"satu keputusan per jenis dan tanggal: {row['_jenis']} juga ditetapkan pada tanggal yang "
                        f"sama oleh {group['dasar_hukum'].iloc[0]}", severity="warning"))

    pen = _table(tables, "penerimaan")
    if not pen.empty:
        records = _records(pen)
        groups: dict[tuple, list[_Row]] = {}
        for r in records:
            groups.setdefault((r.satker, r.tahun, r.bulan, r.jenis, r.akun, r.pengembalian), []).append(r)
        for group in groups.values():
            first = group[0]
            kind = "pengembalian" if first.pengembalian else "penerimaan"
            for r in group[1:]:
                ident = f"bulan={'' if r.bulan is None else r.bulan}, jenis={r.jenis}, akun={r.akun}"
                issues.append(DataIssue(
                    r.file, r.line, "nilai", r.nilai,
                    f"baris {kind} ganda untuk {ident} (sudah ada di {first.file} baris {first.line}); "
                    f"satu baris {kind} per bulan/jenis/akun"))
        for r in records:
            if r.uraian.lower().startswith(REFUND_PREFIX) and r.nilai > 0:
                issues.append(DataIssue(r.file, r.line, "nilai", r.nilai,
                                        "pengembalian ditulis negatif atau nol", severity="warning"))
        if include_disagreements:
            for _, d in grain_disagreements(pen).iterrows():
                where = f"bulan {int(d['bulan'])}" if not _nan(d["bulan"]) else "tahunan"
                issues.append(DataIssue(
                    d[_FILE], _line(d[_LINE]), "nilai", d["nilai_total"],
                    f"total ({d['tingkat']}, {where}{', ' + d['jenis'] if d['jenis'] else ''}) diharapkan sama dengan "
                    f"jumlah rinciannya {rupiah(d['jumlah_rincian'])} (selisih {rupiah(d['selisih'])}); "
                    f"laporan memakai total", severity="warning"))
    return issues


# --------------------------------------------------------------------------- display tables
def _money(value) -> str:
    return rupiah(value, na="N/A")


def _pct(value, reason: str | None = None) -> str:
    if _nan(value):
        return _reason(reason) or "N/A"
    return persen(value)


def table_kinerja(summary: RevenueSummary) -> pd.DataFrame:
    """'Kinerja Penerimaan per <date>': target, month, cumulative this and last year, yoy, achievement."""
    tahun, end = summary.tahun, summary.end_month
    dasar = f" ({summary.target.dasar_hukum})" if summary.target else ""
    rows = []
    number = 0
    for _, r in summary.per_jenis.iterrows():
        is_total = r["jenis"] == TOTAL
        if not is_total:
            number += 1
        rows.append({
            "No": "" if is_total else str(number),
            "Jenis Penerimaan": r["nama"],
            f"Target {tahun}{dasar}": _money(r["target"]),
            f"Realisasi {nama_bulan(end)}": _money(r["realisasi_bulan"]),
            f"Realisasi s.d. {nama_bulan(end)} {tahun}": _money(r["realisasi"]),
            f"Realisasi s.d. {nama_bulan(end)} {tahun - 1}": _money(r["realisasi_sebelumnya"]),
            "Yoy (%)": _pct(r["yoy"], r["yoy_alasan"]),
            f"% Capaian {tahun}": _pct(r["capaian"], r["capaian_alasan"]),
        })
    return pd.DataFrame(rows)


def table_trajectory(summary: RevenueSummary) -> pd.DataFrame:
    """'Capaian Trajectory Bulanan': trajectory share and nominal, achievement and realisation per month."""
    rows = []
    for _, r in summary.bulanan.iterrows():
        keterangan = {"proyeksi": "Proyeksi", "realisasi": "Realisasi", "tidak ada data": "Tidak ada data"}.get(
            r["status"], "")
        if not r["status"]:  # a later month with neither data nor projection: nothing to say yet
            r = r.copy()
            r["capaian_alasan"] = r["capaian_kumulatif_alasan"] = "-"
        rows.append({
            "Bulan": r["nama_bulan"],
            "Trajektori Bulan (%)": _pct(r["persen"]),
            "Trajektori Kumulatif (%)": _pct(r["persen_kumulatif"]),
            "Target Bulan": _money(r["target"]),
            "Target Kumulatif": _money(r["target_kumulatif"]),
            "Capaian Bulan (%)": _pct(r["capaian"], r["capaian_alasan"]),
            "Capaian Kumulatif (%)": _pct(r["capaian_kumulatif"], r["capaian_kumulatif_alasan"]),
            "Realisasi Bulan": _money(r["realisasi"]),
            "Realisasi Kumulatif": _money(r["realisasi_kumulatif"]),
            "Keterangan": keterangan,
        })
    return pd.DataFrame(rows)


def table_targets(summary: RevenueSummary) -> pd.DataFrame:
    """The year's target decrees with their dates: the original and each revision, the one in force marked."""
    kep = summary.keputusan
    if kep.empty:
        return pd.DataFrame(columns=["Dasar Hukum", "Tanggal", "Total", "Keterangan"])
    types = [c for c in kep.columns if c not in ("dasar_hukum", "tanggal", TOTAL, "berlaku")]
    rows = []
    for i, r in kep.iterrows():
        notes = ["Target awal" if i == 0 else "Revisi"]
        if summary.target and r["dasar_hukum"] == summary.target.dasar_hukum:
            notes.append(f"berlaku per {tanggal(summary.period.end_date)}")
        row = {"Dasar Hukum": r["dasar_hukum"], "Tanggal": tanggal(r["tanggal"])}
        for jenis in types:
            row[jenis_nama(jenis)] = _money(r[jenis])
        row["Total"] = _money(r[TOTAL])
        row["Keterangan"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)


def table_iku(summary: RevenueSummary) -> pd.DataFrame:
    """3a-CP per period recomputed from revenue, beside the value in the indicator data."""
    rows = []
    for _, r in summary.iku.iterrows():
        rows.append({
            "Periode": PERIOD_LABELS[r["periode"]],
            "Dasar Target": r["dasar_hukum"] or "N/A",
            "Target Tahunan": _money(r["target_tahunan"]),
            "Realisasi Kumulatif": _money(r["realisasi_kumulatif"]),
            "Realisasi IKU (dihitung)": _pct(r["nilai"], r["alasan"]),
            "Realisasi IKU (data indikator)": _pct(r["realisasi_indikator"]),
            "Selisih (poin)": "N/A" if _nan(r["selisih"]) else angka(r["selisih"], 2),
        })
    return pd.DataFrame(rows)


def table_kontributor(summary: RevenueSummary, jenis: str = "bea_masuk") -> pd.DataFrame:
    """Contributors of one type by month, in juta rupiah, with the period total and share."""
    df = summary.kontributor[summary.kontributor["jenis"] == jenis]
    totals = summary.kontributor_total[summary.kontributor_total["jenis"] == jenis]
    if df.empty:
        return pd.DataFrame(columns=["Wajib Bayar"])
    months = sorted(df["bulan"].unique())
    rows = []
    for _, t in totals.iterrows():
        own = df[df["wajib_bayar"] == t["wajib_bayar"]].set_index("bulan")["nilai"]
        row = {"Wajib Bayar": t["wajib_bayar"]}
        for b in months:
            row[nama_bulan(b)] = angka(own.get(b, math.nan) / 1e6, 2)
        row["Jumlah"] = angka(t["nilai"] / 1e6, 2)
        row["Porsi"] = persen(t["porsi"])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["satuan"] = "juta rupiah"  # the caption states it (lakin.present.sections)
    return out


# --------------------------------------------------------------------------- figures block
def _int(value):
    return None if _nan(value) else int(round_half_up(float(value), 0))


def _pct2(value):
    return None if _nan(value) else round_half_up(float(value), 2)


def figures_block(unit) -> dict | None:
    """Revenue headline figures for `lakin figures` (money as integers, percentages to 2 decimals)."""
    if not has_revenue(unit.tables, unit.period.tahun):
        return None
    s = getattr(unit, "revenue", None) or summarize(unit.tables, unit.satker, unit.period)  # the report model's, once
    tif = s.target

    def decree(dasar, tgl, nilai):
        return {"dasar_hukum": dasar, "tanggal": tgl.isoformat() if tgl else None, "nilai": _int(nilai)}

    per_jenis = {}
    for _, r in s.per_jenis.iterrows():
        if r["jenis"] == TOTAL:
            continue
        per_jenis[r["jenis"]] = {
            "target": _int(r["target"]), "realisasi_bulan": _int(r["realisasi_bulan"]),
            "realisasi": _int(r["realisasi"]), "realisasi_sebelumnya": _int(r["realisasi_sebelumnya"]),
            "yoy": _pct2(r["yoy"]), "yoy_keterangan": _reason(r["yoy_alasan"]),
            "capaian": _pct2(r["capaian"]), "capaian_keterangan": _reason(r["capaian_alasan"]),
        }
    bulanan = [{
        "bulan": int(r["bulan"]), "nama": r["nama_bulan"], "status": r["status"] or None,
        "proyeksi": bool(r["proyeksi"]),
        "target_persen": _pct2(r["persen"]), "target_kumulatif_persen": _pct2(r["persen_kumulatif"]),
        "target": _int(r["target"]), "target_kumulatif": _int(r["target_kumulatif"]),
        "realisasi": _int(r["realisasi"]), "realisasi_kumulatif": _int(r["realisasi_kumulatif"]),
        "capaian": _pct2(r["capaian"]), "capaian_kumulatif": _pct2(r["capaian_kumulatif"]),
    } for _, r in s.bulanan.iterrows()]
    iku = [{
        "periode": r["periode"], "dasar_hukum": _reason(r["dasar_hukum"]), "target_tahunan": _int(r["target_tahunan"]),
        "realisasi_kumulatif": _int(r["realisasi_kumulatif"]), "nilai": _pct2(r["nilai"]),
        "keterangan": _reason(r["alasan"]), "kode": _reason(r["kode"]), "nilai_indikator": _pct2(r["realisasi_indikator"]),
        "selisih": _pct2(r["selisih"]), "cocok": None if _nan(r["cocok"]) else bool(r["cocok"]),
    } for _, r in s.iku.iterrows()]
    top = s.kontributor_total[~s.kontributor_total["lainnya"].astype(bool)] if not s.kontributor_total.empty else None
    terbesar = None
    if top is not None and not top.empty:
        best = top.sort_values("nilai", ascending=False, kind="stable").iloc[0]
        terbesar = {"jenis": best["jenis"], "wajib_bayar": best["wajib_bayar"], "nilai": _int(best["nilai"]),
                    "porsi": _pct2(best["porsi"])}
    return {
        "tahun": s.tahun,
        "bulan_akhir": s.end_month,
        "realisasi_kumulatif": _int(s.realisasi),
        "target": decree(tif.dasar_hukum, tif.tanggal, tif.total) if tif else None,
        "target_awal": decree(tif.awal_dasar_hukum, tif.awal_tanggal, tif.awal_total) if tif else None,
        "target_direvisi": bool(tif.direvisi) if tif else False,
        "capaian": _pct2(s.capaian),
        "capaian_keterangan": s.capaian_alasan,
        "yoy": {"persen": _pct2(s.yoy), "realisasi_sebelumnya": _int(s.realisasi_sebelumnya),
                "keterangan": s.yoy_alasan},
        "per_jenis": per_jenis,
        "bulanan": bulanan,
        "bulan_tanpa_data": s.bulan_tanpa_data,
        "proyeksi": None if s.proyeksi_metode is None else {
            "metode": s.proyeksi_metode, "rasio": round_half_up(s.proyeksi_rasio, 6),
            "realisasi_akhir_tahun": _int(s.proyeksi_akhir_tahun),
            "capaian_akhir_tahun": _pct2(_ratio(s.proyeksi_akhir_tahun, s.target_total)[0]),
        },
        "iku": iku,
        "kontributor_terbesar": terbesar,
    }


def _register() -> None:
    from lakin.model.figures import register_block

    register_block("penerimaan", figures_block)


_register()
