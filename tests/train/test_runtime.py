"""The runtime: device choice, and torchrun's rows of the batch. CPU here; CUDA on a GPU machine."""

import pytest
import torch

from decoder_head.cli import main
from decoder_head.errors import DecoderHeadError
from decoder_head.runtime import Runtime, on_device, pick_device


def test_auto_picks_cuda_only_when_torch_sees_it():
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert Runtime.local("cpu").device.type == "cpu"


def test_bad_or_missing_device_is_one_clear_error(monkeypatch):
    with pytest.raises(DecoderHeadError, match="expected auto, cpu"):
        pick_device("tpu7")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DecoderHeadError, match="no CUDA GPU"):
        pick_device("cuda")


def test_cli_device_flag_fails_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["bli", "--device", "cuda", "--dictionary", "d.txt", "x.vec", "y.vec"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no CUDA GPU" in err[0]


def test_on_device_keeps_the_module_on_the_cpu_there():
    lin = torch.nn.Linear(2, 2)
    x = torch.ones(3, 2)
    with on_device(torch.device("cpu"), lin, x) as (y,):
        assert y.device.type == "cpu" and lin.weight.device.type == "cpu"


def test_ranks_take_contiguous_rows_that_cover_the_batch():
    batched = torch.arange(24).view(4, 6)  # 4 rows, each a contiguous piece of the stream
    parts = [Runtime(torch.device("cpu"), None, r, 2).shard(batched) for r in range(2)]
    assert torch.equal(torch.cat(parts), batched)
    assert torch.equal(parts[1], batched[2:])
    assert Runtime().shard(batched) is batched
    with pytest.raises(DecoderHeadError, match="does not split over 3"):
        Runtime(torch.device("cpu"), None, 0, 3).shard(batched)


def test_runtime_checks_its_fields():
    with pytest.raises(DecoderHeadError, match="autocast"):
        Runtime(autocast="int8")
    with pytest.raises(DecoderHeadError, match="rank 2"):
        Runtime(rank=2, world_size=2)
    assert Runtime(rank=0, world_size=2).is_main and not Runtime(rank=1, world_size=2).is_main


def test_mixed_precision_trains_through_the_same_loop():
    from decoder_head.mapping import FreeMapping
    from decoder_head.models import AWDLSTM, AWDLSTMConfig, LanguageModel
    from decoder_head.train.loop import TrainConfig, fit

    torch.manual_seed(0)
    model = LanguageModel(FreeMapping(30, 8), AWDLSTM(AWDLSTMConfig(emb_dim=8, hidden=16, n_layers=2)))
    stream = torch.arange(30).repeat(40).view(4, -1)  # a predictable stream: the loss must fall
    cfg = TrainConfig(epochs=3, batch_size=4, bptt=10, lr=0.01, steps_per_epoch=20, valid_windows=2)
    history = fit(model, stream, stream[:2], cfg, saved=model, runtime=Runtime(autocast="bfloat16"))
    assert history[-1]["val_loss"] < history[0]["val_loss"] and all(h["val_loss"] == h["val_loss"] for h in history)
