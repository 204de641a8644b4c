"""One unit's validated data, framework and report period: what a chapter or a tool works from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lakin.data.load import Dataset, load
from lakin.data.periods import ReportPeriod, parse_period
from lakin.rules.frameworks import Framework, load_framework
from lakin.rules.scoring import Scorecard, score

__all__ = ["Unit", "open_unit"]


@dataclass
class Unit:
    """One satker's data, framework and report period: what every chapter works from."""

    ds: Dataset
    satker: str
    period: ReportPeriod
    framework: Framework

    @property
    def tables(self):
        return self.ds.for_satker(self.satker)

    @property
    def info(self):
        return self.ds.unit(self.satker)

    def scorecard(self) -> Scorecard:
        if not hasattr(self, "_scorecard"):
            self._scorecard = score(self.tables, self.satker, self.period, self.framework)
        return self._scorecard


def open_unit(satker: str, period: str | ReportPeriod, data_dir: str | Path | None = None) -> Unit:
    """Load one unit's data (validated) for a report period."""
    rp = period if isinstance(period, ReportPeriod) else parse_period(period)
    ds = load(data_dir, satker=satker)
    framework = load_framework(ds.unit(satker)["kerangka"], ds.data_dir)
    return Unit(ds, satker, rp, framework)
