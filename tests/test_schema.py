import json
from pathlib import Path

from medcite.schema import AnswerPublic

DOC = Path(__file__).resolve().parents[1] / "docs" / "answer.schema.json"


def test_documented_schema_is_current() -> None:
    """docs/answer.schema.json is regenerated with `medcite schema > docs/answer.schema.json`."""
    assert json.loads(DOC.read_text()) == AnswerPublic.model_json_schema()
