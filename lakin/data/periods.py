"""Report periods (2024, 2024Q1..2024Q4) and the data periods (Q1, Q2, S1, Q3, SDQ3, Q4, Y) they map to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lakin.errors import PeriodError

__all__ = [
    "CUMULATIVE_LABELS", "CUMULATIVE_PERIOD", "CUMULATIVE_PERIODS", "DATA_PERIODS", "PERIODS_UP_TO",
    "PERIOD_END_MONTH", "PERIOD_LABELS", "PERIOD_PHRASES", "QUARTERS", "QUARTER_OF_CUMULATIVE", "ROMAN", "ReportPeriod",
    "parse_period",
]

DATA_PERIODS = ("Q1", "Q2", "S1", "Q3", "SDQ3", "Q4", "Y")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
PERIOD_LABELS = {
    "Q1": "Triwulan I",
    "Q2": "Triwulan II",
    "S1": "Semester I",
    "Q3": "Triwulan III",
    "SDQ3": "s.d. Triwulan III",
    "Q4": "Triwulan IV",
    "Y": "Tahunan",
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}  # a quarter as its name writes it: Triwulan III
# Month that closes each data period.
PERIOD_END_MONTH = {"Q1": 3, "Q2": 6, "S1": 6, "Q3": 9, "SDQ3": 9, "Q4": 12, "Y": 12}
# A data period inside a sentence: "pada triwulan I", "pada periode s.d. triwulan III", "pada tahun".
PERIOD_PHRASES = {"Q1": "triwulan I", "Q2": "triwulan II", "S1": "semester I", "Q3": "triwulan III",
                  "SDQ3": "periode s.d. triwulan III", "Q4": "triwulan IV", "Y": "tahun"}
# "Cumulative through the end of" each data period in a sentence: "realisasi s.d. Triwulan I", "s.d. akhir tahun".
CUMULATIVE_LABELS = {"Q1": "Triwulan I", "Q2": "Triwulan II", "S1": "Semester I", "Q3": "Triwulan III",
                     "SDQ3": "Triwulan III", "Q4": "Triwulan IV", "Y": "akhir tahun"}
# The data period holding the cumulative figure at the end of each report quarter (realisasi_anggaran, ikpa, 3a-CP).
CUMULATIVE_PERIOD = {1: "Q1", 2: "S1", 3: "SDQ3", 4: "Y"}
CUMULATIVE_PERIODS = tuple(CUMULATIVE_PERIOD.values())
# The report quarter a cumulative data period closes (Q4 read as the year's last quarter, as Y).
QUARTER_OF_CUMULATIVE = {"Q1": 1, "S1": 2, "SDQ3": 3, "Q4": 4, "Y": 4}
# Data periods shown in a report whose last quarter is q (the per-indicator table columns).
PERIODS_UP_TO = {
    1: ("Q1",),
    2: ("Q1", "Q2", "S1"),
    3: ("Q1", "Q2", "S1", "Q3", "SDQ3"),
    4: ("Q1", "Q2", "S1", "Q3", "SDQ3", "Q4", "Y"),
}

_PATTERN = re.compile(r"^(?P<tahun>\d{4})(?:Q(?P<q>\d))?$")


@dataclass(frozen=True)
class ReportPeriod:
    """A report period: a year, optionally a quarter; 2024 and 2024Q4 are the same annual report."""

    tahun: int
    kuartal: int  # 1..4; 4 for the annual report

    @property
    def is_annual(self) -> bool:
        return self.kuartal == 4

    @property
    def label(self) -> str:
        """Canonical string: '2024' for the annual report, '2024Q1'..'2024Q3' otherwise."""
        return str(self.tahun) if self.is_annual else f"{self.tahun}Q{self.kuartal}"

    @property
    def jenis_laporan(self) -> str:
        return "Laporan Kinerja Tahunan" if self.is_annual else f"Laporan Kinerja Triwulan {ROMAN[self.kuartal]}"

    @property
    def nama(self) -> str:
        """Indonesian name of the period: 'Tahun 2024' or 'Triwulan I Tahun 2024'."""
        if self.is_annual:
            return f"Tahun {self.tahun}"
        return f"Triwulan {ROMAN[self.kuartal]} Tahun {self.tahun}"

    @property
    def end_month(self) -> int:
        return self.kuartal * 3

    @property
    def end_date(self) -> date:
        return {1: date(self.tahun, 3, 31), 2: date(self.tahun, 6, 30),
                3: date(self.tahun, 9, 30), 4: date(self.tahun, 12, 31)}[self.kuartal]

    @property
    def quarter_key(self) -> str:
        return f"Q{self.kuartal}"

    def data_period(self, mapping: dict[str, str]) -> str:
        """The iku_nilai.periode this report reads, per the framework's mapping."""
        return mapping[self.quarter_key]

    def periods_shown(self) -> tuple[str, ...]:
        return PERIODS_UP_TO[self.kuartal]

    def previous_year(self) -> "ReportPeriod":
        return ReportPeriod(self.tahun - 1, self.kuartal)

    def __str__(self) -> str:
        return self.label


def parse_period(value: str) -> ReportPeriod:
    """Parse '2024', '2024Q1'..'2024Q4'; anything else raises PeriodError."""
    text = str(value).strip()
    m = _PATTERN.match(text)
    if not m:
        raise PeriodError(text, "gunakan format TTTT atau TTTTQn, mis. 2024 atau 2024Q1")
    tahun = int(m["tahun"])
    q = m["q"]
    if not 2000 <= tahun <= 2100:
        raise PeriodError(text, "tahun harus di antara 2000 dan 2100")
    if q is None:
        return ReportPeriod(tahun, 4)
    if q not in "1234":
        raise PeriodError(text, "triwulan harus Q1, Q2, Q3 atau Q4")
    return ReportPeriod(tahun, int(q))
