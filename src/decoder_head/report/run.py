"""A run folder's report: plots, report.md and report.html (self-contained, lexicon explorer).

Both documents are built from metrics.json's blocks (lm, recover, induce, refine) and the
run's best lexicon; a stage that was switched off, or a run without a dictionary, simply
has fewer rows (unsupervised signals instead of P@k).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..config import RunConfig
from ..files import write_text
from .markdown import fmt, get
from .plots import plot_bli_by_band, plot_hits_by_rank, plot_training_curves

STAGE_NAMES = {"induce": "decoder head (induce)", "shared": "shared body", "refine": "refined (self-learning)"}
LEXICON_STAGES = tuple(STAGE_NAMES)  # report order


def _p(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _bli_summary(name: str, block: dict[str, Any]) -> list[tuple[str, str]]:
    if block.get("csls") is None:  # no dictionary: what can be said without one
        u = block["unsupervised"]
        rows = [(f"{name}: mutual nearest neighbours (top-1000)", f"{u['mutual_nn']:.2f}")]
        rows += [(f"{name}: {k.replace('_', ' ')}", f"{u[k]:.3f}") for k in
                 ("val_ppl", "objective", "agreement_with_decoder_head") if k in u]
        return rows
    nc = block["non_cognate"]
    return [(f"{name}: P@1 NN / CSLS", f"{_p(block['nn']['p_at_1'])} / {_p(block['csls']['p_at_1'])}"),
            (f"{name}: P@10 CSLS, coverage", f"{_p(block['csls']['p_at_10'])}, {block['coverage']:.2f} "
                                             f"({block['n_evaluated']} words)"),
            (f"{name}: P@1 non-cognate / cognate", f"{_p(nc['p_at_1'])} ({nc['n']} words) / "
                                                   f"{_p(block['cognate']['p_at_1'])} ({block['cognate']['n']})")]


def summary_rows(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """The run at a glance (CLI table, top of both reports)."""
    lm, rec = metrics["lm"], metrics.get("recover")
    rows = [("LM val perplexity", f"{lm['val_ppl']:.1f} ({lm['tokens_per_s']:.0f} tok/s, {lm['train_seconds']:.0f} s"
                                  + (", reused)" if lm["reused"] else ")"))]
    if rec:
        rows += [(f"recover [{rec['method']}] hit@1 / hit@10 top-1000",
                  f"{fmt(rec['hit_at_1_top1000'])} / {fmt(rec['hit_at_10_top1000'])}")]
    for stage in LEXICON_STAGES:
        if metrics.get(stage):
            rows += _bli_summary(STAGE_NAMES[stage], metrics[stage])
    stages = metrics.get("stage_seconds", {})
    rows.append(("wall time", f"{metrics['wall_seconds']:.0f} s (" +
                 ", ".join(f"{k} {v:.0f}" for k, v in stages.items()) + ")"))
    return rows


def _bli_table(block: dict[str, Any]) -> list[list[Any]]:
    return [[m.upper(), block[m]["p_at_1"], block[m]["p_at_5"], block[m]["p_at_10"]] for m in ("nn", "csls")] + [
        [f"CSLS, {label} ({block[key]['n']} words)", block[key]["p_at_1"], block[key]["p_at_5"],
         block[key]["p_at_10"]] for key, label in (("non_cognate", "non-cognate"), ("cognate", "cognate"))]


def lexicon_entries(lexicon: dict[str, list[tuple[str, float]]], gold: dict[str, set[str]] | None
                    ) -> list[dict[str, Any]]:
    """Rows of the HTML lexicon explorer: rank, word, top-5 with scores, gold and cognate marks."""
    from ..eval.orthography import COGNATE_SIMILARITY, string_similarity

    entries = []
    for rank, (src, cands) in enumerate(lexicon.items()):
        alike = string_similarity([src], [t for t, _ in cands])[0] >= COGNATE_SIMILARITY  # eval.bli.is_cognate's rule
        entries.append({
            "src": src, "rank": rank, "candidates": [[t, round(s, 4)] for t, s in cands],
            "gold": sorted(gold[src]) if gold and src in gold else None, "test": bool(gold and src in gold),
            "cognate": alike.tolist()})
    return entries


def write_report(run_dir: Path, cfg: RunConfig, metrics: dict[str, Any],
                 lexicon: dict[str, list[tuple[str, float]]]) -> None:
    """Plots, report.md and report.html of a finished run."""
    from ..data.dictionary import read_muse
    from .html import write_html_report

    rec = metrics.get("recover")
    if rec:
        plot_hits_by_rank(rec, run_dir / "hits_by_rank.png")
    plot_training_curves(metrics, run_dir / "training_curves.png")
    scored = {STAGE_NAMES[s]: metrics[s] for s in LEXICON_STAGES if get(metrics, s, "csls")}
    if scored:
        plot_bli_by_band({name: b["by_rank_csls"] for name, b in scored.items()}, run_dir / "bli_by_band.png")
    src, trg = cfg.languages
    summary = summary_rows(metrics)
    best = "lexicon.tsv"
    notes = [f"Language model of {trg} on {cfg.lm.corpus}; {src} text {cfg.induce.corpus} through its frozen body. "
             f"Lexicon: {best} ({'refined' if metrics.get('refine') else 'decoder head'}, top-5 CSLS per {src} word); "
             f"the decoder head's own: lexicon.decoder-head.tsv; vectors: emb.{src}.vec, emb.{trg}.vec."
             + (" The shared body's (one LM trained on both texts): lexicon.shared-body.tsv." if metrics.get("shared")
                else "")]
    joined = get(metrics, "refine", "joined")
    if joined:
        alone = joined["vectors_only_p_at_1"]
        if joined.get("used", "joined") == "joined":
            notes.append(f"The refined lexicon joins the shared body's own tables, self-learned from their lexicon, to "
                         f"the word vectors: each pair's cosine is {1 - joined['weight']:g} x the vectors' + "
                         f"{joined['weight']:g} x the tables' (refine.join); the vectors files hold both parts.")
        else:
            kept = joined["kept"]
            notes.append(f"The word vectors' and the shared body's tables' self-learned spaces agree on only "
                         f"{joined['agreement']:.1%} of the top-1 translations of the most frequent {src} words "
                         f"(refine.join_agreement asks {joined['min_agreement']:.0%}): they found different "
                         f"alignments, so the lexicon uses the {joined['used']} alone, whose self-learning kept "
                         f"more of its own seed (the vectors {kept['vectors']:.1%} of their seed lexicon, "
                         f"the tables {kept['tables']:.1%} of theirs); the vectors files hold that space.")
        if alone is not None:
            notes[-1] += f" The vectors alone: P@1 CSLS {alone:.1f}."
    if not cfg.eval.dictionary:
        notes.append("No dictionary was given, so there is no P@k: the unsupervised signals are the share of "
                     "mutual nearest neighbours, the decoder head's held-out perplexity through the frozen body, "
                     "self-learning's objective and how many decoder-head translations refinement kept.")
    else:
        notes.append(f"Scored on {cfg.eval.dictionary}. Non-cognate words spell none of their gold translations "
                     "alike (string similarity < 0.7): orthography cannot solve them, so their P@1 shows what was "
                     "learned beyond spelling.")
    blocks = [{"title": f"{STAGE_NAMES[s]}: {src} -> {trg}", "columns": ["retrieval", "P@1", "P@5", "P@10"],
               "rows": _bli_table(metrics[s]), "caption": f"coverage {metrics[s]['coverage']:.2f} "
               f"({metrics[s]['n_evaluated']} dictionary words)"} for s in LEXICON_STAGES if get(metrics, s, "csls")]
    images = [("Training: held-out loss per stage; recovery hit@1", run_dir / "training_curves.png"),
              ("Recovery hit@k by frequency rank", run_dir / "hits_by_rank.png"),
              ("P@k (CSLS) by source frequency band", run_dir / "bli_by_band.png")]
    gold = read_muse(cfg.eval.dictionary) if cfg.eval.dictionary else None
    write_html_report(run_dir / "report.html", f"decoder-head run {cfg.name}: {src} -> {trg}", summary, blocks,
                      images, lexicon_entries(lexicon, gold), notes)

    lines = [f"# decoder-head run `{cfg.name}`", ""] + [x for note in notes for x in (note, "")]
    lines += ["| quantity | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary]
    if rec:
        lines += ["", "## Recovery (same language, mapping wiped and re-learned)", "",
                  "| rank bucket | hit@1 | hit@5 | hit@10 |", "|---|---|---|---|"]
        lines += [f"| {b} | " + " | ".join(fmt(rec[f"hit_at_{k}_by_rank"][b]) for k in (1, 5, 10)) + " |"
                  for b in rec["hit_at_1_by_rank"]]
        lines += ["", "![hit@k by rank](hits_by_rank.png)", "", "Nearest original words of re-learned rows:", ""]
        lines += [f"- **{w}**: {', '.join(ns)}" for w, ns in rec["synonyms"].items()]
    for block in blocks:
        lines += ["", f"## {block['title']}", "", block["caption"] + ".", "",
                  "| " + " | ".join(block["columns"]) + " |", "|---" * len(block["columns"]) + "|"]
        lines += ["| " + " | ".join([row[0], *(_p(v) for v in row[1:])]) + " |" for row in block["rows"]]
    if scored:
        lines += ["", "![P@k by frequency band](bli_by_band.png)"]
    lines += ["", "![training curves](training_curves.png)", "", "Browse the lexicon in `report.html`.", "",
              "## Config", "", "```json", json.dumps(asdict(cfg), indent=2), "```", ""]
    write_text(run_dir / "report.md", "\n".join(lines))
