"""The LLM path of a comparison: the model writes the verdict from the same table, checked like any reason.

The table goes to the model as JSON (`table_json`, prompts/compare_*.txt); every sentence it writes goes through
`rag.generation.checks` against all compared products at once (`check_verdict`): prices, ratings, counts and spec
numbers with their units must be the table's, cited reviews the table's quotes, nouns the table's or the shopper's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence

from ..text_safety import clean
from .checks import check_text
from .compare import Comparison
from .evidence import AspectPoint, Recommendation
from .templates import say


def table_json(comparison: Comparison, for_model: Callable[[str], str]) -> str:
    """The comparison as the model reads it: products, rows (aligned cells), what the shopper said matters, the
    grounded verdict, review quotes through `for_model` (the guide's rule for review text shown to a model: data
    only, order-like sentences left out); a backtick cannot close the fence."""

    data = {
        "products": [
            {"product_id": p.product_id, "name": p.name, "short": p.short, "category": p.category}
            for p in comparison.products
        ],
        "rows": [
            {"row": r.label, "values": {p.short: c.text for p, c in zip(comparison.products, r.cells, strict=True)}}
            for r in comparison.rows
        ],
        "focus": [comparison.row(k).label for k in comparison.focus if comparison.row(k)],
        "grounded_verdict": [v.text for v in comparison.verdicts],
        "quotes": [
            {"id": c.review_id, "product_id": c.product_id, "text": for_model(c.quote)} for c in comparison.citations()
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).replace("`", "\\u0060")


def evidence_recommendations(comparison: Comparison) -> list[Recommendation]:
    """Each compared product as the claim checks read evidence: its catalog numbers, its column of the table as
    the spec text, its aspect counts as pros and cons, and the quotes of the table as its citations."""
    out = []
    for k, p in enumerate(comparison.products):
        column = " ".join(f"{r.label} {r.cells[k].text}" for r in comparison.rows)
        column += " " + " ".join(r.cells[k].number for r in comparison.rows if r.cells[k].number)
        pros, cons = [], []
        for r in comparison.rows:
            if r.kind == "aspect" and r.cells[k].count is not None:
                aspect = r.aspect
                negative = r.cells[k].negative or 0
                pros.append(
                    AspectPoint(
                        aspect,
                        r.cells[k].count,
                        p.review_count,
                        say("ASPECT_PRO", aspect=aspect, count=r.cells[k].count),
                    )
                )
                cons.append(
                    AspectPoint(aspect, negative, p.review_count, say("ASPECT_CON", aspect=aspect, count=negative))
                )
        citations = [c for c in comparison.citations() if c.product_id == p.product_id]
        out.append(
            Recommendation(
                p.product_id,
                p.name,
                p.brand,
                p.category,
                p.price,
                p.rating_mean,
                p.rating_max,
                p.review_count,
                column,
                pros,
                cons,
                citations,
            )
        )
    return out


def check_verdict(
    comparison: Comparison,
    sentences: Sequence[object],
    nouns: Callable[[str], Sequence[str]] | None = None,
    allowed: Collection[str] = (),
) -> tuple[list[str], list[tuple[str, str]]]:
    """(kept sentences, dropped (sentence, why)) of the model's verdict: every sentence through
    `rag.generation.checks` against all compared products (prices, ratings, counts, spec numbers with units, cited
    reviews, unsupported nouns, orders and adverts)."""
    recs = evidence_recommendations(comparison)
    cited_ok = {c.review_id for c in comparison.citations()}
    kept, dropped = [], []
    for sentence in sentences:
        if not isinstance(sentence, str):
            dropped.append((repr(sentence), "not text"))
            continue
        report = check_text(clean(sentence), recs[0], cited_ok, set(), nouns=nouns, allowed=allowed, others=recs[1:])
        kept += report.kept
        dropped += report.dropped
    return kept, dropped
