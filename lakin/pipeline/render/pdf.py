"""The PDF: Typst run in a child process (or one kept between compiles, `kept_typst`), PDF/A-2b, its creation time,
and a MarkInfo key poppler misreads."""

from __future__ import annotations

import functools
import json
import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lakin.errors import RenderError
from lakin.present.charts.fonts import system_fonts, without_chart_fonts

__all__ = ["CHART_FONTS", "KEPT_TYPST_BYTES", "PDF_STANDARDS", "TYPST_TIMEOUT", "compile_pdf", "drop_false_suspects",
           "kept_typst", "pdf_timestamp", "typst_has_chart_fonts"]

TYPST_TIMEOUT = 600
# The fonts the charts' text was laid out with: vl-convert measures every label with its own Liberation Sans, and
# Arial has the same metrics. The PDF embeds a chart's SVG (vectors; its text is text) when Typst finds one of them,
# regular and bold, on this machine; otherwise the chart's PNG, whose text vl-convert drew with its own font
# (`typst_has_chart_fonts`). A label never falls back to a font of other widths than it was placed for.
CHART_FONTS = ("Liberation Sans", "Arial")
# The child: the `typst` package only (no lakin, no pandas: it starts in about 60 ms). One compile per line of JSON
# on stdin, one line of JSON back (its warnings, or the error), with the child's peak memory so that a kept child
# (`kept_typst`) can be replaced; `compile_pdf` alone sends one line and closes stdin, and the child ends. One
# `typst.Compiler` serves the compiles with the same cover fields (`sys_inputs`): inputs given anew with each
# compile make Typst lay out the whole report again (measured: 0.76 s for the same report compiled twice; with one
# Compiler, 0.09 s, and 0.2 s after a paragraph was added).
_CHILD = """
import json, sys
import typst
try:
    import resource
except ImportError:  # not POSIX: no peak memory (only a kept child, POSIX only, reads it)
    resource = None
compiler, inputs = None, None
for line in sys.stdin:
    a = json.loads(line)
    try:
        if compiler is None or a["sys_inputs"] != inputs:
            compiler, inputs = typst.Compiler(sys_inputs=a["sys_inputs"]), a["sys_inputs"]
        _, warnings = compiler.compile_with_warnings(input=a["input"], output=a["output"], root=a["root"],
                                                     pdf_standards=a["pdf_standards"], timestamp=a["timestamp"])
        reply = {"warnings": [str(w) for w in warnings or ()]}
    except Exception as exc:
        reply = {"error": str(exc)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if resource else 0
    reply["peak"] = peak if sys.platform == "darwin" else peak * 1024
    sys.stdout.write(json.dumps(reply) + "\\n")
    sys.stdout.flush()
"""
# -P: the working folder is not put first on the child's import path (a `typst.py` there is not imported). Its
# environment never names the charts' fontconfig file: Typst lays out the report with the system's fonts.
_CHILD_COMMAND = [sys.executable, "-P", "-c", _CHILD]


@functools.cache
def typst_has_chart_fonts() -> bool:
    """True when Typst, laying out the PDF on this machine, finds one of CHART_FONTS in regular and bold (upright,
    normal width). Asked once per process (15 ms here, `import typst` included), with the system's fonts as the Typst
    child sees them (`system_fonts`)."""
    import typst

    with system_fonts():
        faces = typst.Fonts(include_embedded_fonts=False).fonts()
    for family in CHART_FONTS:
        weights = {face.weight for face in faces if face.family.casefold() == family.casefold()
                   and face.style == "normal" and face.stretch == 1.0}
        if {400, 700} <= weights:
            return True
    return False


def _warnings(reply: dict) -> list[str]:
    """The warnings of a child's reply, or RenderError with Typst's message."""
    if "error" in reply:
        raise RenderError(f"Typst gagal membuat PDF: {reply['error'][-2000:]}", engine="typst")
    return reply["warnings"]


# A kept child that has grown past this (bytes, peak) is replaced after its compile: each compile adds its memoised
# state (measured: about 12 MB per edit of a report's text, 115-140 MB per other report).
KEPT_TYPST_BYTES = 1024 * 1024 * 1024


class _KeptTypst:
    """One Typst child for many compiles: Typst memoises its work, so a report compiled again after a paragraph
    was added takes about 0.2 s instead of 0.8-1.3 s (kppbc-balikpapan 2024, measured)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def compile(self, args: dict) -> list[str]:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = subprocess.Popen(_CHILD_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL, text=True, env=without_chart_fonts(os.environ))
            timed_out, line = False, ""
            try:
                self.proc.stdin.write(json.dumps(args) + "\n")
                self.proc.stdin.flush()
                ready, _, _ = select.select([self.proc.stdout], [], [], TYPST_TIMEOUT)
                timed_out = not ready
                line = "" if timed_out else self.proc.stdout.readline()
            except OSError:  # the child is gone (killed): its pipe is closed
                pass
            if not line:
                self.stop()
                if timed_out:
                    raise RenderError(f"Typst: melewati batas waktu {TYPST_TIMEOUT} detik", engine="typst")
                raise RenderError("Typst berhenti sebelum membuat PDF", engine="typst")
            reply = json.loads(line)
            if reply["peak"] > KEPT_TYPST_BYTES:
                self.stop()  # the next compile starts a new child
            return _warnings(reply)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                proc.stdin.close()  # the child's loop ends
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()


_KEPT: _KeptTypst | None = None


@contextmanager
def kept_typst() -> Iterator[None]:
    """Within it, this process compiles its PDFs in one Typst child kept between compiles (`lakin build --watch`:
    the same report compiled again after each save), replaced once it grows past KEPT_TYPST_BYTES."""
    global _KEPT
    if os.name != "posix":  # the child's replies are awaited with select() on its pipe: POSIX only
        yield
        return
    previous, _KEPT = _KEPT, _KeptTypst()
    try:
        yield
    finally:
        _KEPT.stop()
        _KEPT = previous


def compile_pdf(main: Path, output: Path, root: Path, sys_inputs: dict[str, str]) -> list[str]:
    """Compile `main` to `output` with Typst in a child process and return its warnings (RenderError on failure).

    Not in this process: the typst package keeps every compilation's memoised state for the life of the
    process (measured: about 55 MB more per report, never given back), so a batch worker building hundreds of
    reports would grow without bound. Within `kept_typst`, the child is kept between compiles."""
    args = {"input": str(main), "output": str(output), "root": str(root), "sys_inputs": sys_inputs,
            "pdf_standards": PDF_STANDARDS, "timestamp": pdf_timestamp()}
    if _KEPT is not None:
        return _KEPT.compile(args)
    try:
        proc = subprocess.run(_CHILD_COMMAND, input=json.dumps(args) + "\n", capture_output=True, text=True,
                              timeout=TYPST_TIMEOUT, check=False, env=without_chart_fonts(os.environ))
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"Typst: melewati batas waktu {TYPST_TIMEOUT} detik", engine="typst") from exc
    if proc.returncode != 0 or not proc.stdout:
        raise RenderError(f"Typst gagal membuat PDF: {proc.stderr.strip()[-2000:]}", engine="typst")
    return _warnings(json.loads(proc.stdout))

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
