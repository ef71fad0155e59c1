"""The one home of hand-written query vocabulary: synonyms and spec words a catalog cannot teach.

Everything else the parser knows comes from the catalog itself (`vocabulary.py`: category names, brands, facet keys,
flag names, the dimensions each category's facets have). The tables here are general Korean shopping words, short
and documented, each entry used only when the catalog has what it points at; none is fitted to a question set.
"""

from __future__ import annotations

from dataclasses import dataclass

# label → (surface forms that satisfy it in a product, extra ways shoppers ask for it)
ATTRIBUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "방수": (("방수", "워터프루프", "ip"), ("waterproof",)),
    "무선": (("무선", "코드리스", "충전식"), ("선 없는", "전기 없이", "전기 없어도", "콘센트 없이", "wireless")),
    "충전식": (("충전식",), ("rechargeable",)),  # narrower than 무선: an AA-battery mouse is 무선, not 충전식
    "무선충전": (("무선충전",), ()),
    "노이즈캔슬링": (
        ("노이즈캔슬링", "노이즈 캔슬링", "anc"),
        ("노캔", "소음차단", "소음 차단", "noise cancelling", "noise canceling"),
    ),
    "무향": (("무향",), ("향 없는", "향없는", "무향료", "unscented")),
    "인덕션": (("인덕션", "ih"), ()),
    "저소음": (("저소음", "무소음", "사일런트"), ()),
    "블루투스": (("블루투스", "bluetooth"), ("블투",)),
    "디카페인": (("디카페인", "decaf"), ()),
    "무염": (("무염",), ("소금 없는", "무가염")),
    "비건": (("비건", "vegan"), ()),
    "기내반입": (("기내반입", "기내 반입"), ("비행기 반입",)),
    "와이파이": (("와이파이", "wifi", "wi-fi"), ()),
    "물세탁": (("물세탁",), ()),
}

# a catalog flag name (a key whose values say has/lacks) → other words for it; used only if the catalog has the key
FLAG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "식기세척기": ("식세기",),
    "리모컨": ("리모콘",),
}
# a catalog category name → the words shoppers use for it; an entry is used only if the catalog has that name
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "무선이어폰": ("이어퐁", "이어폰", "에어팟", "버즈"),
    "보조배터리": ("폰 충전기", "휴대폰 충전기", "보조 배터리", "배터리팩"),
    "서큘레이터": ("선풍기",),
    "공기청정기": ("공청기",),
    "에어프라이어": ("에프",),
    "선크림": ("썬크림", "선블록", "썬블록", "자외선차단제"),
    "클렌징폼": ("폼클렌징", "폼클렌저"),
    "수분크림": ("보습크림",),
    "패딩": ("롱패딩", "숏패딩", "다운점퍼"),
    "맨투맨/후드티": ("맨투맨", "후드티", "후드"),
    "청바지": ("데님",),
    "레인코트": ("우비", "비옷"),
    "레인부츠": ("장화",),
    "러닝화": ("런닝화", "조깅화"),
    "등산화": ("트레킹화",),
    "캠핑의자": ("캠핑체어",),
    "등산스틱": ("트레킹폴",),
    "수납장": ("서랍장",),
    "책상": ("데스크",),
    "텀블러": ("보온병",),
    "견과류": ("견과", "믹스넛"),
    "아기띠": ("힙시트",),
    "아기물티슈": ("물티슈",),
    "자동급식기": ("급식기",),
}
# a word shoppers use for a family of categories: every named category the catalog has is offered
CATEGORY_FAMILIES: dict[str, tuple[str, ...]] = {
    "운동화": ("러닝화", "스니커즈"),
}

# English product words live with the product types they name, in rag.type_lexicon (ENGLISH_NAMES): one list.


@dataclass(frozen=True)
class SpecWord:
    """An adjective that orders by a facet: '가벼운' → the lightest first (mass, min).

    senses: (dimension, facet key) pairs, the first the asked categories' facets have is used; a key, when given,
    must be a key of that dimension in the catalog ('용량 큰' is the category's 용량 in ml, mAh or kg; '두꺼운' is
    두께 for a mat, and grammage for wet wipes that state no 두께). Which facet of a dimension a product's value
    comes from (a run time, not a timer) is rag.facets' choice (its USUAL_KEYS), not a second list here.
    """

    senses: tuple[tuple[str, str], ...]
    direction: str  # "min" | "max"


_LIGHT = SpecWord((("mass", ""),), "min")
_QUIET = SpecWord((("sound", ""),), "min")
_LONG_RUN = SpecWord((("duration", ""), ("charge", "")), "max")
# '오래 쓰는': a run time where the product has one; else the amount that lasts (a 60 ml tube outlasts a 50 ml one)
_LONG_USE = SpecWord(
    (("duration", ""), ("charge", ""), ("volume", "용량"), ("count", ""), ("mass", "용량"), ("mass", "중량")), "max"
)
_CAPACITY = SpecWord(
    (("volume", "용량"), ("charge", "용량"), ("mass", "용량"), ("count", "용량"), ("mass", "중량")), "max"
)
_THIN = SpecWord((("length", "두께"), ("grammage", "")), "min")
_THICK = SpecWord((("length", "두께"), ("grammage", "")), "max")
# the documented synonym list of issue 11: wishes that name no attribute but mean one (compact forms, spaces removed)
SPEC_WORDS: dict[str, SpecWord] = {
    **dict.fromkeys(("가벼운", "가볍고", "가벼워", "가벼움", "경량", "초경량"), _LIGHT),
    **dict.fromkeys(("light", "lightweight", "lighter", "lightest"), _LIGHT),
    **dict.fromkeys(("조용한", "조용하고", "조용해", "quiet", "quieter", "quietest"), _QUIET),
    **dict.fromkeys(("오래가는", "오래버티는", "long-lasting"), _LONG_RUN),
    **dict.fromkeys(("오래쓰는", "오래쓸"), _LONG_USE),
    **dict.fromkeys(("용량큰", "용량이큰", "큰용량", "대용량", "용량많은", "많이들어가는"), _CAPACITY),
    **dict.fromkeys(("얇은",), _THIN),
    **dict.fromkeys(("두꺼운", "두툼한"), _THICK),
}
# a negated unwanted quality is a wish too: '안 무거운', '시끄럽지 않은' (the negation reader's nominalised forms)
NEGATED_SPEC_WORDS: dict[str, SpecWord] = {
    "무거움": _LIGHT,
    "시끄러움": _QUIET,
}
# '<a catalog key of a numeric facet> + one of these' orders by that facet: '소음 적은', '흡입력 센', '출력 높은'
MAGNITUDE_WORDS: dict[str, str] = {
    "큰": "max",
    "높은": "max",
    "많은": "max",
    "센": "max",
    "강한": "max",
    "긴": "max",
    "넓은": "max",
    "작은": "min",
    "낮은": "min",
    "적은": "min",
    "약한": "min",
    "짧은": "min",
    "적게 나가는": "min",  # '무게가 적게 나가는': weighs little
    "덜 나가는": "min",
    "많이 들어가는": "max",  # '용량이 많이 들어가는'
}
# words before a quantity that describe the shopper, not the product: '키 180cm 이상', '몸무게 70kg', '발 270mm'
SHOPPER_WORDS: tuple[str, ...] = (
    "키",
    "신장",
    "몸무게",
    "체중",
    "발",
    "발길이",
    "허리",
    "가슴",
    "어깨",
    "아기",
    "아이",
)
# words that make an adjective a superlative or, with 더/보다, a comparative on a follow-up
SUPERLATIVE_MARKERS: tuple[str, ...] = ("제일", "가장", "젤", "최고로", "최대한", "most", "the most")
COMPARATIVE_MARKERS: tuple[str, ...] = ("더", "좀 더", "이거보다", "이것보다", "그거보다", "그것보다", "보다")
