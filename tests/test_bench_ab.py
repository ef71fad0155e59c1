"""eval.bench_ab reads the numbers the benchmarks print, so an old/new ratio is of the same measure."""

from eval.bench_ab import parse


def test_parse_reads_every_percentile_of_every_line():
    out = (
        "guide opened in 1.20 s; 72 answers (grounded composer)\n"
        "first streamed piece: p50 12.5 ms, p95 40.0 ms\n"
        "full answer:          p50 29.9 ms, p95 49.0 ms\n"
    )
    assert parse(out) == {
        "first streamed piece p50": 12.5,
        "first streamed piece p95": 40.0,
        "full answer p50": 29.9,
        "full answer p95": 49.0,
    }


def test_parse_ignores_lines_without_latencies():
    assert parse("guide opened in 1.20 s\n3 answers\n") == {}
