"""The cross-unit exploration: its functions on the shipped and synthetic data, and the notebook executed."""

from __future__ import annotations

import json
import re

import altair as alt
import nbformat
import papermill
import pytest

from lakin.tools import explore

from browser import CHROMIUM, open_page
from conftest import ROOT

# A reference that makes a browser fetch: src/href/url()/import of an http(s) or protocol-relative address.
# Also any address of a script or style to load (Altair's default renderer: "https://cdn.jsdelivr.net/npm/vega@6?noext").
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|import\s*\(?\s*["']https?:"""
                      r"""|https?://[^\s"'`]*(?:\.m?js|\.css|\?noext)\b|https?://cdn""", re.I)

NOTEBOOK = ROOT / "notebooks" / "explore" / "jelajah.ipynb"


@pytest.fixture(scope="module")
def ds():
    return explore.load_all(ROOT / "data")


def test_scores_by_unit_and_year(ds):
    data = explore.scores(ds)
    kppbc = data[data["satker"] == "kppbc-balikpapan"].set_index("tahun")
    assert round(kppbc.loc[2024, "nilai"], 2) == 118.32 and kppbc.loc[2024, "sumber"] == "dihitung"
    assert kppbc.loc[2023, "nilai"] == 114.65 and kppbc.loc[2023, "sumber"] == "dipublikasikan"
    bkipm = data[data["satker"] == "bkipm-banjarmasin"].iloc[0]
    assert (bkipm["periode"], round(bkipm["nilai"], 2)) == ("2024Q1", 112.48)  # the seed's printed NPSS


def test_rankings_use_each_units_latest_period(ds):
    revenue = explore.revenue_achievement(ds)
    assert list(revenue["satker"]) == ["kppbc-balikpapan"]  # bkipm has no revenue
    assert round(revenue.loc[0, "capaian"], 2) == 109.16
    budget = explore.budget_absorption(ds).set_index("satker")
    assert budget.loc["bkipm-banjarmasin", "periode"] == "2024Q1"
    assert round(budget.loc["bkipm-banjarmasin", "realisasi"]) == 1460129563


def test_charts_have_tooltips_and_selections(ds):
    for make in (explore.score_by_unit, explore.status_heatmap, explore.revenue_ranking, explore.budget_ranking):
        chart = make(ds)
        assert isinstance(chart, (alt.Chart, alt.LayerChart))
        spec = json.dumps(chart.to_dict())
        assert '"tooltip"' in spec and '"params"' in spec and '"point"' in spec


def test_overview_has_one_row_per_unit(ds):
    table = explore.overview(ds)
    assert list(table["satker"]) == ds.satker_list()
    assert "N/A" in explore.overview_table(ds).to_html()  # bkipm has no revenue


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_functions_run_on_synthetic_data(tmp_path):
    from lakin.tools.synth import generate

    generate(tmp_path / "synth", units=2, years=1)
    ds = explore.load_all(tmp_path / "synth")
    assert len(explore.overview(ds)) == 2
    assert explore.scores(ds)["tahun"].nunique() >= 1
    assert not explore.budget_absorption(ds).empty
    for make in (explore.score_by_unit, explore.status_heatmap, explore.revenue_ranking, explore.budget_ranking):
        make(ds).to_dict()


def test_no_data_gives_a_message_chart(tmp_path):
    from lakin.data.load import Dataset, empty_table
    from lakin.data.schemas import TABLES

    empty = Dataset(tmp_path, {name: empty_table(t) for name, t in TABLES.items()})
    for make in (explore.score_by_unit, explore.status_heatmap, explore.revenue_ranking, explore.budget_ranking):
        assert "tidak ada data" in json.dumps(make(empty).to_dict())


def test_notebook_is_thin():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source.startswith("data_dir = None")
    for source in code:
        assert "def " not in source and "class " not in source and "/" not in source.split("#")[0]


@pytest.mark.slow  # executes the exploration notebook
def test_notebook_executes_on_shipped_data(tmp_path, monkeypatch):
    monkeypatch.delenv("LAKIN_DATA", raising=False)
    out = tmp_path / "jelajah.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(NOTEBOOK.parent),
                               progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    charts = [o for o in outputs if "application/vnd.vegalite.v5+json" in o.get("data", {})
              or "vegaEmbed" in o.get("data", {}).get("text/html", "")]
    assert len(charts) == 5  # the linked dashboard and the four single comparisons
    # Nothing is fetched: no output loads a script, style or image from a network.
    for o in outputs:
        for value in o.get("data", {}).values():
            text = value if isinstance(value, str) else json.dumps(value)
            assert not EXTERNAL.search(text), EXTERNAL.search(text).group(0)
    html = explore.export_html(out, tmp_path / "jelajah.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    if CHROMIUM is None:
        pytest.skip("Chromium tidak terpasang (apt-get install chromium): grafik tidak diperiksa di peramban")
    page = open_page(tmp_path / "jelajah.html")
    drawn = re.findall(r'<div [^>]*\bclass="lakin-chart vega-embed"[^>]*><svg', page.dom)
    assert len(drawn) == 5, page.console
    # the dashboard's pickers: a unit and a year drop-down, drawn offline
    assert re.search(r'<select[^>]*name="unit', page.dom) and re.search(r'<select[^>]*name="tahun', page.dom)
    assert not page.console, page.console


def test_offline_html_draws_each_chart_in_its_own_scope():
    """Two charts in one document: the bundle is guarded, each spec lives in a function scope (no `const spec`
    redeclared at top level, the error of Altair's own inline template)."""
    a, b = (explore.offline_html({"mark": "bar"}) for _ in range(2))
    assert a.count("if (!window.vegaEmbed)") == 1 and "const spec" not in a
    assert re.search(r'id="(lakin-vis-[^"]+)"', a).group(1) != re.search(r'id="(lakin-vis-[^"]+)"', b).group(1)
    assert "</script" not in a[a.index("<script") + 8:a.rindex("</script>")]


@pytest.mark.slow  # executes the exploration notebook
def test_charts_carry_indonesian_number_formats_for_every_viewer(tmp_path):
    """JupyterLab's renderer gets no embed options from us: the spec itself carries the locale
    (usermeta.embedOptions), so a bare vega-embed (as JupyterLab calls it) writes 0,5 and not 0.5."""
    import vl_convert as vlc

    from lakin.present import show
    from lakin.present.charts import with_locale

    chart = alt.Chart(alt.Data(values=[{"x": 0.5, "y": 1.25}, {"x": 1.5, "y": 2.75}])).mark_point().encode(
        x=alt.X("x:Q", axis=alt.Axis(values=[0.5, 1.5], format=".1f")), y="y:Q",
        tooltip=[alt.Tooltip("y:Q", format=".2f")])
    spec = with_locale(chart.to_dict())
    assert spec["usermeta"]["embedOptions"]["formatLocale"]["decimal"] == ","
    bundle = explore.offline_renderer(chart.to_dict())
    assert bundle["application/vnd.vegalite.v5+json"]["usermeta"]["embedOptions"]["formatLocale"]["decimal"] == ","
    shown = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(show, "_display", lambda b, m=None: shown.append(b))
        show.chart(chart, "uji")
    assert shown[0]["application/vnd.vegalite.v5+json"]["usermeta"]["embedOptions"]["formatLocale"]["thousands"] == "."
    if CHROMIUM is None:
        pytest.skip("Chromium tidak terpasang (apt-get install chromium): format di peramban tidak diperiksa")
    page = tmp_path / "bare.html"
    page.write_text("<html><body><div id='v'></div><script>" + vlc.javascript_bundle() +
                    "</script><script>vegaEmbed('#v', " + json.dumps(spec) + ");</script></body></html>",
                    encoding="utf-8")
    dom = open_page(page).dom
    assert ">0,5<" in dom and ">1,5<" in dom and ">0.5<" not in dom


@pytest.mark.filterwarnings("ignore:Automatically deduplicated selection parameter")
def test_dashboard_links_every_view_through_one_unit_picker_and_a_year_picker(ds):
    """Click-to-filter across charts: one unit selection (drop-down or click) shared by the score, revenue and
    budget bars, filtering the indicator map; a year drop-down filtering the scores."""
    spec = explore.dashboard(ds).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["unit"]["bind"]["input"] == "select" and params["unit"]["select"]["on"] == "click"
    assert params["unit"]["bind"]["options"] == [None, "kppbc-balikpapan", "bkipm-banjarmasin", "spkt-polda-jateng"]
    assert len(params["unit"]["views"]) == 3  # clicking a bar in any of the three bar charts picks the unit
    assert params["tahun"]["bind"]["options"] == [2018, 2023, 2024] and params["tahun"]["value"] == 2024
    heatmap = spec["vconcat"][-1]
    assert {"filter": {"param": "unit"}} in heatmap["transform"]
    assert {"filter": "(datum.tahun === tahun)"} in spec["vconcat"][0]["transform"]
