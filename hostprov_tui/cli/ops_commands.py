"""The operations: check, sessions, dry-run, issue, revoke, verify, audit (loaded on first use)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from hostprov_tui.cli.lazy import lazy_module
from hostprov_tui.cli.options import WholeNumber, global_options, issue_options, target_options
from hostprov_tui.cli.runner import Outcome, execute, provisioner, state

render = lazy_module("hostprov_tui.cli.render")  # rich + the result types: not for --help


@click.command()
@global_options
@click.pass_context
def check(ctx: click.Context) -> None:
    """Connectivity and schema report for both databases."""

    def body() -> Outcome:
        report = provisioner(ctx).check()
        reachable = report.canvas.reachable and report.ksessions.reachable
        schema = report.canvas.schema_ok and report.ksessions.schema_ok
        code = 0 if reachable and schema else 3
        data = {"ok": report.ok, "environment": report.environment,
                "canvas": report.canvas, "ksessions": report.ksessions,
                "shared_engine": report.shared_engine}
        return Outcome(data, lambda c: render.render_connectivity(c, report), code)

    execute(ctx, body)


@click.command()
@click.argument("query", nargs=-1)
@click.option("--limit", default=50, show_default=True, type=WholeNumber(1, 500))
@click.option("--offset", default=0, show_default=True, type=WholeNumber(0))
@click.option("--album", "album_id", type=WholeNumber(1), help="Only this album (GroupID).")
@click.option("--category", "category_id", type=WholeNumber(1), help="Only this CategoryID.")
@click.option("--active-only", is_flag=True, help="Hide inactive sessions.")
@global_options
@click.pass_context
def sessions(ctx: click.Context, query: tuple[str, ...], limit: int, offset: int,
             album_id: int | None, category_id: int | None, active_only: bool) -> None:
    """Search KSESSIONS by ID, or by words in session name, album, category or speaker.

    Every word must be found (each in any of the four): `hostprov sessions concept taqwa`
    finds "The concept of Taqwa". A query that is one number finds that session ID too.
    """
    from hostprov_tui.services.catalogue import SearchFilters

    def body() -> Outcome:
        page = provisioner(ctx).search(
            " ".join(query), offset=offset, limit=limit,
            filters=SearchFilters(album_id, category_id, active_only),
        )
        return Outcome(page, lambda c: render.render_sessions(c, page))

    execute(ctx, body)


def _target(
    ctx: click.Context, action: str, ksessions_id: str | None, canvas_session_id: str | None
) -> Any:
    return provisioner(ctx).target(action, ksessions_id, canvas_session_id)


@click.command("dry-run")
@target_options
@issue_options
@global_options
@click.pass_context
def dry_run(ctx: click.Context, ksessions_id: str | None, canvas_session_id: str | None,
            created_by: str | None, expires: str | None, reason: str | None,
            allow_production: bool, new_user_token: bool, new_run: bool,
            scheduled_date: str | None, scheduled_time: str | None,
            duration: str | None) -> None:
    """Show exactly what issue would do: the checks, and the writes tried then rolled back."""
    from hostprov_tui.services.checks import refusal

    def body() -> Outcome:
        target = _target(ctx, "dry-run", ksessions_id, canvas_session_id)
        prov = provisioner(ctx)
        schedule = prov.schedule(scheduled_date, scheduled_time, duration, "dry-run")
        plan = prov.dry_run(target, created_by=created_by, expires=expires,
                            reason=reason, allow_production=allow_production,
                            new_user_token=new_user_token, new_run=new_run, schedule=schedule)
        code = 0 if plan.ok else refusal(plan).exit_code
        data = {"ok": plan.ok, "generation": plan.generation, "plan": plan,
                "checks": plan.lines}
        return Outcome(data, lambda c: render.render_dry_run(c, plan), code)

    execute(ctx, body)


@click.command()
@target_options
@issue_options
@click.option("--from-file", "from_file", metavar="PATH",
              type=click.Path(path_type=Path, dir_okay=True),
              help="Issue for every KSESSIONS ID in this file (one per line; # comments).")
@click.option("--output", metavar="PATH", type=click.Path(path_type=Path, dir_okay=False),
              help="With --from-file: the new CSV of GUIDs or tokens (mode 0600; never "
              "overwritten; written before each commit; default ./host-guids-<time>.csv).")
@global_options
@click.pass_context
def issue(ctx: click.Context, ksessions_id: str | None, canvas_session_id: str | None,
          created_by: str | None, expires: str | None, reason: str | None,
          allow_production: bool, new_user_token: bool, new_run: bool,
          scheduled_date: str | None, scheduled_time: str | None, duration: str | None,
          from_file: Path | None, output: Path | None) -> None:
    """Issue the session's Host GUID, or its host token in the tokens generation (or rotate it:
    the current one stops working). A GUID is shown once.

    With --from-file, issue for many sessions: a progress bar on stderr, the GUIDs in a new
    0600 CSV file (also with --json), each failed line reported without stopping; the
    exit code is that of the most severe failure (3, 1, 5, 4, 2 in that order), 0 if none.
    After an interruption, `hostprov bulk status FILE` tells which GUIDs are in force.
    """

    def body() -> Outcome:
        from hostprov_tui.errors import InputError

        schedule = provisioner(ctx).schedule(scheduled_date, scheduled_time, duration)
        if from_file is not None:
            if ksessions_id is not None or canvas_session_id is not None:
                raise InputError("Give either --from-file or one session ID, not both.")
            from hostprov_tui.cli.bulk import run_bulk

            st = state(ctx)
            quiet = st.quiet
            st.quiet = True  # per-ID audit lines would drown the progress bar: the file has them
            return run_bulk(provisioner(ctx), from_file, output, json_mode=st.json, quiet=quiet,
                            created_by=created_by, expires=expires, reason=reason,
                            allow_production=allow_production, new_user_token=new_user_token,
                            new_run=new_run, schedule=schedule)
        if output is not None:
            raise InputError("--output is only for --from-file (a single GUID is shown once).")
        target = _target(ctx, "issue", ksessions_id, canvas_session_id)
        result = provisioner(ctx).issue(target, created_by=created_by, expires=expires,
                                        reason=reason, allow_production=allow_production,
                                        new_user_token=new_user_token, new_run=new_run,
                                        schedule=schedule)
        data = result.document()  # exactly docs/design.md's document of its generation
        return Outcome(data, lambda c: render.render_issue(c, result),
                       not_shown=lambda why: provisioner(ctx).not_shown(result, why))

    execute(ctx, body)


@click.command()
@target_options
@click.option("--by", metavar="NAME", help="Recorded as RevokedBy (default: OS user).")
@click.option("--reason", metavar="TEXT", help="Why, for the audit log.")
@click.option("--allow-production", is_flag=True, help="Confirm a production target.")
@global_options
@click.pass_context
def revoke(ctx: click.Context, ksessions_id: str | None, canvas_session_id: str | None,
           by: str | None, reason: str | None, allow_production: bool) -> None:
    """Revoke the session's active Host GUID (tokens generation: expire its tokens)."""

    def body() -> Outcome:
        target = _target(ctx, "revoke", ksessions_id, canvas_session_id)
        result = provisioner(ctx).revoke(target, by=by, reason=reason,
                                         allow_production=allow_production)
        return Outcome({"ok": True, **result.__dict__}, lambda c: render.render_revoke(c, result))

    execute(ctx, body)


@click.command()
@click.option("--guid", metavar="GUID|-",
              help="The Host GUID to check (guid generation); '-' reads it from standard "
              "input. Given here, other users can see it (ps) while the command runs.")
@click.option("--token", metavar="TOKEN|-",
              help="A host or participant token to check (tokens generation); '-' reads it "
              "from standard input. Given here, other users can see it (ps).")
@global_options
@click.pass_context
def verify(ctx: click.Context, guid: str | None, token: str | None) -> None:
    """Which session a GUID or token opens, and whether it would sign in.

    With neither option, at a terminal, hostprov asks for the credential of the canvas
    database's generation without echoing it.

    Exits 0 only when it would sign in; 4 when it is expired, revoked or unknown.
    """
    from hostprov_tui.cli.secret_input import secret_value
    from hostprov_tui.errors import InputError
    from hostprov_tui.services.results import GuidStatus

    def body() -> Outcome:
        if guid is not None and token is not None:
            raise InputError("Give one of --guid GUID or --token TOKEN, not both.")
        prov = provisioner(ctx)
        tokens = token is not None or (guid is None and prov.credential_kind() == "token")
        given = (secret_value(token, label="host or participant token", option="--token")
                 if tokens else secret_value(guid, label="Host GUID", option="--guid"))
        result = prov.verify_token(given) if tokens else prov.verify(given)
        code = 0 if result.status is GuidStatus.ACTIVE else 4
        return Outcome(result, lambda c: render.render_verify(c, result), code)

    execute(ctx, body)


@click.command()
@click.option("--tail", "count", default=20, show_default=True, type=click.IntRange(1, 100000),
              help="How many of the latest records.")
@global_options
@click.pass_context
def audit(ctx: click.Context, count: int) -> None:
    """Show the latest audit records."""

    def body() -> Outcome:
        from hostprov_tui.services.display_text import printable_record

        records = provisioner(ctx).audit_tail(count)
        shown = [printable_record(r) for r in records]  # for people; --json keeps them as is
        return Outcome({"records": records}, lambda c: render.render_audit(c, shown))

    execute(ctx, body)


@click.command()
@target_options
@click.option("--reason", metavar="TEXT", help="Why, for the audit log.")
@global_options
@click.pass_context
def links(ctx: click.Context, ksessions_id: str | None, canvas_session_id: str | None,
          reason: str | None) -> None:
    """Show a session's host and participant links again (tokens generation; audited)."""

    def body() -> Outcome:
        target = _target(ctx, "show-links", ksessions_id, canvas_session_id)
        shown = provisioner(ctx).links(target, reason)
        return Outcome(shown, lambda c: render.render_links(c, shown),
                       not_shown=lambda why: provisioner(ctx).not_shown(shown, why))

    execute(ctx, body)
