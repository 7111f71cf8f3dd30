"""Deliver published reports, and later what failed: the orchestrator of plan, send, log, outbox.

Each delivery (one message, one post) is tried ``retry.attempts`` times with exponential
backoff; every attempt is logged; one still failing is kept in the outbox and reported, and the
batch goes on. Nothing here touches the published folders: a report stays published whatever
happens to its delivery.

``--retry`` re-plans each outbox entry's report under the *current* config and sends the entry
only if the plan still holds it: recipients removed from the config (a person who left, a bot
retired) are not written to from an old outbox, and a personal report stays within its person
and the director.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .channels import SendError, scrub, send, url_secrets
from .config import DeliveryConfig, private_families
from .errors import DeliveryError
from .journal import Journal
from .plan import Delivery, plan_report
from .report import PublishedReport, read_report

__all__ = ["DeliveryOutcome", "deliver", "retry_outbox"]

Echo = Callable[[str], object]


@dataclass(frozen=True)
class DeliveryOutcome:
    """Counts of deliveries (messages and posts) and one line per delivery or skip, in order."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    lines: tuple[str, ...] = ()
    outbox: tuple[Path, ...] = field(default_factory=tuple)  # entries written by this run

    def summary(self) -> str:
        """One line for the end of a batch."""
        text = f"delivery: {self.sent} sent, {self.failed} failed, {self.skipped} skipped"
        if self.failed:
            text += " (the failed ones wait in the outbox: run 'opsreport deliver --retry')"
        return text

    def __add__(self, other: "DeliveryOutcome") -> "DeliveryOutcome":
        return DeliveryOutcome(self.sent + other.sent, self.failed + other.failed, self.skipped + other.skipped,
                               self.lines + other.lines, self.outbox + other.outbox)


def config_secrets(config: DeliveryConfig, env: Mapping[str, str]) -> list[str]:
    """Every secret value the config points to (to scrub from any text that is kept)."""
    names = [config.smtp.password_env] if config.smtp and config.smtp.password_env else []
    for hook in config.webhooks.values():
        names += [hook.url_env, hook.secret_env]
    values = [env.get(n) for n in names if n]
    return [v for v in values if v] + [p for v in values if v for p in url_secrets(v)]


class _Sender:
    """Attempts one delivery with retries, logging each attempt; counts and lines accumulate."""

    def __init__(self, config: DeliveryConfig, journal: Journal, echo: Echo, env: Mapping[str, str],
                 sleep: Callable[[float], None]):
        self.config, self.journal, self.echo, self.env, self.sleep = config, journal, echo, env, sleep
        self.secrets = config_secrets(config, env)
        self.sent = self.failed = self.skipped = 0
        self.lines: list[str] = []
        self.kept: list[Path] = []

    def say(self, line: str) -> None:
        self.lines.append(line)
        self.echo(line)

    def skip(self, report_folder: str | Path, reason: str) -> None:
        self.skipped += 1
        self.journal.log(None, folder=report_folder, outcome="skipped", note=reason)
        self.say(f"skipped {reason}")

    def attempt(self, delivery: Delivery, report: PublishedReport, *, done_before: int = 0) -> tuple[bool, int, str]:
        """(sent?, attempts made, last error)."""
        attempts = self.config.retry.attempts
        error = ""
        for attempt in range(1, attempts + 1):
            delay = self.config.retry.delay(attempt)
            if delay:
                self.sleep(delay)
            try:
                send(delivery, report, self.config, self.env)
            except SendError as exc:
                error = scrub(str(exc), self.secrets)
            except Exception as exc:  # noqa: BLE001 - never lose a report to one odd failure
                error = scrub(f"{type(exc).__name__}: {exc}", self.secrets)
            else:
                self.journal.log(delivery, folder=report.folder, channel=self._channel(delivery), outcome="sent",
                                 attempt=done_before + attempt)
                self.sent += 1
                self.say(f"sent {report.name} {self.how(delivery)}")
                return True, attempt, ""
            last = attempt == attempts
            self.journal.log(delivery, folder=report.folder, channel=self._channel(delivery),
                             outcome="failed" if last else "retry", attempt=done_before + attempt, error=error)
        return False, attempts, error

    def fail(self, report_name: str, delivery: Delivery, attempts: int, error: str, kept: Path) -> None:
        self.failed += 1
        self.kept.append(kept)
        self.say(f"FAILED {report_name} {self.how(delivery)} after {attempts} attempt(s): {error} "
                 f"(kept in the outbox as {kept.name}; run 'opsreport deliver --retry')")

    def _channel(self, delivery: Delivery) -> str:
        if delivery.channel == "webhook":
            hook = self.config.webhooks.get(delivery.webhook or "")
            return hook.kind if hook else "webhook"
        return "email"

    def how(self, delivery: Delivery) -> str:
        if delivery.channel == "webhook":
            return f"to {self._channel(delivery)} webhook '{delivery.webhook}'"
        what = f"scorecard {delivery.staff_id}" if delivery.staff_id else "email"
        return f"by {what} to {delivery.target()}"

    def outcome(self) -> DeliveryOutcome:
        return DeliveryOutcome(self.sent, self.failed, self.skipped, tuple(self.lines), tuple(self.kept))


def deliver(folders: Iterable[str | Path], config: DeliveryConfig, *, out_root: str | Path, echo: Echo = print,
            env: Mapping[str, str] | None = None, sleep: Callable[[float], None] = time.sleep) -> DeliveryOutcome:
    """Send every published report in ``folders`` to its readers under ``config``.

    Every folder is read before anything is sent: one that is not a published report raises
    :class:`DeliveryError` naming it (nothing sent). Failed deliveries are kept in the outbox
    under ``out_root`` and counted; they never raise.
    """
    reports, problems = [], []
    for folder in folders:
        try:
            reports.append(read_report(folder))
        except DeliveryError as exc:
            problems.append(str(exc))
    if problems:
        raise DeliveryError("Nothing was delivered: " + "; ".join(problems))
    env = os.environ if env is None else env
    sender = _Sender(config, Journal(out_root), echo, env, sleep)
    private = private_families()
    for report in reports:
        plan = plan_report(report, config, private)
        for reason in plan.skipped:
            sender.skip(report.folder, reason)
        for delivery in plan.deliveries:
            ok, attempts, error = sender.attempt(delivery, report)
            if not ok:
                kept = sender.journal.keep(delivery, attempts=attempts, error=error)
                sender.fail(report.name, delivery, attempts, error, kept)
    return sender.outcome()


def retry_outbox(config: DeliveryConfig, *, out_root: str | Path, echo: Echo = print,
                 env: Mapping[str, str] | None = None, sleep: Callable[[float], None] = time.sleep) -> DeliveryOutcome:
    """Send what waits in the outbox under ``out_root``; what fails again stays there."""
    env = os.environ if env is None else env
    journal = Journal(out_root)
    sender = _Sender(config, journal, echo, env, sleep)
    private = private_families()
    entries = journal.pending()
    if not entries:
        sender.say(f"the outbox of {out_root} is empty: nothing to send")
    for entry in entries:
        delivery = entry.delivery
        try:
            report = read_report(delivery.folder)
        except DeliveryError as exc:
            journal.log(delivery, folder=delivery.folder, outcome="failed", error=str(exc))
            journal.keep(delivery, attempts=entry.attempts, error=str(exc), path=entry.path)
            sender.failed += 1
            sender.say(f"FAILED {journal.where(delivery.folder)}: {exc} (left in the outbox as {entry.path.name})")
            continue
        if delivery not in plan_report(report, config, private).deliveries:
            journal.done(entry)
            sender.skip(report.folder, f"{report.name} {sender.how(delivery)}: the config no longer sends it there; "
                        f"dropped from the outbox (run 'opsreport deliver {journal.where(report.folder)}' to send it "
                        "to the current recipients)")
            continue
        ok, attempts, error = sender.attempt(delivery, report, done_before=entry.attempts)
        if ok:
            journal.done(entry)
        else:
            kept = journal.keep(delivery, attempts=entry.attempts + attempts, error=error, path=entry.path)
            sender.fail(report.name, delivery, entry.attempts + attempts, error, kept)
    return sender.outcome()
