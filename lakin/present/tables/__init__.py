"""Report tables as DataFrames of display strings (Indonesian formatting), built from computed figures; one module
per report topic: `kinerja` (scorecard), `revenue`, `budget`."""

from lakin.present.tables.kinerja import history_table, level_table, scorecard_table

__all__ = ["history_table", "level_table", "scorecard_table"]
