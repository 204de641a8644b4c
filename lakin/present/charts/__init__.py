"""Altair charts in Indonesian (month names, Rp, comma decimals) and their static PNG/SVG renderings.

Conversion: a chart is drawn once, to SVG (`to_svg`, vl-convert running Vega); a format that needs pixels
(DOCX) gets a PNG rasterised from that SVG (`svg_to_png`, resvg: no second Vega run, the same pixels as
`to_png`). A chart converted before comes from the cache (`lakin.present.charts.cache`). lakin's own charts
are tested against the Vega-Lite schema once, in their tests; making them (`unvalidated`) and converting them
(`spec_dict`) skip Altair's validation. vl-convert holds the GIL while it converts (measured: a Python
thread beside it makes almost no progress), so conversions run one after the other. vl-convert draws with its own
fonts only, never the machine's (`fonts.py`).
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from lakin.atomic import atomic_path
from lakin.present.charts.cache import cache_root, cached, location, peek
from lakin.present.charts.fonts import FONTS_NOTE, vl_convert
from lakin.values import BULAN

if TYPE_CHECKING:
    import altair as alt

__all__ = ["EMBED_OPTIONS", "FONT", "FORMAT_LOCALE", "HEIGHT", "MONTH_SORT", "PALETTE", "STATUS_GREY", "TIME_LOCALE",
           "WIDTH", "base", "caption", "drawn", "drawn_svg", "offline_html", "png_drawn", "png_location", "rupiah_axis",
           "spec_dict", "svg_location", "svg_to_png", "svgs_to_pngs", "theme", "to_png", "to_svg", "unvalidated",
           "with_locale"]

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
    import altair as alt  # only where charts are made (chapters, exploration): the render converts their specs

    return alt.Chart(data).properties(width=width, height=height)


def unvalidated(make):
    """A chart function of lakin's, whose Altair objects skip Altair's validation as they are made: with Altair's
    DEBUG_MODE on (its default) every channel, axis and mark object validates itself against the schema when
    created (measured: about 0.07 s of the 0.6-0.75 s a report's chapters take in one process). lakin's chart
    functions are validated by their tests (tests/test_charts.py validates every chart of the shipped reports); an
    analyst's own charts keep Altair's default."""

    @functools.wraps(make)
    def made(*args, **kwargs):
        from altair.utils.schemapi import debug_mode

        with debug_mode(False):
            return make(*args, **kwargs)

    return made


def spec_dict(chart) -> dict:
    """The Vega-Lite spec of an Altair chart (without Altair's schema validation: lakin's chart functions are
    validated by their tests) or a copy of a spec that already is a dict."""
    if not hasattr(chart, "to_dict"):
        return dict(chart)
    from altair.utils.schemapi import debug_mode

    with debug_mode(False):  # nor the objects to_dict makes on its way
        return chart.to_dict(validate=False)


def caption(chart) -> str:
    """A chart's own title (what it draws), as the figure caption: the caption always says what is drawn."""
    spec = spec_dict(chart)
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "").strip()


def drawn(chart) -> list[dict]:
    """The data rows a chart draws (every layer's inline data, in order): for tests and for the rule that a
    chart compares at least two values."""
    spec = spec_dict(chart)
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
    spec = spec_dict(chart)
    cfg = theme()["config"]
    spec["config"] = {**cfg, **spec.get("config", {})}
    return json.dumps(spec)


def _versions() -> str:
    import vl_convert as vlc

    return f"vl-convert {vlc.__version__} ({FONTS_NOTE})\n{json.dumps([FORMAT_LOCALE, TIME_LOCALE], sort_keys=True)}"


def to_png(chart, scale: float = 2.0) -> bytes:
    """Static PNG (vl-convert, no browser, no network)."""
    vlc = vl_convert()
    spec = _spec(chart)
    return cached("vegalite-png", (_versions(), str(scale), spec), lambda: vlc.vegalite_to_png(
        spec, scale=scale, format_locale=FORMAT_LOCALE, time_format_locale=TIME_LOCALE))


def to_svg(chart) -> str:
    """Static SVG (vl-convert); a chart drawn before with the same spec comes from the cache (charts.cache)."""
    vlc = vl_convert()
    spec = _spec(chart)
    return cached("vegalite-svg", (_versions(), spec), lambda: vlc.vegalite_to_svg(
        spec, format_locale=FORMAT_LOCALE, time_format_locale=TIME_LOCALE).encode("utf-8")).decode("utf-8")


def svg_location(chart) -> Path | None:
    """The chart cache's file for `to_svg(chart)` (None: the cache is off); it exists once the chart is drawn."""
    return location("vegalite-svg", (_versions(), _spec(chart)))


def drawn_svg(chart, where: Path | None = None) -> str | None:
    """`to_svg(chart)` when the chart cache holds it (drawn before, or by another process), else None; `where`:
    its `svg_location`, when already known."""
    found = peek(where if where is not None else svg_location(chart))
    return None if found is None else found.decode("utf-8")


def png_location(svg: str, scale: float = 2.0) -> Path | None:
    """The chart cache's file for `svg_to_png(svg, scale)` (None: the cache is off); it exists once made."""
    return location("svg-png", (_versions(), str(scale), svg))


def png_drawn(svg: str, scale: float = 2.0) -> bool:
    """True when the chart cache holds `svg_to_png(svg, scale)`."""
    return peek(png_location(svg, scale)) is not None


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """A chart's SVG (`to_svg`) as PNG, rasterised without drawing the chart again: equal to `to_png`."""
    vlc = vl_convert()
    return cached("svg-png", (_versions(), str(scale), svg), lambda: vlc.svg_to_png(svg, scale=scale))


def svgs_to_pngs(svgs: Iterable[str], scale: float = 2.0) -> list[bytes]:
    """`svg_to_png` of every SVG, in order."""
    return [svg_to_png(svg, scale) for svg in svgs]


MONTH_SORT = BULAN


def rupiah_axis(title: str = "Rupiah (miliar)") -> alt.Axis:
    """An axis for amounts already divided by 1e9, labelled in Indonesian form."""
    import altair as alt

    return alt.Axis(title=title, format=",.0f")


# --------------------------------------------------------------------------- charts in HTML, offline
_SHOWN: collections.Counter = collections.Counter()  # charts drawn by this process, by content
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _bundle_cache() -> Path:
    import vl_convert as vlc

    return cache_root() / f"vega-bundle-vl-convert-{vlc.__version__}.js"


def _kept_bundle(cache: Path) -> str | None:
    """The bundle kept at `cache` when its SHA-256 beside it still matches, else None."""
    try:
        text = cache.read_text(encoding="utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == cache.with_suffix(".sha256").read_text(
                encoding="ascii").strip():
            return text
    except (OSError, UnicodeDecodeError):
        pass
    return None


@functools.lru_cache(maxsize=1)
def _vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script, from the vl-convert wheel (never fetched from a network).

    vl-convert builds the bundle on every first call of a process (about 4 s of CPU); it is kept in the user's
    cache folder per vl-convert version, with its SHA-256 beside it (a file that no longer matches is rebuilt).
    One process builds it at a time (a lock file beside it): a process that finds another building it waits and
    reads what that one kept, as a batch's workers or the test suite's starting at once on an empty cache do.
    """
    import vl_convert as vlc

    cache = _bundle_cache()
    text = _kept_bundle(cache)
    if text is not None:
        return text
    with contextlib.ExitStack() as held:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            lock = held.enter_context(open(cache.with_suffix(".lock"), "ab"))
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or when this process dies
            text = _kept_bundle(cache)  # kept by the process that held the lock before
        except OSError:
            pass  # a read-only home: built here, without the lock
        if text is not None:
            return text
        text = vlc.javascript_bundle()
        try:
            with atomic_path(cache) as tmp:
                Path(tmp).write_text(text, encoding="utf-8")
            with atomic_path(cache.with_suffix(".sha256")) as tmp:
                Path(tmp).write_text(hashlib.sha256(text.encode("utf-8")).hexdigest(), encoding="ascii")
        except OSError:
            pass  # a read-only home: build it again next time
    return text


def offline_html(spec: dict, embed_options: dict | None = None, bundle: bool = True, ident: str | None = None) -> str:
    """A chart as HTML whose script is inlined: it draws in an exported notebook or page with no network.

    The libraries are defined once per page (`window.vegaEmbed` guards the bundle) and each chart runs in its
    own function scope, so any number of charts share one document. `bundle=False` leaves the libraries out
    (a page that already holds them in an earlier chart: the HTML report). Every `<` of the spec is written
    `\\u003c`, so no text in the data can end or re-open the script element.

    The chart's element id is `ident` (letters, digits, `-`, `_`; the HTML report passes its figure's id), else
    one derived from the chart itself and how often this process drew the same chart: the same notebook run
    twice gives the same ids.
    """
    options = json.dumps({**EMBED_OPTIONS, **(embed_options or {})})
    payload = json.dumps(spec).replace("<", "\\u003c")
    if ident is None:
        key = hashlib.sha256(f"{payload}\n{options}".encode("utf-8")).hexdigest()[:16]
        _SHOWN[key] += 1
        ident = f"lakin-vis-{key}" + (f"-{_SHOWN[key]}" if _SHOWN[key] > 1 else "")
    elif not _IDENT.match(ident):
        raise ValueError(f"id grafik tidak sah: {ident!r}")
    libraries = _vega_bundle().replace("</script", "<\\/script") if bundle else ""
    return (f'<div id="{ident}" class="lakin-chart"></div>\n'
            f'<script type="text/javascript">\n(function () {{\nif (!window.vegaEmbed) {{\n{libraries}\n}}\n'
            f"window.vegaEmbed('#{ident}', {payload}, {options}).catch(console.error);\n}})();\n</script>")
