# dlviz in two commands from a fresh clone (README, "Install and run" and "Install and test"):
#   make run    creates .venv, installs requirements.txt, starts the app (http://localhost:8501)
#   make test   installs what the tests need (Debian's chromium, an emoji font and nginx when
#               run as root where apt-get exists; requirements-dev.txt), then runs the suite
# Python 3.11 or newer: `make run PYTHON=python3.12` picks another interpreter; `make test
# TESTS=tests/test_balancer.py` runs one file.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One try per index: an unreachable index costs one failed lookup, not five retries.
PIP := PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1 $(PY) -m pip install -q
APT_PACKAGES := chromium fonts-noto-color-emoji nginx
# requirements.txt names PyTorch's CPU-only index (torch without 2.5 GB of CUDA libraries,
# essential on Streamlit Community Cloud). Evaluated only when an install runs.
CPU_INDEX = $(shell sed -n 's/^--extra-index-url[= ]*//p' requirements.txt)
CPU_INDEX_UP = $(shell $(PYTHON) -c "import urllib.request as u; \
	u.urlopen('$(CPU_INDEX)/torch/', timeout=5)" >/dev/null 2>&1 && echo yes)

.PHONY: run test install install-dev system-packages

run: install
	$(PY) -m streamlit run streamlit_app.py

test: system-packages install-dev
	$(PY) -m pytest -q -p no:cacheprovider $(TESTS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/axe-core/axe.min.js

$(PY):
	$(PYTHON) -m venv $(VENV)

# Where the CPU index answers, pip takes torch's CPU wheel from it. Where it does not (this
# project's CI), pip would pay a failed lookup on it for every package (measured: 11.5 min
# instead of 1.5), so the same pins come from the default index first (there, PyPI's torch is
# the CPU build) and the requirements file then finds every pin satisfied, in seconds.
define install_pins
	@if [ "$(CPU_INDEX_UP)" != yes ]; then \
		echo "pip: PyTorch's CPU index is out of reach: the pins of $(1) from the default index"; \
		grep -hv -e '^-' -e '^#' $(1) | grep . > $(VENV)/pins.txt; \
		$(PIP) -r $(VENV)/pins.txt; \
	fi
	$(PIP) -r $(1)
endef

$(VENV)/.installed: requirements.txt | $(PY)
	$(call install_pins,requirements.txt)
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(call install_pins,requirements-dev.txt)
	touch $@

# axe-core, pinned by package-lock.json, for the accessibility browser tests (tests/a11y.py
# injects it into the pages; nothing is fetched at test time). npm comes with Debian's npm
# where node is missing.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium (the browser tests never download a browser), an emoji font (page icons)
# and nginx (the balancer tests run their own, unprivileged, on loopback).
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			echo "apt: installing" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		fi; \
	else \
		echo "make test: not root, or no apt-get: install $(APT_PACKAGES) yourself" \
			"(the browser and balancer tests need /usr/bin/chromium and /usr/sbin/nginx)"; \
	fi
