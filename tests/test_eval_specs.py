"""The spec question set: eval's own attribute reader on hand-checked demo strings, the generated set and its gold,
the dev/test split, and every metric on hand-made answers."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from eval.__main__ import main
from eval.datasets import DatasetError
from eval.spec_reader import binary_keys, numeric_keys, read_polarity, read_quantity
from eval.spec_set import (
    OUT_OF_CATALOG,
    SPEC_QUERIES,
    assign_splits,
    catalog_text,
    generate,
    load_catalog,
    nice_between,
    ro,
    subject,
    to_jsonl,
)
from eval.specs import (
    Catalog,
    IntervalSettings,
    SpecQuestion,
    SpecRun,
    count_contradictions,
    count_violations,
    load_spec_questions,
    score_question,
    summarize_group,
)
from rag.records import Product

EVAL = Path(__file__).resolve().parents[1] / "eval"

# ---- the reader, on attribute strings of the demo catalog (values checked by hand) ----


@pytest.mark.parametrize(
    ("raw", "value", "unit", "dimension", "canonical"),
    [
        ("420g(한쪽, 260mm)", 420, "g", "mass", 420),  # the parenthesis is dropped, its 260mm ignored
        ("5.9kg", 5.9, "kg", "mass", 5900),
        ("약 52dB", 52, "dB", "noise", 52),
        ("최저 22dB(수면모드)", 22, "dB", "noise", 22),
        ("3,000mm", 3000, "mm", "length", 3000),
        ("20cm", 20, "cm", "length", 200),
        ("최대 15시간(1단 기준)", 15, "시간", "time", 900),
        ("1.2kg (300g x 4팩)", 1.2, "kg", "mass", 1200),
        ("25L 대용량", 25, "L", "volume", 25000),
        ("591ml", 591, "ml", "volume", 591),
        ("27000mAh", 27000, "mAh", "charge", 27000),
        ("20㎡(약 6평)", 20, "㎡", "area", 20),
        ("80gsm (두꺼움)", 80, "gsm", "grammage", 80),
    ],
)
def test_reader_reads_one_quantity_with_its_unit(raw, value, unit, dimension, canonical):
    q = read_quantity(raw)
    assert (q.value, q.unit, q.dimension) == (value, unit, dimension)
    assert q.canonical == pytest.approx(canonical)


@pytest.mark.parametrize(
    "raw",
    [
        "최저 30dB / 최대 48dB",  # two quantities: which one is "the" noise?
        "44~53cm",
        "20g x 30봉 (총 600g)",
        "PD 20W 고속충전",
        "숏(발목 위 14cm)",
        "1팩 23g",
        "IPX4",
        "최대 165도",
        "5.5 약산성",
        "",
        None,
        42,
    ],
)
def test_reader_leaves_what_it_is_not_sure_of_unread(raw):
    assert read_quantity(raw) is None


@pytest.mark.parametrize(
    ("key", "raw", "binary", "expected"),
    [
        ("기모", "있음(도톰)", False, True),
        ("기모", "없음(쭈리)", False, False),
        ("향", "무향", False, False),
        ("향", "무향(원료향)", False, False),
        ("실리콘", "무실리콘", False, False),
        ("실리콘", "함유", False, True),
        ("인덕션", "사용 불가 (가스레인지 전용)", False, False),
        ("식기세척기", "사용 가능", False, True),
        ("차량컵홀더", "호환 안 됨", False, False),
        ("형광증백제", "무첨가", False, False),
        ("멀티포인트", "미지원", False, False),
        ("와이파이", "없음 (버튼식)", True, False),
        ("와이파이", "2.4GHz 전용", False, None),  # says nothing by itself …
        ("와이파이", "2.4GHz 전용", True, True),  # … but beside "없음" in its category it states the feature
        ("향", "라벤더", False, None),
        ("기모", "", True, None),
    ],
)
def test_reader_polarity(key, raw, binary, expected):
    assert read_polarity(key, raw, binary) is expected


def test_binary_and_numeric_keys_of_a_category():
    feeders = [  # PET-010..012
        {"용량": "4L", "와이파이": "2.4GHz 전용 (5GHz 불가)", "카메라": "없음", "소음": "약 40dB"},
        {"용량": "2L", "와이파이": "없음 (버튼식)", "카메라": "없음", "소음": "약 45dB"},
        {"용량": "5L", "와이파이": "2.4GHz 전용", "카메라": "1080p, 야간모드"},
    ]
    assert binary_keys(feeders) == ["와이파이", "카메라"]
    assert numeric_keys(feeders) == ["용량"]  # 소음 is missing in one product
    litter = [{"용량": "7kg"}, {"용량": "7L (약 2.8kg)"}]
    assert numeric_keys(litter) == []  # mass and volume: not one dimension


def test_the_gold_never_reads_the_system_under_test():
    for name in ("spec_reader.py", "spec_set.py"):
        tree = ast.parse((EVAL / name).read_text(encoding="utf-8"))
        modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not [m for m in modules if m == "rag" or m.startswith("rag.")], name


# ---- the generated set ----


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return generate()


@pytest.fixture(scope="module")
def catalog_rows() -> dict[str, dict]:
    return {p["product_id"]: p for p in load_catalog()}


def test_the_committed_set_is_what_the_rule_produces(rows):
    assert SPEC_QUERIES.read_text(encoding="utf-8") == to_jsonl(rows), "run python -m eval.spec_set"


def test_the_set_has_every_kind_and_enough_questions(rows):
    kinds = {k: sum(r["kind"] == k for r in rows) for k in {r["kind"] for r in rows}}
    assert len(rows) >= 250
    assert kinds["out_of_catalog"] >= 40
    assert min(kinds[k] for k in ("threshold", "superlative", "polarity", "use_case")) >= 30
    assert kinds["sold_out"] >= 11  # every sold-out product of the demo at least once
    assert len({r["query"] for r in rows}) >= 0.95 * len(rows)  # phrasing varies: not one template


def test_hand_checked_gold(rows):
    by_id = {r["query_id"]: r for r in rows}
    mat = by_id["threshold-SPO-007-0"]  # 요가매트 4.5 / 6 / 10 mm
    assert mat["relevant"] == {"SPO-009": 2} and mat["gold"]["specs"][0]["key"] == "두께"
    assert mat["gold"]["specs"][0]["op"] in ("<", "<=") and mat["gold"]["specs"][0]["value"] == 5
    assert by_id["polarity-FAS-004-0"]["relevant"] == {"FAS-005": 2, "FAS-006": 2}  # 기모 없는: 없음, 없음(쭈리)
    assert by_id["polarity-FAS-004-0"]["gold"]["polarity"] == [{"key": "기모", "wanted": False}]
    assert by_id["polarity-PET-010-0"]["relevant"] == {"PET-011": 2}  # 와이파이 없는: only the 버튼식 one
    stroller = by_id["superlative-KID-007-0"]  # 5.9 kg beats 8.2 kg; the 11.8 kg one is sold out
    assert stroller["relevant"] == {"KID-007": 2, "KID-009": 1}
    chair = by_id["sold_out-SPO-006-0"]  # the 690 g chair is the lightest, and sold out
    assert chair["gold"]["sold_out"] == ["SPO-006"] and chair["relevant"] == {"SPO-004": 1, "SPO-005": 1}
    assert by_id["ooc-00"]["gold"]["not_carried"] == "전기밥솥" and by_id["ooc-00"]["relevant"] == {}


def test_gold_products_are_in_stock_in_the_category_and_satisfy_the_spec(rows, catalog_rows):
    for r in rows:
        for pid in r["relevant"]:
            p = catalog_rows[pid]
            assert p["in_stock"] is not False and p["category"] == r["category"], r["query_id"]
        for spec in r["gold"]["specs"]:
            ok = {"<=": float.__le__, "<": float.__lt__, ">=": float.__ge__, ">": float.__gt__}[spec["op"]]
            in_category = [p for p in catalog_rows.values() if p["category"] == r["category"] and p["in_stock"]]
            fits = {
                p["product_id"]
                for p in in_category
                if ok(read_quantity(p["attributes"][spec["key"]]).canonical, spec["value"])
            }
            assert fits == set(r["relevant"]) and fits, r["query_id"]  # every fitting one, and only those


def test_out_of_catalog_types_occur_nowhere_in_the_demo(catalog_rows):
    text = catalog_text(list(catalog_rows.values()))
    assert len(OUT_OF_CATALOG) >= 40
    assert [t for t, _ in OUT_OF_CATALOG if t.lower() in text] == []


def test_split_is_deterministic_disjoint_and_about_half(rows):
    again = [dict(r, split=None) for r in rows]
    assign_splits(again)
    assert [r["split"] for r in again] == [r["split"] for r in rows]
    assert {r["split"] for r in rows} == {"dev", "test"}
    for kind in {r["kind"] for r in rows}:
        n = [sum(r["kind"] == kind and r["split"] == s for r in rows) for s in ("dev", "test")]
        assert abs(n[0] - n[1]) <= 1, kind
    dev = {r["query_id"] for r in rows if r["split"] == "dev"}
    test = {r["query_id"] for r in rows if r["split"] == "test"}
    assert not dev & test and len(dev) + len(test) == len(rows)


def test_numbers_and_particles():
    assert nice_between(4.5, 6) == 5
    assert nice_between(5.9, 8.2) == 8  # 8 is nearer the middle than 6
    assert 18000 < nice_between(18000, 25000) < 25000
    with pytest.raises(ValueError, match="strictly between"):
        nice_between(3, 3)
    assert subject("무게") == "무게가" and subject("용량") == "용량이"
    assert ro("원목") == "원목으로" and ro("미니") == "미니로" and ro("카사바") == "카사바로"


def test_a_bad_question_file_names_the_line_and_the_fix(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"query_id": "a", "query": "x"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"q.jsonl line 1: not a spec question .*python -m eval.spec_set"):
        load_spec_questions(path)
    with pytest.raises(DatasetError, match="no such file"):
        load_spec_questions(tmp_path / "missing.jsonl")


# ---- the metrics, on hand-made answers ----

PRODUCTS = [
    Product("M1", "기모 맨투맨", "패션>상의>맨투맨", "a", 20000, attributes={"기모": "있음(도톰)", "무게": "450g"}),
    Product("M2", "쭈리 맨투맨", "패션>상의>맨투맨", "a", 20000, attributes={"기모": "없음(쭈리)", "무게": "650g"}),
    Product("M3", "맨투맨", "패션>상의>맨투맨", "a", 20000, attributes={"무게": "최저 1kg / 최대 2kg"}),
]
CATALOG = Catalog.of(PRODUCTS)


def _q(qid: str, kind: str, relevant: dict | None = None, **gold) -> SpecQuestion:
    return SpecQuestion(qid, "질문", kind, "dev", "패션>상의>맨투맨", relevant or {}, **gold)


def test_a_shown_product_breaking_a_spec_is_a_violation():
    q = _q("t", "threshold", {"M1": 2}, specs=({"key": "무게", "op": "<=", "value": 500.0, "dim": "mass"},))
    assert count_violations(q, ["M1", "M2", "M3"], CATALOG) == 1  # M2 650 g; M3 unreadable is no violation
    assert count_violations(q, ["M1"], CATALOG) == 0
    score = score_question(q, SpecRun("t", ["M2", "M1"]), CATALOG)
    assert score.violations == 1 and score.top1 == 0.0 and 0 < score.ndcg5 < 1


def test_a_shown_product_with_the_opposite_polarity_is_a_contradiction():
    q = _q("p", "polarity", {"M2": 2}, polarity=({"key": "기모", "wanted": False},))
    assert count_contradictions(q, ["M1", "M2", "M3"], CATALOG) == 1  # M3 does not say: unknown, not counted
    group = summarize_group([score_question(q, SpecRun("p", ["M1", "M2"]), CATALOG)], IntervalSettings())
    assert group["contradictions"]["count"] == 1 and group["contradictions"]["rate"]["mean"] == 0.5
    assert group["top1"]["mean"] == 0.0


def test_not_carried_precision_recall_and_false_rate():
    ooc = [
        SpecQuestion(f"o{i}", "전기밥솥", "out_of_catalog", "dev", None, {}, not_carried="전기밥솥") for i in range(4)
    ]
    inside = [_q(f"i{i}", "superlative", {"M1": 2}) for i in range(4)]
    runs = [SpecRun("o0", [], "밥솥"), SpecRun("o1", [], "밥솥"), SpecRun("o2", [], "밥솥")]
    runs += [SpecRun("o3", ["M1"])]  # missed: shows a product instead
    runs += [SpecRun("i0", [], "맨투맨")]  # a false "not carried"
    runs += [SpecRun(f"i{i}", ["M1"]) for i in (1, 2, 3)]
    scores = [score_question(q, r, CATALOG) for q, r in zip(ooc + inside, runs, strict=True)]
    nc = summarize_group(scores, IntervalSettings(resamples=200))["not_carried"]
    assert nc["recall"]["mean"] == 0.75 and nc["precision"]["mean"] == 0.75 and nc["said"] == 4
    assert nc["false_rate"]["mean"] == 0.25 and nc["ooc_nothing_shown"]["mean"] == 0.75
    for cell in (nc["recall"], nc["precision"], nc["false_rate"]):
        assert cell["low"] <= cell["mean"] <= cell["high"] and cell["low"] < cell["high"]


def test_sold_out_said_only_when_the_sold_out_product_is_named():
    q = _q("s", "sold_out", {"M1": 1, "M2": 1}, sold_out=("M9",))
    said = score_question(q, SpecRun("s", ["M1"], sold_out=["M9"]), CATALOG)
    silent = score_question(q, SpecRun("s", ["M1"], sold_out=["M2"]), CATALOG)
    assert said.sold_out_said is True and silent.sold_out_said is False
    group = summarize_group([said, silent], IntervalSettings(resamples=200))
    assert group["sold_out_said"]["mean"] == 0.5 and group["sold_out_said"]["n"] == 2
    assert score_question(_q("x", "threshold", {"M1": 2}), SpecRun("x", ["M1"]), CATALOG).sold_out_said is None


def test_cli_runs_the_spec_part_through_the_guide(tmp_path, shop_index_path, analyzer, embedder, capsys):
    gold = {"specs": [], "polarity": [], "superlative": None, "sold_out": [], "not_carried": None}
    questions = [
        {"query_id": "a", "query": "소음 30dB 이하 가습기", "kind": "threshold", "split": "dev",
         "category": "가전>계절가전>가습기", "relevant": {"P1": 2},
         "gold": {**gold, "specs": [{"key": "소음", "op": "<=", "value": 30.0, "dim": "noise"}]}},
        {"query_id": "b", "query": "노트북 추천해줘", "kind": "out_of_catalog", "split": "test", "category": None,
         "relevant": {}, "gold": {**gold, "not_carried": "노트북"}},
    ]  # fmt: skip
    path = tmp_path / "spec.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    out = tmp_path / "r"
    argv = ["--only", "specs", "--index", str(shop_index_path), "--spec-queries", str(path), "--no-progress"]
    assert main([*argv, "--out", str(out)], analyzer=analyzer, embedder=embedder) == 0
    printed = capsys.readouterr().out
    assert "specs (dev): top-1" in printed and "specs (test):" in printed
    specs = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["specs"]
    assert specs["counts"]["dev"]["threshold"] == 1 and specs["counts"]["test"]["out_of_catalog"] == 1
    dev, test = specs["splits"]["dev"]["overall"], specs["splits"]["test"]["overall"]
    assert dev["top1"]["n"] == 1 and dev["violations"]["questions"] == 1 and test["top1"]["n"] == 0
    assert test["not_carried"]["ooc_nothing_shown"]["mean"] == 1.0  # a type the shop lacks gets no product
    assert [r["query_id"] for r in specs["per_question"]] == ["a", "b"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Specs, polarity" in report and "### dev split" in report and "### test split" in report
