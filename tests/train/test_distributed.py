"""torchrun with 2 CPU processes (gloo) takes the steps one process takes with the same global
batch: each rank trains on its contiguous rows, DDP averages the gradients."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from decoder_head.cli import main

NO_DROPOUT = ["--set", "lm.emb_dropout=0", "--set", "lm.body.input_dropout=0", "--set", "lm.body.hidden_dropout=0",
              "--set", "lm.body.output_dropout=0", "--set", "lm.body.weight_dropout=0"]
ARGS = ["train-lm", "--preset", "tests/fixtures/tiny.yaml", *NO_DROPOUT]
TOLERANCE = 1e-3  # nats: float sums in another order over 2 ranks, 20 Adam steps


def torchrun(workdir, *extra):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "decoder_head.cli", *ARGS, "--workdir", str(workdir), *extra]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def history(workdir):
    (folder,) = (workdir / "lms").iterdir()
    return json.loads((folder / "final" / "meta.json").read_text())["history"]


def test_two_processes_match_one_with_the_same_global_batch(tiny):
    assert main([*ARGS, "--workdir", "one"]) == 0
    done = torchrun(tiny / "two")
    one, two = history(tiny / "one"), history(tiny / "two")
    assert len(one) == len(two) == 2
    for a, b in zip(one, two):
        assert abs(a["train_loss"] - b["train_loss"]) < TOLERANCE
        assert abs(a["val_loss"] - b["val_loss"]) < TOLERANCE
    assert done.stdout.count("LM in ") == 1  # rank 0 alone prints


def test_a_distributed_run_resumes_from_its_checkpoint(tiny):
    torchrun(tiny / "two")
    (folder,) = (tiny / "two" / "lms").iterdir()
    before = history(tiny / "two")
    shutil.rmtree(folder / "final")  # as if killed after its last epoch's checkpoint
    torchrun(tiny / "two")
    assert history(tiny / "two") == before
