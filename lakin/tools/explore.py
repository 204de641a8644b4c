"""Exploring across units: tables and interactive Altair charts comparing every satker of a data directory.

Each unit is read at its latest report period that has the figure (a unit whose data stops at Triwulan I is
compared at 2024Q1, and the period is shown beside every number), so units are never compared on an empty
period. Data functions return DataFrames at full precision; chart functions return an `alt.Chart` with
tooltips and a selection (click or legend) that highlights a unit or a status.
"""

from __future__ import annotations

import inspect
import math
import warnings
from pathlib import Path

import altair as alt
import pandas as pd

from lakin.data.load import Dataset, find_data_dir, load
from lakin.data.periods import DATA_PERIODS, ReportPeriod
from lakin.present.charts import EMBED_OPTIONS, offline_html, with_locale
from lakin.rules import budget as budget_rules
from lakin.rules import revenue as revenue_rules
from lakin.rules.frameworks import load_framework
from lakin.rules.scoring import overall_for, score_indicators

__all__ = [
    "budget_absorption", "budget_ranking", "dashboard", "export_html", "indicator_status", "load_all", "overview", "overview_table",
    "offline_html", "offline_renderer", "revenue_achievement", "revenue_ranking", "score_by_unit", "scores", "setup",
    "status_heatmap",
]

QUARTERS_LATEST_FIRST = (4, 3, 2, 1)
NO_DATA = "tidak ada data"



def offline_renderer(spec: dict, **metadata) -> dict:
    """Altair renderer for notebooks: the Vega-Lite JSON (JupyterLab's own renderer) and inlined-script HTML."""
    spec = with_locale(spec)
    return {"application/vnd.vegalite.v5+json": spec, "text/html": offline_html(spec, metadata.get("embed_options")),
            "text/plain": "<grafik>"}


alt.renderers.register("lakin-offline", offline_renderer)


NBCONVERT_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "nbconvert"


def export_html(notebook: str | Path, out: str | Path) -> Path:
    """An executed notebook as one HTML file that opens offline (template `lakin-offline`: no CDN scripts)."""
    from nbconvert import HTMLExporter  # heavy optional: only the export needs nbconvert

    exporter = HTMLExporter(template_name="lakin-offline", extra_template_basedirs=[str(NBCONVERT_TEMPLATES)])
    body, _ = exporter.from_filename(str(notebook))
    out = Path(out)
    out.write_text(body, encoding="utf-8")
    return out


def setup() -> None:
    """Notebook setup: charts drawn offline (no CDN), numbers and months in Indonesian, any number of rows."""
    alt.renderers.enable("lakin-offline")
    # dashboard() links its views through one shared selection: Altair's notice about merging it is expected
    warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
    alt.renderers.set_embed_options(**EMBED_OPTIONS)
    alt.data_transformers.disable_max_rows()


def load_all(data_dir: str | Path | None = None) -> Dataset:
    """Every unit of a data directory (None: the project's data/), validated."""
    return load(find_data_dir(data_dir))


# --------------------------------------------------------------------------- helpers
_LAST: dict = {"ds": None, "results": {}}


def _memo(fn):
    """Remember the results for the most recent Dataset (a notebook computes each figure once, not per chart)."""
    signature = inspect.signature(fn)

    def wrapper(ds: Dataset, *args, **kwargs):
        if _LAST["ds"] is not ds:
            _LAST["ds"], _LAST["results"] = ds, {}
        bound = signature.bind(ds, *args, **kwargs)
        bound.apply_defaults()
        key = (fn.__name__, *tuple(bound.arguments.values())[1:])
        if key not in _LAST["results"]:
            _LAST["results"][key] = fn(ds, *args, **kwargs)
        return _LAST["results"][key].copy()
    wrapper.__name__, wrapper.__doc__, wrapper.__wrapped__ = fn.__name__, fn.__doc__, fn
    return wrapper


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _years(tables: dict[str, pd.DataFrame], *names: str) -> list[int]:
    years: set[int] = set()
    for name in names:
        df = tables.get(name)
        if df is not None and not df.empty:
            years |= {int(t) for t in df["tahun"].dropna()}
    return sorted(years)


def _units(ds: Dataset) -> list[tuple[str, pd.Series, dict[str, pd.DataFrame]]]:
    return [(s, ds.unit(s), ds.for_satker(s)) for s in ds.satker_list()]


def _label(info: pd.Series) -> str:
    short = info.get("singkatan")
    return str(short) if isinstance(short, str) and short else str(info["satker"])


def _message(text: str) -> alt.Chart:
    """A chart that only says why there is nothing to show."""
    return alt.Chart(pd.DataFrame({"pesan": [text]})).mark_text(size=14, align="left", color="#555").encode(
        text=alt.Text("pesan:N")).properties(width=480, height=40)


def _unit_selection():
    return alt.selection_point(fields=["satker"], bind="legend", on="click", clear="dblclick")


# --------------------------------------------------------------------------- overall score
@_memo
def scores(ds: Dataset) -> pd.DataFrame:
    """Overall score (NKO, NPSS...) of every unit and year, at the year's latest period that has one."""
    rows = []
    for satker, info, tables in _units(ds):
        fw = load_framework(info["kerangka"], ds.data_dir)
        for tahun in _years(tables, "iku", "nilai_organisasi"):
            for q in QUARTERS_LATEST_FIRST:
                period = ReportPeriod(tahun, q)
                value, source = overall_for(tables, fw, period)
                if _finite(value):
                    rows.append({"satker": satker, "unit": _label(info), "nama": info["nama"], "kerangka": fw.id,
                                 "tahun": tahun, "periode": period.label, "skor": fw.skor_kode, "nilai": float(value),
                                 "kategori": fw.kategori_for(value), "sumber": source})
                    break
    columns = ["satker", "unit", "nama", "kerangka", "tahun", "periode", "skor", "nilai", "kategori", "sumber"]
    return pd.DataFrame(rows, columns=columns)


def score_by_unit(ds: Dataset) -> alt.Chart:
    """The overall score of every unit by year (lines and points; click a unit or its legend entry)."""
    data = scores(ds)
    if data.empty:
        return _message(f"Nilai organisasi: {NO_DATA}")
    pick = _unit_selection()
    base = alt.Chart(data).encode(
        x=alt.X("tahun:O", title="Tahun"),
        y=alt.Y("nilai:Q", title="Nilai organisasi (NKO/NPSS)", scale=alt.Scale(zero=False)),
        color=alt.Color("unit:N", title="Unit"),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("nama:N", title="Nama"),
                 alt.Tooltip("tahun:O", title="Tahun"), alt.Tooltip("periode:N", title="Periode"),
                 alt.Tooltip("skor:N", title="Skor"), alt.Tooltip("nilai:Q", title="Nilai", format=",.2f"),
                 alt.Tooltip("kategori:N", title="Kategori"), alt.Tooltip("sumber:N", title="Sumber")],
    )
    return (base.mark_line() + base.mark_point(size=80, filled=True)).add_params(pick).properties(
        width=520, height=280, title="Nilai organisasi per unit dan tahun")


# --------------------------------------------------------------------------- indicators by status
@_memo
def indicator_status(ds: Dataset) -> pd.DataFrame:
    """Every indicator of every unit with its index and status, at the unit's latest scored year and period."""
    frames = []
    for satker, info, tables in _units(ds):
        fw = load_framework(info["kerangka"], ds.data_dir)
        iku, nilai = tables["iku"], tables["iku_nilai"]
        found = None
        for tahun in reversed(_years(tables, "iku")):
            year_iku, year_nilai = iku[iku["tahun"] == tahun], nilai[nilai["tahun"] == tahun]
            if year_nilai[year_nilai["periode"].isin(DATA_PERIODS)].empty:
                continue
            for q in QUARTERS_LATEST_FIRST:
                period = ReportPeriod(tahun, q)
                ind = score_indicators(year_iku, year_nilai, fw, period.data_period(fw.periode))
                if ind["capaian"].notna().any():
                    found = ind.assign(tahun=tahun, periode=period.label)
                    break
            if found is not None:
                break
        if found is None:
            continue
        found.insert(0, "no", range(1, len(found) + 1))
        frames.append(found.assign(satker=satker, unit=_label(info), kerangka=fw.id))
    columns = ["satker", "unit", "kerangka", "tahun", "periode", "no", "kode", "nama", "target", "realisasi",
               "capaian", "status", "warna"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def status_heatmap(ds: Dataset) -> alt.Chart:
    """A heat map: one row per unit, one cell per indicator, coloured by status (click a status to highlight)."""
    data = indicator_status(ds)
    if data.empty:
        return _message(f"Status indikator: {NO_DATA}")
    colours = dict(zip(data["status"], data["warna"]))
    domain = list(colours)
    pick = alt.selection_point(fields=["status"], bind="legend", on="click", clear="dblclick")
    return alt.Chart(data).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("no:O", title="Indikator (nomor urut dalam unit)"),
        y=alt.Y("unit:N", title=None),
        color=alt.Color("status:N", title="Status", scale=alt.Scale(domain=domain, range=[colours[d] for d in domain])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("periode:N", title="Periode"),
                 alt.Tooltip("kode:N", title="Kode"), alt.Tooltip("nama:N", title="Indikator"),
                 alt.Tooltip("target:Q", title="Target", format=",.2f"),
                 alt.Tooltip("realisasi:Q", title="Realisasi", format=",.2f"),
                 alt.Tooltip("capaian:Q", title="Capaian", format=",.2f"), alt.Tooltip("status:N", title="Status")],
    ).add_params(pick).properties(width=560, height=max(60, 28 * data["unit"].nunique()),
                                  title="Status indikator per unit")


# --------------------------------------------------------------------------- revenue and budget
def _latest_year(years: list[int], tahun: int | None) -> list[int]:
    if tahun is not None:
        return [tahun] if tahun in years else []
    return list(reversed(years))


def _at_latest_period(years: list[int], tahun: int | None, measure) -> dict | None:
    """The first period, latest year and latest quarter first, for which `measure(period)` gives a row."""
    for year in _latest_year(years, tahun):
        for q in QUARTERS_LATEST_FIRST:
            period = ReportPeriod(year, q)
            row = measure(period)
            if row is not None:
                return {"tahun": year, "periode": period.label, **row}
    return None


def _ranked(rows: list[dict], columns: list[str], by: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(by, ascending=False, kind="stable").reset_index(drop=True)


@_memo
def revenue_achievement(ds: Dataset, tahun: int | None = None) -> pd.DataFrame:
    """Revenue achievement (netto realisation / target in force) per unit, at its latest complete period
    (of `tahun`, or of its latest year), ranked from highest."""
    rows = []
    for satker, info, tables in _units(ds):
        if not revenue_rules.has_revenue(tables):
            continue

        def measure(period, satker=satker, tables=tables):
            summary = revenue_rules.summarize(tables, satker, period)
            if not _finite(summary.capaian) or summary.bulan_tanpa_data:
                return None
            return {"target": summary.target_total, "realisasi": summary.realisasi, "capaian": summary.capaian,
                    "yoy": summary.yoy}

        row = _at_latest_period(_years(tables, "penerimaan", "target_penerimaan"), tahun, measure)
        if row is not None:
            rows.append({"satker": satker, "unit": _label(info), "nama": info["nama"], **row})
    return _ranked(rows, ["satker", "unit", "nama", "tahun", "periode", "target", "realisasi", "capaian", "yoy"],
                   "capaian")


@_memo
def budget_absorption(ds: Dataset, tahun: int | None = None) -> pd.DataFrame:
    """Budget absorption (realisation / DIPA pagu) per unit, at its latest period with a realisation
    (of `tahun`, or of its latest year), ranked from highest."""
    rows = []
    for satker, info, tables in _units(ds):
        if not budget_rules.has_budget(tables):
            continue

        def measure(period, tables=tables):
            total = budget_rules.absorption(tables, period).iloc[0]
            if not _finite(total["persen"]):
                return None
            return {"pagu": float(total["pagu"]), "realisasi": float(total["realisasi"]),
                    "persen": float(total["persen"])}

        row = _at_latest_period(_years(tables, "pagu", "realisasi_anggaran"), tahun, measure)
        if row is not None:
            rows.append({"satker": satker, "unit": _label(info), "nama": info["nama"], **row})
    return _ranked(rows, ["satker", "unit", "nama", "tahun", "periode", "pagu", "realisasi", "persen"], "persen")


def _ranking(data: pd.DataFrame, value: str, title: str, axis: str, tooltip: list) -> alt.Chart:
    pick = alt.selection_point(fields=["satker"], on="click", clear="dblclick")
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("unit:N", sort="-x", title=None),
        x=alt.X(f"{value}:Q", title=axis),
        color=alt.condition(pick, alt.value("#1f4e79"), alt.value("#c9d3de")),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("nama:N", title="Nama"),
                 alt.Tooltip("periode:N", title="Periode"), *tooltip],
    ).add_params(pick)
    rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 3], color="#555").encode(x=alt.X("x:Q"))
    return alt.layer(bars, rule).properties(width=520, height=max(60, 26 * len(data)), title=title)


def revenue_ranking(ds: Dataset, tahun: int | None = None) -> alt.Chart:
    """Units ranked by revenue achievement (%), with the 100% line; click a bar to highlight it."""
    data = revenue_achievement(ds, tahun)
    if data.empty:
        return _message(f"Capaian penerimaan: {NO_DATA}")
    data = data.assign(realisasi_miliar=data["realisasi"] / 1e9, target_miliar=data["target"] / 1e9)
    return _ranking(data, "capaian", "Peringkat capaian penerimaan", "Capaian penerimaan (%)", [
        alt.Tooltip("target_miliar:Q", title="Target (Rp miliar)", format=",.2f"),
        alt.Tooltip("realisasi_miliar:Q", title="Realisasi (Rp miliar)", format=",.2f"),
        alt.Tooltip("capaian:Q", title="Capaian (%)", format=",.2f"),
        alt.Tooltip("yoy:Q", title="Pertumbuhan y-o-y (%)", format=",.2f")])


def budget_ranking(ds: Dataset, tahun: int | None = None) -> alt.Chart:
    """Units ranked by budget absorption (%), with the 100% line; click a bar to highlight it."""
    data = budget_absorption(ds, tahun)
    if data.empty:
        return _message(f"Penyerapan anggaran: {NO_DATA}")
    data = data.assign(pagu_juta=data["pagu"] / 1e6, realisasi_juta=data["realisasi"] / 1e6)
    return _ranking(data, "persen", "Peringkat penyerapan anggaran", "Penyerapan anggaran (%)", [
        alt.Tooltip("pagu_juta:Q", title="Pagu (Rp juta)", format=",.2f"),
        alt.Tooltip("realisasi_juta:Q", title="Realisasi (Rp juta)", format=",.2f"),
        alt.Tooltip("persen:Q", title="Penyerapan (%)", format=",.2f")])


# --------------------------------------------------------------------------- dashboard
def _linked_bars(data: pd.DataFrame, value: str, title: str, unit) -> alt.Chart:
    """Units as bars of `value`, the picked unit dark; clicking a bar picks its unit in every linked view."""
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("unit:N", sort="-x", title=None), x=alt.X(f"{value}:Q", title=title),
        color=alt.condition(unit, alt.value("#1f4e79"), alt.value("#c9d3de")),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("periode:N", title="Periode"),
                 alt.Tooltip(f"{value}:Q", title=title, format=",.2f")],
    ).add_params(unit).properties(width=520, height=max(60, 26 * data["satker"].nunique()), title=title)


def dashboard(ds: Dataset) -> alt.VConcatChart | alt.Chart:
    """Every comparison in one linked view: pick a unit (drop-down, or click it in any chart) and a year;
    the score chart follows the year, the rankings highlight the unit and the indicator map shows only it."""
    score, status = scores(ds), indicator_status(ds)
    if score.empty and status.empty:
        return _message(f"Jelajah: {NO_DATA}")
    units = ds.satker_list()
    unit = alt.selection_point(name="unit", fields=["satker"], on="click", clear="dblclick",
                               bind=alt.binding_select(options=[None, *units], name="Unit ",
                                                       labels=["Semua unit", *[_label(ds.unit(u)) for u in units]]))
    views = []
    if not score.empty:
        years = sorted({int(t) for t in score["tahun"]})
        year = alt.param(name="tahun", value=years[-1],
                         bind=alt.binding_select(options=years, labels=[str(y) for y in years], name="Tahun "))
        views.append(_linked_bars(score, "nilai", "Nilai organisasi pada tahun terpilih", unit)
                     .transform_filter(alt.datum.tahun == year).add_params(year))
    for data, value, title in ((revenue_achievement(ds), "capaian", "Capaian penerimaan (%)"),
                               (budget_absorption(ds), "persen", "Penyerapan anggaran (%)")):
        if not data.empty:
            views.append(_linked_bars(data, value, title, unit))
    if not status.empty:
        colours = dict(zip(status["status"], status["warna"]))
        views.append(alt.Chart(status).mark_rect(stroke="white", strokeWidth=1).encode(
            x=alt.X("no:O", title="Indikator (nomor urut dalam unit)"), y=alt.Y("unit:N", title=None),
            color=alt.Color("status:N", title="Status",
                            scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
            tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("kode:N", title="Kode"),
                     alt.Tooltip("nama:N", title="Indikator"),
                     alt.Tooltip("capaian:Q", title="Capaian", format=",.2f"), alt.Tooltip("status:N", title="Status")],
        ).transform_filter(unit).properties(width=560, title="Status indikator unit terpilih"))
    return alt.vconcat(*views).resolve_scale(color="independent")


# --------------------------------------------------------------------------- overview
def overview(ds: Dataset) -> pd.DataFrame:
    """One row per unit: its latest overall score, indicator statuses, revenue achievement, budget absorption."""
    latest = scores(ds).sort_values(["satker", "tahun"]).groupby("satker").tail(1).set_index("satker")
    status = indicator_status(ds)
    counts = status.pivot_table(index="satker", columns="status", values="kode", aggfunc="count", fill_value=0)
    revenue = revenue_achievement(ds).set_index("satker")
    budget = budget_absorption(ds).set_index("satker")
    rows = []
    for satker, info, _ in _units(ds):
        row = {"satker": satker, "unit": _label(info), "kerangka": info["kerangka"]}
        if satker in latest.index:
            s = latest.loc[satker]
            row.update({"skor": s["skor"], "periode_skor": s["periode"], "nilai": s["nilai"],
                        "kategori": s["kategori"]})
        if satker in counts.index:
            row.update({f"indikator_{k.lower()}": int(v) for k, v in counts.loc[satker].items()})
        if satker in revenue.index:
            row.update({"periode_penerimaan": revenue.loc[satker, "periode"],
                        "capaian_penerimaan": revenue.loc[satker, "capaian"]})
        if satker in budget.index:
            row.update({"periode_anggaran": budget.loc[satker, "periode"],
                        "penyerapan_anggaran": budget.loc[satker, "persen"]})
        rows.append(row)
    return pd.DataFrame(rows)


def overview_table(ds: Dataset):
    """`overview` for display: numbers in Indonesian form (1.234,56), N/A where a unit has no figure."""
    frame = overview(ds)
    numeric = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    return frame.style.format(precision=2, decimal=",", thousands=".", na_rep="N/A", subset=numeric) \
        .format(na_rep="N/A", subset=[c for c in frame.columns if c not in numeric]).hide(axis="index")
