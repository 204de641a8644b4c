"""The package's shape, as docs/architecture.md describes it, held by reading its source.

- no import cycle between lakin's modules, and no import inside a function except the optional heavy
  third-party imports listed in LAZY_ALLOWED (each with its reason);
- layers import downwards only (LAYERS);
- no module over MAX_LINES lines;
- every exception class lives in lakin/errors.py;
- every module declares `__all__`, and no module imports another module's private names.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lakin

PACKAGE = Path(lakin.__file__).resolve().parent
MAX_LINES = 450

# Imports that may stay inside a function: optional or heavy third-party modules, loaded only where used.
LAZY_ALLOWED = {
    "dask": "Dask distributed: only a batch on a cluster needs it",
    "typst": "Typst compiles in a child of its own; a build's process imports it only to list the fonts Typst sees "
             "(the PDF's charts, lakin.pipeline.render.pdf.typst_has_chart_fonts), once, and only for a PDF",
    "distributed": "Dask distributed: only a batch on a cluster needs it",
    "vl_convert": "chart conversion: only rendering needs it (70 ms per chart, 0.5 s to import)",
    "altair": "only where charts are made (chapters, exploration); a build's own process converts their specs "
              "without it (0.45 s of every `lakin build`)",
    "nbconvert": "HTML export of the exploration notebook only",
    "docx": "python-docx (0.08 s): only styling a written DOCX needs it; the chart-drawing child and HTML builds "
            "never load it",
    "papermill": "the papermill engine (with jupyter_client: 0.5 s) is loaded when a chapter runs; a rebuild that "
                 "executes none never loads it",
    "pandera": "the value checks' findings: only a table the vectorised precheck (lakin.data.schemas.passes_checks) "
               "finds dirty needs pandera (0.35-0.5 s of every process that loads data)",
    "hypothesis": "never in the package",
}
# The CLI imports each command's module when that command runs: `lakin --help` answers without loading pandas,
# Altair and papermill (2-3 s). Executing chapters loads lakin's papermill engine (lakin.pipeline.engine, with
# papermill and jupyter_client: 0.5 s) only when a chapter is about to run. A build imports the tables workbook's
# writer (with openpyxl: 0.17 s) where it writes the workbook, which a rebuild does in a forked child
# (lakin.pipeline.aside) while the render runs. These are the three places lakin's own modules are imported inside
# functions.
LAZY_INTERNAL_ALLOWED = {"lakin.cli", "lakin.pipeline.execute", "lakin.pipeline.build"}

# Layer order: a module may import its own layer and the layers before it.
LAYERS = ["base", "data", "rules", "model", "present", "tools", "pipeline", "cli"]
BASE = {"lakin", "lakin.errors", "lakin.registry", "lakin.values", "lakin.atomic"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if "templates" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "lakin.cli":
        return "cli"
    return module.split(".")[1]


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once per session (several tests read every module)."""
    return ast.parse(path.read_text(), str(path))


@functools.cache
def _imports(module: str, path: Path) -> tuple:
    """(imported module, line, inside a function?) for every import statement of one module."""
    tree = _tree(path)
    is_package = path.name == "__init__.py"
    out = []

    def visit(node, in_function: bool, type_checking: bool):
        for child in ast.iter_child_nodes(node):
            func = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            tc = type_checking or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    out.append((alias.name, child.lineno, in_function, tc, None))
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, child, is_package)
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    name = sub if sub in MODULES else target
                    out.append((name, child.lineno, in_function, tc, alias.name))
            visit(child, func, tc)

    visit(tree, False, False)
    return tuple(out)


def test_modules_found():
    assert {"lakin.pipeline.build", "lakin.data.load", "lakin.model.report_model", "lakin.cli"} <= set(MODULES)
    assert len(MODULES) > 30


def test_no_import_inside_a_function_except_optional_heavy_ones():
    offenders = []
    for module, path in MODULES.items():
        for name, line, in_function, _, _ in _imports(module, path):
            if module in LAZY_INTERNAL_ALLOWED and name.startswith("lakin."):
                continue
            if in_function and name.split(".")[0] not in LAZY_ALLOWED:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)


def _graph() -> dict[str, set[str]]:
    graph = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for name, _, in_function, type_checking, _ in _imports(module, path):
            if name in MODULES and name != module and not type_checking and not in_function:
                graph[module].add(name)
    return graph


def test_no_import_cycle():
    graph = _graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            strong(v)
    assert not cycles, cycles


def test_layers_import_downwards_only():
    graph = _graph()
    wrong = []
    for module, targets in graph.items():
        if module == "lakin":  # the package's own convenience imports
            continue
        for target in targets:
            if target == "lakin":
                continue
            if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module)):
                wrong.append(f"{module} ({_layer(module)}) imports {target} ({_layer(target)})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_module_over_the_line_limit():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_every_exception_class_lives_in_errors():
    stray = []
    for module in MODULES:
        mod = importlib.import_module(module)
        for name, obj in vars(mod).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module \
                    and module != "lakin.errors":
                stray.append(f"{module}.{name}")
    assert not stray, stray


def test_every_module_declares_all_and_imports_no_private_names():
    missing, private = [], []
    for module, path in MODULES.items():
        tree = _tree(path)
        if not any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
                   for n in tree.body):
            missing.append(module)
        for name, line, _, _, alias in _imports(module, path):
            if name.startswith("lakin") and alias and alias.startswith("_") and not alias.startswith("__"):
                private.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {alias} from {name}")
        for node in ast.walk(tree):  # lakin.x._private used as an attribute
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = ast.unparse(node.value)
                if base.startswith("lakin.") or base in {"lakin"}:
                    private.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} uses {base}.{node.attr}")
    assert not missing, f"without __all__: {missing}"
    assert not private, "\n".join(private)


def test_all_names_exist():
    broken = []
    for module in MODULES:
        mod = importlib.import_module(module)
        for name in getattr(mod, "__all__", []):
            if not hasattr(mod, name):
                broken.append(f"{module}.{name}")
    assert not broken, broken


# The modules found on disk (MODULES), not by pkgutil.walk_packages: that imports every package to look inside it,
# Dask's included, in each test process while it collects, before any test runs (the fast suite's collection took
# 3.96-4.37 s with it, 3.63-3.72 s without).
@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "lakin"))
def test_every_module_imports_on_its_own(module):
    importlib.import_module(module)


@pytest.fixture(scope="module")
def fresh_imports() -> dict:
    """What a new Python process has imported: after lakin's command line and build modules (the papermill engine),
    after loading the shipped data of a unit (pandera), with the batch modules (Altair), then after Altair,
    nbformat and papermill as well (`rfc3987_syntax`). One process answers the six tests."""
    code = ("import sys, json, lakin, lakin.cli, lakin.pipeline.build; "
            "engine = ('papermill', 'jupyter_client', 'lakin.pipeline.engine'); "
            "loaded = sorted(m for m in engine if m in sys.modules); "
            f"from lakin.data.load import load; load({str(PACKAGE.parent / 'data')!r}, 'kppbc-balikpapan'); "
            "pandera = 'pandera' in sys.modules; "
            "schema = sorted(m for m in ('nbformat', 'jsonschema') if m in sys.modules); "
            "excel = 'openpyxl' in sys.modules; "
            "import lakin.pipeline.batch; "
            "build = 'altair' in sys.modules; "
            "import altair, nbformat, papermill; "
            "rfc = repr(sys.modules.get('rfc3987_syntax', 'absent')); "
            "print(json.dumps({'build_altair': build, 'build_papermill': loaded, 'clean_data_pandera': pandera, "
            "'build_nbformat': schema, 'build_openpyxl': excel, "
            "'rfc3987_syntax': rfc}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_lakin_keeps_jsonschema_from_building_an_rfc3987_parser(fresh_imports):
    """rfc3987_syntax (installed with JupyterLab) builds an Earley parser when jsonschema imports it: about 3 s in
    every process and kernel. After `import lakin`, Altair, nbformat and papermill import without it."""
    assert fresh_imports["rfc3987_syntax"] == "None"


def test_the_suite_imports_lakin_before_its_plugins_build_that_parser():
    """pytest loads the plugins installed (nbval: nbformat, jsonschema) before the suite's conftest imports lakin;
    `-p lakin` (pyproject.toml, addopts) imports lakin first, so no pytest process builds the parser either."""
    assert "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None


def test_a_build_loads_papermill_only_to_run_chapters(fresh_imports):
    """A rebuild that executes no chapter (an edited text, nothing changed) needs no kernel: the papermill engine is
    imported when a chapter is about to run (lakin.pipeline.execute.warm_up_kernel, execute_chapter)."""
    assert fresh_imports["build_papermill"] == []


def test_loading_clean_data_imports_no_pandera(fresh_imports):
    """The shipped data passes the vectorised precheck: pandera, imported only for a dirty table
    (lakin.data.parse.pandera_schema; tests/test_data.py has its findings), is not loaded."""
    assert fresh_imports["clean_data_pandera"] is False


def test_a_build_reads_and_writes_notebooks_without_nbformat(fresh_imports):
    """A build's own process reads the executed notebooks as JSON and writes a kept one as nbformat would
    (lakin.pipeline.render.notebooks.notebook_text): nbformat imports jsonschema (0.15 s) and compiles its schema to
    validate (0.13 s), both paid by every rebuild after an edit. Only the papermill engine, run in a chapter's
    turn, loads nbformat."""
    assert fresh_imports["build_nbformat"] == []


def test_a_build_imports_openpyxl_only_to_write_a_workbook(fresh_imports):
    """openpyxl (0.17 s) is loaded where the tables workbook is written: by the forked child of a rebuild after an
    edit (lakin.pipeline.aside), not by the build's process before its render."""
    assert fresh_imports["build_openpyxl"] is False


def test_a_build_imports_no_altair(fresh_imports):
    """A build's own process reads the chapters' chart specs and converts them; only the chapters (the kernel) and
    the exploration make Altair charts. Importing Altair costs about 0.45 s of every `lakin build`."""
    assert fresh_imports["build_altair"] is False


def test_the_drawing_child_imports_no_pandas_and_no_python_docx():
    """The chart-drawing child of a build (lakin.pipeline.sidework) draws charts into the cache: `import lakin` no
    longer loads the data layer, the model and the frameworks (lakin/__init__.py loads its public names on first
    use), `lakin.values` tests for pandas' missing values without importing pandas, and python-docx is imported
    where a DOCX is styled. Its imports took 0.8 s of the child's start before."""
    code = ("import sys, json, lakin.pipeline.sidework; "
            "print(json.dumps(sorted(m for m in ('pandas', 'numpy', 'docx', 'altair', 'pandera', 'lakin.data.load', "
            "'lakin.rules.references') if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True,
                          cwd=PACKAGE.parent)
    assert json.loads(proc.stdout) == []


def test_a_process_that_imports_only_the_loader_runs_the_framework_rules(tmp_path):
    """The data's cross-table checks include the rules defined with the frameworks (lakin.rules.references: every
    unit's `kerangka` is known). lakin/__init__.py names that module (`provide`) and the registry imports it when
    the checks first read it, so a process that imports nothing of lakin but its loader still refuses a unit with an
    unknown framework, naming file, row, column and value."""
    data = tmp_path / "data"
    shutil.copytree(PACKAGE.parent / "data", data)
    satker = data / "satker.csv"
    satker.write_text(satker.read_text(encoding="utf-8").replace(",kemenkeu-bsc,", ",kemenkeu-xyz,", 1),
                      encoding="utf-8")
    code = ("import sys, lakin.data.load as L\n"
            "assert 'lakin.rules.references' not in sys.modules\n"
            "try:\n"
            f"    L.load({str(data)!r}, 'kppbc-balikpapan')\n"
            "except Exception as exc:\n"
            "    print(type(exc).__name__, exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("DataValidationError") and "satker.csv" in proc.stdout, proc.stdout
    assert "kemenkeu-xyz" in proc.stdout and "kerangka yang dikenal" in proc.stdout, proc.stdout


def test_lakins_public_names_load_on_first_use():
    """`lakin.load`, `from lakin import score`, ...: each public name comes from its module when first used."""
    from lakin.data.load import load
    from lakin.rules.scoring import score

    assert lakin.load is load and lakin.score is score
    assert set(lakin.__all__) <= set(dir(lakin))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        lakin.nothing  # noqa: B018
