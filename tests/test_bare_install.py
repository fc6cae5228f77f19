"""A bare `pip install medcite` (no extras) ingests and answers: no core module imports numpy
or another extra's package, and what needs one names the extra. Run in a child process that
cannot import the extras' packages, as in a fresh virtual environment without them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import write_medquad

BLOCKED = ("numpy", "tokenizers", "usearch", "fastapi", "sqlalchemy", "argon2", "openai")
CHILD = textwrap.dedent(
    """
    import importlib.abc, importlib.util, sys

    BLOCKED = {blocked!r}

    class NoExtras(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    found = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: (
        None if name.split(".")[0] in BLOCKED else found(name, *a)
    )
    sys.meta_path.insert(0, NoExtras())
    from medcite.cli import main
    sys.argv = ["medcite", *sys.argv[1:]]
    main()
    """
).format(blocked=BLOCKED)


def _medcite(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_ingest_and_ask_work_without_any_extra(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingested = _medcite(home, "ingest", str(write_medquad(tmp_path / "m.jsonl")))
    assert ingested.returncode == 0, ingested.stderr
    asked = _medcite(home, "ask", "--json", "What are the symptoms of Brindle syndrome?")
    assert asked.returncode == 0, asked.stderr
    assert '"abstained": false' in asked.stdout and "Traceback" not in asked.stderr
    assert "pip install 'medcite[dense]'" in asked.stderr  # why retrieval is lexical only
    checked = _medcite(home, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_what_needs_an_extra_names_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for args, extra in (
        (("embed",), "dense"),
        (("serve",), "web"),
        (("users", "list"), "review"),
        (("eval", "fit-scorer"), "eval"),
    ):
        done = _medcite(home, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert f"pip install 'medcite[{extra}]'" in " ".join(done.stderr.split()), args
        assert "Traceback" not in done.stderr
