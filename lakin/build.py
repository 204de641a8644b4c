"""Building a report: execute the chapters (papermill), render them (Quarto or pandoc/Typst), export tables."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import nbformat
import pandas as pd

from .atomic import clean_stale
from .execute import KERNELS, REPORTS_DIR, RunResult, run
from .fmt import angka, tanggal


@dataclass
class BuildResult:
    """What a build produced: the executed notebooks, the rendered files, the tables workbook, timings."""

    run: RunResult
    files: dict[str, Path]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def out_dir(self) -> Path:
        return self.run.out_dir


def report_tables(notebooks: Iterable[Path]) -> dict[str, pd.DataFrame]:
    """Every table the executed chapters displayed, by caption, as data frames of display strings."""
    tables: dict[str, pd.DataFrame] = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                meta = out.get("metadata", {}).get("lakin", {})
                if meta.get("kind") != "table" or "columns" not in meta:
                    continue
                name = meta.get("caption") or meta.get("id") or f"Tabel {len(tables) + 1}"
                while name in tables:
                    name += " (2)"
                tables[name] = pd.DataFrame(meta["data"], columns=meta["columns"])
    return tables


def _foreword(unit, sc) -> str:
    """The analysts' foreword, or a plain generated one."""
    path = unit.ds.narasi_dir(unit.satker, unit.period.tahun) / "kata-pengantar.md"
    if path.is_file() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip()
    from .show import escape_md

    info = unit.info
    return escape_md(
        f"{unit.period.jenis_laporan} {info['nama']} {unit.period.nama} disusun sebagai wujud "
        f"pertanggungjawaban atas pelaksanaan tugas dan fungsi serta penggunaan anggaran sesuai Perjanjian "
        f"Kinerja. Laporan ini menyajikan capaian {sc.framework.istilah_indikator}, {sc.framework.skor_nama} "
        f"sebesar {angka(sc.overall)}, serta analisis dan rencana perbaikan untuk periode berikutnya.")


def signing_date(unit) -> date:
    """The report's signing date: narasi/<satker>/<tahun>/tanggal-<period>.txt (ISO date) if present, else today."""
    path = unit.ds.narasi_dir(unit.satker, unit.period.tahun) / f"tanggal-{unit.period.label}.txt"
    if path.is_file():
        try:
            return date.fromisoformat(path.read_text(encoding="utf-8").strip())
        except ValueError:
            from .errors import ParameterError

            raise ParameterError(f"{path}: tanggal harus berformat TTTT-BB-HH") from None
    return date.today()


def build(satker: str, periode: str, data_dir: str | Path | None = None, reports_root: str | Path = REPORTS_DIR,
          formats: Iterable[str] = ("html", "docx", "pdf"), engine: str = "auto", engine_name: str | None = KERNELS["warm"],
          signed_on: date | None = None, workbook: bool = True) -> BuildResult:
    """Execute and render one report into reports/<satker>/<period>/, plus `<satker>-<period>-tabel.xlsx`."""
    from .excel import write_report_workbook
    from .figures import open_unit
    from .render import ReportMeta, render_report

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    result = run(satker, periode, data_dir, reports_root, engine_name=engine_name)
    seconds["execute"] = time.perf_counter() - start
    unit = open_unit(result.params.satker, result.params.period, result.params.data_dir)
    sc = unit.scorecard()
    meta = ReportMeta.from_unit(
        unit.info, unit.period, tanggal=tanggal(signed_on or signing_date(unit)),
        kata_pengantar=_foreword(unit, sc),
        skor=f"{sc.framework.skor_nama}: {angka(sc.overall)}{sc.framework.skor_satuan}",
    )
    clean_stale(result.out_dir)
    start = time.perf_counter()
    files = render_report(result.notebooks, meta, result.out_dir, formats, engine)
    seconds["render"] = time.perf_counter() - start
    if workbook:
        start = time.perf_counter()
        files["xlsx"] = write_report_workbook(report_tables(result.notebooks),
                                              result.out_dir / f"{meta.stem}-tabel.xlsx")
        seconds["xlsx"] = time.perf_counter() - start
    return BuildResult(result, files, seconds)
