"""Budget (anggaran): DIPA pagu, realisation, absorption, Halaman III deviation, IKPA and NKA.

Split by job: `amounts` (pagu and realisation at a key, by grain), `absorption` (per jenis, per kegiatan, total,
targets, RPD), `ikpa` (IKPA, SMART, NKA and its IKU index), `summary` (one unit and report period), `validation`
(data issues and totals that differ from their parts). `lakin.present.tables.budget`, `lakin.present.narrative.budget`
and `lakin.present.charts.budget` print it, `lakin.model.figures` puts it in JSON.
"""

from lakin.rules.budget.absorption import (
    ABSORPTION_COLUMNS,
    RpdComparison,
    absorption,
    absorption_vs_target,
    rpd_vs_realisasi,
    target_table,
)
from lakin.rules.budget.amounts import pagu_amount, realisasi_amount
from lakin.rules.budget.ikpa import NKA_BOBOT, IkpaResult, ikpa_scores, nka, nka_index, weighted_score
from lakin.rules.budget.summary import BudgetSummary, has_budget, summarize
from lakin.rules.budget.validation import MISMATCH_COLUMNS, total_mismatches, validate_budget

__all__ = [
    "ABSORPTION_COLUMNS",
    "MISMATCH_COLUMNS",
    "NKA_BOBOT",
    "BudgetSummary",
    "IkpaResult",
    "RpdComparison",
    "absorption",
    "absorption_vs_target",
    "has_budget",
    "ikpa_scores",
    "nka",
    "nka_index",
    "pagu_amount",
    "realisasi_amount",
    "rpd_vs_realisasi",
    "summarize",
    "target_table",
    "total_mismatches",
    "validate_budget",
    "weighted_score",
]
