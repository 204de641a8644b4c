"""Reconciliation: every printed figure (capaian_dilaporkan, nilai_organisasi, angka_dilaporkan) compared with
the value recomputed from the data, at the precision it was printed with."""

from __future__ import annotations

from lakin.data.load import FILE_COL, LINE_COL
from lakin.errors import CannotRecompute, LakinError
from lakin.rules.scoring import NA_REASONS, indicator_index
from lakin.tools.check.context import (
    RECONCILERS,
    Printed,
    Recomputed,
    Reconciler,
    ReconcilerKind,
    SatkerContext,
    records,
)
from lakin.tools.check.findings import Finding, Severity
from lakin.tools.check.kinerja import indicator_bounds, overall, overall_bounds
from lakin.tools.check.precision import agrees, display, printed_digits, within_input_rounding
from lakin.values import is_na

__all__ = ["CONSISTENT_WITHIN_ROUNDING", "RECONCILIATION_RULES", "compare", "reconcile_angka", "reconcile_capaian",
           "reconcile_nilai_organisasi", "resolve"]

RECONCILIATION_RULES = ("capaian_dilaporkan", "nilai_organisasi", "angka_dilaporkan")
CONSISTENT_WITHIN_ROUNDING = "cocok_pembulatan"


def resolve(tabel: str) -> Reconciler | None:
    """The reconciler of a printed-figure `tabel`, or None when it cannot be recomputed."""
    return RECONCILERS.get(tabel)


def compare(ctx: SatkerContext, p: Printed, rec: Reconciler, rule: str) -> Finding | None:
    """None when the printed figure agrees; otherwise the finding for it."""
    base = {"satker": ctx.satker, "table": p.tabel, "key": f"{p.tahun} {p.periode} {p.kunci}", "printed": p.nilai,
            "source": p.sumber, "tahun": p.tahun, "periode": p.periode, "file": p.file, "line": p.line}
    printed = display(p.nilai, rec.satuan)
    try:
        value = rec.compute(ctx, p)
    except CannotRecompute as exc:
        return Finding(Severity(exc.severity), rule,
                       message=f"tercetak {printed} tetapi tidak dapat dihitung ulang: {exc.reason}", **base)
    except LakinError as exc:
        return Finding(Severity.ERROR, rule, message=f"gagal dihitung ulang: {exc.user_message()}", **base)
    except Exception as exc:  # noqa: BLE001 - a recompute failing on odd data must not hide the other findings
        return Finding(Severity.ERROR, rule, message=f"gagal dihitung ulang: {exc!r}", **base)
    kind = rec.kind
    if isinstance(value, Recomputed):
        kind, value = value.kind or kind, value.value
    if is_na(value):
        return Finding(Severity.WARNING, rule, message=f"tercetak {printed} tetapi hasil hitung ulang N/A", **base)
    if agrees(p.nilai, value, rec.satuan):
        return None
    digits = printed_digits(p.nilai, rec.satuan)
    shown = display(value, rec.satuan, max(digits, 2))
    if kind != ReconcilerKind.INPUT and rec.bounds is not None:
        try:
            low, high = rec.bounds(ctx, p)
        except Exception:  # noqa: BLE001 - no interval: the plain comparison stands
            low = high = None
        if not is_na(low) and not is_na(high) and within_input_rounding(p.nilai, low, high, rec.satuan):
            return Finding(Severity.INFO, CONSISTENT_WITHIN_ROUNDING, recomputed=float(value), message=(
                f"tercetak {printed}, dihitung ulang {shown}: konsisten dalam pembulatan masukan "
                f"(dengan target/realisasi di mana pun dalam pembulatan tercetaknya dan indeks IKU dua desimal, "
                f"hasilnya {display(low, rec.satuan, 4)} s.d. {display(high, rec.satuan, 4)})"), **base)
    if kind == ReconcilerKind.INPUT:
        return Finding(Severity.WARNING, rule, recomputed=float(value), message=(
            f"tercetak {printed}, data memakai {shown} dari tabel lain yang lebih rinci (dua tabel laporan berbeda)"),
            **base)
    return Finding(Severity.ERROR, rule, recomputed=float(value), message=f"tercetak {printed}, dihitung ulang {shown}",
                   **base)


def _skipped(ctx: SatkerContext, what: str, inputs: tuple[str, ...]) -> list[Finding]:
    """An info finding when a reconciliation cannot run because an input table is invalid."""
    bad = set(inputs) & ctx.invalid
    if not bad:
        return []
    return [Finding(Severity.INFO, "dilewati", ctx.satker, what, "-",
                    message=f"rekonsiliasi '{what}' dilewati karena tabel {', '.join(sorted(bad))} tidak valid")]


def _printed(ctx: SatkerContext, r: dict, tabel: str, kunci: str, nilai) -> Printed:
    return Printed(ctx.satker, int(r["tahun"]), r["periode"], tabel, kunci, float(nilai), r.get("sumber"),
                   r[FILE_COL], int(r[LINE_COL]))


def _this_year(ctx: SatkerContext, df):
    return df if ctx.tahun is None else df[df["tahun"] == ctx.tahun]


def reconcile_capaian(ctx: SatkerContext) -> tuple[list[Finding], int]:
    """Every capaian_dilaporkan against the recomputed indicator index (scoring.indicator_index)."""
    skipped = _skipped(ctx, "capaian_dilaporkan", ("iku", "iku_nilai"))
    if skipped or ctx.framework is None:
        return skipped, 0
    nilai = ctx.tables["iku_nilai"]
    if "capaian_dilaporkan" not in nilai:
        return [], 0
    printed = _this_year(ctx, nilai[nilai["capaian_dilaporkan"].notna()])
    iku = {(r["tahun"], r["kode"]): r for r in records(ctx.tables["iku"])}
    out, n = [], 0
    for r in records(printed):
        n += 1
        p = _printed(ctx, r, "capaian_dilaporkan", f"kode={r['kode']}", r["capaian_dilaporkan"])
        ind = iku.get((r["tahun"], r["kode"]))

        def compute(_ctx, _p, r=r, ind=ind):
            if ind is None:
                raise CannotRecompute(f"indikator {r['kode']} tidak ada di iku.csv tahun {r['tahun']}")
            aturan = ind.get("aturan_capaian")
            aturan = None if is_na(aturan) or not aturan else aturan
            # the consolidated row, so a capaian printed for S1/SDQ3/Y uses the same value as the report
            row = ctx.indicator(int(r["tahun"]), r["periode"], r["kode"])
            value, reason = indicator_index(row["target"], row["realisasi"], ind["polaritas"], ctx.framework,
                                            r["periode"], aturan)
            if is_na(value):
                raise CannotRecompute(f"target/realisasi N/A ({NA_REASONS.get(reason, reason)})")
            return value

        finding = compare(ctx, p, Reconciler(compute, bounds=indicator_bounds), "capaian_dilaporkan")
        if finding:
            out.append(finding)
    return out, n


def reconcile_nilai_organisasi(ctx: SatkerContext) -> tuple[list[Finding], int]:
    """Published overall scores (nilai_organisasi) against the recomputed NKO/NPSS."""
    skipped = _skipped(ctx, "nilai_organisasi", ("nilai_organisasi", "iku", "iku_nilai"))
    if skipped:
        return skipped, 0

    def compute(_ctx, p):
        try:
            return overall(ctx, p)
        except CannotRecompute as exc:
            if exc.severity == "info":
                raise CannotRecompute(f"{exc.reason}; nilai dipakai sebagaimana dipublikasikan "
                                      "(mis. sebagai pembanding tahun sebelumnya)", "info") from None
            raise

    rec = Reconciler(compute, bounds=overall_bounds)
    out, n = [], 0
    for r in records(_this_year(ctx, ctx.tables["nilai_organisasi"])):
        n += 1
        finding = compare(ctx, _printed(ctx, r, "nilai_organisasi", "total", r["nilai"]), rec, "nilai_organisasi")
        if finding:
            out.append(finding)
    return out, n


def reconcile_angka(ctx: SatkerContext) -> tuple[list[Finding], int]:
    """Every angka_dilaporkan row with a known `tabel` recomputed; unknown `tabel` listed as not reconciled."""
    skipped = _skipped(ctx, "angka_dilaporkan", ("angka_dilaporkan",))
    if skipped:
        return skipped, 0
    out, n = [], 0
    unknown: dict[str, list[dict]] = {}
    invalid_inputs: dict[str, set[str]] = {}
    for r in records(_this_year(ctx, ctx.tables["angka_dilaporkan"])):
        rec = resolve(r["tabel"])
        if rec is None:
            unknown.setdefault(r["tabel"], []).append(r)
            continue
        bad_inputs = set(rec.inputs) & ctx.invalid
        if bad_inputs:
            invalid_inputs.setdefault(r["tabel"], set()).update(bad_inputs)
            continue
        n += 1
        finding = compare(ctx, _printed(ctx, r, r["tabel"], r["kunci"], r["nilai"]), rec, "angka_dilaporkan")
        if finding:
            out.append(finding)
    for tabel, rows in sorted(unknown.items()):
        first = rows[0]
        out.append(Finding(
            Severity.INFO, "tidak_direkonsiliasi", ctx.satker, tabel, f"{len(rows)} baris",
            printed=float(first["nilai"]) if len(rows) == 1 else None, source=first.get("sumber"),
            file=first[FILE_COL], line=int(first[LINE_COL]),
            message=(f"{len(rows)} angka tercetak dengan tabel '{tabel}' tidak direkonsiliasi: "
                     "belum ada fungsi hitung ulang untuk tabel ini")))
    for tabel, tables in sorted(invalid_inputs.items()):
        out.append(Finding(Severity.INFO, "dilewati", ctx.satker, tabel, "-", message=(
            f"rekonsiliasi '{tabel}' dilewati karena tabel {', '.join(sorted(tables))} tidak valid")))
    return out, n
