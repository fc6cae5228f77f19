"""Other names of the question's subjects, read from the library's own definitions.

"HNPCC", "ADPKD" and "FMF" are written in questions; the sources say "hereditary
nonpolyposis colorectal cancer (HNPCC)" once and then use either form, or only the long one.
For an acronym of the question that the curated vocabulary does not know, the passages that
contain it are searched for a definition "long form (ACRONYM)", matched letter by letter as
Schwartz and Hearst (2003) do; the most frequent long form joins the concept's forms, and so
does the topic of the document that defines it when the definition names it ("Lynch
syndrome, often called hereditary nonpolyposis colorectal cancer (HNPCC)").

Lay and technical names meet the same way: "Shingles (herpes zoster)", "an underactive
thyroid (hypothyroidism)". For a subject the curated vocabulary does not know, a name that
the library writes in parentheses right after it (or that it is written in parentheses
after), in at least MIN_DOCUMENTS documents, joins its forms.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from medcite.index import Library
from medcite.index.lexical import TermGroup, document_topic
from medcite.text import STOPWORDS, sentences, terms
from medcite.types import Query

SEARCHED = 30
MIN_DOCUMENTS = 2
# one to four words, the last a name rather than a function word
_NAME = r"[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,3}"
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def with_acronyms(query: Query, library: Library) -> Query:
    """The query with each unknown acronym's long form (and topic), and each subject's
    parenthesised other names, among its forms."""
    concepts = []
    changed = False
    for concept in query.concepts:
        forms: tuple[str, ...] = ()
        written = _written(concept.label, query.question)
        if len(concept.forms) != 1 or concept.subject < 1.0 or not written:
            pass
        elif _ACRONYM.match(written):
            forms = spelled_out(written, library)
        else:
            forms = other_names(concept.label, library)
        if forms:
            concept = replace(concept, forms=(concept.label, *forms))
            changed = True
        concepts.append(concept)
    return replace(query, concepts=tuple(concepts)) if changed else query


def other_names(name: str, library: Library) -> tuple[str, ...]:
    """Names the library writes in parentheses beside `name`, in MIN_DOCUMENTS documents."""
    found = library.lexical.search([TermGroup(tuple(terms(name)))], SEARCHED)
    passages = library.store.passages([r.passage_id for r in found])
    escaped = re.escape(name).replace(r"\ ", r"\s+")
    beside = re.compile(
        rf"(?<![\w-])(?:(?P<a>{_NAME})\s+\({escaped}\)|{escaped}\s+\((?P<b>{_NAME})\))", re.I
    )
    documents: dict[str, set[str]] = {}
    for passage in passages.values():
        for m in beside.finditer(passage.text):
            # "older adults get shingles (herpes zoster)": the name is some last words
            words = (m.group("a") or m.group("b")).lower().split()
            runs = (
                [words[i:] for i in range(len(words))]
                if m.group("a")
                else [words[: i + 1] for i in range(len(words))]
            )
            for run in runs:
                other = " ".join(run)
                if other != name.lower() and run[0] not in STOPWORDS and run[-1] not in STOPWORDS:
                    documents.setdefault(other, set()).add(passage.document.id)
    kept = [n for n, docs in documents.items() if len(docs) >= MIN_DOCUMENTS]
    kept.sort(key=lambda n: (-len(documents[n]), len(n.split())))
    return tuple(kept[:1])


def spelled_out(acronym: str, library: Library) -> tuple[str, ...]:
    """The long form the library defines the acronym by, then its defining topic."""
    found = library.lexical.search([TermGroup(tuple(terms(acronym)))], SEARCHED)
    passages = library.store.passages([r.passage_id for r in found])
    longs: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    marker = f"({acronym})"
    for passage in passages.values():
        for sentence in sentences(passage.text):
            if marker not in sentence:
                continue
            long = long_form(acronym, sentence[: sentence.index(marker)])
            if long is None:
                continue
            longs[long.lower()] += 1
            topic = document_topic(passage.document)
            if topic.lower() in sentence.lower() and topic.lower() != long.lower():
                topics[topic.lower()] += 1
    if not longs:
        return ()
    best = [longs.most_common(1)[0][0]]
    return tuple(best + ([topics.most_common(1)[0][0]] if topics else []))


def long_form(acronym: str, before: str) -> str | None:
    """The words before "(ACRONYM)" that spell it (Schwartz & Hearst's matching)."""
    words = before.split()[-min(len(acronym) + 5, len(acronym) * 2) :]
    text = " ".join(words)
    s, i = len(acronym) - 1, len(text) - 1
    while s >= 0:
        c = acronym[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (text[i].lower() != c or (s == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = text.rfind(" ", 0, i + 1) + 1
    long = text[start:].strip(" ,;:-")
    if len(long.split()) < 2 or acronym.lower() in long.lower().split():
        return None
    return long


def _written(label: str, question: str) -> str | None:
    m = re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", question, re.I)
    return m.group(0) if m else None
