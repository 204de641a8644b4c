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


def test_numbers_are_written_as_babels_format_decimal_writes_them():
    """lakin.values parses the Babel pattern and the locale once; the text is Babel's format_decimal's, id_ID."""
    import random

    from babel.numbers import format_decimal

    rng = random.Random(15)
    values = [0.0, -0.0, 0.005, 2.675, 1e-9, 999.995, 12345678901234.5, -6173055000.0]
    values += [rng.uniform(-1e13, 1e13) for _ in range(300)] + [rng.uniform(-100, 100) for _ in range(300)]
    for value in values:
        for digits in (0, 1, 2, 3):
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            rounded = round_half_up(value, digits)
            assert fmt.angka(value, digits) == format_decimal(rounded, format=pattern, locale="id_ID")
            trimmed = "#,##0" + ("." + "#" * digits if digits else "")
            assert fmt.angka(value, digits, trim=True) == format_decimal(rounded, format=trimmed, locale="id_ID")
        assert fmt.ribuan(value) == format_decimal(round_half_up(value, 0), format="#,##0", locale="id_ID")
    assert fmt.angka(1234.5) == "1.234,50" and fmt.rupiah(-1000) == "-Rp1.000"


def test_a_table_is_written_as_the_pandas_formulation_wrote_it():
    """lakin.present.show.table_markdown loops over the frame's values; the text and the alignment are those of
    the formulation it replaced (astype(str) and str.match per column, iterrows per row), kept here as the
    reference."""
    import numpy as np
    import pandas as pd

    from lakin.present.show import escape_md, table_markdown

    def reference(df):
        lines = ["| " + " | ".join(escape_md(c) for c in df.columns) + " |"]
        aligns = []
        for c in df.columns:
            numeric = df[c].astype(str).str.match(r"^[-+]?(Rp)?[\d.,]+%?$|^N/A$|^-$").all() and len(df) > 0
            aligns.append("---:" if numeric else ":---")
        lines.append("|" + "|".join(aligns) + "|")
        for _, row in df.iterrows():
            lines.append("| " + " | ".join(escape_md(v) for v in row) + " |")
        return "\n".join(lines)

    frames = [
        pd.DataFrame({"No": [1, 2], "Uraian": ["Tahun 2023", "Triwulan I 2024"], "Target": ["84,50", "N/A"],
                      "Pagu": ["Rp1.000", "-"], "Capaian": ["98,00%", "+4,42%"]}),
        pd.DataFrame({"a": [1.5, np.nan], "b": ["x", None]}),  # a missing cell: not a number
        pd.DataFrame({"a": [1, 2], "b": [1.5, 2.5]}),  # one dtype per row: 1 is written 1.0, as iterrows did
        pd.DataFrame({"a": [10**17, 5], "b": [1e-5, 2.0]}),
        pd.DataFrame({"a": []}),
        pd.DataFrame({"a": ["1,5", pd.NA]}, dtype="string"),
        pd.DataFrame({"a": [True, False], "b": ["-", "2%"]}),
        pd.DataFrame({"a": [float("inf"), 1.0]}),
        pd.DataFrame({"x": ["a|b", "*c*"], "y": ["1. x", "- y"], "z": ["<b>", "`k`"]}),
    ]
    for frame in frames:
        assert table_markdown(frame) == reference(frame)
    assert table_markdown(frames[0]).splitlines()[1] == "|---:|:---|---:|---:|---:|"
