"""The framework rules of the data's cross-table checks (`lakin.data.references`), registered where frameworks are.

- "kerangka": every framework file the units name is well formed, and every unit's `kerangka` is known;
- "aturan": every indicator's conversion rule (`aturan_capaian`) and weighted perspective exist in its unit's
  framework, and the framework's own input checks (`lakin.rules.scoring.validate_inputs`) pass.
"""

from __future__ import annotations

import pandas as pd

from lakin.data.dataset import Dataset
from lakin.data.parse import FILE_COL, LINE_COL
from lakin.data.references import REFERENCE_RULES
from lakin.errors import DataIssue
from lakin.rules.frameworks import available_frameworks, load_frameworks
from lakin.rules.scoring import validate_inputs

__all__ = ["check_framework_rules", "check_frameworks"]


def check_frameworks(ds: Dataset, issues: list[DataIssue]) -> None:
    """Framework files beside the data first, then the package's; a malformed file is reported key by key."""
    units = ds.tables["satker"]
    _, framework_issues = load_frameworks(units["kerangka"], ds.data_dir)
    issues.extend(framework_issues)
    known = set(available_frameworks(ds.data_dir))
    for _, row in units[~units["kerangka"].isin(known)].iterrows():
        issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "kerangka", row["kerangka"],
                                f"kerangka yang dikenal: {', '.join(sorted(known))}"))


def check_framework_rules(ds: Dataset, issues: list[DataIssue]) -> None:
    """Each indicator against its unit's framework: conversion rule, weighted perspective, the framework's checks."""
    if "iku" in ds.invalid:
        return
    units = ds.tables["satker"]
    loaded, _ = load_frameworks(units["kerangka"], ds.data_dir)
    iku = ds.tables["iku"]
    known_units = units[units["kerangka"].isin(list(loaded))]
    kerangka = dict(zip(known_units["satker"], known_units["kerangka"]))
    frameworks = iku["satker"].map(kerangka)
    for framework_id, rows in iku[frameworks.notna()].groupby(frameworks[frameworks.notna()], sort=False):
        fw = loaded[framework_id]
        aturan = rows["aturan_capaian"] if "aturan_capaian" in rows else pd.Series(dtype=object)
        unknown_rule = aturan.map(lambda a: isinstance(a, str) and bool(a) and a not in fw.aturan)
        for _, row in rows[unknown_rule.astype(bool)].iterrows():
            known = ", ".join(sorted(fw.aturan)) or "(tidak ada)"
            issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), "aturan_capaian", row["aturan_capaian"],
                                    f"aturan capaian yang didefinisikan di kerangka {fw.id}: {known}"))
        bobot = fw.overall.get("bobot") if fw.overall.get("agregasi") == "weighted" else None
        column = fw.levels[-1]["kolom"]
        if bobot and column in rows:
            for _, row in rows[~rows[column].isin(list(bobot))].iterrows():
                issues.append(DataIssue(row[FILE_COL], int(row[LINE_COL]), column, row[column],
                                        f"salah satu dari: {', '.join(bobot)} (kerangka {fw.id})"))
        units_of = set(rows["satker"])
        issues.extend(validate_inputs(fw, {n: ds.tables[n][ds.tables[n]["satker"].isin(units_of)]
                                           for n in ("iku", "iku_nilai", "bobot_kerangka") if n not in ds.invalid}))


REFERENCE_RULES.add("kerangka", check_frameworks)
REFERENCE_RULES.add("aturan", check_framework_rules)
