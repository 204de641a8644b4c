"""Altair charts in Indonesian (month names, Rp, comma decimals) and their static PNG/SVG renderings."""

from __future__ import annotations

import json

import altair as alt

from lakin.present.fmt import BULAN

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


EMBED_OPTIONS = {"formatLocale": FORMAT_LOCALE, "timeFormatLocale": TIME_LOCALE, "actions": False}


def with_locale(spec: dict) -> dict:
    """A Vega-Lite spec that carries its Indonesian number and month formats (`usermeta.embedOptions`, read
    by vega-embed in JupyterLab, exported notebooks and the HTML report alike): 114,65 and 98,00 everywhere,
    as vl-convert draws the static images."""
    out = dict(spec)
    usermeta = dict(out.get("usermeta") or {})
    usermeta["embedOptions"] = {**EMBED_OPTIONS, **(usermeta.get("embedOptions") or {})}
    out["usermeta"] = usermeta
    return out


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


WIDTH = 560  # every chart is drawn this wide, so that all print at one scale (fonts, bars) on the page
HEIGHT = 280
STATUS_GREY = "#a5a5a5"  # the "other"/"earlier" series (target, last year, Lainnya)


def base(data, width: int = WIDTH, height: int = HEIGHT) -> alt.Chart:
    """An Altair chart on `data` with the house size; callers add marks and encodings."""
    return alt.Chart(data).properties(width=width, height=height)


def caption(chart) -> str:
    """A chart's own title (what it draws), as the figure caption: the caption always says what is drawn."""
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "").strip()


def drawn(chart) -> list[dict]:
    """The data rows a chart draws (every layer's inline data, in order): for tests and for the rule that a
    chart compares at least two values."""
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    rows: list[dict] = []
    datasets = spec.get("datasets", {})

    def visit(node) -> None:
        data = node.get("data") or {}
        if "name" in data and data["name"] in datasets:
            rows.extend(datasets[data["name"]])
        elif "values" in data:
            rows.extend(data["values"])
        for child in node.get("layer", []) or []:
            visit(child)

    visit(spec)
    return rows


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
