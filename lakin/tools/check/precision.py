"""Precision of printed figures: how many digits a figure was printed with, and whether a recomputed value
agrees with it once rounded half away from zero to that precision (or within the rounding of its inputs)."""

from __future__ import annotations

from itertools import product

from lakin.values import angka, ribuan
from lakin.rules.scoring import indicator_index
from lakin.values import is_na, round_half_up

__all__ = ["INDEX_HALF_STEP", "agrees", "display", "indicator_interval", "is_number", "printed_digits",
           "rounding_interval", "within_input_rounding"]

INDEX_HALF_STEP = 0.005  # indices are printed with two decimals


def printed_digits(value: float, satuan: str = "angka") -> int:
    """Decimal digits a stored printed figure carries (116.21 -> 2, 120 -> 0).

    Rupiah figures are whole numbers; their trailing zeros give the precision they were printed with
    (a table in thousands, 'Rp2.035 miliar'), so 6832819000 -> -3 and 126600000000 -> -8.
    """
    v = float(value)
    if satuan == "rupiah" and v.is_integer():
        if v == 0:
            return 0
        n, digits = abs(int(v)), 0
        while n % 10 == 0:
            n //= 10
            digits -= 1
        return digits
    for digits in range(7):
        if abs(round_half_up(v, digits) - v) <= 1e-9 * max(1.0, abs(v)):
            return digits
    return 6


def agrees(printed: float, recomputed: float, satuan: str = "angka") -> bool:
    """True when the recomputed value, rounded half away from zero to the printed precision, is the printed one."""
    digits = printed_digits(printed, satuan)
    step = 10.0 ** (-digits)
    if abs(round_half_up(float(recomputed), digits) - float(printed)) < step * 1e-6:
        return True
    # values stored with 12 significant digits (trajectory shares) reproduce a printed figure to ~1e-12
    return abs(float(recomputed) - float(printed)) <= 1e-11 * max(1.0, abs(float(printed)))


def rounding_interval(value, satuan: str = "angka") -> tuple[float, float]:
    """The values that print as `value`: +/- half a unit of its last printed digit.

    A whole number is taken as printed with two decimals (a target of 100 is 100,00, not anything in 99,5..100,5).
    """
    v = float(value)
    digits = printed_digits(v, satuan)
    if digits <= 0 and satuan != "rupiah":
        digits = 2
    half = 0.5 * 10.0 ** (-digits)
    return v - half, v + half


def indicator_interval(row: dict, ind: dict, framework, periode: str) -> tuple[float, float]:
    """(low, high) of an indicator's index over its target and realisation anywhere within their printed rounding."""
    value = row.get("capaian")
    if is_na(value):
        return value, value
    aturan = ind.get("aturan_capaian") if ind else None
    aturan = None if is_na(aturan) or not aturan else aturan

    def corners(v):
        return (None,) if is_na(v) else (*rounding_interval(v), float(v))

    results = []
    for t, r, lo, hi in product(corners(row.get("target")), corners(row.get("realisasi")),
                                corners(row.get("target_bawah")), corners(row.get("target_atas"))):
        if r is None:
            continue
        index, _ = indicator_index(t, r, row["polaritas"], framework, periode, aturan, target_bawah=lo, target_atas=hi)
        if not is_na(index):
            results.append(index)
    results.append(float(value))
    return min(results), max(results)


def within_input_rounding(printed: float, low: float, high: float, satuan: str = "angka") -> bool:
    """True when some value in [low, high] prints as `printed` (its rounding interval meets [low, high])."""
    p_lo, p_hi = rounding_interval(printed, satuan)
    return not (high < p_lo - 1e-12 or low > p_hi + 1e-12)


def is_number(value) -> bool:
    """A number that can be printed (not a bool, not N/A)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not is_na(value)


def display(value, satuan: str = "angka", digits: int | None = None) -> str:
    """A number as Indonesian display text at the precision it is compared with."""
    if is_na(value):
        return "N/A"
    if isinstance(value, str):
        return value
    v = float(value)
    if satuan == "rupiah":
        return ribuan(v)
    if digits is None:
        digits = printed_digits(v)
    return angka(v, max(0, digits))
