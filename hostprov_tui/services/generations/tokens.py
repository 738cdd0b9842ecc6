"""The tokens generation: an 8-character host token and participant token on ``canvas.Sessions``,
whose SessionId is the KSESSIONS SessionID (the NOOR Canvas app as it runs today)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from hostprov_tui.db.tokens_models import STATUS_EXPIRED, TokenSession
from hostprov_tui.errors import ConcurrentChange, PermissionRefused, ValidationRefused
from hostprov_tui.services import checks, lookups, run_archive
from hostprov_tui.services.checks import CheckLine, stamp
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.generations import tokens_checks, tokens_runs
from hostprov_tui.services.generations.base import Decision, Generation, checked_and_locked
from hostprov_tui.services.generations.guid import no_canvas
from hostprov_tui.services.generations.token_rows import (
    TokenRow,
    fresh_tokens,
    row_by_token,
    rows_by_id,
    run_counts,
)
from hostprov_tui.services.inputs import INT_MAX, Target
from hostprov_tui.services.issuance_options import IssueOptions
from hostprov_tui.services.locking import lock_ksessions_ids
from hostprov_tui.services.results import (
    TOKENS_CSV_COLUMNS,
    GuidStatus,
    RevokeResult,
    SessionLinks,
    TokenIssueResult,
    VerifyResult,
)

#: What the app's own expiry does: one minute in the past.
REVOKE_BACKDATE = timedelta(minutes=1)
IDENTITY_INSERT = "SET IDENTITY_INSERT [canvas].[Sessions] {}"


class TokensGeneration(Generation):
    name = "tokens"
    credential = "host token"
    credential_kind = "token"
    csv_columns = TOKENS_CSV_COLUMNS

    def __init__(self, run_tables: bool = True) -> None:
        #: canvas.Participants and canvas.SessionData exist (the app's run data)
        self.run_tables = run_tables

    def credential_line(self, ctx: ServiceContext, lines: list[CheckLine]) -> bool:
        return True  # tokens are stored as the app reads them: no secret is involved

    def evaluate(
        self, ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, target: Target,
        opts: IssueOptions, now: datetime, lines: list[CheckLine],
    ) -> Decision | None:
        ksessions_id = target.ksessions_id
        if ksessions_id is None:  # a canvas session ID is the KSESSIONS ID in this generation
            assert target.canvas_session_id is not None
            ksessions_id = target.canvas_session_id
            if not rows_by_id(canvas_conn, [ksessions_id], lock=False):
                lines.append(CheckLine(
                    "canvas_session", checks.FAIL,
                    f"Canvas session {ksessions_id} does not exist.",
                    "Issue by KSESSIONS ID instead (--ksessions-id): it creates the canvas "
                    "session. " + checks.FIND_HINT,
                ))
                return None
        (decision,) = self.decide(ctx, canvas_conn, ks_conn, [ksessions_id], [], opts, now)
        lines.extend(decision.lines)
        decision.lines = lines
        return decision if decision.ks is not None else None

    def decide(
        self, ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, ids: list[int],
        preamble: list[CheckLine], opts: IssueOptions, now: datetime,
    ) -> list[Decision]:
        decisions, found = checked_and_locked(ctx, canvas_conn, ks_conn, ids, preamble)
        rows = rows_by_id(canvas_conn, found, lock=True)  # type: ignore[arg-type]
        counts = run_counts(canvas_conn, list(rows)) if self.run_tables else {}
        folder = run_archive.archive_folder(ctx.settings.audit.path)
        if self.run_tables:  # under the locks: what a kill left pending is settled now
            run_archive.settle(canvas_conn, folder, list(rows))
        expires = self.expiry(ctx, opts, now)
        expiry = tokens_checks.expiry_line(opts.expires, expires, now,
                                           ctx.settings.tokens.valid_hours)
        archive = run_archive.pattern(folder)
        for d in decisions:
            if d.ks is None:
                continue
            if not d.ks.is_active:  # the opener lists active sessions only
                d.lines = [tokens_runs.inactive_line(d.ks) if li.code == "inactive" else li
                           for li in d.lines]
            row = rows.get(d.ksessions_id)  # type: ignore[arg-type]
            state = tokens_runs.run_state(row, counts.get(d.ksessions_id),  # type: ignore[arg-type]
                                          now, opts.new_run, archive,
                                          schedule_given=opts.schedule is not None)
            d.lines.append(tokens_checks.canvas_line(d.ksessions_id, row))  # type: ignore[arg-type]
            d.lines.append(tokens_checks.host_line(row, now, opts.new_user_token or
                                                   state.new_run))
            d.lines.append(tokens_runs.run_line(state))
            schedule = tokens_runs.schedule_line(opts.schedule, state)
            if schedule is not None:
                d.lines.append(schedule)
            d.lines.append(expiry)
            d.current, d.creates_canvas, d.run_state = row, row is None, state
            d.replaces_working = row is not None and row.has_tokens and row.signs_in(now)
            d.new_participant_link = state.new_run or _renews_user_token(row, opts, now)
            if row is not None:
                d.canvas = lookups.CanvasInfo(row.session_id, row.session_id, None)
        return decisions

    def expiry(self, ctx: ServiceContext, opts: IssueOptions, now: datetime) -> datetime:
        """When issued tokens stop working: as given, else now + [tokens] valid_hours."""
        return opts.expires or now + timedelta(hours=ctx.settings.tokens.valid_hours)

    def write(
        self, ctx: ServiceContext, conn: Connection, decisions: list[Decision],
        opts: IssueOptions, now: datetime,
    ) -> list[TokenIssueResult]:  # type: ignore[override]
        """≤ 2 statements per draw of tokens plus one insert and one update, whatever the
        number of decisions (plus IDENTITY_INSERT ON/OFF around the insert on SQL Server)."""
        approved = [d for d in decisions if d.ok and d.ks is not None]
        if not approved:
            return []
        expires = self.expiry(ctx, opts, now)
        renew_user = {d.ksessions_id: d.run_state.new_run or _renews_user_token(d.current, opts,
                                                                                now)
                      for d in approved}
        tokens = iter(fresh_tokens(conn, len(approved) + sum(renew_user.values())))
        pairs: dict[int, tuple[str, str]] = {}
        for d in approved:
            row: TokenRow | None = d.current
            host = next(tokens)
            user = next(tokens) if renew_user[d.ksessions_id] else row.user_token  # type: ignore[union-attr]
            pairs[d.ksessions_id] = (host, user)  # type: ignore[index]
        creating = [d for d in approved if d.current is None]
        renewing = [d.ksessions_id for d in approved
                    if d.current is not None and d.run_state.new_run]
        rotating = [d for d in approved if d.current is not None and not d.run_state.new_run]
        archive = tokens_runs.archive_new_runs(conn, ctx.settings.audit.path, renewing,  # type: ignore[arg-type]
                                               now, self.run_tables)
        try:
            if creating:
                self._insert(conn, [tokens_runs.new_row(d.ksessions_id, pairs[d.ksessions_id], now,  # type: ignore[arg-type,index]
                                             expires, opts) for d in creating])
            if rotating:
                conn.execute(
                    update(TokenSession)
                    .where(TokenSession.SessionId == bindparam("b_id"))
                    .values(HostToken=bindparam("b_host"), UserToken=bindparam("b_user"),
                            ExpiresAt=expires, ModifiedAt=now,
                            **tokens_runs.schedule_values(opts.schedule)),
                    [{"b_id": d.ksessions_id, "b_host": pairs[d.ksessions_id][0],  # type: ignore[index]
                      "b_user": pairs[d.ksessions_id][1]} for d in rotating],  # type: ignore[index]
                )
            tokens_runs.reset_rows(conn, pairs, renewing, expires, now, opts.schedule)
        except BaseException as exc:
            run_archive.finish([archive], committed=False)
            if not isinstance(exc, IntegrityError):
                raise
            raise ConcurrentChange(
                "Another writer took the same token, or created the same canvas session, at "
                "the same moment; nothing was saved.",
                hint="Try again: fresh tokens are drawn each time.",
            ) from None
        base = ctx.settings.app.base_url
        return [
            TokenIssueResult(
                host_token=pairs[d.ksessions_id][0], user_token=pairs[d.ksessions_id][1],  # type: ignore[index]
                host_url=tokens_runs.host_url(base, pairs[d.ksessions_id][0]),  # type: ignore[index]
                participant_url=tokens_runs.participant_url(base, pairs[d.ksessions_id][1]),  # type: ignore[index]
                canvas_session_id=d.ksessions_id, ksessions_id=d.ksessions_id,  # type: ignore[arg-type]
                action="rotated" if d.current is not None else "created", expires_at=expires,
                created_by=opts.created_by, new_user_token=renew_user[d.ksessions_id],
                run_state=d.run_state,
                archive_path=archive if d.ksessions_id in renewing else None,
            )
            for d in approved
        ]

    def _insert(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert with explicit SessionIds: between IDENTITY_INSERT ON and OFF on SQL Server
        (same connection, inside the transaction), a plain explicit value elsewhere."""
        mssql = conn.dialect.name == "mssql"
        if mssql:
            try:
                conn.execute(text(IDENTITY_INSERT.format("ON")))
            except DBAPIError as exc:
                raise PermissionRefused(
                    "SQL Server refused SET IDENTITY_INSERT canvas.Sessions ON: the login needs "
                    "ALTER permission on canvas.Sessions to create a session with its KSESSIONS "
                    "SessionID; nothing was saved.",
                    hint="GRANT ALTER ON canvas.Sessions TO <the login>, or let the NOOR Canvas "
                    f"app create the session first. ({str(exc.orig).splitlines()[0][:160]})",
                ) from None
        conn.execute(insert(TokenSession), rows)
        if mssql:
            conn.execute(text(IDENTITY_INSERT.format("OFF")))

    def revoke(
        self, ctx: ServiceContext, conn: Connection, target: Target, by: str, now: datetime
    ) -> RevokeResult:
        session_id = target.ksessions_id if target.ksessions_id is not None \
            else target.canvas_session_id
        assert session_id is not None
        if session_id > INT_MAX:  # SessionId is an int here: no such session, on any backend
            raise no_canvas(ctx, target, "host token")
        lock_ksessions_ids(conn, [session_id], ctx.settings.database.statement_timeout_s)
        row = rows_by_id(conn, [session_id], lock=True).get(session_id)
        if row is None:
            raise no_canvas(ctx, target, "host token")
        if row.status == STATUS_EXPIRED:
            raise ValidationRefused(
                f"Canvas session {row.session_id} is already revoked (Status 'Expired'): no "
                "token of it opens the app; there is nothing to revoke.",
                hint="Issue again to start a new run.",
            )
        counts = run_counts(conn, [row.session_id]).get(row.session_id) \
            if self.run_tables else None
        state = tokens_runs.run_state(row, counts, now, False, "")
        host, user = fresh_tokens(conn, 2)  # never shown, never logged: nobody holds them
        conn.execute(
            update(TokenSession).where(TokenSession.SessionId == row.session_id)
            .values(HostToken=host, UserToken=user, Status=STATUS_EXPIRED,
                    ExpiresAt=now - REVOKE_BACKDATE, ModifiedAt=now)
        )
        return RevokeResult(
            host_session_id=None, canvas_session_id=row.session_id, ksessions_id=row.session_id,
            revoked_at=now, revoked_by=by, generation=self.name,
            message=f"Revoked canvas session {row.session_id}: its host and participant tokens "
            "were replaced by values nobody was shown and its Status is 'Expired', so no page "
            f"of the app finds it by an old token; nothing is deleted (it was {state.state}: "
            f"its {state.counts()} stay). Issuing again starts a new run.",
        )

    def verify(self, ctx: ServiceContext, conn: Connection, credential: str) -> VerifyResult:
        found = row_by_token(conn, credential)
        if found is None:
            return VerifyResult(
                GuidStatus.UNKNOWN,
                "This token opens no session: it was never issued, or it has been rotated "
                "since.",
            )
        row, role = found
        now = utcnow()
        where = f"KSESSIONS session {row.session_id}"
        page = "as host" if role == "host" else "as a participant (it is a participant token)"
        if row.signs_in(now):
            status = GuidStatus.ACTIVE
            until = f" until {stamp(row.expires_at)}" if row.expires_at else ""
            message = f"Active: it opens {where} {page}{until}."
        elif row.status == STATUS_EXPIRED:
            status = GuidStatus.EXPIRED
            message = f"Refused: {where} has Status 'Expired', so the app accepts none of its " \
                "tokens."
        else:
            status = GuidStatus.EXPIRED
            message = f"Expired {stamp(row.expires_at)}: it opens {where} {page} no more."
        return VerifyResult(
            status, message, None, row.session_id, row.session_id, None, row.created_at,
            None, row.expires_at, role=role,
        )

    def statuses(
        self, conn: Connection, ids: list[int], now: datetime
    ) -> dict[int, tuple[GuidStatus, int | None]]:
        rows = rows_by_id(conn, ids, lock=False)
        counts = run_counts(conn, list(rows)) if self.run_tables and rows else {}
        result: dict[int, tuple[GuidStatus, int | None]] = {}
        for session_id, row in rows.items():
            name = tokens_runs.state_name(row, counts.get(session_id), now)
            if name == "fresh" and not row.has_tokens:
                name = "none"
            result[session_id] = (tokens_runs.STATUS_BY_STATE[name], session_id)
        return result

    def links(self, ctx: ServiceContext, conn: Connection, ksessions_id: int) -> SessionLinks:
        """The session's current links, to show them again (the caller audits it)."""
        row = rows_by_id(conn, [ksessions_id], lock=False).get(ksessions_id)
        if row is not None and row.status == STATUS_EXPIRED:
            raise ValidationRefused(
                f"KSESSIONS session {ksessions_id} is revoked (Status 'Expired'): its tokens "
                "were replaced by values nobody was shown, so there is no link to show.",
                hint="Issue again to start a new run (hostprov issue, or Provision in the TUI).",
            )
        if row is None or not row.has_tokens:
            raise ValidationRefused(
                f"KSESSIONS session {ksessions_id} has no tokens yet; there are no links to "
                "show.",
                hint="Issue them first (hostprov issue, or Provision in the TUI).",
            )
        base = ctx.settings.app.base_url
        now = utcnow()
        return SessionLinks(
            ksessions_id, row.session_id, row.host_token, row.user_token,
            tokens_runs.host_url(base, row.host_token),
            tokens_runs.participant_url(base, row.user_token),
            row.expires_at, row.signs_in(now), "" if row.signs_in(now) else row.ended(now),
        )


def _renews_user_token(row: TokenRow | None, opts: IssueOptions, now: datetime) -> bool:
    """Participants keep their link on a rotation, unless asked or the old one no longer works."""
    return row is None or opts.new_user_token or not row.has_tokens or not row.signs_in(now)
