"""What a question asks about its subject (its aspects), and where sources say it.

One table, as data: each aspect has the phrasings that ask for it in a question, the words
that add it to the lexical search (so "can he pass it on to his kids" reaches a page titled
"Is Marfan syndrome inherited?"), the cues of a sentence that states it, and the source
sections written for it (FDA label sections as the SPL reader names them from LOINC codes,
MedQuAD question types, guideline headings). The evidence scorer (scorer.py) learns how
much each kind of match counts; nothing here is weighted by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from medcite.types import Passage


@dataclass(frozen=True, slots=True)
class Aspect:
    key: str
    asks: re.Pattern[str]  # a question asking for it
    search: tuple[str, ...]  # words that add it to the lexical search
    states: re.Pattern[str]  # a sentence stating it
    sections: re.Pattern[str] | None  # source sections written for it
    quantity: bool = False  # the answer is a number (a dose, a share, a level, a time)


def _re(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?:" + "|".join(alternatives) + r")", re.I)


_DOSE_AMOUNT = r"\b\d+(?:[.,]\d+)?\s?(?:mg|g|mcg|µg|μg|ml|mL|units?|IU|mg/kg|mg/m2)\b"
ASPECTS: tuple[Aspect, ...] = (
    Aspect(
        "dose",
        _re(
            r"\bdos(?:e|es|age|ing)\b",
            r"\bhow (?:much|many (?:mg|milligrams|tablets|pills|units))",
            r"\bhow (?:high|often) (?:can|should|is|are|do)\b.*\b(?:take|given|inject|dose)",
            r"\b(?:starting|maximum|max|loading|maintenance) (?:dose|schedule)",
            r"\btitrat\w*|\bregimen\b|\bschedule\b",
            r"\bhow (?:should|do) .{0,40}\bbe (?:started|taken|given)",
            r"\bwhat (?:\w+ ){0,2}rate\b|\b(?:infusion|drip) rates?\b|\bhow fast\b",
            _DOSE_AMOUNT,
        ),
        ("dose", "dosage"),
        _re(
            _DOSE_AMOUNT,
            r"\b(?:once|twice|three times|four times) (?:a |per )?(?:day|daily|week|month)",
            r"\bevery (?:other )?(?:\d+ )?(?:hours?|days?|weeks?|months?|day|week|month)\b",
            r"\b(?:recommended|starting|initial|usual|maximum|daily) (?:dose|dosage)",
            r"\bdosages? (?:up to|of)\b",
        ),
        _re(r"dosage|\bdirections\b|how should i (?:take|use)|how (?:do|should) i take"),
        quantity=True,
    ),
    Aspect(
        "missed_dose",
        _re(r"\bmiss(?:ed|es)?\b|\bforg[eo]t\w*|\bskipp?(?:ed)?\b"),
        ("missed", "dose"),
        _re(r"\bmiss(?:ed)? (?:a )?dose|\bforget\b|\bnext dose\b|\bdouble (?:the )?dose|2 doses"),
        _re(r"how should i take|missed dose|if i miss"),
    ),
    Aspect(
        "contraindication",
        _re(
            r"contraindicat\w*",
            r"\bcan (?:i|we|you|he|she|they|it|oral \w+|\w+) (?:be )?"
            r"(?:given|used|take|give|use)\b",
            r"\b(?:safe|okay|ok|allowed|all right) (?:to|for)\b",
            r"\bshould (?:not|i avoid|he avoid|she avoid)\b",
        ),
        ("contraindicated",),
        _re(r"contraindicat\w*|\bshould not be (?:used|given|taken)|\bdo not (?:use|take|give)"),
        _re(r"contraindication|do not use|stop use|boxed warning|warnings?\b"),
    ),
    Aspect(
        "interaction",
        _re(
            r"interact\w*",
            r"\b(?:together|along) with\b|\bwith (?:other|another)\b|\bcombin\w*|\bco-?administ\w*",
            r"\b(?:takes|taking|on) (?:an? |the )?\w+(?: \w+)? (?:and|but) (?:now )?wants\b",
            r"\bon an? \w+(?: \w+)? (?:antidepressant|inhibitor|blocker|drug)",
        ),
        ("interactions",),
        _re(r"interact\w*|co-?administ\w*|concomitant|\binhibitors?\b|\bin combination\b"),
        _re(r"interactions|concomitant|co-?administ"),
    ),
    Aspect(
        "pregnancy",
        _re(r"(?<!non)pregnan\w*|breast-?feed\w*|\bnursing\b|lactat\w*|trimester|\bfetus\b|unborn"),
        ("pregnancy",),
        _re(r"pregnan\w*|fetal|fetus|placenta|lactation|nursing|breast-?fe\w+|trimester"),
        _re(r"pregnan|nursing|lactation|breast-?feeding|reproductive"),
    ),
    Aspect(
        "renal",
        _re(r"\bkidney|renal|\bckd\b|creatinine|\begfr\b|dialysis|nephro"),
        ("renal",),
        _re(r"\brenal|kidney|creatinine clearance|dialysis"),
        _re(r"renal"),
    ),
    Aspect(
        "hepatic",
        _re(r"\bliver (?:disease|impairment|failure|function)|hepatic|cirrhosis|child-?pugh"),
        ("hepatic",),
        _re(r"hepatic|\bliver\b|cirrhosis|child-?pugh"),
        _re(r"hepatic"),
    ),
    Aspect(
        "adverse",
        _re(
            r"side[- ]effects?|adverse|complications?|toxicit\w*|\bharm\w*|danger\w*",
            r"\brisks?\b|\bwarn\w*|\bwatch(?:ed)? (?:for|out)",
        ),
        ("complications", "side", "effects"),
        _re(
            r"side effects?|adverse|complications?|toxicit\w*",
            r"\brisk of\b|\bincrease[sd]? the risk|\bmay (?:cause|lead to)\b",
        ),
        _re(r"adverse|warning|boxed|precaution|complications|overdos"),
    ),
    Aspect(
        "frequency",
        _re(
            r"\bhow (?:common|rare|prevalent|frequent|many (?:people|men|women|children|adults))",
            r"\bprevalen\w*|\bincidence\b|\bunusual\b|\bhow many\b.*\baffected\b",
            r"\bmost (?:common|frequent)\b",
        ),
        ("affects", "common", "percent"),
        _re(
            r"\b\d+(?:[.,]\d+)? ?(?:percent|%)",
            r"\b\d+ (?:in|out of) [\d,]+|\baffects? (?:about|approximately|an estimated|up to)\b",
            r"\bprevalen\w*|\bincidence\b|\bmost common\b|\bestimated\b",
        ),
        _re(r"frequency"),
        quantity=True,
    ),
    Aspect(
        "inheritance",
        _re(
            r"inherit\w*|hereditary|\bpass(?:ed|es)? (?:it |this |the \w+ )?(?:on|down|to)\b",
            r"\bget it from\b|\bfrom (?:his|her|their|my|our) (?:dad|father|mom|mother|parents?)",
            r"\brun in (?:the |my |our )?famil\w*|\bcarriers?\b|\bcarriage\b|(?:hetero|homo)zygous",
            r"\bchance\w* (?:of|that) (?:our|my|his|her) (?:kids|children|son|daughter|baby)",
        ),
        ("inherited", "inheritance"),
        _re(
            r"inherit\w*|autosomal|x-linked|recessive|dominant\b|\bcarriers?\b",
            r"\bcop(?:y|ies) of the (?:altered |mutated )?gene|new mutation|de novo",
        ),
        _re(r"inheritance"),
    ),
    Aspect(
        "causes",
        _re(
            r"\bcaus\w*|\bwhy (?:do|does|did|is|are)\b|\btrigger\w*|\bset(?:s)? off\b",
            r"\breasons?\b|\bresult(?:s)? (?:in|from)\b|\brisk factors?|\bgenes?\b|\bmutation",
            r"\bhow can (?:that|this|it) happen",
        ),
        ("causes",),
        _re(
            r"\bcaus\w*|\bdue to\b|\bresults? from\b|\btrigger\w*|\bmutations?\b",
            r"\brisk factors?\b|\b(?:variations?|changes) in the\b",
        ),
        _re(r"causes|genetic changes|susceptibility"),
    ),
    Aspect(
        "symptoms",
        _re(
            r"symptoms?|\bsigns?\b|manifest\w*|\bpresent(?:s|ing)? with",
            r"\blook(?:s)? (?:like|for|out)\b|\bnotice\w*|\bfeel\w*|\bwhat could (?:this|it) be",
        ),
        ("symptoms", "signs"),
        _re(r"symptoms?|\bsigns?\b|\bmay (?:include|have|experience|notice)|\bfeatures\b"),
        _re(r"symptoms"),
    ),
    Aspect(
        "diagnosis",
        _re(
            r"diagnos\w*|\btests?\b|\btesting\b|\bconfirm\w*|\bdetect\w*|\bscreen\w*",
            r"\bpick (?:it|this|that) up\b|\bfind out\b|\bexam\w*|\bresults?\b|\bstudies\b",
        ),
        ("diagnosis", "tests"),
        _re(
            r"diagnos\w*|\btests?\b|\bexam\w*|\bconfirm\w*|\bdetect\w*|\bbiopsy|\bscreen\w*",
            r"\bindicates\b|\bmeans (?:a person|you) ha",
        ),
        _re(r"exams and tests|diagnos|laboratory tests"),
    ),
    Aspect(
        "treatment",
        _re(
            r"\btreat\w*|therap\w*|medicines?\b|medications?\b|\bdrugs?\b|\bmanag\w*",
            r"\bwhat (?:can|should) (?:i|we|he|she|they) do\b|\bwhat .{0,20}\bwould do\b|\bcure\b",
            r"\bapproved\b|\bmainstay\b|\bprescrib\w*",
            r"\b(?:switch|switched|changed?|moved?|step(?:ped)? (?:up|down)) (?:\w+ )?to\b",
            r"\bnext (?:step|line|agent)\b",
            r"\bwhat (?:do|does|did|would) .{0,40}\b(?:recommend|advise|suggest)\b",
        ),
        ("treatment", "treated"),
        _re(
            r"\btreat\w*|therap\w*|\bmedicines?\b|\bmedications?\b|\bdrugs?\b",
            r"\bgiven\b|\bprescribed\b|\brecommended\b|\bapproved\b|\beffective\b|\bimprove\b",
        ),
        _re(r"treatment|indications|dosage"),
    ),
    Aspect(
        "prevention",
        _re(
            r"prevent\w*|\bavoid\w*|\b(?:reduce|cut|lower) (?:the |his |her |my |your )?risk",
            r"\bprotect\w*|\bkeep \w+(?: \w+)? from\b|\bfrom getting\b|\bgetting worse\b",
        ),
        ("prevention", "prevent"),
        _re(r"prevent\w*|\bavoid\w*|reduc\w* (?:the |your )?risk|vaccin\w*|\bstop smoking"),
        _re(r"prevention"),
    ),
    Aspect(
        "prognosis",
        _re(
            r"outlook|prognosis|curable|\bcured?\b|recover\w*|survival|life expectancy",
            r"\bgo back to normal\b|\blasting\b|\bpermanent\w*|\bcome back\b|\brelapse\w*",
            r"\bget better\b|\bhow likely\b",
        ),
        ("outlook", "prognosis"),
        _re(
            r"recover\w*|prognosis|outlook|\bcured?\b|survival|relapse|permanent\w*",
            r"\bget better\b|\bresidual\b",
        ),
        _re(r"outlook|prognosis|stages"),
    ),
    Aspect(
        "duration",
        _re(
            r"\bhow long\b|\bby when\b|\bwhen (?:should|must|can|will|do|does)\b|\bduration\b",
            r"\buntil\b|\bbefore (?:we |i |you )?stop",
        ),
        (),
        _re(
            r"\bwithin \d+|\bfor (?:at least )?\d+ (?:days?|weeks?|months?|years?)|\buntil\b",
            r"\bby (?:week|day|month) \d+|\b\d+ (?:days?|weeks?|months?|years?) (?:later|after)",
            r"\b\d+[- ](?:day|week|month|year)\b|\(day \d+\)",
        ),
        None,
        quantity=True,
    ),
    Aspect(
        "monitoring",
        _re(r"\bmonitor\w*|\bfollow(?:ed)?[- ]up\b|\bhow often .{0,30}\b(?:check|test|mri|scan)"),
        ("monitoring",),
        _re(r"\bmonitor\w*|\bcheck\w*|\bsurveillance\b|\bevery \d+ (?:weeks?|months?)"),
        _re(r"monitoring|laboratory tests"),
    ),
    Aspect(
        "lab_value",
        _re(
            r"\b(?:level|value|count|concentration|titer|result)s? (?:was|were|of)\b|\bwhat was\b",
            r"\bwhat (?:\w+ ){0,2}(?:level|range|value|threshold|cut-?off)s?\b",
            r"\b(?:target|goal)s?\b|\baim(?:ing)? (?:for|at)\b",
        ),
        ("level", "target", "range"),
        _re(
            r"\b\d[\d ,.]*\s?(?:pg/ml|ng/ml|mg/dl|g/l|u/l|µmol/l|μmol/l|mmol/l|×10|x10|%)",
            r"\b\d{2,3}/\d{2,3}\s?mm ?hg\b|\b\d{2,3}\s?mm ?hg\b",
        ),
        None,
        quantity=True,
    ),
    Aspect(
        # what a study found: an effect, a difference, an association, a share, a certainty
        "findings",
        _re(
            r"\bdoes .{0,80}\b(?:lower|reduce|decrease|increase|raise|improve|change|affect"
            r"|alter|worsen|shorten|prolong|help)\b",
            r"\b(?:any |no )?(?:worse|better|superior|inferior|safer|more effective) than\b",
            r"\b(?:more|less) likely\b|\bassociat\w+ with\b|\blinked to\b",
            r"\bhow (?:strong|good|reliable|valid|accurate|certain)\b|\breliab\w+|\bvalid\b",
            r"\b(?:the )?evidence (?:that|for|on)\b",
            r"\bwhat (?:did|does|do) .{0,60}\b(?:find|found|show|report|conclude)",
            r"\bwhat (?:proportion|percentage|share|fraction)\b|\bhow often did\b",
            r"\bwhat happened\b|\boutcomes?\b",
        ),
        (),
        _re(
            r"\bno (?:\w+ )?(?:evidence of )?(?:significant )?differences?\b",
            r"\b(?:was|were) (?:significantly )?(?:reduced|increased|decreased|lower|higher"
            r"|improved|associated|more likely|less likely)\b",
            r"\b(?:inverse(?:ly)?|positive(?:ly)?|significant(?:ly)?) associat\w+",
            r"\b(?:odds|hazard|risk|rate) ratio\b|\b(?:OR|HR|RR|aOR)\b ?=? ?\d|\b95 ?% ?CI\b",
            r"\bp ?[<=] ?0?\.\d",
            r"\b(?:our|these) (?:findings|results|data)\b|\bwe (?:found|observed|showed)\b",
            r"\bin conclusion\b|\b(?:reliable|valid)\b|\bcertainty\b|\bvery uncertain\b",
        ),
        _re(r"\bresults?\b|conclusions?|\bfindings\b|interpretation|\bdiscussion\b"),
    ),
    Aspect(
        # how a study was done: its aims, background and methods
        "design",
        _re(
            r"\bhow (?:was|were) (?:the |this |that )?(?:study|trial|review|survey)\b",
            r"\bstudy design\b|\bmethods?\b|\bwhat was (?:the |its )?(?:aim|objective|purpose)",
        ),
        (),
        _re(
            r"\bwe (?:aimed|sought|conducted|enrolled|recruited|randomi[sz]ed|searched)\b",
            r"\b(?:the|our) (?:aim|objective|purpose) (?:of|was)\b",
        ),
        _re(
            r"\bmethods?\b|\bbackground\b|\bintroduction\b|\bobjectives?\b|\baims?\b"
            r"|\bpurpose\b|\bdesign\b|\bmaterials\b|\bsetting\b|\bparticipants\b"
        ),
    ),
    Aspect(
        "product",
        _re(r"\bseal\b|\bexpir\w*|\bstor(?:e|ed|age)\b|\btorn\b|\bbroken\b|\btamper\w*"),
        ("seal",),
        _re(r"\bseal\b|\bexpir\w*|\bstore\b|\bstorage\b|\btamper\w*"),
        _re(r"storage|package label|boxed warning|how supplied"),
    ),
)
BY_KEY = {a.key: a for a in ASPECTS}
# Aspects that sources often state under each other's sections: a dose under "Treatment",
# how a disease is found under "Symptoms".
FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"treatment", "dose", "missed_dose", "duration", "monitoring", "prevention"}),
    frozenset(
        {"adverse", "contraindication", "interaction", "pregnancy", "renal", "hepatic", "product"}
    ),
    frozenset({"causes", "inheritance", "frequency"}),
    frozenset({"symptoms", "diagnosis", "prognosis", "lab_value"}),
)
_QUESTION = re.compile(r"[^.?!]*\?")
# Circumstances a statement sets for the question, whatever the question asks.
SITUATIONS = frozenset({"product", "missed_dose", "pregnancy", "renal", "hepatic", "interaction"})


def asked_aspects(question: str) -> tuple[str, ...]:
    """The aspects a question asks about, in table order (none: what the subject is).

    When the text holds questions among statements ("Our son was just diagnosed with it.
    Can he pass it on?"), the questions decide: the statements tell the story, and add only
    the patient's situation (SITUATIONS: "I'm 12 weeks pregnant.", "The seal is torn.") —
    or everything when the questions alone ask for no aspect ("I forgot last night's
    tablet. Should I take it now?").
    """
    asking = " ".join(m.group(0) for m in _QUESTION.finditer(question))
    found = tuple(a.key for a in ASPECTS if a.asks.search(asking)) if asking else ()
    if not found:
        return tuple(a.key for a in ASPECTS if a.asks.search(question))
    situation = [
        a.key
        for a in ASPECTS
        if a.key in SITUATIONS and a.key not in found and a.asks.search(question)
    ]
    return (*found, *situation)


def related(aspects: Iterable[str]) -> frozenset[str]:
    """The asked aspects and those of their families (a study's results are related to any
    aspect asked: they may state an effect, a frequency, a risk or a dose)."""
    out = set(aspects)
    for family in FAMILIES:
        if family & out:
            out |= family
    return frozenset(out | {"findings"}) if out else frozenset()


def states(aspects: tuple[str, ...], text: str) -> int:
    """How many of the asked aspects a sentence states by its cues."""
    return sum(1 for key in aspects if BY_KEY[key].states.search(text))


def section_name(passage: Passage) -> str:
    """The source section as the aspect table reads it: label section and MedQuAD type."""
    return " ".join(filter(None, [passage.section, passage.document.extra.get("qtype")]))


@lru_cache(maxsize=4096)
def section_aspects(name: str) -> frozenset[str]:
    """The aspects a source section is written for."""
    if not name:
        return frozenset()
    return frozenset(a.key for a in ASPECTS if a.sections is not None and a.sections.search(name))


def asks_quantity(aspects: tuple[str, ...]) -> bool:
    return any(BY_KEY[key].quantity for key in aspects)


def search_words(aspects: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for key in aspects for w in BY_KEY[key].search))
