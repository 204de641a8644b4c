"""What a reconciliation works on: the printed figure, the unit's tables and scoring computed once, and the two
registries of `lakin check` (how each printed `tabel` is recomputed; the cross-table rules)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from lakin.data.load import FILE_COL, LINE_COL
from lakin.data.periods import DATA_PERIODS
from lakin.errors import CannotRecompute
from lakin.registry import Registry
from lakin.rules.frameworks import Framework
from lakin.rules.scoring import aggregate_levels, consolidate, score_indicators, unit_framework
from lakin.tools.check.findings import Finding
from lakin.tools.check.precision import INDEX_HALF_STEP, indicator_interval
from lakin.values import is_na

__all__ = ["RECONCILERS", "RULES", "Printed", "Recomputed", "Reconciler", "ReconcilerKind", "SatkerContext",
           "known", "parse_kunci", "reconciler", "records", "row_location"]


# --------------------------------------------------------------------------- the printed figure
def parse_kunci(kunci: str) -> tuple[dict[str, str], set[str]]:
    """'jenis=cukai;bulan=12;bruto' -> ({'jenis': 'cukai', 'bulan': '12'}, {'bruto'})."""
    keys, flags = {}, set()
    for part in str(kunci).split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            k, v = part.split("=", 1)
            keys[k.strip()] = v.strip()
        else:
            flags.add(part)
    return keys, flags


@dataclass
class Printed:
    """One printed figure to reconcile (a row of angka_dilaporkan, or a capaian_dilaporkan cell)."""

    satker: str
    tahun: int
    periode: str
    tabel: str
    kunci: str
    nilai: float
    sumber: str | None
    file: str | None
    line: int | None

    @property
    def keys(self) -> dict[str, str]:
        return parse_kunci(self.kunci)[0]

    @property
    def flags(self) -> set[str]:
        return parse_kunci(self.kunci)[1]

    def need(self, name: str) -> str:
        """The value of `name=` in the kunci, or CannotRecompute."""
        keys = self.keys
        if name not in keys:
            raise CannotRecompute(f"kunci '{self.kunci}' tidak memuat '{name}='")
        return keys[name]

    def only(self, allowed: set[str], flags: set[str] = frozenset()) -> None:
        """CannotRecompute (info) when the kunci names a key or a flag the data cannot break the figure down by."""
        extra = set(self.keys) - allowed
        if extra:
            raise CannotRecompute(f"kunci {', '.join(sorted(extra))} tidak dapat dihitung ulang dari data", "info")
        extra_flags = self.flags - set(flags) - {"total"}
        if extra_flags:
            raise CannotRecompute(f"angka {', '.join(sorted(extra_flags))} tidak dapat dihitung ulang dari data "
                                  "(data menyimpan angka netto)", "info")

    def month(self) -> int:
        """The one month the figure is of: `bulan=` of the kunci, a monthly periode (M01..M12), or 12 for Y."""
        text = self.keys.get("bulan")
        if text is not None and text.isdigit() and 1 <= int(text) <= 12:
            return int(text)
        m = re.match(r"^M(\d\d)$", self.periode)
        if m:
            return int(m[1])
        if self.periode == "Y":
            return 12
        raise CannotRecompute(f"kunci '{self.kunci}' tidak menyebut satu bulan", "info")


def known(value, reason: str | None = None) -> float:
    """A recomputed value as a float, or CannotRecompute(reason) when it is N/A."""
    if is_na(value):
        raise CannotRecompute(reason or "hasil hitung ulang N/A")
    return float(value)


def records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")


def row_location(row: dict) -> dict:
    """file= and line= of a finding about a row that was read from a file."""
    line = row.get(LINE_COL)
    return {"file": row.get(FILE_COL), "line": None if is_na(line) else int(line)}


# --------------------------------------------------------------------------- one unit
@dataclass
class SatkerContext:
    """One unit's tables and framework, with the scoring of each (year, data period) computed once."""

    satker: str
    tables: dict[str, pd.DataFrame]
    framework: Framework | None
    invalid: frozenset
    tahun: int | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def year(self, name: str, tahun: int) -> pd.DataFrame:
        def rows():
            df = self.tables[name]
            return df[df["tahun"] == tahun]
        return self.memo(("year", name, tahun), rows)

    def year_framework(self, tahun: int) -> Framework:
        """The framework with the unit's own weights of the year (the same for every period scored)."""
        return self.memo(("framework", tahun), lambda: unit_framework(self.framework, self.tables, tahun))

    def scored(self, tahun: int, periode: str):
        """(indicators, levels, overall) of one year and data period, at full precision."""
        if self.framework is None:
            raise CannotRecompute("kerangka satker tidak dikenal")
        if periode not in DATA_PERIODS:
            raise CannotRecompute(f"periode {periode} bukan periode data IKU ({', '.join(DATA_PERIODS)})")

        def compute():
            iku, nilai = self.year("iku", tahun), self.year("iku_nilai", tahun)
            if iku.empty:
                return None
            framework = self.year_framework(tahun)
            # the year is consolidated once for all its periods (S1/SDQ3/Y do not depend on the period scored)
            filled = self.memo(("consolidated", tahun), lambda: consolidate(nilai, iku, framework))
            ind = score_indicators(iku, nilai, framework, periode, filled=filled)
            levels, overall = aggregate_levels(ind, framework)
            return ind, levels, overall

        scored = self.memo(("scored", tahun, periode), compute)
        if scored is None:
            raise CannotRecompute(f"tidak ada indikator tahun {tahun} di iku.csv", severity="info")
        return scored

    def bounds(self, tahun: int, periode: str):
        """(indicators, levels, overall) as (low, high) intervals: every value the figures can take when each
        target and realisation is anywhere within the rounding of its printed value, and each level is
        aggregated from indicator indices printed at two decimals (interval arithmetic; every aggregation
        and the clamp are monotone in each of their inputs)."""

        def compute():
            ind, _, _ = self.scored(tahun, periode)
            framework = self.year_framework(tahun)
            iku = self.memo(("iku_by_kode", tahun), lambda: {r["kode"]: r for r in records(self.year("iku", tahun))})
            lows, highs = [], []
            for r in self.indicator_rows(tahun, periode):
                lo, hi = indicator_interval(r, iku.get(r["kode"], {}), framework, periode)
                lows.append(lo)
                highs.append(hi)
            out = {}
            for side, values, widen in (("lo", lows, -INDEX_HALF_STEP), ("hi", highs, INDEX_HALF_STEP)):
                frame = ind.assign(capaian=[v + widen if not is_na(v) else v for v in values])
                levels, overall = aggregate_levels(frame, framework)
                out[side] = (dict(zip(ind["kode"], values)), levels, overall)
            return out

        return self.memo(("bounds", tahun, periode), compute)

    def indicator_rows(self, tahun: int, periode: str) -> list[dict]:
        """The scored indicators of one year and data period as plain dicts, in their order."""
        return self.memo(("indicator_rows", tahun, periode), lambda: records(self.scored(tahun, periode)[0]))

    def indicator(self, tahun: int, periode: str, kode: str) -> dict:
        by_kode = self.memo(("indicator", tahun, periode),
                            lambda: {r["kode"]: r for r in self.indicator_rows(tahun, periode)})
        if kode not in by_kode:
            raise CannotRecompute(f"indikator {kode} tidak ada di iku.csv tahun {tahun}")
        return by_kode[kode]

    def memo(self, key: tuple, compute: Callable):
        """compute() once per key for this unit (recomputations share their intermediate tables)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


# --------------------------------------------------------------------------- the registries
class ReconcilerKind(enum.StrEnum):
    """What a printed figure is, which decides the severity of a disagreement."""

    DERIVED = "turunan"  # an index, score, total or percentage: a disagreement is an error
    INPUT = "masukan"  # an input the data keeps from another printed table: a warning


@dataclass(frozen=True)
class Reconciler:
    """How one kind of printed figure (`tabel` of angka_dilaporkan) is recomputed from the data."""

    compute: Callable[[SatkerContext, Printed], float]
    kind: ReconcilerKind = ReconcilerKind.DERIVED
    satuan: str = "angka"  # angka | rupiah (rupiah: precision from trailing zeros)
    inputs: tuple[str, ...] = ("iku", "iku_nilai")
    doc: str = ""
    # (low, high) the figure can take with its inputs anywhere within their printed rounding; None = not known
    bounds: Callable[[SatkerContext, Printed], tuple[float, float]] | None = None


@dataclass(frozen=True)
class Recomputed:
    """A recomputed value whose kind differs from its reconciler's default (e.g. a stored amount vs a total)."""

    value: float
    kind: ReconcilerKind | None = None


# printed `tabel` -> how it is recomputed; filled by kinerja.py, revenue.py and budget.py
RECONCILERS: Registry[Reconciler] = Registry("reconciler")
# cross-table rules, run in the order they were added (rules.py)
RULES: Registry[Callable[[SatkerContext], list[Finding]]] = Registry("check rule")


def reconciler(tabel: str, compute: Callable | None = None, **options) -> Callable:
    """Register how `tabel` is recomputed (Reconciler fields as options); without `compute`, a decorator."""
    if compute is None:
        return lambda decorated: reconciler(tabel, decorated, **options)
    RECONCILERS.add(tabel, Reconciler(compute, **options))
    return compute
