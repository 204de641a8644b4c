"""What a framework needs from the units that use it (filled level columns, weights, range targets), as data issues
naming file, row, column and value."""

from __future__ import annotations

import math

import pandas as pd

from lakin.errors import DataIssue
from lakin.rules.frameworks import Framework
from lakin.rules.frameworks.spec import Agregasi
from lakin.values import is_blank, is_na

__all__ = ["validate_inputs"]


# --------------------------------------------------------------------------- inputs the framework needs
def _issue(row, column: str | None, value, expected: str, file: str | None = None) -> DataIssue:
    line = row.get("_line")
    return DataIssue(file or row.get("_file"), None if is_na(line) else int(line), column, value, expected)


def _has(value) -> bool:
    return not is_blank(value)


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
