"""What the template tells about one column: the header's note, the input message and the data validation."""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from lakin.data.schemas import MAX_RUPIAH, Col, Table
from lakin.tools.excel.cells import number_text

__all__ = ["KIND_LABELS", "LINKED", "SUGGESTED", "bounds", "column_note", "validation"]

KIND_LABELS = {
    "text": "teks", "slug": "slug (huruf kecil, angka, tanda -)", "code": "kode (pilih dari daftar)",
    "int": "bilangan bulat", "float": "angka", "money": "rupiah utuh", "date": "tanggal", "bool": "true/false",
}
BOOL_CHOICES = ("true", "false")
# Columns whose values are listed in another sheet: a drop-down linked to that list (a defined name).
LINKED = {"satker": ("daftar_satker", "satker"), "kode": ("daftar_indikator", "iku")}
# Suggested values for open-ended coded columns (the contract says they are extensible): offered as a
# drop-down that still accepts other entries.
SUGGESTED = {"jenis": ("bea_masuk", "bea_keluar", "cukai")}


def bounds(col: Col) -> str:
    """The column's bounds in words ('>= 1 dan <= 12'), '' without bounds."""
    return " dan ".join(b for b in (f">= {col.ge:g}" if col.ge is not None else "",
                                    f"<= {col.le:g}" if col.le is not None else "") if b)


def column_note(name: str, col: Col) -> str:
    """The note of a header cell: kind, whether it may be empty, choices or bounds, what the column means."""
    lines = [f"{name}: {KIND_LABELS[col.kind]}"]
    lines.append("boleh kosong (= tidak tersedia, bukan nol)" if col.nullable else "wajib diisi")
    if not col.required:
        lines.append("kolom opsional")
    if col.isin:
        lines.append("pilihan: " + ", ".join(col.isin))
    elif name in SUGGESTED:
        lines.append("mis. " + ", ".join(SUGGESTED[name]))
    if bounds(col):
        lines.append("batas: " + bounds(col))
    if col.kind == "money":
        lines.append("boleh negatif (pengembalian)" if col.negative else "tidak boleh negatif")
    if col.doc:
        lines.append(col.doc)
    return "\n".join(lines)


def _prompt(name: str, col: Col) -> str:
    """The input message Excel shows on a selected cell of the column (at most 255 characters)."""
    parts = [KIND_LABELS[col.kind] + ("" if col.nullable else ", wajib diisi")]
    if col.isin:
        parts.append("pilih dari daftar")
    elif name in LINKED:
        parts.append(f"pilih dari daftar (lembar {LINKED[name][1]})")
    if bounds(col) and max(abs(b) for b in (col.ge, col.le) if b is not None) < 1e12:
        parts.append(bounds(col))
    if col.kind in ("float", "money"):
        parts.append("ketik sebagai angka, di Excel berbahasa Indonesia mis. "
                     + ("97,75" if col.kind == "float" else "1.234.567"))
    if col.doc:
        parts.append(col.doc)
    text = "; ".join(parts)
    return text if len(text) <= 255 else text[:252].rstrip() + "..."


def validation(name: str, col: Col, table: Table | None = None) -> DataValidation:
    """The data validation of one column: a drop-down for coded columns and for units and indicators (linked
    to their sheets), a number range for numbers; always with an input message."""
    dv = _rule(name, col, table)
    dv.showInputMessage = True
    dv.promptTitle = name[:32]
    dv.prompt = _prompt(name, col)
    return dv


def _rule(name: str, col: Col, table: Table | None) -> DataValidation:
    choices = col.isin or (BOOL_CHOICES if col.kind == "bool" else None)
    if choices:
        return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=name, error="Pilih salah satu: " + ", ".join(choices))
    if name in SUGGESTED:
        return DataValidation(type="list", formula1='"' + ",".join(SUGGESTED[name]) + '"', allow_blank=True,
                              showErrorMessage=False)
    if col.kind in ("int", "money", "float"):
        low = col.ge if col.ge is not None else (0 if col.kind == "money" and not col.negative else -MAX_RUPIAH)
        high = col.le if col.le is not None else MAX_RUPIAH
        whole = col.kind in ("int", "money")
        return DataValidation(type="whole" if whole else "decimal", operator="between",
                              formula1=number_text(float(low)), formula2=number_text(float(high)),
                              allow_blank=True, showErrorMessage=True, errorTitle=name,
                              error=f"{'Bilangan bulat' if whole else 'Angka'} antara {low:g} dan {high:g}")
    if name in LINKED and table is not None and table.name != LINKED[name][1]:
        # a suggestion, not a rule: a unit or indicator may exist in the data directory and not in this workbook
        return DataValidation(type="list", formula1=LINKED[name][0], allow_blank=True, showErrorMessage=False)
    return DataValidation(allow_blank=True)  # any value; carries the input message
