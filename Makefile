# The two commands a fresh machine needs: `make lab` and `make test`.
# The test environment is the Binder environment: binder/requirements.txt plus the package.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN    := PATH="$(CURDIR)/$(BIN):$$PATH"
# JupyterLab refuses to run as root without --allow-root (containers, CI)
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: install test lab course grade bench clean nbgrader-course

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml binder/requirements.txt
	$(BIN)/pip install --quiet -r binder/requirements.txt
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(RUN) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Open the course in JupyterLab; extra flags: make lab LAB_ARGS="--no-browser --port 9000"
lab: $(STAMP)
	$(RUN) $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/course \
		$(ROOT_FLAG) $(LAB_ARGS)

# Regenerate solutions/ and course/ from chapters/ (commit the result)
course: $(STAMP)
	$(RUN) $(BIN)/python tools/build_course.py

# For stock nbgrader (configured by nbgrader_config.py): nbgrader-course/source/<chapter>/ from solutions/,
# one assignment per chapter; then `nbgrader generate_assignment ch03`. make nbgrader-course NBGRADER_LANG=zh
nbgrader-course: $(STAMP)
	$(RUN) $(BIN)/python -m grader.nbgrader_course --lang "$(or $(NBGRADER_LANG),en)"

# Grade a folder of submissions: make grade SUBMISSIONS=path/to/folder OUT=path/to/out
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [OUT=folder]"; exit 2; }
	$(RUN) $(BIN)/python -m grader grade "$(SUBMISSIONS)" --out "$(or $(OUT),out)" $(GRADE_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
