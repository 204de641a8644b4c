"""The PDF: Typst run in a child process, PDF/A-2b, its creation time, and a MarkInfo key poppler misreads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lakin.errors import RenderError

__all__ = ["PDF_STANDARDS", "TYPST_TIMEOUT", "compile_pdf", "drop_false_suspects", "pdf_timestamp"]

TYPST_TIMEOUT = 600
# The child: the `typst` package only (no lakin, no pandas: it starts in about 60 ms). Its arguments come as JSON
# on stdin, its warnings go back as JSON on stdout, a failure's message on stderr.
_CHILD = """
import json, sys
import typst
a = json.loads(sys.stdin.read())
try:
    _, warnings = typst.compile_with_warnings(a["input"], output=a["output"], root=a["root"],
                                              sys_inputs=a["sys_inputs"], pdf_standards=a["pdf_standards"],
                                              timestamp=a["timestamp"])
except Exception as exc:
    sys.stderr.write(str(exc))
    sys.exit(1)
sys.stdout.write(json.dumps([str(w) for w in warnings or ()]))
"""


def compile_pdf(main: Path, output: Path, root: Path, sys_inputs: dict[str, str]) -> list[str]:
    """Compile `main` to `output` with Typst in a child process and return its warnings (RenderError on failure).

    Not in this process: the typst package keeps every compilation's memoised state for the life of the
    process (measured: about 55 MB more per report, never given back), so a batch worker building hundreds of
    reports would grow without bound."""
    args = {"input": str(main), "output": str(output), "root": str(root), "sys_inputs": sys_inputs,
            "pdf_standards": PDF_STANDARDS, "timestamp": pdf_timestamp()}
    try:
        # -P: the working folder is not put first on the child's import path (a `typst.py` there is not imported)
        proc = subprocess.run([sys.executable, "-P", "-c", _CHILD], input=json.dumps(args), capture_output=True,
                              text=True, timeout=TYPST_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"Typst: melewati batas waktu {TYPST_TIMEOUT} detik", engine="typst") from exc
    if proc.returncode != 0:
        raise RenderError(f"Typst gagal membuat PDF: {proc.stderr.strip()[-2000:]}", engine="typst")
    return json.loads(proc.stdout or "[]")

PDF_STANDARDS = ["a-2b"]  # PDF/A-2b: an archivable PDF (fonts embedded, metadata in XMP)
_FALSE_SUSPECTS = b"/MarkInfo<</Marked true/Suspects false>>"


def pdf_timestamp() -> int | None:
    """The PDF's creation time (Info CreationDate/ModDate, XMP dates and the instance ids Typst derives from
    them): SOURCE_DATE_EPOCH when set, for byte-identical rebuilds; else None, the time of the render."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def drop_false_suspects(path: Path) -> None:
    """Blank out `/Suspects false` in Typst's MarkInfo, which poppler (pdfinfo, pdftotext) reports as
    "Syntax Error: Suspects object is wrong type (boolean)" although the key is optional and false is its
    default. The bytes are replaced by spaces of the same length, so every cross-reference offset holds."""
    data = path.read_bytes()
    if data.count(_FALSE_SUSPECTS) == 1:
        blank = b"/MarkInfo<</Marked true" + b" " * len(b"/Suspects false") + b">>"
        path.write_bytes(data.replace(_FALSE_SUSPECTS, blank))
