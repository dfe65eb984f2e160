"""Many runs from one plan: rows across accounts and targets, several browsers at once.

A plan is a CSV file with a header row, or a YAML file (``.yaml``, ``.yml``) holding a list
of runs, each a mapping of the same columns. Columns (only ``runbook`` is required):

- ``runbook``: remove-pin, reset-pin or managed-user-pin;
- ``user``: the Home user (empty: the account owner);
- ``target``: sandbox (default), live, or a stand-in's URL;
- ``mode``: set or remove, for managed-user-pin (default remove);
- ``rehearse``: yes to stop at the committing click (default no);
- ``env``: a .env file holding the account's secrets, relative to the plan (default: the
  environment and ./.env). Its values win over the environment, since it names the account.

Rows of one account on one target form a group: they run in turn in one browser context,
with one sign-in. Groups are shared among the workers, each a browser of its own in a thread
of its own. An index of every run is written beside the run folders.
"""

from __future__ import annotations

import csv
import json
import queue
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import dotenv_values

from plexbook.config import SecretSource
from plexbook.engine import (
    RunRequest,
    RunResult,
    RunSettings,
    RunStatus,
    check_request,
    execute_all,
    shared_browser,
)
from plexbook.errors import EXIT_OK, BadInput
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.scrub import PRIVATE_DIR, Scrubber, write_scrubbed
from plexbook.targets import LIVE, SANDBOX, ResolvedTarget, check_target, resolve_target

if TYPE_CHECKING:
    import yaml

    from plexbook.sandbox.variants import Variant

COLUMNS = ("runbook", "user", "target", "mode", "rehearse", "env")
#: A plan file with one of these endings is read as YAML; any other as CSV.
YAML_SUFFIXES = (".yaml", ".yml")
_YAML_NULLS = ("~", "null", "Null", "NULL")
_YES, _NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0", "")


@dataclass(frozen=True)
class PlanRow:
    """One row of a plan: one run."""

    #: The row's line in the plan file, as people count (the header is line 1).
    line: int
    runbook: str
    user: str | None = None
    target: str = SANDBOX
    mode: str | None = None
    rehearse: bool = False
    env: Path | None = None

    @property
    def account(self) -> tuple[str, Path | None]:
        """Rows with the same target and secrets share a sign-in."""
        return (self.target, self.env)

    def describe(self) -> str:
        who = self.user or "the account owner"
        return f"line {self.line}: {self.runbook} for {who} on {self.target}"


def read_plan(path: Path) -> list[PlanRow]:
    """The plan's rows, every one checked before anything runs (BadInput naming each bad line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"{path}: the plan cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: the plan is not UTF-8 text") from None
    yaml_plan = path.suffix.lower() in YAML_SUFFIXES
    entries = _yaml_entries(path, text) if yaml_plan else _csv_entries(path, text)
    rows: list[PlanRow] = []
    problems: list[str] = []
    for line, cells in entries:
        if isinstance(cells, str):
            problems.append(f"line {line}: {cells}")
            continue
        if not any(cells.values()):
            continue
        try:
            rows.append(_row(line, cells, path.parent))
        except BadInput as bad:
            problems.append(f"line {line}: {bad}")
    if problems:
        raise BadInput(f"{path}: " + "; ".join(problems))
    if not rows:
        raise BadInput(f"{path}: the plan has no rows")
    return rows


#: A plan's entries: each run's line in the file, with its cells by column or what is wrong with it.
_Entries = list[tuple[int, dict[str, str] | str]]


def _unknown_column(name: str) -> str:
    return f"unknown column {name!r} (columns: {', '.join(COLUMNS)})"


def _csv_entries(path: Path, text: str) -> _Entries:
    reader = csv.DictReader(text.splitlines())
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "runbook" not in header:
        raise BadInput(f"{path}: the plan needs a header row with a runbook column (columns: {', '.join(COLUMNS)})")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise BadInput(f"{path}: {_unknown_column(unknown[0])}")
    return [
        (line, {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key is not None})
        for line, raw in enumerate(reader, start=2)
    ]


def _yaml_entries(path: Path, text: str) -> _Entries:
    """A YAML plan's runs, read as text exactly as a CSV plan's cells are.

    Read as a node tree with no type guessing, so ``rehearse: yes`` or a user named ``No``
    or ``007`` stays the text it is, and each run keeps the line it starts on.
    """
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise BadInput(f"{path}: not readable as YAML: {exc.problem or exc.context}{where}") from None
    except yaml.YAMLError as exc:
        raise BadInput(f"{path}: not readable as YAML ({type(exc).__name__})") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise BadInput(f"{path}: a YAML plan is a list of runs, each starting '- runbook: ...'")
    return [(item.start_mark.line + 1, _yaml_cells(item)) for item in root.value]


def _yaml_cells(item: yaml.Node) -> dict[str, str] | str:
    """One run of a YAML plan: its cells by column, or what is wrong with it."""
    import yaml

    if not isinstance(item, yaml.MappingNode):
        return "a run is a mapping of columns (runbook: ..., user: ...)"
    cells: dict[str, str] = {}
    for key, value in item.value:
        if not isinstance(key, yaml.ScalarNode):
            return "a column's name must be plain text"
        name = str(key.value).strip().lower()
        if name not in COLUMNS:
            return _unknown_column(name)
        if name in cells:
            return f"{name} is given twice"
        if not isinstance(value, yaml.ScalarNode):
            return f"{name} must be a single value"
        # Unquoted ~ and null mean "nothing" in YAML: the account owner, say.
        cells[name] = "" if value.style is None and value.value in _YAML_NULLS else str(value.value).strip()
    # A blank line of a CSV plan is layout; an empty run in a YAML list is a slip to point out.
    return cells if any(cells.values()) else "a run with nothing in it"


def _row(line: int, cells: dict[str, str], base: Path) -> PlanRow:
    name = cells.get("runbook", "")
    if name not in RUNBOOKS:
        raise BadInput(f"unknown runbook {name!r} (choose one of: {', '.join(RUNBOOKS)})")
    target = cells.get("target") or SANDBOX
    check_target(target)
    mode = cells.get("mode") or None
    if mode is not None and (name != "managed-user-pin" or mode not in ("set", "remove")):
        raise BadInput("mode is set or remove, for managed-user-pin only")
    if name == "managed-user-pin":
        mode = mode or "remove"
    rehearse = cells.get("rehearse", "").lower()
    if rehearse not in _YES + _NO:
        raise BadInput(f"rehearse is yes or no (got {cells['rehearse']!r})")
    env = cells.get("env") or None
    env_path = (base / env) if env else None
    if env_path is not None and not env_path.is_file():
        raise BadInput(f"env file {env_path} does not exist")
    return PlanRow(line, name, cells.get("user") or None, target, mode, rehearse in _YES, env_path)


def account_environment(row: PlanRow, environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets of a row's account: its env file over the environment (the file names the account)."""
    if row.env is None:
        return dict(environ)
    from_file = {k: v for k, v in dotenv_values(row.env).items() if v is not None}
    return {**environ, **from_file}


@dataclass
class BatchRun:
    """A row and how it ended (no result: it never ran)."""

    row: PlanRow
    result: RunResult | None = None
    #: The secrets the run used, so the index passes the same scrubbing as the runs.
    secrets: SecretSource | None = None

    @property
    def exit_code(self) -> int:
        return self.result.exit_code if self.result is not None else EXIT_OK

    def as_json(self) -> dict[str, object]:
        result = self.result
        return {
            "line": self.row.line,
            "runbook": self.row.runbook,
            "user": (result.user if result is not None else None) or self.row.user,
            "target": self.row.target,
            "rehearsal": self.row.rehearse,
            "status": str(result.status) if result is not None else "not run",
            "exit_code": result.exit_code if result is not None else None,
            "run_dir": result.run_dir.name if result is not None else None,
            "message": result.message if result is not None else "not run: an earlier run stopped the batch",
        }


@dataclass
class Batch:
    """A plan, run: groups of rows shared among ``workers`` browsers."""

    rows: list[PlanRow]
    settings: RunSettings
    environ: dict[str, str]
    workers: int = 1
    stop_on_failure: bool = False
    variant: Variant | None = None
    #: Called (from the workers' threads) as each run ends.
    on_result: Callable[[BatchRun], None] = lambda run: None
    runs: list[BatchRun] = field(init=False)

    def __post_init__(self) -> None:
        self.runs = [BatchRun(row) for row in self.rows]
        self._failed = threading.Event()
        self._lock = threading.Lock()

    def groups(self) -> list[list[BatchRun]]:
        """Rows of one account on one target, in plan order: each runs in one browser context."""
        grouped: dict[tuple[str, Path | None], list[BatchRun]] = {}
        for run in self.runs:
            grouped.setdefault(run.row.account, []).append(run)
        return list(grouped.values())

    def run(self) -> list[BatchRun]:
        """Run every group; returns the runs in plan order.

        Every run's request is built and checked first, in this thread: a missing or malformed
        secret on any row stops the batch before a browser starts (BadInput), as for one run.
        """
        with self._targets() as targets:
            work: queue.Queue[tuple[list[BatchRun], list[RunRequest]]] = queue.Queue()
            for group in self.groups():
                work.put((group, self._requests(group, targets)))
            errors: list[BaseException] = []
            threads = [
                threading.Thread(target=self._worker, args=(work, errors), name=f"plexbook-worker-{n}")
                for n in range(max(1, min(self.workers, work.qsize())))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]
        return self.runs

    @contextmanager
    def _targets(self) -> Iterator[dict[str, ResolvedTarget]]:
        """Each target the plan names, resolved once (the embedded sandbox started once)."""
        with ExitStack() as stack:
            resolved: dict[str, ResolvedTarget] = {}
            for target in dict.fromkeys(row.target for row in self.rows):
                variant = self.variant if target == SANDBOX else None
                resolved[target] = stack.enter_context(resolve_target(target, self.environ, variant, False))
            yield resolved

    def _requests(self, group: list[BatchRun], targets: dict[str, ResolvedTarget]) -> list[RunRequest]:
        """The group's run requests, each checked (BadInput naming the plan's line)."""
        requests = []
        for run in group:
            try:
                requests.append(self._request(run, targets[run.row.target]))
            except BadInput as bad:
                raise BadInput(f"{run.row.describe()}: {bad}; no row was run") from None
        return requests

    def _request(self, run: BatchRun, resolved: ResolvedTarget) -> RunRequest:
        row = run.row
        if row.target == SANDBOX:
            secrets = resolved.secrets_for(row.user)
        else:
            environ = account_environment(row, self.environ)
            secrets = SecretSource.from_environment(environ, interactive=False, user=row.user)
        options = RunOptions(row.user, row.mode, row.rehearse)  # type: ignore[arg-type]
        run.secrets = secrets
        request = self.settings.request(RUNBOOKS[row.runbook], resolved.target, secrets, options)
        check_request(request)
        # Two accounts' reset-pin runs would read alike: the plan's line tells them apart.
        return replace(request, origin=f"line {row.line}")

    def _worker(self, work: queue.Queue[tuple[list[BatchRun], list[RunRequest]]], errors: list[BaseException]) -> None:
        """One browser of this worker's own, for group after group until none is left."""
        try:
            with shared_browser(self.settings.browser) as session:
                playwright, browser = (session.playwright, session.browser) if session else (None, None)
                build, raw_traces = (session.build, session.raw_traces) if session else (None, None)
                while not self._stopping():
                    try:
                        group, requests = work.get_nowait()
                    except queue.Empty:
                        return
                    results = execute_all(
                        requests,
                        playwright,
                        browser,
                        stop_on_failure=self.stop_on_failure,
                        build=build,
                        raw_traces=raw_traces,
                    )
                    for run, result in zip(group, results, strict=False):
                        self._done(run, result)
        except BaseException as exc:  # noqa: BLE001 - raised again in the batch's own thread
            errors.append(exc)
            self._failed.set()

    def _done(self, run: BatchRun, result: RunResult) -> None:
        with self._lock:
            run.result = result
            if result.exit_code != EXIT_OK and (self.stop_on_failure or result.status == RunStatus.INTERRUPTED):
                self._failed.set()
            self.on_result(run)

    def _stopping(self) -> bool:
        return self._failed.is_set() or self.settings.stop.exit_code is not None

    def write_index(self) -> Path:
        """``<traces>/<time>-batch-<id>/index.json``: every row, how it ended, and its run folder."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = self.settings.traces_dir / f"{stamp}-batch-{secrets.token_hex(3)}"
        folder.mkdir(parents=True)
        folder.chmod(PRIVATE_DIR)
        index = {
            "runs": [run.as_json() for run in self.runs],
            "exit_code": worst(self.runs),
        }
        path = folder / "index.json"
        # Run messages are scrubbed already; the index passes the same scrubbing point all the same.
        write_scrubbed(path, json.dumps(index, indent=2) + "\n", Scrubber(self._secrets()))
        return path

    def _secrets(self) -> set[str]:
        found: set[str] = set()
        for run in self.runs:
            if run.secrets is not None:
                found |= run.secrets.registered()
        return found


def worst(runs: list[BatchRun]) -> int:
    """The batch's exit code: the worst of its runs."""
    return max((run.exit_code for run in runs), default=EXIT_OK)


def confirm_live(rows: list[PlanRow], yes: bool) -> None:
    """A batch never stops to ask: rows on live Plex need --yes."""
    live = [row for row in rows if row.target == LIVE and not row.rehearse]
    if live and not yes:
        raise BadInput(f"{live[0].describe()} changes a real account: a batch on --target live needs --yes")
