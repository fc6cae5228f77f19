"""The live fetchers, against a fake E-utilities and DailyMed server on loopback only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.errors import FetchError
from medcite.fetch.http import Http
from medcite.fetch.jobs import fetch_pubmed
from medcite.index import Library
from medcite.ingest.identity import document_id
from medcite.settings import FetchSettings, Settings, load_settings

from .fetch_server import FakeServices, fake_services
from .test_source_dailymed import label

pytest.importorskip("httpx")
runner = CliRunner()
SET_ID = "11111111-2222-3333-4444-555555555555"
ARTICLE = (Path(__file__).parent / "data" / "jats_article.nxml").read_text(encoding="utf-8")


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    with fake_services() as fake:
        monkeypatch.setenv("MEDCITE_FETCH__EUTILS_URL", f"{fake.url}/eutils")
        monkeypatch.setenv("MEDCITE_FETCH__DAILYMED_URL", f"{fake.url}/dailymed")
        monkeypatch.setenv("MEDCITE_FETCH__REQUESTS_PER_SECOND", "1000")
        monkeypatch.setenv("MEDCITE_FETCH__RETRY_BACKOFF_S", "0.01")
        monkeypatch.setenv("MEDCITE_FETCH__BATCH_SIZE", "2")
        monkeypatch.delenv("NCBI_API_KEY", raising=False)
        yield fake


def stored(settings: Settings) -> set[str]:
    lib = Library(settings)
    try:
        return set(lib.store.document_ids())
    finally:
        lib.close()


def test_fetch_pubmed_searches_fetches_in_batches_and_ingests(
    services: FakeServices, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.pmids["zephyrin AND brindle"] = [5001, 5002, 5003]
    monkeypatch.setenv("NCBI_API_KEY", "secret-key-123")
    result = runner.invoke(app, ["fetch", "pubmed", "zephyrin AND brindle", "--max", "3"])
    assert result.exit_code == 0, result.output
    assert "3 documents added" in result.output
    assert services.count("esearch.fcgi") == 1 and services.count("efetch.fcgi") == 2
    assert all(r.params.get("api_key") == "secret-key-123" for r in services.requests)
    assert "secret-key-123" not in result.output
    assert stored(settings) == {document_id(f"pubmed:{p}", "") for p in (5001, 5002, 5003)}


def test_an_interrupted_fetch_resumes_where_it_stopped(
    services: FakeServices, settings: Settings
) -> None:
    services.pmids["brindle"] = [6001, 6002, 6003, 6004]
    services.fail("/eutils/efetch.fcgi", 200, *([500] * 5))  # the second batch never comes
    http = Http(settings.fetch, sleep=lambda _s: None)
    with pytest.raises(FetchError):
        fetch_pubmed(settings, http, "brindle", max_records=4)
    again = fetch_pubmed(settings, http, "brindle", max_records=4)
    assert again.written == ("pubmed-0001.xml",) and again.present == ("pubmed-0000.xml",)
    assert services.count("esearch.fcgi") == 1  # the search result was kept
    assert not list(again.folder.glob(".*partial"))
    http.close()


def test_busy_replies_are_retried_with_backoff(services: FakeServices) -> None:
    services.pmids["q"] = [7001]
    services.fail("/eutils/esearch.fcgi", 503, 429)
    waits: list[float] = []
    settings = load_settings()
    http = Http(settings.fetch, sleep=waits.append)
    result = fetch_pubmed(settings, http, "q", max_records=1)
    assert result.found == 1 and services.count("esearch.fcgi") == 3
    assert [w for w in waits if w >= 0.01][:2] == [0.01, 0.02]
    services.fail("/eutils/efetch.fcgi", *([500] * 10))
    (result.folder / "pubmed-0000.xml").unlink()
    with pytest.raises(FetchError, match=r"efetch\.fcgi failed: HTTP 500"):
        fetch_pubmed(settings, http, "q", max_records=1)
    http.close()


def test_requests_are_spaced_to_the_rate_limit(services: FakeServices) -> None:
    waits: list[float] = []
    http = Http(FetchSettings(eutils_url=f"{services.url}/eutils"), sleep=waits.append)
    for _ in range(3):
        http.get(f"{services.url}/eutils/esearch.fcgi", {"term": "x"})
    assert len(waits) == 2 and all(0.2 < w <= 1 / 3 + 0.01 for w in waits)  # 3/s, no key
    http.close()


def test_fetch_pmc_and_dailymed(services: FakeServices, settings: Settings) -> None:
    services.articles["7000001"] = (
        ARTICLE.replace("{type}", "research-article").split("?>", 1)[1].split(">", 1)[1].encode()
    )  # the article element, without the XML declaration and doctype
    services.labels[SET_ID] = label(SET_ID, 3, "Take 20 mg once daily.")
    services.names["zephyra"] = [SET_ID]
    result = runner.invoke(app, ["fetch", "pmc", "PMC7000001", "PMC999"])
    assert result.exit_code == 1 and "PMC999 (no article in the reply)" in result.output
    assert document_id("pmc:PMC7000001", "") in stored(settings)
    result = runner.invoke(app, ["fetch", "dailymed", "zephyra"])
    assert result.exit_code == 0, result.output
    assert document_id(f"spl:{SET_ID}", "") in stored(settings)
    again = runner.invoke(app, ["fetch", "dailymed", SET_ID])
    assert "0 files (1 already there)" in again.output


def test_an_unreadable_reply_is_an_error_naming_the_service(
    services: FakeServices, settings: Settings
) -> None:
    result = runner.invoke(app, ["fetch", "pubmed", "nothing", "--since", "2021-13"])
    assert result.exit_code != 0 and "not a date" in result.output
    services.fail("/eutils/esearch.fcgi", 404)
    result = runner.invoke(app, ["fetch", "pubmed", "nothing"])
    assert result.exit_code != 0 and "esearch.fcgi failed: HTTP 404" in result.output
