"""One workbook cell: typed values written safely, and read back as the data contract's CSV text."""

from __future__ import annotations

import math
import numbers
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from lakin.data.schemas import Col
from lakin.values import is_na

__all__ = [
    "BOLD", "FORMULA_START", "LAST_ROW", "MAX_WIDTH", "NUMBER_FORMATS", "cell_text", "number_text", "same_value",
    "value_text", "write_text", "write_typed",
]

LAST_ROW = 1_048_576
MAX_WIDTH = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
BOLD = Font(bold=True)

# Excel number formats per column kind; Excel shows ',' and '.' with the reader's locale separators
# (Indonesian Excel: 1.234.567 and 97,75).
NUMBER_FORMATS = {
    "int": "0", "float": "#,##0.00", "money": "#,##0", "date": "yyyy-mm-dd",
    "text": "@", "slug": "@", "code": "@", "bool": "@",
}


def write_text(cell, text: str) -> None:
    """A text cell that Excel never evaluates: stored as a string, quote-prefixed when it looks like a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def write_typed(cell, value, col: Col | None) -> None:
    """A pre-filled value: numbers as numbers, dates as dates, text (and booleans) as text."""
    kind = col.kind if col is not None else "text"
    if kind in ("int", "money"):
        value = float(value)
        cell.value = int(value) if value.is_integer() else value
    elif kind == "float":
        cell.value = float(value)
    elif kind == "date":
        cell.value = value
    elif kind == "bool":
        write_text(cell, "true" if value else "false")
    else:
        write_text(cell, str(value))
    cell.number_format = NUMBER_FORMATS[kind]


def number_text(value: float) -> str:
    """A float in the contract's form: '.' decimal, no separators, no exponent, at Excel's 15 digits."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = format(Decimal(format(value, ".15g")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(value) -> str:
    """One workbook cell as the contract's CSV text: numbers plain ('.' decimal, integers without '.0'),
    dates ISO, booleans true/false, empty cells empty, text unchanged (so '97,75' typed as text is
    rejected by the CSV rules, as it would be in a CSV file)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        return number_text(value) if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def value_text(value) -> str:
    """A parsed table value (N/A, float, ...) as the contract's CSV text."""
    if is_na(value):
        return ""
    if isinstance(value, float):
        return number_text(value)
    return cell_text(value)


def same_value(a, b) -> bool:
    """Two cell values are the same value (both N/A, or equal)."""
    if is_na(a) or is_na(b):
        return is_na(a) and is_na(b)
    return a == b
