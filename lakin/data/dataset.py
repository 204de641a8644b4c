"""A data directory's tables, read and validated (`lakin.data.load.load`), with the views reports ask of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lakin.data.schemas import TABLES
from lakin.errors import UnknownSatkerError

__all__ = ["Dataset"]


@dataclass
class Dataset:
    """Every table of one data directory (optionally narrowed to one satker)."""

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    satker_filter: str | None = None
    invalid: frozenset = frozenset()  # names of tables read with issues (see collect)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def unit(self, satker: str) -> pd.Series:
        """The satker.csv row of one unit."""
        rows = self.tables["satker"]
        match = rows[rows["satker"] == satker]
        if match.empty:
            raise UnknownSatkerError(satker, rows["satker"].tolist(), "satker.csv")
        return match.iloc[0]

    def for_satker(self, satker: str, tables: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
        """The named tables (all by default), per-satker ones narrowed to the rows of one unit."""
        names = tables or tuple(self.tables)
        out = {}
        for n in names:
            df = self.tables[n]
            out[n] = df if not TABLES[n].per_satker else df[df["satker"] == satker]
        return out

    def narasi_dir(self, satker: str, tahun: int) -> Path:
        """Where the analysts' texts of one unit and year are."""
        return self.data_dir / "narasi" / satker / str(tahun)

    def satker_list(self) -> list[str]:
        """The slugs of satker.csv, in file order."""
        return self.tables["satker"]["satker"].tolist()

