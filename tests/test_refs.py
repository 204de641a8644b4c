"""lakin.model.refs: `{{ name }}` references in analysts' text, and the prose-figure check (lakin.tools.check.prose)."""

from __future__ import annotations

import shutil

import pytest

from lakin.tools.check import check
from lakin.tools.check.prose import check_text, literals
from lakin.errors import NarasiReferenceError
from lakin.model.report_model import build_model
from lakin.model.refs import resolve
from conftest import DATA


# Section 3.2.4 (IKU 3a-CP) of seed 000 as shipped before conversion: its revenue figures contradict the data.
SEED_3A_CP = (
    "Berdasarkan monitoring atas laporan capaian penerimaan pada Kantor Pengawasan dan Pelayanan Bea dan Cukai "
    "Tipe Madya Pabean B Balikpapan s.d. 31 Desember 2024, kinerja penerimaan kepabeanan dan cukai membukukan "
    "realisasi capaian IKU sebesar 109,16% dengan nominal senilai Rp 2.038.481.839.000,-. Capaian penerimaan "
    "kepabeanan dan cukai KPPBC TMP B Balikpapan Tahun 2024 mengalami pertumbuhan sebesar 23,59% (*year on year*) "
    "jika dibandingkan dengan capaian penerimaan kepabeanan dan cukai KPPBC TMP B Balikpapan Tahun 2023 sebesar "
    "Rp 1.649.357.809.000,-.\n\n"
    "Dari sisi penerimaan Bea Masuk, realisasi penerimaan Bea Masuk tahun 2024 sebesar Rp 1.133.958.304.000,-, "
    "tumbuh sekitar 4,42% (*year on year*) dibandingkan realisasi Bea Masuk tahun 2023 yang mencapai "
    "Rp 1.085.958.324.000,-. Kinerja penerimaan Bea Keluar tahun 2024 sebesar Rp 730.641.275.000,- juga mengalami "
    "pertumbuhan sebesar 29,88% (*year on year*) dari realisasi Bea Keluar tahun 2023 sebesar Rp 562.551.100.000,-.\n")


@pytest.fixture(scope="module")
def kppbc():
    return build_model("kppbc-balikpapan", "2024")


@pytest.fixture()
def data_copy(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


@pytest.mark.parametrize("text, expected", [
    ("realisasi {{ penerimaan.total.realisasi }}.", "realisasi Rp2.035.400.114.000."),
    ("tumbuh {{penerimaan.total.yoy}} (yoy)", "tumbuh 23,41% (yoy)"),
    ("NKO {{ nko }}, naik {{ nko.perubahan }} poin dari {{ nko.sebelumnya }}", "NKO 118,32, naik 3,67 poin dari 114,65"),
    ("indeks {{ perspektif.learning.indeks }}", "indeks 119,00"),
    ("{{ iku.2b-CP.realisasi }} dan {{ iku.1a-N.target }}", "0,40 hari dan 84,50%"),
    ('komponen {{ "3,674" }} skala 4', "komponen 3,674 skala 4"),
    ("{{ jumlah.iku }} IKU, {{ jumlah.sasaran }} SS", "20 IKU, 13 SS"),
])
def test_reference_resolves_to_the_model_text(kppbc, text, expected):
    assert resolve(text, kppbc, "x.md") == expected


@pytest.mark.parametrize("text, line, fragment", [
    ("baris satu\n\nrealisasi {{ penerimaan.total.realisasii }}", 3, "penerimaan.total.realisasii"),
    ("a\n{{ nko ", 2, "tidak ditutup"),
    ("{{ nko; rm -rf }}", 1, "bukan nama angka"),
])
def test_bad_reference_names_file_and_line(kppbc, text, line, fragment):
    with pytest.raises(NarasiReferenceError) as err:
        resolve(text, kppbc, "narasi/kppbc-balikpapan/2024/iku-3a-CP.md")
    assert err.value.line == line
    message = err.value.user_message()
    assert "iku-3a-CP.md" in message and f"baris {line}" in message and fragment in message


def test_resolved_value_is_escaped_and_text_around_kept(kppbc):
    out = resolve('*Ultimum Remedium* {{ "a_b*c" }}', kppbc, "x.md")
    assert out == r"*Ultimum Remedium* a\_b\*c"


def test_literals_skip_years_codes_dates_and_list_markers():
    text = ("Nomor 8 Tahun 2006 dan KMK.01/2022, s.d. 31 Desember 2024 (3.1 Kesimpulan), IKU 6, SS-1:\n"
            "(1) lalu realisasi Rp 2.038.481.839.000,- atau 23,59% dan 0,40 hari; {{ nko }} dan {{ \"4,53\" }}")
    assert [lit.text for lit in literals(text)] == ["Rp 2.038.481.839.000,-", "23,59%", "0,40"]


def test_seed_3a_cp_figures_contradict_the_model(kppbc):
    found = check_text(kppbc, SEED_3A_CP, "narasi/kppbc-balikpapan/2024/iku-3a-CP.md", "iku-3a-CP.md")
    got = {(f.literal, f.figure, f.figure_text, f.line) for f in found if f.severity == "error"}
    assert got == {
        ("Rp 2.038.481.839.000,-", "penerimaan.total.realisasi", "Rp2.035.400.114.000", 1),
        ("23,59%", "penerimaan.total.yoy", "23,41%", 1),
        ("4,42%", "penerimaan.bea-masuk.yoy", "5,25%", 3),
        ("Rp 1.085.958.324.000,-", "penerimaan.bea-masuk.sebelumnya", "Rp1.085.518.993.000", 3),
        ("29,88%", "penerimaan.bea-keluar.yoy", "58,56%", 3),
    }


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_lakin_check_lists_prose_contradictions_with_file_and_line(data_copy):
    (data_copy / "narasi/kppbc-balikpapan/2024/iku-3a-CP.md").write_text(SEED_3A_CP, encoding="utf-8")
    result = check(data_copy, satker="kppbc-balikpapan", tahun=2024)
    prose = [f for f in result.findings if f.rule == "angka_narasi"]
    assert {f.printed for f in prose if f.severity == "error"} >= {
        "Rp 2.038.481.839.000,-", "23,59%", "4,42%", "29,88%"}
    assert all(f.file == "narasi/kppbc-balikpapan/2024/iku-3a-CP.md" and f.line in (1, 3) for f in prose)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_lakin_check_on_converted_narasi_lists_none():
    for satker in ("kppbc-balikpapan", "bkipm-banjarmasin"):
        result = check(DATA, satker=satker)
        assert [f for f in result.findings if f.rule in ("angka_narasi", "narasi")] == []


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_lakin_check_reports_unknown_reference(data_copy):
    path = data_copy / "narasi/kppbc-balikpapan/2024/penutup.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nTotal {{ penerimaan.totl.realisasi }}.\n", encoding="utf-8")
    result = check(data_copy, satker="kppbc-balikpapan", tahun=2024)
    bad = [f for f in result.findings if f.rule == "angka_narasi" and f.severity == "error"]
    assert len(bad) == 1 and bad[0].file.endswith("penutup.md") and "penerimaan.totl.realisasi" in bad[0].message


def test_rupiah_written_as_lakin_writes_it_is_a_literal():
    """'Rp2.038.481.839.000' (no space, the project's own format) is a number the prose check reads."""
    from lakin.tools.check.prose import literals

    found = {(lit.text, lit.value) for lit in literals("sebesar Rp2.038.481.839.000 atau tumbuh 23,59%.")}
    assert ("Rp2.038.481.839.000", 2038481839000.0) in found and ("23,59%", 23.59) in found
