"""Indicator indices, consolidation of periods, aggregation to the overall score (NKO, NPSS).

Everything here is computed at full precision; rounding happens only when figures are displayed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from lakin.errors import DataIssue, FrameworkError, NoDataError
from lakin.present.fmt import angka
from lakin.rules.frameworks import Aggregation, Framework, load_framework
from lakin.rules.frameworks.spec import AturanRentang, Agregasi
from lakin.data.periods import DATA_PERIODS, QUARTERS, ReportPeriod

NA_REASONS = {
    "target_kosong": "target periode ini tidak ada",
    "target_nol": "target periode ini 0",
    "target_negatif": "target periode ini negatif (tidak dapat dinilai dengan rasio)",
    "rentang_tanpa_aturan": "target berupa rentang tetapi kerangka tidak menetapkan target_rentang",
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
    """The value inside (lo, hi); a framework without a clamp has (-inf, inf)."""
    lo, hi = bounds
    return min(max(value, lo), hi)


def range_index(bawah: float, atas: float, realisasi: float, polaritas: str, aturan: str,
                toleransi_persen: float = 5.0) -> float:
    """Unclamped index against a range target, by the framework's range rule.

    rentang: 100 inside [bawah, atas]; above the range measured against `atas`, below against `bawah`
    (for max and min polarity alike, so the index is continuous at both bounds); batas_atas / batas_bawah:
    always against that bound.
    """
    if aturan == AturanRentang.BATAS_ATAS.value:
        return raw_index(atas, realisasi, polaritas, toleransi_persen)
    if aturan == AturanRentang.BATAS_BAWAH.value:
        return raw_index(bawah, realisasi, polaritas, toleransi_persen)
    if aturan != AturanRentang.RENTANG.value:
        raise FrameworkError(f"aturan target_rentang tidak dikenal: {aturan}")
    if bawah <= realisasi <= atas:
        return 100.0
    return raw_index(atas if realisasi > atas else bawah, realisasi, polaritas, toleransi_persen)


def indicator_index(target, realisasi, polaritas: str, framework: Framework, periode: str,
                    aturan: str | None = None, target_bawah=None, target_atas=None) -> tuple[float, str | None]:
    """(index, reason-for-N/A) of one indicator in one period, clamped per the framework.

    A range target is given as `target_bawah`/`target_atas` (with `target` empty) and scored by the
    framework's `target_rentang` rule.
    """
    if _na(realisasi):
        return math.nan, "realisasi_kosong"
    if aturan:
        rule = framework.aturan[aturan]
        return clamp(rule.convert(float(realisasi), periode), framework.clamp), None
    if _na(target) and not _na(target_bawah) and not _na(target_atas):
        if framework.target_rentang is None:
            return math.nan, "rentang_tanpa_aturan"
        lo, hi = float(target_bawah), float(target_atas)
        if lo < 0 or hi < 0:
            return math.nan, "target_negatif"
        bound = {AturanRentang.BATAS_ATAS.value: hi, AturanRentang.BATAS_BAWAH.value: lo}.get(
            framework.target_rentang, lo if float(realisasi) < lo else hi)
        if bound == 0.0 and not lo <= float(realisasi) <= hi:
            return math.nan, "target_nol"
        value = range_index(lo, hi, float(realisasi), polaritas, framework.target_rentang,
                            framework.stabilize_toleransi)
        return clamp(value, framework.clamp), None
    if _na(target):
        return math.nan, "target_kosong"
    if float(target) == 0.0:
        return math.nan, "target_nol"
    if float(target) < 0.0:
        return math.nan, "target_negatif"
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
def aggregate(values: pd.Series, how: str = "mean", weights: dict | None = None, maks: float | None = None,
              where: str = "") -> float:
    """Aggregate the values that are not N/A (indexed by item key); N/A when all are N/A.

    mean: plain mean; weighted: weighted mean renormalised over the scored items; weighted_sum: the sum
    of weight x value over the scored items, capped at `maks`. An item that is scored but has no weight
    is an error, never a silent weight of 0.
    """
    vals = values.astype("float64")
    mask = ~vals.isna()
    if not mask.any():
        return math.nan
    if how == Agregasi.MEAN.value:
        return float(vals[mask].mean())
    if how not in (Agregasi.WEIGHTED.value, Agregasi.WEIGHTED_SUM.value):
        raise FrameworkError(f"agregasi tidak dikenal: {how!r}")
    weights = weights or {}
    missing = [str(k) for k in vals[mask].index if k not in weights or _na(weights[k])]
    if missing:
        raise FrameworkError(f"bobot tidak ada untuk {', '.join(missing)}{' (' + where + ')' if where else ''}")
    w = pd.Series([float(weights[k]) for k in vals[mask].index], index=vals[mask].index)
    if how == Agregasi.WEIGHTED_SUM.value:
        total = float((vals[mask] * w).sum())
        return min(total, maks) if maks is not None else total
    if w.sum() == 0:
        raise FrameworkError(f"jumlah bobot 0 untuk butir yang dinilai{' (' + where + ')' if where else ''}")
    return float((vals[mask] * w).sum() / w.sum())


def item_weights(items: pd.DataFrame, agg: Aggregation, key: str) -> dict | None:
    """Weight per item key for one aggregation: the framework's (or unit's) table, or an iku column/class."""
    if agg.weights is None:
        return None
    if agg.weights.bobot is not None:
        return dict(agg.weights.bobot)
    column = agg.weights.kolom
    if column not in items:
        raise FrameworkError(f"kolom bobot '{column}' tidak ada di iku.csv")
    out = {}
    for k, v in zip(items[key], items[column]):
        if _na(v) or (isinstance(v, str) and not v.strip()):
            continue
        if agg.weights.kelas is not None:
            if str(v) in agg.weights.kelas:
                out[k] = agg.weights.kelas[str(v)]
        else:
            out[k] = float(v)
    return out


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
    extra = [c for c in framework.indicator_columns if c in iku]
    for _, ind in order.iterrows():
        kode = ind["kode"]
        rec = at.loc[kode] if kode in at.index else None
        target = rec["target"] if rec is not None else math.nan
        realisasi = rec["realisasi"] if rec is not None else math.nan
        bawah = rec.get("target_bawah", math.nan) if rec is not None else math.nan
        atas = rec.get("target_atas", math.nan) if rec is not None else math.nan
        aturan = ind.get("aturan_capaian")
        aturan = None if _na(aturan) else aturan
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
            "target": float(target) if not _na(target) else math.nan,
            "target_bawah": float(bawah) if not _na(bawah) else math.nan,
            "target_atas": float(atas) if not _na(atas) else math.nan,
            "target_teks": _target_text(rec, bawah, atas),
            "realisasi": float(realisasi) if not _na(realisasi) else math.nan,
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
    if not _na(teks) and teks:
        return teks
    if not _na(bawah) and not _na(atas):
        return f"{angka(bawah, 2, trim=True)}-{angka(atas, 2, trim=True)}"
    return None


def aggregate_levels(indicators: pd.DataFrame, framework: Framework) -> tuple[list[pd.DataFrame], float]:
    """Index of every level (sasaran, perspective...) and the overall score."""
    levels = []
    current = indicators.rename(columns={"capaian": "indeks"})
    child = "kode"
    aggs = framework.level_aggregations or tuple(Aggregation(lv.get("agregasi", "mean")) for lv in framework.levels)
    for depth, level in enumerate(framework.levels):
        col = level["kolom"]
        agg = aggs[depth]
        weights = item_weights(current, agg, child)
        parent_cols = [lv["kolom"] for lv in framework.levels[depth + 1:]]
        rows = []
        for key, group in current.groupby(col, sort=False):
            value = aggregate(group.set_index(child)["indeks"], agg.agregasi, weights, agg.maks,
                              where=f"{level.get('nama', col)} {key}")
            band = framework.band(value, depth)
            rows.append({
                "kode": key,
                "nama": _level_name(group, col, level, framework),
                **{p: group[p].iloc[0] for p in parent_cols},
                "indeks": value,
                "jumlah": int(len(group)),
                "jumlah_dinilai": int(group["indeks"].notna().sum()),
                "status": band.nama,
                "warna": band.warna,
            })
        frame = pd.DataFrame(rows)
        if "urutan" in level:
            order = {k: i for i, k in enumerate(level["urutan"])}
            frame = frame.sort_values("kode", key=lambda s: s.map(lambda k: order.get(k, len(order))), kind="stable")
        frame = frame.reset_index(drop=True)
        frame.attrs["level"] = level
        levels.append(frame)
        current = frame.rename(columns={"kode": col})
        child = col
    top = current.set_index(framework.levels[-1]["kolom"])["indeks"]
    agg = framework.overall_aggregation
    if not framework.level_aggregations:  # a Framework built by hand from the raw dict
        agg = Aggregation(framework.overall.get("agregasi", "mean"))
        bobot = framework.overall.get("bobot")
        if bobot:
            from lakin.rules.frameworks import Weights
            agg = Aggregation(agg.agregasi, Weights(bobot=bobot))
    overall = aggregate(top, agg.agregasi, item_weights(current, agg, child), agg.maks, where=framework.skor_kode)
    return levels, overall


def unit_framework(framework: Framework, tables: dict[str, pd.DataFrame], tahun: int) -> Framework:
    """The framework with a unit's own weights for that year (bobot_kerangka.csv), each with its source."""
    table = tables.get("bobot_kerangka")
    if table is None or table.empty:
        return framework
    rows = table[table["tahun"] == tahun]
    for tingkat, group in rows.groupby("tingkat", sort=False):
        sumber = "; ".join(dict.fromkeys(str(x) for x in group["sumber"] if not _na(x)))
        framework = framework.with_weights(str(tingkat), dict(zip(group["kunci"].astype(str), group["bobot"])), sumber)
    return framework


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
            aturan = None if _na(ind.get("aturan_capaian")) else ind.get("aturan_capaian")
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


def period_order(periode: str) -> int:
    return DATA_PERIODS.index(periode)


__all__ = [
    "Scorecard", "aggregate", "aggregate_levels", "clamp", "consolidate", "indicator_history",
    "indicator_index", "item_weights", "overall_for", "range_index", "raw_index", "score", "score_indicators",
    "unit_framework", "validate_inputs", "QUARTERS",
]


# --------------------------------------------------------------------------- inputs the framework needs
def _issue(row, column: str | None, value, expected: str, file: str | None = None) -> DataIssue:
    line = row.get("_line")
    return DataIssue(file or row.get("_file"), None if _na(line) else int(line), column, value, expected)


def _has(value) -> bool:
    return not _na(value) and not (isinstance(value, str) and not value.strip())


def validate_inputs(framework: Framework, tables: dict[str, pd.DataFrame]) -> list[DataIssue]:
    """What the framework needs from the units that use it, as issues naming file, row, column, value.

    Rows of iku, iku_nilai and bobot_kerangka of the units scored by this framework: columns the levels
    and weights read are filled, indicator weights are given only when the framework reads them (and sum
    as declared), range targets are complete and the framework has a range rule, negative targets are
    refused when the framework says `target_negatif: galat`, a unit's own weights name a weighted
    aggregation, its every key, and sum as declared.
    """
    issues: list[DataIssue] = []
    fw = framework
    iku = tables.get("iku")
    nilai = tables.get("iku_nilai")
    used = set(fw.indicator_columns)
    if iku is not None and not iku.empty:
        for level in fw.levels:
            col = level["kolom"]
            for _, row in iku[~iku[col].map(_has)].iterrows() if col in iku else ():
                issues.append(_issue(row, col, None, f"sel tidak boleh kosong: kerangka {fw.id} mengelompokkan "
                                                     f"indikator menurut kolom '{col}'"))
        if "bobot" in iku and "bobot" not in used:
            for _, row in iku[iku["bobot"].map(_has)].iterrows():
                issues.append(_issue(row, "bobot", row["bobot"], f"kolom kosong: kerangka {fw.id} ({fw.path}) tidak "
                                     "memakai bobot indikator (levels[0].bobot_indikator); bobot yang diisi tidak "
                                     "boleh diabaikan diam-diam"))
        agg = fw.level_aggregations[0] if fw.level_aggregations else None
        if agg is not None and agg.weights is not None and agg.weights.kolom:
            col, kelas = agg.weights.kolom, agg.weights.kelas
            for _, row in iku.iterrows():
                value = row.get(col)
                if not _has(value):
                    issues.append(_issue(row, col, None, f"bobot indikator: kerangka {fw.id} membaca bobot dari kolom '{col}'"))
                elif kelas is not None and str(value) not in kelas:
                    issues.append(_issue(row, col, value, f"salah satu kelas di kerangka {fw.id}: {', '.join(kelas)}"))
                elif kelas is None and not isinstance(value, (int, float)):
                    issues.append(_issue(row, col, value, "bobot berupa angka"))
            declared = agg.weights.jumlah
            if declared is not None and col in iku:
                weights = iku[col].map(lambda v: kelas.get(str(v)) if kelas is not None else v)
                level_col = fw.levels[0]["kolom"]
                for (satker, tahun, key), group in iku.assign(_w=weights).groupby(["satker", "tahun", level_col]):
                    total = pd.to_numeric(group["_w"], errors="coerce").sum()
                    if not math.isclose(total, declared, rel_tol=1e-9, abs_tol=1e-9):
                        issues.append(_issue(group.iloc[0], col, round(float(total), 9),
                                             f"jumlah bobot {declared:g} untuk {level_col} {key} tahun {tahun} "
                                             f"(levels[0].jumlah_bobot kerangka {fw.id})"))
    if nilai is not None and not nilai.empty:
        bawah = nilai["target_bawah"] if "target_bawah" in nilai else pd.Series(math.nan, index=nilai.index)
        atas = nilai["target_atas"] if "target_atas" in nilai else pd.Series(math.nan, index=nilai.index)
        ranged = bawah.map(_has) | atas.map(_has)
        for i, row in nilai[ranged].iterrows():
            lo, hi = bawah[i], atas[i]
            if not (_has(lo) and _has(hi)):
                missing = "target_atas" if _has(lo) else "target_bawah"
                issues.append(_issue(row, missing, None, "target rentang: target_bawah dan target_atas diisi keduanya"))
            elif lo > hi:
                issues.append(_issue(row, "target_bawah", lo, f"target_bawah <= target_atas ({hi:g})"))
            if _has(row.get("target")):
                issues.append(_issue(row, "target", row["target"], "target kosong bila target berupa rentang "
                                     "(target_bawah/target_atas)"))
            if fw.target_rentang is None:
                issues.append(_issue(row, "target_bawah", lo, f"kerangka {fw.id} ({fw.path}) yang menetapkan "
                                     "target_rentang.aturan (rentang, batas_atas atau batas_bawah)"))
        if fw.target_negatif == "galat":
            for col in ("target", "target_bawah", "target_atas"):
                if col not in nilai:
                    continue
                for _, row in nilai[nilai[col].map(lambda v: _has(v) and float(v) < 0)].iterrows():
                    issues.append(_issue(row, col, row[col], f"target >= 0 (kerangka {fw.id}: target_negatif: galat; "
                                         "rasio terhadap target negatif tidak bermakna)"))
    issues.extend(_unit_weight_issues(fw, tables))
    return issues


def _unit_weight_issues(fw: Framework, tables: dict[str, pd.DataFrame]) -> list[DataIssue]:
    table = tables.get("bobot_kerangka")
    if table is None or table.empty:
        return []
    issues = []
    names = fw.aggregation_names()
    for (satker, tahun, tingkat), group in table.groupby(["satker", "tahun", "tingkat"], sort=False):
        first = group.iloc[0]
        if tingkat not in names:
            issues.append(_issue(first, "tingkat", tingkat, f"salah satu tingkat kerangka {fw.id}: {', '.join(names)}"))
            continue
        agg = fw.aggregation(tingkat)
        if agg.agregasi not in (Agregasi.WEIGHTED.value, Agregasi.WEIGHTED_SUM.value):
            issues.append(_issue(first, "tingkat", tingkat, f"tingkat berbobot: agregasi '{tingkat}' di kerangka "
                                 f"{fw.id} adalah '{agg.agregasi}', bobot tidak dipakai"))
            continue
        known = list(agg.weights.bobot) if agg.weights is not None and agg.weights.bobot else None
        keys = [str(k) for k in group["kunci"]]
        if known is not None:
            for _, row in group[~group["kunci"].astype(str).isin(known)].iterrows():
                issues.append(_issue(row, "kunci", row["kunci"], f"kunci tingkat {tingkat}: {', '.join(known)}"))
            missing = [k for k in known if k not in keys]
            if missing:
                issues.append(_issue(first, "kunci", None, f"bobot untuk setiap kunci tingkat {tingkat} tahun {tahun}; "
                                     f"tidak ada: {', '.join(missing)}"))
        declared = agg.weights.jumlah if agg.weights is not None else None
        total = float(group["bobot"].sum())
        if declared is not None and not math.isclose(total, declared, rel_tol=1e-9, abs_tol=1e-9):
            issues.append(_issue(first, "bobot", round(total, 9), f"jumlah bobot {declared:g} untuk tingkat {tingkat} "
                                 f"tahun {tahun} (jumlah_bobot kerangka {fw.id})"))
    return issues
