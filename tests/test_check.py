"""lakin check: validation, cross-table rules and reconciliation of the figures printed in the seeds."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from lakin.tools.check import (
    RECONCILERS,
    SEVERITIES,
    CheckResult,
    Finding,
    agrees,
    annex,
    check,
    parse_kunci,
    printed_digits,
    resolve,
)
from lakin.errors import LakinError, ParameterError
from conftest import DATA


@pytest.fixture(scope="module")
def shipped() -> CheckResult:
    return check(DATA)


@pytest.fixture(scope="module")
def without_printed(tmp_path_factory) -> Path:
    """A copy of the data with the printed figures removed: capaian_dilaporkan emptied, angka_dilaporkan
    and nilai_organisasi removed."""
    root = tmp_path_factory.mktemp("tanpa-angka-tercetak") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("narasi"))
    for name in ("angka_dilaporkan", "nilai_organisasi"):
        shutil.rmtree(root / name, ignore_errors=True)
        (root / f"{name}.csv").unlink(missing_ok=True)
    for path in [root / "iku_nilai.csv", *sorted((root / "iku_nilai").glob("*.csv"))]:
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and "capaian_dilaporkan" in rows[0]:
            for r in rows:
                r["capaian_dilaporkan"] = ""
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
    return root


def _find(result: CheckResult, satker: str, table: str, key_part: str, severity: str | None = None) -> Finding:
    hits = [f for f in result.findings if f.satker == satker and f.table == table and key_part in f.key
            and (severity is None or f.severity == severity)]
    assert hits, f"no finding {satker} {table} {key_part!r} {severity}"
    return hits[0]


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
# --------------------------------------------------------------------------- the shipped data
def test_shipped_data_has_errors(shipped):
    assert shipped.exit_code == 1
    # only printed figures disagree: the data itself passes every schema and reference rule
    assert not [f for f in shipped.findings if f.rule == "validasi"]


# (satker, table, key part, printed, recomputed to 2 decimals or whole rupiah, severity): seed disagreements
DISAGREEMENTS = [
    ("kppbc-balikpapan", "capaian_dilaporkan", "Q1 kode=6a-CP", 112.57, 111.23, "error"),
    ("kppbc-balikpapan", "capaian_dilaporkan", "Q4 kode=6a-CP", 116.5, 115.11, "error"),
    ("kppbc-balikpapan", "capaian_iku", "Y kode=6a-CP", 96.69, 115.11, "error"),
    # 118,99 follows from the indicator indices as printed (two decimals): consistent within input rounding
    ("kppbc-balikpapan", "indeks_perspektif", "perspektif=learning", 118.99, 119.00, "info"),
    ("kppbc-balikpapan", "nka_ikhtisar", "total", 98.58, 98.23, "error"),
    ("kppbc-balikpapan", "realisasi_tahunan", "Y total", 2038481839000, 2035400114000, "error"),
    ("kppbc-balikpapan", "yoy_persen", "Y total", 23.59, 23.41, "error"),
    ("kppbc-balikpapan", "yoy_persen", "jenis=bea_keluar", 29.88, 58.56, "error"),
    ("kppbc-balikpapan", "realisasi_iku", "kode=11b-N", 90.09, 99.09, "warning"),
    ("kppbc-balikpapan", "realisasi_iku", "kode=13a-N", 98.58, 98.23, "warning"),
    ("kppbc-balikpapan", "target_iku", "kode=9b-CP", 74, 74.5, "warning"),
    ("kppbc-balikpapan", "realisasi_tahunan", "jenis=bea_masuk", 1145609427000, 1142529290000, "warning"),
    ("bkipm-banjarmasin", "persen_target_tahunan", "kode=IKM 12", 100, 125.0, "error"),
    ("bkipm-banjarmasin", "target_tabel_rinci", "kode=IKU 4", 17, 2, "warning"),
]


@pytest.mark.parametrize("satker, table, key, printed, recomputed, severity", DISAGREEMENTS)
def test_seed_disagreements_listed_with_printed_and_recomputed(shipped, satker, table, key, printed, recomputed,
                                                              severity):
    f = _find(shipped, satker, table, key, severity)
    assert f.printed == pytest.approx(printed)
    digits = 0 if abs(recomputed) >= 1e6 else 2
    assert round(f.recomputed, digits) == pytest.approx(recomputed)
    assert f.source  # the seed table it came from
    assert f.file and f.file.startswith(("angka_dilaporkan/", "iku_nilai/")) and f.line


def test_figures_that_agree_are_not_findings(shipped):
    keys = {(f.satker, f.table, f.key) for f in shipped.findings}
    assert ("kppbc-balikpapan", "nilai_organisasi", "2024 Y total") not in keys  # NKO 118,32
    assert ("bkipm-banjarmasin", "nilai_organisasi", "2024 Q1 total") not in keys  # NPSS 112,48
    assert not [k for k in keys if k[1] == "perubahan_nilai_organisasi"]  # +3,67
    assert not [k for k in keys if k[1] == "indeks_perspektif" and "stakeholder" in k[2]]  # 116,21
    assert not [k for k in keys if k[1] == "capaian_dilaporkan" and "13a-N" in k[2]]  # piecewise NKA rule


def test_printed_index_without_target_and_realisation_is_a_warning(shipped):
    f = _find(shipped, "kppbc-balikpapan", "capaian_dilaporkan", "Q1 kode=5a-CP")
    assert f.severity == "warning" and f.printed == 120 and f.recomputed is None


def test_published_score_without_indicator_detail_is_info(shipped):
    f = _find(shipped, "kppbc-balikpapan", "nilai_organisasi", "2023 Y")
    assert f.severity == "info" and f.printed == 114.65


def test_consolidation_contradiction_is_a_warning(shipped):
    f = _find(shipped, "kppbc-balikpapan", "iku_nilai", "2b-CP Y realisasi", "warning")
    assert (f.printed, f.recomputed, f.rule) == (0.3969, 0.1991, "konsolidasi")


def test_rpd_rounding_slip_is_a_warning(shipped):
    rpd = [f for f in shipped.findings if f.table == "rpd" and f.rule == "anggaran"]
    assert rpd and {f.severity for f in rpd} == {"warning"}
    assert any("1.000" in f.message for f in rpd)


def test_unknown_tabel_is_listed_not_ignored(shipped):
    f = _find(shipped, "bkipm-banjarmasin", "renstra_kolom2", "16 baris")
    assert f.severity == "info" and f.rule == "tidak_direkonsiliasi"
    rows = pd.concat([pd.read_csv(p, dtype=str) for p in sorted((DATA / "angka_dilaporkan").glob("*.csv"))])
    unknown = sorted(t for t in set(rows["tabel"]) if resolve(t) is None)
    listed = sorted(f.table for f in shipped.findings if f.rule == "tidak_direkonsiliasi")
    assert unknown == listed


def test_every_finding_is_complete(shipped):
    for f in shipped.findings:
        assert f.severity in SEVERITIES and f.rule and f.table and f.key and f.message
        assert f.satker in ("kppbc-balikpapan", "bkipm-banjarmasin", "spkt-polda-jateng")
        if f.rule in ("capaian_dilaporkan", "angka_dilaporkan", "nilai_organisasi"):
            assert f.printed is not None and f.source and f.tahun and f.periode


def test_summary_per_satker(shipped):
    summaries = [f for f in shipped.findings if f.rule == "ringkasan"]
    assert {f.satker for f in summaries} == {"kppbc-balikpapan", "bkipm-banjarmasin", "spkt-polda-jateng"}
    assert all("cocok" in f.message for f in summaries)


@pytest.mark.parametrize("kwargs", [{"satker": "../etc"}, {"satker": "tidak-ada"}, {"tahun": 1900}])
def test_bad_parameters_raise_before_checking(kwargs):
    with pytest.raises(LakinError):
        check(DATA, **kwargs)


# --------------------------------------------------------------------------- a broken dataset
TINY = {
    "satker.csv": (
        "satker,kode_satker,nama,singkatan,kementerian,unit_eselon1,induk,kerangka,kota\n"
        "unit-a,1,Kantor A,KA,Kementerian X,Ditjen Y,Kanwil Z,kemenkeu-bsc,Kota\n"
    ),
    "iku.csv": (
        "satker,tahun,kode,nama,sasaran_kode,sasaran_nama,perspektif,satuan,polaritas,konsolidasi\n"
        "unit-a,2024,1a-N,Indikator satu,SS-1,Sasaran satu,stakeholder,%,max,sum\n"
        "unit-a,2024,2a-N,Indikator dua,SS-2,Sasaran dua,customer,hari,min,tlkv\n"
    ),
    "iku_nilai.csv": (
        "satker,tahun,kode,periode,target,realisasi,capaian_dilaporkan,sumber\n"
        "unit-a,2024,1a-N,Q1,10,12,120,Tabel A\n"
        "unit-a,2024,1a-N,Q2,10,8,80,Tabel A\n"
        "unit-a,2024,1a-N,S1,20,21,105,Tabel A\n"  # sum: S1 realisasi should be 20
        "unit-a,2024,2a-N,Q1,2,1.5,120,Tabel B\n"  # min: (2 - 1.5/2) x 100 = 125, clamped to 120
        "unit-a,2024,2a-N,Y,2,\"1,8\",,Tabel B\n"  # a decimal comma: an error, yet the check goes on
    ),
    "nilai_organisasi.csv": "satker,tahun,periode,nilai,sumber\nunit-a,2024,Q1,130,Ringkasan\n",
    "angka_dilaporkan.csv": (
        "satker,tahun,periode,tabel,kunci,nilai,sumber\n"
        "unit-a,2024,Q1,indeks_sasaran,sasaran_kode=SS-2,120,Teks\n"
        "unit-a,2024,Q1,tabel_baru,total,7,Lampiran\n"
    ),
    "pagu.csv": (
        "satker,tahun,program_kode,program,kegiatan_kode,kegiatan,kro_kode,kro,jenis_belanja,sumber_dana,pagu\n"
        "unit-a,2024,P1,Program satu,K1,Kegiatan satu,,,51,RM,1000000\n"
    ),
    "realisasi_anggaran.csv": (
        "satker,tahun,bulan,kegiatan_kode,jenis_belanja,realisasi\n"
        "unit-a,2024,1,K1,51,1500000\n"  # above the pagu
    ),
    "trajektori_penerimaan.csv": "satker,tahun,bulan,persen\nunit-a,2024,1,60\nunit-a,2024,2,30\n",
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, CheckResult]:
    root = tmp_path_factory.mktemp("rusak")
    for name, text in TINY.items():
        (root / name).write_text(text, encoding="utf-8")
    return root, check(root)


def test_broken_file_yields_findings_not_an_exception(broken):
    _, result = broken
    assert result.exit_code == 1
    comma = [f for f in result.findings if f.rule == "validasi"]
    assert comma and comma[0].file == "iku_nilai.csv" and comma[0].line == 6 and comma[0].column == "realisasi"
    assert comma[0].printed == "1,8" and comma[0].satker == "unit-a"


def test_broken_dataset_cross_table_rules(broken):
    _, result = broken
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert any(f.table == "trajektori_penerimaan" and f.severity == "error" for f in by_rule["penerimaan"])
    assert any("melebihi" in f.message or "tidak melebihi" in f.message for f in by_rule["anggaran"])
    assert any(f.severity == "error" for f in by_rule["anggaran"])


def test_broken_dataset_reconciliation_skipped_for_invalid_table(broken):
    """iku_nilai is invalid, so indicator figures are not recomputed from it: said, not silently wrong."""
    _, result = broken
    skipped = {f.table: f for f in result.findings if f.rule == "dilewati"}
    assert {"capaian_dilaporkan", "nilai_organisasi", "indeks_sasaran"} <= set(skipped)
    assert all("iku_nilai" in f.message for f in skipped.values())
    assert not [f for f in result.findings if f.rule == "capaian_dilaporkan"]
    assert _find(result, "unit-a", "tabel_baru", "1 baris").severity == "info"


def test_reconciliation_on_a_valid_small_dataset(tmp_path):
    texts = dict(TINY)
    texts["iku_nilai.csv"] = texts["iku_nilai.csv"].replace('"1,8"', "1.8")
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = check(tmp_path)
    konsolidasi = _find(result, "unit-a", "iku_nilai", "1a-N S1 realisasi")
    assert (konsolidasi.severity, konsolidasi.printed, konsolidasi.recomputed) == ("warning", 21, 20)
    assert not [f for f in result.findings if "S1 target" in f.key]  # 20 = 10 + 10
    nko = _find(result, "unit-a", "nilai_organisasi", "2024 Q1")  # every index is 120, printed 130
    assert (nko.severity, nko.printed, nko.recomputed) == ("error", 130, 120)
    assert not [f for f in result.findings if f.table in ("indeks_sasaran", "capaian_dilaporkan")]
    assert _find(result, "unit-a", "tabel_baru", "1 baris").severity == "info"


# --------------------------------------------------------------------------- comparison rules
@pytest.mark.parametrize("value, satuan, digits", [
    (116.21, "angka", 2), (120, "angka", 0), (116.5, "angka", 1), (0.3969, "angka", 4),
    (6832819000, "rupiah", -3), (126600000000, "rupiah", -8), (1460129563, "rupiah", 0), (0, "rupiah", 0),
])
def test_printed_digits(value, satuan, digits):
    assert printed_digits(value, satuan) == digits


@pytest.mark.parametrize("printed, recomputed, satuan, expected", [
    (118.99, 118.99628514, "angka", False),  # the learning perspective
    (118.32, 118.3157, "angka", True),
    (117, 117.44, "angka", True),  # printed without decimals
    (0.13, 0.125, "angka", True), (-0.13, -0.125, "angka", True),  # half away from zero
    (0.12, 0.125, "angka", False),
    (2035000000000, 2035400114000, "rupiah", True),  # "Rp2.035 miliar"
    (1864000000000, 1864599579000, "rupiah", False),  # truncated, not rounded
    (202319200347, 202319200346.19, "rupiah", True),  # share stored to 12 significant digits
    (515361000, 515362000, "rupiah", False),
])
def test_agrees(printed, recomputed, satuan, expected):
    assert agrees(printed, recomputed, satuan) is expected


def test_parse_kunci():
    assert parse_kunci("jenis=cukai;bulan=12;bruto") == ({"jenis": "cukai", "bulan": "12"}, {"bruto"})
    assert parse_kunci("total") == ({}, {"total"})


def test_scoring_tabel_are_registered():
    for tabel in ("indeks_perspektif", "indeks_sasaran", "capaian_iku", "realisasi_iku", "target_iku",
                  "perubahan_nilai_organisasi"):
        assert tabel in RECONCILERS


# --------------------------------------------------------------------------- annex and output
def test_annex_is_display_strings(shipped):
    frame = annex(shipped.findings)
    assert list(frame.columns) == ["No", "Tingkat", "Satker", "Tabel", "Kunci", "Angka tercetak",
                                   "Hasil hitung ulang", "Sumber", "Keterangan"]
    assert len(frame) == len(shipped.errors) + len(shipped.warnings)
    assert frame.map(lambda v: isinstance(v, str)).all().all()
    assert frame["Tingkat"].iloc[0] == "Galat"
    row = frame[(frame["Tabel"] == "capaian_iku")].iloc[0]
    assert (row["Angka tercetak"], row["Hasil hitung ulang"]) == ("96,69", "115,11")
    money = frame[(frame["Tabel"] == "realisasi_tahunan") & (frame["Tingkat"] == "Galat")].iloc[0]
    assert money["Angka tercetak"] == "2.038.481.839.000"


def test_annex_of_nothing_is_empty():
    assert annex([]).empty


def _main(args: list[str], capsys) -> tuple[int, str, str]:
    from lakin.cli import main

    argv = sys.argv
    sys.argv = ["lakin", *args]
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_human_output_groups_by_satker(shipped):
    from rich.console import Console

    from lakin.tools.check import print_result

    console = Console(record=True, width=160)
    print_result(shipped, console=console)
    text = console.export_text()
    assert "lakin check - kppbc-balikpapan" in text and "lakin check - bkipm-banjarmasin" in text
    assert "96,69" in text and "115,11" in text and "Galat" in text and "Peringatan" in text
    assert "tidak direkonsiliasi (info): renstra_kolom2 (16)" in text
    assert "18 galat" in text


def test_cli_shipped_data_exits_one_with_filters(capsys):
    code, out, err = _main(["check", "--data", str(DATA), "--satker", "bkipm-banjarmasin", "--tahun", "2024",
                            "--json"], capsys)
    assert code == 1 and "Traceback" not in err
    findings = json.loads(out)
    assert {f["satker"] for f in findings} == {"bkipm-banjarmasin"}
    assert {f["tahun"] for f in findings} <= {None, 2024}
    ikm12 = [f for f in findings if f["table"] == "persen_target_tahunan" and f["severity"] == "error"]
    assert ikm12 and ikm12[0]["printed"] == 100 and ikm12[0]["recomputed"] == 125


def test_cli_without_printed_figures_exits_zero(capsys, without_printed):
    code, out, _ = _main(["check", "--data", str(without_printed), "--json"], capsys)
    assert code == 0
    findings = json.loads(out)
    assert all(f["severity"] != "error" for f in findings)
    assert any(f["table"] == "rpd" and f["severity"] == "warning" for f in findings)  # the slip stays visible


@pytest.mark.parametrize("args", [["--satker", "../etc"], ["--data", "/tidak/ada"], ["--tahun", "1900"]])
def test_cli_unreadable_input_exits_two(capsys, args):
    code, out, err = _main(["check", *args], capsys)
    assert code == 2 and "Traceback" not in out + err and err.strip()


def test_bad_parameter_error_type():
    with pytest.raises(ParameterError):
        check(DATA, tahun=3000)
