"""Indicator indices, consolidation of periods, aggregation to the overall score (NKO, NPSS).

Everything here is computed at full precision; rounding happens only when figures are displayed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .errors import NoDataError
from .frameworks import Framework, load_framework
from .periods import DATA_PERIODS, QUARTERS, ReportPeriod

NA_REASONS = {
    "target_kosong": "target periode ini tidak ada",
    "target_nol": "target periode ini 0",
    "realisasi_kosong": "realisasi belum tersedia",
}


def _na(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


# --------------------------------------------------------------------------- one indicator
def raw_index(target: float, realisasi: float, polaritas: str, toleransi_persen: float = 5.0) -> float:
    """Unclamped index by polarity: max R/T*100, min (2-R/T)*100, stabilize 100 within tolerance."""
    ratio = realisasi / target
    if polaritas == "max":
        return ratio * 100.0
    if polaritas == "min":
        return (2.0 - ratio) * 100.0
    if polaritas == "stabilize":
        deviation = abs(ratio - 1.0) * 100.0
        return 100.0 if deviation <= toleransi_persen else 100.0 - (deviation - toleransi_persen)
    raise ValueError(f"polaritas tidak dikenal: {polaritas}")


def clamp(value: float, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return min(max(value, lo), hi)


def indicator_index(target, realisasi, polaritas: str, framework: Framework, periode: str,
                    aturan: str | None = None) -> tuple[float, str | None]:
    """(index, reason-for-N/A) of one indicator in one period, clamped per the framework."""
    if _na(realisasi):
        return math.nan, "realisasi_kosong"
    if aturan:
        rule = framework.aturan[aturan]
        return clamp(rule.convert(float(realisasi), periode), framework.clamp), None
    if _na(target):
        return math.nan, "target_kosong"
    if float(target) == 0.0:
        return math.nan, "target_nol"
    value = raw_index(float(target), float(realisasi), polaritas, framework.stabilize_toleransi)
    return clamp(value, framework.clamp), None


# --------------------------------------------------------------------------- consolidation
def _consolidate(values: list[float], rule: str) -> float:
    if rule == "tlkv":
        return values[-1]
    if rule == "sum":
        return float(sum(values))
    if rule == "average":
        return float(sum(values) / len(values))
    raise ValueError(rule)


def consolidate(nilai: pd.DataFrame, iku: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Fill missing S1/SDQ3/Y target and realisation from the quarters, per indicator's rule.

    A consolidated value is filled only when every quarter it is made of has a value; values given in
    the data are never overwritten. Adds a boolean column `dikonsolidasi`.
    """
    rules = dict(zip(iku["kode"], iku["konsolidasi"]))
    out = nilai.copy()
    out["dikonsolidasi"] = False
    new_rows = []
    for kode, group in out.groupby("kode", sort=False):
        by_period = {p: row for p, row in zip(group["periode"], group.to_dict("records"))}
        for target_period, quarters in framework.konsolidasi_periode.items():
            row = by_period.get(target_period)
            filled = dict(row) if row else {"kode": kode, "periode": target_period, "target": math.nan,
                                            "realisasi": math.nan, "dikonsolidasi": False}
            changed = False
            for col in ("target", "realisasi"):
                if not _na(filled.get(col)):
                    continue
                parts = [by_period.get(q, {}).get(col) for q in quarters]
                if any(_na(v) for v in parts):
                    continue
                filled[col] = _consolidate([float(v) for v in parts], rules.get(kode, "tlkv"))
                changed = True
            if changed:
                filled["dikonsolidasi"] = True
                if row is None:
                    new_rows.append(filled)
                else:
                    idx = group.index[group["periode"] == target_period][0]
                    out.loc[idx, ["target", "realisasi", "dikonsolidasi"]] = [filled["target"], filled["realisasi"], True]
    if new_rows:
        extra = pd.DataFrame(new_rows)
        for col in out.columns:
            if col not in extra.columns:
                extra[col] = nilai[col].iloc[0] if col in ("satker", "tahun") and len(nilai) else None
        out = pd.concat([out, extra[out.columns]], ignore_index=True)
    return out


# --------------------------------------------------------------------------- aggregation
def aggregate(values: pd.Series, how: str = "mean", weights: dict | None = None) -> float:
    """Mean (or weighted mean) over values that are not N/A; N/A when all are N/A."""
    vals = values.astype("float64")
    mask = ~vals.isna()
    if not mask.any():
        return math.nan
    if how == "mean":
        return float(vals[mask].mean())
    if how == "weighted":
        w = pd.Series([float((weights or {}).get(k, 0.0)) for k in vals.index], index=vals.index)
        w = w[mask]
        if w.sum() == 0:
            return math.nan
        return float((vals[mask] * w).sum() / w.sum())
    raise ValueError(how)


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
        if self.previous is None or _na(self.previous) or _na(self.overall):
            return None
        return self.overall - self.previous

    def status_counts(self) -> dict[str, int]:
        counts = {b.nama: 0 for b in self.framework.status}
        counts[self.framework.status_na.nama] = 0
        for s in self.indicators["status"]:
            counts[s] = counts.get(s, 0) + 1
        return counts


def score_indicators(iku: pd.DataFrame, nilai: pd.DataFrame, framework: Framework, periode: str) -> pd.DataFrame:
    """One row per indicator of the year with target, realisation, index, status for one data period."""
    filled = consolidate(nilai, iku, framework) if not nilai.empty else nilai.assign(dikonsolidasi=False)
    at = filled[filled["periode"] == periode].set_index("kode") if not filled.empty else pd.DataFrame()
    rows = []
    order = iku.sort_values("urutan", na_position="last", kind="stable") if "urutan" in iku else iku
    for _, ind in order.iterrows():
        kode = ind["kode"]
        rec = at.loc[kode] if kode in at.index else None
        target = rec["target"] if rec is not None else math.nan
        realisasi = rec["realisasi"] if rec is not None else math.nan
        aturan = ind.get("aturan_capaian")
        aturan = None if _na(aturan) else aturan
        capaian, alasan = indicator_index(target, realisasi, ind["polaritas"], framework, periode, aturan)
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
            "target": float(target) if not _na(target) else math.nan,
            "realisasi": float(realisasi) if not _na(realisasi) else math.nan,
            "realisasi_teks": (rec.get("realisasi_teks") if rec is not None else None),
            "capaian": capaian,
            "capaian_dilaporkan": (rec.get("capaian_dilaporkan") if rec is not None else math.nan),
            "status": band.nama,
            "warna": band.warna,
            "alasan_na": NA_REASONS.get(alasan) if alasan else None,
            "dikonsolidasi": bool(rec["dikonsolidasi"]) if rec is not None else False,
        })
    return pd.DataFrame(rows)


def aggregate_levels(indicators: pd.DataFrame, framework: Framework) -> tuple[list[pd.DataFrame], float]:
    """Index of every level (sasaran, perspective...) and the overall score."""
    levels = []
    current = indicators.rename(columns={"capaian": "indeks"})
    for depth, level in enumerate(framework.levels):
        col = level["kolom"]
        parent_cols = [lv["kolom"] for lv in framework.levels[depth + 1:]]
        rows = []
        for key, group in current.groupby(col, sort=False):
            rows.append({
                "kode": key,
                "nama": _level_name(group, col, level, framework),
                **{p: group[p].iloc[0] for p in parent_cols},
                "indeks": aggregate(group["indeks"], level.get("agregasi", "mean")),
                "jumlah": int(len(group)),
                "jumlah_dinilai": int(group["indeks"].notna().sum()),
            })
        frame = pd.DataFrame(rows)
        if "urutan" in level:
            order = {k: i for i, k in enumerate(level["urutan"])}
            frame = frame.sort_values("kode", key=lambda s: s.map(lambda k: order.get(k, len(order))), kind="stable")
        frame = frame.reset_index(drop=True)
        frame.attrs["level"] = level
        levels.append(frame)
        current = frame.rename(columns={"kode": col})
    top = current.set_index(framework.levels[-1]["kolom"])["indeks"]
    overall = aggregate(top, framework.overall.get("agregasi", "mean"), framework.overall.get("bobot"))
    return levels, overall


def _level_name(group: pd.DataFrame, col: str, level: dict, framework: Framework) -> str:
    name_col = {"sasaran_kode": "sasaran_nama"}.get(col)
    if name_col and name_col in group and not _na(group[name_col].iloc[0]):
        return str(group[name_col].iloc[0])
    return framework.level_label(level, str(group[col].iloc[0]))


def _year_tables(tables: dict[str, pd.DataFrame], tahun: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    iku = tables["iku"][tables["iku"]["tahun"] == tahun]
    nilai = tables["iku_nilai"][tables["iku_nilai"]["tahun"] == tahun]
    return iku, nilai


def overall_for(tables: dict[str, pd.DataFrame], framework: Framework, period: ReportPeriod) -> tuple[float | None, str | None]:
    """Overall score of a period: computed from indicator detail if present, else as published."""
    iku, nilai = _year_tables(tables, period.tahun)
    periode = period.data_period(framework.periode)
    if not iku.empty and not nilai[nilai["periode"].isin(DATA_PERIODS)].empty:
        ind = score_indicators(iku, nilai, framework, periode)
        if ind["capaian"].notna().any():
            _, overall = aggregate_levels(ind, framework)
            return overall, "dihitung"
    pub = tables.get("nilai_organisasi")
    if pub is not None and not pub.empty:
        hit = pub[(pub["tahun"] == period.tahun) & (pub["periode"] == periode)]
        if not hit.empty:
            return float(hit["nilai"].iloc[0]), "dipublikasikan"
    return None, None


def score(tables: dict[str, pd.DataFrame], satker: str, period: ReportPeriod, framework: Framework | None = None) -> Scorecard:
    """Score one unit for one report period (tables already narrowed to that satker)."""
    if framework is None:
        unit = tables["satker"][tables["satker"]["satker"] == satker].iloc[0]
        framework = load_framework(unit["kerangka"])
    iku, nilai = _year_tables(tables, period.tahun)
    if iku.empty:
        years = sorted(set(tables["iku"]["tahun"].dropna().astype(int)))
        raise NoDataError(f"Tidak ada indikator untuk {satker} tahun {period.tahun} (tahun tersedia: {years})")
    periode = period.data_period(framework.periode)
    indicators = score_indicators(iku, nilai, framework, periode)
    levels, overall = aggregate_levels(indicators, framework)
    previous, source = overall_for(tables, framework, period.previous_year())
    return Scorecard(satker, period, framework, periode, indicators, levels, overall, previous, source,
                     history=indicator_history(tables, framework, period))


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
            aturan = None if _na(ind.get("aturan_capaian")) else ind.get("aturan_capaian")
            capaian, _ = indicator_index(r["target"], r["realisasi"], ind["polaritas"], framework, r["periode"], aturan)
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


def period_order(periode: str) -> int:
    return DATA_PERIODS.index(periode)


__all__ = [
    "Scorecard", "aggregate", "aggregate_levels", "clamp", "consolidate", "indicator_history",
    "indicator_index", "overall_for", "raw_index", "score", "score_indicators", "QUARTERS",
]
