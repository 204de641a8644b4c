"""`lakin build --watch`: the report built again whenever what it reads changes, by the same process.

An analyst edits a paragraph, saves, and finds the report rebuilt. The process keeps what a new `lakin build`
pays for again: starting Python and importing lakin (2-3 s), the warm kernel (about 3 s to start) that a data
edit needs to execute chapters again, and (the command runs it within `lakin.pipeline.render.pdf.kept_typst`)
Typst's layout of what an edit did not change. Each rebuild is an ordinary incremental build
(`lakin.pipeline.build.build`): only the chapters whose inputs changed are executed, and the report folder is
replaced in one step, so a reader never sees half a report.

What the report reads is checked every `INTERVAL` seconds (`report_inputs`): the unit's data, its analysts' texts
and the frameworks beside the data (`lakin.data.fingerprint.unit_data_digest`, a few milliseconds) and the chapter
notebooks (`lakin.pipeline.batch.stamps.notebooks_digest`). A change is built once the files have held still for
`SETTLE` seconds (an editor may save in steps). A build that fails (a value the contract refuses, a file
half-saved) is reported and the previous report stays; the next change is built again. Ctrl-C ends the watch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from lakin.data.fingerprint import digest, unit_data_digest
from lakin.errors import FileSystemError, LakinError
from lakin.pipeline.batch.stamps import notebooks_digest
from lakin.values import angka

__all__ = ["INTERVAL", "SETTLE", "look", "report_inputs", "watch"]

INTERVAL = 0.5  # seconds between two looks at the inputs
SETTLE = 0.2  # seconds a change must hold still before it is built (an editor may write a file in steps)


def report_inputs(data_dir: str | Path, satker: str) -> Callable[[], str]:
    """A digest of what a unit's report reads: its data, its analysts' texts, the frameworks beside the data
    (`unit_data_digest`) and the chapter notebooks."""
    return lambda: digest(unit_data_digest(data_dir, satker).encode(), notebooks_digest().encode())


def look(inputs: Callable[[], str]) -> str | None:
    """`inputs()`, or None when it cannot be read just now."""
    try:
        return inputs()
    except (OSError, LakinError):  # a file moved or half-written while it was read: look again next time
        return None


def watch(build: Callable[[], object], inputs: Callable[[], str], say: Callable[[str], None],
          seen: str | None = None, interval: float = INTERVAL, settle: float = SETTLE,
          sleep: Callable[[float], None] = time.sleep) -> None:
    """Look at `inputs()` every `interval` seconds and call `build` each time it gives a digest other than `seen`
    (what the last build read: taken before it started, so that a save during that build is built too; by
    default, the inputs as they are now) that is still the same `settle` seconds later; `say` reports each
    rebuild, or why it failed. Returns when interrupted (Ctrl-C)."""
    if seen is None:
        seen = look(inputs)
    try:
        while True:
            sleep(interval)
            now = look(inputs)
            if now is None or now == seen:
                continue
            sleep(settle)  # an editor may write a file in steps: build once it holds still
            if look(inputs) != now:
                continue
            seen = now
            started = time.perf_counter()
            try:
                build()
            except (LakinError, OSError) as exc:
                error = exc if isinstance(exc, LakinError) else FileSystemError.from_os(exc)
                say(f"Galat: {error.user_message()}")
                say("Laporan sebelumnya tetap; menunggu perubahan berikutnya.")
                continue
            say(f"Laporan diperbarui dalam {angka(time.perf_counter() - started, 1)} detik.")
    except KeyboardInterrupt:
        say("Berhenti memantau.")
