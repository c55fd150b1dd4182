# aliwatch: `make demo` and `make test` are the two commands; both build .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest system-packages bench bench-large bench-parse bench-idle faults fuzz soak clean

# setuptools announces every editable install of a package-dir mapping ("Editable installation.
# Please be careful with folders ... with the same name as your package", an InformationOnly
# warning of setuptools/command/editable_wheel.py): there is no aliwatch/ folder here to shadow
# the package, so the demo does not print it. Warnings of any other kind still show.
$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian/Ubuntu run 'sudo apt-get install python3-venv'"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# The demo's "today": the sample mailbox's stories are told as of this moment, every time.
DEMO_NOW ?= 2026-11-26T12:00:00Z
DEMO_DB  := $(VENV)/demo/aliwatch.db

demo: $(STAMP)
	@echo "== what each mail in examples/mailbox means =="
	$(BIN)/aliwatch parse examples/mailbox
	@rm -rf $(VENV)/demo
	@echo
	@echo "== one pass of the daemon over that mailbox (as of $(DEMO_NOW)) =="
	ALIWATCH_DB_PATH=$(DEMO_DB) ALIWATCH_MAILDIR=examples/mailbox ALIWATCH_LOG_FORMAT=console \
		ALIWATCH_DESKTOP_NOTIFY=off ALIWATCH_SMTP_HOST= ALIWATCH_ALERT_EMAIL_TO= ALIWATCH_APPRISE_URLS= \
		$(BIN)/aliwatch run --once --now $(DEMO_NOW)
	@echo
	ALIWATCH_DB_PATH=$(DEMO_DB) $(BIN)/aliwatch status --now $(DEMO_NOW)

system-packages:
	@bash scripts/system-packages.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# aliwatch.daemon, .parsers and .rules as mypy must see them: links to the repository's folders.
NS := $(VENV)/ns/aliwatch
$(NS):
	@mkdir -p $(NS) && for d in daemon parsers rules; do ln -sfn ../../../$$d $(NS)/$$d; done

typecheck: $(STAMP) $(NS)
	$(BIN)/mypy

pytest: $(STAMP) system-packages
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP) system-packages
	$(BIN)/python benchmarks/bench_daemon.py

# The first sync of a 100,000-message folder (5,000 AliExpress) beside its floor; peak RSS and
# the progress lines. Writes about 5 GB under /tmp while it runs.
bench-large: $(STAMP) system-packages
	$(BIN)/python benchmarks/bench_large.py

bench-parse: $(STAMP)
	$(BIN)/python benchmarks/bench_parse.py

# 200 mails appended during IDLE at random gaps, each timed to its event, on Dovecot and Cyrus.
bench-idle: $(STAMP) system-packages
	$(BIN)/python benchmarks/bench_idle.py

# The randomized fault harness over 100 seeds (RELIABILITY.md); FAULTS_ARGS="--seed 17 -v"
# replays one seed with its timeline.
FAULTS_ARGS ?=
faults: $(STAMP) system-packages
	$(BIN)/python benchmarks/faults.py $(FAULTS_ARGS)

# 10,000 hostile mails through `aliwatch run --once` on a private Dovecot (RELIABILITY.md);
# FUZZ_ARGS="--seed 17" replays one run.
FUZZ_ARGS ?=
fuzz: $(STAMP) system-packages
	$(BIN)/python benchmarks/fuzz_daemon.py $(FUZZ_ARGS)

# `aliwatch run` watching for 10 minutes while mail arrives and its connections are broken;
# RSS and descriptors sampled (RELIABILITY.md). SOAK_ARGS="--minutes 30" for longer.
SOAK_ARGS ?=
soak: $(STAMP) system-packages
	$(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
