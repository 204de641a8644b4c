"""What keeps data from becoming markup or a file to read: the Markdown reader's extensions, the check of the
pandoc document before any writer reads it (`confine_resources`) and the check of the HTML written
(`html_problems`)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from collections.abc import Collection, Mapping
from html.parser import HTMLParser
from pathlib import Path

from lakin.errors import RenderError
from lakin.pipeline.render.base import MEDIA_DIR

__all__ = ["MARKDOWN_READER", "check_html", "confine_resources", "confined_json", "digest", "html_problems"]

# Pandoc's Markdown without raw HTML/TeX/attribute blocks, citations (@), math ($) and YAML blocks (which could
# set css or other resources): Markdown from data can never become markup or a file to read.
MARKDOWN_READER = "markdown-raw_html-raw_attribute-raw_tex-citations-tex_math_dollars-yaml_metadata_block"

_RESOURCE_TAGS = {"img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"),
                  "audio": ("src",), "track": ("src",), "input": ("src",), "image": ("href", "xlink:href"),
                  "use": ("href", "xlink:href")}
_FETCHING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch", "import"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!data:|#)([^)'\"\s]+)|@import", re.I)
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_LINK_ATTRS = {"href", "xlink:href", "action", "formaction"}  # where a click or a submit goes
_SOURCE_ATTRS = {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc"}  # what a renderer embeds


def digest(script: str) -> str:
    """The SHA-256 hex digest by which `html_problems` allows an inline script."""
    return hashlib.sha256(script.encode("utf-8")).hexdigest()


def _local(value: str) -> bool:
    v = value.strip().lower()
    return v.startswith(("data:", "#")) or v == ""


class _HtmlCheck(HTMLParser):
    """`html_problems` as the tags stream by: Python's HTML tokenizer (the one BeautifulSoup's "html.parser" builder
    drives) without a tree, 0.07 s instead of 0.3-0.4 s for a report of 3,000 tags. Every value of an attribute
    given twice is checked (a tree keeps one of them)."""

    def __init__(self, allow_inline_scripts: bool | Collection[str]):
        super().__init__(convert_charrefs=True)
        self.allow = allow_inline_scripts
        self.problems: list[str] = []
        self.inline: tuple[str, list[str]] | None = None  # an open <script> or <style> and its text so far

    def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
        problems = self.problems
        pairs = [(attr, value or "") for attr, value in attrs]
        for attr, text in pairs:
            scheme = _SCHEME_NOISE.sub("", text).lower()  # as a browser reads it: "da\tta:" is "data:"
            if attr.startswith("on"):
                problems.append(f"<{name}> dengan atribut {attr}")
            if scheme.startswith(("javascript:", "vbscript:")):
                problems.append(f"<{name} {attr}> berisi {text[:40]!r}")
            if attr == "style" and _CSS_URL.search(text):
                problems.append(f"<{name} style> memuat sumber luar")
            if name in _RESOURCE_TAGS or name in ("script", "link"):
                continue  # their sources are checked below
            if attr in _LINK_ATTRS and scheme.startswith(("data:", "file:")):
                problems.append(f"<{name} {attr}={text[:40]!r}> (tautan data:/file:)")
            if attr in _SOURCE_ATTRS:
                problems.append(f"<{name} {attr}={text[:40]!r}> (atribut sumber di luar elemen media)")
        values = {}
        for attr, text in pairs:
            values.setdefault(attr, []).append(text)
        if name == "script":
            external = [src for src in values.get("src", ()) if src and not _local(src)]
            problems.extend(f"<script src={src!r}> (skrip dari luar)" for src in external)
            if not external:  # inline, or its source inline (data:): its text must be one allowed
                self.inline = ("script", [])
        elif name in ("iframe", "embed", "object", "frame", "applet", "base"):
            problems.append(f"<{name}> di dalam laporan")
        elif name == "link":
            rel = {r.lower() for value in values.get("rel", ()) for r in value.split()}
            for href in values.get("href", ()):
                if rel & _FETCHING_RELS and href and not _local(href):
                    problems.append(f"<link rel={'/'.join(sorted(rel))} href={href!r}> (sumber luar)")
        elif name == "style":
            self.inline = ("style", [])
        for attr in _RESOURCE_TAGS.get(name, ()):
            for value in values.get(attr, ()):
                if value and not _local(value):
                    problems.append(f"<{name} {attr}={value[:60]!r}> (sumber luar)")

    def handle_data(self, data: str) -> None:
        if self.inline is not None:
            self.inline[1].append(data)

    def handle_endtag(self, name: str) -> None:
        if self.inline is not None and name == self.inline[0]:
            self.close_inline()

    def close_inline(self) -> None:
        kind, parts = self.inline
        self.inline = None
        text = "".join(parts)
        if kind == "style":
            if _CSS_URL.search(text):
                self.problems.append("<style> memuat sumber luar (url()/@import)")
        elif self.allow is not True and (not self.allow or digest(text) not in self.allow):
            self.problems.append("<script> di dalam laporan")


def html_problems(html_text: str, allow_inline_scripts: bool | Collection[str] = False) -> list[str]:
    """What would make the HTML unsafe or not self-contained: scripts, handlers, fetched resources.

    `allow_inline_scripts`: True allows every inline script (Quarto's own); a collection of SHA-256 hex digests
    allows exactly the inline scripts whose text has one of them (the charts and contents script lakin adds).
    """
    check = _HtmlCheck(allow_inline_scripts)
    check.feed(html_text)
    check.close()
    if check.inline is not None:  # a <script> or <style> left open runs to the end of the document
        check.close_inline()
    return check.problems


def check_html(path: Path, allow_inline_scripts: bool | Collection[str] = False) -> None:
    """RenderError naming what `html_problems` finds in the HTML file."""
    problems = html_problems(path.read_text(encoding="utf-8"), allow_inline_scripts)
    if problems:
        raise RenderError("HTML laporan tidak aman atau tidak mandiri: " + "; ".join(sorted(set(problems))[:10]),
                           problems=problems)


_MEDIA_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif));base64,([A-Za-z0-9+/=]+)$")
_MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".gif": "image/gif"}
_IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.I)
# Attributes pandoc's HTML writer would fetch and embed (`[x]{src=/etc/passwd}` embeds the file).
_FETCHED_ATTRS = {"src", "srcset", "href", "poster", "data", "background", "lowsrc", "dynsrc", "xlink:href",
                  "action", "formaction", "icon", "manifest", "codebase", "longdesc", "cite"}


def _is_attr(node: list) -> bool:
    """An Attr of the pandoc document: [identifier, classes, key-values]."""
    return (len(node) == 3 and isinstance(node[0], str) and isinstance(node[1], list)
            and isinstance(node[2], list) and all(isinstance(c, str) for c in node[1])
            and all(isinstance(kv, list) and len(kv) == 2 for kv in node[2]))


def confine_resources(document: dict, media_dir: Path, embed: bool) -> dict:
    """A copy of a pandoc JSON document in which every image is a file of `media_dir` (or an image that
    `lakin.data.load.read_narasi` embedded), every link goes to http(s), mailto or an anchor, and no attribute
    names a resource. With `embed`, images become data: URIs (a sandboxed writer reads nothing); without,
    embedded images are written into `media_dir` (Typst reads files inside its root only).

    Raises RenderError naming every refused reference: nothing else reaches a writer.
    """
    return json.loads(confined_json(document, {"": (media_dir, embed, {})})[""])


def confined_json(document: dict, writers: dict[str, tuple[Path, bool, Mapping[str, str]]]) -> dict[str, str]:
    """`confine_resources` for several writers from one walk of `document`: for each writer, the JSON text of the
    document confined to its `(media_dir, embed, renamed)`, where `renamed` first turns an image `media/<a>` into
    `media/<renamed[a]>` (a chart's SVG into its PNG). RenderError for the first writer, in order, that would get
    a refused reference. `document` is left as it was."""
    sites = _sites(document)
    images = [site for site in sites if not isinstance(site, str)]
    given = [site[2] for site in images]  # each image's [target, title], put back after every writer's copy
    texts: dict[str, str] = {}
    for key, (media_dir, embed, renamed) in writers.items():
        problems: list[str] = []
        try:
            for site in sites:  # document order, as the refused references are named
                if isinstance(site, str):
                    problems.append(site)
                    continue
                target, title = site[2]
                name = target[len(MEDIA_DIR) + 1:] if target.startswith(f"{MEDIA_DIR}/") else ""
                if name in renamed:
                    target = f"{MEDIA_DIR}/{renamed[name]}"
                site[2] = [_image(target, media_dir, embed, problems), title]
            if problems:
                raise RenderError("Laporan merujuk sumber yang tidak diizinkan (hanya gambar di folder media laporan "
                                   "dan tautan http(s), mailto atau #bagian): "
                                   + "; ".join(list(dict.fromkeys(problems))[:10]), problems=problems)
            texts[key] = json.dumps(document)
        finally:
            for site, original in zip(images, given):
                site[2] = original
    return texts


def _sites(document: dict) -> list:
    """In document order: the content (`c`) of every Image node, whose target a writer's copy sets, and the
    problem of every refused link and attribute, the same for every writer."""
    sites: list = []
    stack: list = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Image":
                sites.append(node["c"])
            elif kind == "Link":
                target = node["c"][2][0]
                if target and not _SAFE_LINK.match(target.strip()):
                    sites.append(f"tautan {target[:80]!r}")
            stack.extend(v for v in reversed(node.values()) if isinstance(v, (list, dict)))
        elif _is_attr(node):
            for key, value in node[2]:
                bare = key.lower().removeprefix("data-")
                if bare in _FETCHED_ATTRS or bare.startswith("on"):
                    sites.append(f"atribut {key}={value[:60]!r}")
        else:
            stack.extend(v for v in reversed(node) if isinstance(v, (list, dict)))
    return sites


def _image(target: str, media_dir: Path, embed: bool, problems: list[str]) -> str:
    """An image's target as a writer gets it: a file of `media_dir` (inline with `embed`) or an embedded image
    (written into `media_dir` without `embed`); its problem appended to `problems` when refused."""
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
