"""Scorecard charts: indices by indicator with status colours, an indicator's periods, the overall score by year."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lakin.data.periods import PERIOD_LABELS
from lakin.present.charts import PALETTE, STATUS_GREY, base, unvalidated
from lakin.present.narrative.kinerja import label as indicator_label
from lakin.rules.scoring import Scorecard

__all__ = ["indicator_history_chart", "indicator_index_chart", "overall_score_chart"]


@unvalidated
def indicator_index_chart(sc: Scorecard) -> alt.Chart | None:
    """Horizontal bars of every indicator's index, coloured by status band, with the 100 line; None when fewer
    than two indicators have an index (one bar compares nothing: the scorecard table already states it)."""
    fw = sc.framework
    data = sc.indicators[["kode", "nama", "capaian", "status"]].copy()
    data["capaian"] = data["capaian"].astype("float64")
    if data["capaian"].notna().sum() < 2:
        return None
    present = set(data["status"])  # the legend lists the bands drawn, each in its framework colour
    pairs = [(b.nama, b.warna) for b in [*fw.status, fw.status_na] if b.nama in present]
    bands, colours = [n for n, _ in pairs] or [fw.status_na.nama], [c for _, c in pairs] or [fw.status_na.warna]
    height = max(160, 18 * len(data))
    bars = base(data, height=height).mark_bar().encode(
        y=alt.Y("kode:N", sort=None, title=fw.istilah_indikator),
        x=alt.X("capaian:Q", title="Indeks capaian", scale=alt.Scale(domain=fw.skala) if fw.skala else alt.Scale(zero=True)),
        color=alt.Color("status:N", title="Status", scale=alt.Scale(domain=bands, range=colours)),
        tooltip=[alt.Tooltip("kode:N", title="Kode"), alt.Tooltip("nama:N", title="Indikator"),
                 alt.Tooltip("capaian:Q", title="Indeks", format=",.2f"), alt.Tooltip("status:N", title="Status")],
    )
    rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 3], color="#555").encode(x=alt.X("x:Q"))
    return alt.layer(bars, rule).properties(
        title=f"Indeks capaian per {fw.istilah_indikator} {sc.period.nama} (garis putus-putus: 100)")


@unvalidated
def indicator_history_chart(sc: Scorecard, kode: str) -> alt.Chart | None:
    """Target and realisation of one indicator over earlier years and this year's periods; None when fewer
    than two values would be drawn (one bar compares nothing: the table says it)."""
    h = sc.history[sc.history["kode"] == kode]
    if h.empty:
        return None
    order = {p: i for i, p in enumerate(sc.period.periods_shown())}
    rows = []
    for _, r in h.sort_values(["tahun"], kind="stable").iterrows():
        if r["tahun"] < sc.period.tahun:
            label, pos = str(int(r["tahun"])), (int(r["tahun"]) - sc.period.tahun) * 10
        else:
            label, pos = f"{PERIOD_LABELS[r['periode']]} {sc.period.tahun}", order.get(r["periode"], 0)
        for seri, col in (("Target", "target"), ("Realisasi", "realisasi")):
            if pd.notna(r[col]):
                rows.append({"periode": label, "urut": pos, "seri": seri, "nilai": float(r[col])})
    data = pd.DataFrame(rows, columns=["periode", "urut", "seri", "nilai"])
    if len(data) < 2:
        return None
    labels = data.sort_values("urut")["periode"].drop_duplicates().tolist()
    series = [s for s in ("Target", "Realisasi") if s in set(data["seri"])]
    what = " dan ".join(series).capitalize()
    return base(data, height=220).mark_bar().encode(
        x=alt.X("periode:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-30)),
        xOffset=alt.XOffset("seri:N"),
        y=alt.Y("nilai:Q", title="Nilai"),
        color=alt.Color("seri:N", title=None, scale=alt.Scale(domain=["Target", "Realisasi"],
                                                                range=[STATUS_GREY, PALETTE[0]])),
        tooltip=[alt.Tooltip("periode:N", title="Periode"), alt.Tooltip("seri:N", title="Seri"),
                 alt.Tooltip("nilai:Q", title="Nilai", format=",.2f")],
    ).properties(title=f"{what} {indicator_label(sc, kode)}")


@unvalidated
def overall_score_chart(sc: Scorecard) -> alt.LayerChart | None:
    """The overall score this year against the previous year; None without the previous year (one bar
    compares nothing: the sentence states the score)."""
    fw = sc.framework
    if sc.previous is None or pd.isna(sc.previous) or sc.overall is None or pd.isna(sc.overall):
        return None
    rows = [{"tahun": str(sc.period.tahun - 1), "nilai": sc.previous},
            {"tahun": str(sc.period.tahun), "nilai": sc.overall}]
    data = pd.DataFrame(rows)
    bars = base(data, height=220).mark_bar(color=PALETTE[0], size=60).encode(
        x=alt.X("tahun:N", title=None), y=alt.Y("nilai:Q", title=fw.skor_kode, scale=alt.Scale(domain=fw.skala) if fw.skala else alt.Scale(zero=True)),
        tooltip=[alt.Tooltip("tahun:N", title="Tahun"), alt.Tooltip("nilai:Q", title=fw.skor_kode, format=",.2f")],
    )
    text = bars.mark_text(dy=-6, color="#222").encode(text=alt.Text("nilai:Q", format=",.2f"))
    return alt.layer(bars, text).properties(
        title=f"{fw.skor_kode} {sc.period.nama} dibandingkan tahun {sc.period.tahun - 1}")
