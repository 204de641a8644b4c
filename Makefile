# Two entry points for a fresh machine with only Python 3.11+:
#   make report   set up .venv, install lakin, build the default report
#   make test     set up .venv, install lakin with test extras, run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Python writes the bytecode of lakin's modules and pytest its rewritten tests (__pycache__, git-ignored): some
# machines set PYTHONDONTWRITEBYTECODE, and then every process (CLI, kernel, test worker) compiles them again.
# Setup writes the bytecode of lakin and of what lakin's processes import, by importing it: the command line and a
# build's process in one Python, a kernel and the engine that runs it in another, the test tools in a third, at
# once. That is about 2,400 of the 6,100 modules installed (about 6 s here; compiling them all on every core took
# 13.4 s); what else a process imports is written the first time it is imported under make, which does not pass
# PYTHONDONTWRITEBYTECODE on.
unexport PYTHONDONTWRITEBYTECODE
RUNTIME_IMPORTS_BUILD := import lakin.cli, lakin.pipeline.build, lakin.pipeline.batch, lakin.pipeline.watch, \
  lakin.pipeline.sidework, lakin.tools.excel, openpyxl, docx, typst, pypandoc, vl_convert, pandera.pandas, rich.markdown
# a kernel loads ipykernel's debugger (debugpy's pydevd, about 100 modules) when it starts; the variable keeps
# pydevd's note on frozen modules out of the setup's output
RUNTIME_IMPORTS_KERNEL := import lakin.pipeline.engine, ipykernel.kernelapp, ipykernel.ipkernel, ipykernel.debugger, \
  altair, dask.distributed, distributed.cli.dask_scheduler, distributed.cli.dask_worker, nbconvert
# the suite's own tools: pytest's controller and its two workers would each compile them at once
TEST_IMPORTS := import pytest, xdist, nbval.plugin, hypothesis.strategies, hypothesis.extra.pandas, anyio, bs4, \
  pypdf, pypdfium2

SATKER ?= kppbc-balikpapan
# The suite runs on every core (pytest-xdist, a test file per worker; the workers share the session's builds and
# chart cache, tests/conftest.py), the longest files handed out first (tests/durations.json; xdist's own reorder,
# by number of tests, is turned off). `make test PARALLEL=` runs it in one process.
PARALLEL ?= -n auto --dist loadfile --no-loadscope-reorder
PERIOD ?= 2024

.PHONY: setup report test test-fast lab clean notebooks system-packages jelajah

setup: $(STAMP)

# The install goes through uv where the package index has it: pip spends about 20 s of its 37 s resolving (parsing
# some 91,000 links of the indexes' pages), uv installs the same versions in about 6 s. The venv is made without
# pip (ensurepip: 5 s), the system's pip puts uv into it, and uv installs lakin, its dependencies and pip. uv does
# not read pip's configuration, so PIP_TO_UV hands it pip's indexes, find-links and constraints, and uv weighs
# every index as pip does (unsafe-best-match). Without uv, or if it fails, pip installs as before.
define PIP_TO_UV
import shlex, subprocess, sys
flags = {"index-url": "--index-url", "extra-index-url": "--extra-index-url", "find-links": "--find-links",
         "constraint": "--constraint"}
listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
args = []
for line in listed.splitlines():
    key, _, value = line.partition("=")
    flag = flags.get(key.rsplit(".", 1)[-1])
    for item in (value.strip().strip("'\"").split() if flag else []):
        args += [flag, item]
print(shlex.join(args))
endef
export PIP_TO_UV

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	( $(PYTHON) -m pip --python $(BIN)/python install --quiet --no-compile uv && \
	  $(BIN)/python -m uv pip install --quiet --python $(BIN)/python --index-strategy unsafe-best-match \
	    $$($(PYTHON) -c "$$PIP_TO_UV") -e '.[dev]' pip ) || \
	{ $(BIN)/python -m ensurepip --default-pip >/dev/null && $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'; }
	$(BIN)/python -m compileall -q -j0 lakin >/dev/null
	$(BIN)/python -c '$(RUNTIME_IMPORTS_BUILD)' & build=$$!; $(BIN)/python -c '$(TEST_IMPORTS)' & tools=$$!; \
	  PYDEVD_DISABLE_FILE_VALIDATION=1 $(BIN)/python -c '$(RUNTIME_IMPORTS_KERNEL)' && wait $$build && wait $$tools
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/lakin build $(SATKER) $(PERIOD)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks/0*.ipynb --nbval --nbval-sanitize-with tests/nbval-sanitize.cfg $(PARALLEL)

# JupyterLab refuses to start as root without --allow-root (containers, CI machines): pass it only then.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The inner loop: everything but the tests marked slow (whole reports built, batch clusters, PDF geometry,
# nbval on the committed notebooks). `make test` runs all of them.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow" -q -x -p no:nbval $(PARALLEL)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

# Debian packages some tests use (they skip with a reason where absent): a browser, PDF page tools, qpdf.
# Needs root (CI runs as root); elsewhere install them with your system's package manager.
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	  command -v qpdf >/dev/null || missing="$$missing qpdf"; \
	  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing="$$missing fonts-dejavu-core"; \
	  [ -e /usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf ] || missing="$$missing fonts-liberation"; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	else echo "system-packages: bukan root atau tanpa apt-get; uji yang memerlukan chromium/qpdf/poppler/fon tabel dilewati"; fi

# Export the exploration notebook, executed on the project's data, as one HTML file that opens offline.
jelajah: $(STAMP)
	mkdir -p reports/jelajah
	$(BIN)/papermill notebooks/explore/jelajah.ipynb reports/jelajah/jelajah.ipynb --cwd notebooks/explore
	$(BIN)/python -c "from lakin.tools.explore import export_html; print(export_html('reports/jelajah/jelajah.ipynb', 'reports/jelajah/jelajah.html'))"

clean:
	rm -rf reports .pytest_cache

# Re-execute the committed chapter notebooks with their default parameters (the outputs nbval checks).
notebooks: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	  --ExecutePreprocessor.timeout=600 0*.ipynb
