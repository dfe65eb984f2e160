"""The regression check: rehearse every runbook for each kind of user it applies to.

Nothing is committed: each case stops at the committing control, checks it is there and
enabled, cancels, and proves nothing changed. Used by ``plexbook check`` and by the pytest
suite in ``plexbook.regression``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from plexbook.baselines import BASELINES, StructureCheck, StructureMode
from plexbook.config import SecretSource, Target
from plexbook.drift import DriftReport
from plexbook.engine import RunRequest, RunResult, RunStatus, execute
from plexbook.errors import EXIT_FLOW_FAILED, EXIT_OK
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS


@dataclass(frozen=True)
class CheckCase:
    """One runbook rehearsed for one kind of user."""

    label: str
    runbook: str
    user_kind: str
    options: RunOptions
    #: Secrets without which the case is skipped rather than failed.
    needs: tuple[str, ...] = ()

    @property
    def case_id(self) -> str:
        return f"{self.label} ({self.user_kind})"


CASES: tuple[CheckCase, ...] = (
    CheckCase("remove-pin", "remove-pin", "account owner", RunOptions(rehearse=True)),
    CheckCase("managed-user-pin --set", "managed-user-pin", "managed user", RunOptions(mode="set", rehearse=True)),
    CheckCase(
        "managed-user-pin --remove", "managed-user-pin", "managed user", RunOptions(mode="remove", rehearse=True)
    ),
    CheckCase("reset-pin", "reset-pin", "account owner", RunOptions(rehearse=True), needs=("PLEX_PASSWORD",)),
)


@dataclass
class CaseResult:
    """How one case went."""

    case: CheckCase
    status: str  # passed, failed, skipped
    message: str
    duration_s: float = 0.0
    user: str | None = None
    run_dir: Path | None = None
    exit_code: int = EXIT_OK
    drift: DriftReport | None = None
    warnings: list[str] = field(default_factory=list)


def run_case(
    case: CheckCase,
    target: Target,
    secrets: SecretSource,
    request_for: Callable[..., RunRequest],
    structure_mode: StructureMode,
    baselines: Path = BASELINES,
    run: Callable[[RunRequest], RunResult] = execute,
) -> CaseResult:
    """Rehearse one case; a missing prerequisite secret skips it."""
    missing = [name for name in case.needs if not secrets.has(name)]
    if missing:
        return CaseResult(case, "skipped", f"needs {', '.join(missing)}")
    structure = StructureCheck(structure_mode, baselines)
    started = time.perf_counter()
    result = run(request_for(RUNBOOKS[case.runbook], target, secrets, case.options, structure))
    duration = round(time.perf_counter() - started, 2)
    outcome = CaseResult(
        case, "passed", result.message, duration, result.user, result.run_dir, result.exit_code, result.drift
    )
    if result.exit_code != EXIT_OK:
        outcome.status = "failed"
    elif result.status == RunStatus.NOTHING_TO_DO:
        outcome.status = "skipped"
    if structure_mode != "update" and structure.findings:
        outcome.warnings = list(structure.findings)
        if structure_mode == "strict" and outcome.status == "passed":
            outcome.status, outcome.exit_code = "failed", EXIT_FLOW_FAILED
            outcome.message = "; ".join(structure.findings)
    return outcome


def exit_code(results: list[CaseResult]) -> int:
    """0 when no case failed; else the most serious failure's code."""
    return max((r.exit_code for r in results if r.status == "failed"), default=EXIT_OK)


TABLE_HEADERS = ("Case", "User", "Result", "Time", "Run folder")


def table_rows(results: list[CaseResult]) -> list[list[str]]:
    """One row per case, under :data:`TABLE_HEADERS`."""
    rows = []
    for r in results:
        result = r.status + (" (warnings)" if r.warnings and r.status == "passed" else "")
        time_text = f"{r.duration_s:.1f} s" if r.duration_s else "-"
        rows.append([r.case.case_id, r.user or "-", result, time_text, str(r.run_dir or "-")])
    return rows


def as_json(results: list[CaseResult]) -> list[dict[str, object]]:
    """The cases as `check --json` prints them."""
    return [
        {
            "case": r.case.case_id,
            "runbook": r.case.runbook,
            "user": r.user,
            "status": r.status,
            "message": r.message,
            "exit_code": r.exit_code,
            "duration_s": round(r.duration_s, 2),
            "run_dir": str(r.run_dir) if r.run_dir else None,
            "drift_report": str(r.run_dir / "drift.md") if r.drift is not None and r.run_dir else None,
            "warnings": list(r.warnings),
        }
        for r in results
    ]


def write_junit(results: list[CaseResult], path: Path) -> None:
    """One test case per runbook and user kind, as CI systems read them."""
    suite = ElementTree.Element(
        "testsuite",
        name="plexbook check",
        tests=str(len(results)),
        failures=str(sum(r.status == "failed" for r in results)),
        skipped=str(sum(r.status == "skipped" for r in results)),
        time=f"{sum(r.duration_s for r in results):.2f}",
    )
    for r in results:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"plexbook.{r.case.runbook}",
            name=r.case.case_id,
            time=f"{r.duration_s:.2f}",
        )
        if r.status == "failed":
            failure = ElementTree.SubElement(case, "failure", message=r.message)
            failure.text = r.drift.summary() if r.drift else r.message
        elif r.status == "skipped":
            ElementTree.SubElement(case, "skipped", message=r.message)
        out = [f"run folder: {r.run_dir}"] if r.run_dir else []
        out += [f"warning: {w}" for w in r.warnings]
        if out:
            ElementTree.SubElement(case, "system-out").text = "\n".join(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = ElementTree.Element("testsuites", name="plexbook")
    root.append(suite)
    tree = ElementTree.ElementTree(root)
    ElementTree.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
