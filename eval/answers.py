"""Answer metrics: citation validity, numeric faithfulness, no-answer correctness and answer latency.

The demo questions go through the product's own path (`ShoppingGuide.ask`: parse, carry the history's
constraints, search, compose, and the LLM rewrite when a chat model is given), as a conversation: a follow-up's
earlier turns are asked first and passed in as history. Every check reads the catalog itself and never trusts
the `Recommendation` it checks:

- a citation is valid when the review exists, belongs to the recommended product, the product is one the
  search returned for the question (searched again, independently of the answer), and the quote is verbatim
  review text (whitespace-normalised);
- numeric faithfulness: every price, rating and count in the text a shopper reads about a product (its rendered
  block: header, reason, pros and cons, quotes' stars) must equal the catalog's value: the price; the mean rating
  (1 decimal) on the source scale; the review, repurchase and histogram counts; each aspect's count recounted
  from the product's reviews; a quote's stars equal its review's rating. Numbers inside quotes (checked as
  verbatim text above), the product's name, brand and category, and the shopper's own budget are not claims;
- no-answer correctness: on questions with nothing to recommend, the answer recommends nothing or says it found
  nothing; the false-alarm rate is the same on answerable questions;
- latency: wall time of `ask`, p50/p95, and of its first streamed piece (what the shopper waits for).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.generation.answer import Answer, Recommendation, render_recommendation
from rag.generation.aspects import summarize
from rag.generation.checks import COUNT, NUMBER, price_mentions
from rag.index.build import ProgressFactory, no_progress
from rag.index.catalog import CatalogReader
from rag.text_safety import ELLIPSIS

_WS = re.compile(r"\s+")
_QUOTE = re.compile(r"“[^”]*”")
_REVIEW_REF = re.compile(r"리뷰\s+[A-Za-z0-9][A-Za-z0-9_\-]*\)")
_STARS = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*점")
_ASPECT_COUNT = re.compile(r"(\S+(?:\s\S+)?)\s+(좋다고|아쉽다고)\s+(\d+)건")
_OF_COUNT = re.compile(r"찾으시는 (\S+) 면에서 리뷰 (\d+)개 중 (\d+)개가 좋다고")


def _norm(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


def _verbatim(quote: str, text: str) -> bool:
    """The quote stands in the review word for word; a quote the guide cut to its display length ends with '…'
    (rag.text_safety.cap), and then what comes before the mark must stand there."""
    shown = _norm(quote)
    if shown.endswith(ELLIPSIS):
        shown = shown[: -len(ELLIPSIS)].rstrip()
    return bool(shown) and shown in _norm(text)


# ---- citations ----


def citation_problems(answer: Answer, catalog: CatalogReader, searched: set[str]) -> tuple[int, list[str]]:
    """(citations checked, what is wrong with the invalid ones); `searched` = product ids the search returned."""
    problems, total = [], 0
    for rec in answer.recommendations:
        for c in rec.citations:
            total += 1
            review = catalog.review(c.review_id)
            if review is None:
                problems.append(f"{c.review_id}: no such review in the catalog")
            elif review.product_id != rec.product_id or c.product_id != rec.product_id:
                problems.append(f"{c.review_id}: a review of {review.product_id}, cited for {rec.product_id}")
            elif rec.product_id not in searched:
                problems.append(f"{c.review_id}: its product {rec.product_id} was not retrieved for the question")
            elif not _verbatim(c.quote, review.text):
                problems.append(f"{c.review_id}: quote {c.quote[:30]!r} is not in the review's text")
    return total, problems


# ---- numbers ----


@dataclass
class Truth:
    """What the catalog says about one product: the only source numbers may come from."""

    price: int | None
    rating_mean: float | None
    rating_max: float
    counts: set[int]  # review count, repurchase mentions, histogram values
    review_count: int
    repurchase: int
    aspects: dict[str, tuple[int, int]]  # aspect → (reviews praising, reviews complaining), recounted
    review_ratings: dict[str, tuple[float, float]]  # review id → (rating, scale max)
    free_text: str  # name, brand, category: numbers in them are not claims

    @classmethod
    def of(cls, catalog: CatalogReader, product_id: str, analyzer=None) -> Truth:
        product, stats = catalog.product(product_id), catalog.stats(product_id)
        reviews = list(catalog.reviews(product_id))
        aspects = {s.aspect: (s.positive, s.negative) for s in summarize(reviews, analyzer)}
        counts = {stats.review_count, stats.repurchase_count, *stats.rating_hist.values()} if stats else {0}
        return cls(
            price=product.price,
            rating_mean=None if stats is None or stats.rating_mean is None else round(stats.rating_mean, 1),
            rating_max=stats.rating_scale[1] if stats else 5.0,
            counts=counts | {n for pair in aspects.values() for n in pair},
            review_count=stats.review_count if stats else 0,
            repurchase=stats.repurchase_count if stats else 0,
            aspects=aspects,
            review_ratings={r.review_id: (r.rating, r.rating_max) for r in reviews},
            free_text=" ".join([product.name, product.brand, product.category]),
        )


def number_problems(rec: Recommendation, truth: Truth, allowed_prices: set[int] = frozenset()) -> tuple[int, list[str]]:
    """(numeric claims checked, the wrong ones) in the text a shopper reads about `rec`."""
    claims, problems = 0, []

    def claim(ok: bool, what: str) -> None:
        nonlocal claims
        claims += 1
        if not ok:
            problems.append(f"{rec.product_id}: {what}")

    for c in rec.citations:  # the stars after a quote: "(5/5, 리뷰 id)"
        claim(truth.review_ratings.get(c.review_id) == (c.rating, c.rating_max), f"stars of {c.review_id}")
    header, _, text = render_recommendation(1, rec).partition("\n")
    header = header.split(" ", 1)[1].replace(rec.name, " ").replace(rec.brand, " ")  # drop the ordinal and names
    body = _QUOTE.sub(" ", header + "\n" + text)  # quote text is verified verbatim as a citation
    body = _REVIEW_REF.sub(")", body)
    body = re.sub(r"'[^']*'(?=에 맞는| 조건에)", " ", body)  # echoes of the question's words and constraint labels
    for m in _STARS.finditer(re.sub(r"\(\d+(?:\.\d+)?/\d+(?:\.\d+)?, \)", " ", body)):
        claim(round(float(m.group(1)), 1) == truth.rating_mean, f"rating {m.group(1)} (catalog {truth.rating_mean})")
        claim(float(m.group(2)) == truth.rating_max, f"rating scale /{m.group(2)} (catalog /{truth.rating_max:g})")
    body = _STARS.sub(" ", body)
    for m in _OF_COUNT.finditer(body):
        aspect, of, n = m.group(1), int(m.group(2)), int(m.group(3))
        claim(of == truth.review_count, f"'리뷰 {of}개' (catalog {truth.review_count})")
        claim(n == truth.aspects.get(aspect, (None, None))[0], f"{aspect} praised by {n} (recount {truth.aspects})")
    body = _OF_COUNT.sub(" ", body)
    for m in _ASPECT_COUNT.finditer(body):
        aspect, side, n = m.group(1).split()[-1], 0 if m.group(2) == "좋다고" else 1, int(m.group(3))
        aspect = next((a for a in truth.aspects if m.group(1).endswith(a)), aspect)
        recount = truth.aspects.get(aspect, (None, None))[side]
        claim(n == recount, f"'{m.group(0).strip()}' (recount {recount})")
    body = _ASPECT_COUNT.sub(" ", body)
    for m in re.finditer(r"재구매 언급 (\d+)건", body):
        claim(int(m.group(1)) == truth.repurchase, f"repurchase {m.group(1)} (catalog {truth.repurchase})")
    body = re.sub(r"재구매 언급 \d+건", " ", body)
    for m in re.finditer(r"리뷰 (\d+)개", body):
        claim(int(m.group(1)) == truth.review_count, f"'리뷰 {m.group(1)}개' (catalog {truth.review_count})")
    body = re.sub(r"리뷰 \d+개", " ", body)
    prices, body = price_mentions(body)
    for price in prices:
        claim(price == truth.price or price in allowed_prices, f"price {price:,}원 (catalog {truth.price})")
    for m in _POINTS.finditer(body):  # free text (an LLM's): "4.5점"
        claim(round(float(m.group(1)), 1) == truth.rating_mean, f"rating {m.group(0)} (catalog {truth.rating_mean})")
    body = _POINTS.sub(" ", body)
    for m in COUNT.finditer(body):
        ok = int(m.group(1)) in truth.counts or m.group(0) in truth.free_text
        claim(ok, f"count '{m.group(0)}' is none of the catalog's counts")
    body = COUNT.sub(" ", body)
    for number in NUMBER.findall(body):
        claim(number in truth.free_text, f"number {number} is nowhere in the catalog's data for the product")
    return claims, problems


# ---- running the questions ----


@dataclass
class AnswerRun:
    query_id: str
    kind: str
    no_answer: bool
    recommended: list[str]
    found: bool
    generator: str
    notice: str | None
    dropped: int
    ms: float
    first_piece_ms: float
    citations: int
    citation_problems: list[str] = field(default_factory=list)
    claims: int = 0
    number_problems: list[str] = field(default_factory=list)


def load_conversations(path: Path) -> list[dict]:
    """The demo query file's rows: query_id, query, kind, history (earlier user turns), no_answer."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        {
            "query_id": r["query_id"],
            "query": r["query"],
            "kind": r.get("kind", ""),
            "history": [
                h if isinstance(h, str) else h.get("content", "")
                for h in r.get("history") or []
                if isinstance(h, str) or h.get("role", "user") == "user"
            ],
            "no_answer": bool(r.get("no_answer")),
        }
        for r in rows
    ]


def run_answers(guide, conversations: Sequence[dict], progress: ProgressFactory = no_progress) -> list[AnswerRun]:
    from rag.guide import Turn

    catalog = guide.searcher.index.catalog
    truths: dict[str, Truth] = {}
    runs = []
    bar = progress(len(conversations), f"answers ({guide.generator})")
    for conv in conversations:
        history: list[Turn] = []
        for earlier in conv["history"]:
            history.append(Turn(earlier, guide.ask(earlier, history)))
        started = time.perf_counter()
        first = None
        answer = None
        for kind, value in guide.events(conv["query"], history):
            if first is None and kind == "text":
                first = (time.perf_counter() - started) * 1000
            if kind == "answer":
                answer = value
        ms = (time.perf_counter() - started) * 1000
        plan = guide.plan(conv["query"], history)  # the search again, independently of the answer
        searched = {p.product.product_id for p in guide.search(plan).products}
        total, bad = citation_problems(answer, catalog, searched)
        budget = {v for v in (plan.constraints.price_min, plan.constraints.price_max) if v is not None}
        claims, wrong = 0, []
        for rec in answer.recommendations:
            if rec.product_id not in truths:
                truths[rec.product_id] = Truth.of(catalog, rec.product_id, guide.searcher.index.analyzer)
            n, problems = number_problems(rec, truths[rec.product_id], budget)
            claims += n
            wrong += problems
        runs.append(
            AnswerRun(
                conv["query_id"],
                conv["kind"],
                conv["no_answer"],
                [r.product_id for r in answer.recommendations],
                answer.found,
                answer.generator,
                answer.notice,
                answer.dropped,
                ms,
                first if first is not None else ms,
                total,
                bad,
                claims,
                wrong,
            )
        )
        bar.update(1)
    bar.close()
    return runs


def _pct(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95))}


def summarize_runs(runs: Sequence[AnswerRun]) -> dict:
    """The numbers of metrics.json's `answers.<generator>` (stable keys)."""
    citations = sum(r.citations for r in runs)
    bad_citations = sum(len(r.citation_problems) for r in runs)
    claims = sum(r.claims for r in runs)
    wrong = sum(len(r.number_problems) for r in runs)
    no_answer = [r for r in runs if r.no_answer]
    answerable = [r for r in runs if not r.no_answer]
    return {
        "questions": len(runs),
        "citations": {
            "total": citations,
            "valid": citations - bad_citations,
            "validity": (citations - bad_citations) / citations if citations else None,
            "problems": [p for r in runs for p in r.citation_problems][:20],
        },
        "numbers": {
            "claims": claims,
            "faithful": claims - wrong,
            "faithfulness": (claims - wrong) / claims if claims else None,
            "problems": [p for r in runs for p in r.number_problems][:20],
        },
        "no_answer": {
            "queries": len(no_answer),
            "correct": sum(1 for r in no_answer if not r.recommended or not r.found),
            "false_alarm_answerable": sum(1 for r in answerable if not r.recommended) / len(answerable)
            if answerable
            else None,
        },
        "llm": {
            "fell_back": sum(1 for r in runs if r.notice and "응답을 받지 못해" in r.notice),
            "dropped_sentences": sum(r.dropped for r in runs),
        },
        "latency_ms": _pct([r.ms for r in runs]),
        "first_piece_ms": _pct([r.first_piece_ms for r in runs]),
        "per_question": [
            {
                "query_id": r.query_id,
                "kind": r.kind,
                "recommended": r.recommended,
                "ms": round(r.ms, 1),
                "citation_problems": r.citation_problems,
                "number_problems": r.number_problems,
            }
            for r in runs
        ],
    }


def evaluate_answers(
    index: Path,
    queries: Path,
    analyzer,
    embedder,
    chat_models: dict[str, object] | None = None,
    progress: ProgressFactory = no_progress,
) -> dict:
    """{generator label: summary} for the grounded composer and each given chat model (label → model)."""
    from rag.guide import ShoppingGuide

    conversations = load_conversations(queries)
    out = {}
    base = ShoppingGuide.from_index(index, analyzer=analyzer, embedder=embedder)
    try:
        out["grounded"] = summarize_runs(run_answers(base, conversations, progress))
        for label, model in (chat_models or {}).items():
            guide = ShoppingGuide(base.searcher, base.composer, model, label, base.top_k)
            out[label] = summarize_runs(run_answers(guide, conversations, progress))
    finally:
        base.searcher.index.close()
    return out
