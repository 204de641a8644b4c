"""The Quarto engine: Quarto (`quarto` on PATH) with the project's `_quarto.yml`; never executes code."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from lakin.data.params import FORMATS
from lakin.errors import EngineUnavailableError, RenderError
from lakin.pipeline.render.assemble import Assembly, assemble
from lakin.pipeline.render.base import MEDIA_DIR, TEMPLATES
from lakin.pipeline.render.engines import RENDERERS, RenderEngine, run
from lakin.pipeline.render.meta import ReportMeta
from lakin.pipeline.render.pdf import drop_false_suspects
from lakin.pipeline.render.safety import check_html
from lakin.pipeline.render.word import style_docx_tables

__all__ = ["QUARTO_FORMATS", "QuartoEngine"]

log = logging.getLogger(__name__)

QUARTO_FORMATS = {"html": "html", "docx": "docx", "pdf": "typst"}


def _find_quarto_yml() -> Path:
    for base in (TEMPLATES.parent.parent, Path.cwd()):
        candidate = base / "_quarto.yml"
        if candidate.is_file():
            return candidate
    raise RenderError("_quarto.yml tidak ditemukan (dicari di akar proyek lakin dan di direktori kerja)")


@RENDERERS.add("quarto")
class QuartoEngine(RenderEngine):
    """Quarto (`quarto` on PATH) with the project's `_quarto.yml`; never executes code."""

    name = "quarto"
    auto_rank = 0  # first: where Quarto is installed, `auto` uses it
    raster_formats = frozenset(FORMATS)  # one document for every format, its charts as PNG

    def available(self) -> bool:
        return shutil.which("quarto") is not None

    def unavailable_reason(self) -> str:
        return ("Quarto tidak terpasang (tidak ada 'quarto' di PATH). Pasang dari https://quarto.org/docs/download/ "
                "atau gunakan --engine pandoc")

    def project(self, notebooks, meta: ReportMeta, stage: Path, formats: Sequence[str] = FORMATS) -> Assembly:
        """Lay out a Quarto project in `stage`: _quarto.yml (with the requested `formats` only), report.qmd,
        media/ and the templates. One document serves every format, so charts are PNG files (as DOCX needs)."""
        stage.mkdir(parents=True, exist_ok=True)
        assembly = assemble(notebooks, stage / MEDIA_DIR, meta, raster_charts=True)
        shutil.copytree(TEMPLATES, stage / "lakin" / "templates",
                        ignore=shutil.ignore_patterns("*.py", "__pycache__"), dirs_exist_ok=True)
        config = yaml.safe_load(_find_quarto_yml().read_text(encoding="utf-8")) or {}
        config["project"] = {"type": "default", "render": ["report.qmd"], "output-dir": "_out"}
        config.setdefault("execute", {})["enabled"] = False
        configured = config.get("format") or {}
        config["format"] = {QUARTO_FORMATS[f]: configured.get(QUARTO_FORMATS[f]) or "default" for f in formats}
        (stage / "_quarto.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
        front = yaml.safe_dump(meta.pandoc_metadata(), allow_unicode=True, sort_keys=False)
        (stage / "report.qmd").write_text(f"---\n{front}---\n\n{assembly.markdown}", encoding="utf-8")
        return assembly

    def render(self, notebooks, meta, work_dir, formats):
        quarto = shutil.which("quarto")
        if quarto is None:
            raise EngineUnavailableError(self.unavailable_reason())
        stage = Path(work_dir) / "quarto"
        self.project(notebooks, meta, stage, formats)
        # One call for every format: the staged project lists exactly the requested formats and `--to all`
        # renders them all (Quarto refuses a comma-separated `--to html,docx,typst`).
        to = ",".join(QUARTO_FORMATS[f] for f in formats)
        started = time.perf_counter()
        run([quarto, "render", str(stage), "--to", "all", "--no-execute"], stage, "quarto render", timeout=1800)
        log.info("render %s (quarto): %.1f s", to, time.perf_counter() - started)
        out: dict[str, Path] = {}
        for fmt in formats:
            path = stage / "_out" / f"report.{fmt}"
            if not path.is_file():
                raise RenderError(f"quarto render tidak menghasilkan {path.name}", format=fmt)
            out[fmt] = path
        if "docx" in out:
            style_docx_tables(out["docx"])
        if "pdf" in out:
            drop_false_suspects(out["pdf"])
        if "html" in out:
            check_html(out["html"], allow_inline_scripts=True)  # Quarto's own inline scripts only
        return out
