"""The HTML report (pandoc engine): contents sidebar, first page of tiles, status chips, interactive charts inlined
with a static image for print, safe scripts only, readable at 400 px in a real browser (issue 16)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import docx
import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_markdown_cell, new_notebook
from pypdf import PdfReader

from lakin.present import show
from lakin.model.report_model import build_model
from lakin.pipeline.render import html_problems, interactive_html, render_report

from browser import CHROMIUM, needs_chromium, open_page
from test_render import _code, _notebook, make_meta, write_notebooks

SEED = ("kppbc-balikpapan", "2024")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _inline_scripts(soup: BeautifulSoup) -> list[str]:
    return [s.get_text() for s in soup.find_all("script")]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The four-chapter test report of test_render (one chart), rendered to HTML with tiles."""
    base = tmp_path_factory.mktemp("html")
    notebooks = write_notebooks(base / "nb")
    meta = make_meta(ikhtisar=(("Nilai Kinerja Organisasi", "118,32", "+3,67 poin dari 114,65 tahun lalu"),
                               ("Penyerapan anggaran", "96,16%", "")),
                     status=(("Hijau", "18"), ("Kuning", "1"), ("Merah", "1")))
    files = render_report(notebooks, meta, base / "out", "html", engine="pandoc")
    return files["html"]


# --------------------------------------------------------------------------------------------------
# Charts: inlined Vega beside the static image, scripts allowed by digest only


def test_chart_is_interactive_inline_and_keeps_static_image(small):
    soup = _soup(small)
    figure = soup.find("figure", id=re.compile("^gambar-"))
    box = figure.find(class_="lakin-chart-box")
    assert box is not None, figure
    assert box.find(class_="lakin-chart") is not None
    static = box.find("img", class_="lakin-chart-static")
    assert static["src"].startswith("data:image/svg+xml;base64,")  # the chart's SVG, drawn once per report
    scripts = soup.find_all("script")
    assert scripts and all(not s.get("src") for s in scripts)  # nothing fetched
    text = small.read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in text and "vegaEmbed('#lakin-vis-" in text
    assert text.count("window.vegaEmbed=") == 1  # the Vega libraries once per report
    assert figure.find("figcaption").get_text().startswith("Gambar 2.1 Penerimaan per bulan")


def test_vega_libraries_written_once_for_many_charts():
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "bar",
            "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    page = ('<html><body><figure id="gambar-a"><img src="data:image/png;base64,AA" /></figure>'
            '<p><img src="data:image/png;base64,AA" id="grafik-002" /></p></body></html>')
    html, scripts = interactive_html(page, {"gambar-a": spec, "grafik-002": spec})
    assert html.count("window.vegaEmbed=") == 1
    assert html.count('class="lakin-chart-box"') == 2
    assert "<p><div" not in html  # an image alone in a paragraph is replaced with the paragraph
    assert len(scripts) == 3  # two charts and the contents script
    digests = {hashlib.sha256(s.encode()).hexdigest() for s in scripts}
    assert html_problems(html, allow_inline_scripts=digests) == []


def test_the_pages_first_chart_carries_the_vega_libraries():
    """The charts are drawn in the page's order whatever order the mapping lists them in, so that the Vega
    libraries come before every chart that needs them; each chart replaces its own first image."""
    spec = {"mark": "bar", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    page = ('<html><body><p>awal</p><figure id="gambar-a"><img src="data:image/png;base64,AA" /></figure>'
            '<p><img src="data:image/png;base64,BB" id="grafik-002" /></p>'
            '<figure id="gambar-a"><img src="data:image/png;base64,CC" /></figure></body></html>')
    html, _ = interactive_html(page, {"grafik-002": spec, "gambar-a": spec})
    first, second = html.index("vegaEmbed('#lakin-vis-gambar-a'"), html.index("vegaEmbed('#lakin-vis-grafik-002'")
    assert html.index("window.vegaEmbed=") < first < second
    assert html.count('class="lakin-chart-box"') == 2 and html.count("base64,CC") == 1  # the second figure: as it was
    assert html.startswith("<html><body><p>awal</p><figure") and html.endswith("</script>\n</body></html>")


def test_only_the_added_scripts_are_allowed():
    page = '<html><body><figure id="gambar-a"><img src="data:image/png;base64,AA" /></figure></body></html>'
    spec = {"mark": "point", "data": {"values": [{"a": 1}]}}
    html, scripts = interactive_html(page, {"gambar-a": spec})
    digests = {hashlib.sha256(s.encode()).hexdigest() for s in scripts}
    assert html_problems(html, allow_inline_scripts=digests) == []
    assert "<script> di dalam laporan" in html_problems(html)  # no allowance: refused
    head, _, tail = html.rpartition("</body>")  # the Vega bundle holds the string "</body>" too
    tampered = head + "<script>fetch('https://x.invalid')</script></body>" + tail
    assert html_problems(tampered, allow_inline_scripts=digests) == ["<script> di dalam laporan"]


def test_text_in_a_chart_cannot_close_its_script():
    evil = "</script><script>alert(1)</script><!--<script>"
    spec = {"mark": "bar", "title": evil, "data": {"values": [{"a": evil}]}}
    page = '<html><body><figure id="gambar-a"><img src="data:image/png;base64,AA" /></figure></body></html>'
    html, scripts = interactive_html(page, {"gambar-a": spec})
    assert "alert(1)" in html and "<script>alert" not in html and "<!--" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all("script")) == 2  # the chart and the contents script, nothing opened by the data
    payload = re.search(r"vegaEmbed\('#[^']+', (\{.*?\}), \{", html, re.S)[1]
    assert json.loads(payload)["title"] == evil  # the reader still sees the text as written


@pytest.mark.parametrize("spec", [
    {"mark": "bar", "data": {"url": "https://example.org/data.csv"}},
    {"mark": "bar", "data": {"values": []}, "encoding": {"href": {"field": "a"}}},
    {"mark": {"type": "image"}, "data": {"values": []}},
])
def test_chart_that_could_fetch_stays_a_static_image(spec):
    page = '<html><body><figure id="gambar-a"><img src="data:image/png;base64,AA" /></figure></body></html>'
    html, scripts = interactive_html(page, {"gambar-a": spec})
    assert "lakin-chart-box" not in html and len(scripts) == 1  # the contents script only


# --------------------------------------------------------------------------------------------------
# Navigation, first page, chips


def test_contents_reach_level_four_with_a_way_back_to_the_top(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell(
        "# Akuntabilitas\n\n## A. Capaian\n\n### 1. Analisis per Indikator\n\n#### IKU 1a-N Fasilitas\n\nTeks.\n\n"
        "#### IKU 2a-CP Asistensi\n\nTeks.")])
    nb.metadata["lakin"] = {"chapter": {"title": "Akuntabilitas", "numbered": False}}
    path = tmp_path / "03-akuntabilitas.ipynb"
    nbformat.write(nb, path)
    html = render_report([path], make_meta(kata_pengantar=None), tmp_path / "out", "html", "pandoc")["html"]
    soup = _soup(html)
    toc = soup.find("nav", id="TOC")
    entries = [a.get_text(" ", strip=True) for a in toc.find_all("a")]
    assert "IKU 1a-N Fasilitas" in entries and "IKU 2a-CP Asistensi" in entries
    assert soup.find("a", class_="lakin-top")["href"] == "#sampul" and soup.find(id="sampul") is not None
    css = html.read_text(encoding="utf-8")
    assert "position: sticky" in css


def test_first_page_tiles_and_status_chips(small):
    soup = _soup(small)
    tiles = soup.find("section", class_="lakin-ringkasan")
    values = [p.get_text(strip=True) for p in tiles.find_all("p", class_="lakin-tile-value")]
    assert values == ["118,32", "96,16%"]
    assert "+3,67 poin dari 114,65 tahun lalu" in tiles.get_text(" ", strip=True)
    chips = [(s.get_text(strip=True), s["class"]) for s in tiles.find_all("span", class_="lakin-status")]
    assert chips == [("Hijau 18", ["lakin-status", "lakin-status-hijau"]),
                     ("Kuning 1", ["lakin-status", "lakin-status-kuning"]),
                     ("Merah 1", ["lakin-status", "lakin-status-merah"])]
    # the tiles come before the contents and the first chapter
    text = str(soup)
    assert text.index("lakin-ringkasan") < text.index('id="TOC"') < text.index("<main")


def test_status_words_in_tables_become_chips_in_html_only(tmp_path):
    frame = pd.DataFrame({"IKU": ["IKU 1", "IKU 2", "IKU 3"], "Status": ["Hijau", "Merah", "Kuning"],
                          "Catatan": ["Hijau sekali", "-", "-"]})
    nb = _notebook("Capaian", [_code(lambda: show.table(frame, "Status IKU"))])
    path = tmp_path / "03-akuntabilitas.ipynb"
    nbformat.write(nb, path)
    files = render_report([path], make_meta(kata_pengantar=None), tmp_path / "out", "html,docx", "pandoc")
    table = _soup(files["html"]).find("table")
    chips = [(s.get_text(), s["class"][1]) for s in table.find_all("span", class_="lakin-status")]
    assert chips == [("Hijau", "lakin-status-hijau"), ("Merah", "lakin-status-merah"),
                     ("Kuning", "lakin-status-kuning")]
    assert "Hijau sekali" in table.get_text()  # only a cell that is exactly a status
    cells = [c.text for t in docx.Document(str(files["docx"])).tables for r in t.rows for c in r.cells]
    assert "Hijau" in cells and "Merah" in cells


def test_tiles_from_the_report_model():
    meta = make_meta().with_model(build_model(*SEED))
    assert meta.ikhtisar == (
        ("Nilai Kinerja Organisasi", "118,32", "+3,67 poin dari 114,65 tahun lalu"),
        ("Capaian penerimaan", "109,16%", "+23,41% dibanding tahun lalu"),
        ("Penyerapan anggaran", "96,16%", "Rp6.570.323.509 dari pagu Rp6.832.819.000"),
    )
    assert meta.status == (("Hijau", "20"), ("Kuning", "0"), ("Merah", "0"))
    assert make_meta().pandoc_metadata()["lakin-ikhtisar"] == []  # no model: no tiles


def test_budget_tile_of_a_quarter_without_realisation_says_so():
    """kppbc 2024Q3: the data holds only the year's realisation; the tile says it is missing, as the text does,
    instead of 'N/A dari pagu'."""
    tiles = dict((label, (value, note)) for label, value, note in
                 make_meta().with_model(build_model("kppbc-balikpapan", "2024Q3")).ikhtisar)
    assert tiles["Penyerapan anggaran"] == (
        "N/A", "realisasi Triwulan III Tahun 2024 belum tersedia dalam data; pagu Rp6.832.819.000")
    assert tiles["Capaian penerimaan"][0] == "53,31%"


def test_tile_text_from_data_is_escaped():
    meta = make_meta(ikhtisar=(("<b>x</b>", "1", "[a](javascript:alert(1))"),))
    tile = meta.pandoc_metadata()["lakin-ikhtisar"][0]
    assert "<b>" not in tile["label"] and tile["catatan"].startswith("\\[")


# --------------------------------------------------------------------------------------------------
# In a real browser, offline


def _errors(console: list[str]) -> list[str]:
    """Console lines other than Vega-Lite's compile warnings ("WARN ..."; for chart authors, not errors)."""
    return [line for line in console if not re.search(r'CONSOLE[:(][^"]*"WARN ', line)]


def _copy_with(path: Path, tmp_path: Path, script: str) -> Path:
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.rpartition("</body>")
    out = tmp_path / path.name
    out.write_text(head + script + sep + tail, encoding="utf-8")
    return out


@pytest.mark.slow  # renders and opens a browser
@needs_chromium
def test_small_report_in_browser_draws_chart_and_marks_current_section(small, tmp_path):
    # the reader scrolls to the last chapter: the contents mark it (lakin-nav.js)
    probe = _copy_with(small, tmp_path, """<script>
window.addEventListener('load', function () {
  // once the chart is drawn (it changes the page's height), as a reader would scroll
  (function scrollWhenDrawn() {
    if (!document.querySelector('.lakin-chart svg')) { setTimeout(scrollWhenDrawn, 50); return; }
    document.getElementById('penutup').scrollIntoView();
    setTimeout(function () {
      var a = document.querySelector('#TOC a.active');
      document.body.setAttribute('data-active', a ? a.getAttribute('href') : '');
    }, 400);
  })();
});
</script>""")
    page = open_page(probe)
    assert page.console == []
    soup = BeautifulSoup(page.dom, "html.parser")
    chart = soup.find(class_="lakin-chart")
    assert chart.find("svg") is not None and chart.find(class_="marks") is not None
    assert soup.body["data-active"] == "#penutup"


@pytest.fixture(scope="module")
def seed_html(built):
    """The seed report's HTML, from the session's build (conftest)."""
    return built(*SEED).files["html"]


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("width", [400, 1400])
def test_seed_report_offline_charts_no_errors_no_sideways_scroll(seed_html, width):
    soup = _soup(seed_html)
    toc = soup.find("nav", id="TOC")
    assert len([a for a in toc.find_all("a") if a.get_text().startswith("IKU ")]) == 20  # every indicator
    assert [p.get_text() for p in soup.select(".lakin-tile-value")] == ["118,32", "109,16%", "96,16%"]  # the build
    assert html_problems(seed_html.read_text(encoding="utf-8"), allow_inline_scripts=True) == []
    page = open_page(seed_html, width=width, probe=True)
    assert _errors(page.console) == []
    assert page.probe["innerWidth"] == width
    assert page.probe["wide"] == [] and page.probe["scrollWidth"] <= width
    if width >= 500:  # the DOM of the page itself (narrower screens are measured in a frame)
        drawn = BeautifulSoup(page.dom, "html.parser").select(".lakin-chart svg.marks")
        charts = soup.select(".lakin-chart")
        assert len(charts) >= 20 and len(drawn) == len(charts)


@pytest.mark.slow  # renders and opens a browser
@needs_chromium
def test_printed_report_shows_the_static_chart_image(small, tmp_path):
    """Printing (Chromium's PDF) uses the static SVG kept beside the interactive chart: the chart's axis labels
    print once (the static image, not also the interactive chart), as vectors (no raster image)."""
    pdf = tmp_path / "cetak.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
                    f"--user-data-dir={tmp_path}/profile", "--virtual-time-budget=10000", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", small.as_uri()], capture_output=True, timeout=120, check=True)
    pages = PdfReader(str(pdf)).pages
    text = " ".join(page.extract_text() or "" for page in pages)
    assert [text.count(month) for month in ("Februari", "Maret", "April")] == [1, 1, 1]  # only the chart has them
    assert not any(page.images for page in pages)
