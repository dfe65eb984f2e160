"""How long `plexbook --help`, `list` and `show` take, against their 0.25 s budget.

    python benchmarks/startup.py [RUNS]

Runs each command RUNS times (default 9), after one warm-up, each in a new process as a
person runs it, and prints the median, the range and the ratio of the median to the
budget. It measures; it never fails on time.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET_S = 0.25
COMMANDS = (["--help"], ["list"], ["show", "remove-pin"])


def plexbook_command() -> list[str]:
    """The installed ``plexbook`` script beside this Python, else ``python -m plexbook``."""
    script = Path(sys.executable).with_name("plexbook")
    if script.is_file():
        return [str(script)]
    found = shutil.which("plexbook")
    return [found] if found else [sys.executable, "-m", "plexbook"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    base = plexbook_command()
    print(f"{Path(base[0]).name} start-up, {runs} runs each after a warm-up")
    for args in COMMANDS:
        command = [*base, *args]
        timed(command)
        times = [timed(command) for _ in range(runs)]
        median = statistics.median(times)
        print(
            f"  plexbook {' '.join(args):<16} median {median:.3f} s  (min {min(times):.3f}, max {max(times):.3f})"
            f"  median / {BUDGET_S} s budget = {median / BUDGET_S:.2f}"
        )


if __name__ == "__main__":
    main()
