"""From indicators to the overall score: quarters consolidated into S1/SDQ3/Y, weights per item, every level's
index and the overall score (NKO, NPSS), with a unit's own weights where it has them."""

from __future__ import annotations

import math

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
    rules = dict(zip(iku["kode"], iku["konsolidasi"]))
    out = nilai.copy()
    out["dikonsolidasi"] = False
    new_rows = []
    for kode, group in out.groupby("kode", sort=False):
        by_period = {p: row for p, row in zip(group["periode"], group.to_dict("records"))}
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
                    idx = group.index[group["periode"] == target_period][0]
                    out.loc[idx, ["target", "realisasi", "dikonsolidasi"]] = [filled["target"], filled["realisasi"], True]
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
    mask = ~vals.isna()
    if not mask.any():
        return math.nan
    if how == Agregasi.MEAN.value:
        return float(vals[mask].mean())
    if how not in (Agregasi.WEIGHTED.value, Agregasi.WEIGHTED_SUM.value):
        raise FrameworkError(f"agregasi tidak dikenal: {how!r}")
    weights = weights or {}
    missing = [str(k) for k in vals[mask].index if k not in weights or is_na(weights[k])]
    if missing:
        raise FrameworkError(f"bobot tidak ada untuk {', '.join(missing)}{' (' + where + ')' if where else ''}")
    w = pd.Series([float(weights[k]) for k in vals[mask].index], index=vals[mask].index)
    if how == Agregasi.WEIGHTED_SUM.value:
        total = float((vals[mask] * w).sum())
        return min(total, maks) if maks is not None else total
    if w.sum() == 0:
        raise FrameworkError(f"jumlah bobot 0 untuk butir yang dinilai{' (' + where + ')' if where else ''}")
    return float((vals[mask] * w).sum() / w.sum())


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
        rows = []
        for key, group in current.groupby(col, sort=False):
            value = aggregate(group.set_index(child)["indeks"], agg.agregasi, weights, agg.maks,
                              where=f"{level.get('nama', col)} {key}")
            band = framework.band(value, depth)
            rows.append({
                "kode": key,
                "nama": _level_name(group, col, level, framework),
                **{p: group[p].iloc[0] for p in parent_cols},
                "indeks": value,
                "jumlah": int(len(group)),
                "jumlah_dinilai": int(group["indeks"].notna().sum()),
                "status": band.nama,
                "warna": band.warna,
            })
        frame = pd.DataFrame(rows)
        if "urutan" in level:
            order = {k: i for i, k in enumerate(level["urutan"])}
            frame = frame.sort_values("kode", key=lambda s: s.map(lambda k: order.get(k, len(order))), kind="stable")
        frame = frame.reset_index(drop=True)
        frame.attrs["level"] = level
        levels.append(frame)
        current = frame.rename(columns={"kode": col})
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


def _level_name(group: pd.DataFrame, col: str, level: dict, framework: Framework) -> str:
    name_col = {"sasaran_kode": "sasaran_nama"}.get(col)
    if name_col and name_col in group and not is_na(group[name_col].iloc[0]):
        return str(group[name_col].iloc[0])
    return framework.level_label(level, str(group[col].iloc[0]))
