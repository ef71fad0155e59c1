"""Rule-based query understanding: a shopper's question → a structured query the UI shows and the user corrects.

No LLM. The parser orchestrates one reader per concern, each claiming the words it understood so that no two read
the same ones, in this order: prices (`prices.py`) → follow-up, sort and cheap intents → numeric specs (`specs.py`)
→ brands → categories (catalog words, synonyms, English, one-syllable typos) → requirements and negations
(`polarity.py`) → the superlative (`specs.py`, which needs the categories to pick the facet).

    vocab = QueryVocabulary.from_products(products, analyzer)
    QueryParser(analyzer, vocab).parse("5만원 이하 노캔 이어폰")  # price_max=50000, 무선이어폰, 노이즈캔슬링
    QueryParser(analyzer, vocab).parse("가장 가벼운 유모차")  # superlative Superlative("mass", "min", "가장 가벼운")

Keywords for retrieval are the text without price, intent and numeric-spec phrases (superlatives, requirements and
negations stay: reviews say '가벼워요'); English product words add their Korean word ('air fryer' → 에어프라이어).
"""

from __future__ import annotations

import re

from ..analyzer import KoreanAnalyzer
from .model import ParsedQuery
from .polarity import AttributeReader
from .prices import price_phrases
from .specs import imply_superlative, read_specs, read_superlative
from .text import QueryText, compact, latin_word
from .typos import by_length, typos
from .use_context import UseContexts
from .vocabulary import QueryVocabulary

MAX_ANALYSED_CHARS = 1000  # a question longer than this is not a question; the rest is kept but not parsed

_SORT_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (sort, re.compile(pattern, re.IGNORECASE))
    for sort, pattern in (  # first match wins: explicit orderings before softer wishes
        (
            "price_asc",
            r"(?:(?<!비)싼|저렴한|낮은\s*가격|가격\s*(?:낮은|싼))\s*순|(?:제일|가장|젤)\s*(?:싼|저렴한)|cheapest",
        ),
        ("price_desc", r"(?:비싼|높은\s*가격|가격\s*높은)\s*순"),
        (
            "rating",
            r"(?:평점|별점|후기|리뷰|평가)[이가은는]?\s*(?:높|좋)|(?<![가-힣])평[이]?\s*좋|만족도[가]?\s*높|top.rated",
        ),
        (
            "popular",
            r"인기|잘\s*(?:나가|팔리|팔린)|많이\s*(?:팔린|팔리|샀)|베스트|판매량|(?:후기|리뷰)[가이]?\s*많|popular|best.?sell",
        ),
        ("recent", r"최신|신상|신제품|(?:요즘|최근|새로)\s*(?:나온|출시)|출시된"),
        ("value", r"가성비|갓성비|가심비"),
    )
)
_RELATIVE_PATTERNS = (  # "더 싼 건 없어?", "이거보다 좋은 거"
    ("cheaper", re.compile(r"(?:더|보다)\s*(?:싼|싸|저렴|값싼)|(?:가격|값)[이가은는]?\s*더\s*(?:낮|싸|싼|저렴)")),
    ("pricier", re.compile(r"(?:더|보다)\s*(?:좋은|비싼|고급|나은)|(?:가격|값)[이가은는]?\s*더\s*(?:높|비싸|비싼)")),
)
_CHEAP_RE = re.compile(
    r"저렴|값싼|(?<![비감])싼|(?<![비감])싸(?:고|게|면|서|요)|저가(?!형)|착한\s*가격|가격\s*착한|(?<![a-z])cheap(?!est)",
    re.IGNORECASE,
)


class QueryParser:
    """Turns a question into a `ParsedQuery` with rules and the catalog's vocabulary; no model, no network."""

    def __init__(
        self, analyzer: KoreanAnalyzer, vocabulary: QueryVocabulary, contexts: UseContexts | None = None
    ) -> None:
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.contexts = contexts  # situations → qualities, learnt from the catalog's reviews (use_context.py)
        self.attributes = AttributeReader(vocabulary)
        paths = {p for ps in vocabulary.categories.values() for p in ps}
        self._leaves = {p for p in paths if not any(q.startswith(p + ">") for q in paths)}
        self._english = {compact(e): k for e, k in vocabulary.english.items()}
        self._category_typos = by_length(vocabulary.categories, 3)

    def parse(self, text: str) -> ParsedQuery:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        query = ParsedQuery(text=text)
        t = QueryText(text[:MAX_ANALYSED_CHARS], self.analyzer)
        self._prices(t, query)
        self._intents(t, query)
        removed = [(s, self._with_particle(t, e)) for s, e, _ in query.spans]
        removed += [(s, self._with_particle(t, e)) for s, e in read_specs(t, query, self.vocabulary)]
        self._brands(t, query)
        self._categories(t, query)
        qualities = self.attributes.read(t, query)
        read_superlative(t, query, self.vocabulary, qualities)
        imply_superlative(t, query, self.vocabulary, self.contexts)
        kept = "".join(ch for i, ch in enumerate(text) if not any(s <= i < e for s, e in removed))
        keywords = " ".join(kept.split()) or " ".join(text.split())
        query.keywords = " ".join([keywords, *(k for k in self._english_words(t) if k not in keywords)])
        query.spans.sort()
        return query

    def _english_words(self, t: QueryText) -> list[str]:
        """The Korean words of the English product words a question uses: reviews are Korean."""
        out = []
        for english, korean in self._english.items():
            if english in t.compact and any(latin_word(t.text, s, e) for s, e in t.find(english)) and korean not in out:
                out.append(korean)
        return out

    @staticmethod
    def _with_particle(t: QueryText, end: int) -> int:
        """Where a phrase removed from the keywords ends, with what is left of its word: '이하|로는' → '이하로는'."""
        word_end = t.word(end - 1)[1]
        return word_end if word_end - end <= 3 else end

    def _prices(self, t: QueryText, query: ParsedQuery) -> None:
        for phrase in price_phrases(t.text):
            if phrase.low is not None:
                query.price_min = max(phrase.low, query.price_min or 0)
            if phrase.high is not None:
                query.price_max = phrase.high if query.price_max is None else min(phrase.high, query.price_max)
            if phrase.target is not None and query.price_target is None:
                query.price_target = phrase.target
            t.claim(query, phrase.start, phrase.end, phrase.label)

    def _intents(self, t: QueryText, query: ParsedQuery) -> None:
        """Follow-ups, then sort intents, then 'cheap', so that "더 싼" and "싼 순" are not read as 'cheap'."""
        for relative, regex in _RELATIVE_PATTERNS:
            m = regex.search(t.text)
            if m and query.relative is None and t.free(*m.span()):
                query.relative = relative
                t.claim(query, *m.span(), f"relative:{relative}")
        for sort, regex in _SORT_PATTERNS:
            m = regex.search(t.text)
            if m and query.sort is None and t.free(*m.span()):
                query.sort = sort
                t.claim(query, m.start(), len(t.text[: m.end()].rstrip()), f"sort:{sort}")
        for m in _CHEAP_RE.finditer(t.text):
            if t.free(*m.span()):
                query.cheap = True
                t.claim(query, *m.span(), "cheap")

    def _brands(self, t: QueryText, query: ParsedQuery) -> None:
        for brand in sorted(self.vocabulary.brands, key=len, reverse=True):
            for m in re.finditer(re.escape(brand.lower()), t.text.lower()):
                if t.word(m.start())[0] == m.start() and t.free(*m.span()):
                    query.brands += [brand] if brand not in query.brands else []
                    t.claim(query, *m.span(), f"brand:{brand}")

    def _categories(self, t: QueryText, query: ParsedQuery) -> None:
        """Catalog names, heads and synonyms, or a typo of one; else weaker words; else the named brands' categories."""
        found = self._exact(t, self.vocabulary.categories)
        covered = {w for w in t.words if any(s <= w[0] and w[1] <= e for s, e, _ in found)}  # spanned whole
        words = [w for w in t.words if w not in covered and _hangul(t, w)]
        slips = typos(t, self.vocabulary.categories, words, self._category_typos)
        found = [f for f in found if t.word(f[0]) not in {t.word(s) for s, _, _ in slips}] + slips
        found = found or self._exact(t, self.vocabulary.weak_categories)
        found = self._most_specific(found)
        keys = self.vocabulary.facet_keys
        if any(compact(t.text[s:e]) not in keys for s, e, _ in found):  # '배터리 오래 가는 서큘레이터': a spec's key
            found = [f for f in found if compact(t.text[f[0] : f[1]]) not in keys]
        for start, end, paths in found:
            query.categories += [p for p in paths if p not in query.categories]
            t.claim(query, start, end, "category:" + "|".join(paths))
        if not query.categories:  # "소리온이랑 소노릭 중에": every category of the named brands, so none is lost
            query.categories = sorted({p for b in query.brands for p in self.vocabulary.brands.get(b, ())})

    def _most_specific(self, found: list[tuple[int, int, tuple[str, ...]]]) -> list[tuple[int, int, tuple[str, ...]]]:
        """A named product type makes broader words context ("캠핑 가서 쓸 선풍기" → 서큘레이터 only), though they
        still pick between the types an ambiguous word names ("캠핑 가서 쓸 의자" → 캠핑의자, not 사무용의자)."""
        broad = [p for _, _, paths in found for p in paths if p not in self._leaves]
        if not any(p in self._leaves for _, _, paths in found for p in paths):
            return found
        narrowed = []
        for start, end, paths in found:
            under = tuple(p for p in paths if any(p.startswith(b + ">") for b in broad))
            if any(p in self._leaves for p in paths):
                narrowed.append((start, end, under or paths))
        return narrowed

    @staticmethod
    def _exact(t: QueryText, table: dict[str, tuple[str, ...]]) -> list[tuple[int, int, tuple[str, ...]]]:
        """Unclaimed, morpheme-aligned occurrences of the table's words, longest first and not overlapping."""
        found: list[tuple[int, int, tuple[str, ...]]] = []
        for word in sorted(table, key=len, reverse=True):
            for start, end in t.find(word):
                if not t.free(start, end) or any(start < e and s < end for s, e, _ in found):
                    continue
                if word.isascii() and not latin_word(t.text, start, end):
                    continue  # 'pan' is no word of 'japan'
                if t.aligned(start):
                    found.append((start, end, table[word]))
        return found


def _hangul(t: QueryText, word: tuple[int, int]) -> bool:
    return any("가" <= ch <= "힣" for ch in t.text[word[0] : word[1]])
