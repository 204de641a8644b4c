"""Analysts' text (narasi/<satker>/<tahun>/*.md): read, bounded and checked before anything renders it.

`read_narasi` is the one door: the text must lie inside the data directory, be UTF-8 and small, refer only to
images in its own folder (embedded here as data: URIs) and to web addresses, and carry no YAML metadata or
attributes that could load a file; `@` and `$` are made literal. A scan of the Markdown as pandoc reads it
(`_scan_markdown`) finds every image, link and link definition.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from lakin.data.files import inside, outside_issue, source_label
from lakin.errors import DataIssue, DataValidationError

__all__ = ["NARASI_IMAGE_MAX_BYTES", "NARASI_MAX_BYTES", "RULE_ATTRIBUTE", "RULE_DEFINITION", "RULE_IMAGE",
           "RULE_IMAGE_REF", "RULE_LINK", "RULE_METADATA", "read_narasi"]

# Analysts' Markdown (narasi/<satker>/<tahun>/...) is untrusted: it may show images that lie in its own
# folder and link to web addresses, nothing else (data/README.md, *What the text may refer to*). Images are embedded
# here as data: URIs, so the renderers never open a file named by an analyst.
NARASI_MAX_BYTES = 1024 * 1024
NARASI_IMAGE_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
                b"GIF89a": "image/gif"}
_IMAGE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
_LINK_TARGET = re.compile(r"^(https?://[^\s<>\"\\]+|mailto:[^\s<>\"\\]+|#[A-Za-z0-9_.:-]*)$", re.I)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_TITLE = re.compile(r"""\s+("[^"]*"|'[^']*'|\([^()]*\))\s*$""")
_DEFINITION_PREFIX = re.compile(r"^[ \t>*+\-0-9.)(]*$")
RULE_IMAGE = ("gambar hanya boleh berkas PNG/JPEG/GIF di folder narasi ini, ditulis dengan path relatif tanpa spasi "
              "(mis. ![Keterangan](foto-kegiatan.png)); path absolut, '..', tautan simbolik ke luar folder, file:, "
              "http(s): dan data: tidak diizinkan")
RULE_IMAGE_REF = ("gambar harus ditulis langsung sebagai ![keterangan](berkas.png); gambar bergaya referensi "
                  "tidak diizinkan")
RULE_LINK = ("tautan hanya boleh ke alamat http://, https://, mailto: atau #bagian laporan; file:, data:, "
             "javascript: dan path berkas tidak diizinkan")
RULE_DEFINITION = "definisi tautan ([label]: alamat) hanya boleh ke alamat http://, https:// atau mailto:"
RULE_METADATA = "blok metadata YAML (--- ... ---) tidak diizinkan dalam teks narasi"
RULE_ATTRIBUTE = "atribut {...} hanya boleh #id, .kelas, width dan height (atribut lain dapat memuat berkas)"
_ATTRIBUTES = re.compile(r"(?<!\{)\{(?!\{)([^{}\n]*)\}")
_ATTRIBUTE_KEY = re.compile(r"(?:^|\s)([^\s=#.\"']+)\s*=")
_ALLOWED_ATTRIBUTES = {"width", "height"}


@dataclass(frozen=True)
class _Reference:
    """One image, link or link definition in an analysts' text: kind, target (unescaped), span of the target."""

    kind: str  # "image", "image-ref", "link", "definition"
    target: str
    start: int
    end: int


def read_narasi(path: str | Path, data_dir: str | Path) -> str:
    """An analysts' text file, checked: inside the data directory, UTF-8, bounded, and referring only to images
    in its own folder (embedded as data: URIs) and to web addresses; `@` and `$` made literal.

    Raises DataValidationError naming the file, the line and the rule broken, before anything is rendered.
    """
    path, data_dir = Path(path), Path(data_dir)
    label = source_label(path, data_dir)
    outside = outside_issue(path, data_dir, label)
    if outside is not None:
        raise DataValidationError([outside])
    try:
        if not path.resolve().is_file():  # a folder, a device or a pipe is no text
            raise DataValidationError([DataIssue(label, None, None, None, "teks narasi harus berkas biasa")])
        with path.resolve().open("rb") as fh:  # the file checked above, read no further than the limit
            raw = fh.read(NARASI_MAX_BYTES + 1)
    except OSError as exc:
        raise DataValidationError([DataIssue(label, None, None, None,
                                             f"berkas tidak dapat dibaca: {exc.strerror or exc}")]) from None
    if len(raw) > NARASI_MAX_BYTES:
        raise DataValidationError([DataIssue(label, None, None, None, "teks narasi terlalu besar; batas "
                                             f"{NARASI_MAX_BYTES} byte per berkas")])
    text = _decode_narasi(raw, label)
    issues: list[DataIssue] = []
    text = _check_narasi(text, path.parent, data_dir, label, issues)
    if issues:
        raise DataValidationError(issues)
    return text


def _decode_narasi(raw: bytes, label: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataValidationError([DataIssue(label, 1, None, None, "teks narasi harus ber-encoding UTF-8, bukan "
                                             "UTF-16 (simpan ulang sebagai UTF-8)")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        value = raw[start: None if end < 0 else end].decode("cp1252", errors="replace").strip()[:60]
        raise DataValidationError([DataIssue(
            label, line, None, value, "teks narasi harus ber-encoding UTF-8 (simpan ulang sebagai UTF-8); "
            f"byte {raw[exc.start]:#04x} bukan UTF-8 (kemungkinan Latin-1/Windows-1252)")]) from None


def _check_narasi(text: str, folder: Path, data_dir: Path, label: str, issues: list[DataIssue]) -> str:
    """The text with its images embedded and `@`/`$` escaped; every refused reference appended to `issues`."""
    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for line, block in _metadata_blocks(text):
        issues.append(DataIssue(label, line, None, block[:60], RULE_METADATA))
    for m in _ATTRIBUTES.finditer(text):
        keys = {k.lower() for k in _ATTRIBUTE_KEY.findall(m[1])}
        if keys - _ALLOWED_ATTRIBUTES:
            issues.append(DataIssue(label, line_of(m.start()), None, m[0][:80], RULE_ATTRIBUTE))
    references, literal = _scan_markdown(text)
    replacements: list[tuple[int, int, str]] = []
    for ref in references:
        value = ref.target[:80]
        if ref.kind == "image":
            embedded, problem = _embed_image(ref.target, folder, data_dir)
            if problem:
                issues.append(DataIssue(label, line_of(ref.start), None, value, f"{RULE_IMAGE} ({problem})"))
            else:
                replacements.append((ref.start, ref.end, embedded))
        elif ref.kind == "image-ref":
            issues.append(DataIssue(label, line_of(ref.start), None, value, RULE_IMAGE_REF))
        elif ref.kind == "definition" and not _LINK_TARGET.match(ref.target):
            issues.append(DataIssue(label, line_of(ref.start), None, value, RULE_DEFINITION))
        elif ref.kind == "link" and ref.target and not _LINK_TARGET.match(ref.target):
            issues.append(DataIssue(label, line_of(ref.start), None, value, RULE_LINK))
    replacements += [(pos, pos, "\\") for pos in literal]
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _metadata_blocks(text: str) -> list[tuple[int, str]]:
    """(line, first line) of every YAML metadata block pandoc would read: `---` after a blank line, a mapping,
    then `---` or `...`."""
    lines = text.split("\n")
    found = []
    for i, line in enumerate(lines):
        opens = line.rstrip() == "---" and (i == 0 or not lines[i - 1].strip())
        if not opens or i + 1 >= len(lines) or not lines[i + 1].strip():
            continue
        for j in range(i + 1, len(lines)):
            if lines[j].rstrip() in ("---", "..."):
                try:
                    data = yaml.safe_load("\n".join(lines[i + 1: j]))
                except yaml.YAMLError:
                    data = None
                if isinstance(data, dict):
                    found.append((i + 1, lines[i + 1].strip()))
                break
    return found


def _scan_markdown(text: str) -> tuple[list[_Reference], list[int]]:
    """Every image, link, link definition and autolink of a pandoc Markdown text, and the positions of the `@`
    and `$` that pandoc would read as a citation or as math. Conservative: code spans are skipped, every other
    `](`, `![...]` and `]:` counts, whatever pandoc would make of it."""
    refs: list[_Reference] = []
    literal: list[int] = []
    openers: list[tuple[int, bool]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            j = i
            while j < n and text[j] == "`":
                j += 1
            closing = re.compile(rf"(?<!`){'`' * (j - i)}(?!`)").search(text, j)
            i = closing.end() if closing else j
            continue
        if c == "<":
            m = _AUTOLINK.match(text, i)
            if m:
                refs.append(_Reference("link", m[1], m.start(1), m.end(1)))
                i = m.end()
                continue
        if c in "@$":
            literal.append(i)
        elif c == "[":
            openers.append((i, i > 0 and text[i - 1] == "!"))
        elif c == "]" and openers:
            start, image = openers.pop()
            following = text[i + 1: i + 2]
            if following == "(":
                target, t_start, t_end, i = _destination(text, i + 2)
                refs.append(_Reference("image" if image else "link", target, t_start, t_end))
                continue
            if image:
                refs.append(_Reference("image-ref", text[start - 1: i + 1], start, i + 1))
            elif following == ":" and not text.startswith("^", start + 1) and _DEFINITION_PREFIX.match(
                    text[text.rfind("\n", 0, start) + 1: start]):
                m = re.compile(r"[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)").match(text, i + 2)
                if m:
                    target = m[1][1:-1] if m[1].startswith("<") and m[1].endswith(">") else m[1]
                    refs.append(_Reference("definition", _UNESCAPE.sub(r"\1", target).strip(), m.start(1), m.end(1)))
                    i = m.end()
                    continue
        i += 1
    return refs, literal


def _destination(text: str, pos: int) -> tuple[str, int, int, int]:
    """(unescaped target, start, end, position after the closing parenthesis) of an inline link destination:
    everything up to the closing parenthesis but a title, as pandoc reads it (spaces included)."""
    n = len(text)
    depth, close = 0, pos
    while close < n:
        ch = text[close]
        if ch == "\\":
            close += 2
            continue
        if ch == ")" and depth == 0:
            break
        depth += {"(": 1, ")": -1}.get(ch, 0)
        close += 1
    close = min(close, n)
    inner = text[pos:close]
    start = pos + len(inner) - len(inner.lstrip())
    body = _TITLE.sub("", inner).strip()
    if body.startswith("<") and ">" in body:
        body = body[: body.index(">") + 1]
    end = start + len(body)
    target = body[1:-1] if body.startswith("<") and body.endswith(">") else body
    return _UNESCAPE.sub(r"\1", target).strip(), start, end, close + 1


def _embed_image(target: str, folder: Path, data_dir: Path) -> tuple[str, str | None]:
    """(data: URI, None) for an image file inside `folder`, or ("", why it is refused)."""
    if not _IMAGE_PATH.match(target):
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", target)
        if scheme:
            return "", f"alamat {scheme[1].lower()}: tidak diizinkan"
        if target.startswith(("/", "\\", "~")):
            return "", "path absolut tidak diizinkan"
        if ".." in target:
            return "", "'..' keluar dari folder narasi"
        return "", "nama berkas hanya boleh huruf, angka, titik, minus, garis bawah dan '/'"
    path = folder / target
    if not inside(path, folder) or not inside(path, data_dir):
        return "", "berada di luar folder narasi"
    try:
        if not path.is_file():
            return "", "berkas tidak ditemukan"
        if path.stat().st_size > NARASI_IMAGE_MAX_BYTES:
            return "", f"berkas gambar lebih dari {NARASI_IMAGE_MAX_BYTES} byte"
        raw = path.read_bytes()
    except OSError as exc:
        return "", f"berkas tidak dapat dibaca: {exc.strerror or exc}"
    mime = next((m for magic, m in _IMAGE_TYPES.items() if raw.startswith(magic)), None)
    if mime is None:
        return "", "bukan berkas PNG, JPEG atau GIF"
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}", None
