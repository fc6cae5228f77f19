from pathlib import Path

import pytest

from medcite.errors import ConfigError
from medcite.settings import load_settings


def test_precedence_defaults_toml_env_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "medcite.toml"
    cfg.write_text("[retrieval]\nk = 11\ntitle_boost = 2.0\n")
    assert load_settings(cfg).retrieval.k == 11
    monkeypatch.setenv("MEDCITE_RETRIEVAL__K", "12")
    settings = load_settings(cfg)
    assert settings.retrieval.k == 12 and settings.retrieval.title_boost == 2.0
    monkeypatch.chdir(tmp_path)  # ./medcite.toml is found without --config
    assert load_settings().retrieval.title_boost == 2.0


def test_unknown_or_invalid_settings_are_config_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[retrieval]\nspeed = 'fast'\n")
    with pytest.raises(ConfigError, match=r"retrieval\.speed"):
        load_settings(cfg)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_fingerprint_tracks_answer_shaping_settings_not_the_data_directory(tmp_path: Path) -> None:
    a = load_settings(home=tmp_path / "a")
    b = load_settings(home=tmp_path / "b")
    assert a.fingerprint() == b.fingerprint()
    c = load_settings(home=tmp_path / "a", answer={"max_claims": 5})
    assert c.fingerprint() != a.fingerprint()


def test_corpus_paths_resolve_against_the_root(tmp_path: Path) -> None:
    settings = load_settings(corpus={"root": tmp_path})
    assert all(s.path.is_relative_to(tmp_path) for s in settings.corpus.resolved())
