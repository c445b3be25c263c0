# `make demo` and `make test` create .venv themselves from the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov (tests/terraform/test_checkov.py) lives in its own virtualenv: its pins are not ours.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: demo test lint bench clean checkov provider-schema

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

# GRPC_VERBOSITY: keep gRPC's shutdown notices out of the demo's output.
demo: $(STAMP)
	GRPC_VERBOSITY=ERROR $(BIN)/python demo.py

test: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# Regenerate tests/terraform/provider_schema.json, the provider schemas `make test` checks the
# Terraform against, from the pinned @cdktf/provider-* npm packages (needs npm and the network; the
# packages, about 650 MB, go to a temporary directory).
provider-schema: $(STAMP)
	$(BIN)/python -m tests.terraform.provider_schema

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV)
