"""Comparison words after (or before) an amount, shared by prices and numeric specs: one reading of '이하', '미만',
'넘는', '정도까지', 'under' for '3만원 이하' and for '500g 이하' alike.

Kinds: max (≤), below (<), min (≥), above (>), decade ('10만원대'), approx (a soft wish around the amount).
A bound followed by a refusal ('10만원 넘는 건 부담돼요', '1kg 넘으면 싫어요') flips to the other side.
"""

from __future__ import annotations

import re

# qualifier regex → kind; longer alternatives first so "넘지 않" is not read as "넘", "정도까지" not as "정도"
_AFTER: tuple[tuple[str, str], ...] = (
    (r"(?:정도|쯤|가량|선)\s*(?:까지|이하|이내|안쪽|안으로|내로|내에서|안에서|아래|밑)", "max"),
    (r"넘지\s*않|안\s*넘|이하|이내|까지|아래|밑|언더|안쪽|안으로|내로|내에서|안에서|or\s+less|or\s+under", "max"),
    (r"미만|도\s*안\s*되|도\s*안\s*나가|보다\s*(?:더\s*)?(?:작|적|낮|가벼|짧|싼|싸|조용)", "below"),
    (r"이상|부터|위로|or\s+more|or\s+above", "min"),
    (r"초과|넘|보다\s*(?:더\s*)?(?:크|큰|많|높|무거|길|긴|오래|비싼|비싸)", "above"),
    (r"대(?=$|[\s?!.,~]|[로의에가는도면인를이])", "decade"),
    (r"정도|쯤|안팎|내외|전후|가량|언저리|짜리|선(?=에서|으로|$|\s)|around|about", "approx"),
)
AFTER_RE = re.compile("|".join(f"(?P<k{i}>{q})" for i, (q, _) in enumerate(_AFTER)), re.IGNORECASE)
_KINDS = [kind for _, kind in _AFTER]
# words before the amount: '최대 3만원', 'under 50000 won', 'less than 500g'
BEFORE_RE = re.compile(
    r"(?<![a-z])(?P<q>최대|최소|언더|under|below|less\s+than|up\s+to|max(?:imum)?|over|more\s+than|above|at\s+least|"
    r"min(?:imum)?|around|about)\s*$",
    re.IGNORECASE,
)
_BEFORE_KINDS = {
    "최대": "max",
    "언더": "max",
    "under": "max",
    "below": "below",
    "less than": "below",
    "up to": "max",
    "max": "max",
    "maximum": "max",
    "최소": "min",
    "over": "above",
    "more than": "above",
    "above": "above",
    "at least": "min",
    "min": "min",
    "minimum": "min",
    "around": "approx",
    "about": "approx",
}
_REFUSAL_RE = re.compile(r"^[^.?!\n]{0,12}?(?:부담(?!\s*없)|싫|비싸(?!지\s*않)|말고|빼고|제외|별로|무리|안\s*돼|오버)")
HARD_KINDS = ("max", "below", "min", "above")
OPS = {"max": "<=", "below": "<", "min": ">=", "above": ">"}


def bound_after(text: str, end: int) -> tuple[str, int] | None:
    """The comparison word right after an amount ending at `end` (spaces allowed): (kind, where it ends)."""
    m = AFTER_RE.match(text, end + len(text[end:]) - len(text[end:].lstrip()))
    if not m:
        return None
    kind = _KINDS[int(next(name for name, value in m.groupdict().items() if value is not None)[1:])]
    return kind, m.end()


def bound_before(text: str, start: int) -> tuple[str, int] | None:
    """The comparison word right before an amount starting at `start`: (kind, where it starts)."""
    m = BEFORE_RE.search(text[max(0, start - 16) : start])
    if not m:
        return None
    return _BEFORE_KINDS[" ".join(m["q"].lower().split())], start - (len(text[max(0, start - 16) : start]) - m.start())


def refused(text: str, end: int) -> bool:
    """'… 넘는 건 부담돼요': the shopper names the bound to refuse what lies beyond it."""
    return _REFUSAL_RE.match(text[end:]) is not None


def flip(kind: str) -> str:
    """The other side of a refused bound: '10만원 넘는 건 싫어' is at most 10만원, '미만은 싫어' is at least."""
    return {"max": "above", "below": "min", "min": "below", "above": "max"}[kind]
