"""Help me decide: the budget rule (≤ 0.7× the top pick's price, rating not much lower), the upgrade rule (≥ 1.3×
and a measurable win), no picks when prices are close, and picks only among the answer's own products."""

from __future__ import annotations

import pytest

from rag.generation.answer import Recommendation
from rag.generation.decide import BUDGET_RATIO, RATING_SLACK, UPGRADE_RATIO, decide
from rag.guide import ShoppingGuide

from .test_compare import PRODUCTS, comparer  # noqa: F401  (the comparer fixture over the hand-made catalog)

BY_ID = {p.product_id: p for p in PRODUCTS}


def rec(pid: str, rating: float | None = 4.0, reviews: int = 10, price: int | None = None) -> Recommendation:
    p = BY_ID.get(pid)
    return Recommendation(
        pid, p.name if p else pid, p.brand if p else "", p.category if p else "",
        price if price is not None else p.price, rating, 5.0, reviews if rating is not None else 0, "",
    )  # fmt: skip


def test_budget_pick_is_cheap_enough_and_rated_nearly_as_well():
    top, cheap = rec("E1", 4.0), rec("E2", 4.0 - RATING_SLACK)  # 19,900 ≤ 0.7 × 54,900
    picks = decide([top, cheap])
    assert picks.top.product_id == "E1" and picks.budget.product_id == "E2" and picks.upgrade is None
    assert picks.budget.why.startswith(f"{top.name}보다 35,000원 싸요 (19,900원 vs 54,900원)")
    assert "평점 3.7 vs 4.0" in picks.budget.why


def test_no_budget_pick_when_it_is_rated_much_lower_or_not_at_all():
    assert decide([rec("E1", 4.0), rec("E2", 4.0 - RATING_SLACK - 0.1)]) is None
    assert decide([rec("E1", 4.0), rec("E2", None)]) is None  # nothing says it is nearly as good


def test_no_picks_when_prices_are_close():
    top = rec("E1")
    near = [rec("X1", price=int(top.price * (BUDGET_RATIO + 0.05))), rec("X2", price=int(top.price * 1.2))]
    assert decide([top, *near]) is None


def test_upgrade_pick_wins_something_measurable(comparer):  # noqa: F811
    picks = decide([rec("E1", 4.0), rec("E3", 4.1)], comparer)
    assert picks.upgrade.product_id == "E3" and BY_ID["E3"].price >= UPGRADE_RATIO * BY_ID["E1"].price
    assert picks.upgrade.why.startswith("114,100원 더 비싸지만 ")
    assert "노이즈캔슬링 -45dB vs -35dB" in picks.upgrade.why  # the catalog's numbers, from the comparison
    assert "facet:노이즈캔슬링" in picks.upgrade.rests_on


def test_a_pricier_product_that_wins_nothing_is_no_upgrade(comparer):  # noqa: F811
    # 촉촉랩 costs 3× 루미홈 but is louder (32dB vs 24dB) and rated the same: paying more buys nothing measurable
    assert decide([rec("H1", 5.0), rec("H2", 5.0)], comparer) is None


def test_all_three_picks(comparer):  # noqa: F811
    picks = decide([rec("E1", 4.0), rec("E2", 3.9), rec("E3", 4.1)], comparer)
    assert [p.role for p in picks.all()] == ["top", "budget", "upgrade"]
    text = picks.to_text()
    assert text.startswith("고르기 쉽게\n") and text.count("\n- ") == 3


@pytest.fixture(scope="module")
def guide(shop_index_path, analyzer, embedder) -> ShoppingGuide:
    return ShoppingGuide.from_index(shop_index_path, analyzer=analyzer, embedder=embedder)


def test_guide_answers_carry_picks_only_among_their_own_products(guide):
    answer = guide.ask("가습기 추천해줘", sort="price_desc", top_k=2)
    assert [r.product_id for r in answer.recommendations] == ["P2", "P1"]
    assert answer.picks.top.product_id == "P2" and answer.picks.budget.product_id == "P1"
    assert "더 저렴한 선택: 미니웨이브 초음파 가습기 3L (29,900원)" in answer.to_text()
    within = guide.ask("가습기 5만원 이하")  # only the 29,900원 humidifier fits: nothing to choose between
    assert [r.product_id for r in within.recommendations] == ["P1"] and within.picks is None
