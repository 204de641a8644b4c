"""Framework files: ranges, weights, sums, clamps, bands, per-unit weights, files beside the data, validation."""

from __future__ import annotations

import math
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lakin.data.load import load
from lakin.errors import DataValidationError, FrameworkFileError
from lakin.rules.frameworks import available_frameworks, load_framework, read_framework_file
from lakin.data.periods import parse_period
from lakin.rules.scoring import aggregate, indicator_index, range_index, raw_index, score

from conftest import DATA, invoke_cli, run_cli

UJI_FRAMEWORK = """\
id: uji-rentang
nama: Kerangka uji (rentang, bobot per kelas, jumlah berbobot)
sumber: contoh hitung tangan di tests/test_frameworks.py
nilai_organisasi: {kode: NK, nama: Nilai Kinerja, satuan: ""}
clamp: null
target_rentang: {aturan: rentang, sumber: pedoman PermenPANRB tentang sistem manajemen kinerja}
levels:
  - kolom: sasaran_kode
    nama: Sasaran
    agregasi: weighted
    bobot_indikator:
      kolom: kelas_validitas
      kelas: {lead_input: 0.1, lead_proses: 0.2, lag_output: 0.3, lag_outcome: 0.4}
  - kolom: perspektif
    nama: Aspek
    agregasi: weighted_sum
    bobot: {S1: 0.2, S2: 0.1, S3: 0.3}
    maks: 30
    status:
      pita: [{nama: Penuh, min: 30}, {nama: Sebagian, min: null}]
      na: {nama: Tidak dinilai}
overall:
  agregasi: mean
periode: {Q1: Q1, Q2: S1, Q3: SDQ3, Q4: Y}
konsolidasi_periode: {S1: [Q1, Q2], SDQ3: [Q1, Q2, Q3], Y: [Q1, Q2, Q3, Q4]}
status:
  pita: [{nama: Hijau, min: 100}, {nama: Merah, min: null}]
  na: {nama: Abu-abu}
kategori:
  pita: [{nama: Baik, min: 25}, {nama: Kurang, min: null}]
"""

SATKER_HEADER = "satker,kode_satker,nama,singkatan,kementerian,unit_eselon1,induk,kerangka,kota\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def uji_dataset(folder: Path, framework: str = UJI_FRAMEWORK) -> Path:
    """A unit scored by a framework that lives only in the data directory."""
    _write(folder, "frameworks/uji-rentang.yaml", framework)
    _write(folder, "satker.csv", SATKER_HEADER + "uji-unit,,Unit Uji,UU,,,,uji-rentang,Kota\n")
    _write(folder, "iku.csv", """\
        satker,tahun,kode,nama,sasaran_kode,sasaran_nama,perspektif,satuan,polaritas,konsolidasi,kelas_validitas,urutan
        uji-unit,2024,I1,Indikator 1,S1,,A,%,max,tlkv,lag_outcome,1
        uji-unit,2024,I2,Indikator 2,S1,,A,%,max,tlkv,lead_input,2
        uji-unit,2024,I3,Indikator 3,S2,,A,%,max,tlkv,lag_output,3
        uji-unit,2024,I4,Indikator 4,S2,,A,%,min,tlkv,lead_proses,4
        uji-unit,2024,I5,Indikator 5,S3,,B,%,max,tlkv,lag_outcome,5
        uji-unit,2024,I6,Indikator 6,S3,,B,%,max,tlkv,lead_input,6
        """)
    _write(folder, "iku_nilai.csv", """\
        satker,tahun,kode,periode,target,target_bawah,target_atas,realisasi,target_teks
        uji-unit,2024,I1,Y,,70,80,85,70-80
        uji-unit,2024,I2,Y,100,,,80,
        uji-unit,2024,I3,Y,,70,80,75,70-80
        uji-unit,2024,I4,Y,,10,20,25,10-20
        uji-unit,2024,I5,Y,50,,,120,
        uji-unit,2024,I6,Y,,70,80,63,70-80
        """)
    return folder


def _score(data_dir: Path, satker: str, period: str = "2024"):
    ds = load(data_dir, satker=satker)
    framework = load_framework(ds.unit(satker)["kerangka"], data_dir)
    return score(ds.for_satker(satker), satker, parse_period(period), framework)


# ---------------------------------------------------------------- acceptance 1: a framework beside the data
def test_framework_in_data_dir_scores_ranges_weights_and_sums(tmp_path):
    """Hand computation (rentang rule, validity-class weights, weighted sum capped at 30, no clamp):

    I1 range 70-80, realisation 85, max: above the range, 85/80*100 = 106.25 (class lag_outcome, w 0.4)
    I2 target 100, realisation 80: 80 (lead_input, w 0.1)           S1 = (0.4*106.25 + 0.1*80)/0.5 = 101
    I3 range 70-80, realisation 75: inside, 100 (lag_output, 0.3)
    I4 range 10-20, realisation 25, min: above, (2 - 25/20)*100 = 75 (lead_proses, 0.2)
                                                                     S2 = (0.3*100 + 0.2*75)/0.5 = 90
    I5 target 50, realisation 120: 240, no clamp (lag_outcome, 0.4)
    I6 range 70-80, realisation 63: below, 63/70*100 = 90 (lead_input, 0.1)
                                                                     S3 = (0.4*240 + 0.1*90)/0.5 = 210
    Aspect A = 0.2*101 + 0.1*90 = 29.2 (weighted sum, under its maximum 30: band "Sebagian")
    Aspect B = 0.3*210 = 63, capped at 30 (band "Penuh");   NK = mean(29.2, 30) = 29.6 ("Baik")
    """
    data_dir = uji_dataset(tmp_path / "data")
    assert "uji-rentang" not in available_frameworks()  # not in the package
    sc = _score(data_dir, "uji-unit")
    capaian = dict(zip(sc.indicators["kode"], sc.indicators["capaian"]))
    assert capaian == pytest.approx({"I1": 106.25, "I2": 80.0, "I3": 100.0, "I4": 75.0, "I5": 240.0, "I6": 90.0})
    sasaran = dict(zip(sc.levels[0]["kode"], sc.levels[0]["indeks"]))
    assert sasaran == pytest.approx({"S1": 101.0, "S2": 90.0, "S3": 210.0})
    aspek = sc.levels[1].set_index("kode")
    assert aspek["indeks"].to_dict() == pytest.approx({"A": 29.2, "B": 30.0})
    assert aspek["status"].to_dict() == {"A": "Sebagian", "B": "Penuh"}
    assert sc.overall == pytest.approx(29.6)
    assert sc.framework.kategori_for(sc.overall) == "Baik"


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_cli_uses_the_framework_beside_the_data(tmp_path):
    data_dir = uji_dataset(tmp_path / "data")
    proc = run_cli("score", "uji-unit", "2024", "--data", str(data_dir))
    assert proc.returncode == 0, proc.stderr
    assert "29,60" in proc.stdout


def test_data_dir_framework_wins_over_the_package(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("narasi"))
    text = (Path(load_framework("kkp-npss").path)).read_text(encoding="utf-8").replace("clamp: [0, 120]", "clamp: [0, 110]")
    _write(data_dir, "frameworks/kkp-npss.yaml", text)
    assert load_framework("kkp-npss", data_dir).clamp == (0.0, 110.0)
    sc = _score(data_dir, "bkipm-banjarmasin", "2024Q1")
    assert sc.indicators.set_index("kode").loc["IKM 12", "capaian"] == 110.0  # 120 under the package's file


# ---------------------------------------------------------------- acceptance 2: malformed files refused
@pytest.mark.parametrize("change, key, expected", [
    (("agregasi: weighted_sum\n    bobot: {S1: 0.2, S2: 0.1, S3: 0.3}\n", "agregasi: weighted\n"),
     "levels[1].bobot", "bobot untuk agregasi 'weighted'"),
    (("overall:\n  agregasi: mean\n", "overall:\n  agregasi: mean\n  bobot_total: 3\n"),
     "overall.bobot_total", "kunci yang dikenal di overall"),
    (("agregasi: weighted_sum", "agregasi: median"), "levels[1].agregasi", "salah satu dari: mean, weighted, weighted_sum"),
    (("bobot: {S1: 0.2, S2: 0.1, S3: 0.3}", "bobot: {S1: 0.2, S2: 0.1, S3: 0.3}\n    jumlah_bobot: 1"),
     "levels[1].bobot", "jumlah bobot 1 seperti dinyatakan"),
    (("kolom: kelas_validitas", "kolom: kelas"), "levels[0].bobot_indikator.kolom", "kolom iku.csv yang ada"),
    (("  - kolom: perspektif", "  - kolom: aspek"), "levels[1].kolom", "kolom iku.csv yang ada"),
    (("target_rentang: {aturan: rentang", "target_rentang: {aturan: tengah"), "target_rentang.aturan",
     "salah satu dari: rentang, batas_atas, batas_bawah"),
    (("clamp: null", "clamp: [120, 0]"), "clamp", "batas bawah lebih kecil"),
    (("id: uji-rentang", "id: uji-lain"), "id", "sama dengan nama berkasnya"),
])
def test_malformed_framework_is_refused_naming_file_and_key(tmp_path, change, key, expected):
    old, new = change
    assert old in UJI_FRAMEWORK
    path = _write(tmp_path, "uji-rentang.yaml", UJI_FRAMEWORK.replace(old, new, 1))
    with pytest.raises(FrameworkFileError) as err:
        read_framework_file(path, "uji-rentang")
    problems = {p.key: p.expected for p in err.value.problems}
    assert key in problems, err.value.user_message()
    assert expected in problems[key]
    assert str(path) in err.value.user_message() and f"kunci '{key}'" in err.value.user_message()


def test_duplicate_key_refused(tmp_path):
    path = _write(tmp_path, "uji-rentang.yaml", UJI_FRAMEWORK + "clamp: [0, 100]\n")
    with pytest.raises(FrameworkFileError, match="ditulis dua kali"):
        read_framework_file(path, "uji-rentang")


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_malformed_framework_in_data_is_a_validation_error(tmp_path):
    data_dir = uji_dataset(tmp_path / "data", UJI_FRAMEWORK.replace("agregasi: weighted_sum", "agregasi: median"))
    with pytest.raises(DataValidationError) as err:
        load(data_dir, satker="uji-unit")
    text = err.value.user_message()
    assert "frameworks/uji-rentang.yaml" in text and "levels[1].agregasi" in text and "'median'" in text
    proc = run_cli("score", "uji-unit", "2024", "--data", str(data_dir))
    assert proc.returncode != 0 and "levels[1].agregasi" in proc.stderr + proc.stdout


def test_shipped_frameworks_are_valid():
    for framework_id in available_frameworks():
        assert load_framework(framework_id).id == framework_id


# ---------------------------------------------------------------- data the framework needs
def test_range_target_without_range_rule_is_refused(tmp_path):
    data_dir = uji_dataset(tmp_path / "data", UJI_FRAMEWORK.replace(
        "target_rentang: {aturan: rentang, sumber: pedoman PermenPANRB tentang sistem manajemen kinerja}\n", ""))
    with pytest.raises(DataValidationError) as err:
        load(data_dir, satker="uji-unit")
    issues = [i for i in err.value.issues if i.column == "target_bawah"]
    assert [i.row for i in issues] == [2, 4, 5, 7]
    assert all("target_rentang" in i.expected for i in issues)


def test_missing_validity_class_is_refused(tmp_path):
    data_dir = uji_dataset(tmp_path / "data")
    iku = data_dir / "iku.csv"
    iku.write_text(iku.read_text(encoding="utf-8").replace("lead_proses", "lead_lain"), encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load(data_dir, satker="uji-unit")
    (issue,) = err.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("iku.csv", 5, "kelas_validitas", "lead_lain")


def test_bobot_column_is_not_ignored_silently(tmp_path):
    """Defect 5: `bobot` in iku.csv was accepted by the schema and ignored by scoring."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("narasi"))
    iku = data_dir / "iku" / "kppbc-balikpapan.csv"
    lines = iku.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",max,tlkv,,,1,", ",max,tlkv,,2,1,")
    iku.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load(data_dir, satker="kppbc-balikpapan")
    (issue,) = err.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("iku/kppbc-balikpapan.csv", 2, "bobot", 2.0)
    assert "tidak memakai bobot indikator" in issue.expected


def test_bobot_column_is_read_when_the_framework_says_so(tmp_path):
    """Per-indicator weights from the `bobot` column: S1 = (3*106.25 + 1*80)/4 = 99.6875."""
    text = UJI_FRAMEWORK.replace(
        "    bobot_indikator:\n      kolom: kelas_validitas\n"
        "      kelas: {lead_input: 0.1, lead_proses: 0.2, lag_output: 0.3, lag_outcome: 0.4}\n",
        "    bobot_indikator: {kolom: bobot}\n")
    data_dir = uji_dataset(tmp_path / "data", text)
    iku = data_dir / "iku.csv"
    rows = iku.read_text(encoding="utf-8").splitlines()
    weights = ["bobot", "3", "1", "1", "1", "1", "1"]
    iku.write_text("\n".join(f"{r},{w}" for r, w in zip(rows, weights)) + "\n", encoding="utf-8")
    sc = _score(data_dir, "uji-unit")
    assert sc.levels[0].set_index("kode").loc["S1", "indeks"] == pytest.approx(99.6875)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
# ---------------------------------------------------------------- acceptance 3: per-unit weights
def test_unit_weights_30_25_15_30_give_the_hand_computed_nko(tmp_path):
    """Seed 000's perspective indices (full precision, printed 116,21 / 118,78 / 119,79 / 118,99) with the
    unit's own weights 30/25/15/30 instead of the framework's 30/20/25/25:

      30 x 116.210118 + 25 x 118.776786 + 15 x 119.792899 + 30 x 118.996285
      = 3486.30355 + 2969.41964 + 1796.89349 + 3569.88855 = 11822.50524;  / 100 = 118.2250524 -> 118,23
    (118,32 with the framework's weights).
    """
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("narasi"))
    base = _score(data_dir, "kppbc-balikpapan")
    p = base.levels[1].set_index("kode")["indeks"]
    expected = (30 * p["stakeholder"] + 25 * p["customer"] + 15 * p["internal"] + 30 * p["learning"]) / 100
    _write(data_dir, "bobot_kerangka.csv", """\
        satker,tahun,tingkat,kunci,bobot,sumber
        kppbc-balikpapan,2024,nilai_organisasi,stakeholder,30,KEP Kepala Kanwil (contoh uji)
        kppbc-balikpapan,2024,nilai_organisasi,customer,25,KEP Kepala Kanwil (contoh uji)
        kppbc-balikpapan,2024,nilai_organisasi,internal,15,KEP Kepala Kanwil (contoh uji)
        kppbc-balikpapan,2024,nilai_organisasi,learning,30,KEP Kepala Kanwil (contoh uji)
        """)
    sc = _score(data_dir, "kppbc-balikpapan")
    assert round(base.overall, 2) == 118.32
    assert sc.overall == pytest.approx(expected, abs=1e-12)
    assert sc.overall == pytest.approx(118.2250524, abs=1e-7)
    assert round(sc.overall, 2) == 118.23
    assert sc.framework.overall["bobot_sumber"] == "KEP Kepala Kanwil (contoh uji)"
    assert sc.previous == 114.65  # the published 2023 score is not touched
    proc = run_cli("score", "kppbc-balikpapan", "2024", "--data", str(data_dir))
    assert proc.returncode == 0 and "118,23" in proc.stdout, proc.stderr


@pytest.mark.parametrize("rows, column, expected", [
    ("kppbc-balikpapan,2024,nilai_organisasi,stakeholder,30,KEP\nkppbc-balikpapan,2024,nilai_organisasi,customer,25,KEP\n"
     "kppbc-balikpapan,2024,nilai_organisasi,internal,15,KEP\nkppbc-balikpapan,2024,nilai_organisasi,learning,20,KEP\n",
     "bobot", "jumlah bobot 100"),
    ("kppbc-balikpapan,2024,nilai_organisasi,stakeholder,50,KEP\nkppbc-balikpapan,2024,nilai_organisasi,customer,50,KEP\n",
     "kunci", "tidak ada: internal, learning"),
    ("kppbc-balikpapan,2024,perspektif,stakeholder,100,KEP\n", "tingkat", "agregasi 'perspektif'"),
    ("kppbc-balikpapan,2024,eselon,stakeholder,100,KEP\n", "tingkat", "salah satu tingkat kerangka kemenkeu-bsc"),
])
def test_bad_unit_weights_are_refused(tmp_path, rows, column, expected):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("narasi"))
    _write(data_dir, "bobot_kerangka.csv", "satker,tahun,tingkat,kunci,bobot,sumber\n" + rows)
    with pytest.raises(DataValidationError) as err:
        load(data_dir, satker="kppbc-balikpapan")
    hits = [i for i in err.value.issues if i.column == column and i.file == "bobot_kerangka.csv"]
    assert hits and expected in hits[0].expected, err.value.user_message()


# ---------------------------------------------------------------- defect 8: extreme and negative values
def test_negative_target_is_refused_by_the_seed_frameworks(tmp_path):
    """Defect 8: a negative target passed silently (index 0, NKO 118,32 -> 109,64)."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("narasi"))
    nilai = data_dir / "iku_nilai" / "kppbc-balikpapan.csv"
    lines = nilai.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("kppbc-balikpapan,2024,1a-N,Y,"))
    parts = lines[i].split(",")
    parts[4] = "-" + parts[4]
    lines[i] = ",".join(parts)
    nilai.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load(data_dir, satker="kppbc-balikpapan")
    (issue,) = err.value.issues
    assert (issue.row, issue.column) == (i + 1, "target") and "target >= 0" in issue.expected


def test_negative_target_as_warning_is_na_with_its_reason(tmp_path):
    data_dir = uji_dataset(tmp_path / "data", UJI_FRAMEWORK + "target_negatif: peringatan\n")
    nilai = data_dir / "iku_nilai.csv"
    nilai.write_text(nilai.read_text(encoding="utf-8").replace("I2,Y,100,", "I2,Y,-100,"), encoding="utf-8")
    sc = _score(data_dir, "uji-unit")
    row = sc.indicators.set_index("kode").loc["I2"]
    assert math.isnan(row["capaian"]) and "negatif" in row["alasan_na"]
    from lakin.tools.check import check
    found = [f for f in check(data_dir).findings if f.rule == "target_negatif"]
    assert [(f.severity, f.key) for f in found] == [("warning", "2024 I2 Y")]


@pytest.mark.parametrize("value", ["1e25", "-1e25", "1e300"])
def test_absurd_values_are_refused_not_crashing(tmp_path, value):
    """Defect 8: values of about 1e25 crashed figures/score with decimal.InvalidOperation (exit 3)."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("narasi"))
    nilai = data_dir / "iku_nilai" / "bkipm-banjarmasin.csv"
    text = nilai.read_text(encoding="utf-8").replace("bkipm-banjarmasin,2024,IKU 1,Q1,0,1,", f"bkipm-banjarmasin,2024,IKU 1,Q1,0,{value},")
    nilai.write_text(text, encoding="utf-8")
    for command in ("score", "figures"):
        proc = invoke_cli(command, "bkipm-banjarmasin", "2024Q1", "--data", str(data_dir))
        assert proc.returncode == 2, proc.stderr
        assert "iku_nilai/bkipm-banjarmasin.csv" in proc.stderr and "realisasi" in proc.stderr
        assert "InvalidOperation" not in proc.stderr + proc.stdout


def test_round_half_up_takes_any_finite_float():
    from lakin.values import angka
    from lakin.values import round_half_up

    assert round_half_up(1e25) == 1e25 and round_half_up(-1.7e308, 2) == -1.7e308
    assert angka(1e25, 2).startswith("10.000.000")
    assert round_half_up(2.675, 2) == 2.68 and round_half_up(-0.125, 2) == -0.13


# ---------------------------------------------------------------- properties: ranges, weights, sums
finite = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
UJI = None


def _uji():
    global UJI
    if UJI is None:
        import tempfile
        with tempfile.TemporaryDirectory() as folder:  # read once; no folder left behind by the suite
            UJI = read_framework_file(_write(Path(folder), "uji-rentang.yaml", UJI_FRAMEWORK), "uji-rentang")
    return UJI


@settings(max_examples=200, deadline=None)
@given(lo=finite, width=st.floats(min_value=0, max_value=1e4), r=st.floats(min_value=0, max_value=2e6),
       pol=st.sampled_from(["max", "min"]))
def test_range_rule_is_100_inside_and_continuous_at_the_bounds(lo, width, r, pol):
    hi = lo + width
    value = range_index(lo, hi, r, pol, "rentang")
    if lo <= r <= hi:
        assert value == 100.0
    for bound in (lo, hi):
        assert range_index(lo, hi, bound, pol, "rentang") == pytest.approx(100.0)
    # the rule agrees with the single-target rule against the bound it measures against
    if r > hi:
        assert value == pytest.approx(raw_index(hi, r, pol))
    elif r < lo:
        assert value == pytest.approx(raw_index(lo, r, pol))


@settings(max_examples=200, deadline=None)
@given(lo=finite, width=st.floats(min_value=0, max_value=1e4), r1=st.floats(min_value=0, max_value=2e6),
       r2=st.floats(min_value=0, max_value=2e6))
def test_range_rule_max_never_decreases_with_realisation(lo, width, r1, r2):
    a, b = sorted((r1, r2))
    hi = lo + width
    assert indicator_index(None, a, "max", _uji(), "Y", target_bawah=lo, target_atas=hi)[0] <= \
        indicator_index(None, b, "max", _uji(), "Y", target_bawah=lo, target_atas=hi)[0] + 1e-9


@settings(max_examples=200, deadline=None)
@given(lo=finite, width=st.floats(min_value=0, max_value=1e4), r=st.floats(min_value=0, max_value=2e6),
       rule=st.sampled_from(["batas_atas", "batas_bawah"]))
def test_bound_rules_measure_against_one_bound(lo, width, r, rule):
    hi = lo + width
    bound = hi if rule == "batas_atas" else lo
    assert range_index(lo, hi, r, "max", rule) == pytest.approx(r / bound * 100)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.tuples(st.floats(min_value=0, max_value=200), st.floats(min_value=0.01, max_value=50)),
                      min_size=1, max_size=8),
       n_na=st.integers(min_value=0, max_value=3))
def test_weighted_mean_lies_between_min_and_max_and_ignores_na(items, n_na):
    values = pd.Series([v for v, _ in items] + [math.nan] * n_na, index=[f"k{i}" for i in range(len(items) + n_na)])
    weights = {f"k{i}": w for i, (_, w) in enumerate(items)}
    weights.update({f"k{len(items) + j}": 1.0 for j in range(n_na)})
    result = aggregate(values, "weighted", weights)
    lo, hi = min(v for v, _ in items), max(v for v, _ in items)
    assert lo - 1e-9 <= result <= hi + 1e-9
    # scaling every weight does not change a weighted mean
    assert aggregate(values, "weighted", {k: 7 * w for k, w in weights.items()}) == pytest.approx(result)


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.tuples(st.floats(min_value=0, max_value=200), st.floats(min_value=0, max_value=1)),
                      min_size=1, max_size=8),
       maks=st.one_of(st.none(), st.floats(min_value=1, max_value=100)))
def test_weighted_sum_is_the_capped_sum(items, maks):
    values = pd.Series([v for v, _ in items], index=[f"k{i}" for i in range(len(items))])
    weights = {f"k{i}": w for i, (_, w) in enumerate(items)}
    total = sum(v * w for v, w in items)
    result = aggregate(values, "weighted_sum", weights, maks)
    assert result == pytest.approx(total if maks is None else min(total, maks))
    assert maks is None or result <= maks


def test_scored_item_without_weight_is_an_error_not_a_zero():
    from lakin.errors import FrameworkError

    with pytest.raises(FrameworkError, match="bobot tidak ada untuk b"):
        aggregate(pd.Series({"a": 100.0, "b": 90.0}), "weighted", {"a": 1.0})


# ---------------------------------------------------------------- the third shipped framework
PERMENPANRB = load_framework("permenpanrb-rata")


@pytest.mark.parametrize("bawah, atas, realisasi, polaritas, printed", [
    # Salinan PermenPANRB Sistem Manajemen Kinerja, hlm. 100 (flipbuilder page110): the published worked examples.
    # The first prints "92% / 90% x 100% = 113%"; 92/90 is 102,2%: the formula it prints is the rule, the
    # result is a misprint, so the test holds the formula's value.
    (80, 90, 92, "max", 102.2), (80, 90, 70, "max", 87.5), (7, 8, 6.5, "min", 107), (7, 8, 9, "min", 87.5),
])
def test_range_rule_reproduces_the_published_examples(bawah, atas, realisasi, polaritas, printed):
    """Range 'rentang' rule: above the range against the upper bound, below against the lower bound."""
    value, reason = indicator_index(None, realisasi, polaritas, PERMENPANRB, "Y", target_bawah=bawah, target_atas=atas)
    assert reason is None
    digits = 1 if printed != int(printed) else 0
    assert round(value, digits) == printed


def test_plain_average_framework_is_uncapped_and_uses_the_published_bands():
    assert PERMENPANRB.clamp == (0.0, math.inf)
    assert indicator_index(50, 75, "max", PERMENPANRB, "Y")[0] == 150.0  # no cap in PermenPANRB 53/2014
    # interval table of LKjIP Inspektorat Daerah Kabupaten Sampang 2019 (Tabel 3.1)
    assert [PERMENPANRB.kategori_for(v) for v in (100, 91, 90, 76, 75, 66, 60, 50)] == [
        "Sangat Baik", "Sangat Baik", "Baik", "Baik", "Cukup", "Cukup", "Kurang", "Sangat Kurang"]


# ---------------------------------------------------------------- lakin check: printed figures within input rounding
def test_check_accepts_an_index_computed_from_an_unrounded_input(tmp_path):
    """The issue's case: a realisation printed 98,50 but held by the office as 98,4975, target 58. The report
    printed the index from the unrounded value: 98,4975 / 58 x 100 = 169,8233 -> 169,82. The data holds 98,50
    (as printed), which gives 169,8276 -> 169,83. A realisation anywhere in 98,495..98,505 gives
    169,8190..169,8362, and 169,82 is in it: the check says "konsisten dalam pembulatan masukan" (info), not an
    error. 106,31 for I1 (106,25) and 90,11 for I6 (90,00) follow from no input within its rounding: errors.
    """
    data_dir = uji_dataset(tmp_path / "data")
    nilai = data_dir / "iku_nilai.csv"
    nilai.write_text(nilai.read_text(encoding="utf-8").replace("I5,Y,50,,,120,", "I5,Y,58,,,98.50,"), encoding="utf-8")
    _write(data_dir, "angka_dilaporkan.csv", """\
        satker,tahun,periode,tabel,kunci,nilai,sumber
        uji-unit,2024,Y,capaian_iku,kode=I5,169.82,Tabel uji 1
        uji-unit,2024,Y,capaian_iku,kode=I2,80.00,Tabel uji 1
        uji-unit,2024,Y,capaian_iku,kode=I1,106.31,Tabel uji 1
        uji-unit,2024,Y,capaian_iku,kode=I6,90.11,Tabel uji 1
        """)
    from lakin.tools.check import check

    result = check(data_dir)
    by_key = {f.key: f for f in result.findings if f.table == "capaian_iku"}
    within = by_key["2024 Y kode=I5"]
    assert within.severity == "info" and within.rule == "cocok_pembulatan"
    assert "konsisten dalam pembulatan masukan" in within.message and "169,83" in within.message
    assert "2024 Y kode=I2" not in by_key  # exact: no finding
    assert by_key["2024 Y kode=I1"].severity == "error"  # 106,25 (85 against 80,00): nothing prints 106,31
    assert by_key["2024 Y kode=I6"].severity == "error"  # 90,00 (63 against 70,00): nothing prints 90,11
    summary = next(f for f in result.findings if f.rule == "ringkasan")
    assert "1 dalam pembulatan masukan" in summary.message and "1 tepat" in summary.message


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_check_seed_learning_perspective_is_consistent_within_rounding():
    """Seed 000 prints the learning perspective 118,99; from full-precision indices it is 118,9963 (119,00), from
    the indicator indices as printed (two decimals) it is 118,99: consistent, reported as info, not an error."""
    from lakin.tools.check import check

    found = [f for f in check(DATA, satker="kppbc-balikpapan").findings
             if f.table == "indeks_perspektif" and "learning" in f.key]
    assert [(f.severity, f.rule) for f in found] == [("info", "cocok_pembulatan")]


def test_range_target_prints_as_a_range(tmp_path):
    """A range target has no single `target`: the scorecard table prints it as given ("70-80") or as its bounds."""
    from lakin.present.tables import scorecard_table

    data_dir = uji_dataset(tmp_path / "data")
    nilai = data_dir / "iku_nilai.csv"
    nilai.write_text(nilai.read_text(encoding="utf-8").replace(",10,20,25,10-20", ",10,20,25,"), encoding="utf-8")
    table = scorecard_table(_score(data_dir, "uji-unit")).set_index("Kode")["Target"]
    assert table.to_dict() == {"I1": "70-80", "I2": "100", "I3": "70-80", "I4": "10-20", "I5": "50", "I6": "70-80"}
