"""The adversarial sweep's injection categories kept as property tests (issue 18, scope): whatever text a unit
name, an indicator name or an analyst writes, escaped data prints literally, and analysts' text never makes a
renderer read a file or an address."""

from __future__ import annotations

import pytest

import json
import re
import string

import pypandoc
from hypothesis import HealthCheck, given, settings, strategies as st

from lakin.data.load import read_narasi
from lakin.errors import DataValidationError
from lakin.pipeline.render import MARKDOWN_READER
from lakin.present.show import escape_md

# Characters pandoc's Markdown gives a meaning to, plus letters and digits around them.
MARKUP = "\\`*_{}[]()<>#+-.!|@$~^&\"':;=/%"
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " " + MARKUP, min_size=1, max_size=40)


def _plain(markdown: str) -> str:
    """What a reader sees: the Markdown rendered to plain text by pandoc with lakin's reader."""
    ast = json.loads(pypandoc.convert_text(markdown, "json", format=MARKDOWN_READER))
    kinds = {block["t"] for block in ast["blocks"]}
    assert kinds <= {"Para", "Plain"}, kinds  # no heading, list, code block, table or raw block appeared
    inlines = json.dumps(ast["blocks"])
    for markup in ('"t": "Link"', '"t": "Image"', '"t": "Math"', '"t": "Cite"', '"t": "RawInline"', '"t": "Code"'):
        assert markup not in inlines, markup
    return pypandoc.convert_text(markdown, "plain", format=MARKDOWN_READER, extra_args=["--wrap=none"]).strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_escaped_text_prints_literally_whatever_it_holds(text):
    """A name or cell from data: pandoc finds no markup in it and prints exactly its characters."""
    shown = _plain(escape_md(text))
    # plain output may drop nothing but surrounding spaces; smart quotes/dashes are off in lakin's reader? compare
    # after undoing pandoc's typographic substitutions, which are not markup
    shown = shown.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    shown = shown.replace("\u2014", "---").replace("\u2013", "--").replace("\u2026", "...")
    assert _squash(shown) == _squash(text)


REFERENCE = st.one_of(
    st.sampled_from(["/etc/passwd", "../../satker.csv", "file:///etc/passwd", "http://127.0.0.1:9/x.png",
                     "https://example.invalid/a.png", "data:image/png;base64,AAAA", "//127.0.0.1/x.png",
                     "C:\\\\windows\\\\win.ini", "~/.ssh/id_rsa", "%2e%2e/satker.csv", " /etc/passwd",
                     "\\/etc/passwd", "./../../x.png"]),
    st.text(alphabet=string.ascii_letters + "/.:%~\\", min_size=1, max_size=30),
)
FORM = st.sampled_from(["![a]({})", "![a](<{}>)", "[x]: {}\n\n![a][x]", "![a]({} \"t\")", "<img src=\"{}\">",
                        "[a]({}){{src={}}}", "![a]({}){{width=1}}"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(reference=REFERENCE, form=FORM)
def test_analysts_text_never_points_a_renderer_outside_its_folder(tmp_path, reference, form):
    """Any image reference an analyst writes is refused with file and line, or becomes an inline data: image of a
    file inside its own folder; no path or address reaches the renderer."""
    data = tmp_path / "data"
    folder = data / "narasi" / "unit-a" / "2024"
    folder.mkdir(parents=True, exist_ok=True)
    (data / "satker.csv").write_text("satker\nunit-a\n", encoding="utf-8")
    text_file = folder / "penutup.md"
    text_file.write_text("Paragraf.\n\n" + form.format(reference, reference) + "\n", encoding="utf-8")
    try:
        text = read_narasi(text_file, data)
    except DataValidationError as err:
        message = err.user_message() if hasattr(err, "user_message") else str(err)
        assert "penutup.md" in message
        return
    ast = json.loads(pypandoc.convert_text(text, "json", format=MARKDOWN_READER))
    targets = re.findall(r'"t": "Image", "c": \[\[[^\]]*\], \[[^\]]*\], \["([^"]*)"', json.dumps(ast))
    for target in targets:
        assert target.startswith("data:image/"), target
    assert "/etc/passwd" not in json.dumps(ast) or "Image" not in json.dumps(ast)
