"""Make the database itself refuse a COMMIT (not a statement): a deferred constraint.

SQLite: a deferred foreign key that a trigger violates; PostgreSQL: a deferred constraint
trigger that raises. Either way every statement succeeds and the COMMIT is refused, so the code
between "written" and "committed" meets a real refusal from a real database.
"""

from __future__ import annotations

from sqlalchemy import text

from hostprov_tui.services.api import Provisioner
from tests.conftest import Env


def refuse_commits_of(env: Env, prov: Provisioner, ksessions_id: int) -> None:
    """The database refuses, AT COMMIT, any transaction that writes this session's host row."""
    engine = prov.ctx.databases().canvas.base_engine
    with engine.begin() as conn:
        if env.backend == "sqlite":
            conn.exec_driver_sql("CREATE TABLE boom_parent (id INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("CREATE TABLE boom_child (pid INTEGER REFERENCES "
                                 "boom_parent(id) DEFERRABLE INITIALLY DEFERRED)")
            for event in ("INSERT", "UPDATE"):
                conn.exec_driver_sql(
                    f'CREATE TRIGGER boom_{event} AFTER {event} ON "HostSessions" WHEN '
                    'NEW."SessionId" IN (SELECT "SessionId" FROM "Sessions" WHERE '
                    f'"KSessionsId" = {ksessions_id}) BEGIN INSERT INTO boom_child VALUES (1); '
                    "END")
        else:
            conn.execute(text(
                "CREATE FUNCTION canvas.boom() RETURNS trigger AS $$ BEGIN IF EXISTS (SELECT 1 "
                'FROM canvas."Sessions" s WHERE s."SessionId" = NEW."SessionId" AND '
                f's."KSessionsId" = {ksessions_id}) THEN RAISE EXCEPTION '
                "'refused at commit by a test trigger'; END IF; RETURN NULL; END $$ "
                "LANGUAGE plpgsql"))
            conn.execute(text(
                'CREATE CONSTRAINT TRIGGER boom AFTER INSERT OR UPDATE ON canvas."HostSessions" '
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION canvas.boom()"))
