"""The three runbooks end to end: real browser, sandbox over HTTP, effects asserted on its state."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Playwright

from plexbook.config import SecretSource, Target
from plexbook.engine import RunResult, RunSettings, execute
from plexbook.pages.actions import listening
from plexbook.recorder import SECRET_FIELDS
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.sandbox import SandboxServer
from plexbook.sandbox.variants import variant
from tests.conftest import ALEX, CASEY, CASEY_TOTP, fresh_sandbox, run_flow, sign_in_token

ALEX_SECRETS = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}


def manifest(result: RunResult) -> dict[str, object]:
    return json.loads((result.run_dir / "manifest.json").read_text())


def assert_full_evidence(result: RunResult) -> None:
    data = manifest(result)
    steps = data["steps"]
    assert isinstance(steps, list)
    for step in steps:
        assert (result.run_dir / step["screenshot"]).is_file()
    assert result.trace is not None
    assert result.trace.stat().st_size > 0
    assert data["outcome"]["exit_code"] == result.exit_code  # type: ignore[index]
    assert {"plexbook", "playwright", "browser"} <= set(data["versions"])  # type: ignore[arg-type]


# -- each runbook on each variant --------------------------------------------------------------
def test_remove_pin_with_the_current_pin(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468"}
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, trace="on", user="Jordan")
    assert (result.exit_code, result.status) == (0, "done"), result.message
    assert sandbox.state.user_titled("Jordan").pin is None
    assert sandbox.state.user_titled("Alex").pin == "1234"
    assert_full_evidence(result)
    steps = manifest(result)["steps"]
    assert [s["status"] for s in steps] == ["passed"] * 4  # type: ignore[index,union-attr]
    assert [s["commits"] for s in steps] == [False, False, False, True]  # type: ignore[index,union-attr]


def test_remove_pin_defaults_to_the_account_owner(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "1234"})
    assert result.exit_code == 0, result.message
    assert result.user == "Alex"
    assert sandbox.state.user_titled("Alex").pin is None


def test_reset_pin_sets_a_new_pin_that_works(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    result = run_flow(playwright, sandbox, tmp_path, "reset-pin", {**ALEX_SECRETS, "PLEX_NEW_PIN": "8080"}, trace="on")
    assert result.exit_code == 0, result.message
    assert sandbox.state.user_titled("Alex").pin == "8080"
    assert "accepts the new PIN" in result.message
    assert_full_evidence(result)


def test_managed_user_pin_remove(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    result = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", ALEX_SECRETS, user="Kid", mode="remove")
    assert result.exit_code == 0, result.message
    assert sandbox.state.user_titled("Kid").pin is None


def test_managed_user_pin_set(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    secrets = {**ALEX_SECRETS, "PLEX_NEW_PIN": "3690"}
    result = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", secrets, user="Teen", mode="set")
    assert result.exit_code == 0, result.message
    assert sandbox.state.user_titled("Teen").pin == "3690"
    assert "new PIN opens the profile" in result.message


# -- what the run does when things are not as asked ------------------------------------------------
def test_wrong_current_pin_stops_after_one_attempt(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    secrets = {**ALEX_SECRETS, "PLEX_PIN": "1111"}
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, trace="on", user="Jordan")
    assert result.exit_code == 1
    assert "Plex refused the PIN: Incorrect PIN" in result.message
    assert "step 3" in result.message
    assert sandbox.state.wrong_attempts(ALEX[0]) == 1  # never a second guess
    assert sandbox.state.user_titled("Jordan").pin == "2468"
    steps = manifest(result)["steps"]
    assert [s["status"] for s in steps] == ["passed", "passed", "failed", "not run"]  # type: ignore[index,union-attr]
    assert (result.run_dir / steps[2]["screenshot"]).is_file()  # type: ignore[index]
    assert result.trace is not None


def test_user_without_a_pin_is_nothing_to_do(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "0000"}, user="Teen")
    assert (result.exit_code, result.status) == (0, "nothing to do")
    assert "Teen has no PIN" in result.message
    steps = manifest(result)["steps"]
    assert steps[3]["status"] == "not run"  # type: ignore[index]
    assert sandbox.state.wrong_attempts(ALEX[0]) == 0


def test_unknown_user_lists_the_homes_users(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "1234"}, user="alex")
    assert result.exit_code == 2
    assert "there is no user 'alex' in this Plex Home (did you mean 'Alex'?" in result.message
    assert "its users are: Alex, Jordan, Kid, Teen" in result.message
    assert sandbox.state.user_titled("Alex").pin == "1234"


def test_managed_user_pin_refuses_a_plex_user(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    result = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", ALEX_SECRETS, user="Jordan", mode="remove")
    assert result.exit_code == 2
    assert "not a managed user" in result.message
    assert sandbox.state.user_titled("Jordan").pin == "2468"


def test_wrong_password_on_pin_reset(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    # Signing in with a token, so the only password typed is the PIN Reset page's.
    secrets = {"PLEX_TOKEN": sign_in_token(sandbox.base_url), "PLEX_PASSWORD": "not-it", "PLEX_NEW_PIN": "8080"}
    result = run_flow(playwright, sandbox, tmp_path, "reset-pin", secrets)
    assert result.exit_code == 1
    assert "Plex refused the password: Incorrect password" in result.message
    assert sandbox.state.user_titled("Alex").pin == "1234"


def test_refused_sign_in_exits_3(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    secrets = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": "wrong", "PLEX_PIN": "1234"}
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets)
    assert result.exit_code == 3
    assert "Plex refused the sign-in: User could not be authenticated" in result.message


def test_two_factor_account_signs_in_with_a_totp_secret(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    secrets = {
        "PLEX_EMAIL": CASEY[0],
        "PLEX_PASSWORD": CASEY[1],
        "PLEX_TOTP_SECRET": CASEY_TOTP,
        "PLEX_NEW_PIN": "1470",
    }
    result = run_flow(playwright, sandbox, tmp_path, "reset-pin", secrets)
    assert result.exit_code == 0, result.message
    assert sandbox.state.user_titled("Casey", email=CASEY[0]).pin == "1470"


def test_sign_in_inside_the_sign_in_frame(
    playwright: Playwright, framed_sign_in_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """www.plex.tv's way: the same form in an iframe named fedauth-iFrame; the flow signs in there."""
    secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468"}
    result = run_flow(playwright, framed_sign_in_sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
    assert result.exit_code == 0, result.message
    assert framed_sign_in_sandbox.state.user_titled("Jordan").pin is None


def test_refused_sign_in_inside_the_sign_in_frame_exits_3(
    playwright: Playwright, framed_sign_in_sandbox: SandboxServer, tmp_path: Path
) -> None:
    secrets = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": "wrong", "PLEX_PIN": "2468"}
    result = run_flow(playwright, framed_sign_in_sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
    assert result.exit_code == 3
    assert "Plex refused the sign-in: User could not be authenticated" in result.message
    assert framed_sign_in_sandbox.state.user_titled("Jordan").pin == "2468"


def test_two_factor_sign_in_inside_the_sign_in_frame(
    playwright: Playwright, framed_sign_in_sandbox: SandboxServer, tmp_path: Path
) -> None:
    secrets = {"PLEX_EMAIL": CASEY[0], "PLEX_PASSWORD": CASEY[1], "PLEX_TOTP_SECRET": CASEY_TOTP}
    result = run_flow(playwright, framed_sign_in_sandbox, tmp_path, "reset-pin", {**secrets, "PLEX_NEW_PIN": "1470"})
    assert result.exit_code == 0, result.message
    assert framed_sign_in_sandbox.state.user_titled("Casey", email=CASEY[0]).pin == "1470"


# -- forms as a stand-in may draw them: no labels, no text boxes, no alerts -----------------------
def test_flows_where_fields_have_no_label_and_pins_are_number_fields(
    playwright: Playwright, plain_forms_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The contract names the fields and the refusals' words, not how a label is attached, what
    type a PIN input is, or that a refusal is an alert: each flow works either way."""
    sandbox = plain_forms_sandbox
    secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468"}
    removed = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
    assert removed.exit_code == 0, removed.message
    secrets = {**ALEX_SECRETS, "PLEX_NEW_PIN": "3690"}
    set_pin = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", secrets, user="Teen", mode="set")
    assert set_pin.exit_code == 0, set_pin.message
    secrets = {"PLEX_EMAIL": CASEY[0], "PLEX_PASSWORD": CASEY[1], "PLEX_TOTP_SECRET": CASEY_TOTP}
    reset = run_flow(playwright, sandbox, tmp_path, "reset-pin", {**secrets, "PLEX_NEW_PIN": "1470"})
    assert reset.exit_code == 0, reset.message
    state = sandbox.state
    assert (state.user_titled("Jordan").pin, state.user_titled("Teen").pin) == (None, "3690")
    assert state.user_titled("Casey", email=CASEY[0]).pin == "1470"


def test_refusals_shown_as_plain_text_stop_the_run_with_plexs_words(
    playwright: Playwright, plain_forms_sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox = plain_forms_sandbox
    secrets = {**ALEX_SECRETS, "PLEX_PIN": "1111"}
    wrong_pin = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
    assert wrong_pin.exit_code == 1
    assert "Plex refused the PIN: Incorrect PIN" in wrong_pin.message
    assert sandbox.state.wrong_attempts(ALEX[0]) == 1  # never a second guess

    refused = run_flow(playwright, sandbox, tmp_path, "remove-pin", {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": "wrong"})
    assert refused.exit_code == 3
    assert "Plex refused the sign-in: User could not be authenticated" in refused.message

    secrets = {"PLEX_TOKEN": sign_in_token(sandbox.base_url), "PLEX_PASSWORD": "not-it", "PLEX_NEW_PIN": "8080"}
    wrong_password = run_flow(playwright, sandbox, tmp_path, "reset-pin", secrets)
    assert wrong_password.exit_code == 1
    assert "Plex refused the password: Incorrect password" in wrong_password.message
    assert (sandbox.state.user_titled("Jordan").pin, sandbox.state.user_titled("Alex").pin) == ("2468", "1234")


@pytest.mark.parametrize("name", ["classic", "plain-forms"])
def test_a_wrong_verification_code_is_a_refused_sign_in_in_the_forms_words(
    playwright: Playwright, sandbox_pool: dict[str, SandboxServer], tmp_path: Path, name: str
) -> None:
    """The contract gives no words for a wrong two-factor code. Shown in an alert or as plain
    text, the form's answer is told as a refused sign-in in its own words, not as UI drift."""
    sandbox = fresh_sandbox(sandbox_pool, name)
    secrets = {"PLEX_EMAIL": CASEY[0], "PLEX_PASSWORD": CASEY[1], "PLEX_TOTP_SECRET": "KRSXG5CTMVRXEZLU"}
    result = run_flow(playwright, sandbox, tmp_path, "reset-pin", {**secrets, "PLEX_NEW_PIN": "1470"}, timeout_s=3)
    assert result.exit_code == 3, result.message
    assert "Plex refused the sign-in: The verification code is not valid" in result.message
    assert not (result.run_dir / "drift.md").exists()
    assert sandbox.state.user_titled("Casey", email=CASEY[0]).pin is None  # as it was: no PIN


@pytest.mark.parametrize("name", ["own-words", "own-words-in-alerts"])
def test_refusals_in_words_the_contract_does_not_give_are_refusals_not_drift(
    playwright: Playwright, sandbox_pool: dict[str, SandboxServer], tmp_path: Path, name: str
) -> None:
    """The contract guesses how a refused password or PIN is worded. A form or dialog that still
    asks after the whole wait, saying something new, has refused in its own words: the run
    stops with them (never tried again), and no drift is reported."""
    sandbox = fresh_sandbox(sandbox_pool, name)
    wrong_pin = run_flow(
        playwright, sandbox, tmp_path, "remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "1111"}, user="Jordan", timeout_s=3
    )
    assert wrong_pin.exit_code == 1, wrong_pin.message
    assert "Plex refused the PIN: That PIN didn't work. Check it and try again." in wrong_pin.message
    assert sandbox.state.wrong_attempts(ALEX[0]) == 1  # never a second guess

    wrong = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": "wrong"}
    refused = run_flow(playwright, sandbox, tmp_path, "remove-pin", wrong, user="Jordan", timeout_s=3)
    assert refused.exit_code == 3, refused.message
    assert "Plex refused the sign-in: Your email or password isn't right." in refused.message

    secrets = {"PLEX_TOKEN": sign_in_token(sandbox.base_url), "PLEX_PASSWORD": "not-it", "PLEX_NEW_PIN": "8080"}
    wrong_password = run_flow(playwright, sandbox, tmp_path, "reset-pin", secrets, timeout_s=3)
    assert wrong_password.exit_code == 1, wrong_password.message
    assert "Plex refused the password: That password isn't the one on the account." in wrong_password.message

    for result in (wrong_pin, refused, wrong_password):
        assert not (result.run_dir / "drift.md").exists(), result.message
    assert (sandbox.state.user_titled("Jordan").pin, sandbox.state.user_titled("Alex").pin) == ("2468", "1234")


def test_rate_limiting_shown_as_plain_text_is_told_in_the_screens_words(
    playwright: Playwright, sandbox_pool: dict[str, SandboxServer], tmp_path: Path
) -> None:
    """After too many wrong PINs or passwords Plex answers 429, in words the contract does not
    give. Shown as plain text, they end the run as a refusal, not as drift, and the right PIN
    given is not tried again."""
    sandbox = fresh_sandbox(sandbox_pool, "plain-forms")
    token = sign_in_token(sandbox.base_url)
    for _ in range(5):  # someone else's wrong guesses, a moment ago
        sandbox.state.record_wrong_attempt(ALEX[0])
    limited = {"PLEX_TOKEN": token, "PLEX_PIN": "2468"}
    pin = run_flow(playwright, sandbox, tmp_path, "remove-pin", limited, user="Jordan", timeout_s=3)
    assert pin.exit_code == 1, pin.message
    assert "Plex refused the PIN: Too many attempts, try again later" in pin.message
    sign_in = run_flow(playwright, sandbox, tmp_path, "remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "2468"}, timeout_s=3)
    assert sign_in.exit_code == 3, sign_in.message
    assert "Plex refused the sign-in: Too many attempts, try again later" in sign_in.message
    for result in (pin, sign_in):
        assert not (result.run_dir / "drift.md").exists(), result.message
    assert sandbox.state.wrong_attempts(ALEX[0]) == 5
    assert sandbox.state.user_titled("Jordan").pin == "2468"


def test_a_pin_typed_where_the_markup_does_not_say_secret_is_still_hidden(
    playwright: Playwright, sandbox_pool: dict[str, SandboxServer], tmp_path: Path
) -> None:
    """A PIN input that is a plain number field, with no password type or numeric hint: what
    the flow types into it is drawn as discs (the trace's screencast) and painted over in the
    step screenshot, like any field the markup calls secret."""
    sandbox = fresh_sandbox(sandbox_pool, "plain-forms")
    seen: list[tuple[object, ...]] = []

    def as_the_step_screenshot_sees_it(locator: Locator) -> None:
        if re.search(r'name="(Continue|Save)"', str(locator)):
            field = locator.page.get_by_role("dialog").locator("input").first
            looks = field.evaluate("f => [f.type, f.getAttribute('inputmode'), getComputedStyle(f).webkitTextSecurity]")
            masked = locator.page.get_by_role("dialog").locator(SECRET_FIELDS).count()
            seen.append((looks[0], looks[1], looks[2], masked))

    secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468", "PLEX_NEW_PIN": "3690"}
    with listening(as_the_step_screenshot_sees_it):
        removed = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
        set_pin = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", secrets, user="Teen", mode="set")
    assert (removed.exit_code, set_pin.exit_code) == (0, 0), (removed.message, set_pin.message)
    assert seen == [("number", None, "disc", 1), ("number", None, "disc", 1)]


#: Installed in the page by the test below: at every frame the browser renders, each PIN
#: dialog's field that holds something is looked at as it is about to be painted.
WATCH_EVERY_FRAME = """() => {
  if (window.__pinFrames) return;
  const seen = (window.__pinFrames = { looked: 0, inClear: 0 });
  const look = () => {
    for (const field of document.querySelectorAll("[role=dialog] input")) {
      if (!field.value) continue;
      seen.looked++;
      if (getComputedStyle(field).webkitTextSecurity !== "disc") seen.inClear++;
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


@pytest.mark.parametrize("name", ["redrawn-pin", "redrawn-digits"])
def test_a_pin_entry_drawn_anew_as_it_is_typed_is_hidden_in_every_frame(
    playwright: Playwright, sandbox_pool: dict[str, SandboxServer], tmp_path: Path, name: str
) -> None:
    """PIN inputs that are plain fields, drawn anew (new elements) with each digit typed, as a
    component that re-renders does: a field the page objects marked is gone after the first
    digit. Every field named like a PIN is still drawn as discs in every frame, and painted
    over in the step screenshot."""
    sandbox = fresh_sandbox(sandbox_pool, name)
    frames: list[dict[str, int]] = []
    masked: list[bool] = []

    def watch(locator: Locator) -> None:
        page = locator.page
        page.evaluate(WATCH_EVERY_FRAME)  # from the first action on each page the run loads
        if "dialog" in str(locator) and re.search(r"Continue|Save|Remove", str(locator)):
            fields = page.get_by_role("dialog").locator("input")
            masked.append(fields.count() == page.get_by_role("dialog").locator(SECRET_FIELDS).count())
            frames.append(page.evaluate("() => window.__pinFrames"))

    secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468", "PLEX_NEW_PIN": "3690"}
    with listening(watch):
        removed = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
        set_pin = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", secrets, user="Teen", mode="set")
    assert (removed.exit_code, set_pin.exit_code) == (0, 0), (removed.message, set_pin.message)
    assert (sandbox.state.user_titled("Jordan").pin, sandbox.state.user_titled("Teen").pin) == (None, "3690")
    assert frames
    assert all(seen["looked"] > 0 for seen in frames), frames
    assert [seen["inClear"] for seen in frames] == [0] * len(frames)
    assert masked == [True] * len(frames)


@pytest.mark.parametrize("name", ["bare-links", "bare-icons"])
def test_links_that_are_anchors_with_no_href_are_followed(
    playwright: Playwright, sandbox_pool: dict[str, SandboxServer], tmp_path: Path, name: str
) -> None:
    """Settings, the sidebar entry, "Edit PIN" and "Remove" as anchors a script follows: they
    look and work like links but have no link role. As icons (Settings' cog named by its title,
    the row's pencil by aria-label), they say nothing either."""
    sandbox = fresh_sandbox(sandbox_pool, name)
    secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468"}
    removed = run_flow(playwright, sandbox, tmp_path, "remove-pin", secrets, user="Jordan")
    assert removed.exit_code == 0, removed.message
    managed = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", ALEX_SECRETS, user="Kid", mode="remove")
    assert managed.exit_code == 0, managed.message
    assert (sandbox.state.user_titled("Jordan").pin, sandbox.state.user_titled("Kid").pin) == (None, None)


@pytest.mark.parametrize("place", ["top-bar", "account-menu"])
def test_a_promo_arriving_between_a_press_and_its_release_loses_no_click(
    playwright: Playwright, tmp_path: Path, place: str
) -> None:
    """The promo lands after Settings (or the account menu) was pressed and before the release:
    the release goes to the promo, the browser sends the click to neither, and Playwright
    reports the click done all the same. The flow must see that the click never reached the
    control, and click again once the promo is closed, not wait out its timeout on Home."""
    drawn = variant("classic", promo="streaming", promo_arrival="first-press", settings_place=place)
    with SandboxServer(drawn) as server:
        secrets = {**ALEX_SECRETS, "PLEX_PIN": "2468"}
        result = run_flow(playwright, server, tmp_path, "remove-pin", secrets, user="Jordan", timeout_s=5)
        assert (result.exit_code, result.status) == (0, "done"), result.message
        assert server.state.user_titled("Jordan").pin is None


# -- drift is named where it is ---------------------------------------------------------------------
@pytest.mark.parametrize("session", ["signing-in", "token"])
def test_a_renamed_settings_control_is_the_drift_named(playwright: Playwright, tmp_path: Path, session: str) -> None:
    """The failing wait is for the web app's Settings control: that is named, not the sign-in
    form's button, which the page had left behind once signed in."""
    with SandboxServer(variant("classic", settings_label="Preferences")) as server:
        signed_in = {"PLEX_TOKEN": sign_in_token(server.base_url)} if session == "token" else ALEX_SECRETS
        secrets = {**signed_in, "PLEX_PIN": "2468"}
        result = run_flow(playwright, server, tmp_path, "remove-pin", secrets, user="Jordan", timeout_s=3)
        assert server.state.user_titled("Jordan").pin == "2468"
    assert result.exit_code == 1
    assert result.drift is not None
    assert result.drift.locator == "WebApp.settings_button"
    assert result.message.startswith("step 1 ('Open Plex and then navigate to Settings > Plex Home page.'): ")
    assert 'The web app has no "Settings" control (WebApp.settings_button)' in result.message
    assert "Sign In" not in result.message
    if session == "token":
        # Waiting for the app or the sign-in form, and neither showed: both are named, the form as not there.
        assert result.drift.alternatives == ["was the sign-in page's email field there (SignInPage.email)"]
    else:
        assert result.drift.alternatives == []


def test_token_only_session(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    secrets = {"PLEX_TOKEN": sign_in_token(sandbox.base_url)}
    result = run_flow(playwright, sandbox, tmp_path, "managed-user-pin", secrets, user="Kid", mode="remove")
    assert result.exit_code == 0, result.message
    assert sandbox.state.user_titled("Kid").pin is None


def test_unreachable_target_exits_3(playwright: Playwright, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        settings = RunSettings(timeout_s=10, traces_dir=tmp_path / "traces")
        secrets = SecretSource({**ALEX_SECRETS, "PLEX_PIN": "1234"})
        request = settings.request(RUNBOOKS["remove-pin"], Target.at(f"http://127.0.0.1:{port}"), secrets, RunOptions())
        result = execute(request, playwright)
    assert result.exit_code == 3
    assert f"http://127.0.0.1:{port}/desktop/ did not answer" in result.message
    assert (result.run_dir / "manifest.json").is_file()


@pytest.mark.parametrize("trace", ["off", "retain-on-failure"])
def test_trace_modes_keep_no_trace_for_a_passing_run(
    playwright: Playwright, classic_sandbox: SandboxServer, tmp_path: Path, trace: str
) -> None:
    result = run_flow(
        playwright, classic_sandbox, tmp_path, "managed-user-pin", ALEX_SECRETS, trace=trace, user="Kid", mode="remove"
    )
    assert result.exit_code == 0
    assert result.trace is None
    # Without a trace, every step still keeps its screenshot.
    for step in manifest(result)["steps"]:  # type: ignore[union-attr]
        assert (result.run_dir / step["screenshot"]).is_file()  # type: ignore[index]
