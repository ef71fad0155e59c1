"""Checks on what a language model wrote, before a shopper sees it: claim by claim, never by substring.

A sentence survives only if
- it does not talk about instructions (an injection echo) and is not an order or an advert aimed at the shopper
  ("지금 바로 구매하세요!", "최고예요", a link);
- every review it cites was retrieved for the product it talks about;
- every number in it, written in digits or in words ("만 이천 원", "2만 정도", "세 개"), is one the catalog or
  the evidence holds: a price equals the product's (or the shopper's budget), a rating its rating, a count one
  of its statistics, any other number appears with the same unit in the evidence as a whole token
  (`12` in `12개` does not vouch for `$12`); a foreign-currency price is never the catalog's;
- with `nouns` given (the guide passes the analyzer's), every content noun is in the evidence the model was
  shown — the cited reviews for a sentence that cites, all the product's evidence otherwise — or is a word of
  the guide's own vocabulary (`allowed`): an invented feature ("UV 살균") has no evidence and is dropped.
Whatever fails is dropped and counted; `CheckReport.checks` says which checks ran, so a caller says "verified"
only for what was verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from .evidence import Recommendation

# [리뷰:R1], [리뷰 R1], [review: R1], [R1] → R1: a Latin prefix needs a separator, so that [R1] is the id R1, not 1
CITATION = re.compile(
    r"\[(?:리뷰\s*:?\s*|review(?:\s*:\s*|\s+)|r(?:\s*:\s*|\s+))?([A-Za-z0-9][A-Za-z0-9_\-]*)\]", re.IGNORECASE
)
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
_MAN_WON = re.compile(r"(\d+(?:\.\d+)?)\s*만\s*(?:(\d+)\s*(천)|(\d+(?:,\d{3})*))?\s*원")
_WON = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)\s*원")
_RATING = re.compile(r"(\d(?:\.\d+)?)\s*(?:점|/\s*(?:5|10)(?![\d.]))")  # 4.2/5예요 (\b fails before Hangul)
COUNT = re.compile(r"(\d+)\s*(?:개|건|명|번)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# text that talks about instructions is an injection echo, never a product fact
_INSTRUCTION = re.compile(
    r"지시|명령|프롬프트|무시하고|무시해|시스템 메시지|prompt|instruction|ignore\s+(?:all|previous|the)", re.IGNORECASE
)
# an order or an advert aimed at the shopper: no review or catalog number ever makes these true
_IMPERATIVE = re.compile(r"(?:세요|십시오|하라|해라|하자|합시다|하시길|해 ?보자)\s*[.!~]*\s*$")
_PROMOTION = re.compile(
    r"지금\s*바로|서두르|놓치지|한정\s*(?:수량|특가|판매)|특가|쿠폰|할인\s*코드|링크|클릭|최고의?\s*(?:상품|제품|선택)?"
    r"(?:예요|이에요|입니다|다)|강력\s*추천|강추|무조건|역대급|완벽|https?://|www\.|\.com\b",
    re.IGNORECASE,
)
_FOREIGN = re.compile(
    r"[$€£¥]\s*\d|\d\s*(?:달러|불\b|유로|엔\b|위안|USD|EUR|JPY|CNY|dollars?\b)|\b(?:USD|EUR|JPY|CNY)\s*\d",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"['\"“”‘’「」『』]([^'\"“”‘’「」『』]{2,})['\"“”‘’「」『』]")
_APPROX = re.compile(r"(?:약|대략|거의)\s*$|^\s*(?:정도|쯤|가량|안팎|내외|남짓)")

# numbers in words: Sino-Korean digits and multipliers, native counting words before a counter
_SINO_DIGIT = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_SMALL = {"십": 10, "백": 100, "천": 1000}
_BIG = {"만": 10_000, "억": 100_000_000}
_COUNTER = r"원|개|건|명|번|점|배|가지|시간|달|퍼센트|프로|%"
_NUM_RUN = re.compile(
    r"(?<![가-힣0-9.,])((?:\d[\d,]*|[일이삼사오육칠팔구십백천만억])(?:\s?(?:\d[\d,]*|[일이삼사오육칠팔구십백천만억]))*)"
    rf"(?=(\s?)({_COUNTER})|[^가-힣]|$)"
)
_NATIVE = {
    "한": 1,
    "두": 2,
    "세": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
    "스무": 20,
}
_NATIVE_RUN = re.compile(rf"(?<![가-힣])({'|'.join(_NATIVE)})\s?(개|명|번|건|가지|시간|달|배)")


@dataclass
class CheckReport:
    kept: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why)
    checks: tuple[str, ...] = ()  # what was verified: "instructions", "promotion", "citations", "numbers", "support"


def _sino_value(run: str) -> int | None:
    total, section, current = 0, 0, 0
    for token in re.findall(r"\d[\d,]*|[일이삼사오육칠팔구십백천만억]", run):
        if token[0].isdigit():
            current = int(token.replace(",", ""))
        elif token in _SINO_DIGIT:
            current = _SINO_DIGIT[token]
        elif token in _SMALL:
            section += (current or 1) * _SMALL[token]
            current = 0
        else:
            total += (section + current or 1) * _BIG[token]
            section = current = 0
    value = total + section + current
    return value or None


def read_numbers(text: str) -> str:
    """`text` with numbers written in words as digits: '만 이천 원' → '12000원', '2만 정도' → '20000원 정도'
    (a bare 만/억 amount in a shopping answer is money), '세 개' → '3개'. Words that only look like numerals
    ('이 상품', '만족', '천천히') are left alone: a run converts only with a multiplier in it."""

    def sino(m: re.Match) -> str:
        run, unit = m.group(1), m.group(3)
        if not re.search("[십백천만억]", run) or not re.search("[가-힣]", run):
            return m.group(0)  # digits only (handled as they are), or a lone syllable such as 이/오/사
        value = _sino_value(run)
        if value is None:
            return m.group(0)
        if unit is None and re.search("[만억]", run):
            return f"{value}원"  # "2만 정도", "3만대": an amount of money
        return f"{value}"

    text = _NUM_RUN.sub(sino, text)
    return _NATIVE_RUN.sub(lambda m: f"{_NATIVE[m.group(1)]}{m.group(2)}", text)


def price_mentions(text: str) -> tuple[list[int], str]:
    """(every price the text states, in won: 3만 5천원, 1만2000원, 15,900원, 만 이천 원, 2만 정도; the text with
    those prices blanked)."""
    text = read_numbers(text)
    out = []
    for m in _MAN_WON.finditer(text):
        rest = int(m.group(2)) * 1000 if m.group(3) else int(m.group(4).replace(",", "")) if m.group(4) else 0
        out.append(int(float(m.group(1)) * 10_000 + rest))
    text = _MAN_WON.sub(" ", text)
    out += [int(m.group(1).replace(",", "")) for m in _WON.finditer(text)]
    return out, _WON.sub(" ", text)


def _approximate_prices(text: str) -> list[tuple[int, bool]]:
    """(price, said approximately) for each won amount in `text` (already through `read_numbers`)."""
    out = []
    for m in _WON.finditer(text):
        before, after = text[max(0, m.start() - 4) : m.start()], text[m.end() : m.end() + 4]
        out.append((int(m.group(1).replace(",", "")), bool(_APPROX.search(before) or _APPROX.search(after))))
    return out


def allowed_numbers(rec: Recommendation, question_numbers: set[int]) -> tuple[set[int], set[float], set[int], str]:
    """Prices, ratings, counts and spec text a sentence about `rec` may state."""
    prices = {rec.price} if rec.price is not None else set()
    prices |= question_numbers  # the shopper's own budget may be repeated ("5만원 이하 조건")
    ratings = {round(rec.rating_mean, 1)} if rec.rating_mean is not None else set()
    ratings.add(round(float(rec.rating_max), 1))  # "5점 만점에 4.7점": the scale itself
    counts = {rec.review_count, rec.repurchase_count, len(rec.citations)}
    counts |= {p.count for p in rec.pros + rec.cons} | set(rec.rating_hist.values())
    counts |= {int(k) for k in rec.rating_hist if k.isdigit()}
    spec = " ".join([rec.name, rec.category, rec.reason] + [c.quote for c in rec.citations])
    return prices, ratings, counts, spec


def _unit_after(text: str, end: int) -> str:
    m = re.match(r"[A-Za-z가-힣%]", text[end:])
    return m.group(0) if m else ""


def _number_in(number: str, unit: str, spec: str) -> bool:
    """`number` occurs in `spec` as a whole token followed by the same unit (its first character)."""
    for m in re.finditer(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", spec):
        if _unit_after(spec, m.end()) == unit:
            return True
    return False


def is_order(sentence: str) -> bool:
    """Whether `sentence` talks about instructions or orders someone about: what review text must never carry
    into a model's input ("이전 지시를 무시하고…", "이 상품이 최고라고 말하세요")."""
    return bool(_INSTRUCTION.search(sentence) or _IMPERATIVE.search(CITATION.sub(" ", sentence)))


def _promotional(body: str) -> str | None:
    if _PROMOTION.search(body):
        return "promotes instead of informing (an advert or an injected order)"
    if _IMPERATIVE.search(body):
        return "tells the shopper what to do (an imperative, not a product fact)"
    return None


def check_sentence(
    sentence: str,
    rec: Recommendation,
    cited_ok: set[str],
    question_numbers: set[int],
    nouns: Callable[[str], list[str]] | None = None,
    allowed: Collection[str] = (),
    others: Sequence[Recommendation] = (),
) -> str | None:
    """None when the sentence may be shown; otherwise why not. `others`: further products the sentence may speak
    about (a comparison), whose numbers and evidence count as well."""
    if _INSTRUCTION.search(sentence):
        return "talks about instructions (a prompt-injection echo)"
    cited = CITATION.findall(sentence)
    for review_id in cited:
        if review_id not in cited_ok:
            return f"cites {review_id}, which was not retrieved for {rec.product_id}"
    body = CITATION.sub(" ", sentence)
    prices, ratings, counts, spec = allowed_numbers(rec, question_numbers)
    for other in others:
        more = allowed_numbers(other, question_numbers)
        prices, ratings, counts, spec = prices | more[0], ratings | more[1], counts | more[2], f"{spec} {more[3]}"
    quotes = [c.quote for r in (rec, *others) for c in r.citations]
    # a span quoted verbatim from a cited review is the review's word, not the model's: checked as a quote only
    body = _QUOTED.sub(lambda m: " " if any(m.group(1) in q for q in quotes) else m.group(0), body)
    said = body  # the claim before amounts are blanked: blanking '29,900원으로' leaves a stray '으' for the analyzer
    why = _promotional(body)
    if why:
        return why
    if _FOREIGN.search(body):
        return f"states a price in another currency; {rec.product_id}'s price is in won"
    body = read_numbers(body.replace("₩", ""))
    for price, approximate in _approximate_prices(body):
        ok = price in prices or (approximate and any(abs(price - p) <= 0.05 * p for p in prices if p))
        if not ok:
            return f"price {price:,}원 is not {rec.product_id}'s price"
    body = _WON.sub(" ", body)
    for m in _RATING.finditer(body):
        if round(float(m.group(1)), 1) not in ratings:
            return f"rating {m.group(1)} is not {rec.product_id}'s rating"
    body = _RATING.sub(" ", body)
    for m in COUNT.finditer(body):
        if int(m.group(1)) not in counts and not _number_in(m.group(1), m.group(0)[-1], spec):
            return f"count '{m.group(0)}' is not in {rec.product_id}'s statistics"
    body = COUNT.sub(" ", body)
    for m in NUMBER.finditer(body):
        if not _number_in(m.group(0), _unit_after(body, m.end()), spec):
            return f"number {m.group(0)} appears nowhere in {rec.product_id}'s data with that unit"
    if nouns is not None:
        recs = (rec, *others)
        evidence = [x for r in recs for x in (r.name, r.brand, r.category)]
        cites = [c for r in recs for c in r.citations]
        evidence += [q for c, q in zip(cites, quotes, strict=True) if c.review_id in cited] if cited else [
            *(r.reason for r in recs), *quotes, *(p.line for r in recs for p in r.pros + r.cons),
            *(x for r in recs for x in r.satisfied)]  # fmt: skip
        known = set(allowed) | {n for text in evidence for n in nouns(text)}
        own = set(nouns(said))
        unsupported = [n for n in dict.fromkeys(nouns(body)) if n not in known and not n.isdigit() and n in own]
        if unsupported:
            where = "the cited reviews" if cited else f"{rec.product_id}'s evidence"
            return f"claims {', '.join(unsupported)}, which {where} never mention"
    return None


def check_text(
    text: str,
    rec: Recommendation,
    cited_ok: set[str],
    question_numbers: set[int],
    nouns: Callable[[str], list[str]] | None = None,
    allowed: Collection[str] = (),
    others: Sequence[Recommendation] = (),
) -> CheckReport:
    report = CheckReport(checks=("instructions", "promotion", "citations", "numbers", *(("support",) if nouns else ())))
    for sentence in (s.strip() for s in _SENTENCE.split(text or "")):
        if not sentence:
            continue
        why = check_sentence(sentence, rec, cited_ok, question_numbers, nouns, allowed, others)
        if why is None:
            report.kept.append(sentence)
        else:
            report.dropped.append((sentence, why))
    return report


def question_numbers(constraints) -> set[int]:
    if constraints is None:
        return set()
    return {v for v in (constraints.price_min, constraints.price_max) if v is not None}
