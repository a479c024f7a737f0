"""What the frozen body itself knows about translations, read two ways beside the main job's lexicon.

    make bench-body-signal   (-> benchmarks/results/body_signal.json + README table)

The decoder head reads B's text through A's frozen body and gets ~15 P@1 on the words its 2k
vocabulary covers; the vectors' self-learning gets ~55. Is the body's signal weak, or only hard
to reach through a learnt table? Per bed x seed, from the main job's run folder (made or resumed
by `beds.bed_config`), two readings that need no training:

    shortlist   B's text read through A's body with each B word's input set to its vectors'
                top-1 A word (the main job's lexicon, restricted to the LM's words): then at every
                position the body's log q(A word) for the B word that follows, averaged per B word
                (train.em's assignment scores). Among each B word's 10 CSLS candidates the pick is
                CSLS + lambda * that score: lambda 0 is the vectors alone, "LM only" the body alone;
                lambda is chosen on the train split (mean over seeds), test reports.
    context     word vectors with no word-vector training: each word type (every type of >= 3
                tokens, in or out of the 2k vocabulary) is the mean of the body's output state
                just before it, B's text read with the decoder head's table, A's with A's own; B
                and A share the body's space, so CSLS retrieves directly (all test words covered),
                and self-learning starts from them (the decoder head's pairs as the first
                dictionary, orthography off).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from beds import bed_config, each_bed_seed, gold_splits, once
from decoder_head.align.self_learning import SelfLearningConfig, self_learning
from decoder_head.data.beds import BEDS, prepare
from decoder_head.data.corpus import CorpusSpec, load_sentences
from decoder_head.data.tokenizer import Tokenizer
from decoder_head.data.vocab import Vocab
from decoder_head.eval.bli import evaluate_bli, is_cognate, read_lexicon, translate
from decoder_head.eval.retrieval import normalize
from decoder_head.eval.vectors import read_word2vec
from decoder_head.experiment import reference_table, run
from decoder_head.files import read_rows
from decoder_head.refine import seed_indices
from decoder_head.report.markdown import add_bench_args, mean_std, replace_block, table_only
from decoder_head.train.batches import batchify, encode_stream, windows
from decoder_head.train.pretrain import frozen_body, train_lm
from decoder_head.train.relearn import relearn

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- body-signal:start -->", "<!-- body-signal:end -->"
SHORTLIST = 10
LAMBDAS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
LM_ONLY = "LM only"
MIN_COUNT = 3  # the vectors' min_count: the same word types


def streams(sentences: list[list[str]], vocab: Vocab, types: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """(vocab ids, type ids) of the stream `sentences` make (each followed by <eos>), batched as in
    training: the body's inputs and, position for position, which word type each token is."""
    return batchify(encode_stream(sentences, vocab), 32), batchify(encode_stream(sentences, types), 32)


@torch.no_grad()
def read_through(body, table: torch.Tensor, ids: torch.Tensor, tids: torch.Tensor, n_types: int,
                 target: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One pass of the frozen body over the stream, inputs `table[ids]`. Returns the mean output
    state before each word type (n_types, d) and, with `target` (V_A, d), the mean log q over A's
    rows at those positions (n_types, V_A): what the body expects where that type comes next."""
    d = table.size(1)
    states, counts = torch.zeros(n_types, d), torch.zeros(n_types)
    expect = None if target is None else torch.zeros(n_types, target.size(0))
    state = None
    for (x, _), (_, nxt) in zip(windows(ids, 70), windows(tids, 70)):
        out, state = body(table[x], state)  # (B, t, d): out[:, i] predicts the token after x[:, i]
        flat = nxt.reshape(-1)
        states.index_add_(0, flat, out.reshape(-1, d))
        counts.index_add_(0, flat, torch.ones(flat.numel()))
        if expect is not None:
            expect.index_add_(0, flat, F.log_softmax(out @ target.t(), dim=-1).reshape(flat.numel(), -1))
    counts = counts.clamp_min(1)
    return states / counts[:, None], None if expect is None else expect / counts[:, None]


def type_vocab(corpus: str, workdir: Path) -> tuple[list[list[str]], Vocab]:
    sentences = load_sentences(CorpusSpec.parse(corpus), Tokenizer(), cache_dir=str(workdir / "cache"))
    return sentences, Vocab.build(sentences, max_size=None, min_count=MIN_COUNT)


def shortlist_rows(lexicon_space, expect: torch.Tensor, b_types: Vocab, a_vocab: Vocab,
                   gold: dict[str, dict[str, set[str]]]) -> dict:
    """P@1 per split and lambda of CSLS + lambda x the body's mean log q, among each B word's
    SHORTLIST candidates (A's LM words only), on the gold B words with vectors (a gold translation
    outside the LM's words is a miss: the body can only name the words it has)."""
    sw, xw, tw, zw, rerank = lexicon_space
    t_index = {w: i for i, w in enumerate(tw)}
    lm_words = [w for w in a_vocab.words if w in t_index]
    cands = translate(sw, xw, lm_words, zw[[t_index[w] for w in lm_words]], k=SHORTLIST, orthography=rerank)
    out: dict = {}
    for split, g in gold.items():
        words = [w for w in g if w in cands and w in b_types.stoi]
        scores = {}
        for lam in (*LAMBDAS, LM_ONLY):
            hits = 0
            for w in words:
                row = expect[b_types.stoi[w]]
                pick = max(cands[w], key=lambda c: (row[a_vocab.stoi[c[0]]].item() if lam == LM_ONLY
                                                    else c[1] + lam * row[a_vocab.stoi[c[0]]].item()))
                hits += pick[0] in g[w]
            scores[str(lam)] = round(100 * hits / max(len(words), 1), 1)
        out[split] = {"n": len(words), "p_at_1": scores,
                      "in_shortlist": round(100 * sum(any(c in g[w] for c, _ in cands[w]) for w in words)
                                            / max(len(words), 1), 1)}
    return out


def measure(bed: str, seed: int, workdir: Path) -> dict:
    prepare(bed, ROOT, cache_dir=str(workdir / "cache"))
    cfg = bed_config(bed, seed)
    run(cfg, workdir)  # the main job (resumed): its induction checkpoint and refined spaces
    run_dir = workdir / cfg.name
    gold = gold_splits(cfg)
    lm = train_lm(cfg.lm, workdir)
    head = relearn(lm, cfg.induce, workdir, run_dir / "checkpoints" / "induce", resume=True, desc="induce")
    body, a_table = frozen_body(lm.model), lm.model.mapping.table().detach()
    b_sents, b_types = type_vocab(cfg.induce.corpus, workdir)
    a_sents, a_types = type_vocab(cfg.lm.corpus, workdir)
    b_ids, b_tids = streams(b_sents, head.vocab, b_types)
    a_ids, a_tids = streams(a_sents, lm.vocab, a_types)

    # shortlist: B's inputs are the main job's top-1 A rows (the decoder head's where it has none)
    src, trg = cfg.languages
    sw, xw, _ = read_word2vec(run_dir / f"emb.{src}.vec")
    tw, zw, _ = read_word2vec(run_dir / f"emb.{trg}.vec")
    top1 = {w: c[0][0] for w, c in translate(sw, xw, tw, zw, k=1, orthography=cfg.refine.rerank).items()}
    inputs = head.mapping.table().detach().clone()
    for i, w in enumerate(head.vocab.itos):
        if top1.get(w) in lm.vocab.stoi:
            inputs[i] = a_table[lm.vocab.stoi[top1[w]]]
    _, expect = read_through(body, inputs, b_ids, b_tids, len(b_types), target=a_table)
    shortlist = shortlist_rows((sw, xw, tw, zw, cfg.refine.rerank), expect, b_types, lm.vocab, gold)

    # context vectors: B through the decoder head's table, A through its own
    xs, _ = read_through(body, head.mapping.table().detach(), b_ids, b_tids, len(b_types))
    zs, _ = read_through(body, a_table, a_ids, a_tids, len(a_types))
    cw_b, cw_a = b_types.words, a_types.words
    x, z = (normalize(v[Vocab.n_specials:], center=True) for v in (xs, zs))
    context = {}
    for split, g in gold.items():
        m = evaluate_bli(cw_b, x, cw_a, z, g, method="csls")
        nc = {w: t for w, t in g.items() if not is_cognate(w, sorted(t))}
        context[split] = {"p_at_1": round(m["p_at_1"], 1), "coverage": round(m["coverage"], 2),
                          "p_at_1_noncognate": round(evaluate_bli(cw_b, x, cw_a, z, nc, method="csls")["p_at_1"], 1)}
    seed_src, seed_trg = seed_indices(read_lexicon(run_dir / "lexicon.decoder-head.tsv"), cw_b, cw_a,
                                      cfg.refine.seed_words)
    sl = self_learning(x, z, seed_src, seed_trg, SelfLearningConfig(orthography=0.0, seed=seed), progress=False)
    refined = {split: round(evaluate_bli(cw_b, sl.xw, cw_a, sl.zw, g, method="csls")["p_at_1"], 1)
               for split, g in gold.items()}
    return {"bed": bed, "seed": seed, "shortlist": shortlist, "context": context,
            "context_self_learning": {**refined, "iterations": sl.iterations},
            "decoder_head": {split: round(evaluate_bli(
                head.vocab.words, head.mapping.table().detach()[Vocab.n_specials:], lm.vocab.words,
                reference_table(head, lm)[Vocab.n_specials:], g, method="csls")["p_at_1"], 1) for split, g in gold.items()}}


def chosen_lambda(rows: list[dict]) -> str:
    """The combined weight with the best train P@1 over the rows (mean), the body alone left out."""
    return max(map(str, LAMBDAS[1:]), key=lambda lam: statistics.mean(r["shortlist"]["train"]["p_at_1"][lam]
                                                                      for r in rows))


def write_table(readme: Path, out: Path) -> None:
    rows = read_rows(out)
    lines = ["P@1 (CSLS; the shortlist rows with the recipe's re-ranking) of what the frozen body knows, read "
             "without training (`make bench-body-signal`; mean +- std over seeds; words: test words scored, a "
             "shortlist miss counts as wrong; the combined weight is chosen on train):", "",
             "| bed | reading | words | P@1 train | P@1 test | seeds |", "|---|---|---|---|---|---|"]
    for bed in BEDS:
        mine = [r for r in rows if r["bed"] == bed]
        if not mine:
            continue
        lam = chosen_lambda(mine)
        short = [r["shortlist"] for r in mine]
        n = f"{short[0]['test']['n']} (gold among the 10: {mean_std([s['test']['in_shortlist'] for s in short], 1, ' +- ')}%)"

        def cell(values: list[float]) -> str:
            return mean_std(values, 1, " +- ")

        for label, key in (("vectors' top-1 among LM words (lambda 0)", "0.0"), ("LM only, among the 10", LM_ONLY),
                           (f"vectors + lambda {lam} x LM (chosen on train)", lam)):
            lines.append(f"| {bed} | {label} | {n} | {cell([s['train']['p_at_1'][key] for s in short])} | "
                         f"{cell([s['test']['p_at_1'][key] for s in short])} | {len(mine)} |")
        lines.append(f"| {bed} | decoder head alone | its 2k words | {cell([r['decoder_head']['train'] for r in mine])} | "
                     f"{cell([r['decoder_head']['test'] for r in mine])} | {len(mine)} |")
        cov = statistics.mean(r["context"]["test"]["coverage"] for r in mine)
        lines.append(f"| {bed} | context vectors (non-cognate test: "
                     f"{cell([r['context']['test']['p_at_1_noncognate'] for r in mine])}) | all (coverage {cov:.2f}) | "
                     f"{cell([r['context']['train']['p_at_1'] for r in mine])} | "
                     f"{cell([r['context']['test']['p_at_1'] for r in mine])} | {len(mine)} |")
        lines.append(f"| {bed} | context vectors -> self-learning | all | "
                     f"{cell([r['context_self_learning']['train'] for r in mine])} | "
                     f"{cell([r['context_self_learning']['test'] for r in mine])} | {len(mine)} |")
    replace_block(readme, START, END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beds", nargs="+", choices=list(BEDS), default=["es-en.bible", "es-en.ot-nt"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    add_bench_args(ap, ROOT, "body_signal", "rewrite this README's body-signal table from --out")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    each_bed_seed(args, read_rows(Path(args.out)), once(lambda bed, seed: measure(bed, seed, Path(args.workdir))))
    if args.readme:
        write_table(Path(args.readme), Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
