"""Product types shoppers ask for that a catalog may simply not carry.

Naming one that no category of the catalog mentions means "not found", not "show something near it".
The list is general shopping vocabulary, not fitted to any query set; English product words (`lexicon.ENGLISH`)
count by their Korean word, so 'rice cooker' is found missing as 전기밥솥.
"""

from __future__ import annotations

import re

from .lexicon import ENGLISH

COMMON_PRODUCT_TYPES = (
    "노트북",
    "냉장고",
    "세탁기",
    "건조기",
    "TV",
    "티비",
    "모니터",
    "휴대폰",
    "스마트폰",
    "태블릿",
    "카메라",
    "자전거",
    "자동차",
    "향수",
    "시계",
    "안경",
    "전자레인지",
    "식기세척기",
    "에어컨",
    "프린터",
    "게임기",
    "냉동고",
    "정수기",
    "비데",
    "골프채",
)


def missing_product_type(text: str, category_text: str) -> str | None:
    """A product type the question names that no category (lower-cased, joined in `category_text`) mentions.

    Call it only when the parser found no category: an English word the catalog carries ('fan' → 서큘레이터 by
    its synonyms) has made a category already.
    """
    low = text.lower()
    for word in COMMON_PRODUCT_TYPES:
        if word.lower() in low and word.lower() not in category_text:
            return word
    for english, korean in sorted(ENGLISH.items(), key=lambda e: -len(e[0])):
        if re.search(rf"(?<![a-z]){re.escape(english)}s?(?![a-z])", low) and korean not in category_text:
            return korean
    return None
