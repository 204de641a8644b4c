"""Executed chapter notebooks -> one pandoc Markdown document (`assemble`), read alike by every engine.

- Chapters are the notebooks, in the order given. A chapter's title is notebook metadata
  `lakin.chapter.title`, else `title` in a raw front-matter cell, else its first level-1 heading.
- The first level-1 heading of a notebook *is* the chapter heading: the assembler writes it first in the
  chapter (with the title above) and drops the original; further level-1 headings become level 2, so
  each notebook yields exactly one chapter heading.
- Markdown cells are included as they are, except cells tagged `parameters`, `injected-parameters`,
  `setup` or `remove-cell`; raw cells (front matter) are left out. Code cell inputs are never shown.
- Outputs: `text/markdown` is used for every output that has it (`lakin.kind` text, heading, table);
  outputs with `lakin.kind == "figure"`, or with an image and no Markdown, become image files in the media
  directory: a PNG output as it is; a chart (Vega-Lite spec) as the SVG the notebook displayed, drawn once,
  which HTML and PDF embed; DOCX gets a PNG rasterised from that SVG (`Assembly.rasters`). Other outputs
  (`text/plain`, `text/html` only, streams) are not part of the report.
- An `error` output anywhere (even in a skipped cell) refuses the render: RenderError naming the
  notebook and the cell.

Numbering rule
--------------
- `lakin.chapter.numbered` (default true) says whether a chapter is numbered. A numbered chapter's
  number is its position among the numbered chapters: with 00-ringkasan unnumbered, 01-pendahuluan is
  chapter 1 and 03-akuntabilitas chapter 3. Headings in an unnumbered chapter are all unnumbered.
- Tables (pipe or grid tables with a caption line `: ...`) and figures (figure outputs with a caption)
  are numbered per chapter in document order: "Tabel 3.2", "Gambar 3.1". In unnumbered chapters
  (executive summary, foreword) they are numbered with one running sequence shared by all unnumbered
  chapters and no chapter prefix: "Tabel 1", "Gambar 1". Figures without a caption get no number.
- Section numbers ("3.1 Capaian IKU") come from the engines' numbering of headings (pandoc `-N`, Typst
  `heading(numbering: "1.1")`, Quarto `number-sections`), which agree with the chapter numbers above
  because each notebook contributes exactly one level-1 heading.
- When `ReportMeta.kata_pengantar` is given, an unnumbered chapter "Kata Pengantar" comes first and ends
  with the signature block. A chapter with `lakin.chapter.signature: true` also ends with it; with neither,
  the signature block closes the last chapter.

Official outline (`ReportMeta.outline`, set by `ReportMeta.from_unit` from the report type)
-------------------------------------------------------------------------------------------
- With an outline (`lakin/present/outlines/<id>.yaml`), chapters are the outline's chapters, not the notebooks:
  consecutive notebooks the outline maps to one chapter form it (a later notebook's first level-1 heading
  is dropped), titled as printed in the outline ("Bab III Akuntabilitas Kinerja") and numbered by its
  Roman label (chapter 3: "Tabel 3.1", "Gambar 3.1"). Headings carry their labels in the text ("A. Capaian
  Kinerja Organisasi", "2.1 Capaian Kinerja", written by `lakin.present.sections`), so the engines number none.
- "Daftar Tabel" and "Daftar Gambar" (unnumbered, after the foreword) list every numbered table and
  figure with its caption, in print order, in every format.
- A notebook the outline does not name refuses the render (RenderError naming it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lakin.errors import RenderError
from lakin.pipeline.render.base import MEDIA_DIR
from lakin.pipeline.render.chapters import AssembledChapter, Assembler
from lakin.pipeline.render.meta import ReportMeta
from lakin.pipeline.render.notebooks import chapter_spec, chunks, first_h1, front_matter_title, read_notebook
from lakin.pipeline.render.outline import outline_chapters, outline_lists, outline_of, signature_markdown
from lakin.model.refs import escape_md

__all__ = ["Assembly", "assemble"]


@dataclass(frozen=True)
class Assembly:
    """The report as pandoc Markdown, its chapters and the image files it refers to."""

    markdown: str
    chapters: tuple[AssembledChapter, ...]
    media: tuple[Path, ...]
    charts: Mapping[str, dict] = field(default_factory=dict)  # figure id -> Vega-Lite spec (HTML: interactive)
    rasters: Mapping[str, str] = field(default_factory=dict)  # chart SVG in media -> PNG name for DOCX

    @property
    def titles(self) -> list[str]:
        return [c.title for c in self.chapters]


def assemble(notebooks: Sequence[Path | str], media_dir: Path | str, meta: ReportMeta | None = None,
             media_ref: str = MEDIA_DIR, raster_charts: bool = False) -> Assembly:
    """The executed notebooks as one pandoc Markdown document (see the module docstring for the rules).

    Figures are written to `media_dir` and referred to as `<media_ref>/<file>`; charts as SVG, or as PNG with
    `raster_charts`. With `meta`, the foreword (if any) and the signature block are included.
    """
    media_dir = Path(media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    loaded = [(Path(p), read_notebook(Path(p))) for p in notebooks]

    asm = Assembler(media_dir, media_ref, raster_charts)
    chapters: list[AssembledChapter] = []
    texts: list[str] = []
    signed = False

    if meta is not None and meta.kata_pengantar and meta.kata_pengantar.strip():
        chapter, text = asm.chapter("kata-pengantar", "Kata Pengantar", False, [meta.kata_pengantar],
                                    drop_first_h1=False, tail=signature_markdown(meta))
        chapters.append(chapter)
        texts.append(text)
        signed = True

    outline = outline_of(meta)
    if outline is not None:
        body = outline_chapters(asm, loaded, outline, meta, signed)
        at = len(chapters)  # lists of tables and figures follow the foreword, before the first chapter
        chapters.extend(c for c, _ in body)
        texts.extend(t for _, t in body)
        for item in reversed(outline_lists(asm, outline)):
            chapters.insert(at, item[0])
            texts.insert(at, item[1])
        loaded = []

    for index, (path, nb) in enumerate(loaded):
        spec = chapter_spec(nb)
        parts = chunks(nb)
        first = first_h1(c for c in parts if isinstance(c, str))
        h1_attrs = first[1] if first else ""
        front_title = front_matter_title(nb)
        if spec.get("title"):
            title_md = escape_md(spec["title"])
        elif front_title:
            title_md = escape_md(front_title)
        elif first:
            title_md = first[0]
        else:
            raise RenderError(f"Bab {path.name} tidak berjudul: beri metadata lakin.chapter.title atau judul "
                               "'# ...'", notebook=str(path))
        wants_signature = meta is not None and bool(spec.get("signature"))
        last_unsigned = meta is not None and not signed and index == len(loaded) - 1
        tail = signature_markdown(meta) if (wants_signature or last_unsigned) else ""
        signed = signed or bool(tail)
        chapter, text = asm.chapter(str(path), title_md, bool(spec.get("numbered", True)), parts,
                                    h1_attrs=h1_attrs, tail=tail)
        chapters.append(chapter)
        texts.append(text)

    if not chapters:
        raise RenderError("Tidak ada bab untuk dirender")
    return Assembly(markdown="\n\n".join(texts) + "\n", chapters=tuple(chapters), media=tuple(asm.media),
                    charts=dict(asm.charts), rasters=dict(asm.rasters))
