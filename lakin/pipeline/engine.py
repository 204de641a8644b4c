"""A papermill engine that keeps one warm kernel per process and gives every notebook run a fresh namespace.

Starting a kernel and importing pandas and Altair costs seconds; a report chapter costs a fraction of that.
`WarmEngine` (papermill engine name `lakin-warm`, registered below and as a `papermill.engine` entry point)
starts one IPython kernel per worker process, imports the libraries the chapters use once
(`WARM_IMPORTS`), and before every run puts the kernel back into the state of a new kernel (the program
that does it is lakin.pipeline.kernel, whose source this module sends to the kernel):

- the user namespace, `In`/`Out`, `_`/`__`/`___`, the input history and the execution counter
  (`InteractiveShell.reset(new_session=True)`), so execution counts and outputs equal a cold run's;
- the working directory (the run's `cwd`, else this process's cwd, as papermill does for a new kernel)
  and the environment (the kernel's own at start, plus whatever this process changed since);
- `sys.path`, `builtins`, warning filters (and every `__warningregistry__`, so a warning shown in one run is
  shown again in the next), IPython event callbacks, AST/input transformers and display-formatter printers;
- pandas options, Altair's active renderer / data transformer / theme, matplotlib figures and rcParams;
- modules imported from outside the Python environment (a notebook's own helper files) are forgotten;
  library modules stay imported - that is the point.

What can still leak is state kept inside imported library modules that is not listed above: a cache a
library fills (e.g. `lakin.rules.frameworks.load_framework` keeps a framework file as first read), a registry or
class a notebook patches, `%config` settings, global random generators, open files, threads. Notebooks
that follow the house style (scalars in, calls into `lakin` out) keep no such state. Objects alive after
the warm imports are frozen out of garbage collection (`gc.freeze`), so the per-run collection is cheap.

A cell error behaves as under papermill's own engine: the executed notebook carries papermill's error
banner and `PapermillExecutionError` is raised; the kernel stays and serves the next run. A kernel that
died, timed out or failed to reset is replaced by a new one on the next run. All kernel traffic goes
through one thread owned by this module, so callers may come from any thread (one run at a time).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import queue
import signal
import threading
import time
from pathlib import Path

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync


def __getattr__(name: str):
    # papermill loads its `papermill.engine` entry points while it is first imported. When that import
    # starts here (below), this module is still half-built: hand papermill a stand-in that forwards to
    # WarmEngine; the registration at the foot of this module then replaces it with the class itself.
    if name == "WarmEngine":
        return _DeferredWarmEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _DeferredWarmEngine:
    """Forwards to WarmEngine; registered by papermill only while this module is being imported."""

    @classmethod
    def execute_notebook(cls, *args, **kwargs):
        return WarmEngine.execute_notebook(*args, **kwargs)

    @classmethod
    def nb_kernel_name(cls, *args, **kwargs):
        return WarmEngine.nb_kernel_name(*args, **kwargs)

    @classmethod
    def nb_language(cls, *args, **kwargs):
        return WarmEngine.nb_language(*args, **kwargs)


# When papermill is imported first, it imports this module while papermill.execute is still half-built (it
# loads the `papermill.engine` entry points from there): names are taken only from modules papermill.engines
# has fully imported, and papermill.execute as a module whose functions are looked up when a notebook runs.
import papermill.execute as papermill_execute  # noqa: E402
from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import NBClientEngine, papermill_engines  # noqa: E402
from papermill.exceptions import PapermillExecutionError  # noqa: E402
from papermill.iorw import load_notebook_node  # noqa: E402
from papermill.log import logger  # noqa: E402
from papermill.parameterize import parameterize_notebook  # noqa: E402
from papermill.utils import merge_kwargs, remove_args  # noqa: E402

from lakin import atomic  # noqa: E402
from lakin.errors import KernelAbortedError, WarmKernelError  # noqa: E402
from lakin.pipeline import kernel as kernel_program  # noqa: E402

ENGINE_NAME = "lakin-warm"
WARM_IMPORTS = (
    "lakin", "numpy", "pandas", "altair", "lakin.present.sections", "lakin.values", "lakin.rules.scoring", "lakin.model.figures", "lakin.present.charts",
    "lakin.present.tables", "lakin.present.narrative", "lakin.rules.revenue", "lakin.rules.budget",
)
RESET_TIMEOUT = 60.0
# `warm_up(wait=False)` waits at most BEGIN_WAIT s for the engine thread to take the start up (it may be busy with a
# run), then at most SPAWN_WAIT s for the kernel's process to be started
BEGIN_WAIT = 0.2
SPAWN_WAIT = 10.0
CANCEL_POLL = 0.25  # s between a wait's looks at whether its caller was interrupted (Ctrl-C), `_EngineThread.call`

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
class _WarmKernel:
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


class _EngineThread:
    """The one thread (and asyncio loop) that talks to this process's warm kernel."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakin-warm")
        self.cancelled = threading.Event()  # the caller was interrupted: waits for the kernel stop, none starts
        self.kernel: _WarmKernel | None = None
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
_engine_thread: _EngineThread | None = None


def _thread() -> _EngineThread:
    global _engine_thread
    with _lock:
        if _engine_thread is None or _engine_thread.pid != os.getpid():  # new process (fork): own kernel
            _engine_thread = _EngineThread()
        return _engine_thread


def _run(coro_fn, *args):
    """Run an async method to completion on the engine thread's own event loop."""
    return run_sync(coro_fn)(*args)


def _ensure_kernel(state: _EngineThread, kernel_name: str | None, imports: tuple[str, ...],
                   startup_timeout: float, spawned: threading.Event | None = None) -> _WarmKernel:
    kernel = state.kernel
    if kernel is not None and (kernel.kernel_name != kernel_name or kernel.imports != tuple(imports)
                               or not _run(kernel.alive)):
        _run(kernel.shutdown)
        state.kernel = kernel = None
    if kernel is None:
        if state.cancelled.is_set():
            raise WarmKernelError("interrupted: no new kernel is started")
        kernel = _WarmKernel(kernel_name, imports, startup_timeout, state.cancelled, spawned)
        try:
            _run(kernel.start)
        except BaseException:
            _run(kernel.shutdown)
            raise
        state.kernel = kernel
        state.starts += 1
    return kernel


def _discard(state: _EngineThread) -> None:
    if state.kernel is not None:
        _run(state.kernel.shutdown)
        state.kernel = None


def _execute_on_engine_thread(nb_man, kernel_name, cwd, env, client_kwargs, startup_timeout, imports):
    state = _thread()
    kernel = _ensure_kernel(state, kernel_name, imports, startup_timeout)
    try:
        _run(kernel.reset, cwd, env)
    except Exception as exc:  # a kernel that cannot be reset is replaced, once (not after an interrupt)
        if state.cancelled.is_set():
            raise
        logger.warning(f"lakin-warm: reset failed ({exc}); starting a new kernel")
        _discard(state)
        kernel = _ensure_kernel(state, kernel_name, imports, startup_timeout)
        _run(kernel.reset, cwd, env)
    client = PapermillNotebookClient(nb_man, km=kernel.km, **client_kwargs)
    client.kc = kernel.kc
    finished = False
    try:
        nb = client.execute(cleanup_kc=False)
        finished = True
    finally:
        kernel.runs += 1
        state.runs += 1
        if not finished or not _run(kernel.alive):
            _discard(state)  # timed out, died or interrupted: the next run gets a new kernel
    return nb


class WarmEngine(NBClientEngine):
    """papermill engine `lakin-warm`: one warm kernel per process, a fresh namespace for every run."""

    imports: tuple[str, ...] = WARM_IMPORTS

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        """Run the notebook on this process's warm kernel (started on first use), after a reset."""
        cwd = kwargs.pop("kernel_cwd", None) or os.getcwd()
        imports = tuple(kwargs.pop("warm_imports", None) or cls.imports)
        on_cell = kwargs.pop("on_cell", None)  # called with each cell papermill has recorded (a build's charts)
        if on_cell is not None:
            complete = nb_man.cell_complete
            nb_man.cell_complete = lambda cell, *args, **kw: (complete(cell, *args, **kw), on_cell(cell))[0]
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file)
        env = dict(os.environ)
        return _thread().call(_execute_on_engine_thread, nb_man, kernel_name, str(cwd), env, final_kwargs,
                              start_timeout, imports)


# --------------------------------------------------------------------------- public helpers
def execute_notebook_warm(input_path: str | os.PathLike, output_path: str | os.PathLike | None,
                          parameters: dict | None = None, cwd: str | os.PathLike | None = None, *,
                          kernel_name: str | None = None, execution_timeout: float | None = None,
                          start_timeout: float = 60, progress_bar: bool = False,
                          log_output: bool = False) -> nbformat.NotebookNode:
    """Execute one notebook on the warm kernel, as `papermill.execute_notebook` would, and return it.

    Differences from papermill: the kernel runs in `cwd` without this process changing its own working
    directory, and `output_path` is written once, atomically (also on failure, with papermill's error
    banner, before `PapermillExecutionError` is raised).
    """
    input_path = str(input_path)
    output_path = None if output_path is None else str(output_path)
    kernel_cwd = str(Path(cwd).resolve()) if cwd is not None else os.getcwd()
    nb = load_notebook_node(input_path)
    if parameters:
        nb = parameterize_notebook(nb, parameters, report_mode=False, kernel_name=kernel_name,
                                   engine_name=ENGINE_NAME)
    nb = papermill_execute.prepare_notebook_metadata(nb, input_path, output_path)
    nb = papermill_execute.remove_error_markers(nb)
    kernel_name = papermill_engines.nb_kernel_name(engine_name=ENGINE_NAME, nb=nb, name=kernel_name)
    nb = WarmEngine.execute_notebook(nb, kernel_name, output_path=None, progress_bar=progress_bar,
                                     log_output=log_output, start_timeout=start_timeout,
                                     execution_timeout=execution_timeout, kernel_cwd=kernel_cwd)
    try:
        papermill_execute.raise_for_execution_errors(nb, None)
    except PapermillExecutionError:
        if output_path is not None:
            atomic.write_text(output_path, nbformat.writes(nb))
        raise
    if output_path is not None:
        atomic.write_text(output_path, nbformat.writes(nb))
    return nb


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
    chosen = tuple(imports or WarmEngine.imports)
    state = _thread()
    if wait:
        state.call(lambda: _ensure_kernel(state, kernel_name, chosen, start_timeout))
    else:
        began, spawned = threading.Event(), threading.Event()

        def start() -> _WarmKernel:
            began.set()
            return _ensure_kernel(state, kernel_name, chosen, start_timeout, spawned)

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
        state.call(_discard, state)
    except RuntimeError:
        # At interpreter exit the executor no longer accepts work (its own exit hook ran first):
        # stop the kernel process directly instead.
        pid = state.kernel.pid if state.kernel is not None else None
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
    finally:
        state.executor.shutdown(wait=True)


atexit.register(shutdown)

# papermill's registry (the entry point in pyproject.toml registers the same class for other processes)
papermill_engines.register(ENGINE_NAME, WarmEngine)

__all__ = ["ENGINE_NAME", "WARM_IMPORTS", "WarmEngine", "execute_notebook_warm", "shutdown",
           "status", "warm_up"]
