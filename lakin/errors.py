"""Every exception lakin raises on purpose, each carrying the fields a user needs to fix the cause."""

from __future__ import annotations

import errno as codes
from dataclasses import dataclass, field
from pathlib import Path


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
    """A render engine failed; the previous report, if any, is left untouched.

    Fields a caller may inspect: the chapter `notebook` and `cell_index`, the cell's `ename`/`evalue`, unsafe HTML
    `problems`, the engine `command` and its `stderr`, the `formats` (or one `format`) not produced, the `engine`.
    """

    def __init__(self, message: str, *, notebook: str | None = None, cell_index: int | None = None,
                 ename: str | None = None, evalue: str | None = None, problems: list[str] | None = None,
                 command: list[str] | None = None, stderr: str | None = None, formats: list[str] | None = None,
                 format: str | None = None, engine: str | None = None):
        super().__init__(message)
        self.notebook, self.cell_index, self.ename, self.evalue = notebook, cell_index, ename, evalue
        self.problems, self.command, self.stderr = problems, command, stderr
        self.formats, self.format, self.engine = formats, format, engine


class EngineUnavailableError(LakinError):
    """A requested render engine is not installed on this machine."""


class ReportLockedError(LakinError):
    """Another process is building the same report (it holds the report folder's lock)."""

    def __init__(self, folder: str, pid: int | None, lock: str):
        self.folder, self.pid, self.lock = folder, pid, lock
        holder = f"proses {pid}" if pid else "proses lain"
        super().__init__(f"Laporan {folder} sedang dibangun oleh {holder} (kunci {lock}); "
                         "tunggu sampai selesai lalu jalankan lagi")


class FileSystemError(LakinError):
    """An operating-system error on a path lakin reads or writes (permission, not a folder, disk full...)."""

    def __init__(self, path: str, reason: str, errno: int | None = None, action: str = ""):
        self.path, self.reason, self.errno, self.action = path, reason, errno, action
        what = f" saat {action}" if action else ""
        super().__init__(f"Galat berkas{what}: {path}: {reason}")

    @classmethod
    def from_os(cls, exc: OSError, action: str = "") -> "FileSystemError":
        """The Indonesian message of an OSError, naming the path it happened on."""
        reasons = {codes.EACCES: "izin ditolak (periksa hak tulis/baca)", codes.EPERM: "izin ditolak",
                   codes.ENOENT: "tidak ditemukan", codes.ENOTDIR: "bukan folder (atau salah satu induknya bukan folder)",
                   codes.EISDIR: "adalah folder, bukan berkas", codes.ENOSPC: "disk penuh (kosongkan ruang lalu ulangi)",
                   codes.EROFS: "sistem berkas hanya-baca", codes.EEXIST: "sudah ada",
                   codes.ENAMETOOLONG: "nama terlalu panjang", codes.EDQUOT: "kuota disk habis"}
        reason = reasons.get(exc.errno, exc.strerror or type(exc).__name__)
        if exc.errno == codes.EEXIST and exc.filename is not None:
            if not Path(exc.filename).is_dir():
                reason = "sudah ada sebagai berkas, padahal diperlukan folder"
        path = exc.filename if exc.filename is not None else "(path tidak diketahui)"
        if exc.filename2 is not None:
            path = f"{path} -> {exc.filename2}"
        return cls(str(path), reason, exc.errno, action)


class UsageError(LakinError):
    """The command line was malformed: unknown command or option, missing argument, bad option value."""

    def __init__(self, message: str, hint: str = ""):
        self.hint = hint
        super().__init__(message + (f"\n{hint}" if hint else ""))


class InputTooLargeError(LakinError):
    """An input file is larger than lakin reads (see lakin.data.params.MAX_PARAMS_BYTES and data/README.md)."""

    def __init__(self, path: str, size: int, limit: int):
        self.path, self.size, self.limit = path, size, limit
        super().__init__(f"{path}: berkas terlalu besar ({size:,} byte); batas {limit:,} byte".replace(",", "."))


class UnknownFigureError(LakinError):
    """A name that is no figure of the report model (lakin.model.report_model)."""

    def __init__(self, name: str, known: list[str] | None = None):
        self.name = name
        hint = ""
        if known:
            close = [k for k in known if k.split(".")[0] == name.split(".")[0]][:8]
            hint = f" (contoh nama yang ada: {', '.join(close or known[:8])})"
        super().__init__(f"angka '{name}' tidak dikenal dalam model laporan{hint}")


class NarasiReferenceError(LakinError):
    """An analysts' text refers to a figure the report model does not have, or writes a malformed reference."""

    def __init__(self, file: str, line: int, reference: str, reason: str):
        self.file, self.line, self.reference, self.reason = file, line, reference, reason
        super().__init__(f"{file}, baris {line}: rujukan '{{{{ {reference} }}}}' {reason}")


class FrameworkFileError(FrameworkError):
    """A framework file broke the framework format; carries the file and every problem (key, value, expectation)."""

    def __init__(self, file: str, problems: list):
        self.file, self.problems = file, list(problems)
        lines = [f"Berkas kerangka {file} tidak valid ({len(self.problems)} masalah):"]
        lines += [f"  - {p.describe()}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... dan {len(self.problems) - 50} masalah lain")
        super().__init__("\n".join(lines))


class IncompleteReportError(LakinError):
    """A final report (--strict) lacks elements its outline requires; carries satker, period and every gap."""

    def __init__(self, satker: str, periode: str, gaps: list[str]):
        self.satker, self.periode, self.gaps = satker, periode, list(gaps)
        lines = [f"Laporan {satker} {periode} belum lengkap: {len(self.gaps)} unsur wajib belum diisi "
                 "(daftar lengkap di dokumen reviu):"]
        lines += [f"  - {g}" for g in self.gaps[:30]]
        if len(self.gaps) > 30:
            lines.append(f"  ... dan {len(self.gaps) - 30} lainnya")
        super().__init__("\n".join(lines))


class ProseFindingsError(LakinError):
    """A final report (--strict) whose analysts' text states numbers the report model contradicts or lacks."""

    def __init__(self, satker: str, periode: str, findings: list[str]):
        self.satker, self.periode, self.findings = satker, periode, list(findings)
        lines = [f"Laporan {satker} {periode} tidak dibangun (--strict): {len(self.findings)} angka dalam teks "
                 "analis tidak sesuai dengan data. Tulis angka sebagai rujukan {{ nama }}:"]
        lines += [f"  - {f}" for f in self.findings[:30]]
        if len(self.findings) > 30:
            lines.append(f"  ... dan {len(self.findings) - 30} lainnya")
        super().__init__("\n".join(lines))


class BatchError(LakinError):
    """A batch cannot start: nothing to build, a bad option, or another batch is using the reports directory."""


class SynthError(LakinError):
    """Synthetic data cannot be written where or as asked."""


class WarmKernelError(RuntimeError):
    """The warm kernel could not be started or reset (the next run starts a new one)."""


class KernelAbortedError(Exception):
    """The warm kernel answered 'aborted' (it was still discarding requests after an error); retried once."""


class FolderLocked(Exception):
    """Raised by `atomic.folder_lock` when another process holds the lock (`pid`: the holder, if known)."""

    def __init__(self, lock: Path, pid: int | None):
        super().__init__(str(lock))
        self.lock, self.pid = lock, pid


class CannotRecompute(Exception):
    """A printed figure whose recomputation the data cannot support (inputs N/A, level absent...)."""

    def __init__(self, reason: str, severity: str = "warning"):
        super().__init__(reason)
        self.reason, self.severity = reason, severity


class DuplicateEntryError(Exception):
    """A registry got a second entry under a name it already has (a programming error, not a user's)."""

    def __init__(self, kind: str, name: str):
        super().__init__(f"{kind} {name!r} sudah terdaftar")
        self.kind, self.name = kind, name


class UnknownEntryError(LakinError, KeyError):
    """A name that no entry of a registry has (renderer, figure block, reconciler, ...)."""

    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind, self.name, self.known = kind, name, list(known)
        super().__init__(f"{kind} {name!r} tidak dikenal; yang tersedia: {', '.join(self.known) or '-'}")

    def __str__(self) -> str:
        return self.args[0]

__all__ = [
    "BatchError",
    "CannotRecompute",
    "ChapterFailure",
    "DataIssue",
    "DataValidationError",
    "DuplicateEntryError",
    "EngineUnavailableError",
    "ExecutionError",
    "FileSystemError",
    "FolderLocked",
    "FrameworkError",
    "FrameworkFileError",
    "IncompleteReportError",
    "InputTooLargeError",
    "KernelAbortedError",
    "LakinError",
    "NarasiReferenceError",
    "NoDataError",
    "ParameterError",
    "PeriodError",
    "ProseFindingsError",
    "RenderError",
    "ReportLockedError",
    "SynthError",
    "UnknownEntryError",
    "UnknownFigureError",
    "UnknownSatkerError",
    "UsageError",
    "WarmKernelError",
]
