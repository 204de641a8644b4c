"""The program the warm kernel runs (lakin.pipeline.warm): record a new kernel's state once, restore it before every run.

The engine sends this file's source to its kernel, where it runs as the module `_lakin_warm` (the kernel may
be another Python than this process's, so the file is not imported there): `setup(imports)` once after the
kernel started, `reset(cwd, env_set, env_unset)` silently before every notebook. It imports only the standard
library: the libraries whose state it saves and restores (IPython, pandas, Altair, matplotlib) are looked up
in `sys.modules`, so nothing is imported that the chapters do not import themselves.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import importlib
import os
import site
import sys
import sysconfig
import warnings

__all__ = ["BASE", "FAILED", "reset", "setup"]

FAILED: list[str] = []  # warm imports that failed ("name: error")
BASE: dict = {}  # the state of a new kernel, recorded by setup
_MISSING = object()


def _shell():
    """The kernel's IPython shell (IPython is loaded in every Jupyter kernel)."""
    return sys.modules["IPython"].get_ipython()


def _environment_prefixes():
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            paths.add(sysconfig.get_path(key))
        except Exception:
            pass
    try:
        paths.update(site.getsitepackages())
        paths.add(site.getusersitepackages())
    except Exception:
        pass
    return tuple(os.path.realpath(p).rstrip(os.sep) + os.sep for p in paths if p)


def _pandas_options():
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    cfg = sys.modules.get("pandas._config.config")  # loaded with pandas
    try:
        keys = [k for k in cfg._registered_options if k not in cfg._deprecated_options]
    except Exception:
        return None
    saved = {}
    for key in keys:
        try:
            saved[key] = pd.get_option(key)
        except Exception:
            pass
    return saved


def _restore_pandas(saved):
    pd = sys.modules.get("pandas")
    if not saved or pd is None:
        return
    for key, value in saved.items():
        try:
            current = pd.get_option(key)
            if current is value or (type(current) is type(value) and current == value):
                continue
        except Exception:
            pass
        try:
            pd.set_option(key, value)
        except Exception:
            pass


def _altair_state():
    alt = sys.modules.get("altair")
    if alt is None:
        return None
    saved = {}
    for name in ("renderers", "data_transformers", "theme"):
        try:
            registry = getattr(alt, name)
            saved[name] = (registry.active, dict(registry.options))
        except Exception:
            pass
    return saved


def _restore_altair(saved):
    alt = sys.modules.get("altair")
    if not saved or alt is None:
        return
    for name, (active, options) in saved.items():
        try:
            registry = getattr(alt, name)
            if registry.active != active or dict(registry.options) != options:
                registry.enable(active, **options)
        except Exception:
            pass


def _reset_matplotlib():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close("all")
        except Exception:
            pass
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        try:
            saved = BASE.get("matplotlib")
            if saved is not None:
                mpl.rcParams.update(saved)
            else:
                mpl.rc_file_defaults()
        except Exception:
            pass


def _flush_written_streams():
    """What ipykernel's display publisher does before every display: flush stdout and stderr so that text printed
    before the display comes before it; here only a stream that holds text to send (ipykernel's OutStream marks it
    `_flush_pending` on write until its IO thread sends it; a stream without the mark is flushed as before). Each
    flush waits for the IO thread even with nothing to send: about 0.6 ms a display, and a report displays some
    220 outputs."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "_flush_pending", True) or getattr(stream, "_subprocess_flush_pending", False):
            stream.flush()


def setup(imports):
    """Import the libraries once and record the state every run starts from."""
    for name in imports:
        try:
            importlib.import_module(name)
        except Exception as exc:
            FAILED.append(f"{name}: {type(exc).__name__}: {exc}")
    ip = _shell()
    if hasattr(getattr(ip, "display_pub", None), "_flush_streams"):
        ip.display_pub._flush_streams = _flush_written_streams
    mpl = sys.modules.get("matplotlib")
    BASE.update(
        user_ns=dict(ip.user_ns),  # a new kernel's namespace (__doc__, __spec__... that reset() drops)
        modules=set(sys.modules),
        packages={name.partition(".")[0] for name in sys.modules},
        prefixes=_environment_prefixes(),
        path=list(sys.path),
        environ=dict(os.environ),
        builtins=dict(vars(builtins)),
        warnings=list(warnings.filters),
        recursionlimit=sys.getrecursionlimit(),
        hooks=(sys.stdout, sys.stderr, sys.displayhook, sys.excepthook),
        events={name: list(callbacks) for name, callbacks in ip.events.callbacks.items()},
        ast_transformers=list(ip.ast_transformers),
        input_transformers_post=list(ip.input_transformers_post),
        formatters={mime: (dict(f.type_printers), dict(f.deferred_printers))
                    for mime, f in ip.display_formatter.formatters.items()},
        pandas=_pandas_options(),
        altair=_altair_state(),
        matplotlib=dict(mpl.rcParams) if mpl is not None else None,
    )
    # the libraries' objects live as long as the kernel: keep them out of every later collection
    gc.collect()
    gc.freeze()
    return FAILED


def reset(cwd, env_set, env_unset):
    """Put the kernel back into the state recorded by setup, as a new kernel started in `cwd` would be."""
    ip = _shell()
    # process state first: the namespace reset below records the working directory in _dh
    os.chdir(cwd)
    base_env = BASE["environ"]
    for key in [k for k in os.environ if k not in base_env]:
        del os.environ[key]
    for key, value in base_env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    for key in env_unset:
        os.environ.pop(key, None)
    for key, value in env_set.items():
        os.environ[key] = value
    sys.path[:] = BASE["path"]
    sys.setrecursionlimit(BASE["recursionlimit"])
    sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = BASE["hooks"]
    names = vars(builtins)
    for key in [k for k in names if k not in BASE["builtins"]]:
        del names[key]
    for key, value in BASE["builtins"].items():
        if names.get(key, _MISSING) is not value:
            names[key] = value
    # resetwarnings() also invalidates every module's __warningregistry__ ("once"/"default" shown again)
    warnings.resetwarnings()
    warnings.filters[:] = BASE["warnings"]
    # IPython hooks a notebook may have added
    for name, callbacks in ip.events.callbacks.items():
        callbacks[:] = BASE["events"].get(name, [])
    ip.ast_transformers[:] = BASE["ast_transformers"]
    ip.input_transformers_post[:] = BASE["input_transformers_post"]
    for mime, formatter in ip.display_formatter.formatters.items():
        saved = BASE["formatters"].get(mime)
        if saved is not None:
            formatter.type_printers.clear()
            formatter.type_printers.update(saved[0])
            formatter.deferred_printers.clear()
            formatter.deferred_printers.update(saved[1])
    # library state
    _restore_pandas(BASE["pandas"])
    _restore_altair(BASE["altair"])
    _reset_matplotlib()
    # modules imported from outside the environment (a notebook's helper files) are read again next time
    prefixes = BASE["prefixes"]
    for name in [n for n in sys.modules if n not in BASE["modules"]]:
        if name.partition(".")[0] in BASE["packages"]:
            continue
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and not os.path.realpath(path).startswith(prefixes):
            # and its bytecode: a file edited within the second of its last import, same size, would look unchanged
            cached = getattr(module, "__cached__", None)
            if isinstance(cached, str):
                with contextlib.suppress(OSError):
                    os.unlink(cached)
            del sys.modules[name]
    importlib.invalidate_caches()
    # user namespace, In/Out, history and execution counter, as in a new kernel
    ip.reset(new_session=True)
    for key, value in BASE["user_ns"].items():
        ip.user_ns.setdefault(key, value)
    gc.collect()
