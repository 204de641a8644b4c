"""Indonesian sentences about the scorecard: overall score, status bands, extremes, each indicator."""

from __future__ import annotations

import pandas as pd

from lakin.data.periods import PERIOD_PHRASES
from lakin.model.report_model import iku_counts
from lakin.present.narrative import arah, daftar
from lakin.model.refs import escape_md
from lakin.rules.scoring import Scorecard
from lakin.values import angka, indeks, is_na, nilai, poin

__all__ = [
    "kalimat_indikator", "kalimat_level", "kalimat_nilai_organisasi", "kalimat_status", "kalimat_tertinggi_terendah",
    "label", "nama_level", "nilai_satuan", "perubahan", "ringkasan",
]



def nilai_satuan(value, satuan) -> str:
    """A value with its unit as the reports print it: 97,75%, 0,40 hari, 3,77 (skala 4), 10 sertifikat."""
    return nilai(value, satuan)


def label(sc: Scorecard, kode: str) -> str:
    """'IKU 1a-N', but 'IKU 6' or 'IKM 12' when the code already names its kind."""
    term = sc.framework.istilah_indikator
    return kode if str(kode).upper().startswith("IK") else f"{term} {kode}"


def _score_name(sc: Scorecard) -> str:
    return f"{sc.framework.skor_nama} ({sc.framework.skor_kode})"


def _score_value(sc: Scorecard, value) -> str:
    return f"{angka(value)}{sc.framework.skor_satuan}"


def kalimat_nilai_organisasi(sc: Scorecard, unit_name: str) -> str:
    """The overall score with its change from the previous year (meningkat / menurun / tetap)."""
    text = (f"{_score_name(sc)} {unit_name} pada {sc.period.nama} "
            f"sebesar {_score_value(sc, sc.overall)} dengan kategori {sc.framework.kategori_for(sc.overall)}")
    if sc.change is None:
        return text + "."
    direction = arah(sc.change)
    prev_label = f"{sc.framework.skor_kode} tahun {sc.period.tahun - 1}"
    if direction == "tetap":
        return text + f", tetap sama dengan {prev_label} sebesar {_score_value(sc, sc.previous)}."
    return (text + f", {direction} {angka(abs(sc.change))} poin dibandingkan {prev_label} "
            f"sebesar {_score_value(sc, sc.previous)}.")


def kalimat_status(sc: Scorecard) -> str:
    """How many indicators are in each status band, and how many reached the maximum index."""
    term = sc.framework.istilah_indikator
    counts = sc.status_counts()
    total = len(sc.indicators)
    na_name = sc.framework.status_na.nama
    parts = [f"{n} berstatus {band}" for band, n in counts.items() if n and band != na_name]
    text = f"Dari {total} {term} yang diperjanjikan, {daftar(parts)}" if parts else f"Belum ada {term} yang dapat dinilai"
    hi = sc.framework.clamp[1]
    at_max = int((sc.indicators["capaian"] >= hi).sum())
    if at_max:
        text += f"; {at_max} {term} mencapai indeks capaian maksimal {indeks(hi)}"
    text += "."
    n_na = counts.get(na_name, 0)
    if n_na:
        reasons = sc.indicators.loc[sc.indicators["capaian"].isna(), "alasan_na"].dropna().unique().tolist()
        why = f" karena {daftar(reasons)}" if reasons else ""
        text += f" Sebanyak {n_na} {term} tidak dinilai pada periode ini ({na_name}){why}."
    return text


def kalimat_tertinggi_terendah(sc: Scorecard) -> str:
    """Which indicators scored highest and lowest."""
    scored = sc.indicators.dropna(subset=["capaian"])
    if scored.empty:
        return ""
    term = sc.framework.istilah_indikator
    top = scored["capaian"].max()
    low = scored["capaian"].min()
    best = scored[scored["capaian"] == top]
    if len(scored) == 1:  # "all ... the same" says nothing of one indicator (spkt-polda-jateng 2018)
        only = scored.iloc[0]
        return (f"Satu-satunya {term} yang dinilai adalah {label(sc, only['kode'])} {only['nama']}, dengan indeks "
                f"capaian {indeks(top)} ({only['status']}).")
    if top == low:
        return f"Seluruh {term} yang dinilai memperoleh indeks capaian yang sama, yaitu {indeks(top)}."
    worst = scored.sort_values("capaian", kind="stable").iloc[0]
    if len(best) > 3:
        best_text = f"{len(best)} {term} dengan indeks {indeks(top)}"
    else:
        best_text = daftar([f"{label(sc, r['kode'])} {r['nama']}" for _, r in best.iterrows()]) + f" dengan indeks {indeks(top)}"
    return (f"Indeks capaian tertinggi diraih oleh {best_text}, sedangkan yang terendah adalah "
            f"{label(sc, worst['kode'])} {worst['nama']} dengan indeks {indeks(worst['capaian'])} ({worst['status']}).")


def kalimat_level(sc: Scorecard, depth: int, markdown: bool = False) -> list[str]:
    """One sentence per group of a level (perspective or sasaran); with markdown=True, Markdown ready to print
    (data escaped, the official English term in italics: 'Perspektif *Stakeholder*', as the seed writes it)."""
    frame = sc.levels[depth]
    level = frame.attrs["level"]
    _, scored = iku_counts(sc, depth)  # indicators, not the groups of the level below (5/3/7/5, not 4/2/4/3)
    esc = escape_md if markdown else str
    out = []
    for _, r in frame.iterrows():
        name = nama_level(level, r["nama"], markdown)
        if is_na(r["indeks"]):
            out.append(f"{name} {esc('belum dapat dinilai pada periode ini.')}")
            continue
        out.append(f"{name} " + esc(f"memperoleh indeks capaian {indeks(r['indeks'])} dari {scored.get(r['kode'], 0)} "
                                    f"{sc.framework.istilah_indikator} yang dinilai."))
    return out


def nama_level(level: dict, nama: str, markdown: bool = False) -> str:
    """A group as prose names it: 'Perspektif Stakeholder' from the official label 'Stakeholder Perspective'
    (never 'Perspektif Stakeholder Perspective'); with markdown=True 'Perspektif *Stakeholder*' (escaped)."""
    text = str(nama).strip()
    esc = escape_md if markdown else str
    if text.lower().endswith(" perspective"):
        core = text[:-len(" perspective")].strip()
        return f"{esc(level['nama'])} *{esc(core)}*" if markdown else f"{level['nama']} {core}"
    return f"{esc(level['nama'])} {esc(text)}"


def kalimat_indikator(sc: Scorecard, row: pd.Series) -> str:
    """Target, realisation and index of one indicator, worded by its polarity."""
    head = f"Pada {PERIOD_PHRASES[sc.periode_data]} {sc.period.tahun}, {label(sc, row['kode'])} {row['nama']}"
    target = nilai_satuan(row["target"], row["satuan"])
    real = row["realisasi_teks"] if not is_na(row.get("realisasi_teks")) else nilai_satuan(row["realisasi"], row["satuan"])
    if is_na(row["capaian"]):
        if is_na(row["realisasi"]):
            return f"{head} belum memiliki realisasi sehingga belum dinilai."
        return f"{head} terealisasi {real}; indikator ini tidak dinilai karena {row['alasan_na']}."
    pol = row["polaritas"]
    r, t = row["realisasi"], row["target"]
    if not is_na(row.get("aturan_capaian")):
        rule = sc.framework.aturan[row["aturan_capaian"]]
        compare = f"; indeks capaian dihitung dengan tabel konversi ({rule.nama})"
    elif pol == "min":
        compare = (", lebih rendah dari target, yang berarti lebih baik karena semakin rendah realisasi semakin baik"
                   if r <= t else ", lebih tinggi dari target, padahal semakin rendah realisasi semakin baik")
    elif pol == "stabilize":
        compare = ", dalam rentang toleransi target" if row["capaian"] >= 100 else ", di luar rentang toleransi target"
    else:
        compare = ", melampaui target" if r > t else (", sama dengan target" if r == t else ", di bawah target")
    return (f"{head} terealisasi {real} dari target {target}{compare}, "
            f"sehingga indeks capaiannya {indeks(row['capaian'])} ({row['status']}).")


def ringkasan(sc: Scorecard, unit_name: str) -> list[str]:
    """The executive-summary paragraphs on performance."""
    paragraphs = [kalimat_nilai_organisasi(sc, unit_name), kalimat_status(sc), kalimat_tertinggi_terendah(sc)]
    return [p for p in paragraphs if p]


def perubahan(sc: Scorecard) -> str:
    """'+3,67 poin' style text for tables."""
    return "N/A" if sc.change is None else f"{poin(sc.change)} poin"
