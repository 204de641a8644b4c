"""Shared fixtures and helpers: the project's paths (ROOT, DATA), the CLI runners (`run_cli` in a subprocess, as a
user runs it; `invoke_cli` in this process, for commands that start no kernel), the shipped seed data and session
builds. Test modules import the helpers: `from conftest import DATA, ROOT, run_cli`."""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import yaml

import lakin  # noqa: F401  first: it keeps jsonschema from building an RFC 3987 parser (lakin/__init__.py)
import lakin.present.charts.fonts as lakin_fonts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Every report the shipped data supports: (satker, period) of each params/<satker>/<period>.yaml.
SHIPPED = sorted((p.parent.name, str(yaml.safe_load(p.read_text(encoding="utf-8"))["periode"]))
                 for p in (ROOT / "params").glob("*/*.yaml"))

# One chart cache (lakin.present.charts.cache) for the session, in-process, in every `lakin` subprocess and in
# every pytest-xdist worker (they inherit the controller's environment): the many builds of the shipped reports
# draw each chart once, and the user's own cache is never touched. The process that made it removes it.
if not os.environ.get("LAKIN_TEST_CACHE"):
    os.environ["LAKIN_TEST_CACHE"] = tempfile.mkdtemp(prefix="lakin-test-cache-")
    atexit.register(shutil.rmtree, os.environ["LAKIN_TEST_CACHE"], ignore_errors=True)
    # The Vega bundle (4 s of CPU to make) is copied from the user's cache when there: it is checked by its digest.
    _user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lakin"
    for _bundle in _user.glob("vega-bundle-*"):
        shutil.copy2(_bundle, os.environ["LAKIN_TEST_CACHE"])
os.environ["LAKIN_CACHE_DIR"] = os.environ["LAKIN_TEST_CACHE"]
# vl-convert's fonts are set once per process, at its first drawing (lakin.present.charts.fonts): here, before any
# test, so that a test counting vl-convert's calls never counts that first one, and every process of the suite draws
# with the same fonts.
lakin_fonts.vl_convert()
# A suite started in the background by a non-interactive shell (`make test &`, nohup, some CI runners) inherits
# SIGINT ignored, and an ignored signal stays ignored across exec: the `lakin build`, `--watch` and `dask` processes
# that tests stop with a terminal's Ctrl-C would keep running (a build ending with exit code 0, a watch waiting out
# its timeout). The suite models a terminal: SIGINT raises KeyboardInterrupt here and is the default in every
# child (tests/test_build.py::test_the_suite_gives_its_children_a_terminals_ctrl_c).
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# The session's PDFs carry a fixed creation time (lakin.pipeline.render.pdf.pdf_timestamp): builds are comparable
# byte for byte (tests/test_build.py, target 5 of issue 15).
os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")


# --------------------------------------------------------------------------- a PDF's text
_PDF_TEXTS: dict[tuple[str, int, int], str] = {}


def pdf_text(path: Path) -> str:
    """Every page's text as printed, page after page, read by pdfium (pypdfium2), kept per file and version.

    pypdf's `extract_text` read the same text in pure Python: 2.2 s for the customs report's 46 pages, 0.12 s here,
    and about 19 s of the suite's workers (py-spy). pdfium marks a hyphen that ends a line (Typst's hyphenation,
    or a compound such as "karunia-Nya" broken there) as U+FFFE: it is printed, so it is given back as a hyphen and
    a line break. Typst's zero-width breaks after a slash (U+200B) are dropped, as pypdf dropped them."""
    import pypdfium2 as pdfium

    stat = Path(path).stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _PDF_TEXTS:
        pdf = pdfium.PdfDocument(str(path))
        try:
            pages = [page.get_textpage().get_text_range() for page in pdf]
        finally:
            pdf.close()
        _PDF_TEXTS[key] = "\n".join(pages).replace("\ufffe", "-\n").replace("\u200b", "")
    return _PDF_TEXTS[key]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def run_cli(*args: str, cwd: Path | None = None, columns: int | None = None, timeout: float = 600,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `lakin ARGS` in a subprocess, as a user would (tests import it; `invoke_cli` runs it in this process).

    `columns` sets the terminal width rich tables wrap at (e.g. 250: no wrapping inside a summary table).
    """
    environ = {**os.environ, **(env or {})}
    if columns:
        environ["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "lakin.cli", *args], capture_output=True, text=True,
                          cwd=str(cwd or ROOT), env=environ, timeout=timeout, check=False)


def invoke_cli(*args: str) -> subprocess.CompletedProcess:
    """`lakin ARGS` in this process (typer's test runner, the same command code and exit codes), for the commands
    that start no kernel and change no process state: a subprocess would add about 2 s of imports to each."""
    from typer.testing import CliRunner

    from lakin.cli import main

    with CliRunner().isolation() as streams:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = (stream.getvalue().decode("utf-8") for stream in streams[:2])
    return subprocess.CompletedProcess(["lakin", *args], code, out, err)


def run_chapters(notebooks, satker: str, periode: str, model) -> None:
    """Run the code cells of chapter notebooks in this process (no kernel, no papermill), as a kernel would with
    these parameters: each notebook in a fresh namespace, its parameters cell replaced by `satker`, `periode`,
    `data_dir=None` and `model` (a ReportModel or the path of a saved one). What they display goes wherever the
    caller has pointed `lakin.present.show`."""
    for path in notebooks:
        scope = {"satker": satker, "periode": periode, "data_dir": None, "model": model}
        for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code" and "parameters" not in cell.get("metadata", {}).get("tags", []):
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                exec(compile(source, str(path), "exec"), scope)  # noqa: S102 - the project's own notebooks


@pytest.fixture(scope="session")
def figures_json():
    """`lakin figures SATKER PERIOD --json`, parsed, cached per (satker, period) (in this process)."""
    cache: dict[tuple[str, str], dict] = {}

    def get(satker: str, period: str) -> dict:
        key = (satker, period)
        if key not in cache:
            proc = invoke_cli("figures", satker, period, "--json", "--data", str(DATA))
            assert proc.returncode == 0, proc.stderr
            cache[key] = json.loads(proc.stdout)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def reports_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def built(reports_root, tmp_path_factory, worker_id):
    """`lakin build` of a seed report (executed once per session), returning its BuildResult.

    Under pytest-xdist the workers share the builds: the first to need a report builds it under a lock in the
    session's common temporary folder and leaves its BuildResult there; the others read it. Tests only read
    these builds."""
    from lakin.pipeline.build import build

    shared = reports_root if worker_id == "master" else tmp_path_factory.getbasetemp().parent / "shared-builds"
    shared.mkdir(parents=True, exist_ok=True)
    cache = {}

    def get(satker: str, period: str):
        if (satker, period) not in cache:
            stored = shared / f"{satker}-{period}.pickle"
            with open(shared / f"{satker}-{period}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if stored.is_file():
                    result = pickle.loads(stored.read_bytes())
                else:
                    result = build(satker, period, DATA, shared, sidework=True)  # as `lakin build`
                    stored.write_bytes(pickle.dumps(result))
            cache[(satker, period)] = result
        return cache[(satker, period)]

    return get


@pytest.fixture(scope="session")
def executed(built):
    """The executed chapter notebooks of a seed report (from the session's build)."""
    return lambda satker, period: built(satker, period).run.notebooks


# --------------------------------------------------------------------------- the order test files are handed out
# pytest-xdist hands each worker a whole test file at a time (`--dist loadfile`), by default the files with the most
# tests first. A file of few but long tests handed out last kept one worker busy for seconds after the other had
# finished (7 s of `make test-fast`'s 60 s). The suite's files are handed out longest first instead: their seconds
# (every phase of every test, the `slow` tests apart) are in tests/durations.json, written by a run with
# `--store-durations` (README.md; the Makefile passes `--no-loadscope-reorder`, so xdist keeps this order). A file
# not listed there counts 0.1 s a test. Only the order changes: every test runs, each file on one worker.
# Measured with `make test-fast`: the two workers ended 5.7 s apart in xdist's order, 0.2 s apart in this one.
DURATIONS = Path(__file__).with_name("durations.json")
UNLISTED_SECONDS = 0.1


def pytest_addoption(parser):
    parser.addoption("--store-durations", action="store_true", default=False,
                     help=f"write each test file's seconds into {DURATIONS.name} (the order files are handed out)")


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def file_costs(items, durations: dict) -> dict[str, float]:
    """Each file's expected seconds for these items: its listed seconds of the kinds (slow or not) selected."""
    kinds: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for item in items:
        name = _file_of(item.nodeid)
        kinds.setdefault(name, set()).add("slow" if item.get_closest_marker("slow") else "fast")
        counts[name] = counts.get(name, 0) + 1
    costs = {}
    for name, selected in kinds.items():
        listed = durations.get(name)
        costs[name] = (sum(listed.get(kind, 0.0) for kind in selected) if isinstance(listed, dict)
                       else UNLISTED_SECONDS * counts[name])
    return costs


def longest_files_first(items, durations: dict) -> list:
    """The items, their files in order of expected seconds (longest first, ties in collection order), each file's
    items kept together in their own order."""
    costs = file_costs(items, durations)
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(_file_of(item.nodeid), index)
    return sorted(items, key=lambda item: (-costs[_file_of(item.nodeid)], first[_file_of(item.nodeid)]))


@pytest.hookimpl(trylast=True)  # after `-m` and `-k` have deselected
def pytest_collection_modifyitems(session, config, items):
    try:
        durations = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # the order of collection
    items[:] = longest_files_first(items, durations)


_measured: dict[str, dict[str, float]] = {}


def pytest_runtest_logreport(report):
    kind = "slow" if "slow" in report.keywords else "fast"
    entry = _measured.setdefault(_file_of(report.nodeid), {})
    entry[kind] = entry.get(kind, 0.0) + report.duration


def stored_durations(listed: dict, measured: dict, root: Path = ROOT) -> dict:
    """The list `--store-durations` writes: `listed` with the seconds of every file and kind (slow or not) this run
    measured, and without the files no longer there. A run of part of the suite (`-k`, `-m "not slow"`, one file)
    changes only what it ran."""
    merged = {name: dict(kinds) for name, kinds in listed.items()
              if isinstance(kinds, dict) and (root / name).is_file()}
    for name, kinds in measured.items():
        merged.setdefault(name, {}).update({kind: round(seconds, 1) for kind, seconds in kinds.items()})
    return {name: dict(sorted(kinds.items())) for name, kinds in sorted(merged.items())}


# --------------------------------------------------------------------------- old sessions' temporary folders
# pytest keeps the temporary folders of the last sessions (`tmp_path_retention_count`, 3) and deletes older ones when
# a session ends, one after the other after the last test. A whole suite leaves about 19,000 files (190 MB; the
# 1,000-unit data of test_synth is 8,500 of them), and deleting one such folder took 2.3-5.2 s here, mostly waiting
# on the disk (0.9 s of CPU): time added to every `make test` on a machine that ran the suite three times before.
# The controller (idle while the xdist workers test) deletes them at the start instead, in a thread, with pytest's
# own rule (a folder another live session holds is kept); the session's end then finds nothing left to delete. The
# current session's folder is never a candidate (at least 1 kept). Should pytest's internals change, nothing is
# deleted early, and pytest deletes them at the end as before. Measured: `pytest tests/test_data.py tests/test_fmt.py
# -n 2` with a full suite's folder to delete, two alternating pairs: 15.6 and 15.7 s before, 11.5 and 11.2 s after.
_early_cleanup: threading.Thread | None = None


def pytest_sessionstart(session):
    global _early_cleanup
    if os.environ.get("PYTEST_XDIST_WORKER") or session.config.option.basetemp:
        return  # a worker's folder is inside the controller's; a given --basetemp is emptied by pytest itself
    try:
        from _pytest.pathlib import LOCK_TIMEOUT, cleanup_numbered_dir

        factory = session.config._tmp_path_factory
        if factory._basetemp is None and not getattr(session.config.option, "numprocesses", None):
            return  # without xdist a session makes its folder only when a test asks (then pytest cleans at the end)
        current = factory.getbasetemp()  # an xdist controller makes it anyway: its workers' folders go inside
        keep = max(1, factory._retention_count)
        args = (current.parent, "pytest-", keep, current.stat().st_mtime - LOCK_TIMEOUT)
    except (ImportError, AttributeError, OSError):
        return
    _early_cleanup = threading.Thread(target=cleanup_numbered_dir, args=args, name="old-basetemps", daemon=True)
    _early_cleanup.start()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if _early_cleanup is not None:
        _early_cleanup.join()  # before pytest's own cleanup, which would otherwise delete beside it
    _store_durations(session)


def _store_durations(session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") or not session.config.getoption("--store-durations") or not _measured:
        return  # a worker's reports reach the controller too, which writes the list (as does a run without xdist)
    try:
        listed = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        listed = {}
    DURATIONS.write_text(json.dumps(stored_durations(listed, _measured), indent=1) + "\n", encoding="utf-8")
