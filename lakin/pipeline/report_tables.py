"""The tables of an executed report, numbered as the rendered report prints them, for its tables workbook
(lakin.tools.excel.write_report_workbook)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Iterable

import pandas as pd

from lakin.atomic import TMP_PREFIX
from lakin.pipeline.render import ReportMeta, assemble
from lakin.pipeline.render.notebooks import read_notebook
from lakin.model.refs import escape_md
from lakin.tools.excel import ReportTable

__all__ = ["notebook_tables"]

_PRINTED_CAPTION = re.compile(r"^: (?P<number>Tabel \S+) (?P<caption>.*)$", re.M)


def notebook_tables(notebooks: Iterable[Path | str], meta: ReportMeta | None = None) -> list[ReportTable]:
    """Every table the executed chapters displayed, with the number the rendered report prints for it.

    The numbers come from lakin.pipeline.render's own assembly of the same notebooks (and `meta`: its
    outline groups and numbers the chapters, its foreword comes first), run
    on copies without figures so that no image is drawn; each table is paired with its printed caption in
    print order. A table the assembly does not print keeps no number and is listed as "Tabel" + its rank.
    """
    shown: list[tuple[str, pd.DataFrame]] = []
    with tempfile.TemporaryDirectory(prefix=TMP_PREFIX) as tmp:
        copies = []
        for path in notebooks:
            nb = read_notebook(Path(path))  # as the renderer reads it (nbformat's validation: 0.3 s a build)
            for cell in nb["cells"]:
                if cell.get("cell_type") != "code":
                    continue
                kept = []
                for out in cell.get("outputs", []):
                    meta_out = (out.get("metadata") or {}).get("lakin") or {}
                    if meta_out.get("kind") == "table" and "columns" in meta_out:
                        shown.append((str(meta_out.get("caption") or ""),
                                      pd.DataFrame(meta_out["data"], columns=meta_out["columns"])))
                    if "text/markdown" in (out.get("data") or {}) and meta_out.get("kind") != "figure":
                        kept.append(out)
                cell["outputs"] = kept
            copies.append(Path(tmp) / Path(path).name)
            copies[-1].write_text(json.dumps(nb), encoding="utf-8")
        printed = [(m["number"], m["caption"])
                   for m in _PRINTED_CAPTION.finditer(assemble(copies, Path(tmp) / "media", meta).markdown)]
    tables, at = [], 0
    for rank, (caption, frame) in enumerate(shown, start=1):
        want = escape_md(caption)
        found = next((i for i in range(at, len(printed)) if printed[i][1] == want), None)
        number = f"Tabel {rank}"
        if found is not None:
            number, at = printed[found][0], found + 1
        tables.append(ReportTable(number, caption, frame))
    return tables
