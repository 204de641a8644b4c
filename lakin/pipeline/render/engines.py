"""The render engines' registry (`RENDERERS`, filled where each engine is defined), their base class, and
the one way an engine runs an external program."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from lakin.data.params import FORMATS
from lakin.errors import EngineUnavailableError, ParameterError, RenderError
from lakin.pipeline.render.meta import ReportMeta
from lakin.present.charts.fonts import without_chart_fonts
from lakin.registry import Registry

__all__ = ["PANDOC_TIMEOUT", "RENDERERS", "RenderEngine", "engines", "get_engine", "run"]

log = logging.getLogger(__name__)

PANDOC_TIMEOUT = 600


class RenderEngine:
    """A way to turn executed chapter notebooks into report files; subclasses add themselves to RENDERERS."""

    name = ""
    auto_rank = 100  # `auto` tries engines by rank, lowest first
    formats: tuple[str, ...] = FORMATS
    raster_formats: frozenset[str] = frozenset()  # formats that get each chart as a PNG (drawn from its SVG)

    @classmethod
    def png_formats(cls, formats: Sequence[str]) -> frozenset[str]:
        """Of `formats`, those that get each chart as a PNG on this machine (the others get its SVG)."""
        return frozenset(formats) & cls.raster_formats

    def available(self) -> bool:
        return True

    def unavailable_reason(self) -> str:
        return f"Mesin render '{self.name}' tidak tersedia di mesin ini"

    def render(self, notebooks: Sequence[Path], meta: ReportMeta, work_dir: Path,
               formats: Sequence[str]) -> dict[str, Path]:
        """Write the requested formats inside `work_dir` (a private temporary directory); return their paths."""
        raise NotImplementedError


RENDERERS: Registry[type[RenderEngine]] = Registry("renderer")


def engines() -> list[str]:
    """Registered engine names, in `auto` order (by `auto_rank`, then as added)."""
    return sorted(RENDERERS.names(), key=lambda name: RENDERERS[name].auto_rank)


def get_engine(name: str = "auto") -> RenderEngine:
    """The engine called `name`, or for "auto" the first available one; EngineUnavailableError if none."""
    if name == "auto":
        reasons = []
        for engine_name in engines():
            engine = RENDERERS[engine_name]()
            if engine.available():
                return engine
            reasons.append(engine.unavailable_reason())
        raise EngineUnavailableError("Tidak ada mesin render yang tersedia: " + "; ".join(reasons))
    if name not in RENDERERS:
        raise ParameterError(f"Mesin render {name!r} tidak dikenal; pilihan: auto, {', '.join(RENDERERS)}",
                             key="engine", value=name)
    engine = RENDERERS[name]()
    if not engine.available():
        raise EngineUnavailableError(engine.unavailable_reason())
    return engine


def run(cmd: list[str], cwd: Path, what: str, timeout: int = PANDOC_TIMEOUT) -> subprocess.CompletedProcess:
    """Run an engine's program; RenderError with its stderr when it fails, its warnings logged.

    A process that ignores Ctrl-C (a local batch worker: the batch finishes the reports being built,
    lakin.pipeline.batch.worker) runs the program in a session of its own, out of the terminal's reach: pandoc's
    runtime installs its own SIGINT handler whatever it inherits, and died of a terminal's Ctrl-C, failing a
    report the batch meant to finish (seen with `lakin batch` and Ctrl-C: "pandoc (HTML) gagal (kode -2)"). A
    process that stops on Ctrl-C (`lakin build`) keeps its programs in the terminal's group: they stop with it.
    The program sees the system's fonts (Quarto's Typst), even when started while vl-convert reads its own
    (lakin.present.charts.fonts)."""
    immune = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
                              start_new_session=immune, env=without_chart_fonts(os.environ))
    except FileNotFoundError as exc:
        raise EngineUnavailableError(f"{cmd[0]} tidak ditemukan ({what})") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{what}: melewati batas waktu {timeout} detik", command=cmd) from exc
    if proc.returncode != 0:
        raise RenderError(f"{what} gagal (kode {proc.returncode}): {proc.stderr.strip()[-2000:]}",
                           command=cmd, stderr=proc.stderr)
    for line in proc.stderr.splitlines():
        if line.strip():
            log.warning("%s: %s", what, line)
    return proc
