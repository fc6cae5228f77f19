"""Which words of a question name its subject (understand/subject.py)."""

from __future__ import annotations

from medcite.understand.query import understand
from medcite.understand.subject import is_everyday, topic_words, word_subject

# A tiny library: these terms are indexed; these topics are what its documents are about.
INDEXED = {"glaucoma", "eye", "pressur", "marfan", "syndrom", "kid", "heterozyg", "flu"}
TOPICS = {"glaucoma", "marfan syndrom", "pick diseas", "influenza", "flu"}


def df(term: str) -> int:
    return 5 if term in INDEXED else 0


def is_topic(words: str) -> bool:
    from medcite.index.lexical import topic_key

    return topic_key(words) in TOPICS


def subjects(question: str) -> dict[str, float]:
    query = understand(question, df, 1000, is_topic=is_topic)
    return {c.label: c.subject for c in query.concepts if not c.is_number}


def test_everyday_words_are_not_subjects() -> None:
    found = subjects("My kids really want to know if scooping is okay with glaucoma")
    assert found["glaucoma"] == 1.0
    for word in ("kids", "really", "scooping", "okay"):
        assert found.get(word, 0.0) == 0.0, word


def test_an_unseen_name_is_a_subject_and_an_unseen_everyday_word_is_not() -> None:
    assert word_subject("velorbatide", df) == 1.0
    assert word_subject("Trelvani", df) == 1.0
    assert word_subject("tonight", df) == 0.0
    assert word_subject("heterozygous", df) == 0.5  # technical vocabulary counts half


def test_units_ages_and_numbers_never_name_a_subject() -> None:
    found = subjects("My 70-year-old father has glaucoma; his result was 5 mg/dL")
    assert found.get("70-year-old", 0.0) == 0.0
    assert found.get("mg", 0.0) == 0.0 and found.get("dl", 0.0) == 0.0


def test_one_word_of_a_longer_topic_is_not_a_topic() -> None:
    assert "pick" not in topic_words("How would anyone pick it up?", is_topic)
    assert topic_words("Is Marfan syndrome inherited?", is_topic) >= {"marfan", "syndrome"}


def test_an_unseen_word_before_a_subject_is_part_of_its_name() -> None:
    found = subjects("What is quantum flu?")
    assert found["quantum"] == 1.0


def test_everyday_english_comes_from_a_frequency_list() -> None:
    assert is_everyday("kids") and is_everyday("Okay")
    assert not is_everyday("colchicine") and not is_everyday("velorbatide")


def test_words_that_together_name_a_topic_are_one_concept() -> None:
    from medcite.index.lexical import topic_key

    topics = {topic_key("herpes zoster oticus"), topic_key("herpes zoster")}
    query = understand(
        "What complication follows herpes zoster in older people?",
        df,
        1000,
        is_topic=lambda w: topic_key(w) in topics,
    )
    labels = {c.label: c.subject for c in query.concepts}
    assert labels.get("herpes zoster") == 1.0
    assert "herpes" not in labels and "zoster" not in labels


def test_an_adjective_names_the_condition_the_library_is_about() -> None:
    from medcite.index.lexical import topic_key
    from medcite.understand.subject import disease_noun

    topics = {topic_key(t) for t in ("anemia", "allergy", "asthma")}

    def known(words: str) -> bool:
        return topic_key(words) in topics

    assert disease_noun("anemic", known) == "anemia"
    assert disease_noun("allergic", known) == "allergy"
    assert disease_noun("asthmatic", known) == "asthma"
    assert disease_noun("scooping", known) is None


def test_a_question_of_everyday_words_is_still_about_them() -> None:
    """With no topic and no technical word, the words that are not the asked aspect are the
    subject (half weight, as technical words), so evidence must mention them."""
    no_topics = understand("What are the symptoms of a cold?", df, 1000, is_topic=None)
    found = {c.label: c.subject for c in no_topics.concepts if not c.is_number}
    assert found["cold"] == 0.5 and found["symptoms"] == 0.0
    # a subject found elsewhere leaves everyday words alone
    assert subjects("My kids really want to know if scooping is okay with glaucoma")["kids"] == 0
