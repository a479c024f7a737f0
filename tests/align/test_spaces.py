"""Vector spaces are cached by spec, and a background build writes the very files a foreground one does."""

from pathlib import Path

from decoder_head.align.spaces import BackgroundSpaces, space_for, vectors_path

FIX = Path(__file__).resolve().parents[1] / "fixtures"
CORPORA = (f"text:{FIX / 'tiny.es.txt'}", f"text:{FIX / 'tiny.en.txt'}")
SPECS = ({"method": "skipgram", "dim": 8, "epochs": 2, "min_count": 1, "workers": 1},
         {"method": "ppmi", "dim": 8, "min_count": 1})


def test_background_build_equals_foreground_build(tmp_path):
    job = BackgroundSpaces(CORPORA, tmp_path / "bg", SPECS)
    job.wait()
    assert job.process.exitcode == 0
    for corpus in CORPORA:
        words, vecs = space_for(corpus, tmp_path / "fg", SPECS)
        assert vecs.shape == (len(words), 16)  # the two 8-d spaces side by side
        for spec in SPECS:
            fg, bg = vectors_path(corpus, tmp_path / "fg", spec), vectors_path(corpus, tmp_path / "bg", spec)
            assert fg.read_bytes() == bg.read_bytes()


def test_a_failing_background_build_exits_2_and_leaves_no_file(tmp_path, capfd):
    bad = ("text:" + str(tmp_path / "missing.txt"),)
    job = BackgroundSpaces(bad, tmp_path, SPECS[1:])
    job.wait()
    assert job.process.exitcode == 2
    assert "missing.txt" in capfd.readouterr().err
    assert not any((tmp_path / "vectors").glob("*.vec")) if (tmp_path / "vectors").exists() else True


def test_fasttext_specs_get_skipgram_defaults_and_a_file_of_their_own(tmp_path):
    sg = {"method": "skipgram", "window": 10}
    ft = {"method": "fasttext", "window": 10}
    assert vectors_path(CORPORA[0], tmp_path, ft) == vectors_path(CORPORA[0], tmp_path, {**ft, "epochs": 20})
    assert vectors_path(CORPORA[0], tmp_path, ft) != vectors_path(CORPORA[0], tmp_path, sg)
    assert vectors_path(CORPORA[0], tmp_path, ft) != vectors_path(CORPORA[0], tmp_path, {**ft, "max_n": 5})
