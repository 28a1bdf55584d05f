"""The `preview.*` job handlers: a stored job payload back into its intent, then the work.

    preview.push          app.intents.BranchPushed (+ `inputs_changed`)  -> service.preview_push
    preview.pull_request  app.intents.PullRequestChanged                 -> the pull request
    preview.checks        app.intents.ChecksRequested (re-)requested     -> service.preview_rerun
    preview.command       app.intents.PullRequestCommented               -> commands.run_command

Every job first records `preview.requested` (the request, as queued); a job that finds
nothing to do records `preview.skipped` with the reason and succeeds. GitHub errors keep
their retry policy (`TemporaryError` retries, `PermanentError` dead-letters).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from app.intents import (
    BranchPushed,
    ChecksRequested,
    PullRequestChanged,
    PullRequestCommented,
    RepoRef,
)
from app.preview.commands import run_command
from app.preview.runtime import JobContext, PreviewEvent, PreviewRuntime, Skipped
from app.preview.service import preview_pull_request_event, preview_push, preview_rerun
from app.store import ClaimedJob
from app.worker import PermanentJobError

PREVIEW_PUSH = "preview.push"
PREVIEW_PULL_REQUEST = "preview.pull_request"
PREVIEW_CHECKS = "preview.checks"
PREVIEW_COMMAND = "preview.command"
PREVIEW_JOBS = (PREVIEW_PUSH, PREVIEW_PULL_REQUEST, PREVIEW_CHECKS, PREVIEW_COMMAND)

T = TypeVar("T")


def intent_from(cls: type[T], payload: Mapping[str, Any]) -> T:
    """Rebuild an intent from its `dataclasses.asdict` form (unknown keys ignored)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in payload:
            continue
        value = payload[f.name]
        if f.name == "repository":
            value = RepoRef(int(value["id"]), str(value["owner"]), str(value["name"]))
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)


async def run_preview_job(runtime: PreviewRuntime, claimed: ClaimedJob) -> None:
    payload = claimed.payload
    job = JobContext(
        runtime,
        claimed.kind,
        claimed.job.correlation_id or f"job:{claimed.id}",
        retry=claimed.lease.attempt > 1,
    )
    if claimed.lease.attempt == 1:
        await job.audit(PreviewEvent.REQUESTED, {"kind": claimed.kind, **payload})
    if runtime.github is None:
        raise PermanentJobError("GitHub is not configured (MANIFOLD_GITHUB_APP_ID and key)")
    try:
        try:
            await _dispatch(job, claimed.kind, payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentJobError(f"bad {claimed.kind} payload: {exc!r}") from None
    except Skipped as skipped:
        runtime.metrics.previews.labels(claimed.kind, "skipped").inc()
        await job.audit(
            PreviewEvent.SKIPPED,
            {
                "kind": claimed.kind,
                "repository": _full_name(payload),
                "reason": skipped.reason,
            },
        )


async def _dispatch(job: JobContext, kind: str, payload: Mapping[str, Any]) -> None:
    if kind == PREVIEW_PUSH:
        push = intent_from(BranchPushed, payload)
        await preview_push(job, push, inputs_changed=bool(payload.get("inputs_changed", True)))
    elif kind == PREVIEW_PULL_REQUEST:
        await preview_pull_request_event(job, intent_from(PullRequestChanged, payload))
    elif kind == PREVIEW_CHECKS:
        await preview_rerun(job, intent_from(ChecksRequested, payload))
    elif kind == PREVIEW_COMMAND:
        await run_command(job, intent_from(PullRequestCommented, payload))
    else:
        raise PermanentJobError(f"no preview handler for job kind {kind!r}")


def _full_name(payload: Mapping[str, Any]) -> str:
    repo = payload.get("repository")
    if isinstance(repo, dict):
        return f"{repo.get('owner')}/{repo.get('name')}"
    return ""
