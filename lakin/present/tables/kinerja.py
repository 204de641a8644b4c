"""The scorecard's tables as display strings: every indicator, one aggregate level, one indicator's history."""

from __future__ import annotations

import pandas as pd

from lakin.data.periods import PERIOD_LABELS
from lakin.model.report_model import iku_counts
from lakin.rules.scoring import Scorecard
from lakin.values import indeks, is_na, nilai

__all__ = ["history_table", "level_table", "scorecard_table"]


def _value(v, satuan=None, teks=None) -> str:
    if teks is not None and not is_na(teks):
        return str(teks)
    return nilai(v)  # targets and realisations: 10, 84,50 (indices: indeks, two decimals)


def scorecard_table(sc: Scorecard) -> pd.DataFrame:
    """The scorecard: one row per indicator (No, sasaran, kode, indikator, target, realisasi, capaian, status)."""
    rows = []
    for i, (_, r) in enumerate(sc.indicators.iterrows(), start=1):
        rows.append({
            "No": i,
            "Sasaran": r["sasaran_kode"],
            "Kode": r["kode"],
            "Indikator": r["nama"],
            "Satuan": "" if is_na(r["satuan"]) else r["satuan"],
            "Target": _value(r["target"], teks=r.get("target_teks") if is_na(r["target"]) else None),
            "Realisasi": _value(r["realisasi"], teks=r["realisasi_teks"]),
            "Capaian": indeks(r["capaian"]),
            "Status": r["status"],
        })
    return pd.DataFrame(rows)


def level_table(sc: Scorecard, depth: int) -> pd.DataFrame:
    """One aggregate level (sasaran or perspective) with its index."""
    frame = sc.levels[depth]
    level = frame.attrs["level"]
    counts, _ = iku_counts(sc, depth)  # indicators in the group (5/3/7/5), not groups of the level below
    columns = {
        level.get("singkatan", "Kode"): frame["kode"],
        level["nama"]: frame["nama"],
        "Jumlah indikator": [counts.get(k, 0) for k in frame["kode"]],
        "Indeks": [indeks(v) for v in frame["indeks"]],
    }
    if level.get("label"):  # codes are internal keys (stakeholder): print the official name, as the seed does
        del columns[level.get("singkatan", "Kode")]
        columns[level["nama"]] = [str(n).upper() for n in frame["nama"]]
    return pd.DataFrame(columns)


def history_table(sc: Scorecard, kode: str) -> pd.DataFrame:
    """Target, realisation and index of one indicator for every period shown and earlier years."""
    h = sc.history[sc.history["kode"] == kode]
    earlier = h[h["tahun"] < sc.period.tahun].sort_values("tahun")
    current = h[h["tahun"] == sc.period.tahun]
    order = {p: i for i, p in enumerate(sc.period.periods_shown())}
    current = current.sort_values("periode", key=lambda s: s.map(order))
    columns = {}
    for _, r in earlier.iterrows():
        columns[str(int(r["tahun"]))] = ["", _value(r["realisasi"], teks=r["realisasi_teks"]), ""]
    for _, r in current.iterrows():
        label = PERIOD_LABELS[r["periode"]] + (" *" if r["dikonsolidasi"] else "")
        columns[label] = [_value(r["target"]), _value(r["realisasi"], teks=r["realisasi_teks"]),
                          indeks(r["capaian"])]
    frame = pd.DataFrame(columns, index=["Target", "Realisasi", "Capaian"])
    frame.index.name = "Uraian"
    return frame.reset_index()
