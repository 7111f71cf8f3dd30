"""Who receives what: a published report and the config in, a list of deliveries out (pure).

A *delivery* is one email message or one webhook post. Shared reports follow the routes of
their family and key: one message per route (its recipients all in To), one post per webhook
named by any matching route (each bot once per report).

Private reports (a family whose spec says ``private=True``, or a run.json saying so) never
follow routes' recipients and never reach a webhook, whatever the config says (the loader
already refuses such a config; this is the second lock):

- the team report (report.pdf, and tables.xlsx when the route asks) goes to the director only;
- each ``people/<staff_id>.pdf`` (and .html) goes in its own message to that person, with the
  director in Cc; a person without an address is reported, and the director still gets it.

:func:`check_private` states the rule on the finished plan, so a mistake anywhere above it
raises instead of sending.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .config import DeliveryConfig
from .report import SCORECARDS, PublishedReport

__all__ = ["Delivery", "Plan", "check_private", "plan_report"]


@dataclass(frozen=True)
class Delivery:
    """One message or post; what is sent is rebuilt from the folder when it is (re)tried, so the
    outbox stores this and nothing else."""

    folder: str  # absolute path of the published report folder
    channel: str  # "email" or "webhook"
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    webhook: str | None = None  # the bot's name in the config (never its URL)
    files: tuple[str, ...] = ()  # attachments, relative to the folder
    staff_id: str | None = None  # a personal scorecard's owner
    owner_addressed: bool = True  # False: the owner has no address, only the director receives it

    def target(self) -> str:
        """Who it goes to, as logs and summaries say it (names and addresses, never a URL)."""
        if self.channel == "webhook":
            return f"webhook {self.webhook}"
        return ", ".join(self.to + self.cc)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Delivery":
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


@dataclass(frozen=True)
class Plan:
    deliveries: tuple[Delivery, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)  # why something is not sent


def plan_report(report: PublishedReport, config: DeliveryConfig, private_families: set[str]) -> Plan:
    """The deliveries of one published report under ``config``."""
    routes = [r for r in config.routes if r.matches(report.report, report.key)]
    if not routes:
        return Plan(skipped=(f"{report.name}: no route for family '{report.report}' and key '{report.key}'",))
    private = report.private or report.report in private_families
    plan = _private(report, routes, config) if private else _shared(report, routes, config)
    if private:
        check_private(report, plan, config)
    return plan


def _attachments(report: PublishedReport, workbook: bool) -> tuple[str, ...]:
    wanted = ["report.pdf"] + (["tables.xlsx"] if workbook else [])
    return tuple(name for name in wanted if report.has(name))


def _shared(report: PublishedReport, routes: list, config: DeliveryConfig) -> Plan:
    folder = str(report.folder)
    deliveries: list[Delivery] = []
    hooks: list[str] = []
    for route in routes:
        if route.email:
            deliveries.append(Delivery(folder, "email", to=tuple(route.email),
                                       files=_attachments(report, route.attach_workbook)))
        hooks += [name for name in route.webhooks if name not in hooks]
    deliveries += [Delivery(folder, "webhook", webhook=name) for name in hooks]
    skipped = () if deliveries else (f"{report.name}: its routes name no recipient and no webhook",)
    return Plan(tuple(deliveries), skipped)


def _private(report: PublishedReport, routes: list, config: DeliveryConfig) -> Plan:
    appraisal = config.appraisal
    if appraisal is None:  # the loader refuses this; never guess recipients for personal data
        return Plan(skipped=(f"{report.name}: personal report and no 'appraisal' section in {config.source}",))
    folder = str(report.folder)
    workbook = any(route.attach_workbook for route in routes)
    deliveries = [Delivery(folder, "email", to=(appraisal.director,), files=_attachments(report, workbook))]
    skipped = []
    for staff_id in report.scorecards():
        files = tuple(f"{SCORECARDS}/{staff_id}{ext}" for ext in (".pdf", ".html")
                      if report.has(f"{SCORECARDS}/{staff_id}{ext}"))
        person = appraisal.people.get(staff_id)
        if person is None:
            skipped.append(f"{report.name}: no address for {staff_id}: the scorecard went to the director only")
            deliveries.append(Delivery(folder, "email", to=(appraisal.director,), files=files, staff_id=staff_id,
                                       owner_addressed=False))
        else:
            cc = () if person == appraisal.director else (appraisal.director,)
            deliveries.append(Delivery(folder, "email", to=(person,), cc=cc, files=files, staff_id=staff_id))
    return Plan(tuple(deliveries), tuple(skipped))


def check_private(report: PublishedReport, plan: Plan, config: DeliveryConfig) -> None:
    """Raise AssertionError unless every delivery of a personal report is an email to the director
    and at most the one person whose scorecard (only theirs) it carries."""
    appraisal = config.appraisal
    for d in plan.deliveries:
        if d.channel != "email" or appraisal is None:
            raise AssertionError(f"{report.name}: a personal report may only be emailed")
        allowed = {appraisal.director}
        if d.staff_id is not None:
            allowed.add(appraisal.people.get(d.staff_id, appraisal.director))
            own = {f"{SCORECARDS}/{d.staff_id}.pdf", f"{SCORECARDS}/{d.staff_id}.html"}
            if not set(d.files) <= own:
                raise AssertionError(f"{report.name}: the message of {d.staff_id} carries another file")
        elif any(f.startswith(f"{SCORECARDS}/") for f in d.files):
            raise AssertionError(f"{report.name}: the team message carries a scorecard")
        if not set(d.to + d.cc) <= allowed:
            raise AssertionError(f"{report.name}: a personal report addressed beyond its person and the director")
