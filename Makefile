PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench golden clean

$(BIN)/khplan: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/khplan

demo: install
	$(BIN)/khplan parse samples/cao-bang-2022-cong-tac-tre-em.txt

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python scripts/bench.py

golden: install
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
