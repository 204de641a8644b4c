"""Work a build hands to a child process while the kernel runs the chapters: the charts of each cell the kernel
ran, and of each executed chapter, drawn into the chart cache.

Why a process and not a thread of the build's own process: drawing a chart holds the GIL about 70 ms at a time,
and the papermill client of that process, which sends the kernel its next cell, waits for it. Measured on
kppbc-balikpapan 2024 (benchmarks/README.md): the chapters took 3.1 s with no drawing beside them and 6.4 s with
the drawing thread, so the thread gained nothing over drawing at render time. The child draws on the other core;
once the last chapter ran, the build's process helps it (below).

A first build starts the child before it reads its data (a build refused for its data stops it), and the child
first starts vl-convert's Vega engine (`warm_up`, about 0.8 s): both take the core the build's process leaves free
while it imports, reads and checks the data, and the first cell's charts find the engine running. Measured on a
cold `lakin build kppbc-balikpapan 2024`, eight alternating pairs: 11.71-12.19 s against 11.95-12.55 s with the
child started after the data and its engine started by its first chart (medians 11.87 and 12.31 s).

The child is started only when it has something to draw. A build lists in the chart cache the entries of its
charts (`remember_charts`); a first build starts the child early only when the cache lacks one of them
(`charts_kept`: the report was never built with this cache, or its charts were pruned), and otherwise, like a
rebuild, with the first chart of a cell or chapter that the cache does not hold (`undrawn`). A build whose charts
were all drawn before (the same report built into another folder, `--force`, the suite's many builds) starts none:
a child's imports and Vega engine cost about 1.2 s of CPU (1.9 s while its imports loaded pandas and python-docx).
Measured on kppbc-balikpapan 2024 built into a new folder with its charts in the cache, three alternating pairs:
7.8-9.3 s of the build's CPU against 9.8-10.6 s.

The child only fills lakin's chart cache (lakin.present.charts.cache): the render finds its charts there by
content, and draws whatever is missing. So a child that fails, is killed or is slow changes no output, only the
time. It is sent each cell's charts as soon as the kernel made them (it draws a chapter's first charts while
the kernel runs the chapter's next cells), then the path of the executed notebook, whose charts it reads as the
render does (those it drew already are found in the cache); it writes nowhere but the cache. The protocol is
one JSON object per line on its stdin; it exits when stdin closes, after the last job.

Once the last chapter ran, the build's process is free. With PNGs to make (DOCX) it leaves the child a sign
(`SideWork.svgs_only`, a file in the build's work folder): the child then draws only SVGs, and the build's
process makes their PNGs as they come (lakin.pipeline.render.rasterise_drawn), which needs no Vega engine of its
own (0.8 s to start, holding the GIL). Measured on kppbc-balikpapan 2024, four alternating pairs of cold builds:
0.5-0.8 s faster than the build's process drawing SVG and PNG from the last chart back, as it still does for an
HTML-only build.

`lakin build` uses it; a batch worker keeps the drawing thread: its two workers keep both cores busy anyway, and
a child per report costs about 1 s of CPU to start (measured, `benchmarks/run.py --only b --units 10` twice each
way, alternating: 9.77 and 8.87 reports a minute with the thread, 9.50 and 8.39 with the child).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from pathlib import Path

from lakin.pipeline.render import draw_charts, notebook_charts, predraw_charts
from lakin.present.charts import drawn_svg, png_drawn, png_location, svg_location
from lakin.present.charts.cache import enabled, holds, keep, location, peek
from lakin.present.charts.fonts import vl_convert

__all__ = ["SIDEWORK_TIMEOUT", "SVGS_ONLY", "SideWork", "charts_kept", "main", "remember_charts", "undrawn",
           "warm_up"]

# Seconds the build waits for the child once its own process has drawn, from the last chart back, every chart the
# child had not (the child only has its current chart to finish and the rest to find in the cache); and, while it
# makes the PNGs of the child's SVGs, for the child's next SVG.
SIDEWORK_TIMEOUT = 10
SVGS_ONLY = "sidework-svgs-only"  # the file whose presence tells the child to draw SVGs only (`SideWork.svgs_only`)


class SideWork:
    """The child process: `draw` sends it a job, `finish` waits for them all (at most `timeout`)."""

    def __init__(self, folder: Path | None = None) -> None:
        """`folder`: the build's work folder, where `svgs_only` leaves the child its sign (None: no sign, the child
        draws every PNG it is asked for)."""
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.sign = Path(folder) / SVGS_ONLY if folder is not None else None
        if not enabled():  # no cache: nothing the child does could be found again
            return
        with contextlib.suppress(OSError):
            # -P: the working folder is not put first on the child's import path (a `lakin/` there is not imported)
            self.proc = subprocess.Popen([sys.executable, "-P", "-m", "lakin.pipeline.sidework",
                                          *([str(self.sign)] if self.sign is not None else [])],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         text=True, encoding="utf-8")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _send(self, job: dict) -> bool:
        if not self.running:
            return False
        try:
            line = json.dumps(job, sort_keys=True) + "\n"
            with self.lock:  # the engine's thread sends a cell's charts, this one a chapter
                self.proc.stdin.write(line)
                self.proc.stdin.flush()
        except (OSError, TypeError, ValueError):  # the child is gone (the render draws what it did not), or a
            return False  # spec that is not JSON
        return True

    def draw(self, notebook: Path, raster: bool) -> bool:
        """Draw an executed chapter's charts (and their PNG, with `raster`) into the cache."""
        return self._send({"draw": str(notebook), "raster": bool(raster)})

    def draw_specs(self, specs: list, raster: bool) -> bool:
        """Draw these charts of a cell that just ran (lakin.pipeline.render.cell_charts) into the cache. Sent with
        their keys sorted, as the executed notebook holds them (nbformat writes sorted keys): the render, which
        reads that notebook, looks up the same spec."""
        return self._send({"specs": specs, "raster": bool(raster)})

    def svgs_only(self) -> bool:
        """From now on the child draws only the SVGs of its charts, and the build's process makes their PNGs
        (lakin.pipeline.render.rasterise_drawn): the kernel is done and that process is free, and a PNG needs no Vega
        engine, whose start in a process costs 0.8 s. The child's input is closed: it ends after its last job.
        False, and nothing changed, when there is no child or no folder for the sign."""
        if not self.running or self.sign is None:
            return False
        with contextlib.suppress(OSError):
            self.sign.touch()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        return self.sign.exists()

    def finish(self, timeout: float = SIDEWORK_TIMEOUT) -> int | None:
        """Close the child's input and wait for it to end its jobs; the child is killed after `timeout` or when the
        build stops early (`stop`). Its exit code, or None when there was no child."""
        if self.proc is None:
            return None
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return self.stop()

    def stop(self) -> int | None:
        """End the child now (a failed or interrupted build)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        return self.proc.wait()


def undrawn(specs: list, raster: bool) -> list:
    """The charts of `specs` whose SVG, or with `raster` whose PNG, the chart cache does not hold: what a child
    would have to draw. A build starts its child with the first of them, so a build whose charts were all drawn
    before (a rebuild, a report built again into another folder, the suite's builds) starts none: its imports and
    Vega engine cost about 1.9 s of CPU for nothing."""
    missing = []
    for spec in specs:
        svg = drawn_svg(spec)
        if svg is None or (raster and not png_drawn(svg)):
            missing.append(spec)
    return missing


def _listed(satker: str, period: str) -> tuple[str, ...]:
    """The inputs of a report's list of chart entries in the cache (kind "report-charts")."""
    return ("1", satker, period)


def remember_charts(satker: str, period: str, notebooks: list[Path], raster: bool) -> None:
    """Keep in the chart cache the names of the entries the report's charts are in (their SVGs, and with `raster`
    their PNGs): the next build of the report starts its child early only when one of them is gone
    (`charts_kept`). Only time depends on it: a chart not drawn is drawn by the child or the render."""
    with contextlib.suppress(Exception):
        names = []
        for spec in (spec for notebook in notebooks for spec in notebook_charts(notebook)):
            where = svg_location(spec)
            svg = drawn_svg(spec, where)
            if svg is None:
                return
            names.append(where.name)
            if raster:
                names.append(png_location(svg).name)
        keep("report-charts", _listed(satker, period), json.dumps({"raster": raster, "entries": names}).encode())


def charts_kept(satker: str, period: str, raster: bool) -> bool:
    """True when the chart cache still holds every chart of the report's last build (`remember_charts`), their
    PNGs too with `raster`: a first build then starts no child before its chapters run (it would start its Vega
    engine for charts it will not draw), only one for a chart the cache lacks (`undrawn`)."""
    try:
        kept = json.loads(peek(location("report-charts", _listed(satker, period))) or b"null")
        return bool(kept) and (kept["raster"] or not raster) and holds(kept["entries"])
    except (ValueError, KeyError, TypeError):
        return False


def _run(job: dict, sign: Path | None) -> None:
    wanted = bool(job.get("raster", True))

    def raster() -> bool:  # the PNG too, unless the build's process makes it now (`SideWork.svgs_only`)
        return wanted and not (sign is not None and sign.exists())

    if "draw" in job:
        predraw_charts(Path(job["draw"]), raster=raster)
    elif "specs" in job:
        draw_charts(job["specs"], raster=raster)


def warm_up() -> None:
    """Start vl-convert's Vega engine (its JavaScript runtime and its fonts: about 0.8 s of the first conversion in
    a process) by drawing a chart of one point, kept nowhere. The child does it first: a first build starts the
    child before it reads its data, while the build's process leaves a core free, and the first cell's charts then
    find the engine running."""
    vl_convert().vegalite_to_svg({"data": {"values": [{"x": 1}]}, "mark": "point",
                                  "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def main(argv: list[str] | None = None) -> int:
    """The child's loop: the Vega engine started (`warm_up`), then every job of stdin, in order; a job that fails
    is left to the build's own process. Its argument names the file whose presence means: SVGs only."""
    argv = sys.argv[1:] if argv is None else argv
    sign = Path(argv[0]) if argv else None
    with contextlib.suppress(Exception):
        warm_up()
    for line in sys.stdin:
        with contextlib.suppress(Exception):
            _run(json.loads(line), sign)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
