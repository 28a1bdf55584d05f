"""Router: project roots follow their default branch (`push`).

A push to a repository's default branch that may have changed its services.yaml schedules a
refresh of the project it roots (or may now root). Pushes that provably did not touch the
file are ignored, so busy repositories cost nothing.
"""

from __future__ import annotations

from gidgethub.routing import Router
from gidgethub.sansio import Event

from app.bindings import ROOT_ROLE, ROOT_SERVICES_PATH
from app.intents import BranchPushed
from app.routing.context import HandlerContext
from app.routing.installations import schedule_refreshes
from app.store import find_repositories

router = Router()

#: GitHub lists at most this many commits in a push payload; beyond it, paths are unknown
PUSH_COMMITS_LISTED = 20


@router.register("push")
async def on_push(event: Event, ctx: HandlerContext) -> None:
    intent = BranchPushed.from_payload(event.data)
    if intent is None or not intent.to_default_branch:
        ctx.ignore("not a push to the default branch")
        return
    await refresh_after_push(ctx, intent, event.data.get("commits"))


async def refresh_after_push(ctx: HandlerContext, intent: BranchPushed, commits: object) -> None:
    async with ctx.read() as conn:
        bound = await find_repositories(conn, external_id=intent.repository.id)
    paths = {b.services_yaml_path for b in bound if b.role == ROOT_ROLE} or {ROOT_SERVICES_PATH}
    if not may_touch(commits, paths):
        ctx.ignore("the push did not change a services.yaml that could declare a project root")
        return
    async with ctx.transaction() as conn:
        await schedule_refreshes(conn, ctx, intent.installation_id, [intent.repository])


def may_touch(commits: object, paths: set[str]) -> bool:
    """False only when the push's commit list is complete and no commit touched `paths`."""
    if not isinstance(commits, list) or not commits or len(commits) >= PUSH_COMMITS_LISTED:
        return True
    for commit in commits:
        if not isinstance(commit, dict):
            return True
        for key in ("added", "removed", "modified"):
            changed = commit.get(key)
            if not isinstance(changed, list):
                return True
            if paths.intersection(changed):
                return True
    return False
