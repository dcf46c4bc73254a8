# The README's two commands: `make run` and `make test`. Everything installs into .venv.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install browser run test bench bench-scale bench-load index train readers clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first, pinned: the CPU wheel on disk (an unpinned torch pulls a CUDA build)
	$(PIP) install --quiet --disable-pip-version-check torch==2.13.0
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install  ## build the demo index and models on first use, then serve http://127.0.0.1:7860
	$(VENV)/bin/crs serve

browser:  ## Debian's Chromium for the browser tests (Playwright drives it; no browser download)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

TEST_WORKERS ?= 2
test: install browser  ## the whole suite, a file per worker (TEST_WORKERS=1 runs it in one process)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: install  ## turn latency, index throughput and CF training time on the demo pack
	$(PY) bench/turns.py
	$(PY) bench/ranking.py

bench-load: install  ## 50 concurrent conversations x 20 turns against `crs serve` on loopback (rules backend)
	$(PY) bench/load.py

bench-scale: install  ## 10k and 100k item packs (cached in ~/.cache/crs-scale; needs ../shared/data), first card / token times
	$(PY) bench/scale.py
	$(PY) bench/first_token.py

index: install
	$(VENV)/bin/crs index

train: install
	$(VENV)/bin/crs train

readers: install  ## train the stale learned readers into prompts/trained/ (after changing their examples)
	$(PY) prompts/make_readers.py

clean:
	rm -rf .crs .pytest_cache build *.egg-info
