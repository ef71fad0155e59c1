"""Answer metrics of `python -m eval` (eval/answers.py) against hand-made cases on the demo catalog."""

from __future__ import annotations

import dataclasses
import json

import pytest
from langchain_core.language_models import FakeListChatModel

from eval.answers import Truth, citation_problems, load_conversations, number_problems, run_answers, summarize_runs
from rag.generation.answer import Citation
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
        claims, problems = number_problems(rec, Truth.of(catalog, rec.product_id), {50_000})
        # price, rating and scale twice (header and reason), review count twice, each pro/con, each quote's stars
        assert claims >= 6 + len(rec.pros) + len(rec.cons) + len(rec.citations), claims
        assert problems == [], problems


def test_each_kind_of_wrong_number_is_caught(guide, answer):
    catalog = guide.searcher.index.catalog
    rec = next(r for r in answer.recommendations if r.pros and r.review_count)
    truth = Truth.of(catalog, rec.product_id)
    first_pro = rec.pros[0]
    cases = {
        "price": dataclasses.replace(rec, price=rec.price + 1000),
        "rating": dataclasses.replace(rec, rating_mean=rec.rating_mean - 0.5),
        "리뷰": dataclasses.replace(rec, review_count=rec.review_count + 1),
        "recount": dataclasses.replace(
            rec,
            pros=[dataclasses.replace(first_pro, line=f"{first_pro.aspect} 좋다고 {first_pro.count + 3}건")],
        ),
        "stars of": dataclasses.replace(
            rec, citations=[dataclasses.replace(rec.citations[0], rating=rec.citations[0].rating - 1)]
        ),
        "none of the catalog's counts": dataclasses.replace(rec, reason="이 제품은 1237명이 샀어요."),
        "rating 9.9점": dataclasses.replace(rec, reason="평점이 9.9점이에요."),
        "nowhere": dataclasses.replace(rec, reason="소음이 17.5 데시벨 정도예요."),
    }
    for expected, bad in cases.items():
        _, problems = number_problems(bad, truth, {50_000})
        assert any(expected in p for p in problems), (expected, problems)
    # the shopper's own budget may be repeated; any other price may not
    ok = dataclasses.replace(rec, reason="5만원 이하 조건에 맞아요.")
    assert number_problems(ok, truth, {50_000})[1] == []
    assert number_problems(ok, truth, set())[1] != []


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
