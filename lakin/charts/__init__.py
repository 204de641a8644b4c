"""Altair charts in Indonesian (month names, Rp, comma decimals) and their static PNG/SVG renderings."""

from __future__ import annotations

import json

import altair as alt

from ..fmt import BULAN

# d3 locales: Babel's id_ID symbols (decimal ',', group '.') as d3-format and d3-time-format expect them.
FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}
TIME_LOCALE = {
    "dateTime": "%A, %e %B %Y %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    "shortDays": ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
    "months": BULAN,
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
}
FONT = "Liberation Sans, Arial, sans-serif"
PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5"]


def theme() -> dict:
    """The house chart style: plain, readable when printed in grey."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
            "title": {"fontSize": 13, "anchor": "start"},
            "range": {"category": PALETTE},
        }
    }


def base(data, width: int = 560, height: int = 280) -> alt.Chart:
    """An Altair chart on `data` with the house size; callers add marks and encodings."""
    return alt.Chart(data).properties(width=width, height=height)


def _spec(chart) -> str:
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    cfg = theme()["config"]
    spec["config"] = {**cfg, **spec.get("config", {})}
    return json.dumps(spec)


def to_png(chart, scale: float = 2.0) -> bytes:
    """Static PNG (vl-convert, no browser, no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(_spec(chart), scale=scale, format_locale=FORMAT_LOCALE, time_format_locale=TIME_LOCALE)


def to_svg(chart) -> str:
    """Static SVG (vl-convert)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec(chart), format_locale=FORMAT_LOCALE, time_format_locale=TIME_LOCALE)


MONTH_SORT = BULAN


def rupiah_axis(title: str = "Rupiah (miliar)") -> alt.Axis:
    """An axis for amounts already divided by 1e9, labelled in Indonesian form."""
    return alt.Axis(title=title, format=",.0f")
