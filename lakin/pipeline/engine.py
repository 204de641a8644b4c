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
died, timed out or failed to reset is replaced by a new one on the next run. The kernel itself (its start, reset
and stop, and the one thread all its traffic goes through: callers may come from any thread, one run at a time)
is lakin.pipeline.warm, which imports no papermill: a build starts its kernel before it needs this module.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat


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
from lakin.pipeline import warm  # noqa: E402
# The warm kernel itself (started, reset, stopped) is lakin.pipeline.warm, which needs no papermill; these names
# are this module's as well.
from lakin.pipeline.warm import (  # noqa: E402,F401
    BEGIN_WAIT, CANCEL_POLL, RESET_TIMEOUT, SPAWN_WAIT, WARM_IMPORTS, EngineThread, WarmKernel, discard,
    engine_thread, ensure_kernel, install_code, run_async, shutdown, status,
)

ENGINE_NAME = "lakin-warm"


def _execute_on_engine_thread(nb_man, kernel_name, cwd, env, client_kwargs, startup_timeout, imports):
    state = engine_thread()
    kernel = ensure_kernel(state, kernel_name, imports, startup_timeout)
    try:
        run_async(kernel.reset, cwd, env)
    except Exception as exc:  # a kernel that cannot be reset is replaced, once (not after an interrupt)
        if state.cancelled.is_set():
            raise
        logger.warning(f"lakin-warm: reset failed ({exc}); starting a new kernel")
        discard(state)
        kernel = ensure_kernel(state, kernel_name, imports, startup_timeout)
        run_async(kernel.reset, cwd, env)
    client = PapermillNotebookClient(nb_man, km=kernel.km, **client_kwargs)
    client.kc = kernel.kc
    finished = False
    try:
        nb = client.execute(cleanup_kc=False)
        finished = True
    finally:
        kernel.runs += 1
        state.runs += 1
        if not finished or not run_async(kernel.alive):
            discard(state)  # timed out, died or interrupted: the next run gets a new kernel
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
        return engine_thread().call(_execute_on_engine_thread, nb_man, kernel_name, str(cwd), env, final_kwargs,
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
    """lakin.pipeline.warm.warm_up with the imports of the engine's runs (`WarmEngine.imports`) by default."""
    warm.warm_up(kernel_name, tuple(imports or WarmEngine.imports), start_timeout, wait)


# papermill's registry (the entry point in pyproject.toml registers the same class for other processes)
papermill_engines.register(ENGINE_NAME, WarmEngine)

__all__ = ["ENGINE_NAME", "WARM_IMPORTS", "WarmEngine", "execute_notebook_warm", "shutdown",
           "status", "warm_up"]
