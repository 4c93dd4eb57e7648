# The two set-up commands (README): `make demo` and `make test`. Each creates .venv and
# installs the project when missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing lindungi into $(VENV) ..."
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[test]'
	@# the project's own bytecode too (pip compiles only what it copies): where
	@# PYTHONDONTWRITEBYTECODE is set, every command would compile these modules again (~0.1 s of its start)
	@$(PY) -m compileall -q pipelines assets quality dagster_project >/dev/null
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/lindungi demo

# pytest exits 5 when it ran no test: any non-zero exit fails the target.
test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/pipeline.py

# the embedded server is stopped first: removing its data under it left a server running on
# deleted files
clean:
	-@test -x $(VENV)/bin/lindungi && test -d .lindungi/pgdata && LINDUNGI_HOME=.lindungi $(VENV)/bin/lindungi db stop
	rm -rf $(VENV) .lindungi lindungi-data .pytest_cache
