"""The DOCX after pandoc: lakin's table styles, landscape sections for wide tables, Word caption fields, and a
zip whose bytes depend on the content only."""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path

from lxml import etree

from lakin.errors import RenderError

__all__ = ["ZIP_DATE", "png_stand_in", "reproducible_zip", "style_docx_tables"]

_DOCX_TABLE_SIZES = {"lakin-tabel-kecil-": " Kecil", "lakin-tabel-mini-": " Mini"}
_DOCX_LANDSCAPE = "-lanskap-"
_WORD_CAPTION = re.compile(r"^(?P<kind>Tabel|Gambar) (?P<chapter>\d+\.)?(?P<number>\d+)(?P<rest>(?:\s.*)?)$", re.S)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every entry's time, as pandoc writes it: no clock in the file


def _section_break(sectpr, landscape: bool):
    """An empty paragraph ending a section laid out as `sectpr` (the document's own), portrait or landscape."""
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


def _with_headings_before(element, headings: set[str]):
    """`element`, or the first of the heading paragraphs (style ids `headings`) right before it: a wide table's
    landscape section starts at its headings, which would otherwise stand alone at the foot of the portrait page
    before it (lakin.lua does the same in the PDF)."""
    from docx.oxml.ns import qn

    start = element
    while (before := start.getprevious()) is not None and before.tag == qn("w:p"):
        style = before.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None or style.get(qn("w:val")) not in headings:
            break
        start = before
    return start


def _word_caption(paragraph) -> None:
    """"Tabel 4.1 ..." as Word writes a caption: "Tabel 4." and a SEQ field (result "1", fixed with `\\r`
    so that updating fields never renumbers what lakin numbered), so Word can build its own lists."""
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


# --------------------------------------------------------------------------- stand-in images
# pandoc's DOCX writer runs in its sandbox, so it gets every image inside the document as a data: URI; for the
# charts' PNGs (about 5 MB a report) parsing those took it 2.5 s of a 3 s run. It gets instead a stand-in of
# each PNG: the same header chunks (size, resolution: all pandoc reads of an image), a blank image, and the
# stand-in's key in a tEXt chunk. `reproducible_zip` puts the real PNG back in place of every stand-in.
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STAND_IN_KEY = b"lakin-gambar"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def _chunks(png: bytes):
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        yield kind, png[pos + 8:pos + 8 + length]
        pos += 12 + length


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


_ZEROS = 1 << 16  # bytes of zeros in the one deflate block a blank image's data repeats


@functools.lru_cache(maxsize=1)
def _zero_blocks() -> tuple[bytes, Callable[[int], bytes]]:
    """Raw deflate of `_ZEROS` zero bytes ending on a full flush (no reference to what came before, so it can be
    repeated), and the final blocks of n zero bytes."""
    block = zlib.compressobj(1, zlib.DEFLATED, -15)
    whole = block.compress(b"\0" * _ZEROS) + block.flush(zlib.Z_FULL_FLUSH)

    def tail(n: int) -> bytes:
        last = zlib.compressobj(1, zlib.DEFLATED, -15)
        return last.compress(b"\0" * n) + last.flush(zlib.Z_FINISH)

    return whole, tail


@functools.lru_cache(maxsize=16)
def _blank(row: int, height: int) -> bytes:
    """The zlib data of a blank image: a zero filter byte and zero samples on every row. Built from one deflate
    block repeated (a chart of 4 MB of pixels cost zlib.compress 28 ms; this, microseconds)."""
    size = (row + 1) * height
    whole, tail = _zero_blocks()
    adler = (size % 65521) << 16 | 1  # Adler-32 of `size` zero bytes
    return (b"\x78\x01" + whole * (size // _ZEROS) + tail(size % _ZEROS)
            + struct.pack(">I", adler))


def png_stand_in(png: bytes, key: str) -> bytes:
    """A PNG with `png`'s size, resolution and colour model, blank, carrying `key`; `png` itself when it is not
    a PNG lakin can read (it is then embedded as it is)."""
    if not png.startswith(_PNG_SIGNATURE):
        return png
    head = [(kind, body) for kind, body in _chunks(png) if kind not in (b"IDAT", b"IEND", b"tEXt")]
    if not head or head[0][0] != b"IHDR":
        return png
    width, height, depth, colour = struct.unpack(">IIBB", head[0][1][:10])
    blank = _blank((width * _CHANNELS.get(colour, 4) * depth + 7) // 8, height)
    return (_PNG_SIGNATURE + b"".join(_chunk(kind, body) for kind, body in head)
            + _chunk(b"tEXt", _STAND_IN_KEY + b"\0" + key.encode("ascii")) + _chunk(b"IDAT", blank)
            + _chunk(b"IEND", b""))


def _stand_in_key(data: bytes) -> str | None:
    if not data.startswith(_PNG_SIGNATURE):
        return None
    for kind, body in _chunks(data):
        if kind == b"tEXt" and body.startswith(_STAND_IN_KEY + b"\0"):
            return body[len(_STAND_IN_KEY) + 1:].decode("ascii")
    return None


def _canonical_order(infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The entries in their order, except the images: by name, where the first image was (pandoc's order
    of them follows their sources)."""
    media = sorted((i for i in infos if i.filename.startswith("word/media/")), key=lambda i: i.filename)
    if not media:
        return list(infos)
    first = next(n for n, i in enumerate(infos) if i.filename.startswith("word/media/"))
    rest = [i for i in infos if not i.filename.startswith("word/media/")]
    return rest[:first] + media + rest[first:]


def reproducible_zip(data: bytes, images: dict[str, bytes] | None = None) -> bytes:
    """The same zip (entries, compression) with every entry dated ZIP_DATE, the images in name order and the
    document's relationships in Id order: equal content, equal bytes.
    With `images`, every stand-in PNG (`png_stand_in`) becomes the real image of its key; a stand-in without
    one is an error (RenderError): no blank image reaches a report."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in _canonical_order(source.infolist()):
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            body = source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                body = _sorted_relationships(body)
            if images is not None and info.filename.startswith("word/media/"):
                key = _stand_in_key(body)
                if key is not None:
                    if key not in images:
                        raise RenderError(f"DOCX: gambar {key} tidak ditemukan", formats=["docx"])
                    body = images[key]
            target.writestr(entry, body)
    return out.getvalue()


_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def _picture_descriptions(body) -> None:
    """pandoc writes an image's source into its picture's description (`pic:cNvPr/@descr`): for an embedded
    image, the whole data: URI (a second copy of the image, read aloud as alt text). It becomes the drawing's
    own description (`wp:docPr/@descr`, the figure's caption)."""
    for drawing in body.iter(f"{_WP}inline", f"{_WP}anchor"):
        doc_pr = drawing.find(f"{_WP}docPr")
        for pic in drawing.iter(f"{_PIC}cNvPr"):
            pic.set("descr", doc_pr.get("descr", "") if doc_pr is not None else "")


def _sorted_relationships(xml: bytes) -> bytes:
    """A relationships part with its entries in Id order (pandoc's order follows the images' sources)."""
    root = etree.fromstring(xml)
    entries = sorted(root, key=lambda e: (len(e.get("Id", "")), e.get("Id", "")))
    for entry in entries:
        root.append(entry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _cant_split(row, trpr) -> None:
    """A table row is never broken across pages (`w:cantSplit`): Word and LibreOffice break a row by default, and
    kppbc-balikpapan 2024's "Indeks capaian IKU 13a-N" ended a page as "Indeks capaian", its "IKU 13a-N" alone
    on the next page under the repeated head."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if trpr is None:
        trpr = OxmlElement("w:trPr")
        before = row.find(qn("w:tblPrEx"))  # w:tr: tblPrEx?, trPr?, then the cells
        if before is not None:
            before.addnext(trpr)
        else:
            row.insert(0, trpr)
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))


def style_docx_tables(path: Path, images: dict[str, bytes] | None = None) -> None:
    """Table cells get the reference document's "Isi Tabel" / "Kepala Tabel" styles, or their "Kecil" /
    "Mini" variants for tables that lakin.lua marked (bookmark `lakin-tabel-kecil-N`, `lakin-tabel-mini-N`)
    as needing a smaller size to fit the page; pandoc itself ignores custom styles inside table cells.
    A table marked `...-lanskap-N` (too wide for a portrait page) gets a landscape section of its own,
    from its caption (or the headings right before it) to its end. Table and figure captions get Word's SEQ
    fields (`_word_caption`).
    The file is saved with fixed entry dates and every stand-in image replaced by its real one from `images`
    (`reproducible_zip`).

    python-docx is imported here (0.08 s): a process that writes no DOCX (the chart-drawing child, an HTML build)
    never loads it."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    ids = {s.name: s.style_id for s in doc.styles}
    names = set(ids)
    if "Isi Tabel" not in names:  # a reference document without lakin's styles
        if images is not None:
            path.write_bytes(reproducible_zip(path.read_bytes(), images))
        return
    plain = {ids[n] for n in ("Compact", "Body Text", "First Paragraph", "Normal") if n in ids}
    headings = {style_id for name, style_id in ids.items() if re.fullmatch(r"[Hh]eading \d", name or "")}
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
                    landscape_from = _with_headings_before(element, headings)
            continue
        body_id = ids.get("Isi Tabel" + suffix)
        head_id = ids.get("Kepala Tabel" + suffix)
        for row in element.iterchildren(qn("w:tr")):
            trpr = row.find(qn("w:trPr"))
            header = trpr is not None and trpr.find(qn("w:tblHeader")) is not None
            _cant_split(row, trpr)
            for pstyle in row.iter(qn("w:pStyle")):
                if pstyle.get(qn("w:val")) in plain:
                    pstyle.set(qn("w:val"), head_id if header else body_id)
        if landscape_from is not None and sectpr is not None:
            landscape_from.addprevious(_section_break(sectpr, landscape=False))  # ends the portrait pages before
            element.addnext(_section_break(sectpr, landscape=True))  # ends the table's landscape page
        suffix, landscape_from = "", None
    _picture_descriptions(body)
    captions = {ids[n] for n in ("Table Caption", "Image Caption") if n in ids}
    for paragraph in body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in captions:
            _word_caption(paragraph)
    saved = io.BytesIO()
    doc.save(saved)
    path.write_bytes(reproducible_zip(saved.getvalue(), images))
