"""The Host GUID hash equals NOOR Canvas's, computed independently with openssl."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from pydantic import SecretStr

from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.hashing import GuidHasher, hash_prefix, weak_secret_reason
from hostprov_tui.services.inputs import Target
from tests.conftest import TEST_SECRET, DemoIds, Env
from tests.support.db_state import host_rows

OPENSSL = shutil.which("openssl")


def openssl_hash(secret: str, message: str) -> str:
    """`printf %s MESSAGE | openssl dgst -sha256 -hmac SECRET -binary | base64`."""
    assert OPENSSL, "openssl is needed to compute the reference vectors"
    digest = subprocess.run(
        [OPENSSL, "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=message.encode("utf-8"), capture_output=True, check=True,
    ).stdout
    assert len(digest) == 32
    return subprocess.run(
        ["base64", "-w0"], input=digest, capture_output=True, check=True
    ).stdout.decode("ascii").strip()


SECRETS = [
    TEST_SECRET,
    "short",
    "with spaces and = signs; and 'quotes'",
    "sécrét-ünïcode-نور-🔑",
    "x" * 200,  # longer than the SHA-256 block: HMAC hashes the key first
]
GUIDS = [
    "00000000-0000-0000-0000-000000000000",
    "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c",
    "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF",
    "{7d444840-9dc0-11d1-b245-5ffdce74fad2}",
]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("guid_text", GUIDS)
def test_hash_matches_openssl(secret: str, guid_text: str) -> None:
    guid = uuid.UUID(guid_text)
    canonical = str(guid)
    assert canonical == canonical.lower() and canonical.count("-") == 4 and len(canonical) == 36
    assert GuidHasher(SecretStr(secret)).hash(guid) == openssl_hash(secret, canonical)


def test_hash_is_of_the_lowercase_hyphenated_text() -> None:
    guid = uuid.UUID("ABCDEF01-2345-6789-ABCD-EF0123456789")
    hasher = GuidHasher(SecretStr("k"))
    assert hasher.hash(guid) == openssl_hash("k", "abcdef01-2345-6789-abcd-ef0123456789")
    assert hasher.hash(guid) != openssl_hash("k", "ABCDEF01-2345-6789-ABCD-EF0123456789")
    assert hasher.hash(guid) != openssl_hash("k", guid.hex)
    assert "k" not in repr(hasher).replace("GuidHasher", "")


def test_stored_hash_is_the_openssl_hash_of_the_issued_guid(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    result = prov.issue(Target(ksessions_id=ids.good))
    assert result.guid == str(uuid.UUID(result.guid))  # lowercase, hyphenated
    expected = openssl_hash(TEST_SECRET, result.guid)
    assert result.hash == expected
    assert [r["HostGuidHash"] for r in host_rows(env.settings())] == [expected]
    assert len(expected) <= 128  # HostGuidHash is nvarchar(128)


def test_weak_secrets_and_prefix() -> None:
    assert weak_secret_reason(None) == "no hash secret is configured"
    assert weak_secret_reason(SecretStr("ChangeMe")) == "the hash secret is a known public value"
    assert "shorter than 32" in str(weak_secret_reason(SecretStr("a" * 31)))
    assert weak_secret_reason(SecretStr("a" * 32)) is None
    assert hash_prefix("abcdefghijkl") == "abcdefgh" and hash_prefix(None) is None
