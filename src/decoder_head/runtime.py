"""The runtime: where the heavy loops run and as which process, built once and passed down.

    Runtime(device, autocast, rank, world_size)
      cli.py builds it (--device, --autocast, and torchrun's RANK/WORLD_SIZE/LOCAL_RANK),
      experiment/results/benchmarks hand it to training, re-learning and EM scoring.

Only the hot loops (training steps, held-out loss, EM's scoring pass) move to the device,
inside `on_device`; everything around them (Hungarian, BLI, checkpoints, reports) stays on
the CPU. CPU runs are bit-reproducible; CUDA runs are as close as torch's deterministic mode
allows (ops without a deterministic kernel only warn there). Under torchrun each process is
one rank of a DistributedDataParallel job (gloo on CPUs, NCCL on GPUs): it trains on its own
rows of the batch (train.loop), and only rank 0 writes checkpoints, bars and prints.
"""

from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, ContextManager, Iterator

import torch

from .errors import DecoderHeadError

AUTOCAST = {None: None, "bfloat16": torch.bfloat16, "float16": torch.float16}


def pick_device(name: str | None = None) -> torch.device:
    """The device a name means; "auto" (or None) = cuda when torch sees one."""
    name = (name or "auto").strip().lower()
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


@dataclass(frozen=True)
class Runtime:
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    autocast: str | None = None  # None (float32) | "bfloat16" | "float16": mixed precision of the hot loops
    rank: int = 0
    world_size: int = 1

    def __post_init__(self) -> None:
        if self.autocast not in AUTOCAST:
            raise DecoderHeadError(f"autocast {self.autocast!r}: expected bfloat16, float16 or none")
        if not 0 <= self.rank < self.world_size:
            raise DecoderHeadError(f"rank {self.rank} is not in a world of {self.world_size}")

    @classmethod
    def local(cls, device: str | None = None, autocast: str | None = None) -> "Runtime":
        """One process on the named device (auto: a GPU when torch sees one)."""
        return cls(pick_device(device), autocast)

    @classmethod
    def from_launcher(cls, device: str | None = None, autocast: str | None = None) -> "Runtime":
        """One process, or this process's rank when torchrun started it (its env variables)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world == 1:
            return cls.local(device, autocast)
        import torch.distributed as dist

        rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        dev = pick_device(device)
        if dev.type == "cuda":
            dev = torch.device("cuda", local_rank)
            torch.cuda.set_device(dev)
        if not dist.is_initialized():
            dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
        return cls(dev, autocast, rank, world)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def autocast_context(self) -> ContextManager[Any]:
        dtype = AUTOCAST[self.autocast]
        return nullcontext() if dtype is None else torch.autocast(self.device.type, dtype=dtype)

    def shard(self, batched: torch.Tensor) -> torch.Tensor:
        """This rank's rows of a batched stream (B, N): each row is a contiguous piece of the
        token stream, so every rank reads contiguous text (a shuffling sampler would cut the
        stream an LM learns from) and the ranks together see the global batch."""
        if not self.distributed:
            return batched
        if batched.size(0) % self.world_size:
            raise DecoderHeadError(f"batch size {batched.size(0)} does not split over {self.world_size} processes")
        per = batched.size(0) // self.world_size
        return batched[self.rank * per:(self.rank + 1) * per]

    def all_sum(self, value: torch.Tensor) -> torch.Tensor:
        """The sum over ranks (the value itself in one process)."""
        if self.distributed:
            import torch.distributed as dist

            value = value.to(self.device) if self.device.type == "cuda" else value
            dist.all_reduce(value)
        return value

    def gather(self, obj: Any) -> list[Any]:
        """Every rank's `obj`, in rank order ([obj] in one process)."""
        if not self.distributed:
            return [obj]
        import torch.distributed as dist

        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def barrier(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            dist.barrier()


def deterministic(device: torch.device) -> None:
    """Same seed, same numbers: strict on the CPU, best effort (warn only) on CUDA."""
    torch.use_deterministic_algorithms(True, warn_only=device.type != "cpu")


@contextmanager
def on_device(device: torch.device, module: torch.nn.Module, *tensors: torch.Tensor) -> Iterator[tuple[torch.Tensor, ...]]:
    """Move `module` (in place: parameters keep their identity, so optimisers stay valid)
    and `tensors` to `device`; the module is back on the CPU afterwards."""
    here = next(iter([*module.parameters(), *module.buffers()]), None)
    if device.type == "cpu" or (here is not None and here.device == device):
        yield tuple(t.to(device) for t in tensors)  # already there (a nested call): leave it there
        return
    module.to(device)
    try:
        yield tuple(t.to(device) for t in tensors)
    finally:
        module.to("cpu")
