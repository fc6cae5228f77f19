"""Conditions, symptoms and patient states named in free text, from a small curated table.

Some entries also set a patient fact: "CKD" is a condition and means renal impairment;
"immunocompetent" only sets a fact (immunocompromised = False). Overlapping matches keep the
longest ("human immunodeficiency virus" is HIV, not immunodeficiency). Capitalised
abbreviations that are also words ("ALL", "PE") only count in capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

RENAL = "renal_impairment"
HEPATIC = "hepatic_impairment"
IMMUNE = "immunocompromised"
TRANSPLANT = "transplant"
PREGNANT = "pregnant"
BREASTFEEDING = "breastfeeding"
# The PatientContext fields the table can set, each True, False (denied) or None (not stated).
FACTS = (PREGNANT, BREASTFEEDING, RENAL, HEPATIC, TRANSPLANT, IMMUNE)


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    name: str
    pattern: str
    fact: str | None = None
    fact_value: bool = True
    is_condition: bool = True


def _c(name: str, pattern: str, fact: str | None = None) -> ConditionSpec:
    return ConditionSpec(name, pattern, fact)


_TRANSPLANT_KIND = (
    r"(?:kidney|renal|liver|hepatic|heart|cardiac|lung|pancreas|intestinal|solid[- ]organ|"
    r"(?:allogeneic\s+|autologous\s+|allo-?\s*)?(?:h(?:a)?ematopoietic\s+)?(?:stem[- ]cell|"
    r"bone\s+marrow)|allogeneic|autologous)"
)
CONDITIONS: tuple[ConditionSpec, ...] = (
    # patient states that set facts
    _c(
        "pregnancy",
        r"pregnan(?:t|cy)|gravid|expecting\s+a\s+baby|(?:first|second|third)\s+trimester",
        PREGNANT,
    ),
    _c(
        "breastfeeding",
        r"breast-?feeding|breastfed|lactating|nursing\s+(?:mother|a\s+baby)",
        BREASTFEEDING,
    ),
    _c(
        "transplant",
        rf"(?:{_TRANSPLANT_KIND}\s+)?transplant(?:ation|ed)?(?:\s+recipient)?|"
        r"post-?transplant|(?:allo-?)?hsct|(?-i:BMT|SOT)",
        TRANSPLANT,
    ),
    _c(
        "immunocompromise",
        r"immuno(?:compromised?|suppressed|suppression|deficient|deficiency|deficiencies)|"
        r"immune[- ]?(?:compromised|suppressed|deficiency)|"
        r"immunosuppressive\s+(?:therapy|drugs?|medications?|treatment|agents?)|"
        r"immunosuppressants?",
        IMMUNE,
    ),
    ConditionSpec(
        "immunocompetent",
        r"immuno-?competent|immune[- ]competent",
        IMMUNE,
        fact_value=False,
        is_condition=False,
    ),
    # kidney and liver
    _c("end-stage kidney disease", r"end[- ]stage\s+(?:renal|kidney)\s+disease|esrd|eskd", RENAL),
    _c(
        "chronic kidney disease",
        r"chronic\s+kidney\s+disease|(?-i:CKD)(?:\s+stage\s+[1-5][ab]?)?|"
        r"chronic\s+renal\s+(?:failure|insufficiency|disease)",
        RENAL,
    ),
    _c("acute kidney injury", r"acute\s+kidney\s+injury|(?-i:AKI)|acute\s+renal\s+failure", RENAL),
    _c("dialysis", r"(?:hemo|haemo|peritoneal\s+)?dialysis", RENAL),
    _c(
        "renal impairment",
        r"(?:renal|kidney)\s+(?:impairment|insufficiency|failure|dysfunction|disease)|"
        r"impaired\s+(?:renal|kidney)\s+function",
        RENAL,
    ),
    _c("cirrhosis", r"cirrhosis|cirrhotic", HEPATIC),
    _c(
        "hepatic impairment",
        r"(?:hepatic|liver)\s+(?:impairment|insufficiency|failure|dysfunction|disease)|"
        r"impaired\s+(?:hepatic|liver)\s+function|child[- ]pugh\s+(?:class\s+)?[abc]",
        HEPATIC,
    ),
    # infections
    _c("HIV infection", r"hiv(?:/aids)?|human\s+immunodeficiency\s+virus|(?-i:AIDS)"),
    _c(
        "CMV infection",
        r"(?:cmv|cytomegalovirus)\s+(?:infection|viremia|viraemia|reactivation|disease|"
        r"dnaemia|dnemia|retinitis|colitis|pneumonitis)",
    ),
    _c("EBV infection", r"(?:ebv|epstein[- ]barr\s+virus)\s+(?:infection|viremia|reactivation)"),
    _c("hepatitis B", r"hepatitis\s+b|(?-i:HBV)(?:\s+infection)?"),
    _c("hepatitis C", r"hepatitis\s+c|(?-i:HCV)(?:\s+infection)?"),
    _c("tuberculosis", r"tuberculosis|(?-i:TB)"),
    _c("COVID-19", r"covid(?:-19)?|sars-cov-2(?:\s+infection)?"),
    _c("pneumonia", r"pneumonia"),
    _c("sepsis", r"sepsis|septic(?:\s+shock)?"),
    _c("urinary tract infection", r"urinary\s+tract\s+infections?|(?-i:UTI)"),
    # haematology and oncology
    _c("myelofibrosis", r"myelofibrosis|(?-i:MF)"),
    _c("polycythemia vera", r"polycyth(?:a)?emia\s+vera|(?-i:PV)"),
    _c("graft-versus-host disease", r"graft[- ]versus[- ]host\s+disease|(?-i:a?c?GVHD)"),
    _c(
        "hemophagocytic lymphohistiocytosis",
        r"h(?:a)?emophagocytic\s+(?:lymphohistiocytosis|syndrome)|(?-i:HLH)",
    ),
    _c("acute myeloid leukemia", r"acute\s+myeloid\s+leuk(?:a)?emia|(?-i:AML)"),
    _c("acute lymphoblastic leukemia", r"acute\s+lymphoblastic\s+leuk(?:a)?emia|(?-i:ALL)"),
    _c("lymphoma", r"(?:non-hodgkin\s+|hodgkin\s+)?lymphoma"),
    _c("multiple myeloma", r"multiple\s+myeloma|myeloma"),
    _c("cancer", r"cancer|malignancy|carcinoma"),
    _c("neutropenia", r"(?:febrile\s+)?neutropeni[ac]"),
    _c("thrombocytopenia", r"thrombocytopeni[ac]"),
    _c("anemia", r"an(?:a)?emi[ac]"),
    _c("deep vein thrombosis", r"deep\s+vein\s+thrombosis|(?-i:DVT)"),
    _c("pulmonary embolism", r"pulmonary\s+embolism|(?-i:PE)"),
    # cardiometabolic and other chronic disease
    _c("diabetes", r"(?:type\s+[12]\s+)?diabet(?:es|ic)(?:\s+mellitus)?|(?-i:T[12]DM)"),
    _c("hypertension", r"hypertension|high\s+blood\s+pressure|(?-i:HTN)"),
    _c("heart failure", r"(?:congestive\s+)?heart\s+failure|(?-i:H[FR]EF|CHF)"),
    _c("atrial fibrillation", r"atrial\s+fibrillation|(?-i:AF|AFib)|afib"),
    _c("coronary artery disease", r"coronary\s+(?:artery|heart)\s+disease|(?-i:CAD)"),
    _c("myocardial infarction", r"myocardial\s+infarction|heart\s+attack"),
    _c("stroke", r"stroke"),
    _c("asthma", r"asthma"),
    _c("COPD", r"chronic\s+obstructive\s+pulmonary\s+disease|(?-i:COPD)"),
    _c("rheumatoid arthritis", r"rheumatoid\s+arthritis|(?-i:RA)"),
    _c("lupus", r"(?:systemic\s+)?lupus(?:\s+erythematosus)?|(?-i:SLE)"),
    _c("inflammatory bowel disease", r"crohn'?s(?:\s+disease)?|ulcerative\s+colitis|(?-i:IBD)"),
    _c("psoriasis", r"psoriasis"),
    _c("epilepsy", r"epilepsy|seizures?"),
    _c("depression", r"depression"),
    _c("dementia", r"dementia"),
    # symptoms and signs
    _c("fever", r"fevers?|febrile|pyrexia"),
    _c("chest pain", r"chest\s+pain"),
    _c("shortness of breath", r"shortness\s+of\s+breath|dyspn(?:o)?ea|(?-i:SOB)"),
    _c("cough", r"cough(?:ing)?"),
    _c("rash", r"rash"),
    _c("diarrhea", r"diarrh(?:o)?ea"),
    _c("vomiting", r"vomiting|nausea"),
    _c("headache", r"headaches?"),
    _c("bleeding", r"bleeding|h(?:a)?emorrhage"),
    _c("jaundice", r"jaundice"),
    _c("abdominal pain", r"abdominal\s+pain"),
    _c("hypotension", r"hypotension|low\s+blood\s+pressure"),
)


@dataclass(frozen=True, slots=True)
class ConditionMatch:
    spec: ConditionSpec
    start: int
    end: int


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[ConditionSpec, re.Pattern[str]], ...]:
    return tuple(
        (spec, re.compile(rf"(?<![\w-])(?:{spec.pattern})(?![\w-])", re.I)) for spec in CONDITIONS
    )


def find_conditions(text: str) -> list[ConditionMatch]:
    """Every table entry named in the text, longest first where two overlap, in text order."""
    found = [
        ConditionMatch(spec, m.start(), m.end())
        for spec, pattern in _compiled()
        for m in pattern.finditer(text)
    ]
    kept: list[ConditionMatch] = []
    for match in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if not any(match.start < k.end and k.start < match.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda f: f.start)


def transplant_type(text: str) -> str | None:
    """ "kidney transplant" -> "kidney"; stem-cell and marrow transplants -> "hematopoietic"."""
    lowered = text.lower()
    for organ, pattern in _ORGANS:
        if re.search(pattern, lowered):
            return organ
    return None


_ORGANS = (
    ("hematopoietic stem cell", r"stem|marrow|hsct|bmt|allogeneic|autologous|allo"),
    ("kidney", r"kidney|renal"),
    ("liver", r"liver|hepatic"),
    ("heart", r"heart|cardiac"),
    ("lung", r"lung"),
    ("pancreas", r"pancreas"),
    ("intestine", r"intestinal"),
    ("solid organ", r"solid[- ]organ|sot"),
)
