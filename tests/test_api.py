"""The public API a developer embeds: rag.__all__, the doctested example, per-call overrides at the boundary."""

from __future__ import annotations

import asyncio
import doctest
import json
import re
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableLambda

import rag
from rag import SORT_CHOICES, Answer, Constraints, RankingConfig, ShoppingGuide, Turn
from rag.query import SORTS

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def guide(shop_index_path, analyzer, embedder) -> ShoppingGuide:
    return ShoppingGuide.from_index(shop_index_path, analyzer=analyzer, embedder=embedder)


def test_public_names_are_importable_and_the_facade_comes_first():
    for name in rag.__all__:
        assert getattr(rag, name) is not None, name
    assert rag.__all__[:2] == ["ShoppingGuide", "Turn"]
    for name in ("Answer", "Constraints", "ProductSearcher", "ShoppingRetriever", "make_chat_model", "LLMConfig"):
        assert name in rag.__all__
    assert rag.__all__.index("ShoppingGuide") < rag.__all__.index("Answer") < rag.__all__.index("Constraints")
    assert rag.__all__.index("ShoppingRetriever") < rag.__all__.index("LLMConfig") < rag.__all__.index("LLMError")
    # internals stay in their modules: the regex helper and the stats plumbing are not the package's API
    assert "mentions_repurchase" not in rag.__all__ and "StatsConfig" not in rag.__all__


def test_package_docstring_example_runs(shop_index_path):
    result = doctest.testmod(rag, extraglobs={"index_path": str(shop_index_path)}, report=True)
    assert result.attempted >= 5 and result.failed == 0


def test_readme_example_runs_and_matches_the_docstring(shop_index_path):
    section = README.read_text(encoding="utf-8").split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```pycon\n(.*?)```", section, re.DOTALL)
    assert blocks, "the README's 'Use it from Python' section has no pycon example"
    test = doctest.DocTestParser().get_doctest(blocks[0], {"index_path": str(shop_index_path)}, "README", None, 0)
    runner = doctest.DocTestRunner()
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert blocks[0].strip() in rag.__doc__  # one example, not two that drift apart


def test_sort_choices_come_from_the_parser_registry():
    assert SORT_CHOICES == ("relevance", *SORTS)


def test_sort_overrides_the_question_and_relevance_clears_it(guide):
    asked = guide.ask("가습기 비싼 순")
    assert asked.parsed.sort == "price_desc"
    assert [r.product_id for r in asked.recommendations] == ["P2", "P1"]
    cheap_first = guide.ask("가습기 비싼 순", sort="price_asc")
    assert cheap_first.parsed.sort == "price_asc"
    assert [r.product_id for r in cheap_first.recommendations] == ["P1", "P2"]
    plain = guide.ask("가습기 비싼 순", sort="relevance")
    assert plain.parsed.sort is None


def test_top_k_per_call_and_the_guides_default(guide):
    assert len(guide.ask("가습기 추천해줘").recommendations) == 2
    assert len(guide.ask("가습기 추천해줘", top_k=1).recommendations) == 1
    pieces = list(guide.stream("가습기 추천해줘", top_k=1))
    assert sum(piece.startswith("1. ") for piece in pieces) == 1 and not any(p.startswith("2. ") for p in pieces)


def test_constraints_per_call_replace_the_questions(guide):
    answer = guide.ask(
        "가습기 추천해줘", constraints=Constraints(price_min=50_000, categories=("가전>계절가전>가습기",))
    )
    assert [r.product_id for r in answer.recommendations] == ["P2"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sort": "cheapest"}, ValueError, "relevance, value, popular, rating, recent, price_asc, price_desc"),
        ({"sort": 3}, ValueError, "sort must be one of"),
        ({"top_k": 0}, ValueError, "top_k must be within 1–5"),
        ({"top_k": 6}, ValueError, "top_k must be within 1–5, got 6"),
        ({"top_k": "3"}, TypeError, "top_k must be an int"),
        ({"top_k": True}, TypeError, "top_k must be an int"),
        ({"constraints": {"price_max": 5}}, TypeError, "Constraints(price_max=50_000"),
        ({"history": "가습기"}, TypeError, "history must be a list of rag.guide.Turn"),
    ],
)
def test_bad_overrides_are_refused_with_the_valid_choices(guide, kwargs, error, message):
    for call in (guide.ask, lambda *a, **k: list(guide.stream(*a, **k)), lambda *a, **k: list(guide.events(*a, **k))):
        with pytest.raises(error) as info:
            call("가습기", **kwargs)
        assert message in str(info.value)


def test_history_turns_carry_over_with_overrides(guide):
    first = guide.ask("가습기 추천해줘", sort="price_desc")
    cheaper = guide.ask("더 싼 건 없어?", history=[Turn(first.question, first)], top_k=1)
    assert [r.product_id for r in cheaper.recommendations] == ["P1"]
    assert cheaper.constraints.price_max < 89_000


# ---- the guide as a LangChain Runnable ----


def test_runnable_invokes_to_an_answer_and_streams_text_pieces(guide):
    chain = guide.as_runnable()
    answer = chain.invoke({"question": "가습기 추천해줘", "sort": "price_desc"})
    assert isinstance(answer, Answer) and [r.product_id for r in answer.recommendations] == ["P2", "P1"]
    pieces = list(chain.stream("가습기 추천해줘"))
    assert len(pieces) > 2 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == guide.ask("가습기 추천해줘").to_text()


def test_text_pieces_stream_through_an_lcel_chain(guide):
    def shout(pieces):  # a streaming step after the guide: it sees each piece as it comes
        for piece in pieces:
            yield f"<{len(piece)}>"

    chain = RunnableLambda(lambda q: {"question": f"{q} 추천해줘", "top_k": 1}) | guide.as_runnable() | shout
    streamed = list(chain.stream("가습기"))
    expected = [f"<{len(p)}>" for p in guide.stream("가습기 추천해줘", top_k=1)]
    assert streamed == expected and len(streamed) > 2


def test_a_question_streamed_in_pieces_by_an_upstream_step_is_joined_first(guide):
    def upstream(_):  # e.g. a model that writes the question token by token
        yield "가습기 "
        yield "추천해줘"

    streamed = list((RunnableLambda(upstream) | guide.as_runnable()).stream("아무거나"))
    assert streamed == list(guide.stream("가습기 추천해줘"))


def test_structured_events_batch_and_config(guide):
    events = list(guide.as_runnable(events=True).stream({"question": "노캔 이어폰"}))
    assert [e["type"] for e in events[:-1]] == ["text"] * (len(events) - 1) and events[-1]["type"] == "answer"
    assert events[-1]["answer"].recommendations[0].product_id == "P3"
    assert "".join(e["text"] for e in events[:-1]) == events[-1]["answer"].to_text()
    answers = guide.as_runnable().batch(["가습기 추천해줘", "노캔 이어폰"])
    assert [[r.product_id for r in a.recommendations] for a in answers] == [["P1", "P2"], ["P3"]]
    pinned = guide.as_runnable().with_config(configurable={"top_k": 1, "sort": "price_desc"})
    assert [r.product_id for r in pinned.invoke("가습기 추천해줘").recommendations] == ["P2"]
    # the input's own value wins over the config's
    assert len(pinned.invoke({"question": "가습기 추천해줘", "top_k": 2}).recommendations) == 2


def test_async_variants(guide):
    chain = guide.as_runnable()

    async def run():
        answer = await chain.ainvoke("가습기 추천해줘")
        pieces = [p async for p in chain.astream("가습기 추천해줘")]
        return answer, pieces

    answer, pieces = asyncio.run(run())
    assert "".join(pieces) == answer.to_text() and len(pieces) > 2


def test_typed_schemas_and_bad_input(guide):
    chain = guide.as_runnable()
    schema = chain.get_input_jsonschema()
    assert schema["required"] == ["question"] and {"history", "constraints", "top_k", "sort"} <= set(
        schema["properties"]
    )
    assert "recommendations" in json.dumps(chain.get_output_jsonschema())
    with pytest.raises(TypeError, match=r"unknown input key.*query.*valid keys: question, history"):
        chain.invoke({"question": "가습기", "query": "x"})
    with pytest.raises(TypeError, match=re.escape('takes a question str or {"question": str')):
        chain.invoke(["가습기"])
    with pytest.raises(ValueError, match="sort must be one of relevance"):
        chain.invoke({"question": "가습기", "sort": "cheap"})


# ---- one configuration: --update keeps what the index records ----


def test_update_reuses_the_recorded_settings_and_refuses_contradicting_flags(tmp_path, embedder, capsys):
    from ingest.__main__ import config_from_args, main, parse_args
    from ingest.pipeline import run_ingest
    from rag.settings import Settings
    from tests.conftest import SHOP

    index = tmp_path / "shop"
    built = ["--dense-budget", "5", "--prior-weight", "2", "--compounds", "parts"]
    run_ingest(config_from_args(parse_args([str(SHOP), "--index", str(index), *built])), embedder=embedder)
    recorded = Settings.recorded(index)
    assert (recorded.coverage.budget, recorded.stats.prior_weight, recorded.analyzer.compounds) == (5, 2.0, "parts")

    update = config_from_args(parse_args([str(SHOP), "--index", str(index), "--update"]))
    assert (update.coverage.budget, update.stats.prior_weight, update.analyzer.compounds) == (5, 2.0, "parts")
    same = config_from_args(parse_args([str(SHOP), "--index", str(index), "--update", "--dense-budget", "5"]))
    assert same.coverage == update.coverage  # a flag that agrees with the index is fine
    run_ingest(update, embedder=embedder)
    assert Settings.recorded(index).stats.prior_weight == 2.0  # not silently reset to the default 5

    argv = [str(SHOP), "--index", str(index), "--update", "--prior-weight", "5", "--typos", "basic"]
    with pytest.raises(ValueError) as info:
        config_from_args(parse_args(argv))
    message = str(info.value)
    assert "--prior-weight 5.0 (the index was built with 2.0)" in message
    assert "--typos basic (the index was built with None)" in message and "without --update" in message
    assert main(argv) == 2  # the CLI says so before loading any model, and the index is untouched
    assert "--prior-weight 5.0" in capsys.readouterr().err
    assert Settings.recorded(index).stats.prior_weight == 2.0


def test_settings_reach_the_guide(shop_index_path, analyzer, embedder):
    from rag.settings import Settings

    settings = Settings(top_k=1, ranking=RankingConfig(prior_weight=0.0))
    guide = ShoppingGuide.from_index(shop_index_path, analyzer=analyzer, embedder=embedder, settings=settings)
    assert guide.top_k == 1 and guide.searcher.config.prior_weight == 0.0
    assert len(guide.ask("가습기 추천해줘").recommendations) == 1
    with pytest.raises(ValueError, match="top_k must be a whole number within 1–5, got 9"):
        Settings(top_k=9)


def test_the_apps_command_line_sets_ranking_and_top_k():
    from ui.config import config_from

    config = config_from(["--ranking", "prior_weight=0.2, dense_weight=0.4", "--top-k", "2"], {})
    assert config.settings.ranking.prior_weight == 0.2 and config.settings.ranking.dense_weight == 0.4
    assert config.settings.top_k == 2
    assert config_from([], {"SHOPGUIDE_RANKING": "depth=50"}).settings.ranking.depth == 50
    with pytest.raises(ValueError, match="write name=value with a name from depth, rrf_k"):
        config_from(["--ranking", "weight=1"], {})


def test_a_worker_that_needs_only_the_analyzer_does_not_load_the_library():
    """Ray analysis actors import rag.analyzer: the guide, LangChain and FAISS stay out of their start-up, while
    every public name still resolves from `rag`."""
    import subprocess
    import sys

    code = (
        "import sys, rag.analyzer; heavy = [m for m in ('rag.guide', 'langchain_core', 'faiss') if m in sys.modules]; "
        "import rag; assert all(getattr(rag, n) is not None for n in rag.__all__); print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
