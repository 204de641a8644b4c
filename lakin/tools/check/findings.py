"""Findings of `lakin check`: what an auditor should look at, how serious it is, and one run's result."""

from __future__ import annotations

import enum
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from lakin.data.load import FILE_COL, LINE_COL
from lakin.data.schemas import TABLES
from lakin.errors import DataIssue
from lakin.tools.check.precision import is_number
from lakin.values import is_na

__all__ = ["SEVERITIES", "CheckResult", "Finding", "Severity", "issue_findings", "plain"]


class Severity(enum.StrEnum):
    """How serious a finding is (the rules are in the package docstring); the value is what JSON shows."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """The Indonesian label of the annex and the terminal table."""
        return {"error": "Galat", "warning": "Peringatan", "info": "Info"}[self.value]


SEVERITIES = tuple(Severity)


@dataclass(frozen=True)
class Finding:
    """One disagreement or problem: what, where, the printed and the recomputed value, and why."""

    severity: Severity
    rule: str
    satker: str | None
    table: str  # input table, or the angka_dilaporkan `tabel`
    key: str
    printed: object = None
    recomputed: object = None
    source: str | None = None  # the seed table a printed figure came from (sumber)
    message: str = ""
    tahun: int | None = None
    periode: str | None = None
    file: str | None = None
    line: int | None = None
    column: str | None = None

    def as_dict(self) -> dict:
        return {k: plain(v) for k, v in asdict(self).items()}


def plain(value):
    """JSON-safe scalar: NaN/NA -> None, numpy -> Python, infinities as text."""
    if is_na(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value if isinstance(value, (int, float, str, bool)) else str(value)


@dataclass
class CheckResult:
    """Every finding of one `lakin check` run."""

    data_dir: Path
    findings: list[Finding] = field(default_factory=list)

    def by_severity(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def errors(self) -> list[Finding]:
        return self.by_severity(Severity.ERROR)

    @property
    def warnings(self) -> list[Finding]:
        return self.by_severity(Severity.WARNING)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def counts(self) -> dict[str, int]:
        return {s.value: len(self.by_severity(s)) for s in Severity}

    def to_json(self) -> str:
        return json.dumps([f.as_dict() for f in self.findings], ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- loader and validator issues
def issue_findings(tables: dict[str, pd.DataFrame], issues: list[DataIssue], rule: str = "validasi",
                   satker: str | None = None) -> list[Finding]:
    """Loader and validator issues as findings; satker, year and key are taken from the row when it was read."""
    out = []
    rows_by_line: dict[str, dict] = {}  # per table: (file, line) -> the row read there (first one), indexed
    # once: looking each issue up in the whole frame made 300,000 bad rows take hours

    def row_at(table: str, file: str, line: int) -> dict | None:
        if table not in rows_by_line:
            index: dict = {}
            for record in tables[table].to_dict("records"):
                index.setdefault((record[FILE_COL], record[LINE_COL]), record)
            rows_by_line[table] = index
        return rows_by_line[table].get((file, line))

    for issue in issues:
        table = _table_of(issue.file)
        key = f"baris {issue.row}" if issue.row is not None else "berkas"
        unit, tahun = satker, None
        frame = tables.get(table) if table else None
        if frame is not None and issue.row is not None and not frame.empty:
            row = row_at(table, issue.file, issue.row)
            if row is not None:
                if "satker" in row and not is_na(row["satker"]):
                    unit = str(row["satker"])
                if "tahun" in row and not is_na(row["tahun"]):
                    tahun = int(row["tahun"])
                cols = [k for k in TABLES[table].key if k != "satker" and k in row and not is_na(row[k])]
                if cols:
                    key = ", ".join(f"{k}={row[k]}" for k in cols)
        severity = Severity(issue.severity) if issue.severity in SEVERITIES else Severity.ERROR
        out.append(Finding(severity, rule, unit, table or issue.file, key, printed=_issue_value(issue.value),
                           message=issue.describe(), tahun=tahun, file=issue.file, line=issue.row,
                           column=issue.column))
    return out


def _issue_value(value):
    if value is None or is_number(value):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _table_of(label: str) -> str | None:
    path = Path(label)
    for candidate in (path.parts[0] if len(path.parts) > 1 else None, path.stem):
        if candidate in TABLES:
            return candidate
    return None
