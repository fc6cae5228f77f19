"""Related questions: indexed questions near the one asked (answer/related.py)."""

from medcite.answer.related import related_questions
from medcite.engine import Engine
from medcite.index import Library
from medcite.settings import Settings
from medcite.understand.query import understand


def test_related_questions_are_near_distinct_and_not_the_question(library: Library) -> None:
    lexical = library.lexical
    query = understand("What are the symptoms of Brindle syndrome?", lexical.doc_freq, 10)
    related = related_questions(query, library)
    assert "What is (are) Brindle syndrome?" in related
    assert "What are the treatments for Brindle syndrome?" in related
    assert all("symptoms of brindle" not in q.lower() for q in related)  # the asked one
    assert all("kidney" not in q.lower() for q in related)
    assert len(related) == len(set(related))
    assert related_questions(query, library, limit=1) == related[:1]


def test_engine_answers_carry_related_questions(library: Library, settings: Settings) -> None:
    engine = Engine(settings)
    answer = engine.ask("How is Brindle syndrome treated?")
    assert "What are the symptoms of Brindle syndrome?" in answer.related_questions
    assert "related" in answer.timings
    nothing = engine.ask("What is the dose of zorblaxin for quantum flu?")
    assert nothing.abstained and nothing.related_questions == ()
    engine.close()
