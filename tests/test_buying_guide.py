"""The buying guide (고려할 점): which facets differ in a category, their options with price ranges, what reviewers
of each option say (counts recounted, quotes verbatim), and what the question left open."""

from __future__ import annotations

import pytest

from rag.constraints import Constraints
from rag.facets import type_attributes
from rag.generation.aspects import summarize
from rag.generation.buying_guide import BuyingGuides, spread_noticeable
from rag.query import ParsedQuery, SpecConstraint
from rag.records import Product, Review

HUMIDIFIER = "가전>계절가전>가습기"


def _product(pid: str, price: int, attributes: dict, in_stock: bool = True) -> Product:
    return Product(pid, f"가습기 {pid}", HUMIDIFIER, "브랜드", price, "", attributes, in_stock=in_stock)


PRODUCTS = [
    # 용량 differs (3L … 5L), 가습방식 differs, 소음 spreads only 2 dB, 무드등 is stated by one product of four
    _product("H1", 29900, {"용량": "3L", "가습방식": "초음파", "소음": "24dB", "무드등": "7색 LED"}),
    _product("H2", 59000, {"용량": "3.2L", "가습방식": "초음파", "소음": "25dB"}),
    _product("H3", 89000, {"용량": "5L", "가습방식": "가열식", "소음": "26dB"}),
    _product("H4", 120000, {"용량": "5L", "가습방식": "가열식", "소음": "26dB"}),
    _product("H5", 300000, {"용량": "9L", "가습방식": "자연기화", "소음": "60dB"}, in_stock=False),  # sold out
]
TEXTS = {
    "H1": ["소음이 거의 없어서 밤에 틀고 자요", "조용하고 예뻐요", "물통이 작아서 자주 채워야 해요"],
    "H2": ["소리가 시끄러워서 거실에 뒀어요", "가성비 좋아요"],
    "H3": ["끓는 소리가 좀 커요", "세척이 쉬워요 통째로 씻어요"],
    "H4": ["조용해서 아기방에 둬요"],
    "H5": ["너무 시끄러워요"],
}
REVIEWS = {
    pid: [Review(f"{pid}-r{i}", pid, 4.0, text, f"2026-01-0{i + 1}") for i, text in enumerate(texts)]
    for pid, texts in TEXTS.items()
}


@pytest.fixture(scope="module")
def guides(analyzer):
    facets = {p.product_id: type_attributes(p.product_id, p.attributes) for p in PRODUCTS}
    return BuyingGuides(PRODUCTS, facets, REVIEWS.__getitem__, lambda pid: summarize(REVIEWS[pid], analyzer), analyzer)


def test_a_dimension_is_a_facet_most_products_state_whose_values_differ_noticeably(guides):
    guide = guides.guide(HUMIDIFIER)
    assert guide.products == 4  # the sold-out H5 is not what a shopper can buy
    # listed in the sellers' own attribute order; 소음 spreads 2 dB (< 3 dB) and 무드등 is stated by 1 of 4
    assert [d.key for d in guide.dimensions] == ["용량", "가습방식"]
    assert (guide.price_min, guide.price_max) == (29900, 120000)


def test_options_carry_their_products_and_price_ranges(guides):
    method = guides.guide(HUMIDIFIER).dimension("가습방식")
    assert [(o.label, o.product_ids, o.price_min, o.price_max) for o in method.options] == [
        ("초음파", ("H1", "H2"), 29900, 59000),
        ("가열식", ("H3", "H4"), 89000, 120000),
    ]
    volume = guides.guide(HUMIDIFIER).dimension("용량")
    assert [(o.label, o.product_ids) for o in volume.options] == [
        ("3L", ("H1",)),
        ("3.2L", ("H2",)),
        ("5L", ("H3", "H4")),
    ]
    lines = guides.guide(HUMIDIFIER).lines()
    assert "가습방식: 초음파 2종 29,900~59,000원 · 가열식 2종 89,000~120,000원" in lines


def test_what_reviewers_of_each_option_say_is_recounted_from_their_reviews(guides, analyzer):
    method = guides.guide(HUMIDIFIER).dimension("가습방식")
    for option in method.options:
        said = option.said
        reviews = [r for pid in option.product_ids for r in REVIEWS[pid]]
        recount = {x.aspect: x for x in summarize(reviews, analyzer)}[said.aspect]
        assert (said.positive, said.negative, said.mentions) == (recount.positive, recount.negative, recount.mentions)
        assert said.reviews == len(reviews)
        cited = next(r for r in reviews if r.review_id == said.citation.review_id)  # a review of this option
        assert said.citation.quote in cited.text
    # what 초음파 reviewers talk about most is 소음: two say it is quiet, one that it is loud
    ultrasonic = method.options[0].said
    assert (ultrasonic.aspect, ultrasonic.positive, ultrasonic.negative) == ("소음", 2, 1)


def test_a_facet_that_names_an_aspect_is_compared_on_that_aspect(analyzer):
    louder = [
        _product("H1", 29900, {"소음": "24dB"}),
        _product("H2", 59000, {"소음": "30dB"}),
    ]
    facets = {p.product_id: type_attributes(p.product_id, p.attributes) for p in louder}
    guide = BuyingGuides(louder, facets, REVIEWS.__getitem__, lambda p: summarize(REVIEWS[p], analyzer), analyzer)
    noise = guide.guide(HUMIDIFIER).dimension("소음")  # 6 dB apart: noticeable
    assert noise.aspect == "소음"
    assert [(o.label, o.said.aspect) for o in noise.options] == [("24dB", "소음"), ("30dB", "소음")]
    assert noise.options[1].said.negative == 1  # '소리가 시끄러워서 거실에 뒀어요'


@pytest.mark.parametrize(
    ("values", "dimension", "differs"),
    [
        ([24, 26], "sound", False),  # 2 dB: below the 3 dB step people notice
        ([24, 27], "sound", True),
        ([1000, 1200], "mass", False),  # 1.2 ×
        ([1000, 1250], "mass", True),  # 1.25 ×
        ([0, 5], None, True),
    ],
)
def test_the_numeric_spread_rule(values, dimension, differs):
    assert spread_noticeable(values, dimension) is differs


def test_what_the_question_did_not_say_is_offered_to_narrow_it(guides):
    open_all = guides.for_question(HUMIDIFIER, ParsedQuery("가습기 추천", categories=[HUMIDIFIER]))
    assert open_all.unsaid == ("예산", "용량", "가습방식")
    assert open_all.lines()[-1] == "예산·용량·가습방식을 알려주시면 더 좁혀 드릴게요."
    # a budget, a named option and a volume bound leave nothing open
    said = guides.for_question(
        HUMIDIFIER,
        ParsedQuery("초음파 가습기 3L 이상 5만원 이하", price_max=50000, categories=[HUMIDIFIER]),
        Constraints(specs=(SpecConstraint("volume", ">=", 3000.0, "용량"),)),
    )
    assert said.unsaid == ()
    assert not any("알려주시면" in line for line in said.lines())
    # a volume said as a bound and an option named: only the budget is left, with the particle its name takes
    spec = SpecConstraint("volume", ">=", 3000.0, "용량")
    only_budget = guides.for_question(HUMIDIFIER, ParsedQuery("초음파 가습기", categories=[HUMIDIFIER], specs=[spec]))
    assert only_budget.unsaid == ("예산",)
    assert only_budget.lines()[-1] == "예산을 알려주시면 더 좁혀 드릴게요."


def test_a_category_with_one_product_on_sale_has_no_guide(guides):
    assert guides.guide("신발>운동화>러닝화") is None


# ---- the demo catalog: every category's guide against the catalog itself ----


@pytest.fixture(scope="module")
def demo(demo_index_path, analyzer, embedder):
    from rag.guide import ShoppingGuide

    return ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)


@pytest.mark.slow
def test_demo_humidifiers_differ_in_volume_method_noise_and_water_supply(demo):
    guide = demo.composer.buying_guide(HUMIDIFIER)
    # the two on sale (the 8L one is sold out); 연속사용 12 h vs 10 h is 1.2 × apart, below the 1.25 × rule
    assert [d.key for d in guide.dimensions] == ["용량", "가습방식", "소음", "급수방식"]
    assert [(o.label, o.price_min) for o in guide.dimension("가습방식").options] == [
        ("초음파", 29900),
        ("가열식", 89000),
    ]
    noise = guide.dimension("소음")
    assert noise.aspect == "소음" and [o.label for o in noise.options] == ["24dB", "32dB"]


@pytest.mark.slow
def test_every_demo_guide_agrees_with_the_catalog(demo, analyzer):
    catalog = demo.searcher.index.catalog
    products = {p.product_id: p for p in catalog.products()}
    facets = catalog.facets()
    categories = sorted({p.category for p in products.values()})
    with_dimensions = 0
    for category in categories:
        on_sale = [p for p in products.values() if p.category == category and p.in_stock is not False]
        guide = demo.composer.buying_guide(category)
        if len(on_sale) < 2:
            assert guide is None
            continue
        with_dimensions += bool(guide.dimensions)
        for d in guide.dimensions:
            assert d.stated * 2 >= len(on_sale), (category, d.key)  # stated by at least half of them
            assert len(d.options) >= 2
            seen = [pid for o in d.options for pid in o.product_ids]
            assert len(seen) == len(set(seen)) == d.stated  # each product in one option
            for o in d.options:
                prices = [products[pid].price for pid in o.product_ids]
                assert (o.price_min, o.price_max) == (min(prices), max(prices))  # the catalog's own prices
                for pid in o.product_ids:  # the product states the option's value under the key
                    assert any(f.key == d.key and not f.source for f in facets[pid]), (pid, d.key)
                    assert products[pid].category == category and products[pid].in_stock is not False
                if o.said is None:
                    continue
                reviews = [r for pid in o.product_ids for r in catalog.reviews(pid)]
                counts = {x.aspect: x for x in summarize(reviews, analyzer)}.get(o.said.aspect)
                assert o.said.reviews == len(reviews)
                if counts is None:  # the aspect the facet names, which this option's reviewers never mention
                    assert (o.said.mentions, o.said.citation) == (0, None), (category, d.key, o.label)
                    continue
                assert (o.said.positive, o.said.negative) == (counts.positive, counts.negative), (category, d.key)
                if o.said.citation is not None:
                    review = catalog.review(o.said.citation.review_id)
                    assert review.product_id in o.product_ids and o.said.citation.quote in review.text
    assert with_dimensions >= 30  # most of the 44 demo categories have specs that tell products apart


@pytest.mark.slow
def test_the_answer_carries_the_guide_and_its_open_points(demo):
    answer = demo.ask("가습기 추천")
    assert answer.guide is not None and answer.guide.category == HUMIDIFIER
    assert answer.considerations == answer.guide.lines()
    assert answer.guide.unsaid[:2] == ("예산", "용량")
    narrowed = demo.ask("용량 5L 이상 가습기 5만원 이상")
    assert "예산" not in narrowed.guide.unsaid and "용량" not in narrowed.guide.unsaid
