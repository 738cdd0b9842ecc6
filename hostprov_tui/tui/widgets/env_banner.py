"""One line that says which environment this is: calm for development, red for production."""

from __future__ import annotations

from textual.widgets import Static

_TEXT = {
    "production": "PRODUCTION — every write changes the live NOOR Canvas database",
    "development": "development — embedded or *_DEV databases only",
}


class EnvBanner(Static):
    """The environment banner shown at the top of every screen."""

    def __init__(self, environment: str) -> None:
        super().__init__(markup=False)
        self.set_environment(environment)

    def set_environment(self, environment: str) -> None:
        production = environment == "production"
        self.update(_TEXT["production" if production else "development"])
        self.set_class(production, "-production")
        self.set_class(not production, "-development")
