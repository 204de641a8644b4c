"""Revenue (penerimaan): netto realisation, targets in force, trajectory, achievement, year on year, projection.

Split by job: `realisation` (rows by grain), `targets` (decrees and trajectory), `summary` (one unit and report
period), `validation` (data issues). Everything is computed at full precision; `lakin.present.tables.revenue`,
`lakin.present.narrative.revenue` and `lakin.present.charts.revenue` print it, `lakin.model.figures` puts it in JSON.
"""

from lakin.rules.revenue.realisation import (
    JENIS_NAMA,
    TOTAL,
    grain_disagreements,
    is_refund,
    jenis_nama,
    realisasi_bulanan,
    realisasi_kumulatif,
    realisasi_per_akun,
)
from lakin.rules.revenue.summary import IKU_KODE, RevenueSummary, has_revenue, summarize
from lakin.rules.revenue.targets import TargetInForce, target_in_force, trajectory
from lakin.rules.revenue.validation import validate_revenue

__all__ = [
    "IKU_KODE",
    "JENIS_NAMA",
    "TOTAL",
    "RevenueSummary",
    "TargetInForce",
    "grain_disagreements",
    "has_revenue",
    "is_refund",
    "jenis_nama",
    "realisasi_bulanan",
    "realisasi_kumulatif",
    "realisasi_per_akun",
    "summarize",
    "target_in_force",
    "trajectory",
    "validate_revenue",
]
