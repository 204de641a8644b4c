"""Cross-table rules of `lakin check`, registered in RULES in the order they run: konsolidasi and negative
targets here; revenue (trajectory shares sum to 100, months, refunds, totals vs parts) and budget (RPD sums to
pagu, realisation not above pagu, IKPA weights, totals vs parts) are lakin.rules.revenue.validate_revenue and
lakin.rules.budget.validate_budget, run here on the unit's tables."""

from __future__ import annotations

from collections.abc import Callable

from lakin.errors import DataIssue, LakinError
from lakin.rules.budget import validate_budget
from lakin.rules.revenue import validate_revenue
from lakin.tools.check.budget import BUDGET_INPUTS
from lakin.tools.check.context import RULES, SatkerContext, records, row_location
from lakin.tools.check.findings import Finding, Severity, issue_findings
from lakin.tools.check.precision import agrees, display
from lakin.tools.check.revenue import REVENUE_TABLES
from lakin.values import is_na

__all__ = ["rule_konsolidasi", "rule_target_negatif", "table_rule"]


@RULES.add("konsolidasi")
def rule_konsolidasi(ctx: SatkerContext) -> list[Finding]:
    """A given S1/SDQ3/Y must follow from its quarters under the indicator's konsolidasi rule."""
    if ctx.framework is None or {"iku", "iku_nilai"} & ctx.invalid:
        return []
    out = []
    iku, nilai = ctx.tables["iku"], ctx.tables["iku_nilai"]
    rules = {(r["tahun"], r["kode"]): r["konsolidasi"] for r in records(iku)}
    # each indicator-year's rows from one pass over plain dicts, in order of first appearance and without a row
    # whose tahun or kode is empty (as groupby(["tahun", "kode"], sort=False)): a frame per group cost more
    groups: dict[tuple, list[dict]] = {}
    for r in records(nilai):
        if not (is_na(r["tahun"]) or is_na(r["kode"])):
            groups.setdefault((r["tahun"], r["kode"]), []).append(r)
    for (tahun, kode), group in groups.items():
        rule = rules.get((tahun, kode))
        if rule is None or (ctx.tahun is not None and tahun != ctx.tahun):
            continue
        by_period = {r["periode"]: r for r in group}
        for target_period, quarters in ctx.framework.konsolidasi_periode.items():
            given = by_period.get(target_period)
            if given is None:
                continue
            for col in ("target", "realisasi"):
                value = given.get(col)
                parts = [by_period.get(q, {}).get(col) for q in quarters]
                if is_na(value) or any(is_na(v) for v in parts):
                    continue
                value, parts = float(value), [float(v) for v in parts]
                expected = {"tlkv": parts[-1], "sum": sum(parts), "average": sum(parts) / len(parts)}[rule]
                if agrees(value, expected):
                    continue
                formula = {"tlkv": quarters[-1], "sum": " + ".join(quarters),
                           "average": f"rata-rata {', '.join(quarters)}"}[rule]
                out.append(Finding(
                    Severity.WARNING, "konsolidasi", ctx.satker, "iku_nilai",
                    f"{tahun} {kode} {target_period} {col}", printed=value, recomputed=expected,
                    source=given.get("sumber"), tahun=int(tahun), periode=target_period, column=col,
                    message=(f"{col} {target_period} = {display(value)} tidak sama dengan {formula} = "
                             f"{display(expected)} menurut konsolidasi '{rule}'; nilai yang diberikan dipakai - "
                             "periksa kolom konsolidasi"),
                    **row_location(given)))
    return out


@RULES.add("target_negatif")
def rule_target_negatif(ctx: SatkerContext) -> list[Finding]:
    """A negative target under a framework that takes it as a warning: the indicator is N/A, said here."""
    if ctx.framework is None or ctx.framework.target_negatif != "peringatan" or "iku_nilai" in ctx.invalid:
        return []
    out = []
    for r in records(ctx.tables["iku_nilai"]):
        if ctx.tahun is not None and r["tahun"] != ctx.tahun:
            continue
        for col in ("target", "target_bawah", "target_atas"):
            value = r.get(col)
            if not is_na(value) and float(value) < 0:
                out.append(Finding(
                    Severity.WARNING, "target_negatif", ctx.satker, "iku_nilai",
                    f"{r['tahun']} {r['kode']} {r['periode']}",
                    printed=float(value), tahun=int(r["tahun"]), periode=r["periode"], column=col,
                    message=(f"{col} {display(float(value))} negatif: indikator tidak dinilai periode ini (N/A) - "
                             f"kerangka {ctx.framework.id} menetapkan target_negatif: peringatan"),
                    **row_location(r)))
    return out


def table_rule(rule: str, validate: Callable[[dict], list[DataIssue]], inputs: tuple[str, ...]) -> Callable:
    """A cross-table rule whose checks are `validate(tables) -> list[DataIssue]` of a rules module."""

    def run(ctx: SatkerContext) -> list[Finding]:
        bad = set(inputs) & ctx.invalid
        if bad:
            return [Finding(Severity.INFO, "dilewati", ctx.satker, "-", "-",
                            message=f"aturan {rule} dilewati karena tabel {', '.join(sorted(bad))} tidak valid")]
        try:
            issues = validate(ctx.tables)
        except LakinError as exc:
            return [Finding(Severity.ERROR, rule, ctx.satker, "-", "-",
                            message=f"aturan {rule} gagal: {exc.user_message()}")]
        except Exception as exc:  # noqa: BLE001 - odd data must not hide the other findings
            return [Finding(Severity.ERROR, rule, ctx.satker, "-", "-",
                            message=f"aturan {rule} ({validate.__module__}.{validate.__name__}) gagal dijalankan: "
                                    f"{exc!r}")]
        found = issue_findings(ctx.tables, issues, rule, ctx.satker)
        return [f for f in found if ctx.tahun is None or f.tahun in (None, ctx.tahun)]

    run.__name__ = f"rule_{rule}"
    run.__doc__ = f"Cross-table rules of {validate.__module__}.{validate.__name__}."
    return run


RULES.add("penerimaan", table_rule("penerimaan", validate_revenue, REVENUE_TABLES))
RULES.add("anggaran", table_rule("anggaran", validate_budget, BUDGET_INPUTS))
