"""Readers on good and bad files: every bad-row kind is reported with its file and line, and counted."""

from __future__ import annotations

import gzip
import json

import pytest

from ingest.readers import SourceError, detect, discover
from ingest.validate import StrictModeError, validate

from .conftest import SHOP


def _write(path, lines, bom=False):
    text = "\n".join(lines) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def _jsonl(path, rows, bom=False):
    return _write(path, [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows], bom)


PRODUCT = {
    "product_id": "A1",
    "name": "조용한 가습기",
    "category": "가전>계절가전>가습기",
    "brand": "미니",
    "price": 29900,
    "description": "작아요",
    "attributes": {"소음": "26dB"},
}


def test_fixture_shop_reads_cleanly(shop_data):
    assert len(shop_data.products) == 5 and len(shop_data.reviews) == 12 and len(shop_data.events) == 6
    assert shop_data.skipped() == 0
    # the empty review is kept for its rating and reported, not silently dropped
    assert [p.reason for p in shop_data.problems] == ["empty_text"]
    assert "reviews.jsonl line 12" in str(shop_data.problems[0])


def test_each_bad_row_kind_is_reported_with_file_and_line(tmp_path):
    _jsonl(
        tmp_path / "products.jsonl",
        [
            PRODUCT,
            {**PRODUCT, "name": "again"},  # line 2: duplicate id
            {**PRODUCT, "product_id": "A2", "price": "만원"},  # line 3: not a number
            {"product_id": "A3", "price": 1000},  # line 4: no name
            "{not json",  # line 5
        ],
    )
    review = {"review_id": "r1", "product_id": "A1", "rating": 5, "text": "좋아요", "user_id": "u1"}
    _jsonl(
        tmp_path / "reviews.jsonl",
        [
            review,
            {**review, "review_id": "r2", "rating": "five"},  # line 2
            {**review, "review_id": "r3", "rating": 7},  # line 3: outside 1–5
            {**review, "review_id": "r1", "text": "다른 글"},  # line 4: duplicate id
            {**review, "review_id": "r5", "product_id": "ZZ"},  # line 5: unknown product
            {**review, "review_id": "r6"},  # line 6: same user, same text again
            {**review, "review_id": "r7", "user_id": "u2"},  # line 7: same text, other user: kept
            {**review, "review_id": "r8", "text": "   "},  # line 8: empty text, kept
            {**review, "review_id": "r9", "created_at": "2025-13-45"},  # line 9: bad date
        ],
    )
    data = validate(discover(str(tmp_path)))
    messages = [str(p) for p in data.problems]
    expected = [
        'products.jsonl line 2: product_id "A1" appears again',
        'products.jsonl line 3: price "만원" is not a number',
        "products.jsonl line 4: name is missing or empty",
        "products.jsonl line 5: not valid JSON",
        'reviews.jsonl line 2: rating "five" is not a number',
        'reviews.jsonl line 3: rating "7" is outside the scale 1–5',
        'reviews.jsonl line 4: review_id "r1" appears again',
        'reviews.jsonl line 5: product_id "ZZ" is not in any products file',
        'reviews.jsonl line 6: user "u1" posted the same text for "A1" again',
        "reviews.jsonl line 7: the same text occurs in an earlier review",
        "reviews.jsonl line 8: text is empty",
        'reviews.jsonl line 9: created_at "2025-13-45" is not a date',
    ]
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), message
    assert data.counts_by_reason() == {
        "duplicate_id": 2,
        "bad_value": 4,
        "missing_field": 1,
        "bad_row": 1,
        "unknown_product": 1,
        "duplicate_review": 1,
        "duplicate_text": 1,
        "empty_text": 1,
    }
    assert [r.review_id for r in data.reviews] == ["r1", "r7", "r8"]
    assert list(data.products) == ["A1"]


def test_strict_makes_the_first_bad_row_fatal(tmp_path):
    _jsonl(tmp_path / "products.jsonl", [PRODUCT, {**PRODUCT, "product_id": "A2", "price": "만원"}])
    with pytest.raises(StrictModeError, match=r'products.jsonl line 2: price "만원" is not a number.*--strict'):
        validate(discover(str(tmp_path)), strict=True)


def test_csv_with_bom_and_json_attributes(tmp_path):
    _write(
        tmp_path / "products.csv",
        [
            "product_id,name,category,brand,price,description,attributes,in_stock",
            'C1,무선청소기 S9,가전>청소기,클린,"129,000",흡입력 좋아요,"{""무게"": ""1.4kg""}",true',
            "C2,유선청소기,가전>청소기,클린,59000원,가벼움,,false",
            "C3,깨진 행,가전",
        ],
        bom=True,
    )
    data = validate([detect(tmp_path / "products.csv")])
    assert data.products["C1"].price == 129000 and data.products["C1"].attributes == {"무게": "1.4kg"}
    assert data.products["C2"].price == 59000 and data.products["C2"].in_stock is False
    assert [str(p) for p in data.problems] == ["products.csv line 4: has 3 fields, the header has 8"]


def test_nsmc_tsv_with_multiline_quoted_review(tmp_path):
    path = tmp_path / "reviews.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        f.write("review_id\tmovie_id\tauthor\trating\tdate\treview\n")
        f.write("1\t100\tab****\t10\t2014-08-01\t최고의 영화\n")
        f.write('2\t100\tcd****\t3\t2014-08-02\t"첫 줄\n둘째 줄"\n')
        f.write("3\t101\tef****\t11\t2014-08-03\t점수 이상\n")
        f.write("4\t101\tgh****\t8\t2014-08-04\t\n")
    data = validate(discover(str(path)))
    assert [r.text for r in data.reviews] == ["최고의 영화", "첫 줄\n둘째 줄", ""]
    assert data.reviews[0].rating_max == 10 and data.reviews[1].rating_norm == pytest.approx(2 / 9)
    assert data.products["100"].name == "영화 100" and data.products["100"].category == "영화"
    # line numbers count the physical lines: review 3 starts on line 5 because review 2 spans two
    assert [str(p).split(":")[0] for p in data.problems] == ["reviews.tsv.gz line 5", "reviews.tsv.gz line 6"]
    assert [p.reason for p in data.problems] == ["bad_value", "empty_text"]


def test_real_nsmc_and_naver_shopping_files_are_detected(shared_data):
    nsmc = detect(shared_data / "nsmc" / "reviews.tsv.gz")
    shopping = detect(shared_data / "naver_shopping_sample" / "reviews.csv")
    assert (nsmc.kind, nsmc.fmt) == ("reviews", "nsmc")
    assert (shopping.kind, shopping.fmt) == ("reviews", "naver_shopping")
    data = validate([shopping])
    assert len(data.reviews) == 216 and data.skipped() == 0
    assert {r.rating for r in data.reviews} == {1, 2, 4, 5}


def test_unknown_sources_say_what_to_do(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        discover(str(tmp_path / "missing.jsonl"))
    _jsonl(tmp_path / "stuff.jsonl", [PRODUCT])
    with pytest.raises(SourceError, match="reviews=PATH"):
        discover(str(tmp_path / "stuff.jsonl"))
    assert discover(f"products={tmp_path / 'stuff.jsonl'}")[0].kind == "products"


def test_demo_folder_sources_are_all_recognised():
    kinds = sorted({s.kind for s in discover(str(SHOP))})
    assert kinds == ["events", "products", "reviews"]


def test_a_folder_says_which_files_it_does_not_read(tmp_path):
    _jsonl(tmp_path / "products.jsonl", [PRODUCT])
    _jsonl(tmp_path / "synopses.json", [{"movie": 1}])  # the NSMC folder has one: no kind in its name
    sources = discover(str(tmp_path))
    assert [s.path.name for s in sources] == ["products.jsonl"]
    data = validate(sources)
    assert [str(p) for p in data.problems] == [
        f"{tmp_path}: synopses.json not read: the name names no kind (write reviews=PATH to read it)"
    ]
    assert data.problems[0].reason == "file_notice" and not data.problems[0].is_error
