"""Render executed chapter notebooks into one report (HTML, DOCX, PDF) through a registry of engines.

Papermill executes; this package only renders. `render_report` takes the executed notebooks in chapter
order and writes `<satker>-<period>.html|docx|pdf` into `out_dir`, all or nothing.

Engines (`RENDERERS`, each added where it is defined; `engine="auto"` takes the first one available):

- `quarto` (quarto.py): Quarto (`quarto` on PATH) with the project's `_quarto.yml`, run with `--no-execute`;
- `pandoc` (pandoc.py): pandoc (pypandoc-binary) for HTML and DOCX, Typst (the `typst` package) for PDF.

Both engines read the same assembled Markdown (assemble.py: the rules of chapters, numbering and the official
outline), so they produce the same sections, the same numbers and the same captions; only the page layout
differs (see docs/render.md). The other parts: meta.py (ReportMeta: cover, footer, signature, file names),
notebooks.py and chapters.py (reading notebooks, numbering, figure files), outline.py, safety.py,
interactive.py (the HTML's charts and contents), word.py (the DOCX's styles), pdf.py.

Safety: text from data reaches the notebooks escaped (`lakin.present.show.escape_md`) and analysts' text checked
(`lakin.data.load.read_narasi`); the Markdown reader here has raw HTML/TeX/attributes, citations, math and YAML
blocks disabled, so data cannot produce HTML elements. The pandoc engine reads the Markdown once, in pandoc's
sandbox, and `confine_resources` refuses every image outside the media folder, every link other than
http(s)/mailto/#anchor and every attribute naming a resource; the writers then read that checked document
(DOCX and Typst in the sandbox: no file read, no network; HTML with every image inline, only lakin.css read).
The HTML is then checked (`html_problems`) for scripts, event handlers, `data:`/`file:` links and any
resource fetched from the network, and the render is refused if one is found.

Reproducible: the same executed notebooks and meta give byte-identical HTML and DOCX (chart element ids come
from figure ids, DOCX zip entries carry a fixed date). The PDF carries its creation time unless
SOURCE_DATE_EPOCH is set (pdf.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from lakin.atomic import TMP_PREFIX, atomic_path
from lakin.data.params import FORMATS, parse_formats
from lakin.errors import RenderError
from lakin.pipeline.render.assemble import Assembly, assemble
from lakin.pipeline.render.base import MEDIA_DIR, TEMPLATES, TOC_DEPTH, TOC_TITLE
from lakin.pipeline.render.chapters import (
    AssembledChapter, cell_charts, draw_charts, notebook_charts, predraw_charts, rasterise_drawn,
)
from lakin.pipeline.render.engines import RENDERERS, RenderEngine, engines, get_engine
from lakin.pipeline.render.interactive import CHART_EMBED_OPTIONS, NAV_SCRIPT, interactive_html
from lakin.pipeline.render.meta import STATUS_CLASSES, ReportMeta
from lakin.pipeline.render.outline import signature_markdown
from lakin.pipeline.render.pandoc import HTML_TOC_DEPTH, PandocEngine
from lakin.pipeline.render.pdf import PDF_STANDARDS, drop_false_suspects
from lakin.pipeline.render.quarto import QUARTO_FORMATS, QuartoEngine
from lakin.pipeline.render.safety import MARKDOWN_READER, confine_resources, html_problems
from lakin.pipeline.render.word import style_docx_tables

__all__ = [
    "CHART_EMBED_OPTIONS", "FORMATS", "HTML_TOC_DEPTH", "MARKDOWN_READER", "MEDIA_DIR", "NAV_SCRIPT", "PDF_STANDARDS",
    "QUARTO_FORMATS", "RENDERERS", "STATUS_CLASSES", "TEMPLATES", "TOC_DEPTH", "TOC_TITLE", "AssembledChapter",
    "Assembly", "PandocEngine", "QuartoEngine", "RenderEngine", "ReportMeta", "assemble", "cell_charts",
    "confine_resources", "draw_charts", "drop_false_suspects", "engines", "get_engine", "html_problems",
    "interactive_html", "log", "notebook_charts", "predraw_charts", "rasterise_drawn", "render_report",
    "signature_markdown", "style_docx_tables",
]

log = logging.getLogger(__name__)  # the engines' per-format timing lines ("render html (pandoc): 1.2 s") end here


def render_report(notebooks: Sequence[Path | str], meta: ReportMeta, out_dir: Path | str,
                  formats: str | Iterable[str] = FORMATS, engine: str = "auto") -> dict[str, Path]:
    """Render the executed chapter notebooks into `out_dir/<satker>-<periode>.<fmt>`, all formats or none.

    Everything is written in a temporary directory inside `out_dir`; the files are moved into place
    (one atomic rename each) only after every requested format has been produced, so a failure leaves
    the previous report untouched and no temporary file behind.
    """
    wanted = parse_formats(formats)
    chosen = get_engine(engine)
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise RenderError("Tidak ada bab untuk dirender")
    for p in paths:
        if not p.is_file():
            raise RenderError(f"Bab {p} tidak ditemukan", notebook=str(p))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}render-", dir=out_dir))
    try:
        produced = chosen.render(paths, meta, work, wanted)
        missing = [f for f in wanted if f not in produced or not Path(produced[f]).is_file()]
        if missing:
            raise RenderError(f"Mesin {chosen.name} tidak menghasilkan {', '.join(missing)}", formats=missing)
        result: dict[str, Path] = {}
        for fmt in wanted:
            target = out_dir / f"{meta.stem}.{fmt}"
            with atomic_path(target) as tmp:
                os.replace(produced[fmt], tmp)
            result[fmt] = target
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
