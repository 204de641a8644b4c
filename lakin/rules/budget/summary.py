"""The budget of one unit and report period: absorption (per jenis, per kegiatan, total), targets, RPD, IKPA."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lakin.data.periods import CUMULATIVE_PERIOD, ReportPeriod
from lakin.rules.budget.absorption import RpdComparison, absorption, absorption_vs_target, rpd_vs_realisasi
from lakin.rules.budget.amounts import as_period
from lakin.rules.budget.ikpa import IkpaResult, ikpa_scores
from lakin.rules.grain import table

__all__ = ["BudgetSummary", "has_budget", "summarize"]


@dataclass
class BudgetSummary:
    """Everything the budget chapter shows for one unit and report period."""

    period: ReportPeriod
    per_jenis: pd.DataFrame
    per_kegiatan: pd.DataFrame
    total: dict
    target: pd.DataFrame
    rpd: RpdComparison | None
    ikpa: IkpaResult | None

    @property
    def tahun(self) -> int:
        return self.period.tahun

    @property
    def periode_realisasi(self) -> str:
        """The realisasi_anggaran.periode the report period reads (Q1, S1, SDQ3, Y)."""
        return CUMULATIVE_PERIOD[self.period.kuartal]


def has_budget(tables, tahun: int | None = None) -> bool:
    """Whether the data holds a budget (pagu or realisation rows), for a year if given."""
    for name in ("pagu", "realisasi_anggaran"):
        df = table(tables, name)
        if not df.empty and (tahun is None or (df["tahun"] == tahun).any()):
            return True
    return False


def summarize(tables, period: ReportPeriod | str) -> BudgetSummary:
    """Pagu, realisation, absorption (per jenis, per kegiatan, total), targets, RPD and IKPA of a period."""
    rp = as_period(period)
    total = absorption(tables, rp).iloc[0].to_dict()
    return BudgetSummary(rp, absorption(tables, rp, "jenis_belanja"), absorption(tables, rp, "kegiatan_kode"),
                         total, absorption_vs_target(tables, rp), rpd_vs_realisasi(tables, rp),
                         ikpa_scores(tables, rp))
