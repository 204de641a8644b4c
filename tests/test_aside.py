"""lakin.pipeline.aside: the workbook and the reviewer's document written beside the render, by a forked child
where the build's process has no other thread, else by a thread."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile

import pytest

from conftest import DATA, ROOT
from lakin.errors import RenderError
from lakin.pipeline.aside import Aside, can_fork

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child is forked on Linux only")

_STATE = {"touched": False}


def _where(value):
    _STATE["touched"] = True
    return os.getpid(), value * 2


def _fails():
    raise RenderError("DOCX: gambar x tidak ditemukan", formats=["docx"])


class _Unbuildable(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a}/{b}")
        self.lock = threading.Lock()  # cannot be pickled: it cannot come back as itself


def _fails_oddly():
    raise _Unbuildable("satu", "dua")


def test_a_forked_child_computes_and_returns_the_result():
    with Aside(_where, 21, fork=True) as aside:
        assert aside.pid is not None
        pid, value = aside.result()
    assert value == 42 and pid not in (None, os.getpid())
    assert _STATE["touched"] is False  # the child's memory is its own
    with Aside(_where, 21, fork=False) as aside:  # the thread: the same result, in this process
        assert aside.pid is None and aside.result() == (os.getpid(), 42)


def test_a_failure_in_the_child_is_raised_in_the_build():
    with Aside(_fails, fork=True) as aside, pytest.raises(RenderError, match="gambar x") as caught:
        aside.result()
    assert caught.value.formats == ["docx"]
    with Aside(_fails_oddly, fork=True) as aside, pytest.raises(RuntimeError, match="_Unbuildable: satu/dua"):
        aside.result()


def test_leaving_early_ends_a_child_still_at_work():
    started = time.perf_counter()
    with Aside(time.sleep, 60, fork=True) as aside:
        pid = aside.pid
    assert time.perf_counter() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped: no zombie is left


def test_no_fork_beside_another_thread():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert can_fork() is False  # e.g. a kernel's client, a batch worker's threads
    finally:
        stop.set()
        other.join()


def _entries(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name != "docProps/core.xml"}


@pytest.mark.slow  # a rebuild from the command line
def test_a_rebuild_from_the_command_line_forks_and_writes_what_the_thread_wrote(built, tmp_path):
    """`lakin build` after the session's build (which ran its chapters beside a kernel: the thread) keeps every
    chapter; its process has one thread, so a forked child writes the workbook and the reviewer's document: the
    same files (the workbooks but for their documented timestamp)."""
    satker, period = "bkipm-banjarmasin", "2024Q1"
    first = built(satker, period)
    shutil.copytree(first.out_dir, tmp_path / "r" / satker / period)
    spy = ("import sys, lakin.cli, lakin.pipeline.aside as a; init = a.Aside.__init__; "
           "a.Aside.__init__ = lambda self, *x, **k: (init(self, *x, **k), print('aside-pid', self.pid)) and None; "
           "sys.argv = ['lakin', *sys.argv[1:]]; lakin.cli.main()")
    proc = subprocess.run([sys.executable, "-c", spy, "build", satker, period, "--to", "html", "--data", str(DATA),
                           "--reports", str(tmp_path / "r")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    pid = next(line.split()[1] for line in proc.stdout.splitlines() if line.startswith("aside-pid"))
    assert pid.isdigit()  # a child was forked (None: a thread)
    again = tmp_path / "r" / satker / period
    assert (again / first.files["reviu_html"].name).read_bytes() == first.files["reviu_html"].read_bytes()
    for kind in ("xlsx", "reviu_xlsx"):
        assert _entries(again / first.files[kind].name) == _entries(first.files[kind]), kind
