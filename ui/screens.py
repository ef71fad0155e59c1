"""Screenshots of demo conversations in headless Chromium, and the helpers the browser test shares.

    python -m ui.screens                                   # index indexes/demo → test-artifacts/screens/*.png
    python -m ui.screens --index /tmp/demo --out /tmp/shots

Needs Debian's `chromium` and `fonts-noto-cjk` (without them Hangul renders as boxes) and the `playwright` package
(`tests/setup.sh` installs all three). Playwright drives the system Chromium; `playwright install` is never needed.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
CONVERSATIONS: dict[str, tuple[str, ...]] = {
    "00-welcome": (),  # the first screen: the synthetic-catalog note and example questions
    # a shopper who first asked for premium earphones, then for cheaper ones (the follow-up keeps the category)
    "01-follow-up-cheaper": ("음질 좋은 무선이어폰 10만원 이상", "더 싼 건 없어?"),
    # nothing fits: the answer says which condition to loosen
    "02-no-result": ("3만원 이하 방수 등산화",),
    # an answer with its evidence opened, then a question about the second product
    "03-evidence-and-second": ("비 오는 날 산행용 가벼운 등산화 10만원 이하", "두 번째 거 단점은?"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(index: Path, timeout: float = 180.0, log: Path | None = None) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free port of 127.0.0.1, serving `index`; yields its URL, stops it after."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--", "--index", str(index),
    ]  # fmt: skip
    out = open(log, "w") if log else subprocess.DEVNULL  # closed in the finally below
    process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {process.returncode}; see {log or 'its output'}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()


@contextmanager
def chromium() -> Iterator[object]:
    """The system Chromium under Playwright (a Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def open_app(browser, url: str, timeout_ms: float = 180_000):
    """A new page on the app, once the chat box is there (the first visit opens the index)."""
    page = browser.new_page(viewport=VIEWPORT, locale="ko-KR")
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stChatInputTextArea']", timeout=timeout_ms)
    return page


def ask(page, question: str, turn: int, timeout_ms: float = 120_000) -> None:
    """Type a question, send it, and wait until answer number `turn` (0-based) is drawn with its cards."""
    box = page.locator("[data-testid='stChatInputTextArea']")
    box.fill(question)
    box.press("Enter")
    page.wait_for_selector(f".st-key-answer-{turn}", timeout=timeout_ms)
    wait_idle(page, timeout_ms)


def wait_idle(page, timeout_ms: float = 120_000) -> None:
    """Until Streamlit's 'running' indicator is gone (charts and fonts get a moment to settle)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms, polling=200
    )
    page.wait_for_timeout(800)


def open_evidence(page, turn: int, product: int = 0) -> None:
    """Open the review-evidence expander of one product card in answer `turn`."""
    summary = page.locator(f".st-key-answer-{turn} [data-testid='stExpander'] summary").nth(product)
    summary.click()
    page.wait_for_timeout(400)


def full_page_screenshot(page, path: Path) -> Path:
    """Streamlit scrolls inside its main section, so grow the viewport to the content before the shot."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"], [data-testid="stSidebarContent"]\')]'
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 160, 12_000)})
    page.wait_for_timeout(600)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


def take_screens(index: Path, out: Path) -> list[Path]:
    shots = []
    with serve(index, log=out / "streamlit.log") as url, chromium() as browser:
        for name, questions in CONVERSATIONS.items():
            page = open_app(browser, url)
            for turn, question in enumerate(questions):
                ask(page, question, turn)
                if turn == 0 and "evidence" in name:
                    open_evidence(page, 0)
            shots.append(full_page_screenshot(page, out / f"{name}.png"))
            page.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ui.screens", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, default=ROOT / "indexes" / "demo", help="a built demo index")
    p.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    args = p.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    if not (args.index / "manifest.json").is_file():
        print(f"error: no index at {args.index}: python -m ingest --demo --index {args.index}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for path in take_screens(args.index.absolute(), args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
