"""`python -m ingest` as a user runs it: a summary on success, a clear message and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ingest.__main__ import main

from .conftest import SHOP

ROOT = Path(__file__).resolve().parents[1]


def test_cli_ingests_a_folder_and_summarises(tmp_path, capsys):
    assert main([str(SHOP), "--index", str(tmp_path / "idx"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"index written: {tmp_path / 'idx'}" in out
    assert "rows read: products 5, reviews 12, events 6" in out
    assert "attributes: 13 typed, 0 kept as text" in out
    assert "skipped rows: none" in out
    assert "kept with a notice: empty_text 1" in out
    assert "[empty_text] reviews.jsonl line 12" in out
    assert "time per stage:" in out and "embed" in out
    # the cost as work done: the 16 documents' 676 characters, all under the caps, analysed and embedded whole
    assert "work: chars analysed 676, chars embedded 676" in out


def test_cli_reports_bad_rows_and_strict_fails_without_touching_the_index(tmp_path, capsys):
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "products.jsonl").write_text((SHOP / "products.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    rows = [{"review_id": f"X{i}", "product_id": "P1", "rating": 5, "text": f"좋아요 {i}번째"} for i in range(3)]
    rows[1]["rating"] = "five"
    (shop / "reviews.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    index = tmp_path / "idx"
    assert main([str(shop), "--index", str(index), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "skipped rows: bad_value 1" in out
    assert '[bad_value] reviews.jsonl line 2: rating "five" is not a number' in out
    before = (index / "manifest.json").read_text()
    assert main([str(shop), "--index", str(index), "--strict", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert 'error: reviews.jsonl line 2: rating "five" is not a number' in err
    assert "previous index, if any, is unchanged" in err
    assert (index / "manifest.json").read_text() == before


def test_cli_as_a_process_rejects_a_missing_source(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", str(tmp_path / "nope.jsonl"), "--index", str(tmp_path / "i")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "nope.jsonl: no such file or folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_names_a_bad_encoding_and_new_flags_are_documented(tmp_path, capsys):
    assert main([str(SHOP), "--index", str(tmp_path / "idx"), "--encoding", "klingon"]) == 2
    err = capsys.readouterr().err
    assert "error: unknown encoding 'klingon'; use a Python codec name such as utf-8, cp949" in err
    assert not (tmp_path / "idx").exists()
    proc = subprocess.run([sys.executable, "-m", "ingest", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "--replace" in proc.stdout and "--encoding" in proc.stdout
