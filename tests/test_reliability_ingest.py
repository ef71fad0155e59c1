"""Issue 15, ingest half: each finding reproduced as a careless or hostile user would, and the new behaviour.

Data loss (publishing over a good index, sibling cleanup, the update race, whole files lost, the publish
window), encodings, odd values, and bounded cost measured as work done (characters analysed and embedded).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import ingest.pipeline as pipeline
import rag.index.build as build_module
from ingest.__main__ import main
from ingest.pipeline import IngestConfig, run_ingest
from ingest.readers import SourceError, discover
from ingest.validate import LIMITS, validate
from rag.analyzer import KoreanAnalyzer
from rag.errors import IndexWriteError
from rag.index.build import MAX_ANALYZED_CHARS, MAX_EMBEDDED_CHARS
from rag.index.store import HybridIndex

from .conftest import SHOP
from .test_index import CountingEmbedder

ROOT = Path(__file__).resolve().parents[1]
UNCHANGED = "the previous index, if any, is unchanged"
REVIEWS_CSV = "review_id,product_id,rating,text\nX1,P1,5,소음이 작아요\nX2,P1,4,괜찮아요\nX3,P2,2,별로예요\n"


class CountingAnalyzer(KoreanAnalyzer):
    """The real analyzer (sharing its Kiwi) that counts every character it is given."""

    def __init__(self, inner: KoreanAnalyzer) -> None:
        super().__init__(inner.config, kiwi=inner.kiwi)
        self.chars, self.longest = 0, 0

    def terms_batch(self, texts):
        def counted():
            for text in texts:
                self.chars += len(text)
                self.longest = max(self.longest, len(text))
                yield text

        return super().terms_batch(counted())


@pytest.fixture
def cli(monkeypatch, analyzer, embedder, capsys):
    """`python -m ingest ARGS` in process, with the session's models instead of loading new ones."""
    monkeypatch.setattr(pipeline, "KoreanAnalyzer", lambda config=None: analyzer)
    monkeypatch.setattr(pipeline, "make_embedder", lambda config=None: embedder)

    def run(*args):
        code = main([*map(str, args), "--no-progress"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def good_index(tmp_path, cli) -> Path:
    path = tmp_path / "DIR"
    code, out, _ = cli(SHOP, "--index", path)
    assert code == 0 and "indexed: products 5, reviews 12" in out
    return path


def _folder(tmp_path: Path, name: str, files: dict[str, str | bytes], products: bool = True) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    if products:
        shutil.copy(SHOP / "products.jsonl", folder)
    for file, content in files.items():
        if isinstance(content, bytes):
            (folder / file).write_bytes(content)
        else:
            (folder / file).write_text(content, encoding="utf-8")
    return folder


def _manifest(path: Path) -> str:
    return (path / "manifest.json").read_text(encoding="utf-8")


# ---- data loss ----


def test_rejected_rows_or_empty_files_never_publish_over_a_good_index(good_index, tmp_path, cli):
    before = _manifest(good_index)
    # before: `indexed: products 0, reviews 0`, exit 0, the old version deleted
    code, out, err = cli(SHOP / "reviews.jsonl", "--index", good_index)
    assert code == 2 and out == ""
    assert "products 5 → 0, reviews 12 → 0" in err
    assert "12 of the rows name products that are in the current index" in err and "--update" in err
    assert "--replace" in err and UNCHANGED in err
    assert _manifest(good_index) == before
    assert HybridIndex.open(good_index, verify=True).counts()["reviews"] == 12

    # the products alone would drop every review: refused too, and --update is not what helps here
    code, _, err = cli(SHOP / "products.jsonl", "--index", good_index)
    assert code == 2 and "reviews 12 → 0" in err and "name all of the catalog's files" in err
    assert _manifest(good_index) == before

    # empty files into a new index: nothing to index, and nothing is written
    empty = _folder(tmp_path, "empty", {"products.jsonl": "", "reviews.jsonl": ""}, products=False)
    code, _, err = cli(empty, "--index", tmp_path / "new")
    assert code == 2 and "nothing to index: no product was read" in err
    assert not (tmp_path / "new").exists()

    # asked for explicitly, the replacement happens
    code, out, _ = cli(SHOP / "products.jsonl", "--index", good_index, "--replace")
    assert code == 0 and "indexed: products 5, reviews 0" in out


def test_cleanup_of_old_versions_spares_a_sibling_index_named_like_a_version(tmp_path, cli):
    sibling, index = tmp_path / "shop.v2", tmp_path / "shop"
    assert cli(SHOP, "--index", sibling)[0] == 0
    for _ in range(2):  # before: the second publish of `shop` deleted `.shop.v2.v…`, the sibling's live data
        assert cli(SHOP, "--index", index)[0] == 0
    assert HybridIndex.open(sibling, verify=True).counts()["products"] == 5
    versions = sorted(
        p.name.rsplit(".v", 1)[0] for p in tmp_path.iterdir() if re.fullmatch(r".*\.v\d{14}-\w{6}", p.name)
    )
    assert versions == [".shop", ".shop.v2"]  # one live version each
    assert sibling.resolve().parent == tmp_path and sibling.resolve().is_dir()


def test_update_holds_the_lock_from_reading_the_old_index_to_publishing(tmp_path, monkeypatch, analyzer, embedder):
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir(), later.mkdir()
    lines = (SHOP / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    shutil.copy(SHOP / "products.jsonl", first)
    (first / "reviews.jsonl").write_text("\n".join(lines[:8]) + "\n", encoding="utf-8")
    (later / "reviews.jsonl").write_text("\n".join(lines[8:]) + "\n", encoding="utf-8")
    path = tmp_path / "index"
    run_ingest(IngestConfig(sources=(str(first),), index=path), analyzer=analyzer, embedder=embedder)

    rivals: dict[str, object] = {}
    real_validate = pipeline.validate

    def validate_while_others_try(*args, **kwargs):
        # a full ingest in another thread, and another process, while the update has read the old index
        def full():
            try:
                run_ingest(IngestConfig(sources=(str(SHOP),), index=path), analyzer=analyzer, embedder=embedder)
                rivals["thread"] = "published"
            except IndexWriteError as exc:
                rivals["thread"] = str(exc)

        thread = threading.Thread(target=full)
        thread.start()
        thread.join()
        rivals["process"] = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from rag.index.build import index_lock\nwith index_lock(sys.argv[1]): pass",
                str(path),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stderr
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(pipeline, "validate", validate_while_others_try)
    result = run_ingest(
        IngestConfig(sources=(str(later),), index=path, update=True), analyzer=analyzer, embedder=embedder
    )
    # before: both exit 0 and the full ingest's publish is silently overwritten by the update
    assert "another ingest is writing" in rivals["thread"]
    assert "another ingest is writing" in rivals["process"]
    assert result.build.counts["reviews"] == 12
    assert HybridIndex.open(path, verify=True).counts()["reviews"] == 12


def test_whole_files_are_read_or_refused_loudly_never_lost(tmp_path):
    # before, each of these gave exit 0 with every row rejected as "rating is missing", or no message at all
    semicolons = _folder(tmp_path, "semi", {"reviews.csv": REVIEWS_CSV.replace(",", ";")})
    data = validate(discover(str(semicolons)))
    assert [r.review_id for r in data.reviews] == ["X1", "X2", "X3"]
    assert "reviews.csv: fields are separated by semicolons (';'), not commas" in str(data.problems[0])

    header_case = _folder(tmp_path, "case", {"reviews.csv": REVIEWS_CSV.replace("rating,text", "Rating,Text")})
    assert [r.rating for r in validate(discover(str(header_case))).reviews] == [5, 4, 2]

    rows = [{"review_id": f"J{i}", "product_id": "P1", "rating": 4, "text": f"좋아요 {i}"} for i in range(3)]
    array = _folder(tmp_path, "array", {"reviews.json": json.dumps(rows, ensure_ascii=False, indent=2)})
    data = validate(discover(str(array)))
    assert [r.review_id for r in data.reviews] == ["J0", "J1", "J2"] and data.skipped() == 0
    rows[1]["rating"] = "five"
    (array / "reviews.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    assert [str(p) for p in validate(discover(str(array))).problems] == [
        'reviews.json line 8: rating "five" is not a number'
    ]
    (array / "reviews.json").write_text('"리뷰 목록"', encoding="utf-8")
    with pytest.raises(SourceError, match=r"must hold an array of objects"):
        validate(discover(str(array)))
    (array / "reviews.json").write_text('[{"review_id": "J0", "product_id": "P1",\n "rating": 4', encoding="utf-8")
    with pytest.raises(SourceError, match=r"reviews.json: not valid JSON at line 2 .*after 0 rows"):
        validate(discover(str(array)))

    unclosed = REVIEWS_CSV.replace("X1,P1,5,소음이 작아요", 'X1,P1,5,"소음이 작아요') + "X4,P1,5,최고\n"
    data = validate(discover(str(_folder(tmp_path, "quote", {"reviews.csv": unclosed}))))
    # before: X1's text swallowed the three rows after it, and nothing was reported
    assert [r.review_id for r in data.reviews] == ["X2", "X3", "X4"]
    assert [str(p).split(" (")[0] for p in data.problems] == ["reviews.csv line 2: a quote"]
    assert "is not closed before line 5" in str(data.problems[0])

    wrong = _folder(tmp_path, "wrong", {"reviews.csv": REVIEWS_CSV.replace("rating", "stars")})
    with pytest.raises(SourceError, match=r"reviews.csv: the header has no rating column .*found ','-separated"):
        discover(str(wrong))
    other = _folder(tmp_path, "xlsx", {"reviews.xlsx": b"PK\x03\x04"})
    with pytest.raises(SourceError, match=r"reviews.xlsx cannot be read"):
        discover(str(other))


def _kill_inside_publish_window(build: Path, target: Path) -> None:
    """Publish `build` at `target` in a child process that dies (no cleanup) right after the old plain folder
    was moved aside and before the symlink took its place: the worst instant of the publish."""
    script = (
        "import os, sys\nfrom pathlib import Path\nimport rag.index.build as b\n"
        "os.symlink = lambda *a, **k: os._exit(9)\n"
        "b._publish(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(build), str(target)], cwd=ROOT, capture_output=True)
    assert proc.returncode == 9, proc.stderr


def test_a_plain_index_folder_killed_while_publishing_is_put_back(shop_index_path, tmp_path, cli, caplog):
    index = tmp_path / "idx"
    shutil.copytree(Path(shop_index_path).resolve(), index)  # an index folder from before symlinks
    before = _manifest(index)
    shutil.copytree(Path(shop_index_path).resolve(), tmp_path / ".idx.build-0123abcd")
    _kill_inside_publish_window(tmp_path / ".idx.build-0123abcd", index)
    assert not index.exists() and (tmp_path / ".idx.v0-previous" / "manifest.json").is_file()
    # before: the next ingest deleted the backup with the other old versions and published without a word
    code, _, err = cli(SHOP / "products.jsonl", "--index", index)
    assert "the previous index was put back from .idx.v0-previous" in caplog.text  # a warning on stderr
    assert code == 2 and "reviews 12 → 0" in err  # and it is then protected like any current index
    assert _manifest(index) == before
    assert HybridIndex.open(index, verify=True).counts()["reviews"] == 12


def test_a_refused_publish_leaves_no_copy_behind(tmp_path, cli):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("내 메모", encoding="utf-8")
    a_file = tmp_path / "afile"
    a_file.write_text("x", encoding="utf-8")
    for target, why in ((mine, "is a folder with other files in it"), (a_file, "is a file")):
        code, _, err = cli(SHOP, "--index", target)
        assert code == 2 and why in err and UNCHANGED in err
    # before: a full copy of the built index stayed behind as .mine.v… and .afile.v…
    assert sorted(p.name for p in tmp_path.iterdir()) == [".afile.lock", ".mine.lock", "afile", "mine"]
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


# ---- encodings ----


def test_encodings_are_detected_per_file_and_a_bad_line_costs_only_itself(tmp_path):
    cases = {
        "cp949": (REVIEWS_CSV.encode("cp949"), "read as CP949"),
        "utf16": (REVIEWS_CSV.encode("utf-16"), "read as UTF-16"),
        "utf16le": (REVIEWS_CSV.encode("utf-16-le"), "read as UTF-16-LE"),
        "bom": (b"\xef\xbb\xbf" + REVIEWS_CSV.encode(), None),
    }
    for name, (content, notice) in cases.items():
        data = validate(discover(str(_folder(tmp_path, name, {"reviews.csv": content}))))
        # before: `'utf-8' codec can't decode byte 0xbc in position 60`, the whole ingest aborted
        assert [r.text for r in data.reviews] == ["소음이 작아요", "괜찮아요", "별로예요"], name
        notices = [str(p) for p in data.problems if p.reason == "file_notice"]
        if notice:
            assert len(notices) == 1 and notices[0].startswith(f"reviews.csv: {notice}"), (name, notices)
        else:
            assert notices == [], name

    mixed = REVIEWS_CSV.encode() + "X4,P1,3,이건 CP949\n".encode("cp949") + "X5,P1,5,다시 UTF-8\n".encode()
    data = validate(discover(str(_folder(tmp_path, "mixed", {"reviews.csv": mixed}))))
    # before: every good row was lost with the one CP949 line
    assert [r.review_id for r in data.reviews] == ["X1", "X2", "X3", "X5"]
    assert [(p.reason, p.where) for p in data.problems] == [("undecodable_line", "reviews.csv line 5")]
    assert "not valid UTF-8" in data.problems[0].message and "--encoding cp949" in data.problems[0].message

    forced = discover(str(tmp_path / "cp949"), encoding="cp949")
    assert [s.encoding for s in forced if s.kind == "reviews"] == ["cp949"]
    assert not [p for p in validate(forced).problems if p.reason == "file_notice"]
    with pytest.raises(SourceError, match="unknown encoding 'klingon'"):
        discover(str(tmp_path / "cp949"), encoding="klingon")


# ---- odd values ----


def test_odd_values_are_row_errors_named_with_the_value(tmp_path):
    product = {"product_id": "Q0", "name": "가습기", "price": 1000, "description": "조용"}
    odd = [
        ("price", "inf", 'price "inf" is not a number'),
        ("price", float("inf"), "must be a finite number"),
        ("price", 1e30, "is too large (at most 1,000,000,000,000)"),
        ("price", 10**19, "is too large"),
        ("price", "1,2,3", 'price "1,2,3" is not a number (commas only between thousands'),
        ("price", [1000], "price must be a number, got a list"),
        ("name", ["가습기", "대용량"], "name must be text, got a list"),
        ("description", {"a": 1}, "description must be text, got a dict"),
        ("name", "가습기\ud800", "unpaired surrogate"),
        ("purchases", 2**70, "is too large"),
    ]
    rows = [product] + [{**product, "product_id": f"Q{i}", key: value} for i, (key, value, _) in enumerate(odd, 1)]
    text = "\n".join(json.dumps(r, ensure_ascii=True) for r in rows) + "\n"
    data = validate(discover(str(_folder(tmp_path, "odd", {"products.jsonl": text}, products=False))))
    assert list(data.products) == ["Q0"]
    for problem, (_, _, expected), line in zip(data.problems, odd, range(2, 2 + len(odd)), strict=True):
        assert problem.reason == "bad_value" and problem.where == f"products.jsonl line {line}"
        assert expected in problem.message, problem.message
    # what a shop export really writes still reads
    good = [
        {**product, "product_id": "G1", "price": "129,000원"},
        {**product, "product_id": "G2", "price": 12.9e3},
        {**product, "product_id": "G3", "price": "₩ 39,900"},
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good)
    data = validate(discover(str(_folder(tmp_path, "good", {"products.jsonl": text}, products=False))))
    assert [p.price for p in data.products.values()] == [129000, 12900, 39900] and not data.problems


def test_review_text_as_a_list_is_reported_not_stored_as_a_repr(tmp_path):
    reviews = json.dumps({"review_id": "X1", "product_id": "P1", "rating": 5, "text": ["좋아요", "최고"]}) + "\n"
    data = validate(discover(str(_folder(tmp_path, "list", {"reviews.jsonl": reviews}))))
    assert data.reviews == []  # before: stored and searched as "['좋아요', '최고']"
    assert [str(p) for p in data.problems] == [
        "reviews.jsonl line 1: text must be text, got a list: ['좋아요', '최고']"
    ]


def test_damaged_gzip_files_are_named_and_nothing_is_published(good_index, tmp_path, cli):
    rows = "".join(
        json.dumps({"review_id": f"Z{i}", "product_id": "P1", "rating": 5, "text": f"좋아요 {i}"}) + "\n"
        for i in range(200)
    )
    whole = gzip.compress(rows.encode())
    before = _manifest(good_index)
    for name, content, expected in (
        ("truncated", whole[: len(whole) // 2], "the gzip data is damaged or cut short"),
        ("plain", rows.encode(), "is not gzip-compressed"),
    ):
        folder = _folder(tmp_path, name, {"reviews.jsonl.gz": content})
        shutil.copy(SHOP / "reviews.jsonl", folder / "more_reviews.jsonl")
        code, _, err = cli(folder, "--index", good_index)
        # before: EOFError / BadGzipFile tracebacks
        assert code == 2 and "reviews.jsonl.gz" in err and expected in err and UNCHANGED in err
        assert "Traceback" not in err
    assert _manifest(good_index) == before


def test_a_full_disk_is_a_clear_error_and_the_previous_index_stays(good_index, monkeypatch, cli, analyzer):
    before = _manifest(good_index)
    import faiss

    def faiss_full(*args):
        raise RuntimeError("Error in faiss::FileIOWriter::FileIOWriter(const char*) at impl/io.cpp:98: No space left")

    class SqliteFull:
        def __init__(self, *args):
            raise sqlite3.OperationalError("database or disk is full")

    for patch in ((faiss, "write_index", faiss_full), (build_module, "CatalogWriter", SqliteFull)):
        with monkeypatch.context() as m:
            m.setattr(*patch)
            code, _, err = cli(SHOP, "--index", good_index)
        # before: a RuntimeError / OperationalError traceback after all the embedding
        assert code == 2 and "could not write the index files" in err and "free disk space" in err, err
        assert UNCHANGED in err and "Traceback" not in err
        assert _manifest(good_index) == before
        assert not list(good_index.parent.glob(".DIR.build-*"))

    # checked before the expensive stages: with too little space nothing is analysed
    counting = CountingAnalyzer(analyzer)
    monkeypatch.setattr(pipeline, "KoreanAnalyzer", lambda config=None: counting)
    monkeypatch.setattr(build_module.shutil, "disk_usage", lambda path: SimpleNamespace(free=1000))
    code, _, err = cli(SHOP, "--index", good_index)
    assert code == 2 and "not enough disk space" in err and "free some space" in err
    assert counting.chars == 0
    assert _manifest(good_index) == before


# ---- bounded cost ----


@pytest.mark.parametrize("spaced", [True, False], ids=["5MB-review", "5MB-review-without-spaces"])
def test_a_huge_review_costs_a_bounded_amount_of_work(tmp_path, analyzer, embedder, spaced):
    chunk = "가습기 소음이 정말 작아요 " if spaced else "가습기소음이정말작아요"
    huge = (chunk * (5_000_000 // len(chunk) + 1))[:5_000_000]
    description = ("설명" * 3_000_000)[:5_000_000]
    product = {"product_id": "H1", "name": "대용량 가습기", "price": 39000, "description": description}
    review = {"review_id": "H1-1", "product_id": "H1", "rating": 5, "text": huge}
    folder = tmp_path / "huge"
    folder.mkdir()
    (folder / "products.jsonl").write_text(json.dumps(product, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "reviews.jsonl").write_text(json.dumps(review, ensure_ascii=False) + "\n", encoding="utf-8")
    counting_analyzer, counting_embedder = CountingAnalyzer(analyzer), CountingEmbedder(embedder)
    result = run_ingest(
        IngestConfig(sources=(str(folder),), index=tmp_path / "idx"),
        analyzer=counting_analyzer,
        embedder=counting_embedder,
    )
    # before: all 10,000,000 characters went to kiwi and to the embedder (34 s per 40k characters embedded)
    assert counting_analyzer.longest <= MAX_ANALYZED_CHARS
    assert counting_analyzer.chars <= 2 * MAX_ANALYZED_CHARS
    assert max(len(t) for t in counting_embedder.texts) <= MAX_EMBEDDED_CHARS
    assert sum(len(t) for t in counting_embedder.texts) <= 2 * MAX_EMBEDDED_CHARS
    assert result.build.work == {"chars_analysed": counting_analyzer.chars, "chars_embedded": 2 * MAX_EMBEDDED_CHARS}
    notices = [str(p) for p in result.problems if p.reason == "truncated_text"]
    assert notices == [
        f"products.jsonl line 1: description has 5,000,000 characters: kept the first {LIMITS['description']:,} "
        "(the limit for description)",
        f"reviews.jsonl line 1: text has 5,000,000 characters: kept the first {LIMITS['text']:,} (the limit for text)",
    ]
    index = HybridIndex.open(tmp_path / "idx")
    assert len(index.catalog.review("H1-1").text) <= LIMITS["text"]
