"""The app's configuration, built once in the entry point from command-line arguments and the environment.

Command-line arguments (after `--`) win over environment variables, which win over the defaults:

    streamlit run ui/app.py -- --index indexes/my_shop --llm-preset upstage-solar --top-k 3 --threads 1
    SHOPGUIDE_INDEX=indexes/my_shop SHOPGUIDE_LLM_PRESET=upstage-solar streamlit run ui/app.py
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.llm import PRESETS, LLMConfig, config_from_preset
from rag.ranking import RankingConfig
from rag.settings import DEFAULT_TOP_K, Settings, ranking_from_pairs

DEFAULT_INDEX = Path("indexes/demo")
# One busy process's OpenMP threads stalled the others (search p50 ~30 ms idle, over 1 s under load): a query is
# small, so one thread each and more processes or visitors in parallel use 2 cores better than 2 threads each.
DEFAULT_THREADS = 1
ENV_PREFIX = "SHOPGUIDE_"
# option name → (environment variable, help)
OPTIONS: dict[str, tuple[str, str]] = {
    "index": ("SHOPGUIDE_INDEX", f"index folder (default {DEFAULT_INDEX}; the demo index is built if missing)"),
    "top_k": ("SHOPGUIDE_TOP_K", f"products per answer, 1–5 (default {DEFAULT_TOP_K})"),
    "llm_preset": ("SHOPGUIDE_LLM_PRESET", f"OpenAI-compatible preset: {', '.join(PRESETS)}"),
    "llm_base_url": ("SHOPGUIDE_LLM_BASE_URL", "OpenAI-compatible server, e.g. http://localhost:8000/v1"),
    "llm_model": ("SHOPGUIDE_LLM_MODEL", "model name the server serves (overrides the preset's)"),
    "llm_api_key_env": ("SHOPGUIDE_LLM_API_KEY_ENV", "NAME of the environment variable holding the API key"),
    "llm_model_path": ("SHOPGUIDE_LLM_MODEL_PATH", "a local .gguf file, run in-process (xllamacpp)"),
    "ranking": ("SHOPGUIDE_RANKING", "ranking weights as name=value pairs, e.g. prior_weight=0.2,dense_weight=0.4"),
    "threads": (
        "SHOPGUIDE_THREADS",
        f"CPU threads per query for the embedder and FAISS (default {DEFAULT_THREADS}: "
        "concurrent visitors and replicas share the cores instead of stalling each other)",
    ),
}


@dataclass(frozen=True)
class AppConfig:
    index: Path = DEFAULT_INDEX
    top_k: int = DEFAULT_TOP_K
    llm: LLMConfig | None = None  # None: the grounded composer writes every answer
    ranking: RankingConfig = field(default_factory=RankingConfig)
    threads: int = DEFAULT_THREADS  # embedder and FAISS threads per query

    def __post_init__(self) -> None:
        if not 1 <= self.top_k <= 5:
            raise ValueError(f"top_k must be within 1–5, got {self.top_k}")
        if not 1 <= self.threads <= 64:
            raise ValueError(f"threads must be within 1–64, got {self.threads}")

    @property
    def settings(self) -> Settings:
        """What the app passes down to the guide (rag.settings: one configuration from here to the searcher)."""
        return Settings(top_k=self.top_k, ranking=self.ranking, llm=self.llm, embedder_threads=self.threads)

    @property
    def is_demo_path(self) -> bool:
        """The default demo location: a missing index here is built from the bundled catalog."""
        return self.index.resolve() == DEFAULT_INDEX.resolve()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # a message in the page, not a SystemExit in the script thread
        raise ValueError(f"{message}; valid options: {', '.join('--' + n.replace('_', '-') for n in OPTIONS)}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="streamlit run ui/app.py --", description="쇼핑가이드 chat app")
    for name, (env, help_text) in OPTIONS.items():
        p.add_argument("--" + name.replace("_", "-"), dest=name, default=None, help=f"{help_text} [env {env}]")
    return p


def llm_config(preset: str | None, base_url: str | None, model: str | None, api_key_env: str | None,
               model_path: str | None) -> LLMConfig | None:  # fmt: skip
    """The LLM the options describe, or None; the LLMConfig checks names the bad value and the fix."""
    if model_path and (preset or base_url):
        raise ValueError("choose one LLM: a GGUF file (model_path) or a server (preset/base_url), not both")
    if model_path:
        return LLMConfig(backend="gguf", model_path=model_path)
    if preset:
        overrides = {k: v for k, v in (("base_url", base_url), ("model", model), ("api_key_env", api_key_env)) if v}
        return config_from_preset(preset, **overrides)
    if base_url or model:
        return LLMConfig(backend="openai", base_url=base_url, model=model, api_key_env=api_key_env)
    return None


def config_from(argv: Sequence[str], environ: Mapping[str, str]) -> AppConfig:
    """Arguments first, then SHOPGUIDE_* variables, then defaults. Raises ValueError on bad input."""
    args = vars(_parser().parse_args(list(argv)))
    value = {name: args[name] if args[name] not in (None, "") else environ.get(env) or None
             for name, (env, _) in OPTIONS.items()}  # fmt: skip
    top_k = value["top_k"] or DEFAULT_TOP_K
    try:
        top_k = int(top_k)
    except ValueError:
        raise ValueError(f"top_k must be a whole number within 1–5, got {top_k!r}") from None
    llm = llm_config(
        value["llm_preset"], value["llm_base_url"], value["llm_model"], value["llm_api_key_env"],
        value["llm_model_path"],
    )  # fmt: skip
    ranking = ranking_from_pairs(value["ranking"]) if value["ranking"] else RankingConfig()
    threads = value["threads"] or DEFAULT_THREADS
    try:
        threads = int(threads)
    except ValueError:
        raise ValueError(f"threads must be a whole number within 1–64, got {threads!r}") from None
    return AppConfig(
        index=Path(value["index"] or DEFAULT_INDEX), top_k=top_k, llm=llm, ranking=ranking, threads=threads
    )
