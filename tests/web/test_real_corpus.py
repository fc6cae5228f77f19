"""A new user's first run, on the real default corpus from ../shared (slow: ingests ~5 s).

`medcite serve`, open the page, ask the seed question: the answer comes with working
citations (each popover quote is in the passage it links to) and the case report cited.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import SAMPLE_QUESTION, load_settings
from medcite.web import create_app

from ..conftest import SHARED
from ..web_support import form

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SHARED / "data").exists(), reason="../shared data not present"),
]
POPOVER = re.compile(
    r'class="pop-quote">“(?P<quote>.*?)”</span>.*?href="/passages/(?P<pid>[0-9a-f]+)'
    r"\?start=(?P<start>\d+)&amp;end=(?P<end>\d+)#passage\"",
    re.S,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = load_settings(home=tmp_path_factory.mktemp("home"), corpus={"root": SHARED})
    library = Library(settings)
    for source in settings.corpus.resolved():
        assert ingest([source.path], library, kind=source.kind).count("failed") == 0
    library.close()
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def test_seed_question_answered_with_working_citations(client: TestClient) -> None:
    home = client.get("/", headers={"accept": "text/html"})
    assert home.status_code == 200 and SAMPLE_QUESTION in home.text  # offered as "Try"
    asked = client.post("/ask", data=form(client, q=SAMPLE_QUESTION, audience="clinician"))
    assert asked.status_code == 303
    page = client.get(asked.headers["location"].split("#")[0]).text
    latest = page[page.index('<article class="answer"') : page.index('class="follow-up"')]
    popovers = list(POPOVER.finditer(latest))
    assert len(popovers) == latest.count('class="cite"') >= 5
    for pop in popovers:
        passage = client.get(f"/api/passages/{pop['pid']}").json()
        start, end = int(pop["start"]), int(pop["end"])
        assert passage["text"][start:end] == html.unescape(pop["quote"])
    assert "Case report" in latest  # the seed case report, cited with its kind
    assert 'Review status: <strong class="review review-unreviewed">unreviewed</strong>' in latest
    assert "approved" not in latest.lower()
