"""What reviews say about each aspect (소음, 배송, 사이즈 …), and whether they say it kindly.

The shape of Naver's review summary: find aspect mentions clause by clause, decide each clause's polarity from its
morphemes (kiwi tokens: cue stems, negation `안 좋아요` / `좋지 않아요` / `소음이 없어요`, intensifiers, and a contrast
`좋은데 소음이 좀…` after which the later part decides, wishes, hearsay, faults present or absent), where no rule finds
a cue from a morpheme lexicon learned from star ratings (polarity_lexicon.tsv, only when its sum is clear), a learned
reader over all of it when it is sure (rag.generation.polarity_model), and else from the review's rating; keep one
representative clause per aspect and polarity: an exact, self-contained quote of bounded length.

All clauses of a call are analysed in one batch call into kiwi. Pass the process's shared `KoreanAnalyzer`; without one,
a default analyzer is built once, on first use (≈1.5 s), so every caller counts the same way.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from ..analyzer import KoreanAnalyzer
from ..records import Review
from .morphemes import index_patterns, is_attributive, match_at, normalise, parse_pattern, split_words, tag_major
from .polarity import read_parts

logger = logging.getLogger(__name__)

# aspect → surface substrings: what the composer matches a shopper's question with (query_aspects, below).
# Reviews are matched on morphemes (ASPECT_MORPHEMES below), not on these substrings.
ASPECTS: dict[str, tuple[str, ...]] = {
    "소음": ("소음", "소리", "조용", "시끄", "dB", "db", "윙윙", "층간"),
    "배송": ("배송", "택배", "도착", "배달", "출고"),
    "포장": ("포장", "박스", "뽁뽁이"),
    "사이즈": ("사이즈", "치수", "정사이즈", "반업", "반 업", "작게 나", "크게 나", "작아요", "커요", "발볼", "핏"),
    "가성비": ("가성비", "가격 대비", "가격대비", "저렴", "싸게", "착한 가격", "가격이 착", "비싸", "비쌈", "가격"),
    "내구성": ("내구", "고장", "망가", "찢어", "벗겨", "튼튼", "오래 쓰", "부러", "해짐", "터졌", "불량"),
    "무게": ("무게", "가볍", "가벼", "무거", "무겁", "경량"),
    "디자인": ("디자인", "예쁘", "이쁘", "예뻐", "이뻐", "색상", "색깔", "컬러", "모양"),
    "세척·관리": ("세척", "청소", "씻", "관리", "설거지", "세탁", "빨래"),
    "냄새·향": ("냄새", "향이", "향은", "향도", "향기", "무향", "악취", "고무냄새"),
    "착용감·사용감": ("착용감", "사용감", "편하", "편해", "편안", "불편", "쿠션", "촉감", "발이 아"),
    "품질·마감": ("마감", "품질", "퀄리티", "재질", "바느질", "박음질", "원단", "만듦새"),
    "성능": (
        "성능",
        "흡입력",
        "효과",
        "보습",
        "음질",
        "노캔",
        "노이즈",
        "배터리",
        "충전",
        "가습량",
        "세정력",
        "화력",
        "탈취",
        "흡수",
    ),
    "맛": ("맛있", "맛없", "맛이", "맛은", "맛도", "존맛", "식감", "짜요", "싱거"),
    "미끄럼": ("미끄", "밀려", "밀림", "접지", "그립"),
    "방수": ("방수", "비 오는", "비오는", "젖", "샌다", "새요", "새서", "누수"),
    "보온": ("따뜻", "보온", "춥", "추워", "방한"),
    "조립·설치": ("조립", "설치", "나사"),
    "A/S·교환": ("a/s", "as ", "고객센터", "교환", "환불", "반품", "문의"),
}


@cache
def _word_start(word: str) -> re.Pattern:
    return re.compile(rf"(?<![가-힣A-Za-z]){re.escape(word)}", re.IGNORECASE)


def says_word(text: str, word: str) -> bool:
    """`word` begins a word of `text` ('냄새가', '냄새 안 나요'), not inside another (시간이 holds no 간이, 비싼 no 싼,
    방향 no 향): surface text read without kiwi, for the hot paths (a question, a product's reviews)."""
    return bool(_word_start(word).search(text))


# words in a question that point at an aspect (beyond the aspect's own triggers)
QUERY_ASPECTS: dict[str, tuple[str, ...]] = {
    "소음": ("조용", "저소음", "무소음", "시끄", "소음", "층간"),
    "무게": ("가벼", "가볍", "경량", "무게", "휴대"),
    "가성비": ("가성비", "저렴", "싼", "가격"),
    "냄새·향": ("냄새", "향", "무향"),
    "착용감·사용감": ("편한", "편안", "착용감", "쿠션"),
    "방수": ("방수", "비 오는", "비오는", "장마"),
    "사이즈": ("사이즈", "발볼", "핏"),
    "내구성": ("튼튼", "오래", "내구"),
    "세척·관리": ("세척", "청소", "관리"),
    "미끄럼": ("미끄", "밀리", "접지"),
    "보온": ("따뜻", "보온", "방한"),
    "성능": ("성능", "흡입", "음질", "노캔", "노이즈캔슬링", "배터리", "보습"),
    "배송": ("배송", "빨리", "빠른 배송"),
}


def query_aspects(text: str) -> list[str]:
    """The aspects a question asks about: words that begin a word of it ('비싼' says no 싼, '방향제' no 향)."""
    found = [a for a, words in QUERY_ASPECTS.items() if any(says_word(text, w) for w in words)]
    return found or [a for a, words in ASPECTS.items() if any(says_word(text, w) for w in words)]


# aspect → morpheme patterns. A pattern is a kiwi form (`간/N`: only with a tag starting N; 시간이 is 시간/NNG, so it
# never matches), or `a+b`: those tokens in that order, particles allowed between (`비/N+오` = 비가 오는). Stems are
# lemmas: 가볍 matches 가벼워요 and 가볍고.
ASPECT_MORPHEMES: dict[str, tuple[str, ...]] = {
    "소음": split_words("소음 소리 조용 조용하 시끄럽 dB db 데시벨 윙윙 층간 저소음 무소음"),
    "배송": split_words("배송 택배 도착 배달 출고 오배송 재배송 배공"),
    "포장": split_words("포장 박스 뽁뽁이 상자 완충재"),
    "사이즈": split_words("사이즈 치수 정사이즈 반업 발볼 핏 크기 길이 기장 규격 높이 너비 폭/N 좁 헐렁 타이트"),
    "가성비": split_words("가성비 가격 가격대 저렴 싸/V 비싸 값 할인 돈 사악"),
    "내구성": split_words("내구 내구성 고장 망가지 찢어지 벗겨지 튼튼 부러지 해지 터지 불량 닳 파손 깨지"),
    "무게": split_words("무게 무게감 가볍 무겁 경량"),
    "디자인": split_words("디자인 예쁘 이쁘 색상 색깔 색감 컬러 모양 색/N 사진빨 어울리 귀엽"),
    "세척·관리": split_words("세척 청소 씻 관리 설거지 세탁 빨래 빨/V 닦/VV"),
    "냄새·향": split_words("냄새 향/N 향기 무향 악취"),
    "착용감·사용감": split_words("착용감 사용감 편하 편안 불편 쿠션 촉감 뻐근 피곤 착붙 끈적 끈적이 끈적임 사용/N+이"),
    "품질·마감": split_words(
        "마감 품질 퀄리티 재질 바느질 박음질 원단 만듦새 보풀 고급 고급스럽 엉성 마무리 허접 싸구려"
    ),
    "성능": split_words(
        "성능 흡입력 효과 보습 음질 노캔 노이즈 배터리 충전 가습량 세정력 화력 탈취 흡수 센서 화질 가습 흡착"
    ),
    "맛": split_words("맛 맛있 맛없 존맛 식감 간/N 짜/VA 싱겁 비리 당도 맛나 고소"),
    "미끄럼": split_words("미끄럽 미끄러지 미끄러움 밀리 밀림 접지 그립 그립감"),
    "방수": split_words("방수 젖 누수 새/VV 비/N+오 비/N+막 물/N+튀 생활방수"),
    "보온": split_words("따뜻 보온 춥 방한 보냉"),
    "조립·설치": split_words("조립 설치 나사"),
    "A/S·교환": split_words("as a+/+s 고객센터 교환 환불 반품 문의 상담"),
}
# a size adjective used as a predicate speaks about 사이즈 only when the clause names no other aspect
# (`작아요` is a size complaint; `소리가 너무 커요` is about noise)
_WEAK_SIZE = frozenset({"작", "크", "짧", "길"})
_NOT_TASTE = frozenset({"싸", "보", "사", "쓰", "입", "신"})
_POWER = "력"  # NNG + 력 (흡착력, 접착력, 응고력): a performance word

# a quote that opens with these leans on an earlier sentence (그래서…, 그게 좀 불편, 그 외에는…, 이거 때문에…).
# 이 / 이거 / 이건 alone point at the product itself (이 가격에 이 정도면, 이건 소리가 없어요) and stand on their own.
_ANAPHORS = frozenset(split_words("그거 그것 그게 그건 그걸 거기 저거 저것 그래서 그리고 그럼 그러니까 그러면 그 또한"))
_BECAUSE_OF_THIS = frozenset(split_words("이거 이것 이게 그거 그것 그게"))  # + 때문: because of what?

# quote length in characters: a hard range (shorter than 조용해요 is a fragment, longer than 80 a paragraph), and the
# range preferred when there is a choice (the old selection's)
QUOTE_MIN, QUOTE_MAX = 4, 80
_PREFERRED_MIN = 10


# a contrast ends a clause ("좋은데 / 소음이 좀…"): -ㄴ데 (좋은데, 예쁜데, 큰데) or -지만; the connective stays
_CONTRAST = re.compile(r"([가-힣])(데|지만)(?=\s)")


def _ends_contrast(match: re.Match) -> str:
    syllable, ending = match.group(1), match.group(2)
    has_nieun = (ord(syllable) - 0xAC00) % 28 == 4  # final consonant ㄴ
    return match.group(0) + ("\n" if ending == "지만" or has_nieun else "")


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?~\n])\s*")
_JUNK = re.compile(r"^[\sㅋㅎㅠㅜ.!?~^,]*$")


@dataclass(frozen=True)
class Mention:
    review_id: str
    aspect: str
    polarity: int  # +1 praise, -1 complaint, 0 neutral
    clause: str  # exact text from the review: the quote (the clause, or its part about this aspect)
    helpful: int
    explicit: bool = True  # the clause itself carries the polarity (not just the review's rating)
    quotable: bool = True  # self-contained and QUOTE_MIN–QUOTE_MAX characters: may be shown as the aspect's quote


@dataclass
class AspectSummary:
    aspect: str
    positive: int  # reviews that praise it
    negative: int  # reviews that complain about it
    mentions: int  # reviews that mention it at all
    best_positive: Mention | None = None
    best_negative: Mention | None = None
    review_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ClauseReading:
    """One clause, read: its polarity, and per aspect it mentions, the polarity of the part that mentions it
    (after a contrast the parts differ) and the quote for it."""

    clause: str
    polarity: int
    aspects: dict[str, int]
    quotes: dict[str, tuple[str, bool]]  # aspect → (verbatim quote, quotable)


@cache
def _default_analyzer() -> KoreanAnalyzer:
    logger.info("rag.aspects: no analyzer passed, building a default KoreanAnalyzer (pass the shared one instead)")
    return KoreanAnalyzer()


def clauses(text: str) -> list[str]:
    """A review cut into clauses: at sentence ends, and after a contrast (좋은데 | 소음이 좀…, 비싸지만 | …)."""
    parts = _CLAUSE_SPLIT.split(_CONTRAST.sub(_ends_contrast, text or ""))
    return [c.strip(" ,\n\t") for c in parts if c and not _JUNK.match(c) and len(c.strip()) >= 2]


_ASPECT_INDEX = index_patterns((p, aspect) for aspect, patterns in ASPECT_MORPHEMES.items() for p in patterns)
# the forms of aspect words: the learned lexicon leaves them to the rules (movie talk makes 포장 negative)
_ASPECT_FORMS = frozenset(
    form for patterns in ASPECT_MORPHEMES.values() for p in patterns for form, _ in parse_pattern(p)
)


def _aspect_hits(tokens: Sequence) -> dict[str, int]:
    """aspect → index of the first token that mentions it."""
    hits: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        for parts, aspect in _ASPECT_INDEX.get(tok.form.lower(), ()):
            if aspect not in hits and match_at(tokens, i, parts):
                hits[aspect] = i
    for i, tok in enumerate(tokens[1:], 1):
        if tok.form == _POWER and tok.tag == "XSN" and tokens[i - 1].tag == "NNG" and tokens[i - 1].form != "매":
            hits.setdefault("성능", i - 1)
    taste = hits.get("맛")
    if taste is not None and taste >= 2 and tokens[taste].form == "맛" and tag_major(tokens[taste - 1].tag) == "ETM":
        if tokens[taste - 2].form in _NOT_TASTE:  # 싼 맛에, 보는 맛으로: the pleasure of, not a flavour
            del hits["맛"]
    if not hits:
        for i, tok in enumerate(tokens):
            if tok.form in _WEAK_SIZE and tag_major(tok.tag) == "VA" and not is_attributive(tokens, i):
                hits["사이즈"] = i
                break
    return hits


def _quote(clause: str, tokens: Sequence, at: int) -> tuple[str, bool]:
    """The verbatim quote for the mention at token `at`: the clause itself, or, when it runs past QUOTE_MAX, the
    stretch between connective endings (-고, -서, -는데 …) around the mention. Quotable when it has the length
    bounds and does not open with a word that points back at an earlier sentence (이거 때문에…, 그래서…)."""
    text = clause
    if len(clause) > QUOTE_MAX:
        cuts = [0] + [
            t.start + t.len for t in tokens if t.tag == "EC" and clause[t.start + t.len : t.start + t.len + 1] == " "
        ]
        cuts.append(len(clause))
        pos = tokens[at].start
        k = max(n for n, c in enumerate(cuts[:-1]) if c <= pos)
        text = clause[cuts[k] : cuts[k + 1]].strip()
        if len(text) < QUOTE_MIN and k + 2 < len(cuts):
            text = clause[cuts[k] : cuts[k + 2]].strip()
    offset = clause.find(text)
    dependent = _leans_back([t for t in tokens if t.start >= offset])
    return text, QUOTE_MIN <= len(text) <= QUOTE_MAX and not dependent


def _leans_back(tokens: Sequence) -> bool:
    """The text these tokens open opens with a word that points at an earlier sentence (그래서…, 이거 때문에…)."""
    forms = [t.form for t in tokens[:3] if not t.tag.startswith("J")]
    return bool(forms) and (forms[0] in _ANAPHORS or (forms[0] in _BECAUSE_OF_THIS and "때문" in forms[1:]))


_MAY_LEAN_BACK = re.compile(r"^\s*(?:그|이거|이것|이게|저거|저것|또한)")  # a cheap test before kiwi is asked
_SENTENCE_END = re.compile(r"(?<=[.!?~\n])\s*")


def self_contained(review_text: str, sentence: str, analyzer: KoreanAnalyzer | None = None) -> str | None:
    """`sentence` (verbatim in `review_text`) as a quote that stands on its own: itself; or, when it opens with a
    word pointing back (이거 때문에 불안해서 못 쓰겠어요), the review's previous sentence with it, when the two fit in
    QUOTE_MAX characters; else None (the caller picks another quote)."""
    if not _MAY_LEAN_BACK.match(sentence) or not _leans_back((analyzer or _default_analyzer()).tokens(sentence)):
        return sentence
    at = review_text.find(sentence)
    if at <= 0:
        return None
    before = [p for p in _SENTENCE_END.split(review_text[:at]) if p.strip()]
    if not before:
        return None
    start = review_text.rfind(before[-1], 0, at)
    joined = review_text[start : at + len(sentence)].strip()
    return joined if len(joined) <= QUOTE_MAX else None


def _read(clause: str, tokens: Sequence) -> ClauseReading:
    polarity, parts = read_parts(clause, tokens, _ASPECT_FORMS)
    aspects, quotes = {}, {}
    for aspect, at in _aspect_hits(tokens).items():
        # the aspect takes the polarity of its own sub-clause (보기엔 예쁘고 | 코팅도 묻어나고), else its contrast
        # segment's, else the clause's
        own = next((v for c, d, v in parts if c <= at < d), 0)
        aspects[aspect] = own or polarity
        quotes[aspect] = _quote(clause, tokens, at)
    return ClauseReading(clause, polarity, aspects, quotes)


def read_clauses(texts: Sequence[str], analyzer: KoreanAnalyzer | None = None) -> list[ClauseReading]:
    """Read many clauses with one batch call into kiwi (the cheap path for a product's or a category's reviews)."""
    kiwi = (analyzer or _default_analyzer()).kiwi
    tokenized = kiwi.tokenize([normalise(t) or " " for t in texts]) if texts else []
    return [_read(text, list(tokens)) for text, tokens in zip(texts, tokenized, strict=True)]


def clause_polarity(clause: str, analyzer: KoreanAnalyzer | None = None) -> int:
    """+1 praise, -1 complaint, 0 neither, for one clause."""
    return read_clauses([clause], analyzer)[0].polarity


# ---- mentions and summaries ----


def _mentions(review: Review, readings: Sequence[ClauseReading]) -> list[Mention]:
    """Aspect mentions of one review, at most one per aspect (the clause with the clearest polarity)."""
    fallback = 1 if review.rating_norm >= 0.75 else (-1 if review.rating_norm <= 0.25 else 0)
    best: dict[str, Mention] = {}
    for reading in readings:
        for aspect, own in reading.aspects.items():
            polarity = own or fallback
            quote, quotable = reading.quotes[aspect]
            mention = Mention(review.review_id, aspect, polarity, quote, review.helpful, own != 0, quotable)
            current = best.get(aspect)
            if current is None or (current.polarity == 0 and polarity != 0):
                best[aspect] = mention
    return list(best.values())


def review_mentions(review: Review, analyzer: KoreanAnalyzer | None = None) -> list[Mention]:
    """Aspect mentions of one review, at most one per aspect (the clause with the clearest polarity)."""
    return _mentions(review, read_clauses(clauses(review.text), analyzer))


def _representative(mentions: list[Mention]) -> Mention | None:
    """The quote that speaks for the group: only a quotable one (self-contained, bounded length); the clause's own
    polarity before the rating's, then ≥ 10 characters, then most helpful, then shortest, then the review id; None when
    none is quotable."""
    usable = [m for m in mentions if m.quotable]
    if not usable:
        return None
    return min(
        usable,
        key=lambda m: (not m.explicit, len(m.clause) < _PREFERRED_MIN, -m.helpful, len(m.clause), m.review_id),
    )


def summarize(reviews: Iterable[Review], analyzer: KoreanAnalyzer | None = None) -> list[AspectSummary]:
    """Per aspect: how many reviews praise / complain, with one exact quote for each side; most-discussed first.
    All clauses of all `reviews` go to kiwi in one batch call."""
    reviews = list(reviews)
    cut = [clauses(r.text) for r in reviews]
    readings = iter(read_clauses([c for parts in cut for c in parts], analyzer))
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for review, parts in zip(reviews, cut, strict=True):
        for mention in _mentions(review, [next(readings) for _ in parts]):
            grouped[mention.aspect].append(mention)
    out = []
    for aspect, mentions in grouped.items():
        pos = [m for m in mentions if m.polarity > 0]
        neg = [m for m in mentions if m.polarity < 0]
        out.append(
            AspectSummary(
                aspect,
                len(pos),
                len(neg),
                len(mentions),
                _representative(pos),
                _representative(neg),
                sorted({m.review_id for m in mentions}),
            )
        )
    out.sort(key=lambda s: (-s.mentions, s.aspect))
    return out
