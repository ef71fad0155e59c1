"""One configuration from the entry points down: `Settings`.

Each entry point (`python -m ingest`, the app's `ui/config.py`, `python -m eval`) builds one `Settings` from its
flags and passes it down; the library never reads the environment. What an index records (analyzer, embedder,
dense coverage, statistics) is read back with `Settings.recorded(folder)`, and `check_update` refuses flags that
contradict it, so `--update` never silently rebuilds half an index under other settings.

    settings = Settings(top_k=3, ranking=RankingConfig(prior_weight=0.2), embedder_threads=1)
    guide = ShoppingGuide.from_index("indexes/demo", settings=settings)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .analyzer import AnalyzerConfig
from .embedders import EmbedderConfig
from .errors import IndexOpenError
from .index.coverage import DenseCoverage
from .index.manifest import read_manifest
from .llm import LLMConfig
from .ranking import RankingConfig
from .stats import StatsConfig

DEFAULT_TOP_K = 3  # the one default: the guide, the app and eval read it from here
RECORDED = ("analyzer", "embedder", "coverage", "stats")  # what an index's manifest records and --update keeps


@dataclass(frozen=True)
class Settings:
    # answering (not recorded in an index: a deployer may change them on every start)
    top_k: int = DEFAULT_TOP_K
    ranking: RankingConfig = field(default_factory=RankingConfig)
    llm: LLMConfig | None = None  # None: the grounded composer writes every answer
    embedder_threads: int | None = None  # the query embedder's threads, in every calling thread (None: all cores)
    # building (recorded in the manifest)
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    coverage: DenseCoverage = field(default_factory=DenseCoverage)
    stats: StatsConfig = field(default_factory=StatsConfig)

    def __post_init__(self) -> None:
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or not 1 <= self.top_k <= 5:
            raise ValueError(f"top_k must be a whole number within 1–5, got {self.top_k!r}")
        if self.embedder_threads is not None and self.embedder_threads < 1:
            raise ValueError(f"embedder_threads must be ≥ 1 (or None for all cores), got {self.embedder_threads}")
        for name, kind in (("ranking", RankingConfig), ("analyzer", AnalyzerConfig), ("embedder", EmbedderConfig),
                           ("coverage", DenseCoverage), ("stats", StatsConfig)):  # fmt: skip
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"Settings.{name} must be a {kind.__name__}, got {type(getattr(self, name)).__name__}")

    @property
    def embedder_config(self) -> EmbedderConfig:
        """The embedder to build, with the query-time threads."""
        if self.embedder_threads is None:
            return self.embedder
        return replace(self.embedder, num_threads=self.embedder_threads)

    @classmethod
    def recorded(cls, folder: str | Path, **answering: Any) -> Settings:
        """The settings the index at `folder` was built with (answering ones from `answering` or defaults)."""
        manifest = read_manifest(Path(folder))
        try:
            analyzer = dict(manifest.analyzer.get("config") or {})
            if "keep_tags" in analyzer:
                analyzer["keep_tags"] = tuple(analyzer["keep_tags"])
            embedder = dict(manifest.embedder.get("config") or {})
            return cls(
                analyzer=AnalyzerConfig(**analyzer),
                embedder=EmbedderConfig(**{**embedder, "num_threads": None}),  # threads are no build setting
                coverage=DenseCoverage(**manifest.coverage),
                stats=StatsConfig(**manifest.stats),
                **answering,
            )
        except (TypeError, ValueError) as exc:
            raise IndexOpenError(
                f"{folder}'s manifest records settings this version cannot read ({exc}); rebuild the index "
                "without --update: python -m ingest SOURCE... --index " + str(folder)
            ) from None

    def recorded_dict(self) -> dict[str, dict]:
        return {name: asdict(getattr(self, name)) for name in RECORDED}


def setting(settings: Settings, path: str) -> Any:
    """`setting(s, "coverage.budget")`: a value by its dotted path."""
    value: Any = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value


def with_values(settings: Settings, values: Mapping[str, Any]) -> Settings:
    """A copy with dotted-path values replaced: {"coverage.budget": 500, "top_k": 2}."""
    groups: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for path, value in values.items():
        head, _, rest = path.partition(".")
        if head not in {f.name for f in fields(Settings)}:
            raise ValueError(f"unknown setting {path!r}; valid groups: {', '.join(f.name for f in fields(Settings))}")
        if rest:
            groups.setdefault(head, {})[rest] = value
        else:
            top[head] = value
    for head, changes in groups.items():
        top[head] = replace(getattr(settings, head), **changes)
    return replace(settings, **top)


def check_update(recorded: Settings, given: Mapping[str, tuple[str, Any]]) -> None:
    """Refuse flags that contradict what an index records. `given`: flag → (dotted path, value) for the flags the
    user actually gave; a flag equal to the recorded value is fine."""
    clashes = []
    for flag, (path, value) in given.items():
        have = setting(recorded, path)
        if value != have:
            clashes.append(f"{flag} {value} (the index was built with {have})")
    if clashes:
        raise ValueError(
            "--update keeps the settings the index was built with, and these flags contradict them: "
            + "; ".join(clashes)
            + ". Drop them to update, or rebuild the index without --update to change them"
        )


def ranking_from_pairs(text: str) -> RankingConfig:
    """'prior_weight=0.2,dense_weight=0.4' (a flag's value) → RankingConfig; names and values are checked."""
    numbers = {f.name: f.type for f in fields(RankingConfig) if f.name != "prior_features"}
    values: dict[str, float | int] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        name, sep, raw = (s.strip() for s in pair.partition("="))
        if not sep or name not in numbers:
            raise ValueError(f"ranking setting {pair!r}: write name=value with a name from {', '.join(numbers)}")
        try:
            values[name] = int(raw) if numbers[name] in (int, "int") else float(raw)
        except ValueError:
            raise ValueError(f"ranking setting {name} needs a number, got {raw!r}") from None
    return RankingConfig(**values)
