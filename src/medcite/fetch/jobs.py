"""The fetch jobs: PubMed by query, PMC articles by PMCID, DailyMed labels by set id or name.

Each writes the records it fetched, as the service sends them, into a folder under
`<home>/fetched/`: a file appears under its final name only once complete (written beside
it, then renamed), and a file already there is not fetched again, so a run that stops
part-way resumes where it stopped. A PubMed query keeps its search result (the PMIDs) in
`state.json` in its folder, so a resumed run fetches the same records. The folder is then
ingested like any other (`medcite ingest`), with the same checks on bad input.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from medcite.errors import FetchError, MedciteError
from medcite.fetch.http import Http
from medcite.settings import Settings

_SET_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_PMCID = re.compile(r"^(?:PMC)?(\d+)$", re.I)
_SLUG = re.compile(r"[^a-z0-9]+")
ESEARCH_PAGE = 10_000  # E-utilities' largest retmax


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Where a job wrote, and what it fetched, found already there, or could not get."""

    folder: Path
    written: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    failed: tuple[str, ...] = field(default_factory=tuple)
    found: int = 0


def fetched_dir(settings: Settings, service: str) -> Path:
    return settings.data_dir / "fetched" / service


def fetch_pubmed(
    settings: Settings,
    http: Http,
    query: str,
    *,
    max_records: int = 200,
    since: str | None = None,
) -> FetchResult:
    """Search PubMed, then fetch the citations in batches of `fetch.batch_size`."""
    if not query.strip():
        raise MedciteError("the PubMed query is empty")
    mindate = _eutils_date(since) if since else None
    name = f"{query}|{mindate}|{max_records}"
    folder = fetched_dir(settings, "pubmed") / f"{_slug(query)}-{_short(name)}"
    folder.mkdir(parents=True, exist_ok=True)
    state_file = folder / "state.json"
    if state_file.is_file():
        pmids: list[str] = json.loads(state_file.read_text("utf-8"))["pmids"]
    else:
        pmids = _esearch(settings, http, query, max_records, mindate)
        _atomic_write(state_file, json.dumps({"query": query, "since": mindate, "pmids": pmids}))
    written, present = [], []
    for n, batch in enumerate(_chunks(pmids, settings.fetch.batch_size)):
        target = folder / f"pubmed-{n:04d}.xml"
        if target.is_file():
            present.append(target.name)
            continue
        data = http.post(
            f"{settings.fetch.eutils_url}/efetch.fcgi",
            http.eutils_params({"db": "pubmed", "id": ",".join(batch), "retmode": "xml"}),
        )
        if b"<PubmedArticleSet" not in data[:4096]:
            raise FetchError(f"efetch returned no PubmedArticleSet for batch {n} of {query!r}")
        _atomic_write_bytes(target, data)
        written.append(target.name)
    return FetchResult(folder, tuple(written), tuple(present), (), len(pmids))


def _esearch(
    settings: Settings, http: Http, query: str, max_records: int, mindate: str | None
) -> list[str]:
    pmids: list[str] = []
    while len(pmids) < max_records:
        params = {
            "db": "pubmed",
            "term": query,
            "retmode": "json",
            "retstart": str(len(pmids)),
            "retmax": str(min(ESEARCH_PAGE, max_records - len(pmids))),
        }
        if mindate:
            params |= {"mindate": mindate, "maxdate": "3000", "datetype": "pdat"}
        body = http.get(f"{settings.fetch.eutils_url}/esearch.fcgi", http.eutils_params(params))
        try:
            result = json.loads(body)["esearchresult"]
            page = [str(p) for p in result["idlist"]]
            count = int(result["count"])
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"esearch answered something unreadable for {query!r}") from exc
        pmids += page
        if not page or len(pmids) >= count:
            break
    return pmids[:max_records]


def fetch_pmc(settings: Settings, http: Http, pmcids: Sequence[str]) -> FetchResult:
    """Fetch each article's JATS XML (one file per PMCID)."""
    folder = fetched_dir(settings, "pmc")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    present: list[str] = []
    failed: list[str] = []
    for given in pmcids:
        match = _PMCID.match(given.strip())
        if not match:
            failed.append(f"{given} (not a PMCID)")
            continue
        target = folder / f"PMC{match.group(1)}.xml"
        if target.is_file():
            present.append(target.name)
            continue
        data = http.get(
            f"{settings.fetch.eutils_url}/efetch.fcgi",
            http.eutils_params({"db": "pmc", "id": match.group(1), "retmode": "xml"}),
        )
        if b"<article" not in data:
            failed.append(f"PMC{match.group(1)} (no article in the reply)")
            continue
        _atomic_write_bytes(target, data)
        written.append(target.name)
    return FetchResult(folder, tuple(written), tuple(present), tuple(failed), len(pmcids))


def fetch_dailymed(
    settings: Settings, http: Http, names: Sequence[str], *, per_name: int = 5
) -> FetchResult:
    """Fetch labels by set id, or the first `per_name` labels DailyMed lists for a name."""
    folder = fetched_dir(settings, "dailymed")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    present: list[str] = []
    failed: list[str] = []
    set_ids = list(_set_ids(settings, http, names, per_name, failed))
    for set_id in set_ids:
        target = folder / f"{set_id}.xml"
        if target.is_file():
            present.append(target.name)
            continue
        data = http.get(f"{settings.fetch.dailymed_url}/spls/{set_id}.xml")
        if b"urn:hl7-org:v3" not in data[:4096]:
            failed.append(f"{set_id} (not an SPL document)")
            continue
        _atomic_write_bytes(target, data)
        written.append(target.name)
    return FetchResult(folder, tuple(written), tuple(present), tuple(failed), len(set_ids))


def _set_ids(
    settings: Settings, http: Http, names: Sequence[str], per_name: int, failed: list[str]
) -> Iterator[str]:
    for name in names:
        if _SET_ID.match(name.strip()):
            yield name.strip().lower()
            continue
        body = http.get(
            f"{settings.fetch.dailymed_url}/spls.json",
            {"drug_name": name, "pagesize": str(per_name)},
        )
        try:
            found = [str(item["setid"]) for item in json.loads(body)["data"]][:per_name]
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"DailyMed answered something unreadable for {name!r}") from exc
        if not found:
            failed.append(f"{name} (no label found)")
        yield from found


def _eutils_date(value: str) -> str:
    """ "2021", "2021-06" or "2021-06-07" (or with slashes) as E-utilities wants it."""
    parts = re.split(r"[-/.]", value.strip())
    try:
        numbers = [int(p) for p in parts]
        year, month, day = [*numbers, 1, 1][:3]
        date(year, month, day)
    except (ValueError, TypeError, IndexError) as exc:
        raise MedciteError(
            f"--since {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
        ) from exc
    return "/".join(f"{n:02d}" if i else str(n) for i, n in enumerate(numbers))


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-")[:40] or "query"


def _short(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]


def _atomic_write(path: Path, text: str) -> None:
    _atomic_write_bytes(path, text.encode("utf-8"))


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
