"""The start-up floor: a bare Textual app with a Header, one Static and a Footer, nothing else."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Bare app")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
