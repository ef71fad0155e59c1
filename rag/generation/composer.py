"""The grounded composer: the default generator, no LLM. Deterministic Korean built only from evidence.

Every sentence it writes is made of catalog numbers (price, rating, counts) and exact review quotes, so
every claim is traceable to reviews and statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from ..index.catalog import CatalogReader
from ..query import Superlative
from ..records import Review
from ..related import CoBehaviour
from ..search import RankedProduct, SearchResult
from . import templates as T
from .answer import Answer, AspectPoint, BoughtTogether, Citation, Recommendation
from .aspects import AspectSummary, Mention, query_aspects, self_contained, summarize
from .buying_guide import BuyingGuide, BuyingGuides
from .phrases import shopper_phrases
from .templates import Fact, say


def _citation(mention: Mention, review: Review) -> Citation:
    return Citation(
        review.review_id,
        review.product_id,
        mention.clause,
        review.rating,
        review.rating_max,
        review.created_at,
        review.option,
    )


def _short(name: str) -> str:
    return " ".join(name.split()[:3])


class GroundedComposer:
    """SearchResult → Answer. Reads reviews from the catalog; summaries per product and category are cached."""

    def __init__(
        self,
        catalog: CatalogReader,
        co_behaviour: CoBehaviour | None = None,
        product_name: Callable[[str], str] | None = None,
        max_pros: int = 3,
        max_cons: int = 2,
        max_quotes: int = 3,
        analyzer=None,
    ) -> None:
        """analyzer: the index's KoreanAnalyzer, shared with the aspects reader (rag.aspects builds its own if None)."""
        self.catalog = catalog
        self.analyzer = analyzer
        self.co = co_behaviour
        self.product_name = product_name or (lambda pid: catalog.product(pid).name)
        self.max_pros, self.max_cons, self.max_quotes = max_pros, max_cons, max_quotes
        self._reviews = lru_cache(maxsize=4096)(lambda pid: tuple(catalog.reviews(pid)))
        self._summary = lru_cache(maxsize=4096)(lambda pid: tuple(summarize(self._reviews(pid), self.analyzer)))
        self._guides: BuyingGuides | None = None
        self._tokens = lru_cache(maxsize=256)(self._read_tokens)  # a question's tokens, once for all its cards

    # ---- one product ----

    def recommend(self, item: RankedProduct, question: str) -> Recommendation:
        p, s = item.product, item.stats
        reviews = {r.review_id: r for r in self._reviews(p.product_id)}
        summaries = self._summary(p.product_id)
        wanted = query_aspects(question)
        pros = [x for x in summaries if x.positive and x.positive >= x.negative]
        pros.sort(key=lambda x: (x.aspect not in wanted, -x.positive, x.aspect))
        cons = sorted((x for x in summaries if x.negative), key=lambda x: (-x.negative, x.aspect))
        pro_points = [self._point(x, +1, s.review_count, reviews) for x in pros[: self.max_pros]]
        con_points = [self._point(x, -1, s.review_count, reviews) for x in cons[: self.max_cons]]
        citations: list[Citation] = []
        seen: set[str] = set()
        for e in item.evidence:
            if e.review_id not in seen and len(citations) < self.max_quotes:
                review = reviews.get(e.review_id)
                quote = self_contained(review.text, e.sentence, self.analyzer) if review else e.sentence
                if quote is None:
                    continue  # it leans on a sentence that does not fit with it: another quote is chosen
                citations.append(
                    Citation(e.review_id, p.product_id, quote, e.rating, e.rating_max, e.created_at, e.option)
                )
                seen.add(e.review_id)
        for point in pro_points + con_points:
            if point.citation and point.citation.review_id not in seen and len(citations) < self.max_quotes + 1:
                citations.append(point.citation)
                seen.add(point.citation.review_id)
        related = []
        if self.co is not None:
            related = [
                BoughtTogether(
                    r.product_id, self.product_name(r.product_id), r.common_users, r.buyers, r.lift, self.co.basis
                )
                for r in self.co.together(p.product_id, k=2)
            ]
        facts = self._reason(item, pros, wanted, question)
        return Recommendation(
            product_id=p.product_id,
            name=p.name,
            brand=p.brand,
            category=p.category,
            price=p.price,
            rating_mean=s.rating_mean,
            rating_max=s.rating_scale[1],
            review_count=s.review_count,
            reason=" ".join(f.text() for f in facts),
            pros=pro_points,
            cons=con_points,
            citations=citations,
            satisfied=item.satisfied,
            rating_hist=dict(s.rating_hist),
            repurchase_count=s.repurchase_count,
            related=related,
            facts=facts,
        )

    def _point(self, x: AspectSummary, sign: int, total: int, reviews: dict[str, Review]) -> AspectPoint:
        mention = x.best_positive if sign > 0 else x.best_negative
        count = x.positive if sign > 0 else x.negative
        line = say("ASPECT_PRO" if sign > 0 else "ASPECT_CON", aspect=x.aspect, count=count)
        citation = _citation(mention, reviews[mention.review_id]) if mention else None
        return AspectPoint(x.aspect, count, total, line, citation)

    def _reason(
        self, item: RankedProduct, pros: Sequence[AspectSummary], wanted: list[str], question: str = ""
    ) -> list[Fact]:
        """The reason as facts: each a template and the catalog values that fill it (what the checks read)."""
        p, s = item.product, item.stats
        facts: list[Fact] = []
        hits = [x for x in pros if x.aspect in wanted]
        phrases = [] if hits else shopper_phrases(question, item.matched_terms, self._tokens, p.category)
        if hits:
            x = hits[0]
            facts.append(
                Fact(
                    "REASON_WANTED_ASPECT", {"aspect": x.aspect, "review_count": s.review_count, "positive": x.positive}
                )
            )
        elif phrases:  # the shopper's own words, never the analyzer's stems
            facts.append(Fact("REASON_MATCHED", {"phrase": "', '".join(phrases)}))
        if s.review_count:
            rating = {"rating": s.rating_mean, "scale": s.rating_scale[1], "review_count": s.review_count}
            if s.repurchase_count >= 2:
                facts.append(Fact("REASON_RATING_REPURCHASE", {**rating, "repurchase": s.repurchase_count}))
            else:
                facts.append(Fact("REASON_RATING", rating))
        else:
            facts.append(Fact("REASON_NO_REVIEWS"))
        price_rule = [label for label in item.satisfied if "원" in label]
        if price_rule and p.price is not None:
            facts.append(Fact("REASON_PRICE_FITS", {"price": p.price, "label": price_rule[0]}))
        if item.unknown:
            facts.append(Fact("SPEC_UNKNOWN", {"items": _unknown_items(item.unknown)}))
        return facts

    def _read_tokens(self, text: str) -> tuple:
        from .aspects import _default_analyzer

        return tuple((self.analyzer or _default_analyzer()).tokens(text))

    # ---- the whole answer ----

    @property
    def guides(self) -> BuyingGuides:
        """The catalog's buying guides (rag.generation.buying_guide), built on first use and cached per category."""
        if self._guides is None:
            analyzer = self.analyzer
            if analyzer is None:
                from ..analyzer import KoreanAnalyzer

                analyzer = self.analyzer = KoreanAnalyzer()
            self._guides = BuyingGuides(
                self.catalog.products(), self.catalog.facets(), self._reviews, self._summary, analyzer
            )
        return self._guides

    def buying_guide(self, category: str, result: SearchResult | None = None, question: str = "") -> BuyingGuide | None:
        """The category's guide; with a search result, what its question left open (`BuyingGuide.unsaid`)."""
        if result is None:
            return self.guides.guide(category)
        return self.guides.for_question(category, result.query, result.constraints, question)

    def considerations(self, category: str, result: SearchResult | None = None, question: str = "") -> list[str]:
        """고려할 점 as lines: the category's buying guide rendered."""
        guide = self.buying_guide(category, result, question)
        return guide.lines() if guide is not None else []

    @staticmethod
    def headline(result: SearchResult, note: str = "", empty: str = "") -> str:
        """The first line, known as soon as the search is done (the app streams it before the cards).
        `empty`: what to say when nothing fits, if the caller knows why (a follow-up's "더 싼 건?")."""
        if result.not_carried:
            return not_carried_sentence(result.not_carried, result.nearest_categories)
        before = " ".join([*sold_out_sentences(result), *result.notes])
        before = f"{before} " if before else ""
        if not result.found:
            return before + (empty or say("HEADLINE_NOTHING"))
        understood = result.constraints.labels()
        condition = say("HEADLINE_CONDITION", labels=T.SEP.join(understood)) if understood else ""
        line = before + say("HEADLINE_FOUND", note=note, count=len(result.products), condition=condition)
        if result.ordered_by and result.query.superlative is not None:
            line += " " + superlative_sentence(result.query.superlative)
        return line

    def compose(self, result: SearchResult, question: str, headline_note: str = "", empty_note: str = "") -> Answer:
        understood = result.constraints.labels()
        headline = self.headline(result, headline_note, empty_note)
        structured = {
            "not_carried": result.not_carried,
            "nearest_categories": list(result.nearest_categories),
            "sold_out": [item.product.product_id for item in result.sold_out_best],
            "spec_unknown": {item.product.product_id: list(item.unknown) for item in result.products if item.unknown},
        }
        if not result.found:
            suggestions = result.suggestions
            if result.not_carried:
                suggestions = [
                    say("NOT_CARRIED_INSTEAD", word=result.not_carried, leaf=leaf) for leaf in result.nearest_categories
                ]
            return Answer(
                question,
                headline,
                understood,
                [],
                [],
                [say("CHIP_RETRY")],
                found=False,
                suggestions=suggestions or result.suggestions,
                parsed=result.query,
                constraints=result.constraints,
                timings=dict(result.timings),
                **structured,
            )
        recs = [self.recommend(item, question) for item in result.products]
        # a guide about one category only when the products are of one: a mixed answer ('부모님 선물') is not about it
        one = len({r.category for r in recs}) == 1
        guide = self.buying_guide(recs[0].category, result, question) if recs and one else None
        return Answer(
            question,
            headline,
            understood,
            recs,
            guide.lines() if guide is not None else [],
            self.follow_ups(recs),
            parsed=result.query,
            constraints=result.constraints,
            timings=dict(result.timings),
            guide=guide,
            **structured,
        )

    @staticmethod
    def follow_ups(recs: Sequence[Recommendation]) -> list[str]:
        if not recs:
            return []
        out = [say("CHIP_CHEAPER")] if any(r.price for r in recs) else []
        if len(recs) > 1:
            out.append(say("CHIP_SECOND_CONS"))
        cons = [c.aspect for r in recs for c in r.cons]
        if cons:
            out.append(say("CHIP_ASPECT_BETTER", aspect=cons[0]))
        out.append(say("CHIP_BY_RATING"))
        return out[:3]


# ---- what the answer says about specs, stock and the catalog's range (the sentences: rag.generation.templates) ----


def superlative_sentence(sup: Superlative) -> str:
    """'가장 가벼운 순으로 골랐어요 (정보가 있는 상품 먼저).'"""
    words = T.ORDER_WORDS.get((sup.dimension, sup.direction))
    if words is None:
        from ..facets import USUAL_KEYS

        key = USUAL_KEYS.get(sup.dimension, (sup.dimension,))[0]
        words = say("ORDER_LOW" if sup.direction == "min" else "ORDER_HIGH", key=key)
    return say("SUPERLATIVE", words=words)


def _unknown_items(keys: Sequence[str]) -> str:
    return T.SEP.join(say("SPEC_UNKNOWN_ITEM", key=k) for k in keys)


def unknown_sentence(keys: Sequence[str]) -> str:
    """'무게 정보 없음: 상품 정보에 적혀 있지 않아 조건에 맞는지 알 수 없어요.'"""
    return say("SPEC_UNKNOWN", items=_unknown_items(keys))


def not_carried_sentence(word: str, nearest: Sequence[str]) -> str:
    """'이 카탈로그에는 전기밥솥이 없어요. 가까운 카테고리: 에어프라이어 · 프라이팬.'"""
    line = say("NOT_CARRIED", word=word)
    return f"{line} {say('NOT_CARRIED_NEAREST', leaves=T.SEP.join(nearest))}" if nearest else line


def sold_out_sentences(result: SearchResult) -> list[str]:
    """'가장 잘 맞는 X는 품절이에요.' for each better match left out as sold out, and what is shown instead."""
    if not result.sold_out_best:
        return []
    line = say("SOLD_OUT", names=T.SEP.join(item.product.name for item in result.sold_out_best))
    return [f"{line} {say('SOLD_OUT_OTHERS')}" if result.found else line]
