"""pyodbc is imported only when an mssql URL is used: the embedded path needs no ODBC."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hostprov_tui.db.mssql_driver import is_driver_path
from hostprov_tui.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from hostprov_tui.db.urls import TargetUrl


def installed_odbc_drivers() -> list[str]:
    """Names of the ODBC drivers unixODBC knows; raises if the ODBC library is missing."""
    try:
        import pyodbc
    except ImportError as exc:
        raise DatabaseUnavailable(
            "The ODBC system library is not installed, so SQL Server cannot be reached "
            f"({exc}).",
            hint="Install it (apt-get install unixodbc, with Microsoft's msodbcsql18 or tdsodbc), "
            "or reach SQL Server with nothing else installed: pip install 'hostprov[mssql]' "
            "(Microsoft's mssql-python driver).",
        ) from None
    return list(pyodbc.drivers())


def requested_driver(target: TargetUrl) -> str | None:
    query = target.url.query
    if "driver" in query:
        return str(query["driver"])
    odbc = str(query.get("odbc_connect", ""))
    for part in odbc.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "driver":
            return value.strip().strip("{}")
    return None


def check_odbc_driver(target: TargetUrl) -> None:
    """Refuse early, with the installed names, when the URL's ODBC driver is not installed."""
    drivers = installed_odbc_drivers()
    wanted = requested_driver(target)
    if target.from_connection_string and wanted is not None and wanted not in drivers:
        # the file holds a connection_string: the driver is its [name] odbc_driver, not a URL's
        raise DatabaseUnavailable(
            f"The ODBC driver '{wanted}' set for the {target.name} connection_string "
            f"([{target.name}] odbc_driver) is not installed; installed drivers: "
            f"{', '.join(drivers) or 'none'}.",
            hint=f"Set [{target.name}] odbc_driver to one of the installed ones (or import "
            "again with --odbc-driver NAME).",
        )
    if wanted is None:
        raise DatabaseUnavailable(
            f"The {target.name} SQL Server URL names no ODBC driver.",
            hint="Add ?driver=FreeTDS or ?driver=ODBC+Driver+18+for+SQL+Server to the URL, or "
            "pip install 'hostprov[mssql]' for Microsoft's mssql-python driver. "
            f"Installed drivers: {', '.join(drivers) or 'none'}.",
        )
    if is_driver_path(wanted):
        if not Path(wanted).is_file():
            raise DatabaseUnavailable(
                f"The ODBC driver library {wanted} named in the {target.name} URL does not "
                "exist.",
                hint="Name an existing driver library, or one of the installed drivers: "
                f"{', '.join(drivers) or 'none'}.",
            )
        return
    if wanted not in drivers:
        raise DatabaseUnavailable(
            f"The ODBC driver '{wanted}' named in the {target.name} URL is not installed; "
            f"installed drivers: {', '.join(drivers) or 'none'}.",
            hint="Install it, or change driver= in the URL to one of the installed ones.",
        )
