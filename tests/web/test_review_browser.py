"""Editorial review in a real browser (Debian's chromium through Playwright): a reviewer signs
in, approves an article, and the public page says who approved it and when."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest

from medcite.articles import open_review
from medcite.settings import Settings

from ..web_support import FIRST_QUESTION
from .review_helpers import PASSWORD, add_team
from .test_browser import _screenshot, base_url, browser, page, pytestmark, sync_api

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["base_url", "browser", "page", "pytestmark"]


@pytest.fixture
def submitted_article(base_url: str, web_settings: Settings) -> Iterator[str]:
    """An article Alice saved and submitted, assigned to Rita; yields its path."""
    review = open_review(web_settings)
    team = add_team(review)
    review.close()
    with httpx.Client(base_url=base_url) as http:
        saved = http.post("/api/ask", json={"question": FIRST_QUESTION}).json()
        author = {"authorization": f"Bearer {team['author'].token}"}
        article = http.post("/api/articles", json={"answer_id": saved["id"]}, headers=author)
        article_id = article.json()["id"]
        url = f"/api/articles/{article_id}/transitions"
        assert http.post(url, json={"action": "submit"}, headers=author).status_code == 200
        editor = {"authorization": f"Bearer {team['editor'].token}"}
        body = {"action": "assign", "reviewer": "rita"}
        assert http.post(url, json=body, headers=editor).status_code == 200
    yield f"/articles/{article_id}"


def test_a_reviewer_signs_in_and_approves(
    page: Page, base_url: str, submitted_article: str
) -> None:
    expect = sync_api.expect
    page.goto(base_url + submitted_article)
    banner = page.locator(".review-banner")
    expect(banner).to_have_text(re.compile(r"Under review by Dr Rita Reviewer — not yet approved"))
    expect(page.locator(".review-approved")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve this version")).to_have_count(0)

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/review$"))
    expect(page.get_by_text("Signed in as Dr Rita Reviewer (reviewer).")).to_be_visible()
    page.get_by_role("link", name=FIRST_QUESTION).first.click()

    page.get_by_label("Comment (optional)").first.fill("Checked against the cited passages.")
    page.get_by_role("button", name="Approve this version").click()
    today = datetime.now(UTC).date().isoformat()
    expect(banner).to_have_text(f"Approved by Dr Rita Reviewer on {today}")
    expect(page.locator(".audit")).to_contain_text("Checked against the cited passages.")
    _screenshot(page, "article-approved.png")

    # Signed out, the public page says the same.
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.goto(base_url + submitted_article)
    expect(page.locator(".review-banner.review-approved")).to_have_text(
        f"Approved by Dr Rita Reviewer on {today}"
    )
    expect(page.get_by_text("Review status: approved")).to_be_visible()
