"""The web app in a real browser: Debian's chromium driven by Playwright (no downloads).

Ask, read a citation's quote by hover, keyboard and tap, open the passage, switch audience,
follow up, and read the page at a phone's width. Screenshots go to artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from medcite.settings import Settings
from medcite.web import create_app

from ..web_support import FIRST_QUESTION, FOLLOW_UP, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is absent")


@pytest.fixture(scope="module")
def base_url(web_settings: Settings) -> Iterator[str]:
    with live_server(create_app(web_settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == [], "the page logged errors"


def _screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def _ask(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("textbox", name="Your question").fill(FIRST_QUESTION)
    page.get_by_label("Clinician").check()
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url(re.compile(r"/c/[\w-]+#answer-"))


def test_ask_read_citations_switch_audience_and_follow_up(page: Page, base_url: str) -> None:
    _ask(page, base_url)
    expect = sync_api.expect
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_QUESTION)
    expect(page.get_by_text("Review status: unreviewed")).to_be_visible()
    cites = page.locator("article.answer button.cite")
    assert cites.count() >= 2

    # Hover: the quote, the source's title, kind and date appear.
    first = cites.first
    popover = page.locator(f"#{first.get_attribute('aria-describedby')}")
    expect(popover).to_be_hidden()
    first.hover()
    expect(popover).to_be_visible()
    quote = popover.locator(".pop-quote").inner_text().strip("“”")
    claim = first.locator("xpath=ancestor::p|ancestor::li").first.inner_text()
    assert quote and quote in claim
    expect(popover.locator("cite")).not_to_be_empty()
    expect(popover.locator(".pop-meta")).to_contain_text(
        re.compile(r"\d{4}-\d\d-\d\d|date unknown")
    )
    _screenshot(page, "answer-page.png")

    # Keyboard: focus shows the quote, Escape hides it.
    page.mouse.move(0, 0)
    second = cites.nth(1)
    second_pop = page.locator(f"#{second.get_attribute('aria-describedby')}")
    second.focus()
    expect(second_pop).to_be_visible()
    page.keyboard.press("Escape")
    expect(second_pop).to_be_hidden()

    # The passage link opens the source viewer with the quote highlighted.
    first.click()
    expect(first).to_have_attribute("aria-expanded", "true")
    popover.get_by_role("link", name="Open the passage").click()
    page.wait_for_url(re.compile(r"/passages/"))
    expect(page.locator("mark#passage strong.quote")).to_have_text(quote)
    page.go_back()

    # Switch audience: answered again for patients, without the case report's regimen.
    page.get_by_label("Patient or caregiver").check()
    page.get_by_role("button", name="Answer again for this audience").click()
    page.wait_for_load_state()
    latest = page.locator("article.answer").first
    expect(latest).to_have_attribute("data-audience", "patient")
    expect(latest.get_by_text("5 mg/kg")).to_have_count(0)
    assert latest.locator("button.cite").count() >= 1

    # Follow-up: answered in the conversation's context.
    page.get_by_role("textbox", name="Follow-up question").fill(FOLLOW_UP)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FOLLOW_UP)
    expect(page.locator("section.assumptions").first).to_contain_text("ruxolitinib")
    expect(page.locator("section.earlier details")).to_have_count(2)
    _screenshot(page, "follow-up-page.png")
    # The share link is a full URL naming the latest answer; it opens that answer alone.
    shared = page.locator("#share").input_value()
    assert re.fullmatch(re.escape(base_url) + r"/answers/[\w-]+", shared)
    page.goto(shared)
    expect(page.get_by_role("heading", level=1)).to_have_text(FOLLOW_UP)
    expect(page.locator("#share")).to_have_value(shared)


def test_phone_width_reads_without_sideways_scrolling(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    _ask(page, base_url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    pill = page.locator("article.answer .meta .review").first
    sync_api.expect(pill).to_have_text("unreviewed")
    lines = pill.evaluate("e => e.getClientRects().length")
    height = pill.evaluate("e => e.getBoundingClientRect().height")
    size = pill.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert lines == 1 and height < 2 * size  # the status pill is never broken over lines
    cite = page.locator("article.answer button.cite").first
    cite.tap()
    popover = page.locator(f"#{cite.get_attribute('aria-describedby')}")
    sync_api.expect(popover).to_be_visible()
    box = popover.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    _screenshot(page, "answer-page-390.png")
    page.locator("h1").tap()
    sync_api.expect(popover).to_be_hidden()
    context.close()


def test_chromium_is_debians_not_a_download() -> None:
    assert shutil.which("chromium") == str(CHROMIUM) or CHROMIUM.exists()
