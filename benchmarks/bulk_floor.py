"""The floor of a bulk issuance: the same rows, HMACs, fsyncs and commits in plain sqlite3.

`hostprov issue --from-file` (guid generation) per chunk of CHUNK_SIZE IDs: reads each
KSESSIONS session (exists, active, transcripts) and its canvas state, inserts a canvas session
and a host session with the HMAC of a new GUID, writes the chunk's GUIDs to the run's file
("pending") and fsyncs it, writes the "pending" audit records and fsyncs them, COMMITs, marks
the file's rows "applied" and fsyncs, writes the outcome records and fsyncs: four fsyncs and a
commit per chunk. This does exactly that work, with nothing around it, on the same SQLite files
(WAL, as hostprov opens them) — what Python + SQLite + the disk alone need.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

CHUNK_SIZE = 200  # hostprov_tui.services.bulk.CHUNK_SIZE


def bulk_floor(canvas_db: Path, ksessions_db: Path, ids: Sequence[int], secret: str,
               scratch: Path) -> float:
    """Seconds to issue for ``ids`` (each a KSESSIONS session with transcripts) the floor way."""
    import hashlib
    import hmac

    key = secret.encode()
    canvas = sqlite3.connect(canvas_db, isolation_level=None)
    canvas.execute("PRAGMA journal_mode=WAL")
    ks = sqlite3.connect(f"file:{ksessions_db}?mode=ro", uri=True)
    scratch.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(scratch / "guids.csv", "a", encoding="utf-8") as out, \
            open(scratch / "audit.jsonl", "a", encoding="utf-8") as audit:
        for first in range(0, len(ids), CHUNK_SIZE):
            chunk = ids[first:first + CHUNK_SIZE]
            now = datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
            canvas.execute("BEGIN IMMEDIATE")
            issued = []
            for sid in chunk:
                ks.execute("SELECT SessionName, IsActive, (SELECT count(*) FROM "
                           "SessionTranscripts t WHERE t.SessionID = s.SessionID) FROM Sessions s "
                           "WHERE SessionID = ?", (sid,)).fetchone()
                canvas.execute('SELECT s."SessionId", h."HostSessionId" FROM "Sessions" s LEFT '
                               'JOIN "HostSessions" h ON h."SessionId" = s."SessionId" AND '
                               'h."IsActive" = 1 WHERE s."KSessionsId" = ?', (sid,)).fetchall()
                canvas_id = canvas.execute(
                    'INSERT INTO "Sessions" (KSessionsId, GroupId, Title, CreatedAt, ModifiedAt) '
                    "VALUES (?, ?, ?, ?, ?) RETURNING SessionId",
                    (sid, uuid.uuid4().hex, "t", now, now)).fetchone()[0]
                guid = uuid.uuid4()
                digest = hmac.new(key, str(guid).encode(), hashlib.sha256).hexdigest()
                host_id = canvas.execute(
                    'INSERT INTO "HostSessions" (SessionId, HostGuidHash, CreatedAt, CreatedBy, '
                    "IsActive) VALUES (?, ?, ?, ?, 1) RETURNING HostSessionId",
                    (canvas_id, digest, now, "benchmark")).fetchone()[0]
                issued.append((sid, canvas_id, host_id, guid, digest))
            for row in issued:
                out.write(f"{row[0]},{row[1]},{row[3]},pending\n")
            _sync(out)
            for row in issued:
                audit.write(json.dumps({"action": "issue", "outcome": "pending",
                                        "ksessions": row[0], "canvas": row[1], "host": row[2],
                                        "hash": row[4][:8], "at": now}) + "\n")
            _sync(audit)
            canvas.execute("COMMIT")
            for row in issued:
                out.write(f"{row[0]},{row[1]},applied\n")
            _sync(out)
            for row in issued:
                audit.write(json.dumps({"action": "issue", "outcome": "ok", "ksessions": row[0],
                                        "at": now}) + "\n")
            _sync(audit)
    seconds = time.perf_counter() - started
    canvas.close()
    ks.close()
    return seconds


def _sync(handle: object) -> None:
    handle.flush()  # type: ignore[attr-defined]
    os.fsync(handle.fileno())  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    """``python bulk_floor.py CANVAS_DB KSESSIONS_DB IDS_JSON SCRATCH``: the floor as a whole
    process (as hostprov is measured), the secret from HOSTPROV_SECURITY__HASH_SECRET."""
    canvas_db, ksessions_db, ids_json, scratch = (Path(a) for a in argv)
    ids = json.loads(ids_json.read_text(encoding="utf-8"))
    bulk_floor(canvas_db, ksessions_db, ids, os.environ["HOSTPROV_SECURITY__HASH_SECRET"],
               scratch)
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
