"""Where the heavy loops run: a CUDA GPU when torch sees one, else the CPU.

Only the three hot loops (training steps, held-out loss, EM's scoring pass) move to the
device, inside `on_device`; everything around them (Hungarian, BLI, checkpoints, reports)
stays on the CPU, so no other module needs to think about devices.

`DECODER_HEAD_DEVICE` (auto | cpu | cuda | cuda:N; the CLI's --device sets it) picks one.
CPU runs are bit-reproducible; CUDA runs are as close as torch's deterministic mode allows
(ops without a deterministic kernel only warn there).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import torch

from .errors import DecoderHeadError

ENV = "DECODER_HEAD_DEVICE"


def pick_device(name: str | None = None) -> torch.device:
    """The device named (or in $DECODER_HEAD_DEVICE); "auto" = cuda when available."""
    name = (name or os.environ.get(ENV) or "auto").strip().lower()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise DecoderHeadError(f"device {name!r}: torch sees no CUDA GPU (use --device cpu or auto)")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise DecoderHeadError(f"device {name!r}: expected auto, cpu, cuda or cuda:N") from None
    if device.type == "cuda":
        if device.index is None:  # "cuda" -> "cuda:0", so it compares equal to a tensor's device
            device = torch.device("cuda", torch.cuda.current_device())
        # cuBLAS needs this workspace setting for deterministic matrix products.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return device


def deterministic(device: torch.device) -> None:
    """Same seed, same numbers: strict on the CPU, best effort (warn only) on CUDA."""
    torch.use_deterministic_algorithms(True, warn_only=device.type != "cpu")


@contextmanager
def on_device(module: torch.nn.Module, *tensors: torch.Tensor) -> Iterator[tuple[torch.Tensor, ...]]:
    """Move `module` (in place: parameters keep their identity, so optimisers stay valid)
    and `tensors` to the picked device; the module is back on the CPU afterwards."""
    device = pick_device()
    here = next(iter([*module.parameters(), *module.buffers()]), None)
    if device.type == "cpu" or (here is not None and here.device == device):
        yield tuple(t.to(device) for t in tensors)  # already there (a nested call): leave it there
        return
    module.to(device)
    try:
        yield tuple(t.to(device) for t in tensors)
    finally:
        module.to("cpu")
