"""A use-case that names no attribute, read through the catalog's own review language: '들고 다니기 편한 등산화'.

Shoppers describe a situation (`여행 갈 때 챙겨 갈`, `오래 들고 다녀도 안 힘든`) rather than the spec it implies. Which
spec a situation implies is learnt from the catalog's own reviews, not from a
list of situations: reviews that talk about a situation also say which quality mattered there ('여행 갈 때마다 들고
다니는데 … 가벼워서'). The rule (`UseContexts.from_documents`, `UseContexts.implied`):

1. The quality words are the lexicon's spec adjectives (`lexicon.SPEC_WORDS`, `NEGATED_SPEC_WORDS`: 가벼운 and
   무거운 both say weight matters), each reduced to its kiwi lemma (가볍, 무겁), and the catalog key of the group's
   first sense (무게 for 가벼운, 소음 for 조용한; a key two groups order both ways, 두께, is left out).
2. Over the catalog's reviews (product texts are left out: their attribute lists put 무게 beside every category
   word), for every term t of two or more Hangul syllables (one-syllable stems such as 두 of 둘 occur in every
   kind of sentence; numbers and units describe products, not situations) and every spec word group G (the words
   of one `SpecWord`): n(t) reviews contain t, n(G) contain a word of G, n(t, G) both, out of N. t is a context
   of G when n(t, G) ≥ `MIN_TOGETHER` and the lift n(t, G)·N / (n(t)·n(G)) ≥ `MIN_LIFT` (t occurs with G several
   times more often than by chance).
3. A question that reads no spec, superlative or requirement of its own, names a product type, and has a context
   term among its unclaimed words implies the group with the most such co-occurrences, as an implied
   (`explicit=False`) superlative resolved against the named categories' facets like '가벼운' would be. A group
   the named categories have no facet for implies nothing.

The thresholds were chosen on the spec set's dev split only (`eval/data/spec_queries`, see the README's numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..analyzer import KoreanAnalyzer
from ..facets import USUAL_KEYS
from .lexicon import NEGATED_SPEC_WORDS, SPEC_WORDS, SpecWord

MIN_TOGETHER = 4  # documents in which the context term and the quality word occur together
MIN_LIFT = 3.0  # × how often they would meet by chance


@dataclass(frozen=True)
class ImpliedQuality:
    word: SpecWord  # the quality the situation implies ('가벼운')
    surface: str  # the lexicon word that stands for it, for the answer ('가벼운')
    terms: tuple[str, ...]  # the question's context terms that implied it ('들', '다니')


@dataclass
class UseContexts:
    """term → [(spec word group index, documents together)], learnt from one catalog's texts."""

    groups: list[tuple[SpecWord, str]] = field(default_factory=list)  # (the SpecWord, a surface word for it)
    contexts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.contexts)

    @classmethod
    def from_documents(cls, documents: Iterable[Sequence[str]], analyzer: KoreanAnalyzer) -> UseContexts:
        """`documents`: each document's BM25 terms (the index stores them; no kiwi pass over the catalog here)."""
        groups: list[tuple[SpecWord, str]] = []
        lemma_group: dict[str, int] = {}
        key_groups: dict[str, set[int]] = {}
        for surface, word in [*SPEC_WORDS.items(), *NEGATED_SPEC_WORDS.items()]:
            if not _hangul(surface):
                continue  # English words: the catalog's texts are Korean
            index = next((i for i, (w, _) in enumerate(groups) if w is word), None)
            if index is None:
                index = len(groups)
                groups.append((word, surface))
                dim, key = word.senses[0]
                key = key or next((k for k in USUAL_KEYS.get(dim, ()) if _hangul(k)), "")
                if key:
                    key_groups.setdefault(key, set()).add(index)
            lemma = _lemma(surface, analyzer)
            if lemma:
                lemma_group.setdefault(lemma, index)
        for key, owners in key_groups.items():  # a key two groups order both ways (두께: 얇은, 두꺼운) says neither
            if len(owners) == 1:
                lemma_group.setdefault(key, next(iter(owners)))
        n_docs = 0
        n_term: Counter = Counter()
        n_group: Counter = Counter()
        together: Counter = Counter()
        for terms in documents:
            n_docs += 1
            unique = set(terms)
            hit = {lemma_group[t] for t in unique if t in lemma_group}
            n_term.update(unique)
            n_group.update(hit)
            for g in hit:
                together.update((t, g) for t in unique if t not in lemma_group and _situation_word(t))
        contexts: dict[str, list[tuple[int, int]]] = {}
        for (term, g), n in together.items():
            if n >= MIN_TOGETHER and n * n_docs >= MIN_LIFT * n_term[term] * n_group[g]:
                contexts.setdefault(term, []).append((g, n))
        return cls(groups, contexts)

    def implied(self, terms: Iterable[str]) -> ImpliedQuality | None:
        """The quality the question's (unclaimed) terms most often go with in this catalog's texts, or None."""
        votes: Counter = Counter()
        by: dict[int, list[str]] = {}
        for term in dict.fromkeys(terms):
            for g, n in self.contexts.get(term, ()):
                votes[g] += n
                by.setdefault(g, []).append(term)
        if not votes:
            return None
        g, _ = max(votes.items(), key=lambda kv: (kv[1], -kv[0]))
        word, surface = self.groups[g]
        return ImpliedQuality(word, surface, tuple(by[g]))


def _situation_word(term: str) -> bool:
    """Two or more Hangul syllables: one-syllable stems (두 of 둘, 크, 가) occur in every kind of sentence."""
    return len(term) >= 2 and _hangul(term)


def _hangul(text: str) -> bool:
    """Only Hangul: a situation is said in words; numbers and units ('290mm', 'g') describe products."""
    return bool(text) and all("가" <= ch <= "힣" for ch in text)


def _lemma(surface: str, analyzer: KoreanAnalyzer) -> str:
    """The one term a spec word is indexed as ('가벼운' → 가볍, '경량' → 경량), or '' when it is not one word."""
    terms = analyzer.terms(surface)
    if surface in terms:
        return surface
    return terms[0] if len(terms) == 1 and len(terms[0]) >= 2 else ""
