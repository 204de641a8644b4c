"""Values as every layer sees them: what counts as missing, how numbers round, enter JSON and print in Indonesian.

One definition of each idea: `is_na` is the only missing-value test, `round_half_up` the only rounding (Excel's
ROUND), `json_number`/`json_text`/`json_safe` the only way a figure becomes JSON, and `angka`, `persen`,
`rupiah`, `tanggal`, ... the only way a number or date is written (every layer prints alike: a check message,
a computed reason, a table cell and a sentence; `lakin.present.fmt.same_decimals` adds what only display tables need).
"""

from __future__ import annotations

import math
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern
from num2words import num2words

__all__ = [
    "BULAN", "LOCALE", "angka", "indeks", "is_blank", "is_na", "json_int", "json_number", "json_safe", "json_text",
    "nama_bulan", "nilai", "persen", "poin", "ribuan", "round_half_up", "rupiah", "rupiah_singkat", "tanggal",
    "terbilang", "terbilang_rupiah",
]


def is_na(value) -> bool:
    """True for None, NaN and pandas NA/NaT.

    pandas is not imported here (0.5 s): a process that has not imported it holds none of its missing values, and
    one that has finds them in `sys.modules` (the chart-drawing child formats values without pandas)."""
    if value is None:
        return True
    pd = sys.modules.get("pandas")
    try:
        if pd is not None and (value is pd.NA or value is pd.NaT):
            return True
    except AttributeError:  # pandas half imported by another thread: no value is one of its missing values yet
        pass
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return False


def is_blank(value) -> bool:
    """True for N/A and for text that is empty or only spaces (an empty cell, however it was read)."""
    return is_na(value) or (isinstance(value, str) and not value.strip())


def round_half_up(value: float, digits: int = 2) -> float:
    """Round half away from zero as Excel's ROUND does (on the 15-significant-digit value)."""
    if is_na(value):
        return math.nan
    v = float(value)
    if not math.isfinite(v):
        return v
    d = Decimal(format(v, ".15g"))
    q = Decimal(1).scaleb(-digits)
    sign = -1 if d < 0 else 1
    # enough digits for any float (up to ~1.8e308) at `digits` decimals: quantize never runs out of precision
    with localcontext() as ctx:
        ctx.prec = max(28, 330 + max(digits, 0))
        return float(sign * abs(d).quantize(q, rounding=ROUND_HALF_UP))


def json_number(value, digits: int = 2) -> float | None:
    """A figure for JSON: rounded half up to `digits`, None for N/A and for infinities."""
    if is_na(value):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return round_half_up(value, digits)


def json_int(value) -> int | None:
    """Whole rupiah for JSON: rounded half up to an int, None for N/A and for infinities."""
    number = json_number(value, 0)
    return None if number is None else int(number)


def json_text(value):
    """A text cell for JSON, None for N/A (never NaN)."""
    return None if is_na(value) else value


def json_safe(value):
    """A JSON-ready copy: NaN, infinities and pandas NA become None (strict JSON parsers accept the result)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and not isinstance(value, (str, bool, int, float)) and is_na(value):
        return None
    return value


# --------------------------------------------------------------------------- printed in Indonesian
LOCALE = "id_ID"

BULAN = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]


@cache
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@cache
def _locale() -> Locale:
    return Locale.parse(LOCALE)


def _decimal(number, pattern: str) -> str:
    """`babel.numbers.format_decimal(number, format=pattern, locale=LOCALE)` with its defaults, the pattern and the
    locale parsed once (Babel parses both at every call: about 18 of the 27 us a number took). Applying a pattern
    does not change it, so threads share one."""
    return _number_pattern(pattern).apply(number, _locale())


def angka(value, digits: int = 2, na: str = "N/A", trim: bool = False) -> str:
    """A number in Indonesian form: 118,32 or 1.234,50 (rounded half away from zero)."""
    if is_na(value):
        return na
    r = round_half_up(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    if trim:
        pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return _decimal(r, pattern)


def persen(value, digits: int = 2, na: str = "N/A") -> str:
    """A percentage in Indonesian form: 109,16%."""
    if is_na(value):
        return na
    return f"{angka(value, digits)}%"


def rupiah(value, na: str = "-") -> str:
    """Whole rupiah in Indonesian form: Rp6.173.055.000 (negative: -Rp1.000)."""
    if is_na(value):
        return na
    r = round_half_up(value, 0)
    text = _decimal(abs(r), "#,##0")
    return ("-" if r < 0 else "") + "Rp" + text


def ribuan(value, na: str = "-") -> str:
    """A whole number with Indonesian thousands separators, no currency: 6.173.055.000."""
    if is_na(value):
        return na
    return _decimal(round_half_up(value, 0), "#,##0")


def rupiah_singkat(value, na: str = "-") -> str:
    """Rupiah scaled as the seeds write it: Rp2.035,40 miliar, Rp191,60 miliar, Rp6,83 juta (no triliun)."""
    if is_na(value):
        return na
    v = float(value)
    for scale, word in ((1e9, "miliar"), (1e6, "juta")):
        if abs(v) >= scale:
            return f"Rp{angka(v / scale, 2)} {word}"
    return rupiah(v)


def terbilang(value: int) -> str:
    """A whole number in Indonesian words (num2words, lang='id')."""
    return num2words(int(round_half_up(value, 0)), lang="id")


def terbilang_rupiah(value: int) -> str:
    """Rupiah amount in words: 'enam miliar ... rupiah'."""
    return f"{terbilang(value)} rupiah"


def tanggal(value: date) -> str:
    """A date in Indonesian long form: 31 Desember 2024."""
    return format_date(value, format="d MMMM y", locale=LOCALE)


def nama_bulan(bulan: int) -> str:
    """Indonesian month name for 1..12."""
    return BULAN[int(bulan) - 1]


def poin(value, digits: int = 2) -> str:
    """A signed difference in points: +3,67 or -1,20."""
    if is_na(value):
        return "N/A"
    r = round_half_up(value, digits)
    sign = "+" if r > 0 else ""
    return f"{sign}{angka(r, digits)}"


def indeks(value, na: str = "N/A") -> str:
    """An index (indicator, level, overall score), always with two decimals: 115,68, 120,00, 119,00."""
    if is_na(value):
        return na
    return angka(value, 2)


def nilai(value, satuan=None, na: str = "N/A") -> str:
    """A target or realisation as the reports print it: whole numbers without decimals (10 sertifikat),
    others with two (97,75%, 0,40 hari, 3,77 (skala 4)); the unit after it ('nilai'/'indeks' are not written)."""
    if is_na(value):
        return na
    r = round_half_up(value, 2)
    text = angka(r, 0) if float(r).is_integer() else angka(r, 2)
    if is_na(satuan) or not str(satuan).strip():
        return text
    satuan = str(satuan).strip()
    if satuan == "%":
        return f"{text}%"
    if satuan.lower().startswith("skala"):
        return f"{text} ({satuan})"
    if satuan.lower() in ("indeks", "nilai"):
        return text
    return f"{text} {satuan}"
