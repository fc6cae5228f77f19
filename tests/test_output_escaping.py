"""Every output format shows a source's metadata as text: links only for http(s) URLs,
Markdown and terminal markup escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.urls import http_url

HOSTILE_PAGE = """<html><head>
<meta name="citation_title" content="&lt;script&gt;alert(1)&lt;/script&gt; [red]Gout[/red] *care*">
<meta property="og:url" content="javascript:alert(document.cookie)">
<meta name="citation_publisher" content="[link=javascript:alert(2)]Evil Press[/link]">
</head><body><h1>Gout</h1>
<p>Gout is treated with colchicine, which eases the pain of an attack within a day.</p>
</body></html>"""


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a?b=c#d", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/x", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("//example.org/x", False),
        ("https://example.org/<script>", False),
        ("https:///nohost", False),
        ("https://exa mple.org", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_urls_are_links(url: str | None, linked: bool) -> None:
    assert (http_url(url) is not None) is linked


@pytest.fixture
def hostile(settings: Settings, tmp_path: Path) -> Settings:
    page = tmp_path / "gout.html"
    page.write_text(HOSTILE_PAGE, encoding="utf-8")
    library = Library(settings)
    assert ingest([page], library).count("added") == 1
    library.close()
    return settings


def test_markdown_escapes_titles_and_never_links_a_javascript_url(hostile: Settings) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(hostile.home), "ask", "--markdown", "How is gout <b>treated</b>?"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "colchicine" in out
    assert "<script>" not in out and "<b>" not in out and "\\<script\\>" in out
    assert "<javascript:" not in out and "](javascript:" not in out
    assert "javascript:alert(document.cookie)" in out  # shown as text


def test_the_terminal_shows_markup_in_titles_as_written(hostile: Settings) -> None:
    library = Library(hostile)
    (passage,) = library.store.passages_of(library.store.document_ids())
    library.close()
    result = CliRunner().invoke(app, ["--home", str(hostile.home), "show", passage.id])
    assert result.exit_code == 0, result.output
    assert "[red]Gout[/red]" in result.output and "[link=javascript:alert(2)]" in result.output


def test_the_web_pages_never_link_a_javascript_url(hostile: Settings) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from medcite.web import create_app

    with TestClient(create_app(hostile)) as client:
        api = client.post("/api/ask", json={"question": "How is gout treated?"}).json()
        page = client.get(api["url"].split("#")[0], headers={"accept": "text/html"}).text
        passage_id = api["answer"]["references"][0]["passages"][0]["passage_id"]
        viewer = client.get(f"/passages/{passage_id}", headers={"accept": "text/html"}).text
    for html in (page, viewer):
        assert not re.search(r"href=\"\s*javascript:", html, re.I)
        assert "<script>alert" not in html
        assert "javascript:alert(document.cookie)" in html  # the URL is shown, as text
