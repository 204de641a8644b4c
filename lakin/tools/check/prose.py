"""Literal numbers in analysts' text checked against the report model: each must be a figure the data computes.

A number written in a narasi block (`128,5`, `23,59%`, `Rp 2.038.481.839.000,-`) is compared with every figure
of the model of the report period the block belongs to, at the precision the text writes it:

- it *matches* when some figure rounds to it (nothing reported);
- it *contradicts* a figure when it does not match, and either the words around it name that figure
  (`Bea Masuk ... tumbuh ... year on year` -> `penerimaan.bea-masuk.yoy`) or it lies within 2% of a figure
  of the same kind (error: the report would state two values for one thing);
- otherwise it *matches no figure* (warning): the analyst writes it as a reference `{{ name }}`, or, for a
  figure the data does not hold, as a quoted literal `{{ "3,674" }}`.

Not figures, never reported: years (1900-2100), numbers that are part of a code or a regulation
(`KMK.01/2022`, `Nomor 8`, `IKU 6`, `SS-1`), list markers (`(1)`, `i)`), scale names (`skala 4`) and
numbers inside `{{ ... }}`. `lakin check` runs this for every unit, year and report period with text;
`lakin build` shows the findings of its own period (`prose_findings_for`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from lakin.data.load import Dataset
from lakin.data.periods import ReportPeriod
from lakin.model.refs import REFERENCE
from lakin.model.refs import check as check_references
from lakin.model.report_model import (
    COMMON_FOLDER,
    QUARTER_FOLDER,
    RUPIAH,
    ReportModel,
    model_from_dataset,
)
from lakin.tools.check.findings import Severity
from lakin.values import round_half_up

__all__ = ["ProseFinding", "check_model", "check_text", "literals", "periods_with_text", "prose_findings",
           "prose_findings_for"]

NUMBER = re.compile(
    r"(?P<rp>Rp\.?\s*)?"
    r"(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
    r"(?P<trail>,-)?"
    r"(?P<pct>\s?%)?")
# Words after which a number is a name or a reference, not a figure.
NOT_AFTER = re.compile(
    r"(?:\b(?:nomor|no\.?|tahun|pasal|ayat|pp|uu|perpres|permen\w*|kmk|pmk|iku|ikm|ss|sk|sasaran|skala|bab|"
    r"lampiran|tabel|gambar|angka|butir|periode|triwulan|semester|tw|q)\s*$)", re.I)
CLOSE_RELATIVE = 0.02
# A number named by the words around it must still be of the figure's size to be called a contradiction.
RATIO = (0.4, 2.5)
MONTH_AFTER = re.compile(r"\s+(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|"
                         r"desember)\b", re.I)

# Words that name each part of a figure's name, looked for near the number.
KATA = {
    "yoy": ("tumbuh", "pertumbuhan", "year on year", "naik", "turun"),
    "realisasi": ("realisasi", "nominal", "membukukan"),
    "target": ("target",),
    "target-tahunan": ("target",),
    "capaian": ("capaian",),
    "indeks": ("indeks",),
    "penerimaan": ("penerimaan",),
    "bea-masuk": ("bea masuk",),
    "bea-keluar": ("bea keluar",),
    "cukai": ("cukai",),
    "pagu": ("pagu",),
    "penyerapan": ("penyerapan", "terserap"),
    "anggaran": ("anggaran",),
    "nko": ("nko", "npss", "nilai kinerja organisasi", "nilai pencapaian sasaran"),
    "perubahan": ("poin", "meningkat", "menurun"),
}
JENIS = ("bea-masuk", "bea-keluar", "cukai")


@dataclass(frozen=True)
class ProseFinding:
    """A literal number of an analysts' block that the model does not support."""

    severity: Severity  # error (contradicts a figure) | warning (matches no figure)
    satker: str
    periode: str  # report period label, e.g. 2024 or 2024Q1
    file: str
    line: int
    literal: str
    value: float
    figure: str | None = None  # the figure it contradicts
    figure_value: float | None = None
    figure_text: str | None = None
    reason: str | None = None  # a reference problem (unknown name, malformed {{ }}), instead of a number

    @property
    def message(self) -> str:
        if self.reason:
            return self.reason
        if self.figure:
            return (f"angka '{self.literal}' dalam teks bertentangan dengan {self.figure} = {self.figure_text} "
                    f"menurut data; tulis {{{{ {self.figure} }}}}")
        return (f"angka '{self.literal}' dalam teks tidak sesuai dengan angka mana pun dalam model laporan "
                f"{self.periode}; tulis sebagai rujukan {{{{ nama }}}} atau, jika data tidak memuatnya, "
                f"sebagai {{{{ \"{self.literal.strip()}\" }}}}")

    def describe(self) -> str:
        """One line for the analyst: where, and what to do."""
        return f"{self.severity.label}: {self.file}, baris {self.line}: {self.message}"


@dataclass(frozen=True)
class Literal:
    line: int
    start: int
    end: int
    text: str
    value: float
    decimals: int
    rupiah: bool
    persen: bool


def _mask_references(text: str) -> str:
    return REFERENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def literals(text: str) -> list[Literal]:
    """Every literal number of a text that can be a figure (see the module docstring for what is skipped)."""
    text = _mask_references(text)
    out = []
    for m in NUMBER.finditer(text):
        start, end = m.start("num"), m.end("num")
        anchor = m.start() if m.group("rp") else start  # "Rp2.035.400.114.000": what stands before "Rp"
        before = text[max(0, anchor - 1):anchor]
        after = text[end:end + 2]
        if before and (before.isalnum() or before in "./-_"):
            continue
        if after[:1] and (after[:1].isalpha() or after[:1] in "/-_"):
            continue
        if after[:1] in ".," and after[1:2].isdigit():
            continue
        raw = m.group("num")
        rp, pct = bool(m.group("rp")), bool(m.group("pct"))
        line_start = text.rfind("\n", 0, start) + 1
        prefix = text[line_start:m.start()]
        if not rp and NOT_AFTER.search(prefix[-20:]):
            continue
        if not rp and not pct and re.fullmatch(r"\(?", prefix.strip()) and re.match(r"[).]", after):
            continue  # list marker at the start of a line: (1) 1. 1)
        if not rp and not pct and before == "(" and after[:1] == ")":
            continue  # (1) inside a sentence
        value = float(raw.replace(".", "").replace(",", "."))
        decimals = len(raw.split(",")[1]) if "," in raw else 0
        if not rp and not pct and decimals == 0 and 1900 <= value <= 2100:
            continue  # a year
        if not rp and not pct and decimals == 0 and MONTH_AFTER.match(text, end):
            continue  # a day of a date: 31 Desember
        out.append(Literal(text.count("\n", 0, start) + 1, m.start(), m.end(), m.group(0).strip(), value,
                           decimals, rp or ("." in raw and value >= 1e6), pct))
    return out


def _numeric(fig) -> float | None:
    v = fig.value
    if v is None or isinstance(v, (str, bool)):
        return None
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _matches(lit: Literal, value: float) -> bool:
    return round_half_up(value, lit.decimals) == round_half_up(lit.value, lit.decimals)


def _hits(name: str, window: str, tahun: int) -> int:
    parts = name.split(".")
    score = 0
    for part in parts:
        words = KATA.get(part, ())
        if part == "sebelumnya":
            words = (str(tahun - 1),)
        if any(w in window for w in words):
            score += 1
    has_jenis = any(any(w in window for w in KATA[j]) for j in JENIS)
    if "total" in parts and "penerimaan" in window and not has_jenis:
        score += 1
    return score


def _same_size(a: float, b: float) -> bool:
    if a == 0 or b == 0 or (a < 0) != (b < 0):
        return False
    return RATIO[0] <= a / b <= RATIO[1]


def _suspect(lit: Literal, text: str, candidates: list[tuple[str, float, object]], tahun: int, own: str | None):
    """The figure a non-matching literal most plausibly states, or None."""
    line_start = text.rfind("\n", 0, lit.start) + 1
    line_end = text.find("\n", lit.end)
    line_end = len(text) if line_end == -1 else line_end
    window = text[max(line_start, lit.start - 150):min(line_end, lit.end + 40)].lower()
    scored = []
    for name, value, fig in candidates:
        words = _hits(name, window, tahun)
        own_bonus = 1 if own and name.startswith(own) else 0
        scored.append((words, words + own_bonus, name, value, fig))
    close = [x for x in scored if x[0] >= 1 and x[3] and abs(x[3] - lit.value) <= CLOSE_RELATIVE * abs(x[3])]
    if close:
        return max(close, key=lambda x: (x[1], -abs(x[3] - lit.value)))[2:]
    named = [x for x in scored if x[1] >= 2 and x[0] >= 1 and _same_size(lit.value, x[3])]
    if named:
        best = max(x[1] for x in named)
        return min((x for x in named if x[1] == best), key=lambda x: abs(x[3] - lit.value))[2:]
    return None


def check_text(model: ReportModel, text: str, file: str, block: str = "") -> list[ProseFinding]:
    """Findings for one block of text against one model."""
    money = [(n, v, f) for n, f in model.figures.items() if f.kind == RUPIAH and (v := _numeric(f)) is not None]
    other = [(n, v, f) for n, f in model.figures.items() if f.kind != RUPIAH and (v := _numeric(f)) is not None]
    own = None
    if block.startswith("iku-"):
        own = "iku." + block.removeprefix("iku-").removesuffix(".md") + "."
    masked = _mask_references(text)
    out = []
    for lit in literals(text):
        pool = money if lit.rupiah else other
        if any(_matches(lit, v) for _, v, _ in pool):
            continue
        hit = _suspect(lit, masked, pool, model.period.tahun, own)
        if hit is not None:
            name, value, fig = hit
            out.append(ProseFinding(Severity.ERROR, model.satker, model.period.label, file, lit.line, lit.text,
                                    lit.value, name, value, fig.text()))
        else:
            out.append(ProseFinding(Severity.WARNING, model.satker, model.period.label, file, lit.line, lit.text,
                                    lit.value))
    return out


def check_model(model: ReportModel) -> list[ProseFinding]:
    """Findings for every analysts' block that applies to the model's report period."""
    out = []
    for name, text in sorted(model.narasi.items()):
        file = model.narasi_files.get(name, name)
        for problem in check_references(text, model.figures, file):
            out.append(ProseFinding(Severity.ERROR, model.satker, model.period.label, file, problem.line,
                                    problem.reference, math.nan, reason=str(problem)))
        out.extend(check_text(model, text, file, name))
    return out


def periods_with_text(data_dir: Path, satker: str, tahun: int) -> list[ReportPeriod]:
    """The report periods of a year whose own analysts' text exists (annual: files in <tahun>/ or umum/)."""
    year = Path(data_dir) / "narasi" / satker / str(tahun)
    out = []
    if year.is_dir() and (any(p.suffix == ".md" for p in year.iterdir() if p.is_file())
                          or (year / COMMON_FOLDER).is_dir()):
        out.append(ReportPeriod(tahun, 4))
    for q, folder in QUARTER_FOLDER.items():
        if (year / folder).is_dir():
            out.append(ReportPeriod(tahun, q))
    return out


def prose_findings(ds: Dataset, satker: str, tahun: int | None = None,
                   models: dict[str, ReportModel] | None = None) -> list[ProseFinding]:
    """Findings for every year (or one) and report period of a unit that has analysts' text (`models`: report
    models of this dataset already computed, by period label)."""
    root = Path(ds.data_dir) / "narasi" / satker
    if not root.is_dir():
        return []
    years = ([tahun] if tahun is not None
             else sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()))
    out: list[ProseFinding] = []
    for year in years:
        for period in periods_with_text(ds.data_dir, satker, year):
            model = (models or {}).get(period.label) or model_from_dataset(ds, satker, period)
            out.extend(check_model(model))
    return out


def prose_findings_for(model: ReportModel) -> list[ProseFinding]:
    """What `lakin build` shows the analyst for the report it builds (and `--strict` refuses when not empty)."""
    return check_model(model)

