"""The environment guard: development touches only embedded or *_DEV databases."""

from __future__ import annotations

from dataclasses import dataclass

from hostprov_tui.config.database_name import judge_url
from hostprov_tui.db.urls import TargetUrl

DEV_SUFFIX = "_DEV"


@dataclass(frozen=True)
class GuardVerdict:
    allowed: bool
    needs_confirmation: bool
    sentence: str


def is_dev_database(name: str | None) -> bool:
    """A database name the development environment accepts: it ends in _DEV."""
    return (name or "").upper().endswith(DEV_SUFFIX)


def is_dev_target(target: TargetUrl) -> bool:
    judged = judge_url(target.url)
    return judged.certain and (target.is_embedded or is_dev_database(judged.name))


def doubt_verdict(target: TargetUrl) -> GuardVerdict | None:
    """A refusal when which database ``target`` opens cannot be said for certain."""
    judged = judge_url(target.url)
    if judged.certain:
        return None
    return GuardVerdict(
        False,
        False,
        f"The environment guard cannot tell for certain which {target.name} database the "
        f"driver would open: {judged.doubt}; name it once, in the URL's path (or one "
        "Database=).",
    )


def database_verdict(environment: str, target: TargetUrl) -> GuardVerdict:
    """The verdict for one database, for the dashboard card."""
    doubt = doubt_verdict(target)
    if doubt is not None:
        return doubt
    name = target.database_name or "(no database name)"
    if environment == "development":
        if target.is_embedded:
            return GuardVerdict(True, False, "Embedded database: fine for development.")
        if is_dev_target(target):
            return GuardVerdict(True, False, f"{name} ends in {DEV_SUFFIX}: a development target.")
        return GuardVerdict(
            False,
            False,
            f"{name} does not end in {DEV_SUFFIX}, so the development environment refuses it.",
        )
    return GuardVerdict(
        True, True, f"Production target {name}: every write needs an explicit confirmation."
    )


def evaluate_guard(
    environment: str, targets: tuple[TargetUrl, ...], allow_production: bool
) -> GuardVerdict:
    """Combined verdict for an operation that writes."""
    doubts = [v for v in map(doubt_verdict, targets) if v is not None]
    if doubts:
        return doubts[0]
    verdicts = [database_verdict(environment, t) for t in targets]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return GuardVerdict(
            False,
            False,
            refused[0].sentence
            + " Use HOSTPROV_ENVIRONMENT=production with --allow-production for a real target.",
        )
    if environment == "production":
        names = ", ".join(sorted({t.database_name for t in targets}))
        if not allow_production:
            return GuardVerdict(
                False,
                True,
                f"Production environment ({names}): refused without explicit confirmation "
                "(--allow-production, or type the session ID in the TUI).",
            )
        return GuardVerdict(True, True, f"Production environment ({names}), confirmed.")
    return GuardVerdict(True, False, "Development environment, development databases.")
