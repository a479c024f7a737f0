"""Checkpoints: tensors in safetensors, everything else in JSON; never pickled modules.

A checkpoint is a folder with `tensors.safetensors` and `meta.json`. Both are written to
temporary names and renamed, meta last: a folder whose meta.json exists is complete.
Optimizer state is flattened (`optim.<param>.<name>` tensors + JSON param groups) so that
training resumes exactly, RNG state included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ..errors import DecoderHeadError
from ..files import atomic_path, read_json, write_json

TENSORS, META = "tensors.safetensors", "meta.json"


def save_checkpoint(folder: str | Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / META).exists():  # replacing: drop the marker first so a crash leaves "incomplete"
        (folder / META).unlink()
    with atomic_path(folder / TENSORS) as tmp:
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp))
    write_json(folder / META, meta)


def has_checkpoint(folder: str | Path) -> bool:
    return (Path(folder) / META).exists() and (Path(folder) / TENSORS).exists()


def load_checkpoint(folder: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    folder = Path(folder)
    if not has_checkpoint(folder):
        raise DecoderHeadError(f"{folder}: no complete checkpoint ({TENSORS} + {META})")
    meta = read_json(folder / META)
    try:
        tensors = load_file(str(folder / TENSORS))
    except (SafetensorError, OSError, ValueError) as exc:
        raise DecoderHeadError(f"{folder / TENSORS}: corrupt checkpoint ({exc})") from None
    return tensors, meta


def optimizer_to_flat(opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split an optimizer state dict into tensors and JSON-able parts."""
    sd = opt.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for pid, st in sd["state"].items():
        for name, value in st.items():
            if torch.is_tensor(value):
                tensors[f"optim.{pid}.{name}"] = value
            else:
                scalars.setdefault(str(pid), {})[name] = value
    return tensors, {"param_groups": sd["param_groups"], "scalars": scalars}


def optimizer_from_flat(opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, pid, name = key.split(".", 2)
            state.setdefault(int(pid), {})[name] = value
    for pid, extra in meta.get("scalars", {}).items():
        state.setdefault(int(pid), {}).update(extra)
    try:
        opt.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    except (KeyError, ValueError) as exc:
        raise DecoderHeadError(f"checkpoint optimizer state does not match this model ({exc})") from None


def load_module_state(module: torch.nn.Module, tensors: dict[str, torch.Tensor], prefix: str, where: str) -> None:
    """Load `prefix`-ed tensors into a module, with a one-line error on any mismatch."""
    sd = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
    try:
        module.load_state_dict(sd)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        raise DecoderHeadError(f"{where}: checkpoint does not fit this model ({' '.join(first[:2])[:300]})") from None

