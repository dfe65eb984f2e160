"""The README stays true: every plexbook command it shows parses, and the output it prints is
what the commands print today."""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from plexbook.cli.main import app
from tests.conftest import run_cli

README = Path(__file__).parents[1] / "README.md"
ENV_ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=\S*")
PLEXBOOK = ("plexbook", ".venv/bin/plexbook", "python -m plexbook")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def readme_commands() -> Iterator[list[str]]:
    """Every plexbook command line in the README's shell examples and printed sessions, as argument lists."""
    typed = [line.removeprefix("$ ") for block in _blocks("console") for line in block.splitlines() if line[:2] == "$ "]
    for block in [*_blocks("sh"), "\n".join(typed)]:
        for line in block.splitlines():
            # A comment, and where the output goes (a file, a pipe), are the shell's, not plexbook's.
            line = re.split(r"\s+(?:#|>|\|)\s", line)[0].strip()
            for part in line.split("&&"):
                # "--seed N": a placeholder for a number the reader picks.
                words = ["7" if word == "N" else word for word in shlex.split(part)]
                while words and ENV_ASSIGNMENT.fullmatch(words[0]):
                    words.pop(0)
                if words[:1] == ["plexbook"] or words[:1] == [".venv/bin/plexbook"]:
                    yield words[1:]


COMMANDS = list(readme_commands())


def test_the_readme_shows_every_command() -> None:
    shown = {words[0] for words in COMMANDS if words}
    assert shown >= {"list", "show", "run", "batch", "demo", "check", "sandbox", "runs", "report", "trace", "evidence"}


@pytest.mark.parametrize("words", COMMANDS, ids=[" ".join(w)[:60] for w in COMMANDS])
def test_each_readme_command_parses(words: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsed as the command line would parse it (options, choices, values): a renamed option fails here."""
    monkeypatch.chdir(tmp_path)
    for option, value in itertools.pairwise(words):
        if option in ("--env-file", "--state"):
            (tmp_path / value).write_text("{}" if option == "--state" else "")
    command: Any = typer.main.get_command(app)
    context = command.make_context("plexbook", list(words))
    # A group leaves its subcommand and that one's arguments to be parsed in turn.
    while hasattr(command, "resolve_command") and (rest := [*context._protected_args, *context.args]):
        name, command, rest = command.resolve_command(context, rest)
        assert command is not None, f"no command {name!r}"
        context = command.make_context(name, rest, parent=context)


def readme_printed(command: str) -> str:
    """The output the README prints under ``$ plexbook <command>`` in a console block."""
    for block in _blocks("console"):
        first, _, output = block.partition("\n")
        if first == f"$ plexbook {command}":
            return output
    raise AssertionError(f"the README prints no output for `plexbook {command}`")


# What a run prints is compared in tests/test_daily_use.py, beside the run it makes anyway.
def test_the_printed_list_is_what_list_prints() -> None:
    assert run_cli("list").stdout == readme_printed("list")
