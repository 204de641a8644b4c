"""Assembly along an official outline (lakin/present/outlines): chapters, their titles and numbers, the lists of
tables and figures."""

from __future__ import annotations

from lakin.errors import RenderError
from lakin.pipeline.render.chapters import ID_CHARS, AssembledChapter, Assembler
from lakin.pipeline.render.meta import ReportMeta
from lakin.pipeline.render.notebooks import chapter_spec, chunks, drop_first_h1
from lakin.present.outlines import Outline, load_outline
from lakin.model.refs import escape_md

__all__ = ["outline_chapters", "outline_lists", "outline_of", "signature_markdown"]


def outline_of(meta: ReportMeta | None) -> Outline | None:
    """The outline `meta` names, or None (then every notebook is a chapter of its own)."""
    if meta is None or not meta.outline:
        return None
    return load_outline(meta.outline)


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


def outline_chapters(asm: Assembler, loaded: list, outline: Outline, meta: ReportMeta | None,
                     signed: bool) -> list[tuple[AssembledChapter, str]]:
    """Notebooks grouped into the outline's chapters: title and number from the outline ("Bab III
    Akuntabilitas Kinerja" is chapter 3), section labels written by the notebooks (A., B. or 2.1), so the
    engines number no heading; tables and figures are still numbered per chapter (Tabel 3.1)."""
    groups: list[tuple[object, list]] = []
    for path, nb in loaded:
        oc = outline.chapter_of(path.stem)
        if oc is None:
            raise RenderError(f"Bab {path.name} tidak ada dalam kerangka laporan {outline.nama} "
                               f"(lakin/outlines/{outline.id}.yaml)", notebook=str(path))
        if groups and groups[-1][0] is oc:
            groups[-1][1].append((path, nb))
        else:
            groups.append((oc, [(path, nb)]))
    out = []
    for index, (oc, members) in enumerate(groups):
        parts: list = []
        wants_signature = False
        for j, (path, nb) in enumerate(members):
            wants_signature = wants_signature or bool(chapter_spec(nb).get("signature"))
            part = chunks(nb)
            parts.extend(part if j == 0 else drop_first_h1(part))
        last_unsigned = meta is not None and not signed and index == len(groups) - 1
        tail = signature_markdown(meta) if meta is not None and (wants_signature or last_unsigned) else ""
        signed = signed or bool(tail)
        ident = "{#" + ID_CHARS.sub("-", oc.title.lower()).strip("-") + "}"
        out.append(asm.chapter(str(members[0][0]), escape_md(oc.title), oc.numbered, parts, h1_attrs=ident[1:-1],
                               tail=tail, number_headings=False, fixed_number=oc.number))
    return out


def outline_lists(asm: Assembler, outline: Outline) -> list[tuple[AssembledChapter, str]]:
    """Daftar Tabel and Daftar Gambar: every numbered table and figure with its caption, in print order."""
    out = []
    for wanted, title, ident, items in ((outline.daftar_tabel, "Daftar Tabel", "daftar-tabel", asm.listed_tables),
                                        (outline.daftar_gambar, "Daftar Gambar", "daftar-gambar", asm.listed_figures)):
        if not wanted or not items:
            continue
        lines = [f"# {title} {{#{ident} .unnumbered}}", ""]
        lines += [f"- {tag} {caption}" for tag, caption in items]
        out.append((AssembledChapter(title=title, number=None, source=ident), "\n".join(lines)))
    return out
