"""Revenue targets: the decree in force on a date (a revision applies from its date) and the monthly trajectory."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import pandas as pd

from lakin.rules.grain import rows_for
from lakin.rules.revenue.realisation import TOTAL, cell_text, jenis_order
from lakin.values import is_na

__all__ = ["SHARE_TOLERANCE", "Decree", "TargetInForce", "as_date", "decree_in_force", "target_in_force", "trajectory",
           "year_decrees"]

SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class TargetInForce:
    """The revenue target in force on a date, per type and in total, and the year's original target."""

    tanggal_acuan: date
    per_jenis: pd.DataFrame = field(repr=False)  # jenis, dasar_hukum, tanggal, target
    total: float
    dasar_hukum: str
    tanggal: date
    awal_dasar_hukum: str
    awal_tanggal: date
    awal_total: float
    keputusan: pd.DataFrame = field(repr=False)  # per decree: dasar_hukum, tanggal, <jenis>..., total, berlaku

    @property
    def direvisi(self) -> bool:
        """True when the target in force is not the original decree's."""
        return self.dasar_hukum != self.awal_dasar_hukum

    def for_jenis(self, jenis: str) -> float:
        row = self.per_jenis[self.per_jenis["jenis"] == jenis]
        return float(row["target"].iloc[0]) if len(row) else math.nan


def as_date(value) -> date | None:
    if is_na(value):
        return None
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


class Decree(NamedTuple):
    """One target row: a type's target in one decree."""

    jenis: str
    dasar_hukum: str
    tanggal: date
    target: float


def year_decrees(targets: pd.DataFrame, tahun: int, satker: str | None = None) -> list[Decree]:
    rows = rows_for(targets, satker, tahun)
    if rows.empty:
        return []
    out = [Decree(cell_text(j), cell_text(d), as_date(t), float(v))
           for j, d, t, v in zip(rows["jenis"], rows["dasar_hukum"], rows["tanggal"],
                                 pd.to_numeric(rows["target"], errors="coerce"))]
    return sorted((d for d in out if d.tanggal is not None), key=lambda d: (d.tanggal, d.dasar_hukum))


def decree_in_force(decrees: list[Decree], on: date) -> TargetInForce | None:
    """Per type the decree with the latest `tanggal` <= `on` (before the first decree, the first)."""
    if not decrees:
        return None
    types = jenis_order({d.jenis for d in decrees})
    chosen = []
    for jenis in types:
        own = [d for d in decrees if d.jenis == jenis]
        valid = [d for d in own if d.tanggal <= on]
        chosen.append((valid or own[:1])[-1])
    latest = max(chosen, key=lambda d: d.tanggal)
    names = list(dict.fromkeys(d.dasar_hukum for d in decrees))  # in date order
    in_force = {d.dasar_hukum for d in chosen}
    table = []
    for name in names:
        own = [d for d in decrees if d.dasar_hukum == name]
        row = {"dasar_hukum": name, "tanggal": min(d.tanggal for d in own)}
        for jenis in types:
            values = [d.target for d in own if d.jenis == jenis]
            row[jenis] = float(sum(values)) if values else math.nan
        row[TOTAL] = float(sum(d.target for d in own))
        row["berlaku"] = name in in_force
        table.append(row)
    first = table[0]
    return TargetInForce(
        tanggal_acuan=on,
        per_jenis=pd.DataFrame([d._asdict() for d in chosen], columns=["jenis", "dasar_hukum", "tanggal", "target"]),
        total=float(sum(d.target for d in chosen)), dasar_hukum=latest.dasar_hukum, tanggal=latest.tanggal,
        awal_dasar_hukum=first["dasar_hukum"], awal_tanggal=first["tanggal"], awal_total=first[TOTAL],
        keputusan=pd.DataFrame(table),
    )


def target_in_force(targets: pd.DataFrame, on: date, satker: str | None = None) -> TargetInForce | None:
    """Per type the decree with the latest `tanggal` <= `on` (a revision applies from its date).

    Before the year's first decree, the first decree applies. None when the year has no target rows.
    """
    return decree_in_force(year_decrees(targets, on.year, satker), on)


def trajectory(trajektori: pd.DataFrame, tahun: int, target_tahunan: float, satker: str | None = None) -> pd.DataFrame:
    """Months 1..12: share (persen, persen_kumulatif) and nominal target (target, target_kumulatif).

    Shares that sum to 100 within 1e-6 are scaled to sum to exactly 100, so December's cumulative
    target equals the annual target; shares that do not are used as written (validate_revenue reports them).
    """
    rows = rows_for(trajektori, satker, tahun)
    share = pd.Series(math.nan, index=range(1, 13), dtype="float64")
    if not rows.empty:
        bulan = pd.to_numeric(rows["bulan"], errors="coerce")
        values = pd.to_numeric(rows["persen"], errors="coerce").astype("float64")
        for b, v in zip(bulan, values):
            if not is_na(b) and 1 <= int(b) <= 12:
                share[int(b)] = v
    total_share = share.sum(skipna=True)
    if share.notna().any() and abs(total_share - 100.0) <= SHARE_TOLERANCE and total_share != 0:
        share = share * (100.0 / total_share)
    frame = pd.DataFrame({"bulan": range(1, 13), "persen": share.values})
    frame["persen_kumulatif"] = frame["persen"].cumsum()
    annual = math.nan if target_tahunan is None else float(target_tahunan)
    frame["target"] = frame["persen"] / 100.0 * annual
    frame["target_kumulatif"] = frame["persen_kumulatif"] / 100.0 * annual
    return frame
