"""Work done beside the render: in a forked child process where that is safe, else in a thread.

A build's own process holds Python's GIL most of the time it renders (its Python: the assembly, the writers'
inputs, the HTML and DOCX after pandoc), so the tables workbook and the reviewer's document, about 0.4 s of Python
that reads the notebooks and the model, made the render wait in a thread. A child forked from the build's process
has the model, the notebooks' paths and lakin's imports already, and its own GIL: on 2 cores it writes those files
while the build assembles and pandoc reads. Forking is done only on Linux and only while the process has no other
thread (a rebuild, `lakin build` after an edit: a fork beside a live thread, such as a kernel's client or a batch
worker's, could inherit a lock that thread held); otherwise the same function runs in a thread, as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["Aside", "can_fork"]


def can_fork() -> bool:
    """True where a child forked now inherits no other thread's state: Linux, this thread alone."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def _child(write_fd: int, fn: Callable[..., Any], args: tuple) -> None:
    """In the forked child: fn(*args), its result or exception pickled into `write_fd`; never returns."""
    try:
        with contextlib.suppress(ValueError):  # (forked from a thread other than the main one: left as it is)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child at once; the build reports it
        try:
            payload = pickle.dumps((True, fn(*args)))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the build
            try:
                payload = pickle.dumps((False, exc))
                pickle.loads(payload)  # an exception that cannot be rebuilt goes back as its text
            except Exception:
                payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    finally:
        os._exit(0)  # no atexit handler, no flush of the parent's buffers, no `finally` of the parent's frames


class Aside:
    """`fn(*args)` started beside the caller: in a forked child when `fork` (default: `can_fork()`), else in a
    thread. `result()` waits and returns what fn returned, or raises what it raised; `close()` (or leaving the
    `with` block) ends a child still running, e.g. when the render failed."""

    def __init__(self, fn: Callable[..., Any], *args: Any, fork: bool | None = None):
        self.pid: int | None = None
        self._future: Future | None = None
        self._pool: ThreadPoolExecutor | None = None
        if fork if fork is not None else can_fork():
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                _child(write_fd, fn, args)
            os.close(write_fd)
            self.pid, self._read = pid, os.fdopen(read_fd, "rb")
        else:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakin-aside")
            self._future = self._pool.submit(fn, *args)

    def result(self) -> Any:
        if self._future is not None:
            try:
                return self._future.result()
            finally:
                self.close()
        payload = self._read.read()  # until the child closes its end: done, failed or killed
        self.close()
        if not payload:
            raise RuntimeError("proses pendamping build berhenti tanpa hasil")  # killed (e.g. out of memory)
        ok, value = pickle.loads(payload)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self.pid is not None:
            self._read.close()
            try:
                os.kill(self.pid, signal.SIGKILL)  # a child already done has exited; one still running stops
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = None

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
