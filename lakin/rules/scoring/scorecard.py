"""The scorecard of one unit and report period: every indicator scored, every level, the overall score, the previous
year's and each indicator's history."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from lakin.data.periods import DATA_PERIODS, ReportPeriod
from lakin.errors import NoDataError
from lakin.rules.frameworks import Framework, load_framework
from lakin.rules.scoring.aggregation import aggregate_levels, consolidate, unit_framework
from lakin.rules.scoring.indices import NA_REASONS, indicator_index
from lakin.values import angka, is_na

__all__ = ["Scorecard", "indicator_history", "overall_for", "score", "score_indicators"]


@dataclass
class Scorecard:
    """The scored indicators of one unit and report period, with every aggregate level."""

    satker: str
    period: ReportPeriod
    framework: Framework
    periode_data: str
    indicators: pd.DataFrame
    levels: list[pd.DataFrame]
    overall: float
    previous: float | None = None
    previous_source: str | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def change(self) -> float | None:
        if self.previous is None or is_na(self.previous) or is_na(self.overall):
            return None
        return self.overall - self.previous

    def status_counts(self) -> dict[str, int]:
        counts = {b.nama: 0 for b in self.framework.status}
        counts[self.framework.status_na.nama] = 0
        for s in self.indicators["status"]:
            counts[s] = counts.get(s, 0) + 1
        return counts


def score_indicators(iku: pd.DataFrame, nilai: pd.DataFrame, framework: Framework, periode: str,
                     filled: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator of the year with target, realisation, index, status for one data period.

    `filled`: the year's `nilai` already consolidated (`consolidate`), when a caller scores several periods.
    """
    if filled is None:
        filled = consolidate(nilai, iku, framework)
    # The period's rows and the indicators as plain dicts: looking each indicator up in a frame (iterrows,
    # .loc) cost more than scoring it.
    period_rows = filled[filled["periode"] == periode].to_dict("records") if not filled.empty else []
    at = {row["kode"]: row for row in period_rows}
    rows = []
    order = iku.sort_values("urutan", na_position="last", kind="stable") if "urutan" in iku else iku
    extra = [c for c in framework.indicator_columns if c in iku]
    for ind in order.to_dict("records"):
        kode = ind["kode"]
        rec = at.get(kode)
        target = rec["target"] if rec is not None else math.nan
        realisasi = rec["realisasi"] if rec is not None else math.nan
        bawah = rec.get("target_bawah", math.nan) if rec is not None else math.nan
        atas = rec.get("target_atas", math.nan) if rec is not None else math.nan
        aturan = ind.get("aturan_capaian")
        aturan = None if is_na(aturan) else aturan
        capaian, alasan = indicator_index(target, realisasi, ind["polaritas"], framework, periode, aturan,
                                          target_bawah=bawah, target_atas=atas)
        band = framework.band(capaian)
        rows.append({
            "kode": kode,
            "nama": ind["nama"],
            "sasaran_kode": ind["sasaran_kode"],
            "sasaran_nama": ind.get("sasaran_nama"),
            "perspektif": ind["perspektif"],
            "satuan": ind.get("satuan"),
            "polaritas": ind["polaritas"],
            "konsolidasi": ind["konsolidasi"],
            "aturan_capaian": aturan,
            "target": float(target) if not is_na(target) else math.nan,
            "target_bawah": float(bawah) if not is_na(bawah) else math.nan,
            "target_atas": float(atas) if not is_na(atas) else math.nan,
            "target_teks": _target_text(rec, bawah, atas),
            "realisasi": float(realisasi) if not is_na(realisasi) else math.nan,
            "realisasi_teks": (rec.get("realisasi_teks") if rec is not None else None),
            "capaian": capaian,
            "capaian_dilaporkan": (rec.get("capaian_dilaporkan") if rec is not None else math.nan),
            "status": band.nama,
            "warna": band.warna,
            "alasan_na": NA_REASONS.get(alasan) if alasan else None,
            "dikonsolidasi": bool(rec["dikonsolidasi"]) if rec is not None else False,
            **{c: ind.get(c) for c in extra},
        })
    return pd.DataFrame(rows)


def _target_text(rec, bawah, atas) -> str | None:
    """The target as printed: the data's target_teks, else a range target written '70-80'."""
    teks = rec.get("target_teks") if rec is not None else None
    if not is_na(teks) and teks:
        return teks
    if not is_na(bawah) and not is_na(atas):
        return f"{angka(bawah, 2, trim=True)}-{angka(atas, 2, trim=True)}"
    return None



def _year_tables(tables: dict[str, pd.DataFrame], tahun: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    iku = tables["iku"][tables["iku"]["tahun"] == tahun]
    nilai = tables["iku_nilai"][tables["iku_nilai"]["tahun"] == tahun]
    return iku, nilai


def overall_for(tables: dict[str, pd.DataFrame], framework: Framework, period: ReportPeriod) -> tuple[float | None, str | None]:
    """Overall score of a period: computed from indicator detail if present, else as published."""
    iku, nilai = _year_tables(tables, period.tahun)
    periode = period.data_period(framework.periode)
    if not iku.empty and not nilai[nilai["periode"].isin(DATA_PERIODS)].empty:
        year_framework = unit_framework(framework, tables, period.tahun)
        ind = score_indicators(iku, nilai, year_framework, periode)
        if ind["capaian"].notna().any():
            _, overall = aggregate_levels(ind, year_framework)
            return overall, "dihitung"
    pub = tables.get("nilai_organisasi")
    if pub is not None and not pub.empty:
        hit = pub[(pub["tahun"] == period.tahun) & (pub["periode"] == periode)]
        if not hit.empty:
            return float(hit["nilai"].iloc[0]), "dipublikasikan"
    return None, None


def score(tables: dict[str, pd.DataFrame], satker: str, period: ReportPeriod, framework: Framework | None = None,
          data_dir=None) -> Scorecard:
    """Score one unit for one report period (tables already narrowed to that satker).

    `framework` is the unit's framework as its file gives it; the unit's own weights for the year
    (bobot_kerangka) are applied here, and the Scorecard carries the framework actually used.
    """
    if framework is None:
        unit = tables["satker"][tables["satker"]["satker"] == satker].iloc[0]
        framework = load_framework(unit["kerangka"], data_dir)
    iku, nilai = _year_tables(tables, period.tahun)
    if iku.empty:
        years = sorted(set(tables["iku"]["tahun"].dropna().astype(int)))
        raise NoDataError(f"Tidak ada indikator untuk {satker} tahun {period.tahun} (tahun tersedia: {years})")
    periode = period.data_period(framework.periode)
    own = unit_framework(framework, tables, period.tahun)
    indicators = score_indicators(iku, nilai, own, periode)
    levels, overall = aggregate_levels(indicators, own)
    previous, source = overall_for(tables, framework, period.previous_year())
    return Scorecard(satker, period, own, periode, indicators, levels, overall, previous, source,
                     history=indicator_history(tables, own, period))


def indicator_history(tables: dict[str, pd.DataFrame], framework: Framework, period: ReportPeriod) -> pd.DataFrame:
    """Every indicator's values over the data periods shown and earlier years' annual results."""
    iku, nilai = _year_tables(tables, period.tahun)
    rows = []
    if not nilai.empty:
        filled = consolidate(nilai, iku, framework)
        rules = iku.set_index("kode")
        for _, r in filled.iterrows():
            if r["periode"] not in period.periods_shown() or r["kode"] not in rules.index:
                continue
            ind = rules.loc[r["kode"]]
            aturan = None if is_na(ind.get("aturan_capaian")) else ind.get("aturan_capaian")
            capaian, _ = indicator_index(r["target"], r["realisasi"], ind["polaritas"], framework, r["periode"], aturan,
                                         target_bawah=r.get("target_bawah"), target_atas=r.get("target_atas"))
            rows.append({"kode": r["kode"], "tahun": period.tahun, "periode": r["periode"], "target": r["target"],
                         "realisasi": r["realisasi"], "capaian": capaian,
                         "realisasi_teks": r.get("realisasi_teks"), "dikonsolidasi": bool(r["dikonsolidasi"])})
    all_nilai = tables["iku_nilai"]
    earlier = all_nilai[(all_nilai["tahun"] < period.tahun) & (all_nilai["periode"] == "Y")]
    for _, r in earlier.iterrows():
        rows.append({"kode": r["kode"], "tahun": int(r["tahun"]), "periode": "Y", "target": r["target"],
                     "realisasi": r["realisasi"], "capaian": math.nan,
                     "realisasi_teks": r.get("realisasi_teks"), "dikonsolidasi": False})
    cols = ["kode", "tahun", "periode", "target", "realisasi", "capaian", "realisasi_teks", "dikonsolidasi"]
    return pd.DataFrame(rows, columns=cols)
