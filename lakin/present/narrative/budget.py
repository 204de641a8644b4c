"""Indonesian sentences about the budget: pagu (in words), realisation and absorption, highlights, IKPA and NKA."""

from __future__ import annotations

from lakin.present.narrative import daftar
from lakin.values import angka, is_na, nama_bulan, persen, round_half_up, rupiah, terbilang_rupiah


def _sampai(summary) -> str:
    rp = summary.period
    return f"akhir Tahun {rp.tahun}" if rp.is_annual else rp.nama


def kalimat_pagu(summary, unit_name: str) -> str:
    """'Pagu anggaran sebesar Rp6.173.055.000 (enam miliar ... rupiah) dialokasikan kepada ...', with its split."""
    total = summary.total
    if is_na(total["pagu"]):
        return f"Pagu anggaran {unit_name} Tahun Anggaran {summary.tahun} tidak tersedia dalam data."
    text = (f"Pagu anggaran sebesar {rupiah(total['pagu'])} ({terbilang_rupiah(total['pagu'])}) dialokasikan "
            f"kepada {unit_name} pada Tahun Anggaran {summary.tahun}.")
    parts = [f"{r['nama']} {rupiah(r['pagu'])}" for _, r in summary.per_jenis.iterrows()
             if not is_na(r["pagu"]) and r["pagu"] > 0]
    kegiatan = summary.per_kegiatan[summary.per_kegiatan["pagu"].notna()]
    if len(parts) > 1:
        text += f" Pagu tersebut terdiri atas {daftar(parts)}"
        text += f", yang dilaksanakan melalui {len(kegiatan)} kegiatan." if len(kegiatan) > 1 else "."
    elif len(kegiatan) > 1:
        text += f" Pagu tersebut dilaksanakan melalui {len(kegiatan)} kegiatan."
    return text


def kalimat_realisasi(summary) -> str:
    """Realisation to the end of the period, in figures and words, its absorption % and the remaining budget."""
    total = summary.total
    if is_na(total["realisasi"]):
        return f"Realisasi anggaran sampai dengan {_sampai(summary)} belum tersedia dalam data."
    text = (f"Realisasi penyerapan anggaran sampai dengan {_sampai(summary)} mencapai {rupiah(total['realisasi'])} "
            f"({terbilang_rupiah(total['realisasi'])})")
    if is_na(total["persen"]):
        return text + "."
    text += f" atau sebesar {persen(total['persen'])} dari pagu"
    if not is_na(total["sisa"]):
        text += f", sehingga sisa anggaran sebesar {rupiah(total['sisa'])}"
    return text + "."


def kalimat_per_jenis(summary) -> str | None:
    """The highest and lowest absorption by jenis belanja, against the quarterly targets; None without detail."""
    frame = summary.target[summary.target["kode"] != "total"]
    if frame.empty:
        return None
    known = frame[frame["persen"].notna()].sort_values("persen", ascending=False, kind="stable")
    no_pagu = [r["nama"] for _, r in frame.iterrows() if not is_na(r["pagu"]) and r["pagu"] == 0]
    sentences = []
    if known.empty:
        if not is_na(summary.total["realisasi"]):  # else the realisation sentence already says it is missing
            sentences.append("Realisasi per jenis belanja tidak tersedia dalam data, sehingga penyerapan hanya "
                             "dapat disajikan secara total.")
    elif len(known) == 1:
        r = known.iloc[0]
        sentences.append(f"Penyerapan {r['nama']} sebesar {persen(r['persen'])} dari pagunya.")
    else:
        hi, lo = known.iloc[0], known.iloc[-1]
        sentences.append(f"Berdasarkan jenis belanja, penyerapan tertinggi terdapat pada {hi['nama']} "
                         f"({persen(hi['persen'])}) dan terendah pada {lo['nama']} ({persen(lo['persen'])}).")
    rated = known[known["target"].notna()]
    if not rated.empty:
        met = {True: [], False: []}
        for _, r in rated.iterrows():
            met[round_half_up(r["persen"]) >= round_half_up(r["target"])].append(
                f"{r['nama']} (target {angka(r['target'], 0)}%)")
        lead = f"Terhadap target penyerapan {summary.period.nama}"
        if met[True] and met[False]:
            sentences.append(f"{lead}, {daftar(met[True])} telah mencapai target, sedangkan "
                             f"{daftar(met[False])} belum mencapai target.")
        elif met[True]:
            sentences.append(f"{lead}, {daftar(met[True])} telah mencapai target.")
        else:
            sentences.append(f"{lead}, {daftar(met[False])} belum mencapai target.")
    if no_pagu:
        sentences.append(f"{daftar(no_pagu)} tidak memiliki pagu pada tahun ini.")
    return " ".join(sentences)


def kalimat_per_kegiatan(summary) -> str | None:
    """The kegiatan with the highest absorption and those with none yet; None without detail."""
    frame = summary.per_kegiatan[summary.per_kegiatan["persen"].notna()]
    if len(frame) < 2:
        return None
    frame = frame.sort_values("persen", ascending=False, kind="stable")
    hi = frame.iloc[0]
    text = (f"Berdasarkan kegiatan, penyerapan tertinggi terdapat pada kegiatan {hi['kode']} {hi['nama']} "
            f"({persen(hi['persen'])})")
    zero = frame[frame["realisasi"] == 0]
    if not zero.empty:
        names = [f"{r['kode']} {r['nama']}" for _, r in zero.iterrows()]
        text += f", sedangkan kegiatan {daftar(names)} belum menyerap anggaran ({persen(0)})"
    else:
        lo = frame.iloc[-1]
        text += f" dan terendah pada kegiatan {lo['kode']} {lo['nama']} ({persen(lo['persen'])})"
    return text + "."


def kalimat_rpd(summary) -> str | None:
    """Cumulative RPD (Halaman III DIPA) to the end of the period against realisation; None without RPD."""
    rpd = summary.rpd
    if rpd is None:
        return None
    end = summary.period.end_month
    row = rpd.tabel[rpd.tabel["bulan"] == end].iloc[0]
    text = (f"Rencana penarikan dana (Halaman III DIPA) kumulatif sampai dengan bulan {nama_bulan(end)} "
            f"sebesar {rupiah(row['rencana_kumulatif'])}")
    if not is_na(rpd.pagu) and rpd.pagu:
        text += f" ({persen(row['rencana_kumulatif'] / rpd.pagu * 100)} dari pagu)"
    if rpd.bulanan and not is_na(row["realisasi_kumulatif"]):
        text += (f", sedangkan realisasi kumulatif sebesar {rupiah(row['realisasi_kumulatif'])}, dengan rata-rata "
                 f"deviasi bulanan {persen(rpd.deviasi_rata_rata)}.")
        return text
    return text + (". Realisasi bulanan tidak tersedia dalam data, sehingga deviasi realisasi terhadap RPD per "
                   "bulan tidak dapat dihitung.")


def kalimat_ikpa(summary) -> str | None:
    """IKPA, SMART, NKA = 50% SMART + 50% IKPA and the IKU index it converts to; None without IKPA data."""
    ikpa = summary.ikpa
    if ikpa is None:
        return None
    if is_na(ikpa.nka):
        return (f"Nilai Kinerja Anggaran (NKA) untuk {summary.period.nama} belum dapat dihitung karena komponen "
                f"IKPA dan SMART periode tersebut tidak lengkap dalam data.")
    iku = f"IKU {ikpa.kode_iku}" if ikpa.kode_iku else "IKU Indeks Kualitas Kinerja Anggaran"
    return (f"Nilai Indikator Kinerja Pelaksanaan Anggaran (IKPA) {summary.period.nama} sebesar "
            f"{angka(ikpa.ikpa)} dan nilai SMART sebesar {angka(ikpa.smart)}, sehingga Nilai Kinerja Anggaran "
            f"(NKA = 50% SMART + 50% IKPA) sebesar {angka(ikpa.nka)}. Sesuai tabel konversi, NKA tersebut "
            f"menghasilkan indeks capaian {iku} sebesar {angka(ikpa.indeks)}.")


def paragraphs(summary, unit_name: str) -> list[str]:
    """The budget chapter's generated paragraphs: pagu, realisation, per jenis and per kegiatan, RPD, IKPA/NKA."""
    first = kalimat_pagu(summary, unit_name) + " " + kalimat_realisasi(summary)
    out = [first]
    detail = [s for s in (kalimat_per_jenis(summary), kalimat_per_kegiatan(summary)) if s]
    if detail:
        out.append(" ".join(detail))
    for sentence in (kalimat_rpd(summary), kalimat_ikpa(summary)):
        if sentence:
            out.append(sentence)
    return out


__all__ = ["kalimat_ikpa", "kalimat_pagu", "kalimat_per_jenis", "kalimat_per_kegiatan", "kalimat_realisasi",
           "kalimat_rpd", "paragraphs"]
