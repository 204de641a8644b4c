"""Page geometry of every PDF report: nothing overlaps, nothing leaves the text area, captions stay with
their tables and figures, no heading ends a page; on every report the shipped data supports (params/) and on
synthetic units with extreme values (long names, 15-digit amounts, 40 indicators).

Pages are read with pdfium (pypdfium2): glyph boxes, words, image and path (table rule) boxes, and the headings
from the PDF's bookmarks. Each report
is built once per test session (the shipped ones through conftest's `built`, shared with test_build).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SHIPPED

pytestmark = pytest.mark.slow

CM = 72 / 2.54
MARGIN = {"left": 3 * CM, "right": 2.5 * CM, "top": 2.5 * CM, "bottom": 2.5 * CM}  # lakin.typ, any orientation
HANG = 3.0  # pt: Typst hangs punctuation and hyphens into the margin (text.overhang); typography, not overflow
FOOTER = 1.0 * CM  # the running footer sits in the bottom margin, at least this far from the paper's edge
CAPTION_GAP = 40.0  # pt: a table starts (or a figure ends) at most this far from its caption
CAPTION_WORD = re.compile(r"^(Tabel|Gambar)$")
LABEL = re.compile(r"^\d+(\.\d+)?$")


# --------------------------------------------------------------------------------------------------
# Reading pages


@dataclass
class Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    index: int  # position among the page's glyphs (neighbours may kern into each other)
    line: float  # middle of the glyph's line box (the same for every glyph of a line)


@dataclass
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    bold: bool


@dataclass
class Box:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    glyphs: list[Glyph]
    words: list[Word]
    images: list[Box]
    paths: list[Box]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def figure_contents(page) -> set[int]:
    """The marked-content ids of the page's figures (Typst tags each image as a Figure in the PDF's structure
    tree): a chart's contents, its paths and text when Typst drew its SVG, carry them."""
    import ctypes

    import pypdfium2.raw as raw

    tree = raw.FPDF_StructTree_GetForPage(page.raw)
    if not tree:
        return set()
    found: set[int] = set()
    buffer = ctypes.create_string_buffer(64)

    def walk(element, inside: bool) -> None:
        size = raw.FPDF_StructElement_GetType(element, buffer, len(buffer))
        inside = inside or buffer.raw[:size].decode("utf-16-le").rstrip("\0") == "Figure"
        if inside:
            found.update(raw.FPDF_StructElement_GetMarkedContentIdAtIndex(element, k)
                         for k in range(raw.FPDF_StructElement_GetMarkedContentIdCount(element)))
        for k in range(raw.FPDF_StructElement_CountChildren(element)):
            child = raw.FPDF_StructElement_GetChildAtIndex(element, k)
            if child:
                walk(child, inside)

    try:
        for k in range(raw.FPDF_StructTree_CountChildren(tree)):
            walk(raw.FPDF_StructTree_GetChildAtIndex(tree, k), False)
    finally:
        raw.FPDF_StructTree_Close(tree)
    found.discard(-1)
    return found


def read_pages(path: Path) -> list[Page]:
    """Glyphs, words, images and paths of every page, in points from the top-left corner. A figure is one image,
    the box of everything it draws: a chart whose SVG Typst drew is paths and text, read as one image as a PNG
    chart is (its own layout is Vega's).

    Characters are read through pdfium's C functions with boxes filled in place: pypdfium2's per-character
    helpers allocate new ctypes values at each call, and a report has about 60,000 characters."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    loose = raw.FS_RECTF()
    refs = tuple(map(ctypes.byref, (left, right, bottom, top)))
    loose_ref = ctypes.byref(loose)
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    try:
        for number, page in enumerate(pdf, start=1):
            width, height = page.get_size()
            tp = page.get_textpage()
            handle = tp.raw
            glyphs: list[Glyph] = []
            words: list[Word] = []
            current: list[Glyph] = []

            def flush() -> None:
                if current:
                    words.append(Word("".join(g.text for g in current), min(g.x0 for g in current),
                                      min(g.top for g in current), max(g.x1 for g in current),
                                      max(g.bottom for g in current), current[0].bold))
                    current.clear()

            figures = figure_contents(page)
            for i in range(raw.FPDFText_CountChars(handle)):
                ch = chr(raw.FPDFText_GetUnicode(handle, i))
                if raw.FPDFText_IsGenerated(handle, i) or not ch.strip() or ch == "\u200b" or (
                        figures and raw.FPDFPageObj_GetMarkedContentID(raw.FPDFText_GetTextObject(handle, i))
                        in figures):
                    flush()
                    continue
                if not raw.FPDFText_GetCharBox(handle, i, *refs) or not raw.FPDFText_GetLooseCharBox(handle, i,
                                                                                                      loose_ref):
                    raise ValueError(f"{path}: page {number}, character {i}: no box")
                g = Glyph(ch, left.value, height - top.value, right.value, height - bottom.value,
                          raw.FPDFText_GetFontSize(handle, i), raw.FPDFText_GetFontWeight(handle, i) >= 600,
                          len(glyphs), height - (loose.top + loose.bottom) / 2)
                if glyphs and (glyphs[-1].x0, glyphs[-1].x1, glyphs[-1].top) == (g.x0, g.x1, g.top):
                    glyphs[-1].text += ch  # a ligature ("ff", "fi"): one glyph for two letters
                    continue
                if current:
                    last = current[-1]
                    same_line = abs(last.line - g.line) < 0.3 * g.size
                    if not same_line or g.x0 - last.x1 > 0.6 * g.size or g.x0 < last.x0:
                        flush()
                current.append(g)
                glyphs.append(g)
            flush()
            images, paths = [], []
            drawn: dict[int, list[Box]] = defaultdict(list)  # each figure's objects
            for obj in page.get_objects(max_depth=8):
                if obj.type not in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_TEXT):
                    continue
                figure = raw.FPDFPageObj_GetMarkedContentID(obj.raw) if figures else -1
                if figure not in figures and obj.type == raw.FPDF_PAGEOBJ_TEXT:
                    continue  # the page's own text: read glyph by glyph above
                x0, y0, x1, y1 = obj.get_bounds()
                box = Box(x0, height - y1, x1, height - y0)
                if figure in figures:
                    drawn[figure].append(box)
                else:
                    (images if obj.type == raw.FPDF_PAGEOBJ_IMAGE else paths).append(box)
            for boxes in drawn.values():
                images.append(Box(min(b.x0 for b in boxes), min(b.top for b in boxes), max(b.x1 for b in boxes),
                                  max(b.bottom for b in boxes)))
            pages.append(Page(number, width, height, glyphs, words, images, paths))
    finally:
        pdf.close()
    return pages


# --------------------------------------------------------------------------------------------------
# The rules


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def glyph_overlaps(glyphs: list[Glyph]) -> list[str]:
    """Glyphs drawn over other glyphs (a glyph and its neighbour in the text may touch: kerning)."""
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, g in enumerate(glyphs):
        for gx in range(int(g.x0 // 24), int(g.x1 // 24) + 1):
            for gy in range(int(g.top // 24), int(g.bottom // 24) + 1):
                grid[gx, gy].append(k)
    found, seen = [], set()
    for members in grid.values():
        for n, i in enumerate(members):
            a = glyphs[i]
            ax0, ax1, atop, abottom = a.x0, a.x1, a.top, a.bottom
            for j in members[n + 1:]:
                b = glyphs[j]
                # boxes more than half a point apart across cannot overlap enough (ox > 0.5 below): most pairs
                # of a grid cell end here
                if b.x0 >= ax1 - 0.5 or ax0 >= b.x1 - 0.5 or b.top >= abottom or atop >= b.bottom:
                    continue
                if abs(a.index - b.index) <= 1 or (i, j) in seen:
                    continue
                seen.add((i, j))
                ox = _overlap(ax0, ax1, b.x0, b.x1)
                oy = _overlap(atop, abottom, b.top, b.bottom)
                if ox > max(0.5, 0.25 * min(ax1 - ax0, b.x1 - b.x0)) and \
                        oy > 0.3 * min(abottom - atop, b.bottom - b.top):
                    found.append(f"huruf {a.text!r} di ({a.x0:.0f}, {a.top:.0f}) menimpa {b.text!r}")
    return found


def captions(page: Page) -> list[tuple[str, str, Word]]:
    """(kind, label, word) of every caption: bold "Tabel" / "Gambar" followed by its number."""
    out = []
    for k, w in enumerate(page.words[:-1]):
        nxt = page.words[k + 1]
        if CAPTION_WORD.match(w.text) and w.bold and LABEL.match(nxt.text) and abs(nxt.top - w.top) < 2:
            out.append((w.text, f"{w.text} {nxt.text}", w))
    return out


def orphan_captions(page: Page) -> list[str]:
    """Table captions (above) whose table does not start right below on the same page, figure captions
    (below) whose image does not end right above."""
    problems = []
    for kind, label, w in captions(page):
        if kind == "Tabel":
            body_bottom = page.height - MARGIN["bottom"]  # the footer's rule is no table
            if not [p for p in page.paths if w.bottom - 1 <= p.top <= min(w.bottom + CAPTION_GAP, body_bottom)]:
                problems.append(f"{label}: judul tabel tanpa tabel di bawahnya pada halaman yang sama")
        elif not [im for im in page.images if w.top - CAPTION_GAP <= im.bottom <= w.top + 1]:
            problems.append(f"{label}: judul gambar tanpa gambar di atasnya pada halaman yang sama")
    return problems


def read_headings(path: Path) -> list[tuple[str, int, float]]:
    """(title, page number, top in points from the page's top) of every heading, from the PDF's outline: Typst
    bookmarks every heading at the top of its block."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        heights = [pdf.get_page_size(i)[1] for i in range(len(pdf))]
        found = []
        for mark in pdf.get_toc(max_depth=16):
            dest = mark.get_dest()
            if dest is not None:
                index = dest.get_index()
                found.append((mark.get_title(), index + 1, heights[index] - dest.get_view()[1][1]))
        return found
    finally:
        pdf.close()


def lonely_headings(pages: list[Page], headings: list[tuple[str, int, float]]) -> list[str]:
    """Headings with nothing after them on their page (no text, table or figure below): alone at the page's foot,
    their content on the next page."""
    problems = []
    by_number = {page.number: page for page in pages}
    for title, number, top in headings:
        page = by_number[number]
        body_bottom = page.height - MARGIN["bottom"]  # the running footer is not the heading's content
        wanted, words, k = "".join(title.split()), page.words, 0
        while k < len(words) and not (words[k].top >= top - 1 and wanted.startswith(words[k].text)):
            k += 1
        own, text = [], ""
        while k < len(words) and text != wanted and wanted.startswith(text + words[k].text):
            text += words[k].text
            own.append(words[k])
            k += 1
        if text != wanted:
            problems.append(f"hal. {number}: judul {title!r} tidak terbaca di halamannya")
            continue
        bottom = max(w.bottom for w in own)
        after = [w for w in words if w not in own and w.top > bottom - 1 and w.bottom <= body_bottom]
        after += [b for b in page.images + page.paths if b.top > bottom - 1 and b.bottom <= body_bottom]
        if not after:
            problems.append(f"hal. {number}: judul {title!r} sendirian di kaki halaman, isinya di halaman berikut")
    return problems


def page_problems(page: Page) -> list[str]:
    """Every geometry defect of one page, as readable lines."""
    left, right = MARGIN["left"] - HANG, page.width - MARGIN["right"] + HANG
    top, bottom = MARGIN["top"] - HANG, page.height - FOOTER
    problems = glyph_overlaps(page.glyphs)
    for w in page.words:
        if w.x0 < left or w.x1 > right or w.top < top or w.bottom > bottom:
            problems.append(f"kata {w.text!r} di luar bidang teks ({w.x0:.0f}-{w.x1:.0f}, {w.top:.0f})")
    for im in page.images:
        if im.x0 < left or im.x1 > right or im.top < top or im.bottom > bottom:
            problems.append(f"gambar di luar bidang teks ({im.x0:.0f}-{im.x1:.0f}, {im.top:.0f}-{im.bottom:.0f})")
    rules = [p for p in page.paths if p.x1 - p.x0 < 3 and p.bottom - p.top > 4]  # vertical cell borders
    for w in page.words:
        middle = (w.top + w.bottom) / 2
        for r in rules:
            x = (r.x0 + r.x1) / 2
            if r.top <= middle <= r.bottom and w.x0 + 0.5 < x < w.x1 - 0.5:
                problems.append(f"kata {w.text!r} melewati garis sel tabel di x={x:.0f}")
                break
    problems += orphan_captions(page)
    return [f"hal. {page.number}: {p}" for p in problems]


def pdf_problems(path: Path) -> list[str]:
    pages = read_pages(path)
    return [p for page in pages for p in page_problems(page)] + lonely_headings(pages, read_headings(path))


# --------------------------------------------------------------------------------------------------
# Synthetic units with extreme values

LONG_NAME = (" Wilayah Kerja Pelabuhan Laut Internasional, Bandar Udara Internasional Sultan Aji Muhammad "
             "Sulaiman Sepinggan dan Kawasan Berikat Terpadu Kalimantan Timur")
LONG_INDICATOR = " yang ditindaklanjuti sesuai standar pelayanan dan rekomendasi hasil pemeriksaan"
INDICATORS = 40
RUPIAH_FACTOR = {"penerimaan": 100, "target_penerimaan": 100, "kontributor_penerimaan": 100,
                 "pagu": 100_000, "rpd": 100_000, "realisasi_anggaran": 100_000}
AMOUNT = {"penerimaan": "nilai", "target_penerimaan": "target", "kontributor_penerimaan": "nilai",
          "pagu": "pagu", "rpd": "rencana", "realisasi_anggaran": "realisasi"}


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def make_extreme(out: Path) -> Path:
    """`lakin synth` (two units, two years), then: unit names and indicator names made long, amounts scaled
    to 15 digits, and indicators copied until each unit has 40."""
    from lakin.tools.synth import generate

    generate(out, units=2, years=2)
    header, rows = _rows(out / "satker.csv")
    for r in rows:
        r["nama"] = r["nama"] + LONG_NAME
        r["singkatan"] = r["singkatan"] + " Kalimantan Timur"
    _write(out / "satker.csv", header, rows)
    for table, factor in RUPIAH_FACTOR.items():
        for path in (out / table).glob("*.csv"):
            header, rows = _rows(path)
            for r in rows:
                if r[AMOUNT[table]] not in ("", None):
                    r[AMOUNT[table]] = str(int(round(float(r[AMOUNT[table]]))) * factor)
            _write(path, header, rows)
    for path in (out / "iku").glob("*.csv"):
        header, rows = _rows(path)
        nilai_path = out / "iku_nilai" / path.name
        nheader, nilai = _rows(nilai_path)
        by_year: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_year[r["tahun"]].append(r)
        new_rows, new_nilai = list(rows), list(nilai)
        for tahun, year_rows in by_year.items():
            copies = INDICATORS - len(year_rows)
            for k in range(copies):
                src = year_rows[k % len(year_rows)]
                kode = f"{src['kode']}-{k // len(year_rows) + 2}"
                new_rows.append({**src, "kode": kode, "nama": src["nama"] + LONG_INDICATOR,
                                 "urutan": str(100 + k)})
                new_nilai += [{**n, "kode": kode} for n in nilai if n["tahun"] == tahun and n["kode"] == src["kode"]]
        _write(path, header, new_rows)
        _write(nilai_path, nheader, new_nilai)
    return out


EXTREME = [("sintetis-kppbc-0001", "2024"), ("sintetis-bkipm-0002", "2024Q3")]


@pytest.fixture(scope="session")
def extreme_data(tmp_path_factory) -> Path:
    return make_extreme(tmp_path_factory.mktemp("ekstrem") / "data")


@pytest.fixture(scope="session")
def extreme_pdf(extreme_data, tmp_path_factory):
    """The PDF of an extreme synthetic unit, built once per session (PDF only)."""
    from lakin.pipeline.build import build

    root = tmp_path_factory.mktemp("ekstrem-laporan")
    cache: dict[tuple[str, str], Path] = {}

    def get(satker: str, period: str) -> Path:
        if (satker, period) not in cache:
            result = build(satker, period, extreme_data, root, formats=("pdf",), workbook=False)
            cache[(satker, period)] = result.files["pdf"]
        return cache[(satker, period)]

    return get


# --------------------------------------------------------------------------------------------------
# The tests


def test_params_list_the_reports_checked():
    assert ("kppbc-balikpapan", "2024Q3") in SHIPPED and ("bkipm-banjarmasin", "2024Q1") in SHIPPED


@pytest.mark.parametrize("satker,period", SHIPPED, ids=lambda v: str(v))
def test_shipped_report_pages_hold(built, satker, period):
    pdf = built(satker, period).files["pdf"]
    assert pdf_problems(pdf) == []


@pytest.mark.parametrize("satker,period", EXTREME, ids=lambda v: str(v))
def test_extreme_unit_pages_hold(extreme_pdf, extreme_data, satker, period):
    pdf = extreme_pdf(satker, period)
    pages = read_pages(pdf)
    text = " ".join(p.text for p in pages)
    assert "Sepinggan" in text  # the long name is printed
    assert re.search(r"\d{3}\.\d{3}\.\d{3}\.\d{3}", text) or "(Rp juta)" in text or "(Rp miliar)" in text
    assert [p for page in pages for p in page_problems(page)] + lonely_headings(pages, read_headings(pdf)) == []


def test_extreme_data_has_forty_indicators_and_fifteen_digit_amounts(extreme_data):
    _, iku = _rows(extreme_data / "iku" / "sintetis-kppbc-0001.csv")
    assert len([r for r in iku if r["tahun"] == "2024"]) == INDICATORS
    _, pagu = _rows(extreme_data / "pagu" / "sintetis-kppbc-0001.csv")
    _, target = _rows(extreme_data / "target_penerimaan" / "sintetis-kppbc-0001.csv")
    assert max(len(r["target"]) for r in target) >= 15 or max(len(r["pagu"]) for r in pagu) >= 15


# --- the rules catch what they are meant to catch (a PDF made to break each rule) -----------------------


def _typst_pdf(tmp_path: Path, body: str) -> Path:
    import typst

    source = tmp_path / "t.typ"
    source.write_text('#set page(paper: "a4", margin: (top: 2.5cm, bottom: 2.5cm, left: 3cm, right: 2.5cm))\n'
                      '#set text(font: "DejaVu Sans", size: 10pt)\n' + body, encoding="utf-8")
    target = tmp_path / "t.pdf"
    typst.compile(str(source), output=str(target))
    return target


def test_rules_find_overflowing_cell_text(tmp_path):
    pdf = _typst_pdf(tmp_path, "#table(columns: (2cm, 2cm), [Rp127.971.778.846], [Rp127.971.778.846])")
    problems = pdf_problems(pdf)
    assert any("menimpa" in p for p in problems), problems  # runs into the next cell's text
    pdf = _typst_pdf(tmp_path, "#table(columns: (2cm, 2cm, 2cm), [Bulan], [Rp127.971.778.846], [])")
    problems = pdf_problems(pdf)
    assert any("'Rp127.971.778.846' melewati garis sel tabel" in p for p in problems), problems


def test_rules_find_overlapping_text_and_text_outside_the_area(tmp_path):
    pdf = _typst_pdf(tmp_path, "#place(dx: 0cm, dy: 0cm)[Tumpang tindih]\n#place(dx: 0.1cm, dy: 0.05cm)[Kata lain menimpa]\n"
                               "#place(dx: 14cm, dy: 3cm)[Keluar dari bidang teks kanan]")
    problems = pdf_problems(pdf)
    assert any("menimpa" in p for p in problems), problems
    assert any("di luar bidang teks" in p for p in problems), problems


def test_rules_find_a_caption_alone_at_the_foot_of_a_page(tmp_path):
    pdf = _typst_pdf(tmp_path, "#v(19.5cm)\n#text(weight: \"bold\", size: 9.5pt)[Tabel 4.4 Judul sendirian]\n"
                               "#pagebreak()\n#table(columns: 2, [a], [b])")
    problems = pdf_problems(pdf)
    assert any("Tabel 4.4: judul tabel tanpa tabel" in p for p in problems), problems


def test_rules_find_a_heading_alone_at_the_foot_of_a_page(tmp_path):
    """As a heading before a landscape table was (kppbc-balikpapan 2024, "Capaian Trajektori Bulanan", pages 37-38):
    the heading on the portrait page, its table on the next, landscape, page."""
    pdf = _typst_pdf(tmp_path, "= Bab Satu\nTeks biasa.\n#v(17cm)\n=== Capaian Trajektori Bulanan\n"
                               "#page(flipped: true)[#table(columns: 2, [Bulan], [Nilai])]")
    problems = pdf_problems(pdf)
    assert problems == ["hal. 1: judul 'Capaian Trajektori Bulanan' sendirian di kaki halaman, isinya di halaman "
                        "berikut"], problems
    pdf = _typst_pdf(tmp_path, "= Bab Satu\nTeks biasa.\n#v(17cm)\n"
                               "#page(flipped: true)[=== Capaian Trajektori Bulanan\n"
                               "#table(columns: 2, [Bulan], [Nilai])]")
    assert pdf_problems(pdf) == []


def test_clean_page_has_no_problems(tmp_path):
    pdf = _typst_pdf(tmp_path, "= Bab Satu\n#text(weight: \"bold\", size: 9.5pt)[Tabel 1 Contoh]\n"
                               "#table(columns: 2, [Bulan], [Nilai], [Januari], [Rp1.000])\n" + "Teks biasa. " * 80)
    assert pdf_problems(pdf) == []


def _lakin_typ_pdf(tmp_path: Path, body: str) -> Path:
    """A Typst body set in lakin.typ's report template (its table rules, fonts and page), compiled to PDF."""
    import typst

    from lakin.pipeline.render.base import TEMPLATES

    shutil.copyfile(TEMPLATES / "lakin.typ", tmp_path / "lakin.typ")
    (tmp_path / "main.typ").write_text('#import "lakin.typ": lakin-report\n#show: lakin-report.with(nama: "Uji")\n'
                                       + body, encoding="utf-8")
    typst.compile(str(tmp_path / "main.typ"), output=str(tmp_path / "t.pdf"), root=str(tmp_path))
    return tmp_path / "t.pdf"


def _lakin_table(tmp_path: Path, heads: list[str], rows: list[list[str]]) -> tuple[list[float], Page]:
    """A Markdown table through lakin.lua (pandoc's Typst writer) and lakin.typ, as a report's table is printed:
    its column widths (shares of the text width) and the PDF page it is on."""
    import pypandoc

    from lakin.pipeline.render.base import TEMPLATES

    markdown = "\n".join("| " + " | ".join(r) + " |" for r in [heads, ["---"] * len(heads), *rows]) + "\n"
    body = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "--lua-filter", str(TEMPLATES / "lakin.lua"),
                           "-t", "typst"], input=markdown, capture_output=True, text=True, check=True).stdout
    shares = [float(v) / 100 for v in re.search(r"columns: \(([^)]*)\)", body).group(1).replace("%", "").split(",")
              if v.strip()]
    pdf = _lakin_typ_pdf(tmp_path, body)
    page = next(p for p in read_pages(pdf) if heads[-1] in p.text and heads[0] in p.text)
    assert page_problems(page) == []
    return shares, page


def _lines(page: Page, text: str) -> list[int]:
    """For each printing of `text` (one table cell's words, in order) on the page: on how many lines it is."""
    words, found = text.split(), []
    for i, w in enumerate(page.words):
        if w.text == words[0] and [x.text for x in page.words[i:i + len(words)]] == words:
            found.append(len({round(x.top) for x in page.words[i:i + len(words)]}))
    return found


def test_table_columns_are_as_wide_as_their_words_need(tmp_path):
    """A table too wide for automatic widths gets columns from lakin.lua's estimate of its words. The estimate came
    from rough glyph widths, 15% more room, and bold heads 10% wider: in bkipm-banjarmasin 2024Q1's Tabel 2.2 the
    short columns were 10-15% wider than their heads needed, and the indicators' column got 19% of the width
    (six lines an indicator). Now it reads the table fonts' own widths (make_table_metrics.py): each short
    column holds its head in bold with at most 8% to spare, and nothing overflows. A code ("IKM 10") is one unit."""
    heads = ["No", "Sasaran", "Kode", "Indikator", "Satuan", "Target", "Realisasi", "Capaian", "Status"]
    rows = [["1", "SK1.1", "IKU 1", "Jumlah sertifikat CPIB suplier yang diterbitkan lingkup Balai KIPM Banjarmasin",
             "sertifikat", "0", "1,00", "N/A", "Abu-abu"],
            ["2", "SK3.1", "IKM 10", "Unit Penanganan dan/atau Pengolahan Ikan yang menerapkan sistem traceability "
             "lingkup Balai KIPM Banjarmasin", "UPI", "3", "3,00", "100,00", "Hijau"]]
    shares, page = _lakin_table(tmp_path, heads, rows)
    text_width = page.width - MARGIN["left"] - MARGIN["right"]
    bold = {w.text: w.x1 - w.x0 for w in page.words if w.bold}
    inset = 8.0  # lakin.typ: 4 pt either side
    # an indicator's code is not broken at its space: "IKM" and "10" were printed on two lines
    code = next(w for w in page.words if w.text == "IKM")
    number = next((w for w in page.words if w.text == "10" and abs(w.top - code.top) < 1 and w.x0 > code.x1), None)
    assert number is not None, "'IKM 10' dipecah menjadi dua baris"
    for head, share in zip(heads, shares):
        if head == "Indikator":
            assert share > 0.25, shares  # 18.97% before
            continue
        cells = [w.x1 - w.x0 for w in page.words if not w.bold and w.text in {r[heads.index(head)] for r in rows}]
        if head == "Kode":
            cells.append(number.x1 - code.x0)
        needed = max([bold[head], *cells]) + inset
        assert needed <= share * text_width <= needed * 1.08 + 1.0, (head, needed, share * text_width)


def test_table_spare_width_goes_to_body_text_before_long_heads(tmp_path):
    """kppbc-balikpapan 2024Q1's Tabel 2.25: the spare width was shared out in proportion to each column's longest
    cell on one line, heads included, so the long heads of the amount columns ("Target 2024 (KEP-17/BC/ 2024) (Rp
    juta)") took it, and "tidak ada data 2023 s.d. Maret" took six lines in each row of the Yoy column. And
    bkipm-banjarmasin 2024Q1's Tabel 2.3 wrapped "10 sertifikat" to give the long Uraian column a few points more.
    Now a head asks for a third of its length, and the spare width meets the small asks first."""
    heads = ["No", "Jenis Penerimaan", "Target 2024 (KEP-17/BC/2024) (Rp juta)", "Realisasi Maret (Rp juta)",
             "Realisasi s.d. Maret 2024 (Rp juta)", "Realisasi s.d. Maret 2023", "Yoy (%)", "% Capaian 2024"]
    rows = [["1", "Bea Masuk", "1.191.480,10", "N/A", "N/A", "N/A", "tidak ada data 2023 s.d. Maret",
             "tidak ada data"],
            ["", "Total", "2.074.191,91", "134.265,30", "351.764,13", "N/A", "tidak ada data 2023 s.d. Maret",
             "16,96%"]]
    _, page = _lakin_table(tmp_path, heads, rows)
    assert _lines(page, "tidak ada data 2023 s.d. Maret") == [3, 3]  # six lines each before
    heads = ["Uraian", "Target", "Realisasi", "Capaian", "% dari Target Tahunan"]
    rows = [["Tahun 2019", "-", "10 sertifikat", "-", "-"],
            ["Target Renstra 2020-2024 (realisasi s.d. Triwulan I 2024) dan realisasi kumulatif tahun-tahun "
             "sebelumnya menurut laporan kinerja", "10 sertifikat", "1 sertifikat", "10,00%", "-"]]
    _, page = _lakin_table(tmp_path, heads, rows)
    assert _lines(page, "10 sertifikat") == [1, 1]


def test_a_table_row_is_never_broken_across_pages(tmp_path):
    """Typst breaks a row of automatic height across pages by default: the row's first lines end one page, the rest
    follow the repeated head on the next (in the DOCX, kppbc-balikpapan 2024's "Indeks capaian IKU 13a-N" was cut
    so; word.py's test is in test_build). lakin.typ keeps each row whole."""
    tall = " ".join(f"baris{i}" for i in range(40))
    pdf = _lakin_typ_pdf(tmp_path, "#pagebreak()\n#v(19.6cm)\n"
                         f"#table(columns: (3cm, 3cm), table.header([Uraian], [Nilai]), [{tall}], [1,00])\n")
    pages = [p.number for p in read_pages(pdf) for w in p.words if w.text.startswith("baris")]
    assert len(pages) == 40 and len(set(pages)) == 1, sorted(set(pages))


# --- valid files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("satker,period", SHIPPED, ids=lambda v: str(v))
def test_pdf_reads_strictly_with_title_author_and_language(built, satker, period):
    from pypdf import PdfReader

    result = built(satker, period)
    reader = PdfReader(str(result.files["pdf"]), strict=True)
    assert len(reader.pages) > 5
    meta = reader.metadata
    assert meta.author and meta.title.startswith("Laporan Kinerja ") and meta.title.endswith(meta.author)
    assert reader.trailer["/Root"]["/Lang"] == "id"


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf tidak terpasang (Debian: apt-get install qpdf)")
@pytest.mark.parametrize("satker,period", SHIPPED, ids=lambda v: str(v))
def test_pdf_passes_qpdf_check(built, satker, period):
    check = subprocess.run(["qpdf", "--check", str(built(satker, period).files["pdf"])],
                           capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    assert "error" not in check.stderr.lower(), check.stderr


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) tidak terpasang")
@pytest.mark.parametrize("satker,period", SHIPPED, ids=lambda v: str(v))
def test_pdfinfo_reports_no_syntax_error(built, satker, period):
    info = subprocess.run(["pdfinfo", str(built(satker, period).files["pdf"])], capture_output=True, text=True)
    assert info.returncode == 0 and "Error" not in info.stderr, info.stderr


def test_q3_footer_names_the_period_once(built):
    pdf = built("kppbc-balikpapan", "2024Q3").files["pdf"]
    pages = read_pages(pdf)
    footers = [" ".join(w.text for w in p.words if w.top > p.height - MARGIN["top"]) for p in pages[1:]]
    assert footers and all("Laporan Kinerja Triwulan III Tahun 2024" in f for f in footers), footers[:3]
    assert not any("Triwulan III Triwulan III" in f for f in footers)


def _caption_notebooks(directory: Path) -> list[Path]:
    """Chapters whose table starts ever lower on the page: in one of them the caption lands at the foot."""
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    directory.mkdir(parents=True, exist_ok=True)
    table = "| Bulan | Nilai |\n|:--|--:|\n" + "".join(f"| Bulan {i} | Rp{i}.000 |\n" for i in range(1, 31))
    paths = []
    for k in range(10):
        cells = [new_markdown_cell(f"# Bab {k + 1}")]
        cells += [new_markdown_cell(f"Paragraf pengisi nomor {i + 1}.") for i in range(30 + k)]
        cells.append(new_markdown_cell(table + f"\n: Tabel uji {k + 1}\n"))
        nb = new_notebook(cells=cells)
        nb.metadata["lakin"] = {"chapter": {"title": f"Bab {k + 1}", "numbered": True}}
        path = directory / f"{k:02d}-bab.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def test_table_caption_moves_with_its_table(tmp_path):
    """A caption that would end a page moves to the next page with its table (Typst: sticky caption)."""
    from lakin.pipeline.render import ReportMeta, render_report

    meta = ReportMeta(satker="kppbc-balikpapan", nama="Kantor Uji", periode="2024", periode_nama="Tahun 2024",
                      jenis_laporan="Laporan Kinerja Tahunan")
    pdf = render_report(_caption_notebooks(tmp_path / "nb"), meta, tmp_path / "out", formats=("pdf",),
                        engine="pandoc")["pdf"]
    pages = read_pages(pdf)
    labels = [label for page in pages for kind, label, _ in captions(page) if kind == "Tabel"]
    assert len(labels) == 10
    assert [p for page in pages for p in orphan_captions(page)] == []
