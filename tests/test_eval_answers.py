"""Answer metrics of `python -m eval` (eval/answers.py) against hand-made cases on the demo catalog."""

from __future__ import annotations

import dataclasses
import json

import pytest
from langchain_core.language_models import FakeListChatModel

from eval.answers import (
    Truth,
    catalog_words,
    citation_problems,
    load_conversations,
    number_problems,
    run_answers,
    stem_problems,
    summarize_runs,
)
from rag.generation import templates as T
from rag.generation.answer import Citation
from rag.generation.templates import Fact
from rag.guide import ShoppingGuide

pytestmark = pytest.mark.slow  # the demo index is built once per run (about a minute)


@pytest.fixture(scope="module")
def guide(demo_index_path, analyzer, embedder):
    return ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)


@pytest.fixture(scope="module")
def answer(guide):
    return guide.ask("자취방에서 쓸 조용한 가습기 5만원 이하")


def searched(guide, question: str) -> set[str]:
    return {p.product.product_id for p in guide.search(guide.plan(question)).products}


def test_the_grounded_answer_has_only_valid_citations(guide, answer):
    total, problems = citation_problems(answer, guide.searcher.index.catalog, searched(guide, answer.question))
    assert total >= 3 and problems == []


def test_each_kind_of_bad_citation_is_caught(guide, answer):
    catalog = guide.searcher.index.catalog
    rec = answer.recommendations[0]
    good = rec.citations[0]
    other = next(r for r in catalog.reviews() if r.product_id != rec.product_id)
    cases = {
        "no such review": dataclasses.replace(good, review_id="NO-SUCH-r999"),
        "a review of": Citation(other.review_id, rec.product_id, other.text[:10], other.rating, other.rating_max),
        "is not in the review's text": dataclasses.replace(good, quote=good.quote + " 그리고 최고예요"),
    }
    for expected, bad in cases.items():
        broken = dataclasses.replace(rec, citations=[bad])
        doctored = dataclasses.replace(answer, recommendations=[broken])
        total, problems = citation_problems(doctored, catalog, {rec.product_id})
        assert total == 1 and len(problems) == 1 and expected in problems[0], (expected, problems)
    # a quote cut to its display length ('…', rag.text_safety.cap) is verbatim up to the mark; an altered one is not
    review = catalog.review(good.review_id)
    cut = dataclasses.replace(good, quote=review.text[:12] + "…")
    altered = dataclasses.replace(good, quote=review.text[:12] + "정말…")
    for citation, n_problems in ((cut, 0), (altered, 1)):
        doctored = dataclasses.replace(answer, recommendations=[dataclasses.replace(rec, citations=[citation])])
        assert len(citation_problems(doctored, catalog, {rec.product_id})[1]) == n_problems, citation.quote
    # the right review of the right product, but the product was never retrieved for the question
    total, problems = citation_problems(answer, catalog, searched(guide, "아기 물티슈"))
    assert problems and "was not retrieved" in problems[0]


def test_every_number_of_the_grounded_text_is_checked_and_true(guide, answer):
    catalog = guide.searcher.index.catalog
    for rec in answer.recommendations:
        claims, problems = number_problems(rec, Truth.of(catalog, rec.product_id), {50_000}, answer.understood)
        # price, review count, rating and scale, repurchase, histogram; each pro/con thrice; each quote's stars; the
        # facts' numeric fields; the reason as rendered; no number left over
        assert claims >= 8 + 3 * (len(rec.pros) + len(rec.cons)) + len(rec.citations), claims
        assert problems == [], problems


def _with_fact_field(rec, template: str, **changes):
    facts = [Fact(f.template, {**f.fields, **changes}) if f.template == template else f for f in rec.facts]
    return dataclasses.replace(rec, facts=facts, reason=" ".join(f.text() for f in facts))


def test_each_kind_of_wrong_number_is_caught(guide, answer):
    catalog = guide.searcher.index.catalog
    rec = next(r for r in answer.recommendations if r.pros and r.review_count)
    truth = Truth.of(catalog, rec.product_id)
    first_pro = rec.pros[0]
    rating_fact = next(f.template for f in rec.facts if f.template.startswith("REASON_RATING"))
    cases = {
        "price": dataclasses.replace(rec, price=rec.price + 1000),
        "rating": dataclasses.replace(rec, rating_mean=rec.rating_mean - 0.5),
        "리뷰": dataclasses.replace(rec, review_count=rec.review_count + 1),
        "recount": dataclasses.replace(rec, pros=[dataclasses.replace(first_pro, count=first_pro.count + 3)]),
        "is not its count rendered": dataclasses.replace(
            rec, pros=[dataclasses.replace(first_pro, line=f"{first_pro.aspect} 좋다고 {first_pro.count + 3}건")]
        ),
        "stars of": dataclasses.replace(
            rec, citations=[dataclasses.replace(rec.citations[0], rating=rec.citations[0].rating - 1)]
        ),
        f"{rating_fact}.review_count": _with_fact_field(rec, rating_fact, review_count=rec.review_count + 7),
        "is not its facts rendered": dataclasses.replace(rec, reason="이 제품은 1237명이 샀어요."),
        "no structured field states": dataclasses.replace(rec, reason="이 제품은 1237명이 샀어요."),
    }
    for expected, bad in cases.items():
        _, problems = number_problems(bad, truth, {50_000}, answer.understood)
        assert any(expected in p for p in problems), (expected, problems)
    # the shopper's own budget may be repeated; any other price may not
    price_fact = Fact("REASON_PRICE_FITS", {"price": 50_000, "label": "50,000원 이하"})
    ok = dataclasses.replace(rec, facts=[price_fact], reason=price_fact.text())
    assert number_problems(ok, truth, {50_000}, ["50,000원 이하"])[1] == []
    assert number_problems(ok, truth, set(), ["50,000원 이하"])[1] != []
    assert number_problems(ok, truth, {50_000}, [])[1] != []  # a label that is none of the constraints


def test_rewording_a_template_does_not_switch_the_number_check_off(guide, answer, monkeypatch):
    """The check reads the fact's field, so a new wording of the sentence still has its wrong number caught."""
    catalog = guide.searcher.index.catalog
    rec = next(r for r in answer.recommendations if r.review_count)
    truth = Truth.of(catalog, rec.product_id)
    rating_fact = next(f.template for f in rec.facts if f.template.startswith("REASON_RATING"))
    wrong = rec.review_count + 7

    def problems() -> list[str]:
        bad = _with_fact_field(rec, rating_fact, review_count=wrong)
        assert str(wrong) in bad.reason
        right = _with_fact_field(rec, rating_fact)
        return number_problems(bad, truth, {50_000}, answer.understood)[1], number_problems(
            right, truth, {50_000}, answer.understood
        )[1]

    before_bad, before_right = problems()
    monkeypatch.setattr(T, rating_fact, "별점 {rating:.1f}점 ({scale:g}점 만점), 후기 {review_count:,}건 기준이에요.")
    after_bad, after_right = problems()
    assert before_right == [] and after_right == []
    assert [p for p in before_bad if "review_count" in p] == [p for p in after_bad if "review_count" in p] != []


def test_no_answer_quotes_analyzer_stems(guide):
    catalog_text = catalog_words(guide.searcher.index.catalog)
    for question in ("오래 신어도 발 안 아픈 신발", "피부 뒤집어지지 않는 크림", "남편 생일에 줄 만한 거"):
        answer = guide.ask(question)
        assert stem_problems(answer, [question], catalog_text) == [], answer.to_text()
    # the check itself: a reason quoting stems is caught
    answer = guide.ask("오래 신어도 발 안 아픈 신발")
    rec = answer.recommendations[0]
    stems = dataclasses.replace(rec, reason="'신 발 아프'에 맞는 상품 정보와 리뷰가 있어요.")
    doctored = dataclasses.replace(answer, recommendations=[stems])
    assert stem_problems(doctored, [answer.question], catalog_text) == [f"{answer.question!r}: '신 발 아프'"]


def test_a_conversation_run_scores_no_answer_and_follow_ups(guide, tmp_path):
    rows = [
        {"query_id": "a", "query": "자취방에서 쓸 조용한 가습기", "history": [], "no_answer": False},
        {
            "query_id": "b",
            "query": "그럼 5만원 이하로는?",
            "kind": "followup",
            "history": [{"role": "user", "content": "자취방에서 쓸 조용한 가습기 추천해줘"}],
        },
        {"query_id": "c", "query": "대학생 노트북 추천해주세요 가벼운걸로", "history": [], "no_answer": True},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    conversations = load_conversations(path)
    assert conversations[1]["history"] == ["자취방에서 쓸 조용한 가습기 추천해줘"]
    summary = summarize_runs(run_answers(guide, conversations))
    assert summary["questions"] == 3
    assert summary["citations"]["validity"] == 1.0 and summary["citations"]["total"] >= 6
    assert summary["numbers"]["faithfulness"] == 1.0 and summary["numbers"]["claims"] >= 20
    assert summary["analyzer_stems"]["count"] == 0
    assert summary["no_answer"] == {"queries": 1, "correct": 1, "false_alarm_answerable": 0.0}
    follow_up = summary["per_question"][1]
    prices = [guide.searcher.index.catalog.product(p).price for p in follow_up["recommended"]]
    assert prices and all(p <= 50_000 for p in prices)  # the history's category, the new budget
    assert summary["latency_ms"]["p50"] > 0 and summary["first_piece_ms"]["p50"] <= summary["latency_ms"]["p95"]


def test_an_llm_that_invents_numbers_is_measured_after_the_checks(guide):
    question = "자취방에서 쓸 조용한 가습기"
    conversations = [{"query_id": "a", "query": question, "kind": "", "history": [], "no_answer": False}]
    base = guide.ask(question)
    invented = "리뷰 9999개가 칭찬해요."
    reply = {"products": [{"product_id": r.product_id, "reason": invented} for r in base.recommendations]}
    model = FakeListChatModel(responses=[json.dumps(reply, ensure_ascii=False)])
    llm_guide = ShoppingGuide(guide.searcher, guide.composer, model, "fake", guide.top_k)
    summary = summarize_runs(run_answers(llm_guide, conversations))
    # the guide's checks dropped every invented sentence, so what the shopper reads is still faithful
    assert summary["llm"]["dropped_sentences"] == len(base.recommendations)
    assert summary["numbers"]["faithfulness"] == 1.0
