"""The chat app's flows with Streamlit's AppTest, against the small fixture shop and the fast grounded composer."""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.readers import discover
from ingest.validate import validate
from rag.index.build import build_index
from ui import loader
from ui.config import DEFAULT_INDEX, AppConfig, config_from
from ui.text import JOINER, md, md_block, stars

from .conftest import SHOP

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
TIMEOUT = 120  # the first run in a process opens the index and loads the embedder
ENV = ("INDEX", "TOP_K", "LLM_PRESET", "LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY_ENV", "LLM_MODEL_PATH")
EVIL_NAME = "**굵게** <script>alert(1)</script> [링크](http://x.example) 가습기 :red[빨강] $x^2$"
EVIL_REVIEW = "소음 없이 조용해요 <img src=x onerror=alert(1)> **진짜** [여기](http://x.example) ~~취소~~ # 제목"


def _clean_env(monkeypatch, **values: str) -> None:
    for name in ENV:
        monkeypatch.delenv("SHOPGUIDE_" + name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv("SHOPGUIDE_" + name.upper(), value)


def start(monkeypatch, index: Path | None, **env: str) -> AppTest:
    _clean_env(monkeypatch, **({"index": str(index)} if index else {}), **env)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(text: str) -> str:
    """What an escaped Markdown line reads as on screen (backslashes resolved, invisible joiners dropped)."""
    return re.sub(r"\\(.)", r"\1", text).replace(JOINER, "")


def texts(node) -> str:
    parts = [m.value for kind in ("markdown", "caption", "info", "warning", "error") for m in getattr(node, kind)]
    return plain("\n".join(parts))


def answers(at: AppTest) -> list:
    return [m for m in at.chat_message if m.name == "assistant"]


@pytest.fixture
def app(shop_index_path, monkeypatch) -> AppTest:
    return start(monkeypatch, shop_index_path)


# ---- configuration and text helpers ----


def test_config_arguments_win_over_environment_and_bad_values_are_named():
    env = {"SHOPGUIDE_INDEX": "indexes/x", "SHOPGUIDE_TOP_K": "2", "SHOPGUIDE_LLM_PRESET": "ollama"}
    config = config_from(["--index", "indexes/y"], env)
    assert config.index == Path("indexes/y") and config.top_k == 2
    assert config.llm.preset == "ollama" and config.llm.base_url == "http://localhost:11434/v1"
    assert config_from([], {}) == AppConfig() and AppConfig().index == DEFAULT_INDEX and AppConfig().llm is None
    gguf = config_from(["--llm-model-path", "m.gguf"], {})
    assert gguf.llm.backend == "gguf" and gguf.llm.model_path == "m.gguf"
    with pytest.raises(ValueError, match="top_k must be within 1–5, got 9"):
        config_from(["--top-k", "9"], {})
    with pytest.raises(ValueError, match="whole number"):
        config_from([], {"SHOPGUIDE_TOP_K": "many"})
    with pytest.raises(ValueError, match="valid presets"):
        config_from(["--llm-preset", "nope"], {})
    with pytest.raises(ValueError, match="not both"):
        config_from(["--llm-preset", "ollama", "--llm-model-path", "m.gguf"], {})
    with pytest.raises(ValueError, match="valid options: --index"):
        config_from(["--indx", "x"], {})


def test_markdown_escaping_leaves_nothing_to_interpret():
    assert md("**굵게** <b>") == r"\*\*굵게\*\* \<b\>"
    assert md("[링크](http://x)") == "\\[링크\\]\\(http" + JOINER + "\\:\\/\\/x\\)"
    assert md("www.x.com a@b.kr") == "www" + JOINER + "\\.x\\.com a\\@" + JOINER + "b\\.kr"  # no autolinks
    assert md(":red[빨강] $x$ ~~취소~~") == r"\:red\[빨강\] \$x\$ \~\~취소\~\~"
    assert md("첫 줄\n    둘째 줄") == "첫 줄 둘째 줄"  # no line breaks, no indented code blocks
    assert md_block("1. 첫째\n- 둘째\n\n# 셋째") == "1\\. 첫째  \n\\- 둘째\n\n\\# 셋째"
    assert plain(md(EVIL_NAME)) == EVIL_NAME
    assert stars(4.3, 5) == "★★★★☆" and stars(8, 10) == "★★★★☆" and stars(None, 5) == "☆☆☆☆☆"


# ---- the main flows ----


def test_a_question_gets_streamed_product_cards_with_their_evidence(app):
    assert not app.error and texts(app.sidebar).count("합성 데모 카탈로그") == 0  # the fixture shop is not the demo
    assert "근거 기반 기본 답변 (LLM 없음)" in texts(app.sidebar) and "상품 5개 · 리뷰 12개" in texts(app.sidebar)
    ask(app, "자취방에서 쓸 조용한 가습기")
    [answer] = answers(app)
    shown = texts(answer)
    assert "미니웨이브 초음파 가습기 3L" in shown and "스팀하우스 가열식 가습기 5L" in shown
    assert "29,900원" in shown and "89,000원" in shown and ":orange[★★★★★] **4.7**/5 · 리뷰 3개" in shown
    assert "이해한 조건" in shown and "가습기" in shown
    # every card: an evidence expander with exact review quotes, and a rating-distribution chart
    assert [e.label for e in answer.expander] == ["리뷰 근거 3개 보기", "리뷰 근거 2개 보기"]
    quotes = texts(answer.expander[0])
    assert "소음이 거의 없어서 자취방에서 틀고 자요" in quotes and "★ 5/5" in quotes and "색상: 화이트" in quotes
    assert len(answer.get("vega_lite_chart")) == 2
    [turn] = app.session_state["turns"]
    assert turn.question == "자취방에서 쓸 조용한 가습기" and len(turn.answer.recommendations) == 2
    assert [b.label for b in app.button if b.key and b.key.startswith("follow")] == turn.answer.follow_ups


def test_a_follow_up_uses_the_conversation(app):
    ask(app, "5만원 넘는 가습기")
    assert "스팀하우스" in texts(answers(app)[0]) and "미니웨이브" not in texts(answers(app)[0])
    ask(app, "더 싼 건 없어?")
    first, second = answers(app)
    assert "앞서 추천한 상품보다 싼 88,999원 이하로" in texts(second) and "미니웨이브 초음파 가습기 3L" in texts(second)
    turns = app.session_state["turns"]
    assert [t.question for t in turns] == ["5만원 넘는 가습기", "더 싼 건 없어?"]
    assert turns[1].answer.constraints.price_max == 88_999 and "스팀하우스" in texts(first)


def test_a_suggested_follow_up_is_asked_by_clicking_it(app):
    ask(app, "5만원 넘는 가습기")
    button = next(b for b in app.button if b.key == "follow1_0")
    button.click().run()
    assert not app.exception
    assert [t.question for t in app.session_state["turns"]] == ["5만원 넘는 가습기", button.label]


def test_no_result_says_which_condition_to_loosen(app):
    ask(app, "3만원 이하 방수 등산화")
    shown = texts(answers(app)[0])
    assert "찾지 못했어요" in shown and "왼쪽 '검색 조건'에서" in answers(app)[0].info[0].value
    assert not answers(app)[0].expander  # no cards
    assert not [b for b in app.button if b.key and b.key.startswith("follow")]  # its hint is no question to ask
    assert app.session_state["turns"][0].answer.found is False


def test_editing_a_condition_re_runs_the_last_question(app):
    ask(app, "가습기")
    assert len(answers(app)[0].expander) == 2
    assert app.number_input(key="edit1_max").value is None
    app.number_input(key="edit1_max").set_value(50_000)
    submit(app)
    [turn] = app.session_state["turns"]  # the last turn is answered again, not added
    assert turn.answer.constraints.price_max == 50_000 and [r.name for r in turn.answer.recommendations] == [
        "미니웨이브 초음파 가습기 3L"
    ]
    assert "조건을 바꿔 다시 찾았어요: 50,000원 이하 · 가습기 · 재고 있음" in texts(app.chat_message[0])
    assert app.number_input(key="edit2_max").value == 50_000  # the controls show what was applied


def test_editing_sort_and_stock_changes_the_answer(app):
    ask(app, "가습기")
    app.selectbox(key="edit1_sort").set_value("price_desc")
    submit(app)
    answer = app.session_state["turns"][0].answer
    assert answer.parsed.sort == "price_desc" and [r.price for r in answer.recommendations] == [89_000, 29_900]
    assert app.session_state["turns"][0].question == "가습기"  # the shopper's words stay as typed
    assert answer.question == "가습기"  # the guide is asked sort=, not a rewritten question

    ask(app, "등산화")  # the only one is sold out
    assert app.session_state["turns"][1].answer.found is False
    app.checkbox(key="edit3_stock").uncheck()
    submit(app)
    assert [r.name for r in app.session_state["turns"][1].answer.recommendations] == ["트레일원 고어텍스 등산화 미드컷"]


def test_a_price_range_upside_down_is_a_message(app):
    ask(app, "가습기")
    app.number_input(key="edit1_min").set_value(90_000)
    app.number_input(key="edit1_max").set_value(10_000)
    submit(app)
    assert "최소 가격(90,000원)이 최대 가격(10,000원)보다 커요" in app.sidebar.error[0].value
    assert app.session_state["turns"][0].answer.constraints.price_max is None  # nothing was re-run


def submit(at: AppTest) -> None:
    next(b for b in at.button if b.label == "이 조건으로 다시 찾기").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_empty_and_very_long_input_are_messages(app):
    ask(app, "   ")
    assert "질문이 비어 있어요" in app.warning[0].value and app.session_state["turns"] == []
    ask(app, "조용한 가습기 " + "정말 " * 200)
    [turn] = app.session_state["turns"]
    assert len(turn.question) == 300 and "질문이 길어서 앞 300자만 사용했어요" in texts(app.chat_message[0])
    assert answers(app)[0].expander  # it was still answered


def test_clearing_the_conversation(app):
    ask(app, "가습기")
    next(b for b in app.button if b.label == "대화 지우기").click().run()
    assert app.session_state["turns"] == [] and not answers(app)[1:]


# ---- errors are messages ----


def test_a_missing_index_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    at = start(monkeypatch, tmp_path / "nowhere")
    assert "인덱스를 열 수 없어요" in at.error[0].value and "no index at" in plain(at.error[0].value)
    assert "python -m ingest --demo --index" in at.code[0].value and not at.chat_input


def test_a_damaged_index_is_a_message_not_a_traceback(shop_index_path, tmp_path, monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(shop_index_path, broken)
    (broken / "dense.faiss").write_bytes(b"not faiss")
    at = start(monkeypatch, broken)
    assert "인덱스를 열 수 없어요" in at.error[0].value and "python -m ingest" in plain(at.error[0].value)


def test_a_damaged_sqlite_header_or_analyzer_config_is_a_korean_message(shop_index_path, tmp_path, monkeypatch):
    # before: DatabaseError / TypeError tracebacks with file paths on the visitor's page
    header = tmp_path / "header"
    shutil.copytree(Path(shop_index_path).resolve(), header)
    with open(header / "catalog.sqlite", "r+b") as f:
        f.write(b"garbage garbage!")
    config = tmp_path / "config"
    shutil.copytree(Path(shop_index_path).resolve(), config)
    manifest = json.loads((config / "manifest.json").read_text(encoding="utf-8"))
    manifest["analyzer"]["config"] = {"keep_tags": 5}
    (config / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for broken, detail in ((header, "catalog.sqlite does not match its checksum"), (config, "analyzer config")):
        at = start(monkeypatch, broken)
        assert "인덱스를 열 수 없어요" in at.error[0].value and detail in plain(at.error[0].value)
        assert "Traceback" not in texts(at) and not at.chat_input


def test_an_unexpected_failure_while_opening_is_a_message_and_the_log_keeps_it(
    shop_index_path, tmp_path, monkeypatch, caplog
):
    from rag.guide import ShoppingGuide

    index = tmp_path / "odd"
    shutil.copytree(Path(shop_index_path).resolve(), index)

    def fail(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(ShoppingGuide, "from_index", fail)
    at = start(monkeypatch, index)
    shown = plain(at.error[0].value)
    assert "인덱스를 열 수 없어요" in shown and "서버 로그" in shown and "DatabaseError" in shown
    assert "malformed" not in shown and str(index) not in shown  # details stay in the log
    assert any("malformed" in r.getMessage() or "malformed" in str(r.exc_info) for r in caplog.records)


def test_an_unreachable_llm_falls_back_to_the_grounded_answer_with_a_warning(shop_index_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    at = start(monkeypatch, shop_index_path, llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="test-model")
    assert f"LLM: 127.0.0.1:{port} (test-model)" in texts(at.sidebar)
    ask(at, "자취방에서 쓸 조용한 가습기")
    assert "응답을 받지 못해 근거 기반 기본 답변을 보여드려요" in plain(answers(at)[0].warning[0].value)
    assert len(answers(at)[0].expander) == 2  # the cards are still there
    assert "LLM 응답이 없어 기본 답변으로 대신했어요" in texts(at.sidebar)


def test_an_llm_without_its_api_key_is_a_message_and_answers_still_work(shop_index_path, monkeypatch):
    monkeypatch.delenv("UPSTAGE_API_KEY", raising=False)
    at = start(monkeypatch, shop_index_path, llm_preset="upstage-solar")
    assert "LLM을 쓸 수 없어" in at.sidebar.error[0].value and "UPSTAGE_API_KEY" in plain(at.sidebar.error[0].value)
    ask(at, "가습기")
    assert len(answers(at)[0].expander) == 2


def test_a_bad_setting_is_a_message(shop_index_path, monkeypatch):
    at = start(monkeypatch, shop_index_path, top_k="9")
    assert "설정이 잘못됐어요" in at.error[0].value and "top_k must be within 1–5, got 9" in plain(at.error[0].value)


# ---- untrusted text ----


def build_evil_index(folder: Path, analyzer, embedder) -> Path:
    """The fixture shop plus a product and reviews full of Markdown and HTML (the browser test uses it too)."""
    for name in ("products.jsonl", "reviews.jsonl", "events.jsonl"):
        shutil.copy(SHOP / name, folder / name)
    product = {"product_id": "X1", "name": EVIL_NAME, "category": "가전>계절가전>가습기", "brand": "<b>해커</b>",
               "price": 19_900, "description": "조용한 가습기 **설명** <iframe>", "attributes": {"소음": "20dB"},
               "in_stock": True}  # fmt: skip
    reviews = [
        {"review_id": f"X1-r{i}", "product_id": "X1", "rating": 5, "text": text, "created_at": "2026-01-0" + str(i),
         "option": "색상: <i>흰색</i> [x](http://x.example)"}
        for i, text in enumerate([EVIL_REVIEW, "조용하고 좋아요 `code` | 표 | :smile:", "가성비 <script>x</script>"], 1)
    ]  # fmt: skip
    with open(folder / "products.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(product, ensure_ascii=False) + "\n")
    with open(folder / "reviews.jsonl", "a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in reviews)
    data = validate(discover(str(folder)))
    path = folder / "index"
    build_index(path, list(data.products.values()), data.reviews, data.events, analyzer, embedder)
    return path


@pytest.fixture(scope="module")
def evil_index_path(tmp_path_factory, analyzer, embedder) -> Path:
    return build_evil_index(tmp_path_factory.mktemp("evil"), analyzer, embedder)


EVIL_QUESTION = "조용한 가습기 2만원 이하 <b>**진짜**</b>"
# what Markdown would read as a link, bold, colour, strike-through, LaTeX, code or an emoji
RAW = ("](http", "**굵게**", "**진짜**", ":red[", "~~취소~~", "$x^2$", "`code`", ":smile:")


def test_review_and_product_text_are_shown_as_text_never_as_markdown_or_html(evil_index_path, monkeypatch):
    at = start(monkeypatch, evil_index_path)
    ask(at, EVIL_QUESTION)
    bodies = [m for kind in ("markdown", "caption", "info", "warning", "error") for m in getattr(at, kind)]
    assert not any(getattr(m.proto, "allow_html", False) for m in [*at.markdown, *at.caption])
    for body in bodies:
        assert not re.search(r"(?<!\\)<", body.value), body.value  # every < escaped: no HTML tag can open
        for raw in RAW:
            assert raw not in body.value, (raw, body.value)
    shown = texts(at)
    assert EVIL_NAME in shown and "<b>해커</b>" in shown  # shown literally, escaped for Markdown
    assert md(EVIL_NAME) in "\n".join(b.value for b in bodies)
    evidence = texts(answers(at)[0].expander[0])
    assert "<img src=x onerror=alert(1)>" in evidence and "[x](http://x.example)" in evidence
    assert "<b>**진짜**</b>" in texts(at.chat_message[0])  # the shopper's own words too


# ---- first run on a fresh machine ----


def test_a_missing_demo_index_is_built_with_progress_then_opened(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default index path, indexes/demo, is now under tmp_path
    monkeypatch.setattr(loader, "DEMO_SOURCES", (str(SHOP),))  # a 5-product stand-in for the demo catalog
    at = start(monkeypatch, None)
    [status] = at.status
    assert status.label == "데모 인덱스를 만들었어요: 상품 5개 · 리뷰 12개" and status.state == "complete"
    assert [p.text for p in status.get("progress")] == ["형태소 분석 완료 (16개)", "임베딩(문장 벡터) 완료 (16개)"]
    assert (tmp_path / "indexes" / "demo" / "manifest.json").is_file()
    assert "합성 데모 카탈로그" in texts(at.sidebar) and not at.error
    ask(at, "가습기")
    assert len(answers(at)[0].expander) == 2
    again = AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # the next visitor: opened, not built
    assert not again.status and not again.exception and again.chat_input
