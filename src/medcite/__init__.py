"""medcite: offline clinical evidence answers in which every claim cites a passage that says it."""

from __future__ import annotations

from medcite.settings import Settings, load_settings
from medcite.types import Answer, Audience

__all__ = ["Answer", "Audience", "Settings", "ask", "load_settings"]
__version__ = "0.1.0"

_engines: dict[str, object] = {}


def ask(
    question: str, settings: Settings | None = None, *, audience: Audience = Audience.CLINICIAN
) -> Answer:
    """Answer a question from the indexed library (the engine stays warm between calls)."""
    from medcite.engine import Engine

    settings = settings or load_settings()
    # The fingerprint leaves secrets out; a changed API key must not reuse an old engine.
    key = f"{settings.data_dir}|{settings.fingerprint()}|{hash(settings.model_dump_json())}"
    engine = _engines.get(key)
    if not isinstance(engine, Engine):
        engine = _engines[key] = Engine(settings)
    return engine.ask(question, audience=audience)
