"""Where a run's browser time goes, read from its Playwright traces: call by call, and by kind.

    python benchmarks/trace_calls.py TRACE.zip [TRACE.zip ...] [--each]

Give it the ``trace.zip`` of a run folder, or of several runs of one command in the order
they ran (``plexbook run ... --user A --user B`` leaves one per user), or the plain
benchmark script's own trace. For each it prints how many browser calls the trace holds,
the time from the first call's start to the last call's end, the screencast frames and DOM
snapshots recorded, and the calls by kind (count and milliseconds), longest first;
``--each`` lists every call too. Trace groups (one per step) are left out of the counts:
they span the calls inside them.

Traces of one command share the driver's clock, so between two of them it also prints the
gap: the time from one run's last call to the next run's first, which is the switch from one
trace chunk to the next and what the engine does in between. Traces of separate commands
have clocks of their own, and no gap is printed between them.

It reads; it never fails on time.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Call:
    #: Milliseconds on the driver's clock.
    start: float
    end: float
    kind: str
    selector: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class Trace:
    path: Path
    calls: list[Call] = field(default_factory=list)
    #: How many events of each type the trace holds ("screencast-frame", "frame-snapshot", ...).
    events: Counter[str] = field(default_factory=Counter)
    #: Where the driver's clock started, in wall time (ms): equal for traces of one driver.
    clock: float | None = None

    @property
    def first(self) -> float:
        return self.calls[0].start

    @property
    def last(self) -> float:
        return max(call.end for call in self.calls)


def read_trace(path: Path) -> Trace:
    """The browser calls a trace holds, in the order they started (groups left out)."""
    trace = Trace(path)
    started: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".trace"):
                continue
            for line in archive.read(name).decode("utf-8").splitlines():
                event = json.loads(line)
                trace.events[event["type"]] += 1
                if event["type"] == "context-options":
                    trace.clock = float(event["wallTime"]) - float(event["monotonicTime"])
                elif event["type"] == "before":
                    started[event["callId"]] = event
                elif event["type"] == "after" and event["callId"] in started:
                    before = started.pop(event["callId"])
                    kind = f"{before.get('class', '')}.{before.get('method', '')}"
                    if kind == "Tracing.tracingGroup":
                        continue
                    selector = str((before.get("params") or {}).get("selector", ""))
                    trace.calls.append(Call(float(before["startTime"]), float(event["endTime"]), kind, selector))
    trace.calls.sort(key=lambda call: call.start)
    return trace


def report(trace: Trace, *, each: bool) -> None:
    if not trace.calls:
        print(f"{trace.path}: no browser calls")
        return
    span = trace.last - trace.first
    print(
        f"{trace.path}\n  {len(trace.calls)} calls over {span:.0f} ms; "
        f"{trace.events['screencast-frame']} screencast frames, {trace.events['frame-snapshot']} DOM snapshots"
    )
    if each:
        for call in trace.calls:
            print(f"    {call.start - trace.first:7.0f} {call.duration:7.1f} ms  {call.kind}  {call.selector[:90]}")
    by_kind: defaultdict[str, list[float]] = defaultdict(list)
    for call in trace.calls:
        by_kind[call.kind].append(call.duration)
    for kind, durations in sorted(by_kind.items(), key=lambda item: -sum(item[1])):
        print(f"    {kind:32s} {len(durations):3d} calls {sum(durations):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("traces", nargs="+", type=Path, help="trace.zip files, in the order their runs ran")
    parser.add_argument("--each", action="store_true", help="List every call, with its start and duration.")
    args = parser.parse_args()
    traces = [readable(path) for path in args.traces]
    for before, trace in zip([None, *traces], traces, strict=False):
        if before is not None and one_clock(before, trace):
            print(f"  gap from the run before's last call to this one's first: {trace.first - before.last:.0f} ms")
        report(trace, each=args.each)


def readable(path: Path) -> Trace:
    """The trace at ``path``, or the command's end with a line that says why it cannot be read."""
    try:
        return read_trace(path)
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise SystemExit(f"{path}: not a Playwright trace that can be read ({exc})") from None


def one_clock(first: Trace, second: Trace) -> bool:
    """Whether two traces were recorded by one driver, so their call times compare."""
    if first.clock is None or second.clock is None or not first.calls or not second.calls:
        return False
    # The two wall times behind a clock's start are read a moment apart: a few ms of slack.
    return abs(first.clock - second.clock) < 5


if __name__ == "__main__":
    main()
