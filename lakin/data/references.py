"""Cross-table rules every consumer relies on, run by `lakin.data.load.collect` after every table is read.

A rule is a function `(dataset, issues) -> None` that appends `DataIssue`s, kept in `REFERENCE_RULES` under a
name and filled where it is defined: the rules of the data contract below (every row's satker is in
satker.csv; every value of iku_nilai names an indicator of iku.csv), the framework rules where frameworks are
(`lakin.rules.references`: the unit's framework exists, the indicator's conversion rule and perspective exist
in it, the framework's own input checks). Issues come in the order of `RULE_ORDER`, then any other rule.

A rule runs only on tables read without issues (`Dataset.invalid`), so a broken table is reported once, not
again as a flood of dangling references; nothing runs when satker.csv itself is broken.
"""

from __future__ import annotations

from typing import Callable

from lakin.data.dataset import Dataset
from lakin.data.parse import FILE_COL, LINE_COL
from lakin.data.schemas import TABLE_ORDER, TABLES
from lakin.errors import DataIssue
from lakin.registry import Registry

__all__ = ["REFERENCE_RULES", "RULE_ORDER", "ReferenceRule", "check_references"]

ReferenceRule = Callable[[Dataset, list[DataIssue]], None]
REFERENCE_RULES: Registry[ReferenceRule] = Registry("reference rule")
# The order issues are reported in (the order the rules were written in before they were split by layer).
RULE_ORDER = ("kerangka", "satker", "kode", "aturan")


def check_references(ds: Dataset, issues: list[DataIssue]) -> None:
    """Run every reference rule on a dataset, appending what each finds to `issues`."""
    if "satker" in ds.invalid:
        return
    names = [n for n in RULE_ORDER if n in REFERENCE_RULES] + [n for n in REFERENCE_RULES if n not in RULE_ORDER]
    for name in names:
        REFERENCE_RULES[name](ds, issues)


@REFERENCE_RULES.add("satker")
def check_satker(ds: Dataset, issues: list[DataIssue]) -> None:
    """Every row of a per-satker table names a unit of satker.csv."""
    slugs = set(ds.tables["satker"]["satker"])
    for name in TABLE_ORDER:
        if not TABLES[name].per_satker or name in ds.invalid:
            continue
        df = ds.tables[name]
        for _, row in df[~df["satker"].isin(slugs)].iterrows():
            issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "satker", row["satker"],
                                    "satker yang terdaftar di satker.csv"))


@REFERENCE_RULES.add("kode")
def check_kode(ds: Dataset, issues: list[DataIssue]) -> None:
    """Every value of iku_nilai names an indicator iku.csv defines for the same unit."""
    if "iku" in ds.invalid or "iku_nilai" in ds.invalid:
        return
    iku = ds.tables["iku"]
    defined = set(zip(iku["satker"], iku["kode"]))
    nilai = ds.tables["iku_nilai"]
    orphan = [pair not in defined for pair in zip(nilai["satker"], nilai["kode"])]
    for _, row in nilai[orphan].iterrows():
        issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "kode", row["kode"],
                                f"indikator yang didefinisikan di iku.csv untuk satker {row['satker']}"))
