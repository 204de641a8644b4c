"""Issue 17, acceptance 4: every figure a report shows comes from the report model.

The model of a shipped report is built, its figures perturbed (the overall score, a level's index, one indicator's
index set to recognisable values; every revenue and budget amount doubled, so that the model's ratios stay
coherent), saved, and the chapters executed with it as the build does (`model` notebook parameter, warm kernel).
The Markdown the renderer assembles, the chart specs and the HTML first page's tiles must show the perturbed
figures and never the original ones: a figure recomputed outside the model would leave the original in print.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from dataclasses import replace

import nbformat
import pandas as pd
import pytest

from lakin.model.report_model import build_model, compute_figures, save
from lakin.pipeline.build import foreword
from lakin.pipeline.execute import execute_chapters, prepare
from lakin.pipeline.render import ReportMeta, assemble

pytestmark = pytest.mark.slow  # executes every chapter of one report (about 30 s)

SATKER, PERIODE = "kppbc-balikpapan", "2024"
NKO = 116.49  # was 118,32; the previous year (114,65) is kept, so the change becomes 1,84
PERSPEKTIF, PERSPEKTIF_INDEKS = "stakeholder", 112.34  # was 116,21
IKU, IKU_INDEKS = "10a-CP", 111.47  # was 118,34
FACTOR = 2.0  # every rupiah amount of revenue and budget

# Amounts (rupiah) held by the revenue and budget summaries: attribute -> columns (frames) or None (a number).
REVENUE_AMOUNTS = {
    "bulanan": ["target", "target_kumulatif", "realisasi", "realisasi_kumulatif", "target_berlaku"],
    "per_jenis": ["target", "realisasi_bulan", "realisasi", "realisasi_sebelumnya"],
    "per_akun": ["bruto", "pengembalian", "netto"],
    "iku": ["target_tahunan", "realisasi_kumulatif"],
    "kontributor": ["nilai"], "kontributor_total": ["nilai"],
    "realisasi": None, "target_total": None, "realisasi_sebelumnya": None, "proyeksi_akhir_tahun": None,
}
TARGET_AMOUNTS = {"per_jenis": ["target"], "keputusan": ["bea_masuk", "bea_keluar", "cukai", "total"],
                  "total": None, "awal_total": None}
BUDGET_AMOUNTS = {"per_jenis": ["pagu", "realisasi", "sisa"], "per_kegiatan": ["pagu", "realisasi", "sisa"],
                  "target": ["pagu", "realisasi"]}
RPD_AMOUNTS = {"tabel": ["rencana", "realisasi", "rencana_kumulatif", "realisasi_kumulatif", "deviasi",
                         "deviasi_kumulatif"], "pagu": None, "realisasi_total": None}
# Figures whose text must change everywhere it is printed (model figure names).
CHANGED = ["nko", "nko.perubahan", f"perspektif.{PERSPEKTIF}.indeks", f"iku.{IKU}.capaian",
           "penerimaan.total.realisasi", "penerimaan.total.target", "penerimaan.total.sebelumnya",
           "penerimaan.bea-masuk.realisasi", "penerimaan.bea-keluar.sebelumnya",
           "anggaran.pagu", "anggaran.realisasi", "anggaran.sisa"]


def _scaled(obj, amounts: dict, factor: float):
    """A copy of a summary dataclass with the named amounts multiplied by `factor`."""
    changes = {}
    for name, columns in amounts.items():
        value = getattr(obj, name, None)
        if value is None:
            continue
        if columns is None:
            changes[name] = value * factor
        elif isinstance(value, pd.DataFrame):
            frame = value.copy()
            for column in columns:
                if column in frame:
                    frame[column] = frame[column] * factor
            changes[name] = frame
    return dataclasses.replace(obj, **changes)


def perturb(model):
    """A copy of the model with recognisable figures; the flat figures recomputed by the model's own rule."""
    out = copy.deepcopy(model)
    sc = out.scorecard
    sc.overall = NKO
    perspektif = next(f for f in sc.levels if f.attrs["level"]["kolom"] == "perspektif")
    perspektif.loc[perspektif["kode"] == PERSPEKTIF, "indeks"] = PERSPEKTIF_INDEKS
    was = float(sc.indicators.loc[sc.indicators["kode"] == IKU, "capaian"].iloc[0])
    sc.indicators.loc[sc.indicators["kode"] == IKU, "capaian"] = IKU_INDEKS
    h = sc.history  # this year's periods of the indicator: Q4 and the year (Y) hold the same index
    same = (h["kode"] == IKU) & (h["tahun"] == sc.period.tahun) & (h["capaian"].round(6) == round(was, 6))
    h.loc[same, "capaian"] = IKU_INDEKS
    revenue = _scaled(out.revenue, REVENUE_AMOUNTS, FACTOR)
    out.revenue = dataclasses.replace(revenue, target=_scaled(revenue.target, TARGET_AMOUNTS, FACTOR))
    budget = _scaled(out.budget, BUDGET_AMOUNTS, FACTOR)
    total = {k: v * FACTOR if k in ("pagu", "realisasi", "sisa") else v for k, v in budget.total.items()}
    out.budget = dataclasses.replace(budget, total=total, rpd=_scaled(budget.rpd, RPD_AMOUNTS, FACTOR))
    out.figures = compute_figures(sc, out.tables, out.revenue, out.budget)
    return out


def _number(text: str) -> re.Pattern:
    """A printed figure, not part of a longer number ('3,67' is not in '3,674'); 'Rp' optional (tables in rupiah)."""
    body = re.escape(text.removeprefix("Rp"))
    return re.compile(rf"(?<![\d.,]){body}(?![\d]|[.,]\d)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """(original model, perturbed model, assembled Markdown, chart specs as JSON, meta) of the perturbed report."""
    work = tmp_path_factory.mktemp("perturbed")
    original = build_model(SATKER, PERIODE)
    model = perturb(original)
    path = save(model, work / "model.pickle")
    plan = prepare(SATKER, PERIODE)
    plan = replace(plan, params=replace(plan.params, model=str(path)))
    (work / "notebooks").mkdir()
    execute_chapters(plan, work / "notebooks", work / "gagal")
    charts = []
    notebooks = []
    for chapter in plan.chapters:  # chart specs checked here; the documents' PNGs are drawn from the same specs
        nb_path = work / "notebooks" / f"{chapter.name}.ipynb"
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            kept = []
            for output in cell.get("outputs", []):
                if ((output.get("metadata") or {}).get("lakin") or {}).get("kind") == "figure":
                    charts.append(json.dumps(output["data"]["application/vnd.vegalite.v5+json"]))
                else:
                    kept.append(output)
            cell.outputs = kept
        nbformat.write(nb, nb_path)
        notebooks.append(nb_path)
    sc = model.scorecard
    meta = ReportMeta.from_unit(model.info, model.period, kata_pengantar=foreword(model),
                                skor=f"{sc.framework.skor_nama}: {model.text('nko')}").with_model(model)
    markdown = assemble(notebooks, work / "media", meta).markdown
    return original, model, markdown, "\n".join(charts), meta


def test_the_perturbation_changes_the_figures(report):
    original, model, *_ = report
    for name in CHANGED:
        name = name if isinstance(name, str) else name.values[0]
        assert model.text(name) != original.text(name), name
    assert model.text("nko") == "116,49" and model.text("nko.perubahan") == "1,84"
    assert model.text("penerimaan.total.realisasi") == "Rp4.070.800.228.000"


@pytest.mark.parametrize("name", CHANGED)
def test_every_printed_figure_follows_the_model(report, name):
    original, model, markdown, _, _ = report
    assert _number(model.text(name)).search(markdown), f"{name}: {model.text(name)} not in the report"
    old = _number(original.text(name)).findall(markdown)
    assert not old, f"{name}: the original {original.text(name)} is still printed ({len(old)}x)"


def test_headline_figures_appear_where_the_chapters_state_them(report):
    _, model, markdown, _, _ = report
    assert markdown.count("sebesar 116,49 dengan kategori Hijau, meningkat 1,84 poin") == 3  # summary, Bab III, end
    assert "| NKO | 116,49 |" in markdown.replace("|  |", "|")
    assert re.search(r"\| 10a-CP \|[^\n]*\| 111,47 \| Hijau \|", markdown)
    assert "(netto) sebesar Rp4.070.800.228.000 atau 109,16% dari target tahunan" in markdown
    assert "Pagu anggaran sebesar Rp13.665.638.000 (tiga belas miliar" in markdown
    assert "enam miliar delapan ratus tiga puluh dua juta" not in markdown  # the pagu in words follows too


def test_charts_follow_the_model(report):
    original, _, _, charts, _ = report
    for value in (NKO, IKU_INDEKS):  # the NKO against last year's; the indicators' indices and history
        assert str(value) in charts
    assert repr(original.scorecard.overall) not in charts and "118.32" not in charts
    assert "2035.400114" not in charts and "4070.800228" in charts  # revenue drawn in miliar


def test_first_page_tiles_follow_the_model(report):
    _, model, _, _, meta = report
    tiles = {label: (value, note) for label, value, note in meta.ikhtisar}
    assert tiles[model.framework.skor_nama][0].startswith("116,49")
    assert tiles[model.framework.skor_nama][1].startswith("+1,84 poin dari 114,65")
    assert tiles["Penyerapan anggaran"][1] == "Rp13.140.647.018 dari pagu Rp13.665.638.000"
