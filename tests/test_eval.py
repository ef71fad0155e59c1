"""`python -m eval`: metrics by hand, the bootstrap, the held-out and behaviour rules, and the CLI end to end."""

from __future__ import annotations

import json
import math

import pytest

from eval.__main__ import main, parse_args
from eval.baselines import KiwiBM25Okapi, TooSlowError, WhitespaceBM25, items_by_best_document
from eval.behaviour import BehaviourSettings, behaviour_split
from eval.datasets import DatasetError, EvalQuery, load_ir_queries, satisfies, with_history
from eval.heldout import build_item_heldout
from eval.metrics import bootstrap_interval, mrr_at_k, ndcg_at_k, recall_at_k
from eval.retrieval import ScoreSettings, run_system, score_runs
from eval.systems import Answer
from rag.records import Product, Review

# ---- metrics, by hand ----


def test_recall_counts_relevant_items_found_in_the_top_k():
    ranked = ["a", "x", "c", "d"]
    relevant = {"a": 2, "c": 1, "d": 1, "z": 0}  # a grade of 0 is not relevant
    assert recall_at_k(ranked, relevant, 1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, relevant, 3) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, relevant, 10) == pytest.approx(1.0)
    assert recall_at_k(ranked, {}, 5) == 0.0
    with pytest.raises(ValueError, match="k must be ≥ 1, got 0"):
        recall_at_k(ranked, relevant, 0)


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_item_within_k():
    relevant = {"a": 1, "b": 2}
    assert mrr_at_k(["x", "y", "a", "b"], relevant, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(["b"], relevant, 10) == 1.0
    assert mrr_at_k(["x", "y", "a"], relevant, 2) == 0.0
    assert mrr_at_k([], relevant, 10) == 0.0


def test_ndcg_uses_the_grades_as_gains():
    relevant = {"a": 2, "b": 1}
    # b (gain 1) at rank 1, a (gain 2) at rank 2: DCG = 1/log2(2) + 2/log2(3); ideal = 2/log2(2) + 1/log2(3)
    expected = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert ndcg_at_k(["b", "a"], relevant, 10) == pytest.approx(expected)
    assert expected == pytest.approx(0.8597, abs=1e-4)
    assert ndcg_at_k(["a", "b"], relevant, 10) == pytest.approx(1.0)
    # a relevant item beyond k earns nothing; x is unjudged (gain 0) but still takes rank 1
    assert ndcg_at_k(["x", "a", "b"], relevant, 1) == 0.0
    assert ndcg_at_k(["x", "a"], relevant, 10) == pytest.approx((2 / math.log2(3)) / (2 + 1 / math.log2(3)))


# ---- bootstrap ----


def test_bootstrap_interval_contains_the_mean_and_is_seeded():
    values = [0.1, 0.35, 0.8, 0.55, 0.9, 0.2, 0.65, 0.4, 0.75, 0.5]
    mean, low, high = bootstrap_interval(values, seed=7)
    assert mean == pytest.approx(0.52)
    assert low <= mean <= high and low < high
    assert bootstrap_interval(values, seed=7) == (mean, low, high)  # same seed, same interval
    assert bootstrap_interval(values, seed=8) != (mean, low, high)
    assert bootstrap_interval([0.4] * 5) == pytest.approx((0.4, 0.4, 0.4))
    assert all(math.isnan(x) for x in bootstrap_interval([]))


def test_bootstrap_width_matches_the_normal_approximation():
    values = [1.0] * 200 + [0.0] * 200  # p = 0.5, n = 400: standard error 0.025, 95 % width ≈ 0.098
    mean, low, high = bootstrap_interval(values, n_resamples=2000, seed=1)
    assert mean == 0.5
    assert 0.08 < high - low < 0.12


def test_weighted_bootstrap_is_a_ratio_of_sums():
    # query 1 showed 3 products, all fine; query 2 showed 1, not fine: 3 of 4 shown products are fine
    mean, low, high = bootstrap_interval([1.0, 0.0], weights=[3, 1], seed=0)
    assert mean == pytest.approx(0.75)
    assert 0.0 <= low <= mean <= high <= 1.0
    with pytest.raises(ValueError, match="differ in length"):
        bootstrap_interval([1.0, 0.0], weights=[1])


# ---- the held-out builder ----


def _reviews(items: int = 6, per_item: int = 25) -> list[Review]:
    out = []
    for i in range(items):
        for j in range(per_item):
            text = f"영화{i} 리뷰 번호 {j} 입니다 정말로" if j % 5 else "최고의 영화 강력 추천합니다"  # shared text
            out.append(Review(f"r{i}-{j}", f"m{i}", 1 + (i + j) % 10, text, user_id=f"u{j}", rating_max=10))
    return out


def test_heldout_queries_never_appear_in_the_index():
    reviews = _reviews()
    split = build_item_heldout(reviews, min_reviews=20, per_item=2, max_items=4, seed=3)
    assert len(split.items) == 4 and len(split.queries) == 8
    indexed_ids = {r.review_id for r in split.index_reviews}
    indexed_texts = {r.text for r in split.index_reviews}
    for q in split.queries:
        assert q.query_id[1:] not in indexed_ids
        assert q.text not in indexed_texts
        assert q.text != "최고의 영화 강력 추천합니다"  # a duplicated text is never a query
        assert q.item_id in split.items
    assert len(split.index_reviews) == len(reviews) - 8


def test_heldout_same_seed_same_split_and_rule_is_recorded():
    reviews = _reviews()
    a = build_item_heldout(reviews, max_items=3, seed=13, restrict_index_to_items=True)
    b = build_item_heldout(reviews, max_items=3, seed=13, restrict_index_to_items=True)
    c = build_item_heldout(reviews, max_items=3, seed=14, restrict_index_to_items=True)
    assert a.queries == b.queries and [r.review_id for r in a.index_reviews] == [r.review_id for r in b.index_reviews]
    assert (a.items, a.queries) != (c.items, c.queries)
    assert {r.product_id for r in a.index_reviews} == set(a.items)  # restricted to the drawn movies
    assert a.rule["seed"] == 13 and a.rule["eligible_items"] == 6 and a.rule["queries"] == 3
    assert {"min_reviews", "per_item", "max_items", "min_query_chars", "restrict_index_to_items"} <= set(a.rule)


# ---- data sets and the gold constraint check ----


def test_gold_constraints_are_checked_like_the_demo_tests():
    attributes = {"방수": "고어텍스 멤브레인"}
    p = Product("P", "방수 등산화", "신발>아웃도어화>등산화", "트레일원", 98000, attributes=attributes)
    assert satisfies(p, {"price_max": 100000, "category": "신발>아웃도어화", "brands": ["트레일원"]})
    assert satisfies(p, {"attributes": {"방수": "멤브레인"}})
    assert not satisfies(p, {"price_max": 50000})
    assert not satisfies(p, {"price_min": 100000})
    assert not satisfies(p, {"category": "신발>운동화"})
    assert not satisfies(p, {"attributes": {"무게": "300g"}})
    assert not satisfies(Product("Q", "가격 모름"), {"price_max": 10})  # no price: fails a price constraint


def test_follow_ups_are_retrieved_with_the_earlier_user_turns():
    history = [{"role": "user", "content": "등산화 추천해줘"}, {"role": "assistant", "content": "이런 건 어때요"}]
    assert with_history("더 가벼운 거", history) == "등산화 추천해줘 더 가벼운 거"


def test_ir_format_with_aliases_and_a_clear_error(tmp_path):
    q, j = tmp_path / "q.jsonl", tmp_path / "qrels.jsonl"
    q.write_text('{"_id": "a", "text": "조용한 가습기"}\n{"query_id": "b", "query": "냉장고"}\n', encoding="utf-8")
    j.write_text('{"query-id": "a", "corpus-id": "P1", "score": 2}\n{"query_id": "a", "product_id": "P2"}\n')
    queries = load_ir_queries(q, j)
    assert queries[0].relevant == {"P1": 2.0, "P2": 1.0} and queries[0].answerable
    assert queries[1].no_answer and not queries[1].answerable
    j.write_text('{"query_id": "a", "product_id": "P1", "grade": "좋음"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"qrels.jsonl line 1: grade '좋음' is not a number"):
        load_ir_queries(q, j)


# ---- scoring runs ----


class _Fixed:
    key = "fixed"

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    def answer(self, query: EvalQuery, k: int) -> Answer:
        items = self.answers[query.query_id]
        return Answer(items, not items, 1.0)


def test_scores_separate_no_answer_queries_and_count_constraint_violations():
    products = {
        "P1": Product("P1", "a", "가전>가습기", price=30000),
        "P2": Product("P2", "b", "가전>가습기", price=90000),
        "P3": Product("P3", "c", "디지털>이어폰", price=50000),
    }
    queries = [
        EvalQuery("q1", "가습기", {"P1": 2, "P2": 1}, {"category": "가전>가습기"}),
        EvalQuery("q2", "5만원 이하 가습기", {"P1": 2}, {"category": "가전>가습기", "price_max": 50000}),
        EvalQuery("q3", "냉장고", {}, {"category": "가전>냉장고"}, no_answer=True),
    ]
    runs = run_system(_Fixed({"q1": ["P2", "P1", "P3"], "q2": ["P3", "P1"], "q3": []}), queries)
    s = score_runs(queries, runs, ScoreSettings(resamples=200), products.get)
    assert s["answerable"] == 2
    assert s["metrics"]["mrr@10"]["mean"] == pytest.approx((1 + 1 / 2) / 2)
    assert s["metrics"]["recall@1"]["mean"] == pytest.approx((1 / 2 + 0) / 2)
    # shown: q1 P2 ok, P1 ok, P3 wrong category; q2 P3 wrong, P1 ok; q3 nothing shown → 3 of 5
    assert s["constraint_satisfaction"]["mean"] == pytest.approx(3 / 5)
    assert s["constraint_satisfaction"]["shown"] == 5
    assert s["no_answer"]["queries"] == 1 and s["no_answer"]["detected"]["mean"] == 1.0
    assert s["no_answer"]["false_alarm"]["mean"] == 0.0


def test_a_time_budget_stops_a_slow_system_on_a_seeded_subsample():
    queries = [EvalQuery(f"q{i}", "x", {"P1": 1}) for i in range(20)]
    runs = run_system(_Fixed({q.query_id: ["P1"] for q in queries}), queries, budget_seconds=0.0, seed=5)
    again = run_system(_Fixed({q.query_id: ["P1"] for q in queries}), queries, budget_seconds=0.0, seed=5)
    assert len(runs.runs) == 1 and runs.subsample["of"] == 20
    assert runs.runs[0].query_id == again.runs[0].query_id


def test_baselines_score_an_item_by_its_best_document():
    doc_items = ["A", "B", "B", "A", "C"]
    # A's best document (2.8) wins over its other one; a score of 0 is no hit
    assert items_by_best_document([4, 3, 1, 0, 2], [3.0, 2.8, 2.5, 2.0, 0.0], doc_items, 10) == ["C", "A", "B"]
    assert items_by_best_document([4, 3, 1], [3.0, 2.8, 2.5], doc_items, 2) == ["C", "A"]
    texts = ["조용한 가습기 추천", "시끄러운 가습기", "가벼운 러닝화", "비 오는 날 등산화"]
    bm25 = WhitespaceBM25(texts, ["P1", "P2", "P5", "P4"])
    answer = bm25.answer(EvalQuery("q", "조용한 가습기"), 10)
    assert answer.items[:2] == ["P1", "P2"] and not answer.flagged
    assert bm25.answer(EvalQuery("q", "냉장고"), 10).flagged


def test_kiwi_okapi_mirrors_the_public_retriever_and_gives_up_when_too_slow(analyzer):
    texts = ["조용한 가습기를 추천해요", "시끄러운 가습기였어요", "가벼운 러닝화", "비 오는 날 등산화"]
    okapi = KiwiBM25Okapi(texts, ["P1", "P2", "P5", "P4"], analyzer.kiwi)
    assert "를" in okapi.tokens("가습기를")  # every morpheme, particles included: no tag filter
    assert okapi.answer(EvalQuery("q", "조용한 가습기"), 10).items[0] == "P1"
    with pytest.raises(TooSlowError, match="over the 0 s budget"):
        KiwiBM25Okapi(texts * 3, ["P"] * 12, analyzer.kiwi, batch=2, max_build_seconds=0)


# ---- the behaviour task's rule ----


def test_behaviour_split_hides_the_latest_positive_review_and_the_future():
    def r(rid, user, item, rating, date):
        return Review(rid, item, rating, "좋아요", created_at=date, user_id=user, rating_max=10)

    reviews = [
        r("1", "u", "m1", 9, "2010-01-01"),
        r("2", "u", "m2", 3, "2010-02-01"),
        r("3", "u", "m3", 8, "2010-03-01"),
        r("4", "u", "m4", 10, "2010-04-01"),  # latest positive: hidden
        r("5", "u", "m5", 2, "2010-05-01"),  # later: not seen by the model
        r("6", "v", "m1", 9, "2010-01-01"),
        r("7", "v", "m4", 9, "2010-01-02"),
    ]
    train, cases, rule = behaviour_split(reviews, BehaviourSettings(users=10, min_reviews=5))
    assert rule["eligible_users"] == 1 and len(cases) == 1
    case = cases[0]
    assert case.hidden == {"m4"} and case.seeds == ["m1", "m3"] and case.seen == {"m1", "m2", "m3"}
    assert {x.review_id for x in train} == {"1", "2", "3", "6", "7"}


# ---- the CLI, end to end on the fixture shop ----

SHOP_QUERIES = [
    {
        "query_id": "s1",
        "query": "자취방에서 쓸 조용한 가습기",
        "kind": "need",
        "history": [],
        "constraints": {"category": "가전>계절가전>가습기"},
        "relevant": {"P1": 2, "P2": 1},
        "no_answer": False,
    },
    {
        "query_id": "s2",
        "query": "5만원 이하 노이즈캔슬링 이어폰",
        "kind": "no_answer",
        "history": [],
        "constraints": {"price_max": 50000, "category": "디지털>음향기기>무선이어폰"},
        "relevant": {},
        "no_answer": True,
    },
    {
        "query_id": "s3",
        "query": "가볍고 쿠션 좋은 걸로요",
        "kind": "followup",
        "history": [{"role": "user", "content": "러닝화 추천해줘"}],
        "constraints": {"category": "신발>운동화>러닝화"},
        "relevant": {"P5": 2},
        "no_answer": False,
    },
]
STABLE_METRICS = {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"}


def _interval_ok(cell: dict) -> bool:
    return 0.0 <= cell["low"] <= cell["mean"] <= cell["high"] <= 1.0


@pytest.mark.slow  # ~3 s on an idle machine, over 10 s on a busy one (24 searches, plots)
def test_cli_evaluates_a_demo_style_set_and_writes_the_report(tmp_path, shop_index_path, analyzer, embedder, capsys):
    queries = tmp_path / "shop_queries.jsonl"
    queries.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in SHOP_QUERIES), encoding="utf-8")
    out = tmp_path / "report"
    argv = ["--only", "demo,answers", "--index", str(shop_index_path), "--demo-queries", str(queries)]
    assert main([*argv, "--out", str(out), "--no-progress"], analyzer=analyzer, embedder=embedder) == 0
    assert f"report: {out / 'report.md'}" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert {"schema_version", "created_at", "mode", "config", "environment", "systems", "datasets"} <= set(metrics)
    expected_systems = ["bm25_whitespace", "bm25_kiwi_okapi", "sparse", "dense", "hybrid", "hybrid_prior"]
    assert list(metrics["systems"]) == expected_systems
    demo = metrics["datasets"]["demo"]
    assert demo["counts"] == {
        "queries": 3,
        "answerable": 2,
        "no_answer": 1,
        "with_constraints": 3,
        "relevant_sold_out": 0,
    }
    for key, s in demo["systems"].items():
        assert set(s["metrics"]) == STABLE_METRICS, key
        assert all(_interval_ok(c) for c in s["metrics"].values()), key
        assert s["answerable"] == 2 and s["no_answer"]["queries"] == 1
        assert _interval_ok(s["constraint_satisfaction"]) and s["latency_ms"]["p50"] > 0
    ours, baseline = demo["systems"]["hybrid_prior"], demo["systems"]["bm25_whitespace"]
    # the budget in s2 rules out the only ANC earphone: ours says so, the baseline shows it anyway
    assert ours["no_answer"]["detected"]["mean"] == 1.0 and baseline["no_answer"]["detected"]["mean"] == 0.0
    assert ours["constraint_satisfaction"]["mean"] == 1.0 > baseline["constraint_satisfaction"]["mean"]
    assert ours["metrics"]["mrr@10"]["mean"] == 1.0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| hybrid + prior | 2 |" in report and "## Rules" in report and "![demo metrics](demo_metrics.png)" in report
    assert (out / "demo_metrics.png").stat().st_size > 10_000
    grounded = metrics["answers"]["generators"]["grounded"]
    assert grounded["questions"] == 3 and grounded["citations"]["validity"] == 1.0
    assert grounded["numbers"]["faithfulness"] == 1.0 and grounded["numbers"]["claims"] > 0
    assert grounded["no_answer"]["queries"] == 1 and grounded["no_answer"]["correct"] == 1
    assert "## Answers" in report and "| grounded | 1.000 (" in report
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(runs) == 6 * 3 and {"dataset", "system", "query_id", "items", "flagged", "ms"} <= set(runs[0])


def test_cli_evaluates_a_user_set_in_the_ir_shape(tmp_path, shop_index_path, analyzer, embedder):
    q, j = tmp_path / "q.jsonl", tmp_path / "qrels.jsonl"
    q.write_text('{"query_id": "a", "query": "노이즈캔슬링 이어폰"}\n{"query_id": "b", "query": "등산화"}\n', "utf-8")
    j.write_text('{"query_id": "a", "product_id": "P3", "grade": 1}\n{"query_id": "b", "product_id": "P4"}\n', "utf-8")
    out = tmp_path / "r"
    argv = ["--queries", str(q), "--judgements", str(j), "--index", str(shop_index_path), "--systems", "hybrid"]
    assert main([*argv, "--out", str(out), "--no-progress"], analyzer=analyzer, embedder=embedder) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["datasets"]) == ["user"] and list(metrics["systems"]) == ["hybrid"]
    s = metrics["datasets"]["user"]["systems"]["hybrid"]
    # P4 is sold out and our searcher hides it: 등산화 cannot be answered, the ANC earphone comes first
    assert s["metrics"]["mrr@10"]["mean"] == pytest.approx(0.5)


def test_cli_rejects_unknown_choices_and_names_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as exc:
        parse_args(["--only", "demo,bogus"])
    assert exc.value.code == 2
    assert "choose from demo, answers, specs, nsmc, behaviour, speed, user" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--queries", "q.jsonl", "--judgements", "j.jsonl"])
    assert "--queries needs --index" in capsys.readouterr().err
    assert parse_args([]).only == ("demo", "answers", "specs", "nsmc", "behaviour", "speed")


def test_cli_reports_a_bad_query_file_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "q.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    argv = ["--queries", str(bad), "--judgements", str(bad), "--index", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main([*argv, "--no-progress"]) == 2
    assert "error:" in capsys.readouterr().err


def test_search_benchmark_reports_latency_stages_size_and_memory(shop_index_path):
    from eval import bench_search
    from eval.report import _speed_section
    from eval.speed import _bench_row

    queries = [q["query"] for q in SHOP_QUERIES]
    r = bench_search.run(shop_index_path, queries, repeat=2)
    assert r["queries"] == len(queries) and r["runs"] == 2 * len(queries)
    assert r["disk_mb"] > 0 and r["rss_open_mb"] >= 0
    p50, p95 = r["search"]
    assert 0 < p50 <= p95
    assert {"parse", "filter", "sparse", "embed", "dense", "rank", "evidence"} <= set(r["stages"])
    row = _bench_row(r)
    section = "\n".join(_speed_section({"settings": {"dense_budget": 2000}, "search_demo": row}, None))
    assert "| disk MB | memory MB |" in section and f"| {row['disk_mb']:.0f} |" in section
