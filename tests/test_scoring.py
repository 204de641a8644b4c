"""Scoring: the published scorecards of both seeds reproduced from data, and the rules' properties."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lakin.rules.frameworks import load_framework
from lakin.rules.scoring import aggregate, consolidate, indicator_index, raw_index

KEMENKEU = load_framework("kemenkeu-bsc")
KKP = load_framework("kkp-npss")

# Seed 000, "Capaian Kinerja KPPBC TMP B Balikpapan Tahun Anggaran 2024" (Bab III): IKU index, two decimals.
SEED_000_INDICES_2024 = {
    "1a-N": 115.68, "2a-CP": 120, "2b-CP": 120, "3a-CP": 109.16, "4a-CP": 120,
    "5a-CP": 120, "6a-CP": 115.11, "6b-N": 120,
    "7a-N": 120, "8a-N": 120, "8b-N": 120, "9a-CP": 120, "9b-CP": 120, "10a-CP": 118.34, "10b-N": 120,
    "11a-N": 120, "11b-N": 120, "11c-N": 117.08, "12a-N": 117.96, "13a-N": 120,
}


def test_nko_2024(figures_json):
    fig = figures_json("kppbc-balikpapan", "2024")
    assert fig["kerangka"] == "kemenkeu-bsc"
    assert fig["nilai_organisasi"]["kode"] == "NKO"
    assert fig["nilai_organisasi"]["nilai"] == 118.32
    assert fig["sebelumnya"] == {"tahun": 2023, "nilai": 114.65, "sumber": "dipublikasikan"}
    assert fig["perubahan"] == 3.67


@pytest.mark.parametrize("perspektif, printed", [
    ("stakeholder", 116.21), ("customer", 118.78), ("internal", 119.79), ("learning", 118.99),
])
def test_perspectives_2024(figures_json, perspektif, printed):
    groups = {g["kode"]: g["indeks"] for g in figures_json("kppbc-balikpapan", "2024")["kelompok"]["perspektif"]}
    assert abs(groups[perspektif] - printed) <= 0.01 + 1e-9


@pytest.mark.parametrize("kode, printed", sorted(SEED_000_INDICES_2024.items()))
def test_iku_indices_2024(figures_json, kode, printed):
    indicators = {i["kode"]: i for i in figures_json("kppbc-balikpapan", "2024")["indikator"]}
    assert len(indicators) == 20
    assert indicators[kode]["capaian"] == printed


def test_q3_nka_and_revenue_index(figures_json):
    indicators = {i["kode"]: i for i in figures_json("kppbc-balikpapan", "2024Q3")["indikator"]}
    assert indicators["13a-N"]["realisasi"] == 95.91
    assert indicators["13a-N"]["capaian"] == 106.07
    assert indicators["3a-CP"]["capaian"] == 73.63


def test_npss_q1(figures_json):
    fig = figures_json("bkipm-banjarmasin", "2024Q1")
    assert fig["nilai_organisasi"]["kode"] == "NPSS"
    assert fig["nilai_organisasi"]["nilai"] == 112.48
    indicators = {i["kode"]: i for i in fig["indikator"]}
    assert len(indicators) == 16
    # Zero-target indicators are left out and reported as N/A, never as 0.
    assert indicators["IKU 1"]["capaian"] is None and indicators["IKU 1"]["status"] == "Abu-abu"
    assert indicators["IKU 6"]["capaian"] == 117.44
    assert indicators["IKM 12"]["capaian"] == 120
    sasaran = {g["kode"]: g["indeks"] for g in fig["kelompok"]["sasaran_kode"]}
    assert sasaran == {"SK1.1": 100.0, "SK2.1": 117.44, "SK3.1": 120.0}


@pytest.mark.parametrize("nka, periode, expected", [
    (95.91, "SDQ3", 106.0667), (98.0, "Q3", 120.0), (95.0, "Q1", 100.0), (90.0, "Q2", 93.3333), (80.0, "Q1", 80.0),
    (70.0, "Q1", 70.0), (98.23, "Y", 120.0), (93.0, "Y", 110.0), (91.0, "Q4", 100.0), (85.5, "Y", 90.0),
])
def test_nka_piecewise(nka, periode, expected):
    value, reason = indicator_index(95.53, nka, "max", KEMENKEU, periode, aturan="nka-kemenkeu")
    assert reason is None
    assert value == pytest.approx(expected, abs=1e-4)


def test_min_polarity_and_clamp():
    # 2b-CP: 0,75 hari target, 0,40 hari realisation -> (2 - 0.40/0.75) * 100 = 146.67, clamped to 120.
    assert raw_index(0.75, 0.40, "min") == pytest.approx(146.6667, abs=1e-4)
    assert indicator_index(0.75, 0.40, "min", KEMENKEU, "Y")[0] == 120


def test_na_reasons():
    assert indicator_index(None, 5, "max", KKP, "Q1")[1] == "target_kosong"
    assert indicator_index(0, 5, "max", KKP, "Q1")[1] == "target_nol"
    assert indicator_index(5, None, "max", KKP, "Q1")[1] == "realisasi_kosong"


def _nilai(rows):
    return pd.DataFrame(rows, columns=["kode", "periode", "target", "realisasi"])


@pytest.mark.parametrize("rule, s1, sdq3, y", [
    ("tlkv", 20.0, 30.0, 40.0), ("sum", 30.0, 60.0, 100.0), ("average", 15.0, 20.0, 25.0),
])
def test_consolidation_fills_missing_periods(rule, s1, sdq3, y):
    iku = pd.DataFrame({"kode": ["X"], "konsolidasi": [rule]})
    nilai = _nilai([("X", q, v, v) for q, v in (("Q1", 10.0), ("Q2", 20.0), ("Q3", 30.0), ("Q4", 40.0))])
    filled = consolidate(nilai, iku, KEMENKEU).set_index("periode")
    assert filled.loc["S1", "realisasi"] == s1
    assert filled.loc["SDQ3", "realisasi"] == sdq3
    assert filled.loc["Y", "realisasi"] == y
    assert filled.loc["Y", "dikonsolidasi"]


def test_consolidation_never_overwrites_or_guesses():
    iku = pd.DataFrame({"kode": ["X"], "konsolidasi": ["sum"]})
    nilai = _nilai([("X", "Q1", 1.0, 1.0), ("X", "Q2", 1.0, 1.0), ("X", "S1", 5.0, 7.0), ("X", "Q3", 1.0, None)])
    filled = consolidate(nilai, iku, KEMENKEU).set_index("periode")
    assert filled.loc["S1", "realisasi"] == 7.0  # given values are kept
    assert "Y" not in filled.index or math.isnan(filled.loc["Y", "realisasi"])  # Q3/Q4 missing: no guess


# ---------------------------------------------------------------- properties of the rules
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
nonneg = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(target=positive, r1=nonneg, r2=nonneg)
def test_max_never_decreases_with_realisation(target, r1, r2):
    lo, hi = sorted((r1, r2))
    assert indicator_index(target, lo, "max", KEMENKEU, "Y")[0] <= indicator_index(target, hi, "max", KEMENKEU, "Y")[0]


@settings(max_examples=200, deadline=None)
@given(target=positive, r1=nonneg, r2=nonneg)
def test_min_never_increases_with_realisation(target, r1, r2):
    lo, hi = sorted((r1, r2))
    assert indicator_index(target, lo, "min", KEMENKEU, "Y")[0] >= indicator_index(target, hi, "min", KEMENKEU, "Y")[0]


@settings(max_examples=200, deadline=None)
@given(target=positive, r=nonneg, pol=st.sampled_from(["max", "min", "stabilize"]), fw=st.sampled_from([KEMENKEU, KKP]))
def test_index_inside_clamp(target, r, pol, fw):
    value, _ = indicator_index(target, r, pol, fw, "Y")
    assert fw.clamp[0] <= value <= fw.clamp[1]


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=0, max_value=150, allow_nan=False), periode=st.sampled_from(["Q1", "SDQ3", "Y"]))
def test_piecewise_inside_clamp_and_monotone(x, periode):
    a, _ = indicator_index(95.53, x, "max", KEMENKEU, periode, aturan="nka-kemenkeu")
    b, _ = indicator_index(95.53, x + 0.5, "max", KEMENKEU, periode, aturan="nka-kemenkeu")
    assert 0 <= a <= 120 and a <= b + 1e-9


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(min_value=1, max_value=120, allow_nan=False), min_size=1, max_size=8),
       n_na=st.integers(min_value=1, max_value=4))
def test_na_is_left_out_never_counted_as_zero(values, n_na):
    with_na = pd.Series(values + [math.nan] * n_na)
    assert aggregate(with_na) == pytest.approx(sum(values) / len(values))
    with_zero = pd.Series(values + [0.0] * n_na)
    assert aggregate(with_na) > aggregate(with_zero)


def test_weighted_overall_renormalises_over_scored_levels():
    weights = {"a": 30, "b": 70}
    assert aggregate(pd.Series({"a": 100.0, "b": math.nan}), "weighted", weights) == 100.0
    assert aggregate(pd.Series({"a": 100.0, "b": 110.0}), "weighted", weights) == pytest.approx(107.0)
