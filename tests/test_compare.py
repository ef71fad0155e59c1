"""Comparison answers: which questions ask for one, which products they name, the aligned table, the verdict's
numbers against the catalog, the LLM path's checks, and the guide's routing (fixture shop)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from langchain_core.language_models import BaseChatModel, FakeListChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from rag.facets import type_attributes
from rag.generation.answer import Answer, Recommendation
from rag.generation.compare import Comparer
from rag.generation.compare_llm import check_verdict
from rag.guide import ShoppingGuide, Turn
from rag.llm import LLMConfig, make_chat_model
from rag.query.intent import COMPARE, RECOMMEND, ProductNames, read_intent
from rag.records import Product, Review
from rag.stats import compute_stats

from .test_llm import SMOLLM2, needs_model

EARPHONES = "디지털>음향기기>무선이어폰"
PRODUCTS = [
    Product("E1", "소리온 에어 ANC 노이즈캔슬링 무선 블루투스 이어폰 SF-A5", EARPHONES, "소리온", 54_900,
            attributes={"노이즈캔슬링": "있음(ANC 최대 -35dB)", "재생시간": "7시간", "무게": "4.8g(한쪽)",
                        "멀티포인트": "미지원", "착용방식": "커널형"}),
    Product("E2", "비트로 B1 가성비 커널형 무선이어폰", EARPHONES, "비트로", 19_900,
            attributes={"노이즈캔슬링": "없음", "재생시간": "5시간", "무게": "5.2g(한쪽)", "착용방식": "커널형"}),
    Product("E3", "소노릭 프로3 하이브리드 ANC 무선이어폰 AL-P3", EARPHONES, "소노릭", 169_000,
            attributes={"노이즈캔슬링": "있음(하이브리드 ANC 최대 -45dB)", "재생시간": "9시간", "무게": "5.6g(한쪽)",
                        "멀티포인트": "지원(2대)", "무선충전": "지원"}),
    Product("H1", "루미홈 초음파 미니 가습기 3L", "가전>계절가전>가습기", "루미홈", 29_900,
            attributes={"용량": "3L", "소음": "24dB", "가습방식": "초음파"}),
    Product("H2", "촉촉랩 가열식 가습기 5.5L", "가전>계절가전>가습기", "촉촉랩", 89_000,
            attributes={"용량": "5.5L", "소음": "32dB", "가습방식": "가열식"}),
    Product("M1", "클릭원 에이스 VS 프로 무선 마우스", "디지털>PC주변기기>무선마우스", "클릭원", 25_000),
    Product("S1", "소리온 붐박스 블루투스 스피커", "디지털>음향기기>블루투스스피커", "소리온", 39_000),
    Product("T1", "캠프원 원터치 텐트 4인용", "스포츠/아웃도어>캠핑>텐트", "캠프원", 129_000),
    Product("C1", "두부랑 두부모래 오리지널 7L", "반려동물>고양이용품>고양이모래", "두부랑", 12_900),
    Product("C2", "냥모래 벤토나이트 고양이모래 7kg", "반려동물>고양이용품>고양이모래", "냥모래", 9_900),
]  # fmt: skip
_TEXTS = {
    "E1": ["노캔 성능 좋아요 조용해요", "가성비 좋아요 노캔도 괜찮고요", "노캔 효과 만족해요", "귀가 좀 아파요"],
    "E2": ["가성비 최고예요 싸요", "음질은 그냥 그래요", "노캔이 없어서 시끄러워요", "가격 대비 괜찮아요"],
    "E3": ["노캔 성능 끝판왕이에요", "노캔 최고예요 조용해요", "노캔 효과 확실해요", "비싸요 가격이 부담돼요"],
    "H1": ["소음이 거의 없어서 좋아요", "조용해서 자취방에 딱이에요", "물통이 작아요"],
    "H2": ["물 끓는 소리가 커요", "가습량은 확실해요", "위생적이라 좋아요"],
}
REVIEWS = [
    Review(f"{pid}-r{i}", pid, 5.0 if i < 3 else 2.0, text, f"2026-01-{i + 1:02d}")
    for pid, texts in _TEXTS.items()
    for i, text in enumerate(texts)
]


@dataclass
class FakeCatalog:
    reviews_by_product: dict[str, list[Review]]

    def reviews(self, product_id=None):
        return iter(self.reviews_by_product.get(product_id, []))


@pytest.fixture(scope="module")
def names() -> ProductNames:
    return ProductNames.from_products(PRODUCTS)


@pytest.fixture(scope="module")
def comparer(analyzer) -> Comparer:
    by_id = {p.product_id: p for p in PRODUCTS}
    stats = compute_stats(PRODUCTS, REVIEWS)
    facets = {p.product_id: type_attributes(p.product_id, p.attributes) for p in PRODUCTS}
    grouped: dict[str, list[Review]] = {}
    for r in REVIEWS:
        grouped.setdefault(r.product_id, []).append(r)
    return Comparer(by_id.get, stats.get, lambda pid: facets.get(pid, ()), FakeCatalog(grouped), analyzer)


def shown(*ids: str) -> list[Turn]:
    """A history whose last answer showed these products."""
    recs = [Recommendation(pid, pid, "", "", 10_000, 4.0, 5.0, 3, "") for pid in ids]  # only the ids matter to intent
    return [Turn("무선이어폰 추천해줘", Answer("무선이어폰 추천해줘", "", [], recs, [], []))]


# ---- what kind of answer ----


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("소리온 에어랑 소노릭 프로3 중 뭐가 나아?", ("E1", "E3")),
        ("소리온 에어 vs 비트로 B1", ("E1", "E2")),
        ("비트로 B1하고 소노릭 프로3 비교", ("E2", "E3")),
        ("SF-A5 VS AL-P3", ("E1", "E3")),  # model codes
        ("소노릭이랑 비트로 중 어느 쪽이 좋아?", ("E3", "E2")),  # brands with particles
        ("루미홈이랑 촉촉랩 가습기 차이", ("H1", "H2")),
        ("소리온 에어, 비트로 B1, 소노릭 프로3 세 개 비교해줘", ("E1", "E2", "E3")),
        ("촉촉랩 가습기랑 루미홈 중에 밤에 틀기 좋은 건?", ("H2", "H1")),  # 'A랑 B 중에 …' without 뭐
        ("두부랑 모래하고 냥모래 중에 먼지 적은 거", ("C1", "C2")),  # 랑 inside the brand 두부랑 is no connective
        ("소리온 무선이어폰 vs 비트로 B1", ("E1", "E2")),  # the said brand outranks a name word (무선이어폰 of E3)
    ],
)
def test_named_comparisons_resolve_to_those_products(names, question, expected):
    intent = read_intent(question, names)
    assert intent.kind == COMPARE and intent.compare.product_ids == expected


@pytest.mark.parametrize(
    "question",
    [
        "노캔 이어폰 추천해줘",
        "엄마 선물 뭐가 좋을까",  # a weak cue with nothing named is a recommendation question
        "클릭원 에이스 VS 프로 마우스 어때?",  # the 'VS' belongs to a catalog product's name
        "자취방에 어떤 게 좋아?",
        "소리온 에어 배터리 오래 가?",
        "가성비 좋은 가습기 뭐가 나아?",
    ],
)
def test_questions_that_are_not_comparisons(names, question):
    assert read_intent(question, names).kind == RECOMMEND


def test_a_brand_alone_is_settled_by_the_category_of_the_other_name(names):
    # 소리온 makes an earphone and a speaker: beside an earphone, it is the earphone
    intent = read_intent("소리온이랑 비트로 B1 비교", names)
    assert intent.compare.product_ids == ("E1", "E2")


def test_a_name_the_catalog_does_not_have_is_reported_not_guessed(names):
    intent = read_intent("소리온 에어랑 애플 에어팟 프로 중 뭐가 나아?", names)
    assert intent.kind == COMPARE
    assert intent.compare.product_ids == ("E1",)  # 프로 must not pull in 소노릭 프로3
    assert [m.said for m in intent.compare.unresolved] == ["애플 에어팟 프로"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("둘 차이", ("E1", "E2")),
        ("세 개 비교해줘", ("E1", "E2", "E3")),
        ("위에 두 개 비교", ("E1", "E2")),
        ("비교해줘", ("E1", "E2", "E3")),
        ("첫 번째랑 세 번째 비교", ("E1", "E3")),
        ("둘 중 뭐가 나아?", ("E1", "E2")),
    ],
)
def test_the_ones_just_shown(names, question, expected):
    intent = read_intent(question, names, shown("E1", "E2", "E3"))
    assert intent.kind == COMPARE and intent.compare.from_history
    assert intent.compare.product_ids == expected


def test_nothing_to_compare_yet_asks_which(names):
    intent = read_intent("둘 차이", names)
    assert intent.kind == COMPARE and intent.compare.product_ids == ()


# ---- the table and the verdict ----


def test_table_cells_align_with_their_products_and_only_shared_facets_are_rows(comparer):
    comparison = comparer.compare(["E3", "E1"], "소노릭 프로3랑 소리온 에어 비교")
    assert [p.product_id for p in comparison.products] == ["E3", "E1"]
    keys = [r.key for r in comparison.rows]
    assert "facet:노이즈캔슬링" in keys and "facet:멀티포인트" in keys
    assert "facet:무선충전" not in keys and "facet:착용방식" not in keys  # only one of the two states them
    assert comparison.row("price").cells[0].text == "169,000원" and comparison.row("price").cells[1].text == "54,900원"
    assert [c.text for c in comparison.row("facet:무게").cells] == ["5.6g(한쪽)", "4.8g(한쪽)"]
    assert [c.has for c in comparison.row("facet:멀티포인트").cells] == [True, False]
    assert comparison.row("facet:노이즈캔슬링").cells[0].number == "-45dB"  # the catalog writes a reduction
    for row in comparison.rows:
        assert len(row.cells) == 2, row.key


def _won(n: int) -> str:
    return f"{n:,}원"


def test_verdict_numbers_are_the_catalogs_and_the_shoppers_focus_leads(comparer):
    by_id = {p.product_id: p for p in PRODUCTS}
    comparison = comparer.compare(["E1", "E3"], "노캔이 중요하면 소리온 에어랑 소노릭 프로3 중 뭐가 나아?")
    first = comparison.verdicts[0]
    assert first.row == "facet:노이즈캔슬링" and first.focus and first.winner == "E3"
    assert first.text == "노캔이 중요하면 소노릭 프로3: -45dB vs -35dB"  # the shopper's word, the catalog's numbers
    raws = (by_id["E3"].attributes["노이즈캔슬링"], by_id["E1"].attributes["노이즈캔슬링"])
    for raw, number in zip(raws, first.values.split(" vs "), strict=True):
        assert number in raw
    price = next(v for v in comparison.verdicts if v.row == "price")
    assert price.winner == "E1" and price.values == f"{_won(by_id['E1'].price)} vs {_won(by_id['E3'].price)}"
    multipoint = next(v for v in comparison.verdicts if v.row == "facet:멀티포인트")
    assert multipoint.winner == "E3" and multipoint.text.startswith("멀티포인트가 필요하면")
    # a row the shopper did not name is in the verdict only when one side wins it
    assert all(v.winner for v in comparison.verdicts if not v.focus)


def test_price_leads_when_the_shopper_says_price_matters(comparer):
    comparison = comparer.compare(["E1", "E3"], "가격이 중요해요")
    assert comparison.verdicts[0].row == "price" and comparison.verdicts[0].focus


def test_a_difference_without_a_better_direction_has_no_winner(comparer):
    comparison = comparer.compare(["H1", "H2"], "")
    assert all(v.row != "facet:용량" for v in comparison.verdicts)  # 3L vs 5.5L: depends on the room
    assert all(v.row != "facet:가습방식" for v in comparison.verdicts)
    quiet = next(v for v in comparison.verdicts if v.row == "facet:소음")
    assert quiet.winner == "H1" and quiet.values == "24dB vs 32dB"


def test_aspect_verdicts_cite_the_reviews_they_count(comparer, analyzer):
    comparison = comparer.compare(["E1", "E2"], "")
    aspect_verdicts = [v for v in comparison.verdicts if v.row.startswith("aspect:")]
    ids = {r.review_id: r for r in REVIEWS}
    for v in aspect_verdicts:
        assert v.citations
        for c in v.citations:
            assert c.quote in ids[c.review_id].text
    for row in comparison.rows:
        if row.kind == "aspect":
            for c in row.citations:
                assert ids[c.review_id].product_id == c.product_id


def test_products_of_different_categories_compare_what_is_comparable(comparer):
    comparison = comparer.compare(["E1", "H1"], "")
    assert comparison.mixed_categories
    assert not [r for r in comparison.rows if r.kind == "facet"]  # they state no facet in common
    assert {"price", "rating", "reviews"} <= {r.key for r in comparison.rows}


def test_plain_text_table_has_one_column_per_product(comparer):
    comparison = comparer.compare(["E1", "E2", "E3"], "")
    lines = comparison.to_text().splitlines()
    header = lines[0]
    assert all(p.short in header for p in comparison.products)
    price_line = next(line for line in lines if line.startswith("가격"))
    assert [x.strip() for x in price_line.split("|")[1:]] == ["54,900원", "19,900원", "169,000원"]


# ---- the guide: routing, not found, the LLM path (fixture shop) ----


@pytest.fixture(scope="module")
def guide(shop_index_path, analyzer, embedder) -> ShoppingGuide:
    return ShoppingGuide.from_index(shop_index_path, analyzer=analyzer, embedder=embedder)


def with_model(guide: ShoppingGuide, model) -> ShoppingGuide:
    return ShoppingGuide(guide.searcher, guide.composer, model, "test-llm", guide.top_k)


def test_a_comparison_shows_only_those_products_and_no_ranked_list(guide):
    answer = guide.ask("미니웨이브랑 스팀하우스 중 뭐가 나아?")
    assert answer.recommendations == [] and answer.comparison is not None
    assert [p.product_id for p in answer.comparison.products] == ["P1", "P2"]
    text = answer.to_text()
    assert "미니웨이브" in text and "스팀하우스" in text and "29,900원" in text and "89,000원" in text
    assert "사운드핏" not in text  # no unrelated third product


def test_a_named_product_not_found_is_said_and_nothing_is_invented(guide):
    answer = guide.ask("미니웨이브랑 다이슨 에어랩 비교해줘")
    assert not answer.found and answer.comparison is None and answer.recommendations == []
    assert "'다이슨 에어랩'" in answer.headline
    assert "스팀하우스" not in answer.to_text()


def test_compare_after_recommendations_uses_the_ones_shown(guide):
    first = guide.ask("가습기 추천해줘")
    shown_ids = [r.product_id for r in first.recommendations]
    assert len(shown_ids) >= 2
    answer = guide.ask("둘 차이", history=[Turn("가습기 추천해줘", first)])
    assert [p.product_id for p in answer.comparison.products] == shown_ids[:2]
    assert answer.headline.startswith("앞서 보여드린")


class RecordingModel(BaseChatModel):
    """Keeps the messages it was sent; replies with `reply`."""

    reply: str
    seen: list = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "recording"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.seen.append(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply))])


def test_llm_verdict_is_checked_and_a_wrong_number_is_dropped(guide):
    grounded = guide.ask("미니웨이브랑 스팀하우스 비교")
    p1, p2 = (guide.searcher.index.catalog.product(pid) for pid in ("P1", "P2"))
    right = f"가격이면 미니웨이브가 {p1.price:,}원으로 {p2.price:,}원인 스팀하우스보다 싸요."
    wrong_price = f"가격이면 미니웨이브가 {p1.price - 5_000:,}원으로 더 싸요."
    wrong_spec = "소음이 중요하면 미니웨이브: 20dB vs 38dB."  # the catalog says 26dB
    reply = json.dumps({"verdict": [right, wrong_price, wrong_spec]}, ensure_ascii=False)
    model = RecordingModel(reply=reply)
    answer = with_model(guide, model).ask("미니웨이브랑 스팀하우스 비교")
    assert answer.comparison.summary == right and answer.comparison.summary_source == "llm"
    assert answer.dropped == 2 and "2개를 빼고" in answer.notice
    assert answer.comparison.verdicts == grounded.comparison.verdicts  # the grounded, cited claims stay
    prompt = model.seen[-1][-1].content
    table = json.loads(re.search(r"```json\n(.*)\n```", prompt, re.S).group(1))
    assert {p["product_id"] for p in table["products"]} == {"P1", "P2"}
    price_row = next(r for r in table["rows"] if r["row"] == "가격")
    assert sorted(price_row["values"].values()) == ["29,900원", "89,000원"]


def test_a_failing_model_leaves_the_grounded_comparison(guide):
    answer = with_model(guide, FakeListChatModel(responses=["표를 못 읽었어요"])).ask("미니웨이브랑 스팀하우스 비교")
    assert answer.comparison.verdicts and not answer.comparison.summary
    assert answer.generator == "grounded" and "기본 판단" in answer.notice


@needs_model
def test_a_real_small_model_writes_a_comparison_through_the_checks(guide):
    model = make_chat_model(LLMConfig(backend="gguf", model_path=str(SMOLLM2), max_tokens=200, n_ctx=4096))
    answer = with_model(guide, model).ask("미니웨이브랑 스팀하우스 비교")
    assert answer.comparison is not None and answer.comparison.verdicts  # the table and grounded verdict stand
    if answer.comparison.summary_source == "llm":  # whatever the tiny model wrote, only checked sentences show
        _, dropped = check_verdict(answer.comparison, [answer.comparison.summary])
        assert dropped == []
