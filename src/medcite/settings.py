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

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from medcite.errors import ConfigError
from medcite.llm.prompts import (
    SYSTEM_PROMPT,
    SYSTEM_VARIABLES,
    USER_PROMPT,
    USER_REQUIRED,
    USER_VARIABLES,
    check_template,
)
from medcite.types import DocKind

# Never printed, never hashed.
SECRET_FIELDS: dict[str, Any] = {"llm": {"api_key"}}
MAX_WORKERS = 64
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
            CorpusSource(path=Path("data/corpus/guidelines")),
            CorpusSource(path=Path("data/corpus/pmc")),
            CorpusSource(path=Path("data/corpus/pubmed/pubmed21n1298.xml.gz")),
        ),
        description="What `medcite demo` ingests: MedQuAD, FDA labels, the seed case report, "
        "the guideline summaries and renal dose table, the PMC articles and the 2021 PubMed "
        "file (the older PubMed baseline file is for scale tests).",
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
    checkpoint_docs: int = Field(
        default=20_000,
        ge=1,
        description="A file of more documents than this is committed every this many (a "
        "smaller one in one transaction); an interrupted ingest resumes after the last commit.",
    )
    max_stream_mb: float = Field(
        default=2048.0,
        gt=0,
        description="Files read as a stream (PubMed XML, .xml.gz, DailyMed zips) may be this "
        "large, on disk and once decompressed; others are limited by max_file_mb.",
    )
    title_only_citations: bool = Field(
        default=False,
        description="Keep PubMed citations that have no abstract, as title-only documents.",
    )
    max_file_seconds: float = Field(
        default=120.0,
        gt=0,
        description="Reading one file may take this long (a streamed file: this long per 8 MB "
        "on disk); a file that takes longer fails (the rest of the batch goes in).",
    )
    lock_wait_s: float = Field(
        default=3600.0,
        ge=0,
        description="While another process writes the library (ingest, embed, repair), wait "
        "this long for it, then give up before writing anything.",
    )
    encoding: str | None = Field(
        default=None,
        description="Text encoding of the files (e.g. cp1252), for files that declare none; "
        "default: a byte-order mark or the file's own declaration, else UTF-8. Invalid bytes "
        "are always an error, never guessed.",
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        from medcite.sources.encoding import check_encoding_name

        return None if value is None else check_encoding_name(value)


class RetrievalSettings(_Group):
    lexical_backend: Literal["tantivy"] = Field(
        default="tantivy", description="Lexical index backend."
    )
    k: int = Field(default=30, ge=1, le=500, description="Passages retrieved per question.")
    max_per_document: int = Field(
        default=8, ge=1, description="Passages from one document among the retrieved at most."
    )
    title_boost: float = Field(
        default=1.5, ge=0, description="BM25 weight of the document title relative to the text."
    )
    embedder: str = Field(
        default="minilm-int8",
        description="Sentence-embedding model for dense retrieval (needs the [dense] extra): "
        "minilm-int8 (all-MiniLM-L6-v2 with int8 weights in onnxruntime: about twice as fast, "
        "the same retrieval quality), minilm (the same model in numpy, fp32, for a machine "
        "without onnxruntime), or none (lexical only).",
    )
    embedding_cache: Path | None = Field(
        default=None,
        description="SQLite cache of passage vectors keyed by model and text hash "
        "(default: <home>/embeddings.sqlite3); data directories may share one.",
    )
    vector_backend: Literal["auto", "exact", "hnsw"] = Field(
        default="auto",
        description="Vector search: exact (numpy), hnsw (usearch), or auto by index size.",
    )
    hnsw_threshold: int = Field(
        default=200_000, ge=0, description="With vector_backend=auto, use HNSW above this many."
    )
    candidates: int = Field(
        default=100, ge=1, le=2000, description="Passages each retriever contributes to fusion."
    )
    fusion: Literal["rrf", "weighted"] = Field(
        default="rrf", description="How lexical and dense rankings are combined."
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the dense score in the weighted-sum fusion (lexical gets the rest).",
    )
    expansion: bool = Field(
        default=True, description="Add synonyms and drug names to the lexical query."
    )
    expansion_weight: float = Field(
        default=0.5, ge=0, le=1, description="BM25 weight of expanded terms (question's own: 1)."
    )
    reranker: Literal["none", "linear"] = Field(
        default="linear", description="Reranker of the fused candidates (linear: fitted weights)."
    )
    rerank_depth: int = Field(
        default=200, ge=1, le=2000, description="Fused candidates the reranker re-orders."
    )


class AnswerSettings(_Group):
    bottom_line_sentences: int = Field(
        default=2, ge=1, le=3, description="Sentences in the bottom line."
    )
    max_per_section: int = Field(default=5, ge=1, description="Bullets per section at most.")
    max_claims: int = Field(default=18, ge=1, description="Bullets in the whole answer at most.")
    min_coverage: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the question's weighted subject (understand/subject.py) one "
        "document must cover, or medcite abstains.",
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
        default=0,
        ge=0,
        le=50,
        description="Recent questions listed on the ask page (0, the default: none). Anyone who "
        "can open the page sees them; they are shown scrubbed of identifiers.",
    )
    retention_days: float | None = Field(
        default=30.0,
        gt=0,
        description="Stored questions, answers and conversations older than this many days "
        "(since their last turn) are deleted; none = kept until `medcite forget`.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=MAX_WORKERS,
        description="Worker processes `medcite serve` answers with (about one per CPU core). "
        "Each holds its own engine over the same library; sign-ins and sessions live in the "
        "database, and a local model is loaded once, by the parent process.",
    )


class LLMSettings(_Group):
    backend: str = Field(
        default="none",
        description="Who writes the answer: none (extractive, no model), openai (any "
        "OpenAI-compatible endpoint), local (a GGUF model run in process by llama.cpp; "
        "llamacpp is the same), fake (tests).",
    )
    model: str | None = Field(
        default=None,
        description="Model name sent to the endpoint (e.g. llama3.1:8b, gpt-4o-mini); for the "
        "local backend, a packaged model from `medcite models list` (e.g. smollm2-135m).",
    )
    base_url: str = Field(
        default="https://api.openai.com/v1",
        description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 for Ollama.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="API key; set MEDCITE_LLM__API_KEY (or OPENAI_API_KEY) in the environment, "
        "never in a committed file. Not printed, not part of the settings hash.",
    )
    model_path: Path | None = Field(
        default=None,
        description="Any GGUF model file for the local backend (takes precedence over llm.model).",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Where `medcite models` keeps joined and downloaded model files "
        "(default: <home>/models).",
    )
    model_url: str | None = Field(
        default=None,
        description="A GGUF file on a model hub, fetched only by `medcite models download` "
        "(never at import or start-up); needs llm.model_sha256.",
    )
    model_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) the file at llm.model_url must have; a mismatch is refused.",
    )
    threads: int = Field(
        default=0,
        ge=0,
        le=256,
        description="CPU threads for the local backend (0: all cores of this machine).",
    )
    context_window: int = Field(
        default=8192, ge=512, description="Tokens the prompt and the reply share."
    )
    max_tokens: int = Field(default=1024, ge=64, description="Longest reply, in tokens.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    timeout_s: float = Field(
        default=60.0, gt=0, description="Seconds one request may take, streaming included."
    )
    budget_s: float = Field(
        default=120.0,
        gt=0,
        description="Seconds the model may spend on one answer, repairs and retries included; "
        "after that the extractive answer stands and the answer says why. A timed-out "
        "generation on this machine (the local backend, a loopback endpoint) is never retried.",
    )
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries after a timeout, connection error, 429 or 5xx."
    )
    retry_backoff_s: float = Field(
        default=1.0, ge=0, description="Wait before the first retry; doubled for each next one."
    )
    stream: bool = Field(default=False, description="Stream the reply (assembled before use).")
    json_mode: Literal["schema", "object", "off"] = Field(
        default="schema",
        description="How the reply is constrained: a JSON schema, any JSON object, or only "
        "the prompt (for endpoints without response_format support).",
    )
    max_passages: int = Field(
        default=12, ge=1, le=50, description="Retrieved passages shown to the model at most."
    )
    trusted_endpoint: bool = Field(
        default=False,
        description="The OpenAI-compatible endpoint is a model you run and trust with patient "
        "data: questions reach it unscrubbed, and never through a proxy (HTTP_PROXY and the "
        "like are ignored for it). Off, every request is scrubbed first, whatever the host "
        "name: a localhost URL alone proves nothing.",
    )
    scrub_phi: Literal["remote", "always"] = Field(
        default="remote",
        description="Replace names, dates, record and account numbers, phones, emails, "
        "addresses, URLs and IP addresses in the question by placeholders before a request to "
        "any endpoint but a trusted one (llm.trusted_endpoint, or the in-process local "
        "model), or always.",
    )
    on_failure: Literal["extractive", "error"] = Field(
        default="extractive",
        description="When the model fails or its output is unusable: fall back to the "
        "extractive writer (saying so on the answer), or stop with an error.",
    )
    system_prompt: str = Field(
        default=SYSTEM_PROMPT, description="System prompt template; may use {audience}."
    )
    user_prompt: str = Field(
        default=USER_PROMPT,
        description="User prompt template; must use {question}, {passages} and {sections}; "
        "may use {audience} and {bottom_line}.",
    )

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        from medcite.llm.backends import LLM_BACKENDS

        if value != "none" and value not in LLM_BACKENDS:
            known = ", ".join(["none", *sorted(LLM_BACKENDS)])
            raise ValueError(f"unknown LLM backend {value!r}; choose one of: {known}")
        return value

    @field_validator("system_prompt")
    @classmethod
    def _system_variables(cls, value: str) -> str:
        return check_template(value, SYSTEM_VARIABLES)

    @field_validator("user_prompt")
    @classmethod
    def _user_variables(cls, value: str) -> str:
        return check_template(value, USER_VARIABLES, USER_REQUIRED)


class VerifySettings(_Group):
    strict: bool = Field(
        default=True,
        description="Remove every claim that is not verified; off, flagged claims are shown "
        "with a warning.",
    )
    scorer: str = Field(
        default="lexical",
        description="How a claim that is not a verbatim quote is scored against its source "
        "(a name in medcite.verify.SUPPORT_SCORERS; built in: lexical).",
    )
    min_support: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description="Support score at or above which a non-verbatim claim can be verified.",
    )
    min_flag_support: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Support score below which a citation fails (between the two: flagged).",
    )
    window_sentences: int = Field(
        default=2,
        ge=1,
        le=5,
        description="Consecutive sentences a non-verbatim claim may be matched against.",
    )

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> VerifySettings:
        if self.min_flag_support > self.min_support:
            raise ValueError("min_flag_support must not exceed min_support")
        return self


class EvalSettings(_Group):
    data_dir: Path | None = Field(
        default=None,
        description="Folder holding the evaluation sets (bioasq/, mediqa2019-task3/); "
        "default: corpus.root / data/eval.",
    )


class FetchSettings(_Group):
    eutils_url: str = Field(
        default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
        description="NCBI E-utilities base URL (esearch, efetch) for `medcite fetch pubmed|pmc`.",
    )
    dailymed_url: str = Field(
        default="https://dailymed.nlm.nih.gov/dailymed/services/v2",
        description="DailyMed web services base URL for `medcite fetch dailymed`.",
    )
    api_key_env: str = Field(
        default="NCBI_API_KEY",
        description="Environment variable holding an NCBI API key (never stored or printed); "
        "with one, E-utilities allow 10 requests/s instead of 3.",
    )
    email: str | None = Field(
        default=None, description="Contact address sent to NCBI with each request, as it asks."
    )
    requests_per_second: float | None = Field(
        default=None,
        gt=0,
        description="Requests per second at most; default: NCBI's documented limits (3 without "
        "an API key, 10 with one).",
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Seconds one request may take.")
    max_retries: int = Field(
        default=4, ge=0, le=10, description="Retries after a timeout, connection error, 429 or 5xx."
    )
    retry_backoff_s: float = Field(
        default=1.0, ge=0, description="Wait before the first retry; doubled for each next one."
    )
    batch_size: int = Field(
        default=200, ge=1, le=10_000, description="Records fetched per efetch request."
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
    token_days: float = Field(
        default=90.0,
        gt=0,
        le=3650,
        description="An API token expires this many days after it is issued (tokens issued "
        "before expiry dates were recorded count from their issue date).",
    )
    max_concurrent_hashes: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Password checks (argon2, 64 MiB each) run at once per server process at "
        "most (per worker: web.workers times as many in all); others wait briefly, then are "
        "refused with 503.",
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
    llm: LLMSettings = Field(default_factory=LLMSettings)
    verify: VerifySettings = Field(default_factory=VerifySettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)

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

    @property
    def models_dir(self) -> Path:
        """Where `medcite models` keeps joined and downloaded model files."""
        return (self.llm.models_dir or self.home / "models").expanduser()

    @property
    def eval_dir(self) -> Path:
        """Where the evaluation sets are read from."""
        return self.eval.data_dir or self.corpus.root / "data/eval"

    def fingerprint(self) -> str:
        """Hash of everything that shapes an answer (data directory, web server, review
        database, evaluation folders, fetchers, embedding cache path and secrets excluded)."""
        excluded: dict[str, Any] = {
            "home": True,
            "web": True,
            "eval": True,
            "review": True,
            "fetch": True,
            "retrieval": {"embedding_cache"},
            # where model files are kept and how many threads run them change no answer
            "llm": {*SECRET_FIELDS["llm"], "models_dir", "threads"},
        }
        payload = self.model_dump(mode="json", exclude={**SECRET_FIELDS, **excluded})
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


def private_json(settings: Settings) -> str:
    """The settings as JSON with their secrets in clear, for `settings_from_json` in a child
    process: only ever put in that process's environment, never on a command line or in a
    log or a file."""
    return json.dumps(_revealed(settings))


def settings_from_json(text: str) -> Settings:
    """Settings exactly as `private_json` wrote them (no file or environment is read)."""
    try:
        return Settings.model_validate_json(text)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_first_error(exc)}") from exc


def _revealed(model: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json")
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
        elif isinstance(value, BaseModel):
            data[name] = _revealed(value)
    return data


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
