"""Excel in and out: the data-entry template, importing a filled workbook into the CSV tables, and the
workbook of a report's tables.

The template and the importer are driven by `lakin.data.schemas.TABLES`; the importer turns every typed cell
into the data contract's text form and hands it to the CSV parser and validator of `lakin.data.load`, so a
workbook is judged by exactly the rules (and messages) a CSV file is, located by sheet, Excel row and column.

- cells: one cell, written safely and read back as contract text
- columns: the header notes, input messages and data validations of one column
- template: the data-entry workbook (`write_template`)
- sheets: reading one sheet (size limits, located issues) and which rows it replaces
- wide: the wide entry sheet `isian_iku`
- importing: `read_workbook`, `import_workbook`, `ImportResult`
- files: the changed CSV files, committed all at once
- report: the workbook of a report's tables (`write_report_workbook`, `parse_display_number`); the tables
  of executed notebooks, numbered as printed, come from lakin.pipeline.report_tables.notebook_tables
"""

from __future__ import annotations

from lakin.tools.excel.cells import cell_text
from lakin.tools.excel.importing import ImportResult, import_workbook, read_workbook
from lakin.tools.excel.report import ReportTable, parse_display_number, write_report_workbook
from lakin.tools.excel.sheets import (
    EXCEL_NUMBER_ADVICE, MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_PART_BYTES, MAX_PARTS, MAX_WORKBOOK_BYTES,
    SheetData,
)
from lakin.tools.excel.template import NOTES_SHEET, write_template
from lakin.tools.excel.wide import WIDE_HEADER_ROW, WIDE_SHEET

__all__ = [
    "EXCEL_NUMBER_ADVICE", "ImportResult", "MAX_CELL_CHARS", "MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_PARTS",
    "MAX_PART_BYTES", "MAX_WORKBOOK_BYTES", "NOTES_SHEET", "ReportTable", "SheetData", "WIDE_HEADER_ROW", "WIDE_SHEET",
    "cell_text", "import_workbook", "parse_display_number", "read_workbook", "write_report_workbook", "write_template",
]
