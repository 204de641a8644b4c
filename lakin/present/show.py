"""What notebooks display: text, tables and charts as output bundles the renderers can read.

Each output is stored once, in the one form its readers use: `text/markdown` for prose, headings and tables
(what the pandoc/Quarto path renders and JupyterLab shows), the Vega-Lite spec for charts (JupyterLab draws it;
the renderers convert it for each format). Metadata `lakin.kind` marks headings, tables and figures so the
renderer can number them (captions are given here, numbers are not); a table's metadata also holds its cells
(`lakin.pipeline.report_tables`, the tables workbook), a heading's `text/plain` its unescaped text.
"""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import display

from lakin.model.refs import escape_md
from lakin.present.charts import spec_dict, with_locale
from lakin.present.fmt import same_decimals
from lakin.values import is_na

__all__ = ["VEGALITE", "chart", "escape_md", "heading", "markdown", "narasi", "table", "table_markdown"]

VEGALITE = "application/vnd.vegalite.v5+json"


def _display(bundle: dict, metadata: dict | None = None) -> None:
    display(bundle, raw=True, metadata={"lakin": metadata or {"kind": "text"}})


def markdown(text: str) -> None:
    """A block of Markdown prose (already escaped where it holds data)."""
    _display({"text/markdown": text}, {"kind": "text"})


def narasi(name: str, text: str) -> None:
    """An analysts' block (`ReportModel.narasi_shown`): Markdown prose marked with the block's name, the output
    an incremental build puts an edited text into (lakin.pipeline.incremental)."""
    _display({"text/markdown": text}, {"kind": "text", "narasi": name})


def heading(text: str, level: int = 2, ident: str | None = None) -> None:
    """A heading produced by code, so that sections without data leave no empty heading."""
    md = f"{'#' * level} {escape_md(text)}"
    _display({"text/markdown": md, "text/plain": text}, {"kind": "heading", "level": level, "id": ident})


# A column is right-aligned when every cell, as text, is a number as lakin prints it, "N/A" or "-".
_NUMERIC_CELL = re.compile(r"^[-+]?(Rp)?[\d.,]+%?$|^N/A$|^-$")


def _numeric_cell(value) -> bool:
    """A cell written as a number (or N/A, -); a missing cell is not one."""
    if is_na(value):
        return False
    return _NUMERIC_CELL.match(value if isinstance(value, str) else str(value)) is not None


def table_markdown(df: pd.DataFrame) -> str:
    """A pipe table; cells escaped, numbers already formatted as text by the caller.

    Plain loops over the frame's values (a report of 40 tables spent 0.13 s in pandas' `astype(str)`, `str.match`
    and `iterrows`): the cells as `iterrows` gives them, and the same alignment."""
    cols = [escape_md(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |"]
    aligns = []
    for c in df.columns:
        aligns.append("---:" if len(df) > 0 and all(map(_numeric_cell, df[c].tolist())) else ":---")
    lines.append("|" + "|".join(aligns) + "|")
    for row in df.values.tolist():  # the rows `iterrows` makes Series of (one dtype for the whole frame)
        lines.append("| " + " | ".join(escape_md(v) for v in row) + " |")
    return "\n".join(lines)


def table(df: pd.DataFrame, caption: str, ident: str | None = None, note: str | None = None) -> None:
    """A numbered table (number given by the renderer) with its caption and optional source note; numbers of a
    column share their decimals (`fmt.same_decimals`) in every surface built from it."""
    df = same_decimals(df)
    md = table_markdown(df) + f"\n\n: {escape_md(caption)}"
    if note:
        md += f"\n\n*{escape_md(note)}*"
    _display({"text/markdown": md},
             {"kind": "table", "caption": caption, "id": ident, "rows": int(len(df)),
              "columns": [str(c) for c in df.columns],
              "data": [["" if is_na(v) else str(v) for v in row] for row in df.itertuples(index=False)]})


def chart(spec, caption: str, ident: str | None = None, width: int = 640) -> None:
    """A numbered figure: its Vega-Lite spec (JupyterLab draws it; renderers convert it for each format)."""
    vl = with_locale(spec_dict(spec))
    _display({VEGALITE: vl}, {"kind": "figure", "caption": caption, "id": ident, "width": width})
