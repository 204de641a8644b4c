"""Indonesian paragraphs on revenue: realisation against the target in force, year on year, contributors, projection."""

from __future__ import annotations

from lakin.present.narrative import arah, daftar
from lakin.rules.revenue import jenis_nama
from lakin.values import is_na, nama_bulan, persen, rupiah, rupiah_singkat, tanggal

__all__ = ["paragraphs"]


def _target_sentence(summary) -> str:
    t = summary.target
    if t is None:
        return "Tidak ada keputusan target penerimaan untuk tahun ini dalam data."
    sentence = (f"Target penerimaan yang berlaku adalah {rupiah(t.total)} sesuai {t.dasar_hukum} "
                f"tanggal {tanggal(t.tanggal)}")
    if t.direvisi:
        sentence += (f", yang merevisi target awal sebesar {rupiah(t.awal_total)} dalam {t.awal_dasar_hukum} "
                     f"tanggal {tanggal(t.awal_tanggal)}")
    return sentence + "."


def _realisation_paragraph(summary, unit_name: str) -> str:
    end = summary.period.end_date
    text = f"Sampai dengan {tanggal(end)}, realisasi penerimaan {unit_name} (netto) sebesar {rupiah(summary.realisasi)}"
    if not is_na(summary.capaian):
        text += f" atau {persen(summary.capaian)} dari target tahunan."
    elif summary.capaian_alasan:
        text += f"; persentase capaian tidak dihitung karena {summary.capaian_alasan}."
    else:
        text += "."
    text += " " + _target_sentence(summary)
    if not summary.period.is_annual:
        row = summary.bulanan[summary.bulanan["bulan"] == summary.end_month].iloc[0]
        if not is_na(row["target_kumulatif"]) and not is_na(row["capaian_trajektori"]):
            text += (f" Terhadap target trajektori s.d. {nama_bulan(summary.end_month)} sebesar "
                     f"{rupiah(row['target_kumulatif'])} ({persen(row['persen_kumulatif'])} dari target tahunan), "
                     f"realisasi mencapai {persen(row['capaian_trajektori'])}.")
    if summary.bulan_tanpa_data:
        months = daftar([nama_bulan(b) for b in summary.bulan_tanpa_data])
        text += f" Data realisasi bulan {months} belum tersedia."
    return text


def _change(value: float) -> str:
    word = {"meningkat": "naik", "menurun": "turun", "tetap": "tetap"}[arah(value)]
    return word if word == "tetap" else f"{word} {persen(abs(value))}"


def _yoy_paragraph(summary) -> str | None:
    tahun = summary.tahun
    if is_na(summary.yoy):
        reason = summary.yoy_alasan or "data tahun sebelumnya tidak tersedia"
        return f"Pertumbuhan dibandingkan tahun {tahun - 1} tidak dapat dihitung ({reason})."
    span = "" if summary.period.is_annual else f" pada periode yang sama (s.d. {nama_bulan(summary.end_month)})"
    text = (f"Dibandingkan realisasi tahun {tahun - 1}{span} sebesar {rupiah(summary.realisasi_sebelumnya)}, "
            f"penerimaan {_change(summary.yoy)} (year on year).")
    parts = []
    for _, r in summary.per_jenis.iterrows():
        if r["jenis"] == "total" or is_na(r["yoy"]):
            continue
        parts.append(f"{r['nama']} {_change(r['yoy'])} menjadi {rupiah(r['realisasi'])}")
    if parts:
        text += " Menurut jenisnya, " + daftar(parts) + "."
    no_target = [r for _, r in summary.per_jenis.iterrows()
                 if r["jenis"] != "total" and is_na(r["capaian"]) and r["capaian_alasan"] == "tidak ada target"
                 and not is_na(r["realisasi"])]
    for r in no_target:
        text += (f" Untuk {r['nama']} tidak ditetapkan target, sehingga persentase capaiannya tidak dihitung; "
                 f"realisasinya {rupiah(r['realisasi'])}.")
    return text


def _contributor_paragraph(summary) -> str | None:
    totals = summary.kontributor_total
    if totals is None or totals.empty:
        return None
    named = totals[~totals["lainnya"].astype(bool)]
    if named.empty:
        return None
    best = named.sort_values("nilai", ascending=False, kind="stable").iloc[0]
    return (f"Kontributor {jenis_nama(best['jenis'])} terbesar s.d. {nama_bulan(summary.end_month)} "
            f"{summary.tahun} adalah {best['wajib_bayar']} dengan {rupiah_singkat(best['nilai'])} atau "
            f"{persen(best['porsi'])} dari penerimaan {jenis_nama(best['jenis'])} yang tercatat pada tabel kontributor.")


def _projection_paragraph(summary) -> str | None:
    if summary.period.is_annual:
        return None
    if summary.proyeksi_metode is None:
        reason = summary.proyeksi_alasan or "data tidak mencukupi"
        return f"Proyeksi sampai akhir tahun tidak dibuat ({reason})."
    text = (f"Jika pola ini berlanjut, realisasi sampai akhir tahun {summary.tahun} diproyeksikan sebesar "
            f"{rupiah_singkat(summary.proyeksi_akhir_tahun)}")
    if not is_na(summary.target_total) and summary.target_total:
        text += f" atau {persen(summary.proyeksi_akhir_tahun / summary.target_total * 100)} dari target"
    return text + f". {summary.proyeksi_metode}"


def paragraphs(summary, unit_name: str) -> list[str]:
    """The revenue chapter's generated paragraphs, in reading order."""
    if is_na(summary.realisasi) and summary.target is None:
        return [f"Data penerimaan {unit_name} untuk {summary.period.nama} tidak tersedia."]
    out = [_realisation_paragraph(summary, unit_name), _yoy_paragraph(summary),
           _contributor_paragraph(summary), _projection_paragraph(summary)]
    return [p for p in out if p]
