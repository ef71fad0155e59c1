"""The learned clause-polarity reader (rag.generation.polarity_model): its features, training, file round trip, and
how rag.generation.polarity uses it (only when it is sure)."""

from __future__ import annotations

import pytest

from rag.generation import polarity
from rag.generation.morphemes import normalise
from rag.generation.polarity_model import CLASSES, MODEL_PATH, PolarityModel, default_model, features, train


def _tokens(analyzer, text):
    return list(analyzer.kiwi.tokenize(normalise(text)))


def test_features_carry_the_rules_reading_the_morphemes_and_the_ending(analyzer):
    names = features(_tokens(analyzer, "소음이 없어요"), 1, True, -0.3)
    assert {"rule=1", "cued=1", "rule=1|cued=1", "lex=3"} <= set(names)
    assert "u=소음/NNG" in names and "b=소음/NNG_이/JKS" in names
    assert any(n.startswith("end0=") for n in names) and len(names) == len(set(names))


def test_training_learns_words_it_was_shown_and_survives_a_file_round_trip(tmp_path, analyzer):
    texts = ["최고예요 강추", "진짜 최고", "별로예요 비추", "완전 별로", "어제 샀어요", "오늘 받았어요"] * 3
    labels = [1, 1, -1, -1, 0, 0] * 3
    samples = [features(_tokens(analyzer, t), 0, False, 0.0) for t in texts]
    model = train(samples, labels, epochs=20)
    assert [model.predict(s)[0] for s in samples[:6]] == labels[:6]
    path = tmp_path / "model.tsv"
    model.save(path)
    loaded = PolarityModel.load(path)
    for s in samples[:6]:
        assert loaded.predict(s)[0] == model.predict(s)[0]
        assert abs(loaded.predict(s)[1] - model.predict(s)[1]) < 1e-3
    assert set(CLASSES) == {1, -1, 0}


def test_a_missing_model_file_is_said_plainly(tmp_path):
    with pytest.raises(RuntimeError, match="polarity_model"):
        PolarityModel.load(tmp_path / "nope.tsv")


def test_the_shipped_model_reads_what_the_rules_miss_and_keeps_their_negations(analyzer):
    """A clause with no cue the rules know (they say 0) gets the model's reading when it is sure; a double negation
    the rules read (별로 안 시끄러워요: praise) is not overturned by the model's word weights."""
    assert MODEL_PATH.exists() and default_model() is not None
    text = "중간에 잠들어버렸다"  # a labelled dev2 clause (-1): the model learned movie talk the rules cannot read
    tokens = _tokens(analyzer, text)
    assert polarity.rule_reading(text, tokens)[0] == 0
    assert polarity.read_parts(text, tokens)[0] == -1
    for text, expected in [("별로 안 시끄러워요", 1), ("소음이 거의 없어요", 1), ("안 좋아요", -1), ("그냥 그래요", 0)]:
        assert polarity.read_parts(text, _tokens(analyzer, text))[0] == expected, text
