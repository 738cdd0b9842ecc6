"""The Server value of an ADO.NET connection string, and the error every part of the parser raises.

``[protocol:]host[\\instance][,port]`` or a named pipe ``[np:]\\\\host\\pipe\\...``.
"""

from __future__ import annotations

_PROTOCOLS = frozenset({"tcp", "np", "lpc", "admin"})
_PIPE_INSTANCE_PREFIX = "MSSQL$"
_LOCALDB = "(localdb)"
_CLIP_AT = 40


class ConnectionStringError(ValueError):
    """A connection string that cannot be used; the message is one sentence, never a password."""


def clip(text: str) -> str:
    """``text`` shortened for a message."""
    return text if len(text) <= _CLIP_AT else text[: _CLIP_AT - 3] + "..."


def is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


# ---------------------------------------------------------------------------------------------
# The Server value: [protocol:]host[\instance][,port]  or  [np:]\\host\pipe\...
# ---------------------------------------------------------------------------------------------


def parse_server(key: str, original: str) -> tuple[str, int | None, str | None]:
    """Split the value of ``key`` (Server, Data Source, …) into host, port and instance."""
    address = _strip_protocol(key, original)
    if address.startswith("\\\\"):
        return _parse_pipe(key, original, address)
    host_part, comma, port_text = address.partition(",")
    port = _parse_port(key, original, port_text.strip()) if comma else None
    host, instance = _split_instance(key, original, host_part.strip())
    return host, port, instance


def _strip_protocol(key: str, original: str) -> str:
    head, colon, tail = original.partition(":")
    address = tail.strip() if colon and head.strip().lower() in _PROTOCOLS else original
    if address.count(":") != 1:  # none, or an IPv6 address
        return address
    before, _, after = address.partition(":")
    if is_digits(after.split(",")[0].strip()):
        raise ConnectionStringError(
            f'{key} "{clip(original)}" gives the port after ":", '
            'but SQL Server expects "host,port"'
        )
    raise ConnectionStringError(
        f'unknown protocol "{clip(before.strip())}:" in {key} (expected tcp:, np:, lpc: or admin:)'
    )


def _parse_port(key: str, original: str, text: str) -> int:
    if not text:
        raise ConnectionStringError(f'{key} "{clip(original)}" has a "," but no port after it')
    if not is_digits(text):
        raise ConnectionStringError(f'port "{clip(text)}" in {key} is not a number')
    port = int(text)
    if not 1 <= port <= 65535:
        raise ConnectionStringError(f"port {port} in {key} is out of range (1-65535)")
    return port


def _split_instance(key: str, original: str, host_part: str) -> tuple[str, str | None]:
    host, backslash, instance = (part.strip() for part in host_part.partition("\\"))
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1].strip()
    if not host:
        raise ConnectionStringError(f'no host name in {key} "{clip(original)}"')
    if any(char.isspace() for char in host):
        raise ConnectionStringError(f'host name "{clip(host)}" in {key} contains a space')
    if not backslash:
        return host, None
    if not instance:
        raise ConnectionStringError(
            f'the instance name after "\\" in {key} "{clip(original)}" is empty'
        )
    if "\\" in instance and host.lower() != _LOCALDB:  # (localdb)\.\Shared is legal
        raise ConnectionStringError(f'{key} "{clip(original)}" has more than one "\\"')
    return host, instance


def _parse_pipe(key: str, original: str, address: str) -> tuple[str, None, str | None]:
    r"""``\\host\pipe\sql\query`` or ``\\host\pipe\MSSQL$INSTANCE\sql\query``."""
    parts = address[2:].split("\\")
    host = parts[0].strip()
    if not host:
        raise ConnectionStringError(f'no host name in the named pipe {key} "{clip(original)}"')
    instance = None
    if len(parts) > 2 and parts[1].lower() == "pipe":
        pipe = parts[2]
        if pipe.upper().startswith(_PIPE_INSTANCE_PREFIX):
            instance = pipe[len(_PIPE_INSTANCE_PREFIX) :] or None
    return host, None, instance
