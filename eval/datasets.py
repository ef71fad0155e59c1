"""Query sets for retrieval evaluation: one data model, three sources.

An `EvalQuery` is what every system is asked and how its answer is judged: the text to retrieve with, the
graded relevant item ids (sentence-transformers' `relevant_docs`, with grades), the gold hard constraints
(demo schema) and whether nothing in the catalog should be recommended (`no_answer`).

Sources:
- the demo shopper set (`eval/data/demo_queries.jsonl`, schema in `eval/data/README.md`); a follow-up is
  retrieved with its history's user turns prepended, in order (a simplification of a real conversation);
- a user-supplied set in the InformationRetrievalEvaluator shape: `queries.jsonl` + `judgements.jsonl`
  (formats in `eval/README.md`);
- NSMC held-out reviews (built in `eval/nsmc.py`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rag.records import Product

logger = logging.getLogger(__name__)

DEMO_QUERIES = Path(__file__).parent / "data" / "demo_queries.jsonl"
CONSTRAINT_KEYS = ("price_min", "price_max", "category", "brands", "attributes")


class DatasetError(ValueError):
    """A query or judgement file that cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class EvalQuery:
    query_id: str
    text: str  # what systems retrieve with
    relevant: dict[str, float] = field(default_factory=dict)  # item id → grade; > 0 is relevant
    constraints: dict | None = None  # gold hard constraints (demo schema) or None when not judged
    kind: str = ""
    no_answer: bool = False  # nothing should be recommended

    @property
    def answerable(self) -> bool:
        return not self.no_answer and any(g > 0 for g in self.relevant.values())

    def has_constraints(self) -> bool:
        c = self.constraints or {}
        return any(c.get(k) not in (None, "", [], {}) for k in CONSTRAINT_KEYS)


@dataclass
class QuerySet:
    name: str  # "demo", "nsmc", "user": the key in metrics.json
    queries: list[EvalQuery]
    index: Path
    parse: bool  # our systems parse the text (price, category, sort …) and apply the parsed constraints
    rule: dict = field(default_factory=dict)  # how the set was built, for the report

    def counts(self) -> dict[str, int]:
        return {
            "queries": len(self.queries),
            "answerable": sum(q.answerable for q in self.queries),
            "no_answer": sum(q.no_answer for q in self.queries),
            "with_constraints": sum(q.has_constraints() for q in self.queries),
        }


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    rows = []
    with open(path, encoding="utf-8-sig") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path} line {line_no}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise DatasetError(f"{path} line {line_no}: a line must be a JSON object")
            rows.append((line_no, row))
    return rows


def _first(row: Mapping, keys: tuple[str, ...]):
    return next((row[k] for k in keys if row.get(k) not in (None, "")), None)


def _grade(value, where: str) -> float:
    try:
        grade = float(value)
    except (TypeError, ValueError):
        raise DatasetError(f"{where}: grade {value!r} is not a number; use 0, 1 or 2 (or any number ≥ 0)") from None
    if grade < 0:
        raise DatasetError(f"{where}: grade {grade} is below 0")
    return grade


def with_history(query: str, history: list) -> str:
    """The retrieval text of a follow-up: the earlier user turns, then the question, joined by spaces."""
    turns = [h.get("content", "") if isinstance(h, dict) else str(h) for h in history]
    users = [
        t for h, t in zip(history, turns, strict=True) if not isinstance(h, dict) or h.get("role", "user") == "user"
    ]
    return " ".join(s.strip() for s in [*users, query] if s and s.strip())


def load_demo_queries(path: Path = DEMO_QUERIES) -> list[EvalQuery]:
    """The demo schema (eval/data/README.md): graded `relevant`, gold `constraints`, `history`, `no_answer`."""
    out, seen = [], set()
    for line_no, row in _read_jsonl(Path(path)):
        where = f"{path} line {line_no}"
        qid, text = row.get("query_id"), row.get("query")
        if not qid or not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{where}: query_id and a non-empty query are required")
        if qid in seen:
            raise DatasetError(f"{where}: query_id {qid!r} appears twice")
        seen.add(qid)
        relevant = {str(k): _grade(v, where) for k, v in (row.get("relevant") or {}).items()}
        out.append(_eval_query(str(qid), text, row, relevant))
    if not out:
        raise DatasetError(f"{path}: no queries")
    return out


def _eval_query(qid: str, text: str, row: dict, relevant: dict[str, float]) -> EvalQuery:
    """One query row of either format; a query with no judgement above 0 is a no-answer query."""
    return EvalQuery(
        query_id=qid,
        text=with_history(text, row.get("history") or []),
        relevant=relevant,
        constraints=row.get("constraints") or None,
        kind=str(row.get("kind") or ""),
        no_answer=bool(row.get("no_answer")) or not any(g > 0 for g in relevant.values()),
    )


def load_ir_queries(queries_path: Path, judgements_path: Path) -> list[EvalQuery]:
    """InformationRetrievalEvaluator shape as two JSONL files (see eval/README.md).

    queries: {"query_id", "query"} per line (aliases `_id`, `text`), optional `history`, `constraints`, `kind`,
    `no_answer`. judgements: {"query_id", "product_id", "grade"} per line (aliases `query-id`, `corpus-id`,
    `score`; grade defaults to 1). A query with no judgement above 0 is a no-answer query.
    """
    grades: dict[str, dict[str, float]] = {}
    for line_no, row in _read_jsonl(Path(judgements_path)):
        where = f"{judgements_path} line {line_no}"
        qid = _first(row, ("query_id", "query-id", "qid"))
        pid = _first(row, ("product_id", "corpus_id", "corpus-id", "doc_id"))
        if qid is None or pid is None:
            raise DatasetError(f"{where}: a judgement needs query_id and product_id")
        grades.setdefault(str(qid), {})[str(pid)] = _grade(_first(row, ("grade", "score", "relevance")) or 1, where)
    out, seen = [], set()
    for line_no, row in _read_jsonl(Path(queries_path)):
        where = f"{queries_path} line {line_no}"
        qid, text = _first(row, ("query_id", "_id", "qid")), _first(row, ("query", "text"))
        if qid is None or not isinstance(text, str):
            raise DatasetError(f"{where}: a query needs query_id and query (or _id and text)")
        if str(qid) in seen:
            raise DatasetError(f"{where}: query_id {qid!r} appears twice")
        seen.add(str(qid))
        relevant = grades.get(str(qid), {})
        out.append(_eval_query(str(qid), text, row, relevant))
    unknown = set(grades) - seen
    if unknown:
        logger.warning("%d judged query ids are not in %s, e.g. %s", len(unknown), queries_path, sorted(unknown)[:3])
    if not out:
        raise DatasetError(f"{queries_path}: no queries")
    return out


def satisfies(product: Product, constraints: Mapping | None) -> bool:
    """Does a product meet every gold hard constraint (price range, category prefix, brands, attributes)?

    tests/test_demo.py checks the query set with it too. An attribute constraint {key: sub} needs the key and
    `sub` inside its value; a product without a price fails any price constraint.
    """
    c = constraints or {}
    price = product.price
    if c.get("price_min") is not None and (price is None or price < c["price_min"]):
        return False
    if c.get("price_max") is not None and (price is None or price > c["price_max"]):
        return False
    if c.get("category") and not product.category.startswith(c["category"]):
        return False
    if c.get("brands") and product.brand not in c["brands"]:
        return False
    return all(
        key in product.attributes and sub in str(product.attributes.get(key, ""))
        for key, sub in (c.get("attributes") or {}).items()
    )
