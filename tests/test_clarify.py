"""Clarify before recommending: a bare question asks first, a bare product type answers and asks, a specific question
does not ask, and a chip asked as the next turn narrows the answer. On the fixture shop (fast) and the demo (slow)."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models import FakeListChatModel

from rag.constraints import Constraints, product_mask
from rag.generation.clarify import RECIPIENTS, nice_round, price_bands
from rag.guide import ShoppingGuide, Turn


@pytest.fixture(scope="module")
def shop(shop_index_path, analyzer, embedder):
    return ShoppingGuide.from_index(shop_index_path, analyzer=analyzer, embedder=embedder)


@pytest.mark.parametrize("question", ["선물", "선물 추천해줘"])
def test_a_bare_gift_question_asks_who_it_is_for_and_shows_no_products(shop, question):
    answer = shop.ask(question)
    assert answer.recommendations == [] and answer.clarify is not None and answer.clarify.blocking
    assert answer.headline == answer.clarify.question
    assert [c.label for c in answer.clarify.chips] == list(RECIPIENTS)
    assert answer.clarify.chips[0].question == f"{RECIPIENTS[0]} {question}"
    assert "고르기: " + " · ".join(RECIPIENTS) in answer.to_text()


@pytest.mark.parametrize("question", ["추천해줘", "뭐 살까"])
def test_a_question_with_nothing_to_search_for_asks_which_kind_of_product(shop, question):
    answer = shop.ask(question)
    assert answer.recommendations == [] and answer.clarify.blocking
    tops = {p.category.split(">")[0] for p in shop.searcher.view.products}
    assert 2 <= len(answer.clarify.chips) <= 4 and {c.label for c in answer.clarify.chips} <= tops
    for chip in answer.clarify.chips:  # each chip narrows to that department and leaves products
        assert 0 < chip.products < len(shop.searcher.view.products)


def test_a_bare_product_type_answers_and_offers_the_option_that_splits_it(shop):
    answer = shop.ask("가습기 추천")
    assert answer.recommendations  # answers …
    clarify = answer.clarify  # … and asks about the facet that splits the category
    assert clarify is not None and not clarify.blocking and clarify.about == "가습방식"
    assert [c.label for c in clarify.chips] == ["초음파", "가열식"]  # cheapest option first
    assert "어떤 가습방식을 원하세요? 고르기: 초음파 · 가열식" in answer.to_text()


def test_a_chip_asked_as_the_next_turn_narrows_the_answer(shop):
    first = shop.ask("가습기 추천")
    assert {r.product_id for r in first.recommendations} == {"P1", "P2"}
    chip = next(c for c in first.clarify.chips if c.label == "가열식")
    second = shop.ask(chip.question, history=[Turn(first.question, first)])
    assert [r.product_id for r in second.recommendations] == ["P2"]  # the 가열식 one only
    assert "가열식" in second.understood
    # typed without the conversation, the same words only rank: the chip is what makes it a filter
    alone = shop.ask(chip.question)
    assert len(alone.recommendations) == 2


def test_a_budget_chip_narrows_to_its_band(shop):
    first = shop.ask("선물")
    who = shop.ask(first.clarify.chips[0].question, history=[Turn("선물", first)])
    assert who.recommendations and who.clarify.about == "예산"  # 부모님 선물: answers, then asks the budget
    for chip in who.clarify.chips:
        history = [Turn("선물", first), Turn(who.question, who)]
        narrowed = shop.ask(chip.question, history=history)
        c = narrowed.constraints
        assert narrowed.recommendations and narrowed.clarify is None  # a budget said: nothing more to ask
        assert all((c.price_min or 0) <= r.price <= (c.price_max or 10**9) for r in narrowed.recommendations)
        assert int(product_mask(shop.searcher.view, c).sum()) == chip.products


@pytest.mark.parametrize(
    "question", ["자취방에서 쓸 조용한 가습기 5만원 이하", "노이즈캔슬링 이어폰", "3만원 이하 가습기", "더 싼 건 없어?"]
)
def test_a_specific_question_is_not_asked_back(shop, question):
    answer = shop.ask(question)
    assert answer.clarify is None


def test_clarify_works_with_an_llm_and_the_bare_question_never_reaches_it(shop):
    reply = {"products": [{"product_id": "P1", "reason": "조용한 가습기예요."}]}
    model = FakeListChatModel(responses=[json.dumps(reply, ensure_ascii=False)])
    guide = ShoppingGuide(shop.searcher, shop.composer, model, "test-llm", shop.top_k)
    asked = guide.ask("선물")
    assert asked.clarify.blocking and asked.recommendations == [] and model.i == 0  # no model call
    answered = guide.ask("가습기 추천")
    assert answered.generator == "test-llm" and answered.clarify.about == "가습방식"


def test_budget_bands_are_cut_at_thirds_and_rounded():
    assert nice_round(47_000) == 50_000 and nice_round(23_000) == 20_000 and nice_round(130_000) == 100_000
    assert price_bands([29_900, 89_000, 169_000]) == [
        ("10만원 이하", None, 100_000),
        ("10만원 이상", 100_000, None),
    ]
    bands = price_bands([9_900, 12_900, 15_900, 24_900, 29_900, 45_900, 59_900, 89_000, 129_000])
    assert [b[0] for b in bands] == ["2만원 이하", "2~5만원", "5만원 이상"]
    assert price_bands([10_000]) == [] and price_bands([10_000, 10_000]) == []


# ---- the demo catalog ----


@pytest.fixture(scope="module")
def demo(demo_index_path, analyzer, embedder):
    return ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)


@pytest.mark.slow
def test_on_the_demo_a_bare_gift_asks_and_a_chip_brings_products(demo):
    asked = demo.ask("선물")
    assert asked.recommendations == [] and asked.clarify.blocking
    answered = demo.ask(asked.clarify.chips[0].question, history=[Turn("선물", asked)])
    assert answered.recommendations and not answered.clarify.blocking


@pytest.mark.slow
def test_on_the_demo_a_humidifier_question_answers_with_method_chips_that_narrow(demo):
    first = demo.ask("가습기 추천")
    assert first.recommendations and first.clarify.about == "가습방식"
    for chip in first.clarify.chips:
        narrowed = demo.ask(chip.question, history=[Turn(first.question, first)])
        facets = {p.product_id: f for p, f in zip(demo.searcher.view.products, demo.searcher.view.facets, strict=True)}
        for rec in narrowed.recommendations:  # every shown humidifier uses the chosen method
            method = next(f for f in facets[rec.product_id] if f.key == "가습방식")
            assert chip.label in method.options, (chip.label, rec.product_id)
        assert len(narrowed.recommendations) == chip.products


@pytest.mark.slow
@pytest.mark.parametrize(
    "question", ["아빠 생신 선물 뭐가 좋을까", "이사 가는데 뭐부터 살까", "여름에 시원하게 지낼 만한 거"]
)
def test_on_the_demo_a_vague_question_with_something_to_search_still_gets_products(demo, question):
    answer = demo.ask(question)
    assert answer.recommendations and (answer.clarify is None or not answer.clarify.blocking)


@pytest.mark.slow
def test_on_the_demo_a_department_chip_asks_for_the_category_next(demo):
    first = demo.ask("추천해줘")
    chip = first.clarify.chips[0]
    second = demo.ask(chip.question, history=[Turn(first.question, first)])
    assert second.recommendations and second.clarify.about == "종류"
    leaves = {p.category.split(">")[-1] for p in demo.searcher.view.products if p.category.startswith(chip.label)}
    assert {c.label for c in second.clarify.chips} <= leaves
    assert Constraints(categories=(chip.label,)).categories == second.constraints.categories


def test_the_runnable_carries_the_clarifying_question_and_the_guide_as_data(shop):
    runnable = shop.as_runnable(events=True)
    schema = runnable.get_output_schema().model_json_schema()
    assert {"Clarify", "Chip", "BuyingGuide"} <= set(schema["$defs"])  # typed output, not opaque objects
    answer = shop.as_runnable().invoke({"question": "선물"})
    assert answer.clarify.blocking and [c.label for c in answer.clarify.chips] == list(RECIPIENTS)


def test_an_answer_across_categories_has_no_buying_guide_of_one_of_them(shop):
    mixed = shop.ask("부모님 선물")
    assert len({r.category for r in mixed.recommendations}) > 1
    assert mixed.guide is None and mixed.considerations == []
    assert shop.ask("가습기 추천").guide.category == "가전>계절가전>가습기"
