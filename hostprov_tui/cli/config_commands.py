"""``hostprov config show | import | drift`` (ADO.NET connection strings, appsettings.json)."""

from __future__ import annotations

import click


@click.group()
def config() -> None:
    """Inspect the effective configuration and compare it with the NOOR Canvas app's."""
