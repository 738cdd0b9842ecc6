"""The search index of the EMBEDDED demo catalogue (SQLite only): narrow text + FTS5 trigram.

hostprov never alters a database it did not build. The demo catalogue is built by hostprov, so
``fill_demo`` adds this index to the SQLite file it fills; nothing else creates it. The catalogue
search uses it when it is there (``has_search_index``) and falls back to plain LIKE otherwise
(PostgreSQL, SQL Server, SQLite files made elsewhere). Triggers keep it in step with the
catalogue if someone edits the demo tables by hand.

- ``hostprov_search``: one row per session: SessionID and one line of searchable text (session
  name, album, category, speaker, separated by newlines).
- ``hostprov_search_fts``: FTS5 trigram index over that text (external content): any substring
  of 3 characters or more is found without a scan, in SessionID order.
- ``hostprov_search_terms``: the distinct trigrams of the index (about a thousand). A 1- or
  2-character query is a substring of some of them, so it becomes an OR of those trigrams in the
  index. A new text row may bring new trigrams, so inserting one empties this table; 1- and
  2-character queries then scan ``hostprov_search`` instead, until the demo is built again.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

TEXT_TABLE = "hostprov_search"
FTS_TABLE = "hostprov_search_fts"
TERMS_TABLE = "hostprov_search_terms"
#: The trigram index finds substrings of at least this many characters.
MIN_FTS_CHARS = 3

_TEXT_OF = (
    "SELECT s.SessionID, s.SessionName || char(10) || coalesce(g.GroupName, '') || char(10) || "
    "coalesce(c.CategoryName, '') || char(10) || coalesce(p.SpeakerName, '') "
    "FROM Sessions AS s LEFT JOIN Groups AS g ON g.GroupID = s.GroupID "
    "LEFT JOIN Categories AS c ON c.CategoryID = s.CategoryID "
    "LEFT JOIN Speakers AS p ON p.SpeakerID = s.SpeakerID"
)

_TRIGGERS = {
    # the FTS index follows the text table
    "hostprov_search_ai": f"AFTER INSERT ON {TEXT_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, Text) VALUES (new.SessionID, new.Text); "
    f"DELETE FROM {TERMS_TABLE}; END",
    "hostprov_search_ad": f"AFTER DELETE ON {TEXT_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, Text) VALUES ('delete', old.SessionID, "
    "old.Text); END",
    # the text table follows the catalogue
    "hostprov_sessions_ai": f"AFTER INSERT ON Sessions BEGIN INSERT INTO {TEXT_TABLE} "
    f"{_TEXT_OF} WHERE s.SessionID = new.SessionID; END",
    "hostprov_sessions_ad": "AFTER DELETE ON Sessions BEGIN "
    f"DELETE FROM {TEXT_TABLE} WHERE SessionID = old.SessionID; END",
    "hostprov_sessions_au": "AFTER UPDATE ON Sessions BEGIN "
    f"DELETE FROM {TEXT_TABLE} WHERE SessionID = old.SessionID; "
    f"INSERT INTO {TEXT_TABLE} {_TEXT_OF} WHERE s.SessionID = new.SessionID; END",
    "hostprov_groups_au": "AFTER UPDATE OF GroupName ON Groups BEGIN "
    f"DELETE FROM {TEXT_TABLE} WHERE SessionID IN "
    "(SELECT SessionID FROM Sessions WHERE GroupID = new.GroupID); "
    f"INSERT INTO {TEXT_TABLE} {_TEXT_OF} WHERE s.GroupID = new.GroupID; END",
    "hostprov_categories_au": "AFTER UPDATE OF CategoryName ON Categories BEGIN "
    f"DELETE FROM {TEXT_TABLE} WHERE SessionID IN "
    "(SELECT SessionID FROM Sessions WHERE CategoryID = new.CategoryID); "
    f"INSERT INTO {TEXT_TABLE} {_TEXT_OF} WHERE s.CategoryID = new.CategoryID; END",
    "hostprov_speakers_au": "AFTER UPDATE OF SpeakerName ON Speakers BEGIN "
    f"DELETE FROM {TEXT_TABLE} WHERE SessionID IN "
    "(SELECT SessionID FROM Sessions WHERE SpeakerID = new.SpeakerID); "
    f"INSERT INTO {TEXT_TABLE} {_TEXT_OF} WHERE s.SpeakerID = new.SpeakerID; END",
}

_known: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def drop_search_index(conn: Connection) -> None:
    """Remove the index and its triggers (before the demo tables are emptied or refilled)."""
    for name in _TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    for table in (TERMS_TABLE, FTS_TABLE, TEXT_TABLE):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


def build_search_index(conn: Connection) -> bool:
    """Build the index from the filled catalogue, inside the caller's transaction.

    Returns False (and builds nothing) when this SQLite has no FTS5 trigram tokenizer; the
    search then uses plain LIKE.
    """
    if conn.dialect.name != "sqlite":
        return False
    drop_search_index(conn)
    try:
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(Text, content='{TEXT_TABLE}', "
            "content_rowid='SessionID', tokenize='trigram')"
        )
    except DBAPIError:
        return False  # no FTS5 or no trigram tokenizer (SQLite < 3.34)
    conn.exec_driver_sql(
        f"CREATE TABLE {TEXT_TABLE} (SessionID INTEGER PRIMARY KEY, Text TEXT NOT NULL)"
    )
    conn.exec_driver_sql(f"INSERT INTO {TEXT_TABLE} {_TEXT_OF}")
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    conn.exec_driver_sql(f"CREATE TABLE {TERMS_TABLE} (term TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE temp.hostprov_vocab USING fts5vocab(main, {FTS_TABLE}, row)"
    )
    conn.exec_driver_sql(f"INSERT INTO {TERMS_TABLE} SELECT term FROM temp.hostprov_vocab")
    conn.exec_driver_sql("DROP TABLE temp.hostprov_vocab")
    for name, body in _TRIGGERS.items():
        conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    return True


def has_search_index(conn: Connection, engine: Engine) -> bool:
    """Whether this KSESSIONS database carries the index (asked once per engine)."""
    if conn.dialect.name != "sqlite":
        return False
    known = _known.get(engine)
    if known is None:
        found = conn.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name IN (:a, :b, :c)"),
            {"a": TEXT_TABLE, "b": FTS_TABLE, "c": TERMS_TABLE},
        ).scalar_one()
        known = _known[engine] = found == 3
    return known


def forget(engine: Engine) -> None:
    """Ask again next time (after the index was built or dropped in this process)."""
    _known.pop(engine, None)
