"""The headline figures of one unit and report period, as plain data (for JSON, tests and notebooks).

Read from the report model (`lakin.model.report_model`): the figures are computed once, here only arranged as JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lakin.data.load import Dataset, load
from lakin.values import is_na, round_half_up
from lakin.rules.frameworks import Framework, load_framework
from lakin.model.report_model import ReportModel, iku_counts, model_from_dataset
from lakin.data.periods import ReportPeriod, parse_period
from lakin.rules.scoring import Scorecard, score


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


def _num(value, digits: int = 2):
    if is_na(value):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return round_half_up(value, digits)


def _text(value):
    """A text cell, None for N/A (never NaN in JSON)."""
    return None if is_na(value) else value


def json_safe(value):
    """A JSON-ready copy: NaN, infinities and pandas NA become None (strict JSON parsers accept the result)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and not isinstance(value, (str, bool, int, float)) and is_na(value):
        return None
    return value


def scoring_block(unit: "Unit | ReportModel") -> dict:
    """Overall score, every level, every indicator, the previous year and the change."""
    sc = unit.scorecard() if callable(unit.scorecard) else unit.scorecard
    fw = sc.framework
    levels = {}
    for depth, frame in enumerate(sc.levels):
        level = frame.attrs["level"]
        counts, scored = iku_counts(sc, depth)
        levels[level["kolom"]] = [
            {"kode": r["kode"], "nama": r["nama"], "indeks": _num(r["indeks"]),
             "jumlah_indikator": int(counts.get(r["kode"], 0)), "jumlah_dinilai": int(scored.get(r["kode"], 0))}
            for _, r in frame.iterrows()
        ]
    indicators = [
        {
            "kode": r["kode"], "nama": r["nama"], "sasaran_kode": r["sasaran_kode"], "perspektif": r["perspektif"],
            "satuan": r["satuan"], "polaritas": r["polaritas"],
            "target": _num(r["target"], 4), "realisasi": _num(r["realisasi"], 4),
            "capaian": _num(r["capaian"]), "status": r["status"], "keterangan": _text(r["alasan_na"]),
        }
        for _, r in sc.indicators.iterrows()
    ]
    return {
        "nilai_organisasi": {"kode": fw.skor_kode, "nama": fw.skor_nama, "nilai": _num(sc.overall),
                             "kategori": None if is_na(sc.overall) else fw.kategori_for(sc.overall)},
        "kelompok": levels,
        "indikator": indicators,
        "status": sc.status_counts(),
        "sebelumnya": {"tahun": sc.period.tahun - 1, "nilai": _num(sc.previous), "sumber": sc.previous_source},
        "perubahan": _num(sc.change),
    }


# Blocks added to the figures, each (name, function(unit) -> dict | None). None = no data for it.
BLOCKS: list[tuple[str, Callable[[Unit], dict | None]]] = [("kinerja", scoring_block)]


def register_block(name: str, fn: Callable[[Unit], dict | None]) -> None:
    """Add a block to `figures` (revenue and budget register theirs)."""
    global BLOCKS
    BLOCKS = [(n, f) for n, f in BLOCKS if n != name] + [(name, fn)]


def figures(unit: "Unit | ReportModel") -> dict:
    """All headline figures of a unit and period as a JSON-ready dict (read from the report model)."""
    from lakin.rules import budget
    from lakin.rules import revenue  # noqa: F401  (their blocks register on import

    if isinstance(unit, Unit):
        unit = model_from_dataset(unit.ds, unit.satker, unit.period, unit.framework)
    info = unit.info
    out = {
        "satker": unit.satker,
        "nama": info["nama"],
        "periode": unit.period.label,
        "periode_data": unit.period.data_period(unit.framework.periode),
        "kerangka": unit.framework.id,
    }
    for name, fn in BLOCKS:
        block = fn(unit)
        if block is not None:
            if name == "kinerja":
                out.update(block)
            else:
                out[name] = block
    return json_safe(out)
