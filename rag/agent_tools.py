"""The shopping tools a tool-calling model drives (`rag.agent`), and the ledger of what they returned.

Every tool works over the guide's own searcher and composer, so the model sees the evidence the grounded answer is
made of: `search_products` (the searcher under the shopper's constraints, which a tool call can only tighten, and
the composer's evidence per product), `compare_products` (facts and typed facets of products a search returned),
`get_reviews` (more review sentences of one such product) and `catalog_shape` (what the catalog carries:
categories, price ranges, the facets most products state).

The `Ledger` records per product what came back — the composer's `Recommendation` and every review id shown for
it — so the agent's answer can be checked against what the model was actually given. Review text goes to the
model as JSON string values with order-like sentences left out (the guide's `_for_model`): data, never
instructions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, StructuredTool

from .catalog_shape import CatalogShape
from .constraints import Constraints
from .generation.answer import Citation, Recommendation
from .text_safety import QUOTE_CHARS, cap

if TYPE_CHECKING:
    from .guide import ShoppingGuide

TOOL_NAMES = ("search_products", "compare_products", "get_reviews", "catalog_shape")
MAX_RESULTS = 5
MAX_REVIEWS = 8
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")


@dataclass
class Ledger:
    """What the tools returned in one run: the products the model may pick and the reviews it may cite."""

    recommendations: dict[str, Recommendation] = field(default_factory=dict)
    reviews: dict[str, dict[str, Citation]] = field(default_factory=dict)  # product id → review id → citation
    calls: list[str] = field(default_factory=list)  # tool names in call order

    def add(self, rec: Recommendation) -> None:
        self.recommendations.setdefault(rec.product_id, rec)
        shown = self.reviews.setdefault(rec.product_id, {})
        for c in [*rec.citations, *(p.citation for p in rec.pros + rec.cons)]:
            if c is not None:
                shown.setdefault(c.review_id, c)


def _tighter(pick, *bounds: int | None) -> int | None:
    given = [b for b in bounds if b is not None]
    return pick(given) if given else None


def narrowed(scope: Constraints, asked: Constraints, low: int | None, high: int | None) -> Constraints:
    """The shopper's constraints narrowed by what a tool query states; never wider than `scope`."""
    categories = scope.categories
    if asked.categories and (not categories or all(any(c.startswith(s) for s in categories) for c in asked.categories)):
        categories = asked.categories  # the query names narrower categories inside the shopper's
    return replace(
        scope,
        price_min=low,
        price_max=high,
        categories=categories,
        brands=scope.brands or asked.brands,
        attributes=tuple(dict.fromkeys((*scope.attributes, *asked.attributes))),
        specs=tuple(dict.fromkeys((*scope.specs, *asked.specs))),
    )


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _facts(rec: Recommendation) -> dict[str, Any]:
    from .guide import _for_model  # the LLM path's reading of a review quote: one home for it

    return {
        "product_id": rec.product_id,
        "name": rec.name,
        "brand": rec.brand,
        "category": rec.category,
        "price": rec.price,
        "rating": None if rec.rating_mean is None else round(rec.rating_mean, 1),
        "rating_scale": rec.rating_max,
        "review_count": rec.review_count,
        "satisfied": rec.satisfied,
        "pros": [p.line for p in rec.pros],
        "cons": [c.line for c in rec.cons],
        "reviews": [{"id": c.review_id, "rating": c.rating, "text": _for_model(c.quote)} for c in rec.citations],
    }


def make_tools(
    guide: ShoppingGuide, ledger: Ledger, scope: Constraints, sort: str | None = None, top_k: int = 3
) -> list[BaseTool]:
    """The four tools for one run. `scope`: the shopper's constraints (from the question and the conversation);
    a tool call may narrow the price, never widen it or drop a category."""
    searcher, composer = guide.searcher, guide.composer

    def search_products(query: str, max_price: int | None = None, min_price: int | None = None) -> str:
        """Search the catalog for products matching a Korean shopping query (e.g. '조용한 가습기'). Returns
        products with price, rating and review evidence (review ids you may cite). Prices in KRW."""
        ledger.calls.append("search_products")
        parsed = searcher.parse(query)
        if sort is not None:
            parsed = replace(parsed, sort=None if sort == "relevance" else sort)
        asked = Constraints.from_query(parsed)
        low = _tighter(max, scope.price_min, asked.price_min, min_price)
        high = _tighter(min, scope.price_max, asked.price_max, max_price)
        if low is not None and high is not None and low > high:
            return _dump({"error": f"min_price {low} is above max_price {high}", "products": []})
        result = searcher.search(parsed, narrowed(scope, asked, low, high), top_k=min(top_k, MAX_RESULTS))
        answer = composer.compose(result, query)
        for rec in answer.recommendations:
            ledger.add(rec)
        return _dump(
            {
                "products": [_facts(r) for r in answer.recommendations],
                "note": "" if answer.found else answer.headline,
            }
        )

    def compare_products(product_ids: list[str]) -> str:
        """Compare products that search_products returned: price, rating, review counts, pros/cons, specs."""
        ledger.calls.append("compare_products")
        out, unknown = [], []
        for pid in product_ids[:MAX_RESULTS]:
            rec = ledger.recommendations.get(pid)
            if rec is None:
                unknown.append(pid)
                continue
            facts = _facts(rec)
            facts.pop("reviews")
            product = searcher.index.catalog.product(pid)
            facts["specs"] = dict(list((product.attributes or {}).items())[:12]) if product else {}
            out.append(facts)
        reply: dict[str, Any] = {"products": out}
        if unknown:
            reply["error"] = f"not returned by search_products: {', '.join(unknown)}; search first"
        return _dump(reply)

    def get_reviews(product_id: str, aspect: str = "", limit: int = 5) -> str:
        """More reviews of a product search_products returned; aspect (e.g. '소음', '배송') keeps those that
        mention it. Returns review ids you may cite for that product."""
        from .guide import _for_model

        ledger.calls.append("get_reviews")
        rec = ledger.recommendations.get(product_id)
        if rec is None:
            return _dump({"error": f"{product_id} was not returned by search_products; search first", "reviews": []})
        shown = ledger.reviews.setdefault(product_id, {})
        out = []
        for review in searcher.index.catalog.reviews(product_id):
            sentences = [s.strip() for s in _SENTENCE.split(review.text or "") if s.strip()]
            picked = next((s for s in sentences if aspect and aspect in s), None)
            if aspect and picked is None:
                continue
            quote = cap(picked or (sentences[0] if sentences else ""), QUOTE_CHARS)[0]
            if not quote:
                continue
            citation = Citation(review.review_id, product_id, quote, review.rating, review.rating_max,
                                review.created_at, review.option)  # fmt: skip
            shown.setdefault(review.review_id, citation)
            out.append({"id": review.review_id, "rating": review.rating, "text": _for_model(quote)})
            if len(out) >= max(1, min(limit, MAX_REVIEWS)):
                break
        return _dump({"product_id": product_id, "reviews": out})

    shapes: list[CatalogShape] = []  # built on the first call, then reused

    def catalog_shape(category: str = "") -> str:
        """What the catalog carries: categories (optionally under a path prefix such as '가전'), product counts,
        price ranges and the specs most products state."""
        ledger.calls.append("catalog_shape")
        if not shapes:
            view = searcher.view
            facets = {p.product_id: view.facets[i] for i, p in enumerate(view.products)} if view.facets else {}
            shapes.append(CatalogShape.from_products(view.products, facets))
        return _dump({"categories": [f"{c.path}: {c.describe()}" for c in shapes[0].under(category)][:40]})

    return [
        StructuredTool.from_function(f, name=f.__name__, description=f.__doc__.strip())
        for f in (search_products, compare_products, get_reviews, catalog_shape)
    ]
