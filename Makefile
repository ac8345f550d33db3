# ProfileBench: the two commands.
#   make demo   build, generate the synthetic dataset, run experiments/quickstart.json
#   make test   run the test suite
# Both install the system libraries (HDF5, OpenBLAS, LAPACKE) with apt-get when missing.

SWIFT ?= swift
BIN := .build/release/profilebench
SYSTEM_PACKAGES := libhdf5-dev libopenblas-dev liblapacke-dev zlib1g-dev pkg-config

.PHONY: demo test deps build clean

deps:
	@if ! pkg-config --exists hdf5-serial openblas lapacke zlib 2>/dev/null || [ ! -f /usr/include/lapacke.h ]; then \
		echo "installing system libraries: $(SYSTEM_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product profilebench

demo: build
	$(BIN) synth --out data/synthetic.h5
	$(BIN) run experiments/quickstart.json --out results/quickstart
	@echo
	@echo "report: results/quickstart/report.md"

test: deps
	$(SWIFT) build --product profilebench
	$(SWIFT) test

clean:
	rm -rf .build
