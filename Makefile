# `make demo` and `make test` create .venv themselves from the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov (tests/terraform/test_checkov.py) lives in its own virtualenv: its pins are not ours.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# verdaccio, the npm upstream of tests/formats/test_npm_*.py (emulator/npm_registry.py).
VERDACCIO_DIR := emulator/verdaccio
VERDACCIO_STAMP := $(VERDACCIO_DIR)/node_modules/.installed

.PHONY: demo demo-docker playground test lint bench clean checkov verdaccio test-shifted-clocks provider-schema debian-packages

$(STAMP): requirements.txt requirements-cli.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# The '*' .gitignore keeps git, ruff and mypy out of the virtualenv.
$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	echo '*' > $(CHECKOV_VENV)/.gitignore
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

checkov: $(CHECKOV_STAMP)

$(VERDACCIO_STAMP): $(VERDACCIO_DIR)/package.json $(VERDACCIO_DIR)/package-lock.json
	cd $(VERDACCIO_DIR) && npm ci --no-audit --no-fund
	touch $(VERDACCIO_STAMP)

verdaccio: $(VERDACCIO_STAMP)

# GRPC_VERBOSITY: keep gRPC's shutdown notices out of the demo's output.
demo: $(STAMP) debian-packages
	GRPC_VERBOSITY=ERROR $(BIN)/python demo.py

# The same for a Docker Hub token (the dockerhub source) and skopeo through a Docker repository.
demo-docker: $(STAMP) debian-packages
	GRPC_VERBOSITY=ERROR $(BIN)/python demo_docker.py

# The emulator, a private GitLab-style upstream and the function, seeded from
# playground/playground.toml, until Ctrl-C (README: "The playground"). PLAYGROUND_GRPC_PORT and
# PLAYGROUND_HTTP_PORT move the ports (0: free ones); PLAYGROUND_ARGS="--config PATH" another file.
playground: $(STAMP)
	GRPC_VERBOSITY=ERROR $(BIN)/python -m playground $(PLAYGROUND_ARGS)

# The real upstream servers and clients the format tests run (tests/formats): the CNCF
# distribution registry and skopeo for Docker, Maven with the dependency plugin in
# /usr/share/maven-repo (Maven Central is not reachable from CI), and junit4, which that plugin's
# plexus-container-default needs but whose package does not pull in. Installed from Debian when
# missing (as root, or with sudo).
DEBIAN_PACKAGES := docker-registry skopeo maven libmaven-dependency-plugin-java junit4
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

debian-packages:
	@missing="$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: $(STAMP) $(CHECKOV_STAMP) $(VERDACCIO_STAMP) debian-packages
	$(BIN)/python -m pytest

# The whole suite with the system clock a year ahead, then a year behind: nothing may depend on the
# date it runs. Debian's faketime also fakes sleeps and condition waits, which crashes or hangs
# Python's threads; this builds only libfaketime's clock functions, from the source the PyPI
# package libfaketime ships. The monotonic clock stays real, as it does when a system clock is off.
FAKETIME_DIR := build/libfaketime
FAKETIME_SRC := $(FAKETIME_DIR)/wheel/libfaketime/vendor/libfaketime/src
FAKETIME_LIB := $(FAKETIME_DIR)/libfaketime.so.1

$(FAKETIME_LIB):
	rm -rf $(FAKETIME_DIR) && mkdir -p $(FAKETIME_DIR)
	$(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps --dest $(FAKETIME_DIR) libfaketime==3.0.1
	$(PYTHON) -m zipfile -e $(FAKETIME_DIR)/libfaketime-3.0.1-py3-none-any.whl $(FAKETIME_DIR)/wheel
	cc -std=gnu99 -O2 -fPIC -shared -DFAKE_STAT -DFAKE_INTERNAL_CALLS -DPREFIX='"/usr"' \
	  -DLIBDIRNAME='"/lib"' -Wl,--version-script=$(FAKETIME_SRC)/libfaketime.map \
	  -o $@ $(FAKETIME_SRC)/libfaketime.c -ldl -lpthread -lm -lrt

test-shifted-clocks: $(STAMP) $(CHECKOV_STAMP) $(VERDACCIO_STAMP) $(FAKETIME_LIB) debian-packages
	for shift in +365d -365d; do \
	  export LD_PRELOAD=$(abspath $(FAKETIME_LIB)) FAKETIME=$$shift FAKETIME_DONT_FAKE_MONOTONIC=1; \
	  echo "system clock $$shift: $$(date -u)"; \
	  $(BIN)/python -m pytest -q || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache

# Regenerate tests/terraform/provider_schema.json, the provider schemas `make test` checks the
# Terraform against, from the pinned @cdktf/provider-* npm packages (needs npm and the network; the
# packages, about 650 MB, go to a temporary directory).
provider-schema: $(STAMP)
	$(BIN)/python -m tests.terraform.provider_schema

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV)
