"""What the evaluator reads, checked in the rendered files (issue 12, acceptance 1 and 2): every number in the
prose of the HTML and DOCX of every shipped report is a figure of the report model, a cell of the report's own
tables, a quoted literal of the analysts' text or a documented exception; no internal word is printed.

The chapters' outputs are checked in tests/test_model.py; this reads the published files, where the cover,
foreword, summary tiles and generated lists are added by the renderer."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from lakin.model.report_model import build_model

REPORTS = sorted((p.parent.name, p.stem) for p in (ROOT / "params").glob("*/*.yaml"))
NUMBER = re.compile(r"(?<![\w.,/-])\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\w/-]|[.,]\d)")
# Documented exceptions: small counts, ordinals and section numbers (1.2, 3a), years, day numbers of dates.
NOT_FIGURES = re.compile(r"^(\d{1,2}|19\d\d|20\d\d)$")
# Constants, not figures: the formula "indeks capaian = realisasi / target x 100" and the 100 line of a chart's
# caption ("garis putus-putus: 100").
FORMULA_CONSTANT = re.compile(r"[x×] 100\b|putus-putus: 100\b")
INTERNAL = re.compile(r"\bseed\b|as applied|reproduces|ingatan|dikonfirmasi|\b[a-z]+_[a-z_]+\b|\b[a-z_]+=[a-z_]+")


class _Text(HTMLParser):
    """Prose (paragraphs, list items, tile notes) and table cells of an HTML report, scripts and contents left out."""

    SKIP = {"script", "style", "nav", "noscript", "title"}

    def __init__(self):
        super().__init__()
        self.prose: list[str] = []
        self.cells: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "meta", "link", "hr", "col", "input"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data):
        if any(t in self.SKIP for t in self._stack) or not data.strip():
            return
        (self.cells if any(t in ("td", "th") for t in self._stack) else self.prose).append(data)


def _docx_paragraphs(path) -> tuple[list[str], list[str]]:
    import docx

    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs], cells


def _known(model, cells: list[str]) -> str:
    quoted = [lit for text in model.narasi.values() for lit in re.findall(r'\{\{\s*"([^"]*)"\s*\}\}', text)]
    return " ".join([f.text() for f in model.figures.values()] + cells + quoted)


@pytest.mark.slow
@pytest.mark.parametrize("satker, periode", REPORTS)
def test_rendered_prose_states_only_figures_of_the_model(built, satker, periode):
    result = built(satker, periode)
    model = build_model(satker, periode)
    parser = _Text()
    parser.feed(result.files["html"].read_text(encoding="utf-8"))
    docx_prose, docx_cells = _docx_paragraphs(result.files["docx"])
    for prose, cells in ((parser.prose, parser.cells), (docx_prose, docx_cells)):
        known = _known(model, cells)
        text = FORMULA_CONSTANT.sub("", " ".join(prose))
        missing = sorted({n for n in NUMBER.findall(text) if not NOT_FIGURES.match(n) and n not in known})
        assert missing == [], missing
        hit = INTERNAL.search(text + " " + " ".join(cells))
        assert not hit, hit.group(0)
        assert "galat" not in text.lower()


@pytest.mark.slow
def test_rendered_files_carry_no_data_key_in_docx_xml(built):
    """Level keys and data keys never reach a cell of the DOCX (the lowercase `stakeholder` of the data)."""
    result = built("kppbc-balikpapan", "2024")
    xml = zipfile.ZipFile(result.files["docx"]).read("word/document.xml").decode("utf-8")
    for key in ("<w:t>stakeholder</w:t>", "<w:t>customer</w:t>", "capaian_tahunan_persen", "jenis=bea_masuk"):
        assert key not in xml
