"""Budget charts: absorption by jenis belanja against its quarterly target, cumulative RPD against realisation."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..fmt import angka, is_na, rupiah_singkat
from . import PALETTE, base

MILIAR = 1e9


def _short(nama: str) -> str:
    return nama.removeprefix("Belanja ")


def absorption_chart(summary) -> alt.LayerChart:
    """Bars: absorption % per jenis belanja (and in total); ticks: the quarterly target for the period."""
    frame = summary.target
    q = frame.attrs.get("triwulan", summary.periode.quarter_key)
    rows = []
    for _, r in frame.iterrows():
        label = "Total" if r["kode"] == "total" else _short(r["nama"])
        rows.append({
            "jenis": label,
            "penyerapan": None if is_na(r["persen"]) else float(r["persen"]),
            "target": None if is_na(r["target"]) else float(r["target"]),
            "label": "N/A" if is_na(r["persen"]) else f"{angka(r['persen'], 2)}%",
            "target_label": "" if is_na(r["target"]) else f"{angka(r['target'], 0)}%",
        })
    data = pd.DataFrame(rows)
    order = list(data["jenis"])
    x = alt.X("jenis:N", title="Jenis belanja", sort=order, axis=alt.Axis(labelAngle=0))
    chart = base(data, height=260)
    bars = chart.mark_bar(color=PALETTE[0], size=48).encode(
        x=x,
        y=alt.Y("penyerapan:Q", title="Penyerapan (% pagu)", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("jenis:N", title="Jenis belanja"), alt.Tooltip("label:N", title="Penyerapan"),
                 alt.Tooltip("target_label:N", title=f"Target {q}")],
    )
    labels = chart.mark_text(dy=-6, baseline="bottom", fontSize=11).encode(x=x, y="penyerapan:Q", text="label:N")
    targets = chart.transform_filter("isValid(datum.target)").mark_tick(
        color=PALETTE[1], thickness=3, size=64).encode(x=x, y="target:Q")
    target_text = chart.transform_filter("isValid(datum.target)").mark_text(
        dx=36, align="left", color=PALETTE[1], fontSize=10).encode(x=x, y="target:Q", text="target_label:N")
    return alt.layer(bars, labels, targets, target_text).properties(
        title=f"Penyerapan anggaran per jenis belanja terhadap target {summary.periode.nama} (garis: target)")


def rpd_chart(summary) -> alt.Chart | alt.LayerChart:
    """Cumulative RPD (Halaman III DIPA) against cumulative realisation by month, in billions of rupiah;
    without monthly realisation, pagu against realisation per jenis belanja (or in total)."""
    rpd = summary.rpd
    if rpd is not None and rpd.bulanan:
        rows = []
        for _, r in rpd.tabel.iterrows():
            rows.append({"bulan": r["nama_bulan"], "urut": int(r["bulan"]), "seri": "RPD kumulatif",
                         "nilai": float(r["rencana_kumulatif"]) / MILIAR})
            if not is_na(r["realisasi_kumulatif"]):
                rows.append({"bulan": r["nama_bulan"], "urut": int(r["bulan"]), "seri": "Realisasi kumulatif",
                             "nilai": float(r["realisasi_kumulatif"]) / MILIAR})
        data = pd.DataFrame(rows)
        months = list(dict.fromkeys(data.sort_values("urut")["bulan"]))
        return base(data).mark_line(point=True).encode(
            x=alt.X("bulan:N", title="Bulan", sort=months, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("nilai:Q", axis=alt.Axis(title="Rupiah (miliar)", format=",.1f")),
            color=alt.Color("seri:N", title=None, scale=alt.Scale(domain=["RPD kumulatif", "Realisasi kumulatif"],
                                                                 range=[PALETTE[1], PALETTE[0]])),
            tooltip=[alt.Tooltip("bulan:N", title="Bulan"), alt.Tooltip("seri:N", title="Seri"),
                     alt.Tooltip("nilai:Q", title="Rp miliar", format=",.2f")],
        ).properties(title=f"RPD kumulatif dan realisasi kumulatif {summary.periode.nama}")
    frame = summary.per_jenis
    if frame.empty or frame["realisasi"].isna().all():
        frame = pd.DataFrame([summary.total])
    rows = []
    for _, r in frame.iterrows():
        label = "Total" if r["kode"] == "total" else _short(r["nama"])
        for seri, col in (("Pagu", "pagu"), ("Realisasi", "realisasi")):
            if not is_na(r[col]):
                rows.append({"jenis": label, "seri": seri, "nilai": float(r[col]) / MILIAR,
                             "teks": rupiah_singkat(r[col])})
    data = pd.DataFrame(rows, columns=["jenis", "seri", "nilai", "teks"])
    width = min(560, max(240, 150 * data["jenis"].nunique()))
    return base(data, width=width, height=260).mark_bar().encode(
        x=alt.X("jenis:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("seri:N", sort=["Pagu", "Realisasi"]),
        y=alt.Y("nilai:Q", axis=alt.Axis(title="Rupiah (miliar)", format=",.1f")),
        color=alt.Color("seri:N", title=None, sort=["Pagu", "Realisasi"],
                        scale=alt.Scale(range=[PALETTE[6], PALETTE[0]])),
        tooltip=[alt.Tooltip("jenis:N", title="Jenis belanja"), alt.Tooltip("seri:N", title="Seri"),
                 alt.Tooltip("teks:N", title="Nilai")],
    ).properties(title=f"Pagu dan realisasi anggaran {summary.periode.nama}")


__all__ = ["absorption_chart", "rpd_chart"]
