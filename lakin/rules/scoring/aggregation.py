"""From indicators to the overall score: quarters consolidated into S1/SDQ3/Y, weights per item, every level's
index and the overall score (NKO, NPSS), with a unit's own weights where it has them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lakin.errors import FrameworkError
from lakin.rules.frameworks import Aggregation, Framework, Weights
from lakin.rules.frameworks.spec import Agregasi
from lakin.values import is_blank, is_na

__all__ = ["aggregate", "aggregate_levels", "consolidate", "item_weights", "unit_framework"]


# --------------------------------------------------------------------------- consolidation
def _consolidate(values: list[float], rule: str) -> float:
    if rule == "tlkv":
        return values[-1]
    if rule == "sum":
        return float(sum(values))
    if rule == "average":
        return float(sum(values) / len(values))
    raise ValueError(rule)


def consolidate(nilai: pd.DataFrame, iku: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Fill missing S1/SDQ3/Y target and realisation from the quarters, per indicator's rule.

    A consolidated value is filled only when every quarter it is made of has a value; values given in
    the data are never overwritten. Adds a boolean column `dikonsolidasi`.
    """
    if nilai.empty:
        return nilai.assign(dikonsolidasi=False)
    rules = dict(zip(iku["kode"], iku["konsolidasi"]))
    out = nilai.copy()
    out["dikonsolidasi"] = False
    # Each indicator's rows as plain dicts with their positions (`_positions_by_key`: the groups of
    # groupby(sort=False)); the changes are written back once at the end: indexing pandas row by row took most
    # of the time of a check (one year is consolidated for each period scored).
    records = out.to_dict("records")
    groups = {kode: [(p, records[p]) for p in at] for kode, at in _positions_by_key(out["kode"].tolist()).items()}
    new_rows, changes = [], {}
    for kode, group in groups.items():
        by_period = {row["periode"]: row for _, row in group}
        for target_period, quarters in framework.konsolidasi_periode.items():
            row = by_period.get(target_period)
            filled = dict(row) if row else {"kode": kode, "periode": target_period, "target": math.nan,
                                            "realisasi": math.nan, "dikonsolidasi": False}
            changed = False
            for col in ("target", "realisasi"):
                if not is_na(filled.get(col)):
                    continue
                parts = [by_period.get(q, {}).get(col) for q in quarters]
                if any(is_na(v) for v in parts):
                    continue
                filled[col] = _consolidate([float(v) for v in parts], rules.get(kode, "tlkv"))
                changed = True
            if changed:
                filled["dikonsolidasi"] = True
                if row is None:
                    new_rows.append(filled)
                else:
                    first = next(position for position, r in group if r["periode"] == target_period)
                    changes[first] = (filled["target"], filled["realisasi"])
    if changes:
        positions = list(changes)
        for col, values in (("target", [t for t, _ in changes.values()]),
                            ("realisasi", [r for _, r in changes.values()]),
                            ("dikonsolidasi", [True] * len(positions))):
            out.iloc[positions, out.columns.get_loc(col)] = values
    if new_rows:
        extra = pd.DataFrame(new_rows)
        for col in out.columns:
            if col not in extra.columns:
                extra[col] = nilai[col].iloc[0] if col in ("satker", "tahun") and len(nilai) else None
        out = pd.concat([out, extra[out.columns]], ignore_index=True)
    return out


# --------------------------------------------------------------------------- aggregation
def aggregate(values: pd.Series, how: str = "mean", weights: dict | None = None, maks: float | None = None,
              where: str = "") -> float:
    """Aggregate the values that are not N/A (indexed by item key); N/A when all are N/A.

    mean: plain mean; weighted: weighted mean renormalised over the scored items; weighted_sum: the sum
    of weight x value over the scored items, capped at `maks`. An item that is scored but has no weight
    is an error, never a silent weight of 0.
    """
    vals = values.astype("float64")
    return _aggregate(list(vals.index), vals.to_numpy(), how, weights, maks, where)


def _aggregate(keys: list, vals: np.ndarray, how: str, weights: dict | None, maks: float | None,
               where: str) -> float:
    """`aggregate` of the float64 array `vals` (item keys `keys`) without building a Series per group: the
    same numpy sums, in the same order, as pandas' sum and mean (the sum over the count), so the same floats."""
    mask = ~np.isnan(vals)
    if not mask.any():
        return math.nan
    scored = vals[mask]
    if how == Agregasi.MEAN.value:
        return float(scored.sum() / len(scored))
    if how not in (Agregasi.WEIGHTED.value, Agregasi.WEIGHTED_SUM.value):
        raise FrameworkError(f"agregasi tidak dikenal: {how!r}")
    weights = weights or {}
    scored_keys = [k for k, m in zip(keys, mask) if m]
    missing = [str(k) for k in scored_keys if k not in weights or is_na(weights[k])]
    if missing:
        raise FrameworkError(f"bobot tidak ada untuk {', '.join(missing)}{' (' + where + ')' if where else ''}")
    w = np.array([float(weights[k]) for k in scored_keys], dtype="float64")
    if how == Agregasi.WEIGHTED_SUM.value:
        total = float((scored * w).sum())
        return min(total, maks) if maks is not None else total
    if w.sum() == 0:
        raise FrameworkError(f"jumlah bobot 0 untuk butir yang dinilai{' (' + where + ')' if where else ''}")
    return float((scored * w).sum() / w.sum())


def item_weights(items: pd.DataFrame, agg: Aggregation, key: str) -> dict | None:
    """Weight per item key for one aggregation: the framework's (or unit's) table, or an iku column/class."""
    if agg.weights is None:
        return None
    if agg.weights.bobot is not None:
        return dict(agg.weights.bobot)
    column = agg.weights.kolom
    if column not in items:
        raise FrameworkError(f"kolom bobot '{column}' tidak ada di iku.csv")
    out = {}
    for k, v in zip(items[key], items[column]):
        if is_blank(v):
            continue
        if agg.weights.kelas is not None:
            if str(v) in agg.weights.kelas:
                out[k] = agg.weights.kelas[str(v)]
        else:
            out[k] = float(v)
    return out



def aggregate_levels(indicators: pd.DataFrame, framework: Framework) -> tuple[list[pd.DataFrame], float]:
    """Index of every level (sasaran, perspective...) and the overall score."""
    levels = []
    current = indicators.rename(columns={"capaian": "indeks"})
    child = "kode"
    aggs = framework.level_aggregations or tuple(Aggregation(lv.get("agregasi", "mean")) for lv in framework.levels)
    for depth, level in enumerate(framework.levels):
        col = level["kolom"]
        agg = aggs[depth]
        weights = item_weights(current, agg, child)
        parent_cols = [lv["kolom"] for lv in framework.levels[depth + 1:]]
        # The groups of groupby(col, sort=False) as row positions over plain arrays: building a frame per
        # group (groupby, set_index) cost far more than the arithmetic, and a check scores a year 21 times.
        groups = _positions_by_key(current[col].tolist())
        keys, indeks = current[child].tolist(), current["indeks"].to_numpy(dtype="float64")
        rows = []
        for key, at in groups.items():
            value = _aggregate([keys[i] for i in at], indeks[at], agg.agregasi, weights, agg.maks,
                               where=f"{level.get('nama', col)} {key}")
            band = framework.band(value, depth)
            rows.append({
                "kode": key,
                "nama": _level_name(current, at[0], col, level, framework),
                **{p: current[p].iat[at[0]] for p in parent_cols},
                "indeks": value,
                "jumlah": len(at),
                "jumlah_dinilai": int(np.count_nonzero(~np.isnan(indeks[at]))),
                "status": band.nama,
                "warna": band.warna,
            })
        frame = pd.DataFrame(rows)
        if "urutan" in level:
            order = {k: i for i, k in enumerate(level["urutan"])}
            frame = frame.sort_values("kode", key=lambda s: s.map(lambda k: order.get(k, len(order))), kind="stable")
        frame = frame.reset_index(drop=True)
        # the next level's items are taken before the level is attached: pandas deep-copies `attrs` into every
        # frame and column derived from a frame, which made each later step on them several times slower
        current = frame.rename(columns={"kode": col})
        frame.attrs["level"] = level
        levels.append(frame)
        child = col
    top = current.set_index(framework.levels[-1]["kolom"])["indeks"]
    agg = framework.overall_aggregation
    if not framework.level_aggregations:  # a Framework built by hand from the raw dict
        agg = Aggregation(framework.overall.get("agregasi", "mean"))
        bobot = framework.overall.get("bobot")
        if bobot:
            agg = Aggregation(agg.agregasi, Weights(bobot=bobot))
    overall = aggregate(top, agg.agregasi, item_weights(current, agg, child), agg.maks, where=framework.skor_kode)
    return levels, overall


def unit_framework(framework: Framework, tables: dict[str, pd.DataFrame], tahun: int) -> Framework:
    """The framework with a unit's own weights for that year (bobot_kerangka.csv), each with its source."""
    table = tables.get("bobot_kerangka")
    if table is None or table.empty:
        return framework
    rows = table[table["tahun"] == tahun]
    for tingkat, group in rows.groupby("tingkat", sort=False):
        sumber = "; ".join(dict.fromkeys(str(x) for x in group["sumber"] if not is_na(x)))
        framework = framework.with_weights(str(tingkat), dict(zip(group["kunci"].astype(str), group["bobot"])), sumber)
    return framework


def _positions_by_key(values: list) -> dict:
    """Row positions per value, in order of first appearance, leaving out N/A (the groups of groupby(sort=False))."""
    groups: dict = {}
    for position, value in enumerate(values):
        if not is_na(value):
            groups.setdefault(value, []).append(position)
    return groups


def _level_name(items: pd.DataFrame, first: int, col: str, level: dict, framework: Framework) -> str:
    """The name of the group whose first row is at position `first`."""
    name_col = {"sasaran_kode": "sasaran_nama"}.get(col)
    if name_col and name_col in items and not is_na(items[name_col].iat[first]):
        return str(items[name_col].iat[first])
    return framework.level_label(level, str(items[col].iat[first]))
