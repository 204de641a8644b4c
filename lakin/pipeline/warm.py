"""This process's warm kernel, apart from the papermill engine that runs notebooks on it
(lakin.pipeline.engine): started (`warm_up`), kept, reset before every run (the kernel's program is
lakin.pipeline.kernel), replaced when it died, stopped (`shutdown`, also at exit).

Apart, so that a build starts its kernel before it has imported papermill and nbformat (0.35 s): this module
needs only jupyter_client. The kernel's process is started while the build goes on (validating the data,
computing the report model); the build imports the papermill engine when its first chapter is about to run, while
the kernel is still starting. All kernel traffic goes through one thread owned by this module, so callers may come
from any thread (one run at a time).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import queue
import signal
import threading
import time
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync

from lakin.errors import KernelAbortedError, WarmKernelError
from lakin.pipeline import kernel as kernel_program

logger = logging.getLogger("papermill")  # papermill's own logger, where the engine's messages have always gone

WARM_IMPORTS = (
    "lakin", "numpy", "pandas", "altair", "lakin.present.sections", "lakin.values", "lakin.rules.scoring",
    "lakin.model.figures", "lakin.present.charts", "lakin.present.tables", "lakin.present.narrative",
    "lakin.rules.revenue", "lakin.rules.budget",
)
RESET_TIMEOUT = 60.0
# `warm_up(wait=False)` waits at most BEGIN_WAIT s for the engine thread to take the start up (it may be busy with a
# run), then at most SPAWN_WAIT s for the kernel's process to be started
BEGIN_WAIT = 0.2
SPAWN_WAIT = 10.0
CANCEL_POLL = 0.25  # s between a wait's looks at whether its caller was interrupted (Ctrl-C), `EngineThread.call`

# --------------------------------------------------------------------------- kernel side
# The kernel's program is lakin.pipeline.kernel, sent as source and run there as module `_lakin_warm`;
# `reset` runs (silently) before every notebook.
_INSTALL = (
    "import sys as _s, types as _t\n"
    "_m = _t.ModuleType('_lakin_warm')\n"
    "exec(compile({source!r}, {filename!r}, 'exec'), _m.__dict__)\n"
    "_s.modules['_lakin_warm'] = _m\n"
    "del _s, _t, _m\n"
    "__import__('_lakin_warm').setup({imports!r})\n"
)


def install_code(imports: tuple[str, ...]) -> str:
    """The code that installs lakin.pipeline.kernel in a new kernel and records its state after `imports`."""
    filename = kernel_program.__file__
    return _INSTALL.format(source=Path(filename).read_text(encoding="utf-8"), filename=filename,
                           imports=tuple(imports))


# --------------------------------------------------------------------------- process side
class WarmKernel:
    """One kernel and its client; every method runs on the engine thread."""

    def __init__(self, kernel_name: str | None, imports: tuple[str, ...], startup_timeout: float,
                 cancelled: threading.Event | None = None, spawned: threading.Event | None = None):
        self.kernel_name = kernel_name
        self.cancelled = cancelled or threading.Event()  # set when the caller was interrupted
        self.spawned = spawned or threading.Event()  # set once the kernel's process is started (`warm_up`)
        self.imports = tuple(imports)
        self.startup_timeout = startup_timeout
        self.km = AsyncKernelManager(kernel_name=kernel_name) if kernel_name else AsyncKernelManager()
        self.kc = None
        self.env0: dict[str, str] = {}
        self.failed_imports: list[str] = []
        self.runs = 0

    async def start(self) -> None:
        # no history file; and the kernel's own log (transport warnings) is noise on the user's terminal
        extra = (["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=CRITICAL"]
                 if getattr(self.km, "ipykernel", False) else [])
        self.env0 = dict(os.environ)
        try:
            await self.km.start_kernel(extra_arguments=extra)
        finally:
            self.spawned.set()
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=self.startup_timeout)
        self.kc.allow_stdin = False
        reply = await self._run_silent(install_code(self.imports),
                                       timeout=max(self.startup_timeout, RESET_TIMEOUT),
                                       expressions={"failed": "__import__('_lakin_warm').FAILED"})
        failed = reply.get("user_expressions", {}).get("failed", {}).get("data", {}).get("text/plain", "[]")
        if failed != "[]":
            self.failed_imports = [failed]
            logger.warning(f"lakin-warm: some warm imports failed: {failed}")

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    async def alive(self) -> bool:
        try:
            return bool(await self.km.is_alive())
        except Exception:
            return False

    async def reset(self, cwd: str, env: dict[str, str]) -> None:
        env_set = {k: v for k, v in env.items() if self.env0.get(k) != v}
        env_unset = [k for k in self.env0 if k not in env]
        code = f"__import__('_lakin_warm').reset({cwd!r}, {env_set!r}, {env_unset!r})"
        for attempt in range(2):
            try:
                await self._run_silent(code, timeout=RESET_TIMEOUT)
                return
            except KernelAbortedError:
                # ipykernel may still be discarding requests queued after the previous run's error
                if attempt:
                    raise WarmKernelError("kernel keeps aborting the reset request") from None
                await asyncio.sleep(0.05)

    async def _run_silent(self, code: str, timeout: float, expressions: dict | None = None) -> dict:
        """Execute code without touching the execution counter or the history; return the reply content."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, user_expressions=expressions or {},
                                 allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarmKernelError(f"no reply from the kernel within {timeout:.0f} s")
            if self.cancelled.is_set():
                raise WarmKernelError("interrupted while waiting for the kernel")
            try:
                reply = await self.kc.get_shell_msg(timeout=min(remaining, CANCEL_POLL))
            except queue.Empty:
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        await self._drain_iopub(msg_id, deadline)
        content = reply["content"]
        if content.get("status") == "aborted":
            raise KernelAbortedError()
        if content.get("status") != "ok":
            raise WarmKernelError(f"{content.get('ename')}: {content.get('evalue')}")
        return content

    async def _drain_iopub(self, msg_id: str, deadline: float) -> None:
        """Consume this request's messages up to its idle status, so they never reach a notebook run."""
        quiet = 0.0
        while time.monotonic() < deadline and quiet < 5.0 and not self.cancelled.is_set():
            try:
                msg = await self.kc.get_iopub_msg(timeout=max(0.01, min(CANCEL_POLL, deadline - time.monotonic())))
            except queue.Empty:  # nothing for 5 s: nothing more is coming
                quiet += CANCEL_POLL
                continue
            quiet = 0.0
            if (msg.get("parent_header", {}).get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return

    async def shutdown(self) -> None:
        """Stop the client and the kernel; a kernel already gone is not an error."""
        with contextlib.suppress(Exception):
            if self.kc is not None:
                self.kc.stop_channels()
        with contextlib.suppress(Exception):
            if self.km.has_kernel:
                await self.km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            await self.km.cleanup_resources()
        self.kc = None


class EngineThread:
    """The one thread (and asyncio loop) that talks to this process's warm kernel."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakin-warm")
        self.cancelled = threading.Event()  # the caller was interrupted: waits for the kernel stop, none starts
        self.kernel: WarmKernel | None = None
        self.starts = 0
        self.runs = 0

    def call(self, fn, *args, **kwargs):
        self.cancelled.clear()
        future = self.executor.submit(fn, *args, **kwargs)
        try:
            return future.result()
        except BaseException:
            if not future.done():  # the caller was interrupted (Ctrl-C): stop the running cell as well
                self.cancelled.set()
                self.interrupt()
                concurrent.futures.wait([future], timeout=10)
            if not future.done():  # the kernel lost the interrupt (it came between two requests): end it, so
                self.interrupt(signal.SIGKILL)  # that the engine thread, and with it this process, can stop
                concurrent.futures.wait([future], timeout=10)
            raise

    def interrupt(self, sig: int = signal.SIGINT) -> None:
        """`sig` to the kernel. SIGINT: the running cell raises KeyboardInterrupt and the run ends with an error;
        SIGKILL: the kernel ends, which the run notices."""
        pid = self.kernel.pid if self.kernel is not None else None
        if pid:
            try:
                os.kill(pid, sig)
            except OSError:
                pass


_lock = threading.Lock()
_engine_thread: EngineThread | None = None


def engine_thread() -> EngineThread:
    """This process's engine thread (a forked child gets its own, and with it its own kernel)."""
    global _engine_thread
    with _lock:
        if _engine_thread is None or _engine_thread.pid != os.getpid():  # new process (fork): own kernel
            _engine_thread = EngineThread()
        return _engine_thread


def run_async(coro_fn, *args):
    """Run an async method to completion on the engine thread's own event loop."""
    return run_sync(coro_fn)(*args)


def ensure_kernel(state: EngineThread, kernel_name: str | None, imports: tuple[str, ...],
                   startup_timeout: float, spawned: threading.Event | None = None) -> WarmKernel:
    """The engine thread's kernel (on that thread): the one running if it is alive and was started with these
    `imports`, else a new one (`spawned` is set once its process is started)."""
    kernel = state.kernel
    if kernel is not None and (kernel.kernel_name != kernel_name or kernel.imports != tuple(imports)
                               or not run_async(kernel.alive)):
        run_async(kernel.shutdown)
        state.kernel = kernel = None
    if kernel is None:
        if state.cancelled.is_set():
            raise WarmKernelError("interrupted: no new kernel is started")
        kernel = WarmKernel(kernel_name, imports, startup_timeout, state.cancelled, spawned)
        try:
            run_async(kernel.start)
        except BaseException:
            run_async(kernel.shutdown)
            raise
        state.kernel = kernel
        state.starts += 1
    return kernel


def discard(state: EngineThread) -> None:
    """Stop the engine thread's kernel (on that thread); the next run starts a new one."""
    if state.kernel is not None:
        run_async(state.kernel.shutdown)
        state.kernel = None


def warm_up(kernel_name: str | None = "python3", imports: tuple[str, ...] | None = None,
            start_timeout: float = 60, wait: bool = True) -> None:
    """Start this process's warm kernel now (e.g. when a batch worker starts) instead of on the first run. With
    `wait` False it starts on the engine thread while the caller goes on: once the kernel's process is started
    (at most SPAWN_WAIT seconds), or at once when the engine thread is busy with something else; the first run
    waits for the kernel to be ready, and a start that failed is tried again by that run, which reports it.

    Why the caller waits for the process: the engine thread's steps up to it take about 0.1 s alone, but 0.5 s
    beside a caller that goes on computing (a build's report model: both hold the GIL in turns), and the kernel,
    about 2 s from its process start to its first run, is what the first chapter waits for. Measured on a cold
    `lakin build kppbc-balikpapan 2024`, three alternating pairs: 12.4-12.8 s against 12.9-13.4 s."""
    chosen = tuple(imports or WARM_IMPORTS)
    state = engine_thread()
    if wait:
        state.call(lambda: ensure_kernel(state, kernel_name, chosen, start_timeout))
    else:
        began, spawned = threading.Event(), threading.Event()

        def start() -> WarmKernel:
            began.set()
            return ensure_kernel(state, kernel_name, chosen, start_timeout, spawned)

        future = state.executor.submit(start)
        future.add_done_callback(lambda _future: spawned.set())  # a kernel already there, or a start that failed
        if began.wait(BEGIN_WAIT):  # the engine thread took it up: the kernel's process is started in a moment
            spawned.wait(SPAWN_WAIT)


def status() -> dict:
    """This process's warm kernel: its pid (None if none), kernels started, runs served, failed warm imports."""
    state = _engine_thread
    if state is None or state.pid != os.getpid():
        return {"kernel_pid": None, "starts": 0, "runs": 0, "failed_imports": []}
    kernel = state.kernel
    return {"kernel_pid": kernel.pid if kernel else None, "starts": state.starts, "runs": state.runs,
            "failed_imports": list(kernel.failed_imports) if kernel else []}


def shutdown() -> None:
    """Stop this process's warm kernel and its thread (call at a worker's end; also run at exit)."""
    global _engine_thread
    with _lock:
        state, _engine_thread = _engine_thread, None
    if state is None or state.pid != os.getpid():
        return
    try:
        state.call(discard, state)
    except RuntimeError:
        # At interpreter exit the executor no longer accepts work (its own exit hook ran first):
        # stop the kernel process directly instead, and remove the connection file jupyter_client wrote for it
        # (a mkstemp file in the temporary folder, the kernel's key included): `cleanup_resources` never ran, and
        # every `lakin build` left one behind.
        kernel = state.kernel
        pid = kernel.pid if kernel is not None else None
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        if kernel is not None:
            with contextlib.suppress(Exception):
                kernel.km.cleanup_connection_file()
    finally:
        state.executor.shutdown(wait=True)


atexit.register(shutdown)

__all__ = ["BEGIN_WAIT", "CANCEL_POLL", "RESET_TIMEOUT", "SPAWN_WAIT", "WARM_IMPORTS", "EngineThread", "WarmKernel",
           "discard", "engine_thread", "ensure_kernel", "install_code", "run_async", "shutdown", "status", "warm_up"]
