"""Run configs: presets, `--set` overrides and how YAML values are read."""

from __future__ import annotations

import pytest

from decoder_head.config import load_run_config, parse_yaml
from decoder_head.errors import DecoderHeadError


def test_exponent_floats_are_numbers():
    # plain PyYAML (YAML 1.1) returns the string "1e-4" here
    assert parse_yaml("1e-4") == pytest.approx(1e-4)
    assert parse_yaml("{lr: 5E-3, n: 3, name: e5}") == {"lr": pytest.approx(5e-3), "n": 3, "name": "e5"}
    assert parse_yaml("1e") == "1e"


def test_overrides_reach_nested_dataclasses(tmp_path):
    cfg = load_run_config("default", ["recover.train.lr=1e-4", "recover.mapping=linear"])
    assert cfg.recover.train.lr == pytest.approx(1e-4) and cfg.recover.mapping == "linear"
    preset = tmp_path / "p.yaml"
    preset.write_text("recover:\n  train: {lr: 2e-3}\n")
    assert load_run_config(str(preset)).recover.train.lr == pytest.approx(2e-3)


def test_bad_override_is_one_clear_error():
    with pytest.raises(DecoderHeadError, match="key.sub=value"):
        load_run_config("default", ["recover.train.lr"])
    with pytest.raises(DecoderHeadError, match="TrainConfig"):
        load_run_config("default", ["recover.train.lr=fast"])


def test_stages_switch_off_and_refine_reads_typed_settings():
    cfg = load_run_config("default", ["recover=null", "refine.rerank=0.3", "refine.self_learning.patience=3"])
    assert cfg.recover is None and cfg.refine.rerank == 0.3 and cfg.refine.self_learning.patience == 3
    assert cfg.refine.self_learning.orthography == 0.1  # the preset's value survives an override beside it
    assert load_run_config("default", ["refine=null"]).refine is None
    assert load_run_config("grid").refine is None  # the grid's rows refine per method
    with pytest.raises(DecoderHeadError, match="must be a mapping"):  # only recover and refine may be off
        load_run_config("default", ["induce=null"])
    with pytest.raises(DecoderHeadError, match="languages"):
        load_run_config("default", ["languages=[es]"])
    with pytest.raises(DecoderHeadError, match="vectors"):
        load_run_config("default", ["refine.vectors=[{method: glove}]"])
    for bad in ("refine.rounds=0", "refine.runs=0", "refine.keep_within=-1"):
        with pytest.raises(DecoderHeadError, match="refine.rounds must be >= 1"):
            load_run_config("default", [bad])


def test_every_shipped_preset_loads_and_names_its_stages():
    from decoder_head.config import PRESETS

    names = sorted(p.stem for p in PRESETS.glob("*.yaml"))
    assert {"default", "grid", "gpu", "wiki"} <= set(names)
    for name in names:
        cfg = load_run_config(name)
        assert cfg.name == name and cfg.induce.corpus != cfg.lm.corpus
    wiki = load_run_config("wiki")
    assert wiki.lm.stream and wiki.induce.stream and wiki.recover.stream  # dumps larger than memory
    assert (wiki.lm.body.emb_dim, wiki.lm.body.hidden, wiki.lm.body.n_layers, wiki.lm.vocab.max_size) == \
        (100, 1150, 3, 4002)  # the original experiments' AWD-LSTM and 4k vocabulary
    assert load_run_config("gpu").induce.vocab.max_size >= 10_000


def test_a_preset_with_a_base_changes_only_what_it_says(tmp_path):
    shared, default = load_run_config("shared"), load_run_config("default")
    assert shared.name == "shared" and (shared.lm, shared.induce, shared.recover) == (default.lm, default.induce,
                                                                                     default.recover)
    assert (shared.refine.join, shared.refine.seed_from, shared.refine.rounds) == (0.2, "induce", default.refine.rounds)
    assert shared.shared.shared_specials and shared.shared.train.epochs == 8
    assert load_run_config("shared", ["refine.join=0.3"]).refine.join == 0.3  # overrides come last
    (tmp_path / "a.yaml").write_text(f"base: {tmp_path / 'b.yaml'}\n")
    (tmp_path / "b.yaml").write_text(f"base: {tmp_path / 'a.yaml'}\n")
    with pytest.raises(DecoderHeadError, match="based on each other"):
        load_run_config(str(tmp_path / "a.yaml"))
    (tmp_path / "c.yaml").write_text("base: nowhere\n")
    with pytest.raises(DecoderHeadError, match="no preset 'nowhere'"):
        load_run_config(str(tmp_path / "c.yaml"))


def test_joining_the_tables_needs_a_shared_body_and_a_weight_below_one():
    with pytest.raises(DecoderHeadError, match="refine.join needs a shared section"):
        load_run_config("default", ["refine.join=0.2"])
    for bad in ("1.0", "-0.1"):
        with pytest.raises(DecoderHeadError, match=r"refine.join must be in \[0, 1\)"):
            load_run_config("shared", [f"refine.join={bad}"])
    for bad in ("1.5", "-0.1"):
        with pytest.raises(DecoderHeadError, match=r"refine.join_agreement must be in \[0, 1\]"):
            load_run_config("shared", [f"refine.join_agreement={bad}"])
    assert load_run_config("shared", ["refine.join_agreement=0"]).refine.join_agreement == 0.0


def test_reading_in_chunks_never_renames_an_lm():
    load = load_run_config

    assert load("default", ["lm.stream=true"]).lm.key() == load("default").lm.key()
