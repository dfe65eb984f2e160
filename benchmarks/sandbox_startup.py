"""How long `plexbook sandbox` takes to serve a fresh household, against its 2 s budget.

    python benchmarks/sandbox_startup.py [RUNS]

Starts the command RUNS times (default 7), each time measuring from process start to
the first successful sign-in and Home users answer, and prints the median, the range
and the ratio of the median to the budget. It measures; it never fails on time.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time

import httpx

BUDGET_S = 2.0
HEADERS = {"X-Plex-Client-Identifier": "benchmark", "Accept": "application/json"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_start() -> float:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "plexbook", "sandbox", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        # The command prints its URL once the port is listening; then a household must answer.
        while "Serving at" not in process.stdout.readline():
            if process.poll() is not None:
                raise SystemExit("the sandbox exited before serving")
        signin = httpx.post(
            f"{base}/api/v2/users/signin",
            data={"login": "alex@sandbox.plexbook.test", "password": "sandbox-pass-1"},
            headers=HEADERS,
        )
        users = httpx.get(f"{base}/api/v2/home/users", headers={**HEADERS, "X-Plex-Token": signin.json()["authToken"]})
        if users.status_code != 200 or len(users.json()["users"]) != 4:
            raise SystemExit(f"the sandbox answered {users.status_code} without the demo household")
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    one_start()  # warm-up: first imports fill the file cache
    times = sorted(one_start() for _ in range(runs))
    median = statistics.median(times)
    print(f"plexbook sandbox, start to serving a fresh household ({runs} runs)")
    print(f"  median {median:.3f} s  (min {times[0]:.3f} s, max {times[-1]:.3f} s)")
    print(f"  median / {BUDGET_S:.0f} s budget = {median / BUDGET_S:.2f}")


if __name__ == "__main__":
    main()
