# Two commands from a fresh clone: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.eugene-installed
# A bare `torch` requirement resolves to a multi-GB CUDA build; install a CPU build first.
TORCH_SPEC ?= torch==2.13.0
DEMO_OUT ?= demo_report

.PHONY: demo test docs lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	@# The distribution was called "eugene" before eugene-interpret: an old install would own the package too.
	$(BIN)/python -m pip uninstall --quiet --yes eugene 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e ".[test,bench,dask,umap,genome,modisco,docs]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/eugene demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks scripts
	$(BIN)/python -m ruff format --check src tests benchmarks scripts
	# two workers (one torch thread each, tests/conftest.py), each test file on one worker; see CONTRIBUTING.md
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# The API reference from the docstrings, and the user guide, into site/ (offline; warnings are errors).
docs: $(STAMP)
	$(BIN)/python -m mkdocs build --strict  # not --quiet: it hides the warnings --strict counts

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks scripts

format: $(STAMP)
	$(BIN)/python -m ruff format src tests benchmarks scripts
	$(BIN)/python -m ruff check --fix src tests benchmarks scripts

bench: $(STAMP)
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_OUT) site .pytest_cache .ruff_cache
