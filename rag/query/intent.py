"""What kind of answer a question asks for: the one place that reads it (a recommendation, or a comparison).

A comparison names the products (`A랑 B 중 뭐가 나아?`, `A vs B`, `A하고 B 비교`) or points at the ones just shown
(`둘 차이`, `세 개 비교해줘`, `위에 두 개 비교`, `첫 번째랑 세 번째 비교`):

- A strong cue (비교, 차이, a free-standing `vs`) makes a comparison of the named products, or, when fewer than two
  are named, of the previous answer's products (the first N when the question says how many).
- A weak cue (`중 뭐가`, `뭐가 나아`, `어느 쪽`) makes one only when two or more products are named, or the question
  points at the previous answer (`둘 중 뭐가 나아?`): `엄마 선물 뭐가 좋을까` stays a recommendation.
- A `vs` inside a catalog product's own name is part of the name, not a cue.

Names are matched against the catalog's own product names and brands (`ProductNames`): the question is cut at the
connectives between names (랑/이랑/하고/와/과, `vs`, commas), and each part goes to the product whose name tokens it
covers with the most weight, a token's weight being its inverse document frequency over the catalog's names (a brand
or a model code weighs more than `무선`). Partial and colloquial names work by token prefixes (`소노릭 프로3`,
`소리온이랑`). A part that names nothing distinctive, or two products equally, is reported, never guessed.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .followups import ORDINAL, ORDINAL_INDEX

if TYPE_CHECKING:
    from ..generation.answer import Answer
    from ..records import Product

RECOMMEND, COMPARE = "recommend", "compare"
ANSWER_KINDS: tuple[str, ...] = (RECOMMEND, COMPARE)
MAX_COMPARED = 5  # products in one comparison table: what fits side by side

_VS = r"(?<![A-Za-z])(?:vs|v\.s\.?|VS|Vs)\.?(?![A-Za-z])"
_STRONG = re.compile(rf"비교|차이|{_VS}")
_WEAK = re.compile(
    r"(?:^|\s)중(?:에|에서)?(?=\s|$|[?!.,])|(?:뭐|무엇|어느\s*(?:거|것|쪽|게)|어떤\s*(?:거|게|것))"
    r"(?:가|이)?\s*(?:더\s*)?(?:나아|낫|나을|좋|괜찮|추천)|어느\s*쪽"
)
# the words that point back at the previous answer, and how many they say
_DEICTIC = re.compile(
    r"(?<![\w\-])(?:이\s*)?(둘|셋|넷|두|세|네|[2-5])\s*(?:개|가지|제품|상품|거)?(?![가-힣])|위에|위의|앞에|앞의|방금|추천한|보여준|이것들|이\s*중"
)
_COUNT_WORDS = {"둘": 2, "두": 2, "2": 2, "셋": 3, "세": 3, "3": 3, "넷": 4, "네": 4, "4": 4, "5": 5}
# connectives between two names: word-final 이랑/랑/하고/와/과, and free-standing separators
_JOINT = re.compile(r"(?<=[가-힣A-Za-z0-9)])(이랑|랑|하고|와|과)(?=\s|$)")
_SEPARATOR = re.compile(rf"\s*(?:,|/|{_VS}|\s또는\s|\s아니면\s)\s*")
_TOKEN = re.compile(r"[0-9A-Za-z가-힣][0-9A-Za-z가-힣.\-]*")


class _Turn(Protocol):  # rag.guide.Turn, without importing the guide
    question: str
    answer: Answer | None


@dataclass(frozen=True)
class NameMatch:
    """One named part of the question and what it resolved to."""

    said: str  # the part as the shopper wrote it ("소노릭 프로3")
    product_id: str | None  # None: nothing matched, or several products equally (see `candidates`)
    candidates: tuple[str, ...] = ()  # the tied product ids when ambiguous


@dataclass(frozen=True)
class CompareRequest:
    product_ids: tuple[str, ...]  # what to compare, in the order the shopper named them (or the answer showed)
    named: tuple[NameMatch, ...] = ()  # the named parts (empty when they come from the previous answer)
    from_history: bool = False  # "the ones you just showed"

    @property
    def unresolved(self) -> tuple[NameMatch, ...]:
        return tuple(m for m in self.named if m.product_id is None)


@dataclass(frozen=True)
class Intent:
    kind: str  # one of ANSWER_KINDS
    compare: CompareRequest | None = None


def _tokens(text: str) -> list[str]:
    return [t.lower().strip(".-") for t in _TOKEN.findall(text) if t.strip(".-")]


@dataclass
class ProductNames:
    """The catalog's product names and brands as weighted tokens, for matching what a shopper calls a product."""

    ids: list[str]
    tokens: list[frozenset[str]]  # per product: its name's and brand's tokens
    categories: list[str]
    brands: list[str]  # per product: its brand as one lowercased token ("" when it has none or several words)
    idf: dict[str, float] = field(default_factory=dict)
    vs_names: list[tuple[str, str]] = field(default_factory=list)  # (word before, word after) a 'vs' in a name
    postings: dict[str, list[int]] = field(default_factory=dict)  # token → product rows
    vocabulary: list[str] = field(default_factory=list)  # sorted tokens, for prefix lookups (프로 → 프로3)

    @classmethod
    def from_products(cls, products: Sequence[Product]) -> ProductNames:
        ids = [p.product_id for p in products]
        tokens = [frozenset(_tokens(f"{p.name} {p.brand}")) for p in products]
        postings: dict[str, list[int]] = {}
        for row, ts in enumerate(tokens):
            for t in ts:
                postings.setdefault(t, []).append(row)
        n = max(len(products), 1)
        idf = {t: math.log((n + 1) / (len(rows) + 0.5)) for t, rows in postings.items()}
        vs_names = []
        for p in products:
            words = p.name.split()
            vs_names += [
                (words[i - 1].lower(), words[i + 1].lower())
                for i in range(1, len(words) - 1)
                if re.fullmatch(_VS, words[i])
            ]
        brands = [p.brand.lower() if len(_tokens(p.brand)) == 1 else "" for p in products]
        categories = [p.category for p in products]
        return cls(ids, tokens, categories, brands, idf, vs_names, postings, sorted(postings))

    def _distinctive(self, token: str) -> bool:
        """A token that can name a product on its own: in at most 3 names, or 5 % of the catalog."""
        n = len(self.ids)
        return self.idf.get(token, 0.0) >= math.log((n + 1) / (max(3, 0.05 * n) + 0.5))

    def _covered(self, word: str) -> set[str]:
        """The name tokens a word covers: equal to it; it with particles after it (소리온이랑 → 소리온); it with a
        model suffix (프로 → 프로3; never 에어 → 에어팟)."""
        out = {word} if word in self.postings else set()
        for cut in range(2, len(word)):
            if word[cut:] in _PARTICLES and word[:cut] in self.postings:
                out.add(word[:cut])
        if len(word) >= 2:
            i = bisect.bisect_left(self.vocabulary, word)
            while i < len(self.vocabulary) and self.vocabulary[i].startswith(word):
                if _MODEL_SUFFIX.fullmatch(self.vocabulary[i][len(word) :]):
                    out.add(self.vocabulary[i])
                i += 1
        return out

    def scores(self, part: str) -> list[tuple[float, float, int]]:
        """(1.0 when the part says the product's brand else 0.0, weight of the name tokens the part covers, product
        row), best first, for the products the part names:
        it covers the product's brand, or two distinctive name tokens, or a model code written in full (letters
        with digits); or one distinctive token when every word of the part is a catalog word ('가열식')."""
        words = _tokens(part)
        covered = {w: self._covered(w) for w in words}
        known = all(covered[w] for w in words if len(w) >= 2)
        hits: dict[int, set[str]] = {}
        for tokens in covered.values():
            for t in tokens:
                for row in self.postings[t]:
                    hits.setdefault(row, set()).add(t)
        out = []
        for row, hit in hits.items():
            distinctive = [t for t in hit if self._distinctive(t)]
            named = (
                self.brands[row] in hit
                or len(distinctive) >= 2
                or any(t in covered.get(t, ()) and re.search(r"[a-z]", t) and re.search(r"\d", t) for t in hit)
                or known
            )
            if named and distinctive:
                out.append((float(self.brands[row] in hit), sum(self.idf[t] for t in hit), row))
        out.sort(key=lambda x: (-x[0], -x[1], x[2]))  # a product whose brand is said first ('시팅랩 메쉬의자')
        return out

    def resolve(self, parts: Sequence[str]) -> list[NameMatch]:
        """Each part to one product; a tie between products is broken by the category of the other parts' matches,
        else left unresolved with the tied candidates."""
        scored = [self.scores(p) for p in parts]
        tied = [[r for brand, w, r in s if brand == s[0][0] and math.isclose(w, s[0][1])] for s in scored]
        settled = {self.categories[t[0]] for t in tied if len(t) == 1}
        out = []
        for part, rows in zip(parts, tied, strict=True):
            if len(rows) > 1:
                rows = [r for r in rows if self.categories[r] in settled] if settled else rows
            if len(rows) == 1:
                out.append(NameMatch(part.strip(), self.ids[rows[0]]))
            else:
                out.append(NameMatch(part.strip(), None, self._ids(tied[len(out)])))
        return out

    def one_kind(self, product_ids: Sequence[str]) -> bool:
        """2–MAX_COMPARED products of one category: a part that names them all ('가습기 비교') compares them."""
        rows = [self.ids.index(p) for p in product_ids]
        return 2 <= len(rows) <= MAX_COMPARED and len({self.categories[r] for r in rows}) == 1

    def _ids(self, rows: Sequence[int]) -> tuple[str, ...]:
        return tuple(self.ids[r] for r in rows)

    def vs_in_name(self, question: str) -> bool:
        """The question's 'vs' is the one inside a catalog product's name ('에이스 VS 프로 마우스')."""
        low = " ".join(question.lower().split())
        return any(re.search(rf"{re.escape(a)}\s+{_VS}\s+{re.escape(b)}", low, re.I) for a, b in self.vs_names)


_PARTICLES = frozenset(
    "이랑 랑 하고 와 과 이 가 은 는 을 를 의 도 만 로 으로 에 에서 보다 이나 나 요 이요 처럼 까지 중".split()
)


_MODEL_SUFFIX = re.compile(r"[0-9a-z.+\-]+")


def _name_parts(text: str, names: ProductNames) -> list[str]:
    """The stretch before the cue, cut at the connectives between names (not inside a name: brand '두부랑')."""

    def cut(m: re.Match) -> str:
        start = text.rfind(" ", 0, m.start()) + 1
        return m.group(0) if text[start : m.end()].lower() in names.postings else "\x00"

    marked = _JOINT.sub(cut, text)
    parts = [_DEICTIC.sub(" ", p) for chunk in marked.split("\x00") for p in _SEPARATOR.split(chunk)]
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def _before_cue(question: str, cue: re.Match | None) -> str:
    """Where names are: before a trailing cue ('A랑 B 비교해줘', 'A랑 B 중 뭐가'); the whole question around a
    'vs' (which sits between the names)."""
    if cue is None or re.fullmatch(_VS, cue.group(0).strip()):
        return question
    return question[: cue.start()]


def _previous(history: Sequence[_Turn]) -> list[str]:
    """The product ids the previous answer showed: its comparison's, else its recommendations'."""
    for turn in reversed(history):
        answer = turn.answer
        if answer is None:
            continue
        compared = getattr(answer, "comparison", None)
        if compared is not None and compared.products:
            return [p.product_id for p in compared.products]
        if answer.recommendations:
            return [r.product_id for r in answer.recommendations]
    return []


def _ordinal_picks(question: str, shown: Sequence[str]) -> list[str]:
    """'첫 번째랑 세 번째' → those products of the previous answer."""
    picks = [ORDINAL_INDEX[m.group(1)[0]] for m in ORDINAL.finditer(question)]
    return [shown[i] for i in dict.fromkeys(picks) if i < len(shown)]


def read_intent(question: str, names: ProductNames, history: Sequence[_Turn] = ()) -> Intent:
    """What kind of answer `question` asks for (see the module docstring for the rules)."""
    strong = next((m for m in _STRONG.finditer(question) if not _is_name_vs(m, question, names)), None)
    weak = _WEAK.search(question)
    if strong is None and weak is None:
        return Intent(RECOMMEND)
    shown = _previous(history)
    deictic = _DEICTIC.search(question)
    ordinals = _ordinal_picks(question, shown)
    if len(ordinals) >= 2:
        return Intent(COMPARE, CompareRequest(tuple(ordinals), from_history=True))
    cue = strong or weak
    parts = _name_parts(_before_cue(question, cue), names)
    matches = names.resolve(parts) if len(parts) >= 2 or strong is not None else []
    if not (len(parts) >= 2 and (strong is not None or any(m.product_id for m in matches))):  # 'A랑 B 중': names
        matches = [m for m in matches if m.product_id is not None or m.candidates or _names_something(m.said, names)]
    found = list(dict.fromkeys(m.product_id for m in matches if m.product_id))
    if len(matches) >= 2:
        return Intent(COMPARE, CompareRequest(tuple(found[:MAX_COMPARED]), tuple(matches)))
    if strong is not None and len(matches) == 1 and names.one_kind(matches[0].candidates):
        return Intent(COMPARE, CompareRequest(matches[0].candidates, tuple(matches)))  # '이어폰 비교해줘': all of them
    if len(shown) >= 2 and (strong is not None or deictic is not None):
        said = next((m.group(1) for m in _DEICTIC.finditer(question) if m.group(1)), None)
        count = _COUNT_WORDS.get(said) if said else None
        return Intent(COMPARE, CompareRequest(tuple(shown[: count or MAX_COMPARED]), from_history=True))
    if strong is not None and any(m.product_id is None for m in matches):
        return Intent(COMPARE, CompareRequest(tuple(found), tuple(matches)))  # say which name was not found
    if strong is not None and not matches and deictic is not None:
        return Intent(COMPARE, CompareRequest(()))  # '세 개 비교해줘' with nothing shown yet: ask which
    return Intent(RECOMMEND)


def _is_name_vs(m: re.Match, question: str, names: ProductNames) -> bool:
    return bool(re.fullmatch(_VS, m.group(0))) and names.vs_in_name(question)


def _names_something(part: str, names: ProductNames) -> bool:
    """A part that looks like a product name the catalog does not have: a model-like word (Latin letters or digits),
    or two words of two or more characters the catalog's names never use ('애플 에어팟'), not '가성비' or '둘'."""
    words = [w for w in _tokens(part) if len(w) >= 2]
    unknown = [w for w in words if w not in names.idf]
    return any(re.search(r"[a-z0-9]", w) for w in unknown) or len(unknown) >= 2
