"""The pandoc engine: pandoc (pypandoc-binary) for HTML and DOCX, Typst (the `typst` package) for PDF.

The assembled Markdown is read ONCE, in pandoc's sandbox, into a pandoc JSON document (lakin.lua's work shared by
every format done there too: each table's line breaks, number alignment and cell texts); every writer starts
from that document after `confine_resources` checked it (DOCX and Typst in the sandbox: no file read, no
network; HTML with every image inline, only lakin.css read). The writers run side by side (threads waiting
on their own pandoc or Typst), and the formats are logged in the order asked for.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path

import pypandoc
import yaml

from lakin.errors import EngineUnavailableError, RenderError
from lakin.pipeline.render.assemble import Assembly, assemble
from lakin.pipeline.render.base import MEDIA_DIR, TEMPLATES, TOC_DEPTH, TOC_TITLE
from lakin.pipeline.render.engines import RENDERERS, RenderEngine, run
from lakin.pipeline.render.interactive import interactive_html
from lakin.pipeline.render.meta import ReportMeta
from lakin.pipeline.render.pdf import compile_pdf, drop_false_suspects, typst_has_chart_fonts
from lakin.pipeline.render.safety import MARKDOWN_READER, check_html, confined_json, digest
from lakin.pipeline.render.word import png_stand_in, style_docx_tables
from lakin.present.charts import svgs_to_pngs

__all__ = ["HTML_TOC_DEPTH", "LAKIN_LUA", "RASTER_FORMATS", "STAND_INS", "PandocEngine", "put_back_svgs", "stand_ins",
           "svg_stand_in"]

log = logging.getLogger(__name__)

HTML_TOC_DEPTH = 4  # the HTML sidebar lists every per-indicator section (Bab III A.1, level 4)
# Formats that get each chart as the PNG rasterised from its SVG: DOCX (pandoc's DOCX writer embeds an SVG with
# no PNG fallback, which older Word and LibreOffice need). The PDF embeds the SVG (vectors, its text as text: Typst
# compiles a report in about half the CPU it spends decoding and re-encoding PNGs, and the PDF is half the size),
# unless Typst lacks the charts' font on this machine (`PandocEngine.png_formats`, pdf.typst_has_chart_fonts).
RASTER_FORMATS = frozenset({"docx"})
# pandoc's HTML and DOCX writers get small stand-ins of the charts, and the real images are put back in what they
# wrote: DOCX the PNGs (word.png_stand_in; its writer parsed 5 MB of base64 PNG, 2 s), HTML the SVGs
# (`svg_stand_in`; --embed-resources re-reads every inline image, 1 s). False gives pandoc the real images: the
# same files, slower (tests/test_chart_conversion.py and tests/test_build.py compare the two).
STAND_INS = True
LAKIN_LUA = str(TEMPLATES / "lakin.lua")  # the filter of the engine's read and of every writer


def stand_ins(media: Path, folder: Path, suffix: str, stand_in) -> tuple[Path, dict[str, bytes]]:
    """`folder` holding every file of `media` under its name, each `suffix` file as its stand-in
    (`stand_in(data, name)`), the others linked; and the real images by name."""
    folder.mkdir(exist_ok=True)
    images: dict[str, bytes] = {}
    for path in sorted(media.iterdir()):
        if not path.is_file() or path.is_symlink():
            continue  # confine_resources refuses what is not a regular file of the media folder
        if path.suffix.lower() != suffix:
            try:
                os.link(path, folder / path.name)  # a second name of the same regular file: nothing copied
            except OSError:
                shutil.copyfile(path, folder / path.name)
            continue
        images[path.name] = data = path.read_bytes()
        (folder / path.name).write_bytes(stand_in(data, path.name))
    return folder, images


def svg_stand_in(nonce: str, name: str) -> bytes:
    """An empty SVG naming the image it stands for; `nonce`, new for every render, keeps it unlike any image an
    analyst's text embeds."""
    return f'<svg xmlns="http://www.w3.org/2000/svg" data-lakin="{nonce} {name}"/>'.encode("ascii")


def _svg_uri(data: bytes) -> str:
    return f"data:image/svg+xml;base64,{base64.b64encode(data).decode('ascii')}"  # as confine_resources embeds


def put_back_svgs(html_text: str, images: dict[str, bytes], nonce: str) -> str:
    """The HTML pandoc wrote from SVG stand-ins, with the real SVGs in their place (the data: URI pandoc writes
    for the real image); RenderError when an image's stand-in is missing."""
    for name, data in images.items():
        stand_in = _svg_uri(svg_stand_in(nonce, name))
        if stand_in not in html_text:
            raise RenderError(f"pandoc (HTML): gambar {name} hilang dari keluaran")
        html_text = html_text.replace(stand_in, _svg_uri(data))
    return html_text


@RENDERERS.add("pandoc")
class PandocEngine(RenderEngine):
    """pandoc (pypandoc-binary) for HTML and DOCX, Typst (the `typst` package) for PDF."""

    name = "pandoc"
    auto_rank = 1  # after Quarto: the engine every machine has
    raster_formats = RASTER_FORMATS

    @classmethod
    def png_formats(cls, formats) -> frozenset[str]:
        """DOCX's charts are PNGs; the PDF's too when Typst lacks the font their text was laid out with."""
        pngs = super().png_formats(formats)
        if "pdf" in formats and not typst_has_chart_fonts():
            return pngs | {"pdf"}
        return pngs

    def available(self) -> bool:
        return find_spec("pypandoc") is not None and find_spec("typst") is not None

    def unavailable_reason(self) -> str:
        return "Mesin 'pandoc' memerlukan paket pypandoc-binary dan typst (pip install -e .)"

    @staticmethod
    def _pandoc() -> str:
        try:
            return pypandoc.get_pandoc_path()
        except OSError as exc:
            raise EngineUnavailableError(f"pandoc tidak ditemukan: {exc}") from exc

    def _common(self, source: Path, sandbox: bool = True) -> list[str]:
        """A writer run on the checked document (`confine_resources`); `--sandbox`: no file read, no network.
        `lakin-cells`: the document is this engine's read, its tables' cell texts made there (lakin.lua)."""
        return [self._pandoc(), source.name, "-f", "json", *(["--sandbox"] if sandbox else []),
                "--lua-filter", LAKIN_LUA, "--variable=lakin-cells", "--columns=1000", "--wrap=none"]

    def _read(self, source: Path, work: Path) -> dict:
        """The assembled Markdown and its metadata as a pandoc document, read in the sandbox. lakin.lua runs on it
        once for every writer: each table's line breaks, number alignment and cell texts (the attribute
        `lakin-cells`, which each writer's run of lakin.lua takes and drops)."""
        proc = run([self._pandoc(), source.name, "-f", MARKDOWN_READER, "--metadata-file", "metadata.yaml",
                    "--sandbox", "--lua-filter", LAKIN_LUA, "-t", "json"], work, "pandoc (Markdown)")
        return json.loads(proc.stdout)

    def render(self, notebooks, meta, work_dir, formats):
        work_dir = Path(work_dir)
        assembly = assemble(notebooks, work_dir / MEDIA_DIR, meta)
        source = work_dir / "report.md"
        source.write_text(assembly.markdown, encoding="utf-8")
        (work_dir / "metadata.yaml").write_text(
            yaml.safe_dump(meta.pandoc_metadata(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        media = work_dir / MEDIA_DIR
        rasters: dict[str, str] = {}
        pngs = self.png_formats(formats)
        # The one parse every writer starts from, in pandoc's process while this one draws the charts' PNGs (which
        # hold the GIL): a render with PNGs to draw waits for the longer of the two, not for their sum.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakin-read") as reading:
            read = reading.submit(self._read, source, work_dir)
            if assembly.rasters and pngs:  # each chart's PNG, drawn once from its SVG
                svgs = [(media / name).read_text(encoding="utf-8") for name in assembly.rasters]
                for png, data in zip(assembly.rasters.values(), svgs_to_pngs(svgs)):
                    (media / png).write_bytes(data)
                rasters = dict(assembly.rasters)
            document = read.result()
        # What each writer reads. HTML and DOCX get every image inline (pandoc reads no file); Typst reads image
        # files under its root. HTML and DOCX get stand-ins of the charts, the real ones put back after pandoc
        # (STAND_INS).
        inputs: dict[str, tuple[Path, bool, dict[str, str]]] = {}
        extras: dict[str, dict] = {}
        for fmt in formats:
            folder, extras[fmt] = media, {}
            if fmt == "docx" and STAND_INS:
                folder, extras[fmt]["images"] = stand_ins(media, work_dir / "media-docx", ".png", png_stand_in)
            elif fmt == "html" and STAND_INS:
                nonce = secrets.token_hex(8)
                folder, svgs = stand_ins(media, work_dir / "media-html", ".svg",
                                         lambda _data, name, nonce=nonce: svg_stand_in(nonce, name))
                extras[fmt]["put_back"] = lambda text, svgs=svgs, nonce=nonce: put_back_svgs(text, svgs, nonce)
            inputs[fmt] = (folder, fmt != "pdf", rasters if fmt in pngs else {})
        # one walk of the document checks it for every writer (RenderError before any writer runs)
        for fmt, text in confined_json(document, inputs).items():
            (work_dir / f"report-{fmt}.json").write_text(text, encoding="utf-8")

        def write(fmt: str) -> tuple[Path, float]:
            started = time.perf_counter()
            path = getattr(self, f"_{fmt}")(work_dir / f"report-{fmt}.json", meta, work_dir, assembly, **extras[fmt])
            return path, time.perf_counter() - started

        with ThreadPoolExecutor(max_workers=len(formats)) as pool:
            futures = {fmt: pool.submit(write, fmt) for fmt in formats}
        out: dict[str, Path] = {}
        for fmt, future in futures.items():
            out[fmt], seconds = future.result()
            log.info("render %s (%s): %.1f s", fmt, self.name, seconds)
        return out

    def _html(self, source: Path, meta: ReportMeta, work: Path, assembly: Assembly,
              put_back: Callable[[str], str] | None = None) -> Path:
        target = work / "report.html"
        # not sandboxed, so that pandoc can inline lakin.css: the document itself holds nothing left to read
        run(self._common(source, sandbox=False) + [
            "-t", "html5", "--standalone", "--embed-resources", "--template", str(TEMPLATES / "lakin.html"),
            "--css", str(TEMPLATES / "lakin.css"), "--toc", f"--toc-depth={HTML_TOC_DEPTH}", "--number-sections",
            "--section-divs", "-o", target.name], work, "pandoc (HTML)")
        html_text = target.read_text(encoding="utf-8")
        if put_back is not None:
            html_text = put_back(html_text)
        html_text, scripts = interactive_html(html_text, assembly.charts)
        target.write_text(html_text, encoding="utf-8")
        check_html(target, allow_inline_scripts={digest(script) for script in scripts})
        return target

    def _docx(self, source: Path, meta: ReportMeta, work: Path, assembly: Assembly,
              images: dict[str, bytes] | None = None) -> Path:
        target = work / "report.docx"
        run(self._common(source) + [
            "-t", "docx", "--reference-doc", str(TEMPLATES / "reference.docx"), "--toc", f"--toc-depth={TOC_DEPTH}",
            "--number-sections", "-o", target.name], work, "pandoc (DOCX)")
        style_docx_tables(target, images)
        return target

    def _pdf(self, source: Path, meta: ReportMeta, work: Path, assembly: Assembly) -> Path:
        body = work / "body.typ"
        run(self._common(source) + ["-t", "typst", "-o", body.name], work, "pandoc (Typst)")
        shutil.copyfile(TEMPLATES / "lakin.typ", work / "lakin.typ")
        args = ",\n".join(f'  {key}: sys.inputs.at("{key}", default: "")'
                          for key in ("nama", "singkatan", "jenis", "judul", "periode", "kementerian", "eselon1",
                                      "induk", "kota", "tahun", "skor"))
        main = work / "main.typ"
        main.write_text(
            '#import "lakin.typ": lakin-report, horizontalrule\n'
            f"#show: lakin-report.with(\n{args},\n  toc-title: \"{TOC_TITLE}\",\n)\n\n"
            + body.read_text(encoding="utf-8"), encoding="utf-8")
        target = work / "report.pdf"
        warnings = compile_pdf(main, target, work, meta.cover_fields())
        drop_false_suspects(target)
        for warning in dict.fromkeys(warnings):
            log.info("typst: %s", warning)  # e.g. a font family missing on this machine (fallback used)
        return target
