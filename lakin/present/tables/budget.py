"""The budget chapter's tables as display strings: absorption per jenis belanja and per kegiatan (seed 003 Tabel
18/19), against the quarterly targets, the Halaman III RPD, and the IKPA/SMART/NKA components (seed 000)."""

from __future__ import annotations

import pandas as pd

from lakin.rules.budget import NKA_BOBOT, BudgetSummary, IkpaResult, RpdComparison
from lakin.rules.budget.amounts import percent_of_pagu
from lakin.values import angka, is_na, poin, ribuan, rupiah

__all__ = ["SATUAN_UANG", "table_ikpa", "table_per_jenis", "table_per_kegiatan", "table_rpd", "table_target"]

SATUAN_UANG = "rupiah"  # amounts in the budget tables: whole rupiah without "Rp" (attrs['satuan'] says so)


def _uang(value) -> str:
    """Whole rupiah with thousands separators, as the seeds' tables print them; N/A when not available."""
    return ribuan(value, na="N/A")


def _short_jenis(nama: str) -> str:
    return nama.removeprefix("Belanja ")


def _persen_cell(value) -> str:
    return angka(value, 2)


def _absorption_table(frame: pd.DataFrame, total: dict, label_col: str, label) -> pd.DataFrame:
    rows = []
    for i, (_, r) in enumerate(frame.iterrows(), start=1):
        rows.append({"No": str(i), label_col: label(r), "Pagu": _uang(r["pagu"]), "Realisasi": _uang(r["realisasi"]),
                     "Sisa Anggaran": _uang(r["sisa"]), "%": _persen_cell(r["persen"])})
    rows.append({"No": "", label_col: "TOTAL", "Pagu": _uang(total["pagu"]), "Realisasi": _uang(total["realisasi"]),
                 "Sisa Anggaran": _uang(total["sisa"]), "%": _persen_cell(total["persen"])})
    out = pd.DataFrame(rows)
    notes = [f"{label(r)}: {r['keterangan']}" for _, r in frame.iterrows() if not is_na(r["keterangan"])]
    if total.get("keterangan"):
        notes.append(f"TOTAL: {total['keterangan']}")
    out.attrs["catatan"] = "N/A = tidak tersedia. " + "; ".join(notes) + "." if notes else None
    out.attrs["satuan"] = SATUAN_UANG
    return out


def table_per_jenis(summary: BudgetSummary) -> pd.DataFrame:
    """Penyerapan anggaran per jenis belanja (seed 003 Tabel 18): No, Jenis Belanja, Pagu, Realisasi,
    Sisa Anggaran, %, with a TOTAL row; notes on N/A cells in attrs['catatan']."""
    return _absorption_table(summary.per_jenis, summary.total, "Jenis Belanja", lambda r: _short_jenis(r["nama"]))


def table_per_kegiatan(summary: BudgetSummary) -> pd.DataFrame:
    """Penyerapan anggaran per kegiatan (seed 003 Tabel 19): No, Kode/Nama Kegiatan, Pagu, Realisasi,
    Sisa Anggaran, %, with a TOTAL row."""
    return _absorption_table(summary.per_kegiatan, summary.total, "Kode/Nama Kegiatan",
                             lambda r: f"{r['kode']} / {r['nama']}" if r["nama"] != r["kode"] else str(r["kode"]))


def table_target(summary: BudgetSummary) -> pd.DataFrame:
    """Absorption per jenis belanja against the quarterly target: Jenis Belanja, Pagu, Realisasi,
    Penyerapan (%), Target (%), Selisih (poin)."""
    rows = []
    for _, r in summary.target.iterrows():
        label = "TOTAL" if r["kode"] == "total" else _short_jenis(r["nama"])
        rows.append({"Jenis Belanja": label, "Pagu": _uang(r["pagu"]), "Realisasi": _uang(r["realisasi"]),
                     "Penyerapan (%)": _persen_cell(r["persen"]), "Target (%)": angka(r["target"], 2),
                     "Selisih (poin)": poin(r["selisih"])})
    out = pd.DataFrame(rows)
    out.attrs["catatan"] = f"Target penyerapan: {summary.target.attrs.get('sumber')}"
    out.attrs["satuan"] = SATUAN_UANG
    return out


def table_ikpa(ikpa: IkpaResult, realisasi: float | None = None, realisasi_label: str | None = None) -> pd.DataFrame:
    """The IKPA/SMART component table of seed 000: Unsur, Capaian, Bobot, Nilai (weighted), group headers,
    Dispensasi SPM as 'Pengurang', the NKA and the IKU index."""
    cols = ["Unsur Kualitas Pelaksanaan Anggaran", "Capaian", "Bobot", "Nilai"]
    rows = []

    def add(a, b="", c="", d=""):
        rows.append(dict(zip(cols, (a, b, c, d))))

    groups = (("ikpa", f"1. NILAI IKPA ({angka(NKA_BOBOT['ikpa'], 0)}%)", "Nilai IKPA", ikpa.ikpa),
              ("smart", f"2. NILAI SMART ({angka(NKA_BOBOT['smart'], 0)}%)", "Nilai SMART", ikpa.smart))
    for kelompok, header, name, score in groups:
        add(header)
        if kelompok == "ikpa" and realisasi is not None and not is_na(realisasi):
            add(realisasi_label or "Realisasi Anggaran", rupiah(realisasi))
        add(name, angka(score, 2))
        part = ikpa.komponen[ikpa.komponen["kelompok"] == kelompok]
        for _, r in part.iterrows():
            add(r["komponen"], angka(r["nilai"], 2), f"{angka(r['bobot'], 2, trim=True)}%",
                "Pengurang" if r["pengurang"] else angka(r["nilai_tertimbang"], 2))
    add("Nilai Kinerja Anggaran (NKA = 50% SMART + 50% IKPA)", angka(ikpa.nka, 2))
    add(f"Indeks capaian IKU {ikpa.kode_iku}" if ikpa.kode_iku else "Indeks capaian IKU Kualitas Kinerja Anggaran",
        angka(ikpa.indeks, 2))
    return pd.DataFrame(rows, columns=cols)


def table_rpd(rpd: RpdComparison) -> pd.DataFrame:
    """RPD (Halaman III DIPA) per month and cumulative, against realisation and its deviation where monthly
    realisation exists; otherwise the plan with its cumulative share of the pagu (attrs['catatan'] says why)."""
    rows = []
    for _, r in rpd.tabel.iterrows():
        row = {"Bulan": r["nama_bulan"], "Rencana (RPD)": _uang(r["rencana"]),
               "RPD Kumulatif": _uang(r["rencana_kumulatif"])}
        if rpd.bulanan:
            row.update({"Realisasi": _uang(r["realisasi"]),
                        "Realisasi Kumulatif": _uang(r["realisasi_kumulatif"]),
                        "Deviasi": _uang(r["deviasi"]),
                        "Deviasi (%)": angka(r["deviasi_persen"], 2)})
        else:
            share, _ = percent_of_pagu(r["rencana_kumulatif"], rpd.pagu)
            row["% Pagu Kumulatif"] = angka(share, 2)
        rows.append(row)
    total = {"Bulan": "JUMLAH", "Rencana (RPD)": _uang(rpd.tabel["rencana"].sum(min_count=1)), "RPD Kumulatif": ""}
    if rpd.bulanan:
        total.update({"Realisasi": _uang(rpd.tabel["realisasi"].sum(min_count=1)),
                      "Realisasi Kumulatif": "", "Deviasi": "", "Deviasi (%)": angka(rpd.deviasi_rata_rata, 2)})
    else:
        total["% Pagu Kumulatif"] = ""
    rows.append(total)
    out = pd.DataFrame(rows)
    out.attrs["catatan"] = rpd.keterangan
    out.attrs["satuan"] = SATUAN_UANG
    # the caption says what the columns hold: realisation only where monthly realisation exists
    out.attrs["judul"] = ("Rencana Penarikan Dana dan Realisasi per Bulan" if rpd.bulanan
                          else "Rencana Penarikan Dana per Bulan")
    return out
