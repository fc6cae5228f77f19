"""What one turn of a conversation knew about the patient: carried, new and computed."""

from __future__ import annotations

from collections.abc import Sequence

from medcite.clinical.context import extract_context
from medcite.clinical.describe import describe
from medcite.clinical.renal import OrganFunction
from medcite.types import Concept, PatientContext, TurnContext


def turn_context(
    history: Sequence[str],
    context: PatientContext,
    carried: Sequence[Concept],
    dropped: Sequence[str],
    organ: OrganFunction,
) -> TurnContext:
    """The turn's context: patient details read from earlier turns and still true, those
    this turn added or changed, the subjects kept or dropped, and the computed values."""
    now = describe(context)
    before = set(describe(extract_context(history))) if history else set()
    return TurnContext(
        carried=tuple(p for p in now if p in before),
        new=tuple(p for p in now if p not in before),
        carried_subjects=tuple(c.label for c in carried),
        dropped_subjects=tuple(dropped),
        computed=organ.computed,
    )
