"""Honest "not carried" on the demo catalog: a type the catalog lacks is said so with no products, a carried type
asked with a synonym, a colloquial spelling, a typo or in English never is.

The two lists were written as shoppers would ask, from general shopping vocabulary (not from rag/type_lexicon.py,
and before measuring): OUT_OF_CATALOG names product types a Korean shop sells that the demo catalog does not;
IN_CATALOG names the demo's own types in other words. The rule is in rag/carried.py.
"""

from __future__ import annotations

import pytest

from rag.carried import CatalogTypes
from rag.josa import particle
from rag.query import QueryVocabulary

pytestmark = pytest.mark.slow  # the demo index, once per run

OUT_OF_CATALOG = [
    "전기밥솥 추천해줘",
    "블렌더 5만원 이하",
    "캣타워 튼튼한 거",
    "로봇청소기 추천",
    "제습기 원룸용",
    "전기포트 세척 쉬운 거",
    "커피머신 입문용",
    "식기세척기 6인용",
    "냉장고 양문형",
    "세탁기 드럼 추천",
    "전자레인지 싼 거",
    "토스터 추천해주세요",
    "믹서기 추천",
    "헤어드라이어 가벼운 거",
    "고데기 추천",
    "전동칫솔 추천해줘",
    "면도기 뭐가 좋아요",
    "안마의자 추천",
    "체중계 정확한 거",
    "노트북 가벼운 거",
    "모니터 27인치",
    "기계식 키보드 추천",
    "태블릿 학생용",
    "스마트워치 추천",
    "헤드폰 편한 거",
    "빔프로젝터 가성비",
    "게임기 추천",
    "소파 3인용",
    "식탁 4인용",
    "책장 원목",
    "암막 커튼",
    "러그 거실용",
    "베개 목 편한 거",
    "이불 겨울용",
    "수건 두꺼운 거",
    "우산 튼튼한 거",
    "냄비 세트",
    "도마 위생적인 거",
    "식칼 추천",
    "밀폐용기 세트",
    "코트 겨울용 여성",
    "원피스 여름",
    "슬랙스 남자",
    "양말 두꺼운 거",
    "백팩 추천",
    "지갑 선물용",
    "선글라스 추천",
    "구두 편한 거",
    "슬리퍼 푹신한 거",
    "샌들 여름용",
    "립스틱 추천",
    "향수 여자 선물",
    "파운데이션 커버력 좋은 거",
    "마스크팩 추천",
    "라면 맛있는 거",
    "생수 2L 묶음",
    "과자 선물세트",
    "영양제 피로회복",
    "분유 추천",
    "카시트 신생아",
    "장난감 4살",
    "강아지 간식 추천",
    "고양이 스크래쳐",
    "강아지 하네스",
    "침낭 동계용",
    "덤벨 세트",
    "자전거 출퇴근용",
    "골프공 추천",
    "아이스박스 캠핑",
    "전기장판 추천",
    "제빙기 추천",
    "멀티쿠커 추천",
    "족욕기 추천",
    "손난로 추천",
    "보풀제거기 추천",
    "빨래건조대 튼튼한 거",
    "rice cooker",
    "blender under 50000 won",
    "laptop for college",
    "전기밥솟 추천",  # a typo of a type the catalog lacks
]

IN_CATALOG = [
    "가습기 추천",
    "가숩기 조용한거",
    "미니 가습기",
    "캠핑용 선풍기",
    "써큘레이터 추천",
    "공청기 추천",
    "공기 청정기",
    "무선 청소기",
    "핸디 청소기",
    "청소기 가벼운 거",
    "썬크림",
    "선블록 추천",
    "자외선차단제",
    "수분 크림",
    "보습크림 건성",
    "폼클렌징",
    "클렌징 폼 약산성",
    "탈모 샴푸",
    "노캔 이어폰",
    "이어퐁 추천좀",
    "에어팟 같은 거",
    "블투 스피커",
    "방수 블루투스 스피커",
    "보조 배터리",
    "보조베터리 가벼운거",
    "휴대폰 충전기 들고 다니는 거",
    "무선 마우스",
    "조용한 마우스",
    "롱패딩",
    "숏패딩 가벼운 거",
    "맨투맨",
    "후드티 오버핏",
    "청바지 여성",
    "데님 바지",
    "우비",
    "레인코트",
    "견과 선물",
    "아몬드 대용량",
    "닭가슴살",
    "커피 원두",
    "원두 산미",
    "백김치",
    "김치 5kg",
    "사무용 의자",
    "게이밍 의자",
    "컴퓨터 책상",
    "전동 책상",
    "매트리스 퀸",
    "서랍장",
    "기저귀",
    "기저기 밤에 안새는거",
    "아기 물티슈",
    "유모차",
    "힙시트",
    "아기띠",
    "후라이팬",
    "프라이팬 인덕션",
    "에어프라이기 대용량으로",
    "에프 추천",
    "텀블러",
    "보온병",
    "세탁 세제",
    "캡슐세제",
    "강아지 사료",
    "고양이 모래",
    "두부모래",
    "배변패드",
    "자동 급식기",
    "등산화",
    "트레킹화",
    "런닝화",
    "조깅화 발볼 넓은",
    "운동화 추천",
    "스니커즈 흰색",
    "장화",
    "텐트 4인용",
    "캠핑 의자",
    "캠핑체어",
    "요가 매트",
    "등산 스틱",
    "트레킹폴",
    "humidifier",
    "cheap air fryer",
    "running shoes",
    "tent for camping",
    "power bank",
    "yoga mat",
    "wireless earbuds",
    "office chair",
    "cat litter",
    "stroller",
]


def _said(demo_searcher, questions):
    return {q: demo_searcher.search(q, top_k=3) for q in questions}


def test_the_lists_are_big_enough():
    assert len(OUT_OF_CATALOG) >= 60 and len(IN_CATALOG) >= 60
    assert not set(OUT_OF_CATALOG) & set(IN_CATALOG)


def test_not_carried_precision_and_recall(demo_searcher):
    out = _said(demo_searcher, OUT_OF_CATALOG)
    inside = _said(demo_searcher, IN_CATALOG)
    caught = [q for q, r in out.items() if r.not_carried]
    false = [q for q, r in inside.items() if r.not_carried]
    recall = len(caught) / len(out)
    false_rate = len(false) / len(inside)
    precision = len(caught) / max(len(caught) + len(false), 1)
    print(f"not carried: recall {recall:.3f}, false rate {false_rate:.3f}, precision {precision:.3f}")
    print("missed:", [q for q in out if q not in caught], "false:", false)
    assert recall >= 0.95, [q for q in out if q not in caught]
    assert false_rate <= 0.02, false
    for result in out.values():  # what is said is said with no products
        if result.not_carried:
            assert result.products == [] and not result.found


def test_the_answer_says_it_with_the_nearest_categories(demo_searcher):
    result = demo_searcher.search("전기밥솥 추천")
    assert result.not_carried == "전기밥솥" and result.products == []
    assert "에어프라이어" in result.nearest_categories  # the kitchen appliance the catalog has
    leaves = {p.category.split(">")[-1] for p in demo_searcher.view.products}
    assert result.nearest_categories and set(result.nearest_categories) <= leaves
    from rag.generation.composer import GroundedComposer

    answer = GroundedComposer(demo_searcher.index.catalog).compose(result, "전기밥솥 추천")
    assert answer.headline.startswith("이 카탈로그에는 전기밥솥이 없어요")
    assert answer.not_carried == "전기밥솥" and answer.nearest_categories == result.nearest_categories
    assert not answer.recommendations


def test_a_type_named_only_inside_a_longer_type_is_not_carried(demo_searcher):
    """로봇청소기: the parser reads 청소기 (the catalog's 무선청소기), but a robot vacuum is another type."""
    result = demo_searcher.search("로봇청소기 추천")
    assert result.not_carried == "로봇청소기" and not result.products
    assert "무선청소기" in result.nearest_categories


def test_context_words_are_not_the_asked_type(demo_searcher):
    """A lacking type used as context beside a carried type or a brand is no 'not carried'."""
    context = ("노트북도 충전되는 보조배터리", "카메라 달린 자동급식기", "3~5만원 텀블러 가방에 넣어도 안새는거")
    for question in (*context, "쿡마루 세라믹팬이랑 스틸하우스 중에 식세기 돌릴거면"):
        result = demo_searcher.search(question)
        assert result.not_carried is None, question


def test_english_finds_the_type_or_says_it_could_not(demo_searcher):
    fryer = demo_searcher.search("cheap air fryer")
    assert fryer.products and all(p.product.category.endswith("에어프라이어") for p in fryer.products)
    blender = demo_searcher.search("blender under 50000 won")
    assert blender.not_carried == "블렌더" and not blender.products
    vague = demo_searcher.search("something nice for my mom")
    assert vague.notes and "상품 종류를 알아보지 못했어요" in vague.notes[0]


def test_a_catalog_without_product_fields_is_never_judged(analyzer):
    """NSMC-like catalogs (products are '영화 <id>' with no own text) get no type check: their queries are reviews."""
    from rag.fields import FieldIndex
    from rag.records import Product

    movies = [Product(f"m{i}", f"영화 {i}", "영화") for i in range(5)]
    assert not FieldIndex.build(movies, analyzer)
    types = CatalogTypes(movies, analyzer, QueryVocabulary.from_products(movies, analyzer))
    assert not types.is_carried("노트북") and types.is_carried("영화")


def test_particles_follow_the_last_sound():
    assert particle("전기밥솥", "이", "가") == "전기밥솥이"
    assert particle("블렌더", "이", "가") == "블렌더가"
    assert particle("TV", "이", "가") == "TV가"
    assert particle("'640g 이하'", "으로", "로") == "'640g 이하'로"
    assert particle("'2만mAh 이상'", "을", "를") == "'2만mAh 이상'을"
