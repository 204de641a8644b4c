"""One chapter of the assembled report: its heading, numbered tables and figures, figure files in the media folder."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lakin.pipeline.render.notebooks import (
    FENCE, heading_line, plain, read_notebook, split_heading, text_of, vegalite_spec,
)
from lakin.present.charts import drawn_svg, png_drawn, svg_location, svg_to_png, to_svg
from lakin.model.refs import escape_md

__all__ = ["AssembledChapter", "Assembler", "ID_CHARS", "cell_charts", "draw_charts", "notebook_charts",
           "predraw_charts", "rasterise_drawn"]

_CAPTION = re.compile(r"^(?:[Tt]able)?:[ \t]+(?P<caption>\S.*)$")
ID_CHARS = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class AssembledChapter:
    """One chapter of the assembled report (not `lakin.pipeline.execute.Chapter`, a notebook to execute)."""

    title: str  # plain text
    number: int | None  # None for unnumbered chapters
    source: str  # notebook path, or "kata-pengantar"
    tables: tuple[str, ...] = ()  # labels as printed: "Tabel 3.1", ...
    figures: tuple[str, ...] = ()  # "Gambar 3.1", ...


class _Counter:
    def __init__(self) -> None:
        self.table = 0
        self.figure = 0


class Assembler:
    """Walks chapters in order, numbering chapters, tables and figures and writing figure files.

    A chart (a figure output with a Vega-Lite spec) is written once, as the SVG the notebook displayed (drawn
    from the spec only when the notebook kept none): the HTML embeds it as it is. `rasters` names, for each
    chart's SVG, the PNG the formats that need one (DOCX; `RenderEngine.png_formats`) draw from it; with
    `raster_charts` (Quarto: one document for every format) the chart is written as that PNG instead.
    """

    def __init__(self, media_dir: Path, media_ref: str, raster_charts: bool = False) -> None:
        self.media_dir = media_dir
        self.media_ref = media_ref
        self.raster_charts = raster_charts
        self.chapter_count = 0
        self.front = _Counter()  # shared by all unnumbered chapters
        self.figure_seq = 0
        self.media: list[Path] = []
        self.rasters: dict[str, str] = {}  # chart SVG file name -> the PNG file name DOCX uses instead
        self.listed_tables: list[tuple[str, str]] = []  # (label, caption Markdown), for Daftar Tabel
        self.listed_figures: list[tuple[str, str]] = []  # for Daftar Gambar
        self.charts: dict[str, dict] = {}  # figure id -> Vega-Lite spec, drawn interactively in the HTML

    # --- one chapter -------------------------------------------------------------------------
    def chapter(self, source: str, title_md: str, numbered: bool, parts: list, h1_attrs: str = "",
                drop_first_h1: bool = True, tail: str = "", number_headings: bool | None = None,
                fixed_number: int | None = None) -> tuple[AssembledChapter, str]:
        """One chapter; `number_headings=False` leaves heading numbers to the text (outline labels)."""
        heads_numbered = numbered if number_headings is None else number_headings
        number = None
        counter = self.front
        if numbered:
            self.chapter_count += 1
            number = self.chapter_count if fixed_number is None else fixed_number
            counter = _Counter()
        state = {"h1_dropped": not drop_first_h1}
        tables: list[str] = []
        figures: list[str] = []

        def label(kind: str) -> str:
            setattr(counter, kind, getattr(counter, kind) + 1)
            n = getattr(counter, kind)
            return f"{number}.{n}" if number is not None else f"{n}"

        out = [heading_line(1, title_md, h1_attrs, unnumbered=not heads_numbered)]
        for chunk in parts:
            if isinstance(chunk, str):
                text = self._markdown(chunk, heads_numbered, state, label, tables)
            else:
                text = self._figure(chunk, label, figures)
            if text and text.strip():
                out.append(text.strip("\n"))
        if tail:
            out.append(tail)
        chapter = AssembledChapter(title=plain(title_md), number=number, source=source,
                                   tables=tuple(tables), figures=tuple(figures))
        return chapter, "\n\n".join(out)

    def _markdown(self, text: str, numbered: bool, state: dict, label, tables: list[str]) -> str:
        lines = text.splitlines()
        out: list[str] = []
        fenced = None
        for i, line in enumerate(lines):
            fm = FENCE.match(line)
            if fm:
                fenced = None if fenced and fm["fence"][0] == fenced else (fenced or fm["fence"][0])
                out.append(line)
                continue
            if fenced:
                out.append(line)
                continue
            h = split_heading(line)
            if h:
                level, htext, attrs = h
                if level == 1 and not state["h1_dropped"]:
                    state["h1_dropped"] = True  # the chapter heading, already written
                    continue
                level = max(level, 2)
                out.append(heading_line(level, htext, attrs, unnumbered=not numbered))
                continue
            cm = _CAPTION.match(line)
            if cm and self._next_to_table(lines, i):
                tag = f"Tabel {label('table')}"
                tables.append(tag)
                self.listed_tables.append((tag, cm["caption"]))
                out.append(f": {tag} {cm['caption']}")
                continue
            out.append(line)
        return "\n".join(out)

    @staticmethod
    def _next_to_table(lines: list[str], i: int) -> bool:
        def neighbour(step: int) -> str:
            j = i + step
            while 0 <= j < len(lines) and not lines[j].strip():
                j += step
            return lines[j].lstrip() if 0 <= j < len(lines) else ""

        return any(neighbour(s)[:1] in ("|", "+") for s in (-1, 1))

    def _write_figure(self, stem: str, data: Mapping, spec) -> Path | None:
        """The figure's file in the media folder: its PNG, else the chart's SVG (PNG with `raster_charts`),
        else its SVG; None when the output holds no image."""
        if "image/png" in data:
            path = self.media_dir / f"{stem}.png"
            path.write_bytes(base64.b64decode(text_of(data["image/png"])))
            return path
        if spec is not None:
            svg = text_of(data["image/svg+xml"]) if "image/svg+xml" in data else to_svg(spec)
            if self.raster_charts:
                path = self.media_dir / f"{stem}.png"
                path.write_bytes(svg_to_png(svg))
                return path
            path = self.media_dir / f"{stem}.svg"
            path.write_text(svg, encoding="utf-8")
            self.rasters[path.name] = f"{stem}.png"
            return path
        if "image/svg+xml" in data:
            path = self.media_dir / f"{stem}.svg"
            path.write_text(text_of(data["image/svg+xml"]), encoding="utf-8")
            return path
        return None

    def _figure(self, output: Mapping, label, figures: list[str]) -> str:
        data = output.get("data", {}) or {}
        meta = ((output.get("metadata") or {}).get("lakin") or {})
        self.figure_seq += 1
        stem = f"fig-{self.figure_seq:03d}"
        spec = vegalite_spec(data)
        path = self._write_figure(stem, data, spec)
        if path is None:
            return ""
        self.media.append(path)
        ref = f"{self.media_ref}/{path.name}"
        caption = str(meta.get("caption") or "").strip()
        width = meta.get("width")
        pct = 100
        if isinstance(width, (int, float)) and width > 0:
            pct = max(30, min(100, round(width / 6.4)))
        attrs = [f'width="{pct}%"']
        if not caption:
            if spec is not None:
                attrs.insert(0, f"#{stem.replace('fig', 'grafik')}")
                self.charts[attrs[0][1:]] = spec
            return f"![]({ref}){{{' '.join(attrs)}}}"
        tag = f"Gambar {label('figure')}"
        figures.append(tag)
        self.listed_figures.append((tag, escape_md(caption)))
        ident = ID_CHARS.sub("-", str(meta.get("id") or tag).lower()).strip("-")
        attrs.insert(0, f"#gambar-{ident}" if not ident.startswith("gambar") else f"#{ident}")
        if spec is not None:
            self.charts[attrs[0][1:]] = spec
        return f"![{tag} {escape_md(caption)}]({ref}){{{' '.join(attrs)}}}"


def cell_charts(cell: dict) -> list:
    """The Vega-Lite specs of a cell's outputs that the assembler draws (those without an image of their own)."""
    specs = []
    for output in cell.get("outputs", []) or []:
        data = output.get("data", {}) or {}
        spec = vegalite_spec(data)
        if spec is not None and "image/png" not in data and "image/svg+xml" not in data:
            specs.append(spec)
    return specs


def draw_charts(specs: Iterable, raster: bool | Callable[[], bool] = True) -> None:
    """Draw each spec's SVG (and its PNG, with `raster`, or while `raster()` holds) into the chart cache, as the
    render will look them up."""
    for spec in specs:
        svg = to_svg(spec)
        if raster() if callable(raster) else raster:
            svg_to_png(svg)


def notebook_charts(notebook: Path) -> list:
    """The specs of an executed chapter's charts that the assembler draws, in order: the render's own reader, so the
    same spec and the same cache key."""
    return [spec for cell in read_notebook(Path(notebook))["cells"] for spec in cell_charts(cell)]


def predraw_charts(notebook: Path, raster: bool | Callable[[], bool] = True, reverse: bool = False) -> int:
    """Draw every chart of an executed chapter that the assembler will draw (SVG, and its PNG with `raster`), so
    that rendering finds them in the chart cache (`lakin.present.charts.cache`, the same keys: the same spec,
    the same SVG); the number of charts. The build calls it while the kernel executes the next chapter;
    `reverse` draws the last chart first."""
    specs = notebook_charts(notebook)
    draw_charts(reversed(specs) if reverse else specs, raster)
    return len(specs)


def rasterise_drawn(specs: Iterable, done: Callable[[], bool], patience: float = 10.0, pause: float = 0.02) -> int:
    """The PNG of each chart of `specs` made as soon as another process has put its SVG in the chart cache, until
    every chart has its PNG, `done()` (that process ended) or no SVG came for `patience` seconds (the render draws
    what is still missing); the number of PNGs made here. No chart is drawn: this needs no Vega engine (its start
    costs 0.8 s), only resvg."""
    pending = [(spec, svg_location(spec)) for spec in specs]  # each chart's cache file, found once: then a stat a look
    if any(where is None for _, where in pending):  # no chart cache: nothing another process draws can be found
        return 0
    made, waited_since = 0, time.monotonic()
    while pending:
        left = []
        for spec, where in pending:
            svg = drawn_svg(spec, where) if where.exists() else None
            if svg is None:
                left.append((spec, where))
            elif not png_drawn(svg):
                svg_to_png(svg)
                made += 1
        if len(left) < len(pending):
            waited_since = time.monotonic()
        elif done() or time.monotonic() - waited_since > patience:
            break
        else:
            time.sleep(pause)
        pending = left
    return made
