"""Values as every layer sees them: what counts as missing, how numbers round, how they enter JSON.

One definition of each idea: `is_na` is the only missing-value test, `round_half_up` the only rounding (Excel's
ROUND), `json_number`/`json_text`/`json_safe` the only way a figure becomes JSON.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pandas as pd

__all__ = ["is_na", "json_number", "json_safe", "json_text", "round_half_up"]


def is_na(value) -> bool:
    """True for None, NaN and pandas NA/NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return False


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
