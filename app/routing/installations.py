"""Router: the App's installations (`installation`, `installation_repositories`).

Keeps the installations table in step and schedules a project-root refresh for every
repository whose bindings may have changed (see `app.bindings`).
"""

from __future__ import annotations

from collections.abc import Iterable

from gidgethub.routing import Router
from gidgethub.sansio import Event
from sqlalchemy.ext.asyncio import AsyncConnection

from app.bindings import (
    ACTOR,
    BindingEvent,
    RefreshRequest,
    ensure_installation,
    root_repositories,
    sync_installation,
)
from app.intents import (
    InstallationAction,
    InstallationChanged,
    InstallationRepositoriesChanged,
    RepoRef,
)
from app.routing.context import HandlerContext
from app.store import record_event

REFRESH_JOB = "bindings.refresh"

router = Router()


async def on_installation(event: Event, ctx: HandlerContext) -> None:
    await apply_installation_change(ctx, InstallationChanged.from_payload(event.data))


async def on_installation_repositories(event: Event, ctx: HandlerContext) -> None:
    intent = InstallationRepositoriesChanged.from_payload(event.data)
    await apply_repositories_change(ctx, intent)


for _action in InstallationAction:
    router.add(on_installation, "installation", action=_action.value)
for _action_name in ("added", "removed"):
    router.add(on_installation_repositories, "installation_repositories", action=_action_name)


async def apply_installation_change(ctx: HandlerContext, intent: InstallationChanged) -> None:
    async with ctx.transaction() as conn:
        await sync_installation(conn, intent, correlation_id=ctx.delivery_id)
        if intent.action in (InstallationAction.CREATED, InstallationAction.UNSUSPEND):
            # Any of them may be a project root; while suspended, pushes were not seen.
            targets = {r.id: r for r in intent.repositories}
            if intent.action is InstallationAction.UNSUSPEND:
                targets |= {r.id: r for r in await _roots(conn, intent.installation_id)}
            await schedule_refreshes(conn, ctx, intent.installation_id, targets.values())


async def apply_repositories_change(
    ctx: HandlerContext, intent: InstallationRepositoriesChanged
) -> None:
    iid = intent.installation_id
    async with ctx.transaction() as conn:
        await ensure_installation(conn, iid, intent.account.login, intent.account.type)
        await record_event(
            conn,
            BindingEvent.INSTALLATION_REPOSITORIES,
            correlation_id=ctx.delivery_id,
            actor=ACTOR,
            payload={
                "installation_id": iid,
                "added": [r.full_name for r in intent.added],
                "removed": [r.full_name for r in intent.removed],
            },
        )
        # Added repositories may be roots, or be named by roots that could not bind them
        # before; removed ones leave the projects of every root (a removed root is released
        # without being read).
        targets = {r.id: r for r in intent.added}
        targets |= {r.id: r for r in intent.removed}
        targets |= {r.id: r for r in await _roots(conn, iid)}
        removed = frozenset(r.id for r in intent.removed)
        await schedule_refreshes(conn, ctx, iid, targets.values(), not_installed=removed)


async def schedule_refreshes(
    conn: AsyncConnection,
    ctx: HandlerContext,
    installation_id: int,
    repositories: Iterable[RepoRef],
    *,
    not_installed: frozenset[int] = frozenset(),
) -> None:
    for repo in sorted(repositories, key=lambda r: r.id):
        request = RefreshRequest(installation_id, repo, not_installed)
        await ctx.enqueue(
            conn,
            REFRESH_JOB,
            request.to_json(),
            key=str(repo.id),
            coalesce_key=f"bindings:{installation_id}:{repo.id}",
        )


async def _roots(conn: AsyncConnection, installation_id: int) -> list[RepoRef]:
    return [
        RepoRef(int(r.external_id), r.owner, r.name)
        for r in await root_repositories(conn, installation_id)
        if r.external_id is not None and r.external_id.isdigit()
    ]
