"""What plexbook's evidence costs: `plexbook run` against a plain Playwright script of the same flow.

    python benchmarks/run_overhead.py [--pairs 5] [--variant classic]

One sandbox (the demo household) serves both. Each pair runs, in turn and each in its own
process, the plain script below and `plexbook run remove-pin --user Jordan`, with the
sandbox reset before every run and the trace on for both. It then runs each on two users in
one command (`--user Jordan --user Alex`; the plain script given both names) to price the
second user. Every run's effect is checked on the sandbox (the PINs are gone), so a run that
did nothing cannot look fast. It prints medians of wall and CPU time, and the ratios:

- plexbook / plain script, for one user (target: at most 1.2);
- the second user's cost / a one-user run (target: at most 0.35), and the same share for the
  plain script, for reference: how much of a run a user's own steps are, with no evidence
  beyond the trace and the screenshots;
- each pair's own second-user share, lowest to highest: the share is a difference of two
  medians, and it moves most from one sitting to the next.

It measures; it never fails on time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ALEX_EMAIL, ALEX_PASSWORD = "alex@sandbox.plexbook.test", "sandbox-pass-1"
PINS = {"Jordan": "2468", "Alex": "1234"}

#: The plain script: the article's steps for each user it is given (in turn, after one
#: sign-in), written the shortest way for the classic sandbox, with one trace and a screenshot
#: per step, then the outcome check the runbook makes on Plex Home (reload; "PIN Required" is
#: gone), as a person would write it by hand.
PLAIN_SCRIPT = r"""
import os
import sys
from playwright.sync_api import expect, sync_playwright

base, out, chromium, *users = sys.argv[1:]  # the users, in turn; secrets come from the environment
email, password = os.environ["PLEX_EMAIL"], os.environ["PLEX_PASSWORD"]
with sync_playwright() as p:
    launch = {"args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                       "--disable-component-update", "--disable-sync"]}
    if chromium:
        launch["executable_path"] = chromium
    browser = p.chromium.launch(**launch)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.tracing.start(screenshots=True, snapshots=True)
    page = context.new_page()
    page.goto(base + "/desktop/")
    continue_with_email = page.get_by_role("button", name="Continue with Email")
    expect(continue_with_email.or_(page.get_by_label("Email")).first).to_be_visible()
    if continue_with_email.is_visible():
        continue_with_email.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Plex Home", exact=True).click()
    for user in users:
        pin = os.environ["PLEX_PIN_" + user.upper()]
        row = page.get_by_role("listitem").filter(has=page.get_by_text(user, exact=True))
        page.screenshot(path=f"{out}/{user}-1.png")
        row.get_by_text(user, exact=True).hover()
        page.get_by_role("link", name="Edit PIN").filter(visible=True).click()
        page.screenshot(path=f"{out}/{user}-2.png")
        dialog = page.get_by_role("dialog", name="Confirm Current PIN")
        dialog.get_by_role("textbox").first.press_sequentially(pin)
        if dialog.get_by_role("button", name="Continue").count():
            dialog.get_by_role("button", name="Continue").click()
        page.screenshot(path=f"{out}/{user}-3.png")
        edit = page.get_by_role("dialog", name="Edit PIN")
        edit.get_by_role("button", name="Remove").click()
        expect(edit).to_be_hidden()
        page.screenshot(path=f"{out}/{user}-4.png")
        # The same outcome check as the runbook's: Plex Home, reloaded, no longer says "PIN Required".
        page.reload()
        expect(row).to_be_visible()
        expect(row.get_by_text("PIN Required")).to_have_count(0)
        page.screenshot(path=f"{out}/{user}-5.png")
    context.tracing.stop(path=out + "/trace.zip")
    browser.close()
"""


@dataclass
class Timing:
    wall_s: float
    cpu_s: float


def timed(what: str, command: list[str], env: dict[str, str]) -> Timing:
    """Run ``command`` to its end; its wall time and the CPU it and its children (the browser) used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def system_chromium() -> str:
    """The Chromium plexbook would use, so both sides run the same browser build."""
    from playwright.sync_api import sync_playwright

    from plexbook.browser import BrowserOptions, launch_options

    with sync_playwright() as playwright:
        return str(launch_options(playwright, BrowserOptions()).get("executable_path", ""))


def median(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall_s for t in timings), statistics.median(t.cpu_s for t in timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=5, help="How many runs of each (default 5).")
    parser.add_argument("--variant", default="classic", help="The sandbox preset both run against.")
    args = parser.parse_args()

    from plexbook.sandbox import PRESETS
    from plexbook.sandbox.demo import embedded_sandbox

    chromium = system_chromium()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    env.update({"PLEX_EMAIL": ALEX_EMAIL, "PLEX_PASSWORD": ALEX_PASSWORD})
    plexbook = [sys.executable, "-m", "plexbook", "run", "remove-pin"]
    with embedded_sandbox(PRESETS[args.variant]) as sandbox, tempfile.TemporaryDirectory() as scratch:
        state = sandbox.state

        def fresh() -> None:
            sandbox.reset()

        def removed(*users: str) -> None:
            still = [user for user in users if state.user_titled(user).pin is not None]
            if still:
                raise SystemExit(f"the run left a PIN on {', '.join(still)}: it did not do the flow")

        url = ["--target", sandbox.base_url, "--traces-dir", str(Path(scratch) / "traces")]
        plain, plain_two, one, two = [], [], [], []
        pins = {"PLEX_PIN_JORDAN": PINS["Jordan"], "PLEX_PIN_ALEX": PINS["Alex"]}
        # One warm-up of each, untimed: the first launch pays for cold disk caches.
        for pair in range(args.pairs + 1):
            fresh()
            out = Path(scratch) / f"plain-{pair}"
            out.mkdir()
            script = [sys.executable, "-c", PLAIN_SCRIPT, sandbox.base_url, str(out), chromium]
            took = timed("the plain script", [*script, "Jordan"], {**env, **pins})
            removed("Jordan")
            fresh()
            took_plain_two = timed("the plain script on two users", [*script, "Jordan", "Alex"], {**env, **pins})
            removed("Jordan", "Alex")
            fresh()
            took_one = timed("plexbook run", [*plexbook, "--user", "Jordan", *url], {**env, "PLEX_PIN": PINS["Jordan"]})
            removed("Jordan")
            fresh()
            took_two = timed(
                "plexbook run on two users", [*plexbook, "--user", "Jordan", "--user", "Alex", *url], {**env, **pins}
            )
            removed("Jordan", "Alex")
            if pair:
                plain.append(took)
                plain_two.append(took_plain_two)
                one.append(took_one)
                two.append(took_two)
            print(
                f"  pair {pair or 'warm-up'}: plain {took.wall_s:.2f} s (two users {took_plain_two.wall_s:.2f} s), "
                f"plexbook {took_one.wall_s:.2f} s (two users {took_two.wall_s:.2f} s)",
                flush=True,
            )

    p, p2, o, t = median(plain), median(plain_two), median(one), median(two)
    print(f"\nremove-pin on the {args.variant} sandbox, trace on, medians of {args.pairs} runs each")
    print(f"  plain Playwright script   wall {p.wall_s:6.2f} s   cpu {p.cpu_s:6.2f} s")
    print(f"  plain script, two users   wall {p2.wall_s:6.2f} s   cpu {p2.cpu_s:6.2f} s")
    print(f"  plexbook run, one user    wall {o.wall_s:6.2f} s   cpu {o.cpu_s:6.2f} s")
    print(f"  plexbook run, two users   wall {t.wall_s:6.2f} s   cpu {t.cpu_s:6.2f} s")
    print(
        f"  plexbook / plain          wall {o.wall_s / p.wall_s:6.2f} x   cpu {o.cpu_s / p.cpu_s:6.2f} x  (target 1.2)"
    )
    (second_wall, second_cpu), (plain_wall, plain_cpu) = share(o, t), share(p, p2)
    print(f"  second user / one run     wall {second_wall:6.2f}     cpu {second_cpu:6.2f}    (target 0.35)")
    print(f"    the plain script's own  wall {plain_wall:6.2f}     cpu {plain_cpu:6.2f}    (for reference)")
    # The share is a difference of two medians, so it moves most from one sitting to the next:
    # each pair's own share (its two runs follow one another) shows how far.
    print(f"    plexbook, pair by pair  wall {spread(one, two)}")
    print(f"    plain script, likewise  wall {spread(plain, plain_two)}")


def spread(one: list[Timing], two: list[Timing]) -> str:
    """Each pair's second-user share (wall): lowest, median and highest."""
    shares = sorted((b.wall_s - a.wall_s) / a.wall_s for a, b in zip(one, two, strict=True))
    return f"{shares[0]:.2f} to {shares[-1]:.2f}, median {statistics.median(shares):.2f}"


def share(one: Timing, two: Timing) -> tuple[float, float]:
    """What the second user adds, as a share of a one-user run: wall and CPU."""
    return (two.wall_s - one.wall_s) / one.wall_s, (two.cpu_s - one.cpu_s) / one.cpu_s


if __name__ == "__main__":
    main()
