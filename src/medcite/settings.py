"""Settings: defaults < TOML file < MEDCITE_* environment < explicit overrides.

Never built at import time; entry points take `settings: Settings | None = None`.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from medcite.errors import ConfigError
from medcite.types import DocKind

_toml_path: ContextVar[Path | None] = ContextVar("medcite_toml_path", default=None)

SAMPLE_QUESTION = (
    "What is the management approach for a patient on ruxolitinib (Jakafi) "
    "with a positive CMV PCR of 1700?"
)


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CorpusSource(_Group):
    path: Path = Field(description="A file or folder to ingest; relative paths use corpus.root.")
    kind: DocKind | None = Field(
        default=None, description="Force the document kind instead of detecting it."
    )


class CorpusSettings(_Group):
    root: Path = Field(
        default=Path("../shared"),
        description="Folder that relative corpus source paths are resolved against.",
    )
    sources: tuple[CorpusSource, ...] = Field(
        default=(
            CorpusSource(path=Path("data/corpus/medquad/medquad.jsonl")),
            CorpusSource(path=Path("data/corpus/fda-labels")),
            CorpusSource(path=Path("seeds/004_9451d828407b2fcc.txt"), kind=DocKind.CASE_REPORT),
        ),
        description="What `medcite demo` ingests: MedQuAD, FDA labels and the seed case report.",
    )
    sample_question: str = Field(
        default=SAMPLE_QUESTION, description="The question `medcite demo` answers."
    )

    def resolved(self) -> tuple[CorpusSource, ...]:
        """The sources with relative paths resolved against `root`."""
        return tuple(
            CorpusSource(path=s.path if s.path.is_absolute() else self.root / s.path, kind=s.kind)
            for s in self.sources
        )


class IngestSettings(_Group):
    max_file_mb: float = Field(
        default=64.0, gt=0, description="Files larger than this are refused with a clear error."
    )
    passage_chars: int = Field(
        default=900, ge=200, le=8000, description="Target passage length in characters."
    )
    batch_docs: int = Field(
        default=2000, ge=1, description="Documents written per progress update inside a file."
    )


class RetrievalSettings(_Group):
    lexical_backend: Literal["tantivy"] = Field(
        default="tantivy", description="Lexical index backend."
    )
    k: int = Field(default=30, ge=1, le=500, description="Passages retrieved per question.")
    max_per_document: int = Field(
        default=6, ge=1, description="Passages from one document among the retrieved at most."
    )
    title_boost: float = Field(
        default=1.5, ge=0, description="BM25 weight of the document title relative to the text."
    )


class AnswerSettings(_Group):
    bottom_line_sentences: int = Field(
        default=2, ge=1, le=3, description="Sentences in the bottom line."
    )
    max_per_section: int = Field(default=4, ge=1, description="Bullets per section at most.")
    max_claims: int = Field(default=18, ge=1, description="Bullets in the whole answer at most.")
    min_coverage: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Share of the question's weighted concepts the evidence must cover, "
        "or medcite abstains.",
    )
    min_sentence_relevance: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="Share of the question's concepts a sentence (with its document title) "
        "must cover to be shown.",
    )
    duplicate_similarity: float = Field(
        default=0.75, gt=0, le=1, description="Word-overlap above which two sentences are one."
    )
    max_sentence_words: int = Field(
        default=70, ge=10, description="Longer sentences (usually lists or tables) are skipped."
    )


class AudienceSettings(_Group):
    patient_education_boost: float = Field(
        default=1.6,
        ge=1,
        description="For patients: factor on the retrieval score of patient-education "
        "documents (1 = no preference).",
    )


class WebSettings(_Group):
    host: str = Field(default="127.0.0.1", description="Address `medcite serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `medcite serve` uses.")
    max_body_bytes: int = Field(
        default=32_768, ge=1024, description="Larger request bodies are refused with 413."
    )
    recent_questions: int = Field(
        default=8, ge=0, le=50, description="Recent questions listed on the ask page."
    )


class ReviewSettings(_Group):
    database_url: SecretStr | None = Field(
        default=None,
        description="Database of articles, reviewers and the audit trail (SQLAlchemy URL, e.g. "
        "postgresql+psycopg://user:password@host/db); default: SQLite at <home>/articles.sqlite3.",
    )
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Mark session cookies Secure: auto = when the request came over https.",
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="A web sign-in lasts this many hours."
    )


class Settings(BaseSettings):
    """All of medcite's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="MEDCITE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    home: Path = Field(
        default=Path("~/.medcite"),
        description="Data directory: SQLite store, lexical index, caches.",
    )
    corpus: CorpusSettings = Field(default_factory=CorpusSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    audience: AudienceSettings = Field(default_factory=AudienceSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _toml_path.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @property
    def data_dir(self) -> Path:
        return self.home.expanduser()

    def fingerprint(self) -> str:
        """Hash of everything that shapes an answer (data directory, web server and review
        database excluded)."""
        payload = self.model_dump(mode="json", exclude={"home", "web", "review"})
        blob = json.dumps(payload, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from an optional TOML file (else $MEDCITE_CONFIG or ./medcite.toml)."""
    path = config or _default_config_path()
    if path is not None and not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    token = _toml_path.set(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_first_error(exc)}") from exc
    finally:
        _toml_path.reset(token)


def _default_config_path() -> Path | None:
    env = os.environ.get("MEDCITE_CONFIG")
    if env:
        return Path(env)
    local = Path("medcite.toml")
    return local if local.is_file() else None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"
