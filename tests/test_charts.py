"""lakin.present.charts: one chart style, no chart of one bar or of an empty series, captions that say what is drawn."""

from __future__ import annotations

import json

import altair.utils.schemapi as schemapi
import altair.vegalite.v6.schema.core as vegalite_schema
import nbformat
import pytest

from lakin.data.load import load
from lakin.data.periods import parse_period
from lakin.model.report_model import build_model
from lakin.pipeline.execute import chapters_for
from lakin.present import show
from lakin.present.tables import budget as budget_tables
from lakin.present.tables import revenue as revenue_tables
from lakin.rules import budget
from lakin.present.charts import WIDTH, caption
from lakin.present.charts import budget as budget_charts
from lakin.present.charts import kinerja as kinerja_charts
from lakin.model.unit import open_unit
from conftest import DATA, SHIPPED, run_chapters

VEGALITE = "application/vnd.vegalite.v5+json"


def _figures(notebooks) -> list[tuple[str, dict]]:
    """(caption, Vega-Lite spec) of every figure the executed chapters display."""
    out = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []) or []:
                meta = (output.get("metadata") or {}).get("lakin") or {}
                if meta.get("kind") == "figure" and VEGALITE in output.get("data", {}):
                    out.append((meta.get("caption", ""), output["data"][VEGALITE]))
    return out


def _layers(spec: dict) -> list[dict]:
    layers = [spec]
    for child in spec.get("layer", []) or []:
        layers += _layers(child)
    return layers


def _rows(spec: dict, layer: dict) -> list[dict]:
    data = layer.get("data") or spec.get("data") or {}
    if "name" in data:
        return spec.get("datasets", {}).get(data["name"], [])
    return data.get("values", [])


def _numbers(spec: dict) -> list[float]:
    """Every quantitative value a bar, line, point or tick layer draws."""
    values = []
    for layer in _layers(spec):
        mark = layer.get("mark")
        mark = mark.get("type") if isinstance(mark, dict) else mark
        if mark not in ("bar", "line", "point", "tick"):
            continue
        enc = layer.get("encoding", {})
        fields = [e["field"] for e in (enc.get("x"), enc.get("y")) if isinstance(e, dict)
                  and e.get("type") == "quantitative" and "field" in e]
        for row in _rows(spec, layer):
            values += [row[f] for f in fields if row.get(f) is not None]
    return values


def _empty_series(spec: dict) -> list[str]:
    """Legend entries (explicit colour domains) that no row of the chart carries."""
    carried = {json.dumps(v) for layer in _layers(spec) for row in _rows(spec, layer) for v in row.values()}
    empty = []
    for layer in _layers(spec):
        colour = layer.get("encoding", {}).get("color", {})
        for name in (colour.get("scale") or {}).get("domain", []) if isinstance(colour, dict) else []:
            if json.dumps(name) not in carried:
                empty.append(name)
    return empty


@pytest.mark.slow
@pytest.mark.parametrize("satker,period", SHIPPED, ids=lambda v: str(v))
def test_every_chart_compares_values_and_its_caption_is_its_title(built, satker, period):
    figures = _figures(built(satker, period).run.notebooks)
    assert figures
    for label, spec in figures:
        assert label == caption(spec), (label, caption(spec))
        assert len(_numbers(spec)) >= 2, f"{label}: a chart of one value"
        assert _empty_series(spec) == [], f"{label}: empty series {_empty_series(spec)}"
        widths = {layer.get("width") for layer in _layers(spec) if layer.get("width")}
        assert widths <= {WIDTH}, f"{label}: drawn {widths} wide (one chart style: {WIDTH})"


@pytest.fixture(scope="module")
def q3():
    return open_unit("kppbc-balikpapan", "2024Q3", DATA)


@pytest.fixture(scope="module")
def annual():
    return open_unit("kppbc-balikpapan", "2024", DATA)


def test_overall_score_without_previous_year_is_no_chart(q3, annual):
    assert q3.scorecard().previous is None
    assert kinerja_charts.overall_score_chart(q3.scorecard()) is None  # one bar: the sentence says it
    chart = kinerja_charts.overall_score_chart(annual.scorecard())
    spec = chart.to_dict()
    assert caption(chart) == "NKO Tahun 2024 dibandingkan tahun 2023"
    assert sorted(_numbers(spec)) == pytest.approx(sorted([annual.scorecard().previous, annual.scorecard().overall]))


def test_absorption_leaves_out_jenis_without_realisation(q3):
    summary = budget.summarize(q3.tables, q3.period)
    assert summary.target["persen"].isna().all()  # Q3: no realisation in the data
    assert budget_charts.absorption_chart(summary) is None  # was: three empty bars and their target ticks


def test_rpd_chart_draws_the_plan_and_says_so(q3, annual):
    q3_summary = budget.summarize(q3.tables, q3.period)
    chart = budget_charts.rpd_chart(q3_summary)  # no realisation at all: the plan only
    assert caption(chart) == "Rencana penarikan dana (RPD) kumulatif Triwulan III Tahun 2024"
    spec = chart.to_dict()
    assert "Pagu" not in json.dumps(spec) and len(_numbers(spec)) == 12
    chart = budget_charts.rpd_chart(budget.summarize(annual.tables, annual.period))
    assert caption(chart).startswith("RPD kumulatif dan realisasi s.d. Desember")


@pytest.mark.parametrize("satker,period", [("kppbc-balikpapan", "2024Q3"), ("kppbc-balikpapan", "2024")])
def test_rpd_table_title_names_only_its_columns(satker, period):
    unit = open_unit(satker, period, DATA)
    rpd = budget.summarize(unit.tables, unit.period).rpd
    table = budget_tables.table_rpd(rpd)
    has_realisation = any(c.startswith("Realisasi") for c in table.columns)
    assert ("Realisasi" in table.attrs["judul"]) == has_realisation
    assert has_realisation == rpd.bulanan


def test_indicator_history_of_one_value_is_no_chart(q3):
    sc = q3.scorecard()
    for kode in sc.indicators["kode"]:
        chart = kinerja_charts.indicator_history_chart(sc, kode)
        if chart is not None:
            spec = chart.to_dict()
            assert len(_numbers(spec)) >= 2
            series = [s for s in ("Target", "Realisasi") if f'"{s}"' in json.dumps(spec.get("datasets"))]
            assert caption(chart).lower().startswith(" dan ".join(series).lower())


def test_amount_tables_state_their_unit(q3):
    """Tables whose amounts carry no "Rp" say their unit; lakin.present.sections puts it in the caption."""
    from lakin.rules import revenue

    summary = budget.summarize(q3.tables, q3.period)
    for table in (budget_tables.table_per_jenis(summary), budget_tables.table_per_kegiatan(summary),
                  budget_tables.table_rpd(summary.rpd)):
        assert table.attrs["satuan"] == "rupiah"
    kontributor = revenue_tables.table_kontributor(revenue.summarize(q3.tables, q3.satker, q3.period))
    assert kontributor.attrs["satuan"] == "juta rupiah"
    assert kontributor.iloc[0, 1].count(",") == 1  # "23.462,15": juta with two decimals, not full rupiah


@pytest.mark.slow  # runs every chapter of two reports in this process: 2-3 s
@pytest.mark.parametrize("satker,period", [("kppbc-balikpapan", "2024"), ("bkipm-banjarmasin", "2024Q1")])
def test_the_reports_charts_take_no_slow_altair_path_and_every_one_is_valid_vega_lite(satker, period, monkeypatch):
    """Issue 15: lakin's chart code skips two of Altair's slow paths, and the specs stay what they were (compared,
    byte for byte, on every shipped report when each change was made).

    - A channel given as a shorthand string or as `alt.condition`'s dict is turned into a channel object by
      Altair's `from_dict`, which hashes every class of the Vega-Lite schema each time: 6 ms a channel, about
      0.12 s of the 0.7 s the indicator chapter of kppbc-balikpapan 2024 took in-process. lakin's chart code gives
      channel objects.
    - With Altair's DEBUG_MODE on, every object validates itself against the schema when made (173 objects in
      these two reports). lakin's chart functions make them with it off (`charts.unvalidated`, `spec_dict`).

    Since nothing validates them as they are made, every chart the chapters display is validated here, whole,
    against Altair's Vega-Lite schema."""
    wrapped, charts, made_valid = [], [], []
    original = schemapi.SchemaBase.from_dict.__func__
    original_to_dict = schemapi.SchemaBase.to_dict

    def counting(cls, dct, validate=True):
        wrapped.append((cls.__name__, dct))
        return original(cls, dct, validate)

    def to_dict(self, validate=True, **kwargs):
        if validate:
            made_valid.append(type(self).__name__)
        return original_to_dict(self, validate, **kwargs)

    monkeypatch.setattr(schemapi.SchemaBase, "from_dict", classmethod(counting))
    monkeypatch.setattr(schemapi.SchemaBase, "to_dict", to_dict)
    monkeypatch.setattr(show, "display", lambda *objs, **kwargs: charts.extend(o for o in objs if VEGALITE in o))
    chapters = chapters_for(load(DATA, satker=satker).for_satker(satker), period=parse_period(period))
    run_chapters([chapter.path for chapter in chapters], satker, period, build_model(satker, period, DATA))
    assert len(charts) >= 10 and wrapped == [] and made_valid == []
    monkeypatch.undo()
    schema = vegalite_schema.load_schema()
    for chart in charts:
        schemapi.validate_jsonschema(chart[VEGALITE], schema, raise_error=True)
