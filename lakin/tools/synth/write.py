"""Writing a synthetic dataset: one CSV file per unit and table, satker.csv, optional params files and the
SINTETIS.md marker, all atomically; a directory without the marker is never replaced."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from lakin.atomic import atomic_dir
from lakin.data.periods import ReportPeriod
from lakin.errors import SynthError
from lakin.tools.synth.templates import COLUMNS
from lakin.tools.synth.unit import synth_unit

__all__ = ["LATEST_YEAR", "MARKER", "SYNTH_VERSION", "SynthSummary", "generate"]

SYNTH_VERSION = 1
MARKER = "SINTETIS.md"
LATEST_YEAR = 2024


def _width(units: int) -> int:
    return max(4, len(str(units)))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_bytes(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _marker_text(units: int, years: tuple[int, ...], seed: int) -> str:
    return (
        "# Data sintetis (lakin synth)\n\n"
        "Semua satker di direktori ini buatan (`sintetis=true` di satker.csv): angka acak yang masuk akal,\n"
        "untuk uji skala dan demo. Jangan dipakai sebagai data kinerja sungguhan.\n\n"
        f"- unit: {units}\n"
        f"- tahun: {years[0]}-{years[-1]}\n"
        f"- seed: {seed}\n"
        f"- versi pembangkit: {SYNTH_VERSION}\n\n"
        "Dibuat ulang, byte demi byte, dengan:\n\n"
        f"    lakin synth --units {units} --years {len(years)} --last-year {years[-1]} --seed {seed} --out <dir>\n"
    )


def _check_target(out: Path) -> None:
    """Refuse to replace a directory that is not an earlier synthetic dataset."""
    if out.exists() and not out.is_dir():
        raise SynthError(f"'{out}' sudah ada dan bukan direktori")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SynthError(
            f"'{out}' sudah berisi berkas dan bukan keluaran lakin synth (tidak ada {MARKER}); "
            "pilih direktori lain atau kosongkan dulu"
        )


@dataclass(frozen=True)
class SynthSummary:
    """What `generate` wrote."""

    out: Path
    units: int
    years: tuple[int, ...]
    files: int
    params: int


def generate(out: str | os.PathLike, units: int, years: int = 1, seed: int = 0, latest_year: int = LATEST_YEAR,
             params: bool = False) -> SynthSummary:
    """Write a synthetic dataset of `units` units and `years` years ending with `latest_year` to `out`, atomically."""
    if units < 1:
        raise SynthError(f"--units harus >= 1, bukan {units}")
    if years < 1:
        raise SynthError(f"--years harus >= 1, bukan {years}")
    if not 2001 <= latest_year - years + 1 or latest_year > 2100:
        raise SynthError(f"Tahun {latest_year - years + 1}-{latest_year} di luar 2001-2100")
    out = Path(out)
    _check_target(out)
    year_list = tuple(range(latest_year - years + 1, latest_year + 1))
    width = _width(units)
    final_dir = out.resolve()
    files = 0
    n_params = 0
    with atomic_dir(out) as tmp:
        satker_rows = []
        made_dirs: set[str] = set()
        for number in range(1, units + 1):
            unit = synth_unit(number, year_list, seed, width)
            satker_rows.append(unit.satker_row)
            for table, rows in unit.tables.items():
                if table not in made_dirs:
                    (tmp / table).mkdir()
                    made_dirs.add(table)
                (tmp / table / f"{unit.slug}.csv").write_bytes(_csv_bytes(COLUMNS[table], rows))
                files += 1
            if params:
                folder = tmp / "params" / unit.slug
                folder.mkdir(parents=True)
                for kuartal in range(1, 5):  # 2024Q1, 2024Q2, 2024Q3 and the annual 2024
                    periode = ReportPeriod(latest_year, kuartal).label
                    text = yaml.safe_dump({"satker": unit.slug, "periode": periode, "data_dir": str(final_dir)},
                                          sort_keys=False, allow_unicode=True)
                    (folder / f"{periode}.yaml").write_text(text, encoding="utf-8")
                    n_params += 1
        (tmp / "satker.csv").write_bytes(_csv_bytes(COLUMNS["satker"], satker_rows))
        (tmp / MARKER).write_text(_marker_text(units, year_list, seed), encoding="utf-8")
        files += 2
    return SynthSummary(out, units, year_list, files, n_params)
