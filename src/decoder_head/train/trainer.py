"""One small trainer: the optimizer, the step, checkpoints and resume, for every loop that learns.

    trainer = Trainer(model, params, OptimConfig(...), runtime, ckpt_dir, fingerprint)
    meta = trainer.resume()            # the last checkpoint made under the same config, or None
    for each batch:
        out = trainer.forward(*inputs)  # DistributedDataParallel under torchrun, autocast if asked
        trainer.step(loss, lr, after_backward=curriculum)   # zero, backward, hook, clip, update
        trainer.save({...where the loop is...})             # rank 0 writes, the others wait

The loops keep what differs between them (LM windows and epochs in `train.loop`, verse batches
and a time budget in `seq2seq.train`); what they share lives here once: Adam, gradient
clipping, DDP and autocast from the Runtime, and checkpoints that hold the model, the
optimizer and every rank's RNG state, resumed only under the config that made them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from ..runtime import Runtime
from .checkpoint import has_checkpoint, load_checkpoint, load_module_state, optimizer_from_flat, optimizer_to_flat, save_checkpoint

StateFn = Callable[[torch.nn.Module], dict[str, torch.Tensor]]
LoadFn = Callable[[torch.nn.Module, dict[str, torch.Tensor], str, str], None]


@dataclass(frozen=True)
class OptimConfig:
    lr: float = 3e-3
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    clip: float = 0.0  # gradient-norm clipping (0 = off)
    decoupled: bool = False  # AdamW's weight decay instead of Adam's L2 term


def _json(x: Any) -> Any:
    return json.loads(json.dumps(x))


class Trainer:
    def __init__(self, model: torch.nn.Module, params: list[torch.nn.Parameter] | list[dict[str, Any]],
                 optim: OptimConfig,
                 runtime: Runtime | None = None, ckpt_dir: str | Path | None = None,
                 fingerprint: dict[str, Any] | None = None, saved: torch.nn.Module | None = None,
                 state_fn: StateFn | None = None, load_fn: LoadFn | None = None) -> None:
        """`params`: parameters, or groups of them with an `lr_scale` (discriminative learning
        rates: each group steps at lr * lr_scale). `saved`: the module whose state a checkpoint
        holds (default: the model; re-learning saves only its mapping). `state_fn`/`load_fn`:
        how its tensors are taken and put back (default: state_dict / load_module_state)."""
        self.model, self.optim = model, optim
        self.runtime = runtime or Runtime.local()
        self.ckpt_dir = None if ckpt_dir is None else Path(ckpt_dir)
        self.fingerprint = {"world_size": self.runtime.world_size, **(fingerprint or {})}
        self.saved = saved if saved is not None else model
        self.state_fn = state_fn or (lambda m: m.state_dict())
        self.load_fn = load_fn or load_module_state
        adam = torch.optim.AdamW if optim.decoupled else torch.optim.Adam
        self.opt = adam(params, lr=optim.lr, betas=optim.betas, weight_decay=optim.weight_decay)
        self.params = [p for group in self.opt.param_groups for p in group["params"]]
        self.extra: dict[str, torch.Tensor] = {}  # a resumed checkpoint's `extra` tensors
        self.net: torch.nn.Module = model
        if self.runtime.distributed:  # gradients averaged over ranks inside backward
            from torch.nn.parallel import DistributedDataParallel

            device = self.runtime.device
            self.net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None,
                                               broadcast_buffers=False)

    def forward(self, *inputs: Any) -> Any:
        with self.runtime.autocast_context():
            return self.net(*inputs)

    def step(self, loss: torch.Tensor, lr: float, after_backward: Callable[[], None] | None = None) -> None:
        """One update: gradients of `loss` (averaged over ranks), the hook, clipping, Adam at `lr`."""
        for group in self.opt.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if after_backward is not None:
            after_backward()
        if self.optim.clip > 0:
            torch.nn.utils.clip_grad_norm_([p for p in self.params if p.grad is not None], self.optim.clip)
        self.opt.step()

    def _rng_key(self, rank: int) -> str:
        return "rng.torch" if not self.runtime.distributed else f"rng.torch.{rank}"

    def resume(self) -> dict[str, Any] | None:
        """Load the last checkpoint if the same config (and world size) made it; its meta, or None."""
        if self.ckpt_dir is None or not has_checkpoint(self.ckpt_dir):
            return None
        tensors, meta = load_checkpoint(self.ckpt_dir)
        made = dict(meta.get("fingerprint") or {})
        made.setdefault("world_size", 1)  # checkpoints from before ranks were one process
        if made != _json(self.fingerprint):
            if self.runtime.is_main:
                print(f"{self.ckpt_dir}: checkpoint was made with another config; starting over")
            return None
        self.load_fn(self.saved, tensors, "model.", str(self.ckpt_dir))
        optimizer_from_flat(self.opt, tensors, meta["optimizer"])
        torch.set_rng_state(tensors[self._rng_key(self.runtime.rank)])
        self.extra = {k[len("extra."):]: v for k, v in tensors.items() if k.startswith("extra.")}
        device = self.runtime.device
        if device.type == "cuda" and "rng.cuda" in tensors:
            torch.cuda.set_rng_state(tensors["rng.cuda"], device)
        return meta

    def save(self, meta: dict[str, Any], extra: dict[str, torch.Tensor] | None = None) -> None:
        """Model + optimizer + every rank's RNG state + `meta` (+ `extra` tensors the loop keeps,
        e.g. the best epoch's weights), written by rank 0; the others wait."""
        if self.ckpt_dir is None:
            return
        rng_states = self.runtime.gather(torch.get_rng_state())
        if self.runtime.is_main:
            opt_tensors, opt_meta = optimizer_to_flat(self.opt)
            tensors = {f"model.{k}": v for k, v in self.state_fn(self.saved).items()}
            tensors.update(opt_tensors)
            tensors.update({f"extra.{k}": v for k, v in (extra or {}).items()})
            for rank, state in enumerate(rng_states):
                tensors[self._rng_key(rank)] = state
            if self.runtime.device.type == "cuda":
                tensors["rng.cuda"] = torch.cuda.get_rng_state(self.runtime.device)
            save_checkpoint(self.ckpt_dir, tensors, {**meta, "optimizer": opt_meta, "fingerprint": self.fingerprint})
        self.runtime.barrier()
