# linuxnet.plumbing -- build, demo and test entry points (Debian 12, as root).
#
#   make demo         install what is missing, build the richest lab, show its proof, tear it down
#   make test         install test dependencies, then: units sanity integration lint build, with
#                     molecule alongside in the background (BACKGROUND_SUITES= runs all in order);
#                     stops at the first failing suite (KEEP_GOING=1 runs them all)
#   make units | sanity | integration | lint | molecule | build    one suite
#   make molecule SCENARIOS="bridge router"                         some molecule scenarios
#   make integration TARGETS="veth netns"                           some integration targets
#   make image        (re)build the molecule test image if missing or outdated
#   make clean        remove .build/ (the venv and .cache/ stay)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.ONESHELL:

VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Podman settings these machines need (runc, cgroupfs, ulimits); see molecule/README.md.
export CONTAINERS_CONF := $(CURDIR)/molecule/_shared/containers.conf
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Keep the tree clean of pytest/python caches (they would end up in the tarball).
export PYTHONDONTWRITEBYTECODE := 1

SUITES := units sanity integration lint build molecule

# Namespaces, links, nftables and podman need root: say so at once, in one
# line, instead of failing later with "Operation not permitted".
ifneq ($(shell id -u),0)
ifneq ($(filter-out help clean,$(or $(MAKECMDGOALS),help)),)
$(error make $(MAKECMDGOALS) needs root (network namespaces, links and nftables): run it as root, e.g. sudo make $(MAKECMDGOALS))
endif
endif

# `make test` runs the set-up once and then each suite with SKIP_SETUP=1.
ifeq ($(SKIP_SETUP),1)
TEST_SETUP :=
RUNTIME_SETUP :=
else
TEST_SETUP := setup-test
RUNTIME_SETUP := setup-runtime
endif

.PHONY: help demo test $(SUITES) setup-runtime setup-test image podman-collection clean

help:
	@sed -n '2,12s/^# \{0,1\}//p' Makefile

setup-runtime:
	@scripts/setup.sh runtime

setup-test:
	@scripts/setup.sh test

demo: $(RUNTIME_SETUP)
	@scripts/demo.sh

test: $(TEST_SETUP)
	@scripts/run-suites.sh $(SUITES)

units: $(TEST_SETUP)
	@echo "units: pytest tests/unit"
	$(VENV)/bin/python -m pytest -p no:cacheprovider tests/unit

sanity: $(TEST_SETUP)
	@scripts/sanity.sh

integration: $(TEST_SETUP)
	@tests/integration/run $(TARGETS)

lint: $(TEST_SETUP)
	@echo "lint: ansible-lint (production profile, .ansible-lint)"
	$(VENV)/bin/ansible-lint
	@echo "lint: antsibull-changelog lint"
	$(VENV)/bin/antsibull-changelog lint
	@echo "lint: ok"

molecule: $(TEST_SETUP)
	@scripts/molecule.sh $(SCENARIOS)

build: $(TEST_SETUP)
	@scripts/build.sh

image: $(TEST_SETUP)
	@scripts/build-test-image.sh

podman-collection: $(TEST_SETUP)
	@scripts/fetch-podman-collection.sh

clean:
	rm -rf .build
