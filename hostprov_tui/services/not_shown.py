"""A credential committed but never seen: its output could not be written (issue 17, item 8).

``issue`` commits, records "ok", then prints the credential; when standard output fails then
(a full disk, ``/dev/full``, a reader that closed the pipe) the credential exists in the
database and nowhere else — a GUID is stored only as its hash. It is not written anywhere else
(a credential is shown once, never kept); instead the audit file gets a "not-shown" record for
the same change, and the operator one sentence naming the recovery: issue again, which rotates
it (the lost one stops working). A closed standard output is refused before anything is done
(cli/output.py), so this is only for what breaks after the commit.
"""

from __future__ import annotations

from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.results import Issued, SessionLinks, TokenIssueResult

NOT_SHOWN = "not-shown"


def issued_not_shown(ctx: ServiceContext, result: Issued, why: str) -> tuple[str, str]:
    """Record that ``result``'s credential was not shown; (sentence, hint) for the operator."""
    tokens = isinstance(result, TokenIssueResult)
    what = "host token" if tokens else "Host GUID"
    where = (f"canvas session {result.canvas_session_id}" if tokens else
             f"host session {result.host_session_id} of canvas session "
             f"{result.canvas_session_id}")
    ks = result.ksessions_id
    again = (f"hostprov issue --ksessions-id {ks}" if ks is not None else
             f"hostprov issue --canvas-session-id {result.canvas_session_id}")
    ctx.audit.record(
        "rotate" if result.action == "rotated" else "issue", NOT_SHOWN,
        ksessions_id=ks, canvas_session_id=result.canvas_session_id,
        host_session_id=result.host_session_id, hash_prefix=result.hash_prefix,
        message=f"the {what} was committed but could not be shown ({why}): nobody has it; "
        "issuing again rotates it",
    )
    sentence = (f"The {what} was saved ({where}) but could not be written to standard output "
                f"({why}), so nobody has it.")
    hint = (f"Issue again (`{again}`) to rotate it: the lost one stops working and the new one "
            "is shown.")
    if tokens:
        hint += f" Or `hostprov links --canvas-session-id {result.canvas_session_id}` shows " \
                "these links again."
    return sentence, hint


def links_not_shown(ctx: ServiceContext, links: SessionLinks, why: str) -> tuple[str, str]:
    """Record that the links shown on request could not be written; (sentence, hint)."""
    ctx.audit.record("show-links", NOT_SHOWN, ksessions_id=links.ksessions_id,
                     canvas_session_id=links.canvas_session_id,
                     message=f"the links could not be written to standard output ({why})")
    return (f"The links of canvas session {links.canvas_session_id} could not be written to "
            f"standard output ({why}).",
            "Nothing changed: run `hostprov links` again with standard output open.")
