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


class OutputError(OpsReportError):
    """The output root (``--out``) cannot hold reports: a file, a name too long, no permission."""


class WarehouseLockedError(WarehouseError):
    """Another program holds the warehouse file's write lock (DuckDB allows one writer)."""


#: Phrases of DuckDB's IOException when another process holds the file's lock.
_LOCK_MARKERS = ("could not set lock on file", "conflicting lock is held")


def is_lock_error(exc: BaseException | str) -> bool:
    """True when ``exc`` (or its text) is DuckDB refusing a file another process has locked."""
    text = str(exc).lower()
    return any(marker in text for marker in _LOCK_MARKERS)


def locked_warehouse(path: object, exc: BaseException | str) -> WarehouseLockedError:
    """The error to raise for a locked warehouse file: who holds it (when DuckDB says) and what to do.

    Use where the file is opened::

        except Exception as exc:
            if is_lock_error(exc):
                raise locked_warehouse(path, exc) from None
    """
    import re

    match = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", str(exc))
    holder = f" by {match.group(1)} (PID {match.group(2)})" if match else " by another program"
    return WarehouseLockedError(
        f"Warehouse file {path} is locked{holder}, which has it open for writing (an import, a "
        "DuckDB shell or a notebook). The file is not damaged: close that program or wait for it to "
        "finish, then run again."
    )
