"""Training on the tiny LM's body: frozen or gradually unfrozen, checkpoints, resume, same seed same numbers."""

import pytest
import torch
from safetensors.torch import load_file

from decoder_head.classify import train as train_module
from decoder_head.classify.data import read_labelled, split_verses
from decoder_head.classify.evaluate import evaluate
from decoder_head.classify.labels import LABELS
from decoder_head.classify.train import layer_groups, load_classifier, load_encoder, param_groups, train_classifier
from decoder_head.errors import DecoderHeadError
from decoder_head.train.trainer import OptimConfig, Trainer


def final_tensors(folder):
    return load_file(str(folder / "final" / "tensors.safetensors"))


def train(tiny_lm, bible_workdir, folder, cfg, **kw):
    return train_classifier(cfg, tiny_lm.folder, folder, bible_workdir / "cache", **kw)


def test_frozen_body_and_table_never_change_and_the_folder_reloads(tiny_lm, bible_workdir, tiny_config, tmp_path):
    clf = train(tiny_lm, bible_workdir, tmp_path / "c", tiny_config())
    assert [h["epoch"] for h in clf.meta["history"]] == [0, 1, 2]
    assert all(h["unfrozen_groups"] == 0 for h in clf.meta["history"])
    for k, v in tiny_lm.model.body.state_dict().items():
        assert torch.equal(clf.model.body.state_dict()[k], v), k
    assert torch.equal(clf.lexical.table, tiny_lm.model.mapping.table().detach())
    assert not any(k.startswith("model.body.") for k in final_tensors(tmp_path / "c"))  # the LM folder has it
    again = load_classifier(tmp_path / "c")
    test = split_verses(read_labelled("sword:fakeEN", str(bible_workdir / "cache")), clf.config.task).test
    a = evaluate(clf.model, clf.lexical, test, 40)
    b = evaluate(again.model, again.lexical, test, 40)
    assert a == b and a["n"] == len(test) and 0 <= a["macro_f1"] <= a["accuracy"] + 1


def test_same_seed_same_numbers_other_seed_other_numbers(tiny_lm, bible_workdir, tiny_config, tmp_path):
    one = final_tensors(train(tiny_lm, bible_workdir, tmp_path / "a", tiny_config()).folder)
    two = final_tensors(train(tiny_lm, bible_workdir, tmp_path / "b", tiny_config()).folder)
    other = final_tensors(train(tiny_lm, bible_workdir, tmp_path / "c", tiny_config("train.seed=1")).folder)
    assert one.keys() == two.keys() and all(torch.equal(one[k], two[k]) for k in one)
    assert not all(torch.equal(one[k], other[k]) for k in one)


def test_a_killed_run_resumes_to_the_same_numbers(tiny_lm, bible_workdir, tiny_config, tmp_path, monkeypatch):
    cfg = tiny_config("train.unfreeze=1")  # resume must restore a trained body group too
    whole = train(tiny_lm, bible_workdir, tmp_path / "whole", cfg)
    real, calls = train_module._train_epoch, []

    def dies_in_epoch_two(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "_train_epoch", dies_in_epoch_two)
    with pytest.raises(KeyboardInterrupt):
        train(tiny_lm, bible_workdir, tmp_path / "cut", cfg)
    assert (tmp_path / "cut" / "checkpoint").is_dir() and not (tmp_path / "cut" / "final").exists()
    monkeypatch.setattr(train_module, "_train_epoch", real)
    resumed = train(tiny_lm, bible_workdir, tmp_path / "cut", cfg)
    assert [h["epoch"] for h in resumed.meta["history"]] == [0, 1, 2]
    a, b = final_tensors(whole.folder), final_tensors(resumed.folder)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_a_finished_classifier_is_reused_not_trained_again(tiny_lm, bible_workdir, tiny_config, tmp_path, monkeypatch):
    first = train(tiny_lm, bible_workdir, tmp_path / "c", tiny_config())
    monkeypatch.setattr(train_module, "_fit", lambda *a, **k: pytest.fail("trained again"))
    assert train(tiny_lm, bible_workdir, tmp_path / "c", tiny_config()).meta["history"] == first.meta["history"]


def test_gradual_unfreezing_trains_the_top_group_first_at_a_lower_rate(tiny_lm, bible_workdir, tiny_config, tmp_path):
    cfg = tiny_config("train.unfreeze=1", "train.epochs=2")
    clf = train(tiny_lm, bible_workdir, tmp_path / "c", cfg)
    assert [h["unfrozen_groups"] for h in clf.meta["history"]] == [0, 1]
    before, after = tiny_lm.model.body.state_dict(), clf.model.body.state_dict()
    bottom = [k for k in before if k.startswith("layers.0.")]
    top = [k for k in before if k.startswith("layers.1.")]
    assert bottom and top
    assert all(torch.equal(before[k], after[k]) for k in bottom)
    assert not all(torch.equal(before[k], after[k]) for k in top)
    assert torch.equal(clf.lexical.table, tiny_lm.model.mapping.table().detach())  # the interface stays
    assert any(k.startswith("model.body.") for k in final_tensors(tmp_path / "c"))
    again = load_classifier(tmp_path / "c")  # the fine-tuned body comes back, not the LM's
    assert all(torch.equal(again.model.body.state_dict()[k], after[k]) for k in after)


def test_discriminative_rates_divide_by_lr_decay_per_group(tiny_lm, tiny_config):
    encoder = load_encoder(tiny_lm.folder)
    groups = layer_groups(encoder.body)
    assert len(groups) == 2  # the tiny AWD-LSTM's two LSTM layers
    from decoder_head.classify.head import Classifier, PoolingHead

    model = Classifier(encoder.body, PoolingHead(16, 7))
    fit = tiny_config("train.unfreeze=2", "train.lr_decay=2.6").train
    trainer = Trainer(model, param_groups(model, groups, fit), OptimConfig(fit.lr, decoupled=True))
    assert [g["lr_scale"] for g in trainer.opt.param_groups] == pytest.approx([1.0, 1 / 2.6, 1 / 2.6 ** 2])
    assert trainer.opt.param_groups[1]["params"][0] is next(groups[1].parameters())  # top group right under the head
    model.train()
    loss = model.head(torch.randn(3, 48)).sum() + sum(p.sum() for p in groups[1].parameters())
    trainer.step(loss, lr=0.1)
    assert [g["lr"] for g in trainer.opt.param_groups] == pytest.approx([0.1, 0.1 / 2.6, 0.1 / 2.6 ** 2])


def test_unfreezing_more_groups_than_the_body_has_is_one_clear_error(tiny_lm, bible_workdir, tiny_config, tmp_path):
    with pytest.raises(DecoderHeadError, match="only 2 layer group"):
        train(tiny_lm, bible_workdir, tmp_path / "c", tiny_config("train.unfreeze=3"))


def test_it_learns_a_separable_task(tiny_lm, tiny_config, bibles, tmp_path):
    """English verses filed under Genesis, Spanish ones under Matthew: through an English LM's body
    the two look nothing alike (Spanish words are mostly <unk>), so the head must find it."""
    en, es = bibles.lines("en"), bibles.lines("es")
    ids = [f"Gen.{i + 1}.1" for i in range(len(en))] + [f"Matt.{i + 1}.1" for i in range(len(es))]
    bibles.write(tmp_path / "cache", "fakeMIX", en + es, ids)
    clf = train_classifier(tiny_config("task.corpus=sword:fakeMIX", "train.epochs=5"), tiny_lm.folder,
                           tmp_path / "c", tmp_path / "cache")
    assert clf.meta["valid"]["accuracy"] > 0.9
    assert set(clf.meta["valid"]["f1"]) == {"Law", "Gospels and Acts"}  # macro-F1 over the groups present
    assert LABELS[0] == "Law"
