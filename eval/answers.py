"""Answer metrics: citation validity, numeric faithfulness, no-answer correctness and answer latency.

The demo questions go through the product's own path (`ShoppingGuide.ask`: parse, carry the history's
constraints, search, compose, and the LLM rewrite when a chat model is given), as a conversation: a follow-up's
earlier turns are asked first and passed in as history. Every check reads the catalog itself and never trusts
the `Recommendation` it checks:

- a citation is valid when the review exists, belongs to the recommended product, the product is one the
  search returned for the question (searched again, independently of the answer), and the quote is verbatim
  review text (whitespace-normalised);
- numeric faithfulness, read from the structured answer, never from its prose: the card's price, mean rating (1
  decimal) and scale, review, repurchase and histogram counts; each pro/con's count recounted from the product's
  reviews and its `of`; each quote's stars against its review; and every numeric field of every `Fact` of the
  reason, by its name (`price`, `rating`, `scale`, `review_count`, `repurchase`, `positive`: the catalog's value;
  a `label` must be one of the answer's constraint labels). Then the text: the reason is exactly its facts rendered
  by `rag.generation.templates`, each pro/con line its template filled, and once every piece rendered from a
  structured value is taken out of the card, no digit is left (no number the structure does not state). Rewording a
  template changes none of this. Only a reason an LLM wrote (no structure) is read as prose, claim by claim;
- no analyzer stems: every quoted span ('…') of every rendered text of every answer (the demo set and the spec
  set) is the shopper's own words (a substring of the question or an earlier turn), a constraint label, catalog
  text (a product's name, brand, category or attribute), or a bound the guide computed ('640g 이하'); anything else
  is counted (it must be 0);
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

from rag.generation import templates as T
from rag.generation.answer import Answer, Recommendation, price_text, rating_text, render_recommendation
from rag.generation.aspects import summarize
from rag.generation.checks import COUNT, NUMBER, price_mentions
from rag.index.build import ProgressFactory, no_progress
from rag.index.catalog import CatalogReader
from rag.text_safety import ELLIPSIS

SPEC_QUERIES = Path(__file__).parent / "data" / "spec_queries" / "queries.jsonl"
_WS = re.compile(r"\s+")
_QUOTE = re.compile(r"“[^”]*”")
_STARS = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*점")


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
    rating_hist: dict[str, int]
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
            rating_hist=dict(stats.rating_hist) if stats else {},
            aspects=aspects,
            review_ratings={r.review_id: (r.rating, r.rating_max) for r in reviews},
            free_text=" ".join([product.name, product.brand, product.category]),
        )


# the catalog value each numeric field of a Fact must equal, by the field's name
_FIELD_TRUTH = {
    "rating": lambda t, v, f: round(float(v), 1) == t.rating_mean,
    "scale": lambda t, v, f: float(v) == t.rating_max,
    "review_count": lambda t, v, f: v == t.review_count,
    "repurchase": lambda t, v, f: v == t.repurchase,
    "positive": lambda t, v, f: v == t.aspects.get(f.get("aspect"), (None, None))[0],
    "negative": lambda t, v, f: v == t.aspects.get(f.get("aspect"), (None, None))[1],
}


def compared_problems(cp, truth: Truth) -> tuple[int, list[str]]:
    """A compared product's price, rating and review count (the table's columns) against the catalog."""
    checks = [
        ("price", cp.price, truth.price),
        ("rating", None if cp.rating_mean is None else round(cp.rating_mean, 1), truth.rating_mean),
        ("reviews", cp.review_count, truth.review_count),
    ]
    wrong = [f"{cp.product_id} {name} {shown} != {true}" for name, shown, true in checks if shown != true]
    return len(checks), wrong


def number_problems(
    rec: Recommendation,
    truth: Truth,
    allowed_prices: set[int] = frozenset(),
    labels: Sequence[str] = (),
) -> tuple[int, list[str]]:
    """(numeric claims checked, the wrong ones) about `rec`, from its structured fields (module docstring)."""
    claims, problems = 0, []

    def claim(ok: bool, what: str) -> None:
        nonlocal claims
        claims += 1
        if not ok:
            problems.append(f"{rec.product_id}: {what}")

    claim(rec.price == truth.price, f"price {rec.price} (catalog {truth.price})")
    claim(rec.review_count == truth.review_count, f"'리뷰 {rec.review_count}개' (catalog {truth.review_count})")
    if rec.review_count:
        rating = None if rec.rating_mean is None else round(rec.rating_mean, 1)
        claim(rating == truth.rating_mean, f"rating {rating} (catalog {truth.rating_mean})")
        claim(
            float(rec.rating_max) == truth.rating_max,
            f"rating scale /{rec.rating_max:g} (catalog /{truth.rating_max:g})",
        )
    claim(rec.repurchase_count == truth.repurchase, f"repurchase {rec.repurchase_count} (catalog {truth.repurchase})")
    claim(rec.rating_hist == truth.rating_hist, f"rating histogram {rec.rating_hist} (catalog {truth.rating_hist})")
    for side, points in ((0, rec.pros), (1, rec.cons)):
        for p in points:
            recount = truth.aspects.get(p.aspect, (None, None))[side]
            claim(
                p.count == recount,
                f"{p.aspect} {'praised' if side == 0 else 'criticised'} by {p.count} (recount {recount})",
            )
            claim(p.of == truth.review_count, f"{p.aspect}: of {p.of} reviews (catalog {truth.review_count})")
            line = T.say("ASPECT_PRO" if side == 0 else "ASPECT_CON", aspect=p.aspect, count=p.count)
            claim(p.line == line, f"the line {p.line!r} is not its count rendered ({line!r})")
    for c in rec.citations:  # the stars after a quote
        claim(truth.review_ratings.get(c.review_id) == (c.rating, c.rating_max), f"stars of {c.review_id}")
    if rec.reason_source == "llm":  # free text an LLM wrote: no structure to read, so it is read claim by claim
        n, wrong = _prose_number_problems(rec.reason, truth, allowed_prices)
        claims += n
        problems += [f"{rec.product_id}: {w}" for w in wrong]
    else:
        for fact in rec.facts:
            for name, value in fact.fields.items():
                if name == "price":
                    claim(value == truth.price or value in allowed_prices, f"price {value:,}원 (catalog {truth.price})")
                elif name in _FIELD_TRUTH:
                    claim(_FIELD_TRUTH[name](truth, value, fact.fields), f"{fact.template}.{name} = {value}")
                elif name == "label":
                    claim(
                        value in labels, f"{fact.template}: label {value!r} is none of the constraints {list(labels)}"
                    )
                elif isinstance(value, int | float):
                    claim(False, f"{fact.template}.{name} = {value}: a number with no catalog value to check it by")
        rendered = " ".join(f.text() for f in rec.facts)
        claim(rec.reason == rendered, f"the reason {rec.reason!r} is not its facts rendered ({rendered!r})")
    claim(not _unaccounted_digits(rec), f"numbers no structured field states: {_unaccounted_digits(rec)}")
    return claims, problems


def _unaccounted_digits(rec: Recommendation) -> list[str]:
    """Digits left in the card once every piece rendered from a structured value is taken out."""
    card = render_recommendation(1, rec).split(" ", 1)[1]  # the ordinal
    pieces = [rec.name, rec.brand, price_text(rec.price), rating_text(rec), *(p.line for p in rec.pros + rec.cons)]
    pieces += (
        [c.quote for c in rec.citations] + [c.stars() for c in rec.citations] + [c.review_id for c in rec.citations]
    )
    if rec.reason_source == "llm":
        pieces.append(rec.reason)  # checked as prose above
    else:
        pieces += [f.text() for f in rec.facts]
    for piece in sorted(pieces, key=len, reverse=True):
        if piece:
            card = card.replace(piece, " ")
    return NUMBER.findall(card)


def _prose_number_problems(text: str, truth: Truth, allowed_prices: set[int]) -> tuple[int, list[str]]:
    """Numbers of free text (an LLM's reason) against the catalog: prices, ratings, counts, any other number."""
    claims, problems = 0, []

    def claim(ok: bool, what: str) -> None:
        nonlocal claims
        claims += 1
        if not ok:
            problems.append(what)

    body = _QUOTE.sub(" ", text)
    for m in _STARS.finditer(body):
        claim(round(float(m.group(1)), 1) == truth.rating_mean, f"rating {m.group(1)} (catalog {truth.rating_mean})")
    body = _STARS.sub(" ", body)
    prices, body = price_mentions(body)
    for price in prices:
        claim(price == truth.price or price in allowed_prices, f"price {price:,}원 (catalog {truth.price})")
    for m in _POINTS.finditer(body):
        claim(round(float(m.group(1)), 1) == truth.rating_mean, f"rating {m.group(0)} (catalog {truth.rating_mean})")
    body = _POINTS.sub(" ", body)
    for m in COUNT.finditer(body):
        ok = int(m.group(1)) in truth.counts or m.group(0) in truth.free_text
        claim(ok, f"count '{m.group(0)}' is none of the catalog's counts")
    body = COUNT.sub(" ", body)
    for number in NUMBER.findall(body):
        claim(number in truth.free_text, f"number {number} is nowhere in the catalog's data for the product")
    return claims, problems


# ---- no analyzer stems ----

_QUOTED_SPAN = re.compile(r"'([^'\n]+)'")
_COMPUTED_BOUND = re.compile(r"^[\d.,]+\s?\S*\s(?:이하|이상|미만|초과)$")  # a bound the guide computed: '640g 이하'


def catalog_words(catalog: CatalogReader) -> str:
    """The catalog's own text a quoted span may come from: names, brands, categories, attribute keys and values."""
    parts = []
    for p in catalog.products():
        parts += [p.name, p.brand, p.category, *p.category.split(">")]
        parts += [f"{k} {v}" for k, v in (p.attributes or {}).items()]
    return "\n".join(parts)


def rendered_texts(answer: Answer) -> list[str]:
    """Every text of the answer a shopper can read: the streamed text and the chips."""
    return [answer.to_text(), *answer.understood, *answer.follow_ups, *answer.suggestions]


def stem_problems(answer: Answer, said: Sequence[str], catalog_text: str) -> list[str]:
    """Quoted spans of the answer's texts that are not the shopper's words, a label, catalog text or a bound."""
    spoken = " ".join(_norm(s) for s in said)
    labels = set(answer.understood)
    out = []
    for text in rendered_texts(answer):
        for m in _QUOTED_SPAN.finditer(_QUOTE.sub(" ", text)):
            span = _norm(m.group(1))
            if span in spoken or span in labels or span in catalog_text or _COMPUTED_BOUND.match(span):
                continue
            out.append(f"{answer.question!r}: '{span}'")
    return list(dict.fromkeys(out))


# ---- running the questions ----


@dataclass
class AnswerRun:
    query_id: str
    kind: str
    no_answer: bool
    recommended: list[str]
    found: bool
    generator: str
    fell_back: bool  # an LLM guide showed the grounded answer (the model failed): read from the answer's generator
    notice: str | None
    dropped: int
    ms: float
    first_piece_ms: float
    citations: int
    citation_problems: list[str] = field(default_factory=list)
    claims: int = 0
    number_problems: list[str] = field(default_factory=list)
    stem_problems: list[str] = field(default_factory=list)


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
    catalog_text = catalog_words(catalog)
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
            n, problems = number_problems(rec, truths[rec.product_id], budget, answer.understood)
            claims += n
            wrong += problems
        compared = answer.comparison.products if answer.comparison is not None else []
        for cp in compared:  # a comparison shows its products in a table: their numbers are the catalog's too
            if cp.product_id not in truths:
                truths[cp.product_id] = Truth.of(catalog, cp.product_id, guide.searcher.index.analyzer)
            n, problems = compared_problems(cp, truths[cp.product_id])
            claims += n
            wrong += problems
        runs.append(
            AnswerRun(
                conv["query_id"],
                conv["kind"],
                conv["no_answer"],
                [r.product_id for r in answer.recommendations] + [cp.product_id for cp in compared],
                answer.found,
                answer.generator,
                guide.generator != "grounded" and answer.generator == "grounded",
                answer.notice,
                answer.dropped,
                ms,
                first if first is not None else ms,
                total,
                bad,
                claims,
                wrong,
                stem_problems(answer, [conv["query"], *conv["history"]], catalog_text),
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
        "analyzer_stems": {
            "count": sum(len(r.stem_problems) for r in runs),
            "problems": [p for r in runs for p in r.stem_problems][:20],
        },
        "llm": {
            "fell_back": sum(1 for r in runs if r.fell_back),
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
                "stem_problems": r.stem_problems,
            }
            for r in runs
        ],
    }


def spec_set_stems(guide, queries: Path, progress: ProgressFactory = no_progress) -> dict:
    """The no-stems check over every answer of the spec question set (single questions, no history)."""
    catalog_text = catalog_words(guide.searcher.index.catalog)
    rows = [json.loads(line) for line in Path(queries).read_text(encoding="utf-8").splitlines() if line.strip()]
    problems: list[str] = []
    bar = progress(len(rows), "answers: spec set, analyzer stems")
    for row in rows:
        problems += stem_problems(guide.ask(row["query"]), [row["query"]], catalog_text)
        bar.update(1)
    bar.close()
    return {"questions": len(rows), "count": len(problems), "problems": problems[:20]}


def evaluate_answers(
    index: Path,
    queries: Path,
    analyzer,
    embedder,
    chat_models: dict[str, object] | None = None,
    progress: ProgressFactory = no_progress,
    spec_queries: Path | None = SPEC_QUERIES,
) -> dict:
    """{generator label: summary} for the grounded composer and each given chat model (label → model); the grounded
    summary's `analyzer_stems.spec_set` runs the no-stems check over the spec set too (`spec_queries`, None: not)."""
    from rag.guide import ShoppingGuide

    conversations = load_conversations(queries)
    out = {}
    base = ShoppingGuide.from_index(index, analyzer=analyzer, embedder=embedder)
    try:
        out["grounded"] = summarize_runs(run_answers(base, conversations, progress))
        if spec_queries is not None and Path(spec_queries).is_file():
            out["grounded"]["analyzer_stems"]["spec_set"] = spec_set_stems(base, spec_queries, progress)
        for label, model in (chat_models or {}).items():
            guide = ShoppingGuide(base.searcher, base.composer, model, label, base.top_k)
            out[label] = summarize_runs(run_answers(guide, conversations, progress))
    finally:
        base.searcher.index.close()
    return out
