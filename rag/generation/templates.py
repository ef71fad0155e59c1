"""Every Korean sentence a shopper reads, in one place; filled from the structured `Answer` and its evidence.

A template is a `str.format` string; a field's format spec may name a particle, which is attached after the
field's value as that value is read (`rag.josa`): `say(NOT_CARRIED, word="전기밥솥")` →
'이 카탈로그에는 전기밥솥이 없어요.' from `"이 카탈로그에는 {word:이/가} 없어요."`. Particle specs: 을/를, 이/가,
은/는, 이에요/예요, 으로/로, 과/와, 이나/나, 이랑/랑, 아/야, 이라/라, 이라고/라고 (`rag.josa.PAIRS`); any other spec is
the usual format spec (`{price:,}` → 54,900); both combine with a bar: `{scale:g|이에요/예요}` → '5예요', '10이에요'.

Why a Python module and not a data file: the templates are imported by the library's own modules (no package data
to ship or find at run time), `say` fails loudly on an unknown name at import of the caller, ruff and the tests
see every template (tests/test_templates.py renders each one with nouns that end with and without a final
consonant), and each answer kind keeps its sentences in a section of its own so that parallel work merges cleanly.

Numbers are never written into prose by hand: a sentence with a number is a template whose fields are the
structured values (`Fact`), and `eval.answers` checks those values and that the rendered text is exactly those
templates filled: rewording a template cannot switch the check off.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..josa import PAIRS, attach


class _KoreanFormatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        spec, _, pair = format_spec.rpartition("|") if "|" in format_spec else ("", "", format_spec)
        if pair in PAIRS:  # {word:이/가}, or after a number's own format: {scale:g|이에요/예요}
            return attach(super().format_field(value, spec), pair)
        return super().format_field(value, format_spec)


_FORMATTER = _KoreanFormatter()


def fill(template: str, /, **fields: object) -> str:
    """The template with its fields filled and particles attached."""
    return _FORMATTER.format(template, **fields)


def say(name: str, /, **fields: object) -> str:
    """The template called `name` (a constant of this module) filled: say("NOT_CARRIED", word="TV")."""
    return fill(template(name), **fields)


def template(name: str) -> str:
    value = globals().get(name)
    if not name.isupper() or not isinstance(value, str):
        raise KeyError(f"no answer template named {name!r}; the templates are {', '.join(sorted(all_templates()))}")
    return value


def all_templates() -> dict[str, str]:
    """name → template text, for the tests and for a translator."""
    return {k: v for k, v in globals().items() if k.isupper() and not k.startswith("_") and isinstance(v, str)}


def fields_of(text: str) -> list[tuple[str, str]]:
    """(field name, format spec) of each field in a template."""
    return [(name, spec or "") for _, name, spec, _ in _FORMATTER.parse(text) if name is not None]


@dataclass(frozen=True)
class Fact:
    """One sentence of an answer as data: the template it is rendered with and the values that fill it. The
    numbers a shopper reads about a product are the numeric fields of its facts; checks read those, not the text."""

    template: str
    fields: Mapping[str, object] = field(default_factory=dict)

    def text(self) -> str:
        return say(self.template, **self.fields)


SEP = " · "  # between items of a list in one line
LIST_SEP = " / "  # between pros, or between suggestions

# --- numbers as shown ---
WON = "{price:,}원"
NO_PRICE = "가격 정보 없음"
STARS = "{rating:g}/{scale:g}"  # a review's own rating after its quote
RATING_CARD = "★ {rating:.1f}/{scale:g} (리뷰 {review_count:,}개)"
NO_REVIEWS_CARD = "아직 리뷰 없음"

# --- recommendation card (rag.generation.answer render functions) ---
CARD_HEADER = "{i}. {name} — {brand}, {price}, {rating}"
CARD_PROS = "좋은 점: {points}"
CARD_CONS = "아쉬운 점: {points}"
CARD_QUOTE = "“{quote}” ({stars}, 리뷰 {review_id})"
SECTION_CONSIDERATIONS = "고려할 점"
SECTION_FOLLOW_UPS = "이어서 물어보세요: {chips}"
SECTION_SUGGESTIONS = "이렇게 바꿔 보세요: {suggestions}"
NOTICE_LINE = "※ {notice}"

# --- reasons (rag.generation.composer) ---
REASON_WANTED_ASPECT = "찾으시는 {aspect} 면에서 리뷰 {review_count:,}개 중 {positive:,}개가 좋다고 했어요."
REASON_MATCHED = "질문하신 '{phrase}'에 맞는 상품 정보와 리뷰가 있어요."
REASON_RATING = "평점 {rating:.1f}/{scale:g|이에요/예요} (리뷰 {review_count:,}개)."
REASON_RATING_REPURCHASE = "평점 {rating:.1f}/{scale:g} (리뷰 {review_count:,}개), 재구매 언급 {repurchase:,}건이에요."
REASON_NO_REVIEWS = "아직 리뷰가 없는 상품이라 상품 정보로만 골랐어요."
REASON_PRICE_FITS = "{price:,}원으로 '{label}' 조건에 맞아요."
ASPECT_PRO = "{aspect} 좋다고 {count:,}건"
ASPECT_CON = "{aspect} 아쉽다고 {count:,}건"

# --- headlines ---
HEADLINE_FOUND = "{note}찾으신 조건에 맞는 상품 {count:,}개를 골랐어요{condition}."
HEADLINE_CONDITION = " (조건: {labels})"
HEADLINE_NOTHING = "찾지 못했어요: 조건에 맞는 상품이 이 카탈로그에 없어요."
SUPERLATIVE = "가장 {words} 순으로 골랐어요 (그 정보가 있는 상품 먼저)."
ORDER_LOW = "{key:이/가} 낮은"
ORDER_HIGH = "{key:이/가} 높은"
# (dimension, direction) → how a shopper says the order ("가장 가벼운 순"); others: ORDER_LOW / ORDER_HIGH
ORDER_WORDS: dict[tuple[str, str], str] = {
    ("mass", "min"): "가벼운",
    ("mass", "max"): "무거운",
    ("sound", "min"): "조용한",
    ("volume", "max"): "용량이 큰",
    ("volume", "min"): "용량이 작은",
    ("charge", "max"): "배터리 용량이 큰",
    ("charge", "min"): "배터리 용량이 작은",
    ("duration", "max"): "오래 가는",
    ("power", "max"): "출력이 센",
    ("length", "min"): "얇은",
    ("area", "max"): "넓은 면적을 맡는",
    ("people", "max"): "여럿이 쓸 수 있는",
}

# --- specs, stock and the catalog's range ---
SPEC_UNKNOWN_ITEM = "{key} 정보 없음"
SPEC_UNKNOWN = "{items}: 상품 정보에 적혀 있지 않아 조건에 맞는지 알 수 없어요."
NOT_CARRIED = "이 카탈로그에는 {word:이/가} 없어요."
NOT_CARRIED_NEAREST = "가까운 카테고리: {leaves}."
NOT_CARRIED_INSTEAD = "{word} 대신 {leaf} 보기"
SOLD_OUT = "가장 잘 맞는 {names:은/는} 품절이에요."
SOLD_OUT_OTHERS = "재고 있는 다른 상품을 보여드려요."
# a use case read through the reviews (rag.query.use_context): the quality is the lexicon's word, not the shopper's,
# so it is not quoted as if they had said it
NOTE_USE_CONTEXT = "이런 쓰임을 말한 리뷰에서 {key:이/가} 자주 함께 이야기돼요."
NOTE_NO_PRODUCT_TYPE = "질문에서 상품 종류를 알아보지 못했어요: '{example}'처럼 상품 종류를 적어 주시면 더 정확해요."

# --- constraints: chips and what to loosen (rag.constraints) ---
LABEL_PRICE_RANGE = "{low:,}~{high:,}원"
LABEL_PRICE_MAX = "{high:,}원 이하"
LABEL_PRICE_MIN = "{low:,}원 이상"
LABEL_WITHOUT = "{label} 없음"
LABEL_IN_STOCK = "재고 있음"
LOOSEN_PRICE = "가격 조건({label})을 풀면 {count:,}개 상품이 있어요"
LOOSEN_BRAND = "브랜드 조건({brands})을 풀면 {count:,}개 상품이 있어요"
LOOSEN_ATTRIBUTE = "'{label}' 조건을 빼면 {count:,}개 상품이 있어요"
LOOSEN_SPEC_WIDER = "{asked:을/를} {wider:으로/로} 넓히면 {count:,}개 상품이 있어요"  # asked, wider: quoted labels
LOOSEN_SPEC_LOWER = "{asked:을/를} {wider:으로/로} 낮추면 {count:,}개 상품이 있어요"
LOOSEN_SPEC_DROP = "{asked:을/를} 빼면 {count:,}개 상품이 있어요"
LOOSEN_STOCK = "품절 상품까지 보면 {count:,}개 상품이 있어요"
LOOSEN_CATEGORY = "카테고리 조건({leaves})을 풀면 {count:,}개 상품이 있어요"

# --- notices (rag.guide) ---
NOTICE_LLM_UNREACHABLE = "LLM({label}) 응답을 받지 못해 근거 기반 기본 답변을 보여드려요 ({why})."
NOTICE_LLM_DEADLINE = "{seconds:g}초 안에 답이 오지 않았어요"
NOTICE_LLM_DROPPED = "LLM이 쓴 문장 중 근거와 맞지 않는 {count:,}개를 빼고 보여드려요."
NOTICE_QUESTION_CUT = "질문이 길어서 앞 {chars:,}자만 사용했어요."
PRICE_CONTRADICTION = "가격 조건이 서로 맞지 않아요: {low:,}원 이상이면서 {high:,}원 이하인 가격은 없어요."
PRICE_CONTRADICTION_BETWEEN = "그 사이에서 찾으려면 '{high:,}~{low:,}원'처럼 적어 주세요"
PRICE_CONTRADICTION_ONE = "둘 중 하나만 남겨 보세요: '{low:,}원 이상' 또는 '{high:,}원 이하'"

# --- follow-up chips and conversation notes (composer.follow_ups, rag.query.followups) ---
CHIP_CHEAPER = "더 저렴한 건 없어?"
CHIP_SECOND_CONS = "두 번째 거 단점은?"
CHIP_ASPECT_BETTER = "{aspect} 괜찮은 걸로 보여줘"
CHIP_BY_RATING = "평점 높은 순으로 보여줘"
CHIP_RETRY = "조건을 바꿔서 다시 물어보기"
CHIP_FIX_PRICE = "가격 조건을 고쳐서 다시 물어보기"
NOTE_CHEAPER = "앞서 추천한 상품보다 싼 {price:,}원 이하로"
NOTE_PRICIER = "앞서 추천한 상품보다 비싼 {price:,}원 이상으로"
EMPTY_CHEAPER = "앞서 추천한 {name}({price:,}원)보다 싼 상품은 이 조건에서 없어요: 그게 가장 저렴해요."
EMPTY_PRICIER = "앞서 추천한 {name}({price:,}원)보다 비싼 상품은 이 조건에서 없어요."
NOTE_COMPARATIVE = "앞서 추천한 {name}보다 {how} {bound:으로/로}"
EMPTY_COMPARATIVE = "앞서 추천한 {name}보다 {how} 상품은 이 조건에서 없어요."
NOTE_FOCUS = "{position:,}번째 상품({name})에 대해"
NOTE_CARRIED_OVER = "앞의 조건을 이어서"


# --- comparison ---
# (rag.generation.compare: the table's labels and cells, the verdict, the headline around it)
COMPARE_COLUMN_ITEM = "항목"
COMPARE_ROW_PRICE = "가격"
COMPARE_ROW_RATING = "평점"
COMPARE_ROW_REVIEWS = "리뷰 수"
COMPARE_ROW_STOCK = "재고"
COMPARE_ROW_ASPECT = "리뷰: {aspect}"
COMPARE_CELL_RATING = "{rating:.1f}/{scale:g}"
COMPARE_CELL_NO_REVIEWS = "리뷰 없음"
COMPARE_CELL_REVIEWS = "{count:,}개"
COMPARE_CELL_SOLD_OUT = "품절"
COMPARE_CELL_IN_STOCK = "있음"
COMPARE_CELL_ASPECT = "좋다 {positive:,} · 아쉽다 {negative:,}"
COMPARE_CELL_NOT_MENTIONED = "언급 없음"
COMPARE_SAID_ASPECT = "{cell} (리뷰 {count:,}개 중)"
COMPARE_SAID_RATING = "{cell} (리뷰 {count:,}개)"
COMPARE_LEAD_PRICE = "가격이면"
COMPARE_LEAD_RATING = "평점이면"
COMPARE_LEAD_NEED = "{label:이/가} 필요하면"  # has / lacks: true whether or not having it is better
COMPARE_LEAD_MATTERS = "{label:이/가} 중요하면"
COMPARE_VERDICT = "{lead} {product}: {mine} vs {rest}"  # '노캔이 중요하면 소노릭 프로3: -45dB vs -35dB'
COMPARE_VERDICT_NO_WINNER = "{label}: {values} — 이 기준으로는 어느 쪽이 낫다고 하기 어려워요"
COMPARE_SECTION_VERDICT = "판단"
COMPARE_SOURCE_ROW = "표: {row}"
COMPARE_SOURCE_REVIEW = "리뷰 {review_id}"
COMPARE_NAMES_TWO = "{first:과/와} {second}"
COMPARE_NAMES_MANY = "{names} {count:,}개"
COMPARE_HEADLINE = "{names:을/를} 비교했어요."
COMPARE_HEADLINE_SHOWN = "앞서 보여드린 {names:을/를} 비교했어요."
COMPARE_MIXED = "서로 다른 종류({leaves})라 가격·평점·리뷰처럼 견줄 수 있는 것만 나란히 놓았어요."
COMPARE_LEFT_OUT = "{names:은/는} 이 카탈로그에서 찾지 못해 빼고 비교했어요."  # names: quoted as said
COMPARE_NOT_FOUND = "{names}에 맞는 상품을 이 카탈로그에서 찾지 못했어요."
COMPARE_AMBIGUOUS = "'{said}'에 맞는 상품이 여러 개예요: {names}."
COMPARE_FOUND_ONLY = "찾은 상품은 {names:이에요/예요}."
COMPARE_ASK_WHICH = (
    "무엇을 비교할지 알려 주세요: 상품 이름을 두 개 이상 적거나, 추천을 받은 뒤 '둘 차이'처럼 물어보세요."
)
COMPARE_SUGGEST_NAMES = "상품 이름을 'A랑 B 비교'처럼 두 개 이상 적어 주세요"
COMPARE_SUGGEST_SIMILAR = "{product:과/와} 비슷한 상품을 먼저 추천받아 보세요"
COMPARE_CHIP_CATEGORY = "{leaf} 추천해줘"
NOTICE_LLM_COMPARE_UNREACHABLE = "LLM({label}) 응답을 받지 못해 근거 기반 기본 판단을 보여드려요 ({why})."


# --- decide ---
# (rag.generation.decide: the three picks and one line of why each)
PICKS_SECTION = "고르기 쉽게"
PICK_TOP = "가장 잘 맞는 상품"
PICK_BUDGET = "더 저렴한 선택"
PICK_UPGRADE = "한 단계 위"
PICK_LINE = "- {label}: {product} ({price}) — {why}"
PICK_RATING = "평점 {rating:.1f}/{scale:g} (리뷰 {count:,}개)"
PICK_NO_REVIEWS = "리뷰 없음"
PICK_TOP_WHY = "질문에 가장 잘 맞아요 · {rating}"
PICK_BUDGET_WHY = "{top}보다 {diff:,}원 싸요 ({price:,}원 vs {top_price:,}원)"
PICK_BUDGET_RATING = "평점 {rating:.1f} vs {top_rating:.1f}"
PICK_UPGRADE_WIN = "{label} {values}"
PICK_UPGRADE_WHY = "{diff:,}원 더 비싸지만 {wins}"


# --- buying guide --- (rag.generation.buying_guide, rendered by rag.generation.guide_text)
GUIDE_PRICE_RANGE = "{low:,}~{high:,}원"
GUIDE_OPTION = "{label} {count:,}종 {prices}"
GUIDE_DIMENSION = "{key}: {options}"
GUIDE_OPTION_REVIEWS = "{label} 리뷰 {reviews:,}개 중 좋다 {positive:,} · 아쉽다 {negative:,}"
GUIDE_REVIEWS = "{aspect} 후기: {options}"
GUIDE_OPTION_TOPIC = "{label} — {aspect} (리뷰 {reviews:,}개 중 좋다 {positive:,} · 아쉽다 {negative:,})"
GUIDE_TOPICS = "후기에서 많이 나온 이야기: {options}"
GUIDE_UNSAID = "{keys:을/를} 알려주시면 더 좁혀 드릴게요."
GUIDE_TITLE = "{leaf} {count:,}종을 고를 때 갈리는 점"


# --- clarify --- (rag.generation.clarify; chips' questions are asked as the next turn)
CLARIFY_RECIPIENT = "누구에게 줄 선물인가요? 받는 분을 고르시면 맞춰 골라 드릴게요."
CLARIFY_DEPARTMENT = "어떤 종류의 상품을 찾으세요? 종류를 고르시면 그 안에서 골라 드릴게요."
CLARIFY_SUBCATEGORY = "{parent} 중 어떤 걸 찾으세요?"
CLARIFY_BUDGET = "예산은 어느 정도 생각하세요?"
CLARIFY_ENUM = "어떤 {key:을/를} 원하세요?"
CLARIFY_FLAG = "{key:이/가} 꼭 있어야 하나요?"
CLARIFY_NUMBER = "원하는 {key:이/가} 있으세요?"
CLARIFY_LINE = "{question} 고르기: {chips}"
CLARIFY_CHOICES = "고르기: {chips}"
CHIP_ASK = "{choice} {question}"  # a chip's next question: the choice, then the shopper's own words
CHIP_CATEGORY = "{leaf} 추천"
CHIP_FLAG_LABEL = "{key} {value}"
CHIP_FLAG_HAS = "{key} 있는 {question}"
CHIP_FLAG_LACKS = "{key} 없는 {question}"
CHIP_AT_MOST = "{value} 이하"
CHIP_AT_LEAST = "{value} 이상"
CHIP_AT_MOST_ASK = "{key} {value} 이하 {question}"
CHIP_AT_LEAST_ASK = "{key} {value} 이상 {question}"
CHIP_MANWON = "{amount:,}만원"
CHIP_MANWON_RANGE = "{low:,}~{high:,}만원"
CHIP_WON_RANGE = "{low:,}~{high:,}원"


# --- bought together ---
# (rag.related.CoBehaviour.together; the fields are rag.generation.answer.BoughtTogether's)
BOUGHT_TOGETHER_TITLE = "함께 구매한 상품"
LIKED_TOGETHER_TITLE = "함께 좋게 평가한 상품"  # no purchase events: from ratings (NSMC)
BOUGHT_TOGETHER = "이 상품을 산 {buyers:,}명 중 {co_buyers:,}명이 {product:을/를} 함께 샀어요"
LIKED_TOGETHER = "이 상품을 좋게 평가한 {buyers:,}명 중 {co_buyers:,}명이 {product:을/를} 함께 좋게 평가했어요"
