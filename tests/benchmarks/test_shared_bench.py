"""benchmarks/shared_body.py: variants are valid shared sections with their seed; the table."""

from __future__ import annotations

import json

from bench_module import load


def test_every_variant_is_a_shared_section_with_its_seed():
    bench = load("shared_body")
    for name in bench.VARIANTS:
        cfg = bench.variant_config(name, 2)
        assert cfg.shared is not None and cfg.shared.train.seed == 2 and name in bench.DESCRIPTION
        assert cfg.shared.vocab.max_size == 10002 and cfg.lm == bench.load_run_config("default").lm
    assert bench.variant_config("lm-frozen-0.25", 0).shared.frozen == 0.25
    assert bench.variant_config("scratch-specials-4ep", 0).shared.train.epochs == 4


def test_table_shows_train_and_test_with_spread(tmp_path):
    bench = load("shared_body")
    row = {"variant": "scratch", "p_at_1_train": 3.0, "p_at_1": 4.0, "p_at_10": 9.0, "p_at_1_noncognate": 5.0,
           "spelled_p_at_1_train": 7.0, "spelled_p_at_1": 8.0, "spelled_p_at_1_noncognate": 6.0,
           "tables_refined_p_at_1_train": 30.0, "tables_refined_p_at_1": 31.0, "tables_refined_p_at_1_noncognate": 29.0,
           "train_curve": [1.0, 3.0],
           "n_noncognate": 274, "coverage": 0.96, "val_ppl_b": 149.0, "val_ppl_a": 116.0, "train_seconds": 300.0,
           "refined_p_at_1": 48.0, "refined_p_at_1_noncognate": 45.0, "refined_p_at_1_train": 50.0}
    out, readme = tmp_path / "shared.json", tmp_path / "README.md"
    out.write_text(json.dumps([{**row, "seed": 1, "p_at_1": 6.0, "train_curve": [2.0]}, {**row, "seed": 0}]))
    readme.write_text(f"{bench.START}\n{bench.END}\n")
    bench.write_table(readme, out)
    text = readme.read_text()
    assert "| from scratch (the paper's schedule), 1 epoch | 3.0 +- 0.0 | 5.0 +- 1.4 | 9.0 +- 0.0 |" in text
    assert "| 50.0 +- 0.0 / 48.0 +- 0.0 (45.0 +- 0.0) |" in text and "| 2 |" in text and "lm-frozen" not in text  # variants without rows are left out
    # spelling, self-learning on the tables, and the first seed's curve (seed 0, wherever its row is)
    assert "| 7.0 +- 0.0 / 8.0 +- 0.0 (6.0 +- 0.0) | 30.0 +- 0.0 / 31.0 +- 0.0 (29.0 +- 0.0) | 1.0, 3.0 |" in text


def test_measure_records_the_learning_curve_and_chooses_the_spelling_weight_on_train(monkeypatch, tmp_path):
    """B's "doctor" row sits nearer A's "house" than A's "doctor": only spelling fixes it, from the
    smallest tried weight that outweighs the gap (0.25), chosen on train and then read on test."""
    import torch
    from types import SimpleNamespace

    from decoder_head import refine as refine_module
    from decoder_head.eval.vectors import write_word2vec
    from decoder_head.refine import Refined

    bench = load("shared_body")
    a_words, b_words = ["doctor", "house", "sun", "moon"], ["doctor", "casa", "sol", "luna"]
    a = torch.eye(4)
    good = torch.stack([0.6 * a[0] + 0.8 * a[1], a[1], a[2], a[3]])
    tables = {"a": a, "b": a[[3, 2, 0, 1]]}  # after the first epoch every B word retrieves a wrong A word

    def fake_train(cfg, lm_cfg, corpora, workdir, ckpt_dir, lm, on_epoch_end):
        r = SimpleNamespace(vocabs={"a": SimpleNamespace(words=a_words), "b": SimpleNamespace(words=b_words)},
                            table=lambda role: tables[role], history=[])
        for epoch in range(2):
            if epoch == 1:
                tables["b"] = good
            r.history.append({"seconds": 1.0, "tokens_per_s": 10.0, "val_ppl_b": 9.0, "val_ppl_a": 8.0,
                              **on_epoch_end(r)})
        return r

    splits = {"train": {"doctor": {"doctor"}, "casa": {"house"}}, "test": {"sol": {"sun"}, "luna": {"moon"}}}
    monkeypatch.setattr(bench, "train_shared", fake_train)
    back = {part: {t: {w} for w, ts in g.items() for t in ts} for part, g in splits.items()}  # en -> es
    monkeypatch.setattr(bench, "gold", lambda part, bed=bench.BED: (splits if bed == bench.BED else back)[part])
    monkeypatch.setattr(bench, "refine", lambda *args, **kw: Refined(b_words, good, a_words, a, seed_pairs=4,
                                                                     iterations=1, objective=0.5, seconds=2.0))
    on_tables = []  # self-learning on the tables: what it was given; it maps each source row onto the right one

    def fake_refine_spaces(lexicon, spaces, cfg, *args, **kw):
        on_tables.append((lexicon, spaces, cfg))
        return Refined(spaces[0], a.clone(), spaces[2], a.clone(), seed_pairs=4, iterations=1, objective=0.5,
                       seconds=2.0)

    monkeypatch.setattr(refine_module, "refine_spaces", fake_refine_spaces)
    # the body's context vectors (a read of the whole text): here B's words read as the wrong A words
    monkeypatch.setattr(bench, "context_space", lambda r, cfg, workdir: (b_words, a[[3, 2, 1, 0]], a_words, a))
    row = bench.measure("scratch-specials-8ep", 0, tmp_path)
    assert row["train_curve"] == [0.0, 50.0] and row["p_at_1_train"] == 50.0 and row["epochs"] == 2
    assert row["spelled_weight"] == 0.25 and row["spelled_p_at_1_train"] == 100.0
    assert row["spelled_p_at_1"] == 100.0 and row["p_at_1"] == 100.0
    [(lexicon, (sw, x, tw, z), cfg), (from_tables, (csw, cx, ctw, cz), _), (other, (osw, ox, otw, oz), _)] = on_tables
    assert (sw, tw) == (b_words, a_words) and torch.equal(x, good) and torch.equal(z, a)  # the tables, no vectors
    assert lexicon == {"doctor": "house", "casa": "house", "sol": "sun", "luna": "moon"}  # their CSLS top-1
    assert cfg == bench.variant_config("scratch-specials-8ep", 0).refine  # the main job's recipe, unchanged
    assert (row["tables_refined_p_at_1_train"], row["tables_refined_p_at_1"]) == (100.0, 100.0)
    # the context vectors self-learn from the tables' lexicon; each weight beside the tables is read
    assert from_tables == lexicon and torch.equal(cx, a[[3, 2, 1, 0]]) and (csw, ctw) == (b_words, a_words)
    assert list(row["no_vectors_views"]) == ["context"]  # no main job's decoder head in the workdir
    assert list(row["no_vectors_views"]["context"]) == ["0.0", "0.1", "0.2", "0.3"]
    assert row["context_alone"] == {"p_at_1_train": 0.0, "p_at_1": 0.0, "p_at_1_noncognate": 0.0}  # all wrong
    # the same body read the other way: A's rows are the source, B's the target, from their own top-1
    assert (osw, otw) == (a_words, b_words) and torch.equal(ox, a) and torch.equal(oz, good)
    assert other == {"doctor": "doctor", "house": "casa", "sun": "sol", "moon": "luna"}
    assert row["other_way"]["bed"] == "en-es.bible" and row["other_way"]["joined"] == {}  # no en-es vectors here
    assert row["other_way"]["tables_refined"] == {"p_at_1_train": 100.0, "p_at_1": 100.0, "p_at_1_noncognate": 100.0}
    again = bench.measure("scratch-specials-8ep", 0, tmp_path)  # the tables' self-learning is kept, not made again
    assert len(on_tables) == 3 and again["tables_refined_p_at_1"] == 100.0
    # the vectors' space and the tables' joined at every tried weight, read on both splits; without the
    # main job's vectors in the workdir only the tables' seed is read
    assert list(row["joined"]) == ["shared"] and list(row["joined"]["shared"]) == ["0.0", "0.1", "0.2", "0.3",
                                                                                    "0.4", "0.5"]
    assert all(r == {"p_at_1_train": 100.0, "p_at_1": 100.0, "p_at_1_noncognate": 100.0}
               for r in row["joined"]["shared"].values())
    # the main job's vectors (the bed's run folder) put each test word nearer the other's translation, by a
    # margin the tables' right answer outweighs as its weight grows
    folder = tmp_path / "es-en.bible.s0"
    folder.mkdir()
    write_word2vec(folder / "emb.es.vec", b_words, torch.stack([a[0], a[1], 0.8 * a[3] + 0.6 * a[2],
                                                                0.8 * a[2] + 0.6 * a[3]]))
    write_word2vec(folder / "emb.en.vec", a_words, a)
    # the decoder head's own tables (A's LM words only: two of them; B's "sol" lands on "moon")
    write_word2vec(folder / "emb.decoder-head.es.vec", ["sol", "luna"], a[[3, 2]])
    write_word2vec(folder / "emb.decoder-head.en.vec", ["sun", "moon"], a[[2, 3]])
    # and the en-es bed's: its vectors swap sun and moon, which the tables' weight undoes the other way too
    folder = tmp_path / "en-es.bible.s0"
    folder.mkdir()
    write_word2vec(folder / "emb.en.vec", a_words, torch.stack([a[0], a[1], 0.8 * a[3] + 0.6 * a[2],
                                                                0.8 * a[2] + 0.6 * a[3]]))
    write_word2vec(folder / "emb.es.vec", b_words, a)
    again = bench.measure("scratch-specials-8ep", 0, tmp_path)
    joined, views = again["joined"], again["no_vectors_views"]
    assert list(joined) == ["shared", "induce"] and list(views) == ["context", "decoder head"]
    assert views["decoder head"]["0.0"] == views["context"]["0.0"] == row["no_vectors_views"]["context"]["0.0"]
    # beside the (here perfect) tables, the decoder head's wrong "sol" -> "moon" at w <= 0.3 changes nothing
    assert [views["decoder head"][str(w)]["p_at_1"] for w in bench.VIEW_WEIGHTS] == [100.0] * 4
    for readings in (joined["induce"], again["other_way"]["joined"]["induce"]):
        test = [readings[str(w)]["p_at_1"] for w in (0.0, *bench.JOIN_WEIGHTS)]
        assert test[0] == 0.0 and test[-1] == 100.0 and test == sorted(test)


def test_the_joined_table_reads_every_seed_and_weight_and_marks_what_the_train_mean_chooses():
    bench = load("shared_body")

    def row(seed, train, test, main_train=None):  # per weight 0 (the vectors alone), 0.1, ..., 0.5
        def reading(train, test):
            return {str(w): {"p_at_1_train": tr, "p_at_1": te, "p_at_1_noncognate": te - 1}
                    for w, tr, te in zip((0.0, *bench.JOIN_WEIGHTS), train, test)}
        joined = {"shared": reading(train, test)}
        if main_train is not None:
            joined["induce"] = reading(main_train, test)
        return {"variant": "scratch-specials-8ep", "seed": seed, "joined": joined}

    # seed 0 prefers 0.1 on train, seed 1 prefers 0.3; the mean prefers 0.3 (test never decides: 0.5 wins there)
    rows = [row(0, [50, 53, 52, 51, 40, 30], [50, 51, 52, 53, 54, 60]),
            row(1, [50, 50, 51, 54, 40, 30], [50, 51, 52, 53, 54, 60])]
    assert bench.joined_choice([r["joined"] for r in rows]) == ("shared", "0.3")
    assert bench.joined_choice([row(0, [55, 53, 52, 51, 40, 30], [0] * 6)["joined"]]) == ("shared", "0.0")
    lines = bench.joined_table(rows)
    assert "| from scratch, <unk>/<eos> one row for both languages, 8 epochs | the tables' lexicon | **0.3** | " \
           "52.5 +- 2.1 | **53.0 +- 0.0** | 52.0 +- 0.0 | 2 |" in lines
    assert any("| 0 (vectors alone) | 50.0 +- 0.0 | 50.0 +- 0.0 |" in line for line in lines)
    assert len([line for line in lines if line.startswith("| from scratch")]) == 6
    # the decoder head's seed, read where the main job's vectors were there, wins on train here
    both = [row(0, [50] * 6, [40] * 6, [51, 56, 57, 52, 40, 30]), row(1, [50] * 6, [40] * 6, [51, 58, 55, 52, 40, 30])]
    assert bench.joined_choice([r["joined"] for r in both]) == ("induce", "0.1")
    assert len([line for line in bench.joined_table(both) if "| **0.1** |" in line]) == 1
    assert bench.joined_table([{"variant": "scratch", "seed": 0}]) == []  # rows measured before the reading


def test_rescore_measures_held_rows_again_and_keeps_the_others(monkeypatch, tmp_path):
    bench = load("shared_body")
    out = tmp_path / "shared.json"
    held = [{"variant": "scratch-specials-8ep", "seed": s, "p_at_1": 1.0} for s in (0, 1)]
    out.write_text(json.dumps(held))
    measured = []
    monkeypatch.setattr(bench, "measure", lambda name, seed, workdir: measured.append(seed) or
                        {"variant": name, "seed": seed, "p_at_1": 2.0})
    args = ["--variants", "scratch-specials-8ep", "--seeds", "0", "--out", str(out), "--workdir", str(tmp_path)]
    assert bench.main(args) == 0 and measured == []  # a held row is not measured again
    assert bench.main(args + ["--rescore"]) == 0 and measured == [0]
    assert sorted((r["seed"], r["p_at_1"]) for r in json.loads(out.read_text())) == [(0, 2.0), (1, 1.0)]
    # --combine-only: the seeds' bodies combined, no seed's own row measured
    monkeypatch.setattr(bench, "combined", lambda name, seeds, workdir: [{"variant": name, "bodies": seeds, "p_at_1": 3.0}])
    assert bench.main(args[:3] + ["5", "6"] + args[4:] + ["--combine", "--combine-only"]) == 0 and measured == [0]
    assert [r for r in json.loads(out.read_text()) if "bodies" in r] == [
        {"variant": "scratch-specials-8ep", "bodies": [5, 6], "p_at_1": 3.0}]


def test_bodies_combined_average_their_cosines_on_the_words_all_of_them_hold(monkeypatch, tmp_path):
    """Body 0 places xa right and xb wrong, body 1 the other way round (each by a smaller margin than
    its right answer wins by): their averaged cosines place both right. Body 1's extra word is dropped."""
    import torch
    from types import SimpleNamespace

    from decoder_head.refine import Refined

    bench = load("shared_body")
    e = torch.eye(4)
    a_words = ["ym", "yn", "yo", "yp"]  # no letter shared with B's words: spelling decides nothing
    bodies = {0: (["xa", "xb", "xc", "xd"], torch.stack([e[0], 0.8 * e[0] + 0.6 * e[1], e[2], e[3]])),
              1: (["xa", "xb", "xc", "xd", "xe"], torch.stack([0.6 * e[0] + 0.8 * e[1], e[1], e[2], e[3], e[2]]))}

    def fake_trained(name, seed, workdir, on_epoch_end=None):
        b_words, b_table = bodies[seed]
        return SimpleNamespace(vocabs={"a": SimpleNamespace(words=a_words), "b": SimpleNamespace(words=b_words)},
                               table=lambda role: b_table if role == "b" else e)

    learned = []  # self-learning here changes nothing: what is combined is then the tables themselves

    def fake_refine_own(lexicon, seed_lexicon, cfg, ckpt_dir, progress):
        learned.append(list(lexicon.src_words))
        return Refined(lexicon.src_words, lexicon.src_emb.clone(), lexicon.trg_words, lexicon.trg_emb.clone(),
                       seed_pairs=1, iterations=1, objective=0.5, seconds=1.0)

    splits = {"train": {"xa": {"ym"}}, "test": {"xb": {"yn"}}}
    monkeypatch.setattr(bench, "trained", fake_trained)
    monkeypatch.setattr(bench, "refine_own", fake_refine_own)
    back = {part: {t: {w} for w, ts in g.items() for t in ts} for part, g in splits.items()}  # en -> es
    monkeypatch.setattr(bench, "gold", lambda part, bed=bench.BED: (splits if bed == bench.BED else back)[part])
    for seed in (0, 1):  # alone, each body gets one of the two words wrong
        alone = bench.tables_lexicon(fake_trained("v", seed, tmp_path))
        assert [alone.scores(splits[p], 10)["csls"]["p_at_1"] for p in ("train", "test")] == [[100.0, 0.0],
                                                                                                [0.0, 100.0]][seed]
    rows = bench.combined("scratch-specials-8ep", [0, 1], tmp_path)
    assert [r["order"] for r in rows] == [bench.ALONE, bench.ALONE, *bench.ORDERS]
    assert [r["bodies"] for r in rows] == [[0], [1], [0, 1], [0, 1]]
    assert [(r["p_at_1_train"], r["p_at_1"]) for r in rows[:2]] == [(100.0, 0.0), (0.0, 100.0)]  # each alone
    assert all((r["p_at_1_train"], r["p_at_1"]) == (100.0, 100.0) for r in rows[2:])
    assert learned[:2] == [bodies[0][0], bodies[1][0]] and learned[2] == ["xa", "xb", "xc", "xd"]  # xe dropped


def test_the_other_way_table_shows_the_tables_their_self_learning_and_the_weight_train_chooses():
    bench = load("shared_body")

    def cell(train, test):
        return {"p_at_1_train": train, "p_at_1": test, "p_at_1_noncognate": test - 2}

    def row(seed, joined_train, joined=True):
        weights = (0.0, *bench.JOIN_WEIGHTS)
        return {"variant": "scratch-specials-8ep", "seed": seed, "other_way": {
            "bed": "en-es.bible", "tables": cell(20, 15 + seed), "tables_refined": cell(30, 20),
            "joined": {"induce": {str(w): cell(t, 40) for w, t in zip(weights, joined_train)}} if joined else {}}}

    # seed 0 prefers 0.1 on train, seed 1 prefers 0.3; the mean prefers 0.2
    rows = [row(0, [45, 47, 46.5, 44, 40, 30]), row(1, [45, 44, 46, 46.5, 40, 30])]
    lines = bench.other_way_table(rows)
    assert "| from scratch, <unk>/<eos> one row for both languages, 8 epochs | tables alone | 20.0 +- 0.0 | " \
           "15.5 +- 0.7 | 13.5 +- 0.7 | 2 |" in lines
    assert any("| tables -> self-learning | 30.0 +- 0.0 | 20.0 +- 0.0 |" in line for line in lines)
    assert [line for line in lines if "**" in line] == [
        "| from scratch, <unk>/<eos> one row for both languages, 8 epochs | **the main job's vectors, tables' weight "
        "0.2** | 46.2 +- 0.4 | **40.0 +- 0.0** | 38.0 +- 0.0 | 2 |"]
    assert len([line for line in lines if line.startswith("| from scratch")]) == 8
    # without the other bed's vectors only the tables' two readings; rows measured before the reading: nothing
    assert len([line for line in bench.other_way_table([row(0, [], joined=False)]) if line.startswith("| from")]) == 2
    assert bench.other_way_table([{"variant": "scratch", "seed": 0}]) == []


def test_the_views_table_reads_each_view_and_weight_and_marks_the_train_mean_choice():
    bench = load("shared_body")

    def cell(train, test):
        return {"p_at_1_train": train, "p_at_1": test, "p_at_1_noncognate": test - 3}

    def row(seed, context_train, head_train=None):
        views = {"context": {str(w): cell(t, 30) for w, t in zip(bench.VIEW_WEIGHTS, context_train)}}
        if head_train is not None:
            views["decoder head"] = {str(w): cell(t, 31) for w, t in zip(bench.VIEW_WEIGHTS, head_train)}
        return {"variant": "scratch-specials-8ep", "seed": seed, "no_vectors_views": views,
                "context_alone": cell(15 + seed, 16)}

    rows = [row(0, [31, 32, 31, 30], [31, 31.5, 30, 29]), row(1, [30, 30.5, 29, 28], [30, 31.5, 30, 29])]
    lines = bench.views_table(rows)
    assert any("| the body's context vectors alone (raw, no self-learning) | 15.5 +- 0.7 | 16.0 +- 0.0 |" in line
               for line in lines)
    bold = [line for line in lines if "**" in line]  # the decoder head at 0.1 (31.5) beats the context at 0.1 (31.25)
    assert len(bold) == 1 and "**the decoder head's tables (frozen body, the main job's), 0.1**" in bold[0]
    assert len([line for line in lines if line.startswith("| from scratch")]) == 1 + 2 * len(bench.VIEW_WEIGHTS)
    # the tables alone win on train: w = 0 in bold
    assert "context vectors, self-learned, 0**" in "".join(bench.views_table([row(0, [33, 32, 31, 30])]))
    assert bench.views_table([{"variant": "scratch", "seed": 0}]) == []
