"""Step screenshots: the control a step acts on outlined, secrets and personal data painted over."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from plexbook import annotate
from plexbook.annotate import ACCENT, MARK, MASK_COLOR, mark, step_screenshot
from plexbook.recorder import masked_in_screenshots
from tests.conftest import colour_pixels

_PAGE = """<body style="margin:0;background:#fff;font:18px sans-serif">
  <p style="position:absolute;top:20px;left:20px;margin:0">Signed in as alex@example.test</p>
  <input aria-label="PIN" inputmode="numeric" value="2468"
         style="position:absolute;top:100px;left:20px;width:200px;height:30px">
  <button style="position:absolute;top:100px;left:400px;width:120px;height:40px">Continue</button>
  <button style="position:absolute;top:200px;left:400px;width:120px;height:40px">Cancel</button>
</body>"""


def marked(page: Page) -> list[str]:
    return page.locator(f"[{MARK}]").all_inner_texts()


def test_the_mark_goes_on_the_control_acted_on_and_moves_to_the_next(page: Page) -> None:
    page.set_content(_PAGE)
    assert mark(page.get_by_role("button", name="Continue")) == 120  # its vertical middle
    assert marked(page) == ["Continue"]
    assert mark(page.get_by_role("button", name="Cancel")) == 220
    assert marked(page) == ["Cancel"]


def test_the_mark_waits_for_a_late_control_and_never_picks_one_of_two(
    page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mark's own wait is short; Playwright polls for the control every 100 ms, so on a
    # machine busy enough that the page's timer fires late, half a second can pass between
    # polls. The behaviour under test is the waiting, so the wait is given room.
    monkeypatch.setattr(annotate, "MARK_TIMEOUT_MS", 10_000)
    page.set_content("<body><button>Remove</button><button>Remove</button></body>")
    # Two matches: the action would refuse them (strict mode), so nothing is marked.
    assert mark(page.get_by_role("button", name="Remove")) is None
    assert marked(page) == []
    # A control the page draws a moment later is waited for, as the action waits for it.
    page.evaluate(
        """() => setTimeout(() => {
            const late = document.createElement("a");
            late.href = "#"; late.textContent = "Edit PIN";
            document.body.append(late);
        }, 100)"""
    )
    assert mark(page.get_by_role("link", name="Edit PIN")) is not None
    assert marked(page) == ["Edit PIN"]


def test_a_step_screenshot_outlines_the_control_and_paints_over_secrets_and_personal_data(page: Page) -> None:
    page.set_content(_PAGE)
    continue_button = page.get_by_role("button", name="Continue")
    hidden = masked_in_screenshots(page, ["alex@example.test"])
    outlined = step_screenshot(page, "Step 3: Enter your current PIN", continue_button, hidden)
    plain = step_screenshot(page, "Step 3: Enter your current PIN", None, hidden)

    # The outline: Plex orange around Continue (4 px, 3 px off the button), none around Cancel.
    around_continue, around_cancel = (393, 93, 134, 54), (393, 193, 134, 54)
    assert colour_pixels(page, outlined, ACCENT, around_continue) > 1000
    assert colour_pixels(page, outlined, ACCENT, around_cancel) == 0
    assert colour_pixels(page, plain, ACCENT, around_continue) == 0
    # The PIN field and the sentence with the email: both painted over, in both pictures.
    for shot in (outlined, plain):
        assert colour_pixels(page, shot, MASK_COLOR, (20, 100, 200, 30)) > 0.9 * 200 * 30
        assert colour_pixels(page, shot, MASK_COLOR, (20, 20, 200, 18)) > 0.9 * 200 * 18
    # Without personal data to hide, the secret field still is; the sentence is not.
    secrets_only = step_screenshot(page, "Step 3", None, masked_in_screenshots(page, []))
    assert colour_pixels(page, secrets_only, MASK_COLOR, (20, 100, 200, 30)) > 0.9 * 200 * 30
    assert colour_pixels(page, secrets_only, MASK_COLOR, (20, 20, 200, 18)) < 0.1 * 200 * 18  # a text's own grey


def test_a_sign_in_frame_is_painted_over_as_the_page_is_and_the_band_is_drawn_once(page: Page) -> None:
    # www.plex.tv's sign-in form, in its iframe; the page around it is white.
    form = (
        '<body style="margin:0;background:#fff;font:18px sans-serif">'
        '<input type="email" aria-label="Email" value="alex@example.test" '
        'style="position:absolute;top:20px;left:20px;width:200px;height:30px">'
        '<input type="password" aria-label="Password" value="sandbox-pass-1" '
        'style="position:absolute;top:80px;left:20px;width:200px;height:30px"></body>'
    )
    page.set_content(
        '<body style="margin:0;background:#fff">'
        '<iframe name="fedauth-iFrame" '
        'style="position:absolute;top:100px;left:100px;width:400px;height:300px;border:0" '
        f"srcdoc='{form}'></iframe></body>"
    )
    frame = page.frame_locator('iframe[name="fedauth-iFrame"]')
    expect(frame.get_by_label("Password")).to_be_visible()
    shot = step_screenshot(page, "Step 1", None, masked_in_screenshots(page, ["alex@example.test"]))
    # Both fields, inside the frame (offset 100, 100): painted over.
    assert colour_pixels(page, shot, MASK_COLOR, (120, 120, 200, 30)) > 0.9 * 200 * 30
    assert colour_pixels(page, shot, MASK_COLOR, (120, 180, 200, 30)) > 0.9 * 200 * 30
    # The caption band: along the page's bottom edge, and not again at the bottom of the frame.
    band, size = "#121212", page.viewport_size
    assert size is not None
    assert colour_pixels(page, shot, band, (0, size["height"] - 20, size["width"], 20)) > 0.5 * size["width"] * 20
    assert colour_pixels(page, shot, band, (100, 370, 400, 30)) == 0
