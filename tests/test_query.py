"""Query understanding: what the shopper typed becomes prices, categories, brands, attributes and intents to show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.demo import DEMO_DATA
from ingest.readers import discover
from ingest.validate import validate
from rag.query import (
    SORTS,
    AttributeRequirement,
    ParsedQuery,
    QueryParser,
    QueryVocabulary,
    satisfies_attribute,
)
from rag.records import Product

QUERIES = Path(__file__).resolve().parents[1] / "eval" / "data" / "demo_queries.jsonl"


@pytest.fixture(scope="module")
def products():
    return validate(discover(str(DEMO_DATA))).products


@pytest.fixture(scope="module")
def parser(analyzer, products):
    return QueryParser(analyzer, QueryVocabulary.from_products(products.values(), analyzer))


@pytest.mark.parametrize(
    ("text", "price_min", "price_max"),
    [
        ("5만원 이하 가습기", None, 50000),
        ("5만원 이내로", None, 50000),
        ("5만원까지 되는 거", None, 50000),
        ("5만원 아래", None, 50000),
        ("5만원 밑으로", None, 50000),
        ("5만원 언더", None, 50000),
        ("5만원 미만", None, 49999),
        ("10만원 이상 패딩", 100000, None),
        ("10만원 넘는 패딩", 100001, None),
        ("10만원대 공기청정기", 100000, 199999),
        ("2만원대 요가매트", 20000, 29999),
        ("3~5만원 텀블러", 30000, 50000),
        ("3-5만원 텀블러", 30000, 50000),
        ("3만~5만원 텀블러", 30000, 50000),
        ("3만원에서 5만원 사이", 30000, 50000),
        ("만오천원 이하 클렌징폼", None, 15000),
        ("삼만원 이하", None, 30000),
        ("십만원 이하", None, 100000),
        ("1.5만원 이하", None, 15000),
        ("15,000원 이하", None, 15000),
        ("15000원 이하", None, 15000),
        ("5만 이하", None, 50000),
        ("3만원 이상 5만원 이하", 30000, 50000),
        ("3만원 정도까지", None, 30000),  # 정도 softens the wording, not the limit (issue 11)
        ("3만원 안쪽", None, 30000),
        ("10만원 정도까지 되는 캠핑의자", None, 100000),
        ("1~2만원대", 10000, 29999),
        ("1~2만원대 텀블러", 10000, 29999),
        ("10만원 넘는건 좀 부담돼요", None, 100000),  # a refused bound is a bound on the other side
    ],
)
def test_price_phrases(parser, text, price_min, price_max):
    parsed = parser.parse(text)
    assert (parsed.price_min, parsed.price_max) == (price_min, price_max)
    assert parsed.price_target is None


@pytest.mark.parametrize(
    ("text", "target"),
    [  # issue 11: a price point is a soft wish around it, never a hard ±20 % range (the old reading)
        ("5만원 정도", 50000),
        ("5만원쯤", 50000),
        ("5만원 안팎", 50000),
        ("5만원 내외", 50000),
        ("5만원 전후로 살만한 이어폰", 50000),
        ("5만원짜리 이어폰", 50000),  # a bare price point is soft too: the shopper names it, not a limit
        ("15,000원", 15000),
    ],
)
def test_price_targets_are_soft(parser, text, target):
    parsed = parser.parse(text)
    assert (parsed.price_min, parsed.price_max, parsed.price_target) == (None, None, target)
    assert [label for _, _, label in parsed.spans if label.startswith("price")] == [f"price_target:{target}"]


@pytest.mark.parametrize(
    "text",
    [
        "발 사이즈 300인데 맞는 러닝화",
        "10시간 이상 가는 이어폰",
        "5천mAh 보조배터리",
        "만족스러운 가습기",
        "4인용 텐트",
    ],
)
def test_numbers_that_are_not_prices(parser, text):
    parsed = parser.parse(text)
    assert (parsed.price_min, parsed.price_max) == (None, None)


def test_price_span_and_keywords_drop_the_price_phrase(parser):
    text = "가습기 3만원 이하로 조용한거 있어요?"
    parsed = parser.parse(text)
    assert [text[s:e] for s, e, label in parsed.spans if label.startswith("price")] == ["3만원 이하"]
    assert parsed.keywords == "가습기 조용한거 있어요?"
    assert parser.parse("5만원 이하").keywords == "5만원 이하"  # never empty when the text had content


def test_cheap_is_a_soft_wish_and_not_confused_with_sorting_or_follow_ups(parser):
    assert parser.parse("저렴한 텀블러").cheap
    assert parser.parse("싸고 좋은 가습기").cheap
    assert not parser.parse("비싼 텀블러").cheap
    by_price = parser.parse("싼 순으로 보여줘")
    assert by_price.sort == "price_asc" and not by_price.cheap
    follow_up = parser.parse("더 싼 건 없어?")
    assert follow_up.relative == "cheaper" and not follow_up.cheap


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("자취방에서 쓸 조용한 가습기", "가전>계절가전>가습기"),
        ("출퇴근용 이어폰", "디지털>음향기기>무선이어폰"),
        ("블루투스 스피커 캠핑용", "디지털>음향기기>블루투스스피커"),
        ("비 오는 날 신을 등산화", "신발>아웃도어화>등산화"),
        ("홈트용 요가매트", "스포츠/아웃도어>헬스/요가>요가매트"),
        ("먼지 안 날리는 모래", "반려동물>고양이용품>고양이모래"),
        ("선풍기 추천", "가전>계절가전>서큘레이터"),
        ("폰 충전기 가벼운 거", "디지털>모바일액세서리>보조배터리"),
        ("롱패딩 추천", "패션>아우터>패딩"),
        ("요즘 잘나가는 가전", "가전"),
    ],
)
def test_category_mentions(parser, text, category):
    assert parser.parse(text).categories == [category]


def test_a_product_type_makes_broader_words_context(parser):
    assert parser.parse("캠핑 가서 쓸 선풍기").categories == ["가전>계절가전>서큘레이터"]
    assert parser.parse("캠핑 가서 쓸 의자").categories == ["스포츠/아웃도어>캠핑>캠핑의자"]  # not the office chair
    assert len(parser.parse("허리 편한 의자").categories) == 2  # 의자 alone is ambiguous: both are offered


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("가숩기 조용한거", "가전>계절가전>가습기"),
        ("등산하 추천", "신발>아웃도어화>등산화"),
        ("보조베터리 가벼운거", "디지털>모바일액세서리>보조배터리"),
        ("기저기 밤에 안새는거", "유아동>기저귀/물티슈>기저귀"),
        ("에어프라이기 대용량으로", "생활/주방>주방가전>에어프라이어"),
        ("노캔 이어퐁 추천좀", "디지털>음향기기>무선이어폰"),
    ],
)
def test_typos_and_slang(parser, text, category):
    assert parser.parse(text).categories == [category]


def test_no_category_inside_an_unrelated_word(parser):
    assert parser.parse("아이스크림 맛있는 거").categories == []
    assert parser.parse("엄마 선물 뭐가 좋을까").categories == []


def test_brands_as_written_in_the_catalog(parser):
    parsed = parser.parse("루미홈 가습기랑 촉촉랩 가열식 중에 잘때 조용한건?")
    assert sorted(parsed.brands) == ["루미홈", "촉촉랩"] and parsed.categories == ["가전>계절가전>가습기"]
    assert parser.parse("우드앤캠프 하이백 어때요").brands == ["우드앤캠프"]  # the longest brand, not 우드앤


def test_brands_without_a_product_type_bring_their_categories(parser):
    parsed = parser.parse("쿡마루랑 스틸하우스 중에 뭐가 나아")
    assert parsed.brands and parsed.categories == ["생활/주방>주방용품>프라이팬"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("10만원 이하 방수 등산화", "방수"),
        ("노캔 이어폰", "노이즈캔슬링"),
        ("노이즈캔슬링 이어폰", "노이즈캔슬링"),
        ("무향 고양이모래", "무향"),
        ("인덕션 되는 프라이팬", "인덕션"),
        ("무소음 마우스", "저소음"),
        ("디카페인 원두", "디카페인"),
        ("무염 견과", "무염"),
        ("비건 김치", "비건"),
        ("비행기 기내반입 되는 유모차", "기내반입"),
        ("캠핑가서 전기 없어도 돌릴수 있는 선풍기", "무선"),
        ("헤드레스트 있는 사무용 의자", "헤드레스트"),  # a catalog key with 있음/없음 values
        ("썬크림 워터프루푸", "방수"),  # a typo of a long attribute word
    ],
)
def test_required_attributes(parser, text, label):
    assert [a.label for a in parser.parse(text).attributes] == [label]


def test_attribute_words_that_are_not_requirements(parser):
    assert parser.parse("무선이어폰 추천").attributes == []  # part of the product type
    assert parser.parse("블루투스 스피커").attributes == []
    assert parser.parse("무선 이어폰").attributes == []


def test_denied_attributes_are_requirements_not_to_have(parser):
    # issue 11: a denied thing the catalog knows is a hard "must not have" (was: a soft negation only)
    denied = parser.parse("방수 안 되는 신발")
    assert denied.attributes == [AttributeRequirement("방수", ("방수", "워터프루프", "ip"), wanted=False)]
    assert denied.negations == []
    assert [(a.label, a.wanted) for a in parser.parse("백탁 없는 선크림").attributes] == [("백탁", False)]


@pytest.mark.parametrize(
    ("text", "sort"),
    [
        ("가성비 좋은 청소기", "value"),
        ("요즘 제일 잘나가는 가전", "popular"),
        ("많이 팔린 선크림", "popular"),
        ("인기 가습기", "popular"),
        ("베스트 상품", "popular"),
        ("평점 높은 이어폰", "rating"),
        ("후기 좋은 텀블러", "rating"),
        ("리뷰 좋은 거", "rating"),
        ("신상 패딩", "recent"),
        ("요즘 나온 러닝화", "recent"),
        ("가격 낮은 순으로", "price_asc"),
        ("싼 순", "price_asc"),
        ("비싼 순으로 보여줘", "price_desc"),
        ("자취방 가습기", None),
    ],
)
def test_sort_intents(parser, text, sort):
    assert parser.parse(text).sort == sort
    assert sort is None or sort in SORTS


@pytest.mark.parametrize(
    ("text", "negations"),
    [
        ("냄새 안 나는 고양이모래", ["냄새"]),
        ("냄새가 안 나는 모래", ["냄새"]),
        ("소음 없는 선풍기", ["소음"]),
        ("끈적임 없는 선크림", ["끈적임"]),
        ("안 미끄러운 요가매트", ["미끄러움"]),
        ("자극 없는 클렌징폼", ["자극"]),
        ("애들이 먹을 맵지 않은 김치", ["매움"]),
        ("아파트 층간소음 안나게", ["층간소음"]),
        ("조용한 가습기", []),  # a wish, not a negation
        ("더 싼 건 없어?", []),
        ("허리 안 좋은 엄마 쓰실 의자", []),  # 안 좋은 = bad
        ("혼자 살아서 큰건 필요 없어요", []),
    ],
)
def test_negations(parser, text, negations):
    assert parser.parse(text).negations == negations


@pytest.mark.parametrize(
    ("text", "relative"),
    [("더 싼 건 없어?", "cheaper"), ("더 저렴한 거", "cheaper"), ("더 좋은 거 없나", "pricier"), ("가습기", None)],
)
def test_follow_ups(parser, text, relative):
    assert parser.parse(text).relative == relative


def test_spans_point_at_what_was_recognised(parser):
    text = "5만원 이하 노캔 이어폰 냄새 안 나는 거"
    spans = {label.split(":")[0]: text[s:e] for s, e, label in parser.parse(text).spans}
    assert spans == {"price": "5만원 이하", "attribute": "노캔", "category": "이어폰", "negation": "냄새 안 나는"}


@pytest.mark.parametrize(
    ("product_id", "label", "ok"),
    [
        ("SHO-001", "방수", True),  # "방수 멤브레인(투습)"
        ("SHO-003", "방수", False),  # "없음(통기 메쉬)"
        ("BEA-003", "방수", True),  # 워터프루프: 있음
        ("BEA-001", "방수", False),  # 워터프루프: 없음
        ("DIG-001", "노이즈캔슬링", True),
        ("DIG-002", "노이즈캔슬링", False),
        ("LIV-001", "인덕션", True),
        ("LIV-003", "인덕션", False),  # "사용 불가 (가스레인지 전용)"
        ("KID-007", "기내반입", True),
        ("KID-008", "기내반입", False),  # "불가"
        ("APP-005", "무선", True),  # 전원: "무선 충전식(USB-C)"
        ("APP-004", "무선", False),
        ("FOO-009", "디카페인", True),
    ],
)
def test_satisfies_attribute_on_demo_products(parser, products, product_id, label, ok):
    requirement = parser.parse(f"{label} 상품").attributes[0]
    assert satisfies_attribute(products[product_id], requirement) is ok


def test_satisfies_attribute_reads_denials_in_place():
    washable = AttributeRequirement("물세탁", ("물세탁",))
    assert not satisfies_attribute(
        Product("X1", "가죽 자켓", attributes={"세탁": "가죽 클리너 사용(물세탁 불가)"}), washable
    )
    assert satisfies_attribute(Product("X2", "웰론 패딩", attributes={"세탁": "물세탁 가능"}), washable)
    waterproof = AttributeRequirement("방수", ("방수",))
    assert not satisfies_attribute(Product("X3", "캔버스화", attributes={"소재": "비방수 캔버스"}), waterproof)
    assert not satisfies_attribute(Product("X4", "러닝화"), waterproof)


def test_round_trip_through_json(parser):
    parsed = parser.parse("루미홈 가습기 5만원 이하 무향 인기 냄새 안 나는 거 더 싼 거")
    again = ParsedQuery.from_dict(json.loads(json.dumps(parsed.to_dict(), ensure_ascii=False)))
    assert again == parsed
    assert parsed.attributes and parsed.brands and parsed.negations and parsed.relative == "cheaper"
    with pytest.raises(ValueError, match="sort must be one of"):
        ParsedQuery.from_dict({**parsed.to_dict(), "sort": "cheapest"})


@pytest.mark.parametrize("text", ["", "   ", "?", "ㅋㅋㅋㅋ", "가습기 5만원 이하 냄새 안 나는 " * 3000])
def test_empty_and_very_long_input_do_not_crash(parser, text):
    parsed = parser.parse(text)
    assert parsed.text == text
    assert bool(parsed.keywords) == bool(text.strip())


def test_non_text_is_refused(parser):
    with pytest.raises(TypeError, match="text must be a str"):
        parser.parse(None)


def measure(parser, rows) -> dict[str, float]:
    """Over the demo query set (each question alone, history ignored): exact price bounds and category recall."""
    price = sum(
        (p.price_min, p.price_max) == (r["constraints"]["price_min"], r["constraints"]["price_max"])
        for r, p in ((r, parser.parse(r["query"])) for r in rows)
    )
    with_category = [r for r in rows if r["constraints"]["category"]]

    def found(r) -> bool:
        gold = r["constraints"]["category"]
        return any(c.startswith(gold) or gold.startswith(c) for c in parser.parse(r["query"]).categories)

    standalone = [r for r in with_category if not r["history"]]  # follow-ups name their category in the history
    return {
        "price": price / len(rows),
        "category_recall": sum(map(found, with_category)) / len(with_category),
        "category_recall_standalone": sum(map(found, standalone)) / len(standalone),
    }


def test_demo_query_set(parser):
    rows = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    scores = measure(parser, rows)
    assert scores["price"] == 1.0
    # measured 57/68 = 0.838: the 9 follow-ups name their product type only in the history, and 노트북/냉장고 are not
    # in the catalog; over the 59 questions that stand alone it is 57/59 = 0.966
    assert scores["category_recall"] >= 0.83
    assert scores["category_recall_standalone"] >= 0.96
