"""Report periods and their mapping to data periods."""

import pytest

from lakin.errors import PeriodError
from lakin.rules.frameworks import load_framework
from lakin.data.periods import parse_period


@pytest.mark.parametrize("text, data_period, label", [
    ("2024", "Y", "2024"), ("2024Q4", "Y", "2024"), ("2024Q1", "Q1", "2024Q1"), ("2024Q2", "S1", "2024Q2"),
    ("2024Q3", "SDQ3", "2024Q3"),
])
def test_report_period_maps_to_data_column(text, data_period, label):
    period = parse_period(text)
    assert period.data_period(load_framework("kemenkeu-bsc").periode) == data_period
    assert period.label == label


@pytest.mark.parametrize("bad", ["2024Q7", "2024Q0", "24", "2024-Q1", "", "2024q1x", "../2024"])
def test_malformed_periods_refused(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_cumulative_period_maps_agree():
    from lakin.data.periods import CUMULATIVE_PERIOD, CUMULATIVE_PERIODS, PERIOD_END_MONTH, QUARTER_OF_CUMULATIVE

    assert CUMULATIVE_PERIODS == ("Q1", "S1", "SDQ3", "Y")
    for quarter, periode in CUMULATIVE_PERIOD.items():
        assert QUARTER_OF_CUMULATIVE[periode] == quarter and PERIOD_END_MONTH[periode] == quarter * 3
    assert parse_period("2024Q3").nama == "Triwulan III Tahun 2024"
    assert parse_period("2024Q2").jenis_laporan == "Laporan Kinerja Triwulan II"
