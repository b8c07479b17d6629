# Two commands from a fresh clone: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.eugene-installed
# A bare `torch` requirement resolves to a multi-GB CUDA build; install a CPU build first.
TORCH_SPEC ?= torch==2.13.0
DEMO_OUT ?= demo_report

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[test,bench,dask,umap,genome,modisco]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/eugene demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks scripts
	$(BIN)/python -m ruff format --check src tests benchmarks scripts
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks scripts

format: $(STAMP)
	$(BIN)/python -m ruff format src tests benchmarks scripts
	$(BIN)/python -m ruff check --fix src tests benchmarks scripts

bench: $(STAMP)
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache
