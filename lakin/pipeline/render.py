"""Render executed chapter notebooks into one report (HTML, DOCX, PDF) through a registry of engines.

Papermill executes; this module only renders. `render_report` takes the executed notebooks in chapter
order and writes `<satker>-<period>.html|docx|pdf` into `out_dir`, all or nothing.

Engines (registered at the foot of this module; `engine="auto"` takes the first one available):

- `quarto`: Quarto (`quarto` on PATH) with the project's `_quarto.yml`, run with `--no-execute`;
- `pandoc`: pandoc (pypandoc-binary) for HTML and DOCX, Typst (the `typst` package) for PDF.

Both engines read the same assembled Markdown (`assemble`), so they produce the same sections, the same
numbers and the same captions; only the page layout differs (see docs/render.md).

Assembly of the notebooks (`assemble`)
--------------------------------------
- Chapters are the notebooks, in the order given. A chapter's title is notebook metadata
  `lakin.chapter.title`, else `title` in a raw front-matter cell, else its first level-1 heading.
- The first level-1 heading of a notebook *is* the chapter heading: the assembler writes it first in the
  chapter (with the title above) and drops the original; further level-1 headings become level 2, so
  each notebook yields exactly one chapter heading.
- Markdown cells are included as they are, except cells tagged `parameters`, `injected-parameters`,
  `setup` or `remove-cell`; raw cells (front matter) are left out. Code cell inputs are never shown.
- Outputs: `text/markdown` is used for every output that has it (`lakin.kind` text, heading, table);
  outputs with `lakin.kind == "figure"`, or with an image and no Markdown, become image files (PNG) in
  the media directory. Other outputs (`text/plain`, `text/html` only, streams) are not part of the report.
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
- With an outline (`lakin/outlines/<id>.yaml`), chapters are the outline's chapters, not the notebooks:
  consecutive notebooks the outline maps to one chapter form it (a later notebook's first level-1 heading
  is dropped), titled as printed in the outline ("Bab III Akuntabilitas Kinerja") and numbered by its
  Roman label (chapter 3: "Tabel 3.1", "Gambar 3.1"). Headings carry their labels in the text ("A. Capaian
  Kinerja Organisasi", "2.1 Capaian Kinerja", written by `lakin.present.sections`), so the engines number none.
- "Daftar Tabel" and "Daftar Gambar" (unnumbered, after the foreword) list every numbered table and
  figure with its caption, in print order, in every format.
- A notebook the outline does not name refuses the render (RenderError naming it).

Safety: text from data reaches the notebooks escaped (`lakin.present.show.escape_md`) and analysts' text checked
(`lakin.data.load.read_narasi`); the Markdown reader here has raw HTML/TeX/attributes, citations, math and YAML
blocks disabled, so data cannot produce HTML elements. The pandoc engine reads the Markdown once, in pandoc's
sandbox, and `confine_resources` refuses every image outside the media folder, every link other than
http(s)/mailto/#anchor and every attribute naming a resource; the writers then read that checked document
(DOCX and Typst in the sandbox: no file read, no network; HTML with every image inline, only lakin.css read).
The HTML is then checked (`html_problems`) for scripts, event handlers, `data:`/`file:` links and any
resource fetched from the network, and the render is refused if one is found.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import yaml

from lakin.atomic import TMP_PREFIX, atomic_path
from lakin.errors import EngineUnavailableError, ParameterError, RenderError
from lakin.values import is_na
from lakin.data.params import validate_period, validate_satker
from lakin.data.periods import ReportPeriod
from lakin.present.show import escape_md

__all__ = [
    "FORMATS", "Assembly", "Chapter", "ReportMeta", "RenderEngine", "PandocEngine", "QuartoEngine",
    "assemble", "engines", "get_engine", "html_problems", "register", "render_report", "signature_markdown",
    "style_docx_tables",
]

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FORMATS = ("html", "docx", "pdf")
SKIPPED_TAGS = frozenset({"parameters", "injected-parameters", "setup", "remove-cell", "remove_cell"})
# Pandoc's Markdown without raw HTML/TeX/attribute blocks, citations (@), math ($) and YAML blocks (which could
# set css or other resources): Markdown from data can never become markup or a file to read.
MARKDOWN_READER = "markdown-raw_html-raw_attribute-raw_tex-citations-tex_math_dollars-yaml_metadata_block"
TOC_TITLE = "Daftar Isi"
TOC_DEPTH = 2
STATUS_CLASSES = {"Hijau": "hijau", "Kuning": "kuning", "Merah": "merah"}  # chips in the HTML (lakin.css)
HTML_TOC_DEPTH = 4  # the HTML sidebar lists every per-indicator section (Bab III A.1, level 4)
CHARTS_FILE = "charts.json"
MEDIA_DIR = "media"
PANDOC_TIMEOUT = 600


# --------------------------------------------------------------------------------------------------
# What the cover, footer and signature block say


@dataclass(frozen=True)
class ReportMeta:
    """The report's identity: cover, footer, signature block and file names (`<satker>-<periode>.*`)."""

    satker: str  # slug, e.g. "kppbc-balikpapan" (validated: safe as a file name)
    nama: str  # unit name as printed on the cover
    periode: str  # period label, "2024" or "2024Q1" (validated, canonical)
    periode_nama: str  # "Tahun 2024", "Triwulan I Tahun 2024"
    jenis_laporan: str = "Laporan Kinerja"  # "Laporan Kinerja Tahunan", "Laporan Kinerja Triwulan I"
    singkatan: str = ""
    kementerian: str = ""
    unit_eselon1: str = ""
    induk: str = ""
    kota: str = ""
    tanggal: str = ""  # signing date as text, "31 Januari 2025"
    kepala: str = ""  # name of the head of the unit (signs the report)
    jabatan_kepala: str = ""  # "Kepala Kantor"
    kata_pengantar: str | None = None  # foreword (Markdown); chapter notebooks may supply it instead
    skor: str | None = None  # optional cover line, e.g. "Nilai Kinerja Organisasi: 118,32"
    outline: str | None = None  # lakin/outlines/<id>.yaml: chapters as the official outline; None = one per notebook
    # HTML first page (pandoc engine): tiles (label, value, note) and status counts (name, count), `with_model`
    ikhtisar: tuple[tuple[str, str, str], ...] = ()
    status: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        validate_satker(self.satker)
        object.__setattr__(self, "periode", validate_period(self.periode).label)
        for name in ("nama", "periode_nama", "jenis_laporan"):
            if not str(getattr(self, name) or "").strip():
                raise ParameterError(f"ReportMeta.{name} wajib diisi", key=name)

    @property
    def stem(self) -> str:
        """File name without extension: `<satker>-<periode>`."""
        return f"{self.satker}-{self.periode}"

    @property
    def tahun(self) -> str:
        return self.periode[:4]

    @classmethod
    def from_unit(cls, info: Mapping, period: ReportPeriod | str, tanggal: str = "",
                  kata_pengantar: str | None = None, skor: str | None = None) -> ReportMeta:
        """From a satker.csv row (`Dataset.unit(satker)`) and the report period (outline of its report type)."""
        from lakin.present.outlines import outline_for

        rp = period if isinstance(period, ReportPeriod) else validate_period(period)

        def get(key: str) -> str:
            value = info.get(key, "") if hasattr(info, "get") else ""
            return "" if value is None or is_na(value) else str(value)

        return cls(
            satker=get("satker"), nama=get("nama"), periode=rp.label, periode_nama=rp.nama,
            jenis_laporan=rp.jenis_laporan, singkatan=get("singkatan"), kementerian=get("kementerian"),
            unit_eselon1=get("unit_eselon1"), induk=get("induk"), kota=get("kota"), tanggal=tanggal,
            kepala=get("kepala"), jabatan_kepala=get("jabatan_kepala"), kata_pengantar=kata_pengantar, skor=skor,
            outline=outline_for(rp).id,
        )

    @property
    def judul(self) -> str:
        """The report's title with its period said once: "Laporan Kinerja Triwulan III Tahun 2024"."""
        jenis, periode = self.jenis_laporan.split(), self.periode_nama.split()
        for k in range(min(len(jenis), len(periode)), 0, -1):
            if jenis[-k:] == periode[:k]:
                return " ".join(jenis + periode[k:])
        if jenis and periode and jenis[-1].startswith(periode[0]):  # "... Tahunan" + "Tahun 2024"
            jenis = jenis[:-1]
        return " ".join(jenis + periode)

    def cover_fields(self) -> dict[str, str]:
        """Plain-text cover fields (Typst `sys.inputs`; templates escape them themselves)."""
        return {
            "nama": self.nama, "singkatan": self.singkatan, "jenis": self.jenis_laporan, "judul": self.judul,
            "periode": self.periode_nama, "kementerian": self.kementerian, "eselon1": self.unit_eselon1,
            "induk": self.induk, "kota": self.kota, "tahun": self.tahun, "skor": self.skor or "",
            "tanggal": self.tanggal,
        }

    def pandoc_metadata(self) -> dict:
        """Document metadata for pandoc/Quarto; values are Markdown, so every data text is escaped."""
        e = escape_md
        authors = [e(v) for v in (self.unit_eselon1, self.kementerian) if v]
        if self.skor:
            authors.append(e(self.skor))
        return {
            "title": e(self.jenis_laporan),
            "subtitle": e(self.nama),
            "author": authors,
            "date": e(self.periode_nama),
            "pagetitle": e(f"{self.jenis_laporan} {self.singkatan or self.nama} {self.periode_nama}"),
            "lang": "id",
            "toc-title": TOC_TITLE,
            "lakin": {k: e(v) for k, v in self.cover_fields().items() if v},
            "lakin-ikhtisar": [{"label": e(label), "nilai": e(value), "catatan": e(note)}
                               for label, value, note in self.ikhtisar],
            "lakin-status": [{"nama": e(name), "jumlah": e(count), "kelas": STATUS_CLASSES.get(name, "lain")}
                             for name, count in self.status],
            "lakin-status-label": "Status capaian indikator",
        }

    def with_model(self, model) -> ReportMeta:
        """This meta with the HTML first page's tiles taken from a report model (`lakin.model.report_model.ReportModel`):
        the overall score and its change, the status counts, revenue achievement and budget absorption."""
        fw = model.framework
        figures = model.figures

        def text(name: str) -> str:
            return model.text(name) if name in figures else "N/A"

        tiles = []
        change = figures.get("nko.perubahan")
        note = ""
        if change is not None and not change.na:
            sign = "+" if change.value > 0 else ""
            note = f"{sign}{change.text()} poin dari {text('nko.sebelumnya')} tahun lalu"
        tiles.append((fw.skor_nama, f"{text('nko')}{fw.skor_satuan or ''}", note))
        if "penerimaan.total.capaian" in figures:
            yoy = figures.get("penerimaan.total.yoy")
            note = "" if yoy is None or yoy.na else f"{'+' if yoy.value > 0 else ''}{yoy.text()} dibanding tahun lalu"
            tiles.append(("Capaian penerimaan", text("penerimaan.total.capaian"), note))
        if "anggaran.penyerapan" in figures:
            absorbed = figures.get("anggaran.realisasi")
            note = (f"realisasi {model.period.nama} belum tersedia dalam data; pagu {text('anggaran.pagu')}"
                    if absorbed is None or absorbed.na else f"{absorbed.text()} dari pagu {text('anggaran.pagu')}")
            tiles.append(("Penyerapan anggaran", text("anggaran.penyerapan"), note))
        counts = model.scorecard.status_counts()
        status = tuple((str(name), str(n)) for name, n in counts.items() if n or name in STATUS_CLASSES)
        return replace(self, ikhtisar=tuple(tiles), status=status)


# --------------------------------------------------------------------------------------------------
# Notebooks -> one Markdown document


@dataclass(frozen=True)
class Chapter:
    """One chapter of the assembled report."""

    title: str  # plain text
    number: int | None  # None for unnumbered chapters
    source: str  # notebook path, or "kata-pengantar"
    tables: tuple[str, ...] = ()  # labels as printed: "Tabel 3.1", ...
    figures: tuple[str, ...] = ()  # "Gambar 3.1", ...


@dataclass(frozen=True)
class Assembly:
    """The report as pandoc Markdown, its chapters and the image files it refers to."""

    markdown: str
    chapters: tuple[Chapter, ...]
    media: tuple[Path, ...]
    charts: Mapping[str, dict] = field(default_factory=dict)  # figure id -> Vega-Lite spec (HTML: interactive)

    @property
    def titles(self) -> list[str]:
        return [c.title for c in self.chapters]


_HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
_ATTRS = re.compile(r"[ \t]*(?<!\\)\{(?P<attrs>[^{}]*)(?<!\\)\}$")
_CLOSING_HASHES = re.compile(r"(?<!\\)[ \t]+#+$")
_CAPTION = re.compile(r"^(?:[Tt]able)?:[ \t]+(?P<caption>\S.*)$")
_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")
_ID_CHARS = re.compile(r"[^a-z0-9-]+")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _plain(markdown_text: str) -> str:
    """A heading's Markdown as plain text (escapes and emphasis marks removed)."""
    text = re.sub(r"\\(.)", r"\1", markdown_text)
    return re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text).strip()


def _split_heading(line: str) -> tuple[int, str, str] | None:
    """(level, text, attrs) of an ATX heading line, or None."""
    m = _HEADING.match(line)
    if not m:
        return None
    text = m["text"] or ""
    attrs = ""
    am = _ATTRS.search(text)
    if am:
        attrs, text = am["attrs"].strip(), text[: am.start()]
    text = _CLOSING_HASHES.sub("", text).strip()
    return len(m["hashes"]), text, attrs


def _heading_line(level: int, text: str, attrs: str, unnumbered: bool) -> str:
    parts = attrs.split() if attrs else []
    if unnumbered and ".unnumbered" not in parts and "-" not in parts:
        parts.append(".unnumbered")
    suffix = " {" + " ".join(parts) + "}" if parts else ""
    return f"{'#' * level} {text}{suffix}"


def _error(message: str, **fields) -> RenderError:
    err = RenderError(message)
    for key, value in fields.items():
        setattr(err, key, value)
    return err


def _check_no_errors(nb, path: Path) -> None:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                count = cell.get("execution_count")
                where = f"sel {index}" + (f" (In [{count}])" if count else "")
                raise _error(
                    f"Bab {path.name}: {where} berisi galat {ename}: {evalue}. Laporan tidak dirender; "
                    f"perbaiki bab ini dan jalankan ulang.",
                    notebook=str(path), cell_index=index, ename=ename, evalue=evalue)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _front_matter_title(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "raw":
            text = _text(cell.source).strip()
            if text.startswith("---"):
                try:
                    data = yaml.safe_load(text.strip("-\n ")) or {}
                except yaml.YAMLError:
                    return None
                title = data.get("title") if isinstance(data, dict) else None
                return str(title) if title else None
    return None


def _first_h1(chunks: Iterable[str]) -> tuple[str, str] | None:
    for chunk in chunks:
        fenced = None
        for line in chunk.splitlines():
            fm = _FENCE.match(line)
            if fm:
                fenced = None if fenced and fm["fence"][0] == fenced else (fenced or fm["fence"][0])
                continue
            if fenced:
                continue
            h = _split_heading(line)
            if h and h[0] == 1:
                return h[1], h[2]
    return None


class _Counter:
    def __init__(self) -> None:
        self.table = 0
        self.figure = 0


class _Assembler:
    """Walks chapters in order, numbering chapters, tables and figures and writing figure files."""

    def __init__(self, media_dir: Path, media_ref: str) -> None:
        self.media_dir = media_dir
        self.media_ref = media_ref
        self.chapter_count = 0
        self.front = _Counter()  # shared by all unnumbered chapters
        self.figure_seq = 0
        self.media: list[Path] = []
        self.listed_tables: list[tuple[str, str]] = []  # (label, caption Markdown), for Daftar Tabel
        self.listed_figures: list[tuple[str, str]] = []  # for Daftar Gambar
        self.charts: dict[str, dict] = {}  # figure id -> Vega-Lite spec, drawn interactively in the HTML

    # --- one chapter -------------------------------------------------------------------------
    def chapter(self, source: str, title_md: str, numbered: bool, chunks: list, h1_attrs: str = "",
                drop_first_h1: bool = True, tail: str = "", number_headings: bool | None = None,
                fixed_number: int | None = None) -> tuple[Chapter, str]:
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

        parts = [_heading_line(1, title_md, h1_attrs, unnumbered=not heads_numbered)]
        for chunk in chunks:
            if isinstance(chunk, str):
                text = self._markdown(chunk, heads_numbered, state, label, tables)
            else:
                text = self._figure(chunk, label, figures)
            if text and text.strip():
                parts.append(text.strip("\n"))
        if tail:
            parts.append(tail)
        chapter = Chapter(title=_plain(title_md), number=number, source=source,
                          tables=tuple(tables), figures=tuple(figures))
        return chapter, "\n\n".join(parts)

    def _markdown(self, text: str, numbered: bool, state: dict, label, tables: list[str]) -> str:
        lines = text.splitlines()
        out: list[str] = []
        fenced = None
        for i, line in enumerate(lines):
            fm = _FENCE.match(line)
            if fm:
                fenced = None if fenced and fm["fence"][0] == fenced else (fenced or fm["fence"][0])
                out.append(line)
                continue
            if fenced:
                out.append(line)
                continue
            h = _split_heading(line)
            if h:
                level, htext, attrs = h
                if level == 1 and not state["h1_dropped"]:
                    state["h1_dropped"] = True  # the chapter heading, already written
                    continue
                level = max(level, 2)
                out.append(_heading_line(level, htext, attrs, unnumbered=not numbered))
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

    def _figure(self, output: Mapping, label, figures: list[str]) -> str:
        data = output.get("data", {}) or {}
        meta = ((output.get("metadata") or {}).get("lakin") or {})
        self.figure_seq += 1
        stem = f"fig-{self.figure_seq:03d}"
        spec = next((data[k] for k in data if k.startswith("application/vnd.vegalite")), None)
        if "image/png" in data:
            path = self.media_dir / f"{stem}.png"
            path.write_bytes(base64.b64decode(_text(data["image/png"])))
        elif spec is not None:
            # Notebooks keep charts small (Vega-Lite spec + SVG); documents get a PNG drawn from the same spec.
            from lakin.present.charts import to_png

            path = self.media_dir / f"{stem}.png"
            path.write_bytes(to_png(spec))
        elif "image/svg+xml" in data:
            path = self.media_dir / f"{stem}.svg"
            path.write_text(_text(data["image/svg+xml"]), encoding="utf-8")
        else:
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
        ident = _ID_CHARS.sub("-", str(meta.get("id") or tag).lower()).strip("-")
        attrs.insert(0, f"#gambar-{ident}" if not ident.startswith("gambar") else f"#{ident}")
        if spec is not None:
            self.charts[attrs[0][1:]] = spec
        return f"![{tag} {escape_md(caption)}]({ref}){{{' '.join(attrs)}}}"


def _chunks(nb) -> list:
    """The parts of a notebook that reach the report: Markdown strings and figure outputs (dicts)."""
    chunks: list = []
    for cell in nb.cells:
        if _tags(cell) & SKIPPED_TAGS:
            continue
        if cell.cell_type == "markdown":
            chunks.append(_text(cell.source))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []) or []:
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                data = output.get("data", {}) or {}
                kind = ((output.get("metadata") or {}).get("lakin") or {}).get("kind")
                has_image = "image/png" in data or "image/svg+xml" in data or any(
                    k.startswith("application/vnd.vegalite") for k in data)
                if kind == "figure" or ("text/markdown" not in data and has_image):
                    chunks.append(output)
                elif "text/markdown" in data:
                    chunks.append(_text(data["text/markdown"]))
    return chunks


def signature_markdown(meta: ReportMeta) -> str:
    """The signature block (place and date, position, room to sign, name) as a fenced div."""
    place = ", ".join(escape_md(v) for v in (meta.kota, meta.tanggal) if v)
    lines = [x for x in (place, escape_md(meta.jabatan_kepala)) if x]
    name = escape_md(meta.kepala)
    return ('::: {.lakin-signature custom-style="Tanda Tangan"}\n'
            + "\\\n".join(lines)
            + '\n\n::: {.lakin-signer custom-style="Nama Penanda Tangan"}\n'
            + (f"**{name}**" if name else "\\")
            + "\n:::\n:::")


def assemble(notebooks: Sequence[Path | str], media_dir: Path | str, meta: ReportMeta | None = None,
             media_ref: str = MEDIA_DIR) -> Assembly:
    """The executed notebooks as one pandoc Markdown document (see the module docstring for the rules).

    Figures are written to `media_dir` and referred to as `<media_ref>/<file>`. With `meta`, the
    foreword (if any) and the signature block are included.
    """
    media_dir = Path(media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    loaded = []
    for p in notebooks:
        path = Path(p)
        try:
            nb = nbformat.read(path, as_version=4)
        except FileNotFoundError as exc:
            raise _error(f"Bab {path} tidak ditemukan", notebook=str(path)) from exc
        except Exception as exc:  # malformed JSON or notebook format
            raise _error(f"Bab {path.name} tidak dapat dibaca sebagai notebook: {exc}", notebook=str(path)) from exc
        _check_no_errors(nb, path)
        loaded.append((path, nb))

    asm = _Assembler(media_dir, media_ref)
    chapters: list[Chapter] = []
    texts: list[str] = []
    signed = False

    if meta is not None and meta.kata_pengantar and meta.kata_pengantar.strip():
        chapter, text = asm.chapter("kata-pengantar", "Kata Pengantar", False, [meta.kata_pengantar],
                                    drop_first_h1=False, tail=signature_markdown(meta))
        chapters.append(chapter)
        texts.append(text)
        signed = True

    outline = _outline(meta)
    if outline is not None:
        body = _outline_chapters(asm, loaded, outline, meta, signed)
        at = len(chapters)  # lists of tables and figures follow the foreword, before the first chapter
        chapters.extend(c for c, _ in body)
        texts.extend(t for _, t in body)
        for item in reversed(_lists(asm, outline)):
            chapters.insert(at, item[0])
            texts.insert(at, item[1])
        loaded = []

    for index, (path, nb) in enumerate(loaded):
        spec = (nb.metadata.get("lakin", {}) or {}).get("chapter", {}) or {}
        chunks = _chunks(nb)
        first = _first_h1(c for c in chunks if isinstance(c, str))
        h1_attrs = first[1] if first else ""
        if spec.get("title"):
            title_md = escape_md(spec["title"])
        elif _front_matter_title(nb):
            title_md = escape_md(_front_matter_title(nb))
        elif first:
            title_md = first[0]
        else:
            raise _error(f"Bab {path.name} tidak berjudul: beri metadata lakin.chapter.title atau judul '# ...'",
                         notebook=str(path))
        wants_signature = meta is not None and bool(spec.get("signature"))
        last_unsigned = meta is not None and not signed and index == len(loaded) - 1
        tail = signature_markdown(meta) if (wants_signature or last_unsigned) else ""
        signed = signed or bool(tail)
        chapter, text = asm.chapter(str(path), title_md, bool(spec.get("numbered", True)), chunks,
                                    h1_attrs=h1_attrs, tail=tail)
        chapters.append(chapter)
        texts.append(text)

    if not chapters:
        raise RenderError("Tidak ada bab untuk dirender")
    return Assembly(markdown="\n\n".join(texts) + "\n", chapters=tuple(chapters), media=tuple(asm.media),
                    charts=dict(asm.charts))


# --------------------------------------------------------------------------------------------------
# Assembly along an official outline (lakin/outlines): chapters, their titles and numbers, lists


def _outline(meta: ReportMeta | None):
    """The outline `meta` names, or None (then every notebook is a chapter of its own)."""
    if meta is None or not meta.outline:
        return None
    from lakin.present.outlines import load_outline

    return load_outline(meta.outline)


def _drop_first_h1(chunks: list) -> list:
    """The chunks without their first level-1 heading (a later notebook of a chapter brings no title)."""
    out = list(chunks)
    for i, chunk in enumerate(out):
        if not isinstance(chunk, str):
            continue
        lines = chunk.splitlines()
        fenced = None
        for j, line in enumerate(lines):
            fm = _FENCE.match(line)
            if fm:
                fenced = None if fenced and fm["fence"][0] == fenced else (fenced or fm["fence"][0])
                continue
            h = None if fenced else _split_heading(line)
            if h and h[0] == 1:
                out[i] = "\n".join(lines[:j] + lines[j + 1:])
                return out
    return out


def _outline_chapters(asm: _Assembler, loaded: list, outline, meta: ReportMeta | None,
                      signed: bool) -> list[tuple[Chapter, str]]:
    """Notebooks grouped into the outline's chapters: title and number from the outline ("Bab III
    Akuntabilitas Kinerja" is chapter 3), section labels written by the notebooks (A., B. or 2.1), so the
    engines number no heading; tables and figures are still numbered per chapter (Tabel 3.1)."""
    groups: list[tuple[object, list]] = []
    for path, nb in loaded:
        oc = outline.chapter_of(path.stem)
        if oc is None:
            raise _error(f"Bab {path.name} tidak ada dalam kerangka laporan {outline.nama} "
                         f"(lakin/outlines/{outline.id}.yaml)", notebook=str(path))
        if groups and groups[-1][0] is oc:
            groups[-1][1].append((path, nb))
        else:
            groups.append((oc, [(path, nb)]))
    out = []
    for index, (oc, members) in enumerate(groups):
        chunks: list = []
        wants_signature = False
        for j, (path, nb) in enumerate(members):
            spec = (nb.metadata.get("lakin", {}) or {}).get("chapter", {}) or {}
            wants_signature = wants_signature or bool(spec.get("signature"))
            part = _chunks(nb)
            chunks.extend(part if j == 0 else _drop_first_h1(part))
        last_unsigned = meta is not None and not signed and index == len(groups) - 1
        tail = signature_markdown(meta) if meta is not None and (wants_signature or last_unsigned) else ""
        signed = signed or bool(tail)
        ident = "{#" + _ID_CHARS.sub("-", oc.title.lower()).strip("-") + "}"
        out.append(asm.chapter(str(members[0][0]), escape_md(oc.title), oc.numbered, chunks, h1_attrs=ident[1:-1],
                               tail=tail, number_headings=False, fixed_number=oc.number))
    return out


def _lists(asm: _Assembler, outline) -> list[tuple[Chapter, str]]:
    """Daftar Tabel and Daftar Gambar: every numbered table and figure with its caption, in print order."""
    out = []
    for wanted, title, ident, items in ((outline.daftar_tabel, "Daftar Tabel", "daftar-tabel", asm.listed_tables),
                                        (outline.daftar_gambar, "Daftar Gambar", "daftar-gambar", asm.listed_figures)):
        if not wanted or not items:
            continue
        lines = [f"# {title} {{#{ident} .unnumbered}}", ""]
        lines += [f"- {tag} {caption}" for tag, caption in items]
        out.append((Chapter(title=title, number=None, source=ident), "\n".join(lines)))
    return out


# --------------------------------------------------------------------------------------------------
# Offline and script-free HTML

_RESOURCE_TAGS = {"img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"),
                  "audio": ("src",), "track": ("src",), "input": ("src",), "image": ("href", "xlink:href"),
                  "use": ("href", "xlink:href")}
_FETCHING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch", "import"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!data:|#)([^)'\"\s]+)|@import", re.I)
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_LINK_ATTRS = {"href", "xlink:href", "action", "formaction"}  # where a click or a submit goes
_SOURCE_ATTRS = {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc"}  # what a renderer embeds


def html_problems(html_text: str, allow_inline_scripts: bool | Collection[str] = False) -> list[str]:
    """What would make the HTML unsafe or not self-contained: scripts, handlers, fetched resources.

    `allow_inline_scripts`: True allows every inline script (Quarto's own); a collection of SHA-256 hex digests
    allows exactly the inline scripts whose text has one of them (the charts and contents script lakin adds).
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_text, "html.parser")
    problems: list[str] = []

    def local(value: str) -> bool:
        v = value.strip().lower()
        return v.startswith(("data:", "#")) or v == ""

    for tag in soup.find_all(True):
        name = tag.name.lower()
        for attr, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            scheme = _SCHEME_NOISE.sub("", text).lower()  # as a browser reads it: "da\tta:" is "data:"
            if attr.lower().startswith("on"):
                problems.append(f"<{name}> dengan atribut {attr}")
            if scheme.startswith(("javascript:", "vbscript:")):
                problems.append(f"<{name} {attr}> berisi {text[:40]!r}")
            if attr.lower() == "style" and _CSS_URL.search(text):
                problems.append(f"<{name} style> memuat sumber luar")
            if name in _RESOURCE_TAGS or name in ("script", "link"):
                continue  # their sources are checked below
            if attr.lower() in _LINK_ATTRS and scheme.startswith(("data:", "file:")):
                problems.append(f"<{name} {attr}={text[:40]!r}> (tautan data:/file:)")
            if attr.lower() in _SOURCE_ATTRS:
                problems.append(f"<{name} {attr}={text[:40]!r}> (atribut sumber di luar elemen media)")
        if name == "script":
            if tag.get("src") and not local(tag["src"]):
                problems.append(f"<script src={tag['src']!r}> (skrip dari luar)")
            elif allow_inline_scripts is not True and (
                    not allow_inline_scripts or _digest(tag.get_text()) not in allow_inline_scripts):
                problems.append("<script> di dalam laporan")
        elif name in ("iframe", "embed", "object", "frame", "applet", "base"):
            problems.append(f"<{name}> di dalam laporan")
        elif name == "link":
            rel = {r.lower() for r in (tag.get("rel") or [])}
            if rel & _FETCHING_RELS and tag.get("href") and not local(tag["href"]):
                problems.append(f"<link rel={'/'.join(sorted(rel))} href={tag['href']!r}> (sumber luar)")
        elif name == "style" and _CSS_URL.search(tag.get_text()):
            problems.append("<style> memuat sumber luar (url()/@import)")
        for attr in _RESOURCE_TAGS.get(name, ()):
            value = tag.get(attr)
            if value and not local(str(value)):
                problems.append(f"<{name} {attr}={str(value)[:60]!r}> (sumber luar)")
    return problems


def _check_html(path: Path, allow_inline_scripts: bool | Collection[str] = False) -> None:
    problems = html_problems(path.read_text(encoding="utf-8"), allow_inline_scripts)
    if problems:
        raise _error("HTML laporan tidak aman atau tidak mandiri: " + "; ".join(sorted(set(problems))[:10]),
                     problems=problems)


def _digest(script: str) -> str:
    return hashlib.sha256(script.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------
# The HTML report's scripts: interactive charts and the contents sidebar (pandoc engine)

NAV_SCRIPT = TEMPLATES / "lakin-nav.js"
# SVG: sharp at any zoom, and found by a reader's search; Vega logs errors only (its warnings are for authors)
CHART_EMBED_OPTIONS = {"renderer": "svg", "logLevel": 1}
# Keys with which a Vega-Lite spec could fetch or link something: such a chart stays a static image.
_CHART_FETCH_KEYS = {"url", "href"}
_SCRIPT_BODY = re.compile(r"<script[^>]*>(.*?)</script>", re.S)


def _chart_is_closed(spec) -> bool:
    """True when the spec holds its data inline and names no URL, link or image mark."""
    if isinstance(spec, dict):
        if _CHART_FETCH_KEYS & set(spec) or spec.get("mark") == "image" or (
                isinstance(spec.get("mark"), dict) and spec["mark"].get("type") == "image"):
            return False
        return all(_chart_is_closed(v) for v in spec.values())
    if isinstance(spec, list):
        return all(_chart_is_closed(v) for v in spec)
    return True


def interactive_html(html_text: str, charts: Mapping[str, dict]) -> tuple[str, list[str]]:
    """The pandoc HTML with every chart of `charts` (figure id -> Vega-Lite spec) drawn by inlined Vega, with
    tooltips, beside its static image (shown for print and without JavaScript, lakin.css), and the contents
    script (NAV_SCRIPT) before `</body>`. Returns the HTML and the text of every script it added, which are
    the only scripts `html_problems` then allows. The Vega libraries are written once, in the first chart.
    """
    from lakin.tools.explore import offline_html  # heavy optional: Altair and the Vega bundle, only for the HTML report

    scripts: list[str] = []
    drawn = 0

    def chart_block(ident: str, image: str) -> str:
        nonlocal drawn
        html = offline_html(charts[ident], CHART_EMBED_OPTIONS, bundle=drawn == 0)
        drawn += 1
        scripts.extend(_SCRIPT_BODY.findall(html))
        static = image.replace("<img ", '<img class="lakin-chart-static" ', 1)
        return f'<div class="lakin-chart-box"><div class="lakin-scroll">{html}</div>{static}</div>'

    for ident, spec in charts.items():
        if not _chart_is_closed(spec):
            continue
        quoted = re.escape(ident)
        in_figure = re.compile(rf'(<figure id="{quoted}"[^>]*>\s*)(<img [^>]*>)')
        alone = re.compile(rf'<p>(<img [^>]*\bid="{quoted}"[^>]*>)</p>')
        if in_figure.search(html_text):
            html_text = in_figure.sub(lambda m: m[1] + chart_block(ident, m[2]), html_text, count=1)
        elif alone.search(html_text):
            html_text = alone.sub(lambda m: chart_block(ident, m[1]), html_text, count=1)
    nav = NAV_SCRIPT.read_text(encoding="utf-8").replace("</", "<\\/")
    scripts.append(f"\n{nav}")
    tail = f'<script type="text/javascript">{scripts[-1]}</script>\n</body>'
    head, sep, rest = html_text.rpartition("</body>")
    html_text = head + tail + rest if sep else html_text + tail
    return html_text, scripts


# --------------------------------------------------------------------------------------------------
# Engines


class RenderEngine:
    """A way to turn executed chapter notebooks into report files; subclasses register below."""

    name = ""
    formats: tuple[str, ...] = FORMATS

    def available(self) -> bool:
        return True

    def unavailable_reason(self) -> str:
        return f"Mesin render '{self.name}' tidak tersedia di mesin ini"

    def render(self, notebooks: Sequence[Path], meta: ReportMeta, work_dir: Path,
               formats: Sequence[str]) -> dict[str, Path]:
        """Write the requested formats inside `work_dir` (a private temporary directory); return their paths."""
        raise NotImplementedError


def _run(cmd: list[str], cwd: Path, what: str, timeout: int = PANDOC_TIMEOUT) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise EngineUnavailableError(f"{cmd[0]} tidak ditemukan ({what})") from exc
    except subprocess.TimeoutExpired as exc:
        raise _error(f"{what}: melewati batas waktu {timeout} detik", command=cmd) from exc
    if proc.returncode != 0:
        raise _error(f"{what} gagal (kode {proc.returncode}): {proc.stderr.strip()[-2000:]}",
                     command=cmd, stderr=proc.stderr)
    for line in proc.stderr.splitlines():
        if line.strip():
            log.warning("%s: %s", what, line)
    return proc


_MEDIA_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif));base64,([A-Za-z0-9+/=]+)$")
_MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".gif": "image/gif"}
_IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.I)
# Attributes pandoc's HTML writer would fetch and embed (`[x]{src=/etc/passwd}` embeds the file).
_FETCHED_ATTRS = {"src", "srcset", "href", "poster", "data", "background", "lowsrc", "dynsrc", "xlink:href",
                  "action", "formaction", "icon", "manifest", "codebase", "longdesc", "cite"}


def confine_resources(document: dict, media_dir: Path, embed: bool) -> dict:
    """A copy of a pandoc JSON document in which every image is a file of `media_dir` (or an image that
    `lakin.data.load.read_narasi` embedded), every link goes to http(s), mailto or an anchor, and no attribute
    names a resource. With `embed`, images become data: URIs (a sandboxed writer reads nothing); without,
    embedded images are written into `media_dir` (Typst reads files inside its root only).

    Raises RenderError naming every refused reference: nothing else reaches a writer.
    """
    problems: list[str] = []

    def image(target: str) -> str:
        name = target[len(MEDIA_DIR) + 1:] if target.startswith(f"{MEDIA_DIR}/") else ""
        inline = _DATA_IMAGE.match(target)
        if name and _MEDIA_NAME.match(name):
            path = media_dir / name
            try:
                regular = stat.S_ISREG(os.lstat(path).st_mode)
            except OSError:
                regular = False
            mime = _MEDIA_TYPES.get(path.suffix.lower())
            if not regular or mime is None:
                problems.append(f"gambar {target[:80]!r} bukan berkas gambar di folder media laporan")
                return target
            if not embed:
                return target
            return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
        if inline:
            try:
                raw = base64.b64decode(inline[2], validate=True)
            except ValueError:
                raw = b""
            if not raw.startswith(_IMAGE_MAGIC[inline[1]]):
                problems.append(f"gambar data: {target[:40]!r}... bukan {inline[1]}")
                return target
            if embed:
                return target
            name = f"narasi-{hashlib.sha256(raw).hexdigest()[:16]}.{inline[1].split('/')[1]}"
            (media_dir / name).write_bytes(raw)
            return f"{MEDIA_DIR}/{name}"
        problems.append(f"gambar {target[:80]!r}")
        return target

    def attributes(attr: list) -> None:
        for key, value in attr[2]:
            bare = key.lower().removeprefix("data-")
            if bare in _FETCHED_ATTRS or bare.startswith("on"):
                problems.append(f"atribut {key}={value[:60]!r}")

    def walk(node):
        if isinstance(node, list):
            if (len(node) == 3 and isinstance(node[0], str) and isinstance(node[1], list)
                    and isinstance(node[2], list) and all(isinstance(c, str) for c in node[1])
                    and all(isinstance(kv, list) and len(kv) == 2 for kv in node[2])):
                attributes(node)  # an Attr: [identifier, classes, key-values]
                return node
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        if node.get("t") == "Image":
            target, title = out["c"][2]
            out["c"] = [out["c"][0], out["c"][1], [image(target), title]]
        elif node.get("t") == "Link":
            target = out["c"][2][0]
            if target and not _SAFE_LINK.match(target.strip()):
                problems.append(f"tautan {target[:80]!r}")
        return out

    checked = walk(document)
    if problems:
        raise _error("Laporan merujuk sumber yang tidak diizinkan (hanya gambar di folder media laporan dan tautan "
                     "http(s), mailto atau #bagian): " + "; ".join(list(dict.fromkeys(problems))[:10]),
                     problems=problems)
    return checked


class PandocEngine(RenderEngine):
    """pandoc (pypandoc-binary) for HTML and DOCX, Typst (the `typst` package) for PDF."""

    name = "pandoc"

    def available(self) -> bool:
        from importlib.util import find_spec

        return find_spec("pypandoc") is not None and find_spec("typst") is not None

    def unavailable_reason(self) -> str:
        return "Mesin 'pandoc' memerlukan paket pypandoc-binary dan typst (pip install -e .)"

    @staticmethod
    def _pandoc() -> str:
        import pypandoc

        try:
            return pypandoc.get_pandoc_path()
        except OSError as exc:
            raise EngineUnavailableError(f"pandoc tidak ditemukan: {exc}") from exc

    def _common(self, source: Path, sandbox: bool = True) -> list[str]:
        """A writer run on the checked document (`confine_resources`); `--sandbox`: no file read, no network."""
        return [self._pandoc(), source.name, "-f", "json", *(["--sandbox"] if sandbox else []),
                "--lua-filter", str(TEMPLATES / "lakin.lua"), "--columns=1000", "--wrap=none"]

    def _read(self, source: Path, work: Path) -> dict:
        """The assembled Markdown and its metadata as a pandoc document, read in the sandbox."""
        proc = _run([self._pandoc(), source.name, "-f", MARKDOWN_READER, "--metadata-file", "metadata.yaml",
                     "--sandbox", "-t", "json"], work, "pandoc (Markdown)")
        return json.loads(proc.stdout)

    def render(self, notebooks, meta, work_dir, formats):
        work_dir = Path(work_dir)
        assembly = assemble(notebooks, work_dir / MEDIA_DIR, meta)
        source = work_dir / "report.md"
        source.write_text(assembly.markdown, encoding="utf-8")
        (work_dir / "metadata.yaml").write_text(
            yaml.safe_dump(meta.pandoc_metadata(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        document = self._read(source, work_dir)
        (work_dir / CHARTS_FILE).write_text(json.dumps(assembly.charts), encoding="utf-8")  # read by _html
        out: dict[str, Path] = {}
        for fmt in formats:
            started = time.perf_counter()
            # HTML and DOCX get every image inline (pandoc reads no file); Typst reads image files under its root
            checked = work_dir / f"report-{fmt}.json"
            checked.write_text(json.dumps(confine_resources(document, work_dir / MEDIA_DIR, embed=fmt != "pdf")),
                               encoding="utf-8")
            out[fmt] = getattr(self, f"_{fmt}")(checked, meta, work_dir)
            log.info("render %s (%s): %.1f s", fmt, self.name, time.perf_counter() - started)
        return out

    def _html(self, source: Path, meta: ReportMeta, work: Path) -> Path:
        target = work / "report.html"
        # not sandboxed, so that pandoc can inline lakin.css: the document itself holds nothing left to read
        _run(self._common(source, sandbox=False) + [
            "-t", "html5", "--standalone", "--embed-resources", "--template", str(TEMPLATES / "lakin.html"),
            "--css", str(TEMPLATES / "lakin.css"), "--toc", f"--toc-depth={HTML_TOC_DEPTH}", "--number-sections",
            "--section-divs", "-o", target.name], work, "pandoc (HTML)")
        charts_file = work / CHARTS_FILE
        charts = json.loads(charts_file.read_text(encoding="utf-8")) if charts_file.is_file() else {}
        html_text, scripts = interactive_html(target.read_text(encoding="utf-8"), charts)
        target.write_text(html_text, encoding="utf-8")
        _check_html(target, allow_inline_scripts={_digest(script) for script in scripts})
        return target

    def _docx(self, source: Path, meta: ReportMeta, work: Path) -> Path:
        target = work / "report.docx"
        _run(self._common(source) + [
            "-t", "docx", "--reference-doc", str(TEMPLATES / "reference.docx"), "--toc", f"--toc-depth={TOC_DEPTH}",
            "--number-sections", "-o", target.name], work, "pandoc (DOCX)")
        style_docx_tables(target)
        return target

    def _pdf(self, source: Path, meta: ReportMeta, work: Path) -> Path:
        import typst

        body = work / "body.typ"
        _run(self._common(source) + ["-t", "typst", "-o", body.name], work, "pandoc (Typst)")
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
        try:
            _, warnings = typst.compile_with_warnings(str(main), output=str(target), root=str(work),
                                                      sys_inputs=meta.cover_fields(), pdf_standards=PDF_STANDARDS)
        except Exception as exc:  # typst.TypstError and friends
            raise _error(f"Typst gagal membuat PDF: {exc}", engine="typst") from exc
        drop_false_suspects(target)
        for warning in dict.fromkeys(str(w) for w in warnings or ()):
            log.info("typst: %s", warning)  # e.g. a font family missing on this machine (fallback used)
        return target


PDF_STANDARDS = ["a-2b"]  # PDF/A-2b: an archivable PDF (fonts embedded, metadata in XMP)
_FALSE_SUSPECTS = b"/MarkInfo<</Marked true/Suspects false>>"


def drop_false_suspects(path: Path) -> None:
    """Blank out `/Suspects false` in Typst's MarkInfo, which poppler (pdfinfo, pdftotext) reports as
    "Syntax Error: Suspects object is wrong type (boolean)" although the key is optional and false is its
    default. The bytes are replaced by spaces of the same length, so every cross-reference offset holds."""
    data = path.read_bytes()
    if data.count(_FALSE_SUSPECTS) == 1:
        blank = b"/MarkInfo<</Marked true" + b" " * len(b"/Suspects false") + b">>"
        path.write_bytes(data.replace(_FALSE_SUSPECTS, blank))


_DOCX_TABLE_SIZES = {"lakin-tabel-kecil-": " Kecil", "lakin-tabel-mini-": " Mini"}
_DOCX_LANDSCAPE = "-lanskap-"


def _section_break(sectpr, landscape: bool):
    """An empty paragraph ending a section laid out as `sectpr` (the document's own), portrait or landscape."""
    from copy import deepcopy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    own = deepcopy(sectpr)
    size = own.find(qn("w:pgSz"))
    if size is not None:
        w, h = int(size.get(qn("w:w"))), int(size.get(qn("w:h")))
        short, long_ = sorted((w, h))
        size.set(qn("w:w"), str(long_ if landscape else short))
        size.set(qn("w:h"), str(short if landscape else long_))
        if landscape:
            size.set(qn("w:orient"), "landscape")
        elif size.get(qn("w:orient")) is not None:
            del size.attrib[qn("w:orient")]
    paragraph, properties = OxmlElement("w:p"), OxmlElement("w:pPr")
    properties.append(own)
    paragraph.append(properties)
    return paragraph


_WORD_CAPTION = re.compile(r"^(?P<kind>Tabel|Gambar) (?P<chapter>\d+\.)?(?P<number>\d+)(?P<rest>(?:\s.*)?)$", re.S)


def _word_caption(paragraph) -> None:
    """"Tabel 4.1 ..." as Word writes a caption: "Tabel 4." and a SEQ field (result "1", fixed with `\\r`
    so that updating fields never renumbers what lakin numbered), so Word can build its own lists."""
    from copy import deepcopy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    runs = paragraph.findall(qn("w:r"))
    first = runs[0] if runs else None
    texts = first.findall(qn("w:t")) if first is not None else []
    if len(texts) != 1:
        return
    m = _WORD_CAPTION.match(texts[0].text or "")
    if not m:
        return
    rpr = first.find(qn("w:rPr"))

    def run(text: str | None = None, fld: str | None = None, instr: str | None = None):
        r = OxmlElement("w:r")
        if rpr is not None:
            r.append(deepcopy(rpr))
        if fld:
            child = OxmlElement("w:fldChar")
            child.set(qn("w:fldCharType"), fld)
        else:
            child = OxmlElement("w:instrText" if instr is not None else "w:t")
            child.text = instr if instr is not None else text
            child.set(qn("xml:space"), "preserve")
        r.append(child)
        return r

    new = [run(f"{m['kind']} {m['chapter'] or ''}"), run(fld="begin"),
           run(instr=f" SEQ {m['kind']} \\r {m['number']} \\* ARABIC "), run(fld="separate"),
           run(m["number"]), run(fld="end")]
    if m["rest"]:
        new.append(run(m["rest"]))
    for r in new:
        first.addprevious(r)
    paragraph.remove(first)


def style_docx_tables(path: Path) -> None:
    """Table cells get the reference document's "Isi Tabel" / "Kepala Tabel" styles, or their "Kecil" /
    "Mini" variants for tables that lakin.lua marked (bookmark `lakin-tabel-kecil-N`, `lakin-tabel-mini-N`)
    as needing a smaller size to fit the page; pandoc itself ignores custom styles inside table cells.
    A table marked `...-lanskap-N` (too wide for a portrait page) gets a landscape section of its own,
    from its caption to its end. Table and figure captions get Word's SEQ fields (`_word_caption`)."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    ids = {s.name: s.style_id for s in doc.styles}
    names = set(ids)
    if "Isi Tabel" not in names:
        return  # a reference document without lakin's styles
    plain = {ids[n] for n in ("Compact", "Body Text", "First Paragraph", "Normal") if n in ids}
    body = doc.element.body
    sectpr = body.find(qn("w:sectPr"))
    suffix, landscape_from = "", None
    for element in list(body.iterchildren()):
        if element.tag != qn("w:tbl"):
            marks = [b.get(qn("w:name"), "") for b in element.iter(qn("w:bookmarkStart"))]
            for mark in marks:
                for prefix, size in _DOCX_TABLE_SIZES.items():
                    if mark.startswith(prefix) and f"Isi Tabel{size}" in names:
                        suffix = size
                if mark.startswith("lakin-tabel-") and _DOCX_LANDSCAPE in mark:
                    landscape_from = element
            continue
        body_id = ids.get("Isi Tabel" + suffix)
        head_id = ids.get("Kepala Tabel" + suffix)
        for row in element.iterchildren(qn("w:tr")):
            trpr = row.find(qn("w:trPr"))
            header = trpr is not None and trpr.find(qn("w:tblHeader")) is not None
            for pstyle in row.iter(qn("w:pStyle")):
                if pstyle.get(qn("w:val")) in plain:
                    pstyle.set(qn("w:val"), head_id if header else body_id)
        if landscape_from is not None and sectpr is not None:
            landscape_from.addprevious(_section_break(sectpr, landscape=False))  # ends the portrait pages before
            element.addnext(_section_break(sectpr, landscape=True))  # ends the table's landscape page
        suffix, landscape_from = "", None
    captions = {ids[n] for n in ("Table Caption", "Image Caption") if n in ids}
    for paragraph in body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in captions:
            _word_caption(paragraph)
    doc.save(str(path))


QUARTO_FORMATS = {"html": "html", "docx": "docx", "pdf": "typst"}


def _find_quarto_yml() -> Path:
    for base in (TEMPLATES.parent.parent, Path.cwd()):
        candidate = base / "_quarto.yml"
        if candidate.is_file():
            return candidate
    raise RenderError("_quarto.yml tidak ditemukan (dicari di akar proyek lakin dan di direktori kerja)")


class QuartoEngine(RenderEngine):
    """Quarto (`quarto` on PATH) with the project's `_quarto.yml`; never executes code."""

    name = "quarto"

    def available(self) -> bool:
        return shutil.which("quarto") is not None

    def unavailable_reason(self) -> str:
        return ("Quarto tidak terpasang (tidak ada 'quarto' di PATH). Pasang dari https://quarto.org/docs/download/ "
                "atau gunakan --engine pandoc")

    def project(self, notebooks, meta: ReportMeta, stage: Path, formats: Sequence[str] = FORMATS) -> Assembly:
        """Lay out a Quarto project in `stage`: _quarto.yml (with the requested `formats` only), report.qmd,
        media/ and the templates."""
        stage.mkdir(parents=True, exist_ok=True)
        assembly = assemble(notebooks, stage / MEDIA_DIR, meta)
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
        _run([quarto, "render", str(stage), "--to", "all", "--no-execute"], stage, "quarto render", timeout=1800)
        log.info("render %s (quarto): %.1f s", to, time.perf_counter() - started)
        out: dict[str, Path] = {}
        for fmt in formats:
            path = stage / "_out" / f"report.{fmt}"
            if not path.is_file():
                raise _error(f"quarto render tidak menghasilkan {path.name}", format=fmt)
            out[fmt] = path
        if "docx" in out:
            style_docx_tables(out["docx"])
        if "pdf" in out:
            drop_false_suspects(out["pdf"])
        if "html" in out:
            _check_html(out["html"], allow_inline_scripts=True)  # Quarto's own inline scripts only
        return out


_ENGINES: dict[str, type[RenderEngine]] = {}


def register(engine: type[RenderEngine]) -> type[RenderEngine]:
    """Add an engine; `auto` tries engines in the order they were registered."""
    _ENGINES[engine.name] = engine
    return engine


def engines() -> list[str]:
    """Registered engine names, in `auto` order."""
    return list(_ENGINES)


def get_engine(name: str = "auto") -> RenderEngine:
    """The engine called `name`, or for "auto" the first available one; EngineUnavailableError if none."""
    if name == "auto":
        reasons = []
        for cls in _ENGINES.values():
            engine = cls()
            if engine.available():
                return engine
            reasons.append(engine.unavailable_reason())
        raise EngineUnavailableError("Tidak ada mesin render yang tersedia: " + "; ".join(reasons))
    if name not in _ENGINES:
        raise ParameterError(f"Mesin render {name!r} tidak dikenal; pilihan: auto, {', '.join(_ENGINES)}",
                             key="engine", value=name)
    engine = _ENGINES[name]()
    if not engine.available():
        raise EngineUnavailableError(engine.unavailable_reason())
    return engine


def _formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = tuple(dict.fromkeys(str(f).strip().lower() for f in items if str(f).strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ParameterError(f"Format {unknown or list(items)} tidak dikenal; pilihan: {', '.join(FORMATS)}",
                             key="formats", value=formats)
    return wanted


def render_report(notebooks: Sequence[Path | str], meta: ReportMeta, out_dir: Path | str,
                  formats: str | Iterable[str] = FORMATS, engine: str = "auto") -> dict[str, Path]:
    """Render the executed chapter notebooks into `out_dir/<satker>-<periode>.<fmt>`, all formats or none.

    Everything is written in a temporary directory inside `out_dir`; the files are moved into place
    (one atomic rename each) only after every requested format has been produced, so a failure leaves
    the previous report untouched and no temporary file behind.
    """
    wanted = _formats(formats)
    chosen = get_engine(engine)
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise RenderError("Tidak ada bab untuk dirender")
    for p in paths:
        if not p.is_file():
            raise _error(f"Bab {p} tidak ditemukan", notebook=str(p))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}render-", dir=out_dir))
    try:
        produced = chosen.render(paths, meta, work, wanted)
        missing = [f for f in wanted if f not in produced or not Path(produced[f]).is_file()]
        if missing:
            raise _error(f"Mesin {chosen.name} tidak menghasilkan {', '.join(missing)}", formats=missing)
        result: dict[str, Path] = {}
        for fmt in wanted:
            target = out_dir / f"{meta.stem}.{fmt}"
            with atomic_path(target) as tmp:
                os.replace(produced[fmt], tmp)
            result[fmt] = target
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


register(QuartoEngine)
register(PandocEngine)
