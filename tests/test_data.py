"""Reading and validation: bad input gets an error naming file, line, column and value, never a traceback."""

from __future__ import annotations

import csv
import io
import string
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakin.data.load import FILE_COL, LINE_COL, collect, file_owner, load
from lakin.errors import DataIssue, DataValidationError, LakinError, ParameterError
from conftest import DATA


# A tiny valid dataset: one unit, two indicators, a pagu and two revenue rows (one a refund).
TINY = {
    "satker.csv": (
        "satker,kode_satker,nama,singkatan,kementerian,unit_eselon1,induk,kerangka,kota\n"
        "unit-a,1,Kantor A,KA,Kementerian X,Ditjen Y,Kanwil Z,kemenkeu-bsc,Kota\n"
    ),
    "iku.csv": (
        "satker,tahun,kode,nama,sasaran_kode,sasaran_nama,perspektif,satuan,polaritas,konsolidasi\n"
        "unit-a,2024,1a-N,Indikator satu,SS-1,Sasaran satu,stakeholder,%,max,tlkv\n"
        "unit-a,2024,2a-N,Indikator dua,SS-2,Sasaran dua,customer,hari,min,tlkv\n"
    ),
    "iku_nilai.csv": (
        "satker,tahun,kode,periode,target,realisasi\n"
        "unit-a,2024,1a-N,Q1,80,85\n"
        "unit-a,2024,1a-N,Y,90,95.5\n"
        "unit-a,2024,2a-N,Q1,2,1.5\n"
        "unit-a,2024,2a-N,Y,2,1.8\n"
    ),
    "pagu.csv": (
        "satker,tahun,program_kode,program,kegiatan_kode,kegiatan,kro_kode,kro,jenis_belanja,sumber_dana,pagu\n"
        "unit-a,2024,P1,Program satu,K1,Kegiatan satu,,,51,RM,1000000000\n"
        "unit-a,2024,P1,Program satu,K1,Kegiatan satu,,,52,RM,500000000\n"
    ),
    "penerimaan.csv": (
        "satker,tahun,bulan,jenis,akun,uraian,nilai\n"
        "unit-a,2024,1,bea_masuk,412111,Pendapatan bea masuk,1500000000\n"
        "unit-a,2024,2,bea_masuk,412111,Pendapatan bea masuk,2500000\n"
        "unit-a,2024,2,bea_masuk,412111,Pengembalian bea masuk,-2500000\n"
    ),
}


def write_dataset(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """TINY with some files replaced (text or raw bytes) or removed (None)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {**TINY, **(changes or {})}
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def issues_of(root: Path) -> list[DataIssue]:
    with pytest.raises(DataValidationError) as info:
        load(root)
    return info.value.issues


def find(issues: list[DataIssue], file: str, row: int | None, column: str | None) -> DataIssue:
    hits = [i for i in issues if i.file == file and i.row == row
            and (i.column == column or (column and i.column and column in i.column.split(" atau ")))]
    assert hits, f"no issue at {file}:{row}:{column} among:\n" + "\n".join(i.describe() for i in issues)
    return hits[0]


def replace_line(text: str, line: int, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "".join(lines)


# --------------------------------------------------------------------------- valid data
def test_tiny_dataset_is_valid(tmp_path):
    ds = load(write_dataset(tmp_path))
    assert len(ds.iku_nilai) == 4
    assert ds.penerimaan["nilai"].tolist() == [1500000000.0, 2500000.0, -2500000.0]  # refunds may be negative
    assert ds.invalid == frozenset()


def test_shipped_data_loads_without_issues():
    ds, issues = collect(DATA)
    assert issues == []
    assert ds.invalid == frozenset()


def test_bom_is_accepted(tmp_path):
    plain = load(write_dataset(tmp_path / "plain"))
    bom = load(write_dataset(tmp_path / "bom", {n: "\ufeff" + t for n, t in TINY.items()}))
    for name in TINY:
        table = name[:-4]
        pd.testing.assert_frame_equal(plain.tables[table], bom.tables[table])


def test_crlf_line_endings_are_accepted(tmp_path):
    ds = load(write_dataset(tmp_path, {n: t.replace("\n", "\r\n") for n, t in TINY.items()}))
    assert ds.iku_nilai[LINE_COL].tolist() == [2, 3, 4, 5]


# --------------------------------------------------------------------------- one malformed input each
IKU_NILAI, PAGU, PENERIMAAN, IKU = TINY["iku_nilai.csv"], TINY["pagu.csv"], TINY["penerimaan.csv"], TINY["iku.csv"]

CASES = {
    # name: (changes, file, line, column, value, words in the message)
    "decimal comma (quoted)": ({"iku_nilai.csv": replace_line(IKU_NILAI, 3, "95.5", '"95,5"')},
                               "iku_nilai.csv", 3, "realisasi", "95,5", "koma desimal"),
    "decimal comma (unquoted)": ({"penerimaan.csv": replace_line(PENERIMAAN, 3, ",2500000", ",2500000,50")},
                                 "penerimaan.csv", 3, "nilai", "2500000,50", "koma desimal"),
    "decimal comma (unquoted, two numeric neighbours)": (
        {"iku_nilai.csv": replace_line(IKU_NILAI, 3, "95.5", "95,5")},
        "iku_nilai.csv", 3, "target atau realisasi", None, "koma desimal"),
    "thousands dots": ({"pagu.csv": replace_line(PAGU, 2, "1000000000", "1.000.000.000")},
                       "pagu.csv", 2, "pagu", "1.000.000.000", "pemisah ribuan"),
    "one thousands dot in rupiah": ({"pagu.csv": replace_line(PAGU, 3, "500000000", "500.000")},
                                    "pagu.csv", 3, "pagu", "500.000", "pemisah ribuan"),
    "thousands commas (unquoted)": ({"pagu.csv": replace_line(PAGU, 2, "1000000000", "1,000,000,000")},
                                    "pagu.csv", 2, "pagu", "1,000,000,000", "pemisah ribuan"),
    "currency prefix": ({"penerimaan.csv": replace_line(PENERIMAAN, 2, "1500000000", "Rp1500000000")},
                        "penerimaan.csv", 2, "nilai", "Rp1500000000", "mata uang"),
    "text in a number": ({"iku_nilai.csv": replace_line(IKU_NILAI, 2, ",85", ",delapan")},
                         "iku_nilai.csv", 2, "realisasi", "delapan", "angka"),
    "percent sign": ({"iku_nilai.csv": replace_line(IKU_NILAI, 2, ",80,", ",80%,")},
                     "iku_nilai.csv", 2, "target", "80%", "tanpa tanda %"),
    "huge amount": ({"pagu.csv": replace_line(PAGU, 3, "500000000", "9" * 20)},
                    "pagu.csv", 3, "pagu", "9" * 20, "wajar"),
    "amount above Rp1.000 triliun": ({"pagu.csv": replace_line(PAGU, 3, "500000000", "5000000000000000")},
                                     "pagu.csv", 3, "pagu", 5e15, "terlalu besar"),
    "negative pagu": ({"pagu.csv": replace_line(PAGU, 3, "500000000", "-500000000")},
                      "pagu.csv", 3, "pagu", -5e8, "negatif"),
    "fractional rupiah": ({"penerimaan.csv": replace_line(PENERIMAAN, 2, "1500000000", "1500000000.5")},
                          "penerimaan.csv", 2, "nilai", "1500000000.5", "rupiah utuh"),
    "month 13": ({"penerimaan.csv": replace_line(PENERIMAAN, 2, ",1,", ",13,")},
                 "penerimaan.csv", 2, "bulan", 13, "<= 12"),
    "missing required column": ({"iku.csv": IKU.replace(",polaritas", "").replace(",max", "").replace(",min", "")},
                                "iku.csv", 1, "polaritas", None, "kolom wajib"),
    "duplicated header": ({"iku_nilai.csv": IKU_NILAI.replace("target,realisasi", "target,target", 1)},
                          "iku_nilai.csv", 1, "target", "target", "ganda"),
    "empty file": ({"iku_nilai.csv": ""}, "iku_nilai.csv", 1, None, None, "kosong"),
    "semicolon delimiter": ({"iku_nilai.csv": IKU_NILAI.replace(",", ";")}, "iku_nilai.csv", 1, None, None,
                            "pemisah kolom"),
    "latin-1 encoding": ({"iku.csv": IKU.replace("Indikator dua", "Indikator señal").encode("latin-1")},
                         "iku.csv", 3, "nama", "Indikator señal", "UTF-8"),
    "unknown polarity": ({"iku.csv": replace_line(IKU, 2, ",max,", ",maks,")},
                         "iku.csv", 2, "polaritas", "maks", "max, min, stabilize"),
    "unknown perspective": ({"iku.csv": replace_line(IKU, 2, ",stakeholder,", ",Stakeholder,")},
                            "iku.csv", 2, "perspektif", "Stakeholder", "stakeholder, customer"),
    "indicator value without indicator": ({"iku_nilai.csv": IKU_NILAI + "unit-a,2024,9z-N,Q1,1,1\n"},
                                          "iku_nilai.csv", 6, "kode", "9z-N", "iku.csv"),
    "satker that does not exist": ({"pagu.csv": replace_line(PAGU, 2, "unit-a", "unit-b")},
                                   "pagu.csv", 2, "satker", "unit-b", "satker.csv"),
    "unknown period Q7": ({"iku_nilai.csv": replace_line(IKU_NILAI, 2, ",Q1,", ",Q7,")},
                          "iku_nilai.csv", 2, "periode", "Q7", "Q1"),
    "unknown conversion rule": ({"iku.csv": IKU.replace("konsolidasi\n", "konsolidasi,aturan_capaian\n")
                                 .replace("tlkv\n", "tlkv,nka-x\n", 1).replace("min,tlkv\n", "min,tlkv,\n")},
                                "iku.csv", 2, "aturan_capaian", "nka-x", "aturan capaian"),
    "empty required cell": ({"iku.csv": replace_line(IKU, 3, ",min,", ",,")}, "iku.csv", 3, "polaritas", None,
                            "tidak boleh kosong"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_input_names_file_line_column_value(tmp_path, name):
    changes, file, line, column, value, words = CASES[name]
    issue = find(issues_of(write_dataset(tmp_path, changes)), file, line, column)
    if value is not None:
        assert issue.value == value or str(issue.value) == str(value)
    assert words.lower() in issue.expected.lower(), issue.describe()
    text = issue.describe()
    assert file in text and (line is None or f"baris {line}" in text)


def test_duplicate_key_row(tmp_path):
    issue = find(issues_of(write_dataset(tmp_path, {"iku_nilai.csv": IKU_NILAI + "unit-a,2024,1a-N,Q1,80,86\n"})),
                 "iku_nilai.csv", 6, None)
    assert "baris ganda" in issue.expected and "kode=1a-N" in str(issue.value)


def test_every_failure_is_collected(tmp_path):
    """Problems in several files and cells come back together, not only the first."""
    changes = {
        "iku_nilai.csv": replace_line(replace_line(IKU_NILAI, 2, ",85", ",x"), 4, ",1.5", ',"1,5"'),
        "pagu.csv": replace_line(PAGU, 3, "500000000", "-1"),
        "penerimaan.csv": PENERIMAAN.replace(",", ";"),
    }
    issues = issues_of(write_dataset(tmp_path, changes))
    find(issues, "iku_nilai.csv", 2, "realisasi")
    find(issues, "iku_nilai.csv", 4, "realisasi")
    find(issues, "pagu.csv", 3, "pagu")
    find(issues, "penerimaan.csv", 1, None)


def test_unparsed_cell_is_not_reported_twice(tmp_path):
    issues = issues_of(write_dataset(tmp_path, {"iku.csv": replace_line(IKU, 2, "2024", "2024x")}))
    at_cell = [i for i in issues if (i.file, i.row, i.column) == ("iku.csv", 2, "tahun")]
    assert len(at_cell) == 1 and "angka" in at_cell[0].expected


def test_folder_table_names_the_file(tmp_path):
    root = write_dataset(tmp_path, {"iku_nilai.csv": None})
    (root / "iku_nilai").mkdir()
    (root / "iku_nilai" / "unit-a.csv").write_text(replace_line(IKU_NILAI, 5, ",1.8", ',"1,8"'), encoding="utf-8")
    issue = find(issues_of(root), "iku_nilai/unit-a.csv", 5, "realisasi")
    assert "1,8" == issue.value


def test_malformed_satker_parameter_is_refused_before_reading(tmp_path):
    with pytest.raises(ParameterError):
        load(write_dataset(tmp_path), satker="../unit-a")


# --------------------------------------------------------------------------- property tests
NUMERIC = [  # (file, column, kind) of TINY's numeric cells that may be corrupted
    ("iku_nilai.csv", "target", "float"), ("iku_nilai.csv", "realisasi", "float"),
    ("pagu.csv", "pagu", "money"), ("penerimaan.csv", "nilai", "signed_money"), ("penerimaan.csv", "bulan", "int"),
]


def _digits(low: int, high: int):
    return st.integers(low, high).map(str)


def bad_numbers(kind: str):
    """Cell texts that are not a valid number of the given kind (each with a precise message)."""
    group = st.integers(0, 999).map(lambda n: f"{n:03d}")
    options = [
        st.tuples(_digits(0, 10**6), _digits(1, 99)).map(lambda t: f"{t[0]},{t[1]}"),  # decimal comma
        st.tuples(_digits(1, 999), st.lists(group, min_size=2, max_size=4)).map(
            lambda t: ".".join([t[0], *t[1]])),  # 1.234.567
        st.tuples(_digits(1, 999), st.lists(group, min_size=1, max_size=4)).map(
            lambda t: ",".join([t[0], *t[1]])),  # 1,234,567
        st.text(string.ascii_letters, min_size=1, max_size=8),  # words
        _digits(0, 10**9).map(lambda s: "Rp" + s),
        _digits(0, 100).map(lambda s: s + "%"),
        st.sampled_from(["1e999", "-1e999", "12..5", "--3", "1 000", "0x10"]),
    ]
    if kind in ("money", "signed_money"):
        options.append(st.integers(10**16, 10**30).map(str))  # huge amounts
    if kind == "money":
        options.append(st.integers(-10**12, -1).map(str))  # negative where not allowed
    if kind == "int":
        options.append(st.sampled_from(["0", "13", "1.5", "-1"]))
    return st.one_of(options)


@st.composite
def corrupted_cell(draw):
    file, column, kind = draw(st.sampled_from(NUMERIC))
    rows = list(csv.reader(io.StringIO(TINY[file])))
    index = rows[0].index(column)
    row = draw(st.integers(1, len(rows) - 1))
    value = draw(bad_numbers(kind))
    quoted = draw(st.booleans())
    cells = [f'"{value}"' if (i == index and quoted) else (value if i == index else c) for i, c in enumerate(rows[row])]
    lines = TINY[file].splitlines(keepends=True)
    lines[row] = ",".join(cells) + "\n"
    return file, row + 1, column, value, "".join(lines)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted_cell())
def test_property_bad_number_names_file_line_column(case):
    file, line, column, _value, text = case
    with tempfile.TemporaryDirectory() as tmp:
        root = write_dataset(Path(tmp), {file: text})
        with pytest.raises(DataValidationError) as info:
            load(root)
    issue = find(info.value.issues, file, line, column)
    assert issue.expected
    assert file in issue.describe() and f"baris {line}" in issue.describe() and column in issue.describe()


TEXT_COLUMNS = {"iku_nilai.csv": "kode", "pagu.csv": "program", "penerimaan.csv": "uraian", "iku.csv": "nama"}


@st.composite
def malformed_file(draw):
    """A whole-file problem: delimiter, missing or duplicated header, empty, Latin-1; or a BOM (valid)."""
    file = draw(st.sampled_from(["iku_nilai.csv", "pagu.csv", "penerimaan.csv"]))
    text = TINY[file]
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    kind = draw(st.sampled_from(["delimiter", "missing", "duplicate", "empty", "latin1", "bom"]))
    if kind == "delimiter":
        sep = draw(st.sampled_from([";", "\t", "|"]))
        return kind, file, 1, None, "\n".join(sep.join(r) for r in rows) + "\n"
    if kind == "missing":
        from lakin.data.schemas import TABLES
        required = TABLES[file[:-4]].required_columns()
        column = draw(st.sampled_from(required))
        i = header.index(column)
        body = "\n".join(",".join(c for j, c in enumerate(r) if j != i) for r in rows) + "\n"
        return kind, file, 1, column, body
    if kind == "duplicate":
        i, j = draw(st.lists(st.integers(0, len(header) - 1), min_size=2, max_size=2, unique=True))
        new = list(header)
        new[j] = header[i]
        return kind, file, 1, header[i], ",".join(new) + "\n" + "\n".join(",".join(r) for r in rows[1:]) + "\n"
    if kind == "empty":
        return kind, file, 1, None, draw(st.sampled_from(["", "\n", "  \n\n", "\r\n", " "]))
    if kind == "latin1":
        column = TEXT_COLUMNS[file]
        row = draw(st.integers(1, len(rows) - 1))
        char = draw(st.sampled_from("éñüçÀ°±£§"))
        i = header.index(column)
        rows[row][i] = rows[row][i] + char
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return kind, file, row + 1, column, out.getvalue().encode("latin-1")
    return kind, file, None, None, "\ufeff" + text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed_file())
def test_property_malformed_file_names_file_line_column(case):
    kind, file, line, column, content = case
    with tempfile.TemporaryDirectory() as tmp:
        root = write_dataset(Path(tmp), {file: content})
        if kind == "bom":
            load(root)  # a BOM is accepted
            return
        with pytest.raises(DataValidationError) as info:
            load(root)
    issue = find(info.value.issues, file, line, column)
    assert file in issue.describe() and f"baris {line}" in issue.describe()
    if kind == "latin1":
        assert "UTF-8" in issue.expected


# --------------------------------------------------------------------------- through the command line
def _main(args: list[str], capsys) -> tuple[int, str]:
    """Run the console entry point in-process; (exit code, stdout + stderr)."""
    from lakin.cli import main

    argv = sys.argv
    sys.argv = ["lakin", *args]
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out + out.err


ACCEPTANCE_5 = [  # issue 2, acceptance 5: (case in CASES or None, args, words in the message)
    ("missing required column", ["figures", "unit-a", "2024"], ["iku.csv", "baris 1", "polaritas"]),
    ("unknown polarity", ["figures", "unit-a", "2024"], ["iku.csv", "baris 2", "polaritas", "maks"]),
    ("indicator value without indicator", ["figures", "unit-a", "2024"], ["iku_nilai.csv", "baris 6", "kode", "9z-N"]),
    ("satker that does not exist", ["figures", "unit-a", "2024"], ["pagu.csv", "baris 2", "satker", "unit-b"]),
    ("decimal comma (quoted)", ["figures", "unit-a", "2024"], ["iku_nilai.csv", "baris 3", "realisasi", "95,5"]),
    (None, ["figures", "unit-b", "2024"], ["unit-b", "satker.csv"]),
    (None, ["figures", "unit-a", "2024Q7"], ["2024Q7"]),
    ("latin-1 encoding", ["score", "unit-a", "2024"], ["iku.csv", "baris 3", "nama", "UTF-8"]),
    ("semicolon delimiter", ["figures", "unit-a", "2024", "--json"], ["iku_nilai.csv", "baris 1", "pemisah"]),
    ("empty file", ["figures", "unit-a", "2024"], ["iku_nilai.csv", "kosong"]),
]


@pytest.mark.parametrize("case, args, words", ACCEPTANCE_5)
def test_cli_bad_input_clear_error_nonzero_exit(tmp_path, capsys, case, args, words):
    root = write_dataset(tmp_path, CASES[case][0] if case else None)
    code, output = _main([*args, "--data", str(root)], capsys)
    assert code != 0
    assert "Traceback" not in output and "Kesalahan internal" not in output
    for word in words:
        assert word in output, output
    assert '"nilai_organisasi"' not in output  # no partial output


def test_lakin_error_is_the_base_of_data_errors():
    assert issubclass(DataValidationError, LakinError)


def test_frame_keeps_file_and_line(tmp_path):
    ds = load(write_dataset(tmp_path))
    assert set(ds.pagu[FILE_COL]) == {"pagu.csv"}
    assert ds.pagu[LINE_COL].tolist() == [2, 3]


@pytest.mark.parametrize("stem, slugs, owner", [
    ("a", {"a"}, "a"), ("a-b", {"a"}, "a"), ("a-b", {"a", "a-b"}, "a-b"), ("a-b-c", {"a", "a-b"}, "a-b"),
    ("ab", {"a"}, None), ("x", {"a"}, None),
    ("kppbc-balikpapan-kinerja", {"kppbc-balikpapan", "bkipm-banjarmasin"}, "kppbc-balikpapan"),
])
def test_a_file_belongs_to_the_longest_slug_that_names_it(stem, slugs, owner):
    """The one ownership rule: loading (`table_files`) and fingerprinting (`lakin.data.fingerprint`) read it."""
    assert file_owner(stem, slugs) == owner
