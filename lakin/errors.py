"""Every exception lakin raises on purpose, each carrying the fields a user needs to fix the cause."""

from __future__ import annotations

from dataclasses import dataclass, field


class LakinError(Exception):
    """Base of all expected lakin failures; the CLI prints these without a traceback."""

    def user_message(self) -> str:
        return str(self)


@dataclass
class DataIssue:
    """One problem found in one cell (or row) of one input table."""

    file: str
    row: int | None  # line number in the file (header is line 1), None for file-level issues
    column: str | None
    value: object
    expected: str
    severity: str = "error"

    def describe(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column:
            parts.append(f"kolom '{self.column}'")
        where = ", ".join(parts)
        value = "" if self.value is None else f": nilai {self.value!r}"
        return f"{where}{value} - {self.expected}"


class DataValidationError(LakinError):
    """Input data broke the data contract; carries every issue found, not only the first."""

    def __init__(self, issues: list[DataIssue]):
        self.issues = list(issues)
        super().__init__(self.user_message())

    def user_message(self) -> str:
        lines = [f"Data tidak valid ({len(self.issues)} masalah):"]
        lines += [f"  - {issue.describe()}" for issue in self.issues[:50]]
        if len(self.issues) > 50:
            lines.append(f"  ... dan {len(self.issues) - 50} masalah lain")
        return "\n".join(lines)


class UnknownSatkerError(LakinError):
    """The requested satker slug is not defined in satker.csv."""

    def __init__(self, satker: str, known: list[str], file: str = "satker.csv"):
        self.satker, self.known, self.file = satker, known, file
        hint = ", ".join(sorted(known)[:10])
        super().__init__(f"Satker '{satker}' tidak ada di {file}. Satker yang tersedia: {hint}")


class PeriodError(LakinError):
    """A report period string is malformed or not supported."""

    def __init__(self, value: str, reason: str):
        self.value, self.reason = value, reason
        super().__init__(f"Periode {value!r} tidak dikenal: {reason}")


class ParameterError(LakinError):
    """Report parameters failed validation before execution."""

    def __init__(self, message: str, key: str | None = None, value: object = None):
        self.key, self.value = key, value
        super().__init__(message)


class FrameworkError(LakinError):
    """A framework file is missing or malformed."""


class NoDataError(LakinError):
    """The data holds nothing for the requested satker and period."""


@dataclass
class ChapterFailure:
    """Where a chapter notebook failed."""

    chapter: str
    notebook: str
    cell_index: int | None
    ename: str
    evalue: str
    source: str = ""
    extra: dict = field(default_factory=dict)


class ExecutionError(LakinError):
    """A chapter notebook failed under papermill; the executed notebook with its error banner is kept."""

    def __init__(self, failure: ChapterFailure):
        self.failure = failure
        cell = "?" if failure.cell_index is None else str(failure.cell_index)
        super().__init__(
            f"Bab '{failure.chapter}' gagal di sel {cell}: {failure.ename}: {failure.evalue}\n"
            f"  Notebook dengan pesan galat disimpan di: {failure.notebook}"
        )


class RenderError(LakinError):
    """A render engine failed; the previous report, if any, is left untouched."""


class EngineUnavailableError(LakinError):
    """A requested render engine is not installed on this machine."""
