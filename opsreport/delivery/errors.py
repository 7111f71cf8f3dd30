"""The errors of delivery, in the one hierarchy of :mod:`opsreport.errors` (each carries its exit code).

Kept beside the package until they move into ``opsreport/errors.py``; import them from here or
from :mod:`opsreport.delivery`.
"""

from __future__ import annotations

from ..errors import OpsReportError


class DeliveryConfigError(OpsReportError):
    """The delivery config file is missing, unreadable, or says something refused (named by file,
    line and field): an unknown key, a wrong type, an unknown family, an appraisal sent to others,
    an environment variable that is not set."""


class DeliveryError(OpsReportError):
    """Something to deliver cannot be: a folder that is not a published report, no config given."""


class DeliveryFailedError(OpsReportError):
    """Some deliveries still failed after their attempts; they wait in the outbox for ``--retry``.

    The reports themselves stay published: only their delivery is pending."""

    exit_code = 4
