"""Indicator indices, consolidation of periods, aggregation to the overall score (NKO, NPSS), and what a framework
needs from its units' data.

Split by job: `indices` (one indicator), `aggregation` (consolidation, weights, levels), `scorecard` (one unit and
report period), `validation` (data issues). Everything is computed at full precision.
"""

from lakin.rules.scoring.aggregation import aggregate, aggregate_levels, consolidate, item_weights, unit_framework
from lakin.rules.scoring.indices import NA_REASONS, clamp, indicator_index, range_index, raw_index
from lakin.rules.scoring.scorecard import Scorecard, indicator_history, overall_for, score, score_indicators
from lakin.rules.scoring.validation import validate_inputs

__all__ = [
    "NA_REASONS", "Scorecard", "aggregate", "aggregate_levels", "clamp", "consolidate", "indicator_history",
    "indicator_index", "item_weights", "overall_for", "range_index", "raw_index", "score", "score_indicators",
    "unit_framework", "validate_inputs",
]
