"""The session box: digits only, and a refused key says why instead of vanishing."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input


class IdInput(Input):
    """An Input that takes digits only; any other key posts :class:`IdInput.Refused`."""

    class Refused(Message):
        """A key that is not a digit was typed (or pasted) into the box."""

        def __init__(self, box: IdInput) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> IdInput:
            return self.box

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, restrict=r"\d*")

    def restricted(self) -> None:
        super().restricted()  # the bell
        self.post_message(self.Refused(self))
