"""`ShoppingGuide`: a question (and the conversation so far) in, a grounded `Answer` out.

    guide = ShoppingGuide.from_index("indexes/demo")
    answer = guide.ask("자취방에서 쓸 조용한 가습기 5만원 이하")
    print(answer.to_text())
    answer2 = guide.ask("더 싼 건 없어?", history=[Turn("자취방에서 쓸 조용한 가습기 5만원 이하", answer)])

The grounded composer always writes the answer. With a chat model configured, the model rewrites each
product's reason from the same evidence; its text is checked (citations, prices, ratings, counts) and what
fails is dropped and counted. A failing or unreachable model falls back to the grounded answer with a notice.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableLambda

from .answer import Answer, Recommendation, render_sections
from .checks import check_text, question_numbers
from .composer import GroundedComposer
from .constraints import Constraints
from .index.store import HybridIndex
from .prompts import PromptTemplate
from .query import ParsedQuery
from .query.followups import follow_up
from .ranking import RankingConfig
from .related import CoBehaviour
from .search import ProductSearcher, SearchResult

logger = logging.getLogger(__name__)

_JSON = re.compile(r"\{.*\}", re.DOTALL)


@dataclass
class Turn:
    """One earlier exchange; the caller keeps the history and passes it in."""

    question: str
    answer: Answer | None = None


@dataclass(frozen=True)
class Plan:
    parsed: ParsedQuery
    constraints: Constraints
    search_text: str
    focus: str | None  # product id a follow-up points at ("두 번째 거")
    note: str  # what was carried over, said in the headline
    empty: str = ""  # the headline when nothing fits ("앞서 추천한 X가 가장 싸요"), when the plan knows why


class ShoppingGuide:
    def __init__(
        self,
        searcher: ProductSearcher,
        composer: GroundedComposer,
        chat_model=None,
        llm_label: str = "",
        top_k: int = 3,
        prompt: PromptTemplate | None = None,
    ) -> None:
        if top_k < 1 or top_k > 5:
            raise ValueError(f"top_k must be within 1–5, got {top_k}")
        self.searcher, self.composer = searcher, composer
        self.chat_model, self.llm_label = chat_model, llm_label
        self.top_k = top_k
        self.prompt = prompt or PromptTemplate.load("answer")

    @classmethod
    def from_index(
        cls,
        path: str | Path,
        chat_model=None,
        llm_label: str = "",
        top_k: int = 3,
        ranking: RankingConfig | None = None,
        analyzer=None,
        embedder=None,
    ) -> ShoppingGuide:
        index = HybridIndex.open(path, embedder=embedder, analyzer=analyzer)
        searcher = ProductSearcher(index, ranking)
        co = CoBehaviour.from_records(index.catalog.reviews(), index.catalog.events())
        names = {p.product_id: p.name for p in searcher.view.products}
        return cls(searcher, GroundedComposer(index.catalog, co, names.__getitem__), chat_model, llm_label, top_k)

    @property
    def generator(self) -> str:
        return self.llm_label or "grounded"

    # ---- conversation ----

    def plan(self, question: str, history: Sequence[Turn] = (), constraints: Constraints | None = None) -> Plan:
        parsed = self.searcher.parse(question)
        f = follow_up(parsed, question, history, constraints, self.searcher.parser.vocabulary)
        return Plan(f.parsed, f.constraints, f.search_text, f.focus, f.note, f.empty)

    # ---- answering ----

    def search(self, plan: Plan) -> SearchResult:
        return self.searcher.search(
            replace(plan.parsed, keywords=plan.search_text), plan.constraints, top_k=1 if plan.focus else self.top_k
        )

    def events(
        self, question: str, history: Sequence[Turn] = (), constraints: Constraints | None = None
    ) -> Iterator[tuple[str, object]]:
        """("text", piece) as the answer is produced, then ("answer", Answer)."""
        if not question or not question.strip():
            raise ValueError("question is empty: ask about a product, e.g. '조용한 가습기 추천해줘'")
        started = time.perf_counter()
        plan = self.plan(question, history, constraints)
        result = self.search(plan)
        yield "text", self.composer.headline(result, plan.note, plan.empty) + "\n\n"  # before the cards are composed
        answer = self.composer.compose(result, question, plan.note, plan.empty)
        answer.generator = self.generator
        if self.chat_model is not None and answer.recommendations:
            self._rewrite_with_llm(answer, plan)
        for piece in render_sections(answer, headline=False):
            yield "text", piece
        answer.timings["total"] = (time.perf_counter() - started) * 1000
        yield "answer", answer

    def ask(self, question: str, history: Sequence[Turn] = (), constraints: Constraints | None = None) -> Answer:
        for kind, value in self.events(question, history, constraints):
            if kind == "answer":
                return value
        raise RuntimeError("the answer stream ended without an answer")

    def stream(
        self, question: str, history: Sequence[Turn] = (), constraints: Constraints | None = None
    ) -> Iterator[str]:
        """The answer's text, piece by piece (what the app streams)."""
        for kind, value in self.events(question, history, constraints):
            if kind == "text":
                yield value

    def as_runnable(self) -> Runnable:
        """LCEL: {"question": str, "history": [Turn], "constraints": Constraints | None} → Answer."""
        return RunnableLambda(
            lambda x: self.ask(x["question"], x.get("history", ()), x.get("constraints")), name="ShoppingGuide"
        )

    # ---- the LLM path ----

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
                "reviews": [{"id": c.review_id, "rating": c.rating, "text": c.quote} for c in r.citations],
            }
            for r in recs
        ]
        return json.dumps(data, ensure_ascii=False, indent=1)  # review text travels as JSON strings: data only

    def _rewrite_with_llm(self, answer: Answer, plan: Plan) -> None:
        started = time.perf_counter()
        messages = self.prompt.messages(
            question=answer.question,
            constraints=", ".join(answer.understood) or "없음",
            evidence=self._evidence(answer.recommendations),
        )
        try:
            reply = self.chat_model.invoke(messages)
            content = reply.content if isinstance(reply.content, str) else str(reply.content)
            match = _JSON.search(content)
            items = json.loads(match.group(0))["products"] if match else None
            if not isinstance(items, list):
                raise ValueError("the model's reply holds no JSON products list")
        except Exception as exc:  # unreachable, timeout, refusal, unparseable: the grounded answer stands
            logger.warning("LLM failed (%s: %s); showing the grounded answer", type(exc).__name__, exc)
            answer.notice = (
                f"LLM({self.llm_label}) 응답을 받지 못해 근거 기반 기본 답변을 보여드려요 ({type(exc).__name__})."
            )
            answer.generator = "grounded"
            return
        by_id = {r.product_id: r for r in answer.recommendations}
        numbers = question_numbers(answer.constraints)
        for item in items:
            rec = by_id.get(str(item.get("product_id", ""))) if isinstance(item, dict) else None
            if rec is None:
                answer.dropped += 1  # a product that was not retrieved
                continue
            report = check_text(str(item.get("reason", "")), rec, {c.review_id for c in rec.citations}, numbers)
            answer.dropped += len(report.dropped)
            for sentence, why in report.dropped:
                logger.info("dropped LLM sentence about %s (%s): %s", rec.product_id, why, sentence)
            if report.kept:
                rec.reason, rec.reason_source = " ".join(report.kept), "llm"
        if answer.dropped:
            answer.notice = f"LLM이 쓴 문장 중 근거와 맞지 않는 {answer.dropped}개를 빼고 보여드려요."
        answer.timings["llm"] = (time.perf_counter() - started) * 1000
