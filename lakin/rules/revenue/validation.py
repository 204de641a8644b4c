"""Revenue rules beyond the schemas, as data issues: months, trajectory sums, targets, duplicate rows, refunds."""

from __future__ import annotations

import pandas as pd

from lakin.data.load import FILE_COL, LINE_COL
from lakin.errors import DataIssue
from lakin.rules.grain import table
from lakin.rules.revenue.realisation import (
    REFUND_PREFIX,
    RevenueRow,
    cell_text,
    grain_disagreements,
    int_or_none,
    revenue_records,
    with_location,
)
from lakin.rules.revenue.targets import SHARE_TOLERANCE, as_date
from lakin.values import angka, is_na, rupiah

__all__ = ["validate_revenue"]


def validate_revenue(tables, include_disagreements: bool = True) -> list[DataIssue]:
    """Revenue rules beyond the schemas: trajectory sums, negative targets, duplicate rows, refunds."""
    issues: list[DataIssue] = []

    for name in ("penerimaan", "trajektori_penerimaan", "kontributor_penerimaan"):
        df = table(tables, name)
        if df.empty or "bulan" not in df.columns:
            continue
        df = with_location(df, f"{name}.csv")
        bulan = pd.to_numeric(df["bulan"], errors="coerce")
        for (_, row), b in zip(df.iterrows(), bulan):
            if not is_na(b) and not 1 <= b <= 12:
                issues.append(DataIssue(row[FILE_COL], int_or_none(row[LINE_COL]), "bulan", row["bulan"],
                                        "diharapkan bulan 1 sampai 12"))

    traj = table(tables, "trajektori_penerimaan")
    if not traj.empty:
        traj = with_location(traj, "trajektori_penerimaan.csv")
        for (satker, tahun), group in traj.groupby(["satker", "tahun"], sort=False):
            total = float(pd.to_numeric(group["persen"], errors="coerce").sum())
            if abs(total - 100.0) > SHARE_TOLERANCE:
                lines = [int_or_none(v) for v in group[LINE_COL] if not is_na(v)]
                span = f"baris {min(lines)}-{max(lines)}" if lines else f"{len(group)} baris"
                files = ", ".join(dict.fromkeys(str(f) for f in group[FILE_COL]))
                issues.append(DataIssue(
                    files, max(lines) if lines else None, "persen", round(total, 10),
                    f"jumlah persen trajektori {satker} tahun {int(tahun)} ({span}, {len(group)} bulan) "
                    f"harus 100 (toleransi {SHARE_TOLERANCE:g}); jumlahnya {angka(total, 6, trim=True)}"))

    targets = table(tables, "target_penerimaan")
    if not targets.empty:
        targets = with_location(targets, "target_penerimaan.csv")
        values = pd.to_numeric(targets["target"], errors="coerce")
        for (_, row), v in zip(targets.iterrows(), values):
            if not is_na(v) and v < 0:
                issues.append(DataIssue(row[FILE_COL], int_or_none(row[LINE_COL]), "target", row["target"],
                                        "target tidak boleh negatif (tulis 0 bila tidak ada target)"))
        keyed = targets.assign(_tgl=targets["tanggal"].map(as_date), _jenis=targets["jenis"].map(cell_text))
        for _, group in keyed.groupby(["satker", "tahun", "_jenis", "_tgl"], sort=False):
            if group["dasar_hukum"].nunique() > 1:
                for _, row in group.iloc[1:].iterrows():
                    issues.append(DataIssue(
                        row[FILE_COL], int_or_none(row[LINE_COL]), "tanggal", str(row["_tgl"]),
                        f"satu keputusan per jenis dan tanggal: {row['_jenis']} juga ditetapkan pada tanggal yang "
                        f"sama oleh {group['dasar_hukum'].iloc[0]}", severity="warning"))

    pen = table(tables, "penerimaan")
    if not pen.empty:
        rows = revenue_records(pen)
        groups: dict[tuple, list[RevenueRow]] = {}
        for r in rows:
            groups.setdefault((r.satker, r.tahun, r.bulan, r.jenis, r.akun, r.pengembalian), []).append(r)
        for group in groups.values():
            first = group[0]
            kind = "pengembalian" if first.pengembalian else "penerimaan"
            for r in group[1:]:
                ident = f"bulan={'' if r.bulan is None else r.bulan}, jenis={r.jenis}, akun={r.akun}"
                issues.append(DataIssue(
                    r.file, r.line, "nilai", r.nilai,
                    f"baris {kind} ganda untuk {ident} (sudah ada di {first.file} baris {first.line}); "
                    f"satu baris {kind} per bulan/jenis/akun"))
        for r in rows:
            if r.uraian.lower().startswith(REFUND_PREFIX) and r.nilai > 0:
                issues.append(DataIssue(r.file, r.line, "nilai", r.nilai,
                                        "pengembalian ditulis negatif atau nol", severity="warning"))
        if include_disagreements:
            for _, d in grain_disagreements(pen).iterrows():
                where = f"bulan {int(d['bulan'])}" if not is_na(d["bulan"]) else "tahunan"
                issues.append(DataIssue(
                    d[FILE_COL], int_or_none(d[LINE_COL]), "nilai", d["nilai_total"],
                    f"total ({d['tingkat']}, {where}{', ' + d['jenis'] if d['jenis'] else ''}) diharapkan sama dengan "
                    f"jumlah rinciannya {rupiah(d['jumlah_rincian'])} (selisih {rupiah(d['selisih'])}); "
                    f"laporan memakai total", severity="warning"))
    return issues
