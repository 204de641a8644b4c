"""Revenue for one unit and report period: achievement against the target in force, year on year, trajectory,
projection, contributors and the 3a-CP indicator recomputed (full precision; `lakin.present.tables.revenue` and
`lakin.present.narrative.revenue` print it)."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from lakin.data.periods import CUMULATIVE_PERIODS, PERIOD_END_MONTH, ReportPeriod
from lakin.rules.grain import rows_for, table
from lakin.rules.revenue.realisation import (
    LAINNYA,
    NO_DATA,
    NO_PREVIOUS,
    NO_TARGET,
    NO_TRAJECTORY,
    TOTAL,
    RevenueRow,
    cell_text,
    cumulative_realisation,
    jenis_nama,
    jenis_order,
    monthly_realisation,
    per_akun,
    percent_of,
    revenue_records,
    text_or_none,
    year_rows,
)
from lakin.rules.revenue.targets import Decree, TargetInForce, year_decrees, decree_in_force, trajectory
from lakin.values import is_na, nama_bulan, persen, round_half_up, rupiah

__all__ = ["IKU_KODE", "RevenueSummary", "has_revenue", "summarize"]

IKU_KODE = "3a-CP"


def _growth(current, previous) -> tuple[float, str | None]:
    """Year-on-year growth in percent, or NaN and the reason."""
    if is_na(current):
        return math.nan, NO_DATA
    if is_na(previous) or float(previous) == 0:
        return math.nan, NO_PREVIOUS
    if float(previous) < 0:
        return math.nan, "realisasi tahun sebelumnya negatif"
    return (float(current) / float(previous) - 1.0) * 100.0, None


def _object_reasons(df: pd.DataFrame, columns) -> pd.DataFrame:
    for col in columns:
        df[col] = pd.Series([text_or_none(v) for v in df[col]], index=df.index, dtype=object)
    return df


def _month_end(tahun: int, bulan: int) -> date:
    return date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])



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
        if not rows_for(table(tables, name), None, tahun).empty:
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
    if is_na(tgt) or tgt == 0:
        return bulanan, math.nan, math.nan, None, (NO_TRAJECTORY if is_na(tgt) else NO_TARGET)
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
    iku = rows_for(table(tables, "iku"), satker, tahun)
    if iku.empty:
        return None
    if (iku["kode"] == IKU_KODE).any():
        return IKU_KODE
    named = iku[iku["nama"].map(cell_text).str.lower().str.contains("realisasi penerimaan")]
    return str(named["kode"].iloc[0]) if len(named) else None


def _iku_frame(tables, satker: str, period: ReportPeriod, rows_year: list[RevenueRow],
               decrees: list[Decree], shares: pd.DataFrame, kode: str | None) -> pd.DataFrame:
    nilai = rows_for(table(tables, "iku_nilai"), satker, period.tahun)
    rows = []
    for periode in CUMULATIVE_PERIODS:
        end = PERIOD_END_MONTH[periode]
        if end > period.end_month:
            continue
        on = _month_end(period.tahun, end)
        tif = decree_in_force(decrees, on)
        cum = cumulative_realisation(rows_year, end, lengkap=False)[TOTAL]
        value, reason = percent_of(cum, tif.total if tif else math.nan)
        reported = nilai[(nilai["kode"] == kode) & (nilai["periode"] == periode)] if kode and not nilai.empty else nilai.iloc[0:0]
        ind_real = float(reported["realisasi"].iloc[0]) if len(reported) and not is_na(reported["realisasi"].iloc[0]) else math.nan
        ind_target = float(reported["target"].iloc[0]) if len(reported) and not is_na(reported["target"].iloc[0]) else math.nan
        selisih = round_half_up(value, 2) - ind_real if not (is_na(value) or is_na(ind_real)) else math.nan
        rows.append({
            "periode": periode, "bulan": end, "tanggal": on,
            "dasar_hukum": tif.dasar_hukum if tif else None, "target_tahunan": tif.total if tif else math.nan,
            "realisasi_kumulatif": cum, "nilai": value, "alasan": reason,
            "target_persen": float(shares.loc[shares["bulan"] == end, "persen_kumulatif"].iloc[0]),
            "kode": kode, "realisasi_indikator": ind_real, "target_indikator": ind_target,
            "selisih": selisih, "cocok": (abs(selisih) < 0.005) if not is_na(selisih) else None,
        })
    cols = ["periode", "bulan", "tanggal", "dasar_hukum", "target_tahunan", "realisasi_kumulatif", "nilai", "alasan",
            "target_persen", "kode", "realisasi_indikator", "target_indikator", "selisih", "cocok"]
    return _object_reasons(pd.DataFrame(rows, columns=cols), ["alasan"])


def _contributors(tables, satker: str, period: ReportPeriod) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = rows_for(table(tables, "kontributor_penerimaan"), satker, period.tahun)
    cols = ["bulan", "jenis", "wajib_bayar", "nilai", "porsi"]
    tcols = ["jenis", "wajib_bayar", "nilai", "porsi", "lainnya"]
    if rows.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=tcols)
    df = pd.DataFrame({
        "bulan": pd.to_numeric(rows["bulan"], errors="coerce").astype("float64").values,
        "jenis": rows["jenis"].map(cell_text).values,
        "wajib_bayar": rows["wajib_bayar"].map(cell_text).values,
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
    records = [r for r in revenue_records(table(tables, "penerimaan")) if r.satker == satker]
    rows_year, rows_previous = year_rows(records, tahun), year_rows(records, tahun - 1)
    decrees = year_decrees(table(tables, "target_penerimaan"), tahun, satker)
    tif = decree_in_force(decrees, period.end_date)
    annual_target = tif.total if tif else math.nan
    shares = trajectory(table(tables, "trajektori_penerimaan"), tahun, annual_target, satker)

    monthly = monthly_realisation(rows_year)
    bulanan = shares.copy()
    bulanan.insert(1, "nama_bulan", [nama_bulan(b) for b in bulanan["bulan"]])
    actual = monthly.set_index("bulan")["realisasi"].reindex(range(1, 13))
    actual[actual.index > end] = math.nan
    bulanan["realisasi"] = actual.values
    bulanan["realisasi_kumulatif"] = bulanan["realisasi"].cumsum()
    bulanan["proyeksi"] = False
    missing = [int(b) for b in bulanan.loc[(bulanan["bulan"] <= end) & bulanan["realisasi"].isna(), "bulan"]]
    bulanan, ratio, year_end, method, proj_reason = _projection(bulanan, end, tahun)
    bulanan["status"] = ["proyeksi" if p else ("realisasi" if not is_na(r) else ("tidak ada data" if b <= end else ""))
                         for b, r, p in zip(bulanan["bulan"], bulanan["realisasi"], bulanan["proyeksi"])]
    month_pct = [percent_of(r, t, NO_TARGET if not is_na(t) else NO_TRAJECTORY) for r, t in zip(bulanan["realisasi"], bulanan["target"])]
    bulanan["capaian"] = [v for v, _ in month_pct]
    bulanan["capaian_alasan"] = pd.Series([why for _, why in month_pct], dtype=object)
    cum_pct = [percent_of(r, annual_target) for r in bulanan["realisasi_kumulatif"]]
    bulanan["capaian_kumulatif"] = [v for v, _ in cum_pct]
    bulanan["capaian_kumulatif_alasan"] = pd.Series([why for _, why in cum_pct], dtype=object)
    bulanan["capaian_trajektori"] = [
        percent_of(r, t, NO_TARGET if not is_na(t) else NO_TRAJECTORY)[0]
        for r, t in zip(bulanan["realisasi_kumulatif"], bulanan["target_kumulatif"])]
    in_force = [decree_in_force(decrees, _month_end(tahun, b)) for b in range(1, 13)]
    bulanan["dasar_hukum_berlaku"] = [t.dasar_hukum if t else None for t in in_force]
    bulanan["target_berlaku"] = [t.total if t else math.nan for t in in_force]
    bulanan["capaian_kumulatif_berlaku"] = [percent_of(r, t.total if t else math.nan)[0]
                                            for r, t in zip(bulanan["realisasi_kumulatif"], in_force)]

    # Per type and total: target, end-month realisation, cumulative, previous year, yoy, achievement.
    full = period.is_annual
    current = cumulative_realisation(rows_year, end, lengkap=False)
    previous = cumulative_realisation(rows_previous, end, lengkap=not full)
    month_row = monthly[monthly["bulan"] == end].iloc[0]
    types = jenis_order((set(current) | set(previous) |
                          (set(tif.per_jenis["jenis"]) if tif else set())) - {TOTAL})
    rows = []
    for jenis in [*types, TOTAL]:
        tgt = annual_target if jenis == TOTAL else (tif.for_jenis(jenis) if tif else math.nan)
        real = float(current.get(jenis, math.nan))
        prev = float(previous.get(jenis, math.nan))
        col = "realisasi" if jenis == TOTAL else jenis
        in_month = float(month_row[col]) if col in month_row.index else math.nan
        growth, growth_reason = _growth(real, prev)
        if is_na(prev) and not full:
            growth_reason = f"tidak ada data {tahun - 1} s.d. {nama_bulan(end)}"
        pct, pct_reason = percent_of(real, tgt)
        rows.append({
            "jenis": jenis, "nama": jenis_nama(jenis), "target": tgt,
            "dasar_hukum": (tif.dasar_hukum if jenis == TOTAL else
                            tif.per_jenis.set_index("jenis")["dasar_hukum"].get(jenis)) if tif else None,
            "realisasi_bulan": in_month, "realisasi": real, "realisasi_sebelumnya": prev,
            "yoy": growth, "yoy_alasan": growth_reason, "capaian": pct, "capaian_alasan": pct_reason,
        })
    per_jenis = _object_reasons(pd.DataFrame(rows), ["yoy_alasan", "capaian_alasan"])
    total = per_jenis[per_jenis["jenis"] == TOTAL].iloc[0]

    akun = per_akun([r for r in rows_year if r.bulan is None or r.bulan <= end])
    kode = _iku_kode(tables, satker, tahun)
    iku = _iku_frame(tables, satker, period, rows_year, decrees, shares, kode)
    kontributor, kontributor_total = _contributors(tables, satker, period)
    return RevenueSummary(
        satker=satker, period=period, bulanan=bulanan, per_jenis=per_jenis, per_akun=akun, target=tif,
        iku=iku, kontributor=kontributor, kontributor_total=kontributor_total,
        realisasi=float(total["realisasi"]), target_total=annual_target,
        capaian=float(total["capaian"]), capaian_alasan=text_or_none(total["capaian_alasan"]),
        realisasi_sebelumnya=float(total["realisasi_sebelumnya"]), yoy=float(total["yoy"]),
        yoy_alasan=text_or_none(total["yoy_alasan"]), proyeksi_metode=method, proyeksi_rasio=ratio,
        proyeksi_akhir_tahun=year_end, proyeksi_alasan=proj_reason, bulan_tanpa_data=missing, iku_kode=kode,
    )
