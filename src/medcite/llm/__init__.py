"""Optional language models for writing answers; the verifier checks whatever they write.

`backends.open_llm(settings.llm)` builds the configured backend; `writer.write_with_llm`
turns retrieved passages into claims with it.
"""

from medcite.llm.base import LLM, Completion, Message

__all__ = ["LLM", "Completion", "Message"]
