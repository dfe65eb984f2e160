"""``plexbook sandbox``: the local Plex stand-in, in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plexbook.choices import (
    RANDOM,
    ErrorShape,
    FieldNames,
    Heading,
    PinInput,
    PinType,
    RefusalWords,
    Reveal,
    VariantName,
)
from plexbook.cli.common import fail


def _fault_pairs(values: list[str]) -> dict[str, int]:
    faults: dict[str, int] = {}
    for value in values:
        route, _, status = value.partition("=")
        if not route.startswith("/") or not status.isdigit():
            raise typer.BadParameter(f"{value!r}: expected ROUTE=STATUS, e.g. /api/v2/home/users=503")
        faults[route] = int(status)
    return faults


def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on. Loopback unless you mean otherwise.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 32499,
    variant_name: Annotated[
        VariantName,
        typer.Option(
            "--variant",
            help="How the Plex screens look: a preset, or random (every open choice drawn from --seed).",
        ),
    ] = "classic",
    seed: Annotated[
        int | None, typer.Option(help="With --variant random: the seed to draw from (default: a fresh one, printed).")
    ] = None,
    heading: Annotated[Heading | None, typer.Option(help="Override: the Settings page's name.")] = None,
    reveal: Annotated[
        Reveal | None, typer.Option(help="Override: how a row shows Edit PIN on hover (script re-renders rows).")
    ] = None,
    pin_input: Annotated[PinInput | None, typer.Option(help="Override: one PIN input, or four digit boxes.")] = None,
    auto_submit: Annotated[bool | None, typer.Option("--auto-submit/--no-auto-submit", help="Override.")] = None,
    email_step: Annotated[bool | None, typer.Option("--email-step/--no-email-step", help="Override.")] = None,
    confirm_new_pin: Annotated[
        bool | None, typer.Option("--confirm-new-pin/--no-confirm-new-pin", help="Override.")
    ] = None,
    sign_in_frame: Annotated[
        bool | None,
        typer.Option(
            "--sign-in-frame/--no-sign-in-frame",
            help="Override: the sign-in form in an iframe named fedauth-iFrame, as www.plex.tv shows it.",
        ),
    ] = None,
    field_names: Annotated[
        FieldNames | None,
        typer.Option(help="Override: form fields named by a label, by aria-label, or by a placeholder alone."),
    ] = None,
    pin_type: Annotated[
        PinType | None, typer.Option(help="Override: the PIN inputs' type (number makes them spin buttons).")
    ] = None,
    error_shape: Annotated[
        ErrorShape | None,
        typer.Option(help='Override: a refusal ("Incorrect PIN") in an alert region, or as plain text.'),
    ] = None,
    bare_links: Annotated[
        bool | None,
        typer.Option("--bare-links/--no-bare-links", help="Override: links as anchors with no href (no link role)."),
    ] = None,
    pin_redraw: Annotated[
        bool | None,
        typer.Option(
            "--pin-redraw/--no-pin-redraw",
            help="Override: the PIN entry draws its inputs anew (new elements) as each digit is typed.",
        ),
    ] = None,
    icon_links: Annotated[
        bool | None,
        typer.Option(
            "--icon-links/--no-icon-links",
            help="Override: icon controls (Settings, the row's Edit PIN) are anchors, not buttons.",
        ),
    ] = None,
    refusal_words: Annotated[
        RefusalWords | None,
        typer.Option(help="Override: a refused password or PIN told in the contract's words, or in other words."),
    ] = None,
    edit_pin_label: Annotated[
        str | None, typer.Option(help='Drift on purpose: the row\'s "Edit PIN" control reads this instead.')
    ] = None,
    settings_label: Annotated[
        str | None, typer.Option(help='Drift on purpose: the "Settings" control is named this instead.')
    ] = None,
    drop_remove: Annotated[
        bool | None, typer.Option("--drop-remove/--keep-remove", help="Drift on purpose: no Remove control.")
    ] = None,
    state: Annotated[
        Path | None, typer.Option(help="A household JSON file to serve; changes are saved back to it.")
    ] = None,
    latency_ms: Annotated[int, typer.Option(help="Delay every answer by this many milliseconds.")] = 0,
    fail_route: Annotated[
        list[str],
        typer.Option(
            "--fail",
            metavar="ROUTE=STATUS",
            help="Make a route answer an error, e.g. /api/v2/home/users=503 (repeatable).",
        ),
    ] = [],  # noqa: B006 - typer reads the default
    fail_after: Annotated[
        list[str],
        typer.Option(
            "--fail-after",
            metavar="ROUTE=STATUS",
            help="Carry out a route's request, then answer an error anyway, as live Plex may: ROUTE=STATUS.",
        ),
    ] = [],  # noqa: B006 - typer reads the default
    drop: Annotated[
        list[str], typer.Option(metavar="ROUTE", help="Cut connections to a route mid-answer (repeatable).")
    ] = [],  # noqa: B006
) -> None:
    """Serve the local Plex sandbox in the foreground until Ctrl+C.

    It serves Plex Web's screens and the plex.tv API for the demo household (or --state FILE),
    and prints its base URL. Sign in as alex@sandbox.plexbook.test / sandbox-pass-1.

    Example:

        plexbook sandbox --variant modern --port 32499

        plexbook sandbox --variant random --seed 4711
    """
    from plexbook.sandbox.faults import Faults
    from plexbook.sandbox.server import SandboxServer
    from plexbook.sandbox.state import HouseholdError
    from plexbook.sandbox.variants import variant

    try:
        if seed is not None and variant_name != RANDOM:
            raise ValueError("--seed goes with --variant random")
        chosen = variant(
            variant_name,
            seed,
            heading=heading,
            reveal=reveal,
            pin_input=pin_input,
            auto_submit=auto_submit,
            email_step=email_step,
            confirm_new_pin=confirm_new_pin,
            sign_in_frame=sign_in_frame,
            field_names=field_names,
            pin_type=pin_type,
            error_shape=error_shape,
            bare_links=bare_links,
            pin_redraw=pin_redraw,
            icon_links=icon_links,
            refusal_words=refusal_words,
            edit_pin_label=edit_pin_label,
            settings_label=settings_label,
            drop_remove=drop_remove,
        )
        faults = Faults(
            latency_ms=latency_ms, status=_fault_pairs(fail_route), drop=set(drop), after=_fault_pairs(fail_after)
        )
        server = SandboxServer(chosen, state_file=state, host=host, port=port, faults=faults, log_level="warning")
    except (ValueError, HouseholdError) as exc:
        fail(str(exc), code=2)
    typer.echo(f"Plex sandbox: {chosen.name}")
    if variant_name == RANDOM:
        typer.echo("Drawn (replay with --variant random --seed " + chosen.name.removeprefix("random-") + "):")
        typer.echo("\n".join(chosen.choices()))
    else:
        typer.echo(chosen.describe())
    try:
        server.serve_forever(
            on_ready=lambda url: typer.echo(
                f"Serving at {url}/desktop/  (sign in as alex@sandbox.plexbook.test; Ctrl+C stops)"
            )
        )
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror}", code=2)
    except KeyboardInterrupt:
        pass
