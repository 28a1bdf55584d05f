"""Router: composition previews on pushes, pull requests, re-runs and comments.

Each event becomes a typed intent and one `preview.*` job (the work is `app.preview`'s):

    push (a branch)                                   -> preview.push
    pull_request opened, synchronize, reopened,
        ready_for_review, edited onto a new base      -> preview.pull_request
    check_suite rerequested, check_run rerequested
        (of `Manifold / composition`)                 -> preview.checks
    issue_comment created on a pull request, with a
        `/manifold` command, not by a bot             -> preview.command

Jobs are coalesced per pull request, per branch and per re-run commit, so a newer push
supersedes the pending preview of an older commit (and the job itself skips a commit that
is no longer the head when it starts). Commands are never coalesced: each one is answered.
A push also carries whether its commits may have changed anything a composition reads.
A repository bound to no project is queued too: the job previews it alone when it has a
services.yaml (`app.preview.service`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gidgethub.routing import Router
from gidgethub.sansio import Event

from app.intents import (
    BranchPushed,
    ChecksRequested,
    PullRequestChanged,
    PullRequestCommented,
    RepoRef,
)
from app.preview import (
    CHECK_NAME,
    PREVIEW_CHECKS,
    PREVIEW_COMMAND,
    PREVIEW_JOBS,
    PREVIEW_PULL_REQUEST,
    PREVIEW_PUSH,
)
from app.preview.changes import may_change_composition
from app.routing.context import HandlerContext
from app.slash import Ignore, parse_comment
from app.store import find_repositories

__all__ = [
    "PREVIEW_CHECKS",
    "PREVIEW_COMMAND",
    "PREVIEW_JOBS",
    "PREVIEW_PULL_REQUEST",
    "PREVIEW_PUSH",
    "router",
    "wants",
]

PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "edited")
# `check_suite.requested` arrives for every push too: whichever of the two runs second finds
# the commit previewed with the same result and posts nothing. `check_run.requested_action`
# needs buttons, and Manifold offers none.
CHECK_SUITE_ACTIONS = ("requested", "rerequested")
CHECK_RUN_ACTIONS = ("rerequested",)

router = Router()


@router.register("push")
async def on_push(event: Event, ctx: HandlerContext) -> None:
    intent = BranchPushed.from_payload(event.data)
    if intent is None:
        ctx.ignore("a tag push or a branch deletion")
        return
    changed = may_change_composition(event.data.get("commits"))
    fields = {**_fields(intent), "inputs_changed": changed}
    key = f"{intent.repository.id}:{intent.branch}"
    await request_preview(ctx, intent.repository, PREVIEW_PUSH, fields, key=key)


async def on_pull_request(event: Event, ctx: HandlerContext) -> None:
    intent = PullRequestChanged.from_payload(event.data)
    if intent.action == "edited" and not intent.base_changed:
        ctx.ignore("a pull request's title or body was edited (its base did not change)")
        return
    key = f"{intent.repository.id}:pr:{intent.number}"
    await request_preview(ctx, intent.repository, PREVIEW_PULL_REQUEST, _fields(intent), key=key)


async def on_checks(event: Event, ctx: HandlerContext) -> None:
    intent = ChecksRequested.from_payload(event.event, event.data)
    if intent.source == "check_run" and intent.check_name != CHECK_NAME:
        ctx.ignore(f"a re-run of another App's check run ({intent.check_name})")
        return
    key = f"{intent.repository.id}:sha:{intent.head_sha}"
    await request_preview(ctx, intent.repository, PREVIEW_CHECKS, _fields(intent), key=key)


@router.register("issue_comment", action="created")
async def on_comment(event: Event, ctx: HandlerContext) -> None:
    intent = PullRequestCommented.from_payload(event.data)
    if intent is None:
        ctx.ignore("a comment on an issue, not a pull request")
        return
    if intent.author_type == "Bot":
        ctx.ignore("a comment by a bot")
        return
    if isinstance(parse_comment(intent.body), Ignore):
        ctx.ignore("the comment has no /manifold command")
        return
    # Commands are never coalesced: each one is answered.
    await request_preview(ctx, intent.repository, PREVIEW_COMMAND, _fields(intent), key=None)


for _action in PULL_REQUEST_ACTIONS:
    router.add(on_pull_request, "pull_request", action=_action)
for _action in CHECK_SUITE_ACTIONS:
    router.add(on_checks, "check_suite", action=_action)
for _action in CHECK_RUN_ACTIONS:
    router.add(on_checks, "check_run", action=_action)


def wants(event: Event) -> bool:
    """Cheap checks the intake applies before storing (loops and noise never get queued)."""
    data = event.data
    if event.event == "issue_comment":
        issue = data.get("issue")
        sender = data.get("sender")
        on_pull = isinstance(issue, dict) and isinstance(issue.get("pull_request"), dict)
        by_bot = isinstance(sender, dict) and sender.get("type") == "Bot"
        return on_pull and not by_bot
    if event.event == "push":
        ref = data.get("ref")
        return isinstance(ref, str) and ref.startswith("refs/heads/") and not data.get("deleted")
    return True


async def request_preview(
    ctx: HandlerContext, repository: RepoRef, kind: str, fields: dict[str, Any], *, key: str | None
) -> None:
    async with ctx.read() as conn:
        bound = await find_repositories(conn, external_id=repository.id)
        bound += await find_repositories(conn, owner=repository.owner, name=repository.name)
    # Bound to no project: still queued; the job composes the repository alone when it
    # has a services.yaml (and posts nothing when it has none).
    payload = {**fields, "projects": sorted({b.project_id for b in bound})}
    async with ctx.transaction() as conn:
        await ctx.enqueue(
            conn,
            kind,
            payload,
            key=key or str(fields.get("comment_id", "")),
            coalesce_key=f"preview:{key}" if key else None,
        )


def _fields(intent: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dataclasses.asdict(intent)
    return fields
