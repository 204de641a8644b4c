"""Report parameters: satker and period validated before they become paths or reach a notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from lakin.errors import InputTooLargeError, ParameterError
from lakin.data.periods import ReportPeriod, parse_period
from lakin.data.schemas import SATKER_PATTERN

__all__ = ["ALLOWED_KEYS", "FORMATS", "MAX_PARAMS_BYTES", "YAML_LOADER", "ReportParams", "load_params_file",
           "make_params", "parse_formats", "report_dir", "validate_period", "validate_satker"]

# YAML files (params, frameworks, outlines, lakin's configuration) are read with libyaml's parser where PyYAML has it
# (its wheels carry it), else the pure-Python one: the same documents, the same safe constructor, parsed more than
# ten times faster (lakin's own YAML files: 0.14 s against 0.01 s, in every build process and kernel).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ALLOWED_KEYS = ("satker", "periode", "data_dir")
# A params file holds three short scalars; anything bigger is refused before it is read.
MAX_PARAMS_BYTES = 64 * 1024
# Output formats of a report (lakin.pipeline.render renders them; kept here so options are checked before any work).
FORMATS = ("html", "docx", "pdf")
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
    model: str | None = None  # a saved report model (lakin.model.report_model) the build computed once, if any

    def as_notebook_parameters(self) -> dict:
        out = {"satker": self.satker, "periode": self.period.label, "data_dir": self.data_dir}
        if self.model is not None:
            out["model"] = self.model
        return out


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


class _UniqueKeyLoader(YAML_LOADER):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"kunci '{key}' ditulis dua kali (baris {seen[key] + 1} dan "
                    f"{key_node.start_mark.line + 1})", key_node.start_mark)
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def load_params_file(path: str | Path, known_satker: list[str] | None = None, check_path: bool = False) -> ReportParams:
    """Read params/<satker>/<period>.yaml, refusing unknown or repeated keys, bad values, files over
    MAX_PARAMS_BYTES and (with `check_path`) a satker or period that differs from the file's path."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PARAMS_BYTES:
            raise InputTooLargeError(str(path), size, MAX_PARAMS_BYTES)
        data = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{path}: berkas params tidak dapat dibaca: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParameterError(f"{path}: baris {line}: byte {data[exc.start]:#04x} bukan UTF-8 "
                             "(simpan ulang berkas sebagai UTF-8)") from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: YAML tidak dapat dibaca: {exc}") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: isi harus pemetaan kunci: nilai")
    unknown = sorted(set(raw) - set(ALLOWED_KEYS), key=str)
    if unknown:
        raise ParameterError(f"{path}: kunci tidak dikenal {unknown}; yang diizinkan: {', '.join(ALLOWED_KEYS)}",
                             key=unknown[0])
    for key, value in raw.items():
        if value is not None and not isinstance(value, (str, int)):
            raise ParameterError(f"{path}: nilai '{key}' harus skalar, bukan {type(value).__name__}", key=key, value=value)
    if "satker" not in raw or "periode" not in raw:
        raise ParameterError(f"{path}: kunci 'satker' dan 'periode' wajib ada")
    params = make_params(raw["satker"], raw["periode"], raw.get("data_dir"), known_satker)
    if check_path:
        expected = f"{params.satker}/{params.period.label}"
        actual = f"{path.parent.name}/{path.stem}"
        if actual != expected:
            raise ParameterError(f"{path}: isi berkas meminta laporan {expected}, tetapi berkas bernama {actual}; "
                                 f"simpan sebagai params/{expected}.yaml", key="satker", value=raw["satker"])
    return params


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """The requested output formats (`--to html,docx`), validated, without duplicates, in the order given."""
    items = formats.split(",") if isinstance(formats, str) else [p for f in formats for p in str(f).split(",")]
    wanted = tuple(dict.fromkeys(str(f).strip().lower() for f in items if str(f).strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ParameterError(f"Format {', '.join(unknown) or '(kosong)'} tidak dikenal; pilihan: {', '.join(FORMATS)} "
                             "(dipisah koma, mis. --to html,pdf)", key="to", value=formats)
    return wanted


def report_dir(root: str | Path, satker: str, period: ReportPeriod | str) -> Path:
    """reports/<satker>/<period>/ for validated values only; never escapes `root`."""
    slug = validate_satker(satker)
    rp = period if isinstance(period, ReportPeriod) else validate_period(period)
    root = Path(root).resolve()
    target = (root / slug / rp.label).resolve()
    if root not in target.parents:
        raise ParameterError(f"Direktori laporan keluar dari {root}", key="satker", value=satker)
    return target
