"""Query understanding of specs (issue 11): numeric bounds, superlatives and comparatives, requirements with a
polarity, price phrases as shoppers mean them, English questions, chips, and follow-ups on the previous answer."""

from __future__ import annotations

import pytest

from ingest.demo import DEMO_DATA
from ingest.readers import discover
from ingest.validate import validate
from rag.constraints import Constraints
from rag.facets import match_requirement, type_attributes
from rag.generation.answer import Answer, Recommendation
from rag.query import QueryParser, QueryVocabulary, SpecConstraint, Superlative
from rag.query.followups import follow_up
from rag.records import Product


@pytest.fixture(scope="module")
def products():
    return validate(discover(str(DEMO_DATA))).products


@pytest.fixture(scope="module")
def vocabulary(analyzer, products):
    return QueryVocabulary.from_products(products.values(), analyzer)


@pytest.fixture(scope="module")
def parser(analyzer, vocabulary):
    return QueryParser(analyzer, vocabulary)


def specs(parsed) -> list[tuple[str, str, float, str]]:
    return [(s.dimension, s.op, s.value, s.key_hint) for s in parsed.specs]


# --- numeric spec constraints -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30dB 이하 가습기", ("sound", "<=", 30, "")),
        ("30dB 이하로 조용한 선풍기", ("sound", "<=", 30, "")),
        ("50dB이하 에어프라이어", ("sound", "<=", 50, "")),
        ("소음 40dB 아래 자동급식기", ("sound", "<=", 40, "소음")),
        ("1kg 미만 텐트", ("mass", "<", 1000, "")),
        ("1kg도 안 되는 텐트", ("mass", "<", 1000, "")),
        ("무게 1kg 안 넘는 텐트", ("mass", "<=", 1000, "무게")),
        ("500g이하 등산화", ("mass", "<=", 500, "")),
        ("500g보다 가벼운 등산화", ("mass", "<", 500, "")),
        ("최대 500g 등산화", ("mass", "<=", 500, "")),
        ("한쪽 300g 이하 등산화", ("mass", "<=", 300, "한쪽")),
        ("두께 5mm 이하 요가매트", ("length", "<=", 5, "두께")),
        ("두께가 5mm 이하인 요가매트", ("length", "<=", 5, "두께")),
        ("만mAh 이상 보조배터리", ("charge", ">=", 10000, "")),
        ("2만mAh 이상 보조배터리", ("charge", ">=", 20000, "")),
        ("20000mAh 넘는 보조배터리", ("charge", ">", 20000, "")),
        ("5L 넘는 에어프라이어", ("volume", ">", 5000, "")),
        ("에어프라이어 5리터 이상", ("volume", ">=", 5000, "")),
        ("재생시간 8시간 이상 이어폰", ("duration", ">=", 480, "재생시간")),
        ("10시간 이상 가는 이어폰", ("duration", ">=", 600, "")),
        ("100매 이상 물티슈", ("count", ">=", 100, "")),
        ("4인용 텐트", ("people", ">=", 4, "")),
        ("3~4인용 텐트", ("people", ">=", 4, "")),  # the group may be four
        ("4인 가족이 쓸 텐트", ("people", ">=", 4, "")),
        ("under 500g hiking boots", ("mass", "<=", 500, "")),
    ],
)
def test_numeric_spec_constraints(parser, text, expected):
    parsed = parser.parse(text)
    assert specs(parsed) == [expected]
    assert (parsed.price_min, parsed.price_max, parsed.price_target) == (None, None, None)


def test_ranges_are_both_bounds(parser):
    assert specs(parser.parse("1~2kg 텐트")) == [("mass", ">=", 1000, ""), ("mass", "<=", 2000, "")]
    assert specs(parser.parse("1~2kg 이하 텐트")) == [("mass", "<=", 2000, "")]
    assert specs(parser.parse("5000mAh 이상 10000mAh 이하 보조배터리")) == [
        ("charge", ">=", 5000, ""),
        ("charge", "<=", 10000, ""),
    ]


@pytest.mark.parametrize("text", ["키 180cm 이상 남자 패딩", "발 270mm 러닝화", "아기 몸무게 10kg 이상 아기띠"])
def test_the_shoppers_own_size_is_no_product_spec(parser, text):
    assert parser.parse(text).specs == []


def test_a_refused_spec_bound_flips(parser):
    assert specs(parser.parse("1kg 넘으면 싫어요 텐트")) == [("mass", "<=", 1000, "")]


def test_spec_chips_and_keywords(parser):
    text = "두께 5mm 이하로 층간소음 요가매트"
    parsed = parser.parse(text)
    chips = {label: text[s:e] for s, e, label in parsed.spans}
    assert chips["spec:length<=5"] == "두께 5mm 이하"
    assert parsed.specs[0].label == "두께 5mm 이하"
    assert "5mm" not in parsed.keywords and "이하로" not in parsed.keywords  # numbers do not go to BM25
    assert "층간소음" in parsed.keywords and "요가매트" in parsed.keywords


@pytest.mark.parametrize(
    "text",
    [
        "3L 가습기",  # a size named, no bound: left to retrieval
        "AR-H800 어때요",  # a model code
        "AR-500W 가습기",
        "SF-A5 이어폰 후기",
        "1인용 에어프라이어",  # bounds nothing
        "5만원 이하 가습기",  # a price is no spec
        "10만원대 공기청정기",
        "3만원 정도까지 텀블러",
        "발 사이즈 300인데 맞는 러닝화",
    ],
)
def test_no_spec_from_prices_model_codes_or_bare_sizes(parser, text):
    assert parser.parse(text).specs == []


def test_price_and_spec_in_one_question(parser):
    parsed = parser.parse("5만원 이하 1kg 이하 텐트")
    assert parsed.price_max == 50000 and specs(parsed) == [("mass", "<=", 1000, "")]


# --- superlatives and comparatives -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "dimension", "direction", "key_hint"),
    [
        ("가장 가벼운 유모차", "mass", "min", ""),
        ("제일 가벼운 유모차", "mass", "min", ""),
        ("젤 가벼운 캠핑의자", "mass", "min", ""),
        ("가벼운 등산화", "mass", "min", ""),
        ("안 무거운 유모차", "mass", "min", ""),  # a negated unwanted quality
        ("가장 조용한 가습기", "sound", "min", ""),
        ("시끄럽지 않은 선풍기", "sound", "min", ""),
        ("소음 적은 에어프라이어", "sound", "min", "소음"),  # a catalog key with a magnitude word
        ("용량 큰 가습기", "volume", "max", "용량"),
        ("용량 큰 보조배터리", "charge", "max", "용량"),  # the category's own 용량 dimension
        ("대용량 에어프라이어", "volume", "max", "용량"),
        ("배터리 오래 가는 이어폰", "duration", "max", ""),
        ("배터리 오래가는 청소기", "duration", "max", ""),
        ("오래 가는 보조배터리", "charge", "max", ""),  # no run time stated there: its capacity
        ("보냉 오래 가는 텀블러", "duration", "max", "보냉"),
        ("흡입력 센 청소기", "pressure", "max", "흡입력"),
        ("얇은 요가매트", "length", "min", "두께"),
        ("제일 두꺼운 물티슈", "grammage", "max", ""),  # wet wipes state thickness as 평량
        ("lightest stroller", "mass", "min", ""),
        ("quiet humidifier", "sound", "min", ""),
    ],
)
def test_superlatives(parser, text, dimension, direction, key_hint):
    sup = parser.parse(text).superlative
    assert (sup.dimension, sup.direction, sup.key_hint, sup.comparative) == (dimension, direction, key_hint, False)


@pytest.mark.parametrize(
    ("text", "explicit"),
    [
        ("가장 가벼운 유모차", True),
        ("최대한 가벼운 걸로 캠핑의자", True),
        ("제일 조용한 가습기", True),
        ("가벼운 청소기", False),  # a wish: ranking may nudge, need not order strictly
        ("조용한 가습기", False),
        ("소음 더 적은 거", True),
    ],
)
def test_superlatives_say_whether_they_were_marked(parser, text, explicit):
    assert parser.parse(text).superlative.explicit is explicit


def test_superlative_chip_and_keywords(parser):
    text = "가장 가벼운 유모차 추천"
    parsed = parser.parse(text)
    assert parsed.superlative == Superlative("mass", "min", "가장 가벼운", "", comparative=False, explicit=True)
    assert [text[s:e] for s, e, label in parsed.spans if label == "superlative:mass:min"] == ["가장 가벼운"]
    assert "가벼운" in parsed.keywords  # reviews say 가벼워요: the wish stays for retrieval


def test_superlative_of_the_asked_category_only(parser):
    assert parser.parse("배터리 오래 가는 서큘레이터").categories == ["가전>계절가전>서큘레이터"]  # 배터리 is a key
    assert parser.parse("조용한 가습기 3만원 이하로").price_max == 30000


@pytest.mark.parametrize(
    ("text", "dimension", "direction"),
    [
        ("더 가벼운 거", "mass", "min"),
        ("더 가벼운 거 없어?", "mass", "min"),
        ("이거보다 가벼운 유모차", "mass", "min"),
        ("더 조용한 건?", "sound", "min"),
        ("소음 더 적은 거", "sound", "min"),
    ],
)
def test_comparatives(parser, text, dimension, direction):
    sup = parser.parse(text).superlative
    assert (sup.dimension, sup.direction, sup.comparative) == (dimension, direction, True)
    assert any(label == f"comparative:{dimension}:{direction}" for _, _, label in parser.parse(text).spans)


# --- requirements with a polarity ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label", "wanted"),
    [
        ("기모 없는 맨투맨", "기모", False),
        ("기모없는 후드티", "기모", False),
        ("기모 안 들어간 맨투맨", "기모", False),
        ("와이파이 없는 급식기", "와이파이", False),
        ("와이파이 안 되는 자동급식기", "와이파이", False),
        ("고춧가루 안 들어간 김치", "고춧가루", False),  # a thing a value marks 무첨가
        ("고춧가루 없는 김치", "고춧가루", False),
        ("고춧가루 빼고 김치", "고춧가루", False),
        ("젓갈 없는 김치", "젓갈", False),
        ("젓갈 안 들어간 김치", "젓갈", False),
        ("카메라 없는 급식기", "카메라", False),
        ("무실리콘 샴푸", "실리콘", False),
        ("실리콘 안 들어간 샴푸", "실리콘", False),
        ("노 실리콘 샴푸", "실리콘", False),
        ("형광증백제 없는 세제", "형광증백제", False),
        ("인덕션 안 되는 프라이팬", "인덕션", False),
        ("비방수 신발", "방수", False),
        ("가열식 말고 초음파 가습기", "가열식", False),
        ("무향 고양이모래", "무향", True),
        ("향 없는 세제", "무향", True),  # the lexicon's own phrase for 무향
        ("식기세척기 되는 프라이팬", "식기세척기", True),
        ("식기세척기 가능한 프라이팬", "식기세척기", True),
        ("식세기 되는 프라이팬", "식기세척기", True),
        ("리모컨 있는 서큘레이터", "리모컨", True),
        ("리모컨 달린 선풍기", "리모컨", True),
        ("충전식 마우스", "충전식", True),
        ("발수 되는 패딩", "발수", True),
    ],
)
def test_polarity_requirements(parser, text, label, wanted):
    parsed = parser.parse(text)
    assert [(a.label, a.wanted) for a in parsed.attributes] == [(label, wanted)]
    assert parsed.negations == []
    assert any(tag == f"attribute:{'' if wanted else '-'}{label}" for _, _, tag in parsed.spans)


@pytest.mark.parametrize(
    ("text", "negation"),
    [
        ("냄새 안 나는 고양이모래", "냄새"),  # the catalog has no 냄새 facet: a soft wish
        ("안 끈적이는 선크림", "끈적임"),
        ("끈적이지 않는 선크림", "끈적임"),
        ("먼지 안 날리는 모래", "먼지"),  # 먼지 is a level (보통 / 매우 적음), not a has/lacks flag
        ("소음 없는 선풍기", "소음"),  # a number, not a flag
        ("물 안 새는 텀블러", "물"),
    ],
)
def test_soft_negations_stay_negations(parser, text, negation):
    parsed = parser.parse(text)
    assert parsed.negations == [negation] and parsed.attributes == []


def test_requirements_read_against_the_demo_products(parser, products):
    """What each parsed requirement keeps, through rag.facets: the contradicting product never passes."""

    def kept(text: str, category: str) -> list[str]:
        requirement = parser.parse(text).attributes[0]
        out = []
        for p in products.values():
            if p.category.endswith(category):
                has = match_requirement(p, type_attributes(p.product_id, p.attributes), requirement)
                if (has is True) if requirement.wanted else (has is not True):
                    out.append(p.product_id)
        return out

    assert kept("기모 없는 맨투맨", "맨투맨/후드티") == ["FAS-005", "FAS-006"]
    assert kept("와이파이 없는 급식기", "자동급식기") == ["PET-011"]
    assert kept("고춧가루 안 들어간 김치", "김치") == ["FOO-012"]
    assert kept("젓갈 없는 김치", "김치") == ["FOO-011", "FOO-012"]  # FOO-011 does not say: no contradiction
    assert kept("식기세척기 되는 프라이팬", "프라이팬") == ["LIV-002"]


def test_a_user_catalog_with_other_keys(analyzer):
    """Flag names and dimensions come from the catalog's own keys, not from the demo's."""
    catalog = [
        Product(
            "K1", "스팀 다리미 A", category="가전>생활가전>다리미", attributes={"자동전원차단": "있음", "무게": "1.4kg"}
        ),
        Product(
            "K2", "스팀 다리미 B", category="가전>생활가전>다리미", attributes={"자동전원차단": "없음", "무게": "900g"}
        ),
        Product(
            "K3", "핸디 스티머", category="가전>생활가전>다리미", attributes={"자동전원차단": "지원", "무게": "0.7kg"}
        ),
    ]
    parser = QueryParser(analyzer, QueryVocabulary.from_products(catalog, analyzer))
    parsed = parser.parse("자동전원차단 없는 다리미 1kg 이하")
    assert [(a.label, a.wanted) for a in parsed.attributes] == [("자동전원차단", False)]
    assert specs(parsed) == [("mass", "<=", 1000, "")]
    assert parser.parse("가장 가벼운 다리미").superlative.dimension == "mass"
    assert parser.parse("소음 적은 다리미").superlative is None  # this catalog states no noise


def test_a_key_some_product_lacks_and_others_state_as_an_amount_can_be_denied(analyzer):
    """'타이머: 없음' beside '1~8시간': the amount says the product has a timer, so '타이머 없는' is a requirement the
    1~8시간 product contradicts; a key no product lacks ('소음: 42dB') stays a dimension, never a requirement."""
    catalog = [
        Product(
            "C1", "서큘레이터 A", category="가전>계절가전>서큘레이터", attributes={"타이머": "1~8시간", "소음": "42dB"}
        ),
        Product(
            "C2", "서큘레이터 B", category="가전>계절가전>서큘레이터", attributes={"타이머": "없음", "소음": "50dB"}
        ),
        Product(
            "C3", "서큘레이터 C", category="가전>계절가전>서큘레이터", attributes={"타이머": "2시간", "소음": "38dB"}
        ),
    ]
    parser = QueryParser(analyzer, QueryVocabulary.from_products(catalog, analyzer))
    parsed = parser.parse("타이머 없는 서큘레이터")
    assert [(a.label, a.wanted) for a in parsed.attributes] == [("타이머", False)]
    typed = {p.product_id: type_attributes(p.product_id, p.attributes) for p in catalog}
    has = {p.product_id: match_requirement(p, typed[p.product_id], parsed.attributes[0]) for p in catalog}
    assert has == {"C1": True, "C2": False, "C3": True}  # only C2 may be shown for '타이머 없는'
    assert not parser.parse("소음 없는 서큘레이터").attributes


# --- prices as shoppers mean them -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "low", "high", "target"),
    [
        ("텀블러 3만원 정도까지", None, 30000, None),
        ("캠핑의자 10만원 정도까지", None, 100000, None),  # the 29,900원 chair is within it
        ("3만원 안쪽으로 선크림", None, 30000, None),
        ("2만원 안쪽 물티슈", None, 20000, None),
        ("3만원 넘지 않는 선크림", None, 30000, None),
        ("최대 3만원 선크림", None, 30000, None),
        ("1~2만원대 텀블러", 10000, 29999, None),
        ("만원대 샴푸", 10000, 19999, None),
        ("5만원 안팎 이어폰", None, None, 50000),
        ("5만원 정도 가습기", None, None, 50000),
        ("5만원 선에서 가습기", None, None, 50000),
        ("humidifier under 50000 won", None, 50000, None),
        ("air fryer under 5만원", None, 50000, None),
    ],
)
def test_price_phrases_as_meant(parser, text, low, high, target):
    parsed = parser.parse(text)
    assert (parsed.price_min, parsed.price_max, parsed.price_target) == (low, high, target)
    assert parsed.specs == []


# --- English and mixed questions --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("cheap air fryer", "생활/주방>주방가전>에어프라이어"),
        ("noise cancelling 이어폰", "디지털>음향기기>무선이어폰"),
        ("humidifier under 50000 won", "가전>계절가전>가습기"),
        ("waterproof hiking boots", "신발>아웃도어화>등산화"),
        ("best power bank", "디지털>모바일액세서리>보조배터리"),
    ],
)
def test_english_questions_find_the_category(parser, text, category):
    assert parser.parse(text).categories == [category]


def test_english_questions_read_wishes_and_add_the_korean_word(parser):
    cheap = parser.parse("cheap air fryer")
    assert cheap.cheap and "에어프라이어" in cheap.keywords
    assert [a.label for a in parser.parse("noise cancelling 이어폰").attributes] == ["노이즈캔슬링"]
    assert [a.label for a in parser.parse("waterproof hiking boots").attributes] == ["방수"]


@pytest.mark.parametrize("text", ["rice cooker 추천", "blender under 50000 won", "a fancy gift", "laptop stand"])
def test_english_words_never_match_unrelated_categories(parser, text):
    parsed = parser.parse(text)
    assert parsed.categories == []  # left empty: the not-carried logic can say it could not tell


def test_not_carried_english_types_leave_their_korean_word_for_the_not_carried_logic(parser):
    assert "전기밥솥" in parser.parse("rice cooker 추천").keywords


# --- follow-ups on the previous answer --------------------------------------------------------------------------
def _answer(question: str, parsed, products, ids: list[str]) -> Answer:
    recs = [
        Recommendation(
            pid, products[pid].name, products[pid].brand, products[pid].category, products[pid].price, 4.5, 5.0, 10, ""
        )
        for pid in ids
    ]
    return Answer(question, "", [], recs, [], [], parsed=parsed, constraints=Constraints.from_query(parsed))


class _Turn:
    def __init__(self, question, answer):
        self.question, self.answer = question, answer


def test_lighter_than_the_top_pick(parser, vocabulary, products):
    first = parser.parse("유모차 추천")
    history = [_Turn("유모차 추천", _answer("유모차 추천", first, products, ["KID-009", "KID-007"]))]
    parsed = parser.parse("더 가벼운 거 없어?")
    plan = follow_up(parsed, "더 가벼운 거 없어?", history, None, vocabulary)
    assert plan.constraints.categories == ("유아동>외출용품>유모차",)  # carried over
    assert [(s.dimension, s.op, s.value) for s in plan.constraints.specs] == [("mass", "<", 8200)]  # KID-009: 8.2kg
    assert "8.2kg 미만" in plan.note and plan.empty


def test_quieter_than_the_top_pick_reads_its_quietest_setting(parser, vocabulary, products):
    first = parser.parse("서큘레이터 추천")
    history = [_Turn("서큘레이터 추천", _answer("서큘레이터 추천", first, products, ["APP-006", "APP-004"]))]
    plan = follow_up(parser.parse("더 조용한 건?"), "더 조용한 건?", history, None, vocabulary)
    assert [(s.dimension, s.op, s.value) for s in plan.constraints.specs] == [("sound", "<", 38)]  # 최저 38dB


def test_specs_carry_over_within_the_product_type(parser, vocabulary, products):
    first = parser.parse("500g 이하 등산화")
    history = [_Turn("500g 이하 등산화", _answer("500g 이하 등산화", first, products, ["SHO-001"]))]
    cheaper = follow_up(parser.parse("더 싼 건 없어?"), "더 싼 건 없어?", history, None, vocabulary)
    assert cheaper.constraints.specs == (SpecConstraint("mass", "<=", 500.0, "", "500g 이하"),)
    assert cheaper.constraints.price_max == products["SHO-001"].price - 1
    other = follow_up(parser.parse("텐트는?"), "텐트는?", history, None, vocabulary)
    assert other.constraints.specs == ()  # a new product type: a boot's weight limit does not apply to a tent


def test_requirements_carry_over_within_the_product_type_only(parser, vocabulary, products):
    first = parser.parse("노이즈캔슬링 이어폰 추천")
    assert [(a.label, a.wanted) for a in first.attributes] == [("노이즈캔슬링", True)]
    history = [_Turn("노이즈캔슬링 이어폰 추천", _answer("노이즈캔슬링 이어폰 추천", first, products, ["DIG-001"]))]
    humidifier = follow_up(parser.parse("가습기 추천"), "가습기 추천", history, None, vocabulary)
    assert humidifier.constraints.attributes == ()  # no humidifier states 노이즈캔슬링: it would show nothing
    assert humidifier.constraints.categories == ("가전>계절가전>가습기",)
    cheaper = follow_up(parser.parse("더 싼 건 없어?"), "더 싼 건 없어?", history, None, vocabulary)
    assert [a.label for a in cheaper.constraints.attributes] == ["노이즈캔슬링"]  # same type: still required
    question = "무선이어폰 중에 5만원 이하"
    same = follow_up(parser.parse(question), question, history, None, vocabulary)
    assert [a.label for a in same.constraints.attributes] == ["노이즈캔슬링"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("pet feeder with camera", "반려동물>공용용품>자동급식기"),  # once only in the not-carried lexicon
        ("feeder 추천", "반려동물>공용용품>자동급식기"),  # once only in the parser's own English list
        ("sneakers for walking", "신발>운동화>스니커즈"),
        ("baby wipes", "유아동>기저귀/물티슈>아기물티슈"),
    ],
)
def test_english_words_come_from_the_one_type_lexicon(parser, text, category):
    """One home for English product words (rag.type_lexicon): the parser and the not-carried logic read the same."""
    assert parser.parse(text).categories == [category]


# --- forms found on the spec set's dev split (eval/data/spec_queries, dev only) ---------------------------------------
@pytest.mark.parametrize(
    ("text", "dimension", "direction", "key_hint"),
    [
        ("용량이 가장 큰 가습기", "volume", "max", "용량"),  # a marker between the key and the magnitude word
        ("내수압이 제일 높은 레인코트", "length", "max", "내수압"),
        ("최대하중 젤 높은 사무용의자", "mass", "max", "최대하중"),
        ("무게가 제일 적게 나가는 보조배터리", "mass", "min", "무게"),  # 'weighs the least'
    ],
)
def test_key_marker_magnitude_superlatives(parser, text, dimension, direction, key_hint):
    s = parser.parse(text).superlative
    assert (s.dimension, s.direction, s.key_hint) == (dimension, direction, key_hint)
    assert s.explicit and not s.comparative


def test_a_denied_support_word_denies_the_mention_before_it(parser):
    # '호환 안 되는' only says the 차량컵홀더 does not work: the requirement is 'no 차량컵홀더', not a soft 호환
    parsed = parser.parse("차량컵홀더 호환 안 되는 텀블러")
    assert [(a.label, a.wanted) for a in parsed.attributes] == [("차량컵홀더", False)] and not parsed.negations
    parsed = parser.parse("식기세척기 사용 안 되는 프라이팬")
    assert [(a.label, a.wanted) for a in parsed.attributes] == [("식기세척기", False)]
    assert [(a.label, a.wanted) for a in parser.parse("차량컵홀더 호환되는 텀블러").attributes] == [
        ("차량컵홀더", True)
    ]


def test_a_key_whose_values_name_the_thing_is_a_flag(parser, products):
    # 코팅: '세라믹 5중 코팅', '다이아몬드 코팅' (they have it), '없음 (무코팅)': 코팅 can be required or denied
    denied = parser.parse("코팅 없는 프라이팬")
    assert [(a.label, a.wanted) for a in denied.attributes] == [("코팅", False)]
    wanted = parser.parse("코팅 있는 프라이팬").attributes[0]
    has = {
        pid: match_requirement(p, type_attributes(pid, p.attributes), wanted)
        for pid, p in products.items()
        if "프라이팬" in p.category
    }
    assert has == {"LIV-001": True, "LIV-002": False, "LIV-003": True}


def test_one_syllable_flag_names_only_as_whole_words_and_when_said(parser):
    # 캡 (물티슈: 있음 / 없음 (스티커형)) and 향 (무향, 코튼향) are flag names of the demo catalog
    assert [(a.label, a.wanted) for a in parser.parse("아기물티슈 캡 없는 걸로").attributes] == [("캡", False)]
    assert [(a.label, a.wanted) for a in parser.parse("캡이 있는 물티슈").attributes] == [("캡", True)]
    assert [(a.label, a.wanted) for a in parser.parse("세탁세제 향 있는 걸로").attributes] == [("향", True)]
    assert parser.parse("캡슐세제 추천").attributes == []  # not the 캡 of 캡슐
    assert parser.parse("향 좋은 캡슐세제").attributes == []  # a wish about the scent, not a requirement
