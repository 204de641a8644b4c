"""Revenue: the seed's figures (issue 3 acceptance), the grain convention, projection, validation, charts."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lakin.present.tables import revenue as revenue_tables
from lakin.rules import revenue
from lakin.data.load import load
from lakin.errors import DataValidationError
from lakin.model.figures import figures, revenue_block
from lakin.model.unit import open_unit
from lakin.values import BULAN
from lakin.values import round_half_up
from lakin.data.periods import ReportPeriod
from conftest import DATA

SATKER = "kppbc-balikpapan"


@pytest.fixture(scope="module")
def unit():
    return open_unit(SATKER, "2024", DATA)


@pytest.fixture(scope="module")
def summary(unit):
    return revenue.summarize(unit.tables, SATKER, unit.period)


@pytest.fixture(scope="module")
def summary_q3(unit):
    return revenue.summarize(unit.tables, SATKER, ReportPeriod(2024, 3))


@pytest.fixture(scope="module")
def block(unit):
    out = figures(unit)
    json.dumps(out, allow_nan=False)  # JSON-ready: no NaN anywhere
    return out["penerimaan"]


# --------------------------------------------------------------------------- acceptance 1: figures --json
@pytest.mark.parametrize("path, expected", [
    (("realisasi_kumulatif",), 2035400114000),
    (("target", "nilai"), 1864599579000),
    (("target", "dasar_hukum"), "KEP-273/BC/2024"),
    (("target", "tanggal"), "2024-12-31"),
    (("target_awal", "nilai"), 2074191914000),
    (("target_awal", "dasar_hukum"), "KEP-17/BC/2024"),
    (("target_direvisi",), True),
    (("capaian",), 109.16),
    (("yoy", "persen"), 23.41),
    (("yoy", "realisasi_sebelumnya"), 1649357809000),
    (("per_jenis", "bea_masuk", "yoy"), 5.25),
    (("per_jenis", "bea_keluar", "yoy"), 58.56),
    (("per_jenis", "cukai", "yoy"), -29.97),
    (("per_jenis", "cukai", "capaian"), None),
    (("per_jenis", "cukai", "capaian_keterangan"), "tidak ada target"),
    (("per_jenis", "bea_masuk", "capaian"), 100.76),
    (("per_jenis", "bea_keluar", "capaian"), 122.08),
    (("proyeksi",), None),
])
def test_figures_block(block, path, expected):
    value = block
    for key in path:
        value = value[key]
    assert value == expected


def test_figures_block_absent_without_revenue():
    fisheries = open_unit("bkipm-banjarmasin", "2024", DATA)
    assert not revenue.has_revenue(fisheries.tables)
    assert revenue_block(fisheries) is None


def test_summary_headline(summary):
    assert summary.realisasi == 2035400114000
    assert summary.target_total == 1864599579000
    assert round_half_up(summary.capaian, 2) == 109.16
    assert summary.realisasi_sebelumnya == 1649357809000


# --------------------------------------------------------------------------- acceptance 2: the trajectory table
@pytest.mark.parametrize("bulan, capaian_kumulatif", [
    (1, 6.23), (2, 11.66), (3, 18.87), (6, 40.69), (9, 59.31), (11, 83.36), (12, 109.16),
])
def test_cumulative_achievement_series(summary, block, bulan, capaian_kumulatif):
    row = summary.bulanan[summary.bulanan["bulan"] == bulan].iloc[0]
    assert round_half_up(row["capaian_kumulatif"], 2) == capaian_kumulatif
    assert block["bulanan"][bulan - 1]["capaian_kumulatif"] == capaian_kumulatif


@pytest.mark.parametrize("bulan, column, text", [
    ("Juni", "Target Bulan", "Rp191.600.384.150"),
    ("Januari", "Target Bulan", "Rp127.971.778.846"),
    ("Juni", "Trajektori Kumulatif (%)", "46,92%"),
    ("Juni", "Capaian Bulan (%)", "41,35%"),
    ("Desember", "Target Kumulatif", "Rp1.864.599.579.000"),
    ("Desember", "Trajektori Kumulatif (%)", "100,00%"),
    ("Desember", "Realisasi Kumulatif", "Rp2.035.400.114.000"),
    ("Desember", "Capaian Kumulatif (%)", "109,16%"),
    ("Desember", "Keterangan", "Realisasi"),
])
def test_trajectory_table(summary, bulan, column, text):
    table = revenue_tables.table_trajectory(summary)
    assert list(table["Bulan"]) == BULAN
    assert table.loc[table["Bulan"] == bulan, column].iloc[0] == text


# --------------------------------------------------------------------------- acceptance 3: IKU 3a-CP
@pytest.mark.parametrize("periode, nilai, dasar_hukum", [
    ("Q1", 16.96, "KEP-17/BC/2024"),
    ("S1", 36.58, "KEP-17/BC/2024"),
    ("SDQ3", 53.31, "KEP-17/BC/2024"),
    ("Y", 109.16, "KEP-273/BC/2024"),
])
def test_iku_3a_from_revenue(summary, block, periode, nilai, dasar_hukum):
    row = summary.iku[summary.iku["periode"] == periode].iloc[0]
    assert round_half_up(row["nilai"], 2) == nilai
    assert row["dasar_hukum"] == dasar_hukum
    assert row["realisasi_indikator"] == nilai and row["cocok"]
    entry = next(e for e in block["iku"] if e["periode"] == periode)
    assert (entry["nilai"], entry["nilai_indikator"], entry["dasar_hukum"], entry["cocok"]) == \
        (nilai, nilai, dasar_hukum, True)


@pytest.mark.parametrize("period, target, capaian", [
    (ReportPeriod(2024, 1), 2074191914000, 16.96),
    (ReportPeriod(2024, 2), 2074191914000, 36.58),
    (ReportPeriod(2024, 3), 2074191914000, 53.31),
])
def test_quarter_reports_use_the_target_then_in_force(unit, period, target, capaian):
    s = revenue.summarize(unit.tables, SATKER, period)
    assert s.target.dasar_hukum == "KEP-17/BC/2024" and not s.target.direvisi
    assert s.target_total == target
    assert round_half_up(s.capaian, 2) == capaian
    assert s.bulanan.loc[s.bulanan["bulan"] > period.end_month, "proyeksi"].all()
    assert "Proyeksi" in s.proyeksi_metode


@pytest.mark.parametrize("on, dasar_hukum, total", [
    (date(2024, 1, 1), "KEP-17/BC/2024", 2074191914000),  # before the first decree: the first applies
    (date(2024, 1, 15), "KEP-17/BC/2024", 2074191914000),
    (date(2024, 12, 30), "KEP-17/BC/2024", 2074191914000),
    (date(2024, 12, 31), "KEP-273/BC/2024", 1864599579000),
])
def test_target_in_force(unit, on, dasar_hukum, total):
    t = revenue.target_in_force(unit.tables["target_penerimaan"], on)
    assert (t.dasar_hukum, t.total) == (dasar_hukum, total)
    assert (t.awal_dasar_hukum, t.awal_total, t.awal_tanggal) == ("KEP-17/BC/2024", 2074191914000, date(2024, 1, 15))


def test_targets_table(summary):
    table = revenue_tables.table_targets(summary)
    assert list(table["Dasar Hukum"]) == ["KEP-17/BC/2024", "KEP-273/BC/2024"]
    assert list(table["Tanggal"]) == ["15 Januari 2024", "31 Desember 2024"]
    assert list(table["Total"]) == ["Rp2.074.191.914.000", "Rp1.864.599.579.000"]
    assert table["Keterangan"].iloc[0] == "Target awal"
    assert table["Keterangan"].iloc[1].startswith("Revisi; berlaku")


# --------------------------------------------------------------------------- the Kinerja Penerimaan table
@pytest.mark.parametrize("jenis, column, text", [
    ("Bea Masuk", "Target 2024 (KEP-273/BC/2024)", "Rp1.133.958.304.000"),
    ("Bea Masuk", "Realisasi Desember", "Rp128.698.643.000"),
    ("Bea Masuk", "Realisasi s.d. Desember 2024", "Rp1.142.529.290.000"),
    ("Bea Masuk", "Realisasi s.d. Desember 2023", "Rp1.085.518.993.000"),
    ("Bea Masuk", "Yoy (%)", "5,25%"),
    ("Bea Masuk", "% Capaian 2024", "100,76%"),
    ("Bea Keluar", "Yoy (%)", "58,56%"),
    ("Cukai", "Yoy (%)", "-29,97%"),
    ("Cukai", "% Capaian 2024", "tidak ada target"),
    ("Total", "Realisasi Desember", "Rp481.010.599.000"),
    ("Total", "Realisasi s.d. Desember 2024", "Rp2.035.400.114.000"),
    ("Total", "Realisasi s.d. Desember 2023", "Rp1.649.357.809.000"),
    ("Total", "Yoy (%)", "23,41%"),
    ("Total", "% Capaian 2024", "109,16%"),
])
def test_kinerja_table(summary, jenis, column, text):
    table = revenue_tables.table_kinerja(summary)
    assert table.loc[table["Jenis Penerimaan"] == jenis, column].iloc[0] == text


def test_seed_data_is_consistent(unit):
    assert revenue.validate_revenue(unit.tables) == []
    assert revenue.grain_disagreements(unit.tables["penerimaan"]).empty


# --------------------------------------------------------------------------- hand-made series
SHARES = [5, 5, 10, 10, 10, 10, 5, 5, 10, 10, 10, 10]


def _tables(target: float = 1_200_000_000) -> dict[str, pd.DataFrame]:
    """Q1 data: Jan as a total row, Feb as a type row, Mar per account with a refund (netto 90 juta)."""
    penerimaan = pd.DataFrame([
        ["uji", 2024, 1, None, None, "Total penerimaan", 30_000_000],
        ["uji", 2024, 2, "bea_masuk", None, "BEA MASUK", 60_000_000],
        ["uji", 2024, 3, "bea_masuk", "412111", "PENDAPATAN BEA MASUK", 100_000_000],
        ["uji", 2024, 3, "bea_masuk", "412111", "Pengembalian BEA MASUK", -10_000_000],
    ], columns=["satker", "tahun", "bulan", "jenis", "akun", "uraian", "nilai"])
    targets = pd.DataFrame([["uji", 2024, "bea_masuk", "KEP-1", date(2024, 1, 2), target]],
                           columns=["satker", "tahun", "jenis", "dasar_hukum", "tanggal", "target"])
    trajektori = pd.DataFrame({"satker": "uji", "tahun": 2024, "bulan": range(1, 13), "persen": SHARES})
    return {"penerimaan": penerimaan, "target_penerimaan": targets, "trajektori_penerimaan": trajektori}


def test_projection_on_a_hand_made_series():
    # Monthly targets 60, 60, 120 juta; realisation 30 + 60 + 90 = 180 juta against 240 juta of trajectory:
    # ratio 0.75, so each later month is 0.75 x its trajectory target and the year ends at 0.75 x 1.2 miliar.
    s = revenue.summarize(_tables(), "uji", ReportPeriod(2024, 1))
    b = s.bulanan.set_index("bulan")
    assert s.proyeksi_rasio == pytest.approx(0.75)
    expected_month = {4: 90e6, 5: 90e6, 6: 90e6, 7: 45e6, 8: 45e6, 9: 90e6, 10: 90e6, 11: 90e6, 12: 90e6}
    expected_cum = {4: 270e6, 5: 360e6, 6: 450e6, 7: 495e6, 8: 540e6, 9: 630e6, 10: 720e6, 11: 810e6, 12: 900e6}
    for bulan in range(4, 13):
        assert b.loc[bulan, "proyeksi"] and b.loc[bulan, "status"] == "proyeksi"
        assert b.loc[bulan, "realisasi"] == pytest.approx(expected_month[bulan])
        assert b.loc[bulan, "realisasi_kumulatif"] == pytest.approx(expected_cum[bulan])
    assert s.proyeksi_akhir_tahun == pytest.approx(900e6)
    assert list(b.loc[1:3, "realisasi"]) == [30e6, 60e6, 90e6]  # refund subtracted in March
    assert not b.loc[1:3, "proyeksi"].any()
    assert [round(v, 6) for v in b.loc[1:3, "capaian"]] == [50.0, 100.0, 75.0]
    assert s.capaian == pytest.approx(15.0)
    assert "Rp180.000.000 : Rp240.000.000 = 75,00%" in s.proyeksi_metode
    table = revenue_tables.table_trajectory(s)
    assert list(table["Keterangan"]) == ["Realisasi"] * 3 + ["Proyeksi"] * 9
    assert table["Realisasi Kumulatif"].iloc[-1] == "Rp900.000.000"


def test_zero_target_never_divides():
    s = revenue.summarize(_tables(target=0), "uji", ReportPeriod(2024, 1))
    assert math.isnan(s.capaian) and s.capaian_alasan == "tidak ada target"
    assert s.proyeksi_metode is None and s.proyeksi_alasan == "tidak ada target"
    assert s.bulanan["capaian"].isna().all()
    assert set(s.bulanan.loc[s.bulanan["bulan"] <= 3, "capaian_alasan"]) == {"tidak ada target"}
    kinerja = revenue_tables.table_kinerja(s)
    assert kinerja.loc[kinerja["Jenis Penerimaan"] == "Total", "% Capaian 2024"].iloc[0] == "tidak ada target"
    assert revenue_tables.table_trajectory(s)["Capaian Bulan (%)"].iloc[0] == "tidak ada target"


def test_grain_convention_and_disagreements():
    pen = pd.DataFrame([
        # January: a total row and type rows that add up to less: the total is used.
        ["uji", 2024, 1, None, None, "Total", 100, "penerimaan.csv", 2],
        ["uji", 2024, 1, "bea_masuk", None, "BM", 60, "penerimaan.csv", 3],
        ["uji", 2024, 1, "bea_keluar", None, "BK", 30, "penerimaan.csv", 4],
        # February: accounts with a refund for bea masuk; bea keluar as a type row beside an account row.
        ["uji", 2024, 2, "bea_masuk", "412111", "PENDAPATAN BEA MASUK", 50, "penerimaan.csv", 5],
        ["uji", 2024, 2, "bea_masuk", "412111", "Pengembalian BEA MASUK", -5, "penerimaan.csv", 6],
        ["uji", 2024, 2, "bea_masuk", "412113", "DENDA", 5, "penerimaan.csv", 7],
        ["uji", 2024, 2, "bea_keluar", None, "BK", 20, "penerimaan.csv", 8],
        ["uji", 2024, 2, "bea_keluar", "412211", "PENDAPATAN BEA KELUAR", 25, "penerimaan.csv", 9],
        # 2023: annual rows per type only.
        ["uji", 2023, None, "bea_masuk", None, "BM", 400, "penerimaan.csv", 10],
        ["uji", 2023, None, "bea_keluar", None, "BK", 100, "penerimaan.csv", 11],
    ], columns=["satker", "tahun", "bulan", "jenis", "akun", "uraian", "nilai", "_file", "_line"])
    monthly = revenue.realisasi_bulanan(pen, 2024).set_index("bulan")
    assert monthly.loc[1, "realisasi"] == 100
    assert monthly.loc[2, "realisasi"] == 70  # 50 - 5 + 5 (bea masuk) + 20 (bea keluar type row)
    assert (monthly.loc[2, "bea_masuk"], monthly.loc[2, "bea_keluar"]) == (50, 20)
    assert math.isnan(monthly.loc[3, "realisasi"])
    annual = revenue.realisasi_kumulatif(pen, 2023)
    assert (annual["bea_masuk"], annual["bea_keluar"], annual["total"]) == (400, 100, 500)
    akun = revenue.realisasi_per_akun(pen, 2024).set_index("akun")
    assert (akun.loc["412111", "bruto"], akun.loc["412111", "pengembalian"], akun.loc["412111", "netto"]) == \
        (50, -5, 45)
    found = revenue.grain_disagreements(pen)
    assert sorted(zip(found["bulan"], found["tingkat"], found["selisih"], found["_line"])) == [
        (1, "total vs jenis", 10.0, 2), (2, "jenis vs akun", -5.0, 8)]
    warnings = [i for i in revenue.validate_revenue({"penerimaan": pen}) if i.severity == "warning"]
    assert [(i.file, i.row, i.value) for i in warnings] == [("penerimaan.csv", 2, 100.0), ("penerimaan.csv", 8, 20.0)]


# --------------------------------------------------------------------------- acceptance 4: bad data
HEADERS = {
    "penerimaan.csv": "satker,tahun,bulan,jenis,akun,uraian,nilai",
    "target_penerimaan.csv": "satker,tahun,jenis,dasar_hukum,tanggal,target",
    "trajektori_penerimaan.csv": "satker,tahun,bulan,persen",
}


def _data_dir(tmp_path: Path, files: dict[str, list[str]]) -> Path:
    """satker.csv from the example data, minimal indicator tables, and the revenue CSVs under test."""
    shutil.copy(DATA / "satker.csv", tmp_path / "satker.csv")
    (tmp_path / "iku.csv").write_text(
        "satker,tahun,kode,nama,sasaran_kode,sasaran_nama,perspektif,satuan,polaritas,konsolidasi\n"
        "kppbc-balikpapan,2024,3a-CP,Persentase realisasi penerimaan,SS-3,,stakeholder,%,max,tlkv\n",
        encoding="utf-8")
    (tmp_path / "iku_nilai.csv").write_text(
        "satker,tahun,kode,periode,target,realisasi\nkppbc-balikpapan,2024,3a-CP,Y,100,109.16\n", encoding="utf-8")
    for name, lines in files.items():
        (tmp_path / name).write_text("\n".join([HEADERS[name], *lines]) + "\n", encoding="utf-8")
    return tmp_path


def _load_issues(path: Path):
    with pytest.raises(DataValidationError) as info:
        load(path)
    return info.value.issues


@pytest.mark.parametrize("name, lines, row, column, value", [
    ("penerimaan.csv", ["kppbc-balikpapan,2024,1,,,Total,5", "kppbc-balikpapan,2024,13,,,Total,5"],
     3, "bulan", 13),
    ("trajektori_penerimaan.csv", ["kppbc-balikpapan,2024,13,50"], 2, "bulan", 13),
    ("penerimaan.csv", ["kppbc-balikpapan,2024,1,,,Total,5", "kppbc-balikpapan,2024,1,,,Total,6"],
     3, None, "satker=kppbc-balikpapan, tahun=2024, bulan=1, jenis=, akun=, uraian=Total"),
    ("target_penerimaan.csv", ["kppbc-balikpapan,2024,bea_masuk,KEP-1,2024-01-02,-5"], 2, "target", -5.0),
])
def test_loader_rejects_bad_revenue_rows(tmp_path, name, lines, row, column, value):
    issues = _load_issues(_data_dir(tmp_path, {name: lines}))
    issue = next(i for i in issues if i.file == name)
    assert (issue.row, issue.column, issue.value) == (row, column, value)
    text = issue.describe()
    assert name in text and f"baris {row}" in text and str(value) in text


def test_duplicate_rows_of_the_same_sign(tmp_path):
    path = _data_dir(tmp_path, {"penerimaan.csv": [
        "kppbc-balikpapan,2024,12,bea_masuk,412111,PENDAPATAN BEA MASUK,100",
        "kppbc-balikpapan,2024,12,bea_masuk,412111,PENDAPATAN BEA MASUK (koreksi),50",
        "kppbc-balikpapan,2024,12,bea_masuk,412111,Pengembalian BEA MASUK,-5",
    ]})
    issues = revenue.validate_revenue(load(path).tables)
    assert [(i.file, i.row, i.column, i.value, i.severity) for i in issues] == [
        ("penerimaan.csv", 3, "nilai", 50.0, "error")]
    assert "baris 2" in issues[0].expected and "akun=412111" in issues[0].expected


def test_trajectory_shares_must_sum_to_100(tmp_path):
    lines = [f"kppbc-balikpapan,2024,{b},8" for b in range(1, 13)]
    issues = revenue.validate_revenue(load(_data_dir(tmp_path, {"trajektori_penerimaan.csv": lines})).tables)
    assert [(i.file, i.row, i.column, i.value) for i in issues] == [("trajektori_penerimaan.csv", 13, "persen", 96.0)]
    assert "harus 100" in issues[0].expected and "baris 2-13" in issues[0].expected


def test_shares_within_tolerance_pass_and_close_at_the_target():
    shares = pd.DataFrame({"satker": "uji", "tahun": 2024, "bulan": range(1, 13),
                           "persen": [100 / 12 + (1e-8 if b == 1 else 0) for b in range(1, 13)]})
    assert revenue.validate_revenue({"trajektori_penerimaan": shares}) == []
    frame = revenue.trajectory(shares, 2024, 1_000_000)
    assert frame["target_kumulatif"].iloc[-1] == pytest.approx(1_000_000, abs=1e-6)


def test_negative_target_in_memory():
    targets = pd.DataFrame([["uji", 2024, "bea_masuk", "KEP-1", date(2024, 1, 2), -5.0, "target_penerimaan.csv", 4]],
                           columns=["satker", "tahun", "jenis", "dasar_hukum", "tanggal", "target", "_file", "_line"])
    issues = revenue.validate_revenue({"target_penerimaan": targets})
    assert [(i.file, i.row, i.column, i.value) for i in issues] == [("target_penerimaan.csv", 4, "target", -5.0)]


# --------------------------------------------------------------------------- narrative
def test_paragraphs_annual(summary):
    text = " ".join(revenue_paragraphs(summary))
    for part in ("Rp2.035.400.114.000", "109,16%", "KEP-273/BC/2024", "target awal sebesar Rp2.074.191.914.000",
                 "naik 23,41%", "Bea Masuk naik 5,25%", "Cukai turun 29,97%", "Pertamina Patra Niaga"):
        assert part in text
    assert "Proyeksi" not in text


def test_paragraphs_quarter_name_the_projection(summary_q3):
    text = " ".join(revenue_paragraphs(summary_q3))
    assert "KEP-17/BC/2024" in text and "merevisi" not in text
    assert summary_q3.proyeksi_metode in text


def revenue_paragraphs(s):
    from lakin.present.narrative.revenue import paragraphs

    return paragraphs(s, "KPPBC TMP B Balikpapan")


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
# --------------------------------------------------------------------------- charts
@pytest.mark.parametrize("name", ["cumulative_chart", "monthly_chart", "year_on_year_chart", "contributors_chart"])
def test_charts_render_in_indonesian(summary_q3, name):
    from lakin.present.charts import revenue as charts
    from lakin.present.charts import to_png

    chart = getattr(charts, name)(summary_q3)
    if name == "year_on_year_chart" and summary_q3.per_jenis["realisasi_sebelumnya"].isna().all():
        assert chart is None  # no 2023 data: nothing to compare, no chart
        return
    png = to_png(chart, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    spec = json.dumps(chart.to_dict())
    assert "miliar" in spec
    if name != "year_on_year_chart":
        assert "Januari" in spec and json.dumps(BULAN) in spec  # month names, in calendar order
        assert "January" not in spec
    if name in ("cumulative", "monthly"):
        assert "Proyeksi" in spec
    if name == "contributors":
        assert "Lainnya" in spec
