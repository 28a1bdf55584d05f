"""Router: composition previews on pushes, pull requests, checks and comments (PART 2 STUBS).

Part 1 (issue 5) routes these events, turns them into typed intents and enqueues one
`preview.*` job per unit of work, coalesced so a newer push supersedes a pending preview of
the same pull request or branch. The job handler is a stub that only records the flow event
`preview.requested`; part 2 replaces it with the composition, check runs, the sticky comment
and slash-commands. Events for repositories bound to no project are ignored.
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
from app.routing.context import HandlerContext
from app.store import find_repositories

PREVIEW_PUSH = "preview.push"
PREVIEW_PULL_REQUEST = "preview.pull_request"
PREVIEW_CHECKS = "preview.checks"
PREVIEW_COMMAND = "preview.command"
PREVIEW_JOBS = (PREVIEW_PUSH, PREVIEW_PULL_REQUEST, PREVIEW_CHECKS, PREVIEW_COMMAND)

PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "edited", "closed")
CHECK_SUITE_ACTIONS = ("requested", "rerequested")
CHECK_RUN_ACTIONS = ("rerequested", "requested_action")

router = Router()


@router.register("push")
async def on_push(event: Event, ctx: HandlerContext) -> None:
    intent = BranchPushed.from_payload(event.data)
    if intent is None:
        ctx.ignore("a tag push or a branch deletion")
        return
    key = f"{intent.repository.id}:{intent.branch}"
    await request_preview(ctx, intent.repository, PREVIEW_PUSH, _fields(intent), key=key)


async def on_pull_request(event: Event, ctx: HandlerContext) -> None:
    intent = PullRequestChanged.from_payload(event.data)
    key = f"{intent.repository.id}:pr:{intent.number}"
    await request_preview(ctx, intent.repository, PREVIEW_PULL_REQUEST, _fields(intent), key=key)


async def on_checks(event: Event, ctx: HandlerContext) -> None:
    intent = ChecksRequested.from_payload(event.event, event.data)
    key = f"{intent.repository.id}:sha:{intent.head_sha}"
    await request_preview(ctx, intent.repository, PREVIEW_CHECKS, _fields(intent), key=key)


@router.register("issue_comment", action="created")
async def on_comment(event: Event, ctx: HandlerContext) -> None:
    intent = PullRequestCommented.from_payload(event.data)
    if intent is None:
        ctx.ignore("a comment on an issue, not a pull request")
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
        if not bound:
            bound = await find_repositories(conn, owner=repository.owner, name=repository.name)
    if not bound:
        ctx.ignore(f"{repository.full_name} is not bound to a project")
        return
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
