"""The hash secret's line of the checklist (guid generation): loaded, missing, or too weak."""

from __future__ import annotations

from hostprov_tui.config.secrets import hash_secret, missing_secret_sentence
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.hashing import GuidHasher, weak_secret_reason
from hostprov_tui.services.results import CheckLine, CheckStatus


def secret_line(ctx: ServiceContext, lines: list[CheckLine]) -> GuidHasher | None:
    """Append the secret's line; the hasher, or None when no Host GUID may be hashed."""
    secret = hash_secret(ctx.settings)
    if ctx.settings.environment == "production":
        weak = weak_secret_reason(secret)
        if weak:
            lines.append(CheckLine(
                "secret", CheckStatus.FAIL, f"Production refuses to issue: {weak}.",
                "Set HOSTPROV_SECURITY__HASH_SECRET (or a hash_secret_file) to the NOOR "
                "Canvas secret.",
            ))
            return None
    elif secret is None:
        lines.append(CheckLine(
            "config", CheckStatus.FAIL,
            missing_secret_sentence(ctx.settings),
            "Set HOSTPROV_SECURITY__HASH_SECRET or [security] hash_secret_file.",
        ))
        return None
    assert secret is not None
    source = "environment" if ctx.settings.security.hash_secret else "secret file"
    lines.append(CheckLine(
        "secret", CheckStatus.PASS, f"The hash secret is loaded from the {source}."
    ))
    return GuidHasher(secret)
