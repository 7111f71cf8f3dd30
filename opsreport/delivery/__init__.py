"""Delivering published reports to the people who read them: email (SMTP, STARTTLS, AUTH) and
group bots (WeCom, DingTalk, Feishu), with retries, a log and an outbox.

Layers, each a module: ``config`` (the YAML file, checked on load), ``report`` (a published
folder's run.json), ``plan`` (who receives what; appraisals only to their person and the
director), ``compose`` (the message and payloads), ``channels`` (one attempt over SMTP or
HTTP), ``journal`` (log and outbox), ``run`` (:func:`deliver`, :func:`retry_outbox`), ``cli``.

Importing the package stays light (pydantic and yaml): :func:`deliver` and
:func:`retry_outbox` load ``run`` on first use, and smtplib/httpx load when something is sent.
"""

from __future__ import annotations

from typing import Any

from .config import ENV_VAR, DeliveryConfig, find_config, load_config, parse_config
from .errors import DeliveryConfigError, DeliveryError, DeliveryFailedError

__all__ = [
    "ENV_VAR", "DeliveryConfig", "DeliveryConfigError", "DeliveryError", "DeliveryFailedError",
    "DeliveryOutcome", "deliver", "find_config", "load_config", "parse_config", "retry_outbox",
]


def __getattr__(name: str) -> Any:  # deliver, retry_outbox, DeliveryOutcome: loaded on first use
    if name in ("deliver", "retry_outbox", "DeliveryOutcome"):
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
