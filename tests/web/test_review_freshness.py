"""Freshness end to end: ingest, save and approve an article, change the source, re-ingest;
the article is flagged and its public page says so instead of looking approved."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from medcite.articles.cli import check_articles_after_ingest
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings

from ..web_support import FIRST_QUESTION, PATIENT_PAGES, write_medquad
from .review_helpers import HTML, add_team


def test_reingest_flags_the_article_and_the_page_shows_it(
    app: FastAPI, client: TestClient, web_settings: Settings
) -> None:
    team = add_team(app.state.review)
    auth = {k: {"authorization": f"Bearer {m.token}"} for k, m in team.items()}
    saved = client.post("/api/ask", json={"question": FIRST_QUESTION}).json()
    article = client.post("/api/articles", json={"answer_id": saved["id"]}, headers=auth["author"])
    assert article.status_code == 201
    a = article.json()
    url = f"/api/articles/{a['id']}/transitions"
    assert client.post(url, json={"action": "submit"}, headers=auth["author"]).status_code == 200
    assert client.post(url, json={"action": "assign"}, headers=auth["reviewer"]).status_code == 200
    assert client.post(url, json={"action": "approve"}, headers=auth["reviewer"]).status_code == 200
    page = client.get(f"/articles/{a['id']}", headers=HTML).text
    assert "Approved by Dr Rita Reviewer on" in page

    changed = [dict(p) for p in PATIENT_PAGES]
    for p in changed:
        p["answer"] = p["answer"].replace("Antiviral medicines", "Antiviral drugs")
    corpus = web_settings.data_dir.parent / "corpus"
    write_medquad(corpus / "patient-pages.jsonl", changed)
    library = Library(web_settings)
    try:
        assert ingest([corpus / "patient-pages.jsonl"], library).count("updated") == 1
        check_articles_after_ingest(library)  # what `medcite ingest` runs at its end
    finally:
        library.close()

    page = client.get(f"/articles/{a['id']}", headers=HTML).text
    today = datetime.now(UTC).date().isoformat()
    assert f"Needs re-review: a cited source changed on {today}" in page
    assert "Approved by" not in page and "review-approved" not in page
    assert (
        'Review status: <strong class="review review-needs_re_review">needs_re_review</strong>'
        in page
    )
    body = client.get(f"/api/articles/{a['id']}").json()
    assert body["status"] == "approved" and body["review_status"] == "needs_re_review"
    assert (
        body["history"][-1]["action"] == "source_changed"
        and body["history"][-1]["who"] == "medcite"
    )
    queue = client.get("/api/review/queue", headers=auth["reviewer"]).json()
    assert a["id"] in [x["id"] for x in queue["data"]]
    reviewer_page = client.get("/review", headers=HTML)  # signed out: sent to sign in
    assert reviewer_page.status_code == 303
