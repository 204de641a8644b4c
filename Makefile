# Two entry points for a fresh machine with only Python 3.11+:
#   make report   set up .venv, install lakin, build the default report
#   make test     set up .venv, install lakin with test extras, run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

SATKER ?= kppbc-balikpapan
PERIOD ?= 2024

.PHONY: setup report test lab clean notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/lakin build $(SATKER) $(PERIOD)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks/0*.ipynb --nbval --nbval-sanitize-with tests/nbval-sanitize.cfg

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf reports .pytest_cache

# Re-execute the committed chapter notebooks with their default parameters (the outputs nbval checks).
notebooks: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	  --ExecutePreprocessor.timeout=600 0*.ipynb
