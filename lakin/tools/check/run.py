"""The check of a data directory: every table validated, the cross-table rules applied, every printed figure
and every literal number of the analysts' text reconciled, unit by unit."""

from __future__ import annotations

import json
from pathlib import Path

from lakin.data.fingerprint import environment_digest, lakin_digest, tree_digest
from lakin.data.load import Dataset, collect
from lakin.errors import LakinError, ParameterError
from lakin.present.charts.cache import cached
from lakin.rules.frameworks import load_framework

# budget, kinerja, revenue and rules fill RECONCILERS and RULES where each entry is defined
from lakin.tools.check import budget, kinerja, revenue, rules  # noqa: F401
from lakin.tools.check.context import RULES, SatkerContext
from lakin.tools.check.findings import CheckResult, Finding, Severity, issue_findings
from lakin.tools.check.prose import prose_findings
from lakin.tools.check.reconcile import (
    CONSISTENT_WITHIN_ROUNDING,
    RECONCILIATION_RULES,
    reconcile_angka,
    reconcile_capaian,
    reconcile_nilai_organisasi,
)

__all__ = ["check", "check_model_data", "check_satker", "kept_check_satker", "prose_check"]


def check(data_dir: str | Path | None = None, satker: str | None = None, tahun: int | None = None) -> CheckResult:
    """Validate every table, apply the cross-table rules and reconcile every printed figure."""
    if tahun is not None and not (isinstance(tahun, int) and 2000 <= tahun <= 2100):
        raise ParameterError(f"Tahun {tahun!r} tidak sah: gunakan tahun antara 2000 dan 2100", key="tahun", value=tahun)
    ds, issues = collect(data_dir, satker)
    result = CheckResult(ds.data_dir, issue_findings(ds.tables, issues))
    if "satker" in ds.invalid:
        return result
    for slug in ([satker] if satker else ds.satker_list()):
        result.findings.extend(check_satker(ds, slug, tahun))
        result.findings.extend(prose_check(ds, slug, tahun))
    return result


_CHECKED: dict[tuple[str, str, int], list[Finding]] = {}  # a process's last checks, by data content, unit, year
_CHECKED_KEEP = 8


def check_model_data(model) -> CheckResult:
    """`check(model.data_dir, model.satker, model.period.tahun)` from a report model's own validated dataset (it
    was loaded with no issue): the data is not read again, and the model's period is not computed again.

    The check covers the unit's whole year, so the reports of one year (the annual and the quarterly ones, built
    one after the other by a batch worker) share it: the findings are kept, in this process, by the digest of
    every file of the model's data folder (the build's snapshot), the unit and the year. The cross-table rules
    and the reconciliation, which read no analysts' text, are also kept in lakin's cache (`kept_check_satker`):
    an analyst's rebuild after editing a paragraph does not check the year's data again."""
    key = (tree_digest(Path(model.ds.data_dir)), model.satker, model.period.tahun)
    if key not in _CHECKED:
        findings = kept_check_satker(model.ds, model.satker, model.period.tahun)
        findings += prose_check(model.ds, model.satker, model.period.tahun, {model.period.label: model})
        while len(_CHECKED) >= _CHECKED_KEEP:
            del _CHECKED[next(iter(_CHECKED))]
        _CHECKED[key] = findings
    return CheckResult(model.ds.data_dir, list(_CHECKED[key]))


def _encoded(findings: list[Finding]) -> bytes:
    """The findings as JSON; empty when a value is not one JSON carries exactly (such findings are not kept)."""
    rows = []
    for finding in findings:
        row = {name: getattr(finding, name) for name in Finding.__dataclass_fields__}
        if any(value is not None and type(value) not in (bool, int, float, str, Severity) for value in row.values()):
            return b""
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")  # floats, NaN included, read back exactly


def _decoded(body: bytes) -> list[Finding]:
    return [Finding(**{**row, "severity": Severity(row["severity"])}) for row in json.loads(body)]


def kept_check_satker(ds: Dataset, satker: str, tahun: int) -> list[Finding]:
    """`check_satker`, kept in lakin's cache (lakin.present.charts.cache, the same folder, switch and pruning as
    the charts) by the digest of everything it reads: every file of the data folder but the analysts' texts
    (narasi/), the unit, the year, lakin's own files and the versions of the libraries that compute
    (`lakin_digest`, `environment_digest`). Meant for a build's snapshot, which holds the unit's data only."""
    data_dir = Path(ds.data_dir)
    parts = ("1", lakin_digest(), environment_digest(), tree_digest(data_dir, exclude=data_dir / "narasi"),
             satker, str(tahun))
    computed: list[Finding] = []

    def compute() -> bytes:
        computed.extend(check_satker(ds, satker, tahun))
        return _encoded(computed)

    body = cached("check-satker", parts, compute)
    if computed or not body:  # computed in this call, or kept empty: not keepable, computed again
        return computed or check_satker(ds, satker, tahun)
    return _decoded(body)


def prose_check(ds: Dataset, satker: str, tahun: int | None = None, models: dict | None = None) -> list[Finding]:
    """Literal numbers in the unit's analysts' text against its report models (lakin.tools.check.prose);
    `models`: report models already computed, by period label."""
    try:
        found = prose_findings(ds, satker, tahun, models)
    except LakinError as exc:  # an unknown {{ name }} or a refused text: one finding naming file and line
        return [Finding(Severity.ERROR, "narasi", satker, "narasi", "-", message=exc.user_message())]
    except Exception as exc:  # noqa: BLE001 - odd data must not hide the other findings
        return [Finding(Severity.ERROR, "narasi", satker, "narasi", "-",
                        message=f"pemeriksaan teks narasi gagal: {exc!r}")]
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
    for name, rule in RULES.items():
        try:
            findings.extend(rule(ctx))
        except Exception as exc:  # noqa: BLE001 - odd data must not hide the other findings
            findings.append(Finding(Severity.ERROR, name, satker, "-", "-",
                                    message=f"aturan gagal dijalankan: {exc!r}"))
    reconciled = 0
    for step in (reconcile_capaian, reconcile_nilai_organisasi, reconcile_angka):
        found, n = step(ctx)
        findings.extend(found)
        reconciled += n
    own = [f for f in findings if f.rule in RECONCILIATION_RULES]
    differ = sum(1 for f in own if f.severity in (Severity.ERROR, Severity.WARNING) and f.recomputed is not None)
    unverifiable = len(own) - differ
    unreconciled = sum(int(f.key.split()[0]) for f in findings if f.rule == "tidak_direkonsiliasi")
    rounding = sum(1 for f in findings if f.rule == CONSISTENT_WITHIN_ROUNDING)
    findings.append(Finding(
        Severity.INFO, "ringkasan", satker, "-", "-", message=(
            f"{reconciled} angka tercetak dihitung ulang: {reconciled - differ - unverifiable} cocok "
            f"({reconciled - differ - unverifiable - rounding} tepat, {rounding} dalam pembulatan masukan), "
            f"{differ} berbeda, {unverifiable} tidak dapat dihitung ulang dari data; "
            f"{unreconciled} tidak direkonsiliasi (tabel tanpa fungsi hitung ulang)")))
    return findings
