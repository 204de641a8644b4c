"""No byte of a file outside the data leaves the machine through a report, and text from data prints literally.

Issue 18, defects 1, 6 and three items of 15: analysts' text naming files or URLs, symbolic links out of the
data directory, pandoc's sandbox, `@`/`$` in names, `data:` links, a Latin-1 narrative, an unclosed quote.
Every test works on a copy of data/ (or on files in tmp_path); the only network peer is 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lakin.data import load as lakin_data
from lakin.pipeline import render
from lakin.present import show
from lakin.data.load import read_narasi
from lakin.errors import DataValidationError, RenderError
from lakin.pipeline.render import ReportMeta, html_problems, render_report
from lakin.pipeline.render.safety import digest
from lakin.data.schemas import TABLES
from conftest import DATA, pdf_text

SATKER = "kppbc-balikpapan"
SECRET = "RAHASIA-H1-7f3a9c"  # the content of the file outside the data that must never be printed
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
                       "RU5ErkJggg==")


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "luar" / "rahasia.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def folder(tmp_path) -> tuple[Path, Path]:
    """(data dir, narrative folder) with one image the narrative may show."""
    data_dir = tmp_path / "d"
    narasi = data_dir / "narasi" / SATKER / "2024"
    narasi.mkdir(parents=True)
    (narasi / "foto.png").write_bytes(PNG)
    return data_dir, narasi


@pytest.fixture
def server():
    """A web server on 127.0.0.1 counting the requests it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()
            self.wfile.write(SECRET.encode())

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def _refusal(path: Path, data_dir: Path) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        read_narasi(path, data_dir)
    return info.value


# --------------------------------------------------------------------------------------------------
# Analysts' text: only images of its own folder, only web links (defect 1)


def test_absolute_image_path_refused_naming_file_line_and_rule(folder):
    data_dir, narasi = folder
    (narasi / "penutup.md").write_text("Paragraf pertama.\n\n![f](/etc/passwd)\n", encoding="utf-8")
    err = _refusal(narasi / "penutup.md", data_dir)
    [issue] = err.issues
    assert (issue.file, issue.row, issue.value) == (f"narasi/{SATKER}/2024/penutup.md", 3, "/etc/passwd")
    assert "path absolut tidak diizinkan" in issue.expected and "gambar hanya boleh" in issue.expected
    assert "penutup.md, baris 3" in err.user_message()


def test_http_image_refused_and_never_fetched(folder, server):
    data_dir, narasi = folder
    url, hits = server
    (narasi / "penutup.md").write_text(f"![]({url}/x.gif)\n", encoding="utf-8")
    [issue] = _refusal(narasi / "penutup.md", data_dir).issues
    assert issue.row == 1 and issue.value == f"{url}/x.gif" and "alamat http: tidak diizinkan" in issue.expected
    assert hits == []


@pytest.mark.parametrize("text, line, rule", [
    ("![a](../../../../etc/passwd)", 1, "'..' keluar dari folder narasi"),
    ("![a](foto.png /etc/passwd)", 1, "gambar hanya boleh"),  # pandoc reads "foto.png%20/etc/passwd"
    ("![a](&#47;etc&#47;passwd)", 1, "gambar hanya boleh"),  # pandoc decodes the entities
    ("![a](file:///etc/passwd)", 1, "alamat file: tidak diizinkan"),
    ("![a](data:image/png;base64,iVBORw0KGgo=)", 1, "alamat data: tidak diizinkan"),
    ("![a](<\\/etc\\/passwd>)", 1, "path absolut"),
    ("teks\n\n[x](data:text/html;base64,PHNjcmlwdD4=)", 3, "tautan hanya boleh"),
    ("[x](javascript:alert(1))", 1, "tautan hanya boleh"),
    ("[x](file:///etc/passwd)", 1, "tautan hanya boleh"),
    ("<file:///etc/passwd>", 1, "tautan hanya boleh"),
    ("teks\n\n[r]: /etc/passwd\n", 3, "definisi tautan"),
    ("> [r]: <file:///etc/passwd>\n", 1, "definisi tautan"),
    ("![a][r]\n", 1, "gambar bergaya referensi"),
    ("teks\n\n---\ncss: /etc/passwd\n---\n", 3, "blok metadata YAML"),
    ('[y]{src="/etc/passwd"}', 1, "atribut {...}"),
    ("![a](foto.png){onload=x}", 1, "atribut {...}"),
    ("![a](narasi.md)", 1, "bukan berkas PNG, JPEG atau GIF"),
    ("![a](tidak-ada.png)", 1, "berkas tidak ditemukan"),
])
def test_every_other_reference_refused(folder, text, line, rule):
    data_dir, narasi = folder
    (narasi / "narasi.md").write_text(text, encoding="utf-8")
    issues = _refusal(narasi / "narasi.md", data_dir).issues
    assert [(i.file, i.row) for i in issues] == [(f"narasi/{SATKER}/2024/narasi.md", line)]
    assert rule in issues[0].expected


def test_image_through_symlink_out_of_folder_refused(folder, secret):
    data_dir, narasi = folder
    (narasi / "foto-luar.png").symlink_to(secret)
    (narasi / "penutup.md").write_text("![a](foto-luar.png)", encoding="utf-8")
    err = _refusal(narasi / "penutup.md", data_dir)
    assert "di luar folder narasi" in err.issues[0].expected and SECRET not in err.user_message()


def test_allowed_text_keeps_its_images_links_and_prints_at_and_dollar(folder):
    data_dir, narasi = folder
    (narasi / "penutup.md").write_text(
        "Kontak @humas, biaya $5 dan $x^2$; `kode $a`.\n\n![Foto kegiatan](foto.png){width=50%}\n\n"
        "Lihat [situs](https://www.beacukai.go.id \"DJBC\") dan <mailto:humas@example.id>.[^1]\n\n"
        "[^1]: Catatan kaki.\n", encoding="utf-8")
    text = read_narasi(narasi / "penutup.md", data_dir)
    assert "\\@humas" in text and "\\$5" in text and "\\$x^2\\$" in text and "`kode $a`" in text
    assert f"![Foto kegiatan](data:image/png;base64,{base64.b64encode(PNG).decode()}){{width=50%}}" in text
    assert '[situs](https://www.beacukai.go.id "DJBC")' in text and "<mailto:humas@example.id>" in text


# --------------------------------------------------------------------------------------------------
# Symbolic links out of the data directory (defect 1)


def test_narrative_symlink_out_of_data_dir_refused(data_copy, secret):
    path = data_copy / "narasi" / SATKER / "2024" / "penutup.md"
    path.unlink()
    path.symlink_to(secret)
    err = _refusal(path, data_copy)
    assert err.issues[0].file == f"narasi/{SATKER}/2024/penutup.md"
    assert "tautan simbolik" in err.issues[0].expected and SECRET not in err.user_message()


def test_csv_symlink_out_of_data_dir_refused(data_copy, secret):
    csv = data_copy / "iku_nilai" / f"{SATKER}.csv"
    outside = secret.parent / "iku_nilai.csv"
    outside.write_text(csv.read_text(encoding="utf-8").replace("Tabel Realisasi", SECRET), encoding="utf-8")
    csv.unlink()
    csv.symlink_to(outside)
    with pytest.raises(DataValidationError) as info:
        lakin_data.load(data_copy, satker=SATKER)
    files = {i.file for i in info.value.issues}
    assert f"iku_nilai/{SATKER}.csv" in files
    assert "tautan simbolik" in info.value.user_message() and SECRET not in info.value.user_message()


def test_csv_symlink_inside_data_dir_still_read(data_copy):
    csv = data_copy / "iku_nilai" / f"{SATKER}.csv"
    kept = data_copy / "arsip" / "iku_nilai.csv"
    kept.parent.mkdir()
    shutil.move(csv, kept)
    csv.symlink_to(kept)
    ds = lakin_data.load(data_copy, satker=SATKER)
    assert len(ds.iku_nilai) > 100


# --------------------------------------------------------------------------------------------------
# The renderer: only media images, pandoc sandboxed (defence in depth)


def _notebook(directory: Path, markdown: str) -> list[Path]:
    """One executed chapter whose Markdown output is `markdown` (as if it had passed no check at all)."""
    directory.mkdir(parents=True, exist_ok=True)
    cell = new_code_cell("lap.penutup()")
    cell.outputs = [new_output("display_data", data={"text/markdown": markdown, "text/plain": ""},
                               metadata={"lakin": {"kind": "text"}})]
    cell.execution_count = 1
    nb = new_notebook(cells=[new_markdown_cell("# Penutup"), cell])
    nb.metadata["lakin"] = {"chapter": {"title": "Penutup"}}
    path = directory / "06-penutup.ipynb"
    nbformat.write(nb, path)
    return [path]


def _meta(nama: str = "Kantor Uji") -> ReportMeta:
    return ReportMeta(satker=SATKER, nama=nama, periode="2024", periode_nama="Tahun 2024",
                      jenis_laporan="Laporan Kinerja Tahunan", kota="Balikpapan", kepala=nama)


def _docx_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(n) for n in zf.namelist())


@pytest.mark.parametrize("markdown", [
    "![f]({secret})",
    "![g]({url}/x.gif)",
    '[y]{{src="{secret}"}}',
    "[a](data:text/html;base64,PGI+)",
])
def test_render_refuses_every_resource_outside_media(tmp_path, secret, server, markdown):
    url, hits = server
    notebooks = _notebook(tmp_path / "nb", "Teks.\n\n" + markdown.format(secret=secret, url=url))
    out = tmp_path / "out"
    with pytest.raises(RenderError) as info:
        render_report(notebooks, _meta(), out, formats="html,docx", engine="pandoc")
    assert "sumber yang tidak diizinkan" in str(info.value) and SECRET not in str(info.value)
    assert hits == []
    assert not any(p.is_file() for p in out.rglob("*"))


def test_sandbox_reads_nothing_even_without_the_check(tmp_path, secret, server, monkeypatch):
    url, hits = server
    monkeypatch.setattr(render.pandoc, "confined_json",
                        lambda document, writers: {key: json.dumps(document) for key in writers})
    notebooks = _notebook(tmp_path / "nb", f"![f]({secret})\n\n![g]({url}/x.gif)\n\n[y]{{src=\"{secret}\"}}")
    files = render_report(notebooks, _meta(), tmp_path / "out", formats="docx", engine="pandoc")
    assert SECRET.encode() not in _docx_bytes(files["docx"])
    assert hits == []


def test_one_walk_confines_the_document_for_every_writer_as_one_check_each(tmp_path):
    """`confined_json` (one walk for HTML, DOCX and Typst) gives each writer the text `confine_resources` gives it,
    the charts renamed first where asked, and leaves the document as it was; a refused reference is named in
    document order, as `confine_resources` names it."""
    from lakin.pipeline.render.safety import confine_resources, confined_json

    media, stand_ins = tmp_path / "media", tmp_path / "media-html"
    media.mkdir(), stand_ins.mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    for folder in (media, stand_ins):
        (folder / "fig-1.svg").write_text("<svg/>", encoding="utf-8")
        (folder / "fig-1.png").write_bytes(png)
    inline = "data:image/png;base64," + base64.b64encode(png).decode("ascii")

    def image(target: str) -> dict:
        return {"t": "Image", "c": [["", [], []], [{"t": "Str", "c": "grafik"}], [target, ""]]}

    def document(*images: dict, link: str = "#bab-1") -> dict:
        para = [*images, {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "a"}], [link, ""]]}]
        return {"pandoc-api-version": [1, 23], "meta": {}, "blocks": [{"t": "Para", "c": para}]}

    doc = document(image("media/fig-1.svg"), image(inline))
    before = json.dumps(doc)
    writers = {"html": (stand_ins, True, {}), "docx": (media, True, {"fig-1.svg": "fig-1.png"}),
               "pdf": (media, False, {"fig-1.svg": "fig-1.png"})}
    texts = confined_json(doc, writers)
    assert json.dumps(doc) == before
    renamed = json.loads(before.replace("media/fig-1.svg", "media/fig-1.png"))
    assert json.loads(texts["html"]) == confine_resources(doc, stand_ins, embed=True)
    assert json.loads(texts["docx"]) == confine_resources(renamed, media, embed=True)
    assert json.loads(texts["pdf"]) == confine_resources(renamed, media, embed=False)
    assert "data:image/svg+xml;base64," in texts["html"] and "media/fig-1.png" in texts["pdf"]
    assert texts["docx"].count(inline) == 2 and "media/" not in texts["docx"]  # the chart's PNG, inline
    assert "media/narasi-" in texts["pdf"]  # the analyst's inline image, written for Typst to read

    bad = document(image("/etc/passwd"), image("media/fig-1.svg"), link="file:///etc/passwd")
    before = json.dumps(bad)
    with pytest.raises(RenderError) as info:
        confined_json(bad, writers)
    assert info.value.problems == ["gambar '/etc/passwd'", "tautan 'file:///etc/passwd'"]
    assert json.dumps(bad) == before
    with pytest.raises(RenderError) as alone:
        confine_resources(bad, media, embed=True)
    assert alone.value.problems == info.value.problems


def test_html_problems_flags_data_and_file_links():
    page = ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">a</a><a href=" da&#9;ta:text/html,x">b</a>'
            '<a href="file:///etc/passwd">c</a><span src="data:application/octet-stream;base64,AA">d</span>'
            '<a href="https://www.beacukai.go.id">ok</a><a href="#bab-1">ok</a>'
            '<img src="data:image/png;base64,AA" alt=""></p>')
    problems = html_problems(page)
    assert len(problems) == 4
    assert sum("tautan data:/file:" in p for p in problems) == 3 and "<span src=" in problems[3]




ALLOWED_SCRIPT = "var lakin = 1;"


@pytest.mark.parametrize("page, expected", [
    ('<p onclick="x()">a</p>', ["<p> dengan atribut onclick"]),
    ('<DIV ONMOUSEOVER="x()">a</DIV>', ["<div> dengan atribut onmouseover"]),  # the tokenizer lowers names
    ('<a href="java&#9;script:alert(1)">a</a>', ["<a href> berisi 'java\\tscript:alert(1)'"]),
    ('<p style="background: url(https://x.example/a.png)">a</p>', ["<p style> memuat sumber luar"]),
    ('<p style="background: url(data:image/png;base64,AA)">a</p>', []),
    ('<script src="https://cdn.example/vega.js"></script>',
     ["<script src='https://cdn.example/vega.js'> (skrip dari luar)"]),
    ('<script src="data:text/javascript,alert(1)"></script>', ["<script> di dalam laporan"]),  # an inline source
    ("<script>alert(1)</script>", ["<script> di dalam laporan"]),
    (f"<script>{ALLOWED_SCRIPT}</script>", []),
    (f"<script>{ALLOWED_SCRIPT}", ["<script> di dalam laporan"]),  # left open: the rest of the page is its text
    (f"<script>{ALLOWED_SCRIPT}</script><p>b", []),
    ("<script>var x = '<p onclick=y>';</script>", ["<script> di dalam laporan"]),  # script text is no markup
    ('<iframe src="#a"></iframe><embed><object></object><base href="#">',
     ["<iframe src='#a'> (atribut sumber di luar elemen media)", "<iframe> di dalam laporan",
      "<embed> di dalam laporan", "<object> di dalam laporan", "<base> di dalam laporan"]),
    ('<link rel="Stylesheet preload" href="https://x.example/a.css">',
     ["<link rel=preload/stylesheet href='https://x.example/a.css'> (sumber luar)"]),
    ('<link rel="stylesheet" href="data:text/css,p{}"><link rel="author" href="https://x.example">', []),
    ("<style>@import 'https://x.example/a.css';</style>", ["<style> memuat sumber luar (url()/@import)"]),
    ("<style>p { color: red }</style>", []),
    ('<img src="https://x.example/a.png"><img src="data:image/png;base64,AA"><img src="#x">',
     ["<img src='https://x.example/a.png'> (sumber luar)"]),
    ('<img src="data:image/png;base64,AA" src="https://x.example/a.png">',  # a name given twice: both checked
     ["<img src='https://x.example/a.png'> (sumber luar)"]),
    ('<svg><image xlink:href="https://x.example/a.png"/></svg>',
     ["<image xlink:href='https://x.example/a.png'> (sumber luar)"]),
    ('<video poster="https://x.example/a.png"></video>', ["<video poster='https://x.example/a.png'> (sumber luar)"]),
])
def test_html_problems_names_each_unsafe_or_fetching_element(page, expected):
    """The HTML check (issue 15: a streaming check over Python's HTML tokenizer, no tree; it names on these pages
    what the BeautifulSoup tree over the same tokenizer named) names every script, handler and fetched resource;
    the one inline script allowed is the one whose digest is given."""
    assert html_problems(f"<!DOCTYPE html><html><body>{page}</body></html>",
                         allow_inline_scripts={digest(ALLOWED_SCRIPT)}) == expected
# --------------------------------------------------------------------------------------------------
# escape_md: data prints literally in every format (defect 6)


@pytest.mark.parametrize("text, markdown", [
    ("@nama", "\\@nama"),
    ("$x^2$", "\\$x\\^2\\$"),
    ("H~2~O &copy;", "H\\~2\\~O \\&copy;"),
    ("Jum'at \"pagi\"", "Jum\\'at \\\"pagi\\\""),
    ("2023--2024...", "2023\\--2024\\..."),
    ("- bukan daftar", "\\- bukan daftar"),
    ("1. bukan daftar", "1\\. bukan daftar"),
    ("(2) bukan daftar", "\\(2\\) bukan daftar"),
    ("baris\r# bukan judul", "baris \\# bukan judul"),
    ("![x](/etc/passwd)", "\\!\\[x\\](/etc/passwd)"),
    ("-5,25", "-5,25"),
    ("Rp6.173.055.000", "Rp6.173.055.000"),
])
def test_escape_md(text, markdown):
    assert show.escape_md(text) == markdown


def test_at_and_dollar_print_literally_in_html_docx_and_pdf(tmp_path):
    from bs4 import BeautifulSoup
    from docx import Document
    from lakin.pipeline.render import assemble

    name = "Kantor @bea $x^2$ ~a~"
    narasi = tmp_path / "d" / "narasi" / SATKER / "2024"
    narasi.mkdir(parents=True)
    (narasi / "penutup.md").write_text("Analis menulis @humas dan $y^3$ di narasi.", encoding="utf-8")
    text = read_narasi(narasi / "penutup.md", tmp_path / "d")
    body = "\n\n".join([f"## {show.escape_md(name)}", f"Unit {show.escape_md(name)}.", text,
                        show.table_markdown(pd.DataFrame({"Indikator": [name], "Nilai": ["1"]}))])
    notebooks = _notebook(tmp_path / "nb", body)
    assert "@" not in assemble(notebooks, tmp_path / "media").markdown.replace("\\@", "")
    files = render_report(notebooks, _meta(name), tmp_path / "out", engine="pandoc")
    html = files["html"].read_text(encoding="utf-8")
    assert "<math" not in html and "<cite" not in html and "citation" not in html
    docx = "\n".join(p.text for p in Document(str(files["docx"])).paragraphs)
    docx += "\n".join(c.text for t in Document(str(files["docx"])).tables for r in t.rows for c in r.cells)
    pdf = pdf_text(files["pdf"])
    for output in (BeautifulSoup(html, "html.parser").get_text(), docx, pdf):
        assert output.count(name) >= 2, output[:300]
        assert "@humas dan $y^3$" in output


# --------------------------------------------------------------------------------------------------
# Smaller (defect 15): Latin-1 narrative, unclosed quote


def test_latin1_narrative_names_file_line_and_encoding(folder):
    data_dir, narasi = folder
    (narasi / "kendala.md").write_bytes("Kendala utama.\n\nKoordinasi dengan pihak ketiga (café).\n".encode("latin-1"))
    [issue] = _refusal(narasi / "kendala.md", data_dir).issues
    assert (issue.file, issue.row) == (f"narasi/{SATKER}/2024/kendala.md", 3)
    assert "UTF-8" in issue.expected and "0xe9" in issue.expected


def test_oversized_or_utf16_narrative_refused_naming_file(folder):
    data_dir, narasi = folder
    (narasi / "besar.md").write_bytes(b"a" * (lakin_data.NARASI_MAX_BYTES + 1))
    (narasi / "utf16.md").write_bytes("Teks".encode("utf-16"))
    assert "terlalu besar" in _refusal(narasi / "besar.md", data_dir).issues[0].expected
    [issue] = _refusal(narasi / "utf16.md", data_dir).issues
    assert issue.file.endswith("utf16.md") and "UTF-16" in issue.expected


def _iku_nilai_lines() -> list[str]:
    return (DATA / "iku_nilai" / f"{SATKER}.csv").read_text(encoding="utf-8").splitlines()


def test_unclosed_quote_reported_on_the_line_it_opens():
    lines = _iku_nilai_lines()
    lines[3] = lines[3].replace(",", ',"', 1)  # line 4 opens a quote; the next quote is far below
    issues: list = []
    lakin_data.read_csv_text("\n".join(lines) + "\n", "iku_nilai.csv", TABLES["iku_nilai"], issues)
    assert [(i.row, i.column) for i in issues] == [(4, None)]
    assert 'tanda kutip (") yang dibuka di baris 4 tidak ditutup' in issues[0].expected


def test_unclosed_quote_at_the_end_loses_no_row_silently():
    lines = _iku_nilai_lines()
    lines[-2] = lines[-2].replace(",", ',"', 1)  # the last row would vanish into the cell above
    issues: list = []
    lakin_data.read_csv_text("\n".join(lines) + "\n", "iku_nilai.csv", TABLES["iku_nilai"], issues)
    assert [i.row for i in issues] == [len(lines) - 1]
    assert "tidak ditutup" in issues[0].expected


def test_quoted_cell_over_two_lines_still_read():
    lines = _iku_nilai_lines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ',"Tabel Realisasi\nlanjutan keterangan"'
    issues: list = []
    frame = lakin_data.read_csv_text("\n".join(lines) + "\n", "iku_nilai.csv", TABLES["iku_nilai"], issues)
    assert issues == [] and len(frame) == len(lines) - 1
    assert frame.loc[2, "_line"] == 4 and frame.loc[3, "_line"] == 6


# --------------------------------------------------------------------------------------------------
# The issue's repro, end to end (acceptance 1)


@pytest.mark.slow  # a build
def test_build_with_absolute_image_in_narrative_fails_before_rendering(tmp_path, data_copy):
    with (data_copy / "narasi" / SATKER / "2024" / "penutup.md").open("a", encoding="utf-8") as fh:
        fh.write("\n![f](/etc/passwd)\n")
    reports = tmp_path / "reports"
    proc = subprocess.run([sys.executable, "-m", "lakin.cli", "build", SATKER, "2024", "--data", str(data_copy),
                           "--reports", str(reports), "--to", "html,docx"],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode != 0
    assert f"narasi/{SATKER}/2024/penutup.md, baris" in proc.stderr and "path absolut" in proc.stderr
    produced = [p for p in reports.rglob("*") if p.suffix in (".html", ".docx", ".pdf")]
    assert produced == []
