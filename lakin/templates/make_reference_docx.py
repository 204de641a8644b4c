"""Build lakin/templates/reference.docx: pandoc's default reference document set to A4 and the house styles.

Run once after changing a style (the .docx is committed; rendering never runs this):

    .venv/bin/python lakin/templates/make_reference_docx.py

Pandoc takes page size, margins, footers and every named style from this file. Style names used by
pandoc are kept ("Body Text", "Heading 1", "Table Caption", ...); lakin adds "Isi Tabel", "Kepala Tabel"
and their "Kecil"/"Mini" variants for tables wider than the page (table cells, applied by lakin.pipeline.render after
pandoc), "Tanda Tangan" and "Nama Penanda Tangan" (signature block, applied through custom-style divs).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
TARGET = HERE / "reference.docx"

FONT = "Arial"
ACCENT = RGBColor(0x1F, 0x4E, 0x79)


def pandoc_default() -> bytes:
    """Pandoc's own reference.docx (the starting point, so that every pandoc style exists)."""
    import pypandoc

    return subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          check=True, capture_output=True).stdout


def _font(style, size: float | None = None, bold: bool | None = None, italic: bool | None = None,
          color: RGBColor | None = None, name: str | None = FONT) -> None:
    font = style.font
    if name:
        font.name = name
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), name)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attr), None)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if color is not None:
        font.color.rgb = color


def _para(style, before: float | None = None, after: float | None = None, align=None, line: float | None = None,
          keep_next: bool | None = None, page_break: bool | None = None, indent_left: float | None = None) -> None:
    pf = style.paragraph_format
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if align is not None:
        pf.alignment = align
    if line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
        pf.line_spacing = line
    if keep_next is not None:
        pf.keep_with_next = keep_next
    if page_break is not None:
        pf.page_break_before = page_break
    if indent_left is not None:
        pf.left_indent = Cm(indent_left)


def _style(doc, name: str, base: str = "Normal"):
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[base]
        style.quick_style = True
        return style


def _page_number_footer(section) -> None:
    section.footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _table_borders(doc) -> None:
    """The "Table" style pandoc applies: thin grey grid, shaded bold header row."""
    style = doc.styles["Table"].element
    tblpr = style.find(qn("w:tblPr"))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "A6A6A6")
        borders.append(el)
    tblpr.append(borders)
    margins = tblpr.find(qn("w:tblCellMar"))
    for edge in ("left", "right"):
        margins.find(qn(f"w:{edge}")).set(qn("w:w"), "72")  # 0.13 cm: room for 12-column tables
    for edge in ("top", "bottom"):
        margins.find(qn(f"w:{edge}")).set(qn("w:w"), "14")
    for cond in style.findall(qn("w:tblStylePr")):
        if cond.get(qn("w:type")) == "firstRow":
            tcpr = cond.find(qn("w:tcPr"))
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), "DBE5F1")
            tcpr.append(shd)
            header = OxmlElement("w:trPr")
            repeat = OxmlElement("w:tblHeader")
            header.append(repeat)
            cond.insert(0, header)


def build(base: bytes) -> bytes:
    """The styled reference document, from pandoc's default one."""
    doc = docx.Document(io.BytesIO(base))

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin, section.right_margin = Cm(3), Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)
    _page_number_footer(section)

    s = doc.styles
    _font(s["Normal"], 11)
    _para(s["Normal"], after=6, line=1.15)
    _para(s["Body Text"], before=0, after=6, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(s["First Paragraph"], before=0, after=6, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(s["Compact"], before=0, after=3)

    _font(s["Heading 1"], 16, bold=True, color=ACCENT)
    _para(s["Heading 1"], before=0, after=12, keep_next=True, page_break=True)
    _font(s["Heading 2"], 13, bold=True, color=ACCENT)
    _para(s["Heading 2"], before=14, after=6, keep_next=True)
    _font(s["Heading 3"], 11.5, bold=True, color=ACCENT)
    _para(s["Heading 3"], before=10, after=4, keep_next=True)
    _font(s["Heading 4"], 11, bold=True, italic=True, color=ACCENT)
    _para(s["Heading 4"], before=8, after=4, keep_next=True)

    # Cover: pandoc's title block (Title, Subtitle, Author, Date), then the table of contents on its own page.
    _font(s["Title"], 24, bold=True, color=ACCENT)
    _para(s["Title"], before=150, after=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(s["Subtitle"], 16, bold=True, color=None)
    _para(s["Subtitle"], before=36, after=36, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(s["Author"], 12, bold=False, color=RGBColor(0x26, 0x26, 0x26))
    _para(s["Author"], before=0, after=4, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(s["Date"], 14, bold=True)
    _para(s["Date"], before=60, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(s["TOC Heading"], 16, bold=True, color=ACCENT)
    _para(s["TOC Heading"], before=0, after=12, page_break=True)

    _font(s["Table Caption"], 10, bold=True, italic=False)
    _para(s["Table Caption"], before=12, after=4, keep_next=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _font(s["Image Caption"], 10, bold=True, italic=False)
    _para(s["Image Caption"], before=4, after=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(s["Captioned Figure"], align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    _para(s["Figure"], align=WD_ALIGN_PARAGRAPH.CENTER)

    cell = _style(doc, "Isi Tabel")
    _font(cell, 9)
    _para(cell, before=0, after=0, line=1.0)
    head = _style(doc, "Kepala Tabel", base="Isi Tabel")
    _font(head, 9, bold=True)
    _para(head, before=0, after=0, line=1.0, keep_next=True)
    small = _style(doc, "Isi Tabel Kecil", base="Isi Tabel")
    _font(small, 7.5)
    small_head = _style(doc, "Kepala Tabel Kecil", base="Kepala Tabel")
    _font(small_head, 7.5, bold=True)
    mini = _style(doc, "Isi Tabel Mini", base="Isi Tabel")
    _font(mini, 6.5)
    mini_head = _style(doc, "Kepala Tabel Mini", base="Kepala Tabel")
    _font(mini_head, 6.5, bold=True)
    _table_borders(doc)

    # The place, date and office stay on the signer's page: LibreOffice laid out kppbc-balikpapan 2024's foreword
    # with the signer's name alone at the top of the next page.
    sign = _style(doc, "Tanda Tangan")
    _para(sign, before=0, after=0, align=WD_ALIGN_PARAGRAPH.LEFT, indent_left=8.5, keep_next=True)
    sign.paragraph_format.keep_together = True
    signer = _style(doc, "Nama Penanda Tangan", base="Tanda Tangan")
    _para(signer, before=54, after=0, align=WD_ALIGN_PARAGRAPH.LEFT, indent_left=8.5, keep_next=False)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> int:
    sys.path.insert(0, str(HERE.parent.parent))
    from lakin.atomic import write_bytes

    write_bytes(TARGET, build(pandoc_default()))
    print(f"ditulis: {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
