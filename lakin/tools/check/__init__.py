"""Validation and reconciliation (`lakin check`): every table checked, every printed figure recomputed.

A `Finding` is one thing an auditor should look at. Severity rules (also in data/README.md, section "lakin check"):

- error: the data breaks the contract (a cell, a header, a file, a reference, a duplicate key); a
  cross-table rule fails (trajectory shares not summing to 100, RPD not summing to the pagu beyond
  the rounding of its printed cells, realisation above pagu - the revenue and budget rules are
  lakin.rules.revenue.validate_revenue and lakin.rules.budget.validate_budget); or a printed *derived* figure (an
  index, a score, a change, a total, a percentage) differs from the value recomputed from the data
  after rounding half away from zero to the precision it was printed with.
- warning: a printed *input* figure (a target, a realisation, an amount the data keeps as a row)
  differs from the value the data keeps - two printed tables disagree and the data follows the more
  detailed one; a printed figure the data cannot support (an index printed where target and
  realisation are N/A, a percentage of a zero pagu, a contributor not in the data); a consolidated
  period (S1, SDQ3, Y) given in the data that contradicts its quarters under the indicator's
  konsolidasi rule (the given value is used, as the contract says); a total row that differs from
  the sum of its parts (the report uses the total; RPD printed in thousands is off by Rp1.000).
- info: printed figures that are not reconciled (their `tabel` has no recompute function, the data
  is not itemised at the printed key, or a published score whose year has no indicator detail),
  rules skipped because an input table is invalid, and one summary per satker.

`check()` returns a CheckResult; its exit code is 1 when there is an error, else 0. Failures that stop
the check before any table can be read (missing data directory, malformed --satker) are raised as
LakinError, which the CLI turns into exit code 2.

The package, one job per module: `findings` (Finding, Severity, CheckResult), `precision` (the digits a figure
was printed with, agreement after rounding), `context` (the printed figure, one unit's tables, the RECONCILERS
and RULES registries), `kinerja` / `revenue` / `budget` (how each printed `tabel` is recomputed, registered where
it is defined), `rules` (cross-table rules), `reconcile` (printed against recomputed), `prose` (numbers in the
analysts' text), `run` (the check), `output` (annex, terminal tables, the command).
"""

from __future__ import annotations

from lakin.tools.check.context import (
    RECONCILERS,
    RULES,
    Printed,
    Recomputed,
    Reconciler,
    ReconcilerKind,
    SatkerContext,
    parse_kunci,
    reconciler,
)
from lakin.tools.check.findings import SEVERITIES, CheckResult, Finding, Severity, issue_findings
from lakin.tools.check.output import MAX_LISTED, annex, main, print_result
from lakin.tools.check.precision import (
    agrees,
    indicator_interval,
    printed_digits,
    rounding_interval,
    within_input_rounding,
)
from lakin.tools.check.prose import ProseFinding, prose_findings, prose_findings_for
from lakin.tools.check.reconcile import CONSISTENT_WITHIN_ROUNDING, RECONCILIATION_RULES, resolve
from lakin.tools.check.run import check, check_model_data, check_satker, prose_check

__all__ = [
    "CONSISTENT_WITHIN_ROUNDING", "MAX_LISTED", "RECONCILERS", "RECONCILIATION_RULES", "RULES", "SEVERITIES",
    "CheckResult", "Finding", "Printed", "ProseFinding", "Recomputed", "Reconciler", "ReconcilerKind",
    "SatkerContext", "Severity", "agrees", "annex", "check", "check_model_data", "check_satker", "indicator_interval",
    "issue_findings", "main", "parse_kunci", "print_result", "printed_digits", "prose_check", "prose_findings",
    "prose_findings_for", "reconciler", "resolve", "rounding_interval", "within_input_rounding",
]
