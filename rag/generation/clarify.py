"""Clarify before recommending: when a question leaves open what would change the answer, ask back with 2–4 choice
chips built from the catalog's facets and shape; a chip, asked as the next turn, narrows the answer.

The decision (`Clarifier.decide`), on the question's own words and the conversation's constraints:
1. **Ask first, show nothing** when the question names no product type, states no constraint (price, brand, spec,
   requirement, order) and has no word left to search with but the words of asking itself (`REQUEST_WORDS`:
   선물, 추천, 사다, 좋다 …) — `선물`, `추천해줘`, `뭐 살까`. Products found for such a question are random: a gift
   question asks who it is for (`RECIPIENTS`), any other asks which department (the catalog's top-level categories
   with the most purchases).
2. **Answer and ask** when the question names no product type and no constraint but has words to search with
   (`엄마 선물`, `자취 시작하는데 뭐부터 사야돼`): a gift without a recipient asks who, anything else the budget
   (price bands over what the catalog sells).
3. **Answer and ask** when the question says nothing but a product type (`가습기 추천`): a type that spans several
   categories (`가전`) asks which one; a category whose buying guide has dimensions asks about the first option or
   flag dimension that splits it (가습방식: 초음파 / 가열식), else a number dimension (two chips around the median),
   else the budget within the category's prices.
4. Otherwise (something specific was said: `자취방에서 쓸 조용한 가습기 5만원 이하`) nothing is asked.

Every chip that claims to narrow is checked against the catalog: the products its question (plus its requirement,
for an option the parser does not read as a filter) allows must be fewer than the base question's and more than
none; a chip that fails is not offered. The catalog has no recipient facet, so 받는 분 chips come from the small
documented list `RECIPIENTS`; they change what is searched for, not a filter.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..constraints import Constraints, product_mask
from ..query import AttributeRequirement, ParsedQuery
from ..records import in_category
from .buying_guide import BuyingGuide, BuyingGuides, GuideDimension
from .templates import say

if TYPE_CHECKING:  # rag.generation.answer imports this module for the Answer's fields
    from .answer import Answer

# the words of asking itself: a question made only of these (and particles/endings) names nothing to search for
REQUEST_WORDS = frozenset(
    "선물 추천 상품 제품 물건 아이템 종류 거 것 뭐 무엇 사 살 구매 고르 좋 괜찮 필요 하 주 있 없 알 보 찾 요즘 제일 "
    "가장 좀 하나 뭘 어떤 어떻 괜춘 해주 드리 사다 추천해".split()
)
GIFT_WORDS = frozenset({"선물", "기프트"})
# who a gift is for: the catalog has no recipient facet, so these are a fixed, documented list. RECIPIENTS are the
# chips; RECIPIENT_WORDS are the words that already say who (or the occasion, which says as much: 집들이)
RECIPIENTS: tuple[str, ...] = ("부모님", "친구", "연인", "아이")
RECIPIENT_WORDS = frozenset(
    "부모 부모님 엄마 아빠 어머니 아버지 어머님 아버님 장모 장인 시어머니 시아버지 할머니 할아버지 친구 연인 "
    "남자친구 여자친구 남친 여친 애인 아내 남편 와이프 신랑 아이 아기 애기 딸 아들 조카 동료 상사 선생님 집들이 "
    "돌잔치 출산".split()
)
CONTENT_TAGS = ("NNG", "NNP", "NR", "SL", "SH", "VV", "VA", "XR", "MAG")
MAX_CHIPS = 4
BUDGET = "예산"
RECIPIENT = "받는 분"
CATEGORY = "종류"


@dataclass(frozen=True)
class Chip:
    label: str  # what the button says: '초음파', '3만원 이하', '부모님'
    question: str  # what is asked as the next turn when it is clicked
    about: str  # the facet key, 예산, 받는 분 or 종류
    requirement: AttributeRequirement | None = None  # added when the chip is asked (an option the parser leaves)
    products: int | None = None  # products the choice allows (None: no filter, e.g. 받는 분)


@dataclass(frozen=True)
class Clarify:
    question: str  # '어떤 가습방식을 원하세요?'
    about: str
    chips: tuple[Chip, ...]
    blocking: bool = False  # True: asked instead of recommending (no products shown)

    def chip(self, question: str) -> Chip | None:
        """The chip whose question this is (the shopper clicked it), or None."""
        text = " ".join(question.split())
        return next((c for c in self.chips if c.question == text), None)


def nice_round(value: float) -> int:
    """The nearest of 1, 2, 3, 5 × 10^k won (≥ 1,000): band edges a shopper reads at a glance."""
    if value <= 1000:
        return 1000
    power = 10 ** math.floor(math.log10(value))
    return int(min((m * power for m in (1, 2, 3, 5, 10)), key=lambda x: abs(x - value)))


def _won(amount: int) -> str:
    return say("CHIP_MANWON", amount=amount // 10_000) if amount % 10_000 == 0 else say("WON", price=amount)


def price_bands(prices: Sequence[int]) -> list[tuple[str, int | None, int | None]]:
    """(label, low, high) budget bands cut at the prices' thirds, rounded to nice amounts; every band holds a price."""
    prices = sorted(p for p in prices if p is not None)
    if len(prices) < 2:
        return []
    cuts = sorted({nice_round(prices[int(len(prices) * k / 3)]) for k in (1, 2)})
    cuts = [c for c in cuts if prices[0] <= c < prices[-1]]
    edges = [None, *cuts, None]
    out = []
    for low, high in itertools.pairwise(edges):
        inside = [p for p in prices if (low is None or p >= low) and (high is None or p <= high)]
        if not inside:
            continue
        if low is None and high is None:
            continue
        if low is None:
            label = say("CHIP_AT_MOST", value=_won(high))
        elif high is None:
            label = say("CHIP_AT_LEAST", value=_won(low))
        elif low % 10_000 == 0 and high % 10_000 == 0:
            label = say("CHIP_MANWON_RANGE", low=low // 10_000, high=high // 10_000)
        else:
            label = say("CHIP_WON_RANGE", low=low, high=high)
        out.append((label, low, high))
    return out if len(out) >= 2 else []


class Clarifier:
    """Decides whether to ask back, and builds the chips. `searcher`: the guide's `rag.search.ProductSearcher` (its
    parser, catalog view and analyzer); `guides`: the composer's buying guides."""

    def __init__(self, searcher, guides: BuyingGuides) -> None:
        self.parse, self.view, self.analyzer = searcher.parse, searcher.view, searcher.index.analyzer
        self.guides = guides
        purchases: dict[str, int] = {}
        for p, s in zip(self.view.products, self.view.stats, strict=True):
            for depth in range(1, len(p.category_path()) + 1):
                path = ">".join(p.category_path()[:depth])
                purchases[path] = purchases.get(path, 0) + (p.purchases or getattr(s, "purchases", 0) or 0)
        self.purchases = purchases
        self.leaves = sorted({p.category for p in self.view.products if p.category})

    # ---- reading the question ----

    def _free_words(self, question: str, parsed: ParsedQuery) -> list[str]:
        """Content morphemes of the question outside what the parser understood (category, price, specs …)."""
        taken = [(start, end) for start, end, _ in parsed.spans]
        words = []
        for t in self.analyzer.tokens(question):
            if not t.tag.startswith(CONTENT_TAGS):
                continue
            if any(start <= t.start < end for start, end in taken):
                continue
            words.append(t.form)
        return words

    @staticmethod
    def _constrained(parsed: ParsedQuery, constraints: Constraints) -> bool:
        stated = replace(constraints, categories=(), in_stock_only=True, exclude=(), product_ids=())
        return (
            not stated.is_empty()
            or parsed.superlative is not None
            or parsed.sort is not None
            or parsed.relative is not None
            or parsed.price_target is not None
            or parsed.cheap
            or bool(parsed.negations)
        )

    def decide(self, question: str, parsed: ParsedQuery, constraints: Constraints) -> Clarify | None:
        if self._constrained(parsed, constraints):
            return None
        words = self._free_words(question, parsed)
        own = [w for w in words if w not in REQUEST_WORDS]
        gift = any(w in GIFT_WORDS for w in words)
        if not constraints.categories:
            if not own:
                return self._recipient(question, True) if gift else self._departments(question)
            if gift and not any(w in RECIPIENT_WORDS for w in own):
                return self._recipient(question, False)
            return self._budget(question, constraints, [p.price for p in self.view.products if p.in_stock is not False])
        if own:
            return None  # the type and something more (자취방, 조용한 …): specific enough
        leaves = [c for c in self.leaves if any(in_category(c, x) for x in constraints.categories)]
        if len(leaves) > 1:
            return self._subcategories(question, constraints, leaves)
        guide = self.guides.for_question(leaves[0], parsed, constraints, question) if leaves else None
        if guide is None:
            return None
        prices = [p.price for p in self.view.products if p.category == leaves[0] and p.in_stock is not False]
        return self._facet(question, constraints, guide) or self._budget(question, constraints, prices)

    # ---- the chips ----

    def _count(self, constraints: Constraints) -> int:
        return int(product_mask(self.view, constraints).sum())

    def _narrowing(self, chips: list[Chip], base: Constraints) -> list[Chip]:
        """The chips that leave some products but fewer than the base question, each with its count."""
        before = self._count(base)
        out = []
        for chip in chips:
            parsed = self.parse(chip.question)
            c = Constraints.from_query(parsed)
            c = replace(c, categories=c.categories or base.categories)
            if chip.requirement is not None:
                c = replace(c, attributes=(*c.attributes, chip.requirement))
            n = self._count(c)
            if 0 < n < before:
                out.append(replace(chip, products=n))
        return out

    def _recipient(self, question: str, blocking: bool) -> Clarify:
        chips = tuple(Chip(r, say("CHIP_ASK", choice=r, question=question), RECIPIENT) for r in RECIPIENTS)
        return Clarify(say("CLARIFY_RECIPIENT"), RECIPIENT, chips, blocking)

    def _departments(self, question: str) -> Clarify | None:
        tops = {p.category_path()[0] for p in self.view.products if p.category_path()}
        ranked = sorted(tops, key=lambda t: (-self.purchases.get(t, 0), t))[:MAX_CHIPS]
        chips = self._narrowing([Chip(t, say("CHIP_CATEGORY", leaf=t), CATEGORY) for t in ranked], Constraints())
        return Clarify(say("CLARIFY_DEPARTMENT"), CATEGORY, tuple(chips), True) if len(chips) >= 2 else None

    def _subcategories(self, question: str, constraints: Constraints, leaves: list[str]) -> Clarify | None:
        ranked = sorted(leaves, key=lambda c: (-self.purchases.get(c, 0), c))[:MAX_CHIPS]
        chips = [Chip(c.split(">")[-1], say("CHIP_CATEGORY", leaf=c.split(">")[-1]), CATEGORY) for c in ranked]
        chips = self._narrowing(chips, constraints)
        if len(chips) < 2:
            return None
        parent = " · ".join(x.split(">")[-1] for x in constraints.categories)
        return Clarify(say("CLARIFY_SUBCATEGORY", parent=parent), CATEGORY, tuple(chips))

    def _budget(self, question: str, constraints: Constraints, prices: Sequence[int | None]) -> Clarify | None:
        bands = price_bands([p for p in prices if p is not None])
        chips = self._narrowing(
            [Chip(label, say("CHIP_ASK", choice=label, question=question), BUDGET) for label, _, _ in bands],
            constraints,
        )
        return Clarify(say("CLARIFY_BUDGET"), BUDGET, tuple(chips)) if len(chips) >= 2 else None

    def _facet(self, question: str, constraints: Constraints, guide: BuyingGuide) -> Clarify | None:
        open_ = [d for d in guide.dimensions if d.key in guide.unsaid]
        ordered = [d for d in open_ if d.kind != "number"] + [d for d in open_ if d.kind == "number"]
        for d in ordered:
            chips = self._narrowing(self._dimension_chips(d, question), constraints)
            if 2 <= len(chips):
                return Clarify(say(f"CLARIFY_{d.kind.upper()}", key=d.key), d.key, tuple(chips[:MAX_CHIPS]))
        return None

    @staticmethod
    def _dimension_chips(d: GuideDimension, question: str) -> list[Chip]:
        if d.kind == "enum":
            if not 2 <= len(d.options) <= MAX_CHIPS:
                return []
            return [
                Chip(
                    o.label,
                    say("CHIP_ASK", choice=o.label, question=question),
                    d.key,
                    AttributeRequirement(o.label, (o.label,)),
                )
                for o in d.options
            ]
        if d.kind == "flag":
            return [
                Chip(
                    say("CHIP_FLAG_LABEL", key=d.key, value=o.label),
                    say("CHIP_FLAG_HAS" if o.label == "있음" else "CHIP_FLAG_LACKS", key=d.key, question=question),
                    d.key,
                )
                for o in d.options
            ]
        # numbers: two chips around the middle of the stated values ('용량 3L 이하' / '용량 5.5L 이상')
        bands = list(d.options)
        if len(bands) < 2:
            return []
        half = len(bands) // 2
        low, high = bands[half - 1], bands[half]
        below, above = low.label.split("~")[-1], high.label.split("~")[0]
        return [
            Chip(
                say("CHIP_AT_MOST", value=below),
                say("CHIP_AT_MOST_ASK", key=d.key, value=below, question=question),
                d.key,
            ),
            Chip(
                say("CHIP_AT_LEAST", value=above),
                say("CHIP_AT_LEAST_ASK", key=d.key, value=above, question=question),
                d.key,
            ),
        ]


def _option_requirement(option: str) -> AttributeRequirement:
    """An enum option as a requirement: a product must name it in a spec value or its name (checked per chip)."""
    return AttributeRequirement(option, (option,))


# ---- the conversation ----


def chosen_chip(question: str, history: Sequence) -> Chip | None:
    """The chip of the previous answer that this question is (the shopper clicked it, or typed it out)."""
    prev = next((t.answer for t in reversed(history) if t.answer is not None), None)
    clarify = getattr(prev, "clarify", None)
    return clarify.chip(question) if clarify is not None else None


def with_chip(plan, chip: Chip | None):
    """The guide's plan with the chip's requirement added (its question states the rest)."""
    if chip is None or chip.requirement is None or chip.requirement in plan.constraints.attributes:
        return plan
    return replace(
        plan, constraints=replace(plan.constraints, attributes=(*plan.constraints.attributes, chip.requirement))
    )


def clarify_answer(question: str, plan, clarify: Clarify) -> Answer:
    """The answer that asks instead of recommending: the question as its headline, the chips, no products."""
    from .answer import Answer  # at call time: answer imports this module

    return Answer(
        question,
        clarify.question,
        plan.constraints.labels(),
        [],
        [],
        [],
        parsed=plan.parsed,
        constraints=plan.constraints,
        clarify=clarify,
    )
