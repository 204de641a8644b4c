"""Printed budget figures (pagu, realisation, unspent, absorption, RPD, IKPA/SMART/NKA) recomputed by
lakin.rules.budget; each `tabel` is registered where its function is defined."""

from __future__ import annotations

import math
from collections.abc import Callable

from lakin.data.periods import QUARTER_OF_CUMULATIVE, ReportPeriod
from lakin.errors import CannotRecompute
from lakin.rules.budget import ikpa_scores, pagu_amount, realisasi_amount, rpd_vs_realisasi
from lakin.tools.check.context import Printed, SatkerContext, known, reconciler
from lakin.values import is_na

__all__ = ["BUDGET_INPUTS"]

BUDGET_INPUTS = ("pagu", "rpd", "realisasi_anggaran", "ikpa", "iku")
_PAGU_KEYS = {"program_kode", "kegiatan_kode", "kro_kode", "jenis_belanja", "sumber_dana"}
_FLOW_KEYS = {"kegiatan_kode", "jenis_belanja"}


def _budget_figure(tabel: str, compute: Callable | None = None, **options) -> Callable:
    return reconciler(tabel, compute, inputs=BUDGET_INPUTS, **options)


def _report_period(p: Printed) -> ReportPeriod:
    if p.periode in QUARTER_OF_CUMULATIVE:
        return ReportPeriod(p.tahun, QUARTER_OF_CUMULATIVE[p.periode])
    raise CannotRecompute(f"periode {p.periode} bukan periode kumulatif (Q1, S1, SDQ3, Y)", "info")


@_budget_figure("pagu", satuan="rupiah")
def _pagu(ctx: SatkerContext, p: Printed) -> float:
    p.only(_PAGU_KEYS)
    value = ctx.memo(("pagu", p.tahun, tuple(sorted(p.keys.items()))),
                     lambda: pagu_amount(ctx.tables, p.tahun, **p.keys))
    if is_na(value):
        raise CannotRecompute(f"data pagu {p.tahun} tidak dirinci per {', '.join(p.keys) or 'total'}", "info")
    return float(value)


@_budget_figure("realisasi", satuan="rupiah")
def _spent(ctx: SatkerContext, p: Printed) -> float:
    p.only(_FLOW_KEYS)
    rp = _report_period(p)
    value, reason = ctx.memo(("realisasi", rp, tuple(sorted(p.keys.items()))),
                             lambda: realisasi_amount(ctx.tables, rp, **p.keys))
    if is_na(value):
        raise CannotRecompute(reason or "realisasi tidak tersedia", "info")
    return float(value)


@_budget_figure("sisa_anggaran", satuan="rupiah")
def _unspent(ctx: SatkerContext, p: Printed) -> float:
    return _pagu(ctx, p) - _spent(ctx, p)


@_budget_figure("penyerapan_persen")
def _absorption(ctx: SatkerContext, p: Printed) -> float:
    pagu = _pagu(ctx, p)
    if pagu == 0:
        raise CannotRecompute("pagu Rp0: persentase penyerapan tidak terdefinisi (seharusnya N/A)")
    return _spent(ctx, p) / pagu * 100.0


@_budget_figure("rpd", satuan="rupiah")
def _planned(ctx: SatkerContext, p: Printed) -> float:
    p.only(_FLOW_KEYS | {"bulan"})
    fixed = {k: v for k, v in p.keys.items() if k != "bulan"}
    comparison = ctx.memo(("rpd", p.tahun, tuple(sorted(fixed.items()))),
                          lambda: rpd_vs_realisasi(ctx.tables, ReportPeriod(p.tahun, 4), **fixed))
    if comparison is None:
        raise CannotRecompute(f"tidak ada RPD tahun {p.tahun}", "info")
    row = comparison.tabel[comparison.tabel["bulan"] == p.month()]
    return known(row["rencana"].iloc[0] if not row.empty else math.nan,
                 f"RPD tidak dirinci per {', '.join(fixed) or 'bulan'}")


def _ikpa(ctx: SatkerContext, p: Printed):
    rp = _report_period(p)
    result = ctx.memo(("ikpa", rp), lambda: ikpa_scores(ctx.tables, rp))
    if result is None:
        raise CannotRecompute(f"tidak ada komponen IKPA tahun {p.tahun}", "info")
    return result


def _ikpa_attribute(attribute: str) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        p.only(set())
        result = _ikpa(ctx, p)
        return known(getattr(result, attribute), "; ".join(result.keterangan) or None)
    return compute


@_budget_figure("ikpa_nilai_tertimbang", doc="nilai x bobot / 100 per komponen")
def _ikpa_component(ctx: SatkerContext, p: Printed) -> float:
    p.only({"komponen"})
    result = _ikpa(ctx, p)
    hit = result.komponen[result.komponen["komponen"] == p.keys["komponen"]]
    if hit.empty:
        raise CannotRecompute(f"komponen '{p.keys['komponen']}' tidak ada di ikpa")
    return known(hit["nilai_tertimbang"].iloc[0], "komponen pengurang tidak punya nilai tertimbang")


_budget_figure("ikpa", _ikpa_attribute("ikpa"))
_budget_figure("smart", _ikpa_attribute("smart"))
_budget_figure("nka", _ikpa_attribute("nka"))
_budget_figure("nka_ikhtisar", _ikpa_attribute("nka"), doc="NKA seperti tercetak di tabel ikhtisar")
