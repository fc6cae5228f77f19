"""What changed between two versions of an article, claim by claim (difflib).

Within each section the claims are aligned by their text: a claim only in the new version is
added, one only in the old is removed, and a claim whose text is close to an old one, or whose
text is the same but cites other passages, is changed (with a word-level diff of the text).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from medcite.schema import AnswerPublic, ClaimPublic

ChangeKind = Literal["added", "removed", "changed", "unchanged"]
SAME_CLAIM = 0.5  # text similarity above which a replaced claim counts as changed


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim as a diff shows it: its text and the passages it cites."""

    text: str
    passages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClaimChange:
    kind: ChangeKind
    section_key: str
    section_title: str
    old: ClaimView | None = None
    new: ClaimView | None = None
    words: tuple[tuple[str, str], ...] = ()  # (equal | insert | delete, text) for "changed"

    @property
    def citations_added(self) -> tuple[str, ...]:
        before = self.old.passages if self.old else ()
        return tuple(p for p in (self.new.passages if self.new else ()) if p not in before)

    @property
    def citations_removed(self) -> tuple[str, ...]:
        after = self.new.passages if self.new else ()
        return tuple(p for p in (self.old.passages if self.old else ()) if p not in after)


@dataclass(frozen=True, slots=True)
class VersionDiff:
    old_version: int
    new_version: int
    changes: tuple[ClaimChange, ...]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


Sections = dict[str, tuple[str, list[ClaimView]]]


def diff_answers(old_json: str, new_json: str, old_version: int, new_version: int) -> VersionDiff:
    old, new = (
        AnswerPublic.model_validate_json(old_json),
        AnswerPublic.model_validate_json(new_json),
    )
    before, after = _sections(old), _sections(new)
    keys = list(after) + [k for k in before if k not in after]
    changes: list[ClaimChange] = []
    for key in keys:
        title = (after.get(key) or before[key])[0]
        a = before.get(key, ("", []))[1]
        b = after.get(key, ("", []))[1]
        changes += _diff_section(key, title, a, b)
    return VersionDiff(old_version, new_version, tuple(changes))


def _sections(answer: AnswerPublic) -> Sections:
    sections: Sections = {"bottom_line": ("Bottom line", [_view(c) for c in answer.bottom_line])}
    for s in answer.sections:
        sections[s.key] = (s.title, [_view(c) for c in s.claims])
    return sections


def _view(claim: ClaimPublic) -> ClaimView:
    """The claim's text and its cited passages (saved answers of any shape name them)."""
    return ClaimView(claim.text, tuple(claim.passage_ids))


def _diff_section(
    key: str, title: str, a: list[ClaimView], b: list[ClaimView]
) -> list[ClaimChange]:
    matcher = SequenceMatcher(a=[c.text for c in a], b=[c.text for c in b], autojunk=False)
    changes: list[ClaimChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for old, new in zip(a[i1:i2], b[j1:j2], strict=True):
                kind: ChangeKind = "unchanged" if old.passages == new.passages else "changed"
                changes.append(ClaimChange(kind, key, title, old, new))
        else:
            changes += _pair_up(key, title, a[i1:i2], b[j1:j2])
    return changes


def _pair_up(key: str, title: str, old: list[ClaimView], new: list[ClaimView]) -> list[ClaimChange]:
    """Replaced claims: each old one paired with its most similar new one, if close enough."""
    unmatched = list(new)
    changes: list[ClaimChange] = []
    for claim in old:
        scored = [
            (SequenceMatcher(a=claim.text, b=n.text).ratio(), i) for i, n in enumerate(unmatched)
        ]
        best = max(scored, default=(0.0, -1))
        if best[0] >= SAME_CLAIM:
            match = unmatched.pop(best[1])
            changes.append(ClaimChange("changed", key, title, claim, match, _words(claim, match)))
        else:
            changes.append(ClaimChange("removed", key, title, old=claim))
    changes += [ClaimChange("added", key, title, new=n) for n in unmatched]
    return changes


def _words(old: ClaimView, new: ClaimView) -> tuple[tuple[str, str], ...]:
    a, b = old.text.split(), new.text.split()
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("equal", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("insert", " ".join(b[j1:j2])))
    return tuple(parts)
