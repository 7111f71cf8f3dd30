"""``opsreport deliver``: send published reports now, or what waits in the outbox.

A plain function with typer ``Annotated`` parameters; ``opsreport/cli.py`` registers it with
``app.command("deliver")(deliver_command)``. Importing this module loads typer and pydantic only.
Failures print as one paragraph with an exit code (the main CLI's ``_guard``); deliveries that
still fail leave exit code 4 after the summary, and wait in the outbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["deliver_command"]


def deliver_command(
    folders: Annotated[Optional[list[Path]], typer.Argument(
        help="published report folders, e.g. outputs/weekly_review/0071/2026-W47", show_default=False)] = None,
    deliver: Annotated[Optional[Path], typer.Option(
        "--deliver", help="delivery config (YAML, kept outside the repository); default: env OPSREPORT_DELIVERY")] = None,
    out: Annotated[Path, typer.Option(help="output root: the delivery log and outbox live in OUT/.delivery/")] = Path("outputs"),
    retry: Annotated[bool, typer.Option("--retry", help="send the deliveries waiting in the outbox instead")] = False,
) -> None:
    """Email published reports and post their headlines to group bots, as the delivery config says;
    with --retry, send what failed before. A failed delivery is retried, logged and kept in the outbox."""
    from ..cli import _guard  # the main CLI's wrapper: one paragraph, never a traceback

    with _guard():
        from . import DeliveryError, DeliveryFailedError, find_config, load_config
        from .run import deliver as deliver_reports
        from .run import retry_outbox

        if retry and folders:
            raise DeliveryError("give report folders or --retry, not both")
        if not retry and not folders:
            raise DeliveryError("give the published report folders to deliver (e.g. "
                                "outputs/weekly_review/0071/2026-W47), or --retry to send the outbox")
        found = find_config(deliver)
        if found is None:
            raise DeliveryError("no delivery config: give --deliver PATH or set OPSREPORT_DELIVERY")
        config = load_config(found[0], origin=found[1])
        if retry:
            outcome = retry_outbox(config, out_root=out, echo=typer.echo)
        else:
            outcome = deliver_reports(folders or [], config, out_root=out, echo=typer.echo)
        typer.echo(outcome.summary())
        if outcome.failed:
            raise DeliveryFailedError(f"{outcome.failed} delivery(ies) failed and wait in the outbox of {out}; "
                                      "the reports stay published. Fix the cause (see the log in "
                                      f"{out}/.delivery/delivery.log), then run 'opsreport deliver --retry'.")
