"""lakin.pipeline.engine: one warm kernel, a fresh namespace per run, outputs identical to papermill's cold runs;
lakin.pipeline.kernel, the program the kernel runs, tested on its own."""

from __future__ import annotations

import ast
import copy
import json
import os
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from lakin.pipeline import engine, kernel

pytestmark = pytest.mark.slow  # every test here starts a kernel and executes notebooks


def _notebook(path: Path, parameters: str, *cells: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(parameters), *(new_code_cell(c) for c in cells)])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return path


def _texts(nb) -> list[list[str]]:
    """Per code cell after the parameters, its outputs as text (stream text or text/plain), in order."""
    out = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "parameters" in tags or "injected-parameters" in tags:
            continue
        texts = []
        previous = None
        for o in cell.outputs:
            if o.output_type == "stream" and previous is not None and previous.get("name") == o.name:
                texts[-1] += o.text  # one print may arrive as two stream messages on a busy machine
            elif o.output_type == "stream":
                texts.append(o.text)
            elif o.output_type == "error":
                texts.append(f"{o.ename}: {o.evalue}")
            else:
                texts.append(o.data.get("text/plain", ""))
            previous = o if o.output_type == "stream" else None
        out.append(texts)
    return out


def _comparable(nb) -> list[dict]:
    """Cells without papermill's and nbclient's volatile metadata (timestamps, durations, paths), each run of
    stream outputs of one name joined: a print is two writes, which reach the notebook as two outputs when the
    kernel's IO thread sends the first before the second is written (a busy machine)."""
    nb = copy.deepcopy(nb)
    cells = []
    for c in nb.cells:
        outputs = c.get("outputs")
        if outputs is not None:
            joined = []
            for o in outputs:
                if (o.get("output_type") == "stream" and joined and joined[-1].get("output_type") == "stream"
                        and joined[-1].get("name") == o.get("name")):
                    joined[-1] = {**joined[-1], "text": joined[-1]["text"] + o["text"]}
                else:
                    joined.append(dict(o))
            outputs = joined
        cells.append({"cell_type": c.cell_type, "source": c.source, "execution_count": c.get("execution_count"),
                      "outputs": outputs})
    return cells


@pytest.fixture(scope="module")
def warm():
    """This process's warm kernel, started once for the module and stopped at its end."""
    start = time.perf_counter()
    engine.warm_up()
    print(f"\nwarm kernel started with {', '.join(engine.WARM_IMPORTS)} in {time.perf_counter() - start:.1f} s")
    yield engine
    engine.shutdown()
    assert engine.status()["kernel_pid"] is None


@pytest.fixture
def notebooks(tmp_path) -> dict[str, Path]:
    (tmp_path / "helper_mod.py").write_text("VALUE = 1\n")
    return {
        "a": _notebook(
            tmp_path / "a.ipynb", "label = 'a'",
            "import helper_mod\nprint(helper_mod.VALUE)",
            "import os, sys, warnings, builtins\nimport pandas as pd\nsecret = 42\n"
            "os.environ['LAKIN_TEST'] = '1'\nos.chdir('/')\nsys.path.insert(0, '/nowhere')\n"
            "warnings.simplefilter('ignore')\npd.set_option('display.max_rows', 3)\nbuiltins.lakin_leak = True\n"
            "get_ipython().events.register('post_run_cell', lambda result: print('hook from a'))\n"
            "print(label, secret)",
        ),
        "b": _notebook(
            tmp_path / "b.ipynb", "label = 'b'\nexpected_cwd = ''",
            "print('secret' in dir(), 'pd' in dir(), 'helper_mod' in dir())",
            "import os, sys, builtins\nprint(os.environ.get('LAKIN_TEST'), os.getcwd() == expected_cwd)",
            "print('/nowhere' in sys.path, hasattr(builtins, 'lakin_leak'))",
            "import pandas as pd\nprint(pd.get_option('display.max_rows'))",
            "import helper_mod\nprint(helper_mod.VALUE)",
            "import warnings\nwarnings.warn('muncul', UserWarning)",
            "print(len(In), sorted(Out))",
        ),
        "c": _notebook(
            tmp_path / "c.ipynb", "label = 'c'\nn = 2\nexpected_cwd = ''",
            "import json, os, sys, warnings\nimport pandas as pd",
            "df = pd.DataFrame({'x': range(n), 'y': [label] * n})\ndf",
            "warnings.warn_explicit('peringatan dari pustaka', UserWarning, 'pustaka.py', 7,\n"
            "                       registry=json.__dict__.setdefault('__warningregistry__', {}))",
            "from IPython.display import Markdown, display\ndisplay(Markdown(f'**{label}**'))\nlabel * n",
            # text printed before a display comes before it (the warm kernel flushes only written streams)
            "print('sebelum')\ndisplay(Markdown('satu'))\nprint('sesudah', file=sys.stderr)\ndisplay(Markdown('dua'))",
            "print(os.getcwd() == expected_cwd, sorted(dir()))",
            "_ , sorted(Out), len(In)",
        ),
        "e": _notebook(
            tmp_path / "e.ipynb", "label = 'e'",
            "print('sebelum')",
            "raise ValueError('rusak ' + label)",
            "print('tidak pernah')",
        ),
    }


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_a_run_leaves_nothing_behind_for_the_next(warm, notebooks, tmp_path):
    cwd = str(tmp_path.resolve())
    a = warm.execute_notebook_warm(notebooks["a"], tmp_path / "a.out.ipynb", {"label": "A"}, cwd=tmp_path)
    assert _texts(a) == [["1\n"], ["A 42\nhook from a\n"]]  # the hook runs after its own cell
    (tmp_path / "helper_mod.py").write_text("VALUE = 2\n")  # a notebook's own module, edited between runs
    b = warm.execute_notebook_warm(notebooks["b"], tmp_path / "b.out.ipynb", {"expected_cwd": cwd}, cwd=tmp_path)
    texts = _texts(b)
    assert texts[0] == ["False False False\n"]  # names defined in A
    assert texts[1] == ["None True\n"]  # environment variable and working directory
    assert texts[2] == ["False False\n"]  # sys.path and builtins
    assert texts[3] == ["60\n"]  # pandas options
    assert texts[4] == ["2\n"]  # local modules are imported afresh
    assert any("UserWarning: muncul" in t for t in texts[5])  # warning filters
    assert texts[6] == ["10 []\n"]  # In holds this run's 9 cells only, Out is empty; no hook from A
    assert not any("hook from a" in t for cell in texts for t in cell)
    assert [c.execution_count for c in b.cells] == list(range(1, 10))  # 8 cells + injected parameters


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_warm_runs_equal_a_cold_run(warm, notebooks, tmp_path):
    parameters = {"label": "x", "n": 3, "expected_cwd": str(tmp_path.resolve())}
    start = time.perf_counter()
    cold = papermill.execute_notebook(notebooks["c"], tmp_path / "cold.ipynb", parameters, cwd=tmp_path,
                                      progress_bar=False, kernel_name="python3")
    cold_s = time.perf_counter() - start
    start = time.perf_counter()
    first = warm.execute_notebook_warm(notebooks["c"], tmp_path / "warm1.ipynb", parameters, cwd=tmp_path)
    warm_s = time.perf_counter() - start
    warm.execute_notebook_warm(notebooks["a"], None, {}, cwd=tmp_path)  # pollute in between
    again = warm.execute_notebook_warm(notebooks["c"], tmp_path / "warm2.ipynb", parameters, cwd=tmp_path)
    print(f"\nsame notebook: cold (papermill, new kernel) {cold_s:.2f} s, warm {warm_s:.2f} s")
    texts = _texts(cold)
    assert texts[2][0].startswith("pustaka.py:7: UserWarning: peringatan dari pustaka")  # shown in every run
    assert [t if "Markdown" not in t else "md" for t in texts[4]] == ["sebelum\n", "md", "sesudah\n", "md"]
    assert texts[5][0].startswith("True [")
    assert _comparable(first) == _comparable(cold)
    assert _comparable(again) == _comparable(cold)
    assert nbformat.read(tmp_path / "warm2.ipynb", as_version=4).cells[2].outputs == cold.cells[2].outputs


def test_cell_error_is_papermills_and_the_kernel_serves_the_next_run(warm, notebooks, tmp_path):
    before = warm.status()
    out = tmp_path / "e.out.ipynb"
    with pytest.raises(PapermillExecutionError) as info:
        warm.execute_notebook_warm(notebooks["e"], out, {"label": "E"}, cwd=tmp_path)
    assert (info.value.ename, info.value.evalue, info.value.exec_count) == ("ValueError", "rusak E", 4)
    failed = nbformat.read(out, as_version=4)
    banners = [c for c in failed.cells if "papermill-error-cell-tag" in c.metadata.get("tags", [])]
    assert len(banners) == 2 and "An Exception was encountered" in failed.cells[0].source
    assert failed.metadata.papermill.exception is True
    nb = warm.execute_notebook_warm(notebooks["b"], None, {"expected_cwd": str(tmp_path.resolve())}, cwd=tmp_path)
    assert _texts(nb)[0] == ["False False False\n"]
    after = warm.status()
    assert after["kernel_pid"] == before["kernel_pid"] and after["starts"] == before["starts"]


def test_papermill_finds_the_engine_by_name(warm, notebooks, tmp_path):
    assert "lakin-warm" in {ep.name for ep in entry_points(group="papermill.engine")}, \
        "entry point missing: run `pip install -e .`"
    before = warm.status()
    nb = papermill.execute_notebook(notebooks["b"], tmp_path / "pm.ipynb", {"expected_cwd": str(tmp_path.resolve())},
                                    cwd=tmp_path, engine_name="lakin-warm", progress_bar=False)
    assert _texts(nb)[1] == ["None True\n"]
    after = warm.status()
    assert after["runs"] == before["runs"] + 1 and after["kernel_pid"] == before["kernel_pid"]


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_a_dead_kernel_is_replaced(warm, notebooks, tmp_path, monkeypatch):
    dies = _notebook(tmp_path / "dies.ipynb", "label = 'd'", "import os\nos._exit(1)")
    before = warm.status()
    with pytest.raises(DeadKernelError):
        warm.execute_notebook_warm(dies, None, {}, cwd=tmp_path)
    assert warm.status()["kernel_pid"] is None
    monkeypatch.setattr(engine.WarmEngine, "imports", ("pandas",))  # a lighter replacement keeps the test short
    nb = warm.execute_notebook_warm(notebooks["b"], None, {"expected_cwd": str(tmp_path.resolve())}, cwd=tmp_path)
    assert _texts(nb)[0] == ["False False False\n"]
    after = warm.status()
    assert after["starts"] == before["starts"] + 1 and after["kernel_pid"] != before["kernel_pid"]


def test_a_kernel_started_without_waiting_serves_the_first_run(warm, notebooks, tmp_path, monkeypatch):
    """`lakin build` starts the kernel while it computes the report model (`warm_up(wait=False)`): the call does
    not wait for a busy engine thread, and the first run is served by the kernel it started, not by a second one."""
    import threading

    warm.shutdown()
    monkeypatch.setattr(engine.WarmEngine, "imports", ("pandas",))  # a lighter kernel keeps the test short
    busy, release = threading.Event(), threading.Event()
    state = engine.engine_thread()
    state.executor.submit(lambda: busy.set() or release.wait(30))  # the engine thread is busy until released
    assert busy.wait(30)
    warm.warm_up(imports=("pandas",), wait=False)  # returns although the engine thread cannot start it yet
    assert warm.status()["kernel_pid"] is None
    release.set()
    nb = warm.execute_notebook_warm(notebooks["b"], None, {"expected_cwd": str(tmp_path.resolve())}, cwd=tmp_path)
    assert _texts(nb)[0] == ["False False False\n"]
    assert warm.status()["starts"] == 1 and warm.status()["runs"] == 1


def _kernel_children() -> list[str]:
    """The command lines of this process's children that run a Jupyter kernel."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            if int(stat[stat.rfind(")") + 2:].split()[1]) == os.getpid():
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if "ipykernel" in cmdline:
                    found.append(cmdline)
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads the child processes from /proc")
def test_a_kernel_started_without_waiting_has_its_process_when_the_call_returns(warm, monkeypatch):
    """With a free engine thread, `warm_up(wait=False)` returns once the kernel's process is started, not before:
    the engine thread's steps up to it took 0.5 s beside a build computing its report model (the GIL in turns),
    and the first chapter waits for that kernel. It does not wait for the kernel to be ready."""
    warm.shutdown()
    monkeypatch.setattr(engine.WarmEngine, "imports", ("pandas",))
    assert _kernel_children() == []
    warm.warm_up(imports=("pandas",), wait=False)
    assert len(_kernel_children()) == 1
    assert warm.status()["kernel_pid"] is None  # not ready yet: the status names a kernel once it is
    warm.shutdown()
    assert _kernel_children() == []


# --------------------------------------------------------------------------- the kernel's program, tested directly
def test_the_kernel_program_is_a_module_of_the_standard_library_only():
    """lakin.pipeline.kernel runs inside the kernel before anything else: it imports nothing else."""
    tree = ast.parse(Path(kernel.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.partition(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.partition(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported - {"__future__"} <= set(sys.stdlib_module_names), imported
    code = engine.install_code(("json",))
    assert repr(Path(kernel.__file__).read_text(encoding="utf-8")) in code  # the engine sends this very file
    compile(code, "<install>", "exec")


RESET_SCRIPT = r'''
import builtins, json, os, sys, warnings
from IPython.core.interactiveshell import InteractiveShell
from lakin.pipeline import engine

shell = InteractiveShell.instance()
shell.run_cell(engine.install_code(("pandas",)), silent=True)
program = sys.modules["_lakin_warm"]
import pandas as pd

filters, path = list(warnings.filters), list(sys.path)
shell.run_cell("secret = 42")
shell.run_cell("import os; os.environ['LAKIN_TEST'] = '1'")
os.environ["LAKIN_GONE"] = "1"
sys.path.insert(0, "/nowhere")
builtins.lakin_leak = True
warnings.simplefilter("ignore")
pd.set_option("display.max_rows", 3)
shell.events.register("post_run_cell", lambda result: print("hook"))
class Mine:
    pass
shell.display_formatter.formatters["text/plain"].for_type(Mine, lambda n, p, cycle: p.text("mine"))
os.chdir("/")
program.reset(sys.argv[1], {"LAKIN_SET": "x"}, ["LAKIN_GONE"])
print(json.dumps({
    "failed": program.FAILED, "secret": "secret" in shell.user_ns, "test": os.environ.get("LAKIN_TEST"),
    "gone": os.environ.get("LAKIN_GONE"), "set": os.environ.get("LAKIN_SET"), "cwd": os.getcwd(),
    "path": sys.path == path, "leak": hasattr(builtins, "lakin_leak"), "filters": warnings.filters == filters,
    "rows": pd.get_option("display.max_rows"), "hooks": len(shell.events.callbacks["post_run_cell"]),
    "printer": Mine in shell.display_formatter.formatters["text/plain"].type_printers,
    "count": shell.execution_count, "In": len(shell.user_ns["In"]),
}))
'''


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_the_kernel_program_puts_a_shell_back_into_its_recorded_state(tmp_path):
    """setup/reset on an IPython shell in a process of its own (reset changes the process's state)."""
    proc = subprocess.run([sys.executable, "-c", RESET_SCRIPT, str(tmp_path.resolve())], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state == {"failed": [], "secret": False, "test": None, "gone": None, "set": "x",
                     "cwd": str(tmp_path.resolve()), "path": True, "leak": False, "filters": True, "rows": 60,
                     "hooks": 0, "printer": False, "count": 1, "In": 1}


def test_a_wait_for_the_kernel_ends_soon_after_an_interrupt():
    """Ctrl-C can reach the kernel between two requests and cost the reply the engine thread waits for (a reset's):
    `lakin build` then hung at exit, its engine thread waiting out RESET_TIMEOUT. The wait looks at the caller's
    interrupt every CANCEL_POLL seconds and ends with it."""
    import asyncio
    import queue
    import threading

    from lakin.errors import WarmKernelError

    class Silent:  # a client whose kernel never answers
        def execute(self, *args, **kwargs):
            return "permintaan-1"

        async def get_shell_msg(self, timeout):
            await asyncio.sleep(timeout)
            raise queue.Empty

    kernel = engine.WarmKernel(None, (), 5)
    kernel.kc = Silent()
    threading.Timer(0.5, kernel.cancelled.set).start()
    started = time.monotonic()
    with pytest.raises(WarmKernelError, match="interrupted"):
        asyncio.run(kernel._run_silent("1", timeout=engine.RESET_TIMEOUT))
    assert time.monotonic() - started < 5
