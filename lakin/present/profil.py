"""Bab I and II from data: tasks and functions, structure, staff, Renstra targets, the measurement method.

Pure functions: tables of the unit in, display frames (Indonesian labels, formatted values) or sentences out.
"""

from __future__ import annotations

import math

import pandas as pd

from lakin.data.periods import PERIOD_LABELS, ReportPeriod
from lakin.values import angka
from lakin.values import nilai as nilai_satuan
from lakin.values import tanggal as fmt_tanggal
from lakin.rules.frameworks import Framework
from lakin.rules.scoring import Scorecard, indicator_index
from lakin.values import is_na

__all__ = ["KONSOLIDASI_KALIMAT", "POLARITAS_KALIMAT", "POLARITAS_NAMA", "annual_targets", "metode_pengukuran",
           "pegawai_tables", "pegawai_total", "perbandingan_table", "period_label", "profil_items", "profil_sumber",
           "renstra_frame", "renstra_kalimat", "renstra_table", "sistematika_markdown", "struktur_table"]

POLARITAS_KALIMAT = {
    "max": "semakin tinggi realisasi semakin baik; indeks capaian = realisasi / target x 100",
    "min": "semakin rendah realisasi semakin baik; indeks capaian = target / realisasi x 100",
    "stabilize": ("realisasi diharapkan berada di sekitar target; indeks capaian 100 selama realisasi berada dalam "
                  "batas toleransi {toleransi}% dari target, lalu berkurang sebesar penyimpangannya"),
}
POLARITAS_NAMA = {"max": "Maksimal", "min": "Minimal", "stabilize": "Stabil"}
KONSOLIDASI_KALIMAT = {
    "tlkv": "nilai periode terakhir yang diketahui",
    "sum": "jumlah realisasi seluruh triwulan",
    "average": "rata-rata realisasi seluruh triwulan",
}


def _teks(value) -> str | None:
    """A printed-text cell, or None when empty."""
    return None if is_na(value) or not str(value).strip() else str(value)


def _indeks(value) -> str:
    """An index with two decimals (118,32; 120,00), N/A when missing."""
    return "N/A" if is_na(value) else angka(float(value), 2)


def _as_of(frame: pd.DataFrame, tahun: int) -> pd.DataFrame:
    """Rows of the latest year not after `tahun` (an organisation's profile holds until it changes)."""
    if frame is None or frame.empty or "tahun" not in frame:
        return pd.DataFrame(columns=[] if frame is None else frame.columns)
    years = [int(t) for t in frame["tahun"].dropna().unique() if int(t) <= tahun]
    if not years:
        return frame.iloc[0:0]
    return frame[frame["tahun"] == max(years)]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("urutan", kind="stable", na_position="last") if "urutan" in frame else frame


def profil_items(tables: dict[str, pd.DataFrame], tahun: int, bagian: str) -> list[str]:
    """The unit's tasks, functions, strategic roles or strategic issues (profil_organisasi), in order."""
    frame = _as_of(tables.get("profil_organisasi"), tahun)
    if frame.empty:
        return []
    rows = _sorted(frame[frame["bagian"] == bagian])
    return [str(v).strip() for v in rows["uraian"] if not is_na(v) and str(v).strip()]


def profil_sumber(tables: dict[str, pd.DataFrame], tahun: int, bagian: str) -> str | None:
    """The legal basis printed with the first row of a profile part, if any."""
    frame = _as_of(tables.get("profil_organisasi"), tahun)
    if frame.empty or "sumber" not in frame:
        return None
    rows = _sorted(frame[frame["bagian"] == bagian])
    values = [str(v).split(";")[0].strip() for v in rows["sumber"] if not is_na(v) and str(v).strip()]
    return values[0] if values else None


def struktur_table(tables: dict[str, pd.DataFrame], tahun: int) -> pd.DataFrame:
    """The organisation's units and whom each reports to (struktur_organisasi)."""
    frame = _sorted(_as_of(tables.get("struktur_organisasi"), tahun))
    if frame.empty:
        return pd.DataFrame(columns=["No", "Unit/Jabatan", "Bertanggung Jawab kepada"])
    return pd.DataFrame({
        "No": range(1, len(frame) + 1),
        "Unit/Jabatan": [str(v) for v in frame["unit"]],
        "Bertanggung Jawab kepada": ["-" if is_na(v) else str(v) for v in frame["induk"]],
    })


def pegawai_tables(tables: dict[str, pd.DataFrame], tahun: int) -> list[tuple[str, pd.DataFrame]]:
    """Staff per category, one table per grouping (jabatan, jenis kelamin, ...) with its total and shares."""
    frame = _as_of(tables.get("pegawai"), tahun)
    out = []
    if frame.empty:
        return out
    for kelompok in dict.fromkeys(frame["kelompok"]):
        rows = _sorted(frame[frame["kelompok"] == kelompok])
        total = int(rows["jumlah"].sum())
        body = pd.DataFrame({
            str(kelompok): [str(v) for v in rows["kategori"]],
            "Jumlah": [angka(int(v), 0) for v in rows["jumlah"]],
            "Persentase": [f"{angka(100 * int(v) / total, 2)}%" if total else "-" for v in rows["jumlah"]],
        })
        body.loc[len(body)] = ["Jumlah", angka(total, 0), "100,00%" if total else "-"]
        out.append((str(kelompok), body))
    return out


def pegawai_total(tables: dict[str, pd.DataFrame], tahun: int) -> tuple[int, str | None] | None:
    """(staff count of the first grouping, its as-of date text) for the sentence, or None."""
    frame = _as_of(tables.get("pegawai"), tahun)
    if frame.empty:
        return None
    first = frame[frame["kelompok"] == frame["kelompok"].iloc[0]]
    tanggal = None
    if "tanggal" in first and first["tanggal"].notna().any():
        value = pd.to_datetime(first["tanggal"].dropna().iloc[0]).date()
        tanggal = fmt_tanggal(value)
    return int(first["jumlah"].sum()), tanggal


def renstra_frame(tables: dict[str, pd.DataFrame], sc: Scorecard) -> pd.DataFrame:
    """Per indicator of the period: the medium-term (Renstra) target and the realisation to date against it.

    Columns: kode, tahun_awal, tahun_akhir, target, target_teks, realisasi, persen (realisation as a
    percentage of the Renstra target, by polarity: realisasi/target for max, target/realisasi for min;
    N/A for stabilize or when either is missing or zero). Indicators without a Renstra row are absent.
    """
    columns = ["kode", "tahun_awal", "tahun_akhir", "target", "target_teks", "realisasi", "persen"]
    renstra = tables.get("renstra")
    if renstra is None or renstra.empty:
        return pd.DataFrame(columns=columns)
    tahun = sc.period.tahun
    current = renstra[(renstra["tahun_awal"] <= tahun) & (renstra["tahun_akhir"] >= tahun)]
    rows = []
    for _, ind in sc.indicators.iterrows():
        match = current[current["kode"] == ind["kode"]]
        if match.empty:
            continue
        r = match.sort_values("tahun_akhir").iloc[-1]
        target = float(r["target"]) if not is_na(r["target"]) else math.nan
        real = float(ind["realisasi"]) if not is_na(ind["realisasi"]) else math.nan
        persen = math.nan
        if not (math.isnan(target) or math.isnan(real)):
            if ind["polaritas"] == "max" and target != 0:
                persen = 100 * real / target
            elif ind["polaritas"] == "min" and real != 0:
                persen = 100 * target / real
        teks = r.get("target_teks") if "target_teks" in r else None
        rows.append({"kode": ind["kode"], "tahun_awal": int(r["tahun_awal"]), "tahun_akhir": int(r["tahun_akhir"]),
                     "target": target, "target_teks": None if is_na(teks) else str(teks), "realisasi": real,
                     "persen": persen})
    return pd.DataFrame(rows, columns=columns)


def renstra_table(tables: dict[str, pd.DataFrame], sc: Scorecard) -> pd.DataFrame:
    """Bab II: every indicator with its Renstra target (only indicators the data gives one for)."""
    frame = renstra_frame(tables, sc)
    if frame.empty:
        return pd.DataFrame(columns=["No", "Kode", "Indikator", "Periode Renstra", "Target Renstra"])
    ind = sc.indicators.set_index("kode")
    return pd.DataFrame({
        "No": range(1, len(frame) + 1),
        "Kode": list(frame["kode"]),
        "Indikator": [str(ind.loc[k, "nama"]) for k in frame["kode"]],
        "Periode Renstra": [f"{a}-{b}" for a, b in zip(frame["tahun_awal"], frame["tahun_akhir"])],
        "Target Renstra": [_teks(t) or nilai_satuan(v, ind.loc[k, "satuan"])
                           for k, v, t in zip(frame["kode"], frame["target"], frame["target_teks"])],
    })


def annual_targets(tables: dict[str, pd.DataFrame], tahun: int) -> dict[str, float]:
    """The annual (Y) target of every indicator of a year, from iku_nilai."""
    nilai = tables.get("iku_nilai")
    if nilai is None or nilai.empty:
        return {}
    y = nilai[(nilai["tahun"] == tahun) & (nilai["periode"] == "Y") & nilai["target"].notna()]
    return {str(k): float(v) for k, v in zip(y["kode"], y["target"])}


def perbandingan_table(sc: Scorecard, kode: str, renstra: pd.DataFrame | None = None,
                       annual_target: float | None = None) -> pd.DataFrame:
    """Bab III A for one indicator: earlier years (with their targets where the data has them), every
    period of this year, and the Renstra target with the realisation to date against it; in quarterly
    reports a "% dari Target Tahunan" column (realisation to date against the annual target).

    The indicator's few history rows are read once as records and chosen and ordered in Python (a year, or a
    period of the year, appears once per indicator: no two rows tie): a report of 20 indicators spent 0.19 s in
    the pandas filters, sorts and `iterrows` this replaced, for the same table."""
    h = sc.history[sc.history["kode"] == kode].to_dict("records")
    row = sc.indicators[sc.indicators["kode"] == kode].iloc[0]
    satuan, polaritas = row["satuan"], row["polaritas"]
    tahun = sc.period.tahun
    quarterly = not sc.period.is_annual
    annual_target = math.nan if annual_target is None or is_na(annual_target) else float(annual_target)

    def value(v, teks=None) -> str:
        if teks is not None and not is_na(teks):
            return str(teks)
        return nilai_satuan(v, satuan)

    def share(real) -> str:
        if is_na(real) or math.isnan(annual_target) or annual_target == 0 or polaritas != "max":
            return "-"
        return f"{_indeks(100 * float(real) / annual_target)}%"

    rows = []
    for r in sorted((r for r in h if r["tahun"] < tahun), key=lambda r: r["tahun"]):
        capaian = r.get("capaian")
        if is_na(capaian) and not is_na(r["target"]) and not is_na(r["realisasi"]):
            capaian, _ = indicator_index(r["target"], r["realisasi"], polaritas, sc.framework, "Y",
                                         None if is_na(row.get("aturan_capaian")) else row["aturan_capaian"])
        rows.append({"Uraian": f"Tahun {int(r['tahun'])}",
                     "Target": "-" if is_na(r["target"]) and is_na(r.get("target_teks")) else value(r["target"], r.get("target_teks")),
                     "Realisasi": value(r["realisasi"], r.get("realisasi_teks")),
                     "Capaian": "-" if is_na(capaian) else _indeks(capaian),
                     "% dari Target Tahunan": "-"})
    order = {p: i for i, p in enumerate(sc.period.periods_shown())}
    for r in sorted((r for r in h if r["tahun"] == tahun and r["periode"] in order), key=lambda r: order[r["periode"]]):
        label = PERIOD_LABELS[r["periode"]]
        label = f"{label} {tahun}" if r["periode"] != "Y" else f"Tahun {tahun}"
        rows.append({"Uraian": label, "Target": value(r["target"], r.get("target_teks")),
                     "Realisasi": value(r["realisasi"], r.get("realisasi_teks")), "Capaian": _indeks(r["capaian"]),
                     "% dari Target Tahunan": share(r["realisasi"])})
    if renstra is not None and not renstra.empty:
        match = renstra[renstra["kode"] == kode]
        if not match.empty:
            m = match.iloc[0]
            rows.append({"Uraian": f"Target Renstra {m['tahun_awal']}-{m['tahun_akhir']} (realisasi s.d. "
                                   f"{sc.period.nama.replace('Tahun ', '')})",
                         "Target": _teks(m["target_teks"]) or nilai_satuan(m["target"], satuan),
                         "Realisasi": value(m["realisasi"], row.get("realisasi_teks")),
                         "Capaian": f"{_indeks(m['persen'])}%" if not is_na(m["persen"]) else "N/A",
                         "% dari Target Tahunan": "-"})
    columns = ["Uraian", "Target", "Realisasi", "Capaian"] + (["% dari Target Tahunan"] if quarterly else [])
    return pd.DataFrame(rows, columns=columns)


def renstra_kalimat(sc: Scorecard, kode: str, renstra: pd.DataFrame, label: str) -> str | None:
    """One sentence: the Renstra target and the realisation to date against it."""
    match = renstra[renstra["kode"] == kode] if renstra is not None and not renstra.empty else renstra
    if match is None or match.empty:
        return None
    m = match.iloc[0]
    row = sc.indicators[sc.indicators["kode"] == kode].iloc[0]
    target = _teks(m["target_teks"]) or nilai_satuan(m["target"], row["satuan"])
    real = nilai_satuan(m["realisasi"], row["satuan"])
    text = (f"Target jangka menengah (Renstra {m['tahun_awal']}-{m['tahun_akhir']}) {label} adalah {target}; "
            f"realisasi s.d. {sc.period.nama.replace('Tahun ', '')} sebesar {real}")
    if not is_na(m["persen"]):
        text += f", atau {_indeks(m['persen'])}% dari target Renstra."
    else:
        text += "."
    return text


def metode_pengukuran(fw: Framework, sc: Scorecard, polaritas_used: list[str]) -> list[str]:
    """The measurement method in Indonesian, from the framework file: index per polarity, consolidation,
    aggregation and weights, clamp."""
    term = fw.istilah_indikator
    out = [f"Kinerja diukur dengan {fw.nama}. Indeks capaian setiap {term} dihitung dari target dan realisasinya "
           f"menurut polaritasnya:"]
    lines = []
    for p in polaritas_used:
        if p in POLARITAS_KALIMAT:
            lines.append(f"- Polaritas {POLARITAS_NAMA[p].lower()}: "
                         + POLARITAS_KALIMAT[p].format(toleransi=angka(fw.stabilize_toleransi, 0)) + ".")
    out.append("\n".join(lines))
    kons = sorted(set(sc.indicators["konsolidasi"].dropna()))
    if kons:
        out.append("Realisasi periode kumulatif (semester, s.d. triwulan, tahunan) dikonsolidasikan menurut jenis "
                   f"{term}: " + "; ".join(f"{KONSOLIDASI_KALIMAT.get(k, k)}" for k in kons) + ".")
    low, high = fw.clamp
    if math.isinf(high) and not math.isinf(low):
        out.append(f"Indeks capaian setiap {term} dibatasi paling rendah {angka(low, 0)}, tanpa batas atas.")
    elif math.isinf(low) and not math.isinf(high):
        out.append(f"Indeks capaian setiap {term} dibatasi paling tinggi {angka(high, 0)}.")
    elif not (math.isinf(low) and math.isinf(high)):
        out.append(f"Indeks capaian setiap {term} dibatasi paling rendah {angka(low, 0)} dan paling tinggi "
                   f"{angka(high, 0)}.")
    names = [lv["nama"].lower() for lv in fw.levels]
    chain = ", lalu ".join(f"per {n}" for n in names)
    out.append(f"Indeks {term} dirata-ratakan {chain}, hingga menjadi {fw.skor_nama} ({fw.skor_kode}).")
    bobot = (fw.overall or {}).get("bobot") or {}
    if bobot and sc.levels:
        top = sc.levels[-1]
        parts = [f"{nama} {angka(bobot[k], 0)}%" for k, nama in zip(top["kode"], top["nama"]) if k in bobot]
        if parts:
            out.append(f"{fw.skor_kode} adalah rata-rata tertimbang indeks {fw.levels[-1]['nama'].lower()} dengan "
                       f"bobot: " + ", ".join(parts) + ".")
    return out


def sistematika_markdown(outline, available: set[str]) -> str:
    """The outline of the report as a numbered list (Markdown, labels from the outline file)."""
    lines = []
    for i, (title, subs) in enumerate(outline.sistematika(available), start=1):
        lines.append(f"{i}. {title}")
        lines.extend(f"    - {s}" for s in subs)
    return "\n".join(lines)


def period_label(period: ReportPeriod) -> str:
    return period.nama
