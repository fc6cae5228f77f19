"""Asking while another process ingests, and a second writer arriving meanwhile.

One process ingests a large file; another keeps asking, opening a new engine for every
question (as `medcite ask` does, so each one opens the library while updates are pending);
a third starts a second ingest halfway, which must wait for the first and then write.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench.reliability.common import Tally, consistent, start_child, write_corpus

from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import load_settings

INGEST = """
    import sys
    from pathlib import Path
    from medcite.index import Library
    from medcite.ingest.pipeline import ingest
    from medcite.settings import load_settings
    told = []
    report = ingest([Path(sys.argv[2])], Library(load_settings(home=sys.argv[1])),
                    on_wait=told.append)
    print(len(told), report.count("added") + report.count("updated"), report.count("failed"))
"""
ASK = """
    import json, sys, time
    from medcite.engine import Engine
    from medcite.settings import load_settings
    settings = load_settings(home=sys.argv[1])
    questions = ["What is condition 12?", "What are the symptoms of gout?",
                 "How are kidney stones treated?", "What is topic 3 about?"]
    ok, errors, n = 0, [], 0
    deadline = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < deadline:
        try:
            engine = Engine(settings)
            engine.ask(questions[n % len(questions)])
            engine.close()
            ok += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        n += 1
    print(json.dumps({"ok": ok, "errors": errors}))
"""


def ingest_while_asking(work: Path, big: Path | None) -> Tally:
    home = work / "concurrent-home"
    base = write_corpus(work / "concurrent-base", "benign", records=500, texts=4)
    library = Library(load_settings(home=home))
    ingest([base], library)
    library.close()
    big = (
        big
        if big is not None and big.exists()
        else write_corpus(work / "concurrent-big", "large", records=20000, texts=10)
    )
    second = write_corpus(work / "concurrent-second", "second", records=300, texts=2)
    writer = start_child(INGEST, str(home), str(big), capture=True)
    asker = start_child(ASK, str(home), "12", capture=True)
    time.sleep(2.0)
    late = start_child(INGEST, str(home), str(second), capture=True)
    tally = Tally()
    for name, child in (("first ingest", writer), ("second ingest", late)):
        out, err = child.communicate(timeout=900)
        waited, _, failed = (int(x) for x in out.split()) if out.strip() else (0, 0, -1)
        fine = child.returncode == 0 and failed == 0
        tally.add(f"{name}: {'wrote' if fine else 'FAILED'}", err.decode(errors="replace")[-300:])
        if name == "second ingest":
            tally.add(f"second ingest waited with a message: {'yes' if waited else 'no'}")
    out, _ = asker.communicate(timeout=900)
    asked = json.loads(out) if out.strip() else {"ok": 0, "errors": ["the asker died"]}
    tally.counts["asks answered"] = asked["ok"]
    tally.counts["asks failed"] = len(asked["errors"])
    tally.examples += asked["errors"][:3]
    ok, why = consistent(load_settings(home=home))
    tally.add("store = index afterwards" if ok else "store ≠ index afterwards", why)
    return tally
