"""The DOCX after pandoc: lakin's table styles, landscape sections for wide tables, Word caption fields, and a
zip whose bytes depend on the content only."""

from __future__ import annotations

import io
import re
import zipfile
from copy import deepcopy
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

__all__ = ["ZIP_DATE", "reproducible_zip", "style_docx_tables"]

_DOCX_TABLE_SIZES = {"lakin-tabel-kecil-": " Kecil", "lakin-tabel-mini-": " Mini"}
_DOCX_LANDSCAPE = "-lanskap-"
_WORD_CAPTION = re.compile(r"^(?P<kind>Tabel|Gambar) (?P<chapter>\d+\.)?(?P<number>\d+)(?P<rest>(?:\s.*)?)$", re.S)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every entry's time, as pandoc writes it: no clock in the file


def _section_break(sectpr, landscape: bool):
    """An empty paragraph ending a section laid out as `sectpr` (the document's own), portrait or landscape."""
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


def _word_caption(paragraph) -> None:
    """"Tabel 4.1 ..." as Word writes a caption: "Tabel 4." and a SEQ field (result "1", fixed with `\\r`
    so that updating fields never renumbers what lakin numbered), so Word can build its own lists."""
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


def reproducible_zip(data: bytes) -> bytes:
    """The same zip (entries, order, compression) with every entry dated ZIP_DATE: equal content, equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            target.writestr(entry, source.read(info))
    return out.getvalue()


def style_docx_tables(path: Path) -> None:
    """Table cells get the reference document's "Isi Tabel" / "Kepala Tabel" styles, or their "Kecil" /
    "Mini" variants for tables that lakin.lua marked (bookmark `lakin-tabel-kecil-N`, `lakin-tabel-mini-N`)
    as needing a smaller size to fit the page; pandoc itself ignores custom styles inside table cells.
    A table marked `...-lanskap-N` (too wide for a portrait page) gets a landscape section of its own,
    from its caption to its end. Table and figure captions get Word's SEQ fields (`_word_caption`).
    The file is saved with fixed entry dates (`reproducible_zip`)."""
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
    saved = io.BytesIO()
    doc.save(saved)
    path.write_bytes(reproducible_zip(saved.getvalue()))
