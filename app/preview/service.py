"""Previewing a change: which commit, against which base, whether it is still worth it.

Superseded commits are never previewed: a job previews what is the head *when it starts*
(the pull request's head, the branch's tip), not the commit its event named. Deliveries are
processed concurrently, so the job that survives coalescing may be the older event's; it
then previews the newer head, and the newer event's job, if it still runs, finds that head
previewed.

- **Pull request** (opened, synchronize, reopened, ready_for_review; edited onto another
  base): the pull request is read from GitHub first; a closed one is skipped. Base: the
  pull request's base commit. Results: the check run and the sticky comment.
- **Push** to a branch: skipped when the push provably changes nothing a composition reads
  (`changes.may_change_composition`), when the branch is gone, when an open pull request
  has that branch as its head (its own `synchronize` previews the commit, with the pull
  request's base), and when the tip already has a check run. Base: the push's `before`;
  for a new branch, the repository's default ref; none for the first push of the default
  branch.
- **Re-run**: always a new check run — for exactly the commit of a `check_suite` /
  `check_run` rerequested (even when it is no longer a head), for the pull request's
  current head on `/manifold preview`.

A repository bound to no project is previewed alone when it has a `services.yaml` at the
commit; otherwise nothing is posted.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.intents import BranchPushed, ChecksRequested, PullRequestChanged, RepoRef
from app.preview.checkrun import CHECK_NAME, CheckRunReport, ScopeResult, build_check_run
from app.preview.comment import MARKER, render_comment
from app.preview.pipeline import Run, diff_view
from app.preview.publish import CheckRunPublisher, Target, upsert_sticky_comment
from app.preview.runtime import (
    JobContext,
    PreviewEvent,
    Skipped,
    get_pull,
    open_pulls_from,
    real_sha,
)
from app.preview.scopes import UNBOUND_SERVICES_PATH, Scope, alone_scope, load_scopes
from app.store import get_check_run
from resolver.compare import diff_reports


@dataclass(frozen=True, slots=True)
class Change:
    target: Target
    #: the changed repository's base commit; "" = its default ref; None = nothing to compare
    base: str | None
    #: a re-run was asked for: a new check run even if the result did not change
    forced: bool = False
    #: the commit the event named, when the branch had moved on (it is not previewed)
    superseded: str | None = None


async def previewed(job: JobContext, repo: RepoRef, sha: str) -> bool:
    """`sha` has a completed check run (an unfinished one is resumed, not skipped)."""
    async with job.runtime.engine.connect() as conn:
        record = await get_check_run(
            conn, repository_external_id=repo.id, head_sha=sha, name=CHECK_NAME
        )
    return record is not None and record.status == "completed"


async def preview_push(job: JobContext, intent: BranchPushed, *, inputs_changed: bool) -> None:
    await job.require_active(intent.installation_id)
    if not inputs_changed:
        raise Skipped("the push only modifies files whose contents no composition reads")
    repo = intent.repository
    client = job.runtime.client(intent.installation_id)
    ref = await client.get_ref(repo.owner, repo.name, f"heads/{intent.branch}")
    if ref is None:
        raise Skipped(f"branch {intent.branch} no longer exists")
    pulls = await open_pulls_from(client, repo, intent.branch)
    if pulls:
        raise Skipped(f"previewed by pull request #{pulls[0]} (its head is {intent.branch})")
    if await previewed(job, repo, ref.sha):
        raise Skipped(f"{ref.sha[:12]} ({intent.branch}) was previewed already")
    before = real_sha(intent.before)
    base = before if before else ("" if not intent.to_default_branch else None)
    target = Target(intent.installation_id, repo, ref.sha)
    superseded = intent.after if ref.sha != intent.after else None
    await preview_change(job, Change(target, base, superseded=superseded))


async def preview_pull_request(
    job: JobContext,
    installation_id: int,
    repo: RepoRef,
    number: int,
    *,
    head_sha: str | None,
    forced: bool = False,
) -> None:
    """Preview pull request `number`. `head_sha` is the commit the event named: a forced
    preview (a re-run) previews exactly that commit; otherwise the pull request's current
    head is previewed, and `head_sha`, if it differs, is recorded as superseded."""
    await job.require_active(installation_id)
    client = job.runtime.client(installation_id)
    pull = await get_pull(client, repo, number)
    if pull is None:
        raise Skipped(f"pull request #{number} does not exist (any more)")
    if pull.state != "open" and not forced:
        raise Skipped(f"pull request #{number} is {pull.state}")
    head = head_sha if head_sha is not None and forced else pull.head_sha
    superseded = head_sha if head_sha not in (None, head) else None
    target = Target(installation_id, repo, head, number)
    await preview_change(
        job, Change(target, pull.base_sha or "", forced=forced, superseded=superseded)
    )


async def preview_pull_request_event(job: JobContext, intent: PullRequestChanged) -> None:
    await preview_pull_request(
        job, intent.installation_id, intent.repository, intent.number, head_sha=intent.head_sha
    )


async def preview_rerun(job: JobContext, intent: ChecksRequested) -> None:
    """A check suite or run for a commit (of its pull request, if any). A re-run button
    (`rerequested`) always posts a new check run; `check_suite.requested`, which GitHub sends
    with every push, posts only what the push's own preview has not posted already."""
    await job.require_active(intent.installation_id)
    forced = intent.action == "rerequested"
    client = job.runtime.client(intent.installation_id)
    for number in intent.pull_numbers:
        pull = await get_pull(client, intent.repository, number)
        if pull is not None and pull.head_sha == intent.head_sha:
            await preview_pull_request(
                job,
                intent.installation_id,
                intent.repository,
                number,
                head_sha=intent.head_sha,
                forced=forced,
            )
            return
    before = real_sha(intent.before)
    target = Target(intent.installation_id, intent.repository, intent.head_sha)
    await preview_change(job, Change(target, before or "", forced=forced))


async def scopes_for(job: JobContext, target: Target) -> list[Scope]:
    """The scopes to compose `target` in; a repository bound to no project is composed
    alone when it has a services.yaml at the commit (else `Skipped`)."""
    repo = target.repository
    async with job.runtime.engine.connect() as conn:
        scopes = await load_scopes(conn, repo, target.installation_id)
    if scopes:
        return scopes
    client = job.runtime.client(target.installation_id)
    found = await client.get_file(repo.owner, repo.name, UNBOUND_SERVICES_PATH, ref=target.head_sha)
    if found is None:
        raise Skipped(f"{repo.full_name} is bound to no project and has no services.yaml")
    return [alone_scope(repo, target.installation_id)]


async def preview_change(
    job: JobContext, change: Change, scopes: list[Scope] | None = None
) -> None:
    target = change.target
    if scopes is None:
        scopes = await scopes_for(job, target)
    runtime = job.runtime
    composer = runtime.composer
    results: list[ScopeResult] = []

    async def build() -> CheckRunReport:
        results.clear()
        for scope in scopes:
            run = Run(correlation_id=job.correlation_id)
            head, run = await composer.compose(
                scope, run, {scope.alias: target.head_sha}, pick_env=True
            )
            base_report = None
            if change.base == target.head_sha:
                base_report = head.report
            elif change.base is not None:
                overrides = {scope.alias: change.base} if change.base else {}
                base, _ = await composer.compose(scope, run, overrides)
                base_report = base.report
            diff = diff_reports(diff_view(base_report), diff_view(head.report) or {})
            results.append(ScopeResult(scope.name, scope.mode, scope.alias, head.report, diff))
        return build_check_run(results)

    client = runtime.client(target.installation_id)
    async with runtime.commit_lock(target.repository.id, target.head_sha):
        publisher = CheckRunPublisher(runtime.engine, client, target, forced=change.forced)
        posted = await publisher.run(build)
        comment = None
        if target.pull_number is not None:
            body = render_comment(results, head_sha=target.head_sha, check_run_url=posted.html_url)
            comment = await upsert_sticky_comment(
                runtime.engine, client, target, body, marker=MARKER
            )
    runtime.metrics.previews.labels(job.kind, posted.outcome).inc()
    await job.audit(
        PreviewEvent.COMPLETED,
        {
            "repository": target.repository.full_name,
            "head_sha": target.head_sha,
            "pull_number": target.pull_number,
            "base": change.base,
            "forced": change.forced,
            "superseded": change.superseded,
            "check_run_id": posted.check_run_id,
            "check_run": posted.outcome,
            "conclusion": posted.conclusion,
            "comment": comment,
            "scopes": [{"project": r.project, "mode": r.mode, "ok": r.report.ok} for r in results],
        },
    )
