# The two commands a fresh machine needs: `make lab` (the learner's) and `make test` (the developer's).
# `make lab` installs the learner's runtime only: binder/requirements.txt (the lock of pyproject's
# `course` extra, what Binder installs too) and the package, as fast and small as pip allows.
# `make test` adds the test tools (pyproject's `test` extra, with the lock as constraints so the
# shared packages stay as locked).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LAB_STAMP  := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
RUN    := PATH="$(CURDIR)/$(BIN):$$PATH"
# the learner's JupyterLab configuration (binder/jupyter/README.md): nbgrader's instructor tools
# off, no news prompt; searched before the environment's own etc/jupyter
LEARNER_CONFIG := $(CURDIR)/binder/jupyter
# JupyterLab refuses to run as root without --allow-root (containers, CI)
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
# the lock tool, pinned so that `make lock` writes the same file everywhere
UV_VERSION := 0.13.9

.PHONY: install install-lab test lab instructor lock course grade bench clean nbgrader-course

# a pip new enough for editable installs of a pyproject-only package (PEP 660); left as it is when
# it already is (Python 3.11's own pip is), which saves downloading and installing another
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile "pip>=23.1"

# The lock is complete (every dependency pinned; tests/binder checks it), so nothing is resolved
# (--no-deps), and no bytecode is compiled up front: Python writes it for what a notebook imports,
# when it first imports it. The installer is uv (the lock's own tool, pinned, run from a throw-away
# folder): it installs the lock's ~110 wheels in parallel in about a second of CPU, where pip
# unpacks them one by one in about twelve. Where uv cannot be had or fails (it reads no pip.conf:
# a private index or proxy set up for pip only), pip installs the same lock with the same flags.
# pip check fails the install if the lock ever misses a dependency.
$(LAB_STAMP): $(BIN)/python pyproject.toml binder/requirements.txt
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	if $(BIN)/pip install --quiet --no-compile --target "$$tmp" "uv==$(UV_VERSION)" >/dev/null 2>&1 && \
		"$$tmp/bin/uv" pip install --quiet --python $(BIN)/python --no-deps -r binder/requirements.txt && \
		"$$tmp/bin/uv" pip install --quiet --python $(BIN)/python --no-deps -e . ; then :; else \
		echo "make: uv was not available; installing with pip" >&2 && \
		$(BIN)/pip install --quiet --no-compile --no-deps -r binder/requirements.txt && \
		$(BIN)/pip install --quiet --no-compile --no-deps -e . ; fi
	$(BIN)/pip check
	touch $@

$(TEST_STAMP): $(LAB_STAMP) pyproject.toml binder/requirements.txt
	$(BIN)/pip install --quiet -c binder/requirements.txt -e ".[test]"
	touch $@

install-lab: $(LAB_STAMP)

install: $(TEST_STAMP)

test: $(TEST_STAMP)
	$(RUN) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The learner's JupyterLab on course/ only; extra flags: make lab LAB_ARGS="--no-browser --port 9000"
lab: $(LAB_STAMP)
	JUPYTER_CONFIG_PATH="$(LEARNER_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(RUN) $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)/course" $(ROOT_FLAG) $(LAB_ARGS)

# The instructor's JupyterLab: the whole repository (solutions/, grader/) with nbgrader's tools
instructor: $(TEST_STAMP)
	$(RUN) $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/solutions \
		$(ROOT_FLAG) $(LAB_ARGS)

# Re-lock the learner's runtime after changing pyproject's `course` extra (commit the result);
# uv runs from a throw-away virtual environment. The lock is universal: any OS, Python 3.10+.
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && "$$tmp/venv/bin/pip" install --quiet "uv==$(UV_VERSION)" && \
	"$$tmp/venv/bin/uv" pip compile pyproject.toml --extra course --universal --python-version 3.10 \
		--custom-compile-command "make lock" --quiet -o binder/requirements.txt

# Regenerate solutions/ and course/ from chapters/ (commit the result)
course: $(TEST_STAMP)
	$(RUN) $(BIN)/python tools/build_course.py

# For stock nbgrader (configured by nbgrader_config.py): nbgrader-course/source/<chapter>/ from solutions/,
# one assignment per chapter; then `nbgrader generate_assignment ch03`. make nbgrader-course NBGRADER_LANG=zh
nbgrader-course: $(TEST_STAMP)
	$(RUN) $(BIN)/python -m grader.nbgrader_course --lang "$(or $(NBGRADER_LANG),en)"

# Grade a folder of submissions: make grade SUBMISSIONS=path/to/folder OUT=path/to/out
grade: $(TEST_STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [OUT=folder]"; exit 2; }
	$(RUN) $(BIN)/python -m grader grade "$(SUBMISSIONS)" --out "$(or $(OUT),out)" $(GRADE_ARGS)

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
