"""The chat app end to end: `streamlit run ui/app.py` on a free port, driven by headless Chromium (Playwright).

Needs Debian's chromium and fonts-noto-cjk and the playwright package (tests/setup.sh installs them); never
`playwright install`. Screenshots are saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.generation.decide import ROLE_LABELS
from rag.generation.guide_text import option_text, unsaid_text
from rag.guide import ShoppingGuide, Turn
from ui.screens import CHROMIUM, ask, chromium, full_page_screenshot, open_app, open_evidence, serve, wait_idle
from ui.text import JOINER

from .test_ui import EVIL_NAME, EVIL_QUESTION, build_evil_index

pytestmark = [pytest.mark.browser, pytest.mark.slow]
expect = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' (playwright)").expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
QUESTION = "비 오는 날 산행용 가벼운 등산화 10만원 이하"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (tests/setup.sh)")
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def demo_url(demo_index_path):
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(demo_index_path, log=ARTIFACTS / "browser-demo-streamlit.log") as url:
        yield url


def rendered_fonts(page, selector: str) -> dict[str, int]:
    """Font family → glyphs Chromium drew for the element's text (DevTools CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def test_a_shopper_asks_in_korean_and_sees_cards_quotes_and_a_follow_up(
    browser, demo_url, demo_index_path, analyzer, embedder
):
    guide = ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)
    expected = guide.ask(QUESTION)
    cheaper = guide.ask("더 싼 건 없어?", history=[Turn(QUESTION, expected)])  # what the app must show next
    first = expected.recommendations[0]
    page = open_app(browser, demo_url)
    try:
        expect(page.get_by_text("합성 데모 카탈로그")).to_be_visible()
        ask(page, QUESTION, turn=0)
        answer = page.locator(".st-key-answer-0")
        expect(answer.get_by_text(expected.headline[:20]).first).to_be_visible()  # the streamed headline stays on top
        title = answer.locator("h5").first
        expect(title).to_contain_text(first.name)
        expect(answer.get_by_text(f"{first.price:,}원").first).to_be_visible()
        # auto-waiting: on a loaded machine the charts are drawn a moment after the text
        expect(answer.locator("[data-testid='stExpander']")).to_have_count(len(expected.recommendations))
        expect(answer.locator("[data-testid='stVegaLiteChart']")).to_have_count(len(expected.recommendations))
        # Hangul is drawn with a CJK font (without fonts-noto-cjk it falls back to boxes)
        fonts = rendered_fonts(page, ".st-key-answer-0 h5")
        assert any("CJK" in family and glyphs > 0 for family, glyphs in fonts.items()), fonts

        quote = first.citations[0].quote
        expect(answer.get_by_text(quote).first).not_to_be_visible()  # evidence is folded until asked for
        open_evidence(page, turn=0)
        expect(answer.get_by_text(quote).first).to_be_visible()
        full_page_screenshot(page, ARTIFACTS / "browser-demo-answer.png")

        ask(page, "더 싼 건 없어?", turn=1)
        follow_up = page.locator(".st-key-answer-1")
        expect(follow_up.get_by_text(cheaper.headline[:20]).first).to_be_visible()
        price_chip = f"{first.price - 1:,}원 이하"  # cheaper than the top pick
        assert price_chip in cheaper.understood
        expect(follow_up.get_by_text(price_chip).first).to_be_visible()
        full_page_screenshot(page, ARTIFACTS / "browser-demo-follow-up.png")
    finally:
        page.close()


COMPARE_QUESTION = "노캔이 중요하면 소리온 에어랑 소노릭 프로3 중 뭐가 나아?"


def test_a_comparison_is_a_real_table_and_a_recommendation_offers_picks(
    browser, demo_url, demo_index_path, analyzer, embedder
):
    guide = ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)
    expected = guide.ask(COMPARE_QUESTION)
    a, b = expected.comparison.products
    page = open_app(browser, demo_url)
    try:
        ask(page, COMPARE_QUESTION, turn=0)
        table = page.locator(".st-key-answer-0 [data-testid='stTable'] table")
        expect(table).to_have_count(1)
        header = table.locator("thead")
        expect(header).to_contain_text(a.short)
        expect(header).to_contain_text(b.short)
        price_row = table.locator("tbody tr").filter(has_text="가격").first
        expect(price_row).to_contain_text(f"{a.price:,}원")
        expect(price_row).to_contain_text(f"{b.price:,}원")
        expect(page.locator(".st-key-answer-0 h5")).to_have_count(0)  # no product cards: only the table
        first_verdict = expected.comparison.verdicts[0].text
        expect(page.locator(".st-key-answer-0").get_by_text(first_verdict).first).to_be_visible()
        full_page_screenshot(page, ARTIFACTS / "browser-compare-named.png")

        ask(page, "노캔 이어폰 추천해줘", turn=1)
        picks = guide.ask("노캔 이어폰 추천해줘").picks
        answer = page.locator(".st-key-answer-1")
        for pick in picks.all():
            expect(answer.get_by_text(ROLE_LABELS[pick.role]).first).to_be_visible()
        ask(page, "둘 차이", turn=2)
        expect(page.locator(".st-key-answer-2 [data-testid='stTable'] table")).to_have_count(1)
        full_page_screenshot(page, ARTIFACTS / "browser-compare-picks-and-shown.png")
    finally:
        page.close()


def test_untrusted_review_and_product_text_render_as_plain_text(browser, tmp_path, analyzer, embedder):
    index = build_evil_index(tmp_path, analyzer, embedder)
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(index, log=ARTIFACTS / "browser-untrusted-streamlit.log") as url:
        page = open_app(browser, url)
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            ask(page, EVIL_QUESTION, turn=0)
            open_evidence(page, turn=0)
            main = page.locator("[data-testid='stMainBlockContainer']")
            text = main.inner_text().replace(JOINER, "")  # the invisible joiners that stop autolinks
            assert EVIL_NAME in text and "<img src=x onerror=alert(1)>" in text and "<b>해커</b>" in text
            assert "`code` | 표 | :smile:" in text and "[x](http://x.example)" in text
            assert main.locator("a[href*='x.example'], img[src='x'], iframe, script, strong:text('굵게')").count() == 0
            assert main.locator("del, s, .katex, code, table").count() == 0  # no strike-through, LaTeX, code, table
            assert dialogs == []
            full_page_screenshot(page, ARTIFACTS / "browser-untrusted-text.png")

            ask(page, "굵게 빨강 가습기랑 미니웨이브 비교", turn=1)  # the product with Markdown in its name, in a table
            compared = page.locator(".st-key-answer-1")
            table = compared.locator("[data-testid='stTable'] table")
            expect(table).to_have_count(1)
            assert "<script>alert(1)</script>" in compared.inner_text().replace(JOINER, "")
            assert "<b>해커</b>" in compared.inner_text().replace(JOINER, "")
            assert table.locator("a, img, iframe, script, strong, em, del, .katex").count() == 0
            assert dialogs == []
            full_page_screenshot(page, ARTIFACTS / "browser-untrusted-compare.png")
        finally:
            page.close()


def test_a_vague_question_asks_back_with_chips_and_a_clicked_chip_brings_products(
    browser, demo_url, demo_index_path, analyzer, embedder
):
    guide = ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)
    asked = guide.ask("선물")  # what the app must show: a question back, its chips, no products
    chip = asked.clarify.chips[0]
    after = guide.ask(chip.question, history=[Turn("선물", asked)])
    page = open_app(browser, demo_url)
    try:
        ask(page, "선물", turn=0)
        first = page.locator(".st-key-answer-0")
        expect(first.get_by_text(asked.clarify.question).first).to_be_visible()
        assert first.locator("h5").count() == 0  # no product card before the shopper says more
        buttons = first.locator("[class*='st-key-clarify-'] [data-testid='stButton']")
        expect(buttons).to_have_count(len(asked.clarify.chips))
        for button, c in zip(buttons.all(), asked.clarify.chips, strict=True):  # in order (the icon's name aside)
            expect(button).to_contain_text(c.label)
        full_page_screenshot(page, ARTIFACTS / "browser-clarify-chips.png")

        first.get_by_role("button", name=chip.label).click()
        page.wait_for_selector(".st-key-answer-1", timeout=120_000)
        wait_idle(page)
        second = page.locator(".st-key-answer-1")
        expect(second.locator("h5").first).to_contain_text(after.recommendations[0].name)  # products now
        expect(page.get_by_text(chip.question).first).to_be_visible()  # the chip became the shopper's turn
        if after.clarify is not None:  # and the next question narrows further (예산)
            chips = second.locator("[class*='st-key-clarify-'] [data-testid='stButton']")
            expect(chips).to_have_count(len(after.clarify.chips))
        full_page_screenshot(page, ARTIFACTS / "browser-clarify-clicked.png")
    finally:
        page.close()


def test_a_product_type_shows_its_buying_guide_and_option_chips_that_narrow(
    browser, demo_url, demo_index_path, analyzer, embedder
):
    guide = ShoppingGuide.from_index(demo_index_path, analyzer=analyzer, embedder=embedder)
    expected = guide.ask("가습기 추천")
    chip = expected.clarify.chips[-1]
    narrowed = guide.ask(chip.question, history=[Turn("가습기 추천", expected)])
    page = open_app(browser, demo_url)
    try:
        ask(page, "가습기 추천", turn=0)
        answer = page.locator(".st-key-answer-0")
        expect(answer.get_by_text("고려할 점").first).to_be_visible()
        for d in expected.guide.dimensions[:3]:  # each dimension's options with their prices, as chips
            expect(answer.get_by_text(option_text(d.options[0])).first).to_be_visible()
        expect(answer.get_by_text(unsaid_text(expected.guide)).first).to_be_visible()
        expect(answer.locator("[data-testid='stExpander']")).to_have_count(len(expected.recommendations))
        full_page_screenshot(page, ARTIFACTS / "browser-buying-guide.png")

        answer.get_by_role("button", name=chip.label).click()
        page.wait_for_selector(".st-key-answer-1", timeout=120_000)
        wait_idle(page)
        second = page.locator(".st-key-answer-1")
        expect(second.locator("h5")).to_have_count(len(narrowed.recommendations))
        expect(second.locator("h5").first).to_contain_text(narrowed.recommendations[0].name)
        full_page_screenshot(page, ARTIFACTS / "browser-buying-guide-chip.png")
    finally:
        page.close()
