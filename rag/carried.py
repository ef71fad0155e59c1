"""Does the catalog carry the product type a question names? Honest "not carried", driven by the catalog's data.

The rule (`CatalogTypes.resolve`):
1. The question's product-type words are found with a general lexicon of shop product types (`rag.type_lexicon`,
   Korean and English names): matches of the lexicon's words, longest first, that begin and end on morpheme
   boundaries (so `모자` is not read in `모자라`); a word of one syllable only as a whole word (`쌀 10kg`); and a
   whole word of ≥ 3 syllables one edit away from a lexicon word, when it is not one edit away from a word the
   catalog carries (`전기밥솟` → 전기밥솥, but `가숩기` stays the catalog's 가습기).
2. A type word is carried when the catalog uses it for a type: it is a category name or part (`맨투맨/후드티` →
   맨투맨, 후드티), a category head or synonym the query vocabulary knows, or a word of a product name; or a
   category name or name word ends with it (Korean compounds are head-final: 캠핑의자 carries 의자, LED랜턴 carries
   랜턴); or another word of its lexicon group is a category or a whole name word (보온병 → 텀블러). A word that
   only occurs inside a longer name word as its modifier (노트북 in `노트북충전`) or only in reviews is no type
   the catalog carries.
3. The question is "not carried" when it names a type word that is not carried and names no carried type: no
   category the parser found outside that word, no carried type word, no brand of the catalog, and no category
   given by the caller or carried over from the conversation. The last such word is the one reported (the head
   of a noun phrase comes last: `노트북 가방` → 가방). Also when the only carried evidence is a category the
   parser read from a word before it, and the lacking word is the question's head (not followed by a particle
   that makes it context: `가방에 넣어도`): `고양이 스크래쳐` asks for a scratcher, not cat litter.
4. The nearest carried categories are the leaf categories whose paths embed nearest to the type word (the index's
   own embedder; a lexical fallback without one).

A type word that is carried but the parser did not map to a category (an English name: `cheap air fryer`) is
resolved to the categories its group names, so an English or mixed question finds its type.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .analyzer import KoreanAnalyzer
from .josa import particle
from .query import ParsedQuery, QueryVocabulary
from .query.typos import one_edit
from .records import Product
from .type_lexicon import PRODUCT_TYPE_GROUPS, SECTION_OF

logger = logging.getLogger(__name__)

_TRAILING = re.compile(r"(?:이랑|랑|으로|로|은|는|이|가|을|를|도|만|에|요|이요|같은|처럼|추천|추천해줘|추천해주세요)$")


# a particle after a type word that makes it context, not the thing asked for ("가방에 넣어도", "노트북이랑 쓸")
_CONTEXT_AFTER = re.compile(r"(?:에서|에도|에|이랑|랑|하고|과|와|처럼|보다|같이|용|전용)")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _key(word: str) -> str:
    """A lexicon word as looked up: Korean without spaces ('보조 배터리' → 보조배터리), English single-spaced."""
    word = " ".join(word.lower().split())
    return word if word.isascii() else word.replace(" ", "")


@dataclass(frozen=True)
class TypeMention:
    word: str  # the lexicon word matched (lower-case, no spaces)
    canonical: str  # its group's Korean name, as the answer says it
    start: int  # span in the question
    end: int
    carried: bool
    categories: tuple[str, ...] = ()  # catalog category paths the group names, when carried
    english: bool = False


@dataclass(frozen=True)
class TypeResolution:
    mentions: tuple[TypeMention, ...]
    missing: TypeMention | None  # the type the catalog does not carry, when the question names nothing it carries
    categories: tuple[str, ...] = ()  # carried categories named only by the lexicon (English names), to filter on
    korean_words: tuple[str, ...] = ()  # their Korean names, added to the words searched


class CatalogTypes:
    """The catalog's product types, as words, and the lexicon's types checked against them. Build once per index."""

    def __init__(
        self,
        products: Sequence[Product],
        analyzer: KoreanAnalyzer,
        vocabulary: QueryVocabulary,
        groups: Iterable[tuple[str, ...]] = PRODUCT_TYPE_GROUPS,
        sections: dict[str, str] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.leaves = sorted({p.category for p in products if p.category})
        self._leaf_set = set(self.leaves)
        category_words: set[str] = set(vocabulary.categories)
        for path in {p.category for p in products if p.category}:
            for level in path.split(">"):
                category_words.add(_compact(level))
                category_words.update(_compact(part) for part in level.split("/") if len(part.strip()) >= 2)
        self._name_paths: dict[str, set[str]] = {}  # a product-name word → the categories of products named so
        for p in products:
            for w in re.findall(r"[0-9A-Za-z가-힣]+", p.name):
                self._name_paths.setdefault(_compact(w), set()).add(p.category)
        name_words = set(self._name_paths)
        self._exact = {w for w in category_words | name_words if w}
        self._heads = sorted(self._exact)  # words a lexicon word may be the head (suffix) of
        self._category_words = category_words
        self._paths_by_word = {w: paths for w, paths in vocabulary.categories.items()}
        groups_list = [tuple(g) for g in groups]
        self.groups = [tuple(_key(w) for w in g) for g in groups_list]
        self.canonical = {w: g[0] for g in self.groups for w in g}
        self.group_of = {w: g for g in self.groups for w in g}
        self._korean = sorted((w for w in self.canonical if not w.isascii()), key=len, reverse=True)
        self._english = sorted((w for w in self.canonical if w.isascii()), key=len, reverse=True)
        # one alternation, longest first: whole words ('fan' is not in 'fancy'), 'air fryer' also as 'airfryer'
        alternation = "|".join(r"[\s-]*".join(re.escape(p) for p in w.split()) for w in self._english)
        self._english_re = re.compile(rf"(?<![a-z])(?:{alternation})s?(?![a-z])") if self._english else None
        self._english_of = {w.replace(" ", ""): w for w in self._english}
        # one-edit neighbourhoods (symmetric deletes) of the carried words and of the lexicon's Korean words
        self._near_carried = _deletes_index(w for w in self._exact if len(w) >= 3)
        self._near_lexicon = _deletes_index(w for w in self._korean if len(w) >= 3)
        self._carried_cache: dict[str, bool] = {}
        sections = SECTION_OF if sections is None else sections
        self.section = {g[0]: sections.get(raw[0], "") for g, raw in zip(self.groups, groups_list, strict=True)}
        self._leaf_vectors: dict[str, np.ndarray] = {}

    # ---- what the catalog carries ----

    def is_carried(self, word: str) -> bool:
        if word not in self._carried_cache:
            self._carried_cache[word] = self._word_carried(word) or any(
                m != word and (m in self._category_words or m in self._exact) for m in self.group_of.get(word, ())
            )
        return self._carried_cache[word]

    def _word_carried(self, word: str) -> bool:
        return word in self._exact or any(h.endswith(word) for h in self._heads if len(h) > len(word))

    def categories_of(self, word: str, by_names: bool = True) -> tuple[str, ...]:
        """Catalog category paths that the word's lexicon group names (a leaf equal to or ending with a member; with
        `by_names`, else the categories of products whose name has the member as a word)."""
        paths: set[str] = set()
        for member in self.group_of.get(word, (word,)):
            paths.update(self._paths_by_word.get(member, ()))
            if not member.isascii():
                paths.update(p for p in self.leaves if _compact(p.split(">")[-1]).endswith(member))
                if not paths and by_names:  # named only by products: '게이밍의자' is a name word of a 사무용의자
                    paths.update(c for c in self._name_paths.get(member, ()) if c)
        return tuple(sorted(paths))

    # ---- the question ----

    def mentions(self, text: str) -> list[TypeMention]:
        """The lexicon's product-type words in the question, longest first, not overlapping, in reading order."""
        found: list[TypeMention] = []
        low = text.lower()
        if self._english_re is not None and re.search(r"[a-z]", low):
            for m in self._english_re.finditer(low):
                surface = re.sub(r"[\s-]+", "", m.group(0))
                word = self._english_of.get(surface) or self._english_of.get(surface[:-1])
                if word is not None:
                    found.append(self._mention(word, m.start(), m.end(), english=True))
        if re.search(r"[가-힣]", text):
            found += self._korean_mentions(text, found)
        return sorted(found, key=lambda f: f.start)

    def _korean_mentions(self, text: str, taken: list[TypeMention]) -> list[TypeMention]:
        tokens = self.analyzer.tokens(text)
        starts = {t.start for t in tokens}
        ends = {t.start + t.len for t in tokens}
        index = [i for i, ch in enumerate(text) if not ch.isspace()]
        compact = "".join(text[i] for i in index).lower()
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        whole = {}
        for s, e in words:
            stem = _TRAILING.sub("", text[s:e].lower()) or text[s:e].lower()
            whole[(s, s + len(stem))] = stem
        found: list[TypeMention] = []

        def free(a: int, b: int) -> bool:
            return all(b <= f.start or a >= f.end for f in taken + found)

        for word in self._korean:
            at = compact.find(word)
            while at >= 0:
                a, b = index[at], index[at + len(word) - 1] + 1
                at = compact.find(word, at + 1)
                if not free(a, b):
                    continue
                if len(word) == 1:
                    if (a, b) in whole:
                        found.append(self._mention(word, a, b))
                elif (a, b) in whole or (a in starts and b in ends) or self._aligned(text, words, a, b):
                    found.append(self._mention(word, a, b))
        for (a, b), stem in whole.items():  # a typo of a type word the catalog does not carry: 전기밥솟
            if len(stem) < 3 or not free(a, b) or not re.fullmatch(r"[가-힣]+", stem):
                continue
            if stem in self._exact or _near(stem, self._near_carried):
                continue
            hit = _near(stem, self._near_lexicon)
            if hit:
                found.append(self._mention(hit, a, b))
        return found

    def _aligned(self, text: str, words: list[tuple[int, int]], a: int, b: int) -> bool:
        """The span begins and ends on morpheme boundaries of its word analysed alone ('고양이모래' → 고양이 + 모래)."""
        first, last = next(((s, e) for s, e in words if s <= a < e), (a, b))
        tokens = self.analyzer.tokens(text[first:last])
        return a - first in {t.start for t in tokens} and b - first in {t.start + t.len for t in tokens} | {
            last - first
        }

    def _mention(self, word: str, start: int, end: int, english: bool = False) -> TypeMention:
        carried = self.is_carried(word)
        return TypeMention(
            word, self.canonical[word], start, end, carried, self.categories_of(word) if carried else (), english
        )

    def resolve(self, parsed: ParsedQuery, caller_categories: Sequence[str] = ()) -> TypeResolution:
        """Which type words the question names, whether one of them is not carried, and categories to add."""
        mentions = tuple(self.mentions(parsed.text))
        missing = [m for m in mentions if not m.carried]
        # a span naming a department (캠핑, 가전) is context for the type word beside it ("아이스박스 캠핑")
        category_spans = [
            (s, e)
            for s, e, label in parsed.spans
            if label.startswith("category:") and any(p in self._leaf_set for p in label[9:].split("|"))
        ]
        outside = [
            (s, e) for s, e in category_spans if not any(m.start <= s and e <= m.end for m in missing)
        ]  # 로봇청소기: the parser's 청소기 inside a type the catalog lacks is no carried type
        # a brand of the catalog names its products ("쿡마루 세라믹팬이랑 … 식세기 돌릴거면"): type words are context
        names_carried = bool(outside or parsed.brands or caller_categories) or any(m.carried for m in mentions)
        if missing and not names_carried:
            return TypeResolution(mentions, missing[-1])
        head = missing[-1] if missing else None
        if (
            head is not None
            and outside
            and not (parsed.brands or caller_categories or any(m.carried for m in mentions))
        ):
            # the parser's category came from a modifier before the head ("고양이 스크래쳐": 고양이 → 고양이모래)
            if head.start >= max(e for _, e in outside) and not _CONTEXT_AFTER.match(parsed.text[head.end :]):
                return TypeResolution(mentions, head)
        english = [m for m in mentions if m.carried and m.english]
        extra: tuple[str, ...] = ()
        if not parsed.categories and not caller_categories:
            extra = tuple(sorted({p for m in english for p in m.categories}))
        return TypeResolution(mentions, None, extra, tuple(dict.fromkeys(m.canonical for m in english)))

    # ---- nearest carried categories ----

    def nearest(self, word: str, embedder=None, k: int = 3) -> list[str]:
        """Leaf category names nearest to a type the catalog lacks: first the carried types of its lexicon section
        (전기밥솥, 가전 · 주방 → 에어프라이어), then of its department (가전), then any leaf; within each tier by the
        embedder's similarity of the word to the leaf's path (or the catalog's order without an embedder)."""
        key = _key(word)
        section = self.section.get(self.canonical.get(key, key), "")
        department = section.split("·")[0].strip()
        tiers: list[list[str]] = [[], [], list(self.leaves)]
        for group in self.groups:
            own = self.section.get(group[0], "")
            if not own or not any(self.is_carried(m) for m in group):
                continue
            tier = 0 if own == section else 1 if own.split("·")[0].strip() == department else None
            if tier is not None:
                tiers[tier].extend(p for m in group for p in self.categories_of(m, by_names=False))
        out: list[str] = []
        for tier in tiers:
            for path in self._by_similarity(word, list(dict.fromkeys(tier)), embedder):
                leaf = path.split(">")[-1]
                if leaf not in out:
                    out.append(leaf)
            if len(out) >= k:
                break
        return out[:k]

    def _by_similarity(self, word: str, paths: list[str], embedder) -> list[str]:
        if embedder is None or len(paths) < 2:
            return paths
        missing = [p for p in paths if p not in self._leaf_vectors]
        if missing:
            vectors = np.asarray(embedder.embed_array([" ".join(p.split(">")) for p in missing]), dtype=np.float32)
            self._leaf_vectors.update(zip(missing, vectors, strict=True))
        query = np.asarray(embedder.embed_query_array(word), dtype=np.float32).reshape(-1)
        similarity = [float(self._leaf_vectors[p] @ query) for p in paths]
        return [paths[i] for i in np.argsort(-np.array(similarity), kind="stable")]


def with_subject_particle(word: str) -> str:
    """'전기밥솥' → '전기밥솥이', '블렌더' → '블렌더가', 'TV' → 'TV가'."""
    return particle(word, "이", "가")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _deletes_index(words: Iterable[str]) -> dict[str, list[str]]:
    """Each word and each of its one-character deletions → the words: a lookup of the words one edit away."""
    index: dict[str, list[str]] = {}
    for word in words:
        for key in {word} | _deletes(word):
            index.setdefault(key, []).append(word)
    return index


def _near(word: str, index: dict[str, list[str]]) -> str | None:
    """A word of the index one edit (substitution, insertion, deletion) from `word`, or None; longest first."""
    hits = {w for key in {word} | _deletes(word) for w in index.get(key, ()) if w != word and one_edit(word, w)}
    return max(sorted(hits), key=len) if hits else None
