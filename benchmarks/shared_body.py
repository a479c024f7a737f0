"""The shared body (one LM on both texts, a tied table per language) on the es-en Bible bed.

    make bench-shared      (-> benchmarks/results/shared_body.json + README table)
    .venv/bin/python benchmarks/shared_body.py --variants scratch --seeds 0 1 2

Wada, Iwata & Matsumoto (ACL 2019) train one LSTM on the text of every language with
language-specific word tables and read a lexicon off the tables; the decoder head is the
special case of a body trained on A alone and frozen. Each variant below is a `shared:`
section of the run config (config.SharedConfig), trained on RV1909 + KJV with the default
LM's body shape and 10k-word vocabularies, then scored with no word vectors at all: B's rows
retrieve A's rows by CSLS (and, as a second reading, with orthographic re-ranking, its weight
chosen on train: spelling is not a word vector). Train P@1 after every epoch is the learning
curve. Variants were compared on the train split (`p_at_1_train`, the column that chooses);
the test split is reported beside it, and so is the main job's
self-learning (default recipe, the default run's vectors) seeded with the variant's lexicon
instead of the decoder head's. The same self-learning also runs on the tables themselves (no
word vectors: what Procrustes and CSLS rounds add to the body's own placement). Rows resume:
each variant x seed trains under runs/shared-bench/ with per-epoch checkpoints, and a finished
row is not rerun unless --rescore asks (then training and refine resume from their checkpoints).
A last reading joins the tables' self-learned space to the vectors' in the final retrieval
(refine.join: each pair's cosine a weighted mean), the vectors' self-learning seeded either by
the tables' lexicon or by the decoder head (the main job's vectors of the es-en.bible bed's run
folders, `make bench-beds`); seed and weight are chosen on the seeds' mean train P@1, and
`decoder-head run --preset shared` runs that choice.
Two more views with no word vectors join the tables' self-learned space the same way: the frozen-body
decoder head's own tables (the main job's, A's 2k LM words) and the body's context vectors (each
word the mean output state just before it, self-learned from the tables' lexicon); their weight is
chosen on train.
The same body is also read the other way (A's rows retrieving B's: en -> es, on the en-es.bible
yardstick), self-learned, and joined to the en-es.bible bed's main-job vectors: one body serves
both directions.
--combine reads the --seeds' bodies as one space (their cosines averaged), in two orders, beside each
body's self-learned tables alone; with --combine-only it trains (or resumes) the bodies for that reading
without each seed's full row (the views, the joins and the vectors' self-learning above).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from body_signal import read_through
from decoder_head.align.ensemble import Space, combine, join
from decoder_head.config import load_run_config
from decoder_head.data.beds import BEDS
from decoder_head.data.corpus import CorpusSpec, load_sentences
from decoder_head.data.dictionary import read_muse
from decoder_head.data.tokenizer import Tokenizer
from decoder_head.eval.retrieval import normalize
from decoder_head.eval.vectors import read_word2vec
from decoder_head.experiment import Lexicon
from decoder_head.files import read_json, read_rows, write_json
from decoder_head.refine import refine, refine_own
from decoder_head.report.markdown import add_bench_args, mean_std, replace_block, table_only
from decoder_head.train.batches import batchify, encode_stream
from decoder_head.train.pretrain import train_lm
from decoder_head.train.shared import SharedTrained, train_shared

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- shared:start -->", "<!-- shared:end -->"
BED = "es-en.bible"
OTHER_WAY = "en-es.bible"  # the same texts, A's words as the source: the body read in the other direction
VARIANTS = {  # name -> the run config's `shared:` section (train blocks spelled out whole)
    "scratch": "{start: scratch, train: {epochs: 1, lr: 0.005, seed: SEED}}",
    "lm-frozen-0.25": "{start: lm, frozen: 0.25, thawed_lr: 0.5, train: {epochs: 1, lr: 0.005, seed: SEED}}",
    "scratch-specials-4ep": "{start: scratch, shared_specials: true, train: {epochs: 4, lr: 0.005, seed: SEED}}",
    "scratch-specials-8ep": "{start: scratch, shared_specials: true, train: {epochs: 8, lr: 0.005, seed: SEED}}",
}
DESCRIPTION = {
    "scratch": "from scratch (the paper's schedule), 1 epoch",
    "lm-frozen-0.25": "LM A's body + table; B's table alone for 1/4 of the steps, then all (A's part at lr x 0.5), 1 epoch",
    "scratch-specials-4ep": "from scratch, <unk>/<eos> one row for both languages, 4 epochs",
    "scratch-specials-8ep": "from scratch, <unk>/<eos> one row for both languages, 8 epochs",
}
SPELLING_WEIGHTS = (0.1, 0.25, 0.5, 1.0)  # orthographic re-ranking weights tried on the train split
ORDERS = ("each self-learned, then combined", "combined, then self-learned")  # of --combine, chosen on train
ALONE = "one body, self-learned"  # --combine's row of each body on its own, what the combination is measured against
JOIN_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5)  # the tables' share in the joined retrieval (refine.join), chosen on train
VIEW_WEIGHTS = (0.0, 0.1, 0.2, 0.3)  # a no-vectors view's share beside the tables (0: the tables alone), chosen on train
P_AT_1_COLUMNS = ["P@1 train", "P@1 test", "P@1 non-cognate", "seeds"]  # a reading's cells (reading_line)
VIEWS = {"decoder head": "the decoder head's tables (frozen body, the main job's)",
         "context": "the body's context vectors, self-learned"}


def variant_config(name: str, seed: int):
    return load_run_config("default", [f"shared={VARIANTS[name].replace('SEED', str(seed))}"])


def gold(part: str, bed: str = BED) -> dict[str, set[str]]:
    return read_muse(ROOT / "data" / "bli" / f"{bed}.{part}.txt")


def tables_lexicon(r: SharedTrained, rerank: float = 0.0) -> Lexicon:
    """B's table rows retrieving A's: the shared body's lexicon, with no word vectors."""
    return Lexicon(r.vocabs["b"].words, r.table("b"), r.vocabs["a"].words, r.table("a"), rerank=rerank)


def main_job_space(seed: int, workdir: Path, bed: str = BED, stage: str = "") -> Space | None:
    """The main job's mapped vectors on a bed and seed (with stage ".decoder-head": the decoder head's
    own tables; `benchmarks/beds.py --beds BED --seeds SEED` writes both), or None with a line saying so."""
    folder = workdir / f"{bed}.s{seed}"
    paths = [folder / f"emb{stage}.{lang}.vec" for lang in BEDS[bed].languages]
    if not all(p.is_file() for p in paths):
        print(f"shared_body: no main-job emb{stage}.*.vec in {folder} (make them with `.venv/bin/python "
              f"benchmarks/beds.py --beds {bed} --seeds {seed}`); the readings that need them are left out", flush=True)
        return None
    (sw, x, _), (tw, z, _) = (read_word2vec(p) for p in paths)
    return sw, x, tw, z


def trained(name: str, seed: int, workdir: Path, on_epoch_end=None) -> SharedTrained:
    """The variant's shared body for this seed (trained, or resumed from its checkpoints)."""
    cfg = variant_config(name, seed)
    lm = train_lm(cfg.lm, workdir) if cfg.shared.start == "lm" else None
    return train_shared(cfg.shared, cfg.lm, (cfg.induce.corpus, cfg.lm.corpus), workdir,
                        workdir / "shared-bench" / f"{name}.s{seed}", lm, on_epoch_end=on_epoch_end)


def measure(name: str, seed: int, workdir: Path) -> dict:
    cfg = variant_config(name, seed)
    train_gold = gold("train")

    def train_p_at_1(r: SharedTrained) -> dict:  # the learning curve, on the split that chooses
        return {"p_at_1_train": tables_lexicon(r).scores(train_gold, cfg.eval.knn)["csls"]["p_at_1"]}

    r = trained(name, seed, workdir, train_p_at_1)
    lexicon, test_gold = tables_lexicon(r), gold("test")
    # Spelling without vectors: orthographic re-ranking of the tables' CSLS, its weight chosen on train
    on_train = {w: tables_lexicon(r, w).scores(train_gold, cfg.eval.knn) for w in (0.0, *SPELLING_WEIGHTS)}
    weight = max(SPELLING_WEIGHTS, key=lambda w: on_train[w]["csls"]["p_at_1"])
    train, test = on_train[0.0], lexicon.scores(test_gold, cfg.eval.knn)
    spelled = {"train": on_train[weight], "test": tables_lexicon(r, weight).scores(test_gold, cfg.eval.knn)}
    # Its lexicon as the seed of the main job's self-learning (the vectors are the default run's, cached)
    seed_lexicon = lexicon.seed(cfg.eval.knn)
    refined = refine(seed_lexicon, (cfg.induce.corpus, cfg.lm.corpus), workdir, cfg.refine,
                     workdir / "shared-bench" / f"{name}.s{seed}.refine")
    splits = (("train", train_gold), ("test", test_gold))
    then = reading(Lexicon(*refined.space, rerank=cfg.refine.rerank), splits, cfg)
    # The same self-learning on the tables themselves: still no word vectors
    own = refine_own(lexicon, seed_lexicon, cfg.refine, workdir / "shared-bench" / f"{name}.s{seed}.tables",
                     progress=False)
    on_tables = reading(Lexicon(*own.space, rerank=cfg.refine.rerank), splits, cfg)
    # Both self-learned spaces joined in the final retrieval (refine.join), from either seed: the vectors
    # seeded by the tables' lexicon (above), or the main job's, seeded by the decoder head
    bases = {"shared": refined.space}
    main_job = main_job_space(seed, workdir)
    if main_job is not None:
        bases["induce"] = main_job
    joined = joined_readings(bases, own.space, splits, cfg)
    # Other views with no word vectors beside the tables' self-learned space: the body's context vectors
    # (self-learned from the tables' lexicon) and the frozen-body decoder head's own tables
    context_alone = Lexicon(*context_space(r, cfg, workdir))
    context = refine_own(context_alone, seed_lexicon, cfg.refine, workdir / "shared-bench" / f"{name}.s{seed}.context",
                         progress=False)
    views = {"context": context.space}
    head = main_job_space(seed, workdir, stage=".decoder-head")
    if head is not None:
        views["decoder head"] = head
    no_vectors = {view: {str(w): reading(Lexicon(*join([own.space, space], (1 - w, w)), rerank=cfg.refine.rerank),
                                         splits, cfg) for w in VIEW_WEIGHTS} for view, space in views.items()}
    last = r.history[-1]
    return {"variant": name, "seed": seed, "p_at_1_train": train["csls"]["p_at_1"],
            **{f"refined_{key}": value for key, value in then.items()},
            "p_at_1": test["csls"]["p_at_1"], "p_at_10": test["csls"]["p_at_10"],
            "p_at_1_noncognate": test["non_cognate"]["p_at_1"], "n_noncognate": test["non_cognate"]["n"],
            "spelled_p_at_1_train": spelled["train"]["csls"]["p_at_1"],
            "spelled_p_at_1": spelled["test"]["csls"]["p_at_1"],
            "spelled_p_at_1_noncognate": spelled["test"]["non_cognate"]["p_at_1"], "spelled_weight": weight,
            **{f"tables_refined_{key}": value for key, value in on_tables.items()},
            "tables_refined_seconds": round(own.seconds, 1), "joined": joined, "no_vectors_views": no_vectors,
            "context_alone": reading(context_alone, splits, cfg),
            "other_way": other_way(r, cfg, workdir / "shared-bench" / f"{name}.s{seed}.other-way", seed, workdir),
            "train_curve": [h.get("p_at_1_train") for h in r.history],
            "coverage": test["coverage"], "n_evaluated": test["n_evaluated"],
            "val_ppl_b": last["val_ppl_b"], "val_ppl_a": last["val_ppl_a"], "epochs": len(r.history),
            "train_seconds": sum(h["seconds"] for h in r.history),
            "tokens_per_s": sum(h["tokens_per_s"] for h in r.history) / len(r.history)}


def reading(lexicon: Lexicon, splits, cfg) -> dict:
    """P@1 on train (chooses), test and test's non-cognate words."""
    train, test = (lexicon.scores(g, cfg.eval.knn) for _, g in splits)
    return {"p_at_1_train": train["csls"]["p_at_1"], "p_at_1": test["csls"]["p_at_1"],
            "p_at_1_noncognate": test["non_cognate"]["p_at_1"]}


def joined_readings(bases: dict[str, Space], tables: Space, splits, cfg) -> dict[str, dict]:
    """Each seed stage's vectors joined to the tables' self-learned space at every tried weight
    (refine.join), read on both splits."""
    return {stage: {str(share): reading(Lexicon(*join([space, tables], (1 - share, share)), rerank=cfg.refine.rerank),
                                        splits, cfg) for share in (0.0, *JOIN_WEIGHTS)}
            for stage, space in bases.items()}


def context_space(r: SharedTrained, cfg, workdir: Path) -> Space:
    """The body's context vectors: each table word the mean output state just before it, over its
    language's whole text (body_signal.read_through; no training), centred and unit length."""
    spaces = {}
    for role, corpus in (("b", cfg.induce.corpus), ("a", cfg.lm.corpus)):
        vocab = r.vocabs[role]
        sentences = load_sentences(CorpusSpec.parse(corpus), Tokenizer(), cache_dir=str(workdir / "cache"))
        ids = batchify(encode_stream(sentences, vocab), 32)
        states, _ = read_through(r.model.body, r.model.table(role).detach(), ids, ids, len(vocab))
        spaces[role] = normalize(states[vocab.n_specials:], center=True)
    return r.vocabs["b"].words, spaces["b"], r.vocabs["a"].words, spaces["a"]


def other_way(r: SharedTrained, cfg, ckpt_dir: Path, seed: int, workdir: Path) -> dict:
    """The same body read in the other direction (A's rows retrieving B's, on OTHER_WAY's yardstick):
    its tables alone, self-learned from their own lexicon, and joined to OTHER_WAY's main-job
    vectors. The body never knew which language was the source, so one training serves both."""
    lexicon = Lexicon(r.vocabs["a"].words, r.table("a"), r.vocabs["b"].words, r.table("b"))
    splits = (("train", gold("train", OTHER_WAY)), ("test", gold("test", OTHER_WAY)))
    own = refine_own(lexicon, lexicon.seed(cfg.eval.knn), cfg.refine, ckpt_dir, progress=False)
    out: dict = {"bed": OTHER_WAY, "tables": reading(lexicon, splits, cfg),
                 "tables_refined": reading(Lexicon(*own.space, rerank=cfg.refine.rerank), splits, cfg)}
    main_job = main_job_space(seed, workdir, OTHER_WAY)
    out["joined"] = {} if main_job is None else joined_readings({"induce": main_job}, own.space, splits, cfg)
    return out


def as_one(spaces: list[tuple[list[str], torch.Tensor, list[str], torch.Tensor]], rerank: float) -> Lexicon:
    """Several bodies' (B words, B rows, A words, A rows) as one space, each word pair's cosine the
    mean of theirs (align.ensemble.combine), on the words every body holds (seeds' vocabularies
    differ in their rarest words), in the first body's order."""
    held_src, held_trg = [set(s[0]) for s in spaces[1:]], [set(s[2]) for s in spaces[1:]]
    src = [w for w in spaces[0][0] if all(w in h for h in held_src)]
    trg = [w for w in spaces[0][2] if all(w in h for h in held_trg)]

    def rows(words: list[str], held: list[str], emb: torch.Tensor) -> torch.Tensor:
        index = {w: i for i, w in enumerate(held)}
        return emb[[index[w] for w in words]]

    x, z = combine([(rows(src, sw, x), rows(trg, tw, z)) for sw, x, tw, z in spaces])
    return Lexicon(src, x, trg, z, rerank=rerank)


def combined(name: str, seeds: list[int], workdir: Path) -> list[dict]:
    """The seeds' bodies as one lexicon, no word vectors, in both ORDERS: each body's tables through
    the main job's self-learning and then combined, or the raw tables combined and then self-learned
    once. Each is a row; train chooses between them. Each body's self-learned tables alone are a row too
    (ALONE), on all the words that body holds."""
    cfg, bench = variant_config(name, seeds[0]), workdir / "shared-bench"
    raw, learned = [], []
    for seed in seeds:
        lexicon = tables_lexicon(trained(name, seed, workdir))
        raw.append((lexicon.src_words, lexicon.src_emb, lexicon.trg_words, lexicon.trg_emb))
        own = refine_own(lexicon, lexicon.seed(cfg.eval.knn), cfg.refine, bench / f"{name}.s{seed}.tables",
                         progress=False)
        learned.append(own.space)
    first = as_one(raw, 0.0)
    then = refine_own(first, first.seed(cfg.eval.knn), cfg.refine,
                      bench / f"{name}.s{'-'.join(map(str, seeds))}.combined", progress=False)
    readings = [([seed], ALONE, Lexicon(*space, rerank=cfg.refine.rerank)) for seed, space in zip(seeds, learned)]
    readings += [(seeds, ORDERS[0], as_one(learned, cfg.refine.rerank)),
                 (seeds, ORDERS[1], Lexicon(*then.space, rerank=cfg.refine.rerank))]
    rows = []
    for bodies, order, lexicon in readings:
        train, test = (lexicon.scores(gold(part), cfg.eval.knn) for part in ("train", "test"))
        rows.append({"variant": name, "bodies": bodies, "order": order, "p_at_1_train": train["csls"]["p_at_1"],
                     "p_at_1": test["csls"]["p_at_1"], "p_at_1_noncognate": test["non_cognate"]["p_at_1"],
                     "n_noncognate": test["non_cognate"]["n"], "coverage": test["coverage"]})
    return rows


def joined_choice(readings: list[dict]) -> tuple[str, str]:
    """The (key, weight) cell whose mean train P@1 over the seeds' readings is highest; a key is a
    seed stage (vectors joined to the tables) or a no-vectors view (joined to the tables)."""
    cells = [(stage, w) for stage in readings[0] for w in readings[0][stage] if all(stage in r for r in readings)]
    return max(cells, key=lambda c: sum(r[c[0]][c[1]]["p_at_1_train"] for r in readings))


SEEDED_BY = {"induce": "the decoder head (the main job's vectors)", "shared": "the tables' lexicon"}


def joined_table(rows: list[dict]) -> list[str]:
    """Vectors and tables joined (refine.join), one line per seed stage and weight, train's choice in bold."""
    lines = []
    for name in VARIANTS:
        mine = [r for r in rows if r["variant"] == name and "joined" in r]
        if not mine:
            continue
        if not lines:
            lines = table_head("Vectors and tables joined (`refine.join`; `decoder-head run --preset shared`): the "
                               "vectors' self-learned space and the tables' own, each word pair's cosine (1 - w) x the "
                               "vectors' + w x the tables'; the vectors' self-learning seeded by the decoder head (the "
                               "main job's, `make bench-beds`) or by the tables' lexicon; seed and w chosen on the "
                               "seeds' mean train P@1 (bold):",
                               ["variant", "vectors seeded by", "tables' weight w", *P_AT_1_COLUMNS])
        chosen = joined_choice([r["joined"] for r in mine])
        for stage in SEEDED_BY:
            held = [r["joined"][stage] for r in mine if stage in r["joined"]]
            for w in held[0] if held else ():
                lines.append(reading_line(f"{DESCRIPTION[name]} | {SEEDED_BY[stage]}",
                                          f"{float(w):g}{' (vectors alone)' if float(w) == 0 else ''}",
                                          [h[w] for h in held], "**" if (stage, w) == chosen else ""))
    return lines


def other_way_table(rows: list[dict]) -> list[str]:
    """The bodies read en -> es: the tables, their self-learning, and the joined weights (train's choice in bold)."""
    lines = []
    for name in VARIANTS:
        mine = [r["other_way"] for r in rows if r["variant"] == name and r.get("other_way")]
        if not mine:
            continue
        if not lines:
            lines = table_head(f"The same bodies read the other way ({OTHER_WAY}: A's rows retrieve B's, on that "
                               "bed's yardstick): the tables alone, self-learned from their own lexicon, and joined to "
                               "that bed's main-job vectors (`make bench-beds`), w chosen on the seeds' mean train P@1 "
                               "(bold):", ["variant", "reading", *P_AT_1_COLUMNS])
        lines.append(reading_line(DESCRIPTION[name], "tables alone", [m["tables"] for m in mine]))
        lines.append(reading_line(DESCRIPTION[name], "tables -> self-learning", [m["tables_refined"] for m in mine]))
        held = [m["joined"] for m in mine if m["joined"]]
        if held:
            chosen = joined_choice(held)
            for w in held[0]["induce"]:
                label = f"the main job's vectors, tables' weight {float(w):g}{' (vectors alone)' if float(w) == 0 else ''}"
                lines.append(reading_line(DESCRIPTION[name], label, [h["induce"][w] for h in held],
                                          "**" if ("induce", w) == chosen else ""))
    return lines


def views_table(rows: list[dict]) -> list[str]:
    """The no-vectors views beside the tables' self-learned space, every weight; train's choice in bold."""
    lines = []
    for name in VARIANTS:
        measured = [r for r in rows if r["variant"] == name and "no_vectors_views" in r]
        if not measured:
            continue
        if not lines:
            lines = table_head("Other views with no word vectors beside the tables' self-learned space (each word "
                               "pair's cosine (1 - w) x the tables' + w x the view's; w = 0: the tables -> "
                               "self-learning column; view and w chosen on the seeds' mean train P@1, bold):",
                               ["variant", "view, its weight w", *P_AT_1_COLUMNS])
        lines.append(reading_line(DESCRIPTION[name], "the body's context vectors alone (raw, no self-learning)",
                                  [r["context_alone"] for r in measured]))
        mine = [r["no_vectors_views"] for r in measured]
        chosen = joined_choice(mine)
        for view in VIEWS:
            held = [m[view] for m in mine if view in m]
            for w in held[0] if held else ():
                lines.append(reading_line(DESCRIPTION[name], f"{VIEWS[view]}, {float(w):g}", [h[w] for h in held],
                                          "**" if (view, w) == chosen else ""))
    return lines


def table_head(intro: str, columns: list[str]) -> list[str]:
    """A sub-table's opening: a blank line, the sentence that says what it shows, its header."""
    return ["", intro, "", "| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]


def reading_line(lead: str, label: str, cells: list[dict], mark: str = "") -> str:
    """One table line: the leading cells (the variant, ...), the reading, and P@1 train / test /
    non-cognate over the seeds; `mark` (bold) on the reading and its test P@1."""
    cell = lambda key: mean_std([c[key] for c in cells], 1, " +- ")  # noqa: E731
    return (f"| {lead} | {mark}{label}{mark} | {cell('p_at_1_train')} | {mark}{cell('p_at_1')}{mark} | "
            f"{cell('p_at_1_noncognate')} | {len(cells)} |")


def write_table(readme: Path, out: Path) -> None:
    rows = read_json(out)
    lines = [f"P@1 (CSLS, no word vectors) on {BED}: B's table rows retrieve A's (`make bench-shared`; "
             "train split chooses, test reports; + spelling: orthographic re-ranking, its weight chosen on train; "
             "by epoch: train P@1 after each epoch, first seed; tables -> self-learning: the main job's self-learning "
             "run on the tables themselves, seeded by their lexicon):", "",
             "| variant | P@1 train | P@1 test | P@10 test | P@1 non-cognate (n) | + spelling: train / test "
             "(non-cognate) | tables -> self-learning: train / test (non-cognate) | train P@1 by epoch | coverage "
             "| val ppl es / en | -> self-learning P@1: train / test (non-cognate) | train s | seeds |",
             "|---" * 13 + "|"]
    for name in VARIANTS:
        mine = sorted((r for r in rows if r["variant"] == name and "seed" in r), key=lambda r: r["seed"])
        if not mine:
            continue
        cell = lambda key, d=1: mean_std([r[key] for r in mine if key in r], d, " +- ")  # noqa: E731
        curve = ", ".join(f"{p:.1f}" for p in mine[0].get("train_curve", []) if p is not None) or "-"
        lines.append(f"| {DESCRIPTION[name]} | {cell('p_at_1_train')} | {cell('p_at_1')} | {cell('p_at_10')} | "
                     f"{cell('p_at_1_noncognate')} ({mine[0]['n_noncognate']}) | {cell('spelled_p_at_1_train')} / "
                     f"{cell('spelled_p_at_1')} ({cell('spelled_p_at_1_noncognate')}) | "
                     f"{cell('tables_refined_p_at_1_train')} / {cell('tables_refined_p_at_1')} "
                     f"({cell('tables_refined_p_at_1_noncognate')}) | {curve} | "
                     f"{mine[0]['coverage']:.2f} | {cell('val_ppl_b', 0)} / {cell('val_ppl_a', 0)} | "
                     f"{cell('refined_p_at_1_train')} / {cell('refined_p_at_1')} "
                     f"({cell('refined_p_at_1_noncognate')}) | "
                     f"{cell('train_seconds', 0)} | {len(mine)} |")
    lines += views_table(rows) + joined_table(rows) + other_way_table(rows)
    bodies = sorted((r for r in rows if "bodies" in r), key=lambda r: (len(r["bodies"]), r["bodies"]))
    if bodies:
        lines += table_head("Bodies combined (`--combine`): the seeds' bodies as one space, each word pair's cosine "
                            "the mean of theirs, on the words every body holds; the order is chosen on train (one body: its "
                            "self-learned tables alone, on all its words):",
                            ["variant", "bodies (seeds)", "order", "P@1 train", "P@1 test", "P@1 non-cognate (n)",
                             "coverage"])
        lines += [f"| {DESCRIPTION[r['variant']]} | {', '.join(map(str, r['bodies']))} | {r['order']} | "
                  f"{r['p_at_1_train']:.1f} | {r['p_at_1']:.1f} | {r['p_at_1_noncognate']:.1f} ({r['n_noncognate']}) | "
                  f"{r['coverage']:.2f} |" for r in bodies]
    replace_block(readme, START, END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--rescore", action="store_true",
                    help="measure held rows again (training and self-learning resume from their checkpoints)")
    ap.add_argument("--combine", action="store_true", help="also the --seeds' bodies combined, in both orders")
    ap.add_argument("--combine-only", action="store_true",
                    help="with --combine: train (or resume) the bodies and read only their combination, not each seed's row")
    add_bench_args(ap, ROOT, "shared_body", "rewrite this README's shared-body table from --out")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    out = Path(args.out)
    rows = read_rows(out)
    for name in args.variants:
        for seed in [] if args.combine_only else args.seeds:
            held = [r for r in rows if r["variant"] == name and r.get("seed") == seed]
            if held and not args.rescore:
                continue
            rows = [r for r in rows if not any(r is h for h in held)] + [measure(name, seed, Path(args.workdir))]
            write_json(out, rows)  # after every row: a killed run keeps what it measured
        if args.combine and len(args.seeds) > 1:
            ours = [args.seeds, *([seed] for seed in args.seeds)]  # the combination and each body alone
            rows = [r for r in rows if not (r["variant"] == name and r.get("bodies") in ours)]
            rows += combined(name, args.seeds, Path(args.workdir))
            write_json(out, rows)
    if args.readme:
        write_table(Path(args.readme), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
