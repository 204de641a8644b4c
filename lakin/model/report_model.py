"""The report model: one unit and period loaded, validated and computed once, every figure under a stable name.

Chapters, generated sentences, `lakin figures` and analysts' text (`{{ nama.angka }}`) all read the model;
nothing recomputes on its own. `build_model` reads the data once; `save`/`load` hand the same snapshot to
every chapter of a build.
"""

from __future__ import annotations

import math
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lakin.data.load import Dataset, read_narasi
from lakin.data.load import load as load_data
from lakin.data.periods import ReportPeriod, parse_period
from lakin.errors import ParameterError, UnknownFigureError
from lakin.model.refs import resolve
from lakin.model.unit import Unit
from lakin.rules import budget as budget_rules
from lakin.rules import revenue as revenue_rules
from lakin.rules.budget import BudgetSummary
from lakin.rules.frameworks import Framework, load_framework
from lakin.rules.revenue import RevenueSummary
from lakin.rules.scoring import Scorecard, score
from lakin.values import angka, is_na, nilai, persen, rupiah

__all__ = ["COMMON_FOLDER", "Figure", "INDEKS", "JUMLAH", "MODEL_VERSION", "NILAI", "PERIOD_ONLY", "PERSEN", "POIN",
           "QUARTER_FOLDER", "RUPIAH", "ReportModel", "TEKS", "UnknownFigureError", "build_model", "compute_figures",
           "iku_counts", "key", "level_key", "load", "model_from_dataset", "narasi_candidates", "read_narasi_blocks",
           "save"]

MODEL_VERSION = 1
_MAGIC = b"lakin-model"

# Kinds of figure: how a value is written in every surface (one number format).
INDEKS = "indeks"      # 118,32 / 119,00 (always two decimals)
PERSEN = "persen"      # 109,16%
RUPIAH = "rupiah"      # Rp2.035.400.114.000
POIN = "poin"          # 3,67 (a difference of indices)
NILAI = "nilai"        # a target or realisation with its unit: 97,75%, 0,40 hari, 10 sertifikat
JUMLAH = "jumlah"      # a count: 20
TEKS = "teks"          # a word: Hijau, Sangat Baik

_KEY = re.compile(r"[^A-Za-z0-9]+")

# Report period -> the folder of its analysts' text under narasi/<satker>/<tahun>/ (see data/README.md).
QUARTER_FOLDER = {1: "Q1", 2: "Q2", 3: "Q3"}
COMMON_FOLDER = "umum"
# Blocks that belong to one period only: never taken from the year-wide folder.
PERIOD_ONLY = ("kata-pengantar.md",)


def key(value) -> str:
    """A code as a figure-name part: 'IKU 1' -> 'IKU-1', 'SS-1' -> 'SS-1', 'bea_masuk' -> 'bea-masuk'."""
    return _KEY.sub("-", str(value)).strip("-")


@dataclass(frozen=True)
class Figure:
    """One named figure: its raw value (None for N/A), how it is written, and its unit."""

    name: str
    value: Any
    kind: str
    satuan: str | None = None

    @property
    def na(self) -> bool:
        return self.value is None or is_na(self.value)

    def text(self) -> str:
        """The figure as every surface writes it (Indonesian)."""
        if self.na:
            return "N/A"
        if self.kind == INDEKS:
            return angka(self.value, 2)
        if self.kind == PERSEN:
            return persen(self.value)
        if self.kind == RUPIAH:
            return rupiah(self.value)
        if self.kind == POIN:
            return angka(self.value, 2)
        if self.kind == NILAI:
            return nilai(self.value, self.satuan)
        if self.kind == JUMLAH:
            return angka(self.value, 0)
        return str(self.value)

    def json_value(self):
        """JSON-ready value: None for N/A, floats as floats."""
        if self.na:
            return None
        if isinstance(self.value, (int, float)) and not isinstance(self.value, bool):
            return float(self.value) if isinstance(self.value, float) else int(self.value)
        return self.value


@dataclass
class ReportModel:
    """Everything one report states, computed once from one snapshot of the unit's data."""

    satker: str
    period: ReportPeriod
    framework: Framework
    info: pd.Series
    tables: dict[str, pd.DataFrame]
    scorecard: Scorecard
    revenue: RevenueSummary | None
    budget: BudgetSummary | None
    narasi: dict[str, str]
    figures: dict[str, Figure]
    data_dir: Path
    narasi_files: dict[str, str] = field(default_factory=dict)  # block name -> file (relative to data_dir)
    ds: Dataset | None = None  # the validated snapshot the model was computed from (this unit only)
    version: int = MODEL_VERSION

    @property
    def unit(self):
        """The model as a `lakin.model.unit.Unit` (same snapshot and scorecard), for code that takes a Unit."""
        unit = Unit(self.ds, self.satker, self.period, self.framework)
        unit._scorecard = self.scorecard
        return unit

    def value(self, name: str):
        """The raw value of a figure (None for N/A)."""
        return self.figure(name).json_value()

    def text(self, name: str) -> str:
        """A figure written as every surface writes it."""
        return self.figure(name).text()

    def figure(self, name: str) -> Figure:
        try:
            return self.figures[name]
        except KeyError:
            raise UnknownFigureError(name, sorted(self.figures)) from None

    def narasi_md(self, name: str) -> str | None:
        """The analysts' block for this period with `{{ name }}` references resolved, or None."""
        return self._resolved(name, self.narasi.get(name))

    def narasi_shown(self, name: str) -> str | None:
        """`narasi_md`, for a chapter that shows the text only as an output of its own
        (`lakin.present.show.narasi`, marked with the block's name) and otherwise asks only whether it has text.
        The incremental build then puts an edited text into that output without executing the chapter again;
        the chapter runs again when the block gains or loses its text (lakin.pipeline.incremental)."""
        shown = getattr(self.narasi, "shown", None)  # the chapters' recording copy notes this kind of read
        return self._resolved(name, shown(name) if shown is not None else self.narasi.get(name))

    def _resolved(self, name: str, text: str | None) -> str | None:
        if not text:
            return None
        return resolve(text, self, self.narasi_files.get(name, name)).strip()


# --------------------------------------------------------------------------- analysts' text per period
def narasi_candidates(data_dir: Path, satker: str, period: ReportPeriod, name: str) -> list[Path]:
    """Where a block is looked for, first hit wins (documented in data/README.md, *Analysts' text*).

    Annual report: narasi/<satker>/<tahun>/<name>, then <tahun>/umum/<name>.
    Quarterly report n: narasi/<satker>/<tahun>/Q<n>/<name>, then <tahun>/umum/<name>.
    Text written for the year (<tahun>/<name>) is year-end text: a quarterly report never reads it.
    """
    year = Path(data_dir) / "narasi" / satker / str(period.tahun)
    own = year / (name if period.is_annual else f"{QUARTER_FOLDER[period.kuartal]}/{name}")
    if name in PERIOD_ONLY:
        return [own]
    return [own, year / COMMON_FOLDER / name]


def read_narasi_blocks(data_dir: Path, satker: str, period: ReportPeriod) -> tuple[dict[str, str], dict[str, str]]:
    """Every analysts' block that applies to the period: ({name: text}, {name: file relative to data_dir})."""
    year = Path(data_dir) / "narasi" / satker / str(period.tahun)
    names: set[str] = set()
    for folder in (year, year / COMMON_FOLDER, *(year / q for q in QUARTER_FOLDER.values())):
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.suffix == ".md" and p.is_file())
    texts, files = {}, {}
    for name in sorted(names):
        for path in narasi_candidates(data_dir, satker, period, name):
            if path.is_file():
                text = read_narasi(path, data_dir).rstrip()  # untrusted: checked (lakin.data.load)
                if text.strip():
                    texts[name] = text
                    try:
                        files[name] = str(path.relative_to(data_dir))
                    except ValueError:
                        files[name] = str(path)
                break
    return texts, files


# --------------------------------------------------------------------------- the figures
def _f(out: dict, name: str, value, kind: str, satuan=None) -> None:
    if isinstance(value, float) and math.isnan(value):
        value = None
    out[name] = Figure(name, None if is_na(value) else value, kind, None if is_na(satuan) else satuan)


def level_key(level: dict) -> str:
    """A level's name part: 'perspektif', 'sasaran' (kolom without '_kode')."""
    return str(level["kolom"]).removesuffix("_kode")


def iku_counts(sc: Scorecard, depth: int) -> tuple[dict, dict]:
    """Per group of a level: (indicators in it, indicators scored), counted on the indicators themselves."""
    col = sc.levels[depth].attrs["level"]["kolom"]
    grouped = sc.indicators.groupby(col, sort=False)["capaian"]
    return grouped.size().to_dict(), grouped.count().to_dict()


def _scoring_figures(out: dict, sc: Scorecard, tables: dict[str, pd.DataFrame]) -> None:
    fw = sc.framework
    _f(out, "nko", sc.overall, INDEKS)
    _f(out, "nko.kategori", fw.kategori_for(sc.overall) if not is_na(sc.overall) else None, TEKS)
    _f(out, "nko.sebelumnya", sc.previous, INDEKS)
    _f(out, "nko.perubahan", sc.change, POIN)
    _f(out, "jumlah.iku", len(sc.indicators), JUMLAH)
    _f(out, "jumlah.iku.dinilai", int(sc.indicators["capaian"].notna().sum()), JUMLAH)
    for band, n in sc.status_counts().items():
        _f(out, f"jumlah.status.{key(band)}", n, JUMLAH)
    for depth, frame in enumerate(sc.levels):
        level = frame.attrs["level"]
        lk = level_key(level)
        _f(out, f"jumlah.{lk}", len(frame), JUMLAH)
        counts, scored = iku_counts(sc, depth)
        for _, r in frame.iterrows():
            base = f"{lk}.{key(r['kode'])}"
            _f(out, f"{base}.indeks", r["indeks"], INDEKS)
            _f(out, f"{base}.jumlah", counts.get(r["kode"], 0), JUMLAH)
            _f(out, f"{base}.dinilai", scored.get(r["kode"], 0), JUMLAH)
    nilai_tbl = tables.get("iku_nilai", pd.DataFrame())
    annual = nilai_tbl[(nilai_tbl["tahun"] == sc.period.tahun) & (nilai_tbl["periode"] == "Y")] \
        if not nilai_tbl.empty else nilai_tbl
    annual_target = dict(zip(annual["kode"], annual["target"])) if not annual.empty else {}
    for _, r in sc.indicators.iterrows():
        base = f"iku.{key(r['kode'])}"
        satuan = r.get("satuan")
        _f(out, f"{base}.target", r["target"], NILAI, satuan)
        _f(out, f"{base}.realisasi", r["realisasi"], NILAI, satuan)
        _f(out, f"{base}.capaian", r["capaian"], INDEKS)
        _f(out, f"{base}.status", r["status"], TEKS)
        tt = annual_target.get(r["kode"])
        _f(out, f"{base}.target-tahunan", tt, NILAI, satuan)
        share = None
        if not is_na(tt) and tt and not is_na(r["realisasi"]):
            share = float(r["realisasi"]) / float(tt) * 100.0
        _f(out, f"{base}.persen-tahunan", share, PERSEN)


def _revenue_figures(out: dict, s) -> None:
    if s is None:
        return
    _f(out, "penerimaan.total.realisasi", s.realisasi, RUPIAH)
    _f(out, "penerimaan.total.target", s.target_total, RUPIAH)
    _f(out, "penerimaan.total.capaian", s.capaian, PERSEN)
    _f(out, "penerimaan.total.sebelumnya", s.realisasi_sebelumnya, RUPIAH)
    _f(out, "penerimaan.total.yoy", s.yoy, PERSEN)
    _f(out, "penerimaan.proyeksi", s.proyeksi_akhir_tahun, RUPIAH)
    for _, r in s.per_jenis.iterrows():
        if r["jenis"] == "total":
            continue
        base = f"penerimaan.{key(r['jenis'])}"
        _f(out, f"{base}.realisasi", r["realisasi"], RUPIAH)
        _f(out, f"{base}.target", r["target"], RUPIAH)
        _f(out, f"{base}.capaian", r["capaian"], PERSEN)
        _f(out, f"{base}.sebelumnya", r["realisasi_sebelumnya"], RUPIAH)
        _f(out, f"{base}.yoy", r["yoy"], PERSEN)


def _budget_figures(out: dict, s) -> None:
    if s is None:
        return
    total = s.total
    _f(out, "anggaran.pagu", total.get("pagu"), RUPIAH)
    _f(out, "anggaran.realisasi", total.get("realisasi"), RUPIAH)
    _f(out, "anggaran.sisa", total.get("sisa"), RUPIAH)
    _f(out, "anggaran.penyerapan", total.get("persen"), PERSEN)
    for frame, part in ((s.per_jenis, "jenis"), (s.per_kegiatan, "kegiatan")):
        code = "jenis_belanja" if part == "jenis" else "kegiatan_kode"
        if frame is None or frame.empty or code not in frame:
            continue
        for _, r in frame.iterrows():
            if is_na(r[code]):
                continue
            base = f"anggaran.{part}.{key(r[code])}"
            _f(out, f"{base}.pagu", r.get("pagu"), RUPIAH)
            _f(out, f"{base}.realisasi", r.get("realisasi"), RUPIAH)
            _f(out, f"{base}.penyerapan", r.get("persen"), PERSEN)
    if s.ikpa is not None:
        _f(out, "anggaran.ikpa", s.ikpa.ikpa, INDEKS)
        _f(out, "anggaran.smart", s.ikpa.smart, INDEKS)
        _f(out, "anggaran.nka", s.ikpa.nka, INDEKS)


def compute_figures(sc: Scorecard, tables: dict[str, pd.DataFrame], revenue, budget) -> dict[str, Figure]:
    """The flat dict of named figures of a report."""
    out: dict[str, Figure] = {}
    _scoring_figures(out, sc, tables)
    _revenue_figures(out, revenue)
    _budget_figures(out, budget)
    return out


# --------------------------------------------------------------------------- building, saving, loading
def model_from_dataset(ds: Dataset, satker: str, period: ReportPeriod, framework: Framework | None = None) -> ReportModel:
    """The model of one unit and period from an already loaded (validated) dataset."""
    framework = framework or load_framework(ds.unit(satker)["kerangka"], ds.data_dir)
    tables = ds.for_satker(satker)
    sc = score(tables, satker, period, framework)
    rev = revenue_rules.summarize(tables, satker, period) if revenue_rules.has_revenue(tables, period.tahun) else None
    bud = budget_rules.summarize(tables, period) if budget_rules.has_budget(tables, period.tahun) else None
    narasi, files = read_narasi_blocks(ds.data_dir, satker, period)
    return ReportModel(satker, period, framework, ds.unit(satker), tables, sc, rev, bud, narasi,
                       compute_figures(sc, tables, rev, bud), Path(ds.data_dir), files, ds)


def build_model(satker: str, periode: str | ReportPeriod, data_dir: str | Path | None = None) -> ReportModel:
    """Load and validate the unit's data once, and compute everything a report of the period states."""
    period = periode if isinstance(periode, ReportPeriod) else parse_period(periode)
    ds = load_data(data_dir, satker=satker)
    return model_from_dataset(ds, satker, period)


def save(model: ReportModel, path: str | Path) -> Path:
    """Write the model to a file (the build computes it once and hands the file to every chapter)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(_MAGIC + b"\n")
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def load(path: str | Path) -> ReportModel:
    """Read a model written by `save` (refuses any other file)."""
    path = Path(path)
    with path.open("rb") as fh:
        if fh.readline().rstrip(b"\n") != _MAGIC:
            raise ParameterError(f"{path}: bukan berkas model laporan lakin", "model", str(path))
        model = pickle.load(fh)
    if not isinstance(model, ReportModel) or model.version != MODEL_VERSION:
        raise ParameterError(f"{path}: versi model laporan tidak cocok; bangun ulang laporan", "model", str(path))
    return model

