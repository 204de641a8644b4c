"""Budget checks beyond the schema, as data issues: unknown jenis belanja, realisation above the pagu, RPD months
not summing to the pagu, IKPA/SMART weights not summing to 100, and totals that differ from their parts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lakin.data.periods import CUMULATIVE_LABELS, PERIOD_END_MONTH
from lakin.data.schemas import JENIS_BELANJA
from lakin.errors import DataIssue
from lakin.rules.budget.amounts import (
    FLOW_DIMS,
    PAGU_DIMS,
    amount_value,
    by_month,
    column,
    cumulative_by_month,
    dims_present,
    frames_unchanged,
    key_label,
    last_row,
    pagu_rows,
    positions,
    realisasi_at,
    resolve,
    row_location,
    rows_of,
    total_at,
)
from lakin.rules.budget.ikpa import flag
from lakin.rules.grain import table
from lakin.values import is_na, json_int, nama_bulan, ribuan, round_half_up

__all__ = ["MISMATCH_COLUMNS", "total_mismatches", "validate_budget"]

# RPD printed in thousands (Halaman III): a 12-month sum may miss the pagu by up to 500 rupiah per month.
ROUNDING_PER_CELL = 500


def _slices(df: pd.DataFrame, time_cols: tuple[str, ...]):
    cols = ["satker", "tahun", *[c for c in time_cols if c in df.columns]]
    if df.empty:
        return
    for key, part in df.groupby(cols, dropna=False, sort=False):
        yield dict(zip(cols, key if isinstance(key, tuple) else (key,))), part


def _parts_sum(part: pd.DataFrame, dims, fixed: dict, d: str, col: str) -> tuple[float, int] | None:
    """Sum over the values of key `d` of the amounts at fixed + {d: value}; None if nothing is itemised by d."""
    mask = np.ones(len(part), dtype=bool)
    for k, v in fixed.items():
        mask &= column(part, k, object) == v
    values = [v for v in dict.fromkeys(column(part, d, object)[mask]) if not is_na(v)]
    if not values:
        return None
    total = 0.0
    for v in values:
        total += amount_value(part, dims, {**fixed, d: v}, col)
    return total, len(values)


MISMATCH_COLUMNS = ["tabel", "file", "baris", "satker", "tahun", "waktu", "kunci", "dirinci_per", "total",
                    "jumlah_rincian", "selisih"]


def total_mismatches(tables) -> pd.DataFrame:
    """Where a total (a row with empty key columns, or one grain's sum) differs from the sum of its parts.

    One row per total and key it is itemised by: table, file and line of the total row, its key, the total,
    the sum of the parts and the difference. For `lakin check` (the seed's Halaman III differs by Rp1.000
    in December, a rounding of a table printed in thousands).
    """
    with frames_unchanged():
        return _total_mismatches(tables)


def _total_mismatches(tables) -> pd.DataFrame:
    out = []
    specs = (("pagu", PAGU_DIMS, (), "pagu"), ("rpd", FLOW_DIMS, ("bulan",), "rencana"),
             ("realisasi_anggaran", FLOW_DIMS, ("bulan", "periode"), "realisasi"))
    for name, dims, time_cols, col in specs:
        df = table(tables, name)
        if df.empty:
            continue
        dims = dims_present(df, dims)
        for where, part in _slices(df, time_cols):
            waktu = ";".join(f"{c}={'' if is_na(where[c]) else where[c]}" for c in time_cols if c in where)
            keys = [column(part, d, object) for d in dims]
            totals = [(n, {d: v for d, v in zip(dims, values) if not is_na(v)})
                      for n, values in enumerate(zip(*keys)) if any(is_na(v) for v in values)]
            if not any(not f for _, f in totals):
                totals.append((None, {}))  # the implied grand total: every grain must agree on it
            amounts = column(part, col)  # the array total_at sums
            for n, fixed in totals:
                reference = float(amounts[n]) if n is not None else None
                for d in dims:
                    if d in fixed:
                        continue
                    got = _parts_sum(part, dims, fixed, d, col)
                    if got is None:
                        continue
                    parts, _ = got
                    if reference is None:
                        reference, ref_dim = parts, d
                        continue
                    if round(parts - reference, 6) != 0:
                        src = part.iloc[n] if n is not None else last_row(part)
                        file, line = row_location(src)
                        out.append({"tabel": name, "file": file, "baris": line, "satker": where["satker"],
                                    "tahun": int(where["tahun"]), "waktu": waktu, "kunci": key_label(fixed),
                                    "dirinci_per": d if n is not None else f"{d} (vs {ref_dim})",
                                    "total": reference, "jumlah_rincian": parts, "selisih": parts - reference})
    return pd.DataFrame(out, columns=MISMATCH_COLUMNS)


def _jenis_issues(tables) -> list[DataIssue]:
    issues = []
    for name in ("pagu", "rpd", "realisasi_anggaran"):
        df = table(tables, name)
        if df.empty or "jenis_belanja" not in df:
            continue
        bad = df[df["jenis_belanja"].notna() & ~df["jenis_belanja"].astype(str).isin(JENIS_BELANJA)]
        for _, r in bad.iterrows():
            file, line = row_location(r)
            issues.append(DataIssue(file, line, "jenis_belanja", r["jenis_belanja"],
                                    f"kode jenis belanja salah satu dari: {', '.join(JENIS_BELANJA)}"))
    return issues


def _targets_for(*frames, dims=FLOW_DIMS) -> list[dict]:
    """The keys to check: total, each jenis, each kegiatan, and each (kegiatan, jenis) pair present."""
    keys: dict[tuple, dict] = {(): {}}
    for df in frames:
        if df.empty:
            continue
        present = dims_present(df, dims)
        for values in zip(*(column(df, d, object) for d in present)):
            filled = {d: v for d, v in zip(present, values) if not is_na(v)}
            for d, v in filled.items():
                keys.setdefault(((d, v),), {d: v})
            if len(filled) == len(dims):
                keys.setdefault(tuple(filled.items()), filled)
    return list(keys.values())


def _over_pagu_issues(tables) -> list[DataIssue]:
    issues = []
    real_all = table(tables, "realisasi_anggaran")
    if real_all.empty:
        return issues
    for where, real in _slices(real_all, ()):
        pagu = pagu_rows({"pagu": table(tables, "pagu")}, where["tahun"])
        pagu = pagu[pagu["satker"] == where["satker"]] if not pagu.empty else pagu
        if pagu.empty:
            continue
        points = []  # (end month, canonical periode or None)
        cumulative = real[real["bulan"].isna()]
        for p in dict.fromkeys(cumulative["periode"].dropna()) if "periode" in cumulative else []:
            points.append((PERIOD_END_MONTH[p], p))
        months = sorted({int(b) for b in real["bulan"].dropna()})
        points.extend((m, None) for m in months)
        months_rows = by_month(real)
        for fixed in _targets_for(real):
            limit = amount_value(pagu, PAGU_DIMS, fixed, "pagu")
            if is_na(limit):
                continue
            # every month end's total of the key from one pass over the months, not one pass per month end
            month_ends = cumulative_by_month(months_rows, fixed, months[-1]) if months else {}
            for end, canonical in points:
                if canonical:
                    value, _, used = realisasi_at(real, int(where["tahun"]), end, canonical, fixed)
                    if is_na(value) or value <= limit or used.empty:
                        continue
                else:
                    value, parts = month_ends.get(end, (math.nan, []))
                    if is_na(value) or value <= limit or not parts:
                        continue
                    used = rows_of(parts)
                file, line = row_location(last_row(used))
                when = "s.d. " + CUMULATIVE_LABELS[canonical] if canonical else f"s.d. {nama_bulan(end)}"
                issues.append(DataIssue(file, line, "realisasi", json_int(value),
                                        f"realisasi ({when}, {key_label(fixed)}) tidak melebihi pagu "
                                        f"{ribuan(limit)}; lebih {ribuan(value - limit)}"))
                break
    return issues


def _rpd_issues(tables) -> list[DataIssue]:
    issues = []
    rpd_all = table(tables, "rpd")
    if rpd_all.empty:
        return issues
    for where, rpd in _slices(rpd_all, ()):
        pagu = table(tables, "pagu")
        pagu = pagu[(pagu["satker"] == where["satker"]) & (pagu["tahun"] == where["tahun"])] if not pagu.empty else pagu
        if pagu.empty:
            continue
        plan = by_month(rpd)
        for fixed in _targets_for(rpd):
            limit = amount_value(pagu, PAGU_DIMS, fixed, "pagu")
            if is_na(limit):
                continue
            total, parts, months = 0.0, [], []
            for m, month in plan.items():
                at = positions(month, FLOW_DIMS, fixed)
                if not len(at):
                    continue
                total += total_at(month, "rencana", at)
                parts.append((month, at))
                months.append(m)
            if not parts or round(total - limit, 6) == 0:
                continue
            used, pagu_used = rows_of(parts), resolve(pagu, PAGU_DIMS, fixed)
            file, line = row_location(last_row(used))
            diff = total - limit
            in_thousands = bool((used["rencana"] % 1000 == 0).all())
            rounding = in_thousands and abs(diff) <= ROUNDING_PER_CELL * len(used) and len(months) == 12
            pfile, pline = row_location(last_row(pagu_used))
            missing = [nama_bulan(m) for m in range(1, 13) if m not in months]
            expected = (f"jumlah RPD bulan Januari-Desember ({key_label(fixed)}) sama dengan pagu {ribuan(limit)} "
                        f"({pfile} baris {pline}); selisih {ribuan(diff)}")
            if missing:
                expected += f"; bulan tanpa RPD: {', '.join(missing)}"
            if rounding:
                expected += " (dalam batas pembulatan tabel ribuan rupiah)"
            issues.append(DataIssue(file, line, "rencana", json_int(total), expected,
                                    severity="warning" if rounding else "error"))
    return issues


def _weight_issues(tables) -> list[DataIssue]:
    issues = []
    ikpa = table(tables, "ikpa")
    if ikpa.empty:
        return issues
    ikpa = ikpa.assign(kelompok=ikpa["kelompok"].fillna("ikpa") if "kelompok" in ikpa else "ikpa",
                       pengurang=ikpa["pengurang"].map(flag) if "pengurang" in ikpa else False)
    for key, group in ikpa.groupby(["satker", "tahun", "periode", "kelompok"], sort=False):
        scored = group[~group["pengurang"]]
        total = float(scored["bobot"].sum())
        if round(total, 6) == 100:
            continue
        file, line = row_location(last_row(group))
        issues.append(DataIssue(file, line, "bobot", round_half_up(total, 4),
                                f"jumlah bobot komponen {key[3].upper()} ({key[0]} {key[1]} {key[2]}) = 100"))
    return issues


def _first_per_cell(issues: list[DataIssue]) -> list[DataIssue]:
    """One issue per file, row and column (the same row can break a rule at several keys)."""
    seen, out = set(), []
    for issue in issues:
        key = (issue.file, issue.row, issue.column)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def validate_budget(tables) -> list[DataIssue]:
    """Budget checks beyond the schema: unknown jenis belanja, realisation above pagu, RPD months not summing
    to the pagu, IKPA/SMART weights not summing to 100, and totals that differ from their parts (warnings)."""
    with frames_unchanged():
        return _validate_budget(tables)


def _validate_budget(tables) -> list[DataIssue]:
    issues = (_jenis_issues(tables) + _first_per_cell(_over_pagu_issues(tables)) + _first_per_cell(_rpd_issues(tables))
              + _weight_issues(tables))
    for _, m in total_mismatches(tables).iterrows():
        issues.append(DataIssue(m["file"], m["baris"], {"pagu": "pagu", "rpd": "rencana"}.get(m["tabel"], "realisasi"),
                                json_int(m["total"]),
                                f"total ({m['kunci']}{'; ' + m['waktu'] if m['waktu'] else ''}) sama dengan "
                                f"jumlah rinciannya per {m['dirinci_per']} {ribuan(m['jumlah_rincian'])}; "
                                f"selisih {ribuan(m['selisih'])}", severity="warning"))
    return issues
