"""Executed notebooks as the renderer reads them: the parts that reach the report, headings, titles, errors.

A notebook is read as JSON (nbformat 4), without nbformat's schema validation: the renderer needs only cells,
their tags and outputs, and refuses whatever is not a notebook of that shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from lakin.errors import RenderError

__all__ = ["FENCE", "SKIPPED_TAGS", "chapter_spec", "chunks", "drop_first_h1", "first_h1", "front_matter_title",
           "heading_line", "notebook_text", "plain", "read_notebook", "split_heading", "text_of", "vegalite_spec"]

SKIPPED_TAGS = frozenset({"parameters", "injected-parameters", "setup", "remove-cell", "remove_cell"})
FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
_ATTRS = re.compile(r"[ \t]*(?<!\\)\{(?P<attrs>[^{}]*)(?<!\\)\}$")
_CLOSING_HASHES = re.compile(r"(?<!\\)[ \t]+#+$")


def text_of(value) -> str:
    """A notebook string field (a string or a list of lines) as one string."""
    return "".join(value) if isinstance(value, list) else str(value or "")


def vegalite_spec(data: dict):
    """The Vega-Lite spec an output bundle carries (any version's MIME type), or None."""
    return next((data[k] for k in data if k.startswith("application/vnd.vegalite")), None)


_SPLIT_MIMES = frozenset({"application/javascript", "image/svg+xml"})  # split into lines besides text/*
_TRANSIENT = ("orig_nbformat", "orig_nbformat_minor", "signature")


def _split(bundle: dict) -> None:
    for key, value in bundle.items():
        if isinstance(value, str) and (key.startswith("text/") or key in _SPLIT_MIMES):
            bundle[key] = value.splitlines(True)


def notebook_text(nb: dict) -> str:
    """The file text nbformat writes for `nb`, a notebook (format 4) as `json.loads` reads it, whose string fields
    may since have been set whole: the same lines split, transient metadata dropped, the same JSON layout
    (nbformat.v4.nbjson, a test holds the two equal). Without nbformat, which imports jsonschema (0.15 s of a
    rebuild). `nb` is changed in place: its strings become lists of lines, as in the file."""
    for key in _TRANSIENT:
        nb.get("metadata", {}).pop(key, None)
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("trusted", None)
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(True)
        for attachment in (cell.get("attachments") or {}).values():
            _split(attachment)
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("execute_result", "display_data"):
                _split(output.get("data", {}))
            elif output.get("output_type") == "stream" and isinstance(output.get("text"), str):
                output["text"] = output["text"].splitlines(True)
    return json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)


def read_notebook(path: Path) -> dict:
    """An executed notebook (nbformat 4) as a dict; RenderError when it is missing, unreadable or holds an error."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RenderError(f"Bab {path} tidak ditemukan", notebook=str(path)) from exc
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, malformed JSON
        raise RenderError(f"Bab {path.name} tidak dapat dibaca sebagai notebook: {exc}", notebook=str(path)) from exc
    if not (isinstance(nb, dict) and nb.get("nbformat") == 4 and isinstance(nb.get("cells"), list)
            and all(isinstance(cell, dict) for cell in nb["cells"])):
        raise RenderError(f"Bab {path.name} tidak dapat dibaca sebagai notebook: bukan notebook nbformat 4",
                           notebook=str(path))
    _check_no_errors(nb, path)
    return nb


def _check_no_errors(nb: dict, path: Path) -> None:
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                count = cell.get("execution_count")
                where = f"sel {index}" + (f" (In [{count}])" if count else "")
                raise RenderError(
                    f"Bab {path.name}: {where} berisi galat {ename}: {evalue}. Laporan tidak dirender; "
                    f"perbaiki bab ini dan jalankan ulang.",
                    notebook=str(path), cell_index=index, ename=ename, evalue=evalue)


def chapter_spec(nb: dict) -> dict:
    """The notebook's `lakin.chapter` metadata (title, numbered, signature), or {}."""
    return ((nb.get("metadata") or {}).get("lakin", {}) or {}).get("chapter", {}) or {}


def _tags(cell: dict) -> set[str]:
    return set((cell.get("metadata") or {}).get("tags", []) or [])


def chunks(nb: dict) -> list:
    """The parts of a notebook that reach the report: Markdown strings and figure outputs (dicts)."""
    found: list = []
    for cell in nb["cells"]:
        if _tags(cell) & SKIPPED_TAGS:
            continue
        if cell.get("cell_type") == "markdown":
            found.append(text_of(cell.get("source")))
        elif cell.get("cell_type") == "code":
            for output in cell.get("outputs", []) or []:
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                data = output.get("data", {}) or {}
                kind = ((output.get("metadata") or {}).get("lakin") or {}).get("kind")
                has_image = "image/png" in data or "image/svg+xml" in data or vegalite_spec(data) is not None
                if kind == "figure" or ("text/markdown" not in data and has_image):
                    found.append(output)
                elif "text/markdown" in data:
                    found.append(text_of(data["text/markdown"]))
    return found


def front_matter_title(nb: dict) -> str | None:
    """`title` of the notebook's raw front-matter cell, if any."""
    for cell in nb["cells"]:
        if cell.get("cell_type") == "raw":
            text = text_of(cell.get("source")).strip()
            if text.startswith("---"):
                try:
                    data = yaml.safe_load(text.strip("-\n ")) or {}
                except yaml.YAMLError:
                    return None
                title = data.get("title") if isinstance(data, dict) else None
                return str(title) if title else None
    return None


def plain(markdown_text: str) -> str:
    """A heading's Markdown as plain text (escapes and emphasis marks removed)."""
    text = re.sub(r"\\(.)", r"\1", markdown_text)
    return re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text).strip()


def split_heading(line: str) -> tuple[int, str, str] | None:
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


def heading_line(level: int, text: str, attrs: str, unnumbered: bool) -> str:
    """An ATX heading, marked `.unnumbered` when asked (unless it already says so)."""
    parts = attrs.split() if attrs else []
    if unnumbered and ".unnumbered" not in parts and "-" not in parts:
        parts.append(".unnumbered")
    suffix = " {" + " ".join(parts) + "}" if parts else ""
    return f"{'#' * level} {text}{suffix}"


def _h1_lines(chunk: str) -> Iterable[tuple[int, tuple[int, str, str]]]:
    """(line index, heading) of every level-1 heading outside fenced code."""
    fenced = None
    for j, line in enumerate(chunk.splitlines()):
        fm = FENCE.match(line)
        if fm:
            fenced = None if fenced and fm["fence"][0] == fenced else (fenced or fm["fence"][0])
            continue
        if fenced:
            continue
        h = split_heading(line)
        if h and h[0] == 1:
            yield j, h


def first_h1(texts: Iterable[str]) -> tuple[str, str] | None:
    """(text, attrs) of the first level-1 heading of the Markdown chunks, or None."""
    for chunk in texts:
        for _, h in _h1_lines(chunk):
            return h[1], h[2]
    return None


def drop_first_h1(parts: list) -> list:
    """The chunks without their first level-1 heading (a later notebook of a chapter brings no title)."""
    out = list(parts)
    for i, chunk in enumerate(out):
        if not isinstance(chunk, str):
            continue
        for j, _ in _h1_lines(chunk):
            lines = chunk.splitlines()
            out[i] = "\n".join(lines[:j] + lines[j + 1:])
            return out
    return out
