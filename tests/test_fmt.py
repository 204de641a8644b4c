"""Indonesian formatting through Babel and num2words; rounding half away from zero."""

import pytest

from lakin import values as fmt  # the formatters of a single value (lakin.values)
from lakin.values import round_half_up


@pytest.mark.parametrize("value, digits, expected", [
    (118.315, 2, 118.32), (2.675, 2, 2.68), (-1.005, 2, -1.01), (109.155, 2, 109.16), (0.5, 0, 1.0), (-0.5, 0, -1.0),
    (118.3157, 2, 118.32), (73.632597, 2, 73.63),
])
def test_round_half_away_from_zero(value, digits, expected):
    assert round_half_up(value, digits) == expected


@pytest.mark.parametrize("fn, value, expected", [
    (fmt.angka, 118.3157, "118,32"),
    (fmt.angka, 1864599.5, "1.864.599,50"),
    (fmt.persen, 109.16, "109,16%"),
    (fmt.rupiah, 6173055000, "Rp6.173.055.000"),
    (fmt.rupiah, -1000, "-Rp1.000"),
    (fmt.ribuan, 1460129563, "1.460.129.563"),
    (fmt.rupiah_singkat, 2035400114000, "Rp2.035,40 miliar"),
    (fmt.rupiah_singkat, 191600384150, "Rp191,60 miliar"),
    (fmt.indeks, 120.0, "120,00"),  # indices always carry two decimals (issue 12: "119" beside "116,21")
    (fmt.indeks, 118.9963, "119,00"),
    (fmt.indeks, 115.680473, "115,68"),
    (fmt.poin, 3.6657, "+3,67"),
    (fmt.nama_bulan, 6, "Juni"),
])
def test_formats(fn, value, expected):
    assert fn(value) == expected


def test_na_is_printed_as_na_not_zero():
    assert fmt.angka(float("nan")) == "N/A"
    assert fmt.persen(None) == "N/A"


def test_terbilang_rupiah_seed_003():
    # Seed 003 prints the pagu in words; num2words spells "miliar" (the seed's "milyar" is a variant spelling).
    assert fmt.terbilang_rupiah(6173055000) == "enam miliar seratus tujuh puluh tiga juta lima puluh lima ribu rupiah"


def test_same_decimals_pads_a_column_to_its_most_precise_cell_and_changes_no_value():
    """'a column mixes 120, 115,68, 74,50' (issue 16): every surface prints a column with one number of decimals."""
    import pandas as pd

    from lakin.present.fmt import same_decimals

    frame = pd.DataFrame({"No": [1, 2, 3], "Target": ["84,50", "82", "6%"], "Kode": ["1a-N", "2", "x"],
                          "Pagu": ["Rp1.000", "N/A", "-"], "Persen": ["57,67%", "98%", "1,5 %"]})
    out = same_decimals(frame)
    assert list(out["Target"]) == ["84,50", "82,00", "6,00%"]
    assert list(out["Persen"]) == ["57,67%", "98,00%", "1,50 %"]
    assert list(out["Kode"]) == ["1a-N", "2", "x"] and list(out["Pagu"]) == ["Rp1.000", "N/A", "-"]
    assert list(out["No"]) == [1, 2, 3] and list(frame["Target"]) == ["84,50", "82", "6%"]  # input untouched
