"""Validation and reconciliation (`lakin check`): every table checked, every printed figure recomputed.

A `Finding` is one thing an auditor should look at. Severity rules (also in data/README.md, section "lakin check"):

- error: the data breaks the contract (a cell, a header, a file, a reference, a duplicate key); a
  cross-table rule fails (trajectory shares not summing to 100, RPD not summing to the pagu beyond
  the rounding of its printed cells, realisation above pagu - the revenue and budget rules are
  lakin.rules.revenue.validate_revenue and lakin.rules.budget.validate_budget); or a printed *derived* figure (an
  index, a score, a change, a total, a percentage) differs from the value recomputed from the data
  after rounding half away from zero to the precision it was printed with.
- warning: a printed *input* figure (a target, a realisation, an amount the data keeps as a row)
  differs from the value the data keeps - two printed tables disagree and the data follows the more
  detailed one; a printed figure the data cannot support (an index printed where target and
  realisation are N/A, a percentage of a zero pagu, a contributor not in the data); a consolidated
  period (S1, SDQ3, Y) given in the data that contradicts its quarters under the indicator's
  konsolidasi rule (the given value is used, as the contract says); a total row that differs from
  the sum of its parts (the report uses the total; RPD printed in thousands is off by Rp1.000).
- info: printed figures that are not reconciled (their `tabel` has no recompute function, the data
  is not itemised at the printed key, or a published score whose year has no indicator detail),
  rules skipped because an input table is invalid, and one summary per satker.

`check()` returns a CheckResult; its exit code is 1 when there is an error, else 0. Failures that stop
the check before any table can be read (missing data directory, malformed --satker) are raised as
LakinError, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from lakin.tools.check_prose import prose_findings
from lakin.data.load import FILE_COL, LINE_COL, Dataset, collect
from lakin.errors import CannotRecompute, DataIssue, LakinError, ParameterError
from lakin.present.fmt import angka, ribuan
from lakin.values import is_na, round_half_up
from lakin.rules.frameworks import Framework, load_framework
from lakin.data.periods import DATA_PERIODS, ReportPeriod
from lakin.data.schemas import TABLES

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABEL = {"error": "Galat", "warning": "Peringatan", "info": "Info"}


# --------------------------------------------------------------------------- findings
@dataclass(frozen=True)
class Finding:
    """One disagreement or problem: what, where, the printed and the recomputed value, and why."""

    severity: str  # error | warning | info
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
        return {k: _plain(v) for k, v in asdict(self).items()}


def _plain(value):
    """JSON-safe scalar: NaN/NA -> None, numpy -> Python."""
    if value is None or is_na(value):
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

    def by_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def errors(self) -> list[Finding]:
        return self.by_severity("error")

    @property
    def warnings(self) -> list[Finding]:
        return self.by_severity("warning")

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def counts(self) -> dict[str, int]:
        return {s: len(self.by_severity(s)) for s in SEVERITIES}

    def to_json(self) -> str:
        return json.dumps([f.as_dict() for f in self.findings], ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class Recomputed:
    """A recomputed value whose kind differs from its reconciler's default (e.g. a stored amount vs a total)."""

    value: float
    kind: str | None = None


# --------------------------------------------------------------------------- precision of printed figures
def printed_digits(value: float, satuan: str = "angka") -> int:
    """Decimal digits a stored printed figure carries (116.21 -> 2, 120 -> 0).

    Rupiah figures are whole numbers; their trailing zeros give the precision they were printed with
    (a table in thousands, 'Rp2.035 miliar'), so 6832819000 -> -3 and 126600000000 -> -8.
    """
    v = float(value)
    if satuan == "rupiah" and v.is_integer():
        if v == 0:
            return 0
        n, digits = abs(int(v)), 0
        while n % 10 == 0:
            n //= 10
            digits -= 1
        return digits
    for digits in range(7):
        if abs(round_half_up(v, digits) - v) <= 1e-9 * max(1.0, abs(v)):
            return digits
    return 6


def agrees(printed: float, recomputed: float, satuan: str = "angka") -> bool:
    """True when the recomputed value, rounded half away from zero to the printed precision, is the printed one."""
    digits = printed_digits(printed, satuan)
    step = 10.0 ** (-digits)
    if abs(round_half_up(float(recomputed), digits) - float(printed)) < step * 1e-6:
        return True
    # values stored with 12 significant digits (trajectory shares) reproduce a printed figure to ~1e-12
    return abs(float(recomputed) - float(printed)) <= 1e-11 * max(1.0, abs(float(printed)))


INDEX_HALF_STEP = 0.005  # indices are printed with two decimals


def rounding_interval(value, satuan: str = "angka") -> tuple[float, float]:
    """The values that print as `value`: +/- half a unit of its last printed digit.

    A whole number is taken as printed with two decimals (a target of 100 is 100,00, not anything in 99,5..100,5).
    """
    v = float(value)
    digits = printed_digits(v, satuan)
    if digits <= 0 and satuan != "rupiah":
        digits = 2
    half = 0.5 * 10.0 ** (-digits)
    return v - half, v + half


def indicator_interval(row: dict, ind: dict, framework, periode: str) -> tuple[float, float]:
    """(low, high) of an indicator's index over its target and realisation anywhere within their printed rounding."""
    from itertools import product

    from lakin.rules.scoring import indicator_index

    value = row.get("capaian")
    if is_na(value):
        return value, value
    aturan = ind.get("aturan_capaian") if ind else None
    aturan = None if is_na(aturan) or not aturan else aturan

    def corners(v):
        return (None,) if is_na(v) else (*rounding_interval(v), float(v))

    results = []
    for t, r, lo, hi in product(corners(row.get("target")), corners(row.get("realisasi")),
                                corners(row.get("target_bawah")), corners(row.get("target_atas"))):
        if r is None:
            continue
        index, _ = indicator_index(t, r, row["polaritas"], framework, periode, aturan, target_bawah=lo, target_atas=hi)
        if not is_na(index):
            results.append(index)
    results.append(float(value))
    return min(results), max(results)


def within_input_rounding(printed: float, low: float, high: float, satuan: str = "angka") -> bool:
    """True when some value in [low, high] prints as `printed` (its rounding interval meets [low, high])."""
    p_lo, p_hi = rounding_interval(printed, satuan)
    return not (high < p_lo - 1e-12 or low > p_hi + 1e-12)


# --------------------------------------------------------------------------- per-satker context
@dataclass
class Printed:
    """One printed figure to reconcile (a row of angka_dilaporkan, or a capaian_dilaporkan cell)."""

    satker: str
    tahun: int
    periode: str
    tabel: str
    kunci: str
    nilai: float
    sumber: str | None
    file: str | None
    line: int | None

    @property
    def keys(self) -> dict[str, str]:
        return parse_kunci(self.kunci)[0]

    @property
    def flags(self) -> set[str]:
        return parse_kunci(self.kunci)[1]


def parse_kunci(kunci: str) -> tuple[dict[str, str], set[str]]:
    """'jenis=cukai;bulan=12;bruto' -> ({'jenis': 'cukai', 'bulan': '12'}, {'bruto'})."""
    keys, flags = {}, set()
    for part in str(kunci).split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            k, v = part.split("=", 1)
            keys[k.strip()] = v.strip()
        else:
            flags.add(part)
    return keys, flags


@dataclass
class SatkerContext:
    """One unit's tables and framework, with the scoring of each (year, data period) computed once."""

    satker: str
    tables: dict[str, pd.DataFrame]
    framework: Framework | None
    invalid: frozenset
    tahun: int | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def year(self, name: str, tahun: int) -> pd.DataFrame:
        df = self.tables[name]
        return df[df["tahun"] == tahun]

    def scored(self, tahun: int, periode: str):
        """(indicators, levels, overall) of one year and data period, at full precision."""
        from lakin.rules.scoring import aggregate_levels, score_indicators, unit_framework

        if self.framework is None:
            raise CannotRecompute("kerangka satker tidak dikenal")
        if periode not in DATA_PERIODS:
            raise CannotRecompute(f"periode {periode} bukan periode data IKU ({', '.join(DATA_PERIODS)})")
        def compute():
            iku, nilai = self.year("iku", tahun), self.year("iku_nilai", tahun)
            if iku.empty:
                return None
            framework = unit_framework(self.framework, self.tables, tahun)
            ind = score_indicators(iku, nilai, framework, periode)
            levels, overall = aggregate_levels(ind, framework)
            return ind, levels, overall

        scored = self.memo(("scored", tahun, periode), compute)
        if scored is None:
            raise CannotRecompute(f"tidak ada indikator tahun {tahun} di iku.csv", severity="info")
        return scored

    def bounds(self, tahun: int, periode: str):
        """(indicators, levels, overall) as (low, high) intervals: every value the figures can take when each
        target and realisation is anywhere within the rounding of its printed value, and each level is
        aggregated from indicator indices printed at two decimals (interval arithmetic; every aggregation
        and the clamp are monotone in each of their inputs)."""
        from lakin.rules.scoring import aggregate_levels, unit_framework

        def compute():
            ind, _, _ = self.scored(tahun, periode)
            framework = unit_framework(self.framework, self.tables, tahun)
            iku = {r["kode"]: r for r in _rows(self.year("iku", tahun))}
            lows, highs = [], []
            for r in _rows(ind):
                lo, hi = indicator_interval(r, iku.get(r["kode"], {}), framework, periode)
                lows.append(lo)
                highs.append(hi)
            out = {}
            for side, values, widen in (("lo", lows, -INDEX_HALF_STEP), ("hi", highs, INDEX_HALF_STEP)):
                frame = ind.assign(capaian=[v + widen if not is_na(v) else v for v in values])
                levels, overall = aggregate_levels(frame, framework)
                out[side] = (dict(zip(ind["kode"], values)), levels, overall)
            return out

        return self.memo(("bounds", tahun, periode), compute)

    def indicator(self, tahun: int, periode: str, kode: str) -> pd.Series:
        def rows():
            ind, _, _ = self.scored(tahun, periode)
            return {r["kode"]: r for _, r in ind.iterrows()}
        by_kode = self.memo(("indicator", tahun, periode), rows)
        if kode not in by_kode:
            raise CannotRecompute(f"indikator {kode} tidak ada di iku.csv tahun {tahun}")
        return by_kode[kode]

    def memo(self, key: tuple, compute: Callable):
        """compute() once per key for this unit (recomputations share their intermediate tables)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


# --------------------------------------------------------------------------- reconcilers (registry)
@dataclass(frozen=True)
class Reconciler:
    """How one kind of printed figure (`tabel` of angka_dilaporkan) is recomputed from the data.

    kind 'turunan' (derived: index, score, total, percentage) -> a disagreement is an error;
    kind 'masukan' (an input the data keeps from another printed table) -> a warning.
    """

    tabel: str
    compute: Callable[[SatkerContext, Printed], float]
    kind: str = "turunan"
    satuan: str = "angka"  # angka | rupiah (rupiah: precision from trailing zeros)
    inputs: tuple[str, ...] = ("iku", "iku_nilai")
    doc: str = ""
    # (low, high) the figure can take with its inputs anywhere within their printed rounding; None = not known
    bounds: Callable[[SatkerContext, Printed], tuple[float, float]] | None = None


RECONCILERS: dict[str, Reconciler] = {}


def register(reconciler: Reconciler) -> Reconciler:
    """Add (or replace) the recompute function of one `tabel`."""
    RECONCILERS[reconciler.tabel] = reconciler
    return reconciler


def _need(keys: dict, name: str, printed: Printed) -> str:
    if name not in keys:
        raise CannotRecompute(f"kunci '{printed.kunci}' tidak memuat '{name}='")
    return keys[name]


def _level_index(column: str) -> Callable[[SatkerContext, Printed], float]:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        code = _need(p.keys, column, p)
        _, levels, _ = ctx.scored(p.tahun, p.periode)
        for frame in levels:
            if frame.attrs["level"]["kolom"] != column:
                continue
            hit = frame[frame["kode"].astype(str) == code]
            if hit.empty:
                raise CannotRecompute(f"{column} '{code}' tidak ada di iku.csv tahun {p.tahun}")
            value = hit["indeks"].iloc[0]
            if is_na(value):
                raise CannotRecompute(f"indeks {code} N/A: tidak ada indikator yang dinilai")
            return float(value)
        raise CannotRecompute(f"kerangka {ctx.framework.id} tidak punya tingkat '{column}'")
    return compute


def _indicator_value(column: str) -> Callable[[SatkerContext, Printed], float]:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        row = ctx.indicator(p.tahun, p.periode, _need(p.keys, "kode", p))
        value = row[column]
        if is_na(value):
            reason = row["alasan_na"] or "nilai kosong di iku_nilai"
            raise CannotRecompute(f"{column} {row['kode']} periode {p.periode} N/A ({reason})")
        return float(value)
    return compute


def _indicator_bounds(ctx: SatkerContext, p: Printed) -> tuple[float, float]:
    bounds = ctx.bounds(p.tahun, p.periode)
    kode = _need(p.keys, "kode", p)
    return bounds["lo"][0][kode], bounds["hi"][0][kode]


def _level_bounds(column: str) -> Callable[[SatkerContext, Printed], tuple[float, float]]:
    def compute(ctx: SatkerContext, p: Printed) -> tuple[float, float]:
        code = _need(p.keys, column, p)
        bounds = ctx.bounds(p.tahun, p.periode)
        out = []
        for side in ("lo", "hi"):
            frame = next(f for f in bounds[side][1] if f.attrs["level"]["kolom"] == column)
            out.append(float(frame.loc[frame["kode"].astype(str) == code, "indeks"].iloc[0]))
        return out[0], out[1]
    return compute


def _overall_bounds(ctx: SatkerContext, p: Printed) -> tuple[float, float]:
    bounds = ctx.bounds(p.tahun, p.periode)
    return bounds["lo"][2], bounds["hi"][2]


def _overall(ctx: SatkerContext, p: Printed) -> float:
    _, _, overall = ctx.scored(p.tahun, p.periode)
    if is_na(overall):
        raise CannotRecompute("nilai organisasi N/A: tidak ada indikator yang dinilai")
    return float(overall)


def _overall_change(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules.scoring import overall_for

    now = _overall(ctx, p)
    quarter = next((q for q, d in ctx.framework.periode.items() if d == p.periode), None)
    if quarter is None:
        raise CannotRecompute(f"periode {p.periode} tidak dipetakan ke periode laporan")
    previous, _ = overall_for(ctx.tables, ctx.framework, ReportPeriod(p.tahun - 1, int(quarter[1])))
    if previous is None or is_na(previous):
        raise CannotRecompute(f"nilai organisasi {p.tahun - 1} tidak ada di data")
    return now - float(previous)


def _share_of_annual_target(ctx: SatkerContext, p: Printed) -> float:
    """Realisation of the period as a percentage of the annual (Y) target, unclamped."""
    kode = _need(p.keys, "kode", p)
    nilai = ctx.year("iku_nilai", p.tahun)
    now = nilai[(nilai["kode"] == kode) & (nilai["periode"] == p.periode)]
    year = nilai[(nilai["kode"] == kode) & (nilai["periode"] == "Y")]
    if now.empty or year.empty or is_na(now["realisasi"].iloc[0]) or is_na(year["target"].iloc[0]):
        raise CannotRecompute(f"realisasi {p.periode} atau target tahunan {kode} tidak ada")
    target = float(year["target"].iloc[0])
    if target == 0:
        raise CannotRecompute(f"target tahunan {kode} = 0")
    return float(now["realisasi"].iloc[0]) / target * 100.0


def _target_at_period(ctx: SatkerContext, p: Printed) -> float:
    return _indicator_value("target")(ctx, p)


# --------------------------------------------------------------------------- reading helpers
def _rows(df: pd.DataFrame) -> Iterable[dict]:
    return df.to_dict("records")


def _where(row: dict) -> dict:
    return {"file": row.get(FILE_COL), "line": _int_or_none(row.get(LINE_COL))}


def _int_or_none(value) -> int | None:
    return None if value is None or is_na(value) else int(value)


def _num(value) -> float | None:
    return None if value is None or is_na(value) else float(value)


def _fmt(value, satuan: str = "angka", digits: int | None = None) -> str:
    """A number as Indonesian display text at the precision it is compared with."""
    if value is None or is_na(value):
        return "N/A"
    if isinstance(value, str):
        return value
    v = float(value)
    if satuan == "rupiah":
        return ribuan(v)
    if digits is None:
        digits = printed_digits(v)
    return angka(v, max(0, digits))


# --------------------------------------------------------------------------- loader issues
def _issue_findings(tables: dict[str, pd.DataFrame], issues: list[DataIssue], rule: str = "validasi",
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
        out.append(Finding(issue.severity if issue.severity in SEVERITIES else "error", rule, unit,
                           table or issue.file, key, printed=_issue_value(issue.value),
                           message=issue.describe(), tahun=tahun, file=issue.file, line=issue.row,
                           column=issue.column))
    return out


def _issue_value(value):
    if value is None or _is_number(value):
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


# --------------------------------------------------------------------------- cross-table rules
def rule_konsolidasi(ctx: SatkerContext) -> list[Finding]:
    """A given S1/SDQ3/Y must follow from its quarters under the indicator's konsolidasi rule."""
    if ctx.framework is None or {"iku", "iku_nilai"} & ctx.invalid:
        return []
    out = []
    iku, nilai = ctx.tables["iku"], ctx.tables["iku_nilai"]
    rules = {(r["tahun"], r["kode"]): r["konsolidasi"] for r in _rows(iku)}
    for (tahun, kode), group in nilai.groupby(["tahun", "kode"], sort=False):
        rule = rules.get((tahun, kode))
        if rule is None or (ctx.tahun is not None and tahun != ctx.tahun):
            continue
        by_period = {r["periode"]: r for r in _rows(group)}
        for target_period, quarters in ctx.framework.konsolidasi_periode.items():
            given = by_period.get(target_period)
            if given is None:
                continue
            for col in ("target", "realisasi"):
                value = _num(given.get(col))
                parts = [_num(by_period.get(q, {}).get(col)) for q in quarters]
                if value is None or any(v is None for v in parts):
                    continue
                expected = {"tlkv": parts[-1], "sum": sum(parts), "average": sum(parts) / len(parts)}[rule]
                if agrees(value, expected):
                    continue
                formula = {"tlkv": quarters[-1], "sum": " + ".join(quarters),
                           "average": f"rata-rata {', '.join(quarters)}"}[rule]
                out.append(Finding(
                    "warning", "konsolidasi", ctx.satker, "iku_nilai",
                    f"{tahun} {kode} {target_period} {col}", printed=value, recomputed=expected,
                    source=given.get("sumber"), tahun=int(tahun), periode=target_period, column=col,
                    message=(f"{col} {target_period} = {_fmt(value)} tidak sama dengan {formula} = {_fmt(expected)} "
                             f"menurut konsolidasi '{rule}'; nilai yang diberikan dipakai - periksa kolom konsolidasi"),
                    **_where(given)))
    return out


def _external_rule(module: str, function: str, rule: str, inputs: tuple[str, ...]) -> Callable:
    """A cross-table rule implemented by lakin.<module>.<function>(tables) -> list[DataIssue]."""

    def run(ctx: SatkerContext) -> list[Finding]:
        fn = _external_function(module, function)
        if fn is None:
            return [Finding("info", rule, ctx.satker, "-", "-",
                            message=f"aturan {rule} tidak dijalankan: lakin.{module}.{function} belum tersedia")]
        bad = set(inputs) & ctx.invalid
        if bad:
            return [Finding("info", "dilewati", ctx.satker, "-", "-",
                            message=f"aturan {rule} dilewati karena tabel {', '.join(sorted(bad))} tidak valid")]
        try:
            issues = fn(ctx.tables)
        except LakinError as exc:
            return [Finding("error", rule, ctx.satker, "-", "-", message=f"aturan {rule} gagal: {exc.user_message()}")]
        except Exception as exc:  # noqa: BLE001 - odd data must not hide the other findings
            return [Finding("error", rule, ctx.satker, "-", "-",
                            message=f"aturan {rule} (lakin.{module}.{function}) gagal dijalankan: {exc!r}")]
        found = _issue_findings(ctx.tables, issues, rule, ctx.satker)
        return [f for f in found if ctx.tahun is None or f.tahun in (None, ctx.tahun)]
    run.__name__ = f"rule_{rule}"
    run.__doc__ = f"Cross-table rules of lakin.{module}: {function}."
    return run


# Cross-table rules: konsolidasi here; revenue (trajectory shares sum to 100, months, refunds, totals vs parts)
# and budget (RPD sums to pagu, realisation not above pagu, IKPA weights, totals vs parts) in their modules.
def rule_target_negatif(ctx: SatkerContext) -> list[Finding]:
    """A negative target under a framework that takes it as a warning: the indicator is N/A, said here."""
    if ctx.framework is None or ctx.framework.target_negatif != "peringatan" or "iku_nilai" in ctx.invalid:
        return []
    out = []
    nilai = ctx.tables["iku_nilai"]
    for r in _rows(nilai):
        if ctx.tahun is not None and r["tahun"] != ctx.tahun:
            continue
        for col in ("target", "target_bawah", "target_atas"):
            value = _num(r.get(col))
            if value is not None and value < 0:
                out.append(Finding(
                    "warning", "target_negatif", ctx.satker, "iku_nilai", f"{r['tahun']} {r['kode']} {r['periode']}",
                    printed=value, tahun=int(r["tahun"]), periode=r["periode"], column=col,
                    message=(f"{col} {_fmt(value)} negatif: indikator tidak dinilai periode ini (N/A) - kerangka "
                             f"{ctx.framework.id} menetapkan target_negatif: peringatan"), **_where(r)))
    return out


RULES: list[Callable[[SatkerContext], list[Finding]]] = [
    rule_konsolidasi,
    rule_target_negatif,
    _external_rule("revenue", "validate_revenue", "penerimaan",
                   ("penerimaan", "target_penerimaan", "trajektori_penerimaan", "kontributor_penerimaan")),
    _external_rule("budget", "validate_budget", "anggaran", ("pagu", "rpd", "realisasi_anggaran", "ikpa", "iku")),
]


# --------------------------------------------------------------------------- reconciliation
def _compare(ctx: SatkerContext, p: Printed, rec: Reconciler, rule: str) -> Finding | None:
    """None when the printed figure agrees; otherwise the finding for it."""
    base = {"satker": ctx.satker, "table": p.tabel, "key": f"{p.tahun} {p.periode} {p.kunci}", "printed": p.nilai,
            "source": p.sumber, "tahun": p.tahun, "periode": p.periode, "file": p.file, "line": p.line}
    try:
        value = rec.compute(ctx, p)
    except CannotRecompute as exc:
        return Finding(exc.severity, rule, message=f"tercetak {_fmt(p.nilai, rec.satuan)} tetapi tidak dapat "
                                                   f"dihitung ulang: {exc.reason}", **base)
    except LakinError as exc:
        return Finding("error", rule, message=f"gagal dihitung ulang: {exc.user_message()}", **base)
    except Exception as exc:  # noqa: BLE001 - a recompute failing on odd data must not hide the other findings
        return Finding("error", rule, message=f"gagal dihitung ulang: {exc!r}", **base)
    kind = rec.kind
    if isinstance(value, Recomputed):
        kind, value = value.kind or kind, value.value
    if value is None or is_na(value):
        return Finding("warning", rule, message=f"tercetak {_fmt(p.nilai, rec.satuan)} tetapi hasil hitung ulang N/A",
                       **base)
    if agrees(p.nilai, value, rec.satuan):
        return None
    digits = printed_digits(p.nilai, rec.satuan)
    shown = _fmt(value, rec.satuan, max(digits, 2))
    if kind != "masukan" and rec.bounds is not None:
        try:
            low, high = rec.bounds(ctx, p)
        except Exception:  # noqa: BLE001 - no interval: the plain comparison stands
            low = high = None
        if low is not None and not is_na(low) and not is_na(high) and within_input_rounding(p.nilai, low, high, rec.satuan):
            return Finding("info", CONSISTENT_WITHIN_ROUNDING, recomputed=float(value), message=(
                f"tercetak {_fmt(p.nilai, rec.satuan)}, dihitung ulang {shown}: konsisten dalam pembulatan masukan "
                f"(dengan target/realisasi di mana pun dalam pembulatan tercetaknya dan indeks IKU dua desimal, "
                f"hasilnya {_fmt(low, rec.satuan, 4)} s.d. {_fmt(high, rec.satuan, 4)})"), **base)
    if kind == "masukan":
        severity = "warning"
        text = (f"tercetak {_fmt(p.nilai, rec.satuan)}, data memakai {shown} dari tabel lain yang lebih rinci "
                "(dua tabel laporan berbeda)")
    else:
        severity = "error"
        text = f"tercetak {_fmt(p.nilai, rec.satuan)}, dihitung ulang {shown}"
    return Finding(severity, rule, recomputed=float(value), message=text, **base)


def _skipped(ctx: SatkerContext, what: str, inputs: tuple[str, ...]) -> list[Finding]:
    """An info finding when a reconciliation cannot run because an input table is invalid."""
    bad = set(inputs) & ctx.invalid
    if not bad:
        return []
    return [Finding("info", "dilewati", ctx.satker, what, "-",
                    message=f"rekonsiliasi '{what}' dilewati karena tabel {', '.join(sorted(bad))} tidak valid")]


def reconcile_capaian(ctx: SatkerContext) -> tuple[list[Finding], int]:
    """Every capaian_dilaporkan against the recomputed indicator index (scoring.indicator_index)."""
    from lakin.rules.scoring import indicator_index

    skipped = _skipped(ctx, "capaian_dilaporkan", ("iku", "iku_nilai"))
    if skipped or ctx.framework is None:
        return skipped, 0
    nilai = ctx.tables["iku_nilai"]
    if "capaian_dilaporkan" not in nilai:
        return [], 0
    printed = nilai[nilai["capaian_dilaporkan"].notna()]
    if ctx.tahun is not None:
        printed = printed[printed["tahun"] == ctx.tahun]
    iku = {(r["tahun"], r["kode"]): r for r in _rows(ctx.tables["iku"])}
    out, n = [], 0
    for r in _rows(printed):
        n += 1
        p = Printed(ctx.satker, int(r["tahun"]), r["periode"], "capaian_dilaporkan", f"kode={r['kode']}",
                    float(r["capaian_dilaporkan"]), r.get("sumber"), r[FILE_COL], int(r[LINE_COL]))
        ind = iku.get((r["tahun"], r["kode"]))

        def compute(_ctx, _p, r=r, ind=ind):
            if ind is None:
                raise CannotRecompute(f"indikator {r['kode']} tidak ada di iku.csv tahun {r['tahun']}")
            aturan = ind.get("aturan_capaian")
            aturan = None if is_na(aturan) or not aturan else aturan
            # the consolidated row, so a capaian printed for S1/SDQ3/Y uses the same value as the report
            row = ctx.indicator(int(r["tahun"]), r["periode"], r["kode"])
            value, reason = indicator_index(row["target"], row["realisasi"], ind["polaritas"], ctx.framework,
                                            r["periode"], aturan)
            if is_na(value):
                from lakin.rules.scoring import NA_REASONS
                raise CannotRecompute(f"target/realisasi N/A ({NA_REASONS.get(reason, reason)})")
            return value

        finding = _compare(ctx, p, Reconciler("capaian_dilaporkan", compute, bounds=_indicator_bounds),
                           "capaian_dilaporkan")
        if finding:
            out.append(finding)
    return out, n


def reconcile_nilai_organisasi(ctx: SatkerContext) -> tuple[list[Finding], int]:
    """Published overall scores (nilai_organisasi) against the recomputed NKO/NPSS."""
    skipped = _skipped(ctx, "nilai_organisasi", ("nilai_organisasi", "iku", "iku_nilai"))
    if skipped:
        return skipped, 0
    df = ctx.tables["nilai_organisasi"]
    if ctx.tahun is not None:
        df = df[df["tahun"] == ctx.tahun]
    out, n = [], 0
    for r in _rows(df):
        n += 1
        p = Printed(ctx.satker, int(r["tahun"]), r["periode"], "nilai_organisasi", "total", float(r["nilai"]),
                    r.get("sumber"), r[FILE_COL], int(r[LINE_COL]))

        def compute(_ctx, p):
            try:
                return _overall(ctx, p)
            except CannotRecompute as exc:
                if exc.severity == "info":
                    raise CannotRecompute(f"{exc.reason}; nilai dipakai sebagaimana dipublikasikan "
                                          "(mis. sebagai pembanding tahun sebelumnya)", "info") from None
                raise

        finding = _compare(ctx, p, Reconciler("nilai_organisasi", compute, bounds=_overall_bounds), "nilai_organisasi")
        if finding:
            out.append(finding)
    return out, n


def reconcile_angka(ctx: SatkerContext) -> tuple[list[Finding], int]:
    """Every angka_dilaporkan row with a known `tabel` recomputed; unknown `tabel` listed as not reconciled."""
    skipped = _skipped(ctx, "angka_dilaporkan", ("angka_dilaporkan",))
    if skipped:
        return skipped, 0
    df = ctx.tables["angka_dilaporkan"]
    if ctx.tahun is not None:
        df = df[df["tahun"] == ctx.tahun]
    out, n = [], 0
    unknown: dict[str, list[dict]] = {}
    invalid_inputs: dict[str, set[str]] = {}
    for r in _rows(df):
        rec = resolve(r["tabel"])
        if rec is None:
            unknown.setdefault(r["tabel"], []).append(r)
            continue
        bad_inputs = set(rec.inputs) & ctx.invalid
        if bad_inputs:
            invalid_inputs.setdefault(r["tabel"], set()).update(bad_inputs)
            continue
        n += 1
        p = Printed(ctx.satker, int(r["tahun"]), r["periode"], r["tabel"], r["kunci"], float(r["nilai"]),
                    r.get("sumber"), r[FILE_COL], int(r[LINE_COL]))
        finding = _compare(ctx, p, rec, "angka_dilaporkan")
        if finding:
            out.append(finding)
    for tabel, rows in sorted(unknown.items()):
        first = rows[0]
        out.append(Finding(
            "info", "tidak_direkonsiliasi", ctx.satker, tabel, f"{len(rows)} baris",
            printed=float(first["nilai"]) if len(rows) == 1 else None, source=first.get("sumber"),
            file=first[FILE_COL], line=int(first[LINE_COL]),
            message=(f"{len(rows)} angka tercetak dengan tabel '{tabel}' tidak direkonsiliasi: "
                     f"belum ada fungsi hitung ulang untuk tabel ini{_unavailable_hint(tabel)}")))
    for tabel, tables in sorted(invalid_inputs.items()):
        out.append(Finding("info", "dilewati", ctx.satker, tabel, "-",
                           message=f"rekonsiliasi '{tabel}' dilewati karena tabel {', '.join(sorted(tables))} tidak valid"))
    return out, n


# Printed figures recomputed by other modules (revenue, budget): each reconciler names the public functions
# it calls. Those modules are written alongside this one; while a function is missing, rows of its `tabel`
# are reported as not reconciled (info), never silently ignored.
EXTERNAL: dict[str, tuple[Reconciler, str, tuple[str, ...]]] = {}


def register_external(reconciler: Reconciler, module: str, functions: tuple[str, ...]) -> Reconciler:
    """Reconcile `reconciler.tabel` once lakin.<module> has every one of `functions`."""
    EXTERNAL[reconciler.tabel] = (reconciler, module, functions)
    return reconciler


def resolve(tabel: str) -> Reconciler | None:
    """The reconciler of a printed-figure `tabel`, or None when it cannot be recomputed."""
    if tabel in RECONCILERS:
        return RECONCILERS[tabel]
    if tabel in EXTERNAL:
        reconciler, module, functions = EXTERNAL[tabel]
        if all(_external_function(module, f) is not None for f in functions):
            return reconciler
    return None


def _external_function(module: str, function: str):
    import importlib

    try:
        mod = importlib.import_module(f"lakin.rules.{module}")
    except ImportError:
        return None
    return getattr(mod, function, None)


def _unavailable_hint(tabel: str) -> str:
    if tabel in EXTERNAL:
        _, module, functions = EXTERNAL[tabel]
        missing = [f for f in functions if _external_function(module, f) is None]
        return f" (lakin.{module}.{', '.join(missing)} belum tersedia)" if missing else ""
    return ""


# --------------------------------------------------------------------------- the check
def check(data_dir: str | Path | None = None, satker: str | None = None, tahun: int | None = None) -> CheckResult:
    """Validate every table, apply the cross-table rules and reconcile every printed figure."""
    if tahun is not None and not (isinstance(tahun, int) and 2000 <= tahun <= 2100):
        raise ParameterError(f"Tahun {tahun!r} tidak sah: gunakan tahun antara 2000 dan 2100", key="tahun", value=tahun)
    ds, issues = collect(data_dir, satker)
    result = CheckResult(ds.data_dir, _issue_findings(ds.tables, issues))
    if "satker" in ds.invalid:
        return result
    for slug in ([satker] if satker else ds.satker_list()):
        result.findings.extend(check_satker(ds, slug, tahun))
        result.findings.extend(prose_check(ds, slug, tahun))
    return result


def prose_check(ds: Dataset, satker: str, tahun: int | None = None) -> list[Finding]:
    """Literal numbers in the unit's analysts' text against its report models (lakin.tools.check_prose)."""
    try:
        found = prose_findings(ds, satker, tahun)
    except LakinError as exc:  # an unknown {{ name }} or a refused text: one finding naming file and line
        return [Finding("error", "narasi", satker, "narasi", "-", message=exc.user_message())]
    except Exception as exc:  # noqa: BLE001 - odd data must not hide the other findings
        return [Finding("error", "narasi", satker, "narasi", "-", message=f"pemeriksaan teks narasi gagal: {exc!r}")]
    return [Finding(f.severity, "angka_narasi", satker, "narasi", f"{f.periode} {f.literal}", printed=f.literal,
                    recomputed=f.figure_value, source=f.figure, message=f.message, tahun=int(f.periode[:4]),
                    file=f.file, line=f.line) for f in found]


def check_satker(ds: Dataset, satker: str, tahun: int | None = None) -> list[Finding]:
    """Cross-table rules and reconciliation for one unit."""
    unit = ds.unit(satker)
    try:
        framework = load_framework(unit["kerangka"], ds.data_dir)
    except LakinError:
        framework = None  # already reported by the loader (kerangka yang dikenal)
    ctx = SatkerContext(satker, ds.for_satker(satker), framework, ds.invalid, tahun)
    findings: list[Finding] = []
    for rule in RULES:
        try:
            findings.extend(rule(ctx))
        except Exception as exc:  # noqa: BLE001 - odd data must not hide the other findings
            findings.append(Finding("error", rule.__name__.removeprefix("rule_"), satker, "-", "-",
                                    message=f"aturan gagal dijalankan: {exc!r}"))
    reconciled = 0
    for step in (reconcile_capaian, reconcile_nilai_organisasi, reconcile_angka):
        found, n = step(ctx)
        findings.extend(found)
        reconciled += n
    own = [f for f in findings if f.rule in RECONCILIATION_RULES]
    differ = sum(1 for f in own if f.severity in ("error", "warning") and f.recomputed is not None)
    unverifiable = sum(1 for f in own) - differ
    unreconciled = sum(int(f.key.split()[0]) for f in findings if f.rule == "tidak_direkonsiliasi")
    rounding = sum(1 for f in findings if f.rule == CONSISTENT_WITHIN_ROUNDING)
    findings.append(Finding(
        "info", "ringkasan", satker, "-", "-", message=(
            f"{reconciled} angka tercetak dihitung ulang: {reconciled - differ - unverifiable} cocok "
            f"({reconciled - differ - unverifiable - rounding} tepat, {rounding} dalam pembulatan masukan), "
            f"{differ} berbeda, {unverifiable} tidak dapat dihitung ulang dari data; "
            f"{unreconciled} tidak direkonsiliasi (tabel tanpa fungsi hitung ulang)")))
    return findings


RECONCILIATION_RULES = ("capaian_dilaporkan", "nilai_organisasi", "angka_dilaporkan")
CONSISTENT_WITHIN_ROUNDING = "cocok_pembulatan"


# --------------------------------------------------------------------------- output
def annex(findings: Iterable[Finding], severities: tuple[str, ...] = ("error", "warning")) -> pd.DataFrame:
    """A short data-quality annex for the report: one row of display strings per finding."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    chosen = sorted((f for f in findings if f.severity in severities),
                    key=lambda f: (order[f.severity], f.satker or "", f.table, f.key))
    rows = []
    for i, f in enumerate(chosen, 1):
        satuan = "rupiah" if _is_money(f) else "angka"
        digits = printed_digits(f.printed, satuan) if _is_number(f.printed) else None
        rows.append({
            "No": str(i),
            "Tingkat": SEVERITY_LABEL[f.severity],
            "Satker": f.satker or "-",
            "Tabel": f.table,
            "Kunci": f.key,
            "Angka tercetak": _fmt(f.printed, satuan, digits) if f.printed is not None else "-",
            "Hasil hitung ulang": (_fmt(f.recomputed, satuan, max(digits or 0, 2)) if f.recomputed is not None else "-"),
            "Sumber": f.source or (f"{f.file}, baris {f.line}" if f.file and f.line else (f.file or "-")),
            "Keterangan": f.message,
        })
    columns = ["No", "Tingkat", "Satker", "Tabel", "Kunci", "Angka tercetak", "Hasil hitung ulang", "Sumber",
               "Keterangan"]
    return pd.DataFrame(rows, columns=columns)


def _is_money(f: Finding) -> bool:
    rec = RECONCILERS.get(f.table)
    if rec is not None:
        return rec.satuan == "rupiah"
    return f.table in ("rpd", "pagu", "realisasi_anggaran", "penerimaan") or (
        isinstance(f.printed, float) and abs(f.printed) >= 1e6 and f.printed.is_integer())


# The human table lists at most this many findings (the rest are counted; --json lists all).
MAX_LISTED = 1000


def print_result(result: CheckResult, console=None) -> None:
    """Human output: per satker a table of errors, warnings and notes, then what was not reconciled."""
    from rich.console import Console
    from rich.markup import escape as _markup_escape
    from rich.table import Table

    from lakin.present.console import safe

    def escape(value) -> str:  # markup escaped, terminal control characters shown as \xNN
        return _markup_escape(safe(value))

    console = console or Console(width=None if sys.stdout.isatty() else 160)
    style = {"error": "bold red", "warning": "yellow", "info": "dim"}
    order = {s: i for i, s in enumerate(SEVERITIES)}
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(f.satker or "(berkas data)", []).append(f)
    budget = MAX_LISTED
    for satker, found in groups.items():
        listed = sorted((f for f in found if f.rule not in ("tidak_direkonsiliasi", "ringkasan")),
                        key=lambda f: order[f.severity])
        listed, budget = listed[:max(budget, 0)], budget - len(listed)
        if listed:
            table = Table(title=f"lakin check - {escape(satker)}", expand=True, show_lines=True)
            table.add_column("Tingkat", no_wrap=True)
            table.add_column("Angka / aturan", ratio=2, overflow="fold")
            table.add_column("Tercetak", justify="right", no_wrap=True)
            table.add_column("Dihitung ulang", justify="right", no_wrap=True)
            table.add_column("Keterangan", ratio=4, overflow="fold")
            for f in listed:
                satuan = "rupiah" if _is_money(f) else "angka"
                digits = printed_digits(f.printed, satuan) if _is_number(f.printed) else None
                printed = _fmt(f.printed, satuan, digits) if f.printed is not None else "-"
                recomputed = _fmt(f.recomputed, satuan, max(digits or 0, 2)) if f.recomputed is not None else "-"
                note = escape(f.message)
                if f.source:
                    source = f.source if len(f.source) <= 140 else f.source[:137] + "..."
                    note += f"\n[dim]Sumber: {escape(source)}[/dim]"
                table.add_row(SEVERITY_LABEL[f.severity], escape(f"{f.table}  {f.key}"), escape(printed),
                              escape(recomputed), note, style=style[f.severity])
            console.print(table)
        skipped = [f for f in found if f.rule == "tidak_direkonsiliasi"]
        if skipped:
            names = ", ".join(f"{f.table} ({f.key.split()[0]})" for f in skipped)
            console.print(f"[dim]{escape(satker)} - tidak direkonsiliasi (info): {escape(names)}[/dim]")
        for f in found:
            if f.rule == "ringkasan":
                console.print(f"[dim]{escape(satker)} - {escape(f.message)}[/dim]")
    if budget < 0:
        console.print(f"[bold]... dan {-budget} temuan lain tidak ditampilkan[/bold] (hanya {MAX_LISTED} pertama; "
                      "gunakan --json untuk daftar lengkap)")
    c = result.counts()
    verdict = "[bold red]ada galat (keluar 1)[/bold red]" if c["error"] else "[bold green]tidak ada galat[/bold green]"
    console.print(f"{escape(str(result.data_dir))}: {c['error']} galat, {c['warning']} peringatan, "
                  f"{c['info']} info - {verdict}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not is_na(value)


def main(data_dir: str | Path | None = None, satker: str | None = None, tahun: int | None = None,
         as_json: bool = False) -> int:
    """Run the check, print it (rich tables, or JSON with as_json) and return the exit code."""
    result = check(data_dir, satker, tahun)
    if as_json:
        print(result.to_json())
    else:
        print_result(result)
    return result.exit_code


# --------------------------------------------------------------------------- revenue and budget figures
_QUARTER_OF = {"Q1": 1, "S1": 2, "SDQ3": 3, "Q4": 4, "Y": 4}


def _report_period(p: Printed) -> ReportPeriod:
    if p.periode in _QUARTER_OF:
        return ReportPeriod(p.tahun, _QUARTER_OF[p.periode])
    raise CannotRecompute(f"periode {p.periode} bukan periode kumulatif (Q1, S1, SDQ3, Y)", "info")


def _month(p: Printed) -> int:
    text = p.keys.get("bulan")
    if text is not None and text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    m = re.match(r"^M(\d\d)$", p.periode)
    if m:
        return int(m[1])
    if p.periode == "Y":
        return 12
    raise CannotRecompute(f"kunci '{p.kunci}' tidak menyebut satu bulan", "info")


def _only(p: Printed, allowed: set[str], flags: set[str] = frozenset()) -> None:
    extra = set(p.keys) - allowed
    if extra:
        raise CannotRecompute(f"kunci {', '.join(sorted(extra))} tidak dapat dihitung ulang dari data", "info")
    extra_flags = p.flags - set(flags) - {"total"}
    if extra_flags:
        raise CannotRecompute(f"angka {', '.join(sorted(extra_flags))} tidak dapat dihitung ulang dari data "
                              "(data menyimpan angka netto)", "info")


def _revenue_summary(ctx: SatkerContext, tahun: int):
    from lakin.rules import revenue

    summary = ctx.memo(("revenue", tahun),
                       lambda: revenue.summarize(ctx.tables, ctx.satker, ReportPeriod(tahun, 4))
                       if revenue.has_revenue(ctx.tables, tahun) else None)
    if summary is None:
        raise CannotRecompute(f"tidak ada data penerimaan tahun {tahun}", "info")
    return summary


def _value(value, reason: str | None = None) -> float:
    if is_na(value):
        raise CannotRecompute(reason or "hasil hitung ulang N/A")
    return float(value)


def _month_row(ctx: SatkerContext, p: Printed) -> pd.Series:
    s = _revenue_summary(ctx, p.tahun)
    rows = ctx.memo(("bulanan", p.tahun), lambda: {int(r["bulan"]): r for _, r in s.bulanan.iterrows()})
    return rows[_month(p)]


def _trajectory_column(column: str, per_jenis: bool = False) -> Callable:
    """A column of the monthly trajectory table (targets are the same bruto or netto)."""
    def compute(ctx: SatkerContext, p: Printed) -> float:
        _only(p, {"bulan", "jenis"} if per_jenis else {"bulan"}, {"bruto"})
        if per_jenis and "jenis" in p.keys and _month(p) != 12:
            raise CannotRecompute("trajektori per jenis tidak ada di data", "info")
        row = _month_row(ctx, p)
        return _value(row[column], row.get(f"{column}_alasan") or f"{column} bulan {row['bulan']} tidak tersedia")
    return compute


def _monthly_target(ctx: SatkerContext, p: Printed) -> float:
    _only(p, {"bulan", "jenis"}, {"bruto"})
    if "jenis" in p.keys:
        raise CannotRecompute("trajektori per jenis tidak ada di data (porsi bulanan hanya untuk total)", "info")
    return _trajectory_column("target")(ctx, p)


def _monthly_realisation(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules import revenue

    _only(p, {"bulan", "jenis"}, {"bruto"})
    month, jenis = _month(p), p.keys.get("jenis")
    if "bruto" in p.flags:
        akun = _per_account(ctx, p.tahun)
        akun = akun[(akun["bulan"] == month) & ((akun["jenis"] == jenis) if jenis else True)]
        if akun.empty:
            raise CannotRecompute(f"data tidak memuat realisasi per akun bulan {month}", "info")
        return float(akun["bruto"].sum())
    frame = ctx.memo(("realisasi_bulanan", p.tahun),
                     lambda: revenue.realisasi_bulanan(ctx.tables["penerimaan"], p.tahun, ctx.satker))
    row = frame[frame["bulan"] == month].iloc[0]
    column = jenis or "realisasi"
    if column not in row.index:
        raise CannotRecompute(f"tidak ada realisasi {column} di data", "info")
    return _value(row[column], f"realisasi {column} bulan {month} tidak dirinci di data")


def _monthly_achievement(ctx: SatkerContext, p: Printed) -> float:
    target = _monthly_target(ctx, p)
    if target == 0:
        raise CannotRecompute("target bulan itu 0")
    if "bruto" not in p.flags:
        return _trajectory_column("capaian")(ctx, p)
    return _monthly_realisation(ctx, p) / target * 100.0


def _cumulative_realisation(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules import revenue

    _only(p, {"bulan", "jenis"})
    _revenue_summary(ctx, p.tahun)
    month = _month(p)
    cum = ctx.memo(("realisasi_kumulatif", p.tahun, month),
                   lambda: revenue.realisasi_kumulatif(ctx.tables["penerimaan"], p.tahun, month, ctx.satker))
    return _value(cum.get(p.keys.get("jenis", "total")), "realisasi kumulatif tidak dirinci di data")


def _annual_realisation(shift: int) -> Callable:
    def compute(ctx: SatkerContext, p: Printed):
        from lakin.rules import revenue

        _only(p, {"jenis"})
        tahun = p.tahun - shift
        if not revenue.has_revenue(ctx.tables, tahun):
            raise CannotRecompute(f"tidak ada data penerimaan tahun {tahun}", "info")
        cum = ctx.memo(("realisasi_kumulatif", tahun, 12),
                       lambda: revenue.realisasi_kumulatif(ctx.tables["penerimaan"], tahun, 12, ctx.satker))
        jenis = p.keys.get("jenis", "total")
        value = _value(cum.get(jenis), f"realisasi {jenis} {tahun} tidak ada di data")
        return Recomputed(value, "turunan" if jenis == "total" else "masukan")
    return compute


def _per_jenis_column(column: str) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        _only(p, {"jenis"})
        s = _revenue_summary(ctx, p.tahun)
        jenis = p.keys.get("jenis", "total")
        hit = s.per_jenis[s.per_jenis["jenis"] == jenis]
        if hit.empty:
            raise CannotRecompute(f"jenis {jenis} tidak ada di data penerimaan")
        row = hit.iloc[0]
        return _value(row[column], row.get(f"{column}_alasan"))
    return compute


def _annual_increase(ctx: SatkerContext, p: Printed) -> float:
    _only(p, {"jenis"})
    s = _revenue_summary(ctx, p.tahun)
    row = s.per_jenis[s.per_jenis["jenis"] == p.keys.get("jenis", "total")]
    if row.empty:
        raise CannotRecompute("jenis tidak ada di data penerimaan")
    return _value(row["realisasi"].iloc[0] - row["realisasi_sebelumnya"].iloc[0], "realisasi tahun sebelumnya tidak ada")


def _annual_target(ctx: SatkerContext, p: Printed):
    _only(p, {"jenis", "dasar_hukum"}, {"bruto"})
    s = _revenue_summary(ctx, p.tahun)
    if s.target is None:
        raise CannotRecompute("tidak ada target penerimaan")
    jenis = p.keys.get("jenis", "total")
    if "dasar_hukum" in p.keys:
        decree = s.target.keputusan[s.target.keputusan["dasar_hukum"] == p.keys["dasar_hukum"]]
        if decree.empty:
            raise CannotRecompute(f"keputusan {p.keys['dasar_hukum']} tidak ada di target_penerimaan")
        if jenis not in decree.columns:
            raise CannotRecompute(f"keputusan {p.keys['dasar_hukum']} tidak memuat {jenis}")
        value = decree[jenis].iloc[0]
    else:
        value = s.target.total if jenis == "total" else s.target.for_jenis(jenis)
    return Recomputed(_value(value, f"target {jenis} tidak ada"), "turunan" if jenis == "total" else "masukan")


def _account(ctx: SatkerContext, p: Printed, months: list[int]) -> float:
    _only(p, {"akun", "bulan"}, {"pengembalian"})
    akun = _per_account(ctx, p.tahun)
    rows = akun[akun["akun"].astype(str) == _need(p.keys, "akun", p)]
    column = "pengembalian" if "pengembalian" in p.flags else "bruto"
    annual = rows[rows["bulan"].isna()]
    if len(months) == 12 and not annual.empty:
        return float(annual[column].sum())
    have = {int(b) for b in rows["bulan"].dropna()}
    if not set(months) <= have:
        shown = ", ".join(map(str, sorted(have))) or "-"
        raise CannotRecompute(f"data memuat akun {p.keys['akun']} hanya untuk bulan {shown}", "info")
    return float(rows[rows["bulan"].isin(months)][column].sum())


def _per_account(ctx: SatkerContext, tahun: int) -> pd.DataFrame:
    from lakin.rules import revenue

    return ctx.memo(("per_akun", tahun),
                    lambda: revenue.realisasi_per_akun(ctx.tables["penerimaan"], tahun, ctx.satker))


def _monthly_account(ctx: SatkerContext, p: Printed) -> float:
    return _account(ctx, p, [_month(p)])


def _annual_account(ctx: SatkerContext, p: Printed) -> float:
    return _account(ctx, p, list(range(1, 13)))


def _annual_refunds(ctx: SatkerContext, p: Printed) -> float:
    _only(p, set())
    akun = _per_account(ctx, p.tahun)
    months = {int(b) for b in akun["bulan"].dropna()}
    if akun["bulan"].isna().any() or months >= set(range(1, 13)):
        annual = akun[akun["bulan"].isna()] if akun["bulan"].isna().any() else akun
        return float(annual["pengembalian"].sum())
    raise CannotRecompute(f"data memuat pengembalian per akun hanya untuk bulan {sorted(months) or '-'}", "info")


def _contributor(average: bool) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        _only(p, {"jenis", "wajib_bayar", "bulan"})
        s = _revenue_summary(ctx, p.tahun)
        name = _need(p.keys, "wajib_bayar", p)
        rows = s.kontributor[(s.kontributor["wajib_bayar"] == name) &
                             (s.kontributor["jenis"] == p.keys.get("jenis", s.kontributor["jenis"]))]
        if rows.empty:
            raise CannotRecompute(f"wajib bayar '{name}' tidak ada di kontributor_penerimaan")
        text = p.keys.get("bulan", "")
        span = re.match(r"^(\d+)-(\d+)$", text)
        months = list(range(int(span[1]), int(span[2]) + 1)) if span else [_month(p)]
        values = {int(b): float(v) for b, v in zip(rows["bulan"], rows["nilai"])}
        missing = [m for m in months if m not in values]
        if missing:
            raise CannotRecompute(f"kontributor '{name}' tidak ada untuk bulan {', '.join(map(str, missing))}")
        total = sum(values[m] for m in months)
        return total / len(months) if average else total
    return compute


def _iku_revenue_row(ctx: SatkerContext, p: Printed) -> pd.Series:
    _only(p, set())
    s = _revenue_summary(ctx, p.tahun)
    hit = s.iku[s.iku["periode"] == p.periode]
    if hit.empty:
        raise CannotRecompute(f"periode {p.periode} bukan periode IKU penerimaan (Q1, S1, SDQ3, Y)", "info")
    return hit.iloc[0]


def _iku_revenue_column(column: str) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        row = _iku_revenue_row(ctx, p)
        return _value(row[column], row.get("alasan"))
    return compute


def _iku_revenue_index(ctx: SatkerContext, p: Printed) -> float:
    """The index of the revenue IKU (3a-CP) as scored from iku_nilai; its inputs are reconciled with the
    revenue tables by realisasi_3a_persen and target_3a_persen."""
    row = _iku_revenue_row(ctx, p)
    if not row["kode"]:
        raise CannotRecompute("tidak ada IKU penerimaan di iku.csv", "info")
    return _indicator_value("capaian")(ctx, Printed(p.satker, p.tahun, p.periode, p.tabel, f"kode={row['kode']}",
                                                   p.nilai, p.sumber, p.file, p.line))


_PAGU_KEYS = {"program_kode", "kegiatan_kode", "kro_kode", "jenis_belanja", "sumber_dana"}
_FLOW_KEYS = {"kegiatan_kode", "jenis_belanja"}


def _pagu(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules import budget

    _only(p, _PAGU_KEYS)
    value = ctx.memo(("pagu", p.tahun, tuple(sorted(p.keys.items()))),
                     lambda: budget.pagu_amount(ctx.tables, p.tahun, **p.keys))
    if is_na(value):
        raise CannotRecompute(f"data pagu {p.tahun} tidak dirinci per {', '.join(p.keys) or 'total'}", "info")
    return float(value)


def _spent(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules import budget

    _only(p, _FLOW_KEYS)
    rp = _report_period(p)
    value, reason = ctx.memo(("realisasi", rp, tuple(sorted(p.keys.items()))),
                             lambda: budget.realisasi_amount(ctx.tables, rp, **p.keys))
    if is_na(value):
        raise CannotRecompute(reason or "realisasi tidak tersedia", "info")
    return float(value)


def _unspent(ctx: SatkerContext, p: Printed) -> float:
    return _pagu(ctx, p) - _spent(ctx, p)


def _absorption(ctx: SatkerContext, p: Printed) -> float:
    pagu = _pagu(ctx, p)
    if pagu == 0:
        raise CannotRecompute("pagu Rp0: persentase penyerapan tidak terdefinisi (seharusnya N/A)")
    return _spent(ctx, p) / pagu * 100.0


def _planned(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules import budget

    _only(p, _FLOW_KEYS | {"bulan"})
    fixed = {k: v for k, v in p.keys.items() if k != "bulan"}
    comparison = ctx.memo(("rpd", p.tahun, tuple(sorted(fixed.items()))),
                          lambda: budget.rpd_vs_realisasi(ctx.tables, ReportPeriod(p.tahun, 4), **fixed))
    if comparison is None:
        raise CannotRecompute(f"tidak ada RPD tahun {p.tahun}", "info")
    row = comparison.tabel[comparison.tabel["bulan"] == _month(p)]
    return _value(row["rencana"].iloc[0] if not row.empty else math.nan,
                  f"RPD tidak dirinci per {', '.join(fixed) or 'bulan'}")


def _ikpa_attribute(attribute: str) -> Callable:
    def compute(ctx: SatkerContext, p: Printed) -> float:
        from lakin.rules import budget

        _only(p, set())
        rp = _report_period(p)
        result = ctx.memo(("ikpa", rp), lambda: budget.ikpa_scores(ctx.tables, rp))
        if result is None:
            raise CannotRecompute(f"tidak ada komponen IKPA tahun {p.tahun}", "info")
        return _value(getattr(result, attribute), "; ".join(result.keterangan) or None)
    return compute


def _ikpa_component(ctx: SatkerContext, p: Printed) -> float:
    from lakin.rules import budget

    _only(p, {"komponen"})
    rp = _report_period(p)
    result = ctx.memo(("ikpa", rp), lambda: budget.ikpa_scores(ctx.tables, rp))
    if result is None:
        raise CannotRecompute(f"tidak ada komponen IKPA tahun {p.tahun}", "info")
    hit = result.komponen[result.komponen["komponen"] == p.keys["komponen"]]
    if hit.empty:
        raise CannotRecompute(f"komponen '{p.keys['komponen']}' tidak ada di ikpa")
    return _value(hit["nilai_tertimbang"].iloc[0], "komponen pengurang tidak punya nilai tertimbang")


_REVENUE_INPUTS = ("penerimaan", "target_penerimaan", "trajektori_penerimaan", "kontributor_penerimaan", "iku",
                   "iku_nilai")
_BUDGET_INPUTS = ("pagu", "rpd", "realisasi_anggaran", "ikpa", "iku")


def _revenue(tabel: str, compute: Callable, kind: str = "turunan", satuan: str = "angka",
             functions: tuple[str, ...] = ("summarize", "has_revenue"), doc: str = "") -> None:
    register_external(Reconciler(tabel, compute, kind, satuan, _REVENUE_INPUTS, doc), "revenue", functions)


def _budget(tabel: str, compute: Callable, functions: tuple[str, ...], satuan: str = "angka", doc: str = "") -> None:
    register_external(Reconciler(tabel, compute, "turunan", satuan, _BUDGET_INPUTS, doc), "budget", functions)


# --------------------------------------------------------------------------- registrations
register(Reconciler("indeks_perspektif", _level_index("perspektif"), doc="indeks perspektif (rata-rata SS)",
                    bounds=_level_bounds("perspektif")))
register(Reconciler("indeks_sasaran", _level_index("sasaran_kode"), doc="indeks sasaran (rata-rata IKU)",
                    bounds=_level_bounds("sasaran_kode")))
register(Reconciler("capaian_iku", _indicator_value("capaian"), doc="indeks capaian IKU", bounds=_indicator_bounds))
register(Reconciler("realisasi_iku", _indicator_value("realisasi"), kind="masukan",
                    doc="realisasi IKU seperti tercetak di tabel lain"))
register(Reconciler("target_iku", _indicator_value("target"), kind="masukan",
                    doc="target IKU seperti tercetak di tabel lain"))
register(Reconciler("target_tabel_rinci", _target_at_period, kind="masukan",
                    doc="target periode seperti tercetak di tabel rinci per indikator"))
register(Reconciler("nilai_organisasi", _overall, doc="NKO/NPSS", bounds=_overall_bounds))
register(Reconciler("perubahan_nilai_organisasi", _overall_change, inputs=("iku", "iku_nilai", "nilai_organisasi"),
                    doc="perubahan nilai organisasi terhadap tahun sebelumnya (poin)"))
register(Reconciler("persen_target_tahunan", _share_of_annual_target,
                    doc="realisasi periode sebagai persen target tahunan (tanpa batas atas)"))

_revenue("target_bulanan_persen", _trajectory_column("persen"), doc="porsi trajektori bulan itu (%)")
_revenue("target_kumulatif_persen", _trajectory_column("persen_kumulatif", per_jenis=True),
         doc="porsi trajektori kumulatif s.d. bulan itu (%); sama untuk setiap jenis")
_revenue("target_bulanan", _monthly_target, satuan="rupiah", doc="target trajektori bulan itu (total atau per jenis)")
_revenue("target_kumulatif", _trajectory_column("target_kumulatif"), satuan="rupiah")
_revenue("capaian_bulanan_persen", _monthly_achievement, doc="realisasi bulan / target trajektori bulan x 100")
_revenue("capaian_kumulatif_persen", _trajectory_column("capaian_kumulatif"),
         doc="realisasi kumulatif / target tahunan x 100")
_revenue("realisasi_bulanan", _monthly_realisation, kind="masukan", satuan="rupiah",
         functions=("summarize", "has_revenue", "realisasi_bulanan", "realisasi_per_akun"))
_revenue("realisasi_kumulatif", _cumulative_realisation, satuan="rupiah",
         functions=("summarize", "has_revenue", "realisasi_kumulatif"))
_revenue("realisasi_tahunan", _annual_realisation(0), satuan="rupiah",
         functions=("has_revenue", "realisasi_kumulatif"))
_revenue("realisasi_tahunan_sebelumnya", _annual_realisation(1), satuan="rupiah",
         functions=("has_revenue", "realisasi_kumulatif"))
_revenue("yoy_persen", _per_jenis_column("yoy"), doc="pertumbuhan realisasi terhadap tahun sebelumnya (%)")
_revenue("capaian_tahunan_persen", _per_jenis_column("capaian"), doc="realisasi / target berlaku x 100")
_revenue("kenaikan_yoy", _annual_increase, satuan="rupiah")
_revenue("target_tahunan", _annual_target, satuan="rupiah")
_revenue("realisasi_bulanan_akun", _monthly_account, kind="masukan", satuan="rupiah",
         functions=("realisasi_per_akun",))
_revenue("realisasi_kumulatif_akun", _annual_account, satuan="rupiah", functions=("realisasi_per_akun",))
_revenue("pengembalian_tahunan", _annual_refunds, satuan="rupiah", functions=("realisasi_per_akun",))
_revenue("kontributor_bulanan", _contributor(average=False), kind="masukan", satuan="rupiah")
_revenue("kontributor_rata_rata_bulanan", _contributor(average=True), satuan="rupiah")
_revenue("realisasi_3a_persen", _iku_revenue_column("nilai"),
         doc="IKU penerimaan: realisasi kumulatif / target tahunan yang berlaku x 100")
_revenue("target_3a_persen", _iku_revenue_column("target_persen"), doc="IKU penerimaan: porsi trajektori kumulatif")
_revenue("capaian_3a_indeks", _iku_revenue_index, doc="IKU penerimaan: indeks capaian dari realisasi dan target %")

_budget("pagu", _pagu, ("pagu_amount",), satuan="rupiah")
_budget("realisasi", _spent, ("realisasi_amount",), satuan="rupiah")
_budget("sisa_anggaran", _unspent, ("pagu_amount", "realisasi_amount"), satuan="rupiah")
_budget("penyerapan_persen", _absorption, ("pagu_amount", "realisasi_amount"))
_budget("rpd", _planned, ("rpd_vs_realisasi",), satuan="rupiah")
_budget("ikpa", _ikpa_attribute("ikpa"), ("ikpa_scores",))
_budget("smart", _ikpa_attribute("smart"), ("ikpa_scores",))
_budget("nka", _ikpa_attribute("nka"), ("ikpa_scores",))
_budget("nka_ikhtisar", _ikpa_attribute("nka"), ("ikpa_scores",), doc="NKA seperti tercetak di tabel ikhtisar")
_budget("ikpa_nilai_tertimbang", _ikpa_component, ("ikpa_scores",), doc="nilai x bobot / 100 per komponen")
