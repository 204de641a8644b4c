"""What notebooks display: text, tables and charts as output bundles the renderers can read.

Every output carries `text/markdown` (what the pandoc/Quarto path renders) and, for people in
JupyterLab, `text/html`, or SVG with the interactive Vega-Lite spec for charts. Metadata `lakin.kind` marks headings,
tables and figures so the renderer can number them; captions are given here, numbers are not.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from lakin.present.fmt import same_decimals
from lakin.values import is_na

# Everything pandoc's Markdown reads as markup: emphasis, code, links, raw HTML, headings, tables, attributes,
# citations (@), math ($), sub/superscript (~ ^), entities (&), smart quotes, dashes (--) and ellipses (...).
_MD_SPECIAL = re.compile(r"""([\\`*_{}\[\]<>#|@$~^&"'!]|-(?=-)|\.(?=\.\.))""")
# A list marker at the start of a block: "- ", "+ ", "1. ", "1) ", "(1) ", "a. ", "iv) ".
_LIST_START = re.compile(r"^([ \t]*)(\(?)(\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+)?([-+.)])(?=[ \t]|$)")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\v\f\x85\u2028\u2029]")
# "%" opening a document is a pandoc title block: the text would vanish into metadata.
_TITLE_START = re.compile(r"^([ \t]*)%")


def _inert_list_marker(m: re.Match) -> str:
    paren = "\\(" if m[2] else ""
    return f"{m[1]}{paren}{m[3] or ''}\\{m[4]}"


def escape_md(text) -> str:
    """Text from data made inert for Markdown (and thus for HTML, DOCX and Typst produced from it): one line
    that every renderer prints literally."""
    if text is None or is_na(text):
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))
    escaped = _TITLE_START.sub(r"\1\\%", escaped, count=1)
    return _LIST_START.sub(_inert_list_marker, escaped, count=1)


def _display(bundle: dict, metadata: dict | None = None) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata={"lakin": metadata or {"kind": "text"}})


def markdown(text: str) -> None:
    """A block of Markdown prose (already escaped where it holds data)."""
    _display({"text/markdown": text, "text/plain": text}, {"kind": "text"})


def heading(text: str, level: int = 2, ident: str | None = None) -> None:
    """A heading produced by code, so that sections without data leave no empty heading."""
    md = f"{'#' * level} {escape_md(text)}"
    _display({"text/markdown": md, "text/plain": text}, {"kind": "heading", "level": level, "id": ident})


def table_markdown(df: pd.DataFrame) -> str:
    """A pipe table; cells escaped, numbers already formatted as text by the caller."""
    cols = [escape_md(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |"]
    aligns = []
    for c in df.columns:
        sample = df[c].astype(str)
        numeric = sample.str.match(r"^[-+]?(Rp)?[\d.,]+%?$|^N/A$|^-$").all() and len(df) > 0
        aligns.append("---:" if numeric else ":---")
    lines.append("|" + "|".join(aligns) + "|")
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(escape_md(v) for v in row) + " |")
    return "\n".join(lines)


def table_html(df: pd.DataFrame, caption: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if is_na(v) else str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return (f'<table class="lakin-table"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def table(df: pd.DataFrame, caption: str, ident: str | None = None, note: str | None = None) -> None:
    """A numbered table (number given by the renderer) with its caption and optional source note; numbers of a
    column share their decimals (`fmt.same_decimals`) in every surface built from it."""
    df = same_decimals(df)
    md = table_markdown(df) + f"\n\n: {escape_md(caption)}"
    if note:
        md += f"\n\n*{escape_md(note)}*"
    _display({"text/markdown": md, "text/html": table_html(df, caption), "text/plain": df.to_string(index=False)},
             {"kind": "table", "caption": caption, "id": ident, "rows": int(len(df)),
              "columns": [str(c) for c in df.columns],
              "data": [["" if is_na(v) else str(v) for v in row] for row in df.itertuples(index=False)]})


def chart(spec, caption: str, ident: str | None = None, width: int = 640) -> None:
    """A numbered figure: SVG and the Vega-Lite spec (JupyterLab); renderers draw PNGs from the same spec."""
    from lakin.present.charts import to_svg, with_locale

    vl = with_locale(spec.to_dict() if hasattr(spec, "to_dict") else spec)
    _display({
        "image/svg+xml": to_svg(spec),
        "application/vnd.vegalite.v5+json": vl,
        "text/plain": caption,
    }, {"kind": "figure", "caption": caption, "id": ident, "width": width})
