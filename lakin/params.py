"""Report parameters: satker and period validated before they become paths or reach a notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ParameterError
from .periods import ReportPeriod, parse_period
from .schemas import SATKER_PATTERN

ALLOWED_KEYS = ("satker", "periode", "data_dir")
_SATKER = re.compile(SATKER_PATTERN)


def validate_satker(satker: object) -> str:
    """A satker slug safe to use as a path component (no '..', no separators, no absolute paths)."""
    if not isinstance(satker, str) or not _SATKER.fullmatch(satker):
        raise ParameterError(
            f"Satker {satker!r} tidak sah: gunakan huruf kecil, angka dan '-' (pola {SATKER_PATTERN})",
            key="satker", value=satker)
    return satker


def validate_period(period: object) -> ReportPeriod:
    """A report period (2024, 2024Q1..2024Q4), parsed."""
    if not isinstance(period, (str, int)):
        raise ParameterError(f"Periode {period!r} harus teks seperti 2024 atau 2024Q1", key="periode", value=period)
    return parse_period(str(period))


@dataclass(frozen=True)
class ReportParams:
    """Validated parameters of one report: only scalars, as they reach a notebook."""

    satker: str
    period: ReportPeriod
    data_dir: str | None = None

    def as_notebook_parameters(self) -> dict:
        return {"satker": self.satker, "periode": self.period.label, "data_dir": self.data_dir}


def make_params(satker: object, periode: object, data_dir: object = None, known_satker: list[str] | None = None) -> ReportParams:
    """Validate satker, period and data directory; refuse unknown satker when the list is given."""
    slug = validate_satker(satker)
    period = validate_period(periode)
    if known_satker is not None and slug not in known_satker:
        raise ParameterError(f"Satker '{slug}' tidak dikenal. Tersedia: {', '.join(sorted(known_satker))}",
                             key="satker", value=slug)
    if data_dir is not None and not isinstance(data_dir, (str, Path)):
        raise ParameterError(f"data_dir {data_dir!r} harus teks (path)", key="data_dir", value=data_dir)
    return ReportParams(slug, period, None if data_dir is None else str(data_dir))


def load_params_file(path: str | Path, known_satker: list[str] | None = None) -> ReportParams:
    """Read params/<satker>/<period>.yaml, refusing unknown keys and bad values."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: YAML tidak dapat dibaca: {exc}") from exc
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: isi harus pemetaan kunci: nilai")
    unknown = sorted(set(raw) - set(ALLOWED_KEYS))
    if unknown:
        raise ParameterError(f"{path}: kunci tidak dikenal {unknown}; yang diizinkan: {', '.join(ALLOWED_KEYS)}",
                             key=unknown[0])
    for key, value in raw.items():
        if value is not None and not isinstance(value, (str, int)):
            raise ParameterError(f"{path}: nilai '{key}' harus skalar, bukan {type(value).__name__}", key=key, value=value)
    if "satker" not in raw or "periode" not in raw:
        raise ParameterError(f"{path}: kunci 'satker' dan 'periode' wajib ada")
    return make_params(raw["satker"], raw["periode"], raw.get("data_dir"), known_satker)


def report_dir(root: str | Path, satker: str, period: ReportPeriod | str) -> Path:
    """reports/<satker>/<period>/ for validated values only; never escapes `root`."""
    slug = validate_satker(satker)
    rp = period if isinstance(period, ReportPeriod) else validate_period(period)
    root = Path(root).resolve()
    target = (root / slug / rp.label).resolve()
    if root not in target.parents:
        raise ParameterError(f"Direktori laporan keluar dari {root}", key="satker", value=satker)
    return target
