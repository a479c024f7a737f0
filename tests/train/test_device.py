"""Device choice: CPU everywhere here; the CUDA path is checked on a GPU machine (see README)."""

import pytest
import torch

from decoder_head.cli import main
from decoder_head.device import ENV, on_device, pick_device
from decoder_head.errors import DecoderHeadError


def test_auto_picks_cuda_only_when_torch_sees_it(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv(ENV, "cpu")
    assert pick_device().type == "cpu"


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


def test_on_device_keeps_the_module_on_the_cpu_there(monkeypatch):
    monkeypatch.setenv(ENV, "cpu")
    lin = torch.nn.Linear(2, 2)
    x = torch.ones(3, 2)
    with on_device(lin, x) as (y,):
        assert y.device.type == "cpu" and lin.weight.device.type == "cpu"
