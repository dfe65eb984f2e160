"""Why a run stops, each mapped to the exit code the CLI documents."""

from __future__ import annotations

from collections.abc import Sequence

EXIT_OK = 0
EXIT_FLOW_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3
EXIT_SERVER_ERROR = 4
#: A run stopped by a signal exits as a shell reports it: 128 + the signal's number.
EXIT_SIGHUP = 129
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class RunStop(Exception):
    """A reason to stop a run, with the exit code it means."""

    exit_code = EXIT_FLOW_FAILED


class BadInput(RunStop):
    """What the user asked for cannot be done as asked (unknown user, malformed PIN, ...)."""

    exit_code = EXIT_BAD_INPUT


def no_such_user(title: str, names: Sequence[str], home: str) -> BadInput:
    """BadInput for a user ``home`` does not have, naming its users, and the one meant when
    only the case differs (names are matched exactly: a PIN is never changed on a near miss)."""
    near = [name for name in names if name.casefold() == title.casefold()]
    meant = f" (did you mean {near[0]!r}? names are matched exactly)" if len(near) == 1 else ""
    return BadInput(f"there is no user {title!r} in {home}{meant}; its users are: {', '.join(names)}")


class MissingSecret(BadInput):
    """A secret the run needs is not in the environment and nobody is there to type it."""

    def __init__(self, name: str, what: str) -> None:
        super().__init__(f"{what} is needed: set {name} in the environment or .env (or run interactively)")
        self.name = name


class TargetUnreachable(RunStop):
    """The target did not answer."""

    exit_code = EXIT_UNREACHABLE


class SignInFailed(RunStop):
    """Plex refused the sign-in."""

    exit_code = EXIT_UNREACHABLE


class FlowFailed(RunStop):
    """A step could not do what the article says, or the outcome did not verify."""


class NothingToDo(RunStop):
    """The change is already in place (e.g. the user has no PIN): nothing was committed."""

    exit_code = EXIT_OK


class Interrupted(BaseException):
    """The run was stopped from outside (Ctrl+C, SIGTERM, a hang-up); a BaseException, as KeyboardInterrupt is."""

    def __init__(self, exit_code: int = EXIT_SIGINT, what: str = "Interrupted") -> None:
        super().__init__(what)
        self.exit_code = exit_code


class RehearsalStop(RunStop):
    """A rehearsal went as far as it can without a secret it was not given; that is a pass."""

    exit_code = EXIT_OK
