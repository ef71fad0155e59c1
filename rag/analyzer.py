"""Korean morpheme analysis shared by ingest and query time.

One `KoreanAnalyzer` wraps one `kiwipiepy.Kiwi` (≈1.5 s to load): build it once per process and pass it
around. Its settings are recorded in the index manifest, and an index is always queried with the exact
settings it was built with.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

logger = logging.getLogger(__name__)

# Content morphemes kept for BM25: nouns, numerals, verb/adjective stems, roots, foreign words, numbers, hanja.
DEFAULT_KEEP_TAGS: tuple[str, ...] = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH")
# Morphemes that may be glued into a compound when they touch (재+구매 → 재구매, 노이즈+캔+슬링 → 노이즈캔슬링).
_COMPOUNDABLE = frozenset({"NNG", "NNP", "XPN", "XR", "SL", "SN", "NR"})
TYPO_CHOICES: tuple[str | None, ...] = (None, "basic", "continual", "basic_with_continual")


@dataclass(frozen=True)
class AnalyzerConfig:
    """Settings of the BM25 analyzer; stored in the manifest, so they must be JSON-serialisable.

    compounds: "parts" keeps only kiwi's pieces, "both" also adds the glued compound of touching noun pieces,
    "compound" keeps only the glued form. typos: kiwi's typo correction preset, or None.
    The defaults are the ones the NSMC ablation supported (see README, "Korean analysis").
    """

    keep_tags: tuple[str, ...] = DEFAULT_KEEP_TAGS
    compounds: str = "both"
    typos: str | None = None
    lowercase: bool = True
    min_length: int = 1
    extra_tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.compounds not in ("parts", "both", "compound"):
            raise ValueError(f"compounds must be one of 'parts', 'both', 'compound', got {self.compounds!r}")
        if self.typos not in TYPO_CHOICES:
            raise ValueError(f"typos must be one of {TYPO_CHOICES}, got {self.typos!r}")
        if self.min_length < 1:
            raise ValueError(f"min_length must be ≥ 1, got {self.min_length}")

    def to_dict(self) -> dict:
        data = asdict(self)
        data["keep_tags"] = list(self.keep_tags)
        data["extra_tags"] = list(self.extra_tags)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> AnalyzerConfig:
        data = dict(data)
        data["keep_tags"] = tuple(data.get("keep_tags", DEFAULT_KEEP_TAGS))
        data["extra_tags"] = tuple(data.get("extra_tags", ()))
        return cls(**data)


def kiwi_version() -> str:
    import kiwipiepy

    return kiwipiepy.__version__


class KoreanAnalyzer:
    """Turns Korean text into BM25 terms: content morphemes without particles and endings.

    >>> analyzer = KoreanAnalyzer()
    >>> analyzer.terms("노이즈캔슬링이 좋아요")  # doctest: +SKIP
    ['노이즈', '캔', '슬링', '노이즈캔슬링', '좋']
    """

    def __init__(self, config: AnalyzerConfig | None = None, kiwi=None) -> None:
        self.config = config or AnalyzerConfig()
        if kiwi is None:
            from kiwipiepy import Kiwi

            kiwi = Kiwi()
        self._kiwi = kiwi
        # Kiwi builds part of its model lazily on the first analysis (~1.7 s on 2 cores): pay it here, at load
        # time, rather than inside the first request or the ingest's analyze stage (free when already warm)
        kiwi.tokenize("준비")
        base = frozenset(self.config.keep_tags) | frozenset(self.config.extra_tags)
        # irregular verb/adjective stems come tagged VV-I, VA-R …: they count as their base tag
        self._keep_tags = base | {f"{t}-{s}" for t in base & {"VV", "VA"} for s in ("I", "R")}

    @property
    def kiwi(self):
        """The underlying `kiwipiepy.Kiwi`, for callers that need sentences or raw morphemes."""
        return self._kiwi

    def settings(self) -> dict:
        """What the manifest records: the config plus the kiwipiepy version that produced the terms."""
        return {"config": self.config.to_dict(), "kiwipiepy": kiwi_version()}

    def _tokenize(self, texts: Iterable[str]) -> Iterator[list]:
        kwargs = {"typos": self.config.typos} if self.config.typos else {}
        return iter(self._kiwi.tokenize(texts, **kwargs))

    def tokens(self, text: str) -> list:
        """Kiwi's raw tokens (form, tag, start, len) for one text."""
        return next(self._tokenize([text or " "]))

    def terms(self, text: str) -> list[str]:
        """BM25 terms of one text."""
        return self.terms_from_tokens(self.tokens(text))

    def terms_batch(self, texts: Iterable[str]) -> Iterator[list[str]]:
        """BM25 terms of many texts, in order. One streaming call into kiwi's batch API keeps its worker pool
        busy end to end (chunking the input left a worker idle at every chunk's tail: ~30 % slower)."""
        for tokens in self._tokenize(text or " " for text in texts):
            yield self.terms_from_tokens(tokens)

    def terms_from_tokens(self, tokens: Sequence) -> list[str]:
        """The pure part: kiwi tokens → terms under this analyzer's config (a hot loop: kept flat on purpose)."""
        keep, glue, only_glued = self._keep_tags, self.config.compounds != "parts", self.config.compounds == "compound"
        out: list[str] = []
        run: list[tuple[str, bool]] = []  # touching compoundable pieces: (form, kept on its own)
        prev_end = -1
        for tok in tokens:
            tag, start = tok.tag, tok.start
            if tag in _COMPOUNDABLE:
                if run and start != prev_end:
                    self._flush(run, out, glue, only_glued)
                run.append((tok.form, tag in keep))
            elif run:
                self._flush(run, out, glue, only_glued)
            prev_end = start + tok.len
            if tag in keep:
                out.append(tok.form)
        if run:
            self._flush(run, out, glue, only_glued)
        if self.config.lowercase:
            out = [t.lower() for t in out]
        if self.config.min_length > 1:
            out = [t for t in out if len(t) >= self.config.min_length]
        return out

    @staticmethod
    def _flush(run: list[tuple[str, bool]], out: list[str], glue: bool, only_glued: bool) -> None:
        if len(run) > 1 and glue:
            if only_glued:  # the glued form replaces the pieces that were kept
                del out[len(out) - sum(1 for _, kept in run if kept) :]
            out.append("".join(form for form, _ in run))
        run.clear()

    def sentence_terms_batch(self, texts: Sequence[str]) -> list[list[tuple[str, list[str]]]]:
        """Per text, its sentences (kiwi's split) each with its BM25 terms: one call into kiwi for all texts."""
        kwargs = {"typos": self.config.typos} if self.config.typos else {}
        found = self._kiwi.split_into_sents(
            [t or " " for t in texts], return_tokens=True, return_sub_sents=False, **kwargs
        )
        out = []
        for text, sentences in zip(texts, found, strict=True):
            pairs = [(s.text, self.terms_from_tokens(s.tokens)) for s in sentences]
            out.append(pairs or [(text, [])])
        return out
