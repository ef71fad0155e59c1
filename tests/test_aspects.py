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
    # R1 is the most helpful but opens with 이거 (it points back): the quote is R3's (자꾸 깨고: a complaint of its
    # own, the next most helpful), cut to its clause
    assert noise.best_negative.review_id == "R3" and noise.best_negative.explicit
    assert quote == "모터 소음이 점점 커지면서 새벽에 자꾸 깨고 결국 거실로 옮겨서 쓰고 있는데"
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
    from rag.generation.aspects import query_aspects, says_word

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


# issue 12, round 2: general forms for the rules added from the dev2 batch, written (with their labels) by hand before
# the rules were run on them; none is copied from the labelled set
@pytest.mark.parametrize(
    "clause,polarity",
    [
        # a wish for what is missing: V-었으면 with nothing after it, V-ㄹ 텐데, 있었으면
        ("조금만 더 쌌으면", -1),
        ("색상이 다양했으면 대박이었을 텐데", -1),
        ("방수가 되면 좋을 텐데", -1),
        ("손잡이가 있었으면", -1),
        # praise of how it was once, cut off by a contrast: it no longer is
        ("처음엔 괜찮았는데", -1),
        ("예전엔 튼튼했는데", -1),
        ("처음에는 잘 붙었는데", -1),
        ("처음 써 봤는데 좋아요", 1),  # 처음 without the topic frame is no decline
        # 다만 opens a caveat, even with no cue of its own
        ("다만 설명서는 영어로만 되어 있어요", -1),
        # a hedge before a plain adjective softens a fault; before 낫 it is lukewarm
        ("좀 두꺼워요", -1),
        ("약간 넓은 편이에요", -1),
        ("조금 나아졌어요", 0),
        # hearsay and expectations
        ("좋다는 후기 보고 샀어요", 0),
        ("튼튼하다길래 샀는데", 0),
        ("친구 추천으로 샀어요", 0),
        ("편할 줄 알았는데", -1),
        ("이렇게 좋을 줄 몰랐어요", 1),
        # questions that mock or ask why
        ("이게 편하냐?", -1),
        ("왜 이런 걸 팔아요?", -1),
        # it never happened: V-ㄴ 적 없
        ("고장 난 적 없어요", 1),
        ("불편한 적 없어요", 1),
        ("실망한 적이 한 번도 없어요", 1),
        # the typo 않 for 안
        ("냄새 않나요", 1),
        ("전원이 않되요", -1),
        # the n-th one, wanting it again
        ("벌써 세 통째예요", 1),
        ("다시 쓰고 싶어요", 1),
        ("다시 쓰고 싶지 않아요", -1),
        # several morphemes, particles and softeners allowed between
        ("실물이 사진과 좀 달라요", -1),
        ("그냥 씁니다", -1),
        ("거치대가 없어서 따로 샀어요", -1),
        ("따로 구매했어요", 0),
        ("기대돼요", 1),
        ("다른 거 살 필요 없어요", 1),
        ("사길 잘했어요", 1),
        ("향이 오래 가요", 1),
        # nominalised faults
        ("끊김 없어요", 1),
        ("물 빠짐 없어요", 1),
        ("번짐이 심해요", -1),
        # cues added from dev2
        ("가격 대비 허접해요", -1),
        ("여름엔 더워요", -1),
        ("여름에도 안 더워요", 1),
        ("향이 너무 세요", -1),
        ("원단이 두툼해요", 1),
        # emoticons lean, a word decides
        ("배송 왔네요 ㅡㅡ", -1),
        ("좋아요 ㅡㅡ", 1),
    ],
)
def test_polarity_of_general_forms_round_two(analyzer, clause, polarity):
    assert clause_polarity(clause, analyzer) == polarity


def test_the_typo_fix_keeps_offsets_and_leaves_the_negation_alone():
    from rag.generation.morphemes import normalise as _normalise

    assert _normalise("냄새 거의 않나요") == "냄새 거의 안나요"
    assert _normalise("좋지 않나요?") == "좋지 않나요?"  # -지 않: a real negation
    assert len(_normalise("전원이 않되요")) == len("전원이 않되요")


def test_the_learned_lexicon_decides_only_clauses_without_a_rule_cue(analyzer):
    from rag.generation.polarity import _lexicon

    lexicon = _lexicon()
    assert lexicon and all(-3.0 <= w <= 3.0 for w in lexicon.values())
    assert "좋/VA" not in lexicon and "별로/MAG" not in lexicon  # cue words stay the rules'
    # aspect words are not weighed either: movie talk makes 포장 negative (-1.8), three of them would pass ±4
    assert lexicon["포장/NNG"] < -1.4 and clause_polarity("포장 포장 포장", analyzer) == 0
    # no cue the rules know, but clearly damning words: the lexicon (its threshold needs more than one of them)
    assert clause_polarity("졸작 중의 졸작", analyzer) == -1
    assert clause_polarity("남편 생일선물로 샀는데", analyzer) == 0


def test_a_missing_lexicon_file_says_how_to_rebuild_it(monkeypatch, tmp_path):
    from rag.generation import polarity

    monkeypatch.setattr(polarity, "LEXICON_PATH", tmp_path / "missing.tsv")
    polarity._lexicon.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="polarity_lexicon"):
            polarity._lexicon()
    finally:
        monkeypatch.undo()
        polarity._lexicon.cache_clear()


# Eight probes of everyday review Korean (spacing, slang, typos, never-again, wishes, faults present or
# absent, context with no verdict), each written by hand with its labels before the code was run on it; at first the
# rules got 81/100, 37/50, 40/50, 28/50, 36/50, 27/50, 27/50 (formal 합니다체, slang, movie talk) and 30/50 (pets,
# kitchen, sports, audio, appliances) of them right, and the misses became the general rules above.
# Left out, still missed (no general rule here reads them):
#   딱 가격만큼이에요 (0), 바람이 숭숭 들어와요 (-1), 조립 10분이면 끝나요 (+1),
#   사은품까지 챙겨주셨어요 (+1), 이 가격에 이 퀄리티라니 (+1), 이걸 이 가격에 판다고? (-1),
#   이런 걸 돈 받고 파네요 (-1), 정품 맞나요? (-1), 재입고 기다렸다 샀어요 (+1),
#   해동하니 물이 많이 생겨요 (-1), 한 손으로 접혀요 (+1), 두 달 만에 버렸어요 (-1), 며칠 만에 실밥이 풀렸어요 (-1),
#   몇 번 빨았더니 보풀이 장난 아니에요 (-1), 이틀 만에 받았어요 (+1), 주문하고 열흘 만에 왔어요 (-1),
#   설명서대로 하니까 금방 조립했어요 (+1), 공구 없이도 조립돼요 (+1), 버튼 하나로 끝이에요 (+1),
#   단점이 없는 게 단점 (+1), 보완되었으면 하는 부분이 있습니다 (-1), ㄱㅊ (+1), 꿀템 (+1: kiwi reads 꾸+ㄹ 터),
#   장난감 하루 만에 뜯었어요 (-1), 손잡이가 뜨거워져요 (-1), 충전 한 번에 일주일 써요 (+1), 하얀 가루가 날려요 (-1),
#   습도가 금방 올라가요 (+1), 밤새 틀어도 물이 남아요 (+1).
_PROBES = [
    ("맘에 안 들어요", -1),
    ("맘에안들어요", -1),
    ("좋지않아요", -1),
    ("별로 에요", -1),
    ("별루네요", -1),
    ("그닥이에요", -1),
    ("넘 좋아요", 1),
    ("좋네욤", 1),
    ("괜춘해요", 1),
    ("완전 강추!!", 1),
    ("두 번은 안 살 것 같아요", -1),
    ("재구매 의사 있음", 1),
    ("재구매 각", 1),
    ("또 시킬게요", 1),
    ("품절되기 전에 쟁여야겠어요", 1),
    ("돈 아까워요", -1),
    ("돈이 아깝지 않아요", 1),
    ("가격이 사악해요", -1),
    ("가성비 갑", 1),
    ("비추합니다", -1),
    ("반품했어요", -1),
    ("환불 요청했습니다", -1),
    ("교환받았는데 또 불량이에요", -1),
    ("하루 만에 고장났어요", -1),
    ("한 달 만에 망가졌어요", -1),
    ("아직까지 고장 없이 잘 써요", 1),
    ("소리가 생각보다 커요", -1),
    ("소음이 하나도 없어요", 1),
    ("냄새가 심해요", -1),
    ("냄새가 하나도 안 나요", 1),
    ("사이즈가 안 맞아요", -1),
    ("사이즈 딱 맞아요", 1),
    ("발볼이 좁아요", -1),
    ("발이 편해요", 1),
    ("발이 아파요", -1),
    ("오래 신어도 발이 안 아파요", 1),
    ("물이 새요", -1),
    ("물이 안 새요", 1),
    ("배송이 느려요", -1),
    ("배송이 엄청 빨라요", 1),
    ("포장이 꼼꼼해요", 1),
    ("포장이 엉망이에요", -1),
    ("박스가 찌그러져서 왔어요", -1),
    ("조립이 어려워요", -1),
    ("조립이 쉬워요", 1),
    ("설명서가 없어서 조립하기 힘들었어요", -1),
    ("디자인은 예쁜데 너무 무거워요", -1),
    ("무겁지만 튼튼해요", 1),
    ("가볍고 좋아요", 1),
    ("별 기대 안 했는데 좋네요", 1),
    ("기대했는데 실망이에요", -1),
    ("그냥 그래요", 0),
    ("보통이에요", 0),
    ("무난합니다", 0),
    ("아직 안 써봤어요", 0),
    ("선물용으로 샀어요", 0),
    ("어머니 드리려고 샀어요", 0),
    ("사용해 보고 후기 남길게요", 0),
    ("딱히 좋은 점을 모르겠어요", -1),
    ("이 가격에 이 정도면 만족", 1),
    ("싼 게 비지떡이네요", -1),
    ("역시 싼 게 비지떡", -1),
    ("완전 실패", -1),
    ("대실망", -1),
    ("최고예요 ㅎㅎ", 1),
    ("ㅠㅠ 너무 작아요", -1),
    ("작아서 아쉬워요ㅠ", -1),
    ("색이 사진이랑 똑같아요", 1),
    ("색이 너무 예뻐요", 1),
    ("마감이 깔끔해요", 1),
    ("마감이 엉성해요", -1),
    ("실밥이 다 튀어나와 있어요", -1),
    ("보풀이 금방 일어나요", -1),
    ("세탁해도 줄지 않아요", 1),
    ("빨았더니 줄었어요", -1),
    ("금방 닳아요", -1),
    ("잘 안 닦여요", -1),
    ("충전이 안 돼요", -1),
    ("배터리가 금방 닳아요", -1),
    ("배터리가 오래 가요", 1),
    ("흡입력이 약해요", -1),
    ("흡입력이 좋아요", 1),
    ("전혀 안 미끄러워요", 1),
    ("너무 미끄러워요", -1),
    ("보온이 잘 돼요", 1),
    ("금방 식어요", -1),
    ("따뜻해요", 1),
    ("고객센터 응대가 친절했어요", 1),
    ("고객센터 연결이 안 돼요", -1),
    ("문의했는데 답이 없네요", -1),
    ("만족스러워요", 1),
    ("만족스럽진 않네요", -1),
    ("후회 없는 선택", 1),
    ("후회돼요", -1),
    ("후회 중입니다", -1),
    ("다시는 안 시켜요", -1),
    ("두 번 다시 구매 안 합니다", -1),
    ("추천하고 싶지 않아요", -1),
    ("추천할 만해요", 1),
    ("주변에 추천했어요", 1),
    ("가격은 좀 있지만 그만한 값어치를 해요", 1),
    ("예쁘긴 한데 너무 비싸요", -1),
    ("비싸긴 한데 예뻐요", 1),
    ("생각했던 것보다 훨씬 좋아요", 1),
    ("생각했던 것보다 별로네요", -1),
    ("사진보다 실물이 더 예뻐요", 1),
    ("배송은 빨랐는데 제품에 흠집이 있어요", -1),
    ("흠집 하나 없이 잘 왔어요", 1),
    ("불량품이 왔어요", -1),
    ("하자가 있어서 교환했어요", -1),
    ("하자 없이 잘 받았습니다", 1),
    ("잘 받았습니다", 1),
    ("잘 쓰고 있어요", 1),
    ("아이가 너무 좋아해요", 1),
    ("아이가 싫어해요", -1),
    ("강아지가 잘 안 먹어요", -1),
    ("강아지가 잘 먹어요", 1),
    ("먹어보니 너무 짜요", -1),
    ("간이 딱 맞아요", 1),
    ("너무 달아서 못 먹겠어요", -1),
    ("유통기한이 얼마 안 남았어요", -1),
    ("상한 게 왔어요", -1),
    ("신선해요", 1),
    ("냉동으로 잘 왔어요", 1),
    ("녹아서 왔어요", -1),
    ("소음이 좀 있는 편이에요", -1),
    ("소리가 조용한 편이에요", 1),
    ("밤에 켜 놔도 잠자는 데 지장 없어요", 1),
    ("가습량이 부족해요", -1),
    ("가습이 잘 돼요", 1),
    ("필터 교체가 번거로워요", -1),
    ("청소하기 편해요", 1),
    ("세척이 어려워요", -1),
    ("설치 기사님이 친절하셨어요", 1),
    ("설치가 오래 걸렸어요", -1),
    ("신발이 발에 착 감겨요", 1),
    ("뒤꿈치가 까져요", -1),
    ("굽이 높아서 불편해요", -1),
    ("한 치수 크게 주문하세요", 0),
    ("정사이즈로 주문했어요", 0),
    ("키 170에 m 샀어요", 0),
    ("두 번째 구매입니다", 1),
    ("이번이 세 번째예요", 1),
    ("쓰다 보니 정이 가요", 1),
    ("쓰다 보니 불편한 점이 보여요", -1),
    ("나쁘진 않은데 다시 살지는 모르겠어요", -1),
    ("그럭저럭 쓸 만해요", 1),
    ("그저 그래요", 0),
    ("기대 이하였어요 ㅠ", -1),
    ("완전 맘에 들어욧", 1),
    ("진짜 별로임", -1),
    ("존좋", 1),
    ("개좋아요", 1),
    ("ㄹㅇ 최악", -1),
    ("가격대비 굿굿", 1),
    ("배송 느림", -1),
    ("배송 빠름", 1),
    ("재질 좋음", 1),
    ("재질 구림", -1),
    ("마감 별로", -1),
    ("사이즈 작음", -1),
    ("사이즈 넉넉함", 1),
    ("소음 있음", -1),
    ("소음 없음", 1),
    ("냄새 남", -1),
    ("냄새 없음", 1),
    ("무게 가벼움", 1),
    ("튼튼함", 1),
    ("약해보임", -1),
    ("금방 부러질 것 같아요", -1),
    ("쉽게 찢어질 것 같아요", -1),
    ("오래 쓸 수 있을 것 같아요", 1),
    ("비 오는 날 신어도 안 젖어요", 1),
    ("비 오는 날 신으면 다 젖어요", -1),
    ("겨울에 입기 딱 좋아요", 1),
    ("얇아서 겨울엔 못 입겠어요", -1),
    ("한겨울에도 따뜻해요", 1),
    ("방수가 안 돼요", -1),
    ("방수 잘 됩니다", 1),
    ("조립하는데 한참 걸렸어요", -1),
    ("설명서가 친절해요", 1),
    ("나사가 빠져 있었어요", -1),
    ("구성품이 하나 빠져서 왔어요", -1),
    ("응대가 빨라요", 1),
    ("답변이 늦어요", -1),
    ("교환 처리가 빨랐어요", 1),
    ("환불해 주세요", -1),
    ("반품하고 싶어요", -1),
    ("주변에서 어디서 샀냐고 물어봐요", 1),
    ("선물했더니 좋아하셨어요", 1),
    ("선물했는데 반응이 별로였어요", -1),
    ("쓸수록 만족스러워요", 1),
    ("쓸수록 실망이에요", -1),
    ("돈값 못 해요", -1),
    ("이 돈 주고 사기엔 아까워요", -1),
    ("이 가격이면 살 만해요", 1),
    ("출산 준비물로 샀어요", 0),
    ("이사하면서 새로 장만했어요", 0),
    ("할인할 때 샀어요", 0),
    ("사은품으로 받았어요", 0),
    ("세일해서 2개 샀어요", 0),
    ("오늘 받아서 아직 사용 전이에요", 0),
    ("며칠 써보고 다시 후기 쓸게요", 0),
    ("와이프가 골랐어요", 0),
    ("색상은 블랙으로 했어요", 0),
    ("사이즈는 260 신어요", 0),
    ("평소 230 신는데 235 샀어요", 0),
    ("아기 100일 선물이에요", 0),
    ("튼튼하긴 한데 너무 무거워요", -1),
    ("무겁긴 한데 튼튼해요", 1),
    ("편하긴 한데 디자인이 좀", -1),
    ("디자인은 별로지만 편해요", 1),
    ("가격 생각하면 괜찮아요", 1),
    ("가품 같아요", -1),
    ("중고 같은 게 왔어요", -1),
    ("새 제품 맞는지 의심스러워요", -1),
    ("포장이 뜯겨 있었어요", -1),
    ("포장을 너무 과하게 했어요", -1),
    ("포장 깔끔하게 왔어요", 1),
    ("뽁뽁이로 잘 싸서 보내주셨어요", 1),
    ("기사님이 문 앞에 잘 두고 가셨어요", 1),
    ("배송이 일주일 넘게 걸렸어요", -1),
    ("주문 다음 날 왔어요", 1),
    ("당일 배송 감사합니다", 1),
    ("연락도 없이 취소됐어요", -1),
    ("품절이라 취소됐네요", -1),
    ("믿고 사는 브랜드예요", 1),
    ("역시 믿고 씁니다", 1),
    ("다른 제품 쓰다가 갈아탔는데 훨씬 좋아요", 1),
    ("전에 쓰던 게 더 나았어요", -1),
    ("예전 제품보다 못해요", -1),
    ("이 정도면 훌륭하죠", 1),
    ("나쁘지 않네요", 1),
    ("좋은지 잘 모르겠어요", -1),
    ("효과는 아직 모르겠어요", 0),
    ("효과 직빵이에요", 1),
    ("효과가 1도 없어요", -1),
    ("바르자마자 따가워요", -1),
    ("순해서 아기한테도 써요", 1),
    ("향이 은은하게 좋아요", 1),
    ("향이 인위적이에요", -1),
    ("피부가 촉촉해졌어요", 1),
    ("바르고 나면 얼굴이 번들거려요", -1),
    ("흡수가 빨라서 좋아요", 1),
    ("각질이 일어나요", -1),
    ("눈이 시려서 못 쓰겠어요", -1),
    ("아침에 바르면 하루 종일 촉촉해요", 1),
    ("건조한 피부에 딱이에요", 1),
    ("트러블이 올라왔어요", -1),
    ("고기가 질겨요", -1),
    ("양념이 딱 맞아요", 1),
    ("국물이 진하고 맛있어요", 1),
    ("비린내가 나요", -1),
    ("애들이 잘 먹어요", 1),
    ("양이 너무 적어요", -1),
    ("아이스팩이 다 녹아 있었어요", -1),
    ("화면이 선명해요", 1),
    ("발열이 심해요", -1),
    ("연결이 자꾸 끊겨요", -1),
    ("블루투스 연결이 쉬워요", 1),
    ("버튼 누르는 감이 좋아요", 1),
    ("충전이 느려요", -1),
    ("리모컨 반응이 느려요", -1),
    ("앱 연동이 편해요", 1),
    ("허리가 편해요", 1),
    ("오래 앉아 있으면 엉덩이가 아파요", -1),
    ("삐걱거리는 소리가 나요", -1),
    ("흔들림 없이 튼튼해요", 1),
    ("원목 느낌이 고급스러워요", 1),
    ("냄새가 빠지는 데 오래 걸렸어요", -1),
    ("아기가 울다가도 태우면 잘 자요", 1),
    ("기저귀가 자꾸 새요", -1),
    ("아기 피부에 자극이 없어요", 1),
    ("젖병 세척이 편해요", 1),
    ("유모차 접기가 너무 힘들어요", -1),
    ("목이 늘어났어요", -1),
    ("한 번 빨았는데 색이 빠졌어요", -1),
    ("핏이 예뻐요", 1),
    ("기장이 길어서 수선했어요", -1),
    ("봄에 입기 좋아요", 1),
    ("보들보들해요", 1),
    ("까슬까슬해서 따가워요", -1),
    ("주머니가 없어서 아쉬워요", -1),
    ("주문한 것과 다른 색이 왔어요", -1),
    ("주문한 대로 잘 왔어요", 1),
    ("두 개 주문했는데 하나만 왔어요", -1),
    ("남편이 출근할 때 쓰려고 샀어요", 0),
    ("작년에 이어 두 번째 구매예요", 1),
    ("가성비로는 이만한 게 없어요", 1),
    ("한 달 썼는데 벌써 고장 났어요", -1),
    ("일 년째 잘 쓰고 있어요", 1),
    ("3년째 고장 없이 씁니다", 1),
    ("세탁기 돌려도 멀쩡해요", 1),
    ("빨아도 늘어나지 않아요", 1),
    ("배송 중에 파손됐어요", -1),
    ("박스째로 젖어서 왔어요", -1),
    ("문 앞에 던져 놓고 가셨어요", -1),
    ("배송 기사님이 불친절해요", -1),
    ("생각보다 빨리 왔어요", 1),
    ("오배송 됐어요", -1),
    ("아이 방에 두니 딱이에요", 1),
    ("거실에 두기엔 좀 작아요", -1),
    ("원룸에 딱 맞는 크기예요", 1),
    ("생각보다 자리를 많이 차지해요", -1),
    ("작동 소리가 거슬려요", -1),
    ("켜 놓은 줄도 몰라요", 1),
    ("밤새 틀어도 조용해요", 1),
    ("모터 소리가 커서 잠을 못 자요", -1),
    ("가격이 착해요", 1),
    ("가격이 좀 있어요", -1),
    ("이 가격 주고 사기엔 아깝네요", -1),
    ("할인할 때 사면 가성비 좋아요", 1),
    ("다른 데보다 비싸게 산 것 같아요", -1),
    ("최저가로 잘 샀어요", 1),
    ("정가 주고 사기엔 아쉬워요", -1),
    ("싸고 좋아요", 1),
    ("부품이 안 맞아서 조립이 안 돼요", -1),
    ("나사 구멍이 안 맞아요", -1),
    ("사용법이 간단해요", 1),
    ("사용법이 너무 복잡해요", -1),
    ("기능이 너무 많아서 헷갈려요", -1),
    ("디자인이 세련됐어요", 1),
    ("사진이랑 너무 달라서 당황했어요", -1),
    ("색이 촌스러워요", -1),
    ("고급져요", 1),
    ("아쉬운 점 하나 없어요", 1),
    ("장점만 있어요", 1),
    ("굳이 살 필요는 없을 듯", -1),
    ("추천은 못 하겠어요", -1),
    ("지인들한테 추천하고 다녀요", 1),
    ("제품을 받아 보니 마감 처리가 깔끔하게 되어 있어 만족스럽습니다", 1),
    ("사용해 본 결과 기대에 미치지 못했습니다", -1),
    ("전반적으로 만족합니다만 배송이 다소 늦었습니다", -1),
    ("가격 대비 성능이 우수합니다", 1),
    ("품질이 기대 이상입니다", 1),
    ("재구매 의사가 있습니다", 1),
    ("다른 분들께도 권해 드리고 싶습니다", 1),
    ("구매를 권하지 않습니다", -1),
    ("개선이 필요해 보입니다", -1),
    ("만족도가 높습니다", 1),
    ("만족도가 낮습니다", -1),
    ("문제없이 잘 작동합니다", 1),
    ("작동이 원활하지 않습니다", -1),
    ("내구성이 뛰어납니다", 1),
    ("내구성이 떨어집니다", -1),
    ("상품 설명과 일치합니다", 1),
    ("상품 설명과 다릅니다", -1),
    ("응대가 신속하고 정확했습니다", 1),
    ("환불 절차가 복잡했습니다", -1),
    ("ㅋㅋㅋ 완전 좋음", 1),
    ("ㅠㅠㅠ 망함", -1),
    ("헐 대박", 1),
    ("노노 비추", -1),
    ("짱짱", 1),
    ("굿", 1),
    ("별로..", -1),
    ("so so", 0),
    ("쏘쏘", 0),
    ("그냥저냥", 0),
    ("킹왕짱", 1),
    ("에바임", -1),
    ("개별로", -1),
    ("핵이득", 1),
    ("돈 버렸네요", -1),
    ("돈 날렸어요", -1),
    ("본전 뽑았어요", 1),
    ("뽕 뽑았어요", 1),
    ("시간 가는 줄 모르고 봤다", 1),
    ("돈 주고 보기 아까운 영화", -1),
    ("다시 봐도 재밌다", 1),
    ("배우들 연기가 어색하다", -1),
    ("스토리가 탄탄하다", 1),
    ("결말이 허무하다", -1),
    ("두 시간이 순삭", 1),
    ("보다가 껐다", -1),
    ("인생 영화 등극", 1),
    ("볼 가치도 없다", -1),
    ("고양이가 환장해요", 1),
    ("강아지가 냄새만 맡고 안 먹어요", -1),
    ("먹고 나서 설사했어요", -1),
    ("털 빠짐이 줄었어요", 1),
    ("모래 먼지가 많이 날려요", -1),
    ("사료 알갱이가 작아서 잘 먹어요", 1),
    ("스크래쳐 금방 너덜너덜해져요", -1),
    ("프라이팬 코팅이 벗겨졌어요", -1),
    ("음식이 하나도 안 눌어붙어요", 1),
    ("열전도가 좋아요", 1),
    ("칼이 잘 안 들어요", -1),
    ("칼이 잘 들어요", 1),
    ("뚜껑이 꽉 안 닫혀서 샜어요", -1),
    ("밀폐가 잘 돼요", 1),
    ("텀블러 보온이 하루 종일 가요", 1),
    ("얼음이 금방 녹아요", -1),
    ("세척솔이 안 들어가요", -1),
    ("입구가 넓어서 씻기 편해요", 1),
    ("러닝할 때 발이 가벼워요", 1),
    ("쿠션이 금방 죽어요", -1),
    ("밑창이 떨어졌어요", -1),
    ("발목을 잘 잡아줘요", 1),
    ("요가매트가 두꺼워서 무릎이 안 아파요", 1),
    ("매트에서 고무 냄새가 심해요", -1),
    ("땀 흡수가 잘 돼요", 1),
    ("입으면 몸에 달라붙어서 불편해요", -1),
    ("텐트 치기 쉬워요", 1),
    ("혼자서 못 치겠어요", -1),
    ("비 와도 안 샜어요", 1),
    ("폴대가 휘었어요", -1),
    ("이어폰이 귀에서 자꾸 빠져요", -1),
    ("귀가 안 아파요", 1),
    ("노캔 성능이 기대 이하", -1),
    ("통화 음질이 깨끗해요", 1),
    ("한쪽만 소리가 나요", -1),
    ("페어링이 자꾸 풀려요", -1),
    ("배터리가 하루를 못 가요", -1),
    ("청소기 먼지통 비우기 편해요", 1),
    ("흡입력이 금방 약해져요", -1),
    ("머리카락이 브러시에 엉켜요", -1),
    ("구석구석 잘 빨아들여요", 1),
    ("가습기 물 보충이 귀찮아요", -1),
    ("가습기 물통 세척이 쉬워요", 1),
    ("아침에 일어나도 목이 안 칼칼해요", 1),
]


@pytest.mark.parametrize("clause,polarity", _PROBES)
def test_polarity_of_everyday_review_forms(analyzer, clause, polarity):
    assert clause_polarity(clause, analyzer) == polarity


def test_aspects_of_lemmatised_and_added_words(analyzer):
    quiet, suits, sweet, picture, finish = read_clauses(
        ["조용합니다", "잘 어울려요", "당도가 높아요", "화질이 선명해요", "마무리가 엉성해요"], analyzer
    )
    assert quiet.aspects == {"소음": 1}  # kiwi's lemma is 조용하, not 조용
    assert suits.aspects == {"디자인": 1}
    assert "맛" in sweet.aspects and "성능" in picture.aspects
    assert finish.aspects == {"품질·마감": -1}


@pytest.mark.parametrize(
    "clause,polarity",
    [
        ("깨져서 왔어요", -1),
        ("다 녹아서 왔네요", -1),
        ("구겨져서 왔어요", -1),
        ("찢어져서 왔어요", -1),
        ("주문해서 왔어요", 0),  # an ordering verb: a fact
        ("선물 받아서 왔어요", 0),
        ("엄마가 사 와서 먹어봤어요", 0),  # 와서 does not end the clause
        ("안전하게 잘 와서 좋아요", 1),
    ],
)
def test_the_state_it_arrived_in(analyzer, clause, polarity):
    assert clause_polarity(clause, analyzer) == polarity


@pytest.mark.parametrize(
    "clause,polarity",
    [
        # telling others not to get or try it warns them off
        ("사지 마세요", -1),
        ("절대 사지 마세요", -1),
        ("이 영화 보지 마", -1),
        ("이런 건 사용하지 마세요", -1),
        ("걱정하지 마세요", 0),  # not a verb of getting it: reassurance, no warning
        # recommended to some buyers only: a caveat, whatever it says of them
        ("신맛 좋아하는 분만 사세요", -1),
        ("예민하지 않은 분들만 추천해요", -1),
        ("향에 민감한 사람만 피하세요", 0),  # 피하 is no buying verb: advice
        ("많은 분들께 추천해요", 1),
        ("아기 있는 집에 추천해요", 1),
        # a fault noun before a wanted one makes the compound a fault
        ("알러지반응이 있네요", -1),
        ("알러지 반응 없어요", 1),
        ("반응이 좋아요", 1),
        # a noun + 롭/스럽 is an adjective of its own; negation still turns it
        ("충분히 흥미로웠다", 1),
        ("흥미롭지 않았다", -1),
        ("아이가 사랑스러워요", 1),
        ("원망스러운 영화", -1),
        ("완전 폭망이에요", -1),
    ],
)
def test_warnings_caveats_and_derived_adjectives(analyzer, clause, polarity):
    assert clause_polarity(clause, analyzer) == polarity


@pytest.mark.parametrize(
    "clause,polarity",
    [
        # a concession only sets up what follows
        ("바느질이 조금 엉성하긴 하지만", 0),
        ("잘 쓰고 있긴 한데", 0),
        ("좋긴 한데 비싸요", -1),
        ("엉성하긴 하지만 튼튼해요", 1),
        ("가볍고 좋은데", 1),  # a plain -는데 keeps its praise (the rule's 괜찮은데)
        # 잘 + a noun + 하 is 잘 + a verb
        ("잘 사용할게요", 1),
        ("잘 이용했습니다", 1),
        ("잘 사용 안 해요", 0),
        # it stays in use
        ("계속 쓸 예정이에요", 1),
        ("앞으로도 계속 사용할 것 같아요", 1),
        ("계속 쓰다 보니 망가졌어요", -1),
        # not coming back
        ("이제 이용 안 하려고요", -1),
        ("다시는 구매 안 합니다", -1),
        # the old product's fault is why this one was bought
        ("저번에 쓰던 게 망가져서 샀는데", 0),
        ("전에 쓰던 것보다 별로예요", -1),
        ("쓰던 게 더 좋았어요", -1),
        # not known at the time: news
        ("오른손 전용인 걸 모르고 샀어요", 0),
        # a fault that lasts
        ("냄새가 너무 오래가요", -1),
        ("향이 오래가요", 1),
        # a degree adverb between a fault and its predicate
        ("짐 부담이 확 줄었어요", 1),
        ("사기 전에 신중히 결정하세요", -1),
        ("너무 안 씻겨요", -1),
    ],
)
def test_concessions_intentions_and_old_products(analyzer, clause, polarity):
    assert clause_polarity(clause, analyzer) == polarity


def test_a_concession_keeps_the_aspect_it_judges(analyzer):
    (reading,) = read_clauses(["바느질이 조금 엉성하긴 하지만"], analyzer)
    assert reading.polarity == 0 and reading.aspects == {"품질·마감": -1}


@pytest.mark.slow
def test_the_labelled_file_is_the_seeded_draw_and_its_continuation():
    """Rows 1–350 are `--draw`, rows 351–646 (`dev2`) `--draw-more`, rows 647–1271 (`dev3`, `test2`) `--draw-third`:
    the same walks continued, no review twice (but the tuned-on naver_shopping reviews' other clauses, in dev3)."""
    from eval.experiments.polarity import DATA, DRAW_MORE, DRAW_THIRD, draw, load_labels

    if not (DATA / "nsmc" / "reviews.tsv.gz").exists():
        pytest.skip(f"the shared data is not at {DATA}")
    old = load_old()
    keys = ("source", "row_id", "clause_no", "split", "clause")
    labelled = [tuple(r[k] for k in keys) for r in load_labels()]
    first, more, third = draw(old), draw(old, more=DRAW_MORE), draw(old, third=DRAW_THIRD)
    assert labelled == [tuple(r[k] for k in keys) for r in first + more + third]
    assert {r["split"] for r in more} == {"dev2"} and {r["split"] for r in third} == {"dev3", "test2"}
    reviews = [{(r["source"], r["row_id"]) for r in batch} for batch in (first, more)]
    walked = {(r["source"], r["row_id"]) for r in third if r["source"] != "naver_shopping"}
    assert not reviews[0] & reviews[1] and not walked & (reviews[0] | reviews[1])
    tested = {r["row_id"] for r in first if r["source"] == "naver_shopping" and r["split"] == "test"}
    siblings = {r["row_id"] for r in third if r["source"] == "naver_shopping"}
    assert siblings and not siblings & tested  # a held-out clause's review gives no clause to tune on
    assert {r["split"] for r in third if r["source"] == "naver_shopping"} == {"dev3"}


@pytest.mark.parametrize(
    "expr,pattern",
    [
        ("정교하다", "정교/X"),  # a 하 adjective: its stem, never a verb of the same form
        ("느끼하다", "느끼/X"),  # not 느끼다 (to feel)
        ("뜯어지다", "뜯+어+지"),  # the endings inside stay
        ("돈이 아깝다", "돈+아깝"),  # particles go
        ("쉰내", "쉬+ᆫ+내"),
        ("속다", ""),  # one syllable alone: left out
    ],
)
def test_the_written_lexicon_becomes_kiwi_patterns(analyzer, expr, pattern):
    from eval.experiments.polarity_cues import pattern_of

    assert pattern_of(list(analyzer.kiwi.tokenize(expr))) == pattern


def test_every_written_cue_reads_its_own_example(analyzer):
    """The shipped polarity_cues.tsv against its source: each kept expression's example clause reads with the
    expression's polarity (a change to the rules that breaks a written cue shows here)."""
    from eval.experiments.polarity_cues import load_source
    from rag.generation.polarity import CUE_LEXICON_PATH

    kept = {}
    for line in CUE_LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            _, weight, expr, domain = line.split("\t")
            kept[(expr, domain)] = int(weight)
    assert len(kept) > 500
    source = {(r["expr"], r["domain"]): r for r in load_source()}
    examples = [source[k]["example"] for k in kept]
    readings = read_clauses(examples, analyzer)
    wrong = [(k, r.polarity) for k, r in zip(kept, readings, strict=True) if r.polarity != kept[k]]
    assert not wrong, wrong[:10]


def test_agreement_of_two_annotators_and_the_system():
    from eval.experiments.polarity import agreement, kappa

    assert kappa([1, -1, 0, 1], [1, -1, 0, 1]) == 1.0
    assert kappa([1, 1, -1, -1], [1, -1, 1, -1]) == 0.0  # as often equal as chance says
    rows = [{"id": str(i), "split": "test", "polarity": p} for i, p in enumerate([1, 1, -1, 0])]
    readings = [Reading(p, {}) for p in (1, 0, -1, 0)]
    (row,) = agreement(rows, readings, {"0": 1, "1": -1, "2": -1, "3": 0})
    assert row["agree"] == 0.75 and row["vs_first"] == 0.75 and row["vs_second"] == 0.75
    assert row["agreed"] == 3 and row["on_agreed"] == 1.0  # the three both annotators agree on: all right
