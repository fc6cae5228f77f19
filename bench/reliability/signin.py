"""A sign-in flood against a real server process: memory, statuses and lockout.

First 60 simultaneous wrong sign-ins for 60 different accounts (each would cost a 64 MiB
argon2 hash; at most `review.max_concurrent_hashes` run at once), the server's resident
memory sampled throughout; then 200 wrong passwords for one account; then its right
password, which must be refused while the account is locked.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
from bench.reliability.common import Tally, start_child

from medcite.articles import open_review
from medcite.articles.workflow import Role
from medcite.settings import load_settings

PASSWORD = "the right password, long enough"
SERVE = """
    import sys
    from medcite.cli import main
    sys.argv = ["medcite", "--home", sys.argv[1], "serve", "--port", sys.argv[2]]
    main()
"""
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sign_in(base: str, username: str, password: str) -> int:
    with httpx.Client(base_url=base, timeout=120, follow_redirects=False) as client:
        page = client.get("/login", headers={"accept": "text/html"}).text
        token = _CSRF.search(page)
        data = {"username": username, "password": password, "csrf": token.group(1) if token else ""}
        return client.post("/login", data=data, headers={"accept": "text/html"}).status_code


class _PeakMemory:
    """The largest resident set of a process while sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def sign_in_flood(work: Path) -> Tally:
    home = work / "signin-home"
    review = open_review(load_settings(home=home))
    review.accounts.add_user("ada", Role.ADMIN, password=PASSWORD)
    review.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_child(SERVE, str(home), str(port))
    tally = Tally()
    try:
        _wait(base)
        rss = psutil.Process(server.pid).memory_info().rss
        sampler = _PeakMemory(server.pid)
        with ThreadPoolExecutor(max_workers=60) as pool:
            burst = list(pool.map(lambda n: _sign_in(base, f"user{n}", "wrong!"), range(60)))
        peak = sampler.stop()
        with ThreadPoolExecutor(max_workers=20) as pool:
            flood = list(pool.map(lambda _: _sign_in(base, "ada", "wrong!"), range(200)))
        right = _sign_in(base, "ada", PASSWORD)
    finally:
        server.kill()
        server.wait()
    for status in burst:
        tally.add(f"60 at once, different accounts: HTTP {status}")
    for status in flood:
        tally.add(f"200 wrong for one account: HTTP {status}")
    tally.add(
        f"then the right password: HTTP {right} ({'locked' if right == 429 else 'NOT locked'})"
    )
    tally.add(f"server memory: {rss / 2**20:.0f} MB before, {peak / 2**20:.0f} MB at the peak")
    return tally


def _wait(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")
