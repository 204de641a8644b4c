"""Indonesian number, money, percent, date and terbilang formatting: the one formatting module."""

from __future__ import annotations

import math
import re
from datetime import date

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

from lakin.values import is_na, round_half_up

LOCALE = "id_ID"

BULAN = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]


def angka(value, digits: int = 2, na: str = "N/A", trim: bool = False) -> str:
    """A number in Indonesian form: 118,32 or 1.234,50 (rounded half away from zero)."""
    if is_na(value):
        return na
    r = round_half_up(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    if trim:
        pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(r, format=pattern, locale=LOCALE)


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
    text = format_decimal(abs(r), format="#,##0", locale=LOCALE)
    return ("-" if r < 0 else "") + "Rp" + text


def ribuan(value, na: str = "-") -> str:
    """A whole number with Indonesian thousands separators, no currency: 6.173.055.000."""
    if is_na(value):
        return na
    return format_decimal(round_half_up(value, 0), format="#,##0", locale=LOCALE)


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


# A number as a display cell holds it: sign, optional "Rp", Indonesian grouping, decimals, optional "%".
_CELL_NUMBER = re.compile(r"^(?P<head>[-+\u2212]?(?:Rp\s?)?)(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d+))?"
                          r"(?P<tail>\s?%)?$")


def same_decimals(frame: pd.DataFrame) -> pd.DataFrame:
    """A display table whose numeric cells show, column by column, as many decimals as the column's most precise
    cell ("82" beside "84,50" becomes "82,00"). Only zeros are added: no value changes. Every surface that prints
    a table (report, workbook, terminal) passes it through here."""
    out = frame.copy()
    for col in out.columns:
        cells = out[col]
        if pd.api.types.is_numeric_dtype(cells):  # numbers not yet written as text (the No column)
            continue
        matches = [_CELL_NUMBER.match(v) if isinstance(v, str) else None for v in cells]
        places = [len(m["dec"] or "") for m in matches if m]
        if not places or max(places) == min(places):
            continue
        width = max(places)
        out[col] = [v if m is None else
                    f"{m['head']}{m['int']},{(m['dec'] or '').ljust(width, '0')}{m['tail'] or ''}"
                    for v, m in zip(cells, matches)]
    return out
