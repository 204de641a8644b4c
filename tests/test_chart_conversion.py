"""lakin.present.charts conversion: each chart drawn once per report (SVG), PNG only for DOCX, ids from content."""

from __future__ import annotations

import zipfile

import altair as alt
import nbformat
import pandas as pd
import pytest
import vl_convert
from pypdf import PdfReader

from lakin.pipeline.render import assemble, render_report
from lakin.present import charts
from lakin.present.charts import offline_html, spec_dict, svg_to_png, to_png, to_svg
from test_render import make_meta, write_notebooks


def _chart() -> alt.Chart:
    data = pd.DataFrame({"bulan": ["Januari", "Februari", "Maret"], "nilai": [10.5, 12.25, 9.75]})
    return charts.base(data, width=300, height=150).mark_bar().encode(x=alt.X("bulan:N", sort=None), y="nilai:Q")


def test_png_from_the_svg_equals_the_png_drawn_from_the_spec():
    chart = _chart()
    assert svg_to_png(to_svg(chart)) == to_png(chart)


def test_spec_dict_is_the_chart_without_validation():
    chart = _chart()
    assert spec_dict(chart) == chart.to_dict()
    spec = {"mark": "bar"}
    assert spec_dict(spec) == spec and spec_dict(spec) is not spec


@pytest.fixture
def counted(monkeypatch):
    """Counts vl-convert's Vega runs (SVG and PNG from a spec) and its rasterisations of an SVG."""
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


def test_a_report_draws_each_chart_once_and_rasterises_once_for_docx_and_pdf(tmp_path, counted):
    notebooks = write_notebooks(tmp_path / "nb")  # one chart
    counted.update(vega=0, raster=0)
    files = render_report(notebooks, make_meta(), tmp_path / "out", "html,docx,pdf", engine="pandoc")
    assert counted == {"vega": _charts_without_svg(notebooks), "raster": 1}  # SVG once; its PNG once
    assert "data:image/svg+xml;base64," in files["html"].read_text(encoding="utf-8")
    assert sum(len(page.images) for page in PdfReader(str(files["pdf"])).pages) == 1
    media = [n for n in zipfile.ZipFile(files["docx"]).namelist() if n.startswith("word/media/")]
    assert media and all(n.endswith(".png") for n in media)  # Word and LibreOffice read PNG everywhere
    counted.update(vega=0, raster=0)
    render_report(notebooks, make_meta(), tmp_path / "out", "html", engine="pandoc")
    assert counted["raster"] == 0  # HTML shows the SVG


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
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: built.append(1) or "/* vega */")
    bundle = charts._vega_bundle.__wrapped__
    assert bundle() == "/* vega */" and built == [1]
    assert bundle() == "/* vega */" and built == [1]  # read from the cache
    cached = next((tmp_path / "lakin").glob("vega-bundle-*.js"))
    cached.write_text("alert(1)", encoding="utf-8")
    assert bundle() == "/* vega */" and built == [1, 1]  # no longer matches its digest: built again
