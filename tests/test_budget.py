"""lakin.rules.budget: absorption, targets, RPD, IKPA/NKA, validation, tables, figures; figures from seeds 003 and 000."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from lakin.model.figures import budget_block
from lakin.present.tables import budget as budget_tables
from lakin.rules import budget
from lakin.data.load import read_table
from lakin.errors import DataValidationError
from lakin.model.unit import Unit, open_unit
from lakin.values import round_half_up
from lakin.present.narrative.budget import paragraphs
from lakin.data.periods import parse_period
from conftest import DATA


# Seed 000, DIPA Halaman III "RENCANA PENARIKAN DANA" (thousands of rupiah), January..December.
HALAMAN_III = [411_203, 1_341_094, 477_633, 446_022, 459_052, 458_191, 434_755, 850_847, 555_717, 445_334,
               437_610, 515_361]


@pytest.fixture(scope="module")
def bkipm():
    return open_unit("bkipm-banjarmasin", "2024Q1", DATA)


@pytest.fixture(scope="module")
def kppbc():
    return open_unit("kppbc-balikpapan", "2024", DATA)


@pytest.fixture(scope="module")
def bkipm_summary(bkipm):
    return budget.summarize(bkipm.tables, bkipm.period)


@pytest.fixture(scope="module")
def kppbc_summary(kppbc):
    return budget.summarize(kppbc.tables, kppbc.period)


def _row(frame: pd.DataFrame, kode: str) -> pd.Series:
    return frame[frame["kode"] == kode].iloc[0]


# --------------------------------------------------------------------------- acceptance 1: seed 003 Tabel 18/19
@pytest.mark.parametrize("kode, pagu, realisasi, sisa, persen", [
    ("51", 3_489_184_000, 951_228_192, 2_537_955_808, 27.26),
    ("52", 2_683_871_000, 508_901_371, 2_174_969_629, 18.96),
])
def test_bkipm_per_jenis(bkipm_summary, kode, pagu, realisasi, sisa, persen):
    r = _row(bkipm_summary.per_jenis, kode)
    assert (r["pagu"], r["realisasi"], r["sisa"]) == (pagu, realisasi, sisa)
    assert round_half_up(r["persen"], 2) == persen


def test_bkipm_total(bkipm_summary):
    t = bkipm_summary.total
    assert (t["pagu"], t["realisasi"], t["sisa"]) == (6_173_055_000, 1_460_129_563, 4_712_925_437)
    assert round_half_up(t["persen"], 2) == 23.65


def test_zero_pagu_gives_na_with_reason(bkipm_summary):
    modal = _row(bkipm_summary.per_jenis, "53")
    assert modal["pagu"] == 0 and modal["realisasi"] == 0 and modal["sisa"] == 0
    assert math.isnan(modal["persen"])
    assert "pagu Rp0" in modal["keterangan"]


@pytest.mark.parametrize("kode, persen, sisa", [
    ("3989", 33.67, 172_948_452), ("3990", 0.00, 206_500_000), ("3987", 24.05, 4_333_476_985),
])
def test_bkipm_per_kegiatan(bkipm_summary, kode, persen, sisa):
    r = _row(bkipm_summary.per_kegiatan, kode)
    assert round_half_up(r["persen"], 2) == persen
    assert r["sisa"] == sisa


def test_cross_cutting_grains_are_not_added_together(bkipm):
    # pagu and realisation are given per jenis and, separately, per kegiatan: the total is one grain's sum
    assert budget.pagu_amount(bkipm.tables, 2024) == 6_173_055_000
    assert budget.realisasi_amount(bkipm.tables, "2024Q1")[0] == 1_460_129_563


def test_pagu_in_words(bkipm_summary, bkipm):
    words = "enam miliar seratus tujuh puluh tiga juta lima puluh lima ribu rupiah"
    assert budget_block(bkipm)["total"]["pagu_terbilang"] == words
    text = paragraphs(bkipm_summary, "Balai KIPM Banjarmasin")[0]
    assert f"Pagu anggaran sebesar Rp6.173.055.000 ({words})" in text
    assert "23,65%" in text and "Rp1.460.129.563" in text


def test_tabel_18_strings(bkipm_summary):
    table = budget_tables.table_per_jenis(bkipm_summary)
    assert list(table.columns) == ["No", "Jenis Belanja", "Pagu", "Realisasi", "Sisa Anggaran", "%"]
    assert table.iloc[0].tolist() == ["1", "Pegawai", "3.489.184.000", "951.228.192", "2.537.955.808", "27,26"]
    assert table.iloc[1].tolist() == ["2", "Barang", "2.683.871.000", "508.901.371", "2.174.969.629", "18,96"]
    assert table.iloc[2].tolist() == ["3", "Modal", "0", "0", "0", "N/A"]
    assert table.iloc[3].tolist() == ["", "TOTAL", "6.173.055.000", "1.460.129.563", "4.712.925.437", "23,65"]
    assert "pagu Rp0" in table.attrs["catatan"]


def test_tabel_19_strings(bkipm_summary):
    table = budget_tables.table_per_kegiatan(bkipm_summary)
    assert table["Kode/Nama Kegiatan"].tolist()[:3] == [
        "3989 / Pengendalian Mutu", "3990 / Standarisasi Sistem dan Kepatuhan", "3987 / Dukungan Manajemen Internal"]
    assert table["%"].tolist() == ["33,67", "0,00", "24,05", "23,65"]
    assert table.iloc[-1]["Pagu"] == "6.173.055.000"


def test_bkipm_is_clean(bkipm):
    assert budget.validate_budget(bkipm.tables) == []


# --------------------------------------------------------------------------- targets (config)
def test_targets_are_dated_and_sourced():
    config = budget.target_table(2024)
    assert "PER-5/PB/2022" in config["sumber"]
    assert config["berlaku_mulai"] == 2022 and config["disusun"]
    assert config["jenis_belanja"]["52"] == {"Q1": 15, "Q2": 40, "Q3": 70, "Q4": 90}
    assert budget.target_table(2019)["jenis_belanja"] == {}


def test_absorption_against_quarter_target(bkipm_summary):
    frame = bkipm_summary.target
    barang = _row(frame, "52")
    assert barang["target"] == 15 and round_half_up(barang["selisih"], 2) == 3.96
    total = _row(frame, "total")  # pagu-weighted target over the jenis with a pagu
    assert total["target"] == pytest.approx((20 * 3_489_184_000 + 15 * 2_683_871_000) / 6_173_055_000)
    shown = budget_tables.table_target(bkipm_summary)
    assert shown.iloc[1].tolist() == ["Barang", "2.683.871.000", "508.901.371", "18,96", "15,00", "+3,96"]


def test_target_table_takes_latest_entry(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("tabel:\n"
                    "  - {berlaku_mulai: 2020, sumber: lama, jenis_belanja: {'52': {Q1: 10, Q2: 20, Q3: 30, Q4: 40}}}\n"
                    "  - {berlaku_mulai: 2024, sumber: baru, jenis_belanja: {'52': {Q1: 11, Q2: 22, Q3: 33, Q4: 44}}}\n",
                    encoding="utf-8")
    assert budget.target_table(2023, path)["sumber"] == "lama"
    assert budget.target_table(2024, path)["jenis_belanja"]["52"]["Q3"] == 33


# --------------------------------------------------------------------------- acceptance 2: seed 000
def test_kppbc_pagu(kppbc):
    assert budget.pagu_amount(kppbc.tables, 2024) == 6_832_819_000
    assert budget.pagu_amount(kppbc.tables, 2024, jenis_belanja="52") == 5_524_565_000
    assert budget.pagu_amount(kppbc.tables, 2024, jenis_belanja="53") == 1_308_254_000
    assert budget.pagu_amount(kppbc.tables, 2024, kegiatan_kode="4695") == 4_626_019_000


def test_kppbc_rpd_is_halaman_iii(kppbc_summary):
    rpd = kppbc_summary.rpd
    assert rpd.tabel["rencana"].tolist() == [v * 1000 for v in HALAMAN_III]
    assert rpd.tabel["rencana"].sum() == 6_832_819_000 == rpd.tabel["rencana_kumulatif"].iloc[-1]
    assert not rpd.bulanan and "Realisasi bulanan tidak tersedia" in rpd.keterangan


def test_rpd_total_rows_win_over_detail(kppbc):
    # December: the printed totals (515.361) are used, not the detail cells (515.362)
    december = budget.rpd_vs_realisasi(kppbc.tables, "2024", jenis_belanja="52").tabel.iloc[11]
    assert december["rencana"] == 515_361_000
    detail = budget.rpd_vs_realisasi(kppbc.tables, "2024", kegiatan_kode="4695", jenis_belanja="52").tabel
    assert detail["rencana"].iloc[11] == 272_437_000


def test_kppbc_realisation(kppbc_summary):
    t = kppbc_summary.total
    assert t["realisasi"] == 6_570_323_509
    assert round_half_up(t["persen"], 2) == 96.16
    barang = _row(kppbc_summary.per_jenis, "52")
    assert math.isnan(barang["realisasi"]) and "tidak dirinci per jenis belanja" in barang["keterangan"]


def test_kppbc_ikpa_nka_index(kppbc_summary):
    ikpa = kppbc_summary.ikpa
    assert ikpa.periode == "Y"
    assert ikpa.ikpa == pytest.approx(96.4615)
    assert round_half_up(ikpa.ikpa, 2) == 96.46
    assert ikpa.smart == 100
    assert round_half_up(ikpa.nka, 2) == 98.23
    assert ikpa.indeks == 120 and ikpa.kode_iku == "13a-N"


def test_dispensasi_is_a_deduction():
    komponen = pd.DataFrame({"nilai": [100.0, 90.0, 0.5], "bobot": [50.0, 50.0, 0.0],
                             "pengurang": [False, False, True]})
    assert budget.weighted_score(komponen) == pytest.approx(95.0 - 0.5)


def test_ikpa_table_strings(kppbc_summary):
    table = budget_tables.table_ikpa(kppbc_summary.ikpa, kppbc_summary.total["realisasi"],
                              "Realisasi Anggaran s.d bulan Desember 2024")
    rows = {r[0]: r[1:] for r in table.itertuples(index=False)}
    assert rows["Nilai IKPA"][0] == "96,46"
    assert rows["Deviasi Halaman III DIPA"] == ("86,49", "15%", "12,97")
    assert rows["Penyerapan Anggaran"] == ("95,44", "20%", "19,09")
    assert rows["Dispensasi SPM"] == ("0,00", "0%", "Pengurang")
    assert rows["Realisasi Anggaran s.d bulan Desember 2024"][0] == "Rp6.570.323.509"
    assert rows["Nilai SMART"][0] == "100,00"
    assert rows["Indeks capaian IKU 13a-N"][0] == "120,00"
    assert any(k.startswith("Nilai Kinerja Anggaran") and v[0] == "98,23" for k, v in rows.items())
    assert "1. NILAI IKPA (50%)" in rows and "2. NILAI SMART (50%)" in rows


def test_kppbc_narrative(kppbc_summary):
    text = "\n".join(paragraphs(kppbc_summary, "KPPBC TMP B Balikpapan"))
    assert ("Pagu anggaran sebesar Rp6.832.819.000 (enam miliar delapan ratus tiga puluh dua juta delapan ratus "
            "sembilan belas ribu rupiah)") in text
    assert "96,16%" in text and "IKPA" in text and "98,23" in text and "13a-N sebesar 120,00" in text


# --------------------------------------------------------------------------- acceptance 3: one 13a-N index
def _scorecard_13a(unit) -> float:
    ind = unit.scorecard().indicators
    return float(ind.loc[ind["kode"] == "13a-N", "capaian"].iloc[0])


def test_13a_index_matches_scorecard_annual(kppbc, kppbc_summary):
    assert kppbc_summary.ikpa.indeks == _scorecard_13a(kppbc) == 120


def test_13a_index_matches_scorecard_q3(kppbc):
    unit = Unit(kppbc.ds, kppbc.satker, parse_period("2024Q3"), kppbc.framework)
    periode = unit.period.data_period(unit.framework.periode)
    ours = budget.nka_index(95.91, periode)
    assert ours == pytest.approx(_scorecard_13a(unit))
    assert round_half_up(ours, 2) == 106.07
    # no IKPA components for s.d. Q3 in the data: said, not invented
    ikpa = budget.ikpa_scores(unit.tables, unit.period)
    assert math.isnan(ikpa.nka) and "tidak tersedia" in ikpa.keterangan[0]


# --------------------------------------------------------------------------- acceptance 4: bad data
def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


PAGU_HEAD = "satker,tahun,program_kode,program,kegiatan_kode,kegiatan,kro_kode,kro,jenis_belanja,sumber_dana,pagu\n"


def test_unknown_jenis_belanja_is_rejected_by_the_schema(tmp_path):
    _write(tmp_path, "pagu.csv", PAGU_HEAD + "x-satker,2024,,,,,,,52,,1000\nx-satker,2024,,,,,,,54,,2000\n")
    with pytest.raises(DataValidationError) as err:
        read_table(tmp_path, "pagu")
    issue = next(i for i in err.value.issues if i.column == "jenis_belanja")
    assert (issue.file, issue.row, issue.value) == ("pagu.csv", 3, "54")
    assert "pagu.csv, baris 3, kolom 'jenis_belanja': nilai '54'" in err.value.user_message()


def _perturbed(tables: dict) -> dict:
    """The unit's budget tables with every 5th amount doubled, every 7th halved and every 9th row's jenis belanja
    blanked: totals that no longer match their parts, RPD off the pagu, realisation above it."""
    out = dict(tables)
    for name, col in (("pagu", "pagu"), ("rpd", "rencana"), ("realisasi_anggaran", "realisasi")):
        frame = tables[name].copy()
        amounts = frame[col].to_numpy(dtype=float, copy=True)
        amounts[::5] *= 2
        amounts[::7] /= 2
        frame[col] = amounts
        kinds = frame["jenis_belanja"].to_numpy(dtype=object, copy=True)
        kinds[::9] = None
        frame["jenis_belanja"] = kinds
        out[name] = frame
    return out


def test_budget_checks_read_each_column_once_and_find_the_same_issues(kppbc):
    """validate_budget reads each column of a frame once (`frames_unchanged`): the same issues as reading the
    column anew at every key, on data that breaks every rule."""
    from lakin.rules.budget import amounts, validation

    tables = _perturbed(dict(kppbc.tables))
    kept = budget.validate_budget(tables)
    anew = validation._validate_budget(tables)  # outside frames_unchanged: every column read anew
    assert len(kept) > 20 and {i.column for i in kept} >= {"pagu", "rencana", "realisasi"}
    assert [repr(i) for i in kept] == [repr(i) for i in anew]
    assert budget.total_mismatches(tables).equals(validation._total_mismatches(tables))

    frame = pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]})
    assert amounts.column(frame, "v") is not amounts.column(frame, "v")  # no cache outside the block
    with amounts.frames_unchanged():
        first = amounts.column(frame, "v")
        assert amounts.column(frame, "v") is first
        with amounts.frames_unchanged():
            assert amounts.column(frame, "v") is first  # a block within keeps the outer block's columns
        other = pd.DataFrame({"v": [3.0]})
        assert list(amounts.column(other, "v")) == [3.0]  # another frame, its own column
        import threading
        seen = []
        thread = threading.Thread(target=lambda: seen.append(amounts.column(frame, "v") is first))
        thread.start()
        thread.join()
        assert seen == [False]  # another thread keeps no cache of this block's
    frame["v"] = [5.0, 6.0]
    assert list(amounts.column(frame, "v")) == [5.0, 6.0]


def test_unknown_jenis_belanja_in_a_frame():
    frame = pd.DataFrame([{"satker": "x-satker", "tahun": 2024, "bulan": 1, "kegiatan_kode": None,
                           "jenis_belanja": "59", "rencana": 10.0, "_file": "rpd.csv", "_line": 7}])
    issues = budget.validate_budget({"rpd": frame})
    assert [(i.file, i.row, i.value) for i in issues] == [("rpd.csv", 7, "59")]


def test_realisation_above_pagu(tmp_path):
    _write(tmp_path, "pagu.csv", PAGU_HEAD + "x-satker,2024,,,,,,,52,,1000000\n")
    _write(tmp_path, "realisasi_anggaran.csv",
           "satker,tahun,bulan,periode,kegiatan_kode,jenis_belanja,realisasi\n"
           "x-satker,2024,,Q1,,52,400000\n"
           "x-satker,2024,,Y,,52,1250000\n")
    tables = {name: read_table(tmp_path, name) for name in ("pagu", "realisasi_anggaran")}
    issues = budget.validate_budget(tables)
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.file, issue.row, issue.column, issue.value) == ("realisasi_anggaran.csv", 3, "realisasi", 1_250_000)
    assert issue.severity == "error" and "1.000.000" in issue.expected


def test_monthly_realisation_above_pagu_names_the_month_row(tmp_path):
    _write(tmp_path, "pagu.csv", PAGU_HEAD + "x-satker,2024,,,,,,,,,1000\n")
    _write(tmp_path, "realisasi_anggaran.csv",
           "satker,tahun,bulan,periode,kegiatan_kode,jenis_belanja,realisasi\n"
           "x-satker,2024,1,,,,600\nx-satker,2024,2,,,,300\nx-satker,2024,3,,,,200\n")
    tables = {name: read_table(tmp_path, name) for name in ("pagu", "realisasi_anggaran")}
    issues = budget.validate_budget(tables)
    assert [(i.file, i.row, i.value) for i in issues] == [("realisasi_anggaran.csv", 4, 1100)]


def test_rpd_not_summing_to_pagu(tmp_path):
    _write(tmp_path, "pagu.csv", PAGU_HEAD + "x-satker,2024,,,,,,,52,,12000000\n")
    lines = "".join(f"x-satker,2024,{m},,52,{1_000_000 if m < 12 else 500_000}\n" for m in range(1, 13))
    _write(tmp_path, "rpd.csv", "satker,tahun,bulan,kegiatan_kode,jenis_belanja,rencana\n" + lines)
    tables = {name: read_table(tmp_path, name) for name in ("pagu", "rpd")}
    issues = [i for i in budget.validate_budget(tables) if i.column == "rencana"]
    assert issues, "RPD 11.500.000 against pagu 12.000.000 must be reported"
    issue = issues[0]
    assert (issue.file, issue.row, issue.value, issue.severity) == ("rpd.csv", 13, 11_500_000, "error")
    assert "12.000.000" in issue.expected and "pagu.csv baris 2" in issue.expected


def test_weights_not_summing_to_100(tmp_path):
    _write(tmp_path, "ikpa.csv",
           "satker,tahun,periode,komponen,nilai,bobot,kelompok,pengurang\n"
           "x-satker,2024,Y,Revisi DIPA,100,10,ikpa,false\n"
           "x-satker,2024,Y,Capaian Output,100,80,ikpa,false\n"
           "x-satker,2024,Y,Dispensasi SPM,0,0,ikpa,true\n"
           "x-satker,2024,Y,Capaian Rincian Output,100,100,smart,false\n")
    issues = budget.validate_budget({"ikpa": read_table(tmp_path, "ikpa")})
    assert [(i.file, i.row, i.column, i.value) for i in issues] == [("ikpa.csv", 4, "bobot", 90.0)]
    assert "= 100" in issues[0].expected


def test_seed_rounding_is_listed_and_only_warned(kppbc):
    mismatches = budget.total_mismatches(kppbc.tables)
    rpd = mismatches[mismatches["tabel"] == "rpd"]
    assert set(rpd["kunci"]) == {"total", "jenis_belanja=52"}
    assert rpd["waktu"].tolist() == ["bulan=12", "bulan=12"] and rpd["selisih"].tolist() == [1000.0, 1000.0]
    issues = budget.validate_budget(kppbc.tables)
    assert issues and all(i.severity == "warning" for i in issues)
    rpd_vs_pagu = [i for i in issues if "jumlah RPD" in i.expected]
    assert {i.value for i in rpd_vs_pagu} == {4_626_020_000, 3_317_766_000}


# --------------------------------------------------------------------------- grain, periods, RPD deviation
def test_coarse_rows_are_the_total_when_detail_is_incomplete(kppbc):
    # 2025: program rows hold a kegiatan without a code (Rp23.004.000) that the kegiatan rows miss
    assert budget.pagu_amount(kppbc.tables, 2025) == 6_556_819_000


def _monthly_tables(kppbc, months: int) -> dict:
    tables = dict(kppbc.tables)
    rows = [{"satker": "kppbc-balikpapan", "tahun": 2024, "bulan": m, "periode": None, "kegiatan_kode": None,
             "jenis_belanja": j, "realisasi": v, "_file": "realisasi_anggaran/x.csv", "_line": 2 * m + i}
            for m in range(1, months + 1) for i, (j, v) in enumerate((("52", 400e6), ("53", 0.0)))]
    tables["realisasi_anggaran"] = pd.DataFrame(rows)
    return tables


def test_realisation_cumulates_months_to_period_end(kppbc):
    tables = _monthly_tables(kppbc, 9)
    assert budget.realisasi_amount(tables, "2024Q3")[0] == 9 * 400e6
    assert budget.realisasi_amount(tables, "2024Q2", jenis_belanja="52")[0] == 6 * 400e6
    value, reason = budget.realisasi_amount(tables, "2024")
    assert math.isnan(value) and "Oktober" in reason


def test_rpd_deviation_with_monthly_realisation(kppbc):
    comp = budget.rpd_vs_realisasi(_monthly_tables(kppbc, 3), "2024Q1")
    assert comp.bulanan and comp.keterangan is None
    jan = comp.tabel.iloc[0]
    assert jan["deviasi"] == 400e6 - 411_203_000
    assert jan["deviasi_persen"] == pytest.approx(11_203_000 / 411_203_000 * 100)
    assert comp.tabel["realisasi_kumulatif"].iloc[2] == 1200e6 and math.isnan(comp.tabel["realisasi"].iloc[3])
    table = budget_tables.table_rpd(comp)
    assert table.iloc[0]["Realisasi"] == "400.000.000" and table.iloc[3]["Realisasi"] == "N/A"


def test_rpd_table_without_monthly_realisation(kppbc_summary):
    table = budget_tables.table_rpd(kppbc_summary.rpd)
    assert table.iloc[0].tolist() == ["Januari", "411.203.000", "411.203.000", "6,02"]
    assert table.iloc[-1]["Rencana (RPD)"] == "6.832.819.000"
    assert "Realisasi bulanan tidak tersedia" in table.attrs["catatan"]


# --------------------------------------------------------------------------- figures and charts
def test_figures_block(kppbc):
    block = budget_block(kppbc)
    json.dumps(block)
    assert block["total"]["pagu"] == 6_832_819_000 and block["total"]["persen"] == 96.16
    assert [b["rencana"] for b in block["rpd"]["bulan"]] == [v * 1000 for v in HALAMAN_III]
    ikpa = block["ikpa"]
    assert (ikpa["ikpa"], ikpa["smart"], ikpa["nka"], ikpa["indeks_iku"]) == (96.46, 100.0, 98.23, 120.0)
    assert [j["pagu"] for j in block["per_jenis_belanja"]] == [5_524_565_000, 1_308_254_000]


def test_figures_block_registered(bkipm):
    from lakin.model.figures import BLOCKS, figures

    assert "anggaran" in BLOCKS and BLOCKS.names() == ["kinerja", "anggaran", "penerimaan"]
    out = figures(bkipm)["anggaran"]
    assert out["periode_realisasi"] == "Q1"
    assert [k["persen"] for k in out["per_kegiatan"]] == [33.67, 0.0, 24.05]
    assert out["rpd"] is None and out["ikpa"] is None


def test_has_budget(bkipm):
    assert budget.has_budget(bkipm.tables) and budget.has_budget(bkipm.tables, 2024)
    assert not budget.has_budget(bkipm.tables, 2030)
    assert budget_block(Unit(bkipm.ds, bkipm.satker, parse_period("2023"), bkipm.framework)) is None


def test_charts_render(bkipm_summary, kppbc_summary):
    from lakin.present.charts import to_png
    from lakin.present.charts.budget import absorption_chart, rpd_chart

    png = to_png(absorption_chart(bkipm_summary), scale=1)
    assert png[:4] == b"\x89PNG"
    spec = rpd_chart(kppbc_summary).to_dict()  # no monthly realisation: the RPD line and the realisation point
    assert "RPD kumulatif dan realisasi s.d. Desember" in spec["title"] and "Pagu" not in json.dumps(spec)
    assert "target" in json.dumps(absorption_chart(bkipm_summary).to_dict())
    assert absorption_chart(kppbc_summary) is None  # only the total's absorption is known: one bar, no chart


@pytest.mark.parametrize("keys, expected", [
    ([("a", None), (None, None), ("a", "x")], [1]),  # a total row wins
    ([("a", None), ("a", "x"), ("b", "y")], [0, 2]),  # a coarser row covers its detail
    ([("a", None), ("b", None), (None, "k1"), (None, "k2")], [0, 1]),  # two cross-cutting grains: one of them
    ([], []),
])
def test_one_grain_rule_empty_key_means_total(keys, expected):
    from lakin.rules.grain import total_rows

    assert total_rows(keys) == expected
