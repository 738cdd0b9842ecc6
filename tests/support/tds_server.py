"""A tiny SQL Server stand-in on loopback that speaks just enough TDS (MS-TDS) for the real
Microsoft driver to fail the way a real server makes it fail, without a server:

- ``tls``: answers PRELOGIN with ENCRYPT_ON and does the TLS handshake (TLS records inside TDS
  PRELOGIN packets, MS-TDS 3.2.5.2) with a self-signed certificate, as a default SQL Server
  install does: ODBC Driver 18's default ``Encrypt=yes`` must refuse it;
- ``error``: answers PRELOGIN with ENCRYPT_NOT_SUP (the client asked ``Encrypt=no``), reads the
  LOGIN7 packet and answers it with the given ERROR tokens (e.g. 18456, or 4060 then 18456) and
  a DONE with DONE_ERROR, as SQL Server does for a refused login.

It never logs anyone in. Each connection is served on its own thread; ``close`` ends them all.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

PRELOGIN, LOGIN7, REPLY, ATTENTION, TRANSACTION_MANAGER = 0x12, 0x10, 0x04, 0x06, 0x0E
ENCRYPT_ON, ENCRYPT_NOT_SUP = 0x01, 0x02
SERVER_NAME = "HOSTPROV-TDS"


@dataclass(frozen=True)
class TdsError:
    number: int
    message: str
    state: int = 1
    severity: int = 14


LOGIN_FAILED = TdsError(18456, "Login failed for user 'sa'.")
DENIED = (TdsError(229, "The SELECT permission was denied on the object 'Sessions', database "
                       "'KSESSIONS_DEV', schema 'canvas'."),)
NO_DATABASE = (TdsError(4060, 'Cannot open database "KSESSIONS_DEV" requested by the login. '
                              "The login failed.", severity=11), LOGIN_FAILED)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for CN=localhost (files in ``folder``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "tds-cert.pem", folder / "tds-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _packet(kind: int, payload: bytes) -> bytes:
    return struct.pack(">BBHHBB", kind, 0x01, 8 + len(payload), 0, 1, 0) + payload


def _read_packet(conn: socket.socket) -> tuple[int, bytes] | None:
    head = _read_exactly(conn, 8)
    if head is None:
        return None
    kind, _status, length = struct.unpack(">BBH", head[:4])
    body = _read_exactly(conn, length - 8)
    return None if body is None else (kind, body)


def _read_message(conn: socket.socket) -> tuple[int, bytes] | None:
    """One TDS message: its packets up to the one with the EOM status bit."""
    parts: list[bytes] = []
    while True:
        head = _read_exactly(conn, 8)
        if head is None:
            return None
        kind, status, length = struct.unpack(">BBH", head[:4])
        body = _read_exactly(conn, length - 8)
        if body is None:
            return None
        parts.append(body)
        if status & 0x01:
            return kind, b"".join(parts)


def _read_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def prelogin_reply(encryption: int) -> bytes:
    """VERSION 16.0.1000, ENCRYPTION, INSTOPT, THREADID (empty), MARS off."""
    options = [(0x00, struct.pack(">BBHH", 16, 0, 1000, 0)), (0x01, bytes([encryption])),
               (0x02, b"\x00"), (0x03, b""), (0x04, b"\x00")]
    offset = 5 * len(options) + 1
    head, data = b"", b""
    for token, value in options:
        head += struct.pack(">BHH", token, offset + len(data), len(value))
        data += value
    return head + b"\xff" + data


def _b_varchar(text: str) -> bytes:
    return bytes([len(text)]) + text.encode("utf-16-le")


def login_ack() -> bytes:
    """ENVCHANGE (database, packet size), LOGINACK for TDS 7.4 (MS-TDS 2.2.7.14), DONE."""
    def env(kind: int, new: str, old: str) -> bytes:
        body = bytes([kind]) + _b_varchar(new) + _b_varchar(old)
        return b"\xe3" + struct.pack("<H", len(body)) + body

    prog = _b_varchar("Microsoft SQL Server")
    ack = bytes([1]) + struct.pack(">I", 0x74000004) + prog + bytes([16, 0, 0x03, 0xE8])
    return (env(1, "KSESSIONS_DEV", "master") + env(4, "4096", "4096")
            + b"\xad" + struct.pack("<H", len(ack)) + ack
            + b"\xfd" + struct.pack("<HHQ", 0x0000, 0, 0))


#: MS-TDS 2.2.6.9 transaction manager request types
TM_REQUESTS = {5: "TM_BEGIN_XACT", 7: "TM_COMMIT_XACT", 8: "TM_ROLLBACK_XACT"}


def transaction_reply(kind: int, rest: bytes) -> bytes:
    """Begin: ENVCHANGE 8 with a transaction descriptor; commit or rollback: ENVCHANGE 9 or 10
    (and a new transaction when the request asks for one, ``fBeginXact``); then DONE."""
    descriptor = b"\x01" * 8

    def env(change: int, new: bytes, old: bytes) -> bytes:
        body = bytes([change, len(new)]) + new + bytes([len(old)]) + old
        return b"\xe3" + struct.pack("<H", len(body)) + body

    out = b""
    if kind == 5:
        out = env(8, descriptor, b"")
    elif kind in (7, 8):
        out = env(9 if kind == 7 else 10, b"", descriptor)
        name_len = rest[0] if rest else 0
        begin = rest[1 + 2 * name_len] if len(rest) > 1 + 2 * name_len else 0
        if begin & 0x01:
            out += env(8, descriptor, b"")
    return out + b"\xfd" + struct.pack("<HHQ", 0, 0, 0)


def error_reply(errors: tuple[TdsError, ...]) -> bytes:
    """ERROR tokens (MS-TDS 2.2.7.10) and a DONE with DONE_ERROR."""
    out = b""
    for err in errors:
        msg, server = err.message.encode("utf-16-le"), SERVER_NAME.encode("utf-16-le")
        body = (struct.pack("<iBB", err.number, err.state, err.severity)
                + struct.pack("<H", len(err.message)) + msg
                + bytes([len(SERVER_NAME)]) + server + b"\x00" + struct.pack("<i", 1))
        out += b"\xaa" + struct.pack("<H", len(body)) + body
    return out + b"\xfd" + struct.pack("<HHQ", 0x0002, 0, 0)


class TdsServer:
    """``mode`` "tls" (self-signed certificate) or "error" (answers the login with ``errors``)."""

    def __init__(self, mode: str, folder: Path,
                 errors: tuple[TdsError, ...] = (LOGIN_FAILED,)) -> None:
        self.mode, self.errors = mode, errors
        self.context: ssl.SSLContext | None = None
        if mode == "tls":
            cert, key = self_signed_certificate(folder)
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(cert, key)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        #: what happened, for the test to assert on: "prelogin", "tls-failed", "login", …
        self.seen: list[str] = []
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, name="tds-server", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(20)
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            first = _read_message(conn)
            if first is None or first[0] != PRELOGIN:
                return
            self.seen.append("prelogin")
            if self.mode == "tls":
                conn.sendall(_packet(REPLY, prelogin_reply(ENCRYPT_ON)))
                self._handshake(conn)
                return
            conn.sendall(_packet(REPLY, prelogin_reply(ENCRYPT_NOT_SUP)))
            login = _read_message(conn)
            if login is None or login[0] != LOGIN7:
                self.seen.append("no-login")
                return
            self.seen.append("login")
            if self.mode == "denied":
                self._deny_every_request(conn)
                return
            conn.sendall(_packet(REPLY, error_reply(self.errors)))
        except OSError:
            return
        finally:
            conn.close()

    def _deny_every_request(self, conn: socket.socket) -> None:
        """Log the client in, then answer each SQL batch or RPC with ``self.errors``."""
        conn.sendall(_packet(REPLY, login_ack()))
        while True:
            request = _read_message(conn)
            if request is None:
                return
            if request[0] == ATTENTION:
                conn.sendall(_packet(REPLY, b"\xfd" + struct.pack("<HHQ", 0x0020, 0, 0)))
                continue
            if request[0] == TRANSACTION_MANAGER:  # the driver's autocommit off: accepted
                headers = struct.unpack("<I", request[1][:4])[0]
                kind = struct.unpack("<H", request[1][headers:headers + 2])[0]
                self.seen.append(TM_REQUESTS.get(kind, f"transaction manager {kind}"))
                conn.sendall(_packet(REPLY, transaction_reply(kind, request[1][headers + 2:])))
                continue
            self.seen.append(f"request {request[0]:#04x}")
            conn.sendall(_packet(REPLY, error_reply(self.errors)))

    def _handshake(self, conn: socket.socket) -> None:
        """TLS inside TDS PRELOGIN packets, until the client gives up on the certificate."""
        assert self.context is not None
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.context.wrap_bio(incoming, outgoing, server_side=True)
        while True:
            packet = _read_packet(conn)
            if packet is None:
                self.seen.append("tls-closed")
                return
            incoming.write(packet[1])
            try:
                tls.do_handshake()
                self.seen.append("tls-done")
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:
                self.seen.append(f"tls-failed: {exc.reason}")
                return
            pending = outgoing.read()
            if pending:
                conn.sendall(_packet(PRELOGIN, pending))

    def close(self) -> None:
        self.sock.close()
        for conn in self._conns:
            conn.close()
