"""Budget charts: absorption by jenis belanja against its quarterly target, cumulative RPD against realisation."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lakin.present.charts import PALETTE, base, unvalidated
from lakin.values import angka, is_na, nama_bulan

MILIAR = 1e9
RPD, REALISASI = "RPD kumulatif", "Realisasi kumulatif"


def _short(nama: str) -> str:
    return nama.removeprefix("Belanja ")


@unvalidated
def absorption_chart(summary) -> alt.LayerChart | None:
    """Bars: absorption % per jenis belanja (and in total); ticks: the quarterly target for the period.
    Jenis without realisation are left out (no empty bars); None when fewer than two bars remain."""
    frame = summary.target
    q = frame.attrs.get("triwulan", summary.period.quarter_key)
    rows = []
    for _, r in frame.iterrows():
        if is_na(r["persen"]):
            continue
        label = "Total" if r["kode"] == "total" else _short(r["nama"])
        rows.append({
            "jenis": label,
            "penyerapan": float(r["persen"]),
            "target": None if is_na(r["target"]) else float(r["target"]),
            "label": f"{angka(r['persen'], 2)}%",
            "target_label": "" if is_na(r["target"]) else f"{angka(r['target'], 0)}%",
        })
    if len(rows) < 2:
        return None
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
    labels = chart.mark_text(dy=-6, baseline="bottom", fontSize=11).encode(x=x, y=alt.Y("penyerapan:Q"),
                                                                           text=alt.Text("label:N"))
    targets = chart.transform_filter("isValid(datum.target)").mark_tick(
        color=PALETTE[1], thickness=3, size=64).encode(x=x, y=alt.Y("target:Q"))
    target_text = chart.transform_filter("isValid(datum.target)").mark_text(
        dx=36, align="left", color=PALETTE[1], fontSize=10).encode(x=x, y=alt.Y("target:Q"),
                                                                   text=alt.Text("target_label:N"))
    with_target = data["target"].notna().any()
    title = f"Penyerapan anggaran per jenis belanja {summary.period.nama}"
    if with_target:
        title += " terhadap target triwulanan (garis: target)"
    return alt.layer(bars, labels, targets, target_text).properties(title=title)


@unvalidated
def rpd_chart(summary) -> alt.Chart | alt.LayerChart | None:
    """Cumulative RPD (Halaman III DIPA) by month in miliar rupiah, against cumulative realisation: by month
    where monthly realisation exists, else the realisation to the end of the period as one marked point.
    None without RPD."""
    rpd = summary.rpd
    if rpd is None or rpd.tabel["rencana_kumulatif"].isna().all():
        return None
    rows = []
    for _, r in rpd.tabel.iterrows():
        if not is_na(r["rencana_kumulatif"]):
            rows.append({"bulan": r["nama_bulan"], "urut": int(r["bulan"]), "seri": RPD,
                         "nilai": float(r["rencana_kumulatif"]) / MILIAR})
        if rpd.bulanan and not is_na(r["realisasi_kumulatif"]):
            rows.append({"bulan": r["nama_bulan"], "urut": int(r["bulan"]), "seri": REALISASI,
                         "nilai": float(r["realisasi_kumulatif"]) / MILIAR})
    end = summary.period.end_month
    total = summary.total.get("realisasi") if hasattr(summary.total, "get") else None
    point = not rpd.bulanan and total is not None and not is_na(total)
    if point:
        rows.append({"bulan": nama_bulan(end), "urut": end, "seri": REALISASI, "nilai": float(total) / MILIAR})
    data = pd.DataFrame(rows)
    months = [nama_bulan(m) for m in range(1, 13)]
    series = [s for s in (RPD, REALISASI) if s in set(data["seri"])]
    x = alt.X("bulan:N", title="Bulan", sort=months, axis=alt.Axis(labelAngle=-45))
    y = alt.Y("nilai:Q", axis=alt.Axis(title="Rupiah (miliar)", format=",.1f"))
    colour = alt.Color("seri:N", title=None, scale=alt.Scale(domain=series, range=[
        {RPD: PALETTE[1], REALISASI: PALETTE[0]}[s] for s in series]))
    tooltip = [alt.Tooltip("bulan:N", title="Bulan"), alt.Tooltip("seri:N", title="Seri"),
               alt.Tooltip("nilai:Q", title="Rp miliar", format=",.2f")]
    lines = base(data).transform_filter(alt.datum.seri == RPD if point else "true").mark_line(point=True).encode(
        x=x, y=y, color=colour, tooltip=tooltip)
    if REALISASI not in series:
        return lines.properties(title=f"Rencana penarikan dana (RPD) kumulatif {summary.period.nama}")
    if point:
        marker = base(data).transform_filter(alt.datum.seri == REALISASI).mark_point(
            filled=True, size=120, shape="diamond").encode(x=x, y=y, color=colour, tooltip=tooltip)
        return alt.layer(lines, marker).properties(
            title=f"RPD kumulatif dan realisasi s.d. {nama_bulan(end)} {summary.period.nama}")
    return lines.properties(title=f"RPD kumulatif dan realisasi kumulatif {summary.period.nama}")


__all__ = ["absorption_chart", "rpd_chart"]
