"""The fonts of lakin's charts: vl-convert's own Liberation Sans, never the machine's fonts.

vl-convert builds its font database once per process, at its first drawing: the system's fonts (fontdb's
`load_system_fonts`), then the Liberation Sans it carries in memory. A system font is read from its file at every
use: measuring a chart's labels opened and mapped LiberationSans-Regular.ttf 1,324 times for one chart
(benchmarks/README.md). And a system font of the same name wins over vl-convert's own: this machine's
fonts-liberation 1.07 drew the PNGs, vl-convert's 2.x elsewhere, so the same chart had different pixels on
different machines.

`vl_convert()` imports vl-convert and, the first time, has it build its font database with the fontconfig file
lakin ships (templates/vl-convert-fonts.conf: one folder, which does not exist), so only vl-convert's own fonts
are loaded. This is Linux's way (fontdb reads fontconfig there, the machines lakin runs on); on macOS and Windows
vl-convert loads the system's fonts as before. Measured on bkipm-banjarmasin 2024Q1's 18 charts: SVGs 35% and PNGs
40% faster; the SVGs are the same bytes (the two Liberation versions have the same metrics), the PNGs differ in the
anti-aliasing of some glyphs.

The file is named in the process's environment (`FONTCONFIG_FILE`) only while vl-convert reads it (about 10 ms,
under a lock). A child started in that moment would inherit it, so lakin's children that lay out text with the system's
fonts (Typst, Quarto) are given `without_chart_fonts(os.environ)`. A process in which vl-convert drew before lakin
did (Altair's `chart.save` in a notebook) keeps the fonts vl-convert loaded then: they are read once per process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from lakin import TEMPLATES_DIR

__all__ = ["FONTS_CONF", "FONTS_NOTE", "system_fonts", "vl_convert", "without_chart_fonts"]

FONTS_CONF = TEMPLATES_DIR / "vl-convert-fonts.conf"
FONTS_NOTE = "vl-convert fonts only"  # part of every chart cache key (lakin.present.charts._versions)
# an SVG with nothing to draw: rasterising it makes vl-convert build its font database, without its Vega engine
_NOTHING = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'

_lock = threading.Lock()
_ready = False


def vl_convert() -> ModuleType:
    """vl-convert, its font database built from vl-convert's own fonts only (the first call in a process)."""
    global _ready
    import vl_convert as vlc

    if not _ready:
        with _lock:
            if not _ready:
                before = os.environ.get("FONTCONFIG_FILE")
                os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)
                try:
                    vlc.svg_to_png(_NOTHING, scale=1)
                finally:
                    if before is None:
                        os.environ.pop("FONTCONFIG_FILE", None)
                    else:
                        os.environ["FONTCONFIG_FILE"] = before
                _ready = True
    return vlc


@contextmanager
def system_fonts() -> Iterator[None]:
    """Within it, this process's environment does not name the charts' fontconfig file (`vl_convert` names it
    only while holding the same lock): what reads the system's fonts in this process (Typst's font list,
    lakin.pipeline.render.pdf) sees the fonts a child would."""
    with _lock:
        yield


def without_chart_fonts(env) -> dict[str, str]:
    """`env` for a child that lays out text with the system's fonts: without the charts' fontconfig file, in case
    the child is started while vl-convert reads it."""
    return {k: v for k, v in env.items() if not (k == "FONTCONFIG_FILE" and v == str(FONTS_CONF))}
