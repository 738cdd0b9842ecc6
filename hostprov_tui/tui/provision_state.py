"""The Provision screen's state, as typed values: what the form holds, the session the box
names, the last plan or outcome, the verify result. The screen keeps one of each in a reactive;
every panel draws from them and nothing else (widgets/provision_*.py).

The form's fields are declared once, here: a field of :class:`FormValues` with its
:func:`text_field` or :func:`check_field` metadata is drawn by the form, read into the state as
it is typed, reset by a new pick, passed to the services by name and repeated in every
confirmation. A new field is one line (e.g. ``new_run: bool = check_field("New run", "…")``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from hostprov_tui.services.results import Issued, Plan, RevokeResult, SessionRow, VerifyResult
    from hostprov_tui.tui.credential_words import CredentialWords


def _always(_words: CredentialWords) -> bool:
    return True


@dataclass(frozen=True)
class FieldSpec:
    """How the form shows one field of :class:`FormValues`."""

    label: str
    #: the box's placeholder: fixed, or what the generation's words say (an empty box's meaning)
    placeholder: str | Callable[[CredentialWords], str] = ""
    kind: Literal["text", "check"] = "text"
    #: the field exists for this generation (e.g. the participant link: tokens only)
    shown: Callable[[CredentialWords], bool] = _always
    #: a revoke takes it too (who and why, not until when)
    revoke: bool = False
    #: the confirmation repeats it (False: its sentence already says what it does)
    repeat: bool = True

    def placeholder_for(self, words: CredentialWords) -> str:
        return self.placeholder(words) if callable(self.placeholder) else self.placeholder


def text_field(label: str, placeholder: str | Callable[[CredentialWords], str] = "", *,
               revoke: bool = False, shown: Callable[[CredentialWords], bool] = _always) -> Any:
    return field(default="", metadata={"spec": FieldSpec(label, placeholder, revoke=revoke,
                                                         shown=shown)})


def check_field(label: str, shown: Callable[[CredentialWords], bool] = _always, *,
                repeat: bool = True) -> Any:
    return field(default=False, metadata={"spec": FieldSpec(label, kind="check", shown=shown,
                                                            repeat=repeat)})


def _shows_links(words: CredentialWords) -> bool:
    return words.shows_links


@dataclass(frozen=True)
class FormValues:
    """What the form holds, field by field (the names are the services' option names)."""

    created_by: str = text_field("Created by", revoke=True)
    expires: str = text_field("Expires", lambda w: w.expires_default)
    reason: str = text_field("Reason", "why this is issued or revoked (optional)", revoke=True)
    #: not repeated: the confirmation's sentence says what happens to the participants' link
    new_user_token: bool = check_field("New participant link too", _shows_links, repeat=False)
    #: tokens generation: a session's runs (tui/run_fields.py turns the three into a Schedule)
    new_run: bool = check_field("New run (archives the last run)", _shows_links)
    scheduled_date: str = text_field("Start date", "YYYY-MM-DD (the waiting room's countdown)",
                                     shown=_shows_links)
    scheduled_time: str = text_field("Start time", "18:30 or 6:30 PM", shown=_shows_links)
    duration: str = text_field("Duration", "minutes, 1–480", shown=_shows_links)

    @classmethod
    def specs(cls) -> list[tuple[str, FieldSpec]]:
        return [(f.name, f.metadata["spec"]) for f in fields(cls)]

    def with_value(self, name: str, value: str | bool) -> FormValues:
        return replace(self, **{name: value})

    def options(self, words: CredentialWords, *, revoke: bool = False) -> dict[str, Any]:
        """The keyword arguments for the services (text stripped, empty → None)."""
        out: dict[str, Any] = {}
        for name, spec in self.specs():
            if not spec.shown(words) or (revoke and not spec.revoke):
                continue
            value = getattr(self, name)
            out[name] = (value.strip() or None) if isinstance(value, str) else value
        if revoke:
            out["by"] = out.pop("created_by", None)
        return out

    def facts(self, words: CredentialWords, *, revoke: bool = False) -> list[tuple[str, str]]:
        """(label, value) of each field a confirmation repeats: who, until when, why."""
        rows: list[tuple[str, str]] = []
        for name, spec in self.specs():
            if not (spec.shown(words) and spec.repeat) or (revoke and not spec.revoke):
                continue
            value = getattr(self, name)
            if isinstance(value, bool):
                rows.append((spec.label, "yes" if value else "no"))
            else:
                default = spec.placeholder_for(words) if name == "expires" else "—"
                rows.append((spec.label, value.strip() or default))
        return rows


@dataclass(frozen=True)
class FieldError:
    """The service's sentence about what was typed in one field, shown under it."""

    name: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class SessionBox:
    """The session the ID box names, and what is known of it."""

    kind: str = "ks"  # "ks" | "canvas"
    raw: str = ""
    #: its catalogue row, once looked up (None: not yet, or not found)
    row: SessionRow | None = None
    missing: bool = False
    #: the last key typed was refused (letters): the header says why
    refused: bool = False

    @property
    def current_row(self) -> SessionRow | None:
        row = self.row
        return row if row is not None and self.kind == "ks" and str(row.session_id) == self.raw \
            else None


@dataclass(frozen=True)
class Note:
    """A placeholder or a progress line in a panel (muted)."""

    text: str


@dataclass(frozen=True)
class Failed:
    """What could not be done, and what to do (in the form's words)."""

    title: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Refused:
    """A refusal the screen made at once, from what it knows (nothing was asked)."""

    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Planned:
    plan: Plan


@dataclass(frozen=True)
class Written:
    """An issue or a rotation went through (``result``), or a revoke (``revoked``)."""

    result: Issued | None = None
    revoked: RevokeResult | None = None


Outcome = Note | Failed | Refused | Planned | Written
START_NOTE = Note("Validate (Ctrl+L) to see the checks for this session.")


@dataclass(frozen=True)
class Verified:
    result: VerifyResult


@dataclass(frozen=True)
class Changed:
    """The credential of the last result changed since: it must be verified again."""

    canvas_session_id: int


VerifyView = Note | Failed | Verified | Changed
NO_VERIFY = Note("")
