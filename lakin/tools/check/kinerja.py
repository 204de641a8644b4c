"""Printed performance figures (indices of indicators, goals and perspectives, NKO/NPSS) recomputed by
lakin.rules.scoring; each `tabel` is registered in RECONCILERS where its function is defined."""

from __future__ import annotations

from collections.abc import Callable

from lakin.data.periods import ReportPeriod
from lakin.errors import CannotRecompute
from lakin.rules.scoring import overall_for
from lakin.tools.check.context import Printed, ReconcilerKind, SatkerContext, reconciler
from lakin.values import is_na

__all__ = ["indicator_bounds", "indicator_value", "level_bounds", "level_index", "overall", "overall_bounds"]


def level_index(column: str) -> Callable[[SatkerContext, Printed], float]:
    """The index of one perspective or goal (the level whose column is `column`)."""
    def compute(ctx: SatkerContext, p: Printed) -> float:
        code = p.need(column)
        _, levels, _ = ctx.scored(p.tahun, p.periode)
        for frame in levels:
            if frame.attrs["level"]["kolom"] != column:
                continue
            hit = frame[frame["kode"].astype(str) == code]
            if hit.empty:
                raise CannotRecompute(f"{column} '{code}' tidak ada di iku.csv tahun {p.tahun}")
            value = hit["indeks"].iloc[0]
            if is_na(value):
                raise CannotRecompute(f"indeks {code} N/A: tidak ada indikator yang dinilai")
            return float(value)
        raise CannotRecompute(f"kerangka {ctx.framework.id} tidak punya tingkat '{column}'")
    return compute


def level_bounds(column: str) -> Callable[[SatkerContext, Printed], tuple[float, float]]:
    """(low, high) of a level's index within the rounding of its inputs."""
    def compute(ctx: SatkerContext, p: Printed) -> tuple[float, float]:
        code = p.need(column)
        bounds = ctx.bounds(p.tahun, p.periode)
        out = []
        for side in ("lo", "hi"):
            frame = next(f for f in bounds[side][1] if f.attrs["level"]["kolom"] == column)
            out.append(float(frame.loc[frame["kode"].astype(str) == code, "indeks"].iloc[0]))
        return out[0], out[1]
    return compute


def indicator_value(column: str) -> Callable[[SatkerContext, Printed], float]:
    """One column (capaian, target, realisasi) of the scored indicator `kode=`."""
    def compute(ctx: SatkerContext, p: Printed) -> float:
        row = ctx.indicator(p.tahun, p.periode, p.need("kode"))
        value = row[column]
        if is_na(value):
            reason = row["alasan_na"] or "nilai kosong di iku_nilai"
            raise CannotRecompute(f"{column} {row['kode']} periode {p.periode} N/A ({reason})")
        return float(value)
    return compute


def indicator_bounds(ctx: SatkerContext, p: Printed) -> tuple[float, float]:
    """(low, high) of an indicator's index within the rounding of its target and realisation."""
    bounds = ctx.bounds(p.tahun, p.periode)
    kode = p.need("kode")
    return bounds["lo"][0][kode], bounds["hi"][0][kode]


def overall_bounds(ctx: SatkerContext, p: Printed) -> tuple[float, float]:
    """(low, high) of the overall score within the rounding of its inputs."""
    bounds = ctx.bounds(p.tahun, p.periode)
    return bounds["lo"][2], bounds["hi"][2]


@reconciler("nilai_organisasi", doc="NKO/NPSS", bounds=overall_bounds)
def overall(ctx: SatkerContext, p: Printed) -> float:
    """The overall score (NKO/NPSS) of the year and data period."""
    _, _, value = ctx.scored(p.tahun, p.periode)
    if is_na(value):
        raise CannotRecompute("nilai organisasi N/A: tidak ada indikator yang dinilai")
    return float(value)


@reconciler("perubahan_nilai_organisasi", inputs=("iku", "iku_nilai", "nilai_organisasi"),
            doc="perubahan nilai organisasi terhadap tahun sebelumnya (poin)")
def _overall_change(ctx: SatkerContext, p: Printed) -> float:
    now = overall(ctx, p)
    quarter = next((q for q, d in ctx.framework.periode.items() if d == p.periode), None)
    if quarter is None:
        raise CannotRecompute(f"periode {p.periode} tidak dipetakan ke periode laporan")
    previous, _ = overall_for(ctx.tables, ctx.framework, ReportPeriod(p.tahun - 1, int(quarter[1])))
    if is_na(previous):
        raise CannotRecompute(f"nilai organisasi {p.tahun - 1} tidak ada di data")
    return now - float(previous)


@reconciler("persen_target_tahunan", doc="realisasi periode sebagai persen target tahunan (tanpa batas atas)")
def _share_of_annual_target(ctx: SatkerContext, p: Printed) -> float:
    """Realisation of the period as a percentage of the annual (Y) target, unclamped."""
    kode = p.need("kode")
    nilai = ctx.year("iku_nilai", p.tahun)
    now = nilai[(nilai["kode"] == kode) & (nilai["periode"] == p.periode)]
    year = nilai[(nilai["kode"] == kode) & (nilai["periode"] == "Y")]
    if now.empty or year.empty or is_na(now["realisasi"].iloc[0]) or is_na(year["target"].iloc[0]):
        raise CannotRecompute(f"realisasi {p.periode} atau target tahunan {kode} tidak ada")
    target = float(year["target"].iloc[0])
    if target == 0:
        raise CannotRecompute(f"target tahunan {kode} = 0")
    return float(now["realisasi"].iloc[0]) / target * 100.0


reconciler("indeks_perspektif", level_index("perspektif"), doc="indeks perspektif (rata-rata SS)",
           bounds=level_bounds("perspektif"))
reconciler("indeks_sasaran", level_index("sasaran_kode"), doc="indeks sasaran (rata-rata IKU)",
           bounds=level_bounds("sasaran_kode"))
reconciler("capaian_iku", indicator_value("capaian"), doc="indeks capaian IKU", bounds=indicator_bounds)
reconciler("realisasi_iku", indicator_value("realisasi"), kind=ReconcilerKind.INPUT,
           doc="realisasi IKU seperti tercetak di tabel lain")
reconciler("target_iku", indicator_value("target"), kind=ReconcilerKind.INPUT,
           doc="target IKU seperti tercetak di tabel lain")
reconciler("target_tabel_rinci", indicator_value("target"), kind=ReconcilerKind.INPUT,
           doc="target periode seperti tercetak di tabel rinci per indikator")
