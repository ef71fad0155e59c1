"""Rule-based query understanding: a shopper's Korean question → a structured query the UI shows and the user corrects.

No LLM: regular expressions for prices, sort intents and follow-ups; kiwi tokens (the shared `KoreanAnalyzer`) for
word boundaries and negations; a vocabulary built from the catalog for categories, brands and attributes.

    vocab = QueryVocabulary.from_products(products, analyzer)
    QueryParser(analyzer, vocab).parse("5만원 이하 노캔 이어폰")  # price_max=50000, 무선이어폰, 노이즈캔슬링

Prices: "5만원 정도/쯤/안팎/내외" and a bare amount ("5만원짜리") mean ±APPROX_TOLERANCE (20 %) around the amount;
"10만원대" is 100,000–199,999; a bound followed by a refusal ("10만원 넘는 건 부담돼요") flips to the other side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..analyzer import KoreanAnalyzer
from ..records import Product
from .model import RELATIVES, SORTS, AttributeRequirement, ParsedQuery

APPROX_TOLERANCE = 0.2
MAX_ANALYSED_CHARS = 1000  # a question longer than this is not a question; the rest is kept but not parsed

# label → (surface forms that satisfy it in a product, extra ways shoppers ask for it)
ATTRIBUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "방수": (("방수", "워터프루프", "ip"), ()),
    "무선": (("무선", "코드리스", "충전식"), ("선 없는", "전기 없이", "전기 없어도", "콘센트 없이")),
    "무선충전": (("무선충전",), ()),
    "노이즈캔슬링": (("노이즈캔슬링", "노이즈 캔슬링", "anc"), ("노캔", "소음차단", "소음 차단")),
    "무향": (("무향",), ("향 없는", "향없는", "무향료")),
    "인덕션": (("인덕션", "ih"), ()),
    "저소음": (("저소음", "무소음", "사일런트"), ()),
    "블루투스": (("블루투스", "bluetooth"), ("블투",)),
    "디카페인": (("디카페인", "decaf"), ()),
    "무염": (("무염",), ("소금 없는", "무가염")),
    "비건": (("비건", "vegan"), ()),
    "기내반입": (("기내반입", "기내 반입"), ("비행기 반입",)),
    "와이파이": (("와이파이", "wifi", "wi-fi"), ()),
    "물세탁": (("물세탁",), ()),
}
# a catalog category name → the words shoppers use for it; an entry is used only if the catalog has that name
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "무선이어폰": ("이어퐁", "이어폰", "에어팟", "버즈"),
    "보조배터리": ("폰 충전기", "휴대폰 충전기", "보조 배터리", "배터리팩"),
    "서큘레이터": ("선풍기",),
    "공기청정기": ("공청기",),
    "에어프라이어": ("에프",),
    "선크림": ("썬크림", "선블록", "썬블록", "자외선차단제"),
    "클렌징폼": ("폼클렌징", "폼클렌저"),
    "수분크림": ("보습크림",),
    "패딩": ("롱패딩", "숏패딩", "다운점퍼"),
    "맨투맨/후드티": ("맨투맨", "후드티", "후드"),
    "청바지": ("데님",),
    "레인코트": ("우비", "비옷"),
    "레인부츠": ("장화",),
    "러닝화": ("런닝화", "조깅화"),
    "등산화": ("트레킹화",),
    "캠핑의자": ("캠핑체어",),
    "등산스틱": ("트레킹폴",),
    "수납장": ("서랍장",),
    "책상": ("데스크",),
    "텀블러": ("보온병",),
    "견과류": ("견과", "믹스넛"),
    "아기띠": ("힙시트",),
    "아기물티슈": ("물티슈",),
    "자동급식기": ("급식기",),
}
_SORT_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (sort, re.compile(pattern))
    for sort, pattern in (  # first match wins: explicit orderings before softer wishes
        ("price_asc", r"(?:(?<!비)싼|저렴한|낮은\s*가격|가격\s*(?:낮은|싼))\s*순"),
        ("price_desc", r"(?:비싼|높은\s*가격|가격\s*높은)\s*순"),
        ("rating", r"(?:평점|별점|후기|리뷰|평가)[이가은는]?\s*(?:높|좋)|(?<![가-힣])평[이]?\s*좋|만족도[가]?\s*높"),
        (
            "popular",
            r"인기|잘\s*(?:나가|팔리|팔린)|많이\s*(?:팔린|팔리|샀)|베스트|판매량|(?:후기|리뷰)[가이]?\s*많",
        ),
        ("recent", r"최신|신상|신제품|(?:요즘|최근|새로)\s*(?:나온|출시)|출시된"),
        ("value", r"가성비|갓성비|가심비"),
    )
)
_RELATIVE_PATTERNS = (  # "더 싼 건 없어?", "이거보다 좋은 거"
    ("cheaper", re.compile(r"(?:더|보다)\s*(?:싼|싸|저렴|값싼)|(?:가격|값)[이가은는]?\s*더\s*(?:낮|싸|싼|저렴)")),
    ("pricier", re.compile(r"(?:더|보다)\s*(?:좋은|비싼|고급|나은)|(?:가격|값)[이가은는]?\s*더\s*(?:높|비싸|비싼)")),
)
_CHEAP_RE = re.compile(r"저렴|값싼|(?<![비감])싼|(?<![비감])싸(?:고|게|면|서|요)|저가(?!형)|착한\s*가격|가격\s*착한")

# --- prices -------------------------------------------------------------------------------------------------
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_HANGUL_NUM = r"(?<![가-힣])[일이삼사오육칠팔구십백천만]*[십백천만]"  # 만오천, 삼만; ends in a unit: 이하 is no 2
_AMOUNT = rf"(?:{_NUM}\s*(?:만(?:\s*\d+\s*천|\s*[일이삼사오육칠팔구]?천)?|천)?|{_HANGUL_NUM})"
_QUAL_KINDS = {  # qualifier regex → kind; longer alternatives first so "넘지 않" is not read as "넘"
    r"넘지\s*않|이하|이내|까지|아래|밑|언더|안쪽|안으로|내로": "max",
    r"미만": "below",
    r"이상|부터|위로": "min",
    r"초과|넘": "above",
    r"대(?=$|[\s?!.,~]|[로의에가는도면인를이])": "decade",
    r"정도|쯤|안팎|내외|전후|가량|언저리|짜리|선(?=에서|으로|$|\s)": "approx",
}
_PRICE_RE = re.compile(
    rf"(?:(?P<pre>최대|최소|언더)\s*)?(?P<a>{_AMOUNT})\s*(?P<won>원(?![두룸래형단료산목조]))?"
    rf"(?:\s*(?:~|-|–|〜|에서|부터)\s*(?P<b>{_AMOUNT})\s*(?P<won2>원)?\s*(?:사이)?)?"
    rf"\s*(?P<q>{'|'.join(f'(?:{q})' for q in _QUAL_KINDS)})?"
)
_QUAL_RES = [(re.compile(q), kind) for q, kind in _QUAL_KINDS.items()]
_REFUSAL_RE = re.compile(r"^[^.?!\n]{0,12}?(?:부담(?!\s*없)|싫|비싸(?!지\s*않)|말고|빼고|제외|별로|무리|안\s*돼|오버)")
_HANGUL_DIGITS = dict(zip("일이삼사오육칠팔구", range(1, 10), strict=True))
_HANGUL_UNITS = {"십": 10, "백": 100, "천": 1000}


def _amount(text: str) -> float:
    """'만오천' → 15000, '1.5만' → 15000, '15,000' → 15000, '5만5천' → 55000."""
    total, section, number = 0.0, 0.0, None
    for piece in re.findall(r"\d+(?:\.\d+)?|[일이삼사오육칠팔구십백천만]", text.replace(",", "")):
        if piece in _HANGUL_UNITS:
            section += (number if number is not None else 1) * _HANGUL_UNITS[piece]
            number = None
        elif piece == "만":
            total += (section + (number or 0) or 1) * 10000
            section, number = 0.0, None
        else:
            number = float(_HANGUL_DIGITS.get(piece, 0) or piece)
    return total + section + (number or 0)


def _unit(text: str) -> int:
    """The multiplier an amount ends with, which a bare left end of a range borrows: '3~5만원' is 30000–50000."""
    return 10000 if "만" in text else 1000 if "천" in text else 1


def _bounds(value: int, kind: str | None) -> tuple[int | None, int | None]:
    if kind in (None, "approx"):
        return round(value * (1 - APPROX_TOLERANCE)), round(value * (1 + APPROX_TOLERANCE))
    if kind == "decade":  # 10만원대 → 100000–199999, 15만원대 → 150000–159999
        step = 10 ** (len(str(value)) - len(str(value).rstrip("0")))
        return value, value + step - 1
    return {"max": (None, value), "below": (None, value - 1), "min": (value, None), "above": (value + 1, None)}[kind]


def _price_phrases(text: str) -> list[tuple[int, int, int | None, int | None]]:
    """(start, end, price_min, price_max) of every price phrase."""
    out = []
    for m in _PRICE_RE.finditer(text):
        a, b, q = m["a"], m["b"], m["q"]
        has_unit = bool(m["won"] or m["won2"] or re.search("[만천]", a + (b or "")))
        hangul_only = not re.search(r"\d", a)
        if not has_unit and not (q and _kind(q) in ("max", "below", "min", "above")):
            continue  # "300인데", "4인용", "10시간 이상": not money
        if hangul_only and not (m["won"] or q):
            continue  # "만족", "천연": hangul digits that are just syllables
        end = m.end()
        if not (m["won"] or m["won2"] or q) and not re.match(r"\s*(?:[?.!,~]|$)", text[end:]):
            continue  # without 원 or a qualifier only a clause-final amount is a price: not "5천mAh", "30만 화소"
        if b:
            high = round(_amount(b))
            low = round(_amount(a) * (_unit(b) if not re.search("[만천]", a) and not m["won"] else 1))
            low, high = min(low, high), max(low, high)
        else:
            value = round(_amount(a))
            kind = {"최대": "max", "언더": "max", "최소": "min"}.get(m["pre"] or "", _kind(q) if q else None)
            low, high = _bounds(value, kind)
            if kind in ("max", "below", "min", "above") and _REFUSAL_RE.match(text[end:]):
                low, high = (high + 1, None) if high is not None else (None, low - 1)
        if max(low or 0, high or 0) < 1000:
            continue  # no shop sells below 1,000 KRW; these are counts, not prices
        out.append((m.start(), len(text[:end].rstrip()), low, high))
    return out


def _kind(qualifier: str) -> str:
    return next(kind for regex, kind in _QUAL_RES if regex.fullmatch(qualifier))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


@dataclass
class QueryVocabulary:
    """What the catalog lets a question name: category words, brands, attribute keys with 있음/없음 values."""

    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # compact word → path prefixes
    weak_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # used only if nothing strong matched
    brands: dict[str, tuple[str, ...]] = field(default_factory=dict)  # brand → the category paths it sells in
    attribute_keys: tuple[str, ...] = ()

    @classmethod
    def from_products(cls, products: Iterable[Product], analyzer: KoreanAnalyzer) -> QueryVocabulary:
        names: dict[str, set[str]] = {}  # level name → the path prefixes ending with it
        leaves: set[str] = set()
        brands: dict[str, set[str]] = {}
        keys: set[str] = set()
        for product in products:
            path = product.category_path()
            for depth in range(1, len(path) + 1):
                names.setdefault(path[depth - 1], set()).add(">".join(path[:depth]))
            leaves.update(path[-1:])
            if product.brand:
                brands.setdefault(product.brand, set()).update([">".join(path)] if path else [])
            keys.update(k for k, v in product.attributes.items() if _YES_NO_VALUE.match(str(v)) and len(k) >= 2)
        strong = {_compact(n): set(p) for n, p in names.items()}
        heads: dict[str, set[str]] = {}
        weak: dict[str, set[str]] = {}
        for name, paths in names.items():
            for part in name.split("/"):  # "견과/건과": each side is a weaker name of the level
                if part != name and len(part) >= 2:
                    weak.setdefault(_compact(part), set()).update(paths)
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
                if _compact(target) in strong:
                    strong.setdefault(_compact(alias), strong[_compact(target)])
        table_terms = {_compact(t) for terms, aliases in ATTRIBUTES.values() for t in terms + aliases}
        return cls(
            categories={k: tuple(sorted(v)) for k, v in strong.items()},
            weak_categories={k: (_common_prefix(v),) for k, v in weak.items() if k not in strong and _common_prefix(v)},
            brands={b: tuple(sorted(c)) for b, c in brands.items()},
            attribute_keys=tuple(sorted(k for k in keys if _compact(k) not in table_terms)),
        )


def _common_prefix(paths: Iterable[str]) -> str:
    """'식품>견과/건과' for paths below it; '' when they share nothing (then the word is too vague to use)."""
    common: list[str] = []
    for levels in zip(*(p.split(">") for p in paths), strict=False):
        if len(set(levels)) > 1:
            break
        common.append(levels[0])
    return ">".join(common)


# --- attributes in products -----------------------------------------------------------------------------------
_YES_NO_VALUE = re.compile(r"\s*(?:있음|없음|가능|불가|지원|미지원)")
_NEGATIVE_VALUE = re.compile(
    r"\s*(?:없음|없|미지원|미포함|불가|아님|아니|x\b|×|no\b|해당\s*없|안\s*됨|(?:사용|지원|착용|반입|세척)\s*(?:불가|안\s*됨))",
    re.IGNORECASE,
)


def _mentions(text: str, term: str) -> bool:
    """ASCII terms match whole words (a trailing 'x' allowed: IPX4); Korean terms match anywhere."""
    text, term = text.lower(), term.lower()
    if term.isascii():
        return re.search(rf"(?<![a-z]){re.escape(term)}(?![a-wyz])", text) is not None
    return term in text


def _negated_mention(text: str, term: str) -> bool:
    """'비방수', '방수 불가', '물세탁 불가': the term is there, but denied."""
    return re.search(rf"비{re.escape(term)}|{re.escape(term)}\s*(?:없음|불가|미지원|안\s*됨)", text, re.I) is not None


def satisfies_attribute(product: Product, requirement: AttributeRequirement) -> bool:
    """True when the product's attributes or name mention the requirement and no attribute denies it.

    An attribute whose key names the requirement is authoritative ("방수": "없음(통기 메쉬)" → False); otherwise a
    mention in an attribute value or the name counts unless it is denied in place ("비방수", "물세탁 불가").
    """
    keyed = [str(v) for k, v in product.attributes.items() if any(_mentions(str(k), t) for t in requirement.terms)]
    if keyed:
        return any(
            not _NEGATIVE_VALUE.match(v) and not any(v.startswith(f"비{t}") for t in requirement.terms) for v in keyed
        )
    texts = [str(v) for v in product.attributes.values()] + [product.name]
    return any(_mentions(x, t) and not _negated_mention(x, t) for x in texts for t in requirement.terms)


# --- the parser -----------------------------------------------------------------------------------------------
_NOUNISH = frozenset({"NNG", "NNP", "NR", "XR", "SL", "SH", "ETN", "XSN"})
_NEGATED_AFTER = re.compile(r"\s*[이가은는도]?\s*(?:안\s|안[가-힣]|없|않|아닌|x\b)", re.IGNORECASE)
_NO_PREFIX_RE = re.compile(r"(?<![가-힣])노\s+([가-힣A-Za-z]{2,})")  # "노 실리콘"; glued 노캔/노트북 are words


class _Text:
    """One question: kiwi tokens, a whitespace-free view for matching, and the spans already claimed."""

    def __init__(self, text: str, analyzer: KoreanAnalyzer) -> None:
        self.text = text
        self.analyzer = analyzer
        self.tokens = analyzer.tokens(text) if text.strip() else []
        self.starts = {t.start for t in self.tokens}
        self.words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        self.index = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.compact = "".join(text[i] for i in self.index).lower()
        self.claimed: list[tuple[int, int]] = []

    def find(self, word: str) -> Iterable[tuple[int, int]]:
        """Where a compact word occurs, spaces ignored: '블루투스스피커' finds '블루투스 스피커'."""
        for m in re.finditer(re.escape(word), self.compact):
            yield self.index[m.start()], self.index[m.end() - 1] + 1

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.claimed)

    def word(self, pos: int) -> tuple[int, int]:
        return next(((s, e) for s, e in self.words if s <= pos < e), (pos, pos))

    def aligned(self, start: int) -> bool:
        """A match must begin a morpheme, in the sentence or in its word read alone ('두부모래' → 두부 + 모래)."""
        if start in self.starts:
            return True
        first, last = self.word(start)
        return start - first in {t.start for t in self.analyzer.tokens(self.text[first:last])}

    def stem(self, start: int, end: int) -> str:
        """A word without its trailing particles: '가숩기가' → '가숩기'."""
        inside = [t for t in self.tokens if start <= t.start < end]
        while inside and inside[-1].tag.startswith("J"):
            inside.pop()
        return self.text[start : inside[-1].start + inside[-1].len] if inside else ""


class QueryParser:
    """Turns a question into a `ParsedQuery` with rules and the catalog's vocabulary; no model, no network."""

    def __init__(self, analyzer: KoreanAnalyzer, vocabulary: QueryVocabulary) -> None:
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        triggers = [(_compact(t), label) for label, (terms, aliases) in ATTRIBUTES.items() for t in terms + aliases]
        triggers += [(_compact(k), k) for k in vocabulary.attribute_keys]
        self._attribute_triggers = sorted(triggers, key=lambda t: -len(t[0]))
        paths = {p for ps in vocabulary.categories.values() for p in ps}
        self._leaves = {p for p in paths if not any(q.startswith(p + ">") for q in paths)}

    def parse(self, text: str) -> ParsedQuery:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        query = ParsedQuery(text=text)
        t = _Text(text[:MAX_ANALYSED_CHARS], self.analyzer)
        self._prices(t, query)
        self._intents(t, query)
        removed = [(s, self._with_particle(t, e)) for s, e, _ in query.spans]
        self._brands(t, query)
        self._categories(t, query)
        self._attributes(t, query)
        self._negations(t, query)
        kept = "".join(ch for i, ch in enumerate(text) if not any(s <= i < e for s, e in removed))
        query.keywords = " ".join(kept.split()) or " ".join(text.split())
        query.spans.sort()
        return query

    @staticmethod
    def _with_particle(t: _Text, end: int) -> int:
        """Where a phrase removed from the keywords ends, with what is left of its word: '이하|로는' → '이하로는'."""
        word_end = t.word(end - 1)[1]
        return word_end if word_end - end <= 3 else end

    @staticmethod
    def _claim(t: _Text, query: ParsedQuery, start: int, end: int, label: str) -> None:
        t.claimed.append((start, end))
        query.spans.append((start, end, label))

    def _prices(self, t: _Text, query: ParsedQuery) -> None:
        for start, end, low, high in _price_phrases(t.text):
            if low is not None:
                query.price_min = max(low, query.price_min or 0)
            if high is not None:
                query.price_max = high if query.price_max is None else min(high, query.price_max)
            self._claim(t, query, start, end, f"price:{low or ''}~{high or ''}")

    def _intents(self, t: _Text, query: ParsedQuery) -> None:
        """Follow-ups, then sort intents, then 'cheap', so that "더 싼" and "싼 순" are not read as 'cheap'."""
        for relative, regex in _RELATIVE_PATTERNS:
            m = regex.search(t.text)
            if m and query.relative is None and t.free(*m.span()):
                query.relative = relative
                self._claim(t, query, *m.span(), f"relative:{relative}")
        for sort, regex in _SORT_PATTERNS:
            m = regex.search(t.text)
            if m and query.sort is None and t.free(*m.span()):
                query.sort = sort
                self._claim(t, query, m.start(), len(t.text[: m.end()].rstrip()), f"sort:{sort}")
        for m in _CHEAP_RE.finditer(t.text):
            if t.free(*m.span()):
                query.cheap = True
                self._claim(t, query, *m.span(), "cheap")

    def _brands(self, t: _Text, query: ParsedQuery) -> None:
        for brand in sorted(self.vocabulary.brands, key=len, reverse=True):
            for m in re.finditer(re.escape(brand.lower()), t.text.lower()):
                if t.word(m.start())[0] == m.start() and t.free(*m.span()):
                    query.brands += [brand] if brand not in query.brands else []
                    self._claim(t, query, *m.span(), f"brand:{brand}")

    def _categories(self, t: _Text, query: ParsedQuery) -> None:
        """Catalog names, heads and synonyms, or a typo of one; else weaker words; else the named brands' categories."""
        found = self._exact(t, self.vocabulary.categories)
        covered = {t.word(s) for s, e, _ in found if t.word(s) == (s, e)}  # words a match spans whole
        typos = self._typos(t, self.vocabulary.categories, [w for w in t.words if w not in covered])
        found = [f for f in found if t.word(f[0]) not in {t.word(s) for s, _, _ in typos}] + typos
        found = found or self._exact(t, self.vocabulary.weak_categories)
        found = self._most_specific(found)
        for start, end, paths in found:
            query.categories += [p for p in paths if p not in query.categories]
            self._claim(t, query, start, end, "category:" + "|".join(paths))
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
    def _exact(t: _Text, table: dict[str, tuple[str, ...]]) -> list[tuple[int, int, tuple[str, ...]]]:
        """Unclaimed, morpheme-aligned occurrences of the table's words, longest first and not overlapping."""
        found: list[tuple[int, int, tuple[str, ...]]] = []
        for word in sorted(table, key=len, reverse=True):
            for start, end in t.find(word):
                if t.free(start, end) and all(end <= s or start >= e for s, e, _ in found) and t.aligned(start):
                    found.append((start, end, table[word]))
        return found

    @staticmethod
    def _typos(t: _Text, table: dict, words: list[tuple[int, int]], min_length: int = 3) -> list[tuple[int, int, Any]]:
        """One-syllable slips in words of ≥ 3 syllables: 가숩기 → 가습기, 등산하 → 등산화, 워터프루푸 → 워터프루프.

        A word counts once its particles are dropped ('가숩기가' → 가숩기), and only if nothing else claimed it.
        """
        found = []
        for start, end in words:
            stem = t.stem(start, end).lower()
            hit = next((w for w in table if len(w) >= min_length and _one_edit(stem, w)), None)
            if hit and len(stem) >= 3 and t.free(start, start + len(stem)):
                found.append((start, start + len(stem), table[hit]))
        return found

    def _attributes(self, t: _Text, query: ParsedQuery) -> None:
        found = []
        for trigger, label in self._attribute_triggers:
            for start, end in t.find(trigger):
                ascii_ok = not trigger.isascii() or _mentions(t.text[start:], trigger)
                if t.free(start, end) and ascii_ok and t.aligned(start) and not _NEGATED_AFTER.match(t.text, end):
                    found.append((start, end, label))
                    t.claimed.append((start, end))
        korean = {w: label for w, label in self._attribute_triggers if not w.isascii()}
        found += self._typos(t, korean, t.words, min_length=4)  # 3-syllable triggers have too many neighbours
        for start, end, label in found:
            if label not in [a.label for a in query.attributes]:
                query.attributes.append(AttributeRequirement(label, ATTRIBUTES.get(label, ((label,), ()))[0]))
            self._claim(t, query, start, end, f"attribute:{label}")

    def _negations(self, t: _Text, query: ParsedQuery) -> None:
        tokens = t.tokens
        for i, tok in enumerate(tokens):
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            found, last = None, tok
            if tok.form == "안" and tok.tag == "MAG" and after and after.tag.startswith(("VV", "VA", "XR")):
                if after.form != "좋":  # "안 좋은" means "bad", not a negated aspect
                    found, last = self._aspect_before(t, i) or self._nominalised(t, i + 1), after
            elif tok.form == "없" and tok.tag == "VA" and after:  # 없는/없고/없게/없음, not 없어?/없어도
                if after.tag in ("ETM", "ETN", "EP") or (after.tag == "EC" and after.form in ("고", "게", "이")):
                    found = self._aspect_before(t, i, whole_word=True)
            elif tok.form == "않" and tok.tag == "VX" and i >= 2 and tokens[i - 1].form == "지":
                found = self._aspect_before(t, i - 2) if tokens[i - 2].tag == "VCP" else self._nominalised(t, i - 2)
            elif tok.form.lower() == "x" and tok.tag == "SL":
                found = self._aspect_before(t, i, whole_word=True)
            if found:
                self._add_negation(t, query, min(found[0], tok.start), t.word(last.start)[1], found[1])
        for m in _NO_PREFIX_RE.finditer(t.text):
            self._add_negation(t, query, m.start(), m.end(), m.group(1))

    def _add_negation(self, t: _Text, query: ParsedQuery, start: int, end: int, aspect: str) -> None:
        if t.free(start, end) and aspect not in query.negations:
            query.negations.append(aspect)
            self._claim(t, query, start, end, f"negation:{aspect}")

    @staticmethod
    def _aspect_before(t: _Text, i: int, whole_word: bool = False) -> tuple[int, str] | None:
        """The noun a negation denies: '냄새가 안 나는' → 냄새, '층간소음 안나게' → 층간소음.

        whole_word: 없/X always deny a noun, so a previous word kiwi misreads ('백탁' → 백 + 탁/MAG) is taken whole.
        """
        j = i - 1
        while j >= 0 and t.tokens[j].tag in ("JKS", "JX"):
            j -= 1
        if j < 0:
            return None
        start = t.word(t.tokens[j].start)[0]
        if t.tokens[j].tag in _NOUNISH:
            return start, t.text[start : t.tokens[j].start + t.tokens[j].len]
        if whole_word and t.word(t.tokens[i].start)[0] > start and not t.tokens[j].tag.startswith(("E", "J", "V")):
            return start, t.text[start : t.tokens[j].start + t.tokens[j].len]
        return None

    def _nominalised(self, t: _Text, i: int) -> tuple[int, str] | None:
        """The verb a negation denies, as a noun: '안 미끄러운' → 미끄러움, '맵지 않은' → 매움, '안 끈적한' → 끈적함."""
        first, last = t.word(t.tokens[i].start)
        morphs = []
        for x in (x for x in t.tokens if first <= x.start < last and x.tag != "MAG"):
            if x.tag.startswith(("E", "J")):
                break
            morphs.append((x.form, x.tag))
        if not morphs or not morphs[-1][1].startswith(("VV", "VA", "XR", "XSA")):
            return None
        return first, self.analyzer.kiwi.join([*morphs, ("음", "ETN")])


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance of exactly one (a substitution, an insertion or a deletion)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]
