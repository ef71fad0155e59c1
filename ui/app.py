"""쇼핑가이드 chat app: `streamlit run ui/app.py [-- OPTIONS]`. Thin: every answer comes from rag.ShoppingGuide.

Configuration (command-line arguments after `--` win over environment variables; no LLM by default):

  --index DIR             SHOPGUIDE_INDEX            index folder; default indexes/demo, built from the
                                                     synthetic demo catalog on first run if missing
  --top-k N               SHOPGUIDE_TOP_K            products per answer, 1–5 (default 3)
  --llm-preset NAME       SHOPGUIDE_LLM_PRESET       an OpenAI-compatible preset from rag.llm.PRESETS: upstage-solar,
                                                     hyperclova-x, exaone-vllm, ax-vllm, ollama, llamacpp-server
  --llm-base-url URL      SHOPGUIDE_LLM_BASE_URL     any OpenAI-compatible server, e.g. http://localhost:8000/v1
  --llm-model NAME        SHOPGUIDE_LLM_MODEL        the served model name (overrides the preset's)
  --llm-api-key-env VAR   SHOPGUIDE_LLM_API_KEY_ENV  the NAME of the variable holding the key (presets know
                                                     theirs: UPSTAGE_API_KEY, CLOVASTUDIO_API_KEY)
  --llm-model-path FILE   SHOPGUIDE_LLM_MODEL_PATH   a local .gguf file, run in-process by xllamacpp

Without an LLM the grounded composer writes every answer (fast, deterministic, offline). API keys are read from
the environment here, in the entry point, and passed down; rag/ never reads the environment.

    streamlit run ui/app.py                                    # demo catalog, grounded answers
    streamlit run ui/app.py -- --index indexes/my_shop --top-k 5
    UPSTAGE_API_KEY=... streamlit run ui/app.py -- --llm-preset upstage-solar
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `streamlit run ui/app.py` puts ui/ on sys.path, not the repository
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from rag.constraints import Constraints  # noqa: E402
from rag.errors import IndexOpenError, ShoppingGuideError  # noqa: E402
from rag.generation.answer import Answer  # noqa: E402
from rag.guide import RELEVANCE, ShoppingGuide, Turn  # noqa: E402
from rag.llm import describe, resolve_api_key  # noqa: E402
from rag.text_safety import QUESTION_CHARS  # noqa: E402
from ui import state  # noqa: E402
from ui.cards import render_answer  # noqa: E402
from ui.config import AppConfig, config_from  # noqa: E402
from ui.controls import constraint_form  # noqa: E402
from ui.guide_panel import render_clarify  # noqa: E402
from ui.loader import IndexInfo, build_demo_index, guide_with_llm, index_exists, index_info, open_guide  # noqa: E402
from ui.text import md, md_block  # noqa: E402

logger = logging.getLogger("ui.app")

MAX_QUESTION_CHARS = QUESTION_CHARS  # the library's own bound; longer input is cut here and the shopper is told
MAX_INPUT_CHARS = 5000  # the chat box itself refuses more
NO_LLM = "근거 기반 기본 답변 (LLM 없음)"
EXAMPLES = (  # shown as buttons on the demo catalog
    "자취방에서 쓸 조용한 가습기 5만원 이하",
    "비 오는 날 산행용 가벼운 등산화 10만원 이하",
    "노캔 이어폰 추천해줘",
)


def _argv() -> list[str]:
    """Arguments after `--` under `streamlit run`; none under pytest's AppTest (its argv is pytest's)."""
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    return sys.argv[1:] if script == Path(__file__).resolve() else []


def load_config() -> AppConfig:
    try:
        return config_from(_argv(), os.environ)
    except ValueError as exc:
        st.error(f"설정이 잘못됐어요: {md(exc)}")
        st.stop()


def load_guide(config: AppConfig) -> tuple[ShoppingGuide, str | None]:
    """The shared guide (built on first use) and, when a configured LLM is unusable, why."""
    if not index_exists(config.index) and config.is_demo_path:
        try:
            build_demo_index(config.index)
        except (ShoppingGuideError, OSError, ValueError) as exc:  # the previous index, if any, is untouched
            logger.exception("could not build the demo index")
            st.error(f"데모 인덱스를 만들지 못했어요: {md(exc)}", icon=":material/error:")
            st.stop()
    index = str(config.index.resolve())  # the cache key: an updated index (a new symlink target) is reopened
    try:
        guide = open_guide(index, config.settings)
    except Exception as exc:  # never a traceback page: the visitor reads what to do, the log keeps the details
        if isinstance(exc, IndexOpenError):  # our own message: what is wrong and what to run
            logger.warning("cannot open the index %s: %s", index, exc)
            st.error(f"인덱스를 열 수 없어요.\n\n{md(exc)}", icon=":material/error:")
        else:
            logger.exception("opening the index %s failed", index)
            st.error(
                f"인덱스를 열 수 없어요: 인덱스 폴더가 손상됐거나 이 버전과 맞지 않아요 ({type(exc).__name__}). "
                "자세한 내용은 서버 로그에 남겼어요. 인덱스를 다시 만들어 주세요.",
                icon=":material/error:",
            )
        st.markdown("데모 카탈로그로 만들거나, 내 데이터로 만든 뒤 다시 여세요:")
        where = config.index
        st.code(f"python -m ingest --demo --index {where}\npython -m ingest my_shop/ --index {where}", "bash")
        st.stop()
    if config.llm is None:
        return guide, None
    try:
        return guide_with_llm(index, config.settings, resolve_api_key(config.llm, os.environ)), None
    except (ValueError, ImportError, ShoppingGuideError) as exc:  # no key, no package, a bad model file
        logger.warning("LLM unavailable: %s", exc)
        return guide, str(exc)


def sidebar_status(box, info: IndexInfo) -> None:
    with box:
        st.markdown("### 쇼핑가이드")
        if info.synthetic:
            st.warning(
                "**합성 데모 카탈로그**예요. 상품·브랜드·가격·리뷰는 모두 이 프로젝트가 만든 가상 데이터이고, "
                "실제 상품이 아니에요.",
                icon=":material/science:",
            )


def sidebar_footer(box, config: AppConfig, info: IndexInfo, llm_error: str | None, last: Answer | None) -> None:
    with box:
        st.divider()
        st.markdown("**답변 생성기**")
        if config.llm is None:
            st.caption(f"{NO_LLM} — 리뷰 문장과 카탈로그 숫자로만 답해요.")
        else:
            st.caption(md(describe(config.llm)))
            if llm_error:
                st.error(f"LLM을 쓸 수 없어 {NO_LLM}으로 답해요: {md(llm_error)}")
            elif last is not None and last.notice and last.generator == "grounded":
                st.caption(":orange[마지막 답변: LLM 응답이 없어 기본 답변으로 대신했어요]")
            elif last is not None:
                st.caption(":green[마지막 답변: LLM 사용]")
        st.markdown("**인덱스**")
        st.caption(
            f"상품 {info.products:,}개 · 리뷰 {info.reviews:,}개 · 행동 이벤트 {info.events:,}건  \n"
            f"만든 시각 {md(info.created_at)} (UTC)  \n임베더 {md(info.embedder)}  \n경로 {md(info.path)}"
        )
        if state.turns():
            st.button("대화 지우기", on_click=state.clear, icon=":material/delete:")


@dataclass(frozen=True)
class Request:
    question: str  # what the guide is asked
    shown: str  # what the conversation shows as the shopper's words
    constraints: Constraints | None = None  # edited conditions, which replace what the question states
    replace: bool = False  # re-answer the last turn instead of adding one
    note: str = ""
    sort: str | None = None  # the order chosen in the controls (None: the question's own)


EMPTY_QUESTION = "질문이 비어 있어요. 찾는 상품을 적어 주세요. 예: " + EXAMPLES[0]


def next_request(typed: str | None) -> Request | str | None:
    """What to answer on this run: the edited conditions, a clicked button, or the typed question.

    A string is a problem with the input, to be shown instead.
    """
    edit = state.take("edit")
    last = state.last_answer()
    if edit is not None and last is not None:
        labels = edit.constraints.labels()
        note = "조건을 바꿔 다시 찾았어요: " + (" · ".join(labels) or "조건 없음")
        sort = edit.sort or RELEVANCE  # the control's 관련도순 is a choice too: it clears the question's order
        return Request(last.question, state.turns()[-1].question, edit.constraints, True, note, sort)
    text = state.take("pending") or typed
    if text is None:
        return None
    if not text.strip():
        return EMPTY_QUESTION
    text = " ".join(text.split())
    note = ""
    if len(text) > MAX_QUESTION_CHARS:
        text, note = text[:MAX_QUESTION_CHARS], f"질문이 길어서 앞 {MAX_QUESTION_CHARS}자만 사용했어요."
    return Request(text, text, note=note)


def stream_answer(
    guide: ShoppingGuide,
    question: str,
    history: list[Turn],
    constraints: Constraints | None,
    sort: str | None = None,
):
    """Stream the answer's text as the guide produces it, then hand back the Answer (None after an error)."""
    slot, box = st.empty(), {}

    def pieces():
        for kind, value in guide.events(question, history, constraints, sort=sort):
            if kind == "text":
                yield md_block(value) + "\n\n"
            else:
                box["answer"] = value

    try:
        with slot.container():
            st.write_stream(pieces())
    except Exception as exc:  # the shopper sees a message, the log keeps the traceback
        logger.exception("answering %r failed", question)
        slot.empty()
        st.error(f"답변을 만드는 중 문제가 생겼어요 ({type(exc).__name__}). 잠시 후 다시 물어봐 주세요.")
        return None
    slot.empty()  # the structured cards below replace the streamed text
    return box.get("answer")


def follow_ups(answer: Answer, version: int) -> None:
    """The guide's suggested next questions, as buttons that ask them."""
    if not answer.follow_ups or not answer.found:  # then it suggests an action (the composer), not a question
        return
    st.caption("이어서 물어보세요")
    with st.container(horizontal=True):
        for i, text in enumerate(answer.follow_ups):
            st.button(text, key=f"follow{version}_{i}", on_click=state.ask_later, args=(text,), icon=":material/chat:")


def show_question(text: str, note: str) -> None:
    with st.chat_message("user"):
        st.markdown(md(text))
        if note:
            st.caption(md(note))


def welcome(info: IndexInfo) -> None:
    with st.chat_message("assistant"):
        st.markdown(
            "안녕하세요! 찾는 상품을 편하게 물어보세요. 예산, 쓰임새, 원하는 점을 같이 적으면 더 잘 골라 드려요. "
            "추천마다 근거가 된 리뷰 문장과 별점 분포를 함께 보여드려요."
        )
        if info.synthetic:
            with st.container(horizontal=True):
                for i, text in enumerate(EXAMPLES):
                    st.button(text, key=f"example{i}", on_click=state.ask_later, args=(text,))


def main() -> None:
    st.set_page_config(page_title="쇼핑가이드", page_icon=":material/shopping_bag:", layout="wide")
    state.init()
    top, controls, bottom = st.sidebar.container(), st.sidebar.container(), st.sidebar.container()
    config = load_config()
    guide, llm_error = load_guide(config)
    info = index_info(guide, str(config.index.resolve()), str(config.index))
    sidebar_status(top, info)
    st.title("쇼핑가이드", anchor=False)
    st.caption("리뷰·평점·구매 데이터를 근거로 상품을 골라 드려요. 모든 추천에는 근거가 된 리뷰 문장이 붙어 있어요.")

    typed = st.chat_input("예: 비 오는 날 신을 가벼운 등산화 10만원 이하", max_chars=MAX_INPUT_CHARS)
    request = next_request(typed)
    problem, request = (request, None) if isinstance(request, str) else (None, request)
    shown = state.turns()[:-1] if request and request.replace else state.turns()
    if not state.turns() and not request and not problem:
        welcome(info)
    for i, turn in enumerate(shown):
        show_question(turn.question, st.session_state.notes[i])
        with st.chat_message("assistant"), st.container(key=f"answer-{i}"):
            render_answer(turn.answer)
            last_turn = i == len(state.turns()) - 1
            render_clarify(turn.answer, st.session_state.version if last_turn else None)
            if last_turn:
                follow_ups(turn.answer, st.session_state.version)

    if problem:
        st.warning(md(problem), icon=":material/edit:")
    if request:
        show_question(request.shown, request.note)
        history = state.turns()[:-1] if request.replace else state.turns()
        with st.chat_message("assistant"):
            answer = stream_answer(guide, request.question, list(history), request.constraints, request.sort)
            if answer is not None:
                if request.replace:
                    state.replace_last(answer, request.note)
                else:
                    state.add_turn(request.shown, answer, request.note)
                with st.container(key=f"answer-{len(state.turns()) - 1}"):  # a marker browser tests wait for
                    render_answer(answer)
                    render_clarify(answer, st.session_state.version)
                    follow_ups(answer, st.session_state.version)

    last = state.last_answer()
    with controls:
        if last is not None:
            st.markdown("**검색 조건** — 고치고 '다시 찾기'를 누르면 마지막 질문을 이 조건으로 다시 찾아요")
            constraint_form(last, info, st.session_state.version)
    sidebar_footer(bottom, config, info, llm_error, last)


main()
