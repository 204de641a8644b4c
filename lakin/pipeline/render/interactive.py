"""The HTML report's scripts (pandoc engine): interactive charts beside their static images, and the contents
sidebar."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lakin.pipeline.render.base import TEMPLATES
from lakin.present.charts import offline_html

__all__ = ["CHART_EMBED_OPTIONS", "NAV_SCRIPT", "chart_is_closed", "interactive_html"]

NAV_SCRIPT = TEMPLATES / "lakin-nav.js"
# SVG: sharp at any zoom, and found by a reader's search; Vega logs errors only (its warnings are for authors)
CHART_EMBED_OPTIONS = {"renderer": "svg", "logLevel": 1}
# Keys with which a Vega-Lite spec could fetch or link something: such a chart stays a static image.
_CHART_FETCH_KEYS = {"url", "href"}
_SCRIPT_BODY = re.compile(r"<script[^>]*>(.*?)</script>", re.S)
# Where a chart's static image is: the first <img> of its <figure id="...">, or a paragraph that is one <img id="...">
_CHART_PLACES = re.compile(r'(?P<open><figure id="(?P<figure>[^"]*)"[^>]*>\s*)(?P<image><img [^>]*>)'
                           r'|<p>(?P<img><img [^>]*\bid="(?P<alone>[^"]*)"[^>]*>)</p>')


def chart_is_closed(spec) -> bool:
    """True when the spec holds its data inline and names no URL, link or image mark."""
    if isinstance(spec, dict):
        if _CHART_FETCH_KEYS & set(spec) or spec.get("mark") == "image" or (
                isinstance(spec.get("mark"), dict) and spec["mark"].get("type") == "image"):
            return False
        return all(chart_is_closed(v) for v in spec.values())
    if isinstance(spec, list):
        return all(chart_is_closed(v) for v in spec)
    return True


def interactive_html(html_text: str, charts: Mapping[str, dict]) -> tuple[str, list[str]]:
    """The pandoc HTML with every chart of `charts` (figure id -> Vega-Lite spec) drawn by inlined Vega, with
    tooltips, beside its static image (shown for print and without JavaScript, lakin.css), and the contents
    script (NAV_SCRIPT) before `</body>`. Returns the HTML and the text of every script it added, which are
    the only scripts `html_problems` then allows. The Vega libraries are written once, in the first chart.
    Each chart's element id comes from its figure id (`lakin-vis-gambar-3-1`): the same report, the same bytes.
    """
    scripts: list[str] = []
    drawn = 0

    def chart_block(ident: str, image: str) -> str:
        nonlocal drawn
        html = offline_html(charts[ident], CHART_EMBED_OPTIONS, bundle=drawn == 0, ident=f"lakin-vis-{ident}")
        drawn += 1
        scripts.extend(_SCRIPT_BODY.findall(html))
        static = image.replace("<img ", '<img class="lakin-chart-static" ', 1)
        return f'<div class="lakin-chart-box"><div class="lakin-scroll">{html}</div>{static}</div>'

    # One pass finds each figure's first image, in a <figure id=...> or as a paragraph's <img id=...>; the charts
    # are drawn in the page's order, so that the first carries the Vega libraries before any chart needs them. (A
    # search and a copy of the whole page per chart took 0.15 s for a report of 27 charts.)
    in_figure: dict[str, re.Match] = {}
    alone: dict[str, re.Match] = {}
    for match in _CHART_PLACES.finditer(html_text):
        if match["figure"] is not None:
            in_figure.setdefault(match["figure"], match)
        else:
            alone.setdefault(match["alone"], match)
    found = [(match, ident) for ident, spec in charts.items()
             if (match := in_figure.get(ident) or alone.get(ident)) is not None and chart_is_closed(spec)]
    parts, at = [], 0
    for match, ident in sorted(found, key=lambda item: item[0].start()):
        drawn_in = (match["open"] + chart_block(ident, match["image"]) if match["figure"] is not None
                    else chart_block(ident, match["img"]))
        parts += [html_text[at:match.start()], drawn_in]
        at = match.end()
    html_text = "".join(parts) + html_text[at:]
    nav = NAV_SCRIPT.read_text(encoding="utf-8").replace("</", "<\\/")
    scripts.append(f"\n{nav}")
    tail = f'<script type="text/javascript">{scripts[-1]}</script>\n</body>'
    head, sep, rest = html_text.rpartition("</body>")
    html_text = head + tail + rest if sep else html_text + tail
    return html_text, scripts
