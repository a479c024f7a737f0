"""The shared body: one LM on both texts, a tied table per language; schedules down to the decoder head."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from decoder_head.cli import main
from decoder_head.config import SharedConfig, from_dict, load_run_config
from decoder_head.errors import DecoderHeadError
from decoder_head.train import shared as shared_module
from decoder_head.train.loop import TrainConfig, evaluate_loss
from decoder_head.train.pretrain import train_lm
from decoder_head.train.shared import start_model, train_shared

TINY = "tests/fixtures/tiny.yaml"
TRAIN = TrainConfig(epochs=2, batch_size=8, bptt=20, lr=0.01, valid_windows=5, steps_per_epoch=6)


def setup(start="scratch", frozen=0.0, epochs=2):
    cfg = load_run_config(TINY)
    sc = SharedConfig(vocab=cfg.induce.vocab, start=start, frozen=frozen, train=replace(TRAIN, epochs=epochs))
    return cfg, sc, (cfg.induce.corpus, cfg.lm.corpus)


def test_joint_training_lowers_both_languages_held_out_loss(tiny):
    cfg, sc, corpora = setup()
    one = train_shared(replace(sc, train=replace(TRAIN, epochs=1, steps_per_epoch=1)), cfg.lm, corpora,
                       Path("runs"), None)
    two = train_shared(sc, cfg.lm, corpora, Path("runs"), None)
    for role in ("a", "b"):
        assert two.history[-1][f"val_loss_{role}"] < one.history[-1][f"val_loss_{role}"]
    seen = []
    hooked = train_shared(sc, cfg.lm, corpora, Path("runs"), None,
                          on_epoch_end=lambda r: seen.append(r.table("b").clone()) or {"rows": len(seen)})
    assert [h["rows"] for h in hooked.history] == [1, 2] and not torch.equal(seen[0], seen[1])
    assert torch.equal(seen[1], hooked.table("b")) and hooked.history[-1]["val_loss_b"] == two.history[-1]["val_loss_b"]
    # each table holds its own language's words, specials dropped
    assert two.table("b").shape == (len(two.vocabs["b"].words), 16)
    assert "dios" in two.vocabs["b"].words and "god" in two.vocabs["a"].words


def test_start_lm_copies_the_lm_rows_and_a_frozen_schedule_keeps_them(tiny):
    cfg, sc, corpora = setup(start="lm", frozen=1.0)
    lm = train_lm(cfg.lm, Path("runs"))
    r = train_shared(sc, cfg.lm, corpora, Path("runs"), None, lm=lm)
    known = lm.model.mapping.table().detach()
    a = r.model.tables["a"].table().detach()
    for i, w in enumerate(r.vocabs["a"].itos):
        if w in lm.vocab.stoi:
            assert torch.equal(a[i], known[lm.vocab.stoi[w]])
    for (name, p), q in zip(r.model.body.named_parameters(), lm.model.body.parameters()):
        assert torch.equal(p, q), name  # frozen throughout: only B's table learned
    fresh = start_model(sc, cfg.lm, r.vocabs, lm)
    assert not torch.equal(fresh.tables["b"].table(), r.model.tables["b"].table())
    assert all(h["frozen_steps"] == 6 for h in r.history)


def test_thawing_moves_the_body_and_resume_gives_the_same_numbers(tiny, monkeypatch):
    cfg, sc, corpora = setup(start="lm", frozen=0.5)
    lm = train_lm(cfg.lm, Path("runs"))
    straight = train_shared(sc, cfg.lm, corpora, Path("runs"), None, lm=lm)
    assert [h["frozen_steps"] for h in straight.history] == [6, 0]
    assert all(not torch.equal(p, q) for p, q in zip(straight.model.body.parameters(), lm.model.body.parameters()))
    calls = []

    def stop_in_epoch_two(*args, **kwargs):  # Ctrl-C while epoch 2 is scored: only epoch 1 is checkpointed
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return evaluate_loss(*args, **kwargs)

    monkeypatch.setattr(shared_module, "evaluate_loss", stop_in_epoch_two)
    with pytest.raises(KeyboardInterrupt):
        train_shared(sc, cfg.lm, corpora, Path("runs"), Path("ck"), lm=lm)
    monkeypatch.setattr(shared_module, "evaluate_loss", evaluate_loss)
    resumed = train_shared(sc, cfg.lm, corpora, Path("runs"), Path("ck"), lm=lm)
    assert [h["epoch"] for h in resumed.history] == [0, 1]
    assert resumed.history[-1]["val_loss_b"] == pytest.approx(straight.history[-1]["val_loss_b"], rel=1e-6)
    for p, q in zip(resumed.model.parameters(), straight.model.parameters()):
        assert torch.allclose(p, q, atol=1e-6)


def test_bad_schedules_are_config_errors():
    with pytest.raises(DecoderHeadError, match="frozen"):
        from_dict(SharedConfig, {"start": "scratch", "frozen": 0.5})
    with pytest.raises(DecoderHeadError, match="start"):
        from_dict(SharedConfig, {"start": "nowhere"})
    with pytest.raises(DecoderHeadError, match="shared section"):
        load_run_config(TINY, ["refine.seed_from=shared"])


def test_run_with_a_shared_body_writes_its_lexicon_and_can_seed_refinement(tiny):
    shared = json.dumps({"vocab": {"max_size": 200, "min_count": 1}, "train": TRAIN.__dict__ | {"epochs": 1}})
    assert main(["run", "--preset", TINY, "--workdir", "runs", "--no-recover", "--set", f"shared={shared}",
                 "--set", "refine.seed_from=shared"]) == 0
    d = Path("runs") / "tiny"
    m = json.loads((d / "metrics.json").read_text())
    assert m["shared"]["method"] == "shared body (start scratch, frozen 0)"
    assert m["shared"]["n_evaluated"] > 0 and "val_ppl_a" in m["shared"]["unsupervised"]
    assert m["best"] == "refine" and "stage_seconds" in m and "shared" in m["stage_seconds"]
    assert (d / "lexicon.shared-body.tsv").read_text().startswith("src\trank\ttrg\tscore")
    assert (d / "emb.shared-body.es.vec").is_file()
    assert "shared body" in (d / "report.md").read_text()


def test_refine_join_mixes_the_tables_self_learned_space_into_the_final_retrieval(tiny, monkeypatch):
    from decoder_head import refine as refine_module

    shared = json.dumps({"vocab": {"max_size": 200, "min_count": 1}, "train": TRAIN.__dict__ | {"epochs": 1}})
    args = ["run", "--preset", TINY, "--workdir", "runs", "--no-recover", "--set", f"shared={shared}",
            "--set", "refine.seed_from=shared", "--set", "refine.join_agreement=0", "--set", "refine.join=0.3"]
    made = []
    loop = refine_module.refine_spaces
    monkeypatch.setattr(refine_module, "refine_spaces", lambda *a, **kw: made.append(a[1]) or loop(*a, **kw))
    assert main(args) == 0
    d = Path("runs") / "tiny"
    m = json.loads((d / "metrics.json").read_text())
    joined = m["refine"]["joined"]
    assert joined["weight"] == 0.3 and joined["vectors_only_p_at_1"] is not None
    # two loops: the vectors' (16 + 16 dims) and the tables' own (the body's 16), from their own lexicon
    assert [x.shape[1] for _, x, _, _ in made] == [32, 16]
    header = (d / "emb.es.vec").read_text().splitlines()[0].split()
    assert int(header[1]) == 32 + 16  # the joined space: both parts
    assert "refine.join" in (d / "report.md").read_text()
    first = m["refine"]["csls"]["p_at_1"]
    assert main(args) == 0 and len(made) == 2  # resumed: neither loop made again
    assert json.loads((d / "metrics.json").read_text())["refine"]["csls"]["p_at_1"] == first
    assert main([*args[:-1], "refine.join=0.0"]) == 0 and len(made) == 2  # the vectors' loop kept under its key
    alone = json.loads((d / "metrics.json").read_text())["refine"]
    assert alone["joined"] is None and alone["csls"]["p_at_1"] == joined["vectors_only_p_at_1"]
    assert main([*args[:-1], "refine.join=0.5"]) == 0 and len(made) == 2  # the weight is how both are used
    assert json.loads((d / "metrics.json").read_text())["refine"]["joined"]["weight"] == 0.5
    # the spaces are joined only where they agree on enough top-1 pairs; else the one that kept more of its seed
    assert joined["used"] == "joined" and 0 <= joined["agreement"] <= 1 and set(joined["kept"]) == {"vectors", "tables"}
    assert main([*args, "--set", "refine.join_agreement=1.0"]) == 0 and len(made) == 2  # nothing made again
    alone = json.loads((d / "metrics.json").read_text())["refine"]["joined"]
    assert alone["agreement"] == joined["agreement"] < 1.0 and alone["min_agreement"] == 1.0
    kept = alone["kept"]
    assert alone["used"] == max(kept, key=kept.get) and kept == joined["kept"]
    header = (d / "emb.es.vec").read_text().splitlines()[0].split()
    assert int(header[1]) == {"vectors": 32, "tables": 16}[alone["used"]]  # that space alone
    assert f"uses the {alone['used']} alone" in (d / "report.md").read_text()


def test_shared_specials_are_one_row_pair_for_both_languages(tiny):
    cfg, sc, corpora = setup(epochs=1)
    r = train_shared(replace(sc, shared_specials=True), cfg.lm, corpora, Path("runs"), None)
    a, b = r.model.table("a"), r.model.table("b")
    assert torch.equal(a[:2], b[:2]) and not torch.equal(a[2:4], b[2:4])
    own = r.model.tables["b"].table()
    assert torch.equal(b[2:], own[2:]) and not torch.equal(b[:2], own[:2])  # the table's own specials unused
    assert r.table("b").shape[0] == len(r.vocabs["b"].words)
