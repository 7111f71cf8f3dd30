"""One hierarchy of errors; each message says what is wrong, where, and what to fix."""


class OpsReportError(Exception):
    """Base of every error a user is meant to read (the CLI prints it and exits non-zero)."""

    exit_code = 2


class ParamsError(OpsReportError):
    """A report parameter is unknown, mistyped or out of range."""


class MetricError(ParamsError):
    """A metric request cannot be answered: unknown key, dimension or grain, or no table fits."""


class UnknownMetricError(MetricError, KeyError):
    """A metric key that is not in the registry (a KeyError too, for ``metrics()[key]`` habits)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class WarehouseError(OpsReportError):
    """The warehouse file or a table in it is missing or unreadable."""


class ContractError(WarehouseError):
    """A table's rows break its data contract (schemas.py)."""


class DataNotFoundError(OpsReportError):
    """The requested shop or period has no data."""


class RenderError(OpsReportError):
    """Executing or exporting a report failed; nothing was published."""

    exit_code = 3


class MappingError(OpsReportError):
    """An import mapping (opsreport/importing/mappings/*.yaml or a user's) is unknown or invalid."""


class ImportProblemsError(WarehouseError):
    """Export files could not be imported; every problem is listed and nothing was written.

    ``problems`` holds one `opsreport.importing.problems.Problem` per finding (file, sheet, rows,
    column, message)."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])
