"""The revenue chapter's tables as display strings: targets in force, performance per type, monthly trajectory,
3a-CP recomputed, contributors."""

from __future__ import annotations

import math

import pandas as pd

from lakin.data.periods import PERIOD_LABELS
from lakin.rules.revenue import TOTAL, RevenueSummary, jenis_nama
from lakin.rules.revenue.realisation import text_or_none
from lakin.values import angka, is_na, nama_bulan, persen, rupiah, tanggal

__all__ = ["table_iku", "table_kinerja", "table_kontributor", "table_targets", "table_trajectory"]


def _money(value) -> str:
    return rupiah(value, na="N/A")


def _pct(value, reason: str | None = None) -> str:
    if is_na(value):
        return text_or_none(reason) or "N/A"
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
            "Selisih (poin)": "N/A" if is_na(r["selisih"]) else angka(r["selisih"], 2),
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
