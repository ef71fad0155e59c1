"""Numeric spec constraints and superlatives in a question, typed against the catalog's facets.

- constraints: a quantity with a unit (`rag.units`) and a comparison word (`bounds.py`): '30dB 이하', '1kg 미만',
  '만mAh 이상', '5L 넘는', '500g보다 가벼운', 'under 500g'; '4인용' means at least 4 people. The word before the
  quantity becomes the key hint when the catalog has it as a facet key or qualifier of that dimension ('두께 5mm
  이하' → 두께, '한쪽 300g 이하' → 한쪽); a range is both bounds ('1~2kg 텐트'). A single quantity without a
  comparison word is left to retrieval ('3L 가습기'), and so is the shopper's own size ('키 180cm 이상'). Model
  codes ('AR-500W') and prices are never specs.
- superlatives: a spec word of the lexicon ('가벼운', '조용한', '오래 가는', '용량 큰') or a catalog key of a numeric
  facet with a magnitude word ('소음 적은', '흡입력 센'). With 제일/가장/최대한 it is explicit (order by it); without,
  `explicit=False`: '부모님이 쓰시기 편한 가벼운 청소기' wishes for light, not for the lightest gadget there is.
  With 더/보다 it is a comparative ('더 가벼운 거'), which a follow-up turns into a bound from the previous answer's
  top pick (`followups.py`).
"""

from __future__ import annotations

import re

from ..units import format_quantity, parse_quantities, parse_ranges
from .bounds import OPS, bound_after, bound_before, flip, refused
from .lexicon import COMPARATIVE_MARKERS, MAGNITUDE_WORDS, SHOPPER_WORDS, SPEC_WORDS, SUPERLATIVE_MARKERS, SpecWord
from .model import ParsedQuery, SpecConstraint, Superlative
from .text import QueryText, compact
from .use_context import UseContexts
from .vocabulary import QueryVocabulary

_PEOPLE_BARE = re.compile(r"\s*(?:가족|이서|이\s*쓸|이\s*사용|용)")  # '4인 가족', '2명이서'; '인용' is read as a unit


def read_specs(t: QueryText, query: ParsedQuery, vocabulary: QueryVocabulary) -> list[tuple[int, int]]:
    """Claim every numeric spec constraint; returns the spans to drop from the retrieval keywords."""
    removed = []
    ranges = {r.end: r for r in parse_ranges(t.text)}
    for q in parse_quantities(t.text):
        if not t.free(q.start, q.end):  # model codes ('AR-500W') are no quantity to rag.units
            continue
        start = q.start
        rng = ranges.get(q.end)
        if rng is not None and t.free(rng.start, rng.end):
            start = rng.start
        after, before = bound_after(t.text, q.end), bound_before(t.text, start)
        kind = before[0] if before else after[0] if after else None
        end = after[1] if after else q.end
        in_range = rng is not None and start == rng.start
        if kind in ("decade", "approx") or (kind is None and not in_range and not _bare_people(t.text, q)):
            continue  # '3L 가습기', '5kg 정도': a size named for retrieval, not a limit
        if before:
            start = before[1]
        if kind is not None and refused(t.text, end):
            kind = flip(kind)
        hint_span = t.word_before(start)
        if hint_span and hint_span[2] in SHOPPER_WORDS:
            continue  # '키 180cm 이상': the shopper's size, which retrieval may use, no bound on the product
        key_hint = ""
        if hint_span and _is_key(vocabulary, hint_span[2], q.dimension):
            key_hint = hint_span[2]
        label_start = hint_span[0] if key_hint else start
        end = len(t.text[:end].rstrip())
        word_end = t.word(end - 1)[1]
        end = word_end if word_end - end <= 2 and not t.text[end:word_end].startswith(("로", "으로", "인")) else end
        label = " ".join(t.text[label_start:end].split())
        if in_range and q.dimension == "people":
            bounds = [(">=", rng.high)]  # '3~4인용' must hold the 4
        elif in_range and kind is None:
            bounds = [(">=", rng.low), ("<=", rng.high)]  # '1~2kg 텐트'
        elif in_range:
            bounds = [(OPS[kind], rng.high if kind in ("max", "below") else rng.low)]  # '1~2kg 이하' → ≤ 2 kg
        elif kind is None:
            bounds = [(">=", q.value)]  # '4인용 텐트': room for at least 4
        else:
            bounds = [(OPS[kind], q.value)]
        if q.dimension == "people" and all(op == ">=" and v <= 1 for op, v in bounds):
            continue  # '1인용' bounds nothing
        for op, value in bounds:
            spec = SpecConstraint(q.dimension, op, value, key_hint, label)
            if spec not in query.specs:
                query.specs.append(spec)
        t.claim(query, label_start, end, "spec:" + ",".join(f"{q.dimension}{op}{v:g}" for op, v in bounds))
        removed.append((start, end))
    return removed


def _bare_people(text: str, q) -> bool:
    return q.dimension == "people" and (q.surface.endswith("인용") or _PEOPLE_BARE.match(text, q.end) is not None)


def _is_key(vocabulary: QueryVocabulary, word: str, dimension: str) -> bool:
    if dimension in vocabulary.qualifiers.get(word, ()):
        return True
    return any(word in by_dim.get(dimension, ()) for by_dim in vocabulary.dimension_keys.values())


# --- superlatives and comparatives ----------------------------------------------------------------------------
def _alternation(words) -> str:
    return "|".join(r"\s*".join(map(re.escape, w.replace(" ", ""))) for w in sorted(words, key=len, reverse=True))


_SPEC_WORD_RE = re.compile(rf"(?<![가-힣a-zA-Z])(?P<w>{_alternation(SPEC_WORDS)})", re.IGNORECASE)
_MAGNITUDES = {compact(w): d for w, d in MAGNITUDE_WORDS.items()}
# '용량 큰', '소음 더 적은', '용량이 가장 큰', '무게가 제일 적게 나가는': a key, a marker inside, a magnitude word
_MAGNITUDE_RE = re.compile(
    rf"\s*[이가은는]?\s*(?P<mark>(?:더|{_alternation(SUPERLATIVE_MARKERS)})\s*)?(?P<m>{_alternation(MAGNITUDE_WORDS)})"
    r"(?![가-힣])",
    re.IGNORECASE,
)
_SUPERLATIVE_BEFORE = re.compile(rf"(?:{_alternation(SUPERLATIVE_MARKERS)})\s*$", re.IGNORECASE)
_COMPARATIVE_BEFORE = re.compile(rf"(?:{_alternation(COMPARATIVE_MARKERS)})\s*$")


def read_superlative(t: QueryText, query: ParsedQuery, vocabulary: QueryVocabulary, negated: dict) -> None:
    """The first superlative or comparative of the question (a question orders by one facet).

    `negated`: nominalised negated qualities already read ('무거움' from '안 무거운'), as spec words with spans.
    """
    found = []  # (start, end, SpecWord, the catalog key it names, a marker inside: "more" '소음 더 적은', "most")
    for m in _SPEC_WORD_RE.finditer(t.text):
        if t.free(*m.span()) and _word_starts(t, m.start()):
            found.append((m.start(), m.end(), SPEC_WORDS[compact(m["w"])], "", ""))
    dims = vocabulary.dimensions(query.categories)
    numeric_keys = sorted({k for keys in dims.values() for k in keys}, key=len, reverse=True)
    for key in numeric_keys:
        for start, end in t.find(compact(key)):
            m = _MAGNITUDE_RE.match(t.text, end)
            if m and t.free(start, m.end()) and t.aligned(start):
                dim = next(d for d, keys in dims.items() if key in keys)
                inner = (m["mark"] or "").strip()
                word = SpecWord(((dim, key),), _MAGNITUDES[compact(m["m"])])
                found.append((start, m.end(), word, key, "more" if inner == "더" else "most" if inner else ""))
    found += [(s, e, w, "", "") for s, e, w in negated.values()]
    for start, end, word, key, inner in sorted(found, key=lambda f: f[0]):
        superlative = _resolve(word, key, t, start, query, vocabulary)
        if superlative is None:
            continue
        before = t.text[:start]
        marker = _SUPERLATIVE_BEFORE.search(before) or _COMPARATIVE_BEFORE.search(before)
        comparative = inner == "more" or (marker is not None and _COMPARATIVE_BEFORE.search(before) is not None)
        if marker and t.free(marker.start(), start):
            start = marker.start()
        end = t.word(end - 1)[1] if t.word(end - 1)[1] - end <= 2 else end  # '가벼운거' keeps its 거 in the chip
        label = " ".join(t.text[start:end].split())
        explicit = marker is not None or bool(inner)
        query.superlative = Superlative(superlative[0], word.direction, label, superlative[1], comparative, explicit)
        kind = "comparative" if comparative else "superlative"
        t.claim(query, start, end, f"{kind}:{superlative[0]}:{word.direction}")
        return


def imply_superlative(
    t: QueryText, query: ParsedQuery, vocabulary: QueryVocabulary, contexts: UseContexts | None
) -> None:
    """A situation that names no attribute ('들고 다니기 편한 등산화') implies the quality the catalog's reviews
    mention with it, as an unmarked wish (`use_context.py`); only when the question named a product type and read
    no spec, superlative or requirement of its own."""
    if not contexts or query.superlative or query.specs or query.attributes or not query.categories:
        return
    free = [(s, e) for s, e in t.words if t.free(s, e)]
    implied = contexts.implied(t.analyzer.terms(" ".join(t.text[s:e] for s, e in free))) if free else None
    if implied is None:
        return
    resolved = _resolve(implied.word, "", t, 0, query, vocabulary)
    if resolved is not None:
        words = " ".join(t.text[s:e] for s, e in free if any(x in t.text[s:e] for x in implied.terms))
        query.superlative = Superlative(
            resolved[0], implied.word.direction, implied.surface, resolved[1], explicit=False, context=words
        )


def _word_starts(t: QueryText, pos: int) -> bool:
    return pos == 0 or not t.text[pos - 1].isalnum() or t.aligned(pos)


def _resolve(
    word: SpecWord, key: str, t: QueryText, start: int, query: ParsedQuery, vocabulary: QueryVocabulary
) -> tuple[str, str] | None:
    """(dimension, key hint) the word means for the asked categories, or None when none of their facets has it.

    With no facets at all (a catalog without attributes) the word's first sense stands, so the shopper still sees
    it understood; the ranking then finds no values to order by and keeps its order.
    """
    if not vocabulary.dimension_keys:
        return word.senses[0][0], key or word.senses[0][1]
    dims = vocabulary.dimensions(query.categories)
    hint_span = t.word_before(start)
    for dim, sense_key in word.senses:
        keys = dims.get(dim, ())
        if not keys or (sense_key and sense_key not in keys):
            continue
        if key or sense_key:
            return dim, key or sense_key
        return dim, hint_span[2] if hint_span and hint_span[2] in keys else ""  # '보냉 오래 가는 텀블러' → 보냉
    return None


_OP_WORDS = {"<=": "이하", "<": "미만", ">=": "이상", ">": "초과"}


def spec_text(dimension: str, op: str, value: float) -> str:
    """'500g 미만': a bound as a shopper reads it (a follow-up's 'lighter than the top pick')."""
    return f"{format_quantity(value, dimension)} {_OP_WORDS[op]}"
