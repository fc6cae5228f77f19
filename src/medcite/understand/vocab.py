"""A small curated vocabulary: clinical abbreviations and brand -> generic drug names.

Each entry is a group of interchangeable forms; the first form is the canonical label.
Forms in CASE_SENSITIVE only count when written in capitals (ALL, MS, PE collide with words).
"""

from __future__ import annotations

from functools import lru_cache

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # infections
    ("cytomegalovirus", "cmv"),
    ("epstein-barr virus", "ebv"),
    ("human immunodeficiency virus", "hiv"),
    ("hepatitis b virus", "hbv"),
    ("hepatitis c virus", "hcv"),
    ("herpes simplex virus", "hsv"),
    ("varicella zoster virus", "vzv"),
    ("respiratory syncytial virus", "rsv"),
    ("tuberculosis", "tb"),
    ("urinary tract infection", "uti"),
    ("influenza", "flu"),
    ("covid-19", "sars-cov-2", "coronavirus disease 2019"),
    # haematology / immunology
    ("hemophagocytic lymphohistiocytosis", "hlh", "haemophagocytic lymphohistiocytosis"),
    ("graft-versus-host disease", "gvhd", "graft versus host disease"),
    ("myelofibrosis", "mf"),
    ("polycythemia vera", "pv"),
    ("acute lymphoblastic leukemia", "all"),
    ("acute myeloid leukemia", "aml"),
    ("chronic myeloid leukemia", "cml"),
    ("chronic lymphocytic leukemia", "cll"),
    ("hematopoietic stem cell transplantation", "hsct", "stem cell transplant"),
    ("deep vein thrombosis", "dvt"),
    ("pulmonary embolism", "pe"),
    # cardiometabolic
    ("myocardial infarction", "mi", "heart attack"),
    ("congestive heart failure", "chf", "heart failure"),
    ("hypertension", "htn", "high blood pressure"),
    ("atrial fibrillation", "afib", "af"),
    ("type 2 diabetes", "t2dm", "type 2 diabetes mellitus"),
    ("chronic kidney disease", "ckd"),
    ("acute kidney injury", "aki"),
    ("estimated glomerular filtration rate", "egfr"),
    ("low-density lipoprotein", "ldl"),
    # other
    ("chronic obstructive pulmonary disease", "copd"),
    ("rheumatoid arthritis", "ra"),
    ("multiple sclerosis", "ms"),
    ("amyotrophic lateral sclerosis", "als"),
    ("inflammatory bowel disease", "ibd"),
    ("irritable bowel syndrome", "ibs"),
    ("gastroesophageal reflux disease", "gerd"),
    ("erectile dysfunction", "ed"),
    ("polymerase chain reaction", "pcr"),
    ("nonsteroidal anti-inflammatory drug", "nsaid", "nsaids"),
    # brand -> generic
    ("ruxolitinib", "jakafi", "jakavi"),
    ("adalimumab", "humira"),
    ("atorvastatin", "lipitor"),
    ("sildenafil", "viagra", "revatio"),
    ("ganciclovir", "cytovene"),
    ("valganciclovir", "valcyte"),
    ("foscarnet", "foscavir"),
    ("cidofovir", "vistide"),
    ("letermovir", "prevymis"),
    ("maribavir", "livtencity"),
    ("acetaminophen", "paracetamol", "tylenol"),
    ("ibuprofen", "advil", "motrin"),
    ("warfarin", "coumadin"),
    ("apixaban", "eliquis"),
    ("rivaroxaban", "xarelto"),
    ("metformin", "glucophage"),
    ("simvastatin", "zocor"),
    ("furosemide", "lasix"),
    ("levothyroxine", "synthroid"),
)
CASE_SENSITIVE = frozenset({"all", "ms", "pe", "ed", "ra", "pv", "mf", "af", "mi", "tb"})


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYM_GROUPS:
        for form in group:
            table[form] = group
    return table


def synonyms(form: str) -> tuple[str, ...] | None:
    """The group a lower-case form belongs to (canonical first), if any."""
    return _index().get(form)


def multiword_forms() -> list[str]:
    """Forms of more than one word, longest first (matched before single words)."""
    forms = [f for f in _index() if " " in f or "-" in f]
    return sorted(forms, key=len, reverse=True)
