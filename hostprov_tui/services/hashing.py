"""Host GUID hashing, compatible with NOOR Canvas: base64(HMAC-SHA256(secret, str(guid)))."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from pydantic import SecretStr

#: Secrets that are public (samples, defaults, docs): production refuses them.
KNOWN_PUBLIC_SECRETS = frozenset({
    "", "secret", "changeme", "change-me", "password", "default", "test", "development",
    "noor-canvas", "noorcanvas", "noor-canvas-secret", "noorcanvas-secret", "host-secret",
    "your-secret-here", "replace-me", "hostprov",
})
MIN_PRODUCTION_SECRET_LENGTH = 32


class GuidHasher:
    """Hashes GUIDs with the configured secret; the secret never leaves this object."""

    def __init__(self, secret: SecretStr) -> None:
        self._key = secret.get_secret_value().encode("utf-8")

    def hash(self, guid: uuid.UUID) -> str:
        digest = hmac.new(self._key, str(guid).encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    def __repr__(self) -> str:
        return "GuidHasher(secret=***)"


def weak_secret_reason(secret: SecretStr | None) -> str | None:
    """Why ``secret`` is unfit for production, or None when it is fine."""
    if secret is None:
        return "no hash secret is configured"
    value = secret.get_secret_value()
    if value.strip().lower() in KNOWN_PUBLIC_SECRETS:
        return "the hash secret is a known public value"
    if len(value) < MIN_PRODUCTION_SECRET_LENGTH:
        return f"the hash secret is shorter than {MIN_PRODUCTION_SECRET_LENGTH} characters"
    return None


def hash_prefix(value: str | None) -> str | None:
    """The first 8 characters of a stored hash: enough to correlate, useless to attack."""
    return value[:8] if value else None
