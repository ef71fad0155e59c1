"""What a catalog lets a question name, learnt from the catalog itself: category words, brands, facet keys, flag
names, the dimensions each category's facets have, and the terms its values mark with a polarity.

    vocab = QueryVocabulary.from_products(products, analyzer)  # types the attributes with rag.facets
    vocab.dimensions(["가전>계절가전>가습기"])  # {"volume": ("용량",), "sound": ("소음",), "duration": ("연속사용",) …}

Hand vocabulary (synonyms, English words, spec adjectives) lives in `lexicon.py`, and enters here only where the
catalog has what it points at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..analyzer import KoreanAnalyzer
from ..facets import Facet, type_attributes
from ..records import Product, in_category
from ..type_lexicon import ENGLISH_NAMES
from .lexicon import ATTRIBUTES, CATEGORY_FAMILIES, CATEGORY_SYNONYMS
from .text import compact

_NUMERIC = ("number", "range")
# words before a polarity word that make it a level, not a lack: '거의 없음', '약간 있음'
_DEGREE_WORDS = frozenset({"거의", "약간", "조금", "다소", "매우", "아주", "별로", "적게"})


@dataclass
class QueryVocabulary:
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # compact word → path prefixes
    weak_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # used only if nothing strong matched
    brands: dict[str, tuple[str, ...]] = field(default_factory=dict)  # brand → the category paths it sells in
    attribute_keys: tuple[str, ...] = ()  # flag names: keys whose values say has/lacks (헤드레스트, 기모, 리모컨)
    # compact → the catalog's word, for what a question can deny: flag names ('기모', '젓갈', '카메라'), derived
    # flags ('고춧가루' of '고춧가루 무첨가'), short options ('가열식 말고'). Keys of levels and numbers are not:
    # '먼지 안 날리는', '소음 없는' wish for little of it, a ranking matter, not a filter
    known_terms: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)  # English product word → the Korean word to search
    # a word only a category's values lacking a flag use → (category, that flag): '밀폐: 비밀폐 (빨대형, 눕히면 샘)'
    # → 샘 → (텀블러, 밀폐), so '안 새는 텀블러' asks for 밀폐 in the catalog's own words (no synonym list); only
    # for that category: a diaper that does not leak is no question of 밀폐
    lack_words: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    dimension_keys: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # leaf path → dim → keys
    qualifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word → dims it qualifies ('한쪽')
    facet_keys: frozenset[str] = frozenset()  # compact keys of every main facet: words a question uses as a spec's
    facets: dict[str, tuple[Facet, ...]] = field(default_factory=dict)  # product id → its facets
    categories_of: dict[str, str] = field(default_factory=dict)  # product id → category path

    @classmethod
    def from_products(
        cls,
        products: Iterable[Product],
        analyzer: KoreanAnalyzer,
        facets: Mapping[str, Sequence[Facet]] | None = None,
    ) -> QueryVocabulary:
        """`facets`: product id → facets when the caller has them typed already (the index's facets table);
        otherwise each product's attributes are typed here with rag.facets."""
        names: dict[str, set[str]] = {}  # level name → the path prefixes ending with it
        leaves: set[str] = set()
        brands: dict[str, set[str]] = {}
        stated: dict[str, int] = {}  # key → products stating it
        flagged: dict[str, int] = {}  # key → products stating it as a flag
        derived: set[str] = set()  # things a value names as present or absent
        options: set[str] = set()  # short options ('가열식'): deniable ('가열식 말고'), not wanted on a bare mention
        dims: dict[str, dict[str, set[str]]] = {}
        qualifiers: dict[str, set[str]] = {}
        typed: dict[str, tuple[Facet, ...]] = {}
        paths_of: dict[str, str] = {}
        lacking: set[str] = set()  # keys some product states as lacking (a flag reading False)
        said_lacking: dict[tuple[str, str], set[str]] = {}  # (category, key) → words of values saying it lacks it
        said_otherwise: dict[tuple[str, str], set[str]] = {}  # (category, key) → words of its other values
        for product in products:
            path = product.category_path()
            for depth in range(1, len(path) + 1):
                names.setdefault(path[depth - 1], set()).add(">".join(path[:depth]))
            leaves.update(path[-1:])
            paths_of[product.product_id] = product.category
            if product.brand:
                brands.setdefault(product.brand, set()).update([">".join(path)] if path else [])
            if facets is not None:
                product_facets = tuple(facets.get(product.product_id, ()))
            else:
                product_facets = tuple(type_attributes(product.product_id, product.attributes))
            typed[product.product_id] = product_facets
            for key in {f.key for f in product_facets if not f.source}:
                stated[key] = stated.get(key, 0) + 1
            for f in product_facets:
                if not f.source:
                    words = set(re.findall(r"[가-힣]+", f.raw)) - {f.key}
                    side = said_lacking if f.kind == "flag" and f.flag is False else said_otherwise
                    side.setdefault((product.category, f.key), set()).update(words)
                if f.kind == "flag":
                    if f.source:
                        derived.add(f.key)
                    else:
                        flagged[f.key] = flagged.get(f.key, 0) + 1
                        if f.flag is False and f.qualifier.split(" ")[0] not in _DEGREE_WORDS:
                            lacking.add(f.key)  # '없음', '미지원'; not '거의 없음', a level
                elif f.source:
                    continue  # a number read beside another ('260mm' of '420g(한쪽, 260mm)') names no key
                elif f.kind in _NUMERIC and f.dimension:
                    dims.setdefault(product.category, {}).setdefault(f.dimension, set()).add(f.key)
                    for word in re.findall(r"[가-힣]{2,}", f.qualifier):
                        qualifiers.setdefault(word, set()).add(f.dimension)
                elif f.kind in ("enum", "text"):
                    options.update(o for o in f.options if 2 <= len(compact(o)) <= 8)
                    if compact(f.key) in compact(f.raw):  # '코팅: 세라믹 5중 코팅' names the thing it has
                        flagged[f.key] = flagged.get(f.key, 0) + 1
        # a flag name is a key most products state as has/lacks; a key of levels ('먼지: 보통 / 매우 적음 / 거의
        # 없음') is not, or '먼지 안 날리는' would drop the 매우 적음 litter as having dust
        flags = {k for k, n in flagged.items() if 2 * n >= stated.get(k, n)}
        # a key some product states it lacks outright ('타이머: 없음', '백라이트: 없음') is a thing a product has or
        # lacks: any other value says it has one — an amount ('1~8시간'), an option ('RGB'), a description — so
        # '타이머 없는' must not show the 1~8시간 one, nor '백라이트 없는' the RGB one (as eval's reader and a shop
        # read them). A key no product lacks ('소음: 42dB') stays a dimension, so '소음 없는' is no requirement; a
        # level ('먼지: 거의 없음' beside '보통') is no outright lack, so '먼지 안 날리는' stays a wish
        flags |= lacking
        lack_words: dict[str, list[tuple[str, str]]] = {}
        for (category, key), words in sorted(said_lacking.items()):
            for word in sorted(words - said_otherwise.get((category, key), set())):
                if key in flags and _says_it_happens(word):
                    lack_words.setdefault(word, []).append((category, key))
        strong, weak = _category_words(names, leaves, analyzer)
        english = _english_words(strong, weak)
        table_terms = {compact(t) for terms, aliases in ATTRIBUTES.values() for t in terms + aliases}
        known = {compact(w): w for w in options if compact(w) not in strong}
        known |= {compact(w): w for w in flags | derived if len(w) >= 2}
        return cls(
            categories={k: tuple(sorted(v)) for k, v in strong.items()},
            weak_categories={k: (_common_prefix(v),) for k, v in weak.items() if k not in strong and _common_prefix(v)},
            brands={b: tuple(sorted(c)) for b, c in brands.items()},
            # one-syllable flag names ('캡') are read only as whole words (AttributeReader), never inside 캡슐
            attribute_keys=tuple(sorted(k for k in flags if _nameable(k) and compact(k) not in table_terms)),
            known_terms=known,
            lack_words={w: tuple(pairs) for w, pairs in lack_words.items()},
            english=english,
            dimension_keys={c: {d: tuple(sorted(k)) for d, k in by.items()} for c, by in dims.items()},
            qualifiers={w: tuple(sorted(d)) for w, d in qualifiers.items()},
            facet_keys=frozenset(compact(f.key) for fs in typed.values() for f in fs if not f.source),
            facets=typed,
            categories_of=paths_of,
        )

    def dimensions(self, categories: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
        """Dimension → the facet keys that have it, over the categories under any of `categories` (all if none)."""
        out: dict[str, set[str]] = {}
        for path, by_dim in self.dimension_keys.items():
            if not categories or any(in_category(path, c) for c in categories):
                for dim, keys in by_dim.items():
                    out.setdefault(dim, set()).update(keys)
        return {d: tuple(sorted(k)) for d, k in out.items()}

    def key_dimension(self, word: str, categories: Sequence[str] = ()) -> str | None:
        """The dimension of the numeric facet keyed `word` ('두께' → length); the most common one if several."""
        counts: dict[str, int] = {}
        for path, by_dim in self.dimension_keys.items():
            if not categories or any(in_category(path, c) for c in categories):
                for dim, keys in by_dim.items():
                    counts[dim] = counts.get(dim, 0) + (word in keys)
        best = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
        return best[0] if best[1] else None


def _category_words(
    names: dict[str, set[str]], leaves: set[str], analyzer: KoreanAnalyzer
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Strong words (level names, compound heads, synonyms, English words) and weak ones (modifiers, halves)."""
    strong = {compact(n): set(p) for n, p in names.items()}
    heads: dict[str, set[str]] = {}
    weak: dict[str, set[str]] = {}
    for name, paths in names.items():
        for part in name.split("/"):  # "견과/건과": each side is a weaker name of the level
            if part != name and len(part) >= 2:
                weak.setdefault(compact(part), set()).update(paths)
        tokens = analyzer.tokens(name) if name in leaves else []
        if len(tokens) > 1 and tokens[-1].tag in ("NNG", "NNP") and len(tokens[-1].form) >= 2:
            heads.setdefault(tokens[-1].form, set()).update(paths)  # compounds are head-final: 무선이어폰 → 이어폰
        for tok in tokens[:-1]:  # modifiers (러닝화 → 러닝, 원두커피 → 원두) are weak: 무선 or 자동 name no type
            if tok.tag in ("NNG", "NNP") and len(tok.form) >= 2:
                weak.setdefault(tok.form, set()).update(paths)
    for head, paths in heads.items():  # a head shared by many types names none of them
        if head not in strong and len(paths) <= 2:
            strong[head] = paths
    for target, aliases in CATEGORY_SYNONYMS.items():
        for alias in aliases:
            if compact(target) in strong:
                strong.setdefault(compact(alias), strong[compact(target)])
    for family, members in CATEGORY_FAMILIES.items():
        found = set().union(*(strong.get(compact(m), set()) for m in members))
        if found:
            strong.setdefault(compact(family), found)
    return strong, weak


def _english_words(strong: dict[str, set[str]], weak: dict[str, set[str]]) -> dict[str, str]:
    """English product word → the Korean word of its group (rag.type_lexicon) that the catalog uses, else the group's
    name (a type the catalog does not carry keeps its Korean name for the not-carried logic: 'rice cooker' →
    전기밥솥). An English word of a type the catalog carries names its categories too ('cheap air fryer')."""
    out = {}
    for english, words in ENGLISH_NAMES.items():
        known = next((w for w in words if compact(w) in strong or compact(w) in weak), None)
        out[english] = known or words[0]
        if known is not None:
            strong.setdefault(compact(english), set(strong.get(compact(known)) or weak[compact(known)]))
    return out


def _common_prefix(paths: Iterable[str]) -> str:
    """'식품>견과/건과' for paths below it; '' when they share nothing (then the word is too vague to use)."""
    common: list[str] = []
    for levels in zip(*(p.split(">") for p in paths), strict=False):
        if len(set(levels)) > 1:
            break
        common.append(levels[0])
    return ">".join(common)


def _nameable(key: str) -> bool:
    """A key a question can name: two or more characters, or one Hangul syllable."""
    return len(key) >= 2 or (len(key) == 1 and "가" <= key <= "힣")


def _says_it_happens(word: str) -> bool:
    """A verb a value states in its noun form ('샘' of '눕히면 샘', '끈적임'): what a question denies as '안 새는',
    '안 끈적이는' (the negation reader nominalises them so). Not the polarity words themselves (없음, 있음, 안 됨)."""
    last = word[-1]
    final_m = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 == 16
    return final_m and word not in ("없음", "있음", "됨", "안됨")
