"""What reviews say about each aspect (소음, 배송, 사이즈 …), and whether they say it kindly.

The shape of Naver's review summary: find aspect mentions clause by clause, decide each clause's polarity
from cue words (or, when a clause has none, from the review's rating), drop junk, and keep one
representative clause per aspect and polarity — always an exact quote, so every line is traceable.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .records import Review

# aspect → substrings that mention it (matched on the raw text: robust to spacing slips and particles)
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
    "맛": ("맛있", "맛없", "맛이", "맛은", "맛도", "존맛", "식감", "간이", "짜요", "싱거"),
    "미끄럼": ("미끄", "밀려", "밀림", "접지", "그립"),
    "방수": ("방수", "비 오는", "비오는", "젖", "샌다", "새요", "새서", "누수"),
    "보온": ("따뜻", "보온", "춥", "추워", "방한"),
    "조립·설치": ("조립", "설치", "나사"),
    "A/S·교환": ("a/s", "as ", "고객센터", "교환", "환불", "반품", "문의"),
}

_POSITIVE = (
    "좋",
    "만족",
    "최고",
    "추천",
    "강추",
    "굿",
    "괜찮",
    "편하",
    "편해",
    "예쁘",
    "이쁘",
    "예뻐",
    "이뻐",
    "튼튼",
    "빠르",
    "빨라",
    "빨리",
    "가볍",
    "가벼",
    "조용",
    "깔끔",
    "훌륭",
    "짱",
    "최애",
    "부드럽",
    "맛있",
    "촉촉",
    "든든",
    "딱 맞",
    "정사이즈",
    "잘 맞",
    "감동",
    "대박",
    "저렴",
    "따뜻",
    "잘돼",
    "잘 돼",
    "잘되",
    "안 새",
    "안새",
    "넉넉",
    "꼼꼼",
    "친절",
    "충분",
)
_NEGATIVE = (
    "별로",
    "아쉽",
    "아쉬",
    "불편",
    "고장",
    "실망",
    "비추",
    "최악",
    "시끄",
    "무겁",
    "무거",
    "느리",
    "늦",
    "불량",
    "찢어",
    "벗겨",
    "샌다",
    "새요",
    "새서",
    "누수",
    "안 좋",
    "안좋",
    "단점",
    "끈적",
    "따가",
    "냄새나",
    "냄새가 나",
    "냄새 나",
    "망가",
    "부러",
    "작아요",
    "작게 나",
    "크게 나",
    "비싸",
    "비쌈",
    "답답",
    "거슬",
    "밀려",
    "미끄러",
    "파손",
    "깨져",
    "터졌",
    "짜요",
    "싱거",
    "뜨거",
    "춥",
    "추워",
    "얇아",
    "후회",
    "반품",
    "환불",
    "짜증",
    "흠",
    "못 쓰",
    "못쓰",
    "안 맞",
    "안맞",
    "애매",
    "부족",
    "오래 걸",
)
# negated negatives read as praise: 소음이 없어요, 안 시끄러워요, 냄새 안 나요
_PRAISE_NEGATION = re.compile(
    r"(소음|소리|냄새|누수|불량|단점|자극|끈적임|흔들림|고장|문제)\s?(이|가|은|는|도)?\s?(없|안\s?나|거의\s?없|전혀\s?없)"
    r"|안\s?(시끄|무겁|무거|새|불편|미끄러|끈적|따가)"
)
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
    clause: str  # exact text from the review
    helpful: int
    explicit: bool = True  # the clause itself carries the polarity (not just the review's rating)


@dataclass
class AspectSummary:
    aspect: str
    positive: int  # reviews that praise it
    negative: int  # reviews that complain about it
    mentions: int  # reviews that mention it at all
    best_positive: Mention | None = None
    best_negative: Mention | None = None
    review_ids: list[str] = field(default_factory=list)


def clause_polarity(clause: str) -> int:
    if _PRAISE_NEGATION.search(clause):
        return 1
    pos = sum(clause.count(cue) for cue in _POSITIVE)
    neg = sum(clause.count(cue) for cue in _NEGATIVE)
    return (pos > neg) - (neg > pos)


def clauses(text: str) -> list[str]:
    parts = _CLAUSE_SPLIT.split(_CONTRAST.sub(_ends_contrast, text or ""))
    return [c.strip(" ,\n\t") for c in parts if c and not _JUNK.match(c) and len(c.strip()) >= 2]


def review_mentions(review: Review) -> list[Mention]:
    """Aspect mentions of one review, at most one per aspect (the clause with the clearest polarity)."""
    fallback = 1 if review.rating_norm >= 0.75 else (-1 if review.rating_norm <= 0.25 else 0)
    best: dict[str, Mention] = {}
    lowered = [(c, c.lower()) for c in clauses(review.text)]
    for clause, low in lowered:
        own = clause_polarity(clause)
        polarity = own or fallback
        for aspect, triggers in ASPECTS.items():
            if any(t in low for t in triggers):
                mention = Mention(review.review_id, aspect, polarity, clause, review.helpful, own != 0)
                current = best.get(aspect)
                if current is None or (current.polarity == 0 and polarity != 0):
                    best[aspect] = mention
    return list(best.values())


def _representative(mentions: list[Mention]) -> Mention | None:
    """The clause that speaks for the group: most helpful, then a readable length (10–80 chars), then earliest."""
    if not mentions:
        return None
    return min(
        mentions, key=lambda m: (not m.explicit, not 10 <= len(m.clause) <= 80, -m.helpful, len(m.clause), m.review_id)
    )


def summarize(reviews: Iterable[Review]) -> list[AspectSummary]:
    """Per aspect: how many reviews praise / complain, with one exact quote for each side; most-discussed first."""
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for review in reviews:
        for mention in review_mentions(review):
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
