"""lakin.present.charts conversion: each chart drawn once per report (SVG, which HTML and PDF embed), PNG only for
DOCX (and the PDF where Typst lacks the charts' font), ids from content."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from types import SimpleNamespace

import altair as alt
import nbformat
import pandas as pd
import pytest
import vl_convert
from pypdf import PdfReader

from lakin.pipeline.render import assemble, render_report
from lakin.pipeline.render import pandoc as pandoc_engine
from lakin.pipeline.render.pdf import typst_has_chart_fonts
from lakin.present import charts
from lakin.present.charts import offline_html, spec_dict, svg_to_png, to_png, to_svg
from test_render import make_meta, write_notebooks


def _chart() -> alt.Chart:
    data = pd.DataFrame({"bulan": ["Januari", "Februari", "Maret"], "nilai": [10.5, 12.25, 9.75]})
    return charts.base(data, width=300, height=150).mark_bar().encode(x=alt.X("bulan:N", sort=None), y="nilai:Q")


def test_png_from_the_svg_equals_the_png_drawn_from_the_spec():
    chart = _chart()
    assert svg_to_png(to_svg(chart)) == to_png(chart)


def test_charts_are_drawn_with_vl_converts_own_fonts_and_no_font_of_the_machine(tmp_path):
    """lakin.present.charts.fonts: a new process's first chart has vl-convert build its font database from its own
    Liberation Sans only. Text in a font this machine has (DejaVu Sans, the PDF's sans) draws as text in a font no
    machine has (nothing), and the charts' font draws; the environment is left as it was. Before, the machine's
    fonts were loaded: DejaVu text drew, and the machine's own Liberation Sans (1.07 here) drew the charts' text."""
    if not shutil.which("fc-list") or "DejaVu Sans" not in subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True).stdout:
        pytest.skip("DejaVu Sans tidak terpasang: tidak ada fon sistem untuk dibandingkan")
    probe = ("import hashlib, json, os\n"
             "from lakin.present.charts import svg_to_png\n"
             "svg = ('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"40\"><text x=\"5\" y=\"28\" '\n"
             "       'font-family=\"{}\" font-size=\"20\">Realisasi 2024</text></svg>')\n"
             "drawn = {f: hashlib.sha256(svg_to_png(svg.format(f))).hexdigest()\n"
             "         for f in ('DejaVu Sans', 'Tidak Ada Fon Ini', 'Liberation Sans, Arial, sans-serif')}\n"
             "print(json.dumps([drawn, os.environ.get('FONTCONFIG_FILE')]))\n")
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    env["LAKIN_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    drawn, left = json.loads(proc.stdout)
    assert drawn["DejaVu Sans"] == drawn["Tidak Ada Fon Ini"] != drawn["Liberation Sans, Arial, sans-serif"]
    assert left is None


def test_children_that_lay_out_text_never_get_the_charts_font_file(monkeypatch):
    """A child started while vl-convert reads lakin's fontconfig file (Typst, Quarto, pandoc: lakin.pipeline.render)
    gets the environment without it, and sees the system's fonts; any other FONTCONFIG_FILE is kept."""
    from lakin.present.charts.fonts import FONTS_CONF, without_chart_fonts

    assert without_chart_fonts({"FONTCONFIG_FILE": str(FONTS_CONF), "PATH": "/bin"}) == {"PATH": "/bin"}
    assert without_chart_fonts({"FONTCONFIG_FILE": "/etc/fonts/fonts.conf"}) == {
        "FONTCONFIG_FILE": "/etc/fonts/fonts.conf"}
    assert FONTS_CONF.is_file() and "<dir>/nonexistent/" in FONTS_CONF.read_text(encoding="utf-8")


def test_spec_dict_is_the_chart_without_validation():
    chart = _chart()
    assert spec_dict(chart) == chart.to_dict()
    spec = {"mark": "bar"}
    assert spec_dict(spec) == spec and spec_dict(spec) is not spec


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """Counts vl-convert's Vega runs (SVG and PNG from a spec) and its rasterisations of an SVG (with an empty
    chart cache)."""
    monkeypatch.setenv("LAKIN_CACHE_DIR", str(tmp_path / "cache"))
    calls = {"vega": 0, "raster": 0}
    for name, kind in (("vegalite_to_svg", "vega"), ("vegalite_to_png", "vega"), ("svg_to_png", "raster")):
        original = getattr(vl_convert, name)

        def wrapped(*args, _original=original, _kind=kind, **kwargs):
            calls[_kind] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(vl_convert, name, wrapped)
    return calls


def _charts_without_svg(notebooks) -> int:
    """Chart outputs that hold only their Vega-Lite spec (the renderer draws them; others carry their SVG)."""
    count = 0
    for path in notebooks:
        for cell in nbformat.read(str(path), as_version=4).cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                count += any(k.startswith("application/vnd.vegalite") for k in data) and "image/svg+xml" not in data
    return count


def _pdf_fonts(path) -> set[str]:
    """The base names of the fonts a PDF's pages use, without the subset prefix."""
    names = set()
    for page in PdfReader(str(path)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_a_report_draws_each_chart_once_and_rasterises_it_only_for_docx(tmp_path, counted):
    """The PDF embeds the chart's SVG: no image in the PDF, the chart's text is text in Liberation Sans (the font
    vl-convert placed it with). Only DOCX rasterises. Before, the PDF had the PNG: one image, no chart text."""
    if not typst_has_chart_fonts():
        pytest.skip("Liberation Sans/Arial tidak terpasang untuk Typst: PDF memakai PNG (diuji di bawah)")
    notebooks = write_notebooks(tmp_path / "nb")  # one chart
    counted.update(vega=0, raster=0)
    files = render_report(notebooks, make_meta(), tmp_path / "out", "html,docx,pdf", engine="pandoc")
    assert counted == {"vega": _charts_without_svg(notebooks), "raster": 1}  # SVG once; its PNG once (DOCX)
    assert "data:image/svg+xml;base64," in files["html"].read_text(encoding="utf-8")
    pdf = PdfReader(str(files["pdf"]))
    assert sum(len(page.images) for page in pdf.pages) == 0
    assert "Februari" in "".join(page.extract_text() for page in pdf.pages)  # an axis label of the chart
    assert "LiberationSans" in _pdf_fonts(files["pdf"])
    media = [n for n in zipfile.ZipFile(files["docx"]).namelist() if n.startswith("word/media/")]
    assert media and all(n.endswith(".png") for n in media)  # Word and LibreOffice read PNG everywhere
    for formats in ("html", "html,pdf"):
        counted.update(vega=0, raster=0)
        render_report(notebooks, make_meta(), tmp_path / "out", formats, engine="pandoc")
        assert counted["raster"] == 0  # HTML and PDF show the SVG


@pytest.mark.slow
def test_a_pdf_gets_png_charts_where_typst_lacks_the_charts_font(tmp_path, counted, monkeypatch):
    """On a machine without Liberation Sans or Arial, a label drawn by Typst in another font would no longer fit
    where Vega placed it: the PDF gets the PNG vl-convert drew with its own font."""
    monkeypatch.setattr(pandoc_engine, "typst_has_chart_fonts", lambda: False)
    notebooks = write_notebooks(tmp_path / "nb")
    counted.update(vega=0, raster=0)
    files = render_report(notebooks, make_meta(), tmp_path / "out", "pdf", engine="pandoc")
    assert counted["raster"] == 1
    pdf = PdfReader(str(files["pdf"]))
    assert sum(len(page.images) for page in pdf.pages) == 1
    assert "Februari" not in "".join(page.extract_text() for page in pdf.pages)
    assert "LiberationSans" not in _pdf_fonts(files["pdf"])


def test_typst_has_the_charts_font_when_it_finds_liberation_sans_or_arial_upright_in_both_weights(monkeypatch):
    import typst

    from lakin.pipeline.render import pdf

    def machine(*faces):
        class Fonts:
            def __init__(self, **kwargs):
                pass

            def fonts(self):
                return [SimpleNamespace(family=f, weight=w, style=s, stretch=st) for f, w, s, st in faces]
        monkeypatch.setattr(typst, "Fonts", Fonts)
        return pdf.typst_has_chart_fonts.__wrapped__()

    assert machine(("Liberation Sans", 400, "normal", 1.0), ("Liberation Sans", 700, "normal", 1.0))
    assert machine(("Arial", 400, "normal", 1.0), ("Arial", 700, "normal", 1.0), ("DejaVu Sans", 400, "normal", 1.0))
    assert not machine(("DejaVu Sans", 400, "normal", 1.0), ("DejaVu Sans", 700, "normal", 1.0))
    assert not machine(("Liberation Sans", 400, "normal", 1.0))  # no bold: chart titles are bold
    assert not machine(("Liberation Sans", 400, "normal", 0.75), ("Liberation Sans", 700, "normal", 0.75))  # Narrow
    assert not machine(("Arial", 400, "italic", 1.0), ("Arial", 700, "italic", 1.0))


def test_quarto_document_gets_png_charts(tmp_path):
    notebooks = write_notebooks(tmp_path / "nb")
    asm = assemble(notebooks, tmp_path / "media", make_meta(), raster_charts=True)
    assert "](media/fig-001.png)" in asm.markdown and asm.rasters == {}
    assert (tmp_path / "media" / "fig-001.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_ids_come_from_the_chart_not_from_the_process():
    spec = {"mark": "bar", "data": {"values": [{"a": 1}]}, "description": "id-test"}
    first, second = offline_html(spec, bundle=False), offline_html(spec, bundle=False)
    ids = [html.split('id="')[1].split('"')[0] for html in (first, second)]
    assert ids[0] != ids[1] and ids[1] == ids[0] + "-2"  # the same chart twice on a page: two elements
    assert 'id="lakin-vis-gambar-3-1"' in offline_html(spec, bundle=False, ident="lakin-vis-gambar-3-1")
    with pytest.raises(ValueError):
        offline_html(spec, bundle=False, ident="x'); alert(1); ('")


def test_vega_bundle_kept_in_the_cache_and_rebuilt_when_changed(tmp_path, monkeypatch):
    monkeypatch.delenv("LAKIN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: built.append(1) or "/* vega */")
    bundle = charts._vega_bundle.__wrapped__
    assert bundle() == "/* vega */" and built == [1]
    assert bundle() == "/* vega */" and built == [1]  # read from the cache
    cached = next((tmp_path / "lakin").glob("vega-bundle-*.js"))
    cached.write_text("alert(1)", encoding="utf-8")
    assert bundle() == "/* vega */" and built == [1, 1]  # no longer matches its digest: built again


def test_vega_bundle_is_built_once_while_another_builds_it(tmp_path, monkeypatch):
    """Two processes that need the bundle at once on an empty cache (a batch's workers, the suite's) build it once:
    the second waits on the lock file beside the bundle and reads what the first kept. flock locks an open file,
    so a thread with its own open file stands in for the second process."""
    import threading

    monkeypatch.setenv("LAKIN_CACHE_DIR", str(tmp_path))
    building, release, built = threading.Event(), threading.Event(), []

    def slow_bundle():
        built.append(threading.current_thread().name)
        building.set()
        assert release.wait(30)
        return "/* vega */"

    monkeypatch.setattr(vl_convert, "javascript_bundle", slow_bundle)
    bundle = charts._vega_bundle.__wrapped__
    got = {}
    first = threading.Thread(target=lambda: got.setdefault("first", bundle()), name="first")
    second = threading.Thread(target=lambda: got.setdefault("second", bundle()), name="second")
    first.start()
    assert building.wait(30)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting on the lock, not building
    release.set()
    first.join(30)
    second.join(30)
    assert got == {"first": "/* vega */", "second": "/* vega */"} and built == ["first"]
    assert bundle() == "/* vega */" and built == ["first"]  # kept: a third call only reads it


# --------------------------------------------------------------------------- the chart cache
def test_a_chart_drawn_before_comes_from_the_cache_with_the_same_bytes(tmp_path, monkeypatch, counted):
    chart = _chart()
    svg, png = to_svg(chart), svg_to_png(to_svg(chart))
    assert counted == {"vega": 1, "raster": 1}
    assert to_svg(chart) == svg and svg_to_png(svg) == png and counted == {"vega": 1, "raster": 1}
    other = _chart().properties(title="Judul lain")
    assert "Judul lain" in to_svg(other) and counted["vega"] == 2  # another spec: drawn
    monkeypatch.setenv("LAKIN_CHART_CACHE", "0")
    assert to_svg(chart) == svg and counted["vega"] == 3  # cache off: drawn again, same bytes


def test_a_damaged_cache_entry_is_drawn_again_never_used(tmp_path, counted):
    chart = _chart()
    svg = to_svg(chart)
    [entry] = (tmp_path / "cache" / "charts").glob("*/*")
    raw = bytearray(entry.read_bytes())
    raw[-20] ^= 0xFF
    entry.write_bytes(bytes(raw))
    assert to_svg(chart) == svg and counted["vega"] == 2
    assert entry.read_bytes()[32:].decode("utf-8") == svg  # and stored whole again


def test_the_cache_is_pruned_least_recently_used_first(tmp_path, monkeypatch):
    import os

    from lakin.present.charts import cache

    monkeypatch.setenv("LAKIN_CACHE_DIR", str(tmp_path))
    bodies = {}
    for i in range(4):
        bodies[i] = cache.cached("test", (str(i),), lambda i=i: bytes([i]) * 1000)
    entries = sorted((tmp_path / "charts").glob("*/*"))
    for age, path in enumerate(sorted(entries, key=lambda p: p.read_bytes()[-1])):  # entry i used at time i
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    assert cache.prune(max_bytes=2 * 1032) == 2
    left = sorted(p.read_bytes()[-1] for p in (tmp_path / "charts").glob("*/*"))
    assert left == [2, 3]


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_a_second_render_of_the_same_report_draws_no_chart(tmp_path, counted):
    notebooks = write_notebooks(tmp_path / "nb")
    render_report(notebooks, make_meta(), tmp_path / "a", "html,docx", engine="pandoc")
    drawn = dict(counted)
    assert drawn["vega"] >= 1 and drawn["raster"] >= 1
    first = (tmp_path / "a").glob("*.html")
    render_report(notebooks, make_meta(), tmp_path / "b", "html,docx", engine="pandoc")
    assert counted == drawn
    [html_a], [html_b] = list(first), list((tmp_path / "b").glob("*.html"))
    assert html_a.read_bytes() == html_b.read_bytes()


# --------------------------------------------------------------------------- DOCX stand-in images
def test_docx_gets_the_real_charts_back_in_place_of_their_stand_ins(tmp_path):
    """pandoc's DOCX writer reads small stand-ins (same size and resolution); the file holds the real PNGs."""
    from lakin.pipeline.render.word import png_stand_in

    chart = _chart()
    png = svg_to_png(to_svg(chart))
    stand_in = png_stand_in(png, "fig-001.png")
    assert stand_in[:33] == png[:33]  # signature and IHDR: the size pandoc reads
    assert len(stand_in) < len(png) / 4 and b"lakin-gambar\0fig-001.png" in stand_in
    notebooks = write_notebooks(tmp_path / "nb")
    files = render_report(notebooks, make_meta(), tmp_path / "out", "docx", engine="pandoc")
    with zipfile.ZipFile(files["docx"]) as zf:
        media = [zf.read(n) for n in zf.namelist() if n.startswith("word/media/")]
    assert media and all(b"lakin-gambar" not in m for m in media)
    assert all(len(m) > 5000 for m in media)  # drawn charts, not blank stand-ins


def test_a_stand_in_holds_a_blank_image_of_the_charts_size():
    """The stand-in's pixel data, built from a repeated deflate block, is a valid zlib stream of exactly the
    image's rows of zeros (its Adler-32 checked by zlib), whatever the size."""
    import struct
    import zlib

    from lakin.pipeline.render.word import _blank, _chunks, png_stand_in

    for row, height in [(1, 1), (65535, 1), (65534, 2), (65536, 3), (5201, 800), (3000, 1701)]:
        assert zlib.decompress(_blank(row, height)) == b"\0" * ((row + 1) * height), (row, height)
    png = svg_to_png(to_svg(_chart()))
    chunks = dict(_chunks(png_stand_in(png, "fig-001.png")))
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)  # RGBA: four bytes a pixel
    assert zlib.decompress(chunks[b"IDAT"]) == b"\0" * ((width * 4 + 1) * height)


def test_a_stand_in_without_its_image_is_an_error():
    import io

    from lakin.errors import RenderError
    from lakin.pipeline.render.word import png_stand_in, reproducible_zip

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/media/rId9.png", png_stand_in(to_png(_chart()), "fig-009.png"))
    with pytest.raises(RenderError, match="fig-009.png"):
        reproducible_zip(out.getvalue(), {"fig-001.png": b"x"})
    assert reproducible_zip(out.getvalue(), {"fig-009.png": b"real"})  # found: replaced


def test_docx_with_stand_ins_is_the_docx_pandoc_makes_from_the_real_images(tmp_path, monkeypatch):
    """The speed-up changes no byte: the same DOCX as pandoc writing the real PNGs (and no image's data as the
    picture's description: its caption)."""
    from lakin.pipeline.render import pandoc

    notebooks = write_notebooks(tmp_path / "nb")
    fast = render_report(notebooks, make_meta(), tmp_path / "a", "docx", engine="pandoc")["docx"].read_bytes()
    monkeypatch.setattr(pandoc, "STAND_INS", False)
    plain = render_report(notebooks, make_meta(), tmp_path / "b", "docx", engine="pandoc")["docx"].read_bytes()
    assert fast == plain
    with zipfile.ZipFile(tmp_path / "a" / next(p.name for p in (tmp_path / "a").glob("*.docx"))) as zf:
        assert b'descr="data:' not in zf.read("word/document.xml")


def test_html_with_stand_ins_is_the_html_pandoc_makes_from_the_real_images(tmp_path, monkeypatch):
    """pandoc's HTML writer reads small SVG stand-ins (--embed-resources re-reads every inline image) and the real
    SVGs are put back: the same HTML, byte for byte, as pandoc writing the real images; every chart is in it."""
    import base64
    import re

    from lakin.pipeline.render import pandoc

    notebooks = write_notebooks(tmp_path / "nb")
    fast = render_report(notebooks, make_meta(), tmp_path / "a", "html", engine="pandoc")["html"].read_text()
    monkeypatch.setattr(pandoc, "STAND_INS", False)
    plain = render_report(notebooks, make_meta(), tmp_path / "b", "html", engine="pandoc")["html"].read_text()
    assert fast == plain
    svgs = [base64.b64decode(uri) for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', fast)]
    assert svgs and all(b"data-lakin=" not in svg and len(svg) > 5000 for svg in svgs)


def test_an_svg_stand_in_missing_from_the_html_is_an_error():
    from lakin.errors import RenderError
    from lakin.pipeline.render.pandoc import put_back_svgs, svg_stand_in

    real = to_svg(_chart()).encode("utf-8")
    kept = f'<img src="data:image/svg+xml;base64,{base64_of(svg_stand_in("n0nce", "fig-001.svg"))}">'
    assert base64_of(real) in put_back_svgs(kept, {"fig-001.svg": real}, "n0nce")
    with pytest.raises(RenderError, match="fig-002.svg"):
        put_back_svgs(kept, {"fig-002.svg": real}, "n0nce")
    with pytest.raises(RenderError, match="fig-001.svg"):  # another render's stand-in is not this one's
        put_back_svgs(kept, {"fig-001.svg": real}, "other")


def base64_of(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


@pytest.fixture
def session_notebooks(executed):
    """The session's executed chapters of a shipped report, built (if this test is the first to need them) before
    `counted` empties the chart cache: the session's build must not draw into a test's own cache."""
    return executed("bkipm-banjarmasin", "2024Q1")


def test_a_reports_list_of_charts_holds_while_the_cache_holds_them(tmp_path, counted):
    """`remember_charts` lists the cache entries of a report's charts (their SVGs, with `raster` their PNGs too);
    `charts_kept` holds while every listed entry is there, and `undrawn` names the charts the cache lacks: what a
    build's drawing child would draw (lakin.pipeline.sidework). A list that is damaged, or names something other
    than an entry, holds nothing."""
    from lakin.pipeline.render import notebook_charts, predraw_charts
    from lakin.pipeline.sidework import charts_kept, remember_charts, undrawn
    from lakin.present.charts.cache import cache_root, keep, location, peek

    report = ("kppbc-balikpapan", "2024")
    notebooks = write_notebooks(tmp_path / "nb")
    specs = [spec for notebook in notebooks for spec in notebook_charts(notebook)]
    assert len(specs) == 1 and undrawn(specs, raster=False) == specs
    assert not charts_kept(*report, raster=False)  # never listed
    predraw_charts(notebooks[2], raster=False)  # the SVG only
    assert undrawn(specs, raster=False) == [] and undrawn(specs, raster=True) == specs
    remember_charts(*report, notebooks, raster=False)
    assert charts_kept(*report, raster=False) and not charts_kept(*report, raster=True)
    assert not charts_kept("kppbc-balikpapan", "2024Q1", raster=False)  # each report its own list
    predraw_charts(notebooks[2], raster=True)
    remember_charts(*report, notebooks, raster=True)
    assert charts_kept(*report, raster=True) and undrawn(specs, raster=True) == []
    assert counted == {"vega": 1, "raster": 1}  # listing and looking up draw nothing
    where = location("report-charts", ("1", *report))
    entries = json.loads(peek(where))["entries"]
    assert len(entries) == 2
    png = cache_root() / "charts" / entries[1][:2] / entries[1]
    kept = png.read_bytes()
    png.unlink()  # pruned
    assert not charts_kept(*report, raster=True) and undrawn(specs, raster=True) == specs
    png.write_bytes(kept)
    assert charts_kept(*report, raster=True)
    where.write_bytes(where.read_bytes()[:-1] + b" ")  # damaged: its digest no longer matches
    assert not charts_kept(*report, raster=False)
    keep("report-charts", ("1", *report), json.dumps({"raster": False, "entries": ["../" + entries[0][3:]]}).encode())
    assert not charts_kept(*report, raster=False)


@pytest.mark.slow  # draws and renders a shipped report's charts
def test_charts_drawn_during_execution_are_the_ones_the_render_needs(session_notebooks, tmp_path, counted):
    """What the build draws while the kernel runs the next chapter (`predraw_charts`, SVG and PNG) has the cache
    keys the render looks up: rendering the chapters afterwards draws nothing."""
    from lakin.pipeline.render import predraw_charts

    notebooks = session_notebooks
    drawn = sum(predraw_charts(path) for path in notebooks)
    assert drawn > 5 and counted == {"vega": drawn, "raster": drawn}
    render_report(notebooks, make_meta(), tmp_path / "out", "html,docx,pdf", engine="pandoc")
    assert counted == {"vega": drawn, "raster": drawn}


@pytest.mark.slow  # draws a shipped report's charts in a child process
def test_the_builds_child_draws_what_the_render_needs(session_notebooks, tmp_path, counted):
    """`lakin build` hands each executed chapter to a child process (lakin.pipeline.sidework), which draws its
    charts into the cache: rendering the chapters afterwards draws nothing in this process."""
    from lakin.pipeline.sidework import SideWork

    side = SideWork()
    assert side.running
    assert all(side.draw(path, raster=True) for path in session_notebooks)
    assert side.finish(timeout=300) == 0 and counted == {"vega": 0, "raster": 0}
    render_report(session_notebooks, make_meta(), tmp_path / "out", "html,docx,pdf", engine="pandoc")
    assert counted == {"vega": 0, "raster": 0}


@pytest.mark.slow  # draws a shipped report's charts in a child process
def test_once_the_kernel_is_done_the_child_draws_svgs_and_the_build_their_pngs(session_notebooks, tmp_path, counted):
    """When the last chapter ran, `lakin build` tells its child to draw only SVGs (`SideWork.svgs_only`) and makes
    their PNGs itself as they come (`rasterise_drawn`): no Vega engine starts in the build's process, and every
    chart is then found in the cache with its PNG, under the keys the render looks up (`predraw_charts`, the
    render's own reader). The chapters up to the first few charts: the mechanism, not the whole report."""
    from lakin.pipeline.render import notebook_charts, predraw_charts, rasterise_drawn
    from lakin.pipeline.sidework import SVGS_ONLY, SideWork

    chapters, specs = [], []
    for path in session_notebooks:
        if len(specs) < 4:
            chapters.append(path)
            specs += notebook_charts(path)
    side = SideWork(tmp_path)
    assert all(side.draw(path, raster=True) for path in chapters)
    assert side.svgs_only() and (tmp_path / SVGS_ONLY).exists()
    made = rasterise_drawn(specs, done=lambda: not side.running)
    assert side.finish(timeout=300) == 0 and counted == {"vega": 0, "raster": made}
    assert len(specs) >= 4 and len(specs) - 2 <= made <= len(specs)  # the child starts slower than the sign is left
    assert sum(predraw_charts(path) for path in chapters) == len(specs)
    assert counted == {"vega": 0, "raster": made}  # all found: SVGs drawn by the child, PNGs made here


def test_making_pngs_gives_up_on_a_child_that_draws_nothing(counted):
    """A child that hangs (alive, no SVG coming) keeps the build waiting `patience` seconds, not for ever: the render
    draws what is missing."""
    import time

    from lakin.pipeline.render import rasterise_drawn

    spec = {"mark": "bar", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    started = time.monotonic()
    assert rasterise_drawn([spec], done=lambda: False, patience=0.3) == 0
    assert 0.3 <= time.monotonic() - started < 5 and counted == {"vega": 0, "raster": 0}


@pytest.mark.slow  # executes a notebook on the warm kernel
def test_a_cells_charts_handed_on_as_it_ran_are_the_ones_the_render_needs(tmp_path, counted):
    """The warm kernel hands `lakin build` each cell as soon as it ran (`on_cell`), and the build sends the cell's
    charts to its child (`SideWork.draw_specs`, keys sorted as the notebook file holds them). What the child
    draws from them is what the render looks up in the executed notebook: drawing that notebook's charts
    afterwards draws nothing. The kernel's own key order is not the file's, so the sorting is needed."""
    import json

    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    from lakin.pipeline.execute import KERNEL_NAME
    from lakin.pipeline.render import cell_charts, predraw_charts
    from lakin.pipeline.sidework import SideWork

    source, executed = tmp_path / "bab.ipynb", tmp_path / "bab-hasil.ipynb"
    chart = ("import altair as alt\nimport pandas as pd\nfrom lakin.present import show\n"
             "show.chart(alt.Chart(pd.DataFrame({'nilai': [1.5, 2.25], 'jenis': ['x', 'y']})).mark_bar().encode("
             "x='nilai:Q', y='jenis:N').properties(title='Uji'), 'Uji')")  # as a chapter shows a chart
    nbformat.write(new_notebook(cells=[new_code_cell(chart), new_code_cell("1 + 1")]), str(source))
    cells: list = []
    papermill.execute_notebook(str(source), str(executed), cwd=str(tmp_path), engine_name="lakin-warm",
                               kernel_name=KERNEL_NAME, progress_bar=False, on_cell=cells.append)
    assert len(cells) == 2 and not cell_charts(cells[1])
    specs = cell_charts(cells[0])
    assert len(specs) == 1 and json.dumps(specs[0]) != json.dumps(specs[0], sort_keys=True)
    side = SideWork()
    assert side.draw_specs(specs, raster=True) and side.finish(timeout=120) == 0
    assert predraw_charts(executed) == 1 and counted == {"vega": 0, "raster": 0}  # all found: the child drew them


def test_the_drawing_child_imports_nothing_from_the_working_folder(tmp_path, monkeypatch):
    """`python -m` would put the working folder first on the child's import path: a `lakin/` folder there would
    run instead of lakin. The child runs with -P."""
    cwd = tmp_path / "kerja"
    (cwd / "lakin").mkdir(parents=True)
    marker = tmp_path / "dijalankan"
    (cwd / "lakin" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.chdir(cwd)
    from lakin.pipeline.sidework import SideWork

    side = SideWork()
    assert side.finish(timeout=120) == 0 and not marker.exists()


def test_the_childs_warm_up_starts_the_vega_engine_and_keeps_nothing(tmp_path, counted):
    """The child first draws a chart of one point (`sidework.warm_up`: vl-convert starts its Vega engine, 0.8 s, before
    the first cell's charts come), and writes nothing into the chart cache: it changes no report."""
    from lakin.pipeline.sidework import warm_up

    warm_up()
    assert counted == {"vega": 1, "raster": 0}
    assert not (tmp_path / "cache").exists() or not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_a_child_that_cannot_help_leaves_the_drawing_to_the_build(tmp_path, monkeypatch):
    """A child that is gone takes no job (the build's own thread draws it), and with the cache turned off no
    child starts: nothing it drew could be found."""
    from lakin.pipeline.sidework import SideWork

    notebook = tmp_path / "00-bab.ipynb"
    side = SideWork()
    assert side.running
    assert side.stop() is not None and not side.running
    assert side.draw(notebook, raster=True) is False
    monkeypatch.setenv("LAKIN_CHART_CACHE", "0")
    off = SideWork()
    assert off.proc is None and off.draw(notebook, raster=True) is False and off.finish() is None
