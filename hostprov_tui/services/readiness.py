"""Is the NOOR Canvas app ready to run a session on these databases? Warnings, never refusals:
what `check` and the dashboard card add below the schema verdict (docs/design.md, "A session's
runs": readiness of the app)."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, text, true
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.engines import DatabaseHandle
from hostprov_tui.db.ksessions_models import KSESSIONS_SCHEMA, Country
from hostprov_tui.db.schema import SchemaReport

#: What the app cannot do without each of its tables.
_WITHOUT = {
    "canvas.Participants": "participants cannot register, and hostprov cannot read or archive "
    "a session's run",
    "canvas.SessionData": "questions cannot be asked, and hostprov cannot read or archive a "
    "session's run",
    "dbo.Countries": "participants cannot register (the registration form lists its "
    "countries)",
}
#: The session opener lists albums and categories with these procedures (SQL Server only).
OPENER_PROCEDURES = ("dbo.GetAllGroups", "dbo.GetCategoriesForGroup")


def readiness(handle: DatabaseHandle, report: SchemaReport) -> tuple[str, ...]:
    """The warning sentences for one database (reads only)."""
    if not report.ok:
        return ()
    # only a generation whose metadata holds optional tables (tokens) can miss one
    lines = [f"Warning: {table} is missing: {_WITHOUT.get(table, 'the app needs it')}."
             for table in report.missing_optional_tables]
    if handle.name != "ksessions":
        return tuple(lines)
    try:
        with handle.engine.connect() as conn:
            if not inspect(conn).has_table("Countries", handle.schema(KSESSIONS_SCHEMA)):
                lines.append(f"Warning: dbo.Countries is missing: {_WITHOUT['dbo.Countries']}.")
            else:
                active = conn.execute(select(func.count()).select_from(Country)
                                      .where(Country.IsActive == true())).scalar_one()
                if not active:
                    lines.append("Warning: dbo.Countries has no active country: participants "
                                 "cannot register (the registration form lists them).")
            if handle.backend == "mssql":
                for name in OPENER_PROCEDURES:
                    if conn.execute(text("SELECT OBJECT_ID(:n, 'P')"), {"n": name}).scalar() \
                            is None:
                        lines.append(f"Warning: the stored procedure {name} is missing: the "
                                     "app's session opener lists albums and categories with "
                                     "it.")
    except DBAPIError:  # unreadable here: the schema verdict already says what it can
        pass
    return tuple(lines)
