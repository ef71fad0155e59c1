"""Checks on what a language model wrote, before a shopper sees it.

A sentence survives only if every review it cites was retrieved for the product it talks about, and every
number in it (price, rating, count, spec) is one the catalog or the grounded evidence holds. Whatever
fails is dropped and counted; the caller falls back to the grounded composer's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .answer import Recommendation

CITATION = re.compile(r"\[(?:리뷰|review|r)?\s*:?\s*([A-Za-z0-9][A-Za-z0-9_\-]*)\]", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
_MAN_WON = re.compile(r"(\d+(?:\.\d+)?)\s*만\s*(?:(\d+)\s*(천)|(\d+(?:,\d{3})*))?\s*원")
_WON = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)\s*원")
_RATING = re.compile(r"(\d(?:\.\d+)?)\s*(?:점|/\s*(?:5|10)\b)")
COUNT = re.compile(r"(\d+)\s*(?:개|건|명|번)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# text that talks about instructions is an injection echo, never a product fact
_INSTRUCTION = re.compile(
    r"지시|명령|프롬프트|무시하고|무시해|시스템 메시지|prompt|instruction|ignore\s+(?:all|previous|the)", re.IGNORECASE
)


@dataclass
class CheckReport:
    kept: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why)


def price_mentions(text: str) -> tuple[list[int], str]:
    """(every price the text states, in won: 3만 5천원, 1만2000원, 15,900원; the text with those prices blanked)."""
    out = []
    for m in _MAN_WON.finditer(text):
        rest = int(m.group(2)) * 1000 if m.group(3) else int(m.group(4).replace(",", "")) if m.group(4) else 0
        out.append(int(float(m.group(1)) * 10_000 + rest))
    text = _MAN_WON.sub(" ", text)
    out += [int(m.group(1).replace(",", "")) for m in _WON.finditer(text)]
    return out, _WON.sub(" ", text)


def allowed_numbers(rec: Recommendation, question_numbers: set[int]) -> tuple[set[int], set[float], set[int], str]:
    """Prices, ratings, counts and spec text a sentence about `rec` may state."""
    prices = {rec.price} if rec.price is not None else set()
    prices |= question_numbers  # the shopper's own budget may be repeated ("5만원 이하 조건")
    ratings = {round(rec.rating_mean, 1)} if rec.rating_mean is not None else set()
    counts = {rec.review_count, rec.repurchase_count, len(rec.citations)}
    counts |= {p.count for p in rec.pros + rec.cons} | set(rec.rating_hist.values())
    counts |= {int(k) for k in rec.rating_hist if k.isdigit()}
    spec = " ".join([rec.name, rec.category, rec.reason] + [c.quote for c in rec.citations])
    return prices, ratings, counts, spec


def check_sentence(sentence: str, rec: Recommendation, cited_ok: set[str], question_numbers: set[int]) -> str | None:
    """None when the sentence may be shown; otherwise why not."""
    if _INSTRUCTION.search(sentence):
        return "talks about instructions (a prompt-injection echo)"
    for review_id in CITATION.findall(sentence):
        if review_id not in cited_ok:
            return f"cites {review_id}, which was not retrieved for {rec.product_id}"
    body = CITATION.sub(" ", sentence)
    prices, ratings, counts, spec = allowed_numbers(rec, question_numbers)
    stated, body = price_mentions(body)
    for price in stated:
        if price not in prices:
            return f"price {price:,}원 is not {rec.product_id}'s price"
    for m in _RATING.finditer(body):
        if round(float(m.group(1)), 1) not in ratings:
            return f"rating {m.group(1)} is not {rec.product_id}'s rating"
    body = _RATING.sub(" ", body)
    for m in COUNT.finditer(body):
        if int(m.group(1)) not in counts and m.group(0) not in spec:
            return f"count '{m.group(0)}' is not in {rec.product_id}'s statistics"
    body = COUNT.sub(" ", body)
    for number in NUMBER.findall(body):
        if number not in spec:
            return f"number {number} appears nowhere in {rec.product_id}'s data"
    return None


def check_text(text: str, rec: Recommendation, cited_ok: set[str], question_numbers: set[int]) -> CheckReport:
    report = CheckReport()
    for sentence in (s.strip() for s in _SENTENCE.split(text or "")):
        if not sentence:
            continue
        why = check_sentence(sentence, rec, cited_ok, question_numbers)
        if why is None:
            report.kept.append(sentence)
        else:
            report.dropped.append((sentence, why))
    return report


def question_numbers(constraints) -> set[int]:
    if constraints is None:
        return set()
    return {v for v in (constraints.price_min, constraints.price_max) if v is not None}
