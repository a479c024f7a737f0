"""Zero-shot language B through a classifier trained on language A: swap the table, keep body and head.

    B verse --B vocab--> ids --induced table (V_B, d), rows in A's input space--> A's frozen body -> A's head
    B verse --lexicon top-1--> A word ids --A's table--------------------------> A's frozen body -> A's head

The first is the decoder head (`decoder-head run`'s induced mapping, re-learned for B through
A's frozen body); the second a word-by-word lookup of a lexicon.tsv (the refined one by
default). No label of B is used anywhere: the classifier was trained and selected on A.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..config import RunConfig, from_dict
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..eval.bli import read_lexicon
from ..files import read_json
from ..models import LanguageModel
from ..train.checkpoint import has_checkpoint, load_checkpoint
from ..train.pretrain import TrainedLM, lm_folder, load_lm
from ..train.relearn import relearn
from .data import Lexical, Verse, same_ids
from .evaluate import FeatureCache, evaluate
from .train import TrainedClassifier


@dataclass
class Induced:
    """A finished run's decoder head: B's vocabulary and its induced rows in A's input space."""

    run_dir: Path
    config: RunConfig
    lm: TrainedLM  # A's LM, whose body the rows were learned through
    vocab: Vocab  # B's
    model: LanguageModel  # B's mapping (input and tied output) + A's frozen body
    metrics: dict[str, Any] | None  # the run's metrics.json, when it finished

    @property
    def table(self) -> torch.Tensor:
        return self.model.mapping.table().detach()  # (V_B, d)

    def lexical(self, name: str = "decoder head") -> Lexical:
        return Lexical.from_vocab(name, self.vocab, self.table)

    def as_lm(self) -> TrainedLM:
        """B's mapping on A's body as an LM of B: what `generate --mapping` samples from."""
        return TrainedLM(model=self.model, vocab=self.vocab, config=self.lm.config, folder=self.run_dir, meta={})


def load_induced(run_dir: str | Path, workdir: str | Path | None = None) -> Induced:
    """Rebuild a run's induced mapping from its checkpoint (checkpoints/induce) through the pipeline's
    own `relearn`, which resumes instead of training: the vocabulary is rebuilt from B's corpus,
    the mapping's tensors come from the checkpoint (EM rounds, when the preset has any, run again).
    workdir: where the run's LM and corpus cache live (default: the run folder's parent)."""
    run_dir = Path(run_dir)
    workdir = run_dir.parent if workdir is None else Path(workdir)
    if not (run_dir / "config.json").is_file():
        raise DecoderHeadError(f"{run_dir}: not a run folder (no config.json); `decoder-head run` makes one")
    cfg = from_dict(RunConfig, read_json(run_dir / "config.json"))
    ckpt = run_dir / "checkpoints" / "induce"
    if not has_checkpoint(ckpt):
        raise DecoderHeadError(f"{run_dir}: no induced mapping in {ckpt}; `decoder-head run` makes one")
    epoch = load_checkpoint(ckpt)[1].get("epoch", -1)
    if epoch != cfg.induce.train.epochs - 1:
        raise DecoderHeadError(f"{ckpt}: induction stopped after epoch {epoch + 1} of {cfg.induce.train.epochs}; "
                               "run the same `decoder-head run` again to finish it")
    folder = lm_folder(cfg.lm, workdir)
    if not has_checkpoint(folder / "final"):
        raise DecoderHeadError(f"{run_dir}: its LM {folder} is not there (give --workdir, the folder that holds lms/)")
    lm = load_lm(folder)
    with contextlib.redirect_stdout(sys.stderr):  # its progress bar is not the caller's output (generate's text)
        r = relearn(lm, cfg.induce, workdir, ckpt, resume=True, desc="induced mapping (checkpoint)")
    metrics = read_json(run_dir / "metrics.json") if (run_dir / "metrics.json").is_file() else None
    return Induced(run_dir, cfg, lm, r.vocab, r.model.eval(), metrics)


def perplexities(induced: Induced) -> dict[str, float] | None:
    """Held-out perplexity of B through A's frozen body with the induced mapping, beside A's LM's
    own (both from the run's metrics.json; None before the run finished)."""
    m = induced.metrics
    if not m or not m.get("induce"):
        return None
    return {"lm_val_ppl": m["lm"]["val_ppl"], "induced_val_ppl": m["induce"]["unsupervised"]["val_ppl"]}


def lookup_lexical(name: str, lexicon: str | Path, lm: Lexical) -> tuple[Lexical, dict[str, Any]]:
    """Each B word of a lexicon.tsv -> the A row of its top-1 translation; words without an entry,
    or whose translation is outside A's LM vocabulary, enter as <unk>. Returns the stats too."""
    best = read_lexicon(lexicon)
    stoi = {src: lm.stoi[trg] for src, trg in best.items() if trg in lm.stoi and lm.stoi[trg] != lm.unk_id}
    stats = {"lexicon": str(lexicon), "entries": len(best), "in_lm_vocab": len(stoi) / len(best)}
    return Lexical(name, stoi, lm.table, lm.unk_id, lm.eos_id), stats


def transfer_rows(clf: TrainedClassifier, a_verses: list[Verse], b_verses: list[Verse], lexicals: list[Lexical],
                  cache: FeatureCache | None = None) -> list[dict[str, Any]]:
    """A's verses through A's table (the ceiling), then B's through each Lexical, all on the verse
    ids both corpora have."""
    a_same, b_same = same_ids(a_verses, b_verses)
    if not a_same:
        raise DecoderHeadError("the two corpora share no held-out verse id; zero-shot needs the same verses in both")
    max_len = clf.config.task.max_len
    rows = [evaluate(clf.model, clf.lexical, a_same, max_len, cache)]
    rows += [evaluate(clf.model, lex, b_same, max_len, cache) for lex in lexicals]
    return rows
