"""A stated "yes" or "no" for a yes/no question, or None ("not stated").

Only questions that read as yes/no questions (an auxiliary verb first, or "..., yes or no?")
get a verdict, and never a choice between two named things ("... a drug or a pro-drug?").
The verdict comes from a logistic model over cheap features of the question and the
evidence sentences, best first (negation, hedging, contrast, question terms covered);
its weights, the features kept and the two probability thresholds live in `verdict.json`
beside this module, fitted on the BioASQ training split by `medcite eval fit-verdict`.
Between the thresholds the model is not sure enough, and nothing is stated.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from medcite.text import QUESTION_WORDS, STOPWORDS, term_set, words
from medcite.types import Answer

WEIGHTS_FILE = Path(__file__).with_name("verdict.json")
TOP = 2  # the best sentences, read more closely than the rest
MAX_SENTENCES = 8

_AUX = (
    r"is|are|was|were|am|do|does|did|can|could|should|would|will|has|have|had|may|might|"
    r"must|shall|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|can't|cannot|hasn't|haven't"
)
# An auxiliary first, possibly after a short leading phrase ("In adults, is ...").
_AUX_FIRST = re.compile(rf"^\W*(?:[^,?]{{1,60}},\s*)?(?:{_AUX})\b", re.I)
_YES_OR_NO = re.compile(r"\b(?:yes\s+or\s+no|true\s+or\s+false)\W*$", re.I)
# "... a drug or a pro-drug?", "... dominant or recessive gene?": a choice, not yes/no.
_CHOICE = re.compile(r"\bor\s+(?:an?\s+|the\s+)?[\w'-]+(?:\s+[\w'-]+)?\W*$", re.I)
_OR_NOT = re.compile(r"\bor\s+not\b", re.I)


def is_yes_no(question: str) -> bool:
    """Whether the question asks for a yes or a no (from its wording alone)."""
    text = question.strip()
    if _YES_OR_NO.search(text):
        return True
    if not _AUX_FIRST.match(text):
        return False
    return not _CHOICE.search(text) or bool(_OR_NOT.search(text))


def _cue(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.I)


_NEGATION = _cue(
    r"no",
    r"not",
    r"\w+n't",
    r"neither",
    r"nor",
    r"never",
    r"none",
    r"cannot",
    r"failed\s+to",
    r"fails\s+to",
    r"lack(?:s|ed|ing)?",
    r"absence",
    r"absent",
    r"without",
    r"unlikely",
    r"unrelated",
    r"independent(?:ly)?\s+of",
    r"independence",
    r"rather\s+than",
    r"instead\s+of",
)
_NO_EFFECT = _cue(
    r"no\s+(?:significant\s+)?(?:effect|difference|association|benefit|evidence|correlation|"
    r"improvement|change|impact|role)",
    r"not\s+(?:significantly\s+)?(?:associated|effective|improve|reduce|increase|affect|"
    r"differ|correlated|required|necessary|sufficient|beneficial|superior)\w*",
    r"did\s+not",
    r"does\s+not",
    r"do\s+not",
    r"was\s+not",
    r"were\s+not",
    r"is\s+not",
    r"are\s+not",
    r"ineffective",
    r"non-?significant",
    r"unaffected",
    r"terminated",
    r"discontinued",
    r"failed",
    r"halted",
)
_HEDGE = _cue(
    r"may",
    r"might",
    r"could",
    r"possibly",
    r"possible",
    r"potential(?:ly)?",
    r"suggest\w*",
    r"unclear",
    r"unknown",
    r"controversial",
    r"conflicting",
    r"remains?\s+to\s+be",
    r"debated",
    r"hypothes\w+",
)
_CONTRAST = _cue(r"however", r"but", r"although", r"whereas", r"despite", r"in\s+contrast")
_POSITIVE = _cue(
    r"significantly",
    r"associated\s+with",
    r"effective",
    r"efficacy",
    r"improved?",
    r"demonstrat\w+",
    r"confirm\w*",
    r"required\s+for",
    r"essential",
    r"plays?\s+(?:an?\s+)?(?:\w+\s+)?role",
    r"shown",
    r"showed",
)
_ABSOLUTE = _cue(
    r"only", r"all", r"always", r"never", r"exclusively", r"solely", r"entirely", r"every"
)
_COMPARATIVE = _cue(
    r"\w+er\s+than", r"more\s+\w+\s+than", r"less\s+\w+\s+than", r"superior", r"inferior"
)
_EFFICACY = _cue(
    r"effective", r"efficacy", r"efficacious", r"improve\w*", r"beneficial", r"benefit\w*"
)
_EXISTENCE = re.compile(r"^\W*(?:is|are|was|were)\s+there\b", re.I)
_QUESTION_NEGATED = _cue(r"not", r"\w+n't", r"no", r"never")
# Opposite directions: the question says one, the evidence the other.
_OPPOSITES = (
    ("increas", "decreas"),
    ("increas", "reduc"),
    ("up-?regulat", "down-?regulat"),
    ("activat", "inhibit"),
    ("promot", "suppress"),
    ("promot", "inhibit"),
    ("induc", "repress"),
    ("higher", "lower"),
    ("positive", "negative"),
    ("gain", "loss"),
    ("agonist", "antagonist"),
    ("enhanc", "impair"),
    ("benefit", "harm"),
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the features read from the question and the evidence sentences."""

    question: str
    terms: frozenset[str]
    sentences: tuple[str, ...]
    covered: tuple[float, ...]  # share of the question's terms in each sentence


def read(question: str, sentences: Sequence[str]) -> Reading:
    kept = [w for w in words(question) if w not in STOPWORDS and w not in QUESTION_WORDS]
    key = term_set(" ".join(kept))
    chosen = tuple(s for s in sentences if s.strip())[:MAX_SENTENCES]
    covered = tuple(len(key & term_set(s)) / len(key) if key else 0.0 for s in chosen)
    return Reading(question, key, chosen, covered)


def _share(pattern: re.Pattern[str], texts: Sequence[str]) -> float:
    return sum(bool(pattern.search(t)) for t in texts) / len(texts) if texts else 0.0


def _keyed_share(pattern: re.Pattern[str], r: Reading, n: int) -> float:
    """Share of the first n sentences that hold the cue and half the question's terms."""
    pairs = list(zip(r.sentences[:n], r.covered[:n], strict=True))
    return sum(bool(pattern.search(s)) and c >= 0.5 for s, c in pairs) / len(pairs) if pairs else 0


def _opposed(r: Reading) -> float:
    """1 when the question names one direction and the best sentences only the other."""
    q = r.question.lower()
    top = " ".join(r.sentences[:TOP]).lower()
    for a, b in _OPPOSITES:
        for asked, other in ((a, b), (b, a)):
            in_question = re.search(rf"\b{asked}", q)
            if in_question and re.search(rf"\b{other}", top) and not re.search(rf"\b{asked}", top):
                return 1.0
    return 0.0


FEATURES: dict[str, Callable[[Reading], float]] = {
    "neg_first": lambda r: _share(_NEGATION, r.sentences[:1]),
    "neg_top": lambda r: _share(_NEGATION, r.sentences[:TOP]),
    "neg_all": lambda r: _share(_NEGATION, r.sentences),
    "neg_keyed_top": lambda r: _keyed_share(_NEGATION, r, TOP),
    "no_effect_top": lambda r: _share(_NO_EFFECT, r.sentences[:TOP]),
    "no_effect_best": lambda r: _share(_NO_EFFECT, _best(r)),
    "neg_best": lambda r: _share(_NEGATION, _best(r)),
    "no_effect_keyed": lambda r: _keyed_share(_NO_EFFECT, r, MAX_SENTENCES),
    "no_effect_all": lambda r: _share(_NO_EFFECT, r.sentences),
    "hedge_top": lambda r: _share(_HEDGE, r.sentences[:TOP]),
    "hedge_all": lambda r: _share(_HEDGE, r.sentences),
    "contrast_top": lambda r: _share(_CONTRAST, r.sentences[:TOP]),
    "positive_top": lambda r: _share(_POSITIVE, r.sentences[:TOP]),
    "positive_all": lambda r: _share(_POSITIVE, r.sentences),
    "cover_first": lambda r: r.covered[0] if r.covered else 0.0,
    "cover_top": lambda r: max(r.covered[:TOP], default=0.0),
    "cover_all": lambda r: _union_cover(r),
    "opposed": _opposed,
    "q_absolute": lambda r: float(bool(_ABSOLUTE.search(r.question))),
    "q_comparative": lambda r: float(bool(_COMPARATIVE.search(r.question))),
    "q_negated": lambda r: float(bool(_QUESTION_NEGATED.search(r.question))),
    "q_efficacy": lambda r: _asks_efficacy(r),
    "q_existence": lambda r: float(bool(_EXISTENCE.search(r.question))),
    "efficacy_hedged": lambda r: _asks_efficacy(r) * _share(_HEDGE, r.sentences[:TOP]),
    "efficacy_positive": lambda r: _asks_efficacy(r) * _share(_POSITIVE, r.sentences[:TOP]),
    "efficacy_no_effect": lambda r: _asks_efficacy(r) * _share(_NO_EFFECT, r.sentences),
    "q_terms": lambda r: math.log1p(len(r.terms)),
    "sentences": lambda r: math.log1p(len(r.sentences)),
}


def _best(r: Reading) -> tuple[str, ...]:
    """The sentence that holds most of the question's terms (the first of equals)."""
    if not r.sentences:
        return ()
    return (r.sentences[max(range(len(r.covered)), key=lambda i: (r.covered[i], -i))],)


def _asks_efficacy(r: Reading) -> float:
    return float(bool(_EFFICACY.search(r.question)))


def _union_cover(r: Reading) -> float:
    if not r.terms:
        return 0.0
    return len(r.terms & term_set(" ".join(r.sentences))) / len(r.terms)


def features(question: str, sentences: Sequence[str]) -> dict[str, float]:
    """Every feature in `FEATURES` for the question and its evidence, best sentence first."""
    reading = read(question, sentences)
    return {name: f(reading) for name, f in FEATURES.items()}


@dataclass(frozen=True, slots=True)
class VerdictModel:
    """P(yes) = sigmoid(w · (x - mean) / scale + b); "yes" above `high`, "no" below `low`."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    low: float
    high: float

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.bias
        for name, mu, sd, w in zip(self.names, self.mean, self.scale, self.weights, strict=True):
            z += w * (values[name] - mu) / sd
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def decide(self, probability: float) -> str | None:
        if probability >= self.high:
            return "yes"
        if probability <= self.low:
            return "no"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "bias": self.bias,
            "low": self.low,
            "high": self.high,
            "inputs": [
                {"name": n, "mean": m, "scale": s, "weight": w}
                for n, m, s, w in zip(self.names, self.mean, self.scale, self.weights, strict=True)
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerdictModel:
        inputs = data["inputs"]
        return cls(
            tuple(str(i["name"]) for i in inputs),
            tuple(float(i["mean"]) for i in inputs),
            tuple(float(i["scale"]) for i in inputs),
            tuple(float(i["weight"]) for i in inputs),
            float(data["bias"]),
            float(data["low"]),
            float(data["high"]),
        )


@lru_cache(maxsize=4)
def load_model(path: Path = WEIGHTS_FILE) -> VerdictModel:
    """The fitted model (see `medcite eval fit-verdict`)."""
    return VerdictModel.from_json(json.loads(path.read_text(encoding="utf-8"))["model"])


def decide_verdict(
    question: str, sentences: Sequence[str], model: VerdictModel | None = None
) -> str | None:
    """ "yes", "no", or None when the question is not yes/no or the evidence is not clear."""
    if not sentences or not is_yes_no(question):
        return None
    model = model or load_model()
    return model.decide(model.probability(features(question, sentences)))


# Questions asking permission for this patient ("Can I take …?", "Is it OK to start …?",
# "… while pregnant?"): a bare yes or no would read as clearance, and the model was fitted on
# questions of fact (BioASQ), not on these.
PERMISSION_ASPECTS = frozenset({"contraindication", "interaction", "pregnancy", "missed_dose"})


_PERMISSION = re.compile(
    r"^\W*(?:can|could|may|should|shall) (?:i|we|he|she|they|my \w+|our \w+)\b"
    r"|\bis it (?:ok|okay|safe|alright|all right|fine)\b",
    re.I,
)


def with_verdict(answer: Answer, aspects: Sequence[str] = ()) -> Answer:
    """The answer with its verdict, read from its claims (bottom line first); none for a
    question asking permission ("Can I …?", "Is it OK to …?", or one of PERMISSION_ASPECTS
    among its `aspects`)."""
    if answer.abstained or PERMISSION_ASPECTS & set(aspects) or _PERMISSION.search(answer.question):
        return answer
    sentences = [c.text for c in answer.claims]
    return replace(answer, verdict=decide_verdict(answer.question, sentences))
