"""The data contract as a document: docs/data-contract.md, generated from the table declarations in `schemas`.

The prose (layout, numbers, N/A, narrative, Excel) is written here once; every table and column comes from
`lakin.data.schemas.TABLES`, so the document cannot drift from what the loader accepts
(`python -m lakin.data.contract > docs/data-contract.md`; a test compares).
"""

from __future__ import annotations

from lakin.data.schemas import TABLES, Col, Table

__all__ = ["markdown"]

_INTRO = """\
# Kontrak data / Data contract

What an analyst hands to `lakin`: one folder (default `data/`, any other with `--data DIR`) laid out as below.
This page is generated from the table declarations in `lakin/data/schemas.py` (`python -m lakin.data.contract >
docs/data-contract.md`), so it lists exactly what the loader accepts. `data/README.md` tells where each value of
the two shipped units comes from in their source reports.

## Layout and values
- One CSV per table (`<table>.csv`), UTF-8, comma-separated, header row. A table may instead be a folder
  `<table>/` of CSVs with the same header, e.g. one file per unit (`<table>/<satker>.csv` or
  `<table>/<satker>-*.csv`); they are concatenated.
- Numbers use `.` as the decimal mark and no thousands separator; money is in whole rupiah. `97,75` or
  `1.864.599.579.000` in a numeric column is refused with a message naming file, row, column and value
  (the Excel import takes typed cells, see `docs/excel.md`).
- An empty cell means "not available" (N/A, shown grey), never zero.
- Every row carries `satker` (the unit's slug, `^[a-z0-9][a-z0-9-]{1,62}$`) and, except in `satker.csv`,
  `tahun`.
- Symbolic links that lead outside the data folder are refused; files over the documented size limit are
  refused before they are read.

## Frameworks
`satker.kerangka` names a performance framework: a YAML file in `<data>/frameworks/` or shipped in
`lakin/frameworks/` (`kemenkeu-bsc`: KMK 300/KMK.01/2022, NKO; `kkp-npss`: NPSS). The framework states its
levels, weights, clamp, period mapping, conversion tables, colour bands and the name of the overall score
(`docs/frameworks.md`).

## Report periods
`2024Q1` reads column `Q1`, `2024Q2` reads `S1`, `2024Q3` reads `SDQ3`, `2024` (also `2024Q4`) reads `Y`;
a framework may map them differently.

## Text written by people
`narasi/<satker>/<tahun>/<name>.md`: analysts' own Markdown (analysis per indicator `iku-<kode>.md`, obstacles,
plans, foreword, closing). It is untrusted input: it may refer to figures of the report by name and to images in
its own folder only; `data/README.md` (section *narasi*) gives the names, the per-period files and the fallback.

## Tables
"""

_KIND = {
    "text": "teks", "slug": "slug", "code": "kode", "int": "bilangan bulat", "float": "angka",
    "money": "rupiah (bulat)", "date": "tanggal (YYYY-MM-DD)", "bool": "true/false",
}


def _column_line(name: str, col: Col) -> str:
    need = "wajib" if col.required else "opsional"
    need += ", boleh kosong" if col.nullable else ""
    rules = []
    if col.isin:
        rules.append("salah satu dari " + " \\| ".join(f"`{v}`" for v in col.isin))
    if col.ge is not None:
        rules.append(f">= {col.ge:g}")
    if col.le is not None:
        rules.append(f"<= {col.le:g}")
    if col.pattern and name != "satker":
        rules.append(f"pola `{col.pattern}`")
    if col.kind == "money" and col.negative:
        rules.append("boleh negatif (pengembalian)")
    detail = "; ".join(x for x in [col.doc.replace("|", "\\|")] + rules if x)
    return f"| `{name}` | {_KIND.get(col.kind, col.kind)} | {need} | {detail} |"


def _table_section(table: Table) -> str:
    where = f"`{table.file}` or `{table.name}/*.csv`"
    lines = [f"### `{table.name}`", "", f"{table.doc} File: {where}. "
             f"{'Required' if table.required else 'Optional'} table; one row per "
             + ", ".join(f"`{k}`" for k in table.key) + ".", "",
             "| column | kind | presence | meaning and rule |", "|---|---|---|---|"]
    lines += [_column_line(name, col) for name, col in table.columns.items()]
    return "\n".join(lines)


def markdown() -> str:
    """docs/data-contract.md as text."""
    return _INTRO + "\n" + "\n\n".join(_table_section(t) for t in TABLES.values()) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
