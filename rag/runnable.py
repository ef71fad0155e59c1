"""`ShoppingGuide.as_runnable()`: the guide as a LangChain `Runnable`.

    chain = guide.as_runnable()
    chain.invoke({"question": "조용한 가습기", "sort": "rating"})        # → Answer
    for piece in chain.stream("조용한 가습기"):                           # → the text pieces the app streams
        print(piece, end="")
    guide.as_runnable(events=True).stream(...)                           # → {"type": "text" | "answer", ...}

The input is a question (`str`) or a mapping with the keys of `GuideInput` (question, history, constraints,
top_k, sort); `top_k` and `sort` may also come from `config={"configurable": {...}}`, so `with_config` can fix
them for a whole chain. Being a `Runnable`, it batches (threads), runs async (`ainvoke`, `astream`: the same work
in the executor, the searcher is thread-safe), streams inside LCEL chains and reports to callbacks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import ensure_config, run_in_executor
from pydantic import BaseModel, ConfigDict, Field

from .constraints import Constraints
from .generation.answer import Answer

if TYPE_CHECKING:
    from .guide import ShoppingGuide

_KEYS = ("question", "history", "constraints", "top_k", "sort")
_CONFIGURABLE = ("top_k", "sort")


class GuideInput(BaseModel):
    """What the runnable takes (a bare `str` is the question)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    question: str = Field(description="the shopper's question, e.g. '침실에 둘 가습기 추천'")
    history: Sequence[Any] = Field(default=(), description="earlier rag.guide.Turn objects, oldest first")
    constraints: Constraints | None = Field(default=None, description="replace what the question states")
    top_k: int | None = Field(default=None, ge=1, le=5, description="products in the answer")
    sort: str | None = Field(default=None, description="one of rag.SORT_CHOICES; replaces the question's order")


class TextEvent(BaseModel):
    type: Literal["text"] = "text"
    text: str


class AnswerEvent(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    type: Literal["answer"] = "answer"
    answer: Answer


class GuideRunnable(Runnable[str | Mapping[str, Any], Answer]):
    """invoke → `Answer`; stream → text pieces (`events=True`: `{"type": "text", "text"}` dicts, then
    `{"type": "answer", "answer": Answer}`)."""

    def __init__(self, guide: ShoppingGuide, events: bool = False, name: str = "ShoppingGuide") -> None:
        self.guide, self.events, self.name = guide, events, name

    # ---- schemas ----

    @property
    def InputType(self) -> type:
        return GuideInput

    @property
    def OutputType(self) -> type:
        return Answer

    def get_input_schema(self, config: RunnableConfig | None = None) -> type[BaseModel]:
        return GuideInput

    def get_output_schema(self, config: RunnableConfig | None = None) -> type[BaseModel]:
        return AnswerEvent if self.events else super().get_output_schema(config)

    # ---- running ----

    def _arguments(self, value: object, config: RunnableConfig | None) -> dict[str, Any]:
        if isinstance(value, GuideInput):
            value = {k: getattr(value, k) for k in _KEYS}  # not model_dump: Turn and Constraints stay objects
        if isinstance(value, str):
            value = {"question": value}
        if not isinstance(value, Mapping) or "question" not in value:
            raise TypeError(
                f'the guide runnable takes a question str or {{"question": str, ...}}, got {type(value).__name__} '
                f"{value!r:.80}"
            )
        unknown = sorted(set(value) - set(_KEYS))
        if unknown:
            raise TypeError(f"unknown input key(s) {', '.join(unknown)}; valid keys: {', '.join(_KEYS)}")
        configurable = ensure_config(config).get("configurable", {})
        args = {k: configurable[k] for k in _CONFIGURABLE if k in configurable}
        args.update({k: v for k, v in value.items() if v is not None or k not in args})
        args.setdefault("history", ())
        return args

    def _answer(self, value: object, config: RunnableConfig) -> Answer:
        args = self._arguments(value, config)
        question = args.pop("question")
        return self.guide.ask(question, args.pop("history") or (), **args)

    def invoke(self, input: object, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return self._call_with_config(self._answer, input, config, **kwargs)

    def _pieces(self, inputs: Iterator[object], config: RunnableConfig) -> Iterator[Any]:
        args = self._arguments(_joined(inputs), config)
        question = args.pop("question")
        for kind, item in self.guide.events(question, args.pop("history") or (), **args):
            if self.events:
                yield {"type": "text", "text": item} if kind == "text" else {"type": "answer", "answer": item}
            elif kind == "text":
                yield item

    def transform(self, input: Iterator[object], config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        yield from self._transform_stream_with_config(input, self._pieces, config, **kwargs)

    def stream(self, input: object, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        yield from self.transform(iter([input]), config, **kwargs)

    async def astream(self, input: object, config: RunnableConfig | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        """The sync stream, each step in the executor: the guide's work is CPU-bound and thread-safe."""
        done = object()
        pieces = self.stream(input, config, **kwargs)
        while (piece := await run_in_executor(config, next, pieces, done)) is not done:
            yield piece


def _joined(inputs: Iterator[object]) -> object:
    """An input that arrives in chunks (a question streamed by an upstream model, a dict built key by key) is
    joined before the guide reads it, as LangChain joins chunks: str + str, dicts merged."""
    final: object = None
    for chunk in inputs:
        if final is None:
            final = chunk
        elif isinstance(final, Mapping) and isinstance(chunk, Mapping):
            final = {**final, **chunk}
        else:
            try:
                final = final + chunk  # type: ignore[operator]
            except TypeError:
                final = chunk
    return final
