"""One indicator's index in one period: by polarity, against a range target or by a framework's piecewise rule,
clamped as the framework says (full precision; rounding happens only when figures are displayed)."""

from __future__ import annotations

import math

from lakin.errors import FrameworkError
from lakin.rules.frameworks import Framework
from lakin.rules.frameworks.spec import AturanRentang
from lakin.values import is_na

__all__ = ["NA_REASONS", "clamp", "indicator_index", "range_index", "raw_index"]

NA_REASONS = {
    "target_kosong": "target periode ini tidak ada",
    "target_nol": "target periode ini 0",
    "target_negatif": "target periode ini negatif (tidak dapat dinilai dengan rasio)",
    "rentang_tanpa_aturan": "target berupa rentang tetapi kerangka tidak menetapkan target_rentang",
    "realisasi_kosong": "realisasi belum tersedia",
}



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
    if is_na(realisasi):
        return math.nan, "realisasi_kosong"
    if aturan:
        rule = framework.aturan[aturan]
        return clamp(rule.convert(float(realisasi), periode), framework.clamp), None
    if is_na(target) and not is_na(target_bawah) and not is_na(target_atas):
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
    if is_na(target):
        return math.nan, "target_kosong"
    if float(target) == 0.0:
        return math.nan, "target_nol"
    if float(target) < 0.0:
        return math.nan, "target_negatif"
    value = raw_index(float(target), float(realisasi), polaritas, framework.stabilize_toleransi)
    return clamp(value, framework.clamp), None
