"""Slash-commands in pull-request comments: acknowledge, check permission, run, answer.

The router enqueues only comments the pure parser (`app.slash`) addresses to Manifold and
only on pull requests; edited comments and comments by bots never get here. Here:

1. 👀 on the comment at once (a comment deleted meanwhile ends the job quietly);
2. help and usage errors (typos, "did you mean") are answered for anyone: they do nothing;
3. every command needs write access to the repository; others get a polite refusal;
4. `/manifold preview` re-runs the preview of the pull request's current head (a new check
   run, the sticky comment updated); `/manifold plan [ENV] [SLOT]` answers with the
   execution plan of the head for that environment and slot; `/manifold docs ROLE` with the
   documentation sources for that role — in every scope the repository is previewed in.
"""

from __future__ import annotations

from app.github import NotFoundError
from app.intents import PullRequestCommented
from app.preview.pipeline import Run
from app.preview.publish import Target, post_reply
from app.preview.replies import (
    ScopeAnswer,
    render_denied,
    render_docs,
    render_nothing_to_compose,
    render_plan,
    render_text,
    reply_marker,
)
from app.preview.runtime import JobContext, PreviewEvent, Skipped, get_pull
from app.preview.service import Change, preview_change, scopes_for
from app.slash import Command, Ignore, Reply, parse_comment


async def run_command(job: JobContext, intent: PullRequestCommented) -> None:
    parsed = parse_comment(intent.body)
    if isinstance(parsed, Ignore):
        raise Skipped("the comment is not addressed to Manifold")
    if intent.author_type == "Bot":
        raise Skipped("comments by bots are never commands")
    await job.require_active(intent.installation_id)
    repo = intent.repository
    client = job.runtime.client(intent.installation_id)
    try:
        await client.add_comment_reaction(repo.owner, repo.name, intent.comment_id, "eyes")
    except NotFoundError:
        raise Skipped("the comment was deleted") from None
    marker = reply_marker(intent.comment_id)

    async def answer(body: str) -> None:
        await post_reply(client, repo, intent.number, body, marker=marker, retry=job.retry)

    if isinstance(parsed, Reply):
        await answer(render_text(intent.comment_id, parsed.body))
        await _done(job, intent, "usage_error" if parsed.error else "help", "")
        return
    permission = await client.get_permission(repo.owner, repo.name, intent.author)
    if not permission.can_write:
        await answer(render_denied(intent.comment_id, intent.author, repo.full_name))
        await _done(job, intent, "denied", parsed.name)
        return
    pull = await get_pull(client, repo, intent.number)
    if pull is None:
        raise Skipped(f"pull request #{intent.number} does not exist (any more)")
    target = Target(intent.installation_id, repo, pull.head_sha, intent.number)
    try:
        scopes = await scopes_for(job, target)
    except Skipped:
        await answer(render_nothing_to_compose(intent.comment_id, repo.full_name, pull.head_sha))
        await _done(job, intent, "nothing_to_compose", parsed.name)
        return
    if parsed.name == "preview":
        await preview_change(job, Change(target, pull.base_sha or "", forced=True), scopes)
        await _done(job, intent, "ran", parsed.name)
        return
    answers = []
    for scope in scopes:
        composed, _ = await job.runtime.composer.compose(
            scope,
            _run(parsed, job.correlation_id),
            {scope.alias: pull.head_sha},
            pick_env=parsed.name == "docs",
        )
        answers.append(ScopeAnswer(scope.name, composed.report))
    render = render_plan if parsed.name == "plan" else render_docs
    await answer(render(intent.comment_id, parsed, pull.head_sha, answers))
    await _done(job, intent, "ran", parsed.name)


def _run(command: Command, correlation_id: str) -> Run:
    if command.name == "plan":
        return Run(command.env, command.slot, None, correlation_id)
    return Run(role=command.role, correlation_id=correlation_id)


async def _done(job: JobContext, intent: PullRequestCommented, result: str, command: str) -> None:
    job.runtime.metrics.commands.labels(command or "-", result).inc()
    await job.audit(
        PreviewEvent.COMMAND,
        {
            "repository": intent.repository.full_name,
            "pull_number": intent.number,
            "comment_id": intent.comment_id,
            "author": intent.author,
            "command": command,
            "result": result,
        },
    )
