"""Requirements with a polarity: what the shopper wants a product to have, or to be without.

One negation reader (`read_negations`) finds every denied thing of a question — 'X 없는', 'X 안 들어간', '안 V',
'V지 않은', 'X 빼고/빠진/제외/말고', 'X 무첨가', '노 X', '무X' — and `AttributeReader` decides what each one is:
- a thing the catalog knows (a lexicon attribute, a flag name, a facet key, a term a value marks as 무첨가/함유)
  → `AttributeRequirement(label, terms, wanted=False)`, a hard "must not have" ('기모 없는', '와이파이 없는',
  '고춧가루 안 들어간', '젓갈 없는', '무실리콘');
- a negated unwanted quality ('안 무거운', '시끄럽지 않은') → a spec word for the superlative reader;
- anything else → a soft negation (`ParsedQuery.negations`: '냄새 안 나는' → 냄새), which ranking uses as a wish.
A mention that is not denied is wanted: lexicon attributes, their aliases and catalog flag names ('리모컨 있는',
'식기세척기 되는', '충전식', '무향').
A mention is also denied by what follows it on the surface ('리모컨 미지원', '백탁없는', '타이머 기능 없는', '카메라 안
달린', '인덕션 불가능한'), so a name kiwi splits is never read as wanted; and a denied verb the catalog uses only for
products lacking a flag ('밀폐: 비밀폐 (…, 눕히면 샘)') asks for that flag ('안 새는' → 밀폐).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..analyzer import KoreanAnalyzer
from ..records import in_category
from .lexicon import ATTRIBUTES, FLAG_SYNONYMS, NEGATED_SPEC_WORDS, SpecWord
from .model import AttributeRequirement, ParsedQuery
from .text import QueryText, compact, latin_word
from .typos import by_length, typos
from .vocabulary import QueryVocabulary

_WORKS_VERBS = frozenset({"되", "들어가", "들", "먹"})  # 'X 안 되는', 'X 안 들어간': they deny X itself
# nouns that only say a thing works: 'X 호환 안 되는', 'X 지원 안 되는' deny X, not 호환
_SUPPORT_NOUNS = frozenset({"호환", "지원", "사용", "연동", "가능", "장착", "적용"})
_NOUNISH = frozenset({"NNG", "NNP", "NR", "XR", "SL", "SH", "ETN", "XSN"})
_NO_PREFIX_RE = re.compile(r"(?<![가-힣])노\s+([가-힣A-Za-z]{2,})")  # "노 실리콘"; glued 노캔/노트북 are words
# what shops write after a thing a product lacks ('리모컨 미지원', '인덕션 불가'), asked the same way
_LACKING_WORDS = r"무첨가|프리(?![가-힣])|free\b|빼고|뺀|빠진|제외(?:한|하고)?|말고|미지원|미포함|불포함|불가능|불가"
_WITHOUT_AFTER_RE = re.compile(rf"([가-힣A-Za-z]{{2,}})[이가은는을를]?\s*(?:{_LACKING_WORDS})", re.IGNORECASE)
_GLUED_WITHOUT_RE = re.compile(r"(?<![가-힣])무([가-힣A-Za-z])")  # '무실리콘', '무와이파이': see _glued_without
# a noun that only says a thing works or is there, before has/lacks: '리모컨 기능 없는', '와이파이 연동 되는'
_WORKS_NOUN = r"(?:(?:기능|호환|지원|연동|사용|장착)\s*[이가은는도]?\s*)?"
# what makes a positive mention a chip of its own: '리모컨 있는', '식기세척기 되는', '카메라 달린', '캡 포함'
_HAVING_AFTER_RE = re.compile(
    rf"\s*[이가은는도]?\s*{_WORKS_NOUN}(?:있는|있고|있음|있어야|있었으면|되는|되고|가능한|가능|지원되는|지원하는|지원|"
    r"달린|붙은|포함된|포함|들어간|들어있는|내장된|내장|탑재된|탑재|나는|나고)"  # '향 나는': it comes out, it has it
)
# what a mention says it must lack, read on the surface right after it, so that a name kiwi splits ('백탁없는' →
# 백 + 탁 + 없) is not read as wanted: '리모컨 없는', '기모없는', '카메라 안 달린', '향 빠진', '타이머 기능 없는'
_LACKING_AFTER_RE = re.compile(
    rf"\s*[이가은는도]?\s*{_WORKS_NOUN}(?:없(?:는|고|음|이|어야|었으면|으면|게)|"
    rf"안\s*(?:되|돼|들어가|들어간|들어있|달리|달린|붙|나오|나온|나는|나고|나게|남)|{_LACKING_WORDS})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Negated:
    start: int  # the whole phrase: '기모 없는'
    end: int
    aspect: str  # what is denied: '기모'; a verb comes nominalised: '안 끈적이는' → '끈적임'
    aspect_start: int
    aspect_end: int
    verb: bool = False
    marker: int = -1  # where the negating word starts ('안' of '안 들어간'), -1 when it is a suffix pattern


def read_negations(t: QueryText) -> list[Negated]:
    """Every denied thing of the question, in reading order (the only negation reader of the parser)."""
    out: list[Negated] = []
    tokens = t.tokens
    for i, tok in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        found, last, verb = None, tok, False
        negating_verb = after is not None and (
            after.tag.startswith(("VV", "VA", "XR")) or (after.tag == "XSV" and after.form in _WORKS_VERBS)
        )  # '안되는' comes as 안 + 되/XSV
        if tok.form == "안" and tok.tag == "MAG" and negating_verb:
            if after.form != "좋":  # "안 좋은" means "bad", not a negated aspect
                found, last = _aspect_before(t, i, whole_word=after.form in _WORKS_VERBS), after
                if found is None:
                    found, verb = _nominalised(t, i + 1), True
        elif tok.form == "없" and tok.tag == "VA" and after:  # 없는/없고/없게/없음/없이, not 없어?/없어도
            if after.tag in ("ETM", "ETN", "EP") or (after.tag == "EC" and after.form in ("고", "게", "이")):
                found = _aspect_before(t, i, whole_word=True)
        elif tok.form == "없이" and tok.tag == "MAG":
            found = _aspect_before(t, i, whole_word=True)
        elif tok.form == "않" and tok.tag == "VX" and i >= 2 and tokens[i - 1].form == "지":
            if tokens[i - 2].tag == "VCP":
                found = _aspect_before(t, i - 2)
            else:
                found, verb = _nominalised(t, i - 2), True
        elif tok.form.lower() == "x" and tok.tag == "SL":
            found = _aspect_before(t, i, whole_word=True)
        if found:
            start, aspect, aspect_end = found
            end = t.word(last.start)[1]
            out.append(Negated(min(start, tok.start), end, aspect, start, aspect_end, verb, tok.start))
    for m in _NO_PREFIX_RE.finditer(t.text):
        out.append(Negated(m.start(), m.end(), m.group(1), m.start(1), m.end(1)))
    for m in _WITHOUT_AFTER_RE.finditer(t.text):
        if all(m.start() >= n.end or m.end() <= n.start for n in out):
            out.append(Negated(m.start(), t.word(m.end() - 1)[1], m.group(1), m.start(1), m.end(1)))
    return sorted(out, key=lambda n: n.start)


def _aspect_before(t: QueryText, i: int, whole_word: bool = False) -> tuple[int, str, int] | None:
    """The noun a negation denies: '냄새가 안 나는' → 냄새, '층간소음 안나게' → 층간소음.

    whole_word: 없/X and '안 되는/들어간' always deny a noun, so a previous word kiwi misreads ('백탁' → 백 +
    탁/MAG, '양대면' → 양대 + 면/EC) is taken whole.
    """
    j = i - 1
    while j >= 0 and t.tokens[j].tag in ("JKS", "JX", "JKO"):
        j -= 1
    if j < 0:
        return None
    start = t.word(t.tokens[j].start)[0]
    end = t.tokens[j].start + t.tokens[j].len
    if t.tokens[j].tag in _NOUNISH:
        return start, t.text[start:end], end
    separate = t.word(t.tokens[i].start)[0] > start
    if (
        whole_word
        and separate
        and (t.tokens[j].tag.startswith("EC") or not t.tokens[j].tag.startswith(("E", "J", "V")))
    ):
        word_end = t.word(start)[1]
        return start, t.text[start:word_end], word_end
    return None


def _nominalised(t: QueryText, i: int) -> tuple[int, str, int] | None:
    """The verb a negation denies, as a noun: '안 미끄러운' → 미끄러움, '맵지 않은' → 매움, '안 끈적한' → 끈적함."""
    first, last = t.word(t.tokens[i].start)
    morphs = []
    for x in (x for x in t.tokens if first <= x.start < last and x.tag != "MAG"):
        if x.tag.startswith(("E", "J")):
            break
        morphs.append((x.form, x.tag))
    if not morphs or not morphs[-1][1].startswith(("VV", "VA", "XR", "XSA")):
        return None
    analyzer: KoreanAnalyzer = t.analyzer
    return first, analyzer.kiwi.join([*morphs, ("음", "ETN")]), last


_PARTICLE_RE = re.compile(r"(?:이|가|은|는|을|를|도|만|이나|나|이랑|랑)?")


def _whole_word(t: QueryText, start: int, end: int) -> bool:
    """The span starts its word and only a particle follows it in the word."""
    word_start, word_end = t.word(start)
    return word_start == start and _PARTICLE_RE.fullmatch(t.text[end:word_end]) is not None


def _said_after(t: QueryText, start: int, end: int) -> bool:
    """A one-syllable name glued to has/lacks at the start of its word: '향있는', '캡없는'."""
    said = _HAVING_AFTER_RE.match(t.text, end) or _LACKING_AFTER_RE.match(t.text, end)
    return t.word(start)[0] == start and said is not None


def _names_the_type_next(t: QueryText, query: ParsedQuery, end: int) -> bool:
    """The next word is the product type the question names: '캡 물티슈', '향 샴푸'."""
    rest = t.text[end:]
    if not rest[:1].isspace():
        return False
    start = end + len(rest) - len(rest.lstrip())
    return any(s == start and label.startswith("category:") for s, _, label in query.spans)


def _supports(t: QueryText, end: int, n: Negated) -> bool:
    """'차량컵홀더 호환 안 되는': the denied word only says the mention just before it works."""
    gap = t.text[end : n.aspect_start]
    return n.aspect in _SUPPORT_NOUNS and len(gap) <= 3 and re.fullmatch(r"\s*[이가은는을를]?\s*", gap) is not None


class AttributeReader:
    """Reads requirements with the lexicon's attributes and the catalog's flag names and known terms."""

    def __init__(self, vocabulary: QueryVocabulary) -> None:
        self.vocabulary = vocabulary
        triggers = [(compact(label), label) for label in ATTRIBUTES]
        triggers += [(compact(t), label) for label, (terms, aliases) in ATTRIBUTES.items() for t in terms + aliases]
        triggers += [(compact(k), k) for k in vocabulary.attribute_keys]
        triggers += [(compact(w), k) for k in vocabulary.attribute_keys for w in FLAG_SYNONYMS.get(k, ())]
        seen: set[str] = set()
        self.triggers = []
        for word, label in sorted(triggers, key=lambda w: -len(w[0])):  # stable: a label's own word comes first
            if word not in seen:
                seen.add(word)
                self.triggers.append((word, label))
        self._labels = {word: label for word, label in self.triggers}
        self._korean = {w: label for w, label in self.triggers if not w.isascii()}
        self._korean_typos = by_length(self._korean, 4)  # 3-syllable triggers have too many neighbours

    def terms(self, label: str) -> tuple[str, ...]:
        return ATTRIBUTES[label][0] if label in ATTRIBUTES else (label,)

    def label_of(self, aspect: str) -> str | None:
        """The requirement a denied word names: a lexicon attribute, a flag name or a term the catalog knows."""
        word = compact(aspect)
        return self._labels.get(word) or self.vocabulary.known_terms.get(word)

    def read(self, t: QueryText, query: ParsedQuery) -> dict[tuple[int, int], tuple[int, int, SpecWord]]:
        """Claim requirements and soft negations; return negated qualities the superlative reader takes."""
        negations = [n for n in read_negations(t) if t.free(n.start, n.end)]
        self._glued_without(t, query)  # '무와이파이', '무실리콘' before the names inside them are read as wanted
        found = []
        for trigger, label in self.triggers:
            for start, end in t.find(trigger):
                ascii_ok = not trigger.isascii() or latin_word(t.text, start, end)
                if len(trigger) == 1 and not (_whole_word(t, start, end) or _said_after(t, start, end)):
                    continue  # '캡 없는', '향있는', not the 캡 of '캡슐세제'
                if t.free(start, end) and ascii_ok and t.aligned(start):
                    found.append((start, end, label))
                    t.claimed.append((start, end))
        found += typos(t, self._korean, t.words, self._korean_typos)
        # a negating word inside a name is part of the name: '안감 있는' is no '안 + 감'
        negations = [n for n in negations if not any(s <= n.marker < e for s, e, _ in found)]
        qualities: dict[tuple[int, int], tuple[int, int, SpecWord]] = {}
        for start, end, label in sorted(found):
            if (start, end) in t.claimed:  # held while matching so triggers do not overlap; claimed again below
                t.claimed.remove((start, end))
            denial = next((n for n in negations if n.aspect_start <= start and end <= n.aspect_end), None)
            denial = denial or next((n for n in negations if _supports(t, end, n)), None)
            lacking = _LACKING_AFTER_RE.match(t.text, end)
            word_end = t.word(start)[1]
            if lacking is None and word_end > end and compact(t.text[start:word_end]) in self.vocabulary.facet_keys:
                lacking = _LACKING_AFTER_RE.match(t.text, word_end)  # '방수등급 기능 없는': the key the name starts
            if start and t.text[start - 1] in "무비" and t.word(start)[0] == start - 1:
                self._require(t, query, start - 1, end, label, wanted=False)  # '무코팅', '비방수': glued denial
            elif denial is not None:
                self._require(t, query, denial.start, denial.end, label, wanted=False)
                negations.remove(denial)
            elif lacking is not None:
                self._require(t, query, start, t.word(lacking.end() - 1)[1], label, wanted=False)
            else:
                m = _HAVING_AFTER_RE.match(t.text, end)
                if m is None and len(compact(label)) == 1 and not _names_the_type_next(t, query, end):
                    continue  # a one-syllable name is a requirement when said so ('캡 있는') or as the type's
                    # modifier ('캡 물티슈'); not inside other words ('캡슐세제', '향 좋은')
                self._require(t, query, start, t.word(m.end() - 1)[1] if m else end, label, wanted=True)
        for n in negations:
            if not t.free(n.start, n.end):
                continue
            label = None if n.verb else self.label_of(n.aspect)
            lacks = self._lacked_flag(n.aspect, query.categories) if n.verb else None
            if label:
                self._require(t, query, n.start, n.end, label, wanted=False)
            elif lacks:  # '안 새는': the catalog says a product lacking 밀폐 '샘', so the shopper wants 밀폐
                self._require(t, query, n.start, n.end, lacks, wanted=True)
            elif n.verb and n.aspect in NEGATED_SPEC_WORDS:
                qualities[(n.start, n.end)] = (n.start, n.end, NEGATED_SPEC_WORDS[n.aspect])
            elif n.aspect not in query.negations:
                query.negations.append(n.aspect)
                t.claim(query, n.start, n.end, f"negation:{n.aspect}")
        return qualities

    def _lacked_flag(self, verb: str, categories: list[str]) -> str | None:
        """The flag whose lack the asked categories' values describe with `verb` ('샘' → 밀폐 for 텀블러)."""
        for category, key in self.vocabulary.lack_words.get(verb, ()):
            if any(in_category(category, c) for c in categories):
                return key
        return None

    def _glued_without(self, t: QueryText, query: ParsedQuery) -> None:
        """'무실리콘 샴푸', '무와이파이 급식기', '무방수등급': 무 glued to the start of a thing the catalog knows (a
        flag name, a lexicon attribute, a term its values mark) denies it; the longest known start of the rest wins,
        so '무방수등급' denies 방수. A one-syllable flag name only as the whole word ('무캡')."""
        for m in _GLUED_WITHOUT_RE.finditer(t.text):
            word_start, word_end = t.word(m.start())
            if word_start != m.start() or not t.free(m.start(), word_end):
                continue
            if any(compact(t.text[m.start() : c]) in self._labels for c in range(m.start() + 2, word_end + 1)):
                continue  # a word of its own ('무향', '무선'): the triggers read it
            rest = t.text[m.start() + 1 : word_end]
            for cut in range(len(rest), 0, -1):
                label = self.label_of(rest[:cut]) if cut >= 2 else None
                if cut == 1 and _PARTICLE_RE.fullmatch(rest[1:]) and rest[0] in self.vocabulary.attribute_keys:
                    label = rest[0]
                if label:
                    self._require(t, query, m.start(), m.start() + 1 + cut, label, wanted=False)
                    break

    def _require(self, t: QueryText, query: ParsedQuery, start: int, end: int, label: str, wanted: bool) -> None:
        requirement = AttributeRequirement(label, self.terms(label), wanted)
        if not any(a.label == label for a in query.attributes):
            query.attributes.append(requirement)
        t.claim(query, start, end, f"attribute:{'' if wanted else '-'}{label}")
