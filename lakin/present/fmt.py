"""What only display tables need beyond the formatters of a single value: one number of decimals per column.

The Indonesian number, money, percent, date and terbilang formatters live in `lakin.values` (every layer prints
numbers alike, from that one definition).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["same_decimals"]

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
