"""Review aspects: polarity per clause from kiwi morphemes (negation, contrast, intensifiers), aspects matched as
morphemes, quotes that stand on their own; and the polarity experiment's scoring."""

from __future__ import annotations

import pytest

from eval.experiments.polarity import Reading, compare, load_old, macro_f1, score
from rag.generation.aspects import QUOTE_MAX, QUOTE_MIN, clause_polarity, read_clauses, review_mentions, summarize
from rag.records import Review


@pytest.mark.parametrize(
    "clause",
    [
        # 안 + predicate
        "안 좋아요",
        "안좋아요",
        "정말 안 좋네요",
        # 별로
        "별로예요",
        "별로네요",
        "기대보다 별로였어요",
        # -지 않다
        "좋지 않아요",
        "좋진 않아요",
        "추천하지 않아요",
        # 만족스럽지 않다 (the old code read it as praise)
        "만족스럽지 않아요",
        "만족스럽진 않네요",
        "전혀 만족스럽지 않습니다",
        # 못 + verb: it cannot be used
        "못 쓰겠어요",
        "불안해서 못 쓰겠어요",
        "이건 못 신겠어요",
        # complaints the old code counted as neutral
        "불편해요",
        "마음에 들지 않아요",
    ],
)
def test_negated_and_plain_complaints_are_negative(analyzer, clause):
    assert clause_polarity(clause, analyzer) == -1


@pytest.mark.parametrize(
    "clause", ["안 시끄러워요", "소음이 거의 없어요", "냄새 안 나요", "잘 안 새요", "별로 안 시끄러워요", "백탁X 끈적X"]
)
def test_a_negated_complaint_is_praise(analyzer, clause):
    assert clause_polarity(clause, analyzer) == 1


def test_neutral_clauses_stay_neutral(analyzer):
    assert clause_polarity("그냥 그래요", analyzer) == 0
    assert clause_polarity("남편 생일선물로 샀는데", analyzer) == 0
    assert clause_polarity("기대 안 했는데", analyzer) == 0  # a negated verb that is not about the product working


def test_after_a_contrast_the_later_part_decides_for_its_aspect(analyzer):
    noise, value, weight = read_clauses(
        ["디자인은 예쁜데 소음이 좀 있어요", "좀 비싸지만 성능은 최고예요", "무거운 거 빼면 다 괜찮아요"], analyzer
    )
    assert (noise.polarity, noise.aspects) == (-1, {"디자인": 1, "소음": -1})
    assert (value.polarity, value.aspects) == (1, {"가성비": -1, "성능": 1})
    assert (weight.polarity, weight.aspects) == (1, {"무게": -1})


def test_each_aspect_takes_its_own_part_of_a_clause(analyzer):
    (reading,) = read_clauses(["배송은 빨랐고 포장이 엉망이었어요"], analyzer)
    assert reading.aspects == {"배송": 1, "포장": -1}


def test_an_intensifier_outweighs_a_plain_cue(analyzer):
    assert clause_polarity("비싸고 정말 좋아요", analyzer) == 1
    assert clause_polarity("정말 비싸고 좋아요", analyzer) == -1
    assert clause_polarity("좋고 비싸요", analyzer) == -1  # no intensifier: a tie goes to the last cue


def test_aspects_are_matched_as_morphemes_not_substrings(analyzer):
    time, salt, loud, cheap = read_clauses(
        ["시간이 지나도 그대로예요", "간이 딱 맞아요", "소리가 너무 커요", "싼맛에 샀어요"], analyzer
    )
    assert "맛" not in time.aspects  # 시간이 holds 간이, but not the morpheme 간
    assert salt.aspects == {"맛": 1}
    assert loud.aspects == {"소음": -1}  # 커요 is about the noise here, not the size
    assert "맛" not in cheap.aspects and "가성비" in cheap.aspects


def test_review_mentions_fall_back_on_the_rating_only_without_a_cue(analyzer):
    review = Review("R1", "P1", 5, "택배로 받았어요. 사이즈가 작게 나와요", helpful=1)
    mentions = {m.aspect: m for m in review_mentions(review, analyzer)}
    assert (mentions["배송"].polarity, mentions["배송"].explicit) == (1, False)
    assert (mentions["사이즈"].polarity, mentions["사이즈"].explicit) == (-1, True)


def _review(rid: str, text: str, rating: float = 2, helpful: int = 0) -> Review:
    return Review(rid, "P1", rating, text, helpful=helpful)


def test_quotes_are_self_contained_bounded_and_verbatim(analyzer):
    long_text = (
        "처음에 받았을 때는 괜찮다고 생각했고 한 달 정도 매일 밤마다 침실에서 틀어놓고 잤는데 "
        "모터 소음이 점점 커지면서 새벽에 자꾸 깨고 결국 거실로 옮겨서 쓰고 있는데 거기서도 신경 쓰일 정도예요"
    )
    reviews = [
        _review("R1", "좋다는 말 듣고 샀어요. 이거 때문에 소음이 심해서 못 쓰겠어요", helpful=9),
        _review("R2", "모터 소음이 심해서 밤에는 못 틀어요"),
        _review("R3", long_text, helpful=5),
    ]
    noise = next(s for s in summarize(reviews, analyzer) if s.aspect == "소음")
    assert noise.negative == 3
    quote = noise.best_negative.clause
    assert quote == "모터 소음이 심해서 밤에는 못 틀어요"  # R1 is more helpful but opens with 이거, R3 runs on
    mentions = {r.review_id: review_mentions(r, analyzer) for r in reviews}
    long_quote = next(m for m in mentions["R3"] if m.aspect == "소음").clause
    assert "소음" in long_quote and len(long_quote) <= QUOTE_MAX and long_quote in long_text
    for rid, found in mentions.items():
        for m in found:
            text = next(r.text for r in reviews if r.review_id == rid)
            assert m.clause in text
            if m.quotable:
                assert QUOTE_MIN <= len(m.clause) <= QUOTE_MAX and not m.clause.startswith("이거")


def test_a_group_with_only_dangling_clauses_has_no_quote_but_keeps_its_count(analyzer):
    (summary,) = summarize([_review("R1", "그래서 소음이 심해요")], analyzer)
    assert (summary.aspect, summary.negative, summary.best_negative) == ("소음", 1, None)


def test_summarize_reads_all_clauses_in_one_kiwi_call(analyzer):
    calls = []

    class Spy:
        def __init__(self, kiwi):
            self._kiwi = kiwi

        @property
        def kiwi(self):
            return self

        def tokenize(self, texts, **kwargs):
            calls.append(len(texts))
            return self._kiwi.tokenize(texts, **kwargs)

    reviews = [_review("R1", "배송 빨라요. 소음이 커요"), _review("R2", "디자인은 예쁜데 무거워요")]
    spied = summarize(reviews, Spy(analyzer.kiwi))
    assert calls == [4]
    assert [(s.aspect, s.positive, s.negative) for s in spied] == [
        (s.aspect, s.positive, s.negative) for s in summarize(reviews, analyzer)
    ]


# ---- the experiment's scoring ----


def test_old_code_is_loaded_from_git_and_has_the_bugs_the_issue_names():
    old = load_old()
    assert old.clause_polarity("안 좋아요") == 0
    assert old.clause_polarity("만족스럽지 않아요") == 1
    assert any("간이" in t for t in old.ASPECTS["맛"])


def test_scoring_on_a_hand_worked_case():
    rows = [
        {"split": "dev", "source": "a", "polarity": 1, "aspects": {"배송": 1}},
        {"split": "dev", "source": "a", "polarity": -1, "aspects": {"소음": -1}},
        {"split": "dev", "source": "b", "polarity": 0, "aspects": {}},
        {"split": "test", "source": "b", "polarity": -1, "aspects": {"가성비": -1, "성능": 1}},
        {"split": "test", "source": "b", "polarity": 1, "aspects": {}},
    ]
    readings = [
        Reading(1, {"배송": 1}),  # all right
        Reading(0, {"소음": 0}),  # polarity wrong, aspect right, aspect+polarity wrong
        Reading(0, {"맛": 0}),  # polarity right, an aspect too many
        Reading(-1, {"가성비": -1}),  # polarity right, one of two aspects
        Reading(-1, {}),  # polarity wrong, aspects right (none)
    ]
    got = score(rows, readings)
    assert got["n"] == 5
    assert got["pol_acc"] == pytest.approx(3 / 5)
    # per class F1: +1: tp 1 fp 0 fn 1 → 2/3; -1: tp 1 fp 1 fn 1 → 1/2; 0: tp 1 fp 1 fn 0 → 2/3
    assert got["pol_f1"] == pytest.approx((2 / 3 + 1 / 2 + 2 / 3) / 3)
    assert got["asp_acc"] == pytest.approx(3 / 5)  # rows 1, 2 and 5 have the exact set
    # aspects: tp 3 (배송, 소음, 가성비), fp 1 (맛), fn 1 (성능) → 6 / 8
    assert got["asp_f1"] == pytest.approx(6 / 8)
    # aspect+polarity: tp 2 (배송+, 가성비-), fp 2 (소음 0, 맛 0), fn 2 (소음-, 성능+) → 4 / 8
    assert got["asp_pol_f1"] == pytest.approx(4 / 8)
    table = {(r["split"], r["source"], r["system"]): r for r in compare(rows, {"x": readings})}
    assert table[("dev", "a", "x")]["pol_acc"] == pytest.approx(1 / 2)
    assert table[("test", "all", "x")]["n"] == 2
    assert table[("all", "all", "x")]["pol_acc"] == pytest.approx(3 / 5)
    assert macro_f1([1, 1], [1, 1]) == 1.0  # classes absent from both sides are left out


def test_a_quote_that_points_back_takes_its_previous_sentence_or_is_not_used(analyzer):
    from rag.generation.aspects import self_contained

    review = "건전지 넣는 곳 뚜껑이 자꾸 빠져요. 이거 때문에 불안해서 못 쓰겠어요"
    assert self_contained(review, "이거 때문에 불안해서 못 쓰겠어요", analyzer) == review
    assert (
        self_contained(review, "건전지 넣는 곳 뚜껑이 자꾸 빠져요.", analyzer) == "건전지 넣는 곳 뚜껑이 자꾸 빠져요."
    )
    # nothing before it to lean on, or too long together: no quote (the composer takes another)
    assert self_contained("이거 때문에 불안해서 못 쓰겠어요", "이거 때문에 불안해서 못 쓰겠어요", analyzer) is None
    long_review = "가" * 90 + ". 그래서 반품했어요"
    assert self_contained(long_review, "그래서 반품했어요", analyzer) is None


def test_cue_words_of_questions_and_complaints_match_whole_words_not_substrings():
    from rag.generation.aspects import says_word
    from rag.generation.composer import query_aspects

    assert says_word("냄새가 좀 나요", "냄새") and says_word("소음 적은", "소음")
    assert not says_word("시간이 지나도 그대로예요", "간이")  # 시간이 holds 간이, but not the word
    assert query_aspects("비싼 거 말고 조용한 가습기") == ["소음"]  # 비싼 is no 싼 (가성비)
    assert query_aspects("방향제 추천") == []  # 방향 is no 향
    assert query_aspects("향 좋은 핸드크림") == ["냄새·향"]


# general forms of Korean review sentences, written (with their labels) before the rules were run on them
@pytest.mark.parametrize(
    "clause,polarity",
    [
        ("기대 이상이에요", 1),
        ("기대 이하예요", -1),
        ("두 번 다시 안 사요", -1),
        ("다시는 안 살래요", -1),
        ("흠잡을 데가 없어요", 1),
        ("나무랄 데 없어요", 1),
        ("아쉬운 점이 없어요", 1),
        ("잘 모르겠어요", 0),
        ("불만족", -1),
        ("비싼 값을 해요", 1),
        ("재구매 의사 없어요", -1),
        ("재구매 의사 있어요", 1),
        ("쓰기 힘들어요", -1),
        ("비는 확실히 막아주는데", 1),
        ("꼭 사세요", 1),
        ("가격만큼 해요.", 1),
        ("안 좋아요", -1),
        ("불편해요", -1),
        ("만족스럽지 않아요", -1),
        ("나쁘지 않아요", 1),
        ("좋은데 소음이 좀…", -1),
    ],
)
def test_polarity_of_common_forms(analyzer, clause, polarity):
    assert clause_polarity(clause, analyzer) == polarity
