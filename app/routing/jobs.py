"""The job kinds the App's worker runs, and what each one does.

- `github.delivery`: route one stored webhook delivery through the routers; its outcome
  (`processed` / `ignored`, or `failed` when dead-lettered) is written with the job's result.
- `bindings.refresh`: re-read a repository's services.yaml and update the project it roots.
- `preview.*`: composition previews (`app.preview`): check runs, the sticky comment,
  slash-commands.
"""

from __future__ import annotations

from collections.abc import Mapping

from gidgethub.routing import Router
from gidgethub.sansio import Event
from sqlalchemy.ext.asyncio import AsyncConnection

from app.bindings import RefreshRequest, refresh_root
from app.preview import PREVIEW_JOBS, PreviewRuntime, run_preview_job
from app.routing.context import HandlerContext, Services
from app.routing.installations import REFRESH_JOB
from app.store import (
    ClaimedJob,
    DeliveryOutcome,
    get_delivery,
    set_delivery_outcome,
)
from app.webhooks import DELIVERY_JOB
from app.worker import JobKind, OnComplete, PermanentJobError


def job_kinds(services: Services, router: Router) -> Mapping[str, JobKind]:
    async def run_delivery(claimed: ClaimedJob) -> OnComplete:
        return await dispatch_delivery(services, router, claimed)

    async def run_refresh(claimed: ClaimedJob) -> None:
        await refresh_bindings(services, claimed)

    previews = PreviewRuntime(services.engine, services.github, services.metrics)
    if services.github is not None:
        services.metrics.watch_github(services.github)

    async def run_preview(claimed: ClaimedJob) -> None:
        await run_preview_job(previews, claimed)

    kinds = {
        DELIVERY_JOB: JobKind(run_delivery, on_dead=mark_delivery_failed),
        REFRESH_JOB: JobKind(run_refresh),
    }
    kinds |= {kind: JobKind(run_preview) for kind in PREVIEW_JOBS}
    return kinds


async def dispatch_delivery(services: Services, router: Router, claimed: ClaimedJob) -> OnComplete:
    delivery_id = str(claimed.payload.get("delivery_id", ""))
    async with services.engine.connect() as conn:
        delivery = await get_delivery(conn, delivery_id)
    if delivery is None:
        raise PermanentJobError(f"delivery {delivery_id!r} is not stored (pruned?)")
    event = Event(dict(delivery.payload), event=delivery.event, delivery_id=delivery_id)
    ctx = HandlerContext(services, delivery_id)
    if not router.fetch(event):
        ctx.ignore(f"no handler for {delivery.event}.{delivery.action or '-'}")
    await router.dispatch(event, ctx)

    async def finish(conn: AsyncConnection) -> None:
        await set_delivery_outcome(conn, delivery_id, ctx.outcome, detail=ctx.detail)

    return finish


async def mark_delivery_failed(conn: AsyncConnection, claimed: ClaimedJob, error: str) -> None:
    delivery_id = str(claimed.payload.get("delivery_id", ""))
    if delivery_id:
        await set_delivery_outcome(conn, delivery_id, DeliveryOutcome.FAILED, detail=error[:4000])


async def refresh_bindings(services: Services, claimed: ClaimedJob) -> None:
    if services.reader is None:
        raise PermanentJobError("GitHub is not configured (MANIFOLD_GITHUB_APP_ID and key)")
    try:
        request = RefreshRequest.from_json(claimed.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"bad {REFRESH_JOB} payload: {exc}") from None
    result = await refresh_root(
        services.engine,
        services.reader,
        request,
        correlation_id=claimed.job.correlation_id or f"job:{claimed.id}",
    )
    services.metrics.binding_refreshes.labels(result.result).inc()
    for rejection in result.rejected:
        services.metrics.bindings_rejected.labels(rejection.reason).inc()
