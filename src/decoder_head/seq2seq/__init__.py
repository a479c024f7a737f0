"""Supervised translation on Bible verse pairs: the reference point for unsupervised lexicons.

    data.py        verse pairs joined by id, split by id, length cap, vocabularies, batches
    models.py      the Seq2Seq interface (encode / start / step), builder, embedding init
    gru.py         bi-GRU encoder + GRU decoder, Bahdanau attention or none (ablation)
    transformer.py small encoder-decoder Transformer from torch.nn blocks
    decode.py      greedy and beam search with a length penalty
    train.py       budgeted training (CPU minutes or steps), checkpoints, resume
    translator.py  a model folder <-> Translator (translate text, with input checks)
    evaluate.py    sacrebleu BLEU / chrF, examples, word-by-word lexicon baselines
    commands.py    the seq2seq-train / seq2seq-eval / translate subcommands

Nothing is imported here: `decoder-head --help` must not pay for importing torch.
"""
