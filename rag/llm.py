"""LLM backends for answer generation, behind LangChain's `BaseChatModel`.

No Korean instruction model ships on PyPI, so the default guide answers without an LLM; an LLM is a configured
backend (the `llm` extra):

- `openai`: any OpenAI-compatible server through `langchain-openai`'s `ChatOpenAI(base_url=…)`: vLLM, llama.cpp's
  server, Ollama's `/v1`, hosted Korean models (named `PRESETS`).
- `gguf`: a local GGUF file run in-process by `xllamacpp` (`GGUFChatModel`).

    config = config_from_preset("upstage-solar")                       # built in an entry point
    chat = make_chat_model(config, api_key=resolve_api_key(config, os.environ))
    chat.invoke("비 오는 날 신을 등산화 추천해줘").content
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import re
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from .errors import ShoppingGuideError

logger = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("openai", "gguf")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# The prebuilt wheel uses OpenMP, whose threads spin while they wait: with 2 threads on 2 busy cores, SmolLM2 took
# 35-60 s for 16 tokens, with 1 thread 0.5 s. More threads pay only when the cores are free, or with
# OMP_WAIT_POLICY=PASSIVE set by the entry point before xllamacpp is imported (then 2 threads took 0.5 s too).
_GGUF_THREADS = 1
_NO_KEY = "not-needed"  # local servers ignore the key; a placeholder stops ChatOpenAI falling back to OPENAI_API_KEY


class LLMError(ShoppingGuideError, RuntimeError):
    """A local model that cannot be loaded, or a generation the backend refused."""


class LLMDeadlineError(LLMError, TimeoutError):
    """No complete reply within the answer's total deadline."""


MAX_REPLY_CHARS = 100_000  # a reply longer than this is cut before parsing: max_tokens bounds honest servers


@dataclass(frozen=True)
class LLMPreset:
    label: str
    base_url: str
    model: str
    api_key_env: str | None  # None: a local server that needs no key
    tools: str = ""  # agent mode (rag.agent): how this endpoint serves OpenAI tool calls


_VLLM_TOOLS = "vllm serve {model} --enable-auto-tool-choice --tool-call-parser hermes"

PRESETS: Mapping[str, LLMPreset] = MappingProxyType(
    {
        # Upstage's console documents https://api.upstage.ai/v1 (older docs: …/v1/solar); solar-pro3 is newer.
        "upstage-solar": LLMPreset(
            "Upstage Solar",
            "https://api.upstage.ai/v1",
            "solar-pro2",
            "UPSTAGE_API_KEY",
            tools="hosted: OpenAI-style tools and tool_choice on chat completions (Upstage's function-calling docs)",
        ),
        # CLOVA Studio's OpenAI-compatible URL (ncloud docs "OpenAI compatibility"); HCX-007 is the reasoning model.
        # The env var name follows langchain-naver; the government cloud uses clovastudio.stream.gov-ntruss.com.
        "hyperclova-x": LLMPreset(
            "HyperCLOVA X",
            "https://clovastudio.stream.ntruss.com/v1/openai",
            "HCX-005",
            "CLOVASTUDIO_API_KEY",
            tools="hosted: function calling on the OpenAI-compatible endpoint (HCX-005, HCX-007)",
        ),
        # vLLM serves a model under its Hugging Face id unless started with --served-model-name.
        # EXAONE 4.0's model card serves it this way (vLLM ≥ 0.10.0), with --reasoning-parser deepseek_r1 for thinking
        "exaone-vllm": LLMPreset(
            "LG EXAONE (vLLM)",
            "http://localhost:8000/v1",
            "LGAI-EXAONE/EXAONE-4.0-32B",
            None,
            tools=_VLLM_TOOLS.format(model="LGAI-EXAONE/EXAONE-4.0-32B"),
        ),
        # A.X 4.0 is built on Qwen2.5, whose chat template emits Hermes-style <tool_call> blocks
        "ax-vllm": LLMPreset(
            "SK A.X (vLLM)",
            "http://localhost:8000/v1",
            "skt/A.X-4.0-Light",
            None,
            tools=_VLLM_TOOLS.format(model="skt/A.X-4.0-Light"),
        ),
        # Ollama library tag; not verified here: `ollama list` shows what is pulled, override model= to match.
        "ollama": LLMPreset(
            "Ollama",
            "http://localhost:11434/v1",
            "exaone3.5:7.8b",
            None,
            tools="Ollama passes tools to models whose template supports them (`ollama show MODEL` lists 'tools')",
        ),
        # llama-server answers with its one loaded model whatever the request names.
        "llamacpp-server": LLMPreset(
            "llama.cpp server",
            "http://localhost:8080/v1",
            "local-gguf",
            None,
            tools="llama-server --jinja (tools need the model's jinja chat template)",
        ),
    }
)


def _masked(value: str) -> str:
    return value[:3] + "…" if len(value) > 3 else value


@dataclass(frozen=True)
class LLMConfig:
    backend: str = "openai"
    preset: str | None = None  # a name from PRESETS, for display; base_url/model/api_key_env carry the settings
    base_url: str | None = None  # openai: e.g. http://localhost:8000/v1
    model: str | None = None  # openai: the model name the server expects
    api_key_env: str | None = None  # openai: the NAME of the environment variable holding the key, never the key
    temperature: float = 0.2
    max_tokens: int = 800
    timeout: float = 30.0  # openai: seconds per read (a trickling server resets it: see `deadline`)
    deadline: float = 45.0  # seconds for a whole answer's reply, however it arrives (ShoppingGuide.llm_deadline)
    model_path: str | None = None  # gguf: a local .gguf file
    n_ctx: int = 4096  # gguf: context window, prompt plus answer
    n_threads: int = _GGUF_THREADS  # gguf: CPU threads

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"LLM backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.preset is not None and self.preset not in PRESETS:
            raise ValueError(f"unknown LLM preset {self.preset!r}; valid presets: {', '.join(PRESETS)}")
        if self.backend == "openai":
            if not self.base_url or urlsplit(self.base_url).scheme not in ("http", "https"):
                raise ValueError(f"the openai backend needs base_url=http(s)://host[:port]/v1, got {self.base_url!r}")
            if not self.model:
                raise ValueError("the openai backend needs model: the name the server serves (e.g. solar-pro2)")
        elif not self.model_path:
            raise ValueError("the gguf backend needs model_path: a local .gguf file")
        if self.api_key_env is not None and not _ENV_NAME.fullmatch(self.api_key_env):
            raise ValueError(
                f"api_key_env must name an environment variable such as UPSTAGE_API_KEY, got "
                f"{_masked(self.api_key_env)!r}; put the key itself in the environment, not in the config"
            )
        for name, ok, rule in (
            ("temperature", 0.0 <= self.temperature <= 2.0, "between 0 and 2"),
            ("max_tokens", self.max_tokens >= 1, "≥ 1"),
            ("timeout", self.timeout > 0, "> 0 seconds"),
            ("deadline", self.deadline > 0, "> 0 seconds"),
            ("n_threads", self.n_threads >= 1, "≥ 1"),
        ):
            if not ok:
                raise ValueError(f"{name} must be {rule}, got {getattr(self, name)}")
        if self.backend == "gguf" and self.max_tokens >= self.n_ctx:
            raise ValueError(
                f"max_tokens ({self.max_tokens}) must be below n_ctx ({self.n_ctx}): the prompt needs room"
            )

    def to_dict(self) -> dict:
        return asdict(self)


def config_from_preset(name: str, **overrides: Any) -> LLMConfig:
    """A config for a named OpenAI-compatible preset; keyword overrides replace any field (model=, base_url=, …)."""
    if name not in PRESETS:
        raise ValueError(f"unknown LLM preset {name!r}; valid presets: {', '.join(PRESETS)}")
    valid = {f.name for f in fields(LLMConfig)}
    unknown = sorted(set(overrides) - valid)
    if unknown:
        raise TypeError(f"unknown LLMConfig field(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
    preset = PRESETS[name]
    settings = {"base_url": preset.base_url, "model": preset.model, "api_key_env": preset.api_key_env}
    return LLMConfig(**{"backend": "openai", "preset": name, **settings, **overrides})


def resolve_api_key(config: LLMConfig, environ: Mapping[str, str]) -> str | None:
    """The key named by `config.api_key_env`, read from `environ` (the entry point passes os.environ).

    None when the backend needs no key; a clear error when it needs one that is not set.
    """
    if config.backend != "openai" or config.api_key_env is None:
        return None
    key = (environ.get(config.api_key_env) or "").strip()
    if not key:
        who = config.preset or config.base_url
        raise ValueError(f"{who} needs an API key: set the environment variable {config.api_key_env}")
    return key


def make_chat_model(config: LLMConfig, api_key: str | None = None) -> BaseChatModel:
    """The chat model `config` describes: ChatOpenAI for `openai` (fails fast: no retries), GGUFChatModel for `gguf`."""
    if config.backend == "gguf":
        return GGUFChatModel(
            model_path=str(config.model_path),
            n_ctx=config.n_ctx,
            n_threads=config.n_threads,
            temperature=config.temperature,
            max_tokens=config.max_tokens,
        )
    if config.api_key_env is not None and not api_key:
        raise ValueError(
            f"{config.preset or config.base_url} needs an API key: pass api_key=resolve_api_key(config, os.environ)"
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ImportError('the openai LLM backend needs langchain-openai: pip install -e ".[llm]"') from exc
    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        api_key=api_key or _NO_KEY,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        timeout=config.timeout,
        max_retries=0,  # a dead endpoint fails in one attempt; the caller falls back to the grounded answer
        use_responses_api=False,  # OpenAI-compatible servers speak chat completions, not always /responses
    )


def describe(config: LLMConfig | None) -> str:
    """One status line for the UI."""
    if config is None:
        return "LLM: 없음 — 근거 기반 기본 답변 (no LLM: grounded default answers)"
    if config.backend == "gguf":
        return f"LLM: 로컬 GGUF {Path(str(config.model_path)).name} (in-process, {config.n_threads} threads)"
    url = urlsplit(str(config.base_url))
    where = config.preset or (f"{url.hostname}:{url.port}" if url.port else str(url.hostname))  # no credentials
    return f"LLM: {where} ({config.model})"


_CALL_OPTIONS = frozenset(
    {"temperature", "max_tokens", "top_p", "top_k", "min_p", "seed", "repeat_penalty", "presence_penalty",
     "frequency_penalty", "cache_prompt"}
)  # fmt: skip
_END = object()


def _usage(raw: Mapping[str, Any] | None) -> UsageMetadata | None:
    if not raw:
        return None
    prompt, completion = int(raw.get("prompt_tokens", 0)), int(raw.get("completion_tokens", 0))
    return UsageMetadata(input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion)


class GGUFChatModel(BaseChatModel):
    """A local GGUF chat model run in-process by xllamacpp (llama.cpp), with the model's own chat template.

    The model is loaded once, in the constructor; one instance is thread-safe (llama.cpp's server engine queues
    requests) and is meant to be shared. Per-call options override the defaults: `invoke(msgs, max_tokens=50)`.
    """

    model_path: str
    n_ctx: int = 4096
    n_threads: int = _GGUF_THREADS
    temperature: float = 0.2
    max_tokens: int = 800

    _server: Any = PrivateAttr(default=None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._server = self._load()

    @property
    def model_name(self) -> str:
        return Path(self.model_path).stem

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def _load(self) -> Any:
        path = Path(self.model_path)
        if not path.is_file():
            raise LLMError(f"GGUF model file not found: {path}")
        with path.open("rb") as f:
            magic = f.read(4)
        if magic != b"GGUF":
            raise LLMError(f"{path} is not a GGUF file (it starts with {magic!r}, not b'GGUF')")
        try:
            import xllamacpp
        except ImportError as exc:
            raise ImportError('the gguf LLM backend needs xllamacpp: pip install -e ".[llm]"') from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.n_ctx
        params.cpuparams.n_threads = self.n_threads
        params.cpuparams_batch.n_threads = self.n_threads
        params.verbosity = 0  # llama.cpp logs to stderr; failures reach us as error dicts or exceptions instead
        # xllamacpp always opens an HTTP listener on 127.0.0.1 (an empty host list crashes it); a random key
        # locks it so other local processes cannot use the model. Our calls go in-process and need no key.
        params.api_keys = [secrets.token_urlsafe(24)]
        started = time.perf_counter()
        try:
            server = xllamacpp.Server(params)
        except RuntimeError as exc:  # xllamacpp says only "Failed to init server, please check the input params."
            raise LLMError(f"llama.cpp could not load {path} (n_ctx={self.n_ctx}): {exc}") from exc
        logger.info("loaded %s in %.1f s", path.name, time.perf_counter() - started)
        return server

    def close(self) -> None:
        """Free the model (and its listener); the instance cannot generate afterwards."""
        self._server = None

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, options: dict[str, Any]) -> dict:
        if self._server is None:
            raise LLMError(f"GGUFChatModel({self.model_name}) was closed")
        options = {k: v for k, v in options.items() if k != "stream"}  # LangChain's own streaming switch
        unknown = sorted(set(options) - _CALL_OPTIONS)
        if unknown:
            raise TypeError(f"unknown GGUF option(s) {', '.join(unknown)}; valid: {', '.join(sorted(_CALL_OPTIONS))}")
        request = {
            "messages": convert_to_openai_messages(messages),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            **options,
        }
        if stop:
            request["stop"] = list(stop)
        return request

    def _raise_for(self, reply: Mapping[str, Any]) -> None:
        if "error" in reply:
            error = reply["error"]
            message = error.get("message", error) if isinstance(error, Mapping) else error
            raise LLMError(f"{self.model_name}: {message}")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._server.handle_chat_completions(self._request(messages, stop, kwargs))
        self._raise_for(reply)
        choice = reply["choices"][0]
        finish = {"finish_reason": choice.get("finish_reason")}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            usage_metadata=_usage(reply.get("usage")),
            response_metadata={**finish, "model_name": self.model_name},
        )
        return ChatResult(
            generations=[ChatGeneration(message=message, generation_info=finish)],
            llm_output={"model_name": self.model_name, "token_usage": reply.get("usage")},
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request = {**self._request(messages, stop, kwargs), "stream": True, "stream_options": {"include_usage": True}}
        server = self._server
        pieces: queue.Queue = queue.Queue()
        cancelled = threading.Event()

        def on_piece(piece: dict) -> bool:
            pieces.put(piece)
            return cancelled.is_set()  # True tells llama.cpp to stop: the consumer has gone

        def generate() -> None:  # llama.cpp releases the GIL, so tokens arrive here while they are decoded
            try:
                server.handle_chat_completions(request, on_piece)
            except Exception as exc:  # re-raised in the consumer's thread
                pieces.put(exc)
            finally:
                pieces.put(_END)

        worker = threading.Thread(target=generate, name="gguf-stream", daemon=True)
        worker.start()
        finish_reason, usage = None, None
        try:
            while (piece := pieces.get()) is not _END:
                if isinstance(piece, Exception):
                    raise LLMError(f"{self.model_name}: {piece}") from piece
                self._raise_for(piece)
                usage = piece.get("usage") or usage  # the last piece: choices empty, usage filled
                for choice in piece.get("choices") or []:
                    finish_reason = choice.get("finish_reason") or finish_reason
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                        if run_manager:
                            run_manager.on_llm_new_token(text, chunk=chunk)
                        yield chunk
            finish = {"finish_reason": finish_reason}
            last = AIMessageChunk(
                content="",
                usage_metadata=_usage(usage),
                response_metadata={**finish, "model_name": self.model_name},
                chunk_position="last",
            )
            yield ChatGenerationChunk(message=last, generation_info=finish)
        finally:
            cancelled.set()
            worker.join()


def reply_within(chat_model: BaseChatModel, messages: Any, deadline: float) -> str:
    """The model's whole reply text, or `LLMDeadlineError` once `deadline` seconds have passed in total.

    A client's timeout bounds each read: a server that sends a byte every few seconds never trips it (one held
    an answer for 98 s under timeout=30). Here the reply streams in a worker thread and the caller waits at most
    `deadline` seconds for all of it. An abandoned stream is closed at its next chunk (llama.cpp stops decoding,
    an HTTP stream is closed); a server that sends no chunk at all is left to the client's per-read timeout, in
    that daemon thread, while the shopper already has the grounded answer.
    """
    if deadline <= 0:
        raise ValueError(f"deadline must be > 0 seconds, got {deadline}")
    done, cancelled = threading.Event(), threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        parts: list[str] = []
        size = 0
        try:
            with contextlib.closing(iter(chat_model.stream(messages))) as chunks:
                for chunk in chunks:
                    if cancelled.is_set():
                        break
                    text = chunk.content if isinstance(chunk.content, str) else str(chunk.content)
                    parts.append(text)
                    size += len(text)
                    if size > MAX_REPLY_CHARS:
                        break  # endless output: what came so far is all that will be parsed anyway
            box["text"] = "".join(parts)[:MAX_REPLY_CHARS]
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="llm-reply", daemon=True).start()
    if not done.wait(deadline):
        cancelled.set()
        raise LLMDeadlineError(f"no complete reply within {deadline:g} s (a deadline for the whole answer)")
    if "error" in box:
        raise box["error"]
    return box["text"]


def json_object_with(text: str, key: str) -> dict | None:
    """The first JSON object in `text` that has `key`, wherever it sits: after prose that itself holds braces
    ("예시 {상품} 입니다 {"products": [...]}"), inside a ```json fence, or alone. None when there is none."""
    decoder = json.JSONDecoder()
    text = text[:MAX_REPLY_CHARS]
    start, tries = text.find("{"), 0
    while start != -1 and tries < 200:  # a bound on the work a hostile reply full of braces can cause
        tries += 1
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict) and key in value:
            return value
        start = text.find("{", end)  # a whole object without the key: look after it
    return None
