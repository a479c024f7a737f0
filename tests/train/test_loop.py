import pytest
import torch

from decoder_head.errors import DecoderHeadError
from decoder_head.mapping import FreeMapping
from decoder_head.models import AWDLSTM, AWDLSTMConfig, LanguageModel
from decoder_head.train.batches import batchify, n_windows, windows
from decoder_head.train.checkpoint import load_checkpoint, save_checkpoint
from decoder_head.train.loop import TrainConfig, fit, lr_at


def make_lm(seed=0):
    torch.manual_seed(seed)
    return LanguageModel(FreeMapping(20, 8), AWDLSTM(AWDLSTMConfig(emb_dim=8, hidden=12)), emb_dropout=0.1)


def streams():
    """A learnable stream: a fixed cycle over 20 ids with 10% random replacements."""
    g = torch.Generator().manual_seed(0)

    def make(n):
        ids = torch.arange(n) % 20
        noise = torch.rand(n, generator=g) < 0.1
        ids[noise] = torch.randint(0, 20, (int(noise.sum()),), generator=g)
        return ids

    return batchify(make(800), 4), batchify(make(200), 2)


def test_windows_cover_the_stream_with_shifted_targets():
    b = batchify(torch.arange(26), 2)  # (2, 13)
    ws = list(windows(b, 5))
    assert len(ws) == n_windows(b, 5) == 3
    x, y = ws[0]
    assert torch.equal(y[:, :-1], x[:, 1:])
    assert sum(x.size(1) for x, _ in ws) == 12


def test_batchify_rejects_a_too_small_corpus():
    with pytest.raises(DecoderHeadError, match="too small"):
        batchify(torch.arange(3), 4)


def test_onecycle_schedule_warms_up_then_decays():
    cfg = TrainConfig(lr=1.0, warmup=0.2)
    lrs = [lr_at(cfg, s, 100) for s in range(100)]
    assert lrs[0] < lrs[19] and max(lrs) == pytest.approx(1.0, abs=0.02) and lrs[-1] < 0.05


def test_training_lowers_validation_loss():
    train, valid = streams()
    hist = fit(make_lm(), train, valid, TrainConfig(epochs=3, bptt=10, lr=0.03), saved=torch.nn.Module())
    assert hist[-1]["val_loss"] < hist[0]["val_loss"]


def test_checkpoint_round_trip(tmp_path):
    tensors = {"a": torch.randn(3, 4), "b": torch.arange(5)}
    save_checkpoint(tmp_path / "ck", tensors, {"epoch": 2, "x": [1, 2]})
    back, meta = load_checkpoint(tmp_path / "ck")
    assert meta == {"epoch": 2, "x": [1, 2]}
    assert all(torch.equal(back[k], v) for k, v in tensors.items())


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    save_checkpoint(tmp_path / "ck", {"a": torch.randn(2)}, {"epoch": 0})
    (tmp_path / "ck" / "tensors.safetensors").write_bytes(b"garbage")
    with pytest.raises(DecoderHeadError, match="corrupt checkpoint"):
        load_checkpoint(tmp_path / "ck")


def test_resume_after_interruption_gives_the_same_numbers(tmp_path):
    train, valid = streams()
    cfg = TrainConfig(epochs=3, bptt=10, lr=0.01, seed=3)
    straight = make_lm()
    h_full = fit(straight, train, valid, cfg, saved=straight)

    def interrupt(epoch):
        if epoch == 2:  # Ctrl-C during the last epoch: only epochs 0 and 1 are checkpointed
            raise KeyboardInterrupt
        return {}

    first = make_lm()
    with pytest.raises(KeyboardInterrupt):
        fit(first, train, valid, cfg, saved=first, ckpt_dir=tmp_path, on_epoch_end=interrupt)
    resumed = make_lm()
    h_res = fit(resumed, train, valid, cfg, saved=resumed, ckpt_dir=tmp_path, resume=True)
    assert [h["epoch"] for h in h_res] == [0, 1, 2]
    assert h_res[-1]["val_loss"] == pytest.approx(h_full[-1]["val_loss"], rel=1e-5)
    for a, b in zip(straight.parameters(), resumed.parameters()):
        assert torch.allclose(a, b, atol=1e-6)


def test_checkpoint_of_another_config_is_not_resumed(tmp_path, capsys):
    train, valid = streams()
    first = make_lm()
    h1 = fit(first, train, valid, TrainConfig(epochs=2, bptt=10, lr=0.01), saved=first, ckpt_dir=tmp_path)
    other = make_lm()
    h2 = fit(other, train, valid, TrainConfig(epochs=2, bptt=10, lr=0.02), saved=other, ckpt_dir=tmp_path,
             resume=True)
    assert "another config" in capsys.readouterr().out
    assert [h["epoch"] for h in h2] == [0, 1]
    assert h2[0]["val_loss"] != h1[0]["val_loss"]


def test_curriculum_trains_only_the_frequent_rows_first():
    torch.manual_seed(0)
    model = make_lm()
    before = model.mapping.weight.detach().clone()
    train, valid = streams()
    # 4 steps, curriculum over the whole run from 5 rows: at most 5 + 3/4 * 15 = 16 rows move.
    cfg = TrainConfig(epochs=1, steps_per_epoch=4, bptt=10, lr=0.03, curriculum=1.0, curriculum_start=5)
    fit(model, train, valid, cfg, saved=torch.nn.Module())
    moved = (model.mapping.weight.detach() - before).abs().sum(1) > 0
    assert moved[:5].all() and not moved[16:].any()


def test_curriculum_rows_grow_to_the_whole_vocabulary():
    from decoder_head.train.loop import curriculum_rows

    cfg = TrainConfig(curriculum=0.5, curriculum_start=100)
    assert curriculum_rows(cfg, 0.0, 1000) == 100
    assert curriculum_rows(cfg, 0.25, 1000) == 550
    assert curriculum_rows(cfg, 0.5, 1000) == curriculum_rows(cfg, 0.9, 1000) == 1000
    assert curriculum_rows(TrainConfig(), 0.0, 1000) == 1000
    with pytest.raises(ValueError):
        TrainConfig(curriculum=1.5)


def test_a_finished_run_resumed_shows_its_last_loss_not_nan(tmp_path, capsys):
    train, valid = streams()
    cfg = TrainConfig(epochs=1, bptt=10, lr=0.01)
    first = make_lm()
    history = fit(first, train, valid, cfg, saved=first, ckpt_dir=tmp_path)
    capsys.readouterr()
    again = make_lm()
    assert fit(again, train, valid, cfg, saved=again, ckpt_dir=tmp_path, resume=True) == history
    out = capsys.readouterr().out
    assert "nan" not in out and f"loss {history[-1]['train_loss']:.3f}" in out
