"""One hierarchy of errors; each message says what is wrong, where, and what to fix."""


class OpsReportError(Exception):
    """Base of every error a user is meant to read (the CLI prints it and exits non-zero)."""

    exit_code = 2


class ParamsError(OpsReportError):
    """A report parameter is unknown, mistyped or out of range."""


class WarehouseError(OpsReportError):
    """The warehouse file or a table in it is missing or unreadable."""


class ContractError(WarehouseError):
    """A table's rows break its data contract (schemas.py)."""


class DataNotFoundError(OpsReportError):
    """The requested shop or period has no data."""


class RenderError(OpsReportError):
    """Executing or exporting a report failed; nothing was published."""

    exit_code = 3
