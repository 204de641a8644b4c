"""IKPA and SMART from their weighted components, NKA = 50% SMART + 50% IKPA, and its conversion into the IKU
index by the framework's piecewise rule (seed 000, IKU 13a-N "Indeks Kualitas Kinerja Anggaran")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from lakin.data.load import FILE_COL, LINE_COL
from lakin.data.periods import CUMULATIVE_LABELS, CUMULATIVE_PERIOD, DATA_PERIODS, ReportPeriod
from lakin.rules.budget.amounts import as_period, cumulative_periods_at, of_year
from lakin.rules.frameworks import load_framework
from lakin.rules.grain import table
from lakin.rules.scoring import indicator_index
from lakin.values import is_na

__all__ = ["NKA_BOBOT", "IkpaResult", "flag", "ikpa_scores", "nka", "nka_index", "weighted_score"]

# NKA = 50% SMART + 50% IKPA; its conversion into the IKU index is the framework's piecewise rule, never a copy here.
NKA_BOBOT = {"smart": 50.0, "ikpa": 50.0}
NKA_FRAMEWORK = "kemenkeu-bsc"
NKA_RULE = "nka-kemenkeu"


@dataclass
class IkpaResult:
    """IKPA and SMART from their weighted components, NKA and its conversion into the IKU index."""

    tahun: int
    periode: str | None  # the ikpa.periode used
    komponen: pd.DataFrame  # kelompok, komponen, nilai, bobot, pengurang, nilai_tertimbang
    ikpa: float
    smart: float
    nka: float
    indeks: float  # NKA converted by the framework's piecewise rule (IKU "Indeks Kualitas Kinerja Anggaran")
    kode_iku: str | None = None
    keterangan: list[str] = field(default_factory=list)


def flag(value) -> bool:
    return False if is_na(value) else bool(value)


def weighted_score(komponen: pd.DataFrame) -> float:
    """Sum of nilai x bobot / sum of bobot over scored components, minus the deductions (pengurang rows:
    their `nilai` is the number of points deducted, as Dispensasi SPM is in IKPA); NaN without weights."""
    if komponen.empty:
        return math.nan
    pengurang = komponen["pengurang"].map(flag) if "pengurang" in komponen else pd.Series(False, index=komponen.index)
    scored = komponen[~pengurang]
    weight = float(scored["bobot"].sum())
    if weight == 0:
        return math.nan
    deduction = float(komponen.loc[pengurang, "nilai"].fillna(0).sum())
    return float((scored["nilai"] * scored["bobot"]).sum()) / weight - deduction


def nka(smart: float, ikpa: float) -> float:
    """Nilai Kinerja Anggaran: 50% SMART + 50% IKPA (NaN if either is N/A)."""
    if is_na(smart) or is_na(ikpa):
        return math.nan
    return (NKA_BOBOT["smart"] * float(smart) + NKA_BOBOT["ikpa"] * float(ikpa)) / sum(NKA_BOBOT.values())


def nka_index(value: float, periode: str, framework_id: str = NKA_FRAMEWORK) -> float:
    """NKA converted into the IKU index by the framework's piecewise rule for that data period (clamped)."""
    if is_na(value):
        return math.nan
    framework = load_framework(framework_id)
    index, _ = indicator_index(None, float(value), "max", framework, periode, NKA_RULE)
    return index


def _ikpa_kode(tables, tahun: int) -> str | None:
    iku = of_year(table(tables, "iku"), tahun)
    if iku.empty or "aturan_capaian" not in iku:
        return None
    hit = iku[iku["aturan_capaian"] == NKA_RULE]
    return None if hit.empty else str(hit["kode"].iloc[0])


def ikpa_scores(tables, period: ReportPeriod | str, framework_id: str = NKA_FRAMEWORK) -> IkpaResult | None:
    """IKPA, SMART, NKA and the 13a-N index for a report period; None when the year has no ikpa rows."""
    rp = as_period(period)
    rows = of_year(table(tables, "ikpa"), rp.tahun)
    if rows.empty:
        return None
    chosen = None
    for p in cumulative_periods_at(rp.end_month, CUMULATIVE_PERIOD[rp.kuartal]):
        if (rows["periode"] == p).any():
            chosen = p
            break
    notes = []
    if chosen is None:
        have = ", ".join(f"s.d. {CUMULATIVE_LABELS[p]}" for p in DATA_PERIODS if (rows["periode"] == p).any())
        notes.append(f"komponen IKPA s.d. {CUMULATIVE_LABELS[CUMULATIVE_PERIOD[rp.kuartal]]} {rp.tahun} tidak tersedia "
                     f"(data memuat komponen {have})")
        empty = pd.DataFrame(columns=["kelompok", "komponen", "nilai", "bobot", "pengurang", "nilai_tertimbang"])
        return IkpaResult(rp.tahun, None, empty, math.nan, math.nan, math.nan, math.nan,
                          _ikpa_kode(tables, rp.tahun), notes)
    part = rows[rows["periode"] == chosen].copy()
    part["kelompok"] = part["kelompok"].fillna("ikpa") if "kelompok" in part else "ikpa"
    part["pengurang"] = part["pengurang"].map(flag) if "pengurang" in part else False
    part["nilai_tertimbang"] = [math.nan if p else n * b / 100.0
                                for n, b, p in zip(part["nilai"], part["bobot"], part["pengurang"])]
    cols = ["kelompok", "komponen", "nilai", "bobot", "pengurang", "nilai_tertimbang", FILE_COL, LINE_COL]
    komponen = part[[c for c in cols if c in part.columns]].reset_index(drop=True)
    ikpa = weighted_score(komponen[komponen["kelompok"] == "ikpa"])
    smart = weighted_score(komponen[komponen["kelompok"] == "smart"])
    for name, value in (("IKPA", ikpa), ("SMART", smart)):
        if is_na(value):
            notes.append(f"komponen {name} s.d. {CUMULATIVE_LABELS[chosen]} {rp.tahun} tidak tersedia")
    value = nka(smart, ikpa)
    return IkpaResult(rp.tahun, chosen, komponen, ikpa, smart, value, float(nka_index(value, chosen, framework_id)),
                      _ikpa_kode(tables, rp.tahun), notes)
