"""The analyzer keeps content morphemes and drops particles and endings, on shopping and real review text."""

from __future__ import annotations

import csv

import pytest

from rag.analyzer import AnalyzerConfig, KoreanAnalyzer


def test_particles_and_spacing_do_not_change_the_terms(analyzer):
    glued, spaced, bare = (analyzer.terms(t) for t in ("노이즈캔슬링이", "노이즈 캔슬링은", "노이즈캔슬링"))
    assert set(glued) == set(bare)  # the particle leaves no trace
    assert {"노이즈", "캔", "슬링"} <= set(spaced) & set(glued)  # spacing slips still share every piece
    assert "이" not in glued and "은" not in spaced


def test_compound_is_kept_beside_its_parts(analyzer):
    terms = analyzer.terms("재구매 의사 있어요")
    assert "재구매" in terms and "구매" in terms


def test_parts_mode_keeps_only_pieces(analyzer):
    parts = KoreanAnalyzer(AnalyzerConfig(compounds="parts"), kiwi=analyzer.kiwi)
    compound = KoreanAnalyzer(AnalyzerConfig(compounds="compound"), kiwi=analyzer.kiwi)
    assert "노이즈캔슬링" not in parts.terms("노이즈캔슬링이 좋아요")
    terms = compound.terms("노이즈캔슬링이 좋아요")
    assert "노이즈캔슬링" in terms and "노이즈" not in terms


def test_endings_are_dropped_and_stems_kept(analyzer):
    assert analyzer.terms("배송빨라요") == analyzer.terms("배송 빨라요") == ["배송", "빠르"]


def test_batch_equals_one_by_one(analyzer):
    texts = ["소음이좀 있어요ㅠㅠ", "", "가성비굿 재구매각", "Bluetooth 5.3 지원"]
    assert list(analyzer.terms_batch(iter(texts))) == [analyzer.terms(t) for t in texts]


def test_foreign_words_and_numbers_are_kept_lowercased(analyzer):
    terms = analyzer.terms("Bluetooth 5.3 지원하는 IPX4 방수")
    assert "bluetooth" in terms and "방수" in terms and "지원" in terms


def test_bad_settings_are_rejected_with_the_choices():
    with pytest.raises(ValueError, match="compounds must be one of"):
        AnalyzerConfig(compounds="split")
    with pytest.raises(ValueError, match="typos must be one of"):
        AnalyzerConfig(typos="all")


def test_settings_round_trip_through_the_manifest_dict(analyzer):
    config = AnalyzerConfig(compounds="parts", typos="basic")
    assert AnalyzerConfig.from_dict(config.to_dict()) == config
    assert analyzer.settings()["kiwipiepy"]


def test_real_shopping_reviews_keep_their_aspect_words(analyzer, shared_data):
    """On real Naver shopping reviews, the aspect words a shopper searches for survive analysis."""
    path = shared_data / "naver_shopping_sample" / "reviews.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        texts = [row["review"] for row in csv.DictReader(f)]
    terms = list(analyzer.terms_batch(texts))
    assert len(terms) == len(texts) == 216
    # every review that spells 배송 keeps 배송 as a term, whatever particle or spacing follows it
    with_delivery = [t for text, t in zip(texts, terms, strict=True) if "배송" in text]
    assert len(with_delivery) > 20
    kept = sum("배송" in t for t in with_delivery)
    # one review glues a typo to it ("빠룬배송") and kiwi reads the whole word as one unknown noun
    assert kept >= len(with_delivery) - 1
    # no particles or endings leak into the terms ("가" and "이" are left out: 가다 and 이 (teeth) are stems)
    leaked = {"은", "는", "을", "를", "에서", "으로", "요", "어요", "습니다", "네요"} & {w for t in terms for w in t}
    assert not leaked
