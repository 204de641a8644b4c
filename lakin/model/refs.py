"""Figure references in analysts' text: `{{ penerimaan.total.realisasi }}` becomes the model's formatted value.

Syntax (documented in data/README.md, *Analysts' text*):

- `{{ name }}`: the figure `name` of the report model, written as every surface writes it
  (`{{ nko }}` -> 118,32, `{{ penerimaan.total.yoy }}` -> 23,41%).
- `{{ "3,674" }}`: a figure the data does not hold, written as is; `lakin check` then knows the literal is
  deliberate and does not report it.

An unknown name, an unclosed `{{` or an empty reference is an error naming the file and the line.
Everything around the references is left to the untrusted-text rules of `lakin.data.load.read_narasi`.
A figure or a literal is written through `escape_md`, the one Markdown escape of text from data (every layer
from the model up uses it; `lakin.present.show` re-exports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from lakin.errors import NarasiReferenceError
from lakin.values import is_na

__all__ = ["LITERAL", "NAME", "REFERENCE", "Reference", "check", "escape_md", "references", "resolve"]

# Everything pandoc's Markdown reads as markup: emphasis, code, links, raw HTML, headings, tables, attributes,
# citations (@), math ($), sub/superscript (~ ^), entities (&), smart quotes, dashes (--) and ellipses (...).
_MD_SPECIAL = re.compile(r"""([\\`*_{}\[\]<>#|@$~^&"'!]|-(?=-)|\.(?=\.\.))""")
# A list marker at the start of a block: "- ", "+ ", "1. ", "1) ", "(1) ", "a. ", "iv) ".
_LIST_START = re.compile(r"^([ \t]*)(\(?)(\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+)?([-+.)])(?=[ \t]|$)")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\v\f\x85\u2028\u2029]")
# "%" opening a document is a pandoc title block: the text would vanish into metadata.
_TITLE_START = re.compile(r"^([ \t]*)%")


def _inert_list_marker(m: re.Match) -> str:
    paren = "\\(" if m[2] else ""
    return f"{m[1]}{paren}{m[3] or ''}\\{m[4]}"


def escape_md(text) -> str:
    """Text from data made inert for Markdown (and thus for HTML, DOCX and Typst produced from it): one line
    that every renderer prints literally."""
    if text is None or is_na(text):
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
    escaped = _TITLE_START.sub(r"\1\\%", escaped, count=1)
    return _LIST_START.sub(_inert_list_marker, escaped, count=1)


REFERENCE = re.compile(r"\{\{(?P<body>.*?)\}\}", re.S)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
LITERAL = re.compile(r'^"(?P<text>[^"{}]*)"$')


@dataclass(frozen=True)
class Reference:
    """One `{{ ... }}` in a text: its line (1-based), its span, and the figure name or the quoted literal."""

    line: int
    start: int
    end: int
    name: str | None
    literal: str | None


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def references(text: str, file: str = "") -> Iterator[Reference]:
    """Every reference of a text, in order; malformed ones raise NarasiReferenceError."""
    pos = 0
    for m in REFERENCE.finditer(text):
        stray = text.find("{{", pos, m.start())
        if stray != -1:
            raise NarasiReferenceError(file, _line(text, stray), text[stray:stray + 20].strip(), "tidak ditutup dengan }}")
        body = m.group("body").strip()
        line = _line(text, m.start())
        if "\n" in body:
            raise NarasiReferenceError(file, line, body.splitlines()[0], "tidak ditutup dengan }} pada baris yang sama")
        lit = LITERAL.match(body)
        if lit:
            yield Reference(line, m.start(), m.end(), None, lit.group("text"))
        elif NAME.match(body):
            yield Reference(line, m.start(), m.end(), body, None)
        else:
            raise NarasiReferenceError(file, line, body, "bukan nama angka (huruf, angka, titik, tanda hubung) "
                                                         "atau teks dalam tanda kutip")
        pos = m.end()
    stray = text.find("{{", pos)
    if stray != -1:
        raise NarasiReferenceError(file, _line(text, stray), text[stray:stray + 20].strip(), "tidak ditutup dengan }}")


def resolve(text: str, model, file: str = "") -> str:
    """The text with every reference replaced by the model's formatted (escaped) value."""
    out, pos = [], 0
    for ref in references(text, file):
        out.append(text[pos:ref.start])
        if ref.literal is not None:
            out.append(escape_md(ref.literal))
        else:
            fig = model.figures.get(ref.name)
            if fig is None:
                close = sorted(n for n in model.figures if n.split(".")[0] == ref.name.split(".")[0])[:6]
                hint = f" (yang ada, mis.: {', '.join(close)})" if close else ""
                raise NarasiReferenceError(file, ref.line, ref.name, f"tidak dikenal dalam model laporan{hint}")
            out.append(escape_md(fig.text()))
        pos = ref.end
    out.append(text[pos:])
    return "".join(out)


def check(text: str, names, file: str = "") -> list[NarasiReferenceError]:
    """Every reference problem of a text (unknown names, malformed references), without stopping at the first."""
    problems = []
    try:
        for ref in references(text, file):
            if ref.name is not None and ref.name not in names:
                problems.append(NarasiReferenceError(file, ref.line, ref.name, "tidak dikenal dalam model laporan"))
    except NarasiReferenceError as exc:
        problems.append(exc)
    return problems

