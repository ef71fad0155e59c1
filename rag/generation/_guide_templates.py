"""Stand-in for rag.generation.templates until it is merged: the buying guide's and clarify's templates, filled the
same way (`{word:을/를}` attaches the particle the word takes). These constants move into templates.py's
`# --- buying guide ---` and `# --- clarify ---` sections."""

from __future__ import annotations

import string

from ..josa import particle

_PAIRS = {"을/를": ("을", "를"), "이/가": ("이", "가"), "은/는": ("은", "는"), "으로/로": ("으로", "로")}


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec in _PAIRS:
            return particle(str(value), *_PAIRS[format_spec])
        return super().format_field(value, format_spec)


def say(name: str, **fields: object) -> str:
    return _Formatter().format(globals()[name], **fields)


# --- buying guide ---
GUIDE_PRICE = "{price:,}원"
GUIDE_PRICE_RANGE = "{low:,}~{high:,}원"
GUIDE_NO_PRICE = "가격 정보 없음"
GUIDE_OPTION = "{label} {count:,}종 {prices}"
GUIDE_DIMENSION = "{key}: {options}"
GUIDE_OPTION_REVIEWS = "{label} 리뷰 {reviews:,}개 중 좋다 {positive:,} · 아쉽다 {negative:,}"
GUIDE_REVIEWS = "{aspect} 후기: {options}"
GUIDE_OPTION_TOPIC = "{label} — {aspect} (리뷰 {reviews:,}개 중 좋다 {positive:,} · 아쉽다 {negative:,})"
GUIDE_TOPICS = "후기에서 많이 나온 이야기: {options}"
GUIDE_UNSAID = "{keys:을/를} 알려주시면 더 좁혀 드릴게요."

# --- clarify ---
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
