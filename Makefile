# The course's commands. Each creates .venv on first use and installs the project into it.
#   make lab         open the course in JupyterLab on the welcome chapter (NO_BROWSER=1: print
#                    its URL, open no browser; LAB_ROOT=dir: serve a copy of the repository)
#   make test        ruff, the package's tests, and nbval over every notebook
#   make nbval-baseline  nbval over every notebook once more with NumPy on its baseline code
#                    paths (every SIMD extension it dispatches to on this CPU disabled): an
#                    output that changes with the CPU fails on any machine
#   make test-browser  every notebook run in JupyterLab under Chromium (Playwright), explorers
#                    and exercise feedback checked; screenshots in screenshots/browser/
#   make notebooks   re-execute every notebook in place (after a change to the package)
#   make exercises   rewrite the exercise notebooks from xentlearn/exercises/ch01.py ... ch08.py, then run them
#   make instructor  rewrite the generated parts of the instructor guide (instructor/) from the
#                    chapters and the questions, and check its session plans
#   make bench       run the benchmarks (tables on stdout)
#   make site        the course website in _build/site/ (Sphinx + myst-nb, from the stored notebooks)
#   make decks       every chapter as a static slide deck in _build/decks/ (reveal.js and MathJax
#                    from npm once, then offline): open NN_name.html, ?print-pdf to print it
#   make test-site   build the site and check it in Chromium: figures, math, search, links, axe
#   make hub CLASS=class.txt  (root) JupyterHub for a room: a user, home and password slip per
#                    learner, a copy of the course each; on 127.0.0.1:8000 (HUB_IP=0.0.0.0 opens it,
#                    with HUB_PUBLIC_URL=http://ADDRESS:8000/ for the slips); checks first, creates
#                    nothing on a problem
#   make hub-prestart  (root, hub running) start every learner's server, a few at a time, before
#                    the room arrives (AT_ONCE=n, default HUB_SPAWN_LIMIT)
#   make hub-slips   (root) print the slips again: same passwords, the address of HUB_PUBLIC_URL
#   make hub-report  (root) the class report over the learners' exercises on the hub
#                    (LIVE=1: from the checks sent to the live view, running nothing)
#   make hub-remove-users  (root) remove every learner of the hub, with their homes
#   make test-hub    (root) a hub with three test learners: isolation, course updates, the
#                    class report, Chromium; skips when not root

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
NOTEBOOKS := $(wildcard notebooks/*.ipynb exercises/*.ipynb exercises/solutions/*.ipynb)
LAB_FLAGS := $(if $(NO_BROWSER),--no-browser) $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ROOT  := $(CURDIR)
# The project's JupyterLab settings (lab/), installed into the .venv's JupyterLab, not the
# user's: no news, update or extension-catalogue requests (nothing leaves the machine), build
# folders and caches hidden from the file browser.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
LAB_CONFIG   := $(VENV)/etc/jupyter/jupyter_server_config.json

.PHONY: lab test test-browser lint pytest nbval nbval-baseline notebooks exercises instructor bench site decks \
	test-site clean \
	hub hub-prestart hub-slips hub-report hub-remove-users test-hub

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "xentlearn needs Python 3.10 or newer, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(LAB_SETTINGS): lab/overrides.json $(STAMP)
	@mkdir -p $(@D)
	cp lab/overrides.json $@

$(LAB_CONFIG): lab/jupyter_server_config.json $(STAMP)
	@mkdir -p $(@D)
	cp lab/jupyter_server_config.json $@

# LabApp.default_url, not ServerApp's: JupyterLab sets the server's to /lab (the launcher).
lab: $(STAMP) $(LAB_SETTINGS) $(LAB_CONFIG)
	PYTHONHASHSEED=0 $(BIN)/jupyter lab $(LAB_FLAGS) --ServerApp.root_dir="$(LAB_ROOT)" --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb

test: lint pytest nbval

lint: $(STAMP)
	$(BIN)/ruff check .

pytest: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/site --ignore=tests/hub --doctest-modules xentlearn

# Needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium chromium-driver);
# without it, or without playwright, the browser tests skip and say why.
test-browser: $(STAMP) $(LAB_SETTINGS) $(LAB_CONFIG)
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider

nbval: $(STAMP)
ifeq ($(strip $(NOTEBOOKS)),)
	@echo "nbval: no notebooks yet"
else
	PYTHONHASHSEED=0 $(BIN)/python -m pytest --nbval --nbval-current-env -p no:cacheprovider \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)
endif

# NPY_DISABLE_CPU_FEATURES: every dispatched extension this CPU has (scripts/npy_dispatched_features.py
# checks that NumPy accepts them); the notebooks' kernels inherit the environment.
nbval-baseline: $(STAMP)
ifeq ($(strip $(NOTEBOOKS)),)
	@echo "nbval-baseline: no notebooks yet"
else
	features="$$($(BIN)/python scripts/npy_dispatched_features.py)" && \
	echo "nbval with NPY_DISABLE_CPU_FEATURES=\"$$features\"" && \
	env -u NPY_ENABLE_CPU_FEATURES NPY_DISABLE_CPU_FEATURES="$$features" PYTHONHASHSEED=0 \
		$(BIN)/python -m pytest --nbval --nbval-current-env -p no:cacheprovider \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)
endif

notebooks: $(STAMP)
	PYTHONHASHSEED=0 $(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)

exercises: $(STAMP)
	$(BIN)/python scripts/build_exercises.py
	PYTHONHASHSEED=0 $(BIN)/python scripts/execute_notebooks.py $(wildcard exercises/*.ipynb exercises/solutions/*.ipynb)

instructor: $(STAMP)
	$(BIN)/python scripts/build_instructor.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py
	$(BIN)/python benchmarks/accuracy_losses.py
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_progress.py

# Needs npm once (MathJax is unpacked from npm's registry into _build/mathjax/).
site: $(STAMP)
	$(BIN)/python scripts/build_site.py

# Needs npm once, like site (reveal.js and MathJax are unpacked from npm's registry).
decks: $(STAMP)
	$(BIN)/python scripts/build_decks.py

# Builds the site itself; the browser checks skip without Chromium, like test-browser.
test-site: $(STAMP)
	$(BIN)/python -m pytest tests/site -p no:cacheprovider

# The room's hub (the package hub/, run as root). HUB_* settings: hub/settings.py (VARIABLES).
HUB_STAMP := $(VENV)/.installed-hub
export HUB_DIR HUB_IP HUB_PORT HUB_API_PORT HUB_PROXY_API_PORT HUB_ROOM_PORT HUB_ADMIN HUB_MEM_LIMIT \
	HUB_IDLE_TIMEOUT HUB_SERVER_ARGS HUB_PUBLIC_URL HUB_KERNEL_IDLE_TIMEOUT HUB_SPAWN_LIMIT

$(HUB_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,hub]'
	@touch $(HUB_STAMP)

hub: $(HUB_STAMP) $(LAB_SETTINGS) $(LAB_CONFIG)
	@test -n "$(CLASS)" || { echo "make hub CLASS=class.txt: a class list, one user name a line"; exit 2; }
	$(BIN)/python -m hub.preflight "$(CLASS)"
	$(BIN)/python -m hub.accounts create "$(CLASS)"
	$(BIN)/python -m hub.course publish
	$(BIN)/jupyterhub -f hub/jupyterhub_config.py

hub-prestart: $(HUB_STAMP)
	$(BIN)/python -m hub.prestart $(if $(AT_ONCE),--at-once $(AT_ONCE))

hub-slips: $(HUB_STAMP)
	$(BIN)/python -m hub.accounts slips

hub-report: $(HUB_STAMP)
	$(BIN)/python -m hub.report $(if $(CSV),--csv) $(if $(LIVE),--live)

hub-remove-users: $(HUB_STAMP)
	$(BIN)/python -m hub.accounts remove

test-hub: $(HUB_STAMP) $(LAB_SETTINGS) $(LAB_CONFIG)
	$(BIN)/python -m pytest tests/hub -p no:cacheprovider

clean:
	rm -rf $(VENV) _build .pytest_cache .ruff_cache .hypothesis *.egg-info
