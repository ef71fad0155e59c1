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


def test_parse_reads_bench_search_s_table():
    """eval.bench_search prints a "p50 ms  p95 ms" table; its rows are the measures, the line after it is not."""
    out = (
        "72 queries × 3, demo index\n"
        "                               p50 ms   p95 ms\n"
        "search + rank (all)              19.1     34.2\n"
        "query embedding, in search        9.8     19.4\n"
        "everything-but-embedding / embedding (p50): 1.00\n"
    )
    assert parse(out) == {
        "search + rank (all) p50": 19.1,
        "search + rank (all) p95": 34.2,
        "query embedding, in search p50": 9.8,
        "query embedding, in search p95": 19.4,
    }
