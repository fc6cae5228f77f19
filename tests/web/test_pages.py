"""The HTML pages, read as HTML: citations with their quotes, honesty of the status, forms."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

from fastapi.testclient import TestClient

from medcite.answer.certainty import CERTAINTY_NOTE
from medcite.audience import PATIENT_DOSE_NOTE

from ..web_support import FIRST_QUESTION, FOLLOW_UP, form

HTML = {"accept": "text/html"}


class Page(HTMLParser):
    """Ids, aria references, tags and text of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.described_by: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if values.get("aria-describedby"):
            self.described_by.append(str(values["aria-describedby"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def _ask(client: TestClient, question: str = FIRST_QUESTION, audience: str = "clinician") -> str:
    response = client.post("/ask", data=form(client, q=question, audience=audience))
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/c/[\w-]+#answer-[\w-]+", location)
    return location


def _page(client: TestClient, url: str) -> tuple[str, Page]:
    response = client.get(url.split("#")[0], headers=HTML)
    assert response.status_code == 200, response.text
    return response.text, Page(response.text)


def test_ask_page_has_one_question_box_and_the_audience_choice(client: TestClient) -> None:
    _, page = _page(client, "/")
    assert page.tags.count("textarea") == 1
    assert "Which best describes you?" in page.plain
    assert {"main", "nav", "h1"} <= set(page.tags)


def test_answer_page_cites_every_statement_with_its_quote(client: TestClient) -> None:
    html, page = _page(client, _ask(client))
    assert len(page.ids) == len(set(page.ids)), "ids must be unique"
    assert page.described_by and set(page.described_by) <= set(page.ids)
    assert {"main", "article", "section", "ol", "h1", "h2"} <= set(page.tags)
    assert html.count('class="cite"') == len(page.described_by)
    # Each popover holds the quote, the source title, its kind and date, and a passage link.
    pops = re.findall(r'<span\s+class="pop" id="([^"]+)">(.*?)</a></span>', html, re.S)
    assert pops and len(pops) == len(page.described_by)
    for _, body in pops:
        assert "pop-quote" in body and "<cite>" in body and "/passages/" in body
        assert re.search(r"\d{4}-\d{2}-\d{2}|date unknown", body)
    assert FIRST_QUESTION in page.plain


def test_review_status_is_shown_as_stored_and_never_looks_approved(client: TestClient) -> None:
    html, page = _page(client, _ask(client))
    assert "Review status: unreviewed" in page.plain
    assert "no clinician has reviewed this answer" in page.plain
    assert "approved" not in html.lower()
    assert "statements verified against the passage they cite" in page.plain
    assert "For information only; not medical advice." in page.plain
    assert re.search(r"Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", page.plain)


def test_references_show_kind_date_and_url(client: TestClient) -> None:
    html, page = _page(client, _ask(client))
    refs = html[html.index('class="references"') :]
    assert "Case report" in refs and "Patient education" in refs
    assert "date unknown" in refs and "https://example.org/cmv" in refs
    assert "passages from" in page.plain or "passage from" in page.plain


def test_follow_up_keeps_the_conversation_and_says_what_it_assumed(client: TestClient) -> None:
    location = _ask(client)
    conversation = location.split("#")[0]
    response = client.post(conversation, data=form(client, q=FOLLOW_UP, audience="clinician"))
    assert response.status_code == 303
    _, page = _page(client, conversation)
    assert page.tags.count("article") == 2 and page.tags.count("details") == 1
    assert "Patient context and assumptions" in page.plain
    assert "Read as a follow-up to" in page.plain


def test_share_link_is_a_full_url_naming_the_stored_answer(client: TestClient) -> None:
    location = _ask(client)
    answer_id = location.split("#answer-")[1]
    html, _ = _page(client, location)
    shared = re.search(r'<input id="share" type="url" readonly value="([^"]+)">', html)
    assert shared and shared.group(1) == f"http://testserver/answers/{answer_id}"
    assert "?" not in shared.group(1) and "ruxolitinib" not in shared.group(1)
    html, page = _page(client, shared.group(1).removeprefix("http://testserver"))
    assert FIRST_QUESTION in page.plain and f'id="answer-{answer_id}"' in html
    assert f'href="{location.split("#")[0]}"' in html  # back to the conversation
    assert client.get("/answers/nosuchanswer", headers=HTML).status_code == 404


def test_answer_page_shows_what_was_read_and_the_certainty_legend(client: TestClient) -> None:
    html, _ = _page(client, _ask(client))
    latest = html[html.index('<article class="answer"') : html.index("</article>")]
    assert "Read from the question: on ruxolitinib; CMV infection." in Page(latest).plain
    assert CERTAINTY_NOTE in Page(latest).plain
    assert re.search(r'<span class="certainty">certainty: (high|moderate|low)</span>', latest)


def test_references_are_one_per_document_with_their_cited_passages(client: TestClient) -> None:
    api = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()
    answer_id, references = api["id"], api["answer"]["references"]
    assert len({r["document_id"] for r in references}) == len(references)
    case = [r for r in references if r["kind"] == "case_report"]
    assert len(case) == 1 and case[0]["passages"]  # the case report, listed once
    html, _ = _page(client, api["url"])
    section = html[html.index(f'id="refs-{answer_id}"') :]
    section = section[: section.index("</section>")]
    assert section.count(f'<li id="ref-{answer_id}-') == len(references)
    for r in references:
        for p in r["passages"]:
            assert f"Passage <code>{p['passage_id']}</code>" in section


def test_audience_switch_answers_again_for_patients(client: TestClient) -> None:
    conversation = _ask(client).split("#")[0]
    response = client.post(f"{conversation}/audience", data=form(client, audience="patient"))
    assert response.status_code == 303
    html, _ = _page(client, conversation)
    latest = html[html.index('<article class="answer"') : html.index('class="follow-up"')]
    assert 'data-audience="patient"' in latest
    # the only doses in this library are a case report's regimen: never shown to patients
    assert "5 mg/kg" not in latest and PATIENT_DOSE_NOTE not in latest
    assert 'value="patient" checked' in html


def test_related_question_links_fill_in_the_question_box_and_store_nothing(
    client: TestClient,
) -> None:
    html, _ = _page(client, _ask(client))
    links = re.findall(r'href="(/ask\?q=[^"]+)"', html)
    assert links
    stored = client.app.state.service.conversations.recent(50)  # type: ignore[attr-defined]
    response = client.get(links[0].replace("&amp;", "&"), headers=HTML)
    assert response.status_code == 200
    question = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)["q"][0]
    assert f">{escape(question)}</textarea>" in response.text
    assert client.app.state.service.conversations.recent(50) == stored  # type: ignore[attr-defined]
    assert client.get("/ask?q=").headers["location"] == "/"


def test_passage_viewer_highlights_the_passage_and_the_quote(client: TestClient) -> None:
    api = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()
    claim = api["answer"]["bottom_line"][0]
    q = claim["quotes"][0]
    url = f"/passages/{q['passage_id']}?start={q['start']}&end={q['end']}"
    html, page = _page(client, url)
    assert '<mark id="passage">' in html
    assert f'<strong class="quote">{q["quote"]}</strong>' in html.replace("&#39;", "'")
    assert "Kind" in page.plain and "Date" in page.plain


def test_pages_show_errors_as_html(client: TestClient) -> None:
    response = client.get("/c/unknown", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no conversation with id unknown" in response.text
    long = client.get(f"/ask?q={quote('a ' * 1100)}", headers=HTML)
    assert long.status_code == 422 and "longer than" in long.text


def test_empty_question_goes_back_to_the_ask_page(client: TestClient) -> None:
    response = client.post("/ask", data=form(client, q="   ", audience="clinician"))
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_home_lists_no_recent_questions_by_default(client: TestClient) -> None:
    _ask(client, "What is creatinine?")
    _, page = _page(client, "/")
    assert "Recent questions" not in page.plain and "What is creatinine?" not in page.plain


def test_empty_index_page_says_what_to_run(empty_client: TestClient) -> None:
    _, page = _page(empty_client, "/")
    assert "Nothing is indexed yet" in page.plain and "medcite ingest" in page.plain
    response = empty_client.post(
        "/ask", data=form(empty_client, q="Why?", audience="clinician"), headers=HTML
    )
    assert response.status_code == 503 and "medcite ingest" in response.text


def test_sources_page_and_static_files(client: TestClient) -> None:
    _, page = _page(client, "/sources")
    assert "Case report" in page.plain and "Patient education" in page.plain
    assert client.get("/static/medcite.css").status_code == 200
    assert client.get("/static/medcite.js").status_code == 200


def test_an_abstention_is_said_plainly(client: TestClient) -> None:
    _, page = _page(client, _ask(client, "What is the dose of zorblaxin for quantum flu?"))
    assert "No answer" in page.plain and "cannot answer this question" in page.plain
    assert "References" not in page.plain


def test_an_empty_conversation_from_the_api_takes_its_first_question(client: TestClient) -> None:
    cid = client.post("/api/conversations", json={"audience": "clinician"}).json()["id"]
    _, page = _page(client, f"/c/{cid}")
    assert "New conversation" in page.plain and "Your question" in page.plain
    switched = client.post(f"/c/{cid}/audience", data=form(client, audience="patient"))
    assert switched.headers["location"] == f"/c/{cid}"
    assert client.get(f"/api/conversations/{cid}").json()["audience"] == "patient"
    client.post(f"/c/{cid}", data=form(client, q=FIRST_QUESTION, audience="patient"))
    _, page = _page(client, f"/c/{cid}")
    assert FIRST_QUESTION in page.plain and "For: patients" in page.plain
