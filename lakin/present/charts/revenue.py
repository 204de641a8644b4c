"""Revenue charts: cumulative realisation against the trajectory, monthly, year on year and contributors.

Every function takes a `lakin.rules.revenue.RevenueSummary` and returns an Altair chart; amounts are plotted in
miliar rupiah (axis labels use the Indonesian d3 locale of `lakin.present.charts`), months by Indonesian name.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lakin.present.charts import PALETTE, STATUS_GREY, base, rupiah_axis, unvalidated
from lakin.rules.revenue import jenis_nama
from lakin.values import BULAN, nama_bulan, persen, rupiah_singkat, tanggal

__all__ = ["contributors_chart", "cumulative_chart", "monthly_chart", "year_on_year_chart"]

MILIAR = 1e9
REALISASI, PROYEKSI, TRAJEKTORI, TARGET = "Realisasi", "Proyeksi", "Trajektori target", "Target bulanan"
_COLOURS = {REALISASI: PALETTE[0], PROYEKSI: PALETTE[5], TRAJEKTORI: PALETTE[1], TARGET: PALETTE[1]}
_GREY = STATUS_GREY


def _x() -> alt.X:
    return alt.X("bulan_nama:N", sort=BULAN, title="Bulan", axis=alt.Axis(labelAngle=-45))


def _faded_projection() -> alt.OpacityValue:
    """The projected months drawn faded. A channel object, not the dict `alt.condition` gives: Altair turns such a
    dict into one with `from_dict`, which hashes every class of its schema each time (6 ms a channel)."""
    return alt.OpacityValue(**alt.condition(alt.datum.seri == PROYEKSI, alt.value(0.45), alt.value(1.0)))


def _tooltip() -> list:
    return [alt.Tooltip("seri:N", title="Seri"), alt.Tooltip("bulan_nama:N", title="Bulan"),
            alt.Tooltip("teks:N", title="Nilai")]


def _subtitle(summary) -> str:
    t = summary.target
    if t is None:
        return "Tanpa target penerimaan"
    text = f"Target {t.dasar_hukum}: {rupiah_singkat(t.total)}"
    if t.direvisi:
        text += f" (target awal {t.awal_dasar_hukum}: {rupiah_singkat(t.awal_total)})"
    return text


def _point(seri: str, bulan: int, nilai: float, garis: str, titik: bool = True) -> dict:
    return {"seri": seri, "garis": garis, "bulan": bulan, "bulan_nama": nama_bulan(bulan),
            "miliar": nilai / MILIAR, "teks": rupiah_singkat(nilai), "titik": titik}


@unvalidated
def cumulative_chart(summary) -> alt.LayerChart:
    """Cumulative realisation against the cumulative trajectory; the projection dashed and lighter."""
    b = summary.bulanan
    rows = []
    for _, r in b.iterrows():
        if pd.notna(r["target_kumulatif"]):
            rows.append(_point(TRAJEKTORI, r["bulan"], r["target_kumulatif"], TRAJEKTORI))
        if pd.notna(r["realisasi_kumulatif"]):
            seri = PROYEKSI if r["proyeksi"] else REALISASI
            rows.append(_point(seri, r["bulan"], r["realisasi_kumulatif"], seri))
    actual = b[~b["proyeksi"] & b["realisasi_kumulatif"].notna()]
    if b["proyeksi"].any() and not actual.empty:
        last = actual.iloc[-1]  # the dashed line starts at the last actual month
        rows.append(_point(PROYEKSI, last["bulan"], last["realisasi_kumulatif"], PROYEKSI, titik=False))
    data = pd.DataFrame(rows, columns=["seri", "garis", "bulan", "bulan_nama", "miliar", "teks", "titik"])
    domain = [s for s in (REALISASI, PROYEKSI, TRAJEKTORI) if s in set(data["seri"])] or [REALISASI]
    scale = alt.Scale(domain=domain, range=[_COLOURS[s] for s in domain])
    colour = alt.Color("seri:N", title=None, scale=scale,
                       legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=300))
    dash = alt.StrokeDash("seri:N", title=None, scale=alt.Scale(
        domain=domain, range=[{REALISASI: [1, 0], PROYEKSI: [6, 4], TRAJEKTORI: [2, 2]}[s] for s in domain]))
    y = alt.Y("miliar:Q", axis=rupiah_axis())
    lines = base(data).mark_line(strokeWidth=2).encode(x=_x(), y=y, color=colour, strokeDash=dash,
                                                       detail=alt.Detail("garis:N"), order=alt.Order("bulan:Q"))
    points = base(data).mark_point(filled=True, size=45).encode(
        x=_x(), y=y, color=alt.Color("seri:N", scale=scale, legend=None),
        opacity=_faded_projection(),
        tooltip=_tooltip(),
    ).transform_filter(alt.datum.titik)
    title = alt.TitleParams(f"Realisasi Kumulatif terhadap Trajektori Target {summary.tahun}",
                            subtitle=[_subtitle(summary)])
    return alt.layer(lines, points).properties(title=title)


@unvalidated
def monthly_chart(summary) -> alt.LayerChart:
    """Monthly realisation (projected months lighter) against the monthly trajectory target."""
    b = summary.bulanan
    bars, target = [], []
    for _, r in b.iterrows():
        if pd.notna(r["realisasi"]):
            bars.append(_point(PROYEKSI if r["proyeksi"] else REALISASI, r["bulan"], r["realisasi"], "bar"))
        if pd.notna(r["target"]):
            target.append(_point(TARGET, r["bulan"], r["target"], TARGET))
    cols = ["seri", "garis", "bulan", "bulan_nama", "miliar", "teks", "titik"]
    bar_data, target_data = pd.DataFrame(bars, columns=cols), pd.DataFrame(target, columns=cols)
    domain = [s for s in (REALISASI, PROYEKSI) if s in set(bar_data["seri"])] + \
        ([TARGET] if not target_data.empty else [])
    domain = domain or [REALISASI]
    colour = alt.Color("seri:N", title=None, scale=alt.Scale(domain=domain, range=[_COLOURS[s] for s in domain]))
    y = alt.Y("miliar:Q", axis=rupiah_axis())
    columns = base(bar_data).mark_bar(size=22).encode(
        x=_x(), y=y, color=colour,
        opacity=_faded_projection(),
        tooltip=_tooltip(),
    )
    line = base(target_data).mark_line(point=True, strokeWidth=2).encode(
        x=_x(), y=y, color=colour, tooltip=_tooltip())
    title = alt.TitleParams(f"Realisasi dan Target Trajektori Bulanan {summary.tahun}", subtitle=[_subtitle(summary)])
    return alt.layer(columns, line).properties(title=title)


@unvalidated
def year_on_year_chart(summary) -> alt.LayerChart | None:
    """Realisation per type this year and last year (same months), with the growth written above; None
    without last year's realisation (nothing to compare)."""
    if summary.per_jenis.empty or summary.per_jenis["realisasi_sebelumnya"].isna().all() \
            or summary.per_jenis["realisasi"].isna().all():
        return None
    tahun, end = summary.tahun, summary.end_month
    span = "" if end == 12 else f" s.d. {nama_bulan(end)}"
    rows, labels = [], []
    for _, r in summary.per_jenis.iterrows():
        for year, col in ((tahun - 1, "realisasi_sebelumnya"), (tahun, "realisasi")):
            if pd.notna(r[col]):
                rows.append({"jenis": r["nama"], "tahun": str(year), "miliar": r[col] / MILIAR,
                             "teks": rupiah_singkat(r[col])})
        values = [v for v in (r["realisasi"], r["realisasi_sebelumnya"]) if pd.notna(v)]
        if values:
            growth = persen(r["yoy"]) if pd.notna(r["yoy"]) else "N/A"
            if pd.notna(r["yoy"]) and r["yoy"] > 0:
                growth = "+" + growth
            labels.append({"jenis": r["nama"], "miliar": max(values) / MILIAR, "label": f"yoy {growth}"})
    data = pd.DataFrame(rows, columns=["jenis", "tahun", "miliar", "teks"])
    order = list(dict.fromkeys(summary.per_jenis["nama"]))
    years = [str(tahun - 1), str(tahun)]
    x = alt.X("jenis:N", sort=order, title="Jenis penerimaan", axis=alt.Axis(labelAngle=0))
    y = alt.Y("miliar:Q", axis=rupiah_axis())
    bars = base(data).mark_bar().encode(
        x=x, xOffset=alt.XOffset("tahun:N", sort=years), y=y,
        color=alt.Color("tahun:N", title=None, sort=years, scale=alt.Scale(domain=years, range=[_GREY, PALETTE[0]])),
        tooltip=[alt.Tooltip("jenis:N", title="Jenis"), alt.Tooltip("tahun:N", title="Tahun"),
                 alt.Tooltip("teks:N", title="Realisasi")],
    )
    text = base(pd.DataFrame(labels, columns=["jenis", "miliar", "label"])).mark_text(dy=-8, fontSize=11).encode(
        x=x, y=y, text=alt.Text("label:N"))
    title = alt.TitleParams(f"Realisasi Penerimaan{span} {tahun - 1} dan {tahun} per Jenis",
                            subtitle=["Pertumbuhan year on year (yoy) di atas batang"])
    return alt.layer(bars, text).properties(title=title)


@unvalidated
def contributors_chart(summary, jenis: str = "bea_masuk") -> alt.Chart | None:
    """Stacked monthly bars of the largest contributors of one type; the rest as 'Lainnya'. None without
    contributors of that type."""
    df = summary.kontributor[summary.kontributor["jenis"] == jenis]
    if df.empty or df["nilai"].isna().all():
        return None
    totals = summary.kontributor_total[summary.kontributor_total["jenis"] == jenis]
    order = list(totals["wajib_bayar"])  # largest first, 'Lainnya' last
    rank = {name: i for i, name in enumerate(order)}
    data = pd.DataFrame({
        "bulan_nama": [nama_bulan(b) for b in df["bulan"]],
        "wajib_bayar": df["wajib_bayar"].values,
        "miliar": (df["nilai"] / MILIAR).values,
        "teks": [rupiah_singkat(v) for v in df["nilai"]],
        "porsi": [persen(v) for v in df["porsi"]],
        "urutan": [rank.get(w, len(rank)) for w in df["wajib_bayar"]],
    })
    colours = [(_GREY if bool(t) else PALETTE[i % (len(PALETTE) - 1)])
               for i, t in enumerate(totals["lainnya"])]
    chart = base(data).mark_bar(size=22).encode(
        x=_x(),
        y=alt.Y("sum(miliar):Q", stack="zero", axis=rupiah_axis()),
        color=alt.Color("wajib_bayar:N", title=None, sort=order,
                        scale=alt.Scale(domain=order or ["-"], range=colours or [_GREY])),
        order=alt.Order("urutan:Q", sort="ascending"),
        tooltip=[alt.Tooltip("wajib_bayar:N", title="Wajib bayar"), alt.Tooltip("bulan_nama:N", title="Bulan"),
                 alt.Tooltip("teks:N", title="Nilai"), alt.Tooltip("porsi:N", title="Porsi bulan")],
    )
    end = summary.period.end_date
    title = alt.TitleParams(f"Kontributor Penerimaan {jenis_nama(jenis)} per Bulan",
                            subtitle=[f"Periode Januari s.d. {tanggal(end).split(' ', 1)[1]}"])
    return chart.properties(title=title)
