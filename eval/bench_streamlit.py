"""Concurrent shoppers against real `streamlit run` processes, over Streamlit's own websocket protocol.

    nice python -m eval.bench_streamlit --index indexes/demo [--shoppers 1 4 8] [--questions 4] [--replicas 1 2] \
        [--against OLD_CHECKOUT --rounds 2]    # e.g. OLD_CHECKOUT from `git worktree add --detach /tmp/old COMMIT`

Starts `--replicas` app processes (`streamlit run ui/app.py -- --index INDEX --threads T`, headless, each on its own
port) and N shopper sessions spread over them, as a sticky load balancer would. A shopper speaks to
`/_stcore/stream` what a browser speaks: a `rerun_script` BackMsg to open the page, then one per question with the
chat input's value, and reads the ForwardMsgs the app sends back. Three times per question: the first streamed
piece (the first new markdown element after the echo of the question: the app's `st.write_stream`), the full
answer text (the stream's slot emptied for the cards: `slot.empty()` in ui/app.py) and the whole page (cards,
rating charts, the sidebar's filters: `script_finished`). So this times the whole app — the script's rerun, its
widgets, Streamlit's serialisation — not only `ShoppingGuide.stream` (`eval.bench_load`). Errors: an exception
element, or no answer within `--timeout`. Prints p50/p95, errors and the RSS of each app process; the load
average before each row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    try:
        line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return -1.0


def start_app(index: str, threads: int, tree: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """`streamlit run ui/app.py` of `tree` (a checkout of this repository), from its root, as the README runs it
    (so its .streamlit/config.toml applies)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--", "--index", index, "--threads", str(threads)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


async def _wait_healthy(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /_stcore/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            head = await reader.read(64)
            writer.close()
            if b" 200" in head:
                return
        except OSError:
            pass
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the app on port {port} did not answer /_stcore/health within {timeout:.0f}s")


class Shopper:
    """One browser session: opens the page, then asks questions one after the other."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.chat_id: str | None = None
        self.seen_markdown: set[str] = set()

    async def __aenter__(self) -> Shopper:
        import websockets

        url = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=2**26, open_timeout=self.timeout)
        await self._rerun([])
        await self._until_finished(None)  # the welcome page: learn the chat input's id and the page's own text
        if self.chat_id is None:
            raise RuntimeError("the page has no chat input")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def _rerun(self, widgets: list) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        for w in widgets:
            msg.rerun_script.widget_states.widgets.append(w)
        await self.ws.send(msg.SerializeToString())

    async def _until_finished(self, question: str | None) -> tuple[float | None, float | None, bool]:
        """Reads until the script run finishes; returns when the first new piece came and when the streamed text
        was complete (seconds since the call), and whether the app showed an exception."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        started, first, text, echoed, failed = time.perf_counter(), None, None, question is None, False
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=self.timeout)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "chat_input":
                    self.chat_id = element.chat_input.id
                elif which == "exception":
                    failed = True
                elif which == "empty" and first is not None and text is None:
                    text = time.perf_counter() - started  # the stream's slot makes way for the cards
                elif which == "markdown":
                    body = element.markdown.body
                    if question is None:
                        self.seen_markdown.add(body)
                    elif not echoed:
                        echoed = question.strip()[:10] in body
                    elif first is None and body.strip() and body not in self.seen_markdown:
                        first = time.perf_counter() - started
            elif kind == "script_finished":
                return first, text, failed

    async def ask(self, question: str) -> tuple[float, float, float]:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=self.chat_id)
        state.chat_input_value.data = question
        started = time.perf_counter()
        await self._rerun([state])
        first, text, failed = await self._until_finished(question)
        page = time.perf_counter() - started
        if failed or first is None:
            raise RuntimeError("the app showed an error" if failed else "no answer text was streamed")
        return first * 1000, (text or page) * 1000, page * 1000


async def _shop(port: int, questions: list[str], timeout: float, times: list, errors: list) -> None:
    try:
        async with Shopper(port, timeout) as shopper:
            for q in questions:
                try:
                    times.append(await shopper.ask(q))
                except Exception as exc:  # counted; the session goes on with the next question
                    errors.append(f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        errors.extend([f"{type(exc).__name__}: {exc}"] * len(questions))


async def run(ports: list[int], shoppers: int, questions: list[str], timeout: float) -> dict:
    times: list = []
    errors: list = []
    rotated = [questions[i % len(questions) :] + questions[: i % len(questions)] for i in range(shoppers)]
    started = time.perf_counter()
    await asyncio.gather(*(_shop(ports[i % len(ports)], qs, timeout, times, errors) for i, qs in enumerate(rotated)))
    wall = time.perf_counter() - started
    arr = np.array(times).reshape(-1, 3)
    pct = lambda col, q: round(float(np.percentile(arr[:, col], q))) if len(arr) else None  # noqa: E731
    return {
        "shoppers": shoppers,
        "replicas": len(ports),
        "answers": len(arr),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:3],
        "first_p50_ms": pct(0, 50),
        "first_p95_ms": pct(0, 95),
        "full_p50_ms": pct(1, 50),
        "full_p95_ms": pct(1, 95),
        "page_p50_ms": pct(2, 50),
        "page_p95_ms": pct(2, 95),
        "answers_per_s": round(len(arr) / wall, 2),
    }


async def one_setting(args: argparse.Namespace, questions: list[str], replicas: int, tree: Path) -> list[dict]:
    rows = []
    apps = [start_app(args.index, args.threads, tree) for _ in range(replicas)]
    try:
        for _, port in apps:
            await _wait_healthy(port, args.timeout)
        for _, port in apps:  # each app opens its index on its first session: not timed
            async with Shopper(port, args.timeout) as warm:
                await warm.ask(questions[0])
        for n in args.shoppers:
            if replicas > n:
                continue
            load = os.getloadavg()[0]
            r = await run([port for _, port in apps], n, questions, args.timeout)
            r.update(threads=args.threads, load_before=load, rss_mb=[round(_rss_mb(p.pid)) for p, _ in apps])
            r["tree"] = "this" if tree == ROOT else str(tree)
            rows.append(r)
            print(f"| {r['tree']} | {n} | {replicas} | {args.threads} | {r['answers']} | {r['errors']} | "
                  f"{r['first_p50_ms']} / {r['first_p95_ms']} | {r['full_p50_ms']} / {r['full_p95_ms']} | "
                  f"{r['page_p50_ms']} / {r['page_p95_ms']} | "
                  f"{r['answers_per_s']} | {', '.join(map(str, r['rss_mb']))} | {load:.1f} |",
                  flush=True)  # fmt: skip
            if r["errors"]:
                print(f"  errors: {r['error_kinds']}", flush=True)
    finally:
        for proc, _ in apps:
            proc.terminate()
        for proc, _ in apps:
            proc.wait(timeout=30)
    return rows


async def main_async(args: argparse.Namespace, questions: list[str]) -> list[dict]:
    """Every setting for this tree, then for `--against` (if given), alternately: B-A-A-B over `--rounds`."""
    trees = [ROOT] + ([args.against.resolve()] if args.against else [])
    rows = []
    for i in range(args.rounds):
        order = trees if i % 2 == 0 else trees[::-1]
        for replicas in args.replicas:
            for tree in order:
                rows += await one_setting(args, questions, replicas, tree)
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench_streamlit", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", default="indexes/demo")
    p.add_argument("--queries", type=Path, default=Path("eval/data/demo_queries.jsonl"))
    p.add_argument("--shoppers", type=int, nargs="+", default=[1, 4, 8])
    p.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    p.add_argument("--questions", type=int, default=4, help="questions each shopper asks")
    p.add_argument("--threads", type=int, default=1, help="the app's --threads")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds before an answer counts as an error")
    p.add_argument("--against", type=Path, help="another checkout (e.g. a git worktree of an older commit) to run too")
    p.add_argument("--rounds", type=int, default=1, help="repeat every setting; with --against, in alternating order")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    args.index = str(Path(args.index).resolve())  # each tree's app starts in its own root
    lines = args.queries.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["query"] for x in lines if x.strip()][: args.questions]
    print("| tree | shoppers | app processes | threads | answers | errors | first piece p50 / p95 ms | "
          "full answer text p50 / p95 ms | whole page p50 / p95 ms | answers/s | RSS MB per process | "
          "load before |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    rows = asyncio.run(main_async(args, questions))
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
