"""What a runbook is: named steps over page objects, and the flow state they share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar
from urllib.parse import urlparse

from plexbook.errors import BadInput, FlowFailed, NothingToDo, SignInFailed, TargetUnreachable
from plexbook.pages import (
    ConfirmPinDialog,
    EditPinDialog,
    PinResetPage,
    PlexHomePage,
    SignInPage,
    SignInRefused,
    UserRow,
)
from plexbook.pages.actions import expect
from plexbook.pages.common import any_of
from plexbook.secrets import Secret
from plexbook.totp import totp

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Response

    from plexbook.baselines import StructureCheck
    from plexbook.config import SecretSource, Target
    from plexbook.plex_api import HomeUser, PlexApi, ServerTrouble

Mode = Literal["set", "remove"]
#: The screens a step can leave the flow on, as page objects.
Screen = PlexHomePage | UserRow | ConfirmPinDialog | EditPinDialog | PinResetPage
#: Requests that may change something on plex.tv.
_CHANGING_METHODS = ("POST", "PUT", "DELETE", "PATCH")
#: How many console errors, and how many failed requests, a run's evidence keeps.
_KEPT_PER_RUN = 50
S = TypeVar("S", PlexHomePage, UserRow, ConfirmPinDialog, EditPinDialog, PinResetPage)


@dataclass(frozen=True)
class RunOptions:
    """What the user chose for this run."""

    user: str | None = None
    mode: Mode | None = None
    #: Perform every step up to the committing click, check the control, cancel.
    rehearse: bool = False


@dataclass(frozen=True)
class Step:
    """One step: its title is the article's sentence; ``commits`` marks Remove, Save, Update."""

    title: str
    action: Callable[[Flow], None]
    commits: bool = False
    #: For a committing step: check its control is there and enabled, then cancel.
    rehearse: Callable[[Flow], None] | None = None


@dataclass(frozen=True)
class Runbook:
    """A documented flow, run by name."""

    name: str
    #: The article's heading for this flow.
    heading: str
    summary: str
    steps: tuple[Step, ...]
    #: Proves the change took effect (Plex shows no confirmation); raises FlowFailed if not.
    verify: Callable[[Flow], str]
    #: Secrets the steps need beyond signing in: (variable, what it is), given the options.
    needs: Callable[[RunOptions], tuple[tuple[str, str], ...]] = lambda options: ()
    #: Checks the options before anything starts; raises BadInput.
    check_options: Callable[[RunOptions], None] = lambda options: None
    #: A rehearsal's outcome check: proves nothing changed; raises FlowFailed if something did.
    check_unchanged: Callable[[Flow], str] = lambda flow: "nothing was committed"
    #: The committing control's name, as a person reads it ("Remove", "Save", "Update").
    commit_control: Callable[[RunOptions], str] = lambda options: "the committing control"


@dataclass
class Flow:
    """The state a run's steps share: the page, the target, secrets and the current screen."""

    page: Page
    target: Target
    secrets: SecretSource
    options: RunOptions
    #: The Home user the flow acts on, settled once the Home is known.
    user: str | None = None
    #: The page object the previous step left us on (read it with :meth:`on`).
    screen: Screen | None = None
    notes: list[str] = field(default_factory=list)
    #: The current PIN, once Plex accepted it (a rehearsal checks it still works).
    confirmed_pin: Secret | None = None
    #: Compares screens with the structure baselines, when a check asks for it.
    structure: StructureCheck | None = None
    #: Each Home user's protected flag when a rehearsal began.
    before: dict[str, bool] | None = None
    #: Every Home user's name, as the API lists them: how page objects tell the user list apart.
    members: tuple[str, ...] = ()
    #: plex.tv through the browser's session, to settle the user and double-check outcomes.
    api: PlexApi = field(init=False)
    #: The step running now (1-based), and whether it is the one that commits the change.
    step_number: int = 0
    committing: bool = False
    #: Whether the committing request left the browser: from then on the change may be made.
    commit_sent: bool = False
    #: Server errors and cut connections plex.tv gave, oldest first.
    troubles: list[ServerTrouble] = field(default_factory=list)
    #: Tells whoever watches the run what is going on inside a step ("signing in").
    progress: Callable[[str], None] = field(default=lambda text: None, repr=False)
    #: How long signing in took (None: the session was signed in already), and in which step.
    sign_in_s: float | None = None
    sign_in_step: int = 0
    #: What the page logged as errors, and requests that failed or answered 4xx/5xx, by path.
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    #: The account's and the Home members' emails and usernames met so far: step screenshots mask them.
    personal: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Imported here: pydantic's models are needed by runs, not by listing the runbooks.
        from plexbook.plex_api import PlexApi

        self.api = PlexApi(self.page, self.target, self.secrets)
        email = self.secrets.plain("PLEX_EMAIL")
        if email:
            self.personal.add(email)

    @contextmanager
    def watching_network(self) -> Iterator[None]:
        """Note when the committing request leaves, and every server error or cut connection,
        while the block runs (the page may serve another run afterwards).

        Paths only: a query may hold a PIN.
        """

        def ours(request: Request) -> bool:
            return request.url.startswith(self.target.api_url) and request.method in _CHANGING_METHODS

        def sent(request: Request) -> None:
            if self.committing and ours(request):
                self.commit_sent = True

        def answered(response: Response) -> None:
            if response.status >= 400:
                self._note_failed(response.request, str(response.status))
            if response.status >= 500 and response.url.startswith(self.target.api_url):
                self._trouble(response.request, response.status)

        def cut(request: Request) -> None:
            failure = request.failure or "failed"
            if "ERR_ABORTED" not in failure:  # the page moved on and dropped it: no failure of Plex's
                self._note_failed(request, failure)
            if request.url.startswith(self.target.api_url):
                self._trouble(request, None)

        def logged(message: ConsoleMessage) -> None:
            if message.type == "error" and len(self.console_errors) < _KEPT_PER_RUN:
                self.console_errors.append(message.text[:500])

        handlers: list[tuple[Literal["request", "response", "requestfailed", "console"], Callable[..., None]]] = [
            ("request", sent),
            ("response", answered),
            ("requestfailed", cut),
            ("console", logged),
        ]
        for event, handler in handlers:
            self.page.on(event, handler)
        try:
            yield
        finally:
            for event, handler in handlers:
                with suppress(Exception):  # a closed or crashed page has dropped them already
                    self.page.remove_listener(event, handler)

    def _note_failed(self, request: Request, how: str) -> None:
        if len(self.failed_requests) < _KEPT_PER_RUN:
            self.failed_requests.append(f"{request.method} {urlparse(request.url).path}: {how}")

    def _trouble(self, request: Request, status: int | None) -> None:
        path = urlparse(request.url).path
        from plexbook.plex_api import ServerTrouble

        self.troubles.append(ServerTrouble(request.method, path, status, self.step_number, self.committing))

    def trouble_in_step(self) -> ServerTrouble | None:
        """The first server error or cut connection of the step running now, if any."""
        return next((t for t in self.troubles if t.step == self.step_number), None)

    @property
    def rehearsing(self) -> bool:
        return self.options.rehearse

    def observe(self, screen: str, region: Locator) -> None:
        """Hand a screen to the structure check, if one is running."""
        if self.structure is not None:
            self.structure.screen(screen, region)

    # -- secrets ---------------------------------------------------------------------------
    def secret(self, name: str, what: str) -> Secret:
        return self.secrets.require(name, what)

    def verification_code(self) -> Secret:
        """A 2FA code: generated from PLEX_TOTP_SECRET, else PLEX_OTP, else asked for."""
        seed = self.secrets.get("PLEX_TOTP_SECRET")
        if seed is not None:
            code = totp(seed.reveal()).now()
            self.secrets.register(code)
            return Secret("PLEX_OTP", code)
        return self.secrets.require("PLEX_OTP", "A two-factor verification code (or set PLEX_TOTP_SECRET)")

    # -- navigation ------------------------------------------------------------------------
    def open(self, url: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.goto(url)
        except PlaywrightError as exc:
            reason = str(exc).splitlines()[0]
            raise TargetUnreachable(f"{url} did not answer ({reason})") from None

    def reload(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.reload()
        except PlaywrightError as exc:
            reason = str(exc).splitlines()[0]
            raise TargetUnreachable(f"{self.page.url} did not answer a reload ({reason})") from None

    def sign_in_if_asked(self, arrival: Locator) -> None:
        """Sign in when the target sends us to its sign-in screen; then wait for ``arrival``."""
        form = SignInPage(self.page)
        expect(any_of(arrival, form.email, form.continue_with_email, form.frame)).to_be_visible()
        if arrival.is_visible():
            return
        form = form.where_shown()
        self.progress("signing in")
        started = time.perf_counter()
        email = self.secrets.plain("PLEX_EMAIL")
        if email is None:
            if self.secrets.has("PLEX_TOKEN"):
                raise SignInFailed("Plex did not accept PLEX_TOKEN (it asked to sign in); the token may have expired")
            email = self.secrets.require("PLEX_EMAIL", "The Plex account's email").reveal()
        password = self.secret("PLEX_PASSWORD", "The Plex account's password")
        try:
            form.sign_in(email, password, self.verification_code, arrival)
        except SignInRefused as refused:
            raise SignInFailed(f"Plex refused the sign-in: {refused}") from None
        self.sign_in_s, self.sign_in_step = round(time.perf_counter() - started, 2), self.step_number
        self.progress(f"signed in ({self.sign_in_s:.1f} s)")

    # -- the plex.tv API, through the browser's own session -----------------------------------
    def select_user(self, *, managed_only: bool = False, needs_pin: bool = True) -> HomeUser:
        """Settle which user the flow acts on and check it makes sense before anything changes."""
        users = self.api.home_users()
        self.members = tuple(user.title for user in users)
        self._note_personal(users)
        title = self.options.user or (self._pick_managed(users, needs_pin) if managed_only else self.api.me().title)
        user = self.api.home_user(title, users)
        self.user = title
        if managed_only and not user.restricted:
            raise BadInput(f"{title} is not a managed user; use the remove-pin runbook for Plex users")
        if needs_pin and not user.protected:
            raise NothingToDo(f"{title} has no PIN: there is nothing to remove")
        return user

    def _note_personal(self, users: list[HomeUser]) -> None:
        """Remember the members' emails and usernames; a username that is also someone's name
        stays shown, since the steps are about that name."""
        titles = {user.title.casefold() for user in users}
        for user in users:
            if user.email:
                self.personal.add(user.email)
            if user.username and user.username.casefold() not in titles:
                self.personal.add(user.username)

    def _pick_managed(self, users: list[HomeUser], with_pin: bool) -> str:
        """For a check with no --user: the first managed user (with a PIN, when one is needed)."""
        for user in users:
            if user.restricted and (user.protected or not with_pin):
                return user.title
        kind = "managed user with a PIN" if with_pin else "managed user"
        raise NothingToDo(f"this Home has no {kind} to check")

    def protection(self) -> dict[str, bool]:
        """Each Home user's ``protected`` flag, as the API reports it now."""
        return {user.title: user.protected for user in self.api.home_users()}

    # -- screens ---------------------------------------------------------------------------
    def on(self, kind: type[S]) -> S:
        """The screen the previous step left us on, which must be a ``kind``; FlowFailed if not."""
        if not isinstance(self.screen, kind):
            shown = type(self.screen).__name__ if self.screen is not None else "no screen"
            raise FlowFailed(f"expected {kind.__name__}, but the flow is on {shown}")
        return self.screen
