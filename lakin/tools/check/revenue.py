"""Printed revenue figures (trajectory, monthly and annual realisation, targets, accounts, contributors, the
revenue IKU) recomputed by lakin.rules.revenue; each `tabel` is registered where its function is defined."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from lakin.data.periods import ReportPeriod
from lakin.errors import CannotRecompute
from lakin.rules.revenue import (
    has_revenue,
    realisasi_bulanan,
    realisasi_kumulatif,
    realisasi_per_akun,
    summarize,
)
from lakin.tools.check.context import Printed, Recomputed, ReconcilerKind, SatkerContext, known, reconciler
from lakin.tools.check.kinerja import indicator_value

__all__ = ["REVENUE_INPUTS", "REVENUE_TABLES"]

REVENUE_TABLES = ("penerimaan", "target_penerimaan", "trajektori_penerimaan", "kontributor_penerimaan")
REVENUE_INPUTS = (*REVENUE_TABLES, "iku", "iku_nilai")  # the revenue IKU is scored from iku_nilai


def _revenue_figure(tabel: str, compute: Callable | None = None, **options) -> Callable:
    return reconciler(tabel, compute, inputs=REVENUE_INPUTS, **options)


def _summary(ctx: SatkerContext, tahun: int):
    summary = ctx.memo(("revenue", tahun),
                       lambda: summarize(ctx.tables, ctx.satker, ReportPeriod(tahun, 4))
                       if has_revenue(ctx.tables, tahun) else None)
    if summary is None:
        raise CannotRecompute(f"tidak ada data penerimaan tahun {tahun}", "info")
    return summary


def _kind_of(jenis: str) -> ReconcilerKind:
    """The total is derived; a type's amount is an input the data keeps."""
    return ReconcilerKind.DERIVED if jenis == "total" else ReconcilerKind.INPUT


def _per_account(ctx: SatkerContext, tahun: int) -> pd.DataFrame:
    return ctx.memo(("per_akun", tahun), lambda: realisasi_per_akun(ctx.tables["penerimaan"], tahun, ctx.satker))


def _cumulative(ctx: SatkerContext, tahun: int, month: int) -> dict:
    return ctx.memo(("realisasi_kumulatif", tahun, month),
                    lambda: realisasi_kumulatif(ctx.tables["penerimaan"], tahun, month, ctx.satker))


# --------------------------------------------------------------------------- monthly trajectory
def _month_row(ctx: SatkerContext, p: Printed) -> pd.Series:
    s = _summary(ctx, p.tahun)
    rows = ctx.memo(("bulanan", p.tahun), lambda: {int(r["bulan"]): r for _, r in s.bulanan.iterrows()})
    return rows[p.month()]


def _trajectory_column(column: str, per_jenis: bool = False) -> Callable:
    """A column of the monthly trajectory table (targets are the same bruto or netto)."""
    def compute(ctx: SatkerContext, p: Printed) -> float:
        p.only({"bulan", "jenis"} if per_jenis else {"bulan"}, {"bruto"})
        if per_jenis and "jenis" in p.keys and p.month() != 12:
            raise CannotRecompute("trajektori per jenis tidak ada di data", "info")
        row = _month_row(ctx, p)
        return known(row[column], row.get(f"{column}_alasan") or f"{column} bulan {row['bulan']} tidak tersedia")
    return compute


@_revenue_figure("target_bulanan", satuan="rupiah", doc="target trajektori bulan itu (total atau per jenis)")
def _monthly_target(ctx: SatkerContext, p: Printed) -> float:
    p.only({"bulan", "jenis"}, {"bruto"})
    if "jenis" in p.keys:
        raise CannotRecompute("trajektori per jenis tidak ada di data (porsi bulanan hanya untuk total)", "info")
    return _trajectory_column("target")(ctx, p)


@_revenue_figure("realisasi_bulanan", kind=ReconcilerKind.INPUT, satuan="rupiah")
def _monthly_realisation(ctx: SatkerContext, p: Printed) -> float:
    p.only({"bulan", "jenis"}, {"bruto"})
    month, jenis = p.month(), p.keys.get("jenis")
    if "bruto" in p.flags:
        akun = _per_account(ctx, p.tahun)
        akun = akun[(akun["bulan"] == month) & ((akun["jenis"] == jenis) if jenis else True)]
        if akun.empty:
            raise CannotRecompute(f"data tidak memuat realisasi per akun bulan {month}", "info")
        return float(akun["bruto"].sum())
    frame = ctx.memo(("realisasi_bulanan", p.tahun),
                     lambda: realisasi_bulanan(ctx.tables["penerimaan"], p.tahun, ctx.satker))
    row = frame[frame["bulan"] == month].iloc[0]
    column = jenis or "realisasi"
    if column not in row.index:
        raise CannotRecompute(f"tidak ada realisasi {column} di data", "info")
    return known(row[column], f"realisasi {column} bulan {month} tidak dirinci di data")


@_revenue_figure("capaian_bulanan_persen", doc="realisasi bulan / target trajektori bulan x 100")
def _monthly_achievement(ctx: SatkerContext, p: Printed) -> float:
    target = _monthly_target(ctx, p)
    if target == 0:
        raise CannotRecompute("target bulan itu 0")
    if "bruto" not in p.flags:
        return _trajectory_column("capaian")(ctx, p)
    return _monthly_realisation(ctx, p) / target * 100.0


# --------------------------------------------------------------------------- cumulative and annual
@_revenue_figure("realisasi_kumulatif", satuan="rupiah")
def _cumulative_realisation(ctx: SatkerContext, p: Printed) -> float:
    p.only({"bulan", "jenis"})
    _summary(ctx, p.tahun)
    cum = _cumulative(ctx, p.tahun, p.month())
    return known(cum.get(p.keys.get("jenis", "total")), "realisasi kumulatif tidak dirinci di data")


def _annual_realisation(shift: int) -> Callable:
    """The year's realisation (`shift` years before the printed year), total or per type."""
    def compute(ctx: SatkerContext, p: Printed):
        p.only({"jenis"})
        tahun = p.tahun - shift
        if not has_revenue(ctx.tables, tahun):
            raise CannotRecompute(f"tidak ada data penerimaan tahun {tahun}", "info")
        cum = _cumulative(ctx, tahun, 12)
        jenis = p.keys.get("jenis", "total")
        return Recomputed(known(cum.get(jenis), f"realisasi {jenis} {tahun} tidak ada di data"), _kind_of(jenis))
    return compute


def _per_jenis_column(column: str) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        p.only({"jenis"})
        s = _summary(ctx, p.tahun)
        jenis = p.keys.get("jenis", "total")
        hit = s.per_jenis[s.per_jenis["jenis"] == jenis]
        if hit.empty:
            raise CannotRecompute(f"jenis {jenis} tidak ada di data penerimaan")
        row = hit.iloc[0]
        return known(row[column], row.get(f"{column}_alasan"))
    return compute


@_revenue_figure("kenaikan_yoy", satuan="rupiah")
def _annual_increase(ctx: SatkerContext, p: Printed) -> float:
    p.only({"jenis"})
    s = _summary(ctx, p.tahun)
    row = s.per_jenis[s.per_jenis["jenis"] == p.keys.get("jenis", "total")]
    if row.empty:
        raise CannotRecompute("jenis tidak ada di data penerimaan")
    return known(row["realisasi"].iloc[0] - row["realisasi_sebelumnya"].iloc[0], "realisasi tahun sebelumnya tidak ada")


@_revenue_figure("target_tahunan", satuan="rupiah")
def _annual_target(ctx: SatkerContext, p: Printed):
    p.only({"jenis", "dasar_hukum"}, {"bruto"})
    s = _summary(ctx, p.tahun)
    if s.target is None:
        raise CannotRecompute("tidak ada target penerimaan")
    jenis = p.keys.get("jenis", "total")
    if "dasar_hukum" in p.keys:
        decree = s.target.keputusan[s.target.keputusan["dasar_hukum"] == p.keys["dasar_hukum"]]
        if decree.empty:
            raise CannotRecompute(f"keputusan {p.keys['dasar_hukum']} tidak ada di target_penerimaan")
        if jenis not in decree.columns:
            raise CannotRecompute(f"keputusan {p.keys['dasar_hukum']} tidak memuat {jenis}")
        value = decree[jenis].iloc[0]
    else:
        value = s.target.total if jenis == "total" else s.target.for_jenis(jenis)
    return Recomputed(known(value, f"target {jenis} tidak ada"), _kind_of(jenis))


# --------------------------------------------------------------------------- accounts and contributors
def _account(ctx: SatkerContext, p: Printed, months: list[int]) -> float:
    p.only({"akun", "bulan"}, {"pengembalian"})
    akun = _per_account(ctx, p.tahun)
    rows = akun[akun["akun"].astype(str) == p.need("akun")]
    column = "pengembalian" if "pengembalian" in p.flags else "bruto"
    annual = rows[rows["bulan"].isna()]
    if len(months) == 12 and not annual.empty:
        return float(annual[column].sum())
    have = {int(b) for b in rows["bulan"].dropna()}
    if not set(months) <= have:
        shown = ", ".join(map(str, sorted(have))) or "-"
        raise CannotRecompute(f"data memuat akun {p.keys['akun']} hanya untuk bulan {shown}", "info")
    return float(rows[rows["bulan"].isin(months)][column].sum())


@_revenue_figure("realisasi_bulanan_akun", kind=ReconcilerKind.INPUT, satuan="rupiah")
def _monthly_account(ctx: SatkerContext, p: Printed) -> float:
    return _account(ctx, p, [p.month()])


@_revenue_figure("realisasi_kumulatif_akun", satuan="rupiah")
def _annual_account(ctx: SatkerContext, p: Printed) -> float:
    return _account(ctx, p, list(range(1, 13)))


@_revenue_figure("pengembalian_tahunan", satuan="rupiah")
def _annual_refunds(ctx: SatkerContext, p: Printed) -> float:
    p.only(set())
    akun = _per_account(ctx, p.tahun)
    months = {int(b) for b in akun["bulan"].dropna()}
    if akun["bulan"].isna().any() or months >= set(range(1, 13)):
        annual = akun[akun["bulan"].isna()] if akun["bulan"].isna().any() else akun
        return float(annual["pengembalian"].sum())
    raise CannotRecompute(f"data memuat pengembalian per akun hanya untuk bulan {sorted(months) or '-'}", "info")


def _contributor(average: bool) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        p.only({"jenis", "wajib_bayar", "bulan"})
        s = _summary(ctx, p.tahun)
        name = p.need("wajib_bayar")
        rows = s.kontributor[(s.kontributor["wajib_bayar"] == name) &
                             (s.kontributor["jenis"] == p.keys.get("jenis", s.kontributor["jenis"]))]
        if rows.empty:
            raise CannotRecompute(f"wajib bayar '{name}' tidak ada di kontributor_penerimaan")
        text = p.keys.get("bulan", "")
        span = re.match(r"^(\d+)-(\d+)$", text)
        months = list(range(int(span[1]), int(span[2]) + 1)) if span else [p.month()]
        values = {int(b): float(v) for b, v in zip(rows["bulan"], rows["nilai"])}
        missing = [m for m in months if m not in values]
        if missing:
            raise CannotRecompute(f"kontributor '{name}' tidak ada untuk bulan {', '.join(map(str, missing))}")
        total = sum(values[m] for m in months)
        return total / len(months) if average else total
    return compute


# --------------------------------------------------------------------------- the revenue IKU
def _iku_row(ctx: SatkerContext, p: Printed) -> pd.Series:
    p.only(set())
    s = _summary(ctx, p.tahun)
    hit = s.iku[s.iku["periode"] == p.periode]
    if hit.empty:
        raise CannotRecompute(f"periode {p.periode} bukan periode IKU penerimaan (Q1, S1, SDQ3, Y)", "info")
    return hit.iloc[0]


def _iku_column(column: str) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        row = _iku_row(ctx, p)
        return known(row[column], row.get("alasan"))
    return compute


@_revenue_figure("capaian_3a_indeks", doc="IKU penerimaan: indeks capaian dari realisasi dan target %")
def _iku_index(ctx: SatkerContext, p: Printed) -> float:
    """The index of the revenue IKU (3a-CP) as scored from iku_nilai; its inputs are reconciled with the
    revenue tables by realisasi_3a_persen and target_3a_persen."""
    row = _iku_row(ctx, p)
    if not row["kode"]:
        raise CannotRecompute("tidak ada IKU penerimaan di iku.csv", "info")
    return indicator_value("capaian")(ctx, Printed(p.satker, p.tahun, p.periode, p.tabel, f"kode={row['kode']}",
                                                  p.nilai, p.sumber, p.file, p.line))


_revenue_figure("target_bulanan_persen", _trajectory_column("persen"), doc="porsi trajektori bulan itu (%)")
_revenue_figure("target_kumulatif_persen", _trajectory_column("persen_kumulatif", per_jenis=True),
                doc="porsi trajektori kumulatif s.d. bulan itu (%); sama untuk setiap jenis")
_revenue_figure("target_kumulatif", _trajectory_column("target_kumulatif"), satuan="rupiah")
_revenue_figure("capaian_kumulatif_persen", _trajectory_column("capaian_kumulatif"),
                doc="realisasi kumulatif / target tahunan x 100")
_revenue_figure("realisasi_tahunan", _annual_realisation(0), satuan="rupiah")
_revenue_figure("realisasi_tahunan_sebelumnya", _annual_realisation(1), satuan="rupiah")
_revenue_figure("yoy_persen", _per_jenis_column("yoy"), doc="pertumbuhan realisasi terhadap tahun sebelumnya (%)")
_revenue_figure("capaian_tahunan_persen", _per_jenis_column("capaian"), doc="realisasi / target berlaku x 100")
_revenue_figure("kontributor_bulanan", _contributor(average=False), kind=ReconcilerKind.INPUT, satuan="rupiah")
_revenue_figure("kontributor_rata_rata_bulanan", _contributor(average=True), satuan="rupiah")
_revenue_figure("realisasi_3a_persen", _iku_column("nilai"),
                doc="IKU penerimaan: realisasi kumulatif / target tahunan yang berlaku x 100")
_revenue_figure("target_3a_persen", _iku_column("target_persen"), doc="IKU penerimaan: porsi trajektori kumulatif")
